// Block-format kernels (engine/kernels/kernels.h): every ISA path bit-equal to
// the scalar reference on random data of awkward sizes; the scalar reference
// against dequantize-then-dot (within float rounding for the quantized
// activations, within the activation-quantization bound for fp32 activations);
// activation preparation against the reference encoders; the matrix-product
// driver; fp16 conversions.
#include "common/half.h"
#include "engine/kernels/kernels.h"
#include "quant/block_formats.h"
#include "test_support.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace precis;
namespace kn = precis::engine::kernels;

Q_DECLARE_METATYPE(precis::DType)
Q_DECLARE_METATYPE(precis::engine::kernels::Isa)

namespace {

// The GGUF types, then RTN layouts covering every width (2, 4, 8 bits have
// their own unpacking in the SIMD kernels), group size and both offsets.
const DType kTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
                        DType::Q8_0, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K,
                        rtnDType({2, 32, false}), rtnDType({3, 64, true}), rtnDType({4, 128, false}),
                        rtnDType({4, 32, true}), rtnDType({5, 128, true}), rtnDType({6, 64, false}),
                        rtnDType({7, 32, false}), rtnDType({8, 32, false}), rtnDType({8, 128, true})};

// Row lengths: 1, 2, 7 … 40 blocks (tails on both sides of the 8-block groups);
// the float types get lengths that are not multiples of 16 as well.
std::vector<int64_t> lengths(DType t)
{
    const int bs = kn::blockValues(t);
    if (bs == 1) return {1, 5, 15, 16, 17, 33, 100, 1000};
    return {bs, 2 * bs, 7 * bs, 8 * bs, 9 * bs, 17 * bs, 40 * bs};
}

int64_t rowBytes(DType t, int64_t k) { return int64_t(*dtypeRowBytes(t, uint64_t(k))); }

// Activations: bell-shaped with a few outliers, deterministic in the seed.
std::vector<float> activations(int64_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> x(static_cast<size_t>(n));
    for (auto& v : x) v = g(rng);
    for (int64_t i = 0; i < n; i += 37) x[size_t(i)] *= 20.0f;
    return x;
}

// Weights either encoded from random floats (realistic codes) or random bytes
// with sane fp16 scales (every code pattern, e.g. Q8_0's −128).
std::vector<uint8_t> weightRow(DType t, int64_t k, uint32_t seed, bool randomBytes)
{
    std::vector<uint8_t> out(static_cast<size_t>(rowBytes(t, k)));
    std::mt19937 rng(seed);
    if (!randomBytes || kn::blockValues(t) == 1) {
        std::vector<float> w = activations(k, seed * 7 + 1);
        for (auto& v : w) v *= 0.05f;
        if (!quant::quantizeRow(t, w.data(), out.data(), k)) qFatal("quantizeRow failed");
        return out;
    }
    for (auto& b : out) b = uint8_t(rng());
    // fp16 fields (d, and dmin/m where present) get values in ±[1e-3, 0.1].
    std::uniform_real_distribution<float> mag(1e-3f, 0.1f);
    auto half = [&] { return floatToFp16(rng() % 2 ? mag(rng) : -mag(rng)); };
    const int bytes = dtypeTraits(t).typeSize;
    std::vector<int> fields;
    switch (t) {
    case DType::Q4_0: case DType::Q5_0: case DType::Q8_0: fields = {0}; break;
    case DType::Q4_1: case DType::Q5_1: case DType::Q4_K: case DType::Q5_K: fields = {0, 2}; break;
    case DType::Q2_K: fields = {80, 82}; break;
    case DType::Q3_K: fields = {108}; break;
    case DType::Q6_K: fields = {208}; break;
    default:  // RTN: d (and m) at the start of each group
        if (const auto l = rtnLayout(t)) fields = l->asymmetric ? std::vector<int>{0, 2} : std::vector<int>{0};
        break;
    }
    for (size_t b = 0; b < out.size(); b += size_t(bytes))
        for (int f : fields) {
            const uint16_t h = half();
            std::memcpy(&out[b + size_t(f)], &h, 2);
        }
    return out;
}

struct Prepared {
    std::vector<std::byte> data;
    size_t lda = 0;
};

