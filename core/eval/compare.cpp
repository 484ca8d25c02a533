#include "eval/compare.h"

#include "eval/perplexity.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>

namespace precis {

namespace {

struct Chunk {
    int64_t start = 0;
    int len = 0;
    int firstScored = 0;  // logits at positions firstScored .. len−2 predict tokens +1
};

// Per-chunk results, merged in chunk order.
struct ChunkStats {
    double nllOriginal = 0, nllCompressed = 0;
    std::vector<double> kl;  // one per scored position
    int64_t agree = 0;
};

// The same threshold as computePerplexity: below it one pass cannot keep the threads busy.
constexpr int64_t kParallelChunksBelow = 50'000'000;

double logSumExp(std::span<const float> l)
{
    const float mx = *std::max_element(l.begin(), l.end());
    double sum = 0;
    for (float v : l) sum += std::exp(double(v) - mx);
    return std::log(sum) + mx;
}

// KL(softmax(a) ‖ softmax(b)) in double; exactly 0 when a == b.
double klDivergence(std::span<const float> a, std::span<const float> b)
{
    const double za = logSumExp(a), zb = logSumExp(b);
    double kl = 0;
    for (size_t v = 0; v < a.size(); ++v) {
        const double la = double(a[v]) - za, lb = double(b[v]) - zb;
        kl += std::exp(la) * (la - lb);
    }
    return std::max(kl, 0.0);  // rounding can leave −1e-17
}

Result<void> checkSameVocabulary(const Engine& a, const Engine& b)
{
    const Model& ma = *a.model();
    const Model& mb = *b.model();
    const std::string where = ma.path + " vs " + mb.path;
    if (a.config().nVocab != b.config().nVocab)
        return makeError(ErrorCode::InvalidArgument, where,
                         "vocabularies differ: " + std::to_string(a.config().nVocab) + " vs " +
                             std::to_string(b.config().nVocab) + " tokens; models can only be compared on the same vocabulary");
    const auto& ta = ma.tokenizer.tokens;
    const auto& tb = mb.tokenizer.tokens;
    if (!ta.empty() && !tb.empty()) {
        if (ta.size() != tb.size())
            return makeError(ErrorCode::InvalidArgument, where, "tokenizers differ: " + std::to_string(ta.size()) + " vs " +
                                                                    std::to_string(tb.size()) + " tokens");
        for (size_t i = 0; i < ta.size(); ++i)
            if (ta[i] != tb[i])
                return makeError(ErrorCode::InvalidArgument, where,
                                 "tokenizers differ at token " + std::to_string(i) + ": '" + ta[i] + "' vs '" + tb[i] + "'");
    }
    return {};
}

} // namespace

Result<ComparisonResult> compareModels(const Engine& original, const Engine& compressed, std::span<const int32_t> ids,
                                       const CompareOptions& options, Progress* progress, const CancelToken* cancel)
{
    PRECIS_TRY(checkSameVocabulary(original, compressed));
    const ModelConfig& cfg = original.config();
    const std::string& where = compressed.model()->path;
    const int ctx = options.ctx;
    if (ctx < 3)
        return makeError(ErrorCode::InvalidArgument, where, "comparison context " + std::to_string(ctx) +
                                                                ", expected at least 3 tokens");
    for (const ModelConfig* c : {&cfg, &compressed.config()})
        if (c->arch == Arch::Gpt2 && ctx > c->nCtx)
            return makeError(ErrorCode::InvalidArgument, where, "comparison context " + std::to_string(ctx) +
                                                                    " exceeds the model's n_ctx = " + std::to_string(c->nCtx));
    if (options.maxChunks < 0)
        return makeError(ErrorCode::InvalidArgument, where, "chunk limit " + std::to_string(options.maxChunks) +
                                                                " is negative (0 means all chunks)");
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

    const int32_t bos = original.model()->tokenizer.bos;
    const bool replaceBos = !options.allTokens && bos >= 0 && bos < cfg.nVocab;
    const size_t V = size_t(cfg.nVocab);
    std::vector<ChunkStats> stats(chunks.size());
    std::vector<std::optional<Error>> errors(chunks.size());
    std::atomic<bool> failed{false};
    std::atomic<int> done{0};
    auto cancelled = [&] { return cancel && cancel->cancelled(); };

    auto evalChunk = [&](size_t k) {
        if (failed.load() || cancelled())
            return;
        const Chunk& c = chunks[k];
        std::vector<int32_t> tokens(ids.begin() + c.start, ids.begin() + c.start + c.len);
        if (replaceBos)
            tokens[0] = bos;
        auto a = original.forward(tokens, nullptr, cancel);
        auto b = a.ok() ? compressed.forward(tokens, nullptr, cancel) : a;
        if (!a.ok() || !b.ok()) {
            errors[k] = !a.ok() ? a.error() : b.error();
            failed = true;
            return;
        }
        ChunkStats& s = stats[k];
        s.kl.reserve(size_t(c.len - 1 - c.firstScored));
        for (int i = c.firstScored; i + 1 < c.len; ++i) {
            const std::span<const float> la(a->data() + size_t(i) * V, V), lb(b->data() + size_t(i) * V, V);
            const int32_t target = tokens[size_t(i) + 1];
            s.nllOriginal += tokenNll(la, target);
            s.nllCompressed += tokenNll(lb, target);
            s.kl.push_back(klDivergence(la, lb));
            s.agree += std::max_element(la.begin(), la.end()) - la.begin() ==
                       std::max_element(lb.begin(), lb.end()) - lb.begin();
        }
        const int d = ++done;
        if (progress)
            progress->report(double(d) / double(chunks.size()), "compare");
    };
    const int64_t params = std::max(original.model()->parameterCount(), compressed.model()->parameterCount());
    if (params < kParallelChunksBelow)
        tbb::parallel_for(size_t(0), chunks.size(), evalChunk);
    else
        for (size_t k = 0; k < chunks.size(); ++k) evalChunk(k);

    if (cancelled())
        return makeError(ErrorCode::Cancelled, where, "comparison cancelled");
    for (auto& e : errors)
        if (e) return *e;

    ComparisonResult r;
    r.chunks = int(chunks.size());
    double nllA = 0, nllB = 0, klSum = 0;
    int64_t agree = 0;
    std::vector<double> kl;
    for (const ChunkStats& s : stats) {
        nllA += s.nllOriginal;
        nllB += s.nllCompressed;
        agree += s.agree;
        for (double v : s.kl) klSum += v;
        kl.insert(kl.end(), s.kl.begin(), s.kl.end());
    }
    r.tokensScored = int64_t(kl.size());
    const double n = double(r.tokensScored);
    r.meanNllOriginal = nllA / n;
    r.meanNllCompressed = nllB / n;
    r.pplOriginal = std::exp(r.meanNllOriginal);
    r.pplCompressed = std::exp(r.meanNllCompressed);
    r.klMean = klSum / n;
    r.top1Agreement = double(agree) / n;
    const size_t rank = size_t(std::ceil(0.99 * n));  // nearest rank, 1-based
    std::nth_element(kl.begin(), kl.begin() + (rank - 1), kl.end());
    r.klP99 = kl[rank - 1];
    r.klMax = *std::max_element(kl.begin(), kl.end());
    return r;
}

} // namespace precis
