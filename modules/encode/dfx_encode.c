/*
 * dfx_encode.c: the Kafka message of one record, as DeepFlow writes it.
 *
 *   {"datasource":"<name>", the emit plan's fields in schema order,
 *    k8s label arrays (when a label selection exists), "time_str":"..."}
 *
 * compact, no trailing newline.  Typing: integers exact (uint64 to
 * 2^64-1, negative int32/int64), bools 1/0, addresses and MACs as strings
 * (dfx_encode.h), strings and every array element JSON-escaped, float
 * arrays in Go's shortest 'f' form.  A nullable field that is null or
 * absent, and an absent IPv6 field, are left out; any other absent field
 * has its zero value.  The empty rules marked on the plan are applied
 * here, on the final (translated) value.
 *
 * Speed: the plan is final when this stage is set up, so the worst case
 * of every fixed-width part of a message (keys, numbers, addresses,
 * time_str) is known then; a record reserves it once and writes through
 * a plain pointer.  Only variable-length values (strings, arrays, names)
 * make sure of their own room.  Nothing is allocated per field.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_core.h"
#include "dfx_time.h"
#include "encode/dfx_encode.h"
#include "enum_translate/dfx_enum_dict.h"
#include "universal_tag/dfx_universal_tag.h"

/* The longest fixed-width value: a quoted IPv6 address. */
#define DFX_ENC_VALUE_MAX  (DFX_IP6_STR_MAX + 2)

#define DFX_EMIT_DROP_ANY  (DFX_EMIT_DROP_EMPTY | DFX_EMIT_DROP_ZERO)

typedef struct dfx_encode_s {
    const char  *head;          /* {"datasource":"<name>" */
    size_t       head_len;
    size_t       fixed;         /* worst case of the fixed-width parts */
    unsigned     label_sides;   /* sides to ask labels for; 0: none */
} dfx_encode_t;

static const char  dfx_time_key[] = ",\"time_str\":\"";
static const char  dfx_head_key[] = "{\"datasource\":\"";

/* The value of an absent field: 0, "", 0.0.0.0, 00:..:00, []. */
static const dfx_value_t  dfx_zero_value;

static const char  dfx_digits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "68697071727374757677787980818283848586878889909192939495969798990000";

static const char  dfx_hex[] = "0123456789abcdef";

/* ---- text forms ----------------------------------------------------- */

static inline char *
dfx_enc_cpy(char *o, const void *p, size_t n)
{
    memcpy(o, p, n);
    return o + n;
}

/* Keys and short names: a libc call per copy costs more than the copy,
 * so words and then bytes, with fixed-size memcpy the compiler inlines. */
static inline char *
dfx_enc_cpy_short(char *o, const char *p, size_t n)
{
    while (n >= 8) {
        memcpy(o, p, 8);
        o += 8;
        p += 8;
        n -= 8;
    }
    if (n >= 4) {
        memcpy(o, p, 4);
        o += 4;
        p += 4;
        n -= 4;
    }
    while (n != 0) {
        *o++ = *p++;
        n--;
    }
    return o;
}

static inline unsigned
dfx_u64_digits(uint64_t v)
{
    unsigned  n = 1;

    for (;;) {
        if (v < 10) {
            return n;
        }
        if (v < 100) {
            return n + 1;
        }
        if (v < 1000) {
            return n + 2;
        }
        if (v < 10000) {
            return n + 3;
        }
        v /= 10000;
        n += 4;
    }
}

/* Written from the last digit back, straight into the output. */
static inline char *
dfx_enc_u64(char *o, uint64_t v)
{
    unsigned  n = dfx_u64_digits(v), r;
    char     *end = o + n, *p = end;

    while (v >= 100) {
        r = (unsigned) (v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, dfx_digits2 + r * 2, 2);
    }
    if (v >= 10) {
        memcpy(p - 2, dfx_digits2 + v * 2, 2);
    } else {
        p[-1] = (char) ('0' + v);
    }
    return end;
}

