// Opening the store, models and sessions.
#include "session/session_store.h"

#include "common/sha256.h"
#include "session/session_schema.h"
#include "session/session_store_internal.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace precis {

namespace session_detail {

Result<void> requireJson(const std::string& where, const std::string& text, const char* field)
{
    if (!nlohmann::json::accept(text))
        return makeError(ErrorCode::InvalidArgument, where,
                         std::string(field) + " is not valid JSON: '" + text.substr(0, 40) + "'");
    return {};
}

Result<void> requireNonEmpty(const std::string& where, const std::string& text, const char* field)
{
    if (text.empty())
        return makeError(ErrorCode::InvalidArgument, where, std::string(field) + " must not be empty");
    return {};
}

} // namespace session_detail

using namespace session_detail;

std::string_view runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Done: return "done";
    case RunStatus::Cancelled: return "cancelled";
    case RunStatus::Failed: return "failed";
    }
    return "failed";
}

std::optional<RunStatus> runStatusFromName(std::string_view name)
{
    for (RunStatus s : {RunStatus::Running, RunStatus::Done, RunStatus::Cancelled, RunStatus::Failed})
        if (runStatusName(s) == name)
            return s;
    return std::nullopt;
}

std::string_view unitKindName(UnitKind kind)
{
    switch (kind) {
    case UnitKind::Tensor: return "tensor";
    case UnitKind::Head: return "head";
    case UnitKind::Layer: return "layer";
    }
    return "tensor";
}

std::optional<UnitKind> unitKindFromName(std::string_view name)
{
    for (UnitKind k : {UnitKind::Tensor, UnitKind::Head, UnitKind::Layer})
        if (unitKindName(k) == name)
            return k;
    return std::nullopt;
}

std::string defaultDatabasePath()
{
    const char* xdg = std::getenv("XDG_DATA_HOME");
    std::string base;
    // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    if (xdg && *xdg == '/') {
        base = xdg;
    } else {
        const char* home = std::getenv("HOME");
        base = std::string(home && *home ? home : ".") + "/.local/share";
    }
    return base + "/precis/sessions.sqlite";
}

// ---------------------------------------------------------------- store

Result<SessionStore> SessionStore::open(const std::string& path)
{
    PRECIS_TRY_ASSIGN(sqlite::Db db, openSessionDatabase(path, JournalMode::Wal));
    return SessionStore(std::move(db));
}

Error SessionStore::error(const std::string& what) const
{
    return makeError(ErrorCode::InvalidArgument, m_db.path(), what);
}

Result<void> SessionStore::checkIntegrity(bool full)
{
    PRECIS_TRY_ASSIGN(const std::string check,
                      m_db.queryText(full ? "PRAGMA integrity_check" : "PRAGMA quick_check", "integrity check failed"));
    if (check != "ok")
        return makeError(ErrorCode::Format, m_db.path(),
                         "the database is corrupt (" + summarizeIntegrityReport(check) + ")");
    return {};
}

Result<void> SessionStore::requireSession(int64_t sessionId, const char* action)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT 1 FROM sessions WHERE id = ?"));
    st.bind(1, sessionId);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return error(std::string("cannot ") + action + ": session " + std::to_string(sessionId) + " does not exist");
    return {};
}

Result<void> SessionStore::requireRun(int64_t runId, const char* action)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT 1 FROM calibration_runs WHERE id = ?"));
    st.bind(1, runId);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return error(std::string("cannot ") + action + ": calibration run " + std::to_string(runId) +
                     " does not exist");
    return {};
}

// ---------------------------------------------------------------- models

Result<int64_t> SessionStore::addModel(const std::string& path, const std::string& sha256,
                                       const std::string& architecture, int64_t parameters, int64_t fileSize)
{
    PRECIS_TRY(requireNonEmpty(m_db.path(), path, "model path"));
    if (!isSha256Hex(sha256))
        return error("cannot add model '" + path + "': sha256 must be 64 lowercase hex digits, got '" + sha256 + "'");
    if (parameters < 0 || fileSize < 0)
        return error("cannot add model '" + path + "': parameters and file size must not be negative");
    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "add a model"));
    {
        PRECIS_TRY_ASSIGN(auto ins, m_db.prepare("INSERT INTO models(path, sha256, architecture, parameters, "
                                                 "file_size) VALUES(?, ?, ?, ?, ?) "
                                                 "ON CONFLICT(path, sha256) DO NOTHING"));
        ins.bind(1, path).bind(2, sha256).bind(3, architecture).bind(4, parameters).bind(5, fileSize);
        PRECIS_TRY(ins.run());
    }
    int64_t id = 0;
    {
        PRECIS_TRY_ASSIGN(auto sel, m_db.prepare("SELECT id FROM models WHERE path = ? AND sha256 = ?"));
        sel.bind(1, path).bind(2, sha256);
        PRECIS_TRY_ASSIGN(const bool found, sel.step());
        if (!found)
            return makeError(ErrorCode::Internal, m_db.path(), "the model row just inserted for '" + path +
                                                                   "' is missing");
        id = sel.columnInt(0);
    }
    PRECIS_TRY(tx.commit());
    return id;
}

