// GGUF reader: header validation and metadata values (format in gguf.h).
//
// File::open checks, in file order and before allocating anything whose size
// comes from the file:
//   - magic "GGUF", version 2 or 3 (v1 used 32-bit counts and is not read);
//   - n_kv and n_tensors against the bytes left (a key/value pair takes at least
//     13 bytes, a tensor info at least 32), so absurd counts fail at once;
//   - every string length and array length against the bytes left; value and
//     element types 0..12; bool bytes 0 or 1; arrays nested at most
//     kMaxArrayDepth levels; at most kMaxArrayElements array elements in all
//     (each element becomes one Value, ~90 bytes, so this caps memory at
//     ~370 MiB; the largest real vocabularies need ~1.5M);
//   - keys and tensor names valid UTF-8 and unique;
//   - general.alignment: u32, a non-zero power of two (default 32, ggml's
//     GGML_DEFAULT_ALIGNMENT);
//   - tensors: n_dims 1..4 (GGML_MAX_DIMS), every ne[i] in 1..INT64_MAX, the
//     element count and byte size without overflow, a known ggml type, ne[0] a
//     multiple of the block size, offset a multiple of the alignment, data
//     inside the file, and no two tensors overlapping.
#include "formats/gguf.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <unordered_map>

namespace precis::gguf {

static_assert(std::endian::native == std::endian::little, "the GGUF reader assumes a little-endian host");

namespace {

constexpr uint64_t kDefaultAlignment = 32;
constexpr int kMaxArrayDepth = 8;
constexpr uint64_t kMaxArrayElements = uint64_t(1) << 22;
constexpr uint32_t kMaxDims = 4;
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;          // empty key, type, 1-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // empty name, n_dims, ne[0], type, offset

const char* typeName(ValueType t)
{
    static const char* names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                  "bool", "string", "array", "u64", "i64", "f64"};
    const auto i = uint32_t(t);
    return i < 13 ? names[i] : "invalid";
}

// Smallest encoding of one value of type t (strings: the u64 length; arrays:
// element type + count).
uint64_t minValueBytes(ValueType t)
{
    switch (t) {
    case ValueType::Uint8: case ValueType::Int8: case ValueType::Bool: return 1;
    case ValueType::Uint16: case ValueType::Int16: return 2;
    case ValueType::Uint32: case ValueType::Int32: case ValueType::Float32: return 4;
    case ValueType::Uint64: case ValueType::Int64: case ValueType::Float64: case ValueType::String: return 8;
    case ValueType::Array: return 12;
    }
    return 1;
}

// Returns the byte index of the first invalid UTF-8 sequence, or -1 (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF).
int64_t firstInvalidUtf8(const std::string& s)
{
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const unsigned c = p[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return int64_t(i);
        if (i + len > n) return int64_t(i);
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return int64_t(i);
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return int64_t(i);
        i += len;
    }
    return -1;
}

std::string hexByte(unsigned char c)
{
    static const char* digits = "0123456789abcdef";
    return std::string("0x") + digits[c >> 4] + digits[c & 15];
}

// A name safe to show in a message: invalid bytes as \xNN.
std::string printable(const std::string& s)
{
    const bool validUtf8 = firstInvalidUtf8(s) < 0;
    std::string out;
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && !validUtf8))
            out += "\\x" + hexByte(c).substr(2);
        else
            out += char(c);
    }
    return out;
}

class Parser {
public:
    explicit Parser(const MappedFile& f)
        : m_path(f.path()), m_data(reinterpret_cast<const unsigned char*>(f.data())), m_size(f.size()) {}

    uint64_t pos() const { return m_pos; }
    uint64_t remaining() const { return m_size - m_pos; }
    const std::string& path() const { return m_path; }

    Error error(const std::string& where, const std::string& message) const
    {
        return makeError(ErrorCode::Format, where.empty() ? m_path : m_path + ": " + where, message);
    }

