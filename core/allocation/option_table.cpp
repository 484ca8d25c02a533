#include "allocation/option_table.h"

#include "common/fnv.h"
#include "formats/safetensors.h"

#include <nlohmann/json.hpp>

#include <climits>
#include <cmath>
#include <cstring>

namespace precis {

namespace {

constexpr char kMagic[8] = {'P', 'R', 'E', 'C', 'I', 'S', 'O', 'T'};
constexpr uint32_t kVersion = 2;
constexpr uint32_t kFirstVersion = 1;  // without the per-option kl
constexpr const char* kJsonFormat = "precis.option_table";
constexpr const char* kWhere = "option table";

std::string unitLabel(size_t u, const Unit& unit) { return "unit " + std::to_string(u) + " '" + unit.name + "'"; }

std::string optionLabel(size_t o, const Option& option)
{
    return "option " + std::to_string(o) + " '" + option.scheme + "'";
}

Error invalid(const std::string& message) { return makeError(ErrorCode::InvalidArgument, kWhere, message); }

// a + b without overflow, for non-negative a and b; false when it would overflow.
bool addChecked(int64_t& sum, int64_t v)
{
    if (v > INT64_MAX - sum) return false;
    sum += v;
    return true;
}

// ---- blob ---------------------------------------------------------------------

using Fnv = Fnv1a64;

class Writer {
public:
    template <typename T>
    void put(T v)
    {
        const size_t at = m_out.size();
        m_out.resize(at + sizeof(T));
        std::memcpy(m_out.data() + at, &v, sizeof(T));
    }
    void str(const std::string& s)
    {
        put(uint32_t(s.size()));
        const size_t at = m_out.size();
        m_out.resize(at + s.size());
        std::memcpy(m_out.data() + at, s.data(), s.size());
    }
    std::vector<std::byte> finish()
    {
        Fnv f;
        f.add(m_out.data(), m_out.size());
        put(f.h);
        return std::move(m_out);
    }

private:
    std::vector<std::byte> m_out;
};

class Reader {
public:
    Reader(std::span<const std::byte> b, std::string where) : m_b(b), m_where(std::move(where)) {}
    size_t remaining() const { return m_b.size() - m_pos; }
    Error error(const std::string& field, const std::string& message) const
    {
        return makeError(ErrorCode::Format, m_where, "field '" + field + "' at byte " + std::to_string(m_pos) + ": " + message);
    }
    template <typename T>
    Result<T> read(const std::string& field)
    {
        if (remaining() < sizeof(T))
            return error(field, "needs " + std::to_string(sizeof(T)) + " bytes, only " + std::to_string(remaining()) +
                                    " remain (truncated)");
        T v;
        std::memcpy(&v, m_b.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }
    Result<std::string> str(const std::string& field)
    {
        PRECIS_TRY_ASSIGN(const uint32_t n, read<uint32_t>(field + " length"));
        if (n > remaining())
            return error(field, "length " + std::to_string(n) + " exceeds the " + std::to_string(remaining()) +
                                    " bytes that remain");
        std::string s(reinterpret_cast<const char*>(m_b.data() + m_pos), n);
        m_pos += n;
        return s;
    }

private:
    std::span<const std::byte> m_b;
    size_t m_pos = 0;
    std::string m_where;
};

// ---- JSON fields --------------------------------------------------------------

Error jsonError(const std::string& where, const std::string& field, const std::string& expected)
{
    return makeError(ErrorCode::Format, where, "field '" + field + "': expected " + expected);
}

Result<const nlohmann::json*> member(const nlohmann::json& obj, const char* key, const std::string& where,
                                     const std::string& path)
{
    const auto it = obj.find(key);
    if (it == obj.end()) return makeError(ErrorCode::Format, where, "field '" + path + key + "' is missing");
    return &*it;
}

Result<int64_t> intField(const nlohmann::json& obj, const char* key, const std::string& where, const std::string& path)
{
    PRECIS_TRY_ASSIGN(const nlohmann::json* v, member(obj, key, where, path));
    if (v->is_number_integer() && !(v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX)))
        return v->get<int64_t>();
    return jsonError(where, path + key, "an integer (64-bit)");
}

Result<std::string> stringField(const nlohmann::json& obj, const char* key, const std::string& where,
                                const std::string& path)
{
    PRECIS_TRY_ASSIGN(const nlohmann::json* v, member(obj, key, where, path));
    if (!v->is_string()) return jsonError(where, path + key, "a string");
    return v->get<std::string>();
}

Result<int> smallIntField(const nlohmann::json& obj, const char* key, const std::string& where, const std::string& path)
{
    PRECIS_TRY_ASSIGN(const int64_t v, intField(obj, key, where, path));
    if (v < INT_MIN || v > INT_MAX) return jsonError(where, path + key, "a 32-bit integer, found " + std::to_string(v));
    return int(v);
}

} // namespace

Result<void> validate(const OptionTable& table)
{
    if (table.fixedBytes < 0) return invalid("fixed_bytes is " + std::to_string(table.fixedBytes) + ", expected >= 0");
    if (table.fixedWeights < 0)
        return invalid("fixed_weights is " + std::to_string(table.fixedWeights) + ", expected >= 0");
    // The largest total any assignment can reach must fit in int64 (with fixed
    // bytes), and so must the weight count.
    int64_t maxBytes = table.fixedBytes, weights = table.fixedWeights;
    double maxDamage = 0;
    for (size_t u = 0; u < table.units.size(); ++u) {
        const Unit& unit = table.units[u];
        if (unit.options.empty()) return invalid(unitLabel(u, unit) + " has no options, expected at least one");
        if (unit.options.size() > kMaxOptionsPerUnit)
            return invalid(unitLabel(u, unit) + " has " + std::to_string(unit.options.size()) + " options, expected at most " +
                           std::to_string(kMaxOptionsPerUnit));
        if (unit.weights < 0)
            return invalid(unitLabel(u, unit) + ": weights is " + std::to_string(unit.weights) + ", expected >= 0");
        if (unit.pinned < -1 || unit.pinned >= int64_t(unit.options.size()))
            return invalid(unitLabel(u, unit) + ": pinned option " + std::to_string(unit.pinned) + " is out of range, expected -1 or 0.." +
                           std::to_string(unit.options.size() - 1));
        int64_t unitMaxBytes = 0;
        double unitMaxDamage = 0;
        for (size_t o = 0; o < unit.options.size(); ++o) {
            const Option& option = unit.options[o];
            if (option.bytes <= 0)
                return invalid(unitLabel(u, unit) + ", " + optionLabel(o, option) + ": bytes is " + std::to_string(option.bytes) +
                               ", expected > 0");
            if (!std::isfinite(option.damage) || option.damage < 0)
                return invalid(unitLabel(u, unit) + ", " + optionLabel(o, option) + ": damage is " + std::to_string(option.damage) +
                               ", expected a finite value >= 0");
            if (!std::isnan(option.kl) && (!std::isfinite(option.kl) || option.kl < 0))
                return invalid(unitLabel(u, unit) + ", " + optionLabel(o, option) + ": kl is " + std::to_string(option.kl) +
                               ", expected a finite value >= 0 (or unknown)");
            unitMaxBytes = std::max(unitMaxBytes, option.bytes);
            unitMaxDamage = std::max(unitMaxDamage, option.damage);
        }
        if (!addChecked(maxBytes, unitMaxBytes))
            return invalid(unitLabel(u, unit) + ": the total of the largest options overflows 64-bit bytes");
        if (!addChecked(weights, unit.weights)) return invalid(unitLabel(u, unit) + ": the total weight count overflows 64 bits");
        maxDamage += unitMaxDamage;
    }
    // Totals are summed in 2^-64 fixed point (solver.cpp), which holds up to 2^62.
    if (!(maxDamage <= kMaxTotalDamage))
        return invalid("the total of the largest damages is " + std::to_string(maxDamage) + ", expected at most 1e15");
    return {};
}

int64_t totalWeights(const OptionTable& table)
{
    int64_t w = table.fixedWeights;
    for (const Unit& unit : table.units) w += unit.weights;
    return w;
}

std::string optionTableToJson(const OptionTable& table, int indent)
{
    nlohmann::json units = nlohmann::json::array();
    for (const Unit& unit : table.units) {
        nlohmann::json options = nlohmann::json::array();
        for (const Option& o : unit.options)
            options.push_back({{"scheme", o.scheme},
                               {"bytes", o.bytes},
                               {"damage", o.damage},
                               {"kl", o.hasKl() ? nlohmann::json(o.kl) : nlohmann::json(nullptr)}});
        units.push_back({{"name", unit.name},       {"tensor", unit.tensor},   {"layer", unit.layer},
                         {"kind", unit.kind},       {"weights", unit.weights}, {"pinned", unit.pinned},
                         {"options", std::move(options)}});
    }
    const nlohmann::json doc = {{"format", kJsonFormat},
                                {"version", kVersion},
                                {"fixed_bytes", table.fixedBytes},
                                {"fixed_weights", table.fixedWeights},
                                {"units", std::move(units)}};
    // Invalid UTF-8 in a name is replaced rather than thrown on.
    return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<OptionTable> parseOptionTableJson(std::string_view text, const std::string& where)
{
    PRECIS_TRY_ASSIGN(const nlohmann::json doc, hf::parseJsonStrict(std::string(text), where));
    if (!doc.is_object()) return jsonError(where, "(top level)", "an object");
    PRECIS_TRY_ASSIGN(const std::string format, stringField(doc, "format", where, ""));
    if (format != kJsonFormat)
        return jsonError(where, "format", std::string("\"") + kJsonFormat + "\", found \"" + format + "\"");
    PRECIS_TRY_ASSIGN(const int64_t version, intField(doc, "version", where, ""));
    if (version < kFirstVersion || version > kVersion)
        return makeError(ErrorCode::Unsupported, where,
                         "version " + std::to_string(version) + " is not supported (expected 1 to " +
                             std::to_string(kVersion) + ")");
    OptionTable table;
    PRECIS_TRY_ASSIGN(table.fixedBytes, intField(doc, "fixed_bytes", where, ""));
    PRECIS_TRY_ASSIGN(table.fixedWeights, intField(doc, "fixed_weights", where, ""));
    PRECIS_TRY_ASSIGN(const nlohmann::json* units, member(doc, "units", where, ""));
    if (!units->is_array()) return jsonError(where, "units", "an array");
    table.units.reserve(units->size());
    for (size_t u = 0; u < units->size(); ++u) {
        const std::string path = "units[" + std::to_string(u) + "].";
        const nlohmann::json& ju = (*units)[u];
        if (!ju.is_object()) return jsonError(where, path.substr(0, path.size() - 1), "an object");
        Unit unit;
        PRECIS_TRY_ASSIGN(unit.name, stringField(ju, "name", where, path));
        PRECIS_TRY_ASSIGN(unit.tensor, stringField(ju, "tensor", where, path));
        PRECIS_TRY_ASSIGN(unit.layer, smallIntField(ju, "layer", where, path));
        PRECIS_TRY_ASSIGN(unit.kind, stringField(ju, "kind", where, path));
        PRECIS_TRY_ASSIGN(unit.weights, intField(ju, "weights", where, path));
        PRECIS_TRY_ASSIGN(unit.pinned, smallIntField(ju, "pinned", where, path));
        PRECIS_TRY_ASSIGN(const nlohmann::json* options, member(ju, "options", where, path));
        if (!options->is_array()) return jsonError(where, path + "options", "an array");
        unit.options.reserve(options->size());
        for (size_t o = 0; o < options->size(); ++o) {
            const std::string opath = path + "options[" + std::to_string(o) + "].";
            const nlohmann::json& jo = (*options)[o];
            if (!jo.is_object()) return jsonError(where, opath.substr(0, opath.size() - 1), "an object");
            Option option;
            PRECIS_TRY_ASSIGN(option.scheme, stringField(jo, "scheme", where, opath));
            PRECIS_TRY_ASSIGN(option.bytes, intField(jo, "bytes", where, opath));
            PRECIS_TRY_ASSIGN(const nlohmann::json* damage, member(jo, "damage", where, opath));
            if (!damage->is_number()) return jsonError(where, opath + "damage", "a number");
            option.damage = damage->get<double>();
            if (const auto kl = jo.find("kl"); kl != jo.end() && !kl->is_null()) {
                if (!kl->is_number()) return jsonError(where, opath + "kl", "a number or null");
                option.kl = kl->get<double>();
            }
            unit.options.push_back(std::move(option));
        }
        table.units.push_back(std::move(unit));
    }
    if (auto r = validate(table); !r.ok()) return makeError(ErrorCode::Format, where, r.error().message);
    return table;
}

std::vector<std::byte> serializeOptionTable(const OptionTable& table)
{
    Writer w;
    for (char c : kMagic) w.put(c);
    w.put(kVersion);
    w.put(table.fixedBytes);
    w.put(table.fixedWeights);
    w.put(uint32_t(table.units.size()));
    for (const Unit& unit : table.units) {
        w.str(unit.name);
        w.str(unit.tensor);
        w.put(int32_t(unit.layer));
        w.str(unit.kind);
        w.put(unit.weights);
        w.put(int32_t(unit.pinned));
        w.put(uint32_t(unit.options.size()));
        for (const Option& o : unit.options) {
            w.str(o.scheme);
            w.put(o.bytes);
            w.put(o.damage);
            w.put(o.kl);
        }
    }
    return w.finish();
}

Result<OptionTable> parseOptionTable(std::span<const std::byte> bytes, const std::string& where)
{
    if (bytes.size() < 8 + 4 + 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
        return makeError(ErrorCode::Format, where, "not a Precis option table (expected the magic \"PRECISOT\")");
    Fnv f;
    f.add(bytes.data(), bytes.size() - 8);
    uint64_t stored;
    std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
    Reader r(bytes.subspan(8, bytes.size() - 16), where);
    PRECIS_TRY_ASSIGN(const uint32_t version, r.read<uint32_t>("version"));
    if (version < kFirstVersion || version > kVersion)
        return makeError(ErrorCode::Unsupported, where,
                         "version " + std::to_string(version) + " is not supported (expected 1 to " +
                             std::to_string(kVersion) + ")");
    if (stored != f.h) return makeError(ErrorCode::Format, where, "checksum mismatch: the data is damaged");
    OptionTable table;
    PRECIS_TRY_ASSIGN(table.fixedBytes, r.read<int64_t>("fixed_bytes"));
    PRECIS_TRY_ASSIGN(table.fixedWeights, r.read<int64_t>("fixed_weights"));
    PRECIS_TRY_ASSIGN(const uint32_t nUnits, r.read<uint32_t>("n_units"));
    // A unit needs at least 32 bytes and an option 16 (24 from version 2): bound counts before reserving.
    const size_t optionBytes = version >= 2 ? 24 : 16;
    if (nUnits > r.remaining() / 32)
        return r.error("n_units", std::to_string(nUnits) + " units cannot fit in the " + std::to_string(r.remaining()) +
                                      " bytes that remain");
    table.units.reserve(nUnits);
    for (uint32_t u = 0; u < nUnits; ++u) {
        const std::string field = "unit " + std::to_string(u);
        Unit unit;
        PRECIS_TRY_ASSIGN(unit.name, r.str(field + " name"));
        PRECIS_TRY_ASSIGN(unit.tensor, r.str(field + " tensor"));
        PRECIS_TRY_ASSIGN(unit.layer, r.read<int32_t>(field + " layer"));
        PRECIS_TRY_ASSIGN(unit.kind, r.str(field + " kind"));
        PRECIS_TRY_ASSIGN(unit.weights, r.read<int64_t>(field + " weights"));
        PRECIS_TRY_ASSIGN(unit.pinned, r.read<int32_t>(field + " pinned"));
        PRECIS_TRY_ASSIGN(const uint32_t nOptions, r.read<uint32_t>(field + " n_options"));
        if (nOptions > r.remaining() / optionBytes)
            return r.error(field + " n_options", std::to_string(nOptions) + " options cannot fit in the " +
                                                     std::to_string(r.remaining()) + " bytes that remain");
        unit.options.resize(nOptions);
        for (uint32_t o = 0; o < nOptions; ++o) {
            const std::string ofield = field + " option " + std::to_string(o);
            PRECIS_TRY_ASSIGN(unit.options[o].scheme, r.str(ofield + " scheme"));
            PRECIS_TRY_ASSIGN(unit.options[o].bytes, r.read<int64_t>(ofield + " bytes"));
            PRECIS_TRY_ASSIGN(unit.options[o].damage, r.read<double>(ofield + " damage"));
            if (version >= 2) {
                PRECIS_TRY_ASSIGN(unit.options[o].kl, r.read<double>(ofield + " kl"));
            }
        }
        table.units.push_back(std::move(unit));
    }
    if (r.remaining() != 0) return r.error("end", std::to_string(r.remaining()) + " unexpected bytes before the checksum");
    if (auto v = validate(table); !v.ok()) return makeError(ErrorCode::Format, where, v.error().message);
    return table;
}

uint64_t optionTableFingerprint(const OptionTable& table)
{
    const std::vector<std::byte> blob = serializeOptionTable(table);
    uint64_t h;
    std::memcpy(&h, blob.data() + blob.size() - 8, 8);
    return h;
}

std::optional<double> predictedDamage(const OptionTable& table, const std::string& tensor, const std::string& scheme)
{
    for (const Unit& u : table.units) {
        if (u.name != tensor || u.tensor != tensor) continue;
        for (const Option& o : u.options)
            if (o.scheme == scheme) return o.damage;
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace precis
