// The allocation frontier against exact references: brute force over every
// assignment on hundreds of seeded small tables (integer damages, where the
// discretisation is exact, and real damages, where it may lose at most one bin
// per unit), an independent integer-damage DP on medium tables, the convex-hull
// points' optimality, the frontier's invariants, and the edge cases.
#include "allocation/reference_solver.h"
#include "allocation/solver.h"
#include "test_support.h"

#include <cmath>
#include <limits>
#include <random>

using namespace precis;

namespace {

// units × [1, maxOptions] options; bytes 1..100; damage an integer 0..20 or a
// real in [0, 5); each unit pinned with probability pinProb.
OptionTable randomTable(std::mt19937_64& rng, int units, int maxOptions, bool integer, double pinProb)
{
    std::uniform_int_distribution<int> nOpt(1, maxOptions), bytes(1, 100), idamage(0, 20);
    std::uniform_real_distribution<double> rdamage(0.0, 5.0), coin(0.0, 1.0);
    OptionTable t;
    t.fixedBytes = bytes(rng);
    t.fixedWeights = 8;
    for (int u = 0; u < units; ++u) {
        Unit unit{"u" + std::to_string(u), "t", u, "k", 16, {}, -1};
        const int m = nOpt(rng);
        for (int o = 0; o < m; ++o)
            unit.options.push_back({"s" + std::to_string(o), bytes(rng), integer ? double(idamage(rng)) : rdamage(rng)});
        if (coin(rng) < pinProb) unit.pinned = std::uniform_int_distribution<int>(0, m - 1)(rng);
        t.units.push_back(std::move(unit));
    }
    return t;
}

// The solver's least achievable damage: Σ of the pinned or least damage per unit.
double damageFloor(const OptionTable& t)
{
    double floor = 0;
    for (const Unit& u : t.units) {
        double m = u.options[std::max(0, u.pinned)].damage;
        if (u.pinned < 0)
            for (const Option& o : u.options) m = std::min(m, o.damage);
        floor += m;
    }
    return floor;
}

// Settings with bin width exactly 1 for integer damages: the DP is then exact.
FrontierSettings unitBins(const OptionTable& t, bool hull)
{
    double maxSum = 0;
    for (const Unit& u : t.units) {
        double m = 0;
        for (const Option& o : u.options) m = std::max(m, o.damage);
        maxSum += m;
    }
    FrontierSettings s;
    s.damageBins = std::max(1, int(maxSum));
    s.maxDamage = damageFloor(t) + s.damageBins;
    s.minBinsPerUnit = 0;
    s.convexHull = hull;
    return s;
}

Frontier build(const OptionTable& t, const FrontierSettings& s)
{
    auto f = buildFrontier(t, s);
    if (!f.ok()) qFatal("buildFrontier: %s", f.error().toString().c_str());
    return std::move(f).value();
}

// The allocation's totals recomputed here, and its pins respected.
void checkAllocation(const OptionTable& t, const Allocation& a)
{
    QCOMPARE(a.choice.size(), t.units.size());
    int64_t bytes = t.fixedBytes;
    double damage = 0;
    for (size_t u = 0; u < t.units.size(); ++u) {
        QVERIFY(a.choice[u] >= 0 && a.choice[u] < int(t.units[u].options.size()));
        if (t.units[u].pinned >= 0) QCOMPARE(a.choice[u], t.units[u].pinned);
        bytes += t.units[u].options[a.choice[u]].bytes;
        damage += t.units[u].options[a.choice[u]].damage;
    }
    QCOMPARE(a.bytes, bytes);
    QVERIFY(std::abs(a.damage - damage) <= 1e-12 * (1 + damage));
    const int64_t w = totalWeights(t);
    QCOMPARE(a.bitsPerWeight, w > 0 ? 8.0 * double(bytes) / double(w) : 0.0);
}

void checkInvariants(const OptionTable& t, const Frontier& f)
{
    const auto& p = f.points();
    QVERIFY(!p.empty());
    for (size_t i = 0; i < p.size(); ++i) {
        if (i > 0) {
            QVERIFY2(p[i].damage > p[i - 1].damage, qPrintable(QString("point %1").arg(i)));
            QVERIFY2(p[i].bytes < p[i - 1].bytes, qPrintable(QString("point %1").arg(i)));
        }
        const Allocation a = f.at(i);
        checkAllocation(t, a);
        QCOMPARE(a.bytes, p[i].bytes);
        QVERIFY(a.damage == p[i].damage);  // exactly: fixed-point totals
        QCOMPARE(f.minBytes(p[i].damage).point, i);
        QCOMPARE(f.minDamage(p[i].bytes).point, i);
        QVERIFY(f.minBytes(p[i].damage).feasible && f.minDamage(p[i].bytes).feasible);
    }
}

// Budgets to probe: every frontier damage, just below and above, and random ones.
std::vector<double> damageBudgets(const std::vector<ReferencePoint>& ref, std::mt19937_64& rng)
{
    std::vector<double> b{-1.0, 0.0, 1e9};
    for (const ReferencePoint& p : ref) b.insert(b.end(), {p.damage, p.damage - 0.5, p.damage + 0.25});
    std::uniform_real_distribution<double> d(0.0, ref.back().damage + 1.0);
    for (int i = 0; i < 10; ++i) b.push_back(d(rng));
    return b;
}

std::vector<int64_t> byteBudgets(const std::vector<ReferencePoint>& ref, std::mt19937_64& rng)
{
    std::vector<int64_t> b{0, ref.back().bytes - 1, int64_t(1) << 40};
    for (const ReferencePoint& p : ref) b.insert(b.end(), {p.bytes, p.bytes - 1, p.bytes + 1});
    std::uniform_int_distribution<int64_t> d(ref.back().bytes - 5, ref.front().bytes + 5);
    for (int i = 0; i < 10; ++i) b.push_back(d(rng));
    return b;
}

} // namespace

