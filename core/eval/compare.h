// Accuracy of a compressed model against its original on the same tokens
// (DESIGN.md §8): perplexity of both, KL(original ‖ compressed) of the
// next-token distributions (mean and 99th percentile), top-1 agreement.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "engine/engine.h"

#include <cstdint>
#include <span>
#include <vector>

namespace precis {

struct CompareOptions {
    int ctx = 256;       // tokens per chunk
    int maxChunks = 0;   // 0 = all chunks
    // false (default): llama.cpp's chunked method, exactly as computePerplexity
    //   (eval/perplexity.h): floor(N / ctx) chunks, BOS at each chunk start, the
    //   predictions of tokens ctx/2+1 .. ctx−1 scored. true: non-overlapping
    //   windows, every prediction scored.
    bool allTokens = false;
};

struct ComparisonResult {
    double pplOriginal = 0, pplCompressed = 0;
    double meanNllOriginal = 0, meanNllCompressed = 0;  // nats per scored token
    double pplRatio() const { return pplOriginal > 0 ? pplCompressed / pplOriginal : 0; }
    // KL(P_original ‖ P_compressed) = Σ_v p_v (log p_v − log q_v) in nats, per
    // scored position: mean, 99th percentile (nearest rank: the ⌈0.99·n⌉-th
    // smallest) and maximum.
    double klMean = 0, klP99 = 0, klMax = 0;
    double top1Agreement = 0;  // share of scored positions whose argmax logits agree (first index on ties)
    int64_t tokensScored = 0;
    int chunks = 0;
};

// Runs both engines over the same chunks of `ids` (the tokenized text with BOS
// at its start). Errors: different vocabulary sizes or token lists (naming the
// first difference), ctx < 3 (or beyond n_ctx for GPT-2), fewer tokens than
// one chunk, engine errors, cancellation. Chunks run in parallel (oneTBB) for
// small models like computePerplexity; every sum is taken in chunk and position
// order, so results do not depend on the thread count.
Result<ComparisonResult> compareModels(const Engine& original, const Engine& compressed, std::span<const int32_t> ids,
                                       const CompareOptions& options = {}, Progress* progress = nullptr,
                                       const CancelToken* cancel = nullptr);

} // namespace precis
