// Building blocks of the forward pass, llm.c style: one `<op>Forward` function
// per operation, fp32 activations row-major with one row per token; weights
// fp32 or GGUF blocks (products on engine/kernels/kernels.h).
// Shape letters: T tokens in this step, C n_embd, K input features, N output
// features, L positions attended to (cache length), hd head_dim.
// Parallel work goes through oneTBB and so honours a tbb::global_control limit.
#pragma once

#include "engine/kv_cache.h"
#include "model/model.h"

#include <cstdint>
#include <span>
#include <vector>

namespace precis::engine {

// A weight matrix W (rows = N outputs, cols = K inputs), not owned: fp32
// row-major in `data` (type F32), or rows of GGUF blocks of `type` rowBytes
// apart in `blocks` (any type with a kernel, engine/kernels/kernels.h).
struct Mat {
    const float* data = nullptr;
    int64_t rows = 0, cols = 0;
    DType type = DType::F32;
    const std::byte* blocks = nullptr;
    size_t rowBytes = 0;
    // Streamed (EngineOptions::streamWeights): the weight stays where it is
    // stored (`type`, `blocks`, `rowBytes`; F32 too), and every product reads
    // the rows it needs into an fp32 buffer and hands the file's pages back,
    // computing exactly what it would on an fp32 copy.
    bool stream = false;
    const float* row(int64_t r) const { return data + r * cols; }  // F32 only
};

// Row r of W as fp32 (cols values), e.g. a token's embedding.
void matRow(const Mat& w, int64_t r, float* out);

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
// one launch). Block-format weights, and fp32 weights when T == 1, go through
// the kernels (activations quantized on the fly; `scratch` keeps them between
// calls, may be null); fp32 weights with T > 1 through an Eigen GEMM per block
// of output features.
void matmulForward(std::span<const MatmulJob> jobs, const float* in, int64_t ldIn, int T,
                   std::vector<std::byte>* scratch = nullptr);
// out (T, N) = in (T, K) · wᵀ + bias.
void matmulForward(float* out, const float* in, const Mat& w, const float* bias, int T,
                   std::vector<std::byte>* scratch = nullptr);

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
// (≥ pos0+T, kvDim) of kv elements (fp32, or fp16 bits converted per work
// item). out (T, nHead·hd). softmax(q·kᵀ / sqrt(hd)) · v.
// probs, when non-null, receives the probabilities (nHead, T, pos0+T).
struct AttentionShape {
    int T = 0, pos0 = 0, nHead = 0, nHeadKv = 0, headDim = 0, kvDim = 0;
    int64_t ldQ = 0;
};
void attentionForward(float* out, const float* q, const void* kCache, const void* vCache, KvType kv,
                      const AttentionShape& s, float* probs);
// The same over fp32 keys/values.
inline void attentionForward(float* out, const float* q, const float* kCache, const float* vCache,
                             const AttentionShape& s, float* probs)
{
    attentionForward(out, q, kCache, vCache, KvType::F32, s, probs);
}

// Writes T rows of keys and values (T, ldIn), kvDim values each, into cache
// rows pos0 .. pos0+T−1 of layer l (converted to the cache's type).
void kvStoreForward(DecodeState& state, int layer, int pos0, int T, const float* k, const float* v, int64_t ldIn);

// gate (n) = silu(gate) · up   (SwiGLU, Shazeer 2020).
void swigluForward(float* gate, const float* up, int64_t n);
// x (n) = gelu(x), tanh approximation ("gelu_new", Hendrycks & Gimpel 2016).
void geluForward(float* x, int64_t n);
// x (n) += d (n).
void residualForward(float* x, const float* d, int64_t n);

} // namespace precis::engine
