// Analyze ▸ Calibrate, the part that runs on the job thread: the calibration
// sequences are cut from a text file (or written by the model itself), the
// model's weights are dequantized into Parameters, and core/sensitivity's
// runCalibration runs on them. Nothing here computes what the core computes;
// every bad setting is reported with the core's message.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "sensitivity/calibration.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <memory>

namespace precis {
class Engine;
class Model;
class Tokenizer;
}

namespace precis::app {

// What the calibration dialog asks for.
struct CalibrationRequest {
    QString textPath;       // UTF-8 text; empty: the model writes its own sequences
    int sequences = 32;     // N
    int length = 256;       // T predictions per sequence
    uint64_t seed = 1;      // window offsets, or the sampling of self-generated text
    sensitivity::CalibrationSettings settings;
    // Where the run is stored (core/session): the database, and the session to
    // add it to (0: the job creates one named after the model file).
    QString databasePath;
    int64_t sessionId = 0;
};

// Where a finished (or partially saved) run went.
struct StoredRun {
    int64_t sessionId = 0;
    QString sessionName;
    int64_t runId = 0;
};

// The model's inference engine, created on first use (self-generated text only).
using EngineSource = std::function<Result<std::shared_ptr<const Engine>>()>;

// The whole job. `progress` runs over [0, 1] once (self-generation takes the
// first fifth); `onPartial` receives the core's snapshots on this thread. With
// a database path, the job (on its own connection) records the model (its
// SHA-256), creates the session when needed, begins a run, saves every
// snapshot as one step and finishes the run (done, cancelled or failed);
// `stored` tells where, also when the run failed after it began.
Result<sensitivity::SensitivityReport> runCalibrationJob(const Model& model, const Tokenizer& tokenizer,
                                                         const EngineSource& engine,
                                                         const CalibrationRequest& request, Progress& progress,
                                                         const CancelToken& cancel,
                                                         const sensitivity::PartialReport& onPartial,
                                                         StoredRun* stored = nullptr);

} // namespace precis::app
