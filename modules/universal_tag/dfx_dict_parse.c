/*
 * dfx_dict_parse.c: reading a universal-tag dictionary document into a
 * dictionary (dfx_dict.c has the tables and the publication).
 *
 * The JSON document is configuration-side (a file read at start-up and on
 * SIGHUP, or the body of PUT /v1/dictionary), but it grows with the
 * cluster (some 300 bytes per pod), so it is never held as a tree: yajl's
 * events go straight into one open-addressing hash per map, and a load
 * needs little more than the text and the finished index.  The document
 * is strict JSON as yajl reads it; the first problem in document order,
 * of syntax or of content, is the one reported.  Every name is stored
 * once, already rendered as a JSON string literal, so the encoder copies
 * bytes and never escapes per record.
 *
 * Duplicate ids inside one map: the last entry wins, as in DeepFlow,
 * which builds Go maps from the same arrays.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "dfx_core.h"
#include "universal_tag/dfx_dict_int.h"

#define DFX_DICT_POOL_BLOCK  (64 * 1024)

/* Names are packed byte after byte in chunks of this size: the pool
 * aligns every allocation to 16 bytes, which would double the size of a
 * dictionary made of short names. */
#define DFX_DICT_TEXT_CHUNK  (64 * 1024)

/* A member's two spellings: protobuf's field name, its JSON name. */
typedef struct dfx_dict_spelling_s {
    const char  *snake;
    const char  *camel;
} dfx_dict_spelling_t;

/* The members of the document. */
typedef enum {
    DFX_DICT_M_VERSION = DFX_DICT_NMAPS,
    DFX_DICT_M_LABELS,
    DFX_DICT_M_COUNT
} dfx_dict_member_t;

static const dfx_dict_spelling_t  dfx_dict_members[DFX_DICT_M_COUNT] = {
    [DFX_DICT_REGION]      = { "region_map", "regionMap" },
    [DFX_DICT_AZ]          = { "az_map", "azMap" },
    [DFX_DICT_DEVICE]      = { "device_map", "deviceMap" },
    [DFX_DICT_POD_NODE]    = { "pod_node_map", "podNodeMap" },
    [DFX_DICT_POD_NS]      = { "pod_ns_map", "podNsMap" },
    [DFX_DICT_POD_GROUP]   = { "pod_group_map", "podGroupMap" },
    [DFX_DICT_POD]         = { "pod_map", "podMap" },
    [DFX_DICT_POD_CLUSTER] = { "pod_cluster_map", "podClusterMap" },
    [DFX_DICT_L3_EPC]      = { "l3_epc_map", "l3EpcMap" },
    [DFX_DICT_SUBNET]      = { "subnet_map", "subnetMap" },
    [DFX_DICT_GPROCESS]    = { "gprocess_map", "gprocessMap" },
    [DFX_DICT_VTAP]        = { "vtap_map", "vtapMap" },
    [DFX_DICT_M_VERSION]   = { "version", "version" },
    [DFX_DICT_M_LABELS]    = { "pod_k8s_label_map", "podK8sLabelMap" },
};

/* Entry members, and which an entry of each kind may have. */
typedef enum {
    DFX_DICT_E_ID = 0,
    DFX_DICT_E_NAME,
    DFX_DICT_E_TYPE,
    DFX_DICT_E_POD_ID,
    DFX_DICT_E_LABEL_NAME,
    DFX_DICT_E_LABEL_VALUE,
    DFX_DICT_E_COUNT
} dfx_dict_emember_t;

static const dfx_dict_spelling_t  dfx_dict_emembers[DFX_DICT_E_COUNT] = {
    { "id", "id" }, { "name", "name" }, { "type", "type" },
    { "pod_id", "podId" }, { "label_name", "labelName" },
    { "label_value", "labelValue" },
};

#define DFX_DICT_MAP_MEMBERS     (1u << DFX_DICT_E_ID | 1u << DFX_DICT_E_NAME)
#define DFX_DICT_DEVICE_MEMBERS  (DFX_DICT_MAP_MEMBERS | 1u << DFX_DICT_E_TYPE)
#define DFX_DICT_LABEL_MEMBERS                                              \
    (1u << DFX_DICT_E_POD_ID | 1u << DFX_DICT_E_LABEL_NAME                  \
     | 1u << DFX_DICT_E_LABEL_VALUE)

/*
 * Where a value sits is the number of containers open around it:
 *   1  a member of the document          pod_map
 *   2  an entry of a map                 pod_map[3]
 *   3  a member of an entry              pod_map[3].id
 *   4  an element of a label list        pod_k8s_label_map[0].label_name[2]
 * A container anywhere else is refused on sight, so the nesting never
 * passes 4.
 */
#define DFX_DICT_IN_DOC     1
#define DFX_DICT_IN_MAP     2
#define DFX_DICT_IN_ENTRY   3
#define DFX_DICT_IN_LIST    4

