/*
 * dfx_conf_walk.c: fills structs from YAML mappings with key tables.
 *
 * This is where the generic checks live, so that no module repeats them:
 * unknown key (with "did you mean"), key written twice, wrong shape
 * (scalar, list, mapping), wrong type, out of range, not one of the
 * choices.  Defaults are strings parsed by the same code as user input,
 * so a table cannot hold a default its own rules would reject.  A value
 * that fails is reported, keeps the default and is marked DFX_CONF_BAD so
 * that cross-key checks do not report it a second time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_conf_int.h"
#include "dfx_core.h"

static const char *const  dfx_conf_shape_names[] = {
    [DFX_CONF_BOOL] = "true or false",
    [DFX_CONF_INT] = "an integer",
    [DFX_CONF_SIZE] = "a size",
    [DFX_CONF_STR] = "a string",
    [DFX_CONF_STRS] = "a list of strings",
    [DFX_CONF_STR_OR_STRS] = "a string or a list of strings",
    [DFX_CONF_ENUM] = "a string",
    [DFX_CONF_TABLE] = "a mapping",
    [DFX_CONF_TABLE_LIST] = "a list of mappings",
    [DFX_CONF_MAP] = "a mapping of strings",
    [DFX_CONF_IGNORED] = "anything",
};

static dfx_conf_meta_t *
dfx_conf_meta(const dfx_conf_key_t *key, void *slot)
{
    switch (key->type) {
    case DFX_CONF_BOOL:
        return &((dfx_conf_bool_t *) slot)->m;
    case DFX_CONF_INT:
        return &((dfx_conf_int_t *) slot)->m;
    case DFX_CONF_SIZE:
        return &((dfx_conf_size_t *) slot)->m;
    case DFX_CONF_STR:
        return &((dfx_conf_str_t *) slot)->m;
    case DFX_CONF_STRS:
    case DFX_CONF_STR_OR_STRS:
        return &((dfx_conf_strs_t *) slot)->m;
    case DFX_CONF_ENUM:
        return &((dfx_conf_enum_t *) slot)->m;
    case DFX_CONF_TABLE_LIST:
        return &((dfx_conf_list_t *) slot)->m;
    case DFX_CONF_MAP:
        return &((dfx_conf_map_t *) slot)->m;
    default:
        return NULL;
    }
}

/* The value as quoted in messages; long values are cut. */
static const char *
dfx_conf_quote(const char *text, char *buf, size_t size)
{
    if (strlen(text) > 64) {
        snprintf(buf, size, "\"%.60s...\"", text);
    } else {
        snprintf(buf, size, "\"%s\"", text);
    }
    return buf;
}

void
dfx_conf_size_text(uint64_t size, char *buf, size_t bufsize)
{
    static const char *const  units[] = { "", "KiB", "MiB", "GiB", "TiB" };
    unsigned                  u = 0;

    while (size != 0 && size % 1024 == 0 && u + 1 < dfx_nelems(units)) {
        size /= 1024;
        u++;
    }
    snprintf(buf, bufsize, "%llu%s", (unsigned long long) size, units[u]);
}

static int
dfx_conf_parse_int(const char *text, int64_t *out)
{
    const char  *p = text;
    int          neg = 0;
    uint64_t     v = 0, lim;

    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    if (*p == '\0') {
        return -1;
    }
    lim = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return -1;
        }
        if (v > (lim - (uint64_t) (*p - '0')) / 10) {
            return -2;
        }
        v = v * 10 + (uint64_t) (*p - '0');
    }
    *out = neg ? (int64_t) (0 - v) : (int64_t) v;
    return 0;
}

