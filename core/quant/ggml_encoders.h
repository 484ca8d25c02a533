// Internal: the per-format encoders behind the fromFloat / fromFloatWeighted
// columns of the block-format table (block_formats.h). Callers use
// quantizeRow() or the scheme API (scheme.h) instead of these names.
//
// *Ref(x, dst, n): llama.cpp's quantize_row_*_ref, byte for byte. n is a
//   multiple of the block size; dst receives n / blockSize blocks (any alignment).
// *Weighted(x, dst, n, importance): llama.cpp's quantize_row_*_impl with
//   quant_weights = importance (n non-negative values, one per element of this
//   row). n must be ONE row: the 32-value formats derive a weight floor from the
//   row's mean square. importance == nullptr gives the *Ref output.
#pragma once

#include <cstdint>

namespace precis::quant::detail {

void fromFloatF32(const float* x, void* dst, int64_t n);
void fromFloatF16(const float* x, void* dst, int64_t n);
void fromFloatBf16(const float* x, void* dst, int64_t n);

void quantizeQ4_0Ref(const float* x, void* dst, int64_t n);
void quantizeQ4_1Ref(const float* x, void* dst, int64_t n);
void quantizeQ5_0Ref(const float* x, void* dst, int64_t n);
void quantizeQ5_1Ref(const float* x, void* dst, int64_t n);
void quantizeQ8_0Ref(const float* x, void* dst, int64_t n);
void quantizeQ8_1Ref(const float* x, void* dst, int64_t n);

void quantizeQ4_0Weighted(const float* x, void* dst, int64_t n, const float* importance);
void quantizeQ4_1Weighted(const float* x, void* dst, int64_t n, const float* importance);
void quantizeQ5_0Weighted(const float* x, void* dst, int64_t n, const float* importance);
void quantizeQ5_1Weighted(const float* x, void* dst, int64_t n, const float* importance);
void quantizeQ8_0Weighted(const float* x, void* dst, int64_t n, const float* importance);

void quantizeQ2_KRef(const float* x, void* dst, int64_t n);
void quantizeQ3_KRef(const float* x, void* dst, int64_t n);
void quantizeQ4_KRef(const float* x, void* dst, int64_t n);
void quantizeQ5_KRef(const float* x, void* dst, int64_t n);
void quantizeQ6_KRef(const float* x, void* dst, int64_t n);
void quantizeQ8_KRef(const float* x, void* dst, int64_t n);

void quantizeQ2_KWeighted(const float* x, void* dst, int64_t n, const float* importance);
void quantizeQ3_KWeighted(const float* x, void* dst, int64_t n, const float* importance);
void quantizeQ4_KWeighted(const float* x, void* dst, int64_t n, const float* importance);
void quantizeQ5_KWeighted(const float* x, void* dst, int64_t n, const float* importance);
void quantizeQ6_KWeighted(const float* x, void* dst, int64_t n, const float* importance);

} // namespace precis::quant::detail
