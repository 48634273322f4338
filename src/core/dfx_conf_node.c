/*
 * dfx_conf_node.c: the YAML text as a tree of located nodes.
 *
 * libyaml's event parser drives a small builder with an explicit stack
 * (nesting is bounded, no recursion).  Every node keeps its file:line:col
 * so that any later check can point at it.  Aliases are resolved by
 * sharing the anchored node, which keeps "billion laughs" documents
 * linear in size; an anchor becomes usable once its node is complete, so
 * a node cannot contain itself.  Only the first document of a stream is
 * read; a second one is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "dfx_conf_int.h"

#define DFX_YAML_CORE_TAG  "tag:yaml.org,2002:"

typedef struct dfx_anchor_s {
    char        *name;
    dfx_node_t  *node;
} dfx_anchor_t;

typedef struct dfx_builder_s {
    dfx_conf_ctx_t  *cf;
    dfx_doc_t       *doc;
    dfx_node_t      *stack[DFX_CONF_DEPTH_MAX];
    char            *stack_anchor[DFX_CONF_DEPTH_MAX];
    size_t           depth;
    dfx_anchor_t    *anchors;
    size_t           nanchors;
    size_t           anchors_cap;
    int              ndocs;
} dfx_builder_t;

static dfx_node_t *
dfx_node_new(dfx_builder_t *b, dfx_node_type_t type, const yaml_mark_t *mark)
{
    dfx_node_t  *n;

    n = calloc(1, sizeof(*n));
    if (n == NULL) {
        dfx_conf_nomem(b->cf);
        return NULL;
    }
    n->type = type;
    n->loc.file = b->cf->file;
    n->loc.line = (uint32_t) mark->line + 1;
    n->loc.col = (uint32_t) mark->column + 1;
    n->next = b->doc->nodes;
    b->doc->nodes = n;
    return n;
}

/* Keeps a tag only when it is outside YAML's core schema; a core !!null
 * turns the node into null. */
static int
dfx_node_set_tag(dfx_builder_t *b, dfx_node_t *n, const yaml_char_t *tag)
{
    const char  *t = (const char *) tag;

    if (t == NULL || strcmp(t, "!") == 0) {
        return 0;
    }
    if (strncmp(t, DFX_YAML_CORE_TAG, sizeof(DFX_YAML_CORE_TAG) - 1) == 0) {
        if (strcmp(t + sizeof(DFX_YAML_CORE_TAG) - 1, "null") == 0) {
            n->type = DFX_NODE_NULL;
        }
        return 0;
    }
    n->tag = strdup(t);
    if (n->tag == NULL) {
        dfx_conf_nomem(b->cf);
        return -1;
    }
    return 0;
}

static int
dfx_node_append(dfx_builder_t *b, dfx_node_t *n)
{
    dfx_node_t   *parent, **items;
    size_t        cap;

    if (b->depth == 0) {
        b->doc->root = n;
        return 0;
    }
    parent = b->stack[b->depth - 1];
    if (parent->n == parent->cap) {
        cap = parent->cap ? parent->cap * 2 : 8;
        items = realloc(parent->items, cap * sizeof(*items));
        if (items == NULL) {
            dfx_conf_nomem(b->cf);
            return -1;
        }
        parent->items = items;
        parent->cap = cap;
    }
    parent->items[parent->n++] = n;
    return 0;
}

static int
dfx_anchor_add(dfx_builder_t *b, const char *name, dfx_node_t *n)
{
    dfx_anchor_t  *a;
    size_t         cap;

    if (b->nanchors == b->anchors_cap) {
        cap = b->anchors_cap ? b->anchors_cap * 2 : 8;
        a = realloc(b->anchors, cap * sizeof(*a));
        if (a == NULL) {
            dfx_conf_nomem(b->cf);
            return -1;
        }
        b->anchors = a;
        b->anchors_cap = cap;
    }
    b->anchors[b->nanchors].name = strdup(name);
    if (b->anchors[b->nanchors].name == NULL) {
        dfx_conf_nomem(b->cf);
        return -1;
    }
    b->anchors[b->nanchors].node = n;
    b->nanchors++;
    return 0;
}

static dfx_node_t *
dfx_anchor_find(const dfx_builder_t *b, const char *name)
{
    size_t  i;

    /* YAML lets an anchor be redefined: the latest one counts */
    for (i = b->nanchors; i > 0; i--) {
        if (strcmp(b->anchors[i - 1].name, name) == 0) {
            return b->anchors[i - 1].node;
        }
    }
    return NULL;
}

