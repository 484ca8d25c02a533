#include "eval/perplexity.h"

#include "common/threads.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>

namespace precis {

double tokenNll(std::span<const float> logits, int32_t target)
{
    // log Σ exp(l) − l[target], with the maximum subtracted for range.
    const float mx = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (float l : logits) sum += std::exp(double(l) - mx);
    return std::log(sum) + mx - double(logits[size_t(target)]);
}

namespace {

struct Chunk {
    int64_t start = 0;
    int len = 0;
    int firstScored = 0;  // logits at positions firstScored .. len−2 predict tokens +1
};

// Models up to this many parameters gain from running chunks side by side (one
// pass cannot keep the threads busy); larger ones parallelise inside a pass.
constexpr int64_t kParallelChunksBelow = 50'000'000;

} // namespace

Result<PerplexityResult> computePerplexity(const Engine& engine, std::span<const int32_t> ids,
                                           const PerplexityOptions& options, Progress& progress,
                                           const CancelToken& cancel)
{
    const ModelConfig& cfg = engine.config();
    const std::string& where = engine.model()->path;
    const int ctx = options.ctx;
    if (ctx < 3)
        return makeError(ErrorCode::InvalidArgument, where, "perplexity context " + std::to_string(ctx) +
                                                                ", expected at least 3 tokens");
    if (cfg.arch == Arch::Gpt2 && ctx > cfg.nCtx)
        return makeError(ErrorCode::InvalidArgument, where, "perplexity context " + std::to_string(ctx) +
                                                                " exceeds the model's n_ctx = " +
                                                                std::to_string(cfg.nCtx));
    const int64_t N = int64_t(ids.size());
    std::vector<Chunk> chunks;
    if (options.allTokens) {
        for (int64_t s = 0; s + 1 < N; s += ctx) chunks.push_back({s, int(std::min<int64_t>(ctx, N - s)), 0});
    } else {
        for (int64_t s = 0; s + ctx <= N; s += ctx) chunks.push_back({s, ctx, ctx / 2});
    }
    if (options.maxChunks > 0 && int(chunks.size()) > options.maxChunks)
        chunks.resize(size_t(options.maxChunks));
    if (chunks.empty())
        return makeError(ErrorCode::InvalidArgument, where, "text of " + std::to_string(N) +
                                                                " tokens is shorter than one chunk of " +
                                                                std::to_string(options.allTokens ? 2 : ctx));

    const int32_t bos = engine.model()->tokenizer.bos;
    const bool replaceBos = !options.allTokens && bos >= 0 && bos < cfg.nVocab;
    const size_t V = size_t(cfg.nVocab);
    std::vector<double> nllSum(chunks.size(), 0.0);
    std::vector<std::optional<Error>> errors(chunks.size());
    std::atomic<bool> failed{false};
    std::atomic<int> done{0};

    auto evalChunk = [&](size_t k) {
        if (failed.load() || cancel.cancelled())
            return;
        const Chunk& c = chunks[k];
        std::vector<int32_t> tokens(ids.begin() + c.start, ids.begin() + c.start + c.len);
        if (replaceBos)
            tokens[0] = bos;
        auto logits = engine.forward(tokens, nullptr, &cancel);
        if (!logits.ok()) {
            errors[k] = logits.error();
            failed = true;
            return;
        }
        double sum = 0;
        for (int i = c.firstScored; i + 1 < c.len; ++i)
            sum += tokenNll(std::span<const float>(logits->data() + size_t(i) * V, V), tokens[size_t(i) + 1]);
        nllSum[k] = sum;
        const int d = ++done;
        progress.report(double(d) / double(chunks.size()), "perplexity");
    };
    if (engine.model()->parameterCount() < kParallelChunksBelow)
        tbb::parallel_for(size_t(0), chunks.size(), evalChunk);
    else
        for (size_t k = 0; k < chunks.size(); ++k) evalChunk(k);

    if (cancel.cancelled())
        return makeError(ErrorCode::Cancelled, where, "perplexity cancelled");
    for (auto& e : errors)
        if (e) return *e;

    PerplexityResult r;
    r.chunks = int(chunks.size());
    double total = 0;
    for (size_t k = 0; k < chunks.size(); ++k) {
        const int scored = chunks[k].len - 1 - chunks[k].firstScored;
        total += nllSum[k];
        r.tokensScored += scored;
        r.chunkPpl.push_back(std::exp(nllSum[k] / scored));
    }
    r.meanNll = total / double(r.tokensScored);
    r.ppl = std::exp(r.meanNll);
    return r;
}

MemoryEstimate estimateEvaluationMemory(std::span<const Model* const> models, const EngineOptions& options, int ctx,
                                        int threads)
{
    if (threads <= 0) threads = activeThreadCount();
    MemoryEstimate e;
    e.job = models.size() > 1 ? "evaluation" : "perplexity";
    if (models.empty()) return e;
    const bool two = models.size() > 1;
    bool sideBySide = true;
    for (size_t i = 0; i < models.size(); ++i) {
        for (MemoryItem item : engineWeightMemory(*models[i], options, threads)) {
            if (two) item.what = std::string(i == 0 ? "original: " : "compressed: ") + item.what;
            e.items.push_back(std::move(item));
        }
        sideBySide = sideBySide && models[i]->parameterCount() < kParallelChunksBelow;
    }
    const ModelConfig& c = models.front()->config;
    const int passes = sideBySide ? threads : 1;
    // A comparison holds the original's logits while the compressed model's pass runs.
    const uint64_t perChunk = forwardPassBytes(c, ctx, ctx, options.kv) +
                              (two ? uint64_t(ctx) * uint64_t(c.nVocab) * 4 : 0);
    e.items.push_back({"forward passes over " + std::to_string(ctx) + " tokens, " + std::to_string(passes) +
                           " at once",
                       uint64_t(passes) * perChunk});
    e.items.push_back(workerThreadMemory(threads));
    return e;
}

Result<MemoryEstimate> fitEvaluationMemory(std::span<const Model* const> models, EngineOptions& options, int ctx,
                                           uint64_t limit, int threads)
{
    MemoryEstimate e = estimateEvaluationMemory(models, options, ctx, threads);
    if (e.total() <= limit) return e;
    if (options.dequantize && !options.streamWeights) {  // the same results
        EngineOptions streamed = options;
        streamed.streamWeights = true;
        MemoryEstimate s = estimateEvaluationMemory(models, streamed, ctx, threads);
        if (s.total() < e.total()) {
            options = streamed;
            e = std::move(s);
            if (e.total() <= limit) return e;
        }
    }
    // Settings that change the run: one thread, then shorter chunks.
    std::string with;
    MemoryEstimate least = e;
    int t = threads <= 0 ? activeThreadCount() : threads;
    if (t > 1) {
        t = 1;
        least = estimateEvaluationMemory(models, options, ctx, 1);
        with = "one thread (--threads 1)";
        if (least.total() <= limit)
            return checkMemory(e, limit, "with " + with + " it would need " + formatBytes(least.total())).error();
    }
    for (int c = ctx / 2; c >= 16; c /= 2) {
        least = estimateEvaluationMemory(models, options, c, t);
        if (least.total() <= limit)
            return checkMemory(e, limit, "with " + (with.empty() ? std::string() : with + " and ") + "chunks of " +
                                             std::to_string(c) + " tokens (--ctx " + std::to_string(c) +
                                             ") it would need " + formatBytes(least.total()))
                .error();
    }
    const MemoryItem* big = least.biggest();
    return checkMemory(e, limit,
                       "no setting makes it fit: at the least it would still need " + formatBytes(least.total()) +
                           ", the " + (big ? big->what : std::string("model")) + " " +
                           formatBytes(big ? big->bytes : 0) + " (raise the limit, or use a smaller or quantized model)")
        .error();
}

} // namespace precis
