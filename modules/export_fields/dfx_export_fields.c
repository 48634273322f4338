/*
 * dfx_export_fields.c: export-fields, which fields a message carries.
 *
 * At chain build time the entries are turned into the emit plan: the
 * selected fields in schema (emission) order, each once, with its key
 * pre-rendered as "\"name\":", plus the Kubernetes label selection.  The
 * selection rules are DeepFlow's (config.go, exporters.go):
 *
 *   $tag / $metrics           a category (the $tag mask leaves event_info
 *                             out)
 *   $X.<sub>                  the sub-category <sub>; the text before the
 *                             first dot is ignored, "$X." means "$X"
 *   name                      that field (Name, map name, or alias),
 *                             whatever its category, even a field with
 *                             none; "region_id_0" is also region_id on
 *                             network and application (MapName)
 *   $k8s.label                every label, and every field
 *   $k8s.label.<name>         that label only
 *   ~$k8s.label.<regex>       labels whose name matches (POSIX ERE,
 *                             unanchored search)
 *
 * A field is emitted when it is named, when its sub-category is
 * selected, or when it has none (or an unknown one) and its category is
 * selected.  Every sub-category selects its category, event_info
 * included: "$tag.event_info" alone brings the event_info fields (as
 * DeepFlow's docs say) and org_id, team_id (as every other $tag.<sub>
 * does), while "$tag" still leaves the event_info fields out.  DeepFlow's
 * code, whose $tag mask lacks event_info, selects nothing for
 * "$tag.event_info" alone.  Nothing is left for per-record work: the
 * module never keeps a stage.
 */
#include <regex.h>
#include <string.h>

#include "dfx_core.h"
#include "dfx_log.h"
#include "dfx_module.h"
#include "export_fields/dfx_export_fields_conf.h"

static const struct {
    const char  *name;
    uint32_t     bits;
} dfx_export_categories[] = {
    { "$tag",              DFX_CAT_TAG },
    { "$metrics",          DFX_CAT_METRICS },
    { "flow_info",         DFX_SUB_FLOW_INFO },
    { "universal_tag",     DFX_SUB_UNIVERSAL_TAG },
    { "native_tag",        DFX_SUB_NATIVE_TAG },
    { "network_layer",     DFX_SUB_NETWORK_LAYER },
    { "tunnel_info",       DFX_SUB_TUNNEL_INFO },
    { "transport_layer",   DFX_SUB_TRANSPORT_LAYER },
    { "application_layer", DFX_SUB_APPLICATION_LAYER },
    { "service_info",      DFX_SUB_SERVICE_INFO },
    { "tracing_info",      DFX_SUB_TRACING_INFO },
    { "capture_info",      DFX_SUB_CAPTURE_INFO },
    { "event_info",        DFX_SUB_EVENT_INFO },
    { "data_link_layer",   DFX_SUB_DATA_LINK_LAYER },
    { "l3_throughput",     DFX_SUB_L3_THROUGHPUT },
    { "l4_throughput",     DFX_SUB_L4_THROUGHPUT },
    { "tcp_slow",          DFX_SUB_TCP_SLOW },
    { "tcp_error",         DFX_SUB_TCP_ERROR },
    { "application",       DFX_SUB_APPLICATION },
    { "throughput",        DFX_SUB_THROUGHPUT },
    { "error",             DFX_SUB_ERROR },
    { "delay",             DFX_SUB_DELAY },
};

#define DFX_K8S_LABEL        "$k8s.label"
#define DFX_K8S_LABEL_NAME   "$k8s.label."
#define DFX_K8S_LABEL_REGEX  "~$k8s.label."

#define dfx_lit_len(lit)  (sizeof(lit) - 1)

static int
dfx_has_prefix(const char *s, size_t len, const char *p, size_t plen)
{
    return len >= plen && memcmp(s, p, plen) == 0;
}

/* The bits of a "$..." entry, 0 when it names no category (DeepFlow
 * warns and ignores it). */
static uint32_t
dfx_export_category(const char *s, size_t len)
{
    const char  *dot, *name, *end;
    size_t       i, n;

    name = s;
    n = len;
    dot = memchr(s, '.', len);
    if (dot != NULL) {
        end = memchr(dot + 1, '.', (size_t) (s + len - dot - 1));
        if (end == NULL) {
            end = s + len;
        }
        if (end > dot + 1) {
            name = dot + 1;
            n = (size_t) (end - name);
        } else {
            n = (size_t) (dot - s);
        }
    }

    for (i = 0; i < dfx_nelems(dfx_export_categories); i++) {
        if (strlen(dfx_export_categories[i].name) == n
            && memcmp(dfx_export_categories[i].name, name, n) == 0)
        {
            return dfx_export_categories[i].bits;
        }
    }
    return 0;
}

