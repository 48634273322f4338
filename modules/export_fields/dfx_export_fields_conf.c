/*
 * dfx_export_fields_conf.c: the export-fields key and its rules.
 *
 * DeepFlow ignores an entry it does not understand (a warning at most),
 * so a typo silently exports less.  Here every entry must mean something:
 * a category, a sub-category under its own category (DeepFlow ignores the
 * text before the dot; "$metrics.flow_info" is rejected here), a field of
 * one of the exporter's data sources, or a Kubernetes label selector whose
 * regular expression compiles.  Names are matched as DeepFlow matches
 * them, plus the schema's aliases (dfx_export_fields_find).
 */
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dfx_export_fields_conf.h"
#include "dfx_regex.h"
#include "dfx_schema.h"

const dfx_conf_key_t  dfx_export_fields_keys[] = {
    { .name = "export-fields", .type = DFX_CONF_STRS,
      .offset = offsetof(dfx_export_fields_conf_t, fields),
      .doc = "fields exported: $tag, $metrics, $tag.<sub>, names, "
             "$k8s.label..." },
    DFX_CONF_KEY_END
};

/* SPEC 3.1: the selectable sub-categories (custom_tag has no name). */
static const struct {
    const char  *name;
    const char  *full;
    int          metric;
} dfx_export_subs[] = {
    { "flow_info", "$tag.flow_info", 0 },
    { "universal_tag", "$tag.universal_tag", 0 },
    { "native_tag", "$tag.native_tag", 0 },
    { "network_layer", "$tag.network_layer", 0 },
    { "tunnel_info", "$tag.tunnel_info", 0 },
    { "transport_layer", "$tag.transport_layer", 0 },
    { "application_layer", "$tag.application_layer", 0 },
    { "service_info", "$tag.service_info", 0 },
    { "tracing_info", "$tag.tracing_info", 0 },
    { "capture_info", "$tag.capture_info", 0 },
    { "event_info", "$tag.event_info", 0 },
    { "data_link_layer", "$tag.data_link_layer", 0 },
    { "l3_throughput", "$metrics.l3_throughput", 1 },
    { "l4_throughput", "$metrics.l4_throughput", 1 },
    { "tcp_slow", "$metrics.tcp_slow", 1 },
    { "tcp_error", "$metrics.tcp_error", 1 },
    { "application", "$metrics.application", 1 },
    { "throughput", "$metrics.throughput", 1 },
    { "error", "$metrics.error", 1 },
    { "delay", "$metrics.delay", 1 },
};

#define DFX_EXPORT_NSUBS  (sizeof(dfx_export_subs) / sizeof(dfx_export_subs[0]))
#define DFX_K8S_LABEL     "$k8s.label"
#define DFX_RECOMMENDED   "recommended: [$tag, $metrics]"

static int
dfx_export_sub(const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < DFX_EXPORT_NSUBS; i++) {
        if (strlen(dfx_export_subs[i].name) == len
            && strncmp(dfx_export_subs[i].name, name, len) == 0)
        {
            return (int) i;
        }
    }
    return -1;
}

