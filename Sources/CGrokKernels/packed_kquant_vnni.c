// The AVX-512 VNNI kernel over packed Q4_K and Q6_K weights (see packed.c): sixteen rows per
// 512-bit register, one activation column at a time.
//
// Each block of sixteen rows is first unpacked (once for all columns) into unsigned weight
// bytes per 4-element piece and 16-bit scale vectors. Per piece, maddubs multiplies the
// sixteen rows' four weights with the column's four activations (broadcast) into two 16-bit
// sums per row, and dpwssd multiplies those by the row's sub-block scale into its 32-bit sum:
// exact integers, so only the float steps need ggml's order, and they are per row as there:
//   Q4_K: fma(isum, d·dy, sum) per block, or per pair of sub-blocks in llama.cpp's 4-row gemm;
//         the same for the mins; result sum − minSum.
//   Q6_K: eight lanes (bytes 4l…4l+3 of each 32-byte group) fma'd per block and summed like
//         ggml's hsum; or, from 8 activation rows on (its tiled kernel), fma(isum · d, dy, sum).
#if defined(__x86_64__)
#include <immintrin.h>
#include "internal.h"
#include "blocks.h"
#include "prefetch.h"

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))), apply_to = function)

/// One block of sixteen rows, unpacked. Each row's dword of a scale vector holds its 16-bit
/// scale twice (Q4_K: per 32-element sub-block j; Q6_K: per 16-element sub-block s); `pairs`
/// holds two 16-bit factors per row (Q4_K: mins of sub-blocks 2m, 2m+1; Q6_K: −32 · scales of
/// sub-blocks 2l, 2l+1, for the weights' offset of 32).
typedef struct {
    uint8_t w[64][64];
    __m512i scale[16];
    __m512i pairs[8];
    float d[16], dmin[16];
} kunpacked;

static __m512i twice16(__m512i v) { return _mm512_or_si512(_mm512_and_si512(v, _mm512_set1_epi32(0xFFFF)), _mm512_slli_epi32(v, 16)); }

static void unpack_q4_K(const block_q4_Kp *p, kunpacked *u) {
    const __m512i low = _mm512_set1_epi8(0x0F);
    for (int m = 0; m < 4; m++) {
        for (int g = 0; g < 8; g++) {
            __m512i raw = _mm512_loadu_si512(p->qs[m][g]);
            _mm512_storeu_si512(u->w[16 * m + g], _mm512_and_si512(raw, low));
            _mm512_storeu_si512(u->w[16 * m + 8 + g], _mm512_and_si512(_mm512_srli_epi16(raw, 4), low));
        }
    }
    // The 6-bit scales and mins of grok_scale_min_k4, for sixteen rows at once.
    __m512i q0 = _mm512_loadu_si512(p->scales[0]), q1 = _mm512_loadu_si512(p->scales[1]);
    __m512i q2 = _mm512_loadu_si512(p->scales[2]);
    const __m512i six = _mm512_set1_epi32(63), four = _mm512_set1_epi32(15), two = _mm512_set1_epi32(3);
    __m512i mins[8];
    for (int j = 0; j < 4; j++) {
        u->scale[j] = twice16(_mm512_and_si512(_mm512_srli_epi32(q0, 8 * j), six));
        mins[j] = _mm512_and_si512(_mm512_srli_epi32(q1, 8 * j), six);
        __m512i sc = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(q2, 8 * j), four),
                                     _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(q0, 8 * j + 6), two), 4));
        u->scale[j + 4] = twice16(sc);
        mins[j + 4] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(q2, 8 * j + 4), four),
                                      _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(q1, 8 * j + 6), two), 4));
    }
    for (int m = 0; m < 4; m++) u->pairs[m] = _mm512_or_si512(mins[2 * m], _mm512_slli_epi32(mins[2 * m + 1], 16));
    _mm512_storeu_ps(u->d, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p->d)));
    _mm512_storeu_ps(u->dmin, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p->dmin)));
}

