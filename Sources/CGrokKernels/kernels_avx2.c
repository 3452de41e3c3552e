// AVX2 + FMA instantiation of dot_simd.h: maddubs/madd stand in for VNNI's dpbusd.
#if defined(__x86_64__)
#include "internal.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#define ISA_FN(name) avx2_##name
#define DPBUSD(acc, u, s) _mm256_add_epi32((acc), _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), _mm256_set1_epi16(1)))
#include "dot_simd.h"
void grok_matmul_avx2(int type, const void *w, size_t wrb, int64_t n, int64_t r0, int64_t r1, const void *x,
                      size_t xrb, int64_t cols, float *out, int64_t os, int alone) {
    avx2_matmul(type, w, wrb, n, r0, r1, x, xrb, cols, out, os, alone);
}
#pragma clang attribute pop
#endif
