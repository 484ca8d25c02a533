// GGUF reader/writer and block-format dequantization:
// golden statistics of llama.cpp's own encodings, stories260K, write -> read
// round trips, and every decoder against an independent per-element decoder.
#include "common/half.h"
#include "formats/gguf.h"
#include "quant/block_formats.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

using namespace precis;
using gguf::Value;
using gguf::ValueType;

namespace {

// ---- Independent decoder: each value's bits picked out one by one from the
// block layout (offsets from llama.cpp's ggml-common.h block structs). ----

unsigned bitsAt(const uint8_t* p, int firstBit, int count)  // LSB-first bit field
{
    unsigned v = 0;
    for (int k = 0; k < count; ++k)
        v |= unsigned((p[(firstBit + k) / 8] >> ((firstBit + k) % 8)) & 1) << k;
    return v;
}
float halfAt(const uint8_t* p, int off) { return fp16ToFloat(uint16_t(p[off] | (p[off + 1] << 8))); }

float refValue(DType t, const uint8_t* b, int e)
{
    switch (t) {
    case DType::Q4_0: return float(int(bitsAt(b + 2, 8 * (e % 16) + 4 * (e / 16), 4)) - 8) * halfAt(b, 0);
    case DType::Q4_1: return float(bitsAt(b + 4, 8 * (e % 16) + 4 * (e / 16), 4)) * halfAt(b, 0) + halfAt(b, 2);
    case DType::Q5_0: {
        const unsigned q = bitsAt(b + 6, 8 * (e % 16) + 4 * (e / 16), 4) | (bitsAt(b + 2, e, 1) << 4);
        return float(int(q) - 16) * halfAt(b, 0);
    }
    case DType::Q5_1: {
        const unsigned q = bitsAt(b + 8, 8 * (e % 16) + 4 * (e / 16), 4) | (bitsAt(b + 4, e, 1) << 4);
        return float(q) * halfAt(b, 0) + halfAt(b, 2);
    }
    case DType::Q8_0: return float(int8_t(b[2 + e])) * halfAt(b, 0);
    case DType::Q8_1: return float(int8_t(b[4 + e])) * halfAt(b, 0);
    case DType::Q8_K: { float d; std::memcpy(&d, b, 4); return d * float(int8_t(b[4 + e])); }
    case DType::Q2_K: {  // scales@0 qs@16 d@80 dmin@82; 2-bit field j of byte l per 128-half
        const int half = e / 128, j = (e % 128) / 32, l = e % 32;
        const unsigned q = bitsAt(b + 16 + 32 * half, 8 * l + 2 * j, 2);
        const unsigned sc = bitsAt(b, 8 * (e / 16), 4), m = bitsAt(b, 8 * (e / 16) + 4, 4);
        const float dl = halfAt(b, 80) * float(sc), ml = halfAt(b, 82) * float(m);
        return dl * float(q) - ml;
    }
    case DType::Q3_K: {  // hmask@0 qs@32 scales@96 d@108
        const int half = e / 128, j = (e % 128) / 32, l = e % 32, sub = e / 16;
        const int low = int(bitsAt(b + 32 + 32 * half, 8 * l + 2 * j, 2));
        const int high = int(bitsAt(b, 8 * l + 4 * half + j, 1));
        const int s = int(bitsAt(b + 96, 8 * (sub % 8) + 4 * (sub / 8), 4) |
                          (bitsAt(b + 104, 8 * (sub % 4) + 2 * (sub / 4), 2) << 4)) - 32;
        return (halfAt(b, 108) * float(s)) * float(low - (high ? 0 : 4));
    }
    case DType::Q4_K:
    case DType::Q5_K: {  // d@0 dmin@2 scales@4 [qh@16] qs@16|48
        const bool five = t == DType::Q5_K;
        const int chunk = e / 64, r = e % 64, sub = e / 32;
        unsigned q = bitsAt(b + (five ? 48 : 16) + 32 * chunk, 8 * (r % 32) + 4 * (r / 32), 4);
        if (five) q |= bitsAt(b + 16, 8 * (r % 32) + sub, 1) << 4;
        const uint8_t* s = b + 4;
        unsigned sc, m;
        if (sub < 4) {
            sc = bitsAt(s, 8 * sub, 6);
            m = bitsAt(s, 8 * (sub + 4), 6);
        } else {
            sc = bitsAt(s, 8 * (sub + 4), 4) | (bitsAt(s, 8 * (sub - 4) + 6, 2) << 4);
            m = bitsAt(s, 8 * (sub + 4) + 4, 4) | (bitsAt(s, 8 * sub + 6, 2) << 4);
        }
        return (halfAt(b, 0) * float(sc)) * float(q) - halfAt(b, 2) * float(m);
    }
    case DType::Q6_K: {  // ql@0 qh@128 scales@192 d@208
        const int half = e / 128, quarter = (e % 128) / 32, l = e % 32;
        const unsigned low = bitsAt(b + 64 * half, 8 * (l + 32 * (quarter & 1)) + 4 * (quarter >> 1), 4);
        const unsigned high = bitsAt(b + 128 + 32 * half, 8 * l + 2 * quarter, 2);
        return halfAt(b, 208) * float(int8_t(b[192 + e / 16])) * float(int(low | (high << 4)) - 32);
    }
    default: return NAN;
    }
}

// Offsets of the fp16 fields of each block type (kept finite in random data).
std::vector<int> halfFields(DType t)
{
    switch (t) {
    case DType::Q4_0: case DType::Q5_0: case DType::Q8_0: return {0};
    case DType::Q4_1: case DType::Q5_1: case DType::Q8_1: case DType::Q4_K: case DType::Q5_K: return {0, 2};
    case DType::Q2_K: return {80, 82};
    case DType::Q3_K: return {108};
    case DType::Q6_K: return {208};
    default: return {};
    }
}

uint16_t finiteHalf(std::mt19937& rng)
{
    for (;;) {
        const auto h = uint16_t(rng());
        if (((h >> 10) & 31) != 31) return h;
    }
}

// Random bytes for n values of `t`, every float field finite.
std::vector<std::byte> randomData(DType t, int64_t n, std::mt19937& rng)
{
    const DTypeTraits& tr = dtypeTraits(t);
    std::vector<std::byte> b(size_t(n / tr.blockSize * tr.typeSize));
    for (auto& x : b) x = std::byte(rng() & 0xFF);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (size_t off = 0; off < b.size(); off += size_t(tr.typeSize)) {
        auto* p = b.data() + off;
        if (t == DType::F32 || t == DType::Q8_K) { const float f = float(normal(rng)); std::memcpy(p, &f, 4); }
        if (t == DType::F64) { const double f = normal(rng); std::memcpy(p, &f, 8); }
        if (t == DType::F16) { const uint16_t h = finiteHalf(rng); std::memcpy(p, &h, 2); }
        if (t == DType::BF16) { const uint16_t h = floatToBf16(float(normal(rng))); std::memcpy(p, &h, 2); }
        for (int f : halfFields(t)) { const uint16_t h = finiteHalf(rng); std::memcpy(p + f, &h, 2); }
    }
    return b;
}

bool sameValue(const Value& a, const Value& b)
{
    if (a.type != b.type) return false;
    switch (a.type) {
    case ValueType::Float32: return floatToBits(float(a.f)) == floatToBits(float(b.f));
    case ValueType::Float64: return std::memcmp(&a.f, &b.f, 8) == 0;
    case ValueType::String: return a.s == b.s;
    case ValueType::Array:
        if (a.elemType != b.elemType || a.arr.size() != b.arr.size()) return false;
        for (size_t k = 0; k < a.arr.size(); ++k)
            if (!sameValue(a.arr[k], b.arr[k])) return false;
        return true;
    default: return a.i == b.i;
    }
}

Value scalar(ValueType t, int64_t i) { Value v; v.type = t; v.i = i; return v; }
Value real(ValueType t, double f) { Value v; v.type = t; v.f = f; return v; }
Value text(std::string s) { Value v; v.type = ValueType::String; v.s = std::move(s); return v; }
Value array(ValueType elem, std::vector<Value> items) { Value v; v.type = ValueType::Array; v.elemType = elem; v.arr = std::move(items); return v; }

Tensor view(const gguf::File& f, const gguf::TensorInfo& info)
{
    Tensor t;
    t.name = info.name; t.dtype = info.dtype; t.shape = info.shape;
    t.data = f.tensorData(info); t.nbytes = info.nbytes; t.owner = f.mapping;
    return t;
}

void compareTensors(const Model& a, const Model& b)
{
    QCOMPARE(a.tensors().size(), b.tensors().size());
    for (const Tensor& t : a.tensors()) {
        const Tensor* u = b.find(t.name);
        QVERIFY2(u, t.name.c_str());
        QCOMPARE(u->dtype, t.dtype);
        QCOMPARE(u->shape, t.shape);
        QCOMPARE(u->nbytes, t.nbytes);
        QVERIFY2(std::memcmp(u->data, t.data, t.nbytes) == 0, t.name.c_str());
    }
}

// Minimal safetensors reader for the HF copy of stories260K (u64 header size,
// JSON header, data): only what the RoPE permutation test needs.
std::vector<std::byte> safetensor(const std::string& path, const std::string& name)
{
    std::ifstream in(path, std::ios::binary);
    uint64_t n = 0;
    in.read(reinterpret_cast<char*>(&n), 8);
    std::string header(n, '\0');
    in.read(header.data(), std::streamsize(n));
    const auto j = nlohmann::json::parse(header).at(name);
    const uint64_t begin = j.at("data_offsets")[0], end = j.at("data_offsets")[1];
    std::vector<std::byte> out(end - begin);
    in.seekg(std::streamoff(8 + n + begin));
    in.read(reinterpret_cast<char*>(out.data()), std::streamsize(out.size()));
    return out;
}

} // namespace

