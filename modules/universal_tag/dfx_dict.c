/*
 * dfx_dict.c: the universal-tag dictionary: parsing, indexing and the
 * lock-free publication of the current one.
 *
 * The JSON document is configuration-side (a file read at start-up and on
 * SIGHUP, or the body of PUT /v1/dictionary), so it is parsed with json-c
 * into a DOM and indexed into one open-addressing hash per map.  Every
 * name is stored once, already rendered as a JSON string literal, so the
 * encoder copies bytes and never escapes per record.
 *
 * Lookups come at random ids, some 30 per record, and miss the caches
 * (with a 10,000-pod dictionary they were most of what translation
 * costs): a map's slot is one cache line that holds the key and the name
 * itself, so that a lookup costs one miss where a slot pointing at its
 * name cost two.  Names longer than a slot holds (rare: k8s names of 47
 * characters and more) go to one array of names.  A table is at most 70%
 * full: 64 to 128 bytes per entry, a pod map of 10,000 entries is 1 MiB.
 *
 * Duplicate ids inside one map: the last entry wins, as in DeepFlow,
 * which builds Go maps from the same arrays.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "dfx_core.h"
#include "dfx_pool.h"
#include "dfx_stats.h"
#include "universal_tag/dfx_dict.h"

/* A larger document is refused before parsing (json-c takes an int). */
#define DFX_DICT_MAX_BYTES  (256u * 1024 * 1024)

#define DFX_DICT_POOL_BLOCK  (64 * 1024)

/* Names are packed byte after byte in chunks of this size: the pool
 * aligns every allocation to 16 bytes, which would double the size of a
 * dictionary made of short names. */
#define DFX_DICT_TEXT_CHUNK  (64 * 1024)

/* The longest name (a JSON string literal) a slot holds itself. */
#define DFX_DICT_INLINE      48

/* dfx_dict_slot_t.off besides an offset in names (never 0: the array
 * starts with a byte of padding) */
#define DFX_DICT_EMPTY       0
#define DFX_DICT_IN_SLOT     UINT32_MAX

typedef struct dfx_dict_slot_s {
    uint32_t    lo;             /* the key's low 32 bits */
    uint32_t    hi;             /* its high 32 bits (a device's type) */
    uint32_t    len;            /* of the name */
    uint32_t    off;            /* DFX_DICT_EMPTY, DFX_DICT_IN_SLOT, or
                                 * where the name is in names */
    char        text[DFX_DICT_INLINE];
} dfx_dict_slot_t;

_Static_assert(sizeof(dfx_dict_slot_t) == 64, "a slot is one cache line");

typedef struct dfx_dict_tab_s {
    dfx_dict_slot_t  *slots;
    uint32_t          mask;
    uint32_t          n;
} dfx_dict_tab_t;

typedef struct dfx_dict_lslot_s {
    uint64_t                  key;
    const dfx_dict_labels_t  *labels;   /* NULL: empty slot */
} dfx_dict_lslot_t;

struct dfx_dict_s {
    atomic_long        refs;
    uint64_t           version;
    size_t             entries;
    dfx_pool_t        *pool;
    char              *names;
    size_t             names_len;
    size_t             names_cap;
    dfx_dict_tab_t     maps[DFX_DICT_NMAPS];
    dfx_dict_lslot_t  *lslots;
    uint32_t           lmask;
    uint32_t           npods;
};

/* The members of the document: protobuf's field name, its JSON name. */
typedef enum {
    DFX_DICT_M_VERSION = DFX_DICT_NMAPS,
    DFX_DICT_M_LABELS,
    DFX_DICT_M_COUNT
} dfx_dict_member_t;

static const char *const  dfx_dict_snake[DFX_DICT_M_COUNT] = {
    [DFX_DICT_REGION]      = "region_map",
    [DFX_DICT_AZ]          = "az_map",
    [DFX_DICT_DEVICE]      = "device_map",
    [DFX_DICT_POD_NODE]    = "pod_node_map",
    [DFX_DICT_POD_NS]      = "pod_ns_map",
    [DFX_DICT_POD_GROUP]   = "pod_group_map",
    [DFX_DICT_POD]         = "pod_map",
    [DFX_DICT_POD_CLUSTER] = "pod_cluster_map",
    [DFX_DICT_L3_EPC]      = "l3_epc_map",
    [DFX_DICT_SUBNET]      = "subnet_map",
    [DFX_DICT_GPROCESS]    = "gprocess_map",
    [DFX_DICT_VTAP]        = "vtap_map",
    [DFX_DICT_M_VERSION]   = "version",
    [DFX_DICT_M_LABELS]    = "pod_k8s_label_map",
};

