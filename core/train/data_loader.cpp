#include "train/data_loader.h"

#include "common/mapped_file.h"

#include <cmath>
#include <cstring>

namespace precis {

namespace {

// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mix, so
// distinct counters give independent-looking outputs.
uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Uniform integer in [0, n) from 64 random bits (Lemire's multiply-shift).
uint64_t below(uint64_t bits, uint64_t n)
{
    return uint64_t((unsigned __int128)bits * n >> 64);
}

} // namespace

Result<DataLoader> DataLoader::create(std::vector<int32_t> tokens, const DataLoaderSettings& s, const std::string& where)
{
    if (s.T < 1 || s.B < 1)
        return makeError(ErrorCode::InvalidArgument, where,
                         "window length T = " + std::to_string(s.T) + " and batch B = " + std::to_string(s.B) +
                             " must both be at least 1");
    if (!(s.valFraction >= 0.0 && s.valFraction <= 0.5))
        return makeError(ErrorCode::InvalidArgument, where,
                         "validation fraction " + std::to_string(s.valFraction) + " is outside [0, 0.5]");
    const int64_t n = int64_t(tokens.size());
    const int64_t val = int64_t(std::floor(double(n) * s.valFraction));
    const int64_t train = n - val;
    const int64_t window = int64_t(s.T) + 1;
    if (train < window)
        return makeError(ErrorCode::InvalidArgument, where,
                         "the training split has " + std::to_string(train) + " tokens, fewer than one window of " +
                             std::to_string(window) + " (context + 1); use more text or a shorter context");
    if (s.valFraction > 0.0 && val < window)
        return makeError(ErrorCode::InvalidArgument, where,
                         "the validation split (last " + std::to_string(s.valFraction) + " of " + std::to_string(n) +
                             " tokens) has " + std::to_string(val) + " tokens, fewer than one window of " +
                             std::to_string(window) + "; use more text, a larger validation fraction or a shorter context");
    DataLoader d;
    d.m_tokens = std::move(tokens);
    d.m_settings = s;
    d.m_trainTokens = train;
    d.m_valWindows = val >= window ? (val - 1) / s.T : 0;
    return d;
}

Result<DataLoader> DataLoader::fromFile(const std::string& path, const Tokenizer& tokenizer, const DataLoaderSettings& s)
{
    PRECIS_TRY_ASSIGN(const std::string text, readTextFile(path));
    if (text.empty())
        return makeError(ErrorCode::InvalidArgument, path, "the text file is empty; expected text to train on");
    return create(tokenizer.encode(text, false), s, path);
}

int64_t DataLoader::trainOffset(int64_t step, int b) const
{
    const uint64_t bits = mix(mix(m_settings.seed ^ mix(uint64_t(step))) + uint64_t(b));
    return int64_t(below(bits, uint64_t(m_trainTokens - m_settings.T)));
}

void DataLoader::copyWindow(int64_t start, int32_t* out) const
{
    std::memcpy(out, m_tokens.data() + start, sizeof(int32_t) * size_t(m_settings.T + 1));
    if (m_settings.bosFirst && m_settings.bos >= 0)
        out[0] = m_settings.bos;
}

std::vector<int32_t> DataLoader::trainBatch(int64_t step) const
{
    const size_t w = size_t(m_settings.T) + 1;
    std::vector<int32_t> out(size_t(m_settings.B) * w);
    for (int b = 0; b < m_settings.B; ++b)
        copyWindow(trainOffset(step, b), out.data() + size_t(b) * w);
    return out;
}

std::vector<int32_t> DataLoader::valBatch(int64_t index) const
{
    if (m_valWindows == 0)
        return {};
    const size_t w = size_t(m_settings.T) + 1;
    std::vector<int32_t> out(size_t(m_settings.B) * w);
    for (int b = 0; b < m_settings.B; ++b) {
        const int64_t k = (index * m_settings.B + b) % m_valWindows;
        copyWindow(m_trainTokens + k * m_settings.T, out.data() + size_t(b) * w);
    }
    return out;
}

uint64_t DataLoader::fingerprint() const
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (int32_t id : m_tokens) {
        const auto u = uint32_t(id);
        for (int i = 0; i < 4; ++i) {
            h ^= (u >> (8 * i)) & 0xFF;
            h *= 0x100000001B3ull;
        }
    }
    return h;
}

} // namespace precis
