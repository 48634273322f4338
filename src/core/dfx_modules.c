/*
 * dfx_modules.c: THE chain order.
 *
 * Every exporter's chain runs these modules in this order (stages an
 * exporter does not need are left out when its chain is built):
 *
 *   tag_filter       drop records by tag-filters-groups / tag-filters
 *   export_fields    choose the fields a message carries
 *   empty_rules      export-empty-tag, export-empty-metrics-disabled
 *   enum_translate   enum codes -> display names
 *   universal_tag    resource ids -> names, "_id" keys renamed
 *   encode           DeepFlow's JSON, the Kafka message value and key
 */
#include <stddef.h>

#include "dfx_module.h"

extern const dfx_module_t  dfx_tag_filter_module;
extern const dfx_module_t  dfx_export_fields_module;
extern const dfx_module_t  dfx_empty_rules_module;
extern const dfx_module_t  dfx_enum_translate_module;
extern const dfx_module_t  dfx_universal_tag_module;
extern const dfx_module_t  dfx_encode_module;

const dfx_module_t *const  dfx_modules[] = {
    &dfx_tag_filter_module,
    &dfx_export_fields_module,
    &dfx_empty_rules_module,
    &dfx_enum_translate_module,
    &dfx_universal_tag_module,
    &dfx_encode_module,
    NULL
};

int
dfx_module_index(const dfx_module_t *m)
{
    int  i;

    for (i = 0; dfx_modules[i] != NULL; i++) {
        if (dfx_modules[i] == m) {
            return i;
        }
    }
    return -1;
}
