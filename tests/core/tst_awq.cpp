// AWQ: the transform leaves the model's function unchanged (Llama with grouped-
// query attention and GPT-2), and on a model with outlier input channels the
// AWQ-scaled model quantizes with less damage (KL to the original) than the
// plain one.
#include "test_support.h"

#include "engine/backward.h"
#include "model/random_model.h"
#include "quant/awq.h"

#include <QtTest/QtTest>

#include <cmath>
#include <random>

using namespace precis;
using namespace precis::quant;

namespace {

ModelConfig cfg(Arch arch)
{
    ModelConfig c;
    c.arch = arch;
    c.archName = arch == Arch::Llama ? "llama" : "gpt2";
    c.nLayer = 2;
    c.nEmbd = 64;
    c.nHead = 4;
    c.nHeadKv = arch == Arch::Llama ? 2 : 4;
    c.nFf = 128;
    c.nVocab = 300;
    c.nCtx = 64;
    return c;
}

sensitivity::CalibrationSet tokens(int N, int T, uint64_t seed)
{
    sensitivity::CalibrationSet s;
    s.sequences = N;
    s.length = T;
    std::mt19937_64 rng(seed);
    for (int i = 0; i < N * (T + 1); ++i) s.tokens.push_back(int32_t(rng() % 300));
    return s;
}

double meanKl(const std::vector<float>& a, const std::vector<float>& b, int V)
{
    const size_t rows = a.size() / size_t(V);
    double total = 0;
    for (size_t r = 0; r < rows; ++r) {
        const float* x = a.data() + r * V;
        const float* y = b.data() + r * V;
        double mx = -1e30, my = -1e30;
        for (int v = 0; v < V; ++v) mx = std::max(mx, double(x[v])), my = std::max(my, double(y[v]));
        double zx = 0, zy = 0;
        for (int v = 0; v < V; ++v) zx += std::exp(x[v] - mx), zy += std::exp(y[v] - my);
        for (int v = 0; v < V; ++v) {
            const double lp = x[v] - mx - std::log(zx), lq = y[v] - my - std::log(zy);
            total += std::exp(lp) * (lp - lq);
        }
    }
    return total / double(rows);
}

std::map<std::string, Scheme> allLinear(const Parameters& p, const Scheme& s)
{
    std::map<std::string, Scheme> m;
    for (const std::string& n : sensitivity::analysedTensors(p))
        if (n.rfind("blk.", 0) == 0) m[n] = s;
    return m;
}

// Every block linear weight replaced by its quantized values.
Parameters quantized(const Parameters& p, const std::map<std::string, Scheme>& schemes)
{
    Parameters q = p;
    for (auto& [name, s] : schemes) {
        ParameterTensor* t = q.find(name);
        std::vector<float> out(t->values.size());
        if (!roundTrip(s, t->values.data(), t->shape[0], t->shape[1], out.data()).ok()) qFatal("roundTrip");
        t->values = out;
    }
    return q;
}

} // namespace

class TestAwq : public QObject {
    Q_OBJECT

private slots:
    void preservesFunction_data()
    {
        QTest::addColumn<int>("arch");
        QTest::newRow("llama-gqa") << int(Arch::Llama);
        QTest::newRow("gpt2") << int(Arch::Gpt2);
    }

    void preservesFunction()
    {
        QFETCH(int, arch);
        auto model = makeRandomModel(cfg(Arch(arch)), 5, 0.1f);
        auto p = parametersFromModel(*model);
        QVERIFY(p.ok());
        const auto set = tokens(2, 16, 1);
        auto stats = sensitivity::collectStatistics(*p, set, 2, 4096);
        QVERIFY(stats.ok());
        auto before = lossAndLogits(*p, set.tokens, 2, 16);
        Parameters t = *p;
        auto res = applyAwq(t, *stats, allLinear(*p, *parseScheme("RTN3g32")));
        QVERIFY2(res.ok(), res.ok() ? "" : res.error().message.c_str());
        QCOMPARE(int(res->size()), arch == int(Arch::Llama) ? 2 * 4 : 2 * 3);
        int scaled = 0;
        for (const AwqGroupResult& g : *res) {
            QVERIFY(g.errorAfter <= g.errorBefore);
            scaled += g.alpha > 0;
        }
        QVERIFY(scaled > 0);
        auto after = lossAndLogits(t, set.tokens, 2, 16);
        QVERIFY(before.ok() && after.ok());
        double maxDiff = 0, maxAbs = 0;
        for (size_t i = 0; i < before->logits.size(); ++i) {
            maxDiff = std::max(maxDiff, double(std::abs(before->logits[i] - after->logits[i])));
            maxAbs = std::max(maxAbs, double(std::abs(before->logits[i])));
        }
        QVERIFY2(maxDiff <= 1e-4 * std::max(1.0, maxAbs), qPrintable(QString::number(maxDiff)));
        QVERIFY(t.find("blk.0.attn_norm.weight")->values != p->find("blk.0.attn_norm.weight")->values ||
                t.find("blk.1.attn_norm.weight")->values != p->find("blk.1.attn_norm.weight")->values);
    }

    // Outlier channels (a few norm weights 50× the rest), 3-bit RTN: AWQ's
    // scaling must lower the measured KL to the original.
    void lowersDamageWithOutlierChannels()
    {
        auto model = makeRandomModel(cfg(Arch::Llama), 9, 0.1f);
        auto p = parametersFromModel(*model);
        QVERIFY(p.ok());
        for (int l = 0; l < 2; ++l)
            for (const char* n : {"attn_norm.weight", "ffn_norm.weight"}) {
                auto& v = p->find("blk." + std::to_string(l) + "." + n)->values;
                for (int k = 0; k < 64; k += 9) v[size_t(k)] *= 50.0f;
            }
        const auto calib = tokens(4, 32, 2), eval = tokens(4, 32, 3);
        auto stats = sensitivity::collectStatistics(*p, calib, 2, 4096);
        QVERIFY(stats.ok());
        const auto schemes = allLinear(*p, *parseScheme("RTN3g32"));
        Parameters awq = *p;
        QVERIFY(applyAwq(awq, *stats, schemes).ok());
        auto ref = lossAndLogits(*p, eval.tokens, 4, 32);
        auto plain = lossAndLogits(quantized(*p, schemes), eval.tokens, 4, 32);
        auto scaled = lossAndLogits(quantized(awq, schemes), eval.tokens, 4, 32);
        QVERIFY(ref.ok() && plain.ok() && scaled.ok());
        const double klPlain = meanKl(ref->logits, plain->logits, 300);
        const double klAwq = meanKl(ref->logits, scaled->logits, 300);
        qInfo("KL to the original: plain RTN3g32 %.4g, with AWQ %.4g", klPlain, klAwq);
        QVERIFY(klAwq < 0.9 * klPlain);
    }

    void badInput()
    {
        auto model = makeRandomModel(cfg(Arch::Llama), 5, 0.1f);
        auto p = parametersFromModel(*model);
        sensitivity::CalibrationStats empty;
        auto r = applyAwq(*p, empty, allLinear(*p, *parseScheme("Q4_0")));
        QVERIFY(!r.ok());
        QVERIFY(r.error().where.find("blk.0.attn_q.weight") != std::string::npos);
        AwqSettings s;
        s.grid = 0;
        QVERIFY(!applyAwq(*p, empty, {}, s).ok());
        // No schemes: nothing to do, nothing changed.
        Parameters same = *p;
        auto none = applyAwq(same, empty, {});
        QVERIFY(none.ok() && none->empty());
    }
};

QTEST_GUILESS_MAIN(TestAwq)
#include "tst_awq.moc"
