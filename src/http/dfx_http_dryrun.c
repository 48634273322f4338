/*
 * dfx_http_dryrun.c: the answer to ?dry_run=1.
 *
 * A dry run goes through the same parser and chains as a real request but
 * reserves and produces nothing.  The answer lists, for every record and
 * exporter, the exact topic, key and message value it would produce
 * (the value as a JSON string, byte for byte what Kafka would get), or
 * why the exporter filtered it, or why the record was rejected:
 *
 *   {"dry_run":true,"accepted":A,"filtered":F,"rejected":R,"results":[
 *     {"record":0,"line":1,"exporter":0,"topic":"...","key":null,
 *      "value":"{\"time\":...}"},
 *     {"record":1,"line":2,"exporter":0,"filtered":"..."},
 *     {"record":2,"line":3,"column":9,"field":"...","error":"..."}]}
 */
#include <string.h>

#include "dfx_http_int.h"

/* {"record":i[,"line":l],"exporter":e, */
static int
dfx_http_dry_head(dfx_buf_t *b, const dfx_record_t *rec,
                  const dfx_http_route_st_t *st)
{
    int  rc = 0;

    if (b->len > 0) {
        rc |= dfx_buf_putc(b, ',');
    }
    rc |= dfx_buf_append_lit(b, "{\"record\":");
    rc |= dfx_buf_u64(b, rec->index);
    if (rec->line != 0) {
        rc |= dfx_buf_append_lit(b, ",\"line\":");
        rc |= dfx_buf_u64(b, rec->line);
    }
    rc |= dfx_buf_append_lit(b, ",\"exporter\":");
    rc |= dfx_buf_u64(b, st->route->exporter->index);
    return rc;
}

int
dfx_http_dryrun_message(dfx_http_ctx_t *ctx, const dfx_record_t *rec,
                        const dfx_http_route_st_t *st, dfx_str_t value)
{
    dfx_buf_t  *b = &ctx->w->dry;
    dfx_str_t   topic = st->route->chain->topic;
    int         rc = 0;

    rc |= dfx_http_dry_head(b, rec, st);
    rc |= dfx_buf_append_lit(b, ",\"topic\":");
    rc |= dfx_http_json_text(b, topic.data, topic.len);
    rc |= dfx_buf_append_lit(b, ",\"key\":");
    if (st->rc.key_null) {
        rc |= dfx_buf_append_lit(b, "null");
    } else {
        rc |= dfx_http_json_text(b, st->rc.key.data, st->rc.key.len);
    }
    rc |= dfx_buf_append_lit(b, ",\"value\":");
    rc |= dfx_http_json_text(b, value.data, value.len);
    rc |= dfx_buf_putc(b, '}');
    return rc ? -1 : 0;
}

int
dfx_http_dryrun_filtered(dfx_http_ctx_t *ctx, const dfx_record_t *rec,
                         const dfx_http_route_st_t *st)
{
    dfx_buf_t   *b = &ctx->w->dry;
    const char  *why = st->rc.drop_why;
    int          rc = 0;

    if (why == NULL) {
        why = "dropped by the exporter's chain";
    }
    rc |= dfx_http_dry_head(b, rec, st);
    rc |= dfx_buf_append_lit(b, ",\"filtered\":");
    rc |= dfx_http_json_text(b, why, strlen(why));
    rc |= dfx_buf_putc(b, '}');
    return rc ? -1 : 0;
}

int
dfx_http_dryrun_rejected(dfx_http_ctx_t *ctx, const dfx_http_rerr_t *e)
{
    dfx_buf_t  *b = &ctx->w->dry;
    int         rc = 0;

    if (b->len > 0) {
        rc |= dfx_buf_putc(b, ',');
    }
    rc |= dfx_http_render_rerr(b, e);
    return rc ? -1 : 0;
}

int
dfx_http_dryrun_render(dfx_http_ctx_t *ctx)
{
    dfx_http_worker_t        *w = ctx->w;
    const dfx_http_result_t  *r = &w->result;
    dfx_buf_t                *out = &w->out;
    int                       rc = 0;

    dfx_buf_reset(out);
    rc |= dfx_buf_append_lit(out, "{\"dry_run\":true,\"accepted\":");
    rc |= dfx_buf_u64(out, r->accepted);
    rc |= dfx_buf_append_lit(out, ",\"filtered\":");
    rc |= dfx_buf_u64(out, r->filtered);
    rc |= dfx_buf_append_lit(out, ",\"rejected\":");
    rc |= dfx_buf_u64(out, r->rejected);
    rc |= dfx_buf_append_lit(out, ",\"results\":[");
    rc |= dfx_buf_append(out, w->dry.data, w->dry.len);
    rc |= dfx_buf_append_lit(out, "]}\n");
    return rc ? -1 : 0;
}
