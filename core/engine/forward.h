// Engine-internal: the weights of a model (fp32, or GGUF blocks for the
// block-format kernels) and the per-architecture forward
// steps (llama_forward.cpp, gpt2_forward.cpp). Not part of the public API.
#pragma once

#include "engine/engine.h"
#include "engine/kv_cache.h"
#include "engine/ops.h"

#include <memory>
#include <vector>

namespace precis::engine {

// Vectors (norm weights, biases) are Mats with rows = 1; absent ones have data == nullptr.
struct LayerWeights {
    Mat attnNorm;   // (C)
    Mat attnNormB;  // (C)            GPT-2
    Mat q;          // (C, C)         Llama
    Mat k, v;       // (kvDim, C)     Llama
    Mat qB, kB, vB; // (C), (kvDim)   Llama with qkvBias
    Mat qkv;        // (3C, C)        GPT-2, rows q | k | v
    Mat qkvB;       // (3C)           GPT-2
    Mat o;          // (C, C)
    Mat oB;         // (C)            GPT-2
    Mat ffnNorm;    // (C)
    Mat ffnNormB;   // (C)            GPT-2
    Mat gate;       // (F, C)         Llama
    Mat up;         // (F, C)
    Mat upB;        // (F)            GPT-2
    Mat down;       // (C, F)
    Mat downB;      // (C)            GPT-2
};

struct Weights {
    Mat tokEmbd;     // (V, C)
    Mat posEmbd;     // (nCtx, C)  GPT-2
    std::vector<LayerWeights> layers;
    Mat outNorm;     // (C)
    Mat outNormB;    // (C)        GPT-2
    Mat output;      // (V, C)     output.weight, or token_embd.weight when tied
    // Buffers holding dequantized tensors; F32 tensors and tensors kept in
    // their blocks are used in place.
    std::vector<std::shared_ptr<const std::vector<float>>> owned;
};

// One step: runs ids (T tokens) at positions state.position() .. +T−1 through
// every layer, appending their keys/values to the cache, and writes the logits
// of the last `nLogits` positions (nLogits, V) into `logits`. probs, when
// non-null, receives the attention probabilities (nLayer, nHead, T, T) — only
// for a step from position 0. Inputs are validated by the caller. Returns false
// when cancelled between layers (the state's position is then unchanged).
bool llamaForward(const ModelConfig& cfg, const Weights& w, DecodeState& state, std::span<const int32_t> ids,
                  int nLogits, float* logits, float* probs, const CancelToken* cancel);
bool gpt2Forward(const ModelConfig& cfg, const Weights& w, DecodeState& state, std::span<const int32_t> ids,
                 int nLogits, float* logits, float* probs, const CancelToken* cancel);

// Shared tail: logits (nLogits, V) = normed rows · outputᵀ, parallel over V.
void logitsForward(float* logits, const float* xn, const Weights& w, int nLogits, std::vector<std::byte>* scratch);

// Grows `v` to at least n floats (never shrinks, so decode steps reuse it).
inline float* ensure(std::vector<float>& v, size_t n)
{
    if (v.size() < n) v.resize(n);
    return v.data();
}

} // namespace precis::engine
