// Backward pass and trainable parameters: gradients of weights, head gates and
// linear-layer inputs against central finite differences of an independent
// double-precision loss (backward_reference.h) on generated models of both
// architectures; lossOnly against the inference engine; batch = mean of
// sequences; thread-count independence; input errors; golden PyTorch float64
// gradients of stories260K (../shared) through GGUF and the HF folder.
#include "backward_reference.h"
#include "common/half.h"
#include "common/mapped_file.h"
#include "common/threads.h"
#include "engine/backward.h"
#include "engine/engine.h"
#include "formats/gguf.h"
#include "formats/model_loader.h"
#include "model/random_model.h"
#include "test_support.h"
#include "train/parameters.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <set>

using namespace precis;

namespace {

ModelConfig tinyConfig(int kind)
{
    ModelConfig c;
    c.arch = kind >= 3 ? Arch::Gpt2 : Arch::Llama;
    c.nLayer = 2;
    c.nEmbd = 16;
    c.nHead = 4;
    c.nHeadKv = kind == 2 || kind >= 3 ? 4 : 2;
    c.nFf = kind >= 3 ? 40 : 24;
    c.nVocab = 37;
    c.nCtx = 12;
    c.ropeLayout = kind == 1 ? RopeLayout::RotateHalf : RopeLayout::Interleaved;
    c.qkvBias = kind <= 1;
    c.tiedOutput = kind == 2 || kind == 3;
    return c;
}

void addKindRows()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("llama interleaved GQA qkv-bias untied") << 0;
    QTest::newRow("llama rotate-half GQA qkv-bias untied") << 1;
    QTest::newRow("llama interleaved MHA tied") << 2;
    QTest::newRow("gpt2 tied") << 3;
    QTest::newRow("gpt2 untied") << 4;
}

// Bell-shaped noise in (−1.7, 1.7)·sd from mt19937 (exactly specified by the standard).
float noise(std::mt19937& rng, double sd)
{
    double s = 0;
    for (int i = 0; i < 4; ++i) s += double(rng()) / 4294967296.0 - 0.5;
    return float(s * sd * std::sqrt(3.0));
}

// Large weights (sd 0.35), non-trivial norms and biases: attention and the
// softmax are far from uniform, so wrong terms show.
Parameters testParameters(const ModelConfig& c, uint32_t seed)
{
    Parameters p = initParameters(c, seed);
    std::mt19937 rng(seed);
    for (ParameterTensor& t : p.tensors) {
        const bool isNorm = t.name.find("norm.weight") != std::string::npos;
        const bool isBias = t.name.find(".bias") != std::string::npos;
        for (float& v : t.values) v = isNorm ? 1.0f + noise(rng, 0.2) : noise(rng, isBias ? 0.1 : 0.35);
    }
    return p;
}

std::vector<int32_t> testTokens(int B, int T, int V, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<int32_t> ids(size_t(B) * (T + 1));
    for (int32_t& id : ids) id = int32_t(rng() % uint32_t(V));
    return ids;
}

BackwardOptions options(bool headGates, bool linearInputGrads, BackwardWorkspace* workspace = nullptr)
{
    BackwardOptions o;
    o.headGates = headGates;
    o.linearInputGrads = linearInputGrads;
    o.workspace = workspace;
    return o;
}

BackwardResult gradientsOf(const Parameters& p, const std::vector<int32_t>& ids, int B, int T,
                           BackwardOptions o = options(true, true))
{
    auto r = lossAndGradients(p, ids, B, T, o);
    if (!r.ok()) qFatal("%s", r.error().toString().c_str());
    return std::move(r).value();
}

// |a − ref| within rel·|ref| + abs.
bool close(double a, double ref, double rel, double abs) { return std::fabs(a - ref) <= rel * std::fabs(ref) + abs; }

QString mismatch(const std::string& what, double got, double expected)
{
    return QString("%1: got %2, expected %3").arg(QString::fromStdString(what)).arg(got, 0, 'g', 10).arg(expected, 0, 'g', 10);
}

// Central difference of the naive loss in the float weight `v`: the step is the
// exact difference of the two float values, so only double rounding remains.
double centralDifference(const test::NaiveLoss& naive, float& v, const std::vector<int32_t>& ids, int B, int T)
{
    const float w = v, step = 1e-4f * std::max(1.0f, std::fabs(w));
    v = w + step;
    const double up = naive.loss(ids, B, T);
    const float hi = v;
    v = w - step;
    const double down = naive.loss(ids, B, T);
    const float lo = v;
    v = w;
    return (up - down) / (double(hi) - double(lo));
}

// The index of the largest |x| and `n` random others.
std::vector<size_t> sampleIndices(const std::vector<float>& x, int n, std::mt19937& rng)
{
    std::vector<size_t> idx{size_t(std::max_element(x.begin(), x.end(), [](float a, float b) {
                                       return std::fabs(a) < std::fabs(b);
                                   }) - x.begin())};
    for (int i = 0; i < n; ++i) idx.push_back(rng() % x.size());
    return idx;
}

nlohmann::json readJson(const std::string& rel)
{
    auto text = readTextFile(test::sharedPath(rel));
    if (!text.ok()) qFatal("%s", text.error().toString().c_str());
    return nlohmann::json::parse(*text);
}

