// The session store: everything a user did with a model, in one SQLite file
// (schema: session_schema.h; records: session_types.h).
//
// Contract
// - Every call returns a Result; errors name the database file and say what
//   failed ("sessions.sqlite: cannot rename session 3: a session named 'x' exists").
// - Multi-row writes run in one transaction, so a killed process loses at most
//   the write in flight and never leaves half of it (WAL journal).
// - A SessionStore is one connection: use it from one thread at a time. Two
//   stores (threads or processes) may open the same file; a writer waits up to
//   10 s for another writer's transaction.
// - JSON arguments must be valid JSON text; they are stored as given.
// - Lookups by id of something that does not exist are errors; lookups by name
//   or key return std::nullopt when absent.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "session/session_types.h"
#include "session/sqlite_db.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace precis {

// $XDG_DATA_HOME/precis/sessions.sqlite, else ~/.local/share/precis/sessions.sqlite
// (the folder is created by SessionStore::open).
std::string defaultDatabasePath();

class SessionStore {
public:
    // Creates the file (and its folder) or opens and migrates it. Refuses a file
    // that is not an SQLite database, one whose schema version is newer than this
    // build knows, and one that PRAGMA quick_check finds corrupt.
    static Result<SessionStore> open(const std::string& path);

    const std::string& path() const { return m_db.path(); }
    // PRAGMA integrity_check (full = every index; slower) or quick_check.
    Result<void> checkIntegrity(bool full);

    // ---- models (shared between sessions)
    // Returns the existing id when (path, sha256) is already known.
    Result<int64_t> addModel(const std::string& path, const std::string& sha256, const std::string& architecture,
                             int64_t parameters, int64_t fileSize);
    // Hashes the file and records it (size from the file system).
    Result<int64_t> addModelFile(const std::string& path, const std::string& architecture, int64_t parameters,
                                 const CancelToken* cancel = nullptr);
    Result<ModelRecord> model(int64_t modelId);
    // Does the file still exist with the recorded SHA-256? The hash is only
    // computed when the size matches.
    Result<ModelCheck> checkModel(int64_t modelId, const CancelToken* cancel = nullptr);

    // Points the session at the model file `path` (a moved file, or one a
    // session imported from another machine names by another path): the file
    // must have the SHA-256 the session's model was recorded with.
    Result<void> relinkModel(int64_t sessionId, const std::string& path, const CancelToken* cancel = nullptr);

    // ---- sessions
    Result<int64_t> createSession(const std::string& name, int64_t modelId);
    // As createSession, renaming on a clash: "name", else "name (2)", "name (3)", ...
    Result<int64_t> createSessionUnique(const std::string& wanted, int64_t modelId);
    Result<std::vector<SessionInfo>> sessions();  // most recently updated first
    Result<SessionInfo> session(int64_t sessionId);
    Result<std::optional<SessionInfo>> sessionByName(const std::string& name);
    Result<void> renameSession(int64_t sessionId, const std::string& newName);
    Result<void> setSessionNotes(int64_t sessionId, const std::string& notes);
    // The document state the session keeps (JSON object text, "{}" when none;
    // session_allocations.h gives it its shape).
    Result<std::string> sessionState(int64_t sessionId);
    Result<void> setSessionState(int64_t sessionId, const std::string& stateJson);
    // Deletes the session and everything recorded under it (runs, sensitivity,
    // chunk maps, blobs, option tables, allocations, compressions, benchmarks).
    Result<void> removeSession(int64_t sessionId);
    Result<void> touchSession(int64_t sessionId);  // updated_at = now

    // ---- calibration runs
    Result<int64_t> beginRun(int64_t sessionId, const std::string& settingsJson);
    // status must not be Running. tokens: tokens processed; seconds: wall time.
    Result<void> finishRun(int64_t runId, RunStatus status, int64_t tokens, double wallSeconds);
    Result<CalibrationRun> run(int64_t runId);
    Result<std::vector<CalibrationRun>> runs(int64_t sessionId);  // oldest first
    Result<std::optional<CalibrationRun>> latestRun(int64_t sessionId);

    // One calibration step, all or nothing: sensitivity rows, chunk maps and
    // blobs are upserted (an existing key is overwritten) in one transaction.
    // Rejects NaN values, empty names, and chunk maps whose data size is not rows×cols.
    Result<void> writeStep(int64_t runId, std::span<const SensitivityRow> rows, std::span<const ChunkMap> chunkMaps,
                           std::span<const RunBlob> blobs);
    // Ordered by unit, metric, option. `metric`: only that metric.
    Result<std::vector<SensitivityRow>> readSensitivity(int64_t runId,
                                                        const std::optional<std::string>& metric = std::nullopt);
    Result<std::optional<ChunkMap>> readChunkMap(int64_t runId, const std::string& tensor, const std::string& metric);
    Result<std::vector<ChunkMapInfo>> listChunkMaps(int64_t runId);  // ordered by tensor, metric
    Result<std::optional<std::vector<std::byte>>> readBlob(int64_t runId, const std::string& key);

    // ---- option-table cache: key = a hash of the inputs that built the table
    Result<void> saveOptionTable(int64_t sessionId, int64_t runId, const std::string& key,
                                 std::span<const std::byte> data);
    Result<std::optional<std::vector<std::byte>>> loadOptionTable(int64_t sessionId, const std::string& key);

    // ---- allocations
    // Saving under an existing name replaces that allocation (a new id;
    // compressions made from the old one lose their link).
    Result<int64_t> saveAllocation(int64_t sessionId, const std::string& name, const std::string& budgetJson,
                                   const std::string& assignmentJson, const std::string& totalsJson);
    Result<std::vector<AllocationRecord>> allocations(int64_t sessionId);  // oldest first
    Result<AllocationRecord> allocation(int64_t allocationId);
    Result<void> removeAllocation(int64_t allocationId);

    // ---- compressions and benchmarks (oldest first)
    Result<int64_t> addCompression(const CompressionRecord& record);
    Result<std::vector<CompressionRecord>> compressions(int64_t sessionId);
    Result<int64_t> addBenchmark(const BenchmarkRecord& record);
    Result<std::vector<BenchmarkRecord>> benchmarks(int64_t sessionId);

    // ---- exchange
    // Writes the session, its model record and everything under it to a fresh
    // standalone database at `path` (replaced atomically if it exists).
    Result<void> exportSession(int64_t sessionId, const std::string& path);
    // Copies the one session in the file at `path` (which is never modified) into
    // this store and returns its new id. On a name clash the session is renamed
    // "name (2)", "name (3)", ...; `originalName` (optional) receives the name
    // the session has in the file.
    Result<int64_t> importSession(const std::string& path, std::string* originalName = nullptr);

private:
    explicit SessionStore(sqlite::Db db) : m_db(std::move(db)) {}
    Error error(const std::string& what) const;  // InvalidArgument naming the file
    Result<void> requireSession(int64_t sessionId, const char* action);
    Result<void> requireRun(int64_t runId, const char* action);
    Result<void> touchSessionOfRun(int64_t runId);
    Result<std::string> uniqueSessionName(const std::string& wanted);

    sqlite::Db m_db;
};

} // namespace precis
