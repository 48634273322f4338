/*
 * dfx_enum_dict.h: the enum dictionaries (code -> display name) that enum
 * translation uses, loaded from files in DeepFlow's format.
 *
 * One file per dictionary, named as in dfx_enum_names[] (conf/enum/<name>;
 * DeepFlow's <name>.en is accepted too), so a DeepFlow upgrade is followed
 * by copying its files.  Format: lines that are empty or start with '#'
 * are skipped; a line is split on ','; field 0 trimmed is the key, field 1
 * trimmed the display name, the rest (a description, commas allowed) is
 * ignored.  Integer keys go into an int map, every key into a string map;
 * a repeated key takes the later name.  Unlike DeepFlow, a line without a
 * ',' or with an empty key, and a name that is not UTF-8, fail the load.
 *
 * Loaded once per configuration and read-only afterwards: lookups are
 * thread-safe and allocate nothing.
 */
#ifndef DFX_ENUM_DICT_H
#define DFX_ENUM_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "dfx_schema.h"
#include "dfx_str.h"

typedef struct dfx_enums_s      dfx_enums_t;
typedef struct dfx_enum_dict_s  dfx_enum_dict_t;

/* Loads every dictionary of dfx_enum_names[] from dir.  Returns NULL with
 * err filled ("enum dictionary close_type: DIR/close_type:3: ...") when a
 * file is missing, unreadable or invalid. */
dfx_enums_t *dfx_enums_load(const char *dir, char *err, size_t errlen);

/* Frees everything load returned.  Accepts NULL. */
void dfx_enums_free(dfx_enums_t *enums);

/* One dictionary (NULL for DFX_ENUM_NONE or an id out of range), for
 * callers that resolve it once per config (an emit plan's xlat). */
const dfx_enum_dict_t *dfx_enums_get(const dfx_enums_t *enums,
                                     dfx_enum_id_t id);

/* Lookups in one dictionary.  The name is the display name as in the file;
 * the json form is the same name as an escaped JSON string literal with
 * its quotes, ready to copy into a message.  NULL when the code or key is
 * not in the dictionary.  Slices live as long as the dictionaries. */
const dfx_str_t *dfx_enum_dict_name_int(const dfx_enum_dict_t *d,
                                        int64_t code);
const dfx_str_t *dfx_enum_dict_name_str(const dfx_enum_dict_t *d,
                                        const char *key, size_t len);
const dfx_str_t *dfx_enum_dict_json_int(const dfx_enum_dict_t *d,
                                        int64_t code);
const dfx_str_t *dfx_enum_dict_json_str(const dfx_enum_dict_t *d,
                                        const char *key, size_t len);

/* The integer code whose display name is name (ASCII case ignored; the
 * last line wins, as in lookups): 0 with *code, or -1.  A scan, for
 * configuration checks. */
int dfx_enum_dict_code_of(const dfx_enum_dict_t *d, const char *name,
                          int64_t *code);

/* Number of keys (lines that defined a distinct key). */
size_t dfx_enum_dict_size(const dfx_enum_dict_t *d);

/* The same lookups by dictionary id. */
const dfx_str_t *dfx_enum_name_int(const dfx_enums_t *enums,
                                   dfx_enum_id_t id, int64_t code);
const dfx_str_t *dfx_enum_name_str(const dfx_enums_t *enums,
                                   dfx_enum_id_t id,
                                   const char *key, size_t len);
const dfx_str_t *dfx_enum_json_int(const dfx_enums_t *enums,
                                   dfx_enum_id_t id, int64_t code);
const dfx_str_t *dfx_enum_json_str(const dfx_enums_t *enums,
                                   dfx_enum_id_t id,
                                   const char *key, size_t len);

#endif /* DFX_ENUM_DICT_H */
