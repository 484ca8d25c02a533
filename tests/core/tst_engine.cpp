// fp32 engine: forward against an independent naive implementation on
// generated models, RoPE layouts, KV-cache decoding, attention maps, input
// errors, the random-model generator; golden logits of real models (../shared).
#include "common/half.h"
#include "common/mapped_file.h"
#include "common/threads.h"
#include "engine/engine.h"
#include "engine/kv_cache.h"
#include "engine_reference.h"
#include "eval/perplexity.h"
#include "formats/gguf.h"
#include "formats/model_loader.h"
#include "model/random_model.h"
#include "test_support.h"

#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

using namespace precis;

namespace {

ModelConfig llamaConfig(RopeLayout layout, int nHeadKv, bool qkvBias, bool tied)
{
    ModelConfig c;
    c.arch = Arch::Llama;
    c.nLayer = 2;
    c.nEmbd = 32;
    c.nHead = 4;
    c.nHeadKv = nHeadKv;
    c.nFf = 48;
    c.nVocab = 300;
    c.nCtx = 64;
    c.ropeLayout = layout;
    c.qkvBias = qkvBias;
    c.tiedOutput = tied;
    return c;
}

ModelConfig gpt2Config()
{
    ModelConfig c;
    c.arch = Arch::Gpt2;
    c.nLayer = 2;
    c.nEmbd = 32;
    c.nHead = 4;
    c.nHeadKv = 4;
    c.nFf = 128;
    c.nVocab = 300;
    c.nCtx = 24;
    c.tiedOutput = true;
    return c;
}

// Weights of std 0.2 make attention and logits far from uniform, so mistakes show.
std::unique_ptr<Engine> makeEngine(const ModelConfig& c, uint64_t seed = 7)
{
    auto e = Engine::create(makeRandomModel(c, seed, 0.2f));
    if (!e.ok()) qFatal("%s", e.error().toString().c_str());
    return std::move(e).value();
}

std::vector<int32_t> someIds(int n, int vocab, int salt = 0)
{
    std::vector<int32_t> ids;
    for (int i = 0; i < n; ++i) ids.push_back(int32_t((i * 37 + salt * 11 + 5) % vocab));
    return ids;
}

double maxAbsDiff(const float* a, const float* b, size_t n)
{
    double d = 0;
    for (size_t i = 0; i < n; ++i) d = std::max(d, double(std::fabs(a[i] - b[i])));
    return d;
}

nlohmann::json readJson(const std::string& rel)
{
    auto text = readTextFile(test::sharedPath(rel));
    if (!text.ok()) qFatal("%s", text.error().toString().c_str());
    return nlohmann::json::parse(*text);
}

void addConfigRows()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("llama interleaved GQA tied") << 0;
    QTest::newRow("llama rotate-half GQA qkv-bias untied") << 1;
    QTest::newRow("llama interleaved MHA qkv-bias untied") << 2;
    QTest::newRow("llama rotate-half MQA tied") << 3;
    QTest::newRow("gpt2") << 4;
}

