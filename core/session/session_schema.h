// The session database schema and its migrations.
//
// The schema version is `PRAGMA user_version`. Migration i (1-based) takes a
// database from version i-1 to version i; each runs in its own transaction
// together with the user_version update, so a crash leaves the file at either
// the old or the new version. Released migrations are never edited: a change
// is a new entry at the end.
//
// Version 3 (current):
//   models(id, path, sha256, architecture, parameters, file_size, added_at)    UNIQUE(path, sha256)
//   sessions(id, name UNIQUE, model_id -> models, created_at, updated_at, notes, state_json)
//   calibration_runs(id, session_id -> sessions, settings_json, status, started_at, finished_at,
//                    tokens, wall_seconds)          status in running|done|cancelled|failed
//   sensitivity(run_id -> runs, unit, kind, metric, option, value)
//                    PK(run_id, unit, metric, option); kind in tensor|head|layer; option '' = none
//   chunk_maps(run_id -> runs, tensor, metric, rows, cols, data)   data: rows×cols f32 little-endian
//   run_blobs(run_id -> runs, key, data)                           PK(run_id, key)
//   option_tables(id, session_id -> sessions, run_id -> runs, key, data, created_at)  UNIQUE(session_id, key)
//   allocations(id, session_id -> sessions, name, budget_json, assignment_json, totals_json, created_at)
//                    UNIQUE(session_id, name)
//   compressions(id, session_id -> sessions, allocation_id -> allocations (SET NULL), method,
//                output_path, settings_json, metrics_json, created_at)
//   benchmarks(id, session_id -> sessions, compression_id -> compressions (SET NULL),
//              machine_json, results_json, created_at)
// Deleting a session cascades to everything below it; models are shared and stay.
// Timestamps are ISO-8601 UTC text with milliseconds ("2025-01-31T12:00:00.000Z").
//
// The JSON columns hold the shapes of the record files (session_allocations.h,
// session_compressions.h, session_calibration.h, session_benchmarks.h);
// state_json is {"budget": budget_json} (session_allocations.h: the document
// state a reopened session restores).
//
// Version 2 lacked sessions.state_json and kept the CLI's and the studio's
// compression records in two shapes; version 1 lacked option_tables,
// benchmarks and sensitivity.option.
#pragma once

#include "common/result.h"
#include "session/sqlite_db.h"

#include <string>
#include <vector>

namespace precis {

constexpr int kSessionSchemaVersion = 3;

// migrations()[i] is the SQL script taking version i to version i+1.
const std::vector<std::string>& sessionMigrations();

enum class JournalMode { Wal, Delete };

// One line from PRAGMA integrity_check / quick_check output (which can list
// hundreds of problems): the first problem and how many more there are.
std::string summarizeIntegrityReport(const std::string& report);

// Opens `path` (creating it and its parent folder when missing), checks it is an
// SQLite database this build understands and that PRAGMA quick_check passes,
// switches on foreign keys and a busy timeout, sets the journal mode, and applies
// the pending migrations. Errors name the file: not an SQLite database, schema
// version newer than this build, corruption, I/O.
Result<sqlite::Db> openSessionDatabase(const std::string& path, JournalMode mode);

} // namespace precis