class TestGguf : public QObject {
    Q_OBJECT
private slots:
    void traitTableMatchesDtypeTable()
    {
        QCOMPARE(quant::blockFormats().size(), size_t(15));
        for (const auto& f : quant::blockFormats()) {
            QCOMPARE(f.blockSize, dtypeTraits(f.type).blockSize);
            QCOMPARE(f.typeSize, dtypeTraits(f.type).typeSize);
            QCOMPARE(std::string_view(f.name), dtypeName(f.type));
        }
        QVERIFY(!quant::blockFormat(DType::I32));
        float out[32];
        const std::byte zeros[64] = {};
        QVERIFY(!quant::dequantizeRow(DType::I32, zeros, out, 4));
        QVERIFY(!quant::dequantizeRow(DType::Q4_0, zeros, out, 31));
    }

    void knownBlockValues()
    {
        // Q4_0, d = 0.5 (fp16 0x3800): byte 0 = 0x1F -> value 0 = (15-8)/2, value 16 = (1-8)/2.
        uint8_t q4[18] = {0x00, 0x38, 0x1F};
        float y[256];
        QVERIFY(quant::dequantizeRow(DType::Q4_0, q4, y, 32));
        QCOMPARE(y[0], 3.5f);
        QCOMPARE(y[16], -3.5f);
        QCOMPARE(y[1], -4.0f);  // nibble 0 -> -8 * 0.5
        // Q6_K, d = 1, scale[0] = 2, ql[0] = 0x05, qh[0] = 0x02 -> value 0 = 2·((5 | 2<<4) − 32) = 10.
        uint8_t q6[210] = {};
        q6[0] = 0x05; q6[128] = 0x02; q6[192] = 2; q6[208] = 0x00; q6[209] = 0x3C;
        QVERIFY(quant::dequantizeRow(DType::Q6_K, q6, y, 256));
        QCOMPARE(y[0], 10.0f);
        QCOMPARE(y[1], -64.0f);  // all-zero bits -> q = −32, scale[0] = 2
    }

