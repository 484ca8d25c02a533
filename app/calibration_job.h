// Analyze ▸ Calibrate, the part that runs on the job thread: the same core
// functions as precis-cli analyze (session/session_calibration.h) — the
// calibration set from a text file (or written by the model itself), the
// session the run goes into, and the run with every partial report saved.
// Nothing here computes what the core computes; every bad setting is reported
// with the core's message.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "eval/compress_job.h"  // EngineSource
#include "sensitivity/calibration.h"
#include "session/session_calibration.h"

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
    // The memory the run may use (sensitivity::fitCalibrationMemory); 0: defaultMemoryLimit().
    uint64_t memoryLimit = 0;

    // The run's settings as the session keeps them.
    CalibrationRunSettings runSettings() const;
};

// The whole job. `progress` runs over [0, 1] once (self-generation takes the
// first fifth); `onPartial` receives the core's snapshots on this thread. With
// a database path, the job (on its own connection) records the model (its
// SHA-256), creates the session when needed, begins a run, saves every
// snapshot as one step and finishes the run (done, cancelled or failed);
// `stored` tells where, also when the run failed after it began (core's StoredRun).
Result<sensitivity::SensitivityReport> runCalibrationJob(const Model& model, const Tokenizer& tokenizer,
                                                         const EngineSource& engine,
                                                         const CalibrationRequest& request, Progress& progress,
                                                         const CancelToken& cancel,
                                                         const sensitivity::PartialReport& onPartial,
                                                         StoredRun* stored = nullptr);

} // namespace precis::app
