// compareModels (eval/compare.h): a model against itself, damage growing as bits
// fall, the perplexities and their ratio against values computed here — by hand
// on models whose logits are constant, and from per-token NLLs of the engines'
// own logits — and its errors.
#include "compress_fixtures.h"
#include "eval/compare.h"
#include "eval/perplexity.h"
#include "model/random_model.h"
#include "test_support.h"
#include "train/parameters.h"

#include <cmath>

using namespace precis;
using namespace precis::test;

namespace {

double klMean(const Engine& a, const Model& compressed, const std::vector<int32_t>& ids)
{
    auto e = engineFor(std::make_shared<Model>(compressed));
    CompareOptions o;
    o.ctx = 64;
    auto r = compareModels(a, *e, ids, o);
    if (!r.ok()) qFatal("%s", r.error().toString().c_str());
    return r->klMean;
}

double relDiff(double a, double b) { return std::abs(a - b) / std::abs(b); }

// A GPT-2 model whose logits are `logit(v)` at every position, whatever the input:
// the final LayerNorm's weight is 0 and its bias the unit vector e₀, so the output
// head sees e₀ and returns its column 0, which holds logit(v).
std::shared_ptr<Model> constantLogitModel(double (*logit)(int))
{
    ModelConfig c;
    c.arch = Arch::Gpt2;
    c.archName = "gpt2";
    c.nLayer = 1; c.nEmbd = 32; c.nHead = 4; c.nHeadKv = 4; c.nFf = 64; c.nVocab = 300; c.nCtx = 128;
    auto random = makeRandomModel(c, 5, 0.1f);
    Parameters p = parametersFromModel(*random).value();
    auto& w = p.find("output_norm.weight")->values;
    auto& b = p.find("output_norm.bias")->values;
    std::fill(w.begin(), w.end(), 0.0f);
    std::fill(b.begin(), b.end(), 0.0f);
    b[0] = 1.0f;
    auto& out = p.find("output.weight")->values;  // (V, C)
    for (int v = 0; v < c.nVocab; ++v) out[size_t(v) * c.nEmbd] = float(logit(v));
    auto m = modelFromParameters(p, random->tokenizer);
    m->path = "constant.gguf";
    return m;
}

} // namespace

class TestCompare : public QObject {
    Q_OBJECT
private slots:
    void compareWithItselfAndGrowingDamage()
    {
        auto m = tinyModel(512, 0.05f);
        auto e = engineFor(m);
        const auto ids = someIds(4 * 64 + 5, 300);
        CompareOptions o;
        o.ctx = 64;
        auto self = compareModels(*e, *e, ids, o);
        QVERIFY(self.ok());
        QVERIFY(self->klMean == 0.0 && self->klP99 == 0.0 && self->klMax == 0.0);
        QVERIFY(self->top1Agreement == 1.0);
        QVERIFY(self->pplRatio() == 1.0);
        QCOMPARE(self->chunks, 4);
        QCOMPARE(self->tokensScored, int64_t(4 * (64 - 1 - 32)));
        // The perplexity is exactly computePerplexity's.
        Progress progress;
        CancelToken cancel;
        PerplexityOptions po;
        po.ctx = 64;
        QVERIFY(self->pplOriginal == computePerplexity(*e, ids, po, progress, cancel).value().ppl);
        o.allTokens = true;
        QCOMPARE(compareModels(*e, *e, ids, o).value().tokensScored, int64_t(ids.size() - 5));
        o.allTokens = false;

        const double f16 = klMean(*e, *compressOrDie(*m, uniformOrDie(*m, "F16")), ids);
        const double q8 = klMean(*e, *compressOrDie(*m, uniformOrDie(*m, "Q8_0")), ids);
        const double q4 = klMean(*e, *compressOrDie(*m, uniformOrDie(*m, "Q4_K")), ids);
        const double q2 = klMean(*e, *compressOrDie(*m, uniformOrDie(*m, "Q2_K")), ids);
        qInfo("KL mean: F16 %.3g  Q8_0 %.3g  Q4_K %.3g  Q2_K %.3g", f16, q8, q4, q2);
        QVERIFY(f16 < 1e-6);
        QVERIFY(f16 < q8 && q8 < q4 && q4 < q2);

        auto q2e = engineFor(compressOrDie(*m, uniformOrDie(*m, "Q2_K")));
        auto r = compareModels(*e, *q2e, ids, o).value();
        QVERIFY(r.klP99 >= r.klMean && r.klMax >= r.klP99);
        QVERIFY(r.top1Agreement < 1.0);
    }

