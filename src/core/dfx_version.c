/*
 * dfx_version.c: the version of dfexport and of its libraries (runtime
 * versions, from each library's own version function), for -V and
 * dfexport_build_info.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <librdkafka/rdkafka.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <yajl/yajl_version.h>
#include <yaml.h>
#include <zlib.h>

#include "config.h"
#include "dfx_process.h"
#include "dfx_version.h"

static void
dfx_version_set(dfx_version_lib_t *l, const char *name, const char *display,
                const char *v)
{
    l->name = name;
    l->display = display;
    snprintf(l->version, sizeof(l->version), "%s",
             v != NULL && v[0] != '\0' ? v : "unknown");
}

size_t
dfx_version_libs(dfx_version_lib_t *libs)
{
    const curl_version_info_data  *cv;
    char                           yv[16];
    int                            y;
    size_t                         n = 0;

    dfx_version_set(&libs[n++], "version", "dfexport", PACKAGE_VERSION);
    dfx_version_set(&libs[n++], "librdkafka", "librdkafka",
                    rd_kafka_version_str());
    dfx_version_set(&libs[n++], "libevent", "libevent", event_get_version());

    /* yajl_version() is MAJOR * 10000 + MINOR * 100 + MICRO */
    y = yajl_version();
    snprintf(yv, sizeof(yv), "%d.%d.%d", y / 10000, y / 100 % 100, y % 100);
    dfx_version_set(&libs[n++], "yajl", "yajl", yv);

#ifdef OPENSSL_VERSION_STRING
    /* OpenSSL 3: "3.0.11" */
    dfx_version_set(&libs[n++], "openssl", "OpenSSL",
                    OpenSSL_version(OPENSSL_VERSION_STRING));
#else
    /* 1.1: "OpenSSL 1.1.1w  11 Sep 2023": the second word */
    {
        const char  *s = OpenSSL_version(OPENSSL_VERSION);
        const char  *p = strchr(s, ' ');
        char         ov[48];

        snprintf(ov, sizeof(ov), "%.*s", p != NULL
                 ? (int) strcspn(p + 1, " ") : 0, p != NULL ? p + 1 : "");
        dfx_version_set(&libs[n++], "openssl", "OpenSSL", ov);
    }
#endif

    cv = curl_version_info(CURLVERSION_NOW);
    dfx_version_set(&libs[n++], "libcurl", "libcurl",
                    cv != NULL ? cv->version : NULL);
    dfx_version_set(&libs[n++], "libyaml", "libyaml",
                    yaml_get_version_string());
    dfx_version_set(&libs[n++], "zlib", "zlib", zlibVersion());
    return n;
}

void
dfx_version_set_build_info(void)
{
    dfx_version_lib_t  libs[DFX_VERSION_NLIBS];

    dfx_process_set_versions(libs, dfx_version_libs(libs));
}

void
dfx_version_print(FILE *out)
{
    dfx_version_lib_t  libs[DFX_VERSION_NLIBS];
    size_t             i, n;

    n = dfx_version_libs(libs);
    for (i = 0; i < n; i++) {
        fprintf(out, "%s %s\n", libs[i].display, libs[i].version);
    }
}