/* A scalar as yajl passed it. */
typedef enum {
    DFX_DICT_V_NULL = 0,
    DFX_DICT_V_BOOL,
    DFX_DICT_V_NUMBER,          /* s: the number's text */
    DFX_DICT_V_STRING           /* s: the decoded string */
} dfx_dict_vtype_t;

typedef struct dfx_dict_val_s {
    dfx_dict_vtype_t  type;
    const char       *s;
    size_t            len;
} dfx_dict_val_t;

/* A label string already stored, for sharing: the same names and values
 * (app, pod-template-hash, a deployment's app value) recur on every pod. */
typedef struct dfx_dict_istr_s {
    uint32_t   hash;
    dfx_str_t  raw;             /* data == NULL: empty slot */
    dfx_str_t  lit;
} dfx_dict_istr_t;

typedef struct dfx_dict_parser_s {
    dfx_dict_t       *d;
    yajl_handle       h;
    const char       *json;
    size_t            len;
    size_t            last;     /* offset past the last token handled */
    char             *err;
    size_t            errlen;
    int               failed;
    unsigned          depth;    /* DFX_DICT_IN_*, 0 outside the document */

    /* the document's member being read; each member's spelling */
    unsigned          member;
    const char       *mspelled[DFX_DICT_M_COUNT];

    /* the entry being read */
    size_t            index;
    unsigned          emember;
    const char       *espelled[DFX_DICT_E_COUNT];
    uint64_t          id;
    uint64_t          type;
    int               has_name;
    dfx_buf_t         esc;      /* its name, escaped; scratch for labels */
    size_t            nl[2];    /* elements of label_name, label_value */
    dfx_str_t        *lit[2];   /* their literals, DFX_DICT_MAX_LABELS
                                 * each, in one block with... */
    dfx_str_t        *raw;      /* ...the label names, unescaped */

    char             *text;     /* free room of the current text chunk */
    size_t            text_left;
    dfx_dict_istr_t  *itab;     /* interned label strings (parse only) */
    size_t            icap;
    size_t            in;
} dfx_dict_parser_t;

/* Sets the error (the first one only) and returns 0, which makes yajl
 * stop the parse when returned by a callback. */
