#include "allocation/solver.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cassert>
#include <climits>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace precis {

using allocation::DpPoint;
using allocation::DpTable;
using allocation::Fixed;
using allocation::FreeUnitOptions;
using allocation::toDouble;
using allocation::toFixed;

namespace {

constexpr int kMaxBins = 1 << 20;  // the DP keeps 24 bytes per bin and level besides the choices
constexpr int kMaxLevels = 12;
constexpr double kLevelRatio = 4;  // bin width ratio between DP levels
constexpr size_t kMaxChoiceTableBytes = size_t(4) << 30;

Error invalidSetting(const std::string& message)
{
    return makeError(ErrorCode::InvalidArgument, "frontier settings", message);
}

// A unit's non-dominated options, by increasing bytes and so decreasing damage:
// an option is dropped when another has no more bytes and no more damage (the
// first of exact duplicates is kept).
std::vector<int> nonDominated(const Unit& unit)
{
    std::vector<int> order(unit.options.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const Option &x = unit.options[a], &y = unit.options[b];
        if (x.bytes != y.bytes) return x.bytes < y.bytes;
        if (x.damage != y.damage) return x.damage < y.damage;
        return a < b;
    });
    std::vector<int> kept;
    for (int o : order)
        if (kept.empty() || unit.options[o].damage < unit.options[kept.back()].damage) kept.push_back(o);
    return kept;
}

Result<void> checkSettings(const FrontierSettings& s)
{
    if (s.damageBins < 0 || s.damageBins > kMaxBins)
        return invalidSetting("damageBins is " + std::to_string(s.damageBins) + ", expected 0.." + std::to_string(kMaxBins));
    if (!std::isfinite(s.maxDamage) || s.maxDamage < 0)
        return invalidSetting("maxDamage is " + std::to_string(s.maxDamage) + ", expected a finite value >= 0 (0 = auto)");
    if (s.dpLevels < 1 || s.dpLevels > kMaxLevels)
        return invalidSetting("dpLevels is " + std::to_string(s.dpLevels) + ", expected 1.." + std::to_string(kMaxLevels));
    if (!std::isfinite(s.minBinsPerUnit) || s.minBinsPerUnit < 0)
        return invalidSetting("minBinsPerUnit is " + std::to_string(s.minBinsPerUnit) + ", expected a finite value >= 0");
    if (s.damageBins == 0 && !s.convexHull)
        return invalidSetting("damageBins is 0 and convexHull is off: no method left to build the frontier");
    return {};
}

// Budgets in messages: enough digits for small damages.
std::string formatNumber(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

} // namespace

// ---- construction ---------------------------------------------------------------

Result<Frontier> buildFrontier(const OptionTable& table, const FrontierSettings& settings, const CancelToken* cancel)
{
    PRECIS_TRY(validate(table));
    PRECIS_TRY(checkSettings(settings));
    Frontier f;
    const size_t n = table.units.size();
    f.m_unitCount = n;
    f.m_fixedBytes = table.fixedBytes;
    f.m_totalWeights = totalWeights(table);
    f.m_optionBegin.reserve(n + 1);
    f.m_optionBegin.push_back(0);
    for (const Unit& unit : table.units) {
        for (const Option& o : unit.options) {
            f.m_optionBytes.push_back(o.bytes);
            f.m_optionDamage.push_back(toFixed(o.damage));
        }
        f.m_optionBegin.push_back(f.m_optionBytes.size());
    }

    // Pinned units and units with one non-dominated option are constants; the
    // others are free.
    Frontier::Constants base{table.fixedBytes, 0};
    f.m_baseChoice.assign(n, 0);
    std::vector<FreeUnitOptions> freeUnits;
    for (size_t u = 0; u < n; ++u) {
        const Unit& unit = table.units[u];
        std::vector<int> nd = unit.pinned >= 0 ? std::vector<int>{unit.pinned} : nonDominated(unit);
        if (nd.size() == 1) {
            f.m_baseChoice[u] = nd[0];
            base.bytes += unit.options[nd[0]].bytes;
            base.damage += toFixed(unit.options[nd[0]].damage);
            continue;
        }
        freeUnits.push_back({uint32_t(u), std::move(nd)});
    }

    std::vector<Frontier::Candidate> candidates;
    if (settings.convexHull) PRECIS_TRY(f.addHullPoints(table, freeUnits, base, cancel, candidates));
    const bool dp = settings.damageBins > 0 && !freeUnits.empty() &&
                    (!settings.convexHull || settings.damageBins >= settings.minBinsPerUnit * double(freeUnits.size()));
    if (dp) PRECIS_TRY(f.addDpPoints(table, freeUnits, settings, base, cancel, candidates));
    if (candidates.empty()) candidates.push_back({base.bytes, base.damage, 0});  // nothing free, no hull: one DP point
    f.keepNonDominated(candidates);
    return f;
}

