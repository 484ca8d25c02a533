// The session records of schema version 3 (core/session/session_*.h): the
// migration of a version-2 file holding what the studio and the CLI wrote
// until now (two shapes of compression records, budgets without option sets,
// totals whose "predicted_kl" was the damage), round trips of every record
// kind, errors that name the field, the totals' formula, the document state,
// the run ids an import maps, and relinking a session to a moved model file.
#include "common/sha256.h"
#include "session/session_allocations.h"
#include "session/session_calibration.h"
#include "session/session_compressions.h"
#include "session/session_schema.h"
#include "session/session_store.h"
#include "session_test_util.h"
#include "test_support.h"

#include <cmath>
#include <filesystem>

using namespace precis;
using namespace precis::test;

namespace {

// A version-2 database: the released migrations 1 and 2, then rows whose JSON
// is exactly what the code before version 3 wrote (app/compress_job.cpp's
// compressionSettingsJson/MetricsJson and views/budget_view.cpp's budget and
// totals for the studio; app/cli/cmd_compress.cpp and cmd_allocate.cpp for
// precis-cli; both calibration jobs' run settings).
void writeVersion2(const std::string& path)
{
    RawDb raw(path);
    QVERIFY(raw.exec(sessionMigrations()[0]));
    QVERIFY(raw.exec(sessionMigrations()[1]));
    QVERIFY(raw.exec(R"sql(
INSERT INTO models(path, sha256, architecture, parameters, file_size)
  VALUES('/models/sample.gguf', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'llama', 3313920, 13261000);
INSERT INTO sessions(name, model_id) VALUES('sample', 1);
INSERT INTO calibration_runs(session_id, settings_json, status, tokens) VALUES(1,
  '{"head_ablation":true,"length":256,"measure":true,"measure_sequences":8,"options":[],"probe_options":["Q4_K","Q4_0"],"seed":1,"sequences":32,"source":"/data/calib.txt"}',
  'done', 8192);
INSERT INTO calibration_runs(session_id, settings_json, status, tokens) VALUES(1,
  '{"batch_sequences":2,"full_gram_limit":4096,"head_ablation":false,"length":64,"measure":false,"measure_sequences":8,"options":["Q4_K"],"probe_options":["Q4_K","Q4_0"],"seed":3,"sequences":4,"source":"self-generated (seed 3)"}',
  'done', 256);
-- The studio's Save allocation… (QJsonDocument: keys sorted)
INSERT INTO allocations(session_id, name, budget_json, assignment_json, totals_json) VALUES(1, 'studio',
  '{"damage_scale":1.5,"kind":"ppl_percent","pinned":{"token_embd.weight":"Q8_0"},"value":1}',
  '{"token_embd.weight":"Q8_0","blk.0.attn_q.weight":"Q4_K"}',
  '{"bits_per_weight":3.25,"bytes":1330000,"compression_ratio":9.97,"feasible":true,"predicted_damage":0.0099,"predicted_kl":0.0099,"predicted_ppl_increase_percent":0.99}');
-- precis-cli allocate --save
INSERT INTO allocations(session_id, name, budget_json, assignment_json, totals_json) VALUES(1, 'cli',
  '{"granularity":"layer","kind":"bits_per_weight","metric":"fisher","run_id":1,"value":4.0}',
  '{"blk.0":"Q4_K","token_embd.weight":"Q6_K"}',
  '{"bits_per_weight":3.99,"bytes":1650000,"compression_ratio":8.0,"feasible":true,"predicted_damage":0.02,"predicted_kl":0.02,"predicted_ppl_increase_percent":2.02}');
-- The studio's Compress tab, from the allocation 'studio' (measured per tensor too)
INSERT INTO compressions(session_id, allocation_id, method, output_path, settings_json, metrics_json) VALUES(1, NULL,
  'gptq', '',
  '{"budget":{"damage_scale":1.5,"kind":"ppl_percent","pinned":{},"value":1.0},"calibration":{"length":128,"seed":1,"sequences":16,"text":"/data/calib.txt"},"eval":{"chunks":0,"ctx":256,"per_tensor":{"length":128,"seed":1,"sequences":8},"text":"/data/eval.txt"},"gptq":{"act_order":false,"damping":0.01},"method":"gptq","name":"budget +1 % gptq","plan_source":"allocation","recipe":{"format":"precis.recipe","tensors":{"blk.0.attn_q.weight":"Q4_K","output.weight":"Q6_K"},"version":1}}',
  '{"bits_per_weight":3.3,"bytes":1366000,"chunks":61,"ctx":256,"kl_max":0.9,"kl_mean":0.011,"kl_p99":0.08,"mean_nll_compressed":1.0562,"mean_nll_original":1.0466,"measured_ppl_increase_percent":0.964,"original_bits_per_weight":32.0,"original_bytes":13255680,"ppl_compressed":2.8755,"ppl_original":2.848,"ppl_ratio":1.00966,"predicted_ppl_increase_percent":1.2,"seconds":30.5,"tokens_scored":7808,"top1_agreement":0.94,"unit_damage_scale":1.5,"units":[{"measured_dloss":0.002,"measured_kl":0.003,"predicted_dloss":null,"scheme":"Q4_K","tensor":"blk.0.attn_q.weight"}],"unit_seconds":4.5,"weights":3313920}');
-- precis-cli compress --uniform Q4_K --eval-text
INSERT INTO compressions(session_id, allocation_id, method, output_path, settings_json, metrics_json) VALUES(1, NULL,
  'rtn', '/out/q4k.gguf',
  '{"plan":"uniform Q4_K","schemes":{"Q4_K":30}}',
  '{"bits_per_weight":4.519,"file_bytes":1890000,"kl_mean":0.004,"kl_p99":0.03,"ppl_compressed":2.857,"ppl_original":2.848,"ppl_ratio":1.00316,"tensor_bytes":1872000,"tokens_scored":7808,"top1_agreement":0.97}');
-- precis-cli compress --allocation cli (no evaluation text)
INSERT INTO compressions(session_id, allocation_id, method, output_path, settings_json, metrics_json) VALUES(1, 2,
  'rtn', '/out/cli.gguf',
  '{"plan":"allocation cli","schemes":{"Q4_K":7,"Q6_K":1}}',
  '{"bits_per_weight":3.99,"damage_scale":1.0,"file_bytes":1660000,"predicted_ppl_increase_percent":2.02,"tensor_bytes":1650000}');
PRAGMA user_version = 2;
)sql"));
}

OptionTable smallTable()
{
    OptionTable t;
    t.fixedBytes = 100;
    t.fixedWeights = 50;
    t.units = {{"a", "a", 0, "q", 1000, {{"Q8_0", 1100, 0.001, 0.002}, {"Q4_K", 600, 0.01, 0.015}}, -1},
               {"b", "b", 0, "k", 1000, {{"Q8_0", 1100, 0.002, 0.001}, {"Q2_K", 350, 0.05, 0.08}}, -1}};
    return t;
}

} // namespace

class TestSessionRecords : public QObject {
    Q_OBJECT

private slots:
    void migrationFromVersion2()
    {
        const std::string path = scratchDir("records-migrate") + "/v2.sqlite";
        writeVersion2(path);
        ASSIGN_OK(store, SessionStore::open(path));
        QCOMPARE(RawDb(path).integer("PRAGMA user_version"), int64_t(3));
        ASSIGN_OK(session, store.sessionByName("sample"));
        QVERIFY(session);
        const int64_t id = session->id;

        // Calibration runs: the text moves out of "source".
        ASSIGN_OK(runs, store.runs(id));
        QCOMPARE(runs.size(), size_t(2));
        ASSIGN_OK(studioRun, parseCalibrationSettings(runs[0]));
        QCOMPARE(studioRun.textPath, std::string("/data/calib.txt"));
        QCOMPARE(studioRun.sequences, 32);
        QCOMPARE(studioRun.settings.probeOptions, (std::vector<std::string>{"Q4_K", "Q4_0"}));
        ASSIGN_OK(cliRun, parseCalibrationSettings(runs[1]));
        QVERIFY(cliRun.textPath.empty());  // self-generated
        QCOMPARE(cliRun.seed, uint64_t(3));
        QCOMPARE(cliRun.settings.measure, false);
        QCOMPARE(cliRun.settings.options, std::vector<std::string>{"Q4_K"});
        // Recorded before sketches and row samples: every form exact, every row.
        QCOMPARE(cliRun.settings.damageSketch, 0);
        QCOMPARE(cliRun.settings.damageRows, 0);

        // Allocations: budgets made before option sets used Precis' whole list;
        // "predicted_kl" held the damage and is unknown now.
        ASSIGN_OK(allocations, loadAllocations(store, id));
        QCOMPARE(allocations.size(), size_t(2));
        const SavedAllocation& studio = allocations[0];
        QCOMPARE(studio.budget.kind, BudgetKind::PplPercent);
        QCOMPARE(studio.budget.value, 1.0);
        QCOMPARE(studio.budget.granularity, Granularity::Tensor);
        QCOMPARE(studio.budget.optionSet, OptionSet::All);
        QCOMPARE(studio.budget.damageScale, 1.5);
        QVERIFY(studio.budget.pinned == (std::vector<std::pair<std::string, std::string>>{{"token_embd.weight", "Q8_0"}}));
        QVERIFY(studio.assignment == (Assignment{{"token_embd.weight", "Q8_0"}, {"blk.0.attn_q.weight", "Q4_K"}}));
        QCOMPARE(studio.totals.bytes, int64_t(1330000));
        QVERIFY(!studio.totals.hasKl());
        const SavedAllocation& cli = allocations[1];
        QCOMPARE(cli.budget.kind, BudgetKind::BitsPerWeight);
        QCOMPARE(cli.budget.granularity, Granularity::Layer);
        QCOMPARE(cli.budget.metric, std::string("fisher"));
        QCOMPARE(cli.budget.runId, int64_t(1));
        QCOMPARE(cli.budget.optionSet, OptionSet::All);
        QVERIFY(!cli.totals.hasKl());

        // Compressions: one shape whoever wrote them.
        ASSIGN_OK(entries, loadCompressions(store, id));
        QCOMPARE(entries.size(), size_t(3));
        const CompressionEntry& g = entries[0];
        QCOMPARE(g.name, std::string("budget +1 % gptq"));
        QCOMPARE(g.planSource, PlanSource::Allocation);
        QCOMPARE(g.method.method, CompressionMethod::Gptq);
        QVERIFY(g.budget && g.budget->optionSet == OptionSet::All && g.budget->damageScale == 1.5);
        QCOMPARE(g.damageScale, 1.5);  // from the budget (the studio kept no "damage_scale" of its own)
        QCOMPARE(g.plan.tensors.size(), size_t(2));
        QCOMPARE(g.bytes, int64_t(1366000));
        QVERIFY(g.measured);
        QCOMPARE(g.measured->comparison.pplCompressed, 2.8755);
        QCOMPARE(g.measured->ctx, 256);
        QCOMPARE(g.measured->text, std::string("/data/eval.txt"));
        QCOMPARE(g.predictedPercent, 1.2);
        QCOMPARE(g.units.size(), size_t(1));
        QVERIFY(std::isnan(g.units[0].predictedDloss));
        QCOMPARE(g.unitOptions.sequences, 8);
        QVERIFY(g.calibration && g.calibration->sequences == 16 && g.calibration->text == "/data/calib.txt");

        const CompressionEntry& u = entries[1];
        QCOMPARE(u.name, std::string("uniform Q4_K"));
        QCOMPARE(u.planSource, PlanSource::Uniform);
        QCOMPARE(u.scheme, std::string("Q4_K"));
        QCOMPARE(u.bytes, int64_t(1872000));  // "tensor_bytes"
        QCOMPARE(u.fileBytes, int64_t(1890000));
        QVERIFY(u.plan.tensors.empty());
        QVERIFY(u.schemeCounts == (std::vector<std::pair<std::string, int>>{{"Q4_K", 30}}));
        QVERIFY(u.measured);
        QCOMPARE(u.measured->comparison.pplRatio(), 2.857 / 2.848);
        QCOMPARE(u.measured->comparison.meanNllCompressed, std::log(2.857));  // derived for old records
        QCOMPARE(u.damageScale, 1.0);
        QVERIFY(!u.hasPrediction());

        const CompressionEntry& c = entries[2];
        QCOMPARE(c.name, std::string("allocation cli"));
        QCOMPARE(c.allocationName, std::string("cli"));
        QCOMPARE(c.allocationId, std::optional<int64_t>(cli.id));
        QVERIFY(!c.measured);  // compressed without an evaluation text
        QCOMPARE(c.predictedPercent, 2.02);

        // The closed loop reads the migrated records: only measured ones with a prediction count.
        ASSIGN_OK(samples, closedLoopSamples(store, id));
        QCOMPARE(samples.size(), size_t(1));
        QCOMPARE(samples[0].compressionId, g.id);
        QCOMPARE(samples[0].predictedDamage, std::log1p(0.012) / 1.5);
        QCOMPARE(samples[0].measuredDamage, std::log(2.8755 / 2.848));
        VERIFY_OK(store.checkIntegrity(true));
    }

