// Text generation with the KV cache: greedy or temperature / top-p sampling.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "engine/engine.h"

#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <vector>

namespace precis {

struct GenerateOptions {
    int maxNewTokens = 64;
    float temperature = 0.0f;  // <= 0: greedy (argmax); otherwise softmax(logits / temperature)
    float topP = 1.0f;         // nucleus: sample among the most likely tokens holding this mass, (0, 1]
    uint64_t seed = 0;         // std::mt19937_64 seed; same seed, same tokens
    bool stopAtEos = true;     // stop when the model emits the vocabulary's EOS
};

enum class StopReason { MaxTokens, Eos, Callback, ContextFull };

struct GenerateResult {
    std::vector<int32_t> ids;  // new tokens (prompt and the stopping EOS excluded)
    StopReason stop = StopReason::MaxTokens;
};

// Called with each new token as soon as it is chosen (not for the stopping
// EOS); return false to stop.
using TokenCallback = std::function<bool(int32_t id)>;

// Prefills `prompt` (which should start with BOS where the model expects it),
// then decodes one token at a time, stopping at the model's trained context
// n_ctx (ContextFull; the prompt itself may be longer for a Llama).
// Errors: empty prompt, ids outside the vocabulary, prompt beyond n_ctx (GPT-2),
// bad options (maxNewTokens < 0, topP outside (0, 1]), cancellation.
Result<GenerateResult> generate(const Engine& engine, std::span<const int32_t> prompt, const GenerateOptions& options,
                                const TokenCallback& onToken = {}, const CancelToken* cancel = nullptr);

// Picks the next token from logits (V values): argmax (lowest id on ties) when
// temperature <= 0, else a draw from the top-p nucleus of softmax(logits / T).
int32_t sampleToken(std::span<const float> logits, float temperature, float topP, std::mt19937_64& rng);

} // namespace precis
