// The allocation's option table: validation messages, the JSON and blob round
// trips (every field, damages bit for bit), and damaged input rejected with one
// clear error.
#include "allocation/option_table.h"
#include "test_support.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace precis;

namespace {

OptionTable sampleTable()
{
    OptionTable t;
    t.fixedBytes = 4096;
    t.fixedWeights = 1024;
    Unit a{"blk.0.attn_q.weight", "blk.0.attn_q.weight", 0, "attn_q", 65536, {}, -1};
    a.options = {{"F16", 131072, 0.0, 0.0}, {"Q8_0", 69632, 1.0 / 3.0, 0.25}, {"Q4_K", 36864, 0.1 + 0.2, 0.1 + 0.7},
                 {"Q2_K", 21504, 2.5e-3}};  // the last without a KL estimate
    Unit b{"token_embd.weight", "token_embd.weight", -1, "token_embd", 32000, {}, 1};
    b.options = {{"Q8_0", 34000, 1e-300}, {"Q6_K", 26250, std::nextafter(0.125, 1.0)}};
    Unit c{"blk.1.head3.q \xC3\xA9", "blk.1.attn_q.weight", 1, "head_q", 0, {{"Q4_K", 1, 0.0}}, -1};
    t.units = {a, b, c};
    return t;
}

void compareTables(const OptionTable& x, const OptionTable& y)
{
    QCOMPARE(x.fixedBytes, y.fixedBytes);
    QCOMPARE(x.fixedWeights, y.fixedWeights);
    QCOMPARE(x.units.size(), y.units.size());
    for (size_t u = 0; u < x.units.size(); ++u) {
        const Unit &a = x.units[u], &b = y.units[u];
        QCOMPARE(a.name, b.name);
        QCOMPARE(a.tensor, b.tensor);
        QCOMPARE(a.layer, b.layer);
        QCOMPARE(a.kind, b.kind);
        QCOMPARE(a.weights, b.weights);
        QCOMPARE(a.pinned, b.pinned);
        QCOMPARE(a.options.size(), b.options.size());
        for (size_t o = 0; o < a.options.size(); ++o) {
            QCOMPARE(a.options[o].scheme, b.options[o].scheme);
            QCOMPARE(a.options[o].bytes, b.options[o].bytes);
            // Bit for bit, not approximately; an unknown KL stays unknown.
            QVERIFY(std::memcmp(&a.options[o].damage, &b.options[o].damage, sizeof(double)) == 0);
            QCOMPARE(std::isnan(a.options[o].kl), std::isnan(b.options[o].kl));
            if (!std::isnan(a.options[o].kl))
                QVERIFY(std::memcmp(&a.options[o].kl, &b.options[o].kl, sizeof(double)) == 0);
        }
    }
}

std::string errorOf(const OptionTable& t)
{
    const auto r = validate(t);
    return r.ok() ? std::string() : r.error().toString();
}

} // namespace

class TestOptionTable : public QObject {
    Q_OBJECT

private slots:
    void validTable()
    {
        QVERIFY(validate(sampleTable()).ok());
        QVERIFY(validate(OptionTable{}).ok());
        QCOMPARE(totalWeights(sampleTable()), int64_t(1024 + 65536 + 32000));
    }

