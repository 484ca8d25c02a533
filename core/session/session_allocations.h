// Allocations in a session (DESIGN.md §6, §10): the budget a user set, the
// assignment the solver chose for it and its totals — written and read here
// only, for the studio and the CLI alike.
//
// Session records are two tiers: session_store.h keeps rows and their JSON text
// (depends on nothing above common/); the record files (session_allocations.h,
// session_compressions.h, session_calibration.h, session_benchmarks.h) give the
// JSON its one shape, on top of the allocation, eval and bench types.
//
// JSON shapes (schema version 3; older shapes are migrated, session_schema.h):
//   budget_json      {"kind": "ppl_percent" | "megabytes" | "bits_per_weight", "value": f64,
//                     "granularity": "tensor" | "head" | "layer", "metric": "ow_err" | "fisher",
//                     "option_set": "gguf" | "all" | "custom", "options": [str] (custom only),
//                     "pinned": {unit: scheme}, "damage_scale": f64, "run_id": i64 (0: unknown)}
//   assignment_json  {unit: scheme, ...} in the option table's unit order
//   totals_json      {"bytes": i64, "bits_per_weight": f64, "predicted_damage": f64,
//                     "predicted_ppl_increase_percent": f64, "predicted_kl": f64 | null,
//                     "compression_ratio": f64 (0: unknown), "feasible": bool}
#pragma once

#include "allocation/option_builder.h"
#include "allocation/option_table.h"
#include "allocation/solver.h"
#include "common/result.h"
#include "session/session_store.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace precis {

// What the budget number means: the largest predicted perplexity increase (%),
// a size in MB (10^6 bytes), or bits per weight.
enum class BudgetKind { PplPercent, Megabytes, BitsPerWeight };
const char* budgetKindName(BudgetKind kind);  // "ppl_percent", "megabytes", "bits_per_weight"
Result<BudgetKind> parseBudgetKind(std::string_view name);

// Which options the table offers: the GGUF types (the default: the plan is a
// file that can be exported as it is), those plus Precis' RTN format, or a list.
enum class OptionSet { Gguf, All, Custom };
const char* optionSetName(OptionSet set);  // "gguf", "all", "custom"
Result<OptionSet> parseOptionSet(std::string_view name);

// The Budget tab's state, what an allocation was solved for, and what a
// compression of an allocation was made with.
struct BudgetSpec {
    BudgetKind kind = BudgetKind::PplPercent;
    double value = 1.0;  // in the kind's unit (+1 % perplexity: the studio's first budget)
    Granularity granularity = Granularity::Tensor;
    std::string metric = "ow_err";
    OptionSet optionSet = OptionSet::Gguf;
    std::vector<std::string> options;  // OptionSet::Custom only
    std::vector<std::pair<std::string, std::string>> pinned;  // unit -> scheme, in table order
    double damageScale = 1.0;  // the closed loop's factor on every predicted damage
    int64_t runId = 0;         // the calibration run the table came from (0: unknown)

    // The candidate option names of the set.
    std::vector<std::string> optionNames() const;
    // The option-table settings this budget is solved with.
    OptionTableSettings tableSettings() const;
    bool operator==(const BudgetSpec&) const = default;
};
std::string budgetJson(const BudgetSpec& budget);
// Errors (Format) name `where` and the field.
Result<BudgetSpec> parseBudgetJson(std::string_view text, const std::string& where);

// The allocation of `budget` on a frontier of the table: minBytes of the
// damage budget, or minDamage of the byte budget.
Allocation solveBudget(const Frontier& frontier, const BudgetSpec& budget);
// The pins as (unit, scheme) of a table (units with pinned >= 0, in order).
std::vector<std::pair<std::string, std::string>> tablePins(const OptionTable& table);
// Applies (unit, scheme) pins to a table (every other unit unpinned). Pins whose
// unit or scheme the table lacks are returned ("unit: scheme"), not applied.
std::vector<std::string> applyPins(OptionTable& table, const std::vector<std::pair<std::string, std::string>>& pins);

// The totals of an allocation, as the Budget tab, precis-cli allocate and the
// session show them.
struct AllocationTotals {
    int64_t bytes = 0;                 // as stored, fixed bytes included
    double bitsPerWeight = 0;
    double predictedDamage = 0;        // nats/token, the closed loop's factor included
    double predictedPplIncreasePercent = 0;
    // Σ of the chosen options' predicted KL (Option::kl), nats/token; NaN when
    // any chosen option has no estimate.
    double predictedKl = std::numeric_limits<double>::quiet_NaN();
    double compressionRatio = 0;       // original file bytes / bytes (0: unknown)
    bool feasible = true;
    bool hasKl() const { return std::isfinite(predictedKl); }
    bool operator==(const AllocationTotals&) const = default;
};
// originalFileBytes: the model file's size (0: no ratio).
AllocationTotals allocationTotals(const OptionTable& table, const Allocation& allocation, int64_t originalFileBytes);
std::string totalsJson(const AllocationTotals& totals);
Result<AllocationTotals> parseTotalsJson(std::string_view text, const std::string& where);

using Assignment = std::vector<std::pair<std::string, std::string>>;  // unit -> scheme, table order
Assignment allocationAssignment(const OptionTable& table, const Allocation& allocation);
std::string assignmentJson(const Assignment& assignment);
Result<Assignment> parseAssignmentJson(std::string_view text, const std::string& where);

// A saved allocation, read back.
struct SavedAllocation {
    int64_t id = 0;
    int64_t sessionId = 0;
    std::string name;
    std::string createdAt;
    BudgetSpec budget;
    Assignment assignment;
    AllocationTotals totals;
};

// Stores `allocation` (solved from `table` for `budget`) under `name` in the
// session, replacing one of that name. Returns its id.
Result<int64_t> saveAllocation(SessionStore& store, int64_t sessionId, const std::string& name,
                               const BudgetSpec& budget, const Assignment& assignment,
                               const AllocationTotals& totals);
// Errors (Format) name the allocation and the field.
Result<SavedAllocation> parseAllocation(const AllocationRecord& record);
// The session's allocations, oldest first. unreadable (optional): the errors of
// records that cannot be parsed (they are left out); without it the first one fails.
Result<std::vector<SavedAllocation>> loadAllocations(SessionStore& store, int64_t sessionId,
                                                     std::vector<Error>* unreadable = nullptr);
Result<SavedAllocation> loadAllocation(SessionStore& store, int64_t sessionId, const std::string& name);

// The document state a session keeps (sessions.state_json, {"budget": budget_json}):
// the Budget tab as the user left it, restored when the session is reopened.
struct SessionState {
    std::optional<BudgetSpec> budget;  // none: never set (the defaults apply)
};
Result<SessionState> loadSessionState(SessionStore& store, int64_t sessionId);
Result<void> saveSessionState(SessionStore& store, int64_t sessionId, const SessionState& state);

// "+1 % ppl", "4.5 bits/weight", "2.1 MB", with " (head)" / " (layer)" when not per tensor.
std::string budgetText(const BudgetSpec& budget);

// One saved allocation, summarised for comparison.
struct AllocationSummaryRow {
    std::string name;
    std::string budget;  // budgetText
    AllocationTotals totals;
    int units = 0;
    int differingFromFirst = 0;  // units whose option differs from the first allocation's
};
std::vector<AllocationSummaryRow> compareAllocations(const std::vector<SavedAllocation>& allocations);

} // namespace precis
