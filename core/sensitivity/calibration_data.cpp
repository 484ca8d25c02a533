#include "sensitivity/calibration_data.h"

#include "eval/generate.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace precis::sensitivity {

namespace {

constexpr int kMaxSequences = 1 << 16;
constexpr int kMaxLength = 1 << 16;

Result<void> checkShape(const std::string& where, const ModelConfig& config, int sequences, int length)
{
    if (sequences < 1 || sequences > kMaxSequences)
        return makeError(ErrorCode::InvalidArgument, where,
                         "number of sequences " + std::to_string(sequences) + ", expected 1.." +
                             std::to_string(kMaxSequences));
    if (length < 2 || length > kMaxLength)
        return makeError(ErrorCode::InvalidArgument, where,
                         "sequence length " + std::to_string(length) + ", expected 2.." + std::to_string(kMaxLength));
    if (config.arch == Arch::Gpt2 && length > config.nCtx)
        return makeError(ErrorCode::InvalidArgument, where,
                         "sequence length " + std::to_string(length) + " exceeds the model's context of " +
                             std::to_string(config.nCtx) + " tokens");
    return {};
}

} // namespace

Result<CalibrationSet> calibrationFromText(const std::string& text, const std::string& where, const Tokenizer& tok,
                                           const ModelConfig& config, int sequences, int length, uint64_t seed)
{
    PRECIS_TRY(checkShape(where, config, sequences, length));
    if (text.empty()) return makeError(ErrorCode::InvalidArgument, where, "the calibration text is empty");
    const std::vector<int32_t> ids = tok.encode(text, false);
    return calibrationFromTokens(ids, tok.bos(), where, config, sequences, length, seed);
}

Result<CalibrationSet> calibrationFromTokens(std::span<const int32_t> ids, int32_t bos, const std::string& where,
                                             const ModelConfig& config, int sequences, int length, uint64_t seed)
{
    PRECIS_TRY(checkShape(where, config, sequences, length));
    const bool withBos = bos >= 0;
    const int fromText = withBos ? length : length + 1;  // text tokens per window
    if (int64_t(ids.size()) < fromText)
        return makeError(ErrorCode::InvalidArgument, where,
                         "the text has " + std::to_string(ids.size()) + " tokens, expected at least " +
                             std::to_string(fromText) + " for one sequence of " + std::to_string(length) +
                             " (use fewer or shorter sequences, or more text)");

    // Offsets: a seeded shuffle of the non-overlapping windows, then random ones.
    const int64_t slots = int64_t(ids.size()) / fromText;
    std::mt19937_64 rng(seed);
    std::vector<int64_t> starts(static_cast<size_t>(slots));
    std::iota(starts.begin(), starts.end(), 0);
    std::shuffle(starts.begin(), starts.end(), rng);
    // A random shift keeps windows from always starting at multiples of fromText.
    const int64_t spare = int64_t(ids.size()) - slots * fromText;
    const int64_t shift = spare > 0 ? int64_t(rng() % uint64_t(spare + 1)) : 0;
    for (int64_t& s : starts) s = s * fromText + shift;
    std::uniform_int_distribution<int64_t> any(0, int64_t(ids.size()) - fromText);
    while (int64_t(starts.size()) < sequences) starts.push_back(any(rng));
    starts.resize(size_t(sequences));

    CalibrationSet set;
    set.sequences = sequences;
    set.length = length;
    set.source = where;
    set.tokens.reserve(size_t(sequences) * (length + 1));
    for (int64_t s : starts) {
        if (withBos) set.tokens.push_back(bos);
        set.tokens.insert(set.tokens.end(), ids.begin() + s, ids.begin() + s + fromText);
    }
    return set;
}

Result<CalibrationSet> calibrationSelfGenerated(const Engine& engine, const Tokenizer& tok, int sequences,
                                                int length, uint64_t seed, Progress* progress,
                                                const CancelToken* cancel)
{
    const std::string where = "self-generated calibration text";
    PRECIS_TRY(checkShape(where, engine.config(), sequences, length));
    if (tok.bos() < 0) return makeError(ErrorCode::Unsupported, where, "the vocabulary has no BOS token to start from");
    CalibrationSet set;
    set.sequences = sequences;
    set.length = length;
    set.source = "self-generated (seed " + std::to_string(seed) + ")";
    set.tokens.reserve(size_t(sequences) * (length + 1));
    const int32_t prompt[1] = {tok.bos()};
    for (int i = 0; i < sequences; ++i) {
        GenerateOptions o;
        o.maxNewTokens = length;
        o.temperature = 0.8f;
        o.topP = 0.95f;
        o.seed = seed * 1000003u + uint64_t(i);
        o.stopAtEos = false;  // every sequence has exactly T tokens
        if (progress)
            progress->report(double(i) / sequences,
                             "generating calibration text " + std::to_string(i + 1) + "/" + std::to_string(sequences));
        auto r = generate(engine, prompt, o, {}, cancel);
        if (!r.ok()) return r.error();
        if (int(r->ids.size()) != length)
            return makeError(ErrorCode::InvalidArgument, where,
                             "the model stopped after " + std::to_string(r->ids.size()) + " of " +
                                 std::to_string(length) + " tokens (context full)");
        set.tokens.push_back(tok.bos());
        set.tokens.insert(set.tokens.end(), r->ids.begin(), r->ids.end());
    }
    return set;
}

} // namespace precis::sensitivity