Result<int64_t> SessionStore::addModelFile(const std::string& path, const std::string& architecture,
                                           int64_t parameters, const CancelToken* cancel)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        return makeError(ErrorCode::Io, path, "cannot read the model file's size: " + ec.message());
    PRECIS_TRY_ASSIGN(const std::string sha, sha256File(path, cancel));
    return addModel(path, sha, architecture, parameters, int64_t(size));
}

static ModelRecord readModelColumns(const sqlite::Statement& st, int first)
{
    ModelRecord m;
    m.id = st.columnInt(first);
    m.path = st.columnText(first + 1);
    m.sha256 = st.columnText(first + 2);
    m.architecture = st.columnText(first + 3);
    m.parameters = st.columnInt(first + 4);
    m.fileSize = st.columnInt(first + 5);
    m.addedAt = st.columnText(first + 6);
    return m;
}

Result<ModelRecord> SessionStore::model(int64_t modelId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT id, path, sha256, architecture, parameters, file_size, added_at "
                                            "FROM models WHERE id = ?"));
    st.bind(1, modelId);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return error("model " + std::to_string(modelId) + " does not exist");
    return readModelColumns(st, 0);
}

Result<ModelCheck> SessionStore::checkModel(int64_t modelId, const CancelToken* cancel)
{
    PRECIS_TRY_ASSIGN(const ModelRecord m, model(modelId));
    ModelCheck check;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(m.path, ec))
        return check;
    check.exists = true;
    const auto size = std::filesystem::file_size(m.path, ec);
    if (ec)
        return makeError(ErrorCode::Io, m.path, "cannot read the model file's size: " + ec.message());
    check.currentSize = int64_t(size);
    check.sizeMatches = check.currentSize == m.fileSize;
    if (!check.sizeMatches)
        return check;
    PRECIS_TRY_ASSIGN(check.currentSha256, sha256File(m.path, cancel));
    check.sha256Matches = check.currentSha256 == m.sha256;
    return check;
}

Result<void> SessionStore::relinkModel(int64_t sessionId, const std::string& path, const CancelToken* cancel)
{
    PRECIS_TRY_ASSIGN(const SessionInfo info, session(sessionId));
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return makeError(ErrorCode::Io, path, "cannot read the model file's size: " + ec.message());
    if (int64_t(size) != info.model.fileSize)
        return makeError(ErrorCode::InvalidArgument, path,
                         "is " + std::to_string(size) + " bytes, but session '" + info.name + "' was made from a file of " +
                             std::to_string(info.model.fileSize) + " bytes (" + info.model.path + ")");
    PRECIS_TRY_ASSIGN(const std::string sha, sha256File(path, cancel));
    if (sha != info.model.sha256)
        return makeError(ErrorCode::InvalidArgument, path,
                         "is not the model session '" + info.name + "' was made from (its SHA-256 differs from " +
                             info.model.path + "'s)");
    PRECIS_TRY_ASSIGN(const int64_t modelId,
                      addModel(path, sha, info.model.architecture, info.model.parameters, int64_t(size)));
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("UPDATE sessions SET model_id = ?, "
                                            "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?"));
    st.bind(1, modelId).bind(2, sessionId);
    return st.run();
}

// ---------------------------------------------------------------- sessions

static const char* kSessionSelect =
    "SELECT s.id, s.name, s.created_at, s.updated_at, s.notes, "
    "m.id, m.path, m.sha256, m.architecture, m.parameters, m.file_size, m.added_at, "
    "(SELECT count(*) FROM calibration_runs WHERE session_id = s.id), "
    "(SELECT count(*) FROM allocations WHERE session_id = s.id), "
    "(SELECT count(*) FROM compressions WHERE session_id = s.id), "
    "(SELECT count(*) FROM benchmarks WHERE session_id = s.id) "
    "FROM sessions s JOIN models m ON m.id = s.model_id ";

static SessionInfo readSessionColumns(const sqlite::Statement& st)
{
    SessionInfo s;
    s.id = st.columnInt(0);
    s.name = st.columnText(1);
    s.createdAt = st.columnText(2);
    s.updatedAt = st.columnText(3);
    s.notes = st.columnText(4);
    s.model = readModelColumns(st, 5);
    s.runCount = st.columnInt(12);
    s.allocationCount = st.columnInt(13);
    s.compressionCount = st.columnInt(14);
    s.benchmarkCount = st.columnInt(15);
    return s;
}

