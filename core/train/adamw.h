// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization"), the
// learning-rate schedule (linear warm-up, cosine decay) and global-norm
// gradient clipping used by the trainer.
//
// Update for one value p with gradient g at step t = 1, 2, ... (PyTorch's
// torch.optim.AdamW, the non-amsgrad path):
//   p ← p · (1 − lr·λ)                        decoupled decay, λ only on 2-D weights
//   m ← β1·m + (1 − β1)·g
//   v ← β2·v + (1 − β2)·g²
//   p ← p − lr/(1 − β1^t) · m / (sqrt(v)/sqrt(1 − β2^t) + ε)
// Moments are fp32, one buffer per parameter tensor, in the Parameters order.
#pragma once

#include "train/parameters.h"

#include <cstdint>
#include <vector>

namespace precis {

struct AdamWSettings {
    float beta1 = 0.9f;
    float beta2 = 0.95f;
    float eps = 1e-8f;
    float weightDecay = 0.1f;  // λ; applied to tensors with >= 2 dimensions only (not norms, biases)
};

// Linear warm-up then cosine decay (0-based step s):
//   s < W:        maxLr · (s + 1) / W
//   W <= s < S:   minLr + (maxLr − minLr) · (1 + cos(π · (s − W) / (S − W))) / 2
//   s >= S:       minLr
// W = warmupSteps, S = totalSteps (when W >= S the decay part is empty).
struct LrSchedule {
    double maxLr = 1e-3;
    double minLr = 1e-4;
    int64_t warmupSteps = 0;
    int64_t totalSteps = 1;
    double at(int64_t step) const;
};

// sqrt(Σ g²) over every value of every tensor, accumulated in double in a fixed
// order (the result does not depend on the thread count).
double globalGradNorm(const Parameters& grads);

// PyTorch's clip_grad_norm_: when maxNorm > 0 and the global norm exceeds it,
// scales every gradient by maxNorm / (norm + 1e-6). Returns the norm before clipping.
double clipGradNorm(Parameters& grads, double maxNorm);

class AdamW {
public:
    // Zero moments shaped like `params`.
    AdamW(const Parameters& params, const AdamWSettings& settings);

    // One update of every tensor with learning rate `lr`; grads must have the
    // same names and shapes as params (asserted). Tensors and their chunks are
    // updated in parallel; the result is independent of the thread count.
    void step(Parameters& params, const Parameters& grads, double lr);

    const AdamWSettings& settings() const { return m_settings; }
    int64_t stepCount() const { return m_step; }
    // Moments per tensor (Parameters order), for checkpoints.
    std::vector<std::vector<float>>& firstMoments() { return m_m; }
    std::vector<std::vector<float>>& secondMoments() { return m_v; }
    const std::vector<std::vector<float>>& firstMoments() const { return m_m; }
    const std::vector<std::vector<float>>& secondMoments() const { return m_v; }
    void setStepCount(int64_t t) { m_step = t; }

private:
    AdamWSettings m_settings;
    int64_t m_step = 0;
    std::vector<std::vector<float>> m_m, m_v;
};

} // namespace precis
