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
 *
 * After those keys, an entry may add: "exporter_name" (the exporter's
 * name), "unknown_fields" (record members naming no field),
 * "not_exported" (fields the record has that export-fields leaves out),
 * "empty_dropped" (fields the empty-tag / empty-metric rules left out of
 * the value) and, for a filtered record, "failed_filters" (each tag
 * filter it failed, with the value it tested).  ?pretty=1 indents the
 * answer; `dfexport --dry-run` prints the same answer offline.
 */
#include <string.h>

#include "dfx_http_int.h"
#include "tag_filter/dfx_tag_filter.h"

static int
dfx_http_dry_names(dfx_buf_t *b, const char *key, const dfx_str_t *v,
                   size_t n)
{
    size_t  i;
    int     rc = 0;

    rc |= dfx_buf_printf(b, ",\"%s\":[", key);
    for (i = 0; i < n; i++) {
        rc |= i ? dfx_buf_putc(b, ',') : 0;
        rc |= dfx_http_json_text(b, v[i].data, v[i].len);
    }
    return rc | dfx_buf_putc(b, ']');
}

/* ,"exporter_name":"..." ,"unknown_fields":[...] */
static int
dfx_http_dry_common(dfx_buf_t *b, const dfx_record_t *rec,
                    const dfx_http_route_st_t *st)
{
    const dfx_conf_exporter_t  *ec = st->route->exporter->conf;
    int                         rc = 0;

    if (ec != NULL && ec->name.v != NULL && ec->name.v[0] != '\0') {
        rc |= dfx_buf_append_lit(b, ",\"exporter_name\":");
        rc |= dfx_http_json_text(b, ec->name.v, strlen(ec->name.v));
    }
    if (rec->unknown > 0) {
        rc |= dfx_http_dry_names(b, "unknown_fields", rec->unknown_names,
                                 rec->nunknown_names);
    }
    return rc;
}

/* Whether the pre-rendered key "\"name\":" is a member of the value: a
 * quote inside a JSON string is escaped, so the text cannot occur
 * there. */
static int
dfx_http_dry_has_key(dfx_str_t value, dfx_str_t key)
{
    size_t  i;

    for (i = 0; key.len > 0 && i + key.len <= value.len; i++) {
        if (value.data[i] == key.data[0]
            && memcmp(value.data + i, key.data, key.len) == 0)
        {
            return 1;
        }
    }
    return 0;
}

/* ,"not_exported":[...],"empty_dropped":[...]: what the record has that
 * the message leaves out, by the chain's plan (export-fields) and by the
 * empty rules (a planned field with a drop flag that is not in the
 * value). */
static int
dfx_http_dry_left_out(dfx_buf_t *b, const dfx_record_t *rec,
                      const dfx_chain_t *chain, dfx_str_t value)
{
    const dfx_schema_t  *s = rec->schema;
    const dfx_emit_t    *e;
    const dfx_field_t   *fd;
    size_t               f, i;
    int                  rc = 0, first;

    rc |= dfx_buf_append_lit(b, ",\"not_exported\":[");
    first = 1;
    for (f = 0; f < s->nfields; f++) {
        if (rec->state[f] != DFX_SLOT_SET) {
            continue;
        }
        for (i = 0; i < chain->nemit && chain->emit[i].field != f; i++) {
            /* find */
        }
        if (i < chain->nemit) {
            continue;
        }
        rc |= first ? 0 : dfx_buf_putc(b, ',');
        first = 0;
        rc |= dfx_http_json_text(b, s->fields[f].name,
                                 strlen(s->fields[f].name));
    }
    rc |= dfx_buf_append_lit(b, "],\"empty_dropped\":[");
    first = 1;
    for (i = 0; i < chain->nemit; i++) {
        e = &chain->emit[i];
        fd = &s->fields[e->field];
        if (rec->state[e->field] != DFX_SLOT_SET
            && ((fd->flags & DFX_FIELD_NULLABLE) || fd->type == DFX_T_IP6))
        {
            continue;               /* omitted when absent, rules or not */
        }
        if (!(e->flags & (DFX_EMIT_DROP_EMPTY | DFX_EMIT_DROP_ZERO))
            || dfx_http_dry_has_key(value, e->key)
            || dfx_http_dry_has_key(value, e->key_raw))
        {
            continue;
        }
        rc |= first ? 0 : dfx_buf_putc(b, ',');
        first = 0;
        rc |= dfx_http_json_text(b, s->fields[e->field].name,
                                 strlen(s->fields[e->field].name));
    }
    return rc | dfx_buf_putc(b, ']');
}

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
    rc |= dfx_http_dry_common(b, rec, st);
    rc |= dfx_http_dry_left_out(b, rec, st->route->chain, value);
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
    rc |= dfx_http_dry_common(b, rec, st);
    rc |= dfx_buf_append_lit(b, ",\"failed_filters\":");
    rc |= dfx_tag_filter_explain(st->route->chain, rec, b);
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
    if (rc == 0 && ctx->pretty) {
        /* w->dry is done with: the indented form goes there, then back */
        dfx_buf_reset(&w->dry);
        rc |= dfx_http_json_pretty(&w->dry, out->data, out->len);
        dfx_buf_reset(out);
        rc |= dfx_buf_append(out, w->dry.data, w->dry.len);
    }
    return rc ? -1 : 0;
}

/* Indents valid compact JSON by two spaces per level, one member or
 * element a line, as jq and Python's json.tool do. */
int
dfx_http_json_pretty(dfx_buf_t *b, const char *s, size_t len)
{
    size_t  i, depth = 0, k;
    int     in_str = 0, rc = 0;
    char    c;

#define DFX_NL()                                                            \
    do {                                                                    \
        rc |= dfx_buf_putc(b, '\n');                                        \
        for (k = 0; k < depth; k++) {                                       \
            rc |= dfx_buf_append_lit(b, "  ");                              \
        }                                                                   \
    } while (0)

    for (i = 0; i < len; i++) {
        c = s[i];
        if (in_str) {
            rc |= dfx_buf_putc(b, c);
            if (c == '\\' && i + 1 < len) {
                rc |= dfx_buf_putc(b, s[++i]);
            } else if (c == '"') {
                in_str = 0;
            }
            continue;
        }
        switch (c) {
        case '"':
            in_str = 1;
            rc |= dfx_buf_putc(b, c);
            break;
        case '{':
        case '[':
            rc |= dfx_buf_putc(b, c);
            if (i + 1 < len && (s[i + 1] == '}' || s[i + 1] == ']')) {
                rc |= dfx_buf_putc(b, s[++i]);      /* {} and [] */
                break;
            }
            depth++;
            DFX_NL();
            break;
        case '}':
        case ']':
            depth -= depth > 0;
            DFX_NL();
            rc |= dfx_buf_putc(b, c);
            break;
        case ',':
            rc |= dfx_buf_putc(b, c);
            DFX_NL();
            break;
        case ':':
            rc |= dfx_buf_append_lit(b, ": ");
            break;
        default:
            rc |= dfx_buf_putc(b, c);
            break;
        }
    }
#undef DFX_NL
    return rc ? -1 : 0;
}