static inline char *
dfx_enc_i64(char *o, int64_t v)
{
    if (v < 0) {
        *o++ = '-';
        /* in unsigned arithmetic: INT64_MIN has no positive twin */
        return dfx_enc_u64(o, (uint64_t) 0 - (uint64_t) v);
    }
    return dfx_enc_u64(o, (uint64_t) v);
}

static inline char *
dfx_enc_octet(char *o, unsigned b)
{
    if (b >= 100) {
        *o++ = (char) ('0' + b / 100);
        b %= 100;
        return dfx_enc_cpy(o, dfx_digits2 + b * 2, 2);
    }
    if (b >= 10) {
        return dfx_enc_cpy(o, dfx_digits2 + b * 2, 2);
    }
    *o++ = (char) ('0' + b);
    return o;
}

static inline char *
dfx_enc_ip4(char *o, uint32_t ip)
{
    o = dfx_enc_octet(o, ip >> 24);
    *o++ = '.';
    o = dfx_enc_octet(o, (ip >> 16) & 0xff);
    *o++ = '.';
    o = dfx_enc_octet(o, (ip >> 8) & 0xff);
    *o++ = '.';
    return dfx_enc_octet(o, ip & 0xff);
}

size_t
dfx_encode_ip4(uint32_t ip, char *out)
{
    return (size_t) (dfx_enc_ip4(out, ip) - out);
}

static char *
dfx_enc_ip6(char *o, const uint8_t *a)
{
    unsigned  w[8], i, best = 8, bestlen = 0, cur = 8, curlen = 0;
    int       started;

    for (i = 0; i < 8; i++) {
        w[i] = (unsigned) a[2 * i] << 8 | a[2 * i + 1];
    }

    if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0
        && w[5] == 0xffff)
    {
        o = dfx_enc_cpy(o, "::ffff:", 7);
        return dfx_enc_ip4(o, (uint32_t) a[12] << 24 | (uint32_t) a[13] << 16
                              | (uint32_t) a[14] << 8 | a[15]);
    }

    for (i = 0; i < 8; i++) {
        if (w[i] != 0) {
            cur = 8;
            continue;
        }
        if (cur == 8) {
            cur = i;
            curlen = 0;
        }
        curlen++;
        /* strictly longer: the leftmost run wins a tie */
        if (curlen > bestlen) {
            best = cur;
            bestlen = curlen;
        }
    }
    if (bestlen < 2) {
        best = 8;
        bestlen = 0;
    }

    for (i = 0; i < 8; i++) {
        if (i == best) {
            *o++ = ':';
            *o++ = ':';
            i += bestlen - 1;
            continue;
        }
        if (i != 0 && i != best + bestlen) {
            *o++ = ':';
        }
        started = 0;
        if (w[i] >> 12) {
            *o++ = dfx_hex[w[i] >> 12];
            started = 1;
        }
        if (started || (w[i] >> 8 & 0xf)) {
            *o++ = dfx_hex[w[i] >> 8 & 0xf];
            started = 1;
        }
        if (started || (w[i] >> 4 & 0xf)) {
            *o++ = dfx_hex[w[i] >> 4 & 0xf];
        }
        *o++ = dfx_hex[w[i] & 0xf];
    }
    return o;
}

size_t
dfx_encode_ip6(const uint8_t ip[16], char *out)
{
    return (size_t) (dfx_enc_ip6(out, ip) - out);
}

static inline char *
dfx_enc_mac(char *o, uint64_t mac)
{
    int       shift;
    unsigned  b;

    for (shift = 40; shift >= 0; shift -= 8) {
        b = (unsigned) (mac >> shift) & 0xff;
        *o++ = dfx_hex[b >> 4];
        *o++ = dfx_hex[b & 0xf];
        if (shift != 0) {
            *o++ = ':';
        }
    }
    return o;
}

