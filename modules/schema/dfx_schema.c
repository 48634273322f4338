/*
 * dfx_schema.c: the table of data sources, the enum dictionary names, and
 * the name -> field index used by the parser, tag filters and
 * export-fields.
 *
 * The field tables themselves live in one file per DeepFlow item type
 * (dfx_schema_<type>.c).  Names and aliases are resolved through one
 * open-addressing hash per data source, built once at startup, so a
 * lookup costs a hash of the name and usually one compare.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_schema_tables.h"

const char *const dfx_enum_names[DFX_ENUM_COUNT] = {
    [DFX_ENUM_NONE]                     = "",
    [DFX_ENUM_L7_PROTOCOL]              = "l7_protocol",
    [DFX_ENUM_PROTOCOL]                 = "protocol",
    [DFX_ENUM_L7_IP_PROTOCOL]           = "l7_ip_protocol",
    [DFX_ENUM_L7_LOG_TYPE]              = "l7_log_type",
    [DFX_ENUM_RESPONSE_STATUS]          = "response_status",
    [DFX_ENUM_STATUS]                   = "status",
    [DFX_ENUM_CLOSE_TYPE]               = "close_type",
    [DFX_ENUM_SPAN_KIND]                = "span_kind",
    [DFX_ENUM_OBSERVATION_POINT]        = "observation_point",
    [DFX_ENUM_L7_SIGNAL_SOURCE]         = "l7_signal_source",
    [DFX_ENUM_L4_SIGNAL_SOURCE]         = "l4_signal_source",
    [DFX_ENUM_CAPTURE_NIC_TYPE]         = "capture_nic_type",
    [DFX_ENUM_NAT_SOURCE]               = "nat_source",
    [DFX_ENUM_TUNNEL_TYPE]              = "tunnel_type",
    [DFX_ENUM_ROLE]                     = "role",
    [DFX_ENUM_POD_GROUP_TYPE]           = "pod_group_type",
    [DFX_ENUM_AUTO_INSTANCE_TYPE]       = "auto_instance_type",
    [DFX_ENUM_AUTO_SERVICE_TYPE]        = "auto_service_type",
    [DFX_ENUM_FILE_EVENT_SIGNAL_SOURCE] = "file_event_signal_source",
    [DFX_ENUM_FILE_EVENT_TYPE]          = "file_event_type",
    [DFX_ENUM_FILE_TYPE]                = "file_type",
    [DFX_ENUM_PERF_EVENT_SIGNAL_SOURCE] = "perf_event_signal_source",
    [DFX_ENUM_PERF_EVENT_TYPE]          = "perf_event_type",
};

const dfx_schema_t *const dfx_schemas[DFX_DS_COUNT] = {
    [DFX_DS_L7_FLOW_LOG]        = &dfx_schema_l7_flow_log,
    [DFX_DS_L4_FLOW_LOG]        = &dfx_schema_l4_flow_log,
    [DFX_DS_NETWORK_1S]         = &dfx_schema_network_1s,
    [DFX_DS_NETWORK_1M]         = &dfx_schema_network_1m,
    [DFX_DS_NETWORK_MAP_1S]     = &dfx_schema_network_map_1s,
    [DFX_DS_NETWORK_MAP_1M]     = &dfx_schema_network_map_1m,
    [DFX_DS_APPLICATION_1S]     = &dfx_schema_application_1s,
    [DFX_DS_APPLICATION_1M]     = &dfx_schema_application_1m,
    [DFX_DS_APPLICATION_MAP_1S] = &dfx_schema_application_map_1s,
    [DFX_DS_APPLICATION_MAP_1M] = &dfx_schema_application_map_1m,
    [DFX_DS_FILE_EVENT]         = &dfx_schema_file_event,
    [DFX_DS_PERF_EVENT]         = &dfx_schema_perf_event,
};

/* Accepted by DeepFlow's config, never exported by it (SPEC 1.3). */
static const char *const dfx_schema_silent[] = {
    "event.file_agg_event",
    "event.file_mgmt_event",
    "event.proc_perm_event",
    "event.proc_ops_event",
};

typedef struct dfx_schema_slot_s {
    const char  *name;          /* NULL: empty slot */
    uint32_t     hash;
    uint16_t     len;
    uint16_t     field;
} dfx_schema_slot_t;

typedef struct dfx_schema_index_s {
    dfx_schema_slot_t  *slots;
    uint32_t            mask;
} dfx_schema_index_t;

static dfx_schema_index_t  dfx_schema_index[DFX_DS_COUNT];

static uint32_t
dfx_schema_hash(const char *s, size_t len)
{
    uint32_t  h = 2166136261u;
    size_t    i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char) s[i];
        h *= 16777619u;
    }
    return h;
}

