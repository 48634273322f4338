/*
 * dfx_pool.c: region allocator.  Blocks are chained; allocation bumps a
 * pointer; a request larger than a block gets a block of its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_pool.h"

#define DFX_POOL_ALIGN  16

typedef struct dfx_pool_block_s  dfx_pool_block_t;

struct dfx_pool_block_s {
    dfx_pool_block_t  *next;
    size_t             size;     /* usable bytes after the header */
    size_t             used;
    /* payload follows, aligned */
};

struct dfx_pool_s {
    dfx_pool_block_t  *head;     /* current block; older ones follow */
    size_t             block_size;
    size_t             total;
};

#define DFX_POOL_HDR \
    ((sizeof(dfx_pool_block_t) + DFX_POOL_ALIGN - 1) & ~(size_t) (DFX_POOL_ALIGN - 1))

static dfx_pool_block_t *
dfx_pool_block_new(dfx_pool_t *pool, size_t size)
{
    dfx_pool_block_t  *b;

    b = malloc(DFX_POOL_HDR + size);
    if (b == NULL) {
        return NULL;
    }
    b->size = size;
    b->used = 0;
    pool->total += DFX_POOL_HDR + size;
    return b;
}

dfx_pool_t *
dfx_pool_create(size_t block_size)
{
    dfx_pool_t  *pool;

    pool = calloc(1, sizeof(*pool));
    if (pool == NULL) {
        return NULL;
    }
    pool->block_size = block_size < 1024 ? 1024 : block_size;
    return pool;
}

void
dfx_pool_destroy(dfx_pool_t *pool)
{
    dfx_pool_block_t  *b, *next;

    if (pool == NULL) {
        return;
    }
    for (b = pool->head; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    free(pool);
}

void
dfx_pool_reset(dfx_pool_t *pool)
{
    dfx_pool_block_t  *b, *next, *keep = NULL;

    /* keep one block of the standard size: oversized ones were for one
     * unusual request and should not pin memory */
    for (b = pool->head; b != NULL; b = next) {
        next = b->next;
        if (keep == NULL && b->size == pool->block_size) {
            keep = b;
            continue;
        }
        pool->total -= DFX_POOL_HDR + b->size;
        free(b);
    }
    if (keep != NULL) {
        keep->next = NULL;
        keep->used = 0;
    }
    pool->head = keep;
}

void *
dfx_pool_alloc(dfx_pool_t *pool, size_t n)
{
    dfx_pool_block_t  *b;
    size_t             size;

    n = (n + DFX_POOL_ALIGN - 1) & ~(size_t) (DFX_POOL_ALIGN - 1);
    if (n == 0) {
        n = DFX_POOL_ALIGN;
    }

    b = pool->head;
    if (b == NULL || b->size - b->used < n) {
        size = n > pool->block_size ? n : pool->block_size;
        b = dfx_pool_block_new(pool, size);
        if (b == NULL) {
            return NULL;
        }
        if (size > pool->block_size && pool->head != NULL) {
            /* an oversized block is full at once: keep bumping the
             * current one */
            b->next = pool->head->next;
            pool->head->next = b;
        } else {
            b->next = pool->head;
            pool->head = b;
        }
    }

    b->used += n;
    return (char *) b + DFX_POOL_HDR + b->used - n;
}

void *
dfx_pool_calloc(dfx_pool_t *pool, size_t n)
{
    void  *p = dfx_pool_alloc(pool, n);

    if (p != NULL) {
        memset(p, 0, n);
    }
    return p;
}

char *
dfx_pool_strndup(dfx_pool_t *pool, const char *s, size_t len)
{
    char  *p = dfx_pool_alloc(pool, len + 1);

    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

size_t
dfx_pool_size(const dfx_pool_t *pool)
{
    return pool->total;
}
