/*
 * dfx_tag_filter.c: row selection by tag-filters-groups (and the
 * deprecated top-level tag-filters), the first stage of every chain.
 *
 * Everything is decided when the chain is built: which filters apply to
 * this data source (a filter naming a field the data source lacks takes no
 * part), each filter's field index and type, its values parsed into the
 * form the field is compared in (sorted integer sets, canonical IPv6
 * bytes, sorted strings) and its patterns compiled.  Per record only
 * comparisons, substring searches and regexec() remain.
 *
 * Patterns (":" after "*" became ".*", and "~") that are literal text
 * between ".*"s are searched for as substrings, piece after piece, which
 * is what an unanchored regexec() of them decides: POSIX "." matches any
 * byte but NUL (the daemon runs in the C locale), so the pieces must also
 * lie in one run of the value free of NUL bytes.  A pattern with a lone
 * "." (most wildcards of domains and addresses) keeps its regex, behind
 * the check that its literal runs occur in order, which every match
 * needs: a value that lacks them is no match without regexec().  Any
 * other regex syntax goes to regexec() alone.
 *
 * Semantics (DESIGN.md 4 and 9, deliberate differences from DeepFlow are
 * listed in doc/semantics.md):
 * - "and": every applicable filter matches; "or": at least one does;
 *   groups are OR-ed; a group without an applicable filter does not
 *   count; no applicable group at all: every record passes (the stage is
 *   then left out of the chain).
 * - When a deprecated top-level filter applies, that list alone decides.
 * - "=" / "in": the value is one of field-values; "!=" / "not in": it is
 *   none of them.  ":" / "!:": wildcard ("*" becomes ".*", nothing else is
 *   escaped), "~" / "!~": POSIX extended regex; both search (unanchored)
 *   and match when any of the values' patterns matches.
 * - Integer fields compare exactly (no float64 rounding), "3.0" and "3e0"
 *   equal 3; wildcard and regex see the decimal text.  Bools are 0/1.
 *   IPv4, IPv6 and MAC fields compare the text a message carries
 *   (dfx_encode.h: dotted quad, RFC 5952, lower-case MAC); "=" and
 *   friends also take the integer form of IPv4 and MAC.  String and
 *   number arrays match when any element does.
 * - A null value (a nullable field that is null or absent, an absent
 *   IPv6 field) satisfies only the negative operators.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_core.h"
#include "dfx_log.h"
#include "dfx_module.h"
#include "dfx_stats.h"
#include "encode/dfx_encode.h"
#include "enum_translate/dfx_enum_dict.h"
#include "tag_filter/dfx_tag_filter.h"
#include "tag_filter/dfx_tag_filter_conf.h"

/* An integer as sign and magnitude, so that every uint64 and int64 value
 * has one exact form (zero is never negative). */
typedef struct dfx_tf_num_s {
    uint64_t  mag;
    uint8_t   neg;
} dfx_tf_num_t;

/* A ":" or "~" pattern, compiled. */
typedef struct dfx_tf_pat_s {
    /* exact: the literal pieces between ".*"s, the whole decision;
     * otherwise literal runs that any match holds in this order (none
     * when the syntax is beyond this analysis), then regexec() */
    dfx_str_t     *pieces;
    size_t         npieces;
    uint8_t        exact;
    uint8_t        has_re;      /* re is compiled (fini frees it) */
    regex_t        re;
} dfx_tf_pat_t;

typedef struct dfx_tf_filter_s {
    const dfx_conf_filter_t  *conf; /* as written: dry runs name it */
    size_t         conf_index;  /* in its tag-filters list */
    uint16_t       field;
    uint8_t        type;        /* dfx_type_t */
    uint8_t        nullable;    /* null or absent means "no value" */
    uint8_t        negate;      /* !=, not in, !:, !~ */
    uint8_t        is_re;       /* :, !:, ~, !~ */
    /* "=" family, by field type */
    dfx_str_t     *strs;        /* STR, STRS: sorted */
    size_t         nstrs;
    dfx_tf_num_t  *nums;        /* integers, BOOL, IP4, MAC: sorted */
    size_t         nnums;
    uint8_t      (*ip6s)[16];   /* IP6: canonical values, as bytes */
    size_t         nip6s;
    double        *dbls;        /* F64S */
    size_t         ndbls;
    /* ":" and "~" families */
    dfx_tf_pat_t  *pats;
    size_t         npats;       /* compiled so far (fini frees these) */
} dfx_tf_filter_t;

typedef struct dfx_tf_group_s {
    dfx_tf_filter_t  *filters;
    size_t            n;
    int               cond;     /* dfx_filter_cond_t */
    int               conf_index;   /* tag-filters-groups[N], or -1 for
                                     * the deprecated tag-filters */
} dfx_tf_group_t;

