// Calibration runs in a session (DESIGN.md §5, §10), for the studio (Analyze ▸
// Calibrate) and the CLI (analyze) alike: which session a job on a model
// records into, the run's settings record, and the run itself with every
// partial report saved as one step.
//
// settings_json {"source": str (the file, or "self-generated (seed S)"),
//                "text": path | "" (self-generated), "sequences": N, "length": T, "seed": S,
//                "batch_sequences", "full_gram_limit", "damage_sketch" (absent: 0, exact),
//                "measure_units" (absent: 0, all),
//                "options": [str], "probe_options": [str],
//                "measure": bool, "head_ablation": bool, "measure_sequences": M}
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "model/model.h"
#include "sensitivity/calibration.h"
#include "session/session_store.h"
#include "train/parameters.h"

#include <cstdint>
#include <string>

namespace precis {

// The session a job on `model` records into (its model record is added first,
// hashing the file): `sessionId` when not 0; else the session named `name`,
// created when missing and refused when it belongs to another model file; else
// (empty name) a new session named after the model file ("model", "model (2)", ...).
Result<SessionInfo> sessionForModel(SessionStore& store, const Model& model, int64_t sessionId,
                                    const std::string& name, const CancelToken* cancel = nullptr);

struct CalibrationRunSettings {
    std::string textPath;  // the text read; empty: the model wrote its own sequences
    int sequences = 32;    // N
    int length = 256;      // T
    uint64_t seed = 1;
    sensitivity::CalibrationSettings settings;
};
// source: the calibration set's (CalibrationSet::source).
std::string calibrationSettingsJson(const CalibrationRunSettings& settings, const std::string& source);
// Errors (Format) name the run and the field.
Result<CalibrationRunSettings> parseCalibrationSettings(const CalibrationRun& run);

// The calibration set the settings describe: N windows of the text file, or
// sequences the model writes itself (then `engine` is needed; progress covers
// the generation).
Result<sensitivity::CalibrationSet> calibrationSet(const CalibrationRunSettings& settings, const Model& model,
                                                   const Tokenizer& tokenizer, const Engine* engine,
                                                   Progress* progress = nullptr, const CancelToken* cancel = nullptr);

struct StoredRun {
    int64_t sessionId = 0;
    std::string sessionName;
    int64_t runId = 0;
};

// Runs the calibration and keeps it under a new run of session `sessionId`:
// the settings, each partial report as one step (a killed run keeps its last
// finished batch), the final report with the per-layer input statistics, and
// the run's status (done, cancelled, failed) and wall time. `stored` (optional)
// tells where as soon as the run is begun. onPartial receives the reports too.
// A failed save stops the run, which ends as failed with the save's error.
Result<sensitivity::CalibrationOutput> calibrateInSession(SessionStore& store, int64_t sessionId,
                                                          const Parameters& params,
                                                          const sensitivity::CalibrationSet& set,
                                                          const CalibrationRunSettings& settings, Progress* progress,
                                                          const CancelToken* cancel,
                                                          const sensitivity::PartialReport& onPartial = {},
                                                          StoredRun* stored = nullptr);

} // namespace precis