    void dequantizeMatchesIndependentDecoder()
    {
        std::mt19937 rng(1234);
        for (const auto& f : quant::blockFormats()) {
            if (f.blockSize == 1) continue;
            const int nBlocks = 66;
            std::vector<std::byte> data = randomData(f.type, int64_t(nBlocks) * f.blockSize, rng);
            // Two extreme blocks: every quant bit clear / set (float fields stay finite).
            for (int k = 0; k < f.typeSize; ++k) {
                data[size_t(k)] = std::byte{0};
                data[size_t(f.typeSize + k)] = std::byte{0xFF};
            }
            for (int h : halfFields(f.type)) {
                data[size_t(h)] = std::byte{0x00}; data[size_t(h + 1)] = std::byte{0x3C};
                data[size_t(f.typeSize + h)] = std::byte{0x55}; data[size_t(f.typeSize + h + 1)] = std::byte{0xB5};
            }
            if (f.type == DType::Q8_K) { const float one = 1.0f; std::memcpy(data.data() + f.typeSize, &one, 4); }
            std::vector<float> got(size_t(nBlocks) * size_t(f.blockSize));
            QVERIFY(quant::dequantizeRow(f.type, data.data(), got.data(), int64_t(got.size())));
            for (int blk = 0; blk < nBlocks; ++blk) {
                const auto* b = reinterpret_cast<const uint8_t*>(data.data()) + size_t(blk) * size_t(f.typeSize);
                for (int e = 0; e < f.blockSize; ++e) {
                    const float want = refValue(f.type, b, e);
                    const float have = got[size_t(blk) * size_t(f.blockSize) + size_t(e)];
                    if (floatToBits(want) != floatToBits(have))
                        QFAIL(qPrintable(QStringLiteral("%1 block %2 value %3: %4 vs reference %5")
                                             .arg(f.name).arg(blk).arg(e).arg(double(have)).arg(double(want))));
                }
            }
        }
    }

