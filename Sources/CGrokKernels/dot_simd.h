// Dot-product kernels over 256-bit integer SIMD, included once per instruction set by
// kernels_avx2.c and kernels_vnni.c with DPBUSD, ISA_FN and the target pragma defined.
//
// Every kernel computes exact integer sums per block and accumulates floats in the same order
// as kernels_portable.c, so all paths give bit-identical results.
#include <immintrin.h>
#include <math.h>
#include "blocks.h"
#include "unpack.h"

#define TILE 4
#define TILE32 8
#define GROK_BAND_BYTES (16 * 1024)
/// Unpacked 32-element blocks per thread (36 bytes each: about 32 KB, to stay in L1).
#define GROK_UNPACK_BLOCKS 896
/// Unpacked K-quant blocks per thread (608 bytes each: about 39 KB).
#define GROK_UNPACK_KBLOCKS 64
/// Internal type: weights already unpacked to {f32 scale, 32 × i8}.
#define GROK_UNPACKED32 (-1)
#ifndef GROK_PREFETCH_BYTES
#define GROK_PREFETCH_BYTES 1536
#endif
// f16 scales through the F16C instruction (exact, like the portable conversion).
#define HALF(h) _cvtsh_ss(h)

static inline float ISA_FN(hsum)(__m256 v) {
    float lanes[8];
    _mm256_storeu_ps(lanes, v);
    return grok_hsum8(lanes);
}

static inline int32_t ISA_FN(hsum_i32)(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

/// Σ over 4-byte groups of u·s (u unsigned, s signed), one int32 per group.
static inline __m256i ISA_FN(dot_groups)(__m256i u, __m256i s) {
    return DPBUSD(_mm256_setzero_si256(), u, s);
}

/// 32 signed weights · 32 signed activations, per 4-byte group, with the sign trick.
static inline __m256i ISA_FN(dot_signed)(__m256i w, __m256i y) {
    return ISA_FN(dot_groups)(_mm256_sign_epi8(w, w), _mm256_sign_epi8(y, w));
}

static inline __m256i ISA_FN(nibbles32)(const uint8_t *qs) {
    __m128i t = _mm_loadu_si128((const __m128i *)qs);
    __m256i both = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

/// Prefetches the cache lines of a block GROK_PREFETCH_BYTES ahead (the weight stream).
static inline void ISA_FN(prefetch_block)(const uint8_t *block, size_t bytes) {
    for (size_t offset = 0; offset < bytes; offset += 64)
        _mm_prefetch((const char *)block + GROK_PREFETCH_BYTES + offset, _MM_HINT_T0);
}

/// 0xFF in byte j where bit j of the 32-bit word is set.
static inline __m256i ISA_FN(bits32)(const uint8_t *bits) {
    uint32_t word;
    memcpy(&word, bits, 4);
    const __m256i spread = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
    const __m256i select = _mm256_set1_epi64x((long long)0x8040201008040201ull);
    __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32((int)word), spread);
    return _mm256_cmpeq_epi8(_mm256_and_si256(bytes, select), select);
}

static inline __m256i ISA_FN(unpack_q8_0)(const block_q8_0 *b) {
    return _mm256_loadu_si256((const __m256i *)b->qs);
}
static inline __m256i ISA_FN(unpack_q4_0)(const block_q4_0 *b) {
    return _mm256_sub_epi8(ISA_FN(nibbles32)(b->qs), _mm256_set1_epi8(8));
}
static inline __m256i ISA_FN(unpack_q5_0)(const block_q5_0 *b) {
    __m256i high = _mm256_and_si256(ISA_FN(bits32)(b->qh), _mm256_set1_epi8(0x10));
    return _mm256_sub_epi8(_mm256_or_si256(ISA_FN(nibbles32)(b->qs), high), _mm256_set1_epi8(16));
}

static inline __m256i ISA_FN(unpack_iq4_nl)(const block_iq4_nl *b) {
    __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)grok_iq4nl_values));
    return _mm256_shuffle_epi8(table, ISA_FN(nibbles32)(b->qs));
}

/// Bytes of a block of the formats whose weights unpack to 32 signed bytes and one f16 scale.
static inline size_t ISA_FN(block32_bytes)(int type) {
    return type == GROK_TYPE_Q8_0 ? sizeof(block_q8_0) : type == GROK_TYPE_Q5_0 ? sizeof(block_q5_0) : sizeof(block_q4_0);
}

/// 32 signed weights of a Q8_0, Q4_0, Q5_0 or IQ4_NL block.
static inline __m256i ISA_FN(unpack32)(int type, const uint8_t *block) {
    return type == GROK_TYPE_Q8_0 ? ISA_FN(unpack_q8_0)((const block_q8_0 *)block)
         : type == GROK_TYPE_Q4_0 ? ISA_FN(unpack_q4_0)((const block_q4_0 *)block)
         : type == GROK_TYPE_IQ4_NL ? ISA_FN(unpack_iq4_nl)((const block_iq4_nl *)block)
                                  : ISA_FN(unpack_q5_0)((const block_q5_0 *)block);
}

