/*
 * dfx_enum_translate.c: enum codes -> display names
 * (enum-translate-to-name-disabled).
 *
 * Each emitted field that names an enum dictionary gets it resolved once,
 * here; encode then looks the record's code up (integer codes in the int
 * map, string codes such as observation_point in the string map) and
 * writes the name under the same key.  A code missing from the dictionary
 * becomes "" (DeepFlow's), which the empty-tag rule then drops; encode
 * counts those codes.
 *
 * Universal-tag fields with an enum (auto_instance_type*, auto_service_type*
 * of flow logs and events) keep their format, since universal-tag
 * translation wins over the enum; their xlat is still set, for when they
 * are emitted raw (universal-tag translation disabled, or no dictionary
 * loaded).  No per-record stage.
 */
#include "dfx_core.h"
#include "dfx_log.h"
#include "dfx_module.h"
#include "enum_translate/dfx_enum_dict.h"
#include "enum_translate/dfx_enum_translate_conf.h"

static int
dfx_enum_translate_init(dfx_chain_t *chain, const void *conf, void **data)
{
    const dfx_enum_translate_conf_t  *cf = conf;
    const dfx_enum_dict_t            *d;
    const dfx_field_t                *f;
    dfx_emit_t                       *e;
    size_t                            i;

    DFX_UNUSED(data);

    if (cf != NULL && cf->disabled.v) {
        return DFX_SKIP;
    }

    for (i = 0; i < chain->nemit; i++) {
        e = &chain->emit[i];
        f = &chain->schema->fields[e->field];
        if (f->enum_id == DFX_ENUM_NONE) {
            continue;
        }
        d = chain->enums != NULL
            ? dfx_enums_get(chain->enums, (dfx_enum_id_t) f->enum_id)
            : NULL;
        if (d == NULL) {
            dfx_log_error("exporter %u: %s: no enum dictionary \"%s\" "
                          "loaded for field %s", chain->exporter,
                          chain->schema->name,
                          f->enum_id < DFX_ENUM_COUNT
                          ? dfx_enum_names[f->enum_id] : "?", f->name);
            return DFX_ERROR;
        }
        e->xlat = d;
        if (f->utag == DFX_UTAG_NONE) {
            e->fmt = DFX_FMT_ENUM;
        }
    }
    return DFX_SKIP;
}

const dfx_module_t  dfx_enum_translate_module = {
    .name       = "enum_translate",
    .keys       = dfx_enum_translate_keys,
    .conf_size  = sizeof(dfx_enum_translate_conf_t),
    .conf_check = NULL,
    .init       = dfx_enum_translate_init,
    .process    = NULL,
    .fini       = NULL,
};
