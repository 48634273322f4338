/*
 * dfx_log_access.c: the access log (dfexport.log.access), one line per
 * ingest request, through the daemon's log (dfx_log.c): same target,
 * same format (text or JSON), reopened by the same SIGUSR1.
 *
 *   TIME access: 127.0.0.1:40312 POST /api/v1/... 202 accepted=10
 *       filtered=0 rejected=0 bytes=1834 ms=0.412
 *
 * Like nginx's access_log it is a write(2) per request from the worker
 * thread: off by default, and meant for debugging and low rates.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "dfx_log.h"

const char *
dfx_log_method(const struct evhttp_request *r)
{
    switch (evhttp_request_get_command(r)) {
    case EVHTTP_REQ_GET:     return "GET";
    case EVHTTP_REQ_POST:    return "POST";
    case EVHTTP_REQ_HEAD:    return "HEAD";
    case EVHTTP_REQ_PUT:     return "PUT";
    case EVHTTP_REQ_DELETE:  return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE:   return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH:   return "PATCH";
    }
    return "-";
}

void
dfx_log_access(struct evhttp_request *r, uint32_t nrecords,
               uint32_t accepted, uint32_t filtered, uint32_t rejected)
{
    struct evhttp_connection  *evcon;
    struct event_base         *base;
    struct timeval             now, start, d;
    const char                *uri, *method;
    char                      *host = NULL;
    char                       remote[128], status[16], msg[1024];
    char                       juri[768], fields[1536];
    ev_uint16_t                port = 0;
    size_t                     bytes = 0;
    uint64_t                   us = 0;
    int                        code, n;

    if (r == NULL || !dfx_log_access_enabled()) {
        return;
    }
    if (nrecords == 0) {
        /* the per-request result is reset only once records are read */
        accepted = filtered = rejected = 0;
    }

    evcon = evhttp_request_get_connection(r);
    snprintf(remote, sizeof(remote), "-");
    if (evcon != NULL) {
        evhttp_connection_get_peer(evcon, &host, &port);
        if (host != NULL) {
            snprintf(remote, sizeof(remote),
                     strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u", host,
                     (unsigned) port);
        }
        /* the time the loop woke up for this request: the request was
         * complete then */
        base = evhttp_connection_get_base(evcon);
        if (base != NULL && event_base_gettimeofday_cached(base, &start) == 0)
        {
            gettimeofday(&now, NULL);
            if (timercmp(&now, &start, >)) {
                timersub(&now, &start, &d);
                us = (uint64_t) d.tv_sec * 1000000 + (uint64_t) d.tv_usec;
            }
        }
    }
    if (evhttp_request_get_input_buffer(r) != NULL) {
        bytes = evbuffer_get_length(evhttp_request_get_input_buffer(r));
    }
    uri = evhttp_request_get_uri(r);
    if (uri == NULL) {
        uri = "-";
    }
    method = dfx_log_method(r);
    code = evhttp_request_get_response_code(r);
    if (code > 0) {
        snprintf(status, sizeof(status), "%d", code);
    } else {
        snprintf(status, sizeof(status), "-");
    }

    n = snprintf(msg, sizeof(msg), "%s %s %.512s %s accepted=%" PRIu32
                 " filtered=%" PRIu32 " rejected=%" PRIu32 " bytes=%zu "
                 "ms=%" PRIu64 ".%03u", remote, method, uri, status, accepted,
                 filtered, rejected, bytes, us / 1000,
                 (unsigned) (us % 1000));
    if (n < 0) {
        return;
    }
    dfx_log_json_escape(juri, sizeof(juri), uri, strnlen(uri, 512));
    snprintf(fields, sizeof(fields), ",\"remote\":\"%s\",\"method\":\"%s\","
             "\"path\":\"%s\",\"status\":%s,\"accepted\":%" PRIu32 ","
             "\"filtered\":%" PRIu32 ",\"rejected\":%" PRIu32 ","
             "\"bytes\":%zu,\"duration_ms\":%" PRIu64 ".%03u", remote,
             method, juri, code > 0 ? status : "null", accepted, filtered,
             rejected, bytes, us / 1000, (unsigned) (us % 1000));
    dfx_log_line("access", msg, (size_t) n < sizeof(msg) ? (size_t) n
                                                         : sizeof(msg) - 1,
                 fields);
}
