// safetensors reader. The header is parsed with a SAX handler straight into
// SafetensorsEntry records (no JSON DOM), so memory stays a small multiple of
// the header size, which is itself capped at 100 MB before anything is read.
#include "formats/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <unordered_set>

namespace precis::hf {

using nlohmann::json;

namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;
constexpr size_t kMaxDepth = 64;
constexpr size_t kMaxRank = 16;

struct DtypeInfo {
    const char* name;
    int size;                    // bytes per element
    std::optional<DType> dtype;  // Precis dtype, if we have one
    bool supported;              // F32/F16/BF16: usable as model weights
};

// The dtype spellings of the safetensors spec (safetensors/src/tensor.rs, enum Dtype).
const DtypeInfo kDtypes[] = {
    {"F32", 4, DType::F32, true},   {"F16", 2, DType::F16, true},  {"BF16", 2, DType::BF16, true},
    {"F64", 8, DType::F64, false},  {"I64", 8, DType::I64, false}, {"I32", 4, DType::I32, false},
    {"I16", 2, DType::I16, false},  {"I8", 1, DType::I8, false},   {"U64", 8, std::nullopt, false},
    {"U32", 4, std::nullopt, false}, {"U16", 2, std::nullopt, false}, {"U8", 1, std::nullopt, false},
    {"BOOL", 1, std::nullopt, false}, {"F8_E4M3", 1, std::nullopt, false}, {"F8_E5M2", 1, std::nullopt, false},
};

const DtypeInfo* findDtype(const std::string& s)
{
    for (const auto& d : kDtypes)
        if (s == d.name)
            return &d;
    return nullptr;
}

// Offset of the first byte that is not part of well-formed UTF-8 (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or npos.
size_t invalidUtf8Offset(const unsigned char* s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const unsigned c = s[i];
        if (c < 0x80) { ++i; continue; }
        size_t len;
        unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c == 0xE0) { len = 3; lo = 0xA0; }
        else if (c == 0xED) { len = 3; hi = 0x9F; }
        else if (c >= 0xE1 && c <= 0xEF) len = 3;
        else if (c == 0xF0) { len = 4; lo = 0x90; }
        else if (c == 0xF4) { len = 4; hi = 0x8F; }
        else if (c >= 0xF1 && c <= 0xF3) len = 4;
        else return i;
        if (i + len > n) return i;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; ++k)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += len;
    }
    return std::string::npos;
}

std::string cleanJsonMessage(const char* what)
{
    // "[json.exception.parse_error.101] parse error at ..." -> "parse error at ..."
    std::string m = what;
    if (!m.empty() && m[0] == '[') {
        const size_t p = m.find("] ");
        if (p != std::string::npos) m.erase(0, p + 2);
    }
    return m;
}

// SAX handler for the header object. Every event returns false after storing an
// Error, which stops the parser at once.
class HeaderSax {
public:
    HeaderSax(std::string path, uint64_t dataStart, uint64_t dataSize)
        : m_path(std::move(path)), m_dataStart(dataStart), m_dataSize(dataSize) {}

    std::vector<SafetensorsEntry> entries;
    std::vector<std::pair<std::string, std::string>> metadata;
    std::optional<Error> error;

