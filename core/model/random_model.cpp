#include "model/random_model.h"

#include "common/half.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <unordered_set>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace precis {

namespace {

// splitmix64 (Steele, Lea & Flood 2014): a 64-bit counter through a bijective
// mixer; used both to derive per-block seeds and as the generator itself.
inline uint64_t splitmix64(uint64_t& state)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

constexpr int64_t kBlock = int64_t(1) << 16;  // values per independently seeded block

// Fills values [b·kBlock, …) of tensor `index`: offset + scale · (u1+u2+u3+u4 − 2),
// the u_k being the four 16-bit quarters of one 64-bit draw mapped to (0, 1).
// Sum of four U(0,1) has variance 1/3, hence scale = stddev·√3.
void fillBlock(float* dst, int64_t n, uint64_t seed, uint64_t index, int64_t block, float offset, float stddev)
{
    uint64_t s = seed ^ (index * 0xD1B54A32D192ED03ull) ^ (uint64_t(block) * 0x8CB92BA72F3D8DD7ull);
    splitmix64(s);
    const float scale = stddev * std::sqrt(3.0f) / 65536.0f;
    for (int64_t i = 0; i < n; ++i) {
        const uint64_t r = splitmix64(s);
        const uint32_t sum = uint32_t(r & 0xFFFF) + uint32_t((r >> 16) & 0xFFFF) + uint32_t((r >> 32) & 0xFFFF) +
                             uint32_t(r >> 48);
        // (sum + 2) / 65536 − 2 is the centred sum of four uniforms on (0, 1).
        dst[i] = offset + (float(int32_t(sum) - 131070)) * scale;
    }
}

// Buffers of big tensors are aligned to 2 MiB and, on Linux, marked for
// transparent huge pages: streaming gigabytes of weights through 4 KiB pages
// costs TLB misses and stops the hardware prefetchers at every page boundary.
std::shared_ptr<float[]> allocateWeights(size_t n)
{
    constexpr size_t kHuge = size_t(2) << 20;
    const size_t bytes = std::max<size_t>(n, 1) * sizeof(float);
    if (bytes < kHuge)
        return std::shared_ptr<float[]>(new float[std::max<size_t>(n, 1)]);
    const size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (!p)
        throw std::bad_alloc();
#if defined(__linux__)
    madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return std::shared_ptr<float[]>(static_cast<float*>(p), [](float* q) { std::free(q); });
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

TokenizerSpec makeRandomTokenizer(int nVocab)
{
    TokenizerSpec spec;
    if (nVocab < 259)
        return spec;
    const std::string space = "\xE2\x96\x81";  // U+2581 "▁", SentencePiece's word boundary
    spec.kind = TokenizerKind::SentencePiece;
    spec.pre = "default";
    spec.unk = 0;
    spec.bos = 1;
    spec.eos = 2;
    spec.addBos = true;
    spec.addSpacePrefix = true;
    spec.byteFallback = true;
    auto push = [&](std::string piece, TokenType type, float score) {
        spec.tokens.push_back(std::move(piece));
        spec.types.push_back(type);
        spec.scores.push_back(score);
    };
    push("<unk>", TokenType::Unknown, 0.0f);
    push("<s>", TokenType::Control, 0.0f);
    push("</s>", TokenType::Control, 0.0f);
    for (int b = 0; b < 256; ++b) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "<0x%02X>", b);
        push(buf, TokenType::Byte, 0.0f);
    }

    // Normal pieces in order of preference (score −1, −2, …).
    std::vector<std::string> pieces{space};
    const std::string lower = "abcdefghijklmnopqrstuvwxyz", upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const std::string other = "0123456789.,!?'\"-:;()";
    for (char ch : lower + upper + other) pieces.push_back(std::string(1, ch));
    for (char ch : lower + upper) pieces.push_back(space + ch);
    for (const char* w : {"he", "th", "in", "er", "an", "re", "on", "at", "en", "nd", "ed", "ou", "ha", "to", "it",
                          "is", "as", "ing", "the", "and"})
        pieces.push_back(w);
    for (const char* w : {"the", "and", "a", "to", "was", "he", "she", "it", "of", "in", "that", "with", "they",
                          "her", "his", "said", "you", "had", "but", "on", "for", "day", "one", "time", "once",
                          "upon", "there", "little", "girl", "boy", "play", "happy", "big", "saw", "named", "very",
                          "went", "so", "were", "not", "all", "mom", "dog", "cat", "friend", "tree", "sun", "Once",
                          "The", "She", "He", "Lily", "Tom", "ball", "park", "loved", "wanted", "hello", "world"})
        pieces.push_back(space + w);
    for (char a : lower)
        for (char b : lower) pieces.push_back(std::string{a, b});
    for (char a : lower)
        for (char b : lower) pieces.push_back(space + a + b);
    for (char a : lower)
        for (char b : lower)
            for (char c : lower) pieces.push_back(space + a + b + c);

