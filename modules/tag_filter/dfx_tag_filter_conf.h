/*
 * dfx_tag_filter_conf.h: the tag-filter keys of an exporter.
 *
 *   tag-filters-groups:            groups are OR-ed
 *   - tag-filter-condition: {type: and|or}
 *     tag-filters:
 *     - {field-name: region_id_0, operator: "=", field-values: [3, 4]}
 *   tag-filters: [...]             deprecated; decides alone when it applies
 *   tag-filter-condition: {type: and|or}
 */
#ifndef DFX_TAG_FILTER_CONF_H
#define DFX_TAG_FILTER_CONF_H

#include "dfx_conf.h"

typedef enum {
    DFX_FILTER_EQ = 1,          /* "="       */
    DFX_FILTER_NEQ,             /* "!="      */
    DFX_FILTER_IN,              /* "in"      */
    DFX_FILTER_NOT_IN,          /* "not in"  */
    DFX_FILTER_WILDCARD_EQ,     /* ":"       */
    DFX_FILTER_WILDCARD_NEQ,    /* "!:"      */
    DFX_FILTER_REGEXP_EQ,       /* "~"       */
    DFX_FILTER_REGEXP_NEQ,      /* "!~"      */
} dfx_filter_op_t;

typedef enum { DFX_COND_AND = 0, DFX_COND_OR } dfx_filter_cond_t;

typedef struct dfx_conf_filter_s {
    dfx_loc_t        loc;
    dfx_conf_str_t   field_name;
    dfx_conf_str_t   op;            /* "operator", as written */
    dfx_conf_strs_t  field_values;  /* YAML numbers kept as their text */
    int              opcode;        /* dfx_filter_op_t, set by conf_check */
} dfx_conf_filter_t;

typedef struct dfx_conf_condition_s {
    dfx_conf_enum_t  type;          /* dfx_filter_cond_t */
} dfx_conf_condition_t;

typedef struct dfx_conf_filter_group_s {
    dfx_loc_t             loc;
    dfx_conf_condition_t  condition;   /* tag-filter-condition */
    dfx_conf_list_t       filters;     /* tag-filters: dfx_conf_filter_t */
} dfx_conf_filter_group_t;

typedef struct dfx_tag_filter_conf_s {
    dfx_conf_list_t       filters;     /* deprecated top-level tag-filters */
    dfx_conf_condition_t  condition;   /* top-level tag-filter-condition */
    dfx_conf_list_t       groups;      /* tag-filters-groups */
} dfx_tag_filter_conf_t;

extern const dfx_conf_key_t dfx_tag_filter_keys[];
int dfx_tag_filter_conf_check(dfx_conf_ctx_t *cf, dfx_conf_exporter_t *ec,
                              void *conf);

/* Parses an operator as DeepFlow does (case-insensitive, no trimming);
 * returns a dfx_filter_op_t or 0. */
int dfx_filter_op_parse(const char *s);

#endif /* DFX_TAG_FILTER_CONF_H */
