#include "calibration_job.h"

#include "common/mapped_file.h"
#include "engine/engine.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "train/parameters.h"

namespace precis::app {

namespace {
constexpr double kSelfGenerationShare = 0.2;  // of the progress bar, when the model writes the text
}

Result<sensitivity::SensitivityReport> runCalibrationJob(const Model& model, const Tokenizer& tokenizer,
                                                         const EngineSource& engine,
                                                         const CalibrationRequest& request, Progress& progress,
                                                         const CancelToken& cancel,
                                                         const sensitivity::PartialReport& onPartial)
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
    PRECIS_TRY_ASSIGN(auto out, sensitivity::runCalibration(params, set, request.settings, &sub, &cancel, onPartial));
    return std::move(out.report);
}

} // namespace precis::app
