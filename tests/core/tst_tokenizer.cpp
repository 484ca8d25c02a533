// Tokenizers: Unicode tables, pre-tokenizer splits, SentencePiece (score and
// rank merges) and byte-level BPE on vocabularies built here with hand-computed
// ids; then golden ids against llama.cpp's test vectors and the references in
// ../shared. Round trip asserted: decode(encode(s)) == s for every vector
// string (no vector string contains U+2581, the one character SentencePiece
// cannot give back) and for random bytes through byte-level BPE.
#include "formats/gguf.h"
#include "formats/llama2c.h"
#include "formats/tokenizer_json.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <set>
#include <sstream>

using namespace precis;
using Ids = std::vector<int32_t>;

namespace {

const std::string kSp = "\xE2\x96\x81";  // "▁"

std::shared_ptr<const Tokenizer> make(const TokenizerSpec& spec)
{
    auto r = Tokenizer::create(spec);
    if (!r.ok())
        qWarning("%s", r.error().toString().c_str());
    return r.ok() ? *r : nullptr;
}

// <unk> <s> </s> <0x00>..<0xFF> then the pieces below (ids 259..).
// Scores make "bc" win over "ab" although "▁ab" would score best.
TokenizerSpec tinySpm(bool withScores)
{
    TokenizerSpec s;
    s.kind = TokenizerKind::SentencePiece;
    s.tokens = {"<unk>", "<s>", "</s>"};
    s.types = {TokenType::Unknown, TokenType::Control, TokenType::Control};
    static const char* kHex = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
        s.tokens.push_back(std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">");
        s.types.push_back(TokenType::Byte);
    }
    const std::vector<std::pair<std::string, float>> pieces = {
        {kSp, -1.0f}, {"a", -2.0f}, {"b", -3.0f}, {"c", -4.0f},            // 259..262
        {"ab", -0.5f}, {"bc", -0.2f}, {kSp + "a", -0.8f}, {kSp + "ab", -0.1f},  // 263..266
        {"aa", -0.3f}, {"<x>", 0.0f},                                       // 267, 268
    };
    s.scores.assign(s.tokens.size(), 0.0f);
    for (const auto& [p, sc] : pieces) {
        s.tokens.push_back(p);
        s.scores.push_back(sc);
        s.types.push_back(p == "<x>" ? TokenType::UserDefined : TokenType::Normal);
    }
    if (!withScores) {
        s.scores.clear();
        s.merges = {"b c", kSp + " a", "a b", kSp + " ab", "a a"};
    }
    s.bos = 1;
    s.eos = 2;
    s.unk = 0;
    s.addBos = true;
    return s;
}

// Byte-level BPE: ids 0..255 are the byte characters in byte order, then merges.
TokenizerSpec tinyBpe()
{
    TokenizerSpec s;
    s.kind = TokenizerKind::ByteLevelBpe;
    s.pre = "gpt2";
    for (int b = 0; b < 256; ++b)
        s.tokens.push_back(unicode::bytesToByteLevel(std::string(1, char(b))));
    s.merges = {"\xC4\xA0 t", "h e", "\xC4\xA0t he", "e r"};  // ranks 0..3 -> ids 256..259
    for (const char* p : {"\xC4\xA0t", "he", "\xC4\xA0the", "er", "<|endoftext|>", "<tool>"})
        s.tokens.push_back(p);
    s.types.assign(s.tokens.size(), TokenType::Normal);
    s.types[260] = TokenType::Control;
    s.types[261] = TokenType::UserDefined;
    s.bos = s.eos = 260;
    return s;
}

