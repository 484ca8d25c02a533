// precis-bench-engine: prefill and decode throughput of the fp32 engine, set
// against what the machine can do — memory read bandwidth for decode (every
// weight is read once per token, so tok/s <= bandwidth / bytes per token) and
// the Eigen GEMM rate for prefill. Prints a table; not a test.
//
//   precis-bench-engine [MODEL.gguf] [--quick] [--reps N] [--threads 1,2]
//                       [--layers N] [--no-synthetic]
// MODEL defaults to /work/shared/data/models/stories260K.gguf (skipped when
// absent). The synthetic model has TinyLlama-1.1B's shape (22 layers, 2048 embd,
// 5632 ffn, 32 heads, 4 KV heads, 32000 vocab; ~4.4 GB fp32); --quick keeps 4
// layers, --layers N any number.
#include "engine/engine.h"
#include "engine/kv_cache.h"
#include "formats/model_loader.h"
#include "model/random_model.h"

#include <Eigen/Core>
#if defined(__SSE2__)
#include <immintrin.h>
#endif
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

using namespace precis;

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
    double median = 0, min = 0, max = 0;
};

// Runs fn once as warm-up, then `reps` times; returns stats of what fn returns.
Stats measure(int reps, const std::function<double()>& fn)
{
    fn();
    std::vector<double> v;
    for (int i = 0; i < reps; ++i) v.push_back(fn());
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return {n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]), v.front(), v.back()};
}

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

std::string fmt(const Stats& s, const char* f = "%.1f")
{
    char a[32], b[32], c[32], out[128];
    std::snprintf(a, sizeof a, f, s.median);
    std::snprintf(b, sizeof b, f, s.min);
    std::snprintf(c, sizeof c, f, s.max);
    std::snprintf(out, sizeof out, "%s [%s-%s]", a, b, c);
    return out;
}

const char* simdName()
{
#if defined(__AVX512F__)
    return "AVX-512";
#elif defined(__AVX2__) && defined(__FMA__)
    return "AVX2+FMA";
#elif defined(__AVX__)
    return "AVX";
#else
    return "SSE2 (portable x86-64 build; configure with -DPRECIS_ENGINE_AVX2=ON for AVX2+FMA)";
#endif
}

// Sum of n floats (n a multiple of 64) read as `streams` equal contiguous
// ranges in lockstep, with eight independent 4-wide accumulators, so that the
// loop is bound by memory reads rather than by one addition chain. Several
// streams per thread is how a matrix-vector product reads (rows side by side)
// and often gets more out of the hardware prefetchers than one stream.
float sumFloats(const float* p, size_t n, int streams)
{
    const size_t m = n / size_t(streams);
#if defined(__SSE2__)
    __m128 a[8];
    for (auto& v : a) v = _mm_setzero_ps();
    if (streams == 1) {
        for (size_t i = 0; i < n; i += 32)
            for (int k = 0; k < 8; ++k) a[k] = _mm_add_ps(a[k], _mm_loadu_ps(p + i + 4 * k));
    } else {
        for (size_t i = 0; i < m; i += 4)
            for (int k = 0; k < 8; ++k) a[k] = _mm_add_ps(a[k], _mm_loadu_ps(p + size_t(k) * m + i));
    }
    for (int k = 1; k < 8; ++k) a[0] = _mm_add_ps(a[0], a[k]);
    alignas(16) float lanes[4];
    _mm_store_ps(lanes, a[0]);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
#else
    float s[8] = {};
    for (size_t i = 0; i < m; ++i)
        for (int k = 0; k < streams; ++k) s[k % 8] += p[size_t(k) * m + i];
    return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
#endif
}

// GB/s reading a 1 GiB buffer (2 MiB aligned, transparent huge pages asked
// for, like the synthetic model's weights), split over the threads in 4 MiB
// pieces, each piece read as 1 or as 8 streams.
Stats memoryBandwidth(int reps, int streams)
{
    const size_t n = (size_t(1) << 30) / sizeof(float), piece = size_t(1) << 20;
    std::unique_ptr<float, decltype(&std::free)> mem(
        static_cast<float*>(std::aligned_alloc(size_t(2) << 20, n * sizeof(float))), &std::free);
    float* buf = mem.get();
#if defined(__linux__)
    madvise(buf, n * sizeof(float), MADV_HUGEPAGE);
#endif
    tbb::parallel_for(size_t(0), n / piece, [&](size_t b) {
        for (size_t i = b * piece; i < (b + 1) * piece; ++i) buf[i] = float(i & 1023) * 1e-3f;
    });
    volatile float sink = 0;
    return measure(reps, [&] {
        const auto t0 = Clock::now();
        const float s = tbb::parallel_reduce(
            tbb::blocked_range<size_t>(0, n / piece), 0.0f,
            [&](const tbb::blocked_range<size_t>& r, float acc) {
                for (size_t b = r.begin(); b < r.end(); ++b) acc += sumFloats(buf + b * piece, piece, streams);
                return acc;
            },
            [](float a, float b) { return a + b; });
        sink = s;
        return double(n * sizeof(float)) / seconds(t0, Clock::now()) / 1e9;
    });
}

