#include "calibration_job.h"

#include "engine/engine.h"
#include "sensitivity/calibration_memory.h"
#include "model/model.h"
#include "session/session_store.h"
#include "tokenizer/tokenizer.h"
#include "train/parameters.h"

namespace precis::app {

namespace {
constexpr double kSelfGenerationShare = 0.2;  // of the progress bar, when the model writes the text
}

CalibrationRunSettings CalibrationRequest::runSettings() const
{
    CalibrationRunSettings r;
    r.textPath = textPath.toStdString();
    r.sequences = sequences;
    r.length = length;
    r.seed = seed;
    r.settings = settings;
    return r;
}

Result<sensitivity::SensitivityReport> runCalibrationJob(const Model& model, const Tokenizer& tokenizer,
                                                         const EngineSource& engine,
                                                         const CalibrationRequest& request, Progress& progress,
                                                         const CancelToken& cancel,
                                                         const sensitivity::PartialReport& onPartial,
                                                         StoredRun* stored)
{
    const auto cancelled = [] { return makeError(ErrorCode::Cancelled, {}, "calibration cancelled"); };
    CalibrationRunSettings run = request.runSettings();
    // Refused before anything long starts when it would not fit.
    PRECIS_TRY(sensitivity::fitCalibrationMemory(model.config, run.sequences, run.length, run.settings,
                                                 request.memoryLimit ? request.memoryLimit : defaultMemoryLimit()));
    const double offset = run.textPath.empty() ? kSelfGenerationShare : 0.0;

    std::shared_ptr<const Engine> eng;
    if (run.textPath.empty()) {
        progress.report(0.0, "Preparing the engine");
        PRECIS_TRY_ASSIGN(eng, engine());
    }
    Progress gen([&](double f, const std::string& stage) { progress.report(offset * f, stage); });
    PRECIS_TRY_ASSIGN(const sensitivity::CalibrationSet set,
                      calibrationSet(run, model, tokenizer, eng.get(), &gen, &cancel));
    if (cancel.cancelled()) return cancelled();

    progress.report(offset, "Preparing the weights");
    PRECIS_TRY_ASSIGN(Parameters params, storedParameters(model));  // weights as stored, read block by block
    if (cancel.cancelled()) return cancelled();

    Progress sub([&](double f, const std::string& stage) { progress.report(offset + (1.0 - offset) * f, stage); });
    if (request.databasePath.isEmpty()) {
        PRECIS_TRY_ASSIGN(auto out, sensitivity::runCalibration(params, set, run.settings, &sub, &cancel, onPartial));
        return std::move(out.report);
    }
    progress.report(offset, "Recording the model in the session database");
    PRECIS_TRY_ASSIGN(SessionStore store, SessionStore::open(request.databasePath.toStdString()));
    PRECIS_TRY_ASSIGN(const SessionInfo session, sessionForModel(store, model, request.sessionId, {}, &cancel));
    PRECIS_TRY_ASSIGN(auto out, calibrateInSession(store, session.id, params, set, run, &sub, &cancel, onPartial, stored));
    return std::move(out.report);
}

} // namespace precis::app