    // A run's settings as recorded and read back.
    void calibrationSettingsRoundTrip()
    {
        CalibrationRunSettings r;
        r.textPath = "/data/calib.txt";
        r.sequences = 8;
        r.length = 128;
        r.seed = 5;
        r.settings.damageSketch = 64;
        r.settings.damageRows = 777;
        r.settings.measureUnits = 9;
        r.settings.options = {"Q4_K", "Q8_0"};
        CalibrationRun run;
        run.settingsJson = calibrationSettingsJson(r, r.textPath);
        ASSIGN_OK(back, parseCalibrationSettings(run));
        QCOMPARE(back.textPath, r.textPath);
        QCOMPARE(back.sequences, 8);
        QCOMPARE(back.length, 128);
        QCOMPARE(back.seed, uint64_t(5));
        QCOMPARE(back.settings.damageSketch, 64);
        QCOMPARE(back.settings.damageRows, 777);
        QCOMPARE(back.settings.measureUnits, 9);
        QCOMPARE(back.settings.options, r.settings.options);
    }

    void budgetRoundTripAndErrors()
    {
        BudgetSpec b;
        b.kind = BudgetKind::Megabytes;
        b.value = 2.5;
        b.granularity = Granularity::Head;
        b.metric = "fisher";
        b.optionSet = OptionSet::Custom;
        b.options = {"Q8_0", "RTN4g64"};
        b.pinned = {{"z.weight", "Q8_0"}, {"a.weight", "RTN4g64"}};  // order kept, not sorted
        b.damageScale = 0.75;
        b.runId = 42;
        ASSIGN_OK(back, parseBudgetJson(budgetJson(b), "t"));
        QVERIFY(back == b);
        QCOMPARE(b.tableSettings().options, b.options);
        QCOMPARE(BudgetSpec{}.tableSettings().options, ggufAllocationOptions());
        BudgetSpec all;
        all.optionSet = OptionSet::All;
        QCOMPARE(all.optionNames(), allAllocationOptions());

        ERROR_TEXT(kind, parseBudgetJson(R"({"kind":"percent","value":1})", "alloc 3"));
        QVERIFY2(contains(kind, "alloc 3") && contains(kind, "budget.kind") && contains(kind, "ppl_percent"), kind.c_str());
        ERROR_TEXT(value, parseBudgetJson(R"({"kind":"ppl_percent","value":"1"})", "alloc 3"));
        QVERIFY2(contains(value, "budget.value") && contains(value, "found a string"), value.c_str());
        ERROR_TEXT(custom, parseBudgetJson(R"({"kind":"ppl_percent","value":1,"option_set":"custom"})", "a"));
        QVERIFY2(contains(custom, "budget.options"), custom.c_str());
        ERROR_TEXT(scale, parseBudgetJson(R"({"kind":"ppl_percent","value":1,"damage_scale":0})", "a"));
        QVERIFY2(contains(scale, "damage_scale") && contains(scale, "positive"), scale.c_str());
        ERROR_TEXT(text, parseBudgetJson("[1]", "a"));
        QVERIFY2(contains(text, "expected a JSON object"), text.c_str());
    }

