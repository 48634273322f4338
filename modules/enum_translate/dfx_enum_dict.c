/*
 * dfx_enum_dict.c: loading and indexing the enum dictionaries.
 *
 * A dictionary keeps its file text; keys and names are slices of it.  Each
 * name is also rendered once as a JSON string literal so that encoding a
 * translated field is a copy.  Integer codes are looked up in a dense
 * array when their range is small (every dictionary DeepFlow ships) and
 * in an open-addressing table otherwise; string keys in another one.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dfx_core.h"
#include "dfx_enum_dict.h"

/* A dictionary file is a few KB; anything this large is a mistake. */
#define DFX_ENUM_MAX_FILE   (4u << 20)

/* Int keys spanning at most this many codes use a dense array. */
#define DFX_ENUM_MAX_DENSE  1024u

typedef struct dfx_enum_entry_s {
    dfx_str_t   key;
    dfx_str_t   name;
    dfx_str_t   json;
    int64_t     code;
    int         is_int;
} dfx_enum_entry_t;

typedef struct dfx_enum_islot_s {
    int64_t     code;
    int32_t     entry;          /* -1: empty */
} dfx_enum_islot_t;

typedef struct dfx_enum_sslot_s {
    const char  *key;           /* NULL: empty */
    size_t       len;
    uint32_t     hash;
    int32_t      entry;
} dfx_enum_sslot_t;

struct dfx_enum_dict_s {
    dfx_enum_entry_t  *entries;
    size_t             nentries;
    size_t             nkeys;       /* distinct keys */

    int64_t            dense_min;
    uint32_t           dense_len;   /* 0: int codes are hashed */
    int32_t           *dense;       /* entry index or -1 */
    dfx_enum_islot_t  *islots;
    uint32_t           imask;

    dfx_enum_sslot_t  *sslots;
    uint32_t           smask;

    char              *text;        /* the file; keys and names point here */
    char              *json;        /* the rendered literals */
};

struct dfx_enums_s {
    dfx_enum_dict_t    dict[DFX_ENUM_COUNT];
};

static void
dfx_enum_dict_clear(dfx_enum_dict_t *d)
{
    free(d->entries);
    free(d->dense);
    free(d->islots);
    free(d->sslots);
    free(d->text);
    free(d->json);
    memset(d, 0, sizeof(*d));
}

static int
dfx_enum_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v'
           || c == '\f';
}

static dfx_str_t
dfx_enum_trim(const char *p, const char *end)
{
    while (p < end && dfx_enum_space(*p)) {
        p++;
    }
    while (end > p && dfx_enum_space(end[-1])) {
        end--;
    }
    return dfx_str_make(p, (size_t) (end - p));
}

/* Go's strconv.Atoi: optional sign, decimal digits, no overflow. */
static int
dfx_enum_parse_int(dfx_str_t s, int64_t *out)
{
    size_t    i = 0;
    int       neg = 0;
    uint64_t  v = 0, limit;

    if (s.len > 0 && (s.data[0] == '+' || s.data[0] == '-')) {
        neg = s.data[0] == '-';
        i = 1;
    }
    if (i == s.len) {
        return 0;
    }
    limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
    for (; i < s.len; i++) {
        unsigned  dg = (unsigned char) s.data[i] - '0';

        if (dg > 9 || v > (limit - dg) / 10) {
            return 0;
        }
        v = v * 10 + dg;
    }
    /* negating through uint64 keeps INT64_MIN defined */
    *out = neg ? (int64_t) (0 - v) : (int64_t) v;
    return 1;
}

static int
dfx_enum_utf8_valid(const unsigned char *s, size_t len)
{
    size_t    i = 0, n, k;
    uint32_t  cp;

    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if (s[i] >= 0xc2 && s[i] <= 0xdf) {
            n = 1;
            cp = s[i] & 0x1f;
        } else if (s[i] >= 0xe0 && s[i] <= 0xef) {
            n = 2;
            cp = s[i] & 0x0f;
        } else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
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
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)
            || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        {
            return 0;
        }
        i += n + 1;
    }
    return 1;
}

