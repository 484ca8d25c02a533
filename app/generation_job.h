// The Compress tab's side-by-side generation on the job thread: the same
// prompt, options and seed through the original and a compressed model
// (core/eval/generate.h), and where their texts part.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "eval/generate.h"

#include <cstdint>
#include <string>
#include <vector>

namespace precis {
class Engine;
class Tokenizer;
}

namespace precis::app {

// ---- Side-by-side generation

struct GenerationRequest {
    std::string prompt;
    GenerateOptions options;  // maxNewTokens, temperature, seed, stopAtEos
};

struct GeneratedText {
    std::vector<int32_t> ids;  // new tokens
    StopReason stop = StopReason::MaxTokens;
};

struct GenerationComparison {
    std::string prompt;                // as given
    GeneratedText original, compressed;
    // Index of the first new token that differs (or that only one side has);
    // -1 when both are identical.
    int firstDifference = -1;
};

// Tokenizes the prompt (BOS when the vocabulary adds one) and generates from
// both engines with the same options and seed. Errors: an empty prompt, the
// core's (prompt beyond the context, bad options), cancellation.
Result<GenerationComparison> runGenerationJob(const Engine& original, const Engine& compressed,
                                              const Tokenizer& tokenizer, const GenerationRequest& request,
                                              Progress& progress, const CancelToken& cancel);

} // namespace precis::app
