#include "calibration_job.h"

#include "common/mapped_file.h"
#include "engine/engine.h"
#include "model/model.h"
#include "sensitivity/report_store.h"
#include "session/session_store.h"
#include "tokenizer/tokenizer.h"
#include "train/parameters.h"

#include <QFileInfo>

#include <chrono>
#include <nlohmann/json.hpp>

namespace precis::app {

namespace {
constexpr double kSelfGenerationShare = 0.2;  // of the progress bar, when the model writes the text
}

Result<sensitivity::SensitivityReport> runCalibrationJob(const Model& model, const Tokenizer& tokenizer,
                                                         const EngineSource& engine,
                                                         const CalibrationRequest& request, Progress& progress,
                                                         const CancelToken& cancel,
                                                         const sensitivity::PartialReport& onPartial,
                                                         StoredRun* stored)
{
    const auto cancelled = [] { return makeError(ErrorCode::Cancelled, {}, "calibration cancelled"); };
    const bool selfGenerated = request.textPath.isEmpty();
    const double offset = selfGenerated ? kSelfGenerationShare : 0.0;

    sensitivity::CalibrationSet set;
    if (selfGenerated) {
        progress.report(0.0, "Preparing the engine");
        PRECIS_TRY_ASSIGN(auto eng, engine());
        Progress sub([&](double f, const std::string& stage) { progress.report(offset * f, stage); });
        PRECIS_TRY_ASSIGN(set, sensitivity::calibrationSelfGenerated(*eng, tokenizer, request.sequences, request.length,
                                                                     request.seed, &sub, &cancel));
    } else {
        const std::string path = request.textPath.toStdString();
        progress.report(0.0, "Reading " + path);
        PRECIS_TRY_ASSIGN(std::string text, readTextFile(path));
        PRECIS_TRY_ASSIGN(set, sensitivity::calibrationFromText(text, path, tokenizer, model.config, request.sequences,
                                                                request.length, request.seed));
    }
    if (cancel.cancelled()) return cancelled();

    progress.report(offset, "Preparing the weights");
    PRECIS_TRY_ASSIGN(Parameters params, parametersFromModel(model));
    if (cancel.cancelled()) return cancelled();

    Progress sub([&](double f, const std::string& stage) { progress.report(offset + (1.0 - offset) * f, stage); });
    if (request.databasePath.isEmpty()) {
        PRECIS_TRY_ASSIGN(auto out, sensitivity::runCalibration(params, set, request.settings, &sub, &cancel, onPartial));
        return std::move(out.report);
    }

    // The session: model record (hashing the file), session, run.
    progress.report(offset, "Recording the model in the session database");
    PRECIS_TRY_ASSIGN(SessionStore store, SessionStore::open(request.databasePath.toStdString()));
    PRECIS_TRY_ASSIGN(int64_t modelId, store.addModelFile(model.path, model.config.archName, params.count(), &cancel));
    StoredRun where;
    where.sessionId = request.sessionId;
    if (where.sessionId == 0) {
        const std::string base = QFileInfo(QString::fromStdString(model.path)).completeBaseName().toStdString();
        PRECIS_TRY_ASSIGN(where.sessionId, store.createSessionUnique(base, modelId));
    }
    PRECIS_TRY_ASSIGN(SessionInfo info, store.session(where.sessionId));
    where.sessionName = QString::fromStdString(info.name);
    nlohmann::json settings;
    settings["source"] = set.source;
    settings["sequences"] = set.sequences;
    settings["length"] = set.length;
    settings["seed"] = request.seed;
    settings["options"] = request.settings.options;
    settings["probe_options"] = request.settings.probeOptions;
    settings["measure"] = request.settings.measure;
    settings["head_ablation"] = request.settings.headAblation;
    settings["measure_sequences"] = request.settings.measureSequences;
    PRECIS_TRY_ASSIGN(where.runId, store.beginRun(where.sessionId, settings.dump()));
    if (stored) *stored = where;

    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    // A failed save (disk full, ...) stops the saving; the run then ends with its error.
    Error saveError;
    bool saveFailed = false;
    auto out = sensitivity::runCalibration(params, set, request.settings, &sub, &cancel,
                                           [&](const sensitivity::SensitivityReport& r) {
                                               if (!saveFailed) {
                                                   auto saved = sensitivity::saveReport(store, where.runId, r);
                                                   if (!saved.ok()) saveFailed = true, saveError = saved.error();
                                               }
                                               if (onPartial) onPartial(r);
                                           });
    if (saveFailed) {
        (void)store.finishRun(where.runId, RunStatus::Failed, 0, seconds());
        return saveError;
    }
    if (!out.ok()) {
        const bool wasCancelled = out.error().code == ErrorCode::Cancelled;
        (void)store.finishRun(where.runId, wasCancelled ? RunStatus::Cancelled : RunStatus::Failed, 0, seconds());
        return out.error();
    }
    PRECIS_TRY(sensitivity::saveReport(store, where.runId, out->report, &out->stats));
    PRECIS_TRY(store.finishRun(where.runId, RunStatus::Done, out->report.tokens, seconds()));
    return std::move(out->report);
}

} // namespace precis::app
