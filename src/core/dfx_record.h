/*
 * dfx_record.h: one parsed record, as slots of its data source's schema.
 *
 * The streaming parser writes each JSON member straight into the slot of
 * the schema field it names (no DOM).  Slots are shared read-only by every
 * exporter's chain; what a chain changes (selection, translation) lives in
 * the chain, not here.  Strings and arrays point into the request pool.
 */
#ifndef DFX_RECORD_H
#define DFX_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "dfx_str.h"
#include "dfx_schema.h"

typedef struct dfx_value_s {
    union {
        uint64_t    u;          /* U8..U64, BOOL (0/1), IP4, MAC */
        int64_t     i;          /* I32, I64 */
        dfx_str_t   s;          /* STR: unescaped UTF-8 bytes */
        uint8_t     ip6[16];    /* IP6, network order */
        struct {
            dfx_str_t  *v;
            size_t      n;
        } strs;                 /* STRS */
        struct {
            double     *v;
            size_t      n;
        } f64s;                 /* F64S */
    };
} dfx_value_t;

/* Slot state.  An absent field has its zero value (0, "", 0.0.0.0, [])
 * except nullable fields and IPv6, which are omitted. */
#define DFX_SLOT_ABSENT  0
#define DFX_SLOT_SET     1
#define DFX_SLOT_NULL    2

#define DFX_RECORD_UNKNOWN_MAX  32

typedef struct dfx_record_s {
    const dfx_schema_t  *schema;
    dfx_value_t         *v;         /* schema->nfields slots */
    uint8_t             *state;     /* DFX_SLOT_* per slot */
    uint32_t             index;     /* 0-based position in the request */
    uint32_t             line;      /* NDJSON line (1-based), 0 for JSON */
    uint32_t             unknown;   /* members that named no field */
    /* their names (pool), kept only when the parser was asked to
     * (dfx_record_parser_keep_unknown(): dry runs), at most
     * DFX_RECORD_UNKNOWN_MAX */
    dfx_str_t           *unknown_names;
    uint32_t             nunknown_names;
    uint32_t             column;    /* 1-based byte column of its '{' in
                                     * the line, or offset in the body */
    int64_t              ts_us;     /* message timestamp, microseconds */
} dfx_record_t;

/* Why a record was rejected: the first problem found. */
typedef struct dfx_record_err_s {
    char        field[64];      /* "" when not about one field */
    char        msg[160];
    uint32_t    column;         /* 1-based byte column in the line/body */
} dfx_record_err_t;

static inline int
dfx_record_has(const dfx_record_t *r, unsigned f)
{
    return r->state[f] == DFX_SLOT_SET;
}

#endif /* DFX_RECORD_H */