/* Length of s as a JSON string literal, quotes included; when out is not
 * NULL, writes it there. */
static size_t
dfx_enum_json_render(dfx_str_t s, char *out)
{
    static const char  hex[] = "0123456789abcdef";
    size_t             i, n = 0;
    unsigned char      c;
    char               esc;

#define DFX_PUT(ch)  do { if (out != NULL) { out[n] = (ch); } n++; } while (0)

    DFX_PUT('"');
    for (i = 0; i < s.len; i++) {
        c = (unsigned char) s.data[i];
        esc = 0;
        switch (c) {
        case '"':  esc = '"';  break;
        case '\\': esc = '\\'; break;
        case '\b': esc = 'b';  break;
        case '\f': esc = 'f';  break;
        case '\n': esc = 'n';  break;
        case '\r': esc = 'r';  break;
        case '\t': esc = 't';  break;
        default:   break;
        }
        if (esc != 0) {
            DFX_PUT('\\');
            DFX_PUT(esc);
        } else if (c < 0x20) {
            DFX_PUT('\\');
            DFX_PUT('u');
            DFX_PUT('0');
            DFX_PUT('0');
            DFX_PUT(hex[c >> 4]);
            DFX_PUT(hex[c & 0xf]);
        } else {
            DFX_PUT((char) c);
        }
    }
    DFX_PUT('"');

#undef DFX_PUT

    return n;
}

