// Run-time choice of instruction set: the best the CPU has, lowered on request (tests).
#include <stdlib.h>
#include "internal.h"

static int best_isa(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return GROK_ISA_AVX512_VNNI;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c"))
        return GROK_ISA_AVX2;
#endif
    return GROK_ISA_PORTABLE;
}

static int chosen = -1;

int grok_kernels_isa(void) {
    int isa = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (isa < 0) {
        isa = best_isa();
        __atomic_store_n(&chosen, isa, __ATOMIC_RELAXED);
    }
    return isa;
}

int grok_kernels_set_isa(int isa) {
    int best = best_isa();
    int set = isa < best ? (isa < 0 ? 0 : isa) : best;
    __atomic_store_n(&chosen, set, __ATOMIC_RELAXED);
    return set;
}

const char *grok_kernels_isa_name(int isa) {
    switch (isa) {
    case GROK_ISA_AVX512_VNNI: return "avx512-vnni";
    case GROK_ISA_AVX2: return "avx2";
    default: return "portable";
    }
}

static void matmul(int type, const void *w, size_t wrb, int64_t n, int64_t r0, int64_t r1, const void *x, size_t xrb,
                   int64_t cols, float *out, int64_t os, int alone) {
    switch (grok_kernels_isa()) {
#if defined(__x86_64__)
    case GROK_ISA_AVX512_VNNI: grok_matmul_vnni(type, w, wrb, n, r0, r1, x, xrb, cols, out, os, alone); return;
    case GROK_ISA_AVX2: grok_matmul_avx2(type, w, wrb, n, r0, r1, x, xrb, cols, out, os, alone); return;
#endif
    default: grok_matmul_portable(type, w, wrb, n, r0, r1, x, xrb, cols, out, os, alone); return;
    }
}

void grok_matmul(int type, const void *w, size_t wrb, int64_t n, int64_t r0, int64_t r1, const void *x, size_t xrb,
                 int64_t cols, float *out, int64_t os) {
    matmul(type, w, wrb, n, r0, r1, x, xrb, cols, out, os, 0);
}

void grok_matmul_rows_alone(int type, const void *w, size_t wrb, int64_t n, int64_t r0, int64_t r1, const void *x,
                            size_t xrb, int64_t cols, float *out, int64_t os) {
    matmul(type, w, wrb, n, r0, r1, x, xrb, cols, out, os, 1);
}

float grok_dot(int type, const void *w, const void *x, int64_t n) {
    float out = 0;
    grok_matmul(type, w, 0, n, 0, 1, x, 0, 1, &out, 1);
    return out;
}

int grok_packed_preferred(void) { return grok_kernels_isa() == GROK_ISA_AVX512_VNNI; }

void grok_matmul_packed(int type, const void *packed, int64_t n, int64_t r0, int64_t r1, const void *x, size_t xrb,
                        const grok_row_group *groups, int64_t group_count, float *out, int64_t os) {
    // Callers check grok_packed_preferred() and pass whole groups of sixteen rows. (A test may
    // lower the level meanwhile: the packed kernels still run, and give the same numbers.)
    if (best_isa() != GROK_ISA_AVX512_VNNI || r0 % 16 || r1 % 16 || group_count <= 0) abort();
    int64_t first = groups[0].start;
    int64_t cols = groups[group_count - 1].start + groups[group_count - 1].count - first;
    const uint8_t *xs = (const uint8_t *)x + first * xrb;
    float *o = out + first * os;
#if defined(__x86_64__)
    if (type == GROK_TYPE_Q4_K || type == GROK_TYPE_Q6_K) {
        // Which rows take llama.cpp's batch rounding: Q4_K whole tiles of four in a batch
        // group, Q6_K every row of a batch group of at least 8.
        uint8_t *batch = grok_scratch(GROK_SCRATCH_MODES, (size_t)cols);
        for (int64_t g = 0; g < group_count; g++) {
            const grok_row_group *group = &groups[g];
            for (int64_t i = 0; i < group->count; i++) {
                int tiled = type == GROK_TYPE_Q4_K ? i < group->count / 4 * 4 : group->count >= GROK_TILED_MIN_ROWS;
                batch[group->start - first + i] = !group->alone && tiled;
            }
        }
        grok_matmul_packed_kquant_vnni(type, packed, n, r0 / 16, r1 / 16, xs, xrb, cols, batch, o, os);
    } else {
        // The 32-element formats round every row alike, whatever its group.
        grok_matmul_packed_vnni(type, packed, n, r0 / 16, r1 / 16, xs, xrb, cols, o, os);
    }
#endif
}
