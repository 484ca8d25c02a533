// Malformed safetensors files and Hugging Face folders: every case must fail
// with one message naming the file and the field or tensor, never crash, hang
// or allocate in proportion to a lying length (run under ASan: label malformed).
#include "formats/safetensors.h"
#include "hf_fixtures.h"
#include "test_support.h"

#include <filesystem>
#include <functional>
#include <map>
#include <unistd.h>

using namespace precis;
using namespace precis::test;

namespace {

// u64 header length + header text + `dataBytes` zero bytes.
std::vector<std::byte> rawSafetensors(const std::string& header, size_t dataBytes, uint64_t lengthField)
{
    std::vector<std::byte> out(8 + header.size() + dataBytes, std::byte{0});
    for (int i = 0; i < 8; ++i) out[size_t(i)] = std::byte((lengthField >> (8 * i)) & 0xFF);
    std::memcpy(out.data() + 8, header.data(), header.size());
    return out;
}

std::string errorText(const Result<hf::SafetensorsFile>& r) { return r.ok() ? std::string("(loaded)") : r.error().toString(); }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A tensor entry as JSON text.
std::string entry(const std::string& name, const std::string& dtype, const std::string& shape, const std::string& offsets)
{
    return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": " + offsets + "}";
}

struct Mutation {
    std::function<void(HfFolder&)> before;            // on the generated folder, before writing
    std::function<void(const std::string&)> after;    // on the written files
};

void eraseFromIndex(const std::string& dir, const std::string& name)
{
    auto text = readTextFile(dir + "/model.safetensors.index.json");
    auto j = nlohmann::json::parse(*text);
    j["weight_map"].erase(name);
    writeTextFile(dir + "/model.safetensors.index.json", j.dump());
}

void setInIndex(const std::string& dir, const std::string& name, const std::string& shard)
{
    auto text = readTextFile(dir + "/model.safetensors.index.json");
    auto j = nlohmann::json::parse(*text);
    j["weight_map"][name] = shard;
    writeTextFile(dir + "/model.safetensors.index.json", j.dump());
}

void removeTensor(HfFolder& f, const std::string& name)
{
    std::erase_if(f.tensors, [&](const HfTensor& t) { return t.name == name; });
}

void addTensor(HfFolder& f, const std::string& name, std::vector<int64_t> shape)
{
    HfTensor t;
    t.name = name;
    t.shape = std::move(shape);
    int64_t n = 1;
    for (int64_t d : t.shape) n *= d;
    t.values.assign(size_t(n), 0.5f);
    f.tensors.push_back(std::move(t));
}

const std::string kShard1 = "model-00001-of-00002.safetensors";
const std::string kShard2 = "model-00002-of-00002.safetensors";

const std::map<std::string, Mutation>& mutations()
{
    static const std::map<std::string, Mutation> m = {
        {"config-broken-json", {nullptr, [](const std::string& d) { writeTextFile(d + "/config.json", "{\"model_type\": "); }}},
        {"config-not-object", {nullptr, [](const std::string& d) { writeTextFile(d + "/config.json", "[1, 2]"); }}},
        {"config-duplicate-key", {nullptr, [](const std::string& d) {
             auto t = *readTextFile(d + "/config.json");
             writeTextFile(d + "/config.json", "{\"hidden_size\": 32, " + t.substr(t.find('{') + 1));
         }}},
        {"config-missing-file", {nullptr, [](const std::string& d) { std::filesystem::remove(d + "/config.json"); }}},
        {"config-missing-field", {[](HfFolder& f) { f.config.erase("hidden_size"); }, nullptr}},
        {"config-wrong-type", {[](HfFolder& f) { f.config["hidden_size"] = "16"; }, nullptr}},
        {"config-negative", {[](HfFolder& f) { f.config["num_hidden_layers"] = -2; }, nullptr}},
        {"config-float-int", {[](HfFolder& f) { f.config["vocab_size"] = 40.5; }, nullptr}},
        {"config-bad-eps", {[](HfFolder& f) { f.config["rms_norm_eps"] = "tiny"; }, nullptr}},
        {"config-bad-bool", {[](HfFolder& f) { f.config["tie_word_embeddings"] = 1; }, nullptr}},
        {"config-model-type", {[](HfFolder& f) { f.config["model_type"] = "bert"; }, nullptr}},
        {"config-no-model-type", {[](HfFolder& f) { f.config.erase("model_type"); }, nullptr}},
        {"config-rope-scaling", {[](HfFolder& f) { f.config["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}}; }, nullptr}},
        {"config-head-dim", {[](HfFolder& f) { f.config["head_dim"] = 8; }, nullptr}},
        {"config-heads", {[](HfFolder& f) { f.config["num_attention_heads"] = 3; }, nullptr}},
        {"config-act", {[](HfFolder& f) { f.config["hidden_act"] = "gelu"; }, nullptr}},
        {"shape-vs-config", {[](HfFolder& f) { f.config["intermediate_size"] = 20; }, nullptr}},
        {"index-missing-shard", {nullptr, [](const std::string& d) {
             setInIndex(d, "model.norm.weight", "model-00009-of-00009.safetensors");
         }}},
        {"index-missing-tensor", {nullptr, [](const std::string& d) { setInIndex(d, "model.layers.0.extra.weight", kShard1); }}},
        {"index-wrong-shard", {nullptr, [](const std::string& d) { setInIndex(d, "model.embed_tokens.weight", kShard2); }}},
        {"index-unlisted", {nullptr, [](const std::string& d) { eraseFromIndex(d, "model.norm.weight"); }}},
        {"index-traversal", {nullptr, [](const std::string& d) { setInIndex(d, "model.norm.weight", "../" + kShard1); }}},
        {"index-no-weight-map", {nullptr, [](const std::string& d) {
             writeTextFile(d + "/model.safetensors.index.json", "{\"metadata\": {}}");
         }}},
        {"index-broken-json", {nullptr, [](const std::string& d) {
             writeTextFile(d + "/model.safetensors.index.json", "{\"weight_map\": {\"a\": \"b\",}}");
         }}},
        {"no-weights", {nullptr, [](const std::string& d) {
             for (const auto& f : {kShard1, kShard2, std::string("model.safetensors.index.json")}) std::filesystem::remove(d + "/" + f);
         }}},
        {"shard-truncated", {nullptr, [](const std::string& d) {
             const auto p = d + "/" + kShard2;
             std::filesystem::resize_file(p, std::filesystem::file_size(p) - 5);
         }}},
        {"unknown-tensor", {[](HfFolder& f) { addTensor(f, "model.layers.0.self_attn.rotary_pos.weight", {4}); }, nullptr}},
        {"layer-out-of-range", {[](HfFolder& f) { addTensor(f, "model.layers.7.input_layernorm.weight", {16}); }, nullptr}},
        {"missing-tensor", {[](HfFolder& f) { removeTensor(f, "model.norm.weight"); }, nullptr}},
        {"unexpected-bias", {[](HfFolder& f) { addTensor(f, "model.layers.1.self_attn.q_proj.bias", {16}); }, nullptr}},
        {"duplicate-mapping", {[](HfFolder& f) { addTensor(f, "norm.weight", {16}); }, nullptr}},
        {"tokenizer-broken-json", {nullptr, [](const std::string& d) { writeTextFile(d + "/tokenizer.json", "{\"model\": "); }}},
        {"gpt2-activation", {[](HfFolder& f) { f.config["activation_function"] = "relu"; }, nullptr}},
        {"gpt2-conv1d-rank", {[](HfFolder& f) {
             removeTensor(f, "transformer.h.1.attn.c_proj.weight");
             addTensor(f, "transformer.h.1.attn.c_proj.weight", {64});
         }, nullptr}},
        {"gpt2-n-inner-type", {[](HfFolder& f) { f.config["n_inner"] = "32"; }, nullptr}},
    };
    return m;
}

} // namespace

class TestSafetensorsMalformed : public QObject {
    Q_OBJECT
private slots:
    void header_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<int>("dataBytes");
        QTest::addColumn<QString>("where");
        QTest::addColumn<QString>("what");
        const std::string ok = entry("w", "F32", "[2]", "[0, 8]");
        auto row = [](const char* tag, const std::string& h, int data, const char* where, const char* what) {
            QTest::newRow(tag) << QByteArray::fromStdString(h) << data << QString(where) << QString(what);
        };
        row("broken json", "{" + ok, 8, "", "header JSON: parse error");
        row("trailing garbage", "{" + ok + "} x", 8, "", "header JSON: parse error");
        row("not an object", "[1, 2]", 8, "", "does not start with '{'");
        row("tensor not an object", "{\"w\": 5}", 8, "tensor 'w'", "expected an object, found a number");
        row("unknown dtype", "{" + entry("w", "F33", "[2]", "[0, 8]") + "}", 8, "tensor 'w'", "dtype 'F33' is not a safetensors dtype");
        row("dtype not a string", "{\"w\": {\"dtype\": 5, \"shape\": [2], \"data_offsets\": [0, 8]}}", 8, "tensor 'w'",
            "field 'dtype' has the wrong type");
        row("missing shape", "{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 8]}}", 8, "tensor 'w'", "field 'shape' is missing");
        row("missing offsets", "{\"w\": {\"dtype\": \"F32\", \"shape\": [2]}}", 8, "tensor 'w'", "field 'data_offsets' is missing");
        row("negative dim", "{" + entry("w", "F32", "[-2]", "[0, 8]") + "}", 8, "tensor 'w'", "negative value -2");
        row("fractional dim", "{" + entry("w", "F32", "[1.5]", "[0, 8]") + "}", 8, "tensor 'w'", "must hold non-negative integers");
        row("nested dim", "{" + entry("w", "F32", "[[2]]", "[0, 8]") + "}", 8, "tensor 'w'", "nested array");
        row("rank 17", "{" + entry("w", "F32", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "[0, 4]") + "}", 4, "tensor 'w'",
            "more than 16 dimensions");
        row("shape overflow", "{" + entry("w", "F32", "[4294967296, 4294967296, 16]", "[0, 8]") + "}", 8, "tensor 'w'",
            "overflows 64 bits");
        row("size mismatch", "{" + entry("w", "F32", "[3]", "[0, 8]") + "}", 8, "tensor 'w'", "span 8 bytes, expected 12");
        row("offsets beyond data", "{" + entry("w", "F32", "[100]", "[0, 400]") + "}", 8, "tensor 'w'",
            "beyond the data section of 8 bytes");
        row("huge offset", "{" + entry("w", "F32", "[2]", "[18446744073709551608, 18446744073709551615]") + "}", 8,
            "tensor 'w'", "beyond the data section");
        row("begin after end", "{" + entry("w", "F32", "[0]", "[8, 4]") + "}", 8, "tensor 'w'", "begin > end");
        row("three offsets", "{" + entry("w", "F32", "[2]", "[0, 4, 8]") + "}", 8, "tensor 'w'", "more than 2 values");
        row("one offset", "{" + entry("w", "F32", "[0]", "[0]") + "}", 8, "tensor 'w'", "data_offsets has 1 values");
        row("overlap", "{" + entry("a", "F32", "[2]", "[0, 8]") + ", " + entry("b", "F32", "[2]", "[4, 12]") + "}", 12,
            "tensor 'b'", "overlaps tensor 'a'");
        row("duplicate name", "{" + ok + ", " + entry("w", "F32", "[1]", "[0, 4]") + "}", 8, "tensor 'w'",
            "duplicate tensor name");
        row("duplicate field", "{\"w\": {\"dtype\": \"F32\", \"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8,
            "tensor 'w'", "duplicate key 'dtype'");
        row("invalid utf-8", "{" + entry("w\xFF", "F32", "[2]", "[0, 8]") + "}", 8, "", "invalid UTF-8 at byte 11 (value 0xFF)");
        row("overlong utf-8", "{" + entry("w\xC0\x80", "F32", "[2]", "[0, 8]") + "}", 8, "", "invalid UTF-8 at byte 11");
        row("surrogate utf-8", "{" + entry("w\xED\xA0\x80", "F32", "[2]", "[0, 8]") + "}", 8, "", "invalid UTF-8 at byte 11");
        row("truncated utf-8", "{" + entry("w", "F32", "[2]", "[0, 8]") + "}\xE2\x82", 8, "", "invalid UTF-8 at byte");
        row("metadata not strings", "{\"__metadata__\": {\"format\": 1}, " + ok + "}", 8, "__metadata__ 'format'",
            "expected a string value");
        row("metadata nested", "{\"__metadata__\": {\"format\": {}}, " + ok + "}", 8, "__metadata__ 'format'",
            "expected a string value, found an object");
        row("empty name", "{" + entry("", "F32", "[2]", "[0, 8]") + "}", 8, "", "empty tensor name");
        row("deep nesting", "{\"w\": {\"x\": " + std::string(100, '[') + std::string(100, ']') + "}}", 8, "",
            "nests deeper than 64 levels");
    }
    void header()
    {
        QFETCH(QByteArray, header);
        QFETCH(int, dataBytes);
        QFETCH(QString, where);
        QFETCH(QString, what);
        const std::string path = scratchDir("st-header") + "/bad.safetensors";
        const std::string h = header.toStdString();
        writeBytes(path, rawSafetensors(h, size_t(dataBytes), h.size()));
        auto r = hf::SafetensorsFile::open(path);
        const std::string msg = errorText(r);
        QVERIFY2(!r.ok(), msg.c_str());
        QCOMPARE(r.error().code, ErrorCode::Format);
        QVERIFY2(contains(msg, path + ": " + where.toStdString()), msg.c_str());
        QVERIFY2(contains(msg, what.toStdString()), msg.c_str());
    }

    void validMetadataAndEmptyTensor()
    {
        // The positive counterpart of the table above: __metadata__, a zero-size
        // tensor, trailing header spaces and a skippable dtype are all accepted.
        const std::string path = scratchDir("st-ok") + "/ok.safetensors";
        const std::string h = "{\"__metadata__\": {\"format\": \"pt\"}, " + entry("e", "F16", "[0, 3]", "[8, 8]") + ", " +
                              entry("w", "F32", "[2]", "[0, 8]") + ", " + entry("m", "U8", "[3]", "[8, 11]") + "}   ";
        writeBytes(path, rawSafetensors(h, 11, h.size()));
        auto r = hf::SafetensorsFile::open(path);
        QVERIFY2(r.ok(), errorText(r).c_str());
        QCOMPARE(r->entries.size(), size_t(3));
        QVERIFY(!r->find("m")->supported);
        QCOMPARE(r->find("m")->fileDtype, std::string("U8"));
        QCOMPARE(r->metadata.front(), (std::pair<std::string, std::string>("format", "pt")));
    }

    void headerLength()
    {
        const std::string dir = scratchDir("st-length");
        const std::string h = "{" + entry("w", "F32", "[2]", "[0, 8]") + "}";
        struct Case { uint64_t length; size_t fileCut; const char* what; };
        const Case cases[] = {
            {h.size() + 1000, 0, "header length " },          // longer than the file
            {~uint64_t(0), 0, "exceeds the"},                 // 2^64 - 1
            {uint64_t(1) << 63, 0, "exceeds the"},
            {0, 0, "header length 0 is too small"},
            {h.size() - 3, 0, "header JSON"},                 // cuts the JSON short
        };
        for (const Case& c : cases) {
            const std::string path = dir + "/len.safetensors";
            writeBytes(path, rawSafetensors(h, 8, c.length));
            auto r = hf::SafetensorsFile::open(path);
            const std::string msg = errorText(r);
            QVERIFY2(!r.ok() && contains(msg, path) && contains(msg, c.what), msg.c_str());
        }
        // Shorter than the length field itself.
        writeBytes(dir + "/tiny.safetensors", std::vector<std::byte>(5, std::byte{1}));
        auto tiny = hf::SafetensorsFile::open(dir + "/tiny.safetensors");
        QVERIFY(!tiny.ok() && contains(tiny.error().toString(), "tiny.safetensors: file is 5 bytes, too short"));
    }

    void headerOver100MB()
    {
        // A sparse 101 MB file whose length field claims a 100 MB + 1 header: refused
        // on the length alone, before anything is read or allocated.
        const std::string path = scratchDir("st-huge") + "/huge.safetensors";
        const uint64_t n = 100ull * 1000 * 1000 + 1;
        writeBytes(path, rawSafetensors("{", 0, n));
        std::filesystem::resize_file(path, 101ull * 1000 * 1000 + 64);
        auto r = hf::SafetensorsFile::open(path);
        const std::string msg = errorText(r);
        QVERIFY2(!r.ok() && contains(msg, path + ": header length 100000001 exceeds the limit of 100000000 bytes"), msg.c_str());
    }

    void truncatedEverywhere()
    {
        // A valid two-tensor file cut at every length short of its full size.
        const std::vector<float> a(6, 1.5f), b(4, -2.0f);
        auto bytes = hf::serializeSafetensors({{"a", "F32", {2, 3}, std::as_bytes(std::span(a))},
                                               {"b", "F32", {4}, std::as_bytes(std::span(b))}});
        QVERIFY(bytes.ok());
        const std::string path = scratchDir("st-trunc") + "/t.safetensors";
        int failures = 0;
        for (size_t cut = 0; cut < bytes->size(); ++cut) {
            writeBytes(path, std::vector<std::byte>(bytes->begin(), bytes->begin() + std::ptrdiff_t(cut)));
            auto r = hf::SafetensorsFile::open(path);
            QVERIFY2(!r.ok(), ("cut at " + std::to_string(cut)).c_str());
            QVERIFY2(contains(r.error().toString(), path), r.error().toString().c_str());
            ++failures;
        }
        QCOMPARE(size_t(failures), bytes->size());
        writeBytes(path, *bytes);
        QVERIFY(hf::SafetensorsFile::open(path).ok());
    }

    void randomHeaderCorruption()
    {
        // Seeded byte flips in the header: each result is a clean error or a file
        // whose entries all lie inside it (no crash, no hang; ASan watches).
        const std::vector<float> a(6, 1.5f);
        const std::vector<uint16_t> b(4, 0x3C00);
        auto bytes = hf::serializeSafetensors({{"a", "F32", {2, 3}, std::as_bytes(std::span(a))},
                                               {"b", "F16", {4}, std::as_bytes(std::span(b))}});
        QVERIFY(bytes.ok());
        uint64_t n = 0;
        std::memcpy(&n, bytes->data(), 8);
        const std::string path = scratchDir("st-flip") + "/f.safetensors";
        std::mt19937 rng(2024);
        int errors = 0;
        for (int it = 0; it < 400; ++it) {
            std::vector<std::byte> c = *bytes;
            for (int k = 0; k < 3; ++k) c[size_t(rng() % (8 + n))] = std::byte(rng() & 0xFF);
            writeBytes(path, c);
            auto r = hf::SafetensorsFile::open(path);
            if (!r.ok()) { ++errors; QVERIFY(contains(r.error().toString(), path)); continue; }
            for (const auto& e : r->entries) QVERIFY(e.begin <= e.end && e.end <= c.size());
        }
        qInfo("%d of 400 corrupted headers rejected", errors);
        QVERIFY(errors > 100);
    }

    void folder_data()
    {
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<QString>("where");
        QTest::addColumn<QString>("what");
        auto row = [](const char* m, const char* where, const char* what) {
            QTest::newRow(m) << QString(m) << QString(where) << QString(what);
        };
        row("config-broken-json", "/config.json", "parse error");
        row("config-not-object", "/config.json", "expected a JSON object, found an array");
        row("config-duplicate-key", "/config.json", "duplicate key 'hidden_size'");
        row("config-missing-file", "", "config.json not found");
        row("config-missing-field", "/config.json: field 'hidden_size'", "is missing, expected a positive integer");
        row("config-wrong-type", "/config.json: field 'hidden_size'", "is \"16\" (a string), expected a positive integer");
        row("config-negative", "/config.json: field 'num_hidden_layers'", "is -2 (an integer)");
        row("config-float-int", "/config.json: field 'vocab_size'", "is 40.5 (a number)");
        row("config-bad-eps", "/config.json: field 'rms_norm_eps'", "expected a positive number");
        row("config-bad-bool", "/config.json: field 'tie_word_embeddings'", "expected true or false");
        row("config-model-type", "/config.json: field 'model_type'", "'bert' is not supported");
        row("config-no-model-type", "/config.json: field 'model_type'", "is missing");
        row("config-rope-scaling", "/config.json: field 'rope_scaling'", "type 'llama3' is not supported");
        row("config-head-dim", "/config.json: field 'head_dim'", "is 8, but hidden_size / num_attention_heads = 4");
        row("config-heads", "/config.json: field 'num_attention_heads'", "3 does not divide hidden_size 16");
        row("config-act", "/config.json: field 'hidden_act'", "'gelu', only 'silu'");
        row("shape-vs-config", "tensor 'blk.0.ffn_gate.weight' has shape [24, 16], expected [20, 16]",
            "(from 'model.layers.0.mlp.gate_proj.weight' in model-00002-of-00002.safetensors)");
        row("index-missing-shard", "/model.safetensors.index.json: shard 'model-00009-of-00009.safetensors'",
            "is listed for tensor 'model.norm.weight'");
        row("index-missing-tensor", "/model.safetensors.index.json: tensor 'model.layers.0.extra.weight'",
            "is mapped to shard 'model-00001-of-00002.safetensors', which does not contain it");
        row("index-wrong-shard", "/model.safetensors.index.json: tensor 'model.embed_tokens.weight'",
            "is mapped to shard 'model-00002-of-00002.safetensors'");
        row("index-unlisted", "/model-00002-of-00002.safetensors: tensor 'model.norm.weight'",
            "is not listed in model.safetensors.index.json");
        row("index-traversal", "/model.safetensors.index.json: weight_map 'model.norm.weight'", "is not a plain file name");
        row("index-no-weight-map", "/model.safetensors.index.json: field 'weight_map'", "is missing");
        row("index-broken-json", "/model.safetensors.index.json", "parse error");
        row("no-weights", "", "holds neither model.safetensors nor model.safetensors.index.json");
        row("shard-truncated", "/model-00002-of-00002.safetensors: tensor '", "lies beyond the data section");
        row("unknown-tensor", "safetensors: tensor 'model.layers.0.self_attn.rotary_pos.weight'", "unknown tensor name");
        row("layer-out-of-range", "safetensors: tensor 'model.layers.7.input_layernorm.weight'",
            "layer index 7 is out of range (config num_hidden_layers = 2)");
        row("missing-tensor", "tensor 'output_norm.weight' is missing", "expected shape [16]");
        row("unexpected-bias", "tensor 'blk.1.attn_q.bias' is not used by a llama model",
            "(from 'model.layers.1.self_attn.q_proj.bias' in model-00001-of-00002.safetensors)");
        row("duplicate-mapping", "model-00002-of-00002.safetensors: tensor 'model.norm.weight'",
            "maps to 'output_norm.weight', already provided by 'norm.weight' in model-00001-of-00002.safetensors");
        row("tokenizer-broken-json", "/tokenizer.json", "");
        row("gpt2-activation", "/config.json: field 'activation_function'", "is 'relu'");
        row("gpt2-conv1d-rank", "tensor 'transformer.h.1.attn.c_proj.weight'", "must have 2 dimensions, found 1");
        row("gpt2-n-inner-type", "/config.json: field 'n_inner'", "expected a positive integer");
    }
    void folder()
    {
        QFETCH(QString, mutation);
        QFETCH(QString, where);
        QFETCH(QString, what);
        const std::string name = mutation.toStdString();
        const std::string dir = scratchDir("hf-bad-" + name);
        HfFolder f = name.rfind("gpt2", 0) == 0 ? makeTinyGpt2(dir, "F32", 8) : makeTinyLlama(dir, "F32", 8);
        const Mutation& m = mutations().at(name);
        if (m.before) m.before(f);
        QVERIFY(writeHfFolder(f, 2));
        if (m.after) m.after(dir);
        auto r = hf::loadModel(dir);
        QVERIFY2(!r.ok(), "the folder loaded");
        const std::string msg = r.error().toString();
        QVERIFY2(contains(msg, dir), msg.c_str());
        QVERIFY2(contains(msg, where.toStdString()), msg.c_str());
        QVERIFY2(contains(msg, what.toStdString()), msg.c_str());
    }

    void baseFoldersLoad()
    {
        // The unmutated bases of folder() load, so each failure above is the mutation's.
        for (bool gpt2 : {false, true}) {
            const std::string dir = scratchDir(gpt2 ? "hf-base-gpt2" : "hf-base-llama");
            const HfFolder f = gpt2 ? makeTinyGpt2(dir, "F32", 8) : makeTinyLlama(dir, "F32", 8);
            QVERIFY(writeHfFolder(f, 2));
            auto r = hf::loadModel(dir);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        }
    }

    void singleFileTruncated()
    {
        // model.safetensors of a folder cut at a spread of lengths.
        const std::string dir = scratchDir("hf-trunc");
        QVERIFY(writeHfFolder(makeTinyLlama(dir, "F16", 4), 1));
        const std::string path = dir + "/model.safetensors";
        std::vector<std::byte> full(std::filesystem::file_size(path));
        {
            auto text = readTextFile(path);
            std::memcpy(full.data(), text->data(), full.size());
        }
        for (size_t cut : {size_t(0), size_t(7), size_t(8), size_t(9), size_t(100), size_t(600), full.size() / 2,
                           full.size() - 2, full.size() - 1}) {
            writeBytes(path, std::vector<std::byte>(full.begin(), full.begin() + std::ptrdiff_t(cut)));
            auto r = hf::loadModel(dir);
            QVERIFY2(!r.ok(), ("cut at " + std::to_string(cut)).c_str());
            QVERIFY2(contains(r.error().toString(), path), r.error().toString().c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestSafetensorsMalformed)
#include "tst_safetensors_malformed.moc"
