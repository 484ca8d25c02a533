// Option tables from a calibration report: exact bytes per unit and option,
// damage taken from the report, the three granularities, uniform comparison
// points, the session cache, and errors.
#include "test_support.h"

#include "allocation/option_builder.h"
#include "allocation/solver.h"
#include "model/random_model.h"
#include "quant/scheme.h"
#include "sensitivity/calibration.h"
#include "session/session_store.h"

#include <QtTest/QtTest>

#include <random>
#include <tuple>

using namespace precis;
using namespace precis::sensitivity;

namespace {

ModelConfig config(int ffn)
{
    ModelConfig c;
    c.arch = Arch::Llama;
    c.archName = "llama";
    c.nLayer = 2;
    c.nEmbd = 64;
    c.nHead = 4;
    c.nHeadKv = 2;
    c.nFf = ffn;
    c.nVocab = 300;
    c.nCtx = 64;
    return c;
}

struct Fixture {
    std::shared_ptr<Model> model;
    SensitivityReport report;
};

Fixture make(int ffn)
{
    Fixture f;
    f.model = makeRandomModel(config(ffn), 21, 0.1f);
    auto p = parametersFromModel(*f.model);
    CalibrationSet set;
    set.sequences = 2;
    set.length = 16;
    std::mt19937_64 rng(3);
    for (int i = 0; i < 2 * 17; ++i) set.tokens.push_back(int32_t(rng() % 300));
    CalibrationSettings s;
    s.options = {"F16", "Q8_0", "Q4_0", "RTN4g32", "RTN2g64"};
    s.probeOptions = {"Q4_0"};
    s.measure = false;
    s.headAblation = false;
    auto out = runCalibration(*p, set, s);
    if (!out.ok()) qFatal("%s", out.error().message.c_str());
    f.report = out->report;
    return f;
}

const Unit* unitNamed(const OptionTable& t, const std::string& n)
{
    for (const Unit& u : t.units)
        if (u.name == n) return &u;
    return nullptr;
}

} // namespace

class TestOptionBuilder : public QObject {
    Q_OBJECT

private slots:
    void tensorGranularity()
    {
        Fixture f = make(96);  // 96-wide ffn_down rows: Q4_0 and RTN g32 fit, RTN g64 does not
        OptionTableSettings s;
        s.options = {"F16", "Q8_0", "Q4_0", "RTN4g32", "RTN2g64"};
        auto t = buildOptionTable(*f.model, f.report, s);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message.c_str());
        QCOMPARE(int(t->units.size()), 2 * 7 + 2);  // blocks + token_embd + output
        int64_t fixed = 0;
        for (const Tensor& x : f.model->tensors())
            if (x.shape.size() == 1) fixed += x.numel() * 4;
        QCOMPARE(t->fixedBytes, fixed);
        for (const Unit& u : t->units) {
            const Tensor* x = f.model->find(u.tensor);
            QVERIFY(x);
            QCOMPARE(u.weights, x->numel());
            for (const Option& o : u.options) {
                auto scheme = quant::parseScheme(o.scheme);
                QVERIFY(scheme.ok());
                QCOMPARE(o.bytes, quant::encodedBytes(*scheme, x->rows(), x->cols()));
                // Damage is the report's ow_err (token_embd: Fisher, it has no input statistics).
                const char* m = u.tensor == "token_embd.weight" ? "fisher" : "ow_err";
                const UnitValue* v = f.report.find(u.tensor, m, o.scheme);
                QVERIFY(v);
                QCOMPARE(o.damage, std::max(0.0, v->value));
            }
        }
        const Unit* down = unitNamed(*t, "blk.0.ffn_down.weight");
        QVERIFY(down);
        QCOMPARE(int(down->options.size()), 4);  // no RTN2g64 for 96-wide rows
        QCOMPARE(int(unitNamed(*t, "blk.0.ffn_up.weight")->options.size()), 5);

