// GPTQ: against plain rounding on correlated inputs (the layer output error must
// fall), identity Gram matrix = plain block rounding, act-order, the encoded
// bytes decode to the returned values, bad input, all-zero inputs give zeros.
#include "test_support.h"

#include "quant/gptq.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace precis;
using namespace precis::quant;

namespace {

struct Layer {
    int64_t rows = 48, cols = 256;
    std::vector<float> w;
    std::vector<double> h;  // Σ x xᵀ
};

// Inputs with strongly correlated channels of very different scales, as
// activations have; weights Gaussian.
Layer makeLayer(uint64_t seed, int64_t cols = 768)
{
    Layer L;
    L.cols = cols;
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n(0, 1);
    L.w.resize(size_t(L.rows * L.cols));
    for (float& v : L.w) v = float(0.05 * n(rng));
    const int64_t tokens = 512, latent = 24;
    std::vector<double> mix(static_cast<size_t>(latent * cols)), scale(static_cast<size_t>(cols));
    for (double& v : mix) v = n(rng);
    for (int64_t c = 0; c < cols; ++c) scale[size_t(c)] = std::exp(1.5 * n(rng));
    L.h.assign(size_t(cols * cols), 0.0);
    std::vector<double> x(static_cast<size_t>(cols)), z(static_cast<size_t>(latent));
    for (int64_t t = 0; t < tokens; ++t) {
        for (double& v : z) v = n(rng);
        for (int64_t c = 0; c < cols; ++c) {
            double s = 0.3 * n(rng);
            for (int64_t k = 0; k < latent; ++k) s += z[size_t(k)] * mix[size_t(k * cols + c)];
            x[size_t(c)] = s * scale[size_t(c)];
        }
        for (int64_t i = 0; i < cols; ++i)
            for (int64_t j = 0; j < cols; ++j) L.h[size_t(i * cols + j)] += x[size_t(i)] * x[size_t(j)];
    }
    return L;
}

// tr((W − Q) H (W − Q)ᵀ): the layer's summed squared output error.
double outputError(const Layer& L, const std::vector<float>& q)
{
    double total = 0;
    std::vector<double> d(static_cast<size_t>(L.cols));
    for (int64_t r = 0; r < L.rows; ++r) {
        for (int64_t c = 0; c < L.cols; ++c) d[size_t(c)] = double(L.w[size_t(r * L.cols + c)]) - q[size_t(r * L.cols + c)];
        for (int64_t i = 0; i < L.cols; ++i) {
            double s = 0;
            for (int64_t j = 0; j < L.cols; ++j) s += L.h[size_t(i * L.cols + j)] * d[size_t(j)];
            total += d[size_t(i)] * s;
        }
    }
    return total;
}

} // namespace

class TestGptq : public QObject {
    Q_OBJECT

private slots:
    void reducesOutputErrorVersusRounding_data()
    {
        QTest::addColumn<QString>("scheme");
        for (const char* s : {"Q4_0", "Q4_K", "Q3_K", "Q2_K", "RTN3g32", "Q8_0"}) QTest::newRow(s) << QString(s);
    }

    void reducesOutputErrorVersusRounding()
    {
        QFETCH(QString, scheme);
        auto s = parseScheme(scheme.toStdString());
        QVERIFY(s.ok());
        const Layer L = makeLayer(7);
        std::vector<float> plain(L.w.size()), weighted(L.w.size()), g;
        QVERIFY(roundTrip(*s, L.w.data(), L.rows, L.cols, plain.data()).ok());
        std::vector<float> diag(static_cast<size_t>(L.cols));
        for (int64_t c = 0; c < L.cols; ++c) diag[size_t(c)] = float(L.h[size_t(c * L.cols + c)]);
        QVERIFY(roundTrip(*s, L.w.data(), L.rows, L.cols, weighted.data(), diag.data()).ok());
        auto bytes = gptqQuantize(*s, L.w.data(), L.rows, L.cols, L.h.data(), {}, "test", &g);
        QVERIFY2(bytes.ok(), bytes.ok() ? "" : bytes.error().message.c_str());
        QCOMPARE(int64_t(bytes->size()), encodedBytes(*s, L.rows, L.cols));
        // The bytes decode to exactly the values returned.
        std::vector<float> decoded(L.w.size());
        QVERIFY(decode(*s, bytes->data(), bytes->size(), L.rows, L.cols, decoded.data()).ok());
        QVERIFY(decoded == g);
        const double ePlain = outputError(L, plain), eWeighted = outputError(L, weighted), eGptq = outputError(L, g);
        qInfo("%s: output error plain %.4g, importance-weighted %.4g, GPTQ %.4g (%.0f %% of plain)",
              qPrintable(scheme), ePlain, eWeighted, eGptq, 100 * eGptq / ePlain);
        QVERIFY(eGptq < 0.7 * ePlain);
        QVERIFY(eGptq < eWeighted);

        GptqSettings act;
        act.actOrder = true;
        std::vector<float> ga;
        QVERIFY(gptqQuantize(*s, L.w.data(), L.rows, L.cols, L.h.data(), act, "test", &ga).ok());
        QVERIFY(outputError(L, ga) < 0.7 * ePlain);
    }

