/*
 * fuzz_conf.c: libFuzzer driver for the configuration loader.
 *
 * The input is a configuration file's text, loaded with
 * dfx_conf_load_mem() exactly as `dfexport -t` and a reload load a file:
 * YAML parsing, the key tables, every module's conf_check and the Kafka
 * checks (which create a producer that never connects).  A configuration
 * that loads then has its chains built, as a cycle would, for every data
 * source of every enabled exporter.
 *
 * Besides the sanitizers, the driver aborts when a contract is broken:
 *   - the load fails without an error line, or succeeds with one;
 *   - a reported line is not one line of text starting with
 *     "dfexport: FILE:" (control characters must come out escaped);
 *   - a loaded configuration has a value outside its key's bounds, or an
 *     enabled exporter whose chain cannot be built (-t said yes, the
 *     start would say no).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_conf.h"
#include "dfx_core.h"
#include "dfx_log.h"
#include "dfx_module.h"
#include "dfx_schema.h"
#include "enum_translate/dfx_enum_dict.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_NAME  "fuzz.yaml"

static dfx_enums_t  *fz_enums;
static unsigned      fz_errors;
static unsigned      fz_lines;

static void
fz_die(const char *what)
{
    fprintf(stderr, "fuzz_conf: %s\n", what);
    abort();
}

static void
fz_out(int is_error, const char *line)
{
    static const char  prefix[] = "dfexport: " FZ_NAME ":";
    const char        *p;

    fz_lines++;
    if (is_error) {
        fz_errors++;
    }
    if (strncmp(line, prefix, sizeof(prefix) - 1) != 0) {
        fprintf(stderr, "line: %s\n", line);
        fz_die("a reported line does not start with \"dfexport: FILE:\"");
    }
    for (p = line; *p != '\0'; p++) {
        if ((unsigned char) *p < 0x20 || *p == 0x7f) {
            fprintf(stderr, "line: %s\n", line);
            fz_die("a reported line holds a control character");
        }
    }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char  err[512];

    (void) argc;
    (void) argv;
    /* chain builders log their refusals; the driver reports them itself */
    dfx_log_set_level(DFX_LOG_ALERT);
    if (dfx_schema_init() != 0) {
        fz_die("dfx_schema_init failed");
    }
    fz_enums = dfx_enums_load(DFX_FUZZ_SRCDIR "/conf/enum", err, sizeof(err));
    if (fz_enums == NULL) {
        fz_die(err);
    }
    return 0;
}

/* Every written INT or SIZE value of a loaded conf within its bounds. */
static void
fz_check_bounds(const dfx_conf_key_t *keys, const void *base)
{
    const dfx_conf_key_t  *k;
    const void            *slot;
    int64_t                i;
    uint64_t               u;

    for (k = keys; k->name != NULL; k++) {
        slot = (const char *) base + k->offset;
        switch (k->type) {
        case DFX_CONF_INT:
            i = ((const dfx_conf_int_t *) slot)->v;
            if ((k->min != 0 || k->max != 0) && (i < k->min || i > k->max)) {
                fprintf(stderr, "key %s: %lld\n", k->name, (long long) i);
                fz_die("a loaded integer is out of its bounds");
            }
            break;
        case DFX_CONF_SIZE:
            u = ((const dfx_conf_size_t *) slot)->v;
            if ((k->min != 0 || k->max != 0)
                && (u < (uint64_t) k->min || u > (uint64_t) k->max))
            {
                fprintf(stderr, "key %s: %llu\n", k->name,
                        (unsigned long long) u);
                fz_die("a loaded size is out of its bounds");
            }
            break;
        case DFX_CONF_STR:
            if (((const dfx_conf_str_t *) slot)->v == NULL) {
                fprintf(stderr, "key %s\n", k->name);
                fz_die("a loaded string is NULL");
            }
            break;
        case DFX_CONF_TABLE:
            fz_check_bounds(k->table, slot);
            break;
        default:
            break;
        }
    }
}

static void
fz_check_conf(const dfx_conf_t *conf)
{
    const dfx_conf_exporter_t  *ec;
    const dfx_schema_t         *s;
    dfx_chain_t                *c;
    size_t                      e, d, m;

    fz_check_bounds(dfx_conf_main_keys, &conf->main);
    for (e = 0; e < conf->nexporters; e++) {
        ec = &conf->exporters[e];
        fz_check_bounds(dfx_conf_exporter_keys, ec);
        for (m = 0; dfx_modules[m] != NULL; m++) {
            if (dfx_modules[m]->keys != NULL && ec->mconf[m] != NULL) {
                fz_check_bounds(dfx_modules[m]->keys, ec->mconf[m]);
            }
        }
        if (!ec->enabled.v) {
            continue;
        }
        for (d = 0; d < ec->data_sources.n; d++) {
            s = dfx_schema_find(ec->data_sources.v[d].v,
                                strlen(ec->data_sources.v[d].v));
            if (s == NULL) {
                continue;   /* a name DeepFlow accepts and never exports */
            }
            c = dfx_chain_create(ec, s, fz_enums);
            if (c == NULL) {
                fprintf(stderr, "exporter %zu, %s\n", e, s->name);
                fz_die("a configuration that loads cannot build its chain");
            }
            dfx_chain_destroy(c);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dfx_conf_t  *conf;
    char        *copy;

    /* exactly the input's size, so that ASan sees a read past its end */
    copy = malloc(size ? size : 1);
    if (copy == NULL) {
        return 0;
    }
    if (size > 0) {
        memcpy(copy, data, size);
    }
    fz_errors = 0;
    fz_lines = 0;
    conf = dfx_conf_load_mem(FZ_NAME, copy, size, 0, fz_out);
    if (conf == NULL && fz_errors == 0) {
        fz_die("the load failed without an error line");
    }
    if (conf != NULL && fz_errors != 0) {
        fz_die("the load succeeded after an error line");
    }
    if (conf != NULL) {
        fz_check_conf(conf);
    }
    dfx_conf_free(conf);
    free(copy);
    return 0;
}
