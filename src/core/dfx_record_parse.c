/*
 * dfx_record_parse.c: the streaming record parser (yajl events -> slots).
 *
 * Each yajl event is handled by a small state machine: a member name picks
 * the slot (a guess that the next member is the next field in emission
 * order, then the schema's hash), the value is checked and stored at once.
 * Strings that yajl hands out as pointers into the input are kept as
 * slices of it (the input outlives the record); only strings yajl had to
 * unescape are copied into the pool.  After a record is found invalid the
 * rest of it is skipped, still syntax-checked by yajl, so one handle keeps
 * going through an array of records.
 *
 * UTF-8 is checked here, once, with yajl's own check turned off: every
 * string and member name, in one pass that skips ASCII a word at a time.
 * A malformed sequence (a byte yajl's lexer would have refused) makes the
 * text invalid JSON, as yajl would have: the line, or a JSON body as a
 * whole, at the same column.  The forms yajl's lexer let through and RFC
 * 3629 forbids (overlong, surrogates, past U+10FFFF) reject the record
 * only.
 *
 * A yajl handle cannot be reset, but with yajl_allow_multiple_values it
 * goes back to its start state after every complete value, so the parser
 * keeps one handle until a parse ends in an error or a cancel.  (The
 * first token of each text then reaches the callbacks from a copy inside
 * yajl; only top-level values, never record members, are affected.)
 *
 * The ClickHouse dialect is reached only where the strict rules would
 * reject a value (a number that is no integer, a string for a field that
 * takes none, a null in a float array), so that the strict path does not
 * even test which dialect is in force.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "dfx_core.h"
#include "dfx_record_parse.h"
#include "dfx_tz.h"

#define DFX_RP_DEFAULT_DEPTH    32
#define DFX_RP_DEFAULT_RECORDS  100000

/* How much of an offending value an error message quotes. */
#define DFX_RP_QUOTE_MAX        48

/* The ClickHouse dialect's ways in: kept out of the strict callbacks
 * (not inlined into them, laid out with the cold code), so that the
 * strict path compiles as it would without the dialect. */
#define DFX_RP_CH_ENTRY         __attribute__((noinline, cold))

typedef enum {
    DFX_RP_TOP = 0,         /* before the top-level value */
    DFX_RP_ARRAY,           /* JSON body: between records of the array */
    DFX_RP_KEY,             /* in a record: a member name or the end */
    DFX_RP_VALUE,           /* in a record: the value of a known field */
    DFX_RP_ELEMS,           /* the elements of a STRS or F64S value */
    DFX_RP_SKIP_VALUE,      /* an unknown member's value, then KEY */
    DFX_RP_SKIP_RECORD,     /* the rest of a rejected record */
    DFX_RP_SKIP_ELEMENT,    /* a top-level value that is not an object */
    DFX_RP_DONE,            /* the top-level value is complete */
} dfx_rp_state_t;

typedef enum {
    DFX_RP_LINE = 0,
    DFX_RP_JSON,
} dfx_rp_mode_t;

/*
 * Per data source: the field that followed each field in the last record
 * (next[nfields]: the first field), and the length of every name.  A
 * producer sends its fields in one order, so the guess nearly always
 * hits and the member name costs one compare instead of a hash lookup.
 */
typedef struct dfx_rp_order_s {
    const dfx_schema_t     *schema;
    uint16_t               *next;
    uint16_t               *len;
} dfx_rp_order_t;

struct dfx_record_parser_s {
    yajl_handle             h;          /* NULL until needed, or after an
                                         * error left it unusable */
    dfx_parse_limits_t      lim;
    dfx_rp_order_t          order[DFX_DS_COUNT];

    /* the current parse */
    dfx_rp_mode_t           mode;
    dfx_rp_state_t          state;
    int                     in_array;   /* JSON body: inside its array */
    const dfx_schema_t     *schema;
    const char             *text;
    size_t                  len;
    size_t                  first;      /* offset of the first token */
    dfx_pool_t             *pool;
    dfx_record_cb           cb;
    void                   *cb_arg;

    dfx_record_t           *rec;        /* the record being filled */
    dfx_record_err_t       *err;        /* where its problem goes */
    dfx_record_err_t        rec_err;    /* JSON bodies: per record */
    dfx_record_err_t       *body_err;   /* the caller's err */
    int                     failed;     /* rec has a problem */

    uint32_t                depth;      /* nesting inside the record */
    uint32_t                skip_depth; /* SKIP_VALUE: depth to return to */
    uint32_t                nrecords;   /* top-level elements seen */
    int                     field;      /* slot of the current member */
    dfx_rp_order_t         *ord;        /* the schema's, or NULL */
    unsigned                prev;       /* last field matched (nfields at
                                         * the start of a record) */
    dfx_str_t               key;        /* the current member's name */
    char                    keybuf[64]; /* ...when yajl unescaped it */
    unsigned                lone;       /* the lone surrogate escape of the
                                         * string just refused, or 0 */
    int                     result;     /* DFX_ERROR/DFX_LIMIT on cancel */
    size_t                  end;        /* offset just past the top-level
                                         * value, once state is DONE */

    /* elements of the array value being read */
    void                   *elems;
    size_t                  nelems;
    size_t                  elems_cap;  /* bytes */

    /* how values are read: dfx_record_parser_set_dialect() */
    dfx_dialect_t           dialect;
    const dfx_tz_t         *tz;         /* DateTime text's zone: zones[0] */
    int                     keep_unknown;   /* names of unknown members */
    dfx_tz_t               *zones[DFX_RP_ZONES];   /* loaded, the most
                                                    * recently used
                                                    * first */
};

/* ---- unknown members (dry runs) -------------------------------------- */

void
dfx_record_parser_keep_unknown(dfx_record_parser_t *p, int on)
{
    p->keep_unknown = on;
}

/* Adds the name of an unknown member to the record (out of memory or
 * past DFX_RECORD_UNKNOWN_MAX: not listed, still counted). */
static void
dfx_rp_keep_unknown(dfx_record_parser_t *p, const char *k, size_t len)
{
    dfx_record_t  *rec = p->rec;
    char          *name;

    if (rec->unknown_names == NULL) {
        rec->unknown_names = dfx_pool_alloc(p->pool, DFX_RECORD_UNKNOWN_MAX
                                                     * sizeof(dfx_str_t));
        rec->nunknown_names = 0;
        if (rec->unknown_names == NULL) {
            return;
        }
    }
    if (rec->nunknown_names >= DFX_RECORD_UNKNOWN_MAX) {
        return;
    }
    name = dfx_pool_strndup(p->pool, k, len);
    if (name != NULL) {
        rec->unknown_names[rec->nunknown_names++] = dfx_str_make(name, len);
    }
}

/* ---- errors ----------------------------------------------------------- */

/* Copies at most max bytes of s into out, cut on a UTF-8 boundary, with
 * "..." when cut. */
static void
dfx_rp_quote(char *out, size_t size, const char *s, size_t len, size_t max)
{
    size_t  n = len;

    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char) s[n] & 0xc0) == 0x80) {
            n--;
        }
    }
    snprintf(out, size, "%.*s%s", (int) n, s, n < len ? "..." : "");
}

/* The 1-based column of byte offset start. */
static uint32_t
dfx_rp_column(size_t start)
{
    return start >= UINT32_MAX ? UINT32_MAX : (uint32_t) start + 1;
}

/* Whether yajl passed a pointer into the text rather than into a buffer
 * of its own. */
static int
dfx_rp_in_text(const dfx_record_parser_t *p, const char *s)
{
    return (uintptr_t) s >= (uintptr_t) p->text
           && (uintptr_t) s < (uintptr_t) p->text + p->len;
}

static size_t
dfx_rp_consumed(const dfx_record_parser_t *p)
{
    return yajl_get_bytes_consumed(p->h);
}

/* Start offset of the string token whose bytes yajl passed as s. */
static size_t
dfx_rp_string_start(const dfx_record_parser_t *p, const char *s)
{
    size_t  i, bs, end;

    if (dfx_rp_in_text(p, s)) {
        return (size_t) (s - p->text) - 1;
    }

    /* yajl unescaped it into a buffer of its own: the token ends just
     * before the current offset, and starts at the nearest '"' before its
     * closing one that is not escaped (preceded by an even number of
     * backslashes) */
    end = dfx_rp_consumed(p);
    if (end < 2 || end > p->len) {
        return 0;
    }
    for (i = end - 1; i-- > 0; ) {
        if (p->text[i] != '"') {
            continue;
        }
        for (bs = 0; bs < i && p->text[i - 1 - bs] == '\\'; bs++) {
            /* void */
        }
        if (bs % 2 == 0) {
            return i;
        }
    }
    return 0;
}

/* Start offset of a number token.  yajl hands out the first token of a
 * text, and a number that ends the text, from a copy of its own. */
static size_t
dfx_rp_number_start(const dfx_record_parser_t *p, const char *s, size_t len)
{
    if (dfx_rp_in_text(p, s)) {
        return (size_t) (s - p->text);
    }
    if (p->state == DFX_RP_TOP || p->len < len) {
        return p->first;
    }
    return p->len - len;
}

/* Start offset of a token of n bytes that yajl has just consumed. */
static size_t
dfx_rp_token_start(const dfx_record_parser_t *p, size_t n)
{
    size_t  end = dfx_rp_consumed(p);

    return end >= n ? end - n : 0;
}

