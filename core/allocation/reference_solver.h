// Exact answers to the allocation problem by enumerating every assignment: the
// reference the frontier solver is tested against. Small tables only.
#pragma once

#include "allocation/option_table.h"
#include "common/result.h"

#include <cstdint>
#include <vector>

namespace precis {

struct ReferencePoint {
    int64_t bytes = 0;    // incl. fixedBytes
    double damage = 0;    // plain double sum in unit order
    std::vector<int> choice;
};

// Every Pareto-optimal (bytes, damage) pair, damage strictly increasing and
// bytes strictly decreasing, each with one assignment that reaches it (pins
// respected). InvalidArgument when the table is invalid or has more than
// maxAssignments assignments.
Result<std::vector<ReferencePoint>> bruteForceFrontier(const OptionTable& table, uint64_t maxAssignments = 10'000'000);

// Queries on a brute-force frontier: the optimum, or nullptr when no
// assignment meets the budget.
const ReferencePoint* referenceMinBytes(const std::vector<ReferencePoint>& frontier, double damageBudget);
const ReferencePoint* referenceMinDamage(const std::vector<ReferencePoint>& frontier, int64_t byteBudget);

} // namespace precis
