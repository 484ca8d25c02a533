// Machine facts, read bandwidth and peak memory for the benchmarks.
#include "bench/machine.h"

#include "common/memory.h"

#include "engine/cuda.h"
#include "engine/kernels/kernels.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <new>
#include <sstream>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#endif

namespace precis::machine {

namespace {

using Clock = std::chrono::steady_clock;

// Sum of n floats (n a multiple of 64) read front to back with eight
// independent accumulators, so the loop is bound by memory reads rather than by
// one addition chain; with `prefetch`, each 64-byte line is also asked for
// kernels::kDecodePrefetchBytes ahead (within the n floats), as the decode
// kernels do. 256-bit loads where the CPU has AVX2 (a single core reads faster
// with them), else 128-bit.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PRECIS_PROBE_AVX2 1
__attribute__((target("avx2"))) float sumFloatsAvx2(const float* p, size_t n, bool prefetch)
{
    constexpr size_t ahead = engine::kernels::kDecodePrefetchBytes / sizeof(float);
    __m256 a[8];
    for (auto& v : a) v = _mm256_setzero_ps();
    for (size_t i = 0; i < n; i += 64) {
        if (prefetch && i + ahead < n)
            for (size_t line = 0; line < 4; ++line) __builtin_prefetch(p + i + ahead + 16 * line);
        for (int k = 0; k < 8; ++k) a[k] = _mm256_add_ps(a[k], _mm256_loadu_ps(p + i + 8 * k));
    }
    for (int k = 1; k < 8; ++k) a[0] = _mm256_add_ps(a[0], a[k]);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, a[0]);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}
#endif

float sumFloats(const float* p, size_t n, bool prefetch)
{
#if defined(PRECIS_PROBE_AVX2)
    static const bool avx2 = __builtin_cpu_supports("avx2");
    if (avx2)
        return sumFloatsAvx2(p, n, prefetch);
#endif
    constexpr size_t ahead = engine::kernels::kDecodePrefetchBytes / sizeof(float);
#if defined(__SSE2__)
    __m128 a[8];
    for (auto& v : a) v = _mm_setzero_ps();
    for (size_t i = 0; i < n; i += 32) {
        if (prefetch && i + ahead < n) {
            __builtin_prefetch(p + i + ahead);
            __builtin_prefetch(p + i + ahead + 16);
        }
        for (int k = 0; k < 8; ++k) a[k] = _mm_add_ps(a[k], _mm_loadu_ps(p + i + 4 * k));
    }
    for (int k = 1; k < 8; ++k) a[0] = _mm_add_ps(a[0], a[k]);
    alignas(16) float lanes[4];
    _mm_store_ps(lanes, a[0]);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
#else
    float s[8] = {};
    for (size_t i = 0; i < n; i += 8) {
        if (prefetch && i % 16 == 0 && i + ahead < n) __builtin_prefetch(p + i + ahead);
        for (int k = 0; k < 8; ++k) s[k] += p[i + size_t(k)];
    }
    return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
#endif
}

} // namespace

std::string cpuName()
{
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) {
            const size_t colon = line.find(':');
            if (colon != std::string::npos) {
                std::string name = line.substr(colon + 1);
                name.erase(0, name.find_first_not_of(" \t"));
                return name;
            }
        }
    return "unknown CPU";
}

std::string osName()
{
#if defined(__linux__)
    utsname u{};
    if (uname(&u) == 0) return std::string(u.sysname) + " " + u.release + " " + u.machine;
#endif
    return "unknown OS";
}

uint64_t lastLevelCacheBytes()
{
    uint64_t best = 0;
    for (int i = 0; i < 8; ++i) {
        std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/size");
        std::string text;
        if (!(in >> text)) continue;
        uint64_t v = std::strtoull(text.c_str(), nullptr, 10);
        if (text.back() == 'K') v <<= 10;
        else if (text.back() == 'M') v <<= 20;
        best = std::max(best, v);
    }
    return best;
}

ReadProbe::ReadProbe()
    : ReadProbe(std::clamp<uint64_t>(8 * lastLevelCacheBytes(), uint64_t(256) << 20, uint64_t(1) << 30))
{
}