size_t
dfx_encode_mac(uint64_t mac, char *out)
{
    return (size_t) (dfx_enc_mac(out, mac) - out);
}

size_t
dfx_encode_f64(double v, char *out)
{
    char    e[40], digits[20], *o = out;
    char   *p;
    int     prec, n, exp10, point, i;

    if (!isfinite(v)) {
        return (size_t) (dfx_enc_cpy(out, "null", 4) - out);
    }
    if (signbit(v)) {
        *o++ = '-';
        v = -v;
    }
    if (v == 0) {
        *o++ = '0';
        return (size_t) (o - out);
    }
    if (v < 9007199254740992.0 && v == (double) (uint64_t) v) {
        /* integral and exact: no digit search needed */
        return (size_t) (dfx_enc_u64(o, (uint64_t) v) - out);
    }

    /* The shortest precision whose correctly rounded decimal reads back
     * as v is Go's shortest form (the rounded one is the nearest of its
     * length, so it is the one Go picks). */
    for (prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec - 1, v);
        if (strtod(e, NULL) == v) {
            break;
        }
    }

    /* e is "d[.ddd]e[+-]XX" */
    n = 0;
    for (p = e; *p != 'e'; p++) {
        if (*p != '.') {
            digits[n++] = *p;
        }
    }
    exp10 = atoi(p + 1);
    while (n > 1 && digits[n - 1] == '0') {
        n--;
    }

    point = exp10 + 1;      /* digits before the decimal point */
    if (point <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (i = 0; i < -point; i++) {
            *o++ = '0';
        }
        o = dfx_enc_cpy(o, digits, (size_t) n);
    } else if (point >= n) {
        o = dfx_enc_cpy(o, digits, (size_t) n);
        for (i = n; i < point; i++) {
            *o++ = '0';
        }
    } else {
        o = dfx_enc_cpy(o, digits, (size_t) point);
        *o++ = '.';
        o = dfx_enc_cpy(o, digits + point, (size_t) (n - point));
    }
    return (size_t) (o - out);
}

/* ---- per-thread scratch for universal-tag values -------------------- */

static pthread_key_t               dfx_scratch_key;
static pthread_once_t              dfx_scratch_once = PTHREAD_ONCE_INIT;
static int                         dfx_scratch_key_ok;
static _Thread_local dfx_buf_t    *dfx_scratch;

static void
dfx_scratch_free(void *p)
{
    dfx_buf_free(p);
    free(p);
}

static void
dfx_scratch_key_create(void)
{
    dfx_scratch_key_ok = pthread_key_create(&dfx_scratch_key,
                                            dfx_scratch_free) == 0;
}

/* A buffer that lives as long as the thread (freed at its exit). */
static dfx_buf_t *
dfx_scratch_get(void)
{
    dfx_buf_t  *b;

    if (dfx_scratch != NULL) {
        return dfx_scratch;
    }
    pthread_once(&dfx_scratch_once, dfx_scratch_key_create);
    if (!dfx_scratch_key_ok) {
        return NULL;
    }
    b = calloc(1, sizeof(*b));
    if (b == NULL) {
        return NULL;
    }
    if (pthread_setspecific(dfx_scratch_key, b) != 0) {
        free(b);
        return NULL;
    }
    dfx_scratch = b;
    return b;
}

/* ---- the message key ------------------------------------------------ */

