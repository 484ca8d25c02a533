#include "session/session_schema.h"

#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace precis {

namespace {

// Version 1: the first released schema.
const char* kMigration1 = R"sql(
CREATE TABLE models(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    architecture TEXT NOT NULL,
    parameters INTEGER NOT NULL,
    file_size INTEGER NOT NULL,
    added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE(path, sha256));
CREATE TABLE sessions(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    model_id INTEGER NOT NULL REFERENCES models(id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    notes TEXT NOT NULL DEFAULT '');
CREATE INDEX sessions_model ON sessions(model_id);
CREATE TABLE calibration_runs(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    settings_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK(status IN ('running', 'done', 'cancelled', 'failed')),
    started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at TEXT,
    tokens INTEGER NOT NULL DEFAULT 0,
    wall_seconds REAL NOT NULL DEFAULT 0);
CREATE INDEX calibration_runs_session ON calibration_runs(session_id);
CREATE TABLE sensitivity(
    run_id INTEGER NOT NULL REFERENCES calibration_runs(id) ON DELETE CASCADE,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL CHECK(kind IN ('tensor', 'head', 'layer')),
    metric TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY(run_id, unit, metric)) WITHOUT ROWID;
CREATE TABLE chunk_maps(
    run_id INTEGER NOT NULL REFERENCES calibration_runs(id) ON DELETE CASCADE,
    tensor TEXT NOT NULL,
    metric TEXT NOT NULL,
    rows INTEGER NOT NULL CHECK(rows > 0),
    cols INTEGER NOT NULL CHECK(cols > 0),
    data BLOB NOT NULL,
    PRIMARY KEY(run_id, tensor, metric));
CREATE TABLE run_blobs(
    run_id INTEGER NOT NULL REFERENCES calibration_runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY(run_id, key));
CREATE TABLE allocations(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    budget_json TEXT NOT NULL,
    assignment_json TEXT NOT NULL,
    totals_json TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE(session_id, name));
CREATE TABLE compressions(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    allocation_id INTEGER REFERENCES allocations(id) ON DELETE SET NULL,
    method TEXT NOT NULL,
    output_path TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    metrics_json TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
CREATE INDEX compressions_session ON compressions(session_id);
CREATE INDEX compressions_allocation ON compressions(allocation_id);
)sql";

// Version 2: per-option sensitivity (the table is rebuilt because its primary key
// changes), the option-table cache and benchmarks.
const char* kMigration2 = R"sql(
CREATE TABLE sensitivity_v2(
    run_id INTEGER NOT NULL REFERENCES calibration_runs(id) ON DELETE CASCADE,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL CHECK(kind IN ('tensor', 'head', 'layer')),
    metric TEXT NOT NULL,
    option TEXT NOT NULL DEFAULT '',
    value REAL NOT NULL,
    PRIMARY KEY(run_id, unit, metric, option)) WITHOUT ROWID;
INSERT INTO sensitivity_v2(run_id, unit, kind, metric, option, value)
    SELECT run_id, unit, kind, metric, '', value FROM sensitivity;
DROP TABLE sensitivity;
ALTER TABLE sensitivity_v2 RENAME TO sensitivity;
CREATE TABLE option_tables(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    run_id INTEGER NOT NULL REFERENCES calibration_runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE(session_id, key));
CREATE INDEX option_tables_run ON option_tables(run_id);
CREATE TABLE benchmarks(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    compression_id INTEGER REFERENCES compressions(id) ON DELETE SET NULL,
    machine_json TEXT NOT NULL,
    results_json TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
CREATE INDEX benchmarks_session ON benchmarks(session_id);
CREATE INDEX benchmarks_compression ON benchmarks(compression_id);
)sql";

// Version 3: one JSON shape for every record kind (the record files,
// session_allocations.h / session_compressions.h / session_calibration.h), and
// the document state each session keeps (the Budget tab's budget and pins).
// precis-cli wrote compressions as {"file_bytes", "tensor_bytes"} with
// settings {"schemes", "plan"}; the studio as {"bytes"} with settings {"name",
// "plan_source", ...}: both become the one shape. Budgets made before option
// sets existed used Precis' whole list (GGUF types and RTN); "predicted_kl" of
// allocation totals held the predicted damage under another name, so it is
// unknown (null); a calibration run's text file moves from "source" to "text".
const char* kMigration3 = R"sql(
ALTER TABLE sessions ADD COLUMN state_json TEXT NOT NULL DEFAULT '{}';

UPDATE compressions SET metrics_json =
    json_remove(json_set(metrics_json, '$.bytes', json_extract(metrics_json, '$.tensor_bytes')), '$.tensor_bytes')
  WHERE json_valid(metrics_json) AND json_type(metrics_json, '$.bytes') IS NULL
    AND json_type(metrics_json, '$.tensor_bytes') IN ('integer', 'real');
UPDATE compressions SET settings_json = json_set(settings_json,
    '$.name', COALESCE(json_extract(settings_json, '$.name'), json_extract(settings_json, '$.plan')),
    '$.plan_source', CASE
        WHEN json_extract(settings_json, '$.plan') LIKE 'uniform %' THEN 'uniform'
        WHEN json_extract(settings_json, '$.plan') = 'recipe' THEN 'recipe'
        ELSE 'allocation' END)
  WHERE json_valid(settings_json) AND json_type(settings_json, '$.plan') = 'text'
    AND json_type(settings_json, '$.plan_source') IS NULL;
UPDATE compressions SET settings_json =
    json_set(settings_json, '$.scheme', substr(json_extract(settings_json, '$.plan'), 9))
  WHERE json_valid(settings_json) AND json_extract(settings_json, '$.plan') LIKE 'uniform %'
    AND json_type(settings_json, '$.scheme') IS NULL;
UPDATE compressions SET settings_json =
    json_set(settings_json, '$.allocation', substr(json_extract(settings_json, '$.plan'), 12))
  WHERE json_valid(settings_json) AND json_extract(settings_json, '$.plan') LIKE 'allocation %'
    AND json_type(settings_json, '$.allocation') IS NULL;
UPDATE compressions SET settings_json = json_remove(settings_json, '$.plan')
  WHERE json_valid(settings_json) AND json_type(settings_json, '$.plan') = 'text';
UPDATE compressions SET metrics_json = json_set(metrics_json, '$.damage_scale',
    COALESCE(json_extract(settings_json, '$.budget.damage_scale'), json_extract(metrics_json, '$.unit_damage_scale'), 1.0))
  WHERE json_valid(metrics_json) AND json_valid(settings_json) AND json_type(metrics_json, '$.damage_scale') IS NULL;
UPDATE compressions SET metrics_json = json_remove(metrics_json, '$.unit_damage_scale')
  WHERE json_valid(metrics_json) AND json_type(metrics_json, '$.unit_damage_scale') IS NOT NULL;
UPDATE compressions SET settings_json = json_set(settings_json, '$.budget.option_set', 'all')
  WHERE json_valid(settings_json) AND json_type(settings_json, '$.budget') = 'object'
    AND json_type(settings_json, '$.budget.option_set') IS NULL;

UPDATE allocations SET budget_json = json_set(budget_json, '$.option_set', 'all')
  WHERE json_valid(budget_json) AND json_type(budget_json, '$.option_set') IS NULL;
UPDATE allocations SET totals_json = json_set(totals_json, '$.predicted_kl', json('null'))
  WHERE json_valid(totals_json) AND json_type(totals_json, '$.predicted_kl') IN ('integer', 'real');

UPDATE calibration_runs SET settings_json = json_set(settings_json, '$.text',
    CASE WHEN json_extract(settings_json, '$.source') LIKE 'self-generated%' THEN ''
         ELSE COALESCE(json_extract(settings_json, '$.source'), '') END)
  WHERE json_valid(settings_json) AND json_type(settings_json, '$.text') IS NULL;
)sql";

// Refuses files that are not SQLite before SQLite gets to see them, with a
// message a user can act on (SQLite's own is "file is not a database").
Result<void> checkFileHeader(const std::string& path)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || status.type() == std::filesystem::file_type::not_found) {
        const auto parent = std::filesystem::path(path).parent_path();
        if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
            std::filesystem::create_directories(parent, ec);
            if (ec)
                return makeError(ErrorCode::Io, path, "cannot create the folder '" + parent.string() +
                                                          "': " + ec.message());
        }
        return {};
    }
    if (status.type() != std::filesystem::file_type::regular)
        return makeError(ErrorCode::Io, path, "not a regular file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size == 0)
        return {};  // an empty file is an empty database: it gets the schema

    static const char kMagic[16] = "SQLite format 3";  // 15 characters + NUL
    char header[16] = {};
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
        return makeError(ErrorCode::Io, path, std::string("cannot open file: ") + std::strerror(errno));
    const size_t n = std::fread(header, 1, sizeof header, f);
    std::fclose(f);
    if (n != sizeof header || std::memcmp(header, kMagic, sizeof header) != 0)
        return makeError(ErrorCode::Format, path,
                         "not an SQLite database (the file does not start with \"SQLite format 3\")");
    return {};
}