/// Unpacks `rows` weight rows into {f32 scale, 32 × i8} blocks, once for all column tiles.
static void ISA_FN(unpack_rows32)(int type, const uint8_t *w, size_t wrb, int64_t blocks, int64_t rows,
                                  block_q8_0x *out) {
    const size_t bytes = ISA_FN(block32_bytes)(type);
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t b = 0; b < blocks; b++) {
            const uint8_t *block = w + r * wrb + b * bytes;
            _mm_prefetch((const char *)block + GROK_PREFETCH_BYTES, _MM_HINT_T0);
            _mm256_storeu_si256((__m256i *)out[r * blocks + b].qs, ISA_FN(unpack32)(type, block));
            uint16_t hd;
            memcpy(&hd, block, 2);
            out[r * blocks + b].d = HALF(hd);
        }
    }
}

/// The 32-element formats: one weight row against `nc` activation rows. Inlined with constant
/// `type` and `nc`, so the accumulators stay in registers. `scalesT` holds the activation
/// scales of the tile's columns block by block (TILE32 per block), or is NULL.
static inline __attribute__((always_inline)) void ISA_FN(block32_tile)(
    int type, const uint8_t *w, int64_t blocks, const uint8_t *x, size_t xrb, const int nc, float *out, int64_t os,
    const float *scalesT) {
    __m256 acc[TILE32];
    for (int c = 0; c < nc; c++) acc[c] = _mm256_setzero_ps();
    const size_t bytes = type == GROK_UNPACKED32 ? sizeof(block_q8_0x) : ISA_FN(block32_bytes)(type);
    for (int64_t b = 0; b < blocks; b++) {
        const uint8_t *block = w + b * bytes;
        __m256i wq;
        float dw;
        if (type == GROK_UNPACKED32) {
            wq = _mm256_loadu_si256((const __m256i *)((const block_q8_0x *)block)->qs);
            dw = ((const block_q8_0x *)block)->d;
        } else {
            // Weights stream from memory once per token: ask for them well ahead of use.
            _mm_prefetch((const char *)block + GROK_PREFETCH_BYTES, _MM_HINT_T0);
            wq = ISA_FN(unpack32)(type, block);
            uint16_t hd;
            memcpy(&hd, block, 2);
            dw = HALF(hd);
        }
        // The block's scale times each column's: the same single products as dw · d_c.
        float dd[TILE32];
        if (scalesT) {
            _mm256_storeu_ps(dd, _mm256_mul_ps(_mm256_set1_ps(dw), _mm256_loadu_ps(scalesT + b * TILE32)));
        } else {
            for (int c = 0; c < nc; c++) dd[c] = dw * ((const block_q8_0a *)(x + c * xrb) + b)->d;
        }
#if defined(GROK_VNNI)
        // Activations are stored +128 (unsigned): Σ(y+128)·w − 128·Σw = Σ y·w, exactly, per lane.
        __m256i start = _mm256_sub_epi32(_mm256_setzero_si256(),
                                         _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8((char)0x80), wq));
#else
        __m256i u = _mm256_sign_epi8(wq, wq);
#endif
        for (int c = 0; c < nc; c++) {
            const block_q8_0a *yb = (const block_q8_0a *)(x + c * xrb) + b;
            __m256i y = _mm256_loadu_si256((const __m256i *)yb->qb);
#if defined(GROK_VNNI)
            __m256i p = _mm256_dpbusd_epi32(start, y, wq);
#else
            __m256i signedY = _mm256_xor_si256(y, _mm256_set1_epi8((char)0x80));
            __m256i p = ISA_FN(dot_groups)(u, _mm256_sign_epi8(signedY, wq));
#endif
            acc[c] = _mm256_fmadd_ps(_mm256_broadcast_ss(&dd[c]), _mm256_cvtepi32_ps(p), acc[c]);
        }
    }
    for (int c = 0; c < nc; c++) out[c * os] = ISA_FN(hsum)(acc[c]);
}

#define BLOCK32_CASE(N) case N: ISA_FN(block32_tile)(type, w, blocks, x, xrb, N, out, os, scalesT); break;

static void ISA_FN(row_block32)(int type, const uint8_t *w, int64_t blocks, const uint8_t *x, size_t xrb, int nc,
                                float *out, int64_t os, const float *scalesT) {
    switch (nc) {
    BLOCK32_CASE(8) BLOCK32_CASE(7) BLOCK32_CASE(6) BLOCK32_CASE(5)
    BLOCK32_CASE(4) BLOCK32_CASE(3) BLOCK32_CASE(2) BLOCK32_CASE(1)
    default: break;
    }
}