/* 123, 64k, 64K, 64KiB, 1m, 1M, 1MiB, 1g, 1G, 1GiB (powers of 1024). */
static int
dfx_conf_parse_size(const char *text, uint64_t *out)
{
    const char  *p = text;
    uint64_t     v = 0, mul = 1;

    if (*p < '0' || *p > '9') {
        return -1;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t) (*p - '0')) / 10) {
            return -2;
        }
        v = v * 10 + (uint64_t) (*p - '0');
    }
    if (*p != '\0') {
        switch (*p) {
        case 'k': case 'K':
            mul = 1024;
            break;
        case 'm': case 'M':
            mul = 1024 * 1024;
            break;
        case 'g': case 'G':
            mul = 1024 * 1024 * 1024;
            break;
        default:
            return -1;
        }
        p++;
        /* 64K and 64KiB; the lower-case forms stand alone */
        if (*p != '\0') {
            if (p[-1] < 'A' || p[-1] > 'Z' || strcmp(p, "iB") != 0) {
                return -1;
            }
        }
    }
    if (v > UINT64_MAX / mul) {
        return -2;
    }
    *out = v * mul;
    return 0;
}

static int
dfx_conf_parse_bool(const char *t, int *out)
{
    /* YAML 1.1's booleans, as DeepFlow's parser reads them */
    static const char *const  yes[] = {
        "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON",
        "y", "Y",
    };
    static const char *const  no[] = {
        "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF",
        "n", "N",
    };
    size_t                    i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(t, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcmp(t, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

static void
dfx_conf_enum_error(dfx_conf_ctx_t *cf, const dfx_loc_t *loc,
                    const dfx_conf_key_t *key, const char *text)
{
    char                 list[512], q[96];
    size_t               len = 0, i;
    dfx_conf_suggest_t   sg;
    const char          *best;

    list[0] = '\0';
    dfx_conf_suggest_init(&sg, text);
    for (i = 0; key->choices[i] != NULL; i++) {
        if (len < sizeof(list)) {
            len += (size_t) snprintf(list + len, sizeof(list) - len, "%s\"%s\"",
                                     i ? ", " : "", key->choices[i]);
        }
        dfx_conf_suggest_add(&sg, key->choices[i]);
    }
    best = dfx_conf_suggest_result(&sg);
    if (best != NULL) {
        dfx_conf_error(cf, loc, "%s: must be one of %s, got %s; did you mean "
                       "\"%s\"?", cf->path, list,
                       dfx_conf_quote(text, q, sizeof(q)), best);
    } else {
        dfx_conf_error(cf, loc, "%s: must be one of %s, got %s", cf->path,
                       list, dfx_conf_quote(text, q, sizeof(q)));
    }
}

/* Parses text (user input or a table default) into a scalar slot.
 * Returns 0, or -1 after reporting. */
static int
dfx_conf_parse_scalar(dfx_conf_ctx_t *cf, const dfx_conf_key_t *key,
                      const char *text, void *slot, const dfx_loc_t *loc,
                      int is_default)
{
    char      q[96], lo[32], hi[32];
    int64_t   i64;
    uint64_t  u64;
    int       b, r;
    size_t    i;

    switch (key->type) {
    case DFX_CONF_BOOL:
        if (dfx_conf_parse_bool(text, &b) != 0) {
            goto bad;
        }
        ((dfx_conf_bool_t *) slot)->v = b;
        return 0;

    case DFX_CONF_INT:
        r = dfx_conf_parse_int(text, &i64);
        if (r == -1) {
            goto bad;
        }
        if (r == 0 && i64 == 0 && (key->flags & DFX_CONF_KEY_ZERO_DEFAULT)
            && !is_default && key->def != NULL)
        {
            return dfx_conf_parse_scalar(cf, key, key->def, slot, loc, 1);
        }
        if (r == -2 || ((key->min != 0 || key->max != 0)
                        && (i64 < key->min || i64 > key->max)))
        {
            if (key->min == 0 && key->max == 0) {
                goto bad;
            }
            dfx_conf_error(cf, loc, "%s: must be between %lld and %lld, "
                           "got %s", cf->path, (long long) key->min,
                           (long long) key->max,
                           dfx_conf_quote(text, q, sizeof(q)));
            return -1;
        }
        ((dfx_conf_int_t *) slot)->v = i64;
        return 0;

    case DFX_CONF_SIZE:
        r = dfx_conf_parse_size(text, &u64);
        if (r == -1) {
            goto bad;
        }
        if (r == 0 && u64 == 0 && (key->flags & DFX_CONF_KEY_ZERO_DEFAULT)
            && !is_default && key->def != NULL)
        {
            return dfx_conf_parse_scalar(cf, key, key->def, slot, loc, 1);
        }
        if (r == -2 || ((key->min != 0 || key->max != 0)
                        && (u64 < (uint64_t) key->min
                            || u64 > (uint64_t) key->max)))
        {
            if (key->min == 0 && key->max == 0) {
                goto bad;
            }
            dfx_conf_size_text((uint64_t) key->min, lo, sizeof(lo));
            dfx_conf_size_text((uint64_t) key->max, hi, sizeof(hi));
            dfx_conf_error(cf, loc, "%s: must be between %s and %s, got %s",
                           cf->path, lo, hi,
                           dfx_conf_quote(text, q, sizeof(q)));
            return -1;
        }
        ((dfx_conf_size_t *) slot)->v = u64;
        return 0;

    case DFX_CONF_ENUM:
        for (i = 0; key->choices[i] != NULL; i++) {
            if (strcmp(text, key->choices[i]) == 0) {
                ((dfx_conf_enum_t *) slot)->v = (int) i;
                return 0;
            }
        }
        if (is_default) {
            goto bad;
        }
        dfx_conf_enum_error(cf, loc, key, text);
        return -1;

    default:
        break;
    }

bad:
    if (is_default) {
        dfx_conf_error(cf, loc, "%s: the key table's default %s is invalid",
                       cf->path, dfx_conf_quote(text, q, sizeof(q)));
        return -1;
    }
    switch (key->type) {
    case DFX_CONF_BOOL:
        dfx_conf_error(cf, loc, "%s: must be true or false, got %s",
                       cf->path, dfx_conf_quote(text, q, sizeof(q)));
        break;
    case DFX_CONF_SIZE:
        dfx_conf_error(cf, loc, "%s: must be a size (123, 64KiB, 64MiB, "
                       "1GiB), got %s", cf->path,
                       dfx_conf_quote(text, q, sizeof(q)));
        break;
    default:
        dfx_conf_error(cf, loc, "%s: must be an integer, got %s", cf->path,
                       dfx_conf_quote(text, q, sizeof(q)));
        break;
    }
    return -1;
}

static dfx_conf_str_t *
dfx_conf_strs_alloc(dfx_conf_ctx_t *cf, dfx_conf_strs_t *s, size_t n)
{
    s->v = calloc(n ? n : 1, sizeof(*s->v));
    if (s->v == NULL) {
        dfx_conf_nomem(cf);
    }
    return s->v;
}

static int
dfx_conf_str_set(dfx_conf_ctx_t *cf, dfx_conf_str_t *s, const char *text,
                 const dfx_loc_t *loc, uint8_t set)
{
    s->v = strdup(text);
    s->m.loc = *loc;
    s->m.set = set;
    if (s->v == NULL) {
        dfx_conf_nomem(cf);
        return -1;
    }
    return 0;
}

/* Applies the default of one key (not written, or written as null). */
static void
dfx_conf_default(dfx_conf_ctx_t *cf, const dfx_conf_key_t *key, void *slot,
                 const dfx_loc_t *loc)
{
    dfx_conf_meta_t   *m = dfx_conf_meta(key, slot);
    dfx_conf_strs_t   *strs;
    dfx_conf_scope_t   scope;
    size_t             mark;

    mark = dfx_conf_push_key(cf, key->name);
    switch (key->type) {
    case DFX_CONF_BOOL:
    case DFX_CONF_INT:
    case DFX_CONF_SIZE:
    case DFX_CONF_ENUM:
        if (key->def != NULL) {
            (void) dfx_conf_parse_scalar(cf, key, key->def, slot, loc, 1);
        }
        break;
    case DFX_CONF_STR:
        (void) dfx_conf_str_set(cf, slot, key->def ? key->def : "", loc, 0);
        break;
    case DFX_CONF_STRS:
    case DFX_CONF_STR_OR_STRS:
        strs = slot;
        if (key->def != NULL && dfx_conf_strs_alloc(cf, strs, 1) != NULL) {
            strs->n = 1;
            (void) dfx_conf_str_set(cf, &strs->v[0], key->def, loc, 0);
        }
        break;
    case DFX_CONF_TABLE:
        scope.keys = key->table;
        scope.base = slot;
        dfx_conf_walk(cf, NULL, loc, &scope, 1);
        break;
    default:
        break;
    }
    if (m != NULL) {
        m->loc = *loc;
        m->set = 0;
    }
    dfx_conf_pop(cf, mark);
}

static void
dfx_conf_shape_error(dfx_conf_ctx_t *cf, const dfx_conf_key_t *key,
                     const dfx_node_t *v)
{
    char  q[96];

    dfx_conf_error(cf, &v->loc, "%s: must be %s, got %s", cf->path,
                   dfx_conf_shape_names[key->type],
                   dfx_node_what(v, q, sizeof(q)));
}

/* One element of a list of strings; a bad one is kept as "" (BAD). */
static void
dfx_conf_set_elem(dfx_conf_ctx_t *cf, dfx_conf_str_t *s, const dfx_node_t *v)
{
    char  q[96];

    if (v->type == DFX_NODE_SCALAR && v->tag == NULL) {
        (void) dfx_conf_str_set(cf, s, v->text, &v->loc, 1);
        return;
    }
    if (!dfx_node_bad_tag(cf, v)) {
        dfx_conf_error(cf, &v->loc, "%s: must be a string, got %s", cf->path,
                       dfx_node_what(v, q, sizeof(q)));
    }
    (void) dfx_conf_str_set(cf, s, "", &v->loc, DFX_CONF_BAD);
}

static int
dfx_conf_set_strs(dfx_conf_ctx_t *cf, const dfx_conf_key_t *key,
                  dfx_conf_strs_t *s, const dfx_node_t *v)
{
    size_t  i, mark;

    if (v->type == DFX_NODE_SCALAR && key->type == DFX_CONF_STR_OR_STRS) {
        if (dfx_conf_strs_alloc(cf, s, 1) == NULL) {
            return -1;
        }
        s->n = 1;
        (void) dfx_conf_str_set(cf, &s->v[0], v->text, &v->loc, 1);
        return 0;
    }
    if (v->type != DFX_NODE_SEQ) {
        dfx_conf_shape_error(cf, key, v);
        return -1;
    }
    if (dfx_conf_strs_alloc(cf, s, v->n) == NULL) {
        return -1;
    }
    s->n = v->n;
    for (i = 0; i < v->n; i++) {
        mark = dfx_conf_push_index(cf, i);
        dfx_conf_set_elem(cf, &s->v[i], v->items[i]);
        dfx_conf_pop(cf, mark);
    }
    return 0;
}

/* A mapping that could not be read: its values are marked, so that the
 * cross-key checks leave them alone. */
static void
dfx_conf_mark_bad(const dfx_conf_key_t *keys, void *base)
{
    const dfx_conf_key_t  *key;
    dfx_conf_meta_t       *m;

    for (key = keys; key->name != NULL; key++) {
        if (key->type == DFX_CONF_TABLE) {
            dfx_conf_mark_bad(key->table, (char *) base + key->offset);
            continue;
        }
        m = dfx_conf_meta(key, (char *) base + key->offset);
        if (m != NULL) {
            m->set = DFX_CONF_BAD;
        }
    }
}

static int
dfx_conf_set_list(dfx_conf_ctx_t *cf, const dfx_conf_key_t *key,
                  dfx_conf_list_t *l, const dfx_node_t *v)
{
    const dfx_node_t  *item;
    dfx_conf_scope_t   scope;
    char               q[96];
    size_t             i, mark;

    if (v->type != DFX_NODE_SEQ) {
        dfx_conf_shape_error(cf, key, v);
        return -1;
    }
    l->v = calloc(v->n ? v->n : 1, key->elem_size);
    if (l->v == NULL) {
        dfx_conf_nomem(cf);
        return -1;
    }
    l->n = v->n;
    scope.keys = key->table;
    for (i = 0; i < v->n; i++) {
        item = v->items[i];
        scope.base = (char *) l->v + i * key->elem_size;
        *(dfx_loc_t *) scope.base = item->loc;
        mark = dfx_conf_push_index(cf, i);
        if (item->type == DFX_NODE_MAP && item->tag == NULL) {
            dfx_conf_walk(cf, item, &item->loc, &scope, 1);
        } else {
            if (!dfx_node_bad_tag(cf, item)) {
                dfx_conf_error(cf, &item->loc, "%s: must be a mapping, got %s",
                               cf->path, dfx_node_what(item, q, sizeof(q)));
            }
            dfx_conf_walk(cf, NULL, &item->loc, &scope, 1);
            dfx_conf_mark_bad(key->table, scope.base);
        }
        dfx_conf_pop(cf, mark);
    }
    return 0;
}

static int
dfx_conf_set_map(dfx_conf_ctx_t *cf, const dfx_conf_key_t *key,
                 dfx_conf_map_t *m, const dfx_node_t *v)
{
    const dfx_node_t  *k, *val;
    char               q[96];
    size_t             i, j, pairs, mark;
    int                dup;

    if (v->type != DFX_NODE_MAP) {
        dfx_conf_shape_error(cf, key, v);
        return -1;
    }
    pairs = v->n / 2;
    m->keys = calloc(pairs ? pairs : 1, sizeof(*m->keys));
    m->values = calloc(pairs ? pairs : 1, sizeof(*m->values));
    if (m->keys == NULL || m->values == NULL) {
        dfx_conf_nomem(cf);
        return -1;
    }
    for (i = 0; i < pairs; i++) {
        k = v->items[2 * i];
        val = v->items[2 * i + 1];
        if (k->type != DFX_NODE_SCALAR || k->tag != NULL) {
            dfx_conf_error(cf, &k->loc, "%s: keys must be strings, got %s",
                           cf->path, dfx_node_what(k, q, sizeof(q)));
            continue;
        }
        for (dup = 0, j = 0; j < m->n; j++) {
            if (strcmp(m->keys[j].v, k->text) == 0) {
                dfx_conf_error(cf, &k->loc, "%s: duplicate key \"%s\" "
                               "(first at line %u)", cf->path, k->text,
                               m->keys[j].m.loc.line);
                dup = 1;
                break;
            }
        }
        if (dup || (dfx_node_is_null(val) && val->tag == NULL)) {
            /* a null value counts as absent */
            continue;
        }
        mark = dfx_conf_push_key(cf, k->text);
        if (val->type != DFX_NODE_SCALAR || val->tag != NULL) {
            if (!dfx_node_bad_tag(cf, val)) {
                dfx_conf_error(cf, &val->loc, "%s: must be a string, got %s",
                               cf->path, dfx_node_what(val, q, sizeof(q)));
            }
            dfx_conf_pop(cf, mark);
            continue;
        }
        dfx_conf_pop(cf, mark);
        if (dfx_conf_str_set(cf, &m->keys[m->n], k->text, &k->loc, 1) != 0
            || dfx_conf_str_set(cf, &m->values[m->n], val->text, &val->loc,
                                1) != 0)
        {
            m->n++;
            return -1;
        }
        m->n++;
    }
    return 0;
}

/* Stores the value v of key k in slot. */
static void
dfx_conf_set(dfx_conf_ctx_t *cf, const dfx_conf_key_t *key, void *slot,
             const dfx_node_t *k, const dfx_node_t *v)
{
    dfx_conf_meta_t   *m = dfx_conf_meta(key, slot);
    dfx_conf_scope_t   scope;
    size_t             mark;
    int                rc = -1;

    if (key->type == DFX_CONF_IGNORED) {
        return;
    }
    if (dfx_node_is_null(v) && v->tag == NULL) {
        dfx_conf_default(cf, key, slot, &k->loc);
        return;
    }
    mark = dfx_conf_push_key(cf, key->name);
    if (dfx_node_bad_tag(cf, v)) {
        goto done;
    }
    switch (key->type) {
    case DFX_CONF_BOOL:
    case DFX_CONF_INT:
    case DFX_CONF_SIZE:
    case DFX_CONF_ENUM:
        if (v->type != DFX_NODE_SCALAR) {
            dfx_conf_shape_error(cf, key, v);
            break;
        }
        rc = dfx_conf_parse_scalar(cf, key, v->text, slot, &v->loc, 0);
        break;
    case DFX_CONF_STR:
        if (v->type != DFX_NODE_SCALAR) {
            dfx_conf_shape_error(cf, key, v);
            break;
        }
        rc = dfx_conf_str_set(cf, slot, v->text, &v->loc, 1);
        break;
    case DFX_CONF_STRS:
    case DFX_CONF_STR_OR_STRS:
        rc = dfx_conf_set_strs(cf, key, slot, v);
        break;
    case DFX_CONF_TABLE:
        if (v->type != DFX_NODE_MAP) {
            dfx_conf_shape_error(cf, key, v);
            break;
        }
        scope.keys = key->table;
        scope.base = slot;
        dfx_conf_walk(cf, v, &v->loc, &scope, 1);
        rc = 0;
        break;
    case DFX_CONF_TABLE_LIST:
        rc = dfx_conf_set_list(cf, key, slot, v);
        break;
    case DFX_CONF_MAP:
        rc = dfx_conf_set_map(cf, key, slot, v);
        break;
    default:
        rc = 0;
        break;
    }

done:
    dfx_conf_pop(cf, mark);
    if (rc != 0) {
        /* a rejected scalar or table keeps its default, so that the
         * cross-key checks see sane values; lists keep what was read */
        switch (key->type) {
        case DFX_CONF_STR:
            if (((dfx_conf_str_t *) slot)->v != NULL) {
                break;
            }
            /* fall through */
        case DFX_CONF_BOOL:
        case DFX_CONF_INT:
        case DFX_CONF_SIZE:
        case DFX_CONF_ENUM:
        case DFX_CONF_TABLE:
            dfx_conf_default(cf, key, slot, &v->loc);
            if (key->type == DFX_CONF_TABLE) {
                dfx_conf_mark_bad(key->table, slot);
            }
            break;
        default:
            break;
        }
        if (m != NULL) {
            m->loc = v->loc;
            m->set = DFX_CONF_BAD;
        }
    } else if (m != NULL) {
        m->loc = v->loc;
        m->set = 1;
    }
}

void
dfx_conf_walk(dfx_conf_ctx_t *cf, const dfx_node_t *map,
              const dfx_loc_t *loc, const dfx_conf_scope_t *scopes,
              size_t nscopes)
{
    const dfx_node_t     *first[DFX_CONF_SCOPES_MAX][DFX_CONF_TABLE_MAX];
    const dfx_node_t     *k, *v;
    const dfx_conf_key_t *key;
    dfx_conf_suggest_t    sg;
    const char           *best;
    char                  q[96];
    size_t                i, s, j;
    int                   found;

    dfx_assert(nscopes <= DFX_CONF_SCOPES_MAX);
    memset(first, 0, sizeof(first));

    for (i = 0; map != NULL && i + 1 < map->n; i += 2) {
        k = map->items[i];
        v = map->items[i + 1];
        if (k->type != DFX_NODE_SCALAR || k->tag != NULL) {
            dfx_conf_error(cf, &k->loc, "%s: keys must be strings, got %s",
                           cf->path, dfx_node_what(k, q, sizeof(q)));
            continue;
        }
        if (strcmp(k->text, "<<") == 0) {
            dfx_conf_error(cf, &k->loc, "%s: YAML merge keys (<<) are not "
                           "supported; write the keys out", cf->path);
            continue;
        }
        found = 0;
        for (s = 0; s < nscopes && !found; s++) {
            for (j = 0; scopes[s].keys[j].name != NULL; j++) {
                dfx_assert(j < DFX_CONF_TABLE_MAX);
                if (strcmp(scopes[s].keys[j].name, k->text) != 0) {
                    continue;
                }
                found = 1;
                if (first[s][j] != NULL) {
                    dfx_conf_error(cf, &k->loc, "%s: duplicate key \"%s\" "
                                   "(first at line %u)", cf->path, k->text,
                                   first[s][j]->loc.line);
                    break;
                }
                first[s][j] = k;
                key = &scopes[s].keys[j];
                dfx_conf_set(cf, key, (char *) scopes[s].base + key->offset,
                             k, v);
                break;
            }
        }
        if (found) {
            continue;
        }
        dfx_conf_suggest_init(&sg, k->text);
        for (s = 0; s < nscopes; s++) {
            for (j = 0; scopes[s].keys[j].name != NULL; j++) {
                dfx_conf_suggest_add(&sg, scopes[s].keys[j].name);
            }
        }
        best = dfx_conf_suggest_result(&sg);
        if (best != NULL) {
            dfx_conf_error(cf, &k->loc, "%s: unknown key %s; did you mean "
                           "\"%s\"?", cf->path,
                           dfx_conf_quote(k->text, q, sizeof(q)), best);
        } else {
            dfx_conf_error(cf, &k->loc, "%s: unknown key %s", cf->path,
                           dfx_conf_quote(k->text, q, sizeof(q)));
        }
    }

    for (s = 0; s < nscopes; s++) {
        for (j = 0; scopes[s].keys[j].name != NULL; j++) {
            if (first[s][j] == NULL) {
                key = &scopes[s].keys[j];
                dfx_conf_default(cf, key,
                                 (char *) scopes[s].base + key->offset, loc);
            }
        }
    }
}

void
dfx_conf_table_free(const dfx_conf_key_t *keys, void *base)
{
    const dfx_conf_key_t  *key;
    dfx_conf_strs_t       *strs;
    dfx_conf_list_t       *list;
    dfx_conf_map_t        *map;
    void                  *slot;
    size_t                 i;

    for (key = keys; key->name != NULL; key++) {
        slot = (char *) base + key->offset;
        switch (key->type) {
        case DFX_CONF_STR:
            free(((dfx_conf_str_t *) slot)->v);
            ((dfx_conf_str_t *) slot)->v = NULL;
            break;
        case DFX_CONF_STRS:
        case DFX_CONF_STR_OR_STRS:
            strs = slot;
            for (i = 0; strs->v != NULL && i < strs->n; i++) {
                free(strs->v[i].v);
            }
            free(strs->v);
            strs->v = NULL;
            strs->n = 0;
            break;
        case DFX_CONF_TABLE:
            dfx_conf_table_free(key->table, slot);
            break;
        case DFX_CONF_TABLE_LIST:
            list = slot;
            for (i = 0; list->v != NULL && i < list->n; i++) {
                dfx_conf_table_free(key->table,
                                    (char *) list->v + i * key->elem_size);
            }
            free(list->v);
            list->v = NULL;
            list->n = 0;
            break;
        case DFX_CONF_MAP:
            map = slot;
            for (i = 0; i < map->n; i++) {
                free(map->keys[i].v);
                free(map->values[i].v);
            }
            free(map->keys);
            free(map->values);
            map->keys = NULL;
            map->values = NULL;
            map->n = 0;
            break;
        default:
            break;
        }
    }
}