/* Rejects the current record: the first problem is kept, the rest of the
 * record skipped.  Returns 1 so that callbacks can return it (go on). */
static int
dfx_rp_reject(dfx_record_parser_t *p, size_t start, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
dfx_rp_reject(dfx_record_parser_t *p, size_t start, const char *fmt, ...)
{
    va_list  ap;

    if (!p->failed) {
        p->failed = 1;
        if (p->key.data != NULL) {
            dfx_rp_quote(p->err->field, sizeof(p->err->field), p->key.data,
                         p->key.len, sizeof(p->err->field) - 4);
        } else {
            p->err->field[0] = '\0';
        }
        va_start(ap, fmt);
        vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
        va_end(ap);
        p->err->column = dfx_rp_column(start);
    }
    if (p->state != DFX_RP_SKIP_ELEMENT) {
        p->state = DFX_RP_SKIP_RECORD;
    }
    return 1;
}

/* Stops the whole parse (limit passed, body of the wrong shape). */
static int
dfx_rp_stop(dfx_record_parser_t *p, int result, size_t start,
    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
dfx_rp_stop(dfx_record_parser_t *p, int result, size_t start,
    const char *fmt, ...)
{
    dfx_record_err_t  *err = p->body_err;
    va_list            ap;

    err->field[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->column = dfx_rp_column(start);
    p->result = result;
    return 0;
}

/* ---- records ---------------------------------------------------------- */

static int
dfx_rp_record_begin(dfx_record_parser_t *p)
{
    const dfx_schema_t  *s = p->schema;
    dfx_record_t        *rec = p->rec;

    if (p->mode == DFX_RP_JSON) {
        rec = dfx_pool_calloc(p->pool, sizeof(dfx_record_t));
        if (rec == NULL) {
            return -1;
        }
        rec->index = p->nrecords - 1;
        p->rec = rec;
        memset(&p->rec_err, 0, sizeof(p->rec_err));
        p->err = &p->rec_err;
    }
    rec->schema = s;
    rec->v = dfx_pool_calloc(p->pool, s->nfields * sizeof(dfx_value_t));
    rec->state = dfx_pool_calloc(p->pool, s->nfields);
    if (rec->v == NULL || rec->state == NULL) {
        return -1;
    }
    p->failed = 0;
    p->key.data = NULL;
    p->key.len = 0;
    p->prev = s->nfields;
    return 0;
}

/* A record (or a top-level value that is no record) is complete. */
static int
dfx_rp_record_end(dfx_record_parser_t *p)
{
    dfx_record_t       *rec = p->rec;
    const dfx_field_t  *f;
    unsigned            ts = p->schema->ts_field;

    if (!p->failed && rec->state[ts] == DFX_SLOT_SET) {
        f = &p->schema->fields[ts];
        if (p->schema->ts_unit == DFX_TS_SECONDS) {
            /* time is a uint32: the product fits */
            rec->ts_us = (int64_t) rec->v[ts].u * 1000000;
        } else {
            rec->ts_us = f->type <= DFX_T_U64 ? (int64_t) rec->v[ts].u
                                               : rec->v[ts].i;
        }
    }

    if (p->mode == DFX_RP_LINE) {
        p->state = DFX_RP_DONE;
        p->end = yajl_get_bytes_consumed(p->h);
        return 1;
    }

    p->state = p->in_array ? DFX_RP_ARRAY : DFX_RP_DONE;
    p->end = yajl_get_bytes_consumed(p->h);
    if (p->cb(p->cb_arg, rec, p->failed ? p->err : NULL) != 0) {
        p->body_err->field[0] = '\0';
        p->body_err->msg[0] = '\0';
        p->body_err->column = 0;
        p->result = DFX_ERROR;
        return 0;
    }
    return 1;
}

/* A top-level value that is not an object (line or array element). */
static int
dfx_rp_not_object(dfx_record_parser_t *p, size_t start, const char *what)
{
    dfx_record_t  *rec;

    if (p->mode == DFX_RP_JSON) {
        rec = dfx_pool_calloc(p->pool, sizeof(dfx_record_t));
        if (rec == NULL) {
            return dfx_rp_stop(p, DFX_ERROR, start, "out of memory");
        }
        rec->schema = p->schema;
        rec->index = p->nrecords - 1;
        p->rec = rec;
        memset(&p->rec_err, 0, sizeof(p->rec_err));
        p->err = &p->rec_err;
    }
    p->failed = 0;
    p->key.data = NULL;
    p->state = DFX_RP_SKIP_ELEMENT;
    return dfx_rp_reject(p, start, "expected a JSON object, got %s", what);
}

/* Counts a new top-level value; 0 when the parse must stop. */
static int
dfx_rp_top_value(dfx_record_parser_t *p, size_t start)
{
    if (p->state == DFX_RP_DONE) {
        return dfx_rp_stop(p, DFX_ERROR, start, "%s",
                           p->mode == DFX_RP_LINE
                           ? "more than one JSON value on the line"
                           : "more than one JSON value in the body");
    }
    if (p->mode == DFX_RP_JSON && p->nrecords > 0) {
        /* the previous record's callback has run: its memory serves the
         * next one, so an array of many records takes the memory of one */
        dfx_pool_reset(p->pool);
        p->rec = NULL;
    }
    p->nrecords++;
    if (p->lim.records != 0 && p->nrecords > p->lim.records) {
        return dfx_rp_stop(p, DFX_LIMIT, start, "more than %u records",
                           p->lim.records);
    }
    return 1;
}

/* ---- values ----------------------------------------------------------- */

static const char *const dfx_rp_expect[] = {
    [DFX_T_U8]   = "an integer between 0 and 255",
    [DFX_T_U16]  = "an integer between 0 and 65535",
    [DFX_T_U32]  = "an integer between 0 and 4294967295",
    [DFX_T_U64]  = "an integer between 0 and 18446744073709551615",
    [DFX_T_I32]  = "an integer between -2147483648 and 2147483647",
    [DFX_T_I64]  = ("an integer between -9223372036854775808 and "
                    "9223372036854775807"),
    [DFX_T_BOOL] = "true, false, 0 or 1",
    [DFX_T_STR]  = "a string",
    [DFX_T_IP4]  = "a string",
    [DFX_T_IP6]  = "a string",
    [DFX_T_MAC]  = "a string",
    [DFX_T_STRS] = "an array of strings",
    [DFX_T_F64S] = "an array of numbers",
};

static const uint64_t  dfx_rp_umax[] = {
    [DFX_T_U8]  = UINT8_MAX,
    [DFX_T_U16] = UINT16_MAX,
    [DFX_T_U32] = UINT32_MAX,
    [DFX_T_U64] = UINT64_MAX,
};

/* A value that is not of the field's kind; quote is "\"" for strings. */
static int
dfx_rp_wrong(dfx_record_parser_t *p, size_t start, const char *quote,
    const char *got, size_t got_len)
{
    const dfx_field_t  *f = &p->schema->fields[p->field];
    char                q[DFX_RP_QUOTE_MAX + 8];

    dfx_rp_quote(q, sizeof(q), got, got_len, DFX_RP_QUOTE_MAX);
    return dfx_rp_reject(p, start, "expected %s, got %s%s%s",
                         dfx_rp_expect[f->type], quote, q, quote);
}

/* An element of a STRS or F64S value that is not of its kind. */
static int
dfx_rp_elem_wrong(dfx_record_parser_t *p, size_t start, const char *quote,
    const char *got, size_t got_len)
{
    const dfx_field_t  *f = &p->schema->fields[p->field];
    char                q[DFX_RP_QUOTE_MAX + 8];

    dfx_rp_quote(q, sizeof(q), got, got_len, DFX_RP_QUOTE_MAX);
    return dfx_rp_reject(p, start, "expected %s in the array, got %s%s%s",
                         f->type == DFX_T_STRS ? "a string" : "a number",
                         quote, q, quote);
}

static void
dfx_rp_set(dfx_record_parser_t *p)
{
    p->rec->state[p->field] = DFX_SLOT_SET;
    p->state = DFX_RP_KEY;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The value of 8 decimal digits at s, or -1 when one of them is not a
 * digit: the bytes as one little-endian word, digits paired, then pairs
 * of pairs (three multiplications for eight digits). */
static inline int64_t
dfx_rp_digits8(const char *s)
{
    uint64_t  w;

    memcpy(&w, s, 8);
    if ((((w + 0x4646464646464646ull) | (w - 0x3030303030303030ull))
         & 0x8080808080808080ull) != 0)
    {
        return -1;
    }
    w = ((w & 0x0f0f0f0f0f0f0f0full) * 2561) >> 8;
    w = ((w & 0x00ff00ff00ff00ffull) * 6553601) >> 16;
    return (int64_t) (((w & 0x0000ffff0000ffffull) * 42949672960001ull)
                      >> 32);
}
#else
static inline int64_t
dfx_rp_digits8(const char *s)
{
    DFX_UNUSED(s);
    return -1;
}
#endif

/*
 * The magnitude and sign of an integer token: -?[0-9]+, anything else
 * ('.', 'e', and in a quoted integer of the ClickHouse dialect any other
 * byte) is not one.  Returns 0, -1 when the token is no integer, -2 when
 * its magnitude passes 2^64-1.  (strtoull would need a NUL-terminated
 * copy of every number and wraps negative input around; this is exact
 * and runs on the token in place.)  Nineteen digits cannot pass 2^64-1:
 * they are taken eight at a time where they can be, and only the digits
 * after them are checked for overflow.  Always inlined: the strict
 * number callback must not pay a call because the dialect uses it too.
 */
static inline __attribute__((always_inline)) int
dfx_rp_int_token(const char *s, size_t len, int *neg, uint64_t *mag)
{
    uint64_t  v = 0;
    size_t    i, safe;
    int64_t   eight;
    unsigned  d;

    *neg = len > 0 && s[0] == '-';
    i = (size_t) *neg;
    if (i == len) {
        return -1;
    }
    safe = len - i > 19 ? i + 19 : len;
    while (safe - i >= 8 && (eight = dfx_rp_digits8(s + i)) >= 0) {
        v = v * 100000000 + (uint64_t) eight;
        i += 8;
    }
    for (; i < safe; i++) {
        d = (unsigned) ((unsigned char) s[i] - '0');
        if (d > 9) {
            return -1;
        }
        v = v * 10 + d;
    }
    for (; i < len; i++) {
        d = (unsigned) ((unsigned char) s[i] - '0');
        if (d > 9) {
            return -1;
        }
        if (v > (UINT64_MAX - d) / 10) {
            return -2;
        }
        v = v * 10 + d;
    }
    *mag = v;
    return 0;
}

/* Whether the integer of sign neg and magnitude mag is in the range of
 * an integer type; *v gets its slot value then. */
static inline __attribute__((always_inline)) int
dfx_rp_int_fits(unsigned type, int neg, uint64_t mag, uint64_t *v)
{
    uint64_t  lim;

    switch (type) {
    case DFX_T_U8:
    case DFX_T_U16:
    case DFX_T_U32:
    case DFX_T_U64:
        /* -0 is 0 */
        if ((neg && mag != 0) || mag > dfx_rp_umax[type]) {
            return 0;
        }
        *v = mag;
        return 1;

    case DFX_T_I32:
    case DFX_T_I64:
        lim = type == DFX_T_I32 ? (uint64_t) INT32_MAX : (uint64_t) INT64_MAX;
        if (mag > lim + (uint64_t) neg) {
            return 0;
        }
        /* through uint64: -(2^63) has no positive int64 */
        *v = neg ? 0 - mag : mag;
        return 1;

    case DFX_T_BOOL:
        if (neg || mag > 1) {
            return 0;
        }
        *v = mag;
        return 1;

    default:
        return 0;
    }
}

static int dfx_rp_ch_number(dfx_record_parser_t *p, const char *s,
                            size_t len) DFX_RP_CH_ENTRY;

/* Number text (JSON-valid) -> slot: integers only, within the field's
 * range. */
static int
dfx_rp_integer(dfx_record_parser_t *p, const char *s, size_t len)
{
    const dfx_field_t  *f = &p->schema->fields[p->field];
    uint64_t            mag = 0;
    int                 neg = 0;

    if (dfx_rp_int_token(s, len, &neg, &mag) != 0
        || !dfx_rp_int_fits(f->type, neg, mag, &p->rec->v[p->field].u))
    {
        goto wrong;
    }
    dfx_rp_set(p);
    return 1;

wrong:

    if (p->dialect != DFX_DIALECT_STRICT) {
        return dfx_rp_ch_number(p, s, len);
    }
    return dfx_rp_wrong(p, dfx_rp_number_start(p, s, len), "", s, len);
}

static int
dfx_rp_ip4(dfx_record_parser_t *p, const char *s, size_t len)
{
    char            buf[INET_ADDRSTRLEN];
    struct in_addr  a;
    char            q[DFX_RP_QUOTE_MAX + 8];

    if (len < sizeof(buf) && memchr(s, '\0', len) == NULL) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        if (inet_pton(AF_INET, buf, &a) == 1) {
            p->rec->v[p->field].u = ntohl(a.s_addr);
            dfx_rp_set(p);
            return 1;
        }
    }
    dfx_rp_quote(q, sizeof(q), s, len, DFX_RP_QUOTE_MAX);
    return dfx_rp_reject(p, dfx_rp_string_start(p, s),
                         "invalid IPv4 address \"%s\"", q);
}

static int
dfx_rp_ip6(dfx_record_parser_t *p, const char *s, size_t len)
{
    char  buf[INET6_ADDRSTRLEN];
    char  q[DFX_RP_QUOTE_MAX + 8];

    if (len < sizeof(buf) && memchr(s, '\0', len) == NULL) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        if (inet_pton(AF_INET6, buf, p->rec->v[p->field].ip6) == 1) {
            dfx_rp_set(p);
            return 1;
        }
    }
    dfx_rp_quote(q, sizeof(q), s, len, DFX_RP_QUOTE_MAX);
    return dfx_rp_reject(p, dfx_rp_string_start(p, s),
                         "invalid IPv6 address \"%s\"", q);
}

static int dfx_rp_ch_mac_text(dfx_record_parser_t *p, const char *s,
                              size_t len) DFX_RP_CH_ENTRY;

/* aa:bb:cc:dd:ee:ff, either case, ':' or '-' (one kind throughout). */
static int
dfx_rp_mac(dfx_record_parser_t *p, const char *s, size_t len)
{
    uint64_t  m = 0;
    size_t    i;
    int       hi, lo;
    char      q[DFX_RP_QUOTE_MAX + 8];

    if (len != 17 || (s[2] != ':' && s[2] != '-')) {
        goto invalid;
    }
    for (i = 0; i < 6; i++) {
        hi = dfx_hex_value(s[i * 3]);
        lo = dfx_hex_value(s[i * 3 + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != s[2])) {
            goto invalid;
        }
        m = (m << 8) | (uint64_t) (hi << 4 | lo);
    }
    p->rec->v[p->field].u = m;
    dfx_rp_set(p);
    return 1;

invalid:

    if (p->dialect != DFX_DIALECT_STRICT) {
        return dfx_rp_ch_mac_text(p, s, len);
    }
    dfx_rp_quote(q, sizeof(q), s, len, DFX_RP_QUOTE_MAX);
    return dfx_rp_reject(p, dfx_rp_string_start(p, s),
                         "invalid MAC address \"%s\"", q);
}

/* A string that lives only until the next yajl event is copied. */
static inline int
dfx_rp_keep(dfx_record_parser_t *p, const char **s, size_t len)
{
    char  *copy;

    if (dfx_rp_in_text(p, *s)) {
        return 0;
    }
    copy = dfx_pool_alloc(p->pool, len + 1);
    if (copy == NULL) {
        return -1;
    }
    memcpy(copy, *s, len);
    copy[len] = '\0';
    *s = copy;
    return 0;
}

/* Adds an element to the array value being read.  Returns as a yajl
 * callback: 1 to go on (the element kept, or the record rejected past
 * limits.array-elements, which skips the rest of the array), 0 to stop
 * (out of memory). */
static int
dfx_rp_elem_push(dfx_record_parser_t *p, const void *e, size_t size,
                 size_t start)
{
    size_t   cap;
    void    *grown;

    if (p->lim.elements != 0 && p->nelems >= p->lim.elements) {
        return dfx_rp_reject(p, start, "more than %u elements in the array "
                             "(limits.array-elements)", p->lim.elements);
    }
    if ((p->nelems + 1) * size > p->elems_cap) {
        cap = p->elems_cap ? p->elems_cap * 2 : 64 * sizeof(dfx_str_t);
        if (p->lim.elements != 0 && cap > (size_t) p->lim.elements * size) {
            /* the last step stops at the limit, not twice past it */
            cap = (size_t) p->lim.elements * size;
            if (cap < (p->nelems + 1) * size) {
                cap = (p->nelems + 1) * size;
            }
        }
        grown = realloc(p->elems, cap);
        if (grown == NULL) {
            return dfx_rp_stop(p, DFX_ERROR, start, "out of memory");
        }
        p->elems = grown;
        p->elems_cap = cap;
    }
    memcpy((char *) p->elems + p->nelems * size, e, size);
    p->nelems++;
    return 1;
}

static int
dfx_rp_elems_end(dfx_record_parser_t *p)
{
    const dfx_field_t  *f = &p->schema->fields[p->field];
    dfx_value_t        *v = &p->rec->v[p->field];
    size_t              size;
    void               *arr = NULL;

    size = f->type == DFX_T_STRS ? sizeof(dfx_str_t) : sizeof(double);
    if (p->nelems > 0) {
        arr = dfx_pool_alloc(p->pool, p->nelems * size);
        if (arr == NULL) {
            return -1;
        }
        memcpy(arr, p->elems, p->nelems * size);
    }
    if (f->type == DFX_T_STRS) {
        v->strs.v = arr;
        v->strs.n = p->nelems;
    } else {
        v->f64s.v = arr;
        v->f64s.n = p->nelems;
    }
    dfx_rp_set(p);
    return 0;
}

/*
 * Whether s is ASCII, as nearly every string is: the bytes are OR-ed a
 * word at a time, the last word overlapping the one before, so that a
 * name or a short value costs a few instructions.
 */
static inline int
dfx_rp_ascii(const unsigned char *s, size_t len)
{
    uint64_t  acc = 0, w;
    uint32_t  a, b;
    size_t    i;

    if (len >= 8) {
        for (i = 0; i + 8 < len; i += 8) {
            memcpy(&w, s + i, 8);
            acc |= w;
        }
        memcpy(&w, s + len - 8, 8);
        acc |= w;
    } else if (len >= 4) {
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        acc = a | b;
    } else {
        for (i = 0; i < len; i++) {
            acc |= s[i];
        }
    }
    return (acc & 0x8080808080808080ull) == 0;
}

/* Whether a and b, both of len bytes, are equal: words, the last one
 * overlapping, instead of a call to memcmp() for a short name. */
static inline int
dfx_rp_same(const char *a, const char *b, size_t len)
{
    uint64_t  x, y, diff = 0;
    uint32_t  u, v;
    size_t    i;

    if (len >= 8) {
        for (i = 0; i + 8 < len; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            diff |= x ^ y;
        }
        memcpy(&x, a + len - 8, 8);
        memcpy(&y, b + len - 8, 8);
        return (diff | (x ^ y)) == 0;
    }
    if (len >= 4) {
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        diff = u ^ v;
        memcpy(&u, a + len - 4, 4);
        memcpy(&v, b + len - 4, 4);
        return (diff | (u ^ v)) == 0;
    }
    for (i = 0; i < len; i++) {
        diff |= (uint64_t) (a[i] ^ b[i]);
    }
    return diff == 0;
}

/* The value of four hex digits (checked by yajl's lexer). */
static unsigned
dfx_rp_hex4(const char *s)
{
    unsigned  v = 0, d;
    int       i;

    for (i = 0; i < 4; i++) {
        d = (unsigned char) s[i];
        v = v << 4 | (d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10);
    }
    return v;
}

#define DFX_RP_UTF8_OK         0
#define DFX_RP_UTF8_FORBIDDEN  1    /* well-formed for yajl, not UTF-8 */
#define DFX_RP_UTF8_MALFORMED  2    /* yajl's lexer would refuse it */

/*
 * Checks the bytes of a string.  A sequence is read as yajl's lexer
 * reads it when it validates: a lead byte 0xc0-0xdf, 0xe0-0xef or
 * 0xf0-0xf7 followed by one, two or three continuation bytes.  Any other
 * byte >= 0x80 where a sequence starts, or a missing continuation byte,
 * is MALFORMED, *at being the byte yajl would have stopped on (len when
 * the string ended first: its closing quote).  Otherwise the first
 * sequence that RFC 3629 forbids (overlong, a surrogate, past U+10FFFF)
 * makes it FORBIDDEN at its lead byte; the scan still goes on to the end,
 * since yajl lexed the whole string before anyone saw it.
 */
static int
dfx_rp_utf8_scan(const unsigned char *s, size_t len, size_t *at)
{
    size_t    i = 0, n, k;
    uint64_t  w;
    uint32_t  cp, min;
    int       kind = DFX_RP_UTF8_OK;

    while (i < len) {
        if (len - i >= 8) {
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if (s[i] >= 0xc0 && s[i] <= 0xdf) {
            n = 1;
            cp = s[i] & 0x1f;
            min = 0x80;
        } else if (s[i] >= 0xe0 && s[i] <= 0xef) {
            n = 2;
            cp = s[i] & 0x0f;
            min = 0x800;
        } else if (s[i] >= 0xf0 && s[i] <= 0xf7) {
            n = 3;
            cp = s[i] & 0x07;
            min = 0x10000;
        } else {
            *at = i;
            return DFX_RP_UTF8_MALFORMED;
        }
        for (k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xc0) != 0x80) {
                *at = i + k;
                return DFX_RP_UTF8_MALFORMED;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (kind == DFX_RP_UTF8_OK
            && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
        {
            kind = DFX_RP_UTF8_FORBIDDEN;
            *at = i;
        }
        i += n + 1;
    }
    return kind;
}

/*
 * A string that yajl, validating, would have refused: the text is no
 * JSON from byte off on, and the parse ends as it did on yajl's own
 * error (the line, or a JSON body as a whole, is invalid; a line keeps
 * an earlier problem of its record).  Returns 0: a callback's "stop".
 */
static int
dfx_rp_utf8_malformed(dfx_record_parser_t *p, size_t off)
{
    dfx_record_err_t  *err = p->body_err;

    if (!(p->mode == DFX_RP_LINE && p->failed)) {
        err->field[0] = '\0';
        snprintf(err->msg, sizeof(err->msg), "invalid UTF-8 in string");
        /* in a member's value (not in a name): say which member */
        if ((p->state == DFX_RP_VALUE || p->state == DFX_RP_ELEMS
             || p->state == DFX_RP_SKIP_VALUE) && p->key.data != NULL)
        {
            dfx_rp_quote(err->field, sizeof(err->field), p->key.data,
                         p->key.len, sizeof(err->field) - 4);
        }
        err->column = dfx_rp_column(off);
    }
    p->result = DFX_ERROR;
    return 0;
}

/*
 * Whether the raw text of the escaped string token [start, end) (quotes
 * included) holds a \uD800-\uDFFF escape that is not half of a pair: a
 * high one not followed at once by a low one, or a low one alone.  yajl
 * 2.1 decodes a lone high surrogate to "?" (and eats the character after
 * it) and pairs a high one with whatever \u escape follows, so the
 * decoded bytes cannot tell; only the text can.  Sets p->lone to the
 * first such escape.  yajl's lexer checked that every \u has four hex
 * digits.
 */
static int
dfx_rp_lone_surrogate(dfx_record_parser_t *p, size_t start, size_t end)
{
    const char  *t = p->text;
    size_t       i;
    unsigned     cp, lo;

    for (i = start + 1; i + 1 < end; i++) {
        if (t[i] != '\\') {
            continue;
        }
        if (t[i + 1] != 'u' || i + 6 > end) {
            i++;                        /* a one-letter escape */
            continue;
        }
        cp = dfx_rp_hex4(t + i + 2);
        if (cp >= 0xd800 && cp <= 0xdbff && i + 12 <= end
            && t[i + 6] == '\\' && t[i + 7] == 'u')
        {
            lo = dfx_rp_hex4(t + i + 8);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                i += 11;                /* a pair */
                continue;
            }
        }
        if (cp >= 0xd800 && cp <= 0xdfff) {
            p->lone = cp;
            return 1;
        }
        i += 5;
    }
    return 0;
}

/*
 * The UTF-8 check of a string or member name as yajl passed it.  Returns
 * 1 when it is UTF-8; 0 when it is well-formed but forbidden, *bad then
 * being the column's offset for the record's error; -1 when it is
 * malformed and the parse was stopped.  A string yajl had to unescape is
 * checked in its raw form for what yajl's lexer checked, and decoded for
 * the rest (an escaped lone surrogate decodes to a forbidden form); its
 * error points at its opening quote.
 */
static int
dfx_rp_utf8_slow(dfx_record_parser_t *p, const char *s, size_t len,
    size_t *bad)
{
    const unsigned char  *u = (const unsigned char *) s;
    size_t                at = 0, start, end;
    int                   kind;

    p->lone = 0;
    if (dfx_rp_in_text(p, s)) {
        kind = dfx_rp_utf8_scan(u, len, &at);
        at += (size_t) (s - p->text);
        if (kind == DFX_RP_UTF8_MALFORMED) {
            return dfx_rp_utf8_malformed(p, at) - 1;
        }
        *bad = at;
        return kind == DFX_RP_UTF8_OK;
    }

    start = dfx_rp_string_start(p, s);
    end = dfx_rp_consumed(p);
    if (end >= start + 2 && end <= p->len
        && dfx_rp_utf8_scan((const unsigned char *) p->text + start + 1,
                            end - start - 2, &at) == DFX_RP_UTF8_MALFORMED)
    {
        return dfx_rp_utf8_malformed(p, start + 1 + at) - 1;
    }
    *bad = start;
    if (end <= p->len && dfx_rp_lone_surrogate(p, start, end)) {
        return 0;
    }
    return dfx_rp_utf8_scan(u, len, &at) == DFX_RP_UTF8_OK;
}

static inline int
dfx_rp_utf8(dfx_record_parser_t *p, const char *s, size_t len, size_t *bad)
{
    size_t  start, end;

    if (dfx_rp_ascii((const unsigned char *) s, len)) {
        if (dfx_rp_in_text(p, s)) {
            return 1;
        }
        /* unescaped by yajl (or the first token's copy): a lone high
         * surrogate decodes to ASCII "?" */
        p->lone = 0;
        start = dfx_rp_string_start(p, s);
        end = dfx_rp_consumed(p);
        if (end <= p->len && dfx_rp_lone_surrogate(p, start, end)) {
            *bad = start;
            return 0;
        }
        return 1;
    }
    return dfx_rp_utf8_slow(p, s, len, bad);
}

/* Rejects the record of a string dfx_rp_utf8() refused: a lone surrogate
 * escape by name, anything else as invalid UTF-8. */
static void
dfx_rp_utf8_reject(dfx_record_parser_t *p, size_t at)
{
    unsigned  lone = p->lone;

    p->lone = 0;
    if (lone != 0) {
        dfx_rp_reject(p, at, "lone surrogate \\u%04x in string", lone);
    } else {
        dfx_rp_reject(p, at, "invalid UTF-8 in string");
    }
}

/* ---- the ClickHouse dialect ------------------------------------------ */

/*
 * The exact integer value of a JSON number: -?D[.F][(e|E)[+-]X].  The
 * decimal text is taken as written (ClickHouse writes a Float64 as the
 * shortest text that reads back as it), not through a double: 2.5e2 is
 * 250, 1e19 is 10000000000000000000 exactly.  Returns 0 (*neg, *mag),
 * -1 when the value has a fraction, -2 when its magnitude passes 2^64-1,
 * -3 when the text is no number.
 */
static int
dfx_rp_decimal(const char *s, size_t len, int *neg, uint64_t *mag)
{
    size_t    i, end, first = len, last = len;
    int64_t   exp = 0, e10, nfrac = 0, nsig = 0;
    uint64_t  v = 0;
    unsigned  d;
    int       point = 0, digits = 0, eneg = 0;

    *neg = len > 0 && s[0] == '-';
    for (i = (size_t) *neg; i < len && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.' && !point) {
            point = 1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9') {
            return -3;
        }
        digits++;
        nfrac += point;
        if (s[i] != '0') {
            if (first == len) {
                first = i;
            }
            last = i;
        }
    }
    if (digits == 0) {
        return -3;
    }
    end = i;
    if (i < len) {
        if (++i < len && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i++] == '-';
        }
        if (i == len) {
            return -3;
        }
        for (; i < len; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return -3;
            }
            /* saturates far beyond any exponent that matters */
            if (exp < 100000000) {
                exp = exp * 10 + (s[i] - '0');
            }
        }
        exp = eneg ? -exp : exp;
    }
    if (first == len) {
        *mag = 0;
        return 0;
    }

    /* the value is the digits first..last times 10^e10, the digits after
     * last being zeros */
    e10 = exp - nfrac;
    for (i = last + 1; i < end; i++) {
        e10 += s[i] != '.';
    }
    if (e10 < 0) {
        return -1;
    }
    for (i = first; i <= last; i++) {
        nsig += s[i] != '.';
    }
    if (nsig + e10 > 20) {
        return -2;
    }
    for (i = first; i <= last; i++) {
        if (s[i] == '.') {
            continue;
        }
        d = (unsigned) (s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return -2;
        }
        v = v * 10 + d;
    }
    for (; e10 > 0; e10--) {
        if (v > UINT64_MAX / 10) {
            return -2;
        }
        v *= 10;
    }
    *mag = v;
    return 0;
}