Result<void> applyMigrations(sqlite::Db& db)
{
    const auto& migrations = sessionMigrations();
    for (int target = 1; target <= kSessionSchemaVersion; ++target) {
        PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(db, "migrate the schema"));
        // Read inside the write lock: another process may have migrated meanwhile.
        PRECIS_TRY_ASSIGN(const int64_t version, db.queryInt("PRAGMA user_version", "cannot read the schema version"));
        if (version >= target)
            continue;
        const std::string step = "cannot migrate the schema from version " + std::to_string(target - 1) + " to " +
                                 std::to_string(target);
        PRECIS_TRY(db.exec(migrations[size_t(target - 1)], step));
        PRECIS_TRY(db.exec("PRAGMA user_version = " + std::to_string(target), step));
        PRECIS_TRY_ASSIGN(const std::string fkProblem, db.queryText("PRAGMA foreign_key_check", step));
        if (!fkProblem.empty())
            return makeError(ErrorCode::Format, db.path(), step + ": table '" + fkProblem +
                                                               "' has rows whose references are broken");
        PRECIS_TRY(tx.commit());
    }
    return {};
}

} // namespace

std::string summarizeIntegrityReport(const std::string& report)
{
    std::vector<std::string> problems;
    size_t start = 0;
    while (start <= report.size()) {
        size_t end = report.find('\n', start);
        if (end == std::string::npos)
            end = report.size();
        const std::string line = report.substr(start, end - start);
        if (!line.empty() && line.rfind("*** in database", 0) != 0)
            problems.push_back(line);
        start = end + 1;
    }
    if (problems.empty())
        return report;
    std::string out = problems.front();
    if (problems.size() > 1)
        out += " (and " + std::to_string(problems.size() - 1) + " more problems)";
    return out;
}

