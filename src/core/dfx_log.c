/*
 * dfx_log.c: "TIME LEVEL: message" lines (or one JSON object per line) to
 * stderr or a file.
 *
 * The level, the format and the target are process-wide and change only
 * at start-up, on reload and on SIGUSR1 (reopen, from the main thread);
 * each line is formatted into a stack buffer and written with a single
 * write(2), so threads never interleave within a line.  The access log
 * (dfx_log_access.c) writes through dfx_log_line() too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "dfx_log.h"

static const char *const  dfx_log_names[] = {
    "debug", "info", "notice", "warn", "error", "crit", "alert",
};

static atomic_int  dfx_log_level = DFX_LOG_INFO;
static atomic_int  dfx_log_fd = STDERR_FILENO;
static atomic_int  dfx_log_json;
static atomic_int  dfx_log_access_on;
/* the file open now, for dfx_log_reopen(); main thread only */
static char        dfx_log_path[4096];

int
dfx_log_level_parse(const char *name)
{
    size_t  i;

    for (i = 0; i < sizeof(dfx_log_names) / sizeof(dfx_log_names[0]); i++) {
        if (strcmp(name, dfx_log_names[i]) == 0) {
            return (int) i;
        }
    }
    return -1;
}

const char *
dfx_log_level_name(dfx_log_level_t level)
{
    if ((unsigned) level > DFX_LOG_ALERT) {
        return "?";
    }
    return dfx_log_names[level];
}

void
dfx_log_set_level(dfx_log_level_t level)
{
    atomic_store(&dfx_log_level, (int) level);
}

int
dfx_log_enabled(dfx_log_level_t level)
{
    return (int) level >= atomic_load_explicit(&dfx_log_level,
                                               memory_order_relaxed);
}

void
dfx_log_set_format(dfx_log_format_t format)
{
    atomic_store(&dfx_log_json, format == DFX_LOG_FORMAT_JSON);
}

void
dfx_log_set_access(int on)
{
    atomic_store(&dfx_log_access_on, on != 0);
}

int
dfx_log_access_enabled(void)
{
    return atomic_load_explicit(&dfx_log_access_on, memory_order_relaxed);
}

int
dfx_log_open(const char *path)
{
    int  fd, old;

    if (path == NULL || path[0] == '\0') {
        fd = STDERR_FILENO;
    } else {
        if (strlen(path) >= sizeof(dfx_log_path)) {
            errno = ENAMETOOLONG;
            return -1;
        }
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd == -1) {
            return -1;
        }
    }
    snprintf(dfx_log_path, sizeof(dfx_log_path), "%s",
             path != NULL ? path : "");

    /* a line being written to the old file still completes there: the
     * descriptor is closed only after the swap */
    old = atomic_exchange(&dfx_log_fd, fd);
    if (old != STDERR_FILENO) {
        close(old);
    }
    return 0;
}

int
dfx_log_reopen(void)
{
    char  path[sizeof(dfx_log_path)];

    if (dfx_log_path[0] == '\0') {
        return 0;
    }
    memcpy(path, dfx_log_path, sizeof(path));
    return dfx_log_open(path);
}

const char *
dfx_log_file(void)
{
    return dfx_log_path;
}

void
dfx_log_close(void)
{
    (void) dfx_log_open(NULL);
}

size_t
dfx_log_json_escape(char *out, size_t size, const char *s, size_t len)
{
    static const char    hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *) s;
    size_t               i, n = 0;

    if (size == 0) {
        return 0;
    }
    for (i = 0; i < len && n + 7 < size; i++) {
        if (p[i] == '"' || p[i] == '\\') {
            out[n++] = '\\';
            out[n++] = (char) p[i];
        } else if (p[i] == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else if (p[i] == '\t') {
            out[n++] = '\\';
            out[n++] = 't';
        } else if (p[i] < 0x20 || p[i] == 0x7f) {
            memcpy(out + n, "\\u00", 4);
            out[n + 4] = hex[p[i] >> 4];
            out[n + 5] = hex[p[i] & 0xf];
            n += 6;
        } else if (p[i] >= 0x80) {
            /* bytes of a UTF-8 sequence pass; anything else becomes the
             * replacement character, so that the line stays JSON */
            size_t  k, need = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3
                              : p[i] >= 0xc2 ? 2 : 0;

            for (k = 1; need != 0 && k < need; k++) {
                if (i + k >= len || (p[i + k] & 0xc0) != 0x80) {
                    need = 0;
                }
            }
            if (need == 0 || p[i] > 0xf4) {
                memcpy(out + n, "\\ufffd", 6);
                n += 6;
            } else {
                memcpy(out + n, p + i, need);
                n += need;
                i += need - 1;
            }
        } else {
            out[n++] = (char) p[i];
        }
    }
    out[n] = '\0';
    return n;
}

void
dfx_log_line(const char *level, const char *msg, size_t len,
             const char *json_fields)
{
    char             line[4096];
    struct timeval   tv;
    struct tm        tm;
    size_t           n;
    int              r;
    ssize_t          w;
    char             tz[8];

    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    if (atomic_load_explicit(&dfx_log_json, memory_order_relaxed)) {
        /* RFC 3339 with the offset, so that collectors need no TZ */
        n = strftime(line, sizeof(line), "{\"time\":\"%Y-%m-%dT%H:%M:%S",
                     &tm);
        if (strftime(tz, sizeof(tz), "%z", &tm) != 5) {
            memcpy(tz, "+0000", 6);
        }
        r = snprintf(line + n, sizeof(line) - n, ".%03d%.3s:%s\","
                     "\"level\":\"%s\",\"msg\":\"", (int) (tv.tv_usec / 1000),
                     tz, tz + 3, level);
        n += (size_t) r;
        /* room for the closing text and the extra fields */
        n += dfx_log_json_escape(line + n, sizeof(line) - n - 1024, msg,
                                 len);
        r = snprintf(line + n, sizeof(line) - n - 1, "\"%s}",
                     json_fields != NULL ? json_fields : "");
        n += r > 0 ? (size_t) r : 0;
        if (n > sizeof(line) - 2) {
            n = sizeof(line) - 2;
        }
    } else {
        n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
        r = snprintf(line + n, sizeof(line) - n, ".%03d %s: ",
                     (int) (tv.tv_usec / 1000), level);
        n += (size_t) r;
        if (len > sizeof(line) - n - 2) {
            /* truncated: mark it rather than lose the newline */
            len = sizeof(line) - n - 5;
            memcpy(line + n, msg, len);
            memcpy(line + n + len, "...", 3);
            len += 3;
        } else {
            memcpy(line + n, msg, len);
        }
        n += len;
    }
    line[n++] = '\n';

    do {
        w = write(atomic_load_explicit(&dfx_log_fd, memory_order_relaxed),
                  line, n);
    } while (w == -1 && errno == EINTR);
}

void
dfx_log(dfx_log_level_t level, const char *fmt, ...)
{
    char     msg[2048];
    va_list  ap;
    int      r;
    size_t   n;

    if (!dfx_log_enabled(level)) {
        return;
    }
    va_start(ap, fmt);
    r = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (r < 0) {
        r = 0;
    }
    n = (size_t) r;
    if (n > sizeof(msg) - 1) {
        /* truncated: mark it */
        n = sizeof(msg) - 1;
        memcpy(msg + n - 3, "...", 3);
    }
    dfx_log_line(dfx_log_level_name(level), msg, n, NULL);
}
