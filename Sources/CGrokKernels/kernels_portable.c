// The portable kernels (plain C, same integer sums and float order as the SIMD paths) and
// the run-time choice of instruction set.
#include <math.h>
#include "blocks.h"
#include "internal.h"
#include "unpack.h"

/// Eight float lanes accumulated like a 256-bit fmadd of per-4-byte-group integer sums.
static void lanes_add(float acc[8], const int32_t groups[8], float d) {
    for (int l = 0; l < 8; l++) acc[l] = fmaf(d, (float)groups[l], acc[l]);
}

static void groups_signed(const int8_t *w, const int8_t *y, int32_t groups[8]) {
    for (int l = 0; l < 8; l++) {
        int32_t s = 0;
        for (int k = 0; k < 4; k++) s += w[4 * l + k] * y[4 * l + k];
        groups[l] = s;
    }
}

static void unpack_q8_0(const void *block, int8_t out[32]) { memcpy(out, ((const block_q8_0 *)block)->qs, 32); }

static void unpack_q4_0(const void *block, int8_t out[32]) {
    const block_q4_0 *b = block;
    for (int i = 0; i < 16; i++) {
        out[i] = (int8_t)((b->qs[i] & 0xF) - 8);
        out[i + 16] = (int8_t)((b->qs[i] >> 4) - 8);
    }
}

static void unpack_q5_0(const void *block, int8_t out[32]) {
    const block_q5_0 *b = block;
    uint32_t high;
    memcpy(&high, b->qh, 4);
    for (int i = 0; i < 16; i++) {
        out[i] = (int8_t)(((b->qs[i] & 0xF) | (((high >> i) & 1) << 4)) - 16);
        out[i + 16] = (int8_t)(((b->qs[i] >> 4) | (((high >> (i + 16)) & 1) << 4)) - 16);
    }
}

static void unpack_iq4_nl(const void *block, int8_t out[32]) { grok_unpack_iq4_nl(block, out); }

static void row_block32(const uint8_t *w, size_t block_bytes, void (*unpack)(const void *, int8_t *), int64_t blocks,
                        const uint8_t *x, size_t xrb, int nc, float *out, int64_t os) {
    float acc[4][8] = {{0}};
    for (int64_t b = 0; b < blocks; b++) {
        const uint8_t *block = w + b * block_bytes;
        int8_t q[32];
        unpack(block, q);
        uint16_t hd;
        memcpy(&hd, block, 2);
        float dw = grok_half_to_float(hd);
        for (int c = 0; c < nc; c++) {
            const block_q8_0a *yb = (const block_q8_0a *)(x + c * xrb) + b;
            int8_t y[32];
            for (int i = 0; i < 32; i++) y[i] = (int8_t)(yb->qb[i] - 128);
            int32_t groups[8];
            groups_signed(q, y, groups);
            lanes_add(acc[c], groups, dw * yb->d);
        }
    }
    for (int c = 0; c < nc; c++) out[c * os] = grok_hsum8(acc[c]);
}

static void row_q45_K(const uint8_t *w, int64_t blocks, const uint8_t *x, size_t xrb, int nc, float *out, int64_t os,
                      int five, int pairwise) {
    float sums[4] = {0, 0, 0, 0}, minSums[4] = {0, 0, 0, 0};
    for (int64_t b = 0; b < blocks; b++) {
        const uint8_t *scales, *qs, *qh = NULL;
        uint16_t hd, hmin;
        if (five) {
            const block_q5_K *wb = (const block_q5_K *)w + b;
            scales = wb->scales; qs = wb->qs; qh = wb->qh; hd = wb->d; hmin = wb->dmin;
        } else {
            const block_q4_K *wb = (const block_q4_K *)w + b;
            scales = wb->scales; qs = wb->qs; hd = wb->d; hmin = wb->dmin;
        }
        uint8_t q[256];
        for (int j = 0; j < 4; j++) {
            for (int l = 0; l < 32; l++) {
                uint8_t byte = qs[32 * j + l];
                q[64 * j + l] = byte & 0xF;
                q[64 * j + 32 + l] = byte >> 4;
                if (five) {
                    q[64 * j + l] |= ((qh[l] >> (2 * j)) & 1) << 4;
                    q[64 * j + 32 + l] |= ((qh[l] >> (2 * j + 1)) & 1) << 4;
                }
            }
        }
        float dw = grok_half_to_float(hd), mw = grok_half_to_float(hmin);
        for (int c = 0; c < nc; c++) {
            const block_q8_K *yb = (const block_q8_K *)(x + c * xrb) + b;
            int32_t isum = 0, mins = 0;
            for (int j = 0; j < 8; j++) {
                int sc, mn;
                grok_scale_min_k4(j, scales, &sc, &mn);
                int32_t s = 0;
                for (int i = 0; i < 32; i++) s += q[32 * j + i] * yb->qs[32 * j + i];
                isum += sc * s;
                mins += mn * (yb->bsums[2 * j] + yb->bsums[2 * j + 1]);
                if (pairwise && (j & 1)) {
                    sums[c] = fmaf((float)isum, dw * yb->d, sums[c]);
                    minSums[c] = fmaf((float)mins, mw * yb->d, minSums[c]);
                    isum = mins = 0;
                }
            }
            if (!pairwise) {
                sums[c] = fmaf((float)isum, dw * yb->d, sums[c]);
                minSums[c] = fmaf((float)mins, mw * yb->d, minSums[c]);
            }
        }
    }
    for (int c = 0; c < nc; c++) out[c * os] = sums[c] - minSums[c];
}