static void
dfx_encode_key(dfx_rec_ctx_t *rc, unsigned fi)
{
    const dfx_field_t  *f = &rc->chain->schema->fields[fi];
    const dfx_value_t  *v;
    char               *k = rc->key_buf;

    rc->key_null = 0;
    if (rc->rec->state[fi] == DFX_SLOT_SET) {
        v = &rc->rec->v[fi];
    } else if ((f->flags & DFX_FIELD_NULLABLE) || f->type == DFX_T_IP6) {
        rc->key = (dfx_str_t) dfx_null_string;
        rc->key_null = 1;
        return;
    } else {
        v = &dfx_zero_value;
    }

    switch (f->type) {
    case DFX_T_STR:
        /* "" is a key, unlike a NULL pointer to librdkafka */
        rc->key = v->s.len != 0 ? v->s : dfx_str_make(rc->key_buf, 0);
        return;
    case DFX_T_I32:
    case DFX_T_I64:
        k = dfx_enc_i64(k, v->i);
        break;
    case DFX_T_BOOL:
        *k++ = v->u ? '1' : '0';
        break;
    case DFX_T_IP4:
        k = dfx_enc_ip4(k, (uint32_t) v->u);
        break;
    case DFX_T_IP6:
        k = dfx_enc_ip6(k, v->ip6);
        break;
    case DFX_T_MAC:
        k = dfx_enc_mac(k, v->u);
        break;
    case DFX_T_STRS:
    case DFX_T_F64S:
        /* an array has no text form as a key */
        rc->key = (dfx_str_t) dfx_null_string;
        rc->key_null = 1;
        return;
    default:
        k = dfx_enc_u64(k, v->u);
        break;
    }
    rc->key = dfx_str_make(rc->key_buf, (size_t) (k - rc->key_buf));
}

/* ---- the message ---------------------------------------------------- */

/* Makes room for n variable bytes on top of the fixed-width worst case,
 * keeping o valid across a reallocation. */
#define DFX_ENC_ROOM(n)                                                     \
    do {                                                                    \
        out->len = (size_t) (o - out->data);                                \
        if (dfx_buf_reserve(out, (n) + enc->fixed) != 0) {                  \
            goto nomem;                                                     \
        }                                                                   \
        o = out->data + out->len;                                           \
    } while (0)

#define DFX_ENC_KEY(k)                                                      \
    do {                                                                    \
        *o++ = ',';                                                         \
        o = dfx_enc_cpy_short(o, (k).data, (k).len);                        \
    } while (0)

