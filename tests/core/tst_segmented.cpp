// Segmented tensors (model/segmented.h): the header written and read back,
// quant::dequantize against each slice decoded alone (bit-exact), malformed
// headers refused by name, a head-unit compression's size against the option
// table's bytes, the engine on segmented tensors against the same model holding
// their dequantized values (CPU both ways; CUDA when a device is present), and
// the per-tensor damage measurement on them.
#include "allocation/option_builder.h"
#include "engine/cuda.h"
#include "engine/engine.h"
#include "engine_reference.h"
#include "eval/compress.h"
#include "eval/compression_plan.h"
#include "eval/unit_damage.h"
#include "model/random_model.h"
#include "model/segmented.h"
#include "quant/block_formats.h"
#include "quant/scheme.h"
#include "sensitivity/calibration.h"
#include "test_support.h"
#include "train/parameters.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace precis;

namespace {

ModelConfig config(Arch arch, int nHeadKv, int nEmbd = 128)
{
    ModelConfig c;
    c.arch = arch;
    c.archName = arch == Arch::Gpt2 ? "gpt2" : "llama";
    c.nLayer = 2;
    c.nEmbd = nEmbd;
    c.nHead = 4;
    c.nHeadKv = arch == Arch::Gpt2 ? 4 : nHeadKv;
    c.nFf = 256;
    c.nVocab = 300;
    c.nCtx = 64;
    c.tiedOutput = arch == Arch::Gpt2;
    return c;
}

std::shared_ptr<Model> model(Arch arch, int nHeadKv, int nEmbd = 128)
{
    auto m = makeRandomModel(config(arch, nHeadKv, nEmbd), 5, 0.08f);
    m->path = "segmented-test";
    return m;
}

std::vector<float> randomMatrix(int64_t rows, int64_t cols, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> w(size_t(rows * cols));
    for (float& v : w) v = g(rng);
    return w;
}

std::vector<float> values(const Tensor& t)
{
    auto v = quant::dequantize(t);
    if (!v.ok()) qFatal("%s", v.error().toString().c_str());
    return std::move(v).value();
}

quant::Scheme S(const char* name) { return quant::parseScheme(name).value(); }

// Every head unit's scheme, cycling through `schemes` (layer l, head h -> (l + h) % n);
// tensor units get `rest`.
std::vector<std::pair<std::string, std::string>> headAssignment(const Model& m, const std::vector<std::string>& schemes,
                                                                const std::string& rest)
{
    std::vector<std::pair<std::string, std::string>> a;
    for (const Tensor& t : m.tensors()) {
        if (!isQuantizableWeight(t)) continue;
        if (unitSlices(m, t.name, Granularity::Head).ok()) a.emplace_back(t.name, rest);
    }
    for (int l = 0; l < m.config.nLayer; ++l)
        for (int h = 0; h < m.config.nHead; ++h)
            a.emplace_back("blk." + std::to_string(l) + ".head." + std::to_string(h), schemes[size_t(l + h) % schemes.size()]);
    return a;
}

std::shared_ptr<Model> headCompressed(const Model& m, const std::vector<std::string>& schemes, const std::string& rest)
{
    auto plan = planFromAssignment(m, Granularity::Head, headAssignment(m, schemes, rest));
    if (!plan.ok()) qFatal("%s", plan.error().toString().c_str());
    auto c = compressModel(m, *plan);
    if (!c.ok()) qFatal("%s", c.error().toString().c_str());
    return std::move(c).value();
}

// `m` with every Segmented tensor replaced by an F32 tensor of its dequantized values.
std::shared_ptr<Model> withSegmentsAsF32(const Model& m)
{
    auto out = std::make_shared<Model>();
    out->path = m.path;
    out->config = m.config;
    out->tokenizer = m.tokenizer;
    for (const Tensor& t : m.tensors())
        out->addTensor(t.dtype == DType::Segmented ? makeOwnedF32Tensor(t.name, t.shape, values(t)) : t);
    return out;
}

std::vector<float> logits(std::shared_ptr<const Model> m, const EngineOptions& o, const std::vector<int32_t>& ids)
{
    auto e = Engine::create(std::move(m), o);
    if (!e.ok()) qFatal("%s", e.error().toString().c_str());
    auto l = (*e)->forward(ids);
    if (!l.ok()) qFatal("%s", l.error().toString().c_str());
    return std::move(l).value();
}

int segmentedCount(const Model& m)
{
    int n = 0;
    for (const Tensor& t : m.tensors()) n += t.dtype == DType::Segmented;
    return n;
}

// A copy of `bytes` with the u32/u64 at `at` replaced.
template <typename T>
Tensor patched(const Tensor& t, size_t at, T v, std::vector<std::vector<uint8_t>>& keep)
{
    keep.emplace_back(reinterpret_cast<const uint8_t*>(t.data), reinterpret_cast<const uint8_t*>(t.data) + t.nbytes);
    std::memcpy(keep.back().data() + at, &v, sizeof(T));
    Tensor c = t;
    c.data = reinterpret_cast<const std::byte*>(keep.back().data());
    c.owner.reset();
    return c;
}

} // namespace