typedef struct dfx_tag_filter_s {
    dfx_tf_group_t   *groups;
    size_t            ngroups;
    int               exporter;
    int               ds;
    int               drop_group;   /* reported: -1 or a group index */
    int               drop_reason;  /* dfx_reason_t */
    const char       *drop_why;
} dfx_tag_filter_t;

static void dfx_tag_filter_fini(void *data);

/* ---- values, parsed at init --------------------------------------- */

/* Decimal text whose value is an integer within +-(2^64-1): optional sign,
 * digits with an optional fraction and exponent ("3", "+3", "3.0",
 * "3e0", "30e-1").  Returns 0 or -1 (not such a number). */
static int
dfx_tf_parse_int(const char *s, dfx_tf_num_t *out)
{
    char      digits[64];
    size_t    nd = 0, i;
    long      exp = 0, x = 0;
    uint64_t  v = 0;
    int       neg = 0, xneg = 0, seen = 0, frac = 0;

    if (*s == '+' || *s == '-') {
        neg = (*s == '-');
        s++;
    }
    for (; *s != '\0'; s++) {
        if (*s >= '0' && *s <= '9') {
            seen = 1;
            if (nd == 0 && *s == '0') {
                /* leading zeros carry nothing but the exponent */
                exp -= frac;
                continue;
            }
            if (nd == sizeof(digits)) {
                return -1;
            }
            digits[nd++] = *s;
            exp -= frac;
        } else if (*s == '.' && !frac) {
            frac = 1;
        } else {
            break;
        }
    }
    if (!seen) {
        return -1;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') {
            xneg = (*s == '-');
            s++;
        }
        if (*s < '0' || *s > '9') {
            return -1;
        }
        for (; *s >= '0' && *s <= '9'; s++) {
            if (x < 100000) {
                x = x * 10 + (*s - '0');
            }
        }
        exp += xneg ? -x : x;
    }
    if (*s != '\0') {
        return -1;
    }

    /* value = digits * 10^exp */
    while (nd > 0 && digits[nd - 1] == '0') {
        nd--;
        exp++;
    }
    if (nd == 0) {
        out->mag = 0;
        out->neg = 0;
        return 0;
    }
    if (exp < 0 || (long) nd + exp > 20) {
        return -1;
    }
    for (i = 0; i < nd + (size_t) exp; i++) {
        unsigned  d = i < nd ? (unsigned) (digits[i] - '0') : 0;

        if (v > (UINT64_MAX - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
    }
    out->mag = v;
    out->neg = (uint8_t) neg;
    return 0;
}

/* "aa:bb:cc:dd:ee:ff" exactly as dfexport prints a MAC (lower case). */
static int
dfx_tf_parse_mac(const char *s, uint64_t *out)
{
    uint64_t  v = 0;
    int       i;

    if (strlen(s) != 17) {
        return -1;
    }
    for (i = 0; i < 17; i++) {
        if (i % 3 == 2) {
            if (s[i] != ':') {
                return -1;
            }
            continue;
        }
        if (s[i] >= '0' && s[i] <= '9') {
            v = (v << 4) | (uint64_t) (s[i] - '0');
        } else if (s[i] >= 'a' && s[i] <= 'f') {
            v = (v << 4) | (uint64_t) (s[i] - 'a' + 10);
        } else {
            return -1;
        }
    }
    *out = v;
    return 0;
}

static int
dfx_tf_num_cmp(const void *a, const void *b)
{
    const dfx_tf_num_t  *x = a, *y = b;

    if (x->neg != y->neg) {
        return x->neg ? -1 : 1;
    }
    if (x->mag == y->mag) {
        return 0;
    }
    return ((x->mag < y->mag) ^ x->neg) ? -1 : 1;
}

static int
dfx_tf_str_cmp(const void *a, const void *b)
{
    const dfx_str_t  *x = a, *y = b;
    int               r;

    if (x->len != y->len) {
        return x->len < y->len ? -1 : 1;
    }
    r = x->len ? memcmp(x->data, y->data, x->len) : 0;
    return r;
}

static int
dfx_tf_ip6_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

/* The value of field-values[i] in the form the field compares; 0 when it
 * joined the set, 1 when it can never equal a value of this field. */
static int
dfx_tf_add_value(dfx_tf_filter_t *f, const char *s)
{
    dfx_tf_num_t  n;
    uint64_t      u;
    uint8_t       b6[16];
    char          text[DFX_IP6_STR_MAX];
    size_t        len;
    struct in_addr a4;
    char         *end;
    double        d;

    switch (f->type) {
    case DFX_T_STR:
    case DFX_T_STRS:
        f->strs[f->nstrs].data = s;
        f->strs[f->nstrs].len = strlen(s);
        f->nstrs++;
        return 0;

    case DFX_T_BOOL:
        if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
            n.mag = s[0] == 't';
            n.neg = 0;
            break;
        }
        /* fall through */
    case DFX_T_U8:
    case DFX_T_U16:
    case DFX_T_U32:
    case DFX_T_U64:
    case DFX_T_I32:
    case DFX_T_I64:
        if (dfx_tf_parse_int(s, &n) != 0) {
            return 1;
        }
        break;

    case DFX_T_IP4:
        if (inet_pton(AF_INET, s, &a4) == 1) {
            n.mag = ntohl(a4.s_addr);
            n.neg = 0;
        } else if (dfx_tf_parse_int(s, &n) != 0) {
            return 1;
        }
        break;

    case DFX_T_MAC:
        if (dfx_tf_parse_mac(s, &u) == 0) {
            n.mag = u;
            n.neg = 0;
        } else if (dfx_tf_parse_int(s, &n) != 0) {
            return 1;
        }
        break;

    case DFX_T_IP6:
        /* only the canonical text can equal a value's text form */
        if (inet_pton(AF_INET6, s, b6) != 1) {
            return 1;
        }
        len = dfx_encode_ip6(b6, text);
        if (len != strlen(s) || memcmp(text, s, len) != 0) {
            return 1;
        }
        memcpy(f->ip6s[f->nip6s++], b6, 16);
        return 0;

    case DFX_T_F64S:
        d = strtod(s, &end);
        if (end == s || *end != '\0') {
            return 1;
        }
        f->dbls[f->ndbls++] = d;
        return 0;

    default:
        return 1;
    }

    f->nums[f->nnums++] = n;
    return 0;
}