/* A MAC as ClickHouse's UInt64: the low 48 bits are the address. */
static int
dfx_rp_ch_mac_value(dfx_record_parser_t *p, size_t start, uint64_t mag,
    const char *quote, const char *s, size_t len)
{
    char  q[DFX_RP_QUOTE_MAX + 8];

    if (mag > UINT64_C(0xffffffffffff)) {
        dfx_rp_quote(q, sizeof(q), s, len, DFX_RP_QUOTE_MAX);
        return dfx_rp_reject(p, start, "invalid MAC address %s%s%s (more "
                             "than 48 bits)", quote, q, quote);
    }
    p->rec->v[p->field].u = mag;
    dfx_rp_set(p);
    return 1;
}

/* A MAC string that is not aa:bb:cc:dd:ee:ff: a quoted UInt64? */
static int
dfx_rp_ch_mac_text(dfx_record_parser_t *p, const char *s, size_t len)
{
    size_t    start = dfx_rp_string_start(p, s);
    uint64_t  mag = 0;
    int       neg = 0;
    char      q[DFX_RP_QUOTE_MAX + 8];

    if (dfx_rp_int_token(s, len, &neg, &mag) == 0 && !neg) {
        return dfx_rp_ch_mac_value(p, start, mag, "\"", s, len);
    }
    dfx_rp_quote(q, sizeof(q), s, len, DFX_RP_QUOTE_MAX);
    return dfx_rp_reject(p, start, "invalid MAC address \"%s\"", q);
}

