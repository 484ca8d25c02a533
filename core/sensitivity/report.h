// What a calibration run produces: metric values per unit (tensor, head, layer),
// 8×8 chunk maps per tensor, and how well each cheap proxy predicts the measured
// damage. Plain data, stored as-is in a session (core/session).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace precis::sensitivity {

// Metric names (stored in sessions; stable).
namespace metric {
// Predicted Δloss (nats/token) of quantizing the unit with an option:
//   ½ · Σ_rows ḡ²_r · (ΔW_r H ΔW_rᵀ) / N_tokens, H = Σ x xᵀ over the calibration
// tokens (its diagonal only above the Gram size limit), ḡ²_r the mean squared
// per-token gradient of output r (at token n of a batch of b tokens: b · ∂L_batch/∂y_n,r,
// i.e. of the batch's summed loss). Per option.
inline constexpr const char* OutputWeighted = "ow_err";
// Predicted Δloss from the empirical Fisher diagonal: ½ Σ_i F_i Δw_i², F_i
// estimated as the mean over batches k of b_k · (∂L_k/∂w_i)² (b_k = the tokens of
// batch k; all equal but a shorter last one). Per option.
inline constexpr const char* Fisher = "fisher";
// First-order saliency Σ_i |w_i| · rms_i, rms_i = RMS over batches of ∂L/∂w_i,
// batches weighted by their tokens: √(Σ_k b_k (∂L_k/∂w_i)² / Σ_k b_k).
inline constexpr const char* Taylor = "taylor";
// Adaptive micro-chunking's gradient magnitude Σ_i rms_i.
inline constexpr const char* GradMagnitude = "gradmag";
// Head importance (Michel et al.): mean over batches of |∂L/∂ξ_h|.
inline constexpr const char* HeadGate = "gate";
// Measured Δloss when the head's output is removed (its attn_output columns zeroed).
inline constexpr const char* Ablation = "ablation";
// Measured Δloss and mean KL(original ‖ quantized) per token when only this unit
// is quantized with the option (the ground truth). Per option.
inline constexpr const char* MeasuredLoss = "measured_dloss";
inline constexpr const char* MeasuredKl = "measured_kl";
// 1 for an option that cannot encode the unit (row length not a multiple of its
// block or group size). Per option.
inline constexpr const char* Infeasible = "infeasible";
} // namespace metric

enum class UnitKind { Tensor, Head, Layer };
const char* unitKindName(UnitKind k);  // "tensor", "head", "layer"

struct UnitValue {
    std::string unit;    // "blk.3.attn_q.weight", "blk.3.head.2", "blk.3"
    UnitKind kind = UnitKind::Tensor;
    std::string metric;
    std::string option;  // scheme name for per-option metrics, else empty
    double value = 0;
};

// One value per 8×8 chunk of a tensor's (rows, cols) matrix: rows/8 × cols/8
// rounded up; edge chunks cover what is left.
struct ChunkMap {
    std::string tensor;
    std::string metric;  // Fisher (at the reference option), Taylor, GradMagnitude
    int rows = 0, cols = 0;       // chunk grid: ceil(rows/8) × ceil(cols/8)
    std::vector<float> values;    // (rows, cols) row-major
};

// How a proxy ranks units against a measured quantity (Spearman's ρ).
struct Correlation {
    std::string proxy;     // metric name, with "@option" for per-option proxies
    std::string measured;  // metric name, with "@option"
    UnitKind kind = UnitKind::Tensor;
    int units = 0;         // units with both values
    double spearman = 0;
};

struct SensitivityReport {
    bool complete = false;       // false for the partial snapshots delivered during a run
    std::string stage;
    int64_t tokens = 0;          // calibration tokens seen so far
    double baselineLoss = 0;     // mean NLL of the calibration tokens seen
    std::string referenceOption; // option used for the Fisher chunk maps
    std::vector<UnitValue> values;
    std::vector<ChunkMap> chunks;
    std::vector<Correlation> correlations;
    // Wall time of each stage that ran, in order: "gradients" (forward and backward
    // over the set, then the gradient metrics), "predicted damage", "measurement".
    // Not stored in sessions.
    std::vector<std::pair<std::string, double>> stageSeconds;

    // Lookups (linear scans; reports hold thousands of values, not millions).
    const UnitValue* find(const std::string& unit, const std::string& metric, const std::string& option = {}) const;
    const ChunkMap* chunkMap(const std::string& tensor, const std::string& metric) const;
};

// Spearman rank correlation of paired samples (average ranks for ties); NaN when
// fewer than 3 pairs or a side is constant.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

} // namespace precis::sensitivity
