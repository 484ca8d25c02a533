// Calibration sequences: N windows of T+1 token ids (position t predicts t+1),
// cut from a text at seeded offsets, or written by the model itself.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "engine/engine.h"
#include "tokenizer/tokenizer.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace precis::sensitivity {

struct CalibrationSet {
    int sequences = 0;            // N
    int length = 0;               // T predictions per sequence
    std::vector<int32_t> tokens;  // (N, T+1) row-major
    std::string source;           // the file, or "self-generated (seed S)"
    const int32_t* sequence(int i) const { return tokens.data() + size_t(i) * (length + 1); }
};

// Windows of T tokens of `text`, each preceded by BOS when the vocabulary has one
// (else T+1 text tokens). Offsets are drawn with the seed, without overlap while
// the text is long enough, then with overlap. Errors name `where` (the file):
// empty text, fewer than T+1 tokens of text, N or T out of range, T beyond the
// model's context.
Result<CalibrationSet> calibrationFromText(const std::string& text, const std::string& where, const Tokenizer& tok,
                                           const ModelConfig& config, int sequences, int length, uint64_t seed);

// The same windows cut from token ids already encoded (a text's ids without
// BOS): T ids preceded by `bos` when bos >= 0, else T+1 ids, at the offsets
// calibrationFromText draws for the same seed. Errors as calibrationFromText
// (fewer ids than one window, N or T out of range), naming `where`.
Result<CalibrationSet> calibrationFromTokens(std::span<const int32_t> ids, int32_t bos, const std::string& where,
                                             const ModelConfig& config, int sequences, int length, uint64_t seed);

// N sequences the model writes itself from BOS (seeded sampling, temperature
// 0.8, top-p 0.95), each BOS + T tokens.
Result<CalibrationSet> calibrationSelfGenerated(const Engine& engine, const Tokenizer& tok, int sequences,
                                                int length, uint64_t seed, Progress* progress = nullptr,
                                                const CancelToken* cancel = nullptr);

} // namespace precis::sensitivity
