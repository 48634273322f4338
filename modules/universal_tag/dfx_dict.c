/*
 * dfx_dict.c: the universal-tag dictionary: its tables, the lookups of
 * the encoder, loading a file, and the lock-free publication of the
 * current one.  Reading a document is dfx_dict_parse.c's.
 *
 * Lookups come at random ids, some 30 per record, and miss the caches
 * (with a 10,000-pod dictionary they were most of what translation
 * costs): a map's slot is one cache line that holds the key and the name
 * itself, so that a lookup costs one miss where a slot pointing at its
 * name cost two.  Names longer than a slot holds (rare: k8s names of 47
 * characters and more) go to one array of names.  A table is at most 70%
 * full and doubles when an entry would pass that, so its size follows
 * the distinct ids: 64 to 128 bytes per entry, a pod map of 10,000
 * entries is 1 MiB.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "dfx_core.h"
#include "dfx_stats.h"
#include "universal_tag/dfx_dict_int.h"

/*
 * Gives freed memory back to the system: glibc keeps it for reuse, and a
 * daemon that replaced a 100,000-pod dictionary (80 MB) twice stayed 40
 * MB larger without a trim (after a first load it gives back under 1 MB,
 * the tables that growth left behind).  Loads are rare (start-up, SIGHUP,
 * PUT /v1/dictionary) and happen on the main thread: the few milliseconds
 * of the trim are paid there.
 */
static void
dfx_dict_trim(void)
{
#ifdef __GLIBC__
    (void) malloc_trim(0);
#endif
}

/* ---- hash tables -------------------------------------------------- */

/* Makes room for one more key, the table staying at most 70% full: the
 * first table has 8 slots, a full one doubles (the slots move as they
 * are, names and all).  Returns 0 or -1 on ENOMEM (t unchanged). */
int
dfx_dict_tab_room(dfx_dict_tab_t *t)
{
    dfx_dict_slot_t  *slots, *sl;
    size_t            size, old, i;

    old = t->slots != NULL ? (size_t) t->mask + 1 : 0;
    if (old != 0 && ((size_t) t->n + 1) * 10 <= old * 7) {
        return 0;
    }
    size = old != 0 ? old * 2 : 8;
    if (size > (size_t) UINT32_MAX / 2 + 1) {
        return -1;
    }
    slots = aligned_alloc(64, size * sizeof(dfx_dict_slot_t));
    if (slots == NULL) {
        return -1;
    }
    memset(slots, 0, size * sizeof(dfx_dict_slot_t));
    for (i = 0; i < old; i++) {
        if (t->slots[i].off == DFX_DICT_EMPTY) {
            continue;
        }
        for (sl = &slots[dfx_dict_hash(((uint64_t) t->slots[i].hi << 32)
                                       | t->slots[i].lo) & (size - 1)];
             sl->off != DFX_DICT_EMPTY;
             sl = &slots[(size_t) (sl - slots + 1) & (size - 1)])
        {
            /* void */
        }
        *sl = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->mask = (uint32_t) (size - 1);
    return 0;
}

int
dfx_dict_name(const dfx_dict_t *d, dfx_dict_map_t map, uint64_t key,
              dfx_str_t *name)
{
    const dfx_dict_tab_t   *t;
    const dfx_dict_slot_t  *sl;

    name->len = 0;
    name->data = NULL;
    if (d == NULL || (unsigned) map >= DFX_DICT_NMAPS) {
        return 0;
    }
    t = &d->maps[map];
    if (t->slots == NULL) {
        return 0;
    }
    sl = dfx_dict_tab_slot(t, key);
    if (sl->off == DFX_DICT_EMPTY) {
        return 0;
    }
    name->data = sl->off == DFX_DICT_IN_SLOT ? sl->text : d->names + sl->off;
    name->len = sl->len;
    return 1;
}

const dfx_dict_labels_t *
dfx_dict_pod_labels(const dfx_dict_t *d, uint32_t pod_id)
{
    uint32_t  i;

    if (d == NULL || d->lslots == NULL) {
        return NULL;
    }
    for (i = dfx_dict_hash(pod_id) & d->lmask; d->lslots[i].labels != NULL;
         i = (i + 1) & d->lmask)
    {
        if (d->lslots[i].key == pod_id) {
            return d->lslots[i].labels;
        }
    }
    return NULL;
}

/* The labels' slot of pod, after making room for one more pod (the table
 * stays at most half full).  NULL on ENOMEM. */
dfx_dict_lslot_t *
dfx_dict_lslot(dfx_dict_t *d, uint64_t pod)
{
    dfx_dict_lslot_t  *ls, *e;
    size_t             size, old, i, j;

    old = d->lslots != NULL ? (size_t) d->lmask + 1 : 0;
    if (old == 0 || ((size_t) d->npods + 1) * 2 > old) {
        size = old != 0 ? old * 2 : 8;
        if (size > (size_t) UINT32_MAX / 2 + 1) {
            return NULL;
        }
        ls = calloc(size, sizeof(dfx_dict_lslot_t));
        if (ls == NULL) {
            return NULL;
        }
        for (i = 0; i < old; i++) {
            e = &d->lslots[i];
            if (e->labels == NULL) {
                continue;
            }
            for (j = dfx_dict_hash(e->key) & (size - 1); ls[j].labels != NULL;
                 j = (j + 1) & (size - 1))
            {
                /* void */
            }
            ls[j] = *e;
        }
        free(d->lslots);
        d->lslots = ls;
        d->lmask = (uint32_t) (size - 1);
    }

    for (i = dfx_dict_hash(pod) & d->lmask; d->lslots[i].labels != NULL;
         i = (i + 1) & d->lmask)
    {
        if (d->lslots[i].key == pod) {
            break;
        }
    }
    return &d->lslots[i];
}

/* ---- loading ------------------------------------------------------ */

dfx_dict_t *
dfx_dict_parse(const char *json, size_t len, char *err, size_t errlen)
{
    dfx_dict_t  *d;

    d = dfx_dict_parse_doc(json, len, err, errlen);
    if (d == NULL) {
        dfx_stats_add(DFX_STAT_dictionary_loads_total, -1, -1,
                      DFX_REASON_ERROR, 1);
    }
    dfx_dict_trim();
    return d;
}

dfx_dict_t *
dfx_dict_load(const char *path, char *err, size_t errlen)
{
    FILE        *f = NULL;
    char        *buf = NULL;
    dfx_dict_t  *d = NULL;
    size_t       len = 0, cap = 0, n;
    char         perr[256];
    char        *nbuf;

    f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto cleanup;
    }

    for (;;) {
        if (cap - len < 65536) {
            if (cap > DFX_DICT_MAX_BYTES) {
                snprintf(err, errlen, "%s: larger than %u MiB", path,
                         DFX_DICT_MAX_BYTES / (1024 * 1024));
                goto cleanup;
            }
            cap = cap ? cap * 2 : 262144;
            nbuf = realloc(buf, cap);
            if (nbuf == NULL) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto cleanup;
            }
            buf = nbuf;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto cleanup;
    }

    d = dfx_dict_parse_doc(buf, len, perr, sizeof(perr));
    if (d == NULL) {
        snprintf(err, errlen, "%s: %s", path, perr);
    }

cleanup:
    if (d == NULL) {
        dfx_stats_add(DFX_STAT_dictionary_loads_total, -1, -1,
                      DFX_REASON_ERROR, 1);
    }
    if (f != NULL) {
        fclose(f);
    }
    free(buf);
    dfx_dict_trim();
    return d;
}

