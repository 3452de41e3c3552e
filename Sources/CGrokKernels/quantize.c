// Activation quantisation, rounding exactly as ggml does, and f16 row conversion.
#include <math.h>
#include "blocks.h"
#include "internal.h"

size_t grok_activation_row_bytes(int weight_type, int64_t n) {
    switch (weight_type) {
    case GROK_TYPE_Q4_0: case GROK_TYPE_Q5_0: case GROK_TYPE_Q8_0: case GROK_TYPE_IQ4_NL:
        return n % 32 == 0 ? (size_t)(n / 32) * sizeof(block_q8_0a) : 0;
    case GROK_TYPE_Q4_1: case GROK_TYPE_Q5_1:
        return n % 32 == 0 ? (size_t)(n / 32) * sizeof(block_q8_1x) : 0;
    case GROK_TYPE_Q2_K: case GROK_TYPE_Q3_K: case GROK_TYPE_Q4_K: case GROK_TYPE_Q5_K: case GROK_TYPE_Q6_K:
    case GROK_TYPE_IQ4_XS:
        return n % 256 == 0 ? (size_t)(n / 256) * sizeof(block_q8_K) : 0;
    case GROK_TYPE_F32: return (size_t)n * 4;
    case GROK_TYPE_F16: case GROK_TYPE_BF16: return (size_t)n * 2;
    default: return 0;
    }
}

/// ggml's 8-bit scale of 32 values: d = max|x|/127 (before f16 rounding) and the multiplier
/// 127/max|x| that the values are rounded with (0 for an all-zero block).
static float scale32(const float *x, float *inverse) {
    float amax = 0;
    for (int i = 0; i < 32; i++) amax = fmaxf(amax, fabsf(x[i]));
    *inverse = amax != 0 ? 127.0f / amax : 0.0f;
    return amax / 127.0f;
}

/// Q8_0: scale max|x|/127 stored as f16; values x·127/max rounded to nearest even.
static void quantize_q8_0(const float *x, block_q8_0a *y, int64_t n) {
    for (int64_t b = 0; b < n / 32; b++, x += 32) {
        float inverse;
        float d = scale32(x, &inverse);
        y[b].d = grok_half_to_float(grok_f16_from_f32(d));
        for (int i = 0; i < 32; i++) y[b].qb[i] = (uint8_t)((int)rintf(x[i] * inverse) + 128);
    }
}

/// Q8_1: as Q8_0, plus the f16 rounding of scale · Σq, the scale taken before its own rounding.
static void quantize_q8_1(const float *x, block_q8_1x *y, int64_t n) {
    for (int64_t b = 0; b < n / 32; b++, x += 32) {
        float inverse;
        float d = scale32(x, &inverse);
        int sum = 0;
        for (int i = 0; i < 32; i++) {
            int q = (int)rintf(x[i] * inverse);
            y[b].qs[i] = (int8_t)q;
            sum += q;
        }
        y[b].d = grok_half_to_float(grok_f16_from_f32(d));
        y[b].s = grok_half_to_float(grok_f16_from_f32(d * (float)sum));
    }
}

/// Q8_K: f32 scale from the value of largest magnitude (with its sign); per-16 sums.
static void quantize_q8_K(const float *x, block_q8_K *y, int64_t n) {
    for (int64_t b = 0; b < n / 256; b++, x += 256) {
        float amax = 0, extreme = 0;
        for (int i = 0; i < 256; i++) {
            float a = fabsf(x[i]);
            if (a > amax) { amax = a; extreme = x[i]; }
        }
        if (amax == 0) {
            memset(&y[b], 0, sizeof(block_q8_K));
            continue;
        }
        float inverse = -127.0f / extreme;
        for (int i = 0; i < 256; i++) {
            float v = rintf(inverse * x[i]);
            y[b].qs[i] = (int8_t)(v > 127 ? 127 : v);
        }
        for (int g = 0; g < 16; g++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) sum += y[b].qs[16 * g + i];
            y[b].bsums[g] = (int16_t)sum;
        }
        y[b].d = 1 / inverse;
    }
}

void grok_quantize_activation(int weight_type, const float *x, void *out, int64_t n) {
    switch (weight_type) {
    case GROK_TYPE_Q4_0: case GROK_TYPE_Q5_0: case GROK_TYPE_Q8_0: case GROK_TYPE_IQ4_NL:
        quantize_q8_0(x, out, n);
        break;
    case GROK_TYPE_Q4_1: case GROK_TYPE_Q5_1:
        quantize_q8_1(x, out, n);
        break;
    case GROK_TYPE_Q2_K: case GROK_TYPE_Q3_K: case GROK_TYPE_Q4_K: case GROK_TYPE_Q5_K: case GROK_TYPE_Q6_K:
    case GROK_TYPE_IQ4_XS:
        quantize_q8_K(x, out, n);
        break;
    case GROK_TYPE_F32:
        memcpy(out, x, (size_t)n * 4);
        break;
    case GROK_TYPE_F16:
        grok_f16_from_f32_row(x, out, n);
        break;
    case GROK_TYPE_BF16: {
        uint16_t *o = out;
        for (int64_t i = 0; i < n; i++) {
            uint32_t bits;
            memcpy(&bits, &x[i], 4);
            if ((bits & 0x7FFFFFFF) > 0x7F800000) o[i] = (uint16_t)((bits >> 16) | 64);  // quiet NaN
            else o[i] = (uint16_t)((bits + (0x7FFF + ((bits >> 16) & 1))) >> 16);
        }
        break;
    }
    default:
        break;
    }
}

uint16_t grok_f16_from_f32(float x) { return grok_half_from_double((double)x); }
float grok_f32_from_f16(uint16_t h) { return grok_half_to_float(h); }

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2,f16c"))) static void f16_row_f16c(const float *x, uint16_t *out, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) out[i] = grok_half_from_double((double)x[i]);
}
#endif

void grok_f16_from_f32_row(const float *x, uint16_t *out, int64_t n) {
#if defined(__x86_64__)
    if (grok_kernels_isa() >= GROK_ISA_AVX2) {
        f16_row_f16c(x, out, n);
        return;
    }
#endif
    for (int64_t i = 0; i < n; i++) out[i] = grok_half_from_double((double)x[i]);
}