static void row_q6_K(const uint8_t *w, int64_t blocks, const uint8_t *x, size_t xrb, int nc, float *out, int64_t os,
                     int tiled) {
    float acc[4][8] = {{0}}, sums[4] = {0, 0, 0, 0};
    for (int64_t b = 0; b < blocks; b++) {
        const block_q6_K *wb = (const block_q6_K *)w + b;
        uint8_t q[256];
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = wb->ql + 64 * half, *qh = wb->qh + 32 * half;
            uint8_t *o = q + 128 * half;
            for (int l = 0; l < 32; l++) {
                o[l] = (ql[l] & 0xF) | ((qh[l] & 3) << 4);
                o[l + 32] = (ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4);
                o[l + 64] = (ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4);
                o[l + 96] = (ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4);
            }
        }
        float dw = grok_half_to_float(wb->d);
        for (int c = 0; c < nc; c++) {
            const block_q8_K *yb = (const block_q8_K *)(x + c * xrb) + b;
            // Lane l holds bytes 4l…4l+3 of every 32-byte group, scaled by its 16-element
            // sub-block, minus 32 · (scale · sum) of sub-blocks 2l and 2l+1: ggml's lanes.
            int32_t lanes[8];
            for (int l = 0; l < 8; l++) {
                int32_t sum = 0;
                for (int g = 0; g < 8; g++) {
                    int32_t part = 0;
                    for (int k = 0; k < 4; k++) part += q[32 * g + 4 * l + k] * yb->qs[32 * g + 4 * l + k];
                    sum += wb->scales[2 * g + (l >= 4)] * part;
                }
                int32_t offset = yb->bsums[2 * l] * wb->scales[2 * l] + yb->bsums[2 * l + 1] * wb->scales[2 * l + 1];
                lanes[l] = sum - 32 * offset;
            }
            if (tiled) {
                int32_t isum = 0;
                for (int l = 0; l < 8; l++) isum += lanes[l];
                sums[c] = fmaf((float)isum * dw, yb->d, sums[c]);
            } else {
                lanes_add(acc[c], lanes, yb->d * dw);
            }
        }
    }
    for (int c = 0; c < nc; c++) out[c * os] = tiled ? sums[c] : grok_hsum8(acc[c]);
}

/// Q4_1 and Q5_1 against Q8_1 activations: ggml's lanes of d_w·d_y · Σ(4 weights × 4
/// activations), beside a scalar chain of m · s (the activation block's scaled sum).
static void row_q45_1(int type, const uint8_t *w, int64_t blocks, const uint8_t *x, size_t xrb, int nc, float *out,
                      int64_t os) {
    const size_t bytes = type == GROK_TYPE_Q5_1 ? sizeof(block_q5_1) : sizeof(block_q4_1);
    float acc[4][8] = {{0}}, mins[4] = {0, 0, 0, 0};
    for (int64_t b = 0; b < blocks; b++) {
        uint8_t q[32];
        float dw, mw;
        grok_unpack_q45_1(type, w + b * bytes, q, &dw, &mw);
        for (int c = 0; c < nc; c++) {
            const block_q8_1x *yb = (const block_q8_1x *)(x + c * xrb) + b;
            int32_t groups[8];
            for (int l = 0; l < 8; l++) {
                int32_t sum = 0;
                for (int k = 0; k < 4; k++) sum += q[4 * l + k] * yb->qs[4 * l + k];
                groups[l] = sum;
            }
            lanes_add(acc[c], groups, dw * yb->d);
            mins[c] = fmaf(mw, yb->s, mins[c]);
        }
    }
    for (int c = 0; c < nc; c++) out[c * os] = grok_hsum8(acc[c]) + mins[c];
}