/* "$..." entries. */
static int
dfx_export_check_category(dfx_conf_ctx_t *cf, const dfx_conf_str_t *e,
                          const char *path)
{
    const char          *s = e->v, *dot, *sub, *best;
    dfx_conf_suggest_t   sg;
    size_t               catlen, i;
    int                  k, metric;

    if (strcmp(s, "$tag") == 0 || strcmp(s, "$metrics") == 0
        || strcmp(s, DFX_K8S_LABEL) == 0)
    {
        return 0;
    }
    if (strncmp(s, DFX_K8S_LABEL ".", sizeof(DFX_K8S_LABEL)) == 0) {
        if (s[sizeof(DFX_K8S_LABEL)] == '\0') {
            dfx_conf_error(cf, &e->m.loc, "%s: must name a label after "
                           "\"" DFX_K8S_LABEL ".\", got \"%s\"", path, s);
            return -1;
        }
        return 0;
    }

    dot = strchr(s, '.');
    if (dot == NULL) {
        /* DeepFlow's own default list has "$service_info" and the like */
        k = dfx_export_sub(s + 1, strlen(s + 1));
        if (k >= 0) {
            best = dfx_export_subs[k].full;
        } else {
            dfx_conf_suggest_init(&sg, s);
            dfx_conf_suggest_add(&sg, "$tag");
            dfx_conf_suggest_add(&sg, "$metrics");
            dfx_conf_suggest_add(&sg, DFX_K8S_LABEL);
            best = dfx_conf_suggest_result(&sg);
        }
        dfx_conf_error(cf, &e->m.loc, "%s: unknown category \"%s\"%s%s%s",
                       path, s, best ? "; did you mean \"" : "",
                       best ? best : "", best ? "\"?" : "");
        return -1;
    }

    catlen = (size_t) (dot - s);
    sub = dot + 1;
    if (catlen == 4 && strncmp(s, "$tag", 4) == 0) {
        metric = 0;
    } else if (catlen == 8 && strncmp(s, "$metrics", 8) == 0) {
        metric = 1;
    } else {
        k = dfx_export_sub(sub, strlen(sub));
        best = k >= 0 ? dfx_export_subs[k].full : NULL;
        dfx_conf_error(cf, &e->m.loc, "%s: unknown category \"%.*s\" (must "
                       "be $tag or $metrics)%s%s%s", path, (int) catlen, s,
                       best ? "; did you mean \"" : "", best ? best : "",
                       best ? "\"?" : "");
        return -1;
    }
    if (*sub == '\0') {
        dfx_conf_error(cf, &e->m.loc, "%s: must name a sub-category after "
                       "\"%.*s\", got \"%s\"", path, (int) catlen + 1, s, s);
        return -1;
    }
    if (strcmp(sub, "custom_tag") == 0) {
        dfx_conf_error(cf, &e->m.loc, "%s: custom_tag cannot be selected "
                       "(DeepFlow gives it no name), got \"%s\"", path, s);
        return -1;
    }
    k = dfx_export_sub(sub, strlen(sub));
    if (k >= 0 && dfx_export_subs[k].metric == metric) {
        return 0;
    }
    if (k >= 0) {
        dfx_conf_error(cf, &e->m.loc, "%s: \"%s\" is a %s sub-category, got "
                       "\"%s\"; did you mean \"%s\"?", path, sub,
                       metric ? "$tag" : "$metrics", s,
                       dfx_export_subs[k].full);
        return -1;
    }
    dfx_conf_suggest_init(&sg, s);
    for (i = 0; i < DFX_EXPORT_NSUBS; i++) {
        if (dfx_export_subs[i].metric == metric) {
            dfx_conf_suggest_add(&sg, dfx_export_subs[i].full);
        }
    }
    best = dfx_conf_suggest_result(&sg);
    dfx_conf_error(cf, &e->m.loc, "%s: unknown sub-category \"%s\" of "
                   "%.*s%s%s%s", path, sub, (int) catlen, s,
                   best ? "; did you mean \"" : "", best ? best : "",
                   best ? "\"?" : "");
    return -1;
}

/* "~$k8s.label.<regex>" */
static int
dfx_export_check_label_regex(dfx_conf_ctx_t *cf, const dfx_conf_str_t *e,
                             const char *path)
{
    static const char  prefix[] = "~" DFX_K8S_LABEL ".";
    regex_t            re;
    char               err[128];

    if (strncmp(e->v, prefix, sizeof(prefix) - 1) != 0
        || e->v[sizeof(prefix) - 1] == '\0')
    {
        dfx_conf_error(cf, &e->m.loc, "%s: must be ~" DFX_K8S_LABEL
                       ".<regex>, got \"%s\"", path, e->v);
        return -1;
    }
    if (dfx_regex_compile(&re, e->v + sizeof(prefix) - 1,
                          REG_EXTENDED | REG_NOSUB, err, sizeof(err)) != 0)
    {
        dfx_conf_error(cf, &e->m.loc, "%s: invalid regular expression (%s), "
                       "got \"%s\"", path, err, e->v);
        return -1;
    }
    regfree(&re);
    return 0;
}

/*
 * DeepFlow's flow_metrics documents share one struct, whose client-side
 * fields carry both a Name ("region_id", emitted by network and
 * application) and a MapName ("region_id_0", emitted by the map data
 * sources); IsExportField compares an export-fields name with both on
 * every data source.  The map names are read from the map data source of
 * the same family, whose "<x>_0" field answers to its DeepFlow Name "<x>".
 * Events and flow logs have no MapName: nothing more to find there.
 */
static const dfx_schema_t *
dfx_export_map_source(const dfx_schema_t *s)
{
    switch (s->id) {
    case DFX_DS_NETWORK_1S:
        return dfx_schemas[DFX_DS_NETWORK_MAP_1S];
    case DFX_DS_NETWORK_1M:
        return dfx_schemas[DFX_DS_NETWORK_MAP_1M];
    case DFX_DS_APPLICATION_1S:
        return dfx_schemas[DFX_DS_APPLICATION_MAP_1S];
    case DFX_DS_APPLICATION_1M:
        return dfx_schemas[DFX_DS_APPLICATION_MAP_1M];
    default:
        return NULL;
    }
}

