/*
 * dfx_conf_int.h: the inside of the configuration loader, shared by its
 * files only (dfx_conf*.c).
 *
 * dfx_conf_node.c turns the YAML text into a tree of located nodes;
 * dfx_conf_walk.c fills structs from mappings of that tree with key
 * tables (the generic checks); dfx_conf_main.c and dfx_conf_exporter.c
 * apply it to the dfexport: block and to ingester.exporters[] and add the
 * cross-key rules; dfx_conf.c holds the error collector and the entry
 * points.
 */
#ifndef DFX_CONF_INT_H
#define DFX_CONF_INT_H

#include <stddef.h>

#include "dfx_conf.h"

#ifndef DFX_SYSCONFDIR
#define DFX_SYSCONFDIR  "/etc/dfexport"
#endif
/* Where make install puts the enum dictionaries (conf/local.am). */
#define DFX_ENUM_INSTALLED  DFX_SYSCONFDIR "/enum"

/* Deepest YAML nesting accepted (DeepFlow's own file needs 6). */
#define DFX_CONF_DEPTH_MAX   64
/* Largest configuration file accepted. */
#define DFX_CONF_FILE_MAX    (16u * 1024 * 1024)
/* Longest key path kept for messages. */
#define DFX_CONF_PATH_MAX    512
/* Key tables consulted for one mapping (an exporter: its own + modules). */
#define DFX_CONF_SCOPES_MAX  (1 + DFX_MODULE_MAX)
/* Keys in one table (the walker keeps one bit per key). */
#define DFX_CONF_TABLE_MAX   64

typedef enum {
    DFX_NODE_NULL = 0,          /* ~, null, nothing, or tagged !!null */
    DFX_NODE_SCALAR,
    DFX_NODE_SEQ,
    DFX_NODE_MAP,
} dfx_node_type_t;

typedef struct dfx_node_s  dfx_node_t;

struct dfx_node_s {
    dfx_node_type_t   type;
    dfx_loc_t         loc;
    char             *tag;      /* a tag outside YAML's core schema as
                                 * written ("!="), or NULL */
    char             *text;     /* SCALAR: NUL-terminated */
    size_t            len;
    dfx_node_t      **items;    /* SEQ: n nodes; MAP: n / 2 pairs, the key
                                 * at 2i and its value at 2i + 1 */
    size_t            n;
    size_t            cap;
    dfx_node_t       *next;     /* every node of a document, for freeing */
};

typedef struct dfx_doc_s {
    dfx_node_t  *root;          /* NULL for an empty document */
    dfx_node_t  *nodes;
} dfx_doc_t;

struct dfx_conf_ctx_s {
    const char   *file;         /* as given, owned by the conf */
    void        (*out)(int is_error, const char *line);
    unsigned      flags;        /* DFX_CONF_ENDPOINTS_REPLACED */
    unsigned      nerrors;
    unsigned      nnotices;
    int           nomem;        /* memory ran out: the checks are skipped */
    dfx_conf_t   *conf;
    char          path[DFX_CONF_PATH_MAX];
    size_t        pathlen;
};

/* Parses data into doc (aliases resolved: an alias is the anchored node
 * itself, shared).  Reports YAML errors with their line:col; returns 0 or
 * -1.  dfx_doc_free() frees what was built, also after a failure. */
int dfx_doc_parse(dfx_conf_ctx_t *cf, const char *data, size_t len,
                  dfx_doc_t *doc);
void dfx_doc_free(dfx_doc_t *doc);

/* "a list", "a mapping", "null" or the quoted scalar, for "got ..." in
 * messages; buf must hold at least 96 bytes. */
const char *dfx_node_what(const dfx_node_t *n, char *buf, size_t size);

/* The value of key in map (a MAP node), or NULL when absent; *keynode
 * (when not NULL) gets the key.  A key written twice is reported as an
 * error under the current path.  Keys that are not scalars are skipped. */
const dfx_node_t *dfx_node_get(dfx_conf_ctx_t *cf, const dfx_node_t *map,
                               const char *key, const dfx_node_t **keynode);

