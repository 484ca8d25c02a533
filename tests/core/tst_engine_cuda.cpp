// The CUDA backend (EngineOptions::device = Device::Cuda) against the CPU
// engine. Without a GPU, or in a build without the backend, only the reporting
// is checked (cudaBuilt, cudaDevices, Engine::create's error) and every device
// case is skipped with the reason. With one:
//   - each kernel alone: device dequantization bit-identical to
//     quant::dequantizeRow, the decode matrix-vector product against a
//     double-precision dot of the dequantized rows, for every weight type;
//   - whole models (random Llama / GPT-2, every weight type, a per-tensor mix
//     with q/k/v biases and rotate-half RoPE, odd head sizes): logits against
//     the CPU fp32 engine (the same dequantized weights: only fp32 rounding
//     differs) and against the CPU block kernels (which quantize activations);
//   - prefill + token-by-token decode against one forward, CUDA graphs against
//     plain launches (bit-identical), fp16 caches, attention maps, errors,
//     device out-of-memory, bandwidth, concurrent states.
#include "engine/cuda.h"
#include "engine/cuda/backend.h"
#include "engine/engine.h"
#include "engine/kernels/kernels.h"
#include "engine/kv_cache.h"
#include "model/random_model.h"
#include "quant/block_formats.h"
#include "quant/scheme.h"
#include "engine_fixtures.h"
#include "test_support.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

using namespace precis;
using namespace precis::test;

namespace {

const DType kTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
                        DType::Q8_0, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};
// Why the device cases are skipped (the backend's own message), or empty.
const std::string& noDeviceReason()
{
    static const std::string reason = [] {
        auto d = cudaDevices();
        return d.ok() ? std::string() : d.error().message;
    }();
    return reason;
}

#define REQUIRE_CUDA_DEVICE()                                         \
    do {                                                              \
        if (!noDeviceReason().empty()) QSKIP(noDeviceReason().c_str()); \
    } while (0)

bool isFloat(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

std::shared_ptr<Model> randomModel(const ModelConfig& c, uint64_t seed)
{
    auto m = makeRandomModel(c, seed);
    if (!m) qFatal("cannot allocate a random model");
    if (auto v = m->validate(); !v.ok()) qFatal("%s", v.error().toString().c_str());
    return m;
}

std::unique_ptr<Engine> makeEngine(std::shared_ptr<const Model> m, Device device, bool dequantize,
                                   KvType kv = KvType::F32)
{
    EngineOptions o;
    o.device = device;
    o.dequantize = dequantize;
    o.kv = kv;
    auto e = Engine::create(std::move(m), o);
    if (!e.ok()) qFatal("%s", e.error().toString().c_str());
    return std::move(e).value();
}

std::unique_ptr<Engine> cudaEngine(std::shared_ptr<const Model> m, KvType kv = KvType::F32)
{
    return makeEngine(std::move(m), Device::Cuda, false, kv);
}

std::unique_ptr<Engine> cpuFp32(std::shared_ptr<const Model> m, KvType kv = KvType::F32)
{
    return makeEngine(std::move(m), Device::Cpu, true, kv);
}

std::vector<int32_t> prompt(int n, int vocab)
{
    std::vector<int32_t> ids;
    for (int i = 0; i < n; ++i) ids.push_back(int32_t((i * 53 + 7) % vocab));
    return ids;
}

// max |a − b| relative to max |b|.
double relDiff(const std::vector<float>& a, const std::vector<float>& b)
{
    if (a.size() != b.size()) return 1e30;
    double d = 0, m = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        d = std::max(d, double(std::fabs(a[i] - b[i])));
        m = std::max(m, double(std::fabs(b[i])));
    }
    return m > 0 ? d / m : d;
}