    template <typename T>
    Result<T> read(const std::string& where, const char* what)
    {
        if (remaining() < sizeof(T))
            return error(where, "file ends at byte " + std::to_string(m_size) + " while reading " + what +
                                    " (" + std::to_string(sizeof(T)) + " bytes at offset " + std::to_string(m_pos) + ")");
        T v;
        std::memcpy(&v, m_data + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }

    Result<std::string> readString(const std::string& where, const char* what)
    {
        PRECIS_TRY_ASSIGN(const uint64_t len, read<uint64_t>(where, what));
        if (len > remaining())
            return error(where, std::string(what) + " length " + std::to_string(len) + " exceeds the " +
                                    std::to_string(remaining()) + " bytes left in the file");
        std::string s(reinterpret_cast<const char*>(m_data + m_pos), size_t(len));
        m_pos += len;
        return s;
    }

    Result<ValueType> readType(const std::string& where, const char* what)
    {
        PRECIS_TRY_ASSIGN(const uint32_t t, read<uint32_t>(where, what));
        if (t > uint32_t(ValueType::Float64))
            return error(where, std::string(what) + " " + std::to_string(t) + " is invalid, expected 0..12");
        return ValueType(t);
    }

    Result<Value> readValue(ValueType type, int depth, const std::string& where)
    {
        Value v;
        v.type = type;
        switch (type) {
        case ValueType::Uint8: { PRECIS_TRY_ASSIGN(v.i, read<uint8_t>(where, "u8 value")); break; }
        case ValueType::Int8: { PRECIS_TRY_ASSIGN(v.i, read<int8_t>(where, "i8 value")); break; }
        case ValueType::Uint16: { PRECIS_TRY_ASSIGN(v.i, read<uint16_t>(where, "u16 value")); break; }
        case ValueType::Int16: { PRECIS_TRY_ASSIGN(v.i, read<int16_t>(where, "i16 value")); break; }
        case ValueType::Uint32: { PRECIS_TRY_ASSIGN(v.i, read<uint32_t>(where, "u32 value")); break; }
        case ValueType::Int32: { PRECIS_TRY_ASSIGN(v.i, read<int32_t>(where, "i32 value")); break; }
        case ValueType::Uint64: {
            PRECIS_TRY_ASSIGN(const uint64_t u, read<uint64_t>(where, "u64 value"));
            v.i = int64_t(u);  // keeps the bits; asInt() refuses values above INT64_MAX
            break;
        }
        case ValueType::Int64: { PRECIS_TRY_ASSIGN(v.i, read<int64_t>(where, "i64 value")); break; }
        case ValueType::Float32: { PRECIS_TRY_ASSIGN(v.f, read<float>(where, "f32 value")); break; }
        case ValueType::Float64: { PRECIS_TRY_ASSIGN(v.f, read<double>(where, "f64 value")); break; }
        case ValueType::Bool: {
            PRECIS_TRY_ASSIGN(const uint8_t b, read<uint8_t>(where, "bool value"));
            if (b > 1)
                return error(where, "bool value " + std::to_string(b) + ", expected 0 or 1");
            v.i = b;
            break;
        }
        case ValueType::String: { PRECIS_TRY_ASSIGN(v.s, readString(where, "string value")); break; }
        case ValueType::Array: {
            if (depth >= kMaxArrayDepth)
                return error(where, "arrays nested more than " + std::to_string(kMaxArrayDepth) + " levels deep");
            PRECIS_TRY_ASSIGN(v.elemType, readType(where, "array element type"));
            PRECIS_TRY_ASSIGN(const uint64_t n, read<uint64_t>(where, "array length"));
            const uint64_t minBytes = minValueBytes(v.elemType);
            if (n > remaining() / minBytes)
                return error(where, "array of " + std::to_string(n) + " " + typeName(v.elemType) +
                                        " elements cannot fit in the " + std::to_string(remaining()) +
                                        " bytes left in the file");
            if (n > m_elementsLeft)
                return error(where, "metadata arrays hold more than " + std::to_string(kMaxArrayElements) +
                                        " elements in total (limit of this reader)");
            m_elementsLeft -= n;
            v.arr.reserve(size_t(n));
            for (uint64_t k = 0; k < n; ++k) {
                PRECIS_TRY_ASSIGN(Value e, readValue(v.elemType, depth + 1, where));
                v.arr.push_back(std::move(e));
            }
            break;
        }
        }
        return v;
    }

private:
    std::string m_path;
    const unsigned char* m_data;
    uint64_t m_size;
    uint64_t m_pos = 0;
    uint64_t m_elementsLeft = kMaxArrayElements;
};

std::string quoted(const std::string& s) { return "'" + printable(s) + "'"; }

Result<void> readTensorInfos(Parser& p, File& file, uint64_t nTensors)
{
    if (nTensors > p.remaining() / kMinTensorInfoBytes)
        return p.error("", "n_tensors = " + std::to_string(nTensors) + " tensor infos cannot fit in the " +
                               std::to_string(p.remaining()) + " bytes left after the metadata");
    file.tensors.reserve(size_t(nTensors));
    std::unordered_map<std::string, uint64_t> seen;
    for (uint64_t t = 0; t < nTensors; ++t) {
        const std::string idx = "tensor #" + std::to_string(t);
        TensorInfo info;
        PRECIS_TRY_ASSIGN(info.name, p.readString(idx, "tensor name"));
        if (const int64_t bad = firstInvalidUtf8(info.name); bad >= 0)
            return p.error(idx, "tensor name " + quoted(info.name) + " is not valid UTF-8 (byte " +
                                    hexByte(uint8_t(info.name[size_t(bad)])) + " at position " + std::to_string(bad) + ")");
        const std::string where = "tensor " + quoted(info.name);
        if (auto [it, inserted] = seen.emplace(info.name, t); !inserted)
            return p.error(where, "duplicate tensor name (first as tensor #" + std::to_string(it->second) + ")");
        PRECIS_TRY_ASSIGN(const uint32_t nDims, p.read<uint32_t>(where, "n_dims"));
        if (nDims < 1 || nDims > kMaxDims)
            return p.error(where, "n_dims = " + std::to_string(nDims) + ", expected 1.." + std::to_string(kMaxDims));
        uint64_t ne[kMaxDims] = {};
        int64_t numel = 1;
        for (uint32_t d = 0; d < nDims; ++d) {
            const std::string field = "ne[" + std::to_string(d) + "]";
            PRECIS_TRY_ASSIGN(ne[d], p.read<uint64_t>(where, field.c_str()));
            if (ne[d] == 0 || ne[d] > uint64_t(INT64_MAX))
                return p.error(where, field + " = " + std::to_string(ne[d]) + ", expected 1.." + std::to_string(INT64_MAX));
            if (__builtin_mul_overflow(numel, int64_t(ne[d]), &numel))
                return p.error(where, "element count (product of ne[0.." + std::to_string(nDims - 1) + "]) overflows int64");
        }
        PRECIS_TRY_ASSIGN(const uint32_t ggmlType, p.read<uint32_t>(where, "ggml type"));
        const auto traits = dtypeTraits(ggmlType);
        if (!traits)
            return p.error(where, "ggml type " + std::to_string(ggmlType) + " is not a known tensor type");
        info.dtype = traits->type;
        if (ne[0] % uint64_t(traits->blockSize) != 0)
            return p.error(where, "row size ne[0] = " + std::to_string(ne[0]) + " is not a multiple of the " +
                                      std::string(traits->name) + " block size " + std::to_string(traits->blockSize));
        const uint64_t rowBytes = *dtypeRowBytes(info.dtype, ne[0]);
        const uint64_t nRows = uint64_t(numel) / ne[0];
        if (__builtin_mul_overflow(rowBytes, nRows, &info.nbytes))
            return p.error(where, "byte size overflows 64 bits");
        PRECIS_TRY_ASSIGN(info.offset, p.read<uint64_t>(where, "data offset"));
        for (uint32_t d = nDims; d-- > 0;)
            info.shape.push_back(int64_t(ne[d]));
        file.tensors.push_back(std::move(info));
    }
    return {};
}

Result<void> checkTensorData(const Parser& p, const File& file, uint64_t fileSize)
{
    const uint64_t dataSize = fileSize > file.dataOffset ? fileSize - file.dataOffset : 0;
    std::vector<size_t> order;
    for (size_t i = 0; i < file.tensors.size(); ++i) {
        const TensorInfo& t = file.tensors[i];
        const std::string where = "tensor " + quoted(t.name);
        if (t.offset % file.alignment != 0)
            return p.error(where, "offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                                      std::to_string(file.alignment));
        if (t.offset > dataSize || t.nbytes > dataSize - t.offset)
            return p.error(where, "data at offset " + std::to_string(t.offset) + " (" + std::to_string(t.nbytes) +
                                      " bytes) extends past the end of the data section, which holds " +
                                      std::to_string(dataSize) + " bytes");
        order.push_back(i);
    }
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return file.tensors[a].offset < file.tensors[b].offset; });
    for (size_t k = 1; k < order.size(); ++k) {
        const TensorInfo& prev = file.tensors[order[k - 1]];
        const TensorInfo& cur = file.tensors[order[k]];
        if (cur.offset < prev.offset + prev.nbytes)
            return p.error("tensor " + quoted(cur.name),
                           "data [" + std::to_string(cur.offset) + ", " + std::to_string(cur.offset + cur.nbytes) +
                               ") overlaps tensor " + quoted(prev.name) + " [" + std::to_string(prev.offset) + ", " +
                               std::to_string(prev.offset + prev.nbytes) + ")");
    }
    return {};
}

} // namespace

