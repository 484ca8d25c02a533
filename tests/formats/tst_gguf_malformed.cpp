// Malformed GGUF files: each corruption of a small valid file (built with
// gguf::Writer::serialize, then patched at fields located by their names) must
// give one exact error naming the file and the field or tensor, and never crash.
// Also loadModel on files with missing or inconsistent hyper-parameters.
#include "common/half.h"
#include "formats/gguf.h"
#include "test_support.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>

using namespace precis;
using gguf::Value;
using gguf::ValueType;
using Bytes = std::vector<std::byte>;

namespace {

Value scalar(ValueType t, int64_t i) { Value v; v.type = t; v.i = i; return v; }
Value array(ValueType elem, std::vector<Value> items) { Value v; v.type = ValueType::Array; v.elemType = elem; v.arr = std::move(items); return v; }
Value nested(int levels)  // `levels` arrays inside each other, innermost holding one u8
{
    Value v = array(ValueType::Uint8, {scalar(ValueType::Uint8, 1)});
    for (int k = 1; k < levels; ++k) v = array(ValueType::Array, {v});
    return v;
}

Bytes floats(int n)
{
    Bytes b(size_t(n) * 4);
    for (int i = 0; i < n; ++i) { const float f = 0.25f * float(i % 7) - 0.5f; std::memcpy(b.data() + 4 * i, &f, 4); }
    return b;
}

// Keys general.architecture (#0), test.u32 (#1), test.str (#2), test.arr (#3),
// test.bool (#4); tensors tensor_a F32 {4, 8} (128 bytes at 0) and tensor_q
// Q4_0 {2, 64} (72 bytes at 128). Data section: 128 + 72 + 24 padding = 224.
gguf::Writer baseWriter()
{
    gguf::Writer w;
    w.addString("general.architecture", "llama");
    w.addU32("test.u32", 7);
    w.addString("test.str", "hello");
    w.add("test.arr", array(ValueType::Int32, {scalar(ValueType::Int32, 1), scalar(ValueType::Int32, 2)}));
    w.add("test.bool", scalar(ValueType::Bool, 1));
    w.addTensor("tensor_a", DType::F32, {4, 8}, floats(32));
    Bytes q(72, std::byte{0x5A});
    for (int b = 0; b < 4; ++b) { q[size_t(18 * b)] = std::byte{0x00}; q[size_t(18 * b + 1)] = std::byte{0x3C}; }
    w.addTensor("tensor_q", DType::Q4_0, {2, 64}, q);
    return w;
}

size_t find(const Bytes& b, const std::string& needle)
{
    const auto* p = reinterpret_cast<const char*>(b.data());
    const std::string_view hay(p, b.size());
    const size_t at = hay.find(needle);
    if (at == std::string_view::npos) qFatal("marker %s not found", needle.c_str());
    return at;
}

template <typename T>
void poke(Bytes& b, size_t off, T v) { std::memcpy(b.data() + off, &v, sizeof(T)); }

// Field offsets (the name string starts at find(name); its u64 length precedes it).
size_t valueTypeOf(const Bytes& b, const std::string& key) { return find(b, key) + key.size(); }
size_t tensorField(const Bytes& b, const std::string& name, int field)  // 0 n_dims, 1 ne[0], 2 ne[1], 3 type, 4 offset
{
    const size_t base = find(b, name) + name.size();
    static const size_t at[] = {0, 4, 12, 20, 24};
    return base + at[field];
}

} // namespace

class TestGgufMalformed : public QObject {
    Q_OBJECT

    std::string m_dir;
    std::string m_path;

