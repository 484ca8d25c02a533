#include "sensitivity/calibration_memory.h"

#include "common/threads.h"
#include "engine/backward.h"

#include <algorithm>
#include <functional>
#include <map>

namespace precis::sensitivity {

namespace {

int64_t numel(const std::vector<int64_t>& shape)
{
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

int64_t chunks(const std::vector<int64_t>& shape)
{
    const int64_t k = ChunkSums::kChunk;
    return ((shape[0] + k - 1) / k) * ((shape[1] + k - 1) / k);
}

MemoryEstimate estimate(const ModelConfig& c, int sequences, int length, const CalibrationSettings& settings,
                        int threads, bool statisticsOnly)
{
    if (threads <= 0) threads = activeThreadCount();
    Model shapes;
    shapes.config = c;
    const auto tensors = shapes.expectedTensors();
    const int64_t T = length;
    const int64_t M = int64_t(std::min(settings.measureSequences, sequences));

    int64_t outsideBlocks = 0, chunkCount = 0, maxAnalysed = 0, perUnitStats = 0;
    std::map<int, int64_t> blockSize;
    std::map<int, int64_t> blockAttention;  // q, k, v, o of a block (a head's measurement copies them)
    for (const auto& [name, shape] : tensors) {
        const int64_t n = numel(shape);
        const int layer = tensorLayer(name);
        if (layer >= 0) blockSize[layer] += n;
        else outsideBlocks += n;
        if (!isAnalysedTensor(name, shape)) continue;
        chunkCount += chunks(shape);
        maxAnalysed = std::max(maxAnalysed, n);
        perUnitStats += shape[0] + shape[1];
        const std::string kind = tensorKind(name);
        if (kind == "q" || kind == "k" || kind == "v" || kind == "o" || kind == "qkv") blockAttention[layer] += n;
    }
    int64_t maxBlock = 0, maxAttention = 0;
    for (const auto& [l, n] : blockSize) maxBlock = std::max(maxBlock, n);
    for (const auto& [l, n] : blockAttention) maxAttention = std::max(maxAttention, n);

    // One Gram matrix per distinct linear-layer input: per block the attention
    // input, the attention output, the feed-forward input and its hidden
    // activation; and the output head's input.
    const auto gramBytes = [&](int64_t K) {
        return K <= settings.fullGramLimit ? K * K * 8 : K * 8;
    };
    const int64_t C = c.nEmbd, F = c.nFf;
    const int64_t blockGrams = 3 * gramBytes(C) + gramBytes(F);
    const int64_t grams = c.nLayer * blockGrams + gramBytes(C);
    // Spilled: the matrices being updated (one block's) or read (one per thread).
    const int64_t gramsInUse = std::max(blockGrams, int64_t(threads) * std::max(gramBytes(C), gramBytes(F)));
    const int64_t widest = std::max(C, F);
    const int64_t lastGram = widest <= settings.fullGramLimit ? widest * widest * 4
                                                              : (C <= settings.fullGramLimit ? C * C * 4 : widest * 4);

    MemoryEstimate e;
    e.job = statisticsOnly ? "calibration statistics" : "calibration";
    // The weights stay as stored: the tensors outside the blocks are held as fp32,
    // a block's tensors are read (in place or decoded) by each pass as it runs.
    e.items.push_back({"tensors outside the blocks as fp32", uint64_t(outsideBlocks) * 4});
    if (settings.spillGrams)
        e.items.push_back({"input Gram matrices in use (the others in a scratch file of " + formatBytes(uint64_t(grams)) +
                               ")",
                           uint64_t(std::min(grams, gramsInUse))});
    else
        e.items.push_back({"input Gram matrices", uint64_t(grams)});
    e.items.push_back({"gradient statistics per 8×8 chunk", uint64_t(chunkCount) * 4});
    e.items.push_back({"per-channel input and output-gradient statistics", uint64_t(perUnitStats) * 8});
    // The report's chunk maps (Taylor, gradient magnitude, Fisher) and their copy
    // written to the session.
    if (!statisticsOnly) e.items.push_back({"chunk maps of the report", uint64_t(chunkCount) * 4 * 3 * 2});

    std::vector<MemoryItem> stage1 = {
        {"activations of a batch of " + std::to_string(std::min(settings.batchSequences, sequences)) + " × " +
             std::to_string(length) + " tokens",
         passWorkspaceBytes(c, std::min(settings.batchSequences, sequences), length, true)},
        {"one block's weights, read as the pass runs", uint64_t(maxBlock) * 4},
        {"gradients of one block and of the tensors outside blocks", uint64_t(maxBlock + outsideBlocks) * 4},
        {"one batch's Gram matrix", uint64_t(lastGram)},
    };
    if (statisticsOnly) {
        e.items.insert(e.items.end(), stage1.begin(), stage1.end());
        return e;
    }
    stage1.push_back({"partial report", uint64_t(chunkCount) * 4 * 2 * 2});
    std::vector<MemoryItem> stage2 = {
        {"one tensor read and one quantized per thread (" + std::to_string(threads) + ")",
         uint64_t(threads) * uint64_t(maxAnalysed) * 4 * 2},
    };
    // A Gram sketch being made (the test matrix, H·Ω and its basis) and one kept per thread.
    const int64_t m = settings.damageSketch;
    int64_t sketched = 0;
    for (int64_t K : {C, F})
        if (m > 0 && K <= settings.fullGramLimit && K > 4 * m) sketched = std::max(sketched, K);
    if (sketched > 0)
        stage2.push_back({"Gram sketches of " + std::to_string(m) + " columns, one per thread",
                          uint64_t(threads) * uint64_t(sketched * m) * (8 * 4 + 4)});
    std::vector<MemoryItem> stage3;
    if (settings.measure || settings.headAblation) {
        const uint64_t logits = uint64_t(M * T) * uint64_t(c.nVocab) * 4;
        stage3.push_back({"the original's logits on " + std::to_string(M) + " measurement sequences", logits});
        if (settings.residualCache)
            stage3.push_back({"residual cache of the measurement sequences",
                              residualCacheBytes(c, int(M), length)});
        // Per thread: the unit's tensors twice (original and changed values), a
        // forward pass with the block it reads, and its logits.
        const int64_t copies = 2 * std::max(maxAnalysed, maxAttention) + maxBlock;
        stage3.push_back({"measurement passes, one per thread (" + std::to_string(threads) + ")",
                          uint64_t(threads) * (uint64_t(copies) * 4 + passWorkspaceBytes(c, int(M), length, false) +
                                               logits)});
    }
    auto sum = [](const std::vector<MemoryItem>& v) {
        uint64_t s = 0;
        for (const MemoryItem& i : v) s += i.bytes;
        return s;
    };
    const std::vector<MemoryItem>* peak = &stage1;
    if (sum(stage2) > sum(*peak)) peak = &stage2;
    if (sum(stage3) > sum(*peak)) peak = &stage3;
    e.items.insert(e.items.end(), peak->begin(), peak->end());
    return e;
}

} // namespace

MemoryEstimate estimateCalibrationMemory(const ModelConfig& c, int sequences, int length,
                                         const CalibrationSettings& settings, int threads)
{
    return estimate(c, sequences, length, settings, threads, false);
}

MemoryEstimate estimateStatisticsMemory(const ModelConfig& c, int sequences, int length,
                                        const CalibrationSettings& settings, int threads)
{
    return estimate(c, sequences, length, settings, threads, true);
}

Result<MemoryEstimate> fitCalibrationMemory(const ModelConfig& c, int sequences, int length,
                                            CalibrationSettings& settings, uint64_t limit, int threads)
{
    MemoryEstimate e = estimateCalibrationMemory(c, sequences, length, settings, threads);
    if (e.total() <= limit) return e;
    // First what changes no result: no residual cache, then the Gram matrices in a scratch file.
    for (int step = 0; step < 2; ++step) {
        CalibrationSettings changed = settings;
        if (step == 0) changed.residualCache = false;
        else changed.spillGrams = true;
        if (step == 0 ? !settings.residualCache : settings.spillGrams) continue;
        MemoryEstimate w = estimateCalibrationMemory(c, sequences, length, changed, threads);
        if (w.total() >= e.total()) continue;  // saves nothing here (e.g. no measurements to cache for)
        settings = changed;
        e = std::move(w);
        if (e.total() <= limit) return e;
    }
    // The changes are tried in turn, each added to those before (a later change of
    // the same setting replaces the earlier one); the first set that fits is named.
    struct Lever {
        std::string key, text;
        std::function<void(CalibrationSettings&)> apply;  // empty: one thread
    };
    std::vector<Lever> levers;
    for (int b = settings.batchSequences / 2; b >= 1; b /= 2)
        levers.push_back({"batch", "a batch of " + std::to_string(b) + " sequence" + (b == 1 ? "" : "s") +
                                       " (--batch " + std::to_string(b) + ")",
                          [b](CalibrationSettings& s) { s.batchSequences = b; }});
    if (settings.fullGramLimit > 0)
        levers.push_back({"gram", "diagonal Gram matrices only (--gram-limit 0; GPTQ and AWQ then lack their statistics)",
                          [](CalibrationSettings& s) { s.fullGramLimit = 0; }});
    if (settings.measure || settings.headAblation) {
        for (int m = settings.measureSequences / 2; m >= 1; m /= 2)
            levers.push_back({"measure", std::to_string(m) + " measurement sequence" + (m == 1 ? "" : "s") +
                                             " (--measure-seqs " + std::to_string(m) + ")",
                              [m](CalibrationSettings& s) { s.measureSequences = m; }});
        levers.push_back({"measure", "no measurements (--no-measure --no-ablation)", [](CalibrationSettings& s) {
                              s.measure = false;
                              s.headAblation = false;
                          }});
    }
    if (threads != 1) levers.push_back({"threads", "one thread (--threads 1)", {}});
    CalibrationSettings s = settings;
    int t = threads;
    std::vector<std::pair<std::string, std::string>> chosen;  // (key, text) in order
    MemoryEstimate least = e;                                 // with every change applied
    for (const Lever& l : levers) {
        if (l.apply) l.apply(s);
        else t = 1;
        auto same = std::find_if(chosen.begin(), chosen.end(), [&](const auto& c) { return c.first == l.key; });
        if (same != chosen.end()) same->second = l.text;
        else chosen.push_back({l.key, l.text});
        const MemoryEstimate x = estimateCalibrationMemory(c, sequences, length, s, t);
        least = x;
        if (x.total() <= limit) {
            std::string with;
            for (size_t i = 0; i < chosen.size(); ++i)
                with += (i == 0 ? "" : i + 1 == chosen.size() ? " and " : ", ") + chosen[i].second;
            return checkMemory(e, limit, "with " + with + " it would need " + formatBytes(x.total())).error();
        }
    }
    const MemoryItem* big = least.biggest();
    return checkMemory(e, limit,
                       "no setting of the run makes it fit: with every one at its least it would still need " +
                           formatBytes(least.total()) + ", the " + (big ? big->what : std::string("model")) + " " +
                           formatBytes(big ? big->bytes : 0) + " (raise the limit, or use a smaller or quantized model)")
        .error();
}

} // namespace precis::sensitivity