    void totalsFormula()
    {
        const OptionTable t = smallTable();
        Allocation a;
        a.choice = {1, 0};
        a.bytes = 100 + 600 + 1100;
        a.damage = 0.01 + 0.002;
        a.bitsPerWeight = 8.0 * double(a.bytes) / 2050.0;
        const AllocationTotals totals = allocationTotals(t, a, 18000);
        QCOMPARE(totals.bytes, int64_t(1800));
        QCOMPARE(totals.predictedKl, 0.015 + 0.001);
        QCOMPARE(totals.predictedPplIncreasePercent, 100.0 * std::expm1(0.012));
        QCOMPARE(totals.compressionRatio, 10.0);
        ASSIGN_OK(back, parseTotalsJson(totalsJson(totals), "t"));
        QVERIFY(back == totals);

        OptionTable noKl = t;
        noKl.units[1].options[0].kl = std::numeric_limits<double>::quiet_NaN();
        const AllocationTotals unknown = allocationTotals(noKl, a, 0);
        QVERIFY(!unknown.hasKl());
        QCOMPARE(unknown.compressionRatio, 0.0);
        ASSIGN_OK(back2, parseTotalsJson(totalsJson(unknown), "t"));
        QVERIFY(!back2.hasKl());  // written as null
    }

    void pinsApplyByName()
    {
        OptionTable t = smallTable();
        const auto missing = applyPins(t, {{"b", "Q2_K"}, {"a", "Q5_K"}, {"c", "Q8_0"}});
        QCOMPARE(t.units[1].pinned, 1);
        QCOMPARE(t.units[0].pinned, -1);
        QCOMPARE(missing, (std::vector<std::string>{"a: Q5_K", "c: Q8_0"}));
        QVERIFY(tablePins(t) == (std::vector<std::pair<std::string, std::string>>{{"b", "Q2_K"}}));
    }

