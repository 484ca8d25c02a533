// The closed loop: samples read from a session's compressions (one with its own
// prediction, one of a saved allocation solved at another scale, a rescaled
// one, unusable and unreadable ones), the prediction taken back to the
// unscaled predictor, and the fitted factor against a hand computation.
#include "allocation/closed_loop.h"
#include "session/session_compressions.h"
#include "session/session_store.h"
#include "test_support.h"

#include <cmath>
#include <limits>
#include <vector>

using namespace precis;

class TestClosedLoop : public QObject {
    Q_OBJECT
private slots:
    void samplesAndFit()
    {
        const std::string dir = test::scratchDir("closed_loop");
        auto store = SessionStore::open(dir + "/s.sqlite");
        QVERIFY(store.ok());
        auto model = store->addModel(dir + "/m.gguf", std::string(64, 'a'), "llama", 10, 100);
        QVERIFY(model.ok());
        auto sid = store->createSession("s", *model);
        QVERIFY(sid.ok());
        QVERIFY(!fitDamageScale({}).ok());

        // A compression measured at perplexity ratio `ratio` (NaN: not measured) with prediction `percent`
        // (NaN: none) made at closed-loop factor `scale`.
        const double none = std::numeric_limits<double>::quiet_NaN();
        std::vector<int64_t> ids;
        auto add = [&](const std::string& name, double ratio, double percent, double scale = 1.0,
                       std::optional<int64_t> allocation = {}) {
            CompressionEntry e;
            e.name = name;
            e.bytes = 1000;
            e.bitsPerWeight = 4;
            e.predictedPercent = percent;
            e.damageScale = scale;
            e.allocationId = allocation;
            if (std::isfinite(ratio)) {
                e.measured = CompressionMeasurement{};
                e.measured->comparison.pplOriginal = 10.0;
                e.measured->comparison.pplCompressed = 10.0 * ratio;
            }
            auto id = recordCompression(*store, *sid, e);
            QVERIFY(id.ok());
            ids.push_back(*id);
        };
        // 1. Predicted +1 % at scale 1, measured +2 %.
        add("budget +1 %", 1.02, 1.0);
        // 2. A saved allocation solved with scale 2, compressed without its own prediction:
        //    its totals predicted 0.03 nats → 0.015 unscaled; measured +4 %.
        BudgetSpec budget;
        budget.value = 3;
        budget.damageScale = 2;
        AllocationTotals totals;
        totals.predictedDamage = 0.03;
        auto alloc = saveAllocation(*store, *sid, "a", budget, {}, totals);
        QVERIFY(alloc.ok());
        add("allocation a", 1.04, none, 1.0, *alloc);
        // 3. A run at scale 1.5: predicted +3 % (scaled), measured +3 %.
        add("r", 1.03, 3.0, 1.5);
        // Not samples: no prediction; not measured; a record this build cannot read.
        add("uniform", 1.05, none);
        add("x", none, 1.0);
        QVERIFY(store->addCompression({0, *sid, std::nullopt, "rtn", "", "{}",
                                       R"({"ppl_ratio": "high", "predicted_ppl_increase_percent": 1.0})", ""}).ok());
        // Measured no worse than the original: a sample, but the fit skips it.
        add("lucky", 0.999, 0.5);

        auto samples = closedLoopSamples(*store, *sid);
        QVERIFY(samples.ok());
        QCOMPARE(samples->size(), size_t(4));
        const auto& s = *samples;
        QCOMPARE(ids.size(), size_t(6));  // the unreadable record is not among them
        // Records 1, 2, 3 and 6 ("lucky"), in the order they were added.
        QCOMPARE(s[0].compressionId, ids[0]);
        QCOMPARE(s[1].compressionId, ids[1]);
        QCOMPARE(s[2].compressionId, ids[2]);
        QCOMPARE(s[3].compressionId, ids[5]);
        QCOMPARE(s[0].name, std::string("budget +1 %"));
        QVERIFY(std::abs(s[0].predictedDamage - std::log(1.01)) < 1e-12);
        QVERIFY(std::abs(s[0].measuredDamage - std::log(1.02)) < 1e-12);
        QCOMPARE(s[1].name, std::string("allocation a"));
        QVERIFY(std::abs(s[1].predictedDamage - 0.015) < 1e-12);
        QVERIFY(std::abs(s[1].measuredDamage - std::log(1.04)) < 1e-12);
        QCOMPARE(s[2].name, std::string("r"));
        QVERIFY(std::abs(s[2].predictedDamage - std::log(1.03) / 1.5) < 1e-12);
        QVERIFY(std::abs(s[2].measuredDamage - std::log(1.03)) < 1e-12);
        QCOMPARE(s[3].name, std::string("lucky"));
        QVERIFY(std::abs(s[3].predictedDamage - std::log(1.005)) < 1e-12);
        QVERIFY(std::abs(s[3].measuredDamage - std::log(0.999)) < 1e-12);

        auto fit = fitDamageScale(*samples);
        QVERIFY(fit.ok());
        QCOMPARE(fit->samples, 3);
        const double r[3] = {std::log(std::log(1.02) / std::log(1.01)), std::log(std::log(1.04) / 0.015),
                             std::log(std::log(1.03) / (std::log(1.03) / 1.5))};
        const double mean = (r[0] + r[1] + r[2]) / 3;
        QVERIFY(std::abs(fit->scale - std::exp(mean)) < 1e-12);
        double var = 0;
        for (double x : r) var += (x - mean) * (x - mean);
        QVERIFY(std::abs(fit->spread - std::exp(std::sqrt(var / 2))) < 1e-9);

        // A session without compressions has no samples (and is not an error).
        auto empty = closedLoopSamples(*store, *sid + 9);
        QVERIFY2(empty.ok(), empty.ok() ? "" : empty.error().toString().c_str());
        QCOMPARE(empty->size(), size_t(0));
        QVERIFY(!fitDamageScale(*empty).ok());
    }
};

QTEST_GUILESS_MAIN(TestClosedLoop)
#include "tst_closed_loop.moc"
