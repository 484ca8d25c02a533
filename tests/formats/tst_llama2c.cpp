// llama2.c checkpoints and tokenizer.bin: stories260K's real tokenizer (tok512.bin)
// against the GGUF vocabulary, and generated model.bin files (shared and
// separate classifier) compared value by value.
#include "formats/gguf.h"
#include "formats/llama2c.h"
#include "llama2c_fixtures.h"
#include "test_support.h"

using namespace precis;
using namespace precis::test;

namespace {

std::vector<float> valuesOf(const Tensor& t)
{
    std::vector<float> v(size_t(t.numel()));
    std::memcpy(v.data(), t.data, v.size() * 4);
    return v;
}

} // namespace

class TestLlama2c : public QObject {
    Q_OBJECT
private slots:
    void tok512MatchesGgufVocab()
    {
        PRECIS_REQUIRE_SHARED("data/models/tok512.bin");
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        auto tok = llama2c::loadTokenizer(sharedPath("data/models/tok512.bin"), 512);
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
        auto file = gguf::File::open(sharedPath("data/models/stories260K.gguf"));
        QVERIFY(file.ok());
        auto ref = gguf::readTokenizer(*file);
        QVERIFY2(ref.ok(), ref.ok() ? "" : ref.error().toString().c_str());
        QCOMPARE(tok->kind, TokenizerKind::SentencePiece);
        QCOMPARE(ref->tokens.size(), size_t(512));
        QCOMPARE(tok->tokens.size(), ref->tokens.size());
        for (size_t i = 0; i < ref->tokens.size(); ++i) {
            QCOMPARE(tok->tokens[i], ref->tokens[i]);
            QCOMPARE(tok->scores[i], ref->scores[i]);
            QCOMPARE(int(tok->types[i]), int(ref->types[i]));
        }
        QCOMPARE(tok->tokens[265], std::string("\xE2\x96\x81the"));  // " the" in the file
        QCOMPARE(tok->scores[265], -6.0f);
        QCOMPARE(tok->unk, ref->unk);
        QCOMPARE(tok->bos, ref->bos);
        QCOMPARE(tok->eos, ref->eos);
        QVERIFY(tok->addBos);
    }