class TestAllocation : public QObject {
    Q_OBJECT

private slots:
    // Integer damages, bin width 1: the DP frontier is the exact Pareto set, with
    // and without the hull points, and every query equals brute force.
    void dpExactOnIntegerDamages()
    {
        std::mt19937_64 rng(20240601);
        for (int trial = 0; trial < 400; ++trial) {
            const OptionTable t = randomTable(rng, 1 + trial % 7, 1 + (trial / 7) % 5, true, trial % 3 == 0 ? 0.3 : 0.0);
            auto ref = bruteForceFrontier(t);
            QVERIFY(ref.ok());
            for (bool hull : {false, true}) {
                const Frontier f = build(t, unitBins(t, hull));
                QCOMPARE(f.binWidth() == 0 ? 1.0 : f.binWidth(), 1.0);
                QCOMPARE(f.points().size(), ref->size());
                for (size_t i = 0; i < ref->size(); ++i) {
                    QCOMPARE(f.points()[i].bytes, (*ref)[i].bytes);
                    QVERIFY(f.points()[i].damage == (*ref)[i].damage);
                }
                checkInvariants(t, f);
                for (double b : damageBudgets(*ref, rng)) {
                    const Allocation a = f.minBytes(b);
                    const ReferencePoint* r = referenceMinBytes(*ref, b);
                    QCOMPARE(a.feasible, r != nullptr);
                    QCOMPARE(a.bytes, r ? r->bytes : ref->front().bytes);
                    checkAllocation(t, a);
                }
                for (int64_t s : byteBudgets(*ref, rng)) {
                    const Allocation a = f.minDamage(s);
                    const ReferencePoint* r = referenceMinDamage(*ref, s);
                    QCOMPARE(a.feasible, r != nullptr);
                    QVERIFY(a.damage == (r ? r->damage : ref->back().damage));
                    QCOMPARE(a.bytes, r ? r->bytes : ref->back().bytes);
                }
            }
        }
    }

