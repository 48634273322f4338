/*
 * dfx_http_framing.c: RFC 9112 message framing checks that libevent 2.1's
 * evhttp does not make, run first thing in both listeners' handlers.
 *
 * evhttp frames a request body by the first Content-Length header it
 * finds (evhttp_find_header()), read with strtoll(): "+10" is 10, a
 * second "Content-Length: 20" is ignored, and a Transfer-Encoding other
 * than exactly "chunked" is ignored too.  A proxy in front that frames
 * the same bytes differently lets a client smuggle a request past it
 * (RFC 9112 section 11.2), so such a request is answered 400 and the
 * connection closed: the bytes after it are never read as a request.
 *
 * Where it is checked: libevent 2.1 offers no hook between parsing the
 * headers and reading the body of a server request (the per-request
 * header callback cannot be set, since there is no new-request callback
 * before libevent 2.2), so the check runs when evhttp hands the request
 * over, its body read by the first Content-Length.  That is robust for
 * what matters: the request is never served, and what follows it on the
 * connection is never parsed (evhttp reads nothing more of a connection
 * until the answer is written, and "Connection: close" ends it).  When
 * the first value is the larger one, evhttp waits for that many bytes,
 * or for client-timeout, before the 400 (or a close).  A list in one
 * header ("10, 20") fails evhttp's own strtoll check and gets evhttp's
 * 400 page before any handler runs.  Debian's 2.1.12-stable-8+deb12u1
 * refuses a Transfer-Encoding other than one "chunked", and one with a
 * Content-Length, the same way (evhttp_check_transfer_encoding_());
 * upstream 2.1.12 does not, hence the same checks here.
 *
 * Methods evhttp reads no body for (HEAD, TRACE, and the ones it does
 * not know) are served, but a body sent with them was not consumed: the
 * connection is closed after the answer rather than reading the body as
 * the next request.
 */
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "dfx_core.h"
#include "dfx_http_int.h"

/* Whether s is 1*DIGIT, as RFC 9110 section 8.6 writes Content-Length. */
static int
dfx_http_digits(const char *s)
{
    if (*s == '\0') {
        return 0;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return 0;
        }
    }
    return 1;
}

/* Whether evhttp 2.1 reads a body for this method
 * (evhttp_method_may_have_body()). */
static int
dfx_http_reads_body(enum evhttp_cmd_type m)
{
    switch (m) {
    case EVHTTP_REQ_POST:
    case EVHTTP_REQ_PUT:
    case EVHTTP_REQ_PATCH:
    case EVHTTP_REQ_GET:
    case EVHTTP_REQ_DELETE:
    case EVHTTP_REQ_OPTIONS:
    case EVHTTP_REQ_CONNECT:
        return 1;
    default:
        return 0;
    }
}

static void
dfx_http_framing_refuse(struct evhttp_request *r, const char *msg)
{
    evhttp_add_header(evhttp_request_get_output_headers(r), "Connection",
                      "close");
    dfx_http_send_error(r, 400, msg);
}

int
dfx_http_framing_check(struct evhttp_request *r)
{
    struct evkeyvalq  *in = evhttp_request_get_input_headers(r);
    struct evkeyval   *h;
    const char        *cl = NULL, *te = NULL;
    int                nte = 0, body = 0;

    /* keyvalq_struct.h declares the list without <sys/queue.h> macros */
    for (h = in->tqh_first; h != NULL; h = h->next.tqe_next) {
        if (evutil_ascii_strcasecmp(h->key, "Content-Length") == 0) {
            if (!dfx_http_digits(h->value)) {
                dfx_http_framing_refuse(r, "invalid Content-Length: it must "
                                        "be one decimal number");
                return -1;
            }
            if (cl != NULL && strcmp(cl, h->value) != 0) {
                dfx_http_framing_refuse(r, "conflicting Content-Length "
                                        "headers");
                return -1;
            }
            cl = h->value;
            body |= strspn(cl, "0") != strlen(cl);
        } else if (evutil_ascii_strcasecmp(h->key, "Transfer-Encoding")
                   == 0)
        {
            te = h->value;
            nte++;
        }
    }
    if (te != NULL) {
        if (nte > 1 || evutil_ascii_strcasecmp(te, "chunked") != 0) {
            dfx_http_framing_refuse(r, "unsupported Transfer-Encoding: "
                                    "only \"chunked\" is accepted");
            return -1;
        }
        if (cl != NULL) {
            dfx_http_framing_refuse(r, "Content-Length and "
                                    "Transfer-Encoding together");
            return -1;
        }
        body = 1;
    }
    if (body && !dfx_http_reads_body(evhttp_request_get_command(r))) {
        /* the body is still on the connection: do not read it as the
         * next request */
        evhttp_add_header(evhttp_request_get_output_headers(r),
                          "Connection", "close");
    }
    return 0;
}