static int
dfx_dict_fail(dfx_dict_parser_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
dfx_dict_fail(dfx_dict_parser_t *p, const char *fmt, ...)
{
    va_list  ap;

    if (p->failed) {
        return 0;
    }
    p->failed = 1;
    if (p->errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(p->err, p->errlen, fmt, ap);
        va_end(ap);
    }
    return 0;
}

/* Line and column (1-based, in bytes) of offset off; a syntax error. */
static int
dfx_dict_syntax(dfx_dict_parser_t *p, size_t off, const char *reason)
{
    size_t  i, line = 1, col = 1;

    for (i = 0; i < off && i < p->len; i++) {
        if (p->json[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return dfx_dict_fail(p, "line %zu, column %zu: %s", line, col, reason);
}

/* ---- where an error is -------------------------------------------- */

/* The path of a value at depth (see DFX_DICT_IN_*): "" for the document
 * itself, "pod_map[3].label_name[2]" at the deepest (at most some 80
 * bytes: names are short and indexes have 20 digits at most). */
static const char *
dfx_dict_path(const dfx_dict_parser_t *p, unsigned depth, char *buf,
              size_t size)
{
    int  n = 0;

    buf[0] = '\0';
    if (depth >= DFX_DICT_IN_DOC) {
        n += snprintf(buf, size, "%s", p->mspelled[p->member]);
    }
    if (depth >= DFX_DICT_IN_MAP) {
        n += snprintf(buf + n, size - (size_t) n, "[%zu]", p->index);
    }
    if (depth >= DFX_DICT_IN_ENTRY) {
        n += snprintf(buf + n, size - (size_t) n, ".%s",
                      p->espelled[p->emember]);
    }
    if (depth >= DFX_DICT_IN_LIST) {
        snprintf(buf + n, size - (size_t) n, "[%zu]",
                 p->nl[p->emember == DFX_DICT_E_LABEL_VALUE]);
    }
    return buf;
}

/* The raw text of a string value in the document: its token with quotes
 * and escapes as written. */
static void
dfx_dict_string_token(const dfx_dict_parser_t *p, const dfx_dict_val_t *v,
                      const char **s, size_t *len)
{
    size_t  end, i, bs;

    if (v->s > p->json && v->s < p->json + p->len) {
        /* yajl passed the text itself: nothing to unescape */
        *s = v->s - 1;
        *len = v->len + 2;
        return;
    }
    /* the token ends here; it starts at the first quote before that no
     * backslash escapes */
    end = yajl_get_bytes_consumed(p->h);
    for (i = end - 2; i > 0; i--) {
        if (p->json[i] != '"') {
            continue;
        }
        for (bs = 0; bs < i && p->json[i - 1 - bs] == '\\'; bs++) {
            /* void */
        }
        if (bs % 2 == 0) {
            break;
        }
    }
    *s = p->json + i;
    *len = end - i;
}

/* A value for "got X": its own text, or what kind of container it is. */
static void
dfx_dict_show(const dfx_dict_parser_t *p, const dfx_dict_val_t *v,
              const char **s, int *len)
{
    size_t  n;

    if (v->type == DFX_DICT_V_STRING) {
        dfx_dict_string_token(p, v, s, &n);
    } else {
        *s = v->s;
        n = v->len;
    }
    *len = n > INT_MAX ? INT_MAX : (int) n;
}

/* A map or a label list that is not an array (nor null). */
static int
dfx_dict_not_array(dfx_dict_parser_t *p)
{
    char  path[128];

    return dfx_dict_fail(p, "%s: expected an array",
                         dfx_dict_path(p, p->depth, path, sizeof(path)));
}

/* A value where the format wants something else; v NULL: a container
 * (is_map says which). */
static int
dfx_dict_wrong(dfx_dict_parser_t *p, const char *want,
               const dfx_dict_val_t *v, int is_map)
{
    const char  *shown = is_map ? "an object" : "an array";
    int          shown_len = (int) strlen(shown);
    char         path[128];

    if (v != NULL) {
        dfx_dict_show(p, v, &shown, &shown_len);
    }
    return dfx_dict_fail(p, "%s: expected %s, got %.*s",
                         dfx_dict_path(p, p->depth, path, sizeof(path)),
                         want, shown_len, shown);
}

/* The code unit of the four hex digits at s (yajl has checked them). */
static uint32_t
dfx_dict_hex4(const unsigned char *s)
{
    uint32_t  v = 0;
    int       i;

    for (i = 0; i < 4; i++) {
        v = v << 4 | (uint32_t) (s[i] <= '9' ? s[i] - '0'
                                 : (s[i] | 0x20) - 'a' + 10);
    }
    return v;
}

/*
 * The first byte of s (len bytes of a string token) that is not RFC 3629
 * UTF-8, or that starts a \u escape of a lone surrogate; len when none.
 * yajl checks only the shape of UTF-8 sequences (it lets overlong forms,
 * surrogates and code points past U+10FFFF through) and turns a lone
 * surrogate escape into '?'.
 */
static size_t
dfx_dict_bad_text(const unsigned char *s, size_t len)
{
    size_t    i = 0, n, k;
    uint32_t  cp, min;

    while (i < len) {
        if (s[i] == '\\' && i + 5 < len && s[i + 1] == 'u') {
            cp = dfx_dict_hex4(s + i + 2);
            if (cp >= 0xd800 && cp <= 0xdbff && i + 11 < len
                && s[i + 6] == '\\' && s[i + 7] == 'u'
                && (dfx_dict_hex4(s + i + 8) & 0xfc00) == 0xdc00)
            {
                i += 12;
            } else if (cp >= 0xd800 && cp <= 0xdfff) {
                return i;
            } else {
                i += 6;
            }
            continue;
        }
        if (s[i] == '\\') {
            i += 2;
            continue;
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if (s[i] >= 0xc2 && s[i] <= 0xdf) {
            n = 1;
            min = 0x80;
        } else if ((s[i] & 0xf0) == 0xe0) {
            n = 2;
            min = 0x800;
        } else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
            n = 3;
            min = 0x10000;
        } else {
            return i;
        }
        if (len - i <= n) {
            return i;
        }
        cp = s[i] & (0x3fu >> n);
        for (k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return i;
            }
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return i;
        }
        i += n + 1;
    }
    return len;
}

/* Checks the text of a string or member name; 0, or -1 with a syntax
 * error at the offending byte. */
static int
dfx_dict_check_text(dfx_dict_parser_t *p, const dfx_dict_val_t *v)
{
    const char  *s;
    size_t       len, bad;

    dfx_dict_string_token(p, v, &s, &len);
    bad = dfx_dict_bad_text((const unsigned char *) s, len);
    if (bad == len) {
        return 0;
    }
    dfx_dict_syntax(p, (size_t) (s - p->json) + bad,
                    s[bad] == '\\' ? "lone surrogate in a \\u escape"
                                   : "invalid UTF-8");
    return -1;
}

/* ---- values ------------------------------------------------------- */

/* Copies len bytes (plus a NUL when nul) into the dictionary's text
 * chunks; NULL on ENOMEM. */
static char *
dfx_dict_text(dfx_dict_parser_t *p, const char *s, size_t len, int nul)
{
    size_t  need = len + (nul ? 1 : 0), size;
    char   *t;

    if (need > p->text_left) {
        size = need > DFX_DICT_TEXT_CHUNK ? need : DFX_DICT_TEXT_CHUNK;
        p->text = dfx_pool_alloc(p->d->pool, size);
        if (p->text == NULL) {
            p->text_left = 0;
            return NULL;
        }
        p->text_left = size;
    }
    t = p->text;
    if (len) {
        memcpy(t, s, len);
    }
    if (nul) {
        t[len] = '\0';
    }
    p->text += need;
    p->text_left -= need;
    return t;
}

/* An unsigned integer up to max, given as a JSON integer or as a string
 * of decimal digits (protobuf's JSON form of 64-bit integers); JSON null
 * is the protobuf default, 0.  Returns 0, or -1 with the error set. */
static int
dfx_dict_uint(dfx_dict_parser_t *p, const dfx_dict_val_t *v, uint64_t max,
              uint64_t *out)
{
    const char  *s = v->s, *shown;
    size_t       len = v->len, i;
    uint64_t     n = 0;
    int          neg = 0, over = 0, shown_len;
    char         path[128];

    *out = 0;
    if (v->type == DFX_DICT_V_NULL) {
        return 0;
    }
    if (v->type == DFX_DICT_V_NUMBER && len > 0 && s[0] == '-') {
        neg = 1;
        s++;
        len--;
    }
    if ((v->type != DFX_DICT_V_NUMBER && v->type != DFX_DICT_V_STRING)
        || len == 0 || (v->type == DFX_DICT_V_STRING && len > 20))
    {
        goto not_int;
    }
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            goto not_int;
        }
        if (n > (UINT64_MAX - (uint64_t) (s[i] - '0')) / 10) {
            over = 1;
        } else {
            n = n * 10 + (uint64_t) (s[i] - '0');
        }
    }
    if (!over && n <= max && !(neg && n != 0)) {
        *out = n;
        return 0;
    }
    dfx_dict_show(p, v, &shown, &shown_len);
    dfx_dict_fail(p, "%s: must be between 0 and %llu, got %.*s",
                  dfx_dict_path(p, p->depth, path, sizeof(path)),
                  (unsigned long long) max, shown_len, shown);
    return -1;

not_int:
    dfx_dict_wrong(p, "an integer", v, 0);
    return -1;
}

static uint32_t
dfx_dict_str_hash(const char *s, size_t len)
{
    uint32_t  h = 2166136261u;
    size_t    i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char) s[i];
        h *= 16777619u;
    }
    return h;
}

