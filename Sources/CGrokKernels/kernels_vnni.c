// AVX-512 VNNI instantiation of dot_simd.h: dpbusd on 256-bit registers.
#if defined(__x86_64__)
#include "internal.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))), apply_to = function)
#define ISA_FN(name) vnni_##name
#define DPBUSD(acc, u, s) _mm256_dpbusd_epi32((acc), (u), (s))
#define GROK_VNNI 1
#include "dot_simd.h"
void grok_matmul_vnni(int type, const void *w, size_t wrb, int64_t n, int64_t r0, int64_t r1, const void *x,
                      size_t xrb, int64_t cols, float *out, int64_t os, int alone) {
    vnni_matmul(type, w, wrb, n, r0, r1, x, xrb, cols, out, os, alone);
}
#pragma clang attribute pop
#endif
