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
#include "dfx_schema.h"

typedef struct dfx_export_fields_conf_s {
    dfx_conf_strs_t  fields;
} dfx_export_fields_conf_t;

extern const dfx_conf_key_t dfx_export_fields_keys[];

/* The field an export-fields name selects on data source s: a field name
 * or alias (dfx_schema_field), or on network and application the map
 * name of a client-side field ("region_id_0" selects "region_id"), as
 * DeepFlow compares every name with both Name and MapName.  Returns the
 * field index or -1.  Configuration time only. */
int dfx_export_fields_find(const dfx_schema_t *s, const char *name,
                           size_t len);

int dfx_export_fields_conf_check(dfx_conf_ctx_t *cf, dfx_conf_exporter_t *ec,
                                 void *conf);

#endif /* DFX_EXPORT_FIELDS_CONF_H */
