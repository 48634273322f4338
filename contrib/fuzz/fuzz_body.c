/*
 * fuzz_body.c: libFuzzer driver for an ingest body, from the bytes on the
 * wire to the Kafka message value.
 *
 * The first input byte chooses how the rest is taken, the way a request's
 * URL and headers would:
 *   bits 0-3  data source (dfx_schemas[] index, modulo DFX_DS_COUNT)
 *   bit 4     application/json (one object or an array) instead of NDJSON
 *   bit 5     Content-Encoding: gzip (decoded by dfx_http_gunzip, in two
 *             chunks, as an evbuffer hands it over)
 *   bit 6     tight limits (line 256 B, depth 4, 3 records, 4 KiB decoded)
 *   bit 7     no universal-tag dictionary (raw ids are exported)
 * The body is then framed and parsed as src/http/dfx_http_ingest.c does
 * (with new parsers for each input, so that an input fails on its own),
 * and every valid record goes through the chains of two exporters (built
 * once, as a cycle would) and is encoded.
 *
 * Besides the sanitizers, the driver aborts when a contract is broken:
 *   - a valid record holds a string that is not RFC 3629 UTF-8, a value
 *     out of its type's range, or a null in a field that is not nullable;
 *   - an error message or field name is not NUL-terminated, or its column
 *     points past the text;
 *   - an NDJSON line and the same text sent as a JSON body disagree
 *     (valid in one, not in the other, or different values);
 *   - an encoded message is not one valid JSON object.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <yajl/yajl_parse.h>

#include "dfx_buf.h"
#include "dfx_conf.h"
#include "dfx_core.h"
#include "dfx_http_body.h"
#include "dfx_log.h"
#include "dfx_module.h"
#include "dfx_pool.h"
#include "dfx_record_parse.h"
#include "dfx_schema.h"
#include "enum_translate/dfx_enum_dict.h"
#include "universal_tag/dfx_dict.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_NEXPORTERS  2

/* Two exporters that between them use every chain stage: translations on
 * and off, the empty rules both ways, label selection, a message key and
 * tag filters with negative operators (so that records still pass). */
static const char  fz_conf_yaml[] =
    "dfexport:\n"
    "  log: {level: crit}\n"
    "ingester:\n"
    "  exporters:\n"
    "  - protocol: kafka\n"
    "    enabled: true\n"
    "    endpoints: [127.0.0.1:9]\n"
    "    data-sources: &all [flow_log.l7_flow_log, flow_log.l4_flow_log,\n"
    "      flow_metrics.network.1s, flow_metrics.network.1m,\n"
    "      flow_metrics.network_map.1s, flow_metrics.network_map.1m,\n"
    "      flow_metrics.application.1s, flow_metrics.application.1m,\n"
    "      flow_metrics.application_map.1s, flow_metrics.application_map.1m,\n"
    "      event.file_event, event.perf_event]\n"
    "    export-fields: [$tag, $metrics, $k8s.label]\n"
    "    key: time\n"
    "  - protocol: kafka\n"
    "    enabled: true\n"
    "    endpoints: [127.0.0.1:9]\n"
    "    data-sources: *all\n"
    "    export-fields: [$tag.universal_tag, $tag.flow_info, $metrics,\n"
    "                    ~$k8s.label.^a, $k8s.label.tier, time]\n"
    "    export-empty-tag: true\n"
    "    export-empty-metrics-disabled: true\n"
    "    enum-translate-to-name-disabled: true\n"
    "    tag-filters-groups:\n"
    "    - tag-filter-condition: {type: or}\n"
    "      tag-filters:\n"
    "      - {field-name: l7_protocol, operator: \"!=\", field-values: [255]}\n"
    "      - {field-name: request_domain, operator: \"!~\","
    " field-values: [\"^zz+$\"]}\n"
    "      - {field-name: ip4_0, operator: \"!:\","
    " field-values: [\"255.*\"]}\n";

