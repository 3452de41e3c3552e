// Unpacking of the formats whose products every instruction-set path computes from the same
// unpacked form: Q2_K, Q3_K and IQ4_XS into an lblock (signed weights and 16-bit scales), and
// the 32-element IQ4_NL, Q4_1 and Q5_1 weights into bytes. Plain C: the integer sums after it are
// exact, so the portable and SIMD paths agree bit for bit whatever unpacked them.
#ifndef GROK_UNPACK_H
#define GROK_UNPACK_H
#include "blocks.h"
#include "grok_kernels.h"

/// Whether a type is computed through an lblock.
static inline int grok_is_lblock_type(int type) {
    return type == GROK_TYPE_Q2_K || type == GROK_TYPE_Q3_K || type == GROK_TYPE_IQ4_XS;
}

static inline size_t grok_lblock_source_bytes(int type) {
    return type == GROK_TYPE_Q2_K ? sizeof(block_q2_K) : type == GROK_TYPE_Q3_K ? sizeof(block_q3_K) : sizeof(block_iq4_xs);
}

/// Sets the sixteen 16-bit scales of 32-weight group g: its first 16 weights take `first`, the
/// rest `second` (the int16 lanes a 256-bit maddubs gives for the group's bytes).
static inline void grok_lblock_scales(lblock *out, int g, int first, int second) {
    for (int i = 0; i < 16; i++) out->scale16[g][i] = (int16_t)(i < 8 ? first : second);
}

/// Q2_K: weights 0…3, scale and min per 16 weights.
static inline void grok_unpack_q2_K(const block_q2_K *b, lblock *out) {
    for (int h = 0; h < 2; h++)
        for (int s = 0; s < 4; s++)
            for (int l = 0; l < 32; l++) out->q[128 * h + 32 * s + l] = (int8_t)((b->qs[32 * h + l] >> (2 * s)) & 3);
    for (int g = 0; g < 8; g++) grok_lblock_scales(out, g, b->scales[2 * g] & 0xF, b->scales[2 * g + 1] & 0xF);
    for (int j = 0; j < 16; j++) out->mins16[j] = (int16_t)(b->scales[j] >> 4);
    out->d = grok_half_to_float(b->d);
    out->dmin = grok_half_to_float(b->dmin);
}

/// Q3_K's 6-bit scale j (0…15), offset removed: low nibble from bytes 0–7, high pair from 8–11.
static inline int grok_q3_K_scale(const uint8_t scales[12], int j) {
    int low = j < 8 ? scales[j] & 0xF : scales[j - 8] >> 4;
    int high = (scales[8 + j % 4] >> (2 * (j / 4))) & 3;
    return (low | (high << 4)) - 32;
}

/// Q3_K: weights −4…3 (the low two bits, less 4 where the high bit is clear).
static inline void grok_unpack_q3_K(const block_q3_K *b, lblock *out) {
    for (int h = 0; h < 2; h++)
        for (int s = 0; s < 4; s++)
            for (int l = 0; l < 32; l++) {
                int g = 4 * h + s;
                int low = (b->qs[32 * h + l] >> (2 * s)) & 3;
                int high = (b->hmask[l] >> g) & 1;
                out->q[32 * g + l] = (int8_t)(low - (high ? 0 : 4));
            }
    for (int g = 0; g < 8; g++) grok_lblock_scales(out, g, grok_q3_K_scale(b->scales, 2 * g), grok_q3_K_scale(b->scales, 2 * g + 1));
    memset(out->mins16, 0, sizeof out->mins16);
    out->d = grok_half_to_float(b->d);
    out->dmin = 0;
}

/// IQ4_XS: table values −127…113, one 6-bit scale (offset 32) per 32 weights.
static inline void grok_unpack_iq4_xs(const block_iq4_xs *b, lblock *out) {
    for (int g = 0; g < 8; g++) {
        const uint8_t *qs = b->qs + 16 * g;
        for (int j = 0; j < 16; j++) {
            out->q[32 * g + j] = grok_iq4nl_values[qs[j] & 0xF];
            out->q[32 * g + 16 + j] = grok_iq4nl_values[qs[j] >> 4];
        }
        int low = (b->scales_l[g / 2] >> (4 * (g % 2))) & 0xF;
        int high = (b->scales_h >> (2 * g)) & 3;
        int scale = (low | (high << 4)) - 32;
        grok_lblock_scales(out, g, scale, scale);
    }
    memset(out->mins16, 0, sizeof out->mins16);
    out->d = grok_half_to_float(b->d);
    out->dmin = 0;
}

static inline void grok_unpack_lblock(int type, const uint8_t *block, lblock *out) {
    if (type == GROK_TYPE_Q2_K) grok_unpack_q2_K((const block_q2_K *)block, out);
    else if (type == GROK_TYPE_Q3_K) grok_unpack_q3_K((const block_q3_K *)block, out);
    else grok_unpack_iq4_xs((const block_iq4_xs *)block, out);
}

/// IQ4_NL: 32 table values; byte j holds weight j (low nibble) and j + 16 (high nibble).
static inline void grok_unpack_iq4_nl(const block_iq4_nl *b, int8_t out[32]) {
    for (int j = 0; j < 16; j++) {
        out[j] = grok_iq4nl_values[b->qs[j] & 0xF];
        out[j + 16] = grok_iq4nl_values[b->qs[j] >> 4];
    }
}

/// Q4_1 or Q5_1: 32 unsigned weights (0…15 or 0…31), scale d and minimum m.
static inline void grok_unpack_q45_1(int type, const uint8_t *block, uint8_t out[32], float *d, float *m) {
    const uint8_t *qs;
    uint32_t high = 0;
    if (type == GROK_TYPE_Q5_1) {
        const block_q5_1 *b = (const block_q5_1 *)block;
        memcpy(&high, b->qh, 4);
        qs = b->qs;
        *d = grok_half_to_float(b->d);
        *m = grok_half_to_float(b->m);
    } else {
        const block_q4_1 *b = (const block_q4_1 *)block;
        qs = b->qs;
        *d = grok_half_to_float(b->d);
        *m = grok_half_to_float(b->m);
    }
    for (int j = 0; j < 16; j++) {
        out[j] = (uint8_t)((qs[j] & 0xF) | (((high >> j) & 1) << 4));
        out[j + 16] = (uint8_t)((qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4));
    }
}

#endif