/* The interning slot of s: a match, or the empty slot where it goes.
 * NULL on ENOMEM (the table grows to stay at most half full). */
static dfx_dict_istr_t *
dfx_dict_islot(dfx_dict_parser_t *p, const char *s, size_t len,
               uint32_t h)
{
    dfx_dict_istr_t  *t, *e;
    size_t            cap, i, j;

    if ((p->in + 1) * 2 > p->icap) {
        cap = p->icap ? p->icap * 2 : 1024;
        t = calloc(cap, sizeof(*t));
        if (t == NULL) {
            return NULL;
        }
        for (i = 0; i < p->icap; i++) {
            e = &p->itab[i];
            if (e->raw.data == NULL) {
                continue;
            }
            for (j = e->hash & (cap - 1); t[j].raw.data != NULL;
                 j = (j + 1) & (cap - 1))
            {
                /* void */
            }
            t[j] = *e;
        }
        free(p->itab);
        p->itab = t;
        p->icap = cap;
    }

    for (i = h & (p->icap - 1); p->itab[i].raw.data != NULL;
         i = (i + 1) & (p->icap - 1))
    {
        e = &p->itab[i];
        if (e->hash == h && e->raw.len == len
            && (len == 0 || memcmp(e->raw.data, s, len) == 0))
        {
            break;
        }
    }
    return &p->itab[i];
}

/* A label string, stored once per distinct text as a JSON string literal
 * and, NUL-terminated, as itself (the interning key, and the raw name). */
static int
dfx_dict_label_string(dfx_dict_parser_t *p, const char *s, size_t len,
                      dfx_str_t *lit, dfx_str_t *raw)
{
    dfx_dict_istr_t  *is;
    char             *copy;
    uint32_t          h;

    h = dfx_dict_str_hash(s, len);
    is = dfx_dict_islot(p, s, len, h);
    if (is == NULL) {
        return -1;
    }
    if (is->raw.data == NULL) {
        dfx_buf_reset(&p->esc);
        if (dfx_buf_json_str(&p->esc, s, len) != 0) {
            return -1;
        }
        copy = dfx_dict_text(p, p->esc.data, p->esc.len, 0);
        if (copy == NULL) {
            return -1;
        }
        is->lit.data = copy;
        is->lit.len = p->esc.len;
        copy = dfx_dict_text(p, s, len, 1);
        if (copy == NULL) {
            return -1;
        }
        is->raw.data = copy;
        is->raw.len = len;
        is->hash = h;
        p->in++;
    }
    *lit = is->lit;
    if (raw != NULL) {
        *raw = is->raw;
    }
    return 0;
}

/* ---- entries ------------------------------------------------------ */

/* The spelling of an entry member for a message: as given, or the
 * protobuf name when absent. */
static const char *
dfx_dict_espelled(const dfx_dict_parser_t *p, dfx_dict_emember_t e)
{
    return p->espelled[e] != NULL ? p->espelled[e]
                                 : dfx_dict_emembers[e].snake;
}