/* Names with everything an encoder must escape. */
static const char  fz_dict_json[] =
    "{\"version\":3,"
    "\"region_map\":[{\"id\":1,\"name\":\"cn-\\\"north\\\"\"}],"
    "\"az_map\":[{\"id\":3,\"name\":\"az\\\\a\"},"
    "{\"id\":5,\"name\":\"\\u0001\\u001f\\t\"}],"
    "\"device_map\":[{\"id\":12,\"type\":6,\"name\":\"host\\n12\"},"
    "{\"id\":25547,\"type\":10,\"name\":\"pod-\\u00e9\"},"
    "{\"id\":401,\"type\":11,\"name\":\"svc\\u2028\"},"
    "{\"id\":117,\"type\":130,\"name\":\"deploy/\\ud83d\\ude00\"}],"
    "\"pod_node_map\":[{\"id\":201,\"name\":\"node\"}],"
    "\"pod_ns_map\":[{\"id\":32,\"name\":\"\"}],"
    "\"pod_group_map\":[{\"id\":117,\"name\":\"grp\"}],"
    "\"pod_map\":[{\"id\":25547,\"name\":\"p\\\"0\"},"
    "{\"id\":47570,\"name\":\"p1\"}],"
    "\"pod_cluster_map\":[{\"id\":4,\"name\":\"k8s\"}],"
    "\"l3_epc_map\":[{\"id\":2,\"name\":\"vpc\"}],"
    "\"subnet_map\":[{\"id\":1478,\"name\":\"sub\"}],"
    "\"gprocess_map\":[{\"id\":87215,\"name\":\"java\"}],"
    "\"vtap_map\":[{\"id\":152,\"name\":\"agent\"}],"
    "\"pod_k8s_label_map\":["
    "{\"pod_id\":25547,\"label_name\":[\"app\",\"tier\",\"a\\\"q\"],"
    "\"label_value\":[\"shop\",\"\\u0000x\",\"\\\\\"]},"
    "{\"pod_id\":47570,\"label_name\":[\"app\"],\"label_value\":[\"db\"]}]}";

static dfx_conf_t           *fz_conf;
static dfx_enums_t          *fz_enums;
static dfx_dict_t           *fz_dict;
static dfx_chain_t          *fz_chains[FZ_NEXPORTERS][DFX_DS_COUNT];
/* A worker keeps its parsers from request to request; here each input
 * gets new ones, so that a failing input fails again on its own. */
static const dfx_parse_limits_t  fz_limits[2] = {
    { 32, 100000 },                             /* the defaults */
    { 4, 3 },                                   /* tight */
};
static dfx_record_parser_t  *fz_parser;
static dfx_record_parser_t  *fz_jparser;        /* for the line/JSON check */
static dfx_pool_t           *fz_pool;
static dfx_pool_t           *fz_jpool;
static dfx_http_gunzip_t     fz_gz;
static dfx_buf_t             fz_body = DFX_BUF_INIT;
static dfx_buf_t             fz_out = DFX_BUF_INIT;

static void
fz_die(const char *what)
{
    fprintf(stderr, "fuzz_body: %s\n", what);
    abort();
}

static void
fz_conf_out(int is_error, const char *line)
{
    if (is_error) {
        fprintf(stderr, "%s\n", line);
    }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char    err[512];
    size_t  e;
    int     ds;

    (void) argc;
    (void) argv;
    dfx_log_set_level(DFX_LOG_CRIT);
    if (dfx_schema_init() != 0) {
        fz_die("dfx_schema_init failed");
    }
    fz_enums = dfx_enums_load(DFX_FUZZ_SRCDIR "/conf/enum", err, sizeof(err));
    if (fz_enums == NULL) {
        fz_die(err);
    }
    fz_conf = dfx_conf_load_mem("fuzz_body.yaml", fz_conf_yaml,
                                sizeof(fz_conf_yaml) - 1, 0, fz_conf_out);
    if (fz_conf == NULL || fz_conf->nexporters != FZ_NEXPORTERS) {
        fz_die("the driver's configuration does not load");
    }
    for (e = 0; e < FZ_NEXPORTERS; e++) {
        for (ds = 0; ds < DFX_DS_COUNT; ds++) {
            fz_chains[e][ds] = dfx_chain_create(&fz_conf->exporters[e],
                                                dfx_schemas[ds], fz_enums);
            if (fz_chains[e][ds] == NULL) {
                fz_die("cannot build a chain");
            }
        }
    }
    fz_dict = dfx_dict_parse(fz_dict_json, sizeof(fz_dict_json) - 1, err,
                             sizeof(err));
    if (fz_dict == NULL) {
        fz_die(err);
    }
    fz_pool = dfx_pool_create(16384);
    fz_jpool = dfx_pool_create(16384);
    if (fz_pool == NULL || fz_jpool == NULL) {
        fz_die("out of memory");
    }
    memset(&fz_gz, 0, sizeof(fz_gz));
    return 0;
}