    // By hand: all logits 0 give every token the probability 1/V, so ppl = V = 300;
    // logits ln(v+1) give token t the probability (t+1) / (V(V+1)/2), so
    // ppl = (V(V+1)/2) / geomean(t+1) over the scored targets t and the ratio is
    // ((V+1)/2) / geomean(t+1). Scored: tokens 33..63 of each 64-token chunk (the
    // predictions from positions ctx/2 .. ctx−2). Tolerance: the logits are floats,
    // ln(v+1) rounded by ≤ 2⁻²⁴·ln 300 ≈ 3.4e-7, which moves a NLL by ≤ 6.8e-7
    // and the ratio by ≤ 1.4e-6 relative.
    void perplexityRatioByHand()
    {
        auto uniform = engineFor(constantLogitModel([](int) { return 0.0; }));
        auto linear = engineFor(constantLogitModel([](int v) { return std::log(double(v + 1)); }));
        const int V = 300, ctx = 64, chunks = 4;
        const auto ids = someIds(chunks * ctx + 5, V);
        double sumLog = 0;
        int n = 0;
        for (int k = 0; k < chunks; ++k)
            for (int i = ctx / 2 + 1; i < ctx; ++i, ++n) sumLog += std::log(double(ids[size_t(k * ctx + i)] + 1));
        const double geomean = std::exp(sumLog / n);
        CompareOptions o;
        o.ctx = ctx;
        auto r = compareModels(*uniform, *linear, ids, o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->tokensScored, int64_t(n));
        QCOMPARE(n, 4 * 31);
        QVERIFY2(relDiff(r->pplOriginal, V) < 1e-12, qPrintable(QString::number(r->pplOriginal, 'g', 17)));
        const double pplLinear = V * (V + 1) / 2.0 / geomean;
        QVERIFY2(relDiff(r->pplCompressed, pplLinear) < 2e-6,
                 qPrintable(QStringLiteral("%1 vs %2").arg(r->pplCompressed, 0, 'g', 17).arg(pplLinear, 0, 'g', 17)));
        const double ratio = (V + 1) / 2.0 / geomean;
        QVERIFY2(relDiff(r->pplRatio(), ratio) < 2e-6,
                 qPrintable(QStringLiteral("%1 vs %2").arg(r->pplRatio(), 0, 'g', 17).arg(ratio, 0, 'g', 17)));
        // The other way round, the inverse.
        auto back = compareModels(*linear, *uniform, ids, o).value();
        QVERIFY(relDiff(back.pplRatio(), 1 / ratio) < 2e-6);
        QVERIFY(ratio > 1.1);  // the two models really differ
    }

    // From per-token NLLs computed here: each 64-token chunk (BOS first) through
    // both engines' forward, −log softmax of the targets' logits in long double.
    // compareModels sums the same terms in double in the same order: 1e-12.
    void perplexityRatioFromTokenNlls()
    {
        auto m = tinyModel(512, 0.05f);
        auto original = engineFor(m);
        auto q2 = engineFor(compressOrDie(*m, uniformOrDie(*m, "Q2_K")));
        const int V = 300, ctx = 64, chunks = 4;
        const auto ids = someIds(chunks * ctx + 5, V);
        long double nllA = 0, nllB = 0;
        int n = 0;
        auto nll = [&](const std::vector<float>& logits, int pos, int32_t target) {
            const float* l = logits.data() + size_t(pos) * V;
            long double z = 0;
            for (int v = 0; v < V; ++v) z += std::exp((long double)(l[v]));
            return std::log(z) - (long double)(l[target]);
        };
        for (int k = 0; k < chunks; ++k) {
            std::vector<int32_t> chunk(ids.begin() + k * ctx, ids.begin() + (k + 1) * ctx);
            chunk[0] = m->tokenizer.bos;
            const auto a = original->forward(chunk).value(), b = q2->forward(chunk).value();
            for (int i = ctx / 2; i + 1 < ctx; ++i, ++n) {
                nllA += nll(a, i, chunk[size_t(i) + 1]);
                nllB += nll(b, i, chunk[size_t(i) + 1]);
            }
        }
        const double meanA = double(nllA / n), meanB = double(nllB / n);
        CompareOptions o;
        o.ctx = ctx;
        auto r = compareModels(*original, *q2, ids, o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->tokensScored, int64_t(n));
        QVERIFY(relDiff(r->meanNllOriginal, meanA) < 1e-12);
        QVERIFY(relDiff(r->meanNllCompressed, meanB) < 1e-12);
        QVERIFY(relDiff(r->pplOriginal, std::exp(meanA)) < 1e-12);
        QVERIFY(relDiff(r->pplCompressed, std::exp(meanB)) < 1e-12);
        const double ratio = std::exp(meanB - meanA);
        QVERIFY2(relDiff(r->pplRatio(), ratio) < 1e-12,
                 qPrintable(QStringLiteral("%1 vs %2").arg(r->pplRatio(), 0, 'g', 17).arg(ratio, 0, 'g', 17)));
        qInfo("Q2_K: ppl %.4f → %.4f, ratio %.6f", std::exp(meanA), std::exp(meanB), ratio);
        QVERIFY(ratio != 1.0);
    }

    void compareErrors()
    {
        auto m = tinyModel();
        auto e = engineFor(m);
        ModelConfig c = m->config;
        c.nVocab = 320;
        auto other = engineFor(makeRandomModel(c, 3));
        auto r = compareModels(*e, *other, someIds(200, 300));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("vocabularies differ") != std::string::npos, r.error().message.c_str());
        CompareOptions o;
        o.ctx = 2;
        QVERIFY(!compareModels(*e, *e, someIds(200, 300), o).ok());
        o.ctx = 64;
        QVERIFY(!compareModels(*e, *e, someIds(40, 300), o).ok());
        CancelToken cancel;
        cancel.cancel();
        auto cancelled = compareModels(*e, *e, someIds(200, 300), o, nullptr, &cancel);
        QVERIFY(!cancelled.ok());
        QCOMPARE(cancelled.error().code, ErrorCode::Cancelled);
    }
};

QTEST_GUILESS_MAIN(TestCompare)
#include "tst_compare.moc"