int
dfx_export_fields_find(const dfx_schema_t *s, const char *name, size_t len)
{
    const dfx_schema_t  *m;
    const char          *mapname;
    int                  i;

    i = dfx_schema_field(s, name, len);
    if (i >= 0 || len <= 2 || memcmp(name + len - 2, "_0", 2) != 0) {
        return i;
    }
    m = dfx_export_map_source(s);
    if (m == NULL) {
        return -1;
    }
    /* "<x>_0" is a map name when the map source's field "<x>_0" is the
     * one its Name "<x>" finds (not "thread_id_0", not "_tid_0") */
    i = dfx_schema_field(m, name, len - 2);
    if (i < 0) {
        return -1;
    }
    mapname = m->fields[i].name;
    if (strlen(mapname) != len || memcmp(mapname, name, len) != 0) {
        return -1;
    }
    return dfx_schema_field(s, name, len - 2);
}

/* A field name: it must exist in at least one of the data sources. */
static int
dfx_export_check_field(dfx_conf_ctx_t *cf, const dfx_conf_exporter_t *ec,
                       const dfx_conf_str_t *e, const char *path)
{
    const dfx_conf_str_t  *d;
    const dfx_schema_t    *s;
    dfx_conf_suggest_t     sg;
    const char            *best;
    size_t                 i, f, a;
    int                    known = 0;

    dfx_conf_suggest_init(&sg, e->v);
    for (i = 0; i < ec->data_sources.n; i++) {
        d = &ec->data_sources.v[i];
        if (d->m.set != 1) {
            continue;
        }
        s = dfx_schema_find(d->v, strlen(d->v));
        if (s == NULL) {
            continue;
        }
        if (dfx_export_fields_find(s, e->v, strlen(e->v)) >= 0) {
            return 0;
        }
        known = 1;
        for (f = 0; f < s->nfields; f++) {
            dfx_conf_suggest_add(&sg, s->fields[f].name);
            for (a = 0; a < 2; a++) {
                if (s->fields[f].alias[a] != NULL) {
                    dfx_conf_suggest_add(&sg, s->fields[f].alias[a]);
                }
            }
        }
    }
    if (!known) {
        /* no data source to check against (reported elsewhere, or only
         * names that export nothing) */
        return 0;
    }
    best = dfx_conf_suggest_result(&sg);
    dfx_conf_error(cf, &e->m.loc, "%s: no data source of the exporter has a "
                   "field \"%s\"%s%s%s", path, e->v,
                   best ? "; did you mean \"" : "", best ? best : "",
                   best ? "\"?" : "");
    return -1;
}

int
dfx_export_fields_conf_check(dfx_conf_ctx_t *cf, dfx_conf_exporter_t *ec,
                             void *conf)
{
    dfx_export_fields_conf_t  *ef = conf;
    const dfx_conf_str_t      *e;
    char                       path[512];
    size_t                     i;
    int                        rc = 0, r;

    if (ef->fields.m.set == 0 && ec->enabled.v) {
        dfx_conf_error(cf, &ef->fields.m.loc, "%s.export-fields: required "
                       "(" DFX_RECOMMENDED ")", dfx_conf_path(cf));
        return -1;
    }
    if (ef->fields.m.set == 1 && ef->fields.n == 0 && ec->enabled.v) {
        dfx_conf_error(cf, &ef->fields.m.loc, "%s.export-fields: must not be "
                       "empty (" DFX_RECOMMENDED ")", dfx_conf_path(cf));
        return -1;
    }
    for (i = 0; i < ef->fields.n; i++) {
        e = &ef->fields.v[i];
        if (e->m.set != 1) {
            continue;
        }
        snprintf(path, sizeof(path), "%s.export-fields[%zu]",
                 dfx_conf_path(cf), i);
        if (e->v[0] == '\0') {
            dfx_conf_error(cf, &e->m.loc, "%s: must not be empty (a field "
                           "name or a category such as $tag)", path);
            r = -1;
        } else if (e->v[0] == '$') {
            r = dfx_export_check_category(cf, e, path);
        } else if (e->v[0] == '~') {
            r = dfx_export_check_label_regex(cf, e, path);
        } else {
            r = dfx_export_check_field(cf, ec, e, path);
        }
        if (r != 0) {
            rc = -1;
        }
    }
    return rc;
}
