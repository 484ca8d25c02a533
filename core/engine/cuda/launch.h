// CUDA backend, internal: the kernels as host functions (defined in the .cu
// files), with plain argument structs, so that the engine itself is ordinary
// C++ (cuda_engine.cpp). Every launch function enqueues on `stream` and returns
// the launch's cudaError_t (cudaGetLastError right after the launch), never
// synchronising. `pdl`: launch with programmatic dependent launch (sm_90+;
// kernels then prefetch weights before waiting for the previous kernel).
//
// Shapes follow ops.h: T tokens, C n_embd, K input features, N output
// features, hd head_dim, L cache positions. Activations are fp32 row-major,
// one row per token; weights are GGUF rows as stored (formats.cuh).
#pragma once

#include "model/dtype.h"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace precis::engine::cuda {

// ---- Matrix-vector (decode, T == 1) --------------------------------------------
// Normalisation of the input vector applied as it is read (the sub-block's
// RMSNorm / LayerNorm fused into the product that consumes it).
enum class NormKind : int { None, Rms, Layer };
// What the product does with y = W·x (+ bias) per output n.
//   Store   out[n] = y
//   Add     out[n] += y          (residual stream)
//   SwiGlu  out0[n] = silu(y0) · y1   with jobs 0 (gate) and 1 (up) of equal rows
//   Gelu    out[n] = gelu(y)
enum class Epilogue : int { Store, Add, SwiGlu, Gelu };

constexpr int kMaxJobs = 3;

// Up to three matrices of one type sharing the input x (K values): q/k/v,
// gate/up. Their output rows form one index space (job 0's rows, then job 1's…),
// except for SwiGlu where the rows of jobs 0 and 1 are paired.
struct MatvecArgs {
    DType type = DType::F32;
    int64_t K = 0;
    int nJobs = 0;
    const void* w[kMaxJobs] = {};      // rows of `type`, rowBytes apart
    size_t rowBytes[kMaxJobs] = {};
    int64_t rows[kMaxJobs] = {};
    const float* bias[kMaxJobs] = {};  // (rows) or null
    float* out[kMaxJobs] = {};
    const float* x = nullptr;          // (K)
    NormKind norm = NormKind::None;
    const float* normW = nullptr;      // (K)
    const float* normB = nullptr;      // (K), LayerNorm
    float eps = 0;
    Epilogue epilogue = Epilogue::Store;
};
cudaError_t launchMatvec(const MatvecArgs& a, cudaStream_t stream, bool pdl);

// ---- Dequantization (prefill GEMM operands, embedding rows) -----------------------
// out row i (ldOut apart) = row r(i) of W as fp32, for i < rows, where
//   r(i) = ids ? ids[i] : r0 + i + (pos0 ? *pos0 : 0)     (ids, pos0 on the device)
// bit-identical to quant::dequantizeRow; accumulate: out += row instead.
struct DequantArgs {
    DType type = DType::F32;
    const void* w = nullptr;
    size_t rowBytes = 0;
    int64_t cols = 0;
    int64_t rows = 0;
    int64_t r0 = 0;
    const int32_t* ids = nullptr;
    const int32_t* pos0 = nullptr;
    float* out = nullptr;
    int64_t ldOut = 0;
    bool accumulate = false;
};
cudaError_t launchDequant(const DequantArgs& a, cudaStream_t stream, bool pdl);

// ---- Row operations (prefill) --------------------------------------------------------
// out (T, C) = in · w / sqrt(mean(in²) + eps), rows ld apart (ops.h rmsnormForward).
cudaError_t launchRmsNorm(float* out, const float* in, int64_t ld, const float* w, int T, int C, float eps,
                          cudaStream_t stream);
// out (T, C) = (in − mean) / sqrt(var + eps) · w + b (ops.h layernormForward).
cudaError_t launchLayerNorm(float* out, const float* in, int64_t ld, const float* w, const float* b, int T, int C,
                            float eps, cudaStream_t stream);
// out (T, N, row stride ld) = act(out + bias); gelu or identity; bias may be null.
cudaError_t launchBiasAct(float* out, int64_t ld, const float* bias, int T, int N, bool gelu, cudaStream_t stream);
// x (T, C) += proj (+ bias (C) when non-null), as (proj + bias) first.
cudaError_t launchResidual(float* x, const float* proj, const float* bias, int T, int C, cudaStream_t stream);
// gate (n) = silu(gate) · up.
cudaError_t launchSwiGlu(float* gate, const float* up, int64_t n, cudaStream_t stream, bool pdl);

// ---- Positions: RoPE and the key/value cache -----------------------------------------
// For T new tokens at positions *pos0 + t: rotates q (nHead heads) and k
// (nHeadKv heads) in place when `rope` (ops.h ropeForward, angles as ropeTable),
// then writes k and v rows into cache rows *pos0 + t (fp32, or fp16 rounded to
// nearest even when f16). q rows ldQ apart, k/v rows ldKv apart.
struct RopeStoreArgs {
    float* q = nullptr;
    int64_t ldQ = 0;
    float* k = nullptr;
    const float* v = nullptr;
    int64_t ldKv = 0;
    int T = 0, nHead = 0, nHeadKv = 0, headDim = 0;
    const int32_t* pos0 = nullptr;
    bool rope = false;
    bool rotateHalf = false;  // RopeLayout::RotateHalf
    float theta = 10000.0f;
    void* kCache = nullptr;   // layer's (capacity, kvDim)
    void* vCache = nullptr;
    int kvDim = 0;
    bool f16 = false;
};
cudaError_t launchRopeStore(const RopeStoreArgs& a, cudaStream_t stream, bool pdl);

// ---- Attention ----------------------------------------------------------------------------
// Causal attention of T queries at positions *pos0 + t over cache rows
// 0 .. *pos0 + t (ops.h attentionForward): out (T, nHead·hd, row stride ldOut).
// rowMax/rowSum (T, nHead), when non-null, receive each row's softmax maximum
// and normaliser for launchAttentionProbs.
struct AttentionArgs {
    const float* q = nullptr;
    int64_t ldQ = 0;
    const void* kCache = nullptr;
    const void* vCache = nullptr;
    bool f16 = false;
    int kvDim = 0;
    int T = 0, nHead = 0, nHeadKv = 0, headDim = 0;
    const int32_t* pos0 = nullptr;
    float* out = nullptr;
    int64_t ldOut = 0;
    float* rowMax = nullptr;
    float* rowSum = nullptr;
};
constexpr int kMaxHeadDim = 256;
cudaError_t launchAttention(const AttentionArgs& a, cudaStream_t stream, bool pdl);
// probs (nHead, T, L) with L = *pos0 + T as known to the host: softmax rows of
// the launchAttention call with the same arguments (rowMax/rowSum filled),
// zero above the diagonal.
cudaError_t launchAttentionProbs(const AttentionArgs& a, int L, float* probs, cudaStream_t stream);

// ---- Device measurement ----------------------------------------------------------------
// Reads n float4 values once with `blocks` blocks of `threads` threads.
cudaError_t launchReadKernel(const void* data, size_t n16, float* sink, int blocks, int threads, cudaStream_t stream);
// Blocks per SM the read kernel can keep resident at `threads` threads.
cudaError_t readKernelOccupancy(int threads, int* blocksPerSm);

// True when the device code for this GPU was compiled from PTX of compute
// capability >= 9.0, i.e. contains the griddepcontrol instructions that
// programmatic dependent launch relies on (the compute_75 PTX fallback does not).
bool pdlCompiled();

} // namespace precis::engine::cuda