static int
dfx_encode_process(void *data, dfx_rec_ctx_t *rc)
{
    const dfx_encode_t  *enc = data;
    const dfx_chain_t   *chain = rc->chain;
    const dfx_record_t  *rec = rc->rec;
    const dfx_field_t   *fields = chain->schema->fields;
    const dfx_field_t   *f;
    const dfx_emit_t    *e, *end;
    const dfx_value_t   *v;
    const dfx_str_t     *name;
    dfx_buf_t           *out = rc->out;
    dfx_buf_t           *scratch;
    dfx_str_t            key, s;
    size_t               start, i, n;
    uint32_t             dropped = 0, unknown = 0, uunknown = 0;
    unsigned             fmt, side;
    char                *o;

    start = out->len;
    if (dfx_buf_reserve(out, enc->fixed) != 0) {
        return DFX_ERROR;
    }
    o = dfx_enc_cpy(out->data + out->len, enc->head, enc->head_len);

    for (e = chain->emit, end = e + chain->nemit; e < end; e++) {
        f = &fields[e->field];
        if (rec->state[e->field] == DFX_SLOT_SET) {
            v = &rec->v[e->field];
        } else if ((f->flags & DFX_FIELD_NULLABLE) || f->type == DFX_T_IP6) {
            continue;
        } else {
            v = &dfx_zero_value;
        }

        key = e->key;
        fmt = e->fmt;

        if (fmt == DFX_FMT_UTAG) {
            if (rc->dict != NULL) {
                scratch = dfx_scratch_get();
                if (scratch == NULL) {
                    goto nomem;
                }
                s = dfx_universal_tag_value(rc, e, scratch);
                if (s.len == 0) {
                    if (f->type == DFX_T_I32 || f->type == DFX_T_I64
                        ? v->i > 0 : v->u != 0)
                    {
                        uunknown++;
                    }
                    if (e->flags & DFX_EMIT_DROP_ANY) {
                        dropped++;
                        continue;
                    }
                    s = (dfx_str_t) dfx_string("\"\"");
                }
                DFX_ENC_ROOM(s.len);
                DFX_ENC_KEY(key);
                o = dfx_enc_cpy(o, s.data, s.len);
                continue;
            }
            /* no dictionary: exactly as with translation disabled */
            key = e->key_raw;
            fmt = DFX_FMT_RAW;
        }

        if (e->xlat != NULL) {
            /* DFX_FMT_ENUM, or a raw universal-tag field with an enum */
            if (f->type == DFX_T_STR) {
                name = dfx_enum_dict_json_str(e->xlat, v->s.data, v->s.len);
                if (name == NULL && v->s.len != 0) {
                    unknown++;
                }
            } else {
                name = dfx_enum_dict_json_int(e->xlat,
                                              f->type == DFX_T_I32
                                              || f->type == DFX_T_I64
                                              ? v->i : (int64_t) v->u);
                if (name == NULL) {
                    unknown++;
                }
            }
            if (name == NULL || name->len <= 2) {
                /* "" */
                if (e->flags & DFX_EMIT_DROP_ANY) {
                    dropped++;
                    continue;
                }
                DFX_ENC_KEY(key);
                *o++ = '"';
                *o++ = '"';
                continue;
            }
            DFX_ENC_ROOM(name->len);
            DFX_ENC_KEY(key);
            o = dfx_enc_cpy(o, name->data, name->len);
            continue;
        }

        switch (f->type) {

        case DFX_T_U8:
        case DFX_T_U16:
        case DFX_T_U32:
        case DFX_T_U64:
            if (v->u == 0 && (e->flags & DFX_EMIT_DROP_ZERO)) {
                dropped++;
                break;
            }
            DFX_ENC_KEY(key);
            o = dfx_enc_u64(o, v->u);
            break;

        case DFX_T_I32:
        case DFX_T_I64:
            if (v->i == 0 && (e->flags & DFX_EMIT_DROP_ZERO)) {
                dropped++;
                break;
            }
            DFX_ENC_KEY(key);
            o = dfx_enc_i64(o, v->i);
            break;

        case DFX_T_BOOL:
            if (v->u == 0 && (e->flags & DFX_EMIT_DROP_ZERO)) {
                dropped++;
                break;
            }
            DFX_ENC_KEY(key);
            *o++ = v->u ? '1' : '0';
            break;

        case DFX_T_STR:
            if (v->s.len == 0) {
                if (e->flags & DFX_EMIT_DROP_ANY) {
                    dropped++;
                    break;
                }
                DFX_ENC_KEY(key);
                *o++ = '"';
                *o++ = '"';
                break;
            }
            DFX_ENC_ROOM(v->s.len * 6 + 2);
            DFX_ENC_KEY(key);
            out->len = (size_t) (o - out->data);
            /* cannot fail: the room is there */
            (void) dfx_buf_json_str(out, v->s.data, v->s.len);
            o = out->data + out->len;
            break;

        case DFX_T_IP4:
            DFX_ENC_KEY(key);
            *o++ = '"';
            o = dfx_enc_ip4(o, (uint32_t) v->u);
            *o++ = '"';
            break;

        case DFX_T_IP6:
            DFX_ENC_KEY(key);
            *o++ = '"';
            o = dfx_enc_ip6(o, v->ip6);
            *o++ = '"';
            break;

        case DFX_T_MAC:
            DFX_ENC_KEY(key);
            *o++ = '"';
            o = dfx_enc_mac(o, v->u);
            *o++ = '"';
            break;

        case DFX_T_STRS:
            n = v->strs.n;
            if (n == 0 && (e->flags & DFX_EMIT_DROP_EMPTY)) {
                dropped++;
                break;
            }
            DFX_ENC_KEY(key);
            *o++ = '[';
            for (i = 0; i < n; i++) {
                DFX_ENC_ROOM(v->strs.v[i].len * 6 + 3);
                if (i != 0) {
                    *o++ = ',';
                }
                out->len = (size_t) (o - out->data);
                (void) dfx_buf_json_str(out, v->strs.v[i].data,
                                        v->strs.v[i].len);
                o = out->data + out->len;
            }
            *o++ = ']';
            break;

        case DFX_T_F64S:
            n = v->f64s.n;
            if (n == 0 && (e->flags & DFX_EMIT_DROP_ZERO)) {
                dropped++;
                break;
            }
            DFX_ENC_KEY(key);
            *o++ = '[';
            for (i = 0; i < n; i++) {
                DFX_ENC_ROOM(DFX_F64_STR_MAX + 1);
                if (i != 0) {
                    *o++ = ',';
                }
                o += dfx_encode_f64(v->f64s.v[i], o);
            }
            *o++ = ']';
            break;

        default:
            /* a schema type this encoder does not know: a bug */
            dfx_assert(0);
        }
    }

    if (enc->label_sides != 0 && rc->dict != NULL) {
        for (side = 0; side < enc->label_sides; side++) {
            out->len = (size_t) (o - out->data);
            if (dfx_universal_tag_labels(rc, side, out) != 0) {
                goto nomem;
            }
            o = out->data + out->len;
        }
        DFX_ENC_ROOM(0);
    }

    o = dfx_enc_cpy(o, dfx_time_key, sizeof(dfx_time_key) - 1);
    o += dfx_time_str(rec->ts_us, o);
    *o++ = '"';
    *o++ = '}';
    out->len = (size_t) (o - out->data);

    rc->empty_dropped += dropped;
    rc->enum_unknown += unknown;
    rc->utag_unknown += uunknown;

    if (chain->key_field >= 0) {
        dfx_encode_key(rc, (unsigned) chain->key_field);
    } else {
        rc->key = (dfx_str_t) dfx_null_string;
        rc->key_null = 1;
    }
    return DFX_OK;

nomem:
    out->len = start;
    return DFX_ERROR;
}

