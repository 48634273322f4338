/*
 * dfx_http.h: the HTTP side of the daemon, as main sees it.
 *
 * Ingest listeners (dfexport.listen) are served by `workers` threads, each
 * with its own event_base and evhttp, all accepting on the same sockets
 * (a new connection goes to the least loaded worker).
 * The admin listener (dfexport.admin-listen) is served on the main
 * event_base, where Kafka delivery reports and cycle retirement also run.
 * Listeners and workers are set up once: a reload does not rebind them.
 */
#ifndef DFX_HTTP_H
#define DFX_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "dfx_buf.h"
#include "dfx_conf.h"

/* Binds every listen and admin-listen address (HOST:PORT, [V6]:PORT,
 * port 0 = ephemeral), logs "ingest listening on HOST:PORT" and "admin
 * listening on HOST:PORT" with the actual ports, starts the workers (0 =
 * one per CPU) and serves the admin endpoints on main_base.  What it
 * needs from m is copied: m may be freed by a later reload.  Returns 0, or
 * -1 after logging why (everything started so far is stopped again). */
int dfx_http_start(const dfx_conf_main_t *m, struct event_base *main_base);

/* Stops taking new ingest connections (SIGTERM): the listening sockets are
 * closed by the workers shortly after; requests on connections already
 * open are answered 503 (shutting down) from now on, /readyz says 503.
 * Call from the main thread. */
void dfx_http_stop_accepting(void);

/* SIGHUP: re-reads the listeners' TLS certificates and keys and their
 * tokens files (dfexport.tls, admin-tls, auth, admin-auth); what does not
 * load keeps the previous one, logged at warn.  Main thread. */
void dfx_http_reload_credentials(void);

/* Requests still in flight: being handled or waiting for Kafka's
 * acknowledgement.  Thread-safe and non-blocking: a timer on the main base
 * polls it while shutting down. */
int dfx_http_inflight(void);

/* Runs the main base (which carries the delivery reports that complete
 * acknowledged requests) until no request is in flight or timeout_ms has
 * passed; returns the number still in flight.  Must not be called from a
 * callback of the main base (use dfx_http_inflight() from a timer there);
 * timeout_ms <= 0 only counts. */
int dfx_http_drain(int timeout_ms);

/* Stops and joins the workers, closes every listener and frees
 * everything.  Requests still waiting for Kafka are abandoned without an
 * answer; their memory is freed by their last delivery report (at the
 * latest when the cycle is shut down).  Safe to call when dfx_http_start()
 * failed or was never called. */
void dfx_http_stop(void);

/* The i-th bound address ("127.0.0.1:8480", "[::1]:8480") of the ingest
 * (admin = 0) or admin (admin = 1) listeners, or NULL past the last. */
const char *dfx_http_listen_addr(int admin, size_t i);

/* The embedded cluster's bootstrap list, shown by /stats (NULL: none).
 * The string is copied. */
void dfx_http_set_embedded_bootstrap(const char *bs);

/* dfexport --dry-run: runs an NDJSON body through the parser and chains
 * of the published cycle (built without Kafka) as ?dry_run=1[&pretty=1]
 * does, and appends the same JSON answer to out.  Returns the status the
 * request would have had (200; 400, 404, 413, 500 with {"error":...} in
 * out) and sets *rejected to the rejected records. */
int dfx_http_dryrun_stdin(const char *ds, const char *body, size_t len,
                          int pretty, dfx_buf_t *out, uint32_t *rejected);

/* The whole of `dfexport --dry-run ds`: reads NDJSON from stdin, runs
 * it through conf's chains (conf is taken over and freed), prints the
 * dry-run JSON to stdout.  Returns the exit status: 0, or 1 when a record
 * was rejected or the request would have failed (the answer printed is
 * then {"error":...} or lists the rejections). */
int dfx_http_dryrun_main(dfx_conf_t *conf, const char *ds, int pretty);

#endif /* DFX_HTTP_H */