    void dequantizeTensorParallelAndErrors()
    {
        std::mt19937 rng(7);
        Tensor t;
        t.name = "big"; t.dtype = DType::Q4_K; t.shape = {600, 512};
        auto bytes = std::make_shared<std::vector<std::byte>>(randomData(DType::Q4_K, 600 * 512, rng));
        t.data = bytes->data(); t.nbytes = bytes->size(); t.owner = bytes;
        auto all = quant::dequantize(t);
        QVERIFY(all.ok());
        std::vector<float> row(512);
        for (int r : {0, 1, 299, 599}) {
            QVERIFY(quant::dequantizeRow(DType::Q4_K, t.data + size_t(r) * 288, row.data(), 512));
            QVERIFY(std::memcmp(row.data(), all->data() + size_t(r) * 512, 512 * 4) == 0);
        }
        t.nbytes -= 1;
        auto bad = quant::dequantize(t);
        QVERIFY(!bad.ok());
        QCOMPARE(QString::fromStdString(bad.error().toString()),
                 QStringLiteral("tensor 'big': holds 172799 bytes, expected 172800 for its shape and dtype Q4_K"));
        t.dtype = DType::I32; t.shape = {4}; t.nbytes = 16;
        QCOMPARE(QString::fromStdString(quant::dequantize(t).error().toString()),
                 QStringLiteral("tensor 'big': dtype I32 cannot be converted to fp32"));
    }

    void goldenLlamaCppEncodings()
    {
        PRECIS_REQUIRE_SHARED("reference/gguf-quants.json");
        PRECIS_REQUIRE_SHARED("data/gguf-quants/testbed-Q4_0.gguf");
        std::ifstream in(test::sharedPath("reference/gguf-quants.json"));
        const auto ref = nlohmann::json::parse(in);
        int files = 0, tensors = 0;
        auto near = [](double have, double want, double rel) { return std::abs(have - want) <= rel * std::max(1.0, std::abs(want)); };
        for (const auto& [fileName, entries] : ref.at("tensors").items()) {
            const std::string path = test::sharedPath("data/gguf-quants/" + fileName);
            auto file = gguf::File::open(path);
            QVERIFY2(file.ok(), file.ok() ? "" : file.error().toString().c_str());
            for (const auto& [name, stats] : entries.items()) {
                auto it = std::find_if(file->tensors.begin(), file->tensors.end(), [&](const auto& t) { return t.name == name; });
                QVERIFY2(it != file->tensors.end(), name.c_str());
                QCOMPARE(std::string(dtypeName(it->dtype)), stats.at("type").get<std::string>());
                auto values = quant::dequantize(view(*file, *it));
                QVERIFY(values.ok());
                double sum = 0, sumSq = 0, maxAbs = 0;
                for (float v : *values) { sum += v; sumSq += double(v) * v; maxAbs = std::max(maxAbs, std::abs(double(v))); }
                const QByteArray where = QByteArray::fromStdString(fileName + " " + name);
                QCOMPARE(int64_t(values->size()), stats.at("n").get<int64_t>());
                QVERIFY2(near(sum, stats.at("sum"), 1e-6), where);
                QVERIFY2(near(sumSq, stats.at("sum_sq"), 1e-6), where);
                QVERIFY2(near(maxAbs, stats.at("max_abs"), 1e-6), where);
                const auto& first = stats.at("first16");
                for (size_t k = 0; k < first.size(); ++k)
                    QVERIFY2(std::abs((*values)[k] - first[k].get<double>()) <= 1e-6, where);
                const auto& at = stats.at("at_1000");
                for (size_t k = 0; k < at.size(); ++k)
                    QVERIFY2(std::abs((*values)[1000 + k] - at[k].get<double>()) <= 1e-6, where);
                ++tensors;
            }
            // The same file loads as a model (1 block, 256 wide, untied output).
            auto model = gguf::loadModel(path);
            QVERIFY2(model.ok(), model.ok() ? "" : model.error().toString().c_str());
            QCOMPARE((*model)->config.nEmbd, 256);
            QCOMPARE((*model)->config.nFf, 768);
            QCOMPARE((*model)->config.nVocab, 512);
            QVERIFY(!(*model)->config.tiedOutput);
            ++files;
        }
        QCOMPARE(files, 11);
        QCOMPARE(tensors, 11 * 12);
    }

