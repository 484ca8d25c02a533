// Shared by the benchmark programs: repetition statistics, what the machine
// can do — memory read bandwidth (the decode ceiling) and the Eigen fp32 GEMM
// rate (the prefill reference) — and synthetic models in any block format.
#pragma once

#include "bench/machine.h"
#include "model/model.h"
#include "quant/block_formats.h"

#include <Eigen/Core>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <random>
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

// Median, minimum and maximum of the repetitions (core/bench).
using Stats = precis::Spread;

// Runs fn once as warm-up, then `reps` times; returns stats of what fn returns.
inline Stats measure(int reps, const std::function<double()>& fn)
{
    fn();
    std::vector<double> v;
    for (int i = 0; i < reps; ++i) v.push_back(fn());
    return precis::spreadOf(std::move(v));
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

// A model of config c with every matrix in block type t (F32 norms): per
// distinct row width, 1024 random rows (std 0.02) are encoded and tiled. Big
// buffers get huge pages, like makeRandomModel's fp32 weights, unless
// hugePages is false (4 KiB pages, like a memory-mapped GGUF file).
inline std::shared_ptr<Model> makeBlockModel(const ModelConfig& c, DType t, bool hugePages)
{
    auto m = std::make_shared<Model>();
    m->path = "synthetic";
    m->format = "random";
    m->config = c;
    std::map<int64_t, std::vector<uint8_t>> bases;
    std::mt19937 rng(7);
    std::normal_distribution<float> g(0.0f, 0.02f);
    for (const auto& [name, shape] : m->expectedTensors()) {
        const int64_t cols = shape.back(), rows = shape.size() < 2 ? 1 : shape[0];
        Tensor ten;
        ten.name = name;
        ten.shape = shape;
        std::shared_ptr<uint8_t> buf;
        if (shape.size() < 2) {
            std::vector<float> v(static_cast<size_t>(cols));
            for (auto& x : v) x = 1.0f + g(rng);
            ten.nbytes = v.size() * 4;
            buf = std::shared_ptr<uint8_t>(new uint8_t[ten.nbytes], std::default_delete<uint8_t[]>());
            std::memcpy(buf.get(), v.data(), ten.nbytes);
            ten.dtype = DType::F32;
        } else {
            const size_t rowBytes = size_t(*dtypeRowBytes(t, uint64_t(cols)));
            std::vector<uint8_t>& base = bases[cols];
            if (base.empty()) {
                base.resize(rowBytes * 1024);
                std::vector<float> w(static_cast<size_t>(cols));
                for (int r = 0; r < 1024; ++r) {
                    for (auto& x : w) x = g(rng);
                    quant::quantizeRow(t, w.data(), base.data() + size_t(r) * rowBytes, cols);
                }
            }
            ten.nbytes = rowBytes * size_t(rows);
            buf = allocateWeights(ten.nbytes, hugePages);
            for (int64_t r = 0; r < rows; ++r)
                std::memcpy(buf.get() + size_t(r) * rowBytes, base.data() + size_t(r % 1024) * rowBytes, rowBytes);
            ten.dtype = t;
        }
        ten.data = reinterpret_cast<const std::byte*>(buf.get());
        ten.owner = buf;
        m->addTensor(std::move(ten));
    }
    return m;
}

} // namespace precis::bench