    void validationErrors_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("message");
        QTest::newRow("no options") << 0 << "option table: unit 3 'x' has no options, expected at least one";
        QTest::newRow("negative damage") << 1 << "option table: unit 0 'blk.0.attn_q.weight', option 2 'Q4_K': damage is -0.500000, expected a finite value >= 0";
        QTest::newRow("nan damage") << 2 << "option table: unit 0 'blk.0.attn_q.weight', option 1 'Q8_0': damage is nan, expected a finite value >= 0";
        QTest::newRow("inf damage") << 3 << "option table: unit 0 'blk.0.attn_q.weight', option 0 'F16': damage is inf, expected a finite value >= 0";
        QTest::newRow("zero bytes") << 4 << "option table: unit 1 'token_embd.weight', option 0 'Q8_0': bytes is 0, expected > 0";
        QTest::newRow("pin high") << 5 << "option table: unit 1 'token_embd.weight': pinned option 2 is out of range, expected -1 or 0..1";
        QTest::newRow("pin low") << 6 << "option table: unit 0 'blk.0.attn_q.weight': pinned option -2 is out of range, expected -1 or 0..3";
        QTest::newRow("weights") << 7 << "option table: unit 0 'blk.0.attn_q.weight': weights is -1, expected >= 0";
        QTest::newRow("fixed bytes") << 8 << "option table: fixed_bytes is -5, expected >= 0";
        QTest::newRow("bytes overflow") << 9 << "option table: unit 1 'token_embd.weight': the total of the largest options overflows 64-bit bytes";
        QTest::newRow("huge damage") << 10 << "option table: the total of the largest damages is 2000000000000000.000000, expected at most 1e15";
        QTest::newRow("negative kl") << 11 << "option table: unit 0 'blk.0.attn_q.weight', option 1 'Q8_0': kl is -1.000000, expected a finite value >= 0 (or unknown)";
        QTest::newRow("inf kl") << 12 << "option table: unit 0 'blk.0.attn_q.weight', option 2 'Q4_K': kl is inf, expected a finite value >= 0 (or unknown)";
    }
    void validationErrors()
    {
        QFETCH(int, which);
        QFETCH(QString, message);
        OptionTable t = sampleTable();
        switch (which) {
        case 0: t.units.push_back(Unit{"x", "x", 2, "k", 1, {}, -1}); break;
        case 1: t.units[0].options[2].damage = -0.5; break;
        case 2: t.units[0].options[1].damage = std::numeric_limits<double>::quiet_NaN(); break;
        case 3: t.units[0].options[0].damage = std::numeric_limits<double>::infinity(); break;
        case 4: t.units[1].options[0].bytes = 0; break;
        case 5: t.units[1].pinned = 2; break;
        case 6: t.units[0].pinned = -2; break;
        case 7: t.units[0].weights = -1; break;
        case 8: t.fixedBytes = -5; break;
        case 9: t.units[1].options[0].bytes = std::numeric_limits<int64_t>::max() - 10; break;
        case 10: t.units[0].options[0].damage = 1e15; t.units[1].options[0].damage = 1e15; break;
        case 11: t.units[0].options[1].kl = -1; break;
        case 12: t.units[0].options[2].kl = std::numeric_limits<double>::infinity(); break;
        }
        QCOMPARE(QString::fromStdString(errorOf(t)), message);
    }

    void jsonRoundTrip()
    {
        const OptionTable t = sampleTable();
        for (int indent : {-1, 1}) {
            const std::string text = optionTableToJson(t, indent);
            auto back = parseOptionTableJson(text, "table.json");
            QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
            compareTables(t, *back);
            QCOMPARE(optionTableToJson(*back, indent), text);
        }
        auto empty = parseOptionTableJson(optionTableToJson(OptionTable{}), "e.json");
        QVERIFY(empty.ok());
        QVERIFY(empty->units.empty());
    }

    void jsonErrors_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("message");
        QTest::newRow("format") << "\"precis.option_table\"" << "\"other\""
                                << "t.json: field 'format': expected \"precis.option_table\", found \"other\"";
        QTest::newRow("version") << "\"version\":2" << "\"version\":7"
                                 << "t.json: version 7 is not supported (expected 1 to 2)";
        QTest::newRow("kl type") << "\"kl\":0.25" << "\"kl\":\"some\""
                                 << "t.json: field 'units[0].options[1].kl': expected a number or null";
        QTest::newRow("bytes type") << "\"bytes\":69632" << "\"bytes\":69632.5"
                                    << "t.json: field 'units[0].options[1].bytes': expected an integer (64-bit)";
        QTest::newRow("missing") << "\"kind\":\"attn_q\"," << ""
                                 << "t.json: field 'units[0].kind' is missing";
        QTest::newRow("damage type") << "\"damage\":0.0" << "\"damage\":\"low\""
                                     << "t.json: field 'units[0].options[0].damage': expected a number";
        QTest::newRow("negative damage") << "\"damage\":0.0" << "\"damage\":-1.0"
                                         << "t.json: unit 0 'blk.0.attn_q.weight', option 0 'F16': damage is -1.000000, expected a finite value >= 0";
        QTest::newRow("units type") << "\"units\":[" << "\"units\":{\"a\":1},\"x\":["
                                    << "t.json: field 'units': expected an array";
        QTest::newRow("layer range") << "\"layer\":0" << "\"layer\":9999999999"
                                     << "t.json: field 'units[0].layer': expected a 32-bit integer, found 9999999999";
    }
    void jsonErrors()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, message);
        std::string text = optionTableToJson(sampleTable(), -1);
        const size_t at = text.find(from.toStdString());
        QVERIFY(at != std::string::npos);
        text.replace(at, size_t(from.size()), to.toStdString());
        auto r = parseOptionTableJson(text, "t.json");
        QVERIFY(!r.ok());
        QCOMPARE(QString::fromStdString(r.error().toString()), message);
        QVERIFY(!parseOptionTableJson("{\"format\": ", "t.json").ok());
        QVERIFY(!parseOptionTableJson("[1,2]", "t.json").ok());
    }

    void blobRoundTrip()
    {
        const OptionTable t = sampleTable();
        const std::vector<std::byte> blob = serializeOptionTable(t);
        auto back = parseOptionTable(blob, "cache");
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
        compareTables(t, *back);
        QVERIFY(serializeOptionTable(*back) == blob);
        QVERIFY(parseOptionTable(serializeOptionTable(OptionTable{}), "cache").ok());
    }

    void blobDamage()
    {
        const std::vector<std::byte> blob = serializeOptionTable(sampleTable());
        // Every truncation is an error, never a crash.
        for (size_t n = 0; n < blob.size(); ++n)
            QVERIFY(!parseOptionTable(std::span<const std::byte>(blob.data(), n), "cache").ok());
        auto bad = blob;
        bad[0] = std::byte{'X'};
        QCOMPARE(QString::fromStdString(parseOptionTable(bad, "cache").error().toString()),
                 QString("cache: not a Precis option table (expected the magic \"PRECISOT\")"));
        bad = blob;
        bad[40] ^= std::byte{1};
        QCOMPARE(QString::fromStdString(parseOptionTable(bad, "cache").error().toString()),
                 QString("cache: checksum mismatch: the data is damaged"));
        bad = blob;
        bad[8] = std::byte{3};
        QCOMPARE(QString::fromStdString(parseOptionTable(bad, "cache").error().toString()),
                 QString("cache: version 3 is not supported (expected 1 to 2)"));
        // A count that cannot fit is rejected before allocating (checksum made valid).
        OptionTable t = sampleTable();
        t.units.resize(1);
        bad = serializeOptionTable(t);
        const uint32_t huge = 0x7fffffff;
        std::memcpy(bad.data() + 8 + 4 + 16, &huge, 4);
        uint64_t h = 0xCBF29CE484222325ull;
        for (size_t i = 0; i + 8 < bad.size(); ++i) {
            h ^= uint8_t(bad[i]);
            h *= 0x100000001B3ull;
        }
        std::memcpy(bad.data() + bad.size() - 8, &h, 8);
        const auto r = parseOptionTable(bad, "cache");
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("n_units") != std::string::npos, r.error().message.c_str());
    }

    // Version 1 (written before per-option KL estimates) still reads: every KL unknown.
    void readsVersion1()
    {
        OptionTable t = sampleTable();
        for (Unit& u : t.units)
            for (Option& o : u.options) o.kl = std::numeric_limits<double>::quiet_NaN();
        std::string text = optionTableToJson(t, -1);
        for (size_t at; (at = text.find(",\"kl\":null")) != std::string::npos;) text.erase(at, 10);
        text.replace(text.find("\"version\":2"), 11, "\"version\":1");
        auto json = parseOptionTableJson(text, "v1.json");
        QVERIFY2(json.ok(), json.ok() ? "" : json.error().toString().c_str());
        compareTables(t, *json);

        // The v1 blob: the same bytes without the kl field, version 1, checksum recomputed.
        std::vector<std::byte> v1;
        auto put = [&](const void* p, size_t n) {
            const auto* b = static_cast<const std::byte*>(p);
            v1.insert(v1.end(), b, b + n);
        };
        auto str = [&](const std::string& s) {
            const uint32_t n = uint32_t(s.size());
            put(&n, 4);
            put(s.data(), s.size());
        };
        put("PRECISOT", 8);
        const uint32_t version = 1, nUnits = uint32_t(t.units.size());
        put(&version, 4);
        put(&t.fixedBytes, 8);
        put(&t.fixedWeights, 8);
        put(&nUnits, 4);
        for (const Unit& u : t.units) {
            str(u.name);
            str(u.tensor);
            const int32_t layer = u.layer, pinned = u.pinned;
            const uint32_t n = uint32_t(u.options.size());
            put(&layer, 4);
            str(u.kind);
            put(&u.weights, 8);
            put(&pinned, 4);
            put(&n, 4);
            for (const Option& o : u.options) {
                str(o.scheme);
                put(&o.bytes, 8);
                put(&o.damage, 8);
            }
        }
        uint64_t h = 0xCBF29CE484222325ull;
        for (std::byte b : v1) {
            h ^= uint8_t(b);
            h *= 0x100000001B3ull;
        }
        put(&h, 8);
        auto blob = parseOptionTable(v1, "v1 cache");
        QVERIFY2(blob.ok(), blob.ok() ? "" : blob.error().toString().c_str());
        compareTables(t, *blob);
    }

    void fingerprint()
    {
        OptionTable t = sampleTable();
        const uint64_t a = optionTableFingerprint(t);
        QCOMPARE(optionTableFingerprint(sampleTable()), a);
        t.units[0].options[1].damage = std::nextafter(t.units[0].options[1].damage, 1.0);
        QVERIFY(optionTableFingerprint(t) != a);
    }
};

QTEST_GUILESS_MAIN(TestOptionTable)
#include "tst_option_table.moc"
