// One session read back whole (DESIGN.md §10): what `precis-cli sessions show`
// prints, what the session comparison (session_compare.h) sets side by side.
// Everything comes from the typed record files (session_allocations.h,
// session_compressions.h, session_calibration.h, session_benchmarks.h); a
// record that cannot be read is left out and its error kept, so one damaged
// record does not hide the rest of the session.
//
// JSON (sessionSummaryJson; sizes in bytes, times ISO-8601 UTC as stored):
//   {"id", "name", "notes", "created_at", "updated_at",
//    "model": {"path", "sha256", "architecture", "parameters", "file_bytes"},
//    "budget_state": budget_json (session_allocations.h) | null (never set: the defaults apply),
//    "calibration_runs": [{"id", "status", "started_at", "finished_at", "tokens", "seconds",
//        "baseline_loss": f64 | null (no report stored),
//        "settings": {"text", "self_generated", "sequences", "length", "seed", "options",
//                     "probe_options", "measure", "head_ablation", "measure_sequences",
//                     "batch_sequences", "full_gram_limit", "damage_sketch",
//                     "measure_units"} | null (unreadable)}],
//    "allocations": [{"id", "name", "created_at", "budget": budget_json, "budget_text",
//        "units", "totals": totals_json}],
//    "compressions": [{"id", "name", "method", "plan_source", "scheme", "allocation",
//        "allocation_id" | null, "created_at", "output", "bytes", "file_bytes" (0: no file),
//        "weights", "bits_per_weight", "original_bytes", "predicted_ppl_increase_percent" | null,
//        "measured": bool, and when measured: "ppl_original", "ppl_compressed", "ppl_ratio",
//        "measured_ppl_increase_percent", "kl_mean", "kl_p99", "kl_max", "top1_agreement",
//        "tokens_scored", "eval_text", "ctx"}],
//    "benchmarks": [{"id", "created_at", "role", "label", "compression_id" | null, "model",
//        "device", "threads", "prompt", "gen", "reps", "kv", "prefill_tok_s", "decode_tok_s",
//        "ttft_ms", "peak_memory_bytes", "file_bytes", "bandwidth_gb_s", "ceiling_fraction"}],
//    "errors": [str]}
#pragma once

#include "common/result.h"
#include "session/session_allocations.h"
#include "session/session_benchmarks.h"
#include "session/session_calibration.h"
#include "session/session_compressions.h"
#include "session/session_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace precis {

struct SummaryRun {
    CalibrationRun run;
    // None: the settings record cannot be read (its error is in SessionSummary::errors).
    std::optional<CalibrationRunSettings> settings;
    // Mean NLL of the calibration tokens (nats/token) from the stored report; none: no report stored.
    std::optional<double> baselineLoss;
};

struct SessionSummary {
    SessionInfo info;                          // with the model record and the record counts
    std::vector<SummaryRun> runs;              // oldest first
    std::vector<SavedAllocation> allocations;  // oldest first
    std::vector<CompressionEntry> compressions;
    std::vector<StoredBenchmark> benchmarks;
    SessionState state;                        // budget none: never set
    std::vector<Error> errors;                 // records that could not be read (left out above)

    // The newest run that finished (status done); nullptr when none did.
    const SummaryRun* latestFinishedRun() const;
    // The newest benchmark of the session's own model; nullptr when none.
    const StoredBenchmark* latestOriginalBenchmark() const;
    // The stored budget state, else the defaults the studio starts with.
    BudgetSpec budget() const { return state.budget.value_or(BudgetSpec{}); }
    int measuredCount() const;
};

// Reads the session `sessionId` (errors: no such session, the store's own
// failures; unreadable records are collected, not fatal).
Result<SessionSummary> summarizeSession(SessionStore& store, int64_t sessionId);

// The summary as JSON (the shape above), built from the typed records.
// indent < 0: one line.
std::string sessionSummaryJson(const SessionSummary& summary, int indent = 2);

} // namespace precis