/// Unpacks one Q4_K, Q5_K or Q6_K block (the only place that reads their bit layouts here).
static inline void ISA_FN(unpack_kblock)(int type, const uint8_t *block, kblock *out) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    if (type == GROK_TYPE_Q6_K) {
        const block_q6_K *wb = (const block_q6_K *)block;
        const __m256i two = _mm256_set1_epi8(3);
        for (int half = 0; half < 2; half++) {
            __m256i l0 = _mm256_loadu_si256((const __m256i *)(wb->ql + 64 * half));
            __m256i l1 = _mm256_loadu_si256((const __m256i *)(wb->ql + 64 * half + 32));
            __m256i h = _mm256_loadu_si256((const __m256i *)(wb->qh + 32 * half));
            __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(h, two), 4);
            __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), two), 4);
            __m256i h2 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), two), 4);
            __m256i h3 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), two), 4);
            uint8_t *q = out->q + 128 * half;
            _mm256_storeu_si256((__m256i *)(q + 0), _mm256_or_si256(_mm256_and_si256(l0, low4), h0));
            _mm256_storeu_si256((__m256i *)(q + 32), _mm256_or_si256(_mm256_and_si256(l1, low4), h1));
            _mm256_storeu_si256((__m256i *)(q + 64), _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4), h2));
            _mm256_storeu_si256((__m256i *)(q + 96), _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4), h3));
        }
        for (int g = 0; g < 8; g++) {
            short s0 = wb->scales[2 * g], s1 = wb->scales[2 * g + 1];
            _mm256_storeu_si256((__m256i *)out->scale16[g],
                                _mm256_setr_epi16(s0, s0, s0, s0, s0, s0, s0, s0, s1, s1, s1, s1, s1, s1, s1, s1));
        }
        _mm256_storeu_si256((__m256i *)out->scales16, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)wb->scales)));
        out->d = HALF(wb->d);
        out->dmin = 0;
        return;
    }
    int five = type == GROK_TYPE_Q5_K;
    const uint8_t *scales, *qs, *qh = NULL;
    uint16_t hd, hmin;
    if (five) {
        const block_q5_K *wb = (const block_q5_K *)block;
        scales = wb->scales; qs = wb->qs; qh = wb->qh; hd = wb->d; hmin = wb->dmin;
    } else {
        const block_q4_K *wb = (const block_q4_K *)block;
        scales = wb->scales; qs = wb->qs; hd = wb->d; hmin = wb->dmin;
    }
    __m256i high = five ? _mm256_loadu_si256((const __m256i *)qh) : _mm256_setzero_si256();
    for (int j = 0; j < 4; j++) {
        __m256i bytes = _mm256_loadu_si256((const __m256i *)(qs + 32 * j));
        __m256i lo = _mm256_and_si256(bytes, low4);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low4);
        if (five) {
            __m256i one = _mm256_set1_epi8(1);
            lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(high, 2 * j), one), 4));
            hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(high, 2 * j + 1), one), 4));
        }
        _mm256_storeu_si256((__m256i *)(out->q + 64 * j), lo);
        _mm256_storeu_si256((__m256i *)(out->q + 64 * j + 32), hi);
    }
    for (int j = 0; j < 8; j++) {
        int sc, mn;
        grok_scale_min_k4(j, scales, &sc, &mn);
        _mm256_storeu_si256((__m256i *)out->scale16[j], _mm256_set1_epi16((short)sc));
        out->mins[j] = mn;
    }
    out->d = HALF(hd);
    out->dmin = HALF(hmin);
}

/// Q4_K and Q5_K: eight sub-blocks of 32 unsigned weights with 6-bit scales and mins.
/// Like llama.cpp's repacked Q4_K kernels, whole tiles of four activation rows accumulate
/// floats per pair of sub-blocks (its gemm) and the rest once per block (its gemv).
/// Blocks come unpacked in `pre`, or are unpacked here from the row `w` when `pre` is NULL.
static inline __attribute__((always_inline)) void ISA_FN(q45_K_tile)(
    int type, const uint8_t *w, const kblock *pre, int64_t blocks, const uint8_t *x, size_t xrb, const int nc,
    float *out, int64_t os, const int pairwise) {
    float sums[TILE] = {0, 0, 0, 0}, minSums[TILE] = {0, 0, 0, 0};
    const size_t bytes = type == GROK_TYPE_Q5_K ? sizeof(block_q5_K) : sizeof(block_q4_K);
    kblock local;
    for (int64_t b = 0; b < blocks; b++) {
        const kblock *kb = pre ? pre + b : &local;
        if (!pre) {
            ISA_FN(prefetch_block)(w + b * bytes, bytes);
            ISA_FN(unpack_kblock)(type, w + b * bytes, &local);
        }
        for (int c = 0; c < nc; c++) {
            const block_q8_K *yb = (const block_q8_K *)(x + c * xrb) + b;
            __m256i total = _mm256_setzero_si256();
            int32_t mins = 0;
            for (int j = 0; j < 8; j++) {
                __m256i y = _mm256_loadu_si256((const __m256i *)(yb->qs + 32 * j));
                // Scales applied as ggml does: maddubs to 16-bit pairs, then madd with the 16-bit
                // scale (exact: |pair| ≤ 2·31·128, |scale| ≤ 63).
                __m256i q = _mm256_loadu_si256((const __m256i *)(kb->q + 32 * j));
                total = _mm256_add_epi32(total, _mm256_madd_epi16(_mm256_maddubs_epi16(q, y),
                                                                  _mm256_loadu_si256((const __m256i *)kb->scale16[j])));
                mins += kb->mins[j] * (yb->bsums[2 * j] + yb->bsums[2 * j + 1]);
                if (pairwise && (j & 1)) {
                    sums[c] = fmaf((float)ISA_FN(hsum_i32)(total), kb->d * yb->d, sums[c]);
                    minSums[c] = fmaf((float)mins, kb->dmin * yb->d, minSums[c]);
                    total = _mm256_setzero_si256();
                    mins = 0;
                }
            }
            if (!pairwise) {
                sums[c] = fmaf((float)ISA_FN(hsum_i32)(total), kb->d * yb->d, sums[c]);
                minSums[c] = fmaf((float)mins, kb->dmin * yb->d, minSums[c]);
            }
        }
    }
    for (int c = 0; c < nc; c++) out[c * os] = sums[c] - minSums[c];
}