Result<int64_t> SessionStore::createSession(const std::string& name, int64_t modelId)
{
    PRECIS_TRY(requireNonEmpty(m_db.path(), name, "session name"));
    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "create a session"));
    PRECIS_TRY(model(modelId));
    PRECIS_TRY_ASSIGN(const auto existing, sessionByName(name));
    if (existing)
        return error("cannot create session '" + name + "': a session with that name already exists");
    int64_t id = 0;
    {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare("INSERT INTO sessions(name, model_id) VALUES(?, ?)"));
        st.bind(1, name).bind(2, modelId);
        PRECIS_TRY(st.run());
        id = m_db.lastInsertId();
    }
    PRECIS_TRY(tx.commit());
    return id;
}

Result<std::vector<SessionInfo>> SessionStore::sessions()
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare(std::string(kSessionSelect) + "ORDER BY s.updated_at DESC, s.id DESC"));
    std::vector<SessionInfo> out;
    for (;;) {
        PRECIS_TRY_ASSIGN(const bool row, st.step());
        if (!row)
            return out;
        out.push_back(readSessionColumns(st));
    }
}

Result<SessionInfo> SessionStore::session(int64_t sessionId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare(std::string(kSessionSelect) + "WHERE s.id = ?"));
    st.bind(1, sessionId);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return error("session " + std::to_string(sessionId) + " does not exist");
    return readSessionColumns(st);
}

Result<std::optional<SessionInfo>> SessionStore::sessionByName(const std::string& name)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare(std::string(kSessionSelect) + "WHERE s.name = ?"));
    st.bind(1, name);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return std::optional<SessionInfo>();
    return std::optional<SessionInfo>(readSessionColumns(st));
}

Result<void> SessionStore::renameSession(int64_t sessionId, const std::string& newName)
{
    PRECIS_TRY(requireNonEmpty(m_db.path(), newName, "session name"));
    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "rename a session"));
    PRECIS_TRY(requireSession(sessionId, "rename session"));
    PRECIS_TRY_ASSIGN(const auto existing, sessionByName(newName));
    if (existing && existing->id != sessionId)
        return error("cannot rename session " + std::to_string(sessionId) + " to '" + newName +
                     "': a session with that name already exists");
    {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare("UPDATE sessions SET name = ?, "
                                                "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?"));
        st.bind(1, newName).bind(2, sessionId);
        PRECIS_TRY(st.run());
    }
    return tx.commit();
}

Result<void> SessionStore::setSessionNotes(int64_t sessionId, const std::string& notes)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("UPDATE sessions SET notes = ?, "
                                            "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?"));
    st.bind(1, notes).bind(2, sessionId);
    PRECIS_TRY(st.run());
    if (m_db.changes() == 0)
        return error("cannot set notes: session " + std::to_string(sessionId) + " does not exist");
    return {};
}

Result<std::string> SessionStore::sessionState(int64_t sessionId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT state_json FROM sessions WHERE id = ?"));
    st.bind(1, sessionId);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found) return error("cannot read the state of session " + std::to_string(sessionId) + ": it does not exist");
    return st.columnText(0);
}

Result<void> SessionStore::setSessionState(int64_t sessionId, const std::string& stateJson)
{
    PRECIS_TRY(requireJson(m_db.path(), stateJson, "session state"));
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("UPDATE sessions SET state_json = ?, "
                                            "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?"));
    st.bind(1, stateJson).bind(2, sessionId);
    PRECIS_TRY(st.run());
    if (m_db.changes() == 0)
        return error("cannot store the state of session " + std::to_string(sessionId) + ": it does not exist");
    return {};
}

Result<void> SessionStore::removeSession(int64_t sessionId)
{
    // ON DELETE CASCADE removes everything below the session in the same statement.
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("DELETE FROM sessions WHERE id = ?"));
    st.bind(1, sessionId);
    PRECIS_TRY(st.run());
    if (m_db.changes() == 0)
        return error("cannot remove session " + std::to_string(sessionId) + ": it does not exist");
    return {};
}

Result<void> SessionStore::touchSession(int64_t sessionId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("UPDATE sessions SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                                            "WHERE id = ?"));
    st.bind(1, sessionId);
    PRECIS_TRY(st.run());
    if (m_db.changes() == 0)
        return error("cannot touch session " + std::to_string(sessionId) + ": it does not exist");
    return {};
}

Result<void> SessionStore::touchSessionOfRun(int64_t runId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("UPDATE sessions SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                                            "WHERE id = (SELECT session_id FROM calibration_runs WHERE id = ?)"));
    st.bind(1, runId);
    return st.run();
}

} // namespace precis
