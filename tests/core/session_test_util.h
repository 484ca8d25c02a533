// Helpers shared by the session store tests (tst_session, tst_session_crash).
#pragma once

#include "common/result.h"

#include <QtTest/QtTest>

#include <sqlite3.h>

#include <cstdint>
#include <fstream>
#include <string>

// Fails the test function with the error text when `expr` is an error.
#define VERIFY_OK(expr)                                                                                    \
    do {                                                                                                   \
        auto r_ = (expr);                                                                                  \
        QVERIFY2(r_.ok(), r_.ok() ? "" : qPrintable(QString::fromStdString(r_.error().toString())));       \
    } while (0)

#define ASSIGN_OK(var, expr)                                                                               \
    auto var##_result = (expr);                                                                            \
    QVERIFY2(var##_result.ok(),                                                                            \
             var##_result.ok() ? "" : qPrintable(QString::fromStdString(var##_result.error().toString()))); \
    auto var = std::move(var##_result).value()

// The error message of a failed Result, for substring checks.
#define ERROR_TEXT(var, expr)                                                                              \
    auto var##_result = (expr);                                                                            \
    QVERIFY2(!var##_result.ok(), "expected an error");                                                     \
    const std::string var = var##_result.error().toString()

namespace precis::test {

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Plain SQLite, independent of the store, for setting up and inspecting files.
class RawDb {
public:
    explicit RawDb(const std::string& path) { sqlite3_open(path.c_str(), &m_db); }
    ~RawDb() { sqlite3_close(m_db); }
    bool exec(const std::string& sql)
    {
        char* err = nullptr;
        const int rc = sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err);
        if (err) {
            qWarning("%s", err);
            sqlite3_free(err);
        }
        return rc == SQLITE_OK;
    }
    std::string text(const std::string& sql)
    {
        sqlite3_stmt* st = nullptr;
        std::string out = "<error>";
        if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
            const int rc = sqlite3_step(st);
            const auto* value = reinterpret_cast<const char*>(rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : nullptr);
            out = rc == SQLITE_ROW ? std::string(value ? value : "") : rc == SQLITE_DONE ? "" : "<error>";
        }
        sqlite3_finalize(st);
        return out;
    }
    int64_t integer(const std::string& sql) { return std::stoll("0" + text(sql)); }

private:
    sqlite3* m_db = nullptr;
};

inline void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

} // namespace precis::test