static const char *const  dfx_dict_camel[DFX_DICT_M_COUNT] = {
    [DFX_DICT_REGION]      = "regionMap",
    [DFX_DICT_AZ]          = "azMap",
    [DFX_DICT_DEVICE]      = "deviceMap",
    [DFX_DICT_POD_NODE]    = "podNodeMap",
    [DFX_DICT_POD_NS]      = "podNsMap",
    [DFX_DICT_POD_GROUP]   = "podGroupMap",
    [DFX_DICT_POD]         = "podMap",
    [DFX_DICT_POD_CLUSTER] = "podClusterMap",
    [DFX_DICT_L3_EPC]      = "l3EpcMap",
    [DFX_DICT_SUBNET]      = "subnetMap",
    [DFX_DICT_GPROCESS]    = "gprocessMap",
    [DFX_DICT_VTAP]        = "vtapMap",
    [DFX_DICT_M_VERSION]   = "version",
    [DFX_DICT_M_LABELS]    = "podK8sLabelMap",
};

/* Entry members. */
typedef enum {
    DFX_DICT_E_ID = 0,
    DFX_DICT_E_NAME,
    DFX_DICT_E_TYPE,
    DFX_DICT_E_POD_ID,
    DFX_DICT_E_LABEL_NAME,
    DFX_DICT_E_LABEL_VALUE,
    DFX_DICT_E_COUNT
} dfx_dict_emember_t;

static const char *const  dfx_dict_esnake[DFX_DICT_E_COUNT] = {
    "id", "name", "type", "pod_id", "label_name", "label_value",
};

static const char *const  dfx_dict_ecamel[DFX_DICT_E_COUNT] = {
    "id", "name", "type", "podId", "labelName", "labelValue",
};

/* While parsing: where errors go and the scratch for escaping. */
/* A label string already stored, for sharing: the same names and values
 * (app, pod-template-hash, a deployment's app value) recur on every pod. */
typedef struct dfx_dict_istr_s {
    uint32_t   hash;
    dfx_str_t  raw;             /* data == NULL: empty slot */
    dfx_str_t  lit;
} dfx_dict_istr_t;

typedef struct dfx_dict_parser_s {
    dfx_dict_t       *d;
    char             *err;
    size_t            errlen;
    dfx_buf_t         esc;
    char             *text;     /* free room of the current text chunk */
    size_t            text_left;
    dfx_dict_istr_t  *itab;     /* interned label strings (parse only) */
    size_t            icap;
    size_t            in;
} dfx_dict_parser_t;

static void dfx_dict_free(dfx_dict_t *d);

/*
 * Gives the memory of a load back to the system.  json-c's tree of a
 * large document is hundreds of thousands of small allocations, all freed
 * once the dictionary is indexed; glibc keeps freed memory for reuse, so
 * a daemon that had loaded a 10,000-pod dictionary (2.9 MB of JSON) stayed
 * some 60 MB larger for good (75 MB RSS idle, 15 MB after malloc_trim).
 * Loads are rare (start-up, SIGHUP, PUT /v1/dictionary) and happen on the
 * main thread: the few milliseconds of the trim are paid there.
 */
static void
dfx_dict_trim(void)
{
#ifdef __GLIBC__
    (void) malloc_trim(0);
#endif
}

