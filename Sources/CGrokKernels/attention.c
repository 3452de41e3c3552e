// Attention over an f16 cache, computed as llama.cpp's CPU flash attention computes it on a
// CPU with AVX-512 FP16 (where the reference outputs come from): q·k summed in f32 in ggml's
// order; the running value sum held in f16, scaled and accumulated with f16 weights, each step
// rounded once. Without native f16 arithmetic the same roundings are reproduced exactly
// (products of f16 values are exact in f32/f64, and sums are rounded once through round-to-odd).
#include <math.h>
#include "blocks.h"
#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// MARK: scores

/// ggml's f16 dot product order: four 16-lane accumulators over 64-element steps, combined
/// (a0+a2)+(a1+a3), then halved 16→8→4 lanes and summed (v0+v2)+(v1+v3).
static float score_portable(const float *q, const uint16_t *k, int64_t size) {
    float lanes[4][16] = {{0}};
    for (int64_t i = 0; i < size; i += 64)
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < 16; l++) {
                int64_t e = i + 16 * j + l;
                lanes[j][l] = fmaf(q[e], grok_half_to_float(k[e]), lanes[j][l]);
            }
    float v[16], t8[8], t4[4];
    for (int l = 0; l < 16; l++) v[l] = (lanes[0][l] + lanes[2][l]) + (lanes[1][l] + lanes[3][l]);
    for (int l = 0; l < 8; l++) t8[l] = v[l + 8] + v[l];
    for (int l = 0; l < 4; l++) t4[l] = t8[l + 4] + t8[l];
    return (t4[0] + t4[2]) + (t4[1] + t4[3]);
}

// MARK: f16 accumulator steps, portable

static void scale_portable(uint16_t *acc, float factor, int64_t size) {
    double f = grok_half_to_float(grok_half_from_double(factor));
    for (int64_t i = 0; i < size; i++) acc[i] = grok_half_from_double(grok_half_to_float(acc[i]) * f);
}

static void mad_portable(uint16_t *acc, const uint16_t *v, float weight, int64_t size) {
    double w = grok_half_to_float(grok_half_from_double(weight));
    for (int64_t i = 0; i < size; i++)
        acc[i] = grok_half_from_double((double)grok_half_to_float(acc[i]) + (double)grok_half_to_float(v[i]) * w);
}

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

static float score_avx2(const float *q, const uint16_t *k, int64_t size) {
    __m256 a[8];
    for (int j = 0; j < 8; j++) a[j] = _mm256_setzero_ps();
    for (int64_t i = 0; i < size; i += 64)
        for (int j = 0; j < 8; j++) {
            __m256 x = _mm256_loadu_ps(q + i + 8 * j);
            __m256 y = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + i + 8 * j)));
            a[j] = _mm256_fmadd_ps(x, y, a[j]);
        }
    // a[2j] and a[2j+1] are the low and high halves of ggml's 16-lane accumulator j.
    __m256 low = _mm256_add_ps(_mm256_add_ps(a[0], a[4]), _mm256_add_ps(a[2], a[6]));
    __m256 high = _mm256_add_ps(_mm256_add_ps(a[1], a[5]), _mm256_add_ps(a[3], a[7]));
    __m256 t8 = _mm256_add_ps(high, low);
    __m128 t4 = _mm_add_ps(_mm256_extractf128_ps(t8, 1), _mm256_castps256_ps128(t8));
    float t[4];
    _mm_storeu_ps(t, t4);
    return (t[0] + t[2]) + (t[1] + t[3]);
}

/// Rounds four exact doubles to float with round-to-odd, so a later rounding to f16 is correct.
static __m128 round_to_odd(__m256d d) {
    __m128 f = _mm256_cvtpd_ps(d);
    __m256d back = _mm256_cvtps_pd(f);
    __m256d sign = _mm256_set1_pd(-0.0);
    __m256d over = _mm256_cmp_pd(_mm256_andnot_pd(sign, back), _mm256_andnot_pd(sign, d), _CMP_GT_OQ);
    __m256d inexact = _mm256_cmp_pd(back, d, _CMP_NEQ_UQ);
    const __m256i pick = _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0);
    __m128i over32 = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(over), pick));
    __m128i inexact32 = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(inexact), pick));
    __m128i bits = _mm_add_epi32(_mm_castps_si128(f), over32);  // one step toward zero where rounded away
    bits = _mm_or_si128(bits, _mm_and_si128(inexact32, _mm_set1_epi32(1)));
    return _mm_castsi128_ps(bits);
}

