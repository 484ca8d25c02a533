#include "train/trainer_checkpoint.h"

#include "common/fnv.h"
#include "common/mapped_file.h"
#include "formats/hf_writer.h"

#include <cstring>

namespace precis {

namespace {

constexpr char kMagic[8] = {'P', 'R', 'E', 'C', 'I', 'S', 'T', 'S'};
constexpr uint32_t kVersion = 1;

using Fnv = Fnv1a64;

// ---- state file -----------------------------------------------------------------

class Reader {
public:
    Reader(std::span<const std::byte> b, std::string where) : m_b(b), m_where(std::move(where)) {}
    size_t remaining() const { return m_b.size() - m_pos; }
    size_t position() const { return m_pos; }
    Error error(const std::string& field, const std::string& message) const
    {
        return makeError(ErrorCode::Format, m_where, "field '" + field + "' at byte " + std::to_string(m_pos) + ": " + message);
    }
    template <typename T>
    Result<T> read(const std::string& field)
    {
        if (remaining() < sizeof(T))
            return error(field, "needs " + std::to_string(sizeof(T)) + " bytes, only " + std::to_string(remaining()) +
                                    " remain (file truncated)");
        T v;
        std::memcpy(&v, m_b.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }
    Result<std::string> bytes(const std::string& field, uint64_t n)
    {
        if (n > remaining())
            return error(field, "length " + std::to_string(n) + " exceeds the " + std::to_string(remaining()) +
                                    " bytes that remain");
        std::string s(reinterpret_cast<const char*>(m_b.data() + m_pos), size_t(n));
        m_pos += size_t(n);
        return s;
    }
    Result<std::vector<float>> floats(const std::string& field, uint64_t n)
    {
        if (n > remaining() / 4)
            return error(field, std::to_string(n) + " values need more than the " + std::to_string(remaining()) +
                                    " bytes that remain");
        std::vector<float> v(static_cast<size_t>(n));
        std::memcpy(v.data(), m_b.data() + m_pos, size_t(n) * 4);
        m_pos += size_t(n) * 4;
        return v;
    }

private:
    std::span<const std::byte> m_b;
    size_t m_pos = 0;
    std::string m_where;
};

template <typename T>
void put(std::vector<std::byte>& out, const T& v)
{
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    out.insert(out.end(), p, p + sizeof(T));
}

void putBytes(std::vector<std::byte>& out, const void* data, size_t n)
{
    const auto* p = static_cast<const std::byte*>(data);
    out.insert(out.end(), p, p + n);
}

} // namespace

Result<void> writeHfCheckpoint(const Parameters& params, const TokenizerSpec& tokenizer, const std::string& dir)
{
    std::vector<hf::HfTensorValues> tensors;
    tensors.reserve(params.tensors.size());
    for (const ParameterTensor& t : params.tensors) tensors.push_back({t.name, t.shape, t.values});
    return hf::writeHfFolder(params.config, tokenizer, tensors, dir, DType::F32);
}

uint64_t parameterFingerprint(const Parameters& params)
{
    Fnv f;
    for (const ParameterTensor& t : params.tensors) f.add(t.values.data(), t.values.size() * sizeof(float));
    return f.h;
}

std::vector<std::byte> serializeTrainerState(const TrainerState& s)
{
    std::vector<std::byte> out;
    putBytes(out, kMagic, 8);
    put(out, kVersion);
    put(out, uint64_t(s.settingsJson.size()));
    putBytes(out, s.settingsJson.data(), s.settingsJson.size());
    put(out, uint64_t(s.step));
    put(out, uint64_t(s.adamStep));
    put(out, uint64_t(s.tokenCount));
    put(out, s.tokenFingerprint);
    put(out, s.paramFingerprint);
    put(out, uint32_t(s.tensors.size()));
    for (const TrainerState::Moments& t : s.tensors) {
        put(out, uint32_t(t.name.size()));
        putBytes(out, t.name.data(), t.name.size());
        put(out, uint32_t(t.shape.size()));
        for (int64_t d : t.shape) put(out, d);
        putBytes(out, t.m.data(), t.m.size() * 4);
        putBytes(out, t.v.data(), t.v.size() * 4);
    }
    Fnv f;
    f.add(out.data(), out.size());
    put(out, f.h);
    return out;
}

Result<TrainerState> parseTrainerState(std::span<const std::byte> bytes, const std::string& where)
{
    if (bytes.size() < 8 + 4 + 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
        return makeError(ErrorCode::Format, where, "not a Precis trainer state (expected the magic \"PRECISTS\")");
    Fnv f;
    f.add(bytes.data(), bytes.size() - 8);
    uint64_t stored;
    std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
    Reader r(bytes.subspan(8, bytes.size() - 16), where);
    PRECIS_TRY_ASSIGN(const uint32_t version, r.read<uint32_t>("version"));
    if (version != kVersion)
        return makeError(ErrorCode::Unsupported, where,
                         "version " + std::to_string(version) + " is not supported (expected " + std::to_string(kVersion) + ")");
    if (stored != f.h)
        return makeError(ErrorCode::Format, where, "checksum mismatch: the file is damaged");
    TrainerState s;
    PRECIS_TRY_ASSIGN(const uint64_t settingsLen, r.read<uint64_t>("settings length"));
    PRECIS_TRY_ASSIGN(s.settingsJson, r.bytes("settings", settingsLen));
    PRECIS_TRY_ASSIGN(const uint64_t step, r.read<uint64_t>("step"));
    PRECIS_TRY_ASSIGN(const uint64_t adamStep, r.read<uint64_t>("adam_step"));
    PRECIS_TRY_ASSIGN(const uint64_t tokenCount, r.read<uint64_t>("token_count"));
    for (const auto& [name, v] : {std::pair{"step", step}, {"adam_step", adamStep}, {"token_count", tokenCount}})
        if (v > uint64_t(INT64_MAX))
            return makeError(ErrorCode::Format, where, std::string("field '") + name + "' is " + std::to_string(v) +
                                                           ", expected at most 2^63-1");
    s.step = int64_t(step);
    s.adamStep = int64_t(adamStep);
    s.tokenCount = int64_t(tokenCount);
    PRECIS_TRY_ASSIGN(s.tokenFingerprint, r.read<uint64_t>("token_fingerprint"));
    PRECIS_TRY_ASSIGN(s.paramFingerprint, r.read<uint64_t>("param_fingerprint"));
    PRECIS_TRY_ASSIGN(const uint32_t n, r.read<uint32_t>("n_tensors"));
    // Each tensor needs at least 8 bytes of header: bound the count before reserving.
    if (n > r.remaining() / 8)
        return r.error("n_tensors", std::to_string(n) + " tensors cannot fit in the " + std::to_string(r.remaining()) +
                                        " bytes that remain");
    s.tensors.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
        const std::string field = "tensor " + std::to_string(i);
        TrainerState::Moments t;
        PRECIS_TRY_ASSIGN(const uint32_t nameLen, r.read<uint32_t>(field + " name length"));
        PRECIS_TRY_ASSIGN(t.name, r.bytes(field + " name", nameLen));
        PRECIS_TRY_ASSIGN(const uint32_t ndim, r.read<uint32_t>(field + " n_dims"));
        if (ndim > 8)
            return r.error(field + " n_dims", std::to_string(ndim) + " dimensions, expected at most 8");
        uint64_t numel = 1;
        for (uint32_t d = 0; d < ndim; ++d) {
            PRECIS_TRY_ASSIGN(const int64_t dim, r.read<int64_t>(field + " dims"));
            if (dim < 0 || (dim > 0 && numel > (uint64_t(1) << 40) / uint64_t(dim)))
                return r.error(field + " dims", "dimension " + std::to_string(dim) + " is negative or too large");
            numel *= uint64_t(dim);
            t.shape.push_back(dim);
        }
        PRECIS_TRY_ASSIGN(t.m, r.floats(field + " '" + t.name + "' first moment", numel));
        PRECIS_TRY_ASSIGN(t.v, r.floats(field + " '" + t.name + "' second moment", numel));
        s.tensors.push_back(std::move(t));
    }
    if (r.remaining() != 0)
        return r.error("end", std::to_string(r.remaining()) + " unexpected bytes before the checksum");
    return s;
}

Result<TrainerState> readTrainerState(const std::string& path)
{
    PRECIS_TRY_ASSIGN(const auto file, MappedFile::open(path));
    return parseTrainerState(std::span<const std::byte>(file->data(), file->size()), path);
}

} // namespace precis
