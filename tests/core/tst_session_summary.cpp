// A session read back whole (summarizeSession, sessionSummaryJson) and two
// sessions compared (compareSessions): on sessions filled by the record
// functions (a real calibration of a tiny generated model, a saved allocation,
// compressions with and without measurements, a benchmark, a budget state),
// the differences of two sessions that differ in known ways, the predicted
// frontier built from the model against the one read from the session's cached
// option table (also after export and import), and the reasons when there is none.
#include "allocation/option_builder.h"
#include "allocation/solver.h"
#include "formats/gguf.h"
#include "formats/model_loader.h"
#include "model/random_model.h"
#include "session/session_compare.h"
#include "session/session_summary.h"
#include "sensitivity/report_store.h"
#include "train/parameters.h"
#include "session_test_util.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace precis;
namespace fs = std::filesystem;

namespace {

struct Calibrated {
    int64_t sessionId = 0;
    int64_t runId = 0;
    sensitivity::SensitivityReport report;
};

CompressionEntry entry(const std::string& name, const std::string& scheme, int64_t bytes, double pplRatio)
{
    CompressionEntry e;
    e.name = name;
    e.planSource = PlanSource::Uniform;
    e.scheme = scheme;
    e.bytes = bytes;
    e.fileBytes = bytes + 1000;
    e.weights = 1000000;
    e.bitsPerWeight = 8.0 * double(bytes) / 1e6;
    e.originalBytes = 4000000;
    e.originalBitsPerWeight = 32;
    e.plan.tensors = {{"blk.0.attn_q.weight", scheme}, {"blk.0.ffn_down.weight", scheme}};
    if (pplRatio > 0) {
        CompressionMeasurement m;
        m.text = "eval.txt";
        m.ctx = 64;
        m.comparison.pplOriginal = 10.0;
        m.comparison.pplCompressed = 10.0 * pplRatio;
        m.comparison.meanNllOriginal = std::log(10.0);
        m.comparison.meanNllCompressed = std::log(10.0 * pplRatio);
        m.comparison.klMean = 0.01;
        m.comparison.klP99 = 0.05;
        m.comparison.klMax = 0.2;
        m.comparison.top1Agreement = 0.9;
        m.comparison.tokensScored = 500;
        m.comparison.chunks = 2;
        e.measured = m;
    }
    return e;
}

MachineInfo machine()
{
    MachineInfo m;
    m.cpu = "test CPU";
    m.logicalCores = 2;
    m.isa = "scalar";
    m.memoryBytes = 1 << 30;
    m.os = "Linux";
    m.device = "cpu";
    m.threads = 2;
    m.bandwidthGBs = {10, 9, 11};
    return m;
}

BenchResult benchOf(const std::string& path, double decode)
{
    BenchResult r;
    r.modelPath = path;
    r.weightTypes = "F32 100%";
    r.device = "cpu";
    r.threads = 2;
    r.prompt = 16;
    r.gen = 8;
    r.reps = 3;
    r.kv = "f32";
    r.fileBytes = 1000;
    r.weightBytes = 900;
    r.bytesPerToken = 900;
    r.prefillTokS = {200, 190, 210};
    r.decodeTokS = {decode, decode - 1, decode + 1};
    r.ttftMs = {5, 4, 6};
    r.bandwidthGBs = 10;
    r.ceilingTokS = 1000;
    return r;
}

const SessionDifference* row(const std::vector<SessionDifference>& rows, const std::string& key, int nth = 0)
{
    for (const SessionDifference& d : rows)
        if (d.key == key && nth-- == 0) return &d;
    return nullptr;
}

bool samePoints(const std::vector<Frontier::Point>& a, const std::vector<Frontier::Point>& b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].bytes != b[i].bytes || a[i].damage != b[i].damage) return false;
    return true;
}

} // namespace

class TestSessionSummary : public QObject {
    Q_OBJECT
    std::string m_dir, m_modelPath, m_textPath;
    std::shared_ptr<const Model> m_model;
    std::shared_ptr<const Tokenizer> m_tok;