    void stories260KLoads()
    {
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        const std::string path = test::sharedPath("data/models/stories260K.gguf");
        auto r = gguf::loadModel(path);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const Model& m = **r;
        const ModelConfig& c = m.config;
        QCOMPARE(c.arch, Arch::Llama);
        QCOMPARE(c.archName, std::string("llama"));
        QCOMPARE(c.nLayer, 5); QCOMPARE(c.nEmbd, 64); QCOMPARE(c.nHead, 8); QCOMPARE(c.nHeadKv, 4);
        QCOMPARE(c.nFf, 172); QCOMPARE(c.nVocab, 512); QCOMPARE(c.nCtx, 2048);
        QCOMPARE(c.normEps, 1e-5f);
        QCOMPARE(c.ropeTheta, 10000.0f);
        QCOMPARE(c.ropeLayout, RopeLayout::Interleaved);
        // The file stores output.weight (a copy of token_embd.weight), so it is not tied.
        QVERIFY(!c.tiedOutput);
        QVERIFY(!c.qkvBias);
        QCOMPARE(m.tensors().size(), size_t(48));
        QCOMPARE(m.parameterCount(), int64_t(292800));
        QCOMPARE(m.fileBytes, uint64_t(1185376));
        QCOMPARE(m.find("blk.0.ffn_down.weight")->shape, (std::vector<int64_t>{64, 172}));
        const TokenizerSpec& tok = m.tokenizer;
        QCOMPARE(tok.kind, TokenizerKind::SentencePiece);
        QCOMPARE(tok.tokens.size(), size_t(512));
        QCOMPARE(tok.scores.size(), size_t(512));
        QCOMPARE(tok.types.size(), size_t(512));
        QCOMPARE(tok.tokens[1], std::string("<s>"));
        QCOMPARE(tok.types[3], TokenType::Byte);
        QCOMPARE(tok.bos, 1); QCOMPARE(tok.eos, 2); QCOMPARE(tok.unk, 0); QCOMPARE(tok.pad, -1);
        QVERIFY(tok.addBos);
        auto meta = std::find_if(m.metadata.begin(), m.metadata.end(), [](const auto& p) { return p.first == "tokenizer.ggml.tokens"; });
        QVERIFY(meta != m.metadata.end());
        QCOMPARE(meta->second, std::string("[512 × string]"));
    }