ReadProbe::ReadProbe(size_t bytes)
    : m_floats(std::max(bytes / sizeof(float) / kPieceFloats, size_t(1)) * kPieceFloats),
      m_mem(std::aligned_alloc(size_t(2) << 20, m_floats * sizeof(float)), &std::free)
{
    if (!m_mem) throw std::bad_alloc();
    auto* buf = static_cast<float*>(m_mem.get());
#if defined(__linux__)
    madvise(buf, m_floats * sizeof(float), MADV_HUGEPAGE);
#endif
    tbb::parallel_for(size_t(0), m_floats / kPieceFloats, [&](size_t b) {
        for (size_t i = b * kPieceFloats; i < (b + 1) * kPieceFloats; ++i) buf[i] = float(i & 1023) * 1e-3f;
    });
}

Spread ReadProbe::measure(int reps, bool prefetch) const
{
    const auto* buf = static_cast<const float*>(m_mem.get());
    volatile float sink = 0;
    std::vector<double> rates;
    for (int rep = 0; rep <= std::max(reps, 1); ++rep) {
        const auto t0 = Clock::now();
        sink = tbb::parallel_reduce(
            tbb::blocked_range<size_t>(0, m_floats / kPieceFloats), 0.0f,
            [&](const tbb::blocked_range<size_t>& r, float acc) {
                for (size_t b = r.begin(); b < r.end(); ++b) acc += sumFloats(buf + b * kPieceFloats, kPieceFloats, prefetch);
                return acc;
            },
            [](float a, float b) { return a + b; });
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (rep > 0) rates.push_back(double(m_floats * sizeof(float)) / s / 1e9);
    }
    (void)sink;
    return spreadOf(std::move(rates));
}

Spread ReadProbe::best(int reps) const
{
    const Spread plain = measure(reps, false), ahead = measure(reps, true);
    return plain.median >= ahead.median ? plain : ahead;
}

Spread readBandwidth(int reps)
{
    return ReadProbe().best(reps);
}

} // namespace precis::machine

namespace precis {

Result<std::vector<std::pair<int, std::string>>> benchCudaDevices()
{
    PRECIS_TRY_ASSIGN(auto devices, cudaDevices());
    std::vector<std::pair<int, std::string>> out;
    for (const CudaDeviceInfo& d : devices) out.emplace_back(d.index, d.name);
    return out;
}

} // namespace precis

namespace precis::machine {

Result<std::pair<std::string, Spread>> cudaDescription(int index)
{
    PRECIS_TRY_ASSIGN(auto devices, cudaDevices());
    const auto it = std::find_if(devices.begin(), devices.end(), [&](const CudaDeviceInfo& d) { return d.index == index; });
    if (it == devices.end())
        return makeError(ErrorCode::InvalidArgument, "", "no CUDA device " + std::to_string(index) + " (this machine has " +
                                                     std::to_string(devices.size()) + ")");
    std::vector<double> rates;
    for (int rep = 0; rep < 3; ++rep) {
        PRECIS_TRY_ASSIGN(const double gbs, cudaReadBandwidth(index, 5));
        rates.push_back(gbs);
    }
    return std::pair{it->name, spreadOf(rates)};
}

MemoryMark MemoryMark::process()
{
    MemoryMark m;
    m.m_exact = resetPeakResidentBytes();
    m.m_base = residentBytes();
    return m;
}

MemoryMark MemoryMark::device(int index)
{
    MemoryMark m;
    m.m_device = true;
    m.m_index = index;
    if (auto used = cudaMemoryUsed(index); used.ok()) m.m_base = *used;
    return m;
}

PeakMemory MemoryMark::peakSince() const
{
    if (m_device) {
        if (auto used = cudaMemoryUsed(m_index); used.ok())
            return {*used > m_base ? *used - m_base : 0, true};
        return {0, false};
    }
    const uint64_t peak = peakResidentBytes();
    return {peak > m_base ? peak - m_base : 0, m_exact};
}

} // namespace precis::machine