uint64_t
dfx_dict_version(const dfx_dict_t *d)
{
    return d ? d->version : 0;
}

size_t
dfx_dict_entries(const dfx_dict_t *d)
{
    return d ? d->entries : 0;
}

void
dfx_dict_free(dfx_dict_t *d)
{
    unsigned  i;

    if (d == NULL) {
        return;
    }
    for (i = 0; i < DFX_DICT_NMAPS; i++) {
        free(d->maps[i].slots);
    }
    free(d->lslots);
    dfx_pool_destroy(d->pool);
    free(d->names);
    free(d);
}

/* ---- publication -------------------------------------------------- */

/*
 * Readers must never wait, and a reader that has loaded the pointer must
 * be able to take its reference before the dictionary can be freed.
 * Readers announce themselves in one of two counters (the current epoch's)
 * for the few instructions between loading the pointer and incrementing
 * its count.  A publisher swaps the pointer, flips the epoch so new
 * readers use the other counter, waits for the old counter to drain (a
 * handful of instructions per reader), and only then drops the
 * reference the pointer held.  Publishers are serialised by a mutex; they
 * are rare (start-up, SIGHUP, PUT /v1/dictionary).
 */
static _Atomic(dfx_dict_t *)  dfx_dict_cur;
static atomic_uint            dfx_dict_readers[2];
static atomic_uint            dfx_dict_epoch;
static pthread_mutex_t        dfx_dict_publish_lock = PTHREAD_MUTEX_INITIALIZER;

const dfx_dict_t *
dfx_dict_acquire(void)
{
    dfx_dict_t  *d;
    unsigned     e;

    for (;;) {
        e = atomic_load(&dfx_dict_epoch) & 1;
        atomic_fetch_add(&dfx_dict_readers[e], 1);
        if ((atomic_load(&dfx_dict_epoch) & 1) == e) {
            break;
        }
        /* a publisher flipped the epoch meanwhile: it may not wait for
         * this counter, so announce again in the new one */
        atomic_fetch_sub(&dfx_dict_readers[e], 1);
    }

    d = atomic_load(&dfx_dict_cur);
    if (d != NULL) {
        atomic_fetch_add_explicit(&d->refs, 1, memory_order_relaxed);
    }
    atomic_fetch_sub(&dfx_dict_readers[e], 1);
    return d;
}

/* Drops a reference; 1 when it was the last one (d is freed). */
static int
dfx_dict_unref(dfx_dict_t *d)
{
    if (d == NULL
        || atomic_fetch_sub_explicit(&d->refs, 1, memory_order_acq_rel) != 1)
    {
        return 0;
    }
    dfx_dict_free(d);
    return 1;
}

void
dfx_dict_release(const dfx_dict_t *cd)
{
    (void) dfx_dict_unref((dfx_dict_t *) (uintptr_t) cd);
}

void
dfx_dict_publish(dfx_dict_t *d)
{
    dfx_dict_t  *old;
    unsigned     e;

    pthread_mutex_lock(&dfx_dict_publish_lock);

    old = atomic_exchange(&dfx_dict_cur, d);
    e = atomic_load(&dfx_dict_epoch) & 1;
    atomic_store(&dfx_dict_epoch, e ^ 1);
    while (atomic_load(&dfx_dict_readers[e]) != 0) {
        sched_yield();
    }

    pthread_mutex_unlock(&dfx_dict_publish_lock);

    dfx_stats_set(DFX_STAT_dictionary_loaded, -1, -1, -1, d != NULL);
    if (d != NULL) {
        dfx_stats_add(DFX_STAT_dictionary_loads_total, -1, -1, DFX_REASON_OK,
                      1);
    }
    /* a replaced dictionary that no request holds goes now: its memory
     * too (a request that still holds it frees it later, untrimmed) */
    if (dfx_dict_unref(old)) {
        dfx_dict_trim();
    }
}
