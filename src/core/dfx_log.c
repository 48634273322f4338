/*
 * dfx_log.c: "TIME LEVEL: message" lines to stderr or a file.
 *
 * The level and the target are process-wide and change only at start-up
 * and on reload (from the main thread); each line is formatted into a
 * stack buffer and written with a single write(2), so threads never
 * interleave within a line.
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

int
dfx_log_open(const char *path)
{
    int  fd, old;

    if (path == NULL || path[0] == '\0') {
        fd = STDERR_FILENO;
    } else {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd == -1) {
            return -1;
        }
    }

    old = atomic_exchange(&dfx_log_fd, fd);
    if (old != STDERR_FILENO) {
        close(old);
    }
    return 0;
}

void
dfx_log_close(void)
{
    (void) dfx_log_open(NULL);
}

void
dfx_log(dfx_log_level_t level, const char *fmt, ...)
{
    char             line[2048];
    struct timeval   tv;
    struct tm        tm;
    va_list          ap;
    size_t           n;
    int              r;
    ssize_t          w;

    if (!dfx_log_enabled(level)) {
        return;
    }

    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
    r = snprintf(line + n, sizeof(line) - n, ".%03d %s: ",
                 (int) (tv.tv_usec / 1000), dfx_log_level_name(level));
    n += (size_t) r;

    va_start(ap, fmt);
    r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    if (r < 0) {
        r = 0;
    }
    n += (size_t) r;
    if (n > sizeof(line) - 2) {
        /* truncated: mark it rather than lose the newline */
        n = sizeof(line) - 5;
        memcpy(line + n, "...", 3);
        n += 3;
    }
    line[n++] = '\n';

    do {
        w = write(atomic_load_explicit(&dfx_log_fd, memory_order_relaxed),
                  line, n);
    } while (w == -1 && errno == EINTR);
}
