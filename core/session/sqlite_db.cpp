#include "session/sqlite_db.h"

#include <sqlite3.h>

namespace precis::sqlite {

// ---------------------------------------------------------------- Statement

Statement::Statement(Statement&& other) noexcept
    : m_stmt(other.m_stmt), m_db(other.m_db), m_bindError(std::move(other.m_bindError))
{
    other.m_stmt = nullptr;
}

Statement::~Statement()
{
    if (m_stmt) {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
}

void Statement::noteBindResult(int rc, int index)
{
    if (rc != SQLITE_OK && m_bindError.empty())
        m_bindError = "cannot bind parameter " + std::to_string(index) + ": " + sqlite3_errstr(rc);
}

Statement& Statement::bind(int index, int64_t value)
{
    noteBindResult(sqlite3_bind_int64(m_stmt, index, value), index);
    return *this;
}

Statement& Statement::bind(int index, double value)
{
    noteBindResult(sqlite3_bind_double(m_stmt, index, value), index);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text)
{
    // SQLITE_TRANSIENT: SQLite copies the text, so temporaries are safe to pass.
    noteBindResult(sqlite3_bind_text64(m_stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
                   index);
    return *this;
}

Statement& Statement::bind(int index, std::optional<int64_t> value)
{
    return value ? bind(index, *value) : bindNull(index);
}

Statement& Statement::bindBlob(int index, const void* data, size_t size)
{
    // A zero-length blob must still be a blob, not NULL: zeroblob(0) when data is null.
    const int rc = size == 0 ? sqlite3_bind_zeroblob(m_stmt, index, 0)
                             : sqlite3_bind_blob64(m_stmt, index, data, size, SQLITE_TRANSIENT);
    noteBindResult(rc, index);
    return *this;
}

Statement& Statement::bindNull(int index)
{
    noteBindResult(sqlite3_bind_null(m_stmt, index), index);
    return *this;
}

Result<bool> Statement::step()
{
    if (!m_bindError.empty())
        return m_db->error(m_bindError, SQLITE_RANGE);
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    Error e = m_db->error("cannot execute '" + std::string(sqlite3_sql(m_stmt)).substr(0, 60) + "'", rc);
    sqlite3_reset(m_stmt);
    return e;
}

Result<void> Statement::run()
{
    for (;;) {
        PRECIS_TRY_ASSIGN(const bool row, step());
        if (!row) {
            reset();
            return {};
        }
    }
}

void Statement::reset() { sqlite3_reset(m_stmt); }
int Statement::parameterCount() const { return sqlite3_bind_parameter_count(m_stmt); }

bool Statement::isNull(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
int64_t Statement::columnInt(int column) const { return sqlite3_column_int64(m_stmt, column); }
double Statement::columnDouble(int column) const { return sqlite3_column_double(m_stmt, column); }

std::string Statement::columnText(int column) const
{
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return p ? std::string(p, size_t(sqlite3_column_bytes(m_stmt, column))) : std::string();
}

std::optional<int64_t> Statement::columnOptInt(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return columnInt(column);
}

std::span<const std::byte> Statement::columnBlob(int column) const
{
    const auto* p = static_cast<const std::byte*>(sqlite3_column_blob(m_stmt, column));
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::span<const std::byte>(p, size_t(n)) : std::span<const std::byte>();
}

// ---------------------------------------------------------------- Db

void Db::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void Db::Finalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Db::~Db()
{
    m_cache.clear();  // finalize before close (also guaranteed by member order)
}

Result<Db> Db::open(const std::string& path, bool create)
{
    Db db;
    db.m_path = path;
    sqlite3* handle = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
    db.m_handle.reset(handle);  // sqlite3_open_v2 may return a handle even on failure
    if (rc != SQLITE_OK)
        return db.error("cannot open database", rc);
    sqlite3_extended_result_codes(handle, 1);
    return db;
}

Result<Statement> Db::prepare(std::string_view sql)
{
    auto it = m_cache.find(std::string(sql));
    if (it == m_cache.end()) {
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v3(m_handle.get(), sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                          &stmt, nullptr);
        if (rc != SQLITE_OK)
            return error("cannot prepare '" + std::string(sql.substr(0, 60)) + "'", rc);
        it = m_cache.emplace(std::string(sql), std::unique_ptr<sqlite3_stmt, Finalizer>(stmt)).first;
    }
    return Statement(it->second.get(), this);
}

Result<void> Db::exec(const std::string& sql, std::string_view what)
{
    char* message = nullptr;
    const int rc = sqlite3_exec(m_handle.get(), sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        Error e = error(what, rc);
        e.message = std::string(what) + ": " + text;
        return e;
    }
    return {};
}

Result<std::string> Db::queryText(const std::string& sql, std::string_view what)
{
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(m_handle.get(), sql.c_str(), -1, &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, Finalizer> stmt(raw);
    if (rc != SQLITE_OK)
        return error(what, rc);
    rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE)
        return std::string();
    if (rc != SQLITE_ROW)
        return error(what, rc);
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    return p ? std::string(p) : std::string();
}

Result<int64_t> Db::queryInt(const std::string& sql, std::string_view what)
{
    PRECIS_TRY_ASSIGN(const std::string text, queryText(sql, what));
    try {
        return int64_t(std::stoll(text));
    } catch (...) {
        return makeError(ErrorCode::Format, m_path, std::string(what) + ": expected an integer, found '" + text + "'");
    }
}

Error Db::error(std::string_view what, int rc) const
{
    ErrorCode code = ErrorCode::Internal;
    switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
        code = ErrorCode::Format;
        break;
    case SQLITE_CONSTRAINT:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
        code = ErrorCode::InvalidArgument;
        break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PERM:
        code = ErrorCode::Io;
        break;
    default:
        break;
    }
    // The connection's message is more specific than the code's generic text
    // (it names the constraint or the column), when it belongs to this error.
    std::string detail = sqlite3_errstr(rc);
    if (m_handle && sqlite3_extended_errcode(m_handle.get()) == rc)
        detail = sqlite3_errmsg(m_handle.get());
    return makeError(code, m_path, std::string(what) + ": " + detail);
}

Error Db::error(std::string_view what) const
{
    return error(what, m_handle ? sqlite3_extended_errcode(m_handle.get()) : SQLITE_ERROR);
}

int64_t Db::lastInsertId() const { return sqlite3_last_insert_rowid(m_handle.get()); }
int Db::changes() const { return sqlite3_changes(m_handle.get()); }
bool Db::inTransaction() const { return sqlite3_get_autocommit(m_handle.get()) == 0; }
void Db::clearCache() { m_cache.clear(); }

// ---------------------------------------------------------------- Transaction

Result<Transaction> Transaction::begin(Db& db, std::string_view what)
{
    const bool nested = db.inTransaction();
    PRECIS_TRY(db.exec(nested ? "SAVEPOINT precis_nested" : "BEGIN IMMEDIATE",
                       "cannot start a transaction to " + std::string(what)));
    return Transaction(db, nested, std::string(what));
}

Transaction::Transaction(Transaction&& other) noexcept
    : m_db(other.m_db), m_nested(other.m_nested), m_what(std::move(other.m_what)), m_done(other.m_done)
{
    other.m_done = true;
}

Transaction::~Transaction()
{
    if (m_done)
        return;
    // Statements still stepping would keep the rollback from completing; they
    // are reset by their own destructors before this runs in normal scoping.
    if (m_nested)
        sqlite3_exec(m_db->handle(), "ROLLBACK TO precis_nested; RELEASE precis_nested", nullptr, nullptr, nullptr);
    else if (m_db->inTransaction())
        sqlite3_exec(m_db->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Result<void> Transaction::commit()
{
    assert(!m_done);
    PRECIS_TRY(m_db->exec(m_nested ? "RELEASE precis_nested" : "COMMIT", "cannot commit " + m_what));
    m_done = true;
    return {};
}

} // namespace precis::sqlite