    void compressionRoundTripAndErrors()
    {
        const std::string path = scratchDir("records-compression") + "/s.sqlite";
        ASSIGN_OK(store, SessionStore::open(path));
        ASSIGN_OK(model, store.addModel("/m.gguf", sha256Hex("m"), "llama", 10, 20));
        ASSIGN_OK(session, store.createSession("s", model));
        BudgetSpec budget;
        budget.value = 2;
        ASSIGN_OK(allocation, saveAllocation(store, session, "two", budget, {{"x", "Q4_K"}}, AllocationTotals{}));
        CompressionEntry e;
        e.name = "two awq";
        e.planSource = PlanSource::Allocation;
        e.allocationId = allocation;
        e.allocationName = "two";
        e.budget = budget;
        e.method.method = CompressionMethod::Awq;
        e.method.awq.grid = 7;
        e.calibration = CompressionCalibration{"", true, 4, 32, 9, 0};
        e.plan.tensors = {{"x", "Q4_K"}, {"y", "Q8_0"}, {"z", "Q4_K"}};
        e.notes = {"a note"};
        e.outputPath = "/out/two.gguf";
        e.bytes = 1234;
        e.fileBytes = 1400;
        e.weights = 4000;
        e.bitsPerWeight = 2.468;
        e.measured = CompressionMeasurement{"/e.txt", 128, 4, {}};
        e.measured->comparison = {3.0, 3.3, std::log(3.0), std::log(3.3), 0.02, 0.2, 0.9, 0.91, 500, 4};
        e.predictedPercent = 8.5;
        e.damageScale = 1.25;
        e.units = {{{"x", "Q4_K", 0.01, 0.02}, 0.015}};
        e.unitOptions = {4, 64, 3};
        e.seconds = 2.5;
        ASSIGN_OK(id, recordCompression(store, session, e));
        ASSIGN_OK(list, loadCompressions(store, session));
        QCOMPARE(list.size(), size_t(1));
        const CompressionEntry& b = list[0];
        QCOMPARE(b.id, id);
        QCOMPARE(b.name, e.name);
        QCOMPARE(b.allocationId, e.allocationId);
        QCOMPARE(b.allocationName, e.allocationName);
        QVERIFY(b.budget == e.budget);
        QCOMPARE(b.method.method, CompressionMethod::Awq);
        QCOMPARE(b.method.awq.grid, 7);
        QVERIFY(b.calibration == e.calibration);
        QCOMPARE(b.plan.tensors.size(), size_t(3));
        QVERIFY(b.schemeCounts == (std::vector<std::pair<std::string, int>>{{"Q4_K", 2}, {"Q8_0", 1}}));
        QCOMPARE(b.notes, e.notes);
        QCOMPARE(b.outputPath, e.outputPath);
        QCOMPARE(b.fileBytes, int64_t(1400));
        QCOMPARE(b.measured->maxChunks, 4);
        QCOMPARE(b.measured->comparison.klMax, 0.9);
        QCOMPARE(b.measured->comparison.tokensScored, int64_t(500));
        QCOMPARE(b.predictedPercent, 8.5);
        QCOMPARE(b.damageScale, 1.25);
        QCOMPARE(b.units.size(), size_t(1));
        QCOMPARE(b.units[0].predictedDloss, 0.015);
        QCOMPARE(b.unitOptions.length, 64);
        QCOMPARE(b.seconds, 2.5);

        // A damaged record names itself and the field; loadCompressions can skip it.
        VERIFY_OK(store.addCompression({0, session, std::nullopt, "rtn", "", R"({"name":"bad"})",
                                        R"({"bytes":"many","bits_per_weight":4})", ""}));
        std::vector<Error> unreadable;
        ASSIGN_OK(some, loadCompressions(store, session, &unreadable));
        QCOMPARE(some.size(), size_t(1));
        QCOMPARE(unreadable.size(), size_t(1));
        const std::string message = unreadable[0].toString();
        QVERIFY2(contains(message, "s.sqlite") && contains(message, "compression") && contains(message, "metrics.bytes"),
                 message.c_str());
        ERROR_TEXT(strict, loadCompressions(store, session));
        QVERIFY(contains(strict, "metrics.bytes"));
    }

