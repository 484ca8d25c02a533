// Training building blocks: AdamW against hand-computed steps, the learning-rate
// schedule, gradient clipping, the data loader (determinism, split), tokenizer
// training (character level and BPE) and tokenizer.json writing.
#include "common/mapped_file.h"
#include "formats/gguf.h"
#include "formats/tokenizer_json.h"
#include "formats/tokenizer_json_writer.h"
#include "model/random_model.h"
#include "test_support.h"
#include "tokenizer/tokenizer.h"
#include "train/adamw.h"
#include "train/data_loader.h"
#include "train/tokenizer_training.h"

#include <cmath>
#include <map>
#include <set>

using namespace precis;

namespace {

using Ids = std::vector<int32_t>;
const std::string kSp = "\xE2\x96\x81";

Parameters twoTensors(std::vector<float> w, std::vector<float> b)
{
    Parameters p;
    p.tensors.push_back({"w", {2, 2}, std::move(w)});
    p.tensors.push_back({"b", {2}, std::move(b)});
    return p;
}

std::shared_ptr<const Tokenizer> makeTokenizer(const TokenizerSpec& spec)
{
    auto t = Tokenizer::create(spec);
    if (!t.ok()) qFatal("%s", t.error().toString().c_str());
    return std::move(t).value();
}

// A few kilobytes of English-like text drawn from a small grammar (seeded LCG).
std::string generatedText(int sentences, uint32_t seed)
{
    static const char* subjects[] = {"the cat", "a dog", "the old man", "my friend", "the bird"};
    static const char* verbs[] = {"sat on", "looked at", "ran to", "sang to", "jumped over"};
    static const char* objects[] = {"the mat", "the tree", "a red box", "the river", "the house"};
    std::string out;
    uint32_t x = seed;
    auto next = [&](uint32_t n) { x = x * 1664525u + 1013904223u; return (x >> 16) % n; };
    for (int i = 0; i < sentences; ++i) {
        out += subjects[next(5)];
        out += " ";
        out += verbs[next(5)];
        out += " ";
        out += objects[next(5)];
        out += next(4) == 0 ? ".\n" : ". ";
    }
    return out;
}

// Textbook BPE: apply each merge, in order, to every adjacent occurrence (left to right).
std::vector<std::string> applyMergesClassic(const std::string& word, const std::vector<std::pair<std::string, std::string>>& merges)
{
    std::vector<std::string> sym;
    for (size_t i = 0; i < word.size();) {
        const unsigned char c = uint8_t(word[i]);
        const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        sym.push_back(word.substr(i, len));
        i += len;
    }
    for (const auto& [l, r] : merges) {
        std::vector<std::string> out;
        for (size_t i = 0; i < sym.size(); ++i) {
            if (i + 1 < sym.size() && sym[i] == l && sym[i + 1] == r) {
                out.push_back(l + r);
                ++i;
            } else {
                out.push_back(sym[i]);
            }
        }
        sym = std::move(out);
    }
    return sym;
}

} // namespace

