// Benchmark-internal: facts about the machine (CPU name, memory, OS), its
// measured read bandwidth, and peak memory marks. Used by benchmark.cpp and by
// the benchmark programs in bench/.
#pragma once

#include "bench/benchmark.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace precis::machine {

std::string cpuName();        // "Intel(R) Xeon(R) …" (/proc/cpuinfo), or "unknown CPU"
std::string osName();         // "Linux 6.1.0-18-amd64 x86_64"
uint64_t lastLevelCacheBytes();  // the largest CPU cache of cpu0 (sysfs), 0 when unknown

// Memory read bandwidth: a buffer (2 MiB aligned, transparent huge pages
// asked for; by default 8 × the last-level cache within 256 MiB … 1 GiB, far
// beyond the caches) read in 4 MiB pieces spread over the current arena's
// threads, each piece front to back (256-bit loads where the CPU has AVX2).
// Kept between measurements, so a benchmark can measure again beside each
// repetition (other jobs on a shared machine move the figure) without paying
// for the buffer each time.
class ReadProbe {
public:
    ReadProbe();
    explicit ReadProbe(size_t bytes);
    // GB/s, one warm-up pass then `reps` timed ones; with `prefetch`, each line
    // is also asked for ahead in software, as the decode kernels do.
    Spread measure(int reps, bool prefetch) const;
    // The better (by median) of the two.
    Spread best(int reps) const;

private:
    static constexpr size_t kPieceFloats = size_t(1) << 20;  // 4 MiB
    size_t m_floats;
    std::unique_ptr<void, void (*)(void*)> m_mem;
};

// ReadProbe().best(reps).
Spread readBandwidth(int reps);

// (device name, measured read bandwidth) of CUDA device `index`; errors when
// the build has no CUDA backend or the device is not there.
Result<std::pair<std::string, Spread>> cudaDescription(int index);

struct PeakMemory {
    uint64_t bytes = 0;
    bool exact = true;
};

// Memory in use at a moment, to measure the peak growth after it: for the
// process, its resident set (the kernel's peak mark reset when allowed); for a
// CUDA device, the bytes in use on it.
class MemoryMark {
public:
    static MemoryMark process();
    static MemoryMark device(int index);
    // Peak growth since the mark (process: VmHWM − VmRSS at the mark; device:
    // bytes in use now − at the mark, sampled after the runs).
    PeakMemory peakSince() const;

private:
    bool m_device = false;
    int m_index = 0;
    uint64_t m_base = 0;
    bool m_exact = true;
};

} // namespace precis::machine