    void writerRoundTripEveryTypeAndAlignment()
    {
        std::mt19937 rng(99);
        for (const uint64_t alignment : {uint64_t(32), uint64_t(64)}) {
            gguf::Writer w;
            w.setAlignment(alignment);
            const std::vector<std::pair<std::string, Value>> kv = {
                {"t.u8", scalar(ValueType::Uint8, 200)},
                {"t.i8", scalar(ValueType::Int8, -5)},
                {"t.u16", scalar(ValueType::Uint16, 60000)},
                {"t.i16", scalar(ValueType::Int16, -30000)},
                {"t.u32", scalar(ValueType::Uint32, 4000000000)},
                {"t.i32", scalar(ValueType::Int32, -2000000000)},
                {"t.u64", scalar(ValueType::Uint64, int64_t(0x8000000000000005ull))},  // above INT64_MAX
                {"t.i64", scalar(ValueType::Int64, -(int64_t(1) << 62))},
                {"t.f32", real(ValueType::Float32, 3.25)},
                {"t.f64", real(ValueType::Float64, M_PI)},
                {"t.bool", scalar(ValueType::Bool, 1)},
                {"t.str", text("h\xC3\xA9llo \xE2\x9C\x93")},
                {"t.empty", text("")},
                {"t.arr.f32", array(ValueType::Float32, {real(ValueType::Float32, -0.5), real(ValueType::Float32, double(1e-30f))})},
                {"t.arr.bool", array(ValueType::Bool, {scalar(ValueType::Bool, 0), scalar(ValueType::Bool, 1)})},
                {"t.arr.str", array(ValueType::String, {text("a"), text(""), text("\xE2\x96\x81the")})},
                {"t.arr.i64", array(ValueType::Int64, {scalar(ValueType::Int64, INT64_MIN), scalar(ValueType::Int64, 3)})},
                {"t.arr.empty", array(ValueType::Uint32, {})},
                {"t.arr.nested", array(ValueType::Array, {array(ValueType::Uint16, {scalar(ValueType::Uint16, 1), scalar(ValueType::Uint16, 2)}),
                                                          array(ValueType::String, {text("x")}), array(ValueType::Int8, {})})},
                {"t.arr.deep", array(ValueType::Array, {array(ValueType::Array, {array(ValueType::Float64, {real(ValueType::Float64, -2.5)})})})},
            };
            w.addU32("t.u32", 7);
            for (const auto& [key, value] : kv) w.add(key, value);  // t.u32 replaced in place
            w.addString("t.str2", "second");
            std::vector<std::pair<std::string, std::vector<std::byte>>> written;
            int k = 0;
            for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
                            DType::Q8_0, DType::Q8_1, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K,
                            DType::Q8_K, DType::I8, DType::I16, DType::I32, DType::I64, DType::F64}) {
                const int64_t bs = dtypeTraits(t).blockSize;
                const std::vector<int64_t> shape = k % 3 == 0 ? std::vector<int64_t>{3, bs == 1 ? 5 : 2 * bs}
                                                  : k % 3 == 1 ? std::vector<int64_t>{2, 1, 3, bs == 1 ? 7 : bs}
                                                               : std::vector<int64_t>{bs == 1 ? 9 : bs};
                int64_t n = 1;
                for (int64_t d : shape) n *= d;
                const std::string name = std::string("tensor.") + std::string(dtypeName(t));
                written.emplace_back(name, randomData(t, n, rng));
                w.addTensor(name, t, shape, written.back().second);
                ++k;
            }
            const std::string path = test::scratchDir("gguf-roundtrip") + "/all.gguf";
            QVERIFY(w.write(path).ok());
            // write() streams exactly what serialize() produces.
            std::ifstream in(path, std::ios::binary);
            const std::string disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            const std::vector<std::byte> mem = w.serialize();
            QCOMPARE(disk.size(), mem.size());
            QVERIFY(std::memcmp(disk.data(), mem.data(), mem.size()) == 0);

