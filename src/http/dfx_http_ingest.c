/*
 * dfx_http_ingest.c: POST /v1/ingest/<data-source>, the daemon's hot path.
 *
 *   route -> body (gzip, framing) -> per record: parse, then every
 *   exporter's chain; messages are kept in per-worker buffers ->
 *   in-flight budget for the whole request, all or nothing -> Kafka ->
 *   the answer, now ("queued") or once Kafka acknowledged every message
 *   ("kafka").
 *
 * Everything a request needs is owned by its worker and reused, so the
 * per-record path allocates nothing once the buffers have grown; counters
 * are added once per request.  A "kafka"-ack request outlives the handler
 * in a dfx_http_req_t (dfx_http_ack.c).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <librdkafka/rdkafka.h>

#include "dfx_core.h"
#include "dfx_http.h"
#include "dfx_http_int.h"
#include "dfx_log.h"
#include "universal_tag/dfx_dict.h"

#define DFX_HTTP_MSGS_MIN  256

/* The zone of DeepFlow's DateTime columns unless its ingester.ckdb
 * time-zone says otherwise: ?format=clickhouse without ?tz. */
#define DFX_HTTP_CH_TZ     "Asia/Shanghai"

/* ---- small pieces ---------------------------------------------------- */

static void
dfx_http_stat(dfx_stat_id_t id, int ex, int ds, int reason, int64_t n)
{
    if (n != 0) {
        dfx_stats_add(id, ex, ds, reason, n);
    }
}

