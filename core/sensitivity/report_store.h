// A sensitivity report in a session (core/session): values as sensitivity rows,
// chunk maps as blobs, the rest (tokens, baseline loss, reference option,
// correlations, per-linear-layer input statistics) as run blobs. Written as one
// step per call (one transaction), so saving each partial report keeps a killed
// run's last completed step.
#pragma once

#include "common/result.h"
#include "sensitivity/calibration.h"
#include "sensitivity/report.h"
#include "session/session_store.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace precis::sensitivity {

// Writes the report (and, when given, the small per-layer statistics: Gram
// diagonal and mean |x| per input channel, float32) under run `runId`.
Result<void> saveReport(SessionStore& store, int64_t runId, const SensitivityReport& report,
                        const CalibrationStats* stats = nullptr);

// Reads back what saveReport wrote (the latest step of the run); without
// chunkMaps the chunk maps (the bulk of a large model's report) are left out.
Result<SensitivityReport> loadReport(SessionStore& store, int64_t runId, bool chunkMaps = true);

// Only the report's summary (complete, stage, tokens, baseline loss, reference
// option, correlations: no values, no chunk maps); nullopt when the run stored
// no report.
Result<std::optional<SensitivityReport>> loadReportSummary(SessionStore& store, int64_t runId);

// Column importance of a linear weight from a run (the Gram diagonal divided by
// the tokens: mean x² per input channel), as importance-weighted quantizers use
// it; empty when the run has none for this tensor.
Result<std::vector<float>> loadImportance(SessionStore& store, int64_t runId, const std::string& tensor);

} // namespace precis::sensitivity