/* A number the strict rules refused: an integral Float64 for an integer
 * field, a UInt64 MAC, a UInt32 IPv4 address. */
static int
dfx_rp_ch_number(dfx_record_parser_t *p, const char *s, size_t len)
{
    const dfx_field_t  *f = &p->schema->fields[p->field];
    size_t              start = dfx_rp_number_start(p, s, len);
    uint64_t            mag = 0;
    int                 neg = 0, rc;
    char                q[DFX_RP_QUOTE_MAX + 8];

    if (f->type <= DFX_T_BOOL) {
        rc = dfx_rp_decimal(s, len, &neg, &mag);
        if (rc == -1) {
            dfx_rp_quote(q, sizeof(q), s, len, DFX_RP_QUOTE_MAX);
            return dfx_rp_reject(p, start, "Float64 value %s is not an "
                                 "integer", q);
        }
        if (rc == 0 && dfx_rp_int_fits(f->type, neg, mag,
                                       &p->rec->v[p->field].u))
        {
            dfx_rp_set(p);
            return 1;
        }
    } else if (dfx_rp_int_token(s, len, &neg, &mag) == 0 && !neg) {
        if (f->type == DFX_T_MAC) {
            return dfx_rp_ch_mac_value(p, start, mag, "", s, len);
        }
        if (f->type == DFX_T_IP4 && mag <= UINT32_MAX) {
            p->rec->v[p->field].u = mag;
            dfx_rp_set(p);
            return 1;
        }
    }
    return dfx_rp_wrong(p, start, "", s, len);
}

