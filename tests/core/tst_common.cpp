// Common building blocks: fp16/bf16 conversions, dtype table, Result, atomic writes.
#include "common/half.h"
#include "common/mapped_file.h"
#include "common/scratch_array.h"
#include "model/dtype.h"
#include "model/model.h"
#include "test_support.h"

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace precis;

class TestCommon : public QObject {
    Q_OBJECT
private slots:
    void fp16RoundTripAllValues()
    {
        // Every finite half converts to float and back to the same bits.
        int checked = 0;
        for (uint32_t h = 0; h < 65536; ++h) {
            const float f = fp16ToFloat(uint16_t(h));
            if (std::isnan(f)) continue;
            QCOMPARE(floatToFp16(f), uint16_t(h));
            ++checked;
        }
        QCOMPARE(checked, 65536 - 2046);  // 2 × 1023 NaN payloads
    }
    void fp16KnownValues()
    {
        QCOMPARE(fp16ToFloat(0x3C00), 1.0f);
        QCOMPARE(fp16ToFloat(0xC000), -2.0f);
        QCOMPARE(fp16ToFloat(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
        QCOMPARE(fp16ToFloat(0x7BFF), 65504.0f);
        QCOMPARE(floatToFp16(65520.0f), uint16_t(0x7C00));     // rounds to +inf
        QCOMPARE(floatToFp16(1.0f + std::ldexp(1.0f, -11)), uint16_t(0x3C00));  // tie to even
        QCOMPARE(floatToFp16(1.0f + 3 * std::ldexp(1.0f, -11)), uint16_t(0x3C02));
    }
    void bf16()
    {
        QCOMPARE(bf16ToFloat(0x3F80), 1.0f);
        QCOMPARE(floatToBf16(1.0f), uint16_t(0x3F80));
        QCOMPARE(floatToBf16(bitsToFloat(0x3F808000u)), uint16_t(0x3F80));  // tie to even (down)
        QCOMPARE(floatToBf16(bitsToFloat(0x3F818000u)), uint16_t(0x3F82));  // tie to even (up)
    }
    void dtypeTable()
    {
        QCOMPARE(dtypeTraits(DType::Q4_K).typeSize, 144);
        QCOMPARE(dtypeTraits(DType::Q6_K).typeSize, 210);
        QCOMPARE(dtypeTraits(DType::Q3_K).typeSize, 110);
        QCOMPARE(dtypeTraits(DType::Q5_1).typeSize, 24);
        QVERIFY(!dtypeTraits(uint32_t(4)).has_value());  // removed Q4_2
        QCOMPARE(*dtypeRowBytes(DType::Q8_0, 64), uint64_t(68));
        QVERIFY(!dtypeRowBytes(DType::Q8_0, 33).has_value());
        QCOMPARE(*dtypeFromName("BF16"), DType::BF16);
    }
    // The in-memory RTN types: layout round trip, sizes as quant/rtn.h, names
    // as the schemes spell them, never a GGUF id.
    void rtnTypes()
    {
        int n = 0;
        for (int bits = 2; bits <= 8; ++bits)
            for (int group : {32, 64, 128})
                for (bool asym : {false, true}) {
                    const DType t = rtnDType({bits, group, asym});
                    const auto l = rtnLayout(t);
                    QVERIFY(l && l->bits == bits && l->group == group && l->asymmetric == asym);
                    QVERIFY(!dtypeTraits(uint32_t(t)).has_value());
                    const DTypeTraits& tr = dtypeTraits(t);
                    QCOMPARE(tr.blockSize, group);
                    QCOMPARE(tr.typeSize, (asym ? 4 : 2) + group * bits / 8);
                    QCOMPARE(*dtypeFromName(tr.name), t);
                    ++n;
                }
        QCOMPARE(n, 42);
        QCOMPARE(std::string(dtypeName(rtnDType({4, 128, false}))), std::string("RTN4g128"));
        QCOMPARE(std::string(dtypeName(rtnDType({3, 64, true}))), std::string("RTN3g64a"));
        QCOMPARE(*dtypeRowBytes(rtnDType({4, 128, false}), 256), uint64_t(2 * 66));
        QVERIFY(!dtypeRowBytes(rtnDType({4, 128, false}), 192).has_value());
        QVERIFY(!rtnLayout(DType::Q4_K));
        QVERIFY(!rtnLayout(DType(uint32_t(rtnDType({4, 128, false})) | 0x08u)));  // stray bits
        QVERIFY(!rtnLayout(DType(0x52540900u)));  // 9 bits
    }
    void atomicWrite()
    {
        const std::string dir = test::scratchDir("atomic");
        const std::string path = dir + "/out.bin";
        const char data[] = "hello";
        QVERIFY(writeFileAtomic(path, data, 5).ok());
        auto r = readTextFile(path);
        QVERIFY(r.ok());
        QCOMPARE(*r, std::string("hello"));
        QVERIFY(!std::filesystem::exists(path + ".tmp-precis"));
        // Writing into a missing folder fails with the folder in the message, and leaves nothing.
        auto bad = writeFileAtomic(dir + "/missing/out.bin", data, 5);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().toString().find("missing") != std::string::npos);
    }
    // A spilled array starts at zero, keeps what was written through release()
    // (its pages come back from the file), leaves no file in the folder, and names
    // a folder it cannot use.
    void scratchArraySpillsAndKeepsValues()
    {
        const std::string dir = test::scratchDir("scratch_array");
        const size_t n = (size_t(3) << 20) / sizeof(double) + 7;  // several pages, not a whole number of them
        for (const std::string& where : {std::string(), dir}) {
            auto a = ScratchArray::create(n, where);
            QVERIFY(a.ok());
            QCOMPARE((*a)->spilled(), !where.empty());
            QCOMPARE((*a)->size(), n);
            bool zero = true;
            for (size_t i = 0; i < n; ++i) zero = zero && (**a)[i] == 0.0;
            QVERIFY(zero);
            for (size_t i = 0; i < n; ++i) (**a)[i] = double(i) * 0.5 - 3.0;
            (*a)->release();
            bool kept = true;
            for (size_t i = 0; i < n; ++i) kept = kept && (**a)[i] == double(i) * 0.5 - 3.0;
            QVERIFY(kept);
            QVERIFY(std::filesystem::is_empty(dir));  // the file is unlinked at once
        }
        auto bad = ScratchArray::create(16, dir + "/missing");
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().toString().find(dir + "/missing") != std::string::npos, bad.error().toString().c_str());
    }

    void mappedFileErrors()
    {
        auto r = MappedFile::open("/nonexistent/precis.gguf");
        QVERIFY(!r.ok());
        QVERIFY(r.error().toString().find("/nonexistent/precis.gguf") != std::string::npos);
    }
    void modelValidateNamesTensor()
    {
        Model m;
        m.path = "x.gguf";
        m.config.nLayer = 1; m.config.nEmbd = 8; m.config.nHead = 2; m.config.nHeadKv = 1;
        m.config.nFf = 16; m.config.nVocab = 10; m.config.nCtx = 32; m.config.tiedOutput = true;
        auto r = m.validate();
        QVERIFY(!r.ok());
        QCOMPARE(QString::fromStdString(r.error().toString()),
                 QStringLiteral("x.gguf: tensor 'token_embd.weight' is missing (expected shape [10, 8])"));
    }
};

QTEST_GUILESS_MAIN(TestCommon)
#include "tst_common.moc"
