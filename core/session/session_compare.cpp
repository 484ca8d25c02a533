// Two sessions side by side: frontiers, measured compressions, differences.
#include "session/session_compare.h"

#include "allocation/option_builder.h"
#include "formats/model_loader.h"
#include "sensitivity/report_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

namespace precis {

const char* frontierSourceName(FrontierSource source)
{
    switch (source) {
    case FrontierSource::Model: return "model";
    case FrontierSource::CachedTable: return "cached_table";
    case FrontierSource::None: break;
    }
    return "none";
}

std::string sizeText(int64_t bytes)
{
    char text[48];
    if (bytes >= 1000000000) std::snprintf(text, sizeof text, "%.2f GB", double(bytes) / 1e9);
    else std::snprintf(text, sizeof text, "%.2f MB", double(bytes) / 1e6);
    return text;
}

std::string percentText(double percent)
{
    if (!std::isfinite(percent)) return "—";
    char text[48];
    if (std::abs(percent) >= 100) std::snprintf(text, sizeof text, "%+.0f %%", percent);
    else std::snprintf(text, sizeof text, "%+.3g %%", percent);
    return text;
}

namespace {

bool isCancelled(const Error& e) { return e.code == ErrorCode::Cancelled; }

Error cancelledError() { return makeError(ErrorCode::Cancelled, "session comparison", "cancelled"); }

// The option table of the run: from the model when it is here and unchanged
// (`modelNote` empty), else from the cache. Sets f.source, or f.reason when
// neither works.
Result<std::optional<OptionTable>> frontierTable(SessionStore& store, const SessionSummary& s, SessionFrontier& f,
                                                 std::string modelNote, const CancelToken* cancel)
{
    const ModelRecord& m = s.info.model;
    const OptionTableSettings settings = f.budget.tableSettings();
    if (modelNote.empty()) {
        auto model = loadModel(m.path);
        auto report = model.ok() ? sensitivity::loadReport(store, f.runId, false)
                                 : Result<sensitivity::SensitivityReport>(model.error());
        auto table = report.ok() ? buildOptionTable(**model, *report, settings) : Result<OptionTable>(report.error());
        if (table.ok()) {
            f.source = FrontierSource::Model;
            return std::optional<OptionTable>(std::move(table).value());
        }
        modelNote = table.error().toString();
    }
    if (cancel && cancel->cancelled()) return cancelledError();
    PRECIS_TRY_ASSIGN(auto cached, store.loadOptionTable(s.info.id, optionTableCacheKey(f.runId, m.sha256, settings)));
    if (cached) {
        auto table = parseOptionTable(*cached, store.path() + ": cached option table of run " + std::to_string(f.runId));
        if (table.ok()) {
            f.source = FrontierSource::CachedTable;
            f.reason = modelNote + "; from the session's cached option table";
            return std::optional<OptionTable>(std::move(table).value());
        }
        modelNote += "; the cached option table is unreadable (" + table.error().toString() + ")";
    } else {
        modelNote += "; the session has no cached option table for these settings (precis-cli allocate keeps one)";
    }
    f.reason = modelNote;
    return std::optional<OptionTable>();
}

} // namespace

Result<SessionFrontier> sessionFrontier(SessionStore& store, const SessionSummary& s, const CancelToken* cancel,
                                        std::optional<ModelCheck>* checkOut)
{
    SessionFrontier f;
    f.budget = s.budget();
    // The model is checked first: whether it is here is worth knowing without a run too.
    const ModelRecord& m = s.info.model;
    std::string modelNote;
    auto check = store.checkModel(m.id, cancel);
    if (!check.ok()) {
        if (isCancelled(check.error())) return check.error();
        modelNote = check.error().toString();
    } else {
        if (checkOut) *checkOut = *check;
        if (!check->exists) modelNote = "the model file " + m.path + " is not there";
        else if (check->changed()) modelNote = "the model file " + m.path + " has changed (SHA-256 differs)";
    }
    const SummaryRun* run = s.latestFinishedRun();
    if (!run) {
        f.reason = "no finished calibration run";
        return f;
    }
    f.runId = run->run.id;
    PRECIS_TRY_ASSIGN(auto table, frontierTable(store, s, f, modelNote, cancel));
    if (!table) return f;
    const std::vector<std::string> missing = applyPins(*table, f.budget.pinned);
    if (!missing.empty()) {
        std::string list;
        for (const std::string& p : missing) list += (list.empty() ? "" : ", ") + p;
        f.reason += std::string(f.reason.empty() ? "" : "; ") + "pins the table lacks: " + list;
    }
    auto frontier = buildFrontier(*table, {}, cancel);
    if (!frontier.ok()) {
        if (isCancelled(frontier.error())) return frontier.error();
        f.source = FrontierSource::None;
        f.reason = frontier.error().toString();
        return f;
    }
    f.points = frontier->points();
    f.totalWeights = totalWeights(*table);
    f.units = int(table->units.size());
    return f;
}

std::vector<MeasuredCompression> measuredCompressions(const SessionSummary& s)
{
    std::vector<MeasuredCompression> out;
    for (const CompressionEntry& c : s.compressions)
        if (c.measured)
            out.push_back({c.id, c.name, compressionMethodName(c.method.method), c.bytes, c.bitsPerWeight,
                           c.measured->percent()});
    return out;
}

// ---------------------------------------------------------------- differences

namespace {

const std::string kNone = "—";

std::string yesNo(bool v) { return v ? "yes" : "no"; }

std::string number(double v, const char* format = "%.4g")
{
    if (!std::isfinite(v)) return kNone;
    char text[64];
    std::snprintf(text, sizeof text, format, v);
    return text;
}

std::string joined(const std::vector<std::string>& items, const std::string& whenEmpty)
{
    if (items.empty()) return whenEmpty;
    std::string out;
    for (const std::string& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

std::string modelCheckName(const SessionSide& s)
{
    if (!s.modelCheck) return "unchecked";
    if (!s.modelCheck->exists) return "missing";
    return s.modelCheck->changed() ? "changed" : "matches";
}

std::string modelCheckText(const SessionSide& s)
{
    const std::string n = modelCheckName(s);
    if (n == "matches") return "here, SHA-256 matches";
    if (n == "changed") return "changed (SHA-256 differs)";
    if (n == "missing") return "missing";
    return "not checked";
}

std::string frontierText(const SessionFrontier& f)
{
    if (f.empty()) return "none: " + f.reason;
    std::string text = std::to_string(f.points.size()) + " points, " + sizeText(f.points.back().bytes) + " – " +
                       sizeText(f.points.front().bytes) + " (run " + std::to_string(f.runId) + ", " +
                       (f.source == FrontierSource::Model ? "from the model" : "from the cached option table") + ")";
    return text;
}

std::string compressionText(const MeasuredCompression& c)
{
    return percentText(c.percent) + " (" + c.name + ", " + sizeText(c.bytes) + ")";
}

// The least Δppl among the measured compressions of at most `maxBytes`.
std::string bestText(const std::vector<MeasuredCompression>& measured, int64_t maxBytes)
{
    const MeasuredCompression* best = nullptr;
    for (const MeasuredCompression& c : measured)
        if (c.bytes <= maxBytes && (!best || c.percent < best->percent)) best = &c;
    return best ? compressionText(*best) : kNone;
}

// The sizes of the rows "best measured at ≤ size": the measured sizes of both
// sessions, at most 5 of them spread from the smallest to the largest.
std::vector<int64_t> bestSizes(const SessionSide& a, const SessionSide& b)
{
    std::vector<int64_t> sizes;
    for (const SessionSide* s : {&a, &b})
        for (const MeasuredCompression& c : s->measured) sizes.push_back(c.bytes);
    std::sort(sizes.begin(), sizes.end());
    // Sizes that print alike are one row.
    sizes.erase(std::unique(sizes.begin(), sizes.end(),
                            [](int64_t x, int64_t y) { return sizeText(x) == sizeText(y); }),
                sizes.end());
    constexpr size_t kMax = 5;
    if (sizes.size() <= kMax) return sizes;
    std::vector<int64_t> spread;
    for (size_t i = 0; i < kMax; ++i) spread.push_back(sizes[(i * (sizes.size() - 1) + (kMax - 1) / 2) / (kMax - 1)]);
    spread.erase(std::unique(spread.begin(), spread.end()), spread.end());
    return spread;
}

} // namespace

std::vector<SessionDifference> sessionDifferences(const SessionSide& a, const SessionSide& b)
{
    std::vector<SessionDifference> rows;
    using Get = std::function<std::string(const SessionSide&)>;
    auto row = [&](const std::string& key, const std::string& field, const Get& get, const std::string& param = {}) {
        rows.push_back({key, field, param, get(a), get(b)});
    };
    // Rows about the latest finished run: "—" without one (or with unreadable settings).
    auto runRow = [&](const std::string& key, const std::string& field,
                      const std::function<std::string(const SummaryRun&, const CalibrationRunSettings&)>& get) {
        row(key, field, [&](const SessionSide& s) {
            const SummaryRun* r = s.summary.latestFinishedRun();
            return r && r->settings ? get(*r, *r->settings) : kNone;
        });
    };
    auto budgetRow = [&](const std::string& key, const std::string& field,
                         const std::function<std::string(const BudgetSpec&)>& get) {
        row(key, field, [&](const SessionSide& s) { return get(s.summary.budget()); });
    };

    row("session", "session", [](const SessionSide& s) { return s.summary.info.name; });
    row("model.path", "model file", [](const SessionSide& s) { return s.summary.info.model.path; });
    row("model.sha256", "model SHA-256", [](const SessionSide& s) { return s.summary.info.model.sha256; });
    row("model.architecture", "architecture", [](const SessionSide& s) { return s.summary.info.model.architecture; });
    row("model.parameters", "parameters",
        [](const SessionSide& s) { return std::to_string(s.summary.info.model.parameters); });
    row("model.file_bytes", "model file size", [](const SessionSide& s) { return sizeText(s.summary.info.model.fileSize); });
    row("model.check", "model file on this machine", modelCheckText);

    row("runs.count", "calibration runs", [](const SessionSide& s) {
        int done = 0;
        for (const SummaryRun& r : s.summary.runs) done += r.run.status == RunStatus::Done ? 1 : 0;
        return std::to_string(s.summary.runs.size()) + " (" + std::to_string(done) + " finished)";
    });
    runRow("run.text", "calibration text", [](const SummaryRun&, const CalibrationRunSettings& c) {
        return c.textPath.empty() ? std::string("self-generated") : c.textPath;
    });
    runRow("run.shape", "sequences × tokens", [](const SummaryRun&, const CalibrationRunSettings& c) {
        return std::to_string(c.sequences) + " × " + std::to_string(c.length);
    });
    runRow("run.seed", "seed", [](const SummaryRun&, const CalibrationRunSettings& c) { return std::to_string(c.seed); });
    runRow("run.options", "options", [](const SummaryRun&, const CalibrationRunSettings& c) {
        return joined(c.settings.options, "all standard schemes and RTN");
    });
    runRow("run.probes", "probe options", [](const SummaryRun&, const CalibrationRunSettings& c) {
        return joined(c.settings.probeOptions, kNone);
    });
    runRow("run.measured", "measured per unit", [](const SummaryRun&, const CalibrationRunSettings& c) {
        return c.settings.measure ? "yes, " + std::to_string(c.settings.measureSequences) + " sequences" : "no";
    });
    runRow("run.head_ablation", "head ablation",
           [](const SummaryRun&, const CalibrationRunSettings& c) { return yesNo(c.settings.headAblation); });
    runRow("run.tokens", "tokens", [](const SummaryRun& r, const CalibrationRunSettings&) { return std::to_string(r.run.tokens); });
    runRow("run.baseline_loss", "baseline loss (nats/token)", [](const SummaryRun& r, const CalibrationRunSettings&) {
        return r.baselineLoss ? number(*r.baselineLoss, "%.5f") : kNone;
    });

    row("budget.state", "budget state",
        [](const SessionSide& s) { return s.summary.state.budget ? "stored" : "never set (defaults)"; });
    budgetRow("budget.kind", "budget kind", [](const BudgetSpec& b) { return std::string(budgetKindName(b.kind)); });
    budgetRow("budget.value", "budget value", [](const BudgetSpec& b) { return number(b.value, "%g"); });
    budgetRow("budget.granularity", "granularity",
              [](const BudgetSpec& b) { return std::string(granularityName(b.granularity)); });
    budgetRow("budget.metric", "damage metric", [](const BudgetSpec& b) { return b.metric; });
    budgetRow("budget.option_set", "option set", [](const BudgetSpec& b) {
        const std::string name = optionSetName(b.optionSet);
        return b.optionSet == OptionSet::Custom ? name + ": " + joined(b.options, kNone) : name;
    });
    budgetRow("budget.pins", "pinned units", [](const BudgetSpec& b) { return std::to_string(b.pinned.size()); });
    budgetRow("budget.damage_scale", "damage scale", [](const BudgetSpec& b) { return number(b.damageScale, "%.4g"); });

    row("count.allocations", "saved allocations",
        [](const SessionSide& s) { return std::to_string(s.summary.allocations.size()); });
    row("count.compressions", "compressions", [](const SessionSide& s) {
        return std::to_string(s.summary.compressions.size()) + " (" + std::to_string(s.summary.measuredCount()) +
               " measured)";
    });
    row("count.benchmarks", "benchmarks", [](const SessionSide& s) { return std::to_string(s.summary.benchmarks.size()); });
    row("frontier", "predicted frontier", [](const SessionSide& s) { return frontierText(s.frontier); });

    row("best.lowest", "lowest measured Δppl", [](const SessionSide& s) {
        return bestText(s.measured, std::numeric_limits<int64_t>::max());
    });
    for (int64_t size : bestSizes(a, b))
        row("best.at_size", "best measured at ≤ " + sizeText(size),
            [size](const SessionSide& s) { return bestText(s.measured, size); }, sizeText(size));

    row("bench.decode", "decode tok/s of the original (latest benchmark)", [](const SessionSide& s) {
        const StoredBenchmark* bench = s.summary.latestOriginalBenchmark();
        if (!bench) return kNone;
        return number(bench->result.decodeTokS.median, "%.1f") + " (" + bench->result.device + ", " +
               std::to_string(bench->result.threads) + " threads)";
    });
    return rows;
}

// ---------------------------------------------------------------- the comparison

Result<SessionComparison> compareSessions(SessionStore& store, int64_t a, int64_t b, const CancelToken* cancel,
                                          Progress* progress)
{
    auto report = [&](double f, const std::string& stage) {
        if (progress) progress->report(f, stage);
    };
    SessionComparison c;
    report(0.0, "Reading the sessions");
    PRECIS_TRY_ASSIGN(c.a.summary, summarizeSession(store, a));
    PRECIS_TRY_ASSIGN(c.b.summary, summarizeSession(store, b));
    const std::pair<SessionSide*, double> sides[] = {{&c.a, 0.1}, {&c.b, 0.55}};
    for (auto [side, at] : sides) {
        if (cancel && cancel->cancelled()) return cancelledError();
        report(at, "Predicted frontier of '" + side->summary.info.name + "'");
        PRECIS_TRY_ASSIGN(side->frontier, sessionFrontier(store, side->summary, cancel, &side->modelCheck));
        side->measured = measuredCompressions(side->summary);
    }
    c.differences = sessionDifferences(c.a, c.b);
    report(1.0, "Compared");
    return c;
}

std::string sessionComparisonJson(const SessionComparison& c, int indent)
{
    using Json = nlohmann::ordered_json;
    auto side = [](const SessionSide& s) {
        Json j;
        j["id"] = s.summary.info.id;
        j["name"] = s.summary.info.name;
        j["model_check"] = modelCheckName(s);
        const SessionFrontier& f = s.frontier;
        Json points = Json::array();
        for (const Frontier::Point& p : f.points)
            points.push_back({{"bytes", p.bytes},
                              {"bits_per_weight", f.totalWeights > 0 ? 8.0 * double(p.bytes) / double(f.totalWeights) : 0.0},
                              {"damage", p.damage},
                              {"ppl_increase_percent", perplexityIncreaseForDamage(p.damage)}});
        j["frontier"] = {{"source", frontierSourceName(f.source)},
                         {"reason", f.reason},
                         {"run_id", f.runId},
                         {"units", f.units},
                         {"total_weights", f.totalWeights},
                         {"points", std::move(points)}};
        Json measured = Json::array();
        for (const MeasuredCompression& m : s.measured)
            measured.push_back({{"id", m.id},
                                {"name", m.name},
                                {"method", m.method},
                                {"bytes", m.bytes},
                                {"bits_per_weight", m.bitsPerWeight},
                                {"measured_ppl_increase_percent", m.percent}});
        j["measured"] = std::move(measured);
        return j;
    };
    Json j;
    j["a"] = side(c.a);
    j["b"] = side(c.b);
    Json rows = Json::array();
    for (const SessionDifference& d : c.differences)
        rows.push_back({{"key", d.key}, {"field", d.field}, {"param", d.param}, {"a", d.a}, {"b", d.b}, {"differs", d.differs()}});
    j["differences"] = std::move(rows);
    return j.dump(indent);
}

} // namespace precis
