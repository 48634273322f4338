/*
 * dfx_tag_filter_conf.c: the tag-filter keys of an exporter and their
 * rules.
 *
 * DeepFlow silently turns a bad filter into "match everything" (an empty
 * or unknown operator, a regular expression that does not compile, a
 * field no data source has).  Here each of those is a load error with its
 * line, so that a filter always means what it says.  Operators must be
 * quoted in YAML: `operator: !=` is a YAML tag and `operator: ~` is null.
 */
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dfx_regex.h"
#include "dfx_schema.h"
#include "dfx_tag_filter_conf.h"

static const char *const  dfx_tag_filter_cond_choices[] = {
    [DFX_COND_AND] = "and",
    [DFX_COND_OR] = "or",
    NULL
};

static const dfx_conf_key_t  dfx_tag_filter_cond_keys[] = {
    { .name = "type", .type = DFX_CONF_ENUM,
      .offset = offsetof(dfx_conf_condition_t, type),
      .def = "and", .choices = dfx_tag_filter_cond_choices,
      .doc = "and: every filter must match; or: at least one" },
    DFX_CONF_KEY_END
};

static const dfx_conf_key_t  dfx_tag_filter_filter_keys[] = {
    { .name = "field-name", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_filter_t, field_name),
      .doc = "the field tested, by name or alias" },
    { .name = "operator", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_filter_t, op),
      .doc = "quoted: \"=\" \"!=\" \"in\" \"not in\" \":\" \"!:\" \"~\" "
             "\"!~\"" },
    { .name = "field-values", .type = DFX_CONF_STRS,
      .offset = offsetof(dfx_conf_filter_t, field_values),
      .doc = "values, wildcards (: !:) or regular expressions (~ !~)" },
    DFX_CONF_KEY_END
};

static const dfx_conf_key_t  dfx_tag_filter_group_keys[] = {
    { .name = "tag-filter-condition", .type = DFX_CONF_TABLE,
      .offset = offsetof(dfx_conf_filter_group_t, condition),
      .table = dfx_tag_filter_cond_keys,
      .doc = "how the group's filters combine: {type: and|or}" },
    { .name = "tag-filters", .type = DFX_CONF_TABLE_LIST,
      .offset = offsetof(dfx_conf_filter_group_t, filters),
      .table = dfx_tag_filter_filter_keys,
      .elem_size = sizeof(dfx_conf_filter_t),
      .doc = "the group's filters" },
    DFX_CONF_KEY_END
};

const dfx_conf_key_t  dfx_tag_filter_keys[] = {
    { .name = "tag-filters", .type = DFX_CONF_TABLE_LIST,
      .offset = offsetof(dfx_tag_filter_conf_t, filters),
      .table = dfx_tag_filter_filter_keys,
      .elem_size = sizeof(dfx_conf_filter_t),
      .doc = "deprecated: when one applies, it alone decides" },
    { .name = "tag-filter-condition", .type = DFX_CONF_TABLE,
      .offset = offsetof(dfx_tag_filter_conf_t, condition),
      .table = dfx_tag_filter_cond_keys,
      .doc = "how the deprecated tag-filters combine: {type: and|or}" },
    { .name = "tag-filters-groups", .type = DFX_CONF_TABLE_LIST,
      .offset = offsetof(dfx_tag_filter_conf_t, groups),
      .table = dfx_tag_filter_group_keys,
      .elem_size = sizeof(dfx_conf_filter_group_t),
      .doc = "groups are OR-ed; a record passes if any group matches" },
    DFX_CONF_KEY_END
};

static const struct {
    const char  *name;
    int          op;
} dfx_filter_ops[] = {
    { "=", DFX_FILTER_EQ },
    { "!=", DFX_FILTER_NEQ },
    { "in", DFX_FILTER_IN },
    { "not in", DFX_FILTER_NOT_IN },
    { ":", DFX_FILTER_WILDCARD_EQ },
    { "!:", DFX_FILTER_WILDCARD_NEQ },
    { "~", DFX_FILTER_REGEXP_EQ },
    { "!~", DFX_FILTER_REGEXP_NEQ },
};