    void generatedModel_data()
    {
        QTest::addColumn<bool>("shared");
        QTest::addColumn<int>("kvHeads");
        QTest::newRow("shared classifier, GQA") << true << 2;
        QTest::newRow("separate classifier, GQA") << false << 2;
        QTest::newRow("separate classifier, MHA") << false << 4;
    }
    void generatedModel()
    {
        QFETCH(bool, shared);
        QFETCH(int, kvHeads);
        const std::string dir = scratchDir(std::string("l2c-") + (shared ? "shared-" : "wcls-") + std::to_string(kvHeads));
        const Llama2cModel ref = makeLlama2cModel(shared ? 11u : 12u + uint32_t(kvHeads), shared, kvHeads);
        const std::vector<char> bytes = serializeLlama2c(ref);
        // Size as run.c computes it: header + weights (+ wcls when not shared).
        const size_t C = 16, F = 24, L = 2, V = 12, KV = size_t(ref.kvDim()), T = 8, hd = 4;
        QCOMPARE(bytes.size(), 28 + 4 * (V * C + L * (2 * C + 2 * C * C + 2 * KV * C + 3 * F * C) + C + T * hd +
                                         (shared ? 0 : V * C)));
        writeChars(dir + "/model.bin", bytes);
        writeChars(dir + "/tokenizer.bin", serializeLlama2cTokenizer(makeLlama2cVocab(12)));

        auto r = llama2c::loadModel(dir + "/model.bin", "");  // tokenizer.bin found beside it
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const Model& m = **r;
        const ModelConfig& c = m.config;
        QCOMPARE(c.arch, Arch::Llama);
        QCOMPARE(c.nEmbd, 16);
        QCOMPARE(c.nFf, 24);
        QCOMPARE(c.nLayer, 2);
        QCOMPARE(c.nHead, 4);
        QCOMPARE(c.nHeadKv, kvHeads);
        QCOMPARE(c.nVocab, 12);
        QCOMPARE(c.nCtx, 8);
        QCOMPARE(c.normEps, 1e-5f);
        QCOMPARE(c.ropeTheta, 10000.0f);
        QCOMPARE(c.ropeLayout, RopeLayout::Interleaved);
        QCOMPARE(c.tiedOutput, shared);
        QCOMPARE(m.format, std::string("llama2c"));
        QCOMPARE(m.fileBytes, uint64_t(bytes.size()));
        QCOMPARE(m.tensors().size(), size_t(2 + 9 * 2 + (shared ? 0 : 1)));
        size_t compared = 0;
        for (const auto& [names, values] : ref.arrays) {
            const size_t per = values.size() / names.size();
            for (size_t k = 0; k < names.size(); ++k) {
                const Tensor* t = m.find(names[k]);
                QVERIFY2(t, names[k].c_str());
                QVERIFY(t->owner);  // a view on the mapping
                const std::vector<float> got = valuesOf(*t);
                QVERIFY2(std::equal(got.begin(), got.end(), values.begin() + std::ptrdiff_t(k * per)), names[k].c_str());
                QCOMPARE(got.size(), per);
                ++compared;
            }
        }
        QCOMPARE(compared, m.tensors().size());
        QCOMPARE(m.find("blk.1.attn_k.weight")->shape, (std::vector<int64_t>{int64_t(KV), 16}));
        QCOMPARE(m.find("blk.0.ffn_down.weight")->shape, (std::vector<int64_t>{16, 24}));
        QCOMPARE(m.tokenizer.tokens.size(), size_t(12));
    }

    void tokenizerConversion()
    {
        // tokenizer.py's encoding undone: spaces back to "▁", BOS/EOS unwrapped, types.
        const std::string dir = scratchDir("l2c-tok");
        const Llama2cVocab v = makeLlama2cVocab(40);
        writeChars(dir + "/tok.bin", serializeLlama2cTokenizer(v));
        auto tok = llama2c::loadTokenizer(dir + "/tok.bin", 40);
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
        QCOMPARE(tok->tokens, v.pieces);
        QCOMPARE(tok->scores, v.scores);
        QCOMPARE(tok->types[0], TokenType::Unknown);
        QCOMPARE(tok->types[1], TokenType::Control);
        QCOMPARE(tok->types[2], TokenType::Control);
        QCOMPARE(tok->types[3], TokenType::Byte);    // <0x0A>
        QCOMPARE(tok->types[4], TokenType::Byte);    // <0x41>
        QCOMPARE(tok->types[5], TokenType::Normal);  // ▁the
        QCOMPARE(tok->types[10], TokenType::Normal); // <0xzz> is not a byte token
        QCOMPARE(tok->unk, 0);
        QCOMPARE(tok->bos, 1);
        QCOMPARE(tok->eos, 2);
        QVERIFY(tok->addBos);
        QVERIFY(tok->byteFallback);
        // Without an expected count the file's own length decides.
        auto any = llama2c::loadTokenizer(dir + "/tok.bin", 0);
        QVERIFY(any.ok());
        QCOMPARE(any->tokens.size(), size_t(40));
    }

    void explicitTokenizerPath()
    {
        const std::string dir = scratchDir("l2c-explicit");
        writeChars(dir + "/stories.bin", serializeLlama2c(makeLlama2cModel(3, true)));
        writeChars(dir + "/vocab12.bin", serializeLlama2cTokenizer(makeLlama2cVocab(12)));
        auto r = llama2c::loadModel(dir + "/stories.bin", dir + "/vocab12.bin");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE((*r)->tokenizer.tokens[5], std::string("\xE2\x96\x81the"));
    }
};

QTEST_GUILESS_MAIN(TestLlama2c)
#include "tst_llama2c.moc"