/// Q6_K: sixteen sub-blocks of 16 weights (0…63, offset 32) with signed 8-bit scales.
static inline __attribute__((always_inline)) void ISA_FN(q6_K_tile)(
    const uint8_t *w, const kblock *pre, int64_t blocks, const uint8_t *x, size_t xrb, const int nc, float *out,
    int64_t os, const int tiled) {
    float sums[TILE] = {0, 0, 0, 0};
    __m256 acc[TILE];
    for (int c = 0; c < nc; c++) acc[c] = _mm256_setzero_ps();
    kblock local;
    for (int64_t b = 0; b < blocks; b++) {
        const kblock *kb = pre ? pre + b : &local;
        if (!pre) {
            ISA_FN(prefetch_block)(w + b * sizeof(block_q6_K), sizeof(block_q6_K));
            ISA_FN(unpack_kblock)(GROK_TYPE_Q6_K, w + b * sizeof(block_q6_K), &local);
        }
        __m256i scales16 = _mm256_loadu_si256((const __m256i *)kb->scales16);
        for (int c = 0; c < nc; c++) {
            const block_q8_K *yb = (const block_q8_K *)(x + c * xrb) + b;
            __m256i total = _mm256_setzero_si256();
            for (int g = 0; g < 8; g++) {
                __m256i y = _mm256_loadu_si256((const __m256i *)(yb->qs + 32 * g));
                __m256i q = _mm256_loadu_si256((const __m256i *)(kb->q + 32 * g));
                // Exact: |pair| ≤ 2·63·128 fits 16 bits; lane l = scale · bytes 4l…4l+3.
                total = _mm256_add_epi32(total, _mm256_madd_epi16(_mm256_maddubs_epi16(q, y),
                                                                  _mm256_loadu_si256((const __m256i *)kb->scale16[g])));
            }
            // The weights' offset of 32, per lane l from sub-blocks 2l and 2l+1 (ggml's lanes).
            __m256i bsums = _mm256_loadu_si256((const __m256i *)yb->bsums);
            __m256i offset = _mm256_slli_epi32(_mm256_madd_epi16(bsums, scales16), 5);
            total = _mm256_sub_epi32(total, offset);
            if (tiled) {
                sums[c] = fmaf((float)ISA_FN(hsum_i32)(total) * kb->d, yb->d, sums[c]);
            } else {
                acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(yb->d * kb->d), _mm256_cvtepi32_ps(total), acc[c]);
            }
        }
    }
    for (int c = 0; c < nc; c++) out[c * os] = tiled ? sums[c] : ISA_FN(hsum)(acc[c]);
}

/// K-quant rows against 1…4 activation rows, specialised per count (and per format). `tiled`:
/// the whole product has at least 8 activation rows, where llama.cpp's tiled K-quant matmul
/// takes over for Q6_K: per block fma(isum · d_w, d_x, sum) in block order (GCC fuses its mul+add).
static void ISA_FN(row_kquant)(int type, const uint8_t *w, const kblock *pre, int64_t blocks, const uint8_t *x,
                               size_t xrb, int nc, float *out, int64_t os, int tiled, int gemm) {
#define KQ_CASE(N)                                                                                        \
    case N:                                                                                               \
        if (type == GROK_TYPE_Q6_K && tiled) ISA_FN(q6_K_tile)(w, pre, blocks, x, xrb, N, out, os, 1);   \
        else if (type == GROK_TYPE_Q6_K) ISA_FN(q6_K_tile)(w, pre, blocks, x, xrb, N, out, os, 0);       \
        else if (gemm && N == TILE) ISA_FN(q45_K_tile)(type, w, pre, blocks, x, xrb, N, out, os, 1);   \
        else ISA_FN(q45_K_tile)(type, w, pre, blocks, x, xrb, N, out, os, 0);                             \
        break;
    switch (nc) {
    KQ_CASE(4) KQ_CASE(3) KQ_CASE(2) KQ_CASE(1)
    default: break;
    }
#undef KQ_CASE
}

