// tokenizer.json: a small valid file built here parses (byte-level and
// SentencePiece-style), and each corrupted variant fails with a message that
// names the source, the field and what was wrong, without crashing.
#include "formats/tokenizer_json.h"
#include "tokenizer/tokenizer.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <fstream>

using namespace precis;
using Json = nlohmann::json;

namespace {

const char* kWhere = "tok.json";

// Byte-level BPE over the pieces a, b, ab, Ġ, Ġab plus one special token.
Json byteLevelDoc()
{
    return Json::parse(R"({
      "version": "1.0",
      "added_tokens": [{"id": 5, "content": "<|endoftext|>", "special": true}],
      "normalizer": null,
      "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
      "decoder": {"type": "ByteLevel"},
      "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "\u0120": 3, "\u0120ab": 4},
                "merges": ["a b", "\u0120 ab"]}
    })");
}

// SentencePiece-style (Llama-2 tokenizer.json layout) with byte fallback.
Json spmDoc()
{
    Json doc = Json::parse(R"({
      "added_tokens": [{"id": 0, "content": "<unk>", "special": true},
                       {"id": 1, "content": "<s>", "special": true}],
      "normalizer": {"type": "Sequence", "normalizers": [
          {"type": "Prepend", "prepend": "\u2581"},
          {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
      "pre_tokenizer": null,
      "post_processor": {"type": "TemplateProcessing",
          "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]},
      "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true,
                "vocab": {"<unk>": 0, "<s>": 1, "<0x41>": 2, "\u2581": 3, "h": 4, "i": 5, "hi": 6, "\u2581hi": 7},
                "merges": [["h", "i"], ["\u2581", "hi"]]}
    })");
    return doc;
}

std::string errorOf(const std::string& text)
{
    auto r = parseTokenizerJsonText(text, kWhere);
    return r.ok() ? std::string("(parsed)") : r.error().toString();
}


} // namespace

class TestTokenizerJsonMalformed : public QObject {
    Q_OBJECT
private slots:
    void byteLevelBaseline()
    {
        auto spec = parseTokenizerJsonText(byteLevelDoc().dump(), kWhere);
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().toString().c_str());
        QCOMPARE(spec->kind, TokenizerKind::ByteLevelBpe);
        QCOMPARE(spec->pre, std::string("gpt2"));
        QCOMPARE(spec->tokens.size(), size_t(6));
        QCOMPARE(spec->tokens[4], std::string("\xC4\xA0" "ab"));
        QCOMPARE(spec->types[5], TokenType::Control);
        QCOMPARE(spec->merges, (std::vector<std::string>{"a b", "\xC4\xA0 ab"}));
        QCOMPARE(spec->bos, 5);  // <|endoftext|> by convention
        auto tok = Tokenizer::create(*spec);
        QVERIFY(tok.ok());
        QCOMPARE((*tok)->encode(" ab", false), (std::vector<int32_t>{4}));
        QCOMPARE((*tok)->encode("ba", false), (std::vector<int32_t>{1, 0}));
    }
    void byteLevelPreTokenizerNames_data()
    {
        QTest::addColumn<QByteArray>("preTokenizer");
        QTest::addColumn<QString>("name");
        // JSON text of the patterns: every regex backslash is doubled once more.
        const char* llama3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?"
                             "[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+";
        const char* qwen2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}| ?"
                            "[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+";
        const auto split = [](const char* re) {
            return QByteArray("{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"") +
                   re + "\"}, \"behavior\": \"Isolated\"}, {\"type\": \"ByteLevel\", \"use_regex\": false}]}";
        };
        QTest::newRow("llama3") << split(llama3) << "llama-bpe";
        QTest::newRow("qwen2") << split(qwen2) << "qwen2";
        QTest::newRow("smollm") << QByteArray("{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Digits\", "
                                              "\"individual_digits\": true}, {\"type\": \"ByteLevel\", \"use_regex\": true}]}")
                                << "smollm";
    }
    void byteLevelPreTokenizerNames()
    {
        QFETCH(QByteArray, preTokenizer);
        QFETCH(QString, name);
        Json doc = byteLevelDoc();
        doc["pre_tokenizer"] = Json::parse(preTokenizer.toStdString());
        auto spec = parseTokenizerJsonText(doc.dump(), kWhere);
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().toString().c_str());
        QCOMPARE(QString::fromStdString(spec->pre), name);
        QVERIFY(Tokenizer::create(*spec).ok());
    }
    void spmBaseline()
    {
        auto spec = parseTokenizerJsonText(spmDoc().dump(), kWhere);
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().toString().c_str());
        QCOMPARE(spec->kind, TokenizerKind::SentencePiece);
        QVERIFY(spec->addSpacePrefix && spec->byteFallback);
        QCOMPARE(spec->unk, 0);
        QCOMPARE(spec->types[0], TokenType::Unknown);
        QCOMPARE(spec->types[2], TokenType::Byte);
        QCOMPARE(spec->bos, 1);
        QVERIFY(spec->addBos);
        QCOMPARE(spec->merges, (std::vector<std::string>{"h i", "\xE2\x96\x81 hi"}));
        auto tok = Tokenizer::create(*spec);
        QVERIFY(tok.ok());
        // "▁hi▁A": ▁hi, then ▁ and A (A only as the byte token <0x41>).
        QCOMPARE((*tok)->encode("hi A", true), (std::vector<int32_t>{1, 7, 3, 2}));
        QCOMPARE((*tok)->decode((*tok)->encode("hi A", true)), std::string("hi A"));
    }
    void tokenizerConfigBeside()
    {
        const std::string dir = test::scratchDir("tokenizer_json");
        std::ofstream(dir + "/tokenizer.json") << byteLevelDoc().dump();
        std::ofstream(dir + "/tokenizer_config.json") << R"({"bos_token": {"content": "a"}, "eos_token": "b", "add_bos_token": true})";
        auto spec = parseTokenizerJson(dir + "/tokenizer.json");
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().toString().c_str());
        QCOMPARE(spec->bos, 0);
        QCOMPARE(spec->eos, 1);
        QVERIFY(spec->addBos);
        std::ofstream(dir + "/tokenizer_config.json") << R"({"bos_token": "nope"})";
        auto bad = parseTokenizerJson(dir + "/tokenizer.json");
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().toString(), dir + "/tokenizer_config.json: field 'bos_token' names 'nope', which is not a token");
    }
    void fileErrorsNameThePath()
    {
        auto missing = parseTokenizerJson("/nonexistent/tokenizer.json");
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().toString().find("/nonexistent/tokenizer.json") != std::string::npos);
        const std::string path = test::scratchDir("tokenizer_json_bad") + "/tokenizer.json";
        std::ofstream(path) << "{\"model\": ";
        auto bad = parseTokenizerJson(path);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().toString().starts_with(path + ": invalid JSON at byte 11"));
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");  // the whole message after "tok.json: ", or a prefix ending in "..."
        const auto row = [](const char* name, const std::string& text, const char* expected) {
            QTest::newRow(name) << QByteArray::fromStdString(text) << QString::fromUtf8(expected);
        };
        const auto edit = [](auto f) {
            Json d = byteLevelDoc();
            f(d);
            return d.dump();
        };
        const std::string valid = byteLevelDoc().dump();

        row("empty file", "", "invalid JSON at byte 1 (line 1, column 1): syntax error while parsing value - "
                              "unexpected end of input; expected '[', '{', or a literal");
        row("trailing comma", R"({"model": {"vocab": {"a": 0,}}})",
            "invalid JSON at byte 29 (line 1, column 29): syntax error while parsing object key - unexpected '}'; "
            "expected string literal");
        row("truncated", valid.substr(0, valid.size() / 2), "invalid JSON at byte ...");
        row("invalid UTF-8 in a piece", "{\"model\": {\"vocab\": {\"\xFF\": 0}}}",
            "invalid JSON at byte 23 (line 1, column 23): syntax error while parsing object key - invalid string: "
            "ill-formed UTF-8 byte; last read: '\"\\xff'; expected string literal");
        row("deep nesting", std::string(200000, '['), "invalid JSON at byte 200001 ...");
        row("float overflow", R"({"model": {"vocab": {"a": 1e400}}})", "invalid JSON: number overflow parsing '1e400'");
        row("top level array", "[1, 2]", "the top level is array, expected a JSON object");
        row("no model", R"({"version": "1.0"})", "missing field 'model'");
        row("model is a string", edit([](Json& d) { d["model"] = "BPE"; }),
            "field 'model' is string 'BPE', expected an object");
        row("unigram", edit([](Json& d) { d["model"]["type"] = "Unigram"; }),
            "model.type is 'Unigram', only 'BPE' is supported");
        row("no vocab", edit([](Json& d) { d["model"].erase("vocab"); }), "missing field 'model.vocab'");
        row("vocab is an array", edit([](Json& d) { d["model"]["vocab"] = Json::array({"a"}); }),
            "field 'model.vocab' is array, expected an object of piece -> id");
        row("empty vocab", edit([](Json& d) { d["model"]["vocab"] = Json::object(); }),
            "field 'model.vocab' is empty, expected at least one token");
        row("id is a string", edit([](Json& d) { d["model"]["vocab"]["b"] = "1"; }),
            "field 'model.vocab['b']' is string '1', expected an integer token id");
        row("id is fractional", edit([](Json& d) { d["model"]["vocab"]["b"] = 1.5; }),
            "field 'model.vocab['b']' is number 1.5, expected an integer token id");
        row("id beyond uint64", R"({"model": {"vocab": {"a": 99999999999999999999}}})",
            "field 'model.vocab['a']' is number 1e+20, expected an integer token id");
        row("id beyond int32", edit([](Json& d) { d["model"]["vocab"]["b"] = 4294967296LL; }),
            "field 'model.vocab['b']': id 4294967296 is out of range (expected 0..2147483646)");
        row("negative id", edit([](Json& d) { d["model"]["vocab"]["b"] = -1; }),
            "field 'model.vocab['b']': id -1 is out of range (expected 0..2147483646)");
        row("id past the end", edit([](Json& d) { d["model"]["vocab"]["b"] = 1000000; }),
            "field 'model.vocab': id 1000000 of 'b' is out of range: there are only 6 tokens, so ids must be 0..5");
        row("duplicate id", edit([](Json& d) { d["model"]["vocab"]["b"] = 0; }),
            "field 'model.vocab': duplicate id 0 for 'a' and 'b'");
        row("gap in ids", edit([](Json& d) {
                d["added_tokens"][0]["id"] = 6;  // a duplicate entry below makes 7 entries for ids 0..4 and 6
                d["added_tokens"].push_back({{"id", 4}, {"content", "\u0120ab"}});
            }),
            "no token has id 5 (ids of model.vocab and added_tokens must be 0..6 without gaps)");
        row("added token clashes", edit([](Json& d) { d["added_tokens"][0]["id"] = 0; }),
            "field 'added_tokens[0]': id 0 is '<|endoftext|>' but is already taken by 'a'");
        row("added_tokens not an array", edit([](Json& d) { d["added_tokens"] = Json::object(); }),
            "field 'added_tokens' is object, expected an array");
        row("added token without content", edit([](Json& d) { d["added_tokens"][0].erase("content"); }),
            "field 'added_tokens[0]' lacks 'content'");
        row("merges not an array", edit([](Json& d) { d["model"]["merges"] = "a b"; }),
            "field 'model.merges' is string 'a b', expected an array");
        row("merge of wrong type", edit([](Json& d) { d["model"]["merges"][1] = 5; }),
            "field 'model.merges[1]' is integer 5, expected a string \"a b\" or a pair of strings");
        row("merge without space", edit([](Json& d) { d["model"]["merges"][0] = "ab"; }),
            "field 'model.merges[0]' is 'ab', expected two pieces separated by a space");
        row("merge of unknown piece", edit([](Json& d) { d["model"]["merges"][1] = "a zz"; }),
            "field 'model.merges[1]' ('a zz'): 'zz' is not a token of model.vocab");
        row("merge result unknown", edit([](Json& d) { d["model"]["merges"][0] = "b a"; }),
            "field 'model.merges[0]' ('b a'): 'ba' is not a token of model.vocab");
        row("unknown unk_token", edit([](Json& d) { d["model"]["unk_token"] = "<unk>"; }),
            "field 'model.unk_token' is '<unk>', which is not a token of model.vocab");
        row("no byte-level or sentencepiece setup", edit([](Json& d) { d["pre_tokenizer"] = nullptr; d["decoder"] = nullptr; }),
            "BPE model with neither a ByteLevel nor a SentencePiece-style (Metaspace, or Replace ' ' -> '\xE2\x96\x81') "
            "setup is not supported");
        row("unknown split regex", edit([](Json& d) {
                d["pre_tokenizer"] = Json::parse(R"({"type": "Sequence", "pretokenizers": [
                    {"type": "Split", "pattern": {"Regex": "\\w+"}}, {"type": "ByteLevel", "use_regex": false}]})");
            }),
            "pre_tokenizer Split with the regex '\\w+' is not supported (expected ByteLevel, or Split with the Llama-3 or "
            "Qwen2 regex, or Digits(individual_digits) + ByteLevel)");
    }
    void malformed()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        const std::string got = errorOf(text.toStdString());
        const std::string want = std::string(kWhere) + ": " + expected.toStdString();
        if (want.ends_with("...")) {
            const std::string prefix = want.substr(0, want.size() - 3);
            QVERIFY2(got.starts_with(prefix), got.c_str());
        } else {
            QCOMPARE(got, want);
        }
    }
};

QTEST_GUILESS_MAIN(TestTokenizerJsonMalformed)
#include "tst_tokenizer_json_malformed.moc"
