// Perplexity of a token stream under a model, as llama.cpp's llama-perplexity
// computes it (examples/perplexity/perplexity.cpp, perplexity()).
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "engine/engine.h"

#include <cstdint>
#include <span>
#include <vector>

namespace precis {

struct PerplexityOptions {
    int ctx = 512;        // tokens per chunk (window)
    int maxChunks = 0;    // 0 = all chunks
    // false (default): llama.cpp's chunked method — n = floor(N / ctx) chunks, the
    //   first token of each replaced by BOS (when the vocabulary has one), only the
    //   predictions of tokens ctx/2+1 .. ctx−1 scored (ctx−1−ctx/2 per chunk), so
    //   every scored token sees at least ctx/2 tokens of context.
    // true: non-overlapping windows of ctx tokens (the last may be shorter; a
    //   window needs ≥ 2 tokens), tokens kept as they are, every prediction scored.
    bool allTokens = false;
};

struct PerplexityResult {
    double ppl = 0;              // exp(meanNll)
    double meanNll = 0;          // nats per scored token
    int64_t tokensScored = 0;
    int chunks = 0;
    std::vector<double> chunkPpl;  // exp(mean NLL) of each chunk, in order
};

// `ids` is the tokenized text with BOS at its start (as the tokenizer adds it).
// Chunks run in parallel (oneTBB) for models small enough that one forward pass
// cannot use the threads; results do not depend on the thread count. Progress
// is reported per chunk. Errors: ctx < 3 (or beyond n_ctx for GPT-2), fewer
// tokens than one chunk, engine errors (ids outside the vocabulary), cancellation.
Result<PerplexityResult> computePerplexity(const Engine& engine, std::span<const int32_t> ids,
                                           const PerplexityOptions& options, Progress& progress,
                                           const CancelToken& cancel);

// The memory of computePerplexity (one model) or compareModels (two, the
// original first) over chunks of `ctx` tokens: each CPU engine's weights
// (engineWeightMemory) and the passes that run at once — one per thread for
// models small enough that chunks run side by side, else one — with the logits
// of a chunk (both models' when comparing). threads: 0 = oneTBB's current count.
MemoryEstimate estimateEvaluationMemory(std::span<const Model* const> models, const EngineOptions& options, int ctx,
                                        int threads = 0);
// Makes the evaluation fit `limit`: weights that would be copied to fp32 are
// streamed from the file instead (options.streamWeights: the same results,
// slower); when it still does not fit, an error naming the estimate and the
// setting that would make it fit (one thread, a shorter context), or that none
// would. Returns the estimate of the run as it will go.
Result<MemoryEstimate> fitEvaluationMemory(std::span<const Model* const> models, EngineOptions& options, int ctx,
                                           uint64_t limit, int threads = 0);

// −log softmax(logits)[target] in double precision (logits: V values).
double tokenNll(std::span<const float> logits, int32_t target);

} // namespace precis