/* ":" values: every "*" becomes ".*"; nothing else is escaped, so "." and
 * the other regex characters keep their meaning (DeepFlow's rule). */
static char *
dfx_tf_wildcard(dfx_pool_t *pool, const char *s)
{
    size_t  n = 0, i;
    char   *p, *o;

    for (i = 0; s[i] != '\0'; i++) {
        n += s[i] == '*' ? 2 : 1;
    }
    p = dfx_pool_alloc(pool, n + 1);
    if (p == NULL) {
        return NULL;
    }
    for (o = p, i = 0; s[i] != '\0'; i++) {
        if (s[i] == '*') {
            *o++ = '.';
        }
        *o++ = s[i];
    }
    *o = '\0';
    return p;
}

/*
 * Splits regex re into the literal pieces between its ".*"s.  Returns 1
 * when re is nothing but literal characters and ".*"s (the pieces decide
 * alone), 0 when it also has lone "."s (the pieces are then its runs of
 * literal characters, which a match holds in order), -1 for any other
 * syntax, -2 without memory.  Empty pieces are left out.
 */
static int
dfx_tf_pieces(dfx_pool_t *pool, const char *re, dfx_tf_pat_t *pt)
{
    size_t  n = strlen(re), i, start = 0, np = 0;
    int     dots = 0;

    /* at most one piece per character */
    pt->pieces = dfx_pool_alloc(pool, (n ? n : 1) * sizeof(dfx_str_t));
    if (pt->pieces == NULL) {
        return -2;
    }
    for (i = 0; i <= n; i++) {
        if (i < n && strchr("[](){}|\\^$+?*", re[i]) != NULL) {
            /* a "*" here repeats a literal character, or is misplaced */
            pt->npieces = 0;
            return -1;
        }
        if (i < n && re[i] != '.') {
            continue;
        }
        if (i > start) {
            pt->pieces[np].data = re + start;
            pt->pieces[np].len = i - start;
            np++;
        }
        if (i < n && re[i + 1] == '*') {
            if (re[i + 2] == '*') {
                pt->npieces = 0;
                return -1;
            }
            i++;
        } else if (i < n) {
            dots = 1;
        }
        start = i + 1;
    }
    pt->npieces = np;
    return dots ? 0 : 1;
}

/* Warns about a value no record's field can hold (l7_protocol = HTTP on a
 * field of numeric codes): the filter is valid, but it can never match,
 * which is seldom what was meant.  Names the code when the field's enum
 * dictionary knows the value as a display name. */
static void
dfx_tf_never(const dfx_chain_t *chain, const dfx_conf_filter_t *cf,
             const dfx_field_t *fd, const char *value)
{
    const dfx_enum_dict_t  *d;
    int64_t                 code;
    char                    hint[96];

    hint[0] = '\0';
    d = fd->enum_id != DFX_ENUM_NONE
        ? dfx_enums_get(chain->enums, (dfx_enum_id_t) fd->enum_id) : NULL;
    if (d != NULL && dfx_enum_dict_code_of(d, value, &code) == 0) {
        snprintf(hint, sizeof(hint), "; the enum dictionary %s names code "
                 "%" PRId64 " \"%s\": write %" PRId64,
                 dfx_enum_names[fd->enum_id], code, value, code);
    }
    dfx_log_warn("%s:%u: exporter %u, %s: tag filter on \"%s\": \"%s\" "
                 "can never be a value of this field, so \"%s\" %s%s",
                 cf->loc.file ? cf->loc.file : "", cf->loc.line,
                 chain->exporter, chain->schema->name, fd->name, value,
                 cf->op.v ? cf->op.v : "",
                 cf->opcode == DFX_FILTER_NEQ
                 || cf->opcode == DFX_FILTER_NOT_IN
                 ? "always holds for it" : "never matches it", hint);
}