/* The value of n decimal digits at s, or -1. */
static int64_t
dfx_rp_digits(const char *s, size_t n)
{
    int64_t  v = 0;
    size_t   i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Fraction digits (1 to 9) at s[*i] after a '.', as microseconds: past
 * the sixth they are cut off, as DateTime64(6) would.  Returns -1 when
 * there are none or too many. */
static int64_t
dfx_rp_fraction(const char *s, size_t len, size_t *i)
{
    int64_t  us = 0;
    size_t   n;

    for (n = 0; *i < len && s[*i] >= '0' && s[*i] <= '9'; n++, (*i)++) {
        if (n < 6) {
            us = us * 10 + (s[*i] - '0');
        }
    }
    if (n == 0 || n > 9) {
        return -1;
    }
    for (; n < 6; n++) {
        us *= 10;
    }
    return us;
}

/*
 * DateTime text: "YYYY-MM-DD hh:mm:ss" in the dialect's zone, or
 * "YYYY-MM-DDThh:mm:ssZ" in UTC; with frac, a '.' and 1 to 9 digits may
 * follow the seconds (DateTime64).  *us gets microseconds since the
 * epoch.  Returns 0, or -1 when the text is no such date and time.
 */
static int
dfx_rp_datetime(const dfx_tz_t *tz, const char *s, size_t len, int frac,
    int64_t *us)
{
    int64_t   y, mo, d, h, mi, sec, fr = 0, t;
    size_t    i = 19;
    int       iso;

    if (len < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':'
        || s[16] != ':' || (s[10] != ' ' && s[10] != 'T'))
    {
        return -1;
    }
    iso = s[10] == 'T';
    y = dfx_rp_digits(s, 4);
    mo = dfx_rp_digits(s + 5, 2);
    d = dfx_rp_digits(s + 8, 2);
    h = dfx_rp_digits(s + 11, 2);
    mi = dfx_rp_digits(s + 14, 2);
    sec = dfx_rp_digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1
        || d > (int64_t) dfx_tz_days_in_month(y, (unsigned) mo)
        || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
    {
        return -1;
    }
    if (frac && i < len && s[i] == '.') {
        i++;
        fr = dfx_rp_fraction(s, len, &i);
        if (fr < 0) {
            return -1;
        }
    }
    if (iso) {
        if (i >= len || s[i] != 'Z') {
            return -1;
        }
        i++;
    }
    if (i != len) {
        return -1;
    }

    t = dfx_tz_days_from_civil(y, (unsigned) mo, (unsigned) d) * 86400
        + h * 3600 + mi * 60 + sec;
    if (!iso && tz != NULL) {
        t = dfx_tz_local_to_utc(tz, t);
    }
    /* years 0 to 9999 and a zone's offset: far inside int64 */
    *us = t * 1000000 + fr;
    return 0;
}

/* DateTime64 as date_time_output_format=unix_timestamp writes it:
 * "-?S.F" (seconds, 1 to 9 fraction digits).  Returns 0, or -1. */
static int
dfx_rp_unix_frac(const char *s, size_t len, int64_t *us)
{
    const char  *dot = memchr(s, '.', len);
    uint64_t     sec = 0;
    int64_t      fr;
    size_t       i;
    int          neg = 0;

    if (dot == NULL
        || dfx_rp_int_token(s, (size_t) (dot - s), &neg, &sec) != 0
        || sec > (uint64_t) (INT64_MAX / 1000000 - 1))
    {
        return -1;
    }
    i = (size_t) (dot - s) + 1;
    fr = dfx_rp_fraction(s, len, &i);
    if (fr < 0 || i != len) {
        return -1;
    }
    *us = (int64_t) sec * 1000000 + fr;
    *us = neg ? -*us : *us;
    return 0;
}

/* A string for the time field of a flag: DateTime (seconds) or
 * DateTime64 (microseconds) text.  Returns 1 as callbacks do. */
static int
dfx_rp_ch_time(dfx_record_parser_t *p, const char *s, size_t len,
    size_t start)
{
    const dfx_field_t  *f = &p->schema->fields[p->field];
    int                 us_field = (f->flags & DFX_FIELD_TIME_US) != 0;
    int64_t             us, t;
    char                q[DFX_RP_QUOTE_MAX + 8];

    if (!(us_field && dfx_rp_unix_frac(s, len, &us) == 0)
        && dfx_rp_datetime(p->tz, s, len, us_field, &us) != 0)
    {
        dfx_rp_quote(q, sizeof(q), s, len, DFX_RP_QUOTE_MAX);
        return dfx_rp_reject(p, start, "invalid date and time \"%s\": "
                             "expected %s", q, us_field
                             ? "\"YYYY-MM-DD hh:mm:ss[.ffffff]\" or "
                               "\"YYYY-MM-DDThh:mm:ss[.ffffff]Z\""
                             : "\"YYYY-MM-DD hh:mm:ss\" or "
                               "\"YYYY-MM-DDThh:mm:ssZ\"");
    }

    /* seconds: whole ones (the text had no fraction) */
    t = us_field ? us : us / 1000000;
    if (!dfx_rp_int_fits(f->type, t < 0, t < 0 ? 0 - (uint64_t) t
                                               : (uint64_t) t,
                         &p->rec->v[p->field].u))
    {
        dfx_rp_quote(q, sizeof(q), s, len, DFX_RP_QUOTE_MAX);
        if (f->type == DFX_T_U32) {
            return dfx_rp_reject(p, start, "date and time \"%s\" is %s", q,
                                 t < 0 ? "before 1970-01-01 00:00:00 UTC"
                                       : "after 2106-02-07 06:28:15 UTC");
        }
        return dfx_rp_reject(p, start, "date and time \"%s\" is out of "
                             "range", q);
    }
    dfx_rp_set(p);
    return 1;
}

static int dfx_rp_ch_string(dfx_record_parser_t *p, const char *s,
                            size_t len) DFX_RP_CH_ENTRY;

/* A string for a field of no string type: a quoted (64-bit) integer, or
 * DateTime text for a time field. */
static int
dfx_rp_ch_string(dfx_record_parser_t *p, const char *s, size_t len)
{
    const dfx_field_t  *f = &p->schema->fields[p->field];
    size_t              start = dfx_rp_string_start(p, s);
    uint64_t            mag = 0;
    int                 neg = 0;

    if (f->type > DFX_T_BOOL) {
        return dfx_rp_wrong(p, start, "\"", s, len);
    }
    if (dfx_rp_int_token(s, len, &neg, &mag) == 0) {
        if (dfx_rp_int_fits(f->type, neg, mag, &p->rec->v[p->field].u)) {
            dfx_rp_set(p);
            return 1;
        }
    } else if (f->flags & (DFX_FIELD_TIME_S | DFX_FIELD_TIME_US)) {
        return dfx_rp_ch_time(p, s, len, start);
    }
    return dfx_rp_wrong(p, start, "\"", s, len);
}

static int dfx_rp_ch_null_elem(dfx_record_parser_t *p, size_t start)
    DFX_RP_CH_ENTRY;

/* null in a float array: ClickHouse's NaN or infinity, kept as a NaN
 * (the message says null again). */
static int
dfx_rp_ch_null_elem(dfx_record_parser_t *p, size_t start)
{
    double  nan = NAN;

    if (p->schema->fields[p->field].type != DFX_T_F64S) {
        return dfx_rp_elem_wrong(p, start, "", "null", 4);
    }
    return dfx_rp_elem_push(p, &nan, sizeof(nan), start);
}

/* ---- yajl callbacks --------------------------------------------------- */

/* State handling shared by every scalar: returns 1 when the scalar
 * belongs to a field value (the caller converts it), 0 when it was
 * handled here, -1 to stop the parse. */
static int
dfx_rp_scalar(dfx_record_parser_t *p, size_t start, const char *what)
{
    switch (p->state) {
    case DFX_RP_VALUE:
    case DFX_RP_ELEMS:
        return 1;

    case DFX_RP_SKIP_VALUE:
        if (p->depth == p->skip_depth) {
            p->state = DFX_RP_KEY;
        }
        return 0;

    case DFX_RP_SKIP_RECORD:
        return 0;

    case DFX_RP_TOP:
        /* the first token may come from a copy inside yajl */
        start = p->first;
        if (p->mode == DFX_RP_JSON) {
            dfx_rp_stop(p, DFX_ERROR, start, "expected a JSON object or an "
                        "array of objects, got %s", what);
            return -1;
        }
        /* fall through */
    case DFX_RP_ARRAY:
    case DFX_RP_DONE:
        if (!dfx_rp_top_value(p, start)) {
            return -1;
        }
        dfx_rp_not_object(p, start, what);
        return dfx_rp_record_end(p) ? 0 : -1;

    default:
        return 0;
    }
}

static int
dfx_rp_on_null(void *ctx)
{
    dfx_record_parser_t  *p = ctx;
    size_t                start = dfx_rp_token_start(p, 4);
    int                   rc;

    rc = dfx_rp_scalar(p, start, "null");
    if (rc <= 0) {
        return rc + 1;
    }
    if (p->state == DFX_RP_ELEMS) {
        if (p->dialect != DFX_DIALECT_STRICT) {
            return dfx_rp_ch_null_elem(p, start);
        }
        return dfx_rp_elem_wrong(p, start, "", "null", 4);
    }
    if (!(p->schema->fields[p->field].flags & DFX_FIELD_NULLABLE)) {
        if (p->dialect != DFX_DIALECT_STRICT
            && p->schema->fields[p->field].type == DFX_T_IP6)
        {
            /* no address: what dfexport's ClickHouse SELECT makes of the
             * "::" an IPv4 row holds in its IPv6 columns; absent, as an
             * IPv6 field left out of a record is */
            p->rec->state[p->field] = DFX_SLOT_NULL;
            p->state = DFX_RP_KEY;
            return 1;
        }
        if (p->dialect != DFX_DIALECT_STRICT
            && p->schema->fields[p->field].type <= DFX_T_BOOL)
        {
            return dfx_rp_reject(p, start, "null is not allowed (ClickHouse "
                                 "writes a NaN or infinite Float64 as "
                                 "null)");
        }
        return dfx_rp_reject(p, start, "null is not allowed");
    }
    p->rec->state[p->field] = DFX_SLOT_NULL;
    p->state = DFX_RP_KEY;
    return 1;
}

static int
dfx_rp_on_boolean(void *ctx, int b)
{
    dfx_record_parser_t  *p = ctx;
    const char           *what = b ? "true" : "false";
    size_t                start = dfx_rp_token_start(p, strlen(what));
    int                   rc;

    rc = dfx_rp_scalar(p, start, what);
    if (rc <= 0) {
        return rc + 1;
    }
    if (p->state == DFX_RP_VALUE
        && p->schema->fields[p->field].type == DFX_T_BOOL)
    {
        p->rec->v[p->field].u = (uint64_t) b;
        dfx_rp_set(p);
        return 1;
    }
    if (p->state == DFX_RP_ELEMS) {
        return dfx_rp_elem_wrong(p, start, "", what, strlen(what));
    }
    return dfx_rp_wrong(p, start, "", what, strlen(what));
}

/* A number that is not a field's value: an element, or skipped. */
static int
dfx_rp_on_other_number(dfx_record_parser_t *p, const char *s, size_t len)
{
    const dfx_field_t    *f;
    size_t                start = dfx_rp_number_start(p, s, len);
    char                  buf[512], *end, q[DFX_RP_QUOTE_MAX + 8];
    double                d;
    int                   rc;

    rc = dfx_rp_scalar(p, start, "a number");
    if (rc <= 0) {
        return rc + 1;
    }
    f = &p->schema->fields[p->field];

    /* an element */
    if (f->type != DFX_T_F64S) {
        return dfx_rp_elem_wrong(p, start, "", s, len);
    }
    if (len >= sizeof(buf)) {
        goto not_finite;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    d = strtod(buf, &end);
    if (*end != '\0' || !isfinite(d)) {
        goto not_finite;
    }
    return dfx_rp_elem_push(p, &d, sizeof(d), start);

not_finite:

    dfx_rp_quote(q, sizeof(q), s, len, DFX_RP_QUOTE_MAX);
    return dfx_rp_reject(p, start, "expected a finite number, got %s", q);
}

static int
dfx_rp_on_number(void *ctx, const char *s, size_t len)
{
    dfx_record_parser_t  *p = ctx;

    /* nearly every number is a field's value */
    if (p->state == DFX_RP_VALUE) {
        return dfx_rp_integer(p, s, len);
    }
    return dfx_rp_on_other_number(p, s, len);
}

static int
dfx_rp_on_string(void *ctx, const unsigned char *us, size_t len)
{
    dfx_record_parser_t  *p = ctx;
    const char           *s = (const char *) us;
    const dfx_field_t    *f;
    dfx_str_t             str;
    size_t                start = 0;
    int                   rc;

    rc = dfx_rp_utf8(p, s, len, &start);
    if (rc < 0) {
        return 0;
    }
    if (rc == 0 && p->state >= DFX_RP_KEY && p->state <= DFX_RP_SKIP_VALUE) {
        dfx_rp_utf8_reject(p, start);
        return 1;
    }

    /* nearly every string is a field's value */
    if (p->state == DFX_RP_VALUE) {
        f = &p->schema->fields[p->field];
        switch (f->type) {
        case DFX_T_STR:
            if (dfx_rp_keep(p, &s, len) != 0) {
                return dfx_rp_stop(p, DFX_ERROR, dfx_rp_string_start(p, s),
                                   "out of memory");
            }
            p->rec->v[p->field].s = dfx_str_make(s, len);
            dfx_rp_set(p);
            return 1;
        case DFX_T_IP4:
            return dfx_rp_ip4(p, s, len);
        case DFX_T_IP6:
            return dfx_rp_ip6(p, s, len);
        case DFX_T_MAC:
            return dfx_rp_mac(p, s, len);
        default:
            if (p->dialect != DFX_DIALECT_STRICT) {
                return dfx_rp_ch_string(p, s, len);
            }
            return dfx_rp_wrong(p, dfx_rp_string_start(p, s), "\"", s,
                                len);
        }
    }

    start = dfx_rp_string_start(p, s);
    rc = dfx_rp_scalar(p, start, "a string");
    if (rc <= 0) {
        return rc + 1;
    }
    f = &p->schema->fields[p->field];

    /* an element */
    if (f->type != DFX_T_STRS) {
        return dfx_rp_elem_wrong(p, start, "\"", s, len);
    }
    if (dfx_rp_keep(p, &s, len) != 0) {
        return dfx_rp_stop(p, DFX_ERROR, start, "out of memory");
    }
    str = dfx_str_make(s, len);
    return dfx_rp_elem_push(p, &str, sizeof(str), start);
}

/* A '{' or '['.  Returns 0 to stop the parse. */
static int
dfx_rp_on_open(dfx_record_parser_t *p, int is_map)
{
    const dfx_field_t  *f;
    size_t              start = dfx_rp_token_start(p, 1);
    const char         *what = is_map ? "an object" : "an array";

    switch (p->state) {
    case DFX_RP_TOP:
        start = p->first;
        if (!is_map && p->mode == DFX_RP_JSON) {
            p->state = DFX_RP_ARRAY;
            p->in_array = 1;
            return 1;
        }
        /* fall through */
    case DFX_RP_ARRAY:
    case DFX_RP_DONE:
        if (!dfx_rp_top_value(p, start)) {
            return 0;
        }
        p->depth = 1;
        if (!is_map) {
            return dfx_rp_not_object(p, start, what);
        }
        if (dfx_rp_record_begin(p) != 0) {
            return dfx_rp_stop(p, DFX_ERROR, start, "out of memory");
        }
        p->rec->column = dfx_rp_column(start);
        p->state = DFX_RP_KEY;
        return 1;
    default:
        break;
    }

    p->depth++;
    if (p->lim.depth != 0 && p->depth > p->lim.depth) {
        return dfx_rp_stop(p, DFX_LIMIT, start, "nesting deeper than %u",
                           p->lim.depth);
    }

    switch (p->state) {
    case DFX_RP_VALUE:
        f = &p->schema->fields[p->field];
        if (!is_map && (f->type == DFX_T_STRS || f->type == DFX_T_F64S)) {
            p->nelems = 0;
            p->state = DFX_RP_ELEMS;
            return 1;
        }
        return dfx_rp_wrong(p, start, "", what, strlen(what));
    case DFX_RP_ELEMS:
        return dfx_rp_elem_wrong(p, start, "", what, strlen(what));
    default:
        /* skipping */
        return 1;
    }
}

static int
dfx_rp_on_start_map(void *ctx)
{
    return dfx_rp_on_open(ctx, 1);
}

static int
dfx_rp_on_start_array(void *ctx)
{
    return dfx_rp_on_open(ctx, 0);
}

/* A '}' or ']'. */
static int
dfx_rp_on_close(dfx_record_parser_t *p)
{
    switch (p->state) {
    case DFX_RP_ARRAY:
        /* the end of the body's array */
        p->state = DFX_RP_DONE;
        p->end = yajl_get_bytes_consumed(p->h);
        p->in_array = 0;
        return 1;

    case DFX_RP_KEY:
        /* only a '}' can come here: the end of the record */
        p->depth--;
        return dfx_rp_record_end(p);

    case DFX_RP_ELEMS:
        p->depth--;
        if (dfx_rp_elems_end(p) != 0) {
            return dfx_rp_stop(p, DFX_ERROR, dfx_rp_token_start(p, 1),
                               "out of memory");
        }
        return 1;

    case DFX_RP_SKIP_VALUE:
        p->depth--;
        if (p->depth == p->skip_depth) {
            p->state = DFX_RP_KEY;
        }
        return 1;

    case DFX_RP_SKIP_RECORD:
    case DFX_RP_SKIP_ELEMENT:
        p->depth--;
        return p->depth == 0 ? dfx_rp_record_end(p) : 1;

    default:
        return 1;
    }
}

static int
dfx_rp_on_end(void *ctx)
{
    return dfx_rp_on_close(ctx);
}

static int
dfx_rp_on_key(void *ctx, const unsigned char *uk, size_t len)
{
    dfx_record_parser_t  *p = ctx;
    const dfx_schema_t   *s = p->schema;
    const char           *k = (const char *) uk;
    size_t                bad = 0;
    int                   i, rc;

    /* the member the last record had next: its name is ASCII, so a key
     * equal to it needs no UTF-8 check */
    if (p->state == DFX_RP_KEY && p->ord != NULL) {
        i = p->ord->next[p->prev];
        if (p->ord->len[i] == len && dfx_rp_same(s->fields[i].name, k, len)) {
            goto found;
        }
    }

    rc = dfx_rp_utf8(p, k, len, &bad);
    if (rc < 0) {
        return 0;
    }
    if (p->state != DFX_RP_KEY && p->state != DFX_RP_SKIP_VALUE) {
        return 1;
    }
    p->key.data = NULL;
    p->key.len = 0;
    if (rc == 0) {
        dfx_rp_utf8_reject(p, bad);
        return 1;
    }
    if (p->state != DFX_RP_KEY) {
        /* a member of an unknown object is only checked */
        return 1;
    }

    i = dfx_schema_field(s, k, len);
    if (i >= 0 && p->ord != NULL) {
        p->ord->next[p->prev] = (uint16_t) i;
    }

found:

    /* an unescaped name lives in yajl's buffer only until the next
     * string: keep what an error message may need */
    if (dfx_rp_in_text(p, k)) {
        p->key = dfx_str_make(k, len);
    } else {
        p->key = dfx_str_make(p->keybuf, len < sizeof(p->keybuf)
                                         ? len : sizeof(p->keybuf));
        memcpy(p->keybuf, k, p->key.len);
    }

    if (i < 0) {
        p->rec->unknown++;
        if (p->keep_unknown) {
            dfx_rp_keep_unknown(p, k, len);
        }
        p->skip_depth = p->depth;
        p->state = DFX_RP_SKIP_VALUE;
        return 1;
    }
    if (p->rec->state[i] != DFX_SLOT_ABSENT) {
        return dfx_rp_reject(p, dfx_rp_string_start(p, k), "duplicate field");
    }
    /* a field named twice must be seen as a duplicate even when its
     * value was null */
    p->rec->state[i] = DFX_SLOT_NULL;
    p->field = i;
    p->prev = (unsigned) i;
    p->state = DFX_RP_VALUE;
    return 1;
}

static const yajl_callbacks  dfx_rp_callbacks = {
    .yajl_null        = dfx_rp_on_null,
    .yajl_boolean     = dfx_rp_on_boolean,
    .yajl_number      = dfx_rp_on_number,
    .yajl_string      = dfx_rp_on_string,
    .yajl_start_map   = dfx_rp_on_start_map,
    .yajl_map_key     = dfx_rp_on_key,
    .yajl_end_map     = dfx_rp_on_end,
    .yajl_start_array = dfx_rp_on_start_array,
    .yajl_end_array   = dfx_rp_on_end,
};

/* ---- driving yajl ----------------------------------------------------- */

dfx_record_parser_t *
dfx_record_parser_create(const dfx_parse_limits_t *lim)
{
    dfx_record_parser_t  *p;

    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return NULL;
    }
    if (lim != NULL) {
        p->lim = *lim;
    } else {
        p->lim.depth = DFX_RP_DEFAULT_DEPTH;
        p->lim.records = DFX_RP_DEFAULT_RECORDS;
    }
    return p;
}

void
dfx_record_parser_destroy(dfx_record_parser_t *p)
{
    size_t  i;

    if (p == NULL) {
        return;
    }
    if (p->h != NULL) {
        yajl_free(p->h);
    }
    for (i = 0; i < DFX_DS_COUNT; i++) {
        free(p->order[i].next);
        free(p->order[i].len);
    }
    for (i = 0; i < DFX_RP_ZONES; i++) {
        dfx_tz_free(p->zones[i]);
    }
    free(p->elems);
    free(p);
}

int
dfx_record_parser_set_dialect(dfx_record_parser_t *p, dfx_dialect_t d,
    const char *tz, char *errbuf, size_t errlen)
{
    const char  *name = tz != NULL ? tz : "UTC";
    dfx_tz_t    *z;
    size_t       i;

    if (d == DFX_DIALECT_STRICT) {
        p->dialect = d;
        return 0;
    }
    if (d != DFX_DIALECT_CLICKHOUSE) {
        if (errbuf != NULL && errlen > 0) {
            snprintf(errbuf, errlen, "unknown dialect %d", (int) d);
        }
        return -1;
    }

    for (i = 0; i < DFX_RP_ZONES && p->zones[i] != NULL; i++) {
        if (strcmp(dfx_tz_name(p->zones[i]), name) == 0) {
            break;
        }
    }
    if (i < DFX_RP_ZONES && p->zones[i] != NULL) {
        z = p->zones[i];
    } else {
        z = dfx_tz_load(tz, errbuf, errlen);
        if (z == NULL) {
            return -1;
        }
        /* the least recently used goes */
        i = DFX_RP_ZONES - 1;
        dfx_tz_free(p->zones[i]);
    }
    /* most recently used first */
    memmove(&p->zones[1], &p->zones[0], i * sizeof(p->zones[0]));
    p->zones[0] = z;
    p->tz = z;
    p->dialect = d;
    return 0;
}

static int
dfx_rp_handle(dfx_record_parser_t *p)
{
    if (p->h != NULL) {
        return 0;
    }
    p->h = yajl_alloc(&dfx_rp_callbacks, NULL, p);
    if (p->h == NULL) {
        return -1;
    }
    /* one handle serves value after value; UTF-8 is checked here */
    yajl_config(p->h, yajl_allow_multiple_values, 1);
    yajl_config(p->h, yajl_dont_validate_strings, 1);
    return 0;
}

/* Offset of the first byte that is not JSON whitespace (len if none). */
static size_t
dfx_rp_skip_ws(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
            break;
        }
    }
    return i;
}

