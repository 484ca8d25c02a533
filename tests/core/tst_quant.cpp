// Quantizer core: llama.cpp byte-exactness of the reference encoders, the RTN
// layout, round-trip error bounds, importance weighting, the scheme table and
// the API's validation.
#include "common/half.h"
#include "common/threads.h"
#include "formats/gguf.h"
#include "quant/block_formats.h"
#include "quant/rtn.h"
#include "quant/scheme.h"
#include "test_support.h"

#include <cmath>
#include <cstring>
#include <map>
#include <random>

using namespace precis;
using namespace precis::quant;

namespace {

std::vector<float> gaussian(size_t n, uint32_t seed, float sigma = 1.0f)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, sigma);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

double relativeRms(const std::vector<float>& a, const std::vector<float>& b)
{
    double err = 0, ref = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        err += double(a[i] - b[i]) * double(a[i] - b[i]);
        ref += double(a[i]) * double(a[i]);
    }
    return std::sqrt(err / ref);
}

// Σ_c importance_c Σ_r (w − q)²
double weightedError(const std::vector<float>& w, const std::vector<float>& q, const std::vector<float>& imp,
                     int64_t cols)
{
    double e = 0;
    for (size_t i = 0; i < w.size(); ++i) {
        const double d = double(w[i]) - double(q[i]);
        e += imp[i % size_t(cols)] * d * d;
    }
    return e;
}

std::vector<Scheme> allSchemes()
{
    std::vector<Scheme> all = standardSchemes();
    for (const Scheme& s : rtnSchemes(false)) all.push_back(s);
    for (const Scheme& s : rtnSchemes(true)) all.push_back(s);
    return all;
}

// Relative RMS bound for Gaussian rows. A uniform quantizer of step Δ has RMS
// error Δ/√12; range-fitted scales give Δ ≤ 2·amax/(2^b − 1), and amax of a
// Gaussian group of ≤ 256 values stays below 3.5σ for these seeds. Margin 1.25.
// Float types: half an ulp relative (fp16 2^-11, bf16 2^-8).
double errorBound(const Scheme& s)
{
    if (s.kind == SchemeKind::Float)
        return s.dtype == DType::F32 ? 0.0 : s.dtype == DType::F16 ? 1.0 / 2048 : 1.0 / 256;
    const double levels = std::ldexp(1.0, s.bits) - 1;
    return 1.25 * (2 * 3.5 / levels) / std::sqrt(12.0);
}

} // namespace

class TestQuant : public QObject {
    Q_OBJECT
private slots:
    // ---- llama.cpp byte-exactness -------------------------------------------

