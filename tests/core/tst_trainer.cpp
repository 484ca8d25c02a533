// The trainer end to end on generated text: the loss falls, the checkpoint folder
// and GGUF load and give the logits of the in-memory parameters, a resumed run
// equals an uninterrupted one, cancellation leaves a loadable checkpoint, and a
// damaged trainer_state.bin gives a clear error.
#include "common/mapped_file.h"
#include "engine/backward.h"
#include "engine/engine.h"
#include "formats/gguf.h"
#include "formats/model_loader.h"
#include "test_support.h"
#include "tokenizer/tokenizer.h"
#include "train/tokenizer_training.h"
#include "train/trainer.h"
#include "train/trainer_checkpoint.h"

#include <cmath>
#include <fstream>

using namespace precis;

namespace {

std::string generatedText(int sentences, uint32_t seed)
{
    static const char* subjects[] = {"the cat", "a dog", "the old man", "my friend", "the bird"};
    static const char* verbs[] = {"sat on", "looked at", "ran to", "sang to", "jumped over"};
    static const char* objects[] = {"the mat", "the tree", "a red box", "the river", "the house"};
    std::string out;
    uint32_t x = seed;
    auto next = [&](uint32_t n) { x = x * 1664525u + 1013904223u; return (x >> 16) % n; };
    for (int i = 0; i < sentences; ++i) {
        out += std::string(subjects[next(5)]) + " " + verbs[next(5)] + " " + objects[next(5)];
        out += next(4) == 0 ? ".\n" : ". ";
    }
    return out;
}

std::string writeCorpus(const std::string& dir, int sentences = 400)
{
    const std::string path = dir + "/corpus.txt";
    std::ofstream(path) << generatedText(sentences, 11);
    return path;
}

TrainSettings tinySettings(const std::string& text, const std::string& out)
{
    TrainSettings s;
    s.textPath = text;
    s.outDir = out;
    s.nLayer = 2;
    s.nEmbd = 32;
    s.nHead = 4;
    s.nHeadKv = 2;
    s.nFf = 64;
    s.nCtx = 32;
    s.batch = 8;
    s.steps = 20;
    s.lr = 3e-3;
    s.minLr = 3e-4;
    s.warmup = 5;
    s.evalEvery = 10;
    s.evalBatches = 2;
    s.checkpointEvery = 0;
    s.seed = 5;
    return s;
}

Result<TrainResult> run(const TrainSettings& s, std::vector<TrainStep>* steps = nullptr, int cancelAt = -1)
{
    CancelToken cancel;
    return train(s, [&](const TrainStep& st) {
        if (steps) steps->push_back(st);
        if (st.step == cancelAt) cancel.cancel();
    }, cancel);
}

std::vector<float> logitsOf(std::shared_ptr<const Model> model, const std::vector<int32_t>& ids)
{
    auto e = Engine::create(std::move(model));
    if (!e.ok()) qFatal("%s", e.error().toString().c_str());
    auto l = (*e)->forward(ids);
    if (!l.ok()) qFatal("%s", l.error().toString().c_str());
    return std::move(l).value();
}

double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b)
{
    if (a.size() != b.size()) return 1e30;
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, double(std::fabs(a[i] - b[i])));
    return m;
}

