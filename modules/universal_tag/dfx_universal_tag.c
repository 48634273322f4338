/*
 * dfx_universal_tag.c: resource ids -> names (universal tags) and the
 * k8s labels of a record's pods.
 *
 * The module has no per-record stage.  At chain build it turns every
 * emitted field that carries a universal tag into a DFX_FMT_UTAG entry
 * under its translated key ("region_id_0" -> "region_0"), keeping the
 * original key and enum dictionary for requests served while no
 * dictionary is loaded.  The encoder then asks dfx_universal_tag_value()
 * for each such field and dfx_universal_tag_labels() for each side.
 *
 * Lookups follow DeepFlow's (SPEC 6.3) with dfexport's fixes: service_*
 * is a K8s Service (device type 11), events translate their own
 * gprocess_id, negative l3_epc ids never resolve, and Internet / IP
 * instances are named by the side's address, IPv6 included.
 */
#include <regex.h>
#include <string.h>

#include "dfx_core.h"
#include "dfx_module.h"
#include "encode/dfx_encode.h"
#include "universal_tag/dfx_dict.h"
#include "universal_tag/dfx_universal_tag.h"
#include "universal_tag/dfx_universal_tag_conf.h"

/* DeepFlow's deviceTypeStrings, as JSON string literals. */
static const dfx_str_t  dfx_utag_type_names[256] = {
    [0]   = dfx_string("\"internet_ip\""),
    [1]   = dfx_string("\"chost\""),
    [5]   = dfx_string("\"router\""),
    [6]   = dfx_string("\"host\""),
    [9]   = dfx_string("\"dhcpgw\""),
    [10]  = dfx_string("\"pod\""),
    [11]  = dfx_string("\"pod_service\""),
    [12]  = dfx_string("\"redis\""),
    [13]  = dfx_string("\"rds\""),
    [14]  = dfx_string("\"pod_node\""),
    [15]  = dfx_string("\"lb\""),
    [16]  = dfx_string("\"natgw\""),
    [101] = dfx_string("\"pod_group\""),
    [102] = dfx_string("\"service\""),
    [120] = dfx_string("\"gprocess\""),
    [255] = dfx_string("\"ip\""),
};

#define DFX_UTAG_TYPE_HOST         6
#define DFX_UTAG_TYPE_POD_SERVICE  11
#define DFX_UTAG_TYPE_INTERNET     0
#define DFX_UTAG_TYPE_IP           255

/* The map each id-valued tag is looked up in. */
static const int8_t  dfx_utag_map[DFX_UTAG_COUNT] = {
    [DFX_UTAG_NONE]               = -1,
    [DFX_UTAG_REGION]             = DFX_DICT_REGION,
    [DFX_UTAG_AZ]                 = DFX_DICT_AZ,
    [DFX_UTAG_HOST]               = DFX_DICT_DEVICE,
    [DFX_UTAG_L3_DEVICE_TYPE]     = -1,
    [DFX_UTAG_L3_DEVICE]          = DFX_DICT_DEVICE,
    [DFX_UTAG_POD_NODE]           = DFX_DICT_POD_NODE,
    [DFX_UTAG_POD_NS]             = DFX_DICT_POD_NS,
    [DFX_UTAG_POD_GROUP]          = DFX_DICT_POD_GROUP,
    [DFX_UTAG_POD]                = DFX_DICT_POD,
    [DFX_UTAG_POD_CLUSTER]        = DFX_DICT_POD_CLUSTER,
    [DFX_UTAG_L3_EPC]             = DFX_DICT_L3_EPC,
    [DFX_UTAG_SUBNET]             = DFX_DICT_SUBNET,
    [DFX_UTAG_SERVICE]            = DFX_DICT_DEVICE,
    [DFX_UTAG_GPROCESS]           = DFX_DICT_GPROCESS,
    [DFX_UTAG_AGENT]              = DFX_DICT_VTAP,
    [DFX_UTAG_AUTO_INSTANCE_TYPE] = -1,
    [DFX_UTAG_AUTO_INSTANCE]      = DFX_DICT_DEVICE,
    [DFX_UTAG_AUTO_SERVICE_TYPE]  = -1,
    [DFX_UTAG_AUTO_SERVICE]       = DFX_DICT_DEVICE,
};

static const dfx_str_t  dfx_utag_empty = dfx_null_string;

/* An id field's value: 1 with *id set, 0 for a negative value (which no
 * dictionary entry has).  An absent field is 0, its zero value. */
