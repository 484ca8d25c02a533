// `precis-cli compress` (a plan -> compressed GGUF), `precis-cli eval` (a
// compressed model against its original) and `precis-cli export` (a model as
// GGUF or as a Hugging Face safetensors folder).
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/cli_session.h"
#include "cli/eval_per_tensor.h"

#include "common/threads.h"
#include "engine/engine.h"
#include "eval/compare.h"
#include "eval/compress.h"
#include "allocation/option_builder.h"
#include "allocation/solver.h"
#include "eval/compress_job.h"
#include "eval/compress_methods.h"
#include "eval/perplexity.h"
#include "eval/compression_plan.h"
#include "sensitivity/report_store.h"
#include "session/session_allocations.h"
#include "session/session_compressions.h"
#include "tokenizer/tokenizer.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <filesystem>
#include <map>
#include <optional>

namespace precis::cli {

namespace {

std::unique_ptr<Engine> engineOrExit(std::shared_ptr<const Model> model, const EngineOptions& options = {})
{
    auto r = Engine::create(std::move(model), options);
    if (!r.ok())
        failError(r.error());
    return std::move(r).value();
}

// Fails (exit 1) when the folder an output goes into does not exist, before any work.
void requireParentFolder(const QString& path)
{
    const std::filesystem::path parent = std::filesystem::path(path.toStdString()).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
        failInput(QStringLiteral("%1: cannot write: the folder '%2' does not exist")
                      .arg(path, QString::fromStdString(parent.string())));
}

Progress progressPrinter()
{
    return Progress([](double f, const std::string& stage) {
        printProgress(QStringLiteral("%1 %2%").arg(QString::fromStdString(stage)).arg(int(f * 100)));
    });
}

// "Q4_K ×7, F16 ×2" in first-seen order of the plan.
QString schemeCounts(const CompressionPlan& plan, QJsonObject* json)
{
    std::vector<std::pair<std::string, int>> counts;
    for (const TensorAssignment& a : plan.tensors) {
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& p) { return p.first == assignmentLabel(a); });
        if (it == counts.end()) counts.emplace_back(assignmentLabel(a), 1);
        else ++it->second;
    }
    QStringList parts;
    for (const auto& [scheme, n] : counts) {
        parts << QStringLiteral("%1 ×%2").arg(QString::fromStdString(scheme)).arg(n);
        if (json) (*json)[QString::fromStdString(scheme)] = n;
    }
    return parts.join(QStringLiteral(", "));
}

QString dtypeLabel(DType t)
{
    const std::string_view n = dtypeName(t);
    return QString::fromLatin1(n.data(), qsizetype(n.size()));
}

QJsonArray notesJson(const std::vector<std::string>& notes)
{
    QJsonArray a;
    for (const std::string& n : notes) a.append(QString::fromStdString(n));
    return a;
}

} // namespace