/* A map's entry, complete: its name (a JSON string literal) goes into the
 * key's slot, or into the names array when the slot cannot hold it; a
 * key given before gets the new name (the last entry wins). */
static int
dfx_dict_map_entry(dfx_dict_parser_t *p)
{
    dfx_dict_t       *d = p->d;
    dfx_dict_tab_t   *t = &d->maps[p->member];
    dfx_dict_slot_t  *sl;
    const char       *lit = "\"\"";
    size_t            len = 2, cap;
    uint64_t          key = p->id;
    char             *grown, path[128];

    if (p->member == DFX_DICT_DEVICE) {
        key = DFX_DICT_DEVICE_KEY(p->type, p->id);
    }
    if (p->has_name) {
        lit = p->esc.data;
        len = p->esc.len;
    }
    dfx_dict_path(p, DFX_DICT_IN_MAP, path, sizeof(path));
    if (len > DFX_DICT_INLINE && d->names_len + len >= DFX_DICT_IN_SLOT) {
        return dfx_dict_fail(p, "%s: the names pass 4 GiB", path);
    }
    if (len > DFX_DICT_INLINE && d->names_len + len > d->names_cap) {
        for (cap = d->names_cap ? d->names_cap : 64 * 1024;
             cap < d->names_len + len; cap *= 2)
        {
            /* void */
        }
        grown = realloc(d->names, cap);
        if (grown == NULL) {
            return dfx_dict_fail(p, "%s: out of memory", path);
        }
        d->names = grown;
        d->names_cap = cap;
    }
    if (dfx_dict_tab_room(t) != 0) {
        return dfx_dict_fail(p, "%s: out of memory", path);
    }

    sl = dfx_dict_tab_slot(t, key);
    if (sl->off == DFX_DICT_EMPTY) {
        sl->lo = (uint32_t) key;
        sl->hi = (uint32_t) (key >> 32);
        t->n++;
    }
    sl->len = (uint32_t) len;
    if (len <= DFX_DICT_INLINE) {
        memcpy(sl->text, lit, len);
        sl->off = DFX_DICT_IN_SLOT;
        return 1;
    }
    memcpy(d->names + d->names_len, lit, len);
    sl->off = (uint32_t) d->names_len;
    d->names_len += len;
    return 1;
}

/* A label entry, complete: the lists must be as long as each other. */
static int
dfx_dict_label_entry(dfx_dict_parser_t *p)
{
    dfx_dict_t         *d = p->d;
    dfx_dict_labels_t  *l;
    dfx_dict_lslot_t   *ls;
    dfx_str_t          *names;
    size_t              n = p->nl[0];
    char                path[128];

    dfx_dict_path(p, DFX_DICT_IN_MAP, path, sizeof(path));
    if (p->nl[1] != n) {
        return dfx_dict_fail(p, "%s: %s has %zu elements, %s %zu", path,
                             dfx_dict_espelled(p, DFX_DICT_E_LABEL_NAME), n,
                             dfx_dict_espelled(p, DFX_DICT_E_LABEL_VALUE),
                             p->nl[1]);
    }

    /* one allocation: the header, then names, values, raw names */
    l = dfx_pool_alloc(d->pool, sizeof(*l) + 3 * n * sizeof(dfx_str_t));
    ls = dfx_dict_lslot(d, p->id);
    if (l == NULL || ls == NULL) {
        return dfx_dict_fail(p, "%s: out of memory", path);
    }
    names = (dfx_str_t *) (l + 1);
    if (n > 0) {
        memcpy(names, p->lit[0], n * sizeof(dfx_str_t));
        memcpy(names + n, p->lit[1], n * sizeof(dfx_str_t));
        memcpy(names + 2 * n, p->raw, n * sizeof(dfx_str_t));
    }
    l->n = n;
    l->names = names;
    l->values = names + n;
    l->names_raw = names + 2 * n;

    if (ls->labels == NULL) {
        d->npods++;
    }
    ls->key = p->id;
    ls->labels = l;
    return 1;
}

/* ---- yajl events -------------------------------------------------- */

/* Whether key (len bytes) is name. */
static int
dfx_dict_is(const char *name, const unsigned char *key, size_t len)
{
    return strlen(name) == len && memcmp(name, key, len) == 0;
}

