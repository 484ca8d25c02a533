// What the Budget tab's slider positions and number stand for, given a frontier
// (core/allocation/solver.h) and a unit:
//
//   max Δppl %   the number p is a damage budget B = ln(1 + p/100) nats/token;
//                positions are log-spaced over the frontier's damages (from a
//                millionth of the largest up; position 0 is the least damaging
//                point itself, whose damage may be 0);
//   size MB      the number is a byte budget round(v · 10^6);
//   bits/weight  the number is floor(v · weights / 8) bytes;
//                positions are evenly spaced over the frontier's bytes.
//
// Numbers derived from a position or an allocation are rounded UP to the
// places shown, so the budget the user reads still admits the point it came
// from (the ends of the slider reach the ends of the frontier). Plain values,
// no Qt; copies are cheap.
#pragma once

#include "session/session_allocations.h"

#include <cstdint>

namespace precis::views {

class BudgetScale {
public:
    BudgetScale() = default;  // no frontier: a single point at zero
    BudgetScale(const Frontier& frontier, BudgetKind unit, int steps);

    BudgetKind unit() const { return m_unit; }
    int steps() const { return m_steps; }
    // Decimal places of the number: 4 for Δppl %, 3 for bits/weight, and for
    // MB about one slider step per last digit (1..6).
    int decimals() const { return m_decimals; }

    double valueAt(int position) const;     // rounded up to decimals()
    int positionOf(double value) const;     // nearest position, clamped to [0, steps]
    double valueOf(const Allocation& a) const;  // the allocation's own total, rounded up

    // The budget a number stands for (see the top of this file).
    static double damageBudget(double percent);
    int64_t byteBudget(double value) const;  // size units

private:
    BudgetKind m_unit = BudgetKind::PplPercent;
    int m_steps = 1;
    int m_decimals = 4;
    double m_dLo = 0, m_dHi = 0, m_dFloor = 0;  // damage of the first and last point; log axis start
    int64_t m_bLo = 0, m_bHi = 0;               // bytes of the smallest and the largest point
    int64_t m_weights = 0;                      // Σ weights incl. fixed: bits per weight
};

} // namespace precis::views
