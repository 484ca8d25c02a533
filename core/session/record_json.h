// Reading the JSON of session records with errors that name the record and the
// field ("sessions.sqlite: compression 12: field 'metrics.kl_mean': expected a
// number, found a string"). Internal to the session record files.
#pragma once

#include "common/result.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace precis {
struct CompressionMeasurement;
}

namespace precis::session_detail {

// The measured keys of a compression record's metrics (session_compressions.h:
// "ppl_original" … "measured_ppl_increase_percent"), written into `j`; the
// record and the session summary share them.
void writeMeasurement(nlohmann::ordered_json& j, const CompressionMeasurement& m);

class JsonObject {
public:
    // Parses `text`, which must hold a JSON object. prefix: the field path of
    // the object in messages ("metrics." ...).
    static Result<JsonObject> parse(std::string_view text, std::string where, std::string prefix = {});
    JsonObject(const nlohmann::json& object, std::string where, std::string prefix)
        : m_json(object), m_where(std::move(where)), m_prefix(std::move(prefix))
    {
    }

    const nlohmann::json& json() const { return m_json; }
    const std::string& where() const { return m_where; }
    // Present and not null.
    bool has(const char* key) const;

    // Required fields (missing, null or of another type: an error).
    Result<double> number(const char* key) const;
    Result<int64_t> integer(const char* key) const;
    Result<std::string> string(const char* key) const;
    Result<bool> boolean(const char* key) const;
    Result<JsonObject> object(const char* key) const;
    // Optional fields: absent or null gives the fallback; another type is an error.
    Result<double> number(const char* key, double fallback) const;
    Result<int64_t> integer(const char* key, int64_t fallback) const;
    Result<std::string> string(const char* key, const std::string& fallback) const;
    Result<bool> boolean(const char* key, bool fallback) const;
    Result<std::optional<JsonObject>> optionalObject(const char* key) const;

    Error error(const std::string& key, const std::string& expected) const;

private:
    const nlohmann::json* find(const char* key) const;
    nlohmann::json m_json;
    std::string m_where;
    std::string m_prefix;
};

// A number that may be NaN or infinite, written as null.
inline nlohmann::json numberOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

} // namespace precis::session_detail