// GFLOP/s of Y (T, N) = X (T, K) · Wᵀ with W (N, K) row-major — the prefill
// product — as plain Eigen GEMMs, one per thread on an equal share of W's rows.
Stats gemmRate(int reps, int threads, int T, int K, int N)
{
    using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    RowMat x = RowMat::Random(T, K), w = RowMat::Random(N, K), y(T, N);
    return measure(reps, [&] {
        const auto t0 = Clock::now();
        tbb::parallel_for(0, threads, [&](int i) {
            const int r0 = N * i / threads, r1 = N * (i + 1) / threads;
            y.middleCols(r0, r1 - r0).noalias() = x * w.middleRows(r0, r1 - r0).transpose();
        });
        return 2.0 * T * K * N / seconds(t0, Clock::now()) / 1e9;
    });
}

// Bytes of weights one decode step reads: every matrix except the embedding
// table (one row), plus the norms.
double decodeBytesPerToken(const Model& m)
{
    double bytes = 0;
    for (const Tensor& t : m.tensors()) {
        const double b = double(t.numel()) * 4;  // the engine holds fp32
        if (t.name == "token_embd.weight")
            bytes += m.config.tiedOutput ? b : b / double(t.shape[0]);
        else if (t.name == "position_embd.weight")
            bytes += b / double(t.shape[0]);
        else
            bytes += b;
    }
    return bytes;
}

// FLOPs of a prefill of T tokens with last-position logits: 2·params of every
// linear layer per token, attention q·kᵀ and p·v over the full T×T square (as
// computed), and one row of logits.
double prefillFlops(const ModelConfig& c, int T)
{
    const double C = c.nEmbd, kv = double(c.nHeadKv) * c.headDim(), F = c.nFf, L = c.nLayer;
    const double perToken = c.arch == Arch::Llama ? C * C * 2 + 2 * kv * C + 3 * F * C : 4 * C * C + 2 * F * C;
    return 2 * L * perToken * T + L * 4.0 * T * T * C + 2.0 * c.nVocab * C;
}

struct Row {
    std::string model;
    int threads;
    Stats prefill, decode;
    double prefillGflops, gemm, bytes, bandwidth;
};

void printRows(const std::vector<Row>& rows)
{
    std::printf("\n%-22s %3s  %-26s %8s %6s  %-22s %9s %9s %7s\n", "model", "thr", "prefill tok/s [min-max]",
                "GFLOP/s", "%GEMM", "decode tok/s [min-max]", "MB/token", "ceiling", "%ceil");
    for (const Row& r : rows) {
        const double ceiling = r.bandwidth * 1e9 / r.bytes;
        std::printf("%-22s %3d  %-26s %8.1f %5.0f%%  %-22s %9.1f %9.1f %6.0f%%\n", r.model.c_str(), r.threads,
                    fmt(r.prefill).c_str(), r.prefillGflops, 100 * r.prefillGflops / r.gemm,
                    fmt(r.decode, "%.2f").c_str(), r.bytes / 1e6, ceiling, 100 * r.decode.median / ceiling);
    }
}

struct Options {
    std::string modelPath = "/work/shared/data/models/stories260K.gguf";
    bool quick = false, synthetic = true;
    int reps = 5, layers = 22;
    std::vector<int> threads{1, 2};
};

// Prefill of T=256 random tokens into a fresh state; decode of nDecode tokens
// after a 16-token prompt. Rates are tokens per second of one repetition.
void benchModel(const std::string& name, std::shared_ptr<const Model> model, const Options& o,
                const std::vector<Stats>& bandwidth, const std::vector<Stats>& gemm, std::vector<Row>& rows)
{
    auto engine = Engine::create(model);
    if (!engine.ok()) {
        std::printf("%s: %s\n", name.c_str(), engine.error().toString().c_str());
        return;
    }
    const ModelConfig& c = model->config;
    const int T = c.arch == Arch::Gpt2 ? std::min(256, c.nCtx) : 256, prompt = 16;
    const int nDecode = model->parameterCount() > 100'000'000 ? 8 : 64;
    std::vector<int32_t> ids(static_cast<size_t>(T));
    for (int i = 0; i < T; ++i) ids[size_t(i)] = int32_t((i * 7919 + 13) % c.nVocab);
    auto state = (*engine)->newState(std::max(T, prompt + nDecode)).value();
    for (size_t k = 0; k < o.threads.size(); ++k) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, size_t(o.threads[k]));
        Row r{name, o.threads[k], {}, {}, 0, gemm[k].median, decodeBytesPerToken(*model), bandwidth[k].median};
        r.prefill = measure(o.reps, [&] {
            state->reset();
            const auto t0 = Clock::now();
            auto logits = (*engine)->prefill(*state, ids);
            return T / seconds(t0, Clock::now());
        });
        r.prefillGflops = prefillFlops(c, T) * r.prefill.median / T / 1e9;
        r.decode = measure(o.reps, [&] {
            state->reset();
            auto first = (*engine)->prefill(*state, std::span(ids).first(size_t(prompt)));
            const auto t0 = Clock::now();
            for (int i = 0; i < nDecode; ++i) auto next = (*engine)->decode(*state, ids[size_t(prompt + i)]);
            return nDecode / seconds(t0, Clock::now());
        });
        // KV-cache reads: on average (prompt + nDecode/2) positions of every layer.
        r.bytes += 2.0 * c.nLayer * (prompt + nDecode / 2.0) * state->kvDim() * 4;
        rows.push_back(r);
        std::printf("  %s, %d thread(s): prefill %s tok/s, decode %s tok/s\n", name.c_str(), o.threads[k],
                    fmt(r.prefill).c_str(), fmt(r.decode, "%.2f").c_str());
        std::fflush(stdout);
    }
}

