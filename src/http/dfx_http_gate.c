/*
 * dfx_http_gate.c: follows the framing of the requests of an ingest
 * connection as their bytes arrive, to answer in dfexport's own JSON what
 * libevent 2.1 would answer with its own page, or not at all, and to
 * reserve request bodies in the memory budget (dfx_http_memory.c) before
 * they are read.
 *
 * libevent 2.1 offers no hook between the headers and the body of a
 * server request.  What it does itself: a bad chunk size, or a chunk past
 * limits.body, gets its HTML 413; a Content-Length past limits.body its
 * HTML 413 once the whole body has been read and thrown away (the
 * lingering close), and no answer at all to a client that waits for
 * "100 Continue"; an Expect other than 100-continue its HTML 417.  So the
 * connection's input-buffer callback (dfx_http_conn.c) hands every read
 * to dfx_http_gate_feed() before evhttp's read callback parses it: an
 * incremental state machine over the request line and header lines (the
 * few headers that frame a request are kept, bounded), then the body by
 * Content-Length or by chunks (chunk-size line, data, CRLF, last chunk,
 * trailers), so that it knows where each request ends.  Body bytes are
 * skipped by count, never copied: a read of body costs a subtraction.
 *
 * The gate frames a request the way evhttp 2.1 does (evhttp_get_body()):
 * methods that may have a body, the first Transfer-Encoding header when
 * it is "chunked", else the first Content-Length; the rest is left to
 * dfx_http_framing.c, which refuses the request when evhttp hands it over.
 * It only refuses what evhttp would not serve as dfexport means to (or at
 * all), and then evhttp must see nothing more of the connection: the
 * caller drains the input buffer and answers from a timer.  Headers past
 * 64 KiB are refused here (431), before evhttp's own, larger ceiling.
 *
 * After the end of a request the gate waits: evhttp reads nothing more
 * of a connection until the answer has been written, and then the bytes
 * left in the buffer are the next request's (dfx_http_gate_reset()).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/util.h>

#include "dfx_core.h"
#include "dfx_http_int.h"

enum {
    DFX_GATE_RLINE = 0,     /* the request line */
    DFX_GATE_HNAME,         /* a header line, up to its ':' */
    DFX_GATE_HVALUE,        /* ...a kept header's value */
    DFX_GATE_HSKIP,         /* ...the rest of a line not kept */
    DFX_GATE_BODY,          /* Content-Length bytes */
    DFX_GATE_CSIZE,         /* a chunk-size line: the digits */
    DFX_GATE_CEXT,          /* ...whitespace and extensions */
    DFX_GATE_CDATA,         /* a chunk's data */
    DFX_GATE_CEND,          /* the CRLF after a chunk's data */
    DFX_GATE_TRAILER,       /* trailer lines, up to the empty one */
    DFX_GATE_DONE,          /* the request ended: wait for the reset */
    DFX_GATE_REFUSED        /* code and msg say why */
};

/* the headers kept, first occurrence only (g->hdr, g->seen bits) */
#define DFX_GATE_H_OTHER   0
#define DFX_GATE_H_CL      1
#define DFX_GATE_H_TE      2
#define DFX_GATE_H_EXPECT  4

#define DFX_GATE_HEADERS_TOO_LARGE                                      \
    "the request line and headers are larger than 64 KiB"

/* the longest chunk-size line, extensions included */
#define DFX_GATE_CHUNK_LINE  4096

static void
dfx_http_gate_refuse(dfx_http_gate_t *g, int code, const char *msg)
{
    g->state = DFX_GATE_REFUSED;
    g->code = code;
    g->msg = msg;
}

/* The body is past the listener's limit. */
static void
dfx_http_gate_too_large(dfx_http_gate_t *g)
{
    dfx_http_gate_refuse(g, 413, g->admin
                         ? "the body is larger than limits.decoded-body"
                         : "the body is larger than limits.body");
}

void
dfx_http_gate_reset(dfx_http_gate_t *g)
{
    uint8_t  admin = g->admin;

    dfx_http_gate_release(g);
    memset(g, 0, sizeof(*g));
    g->admin = admin;
    g->state = DFX_GATE_RLINE;
}

void
dfx_http_gate_release(dfx_http_gate_t *g)
{
    dfx_http_mem_release(g->held);
    g->held = 0;
}

int
dfx_http_gate_waits(const dfx_http_gate_t *g)
{
    return g->state == DFX_GATE_DONE;
}

