/*
 * dfx_cycle.h: everything built from one configuration.
 *
 * A cycle (nginx's word) owns the loaded conf, the enum dictionaries, and
 * per exporter its Kafka producers and its chains.  Workers take a
 * reference for the duration of a request (dfx_cycle_acquire) so that a
 * reload (SIGHUP) can swap in a new cycle while old requests finish on
 * the old one; the old cycle is flushed and freed on the main thread once
 * its last reference is gone.
 */
#ifndef DFX_CYCLE_H
#define DFX_CYCLE_H

#include <stdatomic.h>
#include <stddef.h>

#include <event2/event.h>

#include "dfx_conf.h"
#include "dfx_kafka.h"
#include "dfx_module.h"
#include "dfx_schema.h"

typedef struct dfx_exporter_s {
    unsigned                    index;      /* ingester.exporters[index] */
    const dfx_conf_exporter_t  *conf;
    dfx_kafka_t                *kafka;
    dfx_chain_t                *chains[DFX_DS_COUNT];  /* NULL: not taken */
} dfx_exporter_t;

/* One exporter's chain for one data source. */
typedef struct dfx_route_s {
    dfx_exporter_t  *exporter;
    dfx_chain_t     *chain;
} dfx_route_t;

typedef struct dfx_cycle_s {
    atomic_int           refs;
    dfx_conf_t          *conf;
    dfx_enums_t         *enums;
    dfx_exporter_t      *exporters;
    size_t               nexporters;
    /* per data source, the exporters that take it (a data source listed
     * twice by one exporter is taken once) */
    dfx_route_t         *routes[DFX_DS_COUNT];
    size_t               nroutes[DFX_DS_COUNT];
    /* the whole in-flight budget across every exporter, for 413 */
    const char          *bootstrap;     /* embedded cluster, or NULL */
    struct event        *free_ev;       /* frees the cycle on the main base */
} dfx_cycle_t;

/* Loads the enum dictionaries conf names; NULL with the reason in err,
 * which names the paths tried and the key to set when enum-dir was "" and
 * no directory was found. */
dfx_enums_t *dfx_cycle_enums_load(const dfx_conf_t *conf, char *err,
                                  size_t errlen);

/* Builds a cycle from a checked conf (takes ownership of conf).
 * bootstrap, when not NULL, replaces every exporter's endpoints.
 * main_base NULL builds the chains alone, without Kafka producers (the
 * offline dry run: publish it, and end it with dfx_cycle_shutdown()).  Returns
 * NULL and logs why on failure (conf is then freed). */
dfx_cycle_t *dfx_cycle_create(dfx_conf_t *conf, const char *bootstrap,
                              struct event_base *main_base);

/* Makes c the current cycle; the previous one is released. */
void dfx_cycle_publish(dfx_cycle_t *c);

/* The current cycle with one more reference, or NULL before start-up. */
dfx_cycle_t *dfx_cycle_acquire(void);

/* Drops a reference; the last one schedules the cycle's destruction on
 * the main thread.  Accepts NULL. */
void dfx_cycle_release(dfx_cycle_t *c);

/* Destroys the current cycle at shutdown: flushes every producer for at
 * most timeout_ms (the cycles reloads retired too, which are waited
 * for), logs what could not be delivered and returns how many messages
 * that was. */
uint64_t dfx_cycle_shutdown(int timeout_ms);

/* 1 when every enabled exporter of the current cycle has reached a
 * broker. */
int dfx_cycle_ready(void);

/* The broker metrics of the current cycle's producers, Prometheus text
 * (json 0) or the JSON value of /stats' "kafka_brokers" (json 1); the
 * producers of cycles a reload retired have none.  0 or -1. */
int dfx_cycle_brokers(dfx_buf_t *out, int json);

#endif /* DFX_CYCLE_H */
