/*
 * dfx_enum_translate_conf.h: enum-translate-to-name-disabled.
 */
#ifndef DFX_ENUM_TRANSLATE_CONF_H
#define DFX_ENUM_TRANSLATE_CONF_H

#include "dfx_conf.h"

typedef struct dfx_enum_translate_conf_s {
    dfx_conf_bool_t  disabled;
} dfx_enum_translate_conf_t;

extern const dfx_conf_key_t dfx_enum_translate_keys[];

#endif /* DFX_ENUM_TRANSLATE_CONF_H */
