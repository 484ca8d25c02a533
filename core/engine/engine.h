// fp32 reference inference engine (Eigen + oneTBB) for the Llama family and GPT-2.
// Weights are dequantized to fp32 once, at creation. Thread-safe for concurrent
// const calls only where stated; one decoding state per caller.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "model/model.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace precis {

// Attention probabilities of one sequence: for every layer and head a T × T
// row-stochastic, causal matrix (query rows, key columns; zero above the diagonal).
struct AttentionMaps {
    int nLayer = 0, nHead = 0, nTokens = 0;
    std::vector<float> probs;  // (nLayer, nHead, nTokens, nTokens) row-major
    const float* map(int layer, int head) const
    {
        return probs.data() + (size_t(layer) * nHead + head) * size_t(nTokens) * nTokens;
    }
};

class Engine {
public:
    // Dequantizes all weights to fp32. Errors: unsupported dtype, invalid model.
    static Result<std::unique_ptr<Engine>> create(std::shared_ptr<const Model> model);
    virtual ~Engine() = default;

    const ModelConfig& config() const { return m_model->config; }
    const std::shared_ptr<const Model>& model() const { return m_model; }

    // Batched prefill of one sequence from position 0 (no cache kept).
    // Returns logits (T, V) row-major. When `attention` is non-null, fills it with
    // every layer's and head's attention probabilities. Errors: empty input, ids
    // outside the vocabulary, T beyond the context length (GPT-2), cancellation.
    virtual Result<std::vector<float>> forward(std::span<const int32_t> ids, AttentionMaps* attention = nullptr,
                                               const CancelToken* cancel = nullptr) const = 0;

protected:
    explicit Engine(std::shared_ptr<const Model> model) : m_model(std::move(model)) {}
    std::shared_ptr<const Model> m_model;
};

} // namespace precis