/* Fills err from yajl's own message after a syntax error; at_end: found
 * when completing the parse, past the text. */
static void
dfx_rp_syntax(dfx_record_parser_t *p, dfx_record_err_t *err, int at_end)
{
    unsigned char  *m;
    size_t          n, off;

    err->field[0] = '\0';
    off = at_end ? p->len + 1 : yajl_get_bytes_consumed(p->h);
    m = yajl_get_error(p->h, 0, (const unsigned char *) p->text, p->len);
    if (m != NULL && strstr((const char *) m, "UTF8") != NULL) {
        snprintf(err->msg, sizeof(err->msg), "invalid UTF-8 in string");
        /* in a member's value (not in a name): say which member */
        if ((p->state == DFX_RP_VALUE || p->state == DFX_RP_ELEMS
             || p->state == DFX_RP_SKIP_VALUE) && p->key.data != NULL)
        {
            dfx_rp_quote(err->field, sizeof(err->field), p->key.data,
                         p->key.len, sizeof(err->field) - 4);
        }
    } else if (m != NULL) {
        n = strlen((const char *) m);
        while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' ')) {
            n--;
        }
        snprintf(err->msg, sizeof(err->msg), "%.*s", (int) n,
                 (const char *) m);
    } else {
        snprintf(err->msg, sizeof(err->msg), "invalid JSON");
    }
    if (m != NULL) {
        yajl_free_error(p->h, m);
    }
    /* yajl stops just past the offending byte, or when it can, rewinds to
     * the start of the offending token: the column of the last byte it
     * consumed is within one of the problem either way */
    err->column = dfx_rp_column(off > 0 ? off - 1 : 0);
}

