/*
 * dfx_empty_rules_conf.h: export-empty-tag and
 * export-empty-metrics-disabled.
 */
#ifndef DFX_EMPTY_RULES_CONF_H
#define DFX_EMPTY_RULES_CONF_H

#include "dfx_conf.h"

typedef struct dfx_empty_rules_conf_s {
    dfx_conf_bool_t  export_empty_tag;
    dfx_conf_bool_t  export_empty_metrics_disabled;
} dfx_empty_rules_conf_t;

extern const dfx_conf_key_t dfx_empty_rules_keys[];

#endif /* DFX_EMPTY_RULES_CONF_H */
