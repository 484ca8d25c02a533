#include "session/record_json.h"

#include <cmath>

namespace precis::session_detail {

namespace {

const char* typeName(const nlohmann::json& v)
{
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "a boolean";
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_array()) return "an array";
    return "an object";
}

} // namespace

Result<JsonObject> JsonObject::parse(std::string_view text, std::string where, std::string prefix)
{
    auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded())
        return makeError(ErrorCode::Format, where,
                         (prefix.empty() ? std::string("the record") : "field '" + prefix.substr(0, prefix.size() - 1) + "'") +
                             " is not valid JSON");
    if (!j.is_object())
        return makeError(ErrorCode::Format, where,
                         (prefix.empty() ? std::string("the record") : "field '" + prefix.substr(0, prefix.size() - 1) + "'") +
                             ": expected a JSON object, found " + typeName(j));
    return JsonObject(j, std::move(where), std::move(prefix));
}

const nlohmann::json* JsonObject::find(const char* key) const
{
    const auto it = m_json.find(key);
    return it == m_json.end() || it->is_null() ? nullptr : &*it;
}

bool JsonObject::has(const char* key) const { return find(key) != nullptr; }

Error JsonObject::error(const std::string& key, const std::string& expected) const
{
    const auto it = m_json.find(key);
    const std::string found = it == m_json.end() ? "it is missing" : std::string("found ") + typeName(*it);
    return makeError(ErrorCode::Format, m_where, "field '" + m_prefix + key + "': expected " + expected + ", " + found);
}

Result<double> JsonObject::number(const char* key) const
{
    const nlohmann::json* v = find(key);
    if (!v || !v->is_number()) return error(key, "a number");
    return v->get<double>();
}

Result<int64_t> JsonObject::integer(const char* key) const
{
    const nlohmann::json* v = find(key);
    if (!v || !v->is_number_integer() || (v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX))) {
        // Integral values written as floating point (1e6) are accepted.
        if (v && v->is_number_float()) {
            const double d = v->get<double>();
            if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return int64_t(d);
        }
        return error(key, "an integer");
    }
    return v->get<int64_t>();
}

Result<std::string> JsonObject::string(const char* key) const
{
    const nlohmann::json* v = find(key);
    if (!v || !v->is_string()) return error(key, "a string");
    return v->get<std::string>();
}

Result<bool> JsonObject::boolean(const char* key) const
{
    const nlohmann::json* v = find(key);
    if (!v || !v->is_boolean()) return error(key, "true or false");
    return v->get<bool>();
}

Result<JsonObject> JsonObject::object(const char* key) const
{
    const nlohmann::json* v = find(key);
    if (!v || !v->is_object()) return error(key, "an object");
    return JsonObject(*v, m_where, m_prefix + key + ".");
}

Result<double> JsonObject::number(const char* key, double fallback) const
{
    return has(key) ? number(key) : Result<double>(fallback);
}

Result<int64_t> JsonObject::integer(const char* key, int64_t fallback) const
{
    return has(key) ? integer(key) : Result<int64_t>(fallback);
}

Result<std::string> JsonObject::string(const char* key, const std::string& fallback) const
{
    return has(key) ? string(key) : Result<std::string>(fallback);
}

Result<bool> JsonObject::boolean(const char* key, bool fallback) const
{
    return has(key) ? boolean(key) : Result<bool>(fallback);
}

Result<std::optional<JsonObject>> JsonObject::optionalObject(const char* key) const
{
    if (!has(key)) return std::optional<JsonObject>();
    PRECIS_TRY_ASSIGN(JsonObject o, object(key));
    return std::optional<JsonObject>(std::move(o));
}

} // namespace precis::session_detail