// The hull of each unit from its cheapest option up (ratios of bytes paid per
// damage removed strictly increasing), then all units' steps in ratio order:
// after r steps, every unit has taken its steps ranked below r.
Result<void> Frontier::addHullPoints(const OptionTable& table, const std::vector<FreeUnitOptions>& freeUnits,
                                     const Constants& base, const CancelToken* cancel, std::vector<Candidate>& out)
{
    struct Step {
        double ratio;  // bytes paid per nat of damage removed
        uint32_t hullIndex, step;
    };
    std::vector<Step> steps;
    int64_t bytes = base.bytes;
    Fixed damage = base.damage;
    m_hullBegin.push_back(0);
    for (size_t i = 0; i < freeUnits.size(); ++i) {
        const Unit& unit = table.units[freeUnits[i].unit];
        auto ratio = [&](int from, int to) {
            return double(unit.options[to].bytes - unit.options[from].bytes) / (unit.options[from].damage - unit.options[to].damage);
        };
        std::vector<int> hull;
        std::vector<double> ratios;
        for (int o : freeUnits[i].options) {
            while (hull.size() >= 2 && ratios.back() >= ratio(hull.back(), o)) {
                hull.pop_back();
                ratios.pop_back();
            }
            if (!hull.empty()) ratios.push_back(ratio(hull.back(), o));
            hull.push_back(o);
        }
        for (size_t s = 0; s < ratios.size(); ++s) steps.push_back({ratios[s], uint32_t(i), uint32_t(s)});
        bytes += unit.options[hull[0]].bytes;
        damage += toFixed(unit.options[hull[0]].damage);
        m_hullUnit.push_back(freeUnits[i].unit);
        m_hullOption.insert(m_hullOption.end(), hull.begin(), hull.end());
        m_hullRank.resize(m_hullOption.size(), UINT32_MAX);
        m_hullBegin.push_back(uint32_t(m_hullOption.size()));
    }
    if (m_hullOption.size() >= size_t(UINT32_MAX))
        return makeError(ErrorCode::InvalidArgument, "option table", "too many options in total for the convex hull");
    // Ties keep each unit's steps in order, so every prefix is a valid state.
    tbb::parallel_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) {
        if (a.ratio != b.ratio) return a.ratio < b.ratio;
        return a.hullIndex != b.hullIndex ? a.hullIndex < b.hullIndex : a.step < b.step;
    });
    if (cancel && cancel->cancelled()) return makeError(ErrorCode::Cancelled, "frontier", "cancelled");
    out.reserve(out.size() + steps.size() + 1);
    out.push_back({bytes, damage, -1});
    for (size_t r = 0; r < steps.size(); ++r) {
        const uint32_t u = m_hullUnit[steps[r].hullIndex];
        const size_t at = m_hullBegin[steps[r].hullIndex] + steps[r].step;
        m_hullRank[at] = uint32_t(r);
        const size_t from = m_optionBegin[u] + size_t(m_hullOption[at]);
        const size_t to = m_optionBegin[u] + size_t(m_hullOption[at + 1]);
        bytes += m_optionBytes[to] - m_optionBytes[from];
        damage += m_optionDamage[to] - m_optionDamage[from];
        out.push_back({bytes, damage, -2 - int64_t(r)});
    }
    m_hullPoints = steps.size() + 1;
    return {};
}