static uint32_t
dfx_enum_hash_str(const char *s, size_t len)
{
    uint32_t  h = 2166136261u;
    size_t    i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char) s[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t
dfx_enum_hash_int(int64_t code)
{
    return (uint32_t) (((uint64_t) code * 0x9e3779b97f4a7c15ull) >> 32);
}

static uint32_t
dfx_enum_table_size(size_t n)
{
    uint32_t  size;

    /* at most half full */
    for (size = 8; size < n * 2; size <<= 1) {
        /* void */
    }
    return size;
}

static int
dfx_enum_index_strings(dfx_enum_dict_t *d)
{
    dfx_enum_sslot_t  *slot;
    dfx_enum_entry_t  *e;
    uint32_t           size, h, i;
    size_t             k;

    size = dfx_enum_table_size(d->nentries);
    d->sslots = calloc(size, sizeof(dfx_enum_sslot_t));
    if (d->sslots == NULL) {
        return -1;
    }
    d->smask = size - 1;

    for (k = 0; k < d->nentries; k++) {
        e = &d->entries[k];
        h = dfx_enum_hash_str(e->key.data, e->key.len);
        for (i = h & d->smask; ; i = (i + 1) & d->smask) {
            slot = &d->sslots[i];
            if (slot->key == NULL) {
                slot->key = e->key.data;
                slot->len = e->key.len;
                slot->hash = h;
                d->nkeys++;
                break;
            }
            if (slot->hash == h && slot->len == e->key.len
                && memcmp(slot->key, e->key.data, e->key.len) == 0)
            {
                break;
            }
        }
        /* a repeated key takes the later line's name */
        slot->entry = (int32_t) k;
    }
    return 0;
}

static int
dfx_enum_index_ints(dfx_enum_dict_t *d)
{
    dfx_enum_entry_t  *e;
    int64_t            min = INT64_MAX, max = INT64_MIN;
    size_t             k, nints = 0;
    uint32_t           size, i;

    for (k = 0; k < d->nentries; k++) {
        e = &d->entries[k];
        if (e->is_int) {
            nints++;
            min = e->code < min ? e->code : min;
            max = e->code > max ? e->code : max;
        }
    }
    if (nints == 0) {
        return 0;
    }

    if ((uint64_t) max - (uint64_t) min < DFX_ENUM_MAX_DENSE) {
        d->dense_min = min;
        d->dense_len = (uint32_t) ((uint64_t) max - (uint64_t) min + 1);
        d->dense = malloc(d->dense_len * sizeof(int32_t));
        if (d->dense == NULL) {
            return -1;
        }
        for (i = 0; i < d->dense_len; i++) {
            d->dense[i] = -1;
        }
        for (k = 0; k < d->nentries; k++) {
            e = &d->entries[k];
            if (e->is_int) {
                d->dense[(uint64_t) e->code - (uint64_t) min] = (int32_t) k;
            }
        }
        return 0;
    }

    size = dfx_enum_table_size(nints);
    d->islots = malloc(size * sizeof(dfx_enum_islot_t));
    if (d->islots == NULL) {
        return -1;
    }
    for (i = 0; i < size; i++) {
        d->islots[i].entry = -1;
    }
    d->imask = size - 1;
    for (k = 0; k < d->nentries; k++) {
        e = &d->entries[k];
        if (!e->is_int) {
            continue;
        }
        for (i = dfx_enum_hash_int(e->code) & d->imask;
             d->islots[i].entry >= 0 && d->islots[i].code != e->code;
             i = (i + 1) & d->imask)
        {
            /* void */
        }
        d->islots[i].code = e->code;
        d->islots[i].entry = (int32_t) k;
    }
    return 0;
}

/*
 * Parses text (owned by d from now on, NUL-terminated, len bytes) into d.
 * Returns 0, or -1 with err ("PATH:LINE: reason", or "out of memory").
 */
static int
dfx_enum_dict_parse(dfx_enum_dict_t *d, char *text, size_t len,
    const char *path, char *err, size_t errlen)
{
    const char        *p, *end, *eol, *c1, *c2;
    dfx_enum_entry_t  *e, *grown;
    dfx_str_t          line, key, name;
    size_t             cap = 0, k, total;
    unsigned           lineno = 0;
    char              *out;

    d->text = text;
    p = text;
    end = text + len;

    for (; p < end; p = eol + 1) {
        eol = memchr(p, '\n', (size_t) (end - p));
        if (eol == NULL) {
            eol = end;
        }
        lineno++;
        line = dfx_enum_trim(p, eol);
        if (line.len == 0 || line.data[0] == '#') {
            continue;
        }

        c1 = memchr(line.data, ',', line.len);
        if (c1 == NULL) {
            snprintf(err, errlen, "%s:%u: expected \"key , name\"", path,
                     lineno);
            return -1;
        }
        c2 = memchr(c1 + 1, ',', (size_t) (line.data + line.len - c1 - 1));
        if (c2 == NULL) {
            c2 = line.data + line.len;
        }
        key = dfx_enum_trim(line.data, c1);
        name = dfx_enum_trim(c1 + 1, c2);
        if (key.len == 0) {
            snprintf(err, errlen, "%s:%u: empty key", path, lineno);
            return -1;
        }
        if (!dfx_enum_utf8_valid((const unsigned char *) key.data, key.len)
            || !dfx_enum_utf8_valid((const unsigned char *) name.data,
                                    name.len))
        {
            snprintf(err, errlen, "%s:%u: invalid UTF-8", path, lineno);
            return -1;
        }

        if (d->nentries == cap) {
            cap = cap ? cap * 2 : 32;
            grown = realloc(d->entries, cap * sizeof(dfx_enum_entry_t));
            if (grown == NULL) {
                goto nomem;
            }
            d->entries = grown;
        }
        e = &d->entries[d->nentries++];
        memset(e, 0, sizeof(*e));
        e->key = key;
        e->name = name;
        e->is_int = dfx_enum_parse_int(key, &e->code);
    }

    total = 0;
    for (k = 0; k < d->nentries; k++) {
        total += dfx_enum_json_render(d->entries[k].name, NULL);
    }
    d->json = malloc(total + 1);
    if (d->json == NULL) {
        goto nomem;
    }
    out = d->json;
    for (k = 0; k < d->nentries; k++) {
        e = &d->entries[k];
        e->json.data = out;
        e->json.len = dfx_enum_json_render(e->name, out);
        out += e->json.len;
    }

    if (dfx_enum_index_strings(d) != 0 || dfx_enum_index_ints(d) != 0) {
        goto nomem;
    }
    return 0;

nomem:

    snprintf(err, errlen, "out of memory");
    return -1;
}

/* Opens dir/name, or DeepFlow's dir/name.en; path is the one opened, or
 * the one reported in err. */
static FILE *
dfx_enum_open(const char *dir, const char *name, char *path, size_t size,
    char *err, size_t errlen)
{
    FILE  *f;
    char   alt[PATH_MAX];
    int    n, saved;

    n = snprintf(path, size, "%s/%s", dir, name);
    if (n < 0 || (size_t) n >= size
        || snprintf(alt, sizeof(alt), "%s.en", path) >= (int) sizeof(alt))
    {
        snprintf(err, errlen, "%s/%s: path too long", dir, name);
        return NULL;
    }

    f = fopen(path, "rb");
    saved = errno;
    if (f == NULL && saved == ENOENT) {
        f = fopen(alt, "rb");
        if (f != NULL || errno != ENOENT) {
            saved = errno;
            snprintf(path, size, "%s", alt);
        }
    }
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(saved));
    }
    return f;
}