    // A calibration of the tiny model in session `name` (created), N × T tokens.
    Calibrated calibrate(SessionStore& store, const std::string& name, uint64_t seed, int n, int t, bool measure)
    {
        Calibrated out;
        auto session = sessionForModel(store, *m_model, 0, name);
        if (!session.ok()) qFatal("%s", session.error().toString().c_str());
        out.sessionId = session->id;
        CalibrationRunSettings run;
        run.textPath = m_textPath;
        run.sequences = n;
        run.length = t;
        run.seed = seed;
        run.settings.options = {"F16", "Q8_0", "Q4_K", "Q2_K"};
        run.settings.probeOptions = {"Q4_K"};
        run.settings.headAblation = false;
        run.settings.measure = measure;
        run.settings.measureSequences = 1;
        auto set = calibrationSet(run, *m_model, *m_tok, nullptr);
        auto params = parametersFromModel(*m_model);
        if (!set.ok() || !params.ok()) qFatal("calibration set or parameters");
        StoredRun stored;
        auto calibrated = calibrateInSession(store, out.sessionId, *params, *set, run, nullptr, nullptr, {}, &stored);
        if (!calibrated.ok()) qFatal("%s", calibrated.error().toString().c_str());
        out.runId = stored.runId;
        out.report = calibrated->report;
        return out;
    }

    // The frontier of the run under `budget` as the Budget tab builds it (pins applied).
    std::vector<Frontier::Point> expectedFrontier(const Calibrated& c, const BudgetSpec& budget)
    {
        auto table = buildOptionTable(*m_model, c.report, budget.tableSettings());
        if (!table.ok()) qFatal("%s", table.error().toString().c_str());
        applyPins(*table, budget.pinned);
        auto frontier = buildFrontier(*table);
        if (!frontier.ok()) qFatal("%s", frontier.error().toString().c_str());
        return frontier->points();
    }

    // Session "alpha": calibration 2 × 16 seed 1 (measured), the table cached, a
    // saved allocation, compressions (measured 1.23 MB +5 %, unmeasured), a
    // benchmark of the original, a budget state of 4.5 bits/weight with one pin.
    Calibrated makeAlpha(SessionStore& store, AllocationTotals* totalsOut = nullptr)
    {
        Calibrated a = calibrate(store, "alpha", 1, 2, 16, true);
        auto info = store.session(a.sessionId);
        BudgetSpec budget;  // +1 %: the defaults
        budget.runId = a.runId;
        auto table = cachedOptionTable(store, a.sessionId, a.runId, info->model.sha256, *m_model, a.report,
                                       budget.tableSettings());
        if (!table.ok()) qFatal("%s", table.error().toString().c_str());
        auto frontier = buildFrontier(*table);
        const Allocation alloc = solveBudget(*frontier, budget);
        const AllocationTotals totals = allocationTotals(*table, alloc, int64_t(m_model->fileBytes));
        if (totalsOut) *totalsOut = totals;
        if (!saveAllocation(store, a.sessionId, "one", budget, allocationAssignment(*table, alloc), totals).ok())
            qFatal("saveAllocation");
        if (!recordCompression(store, a.sessionId, entry("Q4_K rtn", "Q4_K", 1234567, 1.05)).ok()) qFatal("record");
        if (!recordCompression(store, a.sessionId, entry("Q2_K rtn", "Q2_K", 800000, 0)).ok()) qFatal("record");
        if (!recordBenchmark(store, a.sessionId, machine(), benchOf(m_modelPath, 123.4)).ok()) qFatal("bench");
        SessionState state;
        state.budget = BudgetSpec{};
        state.budget->kind = BudgetKind::BitsPerWeight;
        state.budget->value = 4.5;
        state.budget->pinned = {{"output.weight", "Q8_0"}};
        state.budget->runId = a.runId;
        if (!saveSessionState(store, a.sessionId, state).ok()) qFatal("state");
        return a;
    }

private slots:
    void initTestCase()
    {
        m_dir = test::scratchDir("session-summary");
        ModelConfig c;
        c.arch = Arch::Llama;
        c.archName = "llama";
        c.nLayer = 2; c.nEmbd = 256; c.nHead = 4; c.nHeadKv = 2; c.nFf = 256; c.nVocab = 300; c.nCtx = 64;
        m_modelPath = m_dir + "/tiny.gguf";
        QVERIFY(gguf::writeModel(*makeRandomModel(c, 5, 0.05f), m_modelPath).ok());
        auto model = loadModel(m_modelPath);
        QVERIFY(model.ok());
        m_model = *model;
        auto tok = Tokenizer::create(m_model->tokenizer);
        QVERIFY(tok.ok());
        m_tok = *tok;
        m_textPath = std::string(PRECIS_SOURCE_DIR) + "/resources/sample/calib.txt";
    }