ModelConfig configOfKind(int kind)
{
    switch (kind) {
    case 0: return llamaConfig(RopeLayout::Interleaved, 2, false, true);
    case 1: return llamaConfig(RopeLayout::RotateHalf, 2, true, false);
    case 2: return llamaConfig(RopeLayout::Interleaved, 4, true, false);
    case 3: return llamaConfig(RopeLayout::RotateHalf, 1, false, true);
    default: return gpt2Config();
    }
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT
private slots:
    void randomModelIsValidAndDeterministic()
    {
        for (int kind = 0; kind < 5; ++kind) {
            const ModelConfig c = configOfKind(kind);
            auto a = makeRandomModel(c, 1), b = makeRandomModel(c, 1), d = makeRandomModel(c, 2);
            QVERIFY2(a->validate().ok(), a->validate().ok() ? "" : a->validate().error().toString().c_str());
            QCOMPARE(a->tensors().size(), a->expectedTensors().size());
            for (size_t i = 0; i < a->tensors().size(); ++i) {
                const Tensor& ta = a->tensors()[i];
                QCOMPARE(ta.dtype, DType::F32);
                QCOMPARE(std::memcmp(ta.data, b->tensors()[i].data, ta.nbytes), 0);
                QVERIFY(std::memcmp(ta.data, d->tensors()[i].data, ta.nbytes) != 0);
            }
        }
        // Statistics of a large tensor: mean 0, std 0.02, bounded by 2·√3·σ; norms around 1.
        ModelConfig c = llamaConfig(RopeLayout::Interleaved, 2, false, false);
        c.nVocab = 4000;
        c.nEmbd = 256;
        c.nHead = 8;
        auto m = makeRandomModel(c, 3);
        const Tensor* t = m->find("output.weight");
        const float* p = reinterpret_cast<const float*>(t->data);
        double s = 0, ss = 0, mx = 0;
        for (int64_t i = 0; i < t->numel(); ++i) {
            s += p[i];
            ss += double(p[i]) * p[i];
            mx = std::max(mx, double(std::fabs(p[i])));
        }
        const double mean = s / double(t->numel()), sd = std::sqrt(ss / double(t->numel()) - mean * mean);
        QVERIFY(std::fabs(mean) < 1e-4);
        QVERIFY(std::fabs(sd - 0.02) < 2e-4);
        QVERIFY(mx <= 0.02 * 2 * std::sqrt(3.0) + 1e-6);
        const float* norm = reinterpret_cast<const float*>(m->find("blk.1.ffn_norm.weight")->data);
        QVERIFY(norm[0] > 0.9f && norm[0] < 1.1f && norm[0] != 1.0f);
    }
    void randomTokenizerSpec()
    {
        const TokenizerSpec s = makeRandomTokenizer(1000);
        QCOMPARE(s.kind, TokenizerKind::SentencePiece);
        QCOMPARE(int(s.tokens.size()), 1000);
        QCOMPARE(s.tokens[1], std::string("<s>"));
        QCOMPARE(s.tokens[2], std::string("</s>"));
        QCOMPARE(s.tokens[3], std::string("<0x00>"));
        QCOMPARE(s.tokens[258], std::string("<0xFF>"));
        QCOMPARE(s.types[100], TokenType::Byte);
        QCOMPARE(s.tokens[259], std::string("\xE2\x96\x81"));
        QCOMPARE(s.bos, 1);
        QCOMPARE(s.eos, 2);
        for (size_t i = 260; i < s.scores.size(); ++i) QVERIFY(s.scores[i] < s.scores[i - 1]);
        const std::set<std::string> unique(s.tokens.begin(), s.tokens.end());
        QCOMPARE(unique.size(), s.tokens.size());
        QCOMPARE(makeRandomTokenizer(258).kind, TokenizerKind::None);
        QCOMPARE(int(makeRandomTokenizer(40000).tokens.size()), 40000);
    }

    void forwardMatchesNaive_data() { addConfigRows(); }
    void forwardMatchesNaive()
    {
        QFETCH(int, kind);
        const ModelConfig c = configOfKind(kind);
        auto model = makeRandomModel(c, 11, 0.2f);
        auto engine = Engine::create(model);
        QVERIFY(engine.ok());
        const auto ids = someIds(13, c.nVocab, kind);
        auto logits = (*engine)->forward(ids);
        QVERIFY(logits.ok());
        const test::Vec ref = test::NaiveTransformer(*model).forward(ids);
        QCOMPARE(logits->size(), ref.size());
        double maxDiff = 0, maxRef = 0;
        for (size_t i = 0; i < ref.size(); ++i) {
            maxDiff = std::max(maxDiff, std::fabs((*logits)[i] - ref[i]));
            maxRef = std::max(maxRef, std::fabs(ref[i]));
        }
        QVERIFY2(maxRef > 1.0, "the test model's logits are too flat to be a test");
        QVERIFY2(maxDiff < 1e-4, qPrintable(QString("max |engine - naive| = %1").arg(maxDiff)));
    }

    void attentionMapsAreCausalAndMatchNaive_data() { addConfigRows(); }
    void attentionMapsAreCausalAndMatchNaive()
    {
        QFETCH(int, kind);
        const ModelConfig c = configOfKind(kind);
        auto model = makeRandomModel(c, 5, 0.2f);
        auto engine = Engine::create(model);
        QVERIFY(engine.ok());
        const auto ids = someIds(9, c.nVocab, kind);
        AttentionMaps maps;
        QVERIFY((*engine)->forward(ids, &maps).ok());
        QCOMPARE(maps.nLayer, c.nLayer);
        QCOMPARE(maps.nHead, c.nHead);
        QCOMPARE(maps.nTokens, 9);
        test::Vec ref;
        test::NaiveTransformer(*model).forward(ids, &ref);
        QCOMPARE(maps.probs.size(), ref.size());
        for (int l = 0; l < c.nLayer; ++l)
            for (int h = 0; h < c.nHead; ++h) {
                const float* m = maps.map(l, h);
                for (int t = 0; t < 9; ++t) {
                    double sum = 0;
                    for (int j = 0; j < 9; ++j) {
                        const float p = m[t * 9 + j];
                        if (j > t) QCOMPARE(p, 0.0f);
                        QVERIFY(p >= 0.0f);
                        sum += p;
                        QVERIFY(std::fabs(p - ref[((size_t(l) * c.nHead + h) * 9 + t) * 9 + j]) < 1e-5);
                    }
                    QVERIFY(std::fabs(sum - 1.0) < 1e-5);
                }
            }
    }

    void ropeLayoutsAreEquivalent()
    {
        // An interleaved model and the same model with q/k rows of each head
        // permuted into rotate-half order (row 2i -> i, 2i+1 -> i + hd/2, as HF
        // -> GGUF conversion does in reverse) compute identical logits.
        for (bool bias : {false, true}) {
            const ModelConfig c = llamaConfig(RopeLayout::Interleaved, 2, bias, false);
            auto inter = makeRandomModel(c, 21, 0.2f);
            auto half = std::make_shared<Model>();
            half->config = c;
            half->config.ropeLayout = RopeLayout::RotateHalf;
            const int hd = c.headDim();
            for (const Tensor& t : inter->tensors()) {
                const float* src = reinterpret_cast<const float*>(t.data);
                std::vector<float> v(src, src + t.numel());
                const bool permute = t.name.find("attn_q.") != std::string::npos || t.name.find("attn_k.") != std::string::npos;
                if (permute) {
                    const int64_t cols = t.shape.size() == 2 ? t.shape[1] : 1;
                    for (int64_t h = 0; h < t.shape[0] / hd; ++h)
                        for (int i = 0; i < hd / 2; ++i)
                            for (int s = 0; s < 2; ++s) {
                                const int64_t from = h * hd + 2 * i + s, to = h * hd + i + s * hd / 2;
                                std::copy(src + from * cols, src + (from + 1) * cols, v.begin() + to * cols);
                            }
                }
                half->addTensor(makeOwnedF32Tensor(t.name, t.shape, std::move(v)));
            }
            auto e1 = Engine::create(inter);
            auto e2 = Engine::create(half);
            QVERIFY(e1.ok() && e2.ok());
            const auto ids = someIds(11, c.nVocab);
            auto l1 = (*e1)->forward(ids);
            auto l2 = (*e2)->forward(ids);
            QVERIFY(l1.ok() && l2.ok());
            QVERIFY(maxAbsDiff(l1->data(), l2->data(), l1->size()) < 1e-5);
            // And the layouts do differ: the permuted model read as interleaved does not match.
            half->config.ropeLayout = RopeLayout::Interleaved;
            auto e3 = Engine::create(half);
            auto l3 = (*e3)->forward(ids);
            QVERIFY(maxAbsDiff(l1->data(), l3->data(), l1->size()) > 1e-2);
        }
    }

    void kvCacheDecodeMatchesPrefill_data() { addConfigRows(); }
    void kvCacheDecodeMatchesPrefill()
    {
        QFETCH(int, kind);
        const ModelConfig c = configOfKind(kind);
        auto engine = makeEngine(c);
        const auto ids = someIds(15, c.nVocab, kind);
        const size_t V = size_t(c.nVocab);
        auto full = engine->forward(ids);
        QVERIFY(full.ok());

        // Token by token after a 1-token prefill.
        auto state = engine->newState(20);
        QVERIFY(state.ok());
        auto first = engine->prefill(**state, std::span(ids).first(1));
        QVERIFY(first.ok());
        QCOMPARE(first->size(), V);
        QVERIFY(maxAbsDiff(first->data(), full->data(), V) < 1e-4);
        for (size_t t = 1; t < ids.size(); ++t) {
            auto step = engine->decode(**state, ids[t]);
            QVERIFY(step.ok());
            QVERIFY2(maxAbsDiff(step->data(), full->data() + t * V, V) < 1e-4, qPrintable(QString("position %1").arg(t)));
        }
        QCOMPARE((*state)->position(), int(ids.size()));

        // Batched steps continuing from the cache: 4 + 6 + 5 tokens, all logits.
        (*state)->reset();
        size_t at = 0;
        for (size_t n : {4, 6, 5}) {
            auto part = engine->prefill(**state, std::span(ids).subspan(at, n), true);
            QVERIFY(part.ok());
            QCOMPARE(part->size(), n * V);
            QVERIFY(maxAbsDiff(part->data(), full->data() + at * V, n * V) < 1e-4);
            at += n;
        }
        // truncate() rewinds: decoding the last token again gives the same logits.
        (*state)->truncate(14);
        auto again = engine->decode(**state, ids[14]);
        QVERIFY(again.ok());
        QVERIFY(maxAbsDiff(again->data(), full->data() + 14 * V, V) < 1e-4);
    }

    void threadCountDoesNotChangeResults()
    {
        // Big enough for the parallel paths (GEMM blocks, parallel heads).
        ModelConfig c = llamaConfig(RopeLayout::Interleaved, 2, true, false);
        c.nEmbd = 256;
        c.nHead = 8;
        c.nFf = 512;
        auto engine = makeEngine(c);
        const auto ids = someIds(40, c.nVocab);
        auto a = engine->forward(ids);
        std::vector<float> b;
        {
            ThreadLimit one(1);
            b = engine->forward(ids).value();
        }
        QVERIFY(maxAbsDiff(a->data(), b.data(), b.size()) < 1e-5);
    }

    void inputErrors()
    {
        auto engine = makeEngine(llamaConfig(RopeLayout::Interleaved, 2, false, true));
        auto empty = engine->forward({});
        QVERIFY(!empty.ok());
        QCOMPARE(empty.error().code, ErrorCode::InvalidArgument);
        const std::vector<int32_t> bad{1, 2, 300, 4};
        auto r = engine->forward(bad);
        QVERIFY(!r.ok());
        const std::string msg = r.error().toString();
        QVERIFY2(msg.find("300") != std::string::npos && msg.find("position 2") != std::string::npos, msg.c_str());
        QVERIFY(!engine->forward(std::vector<int32_t>{-1}).ok());

        QVERIFY(!engine->newState(0).ok());
        QVERIFY(!engine->newState((1 << 20) + 1).ok());
        // Attention maps beyond 4 GiB are refused before any work (2·4·12000² floats).
        AttentionMaps maps;
        auto huge = engine->forward(someIds(12000, 300), &maps);
        QVERIFY(!huge.ok());
        QVERIFY(huge.error().toString().find("attention maps") != std::string::npos);
        auto state = engine->newState(4);
        QVERIFY(state.ok());
        QVERIFY(engine->prefill(**state, std::vector<int32_t>{1, 2, 3}).ok());
        auto over = engine->prefill(**state, std::vector<int32_t>{1, 2});
        QVERIFY(!over.ok());
        QCOMPARE((*state)->position(), 3);  // unchanged by the failed call
        QVERIFY(engine->decode(**state, 5).ok());
        QVERIFY(!engine->decode(**state, 5).ok());

        CancelToken cancel;
        cancel.cancel();
        auto cancelled = engine->forward(std::vector<int32_t>{1, 2}, nullptr, &cancel);
        QVERIFY(!cancelled.ok());
        QCOMPARE(cancelled.error().code, ErrorCode::Cancelled);

        // GPT-2 cannot go past its learned positions.
        auto gpt2 = makeEngine(gpt2Config());
        QVERIFY(gpt2->forward(someIds(24, 300)).ok());
        auto tooLong = gpt2->forward(someIds(25, 300));
        QVERIFY(!tooLong.ok());
        QVERIFY(tooLong.error().toString().find("n_ctx = 24") != std::string::npos);
        QVERIFY(!gpt2->newState(25).ok());

        // Invalid models are refused at creation with the tensor named.
        auto broken = std::make_shared<Model>(*makeRandomModel(gpt2Config(), 1));
        broken->config.nFf = 64;
        auto e = Engine::create(broken);
        QVERIFY(!e.ok());
        QVERIFY(e.error().toString().find("ffn_up.weight") != std::string::npos);
    }

    void quantizedWeightsAreDequantized()
    {
        // The same model stored as F16 gives the logits of its rounded weights.
        const ModelConfig c = llamaConfig(RopeLayout::Interleaved, 2, false, true);
        auto f32 = makeRandomModel(c, 9, 0.2f);
        auto f16 = std::make_shared<Model>();
        auto rounded = std::make_shared<Model>();
        f16->config = rounded->config = c;
        for (const Tensor& t : f32->tensors()) {
            const float* src = reinterpret_cast<const float*>(t.data);
            auto half = std::make_shared<std::vector<uint16_t>>(size_t(t.numel()));
            std::vector<float> back(size_t(t.numel()));
            for (size_t i = 0; i < back.size(); ++i) {
                (*half)[i] = floatToFp16(src[i]);
                back[i] = fp16ToFloat((*half)[i]);
            }
            Tensor h{t.name, DType::F16, t.shape, reinterpret_cast<const std::byte*>(half->data()),
                     uint64_t(half->size()) * 2, half};
            f16->addTensor(h);
            rounded->addTensor(makeOwnedF32Tensor(t.name, t.shape, std::move(back)));
        }
        auto a = Engine::create(f16);
        auto b = Engine::create(rounded);
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().toString().c_str());
        const auto ids = someIds(7, c.nVocab);
        auto la = (*a)->forward(ids);
        auto lb = (*b)->forward(ids);
        QCOMPARE(*la, *lb);
    }

    // Weights streamed from where they are stored (EngineOptions::streamWeights)
    // compute exactly what the fp32 copy does: batched passes (Eigen on the rows
    // read) and single tokens (the fp32 kernel), from a mapped GGUF file.
    void streamedWeightsGiveTheSameLogits_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("storage");
        for (int kind : {0, 1, 4})
            for (DType t : {DType::F32, DType::F16, DType::BF16})
                QTest::newRow(qPrintable(QString("kind %1 %2").arg(kind).arg(QString::fromStdString(std::string(dtypeName(t)))))) << kind << int(t);
    }
    void streamedWeightsGiveTheSameLogits()
    {
        QFETCH(int, kind);
        QFETCH(int, storage);
        const ModelConfig c = configOfKind(kind);
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/m.gguf").toStdString();
        QVERIFY(gguf::writeModel(*makeRandomModel(c, 21, 0.2f, DType(storage)), path).ok());
        auto model = loadModel(path);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().toString().c_str());
        EngineOptions streamed;
        streamed.streamWeights = true;
        auto copy = Engine::create(*model);
        auto stream = Engine::create(*model, streamed);
        QVERIFY(copy.ok() && stream.ok());
        const auto ids = someIds(15, c.nVocab, kind);
        auto a = (*copy)->forward(ids);
        auto b = (*stream)->forward(ids);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(*b, *a);
        auto sa = (*copy)->newState(4);
        auto sb = (*stream)->newState(4);
        QVERIFY(sa.ok() && sb.ok());
        for (int t = 0; t < 4; ++t) {
            auto da = (*copy)->decode(**sa, ids[size_t(t)]);
            auto db = (*stream)->decode(**sb, ids[size_t(t)]);
            QVERIFY(da.ok() && db.ok());
            QCOMPARE(*db, *da);
        }
    }

    // ---- Golden values from ../shared/reference ----------------------------------

    void stories260KLogits_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("gguf") << "data/models/stories260K.gguf";
        QTest::newRow("hf") << "data/models/stories260K-hf";
    }
    void stories260KLogits()
    {
        QFETCH(QString, model);
        PRECIS_REQUIRE_SHARED("reference/stories260K.json");
        PRECIS_REQUIRE_SHARED(model.toStdString());
        auto m = loadModel(test::sharedPath(model.toStdString()));
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().toString().c_str());
        QCOMPARE((*m)->config.ropeLayout, model.endsWith("hf") ? RopeLayout::RotateHalf : RopeLayout::Interleaved);
        auto engine = Engine::create(*m);
        QVERIFY2(engine.ok(), engine.ok() ? "" : engine.error().toString().c_str());
        const auto ref = readJson("reference/stories260K.json");
        const std::vector<int32_t> ids = ref["logits"]["ids"].get<std::vector<int32_t>>();
        auto logits = (*engine)->forward(ids);
        QVERIFY(logits.ok());
        const size_t V = 512;
        double worst = 0;
        const auto& top = ref["logits"]["top10_per_position"];
        QCOMPARE(top.size(), ids.size());
        for (size_t t = 0; t < ids.size(); ++t) {
            const float* row = logits->data() + t * V;
            for (const auto& pair : top[t]) {
                const int id = pair[0].get<int>();
                worst = std::max(worst, std::fabs(double(row[id]) - pair[1].get<double>()));
            }
            QCOMPARE(int(std::max_element(row, row + V) - row), top[t][0][0].get<int>());
        }
        QVERIFY2(worst < 1e-4, qPrintable(QString("max top-10 logit error %1").arg(worst)));
        double nll = 0;
        for (size_t t = 0; t + 1 < ids.size(); ++t)
            nll += tokenNll(std::span<const float>(logits->data() + t * V, V), ids[t + 1]);
        nll /= double(ids.size() - 1);
        QVERIFY2(std::fabs(nll - ref["logits"]["mean_nll_of_ids_1_to_end"].get<double>()) < 1e-5,
                 qPrintable(QString("mean NLL %1").arg(nll, 0, 'g', 10)));
        qInfo("%s: max top-10 logit error %.2e, mean NLL %.8f", qPrintable(model), worst, nll);
    }

    void fakeGpt2Logits()
    {
        PRECIS_REQUIRE_SHARED("reference/fake-gpt2-logits.json");
        PRECIS_REQUIRE_SHARED("data/models/fake-gpt2");
        auto m = loadModel(test::sharedPath("data/models/fake-gpt2"));
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().toString().c_str());
        QCOMPARE((*m)->config.arch, Arch::Gpt2);
        auto engine = Engine::create(*m);
        QVERIFY2(engine.ok(), engine.ok() ? "" : engine.error().toString().c_str());
        const auto ref = readJson("reference/fake-gpt2-logits.json");
        const std::vector<int32_t> ids = ref["ids"].get<std::vector<int32_t>>();
        auto logits = (*engine)->forward(ids);
        QVERIFY(logits.ok());
        const size_t V = size_t((*m)->config.nVocab);
        double worst = 0, worstLse = 0, nll = 0;
        for (size_t t = 0; t < ids.size(); ++t) {
            const std::span<const float> row(logits->data() + t * V, V);
            for (const auto& pair : ref["top5"][t])
                worst = std::max(worst, std::fabs(double(row[pair[0].get<size_t>()]) - pair[1].get<double>()));
            // log-sum-exp = NLL of token 0 + logit of token 0.
            const double lse = tokenNll(row, 0) + double(row[0]);
            worstLse = std::max(worstLse, std::fabs(lse - ref["logsumexp"][t].get<double>()));
            if (t + 1 < ids.size()) nll += tokenNll(row, ids[t + 1]);
        }
        nll /= double(ids.size() - 1);
        QVERIFY2(worst < 1e-4, qPrintable(QString("max top-5 logit error %1").arg(worst)));
        QVERIFY2(worstLse < 1e-4, qPrintable(QString("max log-sum-exp error %1").arg(worstLse)));
        QVERIFY2(std::fabs(nll - ref["mean_nll"].get<double>()) < 1e-4, qPrintable(QString("mean NLL %1").arg(nll)));
        qInfo("fake-gpt2: max top-5 error %.2e, lse error %.2e, mean NLL %.6f", worst, worstLse, nll);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