    void sessionStateAndImportMapsRuns()
    {
        const std::string dir = scratchDir("records-state");
        ASSIGN_OK(store, SessionStore::open(dir + "/a.sqlite"));
        ASSIGN_OK(model, store.addModel("/m.gguf", sha256Hex("m"), "llama", 10, 20));
        ASSIGN_OK(session, store.createSession("s", model));
        ASSIGN_OK(empty, loadSessionState(store, session));
        QVERIFY(!empty.budget);
        // Runs 1 and 2 exist in this file; the state and an allocation name run 2.
        ASSIGN_OK(run1, store.beginRun(session, "{}"));
        ASSIGN_OK(run2, store.beginRun(session, "{}"));
        Q_UNUSED(run1);
        BudgetSpec b;
        b.value = 3.5;
        b.granularity = Granularity::Layer;
        b.runId = run2;
        VERIFY_OK(saveSessionState(store, session, SessionState{b}));
        ASSIGN_OK(state, loadSessionState(store, session));
        QVERIFY(state.budget && *state.budget == b);
        VERIFY_OK(saveAllocation(store, session, "x", b, {}, AllocationTotals{}));
        VERIFY_OK(store.exportSession(session, dir + "/one.sqlite"));

        // The other database already has runs, so the imported ones get new ids.
        ASSIGN_OK(other, SessionStore::open(dir + "/b.sqlite"));
        ASSIGN_OK(otherModel, other.addModel("/o.gguf", sha256Hex("o"), "llama", 1, 2));
        ASSIGN_OK(otherSession, other.createSession("o", otherModel));
        for (int i = 0; i < 5; ++i) VERIFY_OK(other.beginRun(otherSession, "{}"));
        ASSIGN_OK(imported, other.importSession(dir + "/one.sqlite"));
        ASSIGN_OK(runs, other.runs(imported));
        QCOMPARE(runs.size(), size_t(2));
        ASSIGN_OK(importedState, loadSessionState(other, imported));
        QVERIFY(importedState.budget);
        QCOMPARE(importedState.budget->runId, runs[1].id);
        QCOMPARE(importedState.budget->value, 3.5);
        ASSIGN_OK(allocations, loadAllocations(other, imported));
        QCOMPARE(allocations.at(0).budget.runId, runs[1].id);
    }