Prepared prepare(DType t, const std::vector<float>& x, int64_t k, int rows, kn::Isa isa)
{
    Prepared p;
    p.lda = kn::preparedBytes(t, k);
    p.data.resize(p.lda * size_t(rows));
    for (int r = 0; r < rows; ++r) kn::prepareRow(t, x.data() + r * k, k, p.data.data() + r * p.lda, isa);
    return p;
}

void addIsaTypeRows()
{
    QTest::addColumn<kn::Isa>("isa");
    QTest::addColumn<DType>("type");
    for (kn::Isa isa : {kn::Isa::Avx2, kn::Isa::Avx512})
        for (DType t : kTypes)
            QTest::newRow((std::string(kn::isaName(isa)) + " " + std::string(dtypeName(t))).c_str()) << isa << t;
}

void skipUnsupported(kn::Isa isa)
{
    if (!kn::isaSupported(isa))
        QSKIP(qPrintable(QStringLiteral("this CPU (or build) lacks %1; its kernels are not tested here")
                             .arg(QString::fromLatin1(kn::isaName(isa)))));
}

// Largest absolute activation-quantization error of value i (see kernels.h):
// Q8_0/Q8_1 d = amax/127 rounded to fp16 (|x − q·d| ≤ d/2 + 127·|Δd|), Q8_K
// d = amax/127 in fp32, F16/BF16 relative rounding.
std::vector<double> activationErrorBound(DType t, const std::vector<float>& x)
{
    std::vector<double> e(x.size(), 0.0);
    const DType a = kn::activationType(t);
    const int bs = a == DType::Q8_K ? 256 : 32;
    for (size_t i = 0; i < x.size(); ++i) {
        if (a == DType::F16) e[i] = std::fabs(x[i]) * std::ldexp(1.0, -11) + 1e-7;
        if (a == DType::BF16) e[i] = std::fabs(x[i]) * std::ldexp(1.0, -8) + 1e-30;
    }
    if (a == DType::Q8_0 || a == DType::Q8_1 || a == DType::Q8_K)
        for (size_t b = 0; b < x.size(); b += size_t(bs)) {
            double amax = 0;
            for (int j = 0; j < bs; ++j) amax = std::max(amax, double(std::fabs(x[b + size_t(j)])));
            const double d = amax / 127, bound = a == DType::Q8_K ? 0.501 * d : 0.5 * d + 127 * d * std::ldexp(1.0, -11);
            for (int j = 0; j < bs; ++j) e[b + size_t(j)] = bound;
        }
    return e;
}

} // namespace

