/*
 * dfx_process.h: dfexport_build_info and the process metrics (CPU, RSS,
 * open fds, start time), read from /proc/self when scraped; the table is
 * dfx_process.def.  dfx_stats_prometheus() and dfx_stats_json() append
 * them.
 */
#ifndef DFX_PROCESS_H
#define DFX_PROCESS_H

#include <stdint.h>

#include "dfx_buf.h"
#include "dfx_version.h"

typedef struct dfx_process_s {
    double   cpu_seconds;       /* < 0: unknown */
    int64_t  rss_bytes;         /* < 0: unknown */
    int64_t  open_fds;          /* < 0: unknown */
    double   start_time;        /* unix seconds; < 0: unknown */
} dfx_process_t;

/* The labels of dfexport_build_info (dfx_version_libs()); copied.  Call
 * once before any thread renders metrics; until then build_info carries
 * dfexport's version alone. */
void dfx_process_set_versions(const dfx_version_lib_t *libs, size_t n);

/* Reads the process metrics of the calling process; what cannot be read
 * (no /proc) is left negative and not rendered. */
void dfx_process_read(dfx_process_t *p);

/* Appends build_info and the process metrics in Prometheus text format;
 * 0 or -1 (out of memory). */
int dfx_process_prometheus(dfx_buf_t *out);

/* Appends them as JSON object members, each preceded by a comma:
 * ,"build_info":{"version":"0.1.0",...},"process_open_fds":12,... */
int dfx_process_json(dfx_buf_t *out);

#endif /* DFX_PROCESS_H */
