// Per-tensor measured damage of a compression (eval/unit_damage.h): the list
// holds exactly the tensors the compression changed; each Δloss equals the loss
// of a hand-made copy of the parameters with that tensor replaced (lossOnly),
// each KL a plain serial KL of the two logit matrices; a tensor stored
// differently with the same values gives exactly 0; cancellation; bad inputs.
// Also the option table's predicted-damage lookup (allocation/option_table.h).
#include "allocation/option_table.h"
#include "engine/backward.h"
#include "engine/engine.h"
#include "eval/compress.h"
#include "eval/compression_plan.h"
#include "eval/unit_damage.h"
#include "model/random_model.h"
#include "quant/block_formats.h"
#include "sensitivity/calibration_data.h"
#include "train/parameters.h"
#include "test_support.h"

#include <cmath>
#include <random>
#include <set>

using namespace precis;

namespace {

// 2 layers, rows of 64 and 128 values: Q4_0 (blocks of 32) fits every matrix.
std::shared_ptr<Model> tinyModel(int nLayer = 2, uint64_t seed = 7)
{
    ModelConfig c;
    c.arch = Arch::Llama;
    c.archName = "llama";
    c.nLayer = nLayer; c.nEmbd = 64; c.nHead = 4; c.nHeadKv = 2; c.nFf = 128; c.nVocab = 300; c.nCtx = 64;
    auto m = makeRandomModel(c, seed, 0.08f);
    m->path = "tiny.gguf";
    return m;
}

// A text's ids without BOS: seeded, away from the special tokens.
std::vector<int32_t> textIds(int n)
{
    std::mt19937 rng(3);
    std::uniform_int_distribution<int32_t> id(3, 299);
    std::vector<int32_t> ids(static_cast<size_t>(n));
    for (int32_t& v : ids) v = id(rng);
    return ids;
}

std::shared_ptr<Model> compressOrDie(const Model& m, const CompressionPlan& plan)
{
    auto r = compressModel(m, plan);
    if (!r.ok()) qFatal("%s", r.error().toString().c_str());
    return std::move(r).value();
}

CompressionPlan uniformOrDie(const Model& m, const std::string& scheme)
{
    auto r = uniformPlan(m, scheme);
    if (!r.ok()) qFatal("%s", r.error().toString().c_str());
    return r->plan;
}

// `m` with tensor `name` replaced by `t` (or dropped when t.name is empty).
std::shared_ptr<Model> withTensor(const Model& m, const std::string& name, const Tensor& t)
{
    auto out = std::make_shared<Model>();
    out->path = "edited.gguf";
    out->format = m.format;
    out->config = m.config;
    out->tokenizer = m.tokenizer;
    out->metadata = m.metadata;
    for (const Tensor& x : m.tensors()) {
        if (x.name != name) out->addTensor(x);
        else if (!t.name.empty()) out->addTensor(t);
    }
    return out;
}

std::vector<float> valuesOf(const Tensor& t)
{
    auto v = quant::dequantize(t);
    if (!v.ok()) qFatal("%s", v.error().toString().c_str());
    return std::move(v).value();
}

// KL(p ‖ q) of one pair of logit rows, serially, in the textbook form Σ p (log p − log q).
double klRow(const float* a, const float* b, int V)
{
    double za = 0, zb = 0;
    for (int v = 0; v < V; ++v) za += std::exp(double(a[v])), zb += std::exp(double(b[v]));
    double kl = 0;
    for (int v = 0; v < V; ++v) {
        const double p = std::exp(double(a[v])) / za, q = std::exp(double(b[v])) / zb;
        kl += p * std::log(p / q);
    }
    return kl;
}

} // namespace

class TestUnitDamage : public QObject {
    Q_OBJECT
    std::shared_ptr<Model> m_original, m_q4;
    std::vector<int32_t> m_ids;
    UnitDamageOptions m_options;

private slots:
    void initTestCase()
    {
        m_original = tinyModel();
        QVERIFY(m_original->validate().ok());
        m_q4 = compressOrDie(*m_original, uniformOrDie(*m_original, "Q4_0"));
        m_ids = textIds(400);
        m_options.sequences = 4;
        m_options.length = 24;
        m_options.seed = 5;
    }