    bool null() { return scalar("null"); }
    bool boolean(bool) { return scalar("a boolean"); }
    bool number_integer(json::number_integer_t v) { return number(v < 0, uint64_t(v), "a negative number"); }
    bool number_unsigned(json::number_unsigned_t v) { return number(false, v, nullptr); }
    bool number_float(json::number_float_t, const json::string_t&) { return scalar("a non-integer number"); }
    bool binary(json::binary_t&) { return scalar("binary data"); }
    bool string(json::string_t& s)
    {
        switch (role()) {
        case Role::Metadata: metadata.emplace_back(m_key, s); return true;
        case Role::Tensor:
            if (m_key == "dtype") { m_entry.fileDtype = s; m_haveDtype = true; return true; }
            return scalar("a string");
        default: return scalar("a string");
        }
    }
    bool start_object(size_t) { return open(true); }
    bool start_array(size_t) { return open(false); }
    bool end_array() { m_stack.pop_back(); return true; }
    bool end_object()
    {
        const Role r = role();
        m_stack.pop_back();
        if (r == Role::Tensor) return finishTensor();
        return true;
    }
    bool key(json::string_t& k)
    {
        m_key = k;
        const Role r = role();
        if (r == Role::Root) {
            if (k.empty()) return fail(m_path, "the header has an empty tensor name");
            if (!m_names.insert(k).second)
                return fail(where(k), "duplicate tensor name in the header");
        } else if (r == Role::Metadata || r == Role::Tensor) {
            if (!m_fieldKeys.insert(k).second)
                return fail(r == Role::Metadata ? m_path + ": __metadata__" : where(m_entry.name),
                            "duplicate key '" + k + "'");
        }
        return true;
    }
    bool parse_error(size_t, const std::string&, const json::exception& ex)
    {
        if (!error) error = makeError(ErrorCode::Format, m_path, "header JSON: " + cleanJsonMessage(ex.what()));
        return false;
    }

private:
    enum class Role { Root, Metadata, Tensor, Shape, Offsets, Ignored };

    Role role() const { return m_stack.empty() ? Role::Ignored : m_stack.back(); }
    std::string where(const std::string& name) const { return m_path + ": tensor '" + name + "'"; }

    bool fail(std::string where, std::string message)
    {
        if (!error) error = makeError(ErrorCode::Format, std::move(where), std::move(message));
        return false;
    }

    // A scalar of kind `what` arrived where the current container allows none.
    bool scalar(const char* what)
    {
        switch (role()) {
        case Role::Ignored: return !m_stack.empty() || topLevelValue(what);
        case Role::Root: return fail(where(m_key), std::string("expected an object, found ") + what);
        case Role::Metadata: return fail(m_path + ": __metadata__ '" + m_key + "'",
                                         std::string("expected a string value, found ") + what);
        case Role::Tensor:
            if (m_key == "dtype" || m_key == "shape" || m_key == "data_offsets")
                return fail(where(m_entry.name), "field '" + m_key + "' has the wrong type (" + what + ")");
            return true;  // unknown field: ignored
        case Role::Shape:
        case Role::Offsets:
            return fail(where(m_entry.name), std::string("field '") + (role() == Role::Shape ? "shape" : "data_offsets") +
                                                 "' must hold non-negative integers, found " + what);
        }
        return true;
    }
    bool topLevelValue(const char* what) { return fail(m_path, std::string("the header is not a JSON object but ") + what); }

    bool number(bool negative, uint64_t v, const char* what)
    {
        const Role r = role();
        if (r != Role::Shape && r != Role::Offsets)
            return scalar(negative ? what : "a number");
        if (negative)
            return fail(where(m_entry.name), std::string(r == Role::Shape ? "shape" : "data_offsets") + " holds the negative value " +
                                                 std::to_string(int64_t(v)));
        if (r == Role::Shape) {
            if (m_entry.shape.size() >= kMaxRank)
                return fail(where(m_entry.name), "shape has more than " + std::to_string(kMaxRank) + " dimensions");
            if (v > uint64_t(INT64_MAX))
                return fail(where(m_entry.name), "shape dimension " + std::to_string(v) + " is out of range");
            m_entry.shape.push_back(int64_t(v));
        } else {
            if (m_offsets.size() >= 2)
                return fail(where(m_entry.name), "data_offsets has more than 2 values, expected [begin, end]");
            m_offsets.push_back(v);
        }
        return true;
    }

