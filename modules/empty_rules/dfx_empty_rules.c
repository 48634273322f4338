/*
 * dfx_empty_rules.c: export-empty-tag and export-empty-metrics-disabled.
 *
 * DeepFlow decides per field, after translation, whether an empty value
 * is left out of the message:
 *   - a tag ("$tag" category, whatever its sub-category) whose value is ""
 *     or an empty string array, unless export-empty-tag is true (the
 *     default is false: empty tags are dropped);
 *   - a metric whose value is 0, "" or an empty float array, when
 *     export-empty-metrics-disabled is true (default false: zeros stay).
 *     String arrays are never dropped by this rule.
 * Fields without a category follow neither rule.  The decision needs the
 * value, so this module only marks the emit entries; encode applies the
 * marks.  No per-record stage.
 */
#include "dfx_core.h"
#include "dfx_module.h"
#include "empty_rules/dfx_empty_rules_conf.h"

static int
dfx_empty_rules_init(dfx_chain_t *chain, const void *conf, void **data)
{
    const dfx_empty_rules_conf_t  *cf = conf;
    const dfx_field_t             *f;
    int                            drop_tags, drop_metrics;
    size_t                         i;

    DFX_UNUSED(data);

    /* an absent conf is every key at its default */
    drop_tags = cf == NULL || !cf->export_empty_tag.v;
    drop_metrics = cf != NULL && cf->export_empty_metrics_disabled.v;

    for (i = 0; i < chain->nemit; i++) {
        f = &chain->schema->fields[chain->emit[i].field];
        if (drop_tags && (f->cat & DFX_CAT_TAG) != 0) {
            chain->emit[i].flags |= DFX_EMIT_DROP_EMPTY;
        }
        if (drop_metrics && (f->cat & DFX_CAT_METRICS) != 0) {
            chain->emit[i].flags |= DFX_EMIT_DROP_ZERO;
        }
    }
    return DFX_SKIP;
}

const dfx_module_t  dfx_empty_rules_module = {
    .name       = "empty_rules",
    .keys       = dfx_empty_rules_keys,
    .conf_size  = sizeof(dfx_empty_rules_conf_t),
    .conf_check = NULL,
    .init       = dfx_empty_rules_init,
    .process    = NULL,
    .fini       = NULL,
};
