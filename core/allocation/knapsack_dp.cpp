#include "allocation/knapsack_dp.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>
#include <string>

namespace precis::allocation {

namespace {

// Below this many (bins × options) per unit the DP step runs on one thread.
constexpr int64_t kParallelWork = 1 << 16;

struct DpOption {
    int32_t shift;
    int64_t bytes;
    Fixed damage;
};

// One DP step for bins [lo, hi) of a unit whose options are `opt` (shift 0
// first), given the previous row (old, oldEx) valid up to bin R and constant
// beyond. Writes the least bytes (val), the choice (ch) and the exact damage of
// the chosen assignment (ex). Ties keep the lower option index.
template <typename C>
void dpStep(const std::vector<DpOption>& opt, const int64_t* old, const Fixed* oldEx, int32_t R, int64_t* val, Fixed* ex,
            C* ch, int32_t lo, int32_t hi)
{
    for (int32_t k = lo; k < hi; ++k) {
        val[k] = old[std::min(k, R)] + opt[0].bytes;
        ch[k] = 0;
    }
    for (size_t j = 1; j < opt.size(); ++j) {
        const int32_t s = opt[j].shift;
        const int64_t b = opt[j].bytes;
        const int32_t start = std::max(lo, s), mid = std::min(hi, R + s + 1);
        for (int32_t k = start; k < mid; ++k) {
            const int64_t c = old[k - s] + b;
            const bool better = c < val[k];
            val[k] = better ? c : val[k];
            ch[k] = better ? C(j) : ch[k];
        }
        const int64_t flat = old[R] + b;  // k - s beyond R: the previous row is constant
        for (int32_t k = std::max(start, mid); k < hi; ++k) {
            const bool better = flat < val[k];
            val[k] = better ? flat : val[k];
            ch[k] = better ? C(j) : ch[k];
        }
    }
    for (int32_t k = lo; k < hi; ++k) {
        const DpOption& o = opt[ch[k]];
        ex[k] = oldEx[std::min(k - o.shift, R)] + o.damage;
    }
}

// ceil(excess / w) as a double (may exceed any int); the one expression used for
// shifts, so that autoBinWidth's count matches the DP's.
double shiftOf(double excess, double w) { return excess == 0 ? 0.0 : std::ceil(excess / w); }

} // namespace

void DpTable::reconstruct(int32_t bin, std::vector<int>& choice) const
{
    for (size_t i = units.size(); i-- > 0;) {
        const Unit& u = units[i];
        if (u.count == 1) {
            choice[u.unit] = option[u.begin];
            continue;
        }
        const size_t cell = u.rowOffset + size_t(std::min(bin, u.reach));
        const size_t j = u.begin + (choice8.empty() ? choice16[cell] : choice8[cell]);
        choice[u.unit] = option[j];
        bin = std::min(bin, u.reach) - shift[j];
        assert(bin >= 0);
    }
}

size_t DpTable::memoryBytes() const
{
    return choiceBytes() + units.size() * sizeof(Unit) + option.size() * (sizeof(int) + sizeof(int32_t));
}

double autoBinWidth(const OptionTable& table, const std::vector<FreeUnitOptions>& freeUnits, int32_t K)
{
    std::vector<double> maxExcess;
    double span = 0;
    for (const FreeUnitOptions& f : freeUnits) {
        const Unit& unit = table.units[f.unit];
        maxExcess.push_back(unit.options[f.options.front()].damage - unit.options[f.options.back()].damage);
        span += maxExcess.back();
    }
    if (!(span > 0)) return 0;
    auto fits = [&](double w) {
        double bins = 0;
        for (double e : maxExcess) bins += shiftOf(e, w);
        return bins <= K;
    };
    // Σ ceil(e / w) <= Σ e / w + units, so w = span / (K - units) always fits
    // (up to rounding); bisect below it.
    double lo = span / K;
    if (fits(lo) || maxExcess.size() >= size_t(K)) return lo;
    double hi = span / double(size_t(K) - maxExcess.size());
    while (!fits(hi)) hi *= 2;
    for (int it = 0; it < 64; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        (fits(mid) ? hi : lo) = mid;
    }
    return hi;
}

Result<void> runKnapsackDp(const OptionTable& table, const std::vector<FreeUnitOptions>& freeUnits, double w, int32_t K,
                           size_t maxChoiceBytes, const CancelToken* cancel, DpTable& out, std::vector<DpPoint>& points)
{
    assert(w > 0 && K > 0);
    out = DpTable{};
    out.binWidth = w;
    out.bins = K;
    // Shifts, options that do not fit left out, then the options dominated after
    // rounding (same bins, more bytes) dropped: shifts strictly increase, bytes
    // strictly decrease.
    std::vector<std::vector<DpOption>> opts(freeUnits.size());
    std::vector<std::vector<int>> kept(freeUnits.size());
    for (size_t i = 0; i < freeUnits.size(); ++i) {
        const Unit& unit = table.units[freeUnits[i].unit];
        const std::vector<int>& nd = freeUnits[i].options;
        const double dmin = unit.options[nd.back()].damage;
        for (auto it = nd.rbegin(); it != nd.rend(); ++it) {  // by increasing damage
            const Option& o = unit.options[*it];
            const double bins = shiftOf(o.damage - dmin, w);
            if (bins > K) break;
            const DpOption d{int32_t(bins), o.bytes, toFixed(o.damage)};
            if (!opts[i].empty() && d.shift == opts[i].back().shift) {  // fewer bytes for the same bins
                kept[i].back() = *it;
                opts[i].back() = d;
                continue;
            }
            kept[i].push_back(*it);
            opts[i].push_back(d);
        }
    }
    // Units with small shifts first: the reach (the last bin any prefix of units
    // can occupy) then grows slowly, and rows stop at the reach.
    std::vector<size_t> order(freeUnits.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return opts[a].back().shift < opts[b].back().shift; });
    size_t cells = 0, maxOptions = 0;
    int32_t reach = 0;
    for (size_t i : order) {
        DpTable::Unit u;
        u.unit = freeUnits[i].unit;
        u.count = uint32_t(kept[i].size());
        u.begin = out.option.size();
        for (size_t j = 0; j < kept[i].size(); ++j) {
            out.option.push_back(kept[i][j]);
            out.shift.push_back(opts[i][j].shift);
        }
        if (u.count > 1) {
            reach = int32_t(std::min<int64_t>(K, int64_t(reach) + opts[i].back().shift));
            u.reach = reach;
            u.rowOffset = cells;
            cells += size_t(reach) + 1;
            maxOptions = std::max<size_t>(maxOptions, u.count);
        }
        out.units.push_back(u);
    }
    const size_t choiceBytes = cells * (maxOptions <= 256 ? 1 : 2);
    if (choiceBytes > maxChoiceBytes)
        return makeError(ErrorCode::InvalidArgument, "frontier settings",
                         "damageBins " + std::to_string(K) + " needs " + std::to_string(choiceBytes >> 20) +
                             " MiB of choice tables for " + std::to_string(freeUnits.size()) + " free units, more than the " +
                             std::to_string(maxChoiceBytes >> 20) + " MiB allowed; use fewer bins");
    if (maxOptions <= 256)
        out.choice8.resize(cells);
    else
        out.choice16.resize(cells);