    // Real damages, coarse bins: every answer is feasible, never better than the
    // optimum, and loses at most one bin width per free unit.
    void dpWithinOneBinPerUnit()
    {
        std::mt19937_64 rng(77);
        for (int trial = 0; trial < 300; ++trial) {
            const int n = 1 + trial % 7;
            const OptionTable t = randomTable(rng, n, 1 + (trial / 7) % 5, false, trial % 4 == 0 ? 0.3 : 0.0);
            auto ref = bruteForceFrontier(t);
            QVERIFY(ref.ok());
            for (bool hull : {false, true}) {
                FrontierSettings s;
                s.damageBins = 16 + trial % 48;
                s.minBinsPerUnit = 0;  // the DP runs even with few bins per unit
                s.convexHull = hull;
                const Frontier f = build(t, s);
                checkInvariants(t, f);
                const double slack = n * f.binWidth() + 1e-9;
                for (double b : damageBudgets(*ref, rng)) {
                    // Totals summed in another order may differ in the last bits: 1e-9 either side.
                    const Allocation a = f.minBytes(b);
                    if (referenceMinBytes(*ref, b - 1e-9)) QVERIFY(a.feasible);
                    if (!a.feasible) continue;
                    const ReferencePoint* best = referenceMinBytes(*ref, b + 1e-9);
                    const ReferencePoint* bound = referenceMinBytes(*ref, b - slack);
                    QVERIFY(best);
                    QVERIFY(a.damage <= b);
                    QVERIFY(a.bytes >= best->bytes);
                    if (bound) QVERIFY2(a.bytes <= bound->bytes, qPrintable(QString("trial %1 budget %2").arg(trial).arg(b)));
                }
                for (int64_t bytes : byteBudgets(*ref, rng)) {
                    const Allocation a = f.minDamage(bytes);
                    const ReferencePoint* best = referenceMinDamage(*ref, bytes);
                    if (!best) continue;
                    QVERIFY(a.feasible && a.bytes <= bytes);
                    QVERIFY(a.damage >= best->damage - 1e-9);
                    QVERIFY2(a.damage <= best->damage + slack, qPrintable(QString("trial %1 bytes %2").arg(trial).arg(bytes)));
                }
            }
        }
    }

    // The convex-hull points alone: each is the exact optimum for its own damage.
    void hullPointsAreOptimal()
    {
        std::mt19937_64 rng(5);
        for (int trial = 0; trial < 300; ++trial) {
            const OptionTable t = randomTable(rng, 1 + trial % 7, 1 + (trial / 7) % 5, trial % 2 == 0, 0.2);
            auto ref = bruteForceFrontier(t);
            QVERIFY(ref.ok());
            FrontierSettings s;
            s.damageBins = 0;
            const Frontier f = build(t, s);
            QCOMPARE(f.damageBins(), 0);
            checkInvariants(t, f);
            // Both ends of the range are hull points.
            QCOMPARE(f.points().front().bytes, ref->front().bytes);
            QCOMPARE(f.points().back().bytes, ref->back().bytes);
            for (const Frontier::Point& p : f.points()) {
                const ReferencePoint* r = referenceMinBytes(*ref, p.damage + 1e-9);
                QVERIFY(r);
                QCOMPARE(p.bytes, r->bytes);
            }
        }
    }

    // 40 units × 6 options, integer damages: against an independent DP over
    // exact total damage (no pruning, no offsets, no sorting).
    void matchesIntegerDpOnMediumTables()
    {
        std::mt19937_64 rng(99);
        for (int trial = 0; trial < 6; ++trial) {
            const OptionTable t = randomTable(rng, 40, 6, true, 0.1);
            int maxSum = 0;
            for (const Unit& u : t.units) {
                int m = 0;
                for (const Option& o : u.options) m = std::max(m, int(o.damage));
                maxSum += m;
            }
            constexpr int64_t kInf = std::numeric_limits<int64_t>::max() / 4;
            std::vector<int64_t> best(size_t(maxSum) + 1, kInf);  // least bytes at exactly this damage
            best[0] = t.fixedBytes;
            for (const Unit& u : t.units) {
                std::vector<int64_t> next(best.size(), kInf);
                for (size_t o = 0; o < u.options.size(); ++o) {
                    if (u.pinned >= 0 && int(o) != u.pinned) continue;
                    const int d = int(u.options[o].damage);
                    for (size_t k = 0; k + size_t(d) < best.size(); ++k)
                        next[k + d] = std::min(next[k + d], best[k] + u.options[o].bytes);
                }
                best.swap(next);
            }
            for (size_t k = 1; k < best.size(); ++k) best[k] = std::min(best[k], best[k - 1]);  // damage <= k
            const Frontier f = build(t, unitBins(t, true));
            checkInvariants(t, f);
            for (size_t k = 0; k < best.size(); ++k) {
                const Allocation a = f.minBytes(double(k));
                QCOMPARE(a.feasible, best[k] < kInf);
                if (a.feasible) QCOMPARE(a.bytes, best[k]);
            }
        }
    }