    void byteExactAgainstLlamaCpp_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("type");
        const std::pair<const char*, DType> rows[] = {
            {"Q8_0", DType::Q8_0},   {"Q4_0", DType::Q4_0},     {"Q4_1", DType::Q4_1},
            {"Q5_0", DType::Q5_0},   {"Q5_1", DType::Q5_1},     {"Q2_K", DType::Q2_K},
            {"Q3_K_S", DType::Q3_K}, {"Q4_K_S", DType::Q4_K},   {"Q5_K_S", DType::Q5_K},
            {"Q6_K", DType::Q6_K},
        };
        for (const auto& [file, type] : rows)
            QTest::newRow(file) << QString(file) << int(type);
    }
    void byteExactAgainstLlamaCpp()
    {
        QFETCH(QString, file);
        QFETCH(int, type);
        const DType t = DType(type);
        PRECIS_REQUIRE_SHARED("data/gguf-quants/testbed-F32.gguf");
        const std::string quantRel = "data/gguf-quants/testbed-" + file.toStdString() + ".gguf";
        PRECIS_REQUIRE_SHARED(quantRel);
        auto f32 = gguf::File::open(test::sharedPath("data/gguf-quants/testbed-F32.gguf"));
        QVERIFY2(f32.ok(), f32.ok() ? "" : f32.error().toString().c_str());
        auto q = gguf::File::open(test::sharedPath(quantRel));
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().toString().c_str());
        const Scheme s = ggufScheme(t);
        int compared = 0;
        QStringList matched, skipped;
        for (const auto& qt : q->tensors) {
            if (qt.dtype != t) {
                skipped << QString::fromStdString(qt.name + " (" + std::string(dtypeName(qt.dtype)) + ")");
                continue;
            }
            const gguf::TensorInfo* src = nullptr;
            for (const auto& ft : f32->tensors)
                if (ft.name == qt.name)
                    src = &ft;
            QVERIFY2(src && src->dtype == DType::F32, qt.name.c_str());
            QCOMPARE(src->shape, qt.shape);
            const int64_t cols = qt.shape.back();
            const int64_t rows = int64_t(src->nbytes / 4) / cols;
            std::vector<float> w(size_t(rows * cols));
            std::memcpy(w.data(), f32->tensorData(*src), w.size() * 4);
            auto enc = encode(s, w.data(), rows, cols);
            QVERIFY(enc.ok());
            QCOMPARE(uint64_t(enc->size()), qt.nbytes);
            const auto* ref = reinterpret_cast<const uint8_t*>(q->tensorData(qt));
            const int bb = s.blockBytes();
            const int64_t blocks = int64_t(enc->size()) / bb;
            int64_t same = 0;
            for (int64_t b = 0; b < blocks; ++b)
                same += std::memcmp(enc->data() + b * bb, ref + b * bb, size_t(bb)) == 0;
            if (same != blocks)
                qWarning("%s %s: %lld of %lld blocks identical (%.4f %%)", qPrintable(file), qt.name.c_str(),
                         (long long)same, (long long)blocks, 100.0 * double(same) / double(blocks));
            QCOMPARE(same, blocks);
            matched << QString::fromStdString(qt.name);
            ++compared;
        }
        qInfo("%s: byte-exact %d tensors [%s]; not compared (other type) [%s]", qPrintable(file), compared,
              qPrintable(matched.join(", ")), qPrintable(skipped.join(", ")));
        QVERIFY(compared >= 7);
    }

    // ---- scheme table -------------------------------------------------------

    void parseSchemeRoundTrips()
    {
        const auto all = allSchemes();
        QCOMPARE(all.size(), size_t(13 + 21 + 21));
        for (const Scheme& s : all) {
            auto p = parseScheme(s.name());
            QVERIFY2(p.ok(), s.name().c_str());
            QVERIFY(*p == s);
            QString lower = QString::fromStdString(s.name()).toLower();
            auto pl = parseScheme(lower.toStdString());
            QVERIFY2(pl.ok() && *pl == s, qPrintable(lower));
        }
        QCOMPARE(parseScheme("RTN3g64a")->name(), std::string("RTN3g64a"));
        QVERIFY(parseScheme("RTN3g64a")->asymmetric);
        QCOMPARE(parseScheme("RTN3g64a")->bits, 3);
        QCOMPARE(parseScheme("RTN3g64a")->group, 64);
        QCOMPARE(parseScheme("q4_k")->dtype, DType::Q4_K);
        for (const char* bad : {"Q4_K_M", "RTN9g128", "RTN1g32", "RTN4g100", "RTN4g128b", "RTN4", "RTNg128", "",
                                "F8", "Q8_K", "Q8_1", "RTN04g0128", "RTN4g128aa"}) {
            auto p = parseScheme(bad);
            QVERIFY2(!p.ok(), bad);
            const std::string msg = p.error().toString();
            QVERIFY2(msg.find("Q4_K") != std::string::npos && msg.find("RTN<b>g<g>") != std::string::npos &&
                         msg.find("'" + std::string(bad) + "'") != std::string::npos,
                     msg.c_str());
        }
    }

    void schemeTable()
    {
        QStringList names;
        for (const Scheme& s : standardSchemes()) names << QString::fromStdString(s.name());
        QCOMPARE(names.join(' '), QString("F16 Q8_0 Q6_K Q5_K Q5_0 Q4_K Q4_0 Q3_K Q2_K Q4_1 Q5_1 BF16 F32"));
        QCOMPARE(rtnSchemes().size(), size_t(21));
        QCOMPARE(rtnSchemes().front().name(), std::string("RTN2g32"));
        QCOMPARE(rtnSchemes(true).back().name(), std::string("RTN8g128a"));
        for (const Scheme& s : standardSchemes())
            if (s.kind != SchemeKind::Rtn) {
                QCOMPARE(s.group, dtypeTraits(s.dtype).blockSize);
                QCOMPARE(s.blockBytes(), dtypeTraits(s.dtype).typeSize);
            }
        // Every block format decodes and encodes.
        for (const BlockFormat& f : blockFormats()) {
            QVERIFY2(f.fromFloat && f.toFloat, f.name);
            QCOMPARE(f.blockSize, dtypeTraits(f.type).blockSize);
        }
    }

    void bitsPerWeightValues()
    {
        const std::map<std::string, double> expected = {
            {"F32", 32},     {"F16", 16},      {"BF16", 16},     {"Q8_0", 8.5},      {"Q6_K", 6.5625},
            {"Q5_K", 5.5},   {"Q5_1", 6.0},    {"Q5_0", 5.5},    {"Q4_K", 4.5},      {"Q4_1", 5.0},
            {"Q4_0", 4.5},   {"Q3_K", 3.4375}, {"Q2_K", 2.625},  {"RTN4g128", 4.125}, {"RTN4g128a", 4.25},
            {"RTN2g32", 2.5}, {"RTN3g64a", 3.5}, {"RTN8g32", 8.5}, {"RTN5g64", 5.25}};
        for (const auto& [name, bpw] : expected) {
            auto s = parseScheme(name);
            QVERIFY(s.ok());
            QCOMPARE(bitsPerWeight(*s), bpw);
        }
    }

    // ---- sizes and validation -----------------------------------------------

    void encodedBytesEqualsActualSize()
    {
        for (const Scheme& s : allSchemes()) {
            const int64_t cols = std::max(s.group, 32) * 3, rows = 5;
            const auto w = gaussian(size_t(rows * cols), 7);
            auto enc = encode(s, w.data(), rows, cols);
            QVERIFY2(enc.ok(), s.name().c_str());
            QCOMPARE(int64_t(enc->size()), encodedBytes(s, rows, cols));
            QCOMPARE(encodedBytes(s, rows, cols), rows * rowBytes(s, cols));
            QCOMPARE(double(rowBytes(s, cols)) * 8 / double(cols), bitsPerWeight(s));
            if (s.kind != SchemeKind::Rtn)
                QCOMPARE(uint64_t(rowBytes(s, cols)), *dtypeRowBytes(s.dtype, uint64_t(cols)));
            QCOMPARE(encodedBytes(s, 0, cols), int64_t(0));
        }
        QCOMPARE(encodedBytes(*parseScheme("Q4_K"), 3, 100), int64_t(-1));
        QCOMPARE(encodedBytes(*parseScheme("Q4_K"), -1, 256), int64_t(-1));
        QCOMPARE(encodedBytes(*parseScheme("Q4_K"), int64_t(1) << 62, 256), int64_t(-1));
    }

    void infeasibleShapesRejected()
    {
        const Scheme q4k = *parseScheme("Q4_K");
        QVERIFY(feasible(q4k, 512));
        QVERIFY(!feasible(q4k, 100));
        QVERIFY(!feasible(q4k, 0));
        auto c = checkFeasible(q4k, 100);
        QVERIFY(!c.ok());
        const std::string msg = c.error().toString();
        QVERIFY2(msg.find("Q4_K") != std::string::npos && msg.find("100") != std::string::npos &&
                     msg.find("256") != std::string::npos,
                 msg.c_str());
        std::vector<float> w(1000, 1.0f), out(1000);
        auto e = encode(q4k, w.data(), 10, 100);
        QVERIFY(!e.ok());
        QVERIFY(e.error().toString().find("got a row of 100 values") != std::string::npos);
        const Scheme rtn = *parseScheme("RTN4g128");
        auto r = roundTrip(rtn, w.data(), 10, 96, out.data());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().toString().find("RTN4g128") != std::string::npos, r.error().toString().c_str());
        QVERIFY(!encode(rtn, w.data(), -1, 128).ok());
        // decode checks the byte count against the shape.
        auto ok = encode(rtn, w.data(), 2, 128);
        QVERIFY(ok.ok());
        auto d = decode(rtn, ok->data(), ok->size() - 1, 2, 128, out.data());
        QVERIFY(!d.ok());
        QVERIFY2(d.error().toString().find("expected " + std::to_string(ok->size())) != std::string::npos,
                 d.error().toString().c_str());
        QVERIFY(decode(rtn, ok->data(), ok->size(), 2, 128, out.data()).ok());
        QVERIFY(!decode(rtn, ok->data(), ok->size(), 2, 96, out.data()).ok());
    }

    void nonFiniteRejected()
    {
        for (const char* name : {"Q4_K", "Q8_0", "RTN3g64a", "F16", "F32"}) {
            const Scheme s = *parseScheme(name);
            const int64_t rows = 300, cols = 256;  // > 64 Ki values: the parallel path
            for (float bad : {std::nanf(""), INFINITY, -INFINITY}) {
                auto w = gaussian(size_t(rows * cols), 3);
                w[size_t(250 * cols + 17)] = bad;
                w[size_t(7 * cols + 3)] = bad;  // the first bad row is reported
                auto e = encode(s, w.data(), rows, cols);
                QVERIFY(!e.ok());
                const std::string msg = e.error().toString();
                QVERIFY2(msg.find("row 7, column 3") != std::string::npos && msg.find(name) != std::string::npos,
                         msg.c_str());
                std::vector<float> out(w.size());
                auto r = roundTrip(s, w.data(), rows, cols, out.data());
                QVERIFY(!r.ok());
                QVERIFY(r.error().toString().find("row 7, column 3") != std::string::npos);
            }
            const auto w = gaussian(size_t(cols), 4);
            std::vector<float> imp(size_t(cols), 1.0f);
            imp[9] = -1.0f;
            auto e = encode(s, w.data(), 1, cols, imp.data());
            QVERIFY(!e.ok());
            QVERIFY2(e.error().toString().find("column 9") != std::string::npos, e.error().toString().c_str());
            imp[9] = std::nanf("");
            QVERIFY(!encode(s, w.data(), 1, cols, imp.data()).ok());
        }
    }

    // ---- round trips ----------------------------------------------------------

    void roundTripErrorBounds_data()
    {
        QTest::addColumn<QString>("name");
        for (const Scheme& s : allSchemes()) QTest::newRow(s.name().c_str()) << QString::fromStdString(s.name());
    }
    void roundTripErrorBounds()
    {
        QFETCH(QString, name);
        const Scheme s = *parseScheme(name.toStdString());
        // Awkward shapes: odd row counts, rows of 3 and 5 blocks (at least 32 values).
        for (const auto& [rows, blocks] : {std::pair<int64_t, int64_t>{1, 5}, {7, 3}, {13, 5}}) {
            const int64_t cols = std::max(s.group, 32) * blocks;
            const auto w = gaussian(size_t(rows * cols), uint32_t(rows * 1000 + blocks), 0.02f);
            std::vector<float> out(w.size()), dec(w.size());
            QVERIFY(roundTrip(s, w.data(), rows, cols, out.data()).ok());
            auto enc = encode(s, w.data(), rows, cols);
            QVERIFY(enc.ok());
            QVERIFY(decode(s, enc->data(), enc->size(), rows, cols, dec.data()).ok());
            QVERIFY2(std::memcmp(out.data(), dec.data(), out.size() * 4) == 0, "roundTrip != decode(encode)");
            const double rel = relativeRms(w, out);
            QVERIFY2(rel <= errorBound(s), qPrintable(QString("%1: relative RMS %2 > bound %3 (%4 x %5)")
                                                          .arg(name).arg(rel).arg(errorBound(s)).arg(rows).arg(cols)));
        }
    }

    void reencodeStability()
    {
        // encode(decode(encode(x))) == encode(x) byte for byte where the scale is
        // a fixed function of the decoded extreme (Q8_0: amax/127, Q4_0/Q5_0:
        // extreme/−8, −16; floats). The searching encoders (K-quants, RTN, Q4_1
        // and Q5_1 with their fp16 min) are only checked to stay within the bound.
        QStringList stable;
        for (const Scheme& s : allSchemes()) {
            const int64_t rows = 9, cols = std::max(s.group, 32) * 4;
            const auto w = gaussian(size_t(rows * cols), 11);
            auto e1 = encode(s, w.data(), rows, cols);
            std::vector<float> d1(w.size()), d2(w.size());
            QVERIFY(decode(s, e1->data(), e1->size(), rows, cols, d1.data()).ok());
            auto e2 = encode(s, d1.data(), rows, cols);
            QVERIFY(decode(s, e2->data(), e2->size(), rows, cols, d2.data()).ok());
            const std::string n = s.name();
            const bool exact = s.kind == SchemeKind::Float || n == "Q8_0" || n == "Q4_0" || n == "Q5_0";
            if (exact)
                QVERIFY2(*e1 == *e2, n.c_str());
            if (*e1 == *e2)
                stable << QString::fromStdString(n);
            QVERIFY2(relativeRms(w, d2) <= errorBound(s) * 1.5, n.c_str());
        }
        qInfo("byte-stable under re-encoding on this data: %s", qPrintable(stable.join(' ')));
    }

    void importanceReducesWeightedError_data()
    {
        QTest::addColumn<QString>("name");
        for (const Scheme& s : allSchemes())
            if (s.kind != SchemeKind::Float)
                QTest::newRow(s.name().c_str()) << QString::fromStdString(s.name());
    }
    void importanceReducesWeightedError()
    {
        QFETCH(QString, name);
        const Scheme s = *parseScheme(name.toStdString());
        const int64_t rows = 24, cols = 768;
        const auto w = gaussian(size_t(rows * cols), 21);
        // Skewed importance: one column in eight matters 100× more.
        std::vector<float> imp(static_cast<size_t>(cols));
        std::mt19937 rng(5);
        for (auto& v : imp) v = (rng() % 8 == 0) ? 100.0f : 1.0f;
        std::vector<float> plain(w.size()), weighted(w.size());
        QVERIFY(roundTrip(s, w.data(), rows, cols, plain.data()).ok());
        QVERIFY(roundTrip(s, w.data(), rows, cols, weighted.data(), imp.data()).ok());
        const double ePlain = weightedError(w, plain, imp, cols), eWeighted = weightedError(w, weighted, imp, cols);
        qInfo("%s: weighted error plain %.4g, with importance %.4g (%.1f %% lower)", qPrintable(name), ePlain,
              eWeighted, 100.0 * (1 - eWeighted / ePlain));
        QVERIFY2(eWeighted < 0.97 * ePlain, qPrintable(name));
        // importance == nullptr is the reference encoder, row by row.
        auto enc = encode(s, w.data(), rows, cols);
        std::vector<uint8_t> ref(enc->size());
        const int64_t rb = rowBytes(s, cols);
        for (int64_t r = 0; r < rows; ++r) {
            if (s.kind == SchemeKind::Rtn)
                rtnEncodeRow(RtnParams{s.bits, s.group, s.asymmetric}, w.data() + r * cols, ref.data() + r * rb, cols,
                             nullptr);
            else
                QVERIFY(quantizeRow(s.dtype, w.data() + r * cols, ref.data() + r * rb, cols));
        }
        QVERIFY(*enc == ref);
    }

    void zeroImportanceBlocksStayUsable()
    {
        // A block of dead columns (importance 0) must still be encoded sensibly.
        for (const char* name : {"Q4_K", "Q6_K", "Q3_K", "Q4_0", "Q5_1", "RTN4g32"}) {
            const Scheme s = *parseScheme(name);
            const int64_t rows = 4, cols = 512;
            const auto w = gaussian(size_t(rows * cols), 8);
            std::vector<float> imp(size_t(cols), 1.0f);
            std::fill(imp.begin(), imp.begin() + 256, 0.0f);
            std::vector<float> out(w.size());
            QVERIFY(roundTrip(s, w.data(), rows, cols, out.data(), imp.data()).ok());
            QVERIFY2(relativeRms(w, out) <= errorBound(s), name);
            std::fill(imp.begin(), imp.end(), 0.0f);  // all zero: unweighted
            QVERIFY(roundTrip(s, w.data(), rows, cols, out.data(), imp.data()).ok());
            QVERIFY2(relativeRms(w, out) <= errorBound(s), name);
        }
    }

    void degenerateRows()
    {
        // All-zero, constant, tiny (sub-normal) and large rows: finite output,
        // zeros stay zero, constants are reproduced to fp16 precision.
        for (const Scheme& s : allSchemes()) {
            const int64_t cols = std::max(s.group, 32) * 2;
            for (float v : {0.0f, 0.37f, -3.0f, 1e-40f, 1e-8f, 3000.0f}) {
                std::vector<float> w(static_cast<size_t>(cols), v), out(static_cast<size_t>(cols));
                w[1] = v * 0.5f;
                QVERIFY(roundTrip(s, w.data(), 1, cols, out.data()).ok());
                for (int64_t i = 0; i < cols; ++i) {
                    QVERIFY2(std::isfinite(out[size_t(i)]), s.name().c_str());
                    const double tol = std::max(1e-7, std::fabs(double(v)) * 0.02);
                    if (i != 1)
                        QVERIFY2(std::fabs(out[size_t(i)] - w[size_t(i)]) <= tol,
                                 qPrintable(QString("%1 v=%2 i=%3 got %4").arg(s.name().c_str()).arg(v).arg(i)
                                                .arg(out[size_t(i)])));
                }
            }
        }
    }

    void parallelEqualsSerial()
    {
        const int64_t rows = 300, cols = 512;  // 150 Ki values: parallel path
        const auto w = gaussian(size_t(rows * cols), 9);
        std::vector<float> imp(static_cast<size_t>(cols));
        for (int64_t c = 0; c < cols; ++c) imp[size_t(c)] = float(1 + c % 7);
        for (const char* name : {"Q4_K", "Q5_0", "RTN3g128a", "BF16"}) {
            const Scheme s = *parseScheme(name);
            std::vector<uint8_t> serial;
            {
                ThreadLimit one(1);
                serial = *encode(s, w.data(), rows, cols, imp.data());
            }
            QVERIFY(*encode(s, w.data(), rows, cols, imp.data()) == serial);
        }
    }

    // ---- RTN layout -------------------------------------------------------------

    void rtnDecodeLayout()
    {
        // Hand-packed groups: codes LSB-first after the fp16 header(s).
        for (int bits = 2; bits <= 8; ++bits) {
            for (bool asym : {false, true}) {
                const RtnParams p{bits, 32, asym};
                std::vector<uint8_t> bytes(size_t(rtnGroupBytes(p)), 0);
                const uint16_t d = floatToFp16(0.5f), m = floatToFp16(-1.25f);
                std::memcpy(bytes.data(), &d, 2);
                if (asym)
                    std::memcpy(bytes.data() + 2, &m, 2);
                uint8_t* codes = bytes.data() + (asym ? 4 : 2);
                std::vector<int> c(32);
                for (int i = 0; i < 32; ++i) {
                    c[size_t(i)] = (i * 7 + 3) % (1 << bits);
                    for (int b = 0; b < bits; ++b)
                        if (c[size_t(i)] >> b & 1)
                            codes[(i * bits + b) / 8] |= uint8_t(1 << ((i * bits + b) % 8));
                }
                std::vector<float> y(32);
                rtnDecodeRow(p, bytes.data(), y.data(), 32);
                for (int i = 0; i < 32; ++i) {
                    const float expect = asym ? 0.5f * float(c[size_t(i)]) - 1.25f
                                              : 0.5f * float(c[size_t(i)] - (1 << (bits - 1)));
                    QCOMPARE(y[size_t(i)], expect);
                }
            }
        }
    }

    void rtnExactOnGrid()
    {
        // Values already on a b-bit grid whose every group holds the lowest and
        // the highest code are reproduced exactly.
        for (int bits = 2; bits <= 8; ++bits) {
            for (int g : {32, 64, 128}) {
                const int half = 1 << (bits - 1);
                std::vector<float> w(size_t(g) * 3);
                for (size_t i = 0; i < w.size(); ++i) {
                    const size_t j = i % size_t(g);
                    const int code = j == 0 ? 0 : j == 1 ? 2 * half - 1 : int(j * 5 % size_t(2 * half));
                    w[i] = 0.125f * float(code - half);
                }
                std::vector<float> out(w.size());
                QVERIFY(roundTrip(rtnScheme(bits, g, false), w.data(), 3, g, out.data()).ok());
                QVERIFY2(out == w, qPrintable(QString("RTN%1g%2").arg(bits).arg(g)));
                for (float& v : w) v += 2.0f;  // asymmetric: shifted grid
                QVERIFY(roundTrip(rtnScheme(bits, g, true), w.data(), 3, g, out.data()).ok());
                QVERIFY2(out == w, qPrintable(QString("RTN%1g%2a").arg(bits).arg(g)));
            }
        }
    }

    void activationFormats()
    {
        // Q8_K and Q8_1 (not schemes, but encodable through quantizeRow).
        const auto w = gaussian(512, 13);
        for (DType t : {DType::Q8_K, DType::Q8_1}) {
            std::vector<uint8_t> bytes(*dtypeRowBytes(t, 512));
            QVERIFY(quantizeRow(t, w.data(), bytes.data(), 512));
            std::vector<float> out(512);
            QVERIFY(dequantizeRow(t, bytes.data(), out.data(), 512));
            QVERIFY(relativeRms(w, out) < 0.01);
        }
        BlockQ8_K b;
        QVERIFY(quantizeRow(DType::Q8_K, w.data(), &b, 256));
        for (int k = 0; k < 16; ++k) {
            int sum = 0;
            for (int i = 0; i < 16; ++i) sum += b.qs[16 * k + i];
            QCOMPARE(int(b.bsums[k]), sum);
        }
        QVERIFY(!quantizeRow(DType::I32, w.data(), &b, 256));
        QVERIFY(!quantizeRow(DType::Q4_K, w.data(), &b, 100));
    }
};

QTEST_GUILESS_MAIN(TestQuant)
#include "tst_quant.moc"
