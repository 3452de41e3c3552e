// The AVX-512 VNNI kernel over packed weights (see packed.c): sixteen weight rows per 512-bit
// register, one activation column at a time.
//
// For every (16 rows, column, block) the work is one scale product, then per 4-element group a
// dpbusd (weights unsigned + 128, the column's four activations broadcast as the signed operand,
// started at −128 · their sum so the result is the exact signed dot), a conversion and an fmadd:
// the same per-lane chain as ggml's one-row kernel, with rows in the lanes instead of groups.
#if defined(__x86_64__)
#include <immintrin.h>
#include "internal.h"
#include "blocks.h"
#include "prefetch.h"

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))), apply_to = function)

/// The integer dots are turned into floats without a conversion instruction (which would share
/// one port with dpbusd): a dot p starts from MAGIC_BITS, the float 1.5 · 2^23, so the bits
/// read as a float are exactly 1.5 · 2^23 + p (|p| < 2^22), and subtracting 1.5 · 2^23 leaves p.
#define MAGIC_BITS 0x4B400000
#define MAGIC_FLOAT 12582912.0f

/// One activation block, ready for the kernel: signed bytes as eight dwords (each broadcast
/// whole), MAGIC_BITS − 128 · the sum of each dword's bytes, and the block's scale.
typedef struct {
    int32_t ys[8];
    int32_t start[8];
    float d;
    float s;  // Q8_1's scaled sum (beside Q4_1/Q5_1)
    float pad[2];
} packed_act;

static int with_minimum(int type) { return type == GROK_TYPE_Q4_1 || type == GROK_TYPE_Q5_1; }

/// Activation blocks: Q8_0's (stored + 128) or, beside Q4_1/Q5_1, Q8_1's (signed, with s).
static void prepare_acts(int type, const uint8_t *x, size_t xrb, int64_t cols, int64_t blocks, packed_act *acts) {
    const __m256i bias = _mm256_set1_epi8((char)0x80);
    for (int64_t c = 0; c < cols; c++) {
        for (int64_t b = 0; b < blocks; b++) {
            packed_act *a = acts + c * blocks + b;
            __m256i y;
            if (with_minimum(type)) {
                const block_q8_1x *yb = (const block_q8_1x *)(x + c * xrb) + b;
                y = _mm256_loadu_si256((const __m256i *)yb->qs);
                a->d = yb->d;
                a->s = yb->s;
            } else {
                const block_q8_0a *yb = (const block_q8_0a *)(x + c * xrb) + b;
                y = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)yb->qb), bias);
                a->d = yb->d;
                a->s = 0;
            }
            _mm256_storeu_si256((__m256i *)a->ys, y);
            // dpbusd(0, 128, y) = 128 · Σ y per dword; the kernel starts from its negation.
            __m256i sums = _mm256_dpbusd_epi32(_mm256_setzero_si256(), bias, y);
            _mm256_storeu_si256((__m256i *)a->start, _mm256_sub_epi32(_mm256_set1_epi32(MAGIC_BITS), sums));
        }
    }
}

/// A nibble format's block → sixteen rows of unsigned (+128) bytes per group, like Q8_0's packed
/// form: Q4_0/Q5_0 values less their offset, Q4_1/Q5_1 values as they are, IQ4_NL's table.
static void unpack_nibbles(int type, const uint8_t *block, uint8_t *q) {
    const __m512i low = _mm512_set1_epi8(0x0F);
    const int five = type == GROK_TYPE_Q5_0 || type == GROK_TYPE_Q5_1;
    const __m512i offset = _mm512_set1_epi8(type == GROK_TYPE_Q5_0 ? 112 : type == GROK_TYPE_Q4_0 ? 120 : (char)128);
    const __m512i table = _mm512_add_epi8(_mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)grok_iq4nl_values)),
                                          _mm512_set1_epi8((char)128));
    const uint8_t *qs;
    const uint64_t *hmask = NULL;
    switch (type) {
    case GROK_TYPE_Q5_0: qs = ((const block_q5_0p *)block)->qs[0]; hmask = ((const block_q5_0p *)block)->hmask; break;
    case GROK_TYPE_Q5_1: qs = ((const block_q5_1p *)block)->qs[0]; hmask = ((const block_q5_1p *)block)->hmask; break;
    case GROK_TYPE_Q4_1: qs = ((const block_q4_1p *)block)->qs[0]; break;
    default: qs = ((const block_q4_0p *)block)->qs[0]; break;
    }
    for (int i = 0; i < 4; i++) {
        __m512i raw = _mm512_loadu_si512(qs + 64 * i);
        __m512i a = _mm512_and_si512(raw, low), b = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low);
        if (type == GROK_TYPE_IQ4_NL) {
            a = _mm512_shuffle_epi8(table, a);
            b = _mm512_shuffle_epi8(table, b);
        } else {
            a = _mm512_add_epi8(a, offset);
            b = _mm512_add_epi8(b, offset);
        }
        if (five) {
            a = _mm512_mask_add_epi8(a, hmask[i], a, _mm512_set1_epi8(16));
            b = _mm512_mask_add_epi8(b, hmask[i + 4], b, _mm512_set1_epi8(16));
        }
        _mm512_storeu_si512(q + 64 * i, a);
        _mm512_storeu_si512(q + 64 * (i + 4), b);
    }
}