static void unpack_q6_K(const block_q6_Kp *p, kunpacked *u) {
    const __m512i low = _mm512_set1_epi8(0x0F), bits = _mm512_set1_epi8(0x30);
    for (int h = 0; h < 2; h++) {
        for (int c = 0; c < 8; c++) {
            __m512i a = _mm512_loadu_si512(p->ql[h][0][c]), b = _mm512_loadu_si512(p->ql[h][1][c]);
            __m512i hi = _mm512_loadu_si512(p->qh[h][c]);
            // Two high bits per weight, moved to bits 4–5 of its byte.
            __m512i h0 = _mm512_and_si512(_mm512_slli_epi16(hi, 4), bits), h1 = _mm512_and_si512(_mm512_slli_epi16(hi, 2), bits);
            __m512i h2 = _mm512_and_si512(hi, bits), h3 = _mm512_and_si512(_mm512_srli_epi16(hi, 2), bits);
            _mm512_storeu_si512(u->w[32 * h + c], _mm512_or_si512(_mm512_and_si512(a, low), h0));
            _mm512_storeu_si512(u->w[32 * h + 8 + c], _mm512_or_si512(_mm512_and_si512(b, low), h1));
            _mm512_storeu_si512(u->w[32 * h + 16 + c], _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(a, 4), low), h2));
            _mm512_storeu_si512(u->w[32 * h + 24 + c], _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(b, 4), low), h3));
        }
    }
    __m512i scales[16];
    for (int s = 0; s < 16; s++) {
        __m512i dword = _mm512_loadu_si512(p->scales[s / 4]);
        scales[s] = _mm512_srai_epi32(_mm512_slli_epi32(dword, 24 - 8 * (s % 4)), 24);  // signed byte s
        u->scale[s] = twice16(scales[s]);
    }
    for (int l = 0; l < 8; l++) {
        __m512i a = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(scales[2 * l], 5));
        __m512i b = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(scales[2 * l + 1], 5));
        u->pairs[l] = _mm512_or_si512(_mm512_and_si512(a, _mm512_set1_epi32(0xFFFF)), _mm512_slli_epi32(b, 16));
    }
    _mm512_storeu_ps(u->d, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p->d)));
}

/// Σ over pieces first…first+count−1 (step `step`) of scale · (weights · activations), per row.
static inline __m512i pieces(const kunpacked *u, const int32_t *y, int first, int count, int step, __m512i scale,
                             __m512i acc) {
    for (int i = 0; i < count; i++) {
        int piece = first + i * step;
        __m512i pair16 = _mm512_maddubs_epi16(_mm512_loadu_si512(u->w[piece]), _mm512_set1_epi32(y[piece]));
        acc = _mm512_dpwssd_epi32(acc, pair16, scale);
    }
    return acc;
}

/// Q4_K: one block of sixteen rows · one column, into acc[0] (sums) and acc[1] (min sums);
/// `pairsY[m]` holds the column's sums of sub-blocks 2m and 2m+1 as two 16-bit values.
static inline void q4_K_block(const kunpacked *u, const block_q8_K *yb, const int32_t *pairsY, int pairwise,
                              __m512 acc[2]) {
    const int32_t *y = (const int32_t *)yb->qs;
    __m512 dy = _mm512_set1_ps(yb->d);
    __m512 dd = _mm512_mul_ps(_mm512_loadu_ps(u->d), dy), ddMin = _mm512_mul_ps(_mm512_loadu_ps(u->dmin), dy);
    __m512i total = _mm512_setzero_si512(), mins = total;
    for (int m = 0; m < 4; m++) {
        total = pieces(u, y, 16 * m, 8, 1, u->scale[2 * m], total);
        total = pieces(u, y, 16 * m + 8, 8, 1, u->scale[2 * m + 1], total);
        mins = _mm512_dpwssd_epi32(mins, u->pairs[m], _mm512_set1_epi32(pairsY[m]));
        if (pairwise) {
            acc[0] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(total), dd, acc[0]);
            acc[1] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(mins), ddMin, acc[1]);
            total = mins = _mm512_setzero_si512();
        }
    }
    if (!pairwise) {
        acc[0] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(total), dd, acc[0]);
        acc[1] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(mins), ddMin, acc[1]);
    }
}

/// Q6_K: one block of sixteen rows · one column, into eight lanes (or acc[0] when tiled).
static inline void q6_K_block(const kunpacked *u, const block_q8_K *yb, int tiled, __m512 acc[8]) {
    const int32_t *y = (const int32_t *)yb->qs, *bsums = (const int32_t *)yb->bsums;
    __m512 dy = _mm512_set1_ps(yb->d), d = _mm512_loadu_ps(u->d);
    __m512 dd = _mm512_mul_ps(dy, d);
    __m512i isum = _mm512_setzero_si512();
    for (int l = 0; l < 8; l++) {
        // Lane l: piece l of each 32-byte group g (sub-block 2g, or 2g+1 for l ≥ 4).
        __m512i lane = _mm512_dpwssd_epi32(_mm512_setzero_si512(), u->pairs[l], _mm512_set1_epi32(bsums[l]));
        for (int g = 0; g < 8; g++) lane = pieces(u, y, 8 * g + l, 1, 1, u->scale[2 * g + (l >= 4)], lane);
        if (tiled) isum = _mm512_add_epi32(isum, lane);
        else acc[l] = _mm512_fmadd_ps(dd, _mm512_cvtepi32_ps(lane), acc[l]);
    }
    if (tiled) acc[0] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum), d), dy, acc[0]);
}