    void summaryOfRecordedSession()
    {
        ASSIGN_OK(store, SessionStore::open(m_dir + "/summary.sqlite"));
        AllocationTotals totals;
        const Calibrated a = makeAlpha(store, &totals);
        // A record no reader accepts (no "bytes"): kept out, its error listed.
        CompressionRecord broken;
        broken.sessionId = a.sessionId;
        broken.method = "rtn";
        broken.settingsJson = "{}";
        broken.metricsJson = "{\"bits_per_weight\": 4}";
        ASSIGN_OK(brokenId, store.addCompression(broken));

        ASSIGN_OK(s, summarizeSession(store, a.sessionId));
        QCOMPARE(s.info.name, std::string("alpha"));
        QCOMPARE(s.info.model.path, m_modelPath);
        QCOMPARE(s.runs.size(), size_t(1));
        QVERIFY(s.runs[0].settings.has_value());
        QCOMPARE(s.runs[0].settings->sequences, 2);
        QCOMPARE(s.runs[0].settings->length, 16);
        QCOMPARE(s.runs[0].settings->settings.probeOptions, std::vector<std::string>{"Q4_K"});
        QCOMPARE(s.runs[0].run.tokens, a.report.tokens);
        QVERIFY(s.runs[0].baselineLoss.has_value());
        QCOMPARE(*s.runs[0].baselineLoss, a.report.baselineLoss);
        QCOMPARE(s.latestFinishedRun()->run.id, a.runId);
        QCOMPARE(s.allocations.size(), size_t(1));
        QCOMPARE(s.allocations[0].name, std::string("one"));
        QCOMPARE(s.allocations[0].totals.bytes, totals.bytes);
        QCOMPARE(s.compressions.size(), size_t(2));
        QCOMPARE(s.compressions[0].bytes, int64_t(1234567));
        QVERIFY(s.compressions[0].measured.has_value());
        QVERIFY(!s.compressions[1].measured.has_value());
        QCOMPARE(s.measuredCount(), 1);
        QCOMPARE(s.benchmarks.size(), size_t(1));
        QCOMPARE(s.benchmarks[0].role, BenchRole::Original);
        QCOMPARE(s.latestOriginalBenchmark()->result.decodeTokS.median, 123.4);
        QVERIFY(s.state.budget.has_value());
        QCOMPARE(s.budget().kind, BudgetKind::BitsPerWeight);
        QCOMPARE(s.budget().pinned.size(), size_t(1));
        QCOMPARE(s.errors.size(), size_t(1));
        QVERIFY2(test::contains(s.errors[0].toString(), "compression " + std::to_string(brokenId)),
                 s.errors[0].toString().c_str());

        const auto j = nlohmann::json::parse(sessionSummaryJson(s));
        QCOMPARE(j["name"].get<std::string>(), std::string("alpha"));
        QCOMPARE(j["model"]["path"].get<std::string>(), m_modelPath);
        QCOMPARE(j["model"]["sha256"].get<std::string>(), s.info.model.sha256);
        QCOMPARE(j["model"]["parameters"].get<int64_t>(), int64_t(m_model->parameterCount()));
        QVERIFY(j.contains("created_at") && j.contains("updated_at"));
        QCOMPARE(j["budget_state"]["kind"].get<std::string>(), std::string("bits_per_weight"));
        QCOMPARE(j["budget_state"]["value"].get<double>(), 4.5);
        QCOMPARE(j["calibration_runs"].size(), size_t(1));
        QCOMPARE(j["calibration_runs"][0]["settings"]["sequences"].get<int>(), 2);
        QCOMPARE(j["calibration_runs"][0]["settings"]["length"].get<int>(), 16);
        QCOMPARE(j["calibration_runs"][0]["baseline_loss"].get<double>(), a.report.baselineLoss);
        QCOMPARE(j["allocations"][0]["totals"]["bytes"].get<int64_t>(), totals.bytes);
        QCOMPARE(j["compressions"].size(), size_t(2));
        const auto& c0 = j["compressions"][0];
        QCOMPARE(c0["bytes"].get<int64_t>(), int64_t(1234567));
        QCOMPARE(c0["file_bytes"].get<int64_t>(), int64_t(1235567));
        QCOMPARE(c0["measured"].get<bool>(), true);
        QCOMPARE(c0["ppl_original"].get<double>(), 10.0);
        QCOMPARE(c0["ppl_compressed"].get<double>(), 10.5);
        QVERIFY(std::abs(c0["ppl_ratio"].get<double>() - 1.05) < 1e-12);
        QCOMPARE(c0["kl_mean"].get<double>(), 0.01);
        QCOMPARE(c0["kl_p99"].get<double>(), 0.05);
        QCOMPARE(c0["top1_agreement"].get<double>(), 0.9);
        const auto& c1 = j["compressions"][1];
        QCOMPARE(c1["bytes"].get<int64_t>(), int64_t(800000));
        QCOMPARE(c1["measured"].get<bool>(), false);
        QVERIFY(!c1.contains("ppl_ratio"));
        QCOMPARE(j["benchmarks"][0]["decode_tok_s"].get<double>(), 123.4);
        QCOMPARE(j["benchmarks"][0]["role"].get<std::string>(), std::string("original"));
        QCOMPARE(j["errors"].size(), size_t(1));

        ERROR_TEXT(missing, summarizeSession(store, 999));
        QVERIFY2(test::contains(missing, "999"), missing.c_str());
    }

