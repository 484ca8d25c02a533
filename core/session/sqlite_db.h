// Thin RAII layer over the SQLite C API: a connection with a prepared-statement
// cache, statements that reset themselves when they go out of scope, and
// transactions that roll back unless committed. Every error names the database
// file and what was being done ("where" = file, message = action: sqlite's text).
//
// A Db is one connection and is used from one thread at a time.
#pragma once

#include "common/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace precis::sqlite {

class Db;

// A cached prepared statement, borrowed from its Db. Bind with 1-based indices,
// then step() / run(). Destruction resets it and clears the bindings.
class Statement {
public:
    Statement(sqlite3_stmt* stmt, Db* db) : m_stmt(stmt), m_db(db) {}
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, std::optional<int64_t> value);  // nullopt binds NULL
    Statement& bindBlob(int index, const void* data, size_t size);
    Statement& bindNull(int index);

    // true: a row is available; false: the statement finished.
    Result<bool> step();
    // Steps until done (for statements that return no rows), then resets the
    // statement so it can be bound and run again (bindings are kept).
    Result<void> run();
    void reset();
    int parameterCount() const;

    bool isNull(int column) const;
    int64_t columnInt(int column) const;
    double columnDouble(int column) const;
    std::string columnText(int column) const;
    std::optional<int64_t> columnOptInt(int column) const;
    std::span<const std::byte> columnBlob(int column) const;  // valid until the next step/reset

private:
    void noteBindResult(int rc, int index);

    sqlite3_stmt* m_stmt;
    Db* m_db;
    std::string m_bindError;  // first bind failure, reported by step()
};

class Db {
public:
    // Opens (or creates, when `create`) the file at `path`.
    static Result<Db> open(const std::string& path, bool create);

    Db(Db&&) noexcept = default;
    Db& operator=(Db&&) noexcept = default;
    ~Db();

    // Prepared once per connection and cached. `sql` must be one statement.
    Result<Statement> prepare(std::string_view sql);
    // Runs one or more statements without caching (schema, pragmas).
    Result<void> exec(const std::string& sql, std::string_view what);
    // First column of the first row as text ("" when no row): for pragmas.
    Result<std::string> queryText(const std::string& sql, std::string_view what);
    Result<int64_t> queryInt(const std::string& sql, std::string_view what);

    // An Error naming this file: "<what>: <sqlite message>", coded from `rc`
    // (corrupt / not a database -> Format, constraint -> InvalidArgument, I/O -> Io).
    Error error(std::string_view what, int rc) const;
    Error error(std::string_view what) const;  // uses the connection's last error code

    sqlite3* handle() const { return m_handle.get(); }
    const std::string& path() const { return m_path; }
    int64_t lastInsertId() const;
    int changes() const;
    bool inTransaction() const;

    // Drops the cached statements (before ATTACH/DETACH or schema changes).
    void clearCache();

private:
    Db() = default;
    struct Closer {
        void operator()(sqlite3* db) const;
    };
    struct Finalizer {
        void operator()(sqlite3_stmt* stmt) const;
    };

    // Declaration order matters: the cache is destroyed (finalized) before the handle closes.
    std::unique_ptr<sqlite3, Closer> m_handle;
    std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, Finalizer>> m_cache;
    std::string m_path;
};

// BEGIN IMMEDIATE at the outermost level (takes the write lock up front, so a
// busy database fails at begin rather than half way), SAVEPOINT when nested.
// Rolls back on destruction unless commit() succeeded.
class Transaction {
public:
    static Result<Transaction> begin(Db& db, std::string_view what);
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    Result<void> commit();

private:
    Transaction(Db& db, bool nested, std::string what) : m_db(&db), m_nested(nested), m_what(std::move(what)) {}
    Db* m_db;
    bool m_nested;
    std::string m_what;
    bool m_done = false;
};

} // namespace precis::sqlite
