#include "allocation/reference_solver.h"

#include <algorithm>

namespace precis {

Result<std::vector<ReferencePoint>> bruteForceFrontier(const OptionTable& table, uint64_t maxAssignments)
{
    PRECIS_TRY(validate(table));
    uint64_t count = 1;
    for (const Unit& unit : table.units) {
        const uint64_t m = unit.pinned >= 0 ? 1 : unit.options.size();
        if (count > maxAssignments / m)
            return makeError(ErrorCode::InvalidArgument, "option table",
                             "more than " + std::to_string(maxAssignments) + " assignments: too many to enumerate");
        count *= m;
    }
    // Odometer over the choices, pinned units fixed.
    const size_t n = table.units.size();
    std::vector<int> choice(n);
    for (size_t u = 0; u < n; ++u) choice[u] = std::max(0, table.units[u].pinned);
    std::vector<ReferencePoint> all;
    all.reserve(size_t(count));
    for (uint64_t a = 0; a < count; ++a) {
        ReferencePoint p{table.fixedBytes, 0.0, choice};
        for (size_t u = 0; u < n; ++u) {
            p.bytes += table.units[u].options[choice[u]].bytes;
            p.damage += table.units[u].options[choice[u]].damage;
        }
        all.push_back(std::move(p));
        for (size_t u = 0; u < n; ++u) {
            if (table.units[u].pinned >= 0) continue;
            if (++choice[u] < int(table.units[u].options.size())) break;
            choice[u] = 0;
        }
    }
    std::sort(all.begin(), all.end(), [](const ReferencePoint& a, const ReferencePoint& b) {
        return a.damage != b.damage ? a.damage < b.damage : a.bytes < b.bytes;
    });
    std::vector<ReferencePoint> frontier;
    for (ReferencePoint& p : all)
        if (frontier.empty() || p.bytes < frontier.back().bytes) frontier.push_back(std::move(p));
    return frontier;
}

const ReferencePoint* referenceMinBytes(const std::vector<ReferencePoint>& frontier, double damageBudget)
{
    const ReferencePoint* best = nullptr;
    for (const ReferencePoint& p : frontier)
        if (p.damage <= damageBudget) best = &p;  // later points have fewer bytes
    return best;
}

const ReferencePoint* referenceMinDamage(const std::vector<ReferencePoint>& frontier, int64_t byteBudget)
{
    for (const ReferencePoint& p : frontier)
        if (p.bytes <= byteBudget) return &p;  // the first has the least damage
    return nullptr;
}

} // namespace precis
