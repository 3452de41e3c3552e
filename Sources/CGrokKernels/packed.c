// Weights repacked sixteen rows at a time (the "packed" layout), and the portable kernel over it.
//
// A packed block holds block b of rows 16g … 16g+15: their f16 scales, then for each 4-element
// group i of the block the sixteen rows' four weights side by side (64 bytes), so one 512-bit
// register holds one group of sixteen rows and the SIMD lanes are rows. The AVX-512 kernel
// (packed_vnni.c) then needs no horizontal sums and stores sixteen outputs at once.
//
// Arithmetic is unchanged: every (row, column) is the same per-lane fmadd chain over blocks and
// the same final sum as the row-major kernels, so results are bit-identical to grok_matmul.
#include <math.h>
#include "internal.h"
#include "blocks.h"

size_t grok_packed_block_bytes(int type) {
    switch (type) {
    case GROK_TYPE_Q8_0: return sizeof(block_q8_0p);
    case GROK_TYPE_Q5_0: return sizeof(block_q5_0p);
    case GROK_TYPE_Q4_0: return sizeof(block_q4_0p);
    default: return 0;
    }
}

size_t grok_packed_bytes(int type, int64_t rows, int64_t n) {
    size_t block = grok_packed_block_bytes(type);
    if (!block || rows <= 0 || rows % 16 || n <= 0 || n % 32) return 0;
    return (size_t)(rows / 16) * (size_t)(n / 32) * block;
}

/// Row r's Q5_0 high bits, four per group, placed where the packed layout keeps them.
static void pack_high_bits(block_q5_0p *out, int r, uint32_t qh) {
    for (int group = 0; group < 8; group++) out->hmask[group] |= (uint64_t)((qh >> (4 * group)) & 0xF) << (4 * r);
}

static void pack_block(int type, const uint8_t *w, size_t wrb, int64_t b, void *out) {
    for (int r = 0; r < 16; r++) {
        const uint8_t *row = w + r * wrb;
        if (type == GROK_TYPE_Q8_0) {
            const block_q8_0 *src = (const block_q8_0 *)row + b;
            block_q8_0p *dst = out;
            dst->d[r] = src->d;
            for (int e = 0; e < 32; e++) dst->q[e / 4][4 * r + e % 4] = (uint8_t)(src->qs[e] + 128);
        } else if (type == GROK_TYPE_Q5_0) {
            const block_q5_0 *src = (const block_q5_0 *)row + b;
            block_q5_0p *dst = out;
            dst->d[r] = src->d;
            for (int e = 0; e < 16; e++) dst->qs[e / 4][4 * r + e % 4] = src->qs[e];
            uint32_t qh;
            memcpy(&qh, src->qh, 4);
            pack_high_bits(dst, r, qh);
        } else {
            const block_q4_0 *src = (const block_q4_0 *)row + b;
            block_q4_0p *dst = out;
            dst->d[r] = src->d;
            for (int e = 0; e < 16; e++) dst->qs[e / 4][4 * r + e % 4] = src->qs[e];
        }
    }
}

void grok_pack(int type, const void *w, size_t wrb, int64_t n, int64_t g0, int64_t g1, void *out) {
    size_t bytes = grok_packed_block_bytes(type);
    int64_t blocks = n / 32;
    for (int64_t g = g0; g < g1; g++) {
        for (int64_t b = 0; b < blocks; b++) {
            uint8_t *dst = (uint8_t *)out + ((size_t)g * blocks + b) * bytes;
            memset(dst, 0, bytes);
            pack_block(type, (const uint8_t *)w + g * 16 * wrb, wrb, b, dst);
        }
    }
}

/// Weight e (0…31) of row r in a packed block, as unsigned value + 128.
static uint8_t packed_weight(int type, const uint8_t *block, int r, int e) {
    if (type == GROK_TYPE_Q8_0) return ((const block_q8_0p *)block)->q[e / 4][4 * r + e % 4];
    int low = e < 16 ? e : e - 16;
    uint8_t byte = type == GROK_TYPE_Q5_0 ? ((const block_q5_0p *)block)->qs[low / 4][4 * r + low % 4]
                                          : ((const block_q4_0p *)block)->qs[low / 4][4 * r + low % 4];
    int nibble = e < 16 ? byte & 0xF : byte >> 4;
    if (type == GROK_TYPE_Q4_0) return (uint8_t)(nibble - 8 + 128);
    int high = (int)((((const block_q5_0p *)block)->hmask[e / 4] >> (4 * r + e % 4)) & 1);
    return (uint8_t)((nibble | high << 4) - 16 + 128);
}

void grok_matmul_packed_row(int type, const void *packed, int64_t n, int64_t r, const void *x, size_t xrb,
                            int64_t cols, float *out, int64_t os) {
    size_t bytes = grok_packed_block_bytes(type);
    int64_t blocks = n / 32;
    const uint8_t *group = (const uint8_t *)packed + (size_t)(r / 16) * blocks * bytes;
    int lane = (int)(r % 16);
    for (int64_t c = 0; c < cols; c++) {
        float acc[8] = {0};
        for (int64_t b = 0; b < blocks; b++) {
            const uint8_t *block = group + b * bytes;
            const block_q8_0a *yb = (const block_q8_0a *)((const uint8_t *)x + c * xrb) + b;
            float dw = grok_half_to_float(((const uint16_t *)block)[lane]);
            for (int l = 0; l < 8; l++) {
                int32_t s = 0;
                for (int k = 0; k < 4; k++)
                    s += ((int)packed_weight(type, block, lane, 4 * l + k) - 128) * ((int)yb->qb[4 * l + k] - 128);
                acc[l] = fmaf(dw * yb->d, (float)s, acc[l]);
            }
        }
        out[c * os + r] = grok_hsum8(acc);
    }
}

void grok_matmul_packed_portable(int type, const void *packed, int64_t n, int64_t r0, int64_t r1, const void *x,
                                 size_t xrb, int64_t cols, float *out, int64_t os) {
    for (int64_t r = r0; r < r1; r++) grok_matmul_packed_row(type, packed, n, r, x, xrb, cols, out, os);
}