std::string fileBytes(const std::string& path) { return readTextFile(path).value(); }

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT
private slots:
    void lossFalls()
    {
        const std::string dir = test::scratchDir("trainer-loss");
        TrainSettings s = tinySettings(writeCorpus(dir, 1500), dir + "/out");
        s.steps = 250;
        s.evalEvery = 50;
        s.lr = 1e-2;
        s.minLr = 1e-3;
        s.warmup = 20;
        std::vector<TrainStep> steps;
        auto r = run(s, &steps);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->steps, int64_t(250));
        QVERIFY(!r->cancelled);
        QCOMPARE(steps.size(), size_t(250));
        // At initialisation every token is about equally likely: loss ≈ ln V.
        const double initial = steps.front().trainLoss;
        QVERIFY2(std::fabs(initial - std::log(double(r->vocabSize))) < 0.3, qPrintable(QString::number(initial)));
        QVERIFY(r->finalValLoss.has_value());
        qInfo("loss %.3f -> train %.3f, validation %.3f after 250 steps", initial, r->finalTrainLoss, *r->finalValLoss);
        QVERIFY2(r->finalTrainLoss < 0.5 * initial, qPrintable(QStringLiteral("%1 -> %2").arg(initial).arg(r->finalTrainLoss)));
        QVERIFY2(*r->finalValLoss < 0.5 * initial, qPrintable(QStringLiteral("val %1").arg(*r->finalValLoss)));
        QVERIFY(steps[49].valLoss.has_value() && !steps[50].valLoss.has_value());
        QVERIFY(steps[0].lr < steps[19].lr);            // warm-up
        QVERIFY(steps[249].lr < steps[100].lr);         // decay
        QVERIFY(steps.back().tokensPerSecond > 0);
        QVERIFY(std::filesystem::exists(r->ggufPath));
    }

    void checkpointLogitsMatchParameters()
    {
        // Llama (grouped-query, rotate-half layout), Llama given in the interleaved
        // layout (exported with a permutation), and GPT-2 (Conv1D transposes).
        const std::string dir = test::scratchDir("trainer-checkpoint");
        auto tok = trainTokenizer(generatedText(50, 1), {TokenizerTrainingKind::Char, 0});
        QVERIFY(tok.ok());
        const int V = int(tok->spec.tokens.size());
        for (int variant = 0; variant < 3; ++variant) {
            TrainSettings s = tinySettings("x", "y");
            s.arch = variant == 2 ? Arch::Gpt2 : Arch::Llama;
            if (variant == 2) s.nHeadKv = 0;
            auto config = trainModelConfig(s, V);
            QVERIFY(config.ok());
            if (variant == 1) config->ropeLayout = RopeLayout::Interleaved;
            Parameters p = initParameters(*config, 17 + uint64_t(variant));
            for (auto& t : p.tensors)  // larger weights so that differences would show
                for (float& v : t.values) v *= 10.0f;
            const std::string out = dir + "/v" + std::to_string(variant);
            std::filesystem::create_directories(out);
            QVERIFY(writeHfCheckpoint(p, tok->spec, out).ok());
            auto memory = modelFromParameters(p, tok->spec);
            QVERIFY(gguf::writeModel(*memory, out + "/model.gguf").ok());

            const std::vector<int32_t> ids{1, 260, 262, 270, 265, 268, 261, 259, 266, 271, 264, 263};
            const auto want = logitsOf(memory, ids);
            auto folder = loadModel(out);
            QVERIFY2(folder.ok(), folder.ok() ? "" : folder.error().toString().c_str());
            QCOMPARE((*folder)->config.nHeadKv, config->nHeadKv);
            auto file = loadModel(out + "/model.gguf");
            QVERIFY(file.ok());
            // Different RoPE pair layouts sum in a different order: equal to float rounding.
            double scale = 0;
            for (float v : want) scale = std::max(scale, double(std::fabs(v)));
            const double df = maxAbsDiff(logitsOf(*folder, ids), want), dg = maxAbsDiff(logitsOf(*file, ids), want);
            QVERIFY2(df <= 1e-5 * scale && dg <= 1e-5 * scale,
                     qPrintable(QStringLiteral("variant %1: folder %2, gguf %3, logits up to %4").arg(variant).arg(df).arg(dg).arg(scale)));
            if (variant == 0) QCOMPARE(df, 0.0);  // same layout, same values: bit-identical
            // The folder's tokenizer.json tokenizes like the GGUF's scores.
            const auto a = Tokenizer::create((*folder)->tokenizer), b = Tokenizer::create((*file)->tokenizer);
            QVERIFY(a.ok() && b.ok());
            const std::string probe = "the old man sang to the river. Zz";
            QCOMPARE((*a)->encode(probe, true), (*b)->encode(probe, true));
        }
    }

    void resumeEqualsUninterrupted()
    {
        const std::string dir = test::scratchDir("trainer-resume");
        const std::string text = writeCorpus(dir);
        TrainSettings straight = tinySettings(text, dir + "/straight");
        auto a = run(straight);
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().toString().c_str());

        TrainSettings split = tinySettings(text, dir + "/split");
        std::vector<TrainStep> first;
        auto b1 = run(split, &first, 10);  // cancelled after step 10
        QVERIFY(b1.ok());
        QVERIFY(b1->cancelled);
        QCOMPARE(b1->steps, int64_t(10));
        auto saved = readCheckpointSettings(split.outDir);
        QVERIFY(saved.ok());
        QCOMPARE(saved->steps, int64_t(20));
        split.resume = true;
        std::vector<TrainStep> second;
        auto b2 = run(split, &second);
        QVERIFY2(b2.ok(), b2.ok() ? "" : b2.error().toString().c_str());
        QCOMPARE(b2->startStep, int64_t(10));
        QCOMPARE(second.front().step, int64_t(11));
        QCOMPARE(b2->steps, int64_t(20));
        // Bit-identical parameters and optimizer state.
        QVERIFY(fileBytes(straight.outDir + "/model.safetensors") == fileBytes(split.outDir + "/model.safetensors"));
        auto sa = readTrainerState(straight.outDir + "/trainer_state.bin");
        auto sb = readTrainerState(split.outDir + "/trainer_state.bin");
        QVERIFY(sa.ok() && sb.ok());
        QCOMPARE(sa->paramFingerprint, sb->paramFingerprint);
        QCOMPARE(sa->tensors.back().v, sb->tensors.back().v);
        QCOMPARE(*a->finalValLoss, *b2->finalValLoss);

        // A mismatching setting is refused, naming it.
        TrainSettings other = split;
        other.nLayer = 3;
        auto bad = run(other);
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().toString().find("'layers'") != std::string::npos, bad.error().toString().c_str());
        // So is a different text.
        other = split;
        other.textPath = dir + "/other.txt";
        std::ofstream(other.textPath) << generatedText(400, 99);
        bad = run(other);
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().toString().find("not the one the checkpoint was trained on") != std::string::npos,
                 bad.error().toString().c_str());
    }

    void cancellationLeavesLoadableCheckpoint()
    {
        const std::string dir = test::scratchDir("trainer-cancel");
        TrainSettings s = tinySettings(writeCorpus(dir), dir + "/out");
        s.steps = 1000;
        auto r = run(s, nullptr, 3);
        QVERIFY(r.ok());
        QVERIFY(r->cancelled);
        QCOMPARE(r->steps, int64_t(3));
        auto state = readTrainerState(s.outDir + "/trainer_state.bin");
        QVERIFY(state.ok());
        QCOMPARE(state->step, int64_t(3));
        for (const std::string& path : {s.outDir, s.outDir + "/model.gguf"}) {
            auto m = loadModel(path);
            QVERIFY2(m.ok(), m.ok() ? "" : m.error().toString().c_str());
            QVERIFY(Tokenizer::create((*m)->tokenizer).ok());
        }
        // Cancelled before the first step: the initial model is still written.
        CancelToken cancel;
        cancel.cancel();
        s.outDir = dir + "/out0";
        auto r0 = train(s, {}, cancel);
        QVERIFY(r0.ok());
        QCOMPARE(r0->steps, int64_t(0));
        QVERIFY(loadModel(s.outDir).ok());
    }

    void gpt2Trains()
    {
        const std::string dir = test::scratchDir("trainer-gpt2");
        TrainSettings s = tinySettings(writeCorpus(dir), dir + "/out");
        s.arch = Arch::Gpt2;
        s.nHeadKv = 0;
        s.tokenizer = TokenizerTrainingKind::Bpe;
        s.vocabSize = 320;
        s.steps = 30;
        std::vector<TrainStep> steps;
        auto r = run(s, &steps);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->vocabSize, 320);
        QVERIFY(r->finalTrainLoss < steps.front().trainLoss);
        auto m = loadModel(s.outDir);
        QVERIFY(m.ok());
        QCOMPARE((*m)->config.arch, Arch::Gpt2);
        QVERIFY(loadModel(s.outDir + "/model.gguf").ok());
    }

    void badSettings()
    {
        const std::string dir = test::scratchDir("trainer-bad");
        TrainSettings s = tinySettings("/nonexistent/corpus.txt", dir + "/out");
        auto r = run(s);
        QVERIFY(!r.ok());
        QVERIFY(r.error().toString().find("/nonexistent/corpus.txt") != std::string::npos);
        s.textPath = writeCorpus(dir);
        s.nHead = 5;
        QVERIFY(run(s).error().toString().find("'heads'") != std::string::npos);
        s = tinySettings("x", "y");
        s.lr = -1;
        QVERIFY(run(s).error().toString().find("'lr'") != std::string::npos);
        s = tinySettings("x", "y");
        s.nHeadKv = 3;
        QVERIFY(!trainModelConfig(s, 300).ok());
    }

    void trainerStateMalformed()
    {
        TrainerState st;
        st.settingsJson = trainSettingsToJson(tinySettings("a", "b"));
        st.step = 7;
        st.adamStep = 7;
        st.tensors.push_back({"w", {2, 3}, std::vector<float>(6, 0.5f), std::vector<float>(6, 0.25f)});
        const std::vector<std::byte> good = serializeTrainerState(st);
        auto back = parseTrainerState(good, "s.bin");
        QVERIFY(back.ok());
        QCOMPARE(back->step, int64_t(7));
        QCOMPARE(back->tensors[0].v[5], 0.25f);
        QVERIFY(trainSettingsFromJson(back->settingsJson, "s.bin").ok());

        auto message = [](std::vector<std::byte> b) {
            auto r = parseTrainerState(b, "s.bin");
            return r.ok() ? std::string("ok") : r.error().toString();
        };
        std::vector<std::byte> b = good;
        b[0] = std::byte{'X'};
        QVERIFY(message(b).find("magic") != std::string::npos);
        b = good;
        b[b.size() - 20] ^= std::byte{1};
        QVERIFY(message(b).find("checksum") != std::string::npos);
        // Every truncation fails cleanly.
        for (size_t n = 0; n < good.size(); ++n)
            QVERIFY(message(std::vector<std::byte>(good.begin(), good.begin() + std::ptrdiff_t(n))) != "ok");
        // A huge tensor count with a valid checksum is refused before allocating.
        TrainerState huge = st;
        huge.tensors.clear();
        b = serializeTrainerState(huge);
        const size_t countAt = b.size() - 8 - 4;
        const uint32_t many = 0xFFFFFFF0u;
        std::memcpy(b.data() + countAt, &many, 4);
        uint64_t h = 0xCBF29CE484222325ull;
        for (size_t i = 0; i + 8 < b.size(); ++i) { h ^= uint8_t(b[i]); h *= 0x100000001B3ull; }
        std::memcpy(b.data() + b.size() - 8, &h, 8);
        QVERIFY2(message(b).find("n_tensors") != std::string::npos, message(b).c_str());
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
