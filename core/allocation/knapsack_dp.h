// The multiple-choice knapsack DP over discretised damage, one resolution level
// of it (solver.h explains how the frontier uses it). Internal to allocation/.
//
// Each free unit's damage is taken relative to its least damaging option (its
// "excess") and rounded UP to whole bins of width w: shift = ceil(excess / w);
// options whose shift exceeds the bins are left out. dp[k] = least bytes whose
// Σ shifts <= k. Every shift over-counts, so an assignment found at bin k has
// true damage <= least + k·w: it never exceeds the budget it was chosen for;
// against the optimum it loses at most one bin width per unit.
#pragma once

#include "allocation/option_table.h"
#include "common/progress.h"
#include "common/result.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace precis::allocation {

// Damage totals in fixed point, 2^-64 nats per step: addition is exact, so a
// total does not depend on the order in which it was summed. validate() bounds
// every total by 1e15 < 2^62, far inside the 2^127 range.
__extension__ typedef __int128 Fixed;
constexpr double kFixedScale = 18446744073709551616.0;  // 2^64
inline Fixed toFixed(double d) { return Fixed(d * kFixedScale); }
inline double toDouble(Fixed f) { return double(f) / kFixedScale; }

// A unit with at least two non-dominated options and no pin.
struct FreeUnitOptions {
    uint32_t unit = 0;
    std::vector<int> options;  // non-dominated, by increasing bytes (so decreasing damage)
};

// One DP run: the choice per (unit, bin) for reconstruction.
struct DpTable {
    struct Unit {
        uint32_t unit = 0;
        uint32_t count = 0;      // options left: option[begin, begin + count), shift alike
        size_t begin = 0;
        int32_t reach = 0;       // last bin of its row; rows are constant beyond
        size_t rowOffset = 0;    // into choice8 / choice16 (count > 1 only)
    };
    std::vector<Unit> units;        // in DP order (one-option units first: no row)
    std::vector<int> option;        // original option indices, per unit by increasing shift (0 first)
    std::vector<int32_t> shift;     // bins
    std::vector<uint8_t> choice8;   // when every unit has <= 256 options left
    std::vector<uint16_t> choice16; // otherwise
    double binWidth = 0;
    int32_t bins = 0;

    // Sets choice[u] for every free unit from the assignment found at `bin`.
    void reconstruct(int32_t bin, std::vector<int>& choice) const;
    size_t choiceBytes() const { return choice8.size() + 2 * choice16.size(); }
    size_t memoryBytes() const;
};

struct DpPoint {
    int64_t bytes;   // Σ over the free units
    Fixed damage;    // Σ over the free units, exact
    int32_t bin;
};

// Runs the DP with bin width w > 0 over bins 0..K, keeps the choice table in
// `out` and appends bin 0 and every bin where the least bytes drop to `points`.
// Errors: InvalidArgument when the choice table would pass maxChoiceBytes
// (naming damageBins), Cancelled (checked between units). Uses oneTBB for the
// bins of big rows.
Result<void> runKnapsackDp(const OptionTable& table, const std::vector<FreeUnitOptions>& freeUnits, double w, int32_t K,
                           size_t maxChoiceBytes, const CancelToken* cancel, DpTable& out, std::vector<DpPoint>& points);

// The auto bin width: the narrowest with which every free unit can take its
// cheapest option within K bins after rounding up (about Σ largest excess /
// (K - units)); Σ largest excess / K when there are as many units as bins.
double autoBinWidth(const OptionTable& table, const std::vector<FreeUnitOptions>& freeUnits, int32_t K);

} // namespace precis::allocation