// Decodes ids one token at a time; every position's logits (T, V).
std::vector<float> decodeAll(const Engine& e, const std::vector<int32_t>& ids)
{
    auto state = e.newState(int(ids.size()));
    if (!state.ok()) qFatal("%s", state.error().toString().c_str());
    std::vector<float> all;
    for (int32_t id : ids) {
        auto l = e.decode(**state, id);
        if (!l.ok()) qFatal("%s", l.error().toString().c_str());
        all.insert(all.end(), l->begin(), l->end());
    }
    return all;
}

std::vector<float> forwardOf(const Engine& e, const std::vector<int32_t>& ids, AttentionMaps* maps = nullptr)
{
    auto l = e.forward(ids, maps);
    if (!l.ok()) qFatal("%s", l.error().toString().c_str());
    return std::move(l).value();
}

// Random rows of `type` (values ~ N(0, 1) with a few large ones), packed.
std::vector<uint8_t> randomRows(DType type, int64_t rows, int64_t cols, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    const size_t rowBytes = size_t(*dtypeRowBytes(type, uint64_t(cols)));
    std::vector<uint8_t> out(rowBytes * size_t(rows));
    std::vector<float> v(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
        for (size_t i = 0; i < v.size(); ++i) v[i] = g(rng) * (i % 97 == 5 ? 8.0f : 1.0f);
        if (!quant::quantizeRow(type, v.data(), out.data() + size_t(r) * rowBytes, cols))
            qFatal("cannot encode %s rows of %lld", std::string(dtypeName(type)).c_str(), (long long)cols);
    }
    return out;
}

// Row lengths that exercise a type's kernels: a short row, and a row long
// enough that a block's threads loop over chunks; float types also get a
// length that is not a multiple of 8 (scalar loads).
std::vector<int64_t> lengthsFor(DType t)
{
    if (isFloat(t)) return {200, 203, 2400};
    if (engine::kernels::blockValues(t) == 32) return {320, 9600};
    return {768, 20480};
}

void addTypeRows()
{
    QTest::addColumn<int>("type");
    for (DType t : kTypes) QTest::newRow(std::string(dtypeName(t)).c_str()) << int(t);
}

} // namespace