    std::unordered_set<std::string> seen(spec.tokens.begin(), spec.tokens.end());
    size_t next = 0;
    int synthetic = 0;
    while (int(spec.tokens.size()) < nVocab) {
        std::string p = next < pieces.size() ? pieces[next++] : space + "tok" + std::to_string(synthetic++);
        if (!seen.insert(p).second)
            continue;
        push(std::move(p), TokenType::Normal, -float(spec.tokens.size() - 259));
    }
    return spec;
}

std::shared_ptr<Model> makeRandomModel(const ModelConfig& cfg, uint64_t seed, float stddev, DType storage)
{
    auto model = std::make_shared<Model>();
    model->config = cfg;
    if (model->config.archName.empty())
        model->config.archName = cfg.arch == Arch::Gpt2 ? "gpt2" : "llama";
    model->path = "random-" + model->config.archName + "-seed" + std::to_string(seed);
    model->format = "random";
    model->tokenizer = makeRandomTokenizer(cfg.nVocab);
    model->metadata = {{"general.name", "random " + model->config.archName},
                       {"seed", std::to_string(seed)},
                       {"weight stddev", std::to_string(stddev)}};

    const auto expected = model->expectedTensors();
    std::vector<int64_t> sizes(expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        int64_t n = 1;
        for (int64_t d : expected[i].second) n *= std::max<int64_t>(d, 0);
        sizes[i] = n;
    }
    auto fill = [&](size_t i, float* dst, int64_t b) {
        const bool norm = endsWith(expected[i].first, "norm.weight");
        const int64_t n = std::min(kBlock, sizes[i] - b * kBlock);
        fillBlock(dst + b * kBlock, n, seed, i, b, norm ? 1.0f : 0.0f, stddev);
    };
    auto add = [&](size_t i, DType dtype, const std::byte* data, uint64_t nbytes, std::shared_ptr<const void> owner) {
        Tensor t;
        t.name = expected[i].first;
        t.dtype = dtype;
        t.shape = expected[i].second;
        t.data = data;
        t.nbytes = nbytes;
        t.owner = std::move(owner);
        model->addTensor(std::move(t));
    };
    if (storage == DType::F16 || storage == DType::BF16) {
        try {
            std::vector<float> values;
            for (size_t i = 0; i < expected.size(); ++i) {
                values.resize(size_t(sizes[i]));
                tbb::parallel_for(int64_t(0), (sizes[i] + kBlock - 1) / kBlock,
                                  [&](int64_t b) { fill(i, values.data(), b); });
                if (expected[i].second.size() != 2) {
                    auto kept = std::make_shared<std::vector<float>>(values);
                    add(i, DType::F32, reinterpret_cast<const std::byte*>(kept->data()), kept->size() * 4, kept);
                    continue;
                }
                auto half = std::make_shared<std::vector<uint16_t>>(values.size());
                tbb::parallel_for(size_t(0), values.size(), size_t(1) << 16, [&](size_t k) {
                    const size_t end = std::min(values.size(), k + (size_t(1) << 16));
                    for (size_t j = k; j < end; ++j)
                        (*half)[j] = storage == DType::F16 ? floatToFp16(values[j]) : floatToBf16(values[j]);
                });
                add(i, storage, reinterpret_cast<const std::byte*>(half->data()), half->size() * 2, half);
            }
        } catch (const std::bad_alloc&) {
            return nullptr;
        }
        return model;
    }
    std::vector<std::shared_ptr<float[]>> buffers(expected.size());
    try {
        for (size_t i = 0; i < expected.size(); ++i) buffers[i] = allocateWeights(size_t(sizes[i]));
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
    // One flat loop over (tensor, block) pairs so that small and large tensors
    // balance across threads.
    std::vector<std::pair<size_t, int64_t>> blocks;
    for (size_t i = 0; i < expected.size(); ++i)
        for (int64_t b = 0; b * kBlock < sizes[i]; ++b) blocks.push_back({i, b});
    tbb::parallel_for(size_t(0), blocks.size(), [&](size_t k) { fill(blocks[k].first, buffers[blocks[k].first].get(), blocks[k].second); });
    for (size_t i = 0; i < expected.size(); ++i)
        add(i, DType::F32, reinterpret_cast<const std::byte*>(buffers[i].get()), uint64_t(sizes[i]) * sizeof(float),
            buffers[i]);
    return model;
}

} // namespace precis
