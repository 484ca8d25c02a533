// Exporting one session to its own database file and importing it back.
//
// Both sides are ordinary session databases of the current schema, joined to
// this connection with ATTACH so rows are copied by SQL in one transaction.
// Export keeps the ids (the file is fresh); import gives every row a new id and
// maps the references (run, allocation, compression) through a temp table.
#include "session/session_store.h"

#include "session/session_schema.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace precis {

namespace fs = std::filesystem;

namespace {

void removeQuietly(const std::string& path)
{
    std::error_code ec;
    fs::remove(path, ec);
}

void removeDatabaseFiles(const std::string& path)
{
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        removeQuietly(path + suffix);
}

// Removes a temporary database (and its side files) when leaving the scope.
struct TempDatabase {
    std::string file;
    explicit TempDatabase(std::string f) : file(std::move(f)) { removeDatabaseFiles(file); }
    ~TempDatabase() { removeDatabaseFiles(file); }
    TempDatabase(const TempDatabase&) = delete;
    TempDatabase& operator=(const TempDatabase&) = delete;
};

// ATTACHes `file` as `alias` for the guard's lifetime. DETACH needs every
// statement reset, and cached ones may refer to the alias, so the cache is
// dropped first.
class Attachment {
public:
    static Result<Attachment> attach(sqlite::Db& db, const std::string& file, const char* alias)
    {
        {
            PRECIS_TRY_ASSIGN(auto st, db.prepare(std::string("ATTACH DATABASE ? AS ") + alias));
            st.bind(1, file);
            PRECIS_TRY(st.run());
        }
        return Attachment(db, alias);
    }
    Attachment(Attachment&& o) noexcept : m_db(o.m_db), m_alias(o.m_alias) { o.m_db = nullptr; }
    Attachment& operator=(Attachment&&) = delete;
    ~Attachment()
    {
        if (!m_db)
            return;
        m_db->clearCache();
        (void)m_db->exec(std::string("DETACH DATABASE ") + m_alias, "cannot detach");
    }

private:
    Attachment(sqlite::Db& db, const char* alias) : m_db(&db), m_alias(alias) {}
    sqlite::Db* m_db;
    const char* m_alias;
};

// Opens (and so checks and migrates) a session database with a rollback
// journal, then closes it: the file is left self-contained.
Result<void> prepareStandalone(const std::string& file, const std::string& shownAs)
{
    auto db = openSessionDatabase(file, JournalMode::Delete);
    if (!db.ok()) {
        Error e = db.error();
        e.where = shownAs;
        return e;
    }
    return {};
}

// Export: (table, columns, which rows). ?1 is the session id. Parents first.
struct ExportTable {
    const char* table;
    const char* columns;
    const char* where;
};
constexpr const char* kRunsOfSession = "run_id IN (SELECT id FROM main.calibration_runs WHERE session_id = ?1)";
constexpr ExportTable kExportTables[] = {
    {"models", "id, path, sha256, architecture, parameters, file_size, added_at",
     "id = (SELECT model_id FROM main.sessions WHERE id = ?1)"},
    {"sessions", "id, name, model_id, created_at, updated_at, notes, state_json", "id = ?1"},
    {"calibration_runs", "id, session_id, settings_json, status, started_at, finished_at, tokens, wall_seconds",
     "session_id = ?1"},
    {"sensitivity", "run_id, unit, kind, metric, option, value", kRunsOfSession},
    {"chunk_maps", "run_id, tensor, metric, rows, cols, data", kRunsOfSession},
    {"run_blobs", "run_id, key, data", kRunsOfSession},
    {"option_tables", "id, session_id, run_id, key, data, created_at", "session_id = ?1"},
    {"allocations", "id, session_id, name, budget_json, assignment_json, totals_json, created_at", "session_id = ?1"},
    {"compressions", "id, session_id, allocation_id, method, output_path, settings_json, metrics_json, created_at",
     "session_id = ?1"},
    {"benchmarks", "id, session_id, compression_id, machine_json, results_json, created_at", "session_id = ?1"},
};

// The option-table cache of the imported session, its rows following the run
// map. A cache key is JSON naming its run as "run" (allocation/option_builder.h's
// optionTableCacheKey): that becomes the new run id, or the tables of an
// imported session would never be found again by their run.
Result<void> copyOptionTables(sqlite::Db& db, int64_t sessionId, int64_t sourceSessionId)
{
    PRECIS_TRY_ASSIGN(auto select, db.prepare(
        "SELECT m.new, x.key, x.data, x.created_at FROM precis_import.option_tables x "
        "JOIN temp.precis_import_map m ON m.tbl = 'calibration_runs' AND m.old = x.run_id WHERE x.session_id = ?1 "
        "ORDER BY x.id"));
    select.bind(1, sourceSessionId);
    PRECIS_TRY_ASSIGN(auto insert, db.prepare(
        "INSERT INTO main.option_tables(session_id, run_id, key, data, created_at) VALUES(?, ?, ?, ?, ?)"));
    for (;;) {
        PRECIS_TRY_ASSIGN(const bool row, select.step());
        if (!row) break;
        const int64_t run = select.columnInt(0);
        std::string key = select.columnText(1);
        nlohmann::json k = nlohmann::json::parse(key, nullptr, false);
        if (k.is_object() && k.contains("run") && k["run"].is_number_integer()) {
            k["run"] = run;
            key = k.dump();
        }
        const auto data = select.columnBlob(2);
        insert.bind(1, sessionId).bind(2, run).bind(3, key).bindBlob(4, data.data(), data.size())
            .bind(5, select.columnText(3));
        PRECIS_TRY(insert.run());
    }
    return {};
}

} // namespace

