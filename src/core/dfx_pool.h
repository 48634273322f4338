/*
 * dfx_pool.h: a region allocator for request-lifetime data.
 *
 * A request allocates its parsed records, string copies and error texts
 * from one pool and frees them all at once when the response is sent.
 * Reset keeps the first block, so a worker's pool stops calling malloc
 * once it has seen its largest request.  Not thread-safe: a pool belongs
 * to one request on one worker.
 */
#ifndef DFX_POOL_H
#define DFX_POOL_H

#include <stddef.h>

typedef struct dfx_pool_s dfx_pool_t;

/* Creates a pool whose blocks are at least block_size bytes. */
dfx_pool_t *dfx_pool_create(size_t block_size);

/* Frees every block.  Accepts NULL. */
void dfx_pool_destroy(dfx_pool_t *pool);

/* Frees everything allocated since creation but keeps one block. */
void dfx_pool_reset(dfx_pool_t *pool);

/* Returns n bytes aligned for any scalar type, or NULL on ENOMEM. */
void *dfx_pool_alloc(dfx_pool_t *pool, size_t n);

/* Same, zero-filled. */
void *dfx_pool_calloc(dfx_pool_t *pool, size_t n);

/* Copies len bytes and a terminating NUL into the pool. */
char *dfx_pool_strndup(dfx_pool_t *pool, const char *s, size_t len);

/* Bytes currently allocated from the system (for the RSS budget and
 * tests). */
size_t dfx_pool_size(const dfx_pool_t *pool);

#endif /* DFX_POOL_H */
