// Per-unit damage of a compression, measured (DESIGN.md §6 closed loop, §8):
// for every weight matrix the compression changed, the loss increase and the
// KL divergence of the ORIGINAL model with only that tensor replaced by its
// compressed values. This is the ground truth a unit's predicted damage (the
// option table's, allocation/option_table.h) is compared with; calibration
// measures the same quantity for single probe options (sensitivity/calibration.h
// stage 3), here it is measured for the options a compression actually chose.
//
// Cost: one forward pass over `sequences` × `length` tokens per changed tensor
// (plus one for the original); tensors are measured in parallel (oneTBB), each
// job holding its logits (sequences·length·n_vocab floats) and one tensor's
// fp32 values.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "model/model.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace precis {

struct UnitDamageOptions {
    int sequences = 8;   // N windows
    int length = 128;    // T predictions per window
    uint64_t seed = 1;   // window offsets (as sensitivity::calibrationFromTokens draws them)
};

struct UnitDamage {
    std::string tensor;         // GGUF name
    std::string scheme;         // the compressed tensor's type name ("Q4_0", "F16", "RTN4g128", "SEG[Q8_0+Q4_0]")
    double measuredDloss = 0;   // mean NLL with the tensor replaced − mean NLL of the original, nats/token
    double measuredKl = 0;      // mean over predictions of KL(original ‖ replaced), nats (>= 0)
};

// Measures every weight matrix (a 2-D tensor of the architecture) whose stored
// bytes differ between `original` and `compressed` (type, size or content), in
// the architecture's tensor order. The replaced values are the compressed
// tensor's dequantized values; everything else is the original's.
//
// tokens: a text's ids without BOS. N windows of T ids are cut from them at
// seeded offsets exactly as calibration windows are (each preceded by the
// model's BOS when its vocabulary has one, else T+1 ids).
// Errors (InvalidArgument unless noted): models of different architectures
// (naming the first differing hyper-parameter), a tensor missing from the
// compressed model or of another shape (naming it and both shapes), a tensor
// that cannot be dequantized (naming it), N or T out of range, fewer tokens than
// one window, the engine's errors (naming the tensor being measured),
// Cancelled when `cancel` fires. Progress: one step per measured tensor.
Result<std::vector<UnitDamage>> measureUnitDamage(const Model& original, const Model& compressed,
                                                  std::span<const int32_t> tokens,
                                                  const UnitDamageOptions& options = {},
                                                  Progress* progress = nullptr, const CancelToken* cancel = nullptr);

// Mean over `rows` rows of KL(softmax(ref_r) ‖ softmax(other_r)) in nats, from
// two (rows, vocab) row-major logit matrices; each row's value is clamped at 0
// (rounding), so identical logits give exactly 0. Parallel over rows.
double meanKl(std::span<const float> ref, std::span<const float> other, int64_t rows, int64_t vocab);

// A measured unit beside the damage predicted for its option (NaN: no prediction).
struct UnitDamageRecord {
    UnitDamage measured;
    double predictedDloss = std::numeric_limits<double>::quiet_NaN();
    bool hasPrediction() const { return std::isfinite(predictedDloss); }
};

} // namespace precis