std::string readAll(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// llama.cpp test-tokenizer-0 layout: inputs separated by the marker line, one
// output line of ids per input.
std::vector<std::pair<std::string, Ids>> readVectors(const std::string& gguf)
{
    const std::string inp = readAll(gguf + ".inp");
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> texts;
    for (size_t pos = 0, hit; (hit = inp.find(sep, pos)) != std::string::npos; pos = hit + sep.size())
        texts.push_back(inp.substr(pos, hit - pos));
    std::istringstream out(readAll(gguf + ".out"));
    std::vector<std::pair<std::string, Ids>> vectors;
    std::string line;
    for (const std::string& t : texts) {
        std::getline(out, line);
        Ids ids;
        std::istringstream ls(line);
        for (int32_t id; ls >> id;) ids.push_back(id);
        vectors.emplace_back(t, ids);
    }
    return vectors;
}

std::shared_ptr<const Tokenizer> fromGguf(const std::string& rel)
{
    auto file = gguf::File::open(test::sharedPath(rel));
    if (!file.ok()) {
        qWarning("%s", file.error().toString().c_str());
        return nullptr;
    }
    auto spec = gguf::readTokenizer(*file);
    if (!spec.ok()) {
        qWarning("%s", spec.error().toString().c_str());
        return nullptr;
    }
    return make(*spec);
}

std::shared_ptr<const Tokenizer> fromJson(const std::string& rel)
{
    auto spec = parseTokenizerJson(test::sharedPath(rel));
    if (!spec.ok()) {
        qWarning("%s", spec.error().toString().c_str());
        return nullptr;
    }
    return make(*spec);
}

QString show(const Ids& ids)
{
    QStringList s;
    for (int32_t id : ids) s << QString::number(id);
    return s.join(' ');
}

// Every vector gives exactly its ids, and decodes back to its text.
void checkVectors(const Tokenizer& tok, const std::string& ggufRel)
{
    const auto vectors = readVectors(test::sharedPath(ggufRel));
    QCOMPARE(vectors.size(), size_t(46));
    for (const auto& [text, expected] : vectors) {
        const Ids got = tok.encode(text, false);
        if (got != expected)
            QFAIL(qPrintable(QStringLiteral("text \"%1\"\n   got: %2\nexpect: %3")
                                 .arg(QString::fromStdString(text), show(got), show(expected))));
        QCOMPARE(tok.decode(got), text);
        QCOMPARE(tok.decode(tok.encode(text, true)), text);
    }
}

// stories260K.json "tokenization": the whole text file with BOS.
void checkStories(const Tokenizer& tok)
{
    const auto ref = nlohmann::json::parse(readAll(test::sharedPath("reference/stories260K.json")))["tokenization"];
    const std::string text = readAll(test::sharedPath(ref["text_file"].get<std::string>()));
    const Ids ids = tok.encode(text, true);
    QCOMPARE(ids.size(), ref["n_tokens"].get<size_t>());
    const Ids first = ref["first_200_ids"].get<Ids>(), last = ref["last_50_ids"].get<Ids>();
    QCOMPARE(Ids(ids.begin(), ids.begin() + long(first.size())), first);
    QCOMPARE(Ids(ids.end() - long(last.size()), ids.end()), last);
    QCOMPARE(tok.decode(ids), text);
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT
private slots:
    void unicodeClasses()
    {
        QVERIFY(unicode::isLetter(0xE9));      // é
        QVERIFY(unicode::isLetter(0x6211));    // 我
        QVERIFY(unicode::isLetter(0x1D400));   // mathematical bold A (Lu, astral)
        QVERIFY(!unicode::isLetter('3'));
        QVERIFY(unicode::isNumber(0x663));     // ٣ Arabic-Indic three (Nd)
        QVERIFY(unicode::isNumber(0xBD));      // ½ (No)
        QVERIFY(unicode::isNumber(0x2167));    // Ⅷ (Nl)
        QVERIFY(!unicode::isNumber('a'));
        QVERIFY(unicode::isWhitespace(0x3000));  // ideographic space
        QVERIFY(unicode::isWhitespace(0x85));
        QVERIFY(unicode::isWhitespace('\t') && unicode::isWhitespace('\r') && unicode::isWhitespace(' '));
        QVERIFY(!unicode::isWhitespace(0x1C));   // Python's isspace() says yes; White_Space says no
        QVERIFY(!unicode::isWhitespace(0x200B)); // zero width space is Cf
        for (uint32_t cp : {uint32_t('!'), 0x2581u, 0x1F600u, 0xFFFDu, 0x10FFFFu})
            QVERIFY(!unicode::isLetter(cp) && !unicode::isNumber(cp) && !unicode::isWhitespace(cp));
    }
    void utf8()
    {
        for (uint32_t cp : {0x24u, 0xA2u, 0x939u, 0x20ACu, 0xD7FFu, 0xE000u, 0x10348u, 0x10FFFFu}) {
            std::string s;
            unicode::appendUtf8(s, cp);
            const auto c = unicode::decodeUtf8(s, 0);
            QVERIFY(c.valid);
            QCOMPARE(c.codepoint, cp);
            QCOMPARE(size_t(c.length), s.size());
        }
        QCOMPARE(unicode::decodeUtf8("\xE2\x82\xAC", 0).codepoint, 0x20ACu);  // €, from RFC 3629
        for (const char* bad : {"\x80", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\xF8\x88\x80\x80\x80"}) {
            const auto c = unicode::decodeUtf8(bad, 0);
            QVERIFY(!c.valid);
            QCOMPARE(c.length, 1u);
        }
        QVERIFY(unicode::isValidUtf8("F\xC3\xBChrer"));
        QVERIFY(!unicode::isValidUtf8("F\xC3hrer"));
    }
    void byteLevelAlphabet()
    {
        QCOMPARE(unicode::byteToCodepoint(' '), 0x120u);   // Ġ
        QCOMPARE(unicode::byteToCodepoint('\n'), 0x10Au);  // Ċ
        QCOMPARE(unicode::byteToCodepoint('A'), uint32_t('A'));
        QCOMPARE(unicode::byteToCodepoint(0x7F), 0x121u);  // 33 bytes 0..32 come first
        QCOMPARE(unicode::byteToCodepoint(0xAD), 0x143u);  // the last of the 68 remapped bytes
        std::set<uint32_t> seen;
        for (int b = 0; b < 256; ++b) {
            const uint32_t cp = unicode::byteToCodepoint(uint8_t(b));
            QVERIFY(seen.insert(cp).second);
            QCOMPARE(unicode::codepointToByte(cp), b);
            QVERIFY(!unicode::isWhitespace(cp));
        }
        std::string all;
        for (int b = 0; b < 256; ++b) all += char(b);
        QCOMPARE(unicode::byteLevelToBytes(unicode::bytesToByteLevel(all)), all);
    }
    void preTokenizers_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("words");
        using P = tokenizer_detail::PreTokenizer;
        const auto row = [](const char* name, P k, const char* text, QStringList w) {
            QTest::newRow(name) << int(k) << QString::fromUtf8(text) << w;
        };
        row("gpt2 words", P::Gpt2, "Hello world", {"Hello", " world"});
        row("gpt2 spaces", P::Gpt2, "   Hello", {"  ", " Hello"});
        row("gpt2 contractions", P::Gpt2, "I'm 33 ok!! 'RE", {"I", "'m", " 33", " ok", "!!", " '", "RE"});
        row("gpt2 newline run", P::Gpt2, "a\n\n b", {"a", "\n\n", " b"});
        row("gpt2 trailing", P::Gpt2, "x  ", {"x", "  "});
        row("gpt2 tab", P::Gpt2, "\tx", {"\t", "x"});
        row("gpt2 unicode", P::Gpt2, "caf\xC3\xA9 \xD9\xA3\xD9\xA3\xE3\x80\x80z", {"caf\xC3\xA9", " \xD9\xA3\xD9\xA3", "\xE3\x80\x80", "z"});
        row("llama3 digits", P::Llama3, "Hello 12345", {"Hello", " ", "123", "45"});
        row("llama3 case", P::Llama3, "don'T (x", {"don", "'T", " (", "x"});
        row("llama3 crlf", P::Llama3, "a\r\n  b", {"a", "\r\n", " ", " b"});
        row("llama3 punct newline", P::Llama3, "a.\n\nb", {"a", ".\n\n", "b"});
        row("qwen2 digits", P::Qwen2, "x123", {"x", "1", "2", "3"});
        row("digits then gpt2", P::DigitsThenGpt2, " 123a", {" ", "1", "2", "3", "a"});
    }
    void preTokenizers()
    {
        QFETCH(int, kind);
        QFETCH(QString, text);
        QFETCH(QStringList, words);
        const std::string utf8 = text.toStdString();
        QStringList got;
        for (const auto w : tokenizer_detail::preTokenize(utf8, tokenizer_detail::PreTokenizer(kind)))
            got << QString::fromStdString(std::string(w));
        QCOMPARE(got, words);
    }
    void preTokenizerInvalidUtf8()
    {
        // Invalid bytes are "other" characters: they group like punctuation and survive byte for byte.
        const auto words = tokenizer_detail::preTokenize("a\xFF\xFE b", tokenizer_detail::PreTokenizer::Gpt2);
        QCOMPARE(words.size(), size_t(3));
        QCOMPARE(std::string(words[1]), std::string("\xFF\xFE"));
    }
    void spmByScore()
    {
        const auto tok = make(tinySpm(true));
        QVERIFY(tok);
        // "▁abc": bc (-0.2) merges before ab (-0.5) and ▁a (-0.8); ▁ab (-0.1) never forms.
        QCOMPARE(tok->encode("abc", false), (Ids{265, 264}));
        // "▁ab": ab, then ▁ab.
        QCOMPARE(tok->encode("ab", false), (Ids{266}));
        // Spaces become ▁; é has no piece and falls back to <0xC3> <0xA9> (3 + byte).
        QCOMPARE(tok->encode("a b\xC3\xA9", true), (Ids{1, 265, 259, 261, 3 + 0xC3, 3 + 0xA9}));
        QCOMPARE(tok->encode("", false), Ids{});
        QCOMPARE(tok->encode("", true), Ids{1});
        // A user-defined piece is matched literally; "▁" is prefixed again after it.
        QCOMPARE(tok->encode("a<x>b", false), (Ids{265, 268, 259, 261}));
        QCOMPARE(tok->decode(Ids{1, 265, 259, 261, 3 + 0xC3, 3 + 0xA9, 2}), std::string("a b\xC3\xA9"));
        QCOMPARE(tok->decode(Ids{259, 265}), std::string(" a"));  // only one prefix space is dropped
        QCOMPARE(tok->decode(Ids{-5, 99999}), std::string());
        QCOMPARE(tok->tokenText(1), std::string("<s>"));
        QCOMPARE(tok->tokenText(265), std::string(" a"));
        QCOMPARE(tok->tokenText(3 + 0x41), std::string("A"));
        for (const char* s : {"abc", " ab  c", "a<x>b", "\xE6\x88\x91 a", "\xFF\x01"})
            QCOMPARE(tok->decode(tok->encode(s, true)), std::string(s));
        // Ties between equal scores go to the leftmost pair: "aaa" -> aa a.
        TokenizerSpec noPrefix = tinySpm(true);
        noPrefix.addSpacePrefix = false;
        QCOMPARE(make(noPrefix)->encode("aaa", false), (Ids{267, 260}));
    }
    void spmByRank()
    {
        const auto tok = make(tinySpm(false));
        QVERIFY(tok);
        // Ranks: "b c" 0, "▁ a" 1, "a b" 2, "▁ ab" 3. "▁ab": ▁a first, then no rule "▁a b".
        QCOMPARE(tok->encode("ab", false), (Ids{265, 261}));
        QCOMPARE(tok->encode("abc", false), (Ids{265, 264}));
        QCOMPARE(tok->encode("b\xC3\xA9", false), (Ids{259, 261, 3 + 0xC3, 3 + 0xA9}));
        QCOMPARE(tok->decode(tok->encode(" ab c\xC3\xA9", true)), std::string(" ab c\xC3\xA9"));
    }
    void byteLevelBpe()
    {
        const auto tok = make(tinyBpe());
        QVERIFY(tok);
        QCOMPARE(tok->encode(" the", false), (Ids{258}));
        QCOMPARE(tok->encode("the", false), (Ids{'t', 257}));
        // " there": Ġt, he, Ġthe; "e r" (rank 3) has lost its e.
        QCOMPARE(tok->encode("Hi  there", false), (Ids{'H', 'i', ' ', 258, 'r', 'e'}));
        QCOMPARE(tok->encode("\xFF\xFE" "a", false), (Ids{255, 254, 'a'}));
        // Control tokens are not matched in text; user-defined ones are.
        const Ids eot = tok->encode("<|endoftext|>", false);
        QCOMPARE(eot.size(), size_t(13));  // no merges apply: one id per byte
        QVERIFY(std::find(eot.begin(), eot.end(), 260) == eot.end());
        QCOMPARE(tok->encode("x<tool>y", true), (Ids{260, 'x', 261, 'y'}));
        QCOMPARE(tok->decode(Ids{260, 'x', 261, 258, 260}), std::string("x<tool> the"));
        QCOMPARE(tok->tokenText(260), std::string("<|endoftext|>"));
        QCOMPARE(tok->tokenText(256), std::string(" t"));
        std::mt19937 rng(12345);
        for (int i = 0; i < 200; ++i) {
            std::string s(size_t(rng() % 40), '\0');
            for (char& c : s) c = char(rng() % 6 == 0 ? ' ' : rng() % 256);
            QCOMPARE(tok->decode(tok->encode(s, false)), s);
        }
    }
    void createErrors()
    {
        const auto message = [](const TokenizerSpec& s) {
            auto r = Tokenizer::create(s);
            return r.ok() ? std::string("(ok)") : r.error().toString();
        };
        TokenizerSpec s = tinyBpe();
        s.kind = TokenizerKind::None;
        QVERIFY(message(s).find("no tokenizer") != std::string::npos);
        s = tinyBpe();
        s.tokens.clear();
        s.types.clear();
        QVERIFY(message(s).find("empty") != std::string::npos);
        s = tinyBpe();
        s.bos = 262;
        QCOMPARE(message(s), std::string("tokenizer: bos id 262 is out of range: the vocabulary has 262 tokens "
                                         "(expected -1 for none, or 0..261)"));
        s = tinyBpe();
        s.merges.push_back("h zz");
        QCOMPARE(message(s), std::string("tokenizer: merges[4] 'h zz': 'zz' is not a token of the vocabulary"));
        s = tinyBpe();
        s.merges.push_back("nospace");
        QVERIFY(message(s).find("merges[4] 'nospace': expected two pieces") != std::string::npos);
        s = tinyBpe();
        s.pre = "mystery";
        QVERIFY(message(s).find("pre-tokenizer 'mystery' is not supported") != std::string::npos);
        s = tinySpm(true);
        s.scores.pop_back();
        QVERIFY(message(s).find("scores has 268 entries, expected one per token (269)") != std::string::npos);
        s = tinySpm(true);
        s.scores.clear();
        QVERIFY(message(s).find("needs either scores or merges") != std::string::npos);
    }
    void llama2cStyleSpecWithoutTypes()
    {
        // tokenizer.bin gives pieces and scores only: bos/eos become control and
        // "<0xNN>" pieces bytes by convention.
        TokenizerSpec s = tinySpm(true);
        s.types.clear();
        const auto tok = make(s);
        QVERIFY(tok);
        QCOMPARE(tok->encode("b\xC3\xA9", true), (Ids{1, 259, 261, 3 + 0xC3, 3 + 0xA9}));
        QCOMPARE(tok->decode(Ids{1, 259, 261, 3 + 0xC3, 3 + 0xA9, 2}), std::string("b\xC3\xA9"));
    }

    // ---- golden data from ../shared ----
    void gpt2VectorsFromTokenizerJson()
    {
        PRECIS_REQUIRE_SHARED("data/tokenizer-vectors/ggml-vocab-gpt-2.gguf.inp");
        PRECIS_REQUIRE_SHARED("data/tokenizer-vectors/ggml-vocab-gpt-2.gguf.out");
        PRECIS_REQUIRE_SHARED("data/models/fake-gpt2/tokenizer.json");
        const auto tok = fromJson("data/models/fake-gpt2/tokenizer.json");
        QVERIFY(tok);
        QCOMPARE(tok->vocabSize(), size_t(50257));
        QCOMPARE(tok->bos(), 50256);
        checkVectors(*tok, "data/tokenizer-vectors/ggml-vocab-gpt-2.gguf");
    }
    void gpt2VectorsFromGguf()
    {
        PRECIS_REQUIRE_SHARED("data/tokenizer-vectors/ggml-vocab-gpt-2.gguf");
        PRECIS_REQUIRE_SHARED("data/tokenizer-vectors/ggml-vocab-gpt-2.gguf.out");
        const auto tok = fromGguf("data/tokenizer-vectors/ggml-vocab-gpt-2.gguf");
        QVERIFY(tok);
        checkVectors(*tok, "data/tokenizer-vectors/ggml-vocab-gpt-2.gguf");
    }
    void spmVectorsFromGguf()
    {
        PRECIS_REQUIRE_SHARED("data/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
        PRECIS_REQUIRE_SHARED("data/tokenizer-vectors/ggml-vocab-llama-spm.gguf.out");
        const auto tok = fromGguf("data/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
        QVERIFY(tok);
        QCOMPARE(tok->vocabSize(), size_t(32000));
        checkVectors(*tok, "data/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
    }
    void fakeGpt2ReferenceIds()
    {
        PRECIS_REQUIRE_SHARED("reference/fake-gpt2-logits.json");
        PRECIS_REQUIRE_SHARED("data/models/fake-gpt2/tokenizer.json");
        const auto ref = nlohmann::json::parse(readAll(test::sharedPath("reference/fake-gpt2-logits.json")));
        const auto tok = fromJson("data/models/fake-gpt2/tokenizer.json");
        QVERIFY(tok);
        const std::string text = ref["text"].get<std::string>();
        QCOMPARE(tok->encode(text, false), ref["ids"].get<Ids>());
        QCOMPARE(tok->decode(tok->encode(text, false)), text);
    }
    void stories260KFromGguf()
    {
        PRECIS_REQUIRE_SHARED("reference/stories260K.json");
        PRECIS_REQUIRE_SHARED("data/text/tinystories-head.txt");
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        const auto tok = fromGguf("data/models/stories260K.gguf");
        QVERIFY(tok);
        QVERIFY(tok->addBosByDefault());
        checkStories(*tok);
    }
    void stories260KFromTokenizerJson()
    {
        PRECIS_REQUIRE_SHARED("reference/stories260K.json");
        PRECIS_REQUIRE_SHARED("data/text/tinystories-head.txt");
        PRECIS_REQUIRE_SHARED("data/models/stories260K-hf/tokenizer.json");
        const auto tok = fromJson("data/models/stories260K-hf/tokenizer.json");
        QVERIFY(tok);
        QCOMPARE(tok->spec().kind, TokenizerKind::SentencePiece);
        QVERIFY(tok->spec().scores.empty());  // merges by rank
        QCOMPARE(tok->bos(), 1);
        QVERIFY(tok->addBosByDefault());
        checkStories(*tok);
    }
    void stories260KFromLlama2cTokenizerBin()
    {
        PRECIS_REQUIRE_SHARED("reference/stories260K.json");
        PRECIS_REQUIRE_SHARED("data/text/tinystories-head.txt");
        PRECIS_REQUIRE_SHARED("data/models/tok512.bin");
        auto spec = llama2c::loadTokenizer(test::sharedPath("data/models/tok512.bin"), 512);
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().toString().c_str());
        const auto tok = make(*spec);
        QVERIFY(tok);
        checkStories(*tok);
    }
    void spmVectorsFromTokenizerJsonAgreeWithGguf()
    {
        // The HF (rank) and GGUF (score) forms of stories260K's vocabulary give
        // the same ids on llama.cpp's test strings too.
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        PRECIS_REQUIRE_SHARED("data/models/stories260K-hf/tokenizer.json");
        PRECIS_REQUIRE_SHARED("data/tokenizer-vectors/ggml-vocab-llama-spm.gguf.inp");
        const auto byScore = fromGguf("data/models/stories260K.gguf");
        const auto byRank = fromJson("data/models/stories260K-hf/tokenizer.json");
        QVERIFY(byScore && byRank);
        for (const auto& [text, ids] : readVectors(test::sharedPath("data/tokenizer-vectors/ggml-vocab-llama-spm.gguf"))) {
            QCOMPARE(byRank->encode(text, true), byScore->encode(text, true));
            QCOMPARE(byRank->decode(byRank->encode(text, false)), text);
        }
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