static int
dfx_export_fields_labels(dfx_chain_t *chain,
                         const dfx_export_fields_conf_t *cf)
{
    dfx_labels_sel_t  *ls = &chain->labels;
    regex_t           *re;
    const char        *s;
    char               err[128];
    size_t             i, len, nnames = 0, nre = 0;
    int                r;

    for (i = 0; i < cf->fields.n; i++) {
        s = cf->fields.v[i].v;
        len = s != NULL ? strlen(s) : 0;
        if (dfx_has_prefix(s, len, DFX_K8S_LABEL_NAME,
                           dfx_lit_len(DFX_K8S_LABEL_NAME)))
        {
            nnames++;
        } else if (dfx_has_prefix(s, len, DFX_K8S_LABEL_REGEX,
                                  dfx_lit_len(DFX_K8S_LABEL_REGEX)))
        {
            nre++;
        }
    }

    if (nnames != 0) {
        ls->names = dfx_pool_alloc(chain->pool, nnames * sizeof(dfx_str_t));
        if (ls->names == NULL) {
            return DFX_ERROR;
        }
    }
    if (nre != 0) {
        ls->regexes = dfx_pool_alloc(chain->pool, nre * sizeof(regex_t));
        if (ls->regexes == NULL) {
            return DFX_ERROR;
        }
    }
    re = ls->regexes;

    for (i = 0; i < cf->fields.n; i++) {
        s = cf->fields.v[i].v;
        len = s != NULL ? strlen(s) : 0;
        if (dfx_has_prefix(s, len, DFX_K8S_LABEL_NAME,
                           dfx_lit_len(DFX_K8S_LABEL_NAME)))
        {
            /* everything after the prefix, dots included */
            ls->names[ls->nnames++] =
                dfx_str_make(s + dfx_lit_len(DFX_K8S_LABEL_NAME),
                             len - dfx_lit_len(DFX_K8S_LABEL_NAME));
        } else if (dfx_has_prefix(s, len, DFX_K8S_LABEL_REGEX,
                                  dfx_lit_len(DFX_K8S_LABEL_REGEX)))
        {
            s += dfx_lit_len(DFX_K8S_LABEL_REGEX);
            r = regcomp(&re[ls->nregexes], s, REG_EXTENDED | REG_NOSUB);
            if (r != 0) {
                regerror(r, &re[ls->nregexes], err, sizeof(err));
                dfx_log_error("exporter %u: export-fields: bad regular "
                              "expression \"%s\": %s", chain->exporter, s,
                              err);
                return DFX_ERROR;
            }
            /* counted only once compiled: destroy frees what it counts */
            ls->nregexes++;
        }
    }
    return DFX_OK;
}

static int
dfx_export_fields_init(dfx_chain_t *chain, const void *conf, void **data)
{
    const dfx_export_fields_conf_t  *cf = conf;
    const dfx_schema_t              *schema = chain->schema;
    const dfx_field_t               *f;
    dfx_emit_t                      *e;
    const char                      *s;
    uint8_t                         *selected = NULL;
    uint32_t                         mask = 0, cats = 0;
    size_t                           i, len, n, keys;
    char                            *k;
    int                              all = 0, idx, rc = DFX_ERROR;

    DFX_UNUSED(data);

    selected = calloc(schema->nfields ? schema->nfields : 1, 1);
    if (selected == NULL) {
        goto cleanup;
    }

    for (i = 0; cf != NULL && i < cf->fields.n; i++) {
        s = cf->fields.v[i].v;
        if (s == NULL) {
            continue;
        }
        len = strlen(s);

        if (len == dfx_lit_len(DFX_K8S_LABEL)
            && memcmp(s, DFX_K8S_LABEL, len) == 0)
        {
            /* DeepFlow's side effect: the label bit selects every field */
            all = 1;
            chain->labels.all = 1;
            continue;
        }
        if (s[0] == '$') {
            /* categories; "$k8s.label.<name>" looks up "label": none */
            mask |= dfx_export_category(s, len);
            continue;
        }
        if (s[0] == '~') {
            continue;
        }
        idx = dfx_export_fields_find(schema, s, len);
        if (idx >= 0) {
            selected[idx] = 1;
        }
    }

    if (cf != NULL && dfx_export_fields_labels(chain, cf) != DFX_OK) {
        goto cleanup;
    }

    /* the categories the selected (sub-)categories belong to */
    if (mask & (DFX_CAT_TAG | DFX_SUB_EVENT_INFO)) {
        cats |= DFX_CAT_TAG;
    }
    if (mask & DFX_CAT_METRICS) {
        cats |= DFX_CAT_METRICS;
    }

    n = 0;
    keys = 0;
    for (i = 0; i < schema->nfields; i++) {
        f = &schema->fields[i];
        if (all || selected[i]
            || (f->sub != 0 ? (f->sub & mask) != 0 : (f->cat & cats) != 0))
        {
            selected[i] = 1;
            n++;
            keys += strlen(f->name) + 3;
        } else {
            selected[i] = 0;
        }
    }

    chain->emit = dfx_pool_calloc(chain->pool,
                                  (n ? n : 1) * sizeof(dfx_emit_t));
    k = dfx_pool_alloc(chain->pool, keys ? keys : 1);
    if (chain->emit == NULL || k == NULL) {
        goto cleanup;
    }

    e = chain->emit;
    for (i = 0; i < schema->nfields; i++) {
        if (!selected[i]) {
            continue;
        }
        len = strlen(schema->fields[i].name);
        e->field = (uint16_t) i;
        e->fmt = DFX_FMT_RAW;
        e->key = dfx_str_make(k, len + 3);
        e->key_raw = e->key;
        *k++ = '"';
        memcpy(k, schema->fields[i].name, len);
        k += len;
        *k++ = '"';
        *k++ = ':';
        e++;
    }
    chain->nemit = n;
    rc = DFX_SKIP;

cleanup:
    free(selected);
    return rc;
}

const dfx_module_t  dfx_export_fields_module = {
    .name       = "export_fields",
    .keys       = dfx_export_fields_keys,
    .conf_size  = sizeof(dfx_export_fields_conf_t),
    .conf_check = dfx_export_fields_conf_check,
    .init       = dfx_export_fields_init,
    .process    = NULL,
    .fini       = NULL,
};