bool parseArgs(int argc, char** argv, Options& o)
{
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--quick") {
            o.quick = true;
            o.layers = 4;
        } else if (a == "--no-synthetic") {
            o.synthetic = false;
        } else if (a == "--reps" || a == "--layers" || a == "--threads") {
            const char* v = next();
            if (!v) return false;
            if (a == "--reps") o.reps = std::max(1, std::atoi(v));
            if (a == "--layers") o.layers = std::max(1, std::atoi(v));
            if (a == "--threads") {
                o.threads.clear();
                for (const char* p = v; *p;) {
                    o.threads.push_back(std::max(1, std::atoi(p)));
                    while (*p && *p != ',') ++p;
                    if (*p == ',') ++p;
                }
            }
        } else if (a == "-h" || a == "--help" || a.rfind("--", 0) == 0) {
            return false;
        } else {
            o.modelPath = a;
        }
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    Options o;
    if (!parseArgs(argc, argv, o)) {
        std::printf("usage: %s [MODEL] [--quick] [--reps N] [--threads 1,2] [--layers N] [--no-synthetic]\n", argv[0]);
        return 2;
    }
    std::printf("precis-bench-engine: fp32 engine, Eigen %d.%d.%d, SIMD %s\n", EIGEN_WORLD_VERSION,
                EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, simdName());
    std::printf("each figure: median [min-max] of %d repetitions after one warm-up\n\n", o.reps);

    std::vector<Stats> bandwidth, gemm;
    const int gT = 256, gK = 2048, gN = 5632;
    for (int t : o.threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, size_t(t));
        const Stats one = memoryBandwidth(o.reps, 1), eight = memoryBandwidth(o.reps, 8);
        bandwidth.push_back(one.median >= eight.median ? one : eight);
        gemm.push_back(gemmRate(o.reps, t, gT, gK, gN));
        std::printf("%d thread(s): memory read %s GB/s (1 stream/thread), %s GB/s (8 streams/thread);\n"
                    "             Eigen GEMM (%dx%d)·(%dx%d) %s GFLOP/s\n",
                    t, fmt(one).c_str(), fmt(eight).c_str(), gT, gK, gK, gN, fmt(gemm.back()).c_str());
        std::fflush(stdout);
    }

    std::vector<Row> rows;
    if (std::filesystem::exists(o.modelPath)) {
        auto m = loadModel(o.modelPath);
        if (m.ok())
            benchModel(std::filesystem::path(o.modelPath).stem().string(), *m, o, bandwidth, gemm, rows);
        else
            std::printf("%s\n", m.error().toString().c_str());
    } else {
        std::printf("%s not found; skipping the real model\n", o.modelPath.c_str());
    }
    if (o.synthetic) {
        ModelConfig c;
        c.arch = Arch::Llama;
        c.nLayer = o.layers;
        c.nEmbd = 2048;
        c.nFf = 5632;
        c.nHead = 32;
        c.nHeadKv = 4;
        c.nVocab = 32000;
        c.nCtx = 2048;
        const auto t0 = Clock::now();
        auto m = makeRandomModel(c, 1);
        std::printf("synthetic TinyLlama shape, %d layers: %.2f B parameters generated in %.1f s\n", c.nLayer,
                    double(m->parameterCount()) / 1e9, seconds(t0, Clock::now()));
        benchModel("tinyllama-shape-L" + std::to_string(c.nLayer), m, o, bandwidth, gemm, rows);
    }
    printRows(rows);
    std::printf("\nMB/token: fp32 weights (+ KV cache) read per decoded token. ceiling = memory read bandwidth (the\n"
                "better of the two read patterns) / MB/token. GFLOP/s: prefill of 256 tokens; %%GEMM relative to the\n"
                "Eigen GEMM rate at the same thread count. Models that fit in the CPU caches exceed the DRAM ceiling.\n");
    return 0;
}