    void relinkModel()
    {
        const std::string dir = scratchDir("records-relink");
        writeBytes(dir + "/model.gguf", "the model's bytes");
        writeBytes(dir + "/other.gguf", "other bytes, same len");
        ASSIGN_OK(store, SessionStore::open(dir + "/s.sqlite"));
        ASSIGN_OK(model, store.addModelFile(dir + "/model.gguf", "llama", 5));
        ASSIGN_OK(session, store.createSession("s", model));
        std::filesystem::create_directories(dir + "/moved");
        std::filesystem::rename(dir + "/model.gguf", dir + "/moved/model.gguf");
        ASSIGN_OK(check, store.checkModel(model));
        QVERIFY(!check.exists);
        ERROR_TEXT(wrong, store.relinkModel(session, dir + "/other.gguf"));
        QVERIFY2(contains(wrong, "other.gguf") && contains(wrong, "bytes"), wrong.c_str());
        VERIFY_OK(store.relinkModel(session, dir + "/moved/model.gguf"));
        ASSIGN_OK(info, store.session(session));
        QCOMPARE(info.model.path, dir + "/moved/model.gguf");
        ASSIGN_OK(moved, store.checkModel(info.model.id));
        QVERIFY(moved.exists && moved.sha256Matches);
        writeBytes(dir + "/same-size.gguf", "the model's bytez");  // same size, other content
        ERROR_TEXT(content, store.relinkModel(session, dir + "/same-size.gguf"));
        QVERIFY2(contains(content, "SHA-256"), content.c_str());
    }
};

QTEST_GUILESS_MAIN(TestSessionRecords)
#include "tst_session_records.moc"
