// Spreading the prefetch of the next group of packed rows over the work on the current one.
//
// The packed kernels read each group of sixteen rows from memory once and then compute on it
// from L1 for every column. Asking for the whole next group at once would overflow the
// line-fill buffers (the extra prefetches are dropped); asking for a few lines per block of
// work keeps memory busy the whole time without that.
#ifndef GROK_PREFETCH_H
#define GROK_PREFETCH_H
#include <immintrin.h>
#include <stddef.h>

typedef struct {
    const char *next;
    size_t offset, end, perStep;
} grok_prefetcher;

/// Prefetches `bytes` at `next` in `steps` calls of grok_prefetch_step.
static inline grok_prefetcher grok_prefetcher_make(const void *next, size_t bytes, size_t steps) {
    size_t lines = (bytes + 63) / 64;
    grok_prefetcher p = {(const char *)next, 0, bytes, (lines + steps - 1) / (steps ? steps : 1)};
    return p;
}

static inline void grok_prefetch_step(grok_prefetcher *p) {
    for (size_t i = 0; i < p->perStep && p->offset < p->end; i++, p->offset += 64)
        _mm_prefetch(p->next + p->offset, _MM_HINT_T0);
}
#endif