/* A member name: of the document's members, or of an entry's. */
static int
dfx_dict_on_key(void *ctx, const unsigned char *key, size_t len)
{
    dfx_dict_parser_t          *p = ctx;
    dfx_dict_val_t              v = { DFX_DICT_V_STRING, (const char *) key,
                                      len };
    const dfx_dict_spelling_t  *names = dfx_dict_members;
    const char                **spelled = p->mspelled;
    unsigned                    n = DFX_DICT_M_COUNT, allowed = ~0u, i;
    int                         same;
    char                        path[128];

    p->last = yajl_get_bytes_consumed(p->h);
    if (dfx_dict_check_text(p, &v) != 0) {
        return 0;
    }
    if (p->depth == DFX_DICT_IN_ENTRY) {
        names = dfx_dict_emembers;
        spelled = p->espelled;
        n = DFX_DICT_E_COUNT;
        allowed = p->member == DFX_DICT_M_LABELS ? DFX_DICT_LABEL_MEMBERS
                  : p->member == DFX_DICT_DEVICE ? DFX_DICT_DEVICE_MEMBERS
                  : DFX_DICT_MAP_MEMBERS;
    }
    for (i = 0; i < n; i++) {
        if ((allowed & (1u << i))
            && (dfx_dict_is(names[i].snake, key, len)
                || dfx_dict_is(names[i].camel, key, len)))
        {
            break;
        }
    }

    /* the prefix: "" in the document, "pod_map[3]" in an entry */
    dfx_dict_path(p, p->depth - 1, path, sizeof(path));
    if (i == n) {
        return dfx_dict_fail(p, "%s%s%.*s: unknown member", path,
                             path[0] ? "." : "", (int) len, key);
    }
    if (spelled[i] != NULL) {
        same = dfx_dict_is(spelled[i], key, len);
        return dfx_dict_fail(p, "%s%s%.*s: given twice%s%s%s", path,
                             path[0] ? "." : "", (int) len, key,
                             same ? "" : " (also as \"",
                             same ? "" : spelled[i], same ? "" : "\")");
    }
    spelled[i] = dfx_dict_is(names[i].snake, key, len) ? names[i].snake
                                                        : names[i].camel;
    if (p->depth == DFX_DICT_IN_DOC) {
        p->member = i;
    } else {
        p->emember = i;
    }
    return 1;
}

/* A label string, at the end of its list: only counted past the most a
 * pod may carry (the list is refused when it ends). */
static int
dfx_dict_label(dfx_dict_parser_t *p, const dfx_dict_val_t *v)
{
    int     values = p->emember == DFX_DICT_E_LABEL_VALUE;
    size_t  n = p->nl[values];
    char    path[128];

    if (v->type != DFX_DICT_V_NULL && v->type != DFX_DICT_V_STRING) {
        return dfx_dict_wrong(p, "a string", v, 0);
    }
    if (n < DFX_DICT_MAX_LABELS
        && dfx_dict_label_string(p, v->type == DFX_DICT_V_NULL ? "" : v->s,
                                 v->type == DFX_DICT_V_NULL ? 0 : v->len,
                                 &p->lit[values][n],
                                 values ? NULL : &p->raw[n]) != 0)
    {
        return dfx_dict_fail(p, "%s: out of memory",
                             dfx_dict_path(p, p->depth, path,
                                           sizeof(path)));
    }
    p->nl[values] = n + 1;
    return 1;
}

static int
dfx_dict_scalar(dfx_dict_parser_t *p, dfx_dict_vtype_t type, const char *s,
                size_t len)
{
    dfx_dict_val_t  v = { type, s, len };
    char            path[128];

    p->last = yajl_get_bytes_consumed(p->h);
    if (type == DFX_DICT_V_STRING && dfx_dict_check_text(p, &v) != 0) {
        return 0;
    }

    switch (p->depth) {
    case 0:
        return dfx_dict_fail(p, "expected a JSON object at the top level");

    case DFX_DICT_IN_DOC:
        if (p->member == DFX_DICT_M_VERSION) {
            return dfx_dict_uint(p, &v, UINT64_MAX, &p->d->version) == 0;
        }
        return type == DFX_DICT_V_NULL ? 1 : dfx_dict_not_array(p);

    case DFX_DICT_IN_MAP:
        return dfx_dict_wrong(p, "an object", &v, 0);

    case DFX_DICT_IN_LIST:
        return dfx_dict_label(p, &v);
    }

    switch (p->emember) {
    case DFX_DICT_E_ID:
    case DFX_DICT_E_POD_ID:
        return dfx_dict_uint(p, &v, UINT32_MAX, &p->id) == 0;

    case DFX_DICT_E_TYPE:
        return dfx_dict_uint(p, &v, UINT32_MAX, &p->type) == 0;

    case DFX_DICT_E_NAME:
        if (type == DFX_DICT_V_NULL) {
            return 1;
        }
        if (type != DFX_DICT_V_STRING) {
            return dfx_dict_wrong(p, "a string", &v, 0);
        }
        /* kept escaped until the entry ends: its id may come after it */
        dfx_buf_reset(&p->esc);
        if (dfx_buf_json_str(&p->esc, s, len) != 0) {
            return dfx_dict_fail(p, "%s: out of memory",
                                 dfx_dict_path(p, p->depth, path,
                                               sizeof(path)));
        }
        p->has_name = 1;
        return 1;

    default:
        return type == DFX_DICT_V_NULL ? 1 : dfx_dict_not_array(p);
    }
}

