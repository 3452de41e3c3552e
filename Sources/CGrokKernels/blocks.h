// Block layouts of the quantised formats (as stored in GGUF files) and small scalar helpers
// shared by every instruction-set path.
#ifndef GROK_BLOCKS_H
#define GROK_BLOCKS_H

#include <stdint.h>
#include <string.h>

#define QK32 32
#define QKK 256

typedef struct { uint16_t d; int8_t qs[32]; } block_q8_0;                 // 34 bytes
typedef struct { uint16_t d; uint8_t qs[16]; } block_q4_0;                // 18 bytes
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } block_q5_0; // 22 bytes
typedef struct { uint16_t d, m; uint8_t qs[16]; } block_q4_1;             // 20 bytes
typedef struct { uint16_t d, m; uint8_t qh[4]; uint8_t qs[16]; } block_q5_1; // 24 bytes
typedef struct { uint16_t d; uint8_t qs[16]; } block_iq4_nl;              // 18 bytes
typedef struct { float d; int8_t qs[256]; int16_t bsums[16]; } block_q8_K; // 292 bytes
/// Activations beside Q4_1/Q5_1 weights: ggml's Q8_1 (scale and scale · Σq rounded to f16),
/// both kept widened to f32.
typedef struct { float d, s; int8_t qs[32]; } block_q8_1x;                // 40 bytes
/// Activations beside Q4_0/Q5_0/Q8_0 weights: ggml's Q8_0 rounding (the scale is rounded to
/// f16), with that scale kept widened to f32 so the kernels need not convert it per block.
typedef struct { float d; int8_t qs[32]; } block_q8_0x;                   // 36 bytes
/// The same for activations, values stored biased by +128 (unsigned), the operand dpbusd wants.
typedef struct { float d; uint8_t qb[32]; } block_q8_0a;                  // 36 bytes
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[128]; } block_q4_K;              // 144
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } block_q5_K; // 176
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } block_q6_K;     // 210
/// Q2_K: per 16 weights a 4-bit scale (low nibble) and min (high nibble); 2-bit weights, four
/// per byte: weight 128h + 32s + l is bits 2s… of qs[32h + l].
typedef struct { uint8_t scales[16]; uint8_t qs[64]; uint16_t d, dmin; } block_q2_K;                // 84
/// Q3_K: 2 low bits as Q2_K's, the third bit of weight 32g + l at bit g of hmask[l] (clear: −4);
/// sixteen 6-bit scales (offset 32) packed in 12 bytes.
typedef struct { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; uint16_t d; } block_q3_K;  // 110
/// IQ4_XS: per 32 weights a 6-bit scale (offset 32: low nibble in scales_l, high pair in
/// scales_h); 4-bit indices into the IQ4_NL table, laid out per 32 as IQ4_NL's blocks.
typedef struct { uint16_t d, scales_h; uint8_t scales_l[4]; uint8_t qs[128]; } block_iq4_xs;       // 136