static int
dfx_tf_compile(dfx_chain_t *chain, dfx_tf_filter_t *f,
               const dfx_conf_filter_t *cf, int field)
{
    const dfx_field_t  *fd = &chain->schema->fields[field];
    dfx_tf_pat_t       *pt;
    const char         *pat;
    size_t              i, n = cf->field_values.n;
    char                msg[128];
    int                 op = cf->opcode, r;

    f->field = (uint16_t) field;
    f->type = fd->type;
    f->nullable = (fd->flags & DFX_FIELD_NULLABLE) || fd->type == DFX_T_IP6;

    switch (op) {
    case DFX_FILTER_EQ:
    case DFX_FILTER_IN:
        break;
    case DFX_FILTER_NEQ:
    case DFX_FILTER_NOT_IN:
        f->negate = 1;
        break;
    case DFX_FILTER_WILDCARD_EQ:
    case DFX_FILTER_REGEXP_EQ:
        f->is_re = 1;
        break;
    case DFX_FILTER_WILDCARD_NEQ:
    case DFX_FILTER_REGEXP_NEQ:
        f->is_re = 1;
        f->negate = 1;
        break;
    default:
        dfx_log_error("%s:%u: tag filter on \"%s\": operator \"%s\" was "
                      "not checked", cf->loc.file ? cf->loc.file : "",
                      cf->loc.line, fd->name, cf->op.v ? cf->op.v : "");
        return -1;
    }

    if (f->is_re) {
        f->pats = dfx_pool_calloc(chain->pool,
                                  (n ? n : 1) * sizeof(dfx_tf_pat_t));
        if (f->pats == NULL) {
            return -1;
        }
        for (i = 0; i < n; i++) {
            pt = &f->pats[i];
            pat = cf->field_values.v[i].v ? cf->field_values.v[i].v : "";
            if (op == DFX_FILTER_WILDCARD_EQ || op == DFX_FILTER_WILDCARD_NEQ) {
                pat = dfx_tf_wildcard(chain->pool, pat);
                if (pat == NULL) {
                    return -1;
                }
            }
            /* counted first, so that fini frees what was compiled */
            f->npats++;
            r = dfx_tf_pieces(chain->pool, pat, pt);
            if (r == -2) {
                return -1;
            }
            if (r == 1) {
                pt->exact = 1;
                continue;
            }
            r = regcomp(&pt->re, pat, REG_EXTENDED | REG_NOSUB);
            if (r != 0) {
                regerror(r, &pt->re, msg, sizeof(msg));
                regfree(&pt->re);
                dfx_log_error("%s:%u: tag filter on \"%s\": bad pattern "
                              "\"%s\": %s", cf->loc.file ? cf->loc.file : "",
                              cf->loc.line, fd->name, pat, msg);
                return -1;
            }
            pt->has_re = 1;
        }
        return 0;
    }

    f->strs = dfx_pool_alloc(chain->pool, (n ? n : 1) * sizeof(dfx_str_t));
    f->nums = dfx_pool_alloc(chain->pool, (n ? n : 1) * sizeof(dfx_tf_num_t));
    f->ip6s = dfx_pool_alloc(chain->pool, (n ? n : 1) * 16);
    f->dbls = dfx_pool_alloc(chain->pool, (n ? n : 1) * sizeof(double));
    if (f->strs == NULL || f->nums == NULL || f->ip6s == NULL
        || f->dbls == NULL)
    {
        return -1;
    }
    for (i = 0; i < n; i++) {
        /* a value that cannot equal any value of the field is left out:
         * "=" never matches it, "!=" always holds for it */
        pat = cf->field_values.v[i].v ? cf->field_values.v[i].v : "";
        if (dfx_tf_add_value(f, pat) != 0) {
            dfx_tf_never(chain, cf, fd, pat);
        }
    }
    qsort(f->strs, f->nstrs, sizeof(dfx_str_t), dfx_tf_str_cmp);
    qsort(f->nums, f->nnums, sizeof(dfx_tf_num_t), dfx_tf_num_cmp);
    qsort(f->ip6s, f->nip6s, 16, dfx_tf_ip6_cmp);
    return 0;
}

/* ---- per record --------------------------------------------------- */

