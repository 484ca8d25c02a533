// Compressions in a session (DESIGN.md §7–§8, §10): what was compressed how,
// its size and what was measured — written and read here only, for the studio
// (Compress tab) and the CLI (compress) alike. The record of a compression job
// (eval/compress_job.h) is made by compressionEntry().
//
// JSON shapes (schema version 3; older shapes are migrated, session_schema.h):
//   settings_json {"name": str, "plan_source": "allocation" | "uniform" | "recipe",
//                  "scheme": str (uniform), "allocation": str (its saved name, when one),
//                  "budget": budget_json (allocation plans), "method": "rtn" | "gptq" | "awq",
//                  "gptq": {"damping", "act_order"}, "awq": {"grid"},
//                  "calibration": {"text": path | "", "self_generated": bool, "sequences",
//                                  "length", "seed"} | "importance_from_run": i64,
//                  "eval": {"text", "ctx", "chunks", "per_tensor": {"sequences", "length", "seed"}},
//                  "recipe": recipe JSON (eval/compression_plan.h; absent for an empty plan), "notes": [str]}
//   metrics_json  {"bytes": i64 (tensors as stored), "file_bytes": i64 (the written file; absent:
//                  none), "weights", "bits_per_weight", "original_bytes", "original_bits_per_weight",
//                  measured (all or none): "ppl_original", "ppl_compressed", "ppl_ratio",
//                  "mean_nll_original", "mean_nll_compressed", "kl_mean", "kl_p99", "kl_max",
//                  "top1_agreement", "tokens_scored", "chunks", "ctx", "measured_ppl_increase_percent",
//                  "predicted_ppl_increase_percent": f64 | null, "damage_scale": f64 (the closed
//                  loop's factor inside the prediction), "seconds",
//                  "units": [{"tensor", "scheme", "measured_dloss", "measured_kl",
//                             "predicted_dloss"}] (null: not a number), "unit_seconds"}
#pragma once

#include "allocation/closed_loop.h"
#include "common/result.h"
#include "eval/compare.h"
#include "eval/compress_methods.h"
#include "eval/compression_plan.h"
#include "eval/unit_damage.h"
#include "session/session_allocations.h"
#include "session/session_store.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace precis {

enum class PlanSource { Allocation, Uniform, Recipe };
const char* planSourceName(PlanSource source);  // "allocation", "uniform", "recipe"

// The calibration a method used: a text (path), text the model wrote, or (plain
// rounding in a session) the column importance of a stored calibration run.
struct CompressionCalibration {
    std::string text;             // path; empty when self-generated or from a run
    bool selfGenerated = false;
    int sequences = 0, length = 0;
    uint64_t seed = 1;
    int64_t importanceRun = 0;    // > 0: the run whose Gram diagonals weighted plain rounding
    bool operator==(const CompressionCalibration&) const = default;
};

// Measured against the original on an evaluation text (eval/compare.h).
struct CompressionMeasurement {
    std::string text;  // the evaluation text's path
    int ctx = 0;
    int maxChunks = 0;  // 0: all
    ComparisonResult comparison;
    double percent() const { return 100.0 * (comparison.pplRatio() - 1.0); }
};

struct CompressionEntry {
    int64_t id = 0;  // the record's (0 before it is stored)
    int64_t sessionId = 0;
    std::optional<int64_t> allocationId;
    std::string createdAt;

    std::string name;    // "budget +1 % gptq", "Q4_K rtn", "allocation best rtn"
    PlanSource planSource = PlanSource::Uniform;
    std::string scheme;  // PlanSource::Uniform
    std::string allocationName;      // the saved allocation it came from, when one
    std::optional<BudgetSpec> budget;  // PlanSource::Allocation
    MethodOptions method;
    std::optional<CompressionCalibration> calibration;
    CompressionPlan plan;  // empty for records made before plans were kept
    // Scheme -> tensor count, in first-seen order (from the plan, or as old records kept it).
    std::vector<std::pair<std::string, int>> schemeCounts;
    std::vector<std::string> notes;  // export notes (fallbacks, conversions)

    std::string outputPath;  // the written file; empty when kept in memory only
    int64_t bytes = 0;       // tensor bytes as stored (modelSize)
    int64_t fileBytes = 0;   // bytes of the written file (0: none written)
    int64_t weights = 0;
    double bitsPerWeight = 0;
    int64_t originalBytes = 0;
    double originalBitsPerWeight = 0;

    std::optional<CompressionMeasurement> measured;
    // Predicted perplexity increase in % (NaN: none) and the closed loop's factor inside it.
    double predictedPercent = std::numeric_limits<double>::quiet_NaN();
    double damageScale = 1.0;
    // Per-tensor measurements; unitOptions are the windows they used.
    std::vector<UnitDamageRecord> units;
    UnitDamageOptions unitOptions;
    double unitSeconds = 0;
    double seconds = 0;  // compression + measurement wall time

    bool hasPrediction() const { return std::isfinite(predictedPercent); }
};

std::string compressionSettingsJson(const CompressionEntry& entry);
std::string compressionMetricsJson(const CompressionEntry& entry);
// Stores the entry (its id, sessionId and createdAt are the record's). Returns the id.
Result<int64_t> recordCompression(SessionStore& store, int64_t sessionId, const CompressionEntry& entry);
// Errors (Format) name the compression and the field.
Result<CompressionEntry> parseCompression(const CompressionRecord& record);
// The session's compressions, oldest first. unreadable (optional): the errors of
// records that cannot be parsed (left out); without it the first one fails.
Result<std::vector<CompressionEntry>> loadCompressions(SessionStore& store, int64_t sessionId,
                                                       std::vector<Error>* unreadable = nullptr);

// The closed loop's samples (allocation/closed_loop.h) of the session's
// measured compressions: a compression contributes when it was measured
// (perplexity ratio > 0) and has a prediction — its own, else the totals of the
// saved allocation it came from — each prediction divided by the factor in
// force when it was made, so fitting again after a rescaled run does not
// compound. Oldest first; unreadable records are skipped.
Result<std::vector<LoopSample>> closedLoopSamples(SessionStore& store, int64_t sessionId);

} // namespace precis