    // Realistic shape, 200 units × 8 options with pins: invariants at the default settings.
    void invariantsAtDefaultSettings()
    {
        std::mt19937_64 rng(3);
        OptionTable t = randomTable(rng, 200, 8, false, 0.05);
        const Frontier f = build(t, FrontierSettings{});
        QCOMPARE(f.damageBins(), 4096);
        QVERIFY(f.points().size() > 100);
        QVERIFY(f.dpPointCount() > 0 && f.hullPointCount() > 0);
        QVERIFY(f.choiceTableBytes() > 0 && f.memoryBytes() > f.choiceTableBytes());
        checkInvariants(t, f);
    }

    // Dominated and duplicate options never win and change nothing.
    void dominatedOptions()
    {
        OptionTable t;
        t.units.push_back(Unit{"a", "a", 0, "k", 8, {{"good", 10, 1.0}, {"worse", 12, 1.5}, {"dup", 10, 1.0}, {"tiny", 4, 6.0}}, -1});
        t.units.push_back(Unit{"b", "b", 1, "k", 8, {{"x", 20, 0.0}, {"y", 25, 0.0}, {"z", 5, 3.0}, {"w", 6, 3.0}}, -1});
        auto ref = bruteForceFrontier(t);
        QVERIFY(ref.ok());
        const Frontier f = build(t, unitBins(t, true));
        QCOMPARE(f.points().size(), ref->size());
        for (size_t i = 0; i < f.points().size(); ++i) {
            const Allocation a = f.at(i);
            QCOMPARE(a.bytes, (*ref)[i].bytes);
            QVERIFY(a.choice[0] == 0 || a.choice[0] == 3);  // never "worse" nor the second duplicate
            QVERIFY(a.choice[1] == 0 || a.choice[1] == 2);
        }
    }

    // More than 256 options: 16-bit choices, still exact.
    void manyOptions()
    {
        OptionTable t;
        Unit big{"big", "big", 0, "k", 300, {}, -1};
        for (int i = 0; i < 300; ++i) big.options.push_back({"o" + std::to_string(i), 1 + i, double(300 - i)});
        t.units.push_back(big);
        t.units.push_back(Unit{"small", "s", 1, "k", 4, {{"a", 7, 0.0}, {"b", 3, 2.0}, {"c", 1, 9.0}}, -1});
        auto ref = bruteForceFrontier(t);
        QVERIFY(ref.ok());
        const Frontier f = build(t, unitBins(t, false));
        QCOMPARE(f.points().size(), ref->size());
        for (size_t i = 0; i < ref->size(); ++i) QCOMPARE(f.points()[i].bytes, (*ref)[i].bytes);
        QCOMPARE(f.choiceTableBytes() % 2, size_t(0));
        checkInvariants(t, f);
    }

    void emptyTable()
    {
        OptionTable t;
        t.fixedBytes = 100;
        t.fixedWeights = 50;
        const Frontier f = build(t, FrontierSettings{});
        QCOMPARE(f.points().size(), size_t(1));
        QCOMPARE(f.points()[0].bytes, int64_t(100));
        QCOMPARE(f.points()[0].damage, 0.0);
        const Allocation a = f.minBytes(0.0);
        QVERIFY(a.feasible && a.choice.empty());
        QCOMPARE(a.bitsPerWeight, 16.0);
        QVERIFY(!f.minBytes(-1.0).feasible);
        QVERIFY(!f.minDamage(99).feasible);
        QVERIFY(f.minDamage(100).feasible);
    }

    void singleOptionAndAllPinned()
    {
        OptionTable t;
        t.units.push_back(Unit{"one", "one", 0, "k", 10, {{"Q4_K", 6, 0.25}}, -1});
        t.units.push_back(Unit{"p", "p", 1, "k", 10, {{"a", 20, 0.0}, {"b", 10, 0.5}, {"c", 5, 2.0}}, 2});
        const Frontier f = build(t, FrontierSettings{});
        QCOMPARE(f.points().size(), size_t(1));
        const Allocation a = f.minBytes(10.0);
        QCOMPARE(a.choice, (std::vector<int>{0, 2}));
        QCOMPARE(a.bytes, int64_t(11));
        QVERIFY(a.damage == 2.25);
        QCOMPARE(a.bitsPerWeight, 8.0 * 11 / 20);
        QVERIFY(!f.minBytes(2.0).feasible);
        // Unpinned, the second unit opens three points.
        t.units[1].pinned = -1;
        QCOMPARE(build(t, FrontierSettings{}).points().size(), size_t(3));
    }

