/*
 * dfx_enum_translate_conf.c: the key of the enum_translate module.
 */
#include <stddef.h>

#include "dfx_enum_translate_conf.h"

const dfx_conf_key_t  dfx_enum_translate_keys[] = {
    { .name = "enum-translate-to-name-disabled", .type = DFX_CONF_BOOL,
      .offset = offsetof(dfx_enum_translate_conf_t, disabled),
      .def = "false",
      .doc = "export enum codes as numbers instead of their names" },
    DFX_CONF_KEY_END
};