static int
dfx_builder_scalar(dfx_builder_t *b, const yaml_event_t *ev)
{
    dfx_node_t   *n;
    const char   *v = (const char *) ev->data.scalar.value;
    size_t        len = ev->data.scalar.length;

    n = dfx_node_new(b, DFX_NODE_SCALAR, &ev->start_mark);
    if (n == NULL) {
        return -1;
    }
    n->text = malloc(len + 1);
    if (n->text == NULL) {
        dfx_conf_nomem(b->cf);
        return -1;
    }
    memcpy(n->text, v, len);
    n->text[len] = '\0';
    n->len = len;
    if (ev->data.scalar.tag == NULL
        && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
        && (len == 0 || strcmp(n->text, "~") == 0
            || strcmp(n->text, "null") == 0 || strcmp(n->text, "Null") == 0
            || strcmp(n->text, "NULL") == 0))
    {
        n->type = DFX_NODE_NULL;
    }
    if (dfx_node_set_tag(b, n, ev->data.scalar.tag) != 0
        || dfx_node_append(b, n) != 0)
    {
        return -1;
    }
    if (ev->data.scalar.anchor != NULL) {
        return dfx_anchor_add(b, (const char *) ev->data.scalar.anchor, n);
    }
    return 0;
}

static int
dfx_builder_start(dfx_builder_t *b, const yaml_event_t *ev,
                  dfx_node_type_t type, const yaml_char_t *tag,
                  const yaml_char_t *anchor)
{
    dfx_node_t  *n;
    dfx_loc_t    loc;

    if (b->depth == DFX_CONF_DEPTH_MAX) {
        loc.file = b->cf->file;
        loc.line = (uint32_t) ev->start_mark.line + 1;
        loc.col = (uint32_t) ev->start_mark.column + 1;
        dfx_conf_error(b->cf, &loc, "nesting deeper than %d levels",
                       DFX_CONF_DEPTH_MAX);
        return -1;
    }
    n = dfx_node_new(b, type, &ev->start_mark);
    if (n == NULL || dfx_node_set_tag(b, n, tag) != 0) {
        return -1;
    }
    /* a container tagged !!null is still a container */
    n->type = type;
    if (dfx_node_append(b, n) != 0) {
        return -1;
    }
    b->stack_anchor[b->depth] = NULL;
    if (anchor != NULL) {
        b->stack_anchor[b->depth] = strdup((const char *) anchor);
        if (b->stack_anchor[b->depth] == NULL) {
            dfx_conf_nomem(b->cf);
            return -1;
        }
    }
    b->stack[b->depth++] = n;
    return 0;
}

static int
dfx_builder_end(dfx_builder_t *b)
{
    char  *anchor;
    int    rc = 0;

    if (b->depth == 0) {
        /* libyaml pairs start and end events: this cannot happen */
        return -1;
    }
    b->depth--;
    anchor = b->stack_anchor[b->depth];
    b->stack_anchor[b->depth] = NULL;
    if (anchor != NULL) {
        rc = dfx_anchor_add(b, anchor, b->stack[b->depth]);
        free(anchor);
    }
    return rc;
}

static int
dfx_builder_alias(dfx_builder_t *b, const yaml_event_t *ev)
{
    dfx_node_t  *n;
    dfx_loc_t    loc;

    n = dfx_anchor_find(b, (const char *) ev->data.alias.anchor);
    if (n == NULL) {
        loc.file = b->cf->file;
        loc.line = (uint32_t) ev->start_mark.line + 1;
        loc.col = (uint32_t) ev->start_mark.column + 1;
        dfx_conf_error(b->cf, &loc,
                       "unknown alias \"*%s\" (an alias must follow the "
                       "complete node of its anchor)",
                       (const char *) ev->data.alias.anchor);
        return -1;
    }
    return dfx_node_append(b, n);
}

/* libyaml's own words, with the place it points at. */
static void
dfx_doc_yaml_error(dfx_conf_ctx_t *cf, const yaml_parser_t *p,
                   const char *data, size_t len)
{
    dfx_loc_t    loc;
    size_t       i, off;
    const char  *hint = "";

    loc.file = cf->file;
    if (p->error == YAML_MEMORY_ERROR) {
        dfx_conf_nomem(cf);
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        /* the reader only knows a byte offset */
        off = p->problem_offset < len ? p->problem_offset : len;
        loc.line = 1;
        loc.col = 1;
        for (i = 0; i < off; i++) {
            if (data[i] == '\n') {
                loc.line++;
                loc.col = 1;
            } else {
                loc.col++;
            }
        }
        dfx_conf_error(cf, &loc, "%s", p->problem ? p->problem : "bad input");
        return;
    }
    loc.line = (uint32_t) p->problem_mark.line + 1;
    loc.col = (uint32_t) p->problem_mark.column + 1;
    if (p->problem_mark.index < len && data[p->problem_mark.index] == '\t') {
        hint = "; YAML does not allow tabs for indentation";
    }
    if (p->context != NULL) {
        dfx_conf_error(cf, &loc, "%s, %s at %lu:%lu%s",
                       p->problem ? p->problem : "syntax error", p->context,
                       (unsigned long) p->context_mark.line + 1,
                       (unsigned long) p->context_mark.column + 1, hint);
    } else {
        dfx_conf_error(cf, &loc, "%s%s",
                       p->problem ? p->problem : "syntax error", hint);
    }
}

