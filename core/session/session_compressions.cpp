#include "session/session_compressions.h"

#include "session/record_json.h"

#include <algorithm>
#include <map>

namespace precis {

using session_detail::JsonObject;
using session_detail::numberOrNull;

const char* planSourceName(PlanSource source)
{
    switch (source) {
    case PlanSource::Allocation: return "allocation";
    case PlanSource::Uniform: return "uniform";
    case PlanSource::Recipe: return "recipe";
    }
    return "recipe";
}

namespace {

Result<PlanSource> parsePlanSource(const std::string& name)
{
    for (PlanSource s : {PlanSource::Allocation, PlanSource::Uniform, PlanSource::Recipe})
        if (name == planSourceName(s)) return s;
    return makeError(ErrorCode::InvalidArgument, "plan source", name);
}

std::vector<std::pair<std::string, int>> countSchemes(const CompressionPlan& plan)
{
    std::vector<std::pair<std::string, int>> counts;
    for (const TensorAssignment& a : plan.tensors) {
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& p) { return p.first == assignmentLabel(a); });
        if (it == counts.end()) counts.emplace_back(assignmentLabel(a), 1);
        else ++it->second;
    }
    return counts;
}

Result<std::vector<UnitDamageRecord>> parseUnits(const nlohmann::json& units, const JsonObject& metrics)
{
    if (!units.is_array()) return metrics.error("units", "an array");
    std::vector<UnitDamageRecord> out;
    for (size_t i = 0; i < units.size(); ++i) {
        const std::string field = "units[" + std::to_string(i) + "]";
        if (!units[i].is_object()) return metrics.error(field, "an object");
        const JsonObject u(units[i], metrics.where(), "metrics." + field + ".");
        UnitDamageRecord r;
        PRECIS_TRY_ASSIGN(r.measured.tensor, u.string("tensor"));
        PRECIS_TRY_ASSIGN(r.measured.scheme, u.string("scheme"));
        const double nan = std::numeric_limits<double>::quiet_NaN();
        PRECIS_TRY_ASSIGN(r.measured.measuredDloss, u.number("measured_dloss", nan));
        PRECIS_TRY_ASSIGN(r.measured.measuredKl, u.number("measured_kl", nan));
        PRECIS_TRY_ASSIGN(r.predictedDloss, u.number("predicted_dloss", nan));
        out.push_back(std::move(r));
    }
    return out;
}

Result<void> parseSettings(const JsonObject& s, CompressionEntry& e)
{
    PRECIS_TRY_ASSIGN(e.name, s.string("name", std::string()));
    PRECIS_TRY_ASSIGN(const std::string source, s.string("plan_source", "recipe"));
    auto ps = parsePlanSource(source);
    if (!ps) return s.error("plan_source", "allocation, uniform or recipe");
    e.planSource = *ps;
    PRECIS_TRY_ASSIGN(e.scheme, s.string("scheme", std::string()));
    PRECIS_TRY_ASSIGN(e.allocationName, s.string("allocation", std::string()));
    if (s.has("budget")) {
        PRECIS_TRY_ASSIGN(e.budget, parseBudgetJson(s.json()["budget"].dump(), s.where()));
    }
    if (s.has("method")) {
        PRECIS_TRY_ASSIGN(const std::string method, s.string("method"));
        auto m = parseCompressionMethod(method);
        if (!m) return s.error("method", "rtn, gptq or awq");
        e.method.method = *m;
    }
    PRECIS_TRY_ASSIGN(const auto gptq, s.optionalObject("gptq"));
    if (gptq) {
        PRECIS_TRY_ASSIGN(e.method.gptq.damping, gptq->number("damping", e.method.gptq.damping));
        PRECIS_TRY_ASSIGN(e.method.gptq.actOrder, gptq->boolean("act_order", e.method.gptq.actOrder));
    }
    PRECIS_TRY_ASSIGN(const auto awq, s.optionalObject("awq"));
    if (awq) {
        PRECIS_TRY_ASSIGN(const int64_t grid, awq->integer("grid", e.method.awq.grid));
        e.method.awq.grid = int(grid);
    }
    PRECIS_TRY_ASSIGN(const auto calibration, s.optionalObject("calibration"));
    PRECIS_TRY_ASSIGN(const int64_t importanceRun, s.integer("importance_from_run", 0));
    if (calibration || importanceRun > 0) {
        CompressionCalibration c;
        c.importanceRun = importanceRun;
        if (calibration) {
            PRECIS_TRY_ASSIGN(c.text, calibration->string("text", std::string()));
            PRECIS_TRY_ASSIGN(c.selfGenerated, calibration->boolean("self_generated", false));
            PRECIS_TRY_ASSIGN(const int64_t n, calibration->integer("sequences", 0));
            PRECIS_TRY_ASSIGN(const int64_t t, calibration->integer("length", 0));
            PRECIS_TRY_ASSIGN(const int64_t seed, calibration->integer("seed", 1));
            c.sequences = int(n);
            c.length = int(t);
            c.seed = uint64_t(seed);
        }
        e.calibration = c;
    }
    if (s.has("recipe")) {
        PRECIS_TRY_ASSIGN(e.plan, parseRecipeJson(s.json()["recipe"].dump(), s.where() + ": field 'settings.recipe'"));
        e.schemeCounts = countSchemes(e.plan);
    } else if (s.has("schemes") && s.json()["schemes"].is_object()) {
        // Records written before plans were kept hold only the counts.
        const auto ordered = nlohmann::ordered_json::parse(s.json()["schemes"].dump());
        for (auto it = ordered.begin(); it != ordered.end(); ++it)
            if (it.value().is_number_integer()) e.schemeCounts.emplace_back(it.key(), it.value().get<int>());
    }
    if (s.has("notes") && s.json()["notes"].is_array())
        for (const auto& n : s.json()["notes"])
            if (n.is_string()) e.notes.push_back(n.get<std::string>());
    return {};
}

