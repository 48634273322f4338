/*
 * dfx_log.h: the daemon's log.
 *
 * One line per event, "TIME LEVEL: message", to stderr or to the file
 * named by dfexport.log.file.  Lines are written with one write(2) so
 * threads do not interleave.  The level names are part of the contract
 * that tests and operators grep for ("notice: ingest listening on ...").
 */
#ifndef DFX_LOG_H
#define DFX_LOG_H

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
