// Weights repacked sixteen rows at a time (the "packed" layout) for the AVX-512 kernels.
//
// A packed block holds block b of rows 16g … 16g+15: their scales, then for each 4-byte piece
// of the block the sixteen rows' bytes side by side (64 bytes), so one 512-bit register holds
// one piece of sixteen rows and the SIMD lanes are rows. The kernels (packed_vnni.c,
// packed_kquant_vnni.c) then need no horizontal sums and store sixteen outputs at once. The
// packed copy is as large as the file's (Q8_0's weights are stored + 128, the operand dpbusd
// wants unsigned).
//
// Arithmetic is unchanged: every (row, column) is the same chain of exact integer sums and
// float operations as in the file-layout kernels, so results are bit-identical to grok_matmul.
#include "internal.h"
#include "blocks.h"

size_t grok_packed_block_bytes(int type) {
    switch (type) {
    case GROK_TYPE_Q8_0: return sizeof(block_q8_0p);
    case GROK_TYPE_Q5_0: return sizeof(block_q5_0p);
    case GROK_TYPE_Q4_0: case GROK_TYPE_IQ4_NL: return sizeof(block_q4_0p);
    case GROK_TYPE_Q4_1: return sizeof(block_q4_1p);
    case GROK_TYPE_Q5_1: return sizeof(block_q5_1p);
    case GROK_TYPE_Q4_K: return sizeof(block_q4_Kp);
    case GROK_TYPE_Q6_K: return sizeof(block_q6_Kp);
    default: return 0;
    }
}

static int64_t block_elements(int type) { return type == GROK_TYPE_Q4_K || type == GROK_TYPE_Q6_K ? 256 : 32; }

size_t grok_packed_bytes(int type, int64_t rows, int64_t n) {
    size_t block = grok_packed_block_bytes(type);
    if (!block || rows <= 0 || rows % 16 || n <= 0 || n % block_elements(type)) return 0;
    return (size_t)(rows / 16) * (size_t)(n / block_elements(type)) * block;
}

/// Four bytes of `src` into row r's slot of a 64-byte piece.
static void put4(uint8_t piece[64], int r, const uint8_t *src) { memcpy(piece + 4 * r, src, 4); }

static void pack_q8_0(const block_q8_0 *src, int r, block_q8_0p *dst) {
    dst->d[r] = src->d;
    for (int e = 0; e < 32; e++) dst->q[e / 4][4 * r + e % 4] = (uint8_t)(src->qs[e] + 128);
}

static void pack_q5_0(const block_q5_0 *src, int r, block_q5_0p *dst) {
    dst->d[r] = src->d;
    for (int i = 0; i < 4; i++) put4(dst->qs[i], r, src->qs + 4 * i);
    uint32_t qh;
    memcpy(&qh, src->qh, 4);
    // High bits of elements 4i … 4i+3 at bits 4r … 4r+3 of hmask[i]: one mask per 4-byte piece.
    for (int i = 0; i < 8; i++) dst->hmask[i] |= (uint64_t)((qh >> (4 * i)) & 0xF) << (4 * r);
}

static void pack_q4_0(const block_q4_0 *src, int r, block_q4_0p *dst) {
    dst->d[r] = src->d;
    for (int i = 0; i < 4; i++) put4(dst->qs[i], r, src->qs + 4 * i);
}

static void pack_q4_1(const block_q4_1 *src, int r, block_q4_1p *dst) {
    dst->d[r] = src->d;
    dst->m[r] = src->m;
    for (int i = 0; i < 4; i++) put4(dst->qs[i], r, src->qs + 4 * i);
}

static void pack_q5_1(const block_q5_1 *src, int r, block_q5_1p *dst) {
    dst->d[r] = src->d;
    dst->m[r] = src->m;
    for (int i = 0; i < 4; i++) put4(dst->qs[i], r, src->qs + 4 * i);
    uint32_t qh;
    memcpy(&qh, src->qh, 4);
    for (int i = 0; i < 8; i++) dst->hmask[i] |= (uint64_t)((qh >> (4 * i)) & 0xF) << (4 * r);
}

static void pack_q4_K(const block_q4_K *src, int r, block_q4_Kp *dst) {
    dst->d[r] = src->d;
    dst->dmin[r] = src->dmin;
    for (int k = 0; k < 3; k++) memcpy(&dst->scales[k][r], src->scales + 4 * k, 4);
    for (int m = 0; m < 4; m++)
        for (int g = 0; g < 8; g++) put4(dst->qs[m][g], r, src->qs + 32 * m + 4 * g);
}

static void pack_q6_K(const block_q6_K *src, int r, block_q6_Kp *dst) {
    dst->d[r] = src->d;
    for (int k = 0; k < 4; k++) memcpy(&dst->scales[k][r], src->scales + 4 * k, 4);
    for (int h = 0; h < 2; h++) {
        for (int c = 0; c < 8; c++) {
            put4(dst->ql[h][0][c], r, src->ql + 64 * h + 4 * c);
            put4(dst->ql[h][1][c], r, src->ql + 64 * h + 32 + 4 * c);
            put4(dst->qh[h][c], r, src->qh + 32 * h + 4 * c);
        }
    }
}

static void pack_block(int type, const uint8_t *w, size_t wrb, int64_t b, void *out) {
    for (int r = 0; r < 16; r++) {
        const uint8_t *row = w + r * wrb;
        switch (type) {
        case GROK_TYPE_Q8_0: pack_q8_0((const block_q8_0 *)row + b, r, out); break;
        case GROK_TYPE_Q5_0: pack_q5_0((const block_q5_0 *)row + b, r, out); break;
        case GROK_TYPE_Q4_0: pack_q4_0((const block_q4_0 *)row + b, r, out); break;
        // IQ4_NL's block is Q4_0's (f16 scale, sixteen bytes of nibbles); only their meaning differs.
        case GROK_TYPE_IQ4_NL: pack_q4_0((const block_q4_0 *)((const block_iq4_nl *)row + b), r, out); break;
        case GROK_TYPE_Q4_1: pack_q4_1((const block_q4_1 *)row + b, r, out); break;
        case GROK_TYPE_Q5_1: pack_q5_1((const block_q5_1 *)row + b, r, out); break;
        case GROK_TYPE_Q4_K: pack_q4_K((const block_q4_K *)row + b, r, out); break;
        case GROK_TYPE_Q6_K: pack_q6_K((const block_q6_K *)row + b, r, out); break;
        default: break;
        }
    }
}

void grok_pack(int type, const void *w, size_t wrb, int64_t n, int64_t g0, int64_t g1, void *out) {
    size_t bytes = grok_packed_block_bytes(type);
    int64_t blocks = n / block_elements(type);
    for (int64_t g = g0; g < g1; g++) {
        for (int64_t b = 0; b < blocks; b++) {
            uint8_t *dst = (uint8_t *)out + ((size_t)g * blocks + b) * bytes;
            memset(dst, 0, bytes);
            pack_block(type, (const uint8_t *)w + g * 16 * wrb, wrb, b, dst);
        }
    }
}