static int
dfx_utag_id(const dfx_record_t *rec, uint16_t field, uint64_t *id)
{
    const dfx_field_t  *f;

    *id = 0;
    if (field == DFX_NO_FIELD || field >= rec->schema->nfields
        || !dfx_record_has(rec, field))
    {
        return 1;
    }
    f = &rec->schema->fields[field];
    if (f->type == DFX_T_I32 || f->type == DFX_T_I64) {
        if (rec->v[field].i < 0) {
            return 0;
        }
        *id = (uint64_t) rec->v[field].i;
        return 1;
    }
    *id = rec->v[field].u;
    return 1;
}

static dfx_str_t
dfx_utag_type_name(uint64_t type)
{
    return type < 256 ? dfx_utag_type_names[type] : dfx_utag_empty;
}

/* The side's address as a JSON string, in the text form messages carry:
 * IPv6 when the record says it is not IPv4 and has the IPv6 field, else
 * the IPv4 field. */
static dfx_str_t
dfx_utag_ip(const dfx_record_t *rec, const dfx_schema_side_t *sd,
            dfx_buf_t *scratch)
{
    uint64_t  is_ipv4 = 1, v4 = 0;
    size_t    len;

    if (sd->is_ipv4 != DFX_NO_FIELD) {
        (void) dfx_utag_id(rec, sd->is_ipv4, &is_ipv4);
    }
    dfx_buf_reset(scratch);
    if (dfx_buf_reserve(scratch, DFX_IP6_STR_MAX + 2) != 0) {
        return dfx_utag_empty;
    }
    scratch->data[0] = '"';
    if (!is_ipv4 && sd->ip6 != DFX_NO_FIELD && dfx_record_has(rec, sd->ip6)) {
        len = dfx_encode_ip6(rec->v[sd->ip6].ip6, scratch->data + 1);
    } else if (sd->ip4 != DFX_NO_FIELD) {
        (void) dfx_utag_id(rec, sd->ip4, &v4);
        len = dfx_encode_ip4((uint32_t) v4, scratch->data + 1);
    } else {
        return dfx_utag_empty;
    }
    scratch->data[len + 1] = '"';
    scratch->len = len + 2;
    return dfx_str_make(scratch->data, scratch->len);
}

dfx_str_t
dfx_universal_tag_value(const dfx_rec_ctx_t *rc, const dfx_emit_t *e,
                        dfx_buf_t *scratch)
{
    const dfx_record_t       *rec = rc->rec;
    const dfx_schema_t       *s = rec->schema;
    const dfx_field_t        *f = &s->fields[e->field];
    const dfx_schema_side_t  *sd = &s->side[f->side < 2 ? f->side : 0];
    dfx_str_t                 name;
    uint64_t                  id, type = 0, key;
    uint16_t                  tf;

    if (rc->dict == NULL || f->utag == DFX_UTAG_NONE
        || f->utag >= DFX_UTAG_COUNT || !dfx_utag_id(rec, e->field, &id))
    {
        return dfx_utag_empty;
    }

    switch (f->utag) {
    case DFX_UTAG_L3_DEVICE_TYPE:
    case DFX_UTAG_AUTO_INSTANCE_TYPE:
    case DFX_UTAG_AUTO_SERVICE_TYPE:
        return dfx_utag_type_name(id);

    case DFX_UTAG_HOST:
        key = DFX_DICT_DEVICE_KEY(DFX_UTAG_TYPE_HOST, id);
        break;

    case DFX_UTAG_SERVICE:
        key = DFX_DICT_DEVICE_KEY(DFX_UTAG_TYPE_POD_SERVICE, id);
        break;

    case DFX_UTAG_L3_DEVICE:
        (void) dfx_utag_id(rec, sd->l3_device_type, &type);
        key = DFX_DICT_DEVICE_KEY(type, id);
        break;

    case DFX_UTAG_AUTO_INSTANCE:
    case DFX_UTAG_AUTO_SERVICE:
        tf = f->utag == DFX_UTAG_AUTO_INSTANCE ? sd->auto_instance_type
                                               : sd->auto_service_type;
        (void) dfx_utag_id(rec, tf, &type);
        if (type == DFX_UTAG_TYPE_INTERNET || type == DFX_UTAG_TYPE_IP) {
            return dfx_utag_ip(rec, sd, scratch);
        }
        key = DFX_DICT_DEVICE_KEY(type, id);
        break;

    default:
        key = id;
        break;
    }

    /* an unknown id is counted by the caller (rc->utag_unknown), which
     * sees the empty answer */
    if (id > UINT32_MAX
        || !dfx_dict_name(rc->dict, (dfx_dict_map_t) dfx_utag_map[f->utag],
                          key, &name))
    {
        return dfx_utag_empty;
    }
    /* a name that is "" is no name: the empty-tag rule applies */
    return name.len > 2 ? name : dfx_utag_empty;
}