static int
dfx_tf_search(const regex_t *re, const char *s, size_t len)
{
#ifdef REG_STARTEND
    regmatch_t  m[1];

    /* slices are not NUL-terminated; glibc and the BSDs take bounds */
    m[0].rm_so = 0;
    m[0].rm_eo = (regoff_t) len;
    return regexec(re, s != NULL ? s : "", 1, m, REG_STARTEND) == 0;
#else
    char   stack[256];
    char  *p = stack;
    int    r;

    if (len >= sizeof(stack)) {
        p = malloc(len + 1);
        if (p == NULL) {
            return 0;
        }
    }
    if (len) {
        memcpy(p, s, len);
    }
    p[len] = '\0';
    r = regexec(re, p, 0, NULL, 0) == 0;
    if (p != stack) {
        free(p);
    }
    return r;
#endif
}

/* The first place of p (n >= 1 bytes) in s, or NULL. */
static const char *
dfx_tf_find(const char *s, size_t len, const char *p, size_t n)
{
    const char  *c, *last;

    if (n > len) {
        return NULL;
    }
    last = s + (len - n);
    for (c = s; c <= last; c++) {
        c = memchr(c, (unsigned char) p[0], (size_t) (last - c) + 1);
        if (c == NULL) {
            return NULL;
        }
        if (memcmp(c + 1, p + 1, n - 1) == 0) {
            return c;
        }
    }
    return NULL;
}

/* Whether the pieces occur in s in order, without overlapping: the
 * leftmost place of each after the one before is as good as any. */
static int
dfx_tf_pieces_in(const dfx_str_t *pc, size_t n, const char *s, size_t len)
{
    const char  *hit;
    size_t       i, off = 0;

    for (i = 0; i < n; i++) {
        hit = dfx_tf_find(s + off, len - off, pc[i].data, pc[i].len);
        if (hit == NULL) {
            return 0;
        }
        off = (size_t) (hit - s) + pc[i].len;
    }
    return 1;
}

static int
dfx_tf_pat_match(const dfx_tf_pat_t *pt, const char *s, size_t len)
{
    const char  *nul, *end;

    if (s == NULL) {
        s = "";
        len = 0;
    }
    if (pt->exact) {
        if (pt->npieces < 2 || (nul = memchr(s, '\0', len)) == NULL) {
            return dfx_tf_pieces_in(pt->pieces, pt->npieces, s, len);
        }
        /* the ".*" between two pieces cannot span a NUL byte */
        for (end = s + len; s <= end; s = nul + 1) {
            nul = memchr(s, '\0', (size_t) (end - s));
            if (nul == NULL) {
                nul = end;
            }
            if (dfx_tf_pieces_in(pt->pieces, pt->npieces, s,
                                 (size_t) (nul - s)))
            {
                return 1;
            }
        }
        return 0;
    }
    return dfx_tf_pieces_in(pt->pieces, pt->npieces, s, len)
           && dfx_tf_search(&pt->re, s, len);
}

static int
dfx_tf_re_any(const dfx_tf_filter_t *f, const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < f->npats; i++) {
        if (dfx_tf_pat_match(&f->pats[i], s, len)) {
            return 1;
        }
    }
    return 0;
}

static int
dfx_tf_str_in(const dfx_tf_filter_t *f, dfx_str_t s)
{
    return f->nstrs != 0
           && bsearch(&s, f->strs, f->nstrs, sizeof(dfx_str_t),
                      dfx_tf_str_cmp) != NULL;
}

static int
dfx_tf_num_in(const dfx_tf_filter_t *f, dfx_tf_num_t n)
{
    return f->nnums != 0
           && bsearch(&n, f->nums, f->nnums, sizeof(dfx_tf_num_t),
                      dfx_tf_num_cmp) != NULL;
}

