// CPU kernels that compute straight on GGUF block formats: dot products of a
// weight row stored as Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K … Q6_K, F16, BF16,
// F32 or Precis' RTN format (any layout, model/dtype.h) with activation rows, and the matrix products of the engine built on them
// (matrix-vector for decode, matrix-matrix for prefill), without materialising
// fp32 weights.
//
// Semantics are llama.cpp's ggml_vec_dot_*: activations are quantized on the
// fly to the type llama.cpp pairs with the weight type (its vec_dot_type) with
// the reference encoders of quant/block_formats.h:
//   weights Q4_0 Q5_0 Q8_0  → activations Q8_0      weights Q4_1 Q5_1 → Q8_1
//   weights Q2_K … Q6_K     → activations Q8_K      F16 → F16, BF16 → BF16, F32 → F32
// Each block's (or super-block's) integer sum Σ q_w·q_a is exact; what differs
// from llama.cpp is only the order in which the per-block float terms are added:
//   32-value formats  t_b = float(Σ(q_w − o)·q_a)·(d_w·d_a) [+ m_w·s_a for Q4_1/Q5_1],
//                     RTN likewise per 32 values of a group (its d, m and offset),
//                     added into 8 accumulators acc[b mod 8], then
//                     ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7));
//   K-quants          t = (d_w·d_a)·float(isum) [− (dmin_w·d_a)·float(msum)] per
//                     super-block, added in order;
//   F32 / F16 / BF16  products w_i·a_i (a rounded to the weight's type) added into
//                     16 accumulators acc[i mod 16], then acc[l] + acc[l+8] and the
//                     8-way reduction above.
// Every ISA path performs exactly these float operations (no fused multiply-add),
// so scalar, AVX2 and AVX-512 results are bit-identical; against llama.cpp (and
// against dequantize-then-fp32-dot with unquantized activations) they differ by
// float summation order and by the activation quantization error respectively.
//
// ISA: the scalar reference always exists; AVX2 (+FMA, F16C) and AVX-512
// (F, BW, VL, DQ and VNNI) paths live in translation units compiled for those
// instruction sets and are chosen at run time from the CPU's features, so the
// library itself stays portable x86-64. The environment variable PRECIS_ISA
// (scalar | avx2 | avx512; other values are ignored) caps the level, e.g. to
// test or benchmark the fallbacks.
//
// Threads: all functions are reentrant; matmul() runs over output rows and
// token tiles with oneTBB (honouring a tbb::global_control limit).
#pragma once

#include "model/dtype.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace precis::engine::kernels {

enum class Isa { Scalar, Avx2, Avx512 };

const char* isaName(Isa isa);  // "scalar", "AVX2", "AVX-512 VNNI"
// Compiled in and supported by this CPU and OS.
bool isaSupported(Isa isa);
// The best supported level, capped by PRECIS_ISA when set. Fixed at first use.
Isa activeIsa();

// Weight types with a kernel: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and every RTN layout. (Q8_1 and Q8_K are
// activation types.)
bool hasKernel(DType weight);
// llama.cpp's vec_dot_type of a weight type with a kernel (table above; RTN
// pairs with Q8_0, or Q8_1 when asymmetric, as Q4_0 and Q4_1 do).
DType activationType(DType weight);
// Values per block of the weight type (1 for F32/F16/BF16): a row's length must
// be a multiple of it.
int blockValues(DType weight);

// ---- Activations -------------------------------------------------------------
// A row of k activations prepared for weight type `weight`: the values of
// quantizeRow(activationType(weight), x) — bit for bit on every ISA — in a
// layout the kernels read directly (codes, scales and block sums in separate
// arrays). preparedBytes(w, k) bytes per row, a multiple of 64; rows of a
// prepared matrix are that many bytes apart.
size_t preparedBytes(DType weight, int64_t k);
void prepareRow(DType weight, const float* x, int64_t k, void* dst, Isa isa = activeIsa());
// The GGUF blocks of activationType(weight) a prepared row holds (the bytes
// quantizeRow writes; for F16/BF16 the 16-bit values, for F32 the floats).
// For tests; dst receives dtypeRowBytes(activationType(weight), k) bytes.
void preparedToBlocks(DType weight, const void* prepared, int64_t k, void* dst);

// ---- Dot products --------------------------------------------------------------
// s[j] = Σ_i w_i·a_j,i for one weight row `w` (k values of type `weight`, as
// stored in GGUF, any alignment) and ny prepared activation rows starting at
// `act`, lda bytes apart; 1 ≤ ny ≤ kMaxRows. The weights of a block are decoded
// once for all ny rows. k must be a multiple of blockValues(weight).
constexpr int kMaxRows = 4;
void dot(DType weight, int64_t k, const void* w, const void* act, size_t lda, int ny, float* s,
         Isa isa = activeIsa());

// ---- Matrix products -------------------------------------------------------------
// A weight matrix W (rows × cols) stored row by row in `weight`'s format,
// rowBytes apart. Not owned.
struct BlockMatrix {
    DType type = DType::F32;
    const std::byte* data = nullptr;
    int64_t rows = 0, cols = 0;
    size_t rowBytes = 0;
};

// One product sharing the prepared input: out (T, w.rows) with row stride ldOut,
// out[t][n] = dot(W row n, activation row t) (+ bias[n] when non-null).
struct MatmulTask {
    const BlockMatrix* w = nullptr;
    const float* bias = nullptr;
    float* out = nullptr;
    int64_t ldOut = 0;
};

// Runs every task with the input `in` (T, K) row stride ldIn (fp32): prepares
// the activations once per distinct activation type, then runs the products in
// one parallel loop over (task, block of rows, block of tokens). In a decode
// (T = 1) on block formats, each weight row read also asks in software for the
// bytes kDecodePrefetchBytes beyond it (the hardware prefetcher alone leaves a
// core short of the memory bandwidth). All tasks must
// have cols == K and a type with a kernel. `scratch` holds the prepared rows
// between calls (grown on demand; may be null).
constexpr size_t kDecodePrefetchBytes = 8192;
void matmul(std::span<const MatmulTask> tasks, const float* in, int64_t ldIn, int T,
            std::vector<std::byte>* scratch = nullptr, Isa isa = activeIsa());

// ---- Conversions (the F16 KV cache) -------------------------------------------
// IEEE binary16 <-> fp32 for n values, round-to-nearest-even (common/half.h),
// with F16C where available.
void fp16ToFloatRow(const uint16_t* src, float* dst, int64_t n, Isa isa = activeIsa());
void floatToFp16Row(const float* src, uint16_t* dst, int64_t n, Isa isa = activeIsa());

} // namespace precis::engine::kernels