    void infeasibleBudgets()
    {
        OptionTable t;
        t.fixedBytes = 1;
        t.units.push_back(Unit{"a", "a", 0, "k", 8, {{"hi", 8, 0.5}, {"lo", 2, 3.0}}, -1});
        t.units.push_back(Unit{"b", "b", 1, "k", 8, {{"hi", 8, 0.25}, {"lo", 4, 1.0}}, -1});
        const Frontier f = build(t, FrontierSettings{});
        Allocation a = f.minBytes(0.5);
        QVERIFY(!a.feasible);
        QCOMPARE(a.point, size_t(0));
        QCOMPARE(a.bytes, int64_t(17));
        QCOMPARE(QString::fromStdString(a.message),
                 QString("damage budget 0.5 nats/token is below the least achievable 0.75; showing the least damaging allocation"));
        a = f.minBytes(std::numeric_limits<double>::quiet_NaN());
        QVERIFY(!a.feasible);
        QCOMPARE(a.point, size_t(0));
        a = f.minDamage(6);
        QVERIFY(!a.feasible);
        QCOMPARE(a.bytes, int64_t(7));
        QCOMPARE(a.point, f.points().size() - 1);
        QCOMPARE(QString::fromStdString(a.message),
                 QString("byte budget 6 is below the smallest achievable 7 bytes; showing the smallest allocation"));
        QVERIFY(f.minDamage(7).feasible && f.minDamage(7).message.empty());
        QCOMPARE(f.minBytes(std::numeric_limits<double>::infinity()).bytes, int64_t(7));
    }

    void settingsErrors_data()
    {
        QTest::addColumn<int>("bins");
        QTest::addColumn<double>("maxDamage");
        QTest::addColumn<int>("levels");
        QTest::addColumn<bool>("hull");
        QTest::addColumn<QString>("message");
        QTest::newRow("bins negative") << -1 << 0.0 << 4 << true << "frontier settings: damageBins is -1, expected 0..1048576";
        QTest::newRow("bins huge") << (1 << 21) << 0.0 << 4 << true << "frontier settings: damageBins is 2097152, expected 0..1048576";
        QTest::newRow("max nan") << 64 << std::nan("") << 4 << true << "frontier settings: maxDamage is nan, expected a finite value >= 0 (0 = auto)";
        QTest::newRow("max negative") << 64 << -1.0 << 4 << true << "frontier settings: maxDamage is -1.000000, expected a finite value >= 0 (0 = auto)";
        QTest::newRow("max below floor") << 64 << 0.5 << 4 << true << "frontier settings: maxDamage is 0.500000, expected more than the least achievable damage 0.750000";
        QTest::newRow("max at floor") << 64 << 0.75 << 4 << false << "frontier settings: maxDamage is 0.750000, expected more than the least achievable damage 0.750000";
        QTest::newRow("levels 0") << 64 << 0.0 << 0 << true << "frontier settings: dpLevels is 0, expected 1..12";
        QTest::newRow("levels 13") << 64 << 0.0 << 13 << true << "frontier settings: dpLevels is 13, expected 1..12";
        QTest::newRow("nothing") << 0 << 0.0 << 4 << false << "frontier settings: damageBins is 0 and convexHull is off: no method left to build the frontier";
    }
    void settingsErrors()
    {
        QFETCH(int, bins);
        QFETCH(double, maxDamage);
        QFETCH(int, levels);
        QFETCH(bool, hull);
        QFETCH(QString, message);
        OptionTable t;
        t.units.push_back(Unit{"a", "a", 0, "k", 8, {{"hi", 8, 0.5}, {"lo", 2, 3.0}}, -1});
        t.units.push_back(Unit{"b", "b", 1, "k", 8, {{"hi", 8, 0.25}, {"lo", 4, 1.0}}, -1});
        const auto r = buildFrontier(t, FrontierSettings{.damageBins = bins, .maxDamage = maxDamage, .dpLevels = levels, .convexHull = hull});
        QVERIFY(!r.ok());
        QCOMPARE(QString::fromStdString(r.error().toString()), message);
        t.units[0].options[0].bytes = -3;
        QCOMPARE(QString::fromStdString(buildFrontier(t).error().toString()),
                 QString("option table: unit 0 'a', option 0 'hi': bytes is -3, expected > 0"));
    }