Result<File> File::open(const std::string& path)
{
    PRECIS_TRY_ASSIGN(std::shared_ptr<const MappedFile> mapping, MappedFile::open(path));
    Parser p(*mapping);
    if (mapping->size() == 0)
        return p.error("", "file is empty, expected a GGUF header");
    PRECIS_TRY_ASSIGN(const uint32_t magic, p.read<uint32_t>("", "magic"));
    if (std::memcmp(&magic, "GGUF", 4) != 0) {
        std::string shown;
        for (int k = 0; k < 4; ++k) {
            const auto c = static_cast<unsigned char>(magic >> (8 * k));
            shown += (c >= 0x20 && c < 0x7F) ? std::string(1, char(c)) : "\\x" + hexByte(c).substr(2);
        }
        return p.error("", "bad magic '" + shown + "', expected 'GGUF' (not a GGUF file)");
    }
    File file;
    PRECIS_TRY_ASSIGN(file.version, p.read<uint32_t>("", "version"));
    if (file.version != 2 && file.version != 3)
        return p.error("", "version " + std::to_string(file.version) + " is not supported, expected 2 or 3");
    PRECIS_TRY_ASSIGN(const uint64_t nTensors, p.read<uint64_t>("", "n_tensors"));
    PRECIS_TRY_ASSIGN(const uint64_t nKv, p.read<uint64_t>("", "n_kv"));
    if (nTensors > p.remaining() / kMinTensorInfoBytes)
        return p.error("", "n_tensors = " + std::to_string(nTensors) + " tensor infos cannot fit in the " +
                               std::to_string(p.remaining()) + " bytes left in the file");
    if (nKv > p.remaining() / kMinKvBytes)
        return p.error("", "n_kv = " + std::to_string(nKv) + " key/value pairs cannot fit in the " +
                               std::to_string(p.remaining()) + " bytes left in the file");

    file.kv.reserve(size_t(nKv));
    std::unordered_map<std::string, uint64_t> seen;
    for (uint64_t k = 0; k < nKv; ++k) {
        const std::string idx = "key #" + std::to_string(k);
        PRECIS_TRY_ASSIGN(std::string key, p.readString(idx, "key"));
        if (const int64_t bad = firstInvalidUtf8(key); bad >= 0)
            return p.error(idx, "key " + quoted(key) + " is not valid UTF-8 (byte " +
                                    hexByte(uint8_t(key[size_t(bad)])) + " at position " + std::to_string(bad) + ")");
        const std::string where = "key " + quoted(key);
        if (auto [it, inserted] = seen.emplace(key, k); !inserted)
            return p.error(where, "duplicate key (first as key #" + std::to_string(it->second) + ")");
        PRECIS_TRY_ASSIGN(const ValueType type, p.readType(where, "value type"));
        PRECIS_TRY_ASSIGN(Value value, p.readValue(type, 0, where));
        file.kv.emplace_back(std::move(key), std::move(value));
    }

    if (const Value* a = file.find("general.alignment")) {
        const std::string where = "key 'general.alignment'";
        if (a->type != ValueType::Uint32)
            return p.error(where, std::string("has type ") + typeName(a->type) + ", expected u32");
        if (a->i == 0 || !std::has_single_bit(uint64_t(a->i)))
            return p.error(where, "value " + std::to_string(a->i) + " is not a power of two");
        file.alignment = uint64_t(a->i);
    } else {
        file.alignment = kDefaultAlignment;
    }

    PRECIS_TRY(readTensorInfos(p, file, nTensors));
    file.dataOffset = (p.pos() + file.alignment - 1) / file.alignment * file.alignment;
    PRECIS_TRY(checkTensorData(p, file, mapping->size()));
    file.mapping = std::move(mapping);
    return file;
}

