// The closed loop: samples read from a session's compressions (a studio record
// with its prediction in the metrics, a CLI record of a saved allocation, a
// rescaled one, unusable ones), the prediction taken back to the unscaled
// predictor, and the fitted factor against a hand computation.
#include "allocation/closed_loop.h"
#include "session/session_store.h"
#include "test_support.h"

#include <cmath>
#include <optional>
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

        std::vector<int64_t> ids;  // of the records added, in order
        auto add = [&](const std::string& settings, const std::string& metrics, std::optional<int64_t> allocation = {}) {
            CompressionRecord c;
            c.sessionId = *sid;
            c.method = "rtn";
            c.settingsJson = settings;
            c.metricsJson = metrics;
            c.allocationId = allocation;
            auto id = store->addCompression(c);
            QVERIFY(id.ok());
            ids.push_back(id.ok() ? *id : -1);
        };
        // 1. Studio: predicted +1 % at scale 1, measured +2 %.
        add(R"({"name": "budget +1 %"})", R"({"ppl_ratio": 1.02, "predicted_ppl_increase_percent": 1.0})");
        // 2. CLI of a saved allocation solved with scale 2: totals predicted 0.03 nats → 0.015 unscaled; measured +4 %.
        auto alloc = store->saveAllocation(*sid, "a", R"({"kind": "ppl_percent", "value": 3, "damage_scale": 2})", "{}",
                                           R"({"predicted_damage": 0.03})");
        QVERIFY(alloc.ok());
        add(R"({"plan": "allocation a"})", R"({"ppl_ratio": 1.04})", *alloc);
        // 3. Studio run at scale 1.5 recorded in its settings: predicted +3 % (scaled), measured +3 %.
        add(R"({"name": "r", "damage_scale": 1.5})", R"({"ppl_ratio": 1.03, "predicted_ppl_increase_percent": 3.0})");
        // Not samples: no prediction, no measurement, a ratio that is not a number.
        add(R"({"name": "uniform"})", R"({"ppl_ratio": 1.05})");
        add(R"({"name": "x"})", R"({"predicted_ppl_increase_percent": 1.0})");
        add("[]", R"({"ppl_ratio": "high", "predicted_ppl_increase_percent": 1.0})");
        // Measured no worse than the original: a sample, but the fit skips it.
        add(R"({"name": "lucky"})", R"({"ppl_ratio": 0.999, "predicted_ppl_increase_percent": 0.5})");

        auto samples = closedLoopSamples(*store, *sid);
        QVERIFY(samples.ok());
        QCOMPARE(samples->size(), size_t(4));
        const auto& s = *samples;
        QCOMPARE(ids.size(), size_t(7));
        // Records 1, 2, 3 and 7 ("lucky"), in the order they were added.
        QCOMPARE(s[0].compressionId, ids[0]);
        QCOMPARE(s[1].compressionId, ids[1]);
        QCOMPARE(s[2].compressionId, ids[2]);
        QCOMPARE(s[3].compressionId, ids[6]);
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

        // A session without compressions (here: one that does not exist) has no samples; it is no error.
        auto none = closedLoopSamples(*store, *sid + 9);
        QVERIFY2(none.ok(), none.ok() ? "" : none.error().toString().c_str());
        QCOMPARE(none->size(), size_t(0));
        QVERIFY(!fitDamageScale(*none).ok());
    }
};

QTEST_GUILESS_MAIN(TestClosedLoop)
#include "tst_closed_loop.moc"