    // Rows of one-option units are constants.
    int64_t baseBytes = 0;
    Fixed baseDamage = 0;
    std::vector<int64_t> val(size_t(reach) + 1, 0), nextVal(val.size());
    std::vector<Fixed> ex(val.size(), 0), nextEx(val.size());
    int32_t R = 0;
    for (size_t i = 0; i < out.units.size(); ++i) {
        const DpTable::Unit& u = out.units[i];
        const std::vector<DpOption>& opt = opts[order[i]];
        if (u.count == 1) {
            baseBytes += opt[0].bytes;
            baseDamage += opt[0].damage;
            continue;
        }
        if (cancel && cancel->cancelled()) return makeError(ErrorCode::Cancelled, "frontier", "cancelled");
        auto run = [&](int32_t lo, int32_t hi) {
            if (!out.choice8.empty())
                dpStep(opt, val.data(), ex.data(), R, nextVal.data(), nextEx.data(), out.choice8.data() + u.rowOffset, lo, hi);
            else
                dpStep(opt, val.data(), ex.data(), R, nextVal.data(), nextEx.data(), out.choice16.data() + u.rowOffset, lo, hi);
        };
        const int32_t bins = u.reach + 1;
        if (int64_t(bins) * int64_t(opt.size()) < kParallelWork)
            run(0, bins);
        else
            tbb::parallel_for(tbb::blocked_range<int32_t>(0, bins, 2048),
                              [&](const tbb::blocked_range<int32_t>& r) { run(r.begin(), r.end()); });
        std::swap(val, nextVal);
        std::swap(ex, nextEx);
        R = u.reach;
    }
    for (int32_t k = 0; k <= R; ++k)
        if (k == 0 || val[k] < val[k - 1]) points.push_back({baseBytes + val[k], baseDamage + ex[k], k});
    return {};
}

} // namespace precis::allocation
