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

// u64 header length + JSON header padded with spaces to a multiple of 8.
Result<std::string> buildHeader(const std::vector<SafetensorsTensor>& tensors, const SafetensorsMetadata& metadata)
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
        if (numel > UINT64_MAX / uint64_t(es) || numel * uint64_t(es) != t.bytes.size())
            return makeError(ErrorCode::InvalidArgument, where,
                             std::to_string(t.bytes.size()) + " bytes given, the shape needs " +
                                 std::to_string(numel * uint64_t(es)));
        h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
        offset += t.bytes.size();
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

} // namespace

Result<std::vector<std::byte>> serializeSafetensors(const std::vector<SafetensorsTensor>& tensors,
                                                    const SafetensorsMetadata& metadata)
{
    PRECIS_TRY_ASSIGN(const std::string header, buildHeader(tensors, metadata));
    std::vector<std::byte> out(header.size());
    std::memcpy(out.data(), header.data(), header.size());
    for (const auto& t : tensors) out.insert(out.end(), t.bytes.begin(), t.bytes.end());
    return out;
}

Result<void> writeSafetensors(const std::string& path, const std::vector<SafetensorsTensor>& tensors,
                              const SafetensorsMetadata& metadata)
{
    PRECIS_TRY_ASSIGN(const std::string header, buildHeader(tensors, metadata));
    const std::string tmp = path + ".tmp-precis";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f)
        return makeError(ErrorCode::Io, tmp, std::string("cannot create file: ") + std::strerror(errno));
    bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size();
    for (const auto& t : tensors)
        if (ok && !t.bytes.empty())
            ok = std::fwrite(t.bytes.data(), 1, t.bytes.size(), f) == t.bytes.size();
    ok = ok && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
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

} // namespace precis::hf
