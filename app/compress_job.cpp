#include "compress_job.h"

#include "allocation/option_table.h"
#include "common/mapped_file.h"
#include "engine/engine.h"
#include "model/model.h"
#include "sensitivity/calibration_data.h"
#include "session/session_store.h"
#include "tokenizer/tokenizer.h"

#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

namespace precis::app {

namespace {

// A sub-range [from, to] of the job's progress bar, with the stage text prefixed.
Progress subProgress(Progress& parent, double from, double to, std::string prefix = {})
{
    return Progress([&parent, from, to, prefix = std::move(prefix)](double f, const std::string& stage) {
        parent.report(from + (to - from) * std::clamp(f, 0.0, 1.0), prefix + stage);
    });
}

// The session a result goes into: `sessionId`, or a new one named after the
// model file ("model", "model (2)", ...), as a calibration creates it.
Result<int64_t> sessionFor(const QString& databasePath, const Model& model, int64_t sessionId,
                           const CancelToken& cancel)
{
    if (databasePath.isEmpty() || sessionId != 0) return sessionId;
    PRECIS_TRY_ASSIGN(SessionStore store, SessionStore::open(databasePath.toStdString()));
    PRECIS_TRY_ASSIGN(int64_t modelId,
                      store.addModelFile(model.path, model.config.archName, model.parameterCount(), &cancel));
    return store.createSessionUnique(QFileInfo(QString::fromStdString(model.path)).completeBaseName().toStdString(),
                                     modelId);
}

nlohmann::json numberOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// Each measured tensor beside the option table's damage for the scheme the plan
// gives it (the allocation's choice, or the uniform scheme after fallbacks).
std::vector<UnitDamageRecord> withPredictions(std::vector<UnitDamage> units, const CompressionPlan& plan,
                                              const OptionTable* table)
{
    std::vector<UnitDamageRecord> out;
    out.reserve(units.size());
    for (UnitDamage& u : units) {
        UnitDamageRecord r;
        if (table) {
            std::string scheme = u.scheme;
            for (const TensorAssignment& a : plan.tensors)
                if (a.tensor == u.tensor) scheme = a.scheme;
            if (auto d = predictedDamage(*table, u.tensor, scheme)) r.predictedDloss = *d;
        }
        r.measured = std::move(u);
        out.push_back(std::move(r));
    }
    return out;
}

// "units" of a stored record; errors name the record and the element's field.
Result<std::vector<UnitDamageRecord>> parseUnits(const nlohmann::json& units, const std::string& where)
{
    if (!units.is_array()) return makeError(ErrorCode::InvalidArgument, where, "metrics: 'units' is not an array");
    std::vector<UnitDamageRecord> out;
    for (size_t i = 0; i < units.size(); ++i) {
        const nlohmann::json& u = units[i];
        const std::string field = "metrics: units[" + std::to_string(i) + "]";
        if (!u.is_object()) return makeError(ErrorCode::InvalidArgument, where, field + " is not an object");
        UnitDamageRecord r;
        for (auto [key, value] : {std::pair{"tensor", &r.measured.tensor}, std::pair{"scheme", &r.measured.scheme}}) {
            auto it = u.find(key);
            if (it == u.end() || !it->is_string())
                return makeError(ErrorCode::InvalidArgument, where, field + "." + key + " is not a string");
            *value = it->get<std::string>();
        }
        for (auto [key, value] : {std::pair{"measured_dloss", &r.measured.measuredDloss},
                                  std::pair{"measured_kl", &r.measured.measuredKl},
                                  std::pair{"predicted_dloss", &r.predictedDloss}}) {
            auto it = u.find(key);
            if (it == u.end() || it->is_null()) {
                *value = std::numeric_limits<double>::quiet_NaN();
            } else if (it->is_number()) {
                *value = it->get<double>();
            } else {
                return makeError(ErrorCode::InvalidArgument, where, field + "." + key + " is not a number or null");
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace

Result<CompressOutcome> runCompressJob(const Model& original, const Tokenizer& tokenizer, const EngineSource& engine,
                                       const CompressRequest& request, Progress& progress, const CancelToken& cancel)
{
    const auto cancelled = [] { return makeError(ErrorCode::Cancelled, {}, "compression cancelled"); };
    const auto t0 = std::chrono::steady_clock::now();

    // Inputs first: a missing text should not cost a compression.
    const std::string evalPath = request.evalPath.toStdString();
    if (evalPath.empty())
        return makeError(ErrorCode::InvalidArgument, "evaluation text", "no file given: choose a text to measure on");
    progress.report(0.0, "Reading " + evalPath);
    PRECIS_TRY_ASSIGN(std::string evalText, readTextFile(evalPath));
    const std::vector<int32_t> ids = tokenizer.encode(evalText, tokenizer.bos() >= 0);

    std::optional<sensitivity::CalibrationSet> calibration;
    if (request.method.method != CompressionMethod::Rtn) {
        const std::string path = request.calibrationPath.toStdString();
        if (path.empty())
            return makeError(ErrorCode::InvalidArgument, "calibration text",
                             std::string(compressionMethodName(request.method.method)) +
                                 " needs calibration text: choose a file");
        progress.report(0.02, "Reading " + path);
        PRECIS_TRY_ASSIGN(std::string text, readTextFile(path));
        PRECIS_TRY_ASSIGN(calibration, sensitivity::calibrationFromText(text, path, tokenizer, original.config,
                                                                        request.sequences, request.length,
                                                                        request.seed));
    }
    if (cancel.cancelled()) return cancelled();

    CompressOutcome out;
    {
        Progress sub = subProgress(progress, 0.05, 0.65);
        PRECIS_TRY_ASSIGN(std::shared_ptr<Model> compressed,
                          compressWithMethod(original, request.plan, request.method,
                                             calibration ? &*calibration : nullptr, &sub, &cancel));
        out.model = std::move(compressed);
    }
    if (cancel.cancelled()) return cancelled();

    progress.report(0.65, "Preparing the engines");
    PRECIS_TRY_ASSIGN(std::shared_ptr<const Engine> originalEngine, engine());
    PRECIS_TRY_ASSIGN(std::unique_ptr<Engine> compressedEngine, Engine::create(out.model));
    out.engine = std::move(compressedEngine);
    if (cancel.cancelled()) return cancelled();

    CompareOptions options;
    out.ctx = std::max(3, std::min(request.ctx, original.config.nCtx > 0 ? original.config.nCtx : request.ctx));
    options.ctx = out.ctx;
    options.maxChunks = request.maxChunks;
    const double compared = request.measureUnits ? 0.8 : 1.0;
    {
        Progress sub = subProgress(progress, 0.7, compared, "Evaluating: ");
        PRECIS_TRY_ASSIGN(out.comparison, compareModels(*originalEngine, *out.engine, ids, options, &sub, &cancel));
    }
    if (request.measureUnits) {
        const auto u0 = std::chrono::steady_clock::now();
        UnitDamageOptions unitOptions;  // 8 windows, seed 1
        unitOptions.length = std::min(unitOptions.length, out.ctx);
        // The text's ids without the BOS encode() put in front (each window gets its own).
        std::span<const int32_t> text(ids);
        if (!text.empty() && text.front() == tokenizer.bos()) text = text.subspan(1);
        Progress sub = subProgress(progress, compared, 1.0, "Per tensor: ");
        PRECIS_TRY_ASSIGN(std::vector<UnitDamage> units,
                          measureUnitDamage(original, *out.model, text, unitOptions, &sub, &cancel));
        out.units = withPredictions(std::move(units), request.plan, request.optionTable.get());
        out.unitLength = unitOptions.length;
        out.unitSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - u0).count();
    }
    out.size = modelSize(*out.model);
    out.originalSize = modelSize(original);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    progress.report(1.0, "Recording the result");
    auto session = sessionFor(request.databasePath, original, request.sessionId, cancel);
    if (cancel.cancelled()) return cancelled();
    if (session) out.sessionId = *session;
    else out.sessionError = session.error().toString();
    return out;
}

std::string compressionSettingsJson(const CompressRequest& request, const CompressOutcome& outcome)
{
    nlohmann::json j;
    j["name"] = request.name;
    j["plan_source"] = request.planSource;
    if (!request.scheme.empty()) j["scheme"] = request.scheme;
    if (!request.budgetJson.empty()) {
        auto budget = nlohmann::json::parse(request.budgetJson, nullptr, false);
        if (!budget.is_discarded()) j["budget"] = std::move(budget);
    }
    j["method"] = compressionMethodName(request.method.method);
    if (request.method.method == CompressionMethod::Gptq)
        j["gptq"] = {{"damping", request.method.gptq.damping}, {"act_order", request.method.gptq.actOrder}};
    if (request.method.method == CompressionMethod::Awq) j["awq"] = {{"grid", request.method.awq.grid}};
    if (request.method.method != CompressionMethod::Rtn)
        j["calibration"] = {{"text", request.calibrationPath.toStdString()},
                            {"sequences", request.sequences},
                            {"length", request.length},
                            {"seed", request.seed}};
    j["eval"] = {{"text", request.evalPath.toStdString()}, {"ctx", outcome.ctx}, {"chunks", request.maxChunks}};
    if (outcome.unitLength > 0)
        j["eval"]["per_tensor"] = {{"sequences", UnitDamageOptions{}.sequences},
                                   {"length", outcome.unitLength},
                                   {"seed", UnitDamageOptions{}.seed}};
    j["recipe"] = nlohmann::json::parse(recipeToJson(request.plan, -1));
    return j.dump();
}

std::string compressionMetricsJson(const CompressRequest& request, const CompressOutcome& o)
{
    const ComparisonResult& c = o.comparison;
    nlohmann::json j;
    j["bytes"] = o.size.bytes;
    j["weights"] = o.size.weights;
    j["bits_per_weight"] = o.size.bitsPerWeight();
    j["original_bytes"] = o.originalSize.bytes;
    j["original_bits_per_weight"] = o.originalSize.bitsPerWeight();
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
    j["ctx"] = o.ctx;
    j["measured_ppl_increase_percent"] = 100.0 * (c.pplRatio() - 1.0);
    j["predicted_ppl_increase_percent"] = numberOrNull(request.predictedPercent);
    j["seconds"] = o.seconds;
    if (o.unitLength > 0) {
        nlohmann::json units = nlohmann::json::array();
        for (const UnitDamageRecord& u : o.units)
            units.push_back({{"tensor", u.measured.tensor},
                             {"scheme", u.measured.scheme},
                             {"measured_dloss", numberOrNull(u.measured.measuredDloss)},
                             {"measured_kl", numberOrNull(u.measured.measuredKl)},
                             {"predicted_dloss", numberOrNull(u.predictedDloss)}});
        j["units"] = std::move(units);
        j["unit_seconds"] = o.unitSeconds;
        j["unit_damage_scale"] = request.predictionScale;
    }
    return j.dump();
}

Result<StoredCompression> parseCompressionRecord(const CompressionRecord& record)
{
    const std::string where = "compression " + std::to_string(record.id);
    auto settings = nlohmann::json::parse(record.settingsJson, nullptr, false);
    auto metrics = nlohmann::json::parse(record.metricsJson, nullptr, false);
    if (!settings.is_object()) return makeError(ErrorCode::InvalidArgument, where, "settings are not a JSON object");
    if (!metrics.is_object()) return makeError(ErrorCode::InvalidArgument, where, "metrics are not a JSON object");
    auto number = [&](const char* key, double* v) -> Result<void> {
        auto it = metrics.find(key);
        if (it == metrics.end() || !it->is_number())
            return makeError(ErrorCode::InvalidArgument, where, std::string("metrics: '") + key + "' is not a number");
        *v = it->get<double>();
        return {};
    };
    StoredCompression s;
    s.name = settings.value("name", std::string());
    s.method = record.method;
    double bytes = 0, tokens = 0, chunks = 0;
    ComparisonResult& c = s.comparison;
    PRECIS_TRY(number("bytes", &bytes));
    PRECIS_TRY(number("bits_per_weight", &s.bitsPerWeight));
    PRECIS_TRY(number("ppl_original", &c.pplOriginal));
    PRECIS_TRY(number("ppl_compressed", &c.pplCompressed));
    PRECIS_TRY(number("kl_mean", &c.klMean));
    PRECIS_TRY(number("kl_p99", &c.klP99));
    PRECIS_TRY(number("top1_agreement", &c.top1Agreement));
    // Optional: older or foreign records may lack them.
    (void)number("mean_nll_original", &c.meanNllOriginal);
    (void)number("mean_nll_compressed", &c.meanNllCompressed);
    (void)number("kl_max", &c.klMax);
    (void)number("predicted_ppl_increase_percent", &s.predictedPercent);
    if (number("tokens_scored", &tokens).ok()) c.tokensScored = int64_t(tokens);
    if (number("chunks", &chunks).ok()) c.chunks = int(chunks);
    s.bytes = int64_t(bytes);
    if (s.name.empty()) s.name = s.method;
    if (auto it = settings.find("recipe"); it != settings.end() && it->is_object()) {
        PRECIS_TRY_ASSIGN(s.plan, parseRecipeJson(it->dump(), where + " recipe"));
    }
    if (auto it = metrics.find("units"); it != metrics.end()) {
        PRECIS_TRY_ASSIGN(s.units, parseUnits(*it, where));
    }
    return s;
}

Result<GenerationComparison> runGenerationJob(const Engine& original, const Engine& compressed,
                                              const Tokenizer& tokenizer, const GenerationRequest& request,
                                              Progress& progress, const CancelToken& cancel)
{
    if (request.prompt.empty())
        return makeError(ErrorCode::InvalidArgument, "prompt", "empty: type a few words to continue");
    const std::vector<int32_t> prompt = tokenizer.encode(request.prompt, tokenizer.addBosByDefault());
    if (prompt.empty()) return makeError(ErrorCode::InvalidArgument, "prompt", "gives no tokens");
    const double total = std::max(1, 2 * request.options.maxNewTokens);

    GenerationComparison out;
    out.prompt = request.prompt;
    int done = 0;
    auto counter = [&](int32_t) {
        ++done;
        progress.report(double(done) / total,
                        done <= request.options.maxNewTokens ? "Generating (original)" : "Generating (compressed)");
        return true;
    };
    // Same options, same seed: with equal logits both sides draw the same tokens.
    PRECIS_TRY_ASSIGN(GenerateResult a, generate(original, prompt, request.options, counter, &cancel));
    done = request.options.maxNewTokens;
    PRECIS_TRY_ASSIGN(GenerateResult b, generate(compressed, prompt, request.options, counter, &cancel));
    out.original = {std::move(a.ids), a.stop};
    out.compressed = {std::move(b.ids), b.stop};
    const size_t n = std::min(out.original.ids.size(), out.compressed.ids.size());
    size_t k = 0;
    while (k < n && out.original.ids[k] == out.compressed.ids[k]) ++k;
    if (k < n || out.original.ids.size() != out.compressed.ids.size()) out.firstDifference = int(k);
    return out;
}

} // namespace precis::app