Result<void> parseMetrics(const JsonObject& m, const JsonObject& s, CompressionEntry& e)
{
    PRECIS_TRY_ASSIGN(e.bytes, m.integer("bytes"));
    PRECIS_TRY_ASSIGN(e.fileBytes, m.integer("file_bytes", 0));
    PRECIS_TRY_ASSIGN(e.weights, m.integer("weights", 0));
    PRECIS_TRY_ASSIGN(e.bitsPerWeight, m.number("bits_per_weight"));
    PRECIS_TRY_ASSIGN(e.originalBytes, m.integer("original_bytes", 0));
    PRECIS_TRY_ASSIGN(e.originalBitsPerWeight, m.number("original_bits_per_weight", 0.0));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    PRECIS_TRY_ASSIGN(e.predictedPercent, m.number("predicted_ppl_increase_percent", nan));
    PRECIS_TRY_ASSIGN(e.damageScale, m.number("damage_scale", 1.0));
    if (!(e.damageScale > 0) || !std::isfinite(e.damageScale)) return m.error("damage_scale", "a positive number");
    PRECIS_TRY_ASSIGN(e.seconds, m.number("seconds", 0.0));
    if (m.has("ppl_original") || m.has("ppl_compressed")) {
        CompressionMeasurement meas;
        ComparisonResult& c = meas.comparison;
        PRECIS_TRY_ASSIGN(c.pplOriginal, m.number("ppl_original"));
        PRECIS_TRY_ASSIGN(c.pplCompressed, m.number("ppl_compressed"));
        PRECIS_TRY_ASSIGN(c.klMean, m.number("kl_mean"));
        PRECIS_TRY_ASSIGN(c.klP99, m.number("kl_p99"));
        PRECIS_TRY_ASSIGN(c.top1Agreement, m.number("top1_agreement"));
        // Older records lack these.
        PRECIS_TRY_ASSIGN(c.meanNllOriginal, m.number("mean_nll_original", std::log(c.pplOriginal)));
        PRECIS_TRY_ASSIGN(c.meanNllCompressed, m.number("mean_nll_compressed", std::log(c.pplCompressed)));
        PRECIS_TRY_ASSIGN(c.klMax, m.number("kl_max", c.klP99));
        PRECIS_TRY_ASSIGN(c.tokensScored, m.integer("tokens_scored", 0));
        PRECIS_TRY_ASSIGN(const int64_t chunks, m.integer("chunks", 0));
        c.chunks = int(chunks);
        PRECIS_TRY_ASSIGN(const int64_t ctx, m.integer("ctx", 0));
        meas.ctx = int(ctx);
        PRECIS_TRY_ASSIGN(const auto eval, s.optionalObject("eval"));
        if (eval) {
            PRECIS_TRY_ASSIGN(meas.text, eval->string("text", std::string()));
            PRECIS_TRY_ASSIGN(const int64_t maxChunks, eval->integer("chunks", 0));
            meas.maxChunks = int(maxChunks);
            if (meas.ctx == 0) {
                PRECIS_TRY_ASSIGN(const int64_t evalCtx, eval->integer("ctx", 0));
                meas.ctx = int(evalCtx);
            }
        }
        e.measured = std::move(meas);
    }
    if (m.has("units")) {
        PRECIS_TRY_ASSIGN(e.units, parseUnits(m.json()["units"], m));
        PRECIS_TRY_ASSIGN(e.unitSeconds, m.number("unit_seconds", 0.0));
        PRECIS_TRY_ASSIGN(const auto eval, s.optionalObject("eval"));
        if (eval) {
            PRECIS_TRY_ASSIGN(const auto perTensor, eval->optionalObject("per_tensor"));
            if (perTensor) {
                PRECIS_TRY_ASSIGN(const int64_t n, perTensor->integer("sequences", e.unitOptions.sequences));
                PRECIS_TRY_ASSIGN(const int64_t t, perTensor->integer("length", e.unitOptions.length));
                PRECIS_TRY_ASSIGN(const int64_t seed, perTensor->integer("seed", int64_t(e.unitOptions.seed)));
                e.unitOptions = {int(n), int(t), uint64_t(seed)};
            }
        }
    }
    return {};
}

} // namespace

