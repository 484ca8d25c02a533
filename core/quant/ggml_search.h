// Internal: llama.cpp's scale-search helpers (ggml-quants.c), re-implemented
// with the same float operations in the same order so the encoders built on
// them produce byte-identical blocks. Not part of the public API; the public
// entry points are quantizeRow() (block_formats.h) and encode() (scheme.h).
//
// Conventions shared by all helpers: `n` values x[0..n), optional per-value
// weights; the returned float is the scale d (value ≈ d·(L − offset) or
// d·L − min); L receives the integer codes already offset to be non-negative.
#pragma once

#include <cstdint>
#include <cstring>

namespace precis::quant::detail {

// Groups whose largest |x| is below this are encoded as all-zero (GROUP_MAX_EPS).
constexpr float kGroupMaxEps = 1e-15f;

// Round to nearest, ties to even, via the 1.5·2^23 trick: adding it leaves the
// rounded integer in the low mantissa bits. Valid for |v| ≤ 4194303; outside
// that (or for NaN) the result is garbage but defined, as in llama.cpp.
inline int nearestInt(float v)
{
    const float t = v + 12582912.f;
    int32_t i;
    std::memcpy(&i, &t, sizeof i);
    return (i & 0x007fffff) - 0x00400000;
}

// C's `(int8_t)f` as x86-64 compilers emit it (cvttss2si to int32, keep the
// low byte): truncation toward zero, and INT32_MIN (→ 0) for NaN or values out
// of int32 range. Defined for every input, and identical to llama.cpp's
// binaries in the degenerate blocks (sub-normal scale) where it matters.
inline int8_t truncToInt8(float f)
{
    const int32_t i = (f > -2147483648.f && f < 2147483648.f) ? int32_t(f) : INT32_MIN;
    return int8_t(uint8_t(uint32_t(i) & 0xFF));
}

// Symmetric codes L ∈ [0, 2·nmax) for value d·(L − nmax) (make_qx_quants with
// rmse_type 1): starts from the scale that maps the signed extreme to −nmax,
// then tries 18 nearby scales and keeps the one with the smallest weighted
// squared error (weights qw, or x² when qw is nullptr). Returns d (may be negative).
// LT is int8_t for the GGUF formats and int16_t where 2·nmax > 127 (Q8_0).
template <typename LT>
float makeQxQuants(int n, int nmax, const float* x, LT* L, const float* qw);

// Q3_K's scale search (make_q3_quants): L ∈ [0, 2·nmax), value d·(L − nmax);
// with doRmse, coordinate-descent over single codes with weights x².
float makeQ3Quants(int n, int nmax, const float* x, int8_t* L, bool doRmse);

// Asymmetric codes L ∈ [0, nmax] for value d·L − theMin (make_qkx2_quants):
// tries nstep+1 scales (rmin + rdelta·is + nmax)/(max − min) and for each fits
// scale and min by weighted least squares; minimises Σ w·err² (or Σ w·|err|
// with useMad). The min is clamped to ≤ 0. Laux is scratch of n codes.
float makeQkx2Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* theMin,
                     uint8_t* Laux, float rmin, float rdelta, int nstep, bool useMad);

// make_qkx3_quants: as makeQkx2Quants but weights may be nullptr (then x²) and
// codes of out-of-range candidates are clamped before rounding.
float makeQkx3Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* theMin,
                     uint8_t* Laux, float rmin, float rdelta, int nstep, bool useMad);

// Non-negative codes L ∈ [0, nmax] for value d·L (make_qp_quants), used to
// quantize the sub-block scales/mins of the K-quants with weights quantWeights.
float makeQpQuants(int n, int nmax, const float* x, uint8_t* L, const float* quantWeights);

} // namespace precis::quant::detail
