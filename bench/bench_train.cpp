// precis-bench-train: time of the training forward (lossOnly) and of forward +
// backward (lossAndGradients) on a generated Llama, per thread count. The
// backward of a matmul is two matmuls of the same size, so fwd+bwd / fwd ≈ 3
// is the ideal. Prints a table; not a test.
//
//   precis-bench-train [--reps N] [--threads 1,2] [--batch B] [--tokens T]
//                      [--layers L] [--embd C] [--ffn F] [--vocab V] [--extras]
// Defaults: 4 layers, 256 embd, 768 ffn, 8 heads / 4 kv heads, vocab 512,
// B = 8, T = 128, 5 repetitions after one warm-up, threads 1 and 2.
// --extras also requests head-gate and linear-input gradients.
#include "bench_util.h"
#include "engine/backward.h"
#include "train/parameters.h"

#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace precis;
using precis::bench::parseList;

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

// Multiply-adds of one training forward per token: the linear layers, the
// output head and the attention products (q·k and p·v over T/2 keys on average).
double forwardMacsPerToken(const ModelConfig& c, int T)
{
    const double C = c.nEmbd, kv = double(c.nHeadKv) * c.headDim(), F = c.nFf;
    const double linear = C * C * 2 + 2 * C * kv + 3 * C * F;
    const double attention = 2.0 * C * (T + 1) / 2;
    return c.nLayer * (linear + attention) + C * c.nVocab;
}

} // namespace

int main(int argc, char** argv)
{
    int reps = 5, B = 8, T = 128;
    bool extras = false;
    std::vector<int> threads{1, 2};
    ModelConfig c;
    c.arch = Arch::Llama;
    c.archName = "llama";
    c.nLayer = 4, c.nEmbd = 256, c.nHead = 8, c.nHeadKv = 4, c.nFf = 768, c.nVocab = 512, c.nCtx = 1024;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
        if (a == "--extras") { extras = true; continue; }
        if (!next) { std::fprintf(stderr, "missing value after %s\n", a.c_str()); return 2; }
        if (a == "--reps") reps = std::max(1, std::atoi(next));
        else if (a == "--threads") threads = parseList(next);
        else if (a == "--batch") B = std::max(1, std::atoi(next));
        else if (a == "--tokens") T = std::max(1, std::atoi(next));
        else if (a == "--layers") c.nLayer = std::max(1, std::atoi(next));
        else if (a == "--embd") c.nEmbd = std::max(8, std::atoi(next));
        else if (a == "--ffn") c.nFf = std::max(1, std::atoi(next));
        else if (a == "--vocab") c.nVocab = std::max(2, std::atoi(next));
        else { std::fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
        ++i;
    }
    const Parameters p = initParameters(c, 1);
    std::vector<int32_t> ids(size_t(B) * (T + 1));
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = int32_t((i * 7919 + 13) % size_t(c.nVocab));
    BackwardOptions options;
    options.headGates = extras;
    options.linearInputGrads = extras;
    const double tokens = double(B) * T, macs = forwardMacsPerToken(c, T) * tokens;

    std::printf("precis-bench-train: Llama %d layers, %d embd, %d ffn, %d/%d heads, vocab %d; %.2fM parameters\n",
                c.nLayer, c.nEmbd, c.nFf, c.nHead, c.nHeadKv, c.nVocab, double(p.count()) / 1e6);
    std::printf("batch B = %d × T = %d tokens; %d reps after one warm-up; median [min-max]%s\n", B, T, reps,
                extras ? "; with head-gate and linear-input gradients" : "");
    std::printf("forward ≈ %.2f GMAC per batch (linear layers, attention, output head)\n\n", macs / 1e9);
    std::printf("workspace: fresh = lossAndGradients allocates its activations per call; reused = a\n"
                "BackwardWorkspace kept across calls (as a trainer does). Forward = lossOnly.\n\n");
    std::printf("%-8s | %-10s | %-24s | %-10s | %-24s | %-10s | %-8s | %s\n", "threads", "workspace", "forward ms",
                "fwd tok/s", "forward+backward ms", "f+b tok/s", "f+b/fwd", "fwd GFLOP/s");
    std::printf("---------+------------+--------------------------+------------+--------------------------+------------+----------+-----------\n");
    for (int n : threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, size_t(std::max(1, n)));
        const Stats fwd = measure(reps, [&] {
            auto r = lossOnly(p, ids, B, T);
            if (!r.ok()) { std::fprintf(stderr, "%s\n", r.error().toString().c_str()); std::exit(1); }
        });
        char a[64], b[64];
        std::snprintf(a, sizeof a, "%.1f [%.1f-%.1f]", fwd.median * 1e3, fwd.min * 1e3, fwd.max * 1e3);
        for (bool reuse : {false, true}) {
            BackwardWorkspace workspace;
            BackwardOptions o = options;
            o.workspace = reuse ? &workspace : nullptr;
            const Stats both = measure(reps, [&] {
                auto r = lossAndGradients(p, ids, B, T, o);
                if (!r.ok()) { std::fprintf(stderr, "%s\n", r.error().toString().c_str()); std::exit(1); }
            });
            std::snprintf(b, sizeof b, "%.1f [%.1f-%.1f]", both.median * 1e3, both.min * 1e3, both.max * 1e3);
            std::printf("%-8d | %-10s | %-24s | %-10.0f | %-24s | %-10.0f | %-8.2f | %.1f\n", n,
                        reuse ? "reused" : "fresh", a, tokens / fwd.median, b, tokens / both.median,
                        both.median / fwd.median, 2 * macs / fwd.median / 1e9);
        }
    }
    return 0;
}