class TestTrain : public QObject {
    Q_OBJECT
private slots:
    void adamwHandComputedSteps()
    {
        Parameters p = twoTensors({1.0f, -2.0f, 0.5f, 0.0f}, {0.25f, -0.75f});
        const Parameters g1 = twoTensors({0.1f, -0.2f, 0.3f, -0.4f}, {1.0f, -0.5f});
        const Parameters g2 = twoTensors({-0.3f, 0.1f, 0.0f, 0.2f}, {0.5f, 0.5f});
        AdamW opt(p, AdamWSettings{0.9f, 0.95f, 1e-8f, 0.1f});
        const double lr1 = 0.01, lr2 = 0.02;
        opt.step(p, g1, lr1);
        opt.step(p, g2, lr2);
        QCOMPARE(opt.stepCount(), int64_t(2));
        // Independent double-precision recomputation of the two steps.
        const std::vector<double> p0{1.0, -2.0, 0.5, 0.0, 0.25, -0.75};
        const std::vector<double> a{0.1, -0.2, 0.3, -0.4, 1.0, -0.5}, b{-0.3, 0.1, 0.0, 0.2, 0.5, 0.5};
        for (size_t i = 0; i < 6; ++i) {
            const bool decays = i < 4;  // the 2-D tensor only
            double x = p0[i], m = 0, v = 0;
            const double grads[2] = {a[i], b[i]}, lrs[2] = {lr1, lr2};
            for (int t = 1; t <= 2; ++t) {
                const double gt = grads[t - 1], lr = lrs[t - 1];
                if (decays) x *= 1.0 - lr * 0.1;
                m = 0.9 * m + 0.1 * gt;
                v = 0.95 * v + 0.05 * gt * gt;
                const double mh = m / (1 - std::pow(0.9, t)), vh = v / (1 - std::pow(0.95, t));
                x -= lr * mh / (std::sqrt(vh) + 1e-8);
            }
            const float got = i < 4 ? p.tensors[0].values[i] : p.tensors[1].values[i - 4];
            QVERIFY2(std::fabs(got - x) < 2e-6, qPrintable(QStringLiteral("value %1: %2 vs %3").arg(i).arg(got).arg(x)));
        }
        // First step by hand: m̂ = g, v̂ = g², so the step is lr·sign(g) (g ≠ 0).
        Parameters q = twoTensors({1.0f, 1.0f, 1.0f, 1.0f}, {1.0f, 1.0f});
        AdamW one(q, AdamWSettings{0.9f, 0.95f, 1e-8f, 0.5f});
        one.step(q, g1, 0.1);
        QVERIFY(std::fabs(q.tensors[0].values[0] - (1.0 * (1 - 0.05) - 0.1)) < 1e-6);
        QVERIFY(std::fabs(q.tensors[0].values[1] - (1.0 * (1 - 0.05) + 0.1)) < 1e-6);
        QVERIFY(std::fabs(q.tensors[1].values[1] - (1.0 + 0.1)) < 1e-6);  // no decay on a vector
    }

    void adamwMinimisesQuadratic()
    {
        // f(p) = Σ a_i (p_i − c_i)²: AdamW with the schedule converges to c.
        const std::vector<float> a{1, 10, 0.1f, 3, 0.5f, 2}, c{0.5f, -1.5f, 2.0f, 0.0f, 1.0f, -0.25f};
        Parameters p = twoTensors({0, 0, 0, 0}, {0, 0});
        AdamW opt(p, AdamWSettings{0.9f, 0.95f, 1e-8f, 0.0f});
        const LrSchedule s{0.05, 0.001, 20, 1500};
        for (int step = 0; step < 1500; ++step) {
            Parameters g = p.zerosLike();
            for (size_t i = 0; i < 6; ++i) {
                const float x = i < 4 ? p.tensors[0].values[i] : p.tensors[1].values[i - 4];
                (i < 4 ? g.tensors[0].values[i] : g.tensors[1].values[i - 4]) = 2 * a[i] * (x - c[i]);
            }
            opt.step(p, g, s.at(step));
        }
        for (size_t i = 0; i < 6; ++i) {
            const float x = i < 4 ? p.tensors[0].values[i] : p.tensors[1].values[i - 4];
            QVERIFY2(std::fabs(x - c[i]) < 0.01, qPrintable(QStringLiteral("p[%1] = %2, expected %3").arg(i).arg(x).arg(c[i])));
        }
    }

