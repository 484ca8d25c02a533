// Result<T>: a value or an Error. Bad input is reported through Result; broken
// invariants (API misuse) assert. Core code never throws across its API and
// never prints.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace precis {

enum class ErrorCode {
    Io,            // cannot open / read / write / map a file
    Format,        // the bytes are not what the format says they should be
    Unsupported,   // valid input we do not handle (architecture, dtype, ...)
    InvalidArgument,  // a setting or argument out of range
    Cancelled,     // the user cancelled
    Internal,
};

// message: what was found and what was expected. where: the file, and inside it
// the field or tensor ("model.gguf: tensor 'blk.0.attn_q.weight'").
struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    std::string where;

    // "where: message" (or just message when where is empty): the one line shown to users.
    std::string toString() const { return where.empty() ? message : where + ": " + message; }
};

inline Error makeError(ErrorCode code, std::string where, std::string message)
{
    return Error{code, std::move(message), std::move(where)};
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(m_v); }
    const T& value() const& { assert(ok()); return std::get<0>(m_v); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { assert(!ok()); return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}
    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error& error() const { assert(!m_ok); return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

// Early-return helpers: PRECIS_TRY(expr) for Result<void>, PRECIS_TRY_ASSIGN(var, expr) otherwise.
#define PRECIS_TRY(expr)                         \
    do {                                         \
        auto precis_r_ = (expr);                 \
        if (!precis_r_.ok())                     \
            return precis_r_.error();            \
    } while (0)

#define PRECIS_CONCAT_INNER(a, b) a##b
#define PRECIS_CONCAT(a, b) PRECIS_CONCAT_INNER(a, b)
#define PRECIS_TRY_ASSIGN(var, expr) PRECIS_TRY_ASSIGN_IMPL(PRECIS_CONCAT(precis_r_, __LINE__), var, expr)
#define PRECIS_TRY_ASSIGN_IMPL(tmp, var, expr)   \
    auto tmp = (expr);                           \
    if (!tmp.ok())                               \
        return tmp.error();                      \
    var = std::move(tmp).value()

} // namespace precis
