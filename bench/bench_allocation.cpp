// precis-bench-allocation: time to build the allocation frontier and per-query
// time of the slider (minBytes / minDamage over random budgets), on synthetic
// option tables shaped like a real model; plus how close each frontier method
// gets to the LP lower bound. Prints tables; not a test.
//
//   precis-bench-allocation [--units 10000,100] [--bins 4096] [--threads 1,2]
//                           [--reps N] [--queries N] [--seed S]
//
// Table: per unit, weights 2^U(16, 26) (64 Ki .. 64 Mi, multiples of 256) and 12
// options at 2, 2.625, 3, 3.4375, 4, 4.5, 5, 5.5, 6, 6.5625, 8.5 and 16 bits per
// weight; bytes = ceil(weights · bits / 8); damage = s · weights · 4^-bits ·
// lognormal(0.2) noise (quantisation noise power falls 4× per bit), with a
// per-unit sensitivity s ~ lognormal(1.5), scaled so the all-4.5-bit
// assignment costs 0.02 nats/token. Noise makes a few options dominated.
#include "bench_util.h"
#include "allocation/solver.h"

#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace precis;
using precis::bench::parseList;

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
    double median = 0, p99 = 0, min = 0, max = 0;
};

Stats summarize(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return {n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]), v[std::min(n - 1, size_t(std::ceil(0.99 * n)) - 1)],
            v.front(), v.back()};
}