Result<void> SessionStore::exportSession(int64_t sessionId, const std::string& path)
{
    PRECIS_TRY(session(sessionId));
    std::error_code ec;
    if (fs::exists(path, ec) && fs::equivalent(path, m_db.path(), ec))
        return error("cannot export session " + std::to_string(sessionId) + " onto the store's own file '" + path +
                     "'");

    const TempDatabase temp(path + ".tmp-precis");
    const std::string& tmp = temp.file;
    PRECIS_TRY(prepareStandalone(tmp, path));
    {
        PRECIS_TRY_ASSIGN(auto attachment, Attachment::attach(m_db, tmp, "precis_export"));
        PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "export a session"));
        for (const ExportTable& t : kExportTables) {
            const std::string sql = std::string("INSERT INTO precis_export.") + t.table + "(" + t.columns +
                                    ") SELECT " + t.columns + " FROM main." + t.table + " WHERE " + t.where;
            PRECIS_TRY_ASSIGN(auto st, m_db.prepare(sql));
            st.bind(1, sessionId);
            auto r = st.run();
            if (!r.ok()) {
                Error e = r.error();
                e.message = "cannot export table " + std::string(t.table) + " to '" + path + "': " + e.message;
                return e;
            }
        }
        PRECIS_TRY(tx.commit());
    }
    // A stale WAL beside the destination would be replayed into the new file.
    for (const char* suffix : {"-wal", "-shm", "-journal"})
        removeQuietly(path + suffix);
    fs::rename(tmp, path, ec);
    if (ec)
        return makeError(ErrorCode::Io, path, "cannot move the exported session into place: " + ec.message());
    return {};
}

Result<std::string> SessionStore::uniqueSessionName(const std::string& wanted)
{
    std::string name = wanted;
    for (int n = 2;; ++n) {
        PRECIS_TRY_ASSIGN(const auto existing, sessionByName(name));
        if (!existing)
            return name;
        name = wanted + " (" + std::to_string(n) + ")";
    }
}

Result<int64_t> SessionStore::createSessionUnique(const std::string& wanted, int64_t modelId)
{
    PRECIS_TRY_ASSIGN(const std::string name, uniqueSessionName(wanted));
    return createSession(name, modelId);
}

