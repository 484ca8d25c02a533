// Memory estimates of long jobs, checked against a limit before they start
// (a job that would not fit is refused with what takes the memory, instead of
// being killed by the kernel half-way), and the process's own measurements.
#pragma once

#include "common/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace precis {

// One consumer of a job's memory at its peak.
struct MemoryItem {
    std::string what;   // "input Gram matrices", "activations of a batch of 2 × 256 tokens"
    uint64_t bytes = 0;
};

struct MemoryEstimate {
    std::string job;                // "calibration"
    std::vector<MemoryItem> items;  // held together at the job's peak

    uint64_t total() const;
    // The largest item (null when there is none).
    const MemoryItem* biggest() const;
    // "about 3.21 GiB (input Gram matrices 2.09 GiB, tensors outside the blocks as fp32 0.49 GiB, …)":
    // the total and the items from the largest, those of 1 % of it or more.
    std::string describe() const;
};

// "1.50 GiB", "312.0 MiB", "12.0 KiB", "512 B".
std::string formatBytes(uint64_t bytes);

// A size as a user writes it: a number (a decimal point allowed) and a unit,
// B, K/KB, M/MB, G/GB, T/TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of
// 1024), case-insensitive; a bare number is bytes. Errors name `where` and the
// text. At least 1 MiB.
Result<uint64_t> parseMemorySize(const std::string& text, const std::string& where);

// The machine's physical memory (0 when unknown).
uint64_t physicalMemoryBytes();
// The default limit of a job: 80 % of the physical memory (8 GiB when unknown).
uint64_t defaultMemoryLimit();

// When the estimate exceeds `limit`: an error (InvalidArgument, where = the job)
// naming the estimate, its largest consumers, the limit and `advice` (what
// would make it fit).
Result<void> checkMemory(const MemoryEstimate& estimate, uint64_t limit, const std::string& advice);

// The process's resident set now and its peak (Linux VmRSS / VmHWM; 0 elsewhere).
uint64_t residentBytes();
uint64_t peakResidentBytes();
// Makes the C allocator hand large blocks (1 MiB and more) back to the system
// when they are freed (glibc: a fixed M_MMAP_THRESHOLD instead of one that
// grows with the blocks freed), so that a job's freed buffers do not stay
// resident in per-thread arenas and its memory follows its estimate. Called
// once at the start of each program.
void configureAllocator();
// Resets the peak to the resident set now (Linux ≥ 4.0, /proc/self/clear_refs),
// so that a job's peak excludes what came before it. False where it cannot.
bool resetPeakResidentBytes();

} // namespace precis
