/*
 * dfx_http_memory.c: one byte budget (dfexport.limits.memory) for what
 * ingest requests hold in memory, across every worker.
 *
 * limits.body caps one request; this caps them all together: without it,
 * N connections may each hold a body of limits.body while it is read,
 * and the process grows by N times that.  A body is reserved as soon as
 * its size is known (dfx_http_gate.c: all at once when the headers give
 * a Content-Length, chunk by chunk for a chunked body), at what handling
 * it will cost (dfx_http_mem_cost()), so that the bodies let in can also
 * be handled within the budget.  While a worker handles the request,
 * what it really holds (a copy of the body, its decoded gzip body, the
 * messages its records became: dfx_http_ingest.c) draws on that
 * reservation first.  Everything is given back when the request's memory
 * is freed.
 *
 * A reservation that does not fit is refused (the caller answers 429 or
 * 503 with Retry-After).  A charge is not: it is memory the handler
 * already holds and must account for, one request per worker at a time;
 * it can take the total past the budget, and then new bodies are refused
 * until it is given back.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "dfx_core.h"
#include "dfx_http_int.h"

static atomic_uint_fast64_t  dfx_http_mem_used;
static uint64_t              dfx_http_mem_limit = UINT64_MAX;

/*
 * What a body of n bytes costs while it is read and handled: the body as
 * received, the contiguous copy the parser reads (evbuffer_pullup() of a
 * big body frees the pieces only once copied), and the messages its
 * records become (their JSON is about the size of the body's; librdkafka
 * then holds a copy of them, within the exporters' in-flight budget).
 * Capped by the budget itself, so that one body of limits.body always
 * fits when nothing else is held.
 */
#define DFX_HTTP_MEM_FACTOR  3

uint64_t
dfx_http_mem_cost(uint64_t n)
{
    if (n > dfx_http_mem_limit / DFX_HTTP_MEM_FACTOR) {
        return dfx_http_mem_limit;
    }
    return n * DFX_HTTP_MEM_FACTOR;
}

void
dfx_http_mem_init(uint64_t limit)
{
    dfx_http_mem_limit = limit > 0 ? limit : UINT64_MAX;
    atomic_store(&dfx_http_mem_used, 0);
    dfx_stats_set(DFX_STAT_http_memory_bytes, -1, -1, -1, 0);
    dfx_stats_set(DFX_STAT_http_memory_limit_bytes, -1, -1, -1,
                  limit > INT64_MAX ? INT64_MAX : (int64_t) limit);
}

int
dfx_http_mem_reserve(uint64_t n)
{
    uint_fast64_t  used = atomic_load_explicit(&dfx_http_mem_used,
                                               memory_order_relaxed);

    if (n == 0) {
        return 0;
    }
    do {
        if (n > dfx_http_mem_limit || used > dfx_http_mem_limit - n) {
            return -1;
        }
    } while (!atomic_compare_exchange_weak_explicit(&dfx_http_mem_used,
                 &used, used + n, memory_order_relaxed,
                 memory_order_relaxed));
    dfx_stats_add(DFX_STAT_http_memory_bytes, -1, -1, -1, (int64_t) n);
    return 0;
}

void
dfx_http_mem_charge(uint64_t n)
{
    if (n > 0) {
        atomic_fetch_add_explicit(&dfx_http_mem_used, n,
                                  memory_order_relaxed);
        dfx_stats_add(DFX_STAT_http_memory_bytes, -1, -1, -1, (int64_t) n);
    }
}

void
dfx_http_mem_release(uint64_t n)
{
    if (n > 0) {
        atomic_fetch_sub_explicit(&dfx_http_mem_used, n,
                                  memory_order_relaxed);
        dfx_stats_add(DFX_STAT_http_memory_bytes, -1, -1, -1, -(int64_t) n);
    }
}

uint64_t
dfx_http_mem_room(void)
{
    uint_fast64_t  used = atomic_load_explicit(&dfx_http_mem_used,
                                               memory_order_relaxed);

    return used < dfx_http_mem_limit ? dfx_http_mem_limit - used : 0;
}