static int
dfx_dict_open(dfx_dict_parser_t *p, int is_map)
{
    p->last = yajl_get_bytes_consumed(p->h);
    switch (p->depth) {
    case 0:
        if (!is_map) {
            return dfx_dict_fail(p, "expected a JSON object at the top "
                                 "level");
        }
        break;

    case DFX_DICT_IN_DOC:
        if (p->member == DFX_DICT_M_VERSION) {
            return dfx_dict_wrong(p, "an integer", NULL, is_map);
        }
        if (is_map) {
            return dfx_dict_not_array(p);
        }
        p->index = 0;
        break;

    case DFX_DICT_IN_MAP:
        if (!is_map) {
            return dfx_dict_wrong(p, "an object", NULL, is_map);
        }
        memset(p->espelled, 0, sizeof(p->espelled));
        p->id = 0;
        p->type = 0;
        p->has_name = 0;
        p->nl[0] = 0;
        p->nl[1] = 0;
        break;

    case DFX_DICT_IN_ENTRY:
        if (p->emember < DFX_DICT_E_LABEL_NAME) {
            return dfx_dict_wrong(p, p->emember == DFX_DICT_E_NAME
                                     ? "a string" : "an integer",
                                  NULL, is_map);
        }
        if (is_map) {
            return dfx_dict_not_array(p);
        }
        break;

    default:
        return dfx_dict_wrong(p, "a string", NULL, is_map);
    }
    p->depth++;
    return 1;
}

static int
dfx_dict_close(dfx_dict_parser_t *p)
{
    size_t  n;
    int     rc = 1;
    char    path[128];

    p->last = yajl_get_bytes_consumed(p->h);
    p->depth--;
    if (p->depth == DFX_DICT_IN_MAP) {
        if (p->member == DFX_DICT_M_LABELS) {
            rc = dfx_dict_label_entry(p);
        } else {
            rc = dfx_dict_map_entry(p);
        }
        p->index++;
    } else if (p->depth == DFX_DICT_IN_ENTRY) {
        n = p->nl[p->emember == DFX_DICT_E_LABEL_VALUE];
        if (n > DFX_DICT_MAX_LABELS) {
            rc = dfx_dict_fail(p, "%s: more than %d labels (%zu)",
                               dfx_dict_path(p, p->depth, path,
                                             sizeof(path)),
                               DFX_DICT_MAX_LABELS, n);
        }
    }
    return rc;
}

static int
dfx_dict_on_null(void *ctx)
{
    return dfx_dict_scalar(ctx, DFX_DICT_V_NULL, "null", 4);
}

static int
dfx_dict_on_boolean(void *ctx, int b)
{
    return dfx_dict_scalar(ctx, DFX_DICT_V_BOOL, b ? "true" : "false",
                           b ? 4 : 5);
}

static int
dfx_dict_on_number(void *ctx, const char *s, size_t len)
{
    return dfx_dict_scalar(ctx, DFX_DICT_V_NUMBER, s, len);
}

static int
dfx_dict_on_string(void *ctx, const unsigned char *s, size_t len)
{
    return dfx_dict_scalar(ctx, DFX_DICT_V_STRING, (const char *) s, len);
}

static int
dfx_dict_on_start_map(void *ctx)
{
    return dfx_dict_open(ctx, 1);
}

static int
dfx_dict_on_start_array(void *ctx)
{
    return dfx_dict_open(ctx, 0);
}

static int
dfx_dict_on_end(void *ctx)
{
    return dfx_dict_close(ctx);
}

static const yajl_callbacks  dfx_dict_callbacks = {
    .yajl_null        = dfx_dict_on_null,
    .yajl_boolean     = dfx_dict_on_boolean,
    .yajl_number      = dfx_dict_on_number,
    .yajl_string      = dfx_dict_on_string,
    .yajl_start_map   = dfx_dict_on_start_map,
    .yajl_map_key     = dfx_dict_on_key,
    .yajl_end_map     = dfx_dict_on_end,
    .yajl_start_array = dfx_dict_on_start_array,
    .yajl_end_array   = dfx_dict_on_end,
};

/* ---- the document ------------------------------------------------- */

/* yajl's messages, by a few words of each (in this order: some contain
 * others), and what is reported instead.  back: yajl's offset is past the
 * offending byte; token: past a token that follows the last one handled.
 * The messages not listed are about a token in the wrong place. */
static const struct {
    const char  *yajl;
    const char  *reason;
    int          back;
    int          token;
} dfx_dict_reasons[] = {
    { "UTF8",             "invalid UTF-8",                      1, 0 },
    { "non-hex",          "invalid \\u escape",                 0, 0 },
    { "'\\' occurs",      "invalid escape in a string",         0, 0 },
    { "inside string",    "control character in a string",      0, 0 },
    { "invalid char in",  "unexpected character",               1, 0 },
    { "invalid string",   "unexpected character",               0, 0 },
    { "malformed number", "invalid number",                     0, 0 },
    { "premature EOF",    "unexpected end of input",            0, 0 },
    { "trailing garbage", "unexpected text after the document", 0, 1 },
    { "",                 "unexpected character",               0, 1 },
};