    // One unit per compressed tensor, in the architecture's order, named by the stored type.
    void listsExactlyTheCompressedTensors()
    {
        auto r = measureUnitDamage(*m_original, *m_q4, m_ids, m_options);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const CompressionPlan plan = uniformOrDie(*m_original, "Q4_0");
        QCOMPARE(r->size(), plan.tensors.size());
        QCOMPARE(int(r->size()), 2 * 7 + 2);  // q k v o gate up down per layer, token_embd, output
        std::vector<std::string> expected;
        for (const auto& [name, shape] : m_original->expectedTensors())
            for (const TensorAssignment& a : plan.tensors)
                if (a.tensor == name) expected.push_back(name);
        for (size_t i = 0; i < r->size(); ++i) {
            const UnitDamage& u = (*r)[i];
            QCOMPARE(u.tensor, expected[i]);
            QCOMPARE(u.scheme, std::string("Q4_0"));
            QVERIFY2(std::isfinite(u.measuredDloss), u.tensor.c_str());
            QVERIFY2(u.measuredKl > 0 && std::isfinite(u.measuredKl), u.tensor.c_str());
        }

        // A plan over two tensors: two units; an RTN tensor is named by its RTN scheme.
        CompressionPlan two{{{"blk.1.ffn_down.weight", "Q8_0"}, {"blk.0.attn_v.weight", "RTN3g32"}}};
        auto partial = compressOrDie(*m_original, two);
        auto p = measureUnitDamage(*m_original, *partial, m_ids, m_options);
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
        QCOMPARE(int(p->size()), 2);
        QCOMPARE((*p)[0].tensor, std::string("blk.0.attn_v.weight"));  // model order, not plan order
        QCOMPARE((*p)[0].scheme, std::string("RTN3g32"));
        QCOMPARE((*p)[1].tensor, std::string("blk.1.ffn_down.weight"));
        QCOMPARE((*p)[1].scheme, std::string("Q8_0"));
        // 3-bit RTN hurts more than 8-bit blocks, on a tensor of the same size class.
        QVERIFY((*p)[0].measuredKl > (*p)[1].measuredKl);

        // Nothing changed: nothing to measure.
        auto none = measureUnitDamage(*m_original, *m_original, m_ids, m_options);
        QVERIFY(none.ok());
        QVERIFY(none->empty());
    }

    // Δloss against lossOnly on a hand-made copy of the parameters; KL against a serial KL.
    void matchesIndependentComputation()
    {
        auto r = measureUnitDamage(*m_original, *m_q4, m_ids, m_options);
        QVERIFY(r.ok());
        auto params = parametersFromModel(*m_original);
        QVERIFY(params.ok());
        auto windows = sensitivity::calibrationFromTokens(m_ids, m_original->tokenizer.bos, "test", m_original->config,
                                                          m_options.sequences, m_options.length, m_options.seed);
        QVERIFY(windows.ok());
        QCOMPARE(windows->tokens.front(), m_original->tokenizer.bos);  // BOS in front of every window
        const int N = m_options.sequences, T = m_options.length;
        auto base = lossOnly(*params, windows->tokens, N, T);
        QVERIFY(base.ok());
        double maxDiff = 0;
        for (const UnitDamage& u : *r) {
            Parameters copy = *params;
            copy.find(u.tensor)->values = valuesOf(*m_q4->find(u.tensor));
            auto loss = lossOnly(copy, windows->tokens, N, T);
            QVERIFY(loss.ok());
            const double expected = *loss - *base;
            maxDiff = std::max(maxDiff, std::abs(u.measuredDloss - expected));
            QVERIFY2(std::abs(u.measuredDloss - expected) <= 1e-9 + 1e-6 * std::abs(expected),
                     qPrintable(QStringLiteral("%1: %2 vs %3").arg(QString::fromStdString(u.tensor))
                                    .arg(u.measuredDloss, 0, 'g', 12).arg(expected, 0, 'g', 12)));
        }
        qInfo("largest |Δloss − independent Δloss| over %zu tensors: %.3g", r->size(), maxDiff);

        // KL of two tensors, by a plain loop over the logits of the two parameter sets.
        const int V = m_original->config.nVocab;
        auto a = lossAndLogits(*params, windows->tokens, N, T);
        QVERIFY(a.ok());
        for (const UnitDamage& u : *r) {
            if (u.tensor != "blk.0.attn_q.weight" && u.tensor != "output.weight") continue;
            Parameters copy = *params;
            copy.find(u.tensor)->values = valuesOf(*m_q4->find(u.tensor));
            auto b = lossAndLogits(copy, windows->tokens, N, T);
            QVERIFY(b.ok());
            double kl = 0;
            for (int row = 0; row < N * T; ++row)
                kl += klRow(a->logits.data() + size_t(row) * V, b->logits.data() + size_t(row) * V, V);
            kl /= N * T;
            QVERIFY2(std::abs(u.measuredKl - kl) <= 1e-7 * kl, qPrintable(QStringLiteral("%1 vs %2").arg(u.measuredKl).arg(kl)));
        }
    }