/* ---- oracles ---------------------------------------------------------- */

/* RFC 3629, written independently of the parser's own check. */
static int
fz_utf8_ok(const unsigned char *s, size_t len)
{
    size_t    i = 0, n, k;
    uint32_t  cp;

    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if ((s[i] & 0xe0) == 0xc0) {
            n = 1;
            cp = s[i] & 0x1f;
        } else if ((s[i] & 0xf0) == 0xe0) {
            n = 2;
            cp = s[i] & 0x0f;
        } else if ((s[i] & 0xf8) == 0xf0) {
            n = 3;
            cp = s[i] & 0x07;
        } else {
            return 0;
        }
        if (len - i <= n) {
            return 0;
        }
        for (k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800)
            || (n == 3 && cp < 0x10000) || cp > 0x10ffff
            || (cp >= 0xd800 && cp <= 0xdfff))
        {
            return 0;
        }
        i += n + 1;
    }
    return 1;
}

static void
fz_check_err(const dfx_record_err_t *err, size_t textlen)
{
    if (memchr(err->msg, '\0', sizeof(err->msg)) == NULL) {
        fz_die("error message not terminated");
    }
    if (memchr(err->field, '\0', sizeof(err->field)) == NULL) {
        fz_die("error field not terminated");
    }
    if (err->msg[0] == '\0') {
        fz_die("error without a message");
    }
    /* 1-based; one past the end is where "premature EOF" points */
    if (err->column > textlen + 1) {
        fprintf(stderr, "column %u, text of %zu bytes: %s\n", err->column,
                textlen, err->msg);
        fz_die("error column past the text");
    }
}

static void
fz_check_record(const dfx_record_t *rec, const dfx_schema_t *s)
{
    const dfx_field_t  *f;
    const dfx_value_t  *v;
    size_t              i, k;

    if (rec->schema != s || rec->v == NULL || rec->state == NULL) {
        fz_die("valid record without its schema or slots");
    }
    for (i = 0; i < s->nfields; i++) {
        f = &s->fields[i];
        v = &rec->v[i];
        if (rec->state[i] == DFX_SLOT_NULL) {
            if (!(f->flags & DFX_FIELD_NULLABLE)) {
                fprintf(stderr, "field %s\n", f->name);
                fz_die("null in a field that is not nullable");
            }
            continue;
        }
        if (rec->state[i] == DFX_SLOT_ABSENT) {
            continue;
        }
        if (rec->state[i] != DFX_SLOT_SET) {
            fz_die("slot in an unknown state");
        }
        switch (f->type) {
        case DFX_T_U8:
            if (v->u > UINT8_MAX) {
                fz_die("u8 out of range");
            }
            break;
        case DFX_T_U16:
            if (v->u > UINT16_MAX) {
                fz_die("u16 out of range");
            }
            break;
        case DFX_T_U32:
        case DFX_T_IP4:
            if (v->u > UINT32_MAX) {
                fz_die("u32 out of range");
            }
            break;
        case DFX_T_I32:
            if (v->i < INT32_MIN || v->i > INT32_MAX) {
                fz_die("i32 out of range");
            }
            break;
        case DFX_T_BOOL:
            if (v->u > 1) {
                fz_die("bool not 0 or 1");
            }
            break;
        case DFX_T_MAC:
            if (v->u > 0xffffffffffffull) {
                fz_die("mac wider than 48 bits");
            }
            break;
        case DFX_T_STR:
            if (v->s.len > 0 && v->s.data == NULL) {
                fz_die("string without data");
            }
            if (!fz_utf8_ok((const unsigned char *) v->s.data, v->s.len)) {
                fprintf(stderr, "field %s\n", f->name);
                fz_die("valid record with a string that is not UTF-8");
            }
            break;
        case DFX_T_STRS:
            for (k = 0; k < v->strs.n; k++) {
                if (!fz_utf8_ok((const unsigned char *) v->strs.v[k].data,
                                v->strs.v[k].len))
                {
                    fprintf(stderr, "field %s[%zu]\n", f->name, k);
                    fz_die("valid record with a string that is not UTF-8");
                }
            }
            break;
        default:
            break;
        }
    }
}