double seconds(const std::function<void()>& fn)
{
    const auto t0 = Clock::now();
    fn();
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

OptionTable syntheticTable(int units, uint64_t seed)
{
    static const double kBits[] = {2, 2.625, 3, 3.4375, 4, 4.5, 5, 5.5, 6, 6.5625, 8.5, 16};
    static const char* kSchemes[] = {"RTN2", "Q2_K", "RTN3", "Q3_K", "RTN4", "Q4_K", "RTN5", "Q5_K", "RTN6", "Q6_K", "Q8_0", "F16"};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> logSize(16, 26);
    std::lognormal_distribution<double> sensitivity(0.0, 1.5), noise(0.0, 0.2);
    OptionTable t;
    t.fixedWeights = int64_t(units) * 256;
    t.fixedBytes = t.fixedWeights * 2;  // norms in F16
    double at45 = 0;
    for (int u = 0; u < units; ++u) {
        Unit unit;
        unit.name = "unit." + std::to_string(u);
        unit.tensor = "blk." + std::to_string(u / 64) + ".t" + std::to_string(u % 64);
        unit.layer = u / 64;
        unit.kind = "synthetic";
        unit.weights = std::max<int64_t>(256, int64_t(std::exp2(logSize(rng))) / 256 * 256);
        const double s = sensitivity(rng) * double(unit.weights);
        for (int o = 0; o < 12; ++o) {
            const int64_t bytes = int64_t(std::ceil(double(unit.weights) * kBits[o] / 8));
            unit.options.push_back({kSchemes[o], bytes, s * std::pow(4.0, -kBits[o]) * (o == 11 ? 0.0 : noise(rng))});
        }
        at45 += unit.options[5].damage;
        t.units.push_back(std::move(unit));
    }
    for (Unit& unit : t.units)
        for (Option& o : unit.options) o.damage *= 0.02 / at45;
    return t;
}

// The LP (convex relaxation) lower bound on bytes at a damage budget, from the
// hull-only frontier: linear between its points.
double lpBound(const Frontier& hull, double budget)
{
    const auto& p = hull.points();
    if (budget >= p.back().damage) return double(p.back().bytes);
    const auto it = std::upper_bound(p.begin(), p.end(), budget, [](double b, const Frontier::Point& q) { return b < q.damage; });
    if (it == p.begin()) return NAN;
    const Frontier::Point &a = *(it - 1), &b = *it;
    const double t = (budget - a.damage) / (b.damage - a.damage);
    return double(a.bytes) + t * double(b.bytes - a.bytes);
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<int> unitCounts{10000, 100}, bins{4096}, threads{1, 2};
    int reps = 3, queries = 1000;
    uint64_t seed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
        if (!next) { std::fprintf(stderr, "missing value after %s\n", a.c_str()); return 2; }
        if (a == "--units") unitCounts = parseList(next);
        else if (a == "--bins") bins = parseList(next);
        else if (a == "--threads") threads = parseList(next);
        else if (a == "--reps") reps = std::max(1, std::atoi(next));
        else if (a == "--queries") queries = std::max(1, std::atoi(next));
        else if (a == "--seed") seed = std::strtoull(next, nullptr, 10);
        else { std::fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
        ++i;
    }

    struct Mode {
        const char* name;
        FrontierSettings settings;  // damageBins filled in per row
    };
    const std::vector<Mode> modes = {
        {"default", FrontierSettings{}},
        {"hull only", FrontierSettings{.damageBins = 0}},
        {"DP 1 level+hull", FrontierSettings{.dpLevels = 1, .minBinsPerUnit = 0}},
        {"DP 6 levels+hull", FrontierSettings{.dpLevels = 6, .minBinsPerUnit = 0}},
    };
    std::printf("precis-bench-allocation: synthetic tables, 12 options per unit; build = median [min-max] of %d\n"
                "after one warm-up; queries = %d random slider positions each (minBytes: damage budget\n"
                "log-uniform over the frontier's range; minDamage: byte budget uniform), µs median / p99.\n"
                "default = FrontierSettings{} (the DP runs only with >= 8 bins per free unit);\n"
                "DP ... +hull = the DP forced on. points: DP candidates / hull points / frontier.\n\n",
                reps, queries);
    std::printf("%-6s | %-16s | %-5s | %-3s | %-24s | %-19s | %-9s | %-10s | %-9s | %-13s | %s\n", "units", "mode", "bins",
                "thr", "build ms", "points dp/hull/all", "bin w0", "choice MiB", "total MiB", "minBytes µs", "minDamage µs");
    std::printf("-------+------------------+-------+-----+--------------------------+---------------------+-----------+------------+-----------+---------------+-------------\n");
    for (int n : unitCounts) {
        const OptionTable table = syntheticTable(n, seed);
        for (int K : bins) {
            for (const Mode& mode : modes) {
                FrontierSettings s = mode.settings;
                if (s.damageBins > 0) s.damageBins = K;
                for (int nt : threads) {
                    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, size_t(std::max(1, nt)));
                    Result<Frontier> f = buildFrontier(table, s);
                    if (!f.ok()) { std::fprintf(stderr, "%s\n", f.error().toString().c_str()); return 1; }
                    std::vector<double> build;
                    for (int r = 0; r < reps; ++r) build.push_back(seconds([&] { f = buildFrontier(table, s); }));
                    const Stats b = summarize(build);
                    const Frontier& fr = *f;
                    std::mt19937_64 rng(seed + 7);
                    const double lo = std::log(fr.points().front().damage), hi = std::log(fr.points().back().damage);
                    std::uniform_real_distribution<double> logDamage(lo, hi);
                    std::uniform_int_distribution<int64_t> size(fr.points().back().bytes, fr.points().front().bytes);
                    std::vector<double> qb, qd;
                    int64_t sink = 0;
                    for (int q = 0; q < queries; ++q) {
                        const double budget = std::exp(logDamage(rng));
                        const int64_t bytes = size(rng);
                        qb.push_back(seconds([&] { sink += fr.minBytes(budget).bytes; }));
                        qd.push_back(seconds([&] { sink += fr.minDamage(bytes).bytes; }));
                    }
                    const Stats sb = summarize(qb), sd = summarize(qd);
                    char build_s[64], pts[64], qbs[32], qds[32];
                    std::snprintf(build_s, sizeof build_s, "%.1f [%.1f-%.1f]", b.median * 1e3, b.min * 1e3, b.max * 1e3);
                    std::snprintf(pts, sizeof pts, "%zu/%zu/%zu", fr.dpPointCount(), fr.hullPointCount(), fr.points().size());
                    std::snprintf(qbs, sizeof qbs, "%.1f / %.1f", sb.median * 1e6, sb.p99 * 1e6);
                    std::snprintf(qds, sizeof qds, "%.1f / %.1f", sd.median * 1e6, sd.p99 * 1e6);
                    std::printf("%-6d | %-16s | %-5d | %-3d | %-24s | %-19s | %-9.2e | %-10.2f | %-9.2f | %-13s | %s%s\n", n,
                                mode.name, s.damageBins, nt, build_s, pts, fr.binWidth(), double(fr.choiceTableBytes()) / (1 << 20),
                                double(fr.memoryBytes()) / (1 << 20), qbs, qds, sink == 42 ? " " : "");
                    std::fflush(stdout);
                }
            }
        }
    }

    // Quality: bytes above the LP lower bound at a few perplexity budgets, per method.
    std::printf("\nbytes above the LP lower bound (convex relaxation) at the budget ln(1 + p/100), %%:\n");
    std::printf("%-6s | %-5s | %-7s | %-10s | %-10s | %-10s | %-10s | %-10s | %s\n", "units", "bins", "ppl +%", "LP MiB",
                "DP 1 lvl", "DP 6 lvls", "hull only", "DP6+hull", "default");
    std::printf("-------+-------+---------+------------+------------+------------+------------+------------+-----------\n");
    for (int n : unitCounts) {
        const OptionTable table = syntheticTable(n, seed);
        for (int K : bins) {
            const FrontierSettings dp1{.damageBins = K, .dpLevels = 1, .minBinsPerUnit = 0, .convexHull = false};
            const FrontierSettings dp6{.damageBins = K, .dpLevels = 6, .minBinsPerUnit = 0, .convexHull = false};
            const FrontierSettings hull{.damageBins = 0}, both{.damageBins = K, .minBinsPerUnit = 0}, def{.damageBins = K};
            std::vector<Result<Frontier>> f;
            for (const FrontierSettings& s : {dp1, dp6, hull, both, def}) {
                f.push_back(buildFrontier(table, s));
                if (!f.back().ok()) { std::fprintf(stderr, "%s\n", f.back().error().toString().c_str()); return 1; }
            }
            for (double p : {0.1, 0.5, 1.0, 2.0, 5.0, 20.0}) {
                const double B = damageBudgetForPerplexityIncrease(p);
                const double bound = lpBound(*f[2], B);
                auto gap = [&](const Frontier& fr) {
                    const Allocation a = fr.minBytes(B);
                    return a.feasible ? 100.0 * (double(a.bytes) - bound) / bound : NAN;
                };
                std::printf("%-6d | %-5d | %-7.1f | %-10.1f | %-10.4f | %-10.4f | %-10.4f | %-10.4f | %.4f\n", n, K, p,
                            bound / (1 << 20), gap(*f[0]), gap(*f[1]), gap(*f[2]), gap(*f[3]), gap(*f[4]));
            }
        }
    }
    return 0;
}
