/*
 * dfx_log.h: the daemon's log.
 *
 * One line per event, "TIME LEVEL: message" (or, with dfexport.log.format
 * json, {"time":..., "level":..., "msg":...}), to stderr or to the file
 * named by dfexport.log.file.  Lines are written with one write(2) so
 * threads do not interleave.  The level names are part of the contract
 * that tests and operators grep for ("notice: ingest listening on ...").
 */
#ifndef DFX_LOG_H
#define DFX_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    DFX_LOG_DEBUG = 0,
    DFX_LOG_INFO,
    DFX_LOG_NOTICE,
    DFX_LOG_WARN,
    DFX_LOG_ERROR,
    DFX_LOG_CRIT,
    DFX_LOG_ALERT,
} dfx_log_level_t;

/* Parses "debug".."alert"; returns -1 for anything else. */
int dfx_log_level_parse(const char *name);
const char *dfx_log_level_name(dfx_log_level_t level);

void dfx_log_set_level(dfx_log_level_t level);

/* Opens path (append) as the log; "" or NULL means stderr.  Returns 0 or
 * -1 with errno set; the previous target stays on failure. */
int dfx_log_open(const char *path);

/* Opens the log file again under the same name (SIGUSR1, after
 * logrotate renamed it); nothing to do on stderr.  Returns 0 or -1 with
 * errno set; the previous file stays on failure. */
int dfx_log_reopen(void);

/* The file dfx_log_open() opened last, "" for stderr. */
const char *dfx_log_file(void);

typedef enum { DFX_LOG_FORMAT_TEXT = 0, DFX_LOG_FORMAT_JSON } dfx_log_format_t;

void dfx_log_set_format(dfx_log_format_t format);

/* The access log (dfexport.log.access): on or off. */
void dfx_log_set_access(int on);
int dfx_log_access_enabled(void);

/* Writes one line at level (a name: "info", "access"): msg as the
 * message, and in JSON json_fields (",\"key\":value..." or NULL) after it.
 * For dfx_log() and dfx_log_access(); no level check. */
void dfx_log_line(const char *level, const char *msg, size_t len,
                  const char *json_fields);

/* s (len bytes) as the inside of a JSON string into out (NUL-terminated,
 * cut short when out is full; invalid UTF-8 becomes U+FFFD).  Returns
 * the length written. */
size_t dfx_log_json_escape(char *out, size_t size, const char *s,
                           size_t len);

/* One access-log line for an ingest request r (a struct evhttp_request),
 * when the access log is on: remote address, method, path, status (0:
 * not answered yet, the answer waits for Kafka), the records accepted,
 * filtered and rejected (when nrecords is 0 they are not this request's
 * and 0 is logged), the body bytes and the time since the request was
 * read.  Called by the ingest worker at the end of each request
 * (dfx_log_access.c). */
struct evhttp_request;
/* The name of a request's method ("POST"; "-" for none libevent knows),
 * for access and debug lines. */
const char *dfx_log_method(const struct evhttp_request *r);
void dfx_log_access(struct evhttp_request *r, uint32_t nrecords,
                    uint32_t accepted, uint32_t filtered, uint32_t rejected);

/* Closes the log file, if any, and goes back to stderr. */
void dfx_log_close(void);

void dfx_log(dfx_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int dfx_log_enabled(dfx_log_level_t level);

#define dfx_log_debug(...)   do { if (dfx_log_enabled(DFX_LOG_DEBUG)) \
                                  dfx_log(DFX_LOG_DEBUG, __VA_ARGS__); } while (0)
#define dfx_log_info(...)    dfx_log(DFX_LOG_INFO, __VA_ARGS__)
#define dfx_log_notice(...)  dfx_log(DFX_LOG_NOTICE, __VA_ARGS__)
#define dfx_log_warn(...)    dfx_log(DFX_LOG_WARN, __VA_ARGS__)
#define dfx_log_error(...)   dfx_log(DFX_LOG_ERROR, __VA_ARGS__)
#define dfx_log_crit(...)    dfx_log(DFX_LOG_CRIT, __VA_ARGS__)
#define dfx_log_alert(...)   dfx_log(DFX_LOG_ALERT, __VA_ARGS__)

#endif /* DFX_LOG_H */
