// precis-bench-quant: encode, decode and roundTrip throughput of every
// quantization scheme (quant/scheme.h) on a random Gaussian matrix, per thread
// count, plus the relative RMS error of the round trip. Prints a table; not a test.
//
//   precis-bench-quant [--rows R] [--cols C] [--reps N] [--threads 1,2]
//                      [--schemes all|standard|rtn|NAME,NAME,...] [--importance]
// Defaults: 4096 × 4096, 3 repetitions after one warm-up, threads 1 and 2,
// all schemes (standard, RTN symmetric and asymmetric). --importance passes a
// skewed per-column importance vector to encode and roundTrip.
#include "quant/scheme.h"

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
using namespace precis::quant;

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
    double median = 0, min = 0, max = 0;
};

// One warm-up call, then `reps` timed calls of fn; seconds.
Stats measure(int reps, const std::function<void()>& fn)
{
    fn();
    std::vector<double> v;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        fn();
        v.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return {n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]), v.front(), v.back()};
}

std::vector<std::string> split(const std::string& s)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        const size_t comma = s.find(',', start);
        const size_t end = comma == std::string::npos ? s.size() : comma;
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

void check(const Result<void>& r)
{
    if (!r.ok()) {
        std::fprintf(stderr, "%s\n", r.error().toString().c_str());
        std::exit(1);
    }
}

// "123.4 ±5%": median throughput in M weights/s and the spread (max − min) / median of the times.
std::string cell(double weights, const Stats& s)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, "%8.1f ±%2.0f%%", weights / s.median / 1e6, 100 * (s.max - s.min) / s.median);
    return buf;
}

} // namespace

int main(int argc, char** argv)
{
    int64_t rows = 4096, cols = 4096;
    int reps = 3;
    bool withImportance = false;
    std::vector<int> threads{1, 2};
    std::string which = "all";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--importance") { withImportance = true; continue; }
        const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
        if (!next) { std::fprintf(stderr, "missing value after %s\n", a.c_str()); return 2; }
        if (a == "--rows") rows = std::max<int64_t>(1, std::atoll(next));
        else if (a == "--cols") cols = std::max<int64_t>(1, std::atoll(next));
        else if (a == "--reps") reps = std::max(1, std::atoi(next));
        else if (a == "--threads") { threads.clear(); for (const auto& t : split(next)) threads.push_back(std::max(1, std::atoi(t.c_str()))); }
        else if (a == "--schemes") which = next;
        else { std::fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
        ++i;
    }
    std::vector<Scheme> schemes;
    if (which == "all" || which == "standard") schemes = standardSchemes();
    if (which == "all" || which == "rtn") {
        for (const Scheme& s : rtnSchemes(false)) schemes.push_back(s);
        for (const Scheme& s : rtnSchemes(true)) schemes.push_back(s);
    }
    if (schemes.empty()) {
        for (const auto& name : split(which)) {
            auto s = parseScheme(name);
            if (!s.ok()) { std::fprintf(stderr, "%s\n", s.error().toString().c_str()); return 2; }
            schemes.push_back(*s);
        }
    }

    std::mt19937 rng(42);
    std::normal_distribution<float> dist(0.0f, 0.02f);
    std::vector<float> w(size_t(rows * cols));
    for (float& x : w) x = dist(rng);
    std::vector<float> importance(static_cast<size_t>(cols));
    for (auto& v : importance) v = (rng() % 8 == 0) ? 100.0f : 1.0f;
    const float* imp = withImportance ? importance.data() : nullptr;
    std::vector<float> out(w.size());
    const double n = double(rows) * double(cols);

    std::printf("precis-bench-quant: %lld × %lld Gaussian (σ = 0.02) matrix, %.1fM weights; %d reps after one "
                "warm-up;\nthroughput in M weights/s, median ±(max−min)/median of the times; %s importance\n\n",
                (long long)rows, (long long)cols, n / 1e6, reps, withImportance ? "with skewed" : "no");
    std::printf("%-10s %7s %9s", "scheme", "bpw", "rel.RMS");
    for (int t : threads) std::printf(" | %2d thr: %-13s %-13s %-13s", t, "encode", "decode", "roundTrip");
    std::printf("\n");
    for (const Scheme& s : schemes) {
        if (!feasible(s, cols)) {
            std::printf("%-10s  (row of %lld values not a multiple of %d)\n", s.name().c_str(), (long long)cols, s.group);
            continue;
        }
        check(roundTrip(s, w.data(), rows, cols, out.data(), imp));
        double err = 0, ref = 0;
        for (size_t i = 0; i < w.size(); ++i) {
            err += double(w[i] - out[i]) * double(w[i] - out[i]);
            ref += double(w[i]) * double(w[i]);
        }
        std::printf("%-10s %7.4f %9.5f", s.name().c_str(), bitsPerWeight(s), std::sqrt(err / ref));
        std::vector<uint8_t> bytes(size_t(encodedBytes(s, rows, cols)));
        for (int t : threads) {
            tbb::global_control limit(tbb::global_control::max_allowed_parallelism, size_t(t));
            const Stats enc = measure(reps, [&] { check(encodeInto(s, w.data(), rows, cols, bytes.data(), bytes.size(), imp)); });
            const Stats dec = measure(reps, [&] { check(decode(s, bytes.data(), bytes.size(), rows, cols, out.data())); });
            const Stats rt = measure(reps, [&] { check(roundTrip(s, w.data(), rows, cols, out.data(), imp)); });
            std::printf(" | %7s %s %s %s", "", cell(n, enc).c_str(), cell(n, dec).c_str(), cell(n, rt).c_str());
        }
        std::printf("\n");
        std::fflush(stdout);
    }
    return 0;
}