class TestSegmented : public QObject {
    Q_OBJECT
private slots:
    // Row and column segments of mixed types, each encoded alone by quant::encode:
    // the header lists them as written and dequantize() equals each slice's own
    // decode, value for value.
    void roundTripEqualsPerSliceDecode_data()
    {
        QTest::addColumn<bool>("columns");
        QTest::newRow("rows") << false;
        QTest::newRow("columns") << true;
    }
    void roundTripEqualsPerSliceDecode()
    {
        QFETCH(bool, columns);
        const int64_t rows = 96, cols = columns ? 352 : 256;
        const auto w = randomMatrix(rows, cols, 17);
        // rows: [0,32) Q8_0 | [32,64) RTN4g32a | [64,96) Q4_K;  columns: [0,64) Q4_0 | [64,96) F16 | [96,352) Q6_K
        const std::vector<std::tuple<int64_t, int64_t, quant::Scheme>> parts =
            columns ? std::vector<std::tuple<int64_t, int64_t, quant::Scheme>>{{0, 64, S("Q4_0")}, {64, 96, S("F16")}, {96, 352, S("Q6_K")}}
                    : std::vector<std::tuple<int64_t, int64_t, quant::Scheme>>{{0, 32, S("Q8_0")}, {32, 64, S("RTN4g32a")}, {64, 96, S("Q4_K")}};
        std::vector<SegmentBytes> slices;
        std::vector<std::vector<float>> decoded;
        uint64_t payload = 0;
        for (const auto& [b, e, s] : parts) {
            const int64_t sr = columns ? rows : e - b, sc = columns ? e - b : cols;
            std::vector<float> m(size_t(sr * sc));
            for (int64_t r = 0; r < sr; ++r)
                for (int64_t c = 0; c < sc; ++c)
                    m[size_t(r * sc + c)] = columns ? w[size_t(r * cols + b + c)] : w[size_t((b + r) * cols + c)];
            auto bytes = quant::encode(s, m.data(), sr, sc).value();
            std::vector<float> d(m.size());
            QVERIFY(quant::decode(s, bytes.data(), bytes.size(), sr, sc, d.data()).ok());
            decoded.push_back(std::move(d));
            payload += bytes.size();
            slices.push_back({b, e, s.dtype, std::move(bytes)});
        }
        std::swap(slices[0], slices[2]);  // any order in, sorted out
        auto t = makeSegmentedTensor("w.weight", {rows, cols}, columns ? SegmentAxis::Columns : SegmentAxis::Rows, slices);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().toString().c_str());
        QCOMPARE(t->dtype, DType::Segmented);
        QCOMPARE(t->nbytes, segmentedHeaderBytes(3) + payload);
        QCOMPARE(segmentedHeaderBytes(3), uint64_t(32 + 3 * 40));
        auto l = readSegmentedLayout(*t);
        QVERIFY(l.ok());
        QCOMPARE(l->axis, columns ? SegmentAxis::Columns : SegmentAxis::Rows);
        QCOMPARE(l->segments.size(), size_t(3));
        uint64_t offset = segmentedHeaderBytes(3);
        for (size_t i = 0; i < 3; ++i) {
            QCOMPARE(l->segments[i].begin, std::get<0>(parts[i]));
            QCOMPARE(l->segments[i].end, std::get<1>(parts[i]));
            QCOMPARE(l->segments[i].dtype, std::get<2>(parts[i]).dtype);
            QCOMPARE(l->segments[i].offset, offset);
            offset += l->segments[i].nbytes;
        }
        QCOMPARE(tensorTypeName(*t), std::string(columns ? "SEG[Q4_0+F16+Q6_K]" : "SEG[Q8_0+RTN4g32a+Q4_K]"));
        const auto all = values(*t);
        for (size_t i = 0; i < parts.size(); ++i) {
            const auto& [b, e, s] = parts[i];
            const int64_t sr = columns ? rows : e - b, sc = columns ? e - b : cols;
            for (int64_t r = 0; r < sr; ++r)
                for (int64_t c = 0; c < sc; ++c) {
                    const float got = columns ? all[size_t(r * cols + b + c)] : all[size_t((b + r) * cols + c)];
                    if (std::memcmp(&got, &decoded[i][size_t(r * sc + c)], sizeof(float)) != 0)
                        QFAIL(qPrintable(QStringLiteral("slice %1: row %2, column %3").arg(i).arg(r).arg(c)));
                }
        }
        QVERIFY(!dtypeRowBytes(DType::Segmented, 64).has_value());
        QVERIFY(!dtypeTraits(uint32_t(DType::Segmented)).has_value());  // never read from a file
        QCOMPARE(dtypeFromName("SEGMENTED").value(), DType::Segmented);
    }

    void malformedHeadersNameTensorAndField()
    {
        const auto w = randomMatrix(64, 64, 3);
        auto enc = [&](const quant::Scheme& s, int64_t r0, int64_t r1) {
            return quant::encode(s, w.data() + r0 * 64, r1 - r0, 64).value();
        };
        const Tensor good = makeSegmentedTensor("blk.0.attn_q.weight", {64, 64}, SegmentAxis::Rows,
                                                {{0, 32, DType::Q8_0, enc(S("Q8_0"), 0, 32)},
                                                 {32, 64, DType::Q4_0, enc(S("Q4_0"), 32, 64)}}).value();
        const size_t seg1 = size_t(segmentedHeaderBytes(1));
        std::vector<std::vector<uint8_t>> keep;
        const std::vector<std::pair<Tensor, const char*>> bad = {
            {patched<uint32_t>(good, 0, 0x12345678u, keep), "magic"},
            {patched<uint16_t>(good, 4, 2, keep), "version 2"},
            {patched<uint16_t>(good, 6, 2, keep), "axis 2"},
            {patched<uint32_t>(good, 8, 0, keep), "0 segments"},
            {patched<uint32_t>(good, 8, 1000, keep), "1000 segments"},
            {patched<uint64_t>(good, 16, 65, keep), "header says 65"},
            {patched<uint64_t>(good, seg1, 20, keep), "overlaps the segment before it"},  // segment 1 from row 20
            {patched<uint64_t>(good, seg1, 33, keep), "rows [32, 33) are in no segment"},
            {patched<uint64_t>(good, seg1 + 8, 99, keep), "outside"},
            {patched<uint32_t>(good, seg1 + 16, uint32_t(DType::Segmented), keep), "expected a GGUF type"},
            {patched<uint32_t>(good, seg1 + 16, uint32_t(DType::Q4_K), keep), "block size 256"},
            {patched<uint64_t>(good, seg1 + 32, 100, keep), "expected 1152"},
            {patched<uint64_t>(good, seg1 + 24, 7, keep), "offset 7"},
        };
        for (const auto& [t, expect] : bad) {
            auto r = readSegmentedLayout(t);
            QVERIFY2(!r.ok(), expect);
            const std::string msg = r.error().toString();
            QVERIFY2(msg.find("blk.0.attn_q.weight") != std::string::npos && msg.find(expect) != std::string::npos,
                     msg.c_str());
            QVERIFY(!quant::dequantize(t).ok());
        }
        Tensor truncated = good;
        truncated.nbytes -= 1;
        QVERIFY(readSegmentedLayout(truncated).error().message.find("beyond the tensor's") != std::string::npos);
        keep.emplace_back(reinterpret_cast<const uint8_t*>(good.data), reinterpret_cast<const uint8_t*>(good.data) + good.nbytes);
        keep.back().push_back(0);
        Tensor trailing = good;
        trailing.data = reinterpret_cast<const std::byte*>(keep.back().data());
        trailing.nbytes += 1;
        QVERIFY2(readSegmentedLayout(trailing).error().message.find("its header and segments " + std::to_string(good.nbytes)) !=
                     std::string::npos,
                 readSegmentedLayout(trailing).error().message.c_str());
        // makeSegmentedTensor checks what it is given the same way.
        auto overlap = makeSegmentedTensor("x.weight", {64, 64}, SegmentAxis::Rows,
                                           {{0, 40, DType::Q8_0, enc(S("Q8_0"), 0, 40)}, {32, 64, DType::Q4_0, enc(S("Q4_0"), 32, 64)}});
        QVERIFY(!overlap.ok());
        QVERIFY2(overlap.error().toString().find("x.weight") != std::string::npos, overlap.error().toString().c_str());
        // A model holding a bad header fails validation, so no engine is made from it.
        auto m = model(Arch::Llama, 4, 64);
        auto broken = std::make_shared<Model>();
        broken->config = m->config;
        broken->path = "broken.model";
        for (const Tensor& t : m->tensors()) {
            if (t.name != "blk.0.attn_q.weight") {
                broken->addTensor(t);
                continue;
            }
            broken->addTensor(patched<uint16_t>(good, 6, 7, keep));
        }
        auto v = broken->validate();
        QVERIFY(!v.ok());
        QVERIFY2(v.error().toString().find("broken.model") != std::string::npos &&
                     v.error().toString().find("blk.0.attn_q.weight") != std::string::npos,
                 v.error().toString().c_str());
        QVERIFY(!Engine::create(broken).ok());
    }

    // The compressed model's bytes are the option table's: fixed tensors + Σ the
    // chosen options' bytes + 32 + 40·n header bytes per segmented tensor.
    void modelSizeEqualsOptionTableBytes_data()
    {
        QTest::addColumn<int>("arch");
        QTest::addColumn<int>("nHeadKv");
        QTest::newRow("llama, own kv") << int(Arch::Llama) << 4;
        QTest::newRow("llama, gqa") << int(Arch::Llama) << 2;
        QTest::newRow("gpt2") << int(Arch::Gpt2) << 4;
    }
    void modelSizeEqualsOptionTableBytes()
    {
        QFETCH(int, arch);
        QFETCH(int, nHeadKv);
        auto m = model(Arch(arch), nHeadKv, 256);  // head_dim 64
        auto params = parametersFromModel(*m);
        QVERIFY(params.ok());
        sensitivity::CalibrationSet set;
        set.sequences = 2;
        set.length = 16;
        for (int i = 0; i < 2 * 17; ++i) set.tokens.push_back(int32_t((i * 37 + 11) % 300));
        sensitivity::CalibrationSettings cs;
        cs.options = {"F16", "Q8_0", "Q4_0", "Q5_1", "Q4_K", "RTN4g64", "RTN3g32a"};
        cs.probeOptions = {"Q4_0"};
        cs.measure = false;
        cs.headAblation = false;
        auto run = sensitivity::runCalibration(*params, set, cs);
        QVERIFY2(run.ok(), run.ok() ? "" : run.error().toString().c_str());
        OptionTableSettings ts;
        ts.granularity = Granularity::Head;
        ts.options = cs.options;
        auto table = buildOptionTable(*m, run->report, ts);
        QVERIFY2(table.ok(), table.ok() ? "" : table.error().toString().c_str());
        // Unit u takes option (u mod its option count): heads of one tensor get different types.
        std::vector<std::pair<std::string, std::string>> assignment;
        int64_t optionBytes = 0;
        for (size_t u = 0; u < table->units.size(); ++u) {
            const Unit& unit = table->units[u];
            const Option& o = unit.options[u % unit.options.size()];
            assignment.emplace_back(unit.name, o.scheme);
            optionBytes += o.bytes;
        }
        auto plan = planFromAssignment(*m, Granularity::Head, assignment);
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().toString().c_str());
        uint64_t headers = 0;
        int sliced = 0;
        for (const TensorAssignment& a : plan->tensors)
            if (a.sliced()) headers += segmentedHeaderBytes(a.slices.size()), ++sliced;
        QVERIFY(sliced >= 2 * m->config.nLayer);  // q|qkv and attn_output of every layer at least
        auto c = compressModel(*m, *plan);
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().toString().c_str());
        QCOMPARE(segmentedCount(**c), sliced);
        QCOMPARE(modelSize(**c).bytes, table->fixedBytes + optionBytes + int64_t(headers));
        QCOMPARE(modelSize(**c).weights, modelSize(*m).weights);
        // Each segment holds quant::encode's bytes of its slice taken alone.
        for (const TensorAssignment& a : plan->tensors) {
            if (!a.sliced()) continue;
            const Tensor& t = *(*c)->find(a.tensor);
            const auto l = readSegmentedLayout(t).value();
            QCOMPARE(l.segments.size(), a.slices.size());
            const Tensor& src = *m->find(a.tensor);
            const auto* w = reinterpret_cast<const float*>(src.data);
            for (size_t i = 0; i < a.slices.size(); ++i) {
                const TensorSlice& s = a.slices[i];
                const int64_t sr = s.columns ? src.rows() : s.end - s.begin, sc = s.columns ? s.end - s.begin : src.cols();
                std::vector<float> block(size_t(sr * sc));
                for (int64_t r = 0; r < sr; ++r)
                    for (int64_t k = 0; k < sc; ++k)
                        block[size_t(r * sc + k)] = s.columns ? w[r * src.cols() + s.begin + k] : w[(s.begin + r) * src.cols() + k];
                const auto enc = quant::encode(S(s.scheme.c_str()), block.data(), sr, sc).value();
                QCOMPARE(l.segments[i].nbytes, uint64_t(enc.size()));
                QVERIFY2(std::memcmp(t.data + l.segments[i].offset, enc.data(), enc.size()) == 0,
                         (a.tensor + " slice " + std::to_string(i)).c_str());
            }
        }
    }

    // The engine dequantizes segmented tensors to fp32 and runs them like any
    // F32 tensor, so its logits equal those of the model holding those values
    // as F32 exactly (the same fp32 operations in the same order), whether the
    // other matrices are dequantized too or kept in their Q8_0 blocks. Against
    // the naive double-precision reference: within 1e-4, as tst_engine.
    void engineRunsSegmentsAsTheirValues_data() { modelSizeEqualsOptionTableBytes_data(); }
    void engineRunsSegmentsAsTheirValues()
    {
        QFETCH(int, arch);
        QFETCH(int, nHeadKv);
        auto m = model(Arch(arch), nHeadKv);  // head_dim 32
        auto seg = headCompressed(*m, {"Q8_0", "Q4_0", "RTN4g32", "Q5_1", "F16"}, "Q8_0");
        QCOMPARE(segmentedCount(*seg), arch == int(Arch::Gpt2) ? 4 : nHeadKv == 4 ? 8 : 4);
        auto f32 = withSegmentsAsF32(*seg);
        std::vector<int32_t> ids;
        for (int i = 0; i < 12; ++i) ids.push_back(int32_t((i * 71 + 5) % 300));
        for (bool dequantize : {true, false}) {
            EngineOptions o;
            o.dequantize = dequantize;
            const auto a = logits(seg, o, ids), b = logits(f32, o, ids);
            QCOMPARE(a.size(), b.size());
            QVERIFY2(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0,
                     dequantize ? "dequantize = true" : "dequantize = false");
        }
        // Fully dequantized (the Q8_0 tensors too) for the reference, which reads F32 only.
        auto allF32 = std::make_shared<Model>();
        allF32->config = m->config;
        for (const Tensor& t : seg->tensors()) allF32->addTensor(makeOwnedF32Tensor(t.name, t.shape, values(t)));
        const auto ref = test::NaiveTransformer(*allF32).forward(ids);
        const auto got = logits(seg, EngineOptions{}, ids);
        double worst = 0;
        for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(double(got[i]) - ref[i]));
        QVERIFY2(worst < 1e-4, qPrintable(QStringLiteral("max |engine - naive| = %1").arg(worst)));
    }

    // The CUDA upload path: no kernel for Segmented, so it goes up as fp32 values
    // (quant::dequantize on the host); the device then runs the same fp32 matrices
    // as for the F32 model, so the logits are identical. Skips without a device.
    void cudaRunsSegmentsAsTheirValues()
    {
        if (auto d = cudaDevices(); !d.ok() || d->empty()) {
            const std::string why = d.ok() ? std::string("no CUDA device") : d.error().toString();
            QSKIP(why.c_str());
        }
        QVERIFY(!cudaHasKernel(DType::Segmented));
        auto m = model(Arch::Llama, 4);
        auto seg = headCompressed(*m, {"Q8_0", "Q4_0", "RTN4g32"}, "Q8_0");
        auto f32 = withSegmentsAsF32(*seg);
        const std::vector<int32_t> ids = {1, 7, 99, 23, 250, 4};
        for (bool dequantize : {true, false}) {
            EngineOptions o;
            o.device = Device::Cuda;
            o.dequantize = dequantize;
            const auto a = logits(seg, o, ids), b = logits(f32, o, ids);
            QVERIFY(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
        }
    }

    // Per-tensor measured damage works on segmented tensors (dequantized like
    // any other) and names their type.
    void unitDamageMeasuresSegments()
    {
        auto m = model(Arch::Llama, 2);
        auto seg = headCompressed(*m, {"Q8_0", "Q4_0"}, "F32");  // only the head tensors change
        std::vector<int32_t> tokens;
        for (int i = 0; i < 400; ++i) tokens.push_back(int32_t(3 + (i * 53) % 290));
        UnitDamageOptions o;
        o.sequences = 2;
        o.length = 16;
        auto r = measureUnitDamage(*m, *seg, tokens, o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->size(), size_t(4));  // attn_q and attn_output of both layers
        for (const UnitDamage& u : *r) {
            // layer l, head h took schemes[(l + h) % 2]: layer 0 starts with Q8_0, layer 1 with Q4_0
            QCOMPARE(u.scheme, std::string(u.tensor.rfind("blk.0.", 0) == 0 ? "SEG[Q8_0+Q4_0]" : "SEG[Q4_0+Q8_0]"));
            QVERIFY(std::isfinite(u.measuredDloss) && u.measuredKl > 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestSegmented)
#include "tst_segmented.moc"