    // KL against the inference engine's logits (Engine::forward) on the same windows.
    void klMatchesEngineLogits()
    {
        const std::string name = "output.weight";
        auto r = measureUnitDamage(*m_original, *m_q4, m_ids, m_options);
        QVERIFY(r.ok());
        const UnitDamage* unit = nullptr;
        for (const UnitDamage& u : *r)
            if (u.tensor == name) unit = &u;
        QVERIFY(unit);
        auto windows = sensitivity::calibrationFromTokens(m_ids, m_original->tokenizer.bos, "test", m_original->config,
                                                          m_options.sequences, m_options.length, m_options.seed);
        QVERIFY(windows.ok());
        auto a = Engine::create(m_original);
        auto b = Engine::create(withTensor(*m_original, name, *m_q4->find(name)));
        QVERIFY(a.ok() && b.ok());
        const int N = m_options.sequences, T = m_options.length, V = m_original->config.nVocab;
        double kl = 0;
        for (int i = 0; i < N; ++i) {
            const std::span<const int32_t> window(windows->sequence(i), size_t(T));  // positions 0..T-1 predict 1..T
            auto la = (*a)->forward(window);
            auto lb = (*b)->forward(window);
            QVERIFY(la.ok() && lb.ok());
            for (int t = 0; t < T; ++t) kl += klRow(la->data() + size_t(t) * V, lb->data() + size_t(t) * V, V);
        }
        kl /= N * T;
        QVERIFY2(std::abs(unit->measuredKl - kl) <= 0.02 * kl,
                 qPrintable(QStringLiteral("measured %1, from the engine's logits %2").arg(unit->measuredKl).arg(kl)));
    }

    // Stored differently (F32 instead of Q4_0), same values: measured, and exactly 0.
    void identicalValuesGiveZero()
    {
        const std::string name = "blk.1.attn_k.weight";
        const Tensor& q = *m_q4->find(name);
        auto edited = withTensor(*m_q4, name, makeOwnedF32Tensor(name, q.shape, valuesOf(q)));
        auto r = measureUnitDamage(*m_q4, *edited, m_ids, m_options);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(int(r->size()), 1);
        QCOMPARE(r->front().tensor, name);
        QCOMPARE(r->front().scheme, std::string("F32"));
        QCOMPARE(r->front().measuredDloss, 0.0);
        QCOMPARE(r->front().measuredKl, 0.0);
    }

    // Seeded: the same seed gives the same numbers, another seed other windows.
    void seededWindows()
    {
        auto a = measureUnitDamage(*m_original, *m_q4, m_ids, m_options);
        auto b = measureUnitDamage(*m_original, *m_q4, m_ids, m_options);
        UnitDamageOptions other = m_options;
        other.seed = 6;
        auto c = measureUnitDamage(*m_original, *m_q4, m_ids, other);
        QVERIFY(a.ok() && b.ok() && c.ok());
        QCOMPARE(a->front().measuredDloss, b->front().measuredDloss);
        QCOMPARE(a->front().measuredKl, b->front().measuredKl);
        QVERIFY(a->front().measuredKl != c->front().measuredKl);
    }

    void progressAndCancel()
    {
        int steps = 0;  // the sink is called under Progress's lock
        double highest = -1;
        Progress progress([&](double f, const std::string& stage) {
            if (stage.rfind("measuring tensors", 0) == 0) ++steps;
            highest = std::max(highest, f);
        });
        auto r = measureUnitDamage(*m_original, *m_q4, m_ids, m_options, &progress);
        QVERIFY(r.ok());
        QCOMPARE(steps, int(r->size()));  // one step per tensor
        QCOMPARE(highest, 1.0);

        CancelToken before;
        before.cancel();
        auto c = measureUnitDamage(*m_original, *m_q4, m_ids, m_options, nullptr, &before);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::Cancelled);