Parameters loadParameters(const std::string& rel)
{
    auto m = loadModel(test::sharedPath(rel));
    if (!m.ok()) qFatal("%s", m.error().toString().c_str());
    auto p = parametersFromModel(**m);
    if (!p.ok()) qFatal("%s", p.error().toString().c_str());
    return std::move(p).value();
}

// Golden comparison: |got − ref| <= max(1e-4·|ref|, 1e-7). Tracks the largest
// relative error among values above the floor, and the worst tolerance ratio.
struct Golden {
    double maxRel = 0, worst = 0;
    std::string worstName;
    QStringList failures;
    void check(const std::string& what, double got, double ref)
    {
        const double err = std::fabs(got - ref), tol = std::max(1e-4 * std::fabs(ref), 1e-7);
        if (std::fabs(ref) >= 1e-3) maxRel = std::max(maxRel, err / std::fabs(ref));
        if (err / tol > worst) worst = err / tol, worstName = what;
        if (err > tol) failures << mismatch(what, got, ref);
    }
};

struct Stats {
    double frob = 0, maxAbs = 0;
};
Stats statsOf(const std::vector<float>& g)
{
    Stats s;
    for (float v : g) {
        s.frob += double(v) * v;
        s.maxAbs = std::max(s.maxAbs, double(std::fabs(v)));
    }
    s.frob = std::sqrt(s.frob);
    return s;
}

// Compares every tensor in `ref` except those in `skip`, the loss and the head gates.
void compareGolden(Golden& g, const BackwardResult& r, const nlohmann::json& ref, const std::set<std::string>& skip)
{
    g.check("loss", r.loss, ref["loss"].get<double>());
    const auto& gates = ref["head_gate_grads"];
    QCOMPARE(r.headGateGrads.size(), size_t(40));
    for (size_t l = 0; l < gates.size(); ++l)
        for (size_t h = 0; h < gates[l].size(); ++h)
            g.check("gate " + std::to_string(l) + "." + std::to_string(h), r.headGateGrads[l * 8 + h],
                    gates[l][h].get<double>());
    for (const auto& [name, t] : ref["tensors"].items()) {
        if (skip.count(name)) continue;
        const ParameterTensor* grad = r.grads.find(name);
        QVERIFY2(grad, name.c_str());
        const Stats s = statsOf(grad->values);
        g.check(name + " frobenius", s.frob, t["grad_frobenius"].get<double>());
        g.check(name + " max abs", s.maxAbs, t["grad_max_abs"].get<double>());
        const auto& first = t["grad_first8_row_major"];
        for (size_t i = 0; i < first.size(); ++i)
            g.check(name + "[" + std::to_string(i) + "]", grad->values[i], first[i].get<double>());
    }
}

} // namespace

class TestBackward : public QObject {
    Q_OBJECT
private slots:
    void parametersInitAndRoundTrip()
    {
        ModelConfig c = tinyConfig(0);
        c.nEmbd = 64, c.nHead = 4, c.nHeadKv = 2, c.nVocab = 300, c.nLayer = 3;
        const Parameters a = initParameters(c, 1), b = initParameters(c, 1), d = initParameters(c, 2);
        Model shapes;
        shapes.config = c;
        const auto expected = shapes.expectedTensors();
        QCOMPARE(a.tensors.size(), expected.size());
        int64_t total = 0;
        for (size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(a.tensors[i].name, expected[i].first);
            QCOMPARE(a.tensors[i].shape, expected[i].second);
            QVERIFY(a.tensors[i].values == b.tensors[i].values);
            total += int64_t(a.tensors[i].values.size());
        }
        QCOMPARE(a.count(), total);
        QVERIFY(a.find("token_embd.weight")->values != d.find("token_embd.weight")->values);
        auto sd = [](const std::vector<float>& v) {
            double s = 0;
            for (float x : v) s += double(x) * x;
            return std::sqrt(s / double(v.size()));
        };
        QVERIFY(std::fabs(sd(a.find("token_embd.weight")->values) - 0.02) < 0.0006);  // 19200 draws
        QVERIFY(std::fabs(sd(a.find("blk.0.ffn_up.weight")->values) - 0.02) < 0.001);
        const double residual = 0.02 / std::sqrt(6.0);
        QVERIFY(std::fabs(sd(a.find("blk.2.ffn_down.weight")->values) - residual) < 0.05 * residual);
        QVERIFY(std::fabs(sd(a.find("blk.1.attn_output.weight")->values) - residual) < 0.05 * residual);
        for (float v : a.find("blk.1.ffn_norm.weight")->values) QCOMPARE(v, 1.0f);
        for (float v : a.find("blk.0.attn_k.bias")->values) QCOMPARE(v, 0.0f);

        const Parameters z = a.zerosLike();
        QCOMPARE(z.count(), a.count());
        QCOMPARE(z.tensors[3].name, a.tensors[3].name);
        for (const auto& t : z.tensors)
            QVERIFY(std::all_of(t.values.begin(), t.values.end(), [](float v) { return v == 0.0f; }));
        QVERIFY(a.find("no.such.tensor") == nullptr);

        const auto model = modelFromParameters(a, makeRandomTokenizer(300));
        QVERIFY(model->validate().ok());
        QCOMPARE(model->format, std::string("memory"));
        QCOMPARE(model->tokenizer.tokens.size(), size_t(300));
        auto back = parametersFromModel(*model);
        QVERIFY(back.ok());
        QCOMPARE(back->tensors.size(), a.tensors.size());
        for (size_t i = 0; i < a.tensors.size(); ++i) QVERIFY(back->tensors[i].values == a.tensors[i].values);

        auto broken = modelFromParameters(a, {});
        Model missing;
        missing.config = c;
        for (const auto& t : broken->tensors())
            if (t.name != "blk.1.attn_v.weight") missing.addTensor(t);
        auto err = parametersFromModel(missing);
        QVERIFY(!err.ok());
        QVERIFY(err.error().message.find("blk.1.attn_v.weight") != std::string::npos);
    }

