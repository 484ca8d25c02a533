// The closed loop (DESIGN.md §6–§7). An allocation's predicted damage is the
// sum of per-unit proxies; the loss increase a compressed model really shows
// differs from it — mostly because errors in different tensors compound, which
// a sum of single-unit damages cannot see. Measured compressions of the session
// tell by how much: one factor, fitted over them, rescales every unit's
// predicted damage before the allocation is solved again.
//
// The samples come from the session's measured compressions
// (session/session_compressions.h: closedLoopSamples).
#pragma once

#include "common/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace precis {

struct LoopSample {
    int64_t compressionId = 0;
    std::string name;             // the compression's name (settings "name" or "plan"), else its method
    double predictedDamage = 0;   // nats/token before any scale (Σ unit damages)
    double measuredDamage = 0;    // ln(perplexity ratio) on the evaluation text
};

struct LoopFit {
    double scale = 1;   // exp(mean ln(measured / predicted))
    int samples = 0;
    double spread = 1;  // exp(standard deviation of ln(measured / predicted)); 1 for one sample
};

// The factor for `samples` (those with predicted and measured damage > 0).
// Errors (InvalidArgument): no usable sample, saying what is needed.
Result<LoopFit> fitDamageScale(std::span<const LoopSample> samples);

} // namespace precis
