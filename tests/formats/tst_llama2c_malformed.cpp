// Malformed llama2.c model.bin / tokenizer.bin: each case fails with a message
// naming the file and the header field or token (run under ASan: label malformed).
#include "formats/llama2c.h"
#include "llama2c_fixtures.h"
#include "test_support.h"

#include <climits>
#include <filesystem>

using namespace precis;
using namespace precis::test;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

void setI32(std::vector<char>& b, size_t offset, int32_t v) { std::memcpy(b.data() + offset, &v, 4); }

// Offset of token i's score field in a tokenizer.bin serialized from `v`.
size_t tokenOffset(const std::vector<char>& b, int index)
{
    size_t off = 4;
    for (int i = 0; i < index; ++i) {
        int32_t len;
        std::memcpy(&len, b.data() + off + 4, 4);
        off += 8 + size_t(len);
    }
    return off;
}

} // namespace

class TestLlama2cMalformed : public QObject {
    Q_OBJECT
private slots:
    void header_data()
    {
        QTest::addColumn<int>("field");  // index of the i32 in the header, -1: none
        QTest::addColumn<int>("value");
        QTest::addColumn<QString>("what");
        auto row = [](const char* tag, int field, int value, const char* what) {
            QTest::newRow(tag) << field << value << QString(what);
        };
        row("dim negative", 0, -16, "header field dim = -16, expected 1..65536");
        row("dim zero", 0, 0, "header field dim = 0");
        row("dim absurd", 0, 1 << 30, "header field dim = 1073741824");
        row("hidden_dim zero", 1, 0, "header field hidden_dim = 0");
        row("hidden_dim absurd", 1, INT_MAX, "header field hidden_dim = 2147483647");
        row("n_layers negative", 2, -1, "header field n_layers = -1");
        row("n_layers absurd", 2, 100000, "header field n_layers = 100000, expected 1..4096");
        row("n_heads zero", 3, 0, "header field n_heads = 0");
        row("n_heads above dim", 3, 32, "header field n_heads = 32, expected 1..16");
        row("n_heads not dividing", 3, 3, "header field n_heads = 3 does not divide dim = 16");
        row("odd head size", 3, 16, "header field n_heads = 16 gives an odd head size 1");
        row("n_kv_heads zero", 4, 0, "header field n_kv_heads = 0");
        row("n_kv_heads above heads", 4, 8, "header field n_kv_heads = 8, expected 1..4");
        row("n_kv_heads not dividing", 4, 3, "header field n_kv_heads = 3 does not divide n_heads = 4");
        row("vocab zero", 5, 0, "header field vocab_size (absolute value) = 0");
        row("vocab INT_MIN", 5, INT_MIN, "header field vocab_size (absolute value) = 2147483648");
        row("seq_len zero", 6, 0, "header field seq_len = 0");
        row("seq_len negative", 6, -8, "header field seq_len = -8");
        row("vocab sign flipped", 5, -12, "the sign of vocab_size is wrong");
        row("versioned export", 0, 0x616b3432, "versioned export (magic \"ak42\") is not supported");
    }
    void header()
    {
        QFETCH(int, field);
        QFETCH(int, value);
        QFETCH(QString, what);
        const std::string dir = scratchDir("l2c-bad-header");
        std::vector<char> b = serializeLlama2c(makeLlama2cModel(5, true));
        setI32(b, size_t(field) * 4, value);
        writeChars(dir + "/model.bin", b);
        writeChars(dir + "/tokenizer.bin", serializeLlama2cTokenizer(makeLlama2cVocab(12)));
        auto r = llama2c::loadModel(dir + "/model.bin", "");
        QVERIFY2(!r.ok(), "loaded");
        const std::string msg = r.error().toString();
        QVERIFY2(contains(msg, dir + "/model.bin: "), msg.c_str());
        QVERIFY2(contains(msg, what.toStdString()), msg.c_str());
    }

    void fileSize()
    {
        const std::string dir = scratchDir("l2c-size");
        writeChars(dir + "/tokenizer.bin", serializeLlama2cTokenizer(makeLlama2cVocab(12)));
        const std::vector<char> full = serializeLlama2c(makeLlama2cModel(6, true));
        const std::string path = dir + "/model.bin";
        // Truncated at many lengths, and one byte / one float too long.
        for (size_t cut : {size_t(0), size_t(3), size_t(27), size_t(28), size_t(29), size_t(500), full.size() / 2,
                           full.size() - 4, full.size() - 1, full.size() + 1, full.size() + 4}) {
            std::vector<char> b = full;
            b.resize(cut, '\0');
            writeChars(path, b);
            auto r = llama2c::loadModel(path, "");
            QVERIFY2(!r.ok(), ("size " + std::to_string(cut)).c_str());
            const std::string msg = r.error().toString();
            QVERIFY2(contains(msg, path + ": "), msg.c_str());
            if (cut < 28)
                QVERIFY2(contains(msg, "file is " + std::to_string(cut) + " bytes, too short for the 28-byte"), msg.c_str());
            else
                QVERIFY2(contains(msg, "file is " + std::to_string(cut) + " bytes, expected " + std::to_string(full.size())),
                         msg.c_str());
        }
        writeChars(path, full);
        QVERIFY(llama2c::loadModel(path, "").ok());
    }