    void gradientsMatchFiniteDifferences_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("T");
        QTest::newRow("llama interleaved GQA qkv-bias untied") << 0 << 6;
        QTest::newRow("llama rotate-half GQA qkv-bias untied") << 1 << 6;
        QTest::newRow("llama interleaved MHA tied") << 2 << 6;
        QTest::newRow("gpt2 tied") << 3 << 6;
        QTest::newRow("gpt2 untied") << 4 << 6;
        QTest::newRow("llama rotate-half GQA, T = 150: three attention blocks") << 1 << 150;
    }
    void gradientsMatchFiniteDifferences()
    {
        QFETCH(int, kind);
        QFETCH(int, T);
        const ModelConfig c = tinyConfig(kind);
        const int B = 2;
        Parameters p = testParameters(c, 11 + uint32_t(kind));
        const auto ids = testTokens(B, T, c.nVocab, 5);
        const BackwardResult r = gradientsOf(p, ids, B, T);
        const test::NaiveLoss naive(p);
        QVERIFY2(close(r.loss, naive.loss(ids, B, T), 1e-5, 0), qPrintable(mismatch("loss", r.loss, naive.loss(ids, B, T))));
        QVERIFY2(r.loss > 2.0, "the test model is too confident to be a test");

        std::mt19937 rng(3);
        QCOMPARE(r.grads.tensors.size(), p.tensors.size());
        double worst = 0;
        int checked = 0;
        for (size_t ti = 0; ti < p.tensors.size(); ++ti) {
            const ParameterTensor& g = r.grads.tensors[ti];
            QCOMPARE(g.name, p.tensors[ti].name);
            QCOMPARE(g.values.size(), p.tensors[ti].values.size());
            QVERIFY2(statsOf(g.values).maxAbs > 1e-4, qPrintable("vanishing gradient of " + QString::fromStdString(g.name)));
            for (size_t i : sampleIndices(g.values, 5, rng)) {
                const double fd = centralDifference(naive, p.tensors[ti].values[i], ids, B, T);
                const double err = std::fabs(g.values[i] - fd) / (1e-3 * std::fabs(fd) + 1e-6);
                worst = std::max(worst, err);
                ++checked;
                QVERIFY2(err <= 1.0, qPrintable(mismatch(g.name + "[" + std::to_string(i) + "]", g.values[i], fd)));
            }
        }
        // Head gates: the naive loss with ξ_h = 1 ± 1e-4.
        QCOMPARE(r.headGateGrads.size(), size_t(c.nLayer) * c.nHead);
        for (size_t h = 0; h < r.headGateGrads.size(); ++h) {
            std::vector<double> gates(r.headGateGrads.size(), 1.0);
            gates[h] = 1 + 1e-4;
            const double up = naive.loss(ids, B, T, &gates);
            gates[h] = 1 - 1e-4;
            const double fd = (up - naive.loss(ids, B, T, &gates)) / 2e-4;
            QVERIFY2(close(r.headGateGrads[h], fd, 1e-3, 1e-6), qPrintable(mismatch("gate " + std::to_string(h), r.headGateGrads[h], fd)));
        }
        qInfo("%d weight coordinates checked, worst error %.3g of the tolerance", checked, worst);
    }

    void linearInputGradsMatchFiniteDifferences_data() { addKindRows(); }
    void linearInputGradsMatchFiniteDifferences()
    {
        QFETCH(int, kind);
        const ModelConfig c = tinyConfig(kind);
        const int B = 2, T = 5;
        const Parameters p = testParameters(c, 21 + uint32_t(kind));
        const auto ids = testTokens(B, T, c.nVocab, 8);
        const BackwardResult r = gradientsOf(p, ids, B, T);
        const test::NaiveLoss naive(p);
        std::set<std::string> expected{c.tiedOutput ? "token_embd.weight" : "output.weight"};
        for (int l = 0; l < c.nLayer; ++l) {
            const std::string b = "blk." + std::to_string(l) + ".";
            for (const char* n : c.arch == Arch::Gpt2 ? std::vector<const char*>{"attn_qkv", "attn_output", "ffn_up", "ffn_down"}
                                                      : std::vector<const char*>{"attn_q", "attn_k", "attn_v", "attn_output",
                                                                                 "ffn_gate", "ffn_up", "ffn_down"})
                expected.insert(b + n + ".weight");
        }
        std::set<std::string> got;
        for (const auto& [name, g] : r.linearInputGrads) got.insert(name);
        QVERIFY(got == expected);
        std::mt19937 rng(4);
        for (const auto& [name, g] : r.linearInputGrads) {
            const int64_t K = p.find(name)->shape[1];
            QCOMPARE(int64_t(g.size()), int64_t(B) * T * K);
            for (size_t i : sampleIndices(g, 3, rng)) {
                test::InputNudge n{name, int64_t(i) / K, int64_t(i) % K, 1e-4};
                const double up = naive.loss(ids, B, T, nullptr, &n);
                n.delta = -1e-4;
                const double fd = (up - naive.loss(ids, B, T, nullptr, &n)) / 2e-4;
                QVERIFY2(close(g[i], fd, 1e-3, 1e-6), qPrintable(mismatch(name + "[" + std::to_string(i) + "]", g[i], fd)));
            }
        }
    }

    void lossOnlyMatchesEngine_data() { addKindRows(); }
    void lossOnlyMatchesEngine()
    {
        QFETCH(int, kind);
        ModelConfig c = tinyConfig(kind);
        c.nVocab = 300, c.nEmbd = 32, c.nCtx = 24;
        const int B = 3, T = 20;
        const auto model = makeRandomModel(c, 9, 0.2f);
        auto engine = Engine::create(model);
        QVERIFY(engine.ok());
        const auto ids = testTokens(B, T, c.nVocab, 2);
        // Mean NLL from the engine's logits, one sequence at a time, in double.
        double sum = 0;
        for (int b = 0; b < B; ++b) {
            const std::span<const int32_t> seq(ids.data() + b * (T + 1), size_t(T));
            auto logits = (*engine)->forward(seq);
            QVERIFY(logits.ok());
            for (int t = 0; t < T; ++t) {
                const float* l = logits->data() + size_t(t) * c.nVocab;
                double mx = *std::max_element(l, l + c.nVocab), s = 0;
                for (int j = 0; j < c.nVocab; ++j) s += std::exp(l[j] - mx);
                sum += mx + std::log(s) - l[ids[size_t(b) * (T + 1) + t + 1]];
            }
        }
        const double engineLoss = sum / (B * T);
        auto p = parametersFromModel(*model);
        QVERIFY(p.ok());
        auto loss = lossOnly(*p, ids, B, T);
        QVERIFY(loss.ok());
        QVERIFY2(close(*loss, engineLoss, 2e-6, 0), qPrintable(mismatch("lossOnly", *loss, engineLoss)));
        QVERIFY(close(gradientsOf(*p, ids, B, T, {}).loss, *loss, 1e-6, 0));
        QVERIFY2(std::fabs(engineLoss - std::log(300.0)) > 0.1, "the test model is too flat to be a test");
    }

    // A pass started at the first layer its overrides change, from the original's residual
    // cache, gives the full pass's loss and logits bit for bit.
    void passFromResidualCacheIsExact_data() { addKindRows(); }
    void passFromResidualCacheIsExact()
    {
        QFETCH(int, kind);
        ModelConfig c = tinyConfig(kind);
        c.nLayer = 3;
        const int B = 2, T = 10;
        const auto model = makeRandomModel(c, 17, 0.2f);
        auto p = parametersFromModel(*model);
        QVERIFY(p.ok());
        const auto ids = testTokens(B, T, c.nVocab, 5);
        ResidualCache cache;
        auto base = lossAndLogits(*p, ids, B, T, {}, nullptr, &cache);
        QVERIFY(base.ok());
        QCOMPARE(cache.inputs.size(), size_t(c.nLayer + 1));
        QCOMPARE(cache.inputs[1].size() * sizeof(float), residualCacheBytes(c, B, T) / (c.nLayer + 1));
        // Perturbed copies of tensors in block 1, block 2, the output norm and (start 0) the token embeddings.
        std::vector<std::vector<float>> values;
        std::vector<std::string> names;
        const std::string kindName = c.arch == Arch::Llama ? "ffn_down" : "ffn_up";
        for (const std::string& n : {"blk.1." + kindName + ".weight", std::string("blk.2.attn_output.weight"),
                                     std::string("output_norm.weight"), std::string("token_embd.weight")}) {
            const ParameterTensor* t = p->find(n);
            QVERIFY2(t, n.c_str());
            std::vector<float> v = t->values;
            for (size_t i = 0; i < v.size(); i += 3) v[i] *= 1.25f;
            values.push_back(std::move(v));
            names.push_back(n);
        }
        const int expectedStart[] = {1, 2, c.nLayer, 0};
        for (size_t i = 0; i < names.size(); ++i) {
            const std::vector<TensorOverride> o = {{names[i], values[i].data()}};
            QCOMPARE(firstChangedLayer(c, o), expectedStart[i]);
            auto full = lossAndLogits(*p, ids, B, T, o);
            auto resumed = lossAndLogits(*p, ids, B, T, o, nullptr, nullptr, &cache);
            QVERIFY(full.ok() && resumed.ok());
            QVERIFY2(full->loss != base->loss, names[i].c_str());  // the override changes something
            QCOMPARE(resumed->loss, full->loss);
            QVERIFY(resumed->logits == full->logits);
        }
        // Two overrides: the pass starts at the earlier one.
        const std::vector<TensorOverride> two = {{names[1], values[1].data()}, {names[0], values[0].data()}};
        QCOMPARE(firstChangedLayer(c, two), 1);
        QCOMPARE(lossAndLogits(*p, ids, B, T, two, nullptr, nullptr, &cache)->loss, lossAndLogits(*p, ids, B, T, two)->loss);
        // A cache of another shape is refused, not used.
        auto wrong = lossAndLogits(*p, testTokens(B, T - 2, c.nVocab, 5), B, T - 2,
                                   std::vector<TensorOverride>{{names[0], values[0].data()}}, nullptr, nullptr, &cache);
        QVERIFY(!wrong.ok());
        QVERIFY(wrong.error().message.find("residual cache") != std::string::npos);
    }

    void batchGradientIsMeanOfSequences_data() { addKindRows(); }
    void batchGradientIsMeanOfSequences()
    {
        QFETCH(int, kind);
        const ModelConfig c = tinyConfig(kind);
        const int B = 3, T = 7;
        const Parameters p = testParameters(c, 31);
        const auto ids = testTokens(B, T, c.nVocab, 6);
        const BackwardResult all = gradientsOf(p, ids, B, T);
        std::vector<BackwardResult> one;
        for (int b = 0; b < B; ++b)
            one.push_back(gradientsOf(p, std::vector<int32_t>(ids.begin() + b * (T + 1), ids.begin() + (b + 1) * (T + 1)), 1, T));
        QVERIFY(close(all.loss, (one[0].loss + one[1].loss + one[2].loss) / 3, 1e-6, 0));
        for (size_t ti = 0; ti < all.grads.tensors.size(); ++ti) {
            const auto& g = all.grads.tensors[ti].values;
            const double scale = statsOf(g).maxAbs;
            for (size_t i = 0; i < g.size(); ++i) {
                const double mean = (double(one[0].grads.tensors[ti].values[i]) + one[1].grads.tensors[ti].values[i] +
                                     one[2].grads.tensors[ti].values[i]) / 3;
                QVERIFY2(std::fabs(g[i] - mean) <= 1e-5 * scale + 1e-9, qPrintable(mismatch(all.grads.tensors[ti].name, g[i], mean)));
            }
        }
        for (size_t h = 0; h < all.headGateGrads.size(); ++h)
            QVERIFY(close(all.headGateGrads[h], (one[0].headGateGrads[h] + one[1].headGateGrads[h] + one[2].headGateGrads[h]) / 3, 1e-5, 1e-9));
        // Per-token input gradients: row (b, t) of the batch is the sequence's row / B.
        for (const auto& [name, g] : all.linearInputGrads) {
            const size_t per = g.size() / B;
            const double scale = statsOf(g).maxAbs;
            for (int b = 0; b < B; ++b)
                for (size_t i = 0; i < per; ++i)
                    QVERIFY2(std::fabs(g[b * per + i] - one[size_t(b)].linearInputGrads.at(name)[i] / B) <= 1e-5 * scale,
                             name.c_str());
        }
    }

    void resultsDoNotDependOnThreadCount()
    {
        ModelConfig c = tinyConfig(0);
        c.nEmbd = 128, c.nHead = 8, c.nHeadKv = 2, c.nFf = 320, c.nVocab = 300, c.nCtx = 64;
        const int B = 3, T = 64;
        const Parameters p = testParameters(c, 41);
        const auto ids = testTokens(B, T, c.nVocab, 7);
        BackwardResult r1, r2;
        {
            ThreadLimit one(1);
            r1 = gradientsOf(p, ids, B, T);
        }
        {
            ThreadLimit two(2);
            r2 = gradientsOf(p, ids, B, T);
        }
        QCOMPARE(r1.loss, r2.loss);
        QVERIFY(r1.headGateGrads == r2.headGateGrads);
        for (size_t i = 0; i < r1.grads.tensors.size(); ++i)
            QVERIFY2(r1.grads.tensors[i].values == r2.grads.tensors[i].values, r1.grads.tensors[i].name.c_str());
    }

    void workspaceGivesTheSameResults()
    {
        const ModelConfig c = tinyConfig(0);
        const Parameters p = testParameters(c, 51);
        BackwardWorkspace ws;
        // Large batch first, then a smaller one in the grown buffer, then a larger one again.
        for (auto [B, T] : {std::pair{3, 9}, std::pair{1, 4}, std::pair{4, 11}}) {
            const auto ids = testTokens(B, T, c.nVocab, uint32_t(B * 100 + T));
            const BackwardResult fresh = gradientsOf(p, ids, B, T);
            const BackwardResult reused = gradientsOf(p, ids, B, T, options(true, true, &ws));
            QVERIFY(ws.bytes() > 0);
            QCOMPARE(reused.loss, fresh.loss);
            QVERIFY(reused.headGateGrads == fresh.headGateGrads);
            QVERIFY(reused.linearInputGrads == fresh.linearInputGrads);
            for (size_t i = 0; i < fresh.grads.tensors.size(); ++i)
                QVERIFY(reused.grads.tensors[i].values == fresh.grads.tensors[i].values);
        }
        ws.release();
        QCOMPARE(ws.bytes(), size_t(0));
    }

    // Streamed block gradients (BackwardOptions::blockGrads): every tensor handed
    // over once, blocks last first, equal bit for bit to the kept gradients; the
    // result then keeps only the tensors outside blocks.
    void streamedBlockGradientsEqualKept_data() { addKindRows(); }
    void streamedBlockGradientsEqualKept()
    {
        QFETCH(int, kind);
        const ModelConfig c = tinyConfig(kind);
        const Parameters p = testParameters(c, 61);
        const int B = 2, T = 7;
        const auto ids = testTokens(B, T, c.nVocab, 7);
        const BackwardResult kept = gradientsOf(p, ids, B, T);
        std::map<std::string, std::vector<float>> streamed;
        std::vector<std::string> order;
        BackwardOptions o;
        o.headGates = true;
        o.blockGrads = [&](const std::string& name, const float* g, size_t n) {
            QVERIFY2(!streamed.count(name), name.c_str());
            streamed[name].assign(g, g + n);
            order.push_back(name);
        };
        auto r = lossAndGradients(p, ids, B, T, o);
        QVERIFY(r.ok());
        QCOMPARE(r->loss, kept.loss);
        QVERIFY(r->headGateGrads == kept.headGateGrads);
        QCOMPARE(streamed.size(), kept.grads.tensors.size());
        for (const ParameterTensor& g : kept.grads.tensors) {
            QVERIFY2(streamed.at(g.name) == g.values, g.name.c_str());
            const ParameterTensor* left = r->grads.find(g.name);
            QVERIFY(left && left->shape == g.shape);
            QCOMPARE(left->values.empty(), g.name.rfind("blk.", 0) == 0);
        }
        QVERIFY(order.front().rfind("blk." + std::to_string(c.nLayer - 1) + ".", 0) == 0);  // last block first
        QVERIFY(order.back().rfind("blk.", 0) != 0);                                       // then the others
    }

    // Weights as stored (storedParameters): the block tensors stay in the model —
    // F32 read in place from a memory-mapped GGUF file, F16 decoded block by block
    // — and every pass gives the same results bit for bit as the fp32 copy.
    void storedWeightsGiveTheSameResults_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("f16");
        for (int kind : {0, 2, 3})
            for (bool f16 : {false, true})
                QTest::newRow(qPrintable(QString("kind %1 %2").arg(kind).arg(f16 ? "F16" : "F32"))) << kind << f16;
    }
    void storedWeightsGiveTheSameResults()
    {
        QFETCH(int, kind);
        QFETCH(bool, f16);
        ModelConfig c = tinyConfig(kind);
        c.nLayer = 3;
        const std::shared_ptr<const Model> f32 = makeRandomModel(c, 71, 0.2f);
        const std::shared_ptr<const Model> model = f16 ? makeRandomModel(c, 71, 0.2f, DType::F16) : f32;
        const std::string path = test::scratchDir("stored_weights") + "/m.gguf";
        QVERIFY(gguf::writeModel(*model, path).ok());
        auto file = loadModel(path);
        QVERIFY2(file.ok(), file.ok() ? "" : file.error().toString().c_str());
        auto held = parametersFromModel(**file);
        auto stored = storedParameters(**file);
        QVERIFY(held.ok() && stored.ok());
        QCOMPARE(stored->count(), held->count());
        for (size_t i = 0; i < stored->tensors.size(); ++i) {
            const ParameterTensor& t = stored->tensors[i];
            const bool block = t.name.rfind("blk.", 0) == 0;
            QCOMPARE(stored->isStored(i), block);  // no fp32 copy of a block tensor is held
            auto v = TensorValues::of(*stored, i);
            QVERIFY(v.ok());
            QVERIFY2(std::equal(v->data(), v->data() + v->size(), held->tensors[i].values.begin(),
                                held->tensors[i].values.end()),
                     t.name.c_str());
            // The F16 model holds the F32 model's values rounded to F16 (2-D weights; norms stay F32).
            const Tensor* src = f32->find(t.name);
            const float* x = reinterpret_cast<const float*>(src->data);
            const bool rounded = f16 && t.shape.size() == 2;
            QCOMPARE(model->find(t.name)->dtype, rounded ? DType::F16 : DType::F32);
            for (size_t k = 0; k < v->size(); ++k)
                QVERIFY2(v->data()[k] == (rounded ? fp16ToFloat(floatToFp16(x[k])) : x[k]), t.name.c_str());
        }
        const int B = 2, T = 9;
        const auto ids = testTokens(B, T, c.nVocab, 8);
        // Kept gradients, head gates and linear-input gradients.
        const BackwardResult a = gradientsOf(*held, ids, B, T), b = gradientsOf(*stored, ids, B, T);
        QCOMPARE(b.loss, a.loss);
        QVERIFY(b.headGateGrads == a.headGateGrads);
        QVERIFY(b.linearInputGrads == a.linearInputGrads);
        for (size_t i = 0; i < a.grads.tensors.size(); ++i)
            QVERIFY2(b.grads.tensors[i].values == a.grads.tensors[i].values, a.grads.tensors[i].name.c_str());
        // Streamed block gradients.
        std::map<std::string, std::vector<float>> streamed;
        BackwardOptions o;
        o.blockGrads = [&](const std::string& name, const float* g, size_t n) { streamed[name].assign(g, g + n); };
        auto r = lossAndGradients(*stored, ids, B, T, o);
        QVERIFY(r.ok());
        QCOMPARE(r->loss, a.loss);
        for (const ParameterTensor& g : a.grads.tensors) QVERIFY2(streamed.at(g.name) == g.values, g.name.c_str());
        // Forward passes with an override of a block tensor, from the residual cache too.
        QCOMPARE(*lossOnly(*stored, ids, B, T), *lossOnly(*held, ids, B, T));
        const std::string name = "blk.1.attn_output.weight";
        std::vector<float> changed = held->find(name)->values;
        for (size_t i = 0; i < changed.size(); i += 2) changed[i] = -changed[i];
        const std::vector<TensorOverride> over = {{name, changed.data()}};
        ResidualCache cacheHeld, cacheStored;
        auto baseHeld = lossAndLogits(*held, ids, B, T, {}, nullptr, &cacheHeld);
        auto baseStored = lossAndLogits(*stored, ids, B, T, {}, nullptr, &cacheStored);
        QVERIFY(baseHeld.ok() && baseStored.ok());
        QVERIFY(baseStored->logits == baseHeld->logits);
        QVERIFY(cacheStored.inputs == cacheHeld.inputs);
        auto x = lossAndLogits(*held, ids, B, T, over), y = lossAndLogits(*stored, ids, B, T, over);
        auto z = lossAndLogits(*stored, ids, B, T, over, nullptr, nullptr, &cacheStored);
        QVERIFY(x.ok() && y.ok() && z.ok());
        QVERIFY(x->loss != baseHeld->loss);
        QVERIFY(y->logits == x->logits);
        QVERIFY(z->logits == x->logits);
    }

    // A block tensor that cannot be decoded is refused when the parameters are made, by name.
    void storedWeightsRefuseUndecodableTensors()
    {
        const ModelConfig c = tinyConfig(0);
        auto m = makeRandomModel(c, 72, 0.2f);
        Model bad;
        bad.path = "bad.gguf", bad.config = m->config;
        for (const Tensor& t : m->tensors()) {
            Tensor x = t;
            if (t.name == "blk.1.ffn_up.weight") x.dtype = DType::I32;
            bad.addTensor(std::move(x));
        }
        auto p = storedParameters(bad);
        QVERIFY(!p.ok());
        QVERIFY2(p.error().toString().find("blk.1.ffn_up.weight") != std::string::npos, p.error().toString().c_str());
        QVERIFY2(p.error().toString().find("bad.gguf") != std::string::npos, p.error().toString().c_str());
    }

    void rejectsBadInput()
    {
        const ModelConfig c = tinyConfig(3);  // GPT-2, n_ctx 12
        Parameters p = testParameters(c, 1);
        auto code = [&](const Parameters& q, const std::vector<int32_t>& ids, int B, int T) {
            auto r = lossAndGradients(q, ids, B, T);
            auto l = lossOnly(q, ids, B, T);
            if (r.ok() || l.ok()) return std::pair<ErrorCode, std::string>(ErrorCode::Internal, "accepted");
            return std::pair(r.error().code, r.error().toString());
        };
        auto ids = testTokens(2, 4, c.nVocab, 1);
        QCOMPARE(code(p, ids, 2, 5).first, ErrorCode::InvalidArgument);  // 10 ids for B·(T+1) = 12
        QCOMPARE(code(p, {}, 0, 4).first, ErrorCode::InvalidArgument);
        QCOMPARE(code(p, {1}, 1, 0).first, ErrorCode::InvalidArgument);
        ids[7] = c.nVocab;
        auto bad = code(p, ids, 2, 4);
        QCOMPARE(bad.first, ErrorCode::InvalidArgument);
        QVERIFY2(bad.second.find("token id 37 at (sequence 1, position 2)") != std::string::npos, bad.second.c_str());
        ids[7] = -1;
        QCOMPARE(code(p, ids, 2, 4).first, ErrorCode::InvalidArgument);
        const auto longIds = testTokens(1, 13, c.nVocab, 1);
        bad = code(p, longIds, 1, 13);
        QVERIFY2(bad.second.find("n_ctx") != std::string::npos, bad.second.c_str());

        ids = testTokens(2, 4, c.nVocab, 1);
        Parameters shaped = p;
        shaped.find("blk.1.ffn_up.weight")->shape = {41, 16};
        bad = code(shaped, ids, 2, 4);
        QVERIFY2(bad.second.find("blk.1.ffn_up.weight") != std::string::npos, bad.second.c_str());
        Parameters truncated = p;
        truncated.find("blk.0.attn_qkv.bias")->values.pop_back();
        bad = code(truncated, ids, 2, 4);
        QVERIFY2(bad.second.find("blk.0.attn_qkv.bias") != std::string::npos, bad.second.c_str());
        Parameters missing = p;
        missing.tensors.erase(missing.tensors.begin() + 3);
        QVERIFY(code(missing, ids, 2, 4).first == ErrorCode::Format);

        CancelToken cancel;
        cancel.cancel();
        auto r = lossAndGradients(p, ids, 2, 4, {}, &cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        QCOMPARE(lossOnly(p, ids, 2, 4, &cancel).error().code, ErrorCode::Cancelled);
        QVERIFY(lossOnly(p, ids, 2, 4).ok());
    }

    // PyTorch float64 gradients (../shared/reference/stories260K-grads.json).
    void goldenStories260K()
    {
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        PRECIS_REQUIRE_SHARED("reference/stories260K-grads.json");
        const auto ref = readJson("reference/stories260K-grads.json");
        const Parameters p = loadParameters("data/models/stories260K.gguf");
        QVERIFY(!p.config.tiedOutput);  // the file has output.weight: its own gradient, as the reference
        QCOMPARE(p.config.ropeLayout, RopeLayout::Interleaved);
        const auto ids = ref["ids"].get<std::vector<int32_t>>();
        QCOMPARE(ids.size(), size_t(21));
        const BackwardResult r = gradientsOf(p, ids, 1, 20, options(true, false));
        QCOMPARE(r.grads.tensors.size(), ref["tensors"].size());
        Golden g;
        compareGolden(g, r, ref, {});
        auto loss = lossOnly(p, ids, 1, 20);
        QVERIFY(loss.ok());
        g.check("lossOnly", *loss, ref["loss"].get<double>());
        qInfo("stories260K.gguf: loss %.9f (reference %.9f); max relative error %.3g over values >= 1e-3, "
              "worst %.3g of the tolerance (%s)",
              r.loss, ref["loss"].get<double>(), g.maxRel, g.worst, g.worstName.c_str());
        QVERIFY2(g.failures.isEmpty(), qPrintable(g.failures.mid(0, 10).join("\n")));
    }

    // The same model as an HF folder: rotate-half layout, q/k rows in HF order,
    // tied embeddings. Asserts loss, head gates and every tensor but
    // token_embd against the reference (Frobenius norm and max are invariant
    // under the row permutation, and row 0 — holding the first 8 values — maps
    // to row 0); then q/k elementwise after the permutation, and the tied
    // token_embd gradient as the sum of GGUF's token_embd and output gradients.
    void goldenStories260KHf()
    {
        PRECIS_REQUIRE_SHARED("data/models/stories260K-hf/config.json");
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        PRECIS_REQUIRE_SHARED("reference/stories260K-grads.json");
        const auto ref = readJson("reference/stories260K-grads.json");
        const Parameters hf = loadParameters("data/models/stories260K-hf");
        QVERIFY(hf.config.tiedOutput);
        QCOMPARE(hf.config.ropeLayout, RopeLayout::RotateHalf);
        const auto ids = ref["ids"].get<std::vector<int32_t>>();
        const BackwardResult r = gradientsOf(hf, ids, 1, 20, options(true, false));
        Golden g;
        compareGolden(g, r, ref, {"token_embd.weight", "output.weight"});
        qInfo("stories260K-hf: max relative error %.3g over values >= 1e-3, worst %.3g of the tolerance (%s)", g.maxRel,
              g.worst, g.worstName.c_str());
        QVERIFY2(g.failures.isEmpty(), qPrintable(g.failures.mid(0, 10).join("\n")));

        const BackwardResult gg = gradientsOf(loadParameters("data/models/stories260K.gguf"), ids, 1, 20, {});
        const int hd = hf.config.headDim();
        for (const char* kind : {"attn_q", "attn_k"})
            for (int l = 0; l < hf.config.nLayer; ++l) {
                const std::string name = "blk." + std::to_string(l) + "." + kind + ".weight";
                const auto& a = r.grads.find(name)->values;
                const auto& b = gg.grads.find(name)->values;
                const int64_t cols = hf.config.nEmbd, rows = int64_t(a.size()) / cols;
                const double scale = statsOf(b).maxAbs;
                for (int64_t row = 0; row < rows; ++row) {
                    // HF row h·hd + i + s·hd/2 is GGUF row h·hd + 2i + s.
                    const int64_t h = row / hd, j = row % hd, i = j % (hd / 2), s = j / (hd / 2);
                    const int64_t src = h * hd + 2 * i + s;
                    for (int64_t col = 0; col < cols; ++col)
                        QVERIFY2(std::fabs(a[size_t(row * cols + col)] - b[size_t(src * cols + col)]) <= 1e-5 * scale,
                                 name.c_str());
                }
            }
        const auto& tied = r.grads.find("token_embd.weight")->values;
        const auto& te = gg.grads.find("token_embd.weight")->values;
        const auto& out = gg.grads.find("output.weight")->values;
        const double scale = statsOf(out).maxAbs;
        for (size_t i = 0; i < tied.size(); ++i) QVERIFY(std::fabs(tied[i] - (te[i] + out[i])) <= 1e-5 * scale);
    }
};

QTEST_GUILESS_MAIN(TestBackward)
#include "tst_backward.moc"