/* Reserves what the body announced so far (g->body bytes) costs, less
 * what is held already.  The first refusal comes before any of the body
 * was read (429); a later one cuts the request (503). */
static int
dfx_http_gate_reserve(dfx_http_gate_t *g, int first)
{
    uint64_t  cost = dfx_http_mem_cost(g->body);

    if (g->admin) {
        return 0;
    }
    cost = cost > g->held ? cost - g->held : 0;
    if (dfx_http_mem_reserve(cost) == 0) {
        g->held += cost;
        return 0;
    }
    g->retry = 1;
    if (first) {
        dfx_stats_add(DFX_STAT_http_memory_refused_total, -1, -1,
                      DFX_REASON_MEM_BODY, 1);
        dfx_http_gate_refuse(g, 429, "the memory budget for request bodies "
                             "(limits.memory) is full: nothing was read or "
                             "queued, retry later");
    } else {
        dfx_stats_add(DFX_STAT_http_memory_refused_total, -1, -1,
                      DFX_REASON_MEM_CHUNK, 1);
        dfx_http_gate_refuse(g, 503, "the memory budget for request bodies "
                             "(limits.memory) ran out while the chunked body "
                             "was read: nothing was queued, retry later");
    }
    return -1;
}

/* The request line is read: the method and version evhttp will see
 * (evhttp_parse_request_line(): the method ends at the first space, the
 * version starts after the last one). */
static void
dfx_http_gate_request_line(dfx_http_gate_t *g)
{
    static const char *const  body[] = {
        "POST", "PUT", "PATCH", "GET", "DELETE", "OPTIONS", "CONNECT"
    };
    size_t                    i;
    int                       major, minor;
    char                      ch;

    if (g->spaces < 2 || g->vover || g->vlen == 0) {
        dfx_http_gate_refuse(g, 400, "malformed request line");
        return;
    }
    g->ver[g->vlen] = '\0';
    /* as evhttp_parse_http_version() reads it */
    if (sscanf(g->ver, "HTTP/%d.%d%c", &major, &minor, &ch) != 2
        || major > 1)
    {
        dfx_http_gate_refuse(g, 400, "malformed request line: unsupported "
                             "HTTP version");
        return;
    }
    g->http11 = major == 1 && minor >= 1;
    g->tok[g->tlen] = '\0';
    /* evhttp_method_may_have_body(); methods are case-sensitive */
    for (i = 0; i < sizeof(body) / sizeof(body[0]) && !g->mover; i++) {
        if (strcmp(g->tok, body[i]) == 0) {
            g->has_body = 1;
            break;
        }
    }
    g->state = DFX_GATE_HNAME;
}

/* A kept header's value is read (leading spaces skipped as evhttp does;
 * trailing whitespace trimmed here, as evutil_rtrim_lws_() does). */
static void
dfx_http_gate_value(dfx_http_gate_t *g)
{
    size_t  n = g->tlen, i;
    int     ok = !g->tover;

    while (n > 0 && (g->tok[n - 1] == ' ' || g->tok[n - 1] == '\t'
                     || g->tok[n - 1] == '\r'))
    {
        n--;
    }
    g->tok[n] = '\0';
    switch (g->hdr) {
    case DFX_GATE_H_CL:
        /* 1*DIGIT (RFC 9110 section 8.6): anything else evhttp reads
         * with strtoll() or refuses with its own page */
        g->cl_bad = !ok || n == 0;
        g->cl = 0;
        for (i = 0; i < n && !g->cl_bad; i++) {
            if (g->tok[i] < '0' || g->tok[i] > '9') {
                g->cl_bad = 1;
            } else if (g->cl > (UINT64_MAX - 9) / 10) {
                g->cl = UINT64_MAX;         /* past any limit */
            } else {
                g->cl = g->cl * 10 + (uint64_t) (g->tok[i] - '0');
            }
        }
        break;
    case DFX_GATE_H_TE:
        g->chunked = ok && evutil_ascii_strcasecmp(g->tok, "chunked") == 0;
        break;
    case DFX_GATE_H_EXPECT:
        g->expect_other = !ok
            || evutil_ascii_strcasecmp(g->tok, "100-continue") != 0;
        break;
    }
}