void session_detail::writeMeasurement(nlohmann::ordered_json& j, const CompressionMeasurement& m)
{
    const ComparisonResult& c = m.comparison;
    j["ppl_original"] = c.pplOriginal;
    j["ppl_compressed"] = c.pplCompressed;
    j["ppl_ratio"] = c.pplRatio();
    j["mean_nll_original"] = c.meanNllOriginal;
    j["mean_nll_compressed"] = c.meanNllCompressed;
    j["kl_mean"] = c.klMean;
    j["kl_p99"] = c.klP99;
    j["kl_max"] = c.klMax;
    j["top1_agreement"] = c.top1Agreement;
    j["tokens_scored"] = c.tokensScored;
    j["chunks"] = c.chunks;
    j["ctx"] = m.ctx;
    j["measured_ppl_increase_percent"] = m.percent();
}

std::string compressionSettingsJson(const CompressionEntry& e)
{
    nlohmann::ordered_json j;
    j["name"] = e.name;
    j["plan_source"] = planSourceName(e.planSource);
    if (!e.scheme.empty()) j["scheme"] = e.scheme;
    if (!e.allocationName.empty()) j["allocation"] = e.allocationName;
    if (e.budget) j["budget"] = nlohmann::ordered_json::parse(budgetJson(*e.budget));
    j["method"] = compressionMethodName(e.method.method);
    if (e.method.method == CompressionMethod::Gptq)
        j["gptq"] = {{"damping", e.method.gptq.damping}, {"act_order", e.method.gptq.actOrder}};
    if (e.method.method == CompressionMethod::Awq) j["awq"] = {{"grid", e.method.awq.grid}};
    if (e.calibration) {
        const CompressionCalibration& c = *e.calibration;
        if (c.importanceRun > 0) j["importance_from_run"] = c.importanceRun;
        if (c.sequences > 0)
            j["calibration"] = {{"text", c.text},
                                {"self_generated", c.selfGenerated},
                                {"sequences", c.sequences},
                                {"length", c.length},
                                {"seed", c.seed}};
    }
    if (e.measured) {
        j["eval"] = {{"text", e.measured->text}, {"ctx", e.measured->ctx}, {"chunks", e.measured->maxChunks}};
        if (!e.units.empty())
            j["eval"]["per_tensor"] = {{"sequences", e.unitOptions.sequences},
                                       {"length", e.unitOptions.length},
                                       {"seed", e.unitOptions.seed}};
    }
    // An entry without a plan (as records made before plans were kept) writes none: an empty recipe does not parse.
    if (!e.plan.tensors.empty()) j["recipe"] = nlohmann::ordered_json::parse(recipeToJson(e.plan, -1));
    if (!e.notes.empty()) j["notes"] = e.notes;
    return j.dump();
}