    bool open(bool object)
    {
        if (m_stack.size() >= kMaxDepth)
            return fail(m_path, "the header nests deeper than " + std::to_string(kMaxDepth) + " levels");
        Role next = Role::Ignored;
        switch (role()) {
        case Role::Ignored:
            if (m_stack.empty()) {
                if (!object) return topLevelValue("an array");
                if (m_seenRoot) return fail(m_path, "the header holds more than one JSON value");
                m_seenRoot = true;
                next = Role::Root;
            }
            break;
        case Role::Root:
            if (!object) return fail(where(m_key), "expected an object, found an array");
            m_fieldKeys.clear();
            if (m_key == "__metadata__") {
                next = Role::Metadata;
            } else {
                next = Role::Tensor;
                m_entry = SafetensorsEntry{};
                m_entry.name = m_key;
                m_offsets.clear();
                m_haveDtype = m_haveShape = m_haveOffsets = false;
            }
            break;
        case Role::Metadata:
            return fail(m_path + ": __metadata__ '" + m_key + "'",
                        std::string("expected a string value, found ") + (object ? "an object" : "an array"));
        case Role::Tensor:
            if (!object && m_key == "shape") { next = Role::Shape; m_haveShape = true; }
            else if (!object && m_key == "data_offsets") { next = Role::Offsets; m_haveOffsets = true; }
            else if (m_key == "dtype" || m_key == "shape" || m_key == "data_offsets")
                return fail(where(m_entry.name), "field '" + m_key + "' has the wrong type");
            break;
        case Role::Shape:
        case Role::Offsets:
            return fail(where(m_entry.name), "field '" + std::string(role() == Role::Shape ? "shape" : "data_offsets") +
                                                 "' must hold non-negative integers, found a nested " +
                                                 (object ? "object" : "array"));
        }
        m_stack.push_back(next);
        return true;
    }

    bool finishTensor()
    {
        SafetensorsEntry& e = m_entry;
        const std::string w = where(e.name);
        if (!m_haveDtype) return fail(w, "field 'dtype' is missing");
        if (!m_haveShape) return fail(w, "field 'shape' is missing");
        if (!m_haveOffsets) return fail(w, "field 'data_offsets' is missing");
        const DtypeInfo* d = findDtype(e.fileDtype);
        if (!d)
            return fail(w, "dtype '" + e.fileDtype + "' is not a safetensors dtype (expected F32, F16 or BF16)");
        e.supported = d->supported;
        e.dtype = d->dtype.value_or(DType::F32);
        if (m_offsets.size() != 2)
            return fail(w, "data_offsets has " + std::to_string(m_offsets.size()) + " values, expected [begin, end]");
        uint64_t numel = 1;
        for (int64_t dim : e.shape)
            if (__builtin_mul_overflow(numel, uint64_t(dim), &numel))
                return fail(w, "shape " + shapeString(e.shape) + " overflows 64 bits");
        uint64_t bytes = 0;
        if (__builtin_mul_overflow(numel, uint64_t(d->size), &bytes) || bytes > uint64_t(INT64_MAX))
            return fail(w, "shape " + shapeString(e.shape) + " overflows 64 bits");
        const uint64_t b = m_offsets[0], en = m_offsets[1];
        if (b > en)
            return fail(w, "data_offsets [" + std::to_string(b) + ", " + std::to_string(en) + "] has begin > end");
        if (en > m_dataSize)
            return fail(w, "data_offsets end " + std::to_string(en) + " lies beyond the data section of " +
                               std::to_string(m_dataSize) + " bytes");
        if (en - b != bytes)
            return fail(w, "data_offsets [" + std::to_string(b) + ", " + std::to_string(en) + "] span " +
                               std::to_string(en - b) + " bytes, expected " + std::to_string(bytes) + " for " +
                               e.fileDtype + " " + shapeString(e.shape));
        e.begin = m_dataStart + b;
        e.end = m_dataStart + en;
        entries.push_back(std::move(e));
        return true;
    }

    std::string m_path;
    uint64_t m_dataStart, m_dataSize;
    std::vector<Role> m_stack;
    std::string m_key;
    std::unordered_set<std::string> m_names, m_fieldKeys;
    SafetensorsEntry m_entry;
    std::vector<uint64_t> m_offsets;
    bool m_haveDtype = false, m_haveShape = false, m_haveOffsets = false, m_seenRoot = false;
};

} // namespace