const dfx_schema_t *
dfx_schema_find(const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < DFX_DS_COUNT; i++) {
        if (strlen(dfx_schemas[i]->name) == len
            && memcmp(dfx_schemas[i]->name, name, len) == 0)
        {
            return dfx_schemas[i];
        }
    }
    return NULL;
}

int
dfx_schema_is_silent(const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < dfx_nelems(dfx_schema_silent); i++) {
        if (strlen(dfx_schema_silent[i]) == len
            && memcmp(dfx_schema_silent[i], name, len) == 0)
        {
            return 1;
        }
    }
    return 0;
}

static int
dfx_schema_field_scan(const dfx_schema_t *s, const char *name, size_t len)
{
    const dfx_field_t  *f;
    unsigned            i, a;

    for (i = 0; i < s->nfields; i++) {
        f = &s->fields[i];
        if (strlen(f->name) == len && memcmp(f->name, name, len) == 0) {
            return (int) i;
        }
        for (a = 0; a < dfx_nelems(f->alias) && f->alias[a] != NULL; a++) {
            if (strlen(f->alias[a]) == len
                && memcmp(f->alias[a], name, len) == 0)
            {
                return (int) i;
            }
        }
    }
    return -1;
}

int
dfx_schema_field(const dfx_schema_t *s, const char *name, size_t len)
{
    const dfx_schema_index_t  *ix;
    const dfx_schema_slot_t   *slot;
    uint32_t                   h, i;

    /* a schema that is not one of the built-in ones (or a lookup before
     * dfx_schema_init) still gets a correct, slower answer */
    if (s->id >= DFX_DS_COUNT || dfx_schemas[s->id] != s
        || dfx_schema_index[s->id].slots == NULL)
    {
        return dfx_schema_field_scan(s, name, len);
    }

    ix = &dfx_schema_index[s->id];
    h = dfx_schema_hash(name, len);
    for (i = h & ix->mask; ; i = (i + 1) & ix->mask) {
        slot = &ix->slots[i];
        if (slot->name == NULL) {
            return -1;
        }
        if (slot->hash == h && slot->len == len
            && memcmp(slot->name, name, len) == 0)
        {
            return slot->field;
        }
    }
}

static void
dfx_schema_index_put(dfx_schema_index_t *ix, const char *name,
    uint16_t field)
{
    size_t     len = strlen(name);
    uint32_t   h = dfx_schema_hash(name, len);
    uint32_t   i;

    for (i = h & ix->mask; ix->slots[i].name != NULL;
         i = (i + 1) & ix->mask)
    {
        if (ix->slots[i].len == len
            && memcmp(ix->slots[i].name, name, len) == 0)
        {
            /* the first spelling wins; the unit test forbids clashes */
            return;
        }
    }
    ix->slots[i].name = name;
    ix->slots[i].hash = h;
    ix->slots[i].len = (uint16_t) len;
    ix->slots[i].field = field;
}

static int
dfx_schema_index_build(dfx_schema_index_t *ix, const dfx_schema_t *s)
{
    const dfx_field_t  *f;
    uint32_t            names, size;
    unsigned            i, a;

    names = s->nfields * (1 + dfx_nelems(s->fields[0].alias));

    /* at most a quarter full: probes stay short */
    for (size = 16; size < names * 4; size <<= 1) {
        /* void */
    }

    ix->slots = calloc(size, sizeof(dfx_schema_slot_t));
    if (ix->slots == NULL) {
        return -1;
    }
    ix->mask = size - 1;

    for (i = 0; i < s->nfields; i++) {
        f = &s->fields[i];
        dfx_schema_index_put(ix, f->name, (uint16_t) i);
        for (a = 0; a < dfx_nelems(f->alias) && f->alias[a] != NULL; a++) {
            dfx_schema_index_put(ix, f->alias[a], (uint16_t) i);
        }
    }
    return 0;
}

int
dfx_schema_init(void)
{
    size_t  i;

    for (i = 0; i < DFX_DS_COUNT; i++) {
        if (dfx_schema_index[i].slots != NULL) {
            continue;
        }
        if (dfx_schema_index_build(&dfx_schema_index[i], dfx_schemas[i]) != 0) {
            dfx_schema_cleanup();
            return -1;
        }
    }
    return 0;
}

void
dfx_schema_cleanup(void)
{
    size_t  i;

    for (i = 0; i < DFX_DS_COUNT; i++) {
        free(dfx_schema_index[i].slots);
        dfx_schema_index[i].slots = NULL;
        dfx_schema_index[i].mask = 0;
    }
}