    // With H a multiple of the identity nothing is compensated: GPTQ is the
    // scheme's own encoding of each block with uniform importance. (Blocks are
    // encoded one at a time: llama.cpp's weighted encoders use row statistics,
    // so this is not always byte-equal to encoding whole rows.)
    void identityGramIsPlainRounding()
    {
        const Layer L = makeLayer(3, 512);
        std::vector<double> h(size_t(L.cols * L.cols), 0.0);
        for (int64_t c = 0; c < L.cols; ++c) h[size_t(c * L.cols + c)] = 4.0;
        std::vector<float> ones(static_cast<size_t>(L.cols), 4.0f);
        for (const char* name : {"Q4_0", "Q4_K", "RTN4g64"}) {
            auto s = parseScheme(name);
            const int64_t bs = s->blockSize(), nb = L.cols / bs, rb = rowBytes(*s, bs);
            std::vector<uint8_t> plain(size_t(encodedBytes(*s, L.rows, L.cols)));
            std::vector<float> block(static_cast<size_t>(L.rows * bs));
            for (int64_t b = 0; b < nb; ++b) {
                for (int64_t r = 0; r < L.rows; ++r)
                    std::copy_n(L.w.data() + r * L.cols + b * bs, bs, block.data() + r * bs);
                auto e = encode(*s, block.data(), L.rows, bs, ones.data());
                QVERIFY(e.ok());
                for (int64_t r = 0; r < L.rows; ++r)
                    std::copy_n(e->data() + r * rb, rb, plain.data() + r * rb * nb + b * rb);
            }
            auto g = gptqQuantize(*s, L.w.data(), L.rows, L.cols, h.data(), {}, "test");
            QVERIFY(g.ok());
            QVERIFY2(plain == *g, name);
        }
    }

    void badInput()
    {
        Layer L = makeLayer(1);
        auto q4k = parseScheme("Q4_K");
        auto r = gptqQuantize(*q4k, L.w.data(), L.rows, 100, L.h.data(), {}, "blk.0.attn_q.weight");
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("256") != std::string::npos);
        L.h[5 * L.cols + 5] = std::nan("");
        r = gptqQuantize(*q4k, L.w.data(), L.rows, L.cols, L.h.data(), {}, "blk.0.attn_q.weight");
        QVERIFY(!r.ok());
        QCOMPARE(QString::fromStdString(r.error().where), QStringLiteral("blk.0.attn_q.weight"));
        GptqSettings bad;
        bad.damping = -1;
        QVERIFY(!gptqQuantize(*q4k, L.w.data(), L.rows, L.cols, L.h.data(), bad, "t").ok());
        // All-zero inputs: every column dead, weights quantized as zeros, no crash.
        std::vector<double> zero(size_t(L.cols * L.cols), 0.0);
        std::vector<float> out;
        auto dead = gptqQuantize(*q4k, L.w.data(), L.rows, L.cols, zero.data(), {}, "t", &out);
        QVERIFY2(dead.ok(), dead.ok() ? "" : dead.error().toString().c_str());
        QCOMPARE(int64_t(out.size()), L.rows * L.cols);
        QCOMPARE(int64_t(std::count(out.begin(), out.end(), 0.0f)), L.rows * L.cols);
        // The bytes hold those zeros too: they decode to zeros, and they are what the
        // encoder writes for an all-zero matrix.
        std::vector<float> decoded(out.size(), 1.0f);
        QVERIFY(decode(*q4k, dead->data(), dead->size(), L.rows, L.cols, decoded.data()).ok());
        QCOMPARE(int64_t(std::count(decoded.begin(), decoded.end(), 0.0f)), L.rows * L.cols);
        const std::vector<float> zeros(out.size(), 0.0f);
        QVERIFY(*dead == encode(*q4k, zeros.data(), L.rows, L.cols).value());
        QVERIFY(std::any_of(L.w.begin(), L.w.end(), [](float v) { return v != 0.0f; }));  // the input was not zero
    }
};

QTEST_GUILESS_MAIN(TestGptq)
#include "tst_gptq.moc"
