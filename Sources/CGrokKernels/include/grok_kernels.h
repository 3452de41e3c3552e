// The engine's innermost loops in C: activation quantisation, weight × activation dot products
// and f16 attention. Swift calls these through the GrokEngine module; every function has a plain
// Swift reference twin in GrokEngine that the tests compare it with.
//
// Instruction sets are chosen at run time (see grok_kernels_isa): AVX-512 VNNI, AVX2 + FMA, or a
// portable path. All paths compute the same integers in the same order and give identical floats.
#ifndef GROK_KERNELS_H
#define GROK_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// ggml's raw type numbers for the weight types the kernels handle.
enum {
    GROK_TYPE_F32 = 0,
    GROK_TYPE_F16 = 1,
    GROK_TYPE_Q4_0 = 2,
    GROK_TYPE_Q4_1 = 3,
    GROK_TYPE_Q5_0 = 6,
    GROK_TYPE_Q5_1 = 7,
    GROK_TYPE_Q8_0 = 8,
    GROK_TYPE_Q2_K = 10,
    GROK_TYPE_Q3_K = 11,
    GROK_TYPE_Q4_K = 12,
    GROK_TYPE_Q5_K = 13,
    GROK_TYPE_Q6_K = 14,
    GROK_TYPE_IQ4_NL = 20,
    GROK_TYPE_IQ4_XS = 23,
    GROK_TYPE_BF16 = 30,
};

/// Instruction-set levels, best last.
enum {
    GROK_ISA_PORTABLE = 0,
    GROK_ISA_AVX2 = 1,
    GROK_ISA_AVX512_VNNI = 2,
};

/// The level the kernels use: the best the CPU supports, unless lowered by grok_kernels_set_isa.
int grok_kernels_isa(void);
/// A readable name of a level ("avx512-vnni", "avx2", "portable").
const char *grok_kernels_isa_name(int isa);
/// Uses `isa` from now on, or the best supported level if `isa` is higher; returns the level set.
int grok_kernels_set_isa(int isa);
/// Whether attention uses the CPU's native f16 arithmetic (AVX-512 FP16) rather than emulating it.
int grok_kernels_native_f16(void);

/// Bytes of one activation row of `n` elements in the format `weight_type` rows are multiplied
/// with; 0 if the type is unknown or `n` is not a whole number of blocks. Beside Q4_0/Q5_0/Q8_0/
/// IQ4_NL: blocks of 32 rounded as ggml's Q8_0 (scale rounded to f16) but stored as {f32 scale,
/// 32 × u8 biased by 128}; beside Q4_1/Q5_1: ggml's Q8_1 (f16 scale and f16 scaled sum, both
/// widened to f32, 32 × i8); beside K-quants and IQ4_XS: ggml's Q8_K; beside f16/bf16/f32: the
/// same type.
size_t grok_activation_row_bytes(int weight_type, int64_t n);

/// Quantises `n` floats into that format, rounding exactly as ggml does.
void grok_quantize_activation(int weight_type, const float *x, void *out, int64_t n);

/// out[c * out_stride + r] = row r of `w` · activation row c, for r in [r0, r1), c in [0, cols).
/// `w` has rows of `n` elements, `w_row_bytes` apart; activations are `x_row_bytes` apart.
void grok_matmul(int weight_type, const void *w, size_t w_row_bytes, int64_t n, int64_t r0, int64_t r1,
                 const void *x, size_t x_row_bytes, int64_t cols, float *out, int64_t out_stride);

/// grok_matmul where every activation row is rounded as if multiplied on its own (llama.cpp's
/// one-row arithmetic), whatever the number of rows: for batches of independent sequences.
/// grok_matmul itself rounds the rows as llama.cpp rounds one batch of that many rows.
void grok_matmul_rows_alone(int weight_type, const void *w, size_t w_row_bytes, int64_t n, int64_t r0, int64_t r1,
                            const void *x, size_t x_row_bytes, int64_t cols, float *out, int64_t out_stride);

/// Bytes of a `rows` × `n` matrix of `weight_type` in the packed layout (sixteen rows per
/// block, for the AVX-512 kernels); 0 where the type has no packed form (Q8_0, Q5_0, Q4_0,
/// Q4_K and Q6_K do) or `rows` is not a multiple of 16.
size_t grok_packed_bytes(int weight_type, int64_t rows, int64_t n);
/// Whether packed matrices can be multiplied now: the AVX-512 VNNI level is in use (packing
/// pays only there).
int grok_packed_preferred(void);
/// Packs the groups of sixteen rows [g0, g1) of `w` into `out` (grok_packed_bytes long).
void grok_pack(int weight_type, const void *w, size_t w_row_bytes, int64_t n, int64_t g0, int64_t g1, void *out);
/// Consecutive activation rows multiplied under one rounding: as llama.cpp multiplies one batch
/// of `count` rows (grok_matmul), or each row on its own (`alone`, grok_matmul_rows_alone).
typedef struct {
    int64_t start, count;
    int alone;
} grok_row_group;

/// Products over a packed matrix for activation rows in `groups` (consecutive, in order), each
/// group rounded as its own grok_matmul or grok_matmul_rows_alone would round it, bit for bit:
/// the weights are read once for all groups. Only while grok_packed_preferred(); r0 and r1
/// multiples of 16. `x` and `out` point at activation row 0 and its output row.
void grok_matmul_packed(int weight_type, const void *packed, int64_t n, int64_t r0, int64_t r1, const void *x,
                        size_t x_row_bytes, const grok_row_group *groups, int64_t group_count, float *out,
                        int64_t out_stride);

/// Single-row dot product: row `w` · activation row `x`, `n` elements.
float grok_dot(int weight_type, const void *w, const void *x, int64_t n);

/// f32 → f16 and back, round to nearest even (the cache format).
uint16_t grok_f16_from_f32(float x);
float grok_f32_from_f16(uint16_t h);
/// Converts `n` floats to f16.
void grok_f16_from_f32_row(const float *x, uint16_t *out, int64_t n);

/// Attention of one query head over `count` cached positions, the way llama.cpp's CPU flash
/// attention computes it with f16 caches: scores q·k in f32 (ggml's summation order), an online
/// softmax, and the weighted sum of values held in f16 with f16 weights. `q` is the scaled query
/// in f16; `keys`/`values` point at position 0 of this head, `stride` elements apart per
/// position; `size` is the head size (a multiple of 64). Writes `size` floats to `out`.
void grok_attend_f16(const uint16_t *q, const uint16_t *keys, const uint16_t *values, int64_t stride,
                     int64_t count, int64_t size, float *out);

/// A spin-wait hint to the CPU (PAUSE on x86); nothing elsewhere.
static inline void grok_cpu_relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

#ifdef __cplusplus
}
#endif

#endif