class TestKernels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qInfo("kernels: active ISA %s; AVX2 %s, AVX-512 VNNI %s", kn::isaName(kn::activeIsa()),
              kn::isaSupported(kn::Isa::Avx2) ? "yes" : "no", kn::isaSupported(kn::Isa::Avx512) ? "yes" : "no");
    }

    void typeTable()
    {
        for (DType t : kTypes) QVERIFY(kn::hasKernel(t));
        QVERIFY(!kn::hasKernel(DType::Q8_1) && !kn::hasKernel(DType::Q8_K) && !kn::hasKernel(DType::I8));
        QCOMPARE(kn::activationType(DType::Q4_0), DType::Q8_0);
        QCOMPARE(kn::activationType(DType::Q5_1), DType::Q8_1);
        QCOMPARE(kn::activationType(DType::Q3_K), DType::Q8_K);
        QCOMPARE(kn::activationType(DType::BF16), DType::BF16);
        QVERIFY(kn::hasKernel(rtnDType({3, 64, false})));
        QCOMPARE(kn::activationType(rtnDType({3, 64, false})), DType::Q8_0);
        QCOMPARE(kn::activationType(rtnDType({3, 64, true})), DType::Q8_1);
        QCOMPARE(kn::blockValues(rtnDType({3, 64, true})), 64);
    }

    // The prepared rows hold exactly the reference encoder's blocks, on every ISA.
    void preparationMatchesEncoders_data() { addIsaTypeRows(); }
    void preparationMatchesEncoders()
    {
        QFETCH(kn::Isa, isa);
        QFETCH(DType, type);
        skipUnsupported(isa);
        for (int64_t k : lengths(type))
            for (bool ties : {false, true}) {
            std::vector<float> x = activations(k, uint32_t(k));
            if (k >= 64) std::fill(x.begin(), x.begin() + 32, 0.0f);  // an all-zero block
            if (ties) {
                // Every block's largest value 127 makes the scale 1 (Q8_K: −1), so
                // the values j + 0.5 sit exactly on rounding ties (Q8_0: away from
                // zero, Q8_K: to even), and ±127 tie for the largest magnitude.
                for (int64_t i = 0; i < k; ++i) x[size_t(i)] = float(i % 200 - 100) + 0.5f;
                for (int64_t i = 0; i < k; i += 32) x[size_t(i)] = (i / 32) % 2 ? 127.0f : -127.0f;
                for (int64_t i = 5; i < k; i += 32) x[size_t(i)] = (i / 32) % 2 ? -127.0f : 127.0f;
            }
            const Prepared ref = prepare(type, x, k, 1, kn::Isa::Scalar), fast = prepare(type, x, k, 1, isa);
            QVERIFY2(ref.data == fast.data, qPrintable(QStringLiteral("k = %1").arg(k)));
            const DType a = kn::activationType(type);
            std::vector<uint8_t> expect(static_cast<size_t>(rowBytes(a, k))), got(expect.size());
            QVERIFY(quant::quantizeRow(a, x.data(), expect.data(), k));
            kn::preparedToBlocks(type, fast.data.data(), k, got.data());
            QVERIFY2(expect == got, qPrintable(QStringLiteral("k = %1").arg(k)));
            }
    }

    // Every ISA's dot product equals the scalar reference bit for bit, for
    // 1..4 activation rows at once.
    void dotMatchesScalar_data() { addIsaTypeRows(); }
    void dotMatchesScalar()
    {
        QFETCH(kn::Isa, isa);
        QFETCH(DType, type);
        skipUnsupported(isa);
        int cases = 0;
        for (int64_t k : lengths(type))
            for (bool randomBytes : {false, true}) {
                const std::vector<uint8_t> w = weightRow(type, k, uint32_t(k * 3 + randomBytes), randomBytes);
                const std::vector<float> x = activations(4 * k, uint32_t(k + 99));
                const Prepared p = prepare(type, x, k, 4, kn::Isa::Scalar);
                float expect[4];
                for (int r = 0; r < 4; ++r)
                    kn::dot(type, k, w.data(), p.data.data() + r * p.lda, p.lda, 1, &expect[r], kn::Isa::Scalar);
                for (int ny = 1; ny <= kn::kMaxRows; ++ny) {
                    float got[4];
                    kn::dot(type, k, w.data(), p.data.data(), p.lda, ny, got, isa);
                    for (int r = 0; r < ny; ++r, ++cases)
                        QVERIFY2(std::memcmp(&got[r], &expect[r], 4) == 0,
                                 qPrintable(QStringLiteral("k = %1, %2 weights, ny = %3, row %4: %5 vs scalar %6")
                                                .arg(k).arg(randomBytes ? "random-byte" : "encoded").arg(ny).arg(r)
                                                .arg(double(got[r]), 0, 'g', 9).arg(double(expect[r]), 0, 'g', 9)));
                }
            }
        QVERIFY(cases > 50);
    }

    // The scalar reference computes Σ ŵ·â of the dequantized weights and
    // activations up to float rounding, and so Σ ŵ·x within the activation
    // quantization bound Σ|ŵ_i|·e_i.
    void referenceMatchesDequantizedDot_data()
    {
        QTest::addColumn<DType>("type");
        for (DType t : kTypes) QTest::newRow(std::string(dtypeName(t)).c_str()) << t;
    }
    void referenceMatchesDequantizedDot()
    {
        QFETCH(DType, type);
        const DType at = kn::activationType(type);
        for (int64_t k : lengths(type)) {
            const std::vector<uint8_t> w = weightRow(type, k, uint32_t(k), false);
            const std::vector<float> x = activations(k, uint32_t(k + 5));
            const Prepared p = prepare(type, x, k, 1, kn::Isa::Scalar);
            float got;
            kn::dot(type, k, w.data(), p.data.data(), p.lda, 1, &got, kn::Isa::Scalar);

            std::vector<float> wd(static_cast<size_t>(k)), ad(static_cast<size_t>(k));
            QVERIFY(quant::dequantizeRow(type, w.data(), wd.data(), k));
            std::vector<uint8_t> blocks(static_cast<size_t>(rowBytes(at, k)));
            kn::preparedToBlocks(type, p.data.data(), k, blocks.data());
            QVERIFY(quant::dequantizeRow(at, blocks.data(), ad.data(), k));
            const std::vector<double> e = activationErrorBound(type, x);

            double withA = 0, withX = 0, mag = 0, actErr = 0;
            for (int64_t i = 0; i < k; ++i) {
                withA += double(wd[size_t(i)]) * ad[size_t(i)];
                withX += double(wd[size_t(i)]) * x[size_t(i)];
                mag += std::fabs(double(wd[size_t(i)])) * (std::fabs(double(x[size_t(i)])) + e[size_t(i)]);
                actErr += std::fabs(double(wd[size_t(i)])) * e[size_t(i)];
            }
            // Float rounding: a few ulps per block term plus the accumulation;
            // Q8_1's block sum s is itself rounded to fp16 (2^-11 relative).
            double rounding = (double(k) / kn::blockValues(type) + 16) * std::ldexp(1.0, -22) * mag;
            if (at == DType::Q8_1) rounding += std::ldexp(1.0, -10) * mag;
            QVERIFY2(std::fabs(got - withA) <= rounding,
                     qPrintable(QStringLiteral("k = %1: kernel %2, dequantized dot %3, allowed %4")
                                    .arg(k).arg(double(got), 0, 'g', 9).arg(withA, 0, 'g', 9).arg(rounding)));
            QVERIFY2(std::fabs(got - withX) <= actErr + rounding,
                     qPrintable(QStringLiteral("k = %1: kernel %2, fp32-activation dot %3, bound %4")
                                    .arg(k).arg(double(got), 0, 'g', 9).arg(withX, 0, 'g', 9).arg(actErr + rounding)));
        }
    }

    // matmul over several tasks sharing one input (mixed types, a bias),
    // decode and prefill shapes: every output equals the single dot product.
    void matmulMatchesDot_data()
    {
        QTest::addColumn<kn::Isa>("isa");
        for (kn::Isa isa : {kn::Isa::Scalar, kn::Isa::Avx2, kn::Isa::Avx512})
            QTest::newRow(kn::isaName(isa)) << isa;
    }
    void matmulMatchesDot()
    {
        QFETCH(kn::Isa, isa);
        skipUnsupported(isa);
        const int64_t K = 512;
        const DType types[] = {DType::Q4_K, DType::Q8_0, DType::F16, DType::Q4_1, DType::F32};
        const int64_t rows[] = {37, 1, 70, 5, 19};
        std::vector<std::vector<uint8_t>> data;
        std::vector<kn::BlockMatrix> mats;
        for (size_t i = 0; i < std::size(types); ++i) {
            std::vector<uint8_t> m;
            for (int64_t r = 0; r < rows[i]; ++r) {
                const auto row = weightRow(types[i], K, uint32_t(i * 1000 + r), false);
                m.insert(m.end(), row.begin(), row.end());
            }
            data.push_back(std::move(m));
        }
        for (size_t i = 0; i < std::size(types); ++i)
            mats.push_back({types[i], reinterpret_cast<const std::byte*>(data[i].data()), rows[i], K,
                            size_t(rowBytes(types[i], K))});
        std::vector<float> bias = activations(70, 3);
        for (int T : {1, 3, 70}) {
            const int64_t ldIn = K + 3;
            const std::vector<float> in = activations(T * ldIn, uint32_t(T));
            std::vector<std::vector<float>> out(std::size(types));
            std::vector<kn::MatmulTask> tasks;
            for (size_t i = 0; i < std::size(types); ++i) {
                out[i].assign(size_t(T) * size_t(rows[i] + 1), -1.0f);
                tasks.push_back({&mats[i], i == 2 ? bias.data() : nullptr, out[i].data(), rows[i] + 1});
            }
            std::vector<std::byte> scratch;
            kn::matmul(tasks, in.data(), ldIn, T, &scratch, isa);
            for (size_t i = 0; i < std::size(types); ++i)
                for (int t = 0; t < T; ++t) {
                    const std::vector<float> x(in.begin() + t * ldIn, in.begin() + t * ldIn + K);
                    const Prepared p = prepare(types[i], x, K, 1, isa);
                    for (int64_t r = 0; r < rows[i]; ++r) {
                        float s;
                        kn::dot(types[i], K, data[i].data() + r * mats[i].rowBytes, p.data.data(), p.lda, 1, &s, isa);
                        if (i == 2) s += bias[size_t(r)];
                        QVERIFY2(std::memcmp(&s, &out[i][size_t(t) * size_t(rows[i] + 1) + size_t(r)], 4) == 0,
                                 qPrintable(QStringLiteral("%1, T = %2, token %3, row %4")
                                                .arg(QString::fromLatin1(dtypeName(types[i]).data())).arg(T).arg(t).arg(r)));
                    }
                    QCOMPARE(out[i][size_t(t) * size_t(rows[i] + 1) + size_t(rows[i])], -1.0f);  // untouched column
                }
        }
    }

    // Decode (T = 1) runs two weight rows per call where the ISA has such a
    // kernel (the K-quants with AVX-512): odd super-block counts (a last block
    // alone) and odd row counts (a last row alone) give exactly the single dot.
    void decodeRowPairsMatchDot_data() { addIsaTypeRows(); }
    void decodeRowPairsMatchDot()
    {
        QFETCH(kn::Isa, isa);
        QFETCH(DType, type);
        skipUnsupported(isa);
        for (const int64_t K : {int64_t(256), int64_t(768), int64_t(2048)}) {
            if (K % kn::blockValues(type) != 0) continue;
            const int64_t rows = 7;
            std::vector<uint8_t> data;
            for (int64_t r = 0; r < rows; ++r) {
                const auto row = weightRow(type, K, uint32_t(K + r), r == 3);
                data.insert(data.end(), row.begin(), row.end());
            }
            const kn::BlockMatrix w{type, reinterpret_cast<const std::byte*>(data.data()), rows, K,
                                    size_t(rowBytes(type, K))};
            const std::vector<float> in = activations(K, uint32_t(K));
            std::vector<float> out(static_cast<size_t>(rows));
            const kn::MatmulTask task{&w, nullptr, out.data(), rows};
            kn::matmul(std::span(&task, 1), in.data(), K, 1, nullptr, isa);
            const Prepared p = prepare(type, in, K, 1, isa);
            for (int64_t r = 0; r < rows; ++r) {
                float s;
                kn::dot(type, K, data.data() + size_t(r) * w.rowBytes, p.data.data(), p.lda, 1, &s, isa);
                QVERIFY2(std::memcmp(&s, &out[size_t(r)], 4) == 0,
                         qPrintable(QStringLiteral("K = %1, row %2: matmul %3, dot %4")
                                        .arg(K).arg(r).arg(double(out[size_t(r)]), 0, 'g', 9).arg(double(s), 0, 'g', 9)));
            }
        }
    }

    void halfConversions_data()
    {
        QTest::addColumn<kn::Isa>("isa");
        for (kn::Isa isa : {kn::Isa::Scalar, kn::Isa::Avx2, kn::Isa::Avx512})
            QTest::newRow(kn::isaName(isa)) << isa;
    }
    void halfConversions()
    {
        QFETCH(kn::Isa, isa);
        skipUnsupported(isa);
        std::vector<uint16_t> all(65536);
        for (size_t i = 0; i < all.size(); ++i) all[i] = uint16_t(i);
        std::vector<float> f(all.size());
        kn::fp16ToFloatRow(all.data(), f.data(), int64_t(all.size()) - 3, isa);  // odd length: a scalar tail
        for (size_t i = 0; i + 3 < all.size(); ++i) {
            const float e = fp16ToFloat(all[i]);
            if (std::isnan(e)) QVERIFY(std::isnan(f[i]));
            else QVERIFY2(std::memcmp(&e, &f[i], 4) == 0, qPrintable(QStringLiteral("half 0x%1").arg(i, 0, 16)));
        }
        std::vector<float> x = activations(100003, 11);
        for (size_t i = 0; i < x.size(); i += 101) x[i] = std::ldexp(x[i], int(i % 60) - 40);  // subnormals, overflow
        x[5] = 65520.0f;
        x[6] = -0.0f;
        std::vector<uint16_t> h(x.size());
        kn::floatToFp16Row(x.data(), h.data(), int64_t(x.size()), isa);
        for (size_t i = 0; i < x.size(); ++i)
            QVERIFY2(h[i] == floatToFp16(x[i]), qPrintable(QStringLiteral("float %1").arg(double(x[i]), 0, 'g', 9)));
    }
};

QTEST_GUILESS_MAIN(TestKernels)
#include "tst_kernels.moc"
