// Per-thread scratch buffers for the packed kernels, freed when the thread ends.
#include <pthread.h>
#include <stdlib.h>
#include "internal.h"

typedef struct {
    void *base[GROK_SCRATCH_SLOTS];
    size_t size[GROK_SCRATCH_SLOTS];
} thread_buffers;

static pthread_key_t buffer_key;
static pthread_once_t buffer_once = PTHREAD_ONCE_INIT;

static void free_buffers(void *p) {
    thread_buffers *t = p;
    for (int i = 0; i < GROK_SCRATCH_SLOTS; i++) free(t->base[i]);
    free(t);
}

static void make_key(void) { pthread_key_create(&buffer_key, free_buffers); }

void *grok_scratch(int slot, size_t bytes) {
    pthread_once(&buffer_once, make_key);
    thread_buffers *t = pthread_getspecific(buffer_key);
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t) abort();
        pthread_setspecific(buffer_key, t);
    }
    if (t->size[slot] < bytes) {
        free(t->base[slot]);
        size_t size = bytes < 4096 ? 4096 : bytes;
        if (posix_memalign(&t->base[slot], 64, size)) abort();
        t->size[slot] = size;
    }
    return t->base[slot];
}
