/*
 * dfx_module.h: processing modules and the per-exporter chains built from
 * them.
 *
 * A module is a const descriptor (dfx_module_t) registered in one ordered
 * table, dfx_modules[] in dfx_modules.c: that table is the chain order.
 * For every (exporter, data source) pair the exporter subscribes to, a
 * chain is built once at config time: each module's init hook sees the
 * chain and its own conf, adds what it contributes to the emit plan
 * (which fields a message carries, how each is formatted) and says
 * whether it needs a per-record process hook at all (DFX_SKIP: stages an
 * exporter's config does not need cost nothing).  Per record, the worker
 * runs the remaining stages in order; encode is the last and writes the
 * Kafka message value.
 */
#ifndef DFX_MODULE_H
#define DFX_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "dfx_buf.h"
#include "dfx_conf.h"
#include "dfx_pool.h"
#include "dfx_record.h"
#include "dfx_schema.h"
#include "dfx_str.h"

typedef struct dfx_chain_s    dfx_chain_t;
typedef struct dfx_rec_ctx_s  dfx_rec_ctx_t;
typedef struct dfx_dict_s     dfx_dict_t;      /* universal-tag dictionary */
typedef struct dfx_enums_s    dfx_enums_t;     /* loaded enum dictionaries */

/* How encode formats one emitted field. */
typedef enum {
    DFX_FMT_RAW = 0,     /* by the field's type */
    DFX_FMT_ENUM,        /* code -> display name through emit->xlat */
    DFX_FMT_UTAG,        /* id -> resource name through the dictionary */
} dfx_fmt_t;

/* Empty-value rules, resolved per field at init. */
#define DFX_EMIT_DROP_EMPTY  0x01   /* tag: skip "" and [] */
#define DFX_EMIT_DROP_ZERO   0x02   /* metric: skip 0, "" and empty float arrays */

typedef struct dfx_emit_s {
    uint16_t     field;      /* index into schema->fields */
    uint8_t      fmt;        /* dfx_fmt_t */
    uint8_t      flags;      /* DFX_EMIT_* */
    dfx_str_t    key;        /* pre-rendered "\"name\":" */
    dfx_str_t    key_raw;    /* DFX_FMT_UTAG: the key when no dictionary
                              * is loaded (raw id, like translation off) */
    const void  *xlat;       /* DFX_FMT_ENUM: the enum dictionary; for
                              * DFX_FMT_UTAG: the enum used when no
                              * dictionary is loaded (auto_*_type), or NULL */
} dfx_emit_t;

typedef struct dfx_stage_s {
    const struct dfx_module_s  *module;
    void                       *data;
} dfx_stage_t;

/* Kubernetes label selection (issue: semantics). */
typedef struct dfx_labels_sel_s {
    int          all;          /* $k8s.label */
    dfx_str_t   *names;        /* $k8s.label.<name> */
    size_t       nnames;
    void        *regexes;      /* ~$k8s.label.<regex>: regex_t[nregexes]
                                * (POSIX ERE, REG_NOSUB), freed with the
                                * chain */
    size_t       nregexes;
} dfx_labels_sel_t;

struct dfx_chain_s {
    const dfx_schema_t          *schema;
    const dfx_conf_exporter_t   *conf;
    unsigned                     exporter;     /* exporter index (labels) */
    const dfx_enums_t           *enums;        /* loaded enum dictionaries */
    dfx_emit_t                  *emit;         /* what a message carries */
    size_t                       nemit;
    dfx_labels_sel_t             labels;
    int                          key_field;    /* message key field or -1 */
    dfx_str_t                    topic;
    dfx_stage_t                 *stages;       /* per-record stages */
    size_t                       nstages;
    /* lives as long as the chain: init hooks allocate the plan here
     * (emit entries, pre-rendered keys, label names) */
    dfx_pool_t                  *pool;
};

/* Per record and per chain: what the stages read and write. */
struct dfx_rec_ctx_s {
    const dfx_record_t   *rec;
    const dfx_chain_t    *chain;
    const dfx_dict_t     *dict;        /* snapshot for this request, or NULL */
    dfx_buf_t            *out;         /* encode appends the value here */
    dfx_str_t             key;         /* message key (encode), or empty */
    int                   key_null;    /* 1: no key */
    int                   drop_group;  /* tag_filter: group that dropped, -1 */
    const char           *drop_why;    /* for dry runs and logs */
    char                  key_buf[48]; /* encode: text of a non-string key */
    /* encode adds up here; dfx_chain_flush_stats() moves the sums to the
     * counters, so a request costs one atomic add per counter, not one
     * per record */
    uint32_t              empty_dropped;
    uint32_t              enum_unknown;
    uint32_t              utag_unknown;
};

typedef struct dfx_module_s {
    const char              *name;
    const dfx_conf_key_t    *keys;         /* YAML keys it owns, or NULL */
    size_t                   conf_size;
    /* cross-key rules, after the key table was applied */
    int   (*conf_check)(dfx_conf_ctx_t *cf, dfx_conf_exporter_t *ec,
                        void *conf);
    /* per (exporter, data source): DFX_OK with *data for process, DFX_SKIP
     * when no per-record work is needed, DFX_ERROR (logged) */
    int   (*init)(dfx_chain_t *chain, const void *conf, void **data);
    /* per record: DFX_OK, DFX_DROP (filtered) or DFX_ERROR */
    int   (*process)(void *data, dfx_rec_ctx_t *rc);
    void  (*fini)(void *data);
} dfx_module_t;

/* THE chain order, NULL-terminated (dfx_modules.c). */
extern const dfx_module_t *const dfx_modules[];

/* Index of a module in dfx_modules[] (its slot in dfx_conf_exporter_t
 * mconf[]), or -1. */
int dfx_module_index(const dfx_module_t *m);

/* Builds the chain of one exporter for one data source; NULL with a
 * logged error on failure.  dfx_chain_destroy() accepts NULL. */
dfx_chain_t *dfx_chain_create(const dfx_conf_exporter_t *ec,
                              const dfx_schema_t *schema,
                              const dfx_enums_t *enums);
void dfx_chain_destroy(dfx_chain_t *chain);

/* Runs every stage on one record; DFX_OK (value in rc->out), DFX_DROP or
 * DFX_ERROR. */
int dfx_chain_run(const dfx_chain_t *chain, dfx_rec_ctx_t *rc);

/* Adds the counts rc gathered over dfx_chain_run() calls (fields the empty
 * rules left out, unknown enum codes and ids) to the chain's exporter and
 * data-source counters and zeroes them.  Call once per request and
 * chain, with the rc used for all its records. */
void dfx_chain_flush_stats(const dfx_chain_t *chain, dfx_rec_ctx_t *rc);

#endif /* DFX_MODULE_H */