/* The name of a header line ends at its ':'. */
static void
dfx_http_gate_name(dfx_http_gate_t *g)
{
    int  h = DFX_GATE_H_OTHER;

    g->tok[g->tlen] = '\0';
    /* evhttp_find_header(): the name as written, case aside */
    if (!g->tover) {
        if (evutil_ascii_strcasecmp(g->tok, "Content-Length") == 0) {
            h = DFX_GATE_H_CL;
        } else if (evutil_ascii_strcasecmp(g->tok, "Transfer-Encoding")
                   == 0)
        {
            h = DFX_GATE_H_TE;
        } else if (evutil_ascii_strcasecmp(g->tok, "Expect") == 0) {
            h = DFX_GATE_H_EXPECT;
        }
    }
    if (h != DFX_GATE_H_OTHER && !(g->seen & h)) {
        g->seen |= h;
        g->hdr = h;
        g->tlen = 0;
        g->tover = 0;
        g->lead = 1;
        g->state = DFX_GATE_HVALUE;
        return;
    }
    g->hdr = DFX_GATE_H_OTHER;
    g->state = DFX_GATE_HSKIP;
}

/* The empty line: how the body is framed, and whether it may come. */
static void
dfx_http_gate_headers_end(dfx_http_gate_t *g, uint64_t body_limit)
{
    if (!g->has_body) {
        g->state = DFX_GATE_DONE;
        return;
    }
    if (!g->chunked) {
        if (!(g->seen & DFX_GATE_H_CL)) {
            g->state = DFX_GATE_DONE;
            return;
        }
        if (g->cl_bad) {
            dfx_http_gate_refuse(g, 400, "invalid Content-Length: it must "
                                 "be one decimal number");
            return;
        }
        if (g->cl == 0) {
            g->state = DFX_GATE_DONE;
            return;
        }
    }
    /* evhttp_have_expect(): HTTP/1.1 requests with a body */
    if (g->http11 && (g->seen & DFX_GATE_H_EXPECT) && g->expect_other) {
        dfx_http_gate_refuse(g, 417, "unsupported expectation: only "
                             "\"Expect: 100-continue\" is accepted");
        return;
    }
    if (g->chunked) {
        g->state = DFX_GATE_CSIZE;
        return;
    }
    if (g->cl > body_limit) {
        dfx_http_gate_too_large(g);
        return;
    }
    g->body = g->cl;
    if (dfx_http_gate_reserve(g, 1) != 0) {
        return;
    }
    g->left = g->cl;
    g->state = DFX_GATE_BODY;
}

/* A chunk-size line is read. */
static void
dfx_http_gate_chunk(dfx_http_gate_t *g, uint64_t body_limit)
{
    int  first = g->body == 0;

    if (g->left == 0) {
        g->state = DFX_GATE_TRAILER;
        return;
    }
    if (g->left > body_limit || g->body > body_limit - g->left) {
        dfx_http_gate_too_large(g);
        return;
    }
    g->body += g->left;
    if (dfx_http_gate_reserve(g, first) != 0) {
        return;
    }
    g->state = DFX_GATE_CDATA;
}

/* Counts a byte of the request line, headers or trailers as evhttp does
 * (line lengths without their end); 1 past DFX_HTTP_MAX_HEADERS.  evhttp
 * itself takes DFX_HTTP_MAX_HEADERS_EV, a little more, so that the gate
 * answers first: 431 in JSON rather than libevent's own page. */
static int
dfx_http_gate_hbyte(dfx_http_gate_t *g)
{
    return ++g->hsize > DFX_HTTP_MAX_HEADERS;
}

/* Runs bytes [p, p + n) through the state machine; returns how many it
 * took (fewer when the request ends or is refused).  The bytes are the
 * input buffer's own: a chunk extension's ';' is turned into a space
 * there (see DFX_GATE_CSIZE). */
