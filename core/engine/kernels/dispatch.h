// Kernel-internal: the prepared activation layouts and the per-ISA function
// tables behind kernels.h. Included by every kernel translation unit, including
// those compiled with -mavx2 / -mavx512*: it therefore declares types and
// functions only and defines nothing with external linkage (an inline function
// emitted by an AVX-512 unit could otherwise be picked by the linker for all
// callers).
#pragma once

#include "model/dtype.h"

#include <cstddef>
#include <cstdint>

namespace precis::engine::kernels {

// Weight types with a kernel, as table indices.
// Rtn stands for every RTN layout (model/dtype.h); its kernels take the layout.
enum class KType : int { F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Rtn, Count };
constexpr int kKTypes = int(KType::Count);

// Prepared activation layouts (one row of k values, 64-byte aligned start,
// size rounded up to 64 bytes):
//   Float  F32/F16/BF16 weights: float v[k], each value rounded to the weight's
//          type (what llama.cpp converts activations to), so kernels multiply
//          floats only.
//   Q8     32-value formats: int8 qs[k] | float d[nb] | int32 sum[nb] | float s[nb]
//          with nb = k/32; d = the Q8_0/Q8_1 block scale as decoded from fp16,
//          sum = Σ qs of the block, s = the Q8_1 sum field decoded from fp16.
//   Q8K    K-quants: int8 qs[k] | float d[nsb] | int16 bsums[16·nsb], nsb = k/256.
enum class ActKind { Float, Q8, Q8K };

struct PreparedQ8 {
    const int8_t* qs;
    const float* d;
    const int32_t* sum;
    const float* s;
};
struct PreparedQ8K {
    const int8_t* qs;
    const float* d;
    const int16_t* bsums;
};

// Function types of a table. A dot kernel computes s[j] for ny ≤ kMaxRows
// prepared rows `act`, lda bytes apart (see kernels.h).
using DotFn = void (*)(int64_t k, const void* w, const std::byte* act, size_t lda, int ny, float* s);
// A decode step's dot kernel for two weight rows at once, rowBytes apart,
// against one prepared row: s[0], s[1] exactly as two DotFn calls give them.
using Dot2Fn = void (*)(int64_t k, const std::byte* w, size_t rowBytes, const std::byte* act, float* s);
// The dot kernel of the RTN layouts: a DotFn for the layout `l` (Q8 activations).
using RtnDotFn = void (*)(const RtnLayout& l, int64_t k, const void* w, const std::byte* act, size_t lda, int ny,
                          float* s);
// Prepares one row (k values) for weight type t into dst (layouts above).
using PrepareFn = void (*)(KType t, const float* x, int64_t k, std::byte* dst);
using HalfToFloatFn = void (*)(const uint16_t* src, float* dst, int64_t n);
using FloatToHalfFn = void (*)(const float* src, uint16_t* dst, int64_t n);

// A null entry means "use the scalar one".
struct KernelTable {
    DotFn dot[kKTypes];
    PrepareFn prepare;
    HalfToFloatFn halfToFloat;
    FloatToHalfFn floatToHalf;
    Dot2Fn dot2[kKTypes] = {};  // null: one DotFn call per row
    RtnDotFn rtnDot = nullptr;  // null: the scalar one
};

// ---- RTN (quant/rtn.h) -------------------------------------------------------------
// Group g of a row starts at byte g·rtnGroupBytes: f16 d [| f16 m] | codes, the
// codes of value i at bits i·b … i·b+b−1 (LSB first). A group's 32-value block j
// starts at code byte 4·b·j. value = d·(c − 2^(b−1)), or d·c + m when asymmetric.
// Against Q8 activations (Q8_0 codes and scale; the Q8_1 sum field for the
// offset m) a block contributes, like Q4_0 / Q4_1,
//   t = float(Σ (c − o)·q_a)·(d·d_a) [+ m·s_a],   o = 2^(b−1), or 0 when asymmetric,
// added into acc[block mod 8] and reduced as the 32-value formats are.
// Group bytes: quant::rtnGroupBytes.

// Defined in scalar.cpp, avx2.cpp, avx512.cpp. The SIMD tables exist on every
// build; calling through them is only valid when isaSupported() says so.
const KernelTable& scalarTable();
const KernelTable& avx2Table();
const KernelTable& avx512Table();

// Layout helpers (scalar.cpp).
ActKind actKind(KType t);
size_t preparedRowBytes(KType t, int64_t k);
PreparedQ8 viewQ8(const std::byte* row, int64_t k);
PreparedQ8K viewQ8K(const std::byte* row, int64_t k);

} // namespace precis::engine::kernels