/// Sixteen outputs from a column's accumulators.
static inline __m512 finish(int type, int tiled, const __m512 acc[8]) {
    if (type == GROK_TYPE_Q4_K) return _mm512_sub_ps(acc[0], acc[1]);
    if (tiled) return acc[0];
    // ggml's eight-lane sum, row by row: ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)).
    __m512 even = _mm512_add_ps(_mm512_add_ps(acc[0], acc[4]), _mm512_add_ps(acc[2], acc[6]));
    __m512 odd = _mm512_add_ps(_mm512_add_ps(acc[1], acc[5]), _mm512_add_ps(acc[3], acc[7]));
    return _mm512_add_ps(even, odd);
}

/// Q4_K: each column's sums of sub-blocks 2m and 2m+1, as two 16-bit values per dword.
static void prepare_pairs(const uint8_t *x, size_t xrb, int64_t cols, int64_t blocks, int32_t *pairsY) {
    for (int64_t c = 0; c < cols; c++) {
        for (int64_t b = 0; b < blocks; b++) {
            const block_q8_K *yb = (const block_q8_K *)(x + c * xrb) + b;
            for (int m = 0; m < 4; m++) {
                int32_t lo = yb->bsums[4 * m] + yb->bsums[4 * m + 1], hi = yb->bsums[4 * m + 2] + yb->bsums[4 * m + 3];
                pairsY[(c * blocks + b) * 4 + m] = (int32_t)((uint32_t)(lo & 0xFFFF) | ((uint32_t)hi << 16));
            }
        }
    }
}

void grok_matmul_packed_kquant_vnni(int type, const void *packed, int64_t n, int64_t g0, int64_t g1, const void *x,
                                    size_t xrb, int64_t cols, const uint8_t *batch, float *out, int64_t os) {
    int64_t blocks = n / 256;
    size_t bytes = grok_packed_block_bytes(type);
    kunpacked *u = grok_scratch(GROK_SCRATCH_WEIGHTS, sizeof(kunpacked));
    // Each column's accumulators across the blocks (blocks go outer so one unpacked block,
    // about 6 KB, stays in L1 for all columns).
    int accs = type == GROK_TYPE_Q4_K ? 2 : 8;
    __m512 *acc = grok_scratch(GROK_SCRATCH_SCALES, (size_t)cols * accs * sizeof(__m512));
    int32_t *pairsY = NULL;
    if (type == GROK_TYPE_Q4_K) {
        pairsY = grok_scratch(GROK_SCRATCH_ACTS, (size_t)(cols * blocks) * 4 * sizeof(int32_t));
        prepare_pairs(x, xrb, cols, blocks, pairsY);
    }
    for (int64_t g = g0; g < g1; g++) {
        const uint8_t *group = (const uint8_t *)packed + (size_t)g * blocks * bytes;
        // The next group streams in while this one is computed (see prefetch.h).
        grok_prefetcher prefetch = grok_prefetcher_make(group + blocks * bytes, blocks * bytes, blocks * (cols + 1));
        for (int64_t i = 0; i < cols * accs; i++) acc[i] = _mm512_setzero_ps();
        for (int64_t b = 0; b < blocks; b++) {
            const uint8_t *block = group + b * bytes;
            grok_prefetch_step(&prefetch);
            if (type == GROK_TYPE_Q4_K) unpack_q4_K((const block_q4_Kp *)block, u);
            else unpack_q6_K((const block_q6_Kp *)block, u);
            for (int64_t c = 0; c < cols; c++) {
                const block_q8_K *yb = (const block_q8_K *)((const uint8_t *)x + c * xrb) + b;
                __m512 local[8];
                for (int i = 0; i < accs; i++) local[i] = acc[c * accs + i];
                if (type == GROK_TYPE_Q4_K) q4_K_block(u, yb, pairsY + (c * blocks + b) * 4, batch[c], local);
                else q6_K_block(u, yb, batch[c], local);
                for (int i = 0; i < accs; i++) acc[c * accs + i] = local[i];
                if (c % 4 == 3) grok_prefetch_step(&prefetch);
            }
        }
        for (int64_t c = 0; c < cols; c++) _mm512_storeu_ps(out + c * os + g * 16, finish(type, batch[c], acc + c * accs));
    }
}

#pragma clang attribute pop
#endif
