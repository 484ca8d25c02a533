// Mixed-precision bit allocation as a multiple-choice knapsack (DESIGN.md §6):
// every unit takes exactly one of its options; minimise Σ bytes subject to
// Σ damage <= B, or the dual, minimise Σ damage subject to Σ bytes <= S.
//
// buildFrontier computes, once per option table, the set of non-dominated
// (bytes, damage) points; each slider move is then a binary search on that set
// plus a reconstruction, O(units). The points come from two sources, each point
// an actual assignment with its exact totals:
//
//   Dynamic programming over damage discretised into bins, with damage rounded
//   UP so that an assignment found for a budget never exceeds it
//   (knapsack_dp.h); within one bin width per unit of the optimum, exact for
//   integer damages with unit bins. Damage that matters to a user spans orders of
//   magnitude (+0.1 % to +20 % perplexity), so the DP runs at several levels of
//   resolution: level j has the same number of bins, each 4^j times narrower,
//   covering the damages near the least achievable ever more finely.
//
//   The lower convex hull (Lagrangian relaxation): each unit's options reduced to
//   their convex hull in the (damage, bytes) plane, and all hull steps of all
//   units applied in order of bytes paid per damage removed. Every prefix is an
//   assignment exactly optimal for its own damage, and two neighbours differ by
//   one unit's one step. With thousands of units this alone is within a few
//   thousandths of a percent of the optimum, where a DP with a few thousand bins
//   is useless (each unit needs a whole bin to move at all); with a hundred
//   units the DP fills the gaps between hull points. So by default the DP runs
//   only with at least 8 bins per free unit (FrontierSettings::minBinsPerUnit;
//   the figures are in bench/bench_allocation.cpp's output).
//
// The frontier is the union with dominated points removed. Damage totals are
// summed in 2^-64-nat fixed point, so the total of an assignment does not depend
// on the order of summation and a query's totals equal its point's bit for bit.
// A query compares those exact totals with the budget, so the answer never
// exceeds it, whatever the rounding along the way.
#pragma once

#include "allocation/knapsack_dp.h"
#include "allocation/option_table.h"
#include "common/progress.h"
#include "common/result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace precis {

struct FrontierSettings {
    // Bins per DP level (memory: about bins bytes per free unit and level);
    // 0: no DP, convex-hull points only. At most 1 << 20.
    int damageBins = 4096;
    // The span of DP level 0, as the total damage (nats/token) at its last bin:
    // w0 = (maxDamage - least achievable) / damageBins. Explicit values not above
    // the least achievable damage are rejected; options whose excess does not fit
    // are left out of the DP (the hull still has them). 0 = auto: the narrowest
    // w0 with which every unit can take its cheapest non-dominated option within
    // the bins after rounding up (about Σ largest excess / (bins - free units)),
    // so level 0 spans every useful assignment; with at least as many free units
    // as bins, w0 = Σ largest excess / bins and level 0 stops at its last bin.
    double maxDamage = 0;
    // DP levels, 1..12: level j uses bin width w0 / 4^j. Levels whose whole span
    // holds no option's excess are skipped.
    int dpLevels = 6;
    // The DP runs only when damageBins >= minBinsPerUnit × free units: with fewer
    // bins per unit it is too coarse to add to the hull points (its best answers
    // are then percents above the optimum where the hull's are hundredths; see
    // precis-bench-allocation), and costs the most. 0: always.
    double minBinsPerUnit = 8;
    // Also add the convex-hull points.
    bool convexHull = true;
};

// One solution: a choice per unit and its exact totals.
struct Allocation {
    std::vector<int> choice;   // per unit: index into table.units[u].options
    int64_t bytes = 0;         // Σ chosen option bytes + fixedBytes
    double damage = 0;         // Σ chosen option damage, exact (nats/token)
    double bitsPerWeight = 0;  // 8·bytes / (Σ unit weights + fixedWeights); 0 without weights
    size_t point = 0;          // index into Frontier::points()
    // false: the budget is below what any assignment reaches; this allocation is
    // then the nearest feasible one, and message says so.
    bool feasible = true;
    std::string message;
};

// Immutable once built; queries are const and may run from any thread.
class Frontier {
public:
    struct Point {
        int64_t bytes = 0;  // incl. fixedBytes
        double damage = 0;  // exact total of the point's assignment
    };

    // Damage strictly increasing, bytes strictly decreasing; never empty. The
    // first point is the least damaging assignment, the last the smallest one.
    const std::vector<Point>& points() const { return m_points; }

