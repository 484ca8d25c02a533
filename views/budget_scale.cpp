#include "budget_scale.h"

#include "allocation/solver.h"

#include <algorithm>
#include <cmath>

namespace precis::views {

namespace {

// x rounded up to `decimals` places (a hair of tolerance keeps values already
// on the grid where they are).
double ceilTo(double x, int decimals)
{
    const double scale = std::pow(10.0, decimals);
    return std::ceil(x * scale - 1e-7) / scale;
}

} // namespace

BudgetScale::BudgetScale(const Frontier& f, BudgetKind unit, int steps)
    : m_unit(unit), m_steps(std::max(1, steps)), m_weights(f.totalWeights())
{
    m_dLo = f.points().front().damage;
    m_dHi = f.points().back().damage;
    m_bHi = f.points().front().bytes;
    m_bLo = f.points().back().bytes;
    // Zero damage (F16 everywhere) has no logarithm: the log axis starts a
    // millionth of the way up.
    m_dFloor = std::max(m_dLo, m_dHi * 1e-6);
    switch (unit) {
    case BudgetKind::PplPercent: m_decimals = 4; break;
    case BudgetKind::BitsPerWeight: m_decimals = 3; break;
    case BudgetKind::Megabytes: {
        const double spanMb = std::max(double(m_bHi - m_bLo) / 1e6, 1e-9);
        m_decimals = std::clamp(int(std::ceil(std::log10(double(m_steps) / spanMb))), 1, 6);
        break;
    }
    }
}

double BudgetScale::valueAt(int position) const
{
    const double t = double(std::clamp(position, 0, m_steps)) / m_steps;
    if (m_unit == BudgetKind::PplPercent) {
        double d = m_dHi;
        if (position <= 0) d = m_dLo;
        else if (m_dHi > m_dFloor) d = m_dFloor * std::pow(m_dHi / m_dFloor, t);
        return ceilTo(perplexityIncreaseForDamage(d), m_decimals);
    }
    const int64_t bytes = m_bLo + int64_t(std::llround(t * double(m_bHi - m_bLo)));
    if (m_unit == BudgetKind::Megabytes) return ceilTo(double(bytes) / 1e6, m_decimals);
    return m_weights > 0 ? ceilTo(8.0 * double(bytes) / double(m_weights), m_decimals) : 0.0;
}

int BudgetScale::positionOf(double value) const
{
    double t = 0;
    if (m_unit == BudgetKind::PplPercent) {
        const double d = damageBudget(value);
        if (d > m_dFloor && m_dHi > m_dFloor) t = std::log(d / m_dFloor) / std::log(m_dHi / m_dFloor);
        else if (d >= m_dHi) t = 1;
    } else {
        t = m_bHi > m_bLo ? (double(byteBudget(value)) - double(m_bLo)) / double(m_bHi - m_bLo) : 1.0;
    }
    return int(std::lround(std::clamp(t, 0.0, 1.0) * m_steps));
}

double BudgetScale::valueOf(const Allocation& a) const
{
    switch (m_unit) {
    case BudgetKind::PplPercent: return ceilTo(perplexityIncreaseForDamage(a.damage), m_decimals);
    case BudgetKind::Megabytes: return ceilTo(double(a.bytes) / 1e6, m_decimals);
    case BudgetKind::BitsPerWeight: return ceilTo(a.bitsPerWeight, m_decimals);
    }
    return 0;
}

double BudgetScale::damageBudget(double percent) { return damageBudgetForPerplexityIncrease(percent); }

int64_t BudgetScale::byteBudget(double value) const
{
    if (m_unit == BudgetKind::BitsPerWeight) return byteBudgetForBitsPerWeight(m_weights, value);
    return int64_t(std::llround(value * 1e6));
}

} // namespace precis::views