    void scheduleValues()
    {
        const LrSchedule s{1.0, 0.1, 10, 110};
        QCOMPARE(s.at(0), 0.1);
        QCOMPARE(s.at(4), 0.5);
        QCOMPARE(s.at(9), 1.0);
        QCOMPARE(s.at(10), 1.0);                        // cosine starts at the peak
        QVERIFY(std::fabs(s.at(60) - 0.55) < 1e-12);    // half way: (max + min) / 2
        QVERIFY(std::fabs(s.at(35) - (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI / 4)))) < 1e-12);
        QCOMPARE(s.at(110), 0.1);
        QCOMPARE(s.at(5000), 0.1);
        for (int i = 11; i < 110; ++i) QVERIFY(s.at(i) < s.at(i - 1));
        const LrSchedule noWarmup{2.0, 0.0, 0, 4};
        QCOMPARE(noWarmup.at(0), 2.0);
        QVERIFY(std::fabs(noWarmup.at(2) - 1.0) < 1e-12);
    }

    void clipping()
    {
        Parameters g = twoTensors({3, 0, 0, 0}, {0, 4});
        QCOMPARE(globalGradNorm(g), 5.0);
        QCOMPARE(clipGradNorm(g, 10.0), 5.0);  // below the limit: untouched
        QCOMPARE(g.tensors[0].values[0], 3.0f);
        QCOMPARE(clipGradNorm(g, 0.0), 5.0);   // 0: off
        QCOMPARE(g.tensors[1].values[1], 4.0f);
        QCOMPARE(clipGradNorm(g, 1.0), 5.0);
        QVERIFY(std::fabs(g.tensors[0].values[0] - 0.6f) < 1e-6);
        QVERIFY(std::fabs(g.tensors[1].values[1] - 0.8f) < 1e-6);
        QVERIFY(std::fabs(globalGradNorm(g) - 1.0) < 1e-6);
        // Large tensors: the norm is the same however the work is cut.
        Parameters big;
        big.tensors.push_back({"x", {300, 1000}, std::vector<float>(300000, 0.5f)});
        QVERIFY(std::fabs(globalGradNorm(big) - std::sqrt(300000 * 0.25)) < 1e-9);
    }

    void dataLoaderSplitAndDeterminism()
    {
        Ids tokens(1000);
        for (int i = 0; i < 1000; ++i) tokens[size_t(i)] = i;
        DataLoaderSettings s;
        s.T = 16;
        s.B = 4;
        s.valFraction = 0.2;
        s.seed = 42;
        s.bos = -1;
        auto a = DataLoader::create(tokens, s);
        QVERIFY(a.ok());
        QCOMPARE(a->trainTokens(), int64_t(800));
        QCOMPARE(a->valTokens(), int64_t(200));
        QCOMPARE(a->valWindows(), int64_t(199 / 16));
        auto b = DataLoader::create(tokens, s);
        QCOMPARE(a->trainBatch(7), b->trainBatch(7));  // same seed and step: same batch
        QVERIFY(a->trainBatch(7) != a->trainBatch(8));
        s.seed = 43;
        auto c = DataLoader::create(tokens, s);
        QVERIFY(a->trainBatch(7) != c->trainBatch(7));
        // Windows are consecutive tokens of the training split only.
        std::set<int64_t> starts;
        for (int64_t step = 0; step < 500; ++step) {
            const Ids batch = a->trainBatch(step);
            QCOMPARE(batch.size(), size_t(4 * 17));
            for (int w = 0; w < 4; ++w) {
                const int32_t first = batch[size_t(w * 17)];
                QCOMPARE(int64_t(first), a->trainOffset(step, w));
                for (int t = 0; t < 17; ++t) QCOMPARE(batch[size_t(w * 17 + t)], first + t);
                QVERIFY(first + 16 < 800);
                starts.insert(first);
            }
        }
        QVERIFY(starts.size() > 700);  // spread over all 784 possible starts
        QVERIFY(starts.count(0) && starts.count(783));
        // Validation windows: 800, 816, 832, ... in order, cycling.
        const Ids v0 = a->valBatch(0);
        for (int w = 0; w < 4; ++w) QCOMPARE(v0[size_t(w * 17)], 800 + 16 * w);
        QCOMPARE(a->valBatch(2)[3 * 17], 800 + 16 * 11);  // window 11 is the last (11·16 + 16 < 200)
        QCOMPARE(a->valBatch(3)[0], 800);                 // then they cycle
        // BOS replaces the first token of every window.
        s.bos = 999;
        auto d = DataLoader::create(tokens, s);
        const Ids withBos = d->trainBatch(3), plain = c->trainBatch(3);
        QCOMPARE(withBos[0], 999);
        QCOMPARE(withBos[1], plain[1]);
        QCOMPARE(d->valBatch(0)[17], 999);
    }

    void dataLoaderErrors()
    {
        DataLoaderSettings s;
        s.T = 16;
        s.valFraction = 0.1;
        auto r = DataLoader::create(Ids(100, 1), s, "tiny.txt");
        QVERIFY(!r.ok());  // 10 validation tokens < 17
        QVERIFY2(r.error().toString().find("tiny.txt: the validation split") == 0, r.error().toString().c_str());
        s.valFraction = 0.0;
        QVERIFY(DataLoader::create(Ids(100, 1), s).ok());
        QVERIFY(!DataLoader::create(Ids(16, 1), s).ok());  // shorter than one window
        s.valFraction = 0.7;
        QVERIFY(!DataLoader::create(Ids(1000, 1), s).ok());
        s.valFraction = 0.1;
        s.B = 0;
        QVERIFY(!DataLoader::create(Ids(1000, 1), s).ok());
        auto missing = DataLoader::fromFile("/nonexistent/corpus.txt", *makeTokenizer(makeRandomTokenizer(300)), s);
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().toString().find("/nonexistent/corpus.txt") != std::string::npos);
    }

    void charTokenizerRoundTrip()
    {
        const std::string corpus = "h\xC3\xA9llo w\xC3\xB6rld\nhello \xE6\x97\xA5\xE6\x9C\xAC\n";  // héllo wörld / hello 日本
        auto r = trainTokenizer(corpus, {TokenizerTrainingKind::Char, 0});
        QVERIFY(r.ok());
        const TokenizerSpec& spec = r->spec;
        // Distinct characters: h é l o ▁ w ö r d \n e 日 本 = 13.
        QCOMPARE(r->characters, 13);
        QCOMPARE(spec.tokens.size(), size_t(259 + 13));
        QCOMPARE(spec.tokens[0], std::string("<unk>"));
        QCOMPARE(spec.tokens[1], std::string("<s>"));
        QCOMPARE(spec.tokens[3 + 0x0A], std::string("<0x0A>"));
        QCOMPARE(spec.types[3 + 0xFF], TokenType::Byte);
        QCOMPARE(spec.tokens[259], std::string("l"));  // the most frequent character (5 times)
        QCOMPARE(spec.types[259], TokenType::Normal);
        const auto tok = makeTokenizer(spec);
        const Ids ids = tok->encode(corpus, false);
        QCOMPARE(ids.size(), size_t(1 + 21));  // "▁" prefix + one token per character
        for (int32_t id : ids) QVERIFY(id >= 259);
        QCOMPARE(tok->decode(ids), corpus);
        // Unseen characters fall back to bytes and still round trip.
        const std::string other = "Zebra \xC3\xA9t\xC3\xA9!";
        const Ids o = tok->encode(other, true);
        QCOMPARE(o[0], 1);
        QVERIFY(std::find(o.begin(), o.end(), 3 + 'Z') != o.end());
        QCOMPARE(tok->decode(o), other);
        QVERIFY(r->merges.empty());
        QVERIFY(!trainTokenizer("", {}).ok());
    }

    void bpeHandWorkedMerges()
    {
        // Words (escaped): ▁aab ×4, ▁ab ×2, ▁b ×1.  Pair counts: (a,b) 6, (▁,a) 6,
        // (a,a) 4, (▁,b) 1. Ties go to the bytewise-smaller piece: "ab" < "▁a".
        //  1: a+b -> "ab"   words ▁ a ab ×4, ▁ ab ×2   pairs (▁,a) 4, (a,ab) 4, (▁,ab) 2
        //  2: a+ab -> "aab" (4, and "aab" < "▁a")      words ▁ aab ×4, ▁ ab ×2
        //  3: ▁+aab -> "▁aab" (4)   4: ▁+ab -> "▁ab" (2)   then nothing occurs twice.
        const std::string corpus = "aab aab ab aab b aab ab";
        auto r = trainTokenizer(corpus, {TokenizerTrainingKind::Bpe, 400});
        QVERIFY(r.ok());
        using M = std::pair<std::string, std::string>;
        const std::vector<M> expected{{"a", "b"}, {"a", "ab"}, {kSp, "aab"}, {kSp, "ab"}};
        QCOMPARE(r->merges, expected);
        QCOMPARE(r->spec.tokens.size(), size_t(259 + 3 + 4));  // stops early: nothing left to merge
        const size_t first = 259 + 3;
        QCOMPARE(r->spec.tokens[first], std::string("ab"));
        QCOMPARE(r->spec.scores[first], -1.0f);
        QCOMPARE(r->spec.scores[first + 3], -4.0f);
        const auto tok = makeTokenizer(r->spec);
        const Ids ids = tok->encode(corpus, false);
        std::vector<std::string> pieces;
        for (int32_t id : ids) pieces.push_back(r->spec.tokens[size_t(id)]);
        const std::vector<std::string> want{kSp + "aab", kSp + "aab", kSp + "ab", kSp + "aab", kSp, "b",
                                            kSp + "aab", kSp + "ab"};
        QCOMPARE(pieces, want);
        QVERIFY(!trainTokenizer(corpus, {TokenizerTrainingKind::Bpe, 259}).ok());
    }

    void bpeReproducesTrainingMerges()
    {
        const std::string corpus = generatedText(600, 7);
        auto r = trainTokenizer(corpus, {TokenizerTrainingKind::Bpe, 330});
        QVERIFY(r.ok());
        QCOMPARE(int(r->spec.tokens.size()), 330);
        QCOMPARE(r->merges.size(), size_t(330 - 259 - r->characters));
        for (size_t i = 1; i < r->spec.scores.size(); ++i)
            if (r->spec.types[i] == TokenType::Normal && r->spec.types[i - 1] == TokenType::Normal &&
                int(i) > 259 + r->characters)
                QVERIFY(r->spec.scores[i] < r->spec.scores[i - 1]);
        const auto tok = makeTokenizer(r->spec);
        const Ids ids = tok->encode(corpus, false);
        QCOMPARE(tok->decode(ids), corpus);
        QVERIFY(ids.size() * 2 < corpus.size());  // merges compress the text
        // Word by word, the score-driven tokenizer gives the textbook segmentation
        // (merges applied in training order).
        std::string escaped = kSp;
        for (char ch : corpus) escaped += ch == ' ' ? kSp : std::string(1, ch);
        // Each word is encoded alone: it carries its own "▁", so no prefix is added.
        TokenizerSpec noPrefix = r->spec;
        noPrefix.addSpacePrefix = false;
        const auto plain = makeTokenizer(noPrefix);
        std::map<std::string, int> checked;
        for (const std::string& w : bpeTrainingWords(escaped)) {
            if (checked[w]++) continue;
            std::string raw;
            for (size_t p = 0; p < w.size();) {
                if (w.compare(p, kSp.size(), kSp) == 0) { raw += ' '; p += kSp.size(); }
                else raw += w[p++];
            }
            std::vector<std::string> got;
            for (int32_t id : plain->encode(raw, false)) got.push_back(r->spec.tokens[size_t(id)]);
            QCOMPARE(got, applyMergesClassic(w, r->merges));
        }
        QVERIFY(checked.size() > 20);
    }

    void tokenizerJsonRoundTripsIds()
    {
        const std::string corpus = generatedText(300, 3) + "Unseen: Zq\xC3\xA9 \xE2\x82\xAC 42!\n";
        std::vector<std::pair<const char*, TokenizerSpec>> specs;
        specs.emplace_back("char", trainTokenizer(corpus, {TokenizerTrainingKind::Char, 0})->spec);
        specs.emplace_back("bpe", trainTokenizer(corpus, {TokenizerTrainingKind::Bpe, 420})->spec);
        specs.emplace_back("random", makeRandomTokenizer(400));
        // Valid UTF-8 only: on invalid bytes llama.cpp's score-driven splitting and
        // Hugging Face's ranked BPE legitimately differ.
        const std::string probe = corpus + " the  cat\tsat on a mat \xF0\x9F\x98\x80 bytes";
        for (const auto& [name, spec] : specs) {
            auto text = tokenizerJsonText(spec);
            QVERIFY2(text.ok(), name);
            auto back = parseTokenizerJsonText(*text, name);
            QVERIFY2(back.ok(), back.ok() ? name : back.error().toString().c_str());
            QCOMPARE(back->tokens, spec.tokens);
            QCOMPARE(back->kind, TokenizerKind::SentencePiece);
            QCOMPARE(back->bos, spec.bos);
            QCOMPARE(back->eos, spec.eos);
            QCOMPARE(back->unk, spec.unk);
            QCOMPARE(back->addBos, spec.addBos);
            QCOMPARE(back->addSpacePrefix, spec.addSpacePrefix);
            QCOMPARE(back->byteFallback, spec.byteFallback);
            QCOMPARE(back->types, spec.types);
            const auto a = makeTokenizer(spec), b = makeTokenizer(*back);
            const Ids ea = a->encode(probe, true), eb = b->encode(probe, true);
            size_t at = 0;
            while (at < ea.size() && at < eb.size() && ea[at] == eb[at]) ++at;
            QVERIFY2(ea == eb, qPrintable(QStringLiteral("%1: ids differ at %2 of %3").arg(name).arg(at).arg(ea.size())));
            QCOMPARE(b->decode(b->encode(probe, true)), a->decode(a->encode(probe, true)));
        }
        // tokenizer_config.json names the special tokens.
        const auto config = tokenizerConfigJsonText(specs[0].second);
        QVERIFY(config.ok());
        QVERIFY(config->find("\"bos_token\": \"<s>\"") != std::string::npos);
        // Written to disk and read back through the file entry point.
        const std::string dir = test::scratchDir("tokenizer-json");
        QVERIFY(writeTokenizerJson(specs[1].second, dir + "/tokenizer.json").ok());
        QVERIFY(parseTokenizerJson(dir + "/tokenizer.json").ok());
    }

    void tokenizerJsonWriterErrors()
    {
        TokenizerSpec spec = makeRandomTokenizer(300);
        spec.tokens[300 - 1] = spec.tokens[300 - 2];
        auto dup = tokenizerJsonText(spec);
        QVERIFY(!dup.ok());
        QVERIFY(dup.error().message.find("same piece") != std::string::npos);
        spec = makeRandomTokenizer(300);
        spec.tokens[299].assign(1, char(0xC3));
        QVERIFY(tokenizerJsonText(spec).error().message.find("not valid UTF-8") != std::string::npos);
        QVERIFY(!tokenizerJsonText(TokenizerSpec{}).ok());
    }

    void tokenizerJsonRealVocabularies()
    {
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        PRECIS_REQUIRE_SHARED("data/text/tinystories-head.txt");
        auto model = gguf::loadModel(test::sharedPath("data/models/stories260K.gguf"));
        QVERIFY(model.ok());
        const TokenizerSpec& spec = (*model)->tokenizer;
        auto text = tokenizerJsonText(spec);
        QVERIFY(text.ok());
        auto back = parseTokenizerJsonText(*text, "stories260K");
        QVERIFY(back.ok());
        const std::string corpus = readTextFile(test::sharedPath("data/text/tinystories-head.txt")).value().substr(0, 200000);
        const Ids want = makeTokenizer(spec)->encode(corpus, true);
        QCOMPARE(makeTokenizer(*back)->encode(corpus, true), want);

        PRECIS_REQUIRE_SHARED("data/models/fake-gpt2/tokenizer.json");
        auto gpt2 = parseTokenizerJson(test::sharedPath("data/models/fake-gpt2/tokenizer.json"));
        QVERIFY(gpt2.ok());
        auto gtext = tokenizerJsonText(*gpt2);
        QVERIFY(gtext.ok());
        auto gback = parseTokenizerJsonText(*gtext, "gpt2");
        QVERIFY2(gback.ok(), gback.ok() ? "" : gback.error().toString().c_str());
        QCOMPARE(gback->merges, gpt2->merges);
        QCOMPARE(gback->pre, gpt2->pre);
        QCOMPARE(makeTokenizer(*gback)->encode(corpus.substr(0, 20000), false),
                 makeTokenizer(*gpt2)->encode(corpus.substr(0, 20000), false));
    }
};

QTEST_GUILESS_MAIN(TestTrain)
#include "tst_train.moc"