class TestEngineCuda : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qInfo("CUDA backend in this build: %s", cudaBuilt() ? "yes" : "no");
        auto devices = cudaDevices();
        if (!devices.ok()) {
            qInfo("device cases will be skipped: %s", devices.error().message.c_str());
            return;
        }
        for (const CudaDeviceInfo& d : *devices)
            qInfo("CUDA device %d: %s, compute capability %d.%d, %.1f GiB, %d SMs, peak %.0f GB/s", d.index,
                  d.name.c_str(), d.ccMajor, d.ccMinor, double(d.totalBytes) / double(1u << 30), d.smCount,
                  d.peakBandwidthGBs);
    }

    // What a user without the backend or without a GPU is told.
    void reportsAvailability()
    {
        const auto devices = cudaDevices();
        EngineOptions o;
        o.device = Device::Cuda;
        const auto engine = Engine::create(randomModel(llamaConfig(), 1), o);
        if (!cudaBuilt()) {
            QVERIFY(!devices.ok());
            QCOMPARE(devices.error().message,
                     std::string("this build has no CUDA backend (nvcc was not found when it was configured)"));
            QVERIFY(!engine.ok());
            QCOMPARE(engine.error().message, devices.error().message);
            QVERIFY(!cudaReadBandwidth(0, 1).ok());
            QVERIFY(!cudaMemoryUsed(0).ok());
        } else if (!devices.ok()) {
            const std::string& m = devices.error().message;
            QVERIFY2(m.rfind("no CUDA device: ", 0) == 0 && m.size() > std::strlen("no CUDA device: "), m.c_str());
            QVERIFY(!engine.ok());
            QCOMPARE(engine.error().message, m);
            QVERIFY(!cudaMemoryUsed(0).ok());
        } else {
            QVERIFY(!devices->empty());
            for (const CudaDeviceInfo& d : *devices) {
                QVERIFY(!d.name.empty());
                QVERIFY(d.totalBytes > 0 && d.smCount > 0);
                QVERIFY2(d.ccMajor * 10 + d.ccMinor >= 75, "the PTX fallback needs compute capability 7.5");
            }
            QVERIFY2(engine.ok(), engine.ok() ? "" : engine.error().toString().c_str());
            qInfo("%s", engine::cuda::describe(**engine).c_str());
            o.cudaDevice = int(devices->size());
            const auto missing = Engine::create(randomModel(llamaConfig(), 1), o);
            QVERIFY(!missing.ok());
            QVERIFY2(missing.error().message.find("does not exist") != std::string::npos,
                     missing.error().message.c_str());
        }
        QVERIFY(engine::cuda::describe(*cpuFp32(randomModel(llamaConfig(), 1))).empty());
    }

    // ---- Kernels alone ------------------------------------------------------------
    void dequantizeBitExact_data() { addTypeRows(); }
    void dequantizeBitExact()
    {
        REQUIRE_CUDA_DEVICE();
        QFETCH(int, type);
        const DType t = DType(type);
        for (int64_t cols : lengthsFor(t)) {
            const int64_t rows = 5;
            const auto blocks = randomRows(t, rows, cols, uint32_t(cols + type));
            auto gpu = engine::cuda::dequantizeOnDevice(0, t, blocks.data(), rows, cols);
            QVERIFY2(gpu.ok(), gpu.ok() ? "" : gpu.error().toString().c_str());
            const size_t rowBytes = blocks.size() / size_t(rows);
            std::vector<float> cpu(static_cast<size_t>(cols));
            for (int64_t r = 0; r < rows; ++r) {
                QVERIFY(quant::dequantizeRow(t, blocks.data() + size_t(r) * rowBytes, cpu.data(), cols));
                const float* g = gpu->data() + size_t(r) * size_t(cols);
                for (int64_t i = 0; i < cols; ++i)
                    if (std::memcmp(&g[i], &cpu[size_t(i)], 4) != 0)
                        QFAIL(qPrintable(QStringLiteral("%1 × %2: row %3, column %4: device %5, CPU %6")
                                             .arg(rows).arg(cols).arg(r).arg(i)
                                             .arg(double(g[i]), 0, 'g', 9).arg(double(cpu[size_t(i)]), 0, 'g', 9)));
            }
        }
    }

    // y = W·x in fp32 against Σ w·x in double over the CPU-dequantized rows.
    // fp32 summation over K terms errs by ~sqrt(K)·6e-8 of Σ|w·x| at most
    // (observed below 1e-7 in an emulation of the kernels): tolerance
    // 1e-5·Σ|w·x|, far below what a misread bit (an error of order Σ|w·x|) gives.
    void matvecMatchesReference_data() { addTypeRows(); }
    void matvecMatchesReference()
    {
        REQUIRE_CUDA_DEVICE();
        QFETCH(int, type);
        const DType t = DType(type);
        double worst = 0;
        for (int64_t cols : lengthsFor(t)) {
            const int64_t rows = cols > 5000 ? 9 : 37;  // 37: the last block of 4 rows is partly empty
            const auto blocks = randomRows(t, rows, cols, uint32_t(7 * cols + type));
            std::vector<float> x(static_cast<size_t>(cols));
            std::mt19937 rng{uint32_t(cols)};
            std::normal_distribution<float> g(0.0f, 1.0f);
            for (float& v : x) v = g(rng);
            auto y = engine::cuda::matvecOnDevice(0, t, blocks.data(), rows, cols, x.data());
            QVERIFY2(y.ok(), y.ok() ? "" : y.error().toString().c_str());
            const size_t rowBytes = blocks.size() / size_t(rows);
            std::vector<float> w(static_cast<size_t>(cols));
            for (int64_t r = 0; r < rows; ++r) {
                QVERIFY(quant::dequantizeRow(t, blocks.data() + size_t(r) * rowBytes, w.data(), cols));
                double ref = 0, mag = 0;
                for (int64_t i = 0; i < cols; ++i) {
                    ref += double(w[size_t(i)]) * double(x[size_t(i)]);
                    mag += std::fabs(double(w[size_t(i)]) * double(x[size_t(i)]));
                }
                const double err = std::fabs(double((*y)[size_t(r)]) - ref) / mag;
                worst = std::max(worst, err);
                QVERIFY2(err < 1e-5, qPrintable(QStringLiteral("%1 × %2, row %3: device %4, reference %5")
                                                     .arg(rows).arg(cols).arg(r)
                                                     .arg(double((*y)[size_t(r)]), 0, 'g', 9).arg(ref, 0, 'g', 9)));
            }
        }
        qInfo("largest |error| / Σ|w·x| = %.2e", worst);
    }

    // ---- Whole models ---------------------------------------------------------------
    // Every matrix of one type. The CUDA engine holds the blocks; the CPU fp32
    // engine dequantizes the same blocks to the same floats (bit-identical, see
    // dequantizeBitExact), so the logits differ only by fp32 summation order and
    // exp/tanh rounding: within 1e-4 of max |logit| (prefill and decode paths).
    // The CPU kernel engine quantizes activations to 8 bits: 3 % as in
    // tst_engine_quant.
    void logitsMatchCpu_data()
    {
        QTest::addColumn<int>("arch");
        QTest::addColumn<int>("type");
        for (int arch = 0; arch < 2; ++arch)
            for (DType t : kTypes)
                QTest::newRow(qPrintable(QStringLiteral("%1 %2")
                                             .arg(arch == 0 ? "llama" : "gpt2")
                                             .arg(QString::fromStdString(std::string(dtypeName(t))))))
                    << arch << int(t);
    }
    void logitsMatchCpu()
    {
        REQUIRE_CUDA_DEVICE();
        QFETCH(int, arch);
        QFETCH(int, type);
        const ModelConfig c = arch == 0 ? llamaConfig() : gpt2Config();
        const DType types[] = {DType(type)};
        auto m = encodeMatrices(*randomModel(c, uint64_t(11 + arch)), types);
        auto gpu = cudaEngine(m), exact = cpuFp32(m), kernels = makeEngine(m, Device::Cpu, false);
        const auto ids = prompt(20, c.nVocab);
        const auto g = forwardOf(*gpu, ids);
        const double dPrefill = relDiff(g, forwardOf(*exact, ids));
        const double dDecode = relDiff(decodeAll(*gpu, ids), decodeAll(*exact, ids));
        const double dKernels = relDiff(g, forwardOf(*kernels, ids));
        qInfo("max |difference| / max |logit|: %.2e (prefill), %.2e (decode) vs CPU fp32; %.2e vs CPU kernels",
              dPrefill, dDecode, dKernels);
        QVERIFY2(dPrefill < 1e-4 && dDecode < 1e-4,
                 qPrintable(QStringLiteral("%1 (prefill), %2 (decode)").arg(dPrefill).arg(dDecode)));
        QVERIFY2(dKernels < 0.03, qPrintable(QString::number(dKernels)));
    }

    // A per-tensor mix of every type (gate and up of different types: the
    // unfused SwiGLU path), q/k/v biases, rotate-half RoPE and an untied output,
    // with fp32 and fp16 caches; and the same model uploaded as fp32.
    void mixedModel()
    {
        REQUIRE_CUDA_DEVICE();
        ModelConfig c = llamaConfig();
        c.qkvBias = true;
        c.ropeLayout = RopeLayout::RotateHalf;
        c.ropeTheta = 1e6f;
        auto m = encodeMatrices(*randomModel(c, 21), kMix);
        const auto ids = prompt(33, c.nVocab);
        for (KvType kv : {KvType::F32, KvType::F16}) {
            auto gpu = cudaEngine(m, kv), exact = cpuFp32(m, kv);
            const double dPrefill = relDiff(forwardOf(*gpu, ids), forwardOf(*exact, ids));
            const double dDecode = relDiff(decodeAll(*gpu, ids), decodeAll(*exact, ids));
            qInfo("%s cache: %.2e (prefill), %.2e (decode)", kv == KvType::F16 ? "fp16" : "fp32", dPrefill, dDecode);
            const double tol = kv == KvType::F16 ? 2e-4 : 1e-4;  // fp16 rounding flips: see f16Cache
            QVERIFY2(dPrefill < tol && dDecode < tol,
                     qPrintable(QStringLiteral("%1 (prefill), %2 (decode)").arg(dPrefill).arg(dDecode)));
        }
        auto asFp32 = makeEngine(m, Device::Cuda, true);
        QVERIFY(relDiff(decodeAll(*asFp32, ids), decodeAll(*cpuFp32(m), ids)) < 1e-4);
    }

    // Head sizes 42 (Llama, n_head_kv = 1) and 63 (GPT-2, an odd size) that
    // are not multiples of 4 (scalar attention loads), rows of 252 and 100
    // values (not multiples of 8: scalar loads in the F32/F16 products).
    void oddShapes()
    {
        REQUIRE_CUDA_DEVICE();
        ModelConfig l = llamaConfig();
        l.nEmbd = 252;
        l.nHead = 6;
        l.nHeadKv = 1;
        l.nFf = 100;
        ModelConfig g = gpt2Config();
        g.nEmbd = 252;
        g.nFf = 100;
        for (const ModelConfig& c : {l, g}) {
            for (DType t : {DType::F32, DType::F16}) {
                const DType types[] = {t};
                auto m = encodeMatrices(*randomModel(c, 5), types);
                auto gpu = cudaEngine(m), exact = cpuFp32(m);
                const auto ids = prompt(17, c.nVocab);
                const double dPrefill = relDiff(forwardOf(*gpu, ids), forwardOf(*exact, ids));
                const double dDecode = relDiff(decodeAll(*gpu, ids), decodeAll(*exact, ids));
                QVERIFY2(dPrefill < 1e-4 && dDecode < 1e-4,
                         qPrintable(QStringLiteral("%1 %2: %3 (prefill), %4 (decode)")
                                        .arg(c.arch == Arch::Llama ? "llama" : "gpt2")
                                        .arg(QString::fromStdString(std::string(dtypeName(t))))
                                        .arg(dPrefill).arg(dDecode)));
            }
        }
    }

    // Batched prefill (GEMM path) in pieces and token-by-token decoding
    // (matrix-vector path, CUDA graph) give one forward's logits; replaying a
    // position after truncate() gives the very same bits.
    void prefillDecodeMatchForward()
    {
        REQUIRE_CUDA_DEVICE();
        for (const ModelConfig& c : {llamaConfig(), gpt2Config()}) {
            const DType types[] = {c.arch == Arch::Llama ? DType::Q4_K : DType::Q8_0};
            auto m = encodeMatrices(*randomModel(c, 31), types);
            auto gpu = cudaEngine(m);
            const auto ids = prompt(40, c.nVocab);
            const auto whole = forwardOf(*gpu, ids);
            auto state = gpu->newState(40).value();
            std::vector<float> pieces = gpu->prefill(*state, std::span(ids).first(7), true).value();
            for (size_t i = 7; i < 20; ++i) {
                const auto l = gpu->decode(*state, ids[i]).value();
                pieces.insert(pieces.end(), l.begin(), l.end());
            }
            const auto mid = gpu->prefill(*state, std::span(ids).subspan(20, 5), true).value();
            pieces.insert(pieces.end(), mid.begin(), mid.end());
            std::vector<float> at25;
            for (size_t i = 25; i < ids.size(); ++i) {
                const auto l = gpu->decode(*state, ids[i]).value();
                if (i == 25) at25 = l;
                pieces.insert(pieces.end(), l.begin(), l.end());
            }
            QCOMPARE(state->position(), 40);
            const double d = relDiff(pieces, whole);
            qInfo("%s: max |difference| / max |logit| = %.2e", c.arch == Arch::Llama ? "llama" : "gpt2", d);
            QVERIFY2(d < 1e-4, qPrintable(QString::number(d)));
            state->truncate(25);
            QCOMPARE(gpu->decode(*state, ids[25]).value(), at25);
        }
    }

    // The decode graph (with programmatic dependent launch where available)
    // runs the same kernels with the same arguments as plain launches and as
    // the synchronised debugging mode: identical bits.
    void graphsMatchPlainLaunches()
    {
        REQUIRE_CUDA_DEVICE();
        auto m = encodeMatrices(*randomModel(llamaConfig(), 41), kMix);
        const auto ids = prompt(24, 300);
        auto graphs = cudaEngine(m);
        qputenv("PRECIS_CUDA_GRAPHS", "0");
        qputenv("PRECIS_CUDA_PDL", "0");
        auto plain = cudaEngine(m);
        qunsetenv("PRECIS_CUDA_GRAPHS");
        qunsetenv("PRECIS_CUDA_PDL");
        qputenv("PRECIS_CUDA_SYNC", "1");
        auto synced = cudaEngine(m);
        qunsetenv("PRECIS_CUDA_SYNC");
        const auto a = decodeAll(*graphs, ids), b = decodeAll(*plain, ids), s = decodeAll(*synced, ids);
        qInfo("%s", engine::cuda::describe(*graphs).c_str());
        qInfo("%s", engine::cuda::describe(*plain).c_str());
        QCOMPARE(a, b);
        QCOMPARE(s, b);
    }

    // An fp16 cache rounds keys and values to 11 bits: within 1e-3 of the fp32
    // cache (as on the CPU). Against the CPU engine's fp16 cache the rounding
    // is the same except where fp32 differences move a value across an fp16
    // rounding boundary (one fp16 step, 2^-11): closer than to the fp32
    // cache, and within 2e-4 (an emulation of the kernels gave 5e-6 and 4e-5).
    void f16Cache()
    {
        REQUIRE_CUDA_DEVICE();
        for (const ModelConfig& c : {llamaConfig(), gpt2Config()}) {
            const DType types[] = {DType::Q6_K};
            auto m = encodeMatrices(*randomModel(c, 3), types);
            auto f16 = cudaEngine(m, KvType::F16), f32 = cudaEngine(m, KvType::F32);
            QCOMPARE(f16->newState(4).value()->kvType(), KvType::F16);
            const auto ids = prompt(40, c.nVocab);
            const auto a = decodeAll(*f16, ids);
            const double vsF32 = relDiff(a, decodeAll(*f32, ids));
            const double vsCpu = relDiff(a, decodeAll(*cpuFp32(m, KvType::F16), ids));
            qInfo("%s: %.2e vs the fp32 cache, %.2e vs the CPU's fp16 cache", c.arch == Arch::Llama ? "llama" : "gpt2",
                  vsF32, vsCpu);
            QVERIFY2(vsF32 < 1e-3 && vsF32 > 0, qPrintable(QString::number(vsF32)));
            QVERIFY2(vsCpu < 2e-4 && vsCpu < 0.5 * vsF32, qPrintable(QString::number(vsCpu)));
        }
    }

    void attentionMaps()
    {
        REQUIRE_CUDA_DEVICE();
        for (const ModelConfig& c : {llamaConfig(), gpt2Config()}) {
            auto m = encodeMatrices(*randomModel(c, 9), kMix);
            auto gpu = cudaEngine(m), exact = cpuFp32(m);
            const auto ids = prompt(30, c.nVocab);
            AttentionMaps a, b;
            const auto logits = forwardOf(*gpu, ids, &a);
            forwardOf(*exact, ids, &b);
            QCOMPARE(logits, forwardOf(*gpu, ids));  // the same kernels with or without maps
            QCOMPARE(a.nLayer, b.nLayer);
            QCOMPARE(a.nHead, b.nHead);
            QCOMPARE(a.nTokens, 30);
            QCOMPARE(a.probs.size(), b.probs.size());
            double maxDiff = 0;
            for (size_t i = 0; i < a.probs.size(); ++i)
                maxDiff = std::max(maxDiff, double(std::fabs(a.probs[i] - b.probs[i])));
            for (int l = 0; l < a.nLayer; ++l)
                for (int h = 0; h < a.nHead; ++h)
                    for (int t = 0; t < a.nTokens; ++t) {
                        const float* row = a.map(l, h) + size_t(t) * a.nTokens;
                        double sum = 0;
                        for (int j = 0; j < a.nTokens; ++j) {
                            if (j > t) QCOMPARE(row[j], 0.0f);
                            sum += row[j];
                        }
                        QVERIFY(std::fabs(sum - 1.0) < 1e-5);
                    }
            qInfo("largest probability difference to the CPU: %.2e", maxDiff);
            QVERIFY(maxDiff < 1e-5);
        }
    }

    void errors()
    {
        REQUIRE_CUDA_DEVICE();
        auto llama = cudaEngine(randomModel(llamaConfig(), 1));
        auto gpt2 = cudaEngine(randomModel(gpt2Config(), 1));
        auto message = [](const auto& r) { return r.ok() ? std::string("(no error)") : r.error().message; };
        auto has = [&](const auto& r, const char* text) {
            return !r.ok() && r.error().message.find(text) != std::string::npos;
        };
        const std::vector<int32_t> none;
        QVERIFY2(has(llama->forward(none), "no token ids"), message(llama->forward(none)).c_str());
        const std::vector<int32_t> outside{1, 300};
        QVERIFY(has(llama->forward(outside), "outside the vocabulary"));
        QVERIFY(has(gpt2->forward(prompt(49, 300)), "context length"));
        QVERIFY(has(llama->newState(0), "positions, expected"));
        QVERIFY(has(gpt2->newState(49), "positions, expected"));

        // Capacity: refused, the state unchanged and still usable.
        auto state = llama->newState(4).value();
        QVERIFY(llama->prefill(*state, prompt(3, 300)).ok());
        QVERIFY(has(llama->prefill(*state, prompt(2, 300)), "cannot append"));
        QCOMPARE(state->position(), 3);
        QVERIFY(llama->decode(*state, 5).ok());
        QVERIFY(has(llama->decode(*state, 5), "cannot append"));

        // States belong to their engine.
        auto cpu = cpuFp32(randomModel(llamaConfig(), 1));
        auto cpuState = cpu->newState(8).value();
        auto gpuState = llama->newState(8).value();
        QVERIFY(has(llama->decode(*cpuState, 1), "another engine"));
        QVERIFY(has(cpu->decode(*gpuState, 1), "another engine"));
        auto other = cudaEngine(randomModel(llamaConfig(), 1));
        QVERIFY(has(other->decode(*gpuState, 1), "another engine"));

        // Cancellation: an error, the position unchanged.
        CancelToken cancel;
        cancel.cancel();
        auto r = llama->prefill(*gpuState, prompt(5, 300), false, &cancel);
        QVERIFY(!r.ok() && r.error().code == ErrorCode::Cancelled);
        QCOMPARE(gpuState->position(), 0);
        auto f = llama->forward(prompt(5, 300), nullptr, &cancel);
        QVERIFY(!f.ok() && f.error().code == ErrorCode::Cancelled);

        // Settings the backend cannot run.
        EngineOptions o;
        o.device = Device::Cuda;
        o.cudaDevice = 99;
        QVERIFY(has(Engine::create(randomModel(llamaConfig(), 1), o), "does not exist"));
        ModelConfig wide = llamaConfig();
        wide.nEmbd = 512;
        wide.nHead = 1;
        wide.nHeadKv = 1;
        o.cudaDevice = 0;
        QVERIFY(has(Engine::create(randomModel(wide, 1), o), "head_dim"));
    }

    // A cache larger than the device: an error naming the bytes it needs.
    void outOfMemory()
    {
        REQUIRE_CUDA_DEVICE();
        ModelConfig c = llamaConfig();
        c.nLayer = 48;
        c.nEmbd = 512;
        c.nHead = 8;
        c.nHeadKv = 8;
        c.nFf = 64;
        const uint64_t need = uint64_t(2) * 48 * (uint64_t(1) << 20) * 512 * 4;  // 192 GiB
        if (cudaDevices()->front().totalBytes >= need)
            QSKIP("this device holds a 192 GiB cache");
        auto gpu = cudaEngine(randomModel(c, 1));
        auto s = gpu->newState(1 << 20);
        QVERIFY(!s.ok());
        qInfo("%s", s.error().message.c_str());
        QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
        QVERIFY(s.error().message.find("needs " + std::to_string(need) + " bytes") != std::string::npos);
        QVERIFY(s.error().message.find("free") != std::string::npos);
        QVERIFY(gpu->newState(16).ok());  // the engine is still usable
    }

    void bandwidthAndMemory()
    {
        REQUIRE_CUDA_DEVICE();
        QVERIFY(!cudaReadBandwidth(0, 0).ok());
        const auto gbs = cudaReadBandwidth(0, 3);
        QVERIFY2(gbs.ok(), gbs.ok() ? "" : gbs.error().toString().c_str());
        const double peak = cudaDevices()->front().peakBandwidthGBs;
        qInfo("read bandwidth %.0f GB/s (%.0f %% of the %.0f GB/s the memory clock and bus give)", *gbs,
              peak > 0 ? 100 * *gbs / peak : 0.0, peak);
        QVERIFY(std::isfinite(*gbs) && *gbs > 10);
        const uint64_t before = cudaMemoryUsed(0).value();
        QVERIFY(before > 0);
        ModelConfig c = llamaConfig();
        c.nLayer = 8;
        auto m = randomModel(c, 2);  // F32: ≈ 21 MB of weights
        uint64_t bytes = 0;
        for (const Tensor& t : m->tensors()) bytes += t.nbytes;
        auto gpu = cudaEngine(m);
        const uint64_t after = cudaMemoryUsed(0).value();
        qInfo("memory in use: %llu bytes before, %llu with an engine of %llu bytes of weights",
              (unsigned long long)before, (unsigned long long)after, (unsigned long long)bytes);
        QVERIFY(after >= before + bytes);
    }

    // Two threads decoding on their own states of one engine get what each
    // gets alone (the engine serialises device work).
    void concurrentStates()
    {
        REQUIRE_CUDA_DEVICE();
        auto m = encodeMatrices(*randomModel(llamaConfig(), 51), kMix);
        auto gpu = cudaEngine(m);
        const auto a = prompt(24, 300);
        std::vector<int32_t> b(a.rbegin(), a.rend());
        const auto aloneA = decodeAll(*gpu, a), aloneB = decodeAll(*gpu, b);
        std::vector<float> togetherA, togetherB;
        std::thread t1([&] { togetherA = decodeAll(*gpu, a); });
        std::thread t2([&] { togetherB = decodeAll(*gpu, b); });
        t1.join();
        t2.join();
        QCOMPARE(togetherA, aloneA);
        QCOMPARE(togetherB, aloneB);
    }
};

QTEST_GUILESS_MAIN(TestEngineCuda)
#include "tst_engine_cuda.moc"