/// Q2_K, Q3_K and IQ4_XS against Q8_K activations. Lane l of a block: Σ over its eight 32-weight
/// groups of (the scale of the group's half holding bytes 4l…4l+3) × Σ of those four products;
/// Q2_K's mins enter first, as lanes of mins · bsums (ggml's order).
static void row_lblock(int type, const uint8_t *w, int64_t blocks, const uint8_t *x, size_t xrb, int nc, float *out,
                       int64_t os) {
    const size_t bytes = grok_lblock_source_bytes(type);
    float acc[4][8] = {{0}};
    for (int64_t b = 0; b < blocks; b++) {
        lblock kb;
        grok_unpack_lblock(type, w + b * bytes, &kb);
        for (int c = 0; c < nc; c++) {
            const block_q8_K *yb = (const block_q8_K *)(x + c * xrb) + b;
            if (type == GROK_TYPE_Q2_K) {
                int32_t mins[8];
                for (int l = 0; l < 8; l++)
                    mins[l] = kb.mins16[2 * l] * yb->bsums[2 * l] + kb.mins16[2 * l + 1] * yb->bsums[2 * l + 1];
                lanes_add(acc[c], mins, -yb->d * kb.dmin);
            }
            int32_t lanes[8];
            for (int l = 0; l < 8; l++) {
                int32_t sum = 0;
                for (int g = 0; g < 8; g++) {
                    int32_t part = 0;
                    for (int k = 0; k < 4; k++) part += kb.q[32 * g + 4 * l + k] * yb->qs[32 * g + 4 * l + k];
                    sum += kb.scale16[g][2 * l] * part;
                }
                lanes[l] = sum;
            }
            lanes_add(acc[c], lanes, yb->d * kb.d);
        }
    }
    for (int c = 0; c < nc; c++) out[c * os] = grok_hsum8(acc[c]);
}

static float bf16_to_float(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

void grok_matmul_float_rows(int type, const uint8_t *row, int64_t n, const uint8_t *x, size_t xrb, int nc,
                            float *out, int64_t os) {
    for (int c = 0; c < nc; c++) {
        const uint8_t *xc = x + c * xrb;
        // 32 fused accumulators (lane i % 32): four independent chains of eight, which the
        // SIMD paths keep in four registers, summed in a fixed order.
        float acc[32] = {0};
        for (int64_t i = 0; i < n; i++) {
            float a, b;
            if (type == GROK_TYPE_F32) {
                memcpy(&a, row + 4 * i, 4);
                memcpy(&b, xc + 4 * i, 4);
            } else {
                uint16_t ha, hb;
                memcpy(&ha, row + 2 * i, 2);
                memcpy(&hb, xc + 2 * i, 2);
                a = type == GROK_TYPE_F16 ? grok_half_to_float(ha) : bf16_to_float(ha);
                b = type == GROK_TYPE_F16 ? grok_half_to_float(hb) : bf16_to_float(hb);
            }
            acc[i & 31] = fmaf(a, b, acc[i & 31]);
        }
        float lanes[8];
        for (int j = 0; j < 8; j++) lanes[j] = ((acc[j] + acc[8 + j]) + acc[16 + j]) + acc[24 + j];
        out[c * os] = grok_hsum8(lanes);
    }
}

void grok_matmul_portable(int type, const void *w, size_t wrb, int64_t n, int64_t r0, int64_t r1, const void *x,
                          size_t xrb, int64_t cols, float *out, int64_t os, int alone) {
    for (int64_t r = r0; r < r1; r++) {
        const uint8_t *row = (const uint8_t *)w + r * wrb;
        for (int64_t c0 = 0; c0 < cols; c0 += 4) {
            int nc = (int)(cols - c0 < 4 ? cols - c0 : 4);
            const uint8_t *xs = (const uint8_t *)x + c0 * xrb;
            float *o = out + c0 * os + r;
            switch (type) {
            case GROK_TYPE_Q8_0: row_block32(row, sizeof(block_q8_0), unpack_q8_0, n / 32, xs, xrb, nc, o, os); break;
            case GROK_TYPE_Q4_0: row_block32(row, sizeof(block_q4_0), unpack_q4_0, n / 32, xs, xrb, nc, o, os); break;
            case GROK_TYPE_Q5_0: row_block32(row, sizeof(block_q5_0), unpack_q5_0, n / 32, xs, xrb, nc, o, os); break;
            case GROK_TYPE_IQ4_NL: row_block32(row, sizeof(block_iq4_nl), unpack_iq4_nl, n / 32, xs, xrb, nc, o, os); break;
            case GROK_TYPE_Q4_1: case GROK_TYPE_Q5_1: row_q45_1(type, row, n / 32, xs, xrb, nc, o, os); break;
            case GROK_TYPE_Q2_K: case GROK_TYPE_Q3_K: case GROK_TYPE_IQ4_XS: row_lblock(type, row, n / 256, xs, xrb, nc, o, os); break;
            case GROK_TYPE_Q4_K: row_q45_K(row, n / 256, xs, xrb, nc, o, os, 0, !alone && nc == 4); break;
            case GROK_TYPE_Q5_K: row_q45_K(row, n / 256, xs, xrb, nc, o, os, 1, !alone && nc == 4); break;
            case GROK_TYPE_Q6_K: row_q6_K(row, n / 256, xs, xrb, nc, o, os, !alone && cols >= GROK_TILED_MIN_ROWS); break;
            default: grok_matmul_float_rows(type, row, n, xs, xrb, nc, o, os); break;
            }
        }
    }
}