    void minBinsPerUnit()
    {
        std::mt19937_64 rng(8);
        const OptionTable t = randomTable(rng, 40, 5, false, 0.0);
        FrontierSettings s;
        s.damageBins = 64;  // < 8 bins per free unit
        Frontier f = build(t, s);
        QCOMPARE(f.dpLevelCount(), 0);
        QCOMPARE(f.dpPointCount(), size_t(0));
        QCOMPARE(f.choiceTableBytes(), size_t(0));
        checkInvariants(t, f);
        s.minBinsPerUnit = 0;
        f = build(t, s);
        QVERIFY(f.dpLevelCount() > 0 && f.dpPointCount() > 0);
        checkInvariants(t, f);
        s.minBinsPerUnit = 4;
        s.convexHull = false;  // the DP is then the only method and always runs
        QVERIFY(build(t, s).dpLevelCount() > 0);
        s.minBinsPerUnit = -1;
        QCOMPARE(QString::fromStdString(buildFrontier(t, s).error().toString()),
                 QString("frontier settings: minBinsPerUnit is -1.000000, expected a finite value >= 0"));
    }

    // The finer levels cover the damages near the floor: each level's bin width
    // is 4× narrower, and answers there are no worse than with one level.
    void levels()
    {
        std::mt19937_64 rng(12);
        const OptionTable t = randomTable(rng, 30, 8, false, 0.0);
        FrontierSettings one;
        one.dpLevels = 1;
        one.convexHull = false;
        FrontierSettings six = one;
        six.dpLevels = 6;
        const Frontier a = build(t, one), b = build(t, six);
        QCOMPARE(a.dpLevelCount(), 1);
        QVERIFY(b.dpLevelCount() > 1);
        for (int l = 1; l < b.dpLevelCount(); ++l) QCOMPARE(b.binWidth(l), b.binWidth(l - 1) / 4);
        QVERIFY(b.dpPointCount() > a.dpPointCount());
        checkInvariants(t, b);
        const double floor = a.points().front().damage, top = a.points().back().damage;
        for (int i = 0; i <= 200; ++i) {
            const double budget = floor + (top - floor) * std::pow(1e-4, i / 200.0);
            QVERIFY(b.minBytes(budget).bytes <= a.minBytes(budget).bytes);
        }
    }

    // A choice table that would not fit is refused before it is allocated.
    void choiceTableLimit()
    {
        OptionTable t;
        for (int u = 0; u < 5000; ++u)
            t.units.push_back(Unit{"u" + std::to_string(u), "t", 0, "k", 8, {{"a", 10, 0.0}, {"b", 5, 1.0 + u % 3}}, -1});
        FrontierSettings s;
        s.damageBins = 1 << 20;
        s.minBinsPerUnit = 0;
        const auto r = buildFrontier(t, s);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().toString().starts_with("frontier settings: damageBins 1048576 needs "), r.error().toString().c_str());
        QVERIFY(r.error().toString().ends_with(" MiB of choice tables for 5000 free units, more than the 682 MiB allowed; use fewer bins"));
    }

    void cancel()
    {
        std::mt19937_64 rng(1);
        const OptionTable t = randomTable(rng, 50, 5, false, 0.0);
        CancelToken token;
        token.cancel();
        const auto r = buildFrontier(t, FrontierSettings{}, &token);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
    }

    void userTerms()
    {
        QCOMPARE(damageBudgetForPerplexityIncrease(1.0), std::log(1.01));
        QCOMPARE(damageBudgetForPerplexityIncrease(0.0), 0.0);
        QVERIFY(std::abs(perplexityIncreaseForDamage(damageBudgetForPerplexityIncrease(5.0)) - 5.0) < 1e-12);
        QCOMPARE(byteBudgetForBitsPerWeight(1000, 4.5), int64_t(562));
        QCOMPARE(byteBudgetForBitsPerWeight(1000, -1.0), int64_t(0));
        QCOMPARE(byteBudgetForBitsPerWeight(1000, std::nan("")), int64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestAllocation)
#include "tst_allocation.moc"