/// The 16 values IQ4_NL and IQ4_XS indices stand for (ggml's kvalues_iq4nl).
static const int8_t grok_iq4nl_values[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

/// A Q2_K, Q3_K or IQ4_XS block unpacked once for all activation rows: signed weights, the scale
/// of each 16-weight half of every 32-weight group, and (Q2_K) the sixteen mins.
typedef struct {
    int8_t q[256];
    int16_t scale16[8][16];
    int16_t mins16[16];
    float d, dmin;
} lblock;

/// A K-quant block unpacked once for all activation tiles: weights as bytes, scales ready.
typedef struct {
    uint8_t q[256];          // unsigned weights: 0…31 (Q4_K, Q5_K) or 0…63 (Q6_K, offset 32)
    int16_t scale16[8][16];  // per 32-weight group, the 16-bit scale of each 16-weight half
    int16_t scales16[16];    // Q6_K: its 16 sub-block scales (for the offset of 32)
    int32_t mins[8];         // Q4_K/Q5_K: the sub-block mins
    float d, dmin;
} kblock;

/// Packed layout (packed.c): block b of sixteen rows, scales first, then per 4-element group
/// the sixteen rows' weights side by side. Q8_0 weights are stored + 128 (unsigned).
typedef struct { uint16_t d[16]; uint8_t q[8][64]; } block_q8_0p;                  // 544 bytes
/// Q5_0: low nibbles as in the file (group i and i + 4 share bytes); high bit of element
/// 4i + k of row r at bit 4r + k of hmask[i].
typedef struct { uint16_t d[16]; uint64_t hmask[8]; uint8_t qs[4][64]; } block_q5_0p; // 352 bytes
typedef struct { uint16_t d[16]; uint8_t qs[4][64]; } block_q4_0p;                  // 288 bytes (also IQ4_NL)
/// Q4_1/Q5_1: as Q4_0/Q5_0, with the sixteen rows' minimums after their scales.
typedef struct { uint16_t d[16], m[16]; uint8_t qs[4][64]; } block_q4_1p;            // 320 bytes
typedef struct { uint16_t d[16], m[16]; uint64_t hmask[8]; uint8_t qs[4][64]; } block_q5_1p; // 384 bytes
/// Q4_K: the twelve scale bytes of each row as three dwords (dword k of the sixteen rows side
/// by side); qs[m][g] holds bytes 32m + 4g … 32m + 4g + 3 of the sixteen rows (sub-block 2m in
/// the low nibbles, 2m + 1 in the high ones).
typedef struct { uint16_t d[16], dmin[16]; uint32_t scales[3][16]; uint8_t qs[4][8][64]; } block_q4_Kp; // 2304
/// Q6_K: scale dwords as above; for each half h and 4-byte chunk c the sixteen rows' ql bytes
/// 64h + 4c… (ql[h][0][c]), 64h + 32 + 4c… (ql[h][1][c]) and qh bytes 32h + 4c… (qh[h][c]).
typedef struct { uint16_t d[16]; uint32_t scales[4][16]; uint8_t ql[2][2][8][64]; uint8_t qh[2][8][64]; } block_q6_Kp; // 3360

_Static_assert(sizeof(block_q8_0) == 34, "q8_0");
_Static_assert(sizeof(block_q4_0) == 18, "q4_0");
_Static_assert(sizeof(block_q5_0) == 22, "q5_0");
_Static_assert(sizeof(block_q8_K) == 292, "q8_K");
_Static_assert(sizeof(block_q8_0x) == 36, "q8_0x");
_Static_assert(sizeof(block_q8_0a) == 36, "q8_0a");
_Static_assert(sizeof(block_q4_K) == 144, "q4_K");
_Static_assert(sizeof(block_q8_0p) == 544 && sizeof(block_q5_0p) == 352 && sizeof(block_q4_0p) == 288, "packed");
_Static_assert(sizeof(block_q4_1p) == 16 * sizeof(block_q4_1) && sizeof(block_q5_1p) == 16 * sizeof(block_q5_1), "packed _1");
_Static_assert(sizeof(block_q4_Kp) == 16 * sizeof(block_q4_K) && sizeof(block_q6_Kp) == 16 * sizeof(block_q6_K), "packed K");
_Static_assert(sizeof(block_q5_K) == 176, "q5_K");
_Static_assert(sizeof(block_q6_K) == 210, "q6_K");
_Static_assert(sizeof(block_q4_1) == 20 && sizeof(block_q5_1) == 24 && sizeof(block_iq4_nl) == 18, "32-element types");
_Static_assert(sizeof(block_q8_1x) == 40, "q8_1x");
_Static_assert(sizeof(block_q2_K) == 84 && sizeof(block_q3_K) == 110 && sizeof(block_iq4_xs) == 136, "q2_K, q3_K, iq4_xs");

static inline float grok_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FF;
    uint32_t bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        // Subnormal: value = mantissa · 2^-24, exactly representable as a float.
        float value = (float)mantissa * (1.0f / 16777216.0f);
        memcpy(&bits, &value, 4);
        bits |= sign;
    }
    float out;
    memcpy(&out, &bits, 4);
    return out;
}

/// Correctly rounded (nearest even) double → f16, so exact sums can be rounded once.
static inline uint16_t grok_half_from_double(double x) {
    uint64_t b;
    memcpy(&b, &x, 8);
    uint16_t sign = (uint16_t)((b >> 48) & 0x8000);
    int e = (int)((b >> 52) & 0x7FF);
    uint64_t m = b & 0xFFFFFFFFFFFFFull;
    if (e == 0x7FF) return sign | 0x7C00 | (m ? 0x200 : 0);
    if (e == 0) return sign;
    int e16 = e - 1023 + 15;
    uint64_t sig = m | (1ull << 52);
    int shift = 42;
    if (e16 <= 0) {
        shift += 1 - e16;
        e16 = 0;
        if (shift > 60) return sign;
    }
    uint64_t kept = sig >> shift;
    uint64_t rest = sig & ((1ull << shift) - 1);
    uint64_t half = 1ull << (shift - 1);
    if (rest > half || (rest == half && (kept & 1))) kept++;
    if (e16 == 0) return sign | (uint16_t)kept;
    uint32_t h = ((uint32_t)e16 << 10) + (uint32_t)(kept - 0x400);
    if (h >= 0x7C00) return sign | 0x7C00;
    return sign | (uint16_t)h;
}

/// Q4_K/Q5_K: the 6-bit scale and min of sub-block j from the 12 packed bytes.
static inline void grok_scale_min_k4(int j, const uint8_t *q, int *scale, int *min) {
    if (j < 4) {
        *scale = q[j] & 63;
        *min = q[j + 4] & 63;
    } else {
        *scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

/// ggml's horizontal sum of eight float lanes: ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)).
static inline float grok_hsum8(const float *a) {
    float x0 = a[0] + a[4], x1 = a[1] + a[5], x2 = a[2] + a[6], x3 = a[3] + a[7];
    return (x0 + x2) + (x1 + x3);
}

#endif