/* The same values, slot by slot. */
static int
fz_same_record(const dfx_record_t *a, const dfx_record_t *b)
{
    const dfx_schema_t  *s = a->schema;
    const dfx_value_t   *x, *y;
    size_t               i, k;

    if (a->schema != b->schema || a->unknown != b->unknown
        || a->ts_us != b->ts_us)
    {
        return 0;
    }
    for (i = 0; i < s->nfields; i++) {
        if (a->state[i] != b->state[i]) {
            return 0;
        }
        if (a->state[i] != DFX_SLOT_SET) {
            continue;
        }
        x = &a->v[i];
        y = &b->v[i];
        switch (s->fields[i].type) {
        case DFX_T_STR:
            if (!dfx_str_eq(x->s, y->s)) {
                return 0;
            }
            break;
        case DFX_T_IP6:
            if (memcmp(x->ip6, y->ip6, 16) != 0) {
                return 0;
            }
            break;
        case DFX_T_STRS:
            if (x->strs.n != y->strs.n) {
                return 0;
            }
            for (k = 0; k < x->strs.n; k++) {
                if (!dfx_str_eq(x->strs.v[k], y->strs.v[k])) {
                    return 0;
                }
            }
            break;
        case DFX_T_F64S:
            if (x->f64s.n != y->f64s.n
                || (x->f64s.n > 0
                    && memcmp(x->f64s.v, y->f64s.v,
                              x->f64s.n * sizeof(double)) != 0))
            {
                return 0;
            }
            break;
        case DFX_T_I32:
        case DFX_T_I64:
            if (x->i != y->i) {
                return 0;
            }
            break;
        default:
            if (x->u != y->u) {
                return 0;
            }
            break;
        }
    }
    return 1;
}

/* One JSON object, valid UTF-8, nothing after it. */
static void
fz_check_message(const dfx_buf_t *b)
{
    yajl_handle  h;
    yajl_status  st;

    if (b->len < 2 || b->data[0] != '{' || b->data[b->len - 1] != '}') {
        fz_die("message is not a JSON object");
    }
    h = yajl_alloc(NULL, NULL, NULL);
    if (h == NULL) {
        fz_die("out of memory");
    }
    st = yajl_parse(h, (const unsigned char *) b->data, b->len);
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(h);
    }
    if (st != yajl_status_ok) {
        unsigned char  *m = yajl_get_error(h, 1,
                                           (const unsigned char *) b->data,
                                           b->len);
        fprintf(stderr, "%s\n", m != NULL ? (const char *) m : "?");
        fwrite(b->data, 1, b->len, stderr);
        fputc('\n', stderr);
        fz_die("message is not valid JSON");
    }
    yajl_free(h);
}

/* ---- the pipeline ----------------------------------------------------- */

typedef struct fz_req_s {
    const dfx_schema_t  *schema;
    const dfx_dict_t    *dict;
    const char          *text;      /* what columns count in */
    size_t               len;
    unsigned             nrecords;
    const dfx_record_t  *last;      /* JSON check: the one record */
    unsigned             nvalid;
    int                  no_chains; /* JSON check: parse only */
} fz_req_t;

static void
fz_chains_run(fz_req_t *q, const dfx_record_t *rec)
{
    dfx_rec_ctx_t  rc;
    size_t         e;
    int            r;

    for (e = 0; e < FZ_NEXPORTERS; e++) {
        memset(&rc, 0, sizeof(rc));
        rc.chain = fz_chains[e][q->schema->id];
        rc.dict = q->dict;
        rc.out = &fz_out;
        rc.rec = rec;
        rc.key_null = 1;
        rc.drop_group = -1;
        dfx_buf_reset(&fz_out);
        r = dfx_chain_run(rc.chain, &rc);
        if (r == DFX_OK) {
            fz_check_message(&fz_out);
            if (!rc.key_null && rc.key.len > 0 && rc.key.data == NULL) {
                fz_die("key without data");
            }
        } else if (r != DFX_DROP) {
            fz_die("a chain failed on a valid record");
        }
    }
}