static void scale_avx2(uint16_t *acc, float factor, int64_t size) {
    __m256 f = _mm256_set1_ps(grok_half_to_float(grok_half_from_double(factor)));
    for (int64_t i = 0; i < size; i += 8) {
        __m256 y = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(acc + i)));
        // f16 × f16 is exact in f32: one rounding, to f16.
        _mm_storeu_si128((__m128i *)(acc + i), _mm256_cvtps_ph(_mm256_mul_ps(y, f), _MM_FROUND_TO_NEAREST_INT));
    }
}

static void mad_avx2(uint16_t *acc, const uint16_t *v, float weight, int64_t size) {
    __m256d w = _mm256_set1_pd(grok_half_to_float(grok_half_from_double(weight)));
    for (int64_t i = 0; i < size; i += 8) {
        __m256 y = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(acc + i)));
        __m256 x = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i)));
        __m256d lo = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(x)), w, _mm256_cvtps_pd(_mm256_castps256_ps128(y)));
        __m256d hi = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)), w, _mm256_cvtps_pd(_mm256_extractf128_ps(y, 1)));
        __m256 sum = _mm256_set_m128(round_to_odd(hi), round_to_odd(lo));
        _mm_storeu_si128((__m128i *)(acc + i), _mm256_cvtps_ph(sum, _MM_FROUND_TO_NEAREST_INT));
    }
}
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512fp16"))), apply_to = function)
static void scale_fp16(uint16_t *acc, float factor, int64_t size) {
    __m512h f = _mm512_set1_ph((_Float16)factor);
    for (int64_t i = 0; i < size; i += 32) _mm512_storeu_ph(acc + i, _mm512_mul_ph(_mm512_loadu_ph(acc + i), f));
}

static void mad_fp16(uint16_t *acc, const uint16_t *v, float weight, int64_t size) {
    __m512h w = _mm512_set1_ph((_Float16)weight);
    for (int64_t i = 0; i < size; i += 32)
        _mm512_storeu_ph(acc + i, _mm512_fmadd_ph(_mm512_loadu_ph(v + i), w, _mm512_loadu_ph(acc + i)));
}
#pragma clang attribute pop

static int has_fp16(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512fp16");
}
#endif

int grok_kernels_native_f16(void) {
#if defined(__x86_64__)
    return grok_kernels_isa() == GROK_ISA_AVX512_VNNI && has_fp16();
#else
    return 0;
#endif
}

typedef float (*score_fn)(const float *, const uint16_t *, int64_t);
typedef void (*scale_fn)(uint16_t *, float, int64_t);
typedef void (*mad_fn)(uint16_t *, const uint16_t *, float, int64_t);

void grok_attend_f16(const uint16_t *q, const uint16_t *keys, const uint16_t *values, int64_t stride, int64_t count,
                     int64_t size, float *out) {
    score_fn score = score_portable;
    scale_fn scale = scale_portable;
    mad_fn mad = mad_portable;
#if defined(__x86_64__)
    if (grok_kernels_isa() >= GROK_ISA_AVX2) {
        score = score_avx2;
        scale = scale_avx2;
        mad = mad_avx2;
    }
    if (grok_kernels_native_f16()) {
        scale = scale_fp16;
        mad = mad_fp16;
    }
#endif
    uint16_t acc[size];
    memset(acc, 0, sizeof(acc));
    // The query widened once (exactly) rather than at every position.
    float query[size];
    for (int64_t i = 0; i < size; i++) query[i] = grok_half_to_float(q[i]);
    float maximum = -INFINITY, total = 0;
    for (int64_t p = 0; p < count; p++) {
        float s = score(query, keys + p * stride, size);
        float shrink = 1, weight = 1;
        if (s > maximum) {
            float old = maximum;
            maximum = s;
            shrink = expf(old - maximum);
            scale(acc, shrink, size);
        } else {
            weight = expf(s - maximum);
        }
        mad(acc, values + p * stride, weight, size);
        total = fmaf(total, shrink, weight);
    }
    float inverse = total == 0 ? 0 : 1 / total;
    for (int64_t i = 0; i < size; i++) out[i] = grok_half_to_float(acc[i]) * inverse;
}
