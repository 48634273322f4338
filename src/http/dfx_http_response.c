/*
 * dfx_http_response.c: rendering the ingest endpoint's JSON answers.
 */
#include <stdlib.h>
#include <string.h>

#include "dfx_http_response.h"

void
dfx_http_result_reset(dfx_http_result_t *r, size_t max)
{
    r->accepted = 0;
    r->filtered = 0;
    r->rejected = 0;
    r->nerrs = 0;
    r->total = 0;
    r->max = max;
}

dfx_http_rerr_t *
dfx_http_result_add(dfx_http_result_t *r)
{
    dfx_http_rerr_t  *e;
    size_t            ncap;

    r->total++;
    if (r->nerrs >= r->max) {
        return NULL;
    }
    if (r->nerrs == r->cap) {
        ncap = r->cap ? r->cap * 2 : 16;
        if (ncap > r->max) {
            ncap = r->max;
        }
        e = realloc(r->errs, ncap * sizeof(*e));
        if (e == NULL) {
            return NULL;
        }
        r->errs = e;
        r->cap = ncap;
    }
    e = &r->errs[r->nerrs++];
    memset(e, 0, sizeof(*e));
    e->exporter = -1;
    return e;
}

void
dfx_http_result_free(dfx_http_result_t *r)
{
    if (r == NULL) {
        return;
    }
    free(r->errs);
    r->errs = NULL;
    r->nerrs = 0;
    r->cap = 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if there is none. */
static size_t
dfx_http_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char  c = s[0], lo = 0x80, hi = 0xbf;
    size_t         len, i;

    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0) {
            lo = 0xa0;          /* overlong */
        } else if (c == 0xed) {
            hi = 0x9f;          /* surrogates */
        }
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0) {
            lo = 0x90;          /* overlong */
        } else if (c == 0xf4) {
            hi = 0x8f;          /* past U+10FFFF */
        }
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (i = 2; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    return len;
}

int
dfx_http_json_text(dfx_buf_t *b, const char *str, size_t len)
{
    static const char     hex[] = "0123456789abcdef";
    const unsigned char  *s = (const unsigned char *) str;
    size_t                i = 0, run, n;
    char                  esc[6];

    if (dfx_buf_putc(b, '"') != 0) {
        return -1;
    }
    while (i < len) {
        /* copy the longest run that needs no escaping at once */
        for (run = i; run < len && s[run] >= 0x20 && s[run] < 0x80
                      && s[run] != '"' && s[run] != '\\'; run++)
        {
            /* scan */
        }
        if (run > i) {
            if (dfx_buf_append(b, s + i, run - i) != 0) {
                return -1;
            }
            i = run;
            continue;
        }

        if (s[i] >= 0x80) {
            n = dfx_http_utf8_len(s + i, len - i);
            if (n == 0) {
                if (dfx_buf_append_lit(b, "\\ufffd") != 0) {
                    return -1;
                }
                i++;
            } else {
                if (dfx_buf_append(b, s + i, n) != 0) {
                    return -1;
                }
                i += n;
            }
            continue;
        }

        esc[0] = '\\';
        switch (s[i]) {
        case '"':  esc[1] = '"';  n = 2; break;
        case '\\': esc[1] = '\\'; n = 2; break;
        case '\b': esc[1] = 'b';  n = 2; break;
        case '\f': esc[1] = 'f';  n = 2; break;
        case '\n': esc[1] = 'n';  n = 2; break;
        case '\r': esc[1] = 'r';  n = 2; break;
        case '\t': esc[1] = 't';  n = 2; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[s[i] >> 4];
            esc[5] = hex[s[i] & 0xf];
            n = 6;
            break;
        }
        if (dfx_buf_append(b, esc, n) != 0) {
            return -1;
        }
        i++;
    }
    return dfx_buf_putc(b, '"');
}