const std::vector<std::string>& sessionMigrations()
{
    static const std::vector<std::string> migrations = {kMigration1, kMigration2, kMigration3};
    static_assert(kSessionSchemaVersion == 3, "add the new migration to the list");
    return migrations;
}

Result<sqlite::Db> openSessionDatabase(const std::string& path, JournalMode mode)
{
    PRECIS_TRY(checkFileHeader(path));
    PRECIS_TRY_ASSIGN(sqlite::Db db, sqlite::Db::open(path, true));
    // Another process (the studio and the CLI, or a calibration worker) may hold
    // the write lock for one step; wait for it rather than failing.
    sqlite3_busy_timeout(db.handle(), 10000);

    PRECIS_TRY_ASSIGN(const int64_t version, db.queryInt("PRAGMA user_version", "cannot read the schema version"));
    if (version > kSessionSchemaVersion)
        return makeError(ErrorCode::Unsupported, path,
                         "the database has schema version " + std::to_string(version) +
                             ", newer than this build of Precis understands (up to version " +
                             std::to_string(kSessionSchemaVersion) + "); open it with a newer Precis");
    if (version == 0) {
        PRECIS_TRY_ASSIGN(const int64_t objects, db.queryInt("SELECT count(*) FROM sqlite_master",
                                                             "cannot read the database schema"));
        if (objects > 0)
            return makeError(ErrorCode::Format, path,
                             "not a Precis session database (an SQLite database with other tables "
                             "and no schema version)");
    }

    PRECIS_TRY_ASSIGN(const std::string check,
                      db.queryText("PRAGMA quick_check", "the database is corrupt or unreadable (quick_check failed)"));
    if (check != "ok")
        return makeError(ErrorCode::Format, path,
                         "the database is corrupt (quick_check: " + summarizeIntegrityReport(check) + ")");

    // WAL: a killed writer leaves committed steps intact and the reader (the
    // studio) is never blocked by the writer. Where WAL is unavailable (some
    // network file systems) SQLite keeps the rollback journal, which is also
    // crash-safe, so that is accepted.
    if (mode == JournalMode::Wal) {
        PRECIS_TRY(db.queryText("PRAGMA journal_mode = WAL", "cannot set the journal mode"));
        // In WAL mode NORMAL is still atomic and consistent after a crash; only
        // the last commits before a power loss may be rolled back.
        PRECIS_TRY(db.exec("PRAGMA synchronous = NORMAL", "cannot set the synchronous mode"));
    } else {
        PRECIS_TRY(db.queryText("PRAGMA journal_mode = DELETE", "cannot set the journal mode"));
    }

    // Foreign keys are off while migrating (tables are rebuilt), checked by
    // foreign_key_check at the end of each step, and on from then on.
    PRECIS_TRY(applyMigrations(db));
    PRECIS_TRY(db.exec("PRAGMA foreign_keys = ON", "cannot enable foreign keys"));
    return db;
}

} // namespace precis
