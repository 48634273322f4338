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

int
dfx_http_query_parse(const char *query, dfx_http_query_t *q, char *err,
                     size_t errlen)
{
    const char  *p, *amp, *eq, *name, *val;
    size_t       nlen, vlen;
    char         qn[40], qv[40];
    int          seen_ack = 0, seen_dry = 0, has_val;

    q->ack = -1;
    q->dry_run = 0;
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
        } else {
            snprintf(err, errlen, "unknown query parameter \"%s\" (known: "
                     "ack, dry_run)", qn);
            return -1;
        }
    }
    return 0;
}