static void
dfx_http_fail(dfx_http_ctx_t *ctx, int code, uint32_t line, uint32_t column,
              const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Answers a request-level failure: {"error":...}. */
static void
dfx_http_fail(dfx_http_ctx_t *ctx, int code, uint32_t line, uint32_t column,
              const char *fmt, ...)
{
    dfx_buf_t  *out = &ctx->w->out;
    va_list     ap;
    char        msg[384];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    if (ctx->evreq == NULL) {
        /* offline dry run: the caller prints the answer */
        ctx->offline_code = code;
        dfx_buf_reset(out);
        (void) dfx_http_render_error(out, msg, line, column);
        return;
    }
    if (code == 429 || code == 503) {
        evhttp_add_header(evhttp_request_get_output_headers(ctx->evreq),
                          "Retry-After", "1");
    }
    dfx_buf_reset(out);
    if (dfx_http_render_error(out, msg, line, column) != 0) {
        dfx_http_send(ctx->evreq, 500, "text/plain", "out of memory\n", 14);
        return;
    }
    dfx_http_send(ctx->evreq, code, "application/json", out->data, out->len);
}

/* A data-source name, quoted for a message: printable ASCII, cut. */
static void
dfx_http_quote_ds(char *out, size_t size, dfx_str_t ds)
{
    size_t  i, o = 0;

    for (i = 0; i < ds.len && i < 64 && o + 1 < size; i++) {
        out[o++] = (ds.data[i] > 0x20 && ds.data[i] < 0x7f) ? ds.data[i] : '?';
    }
    if (i < ds.len && o + 3 < size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static void
dfx_http_trim_buf(dfx_buf_t *b)
{
    if (b->cap > DFX_HTTP_KEEP_BYTES) {
        dfx_buf_free(b);
    }
}

void
dfx_http_worker_trim(dfx_http_worker_t *w)
{
    size_t  i;

    dfx_http_trim_buf(&w->body);
    dfx_http_trim_buf(&w->out);
    dfx_http_trim_buf(&w->dry);
    for (i = 0; i < DFX_STATS_MAX_EXPORTERS; i++) {
        dfx_http_route_st_t  *st = &w->routes[i];

        dfx_http_trim_buf(&st->values);
        dfx_http_trim_buf(&st->keys);
        if (st->cap * sizeof(dfx_http_msg_t) > DFX_HTTP_KEEP_BYTES) {
            free(st->msgs);
            st->msgs = NULL;
            st->cap = 0;
        }
    }
}

void
dfx_http_worker_free_buffers(dfx_http_worker_t *w)
{
    size_t  i;

    dfx_buf_free(&w->body);
    dfx_buf_free(&w->out);
    dfx_buf_free(&w->dry);
    for (i = 0; i < DFX_STATS_MAX_EXPORTERS; i++) {
        dfx_buf_free(&w->routes[i].values);
        dfx_buf_free(&w->routes[i].keys);
        free(w->routes[i].msgs);
        free(w->routes[i].counts);
        w->routes[i].msgs = NULL;
        w->routes[i].counts = NULL;
        w->routes[i].cap = 0;
    }
}

/* ---- records --------------------------------------------------------- */

/* JSON bodies: the line and column of a 1-based body offset.  Errors come
 * in body order, so the scan goes on from the previous one. */
static void
dfx_http_json_pos(dfx_http_ctx_t *ctx, uint32_t column, uint32_t *line,
                  uint32_t *col)
{
    const char  *nl;
    size_t       off = column > 0 ? column - 1 : 0;

    if (off > ctx->body_len) {
        off = ctx->body_len;
    }
    if (off < ctx->pos_off || ctx->pos_line == 0) {
        ctx->pos_off = 0;
        ctx->pos_bol = 0;
        ctx->pos_line = 1;
    }
    while (ctx->pos_off < off) {
        nl = memchr(ctx->body + ctx->pos_off, '\n', off - ctx->pos_off);
        if (nl == NULL) {
            break;
        }
        ctx->pos_line++;
        ctx->pos_off = (size_t) (nl - ctx->body) + 1;
        ctx->pos_bol = ctx->pos_off;
    }
    ctx->pos_off = off;
    *line = ctx->pos_line;
    *col = (uint32_t) (off - ctx->pos_bol + 1);
}

static void
dfx_http_copy_text(char *dst, size_t size, const char *src, size_t max)
{
    size_t  n = strnlen(src, max);

    if (n >= size) {
        n = size - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Lists a rejected record (or one an exporter could not process). */
static int
dfx_http_record_bad(dfx_http_ctx_t *ctx, const dfx_record_t *rec,
                    const dfx_record_err_t *err, int exporter)
{
    dfx_http_worker_t  *w = ctx->w;
    dfx_http_rerr_t     e, *le;

    memset(&e, 0, sizeof(e));
    e.record = rec->index;
    e.exporter = exporter;
    if (rec->line != 0) {
        e.line = rec->line;
        e.column = err->column;
    } else if (err->column != 0) {
        dfx_http_json_pos(ctx, err->column, &e.line, &e.column);
    }
    dfx_http_copy_text(e.field, sizeof(e.field), err->field,
                       sizeof(err->field));
    dfx_http_copy_text(e.msg, sizeof(e.msg), err->msg, sizeof(err->msg));

    w->result.rejected++;
    if (ctx->dry_run) {
        return dfx_http_dryrun_rejected(ctx, &e);
    }
    le = dfx_http_result_add(&w->result);
    if (le != NULL) {
        *le = e;
    }
    return 0;
}

static int
dfx_http_msg_push(dfx_http_route_st_t *st, const dfx_record_t *rec,
                  size_t off)
{
    dfx_http_msg_t  *m;
    size_t           ncap;

    if (st->nmsgs == st->cap) {
        ncap = st->cap ? st->cap * 2 : DFX_HTTP_MSGS_MIN;
        m = realloc(st->msgs, ncap * sizeof(*m));
        if (m == NULL) {
            return -1;
        }
        st->msgs = m;
        st->cap = ncap;
    }
    m = &st->msgs[st->nmsgs];
    m->off = off;
    m->len = st->values.len - off;
    m->record = rec->index;
    m->ts_ms = rec->ts_us / 1000;
    m->line = rec->line;
    m->column = rec->column;
    m->koff = st->keys.len;
    m->klen = DFX_HTTP_NO_KEY;
    if (!st->rc.key_null) {
        if (st->rc.key.len >= DFX_HTTP_NO_KEY
            || dfx_buf_append_str(&st->keys, st->rc.key) != 0)
        {
            return -1;
        }
        m->klen = (uint32_t) st->rc.key.len;
    }
    st->nmsgs++;
    return 0;
}

/* Takes back the messages record rec left in routes [0, n). */
static void
dfx_http_record_rollback(dfx_http_ctx_t *ctx, const dfx_record_t *rec,
                         size_t n)
{
    dfx_http_route_st_t  *st;
    dfx_http_msg_t       *m;
    size_t                i;

    for (i = 0; i < n; i++) {
        st = &ctx->w->routes[i];
        if (st->nmsgs == 0) {
            continue;
        }
        m = &st->msgs[st->nmsgs - 1];
        if (m->record == rec->index) {
            st->values.len = m->off;
            st->keys.len = m->koff;
            st->nmsgs--;
        }
    }
}

/* The record's position for an error about the whole record. */
static void
dfx_http_record_pos(dfx_http_ctx_t *ctx, uint32_t line, uint32_t column,
                    uint32_t *l, uint32_t *c)
{
    if (line != 0) {
        *l = line;
        *c = column;
    } else if (column != 0) {
        dfx_http_json_pos(ctx, column, l, c);
    } else {
        *l = 0;
        *c = 0;
    }
}

/*
 * A message larger than the producer's message.max.bytes: librdkafka
 * would refuse it (MSG_SIZE_TOO_LARGE) and no retry can change that, so
 * the record is rejected here, before anything is queued, with its line
 * and column, in dry runs too.  Returns as dfx_http_record_bad().
 */
static int
dfx_http_record_too_big(dfx_http_ctx_t *ctx, const dfx_record_t *rec,
                        size_t i, size_t dry_mark, size_t mlen)
{
    dfx_http_route_st_t  *st = &ctx->w->routes[i];
    dfx_record_err_t      err;

    dfx_http_record_rollback(ctx, rec, i);
    ctx->w->dry.len = dry_mark;
    memset(&err, 0, sizeof(err));
    err.column = rec->column;
    snprintf(err.msg, sizeof(err.msg), "the message for exporter %u would "
             "be %zu bytes, more than its message.max.bytes (%ld) allows: "
             "Kafka would never take it", st->route->exporter->index, mlen,
             st->max_bytes);
    return dfx_http_record_bad(ctx, rec, &err,
                               (int) st->route->exporter->index);
}

/* Runs every exporter's chain on a valid record.  Returns 0, or -1 when
 * memory ran out (the request fails). */
static int
dfx_http_record_ok(dfx_http_ctx_t *ctx, const dfx_record_t *rec)
{
    dfx_http_worker_t    *w = ctx->w;
    dfx_http_route_st_t  *st;
    dfx_rec_ctx_t        *rc;
    dfx_record_err_t      err;
    dfx_str_t             value;
    uint64_t              dropped = 0;
    size_t                i, off, dry_mark = w->dry.len, produced = 0, mlen;
    int                   ret;

    ctx->unknown += rec->unknown;

    for (i = 0; i < ctx->nroutes; i++) {
        st = &w->routes[i];
        rc = &st->rc;
        off = st->values.len;
        rc->rec = rec;
        rc->key.data = NULL;
        rc->key.len = 0;
        rc->key_null = 1;
        rc->drop_group = -1;
        rc->drop_why = NULL;

        ret = dfx_chain_run(st->route->chain, rc);
        if (ret == DFX_OK) {
            mlen = st->values.len - off + (rc->key_null ? 0 : rc->key.len);
            if (mlen > st->max_msg) {
                st->values.len = off;
                return dfx_http_record_too_big(ctx, rec, i, dry_mark, mlen);
            }
            if (ctx->dry_run) {
                value = dfx_str_make(st->values.data + off,
                                     st->values.len - off);
                ret = dfx_http_dryrun_message(ctx, rec, st, value);
                st->values.len = off;
            } else {
                ret = dfx_http_msg_push(st, rec, off);
            }
            if (ret != 0) {
                return -1;
            }
            produced++;
            continue;
        }

        st->values.len = off;
        if (ret == DFX_DROP) {
            dropped |= (uint64_t) 1 << i;
            if (ctx->dry_run && dfx_http_dryrun_filtered(ctx, rec, st) != 0) {
                return -1;
            }
            continue;
        }

        /* a stage failed (out of memory in encode, most likely): the
         * record is rejected for every exporter, not half exported */
        dfx_http_record_rollback(ctx, rec, i);
        w->dry.len = dry_mark;
        memset(&err, 0, sizeof(err));
        snprintf(err.msg, sizeof(err.msg), "exporter %u could not process "
                 "the record", st->route->exporter->index);
        return dfx_http_record_bad(ctx, rec, &err,
                                   (int) st->route->exporter->index);
    }

    for (i = 0; i < ctx->nroutes; i++) {
        if (dropped & ((uint64_t) 1 << i)) {
            w->routes[i].filtered++;
        }
    }
    if (produced > 0) {
        w->result.accepted++;
    } else {
        w->result.filtered++;
    }
    return 0;
}

static int
dfx_http_record(dfx_http_ctx_t *ctx, dfx_record_t *rec,
                const dfx_record_err_t *err)
{
    ctx->nrecords++;
    if (err != NULL) {
        return dfx_http_record_bad(ctx, rec, err, -1);
    }
    return dfx_http_record_ok(ctx, rec);
}

/* dfx_record_parse_json() callback. */
static int
dfx_http_json_record(void *arg, dfx_record_t *rec,
                     const dfx_record_err_t *err)
{
    dfx_http_ctx_t  *ctx = arg;

    rec->line = 0;
    if (dfx_http_record(ctx, rec, err) != 0) {
        ctx->failed = 1;
        return -1;
    }
    return 0;
}

/* ---- body ------------------------------------------------------------ */

/* Memory the handler holds for the request, counted in limits.memory
 * until the request is done (the budget refuses new bodies meanwhile). */
static void
dfx_http_charge(dfx_http_ctx_t *ctx, uint64_t n)
{
    uint64_t  k = n < ctx->prepaid ? n : ctx->prepaid;

    ctx->prepaid -= k;
    if (ctx->evreq != NULL && n > k) {
        dfx_http_mem_charge(n - k);
        ctx->mem += n - k;
    }
}

/* What the records became: each exporter's messages and keys. */
static void
dfx_http_charge_records(dfx_http_ctx_t *ctx)
{
    const dfx_http_route_st_t  *st;
    uint64_t                    n = 0;
    size_t                      i;

    for (i = 0; i < ctx->nroutes; i++) {
        st = &ctx->w->routes[i];
        n += st->values.len + st->keys.len + st->nmsgs * sizeof(*st->msgs);
    }
    dfx_http_charge(ctx, n);
}

/* The decoded body, contiguous.  Returns 0, or -1 after answering. */
static int
dfx_http_body(dfx_http_ctx_t *ctx, int gzip, const char **body, size_t *len)
{
    dfx_http_worker_t        *w = ctx->w;
    struct evbuffer          *in = evhttp_request_get_input_buffer(ctx->evreq);
    const dfx_conf_limits_t  *lim = &ctx->cycle->conf->main.limits;
    struct iovec             *iov;
    size_t                    raw = evbuffer_get_length(in);
    uint64_t                  limit, room, held;
    unsigned char            *p;
    char                      err[256];
    int                       n, rc;

    dfx_http_stat(DFX_STAT_http_body_bytes_total, -1, -1, -1, (int64_t) raw);
    /* reserved with the body, for its handling */
    held = dfx_http_conn_held(w, evhttp_request_get_connection(ctx->evreq));
    ctx->prepaid = held > raw ? held - raw : 0;

    n = evbuffer_peek(in, -1, NULL, NULL, 0);
    if (n > w->niov) {
        iov = realloc(w->iov, (size_t) n * sizeof(*iov));
        if (iov == NULL) {
            dfx_http_fail(ctx, 500, 0, 0, "out of memory");
            return -1;
        }
        w->iov = iov;
        w->niov = n;
    }
    n = n > 0 ? evbuffer_peek(in, -1, NULL, w->iov, n) : 0;

    if (gzip) {
        /* decoded only as far as limits.memory has room for */
        limit = lim->decoded_body.v;
        room = dfx_http_mem_room() + ctx->prepaid;
        rc = dfx_http_gunzip(&w->gz, w->iov, n, room < limit ? room : limit,
                             &w->body, err, sizeof(err));
        if (rc == DFX_HTTP_LIMIT && room < limit) {
            dfx_stats_add(DFX_STAT_http_memory_refused_total, -1, -1,
                          DFX_REASON_MEM_DECODED, 1);
            dfx_http_fail(ctx, 503, 0, 0, "the memory budget for request "
                          "bodies (limits.memory) ran out while the body "
                          "was decoded: nothing was queued, retry later");
            return -1;
        }
        dfx_http_charge(ctx, w->body.len);
        if (rc == DFX_HTTP_LIMIT) {
            dfx_http_fail(ctx, 413, 0, 0, "the decoded body is larger than "
                          "limits.decoded-body (%" PRIu64 " bytes)",
                          lim->decoded_body.v);
            return -1;
        }
        if (rc != 0) {
            dfx_http_fail(ctx, 400, 0, 0, "%s", err);
            return -1;
        }
        *body = w->body.data;
        *len = w->body.len;
        return 0;
    }

    if (n == 1) {
        /* one chunk: parse it in place */
        *body = w->iov[0].iov_base;
        *len = w->iov[0].iov_len;
        return 0;
    }
    if (raw > DFX_HTTP_KEEP_BYTES) {
        /* a big body is made contiguous where it is, its pieces freed
         * once copied, rather than copied beside them for the whole
         * handling: one body in memory, not two */
        p = evbuffer_pullup(in, -1);
        if (p == NULL) {
            dfx_http_fail(ctx, 500, 0, 0, "out of memory");
            return -1;
        }
        *body = (const char *) p;
        *len = raw;
        return 0;
    }
    dfx_buf_reset(&w->body);
    if (dfx_buf_reserve(&w->body, raw) != 0) {
        dfx_http_fail(ctx, 500, 0, 0, "out of memory");
        return -1;
    }
    dfx_http_charge(ctx, raw);
    w->body.len = raw > 0 ? (size_t) evbuffer_copyout(in, w->body.data, raw)
                          : 0;
    *body = w->body.data != NULL ? w->body.data : "";
    *len = w->body.len;
    return 0;
}

static int
dfx_http_parser(dfx_http_worker_t *w, const dfx_conf_limits_t *lim)
{
    dfx_parse_limits_t  pl;

    pl.depth = (uint32_t) lim->depth.v;
    pl.records = (uint32_t) lim->records.v;
    pl.elements = (uint32_t) lim->array_elements.v;
    if (w->parser != NULL && w->plim.depth == pl.depth
        && w->plim.records == pl.records && w->plim.elements == pl.elements)
    {
        return 0;
    }
    dfx_record_parser_destroy(w->parser);
    w->parser = dfx_record_parser_create(&pl);
    w->plim = pl;
    /* a new parser reads strictly */
    w->dialect = DFX_DIALECT_STRICT;
    w->tz[0] = '\0';
    return w->parser != NULL ? 0 : -1;
}

/* Puts the worker's parser in the request's dialect; nothing to do when
 * it is in it already, as it is for nearly every request.  Returns 0, or
 * -1 after answering (400: an unknown ?tz; 500: the default zone cannot
 * be read). */
static int
dfx_http_dialect(dfx_http_ctx_t *ctx, const dfx_http_query_t *q)
{
    dfx_http_worker_t  *w = ctx->w;
    dfx_dialect_t       d = DFX_DIALECT_STRICT;
    const char         *tz = "";
    char                err[256];

    if (q->format == DFX_HTTP_FORMAT_CLICKHOUSE) {
        d = DFX_DIALECT_CLICKHOUSE;
        tz = q->tz[0] != '\0' ? q->tz : DFX_HTTP_CH_TZ;
    }
    if (w->dialect == d && strcmp(w->tz, tz) == 0) {
        return 0;
    }
    if (dfx_record_parser_set_dialect(w->parser, d,
                                      d == DFX_DIALECT_STRICT ? NULL : tz,
                                      err, sizeof(err)) != 0)
    {
        if (q->tz[0] != '\0') {
            dfx_http_fail(ctx, 400, 0, 0, "query parameter \"tz\": %s", err);
        } else {
            /* not the client's doing: tzdata is missing or broken */
            dfx_http_fail(ctx, 500, 0, 0, "format=clickhouse: %s", err);
        }
        return -1;
    }
    w->dialect = d;
    snprintf(w->tz, sizeof(w->tz), "%s", tz);
    return 0;
}

/* Whether a body holds nothing but JSON whitespace. */
static int
dfx_http_blank(const char *body, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r'
            && body[i] != '\n')
        {
            return 0;
        }
    }
    return 1;
}

/* Frames and parses the body, running the chains on every record.
 * Returns 0, or -1 after answering (400, 413, 500). */
static int
dfx_http_records(dfx_http_ctx_t *ctx, dfx_http_ct_t ct, const char *body,
                 size_t len)
{
    dfx_http_worker_t        *w = ctx->w;
    const dfx_conf_limits_t  *lim = &ctx->cycle->conf->main.limits;
    dfx_http_lines_t          it;
    dfx_record_err_t          err;
    dfx_record_t              rec;
    dfx_str_t                 line;
    uint32_t                  max = (uint32_t) lim->records.v;
    uint32_t                  ln, col;
    int                       rc;

    ctx->body = body;
    ctx->body_len = len;
    dfx_pool_reset(w->pool);
    if (ctx->clickhouse && dfx_http_blank(body, len)) {
        /* ClickHouse posts an empty body when a view's WHERE kept no
         * row: zero records, a success */
        return 0;
    }

    if (ct == DFX_HTTP_CT_JSON) {
        rc = dfx_record_parse_json(w->parser, ctx->schema, body, len,
                                   w->pool, dfx_http_json_record, ctx, &err);
        if (ctx->failed) {
            dfx_http_fail(ctx, 500, 0, 0, "out of memory");
            return -1;
        }
        if (rc == DFX_OK) {
            return 0;
        }
        ln = 0;
        col = 0;
        if (err.column != 0) {
            ctx->pos_line = 0;
            dfx_http_json_pos(ctx, err.column, &ln, &col);
        }
        if (rc == DFX_LIMIT) {
            dfx_http_fail(ctx, 413, ln, col, "%s", err.msg);
        } else {
            dfx_http_fail(ctx, 400, ln, col, "invalid JSON body: %s",
                          err.msg);
        }
        return -1;
    }

    dfx_http_lines_init(&it, body, len, lim->line.v);
    for (;;) {
        rc = dfx_http_lines_next(&it, &line);
        if (rc == 0) {
            return 0;
        }
        if (rc == DFX_HTTP_LIMIT) {
            dfx_http_fail(ctx, 413, it.lineno, 0, "line %u is longer than "
                          "limits.line (%" PRIu64 " bytes)", it.lineno,
                          lim->line.v);
            return -1;
        }
        if (ctx->nrecords >= max) {
            dfx_http_fail(ctx, 413, it.lineno, 0, "more than %u records in "
                          "one request (limits.records)", max);
            return -1;
        }

        /* a line's record is done with before the next one is parsed */
        dfx_pool_reset(w->pool);
        rc = dfx_record_parse_line(w->parser, ctx->schema, line.data,
                                   line.len, w->pool, &rec, &err);
        rec.index = ctx->nrecords;
        rec.line = it.lineno;
        if (rc == DFX_LIMIT) {
            dfx_http_fail(ctx, 413, it.lineno, err.column, "line %u: %s",
                          it.lineno, err.msg);
            return -1;
        }
        if (dfx_http_record(ctx, &rec, rc == DFX_OK ? NULL : &err) != 0) {
            dfx_http_fail(ctx, 500, 0, 0, "out of memory");
            return -1;
        }
    }
}

/* ---- counters -------------------------------------------------------- */

static void
dfx_http_count_records(dfx_http_ctx_t *ctx)
{
    const dfx_http_result_t  *r = &ctx->w->result;
    dfx_http_route_st_t      *st;
    size_t                    i;
    int                       ds = ctx->ds;

    dfx_http_stat(DFX_STAT_records_received_total, -1, ds, -1,
                  ctx->nrecords);
    dfx_http_stat(DFX_STAT_records_accepted_total, -1, ds, -1, r->accepted);
    dfx_http_stat(DFX_STAT_records_filtered_total, -1, ds, -1, r->filtered);
    dfx_http_stat(DFX_STAT_records_rejected_total, -1, ds, -1, r->rejected);
    dfx_http_stat(DFX_STAT_unknown_fields_total, -1, ds, -1,
                  (int64_t) ctx->unknown);
    for (i = 0; i < ctx->nroutes; i++) {
        st = &ctx->w->routes[i];
        dfx_http_stat(DFX_STAT_exporter_records_filtered_total,
                      (int) st->route->exporter->index, ds, -1, st->filtered);
        dfx_chain_flush_stats(st->route->chain, &st->rc);
    }
}

static void
dfx_http_count_refused(dfx_http_ctx_t *ctx, dfx_reason_t reason)
{
    dfx_http_stat(DFX_STAT_records_received_total, -1, ctx->ds, -1,
                  ctx->nrecords);
    dfx_http_stat(DFX_STAT_records_refused_total, -1, ctx->ds, (int) reason,
                  ctx->nrecords);
    dfx_http_stat(DFX_STAT_unknown_fields_total, -1, ctx->ds, -1,
                  (int64_t) ctx->unknown);
}

/* ---- answers --------------------------------------------------------- */

/* Renders the result into w->out; *insert_at as dfx_http_render_result. */
static int
dfx_http_render(dfx_http_ctx_t *ctx, size_t *insert_at)
{
    dfx_http_worker_t    *w = ctx->w;
    dfx_http_exp_sum_t    sums[DFX_STATS_MAX_EXPORTERS];
    dfx_http_route_st_t  *st;
    size_t                i, nex = 0;

    /* the breakdown only says something when several exporters share the
     * data source */
    if (ctx->nroutes > 1) {
        for (i = 0; i < ctx->nroutes; i++) {
            st = &w->routes[i];
            sums[i].exporter = st->route->exporter->index;
            sums[i].topic = st->route->chain->topic;
            sums[i].queued = (uint32_t) st->nmsgs - st->send_failed;
            sums[i].filtered = st->filtered;
        }
        nex = ctx->nroutes;
    }
    dfx_buf_reset(&w->out);
    return dfx_http_render_result(&w->out, &w->result, sums, nex, insert_at);
}

static void
dfx_http_answer(dfx_http_ctx_t *ctx, int code, uint32_t send_failed)
{
    dfx_http_worker_t  *w = ctx->w;
    dfx_buf_t           tail = DFX_BUF_INIT;
    size_t              at;
    int                 rc;

    rc = dfx_http_render(ctx, &at);
    if (rc == 0 && send_failed > 0) {
        /* splice "failed" after the counts */
        rc = dfx_buf_append(&tail, w->out.data + at, w->out.len - at);
        w->out.len = at;
        rc |= dfx_buf_printf(&w->out, ",\"failed\":%u", send_failed);
        rc |= dfx_buf_append(&w->out, tail.data, tail.len);
        dfx_buf_free(&tail);
    }
    if (rc != 0) {
        dfx_http_send(ctx->evreq, 500, "text/plain", "out of memory\n", 14);
        return;
    }
    dfx_http_send(ctx->evreq, code, "application/json", w->out.data,
                  w->out.len);
}

/* ---- budget and Kafka ------------------------------------------------ */

static int
dfx_http_spread(dfx_http_route_st_t *st)
{
    dfx_kafka_t  *k = st->route->exporter->kafka;
    uint32_t     *c, base, extra;
    unsigned      np, p, j;

    np = dfx_kafka_nproducers(k);
    dfx_assert(np > 0);
    if (st->nprod < np || st->counts == NULL) {
        c = realloc(st->counts, np * sizeof(*c));
        if (c == NULL) {
            return -1;
        }
        st->counts = c;
    }
    st->nprod = np;
    st->rr = dfx_kafka_next_rr(k, (unsigned) st->nmsgs) % np;
    base = (uint32_t) (st->nmsgs / np);
    extra = (uint32_t) (st->nmsgs % np);
    for (p = 0; p < np; p++) {
        st->counts[p] = base;
    }
    for (j = 0; j < extra; j++) {
        st->counts[(st->rr + j) % np]++;
    }
    return 0;
}

/* Releases what routes [0, n) reserved, and route n's producers [0, np). */
static void
dfx_http_unreserve(dfx_http_ctx_t *ctx, size_t n, unsigned np)
{
    dfx_http_route_st_t  *st;
    size_t                i;
    unsigned              p, last;

    for (i = 0; i <= n && i < ctx->nroutes; i++) {
        st = &ctx->w->routes[i];
        if (st->nmsgs == 0) {
            continue;
        }
        last = i < n ? st->nprod : np;
        for (p = 0; p < last; p++) {
            if (st->counts[p] > 0) {
                dfx_producer_release(dfx_kafka_producer(
                    st->route->exporter->kafka, p), st->counts[p]);
            }
        }
    }
}

/* Reserves the budget of every producer the request touches.  Returns 0;
 * or answers 413/429/503 (counted as refused) and returns -1. */
static int
dfx_http_reserve(dfx_http_ctx_t *ctx)
{
    dfx_http_route_st_t  *st;
    dfx_producer_t       *prod;
    size_t                i;
    unsigned              p;

    if (dfx_http_shutting_down()) {
        dfx_http_count_refused(ctx, DFX_REASON_SHUTTING_DOWN);
        dfx_http_fail(ctx, 503, 0, 0, "shutting down: nothing was queued");
        return -1;
    }

    for (i = 0; i < ctx->nroutes; i++) {
        st = &ctx->w->routes[i];
        if (st->nmsgs == 0) {
            continue;
        }
        if (dfx_http_spread(st) != 0) {
            dfx_http_fail(ctx, 500, 0, 0, "out of memory");
            return -1;
        }
        for (p = 0; p < st->nprod; p++) {
            prod = dfx_kafka_producer(st->route->exporter->kafka, p);
            if (st->counts[p] > dfx_producer_capacity(prod)) {
                dfx_http_count_refused(ctx, DFX_REASON_TOO_LARGE);
                dfx_http_fail(ctx, 413, 0, 0, "the request needs %u "
                              "messages of exporter %u's producer %u, whose "
                              "in-flight budget (queue-size) holds %u: send "
                              "fewer records per request",
                              st->counts[p], st->route->exporter->index, p,
                              dfx_producer_capacity(prod));
                return -1;
            }
        }
    }

    for (i = 0; i < ctx->nroutes; i++) {
        st = &ctx->w->routes[i];
        if (st->nmsgs == 0) {
            continue;
        }
        for (p = 0; p < st->nprod; p++) {
            if (st->counts[p] == 0) {
                continue;
            }
            prod = dfx_kafka_producer(st->route->exporter->kafka, p);
            if (dfx_producer_reserve(prod, st->counts[p]) != 0) {
                dfx_http_unreserve(ctx, i, p);
                dfx_http_count_refused(ctx, DFX_REASON_BUDGET);
                dfx_http_fail(ctx, 429, 0, 0, "exporter %u's in-flight "
                              "budget is full: nothing was queued, retry "
                              "later", st->route->exporter->index);
                return -1;
            }
        }
    }
    return 0;
}

/* Hands every message to librdkafka.  Returns the number refused at
 * once (each listed in the errors; its budget given back). */
static uint32_t
dfx_http_produce(dfx_http_ctx_t *ctx, dfx_kafka_ack_t *ack)
{
    dfx_http_route_st_t  *st;
    dfx_http_msg_t       *m;
    dfx_http_rerr_t      *e;
    dfx_producer_t       *prod;
    const void           *key;
    size_t                i, j;
    uint32_t              failed = 0;
    unsigned              p;
    int                   err, ex;

    for (i = 0; i < ctx->nroutes; i++) {
        st = &ctx->w->routes[i];
        if (st->nmsgs == 0) {
            continue;
        }
        ex = (int) st->route->exporter->index;
        dfx_http_stat(DFX_STAT_exporter_records_queued_total, ex, ctx->ds, -1,
                      (int64_t) st->nmsgs);
        dfx_http_stat(DFX_STAT_exporter_records_inflight, ex, ctx->ds, -1,
                      (int64_t) st->nmsgs);

        p = st->rr;
        for (j = 0; j < st->nmsgs; j++) {
            m = &st->msgs[j];
            prod = dfx_kafka_producer(st->route->exporter->kafka, p);
            key = m->klen == DFX_HTTP_NO_KEY ? NULL
                                              : st->keys.data + m->koff;
            err = dfx_producer_send(prod, ctx->ds, key,
                                    m->klen == DFX_HTTP_NO_KEY ? 0 : m->klen,
                                    st->values.data + m->off, m->len,
                                    m->ts_ms, ack);
            if (err != 0) {
                dfx_producer_release(prod, 1);
                st->send_failed++;
                e = dfx_http_result_add(&ctx->w->result);
                if (e != NULL) {
                    e->record = m->record;
                    e->exporter = ex;
                    dfx_http_record_pos(ctx, m->line, m->column, &e->line,
                                        &e->column);
                    snprintf(e->msg, sizeof(e->msg), "Kafka refused the "
                             "message: %s",
                             rd_kafka_err2str((rd_kafka_resp_err_t) err));
                }
            }
            if (++p == st->nprod) {
                p = 0;
            }
        }

        dfx_http_stat(DFX_STAT_exporter_records_inflight, ex, ctx->ds, -1,
                      -(int64_t) st->send_failed);
        dfx_http_stat(DFX_STAT_exporter_records_failed_total, ex, ctx->ds,
                      -1, st->send_failed);
        failed += st->send_failed;
    }
    return failed;
}

static void
dfx_http_kick(dfx_http_ctx_t *ctx)
{
    dfx_http_route_st_t  *st;
    size_t                i;
    unsigned              p;

    for (i = 0; i < ctx->nroutes; i++) {
        st = &ctx->w->routes[i];
        for (p = 0; st->nmsgs > 0 && p < st->nprod; p++) {
            if (st->counts[p] > 0) {
                dfx_producer_kick(dfx_kafka_producer(
                    st->route->exporter->kafka, p));
            }
        }
    }
}

/* Enqueues and waits for Kafka: the request moves into a dfx_http_req_t
 * (dfx_http_ack.c) that takes over the cycle reference. */
static void
dfx_http_commit_kafka(dfx_http_ctx_t *ctx, uint32_t nmsgs)
{
    dfx_http_req_t  *req;
    size_t           at;

    req = dfx_http_req_start(ctx, nmsgs);
    if (req == NULL) {
        dfx_http_unreserve(ctx, ctx->nroutes, 0);
        dfx_http_fail(ctx, 500, 0, 0, "out of memory");
        return;
    }

    /* from here on the acknowledgement may complete at any time; the
     * worker answers only after this handler returns, with the answer
     * kept below */
    (void) dfx_http_produce(ctx, &req->ack);
    dfx_http_count_records(ctx);
    dfx_http_kick(ctx);

    if (dfx_http_render(ctx, &at) == 0) {
        dfx_http_req_keep_answer(req, ctx->w->out.data, ctx->w->out.len, at);
    }
}

/* The status of a request queued without waiting for Kafka: 202, but
 * 200 for ClickHouse, whose older servers (18.16 among them) take
 * nothing else for a success. */
static int
dfx_http_queued(const dfx_http_ctx_t *ctx)
{
    return ctx->clickhouse ? 200 : 202;
}

/* Budget, then Kafka, then the answer. */
static void
dfx_http_commit(dfx_http_ctx_t *ctx)
{
    size_t    i;
    uint32_t  nmsgs = 0, failed;

    for (i = 0; i < ctx->nroutes; i++) {
        nmsgs += (uint32_t) ctx->w->routes[i].nmsgs;
    }
    if (nmsgs == 0) {
        /* every record filtered (or rejected): nothing for Kafka */
        dfx_http_count_records(ctx);
        dfx_http_answer(ctx, ctx->ack == DFX_ACK_KAFKA ? 200
                                                       : dfx_http_queued(ctx),
                        0);
        return;
    }

    if (dfx_http_reserve(ctx) != 0) {
        return;
    }

    if (ctx->ack == DFX_ACK_KAFKA) {
        dfx_http_commit_kafka(ctx, nmsgs);
        return;
    }
    failed = dfx_http_produce(ctx, NULL);
    dfx_http_count_records(ctx);
    dfx_http_answer(ctx, dfx_http_queued(ctx), failed);
}

/* ---- the handler ----------------------------------------------------- */

static void
dfx_http_routes_begin(dfx_http_ctx_t *ctx)
{
    dfx_http_route_st_t  *st;
    size_t                i;

    for (i = 0; i < ctx->nroutes; i++) {
        st = &ctx->w->routes[i];
        st->route = &ctx->cycle->routes[ctx->ds][i];
        dfx_buf_reset(&st->values);
        dfx_buf_reset(&st->keys);
        st->nmsgs = 0;
        st->filtered = 0;
        st->send_failed = 0;
        memset(&st->rc, 0, sizeof(st->rc));
        st->rc.chain = st->route->chain;
        st->rc.dict = ctx->dict;
        st->rc.out = &st->values;
        st->rc.key_null = 1;
        st->rc.drop_group = -1;
        st->max_msg = SIZE_MAX;
        st->max_bytes = 0;
        if (st->route->exporter->kafka != NULL) {
            st->max_msg = dfx_kafka_max_message(st->route->exporter->kafka,
                                                &st->max_bytes);
        }
    }
}

void
dfx_http_ingest(dfx_http_worker_t *w, struct evhttp_request *r, dfx_str_t ds)
{
    struct evkeyvalq  *h = evhttp_request_get_input_headers(r);
    dfx_http_query_t   q;
    dfx_http_ctx_t     ctx;
    dfx_http_ct_t      ct;
    dfx_http_ce_t      ce;
    const char        *ctype, *body = NULL;
    size_t             len = 0;
    char               name[80], err[160];
    uint64_t           t0 = dfx_hist_now_us();   /* the body is read */

    memset(&ctx, 0, sizeof(ctx));
    ctx.w = w;
    ctx.evreq = r;

    if (evhttp_request_get_command(r) != EVHTTP_REQ_POST) {
        dfx_http_send_405(r, "POST");
        goto answered;
    }

    dfx_http_quote_ds(name, sizeof(name), ds);
    ctx.schema = dfx_schema_find(ds.data, ds.len);
    if (ctx.schema == NULL) {
        if (dfx_schema_is_silent(ds.data, ds.len)) {
            dfx_http_fail(&ctx, 404, 0, 0, "data source \"%s\" is accepted "
                          "in the configuration, but nothing is exported "
                          "for it", name);
        } else {
            dfx_http_fail(&ctx, 404, 0, 0, "unknown data source \"%s\"",
                          name);
        }
        goto answered;
    }
    ctx.ds = ctx.schema->id;

    if (dfx_http_query_parse(evhttp_uri_get_query(
            evhttp_request_get_evhttp_uri(r)), &q, err, sizeof(err)) != 0)
    {
        dfx_http_fail(&ctx, 400, 0, 0, "%s", err);
        goto answered;
    }
    ctype = evhttp_find_header(h, "Content-Type");
    ct = dfx_http_content_type(ctype);
    if (ct == DFX_HTTP_CT_NONE && ctype == NULL
        && q.format == DFX_HTTP_FORMAT_CLICKHOUSE)
    {
        /* ClickHouse's URL engine sends none before 21.12 (18.16
         * included): its JSONEachRow is NDJSON */
        ct = DFX_HTTP_CT_NDJSON;
    }
    if (ct == DFX_HTTP_CT_NONE) {
        dfx_http_fail(&ctx, 415, 0, 0, "Content-Type must be "
                      "application/x-ndjson or application/json");
        goto answered;
    }
    ce = dfx_http_content_encoding(evhttp_find_header(h,
                                                      "Content-Encoding"));
    if (ce == DFX_HTTP_CE_BAD) {
        dfx_http_fail(&ctx, 415, 0, 0, "Content-Encoding must be gzip or "
                      "identity");
        goto answered;
    }

    ctx.cycle = dfx_cycle_acquire();
    if (ctx.cycle == NULL) {
        dfx_http_fail(&ctx, 503, 0, 0, "no configuration is loaded yet");
        goto answered;
    }
    ctx.nroutes = ctx.cycle->nroutes[ctx.ds];
    if (ctx.nroutes == 0) {
        dfx_http_fail(&ctx, 404, 0, 0, "no enabled exporter takes %s", name);
        goto done;
    }
    dfx_assert(ctx.nroutes <= DFX_STATS_MAX_EXPORTERS);
    ctx.ack = q.ack >= 0 ? q.ack : ctx.cycle->conf->main.ack.v;
    ctx.dry_run = q.dry_run;
    ctx.pretty = q.pretty;
    ctx.clickhouse = q.format == DFX_HTTP_FORMAT_CLICKHOUSE;

    if (dfx_http_parser(w, &ctx.cycle->conf->main.limits) != 0) {
        dfx_http_fail(&ctx, 500, 0, 0, "out of memory");
        goto done;
    }
    if (dfx_http_dialect(&ctx, &q) != 0) {
        goto done;
    }
    dfx_record_parser_keep_unknown(w->parser, ctx.dry_run);
    if (dfx_http_body(&ctx, ce == DFX_HTTP_CE_GZIP, &body, &len) != 0) {
        goto done;
    }

    ctx.dict = dfx_dict_acquire();
    dfx_http_routes_begin(&ctx);
    dfx_http_result_reset(&w->result,
                          (size_t) ctx.cycle->conf->main.limits.errors.v);
    dfx_buf_reset(&w->dry);

    if (dfx_http_records(&ctx, ct, body, len) != 0) {
        goto done;
    }
    dfx_http_charge_records(&ctx);
    dfx_dict_release(ctx.dict);
    ctx.dict = NULL;

    if (ctx.nrecords == 0 && !ctx.clickhouse) {
        dfx_http_fail(&ctx, 400, 0, 0, "no records: the body holds no JSON "
                      "object");
        goto done;
    }
    if (ctx.dry_run) {
        if (dfx_http_dryrun_render(&ctx) != 0) {
            dfx_http_fail(&ctx, 500, 0, 0, "out of memory");
        } else {
            dfx_http_send(r, 200, "application/json", w->out.data,
                          w->out.len);
        }
        goto done;
    }
    if (ctx.nrecords > 0 && w->result.rejected == ctx.nrecords) {
        dfx_http_count_records(&ctx);
        dfx_http_answer(&ctx, 422, 0);
        goto done;
    }
    dfx_http_commit(&ctx);

done:
    dfx_stats_observe(DFX_STAT_http_request_duration_seconds, -1, -1, -1,
                      dfx_hist_now_us() - t0);
    dfx_log_access(r, ctx.nrecords, w->result.accepted, w->result.filtered,
                   w->result.rejected);
    if (dfx_log_enabled(DFX_LOG_DEBUG)) {
        dfx_http_debug_request(&ctx, ds, len, t0);
    }
    dfx_dict_release(ctx.dict);
    dfx_cycle_release(ctx.cycle);
    dfx_http_worker_trim(w);
    /* the body is freed now rather than with the request, whose answer
     * may wait for Kafka (ack=kafka): then its room in limits.memory is
     * given back, with what handling it held */
    (void) evbuffer_drain(evhttp_request_get_input_buffer(r),
                          evbuffer_get_length(
                              evhttp_request_get_input_buffer(r)));
    dfx_http_mem_release(ctx.mem);
    dfx_http_conn_done(w, evhttp_request_get_connection(r));
    return;

answered:
    /* refused before the configuration was looked at */
    if (dfx_log_enabled(DFX_LOG_DEBUG)) {
        dfx_http_debug_request(&ctx, ds, 0, t0);
    }
}

/* ---- offline dry runs (dfexport --dry-run) ------------------------------ */

/* The request path of ?dry_run=1 without a request: ctx.evreq NULL makes
 * dfx_http_fail() leave its answer in w->out. */
static int
dfx_http_dryrun_offline(dfx_http_worker_t *w, const char *ds,
                        const char *body, size_t len, int pretty,
                        uint32_t *rejected)
{
    dfx_http_ctx_t  ctx;
    char            name[80];

    memset(&ctx, 0, sizeof(ctx));
    ctx.w = w;
    ctx.offline_code = 200;

    dfx_http_quote_ds(name, sizeof(name), dfx_str_make(ds, strlen(ds)));
    ctx.schema = dfx_schema_find(ds, strlen(ds));
    if (ctx.schema == NULL) {
        dfx_http_fail(&ctx, 404, 0, 0, "unknown data source \"%s\"", name);
        return ctx.offline_code;
    }
    ctx.ds = ctx.schema->id;
    ctx.cycle = dfx_cycle_acquire();
    if (ctx.cycle == NULL) {
        dfx_http_fail(&ctx, 503, 0, 0, "no configuration is loaded");
        return ctx.offline_code;
    }
    ctx.nroutes = ctx.cycle->nroutes[ctx.ds];
    if (ctx.nroutes == 0) {
        dfx_http_fail(&ctx, 404, 0, 0, "no enabled exporter takes %s", name);
        goto done;
    }
    ctx.ack = DFX_ACK_QUEUED;
    ctx.dry_run = 1;
    ctx.pretty = pretty;
    if (dfx_http_parser(w, &ctx.cycle->conf->main.limits) != 0) {
        dfx_http_fail(&ctx, 500, 0, 0, "out of memory");
        goto done;
    }
    dfx_record_parser_keep_unknown(w->parser, 1);

    ctx.dict = dfx_dict_acquire();
    dfx_http_routes_begin(&ctx);
    dfx_http_result_reset(&w->result,
                          (size_t) ctx.cycle->conf->main.limits.errors.v);
    dfx_buf_reset(&w->dry);
    if (dfx_http_records(&ctx, DFX_HTTP_CT_NDJSON, body, len) != 0) {
        goto done;
    }
    if (ctx.nrecords == 0) {
        dfx_http_fail(&ctx, 400, 0, 0, "no records: the input holds no JSON "
                      "object");
        goto done;
    }
    if (dfx_http_dryrun_render(&ctx) != 0) {
        dfx_http_fail(&ctx, 500, 0, 0, "out of memory");
        goto done;
    }
    *rejected = w->result.rejected;

done:
    dfx_dict_release(ctx.dict);
    dfx_cycle_release(ctx.cycle);
    return ctx.offline_code;
}

int
dfx_http_dryrun_stdin(const char *ds, const char *body, size_t len,
                      int pretty, dfx_buf_t *out, uint32_t *rejected)
{
    dfx_http_worker_t  *w;
    int                 code = 500;

    *rejected = 0;
    w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return 500;
    }
    w->magic = DFX_HTTP_WORKER_MAGIC;
    w->pool = dfx_pool_create(64 * 1024);   /* a worker's block size */
    if (w->pool != NULL) {
        code = dfx_http_dryrun_offline(w, ds, body, len, pretty, rejected);
        if (dfx_buf_append(out, w->out.data, w->out.len) != 0) {
            code = 500;
        }
    }
    dfx_http_worker_free_buffers(w);
    dfx_record_parser_destroy(w->parser);
    dfx_pool_destroy(w->pool);
    dfx_http_gunzip_free(&w->gz);
    free(w);
    return code;
}