int
dfx_http_render_rerr(dfx_buf_t *out, const dfx_http_rerr_t *e)
{
    int  rc = 0;

    rc |= dfx_buf_append_lit(out, "{\"record\":");
    rc |= dfx_buf_u64(out, e->record);
    rc |= dfx_buf_append_lit(out, ",\"line\":");
    rc |= dfx_buf_u64(out, e->line);
    rc |= dfx_buf_append_lit(out, ",\"column\":");
    rc |= dfx_buf_u64(out, e->column);
    if (e->exporter >= 0) {
        rc |= dfx_buf_append_lit(out, ",\"exporter\":");
        rc |= dfx_buf_u64(out, (uint64_t) e->exporter);
    }
    rc |= dfx_buf_append_lit(out, ",\"field\":");
    rc |= dfx_http_json_text(out, e->field, strnlen(e->field,
                                                    sizeof(e->field)));
    rc |= dfx_buf_append_lit(out, ",\"error\":");
    rc |= dfx_http_json_text(out, e->msg, strnlen(e->msg, sizeof(e->msg)));
    rc |= dfx_buf_putc(out, '}');
    return rc ? -1 : 0;
}

int
dfx_http_render_result(dfx_buf_t *out, const dfx_http_result_t *r,
                       const dfx_http_exp_sum_t *ex, size_t nex,
                       size_t *insert_at)
{
    size_t  i;
    int     rc = 0;

    rc |= dfx_buf_append_lit(out, "{\"accepted\":");
    rc |= dfx_buf_u64(out, r->accepted);
    rc |= dfx_buf_append_lit(out, ",\"filtered\":");
    rc |= dfx_buf_u64(out, r->filtered);
    rc |= dfx_buf_append_lit(out, ",\"rejected\":");
    rc |= dfx_buf_u64(out, r->rejected);
    if (insert_at != NULL) {
        *insert_at = out->len;
    }

    rc |= dfx_buf_append_lit(out, ",\"errors\":[");
    for (i = 0; i < r->nerrs; i++) {
        if (i > 0) {
            rc |= dfx_buf_putc(out, ',');
        }
        rc |= dfx_http_render_rerr(out, &r->errs[i]);
    }
    rc |= dfx_buf_putc(out, ']');
    if (r->total > r->nerrs) {
        rc |= dfx_buf_append_lit(out, ",\"errors_truncated\":true");
    }

    if (nex > 0) {
        rc |= dfx_buf_append_lit(out, ",\"exporters\":[");
        for (i = 0; i < nex; i++) {
            if (i > 0) {
                rc |= dfx_buf_putc(out, ',');
            }
            rc |= dfx_buf_append_lit(out, "{\"exporter\":");
            rc |= dfx_buf_u64(out, ex[i].exporter);
            rc |= dfx_buf_append_lit(out, ",\"topic\":");
            rc |= dfx_http_json_text(out, ex[i].topic.data, ex[i].topic.len);
            rc |= dfx_buf_append_lit(out, ",\"queued\":");
            rc |= dfx_buf_u64(out, ex[i].queued);
            rc |= dfx_buf_append_lit(out, ",\"filtered\":");
            rc |= dfx_buf_u64(out, ex[i].filtered);
            rc |= dfx_buf_putc(out, '}');
        }
        rc |= dfx_buf_putc(out, ']');
    }
    rc |= dfx_buf_append_lit(out, "}\n");
    return rc ? -1 : 0;
}

int
dfx_http_render_error(dfx_buf_t *out, const char *msg, uint32_t line,
                      uint32_t column)
{
    int  rc = 0;

    rc |= dfx_buf_append_lit(out, "{\"error\":");
    rc |= dfx_http_json_text(out, msg, strlen(msg));
    if (line != 0) {
        rc |= dfx_buf_append_lit(out, ",\"line\":");
        rc |= dfx_buf_u64(out, line);
        rc |= dfx_buf_append_lit(out, ",\"column\":");
        rc |= dfx_buf_u64(out, column);
    }
    rc |= dfx_buf_append_lit(out, "}\n");
    return rc ? -1 : 0;
}

int
dfx_http_render_refused(dfx_buf_t *out, const char *msg, uint32_t n)
{
    int  rc = 0;

    rc |= dfx_buf_append_lit(out, "{\"error\":");
    rc |= dfx_http_json_text(out, msg, strlen(msg));
    rc |= dfx_buf_append_lit(out, ",\"refused\":");
    rc |= dfx_buf_u64(out, n);
    rc |= dfx_buf_append_lit(out, "}\n");
    return rc ? -1 : 0;
}
