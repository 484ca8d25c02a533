// Benchmarks kept in a session (SessionStore's benchmarks table): which model
// a result belongs to — the session's own model, one of its compressions (by
// output file), or another file — and the history read back. The record's JSON
// is core/bench's (toJson / benchResultFromJson, machineFromJson, bench/benchmark.h)
// plus "role" in the results; written and read here only.
#pragma once

#include "bench/benchmark.h"
#include "common/result.h"
#include "session/session_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace precis {

// What the benchmarked file is to the session.
enum class BenchRole { Original, Compressed, Other };
const char* benchRoleName(BenchRole role);  // "original", "compressed", "other"

struct StoredBenchmark {
    int64_t id = 0;
    std::string createdAt;
    std::optional<int64_t> compressionId;
    BenchRole role = BenchRole::Other;
    std::string label;  // a compression's name when it is one, else the model's file name
    MachineInfo machine;
    BenchResult result;
};

// Stores one result in session `sessionId`, linked to `compressionId` when
// given (a compressed model benchmarked from a temporary file), else to the
// compression whose output file is result.modelPath (paths compared after
// resolving symbolic links and relative parts). Returns the record id.
Result<int64_t> recordBenchmark(SessionStore& store, int64_t sessionId, const MachineInfo& machine,
                                const BenchResult& result, std::optional<int64_t> compressionId = std::nullopt);

// The session's benchmarks, oldest first. unreadable (optional): the errors of
// records that cannot be parsed (left out); without it the first one fails.
Result<std::vector<StoredBenchmark>> loadBenchmarks(SessionStore& store, int64_t sessionId,
                                                    std::vector<Error>* unreadable = nullptr);

} // namespace precis