// DP levels 0, 1, ...: bin width w0 / 4^level, until a level's whole span is
// narrower than the smallest excess of any option (it would hold the floor only).
Result<void> Frontier::addDpPoints(const OptionTable& table, const std::vector<FreeUnitOptions>& freeUnits,
                                   const FrontierSettings& settings, const Constants& base, const CancelToken* cancel,
                                   std::vector<Candidate>& out)
{
    const int32_t K = settings.damageBins;
    double floor = toDouble(base.damage), smallestExcess = INFINITY;
    for (const FreeUnitOptions& fu : freeUnits) {
        const Unit& unit = table.units[fu.unit];
        const double least = unit.options[fu.options.back()].damage;
        floor += least;
        smallestExcess = std::min(smallestExcess, unit.options[fu.options[fu.options.size() - 2]].damage - least);
    }
    if (settings.maxDamage > 0 && !(settings.maxDamage > floor))
        return invalidSetting("maxDamage is " + std::to_string(settings.maxDamage) +
                              ", expected more than the least achievable damage " + std::to_string(floor));
    const double w0 =
        settings.maxDamage > 0 ? (settings.maxDamage - floor) / K : allocation::autoBinWidth(table, freeUnits, K);
    std::vector<double> widths;
    for (int level = 0; level < settings.dpLevels; ++level) {
        const double w = w0 / std::pow(kLevelRatio, level);
        if (!(w > 0) || (level > 0 && w * K < smallestExcess)) break;
        widths.push_back(w);
    }
    // The levels are independent: run them side by side (each also splits its
    // big rows over bins).
    const size_t levels = widths.size();
    std::vector<DpTable> tables(levels);
    std::vector<std::vector<DpPoint>> points(levels);
    std::vector<Result<void>> results(levels);
    tbb::parallel_for(size_t(0), levels, [&](size_t l) {
        results[l] = allocation::runKnapsackDp(table, freeUnits, widths[l], K, kMaxChoiceTableBytes / levels, cancel, tables[l],
                                               points[l]);
    });
    for (size_t l = 0; l < levels; ++l) {
        PRECIS_TRY(results[l]);
        for (const DpPoint& p : points[l]) out.push_back({base.bytes + p.bytes, base.damage + p.damage, int64_t(l) << 32 | p.bin});
        m_dpPoints += points[l].size();
        m_dp.push_back(std::move(tables[l]));
    }
    return {};
}

// Sorted by damage, a candidate stays when it has fewer bytes than every point
// before it. Two damages equal once rounded to double keep the smaller.
void Frontier::keepNonDominated(std::vector<Candidate>& candidates)
{
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        if (a.damage != b.damage) return a.damage < b.damage;
        if (a.bytes != b.bytes) return a.bytes < b.bytes;
        return a.ref > b.ref;  // deterministic: DP points first on exact ties
    });
    for (const Candidate& c : candidates) {
        const double d = toDouble(c.damage);
        if (!m_points.empty() && c.bytes >= m_points.back().bytes) continue;
        if (!m_points.empty() && d <= m_points.back().damage) {
            m_points.back() = {c.bytes, d};
            m_pointRef.back() = c.ref;
            continue;
        }
        m_points.push_back({c.bytes, d});
        m_pointRef.push_back(c.ref);
    }
    assert(!m_points.empty());
}

// ---- queries ------------------------------------------------------------------------

Allocation Frontier::finish(size_t point, std::vector<int> choice) const
{
    Allocation a;
    // The point's totals are those of this assignment by construction (exact
    // sums); recounting them would double a query's cost.
    a.bytes = m_points[point].bytes;
    a.damage = m_points[point].damage;
#ifndef NDEBUG
    int64_t bytes = m_fixedBytes;
    Fixed damage = 0;
    for (size_t u = 0; u < m_unitCount; ++u) {
        const size_t o = m_optionBegin[u] + size_t(choice[u]);
        bytes += m_optionBytes[o];
        damage += m_optionDamage[o];
    }
    assert(bytes == a.bytes && toDouble(damage) == a.damage);
#endif
    a.choice = std::move(choice);
    a.bitsPerWeight = m_totalWeights > 0 ? 8.0 * double(a.bytes) / double(m_totalWeights) : 0.0;
    a.point = point;
    return a;
}

