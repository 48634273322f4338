/*
 * dfx_core.h: return codes and invariants shared by every subsystem.
 */
#ifndef DFX_CORE_H
#define DFX_CORE_H

#include <stdio.h>
#include <stdlib.h>

#define DFX_OK      0
#define DFX_ERROR  -1
#define DFX_DROP   -2     /* a chain stage filtered the record out */
#define DFX_SKIP   -3     /* a stage's init: leave me out of this chain */
#define DFX_AGAIN  -4     /* try later (budget full) */

#define dfx_nelems(a)  (sizeof(a) / sizeof((a)[0]))

/* Stays on in release builds: only for cheap invariants whose failure
 * means memory is already corrupt. */
#define dfx_assert(expr)                                                    \
    do {                                                                    \
        if (!(expr)) {                                                      \
            fprintf(stderr, "dfexport: %s:%d: assertion \"%s\" failed\n",   \
                    __FILE__, __LINE__, #expr);                             \
            abort();                                                        \
        }                                                                   \
    } while (0)

#define DFX_UNUSED(x)  (void) (x)

#endif /* DFX_CORE_H */
