// Text a model writes itself, from BOS, by seeded sampling: calibration and
// evaluation text for models whose training data cannot be shipped or is unknown.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "engine/engine.h"

#include <cstdint>
#include <vector>

namespace precis {

struct SelfGenOptions {
    int tokens = 2000;       // tokens to write, >= 1
    uint64_t seed = 1;
    float temperature = 0.8f;
    float topP = 0.95f;
};

// Generates `tokens` tokens. Beyond the model's context, generation continues
// from BOS plus the last half context of the current document (an EOS starts a
// new document). Same options, same ids, whatever the thread count. Progress is
// reported per token. Errors: bad options, a vocabulary without BOS, a model
// that keeps ending its text at once (EOS right after BOS), cancellation.
Result<std::vector<int32_t>> selfGenerate(const Engine& engine, int32_t bos, const SelfGenOptions& options,
                                          Progress* progress = nullptr, const CancelToken* cancel = nullptr);

} // namespace precis
