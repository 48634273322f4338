/*
 * dfx_export_fields_conf.h: export-fields, the column selection.
 *
 * Entries: $tag, $metrics, $tag.<sub>, $metrics.<sub>, a field name (Name
 * or map name), $k8s.label, $k8s.label.<name>, ~$k8s.label.<regex>.
 * Required (DeepFlow's docs say so; its code's default selects only
 * $metrics): recommended [$tag, $metrics].
 */
#ifndef DFX_EXPORT_FIELDS_CONF_H
#define DFX_EXPORT_FIELDS_CONF_H

#include "dfx_conf.h"

typedef struct dfx_export_fields_conf_s {
    dfx_conf_strs_t  fields;
} dfx_export_fields_conf_t;

extern const dfx_conf_key_t dfx_export_fields_keys[];
int dfx_export_fields_conf_check(dfx_conf_ctx_t *cf, dfx_conf_exporter_t *ec,
                                 void *conf);

#endif /* DFX_EXPORT_FIELDS_CONF_H */