/// Q4_1 and Q5_1 against Q8_1 activations (row_q45_1 in kernels_portable.c): unsigned weights,
/// so one dpbusd (or maddubs, which cannot saturate at 2 · 31 · 127) per block and column.
static inline __attribute__((always_inline)) void ISA_FN(q45_1_tile)(int type, const uint8_t *w, int64_t blocks,
                                                                    const uint8_t *x, size_t xrb, const int nc,
                                                                    float *out, int64_t os) {
    __m256 acc[TILE32];
    float mins[TILE32];
    for (int c = 0; c < nc; c++) {
        acc[c] = _mm256_setzero_ps();
        mins[c] = 0;
    }
    const int five = type == GROK_TYPE_Q5_1;
    const size_t bytes = five ? sizeof(block_q5_1) : sizeof(block_q4_1);
    for (int64_t b = 0; b < blocks; b++) {
        const uint8_t *block = w + b * bytes;
        _mm_prefetch((const char *)block + GROK_PREFETCH_BYTES, _MM_HINT_T0);
        // Q4_1 and Q5_1 both start with d and m; Q5_1's fifth bits come before its nibbles.
        const block_q4_1 *b4 = (const block_q4_1 *)block;
        const block_q5_1 *b5 = (const block_q5_1 *)block;
        float dw = HALF(b4->d), mw = HALF(b4->m);
        __m256i wq = ISA_FN(nibbles32)(five ? b5->qs : b4->qs);
        if (five) wq = _mm256_or_si256(wq, _mm256_and_si256(ISA_FN(bits32)(b5->qh), _mm256_set1_epi8(0x10)));
        for (int c = 0; c < nc; c++) {
            const block_q8_1x *yb = (const block_q8_1x *)(x + c * xrb) + b;
            __m256i p = ISA_FN(dot_groups)(wq, _mm256_loadu_si256((const __m256i *)yb->qs));
            acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(dw * yb->d), _mm256_cvtepi32_ps(p), acc[c]);
            mins[c] = fmaf(mw, yb->s, mins[c]);
        }
    }
    for (int c = 0; c < nc; c++) out[c * os] = ISA_FN(hsum)(acc[c]) + mins[c];
}

#define Q45_1_CASE(N) case N: ISA_FN(q45_1_tile)(type, w, blocks, x, xrb, N, out, os); break;

static void ISA_FN(row_q45_1)(int type, const uint8_t *w, int64_t blocks, const uint8_t *x, size_t xrb, int nc,
                              float *out, int64_t os) {
    switch (nc) {
    Q45_1_CASE(8) Q45_1_CASE(7) Q45_1_CASE(6) Q45_1_CASE(5)
    Q45_1_CASE(4) Q45_1_CASE(3) Q45_1_CASE(2) Q45_1_CASE(1)
    default: break;
    }
}

/// The sixteen 16-bit scales of group g: `first` for its first 16 weights, `second` for the rest.
static inline void ISA_FN(lblock_scales)(lblock *out, int g, int first, int second) {
    _mm256_storeu_si256((__m256i *)out->scale16[g], _mm256_set_m128i(_mm_set1_epi16((short)second), _mm_set1_epi16((short)first)));
}

/// unpack.h's grok_unpack_lblock with SIMD loads: the same bytes and scales, written faster
/// (decoding unpacks every block of the matrix once per token).
static inline void ISA_FN(unpack_lblock)(int type, const uint8_t *block, lblock *out) {
    const __m256i three = _mm256_set1_epi8(3);
    if (type == GROK_TYPE_IQ4_XS) {
        const block_iq4_xs *b = (const block_iq4_xs *)block;
        const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)grok_iq4nl_values));
        for (int g = 0; g < 8; g++) {
            _mm256_storeu_si256((__m256i *)(out->q + 32 * g), _mm256_shuffle_epi8(table, ISA_FN(nibbles32)(b->qs + 16 * g)));
            int scale = (((b->scales_l[g / 2] >> (4 * (g % 2))) & 0xF) | (((b->scales_h >> (2 * g)) & 3) << 4)) - 32;
            ISA_FN(lblock_scales)(out, g, scale, scale);
        }
        memset(out->mins16, 0, sizeof out->mins16);
        out->d = HALF(b->d);
        out->dmin = 0;
        return;
    }
    const int q3 = type == GROK_TYPE_Q3_K;
    const uint8_t *qs = q3 ? ((const block_q3_K *)block)->qs : ((const block_q2_K *)block)->qs;
    __m256i hmask = q3 ? _mm256_loadu_si256((const __m256i *)((const block_q3_K *)block)->hmask) : _mm256_setzero_si256();
    for (int h = 0; h < 2; h++) {
        __m256i bits = _mm256_loadu_si256((const __m256i *)(qs + 32 * h));
        for (int s = 0; s < 4; s++) {
            __m256i q = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * s), three);
            if (q3) {
                // Less 4 where bit 4h + s of the mask byte is clear.
                __m256i high = _mm256_and_si256(_mm256_srli_epi16(hmask, 4 * h + s), _mm256_set1_epi8(1));
                q = _mm256_add_epi8(_mm256_sub_epi8(q, _mm256_set1_epi8(4)), _mm256_slli_epi16(high, 2));
            }
            _mm256_storeu_si256((__m256i *)(out->q + 128 * h + 32 * s), q);
        }
    }
    if (q3) {
        const block_q3_K *b = (const block_q3_K *)block;
        for (int g = 0; g < 8; g++) ISA_FN(lblock_scales)(out, g, grok_q3_K_scale(b->scales, 2 * g), grok_q3_K_scale(b->scales, 2 * g + 1));
        memset(out->mins16, 0, sizeof out->mins16);
        out->d = HALF(b->d);
        out->dmin = 0;
    } else {
        const block_q2_K *b = (const block_q2_K *)block;
        for (int g = 0; g < 8; g++) ISA_FN(lblock_scales)(out, g, b->scales[2 * g] & 0xF, b->scales[2 * g + 1] & 0xF);
        __m128i raw = _mm_loadu_si128((const __m128i *)b->scales);
        _mm256_storeu_si256((__m256i *)out->mins16, _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(raw, 4), _mm_set1_epi8(0x0F))));
        out->d = HALF(b->d);
        out->dmin = HALF(b->dmin);
    }
}

