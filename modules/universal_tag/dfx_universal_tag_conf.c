/*
 * dfx_universal_tag_conf.c: the key of the universal_tag module.
 */
#include <stddef.h>

#include "dfx_universal_tag_conf.h"

const dfx_conf_key_t  dfx_universal_tag_keys[] = {
    { .name = "universal-tag-translate-to-name-disabled",
      .type = DFX_CONF_BOOL,
      .offset = offsetof(dfx_universal_tag_conf_t, disabled),
      .def = "false",
      .doc = "export resource ids (region_id_0: 3) instead of names" },
    DFX_CONF_KEY_END
};