#define DFX_FILTER_OPS_TEXT \
    "\"=\", \"!=\", \"in\", \"not in\", \":\", \"!:\", \"~\", \"!~\""

int
dfx_filter_op_parse(const char *s)
{
    size_t  i;

    for (i = 0; i < sizeof(dfx_filter_ops) / sizeof(dfx_filter_ops[0]); i++) {
        if (strcasecmp(s, dfx_filter_ops[i].name) == 0) {
            return dfx_filter_ops[i].op;
        }
    }
    return 0;
}

/* 1 when some data source of the exporter has the field; -1 when the
 * exporter has no data source with a schema (nothing to check against). */
static int
dfx_tag_filter_field_known(const dfx_conf_exporter_t *ec, const char *name,
                           dfx_conf_suggest_t *sg)
{
    const dfx_conf_str_t  *d;
    const dfx_schema_t    *s;
    size_t                 i, f, a;
    int                    known = -1;

    for (i = 0; i < ec->data_sources.n; i++) {
        d = &ec->data_sources.v[i];
        if (d->m.set != 1) {
            continue;
        }
        s = dfx_schema_find(d->v, strlen(d->v));
        if (s == NULL) {
            continue;
        }
        if (dfx_schema_field(s, name, strlen(name)) >= 0) {
            return 1;
        }
        known = 0;
        for (f = 0; f < s->nfields; f++) {
            dfx_conf_suggest_add(sg, s->fields[f].name);
            for (a = 0; a < 2; a++) {
                if (s->fields[f].alias[a] != NULL) {
                    dfx_conf_suggest_add(sg, s->fields[f].alias[a]);
                }
            }
        }
    }
    return known;
}

/* ":" and "!:" patterns: each "*" becomes ".*", nothing else changes
 * (DeepFlow's rule: the other regex characters keep their meaning). */
static char *
dfx_tag_filter_wildcard(const char *v)
{
    size_t  n = 0, i, o = 0;
    char   *re;

    for (i = 0; v[i] != '\0'; i++) {
        n += v[i] == '*' ? 2 : 1;
    }
    re = malloc(n + 1);
    if (re == NULL) {
        return NULL;
    }
    for (i = 0; v[i] != '\0'; i++) {
        if (v[i] == '*') {
            re[o++] = '.';
        }
        re[o++] = v[i];
    }
    re[o] = '\0';
    return re;
}

static int
dfx_tag_filter_check_values(dfx_conf_ctx_t *cf, const dfx_conf_filter_t *f,
                            const char *path)
{
    const dfx_conf_str_t  *v;
    regex_t                re;
    char                  *pat, err[128];
    size_t                 i;
    int                    wildcard, ret = 0;

    wildcard = f->opcode == DFX_FILTER_WILDCARD_EQ
               || f->opcode == DFX_FILTER_WILDCARD_NEQ;
    if (!wildcard && f->opcode != DFX_FILTER_REGEXP_EQ
        && f->opcode != DFX_FILTER_REGEXP_NEQ)
    {
        return 0;
    }
    for (i = 0; i < f->field_values.n; i++) {
        v = &f->field_values.v[i];
        if (v->m.set != 1) {
            continue;
        }
        pat = wildcard ? dfx_tag_filter_wildcard(v->v) : v->v;
        if (pat == NULL) {
            dfx_conf_error(cf, NULL, "out of memory");
            return -1;
        }
        if (dfx_regex_compile(&re, pat, REG_EXTENDED | REG_NOSUB, err,
                              sizeof(err)) == 0)
        {
            regfree(&re);
        } else {
            dfx_conf_error(cf, &v->m.loc, "%s.field-values[%zu]: invalid "
                           "%s (%s), got \"%s\"", path, i,
                           wildcard ? "wildcard pattern"
                                    : "regular expression", err, v->v);
            ret = -1;
        }
        if (wildcard) {
            free(pat);
        }
    }
    return ret;
}