    // Writes `bytes` and expects File::open to fail with exactly `expected`
    // (the part after "<path>: ").
    void expectError(const Bytes& bytes, const std::string& expected)
    {
        {
            std::ofstream out(m_path, std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        }
        auto r = gguf::File::open(m_path);
        QVERIFY2(!r.ok(), ("accepted a file that should fail with: " + expected).c_str());
        QCOMPARE(QString::fromStdString(r.error().toString()), QString::fromStdString(m_path + ": " + expected));
        QCOMPARE(r.error().code, ErrorCode::Format);
    }

private slots:
    void init()
    {
        m_dir = test::scratchDir("gguf-malformed");
        m_path = m_dir + "/bad.gguf";
    }

    void baseIsValid()
    {
        const Bytes b = baseWriter().serialize();
        std::ofstream(m_path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
        auto r = gguf::File::open(m_path);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->tensors.size(), size_t(2));
        QCOMPARE(r->tensors[1].offset, uint64_t(128));
        QCOMPARE(b.size(), size_t(r->dataOffset + 224));
    }

    void emptyAndMagicAndVersion()
    {
        expectError({}, "file is empty, expected a GGUF header");
        Bytes b = baseWriter().serialize();
        b[3] = std::byte('X');
        expectError(b, "bad magic 'GGUX', expected 'GGUF' (not a GGUF file)");
        b[0] = std::byte{0x7F};
        expectError(b, "bad magic '\\x7fGUX', expected 'GGUF' (not a GGUF file)");
        b = baseWriter().serialize();
        poke<uint32_t>(b, 4, 1);
        expectError(b, "version 1 is not supported, expected 2 or 3");
        poke<uint32_t>(b, 4, 99);
        expectError(b, "version 99 is not supported, expected 2 or 3");
        poke<uint32_t>(b, 4, 2);  // v2 has the v3 layout (v3 only added big-endian files)
        std::ofstream(m_path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
        QVERIFY(gguf::File::open(m_path).ok());
    }

    void truncatedAtEveryOffset()
    {
        // Every cut before the end of the last tensor's data fails cleanly (the
        // padding after the last tensor is optional); spot-check a few messages.
        const Bytes full = baseWriter().serialize();
        const size_t lastDataEnd = full.size() - 24;
        for (size_t cut = 0; cut < lastDataEnd; ++cut) {
            std::ofstream(m_path, std::ios::binary | std::ios::trunc)
                .write(reinterpret_cast<const char*>(full.data()), std::streamsize(cut));
            auto r = gguf::File::open(m_path);
            QVERIFY2(!r.ok(), qPrintable(QStringLiteral("truncation at %1 accepted").arg(cut)));
            QVERIFY(r.error().toString().rfind(m_path + ": ", 0) == 0);
        }
        expectError(Bytes(full.begin(), full.begin() + 6), "file ends at byte 6 while reading version (4 bytes at offset 4)");
        const size_t strLen = valueTypeOf(full, "test.str") + 4;
        expectError(Bytes(full.begin(), full.begin() + long(strLen) + 3),
                    "key 'test.str': file ends at byte " + std::to_string(strLen + 3) +
                        " while reading string value (8 bytes at offset " + std::to_string(strLen) + ")");
        expectError(Bytes(full.begin(), full.begin() + long(lastDataEnd) - 1),
                    "tensor 'tensor_q': data at offset 128 (72 bytes) extends past the end of the data section, which holds 199 bytes");
        for (size_t cut = lastDataEnd; cut <= full.size(); ++cut) {
            std::ofstream(m_path, std::ios::binary | std::ios::trunc)
                .write(reinterpret_cast<const char*>(full.data()), std::streamsize(cut));
            QVERIFY(gguf::File::open(m_path).ok());
        }
    }

    void absurdCounts()
    {
        Bytes b = baseWriter().serialize();
        const std::string left = std::to_string(b.size() - 24);
        poke<uint64_t>(b, 8, uint64_t(1) << 60);
        expectError(b, "n_tensors = 1152921504606846976 tensor infos cannot fit in the " + left + " bytes left in the file");
        b = baseWriter().serialize();
        poke<uint64_t>(b, 16, uint64_t(1) << 60);
        expectError(b, "n_kv = 1152921504606846976 key/value pairs cannot fit in the " + left + " bytes left in the file");
    }

    void lyingStringLengths()
    {
        Bytes b = baseWriter().serialize();
        const size_t len = valueTypeOf(b, "test.str") + 4;
        poke<uint64_t>(b, len, uint64_t(1) << 40);
        expectError(b, "key 'test.str': string value length 1099511627776 exceeds the " +
                           std::to_string(b.size() - len - 8) + " bytes left in the file");
        b = baseWriter().serialize();
        const size_t keyLen = find(b, "test.u32") - 8;
        poke<uint64_t>(b, keyLen, ~uint64_t(0));
        expectError(b, "key #1: key length 18446744073709551615 exceeds the " + std::to_string(b.size() - keyLen - 8) +
                           " bytes left in the file");
        b = baseWriter().serialize();
        const size_t nameLen = find(b, "tensor_q") - 8;
        poke<uint64_t>(b, nameLen, uint64_t(b.size()));
        expectError(b, "tensor #1: tensor name length " + std::to_string(b.size()) + " exceeds the " +
                           std::to_string(b.size() - nameLen - 8) + " bytes left in the file");
    }

    void badValueTypes()
    {
        Bytes b = baseWriter().serialize();
        poke<uint32_t>(b, valueTypeOf(b, "test.u32"), 13);
        expectError(b, "key 'test.u32': value type 13 is invalid, expected 0..12");
        b = baseWriter().serialize();
        poke<uint32_t>(b, valueTypeOf(b, "test.arr") + 4, 13);
        expectError(b, "key 'test.arr': array element type 13 is invalid, expected 0..12");
        b = baseWriter().serialize();
        poke<uint8_t>(b, valueTypeOf(b, "test.bool") + 4, 2);
        expectError(b, "key 'test.bool': bool value 2, expected 0 or 1");
    }

    void absurdArrayLength()
    {
        Bytes b = baseWriter().serialize();
        const size_t count = valueTypeOf(b, "test.arr") + 8;
        poke<uint64_t>(b, count, uint64_t(1) << 62);
        expectError(b, "key 'test.arr': array of 4611686018427387904 i32 elements cannot fit in the " +
                           std::to_string(b.size() - count - 8) + " bytes left in the file");
    }

    void nestingDepthLimit()
    {
        // Arrays may nest 8 levels deep (a documented limit of this reader; llama.cpp
        // itself refuses nested arrays); the ninth level is refused.
        gguf::Writer ok = baseWriter();
        ok.add("test.deep", nested(8));
        const Bytes good = ok.serialize();
        std::ofstream(m_path, std::ios::binary).write(reinterpret_cast<const char*>(good.data()), std::streamsize(good.size()));
        auto r = gguf::File::open(m_path);
        QVERIFY(r.ok());
        QCOMPARE(r->find("test.deep")->toDisplayString(), std::string("[[[[[[[[1]]]]]]]]"));
        gguf::Writer bad = baseWriter();
        bad.add("test.deep", nested(9));
        expectError(bad.serialize(), "key 'test.deep': arrays nested more than 8 levels deep");
        QVERIFY(!bad.write(m_dir + "/deep.gguf").ok());  // the writer refuses it too
    }

    void badDimensions()
    {
        Bytes b = baseWriter().serialize();
        poke<uint32_t>(b, tensorField(b, "tensor_a", 0), 0);
        expectError(b, "tensor 'tensor_a': n_dims = 0, expected 1..4");
        poke<uint32_t>(b, tensorField(b, "tensor_a", 0), 5);
        expectError(b, "tensor 'tensor_a': n_dims = 5, expected 1..4");
        b = baseWriter().serialize();
        poke<uint64_t>(b, tensorField(b, "tensor_a", 2), 0);
        expectError(b, "tensor 'tensor_a': ne[1] = 0, expected 1..9223372036854775807");
        poke<uint64_t>(b, tensorField(b, "tensor_a", 2), ~uint64_t(0));  // -1 as int64
        expectError(b, "tensor 'tensor_a': ne[1] = 18446744073709551615, expected 1..9223372036854775807");
        poke<uint64_t>(b, tensorField(b, "tensor_a", 1), uint64_t(1) << 32);
        poke<uint64_t>(b, tensorField(b, "tensor_a", 2), uint64_t(1) << 31);
        expectError(b, "tensor 'tensor_a': element count (product of ne[0..1]) overflows int64");
    }

    void unknownTypesAndBlockSize()
    {
        Bytes b = baseWriter().serialize();
        poke<uint32_t>(b, tensorField(b, "tensor_a", 3), 4);  // Q4_2, removed from ggml
        expectError(b, "tensor 'tensor_a': ggml type 4 is not a known tensor type");
        poke<uint32_t>(b, tensorField(b, "tensor_a", 3), 99);
        expectError(b, "tensor 'tensor_a': ggml type 99 is not a known tensor type");
        b = baseWriter().serialize();
        poke<uint64_t>(b, tensorField(b, "tensor_q", 1), 40);
        expectError(b, "tensor 'tensor_q': row size ne[0] = 40 is not a multiple of the Q4_0 block size 32");
    }

    void badOffsets()
    {
        Bytes b = baseWriter().serialize();
        const size_t off = tensorField(b, "tensor_q", 4);
        poke<uint64_t>(b, off, uint64_t(1) << 20);
        expectError(b, "tensor 'tensor_q': data at offset 1048576 (72 bytes) extends past the end of the data section, which holds 224 bytes");
        poke<uint64_t>(b, off, ~uint64_t(0) - 31);  // offset + size would wrap around
        expectError(b, "tensor 'tensor_q': data at offset 18446744073709551584 (72 bytes) extends past the end of the data section, which holds 224 bytes");
        poke<uint64_t>(b, off, 130);
        expectError(b, "tensor 'tensor_q': offset 130 is not a multiple of the alignment 32");
        poke<uint64_t>(b, off, 96);
        expectError(b, "tensor 'tensor_q': data [96, 168) overlaps tensor 'tensor_a' [0, 128)");
    }

    void duplicates()
    {
        Bytes b = baseWriter().serialize();
        const size_t q = find(b, "tensor_q");
        b[q + 7] = std::byte('a');
        expectError(b, "tensor 'tensor_a': duplicate tensor name (first as tensor #0)");
        b = baseWriter().serialize();
        std::memcpy(b.data() + find(b, "test.u32"), "test.str", 8);
        expectError(b, "key 'test.str': duplicate key (first as key #1)");
    }

    void alignmentKey()
    {
        for (const auto& [value, message] : {std::pair<int64_t, std::string>{0, "value 0 is not a power of two"},
                                             {48, "value 48 is not a power of two"}}) {
            gguf::Writer w = baseWriter();
            w.addU32("general.alignment", uint32_t(value));
            expectError(w.serialize(), "key 'general.alignment': " + message);
        }
        gguf::Writer w = baseWriter();
        w.add("general.alignment", scalar(ValueType::Uint64, 32));
        expectError(w.serialize(), "key 'general.alignment': has type u64, expected u32");
        w.addString("general.alignment", "32");
        expectError(w.serialize(), "key 'general.alignment': has type string, expected u32");
        // A valid non-default alignment moves the data section and is honoured.
        w.addU32("general.alignment", 64);
        w.setAlignment(64);
        QVERIFY(w.write(m_path).ok());
        auto r = gguf::File::open(m_path);
        QVERIFY(r.ok());
        QCOMPARE(r->alignment, uint64_t(64));
        QCOMPARE(r->dataOffset % 64, uint64_t(0));
    }

    void invalidUtf8Names()
    {
        Bytes b = baseWriter().serialize();
        b[find(b, "test.u32") + 4] = std::byte{0xFF};
        expectError(b, "key #1: key 'test\\xffu32' is not valid UTF-8 (byte 0xff at position 4)");
        b = baseWriter().serialize();
        const size_t t = find(b, "tensor_a");
        b[t + 6] = std::byte{0xC0};  // overlong encoding of '\0'
        b[t + 7] = std::byte{0x80};
        expectError(b, "tensor #0: tensor name 'tensor\\xc0\\x80' is not valid UTF-8 (byte 0xc0 at position 6)");
    }

    // ---- loadModel on structurally valid files with bad model content ----

    void loadModelErrors()
    {
        using Kv = std::vector<std::pair<std::string, Value>>;
        struct T { std::string name; std::vector<int64_t> shape; };
        // A tiny llama: 1 layer, 16 wide, 2 heads (1 KV head of 8), ffn 32, 8 tokens, tied output.
        auto build = [&](const std::function<void(Kv&, std::vector<T>&)>& edit) {
            auto u32 = [](int64_t v) { return scalar(ValueType::Uint32, v); };
            Value eps; eps.type = ValueType::Float32; eps.f = 1e-5;
            std::vector<Value> toks, scores;
            for (int i = 0; i < 8; ++i) {
                Value s; s.type = ValueType::String; s.s = "t" + std::to_string(i); toks.push_back(s);
                Value f; f.type = ValueType::Float32; f.f = -i; scores.push_back(f);
            }
            Value arch; arch.type = ValueType::String; arch.s = "llama";
            Value tokModel; tokModel.type = ValueType::String; tokModel.s = "llama";
            Kv kv = {{"general.architecture", arch}, {"llama.context_length", u32(64)}, {"llama.embedding_length", u32(16)},
                     {"llama.block_count", u32(1)}, {"llama.feed_forward_length", u32(32)},
                     {"llama.attention.head_count", u32(2)}, {"llama.attention.head_count_kv", u32(1)},
                     {"llama.attention.layer_norm_rms_epsilon", eps}, {"tokenizer.ggml.model", tokModel},
                     {"tokenizer.ggml.tokens", array(ValueType::String, toks)},
                     {"tokenizer.ggml.scores", array(ValueType::Float32, scores)},
                     {"tokenizer.ggml.bos_token_id", u32(1)}};
            std::vector<T> tensors = {{"token_embd.weight", {8, 16}}, {"blk.0.attn_norm.weight", {16}},
                                      {"blk.0.attn_q.weight", {16, 16}}, {"blk.0.attn_k.weight", {8, 16}},
                                      {"blk.0.attn_v.weight", {8, 16}}, {"blk.0.attn_output.weight", {16, 16}},
                                      {"blk.0.ffn_norm.weight", {16}}, {"blk.0.ffn_gate.weight", {32, 16}},
                                      {"blk.0.ffn_up.weight", {32, 16}}, {"blk.0.ffn_down.weight", {16, 32}},
                                      {"output_norm.weight", {16}}};
            edit(kv, tensors);
            gguf::Writer w;
            for (auto& [k, v] : kv) w.add(k, v);
            for (auto& t : tensors) {
                int64_t n = 1;
                for (int64_t d : t.shape) n *= d;
                w.addTensor(t.name, DType::F32, t.shape, floats(int(n)));
            }
            QVERIFY(w.write(m_path).ok());
        };
        auto expectLoad = [&](const std::function<void(Kv&, std::vector<T>&)>& edit, const std::string& expected) {
            build(edit);
            auto r = gguf::loadModel(m_path);
            QVERIFY2(!r.ok(), expected.c_str());
            QCOMPARE(QString::fromStdString(r.error().toString()), QString::fromStdString(m_path + ": " + expected));
        };
        auto erase = [](Kv& kv, const std::string& key) {
            kv.erase(std::remove_if(kv.begin(), kv.end(), [&](const auto& p) { return p.first == key; }), kv.end());
        };
        auto set = [](Kv& kv, const std::string& key, Value v) {
            for (auto& p : kv) if (p.first == key) p.second = v;
        };

        build([](Kv&, std::vector<T>&) {});
        auto ok = gguf::loadModel(m_path);
        QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().toString().c_str());
        QVERIFY((*ok)->config.tiedOutput);
        QCOMPARE((*ok)->config.nVocab, 8);
        QCOMPARE((*ok)->tokenizer.eos, 2);  // llama.cpp's SentencePiece default when the key is absent

        expectLoad([&](Kv& kv, auto&) { erase(kv, "llama.block_count"); },
                   "key 'llama.block_count': is missing, expected a positive integer");
        expectLoad([&](Kv& kv, auto&) { erase(kv, "llama.attention.layer_norm_rms_epsilon"); },
                   "key 'llama.attention.layer_norm_rms_epsilon': is missing, expected a number");
        expectLoad([&](Kv& kv, auto&) { erase(kv, "general.architecture"); },
                   "key 'general.architecture': is missing, expected the architecture name");
        Value s; s.type = ValueType::String; s.s = "16";
        expectLoad([&](Kv& kv, auto&) { set(kv, "llama.embedding_length", s); },
                   "key 'llama.embedding_length': has type string, expected an integer");
        expectLoad([&](Kv& kv, auto&) { set(kv, "llama.attention.head_count", scalar(ValueType::Uint32, 0)); },
                   "key 'llama.attention.head_count': value 0 is out of range, expected 1..2147483647");
        s.s = "bert";
        expectLoad([&](Kv& kv, auto&) { set(kv, "general.architecture", s); },
                   "key 'general.architecture': architecture 'bert' is not supported, expected llama, mistral, qwen2 or gpt2");
        expectLoad([&](Kv&, std::vector<T>& t) { t[2].shape = {8, 16}; },
                   "tensor 'blk.0.attn_q.weight' has shape [8, 16], expected [16, 16]");
        expectLoad([&](Kv&, std::vector<T>& t) { t.erase(t.begin() + 8); },
                   "tensor 'blk.0.ffn_up.weight' is missing (expected shape [32, 16])");
        expectLoad([&](Kv& kv, auto&) { set(kv, "tokenizer.ggml.bos_token_id", scalar(ValueType::Uint32, 99)); },
                   "key 'tokenizer.ggml.bos_token_id': token id 99 is out of range, the vocabulary has 8 tokens");
        expectLoad([&](Kv& kv, auto&) {
            for (auto& p : kv) if (p.first == "tokenizer.ggml.scores") p.second.arr.pop_back(); },
                   "key 'tokenizer.ggml.scores': has 7 entries, expected 8 (one per token)");
        expectLoad([&](Kv& kv, auto&) { kv.emplace_back("tokenizer.ggml.token_type", array(ValueType::String, {})); },
                   "key 'tokenizer.ggml.token_type': has type array of string, expected array of i32");
        expectLoad([&](Kv& kv, auto&) {
            kv.emplace_back("tokenizer.ggml.token_type", array(ValueType::Int32, std::vector<Value>(8, scalar(ValueType::Int32, 9)))); },
                   "key 'tokenizer.ggml.token_type': token 0 has type 9, expected 0..6");
        s.s = "bert";
        expectLoad([&](Kv& kv, auto&) { set(kv, "tokenizer.ggml.model", s); },
                   "key 'tokenizer.ggml.model': tokenizer model 'bert' is not supported, expected 'llama' (SentencePiece) or 'gpt2' (byte-level BPE)");
        expectLoad([&](Kv& kv, auto&) { kv.emplace_back("llama.rope.dimension_count", scalar(ValueType::Uint32, 4)); },
                   "key 'llama.rope.dimension_count': partial rotary embedding (4 of 8 head dimensions) is not supported");
    }
};

QTEST_GUILESS_MAIN(TestGgufMalformed)
#include "tst_gguf_malformed.moc"
