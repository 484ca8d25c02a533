#include "common/memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace precis {

uint64_t MemoryEstimate::total() const
{
    uint64_t t = 0;
    for (const MemoryItem& i : items) t += i.bytes;
    return t;
}

const MemoryItem* MemoryEstimate::biggest() const
{
    const MemoryItem* best = nullptr;
    for (const MemoryItem& i : items)
        if (!best || i.bytes > best->bytes) best = &i;
    return best;
}

std::string MemoryEstimate::describe() const
{
    std::vector<const MemoryItem*> sorted;
    for (const MemoryItem& i : items) sorted.push_back(&i);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const MemoryItem* a, const MemoryItem* b) { return a->bytes > b->bytes; });
    const uint64_t t = total();
    std::string out = "about " + formatBytes(t);
    std::string parts;
    for (const MemoryItem* i : sorted) {
        if (i->bytes * 100 < t) break;
        parts += (parts.empty() ? "" : ", ") + i->what + " " + formatBytes(i->bytes);
    }
    if (!parts.empty()) out += " (" + parts + ")";
    return out;
}

std::string formatBytes(uint64_t bytes)
{
    char buf[32];
    const double b = double(bytes);
    if (bytes >= (uint64_t(1) << 30))
        std::snprintf(buf, sizeof buf, "%.2f GiB", b / double(uint64_t(1) << 30));
    else if (bytes >= (uint64_t(1) << 20))
        std::snprintf(buf, sizeof buf, "%.1f MiB", b / double(uint64_t(1) << 20));
    else if (bytes >= 1024)
        std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
    else
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    return buf;
}

Result<uint64_t> parseMemorySize(const std::string& text, const std::string& where)
{
    const auto bad = [&](const std::string& why) {
        return makeError(ErrorCode::InvalidArgument, where,
                         "'" + text + "' " + why + " (expected a size such as 2GB, 1.5GiB or 800MB)");
    };
    size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == 0) return bad("is not a size");
    char* end = nullptr;
    const std::string number = text.substr(0, i);
    const double v = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || !std::isfinite(v)) return bad("is not a size");
    std::string unit;
    for (size_t k = i; k < text.size(); ++k)
        if (!std::isspace(static_cast<unsigned char>(text[k])))
            unit += char(std::toupper(static_cast<unsigned char>(text[k])));
    static const std::pair<const char*, double> units[] = {
        {"", 1},       {"B", 1},       {"K", 1e3},     {"KB", 1e3},    {"M", 1e6},       {"MB", 1e6},
        {"G", 1e9},    {"GB", 1e9},    {"T", 1e12},    {"TB", 1e12},   {"KIB", 1024.0},  {"MIB", 1048576.0},
        {"GIB", 1073741824.0},         {"TIB", 1099511627776.0},
    };
    for (const auto& [name, scale] : units)
        if (unit == name) {
            const double bytes = v * scale;
            if (bytes < double(uint64_t(1) << 20)) return bad("is less than 1 MiB");
            if (bytes > 1e18) return bad("is too large");
            return uint64_t(bytes);
        }
    return bad("has an unknown unit");
}

uint64_t physicalMemoryBytes()
{
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages > 0 && size > 0) return uint64_t(pages) * uint64_t(size);
#endif
    return 0;
}

uint64_t defaultMemoryLimit()
{
    const uint64_t phys = physicalMemoryBytes();
    return phys ? phys / 5 * 4 : uint64_t(8) << 30;
}

Result<void> checkMemory(const MemoryEstimate& estimate, uint64_t limit, const std::string& advice)
{
    if (estimate.total() <= limit) return {};
    std::string message = "needs " + estimate.describe() + ", more than the memory limit of " + formatBytes(limit);
    if (!advice.empty()) message += "; " + advice;
    return makeError(ErrorCode::InvalidArgument, estimate.job, message);
}

namespace {

// "Key:   1234 kB" of /proc/self/status, in bytes (0 when absent).
uint64_t statusBytes(const char* key)
{
#if defined(__linux__)
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(key) + ":";
    while (std::getline(in, line))
        if (line.rfind(prefix, 0) == 0)
            return uint64_t(std::strtoull(line.c_str() + prefix.size(), nullptr, 10)) * 1024;
#endif
    (void)key;
    return 0;
}

} // namespace

uint64_t residentBytes() { return statusBytes("VmRSS"); }
uint64_t peakResidentBytes() { return statusBytes("VmHWM"); }

void configureAllocator()
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

bool resetPeakResidentBytes()
{
#if defined(__linux__)
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";  // the peak resident set size back to the current one
    clear.flush();
    return bool(clear);
#else
    return false;
#endif
}

} // namespace precis
