/*
 * dfx_universal_tag_conf.h: universal-tag-translate-to-name-disabled.
 */
#ifndef DFX_UNIVERSAL_TAG_CONF_H
#define DFX_UNIVERSAL_TAG_CONF_H

#include "dfx_conf.h"

typedef struct dfx_universal_tag_conf_s {
    dfx_conf_bool_t  disabled;
} dfx_universal_tag_conf_t;

extern const dfx_conf_key_t dfx_universal_tag_keys[];

#endif /* DFX_UNIVERSAL_TAG_CONF_H */
