// Exact gradients of the mean next-token negative log-likelihood, llm.c style:
// a training forward that keeps the activations, then `<op>Backward` for each op
// in reverse. Llama family and GPT-2. Memory proportional to one batch.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "train/parameters.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace precis {

// Optional memory reused across lossAndGradients calls (a trainer calling every
// step): holds the activations and scratch of the largest batch seen, so later
// calls skip allocating and first-touching them. Without one, each call
// allocates its own (huge-page backed on Linux, where the saving is then ~2 %;
// more where transparent huge pages are off). Grows, never shrinks; release()
// frees it. One workspace per concurrent caller.
class BackwardWorkspace {
public:
    size_t bytes() const { return m_capacity * sizeof(float); }
    void release();
    // At least n floats, contents unspecified (used by the backward pass).
    // Throws std::bad_alloc (lossAndGradients turns it into an error).
    float* reserve(size_t n);

private:
    struct Free {
        void operator()(float* p) const;
    };
    std::unique_ptr<float, Free> m_data;
    size_t m_capacity = 0;
};

// Sees every linear layer during the backward pass (sensitivity statistics):
// `weight` is its GGUF weight name, rows [row0, row0 + O) of it (GPT-2's fused
// attn_qkv is seen as three slices), `input` its (N, K) input activations and
// `outGrad` the (N, O) gradient of the mean loss with respect to its output
// (rows n = b·T + t). Called from the calling thread, layer by layer (last layer
// first); the pointers are valid only during the call.
using LinearObserver = std::function<void(const std::string& weight, int64_t row0, const float* input, int K,
                                          const float* outGrad, int O, int N)>;

// A tensor whose values replace the parameters' own in one pass (e.g. one unit
// quantized); `values` has the tensor's numel values and must outlive the call.
struct TensorOverride {
    std::string name;
    const float* values = nullptr;
};

// Receives one tensor's gradient of the mean loss (numel values, valid during the call).
using WeightGradSink = std::function<void(const std::string& name, const float* grad, size_t n)>;

struct BackwardOptions {
    bool headGates = false;         // d loss / d ξ_h for a gate on each head's output (all gates 1)
    bool linearInputGrads = false;  // d loss / d (input of every linear layer), per token;
                                    // for q, k, v sharing one input: each layer's own part
    BackwardWorkspace* workspace = nullptr;  // optional, see above
    LinearObserver linearObserver;           // optional, see above
    // Optional: every tensor's gradient is handed here instead of being kept, a
    // block's tensors as soon as that block's backward is done (last block first,
    // from one block's buffer reused for every block), then the others (embeddings,
    // final norm, output). BackwardResult::grads then holds only those others; its
    // block tensors have their shapes and no values. Memory: one block's gradients.
    WeightGradSink blockGrads;
};

struct BackwardResult {
    double loss = 0;                // mean NLL over the B·T predictions
    Parameters grads;               // same names and shapes as the parameters (see blockGrads)
    std::vector<double> headGateGrads;  // (nLayer, nHead) when requested
    // When requested: GGUF weight name -> (B·T, in_features) gradient of its input
    // (row b·T + t). The output head is listed under its weight's name
    // (token_embd.weight when tied); GPT-2's attn_qkv is one layer.
    std::unordered_map<std::string, std::vector<float>> linearInputGrads;
};

// tokens: B sequences of T+1 ids each, row-major (B, T+1); position t predicts
// token t+1. All B·T predictions are weighted equally. Errors: ids outside the
// vocabulary, T beyond GPT-2's context, empty batch, tokens.size() != B·(T+1),
// tensors missing or of the wrong shape for params.config, out of memory,
// cancellation (checked between layers).
Result<BackwardResult> lossAndGradients(const Parameters& params, std::span<const int32_t> tokens, int B, int T,
                                        const BackwardOptions& options = {}, const CancelToken* cancel = nullptr);

// Loss only (same definition), for validation and finite-difference checks.
Result<double> lossOnly(const Parameters& params, std::span<const int32_t> tokens, int B, int T,
                        const CancelToken* cancel = nullptr);

struct LossAndLogits {
    double loss = 0;             // mean NLL, as lossOnly
    std::vector<float> logits;   // (B·T, V) row-major, row b·T + t
};

// The residual stream of one forward pass at the input of every layer and after
// the last: inputs[l] (B·T, C) row-major for l = 0..nLayer. A pass whose
// overrides leave layers 0..l−1 unchanged can start at layer l from it.
struct ResidualCache {
    std::vector<std::vector<float>> inputs;
};
// The activations and scratch of one pass over B × T tokens, bytes: of a
// lossAndGradients pass (backward) or of a forward-only pass (lossOnly, lossAndLogits;
// those also keep the logits, B·T·V floats, outside it).
size_t passWorkspaceBytes(const ModelConfig& config, int B, int T, bool backward);
// Its size for a config and B × T tokens, bytes.
size_t residualCacheBytes(const ModelConfig& config, int B, int T);
// The first layer `overrides` change: 0 for the embeddings, N for a tensor of
// block N, nLayer for the output norm and head.
int firstChangedLayer(const ModelConfig& config, std::span<const TensorOverride> overrides);

// The forward pass of lossOnly keeping the logits, with some tensors replaced by
// `overrides` (errors as lossOnly, plus an override naming an unknown tensor or
// having no values). Memory: the logits, B·T·V floats.
// capture: also fills the pass's residual cache. from: a cache of a pass over
// the same tokens and parameters without overrides; the pass starts at
// firstChangedLayer(overrides) from it, skipping the layers before (the
// result is the same bit for bit: those layers would compute what it holds).
Result<LossAndLogits> lossAndLogits(const Parameters& params, std::span<const int32_t> tokens, int B, int T,
                                    std::span<const TensorOverride> overrides = {},
                                    const CancelToken* cancel = nullptr, ResidualCache* capture = nullptr,
                                    const ResidualCache* from = nullptr);

} // namespace precis
