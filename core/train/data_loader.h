// Training batches from one token stream (a text file tokenized once).
//
// The stream is split in two: the first (1 − valFraction) of the tokens train,
// the last valFraction validate. A batch is B windows of T+1 consecutive tokens,
// row-major (B, T+1), as lossAndGradients takes them: position t predicts t+1.
//
// Training window b of step s starts at a position drawn by a counter-based
// hash of (seed, s, b): a batch depends on nothing but the seed and the step,
// so a resumed run sees exactly the batches an uninterrupted one would.
// Validation windows are fixed: consecutive windows starting at 0, T, 2T, ...
// of the validation tokens (each shares its first token with the previous
// window's last), cycled through in batches of B.
//
// With bosFirst (and a vocabulary BOS) the first token of every window is
// replaced by BOS, as llama.cpp's perplexity does with each chunk: the model
// learns to start from BOS at any point of the text, which is how generation
// and perplexity evaluation feed it.
#pragma once

#include "common/result.h"
#include "tokenizer/tokenizer.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace precis {

struct DataLoaderSettings {
    int T = 256;               // predictions per window (window = T + 1 tokens)
    int B = 16;                // windows per batch
    double valFraction = 0.1;  // [0, 0.5]; 0: no validation split
    uint64_t seed = 1;
    bool bosFirst = true;
    int32_t bos = -1;          // BOS id (used when bosFirst), -1: none
};

class DataLoader {
public:
    // Errors (InvalidArgument, naming `where`): T or B < 1, valFraction
    // outside [0, 0.5], a split too short for one window of T+1 tokens.
    static Result<DataLoader> create(std::vector<int32_t> tokens, const DataLoaderSettings& settings,
                                     const std::string& where = "text");

    // Reads and tokenizes `path` (no BOS added; the tokenizer's space prefix
    // applies once, at the start). Errors name the file.
    static Result<DataLoader> fromFile(const std::string& path, const Tokenizer& tokenizer,
                                       const DataLoaderSettings& settings);

    // (B, T+1) row-major.
    std::vector<int32_t> trainBatch(int64_t step) const;
    // Validation batch `index` (any index >= 0; windows cycle). Empty when
    // there is no validation split.
    std::vector<int32_t> valBatch(int64_t index) const;
    // Distinct validation windows, and the batches needed to see them all once.
    int64_t valWindows() const { return m_valWindows; }
    int64_t valBatchesForAll() const { return (m_valWindows + m_settings.B - 1) / m_settings.B; }

    // First token position of training window b of `step` (in [0, trainTokens − T − 1]).
    int64_t trainOffset(int64_t step, int b) const;

    const DataLoaderSettings& settings() const { return m_settings; }
    int64_t trainTokens() const { return m_trainTokens; }
    int64_t valTokens() const { return int64_t(m_tokens.size()) - m_trainTokens; }
    const std::vector<int32_t>& tokens() const { return m_tokens; }
    // FNV-1a 64 of the token ids (little-endian int32), to recognise the same stream on resume.
    uint64_t fingerprint() const;

private:
    void copyWindow(int64_t start, int32_t* out) const;

    std::vector<int32_t> m_tokens;
    DataLoaderSettings m_settings;
    int64_t m_trainTokens = 0;
    int64_t m_valWindows = 0;
};

} // namespace precis