static int
dfx_utag_label_selected(const dfx_labels_sel_t *sel, dfx_str_t raw)
{
    const regex_t  *re = sel->regexes;
    size_t          i;

    if (sel->all) {
        return 1;
    }
    for (i = 0; i < sel->nnames; i++) {
        if (dfx_str_eq(sel->names[i], raw)) {
            return 1;
        }
    }
    for (i = 0; i < sel->nregexes; i++) {
        if (regexec(&re[i], raw.data, 0, NULL, 0) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
dfx_utag_label_array(dfx_buf_t *out, const char *key, const dfx_str_t *v,
                     const uint64_t *bits, size_t n)
{
    size_t  i;
    int     first = 1;

    if (dfx_buf_append_lit(out, ",\"") != 0
        || dfx_buf_append(out, key, strlen(key)) != 0
        || dfx_buf_append_lit(out, "\":[") != 0)
    {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (!(bits[i / 64] & ((uint64_t) 1 << (i % 64)))) {
            continue;
        }
        if ((!first && dfx_buf_putc(out, ',') != 0)
            || dfx_buf_append_str(out, v[i]) != 0)
        {
            return -1;
        }
        first = 0;
    }
    return dfx_buf_putc(out, ']');
}

int
dfx_universal_tag_labels(const dfx_rec_ctx_t *rc, unsigned side,
                         dfx_buf_t *out)
{
    const dfx_labels_sel_t   *sel = &rc->chain->labels;
    const dfx_schema_t       *s = rc->rec->schema;
    const dfx_dict_labels_t  *l;
    uint64_t                  bits[DFX_DICT_MAX_LABELS / 64];
    uint64_t                  pod;
    size_t                    i, n = 0;

    if (rc->dict == NULL || side >= s->nsides
        || (!sel->all && sel->nnames == 0 && sel->nregexes == 0)
        || s->side[side].pod_id == DFX_NO_FIELD
        || !dfx_utag_id(rc->rec, s->side[side].pod_id, &pod)
        || pod > UINT32_MAX)
    {
        return 0;
    }
    l = dfx_dict_pod_labels(rc->dict, (uint32_t) pod);
    if (l == NULL) {
        return 0;
    }

    /* the dictionary never holds more than DFX_DICT_MAX_LABELS per pod */
    memset(bits, 0, sizeof(bits));
    for (i = 0; i < l->n && i < DFX_DICT_MAX_LABELS; i++) {
        if (dfx_utag_label_selected(sel, l->names_raw[i])) {
            bits[i / 64] |= (uint64_t) 1 << (i % 64);
            n++;
        }
    }
    if (n == 0) {
        return 0;
    }

    n = l->n < DFX_DICT_MAX_LABELS ? l->n : DFX_DICT_MAX_LABELS;
    if (dfx_utag_label_array(out, s->label_names_key[side], l->names, bits,
                             n) != 0
        || dfx_utag_label_array(out, s->label_values_key[side], l->values,
                                bits, n) != 0)
    {
        return -1;
    }
    return 0;
}

static int
dfx_universal_tag_init(dfx_chain_t *chain, const void *conf, void **data)
{
    const dfx_universal_tag_conf_t  *c = conf;
    const dfx_field_t               *f;
    dfx_emit_t                      *e;
    size_t                           i, len;
    char                            *key;

    DFX_UNUSED(data);

    if (c != NULL && c->disabled.v) {
        return DFX_SKIP;
    }

    for (i = 0; i < chain->nemit; i++) {
        e = &chain->emit[i];
        f = &chain->schema->fields[e->field];
        if (f->utag == DFX_UTAG_NONE || f->utag_key == NULL) {
            continue;
        }
        len = strlen(f->utag_key);
        key = dfx_pool_alloc(chain->pool, len + 3);
        if (key == NULL) {
            return DFX_ERROR;
        }
        key[0] = '"';
        memcpy(key + 1, f->utag_key, len);
        key[len + 1] = '"';
        key[len + 2] = ':';

        /* xlat stays: with no dictionary loaded the field goes out as if
         * this module were off, enum translation included */
        e->key_raw = e->key;
        e->key = dfx_str_make(key, len + 3);
        e->fmt = DFX_FMT_UTAG;
    }
    return DFX_SKIP;
}

const dfx_module_t  dfx_universal_tag_module = {
    .name       = "universal_tag",
    .keys       = dfx_universal_tag_keys,
    .conf_size  = sizeof(dfx_universal_tag_conf_t),
    .init       = dfx_universal_tag_init,
};