static size_t
dfx_http_gate_span(dfx_http_gate_t *g, unsigned char *p, size_t n,
                   uint64_t body_limit)
{
    size_t         i, k;
    unsigned char  ch;
    int            d;

    for (i = 0; i < n; i++) {
        ch = p[i];
        switch (g->state) {

        case DFX_GATE_BODY:
        case DFX_GATE_CDATA:
            k = n - i < g->left ? n - i : (size_t) g->left;
            g->left -= k;
            i += k - 1;
            if (g->left == 0) {
                g->state = g->state == DFX_GATE_BODY ? DFX_GATE_DONE
                                                     : DFX_GATE_CEND;
                if (g->state == DFX_GATE_DONE) {
                    return i + 1;
                }
            }
            break;

        case DFX_GATE_RLINE:
            if (ch == '\n') {
                if (g->cr && g->vlen > 0) {
                    g->vlen--;              /* the CR of CRLF */
                }
                if (g->cr) {
                    g->hsize--;
                }
                g->cr = 0;
                dfx_http_gate_request_line(g);
                break;
            }
            if (dfx_http_gate_hbyte(g)) {
                dfx_http_gate_refuse(g, 431, DFX_GATE_HEADERS_TOO_LARGE);
                return i;
            }
            g->cr = ch == '\r';
            if (ch == ' ') {
                g->spaces++;
                g->vlen = 0;
                g->vover = 0;
            } else if (g->spaces == 0) {
                if (g->tlen < sizeof(g->tok) - 1) {
                    g->tok[g->tlen++] = (char) ch;
                } else {
                    g->mover = 1;           /* no method of ours */
                }
            } else if (g->vlen < sizeof(g->ver) - 1) {
                g->ver[g->vlen++] = (char) ch;
            } else {
                g->vover = 1;
            }
            break;

        case DFX_GATE_HNAME:
            if (ch == '\n') {
                if (g->llen - g->cr == 0) {
                    if (g->cr) {
                        g->hsize--;
                    }
                    g->cr = 0;
                    dfx_http_gate_headers_end(g, body_limit);
                    if (g->state >= DFX_GATE_DONE) {
                        return i + 1;
                    }
                    break;
                }
                dfx_http_gate_refuse(g, 400, "malformed header line: no "
                                     "':'");
                return i;
            }
            if (dfx_http_gate_hbyte(g)) {
                dfx_http_gate_refuse(g, 431, DFX_GATE_HEADERS_TOO_LARGE);
                return i;
            }
            if (g->llen++ == 0) {
                g->tlen = 0;
                g->tover = 0;
                if (ch == ' ' || ch == '\t') {
                    /* obs-fold (RFC 9112 section 5.2): evhttp appends
                     * the line to the header before it */
                    if (g->folds) {
                        dfx_http_gate_refuse(g, 400, "obsolete line folding "
                                             "in a framing header");
                        return i;
                    }
                    g->state = DFX_GATE_HSKIP;
                    break;
                }
            }
            g->folds = 0;
            g->cr = ch == '\r';
            if (ch == ':') {
                dfx_http_gate_name(g);
            } else if (g->tlen < sizeof(g->tok) - 1) {
                g->tok[g->tlen++] = (char) ch;
            } else {
                g->tover = 1;
            }
            break;

        case DFX_GATE_HVALUE:
            if (ch == '\n') {
                if (g->cr) {
                    g->hsize--;
                }
                dfx_http_gate_value(g);
                g->folds = 1;
                g->cr = 0;
                g->llen = 0;
                g->state = DFX_GATE_HNAME;
                break;
            }
            if (dfx_http_gate_hbyte(g)) {
                dfx_http_gate_refuse(g, 431, DFX_GATE_HEADERS_TOO_LARGE);
                return i;
            }
            g->cr = ch == '\r';
            if (g->lead && ch == ' ') {
                break;
            }
            g->lead = 0;
            if (g->tlen < sizeof(g->tok) - 1) {
                g->tok[g->tlen++] = (char) ch;
            } else {
                g->tover = 1;
            }
            break;

        case DFX_GATE_HSKIP:
            if (ch == '\n') {
                if (g->cr) {
                    g->hsize--;
                }
                g->cr = 0;
                g->llen = 0;
                g->state = DFX_GATE_HNAME;
                break;
            }
            if (dfx_http_gate_hbyte(g)) {
                dfx_http_gate_refuse(g, 431, DFX_GATE_HEADERS_TOO_LARGE);
                return i;
            }
            g->cr = ch == '\r';
            break;

        case DFX_GATE_CSIZE:
            if (ch == '\n') {
                if (g->digits == 0) {
                    if (g->llen - g->cr != 0) {
                        goto bad_size;
                    }
                    /* an empty line: evhttp skips it */
                    g->llen = 0;
                    g->cr = 0;
                    break;
                }
                goto size_done;
            }
            if (g->cr || ++g->llen > DFX_GATE_CHUNK_LINE) {
                /* a CR in the line, not at its end */
                goto bad_size;
            }
            if (ch == '\r') {
                g->cr = 1;
                break;
            }
            d = ch >= '0' && ch <= '9' ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
            if (d >= 0) {
                /* evhttp keeps chunk sizes in an int64 */
                if (g->left > ((uint64_t) INT64_MAX - (uint64_t) d) / 16) {
                    dfx_http_gate_refuse(g, 400, "invalid chunk size: too "
                                         "large a number");
                    return i;
                }
                g->left = g->left * 16 + (uint64_t) d;
                g->digits++;
                break;
            }
            if (g->digits == 0
                || (ch != ';' && ch != ' ' && ch != '\t'))
            {
                goto bad_size;
            }
            /* RFC 9112 section 7.1.1: extensions are ignored.  evhttp
             * 2.1 reads the size with strtoll() and takes the line only
             * when the number ends it or a space follows: a ';' or a
             * tab there becomes a space, which it skips */
            g->ext = ch == ';';
            p[i] = ' ';
            g->state = DFX_GATE_CEXT;
            break;

        case DFX_GATE_CEXT:
            if (ch == '\n') {
                if (!g->ext) {
                    /* whitespace after the size, and no extension */
                    goto bad_size;
                }
                goto size_done;
            }
            if (g->cr || ++g->llen > DFX_GATE_CHUNK_LINE) {
                goto bad_size;
            }
            if (ch == '\r') {
                g->cr = 1;
            } else if (ch == ';') {
                g->ext = 1;
            } else if (!g->ext && ch != ' ' && ch != '\t') {
                goto bad_size;
            } else if (ch < 0x20 && ch != '\t') {
                goto bad_size;
            }
            break;

        case DFX_GATE_CEND:
            if (ch == '\r' && !g->cr) {
                g->cr = 1;
                break;
            }
            if (ch != '\n') {
                dfx_http_gate_refuse(g, 400, "chunk data not followed by "
                                     "CRLF: the chunk size does not match "
                                     "its data");
                return i;
            }
            g->cr = 0;
            g->llen = 0;
            g->digits = 0;
            g->left = 0;
            g->state = DFX_GATE_CSIZE;
            break;

        case DFX_GATE_TRAILER:
            if (ch == '\n') {
                if (g->cr) {
                    g->hsize--;
                }
                if (g->llen - g->cr == 0) {
                    g->state = DFX_GATE_DONE;
                    return i + 1;
                }
                if (!g->colon && !g->folded) {
                    dfx_http_gate_refuse(g, 400, "malformed trailer line: "
                                         "no ':'");
                    return i;
                }
                g->cr = 0;
                g->llen = 0;
                g->colon = 0;
                g->folded = 0;
                break;
            }
            if (dfx_http_gate_hbyte(g)) {
                dfx_http_gate_refuse(g, 400, "the request line, headers "
                                     "and trailers are larger than 64 KiB");
                return i;
            }
            if (g->llen++ == 0 && (ch == ' ' || ch == '\t')) {
                g->folded = 1;
            }
            g->cr = ch == '\r';
            g->colon |= ch == ':';
            break;

        default:
            return i;
        }
        continue;

    size_done:
        g->cr = 0;
        g->llen = 0;
        g->digits = 0;
        g->ext = 0;
        dfx_http_gate_chunk(g, body_limit);
        if (g->state >= DFX_GATE_DONE) {
            return i + 1;
        }
        continue;

    bad_size:
        dfx_http_gate_refuse(g, 400, "invalid chunk size: a chunk starts "
                             "with its size in hexadecimal digits, then "
                             "CRLF");
        return i;
    }
    return n;
}

