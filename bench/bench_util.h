// Shared by the benchmark programs: repetition statistics, and what the
// machine can do — memory read bandwidth (the decode ceiling) and the Eigen
// fp32 GEMM rate (the prefill reference).
#pragma once

#include <Eigen/Core>
#if defined(__SSE2__)
#include <immintrin.h>
#endif
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace precis::bench {

// "1,2,4" → {1, 2, 4} (command-line lists).
inline std::vector<int> parseList(const char* s)
{
    std::vector<int> out;
    for (const char* p = s; *p;) {
        out.push_back(std::atoi(p));
        const char* comma = std::strchr(p, ',');
        if (!comma) break;
        p = comma + 1;
    }
    return out;
}

using Clock = std::chrono::steady_clock;

struct Stats {
    double median = 0, min = 0, max = 0;
};

// Runs fn once as warm-up, then `reps` times; returns stats of what fn returns.
inline Stats measure(int reps, const std::function<double()>& fn)
{
    fn();
    std::vector<double> v;
    for (int i = 0; i < reps; ++i) v.push_back(fn());
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return {n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]), v.front(), v.back()};
}

inline double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

inline std::string fmt(const Stats& s, const char* f = "%.1f")
{
    char a[32], b[32], c[32], out[128];
    std::snprintf(a, sizeof a, f, s.median);
    std::snprintf(b, sizeof b, f, s.min);
    std::snprintf(c, sizeof c, f, s.max);
    std::snprintf(out, sizeof out, "%s [%s-%s]", a, b, c);
    return out;
}

inline const char* simdName()
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
inline float sumFloats(const float* p, size_t n, int streams)
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
inline Stats memoryBandwidth(int reps, int streams)
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
inline Stats gemmRate(int reps, int threads, int T, int K, int N)
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

// `bytes` of uninitialised memory aligned to 2 MiB and, on Linux, marked for
// transparent huge pages (as makeRandomModel's weights): with 4 KiB pages the
// hardware prefetchers stop at every page boundary and the TLB misses. With
// hugePages = false, plain 4 KiB pages (as a memory-mapped file gets).
inline std::shared_ptr<uint8_t> allocateWeights(size_t bytes, bool hugePages = true)
{
    constexpr size_t kHuge = size_t(2) << 20;
    const size_t rounded = (std::max<size_t>(bytes, 1) + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(hugePages ? kHuge : 4096, rounded);
    if (!p)
        throw std::bad_alloc();
#if defined(__linux__)
    madvise(p, rounded, hugePages ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
#endif
    return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}

} // namespace precis::bench
