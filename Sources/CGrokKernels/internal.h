// Declarations shared between the kernel files (not part of the public header).
#ifndef GROK_INTERNAL_H
#define GROK_INTERNAL_H
#include "grok_kernels.h"
#include <stddef.h>
#include <stdint.h>

/// From this many activation rows on, llama.cpp computes Q6_K products with its tiled kernel.
#define GROK_TILED_MIN_ROWS 8

/// F32/F16/BF16 weight rows · activation rows in the matching format (portable, all paths).
void grok_matmul_float_rows(int type, const uint8_t *row, int64_t n, const uint8_t *x, size_t xrb, int nc,
                            float *out, int64_t os);
void grok_matmul_portable(int type, const void *w, size_t wrb, int64_t n, int64_t r0, int64_t r1,
                          const void *x, size_t xrb, int64_t cols, float *out, int64_t os, int alone);
void grok_matmul_avx2(int type, const void *w, size_t wrb, int64_t n, int64_t r0, int64_t r1, const void *x,
                      size_t xrb, int64_t cols, float *out, int64_t os, int alone);
void grok_matmul_vnni(int type, const void *w, size_t wrb, int64_t n, int64_t r0, int64_t r1, const void *x,
                      size_t xrb, int64_t cols, float *out, int64_t os, int alone);
/// Bytes of one packed block (sixteen rows × 32 elements), 0 for types without a packed form.
size_t grok_packed_block_bytes(int type);
/// Whole groups of sixteen rows [g0, g1): Q8_0, Q5_0, Q4_0, IQ4_NL, Q4_1, Q5_1 (packed_vnni.c).
void grok_matmul_packed_vnni(int type, const void *packed, int64_t n, int64_t g0, int64_t g1, const void *x,
                             size_t xrb, int64_t cols, float *out, int64_t os);
/// The same for Q4_K and Q6_K (packed_kquant_vnni.c). `batch[c]`: activation row c rounds as
/// llama.cpp's batch kernels round it (Q4_K pairwise, Q6_K tiled); otherwise as a row alone.
void grok_matmul_packed_kquant_vnni(int type, const void *packed, int64_t n, int64_t g0, int64_t g1, const void *x,
                                    size_t xrb, int64_t cols, const uint8_t *batch, float *out, int64_t os);

/// Per-thread scratch buffers (64-byte aligned, grown on demand, freed at thread exit).
enum { GROK_SCRATCH_ACTS, GROK_SCRATCH_SCALES, GROK_SCRATCH_WEIGHTS, GROK_SCRATCH_MODES, GROK_SCRATCH_MINS, GROK_SCRATCH_SLOTS };
void *grok_scratch(int slot, size_t bytes);
#endif