static int
dfx_tag_filter_check_filter(dfx_conf_ctx_t *cf, const dfx_conf_exporter_t *ec,
                            dfx_conf_filter_t *f, const char *path)
{
    dfx_conf_suggest_t   sg;
    const char          *name = f->field_name.v, *best;
    int                  rc = 0;

    if (f->field_name.m.set == 0 || (f->field_name.m.set == 1
                                     && name[0] == '\0'))
    {
        dfx_conf_error(cf, &f->field_name.m.loc, "%s.field-name: required",
                       path);
        rc = -1;
    } else if (f->field_name.m.set == 1) {
        dfx_conf_suggest_init(&sg, name);
        if (dfx_tag_filter_field_known(ec, name, &sg) == 0) {
            best = dfx_conf_suggest_result(&sg);
            dfx_conf_error(cf, &f->field_name.m.loc, "%s.field-name: no data "
                           "source of the exporter has a field \"%s\"%s%s%s",
                           path, name, best ? "; did you mean \"" : "",
                           best ? best : "", best ? "\"?" : "");
            rc = -1;
        }
    }

    if (f->op.m.set == 0) {
        dfx_conf_error(cf, &f->op.m.loc, "%s.operator: required; one of "
                       DFX_FILTER_OPS_TEXT ", quoted (an unquoted ~ is YAML "
                       "null)", path);
        rc = -1;
    } else if (f->op.m.set == 1) {
        f->opcode = dfx_filter_op_parse(f->op.v);
        if (f->opcode == 0) {
            dfx_conf_error(cf, &f->op.m.loc, "%s.operator: must be one of "
                           DFX_FILTER_OPS_TEXT ", got \"%s\"", path, f->op.v);
            rc = -1;
        }
    }

    if (f->field_values.m.set == 0) {
        dfx_conf_error(cf, &f->field_values.m.loc, "%s.field-values: required",
                       path);
        rc = -1;
    } else if (f->field_values.m.set == 1 && f->field_values.n == 0) {
        dfx_conf_error(cf, &f->field_values.m.loc, "%s.field-values: must "
                       "not be empty", path);
        rc = -1;
    } else if (dfx_tag_filter_check_values(cf, f, path) != 0) {
        rc = -1;
    }
    return rc;
}

static int
dfx_tag_filter_check_list(dfx_conf_ctx_t *cf, const dfx_conf_exporter_t *ec,
                          dfx_conf_list_t *l, const char *prefix)
{
    dfx_conf_filter_t  *filters = l->v;
    char                path[640];
    size_t              i;
    int                 rc = 0;

    for (i = 0; i < l->n; i++) {
        snprintf(path, sizeof(path), "%s[%zu]", prefix, i);
        if (dfx_tag_filter_check_filter(cf, ec, &filters[i], path) != 0) {
            rc = -1;
        }
    }
    return rc;
}

int
dfx_tag_filter_conf_check(dfx_conf_ctx_t *cf, dfx_conf_exporter_t *ec,
                          void *conf)
{
    dfx_tag_filter_conf_t    *tf = conf;
    dfx_conf_filter_group_t  *groups = tf->groups.v;
    char                      prefix[512];
    size_t                    i;
    int                       rc = 0;

    if (tf->filters.n > 0) {
        dfx_conf_notice(cf, &tf->filters.m.loc, "%s.tag-filters: deprecated; "
                        "when one of its filters applies to a data source, "
                        "tag-filters decides alone and tag-filters-groups "
                        "are ignored", dfx_conf_path(cf));
        snprintf(prefix, sizeof(prefix), "%s.tag-filters", dfx_conf_path(cf));
        rc = dfx_tag_filter_check_list(cf, ec, &tf->filters, prefix);
    }
    for (i = 0; i < tf->groups.n; i++) {
        snprintf(prefix, sizeof(prefix), "%s.tag-filters-groups[%zu]",
                 dfx_conf_path(cf), i);
        if (groups[i].filters.n == 0 && groups[i].filters.m.set != DFX_CONF_BAD)
        {
            dfx_conf_notice(cf, &groups[i].loc, "%s: no tag-filters; the "
                            "group is ignored", prefix);
            continue;
        }
        snprintf(prefix + strlen(prefix), sizeof(prefix) - strlen(prefix),
                 ".tag-filters");
        if (dfx_tag_filter_check_list(cf, ec, &groups[i].filters, prefix)
            != 0)
        {
            rc = -1;
        }
    }
    return rc;
}