#define GROUP(i)                                                                                          \
    do {                                                                                                  \
        __m512i p = _mm512_dpbusd_epi32(_mm512_set1_epi32(a->start[i]), _mm512_loadu_si512(q + 64 * (i)), \
                                        _mm512_set1_epi32(a->ys[i]));                                     \
        acc##i = _mm512_fmadd_ps(dd, _mm512_sub_ps(_mm512_castsi512_ps(p), magic), acc##i);             \
    } while (0)

/// Sixteen rows · one column: `scales` holds blocks × 16 f32 weight scales, `q` the blocks'
/// unsigned weights `stride` bytes apart; `mins` (Q4_1/Q5_1, else NULL) the rows' minimums,
/// whose chain m · s is added last, as the file-layout kernels add it.
static inline __attribute__((always_inline)) void rows16_column(const float *scales, const float *mins, const uint8_t *q0,
                                                                size_t stride, const packed_act *acts, int64_t blocks,
                                                                float *out, grok_prefetcher *prefetch) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    __m512 acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0, minimum = acc0;
    const __m512 magic = _mm512_set1_ps(MAGIC_FLOAT);
    for (int64_t b = 0; b < blocks; b++) {
        grok_prefetch_step(prefetch);
        const packed_act *a = acts + b;
        const uint8_t *q = q0 + b * stride;
        __m512 dd = _mm512_mul_ps(_mm512_loadu_ps(scales + 16 * b), _mm512_set1_ps(a->d));
        GROUP(0); GROUP(1); GROUP(2); GROUP(3); GROUP(4); GROUP(5); GROUP(6); GROUP(7);
        if (mins) minimum = _mm512_fmadd_ps(_mm512_loadu_ps(mins + 16 * b), _mm512_set1_ps(a->s), minimum);
    }
    // ggml's eight-lane sum, lane by lane: ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)).
    __m512 even = _mm512_add_ps(_mm512_add_ps(acc0, acc4), _mm512_add_ps(acc2, acc6));
    __m512 odd = _mm512_add_ps(_mm512_add_ps(acc1, acc5), _mm512_add_ps(acc3, acc7));
    __m512 sum = _mm512_add_ps(even, odd);
    _mm512_storeu_ps(out, mins ? _mm512_add_ps(sum, minimum) : sum);
}


void grok_matmul_packed_vnni(int type, const void *packed, int64_t n, int64_t g0, int64_t g1, const void *x,
                             size_t xrb, int64_t cols, float *out, int64_t os) {
    int64_t blocks = n / 32;
    size_t bytes = grok_packed_block_bytes(type);
    packed_act *acts = grok_scratch(GROK_SCRATCH_ACTS, (size_t)(cols * blocks) * sizeof(packed_act));
    float *scales = grok_scratch(GROK_SCRATCH_SCALES, (size_t)blocks * 16 * sizeof(float));
    uint8_t *weights = type == GROK_TYPE_Q8_0 ? NULL : grok_scratch(GROK_SCRATCH_WEIGHTS, (size_t)blocks * 512);
    float *mins = with_minimum(type) ? grok_scratch(GROK_SCRATCH_MINS, (size_t)blocks * 16 * sizeof(float)) : NULL;
    prepare_acts(type, x, xrb, cols, blocks, acts);
    for (int64_t g = g0; g < g1; g++) {
        const uint8_t *group = (const uint8_t *)packed + (size_t)g * blocks * bytes;
        // The next group streams in while this one is computed (see prefetch.h).
        grok_prefetcher prefetch = grok_prefetcher_make(group + blocks * bytes, blocks * bytes, blocks * (cols + 1));
        for (int64_t b = 0; b < blocks; b++) {
            const uint8_t *block = group + b * bytes;
            grok_prefetch_step(&prefetch);
            _mm512_storeu_ps(scales + 16 * b, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)block)));
            if (mins) _mm512_storeu_ps(mins + 16 * b, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(block + 32))));
            if (weights) unpack_nibbles(type, block, weights + 512 * b);
        }
        const uint8_t *q = weights ? weights : group + offsetof(block_q8_0p, q);
        size_t stride = weights ? 512 : bytes;
        for (int64_t c = 0; c < cols; c++) {
            if (mins) rows16_column(scales, mins, q, stride, acts + c * blocks, blocks, out + c * os + g * 16, &prefetch);
            else rows16_column(scales, NULL, q, stride, acts + c * blocks, blocks, out + c * os + g * 16, &prefetch);
        }
    }
}

#pragma clang attribute pop
#endif