/* Reads the dictionary called name from dir into d. */
static int
dfx_enum_dict_load(dfx_enum_dict_t *d, const char *dir, const char *name,
    char *err, size_t errlen)
{
    FILE    *f = NULL;
    char    *text = NULL, *grown;
    char     path[PATH_MAX], why[PATH_MAX + 64];
    size_t   len = 0, cap = 0, n;
    int      rc = -1;

    f = dfx_enum_open(dir, name, path, sizeof(path), why, sizeof(why));
    if (f == NULL) {
        snprintf(err, errlen, "enum dictionary %s: %s", name, why);
        goto cleanup;
    }

    for ( ;; ) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            grown = realloc(text, cap + 1);
            if (grown == NULL) {
                snprintf(err, errlen, "enum dictionary %s: out of memory",
                         name);
                goto cleanup;
            }
            text = grown;
        }
        n = fread(text + len, 1, cap - len, f);
        len += n;
        if (len > DFX_ENUM_MAX_FILE) {
            snprintf(err, errlen, "enum dictionary %s: %s: larger than %u "
                     "bytes", name, path, DFX_ENUM_MAX_FILE);
            goto cleanup;
        }
        if (n == 0) {
            break;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "enum dictionary %s: cannot read %s", name,
                 path);
        goto cleanup;
    }
    text[len] = '\0';

    /* d owns text from here, even on error */
    rc = dfx_enum_dict_parse(d, text, len, path, why, sizeof(why));
    text = NULL;
    if (rc != 0) {
        snprintf(err, errlen, "enum dictionary %s: %s", name, why);
    }

cleanup:

    free(text);
    if (f != NULL) {
        fclose(f);
    }
    return rc;
}

dfx_enums_t *
dfx_enums_load(const char *dir, char *err, size_t errlen)
{
    dfx_enums_t  *enums;
    size_t        i;

    enums = calloc(1, sizeof(*enums));
    if (enums == NULL) {
        snprintf(err, errlen, "enum dictionaries: out of memory");
        return NULL;
    }
    for (i = 1; i < DFX_ENUM_COUNT; i++) {
        if (dfx_enum_dict_load(&enums->dict[i], dir, dfx_enum_names[i],
                               err, errlen) != 0)
        {
            dfx_enums_free(enums);
            return NULL;
        }
    }
    return enums;
}

void
dfx_enums_free(dfx_enums_t *enums)
{
    size_t  i;

    if (enums == NULL) {
        return;
    }
    for (i = 0; i < DFX_ENUM_COUNT; i++) {
        dfx_enum_dict_clear(&enums->dict[i]);
    }
    free(enums);
}

const dfx_enum_dict_t *
dfx_enums_get(const dfx_enums_t *enums, dfx_enum_id_t id)
{
    if (id <= DFX_ENUM_NONE || id >= DFX_ENUM_COUNT) {
        return NULL;
    }
    return &enums->dict[id];
}