int
dfx_http_gate_feed(dfx_http_gate_t *g, struct evbuffer *in, size_t n,
                   uint64_t body_limit)
{
    struct evbuffer_ptr    pos;
    struct evbuffer_iovec  v[8];
    size_t                 len = evbuffer_get_length(in), from, k;
    int                    got, i;

    if (g->state >= DFX_GATE_DONE) {
        return g->state == DFX_GATE_REFUSED ? -1 : 0;
    }
    /* the common case: a read that is all body */
    if (g->state == DFX_GATE_BODY && n < g->left) {
        g->left -= n;
        return 0;
    }
    from = len >= n ? len - n : 0;
    while (from < len && g->state < DFX_GATE_DONE) {
        if (evbuffer_ptr_set(in, &pos, from, EVBUFFER_PTR_SET) != 0) {
            break;
        }
        got = evbuffer_peek(in, (ev_ssize_t) (len - from), &pos, v, 8);
        if (got <= 0) {
            break;
        }
        for (i = 0; i < got && i < 8 && g->state < DFX_GATE_DONE; i++) {
            k = dfx_http_gate_span(g, v[i].iov_base, v[i].iov_len,
                                   body_limit);
            from += k;
            if (k < v[i].iov_len) {
                break;
            }
        }
    }
    return g->state == DFX_GATE_REFUSED ? -1 : 0;
}