/// Q2_K, Q3_K and IQ4_XS against Q8_K activations (row_lblock in kernels_portable.c): signed
/// weights through the sign trick (|w| ≤ 127, so maddubs cannot saturate), 16-bit scales by madd.
/// Weights and 16-bit scales of 32-weight group g of a Q2_K, Q3_K or IQ4_XS block, straight from
/// the file's bytes into registers (the bytes and scales unpack_lblock would store).
static inline __attribute__((always_inline)) void ISA_FN(lblock_group)(int type, const uint8_t *block, int g,
                                                                      __m256i *q, __m256i *scale) {
    int first, second;
    if (type == GROK_TYPE_IQ4_XS) {
        const block_iq4_xs *b = (const block_iq4_xs *)block;
        const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)grok_iq4nl_values));
        *q = _mm256_shuffle_epi8(table, ISA_FN(nibbles32)(b->qs + 16 * g));
        first = second = (((b->scales_l[g / 2] >> (4 * (g % 2))) & 0xF) | (((b->scales_h >> (2 * g)) & 3) << 4)) - 32;
    } else {
        const int q3 = type == GROK_TYPE_Q3_K, h = g / 4, s = g % 4;
        const uint8_t *qs = q3 ? ((const block_q3_K *)block)->qs : ((const block_q2_K *)block)->qs;
        __m256i v = _mm256_and_si256(_mm256_srli_epi16(_mm256_loadu_si256((const __m256i *)(qs + 32 * h)), 2 * s), _mm256_set1_epi8(3));
        if (q3) {
            const block_q3_K *b = (const block_q3_K *)block;
            __m256i high = _mm256_and_si256(_mm256_srli_epi16(_mm256_loadu_si256((const __m256i *)b->hmask), g), _mm256_set1_epi8(1));
            v = _mm256_add_epi8(_mm256_sub_epi8(v, _mm256_set1_epi8(4)), _mm256_slli_epi16(high, 2));
            first = grok_q3_K_scale(b->scales, 2 * g);
            second = grok_q3_K_scale(b->scales, 2 * g + 1);
        } else {
            const block_q2_K *b = (const block_q2_K *)block;
            first = b->scales[2 * g] & 0xF;
            second = b->scales[2 * g + 1] & 0xF;
        }
        *q = v;
    }
    *scale = _mm256_set_m128i(_mm_set1_epi16((short)second), _mm_set1_epi16((short)first));
}

/// Σ over the group's 16-weight halves of scale · Σ w·y, per 4-byte lane (the sign trick keeps
/// |w| ≤ 127 unsigned, so maddubs cannot saturate).
static inline __m256i ISA_FN(lblock_dot)(__m256i q, __m256i y, __m256i scale) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(y, q)), scale);
}