    // The smallest assignment with damage <= damageBudget. Infeasible when the
    // budget is below points().front().damage (or NaN): returns that point.
    Allocation minBytes(double damageBudget) const;
    // The least damaging assignment with bytes (incl. fixedBytes) <= byteBudget.
    // Infeasible when the budget is below points().back().bytes: returns that point.
    Allocation minDamage(int64_t byteBudget) const;
    // Reconstructs point i (asserts i < points().size()).
    Allocation at(size_t i) const;

    size_t unitCount() const { return m_unitCount; }
    int64_t totalWeights() const { return m_totalWeights; }
    // DP levels that ran, their bin widths (nats/token; level 0 first) and bins.
    int dpLevelCount() const { return int(m_dp.size()); }
    double binWidth(int level = 0) const { return level < int(m_dp.size()) ? m_dp[size_t(level)].binWidth : 0.0; }
    int damageBins() const { return m_dp.empty() ? 0 : m_dp[0].bins; }
    size_t dpPointCount() const { return m_dpPoints; }      // DP candidates, all levels, before the union
    size_t hullPointCount() const { return m_hullPoints; }  // hull points before the union
    // Memory held for reconstruction: the DP choice tables alone, and everything.
    size_t choiceTableBytes() const;
    size_t memoryBytes() const;

private:
    Frontier() = default;
    friend Result<Frontier> buildFrontier(const OptionTable&, const FrontierSettings&, const CancelToken*);

    // The convex hull of each free unit i: its options from the cheapest up in
    // m_hullOption[m_hullBegin[i] .. m_hullBegin[i + 1]), and in m_hullRank at the
    // same places the global position of the step from that option to the next
    // (UINT32_MAX at the last). Flat arrays: a query walks them in order.
    // What the pinned and one-option units add to every assignment (with fixedBytes).
    struct Constants {
        int64_t bytes = 0;
        allocation::Fixed damage = 0;
    };
    struct Candidate {
        int64_t bytes;
        allocation::Fixed damage;
        int64_t ref;  // as m_pointRef
    };
    Result<void> addHullPoints(const OptionTable& table, const std::vector<allocation::FreeUnitOptions>& freeUnits,
                               const Constants& base, const CancelToken* cancel, std::vector<Candidate>& out);
    Result<void> addDpPoints(const OptionTable& table, const std::vector<allocation::FreeUnitOptions>& freeUnits,
                             const FrontierSettings& settings, const Constants& base, const CancelToken* cancel,
                             std::vector<Candidate>& out);
    void keepNonDominated(std::vector<Candidate>& candidates);
    Allocation finish(size_t point, std::vector<int> choice) const;

    std::vector<Point> m_points;
    std::vector<int64_t> m_pointRef;  // >= 0: DP (level << 32 | bin); < 0: hull rank -1 - ref
    std::vector<int> m_baseChoice;    // per unit: the pinned / only option (free units overwritten)
    std::vector<allocation::DpTable> m_dp;  // per level
    std::vector<uint32_t> m_hullUnit;
    std::vector<uint32_t> m_hullBegin;
    std::vector<int> m_hullOption;
    std::vector<uint32_t> m_hullRank;
    std::vector<size_t> m_optionBegin;  // per unit + 1: its options in the two arrays below
    std::vector<int64_t> m_optionBytes;
    std::vector<allocation::Fixed> m_optionDamage;
    size_t m_unitCount = 0;
    int64_t m_fixedBytes = 0;
    int64_t m_totalWeights = 0;
    size_t m_dpPoints = 0, m_hullPoints = 0;
};

// Validates the table and settings (InvalidArgument naming the setting), then
// builds the frontier; uses oneTBB. Cancelled when `cancel` fires (checked
// between units).
Result<Frontier> buildFrontier(const OptionTable& table, const FrontierSettings& settings = {},
                               const CancelToken* cancel = nullptr);

// "At most p % more perplexity" as a damage budget: B = ln(1 + p/100) nats/token
// (perplexity = exp(loss), so Δloss <= ln(1 + p/100)). p > -100.
double damageBudgetForPerplexityIncrease(double percent);
// The inverse: 100·(exp(B) - 1).
double perplexityIncreaseForDamage(double damage);
// The byte budget of a target bits per weight: floor(bpw · weights / 8), where
// weights = Σ unit weights + fixedWeights (so fixedBytes count against it).
int64_t byteBudgetForBitsPerWeight(int64_t totalWeights, double bitsPerWeight);

} // namespace precis
