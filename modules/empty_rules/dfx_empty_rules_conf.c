/*
 * dfx_empty_rules_conf.c: the keys of the empty_rules module.
 *
 * DeepFlow drops empty tags ("" and []) and keeps zero metrics unless
 * told otherwise; both keys are plain booleans with no rule between them.
 */
#include <stddef.h>

#include "dfx_empty_rules_conf.h"

const dfx_conf_key_t  dfx_empty_rules_keys[] = {
    { .name = "export-empty-tag", .type = DFX_CONF_BOOL,
      .offset = offsetof(dfx_empty_rules_conf_t, export_empty_tag),
      .def = "false",
      .doc = "also export tags whose value is \"\" or []" },
    { .name = "export-empty-metrics-disabled", .type = DFX_CONF_BOOL,
      .offset = offsetof(dfx_empty_rules_conf_t,
                         export_empty_metrics_disabled),
      .def = "false",
      .doc = "leave out metrics whose value is 0" },
    DFX_CONF_KEY_END
};