/// Q2_K, Q3_K and IQ4_XS against Q8_K activations (row_lblock in kernels_portable.c). Blocks come
/// unpacked in `pre`, or are read group by group from the row `w` when `pre` is NULL (decoding:
/// each block meets few activation rows, so nothing is stored). Integer lanes per block, then
/// Q2_K's mins and the block's scale in ggml's float order, as the portable path.
static inline __attribute__((always_inline)) void ISA_FN(lblock_tile)(int type, const uint8_t *w, const lblock *pre,
                                                                     int64_t blocks, const uint8_t *x, size_t xrb,
                                                                     const int nc, float *out, int64_t os) {
    __m256 acc[TILE];
    for (int c = 0; c < nc; c++) acc[c] = _mm256_setzero_ps();
    const size_t bytes = grok_lblock_source_bytes(type);
    for (int64_t b = 0; b < blocks; b++) {
        const uint8_t *block = w + b * bytes;
        __m256i total[TILE];
        for (int c = 0; c < nc; c++) total[c] = _mm256_setzero_si256();
        float d, dmin;
        __m256i mins;
        if (pre) {
            const lblock *kb = pre + b;
            for (int g = 0; g < 8; g++) {
                __m256i q = _mm256_loadu_si256((const __m256i *)(kb->q + 32 * g));
                __m256i scale = _mm256_loadu_si256((const __m256i *)kb->scale16[g]);
                for (int c = 0; c < nc; c++) {
                    const block_q8_K *yb = (const block_q8_K *)(x + c * xrb) + b;
                    total[c] = _mm256_add_epi32(total[c], ISA_FN(lblock_dot)(q, _mm256_loadu_si256((const __m256i *)(yb->qs + 32 * g)), scale));
                }
            }
            d = kb->d;
            dmin = kb->dmin;
            mins = _mm256_loadu_si256((const __m256i *)kb->mins16);
        } else {
            ISA_FN(prefetch_block)(block, bytes);
            for (int g = 0; g < 8; g++) {
                __m256i q, scale;
                ISA_FN(lblock_group)(type, block, g, &q, &scale);
                for (int c = 0; c < nc; c++) {
                    const block_q8_K *yb = (const block_q8_K *)(x + c * xrb) + b;
                    total[c] = _mm256_add_epi32(total[c], ISA_FN(lblock_dot)(q, _mm256_loadu_si256((const __m256i *)(yb->qs + 32 * g)), scale));
                }
            }
            d = HALF(type == GROK_TYPE_Q2_K ? ((const block_q2_K *)block)->d
                     : type == GROK_TYPE_Q3_K ? ((const block_q3_K *)block)->d : ((const block_iq4_xs *)block)->d);
            dmin = type == GROK_TYPE_Q2_K ? HALF(((const block_q2_K *)block)->dmin) : 0;
            mins = type == GROK_TYPE_Q2_K
                ? _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(_mm_loadu_si128((const __m128i *)((const block_q2_K *)block)->scales), 4),
                                                     _mm_set1_epi8(0x0F)))
                : _mm256_setzero_si256();
        }
        for (int c = 0; c < nc; c++) {
            const block_q8_K *yb = (const block_q8_K *)(x + c * xrb) + b;
            if (type == GROK_TYPE_Q2_K) {
                __m256i prod = _mm256_madd_epi16(mins, _mm256_loadu_si256((const __m256i *)yb->bsums));
                acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(-yb->d * dmin), _mm256_cvtepi32_ps(prod), acc[c]);
            }
            acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(yb->d * d), _mm256_cvtepi32_ps(total[c]), acc[c]);
        }
    }
    for (int c = 0; c < nc; c++) out[c * os] = ISA_FN(hsum)(acc[c]);
}

#define LBLOCK_CASE(N) case N: ISA_FN(lblock_tile)(type, w, pre, blocks, x, xrb, N, out, os); break;

static void ISA_FN(row_lblock)(int type, const uint8_t *w, const lblock *pre, int64_t blocks, const uint8_t *x,
                               size_t xrb, int nc, float *out, int64_t os) {
    switch (nc) {
    LBLOCK_CASE(4) LBLOCK_CASE(3) LBLOCK_CASE(2) LBLOCK_CASE(1)
    default: break;
    }
}

// Eight F32, F16 or BF16 values of a row as floats.
static inline __m256 ISA_FN(load_float8)(int type, const uint8_t *p) {
    if (type == GROK_TYPE_F32) return _mm256_loadu_ps((const float *)p);
    __m128i h = _mm_loadu_si128((const __m128i *)p);
    if (type == GROK_TYPE_F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

// F32/F16/BF16 weights against activations of the same type, for up to TILE columns. Lane
// i % 32 of four fused accumulators per column, summed in the order grok_matmul_float_rows
// sums them, so the result is the portable one bit for bit; the chains run side by side.
static void ISA_FN(row_float)(int type, const uint8_t *row, int64_t n, const uint8_t *x, size_t xrb, int nc, float *out,
                              int64_t os) {
    if (n % 32 != 0 || nc > TILE) {
        grok_matmul_float_rows(type, row, n, x, xrb, nc, out, os);
        return;
    }
    const int64_t size = type == GROK_TYPE_F32 ? 4 : 2;
    __m256 acc[TILE][4];
    for (int c = 0; c < nc; c++)
        for (int k = 0; k < 4; k++) acc[c][k] = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 32) {
        for (int k = 0; k < 4; k++) {
            __m256 a = ISA_FN(load_float8)(type, row + (i + 8 * k) * size);
            for (int c = 0; c < nc; c++)
                acc[c][k] = _mm256_fmadd_ps(a, ISA_FN(load_float8)(type, x + c * xrb + (i + 8 * k) * size), acc[c][k]);
        }
    }
    for (int c = 0; c < nc; c++) {
        float lanes[8];
        _mm256_storeu_ps(lanes, _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(acc[c][0], acc[c][1]), acc[c][2]), acc[c][3]));
        out[c * os] = grok_hsum8(lanes);
    }
}