    void differencesOfTwoSessions()
    {
        ASSIGN_OK(store, SessionStore::open(m_dir + "/compare.sqlite"));
        const Calibrated a = makeAlpha(store);
        // "beta": another seed, shorter sequences, no measurement, default budget state,
        // one measured compression at 0.90 MB, +8 %.
        const Calibrated b = calibrate(store, "beta", 7, 2, 8, false);
        VERIFY_OK(recordCompression(store, b.sessionId, entry("Q2_K gptq", "Q2_K", 900000, 1.08)));

        Progress progress;
        ASSIGN_OK(c, compareSessions(store, a.sessionId, b.sessionId, nullptr, &progress));
        const auto& d = c.differences;
        auto check = [&](const std::string& key, const std::string& va, const std::string& vb) {
            const SessionDifference* r = row(d, key);
            QVERIFY2(r, key.c_str());
            QCOMPARE(r->a, va);
            QCOMPARE(r->b, vb);
            QCOMPARE(r->differs(), va != vb);
        };
        check("session", "alpha", "beta");
        check("model.path", m_modelPath, m_modelPath);
        check("model.sha256", c.a.summary.info.model.sha256, c.a.summary.info.model.sha256);
        check("model.parameters", std::to_string(m_model->parameterCount()), std::to_string(m_model->parameterCount()));
        check("model.check", "here, SHA-256 matches", "here, SHA-256 matches");
        check("runs.count", "1 (1 finished)", "1 (1 finished)");
        check("run.text", m_textPath, m_textPath);
        check("run.shape", "2 × 16", "2 × 8");
        check("run.seed", "1", "7");
        check("run.options", "F16, Q8_0, Q4_K, Q2_K", "F16, Q8_0, Q4_K, Q2_K");
        check("run.probes", "Q4_K", "Q4_K");
        check("run.measured", "yes, 1 sequences", "no");
        check("run.tokens", std::to_string(a.report.tokens), std::to_string(b.report.tokens));
        check("run.tokens", "32", "16");
        QVERIFY(row(d, "run.baseline_loss") && row(d, "run.baseline_loss")->differs());
        check("budget.state", "stored", "never set (defaults)");
        check("budget.kind", "bits_per_weight", "ppl_percent");
        check("budget.value", "4.5", "1");
        check("budget.granularity", "tensor", "tensor");
        check("budget.option_set", "gguf", "gguf");
        check("budget.pins", "1", "0");
        check("budget.damage_scale", "1", "1");
        check("count.allocations", "1", "0");
        check("count.compressions", "2 (1 measured)", "1 (1 measured)");
        check("count.benchmarks", "1", "0");
        check("best.lowest", "+5 % (Q4_K rtn, 1.23 MB)", "+8 % (Q2_K gptq, 0.90 MB)");
        // One row per measured size, smallest first.
        const SessionDifference* small = row(d, "best.at_size", 0);
        const SessionDifference* large = row(d, "best.at_size", 1);
        QVERIFY(small && large && !row(d, "best.at_size", 2));
        QCOMPARE(small->param, std::string("0.90 MB"));
        QCOMPARE(small->field, std::string("best measured at ≤ 0.90 MB"));
        QCOMPARE(small->a, std::string("—"));
        QCOMPARE(small->b, std::string("+8 % (Q2_K gptq, 0.90 MB)"));
        QCOMPARE(large->param, std::string("1.23 MB"));
        QCOMPARE(large->a, std::string("+5 % (Q4_K rtn, 1.23 MB)"));
        QCOMPARE(large->b, std::string("+8 % (Q2_K gptq, 0.90 MB)"));
        check("bench.decode", "123.4 (cpu, 2 threads)", "—");

        // Each frontier: the latest run's table under the session's own budget state, pins applied.
        QCOMPARE(c.a.frontier.source, FrontierSource::Model);
        QCOMPARE(c.b.frontier.source, FrontierSource::Model);
        QCOMPARE(c.a.frontier.runId, a.runId);
        QVERIFY(samePoints(c.a.frontier.points, expectedFrontier(a, c.a.summary.budget())));
        QVERIFY(samePoints(c.b.frontier.points, expectedFrontier(b, BudgetSpec{})));
        // The pin (output.weight at Q8_0) fixes that unit, so alpha's frontier differs from an unpinned one.
        QVERIFY(!samePoints(c.a.frontier.points, expectedFrontier(a, BudgetSpec{})));
        QCOMPARE(c.a.measured.size(), size_t(1));
        QCOMPARE(c.a.measured[0].name, std::string("Q4_K rtn"));
        QCOMPARE(c.a.measured[0].bytes, int64_t(1234567));
        QVERIFY(std::abs(c.a.measured[0].percent - 5.0) < 1e-9);
        QCOMPARE(c.b.measured[0].method, std::string("rtn"));

        const auto j = nlohmann::json::parse(sessionComparisonJson(c));
        QCOMPARE(j["a"]["frontier"]["points"].size(), c.a.frontier.points.size());
        QCOMPARE(j["a"]["frontier"]["source"].get<std::string>(), std::string("model"));
        QCOMPARE(j["b"]["measured"][0]["bytes"].get<int64_t>(), int64_t(900000));
        QCOMPARE(j["differences"].size(), d.size());

        // Cancelled before it starts: an error, not a half comparison.
        CancelToken cancel;
        cancel.cancel();
        auto cancelled = compareSessions(store, a.sessionId, b.sessionId, &cancel);
        QVERIFY(!cancelled.ok());
        QCOMPARE(cancelled.error().code, ErrorCode::Cancelled);
        QVERIFY(!compareSessions(store, a.sessionId, 999, nullptr).ok());
    }

