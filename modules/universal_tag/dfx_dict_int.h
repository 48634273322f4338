/*
 * dfx_dict_int.h: what dfx_dict.c (the dictionary: tables, lookups,
 * publication) and dfx_dict_parse.c (reading a document into one) share.
 */
#ifndef DFX_DICT_INT_H
#define DFX_DICT_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dfx_pool.h"
#include "universal_tag/dfx_dict.h"

/* A larger document is refused before parsing. */
#define DFX_DICT_MAX_BYTES  (256u * 1024 * 1024)

/* The longest name (a JSON string literal) a slot holds itself. */
#define DFX_DICT_INLINE      48

/* dfx_dict_slot_t.off besides an offset in names (never 0: the array
 * starts with a byte of padding) */
#define DFX_DICT_EMPTY       0
#define DFX_DICT_IN_SLOT     UINT32_MAX

typedef struct dfx_dict_slot_s {
    uint32_t    lo;             /* the key's low 32 bits */
    uint32_t    hi;             /* its high 32 bits (a device's type) */
    uint32_t    len;            /* of the name */
    uint32_t    off;            /* DFX_DICT_EMPTY, DFX_DICT_IN_SLOT, or
                                 * where the name is in names */
    char        text[DFX_DICT_INLINE];
} dfx_dict_slot_t;

_Static_assert(sizeof(dfx_dict_slot_t) == 64, "a slot is one cache line");

typedef struct dfx_dict_tab_s {
    dfx_dict_slot_t  *slots;
    uint32_t          mask;
    uint32_t          n;
} dfx_dict_tab_t;

typedef struct dfx_dict_lslot_s {
    uint64_t                  key;
    const dfx_dict_labels_t  *labels;   /* NULL: empty slot */
} dfx_dict_lslot_t;

struct dfx_dict_s {
    atomic_long        refs;
    uint64_t           version;
    size_t             entries;
    dfx_pool_t        *pool;
    char              *names;
    size_t             names_len;
    size_t             names_cap;
    dfx_dict_tab_t     maps[DFX_DICT_NMAPS];
    dfx_dict_lslot_t  *lslots;
    uint32_t           lmask;
    uint32_t           npods;
};

static inline uint32_t
dfx_dict_hash(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (uint32_t) key;
}

/* The slot of key: the one that holds it, or the empty one where it
 * goes. */
static inline dfx_dict_slot_t *
dfx_dict_tab_slot(const dfx_dict_tab_t *t, uint64_t key)
{
    dfx_dict_slot_t  *sl;
    uint32_t          i;

    for (i = dfx_dict_hash(key) & t->mask; ; i = (i + 1) & t->mask) {
        sl = &t->slots[i];
        if (sl->off == DFX_DICT_EMPTY
            || (sl->lo == (uint32_t) key && sl->hi == (uint32_t) (key >> 32)))
        {
            return sl;
        }
    }
}

/* Makes room in t for one more key (0, or -1 on ENOMEM). */
int dfx_dict_tab_room(dfx_dict_tab_t *t);

/* The labels' slot of pod, room made for one more (NULL on ENOMEM). */
dfx_dict_lslot_t *dfx_dict_lslot(dfx_dict_t *d, uint64_t pod);

/* A dictionary from a JSON document, or NULL with err set. */
dfx_dict_t *dfx_dict_parse_doc(const char *json, size_t len, char *err,
                               size_t errlen);

/* Frees d (NULL accepted). */
void dfx_dict_free(dfx_dict_t *d);

#endif /* DFX_DICT_INT_H */
