// The closed loop (DESIGN.md §6–§7). An allocation's predicted damage is the
// sum of per-unit proxies; the loss increase a compressed model really shows
// differs from it — mostly because errors in different tensors compound, which
// a sum of single-unit damages cannot see. Measured compressions of the session
// tell by how much: one factor, fitted over them, rescales every unit's
// predicted damage before the allocation is solved again.
//
// A compression record contributes a sample when its metrics hold both a
// measurement ("ppl_ratio" > 1 on the evaluation text) and the prediction it
// was made with: "predicted_ppl_increase_percent" in its metrics, else the
// totals of the saved allocation it came from. The prediction is taken back to
// the unscaled predictor through the factor in force when it was made
// ("damage_scale" in the metrics, the settings, the settings' "budget", or the
// allocation's budget; 1 when none), so fitting again after a rescaled run
// does not compound.
#pragma once

#include "common/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace precis {

class SessionStore;

struct LoopSample {
    int64_t compressionId = 0;
    std::string name;             // the compression's name (settings "name" or "plan"), else its method
    double predictedDamage = 0;   // nats/token before any scale (Σ unit damages)
    double measuredDamage = 0;    // ln(perplexity ratio) on the evaluation text
};

// Samples of the session's compressions, oldest first. Errors: the store's.
Result<std::vector<LoopSample>> closedLoopSamples(SessionStore& store, int64_t sessionId);

struct LoopFit {
    double scale = 1;   // exp(mean ln(measured / predicted))
    int samples = 0;
    double spread = 1;  // exp(standard deviation of ln(measured / predicted)); 1 for one sample
};

// The factor for `samples` (those with predicted and measured damage > 0).
// Errors (InvalidArgument): no usable sample, saying what is needed.
Result<LoopFit> fitDamageScale(std::span<const LoopSample> samples);

} // namespace precis