        // Scaling the predictor scales every damage.
        s.damageScale = 2.5;
        auto scaled = buildOptionTable(*f.model, f.report, s);
        QVERIFY(scaled.ok());
        QCOMPARE(scaled->units[3].options[1].damage, 2.5 * t->units[3].options[1].damage);

        // Uniform Q8_0: every unit has it; RTN2g64: ffn_down falls back.
        auto uni = uniformPoints(*t, {"Q8_0", "RTN2g64", "Q9_9"});
        QCOMPARE(int(uni.size()), 2);
        int64_t bytes = t->fixedBytes;
        for (const Unit& u : t->units)
            for (const Option& o : u.options)
                if (o.scheme == "Q8_0") bytes += o.bytes;
        QCOMPARE(uni[0].bytes, bytes);
        QCOMPARE(uni[0].fallbacks, 0);
        QCOMPARE(uni[1].fallbacks, 2);

        // The solver on this table: a budget between the extremes is met exactly.
        auto frontier = buildFrontier(*t);
        QVERIFY(frontier.ok());
        const double mid = 0.5 * (frontier->points().front().damage + frontier->points().back().damage);
        Allocation a = frontier->minBytes(mid);
        QVERIFY(a.feasible);
        QVERIFY(a.damage <= mid);
        int64_t sum = t->fixedBytes;
        for (size_t u = 0; u < t->units.size(); ++u) sum += t->units[u].options[size_t(a.choice[u])].bytes;
        QCOMPARE(a.bytes, sum);
    }

    void headAndLayerGranularity()
    {
        Fixture f = make(96);
        OptionTableSettings s;
        s.options = {"F16", "Q8_0", "Q4_0"};
        s.granularity = Granularity::Head;
        auto h = buildOptionTable(*f.model, f.report, s);
        QVERIFY2(h.ok(), h.ok() ? "" : h.error().message.c_str());
        // 2 layers × 4 heads, plus k, v (grouped-query), gate, up, down per layer, embd, output.
        QCOMPARE(int(h->units.size()), 2 * 4 + 2 * 5 + 2);
        const Unit* head = unitNamed(*h, "blk.1.head.3");
        QVERIFY(head);
        QCOMPARE(head->weights, int64_t(16 * 64 + 64 * 16));  // q rows + attn_output columns
        for (const Option& o : head->options) {
            auto sc = quant::parseScheme(o.scheme);
            QCOMPARE(o.bytes, quant::encodedBytes(*sc, 16, 64) + quant::encodedBytes(*sc, 64, 16));
            QCOMPARE(o.damage, std::max(0.0, f.report.find("blk.1.head.3", "ow_err", o.scheme)->value));
        }
        // A 16-wide head slice cannot take 32-value blocks: F16 only.
        QCOMPARE(int(head->options.size()), 1);
        QVERIFY(!unitNamed(*h, "blk.1.attn_q.weight"));
        QVERIFY(unitNamed(*h, "blk.1.attn_k.weight"));

        s.granularity = Granularity::Layer;
        auto l = buildOptionTable(*f.model, f.report, s);
        QVERIFY(l.ok());
        QCOMPARE(int(l->units.size()), 2 + 2);
        const Unit* layer = unitNamed(*l, "blk.0");
        QVERIFY(layer);
        for (const Option& o : layer->options) {
            auto sc = quant::parseScheme(o.scheme);
            int64_t bytes = 0;
            for (const Tensor& x : f.model->tensors())
                if (x.name.rfind("blk.0.", 0) == 0 && x.shape.size() == 2)
                    bytes += quant::encodedBytes(*sc, x.rows(), x.cols());
            QCOMPARE(o.bytes, bytes);
        }
    }

    // The predicted KL of every option from the run's measured KL (option_builder.h).
    void klEstimate()
    {
        Fixture f = make(96);
        OptionTableSettings s;
        s.options = {"F16", "Q8_0", "Q4_0"};
        auto none = buildOptionTable(*f.model, f.report, s);
        QVERIFY(none.ok());
        for (const Unit& u : none->units)
            for (const Option& o : u.options) QVERIFY(!o.hasKl());  // the run measured no KL

        auto d = [&](const std::string& unit, const std::string& option) {
            return std::max(0.0, f.report.find(unit, "ow_err", option)->value);
        };
        const std::string q = "blk.0.attn_q.weight", k = "blk.0.attn_k.weight", v = "blk.0.attn_v.weight";
        f.report.values.push_back({q, sensitivity::UnitKind::Tensor, "measured_kl", "Q4_0", 0.004});
        f.report.values.push_back({k, sensitivity::UnitKind::Tensor, "measured_kl", "Q4_0", 0.006});
        const double rho = (0.004 + 0.006) / (d(q, "Q4_0") + d(k, "Q4_0"));
        s.damageScale = 3;  // the closed loop's factor does not touch the KL
        auto t = buildOptionTable(*f.model, f.report, s);
        QVERIFY(t.ok());
        auto kl = [&](const OptionTable& table, const std::string& unit, const std::string& option) {
            for (const Option& o : unitNamed(table, unit)->options)
                if (o.scheme == option) return o.kl;
            return -1.0;
        };
        QCOMPARE(kl(*t, q, "Q4_0"), 0.004);                                            // its own measurement
        QCOMPARE(kl(*t, q, "Q8_0"), 0.004 * d(q, "Q8_0") / d(q, "Q4_0"));              // scaled by its damage
        QCOMPARE(kl(*t, k, "F16"), 0.006 * d(k, "F16") / d(k, "Q4_0"));
        QCOMPARE(kl(*t, v, "Q8_0"), rho * d(v, "Q8_0"));                               // not measured: the run's ratio
        s.granularity = Granularity::Layer;
        auto l = buildOptionTable(*f.model, f.report, s);
        QVERIFY(l.ok());
        QCOMPARE(kl(*l, "blk.1", "Q4_0"), rho * std::max(0.0, f.report.find("blk.1", "ow_err", "Q4_0")->value));
    }

    // Without options the table offers what a GGUF file stores; RTN only when asked.
    void defaultOptionsAreGguf()
    {
        Fixture f = make(96);
        auto t = buildOptionTable(*f.model, f.report, {});
        QVERIFY(t.ok());
        for (const Unit& u : t->units)
            for (const Option& o : u.options) QVERIFY2(isGgufScheme(o.scheme), o.scheme.c_str());
        OptionTableSettings all;
        all.options = allAllocationOptions();
        auto withRtn = buildOptionTable(*f.model, f.report, all);
        QVERIFY(withRtn.ok());
        bool rtn = false;
        for (const Option& o : unitNamed(*withRtn, "blk.0.ffn_up.weight")->options) rtn = rtn || !isGgufScheme(o.scheme);
        QVERIFY(rtn);
        QVERIFY(isGgufScheme("Q4_K") && isGgufScheme("F16") && !isGgufScheme("RTN4g32") && !isGgufScheme("nonsense"));
    }

    // The rows and columns each unit stands for (what a plan of the allocation compresses).
    void unitSlicesOfEachGranularity()
    {
        Fixture f = make(96);
        auto tensor = unitSlices(*f.model, "blk.1.ffn_down.weight", Granularity::Tensor);
        QVERIFY(tensor.ok());
        QCOMPARE(tensor->size(), size_t(1));
        QCOMPARE((*tensor)[0].end, int64_t(64));
        auto layer = unitSlices(*f.model, "blk.1", Granularity::Layer);
        QVERIFY(layer.ok());
        QCOMPARE(layer->size(), size_t(7));  // q k v o gate up down
        for (const UnitSlice& x : *layer) QVERIFY(x.tensor.rfind("blk.1.", 0) == 0 && !x.columns && x.begin == 0);
        // Head 2 (head_dim 16): rows 32..48 of q, columns 32..48 of attn_output; k/v are shared (GQA).
        auto head = unitSlices(*f.model, "blk.0.head.2", Granularity::Head);
        QVERIFY(head.ok());
        QCOMPARE(head->size(), size_t(2));
        QCOMPARE((*head)[0].tensor, std::string("blk.0.attn_q.weight"));
        QVERIFY(!(*head)[0].columns && (*head)[0].begin == 32 && (*head)[0].end == 48);
        QCOMPARE((*head)[1].tensor, std::string("blk.0.attn_output.weight"));
        QVERIFY((*head)[1].columns && (*head)[1].begin == 32 && (*head)[1].end == 48);
        // At head granularity k stays a tensor unit; q is not one.
        QVERIFY(unitSlices(*f.model, "blk.0.attn_k.weight", Granularity::Head).ok());
        for (const auto& [unit, g, part] :
             std::vector<std::tuple<std::string, Granularity, std::string>>{
                 {"blk.0.attn_q.weight", Granularity::Head, "heads are the units"},
                 {"blk.0.attn_q.weight", Granularity::Layer, "layer is the unit"},
                 {"blk.2", Granularity::Layer, "2 layers"},
                 {"blk.0.head.4", Granularity::Head, "4 heads"},
                 {"blk.0", Granularity::Head, "a layer unit"},
                 {"blk.0.attn_norm.weight", Granularity::Tensor, "not a weight matrix"},
                 {"lm_head", Granularity::Tensor, "expected a tensor name"}}) {
            auto r = unitSlices(*f.model, unit, g);
            QVERIFY2(!r.ok(), unit.c_str());
            QVERIFY2(r.error().toString().find(part) != std::string::npos && r.error().toString().find(unit) != std::string::npos,
                     r.error().toString().c_str());
        }
    }

    void errorsAndCache()
    {
        Fixture f = make(96);
        OptionTableSettings s;
        s.options = {"Q4_X"};
        auto bad = buildOptionTable(*f.model, f.report, s);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.find("Q4_X") != std::string::npos);
        s.options = {"Q4_K"};  // the report has no damage for it: no unit has an option
        bad = buildOptionTable(*f.model, f.report, s);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().where.find("token_embd.weight") != std::string::npos);
        s = {};
        s.damageMetric = "vibes";
        QVERIFY(buildOptionTable(*f.model, f.report, s).error().message.find("vibes") != std::string::npos);
        // A report of another model does not fit.
        Fixture other = make(128);
        s = {};
        s.options = {"F16", "Q8_0"};
        auto mismatch = buildOptionTable(*other.model, f.report, s);
        QVERIFY(!mismatch.ok());
        QVERIFY(mismatch.error().message.find("another model") != std::string::npos);

        const std::string dir = test::scratchDir("option-builder");
        auto store = SessionStore::open(dir + "/s.sqlite");
        QVERIFY(store.ok());
        auto model = store->addModel("m.gguf", std::string(64, 'a'), "llama", 1, 1);
        auto session = store->createSession("s", *model);
        auto run = store->beginRun(*session, "{}");
        QVERIFY(run.ok());
        auto first = cachedOptionTable(*store, *session, *run, std::string(64, 'a'), *f.model, f.report, s);
        QVERIFY(first.ok());
        // Cached: a second call with the same inputs returns the stored table even
        // for another model object (the key is the file hash, not the object).
        auto second = cachedOptionTable(*store, *session, *run, std::string(64, 'a'), *other.model, f.report, s);
        QVERIFY(second.ok());
        QCOMPARE(optionTableToJson(*second), optionTableToJson(*first));
        s.damageScale = 2;  // other inputs: rebuilt
        auto third = cachedOptionTable(*store, *session, *run, std::string(64, 'a'), *f.model, f.report, s);
        QVERIFY(third.ok());
        QCOMPARE(third->units[2].options[0].damage, 2 * first->units[2].options[0].damage);
    }
};

QTEST_GUILESS_MAIN(TestOptionBuilder)
#include "tst_option_builder.moc"