Result<int64_t> SessionStore::importSession(const std::string& path, std::string* originalName)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return makeError(ErrorCode::Io, path, "cannot import: not a readable file");

    // Work on a copy beside the store: opening migrates and changes the journal
    // mode, and the user's file must stay as it was.
    const TempDatabase temp(m_db.path() + ".import-" + std::to_string(::getpid()));
    const std::string& tmp = temp.file;
    fs::copy_file(path, tmp, fs::copy_options::overwrite_existing, ec);
    if (!ec && fs::exists(path + "-wal"))
        fs::copy_file(path + "-wal", tmp + "-wal", fs::copy_options::overwrite_existing, ec);
    if (ec)
        return makeError(ErrorCode::Io, path, "cannot copy the file for import: " + ec.message());
    PRECIS_TRY(prepareStandalone(tmp, path));

    PRECIS_TRY_ASSIGN(auto attachment, Attachment::attach(m_db, tmp, "precis_import"));
    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "import a session"));

    struct Source {
        int64_t id = 0;
        std::string name, createdAt, updatedAt, notes, state;
        ModelRecord model;
    } src;
    {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare(
            "SELECT s.id, s.name, s.created_at, s.updated_at, s.notes, m.path, m.sha256, m.architecture, "
            "m.parameters, m.file_size, (SELECT count(*) FROM precis_import.sessions), s.state_json "
            "FROM precis_import.sessions s JOIN precis_import.models m ON m.id = s.model_id"));
        PRECIS_TRY_ASSIGN(const bool found, st.step());
        const int64_t count = found ? st.columnInt(10) : 0;
        if (count != 1)
            return makeError(ErrorCode::Format, path,
                             "cannot import: expected exactly one session in the file, found " + std::to_string(count));
        src = {st.columnInt(0), st.columnText(1), st.columnText(2), st.columnText(3), st.columnText(4),
               st.columnText(11), {}};
        src.model.path = st.columnText(5);
        src.model.sha256 = st.columnText(6);
        src.model.architecture = st.columnText(7);
        src.model.parameters = st.columnInt(8);
        src.model.fileSize = st.columnInt(9);
    }
    PRECIS_TRY_ASSIGN(const int64_t modelId, addModel(src.model.path, src.model.sha256, src.model.architecture,
                                                      src.model.parameters, src.model.fileSize));
    PRECIS_TRY_ASSIGN(const std::string name, uniqueSessionName(src.name));
    int64_t sessionId = 0;
    {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare("INSERT INTO sessions(name, model_id, created_at, updated_at, notes, "
                                                "state_json) VALUES(?, ?, ?, ?, ?, ?)"));
        st.bind(1, name).bind(2, modelId).bind(3, src.createdAt).bind(4, src.updatedAt).bind(5, src.notes)
            .bind(6, src.state);
        PRECIS_TRY(st.run());
        sessionId = m_db.lastInsertId();
    }

    PRECIS_TRY(m_db.exec("CREATE TEMP TABLE IF NOT EXISTS precis_import_map("
                         "tbl TEXT NOT NULL, old INTEGER NOT NULL, new INTEGER NOT NULL, PRIMARY KEY(tbl, old));"
                         "DELETE FROM temp.precis_import_map",
                         "cannot prepare the import"));
    // Row-by-row copy of a table whose ids others refer to; records old -> new.
    auto copyWithIds = [&](const char* table, const std::string& insertSelect) -> Result<void> {
        std::vector<int64_t> oldIds;
        {
            PRECIS_TRY_ASSIGN(auto st, m_db.prepare(std::string("SELECT id FROM precis_import.") + table +
                                                    " WHERE session_id = ? ORDER BY id"));
            st.bind(1, src.id);
            for (;;) {
                PRECIS_TRY_ASSIGN(const bool row, st.step());
                if (!row)
                    break;
                oldIds.push_back(st.columnInt(0));
            }
        }
        PRECIS_TRY_ASSIGN(auto ins, m_db.prepare(insertSelect));
        PRECIS_TRY_ASSIGN(auto map, m_db.prepare("INSERT INTO temp.precis_import_map(tbl, old, new) VALUES(?, ?, ?)"));
        for (int64_t old : oldIds) {
            ins.bind(1, sessionId).bind(2, old);
            PRECIS_TRY(ins.run());
            map.bind(1, table).bind(2, old).bind(3, m_db.lastInsertId());
            PRECIS_TRY(map.run());
        }
        return {};
    };
    auto bulk = [&](const std::string& sql) -> Result<void> {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare(sql));
        if (st.parameterCount() >= 1)
            st.bind(1, sessionId);
        if (st.parameterCount() >= 2)
            st.bind(2, src.id);
        return st.run();
    };
    const std::string runMap = " JOIN temp.precis_import_map m ON m.tbl = 'calibration_runs' AND m.old = x.run_id";

    PRECIS_TRY(copyWithIds("calibration_runs",
        "INSERT INTO main.calibration_runs(session_id, settings_json, status, started_at, finished_at, tokens, "
        "wall_seconds) SELECT ?1, settings_json, status, started_at, finished_at, tokens, wall_seconds "
        "FROM precis_import.calibration_runs WHERE id = ?2"));
    // The per-run tables follow the run map, which holds only the source session's runs.
    PRECIS_TRY(bulk("INSERT INTO main.sensitivity(run_id, unit, kind, metric, option, value) "
                    "SELECT m.new, x.unit, x.kind, x.metric, x.option, x.value FROM precis_import.sensitivity x" +
                    runMap));
    PRECIS_TRY(bulk("INSERT INTO main.chunk_maps(run_id, tensor, metric, rows, cols, data) "
                    "SELECT m.new, x.tensor, x.metric, x.rows, x.cols, x.data FROM precis_import.chunk_maps x" +
                    runMap));
    PRECIS_TRY(bulk("INSERT INTO main.run_blobs(run_id, key, data) "
                    "SELECT m.new, x.key, x.data FROM precis_import.run_blobs x" +
                    runMap));
    PRECIS_TRY(copyOptionTables(m_db, sessionId, src.id));
    PRECIS_TRY(copyWithIds("allocations",
        "INSERT INTO main.allocations(session_id, name, budget_json, assignment_json, totals_json, created_at) "
        "SELECT ?1, name, budget_json, assignment_json, totals_json, created_at "
        "FROM precis_import.allocations WHERE id = ?2"));
    PRECIS_TRY(copyWithIds("compressions",
        "INSERT INTO main.compressions(session_id, allocation_id, method, output_path, settings_json, metrics_json, "
        "created_at) SELECT ?1, (SELECT new FROM temp.precis_import_map WHERE tbl = 'allocations' "
        "AND old = x.allocation_id), method, output_path, settings_json, metrics_json, created_at "
        "FROM precis_import.compressions x WHERE id = ?2"));
    PRECIS_TRY(bulk("INSERT INTO main.benchmarks(session_id, compression_id, machine_json, results_json, created_at) "
                    "SELECT ?1, (SELECT new FROM temp.precis_import_map WHERE tbl = 'compressions' "
                    "AND old = x.compression_id), machine_json, results_json, created_at "
                    "FROM precis_import.benchmarks x WHERE x.session_id = ?2 ORDER BY x.id"));
    // Records that name a calibration run (a budget's "run_id", plain rounding's
    // "importance_from_run") follow the run map too.
    const std::string newRun = "(SELECT new FROM temp.precis_import_map WHERE tbl = 'calibration_runs' AND old = ";
    PRECIS_TRY(bulk("UPDATE main.allocations SET budget_json = json_set(budget_json, '$.run_id', " + newRun +
                    "json_extract(budget_json, '$.run_id'))) WHERE session_id = ?1 AND json_valid(budget_json) AND " +
                    newRun + "json_extract(budget_json, '$.run_id')) IS NOT NULL"));
    PRECIS_TRY(bulk("UPDATE main.sessions SET state_json = json_set(state_json, '$.budget.run_id', " + newRun +
                    "json_extract(state_json, '$.budget.run_id'))) WHERE id = ?1 AND json_valid(state_json) AND " +
                    newRun + "json_extract(state_json, '$.budget.run_id')) IS NOT NULL"));
    for (const char* path : {"$.budget.run_id", "$.importance_from_run"})
        PRECIS_TRY(bulk(std::string("UPDATE main.compressions SET settings_json = json_set(settings_json, '") + path +
                        "', " + newRun + "json_extract(settings_json, '" + path + "'))) WHERE session_id = ?1 AND "
                        "json_valid(settings_json) AND " + newRun + "json_extract(settings_json, '" + path +
                        "')) IS NOT NULL"));
    PRECIS_TRY(tx.commit());
    if (originalName) *originalName = src.name;
    return sessionId;
}

} // namespace precis