    void missingTokenizer()
    {
        const std::string dir = scratchDir("l2c-no-tok");
        writeChars(dir + "/model.bin", serializeLlama2c(makeLlama2cModel(7, true)));
        auto r = llama2c::loadModel(dir + "/model.bin", "");
        QVERIFY(!r.ok());
        QVERIFY2(contains(r.error().toString(), dir + "/model.bin: no tokenizer: " + dir + "/tokenizer.bin not found"),
                 r.error().toString().c_str());
        auto e = llama2c::loadModel(dir + "/model.bin", dir + "/other.bin");
        QVERIFY(!e.ok() && contains(e.error().toString(), dir + "/other.bin"));
    }

    void tokenizer_data()
    {
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<QString>("what");
        auto row = [](const char* m, const char* what) { QTest::newRow(m) << QString(m) << QString(what); };
        row("empty file", "file is 0 bytes, too short for max_token_length");
        row("max_token_length zero", "field max_token_length = 0, expected 1..65536");
        row("max_token_length negative", "field max_token_length = -5");
        row("length negative", "token 4: length is -1, expected 0..");
        row("length above max", "token 4: length is 7, expected 0..6 (max_token_length)");
        row("length lying past end", "token 11: length 6 runs past the end of the file (5 bytes left");
        row("cut in score", "token 7: file ends at byte");
        row("fewer tokens than vocab", "token 12: file ends at byte");
        row("more tokens than vocab", "bytes remain after 12 tokens: the file holds more tokens than the expected 12");
        row("nan score", "token 6: score is not a finite number");
        row("too few tokens", "holds 2 tokens, expected at least 3");
    }
    void tokenizer()
    {
        QFETCH(QString, mutation);
        QFETCH(QString, what);
        const std::string m = mutation.toStdString();
        const std::string dir = scratchDir("l2c-bad-tok");
        std::vector<char> b = serializeLlama2cTokenizer(makeLlama2cVocab(m == "more tokens than vocab" ? 13 : 12));
        int expected = 12;
        int32_t maxLen;
        std::memcpy(&maxLen, b.data(), 4);
        QCOMPARE(maxLen, 6);  // "\n</s>\n", "<0x0A>": the longest pieces as written
        if (m == "empty file") b.clear();
        if (m == "max_token_length zero") setI32(b, 0, 0);
        if (m == "max_token_length negative") setI32(b, 0, -5);
        if (m == "length negative") setI32(b, tokenOffset(b, 4) + 4, -1);
        if (m == "length above max") setI32(b, tokenOffset(b, 4) + 4, 7);
        if (m == "length lying past end") setI32(b, tokenOffset(b, 11) + 4, 6);
        if (m == "cut in score") b.resize(tokenOffset(b, 7) + 2);
        if (m == "fewer tokens than vocab") expected = 13;
        if (m == "nan score") {
            const float nan = std::numeric_limits<float>::quiet_NaN();
            std::memcpy(b.data() + tokenOffset(b, 6), &nan, 4);
        }
        if (m == "too few tokens") { b.resize(tokenOffset(b, 2)); expected = 0; }
        const std::string path = dir + "/tokenizer.bin";
        writeChars(path, b);
        auto r = llama2c::loadTokenizer(path, expected);
        QVERIFY2(!r.ok(), "loaded");
        const std::string msg = r.error().toString();
        QVERIFY2(contains(msg, path + ": "), msg.c_str());
        QVERIFY2(contains(msg, what.toStdString()), msg.c_str());
    }

    void tokenizerTruncatedEverywhere()
    {
        const std::string path = scratchDir("l2c-tok-trunc") + "/tokenizer.bin";
        const std::vector<char> full = serializeLlama2cTokenizer(makeLlama2cVocab(12));
        for (size_t cut = 0; cut < full.size(); ++cut) {
            writeChars(path, std::vector<char>(full.begin(), full.begin() + std::ptrdiff_t(cut)));
            auto r = llama2c::loadTokenizer(path, 12);
            QVERIFY2(!r.ok(), ("cut at " + std::to_string(cut)).c_str());
            QVERIFY(contains(r.error().toString(), path));
        }
        writeChars(path, full);
        QVERIFY(llama2c::loadTokenizer(path, 12).ok());
    }

    void tokenizerVocabMismatchThroughModel()
    {
        // model.bin says 12 tokens, tokenizer.bin holds 20: the model load fails naming the tokenizer.
        const std::string dir = scratchDir("l2c-vocab-mismatch");
        writeChars(dir + "/model.bin", serializeLlama2c(makeLlama2cModel(9, false)));
        writeChars(dir + "/tokenizer.bin", serializeLlama2cTokenizer(makeLlama2cVocab(20)));
        auto r = llama2c::loadModel(dir + "/model.bin", "");
        QVERIFY(!r.ok());
        QVERIFY2(contains(r.error().toString(), dir + "/tokenizer.bin: ") &&
                     contains(r.error().toString(), "more tokens than the expected 12 (the model's vocab_size)"),
                 r.error().toString().c_str());
    }
};

QTEST_GUILESS_MAIN(TestLlama2cMalformed)
#include "tst_llama2c_malformed.moc"
