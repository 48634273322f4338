/*
 * dfx_kafka_test.h: shared pieces of the Kafka unit tests: a recording
 * dfx_conf_ctx_t, exporter confs, an event-loop thread for delivery
 * reports, an in-process mock cluster, a consumer, the log captured in a
 * file, and child processes with line-oriented pipes.
 */
#ifndef DFX_KAFKA_TEST_H
#define DFX_KAFKA_TEST_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include <event2/event.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "dfx_conf.h"
#include "dfx_kafka.h"

/* ---- config errors ------------------------------------------------- */

struct dfx_conf_ctx_s {
    const char  *path;
    int          errors;
    int          notices;
    char         text[8192];      /* "FILE:LINE:COL: message\n" ... */
    size_t       len;
};

void dfx_test_ctx_init(dfx_conf_ctx_t *cf, const char *path);

/* A conf with DeepFlow's defaults and compression none; queue-count and
 * queue-size as given. */
void dfx_test_exporter(dfx_conf_exporter_t *ec, unsigned index,
                       int queue_count, int queue_size);

/* Appends a librdkafka: entry (key at line, value at line, column 3/20). */
void dfx_test_rdk(dfx_conf_exporter_t *ec, const char *key,
                  const char *value, uint32_t line);
void dfx_test_exporter_free(dfx_conf_exporter_t *ec);

/* ---- event loop on its own thread ---------------------------------- */

typedef struct {
    struct event_base  *base;
    pthread_t           thread;
    struct event       *stop;
} dfx_test_loop_t;

void dfx_test_loop_start(dfx_test_loop_t *l);
void dfx_test_loop_stop(dfx_test_loop_t *l);

/* ---- time ---------------------------------------------------------- */

int64_t dfx_test_now_ms(void);
void dfx_test_sleep_ms(int ms);

/* Polls cond(arg) every 5 ms until it is true or timeout_ms passed;
 * returns the last value. */
int dfx_test_wait(int (*cond)(void *arg), void *arg, int timeout_ms);

/* ---- mock cluster --------------------------------------------------- */

typedef struct {
    rd_kafka_t               *rk;
    rd_kafka_mock_cluster_t  *mc;
    const char               *bootstrap;
} dfx_test_mock_t;

void dfx_test_mock_start(dfx_test_mock_t *m, int brokers);
void dfx_test_mock_stop(dfx_test_mock_t *m);

/* Messages appended to a topic: the sum of its high watermarks (-1 when
 * the topic cannot be queried). */
int64_t dfx_test_topic_count(const char *bootstrap, const char *topic);

/* Reads every message of topic from the start until n are read or the
 * deadline passes; calls fn for each.  Returns how many were read. */
typedef void (*dfx_test_msg_fn)(void *arg, const rd_kafka_message_t *m);
int dfx_test_consume(const char *bootstrap, const char *topic, int n,
                     int timeout_ms, dfx_test_msg_fn fn, void *arg);

/* ---- log capture --------------------------------------------------- */

/* Sends the dfx log to a fresh temporary file. */
void dfx_test_log_capture(void);
/* 1 when the captured log contains needle. */
int dfx_test_log_has(const char *needle);
/* The captured log (static buffer). */
const char *dfx_test_log_text(void);
void dfx_test_log_release(void);

/* ---- child processes ----------------------------------------------- */

typedef struct {
    pid_t   pid;
    int     reaped;         /* exited, status holds its wait status */
    int     status;
    int     in;             /* the child's stdin, -1 once closed */
    int     out;            /* the child's stdout */
    char    buf[4096];
    size_t  len;
} dfx_test_proc_t;

/* Starts argv[0] (a path relative to the build directory, or the value
 * of the environment variable env when set). */
int dfx_test_proc_start(dfx_test_proc_t *p, const char *env,
                        const char *const argv[]);
/* Reads one line (without the newline) within timeout_ms; -1 on timeout
 * or EOF. */
int dfx_test_proc_line(dfx_test_proc_t *p, char *line, size_t size,
                       int timeout_ms);
int dfx_test_proc_send(dfx_test_proc_t *p, const char *line);
/* Waits up to timeout_ms for the child to exit; returns its wait status
 * or -1 (then it is killed). */
int dfx_test_proc_wait(dfx_test_proc_t *p, int timeout_ms);
/* 1 while the child runs. */
int dfx_test_proc_alive(dfx_test_proc_t *p);

/* A fresh temporary directory (mkdtemp) and its removal. */
void dfx_test_tmpdir(char *dir, size_t size);
void dfx_test_rmdir(const char *dir);

#endif /* DFX_KAFKA_TEST_H */