Allocation Frontier::at(size_t i) const
{
    assert(i < m_points.size());
    std::vector<int> choice = m_baseChoice;
    const int64_t ref = m_pointRef[i];
    if (ref >= 0) {
        if (!m_dp.empty()) m_dp[size_t(ref >> 32)].reconstruct(int32_t(ref & 0xffffffff), choice);
    } else {
        // Hull rank r: each unit has taken its steps ranked below r.
        const uint32_t rank = uint32_t(-1 - ref);
        for (size_t h = 0; h < m_hullUnit.size(); ++h) {
            size_t at = m_hullBegin[h];
            while (m_hullRank[at] < rank) ++at;  // the last rank is UINT32_MAX
            choice[m_hullUnit[h]] = m_hullOption[at];
        }
    }
    return finish(i, std::move(choice));
}

Allocation Frontier::minBytes(double damageBudget) const
{
    // Last point with damage <= budget.
    const auto it = std::upper_bound(m_points.begin(), m_points.end(), damageBudget,
                                     [](double b, const Point& p) { return b < p.damage; });
    if (std::isnan(damageBudget) || it == m_points.begin()) {
        Allocation a = at(0);
        a.feasible = false;
        a.message = std::isnan(damageBudget)
                        ? "the damage budget is not a number; showing the least damaging allocation"
                        : "damage budget " + formatNumber(damageBudget) + " nats/token is below the least achievable " +
                              formatNumber(m_points.front().damage) + "; showing the least damaging allocation";
        return a;
    }
    return at(size_t(it - m_points.begin()) - 1);
}

Allocation Frontier::minDamage(int64_t byteBudget) const
{
    // First point with bytes <= budget (bytes decrease along the frontier).
    const auto it = std::partition_point(m_points.begin(), m_points.end(),
                                         [&](const Point& p) { return p.bytes > byteBudget; });
    if (it == m_points.end()) {
        Allocation a = at(m_points.size() - 1);
        a.feasible = false;
        a.message = "byte budget " + std::to_string(byteBudget) + " is below the smallest achievable " +
                    std::to_string(m_points.back().bytes) + " bytes; showing the smallest allocation";
        return a;
    }
    return at(size_t(it - m_points.begin()));
}

size_t Frontier::choiceTableBytes() const
{
    size_t bytes = 0;
    for (const DpTable& dp : m_dp) bytes += dp.choiceBytes();
    return bytes;
}

size_t Frontier::memoryBytes() const
{
    size_t bytes = m_points.size() * (sizeof(Point) + sizeof(int64_t)) + m_baseChoice.size() * sizeof(int) +
                   m_optionBegin.size() * sizeof(size_t) + m_optionBytes.size() * (sizeof(int64_t) + sizeof(Fixed));
    for (const DpTable& dp : m_dp) bytes += dp.memoryBytes();
    bytes += (m_hullUnit.size() + m_hullBegin.size() + m_hullOption.size() + m_hullRank.size()) * 4;
    return bytes;
}

// ---- user terms -------------------------------------------------------------------------

double damageBudgetForPerplexityIncrease(double percent) { return std::log1p(percent / 100.0); }

double perplexityIncreaseForDamage(double damage) { return 100.0 * std::expm1(damage); }

int64_t byteBudgetForBitsPerWeight(int64_t totalWeights, double bitsPerWeight)
{
    const double b = std::floor(bitsPerWeight * double(totalWeights) / 8.0);
    if (!(b > 0)) return 0;
    return b >= 9.2e18 ? INT64_MAX : int64_t(b);
}

} // namespace precis
