/*
 * dfx_http_route.c: path -> endpoint, and the ingest query parameters.
 */
#include <stdio.h>
#include <string.h>

#include "dfx_conf.h"
#include "dfx_http_route.h"

#define DFX_HTTP_INGEST_PREFIX  "/v1/ingest/"

dfx_http_ep_t
dfx_http_route(const char *path, dfx_str_t *ds)
{
    static const struct {
        const char     *path;
        dfx_http_ep_t   ep;
    } fixed[] = {
        { "/healthz", DFX_HTTP_EP_HEALTHZ },
        { "/readyz", DFX_HTTP_EP_READYZ },
        { "/metrics", DFX_HTTP_EP_METRICS },
        { "/stats", DFX_HTTP_EP_STATS },
        { "/v1/dictionary", DFX_HTTP_EP_DICTIONARY },
    };
    size_t  i, n = sizeof(DFX_HTTP_INGEST_PREFIX) - 1;

    if (path == NULL) {
        return DFX_HTTP_EP_NONE;
    }
    if (strncmp(path, DFX_HTTP_INGEST_PREFIX, n) == 0) {
        ds->data = path + n;
        ds->len = strlen(path + n);
        return DFX_HTTP_EP_INGEST;
    }
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (strcmp(path, fixed[i].path) == 0) {
            return fixed[i].ep;
        }
    }
    return DFX_HTTP_EP_NONE;
}

/* Copies at most 32 bytes of a parameter for an error message, printable
 * ASCII only. */