static int
fz_json_record(void *arg, dfx_record_t *rec, const dfx_record_err_t *err)
{
    fz_req_t  *q = arg;

    q->nrecords++;
    if (err != NULL) {
        fz_check_err(err, q->len);
        return 0;
    }
    fz_check_record(rec, q->schema);
    q->nvalid++;
    q->last = rec;
    if (!q->no_chains) {
        fz_chains_run(q, rec);
    }
    return 0;
}

/* The text, escaped, for a report. */
static void
fz_dump(const char *what, const char *s, size_t len)
{
    size_t  i;

    fprintf(stderr, "%s (%zu bytes): \"", what, len);
    for (i = 0; i < len && i < 512; i++) {
        unsigned char  c = (unsigned char) s[i];

        if (c == '"' || c == '\\') {
            fprintf(stderr, "\\%c", c);
        } else if (c < 0x20 || c >= 0x7f) {
            fprintf(stderr, "\\x%02x", c);
        } else {
            fputc(c, stderr);
        }
    }
    fprintf(stderr, "\"%s\n", len > 512 ? "..." : "");
}

/* The line again, as an application/json body: the same verdict. */
static void
fz_line_as_json(dfx_record_parser_t *jp, const dfx_schema_t *s,
                const dfx_str_t *line, int lrc, const dfx_record_t *lrec,
                const dfx_dict_t *dict)
{
    dfx_record_err_t  jerr;
    fz_req_t          q;
    size_t            i;
    int               jrc;

    for (i = 0; i < line->len && (line->data[i] == ' '
                                  || line->data[i] == '\t'
                                  || line->data[i] == '\r'); i++)
    {
        /* leading blanks */
    }
    if (i == line->len || line->data[i] != '{') {
        return;     /* an array is a JSON body, never a line */
    }
    memset(&q, 0, sizeof(q));
    q.schema = s;
    q.dict = dict;
    q.text = line->data;
    q.len = line->len;
    q.no_chains = 1;
    dfx_pool_reset(fz_jpool);
    jrc = dfx_record_parse_json(jp, s, line->data, line->len, fz_jpool,
                                fz_json_record, &q, &jerr);
    if (jrc != DFX_OK) {
        fz_check_err(&jerr, line->len);
    }
    if ((lrc == DFX_OK) != (jrc == DFX_OK && q.nvalid == 1
                            && q.nrecords == 1))
    {
        fz_dump("line", line->data, line->len);
        fprintf(stderr, "as a line: rc %d; as a JSON body: rc %d, %u "
                "records, %u valid\n", lrc, jrc, q.nrecords, q.nvalid);
    }
    if (lrc == DFX_OK) {
        if (jrc != DFX_OK || q.nrecords != 1 || q.nvalid != 1) {
            fprintf(stderr, "json: rc %d, %u records, %u valid: %s\n", jrc,
                    q.nrecords, q.nvalid, jrc != DFX_OK ? jerr.msg : "");
            fz_die("valid as an NDJSON line, not as a JSON body");
        }
        if (!fz_same_record(lrec, q.last)) {
            fz_die("an NDJSON line and a JSON body give different values");
        }
    } else if (lrc == DFX_LIMIT) {
        if (jrc != DFX_LIMIT) {
            fz_die("past a limit as an NDJSON line, not as a JSON body");
        }
    } else if (jrc == DFX_OK && q.nvalid > 0) {
        fprintf(stderr, "json: %u records, %u valid\n", q.nrecords,
                q.nvalid);
        fz_die("invalid as an NDJSON line, valid as a JSON body");
    }
}