/* Decimal text of n into buf (at least 22 bytes); returns its length. */
static size_t
dfx_tf_num_text(dfx_tf_num_t n, char *buf)
{
    char      tmp[24];
    char     *p = tmp + sizeof(tmp);
    uint64_t  v = n.mag;
    size_t    len;

    do {
        *--p = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    if (n.neg) {
        *--p = '-';
    }
    len = (size_t) (tmp + sizeof(tmp) - p);
    memcpy(buf, p, len);
    buf[len] = '\0';
    return len;
}

static int
dfx_tf_match(const dfx_tf_filter_t *f, const dfx_record_t *rec)
{
    const dfx_value_t  *v = &rec->v[f->field];
    dfx_tf_num_t        n;
    dfx_str_t           s;
    char                text[DFX_F64_STR_MAX];
    size_t              i, len;
    int                 set, r = 0;

    set = rec->state[f->field] == DFX_SLOT_SET;
    if (!set && f->nullable) {
        return f->negate;
    }

    switch (f->type) {
    case DFX_T_STR:
        s = set ? v->s : (dfx_str_t) dfx_null_string;
        r = f->is_re ? dfx_tf_re_any(f, s.data, s.len) : dfx_tf_str_in(f, s);
        break;

    case DFX_T_STRS:
        for (i = 0; set && i < v->strs.n && !r; i++) {
            s = v->strs.v[i];
            r = f->is_re ? dfx_tf_re_any(f, s.data, s.len)
                         : dfx_tf_str_in(f, s);
        }
        break;

    case DFX_T_U8:
    case DFX_T_U16:
    case DFX_T_U32:
    case DFX_T_U64:
    case DFX_T_BOOL:
        n.mag = set ? v->u : 0;
        n.neg = 0;
        goto number;

    case DFX_T_I32:
    case DFX_T_I64:
        n.neg = set && v->i < 0;
        n.mag = !set ? 0
                : n.neg ? (uint64_t) 0 - (uint64_t) v->i : (uint64_t) v->i;
    number:
        if (f->is_re) {
            len = dfx_tf_num_text(n, text);
            r = dfx_tf_re_any(f, text, len);
        } else {
            r = dfx_tf_num_in(f, n);
        }
        break;

    case DFX_T_IP4:
        n.mag = set ? v->u & 0xffffffffu : 0;
        n.neg = 0;
        if (f->is_re) {
            len = dfx_encode_ip4((uint32_t) n.mag, text);
            r = dfx_tf_re_any(f, text, len);
        } else {
            r = dfx_tf_num_in(f, n);
        }
        break;

    case DFX_T_MAC:
        n.mag = set ? v->u & 0xffffffffffffULL : 0;
        n.neg = 0;
        if (f->is_re) {
            len = dfx_encode_mac(n.mag, text);
            r = dfx_tf_re_any(f, text, len);
        } else {
            r = dfx_tf_num_in(f, n);
        }
        break;

    case DFX_T_IP6:
        if (f->is_re) {
            len = dfx_encode_ip6(v->ip6, text);
            r = dfx_tf_re_any(f, text, len);
        } else {
            r = f->nip6s != 0
                && bsearch(v->ip6, f->ip6s, f->nip6s, 16, dfx_tf_ip6_cmp)
                   != NULL;
        }
        break;

    case DFX_T_F64S:
        for (i = 0; set && i < v->f64s.n && !r; i++) {
            if (f->is_re) {
                len = dfx_encode_f64(v->f64s.v[i], text);
                r = dfx_tf_re_any(f, text, len);
            } else {
                size_t  j;

                for (j = 0; j < f->ndbls && !r; j++) {
                    r = f->dbls[j] == v->f64s.v[i];
                }
            }
        }
        break;

    default:
        break;
    }

    return r ^ f->negate;
}

static int
dfx_tf_group_match(const dfx_tf_group_t *g, const dfx_record_t *rec)
{
    size_t  i;

    if (g->cond == DFX_COND_OR) {
        for (i = 0; i < g->n; i++) {
            if (dfx_tf_match(&g->filters[i], rec)) {
                return 1;
            }
        }
        return 0;
    }

    for (i = 0; i < g->n; i++) {
        if (!dfx_tf_match(&g->filters[i], rec)) {
            return 0;
        }
    }
    return 1;
}

/* ---- the module --------------------------------------------------- */

static size_t
dfx_tf_applicable(const dfx_schema_t *s, const dfx_conf_list_t *filters)
{
    const dfx_conf_filter_t  *cf = filters->v;
    size_t                    i, n = 0;

    for (i = 0; i < filters->n; i++) {
        if (cf[i].field_name.v != NULL
            && dfx_schema_field(s, cf[i].field_name.v,
                                strlen(cf[i].field_name.v)) >= 0)
        {
            n++;
        }
    }
    return n;
}

static int
dfx_tf_group_build(dfx_chain_t *chain, dfx_tag_filter_t *tf,
                   const dfx_conf_list_t *filters, int cond, size_t napp)
{
    const dfx_conf_filter_t  *cf = filters->v;
    dfx_tf_group_t           *g = &tf->groups[tf->ngroups];
    size_t                    i;
    int                       field;

    g->filters = dfx_pool_calloc(chain->pool,
                                 napp * sizeof(dfx_tf_filter_t));
    if (g->filters == NULL) {
        return -1;
    }
    g->cond = cond;
    tf->ngroups++;

    for (i = 0; i < filters->n; i++) {
        if (cf[i].field_name.v == NULL) {
            continue;
        }
        field = dfx_schema_field(chain->schema, cf[i].field_name.v,
                                 strlen(cf[i].field_name.v));
        if (field < 0) {
            continue;
        }
        /* counted first, so fini frees what was compiled on failure */
        g->n++;
        if (dfx_tf_compile(chain, &g->filters[g->n - 1], &cf[i], field)
            != 0)
        {
            return -1;
        }
        g->filters[g->n - 1].conf = &cf[i];
        g->filters[g->n - 1].conf_index = i;
    }
    return 0;
}

static int
dfx_tag_filter_init(dfx_chain_t *chain, const void *conf, void **data)
{
    const dfx_tag_filter_conf_t    *c = conf;
    const dfx_conf_filter_group_t  *grp;
    dfx_tag_filter_t               *tf = NULL;
    dfx_buf_t                       why = DFX_BUF_INIT;
    size_t                          i, napp, ngroups = 0;
    int                             last = -1, rc = DFX_ERROR;
    char                           *text;

    if (c == NULL) {
        return DFX_SKIP;
    }
    grp = c->groups.v;

    napp = dfx_tf_applicable(chain->schema, &c->filters);
    if (napp == 0) {
        for (i = 0; i < c->groups.n; i++) {
            if (dfx_tf_applicable(chain->schema, &grp[i].filters) > 0) {
                ngroups++;
            }
        }
        if (ngroups == 0) {
            return DFX_SKIP;
        }
    }

    tf = dfx_pool_calloc(chain->pool, sizeof(*tf));
    if (tf == NULL) {
        goto cleanup;
    }
    tf->exporter = (int) chain->exporter;
    tf->ds = (int) chain->schema->id;
    tf->groups = dfx_pool_calloc(chain->pool,
                                 (napp ? 1 : ngroups) * sizeof(dfx_tf_group_t));
    if (tf->groups == NULL) {
        goto cleanup;
    }

    if (napp > 0) {
        /* the deprecated list applies: it alone decides */
        if (dfx_tf_group_build(chain, tf, &c->filters, c->condition.type.v,
                               napp) != 0)
        {
            goto cleanup;
        }
        tf->groups[tf->ngroups - 1].conf_index = -1;
        tf->drop_group = -1;
        tf->drop_reason = DFX_REASON_TAG_FILTERS;
        tf->drop_why = "tag-filters did not match";
        goto done;
    }

    for (i = 0; i < c->groups.n; i++) {
        napp = dfx_tf_applicable(chain->schema, &grp[i].filters);
        if (napp == 0) {
            continue;
        }
        if (dfx_tf_group_build(chain, tf, &grp[i].filters,
                               grp[i].condition.type.v, napp) != 0)
        {
            goto cleanup;
        }
        tf->groups[tf->ngroups - 1].conf_index = (int) i;
        if (dfx_buf_printf(&why, "%s[%zu]", last < 0 ? "" : ",", i) != 0) {
            goto cleanup;
        }
        last = (int) i;
    }

    /* every applicable group failed: the last one evaluated decided, as
     * in DeepFlow, and the text names them all for dry runs */
    tf->drop_group = last;
    tf->drop_reason = DFX_REASON_GROUP0 + last;
    text = dfx_pool_alloc(chain->pool, why.len + 48);
    if (text == NULL) {
        goto cleanup;
    }
    if (ngroups == 1) {
        snprintf(text, why.len + 48, "tag-filters-groups%.*s did not match",
                 (int) why.len, why.data);
    } else {
        snprintf(text, why.len + 48, "none of tag-filters-groups%.*s "
                 "matched", (int) why.len, why.data);
    }
    tf->drop_why = text;

done:
    /* the one series this chain can count drops in exists at 0 */
    dfx_stats_declare(DFX_STAT_tag_filter_dropped_total, tf->exporter,
                      tf->ds, tf->drop_reason);
    *data = tf;
    tf = NULL;
    rc = DFX_OK;

cleanup:
    if (rc != DFX_OK) {
        dfx_log_error("exporter %u: %s: cannot set up the tag filters",
                      chain->exporter, chain->schema->name);
    }
    dfx_tag_filter_fini(tf);
    dfx_buf_free(&why);
    return rc;
}

static int
dfx_tag_filter_process(void *data, dfx_rec_ctx_t *rc)
{
    const dfx_tag_filter_t  *tf = data;
    size_t                   i;

    for (i = 0; i < tf->ngroups; i++) {
        if (dfx_tf_group_match(&tf->groups[i], rc->rec)) {
            return DFX_OK;
        }
    }

    rc->drop_group = tf->drop_group;
    rc->drop_why = tf->drop_why;
    dfx_stats_add(DFX_STAT_tag_filter_dropped_total, tf->exporter, tf->ds,
                  tf->drop_reason, 1);
    return DFX_DROP;
}

/* Frees the compiled patterns; the rest lives in the chain's pool. */
static void
dfx_tag_filter_fini(void *data)
{
    dfx_tag_filter_t  *tf = data;
    dfx_tf_filter_t   *f;
    size_t             g, i, r;

    if (tf == NULL) {
        return;
    }
    for (g = 0; g < tf->ngroups; g++) {
        for (i = 0; i < tf->groups[g].n; i++) {
            f = &tf->groups[g].filters[i];
            for (r = 0; r < f->npats; r++) {
                if (f->pats[r].has_re) {
                    regfree(&f->pats[r].re);
                    f->pats[r].has_re = 0;
                }
            }
            f->npats = 0;
        }
    }
}

/* ---- dry runs ------------------------------------------------------ */

/* The record's value of field f as JSON (null when absent or null). */
static int
dfx_tf_value_json(dfx_buf_t *out, const dfx_record_t *rec, unsigned f)
{
    const dfx_value_t  *v = &rec->v[f];
    char                text[DFX_F64_STR_MAX];
    size_t              i, n;
    int                 rc = 0;

    if (rec->state[f] != DFX_SLOT_SET) {
        return dfx_buf_printf(out, "null");
    }
    switch (rec->schema->fields[f].type) {
    case DFX_T_I32:
    case DFX_T_I64:
        return dfx_buf_i64(out, v->i);
    case DFX_T_STR:
        return dfx_buf_json_str(out, v->s.data, v->s.len);
    case DFX_T_IP4:
        n = dfx_encode_ip4((uint32_t) v->u, text);
        return dfx_buf_json_str(out, text, n);
    case DFX_T_IP6:
        n = dfx_encode_ip6(v->ip6, text);
        return dfx_buf_json_str(out, text, n);
    case DFX_T_MAC:
        n = dfx_encode_mac(v->u, text);
        return dfx_buf_json_str(out, text, n);
    case DFX_T_STRS:
        rc |= dfx_buf_putc(out, '[');
        for (i = 0; i < v->strs.n; i++) {
            rc |= i ? dfx_buf_putc(out, ',') : 0;
            rc |= dfx_buf_json_str(out, v->strs.v[i].data, v->strs.v[i].len);
        }
        return rc | dfx_buf_putc(out, ']');
    case DFX_T_F64S:
        rc |= dfx_buf_putc(out, '[');
        for (i = 0; i < v->f64s.n; i++) {
            rc |= i ? dfx_buf_putc(out, ',') : 0;
            n = dfx_encode_f64(v->f64s.v[i], text);
            rc |= dfx_buf_append(out, text, n);
        }
        return rc | dfx_buf_putc(out, ']');
    default:
        return dfx_buf_u64(out, v->u);
    }
}

int
dfx_tag_filter_explain(const dfx_chain_t *chain, const dfx_record_t *rec,
                       dfx_buf_t *out)
{
    const dfx_tag_filter_t  *tf = NULL;
    const dfx_tf_filter_t   *f;
    const dfx_conf_filter_t *c;
    size_t                   s, g, i, k;
    int                      rc = 0, first = 1;

    for (s = 0; s < chain->nstages; s++) {
        if (chain->stages[s].module == &dfx_tag_filter_module) {
            tf = chain->stages[s].data;
        }
    }
    rc |= dfx_buf_putc(out, '[');
    for (g = 0; tf != NULL && g < tf->ngroups; g++) {
        for (i = 0; i < tf->groups[g].n; i++) {
            f = &tf->groups[g].filters[i];
            c = f->conf;
            if (c == NULL || dfx_tf_match(f, rec)) {
                continue;
            }
            rc |= first ? 0 : dfx_buf_putc(out, ',');
            first = 0;
            if (tf->groups[g].conf_index >= 0) {
                rc |= dfx_buf_printf(out, "{\"filter\":\"tag-filters-groups"
                                     "[%d].tag-filters[%zu]\"",
                                     tf->groups[g].conf_index, f->conf_index);
            } else {
                rc |= dfx_buf_printf(out, "{\"filter\":\"tag-filters[%zu]\"",
                                     f->conf_index);
            }
            rc |= dfx_buf_printf(out, ",\"field-name\":");
            rc |= dfx_buf_json_str(out, c->field_name.v,
                                   strlen(c->field_name.v));
            rc |= dfx_buf_printf(out, ",\"operator\":");
            rc |= dfx_buf_json_str(out, c->op.v != NULL ? c->op.v : "",
                                   c->op.v != NULL ? strlen(c->op.v) : 0);
            rc |= dfx_buf_printf(out, ",\"field-values\":[");
            for (k = 0; k < c->field_values.n; k++) {
                const char  *t = c->field_values.v[k].v;

                rc |= k ? dfx_buf_putc(out, ',') : 0;
                rc |= dfx_buf_json_str(out, t != NULL ? t : "",
                                       t != NULL ? strlen(t) : 0);
            }
            rc |= dfx_buf_printf(out, "],\"value\":");
            rc |= dfx_tf_value_json(out, rec, f->field);
            rc |= dfx_buf_putc(out, '}');
        }
    }
    rc |= dfx_buf_putc(out, ']');
    return rc ? -1 : 0;
}

const dfx_module_t  dfx_tag_filter_module = {
    .name       = "tag_filter",
    .keys       = dfx_tag_filter_keys,
    .conf_size  = sizeof(dfx_tag_filter_conf_t),
    .conf_check = dfx_tag_filter_conf_check,
    .init       = dfx_tag_filter_init,
    .process    = dfx_tag_filter_process,
    .fini       = dfx_tag_filter_fini,
};
