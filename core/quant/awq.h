// AWQ (Lin et al., 2023): activation-aware per-input-channel scaling before
// quantization. For a group of linear layers that read the same input, the
// input channels are scaled by s = (mean |x|)^α (normalised), the weights by s
// and the previous operation by 1/s, which leaves the model's function exactly
// as it was; quantizing W·diag(s) then protects the channels that carry large
// activations. α is searched per group on a grid, minimising the predicted
// output error Σ_layers Σ_rows ḡ²_r · ΔW_r H ΔW_rᵀ of the quantized group
// (H and ḡ² from the calibration statistics).
//
// Folding (exact) where the architecture allows:
//   attn_q/k/v  ← attn_norm weight (Llama RMSNorm; GPT-2 LayerNorm weight and bias)
//   ffn_gate/up ← ffn_norm (same)
//   ffn_down    ← ffn_up rows (Llama: SwiGLU is linear in up; not GPT-2, GELU is not)
//   attn_output ← attn_v rows (one s per KV channel, shared by the heads of a group)
// Tensors that are not in the scheme map, or whose group has a member the
// scheme cannot encode, are left alone.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "quant/scheme.h"
#include "sensitivity/calibration.h"
#include "train/parameters.h"

#include <map>
#include <string>
#include <vector>

namespace precis::quant {

struct AwqSettings {
    int grid = 20;  // α ∈ {0, 1/grid, ..., 1}
};

struct AwqGroupResult {
    std::string group;             // "blk.3.attn_qkv", "blk.3.ffn_up_gate", "blk.3.ffn_down", "blk.3.attn_output"
    double alpha = 0;              // chosen α (0 = no scaling)
    double errorBefore = 0;        // predicted output error at α = 0
    double errorAfter = 0;         // at the chosen α
};

// Transforms `params` in place (function preserved up to float rounding) for
// the given per-tensor schemes; returns what was done per group. Errors: stats
// lacking a tensor of a group that is to be scaled, cancellation.
Result<std::vector<AwqGroupResult>> applyAwq(Parameters& params, const sensitivity::CalibrationStats& stats,
                                              const std::map<std::string, Scheme>& schemes,
                                              const AwqSettings& settings = {}, Progress* progress = nullptr,
                                              const CancelToken* cancel = nullptr);

} // namespace precis::quant