static void
fz_ndjson(int tight, const dfx_schema_t *s, const char *body, size_t len,
          const dfx_dict_t *dict)
{
    dfx_http_lines_t  it;
    dfx_record_err_t  err;
    dfx_record_t      rec;
    dfx_str_t         line;
    fz_req_t          q;
    uint32_t          max = tight ? 3 : 100000, n = 0;
    int               rc;

    memset(&q, 0, sizeof(q));
    q.schema = s;
    q.dict = dict;
    dfx_http_lines_init(&it, body, len, tight ? 256 : 1024 * 1024);
    for (;;) {
        rc = dfx_http_lines_next(&it, &line);
        if (rc == 0 || rc == DFX_HTTP_LIMIT) {
            return;
        }
        if (rc != 1) {
            fz_die("dfx_http_lines_next: unexpected result");
        }
        if (line.data < body || line.data + line.len > body + len
            || line.len == 0)
        {
            fz_die("line outside the body, or empty");
        }
        if (memchr(line.data, '\n', line.len) != NULL) {
            fz_die("line holds a newline");
        }
        if (n++ >= max) {
            return;
        }
        dfx_pool_reset(fz_pool);
        memset(&rec, 0, sizeof(rec));
        rc = dfx_record_parse_line(fz_parser, s, line.data, line.len,
                                   fz_pool, &rec, &err);
        if (rc == DFX_OK) {
            fz_check_record(&rec, s);
            q.len = line.len;
            fz_chains_run(&q, &rec);
        } else if (rc == DFX_ERROR || rc == DFX_LIMIT) {
            fz_check_err(&err, line.len);
        } else {
            fz_die("dfx_record_parse_line: unexpected result");
        }
        fz_line_as_json(fz_jparser, s, &line, rc, &rec, dict);
        if (rc == DFX_LIMIT) {
            return;
        }
    }
}

static void
fz_json(int tight, const dfx_schema_t *s, const char *body, size_t len,
        const dfx_dict_t *dict)
{
    dfx_record_err_t  err;
    fz_req_t          q;
    int               rc;

    memset(&q, 0, sizeof(q));
    q.schema = s;
    q.dict = dict;
    q.text = body;
    q.len = len;
    dfx_pool_reset(fz_pool);
    rc = dfx_record_parse_json(fz_parser, s, body, len, fz_pool,
                               fz_json_record, &q, &err);
    if (rc == DFX_ERROR || rc == DFX_LIMIT) {
        fz_check_err(&err, len);
    } else if (rc != DFX_OK) {
        fz_die("dfx_record_parse_json: unexpected result");
    }
    if (tight && q.nrecords > 3) {
        fz_die("more records than limits.records");
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const dfx_schema_t  *s;
    const dfx_dict_t    *dict;
    struct iovec         iov[2];
    char                *copy = NULL;
    char                 err[256];
    size_t               len, half;
    int                  sel, tight, rc;

    if (size < 1) {
        return 0;
    }
    sel = data[0];
    s = dfx_schemas[(sel & 0x0f) % DFX_DS_COUNT];
    tight = (sel & 0x40) != 0;
    dict = (sel & 0x80) ? NULL : fz_dict;

    fz_parser = dfx_record_parser_create(&fz_limits[tight]);
    fz_jparser = dfx_record_parser_create(&fz_limits[tight]);
    if (fz_parser == NULL || fz_jparser == NULL) {
        goto cleanup;
    }

    /* a copy of exactly the body's size, so that ASan sees any read past
     * its end */
    len = size - 1;
    copy = malloc(len ? len : 1);
    if (copy == NULL) {
        goto cleanup;
    }
    memcpy(copy, data + 1, len);

    if (sel & 0x20) {
        half = len / 2;
        iov[0].iov_base = copy;
        iov[0].iov_len = half;
        iov[1].iov_base = copy + half;
        iov[1].iov_len = len - half;
        rc = dfx_http_gunzip(&fz_gz, iov, 2, tight ? 4096 : 1024 * 1024,
                             &fz_body, err, sizeof(err));
        if (rc == -1 && (memchr(err, '\0', sizeof(err)) == NULL
                         || err[0] == '\0'))
        {
            fz_die("gunzip error without a message");
        }
        if (rc != 0) {
            goto cleanup;
        }
        if (tight && fz_body.len > 4096) {
            fz_die("gunzip went past its limit");
        }
        /* again exactly the size of what was decoded */
        free(copy);
        len = fz_body.len;
        copy = malloc(len ? len : 1);
        if (copy == NULL) {
            goto cleanup;
        }
        if (len > 0) {
            memcpy(copy, fz_body.data, len);
        }
    }

    if (sel & 0x10) {
        fz_json(tight, s, copy, len, dict);
    } else {
        fz_ndjson(tight, s, copy, len, dict);
    }

cleanup:
    free(copy);
    dfx_record_parser_destroy(fz_parser);
    dfx_record_parser_destroy(fz_jparser);
    fz_parser = NULL;
    fz_jparser = NULL;
    return 0;
}
