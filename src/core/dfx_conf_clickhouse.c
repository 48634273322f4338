/*
 * dfx_conf_clickhouse.c: the dfexport.clickhouse block, the ClickHouse
 * source (src/clickhouse, doc/clickhouse.md).
 *
 * Its key table and the rules between its keys: a URL dfexport can use,
 * a password from ${ENV} or a file (never both, never an unset variable),
 * org ids and data sources that exist, a start time that parses, and a
 * checkpoint directory whenever the source is on.  Everything is resolved
 * here, at load, so that a follower never meets a bad value at run time.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfx_conf_int.h"
#include "dfx_schema.h"

const dfx_conf_key_t  dfx_conf_clickhouse_keys[] = {
    { .name = "url", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_clickhouse_t, url),
      .def = "",
      .doc = "ClickHouse HTTP interface, http(s)://HOST:PORT; \"\" = off" },
    { .name = "user", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_clickhouse_t, user),
      .def = "default",
      .doc = "ClickHouse user (read-only is enough)" },
    { .name = "password", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_clickhouse_t, password),
      .def = "", .flags = DFX_CONF_KEY_SECRET,
      .doc = "its password, or ${ENV_VAR} to read it from the environment" },
    { .name = "password-file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_clickhouse_t, password_file),
      .def = "",
      .doc = "file whose first line is the password (instead of password)" },
    { .name = "tls-ca-file", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_clickhouse_t, tls_ca_file),
      .def = "",
      .doc = "CA bundle for an https url; \"\" = the system's" },
    { .name = "orgs", .type = DFX_CONF_STR_OR_STRS,
      .offset = offsetof(dfx_conf_clickhouse_t, orgs),
      .def = "1",
      .doc = "DeepFlow org ids to read (1 = the default org's databases)" },
    { .name = "data-sources", .type = DFX_CONF_STR_OR_STRS,
      .offset = offsetof(dfx_conf_clickhouse_t, data_sources),
      .doc = "data sources to read; [] = every one an enabled exporter takes" },
    { .name = "settle", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_clickhouse_t, settle),
      .def = "60", .min = 0, .max = 86400,
      .doc = "seconds a window waits behind now for late rows" },
    { .name = "window", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_clickhouse_t, window),
      .def = "60", .min = 1, .max = 86400,
      .doc = "seconds of data per query, and per checkpoint step" },
    { .name = "checkpoint-dir", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_clickhouse_t, checkpoint_dir),
      .def = "",
      .doc = "directory of the checkpoints (required when url is set)" },
    { .name = "start", .type = DFX_CONF_STR,
      .offset = offsetof(dfx_conf_clickhouse_t, start),
      .def = "now",
      .doc = "where a follower without checkpoint begins: now | unix "
             "seconds | \"YYYY-MM-DD hh:mm:ss\" UTC" },
    { .name = "timeout", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_clickhouse_t, timeout),
      .def = "30", .min = 1, .max = 3600,
      .doc = "seconds to connect, and that an answer may stall" },
    { .name = "retry-max", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_clickhouse_t, retry_max),
      .def = "60", .min = 1, .max = 3600,
      .doc = "longest pause between two tries of a failed window, seconds" },
    { .name = "dictionary-refresh", .type = DFX_CONF_INT,
      .offset = offsetof(dfx_conf_clickhouse_t, dictionary_refresh),
      .def = "0", .min = 0, .max = 86400,
      .doc = "seconds between two loads of the universal-tag dictionary "
             "from DeepFlow's flow_tag; 0 = off" },
    DFX_CONF_KEY_END
};

/* "now", unix seconds, "YYYY-MM-DD hh:mm:ss" or "YYYY-MM-DDThh:mm:ssZ"
 * (UTC).  Returns the time, -1 for now, or -2 when it does not parse. */
int64_t
dfx_conf_parse_time(const char *s)
{
    struct tm  tm, chk, back;
    char      *end;
    long long  v;
    time_t     t;
    int        n, i;
    char       sep, z;

    if (strcmp(s, "now") == 0) {
        return -1;
    }
    if (s[0] >= '0' && s[0] <= '9' && strchr(s, '-') == NULL) {
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0' || v < 0 || v > 4294967295LL) {
            return -2;
        }
        return v;
    }
    /* exactly YYYY-MM-DD hh:mm:ss (or T...Z): ClickHouse's text form,
     * or ISO 8601 in UTC */
    n = (int) strlen(s);
    if (n == 20 && s[10] == 'T' && s[19] == 'Z') {
        sep = 'T';
    } else if (n == 19 && s[10] == ' ') {
        sep = ' ';
    } else {
        return -2;
    }
    for (i = 0; i < 19; i++) {
        z = s[i];
        if (i == 4 || i == 7 ? z != '-' : i == 13 || i == 16 ? z != ':'
            : i == 10 ? z != sep : (z < '0' || z > '9'))
        {
            return -2;
        }
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = atoi(s) - 1900;
    tm.tm_mon = atoi(s + 5) - 1;
    tm.tm_mday = atoi(s + 8);
    tm.tm_hour = atoi(s + 11);
    tm.tm_min = atoi(s + 14);
    tm.tm_sec = atoi(s + 17);
    chk = tm;
    t = timegm(&tm);
    /* timegm moves a date that does not exist (Feb 30, 23:59:60) to one
     * that does: refuse it instead */
    if (t < 0 || t > 4294967295LL || gmtime_r(&t, &back) == NULL
        || back.tm_year != chk.tm_year || back.tm_mon != chk.tm_mon
        || back.tm_mday != chk.tm_mday || back.tm_hour != chk.tm_hour
        || back.tm_min != chk.tm_min || back.tm_sec != chk.tm_sec)
    {
        return -2;
    }
    return (int64_t) t;
}

