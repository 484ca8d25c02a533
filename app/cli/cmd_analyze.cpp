// `precis-cli analyze` (a calibration run stored in a session) and
// `precis-cli report` (what a stored run found).
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/cli_session.h"

#include "common/memory.h"
#include "common/threads.h"
#include "engine/engine.h"
#include "sensitivity/calibration.h"
#include "sensitivity/calibration_memory.h"
#include "sensitivity/report_store.h"
#include "session/session_calibration.h"
#include "session/session_store.h"
#include "train/parameters.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <csignal>

namespace precis::cli {

namespace {

using namespace precis::sensitivity;

std::atomic<CancelToken*> g_cancel{nullptr};

extern "C" void onInterrupt(int)
{
    if (CancelToken* c = g_cancel.load()) c->cancel();
}

SessionStore openStoreOrExit(const QString& path)
{
    auto store = SessionStore::open(path.toStdString());
    if (!store.ok()) failError(store.error());
    return std::move(store).value();
}

std::vector<std::string> splitList(const QString& s)
{
    std::vector<std::string> out;
    for (const QString& part : s.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!part.trimmed().isEmpty()) out.push_back(part.trimmed().toStdString());
    return out;
}

QJsonArray correlationsJson(const SensitivityReport& r)
{
    QJsonArray a;
    for (const Correlation& c : r.correlations)
        a.append(QJsonObject{{"proxy", QString::fromStdString(c.proxy)},
                             {"measured", QString::fromStdString(c.measured)},
                             {"kind", QString::fromLatin1(unitKindName(c.kind))},
                             {"units", c.units},
                             {"spearman", std::isfinite(c.spearman) ? QJsonValue(c.spearman) : QJsonValue()}});
    return a;
}

void printCorrelations(const SensitivityReport& r)
{
    if (r.correlations.empty()) return;
    printLine(QStringLiteral("\nHow well each proxy ranks units as the measurement does (Spearman ρ):"));
    printLine(QStringLiteral("  %1 %2 %3 %4 %5")
                  .arg(QStringLiteral("kind"), -7)
                  .arg(QStringLiteral("proxy"), -18)
                  .arg(QStringLiteral("measured"), -22)
                  .arg(QStringLiteral("units"), 5)
                  .arg(QStringLiteral("rho"), 7));
    for (const Correlation& c : r.correlations)
        printLine(QStringLiteral("  %1 %2 %3 %4 %5")
                      .arg(QString::fromLatin1(unitKindName(c.kind)), -7)
                      .arg(QString::fromStdString(c.proxy), -18)
                      .arg(QString::fromStdString(c.measured), -22)
                      .arg(c.units, 5)
                      .arg(std::isfinite(c.spearman) ? QString::number(c.spearman, 'f', 3) : QStringLiteral("n/a"), 7));
}

// The K largest values of one metric (and option) for one kind of unit.
std::vector<UnitValue> topUnits(const SensitivityReport& r, const std::string& metric, const std::string& option,
                                const std::string& kind, int k)
{
    std::vector<UnitValue> v;
    for (const UnitValue& x : r.values)
        if (x.metric == metric && x.option == option && unitKindName(x.kind) == kind) v.push_back(x);
    std::sort(v.begin(), v.end(), [](const UnitValue& a, const UnitValue& b) { return a.value > b.value; });
    if (int(v.size()) > k) v.resize(size_t(k));
    return v;
}

// Metrics that take an option need one: the report's reference option by default.
std::string optionFor(const SensitivityReport& r, const std::string& metric, const QString& given)
{
    if (!given.isEmpty()) return given.toStdString();
    for (const UnitValue& v : r.values)
        if (v.metric == metric) return v.option.empty() ? std::string() : r.referenceOption;
    return {};
}

} // namespace

int cmdAnalyze(const QStringList& args)
{
    CommandParser p(QStringLiteral("analyze"),
                    QStringLiteral("Calibration run: sensitivity of every tensor, head, layer and 8×8 chunk, stored "
                                   "in a session database (partial results are saved after every batch)."));
    p.addPositional(QStringLiteral("MODEL"), QStringLiteral("A .gguf file, a Hugging Face folder, or a llama2.c .bin."));
    p.addOption({QStringLiteral("calib"), QStringLiteral("Calibration text file."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("self-calib"), QStringLiteral("Calibrate on text the model generates itself.")});
    p.addOption({QStringLiteral("seqs"), QStringLiteral("Sequences N (default 32)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("len"), QStringLiteral("Tokens per sequence T (default 256, at most the context)."), QStringLiteral("T")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("Seed for window offsets / generation (default 1)."), QStringLiteral("S")});
    p.addOption({QStringLiteral("session"), QStringLiteral("Session database file (created if missing)."), QStringLiteral("DB")});
    p.addOption({QStringLiteral("name"), QStringLiteral("Session name in the database (default: the model's file name)."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("options"), QStringLiteral("Options to predict damage for, comma-separated (default: all standard schemes and RTN 2–8 bits)."), QStringLiteral("LIST")});
    p.addOption({QStringLiteral("probes"), QStringLiteral("Options measured per unit (default Q4_K,Q4_0)."), QStringLiteral("LIST")});
    p.addOption({QStringLiteral("measure-seqs"), QStringLiteral("Sequences used for measurements (default 8)."), QStringLiteral("M")});
    p.addOption({QStringLiteral("measure-units"), QStringLiteral("Measure at most N tensors and N heads per probe (and N head ablations), spread evenly over the model (default 64; 0: all)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("batch"), QStringLiteral("Sequences per forward+backward batch (default 2)."), QStringLiteral("B")});
    p.addOption({QStringLiteral("gram-limit"), QStringLiteral("Keep the full input Gram matrix up to this many inputs, else its diagonal (default 4096)."), QStringLiteral("K")});
    p.addOption({QStringLiteral("damage-sketch"), QStringLiteral("Predict damage on full Gram matrices wider than 4 × M inputs from their Nyström sketch of M columns plus the exact diagonal (default 256; 0: always exact)."), QStringLiteral("M")});
    p.addOption({QStringLiteral("damage-rows"), QStringLiteral("Predict each option's damage from at most N rows of each tensor, spread evenly (over each head's rows in q/k/v); a sampled row's error is exact (default 1024; 0: every row)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("no-measure"), QStringLiteral("Skip the measured single-unit damage.")});
    p.addOption({QStringLiteral("no-ablation"), QStringLiteral("Skip head ablation.")});
    p.addOption({QStringLiteral("scratch"), QStringLiteral("Folder for the Gram matrices when they are spilled to a scratch file to fit the memory limit (default: the system's temporary folder)."), QStringLiteral("DIR")});
    p.addOption(threadsOption());
    p.addOption(memoryLimitOption());
    p.addOption(tokenizerOption());
    p.parse(args, 1, 1);
    if (p.isSet(QStringLiteral("calib")) == p.isSet(QStringLiteral("self-calib")))
        failUsage(QStringLiteral("analyze: give exactly one of --calib FILE or --self-calib"));
    if (!p.isSet(QStringLiteral("session"))) failUsage(QStringLiteral("analyze: --session DB is required"));
    const int N = p.intValue(QStringLiteral("seqs"), 32, 1, 65536);
    int T = p.intValue(QStringLiteral("len"), 256, 2, 65536);
    const auto seed = uint64_t(p.intValue(QStringLiteral("seed"), 1, 0, INT32_MAX));
    CalibrationSettings settings;
    settings.measureSequences = p.intValue(QStringLiteral("measure-seqs"), 8, 1, 65536);
    settings.batchSequences = p.intValue(QStringLiteral("batch"), 2, 1, 1024);
    settings.measureUnits = p.intValue(QStringLiteral("measure-units"), 64, 0, 1 << 20);
    settings.fullGramLimit = p.intValue(QStringLiteral("gram-limit"), 4096, 0, 1 << 20);
    settings.damageSketch = p.intValue(QStringLiteral("damage-sketch"), 256, 0, 65536);
    settings.damageRows = p.intValue(QStringLiteral("damage-rows"), 1024, 0, 1 << 30);
    settings.measure = !p.isSet(QStringLiteral("no-measure"));
    settings.headAblation = !p.isSet(QStringLiteral("no-ablation"));
    if (p.isSet(QStringLiteral("options"))) settings.options = splitList(p.value(QStringLiteral("options")));
    if (p.isSet(QStringLiteral("probes"))) settings.probeOptions = splitList(p.value(QStringLiteral("probes")));
    settings.scratchDir = p.value(QStringLiteral("scratch")).toStdString();
    if (p.isSet(QStringLiteral("scratch")) && !QFileInfo(p.value(QStringLiteral("scratch"))).isDir())
        failUsage(QStringLiteral("analyze: --scratch %1: no such folder, expected a folder for scratch files")
                      .arg(p.value(QStringLiteral("scratch"))));
    ThreadLimit limit(p.intValue(QStringLiteral("threads"), 0, 1, 1024));
    const uint64_t memoryLimit = p.memoryLimit();

    const QString modelPath = p.positional().at(0);
    const auto model = loadModelOrExit(modelPath, p.value(QStringLiteral("tokenizer")));
    const auto tok = tokenizerOrExit(*model);
    if (model->config.nCtx > 0 && T > model->config.nCtx) T = model->config.nCtx;
    const uint64_t residentBefore = residentBeforeJob();  // the program and the model's header: outside the estimate
    // Refused before anything long starts when it would not fit.
    auto fitted = fitCalibrationMemory(model->config, N, T, settings, memoryLimit);
    QString changes;
    if (fitted.ok() && !settings.residualCache) changes += QStringLiteral(" (no residual cache: slower measurements)");
    if (fitted.ok() && settings.spillGrams)
        changes += QStringLiteral(" (Gram matrices in a scratch file in %1)")
                       .arg(settings.scratchDir.empty() ? QStringLiteral("the temporary folder")
                                                        : QString::fromStdString(settings.scratchDir));
    const MemoryEstimate memory = memoryOrExit(fitted, memoryLimit, p.json(), changes);

    CancelToken cancel;
    g_cancel = &cancel;
    std::signal(SIGINT, onInterrupt);
    Progress progress([](double f, const std::string& stage) {
        printProgress(QStringLiteral("%1% %2").arg(int(f * 100)).arg(QString::fromStdString(stage)));
    });

    // The calibration set.
    CalibrationRunSettings run;
    run.textPath = p.isSet(QStringLiteral("calib")) ? p.value(QStringLiteral("calib")).toStdString() : std::string();
    run.sequences = N;
    run.length = T;
    run.seed = seed;
    run.settings = settings;
    std::unique_ptr<Engine> engine;
    if (run.textPath.empty()) {
        auto created = Engine::create(model);
        if (!created.ok()) failError(created.error());
        engine = std::move(created).value();
    }
    auto set = calibrationSet(run, *model, *tok, engine.get(), &progress, &cancel);
    if (!set.ok()) failError(set.error());
    auto params = storedParameters(*model);  // weights as stored, read block by block
    if (!params.ok()) failError(params.error());

    // The session: one per model file unless named.
    SessionStore store = openStoreOrExit(p.value(QStringLiteral("session")));
    const std::string name = p.isSet(QStringLiteral("name")) ? p.value(QStringLiteral("name")).toStdString()
                                                             : QFileInfo(modelPath).completeBaseName().toStdString();
    auto session = sessionForModel(store, *model, 0, name, &cancel);
    if (!session.ok()) failError(session.error());
    const int64_t sessionId = session->id;

    QElapsedTimer timer;
    timer.start();
    StoredRun stored;
    auto out = calibrateInSession(store, sessionId, *params, *set, run, &progress, &cancel, {}, &stored);
    g_cancel = nullptr;
    std::signal(SIGINT, SIG_DFL);
    endProgress();
    const double seconds = double(timer.elapsed()) / 1000.0;
    if (!out.ok()) failError(out.error());

    const SensitivityReport& r = out->report;
    const std::string ow = metric::OutputWeighted;
    const auto top = topUnits(r, ow, r.referenceOption, "tensor", 5);
    if (p.json()) {
        QJsonObject stagesJson;
        for (const auto& [stage, s] : r.stageSeconds) stagesJson.insert(QString::fromStdString(stage), s);
        QJsonArray topJson;
        for (const UnitValue& v : top)
            topJson.append(QJsonObject{{"unit", QString::fromStdString(v.unit)}, {"value", v.value}});
        QJsonObject o{{"session", QString::fromStdString(name)},
                              {"session_id", qint64(sessionId)},
                              {"run_id", qint64(stored.runId)},
                              {"tokens", qint64(r.tokens)},
                              {"seconds", seconds},
                              {"stage_seconds", stagesJson},
                              {"residual_cache", settings.residualCache},
                              {"gram_scratch", settings.spillGrams},
                              {"baseline_loss", r.baselineLoss},
                              {"values", qint64(r.values.size())},
                              {"chunk_maps", qint64(r.chunks.size())},
                              {"reference_option", QString::fromStdString(r.referenceOption)},
                              {"top_tensors", topJson},
                              {"correlations", correlationsJson(r)}};
        addMemoryJson(o, memory, memoryLimit, residentBefore);
        printJson(o);
        return ExitOk;
    }
    printLine(QStringLiteral("session '%1' run %2: %3 tokens (%4), %5 s, baseline loss %6")
                  .arg(QString::fromStdString(name))
                  .arg(stored.runId)
                  .arg(r.tokens)
                  .arg(QString::fromStdString(set->source))
                  .arg(seconds, 0, 'f', 1)
                  .arg(r.baselineLoss, 0, 'f', 4));
    QStringList stages;
    for (const auto& [stage, s] : r.stageSeconds)
        stages << QStringLiteral("%1 %2 s").arg(QString::fromStdString(stage)).arg(s, 0, 'f', 1);
    printLine(QStringLiteral("stages: %1").arg(stages.join(QStringLiteral(", "))));
    printPeakMemory(memory, residentBefore);
    printLine(QStringLiteral("%1 values, %2 chunk maps stored in %3")
                  .arg(r.values.size())
                  .arg(r.chunks.size())
                  .arg(p.value(QStringLiteral("session"))));
    printLine(QStringLiteral("\nMost sensitive tensors (predicted Δloss at %1, nats/token):")
                  .arg(QString::fromStdString(r.referenceOption)));
    for (const UnitValue& v : top)
        printLine(QStringLiteral("  %1 %2").arg(QString::fromStdString(v.unit), -28).arg(v.value, 0, 'e', 3));
    printCorrelations(r);
    return ExitOk;
}

int cmdReport(const QStringList& args)
{
    CommandParser p(QStringLiteral("report"),
                    QStringLiteral("What a stored calibration run found: the most sensitive units by a metric, and "
                                   "how well each proxy predicted the measured damage."));
    p.addOption({QStringLiteral("session"), QStringLiteral("Session database file."), QStringLiteral("DB")});
    p.addOption({QStringLiteral("name"), QStringLiteral("Session name (default: the most recently used)."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("run"), QStringLiteral("Run id (default: the session's latest)."), QStringLiteral("ID")});
    p.addOption({QStringLiteral("metric"), QStringLiteral("ow_err (default), fisher, taylor, gradmag, gate, ablation, measured_dloss, measured_kl."), QStringLiteral("M")});
    p.addOption({QStringLiteral("option"), QStringLiteral("Option of a per-option metric (default: the run's reference option)."), QStringLiteral("O")});
    p.addOption({QStringLiteral("kind"), QStringLiteral("tensor (default), head or layer."), QStringLiteral("K")});
    p.addOption({QStringLiteral("top"), QStringLiteral("Units to list (default 10)."), QStringLiteral("K")});
    p.parse(args, 0, 0);
    if (!p.isSet(QStringLiteral("session"))) failUsage(QStringLiteral("report: --session DB is required"));
    const std::string kind = p.isSet(QStringLiteral("kind")) ? p.value(QStringLiteral("kind")).toStdString() : "tensor";
    if (kind != "tensor" && kind != "head" && kind != "layer")
        failUsage(QStringLiteral("report: --kind must be tensor, head or layer"));
    const int topK = p.intValue(QStringLiteral("top"), 10, 1, 1 << 20);
    SessionStore store = openSessionStoreOrExit(p.value(QStringLiteral("session")), QStringLiteral("report"));
    const SessionInfo session = pickSessionOrExit(store, p.value(QStringLiteral("name")), QStringLiteral("report"));
    int64_t runId = 0;
    if (p.isSet(QStringLiteral("run"))) {
        runId = p.intValue(QStringLiteral("run"), 0, 1, INT32_MAX);
    } else {
        auto latest = store.latestRun(session.id);
        if (!latest.ok()) failError(latest.error());
        if (!*latest) failInput(QStringLiteral("report: session '%1' has no calibration run").arg(QString::fromStdString(session.name)));
        runId = (*latest)->id;
    }
    auto run = store.run(runId);
    if (!run.ok()) failError(run.error());
    auto report = loadReport(store, runId);
    if (!report.ok()) failError(report.error());
    auto check = store.checkModel(session.model.id);
    if (!check.ok()) failError(check.error());
    const bool changed = check->changed();

    const std::string metric = p.isSet(QStringLiteral("metric")) ? p.value(QStringLiteral("metric")).toStdString()
                                                                 : sensitivity::metric::OutputWeighted;
    const std::string option = optionFor(*report, metric, p.value(QStringLiteral("option")));
    const auto top = topUnits(*report, metric, option, kind, topK);
    if (top.empty())
        failInput(QStringLiteral("report: run %1 has no values of metric '%2'%3 for %4 units")
                      .arg(runId)
                      .arg(QString::fromStdString(metric),
                           option.empty() ? QString() : QStringLiteral(" at option '%1'").arg(QString::fromStdString(option)),
                           QString::fromStdString(kind)));
    const QString status = QString::fromUtf8(runStatusName(run->status).data(), qsizetype(runStatusName(run->status).size()));
    if (p.json()) {
        QJsonArray units;
        for (const UnitValue& v : top) units.append(QJsonObject{{"unit", QString::fromStdString(v.unit)}, {"value", v.value}});
        printJson(QJsonObject{{"session", QString::fromStdString(session.name)},
                              {"run_id", qint64(runId)},
                              {"status", status},
                              {"model", QString::fromStdString(session.model.path)},
                              {"model_changed", changed},
                              {"tokens", qint64(report->tokens)},
                              {"metric", QString::fromStdString(metric)},
                              {"option", QString::fromStdString(option)},
                              {"kind", QString::fromStdString(kind)},
                              {"units", units},
                              {"correlations", correlationsJson(*report)}});
        return ExitOk;
    }
    printLine(QStringLiteral("session '%1', run %2 (%3): %4 tokens, model %5")
                  .arg(QString::fromStdString(session.name))
                  .arg(runId)
                  .arg(status)
                  .arg(report->tokens)
                  .arg(QString::fromStdString(session.model.path)));
    if (changed)
        printLine(QStringLiteral("warning: the model file has changed or is missing since this session was made "
                                 "(sha256 differs); these results describe the old file"));
    printLine(QStringLiteral("\nTop %1 %2 units by %3%4:")
                  .arg(top.size())
                  .arg(QString::fromStdString(kind), QString::fromStdString(metric),
                       option.empty() ? QString() : QStringLiteral(" @ %1").arg(QString::fromStdString(option))));
    for (const UnitValue& v : top)
        printLine(QStringLiteral("  %1 %2").arg(QString::fromStdString(v.unit), -28).arg(v.value, 0, 'e', 4));
    printCorrelations(*report);
    return ExitOk;
}

} // namespace precis::cli