/// `alone`: round every activation row as a product of one row (see grok_matmul_rows_alone).
static void ISA_FN(matmul)(int type, const void *w, size_t wrb, int64_t n, int64_t r0, int64_t r1,
                           const void *x, size_t xrb, int64_t cols, float *out, int64_t os, int alone) {
    int block32 = type == GROK_TYPE_Q8_0 || type == GROK_TYPE_Q4_0 || type == GROK_TYPE_Q5_0 || type == GROK_TYPE_IQ4_NL;
    int with_min = type == GROK_TYPE_Q4_1 || type == GROK_TYPE_Q5_1;
    int tile = block32 || with_min ? TILE32 : TILE;
    // Bands of rows small enough to stay in L1 while every column tile passes over them, so
    // both the band's weights and a tile's activations are reused from L1.
    int64_t band = cols <= tile ? r1 - r0 : (int64_t)(GROK_BAND_BYTES / (wrb ? wrb : 1));
    if (band < 4) band = 4;
    // With several column tiles, 32-element weights are unpacked once per band (not once per
    // tile) into a per-thread buffer of {f32 scale, 32 × i8} blocks.
    // K-quant blocks likewise, into kblocks.
    static __thread block_q8_0x unpacked[GROK_UNPACK_BLOCKS];
    static __thread kblock kunpacked[GROK_UNPACK_KBLOCKS];
    static __thread float scalesT[GROK_UNPACK_BLOCKS * TILE32];
    static __thread lblock lunpacked[GROK_UNPACK_KBLOCKS];
    int64_t blocks32 = n / 32, blocksK = n / 256;
    int kquant = type == GROK_TYPE_Q4_K || type == GROK_TYPE_Q5_K || type == GROK_TYPE_Q6_K;
    int unpack = block32 && cols > tile && blocks32 <= GROK_UNPACK_BLOCKS;
    int unpackK = kquant && cols > tile && blocksK <= GROK_UNPACK_KBLOCKS;
    int lquant = grok_is_lblock_type(type);
    int unpackL = lquant && cols > tile && blocksK <= GROK_UNPACK_KBLOCKS;
    if (unpack && band * blocks32 > GROK_UNPACK_BLOCKS) band = GROK_UNPACK_BLOCKS / blocks32;
    if ((unpackK || unpackL) && band * blocksK > GROK_UNPACK_KBLOCKS) band = GROK_UNPACK_KBLOCKS / blocksK;
    size_t kbytes = type == GROK_TYPE_Q6_K ? sizeof(block_q6_K) : type == GROK_TYPE_Q5_K ? sizeof(block_q5_K) : sizeof(block_q4_K);
    for (int64_t rb = r0; rb < r1; rb += band) {
        int64_t re = rb + band < r1 ? rb + band : r1;
        if (unpack) ISA_FN(unpack_rows32)(type, (const uint8_t *)w + rb * wrb, wrb, blocks32, re - rb, unpacked);
        if (unpackK) {
            for (int64_t r = rb; r < re; r++)
                for (int64_t b = 0; b < blocksK; b++)
                    ISA_FN(unpack_kblock)(type, (const uint8_t *)w + r * wrb + b * kbytes, &kunpacked[(r - rb) * blocksK + b]);
        }
        if (unpackL) {
            size_t lbytes = grok_lblock_source_bytes(type);
            for (int64_t r = rb; r < re; r++)
                for (int64_t b = 0; b < blocksK; b++)
                    ISA_FN(unpack_lblock)(type, (const uint8_t *)w + r * wrb + b * lbytes, &lunpacked[(r - rb) * blocksK + b]);
        }
        for (int64_t c0 = 0; c0 < cols; c0 += tile) {
            int nc = (int)(cols - c0 < tile ? cols - c0 : tile);
            const uint8_t *xs = (const uint8_t *)x + c0 * xrb;
            // The tile's activation scales, block by block, for one vector multiply per block.
            const float *tileScales = NULL;
            if (block32 && nc > 1 && blocks32 <= GROK_UNPACK_BLOCKS) {
                for (int64_t b = 0; b < blocks32; b++)
                    for (int c = 0; c < TILE32; c++)
                        scalesT[b * TILE32 + c] = c < nc ? ((const block_q8_0a *)(xs + c * xrb) + b)->d : 0;
                tileScales = scalesT;
            }
            for (int64_t r = rb; r < re; r++) {
                const uint8_t *row = (const uint8_t *)w + r * wrb;
                float *o = out + c0 * os + r;
                switch (type) {
                case GROK_TYPE_Q8_0: case GROK_TYPE_Q4_0: case GROK_TYPE_Q5_0: case GROK_TYPE_IQ4_NL:
                    if (unpack)
                        ISA_FN(row_block32)(GROK_UNPACKED32, (const uint8_t *)(unpacked + (r - rb) * blocks32), blocks32, xs,
                                            xrb, nc, o, os, tileScales);
                    else
                        ISA_FN(row_block32)(type, row, blocks32, xs, xrb, nc, o, os, tileScales);
                    break;
                case GROK_TYPE_Q4_K: case GROK_TYPE_Q5_K: case GROK_TYPE_Q6_K:
                    ISA_FN(row_kquant)(type, row, unpackK ? kunpacked + (r - rb) * blocksK : NULL, blocksK, xs, xrb, nc,
                                       o, os, !alone && cols >= GROK_TILED_MIN_ROWS, !alone);
                    break;
                case GROK_TYPE_Q4_1: case GROK_TYPE_Q5_1:
                    ISA_FN(row_q45_1)(type, row, blocks32, xs, xrb, nc, o, os);
                    break;
                case GROK_TYPE_Q2_K: case GROK_TYPE_Q3_K: case GROK_TYPE_IQ4_XS:
                    ISA_FN(row_lblock)(type, row, unpackL ? lunpacked + (r - rb) * blocksK : NULL, blocksK, xs, xrb, nc, o, os);
                    break;
                default: ISA_FN(row_float)(type, row, n, xs, xrb, nc, o, os); break;
                }
            }
        }
    }
}