        // Cancelled after the first tensor: the run stops with Cancelled, not a partial list.
        CancelToken during;
        Progress cancelling([&](double, const std::string& stage) {
            if (stage.rfind("measuring tensors", 0) == 0) during.cancel();
        });
        auto d = measureUnitDamage(*m_original, *m_q4, m_ids, m_options, &cancelling, &during);
        QVERIFY(!d.ok());
        QCOMPARE(d.error().code, ErrorCode::Cancelled);
    }

    void badInputs()
    {
        auto expectError = [&](const Model& compressed, std::span<const int32_t> ids, const UnitDamageOptions& o,
                               const std::vector<std::string>& words) {
            auto r = measureUnitDamage(*m_original, compressed, ids, o);
            if (r.ok()) return QStringLiteral("no error");
            const std::string msg = r.error().toString();
            for (const std::string& w : words)
                if (msg.find(w) == std::string::npos) return QString::fromStdString("'" + w + "' not in: " + msg);
            return QString();
        };
        auto check = [](const QString& problem) { return problem.isEmpty(); };
        QString p;

        // Another architecture.
        auto deeper = tinyModel(3, 7);
        p = expectError(*deeper, m_ids, m_options, {"architecture", "n_layer", "3", "2"});
        QVERIFY2(check(p), qPrintable(p));

        // A tensor of another shape, and a missing one: both named.
        const std::string name = "blk.0.ffn_up.weight";
        const Tensor& up = *m_q4->find(name);
        auto transposed = withTensor(*m_q4, name, makeOwnedF32Tensor(name, {up.shape[1], up.shape[0]}, valuesOf(up)));
        p = expectError(*transposed, m_ids, m_options, {name, "shape", "[64, 128]", "[128, 64]"});
        QVERIFY2(check(p), qPrintable(p));
        auto missing = withTensor(*m_q4, name, Tensor{});
        p = expectError(*missing, m_ids, m_options, {name, "missing"});
        QVERIFY2(check(p), qPrintable(p));

        // Too few tokens for one window; settings out of range.
        const std::vector<int32_t> few = textIds(10);
        p = expectError(*m_q4, few, m_options, {"10 tokens", "at least 24"});
        QVERIFY2(check(p), qPrintable(p));
        UnitDamageOptions zero = m_options;
        zero.sequences = 0;
        p = expectError(*m_q4, m_ids, zero, {"number of sequences 0"});
        QVERIFY2(check(p), qPrintable(p));
        UnitDamageOptions tooShort = m_options;
        tooShort.length = 1;
        p = expectError(*m_q4, m_ids, tooShort, {"sequence length 1"});
        QVERIFY2(check(p), qPrintable(p));

        // A token outside the vocabulary: the engine's error.
        std::vector<int32_t> bad = m_ids;
        for (int32_t& v : bad) v = 5000;
        auto r = measureUnitDamage(*m_original, *m_q4, bad, m_options);
        QVERIFY(!r.ok());
    }

    // The option table's damage for a tensor unit's option; head units never match.
    void predictedDamageLookup()
    {
        OptionTable t;
        t.units.push_back({"blk.0.attn_q.weight", "blk.0.attn_q.weight", 0, "attn_q", 4096,
                           {{"Q8_0", 4352, 1e-5}, {"Q4_0", 2304, 3e-4}}, -1});
        t.units.push_back({"blk.0.head1.k", "blk.0.attn_k.weight", 0, "attn_k", 1024, {{"Q4_0", 576, 7e-5}}, -1});
        QCOMPARE(predictedDamage(t, "blk.0.attn_q.weight", "Q4_0").value_or(-1), 3e-4);
        QCOMPARE(predictedDamage(t, "blk.0.attn_q.weight", "Q8_0").value_or(-1), 1e-5);
        QVERIFY(!predictedDamage(t, "blk.0.attn_q.weight", "Q4_K"));
        QVERIFY(!predictedDamage(t, "blk.0.attn_k.weight", "Q4_0"));  // only a head unit covers it
        QVERIFY(!predictedDamage(t, "blk.9.attn_q.weight", "Q4_0"));
    }
};

QTEST_GUILESS_MAIN(TestUnitDamage)
#include "tst_unit_damage.moc"