const Value* File::find(const std::string& key) const
{
    for (const auto& [k, v] : kv)
        if (k == key)
            return &v;
    return nullptr;
}

// ---- Value helpers ----

std::optional<int64_t> Value::asInt() const
{
    switch (type) {
    case ValueType::Uint8: case ValueType::Int8: case ValueType::Uint16: case ValueType::Int16:
    case ValueType::Uint32: case ValueType::Int32: case ValueType::Int64: case ValueType::Bool:
        return i;
    case ValueType::Uint64:
        if (i < 0) return std::nullopt;  // above INT64_MAX
        return i;
    default:
        return std::nullopt;
    }
}

std::optional<double> Value::asFloat() const
{
    if (type == ValueType::Float32 || type == ValueType::Float64)
        return f;
    if (type == ValueType::Uint64)
        return double(uint64_t(i));
    if (type == ValueType::Bool || type == ValueType::String || type == ValueType::Array)
        return std::nullopt;
    return double(i);
}

const std::string* Value::asString() const { return type == ValueType::String ? &s : nullptr; }

static std::string floatText(double v, bool single)
{
    char buf[64];
    const auto r = single ? std::to_chars(buf, buf + sizeof buf, float(v)) : std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string Value::toDisplayString(size_t maxItems) const
{
    switch (type) {
    case ValueType::Bool: return i ? "true" : "false";
    case ValueType::Uint64: return std::to_string(uint64_t(i));
    case ValueType::Float32: return floatText(f, true);
    case ValueType::Float64: return floatText(f, false);
    case ValueType::String: return s;
    case ValueType::Array: {
        const std::string count = std::to_string(arr.size()) + " × " + typeName(elemType);
        if (maxItems == 0 && !arr.empty())
            return "[" + count + "]";
        std::string out = "[";
        for (size_t k = 0; k < arr.size() && k < maxItems; ++k) {
            if (k) out += ", ";
            const std::string item = arr[k].toDisplayString(maxItems);
            out += elemType == ValueType::String ? "\"" + item + "\"" : item;
        }
        if (arr.size() > maxItems)
            out += ", … (" + count + ")";
        return out + "]";
    }
    default: return std::to_string(i);
    }
}

} // namespace precis::gguf