int64_t SafetensorsEntry::numel() const
{
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

const SafetensorsEntry* SafetensorsFile::find(const std::string& name) const
{
    auto it = index.find(name);
    return it == index.end() ? nullptr : &entries[it->second];
}

Result<SafetensorsFile> SafetensorsFile::open(const std::string& path)
{
    PRECIS_TRY_ASSIGN(auto mapping, MappedFile::open(path));
    const uint64_t size = mapping->size();
    if (size < 8)
        return makeError(ErrorCode::Format, path,
                         "file is " + std::to_string(size) + " bytes, too short for the 8-byte header length");
    const auto* bytes = reinterpret_cast<const unsigned char*>(mapping->data());
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];  // little-endian u64
    if (n > size - 8)
        return makeError(ErrorCode::Format, path,
                         "header length " + std::to_string(n) + " exceeds the " + std::to_string(size - 8) +
                             " bytes that follow it (file size " + std::to_string(size) + ")");
    if (n > kMaxHeaderBytes)
        return makeError(ErrorCode::Format, path,
                         "header length " + std::to_string(n) + " exceeds the limit of " +
                             std::to_string(kMaxHeaderBytes) + " bytes");
    if (n < 2)
        return makeError(ErrorCode::Format, path, "header length " + std::to_string(n) + " is too small for a JSON object");
    const unsigned char* header = bytes + 8;
    if (header[0] != '{')
        return makeError(ErrorCode::Format, path, "header does not start with '{'");
    const size_t bad = invalidUtf8Offset(header, size_t(n));
    if (bad != std::string::npos)
        return makeError(ErrorCode::Format, path,
                         "header holds invalid UTF-8 at byte " + std::to_string(8 + bad) + " (value 0x" +
                             [&] { char b[3]; std::snprintf(b, 3, "%02X", header[bad]); return std::string(b); }() + ")");

    HeaderSax sax(path, 8 + n, size - 8 - n);
    bool ok = false;
    try {
        const char* first = reinterpret_cast<const char*>(header);
        ok = json::sax_parse(first, first + n, &sax);
    } catch (const std::exception& ex) {
        if (!sax.error) sax.error = makeError(ErrorCode::Format, path, "header JSON: " + cleanJsonMessage(ex.what()));
    }
    if (sax.error) return *sax.error;
    if (!ok) return makeError(ErrorCode::Format, path, "header JSON could not be parsed");

    SafetensorsFile f;
    f.entries = std::move(sax.entries);
    f.metadata = std::move(sax.metadata);
    std::sort(f.entries.begin(), f.entries.end(),
              [](const SafetensorsEntry& a, const SafetensorsEntry& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    const SafetensorsEntry* prev = nullptr;
    for (const auto& e : f.entries) {
        if (e.begin == e.end) continue;  // empty tensors occupy no bytes
        if (prev && e.begin < prev->end)
            return makeError(ErrorCode::Format, path + ": tensor '" + e.name + "'",
                             "data [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                                 ") overlaps tensor '" + prev->name + "' [" + std::to_string(prev->begin) + ", " +
                                 std::to_string(prev->end) + ") (absolute file offsets)");
        prev = &e;
    }
    f.index.reserve(f.entries.size());
    for (size_t i = 0; i < f.entries.size(); ++i) f.index.emplace(f.entries[i].name, i);
    f.mapping = std::move(mapping);
    return f;
}

namespace {
struct StrictJsonError {
    std::string message;
};
} // namespace

Result<json> parseJsonStrict(const std::string& text, const std::string& where)
{
    constexpr int kMaxJsonDepth = 256;
    std::vector<std::unordered_set<std::string>> keys;  // one set per open object
    auto callback = [&](int depth, json::parse_event_t ev, json& parsed) -> bool {
        switch (ev) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
            if (depth >= kMaxJsonDepth)
                throw StrictJsonError{"nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
            if (ev == json::parse_event_t::object_start) keys.emplace_back();
            break;
        case json::parse_event_t::object_end:
            if (!keys.empty()) keys.pop_back();
            break;
        case json::parse_event_t::key:
            if (!keys.empty() && parsed.is_string() && !keys.back().insert(parsed.get_ref<const std::string&>()).second)
                throw StrictJsonError{"duplicate key '" + parsed.get_ref<const std::string&>() + "'"};
            break;
        default:
            break;
        }
        return true;
    };
    try {
        return json::parse(text, callback);
    } catch (const StrictJsonError& e) {
        return makeError(ErrorCode::Format, where, e.message);
    } catch (const json::exception& e) {
        return makeError(ErrorCode::Format, where, cleanJsonMessage(e.what()));
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Format, where, e.what());
    }
}

} // namespace precis::hf
