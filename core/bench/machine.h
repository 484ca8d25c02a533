// Benchmark-internal: facts about the machine (CPU name, memory, OS), its
// measured read bandwidth, and peak memory marks. Used by benchmark.cpp and by
// the benchmark programs in bench/.
#pragma once

#include "bench/benchmark.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace precis::machine {

std::string cpuName();        // "Intel(R) Xeon(R) …" (/proc/cpuinfo), or "unknown CPU"
uint64_t physicalMemory();    // bytes, 0 when unknown
std::string osName();         // "Linux 6.1.0-18-amd64 x86_64"
uint64_t lastLevelCacheBytes();  // the largest CPU cache of cpu0 (sysfs), 0 when unknown

// GB/s reading a `bytes` buffer (2 MiB aligned, transparent huge pages asked
// for) in 4 MiB pieces spread over the current arena's threads, each piece read
// as `streams` equal ranges in lockstep (1 or 8, the only values accepted: how
// a matrix-vector product reads). One warm-up, then `reps` timed passes.
Spread readBandwidth(int reps, int streams, size_t bytes);
// The better (by median) of the 1- and 8-stream patterns over 512 MiB.
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