/*
 * After yajl accepted the text: the text must hold exactly one complete
 * value.  With yajl_allow_multiple_values, yajl takes a value followed by
 * the start of another that the text cuts short (`{}"`) as "waiting for
 * more" and keeps that half token, which the next text would continue: the
 * handle is then dropped, so nothing of one text leaks into the next.
 */
static int
dfx_rp_clean_end(dfx_record_parser_t *p, dfx_record_err_t *err)
{
    size_t  rest = 0;

    if (p->state == DFX_RP_DONE) {
        rest = dfx_rp_skip_ws(p->text + p->end, p->len - p->end);
        if (p->end + rest == p->len) {
            return DFX_OK;
        }
    }

    yajl_free(p->h);
    p->h = NULL;
    /* a line keeps the first problem found, if it came before */
    if (p->mode == DFX_RP_LINE && p->failed) {
        return DFX_ERROR;
    }
    err->field[0] = '\0';
    if (p->state == DFX_RP_DONE) {
        snprintf(err->msg, sizeof(err->msg), "%s",
                 p->mode == DFX_RP_LINE
                 ? "more than one JSON value on the line"
                 : "more than one JSON value in the body");
        err->column = dfx_rp_column(p->end + rest);
    } else {
        snprintf(err->msg, sizeof(err->msg), "incomplete JSON value");
        err->column = dfx_rp_column(p->len);
    }
    return DFX_ERROR;
}