static int
dfx_encode_init(dfx_chain_t *chain, const void *conf, void **data)
{
    const dfx_schema_t  *schema = chain->schema;
    const dfx_emit_t    *e;
    dfx_encode_t        *enc;
    size_t               i, nlen, klen;
    char                *h;

    DFX_UNUSED(conf);

    enc = dfx_pool_calloc(chain->pool, sizeof(*enc));
    nlen = strlen(schema->name);
    enc->head_len = sizeof(dfx_head_key) - 1 + nlen + 1;
    h = dfx_pool_alloc(chain->pool, enc->head_len);
    if (enc == NULL || h == NULL) {
        return DFX_ERROR;
    }
    memcpy(h, dfx_head_key, sizeof(dfx_head_key) - 1);
    memcpy(h + sizeof(dfx_head_key) - 1, schema->name, nlen);
    h[enc->head_len - 1] = '"';
    enc->head = h;

    enc->fixed = enc->head_len;
    for (i = 0; i < chain->nemit; i++) {
        e = &chain->emit[i];
        klen = e->key.len > e->key_raw.len ? e->key.len : e->key_raw.len;
        enc->fixed += 1 + klen + DFX_ENC_VALUE_MAX;
    }
    enc->fixed += sizeof(dfx_time_key) - 1 + DFX_TIME_STR_MAX + 2;

    if (chain->labels.all || chain->labels.nnames != 0
        || chain->labels.nregexes != 0)
    {
        enc->label_sides = schema->nsides;
    }

    *data = enc;
    return DFX_OK;
}

const dfx_module_t  dfx_encode_module = {
    .name       = "encode",
    .keys       = NULL,
    .conf_size  = 0,
    .conf_check = NULL,
    .init       = dfx_encode_init,
    .process    = dfx_encode_process,
    .fini       = NULL,
};
