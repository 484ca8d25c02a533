#include "formats/safetensors_writer.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <unistd.h>

namespace precis::hf {

namespace {

int elementSize(const std::string& dtype)
{
    static const std::map<std::string, int> kSizes = {
        {"F64", 8}, {"I64", 8}, {"U64", 8}, {"F32", 4}, {"I32", 4}, {"U32", 4}, {"F16", 2},  {"BF16", 2},
        {"I16", 2}, {"U16", 2}, {"I8", 1},  {"U8", 1},  {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1},
    };
    auto it = kSizes.find(dtype);
    return it == kSizes.end() ? 0 : it->second;
}

// What the header says of a tensor.
struct HeaderEntry {
    const std::string& name;
    const std::string& dtype;
    const std::vector<int64_t>& shape;
    uint64_t bytes;  // the byte count given; UINT64_MAX: not known yet, the shape's
};

// u64 header length + JSON header padded with spaces to a multiple of 8; `sizes`
// gets each tensor's byte count.
Result<std::string> buildHeader(const std::vector<HeaderEntry>& tensors, const SafetensorsMetadata& metadata,
                                std::vector<uint64_t>& sizes)
{
    nlohmann::ordered_json h = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        nlohmann::ordered_json m = nlohmann::ordered_json::object();
        for (const auto& [k, v] : metadata) m[k] = v;
        h["__metadata__"] = std::move(m);
    }
    std::set<std::string> names;
    uint64_t offset = 0;
    for (const auto& t : tensors) {
        const std::string where = "safetensors writer: tensor '" + t.name + "'";
        if (t.name.empty() || t.name == "__metadata__")
            return makeError(ErrorCode::InvalidArgument, where, "invalid tensor name");
        if (!names.insert(t.name).second)
            return makeError(ErrorCode::InvalidArgument, where, "duplicate tensor name");
        const int es = elementSize(t.dtype);
        if (es == 0)
            return makeError(ErrorCode::InvalidArgument, where, "unknown dtype '" + t.dtype + "'");
        uint64_t numel = 1;
        for (int64_t d : t.shape) {
            if (d < 0)
                return makeError(ErrorCode::InvalidArgument, where, "negative dimension " + std::to_string(d));
            if (__builtin_mul_overflow(numel, uint64_t(d), &numel))
                return makeError(ErrorCode::InvalidArgument, where, "shape overflows 64 bits");
        }
        if (numel > UINT64_MAX / uint64_t(es))
            return makeError(ErrorCode::InvalidArgument, where, "shape overflows 64 bits");
        const uint64_t bytes = numel * uint64_t(es);
        if (t.bytes != UINT64_MAX && t.bytes != bytes)
            return makeError(ErrorCode::InvalidArgument, where,
                             std::to_string(t.bytes) + " bytes given, the shape needs " + std::to_string(bytes));
        h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        sizes.push_back(bytes);
    }
    std::string json;
    try {
        json = h.dump();
    } catch (const std::exception& e) {  // names or metadata that are not valid UTF-8
        return makeError(ErrorCode::InvalidArgument, "safetensors writer", e.what());
    }
    json.append((8 - json.size() % 8) % 8, ' ');
    std::string out(8, '\0');
    const uint64_t n = json.size();
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xFF);
    return out + json;
}

std::vector<HeaderEntry> entries(const std::vector<SafetensorsTensor>& tensors)
{
    std::vector<HeaderEntry> out;
    for (const auto& t : tensors) out.push_back({t.name, t.dtype, t.shape, t.bytes.size()});
    return out;
}

// Writes `header` then tensor i's bytes from next(i) (valid until the next call,
// sizes[i] of them) for i < sizes.size() to `path` through a temporary file and a rename.
Result<void> writeFile(const std::string& path, const std::string& header, const std::vector<uint64_t>& sizes,
                       const std::function<Result<std::span<const std::byte>>(size_t)>& next)
{
    const std::string tmp = path + ".tmp-precis";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f)
        return makeError(ErrorCode::Io, tmp, std::string("cannot create file: ") + std::strerror(errno));
    auto fail = [&](Error e) {
        std::fclose(f);
        std::remove(tmp.c_str());
        return e;
    };
    if (std::fwrite(header.data(), 1, header.size(), f) != header.size())
        return fail(makeError(ErrorCode::Io, tmp, std::string("write failed: ") + std::strerror(errno)));
    for (size_t i = 0; i < sizes.size(); ++i) {
        auto bytes = next(i);
        if (!bytes.ok()) return fail(bytes.error());
        if (!bytes->empty() && std::fwrite(bytes->data(), 1, bytes->size(), f) != bytes->size())
            return fail(makeError(ErrorCode::Io, tmp, std::string("write failed: ") + std::strerror(errno)));
    }
    bool ok = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
    const int err = errno;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) {
        std::remove(tmp.c_str());
        return makeError(ErrorCode::Io, tmp, std::string("write failed: ") + std::strerror(err));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        std::remove(tmp.c_str());
        return makeError(ErrorCode::Io, path, std::string("cannot rename temporary file into place: ") + std::strerror(e));
    }
    return {};
}

} // namespace

Result<std::vector<std::byte>> serializeSafetensors(const std::vector<SafetensorsTensor>& tensors,
                                                    const SafetensorsMetadata& metadata)
{
    std::vector<uint64_t> sizes;
    PRECIS_TRY_ASSIGN(const std::string header, buildHeader(entries(tensors), metadata, sizes));
    std::vector<std::byte> out(header.size());
    std::memcpy(out.data(), header.data(), header.size());
    for (const auto& t : tensors) out.insert(out.end(), t.bytes.begin(), t.bytes.end());
    return out;
}

Result<void> writeSafetensors(const std::string& path, const std::vector<SafetensorsTensor>& tensors,
                              const SafetensorsMetadata& metadata)
{
    std::vector<uint64_t> sizes;
    PRECIS_TRY_ASSIGN(const std::string header, buildHeader(entries(tensors), metadata, sizes));
    return writeFile(path, header, sizes, [&](size_t i) -> Result<std::span<const std::byte>> { return tensors[i].bytes; });
}

Result<void> writeSafetensors(const std::string& path, const std::vector<SafetensorsSource>& tensors,
                              const SafetensorsMetadata& metadata)
{
    std::vector<HeaderEntry> e;
    for (const auto& t : tensors) e.push_back({t.name, t.dtype, t.shape, UINT64_MAX});
    std::vector<uint64_t> sizes;
    PRECIS_TRY_ASSIGN(const std::string header, buildHeader(e, metadata, sizes));
    std::vector<std::byte> current;
    return writeFile(path, header, sizes, [&](size_t i) -> Result<std::span<const std::byte>> {
        current.clear();
        current.shrink_to_fit();  // the previous tensor's bytes go before the next one's are made
        PRECIS_TRY_ASSIGN(current, tensors[i].bytes());
        if (current.size() != sizes[i])
            return makeError(ErrorCode::InvalidArgument, "safetensors writer: tensor '" + tensors[i].name + "'",
                             std::to_string(current.size()) + " bytes made, the shape needs " +
                                 std::to_string(sizes[i]));
        return std::span<const std::byte>(current);
    });
}

} // namespace precis::hf