static void
dfx_dict_error(dfx_dict_parser_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
dfx_dict_error(dfx_dict_parser_t *p, const char *fmt, ...)
{
    va_list  ap;

    if (p->errlen == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
}

/* ---- hash tables -------------------------------------------------- */

static uint32_t
dfx_dict_hash(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (uint32_t) key;
}

/* A table for at most n keys, at most 70% full, its slots on cache
 * lines. */
static int
dfx_dict_tab_init(dfx_dict_tab_t *t, size_t n)
{
    size_t  size;

    for (size = 8; size * 7 < n * 10; size <<= 1) {
        if (size > (size_t) UINT32_MAX / 2) {
            return -1;
        }
    }
    t->slots = aligned_alloc(64, size * sizeof(dfx_dict_slot_t));
    if (t->slots == NULL) {
        return -1;
    }
    memset(t->slots, 0, size * sizeof(dfx_dict_slot_t));
    t->mask = (uint32_t) (size - 1);
    t->n = 0;
    return 0;
}

/* The slot of key: the one that holds it, or the empty one where it
 * goes. */
static dfx_dict_slot_t *
dfx_dict_tab_slot(const dfx_dict_tab_t *t, uint64_t key)
{
    dfx_dict_slot_t  *sl;
    uint32_t          i;

    for (i = dfx_dict_hash(key) & t->mask; ; i = (i + 1) & t->mask) {
        sl = &t->slots[i];
        if (sl->off == DFX_DICT_EMPTY
            || (sl->lo == (uint32_t) key && sl->hi == (uint32_t) (key >> 32)))
        {
            return sl;
        }
    }
}

int
dfx_dict_name(const dfx_dict_t *d, dfx_dict_map_t map, uint64_t key,
              dfx_str_t *name)
{
    const dfx_dict_tab_t   *t;
    const dfx_dict_slot_t  *sl;

    name->len = 0;
    name->data = NULL;
    if (d == NULL || (unsigned) map >= DFX_DICT_NMAPS) {
        return 0;
    }
    t = &d->maps[map];
    if (t->slots == NULL) {
        return 0;
    }
    sl = dfx_dict_tab_slot(t, key);
    if (sl->off == DFX_DICT_EMPTY) {
        return 0;
    }
    name->data = sl->off == DFX_DICT_IN_SLOT ? sl->text : d->names + sl->off;
    name->len = sl->len;
    return 1;
}

const dfx_dict_labels_t *
dfx_dict_pod_labels(const dfx_dict_t *d, uint32_t pod_id)
{
    uint32_t  i;

    if (d == NULL || d->lslots == NULL) {
        return NULL;
    }
    for (i = dfx_dict_hash(pod_id) & d->lmask; d->lslots[i].labels != NULL;
         i = (i + 1) & d->lmask)
    {
        if (d->lslots[i].key == pod_id) {
            return d->lslots[i].labels;
        }
    }
    return NULL;
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
 * is the protobuf default, 0.  Returns 0 or -1 with the error set. */
static int
dfx_dict_uint(dfx_dict_parser_t *p, json_object *o, uint64_t max,
              const char *path, uint64_t *out)
{
    const char  *s;
    uint64_t     v;
    int          len, i;

    if (o == NULL) {
        *out = 0;
        return 0;
    }

    switch (json_object_get_type(o)) {
    case json_type_int:
        if (json_object_get_int64(o) < 0) {
            dfx_dict_error(p, "%s: must be between 0 and %llu, got %lld",
                           path, (unsigned long long) max,
                           (long long) json_object_get_int64(o));
            return -1;
        }
        v = json_object_get_uint64(o);
        break;

    case json_type_string:
        s = json_object_get_string(o);
        len = json_object_get_string_len(o);
        if (len == 0 || len > 20) {
            goto not_int;
        }
        v = 0;
        for (i = 0; i < len; i++) {
            if (s[i] < '0' || s[i] > '9') {
                goto not_int;
            }
            if (v > (UINT64_MAX - (uint64_t) (s[i] - '0')) / 10) {
                dfx_dict_error(p, "%s: must be between 0 and %llu, got "
                               "\"%.*s\"", path, (unsigned long long) max,
                               len, s);
                return -1;
            }
            v = v * 10 + (uint64_t) (s[i] - '0');
        }
        break;

    default:
        goto not_int;
    }

    if (v > max) {
        dfx_dict_error(p, "%s: must be between 0 and %llu, got %llu", path,
                       (unsigned long long) max, (unsigned long long) v);
        return -1;
    }
    *out = v;
    return 0;

not_int:
    dfx_dict_error(p, "%s: expected an integer, got %s", path,
                   json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
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

/* The text of a JSON string (null: ""); -1 with the error set when o is
 * something else. */
static int
dfx_dict_text_of(dfx_dict_parser_t *p, json_object *o, const char *path,
                 const char **s, size_t *len)
{
    *s = "";
    *len = 0;
    if (o == NULL) {
        return 0;
    }
    if (!json_object_is_type(o, json_type_string)) {
        dfx_dict_error(p, "%s: expected a string, got %s", path,
                       json_object_to_json_string_ext(o,
                           JSON_C_TO_STRING_PLAIN));
        return -1;
    }
    *s = json_object_get_string(o);
    *len = (size_t) json_object_get_string_len(o);
    return 0;
}

/* A map's entry: its name (a JSON string literal) goes into the key's
 * slot, or into the names array when the slot cannot hold it; a key given
 * before gets the new name (the last entry wins). */
static int
dfx_dict_put(dfx_dict_parser_t *p, dfx_dict_tab_t *t, uint64_t key,
             json_object *o, const char *path)
{
    dfx_dict_t       *d = p->d;
    dfx_dict_slot_t  *sl;
    const char       *s;
    size_t            len, cap;
    char             *grown;

    if (dfx_dict_text_of(p, o, path, &s, &len) != 0) {
        return -1;
    }
    dfx_buf_reset(&p->esc);
    if (dfx_buf_json_str(&p->esc, s, len) != 0) {
        goto nomem;
    }
    if (p->esc.len > DFX_DICT_INLINE
        && d->names_len + p->esc.len >= DFX_DICT_IN_SLOT)
    {
        dfx_dict_error(p, "%s: the names pass 4 GiB", path);
        return -1;
    }
    if (p->esc.len > DFX_DICT_INLINE
        && d->names_len + p->esc.len > d->names_cap)
    {
        for (cap = d->names_cap ? d->names_cap : 64 * 1024;
             cap < d->names_len + p->esc.len; cap *= 2)
        {
            /* void */
        }
        grown = realloc(d->names, cap);
        if (grown == NULL) {
            goto nomem;
        }
        d->names = grown;
        d->names_cap = cap;
    }

    sl = dfx_dict_tab_slot(t, key);
    if (sl->off == DFX_DICT_EMPTY) {
        sl->lo = (uint32_t) key;
        sl->hi = (uint32_t) (key >> 32);
        t->n++;
    }
    sl->len = (uint32_t) p->esc.len;
    if (p->esc.len <= DFX_DICT_INLINE) {
        memcpy(sl->text, p->esc.data, p->esc.len);
        sl->off = DFX_DICT_IN_SLOT;
        return 0;
    }
    memcpy(d->names + d->names_len, p->esc.data, p->esc.len);
    sl->off = (uint32_t) d->names_len;
    d->names_len += p->esc.len;
    return 0;

nomem:
    dfx_dict_error(p, "%s: out of memory", path);
    return -1;
}

/* A JSON string, copied into the pool as a JSON string literal; null is
 * "".  raw, when not NULL, also receives the unescaped text,
 * NUL-terminated.  intern: share one copy of equal strings. */
static int
dfx_dict_string(dfx_dict_parser_t *p, json_object *o, const char *path,
                dfx_str_t *lit, dfx_str_t *raw, int intern)
{
    dfx_dict_istr_t  *is = NULL;
    const char       *s;
    char             *copy;
    size_t            len;
    uint32_t          h = 0;

    if (dfx_dict_text_of(p, o, path, &s, &len) != 0) {
        return -1;
    }

    if (intern) {
        h = dfx_dict_str_hash(s, len);
        is = dfx_dict_islot(p, s, len, h);
        if (is == NULL) {
            goto nomem;
        }
        if (is->raw.data != NULL) {
            *lit = is->lit;
            if (raw != NULL) {
                *raw = is->raw;
            }
            return 0;
        }
        /* keep the raw text: it is the interning key */
        if (raw == NULL) {
            raw = &is->raw;
        }
    }

    dfx_buf_reset(&p->esc);
    if (dfx_buf_json_str(&p->esc, s, len) != 0) {
        goto nomem;
    }
    copy = dfx_dict_text(p, p->esc.data, p->esc.len, 0);
    if (copy == NULL) {
        goto nomem;
    }
    lit->data = copy;
    lit->len = p->esc.len;

    if (raw != NULL) {
        copy = dfx_dict_text(p, s, len, 1);
        if (copy == NULL) {
            goto nomem;
        }
        raw->data = copy;
        raw->len = len;
    }
    if (is != NULL) {
        is->hash = h;
        is->raw = *raw;
        is->lit = *lit;
        p->in++;
    }
    return 0;

nomem:
    dfx_dict_error(p, "%s: out of memory", path);
    return -1;
}

/* Finds the members of an entry object by either spelling; rejects
 * unknown members and members given twice.  allowed: bit per
 * dfx_dict_emember_t; seen[] receives the spelling used (for error
 * paths), or the protobuf name when absent. */
static int
dfx_dict_entry_members(dfx_dict_parser_t *p, json_object *o,
                       const char *path, unsigned allowed,
                       json_object *m[DFX_DICT_E_COUNT],
                       const char *seen[DFX_DICT_E_COUNT])
{
    unsigned  i;

    for (i = 0; i < DFX_DICT_E_COUNT; i++) {
        m[i] = NULL;
        seen[i] = NULL;
    }
    if (!json_object_is_type(o, json_type_object)) {
        dfx_dict_error(p, "%s: expected an object, got %s", path,
                       json_object_to_json_string_ext(o,
                           JSON_C_TO_STRING_PLAIN));
        return -1;
    }

    json_object_object_foreach(o, key, val) {
        for (i = 0; i < DFX_DICT_E_COUNT; i++) {
            if ((allowed & (1u << i))
                && (strcmp(key, dfx_dict_esnake[i]) == 0
                    || strcmp(key, dfx_dict_ecamel[i]) == 0))
            {
                break;
            }
        }
        if (i == DFX_DICT_E_COUNT) {
            dfx_dict_error(p, "%s.%s: unknown member", path, key);
            return -1;
        }
        if (seen[i] != NULL) {
            dfx_dict_error(p, "%s.%s: given twice (also as \"%s\")", path,
                           key, seen[i]);
            return -1;
        }
        seen[i] = key;
        /* null is the protobuf default: same as absent */
        m[i] = val;
    }
    for (i = 0; i < DFX_DICT_E_COUNT; i++) {
        if (seen[i] == NULL) {
            seen[i] = dfx_dict_esnake[i];
        }
    }
    return 0;
}

/* ---- maps --------------------------------------------------------- */

static int
dfx_dict_map(dfx_dict_parser_t *p, dfx_dict_map_t map, json_object *arr,
             const char *name)
{
    json_object     *m[DFX_DICT_E_COUNT];
    const char      *sp[DFX_DICT_E_COUNT];
    dfx_dict_tab_t  *t = &p->d->maps[map];
    uint64_t         id, type = 0;
    size_t           i, n;
    unsigned         allowed;
    char             path[96], vpath[112];

    n = arr ? json_object_array_length(arr) : 0;
    if (dfx_dict_tab_init(t, n) != 0) {
        dfx_dict_error(p, "%s: out of memory", name);
        return -1;
    }

    allowed = (1u << DFX_DICT_E_ID) | (1u << DFX_DICT_E_NAME);
    if (map == DFX_DICT_DEVICE) {
        allowed |= 1u << DFX_DICT_E_TYPE;
    }

    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s[%zu]", name, i);
        if (dfx_dict_entry_members(p, json_object_array_get_idx(arr, i),
                                   path, allowed, m, sp) != 0)
        {
            return -1;
        }
        snprintf(vpath, sizeof(vpath), "%s.%s", path, sp[DFX_DICT_E_ID]);
        if (dfx_dict_uint(p, m[DFX_DICT_E_ID], UINT32_MAX, vpath, &id) != 0) {
            return -1;
        }
        if (map == DFX_DICT_DEVICE) {
            snprintf(vpath, sizeof(vpath), "%s.%s", path,
                     sp[DFX_DICT_E_TYPE]);
            if (dfx_dict_uint(p, m[DFX_DICT_E_TYPE], UINT32_MAX, vpath,
                              &type) != 0)
            {
                return -1;
            }
            id = DFX_DICT_DEVICE_KEY(type, id);
        }
        snprintf(vpath, sizeof(vpath), "%s.%s", path, sp[DFX_DICT_E_NAME]);
        if (dfx_dict_put(p, t, id, m[DFX_DICT_E_NAME], vpath) != 0) {
            return -1;
        }
    }
    return 0;
}

static int
dfx_dict_strings(dfx_dict_parser_t *p, json_object *arr, const char *path,
                 size_t n, dfx_str_t *lit, dfx_str_t *raw)
{
    size_t  i;
    char    vpath[128];

    for (i = 0; i < n; i++) {
        snprintf(vpath, sizeof(vpath), "%s[%zu]", path, i);
        if (dfx_dict_string(p, json_object_array_get_idx(arr, i), vpath,
                            &lit[i], raw ? &raw[i] : NULL, 1) != 0)
        {
            return -1;
        }
    }
    return 0;
}

static int
dfx_dict_labels(dfx_dict_parser_t *p, json_object *arr, const char *name)
{
    json_object        *m[DFX_DICT_E_COUNT];
    const char         *sp[DFX_DICT_E_COUNT];
    json_object        *an, *av;
    dfx_dict_t         *d = p->d;
    dfx_dict_labels_t  *l;
    dfx_str_t          *names, *values, *raw;
    uint64_t            pod;
    size_t              i, n, nl, size;
    uint32_t            j;
    unsigned            allowed;
    char                path[96], vpath[112];

    n = arr ? json_object_array_length(arr) : 0;
    for (size = 8; size < n * 2; size <<= 1) {
        /* void */
    }
    d->lslots = dfx_pool_calloc(d->pool, size * sizeof(dfx_dict_lslot_t));
    if (d->lslots == NULL) {
        dfx_dict_error(p, "%s: out of memory", name);
        return -1;
    }
    d->lmask = (uint32_t) (size - 1);

    allowed = (1u << DFX_DICT_E_POD_ID) | (1u << DFX_DICT_E_LABEL_NAME)
              | (1u << DFX_DICT_E_LABEL_VALUE);

    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s[%zu]", name, i);
        if (dfx_dict_entry_members(p, json_object_array_get_idx(arr, i),
                                   path, allowed, m, sp) != 0)
        {
            return -1;
        }
        snprintf(vpath, sizeof(vpath), "%s.%s", path, sp[DFX_DICT_E_POD_ID]);
        if (dfx_dict_uint(p, m[DFX_DICT_E_POD_ID], UINT32_MAX, vpath, &pod)
            != 0)
        {
            return -1;
        }

        an = m[DFX_DICT_E_LABEL_NAME];
        av = m[DFX_DICT_E_LABEL_VALUE];
        if (an != NULL && !json_object_is_type(an, json_type_array)) {
            dfx_dict_error(p, "%s.%s: expected an array", path,
                           sp[DFX_DICT_E_LABEL_NAME]);
            return -1;
        }
        if (av != NULL && !json_object_is_type(av, json_type_array)) {
            dfx_dict_error(p, "%s.%s: expected an array", path,
                           sp[DFX_DICT_E_LABEL_VALUE]);
            return -1;
        }
        nl = an ? json_object_array_length(an) : 0;
        if ((av ? json_object_array_length(av) : 0) != nl) {
            dfx_dict_error(p, "%s: %s has %zu elements, %s %zu", path,
                           sp[DFX_DICT_E_LABEL_NAME], nl,
                           sp[DFX_DICT_E_LABEL_VALUE],
                           av ? json_object_array_length(av) : (size_t) 0);
            return -1;
        }
        if (nl > DFX_DICT_MAX_LABELS) {
            dfx_dict_error(p, "%s.%s: more than %d labels (%zu)", path,
                           sp[DFX_DICT_E_LABEL_NAME], DFX_DICT_MAX_LABELS,
                           nl);
            return -1;
        }

        /* one allocation: the header, then names, values, raw names */
        l = dfx_pool_alloc(d->pool, sizeof(*l) + 3 * nl * sizeof(dfx_str_t));
        if (l == NULL) {
            dfx_dict_error(p, "%s: out of memory", path);
            return -1;
        }
        names = (dfx_str_t *) (l + 1);
        values = names + nl;
        raw = values + nl;
        snprintf(vpath, sizeof(vpath), "%s.%s", path,
                 sp[DFX_DICT_E_LABEL_NAME]);
        if (dfx_dict_strings(p, an, vpath, nl, names, raw) != 0) {
            return -1;
        }
        snprintf(vpath, sizeof(vpath), "%s.%s", path,
                 sp[DFX_DICT_E_LABEL_VALUE]);
        if (dfx_dict_strings(p, av, vpath, nl, values, NULL) != 0) {
            return -1;
        }
        l->n = nl;
        l->names = names;
        l->values = values;
        l->names_raw = raw;

        for (j = dfx_dict_hash(pod) & d->lmask; d->lslots[j].labels != NULL;
             j = (j + 1) & d->lmask)
        {
            if (d->lslots[j].key == pod) {
                break;
            }
        }
        if (d->lslots[j].labels == NULL) {
            d->npods++;
        }
        d->lslots[j].key = pod;
        d->lslots[j].labels = l;
    }
    return 0;
}

/* ---- the document ------------------------------------------------- */

static int
dfx_dict_document(dfx_dict_parser_t *p, json_object *root)
{
    json_object  *m[DFX_DICT_M_COUNT];
    const char   *spelled[DFX_DICT_M_COUNT];
    dfx_dict_t   *d = p->d;
    unsigned      i;

    if (!json_object_is_type(root, json_type_object)) {
        dfx_dict_error(p, "expected a JSON object at the top level");
        return -1;
    }

    for (i = 0; i < DFX_DICT_M_COUNT; i++) {
        m[i] = NULL;
        spelled[i] = NULL;
    }

    json_object_object_foreach(root, key, val) {
        for (i = 0; i < DFX_DICT_M_COUNT; i++) {
            if (strcmp(key, dfx_dict_snake[i]) == 0
                || strcmp(key, dfx_dict_camel[i]) == 0)
            {
                break;
            }
        }
        if (i == DFX_DICT_M_COUNT) {
            dfx_dict_error(p, "%s: unknown member", key);
            return -1;
        }
        if (spelled[i] != NULL) {
            dfx_dict_error(p, "%s: given twice (also as \"%s\")", key,
                           spelled[i]);
            return -1;
        }
        spelled[i] = key;
        if (i != DFX_DICT_M_VERSION && val != NULL
            && !json_object_is_type(val, json_type_array))
        {
            dfx_dict_error(p, "%s: expected an array", key);
            return -1;
        }
        m[i] = val;
    }

    if (dfx_dict_uint(p, m[DFX_DICT_M_VERSION], UINT64_MAX,
                      spelled[DFX_DICT_M_VERSION]
                      ? spelled[DFX_DICT_M_VERSION] : "version",
                      &d->version) != 0)
    {
        return -1;
    }

    for (i = 0; i < DFX_DICT_NMAPS; i++) {
        if (dfx_dict_map(p, (dfx_dict_map_t) i, m[i],
                         spelled[i] ? spelled[i] : dfx_dict_snake[i]) != 0)
        {
            return -1;
        }
        d->entries += d->maps[i].n;
    }

    if (dfx_dict_labels(p, m[DFX_DICT_M_LABELS],
                        spelled[DFX_DICT_M_LABELS]
                        ? spelled[DFX_DICT_M_LABELS]
                        : dfx_dict_snake[DFX_DICT_M_LABELS]) != 0)
    {
        return -1;
    }
    d->entries += d->npods;
    return 0;
}

/* Line and column (1-based) of byte offset off. */
static void
dfx_dict_position(const char *json, size_t off, size_t *line, size_t *col)
{
    size_t  i;

    *line = 1;
    *col = 1;
    for (i = 0; i < off; i++) {
        if (json[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static dfx_dict_t *
dfx_dict_parse_doc(const char *json, size_t len, char *err, size_t errlen)
{
    dfx_dict_parser_t       p;
    struct json_tokener    *tok = NULL;
    json_object            *root = NULL;
    enum json_tokener_error jerr;
    dfx_dict_t             *d = NULL, *rc = NULL;
    size_t                  line, col;

    memset(&p, 0, sizeof(p));
    p.err = err;
    p.errlen = errlen;
    if (errlen > 0) {
        err[0] = '\0';
    }

    if (len > DFX_DICT_MAX_BYTES) {
        dfx_dict_error(&p, "larger than %u MiB",
                       DFX_DICT_MAX_BYTES / (1024 * 1024));
        goto cleanup;
    }

    tok = json_tokener_new();
    if (tok == NULL) {
        dfx_dict_error(&p, "out of memory");
        goto cleanup;
    }
#ifdef JSON_TOKENER_VALIDATE_UTF8
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT
                                | JSON_TOKENER_VALIDATE_UTF8);
#else
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
#endif

    root = json_tokener_parse_ex(tok, json, (int) len);
    jerr = json_tokener_get_error(tok);
    if (root == NULL || jerr != json_tokener_success) {
        dfx_dict_position(json, json_tokener_get_parse_end(tok), &line,
                          &col);
        dfx_dict_error(&p, "line %zu, column %zu: %s", line, col,
                       jerr == json_tokener_continue
                       ? "unexpected end of input"
                       : json_tokener_error_desc(jerr));
        goto cleanup;
    }
    if (json_tokener_get_parse_end(tok) != len) {
        dfx_dict_position(json, json_tokener_get_parse_end(tok), &line,
                          &col);
        dfx_dict_error(&p, "line %zu, column %zu: unexpected text after "
                       "the document", line, col);
        goto cleanup;
    }

    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        dfx_dict_error(&p, "out of memory");
        goto cleanup;
    }
    atomic_init(&d->refs, 1);
    /* offset 0 marks an empty slot: the first name comes after it */
    d->names_len = 1;
    d->pool = dfx_pool_create(DFX_DICT_POOL_BLOCK);
    if (d->pool == NULL) {
        dfx_dict_error(&p, "out of memory");
        goto cleanup;
    }
    p.d = d;

    if (dfx_dict_document(&p, root) != 0) {
        goto cleanup;
    }

    rc = d;
    d = NULL;

cleanup:
    dfx_dict_free(d);
    dfx_buf_free(&p.esc);
    free(p.itab);
    json_object_put(root);
    if (tok != NULL) {
        json_tokener_free(tok);
    }
    return rc;
}

dfx_dict_t *
dfx_dict_parse(const char *json, size_t len, char *err, size_t errlen)
{
    dfx_dict_t  *d;

    d = dfx_dict_parse_doc(json, len, err, errlen);
    if (d == NULL) {
        dfx_stats_add(DFX_STAT_dictionary_loads_total, -1, -1,
                      DFX_REASON_ERROR, 1);
    }
    dfx_dict_trim();
    return d;
}

dfx_dict_t *
dfx_dict_load(const char *path, char *err, size_t errlen)
{
    FILE        *f = NULL;
    char        *buf = NULL;
    dfx_dict_t  *d = NULL;
    size_t       len = 0, cap = 0, n;
    char         perr[256];
    char        *nbuf;

    f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto cleanup;
    }

    for (;;) {
        if (cap - len < 65536) {
            if (cap > DFX_DICT_MAX_BYTES) {
                snprintf(err, errlen, "%s: larger than %u MiB", path,
                         DFX_DICT_MAX_BYTES / (1024 * 1024));
                goto cleanup;
            }
            cap = cap ? cap * 2 : 262144;
            nbuf = realloc(buf, cap);
            if (nbuf == NULL) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto cleanup;
            }
            buf = nbuf;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto cleanup;
    }

    d = dfx_dict_parse_doc(buf, len, perr, sizeof(perr));
    if (d == NULL) {
        snprintf(err, errlen, "%s: %s", path, perr);
    }

cleanup:
    if (d == NULL) {
        dfx_stats_add(DFX_STAT_dictionary_loads_total, -1, -1,
                      DFX_REASON_ERROR, 1);
    }
    if (f != NULL) {
        fclose(f);
    }
    free(buf);
    dfx_dict_trim();
    return d;
}

uint64_t
dfx_dict_version(const dfx_dict_t *d)
{
    return d ? d->version : 0;
}

size_t
dfx_dict_entries(const dfx_dict_t *d)
{
    return d ? d->entries : 0;
}

static void
dfx_dict_free(dfx_dict_t *d)
{
    unsigned  i;

    if (d == NULL) {
        return;
    }
    for (i = 0; i < DFX_DICT_NMAPS; i++) {
        free(d->maps[i].slots);
    }
    dfx_pool_destroy(d->pool);
    free(d->names);
    free(d);
}

/* ---- publication -------------------------------------------------- */

/*
 * Readers must never wait, and a reader that has loaded the pointer must
 * be able to take its reference before the dictionary can be freed.
 * Readers announce themselves in one of two counters (the current epoch's)
 * for the few instructions between loading the pointer and incrementing
 * its count.  A publisher swaps the pointer, flips the epoch so new
 * readers use the other counter, waits for the old counter to drain (a
 * handful of instructions per reader), and only then drops the
 * reference the pointer held.  Publishers are serialised by a mutex; they
 * are rare (start-up, SIGHUP, PUT /v1/dictionary).
 */
static _Atomic(dfx_dict_t *)  dfx_dict_cur;
static atomic_uint            dfx_dict_readers[2];
static atomic_uint            dfx_dict_epoch;
static pthread_mutex_t        dfx_dict_publish_lock = PTHREAD_MUTEX_INITIALIZER;

const dfx_dict_t *
dfx_dict_acquire(void)
{
    dfx_dict_t  *d;
    unsigned     e;

    for (;;) {
        e = atomic_load(&dfx_dict_epoch) & 1;
        atomic_fetch_add(&dfx_dict_readers[e], 1);
        if ((atomic_load(&dfx_dict_epoch) & 1) == e) {
            break;
        }
        /* a publisher flipped the epoch meanwhile: it may not wait for
         * this counter, so announce again in the new one */
        atomic_fetch_sub(&dfx_dict_readers[e], 1);
    }

    d = atomic_load(&dfx_dict_cur);
    if (d != NULL) {
        atomic_fetch_add_explicit(&d->refs, 1, memory_order_relaxed);
    }
    atomic_fetch_sub(&dfx_dict_readers[e], 1);
    return d;
}

/* Drops a reference; 1 when it was the last one (d is freed). */
static int
dfx_dict_unref(dfx_dict_t *d)
{
    if (d == NULL
        || atomic_fetch_sub_explicit(&d->refs, 1, memory_order_acq_rel) != 1)
    {
        return 0;
    }
    dfx_dict_free(d);
    return 1;
}

void
dfx_dict_release(const dfx_dict_t *cd)
{
    (void) dfx_dict_unref((dfx_dict_t *) (uintptr_t) cd);
}

void
dfx_dict_publish(dfx_dict_t *d)
{
    dfx_dict_t  *old;
    unsigned     e;

    pthread_mutex_lock(&dfx_dict_publish_lock);

    old = atomic_exchange(&dfx_dict_cur, d);
    e = atomic_load(&dfx_dict_epoch) & 1;
    atomic_store(&dfx_dict_epoch, e ^ 1);
    while (atomic_load(&dfx_dict_readers[e]) != 0) {
        sched_yield();
    }

    pthread_mutex_unlock(&dfx_dict_publish_lock);

    dfx_stats_set(DFX_STAT_dictionary_loaded, -1, -1, -1, d != NULL);
    if (d != NULL) {
        dfx_stats_add(DFX_STAT_dictionary_loads_total, -1, -1, DFX_REASON_OK,
                      1);
    }
    /* a replaced dictionary that no request holds goes now: its memory
     * too (a request that still holds it frees it later, untrimmed) */
    if (dfx_dict_unref(old)) {
        dfx_dict_trim();
    }
}
