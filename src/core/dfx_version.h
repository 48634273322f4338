/*
 * dfx_version.h: the version of dfexport and of the libraries it runs
 * with, for -V and the dfexport_build_info gauge.
 *
 * Library versions are the runtime ones, asked of each library's own
 * version function, so a shared library upgraded under the binary shows.
 */
#ifndef DFX_VERSION_H
#define DFX_VERSION_H

#include <stddef.h>
#include <stdio.h>

/* dfexport, librdkafka, libevent, yajl, openssl, libcurl, libyaml, zlib */
#define DFX_VERSION_NLIBS  8

typedef struct dfx_version_lib_s {
    const char  *name;          /* lower case, a Prometheus label name */
    const char  *display;       /* as the project spells itself */
    char         version[48];   /* "2.0.2"; "unknown" when not known */
} dfx_version_lib_t;

/* Fills libs (DFX_VERSION_NLIBS elements, dfexport first); returns the
 * number filled.  Thread-safe: nothing is shared. */
size_t dfx_version_libs(dfx_version_lib_t *libs);

/* Gives dfx_version_libs() to dfexport_build_info (dfx_process.h); main
 * thread, before any thread renders metrics. */
void dfx_version_set_build_info(void);

/* Prints "dfexport 0.1.0" and one "NAME VERSION" line per library. */
void dfx_version_print(FILE *out);

#endif /* DFX_VERSION_H */
