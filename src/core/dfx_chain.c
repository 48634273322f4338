/*
 * dfx_chain.c: building and running one exporter's chain for one data
 * source.
 *
 * A chain is built once per (exporter, data source) when a configuration
 * is loaded: every module of dfx_modules[] sees it in table order, shapes
 * the emit plan and either keeps a per-record stage or asks to be left
 * out.  Per record, dfx_chain_run() is a plain loop over the stages kept.
 * The plan (emit entries, their keys, the label selection) belongs to the
 * chain and is freed with it; a stage's own data is freed by its fini.
 */
#include <regex.h>
#include <string.h>

#include "dfx_core.h"
#include "dfx_log.h"
#include "dfx_module.h"
#include "dfx_stats.h"

#define DFX_CHAIN_POOL_BLOCK  4096

static int
dfx_chain_topic(dfx_chain_t *chain, const dfx_conf_exporter_t *ec)
{
    static const char  prefix[] = "deepflow.";
    size_t             nlen;
    char              *t;

    if (ec->topic.m.set && ec->topic.v != NULL && ec->topic.v[0] != '\0') {
        nlen = strlen(ec->topic.v);
        t = dfx_pool_strndup(chain->pool, ec->topic.v, nlen);
        if (t == NULL) {
            return -1;
        }
        chain->topic = dfx_str_make(t, nlen);
        return 0;
    }

    nlen = strlen(chain->schema->name);
    t = dfx_pool_alloc(chain->pool, sizeof(prefix) + nlen);
    if (t == NULL) {
        return -1;
    }
    memcpy(t, prefix, sizeof(prefix) - 1);
    memcpy(t + sizeof(prefix) - 1, chain->schema->name, nlen + 1);
    chain->topic = dfx_str_make(t, sizeof(prefix) - 1 + nlen);
    return 0;
}

dfx_chain_t *
dfx_chain_create(const dfx_conf_exporter_t *ec, const dfx_schema_t *schema,
                 const dfx_enums_t *enums)
{
    const dfx_module_t  *m;
    dfx_chain_t         *chain;
    void                *data;
    size_t               i, nmod;
    int                  rc;

    chain = calloc(1, sizeof(*chain));
    if (chain == NULL) {
        goto nomem;
    }
    chain->schema = schema;
    chain->conf = ec;
    chain->exporter = ec->index;
    chain->enums = enums;
    chain->key_field = -1;

    chain->pool = dfx_pool_create(DFX_CHAIN_POOL_BLOCK);
    if (chain->pool == NULL || dfx_chain_topic(chain, ec) != 0) {
        goto nomem;
    }

    if (ec->key.m.set && ec->key.v != NULL && ec->key.v[0] != '\0') {
        /* the loader checks that every data source of the exporter has
         * the field; a chain built from an unchecked conf sends null keys
         * rather than fail */
        chain->key_field = dfx_schema_field(schema, ec->key.v,
                                            strlen(ec->key.v));
    }

    for (nmod = 0; dfx_modules[nmod] != NULL; nmod++) {
        /* count */
    }
    dfx_assert(nmod <= DFX_MODULE_MAX);

    chain->stages = dfx_pool_calloc(chain->pool, nmod * sizeof(dfx_stage_t));
    if (chain->stages == NULL) {
        goto nomem;
    }

    for (i = 0; i < nmod; i++) {
        m = dfx_modules[i];
        if (m->init == NULL) {
            continue;
        }
        data = NULL;
        rc = m->init(chain, ec->mconf[i], &data);
        if (rc == DFX_SKIP) {
            continue;
        }
        if (rc != DFX_OK) {
            dfx_log_error("exporter %u: %s: the %s module could not be set "
                          "up", ec->index, schema->name, m->name);
            goto failed;
        }
        dfx_assert(m->process != NULL);
        chain->stages[chain->nstages].module = m;
        chain->stages[chain->nstages].data = data;
        chain->nstages++;
    }

    return chain;

nomem:
    dfx_log_error("exporter %u: %s: out of memory building the chain",
                  ec->index, schema->name);
failed:
    dfx_chain_destroy(chain);
    return NULL;
}

void
dfx_chain_destroy(dfx_chain_t *chain)
{
    regex_t  *re;
    size_t    i;

    if (chain == NULL) {
        return;
    }

    for (i = chain->nstages; i > 0; i--) {
        if (chain->stages[i - 1].module->fini != NULL) {
            chain->stages[i - 1].module->fini(chain->stages[i - 1].data);
        }
    }

    re = chain->labels.regexes;
    for (i = 0; i < chain->labels.nregexes; i++) {
        regfree(&re[i]);
    }

    dfx_pool_destroy(chain->pool);
    free(chain);
}

int
dfx_chain_run(const dfx_chain_t *chain, dfx_rec_ctx_t *rc)
{
    const dfx_stage_t  *st, *end;
    int                 r;

    end = chain->stages + chain->nstages;
    for (st = chain->stages; st < end; st++) {
        r = st->module->process(st->data, rc);
        if (r != DFX_OK) {
            return r;
        }
    }
    return DFX_OK;
}

void
dfx_chain_flush_stats(const dfx_chain_t *chain, dfx_rec_ctx_t *rc)
{
    int  ex = (int) chain->exporter;
    int  ds = (int) chain->schema->id;

    if (rc->empty_dropped != 0) {
        dfx_stats_add(DFX_STAT_empty_fields_dropped_total, ex, ds, -1,
                      rc->empty_dropped);
        rc->empty_dropped = 0;
    }
    if (rc->enum_unknown != 0) {
        dfx_stats_add(DFX_STAT_enum_unknown_total, ex, ds, -1,
                      rc->enum_unknown);
        rc->enum_unknown = 0;
    }
    if (rc->utag_unknown != 0) {
        dfx_stats_add(DFX_STAT_utag_unknown_total, ex, ds, -1,
                      rc->utag_unknown);
        rc->utag_unknown = 0;
    }
}
