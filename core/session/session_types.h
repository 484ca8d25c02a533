// Records read from and written to the session store (session_store.h).
// JSON fields hold JSON text exactly as given; timestamps are ISO-8601 UTC text
// with milliseconds ("2025-01-31T12:00:00.000Z").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace precis {

struct ModelRecord {
    int64_t id = 0;
    std::string path;
    std::string sha256;        // 64 lowercase hex digits
    std::string architecture;  // "llama", "gpt2", ...
    int64_t parameters = 0;
    int64_t fileSize = 0;      // bytes
    std::string addedAt;
};

// Whether a model file still is what the session was made from.
struct ModelCheck {
    bool exists = false;
    bool sizeMatches = false;
    bool sha256Matches = false;
    std::string currentSha256;  // empty when the file is missing or its size already differs
    int64_t currentSize = 0;
    bool changed() const { return !exists || !sha256Matches; }
};

struct SessionInfo {
    int64_t id = 0;
    std::string name;
    std::string createdAt;
    std::string updatedAt;
    std::string notes;
    ModelRecord model;
    int64_t runCount = 0;
    int64_t allocationCount = 0;
    int64_t compressionCount = 0;
    int64_t benchmarkCount = 0;
};

enum class RunStatus { Running, Done, Cancelled, Failed };
std::string_view runStatusName(RunStatus status);  // "running", "done", "cancelled", "failed"
std::optional<RunStatus> runStatusFromName(std::string_view name);

struct CalibrationRun {
    int64_t id = 0;
    int64_t sessionId = 0;
    std::string settingsJson;
    RunStatus status = RunStatus::Running;
    std::string startedAt;
    std::string finishedAt;  // empty while running
    int64_t tokens = 0;
    double wallSeconds = 0;
};

enum class UnitKind { Tensor, Head, Layer };
std::string_view unitKindName(UnitKind kind);  // "tensor", "head", "layer"
std::optional<UnitKind> unitKindFromName(std::string_view name);

// One sensitivity value. Key: (unit, metric, option) within a run.
struct SensitivityRow {
    std::string unit;    // "blk.3.attn_q.weight", "blk.3.head.2", "blk.3"
    UnitKind kind = UnitKind::Tensor;
    std::string metric;  // metric name from the sensitivity table
    std::string option;  // "" when not per option, else a scheme name such as "Q4_K"
    double value = 0;    // finite or ±inf; NaN is rejected
    bool operator==(const SensitivityRow&) const = default;
};

// A per-chunk map of one tensor (one value per 8×8 chunk, or any grid).
struct ChunkMap {
    std::string tensor;
    std::string metric;
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<float> data;  // (rows, cols) row-major
    bool operator==(const ChunkMap&) const = default;
};

struct ChunkMapInfo {
    std::string tensor;
    std::string metric;
    int64_t rows = 0;
    int64_t cols = 0;
};

// Any other per-run statistic (a layer's Gram diagonal, ...), opaque bytes.
struct RunBlob {
    std::string key;
    std::vector<std::byte> data;
    bool operator==(const RunBlob&) const = default;
};

struct AllocationRecord {
    int64_t id = 0;
    int64_t sessionId = 0;
    std::string name;
    std::string budgetJson;
    std::string assignmentJson;
    std::string totalsJson;
    std::string createdAt;
};

struct CompressionRecord {
    int64_t id = 0;                        // ignored by addCompression
    int64_t sessionId = 0;
    std::optional<int64_t> allocationId;   // the allocation it came from, if any (cleared when deleted)
    std::string method;                    // "rtn", "gptq", "amc", ...
    std::string outputPath;
    std::string settingsJson;
    std::string metricsJson;               // measured ppl / KL / top-1 / size ...
    std::string createdAt;                 // ignored by addCompression
};

struct BenchmarkRecord {
    int64_t id = 0;                        // ignored by addBenchmark
    int64_t sessionId = 0;
    std::optional<int64_t> compressionId;  // none: the original model
    std::string machineJson;               // CPU/GPU, threads, ...
    std::string resultsJson;
    std::string createdAt;                 // ignored by addBenchmark
};

} // namespace precis