    // From the model when it is there, from the cached table when it is not:
    // the same points; after export and import the cache still serves.
    void frontierFromModelAndFromCache()
    {
        const std::string db = m_dir + "/cache.sqlite";
        ASSIGN_OK(store, SessionStore::open(db));
        const Calibrated a = calibrate(store, "cached", 1, 2, 16, true);
        const Calibrated n = calibrate(store, "uncached", 2, 2, 16, false);
        ASSIGN_OK(info, store.session(a.sessionId));
        const BudgetSpec budget;
        VERIFY_OK(cachedOptionTable(store, a.sessionId, a.runId, info.model.sha256, *m_model, a.report,
                                    budget.tableSettings()));
        ASSIGN_OK(s, summarizeSession(store, a.sessionId));
        ASSIGN_OK(sn, summarizeSession(store, n.sessionId));
        ASSIGN_OK(fromModel, sessionFrontier(store, s));
        QCOMPARE(fromModel.source, FrontierSource::Model);
        QVERIFY(fromModel.points.size() > 2);
        QVERIFY(samePoints(fromModel.points, expectedFrontier(a, budget)));
        QCOMPARE(fromModel.units, int(buildOptionTable(*m_model, a.report, budget.tableSettings())->units.size()));
        VERIFY_OK(store.exportSession(a.sessionId, m_dir + "/cached.export.sqlite"));

        const std::string moved = m_modelPath + ".away";
        fs::rename(m_modelPath, moved);
        std::optional<ModelCheck> check;
        auto fromCache = sessionFrontier(store, s, nullptr, &check);
        auto none = sessionFrontier(store, sn);
        // The imported copy's cache keys name its new run ids.
        ASSIGN_OK(other, SessionStore::open(m_dir + "/imported.sqlite"));
        // A run there first, so that the imported run gets another id than it had.
        ASSIGN_OK(fillerModel, other.addModel("/x.gguf", std::string(64, 'a'), "llama", 1, 1));
        ASSIGN_OK(filler, other.createSession("filler", fillerModel));
        ASSIGN_OK(fillerRun, other.beginRun(filler, "{}"));
        VERIFY_OK(other.finishRun(fillerRun, RunStatus::Done, 1, 0.1));
        auto imported = other.importSession(m_dir + "/cached.export.sqlite");
        std::optional<Result<SessionFrontier>> fromImport;
        if (imported.ok()) {
            auto si = summarizeSession(other, *imported);
            if (si.ok()) fromImport = sessionFrontier(other, *si);
        }
        fs::rename(moved, m_modelPath);

        QVERIFY(fromCache.ok());
        QCOMPARE(fromCache->source, FrontierSource::CachedTable);
        QVERIFY(samePoints(fromCache->points, fromModel.points));
        QCOMPARE(fromCache->totalWeights, fromModel.totalWeights);
        QVERIFY2(test::contains(fromCache->reason, "is not there"), fromCache->reason.c_str());
        QVERIFY(check.has_value() && !check->exists);
        QVERIFY(none.ok());
        QCOMPARE(none->source, FrontierSource::None);
        QVERIFY(none->points.empty());
        QVERIFY2(test::contains(none->reason, "no cached option table"), none->reason.c_str());
        QVERIFY(imported.ok());
        QVERIFY(fromImport && fromImport->ok());
        QCOMPARE((*fromImport)->source, FrontierSource::CachedTable);
        QVERIFY((*fromImport)->runId != a.runId);
        QVERIFY(samePoints((*fromImport)->points, fromModel.points));

        // No finished run: no frontier, and it says so.
        ASSIGN_OK(bare, store.createSession("bare", info.model.id));
        ASSIGN_OK(sb, summarizeSession(store, bare));
        ASSIGN_OK(fb, sessionFrontier(store, sb));
        QVERIFY(fb.empty());
        QCOMPARE(fb.reason, std::string("no finished calibration run"));
    }
};

QTEST_GUILESS_MAIN(TestSessionSummary)
#include "tst_session_summary.moc"