std::string compressionMetricsJson(const CompressionEntry& e)
{
    nlohmann::ordered_json j;
    j["bytes"] = e.bytes;
    if (e.fileBytes > 0) j["file_bytes"] = e.fileBytes;
    j["weights"] = e.weights;
    j["bits_per_weight"] = e.bitsPerWeight;
    j["original_bytes"] = e.originalBytes;
    j["original_bits_per_weight"] = e.originalBitsPerWeight;
    if (e.measured) session_detail::writeMeasurement(j, *e.measured);
    j["predicted_ppl_increase_percent"] = numberOrNull(e.predictedPercent);
    j["damage_scale"] = e.damageScale;
    j["seconds"] = e.seconds;
    if (!e.units.empty()) {
        nlohmann::ordered_json units = nlohmann::ordered_json::array();
        for (const UnitDamageRecord& u : e.units)
            units.push_back({{"tensor", u.measured.tensor},
                             {"scheme", u.measured.scheme},
                             {"measured_dloss", numberOrNull(u.measured.measuredDloss)},
                             {"measured_kl", numberOrNull(u.measured.measuredKl)},
                             {"predicted_dloss", numberOrNull(u.predictedDloss)}});
        j["units"] = std::move(units);
        j["unit_seconds"] = e.unitSeconds;
    }
    return j.dump();
}

Result<int64_t> recordCompression(SessionStore& store, int64_t sessionId, const CompressionEntry& entry)
{
    CompressionRecord r;
    r.sessionId = sessionId;
    r.allocationId = entry.allocationId;
    r.method = compressionMethodName(entry.method.method);
    r.outputPath = entry.outputPath;
    r.settingsJson = compressionSettingsJson(entry);
    r.metricsJson = compressionMetricsJson(entry);
    return store.addCompression(r);
}

Result<CompressionEntry> parseCompression(const CompressionRecord& record)
{
    const std::string where = "compression " + std::to_string(record.id);
    PRECIS_TRY_ASSIGN(const JsonObject settings, JsonObject::parse(record.settingsJson, where, "settings."));
    PRECIS_TRY_ASSIGN(const JsonObject metrics, JsonObject::parse(record.metricsJson, where, "metrics."));
    CompressionEntry e;
    e.id = record.id;
    e.sessionId = record.sessionId;
    e.allocationId = record.allocationId;
    e.createdAt = record.createdAt;
    e.outputPath = record.outputPath;
    if (auto m = parseCompressionMethod(record.method)) e.method.method = *m;
    PRECIS_TRY(parseSettings(settings, e));
    PRECIS_TRY(parseMetrics(metrics, settings, e));
    if (e.name.empty()) e.name = record.method + " #" + std::to_string(record.id);
    return e;
}

Result<std::vector<CompressionEntry>> loadCompressions(SessionStore& store, int64_t sessionId,
                                                       std::vector<Error>* unreadable)
{
    PRECIS_TRY_ASSIGN(const auto records, store.compressions(sessionId));
    std::vector<CompressionEntry> out;
    for (const CompressionRecord& r : records) {
        auto e = parseCompression(r);
        if (e) {
            out.push_back(std::move(e).value());
            continue;
        }
        Error err = e.error();
        err.where = store.path() + ": " + err.where;
        if (!unreadable) return err;
        unreadable->push_back(std::move(err));
    }
    return out;
}

Result<std::vector<LoopSample>> closedLoopSamples(SessionStore& store, int64_t sessionId)
{
    std::vector<Error> skipped;
    PRECIS_TRY_ASSIGN(const auto compressions, loadCompressions(store, sessionId, &skipped));
    PRECIS_TRY_ASSIGN(const auto allocations, loadAllocations(store, sessionId, &skipped));
    std::vector<LoopSample> out;
    for (const CompressionEntry& c : compressions) {
        if (!c.measured) continue;
        const double ratio = c.measured->comparison.pplRatio();
        if (!(ratio > 0) || !std::isfinite(ratio)) continue;
        double predicted = -1, scale = c.damageScale;
        if (c.hasPrediction() && c.predictedPercent >= 0) predicted = std::log1p(c.predictedPercent / 100.0);
        if (predicted < 0 && c.allocationId)
            for (const SavedAllocation& a : allocations)
                if (a.id == *c.allocationId) {
                    predicted = a.totals.predictedDamage;
                    scale = a.budget.damageScale;
                }
        if (!(predicted >= 0)) continue;
        LoopSample s;
        s.compressionId = c.id;
        s.name = c.name;
        s.predictedDamage = predicted / scale;
        s.measuredDamage = std::log(ratio);
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace precis