int
dfx_doc_parse(dfx_conf_ctx_t *cf, const char *data, size_t len,
              dfx_doc_t *doc)
{
    yaml_parser_t   parser;
    yaml_event_t    ev;
    dfx_builder_t   b;
    int             rc = -1, done = 0, r;
    size_t          i;

    memset(&b, 0, sizeof(b));
    b.cf = cf;
    b.doc = doc;
    doc->root = NULL;
    doc->nodes = NULL;

    if (!yaml_parser_initialize(&parser)) {
        dfx_conf_nomem(cf);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *) data, len);

    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            dfx_doc_yaml_error(cf, &parser, data, len);
            goto cleanup;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            r = 0;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++b.ndocs > 1) {
                dfx_loc_t  loc = { cf->file,
                                   (uint32_t) ev.start_mark.line + 1,
                                   (uint32_t) ev.start_mark.column + 1 };

                dfx_conf_error(cf, &loc, "a second YAML document; a "
                               "configuration file holds one");
                r = -1;
            } else {
                r = 0;
            }
            break;
        case YAML_SCALAR_EVENT:
            r = dfx_builder_scalar(&b, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            r = dfx_builder_start(&b, &ev, DFX_NODE_SEQ,
                                  ev.data.sequence_start.tag,
                                  ev.data.sequence_start.anchor);
            break;
        case YAML_MAPPING_START_EVENT:
            r = dfx_builder_start(&b, &ev, DFX_NODE_MAP,
                                  ev.data.mapping_start.tag,
                                  ev.data.mapping_start.anchor);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            r = dfx_builder_end(&b);
            break;
        case YAML_ALIAS_EVENT:
            r = dfx_builder_alias(&b, &ev);
            break;
        default:
            r = 0;
            break;
        }
        yaml_event_delete(&ev);
        if (r != 0) {
            goto cleanup;
        }
    }
    rc = 0;

cleanup:
    for (i = 0; i < b.depth; i++) {
        free(b.stack_anchor[i]);
    }
    for (i = 0; i < b.nanchors; i++) {
        free(b.anchors[i].name);
    }
    free(b.anchors);
    yaml_parser_delete(&parser);
    return rc;
}

void
dfx_doc_free(dfx_doc_t *doc)
{
    dfx_node_t  *n, *next;

    if (doc == NULL) {
        return;
    }
    for (n = doc->nodes; n != NULL; n = next) {
        next = n->next;
        free(n->tag);
        free(n->text);
        free(n->items);
        free(n);
    }
    doc->nodes = NULL;
    doc->root = NULL;
}

int
dfx_node_is_null(const dfx_node_t *n)
{
    return n == NULL || n->type == DFX_NODE_NULL;
}

const char *
dfx_node_what(const dfx_node_t *n, char *buf, size_t size)
{
    if (dfx_node_is_null(n)) {
        return "null";
    }
    switch (n->type) {
    case DFX_NODE_SEQ:
        return "a list";
    case DFX_NODE_MAP:
        return "a mapping";
    default:
        break;
    }
    /* long values are cut: the location already says where they are */
    if (n->len > 64) {
        snprintf(buf, size, "\"%.60s...\"", n->text);
    } else {
        snprintf(buf, size, "\"%s\"", n->text);
    }
    return buf;
}

int
dfx_node_bad_tag(dfx_conf_ctx_t *cf, const dfx_node_t *n)
{
    if (n == NULL || n->tag == NULL) {
        return 0;
    }
    if (n->type == DFX_NODE_SCALAR && n->len == 0) {
        /* operator: != and friends: YAML reads "!" as a tag */
        dfx_conf_error(cf, &n->loc,
                       "%s: unquoted \"%s\" is read as a YAML tag; quote the "
                       "value (\"%s\")", cf->path, n->tag, n->tag);
    } else {
        dfx_conf_error(cf, &n->loc, "%s: YAML tag \"%s\" is not supported",
                       cf->path, n->tag);
    }
    return 1;
}

const dfx_node_t *
dfx_node_get(dfx_conf_ctx_t *cf, const dfx_node_t *map, const char *key,
             const dfx_node_t **keynode)
{
    const dfx_node_t  *k, *found = NULL, *fkey = NULL;
    size_t             i;

    if (keynode != NULL) {
        *keynode = NULL;
    }
    if (map == NULL || map->type != DFX_NODE_MAP) {
        return NULL;
    }
    for (i = 0; i + 1 < map->n; i += 2) {
        k = map->items[i];
        if (k->type != DFX_NODE_SCALAR || strcmp(k->text, key) != 0) {
            continue;
        }
        if (fkey != NULL) {
            dfx_conf_error(cf, &k->loc, "%s%sduplicate key \"%s\" (first at "
                           "line %u)", cf->path, cf->pathlen ? ": " : "",
                           key, fkey->loc.line);
            continue;
        }
        fkey = k;
        found = map->items[i + 1];
    }
    if (keynode != NULL) {
        *keynode = fkey;
    }
    return found;
}