/* 1 when n is null (YAML null counts as absent). */
int dfx_node_is_null(const dfx_node_t *n);

/* Reports a tag outside YAML's core schema on n (operator: != is the
 * usual one); returns 1 if it did. */
int dfx_node_bad_tag(dfx_conf_ctx_t *cf, const dfx_node_t *n);

/* Key path of messages: push returns the length to restore with pop. */
size_t dfx_conf_push_key(dfx_conf_ctx_t *cf, const char *key);
size_t dfx_conf_push_index(dfx_conf_ctx_t *cf, size_t i);
void dfx_conf_pop(dfx_conf_ctx_t *cf, size_t len);

typedef struct dfx_conf_scope_s {
    const dfx_conf_key_t  *keys;
    void                  *base;
} dfx_conf_scope_t;

/* Fills the scopes' structs from map, a MAP node (NULL: the mapping is
 * absent and everything takes its default).  A key is looked up in each
 * scope in turn.  Every generic error is reported under the current
 * path; keys not written take their defaults, located at loc. */
void dfx_conf_walk(dfx_conf_ctx_t *cf, const dfx_node_t *map,
                   const dfx_loc_t *loc, const dfx_conf_scope_t *scopes,
                   size_t nscopes);

/* Frees what dfx_conf_walk() allocated in the struct at base (not base
 * itself).  Accepts a zeroed or partly filled struct. */
void dfx_conf_table_free(const dfx_conf_key_t *keys, void *base);

/* Formats size as 64MiB / 1KiB / 123 (the largest exact unit). */
void dfx_conf_size_text(uint64_t size, char *buf, size_t bufsize);

/* The loader's two halves: the dfexport: block (dfx_conf_main.c) and
 * ingester.exporters[] (dfx_conf_exporter.c). */
void dfx_conf_main_load(dfx_conf_ctx_t *cf, dfx_conf_t *conf,
                        const dfx_node_t *node, const dfx_node_t *key);
void dfx_conf_exporters_load(dfx_conf_ctx_t *cf, dfx_conf_t *conf,
                             const dfx_node_t *node, const dfx_node_t *key);
void dfx_conf_exporter_free(dfx_conf_exporter_t *ec);
/* dfexport.clickhouse (dfx_conf_clickhouse.c): the rules between its
 * keys; paths must have been resolved. */
void dfx_conf_clickhouse_check(dfx_conf_ctx_t *cf,
                               dfx_conf_clickhouse_t *cc);

/* Reports that memory ran out (the load then fails). */
void dfx_conf_nomem(dfx_conf_ctx_t *cf);

/* Makes a relative path in s (or dflt, when s is "" and dflt is not NULL)
 * relative to the directory of the config file, so that a config works
 * from the source tree and once installed, wherever it is started from.
 * Absolute paths and "" without a default are left alone. */
void dfx_conf_resolve_path(dfx_conf_ctx_t *cf, dfx_conf_str_t *s,
                           const char *dflt);

/* dfexport.enum-dir: a written one as dfx_conf_resolve_path(); "" means
 * the enum/ directory beside the config file, or, when there is none,
 * the installed one (DFX_SYSCONFDIR/enum) when that exists.  When neither
 * exists the path beside the config stays, and mc->enum_dir_missing
 * tells the loader of the dictionaries to name both (dfx_conf.c). */
void dfx_conf_enum_dir(dfx_conf_ctx_t *cf, dfx_conf_main_t *mc);

/* A password (dfx_conf_secret.c): "${NAME}" is replaced by the variable
 * from the environment, or, when pw_file is not "", by the first line of
 * that file.  Errors (both given, variable not set, file not readable)
 * are reported under path ("dfexport.clickhouse"); pw_file must have
 * been resolved. */
void dfx_conf_secret(dfx_conf_ctx_t *cf, const char *path,
                     dfx_conf_str_t *pw, dfx_conf_str_t *pw_file);

#endif /* DFX_CONF_INT_H */