            auto f = gguf::File::open(path);
            QVERIFY2(f.ok(), f.ok() ? "" : f.error().toString().c_str());
            QCOMPARE(f->version, 3u);
            QCOMPARE(f->alignment, alignment);
            QCOMPARE(f->dataOffset % alignment, uint64_t(0));
            QCOMPARE(f->kv.size(), kv.size() + (alignment == 32 ? 1 : 2));  // + t.str2, + general.alignment when not 32
            for (const auto& [key, value] : kv) {
                const Value* got = f->find(key);
                QVERIFY2(got && sameValue(*got, value), key.c_str());
            }
            QCOMPARE(f->kv[0].first, std::string("t.u32"));  // position of the first add, value of the second
            QCOMPARE(f->kv[0].second.i, int64_t(4000000000));
            QCOMPARE(f->kv[1].first, std::string("t.u8"));
            QCOMPARE(*f->find("t.str2")->asString(), std::string("second"));
            QVERIFY(!f->find("t.u64")->asInt().has_value());
            QCOMPARE(*f->find("t.i16")->asInt(), int64_t(-30000));
            QCOMPARE(*f->find("t.f32")->asFloat(), 3.25);
            QCOMPARE(f->find("t.u64")->toDisplayString(), std::string("9223372036854775813"));
            QCOMPARE(f->find("t.arr.nested")->toDisplayString(), std::string("[[1, 2], [\"x\"], []]"));
            QCOMPARE(f->find("t.arr.str")->toDisplayString(2), std::string("[\"a\", \"\", … (3 × string)]"));
            QCOMPARE(f->tensors.size(), written.size());
            for (size_t i = 0; i < written.size(); ++i) {
                const auto& info = f->tensors[i];
                QCOMPARE(info.name, written[i].first);
                QCOMPARE(info.offset % alignment, uint64_t(0));
                QCOMPARE(info.nbytes, uint64_t(written[i].second.size()));
                QVERIFY(std::memcmp(f->tensorData(info), written[i].second.data(), info.nbytes) == 0);
                if (quant::blockFormat(info.dtype)) {
                    auto v = quant::dequantize(view(*f, info));
                    QVERIFY(v.ok());
                    for (float x : *v) QVERIFY(std::isfinite(x));
                }
            }
        }
    }

    void writeModelRoundTripStories()
    {
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        auto a = gguf::loadModel(test::sharedPath("data/models/stories260K.gguf"));
        QVERIFY(a.ok());
        const std::string path = test::scratchDir("gguf-writemodel") + "/stories.gguf";
        auto w = gguf::writeModel(**a, path);
        QVERIFY2(w.ok(), w.ok() ? "" : w.error().toString().c_str());
        QVERIFY(!std::filesystem::exists(path + ".tmp-precis"));
        auto b = gguf::loadModel(path);
        QVERIFY2(b.ok(), b.ok() ? "" : b.error().toString().c_str());
        const ModelConfig &ca = (*a)->config, &cb = (*b)->config;
        QCOMPARE(cb.nLayer, ca.nLayer); QCOMPARE(cb.nEmbd, ca.nEmbd); QCOMPARE(cb.nHead, ca.nHead);
        QCOMPARE(cb.nHeadKv, ca.nHeadKv); QCOMPARE(cb.nFf, ca.nFf); QCOMPARE(cb.nVocab, ca.nVocab);
        QCOMPARE(cb.nCtx, ca.nCtx); QCOMPARE(cb.normEps, ca.normEps); QCOMPARE(cb.ropeTheta, ca.ropeTheta);
        QCOMPARE(cb.tiedOutput, ca.tiedOutput); QCOMPARE(cb.ropeLayout, ca.ropeLayout);
        compareTensors(**a, **b);
        const TokenizerSpec &ta = (*a)->tokenizer, &tb = (*b)->tokenizer;
        QCOMPARE(tb.kind, ta.kind); QCOMPARE(tb.tokens, ta.tokens); QCOMPARE(tb.scores, ta.scores);
        QVERIFY(tb.types == ta.types); QCOMPARE(tb.merges, ta.merges);
        QCOMPARE(tb.bos, ta.bos); QCOMPARE(tb.eos, ta.eos); QCOMPARE(tb.unk, ta.unk); QCOMPARE(tb.pad, ta.pad);
        QCOMPARE(tb.addBos, ta.addBos); QCOMPARE(tb.addEos, ta.addEos); QCOMPARE(tb.addSpacePrefix, ta.addSpacePrefix);
        auto f = gguf::File::open(path);
        QVERIFY(f.ok());
        QCOMPARE(*f->find("general.name")->asString(), std::string("llama"));
        QCOMPARE(f->find("general.file_type")->i, int64_t(0));
        QCOMPARE(f->find("general.quantization_version")->i, int64_t(2));
        QCOMPARE(f->find("llama.rope.dimension_count")->i, int64_t(8));
    }

    void writeModelPermutesHfRotateHalf()
    {
        // The HF copy of stories260K stores q/k in rotate-half order; exporting it
        // must reproduce llama.cpp's interleaved rows byte for byte.
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        PRECIS_REQUIRE_SHARED("data/models/stories260K-hf/model.safetensors");
        auto ggufModel = gguf::loadModel(test::sharedPath("data/models/stories260K.gguf"));
        QVERIFY(ggufModel.ok());
        Model hf;
        hf.path = "hf";
        hf.config = (*ggufModel)->config;
        hf.config.ropeLayout = RopeLayout::RotateHalf;
        const std::string st = test::sharedPath("data/models/stories260K-hf/model.safetensors");
        for (const Tensor& t : (*ggufModel)->tensors()) {
            Tensor u = t;
            const bool q = t.name.find("attn_q.weight") != std::string::npos, k = t.name.find("attn_k.weight") != std::string::npos;
            if (q || k) {
                const std::string layer = t.name.substr(4, t.name.find('.', 4) - 4);
                auto bytes = std::make_shared<std::vector<std::byte>>(
                    safetensor(st, "model.layers." + layer + ".self_attn." + (q ? "q_proj" : "k_proj") + ".weight"));
                QCOMPARE(uint64_t(bytes->size()), t.nbytes);
                QVERIFY(std::memcmp(bytes->data(), t.data, t.nbytes) != 0);  // really a different layout
                u.data = bytes->data();
                u.owner = bytes;
            }
            QVERIFY(hf.addTensor(u));
        }
        const std::string path = test::scratchDir("gguf-permute") + "/from-hf.gguf";
        QVERIFY(gguf::writeModel(hf, path).ok());
        auto back = gguf::loadModel(path);
        QVERIFY(back.ok());
        QCOMPARE((*back)->config.ropeLayout, RopeLayout::Interleaved);
        compareTensors(**ggufModel, **back);
    }

    void writeModelPermutesQuantizedRows()
    {
        // Blocks never span rows, so a quantized q/k moves row by row exactly like fp32.
        std::mt19937 rng(5);
        Model m;
        m.path = "tiny";
        ModelConfig& c = m.config;
        c.archName = "llama"; c.nLayer = 1; c.nEmbd = 32; c.nHead = 2; c.nHeadKv = 1; c.nFf = 32;
        c.nVocab = 4; c.nCtx = 16; c.tiedOutput = true; c.ropeLayout = RopeLayout::RotateHalf;
        for (const auto& [name, shape] : m.expectedTensors()) {
            const DType dt = shape.size() == 2 ? DType::Q8_0 : DType::F32;
            auto bytes = std::make_shared<std::vector<std::byte>>(randomData(dt, shape.size() == 2 ? shape[0] * shape[1] : shape[0], rng));
            Tensor t;
            t.name = name; t.dtype = dt; t.shape = shape; t.data = bytes->data(); t.nbytes = bytes->size(); t.owner = bytes;
            QVERIFY(m.addTensor(t));
        }
        const std::string path = test::scratchDir("gguf-permute-q") + "/tiny.gguf";
        auto w = gguf::writeModel(m, path);
        QVERIFY2(w.ok(), w.ok() ? "" : w.error().toString().c_str());
        auto back = gguf::loadModel(path);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
        for (const auto& [name, heads] : {std::pair<std::string, int>{"blk.0.attn_q.weight", 2}, {"blk.0.attn_k.weight", 1}}) {
            auto before = quant::dequantize(*m.find(name));
            auto after = quant::dequantize(*(*back)->find(name));
            QVERIFY(before.ok() && after.ok());
            const int64_t rows = m.find(name)->shape[0], d = rows / heads;
            for (int64_t r = 0; r < rows; ++r) {  // interleaved row h·D + 2i + s = rotate-half row h·D + s·D/2 + i
                const int64_t h = r / d, i = (r % d) / 2, s = r % 2;
                const int64_t src = h * d + s * (d / 2) + i;
                QVERIFY(std::memcmp(after->data() + r * 32, before->data() + src * 32, 32 * 4) == 0);
            }
        }
        QVERIFY(std::memcmp((*back)->find("blk.0.attn_v.weight")->data, m.find("blk.0.attn_v.weight")->data, 34) == 0);
        QCOMPARE((*back)->tokenizer.kind, TokenizerKind::None);
    }
};

QTEST_GUILESS_MAIN(TestGguf)
#include "tst_gguf.moc"