/* The offset of the token yajl refused, by its offset after the error:
 * the first token after the last one handled, or the one after that
 * when the first is a separator that yajl took. */
static size_t
dfx_dict_bad_token(const dfx_dict_parser_t *p, size_t off)
{
    size_t  i = p->last, j;

    while (i < p->len && memchr(" \t\r\n", p->json[i], 4) != NULL) {
        i++;
    }
    if (i < p->len && (p->json[i] == ',' || p->json[i] == ':')) {
        for (j = i + 1; j < p->len && memchr(" \t\r\n", p->json[j], 4); j++) {
            /* void */
        }
        if (j < off) {
            i = j;
        }
    }
    return i;
}

/* The syntax error after yajl refused the text; at_end: when completing
 * the parse, which finds only what ends with the text. */
static void
dfx_dict_yajl_error(dfx_dict_parser_t *p, int at_end)
{
    unsigned char  *m;
    const char     *text;
    size_t          off, i;

    off = yajl_get_bytes_consumed(p->h);
    m = yajl_get_error(p->h, 0, NULL, 0);
    text = m != NULL ? (const char *) m : "";
    for (i = 0; strstr(text, dfx_dict_reasons[i].yajl) == NULL; i++) {
        /* void: the last one matches any message */
    }
    if (at_end) {
        off = p->len;
    } else if (dfx_dict_reasons[i].token) {
        off = dfx_dict_bad_token(p, off);
    } else if (dfx_dict_reasons[i].back && off > 0) {
        off--;
    }
    if (m != NULL) {
        yajl_free_error(p->h, m);
    }
    dfx_dict_syntax(p, off, dfx_dict_reasons[i].reason);
}

/* The offset of the first form feed or vertical tab, len if none: yajl
 * takes them for whitespace, RFC 8259 does not (and a string may not
 * hold them raw). */
static size_t
dfx_dict_strict_end(const char *json, size_t len)
{
    const char  *f = memchr(json, '\f', len), *v = memchr(json, '\v', len);

    if (f == NULL || (v != NULL && v < f)) {
        f = v;
    }
    return f != NULL ? (size_t) (f - json) : len;
}

dfx_dict_t *
dfx_dict_parse_doc(const char *json, size_t len, char *err, size_t errlen)
{
    dfx_dict_parser_t  p;
    yajl_status        st;
    dfx_dict_t        *rc = NULL;
    size_t             end;
    unsigned           i;

    memset(&p, 0, sizeof(p));
    p.json = json;
    p.len = len;
    p.err = err;
    p.errlen = errlen;
    if (errlen > 0) {
        err[0] = '\0';
    }
    if (len > DFX_DICT_MAX_BYTES) {
        dfx_dict_fail(&p, "larger than %u MiB",
                      DFX_DICT_MAX_BYTES / (1024 * 1024));
        goto cleanup;
    }
    p.d = calloc(1, sizeof(*p.d));
    if (p.d == NULL) {
        dfx_dict_fail(&p, "out of memory");
        goto cleanup;
    }
    atomic_init(&p.d->refs, 1);
    /* offset 0 marks an empty slot: the first name comes after it */
    p.d->names_len = 1;
    p.d->pool = dfx_pool_create(DFX_DICT_POOL_BLOCK);
    p.h = yajl_alloc(&dfx_dict_callbacks, NULL, &p);
    p.lit[0] = malloc(3 * DFX_DICT_MAX_LABELS * sizeof(dfx_str_t));
    if (p.d->pool == NULL || p.h == NULL || p.lit[0] == NULL) {
        dfx_dict_fail(&p, "out of memory");
        goto cleanup;
    }
    p.lit[1] = p.lit[0] + DFX_DICT_MAX_LABELS;
    p.raw = p.lit[1] + DFX_DICT_MAX_LABELS;

    end = dfx_dict_strict_end(json, len);
    st = yajl_parse(p.h, (const unsigned char *) json, end);
    if (st == yajl_status_error) {
        dfx_dict_yajl_error(&p, 0);
    }
    if (st == yajl_status_ok && end < len) {
        dfx_dict_syntax(&p, end, "unexpected character");
        st = yajl_status_error;
    }
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(p.h);
        if (st == yajl_status_error) {
            dfx_dict_yajl_error(&p, 1);
        }
    }
    if (st != yajl_status_ok || p.failed) {
        /* a callback that stopped the parse has set the error */
        dfx_dict_fail(&p, "the document was refused");
        goto cleanup;
    }

    for (i = 0; i < DFX_DICT_NMAPS; i++) {
        p.d->entries += p.d->maps[i].n;
    }
    p.d->entries += p.d->npods;
    rc = p.d;
    p.d = NULL;

cleanup:
    dfx_dict_free(p.d);
    if (p.h != NULL) {
        yajl_free(p.h);
    }
    dfx_buf_free(&p.esc);
    free(p.lit[0]);
    free(p.itab);
    return rc;
}