static void
dfx_conf_ch_orgs(dfx_conf_ctx_t *cf, dfx_conf_clickhouse_t *cc)
{
    const dfx_conf_str_t  *o;
    char                  *end, path[64];
    long                   v;
    size_t                 i, j;

    if (cc->orgs.m.set == DFX_CONF_BAD) {
        return;
    }
    if (cc->orgs.n == 0) {
        dfx_conf_error(cf, &cc->orgs.m.loc, "dfexport.clickhouse.orgs: "
                       "must not be empty");
        return;
    }
    if (cc->orgs.n > sizeof(cc->org_ids) / sizeof(cc->org_ids[0])) {
        dfx_conf_error(cf, &cc->orgs.m.loc, "dfexport.clickhouse.orgs: at "
                       "most %zu orgs", sizeof(cc->org_ids)
                       / sizeof(cc->org_ids[0]));
        return;
    }
    for (i = 0; i < cc->orgs.n; i++) {
        o = &cc->orgs.v[i];
        if (o->m.set == DFX_CONF_BAD) {
            continue;
        }
        /* one org written as a scalar has no [i] in its path */
        if (cc->orgs.n == 1 && o->m.loc.line == cc->orgs.m.loc.line
            && o->m.loc.col == cc->orgs.m.loc.col)
        {
            snprintf(path, sizeof(path), "dfexport.clickhouse.orgs");
        } else {
            snprintf(path, sizeof(path), "dfexport.clickhouse.orgs[%zu]", i);
        }
        v = strtol(o->v, &end, 10);
        if (o->v[0] < '0' || o->v[0] > '9' || *end != '\0' || v < 1
            || v > 1024)
        {
            dfx_conf_error(cf, &o->m.loc, "%s: an org id is between 1 and "
                           "1024, got \"%s\"", path, o->v);
            continue;
        }
        for (j = 0; j < cc->norgs; j++) {
            if (cc->org_ids[j] == (uint16_t) v) {
                dfx_conf_error(cf, &o->m.loc, "%s: org %ld is listed twice",
                               path, v);
                break;
            }
        }
        if (j == cc->norgs) {
            cc->org_ids[cc->norgs++] = (uint16_t) v;
        }
    }
}

static void
dfx_conf_ch_data_sources(dfx_conf_ctx_t *cf, dfx_conf_clickhouse_t *cc)
{
    const dfx_conf_str_t  *d;
    const dfx_schema_t    *s;
    dfx_conf_suggest_t     sg;
    const char            *best;
    size_t                 i;
    int                    k;

    for (i = 0; i < cc->data_sources.n; i++) {
        d = &cc->data_sources.v[i];
        if (d->m.set == DFX_CONF_BAD) {
            continue;
        }
        s = dfx_schema_find(d->v, strlen(d->v));
        if (s == NULL) {
            dfx_conf_suggest_init(&sg, d->v);
            for (k = 0; k < DFX_DS_COUNT; k++) {
                dfx_conf_suggest_add(&sg, dfx_schemas[k]->name);
            }
            best = dfx_conf_suggest_result(&sg);
            dfx_conf_error(cf, &d->m.loc, "dfexport.clickhouse.data-sources"
                           "[%zu]: unknown data source \"%s\"%s%s%s", i, d->v,
                           best ? "; did you mean \"" : "", best ? best : "",
                           best ? "\"?" : "");
            continue;
        }
        cc->ds_mask |= 1u << s->id;
    }
}

void
dfx_conf_clickhouse_check(dfx_conf_ctx_t *cf, dfx_conf_clickhouse_t *cc)
{
    const char  *u = cc->url.v;
    int64_t      t;

    cc->start_ts = -1;
    dfx_conf_ch_orgs(cf, cc);
    dfx_conf_ch_data_sources(cf, cc);
    dfx_conf_secret(cf, "dfexport.clickhouse", &cc->password,
                    &cc->password_file);

    t = dfx_conf_parse_time(cc->start.v);
    if (t == -2) {
        dfx_conf_error(cf, &cc->start.m.loc, "dfexport.clickhouse.start: "
                       "must be now, unix seconds or \"YYYY-MM-DD "
                       "hh:mm:ss\" (UTC), got \"%s\"", cc->start.v);
    }
    cc->start_ts = t;

    if (u[0] == '\0') {
        if (cc->dictionary_refresh.m.set == 1 && cc->dictionary_refresh.v > 0)
        {
            dfx_conf_error(cf, &cc->dictionary_refresh.m.loc,
                           "dfexport.clickhouse.dictionary-refresh: needs "
                           "dfexport.clickhouse.url");
        }
        return;
    }
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) {
        dfx_conf_error(cf, &cc->url.m.loc, "dfexport.clickhouse.url: must "
                       "begin with http:// or https://, got \"%s\"", u);
    } else if (strchr(u, '?') != NULL || strchr(u, '@') != NULL) {
        dfx_conf_error(cf, &cc->url.m.loc, "dfexport.clickhouse.url: no "
                       "query and no credentials in the url (use user and "
                       "password), got \"%s\"", u);
    }
    if (cc->tls_ca_file.v[0] != '\0' && strncmp(u, "https://", 8) != 0) {
        dfx_conf_error(cf, &cc->tls_ca_file.m.loc,
                       "dfexport.clickhouse.tls-ca-file: only used with an "
                       "https:// url");
    }
    if (cc->checkpoint_dir.v[0] == '\0') {
        dfx_conf_error(cf, &cc->checkpoint_dir.m.loc,
                       "dfexport.clickhouse.checkpoint-dir: required when "
                       "dfexport.clickhouse.url is set");
    }
}
