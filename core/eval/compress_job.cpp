#include "eval/compress_job.h"

#include "common/mapped_file.h"
#include "eval/compare.h"
#include "eval/compress.h"
#include "eval/compress_methods.h"
#include "eval/compression_plan.h"
#include "eval/perplexity.h"
#include "sensitivity/calibration_data.h"
#include "sensitivity/report_store.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

namespace precis {

namespace {

// A sub-range [from, to] of the job's progress bar, with the stage text prefixed.
Progress subProgress(Progress& parent, double from, double to, std::string prefix = {})
{
    return Progress([&parent, from, to, prefix = std::move(prefix)](double f, const std::string& stage) {
        parent.report(from + (to - from) * std::clamp(f, 0.0, 1.0), prefix + stage);
    });
}

Error cancelled() { return makeError(ErrorCode::Cancelled, {}, "compression cancelled"); }

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

// The calibration sequences a method asks for, read before any work.
Result<std::optional<sensitivity::CalibrationSet>> calibrationOf(const Model& original, const Tokenizer* tokenizer,
                                                                 const EngineSource& engine, const CompressJob& job,
                                                                 Progress& progress, const CancelToken& cancel)
{
    const CompressionEntry& e = job.entry;
    const bool wanted = e.calibration && e.calibration->sequences > 0;
    if (!wanted) {
        if (e.method.method != CompressionMethod::Rtn)
            return makeError(ErrorCode::InvalidArgument, "calibration text",
                             std::string(compressionMethodName(e.method.method)) +
                                 " needs calibration text: choose a file (or let the model write it)");
        return std::optional<sensitivity::CalibrationSet>();
    }
    if (!tokenizer)
        return makeError(ErrorCode::InvalidArgument, original.path, "calibration needs the model's tokenizer");
    const CompressionCalibration& c = *e.calibration;
    const int length = original.config.nCtx > 0 ? std::min(c.length, original.config.nCtx) : c.length;
    if (c.selfGenerated) {
        progress.report(0.02, "Preparing the engine");
        PRECIS_TRY_ASSIGN(std::shared_ptr<const Engine> eng, engine());
        Progress sub = subProgress(progress, 0.02, 0.05, "Writing calibration text: ");
        PRECIS_TRY_ASSIGN(auto set, sensitivity::calibrationSelfGenerated(*eng, *tokenizer, c.sequences, length, c.seed,
                                                                          &sub, &cancel));
        return std::optional<sensitivity::CalibrationSet>(std::move(set));
    }
    if (c.text.empty())
        return makeError(ErrorCode::InvalidArgument, "calibration text", "no file given: choose a text to calibrate on");
    progress.report(0.02, "Reading " + c.text);
    PRECIS_TRY_ASSIGN(const std::string text, readTextFile(c.text));
    PRECIS_TRY_ASSIGN(auto set, sensitivity::calibrationFromText(text, c.text, *tokenizer, original.config, c.sequences,
                                                                 length, c.seed));
    return std::optional<sensitivity::CalibrationSet>(std::move(set));
}

} // namespace

Result<void> planAllocation(CompressionEntry& e, const Model& model, const BudgetSpec& budget,
                            const Assignment& assignment, double predictedPercent, const SavedAllocation* saved)
{
    PRECIS_TRY_ASSIGN(e.plan, planFromAssignment(model, budget.granularity, assignment));
    e.planSource = PlanSource::Allocation;
    e.budget = budget;
    e.predictedPercent = predictedPercent;
    e.damageScale = budget.damageScale;
    if (saved) {
        e.allocationId = saved->id;
        e.allocationName = saved->name;
    }
    return {};
}

Result<void> planAllocation(CompressionEntry& e, const Model& model, const SavedAllocation& saved)
{
    return planAllocation(e, model, saved.budget, saved.assignment, saved.totals.predictedPplIncreasePercent, &saved);
}

Result<void> useSessionImportance(SessionStore& store, int64_t sessionId, CompressJob& job)
{
    CompressionEntry& e = job.entry;
    if (e.method.method != CompressionMethod::Rtn || (e.calibration && e.calibration->sequences > 0)) return {};
    PRECIS_TRY_ASSIGN(const auto latest, store.latestRun(sessionId));
    if (!latest || latest->status != RunStatus::Done) return {};
    std::map<std::string, std::vector<float>> importance;
    for (const TensorAssignment& a : e.plan.tensors) {
        PRECIS_TRY_ASSIGN(std::vector<float> v, sensitivity::loadImportance(store, latest->id, a.tensor));
        if (!v.empty()) importance[a.tensor] = std::move(v);
    }
    if (importance.empty()) return {};
    job.importance = std::move(importance);
    CompressionCalibration c;
    c.importanceRun = latest->id;
    e.calibration = c;
    return {};
}

std::string defaultCompressionName(const CompressionEntry& e)
{
    std::string plan;
    switch (e.planSource) {
    case PlanSource::Uniform: plan = e.scheme; break;
    case PlanSource::Allocation:
        plan = !e.allocationName.empty() ? e.allocationName
               : e.budget                ? "budget " + budgetText(*e.budget)
                                         : "allocation";
        break;
    case PlanSource::Recipe: plan = "recipe"; break;
    }
    return plan + " " + compressionMethodName(e.method.method);
}

namespace {

// The compressed model as the plan makes it, without its values: the planned
// tensors in their new types (no data: held by the compression), the others
// the original's.
Result<Model> plannedModel(const Model& original, const CompressionPlan& plan)
{
    PRECIS_TRY_ASSIGN(const auto resolved, resolvePlan(original, plan));
    std::map<std::string, const ResolvedAssignment*> byName;
    for (const ResolvedAssignment& r : resolved) byName[r.tensor->name] = &r;
    Model m;
    m.config = original.config;
    for (const Tensor& t : original.tensors()) {
        auto it = byName.find(t.name);
        if (it == byName.end() || (it->second->slices.empty() && it->second->scheme.dtype == t.dtype)) {
            m.addTensor(t);
            continue;
        }
        Tensor planned;
        planned.name = t.name;
        planned.shape = t.shape;
        planned.dtype = it->second->slices.empty() ? it->second->scheme.dtype : DType::Segmented;
        planned.nbytes = plannedBytes(*it->second);
        m.addTensor(planned);
    }
    return m;
}

} // namespace

Result<MemoryEstimate> fitCompressJobMemory(const Model& original, CompressJob& job, uint64_t limit, int threads)
{
    CompressionEntry& e = job.entry;
    const bool calibrated = e.calibration && e.calibration->sequences > 0;
    const int sequences = calibrated ? e.calibration->sequences : 0;
    const int length = calibrated ? (original.config.nCtx > 0 ? std::min(e.calibration->length, original.config.nCtx)
                                                              : e.calibration->length)
                                  : 0;
    PRECIS_TRY_ASSIGN(MemoryEstimate compression,
                      fitCompressionMemory(original, e.plan, e.method, sequences, length, limit, threads));
    if (job.evalText.empty()) return compression;
    // The measurement: the compressed tensors and both models' engines.
    PRECIS_TRY_ASSIGN(const Model planned, plannedModel(original, e.plan));
    uint64_t compressed = 0;  // the planned tensors' encodings (no data yet)
    for (const Tensor& t : planned.tensors())
        if (!t.data) compressed += t.nbytes;
    const int ctx = std::max(3, std::min(job.ctx, original.config.nCtx > 0 ? original.config.nCtx : job.ctx));
    const Model* models[] = {&original, &planned};
    auto measured = fitEvaluationMemory(models, job.engine, ctx, limit > compressed ? limit - compressed : 0, threads);
    if (!measured.ok()) {
        Error err = measured.error();
        err.where = "measurement after compression";
        err.message += " (beside the compressed tensors, " + formatBytes(compressed) + ")";
        return err;
    }
    MemoryEstimate m = std::move(measured).value();
    m.items.insert(m.items.begin(), {"compressed tensors", compressed});
    if (m.total() <= compression.total()) return compression;
    m.job = "compression and measurement";
    return m;
}

Result<CompressJobResult> runCompressJob(const Model& original, const Tokenizer* tokenizer,
                                         const EngineSource& originalEngine, const CompressJob& job,
                                         Progress& progress, const CancelToken& cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    CompressJobResult out;
    out.entry = job.entry;
    CompressionEntry& e = out.entry;
    if (e.name.empty()) e.name = defaultCompressionName(e);

    // Inputs first: a missing text should not cost a compression.
    std::vector<int32_t> ids;
    if (!job.evalText.empty()) {
        if (!tokenizer)
            return makeError(ErrorCode::InvalidArgument, original.path, "measuring needs the model's tokenizer");
        progress.report(0.0, "Reading " + job.evalText);
        PRECIS_TRY_ASSIGN(const std::string text, readTextFile(job.evalText));
        ids = tokenizer->encode(text, tokenizer->bos() >= 0);
    } else if (job.measureUnits) {
        return makeError(ErrorCode::InvalidArgument, "evaluation text",
                         "measuring each tensor needs an evaluation text: choose one");
    }
    PRECIS_TRY_ASSIGN(const auto calibration, calibrationOf(original, tokenizer, originalEngine, job, progress, cancel));
    if (cancel.cancelled()) return cancelled();

    {
        Progress sub = subProgress(progress, 0.05, job.evalText.empty() ? 1.0 : 0.65);
        const bool fromRun = !calibration && !job.importance.empty() && e.method.method == CompressionMethod::Rtn;
        if (fromRun) {
            PRECIS_TRY_ASSIGN(out.model, compressModel(original, e.plan, &job.importance, &sub, &cancel));
        } else {
            PRECIS_TRY_ASSIGN(out.model, compressWithMethod(original, e.plan, e.method, calibration ? &*calibration : nullptr,
                                                            &sub, &cancel));
            if (e.calibration && e.calibration->sequences == 0) e.calibration.reset();  // no run importance was used
        }
        if (calibration && e.calibration) {
            e.calibration->sequences = calibration->sequences;
            e.calibration->length = calibration->length;
        }
    }
    if (cancel.cancelled()) return cancelled();

    const ModelSize size = modelSize(*out.model), originalSize = modelSize(original);
    e.bytes = size.bytes;
    e.weights = size.weights;
    e.bitsPerWeight = size.bitsPerWeight();
    e.originalBytes = originalSize.bytes;
    e.originalBitsPerWeight = originalSize.bitsPerWeight();

    if (!job.evalText.empty()) {
        progress.report(0.65, "Preparing the engines");
        PRECIS_TRY_ASSIGN(std::shared_ptr<const Engine> originalEng, originalEngine());
        PRECIS_TRY_ASSIGN(std::unique_ptr<Engine> compressedEngine, Engine::create(out.model, job.engine));
        out.engine = std::move(compressedEngine);
        if (cancel.cancelled()) return cancelled();

        CompressionMeasurement m;
        m.text = job.evalText;
        m.ctx = std::max(3, std::min(job.ctx, original.config.nCtx > 0 ? original.config.nCtx : job.ctx));
        m.maxChunks = job.maxChunks;
        CompareOptions options;
        options.ctx = m.ctx;
        options.maxChunks = job.maxChunks;
        const double compared = job.measureUnits ? 0.8 : 1.0;
        {
            Progress sub = subProgress(progress, 0.7, compared, "Evaluating: ");
            PRECIS_TRY_ASSIGN(m.comparison, compareModels(*originalEng, *out.engine, ids, options, &sub, &cancel));
        }
        if (job.measureUnits) {
            const auto u0 = std::chrono::steady_clock::now();
            UnitDamageOptions unitOptions = job.unitOptions;
            unitOptions.length = std::min(unitOptions.length, m.ctx);
            // The text's ids without the BOS encode() put in front (each window gets its own).
            std::span<const int32_t> text(ids);
            if (!text.empty() && text.front() == tokenizer->bos()) text = text.subspan(1);
            Progress sub = subProgress(progress, compared, 1.0, "Per tensor: ");
            PRECIS_TRY_ASSIGN(std::vector<UnitDamage> units,
                              measureUnitDamage(original, *out.model, text, unitOptions, &sub, &cancel));
            e.units = withPredictions(std::move(units), e.plan, job.optionTable.get());
            e.unitOptions = unitOptions;
            e.unitSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - u0).count();
        }
        e.measured = std::move(m);
    }
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

} // namespace precis