static const dfx_enum_entry_t *
dfx_enum_find_int(const dfx_enum_dict_t *d, int64_t code)
{
    uint64_t  off;
    uint32_t  i;

    if (d == NULL) {
        return NULL;
    }
    if (d->dense != NULL) {
        off = (uint64_t) code - (uint64_t) d->dense_min;
        if (off >= d->dense_len || d->dense[off] < 0) {
            return NULL;
        }
        return &d->entries[d->dense[off]];
    }
    if (d->islots == NULL) {
        return NULL;
    }
    for (i = dfx_enum_hash_int(code) & d->imask; d->islots[i].entry >= 0;
         i = (i + 1) & d->imask)
    {
        if (d->islots[i].code == code) {
            return &d->entries[d->islots[i].entry];
        }
    }
    return NULL;
}

static const dfx_enum_entry_t *
dfx_enum_find_str(const dfx_enum_dict_t *d, const char *key, size_t len)
{
    const dfx_enum_sslot_t  *slot;
    uint32_t                 h, i;

    if (d == NULL || d->sslots == NULL) {
        return NULL;
    }
    h = dfx_enum_hash_str(key, len);
    for (i = h & d->smask; ; i = (i + 1) & d->smask) {
        slot = &d->sslots[i];
        if (slot->key == NULL) {
            return NULL;
        }
        if (slot->hash == h && slot->len == len
            && memcmp(slot->key, key, len) == 0)
        {
            return &d->entries[slot->entry];
        }
    }
}

const dfx_str_t *
dfx_enum_dict_name_int(const dfx_enum_dict_t *d, int64_t code)
{
    const dfx_enum_entry_t  *e = dfx_enum_find_int(d, code);

    return e != NULL ? &e->name : NULL;
}

const dfx_str_t *
dfx_enum_dict_json_int(const dfx_enum_dict_t *d, int64_t code)
{
    const dfx_enum_entry_t  *e = dfx_enum_find_int(d, code);

    return e != NULL ? &e->json : NULL;
}

int
dfx_enum_dict_code_of(const dfx_enum_dict_t *d, const char *name,
                      int64_t *code)
{
    size_t  i, len = strlen(name);

    if (d == NULL) {
        return -1;
    }
    /* configuration time only: a scan is fine */
    for (i = d->nentries; i-- > 0;) {
        if (d->entries[i].is_int && d->entries[i].name.len == len
            && strncasecmp(d->entries[i].name.data, name, len) == 0)
        {
            *code = d->entries[i].code;
            return 0;
        }
    }
    return -1;
}

const dfx_str_t *
dfx_enum_dict_name_str(const dfx_enum_dict_t *d, const char *key,
    size_t len)
{
    const dfx_enum_entry_t  *e = dfx_enum_find_str(d, key, len);

    return e != NULL ? &e->name : NULL;
}

const dfx_str_t *
dfx_enum_dict_json_str(const dfx_enum_dict_t *d, const char *key,
    size_t len)
{
    const dfx_enum_entry_t  *e = dfx_enum_find_str(d, key, len);

    return e != NULL ? &e->json : NULL;
}

size_t
dfx_enum_dict_size(const dfx_enum_dict_t *d)
{
    return d != NULL ? d->nkeys : 0;
}

const dfx_str_t *
dfx_enum_name_int(const dfx_enums_t *enums, dfx_enum_id_t id, int64_t code)
{
    return dfx_enum_dict_name_int(dfx_enums_get(enums, id), code);
}

const dfx_str_t *
dfx_enum_name_str(const dfx_enums_t *enums, dfx_enum_id_t id,
    const char *key, size_t len)
{
    return dfx_enum_dict_name_str(dfx_enums_get(enums, id), key, len);
}

const dfx_str_t *
dfx_enum_json_int(const dfx_enums_t *enums, dfx_enum_id_t id, int64_t code)
{
    return dfx_enum_dict_json_int(dfx_enums_get(enums, id), code);
}

const dfx_str_t *
dfx_enum_json_str(const dfx_enums_t *enums, dfx_enum_id_t id,
    const char *key, size_t len)
{
    return dfx_enum_dict_json_str(dfx_enums_get(enums, id), key, len);
}
