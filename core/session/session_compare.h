// Two sessions side by side (DESIGN.md §9 "compare two", §13: runs made on
// other machines, imported and compared): each one's predicted frontier, its
// measured compressions, and a table of what differs — for
// `precis-cli sessions compare` and the studio's compare window alike.
//
// A session's predicted frontier is the Pareto frontier (allocation/solver.h)
// of the option table of its latest finished calibration run under its stored
// budget state's table settings (granularity, damage metric, option set,
// closed-loop factor) with its pins applied: built from the model
// (buildOptionTable) when the model file is there with the recorded SHA-256,
// else read from the session's option-table cache (what precis-cli allocate and
// compress keep, optionTableCacheKey), else there is none and `reason` says why.
//
// Every number comes from the records (session_summary.h); nothing is
// re-measured. Values in the differences table are text: "—" where a session
// has none.
//
// JSON (sessionComparisonJson):
//   {"a": side, "b": side, "differences": [{"key", "field", "param", "a", "b", "differs"}]}
//   side = {"id", "name", "model_check": "matches" | "missing" | "changed" | "unchecked",
//           "frontier": {"source": "model" | "cached_table" | "none", "reason", "run_id", "units",
//                        "total_weights", "points": [{"bytes", "bits_per_weight", "damage",
//                        "ppl_increase_percent"}] (largest first)},
//           "measured": [{"id", "name", "method", "bytes", "bits_per_weight",
//                         "measured_ppl_increase_percent"}]}
#pragma once

#include "allocation/solver.h"
#include "common/progress.h"
#include "common/result.h"
#include "session/session_summary.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace precis {

enum class FrontierSource { None, Model, CachedTable };
const char* frontierSourceName(FrontierSource source);  // "none", "model", "cached_table"

struct SessionFrontier {
    FrontierSource source = FrontierSource::None;
    // None: why there is no frontier. Otherwise notes ("" when none): the
    // model that could not be used, pins the table lacks.
    std::string reason;
    int64_t runId = 0;                     // the calibration run (0: none)
    BudgetSpec budget;                     // whose table settings and pins it was built with
    std::vector<Frontier::Point> points;   // as Frontier::points(): damage increasing, bytes decreasing
    int64_t totalWeights = 0;              // bits per weight = 8 · bytes / totalWeights
    int units = 0;
    bool empty() const { return points.empty(); }
};

// A measured compression, as the comparison plots it.
struct MeasuredCompression {
    int64_t id = 0;
    std::string name;
    std::string method;  // "rtn", "gptq", "awq"
    int64_t bytes = 0;   // tensor bytes as stored
    double bitsPerWeight = 0;
    double percent = 0;  // measured perplexity increase, %
};

struct SessionSide {
    SessionSummary summary;
    std::optional<ModelCheck> modelCheck;  // of the model file on this machine; none: not checked
    SessionFrontier frontier;
    std::vector<MeasuredCompression> measured;  // oldest first
};

struct SessionDifference {
    std::string key;    // stable identifier ("model.sha256", "best.at_size", ...; see session_compare.cpp)
    std::string field;  // English label ("model SHA-256", "best measured at ≤ 2.10 MB")
    std::string param;  // the label's parameter when it has one ("2.10 MB"), else ""
    std::string a, b;   // the values as text
    bool differs() const { return a != b; }
};

struct SessionComparison {
    SessionSide a, b;
    std::vector<SessionDifference> differences;
};

// The predicted frontier of a session (see the top). `check` receives the
// model check (left none when the check itself failed). Errors: cancellation and the store's own
// failures only; anything else ends as no frontier with a reason.
Result<SessionFrontier> sessionFrontier(SessionStore& store, const SessionSummary& summary,
                                        const CancelToken* cancel = nullptr,
                                        std::optional<ModelCheck>* check = nullptr);

// The measured compressions of a summary.
std::vector<MeasuredCompression> measuredCompressions(const SessionSummary& summary);

// The differences table of two sides: model (file, SHA-256, architecture,
// parameters, size, whether it is here), calibration (run count; text, N × T,
// seed, options, probes, measurement, head ablation, tokens and baseline loss of
// the latest finished run), budget state (stored?, kind, value, granularity,
// metric, option set, pins, damage scale), record counts, each frontier, the
// lowest measured Δppl, the best measured Δppl at or below the measured sizes
// (at most 5, spread over them), and the original's decode tok/s of the latest
// benchmark.
std::vector<SessionDifference> sessionDifferences(const SessionSide& a, const SessionSide& b);

// Both sessions read (summarizeSession), their frontiers and the differences.
// Progress: reading, then each frontier. Errors: a session that does not exist,
// cancellation, the store's failures.
Result<SessionComparison> compareSessions(SessionStore& store, int64_t a, int64_t b, const CancelToken* cancel,
                                          Progress* progress = nullptr);

std::string sessionComparisonJson(const SessionComparison& comparison, int indent = 2);

// Formatting shared by the differences and the CLI: "1.13 MB" / "4.20 GB"
// (10^6 / 10^9 bytes), "+1.23 %".
std::string sizeText(int64_t bytes);
std::string percentText(double percent);

} // namespace precis
