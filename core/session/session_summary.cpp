// A session read back whole, and its JSON.
#include "session/session_summary.h"

#include "session/record_json.h"

#include "sensitivity/report_store.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace precis {

using Json = nlohmann::ordered_json;

namespace {

// A number that may be NaN or infinite, written as null.
Json numberOrNull(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

} // namespace

const SummaryRun* SessionSummary::latestFinishedRun() const
{
    for (auto it = runs.rbegin(); it != runs.rend(); ++it)
        if (it->run.status == RunStatus::Done) return &*it;
    return nullptr;
}

const StoredBenchmark* SessionSummary::latestOriginalBenchmark() const
{
    for (auto it = benchmarks.rbegin(); it != benchmarks.rend(); ++it)
        if (it->role == BenchRole::Original) return &*it;
    return nullptr;
}

int SessionSummary::measuredCount() const
{
    int n = 0;
    for (const CompressionEntry& c : compressions) n += c.measured ? 1 : 0;
    return n;
}

Result<SessionSummary> summarizeSession(SessionStore& store, int64_t sessionId)
{
    SessionSummary s;
    PRECIS_TRY_ASSIGN(s.info, store.session(sessionId));
    PRECIS_TRY_ASSIGN(const auto runs, store.runs(sessionId));
    for (const CalibrationRun& run : runs) {
        SummaryRun r;
        r.run = run;
        if (auto settings = parseCalibrationSettings(run); settings.ok()) {
            r.settings = std::move(settings).value();
        } else {
            Error e = settings.error();
            e.where = store.path() + ": " + e.where;
            s.errors.push_back(std::move(e));
        }
        if (auto report = sensitivity::loadReportSummary(store, run.id); report.ok()) {
            if (*report) r.baselineLoss = (*report)->baselineLoss;
        } else {
            s.errors.push_back(report.error());
        }
        s.runs.push_back(std::move(r));
    }
    PRECIS_TRY_ASSIGN(s.allocations, loadAllocations(store, sessionId, &s.errors));
    PRECIS_TRY_ASSIGN(s.compressions, loadCompressions(store, sessionId, &s.errors));
    PRECIS_TRY_ASSIGN(s.benchmarks, loadBenchmarks(store, sessionId, &s.errors));
    if (auto state = loadSessionState(store, sessionId); state.ok()) s.state = std::move(state).value();
    else s.errors.push_back(state.error());
    return s;
}

namespace {

Json budgetObject(const BudgetSpec& b) { return Json::parse(budgetJson(b)); }

Json runJson(const SummaryRun& r)
{
    Json j;
    j["id"] = r.run.id;
    j["status"] = std::string(runStatusName(r.run.status));
    j["started_at"] = r.run.startedAt;
    j["finished_at"] = r.run.finishedAt;
    j["tokens"] = r.run.tokens;
    j["seconds"] = r.run.wallSeconds;
    j["baseline_loss"] = r.baselineLoss ? numberOrNull(*r.baselineLoss) : Json(nullptr);
    if (r.settings) {
        const CalibrationRunSettings& c = *r.settings;
        const sensitivity::CalibrationSettings& s = c.settings;
        j["settings"] = {{"text", c.textPath},
                         {"self_generated", c.textPath.empty()},
                         {"sequences", c.sequences},
                         {"length", c.length},
                         {"seed", c.seed},
                         {"options", s.options},
                         {"probe_options", s.probeOptions},
                         {"measure", s.measure},
                         {"head_ablation", s.headAblation},
                         {"measure_sequences", s.measureSequences},
                         {"batch_sequences", s.batchSequences},
                         {"full_gram_limit", s.fullGramLimit},
                         {"damage_sketch", s.damageSketch},
                         {"damage_rows", s.damageRows},
                         {"measure_units", s.measureUnits}};
    } else {
        j["settings"] = nullptr;
    }
    return j;
}

Json allocationJson(const SavedAllocation& a)
{
    Json j;
    j["id"] = a.id;
    j["name"] = a.name;
    j["created_at"] = a.createdAt;
    j["budget"] = budgetObject(a.budget);
    j["budget_text"] = budgetText(a.budget);
    j["units"] = a.assignment.size();
    j["totals"] = Json::parse(totalsJson(a.totals));
    return j;
}

Json compressionJson(const CompressionEntry& c)
{
    Json j;
    j["id"] = c.id;
    j["name"] = c.name;
    j["method"] = compressionMethodName(c.method.method);
    j["plan_source"] = planSourceName(c.planSource);
    j["scheme"] = c.scheme;
    j["allocation"] = c.allocationName;
    j["allocation_id"] = c.allocationId ? Json(*c.allocationId) : Json(nullptr);
    j["created_at"] = c.createdAt;
    j["output"] = c.outputPath;
    j["bytes"] = c.bytes;
    j["file_bytes"] = c.fileBytes;
    j["weights"] = c.weights;
    j["bits_per_weight"] = c.bitsPerWeight;
    j["original_bytes"] = c.originalBytes;
    j["predicted_ppl_increase_percent"] = numberOrNull(c.predictedPercent);
    j["measured"] = c.measured.has_value();
    if (c.measured) {
        session_detail::writeMeasurement(j, *c.measured);
        j["eval_text"] = c.measured->text;
    }
    return j;
}

Json benchmarkJson(const StoredBenchmark& b)
{
    const BenchResult& r = b.result;
    Json j;
    j["id"] = b.id;
    j["created_at"] = b.createdAt;
    j["role"] = benchRoleName(b.role);
    j["label"] = b.label;
    j["compression_id"] = b.compressionId ? Json(*b.compressionId) : Json(nullptr);
    j["model"] = r.modelPath;
    j["device"] = r.device;
    j["threads"] = r.threads;
    j["prompt"] = r.prompt;
    j["gen"] = r.gen;
    j["reps"] = r.reps;
    j["kv"] = r.kv;
    j["prefill_tok_s"] = r.prefillTokS.median;
    j["decode_tok_s"] = r.decodeTokS.median;
    j["ttft_ms"] = r.ttftMs.median;
    j["peak_memory_bytes"] = r.peakMemoryBytes;
    j["file_bytes"] = r.fileBytes;
    j["bandwidth_gb_s"] = r.bandwidthGBs;
    j["ceiling_fraction"] = r.ceilingFraction();
    return j;
}

} // namespace

std::string sessionSummaryJson(const SessionSummary& s, int indent)
{
    const SessionInfo& i = s.info;
    Json j;
    j["id"] = i.id;
    j["name"] = i.name;
    j["notes"] = i.notes;
    j["created_at"] = i.createdAt;
    j["updated_at"] = i.updatedAt;
    j["model"] = {{"path", i.model.path},
                  {"sha256", i.model.sha256},
                  {"architecture", i.model.architecture},
                  {"parameters", i.model.parameters},
                  {"file_bytes", i.model.fileSize}};
    j["budget_state"] = s.state.budget ? budgetObject(*s.state.budget) : Json(nullptr);
    j["calibration_runs"] = Json::array();
    for (const SummaryRun& r : s.runs) j["calibration_runs"].push_back(runJson(r));
    j["allocations"] = Json::array();
    for (const SavedAllocation& a : s.allocations) j["allocations"].push_back(allocationJson(a));
    j["compressions"] = Json::array();
    for (const CompressionEntry& c : s.compressions) j["compressions"].push_back(compressionJson(c));
    j["benchmarks"] = Json::array();
    for (const StoredBenchmark& b : s.benchmarks) j["benchmarks"].push_back(benchmarkJson(b));
    j["errors"] = Json::array();
    for (const Error& e : s.errors) j["errors"].push_back(e.toString());
    return j.dump(indent);
}

} // namespace precis