int cmdCompress(const QStringList& args)
{
    CommandParser p(QStringLiteral("compress"),
                    QStringLiteral("Compress a model by a plan (one scheme for every weight matrix, or a recipe naming a "
                                   "scheme per tensor) and write it as GGUF."));
    p.addPositional(QStringLiteral("MODEL"), QStringLiteral("A .gguf file, a Hugging Face folder, or a llama2.c .bin."));
    p.addOption(tokenizerOption());
    p.addOption(threadsOption());
    p.addOption({QStringLiteral("out"), QStringLiteral("The compressed model (.gguf)."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("uniform"),
                 QStringLiteral("One scheme for every weight matrix (%1); rows it cannot store fall back as "
                                "llama.cpp does.").arg(schemeList()),
                 QStringLiteral("SCHEME")});
    p.addOption({QStringLiteral("recipe"), QStringLiteral("A recipe: {\"tensors\": {\"NAME\": \"SCHEME\", ...}}."),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("recipe-out"), QStringLiteral("Also write the plan as a recipe."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("llama-quantize-args"),
                 QStringLiteral("Print the llama-quantize command line that writes the same types.")});
    p.addOption({QStringLiteral("rtn-as"),
                 QStringLiteral("Store RTN and per-head (sliced) tensors in the GGUF as 'f16', or as 'gguf': the nearest "
                                "GGUF type of at least as many bits (GGUF has no such types; default: refuse)."),
                 QStringLiteral("f16|gguf")});
    p.addOption({QStringLiteral("session"), QStringLiteral("Session database: the plan can be a saved allocation, and "
                                                           "the result is recorded there."), QStringLiteral("DB")});
    p.addOption({QStringLiteral("name"), QStringLiteral("Session name (default: the most recently used)."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("allocation"), QStringLiteral("Use the session's saved allocation NAME as the plan "
                                                              "(tensor or layer units)."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("budget-ppl"), QStringLiteral("Plan: the session's optimal allocation (GGUF types) for "
                                                              "this maximum predicted perplexity increase, percent."),
                 QStringLiteral("P")});
    p.addOption({QStringLiteral("target-bpw"), QStringLiteral("Plan: the session's least damaging allocation (GGUF "
                                                              "types) of this many bits per weight."), QStringLiteral("B")});
    p.addOption({QStringLiteral("method"), QStringLiteral("rtn (default), gptq or awq; gptq and awq need --calib or "
                                                          "--self-calib."), QStringLiteral("M")});
    p.addOption({QStringLiteral("calib"), QStringLiteral("Calibration text for gptq/awq (and importance-weighted rtn)."),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("self-calib"), QStringLiteral("Calibrate on text the model writes itself.")});
    p.addOption({QStringLiteral("seqs"), QStringLiteral("Calibration sequences (default 16)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("len"), QStringLiteral("Tokens per calibration sequence (default 128)."), QStringLiteral("T")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("Calibration seed (default 1)."), QStringLiteral("S")});
    p.addOption({QStringLiteral("eval-text"), QStringLiteral("Measure the result against the original on this text "
                                                             "(ppl, KL, top-1; stored in the session)."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("eval-ctx"), QStringLiteral("Chunk length for --eval-text (default 256)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("scratch"), QStringLiteral("Folder for the Gram matrices when they are spilled to a "
                                                           "scratch file to fit the memory limit (default: the system's "
                                                           "temporary folder)."), QStringLiteral("DIR")});
    p.addOption(memoryLimitOption());
    p.parse(args, 1, 1);
    const uint64_t memoryLimit = p.memoryLimit();
    if (p.isSet(QStringLiteral("scratch")) && !QFileInfo(p.value(QStringLiteral("scratch"))).isDir())
        failUsage(QStringLiteral("compress: --scratch %1: no such folder, expected a folder for scratch files")
                      .arg(p.value(QStringLiteral("scratch"))));
    const bool uniform = p.isSet(QStringLiteral("uniform")), recipe = p.isSet(QStringLiteral("recipe"));
    const bool fromAllocation = p.isSet(QStringLiteral("allocation"));
    const bool fromBudget = p.isSet(QStringLiteral("budget-ppl")) || p.isSet(QStringLiteral("target-bpw"));
    if (int(uniform) + int(recipe) + int(fromAllocation) + int(p.isSet(QStringLiteral("budget-ppl"))) +
            int(p.isSet(QStringLiteral("target-bpw"))) != 1)
        failUsage(QStringLiteral("compress: give exactly one of --uniform SCHEME, --recipe FILE, --allocation NAME, "
                                 "--budget-ppl P and --target-bpw B"));
    if ((fromAllocation || fromBudget) && !p.isSet(QStringLiteral("session")))
        failUsage(QStringLiteral("compress: --allocation, --budget-ppl and --target-bpw need --session DB"));
    const double budgetPpl = p.doubleValue(QStringLiteral("budget-ppl"), 1.0, 0.0, 1e6);
    const double targetBpw = p.doubleValue(QStringLiteral("target-bpw"), 4.0, 0.01, 64.0);
    auto method = parseCompressionMethod(p.isSet(QStringLiteral("method")) ? p.value(QStringLiteral("method")).toStdString()
                                                                           : std::string("rtn"));
    if (!method.ok()) failUsage(QStringLiteral("compress: --method must be rtn, gptq or awq"));
    const bool calib = p.isSet(QStringLiteral("calib")), selfCalib = p.isSet(QStringLiteral("self-calib"));
    if (calib && selfCalib) failUsage(QStringLiteral("compress: give at most one of --calib and --self-calib"));
    if (*method != CompressionMethod::Rtn && !calib && !selfCalib)
        failUsage(QStringLiteral("compress: --method %1 needs --calib FILE or --self-calib")
                      .arg(QString::fromLatin1(compressionMethodName(*method))));
    const int seqs = p.intValue(QStringLiteral("seqs"), 16, 1, 65536);
    const int len = p.intValue(QStringLiteral("len"), 128, 2, 65536);
    const auto seed = uint64_t(p.intValue(QStringLiteral("seed"), 1, 0, INT32_MAX));
    const int evalCtx = p.intValue(QStringLiteral("eval-ctx"), 256, 3, 1 << 20);
    const bool printArgs = p.isSet(QStringLiteral("llama-quantize-args"));
    const QString out = p.value(QStringLiteral("out")), recipeOut = p.value(QStringLiteral("recipe-out"));
    if (out.isEmpty() && recipeOut.isEmpty() && !printArgs)
        failUsage(QStringLiteral("compress: --out FILE is required (or --recipe-out / --llama-quantize-args alone)"));
    const QString rtnAs = p.value(QStringLiteral("rtn-as")).toLower();
    if (p.isSet(QStringLiteral("rtn-as")) && rtnAs != QLatin1String("f16") && rtnAs != QLatin1String("gguf"))
        failUsage(QStringLiteral("compress: --rtn-as '%1' is not supported, expected f16 or gguf").arg(p.value(QStringLiteral("rtn-as"))));
    if (uniform && !quant::parseScheme(p.value(QStringLiteral("uniform")).toStdString()).ok())
        failUsage(QStringLiteral("compress: --uniform '%1' is not a scheme; valid: %2")
                      .arg(p.value(QStringLiteral("uniform")), schemeList()));
    for (const QString& f : {out, recipeOut})
        if (!f.isEmpty()) requireParentFolder(f);
    const int threads = p.intValue(QStringLiteral("threads"), 0, 1, 1024);
    ThreadLimit limit(threads);

    const QString modelPath = p.positional().at(0);
    const auto model = loadModelOrExit(modelPath, p.value(QStringLiteral("tokenizer")));
    CompressJob job;
    CompressionEntry& entry = job.entry;
    entry.method.method = *method;
    std::vector<PlanFallback> fallbacks;
    if (uniform) {
        auto u = uniformPlan(*model, p.value(QStringLiteral("uniform")).toStdString());
        if (!u.ok()) failError(u.error());
        entry.plan = std::move(u->plan);
        entry.planSource = PlanSource::Uniform;
        entry.scheme = quant::parseScheme(p.value(QStringLiteral("uniform")).toStdString())->name();
        fallbacks = std::move(u->fallbacks);
    } else if (recipe) {
        auto r = readRecipe(p.value(QStringLiteral("recipe")).toStdString());
        if (!r.ok()) failError(r.error());
        entry.plan = std::move(r).value();
        entry.planSource = PlanSource::Recipe;
    }
    std::optional<SessionStore> store;
    SessionInfo session;
    if (p.isSet(QStringLiteral("session"))) {
        store = openSessionStoreOrExit(p.value(QStringLiteral("session")), QStringLiteral("compress"));
        session = pickSessionOrExit(*store, p.value(QStringLiteral("name")), QStringLiteral("compress"));
    }
    if (fromBudget) {
        // Solve as `allocate` does, over the formats a GGUF file can hold.
        const SessionReport run = latestReportOrExit(*store, session, QStringLiteral("compress"));
        BudgetSpec budget;
        budget.kind = p.isSet(QStringLiteral("budget-ppl")) ? BudgetKind::PplPercent : BudgetKind::BitsPerWeight;
        budget.value = p.isSet(QStringLiteral("budget-ppl")) ? budgetPpl : targetBpw;
        budget.runId = run.runId;
        auto table = cachedOptionTable(*store, session.id, run.runId, session.model.sha256, *model, run.report,
                                       budget.tableSettings());
        if (!table.ok()) failError(table.error());
        auto frontier = buildFrontier(*table);
        if (!frontier.ok()) failError(frontier.error());
        const Allocation a = solveBudget(*frontier, budget);
        if (!a.feasible) printLine(QStringLiteral("note: %1").arg(QString::fromStdString(a.message)));
        if (auto planned = planAllocation(entry, *model, budget, allocationAssignment(*table, a),
                                          perplexityIncreaseForDamage(a.damage));
            !planned.ok())
            failError(planned.error());
    }
    if (fromAllocation) {
        auto saved = loadAllocation(*store, session.id, p.value(QStringLiteral("allocation")).toStdString());
        if (!saved.ok()) failError(saved.error());
        // Its prediction, and the closed-loop factor it was solved with, go into the record.
        if (auto planned = planAllocation(entry, *model, *saved); !planned.ok()) failError(planned.error());
    }
    if (entry.plan.tensors.empty())
        failInput(QStringLiteral("%1: the model has no weight matrix to compress").arg(modelPath));
    if (auto resolved = resolvePlan(*model, entry.plan); !resolved.ok())
        failError(resolved.error());

    QJsonObject json;
    if (entry.hasPrediction()) json["predicted_ppl_increase_percent"] = entry.predictedPercent;
    QJsonArray fallbackJson;
    for (const PlanFallback& f : fallbacks) {
        fallbackJson.append(QJsonObject{{"tensor", QString::fromStdString(f.tensor)},
                                        {"requested", QString::fromStdString(f.requested)},
                                        {"used", QString::fromStdString(f.used)},
                                        {"cols", qint64(f.cols)}});
        if (!p.json())
            printLine(QStringLiteral("fallback: %1: rows of %2 values do not fit %3, using %4")
                          .arg(QString::fromStdString(f.tensor)).arg(f.cols)
                          .arg(QString::fromStdString(f.requested), QString::fromStdString(f.used)));
    }
    QJsonObject countsJson;
    const QString counts = schemeCounts(entry.plan, &countsJson);
    json["model"] = modelPath;
    json["tensors"] = qint64(entry.plan.tensors.size());
    json["schemes"] = countsJson;
    json["fallbacks"] = fallbackJson;

    if (!recipeOut.isEmpty()) {
        if (auto w = writeRecipe(entry.plan, recipeOut.toStdString()); !w.ok())
            failError(w.error());
        json["recipe_out"] = recipeOut;
    }
    if (printArgs) {
        auto a = llamaQuantizeArgs(entry.plan, modelPath.toStdString(), out.isEmpty() ? "OUT.gguf" : out.toStdString());
        if (!a.ok()) failError(a.error());
        QJsonArray argsJson;
        for (const std::string& s : *a) argsJson.append(QString::fromStdString(s));
        json["llama_quantize_args"] = argsJson;
        if (!p.json())
            printLine(QStringLiteral("llama-quantize %1").arg(QString::fromStdString(shellJoin(*a))));
    }
    if (out.isEmpty()) {
        if (p.json()) printJson(json);
        return ExitOk;
    }

    // The job: the same core code as the studio's Compress tab.
    if (calib || selfCalib) {
        CompressionCalibration c;
        c.text = calib ? p.value(QStringLiteral("calib")).toStdString() : std::string();
        c.selfGenerated = selfCalib;
        c.sequences = seqs;
        c.length = len;
        c.seed = seed;
        entry.calibration = c;
    }
    // Plain rounding without calibration text: the session's last calibration
    // still gives each tensor its column importance (as llama.cpp's imatrix).
    if (store)
        if (auto used = useSessionImportance(*store, session.id, job); !used.ok()) failError(used.error());
    if (entry.calibration && entry.calibration->importanceRun > 0)
        json["importance_from_run"] = qint64(entry.calibration->importanceRun);
    if (p.isSet(QStringLiteral("eval-text"))) {
        job.evalText = p.value(QStringLiteral("eval-text")).toStdString();
        job.ctx = evalCtx;
    }
    std::shared_ptr<const Tokenizer> tok;
    if (calib || selfCalib || !job.evalText.empty()) tok = tokenizerOrExit(*model);
    entry.method.scratchDir = p.value(QStringLiteral("scratch")).toStdString();
    const uint64_t residentBefore = residentBeforeJob();
    auto fitted = fitCompressJobMemory(*model, job, memoryLimit);
    QStringList changes;
    if (fitted.ok() && entry.method.spillGrams)
        changes << QStringLiteral("Gram matrices in a scratch file in %1")
                       .arg(entry.method.scratchDir.empty() ? QStringLiteral("the temporary folder")
                                                            : QString::fromStdString(entry.method.scratchDir));
    if (fitted.ok() && entry.method.gptqAtOnce == 1) changes << QStringLiteral("one GPTQ tensor at a time");
    if (fitted.ok() && job.engine.streamWeights) changes << QStringLiteral("measured with the weights streamed");
    const MemoryEstimate memory = memoryOrExit(
        fitted, memoryLimit, p.json(),
        changes.isEmpty() ? QString() : QStringLiteral(" (%1: the same results, slower)").arg(changes.join(QStringLiteral(", "))));
    std::shared_ptr<const Engine> originalEngine;
    EngineSource engineSource = [&]() -> Result<std::shared_ptr<const Engine>> {
        if (!originalEngine) {
            PRECIS_TRY_ASSIGN(std::unique_ptr<Engine> e, Engine::create(model, job.engine));
            originalEngine = std::move(e);
        }
        return originalEngine;
    };
    Progress progress = progressPrinter();
    CancelToken cancel;
    auto result = runCompressJob(*model, tok.get(), engineSource, job, progress, cancel);
    endProgress();
    if (!result.ok()) failError(result.error());
    CompressionEntry& done = result->entry;
    const auto rtn = !p.isSet(QStringLiteral("rtn-as")) ? NativeTensors::Refuse
                     : rtnAs == QLatin1String("gguf")      ? NativeTensors::NearestGguf
                                                           : NativeTensors::AsF16;
    auto written = exportGguf(*result->model, out.toStdString(), rtn);
    if (!written.ok())
        failError(written.error());
    done.outputPath = QFileInfo(out).absoluteFilePath().toStdString();
    done.fileBytes = int64_t(written->fileBytes);
    done.notes = written->notes;
    if (store) {
        auto added = recordCompression(*store, session.id, done);
        if (!added.ok()) failError(added.error());
        json["compression_id"] = qint64(*added);
    }

    QJsonObject measured;
    if (done.measured) {
        const ComparisonResult& c = done.measured->comparison;
        measured = QJsonObject{{"ppl_original", c.pplOriginal},
                               {"ppl_compressed", c.pplCompressed},
                               {"ppl_ratio", c.pplRatio()},
                               {"kl_mean", c.klMean},
                               {"kl_p99", c.klP99},
                               {"top1_agreement", c.top1Agreement},
                               {"tokens_scored", qint64(c.tokensScored)}};
        json["measured"] = measured;
    }
    if (p.json()) {
        json["name"] = QString::fromStdString(done.name);
        json["out"] = out;
        json["file_bytes"] = qint64(written->fileBytes);
        json["bytes"] = qint64(done.bytes);
        json["original_bytes"] = qint64(done.originalBytes);
        json["weights"] = qint64(done.weights);
        json["bits_per_weight"] = done.bitsPerWeight;
        json["notes"] = notesJson(written->notes);
        json["seconds"] = done.seconds;
        json["gram_scratch"] = entry.method.spillGrams;
        json["gptq_at_once"] = entry.method.gptqAtOnce;
        json["streamed_weights"] = job.engine.streamWeights;
        addMemoryJson(json, memory, memoryLimit, residentBefore);
        printJson(json);
        return ExitOk;
    }
    for (const std::string& n : written->notes) printLine(QStringLiteral("note: %1").arg(QString::fromStdString(n)));
    printLine(QStringLiteral("%1 tensors compressed (%2) in %3 s")
                  .arg(entry.plan.tensors.size()).arg(counts).arg(done.seconds, 0, 'f', 2));
    printLine(QStringLiteral("wrote %1: %2, %3 bits/weight (original tensors %4, %5 bits/weight)")
                  .arg(out, humanBytes(written->fileBytes))
                  .arg(done.bitsPerWeight, 0, 'f', 3)
                  .arg(humanBytes(uint64_t(done.originalBytes)))
                  .arg(done.originalBitsPerWeight, 0, 'f', 3));
    if (!measured.isEmpty())
        printLine(QStringLiteral("measured: perplexity %1 → %2 (×%3), KL mean %4, p99 %5, top-1 %6 %")
                      .arg(measured["ppl_original"].toDouble(), 0, 'f', 4)
                      .arg(measured["ppl_compressed"].toDouble(), 0, 'f', 4)
                      .arg(measured["ppl_ratio"].toDouble(), 0, 'f', 5)
                      .arg(measured["kl_mean"].toDouble(), 0, 'e', 3)
                      .arg(measured["kl_p99"].toDouble(), 0, 'e', 3)
                      .arg(100 * measured["top1_agreement"].toDouble(), 0, 'f', 2));
    printPeakMemory(memory, residentBefore);
    if (store)
        printLine(QStringLiteral("recorded as '%1' in session '%2'")
                      .arg(QString::fromStdString(done.name), QString::fromStdString(session.name)));
    return ExitOk;
}

int cmdEvalCompare(const QStringList& args)
{
    CommandParser p(QStringLiteral("eval"),
                    QStringLiteral("Measure a compressed model against its original on a text: perplexity of both, "
                                   "KL(original || compressed) of the next-token distributions, top-1 agreement."));
    p.addPositional(QStringLiteral("ORIGINAL"), QStringLiteral("The original model."));
    p.addPositional(QStringLiteral("COMPRESSED"), QStringLiteral("The compressed model (same vocabulary)."));
    p.addOption(tokenizerOption());
    p.addOption(threadsOption());
    p.addOption({QStringLiteral("text"), QStringLiteral("The text to score (UTF-8)."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("ctx"), QStringLiteral("Chunk length in tokens (default 256, capped at the model's context)."),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("chunks"), QStringLiteral("Score at most K chunks (default: all)."), QStringLiteral("K")});
    p.addOption({QStringLiteral("all-tokens"), QStringLiteral("Score every prediction in non-overlapping windows.")});
    p.addOption(perUnitOption());
    p.addOption(memoryLimitOption());
    p.parse(args, 2, 2);
    if (!p.isSet(QStringLiteral("text")))
        failUsage(QStringLiteral("eval: --text FILE is required"));
    const uint64_t memoryLimit = p.memoryLimit();
    const int threads = p.intValue(QStringLiteral("threads"), 0, 1, 1024);
    int ctx = p.intValue(QStringLiteral("ctx"), 256, 3, 1 << 20);
    const int chunks = p.intValue(QStringLiteral("chunks"), 0, 1, 1 << 30);

    ThreadLimit limit(threads);
    const QString originalPath = p.positional().at(0), compressedPath = p.positional().at(1);
    const auto original = loadModelOrExit(originalPath, p.value(QStringLiteral("tokenizer")));
    const auto compressed = loadModelOrExit(compressedPath, p.value(QStringLiteral("tokenizer")));
    const auto tok = tokenizerOrExit(*original);
    const std::string text = readTextOrExit(p.value(QStringLiteral("text")));
    if (!p.isSet(QStringLiteral("ctx")))
        ctx = std::min({ctx, original->config.nCtx, compressed->config.nCtx});
    const std::vector<int32_t> ids = tok->encode(text, tok->bos() >= 0);
    const uint64_t residentBefore = residentBeforeJob();  // the program, the models' headers, the text
    EngineOptions engineOptions;
    const Model* models[] = {original.get(), compressed.get()};
    const MemoryEstimate memory =
        memoryOrExit(fitEvaluationMemory(models, engineOptions, ctx, memoryLimit), memoryLimit, p.json(),
                     engineOptions.streamWeights ? QStringLiteral(" (weights streamed from the files: slower)") : QString());
    const auto engineA = engineOrExit(original, engineOptions);
    const auto engineB = engineOrExit(compressed, engineOptions);

    CompareOptions options;
    options.ctx = ctx;
    options.maxChunks = chunks;
    options.allTokens = p.isSet(QStringLiteral("all-tokens"));
    Progress progress = progressPrinter();
    CancelToken cancel;
    QElapsedTimer timer;
    timer.start();
    auto r = compareModels(*engineA, *engineB, ids, options, &progress, &cancel);
    endProgress();
    if (!r.ok())
        failError(r.error());
    const double seconds = double(timer.elapsed()) / 1000.0;
    const ModelSize sizeA = modelSize(*original), sizeB = modelSize(*compressed);
    std::optional<PerUnitMeasurement> perUnit;
    if (p.isSet(QStringLiteral("per-unit")))
        perUnit = measurePerUnitOrExit(*original, *compressed, ids, ctx);

    if (p.json()) {
        QJsonObject o{{"original", originalPath},
                      {"compressed", compressedPath},
                      {"ppl_original", r->pplOriginal},
                      {"ppl_compressed", r->pplCompressed},
                      {"ppl_ratio", r->pplRatio()},
                      {"mean_nll_original", r->meanNllOriginal},
                      {"mean_nll_compressed", r->meanNllCompressed},
                      {"kl_mean", r->klMean},
                      {"kl_p99", r->klP99},
                      {"kl_max", r->klMax},
                      {"top1_agreement", r->top1Agreement},
                      {"tokens_scored", qint64(r->tokensScored)},
                      {"chunks", r->chunks},
                      {"ctx", ctx},
                      {"mode", options.allTokens ? "all-tokens" : "chunked"},
                      {"file_bytes_original", qint64(original->fileBytes)},
                      {"file_bytes_compressed", qint64(compressed->fileBytes)},
                      {"bits_per_weight_original", sizeA.bitsPerWeight()},
                      {"bits_per_weight_compressed", sizeB.bitsPerWeight()},
                      {"threads", activeThreadCount()},
                      {"streamed_weights", engineOptions.streamWeights},
                      {"seconds", seconds}};
        addMemoryJson(o, memory, memoryLimit, residentBefore);
        if (perUnit) {
            o["units"] = perUnit->units;
            o["unit_seconds"] = perUnit->seconds;
        }
        printJson(o);
        return ExitOk;
    }
    printLine(QStringLiteral("perplexity  original %1   compressed %2   ratio %3")
                  .arg(r->pplOriginal, 0, 'f', 4).arg(r->pplCompressed, 0, 'f', 4).arg(r->pplRatio(), 0, 'f', 5));
    printLine(QStringLiteral("KL(original || compressed)  mean %1   p99 %2   max %3 nats")
                  .arg(r->klMean, 0, 'g', 5).arg(r->klP99, 0, 'g', 5).arg(r->klMax, 0, 'g', 5));
    printLine(QStringLiteral("top-1 agreement %1 %   (%2 tokens scored in %3 chunks of %4, %5 s)")
                  .arg(100.0 * r->top1Agreement, 0, 'f', 2).arg(r->tokensScored).arg(r->chunks).arg(ctx).arg(seconds, 0, 'f', 2));
    printLine(QStringLiteral("size  original %1 (%2 bits/weight)   compressed %3 (%4 bits/weight)")
                  .arg(humanBytes(original->fileBytes)).arg(sizeA.bitsPerWeight(), 0, 'f', 3)
                  .arg(humanBytes(compressed->fileBytes)).arg(sizeB.bitsPerWeight(), 0, 'f', 3));
    printPeakMemory(memory, residentBefore);
    if (perUnit) printPerUnitTable(*perUnit);
    return ExitOk;
}

int cmdExport(const QStringList& args)
{
    CommandParser p(QStringLiteral("export"),
                    QStringLiteral("Write a model as GGUF (tensors as they are) or as a Hugging Face folder "
                                   "(config.json, model.safetensors dequantized to --dtype, tokenizer.json)."));
    p.addPositional(QStringLiteral("MODEL"), QStringLiteral("A .gguf file, a Hugging Face folder, or a llama2.c .bin."));
    p.addOption(tokenizerOption());
    p.addOption(threadsOption());
    p.addOption({QStringLiteral("out"), QStringLiteral("The .gguf file, or the folder for safetensors."), QStringLiteral("PATH")});
    p.addOption({QStringLiteral("format"), QStringLiteral("gguf or safetensors (default: gguf when PATH ends in .gguf)."),
                 QStringLiteral("F")});
    p.addOption({QStringLiteral("dtype"), QStringLiteral("safetensors element type: f16 (default), bf16 or f32."),
                 QStringLiteral("T")});
    p.parse(args, 1, 1);
    const QString out = p.value(QStringLiteral("out"));
    if (out.isEmpty())
        failUsage(QStringLiteral("export: --out PATH is required"));
    QString format = p.value(QStringLiteral("format")).toLower();
    if (format.isEmpty()) {
        if (!out.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
            failUsage(QStringLiteral("export: --format gguf|safetensors is required when PATH does not end in .gguf"));
        format = QStringLiteral("gguf");
    }
    if (format != QLatin1String("gguf") && format != QLatin1String("safetensors"))
        failUsage(QStringLiteral("export: --format '%1' is not supported, expected gguf or safetensors").arg(format));
    const QString dtypeText = p.value(QStringLiteral("dtype")).toLower();
    if (format == QLatin1String("gguf") && !dtypeText.isEmpty())
        failUsage(QStringLiteral("export: --dtype applies to safetensors; GGUF keeps each tensor's type "
                                 "(use precis-cli compress --uniform F16 to convert)"));
    static const std::map<QString, DType> kDtypes = {
        {QStringLiteral("f16"), DType::F16}, {QStringLiteral("bf16"), DType::BF16}, {QStringLiteral("f32"), DType::F32}};
    const auto dt = kDtypes.find(dtypeText.isEmpty() ? QStringLiteral("f16") : dtypeText);
    if (dt == kDtypes.end())
        failUsage(QStringLiteral("export: --dtype '%1' is not supported, expected f16, bf16 or f32").arg(dtypeText));
    requireParentFolder(out);
    const int threads = p.intValue(QStringLiteral("threads"), 0, 1, 1024);
    ThreadLimit limit(threads);

    const auto model = loadModelOrExit(p.positional().at(0), p.value(QStringLiteral("tokenizer")));
    QElapsedTimer timer;
    timer.start();
    Progress progress = progressPrinter();
    auto r = format == QLatin1String("gguf") ? exportGguf(*model, out.toStdString())
                                             : exportSafetensors(*model, out.toStdString(), dt->second, &progress);
    endProgress();
    if (!r.ok())
        failError(r.error());
    const double seconds = double(timer.elapsed()) / 1000.0;
    if (p.json()) {
        QJsonObject o{{"out", out}, {"format", format}, {"file_bytes", qint64(r->fileBytes)},
                      {"notes", notesJson(r->notes)}, {"seconds", seconds}};
        if (format == QLatin1String("safetensors")) o["dtype"] = dtypeLabel(dt->second);
        printJson(o);
        return ExitOk;
    }
    for (const std::string& n : r->notes) printLine(QStringLiteral("note: %1").arg(QString::fromStdString(n)));
    printLine(QStringLiteral("wrote %1 (%2, %3) in %4 s")
                  .arg(out, format == QLatin1String("gguf") ? QStringLiteral("GGUF")
                                                            : QStringLiteral("safetensors %1").arg(dtypeLabel(dt->second)),
                       humanBytes(r->fileBytes))
                  .arg(seconds, 0, 'f', 2));
    return ExitOk;
}

} // namespace precis::cli
