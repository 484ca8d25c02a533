// fp32 building blocks of the forward pass, llm.c style: one `<op>Forward`
// function per operation, activations row-major with one row per token.
// Shape letters: T tokens in this step, C n_embd, K input features, N output
// features, L positions attended to (cache length), hd head_dim.
// Parallel work goes through oneTBB and so honours a tbb::global_control limit.
#pragma once

#include "model/model.h"

#include <cstdint>
#include <span>
#include <vector>

namespace precis::engine {

// A weight matrix W (rows = N outputs, cols = K inputs), fp32 row-major, not owned.
struct Mat {
    const float* data = nullptr;
    int64_t rows = 0, cols = 0;
    const float* row(int64_t r) const { return data + r * cols; }
};

// One product of a fused launch: out (T, w.rows) with row stride ldOut,
// out = in · wᵀ (+ bias, (N), when non-null).
struct MatmulJob {
    const Mat* w = nullptr;
    const float* bias = nullptr;
    float* out = nullptr;
    int64_t ldOut = 0;
};

// All jobs share the input `in` (T, K) with row stride ldIn; their output rows
// are split into blocks that run in one parallel loop (so q/k/v or gate/up cost
// one launch). T == 1 is a matrix-vector product per block, T > 1 an Eigen GEMM
// per block of output features.
void matmulForward(std::span<const MatmulJob> jobs, const float* in, int64_t ldIn, int T);
// out (T, N) = in (T, K) · wᵀ + bias.
void matmulForward(float* out, const float* in, const Mat& w, const float* bias, int T);

// out (T, C) = in · w / sqrt(mean(in²) + eps), per row (Zhang & Sennrich 2019).
void rmsnormForward(float* out, const float* in, const float* w, int T, int C, float eps);
// out (T, C) = (in − mean) / sqrt(var + eps) · w + b, per row (biased variance).
void layernormForward(float* out, const float* in, const float* w, const float* b, int T, int C, float eps);

// cos/sin of the RoPE angles (pos0 + t) · theta^(−2i/hd), i < hd/2, for T positions.
struct RopeTable {
    int T = 0, half = 0;
    std::vector<float> cos, sin;  // (T, half)
};
RopeTable ropeTable(int pos0, int T, int headDim, float theta);
// Rotates every head of x (T, ld; heads of hd contiguous from column 0) in place.
// Interleaved rotates pairs (2i, 2i+1), RotateHalf pairs (i, i + hd/2); both by
// angle i of `rope` (Su et al. 2021, RoFormer eq. 34).
void ropeForward(float* x, int64_t ld, int nHeads, int headDim, const RopeTable& rope, RopeLayout layout);

// Causal multi-head attention of T new queries at positions pos0 .. pos0+T−1 over
// the cache positions 0 .. pos0+T−1 (grouped-query: head h reads kv head
// h / (nHead / nHeadKv)). q (T, ldQ), head h at columns h·hd; kCache, vCache
// (≥ pos0+T, kvDim). out (T, nHead·hd). softmax(q·kᵀ / sqrt(hd)) · v.
// probs, when non-null, receives the probabilities (nHead, T, pos0+T).
struct AttentionShape {
    int T = 0, pos0 = 0, nHead = 0, nHeadKv = 0, headDim = 0, kvDim = 0;
    int64_t ldQ = 0;
};
void attentionForward(float* out, const float* q, const float* kCache, const float* vCache,
                      const AttentionShape& s, float* probs);

// gate (n) = silu(gate) · up   (SwiGLU, Shazeer 2020).
void swigluForward(float* gate, const float* up, int64_t n);
// x (n) = gelu(x), tanh approximation ("gelu_new", Hendrycks & Gimpel 2016).
void geluForward(float* x, int64_t n);
// x (n) += d (n).
void residualForward(float* x, const float* d, int64_t n);

} // namespace precis::engine
