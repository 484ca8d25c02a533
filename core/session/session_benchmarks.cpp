// Benchmarks in a session: linking a result to its model, and the history.
#include "session/session_benchmarks.h"

#include "session/session_compressions.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace precis {

namespace {

std::string resolved(const std::string& path)
{
    std::error_code ec;
    const auto p = std::filesystem::weakly_canonical(std::filesystem::path(path), ec);
    return ec ? path : p.string();
}

std::string fileName(const std::string& path)
{
    const std::string name = std::filesystem::path(path).filename().string();
    return name.empty() ? path : name;
}

struct Link {
    BenchRole role = BenchRole::Other;
    std::optional<int64_t> compressionId;
    std::string label;
};

// The compression's name, else "<method> #<id>" (parseCompression's fallback too).
std::string compressionLabel(const CompressionRecord& c)
{
    auto e = parseCompression(c);
    return e ? e->name : c.method + " #" + std::to_string(c.id);
}

Link linkOf(const std::string& modelPath, std::optional<int64_t> compressionId, const SessionInfo& session,
            const std::vector<CompressionRecord>& compressions)
{
    if (compressionId)
        for (const CompressionRecord& c : compressions)
            if (c.id == *compressionId) return {BenchRole::Compressed, c.id, compressionLabel(c)};
    const std::string path = resolved(modelPath);
    if (!session.model.path.empty() && resolved(session.model.path) == path)
        return {BenchRole::Original, std::nullopt, fileName(modelPath)};
    // The newest compression written to this file is the one benchmarked.
    for (auto it = compressions.rbegin(); it != compressions.rend(); ++it)
        if (!it->outputPath.empty() && resolved(it->outputPath) == path)
            return {BenchRole::Compressed, it->id, compressionLabel(*it)};
    return {BenchRole::Other, std::nullopt, fileName(modelPath)};
}

} // namespace

const char* benchRoleName(BenchRole role)
{
    switch (role) {
    case BenchRole::Original: return "original";
    case BenchRole::Compressed: return "compressed";
    case BenchRole::Other: break;
    }
    return "other";
}

Result<int64_t> recordBenchmark(SessionStore& store, int64_t sessionId, const MachineInfo& machine,
                                const BenchResult& result, std::optional<int64_t> compressionId)
{
    PRECIS_TRY_ASSIGN(const SessionInfo session, store.session(sessionId));
    PRECIS_TRY_ASSIGN(const auto compressions, store.compressions(sessionId));
    const Link link = linkOf(result.modelPath, compressionId, session, compressions);
    if (compressionId && link.compressionId != compressionId)
        return makeError(ErrorCode::InvalidArgument, "",
                         "cannot record a benchmark of compression " + std::to_string(*compressionId) +
                             ": session " + std::to_string(sessionId) + " has no such compression");
    nlohmann::json results = toJson(result);
    results["role"] = benchRoleName(link.role);
    BenchmarkRecord record;
    record.sessionId = sessionId;
    record.compressionId = link.compressionId;
    record.machineJson = toJson(machine).dump();
    record.resultsJson = results.dump();
    return store.addBenchmark(record);
}

Result<std::vector<StoredBenchmark>> loadBenchmarks(SessionStore& store, int64_t sessionId,
                                                    std::vector<Error>* unreadable)
{
    PRECIS_TRY_ASSIGN(const SessionInfo session, store.session(sessionId));
    PRECIS_TRY_ASSIGN(const auto compressions, store.compressions(sessionId));
    PRECIS_TRY_ASSIGN(const auto records, store.benchmarks(sessionId));
    std::vector<StoredBenchmark> out;
    for (const BenchmarkRecord& rec : records) {
        const auto machine = nlohmann::json::parse(rec.machineJson, nullptr, false);
        const auto results = nlohmann::json::parse(rec.resultsJson, nullptr, false);
        auto m = machineFromJson(machine);
        auto r = benchResultFromJson(results);
        if (!m.ok() || !r.ok()) {
            Error e = !m.ok() ? m.error() : r.error();
            e.where = store.path() + ": benchmark " + std::to_string(rec.id) + (e.where.empty() ? "" : ": " + e.where);
            if (!unreadable) return e;
            unreadable->push_back(std::move(e));
            continue;
        }
        StoredBenchmark b;
        b.id = rec.id;
        b.createdAt = rec.createdAt;
        b.compressionId = rec.compressionId;
        b.machine = std::move(m).value();
        b.result = std::move(r).value();
        const Link link = linkOf(b.result.modelPath, rec.compressionId, session, compressions);
        b.role = link.role;
        b.label = link.label;
        out.push_back(std::move(b));
    }
    return out;
}

} // namespace precis