static void
dfx_http_query_quote(char *out, size_t size, const char *s, size_t len)
{
    size_t  i, o = 0;

    for (i = 0; i < len && i < 32 && o + 1 < size; i++) {
        out[o++] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"') ? s[i] : '?';
    }
    if (i < len && o + 3 < size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static int
dfx_http_query_is(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* Percent-decodes a value into out (NUL-terminated; a client may well
 * send "Asia%2FShanghai").  Returns -1 on a bad escape, an encoded NUL or
 * a value longer than size - 1. */
static int
dfx_http_query_unescape(const char *s, size_t len, char *out, size_t size)
{
    size_t  i, o = 0;
    int     hi, lo;

    for (i = 0; i < len; i++) {
        if (o + 1 >= size) {
            return -1;
        }
        if (s[i] != '%') {
            out[o++] = s[i];
            continue;
        }
        hi = i + 2 < len ? dfx_hex_value(s[i + 1]) : -1;
        lo = hi >= 0 ? dfx_hex_value(s[i + 2]) : -1;
        if (lo < 0 || (hi == 0 && lo == 0)) {
            return -1;
        }
        out[o++] = (char) (hi << 4 | lo);
        i += 2;
    }
    out[o] = '\0';
    return 0;
}

int
dfx_http_query_parse(const char *query, dfx_http_query_t *q, char *err,
                     size_t errlen)
{
    const char  *p, *amp, *eq, *name, *val;
    size_t       nlen, vlen;
    char         qn[40], qv[40];
    int          seen_ack = 0, seen_dry = 0, seen_fmt = 0, seen_tz = 0;
    int          seen_pretty = 0;
    int          has_val;

    q->ack = -1;
    q->dry_run = 0;
    q->pretty = 0;
    q->format = DFX_HTTP_FORMAT_JSON;
    q->tz[0] = '\0';
    if (query == NULL) {
        return 0;
    }

    for (p = query; *p != '\0'; p = *amp != '\0' ? amp + 1 : amp) {
        amp = strchr(p, '&');
        if (amp == NULL) {
            amp = p + strlen(p);
        }
        if (amp == p) {
            continue;                   /* "a=1&&b=2", trailing "&" */
        }
        eq = memchr(p, '=', (size_t) (amp - p));
        name = p;
        nlen = (size_t) ((eq != NULL ? eq : amp) - p);
        has_val = eq != NULL;
        val = has_val ? eq + 1 : amp;
        vlen = (size_t) (amp - val);
        dfx_http_query_quote(qn, sizeof(qn), name, nlen);
        dfx_http_query_quote(qv, sizeof(qv), val, vlen);

        if (dfx_http_query_is(name, nlen, "ack")) {
            if (seen_ack++) {
                snprintf(err, errlen, "query parameter \"ack\" given twice");
                return -1;
            }
            if (has_val && dfx_http_query_is(val, vlen, "queued")) {
                q->ack = DFX_ACK_QUEUED;
            } else if (has_val && dfx_http_query_is(val, vlen, "kafka")) {
                q->ack = DFX_ACK_KAFKA;
            } else {
                snprintf(err, errlen, "query parameter \"ack\" must be "
                         "\"queued\" or \"kafka\", got \"%s\"", qv);
                return -1;
            }
        } else if (dfx_http_query_is(name, nlen, "dry_run")) {
            if (seen_dry++) {
                snprintf(err, errlen, "query parameter \"dry_run\" given "
                         "twice");
                return -1;
            }
            if (!has_val || dfx_http_query_is(val, vlen, "1")
                || dfx_http_query_is(val, vlen, "true"))
            {
                q->dry_run = 1;
            } else if (dfx_http_query_is(val, vlen, "0")
                       || dfx_http_query_is(val, vlen, "false"))
            {
                q->dry_run = 0;
            } else {
                snprintf(err, errlen, "query parameter \"dry_run\" must be "
                         "1 or 0, got \"%s\"", qv);
                return -1;
            }
        } else if (dfx_http_query_is(name, nlen, "pretty")) {
            if (seen_pretty++) {
                snprintf(err, errlen, "query parameter \"pretty\" given "
                         "twice");
                return -1;
            }
            if (!has_val || dfx_http_query_is(val, vlen, "1")
                || dfx_http_query_is(val, vlen, "true"))
            {
                q->pretty = 1;
            } else if (!dfx_http_query_is(val, vlen, "0")
                       && !dfx_http_query_is(val, vlen, "false"))
            {
                snprintf(err, errlen, "query parameter \"pretty\" must be "
                         "1 or 0, got \"%s\"", qv);
                return -1;
            }
        } else if (dfx_http_query_is(name, nlen, "format")) {
            if (seen_fmt++) {
                snprintf(err, errlen, "query parameter \"format\" given "
                         "twice");
                return -1;
            }
            if (has_val && dfx_http_query_is(val, vlen, "json")) {
                q->format = DFX_HTTP_FORMAT_JSON;
            } else if (has_val && dfx_http_query_is(val, vlen, "clickhouse")) {
                q->format = DFX_HTTP_FORMAT_CLICKHOUSE;
            } else {
                snprintf(err, errlen, "query parameter \"format\" must be "
                         "\"json\" or \"clickhouse\", got \"%s\"", qv);
                return -1;
            }
        } else if (dfx_http_query_is(name, nlen, "tz")) {
            if (seen_tz++) {
                snprintf(err, errlen, "query parameter \"tz\" given twice");
                return -1;
            }
            if (!has_val || vlen == 0
                || dfx_http_query_unescape(val, vlen, q->tz, sizeof(q->tz))
                   != 0)
            {
                q->tz[0] = '\0';
                snprintf(err, errlen, "query parameter \"tz\" must name a "
                         "time zone, got \"%s\"", qv);
                return -1;
            }
        } else {
            snprintf(err, errlen, "unknown query parameter \"%s\" (known: "
                     "ack, dry_run, pretty, format, tz)", qn);
            return -1;
        }
    }
    if (seen_tz && q->format != DFX_HTTP_FORMAT_CLICKHOUSE) {
        /* strict records have no date text to read in a zone */
        snprintf(err, errlen, "query parameter \"tz\" is only allowed "
                 "with format=clickhouse");
        return -1;
    }
    return 0;
}