/* Runs yajl over the whole text.  Returns DFX_OK, or the result of a
 * stop, or DFX_ERROR with err filled on a syntax error. */
static int
dfx_rp_run(dfx_record_parser_t *p, dfx_record_err_t *err)
{
    yajl_status  st;
    int          at_end = 0;

    if (dfx_rp_handle(p) != 0) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        err->field[0] = '\0';
        err->column = 0;
        return DFX_ERROR;
    }

    p->result = DFX_OK;
    st = yajl_parse(p->h, (const unsigned char *) p->text, p->len);
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(p->h);
        at_end = 1;
    }
    if (st == yajl_status_ok) {
        return dfx_rp_clean_end(p, err);
    }

    if (st == yajl_status_client_canceled) {
        /* err was filled by dfx_rp_stop() */
        yajl_free(p->h);
        p->h = NULL;
        return p->result;
    }

    /* a line keeps the first problem found, if it came before */
    if (!(p->mode == DFX_RP_LINE && p->failed)) {
        dfx_rp_syntax(p, err, at_end);
    }
    yajl_free(p->h);
    p->h = NULL;
    return DFX_ERROR;
}

/* The order cache of s, made on its first use; NULL for a schema that is
 * not a built-in one, or without memory (lookups then hash every name). */
static dfx_rp_order_t *
dfx_rp_order(dfx_record_parser_t *p, const dfx_schema_t *s)
{
    dfx_rp_order_t  *o;
    unsigned         i;

    if (s->id >= DFX_DS_COUNT || dfx_schemas[s->id] != s) {
        return NULL;
    }
    o = &p->order[s->id];
    if (o->schema == s) {
        return o;
    }
    o->next = malloc((s->nfields + 1u) * sizeof(uint16_t));
    o->len = malloc(s->nfields * sizeof(uint16_t));
    if (o->next == NULL || o->len == NULL) {
        free(o->next);
        free(o->len);
        o->next = NULL;
        o->len = NULL;
        return NULL;
    }
    /* until a record says otherwise, emission order */
    for (i = 0; i < s->nfields; i++) {
        o->next[i] = (uint16_t) (i + 1 < s->nfields ? i + 1 : 0);
        o->len[i] = (uint16_t) strlen(s->fields[i].name);
    }
    o->next[s->nfields] = 0;
    o->schema = s;
    return o;
}

static void
dfx_rp_start(dfx_record_parser_t *p, dfx_rp_mode_t mode,
    const dfx_schema_t *s, const char *text, size_t len, dfx_pool_t *pool)
{
    p->mode = mode;
    p->state = DFX_RP_TOP;
    p->in_array = 0;
    p->schema = s;
    p->text = text;
    p->len = len;
    p->pool = pool;
    p->ord = dfx_rp_order(p, s);
    p->depth = 0;
    p->nrecords = 0;
    p->failed = 0;
    p->key.data = NULL;
    p->key.len = 0;
    p->result = DFX_OK;
}

int
dfx_record_parse_line(dfx_record_parser_t *p, const dfx_schema_t *s,
    const char *line, size_t len, dfx_pool_t *pool, dfx_record_t *rec,
    dfx_record_err_t *err)
{
    int  rc;

    memset(err, 0, sizeof(*err));
    dfx_rp_start(p, DFX_RP_LINE, s, line, len, pool);
    p->rec = rec;
    p->err = err;
    p->body_err = err;
    /* index and line belong to the caller */
    rec->schema = s;
    rec->v = NULL;
    rec->state = NULL;
    rec->unknown = 0;
    rec->unknown_names = NULL;
    rec->nunknown_names = 0;
    rec->ts_us = 0;

    p->first = dfx_rp_skip_ws(line, len);
    if (p->first == len) {
        snprintf(err->msg, sizeof(err->msg), "expected a JSON object");
        err->column = 1;
        return DFX_ERROR;
    }

    rc = dfx_rp_run(p, err);
    if (rc != DFX_OK) {
        return rc;
    }
    return p->failed ? DFX_ERROR : DFX_OK;
}

int
dfx_record_parse_json(dfx_record_parser_t *p, const dfx_schema_t *s,
    const char *body, size_t len, dfx_pool_t *pool, dfx_record_cb cb,
    void *arg, dfx_record_err_t *err)
{
    memset(err, 0, sizeof(*err));
    dfx_rp_start(p, DFX_RP_JSON, s, body, len, pool);
    p->cb = cb;
    p->cb_arg = arg;
    p->rec = NULL;
    p->err = &p->rec_err;
    p->body_err = err;

    p->first = dfx_rp_skip_ws(body, len);
    if (p->first == len) {
        snprintf(err->msg, sizeof(err->msg),
                 "expected a JSON object or an array of objects");
        err->column = 1;
        return DFX_ERROR;
    }
    return dfx_rp_run(p, err);
}
