// GGUF v3 writer (layout in gguf.h) and Model -> GGUF export that llama.cpp
// loads unchanged: the keys its loader requires (llama-model.cpp, llama-vocab.cpp),
// tensor names under 64 bytes (GGML_MAX_NAME), data offsets aligned.
#include "formats/gguf.h"

#include "common/mapped_file.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <unistd.h>
#include <unordered_set>

namespace precis::gguf {

namespace {

constexpr uint64_t kDefaultAlignment = 32;
constexpr size_t kMaxNameBytes = 63;  // GGML_MAX_NAME (64) including the terminator

// One tensor to write: bytes already in the dtype's layout.
struct Entry {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;  // outermost first
    const std::byte* data;
    uint64_t nbytes;
};

uint64_t alignUp(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

template <typename T>
void put(std::vector<std::byte>& out, T v)
{
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    out.insert(out.end(), p, p + sizeof(T));
}

void putString(std::vector<std::byte>& out, const std::string& s)
{
    put<uint64_t>(out, s.size());
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    out.insert(out.end(), p, p + s.size());
}

// Writes the payload of `v` as type `t` (array elements use the array's elemType).
void putValue(std::vector<std::byte>& out, ValueType t, const Value& v)
{
    switch (t) {
    case ValueType::Uint8: put<uint8_t>(out, uint8_t(v.i)); break;
    case ValueType::Int8: put<int8_t>(out, int8_t(v.i)); break;
    case ValueType::Uint16: put<uint16_t>(out, uint16_t(v.i)); break;
    case ValueType::Int16: put<int16_t>(out, int16_t(v.i)); break;
    case ValueType::Uint32: put<uint32_t>(out, uint32_t(v.i)); break;
    case ValueType::Int32: put<int32_t>(out, int32_t(v.i)); break;
    case ValueType::Uint64: put<uint64_t>(out, uint64_t(v.i)); break;
    case ValueType::Int64: put<int64_t>(out, v.i); break;
    case ValueType::Float32: put<float>(out, float(v.f)); break;
    case ValueType::Float64: put<double>(out, v.f); break;
    case ValueType::Bool: put<uint8_t>(out, v.i ? 1 : 0); break;
    case ValueType::String: putString(out, v.s); break;
    case ValueType::Array:
        put<uint32_t>(out, uint32_t(v.elemType));
        put<uint64_t>(out, v.arr.size());
        for (const Value& e : v.arr) putValue(out, v.elemType, e);
        break;
    }
}

// Offsets of each tensor in the data section: consecutive, each aligned.
std::vector<uint64_t> dataOffsets(const std::vector<Entry>& tensors, uint64_t alignment)
{
    std::vector<uint64_t> offsets;
    uint64_t at = 0;
    for (const Entry& e : tensors) {
        offsets.push_back(at);
        at = alignUp(at + e.nbytes, alignment);
    }
    return offsets;
}

// Header, key/values, tensor infos and the padding up to the data section.
std::vector<std::byte> encodeHeader(const std::vector<std::pair<std::string, Value>>& kv,
                                    const std::vector<Entry>& tensors, uint64_t alignment)
{
    std::vector<std::byte> out;
    out.insert(out.end(), {std::byte('G'), std::byte('G'), std::byte('U'), std::byte('F')});
    put<uint32_t>(out, 3);
    put<uint64_t>(out, tensors.size());
    put<uint64_t>(out, kv.size());
    for (const auto& [key, value] : kv) {
        putString(out, key);
        put<uint32_t>(out, uint32_t(value.type));
        putValue(out, value.type, value);
    }
    const std::vector<uint64_t> offsets = dataOffsets(tensors, alignment);
    for (size_t i = 0; i < tensors.size(); ++i) {
        const Entry& e = tensors[i];
        putString(out, e.name);
        put<uint32_t>(out, uint32_t(e.shape.size()));
        for (size_t d = e.shape.size(); d-- > 0;)  // GGUF ne[] is innermost first
            put<uint64_t>(out, uint64_t(e.shape[d]));
        put<uint32_t>(out, uint32_t(e.dtype));
        put<uint64_t>(out, offsets[i]);
    }
    out.resize(alignUp(out.size(), alignment));
    return out;
}

// Keys/values with the alignment key added when it differs from the default.
std::vector<std::pair<std::string, Value>> withAlignmentKey(std::vector<std::pair<std::string, Value>> kv, uint64_t alignment)
{
    for (const auto& [k, v] : kv)
        if (k == "general.alignment")
            return kv;
    if (alignment != kDefaultAlignment) {
        Value v;
        v.type = ValueType::Uint32;
        v.i = int64_t(alignment);
        kv.emplace_back("general.alignment", std::move(v));
    }
    return kv;
}

Result<void> checkValue(const Value& v, const std::string& where, int depth)
{
    if (uint32_t(v.type) > uint32_t(ValueType::Float64))
        return makeError(ErrorCode::InvalidArgument, where, "invalid value type " + std::to_string(uint32_t(v.type)));
    if (v.type != ValueType::Array)
        return {};
    if (depth >= 8)
        return makeError(ErrorCode::InvalidArgument, where, "arrays nested more than 8 levels deep");
    for (const Value& e : v.arr) {
        if (e.type != v.elemType)
            return makeError(ErrorCode::InvalidArgument, where, "array element type differs from the array's element type");
        PRECIS_TRY(checkValue(e, where, depth + 1));
    }
    return {};
}

Result<void> checkEntries(const std::string& path, const std::vector<std::pair<std::string, Value>>& kv,
                          const std::vector<Entry>& tensors, uint64_t alignment)
{
    if (alignment == 0 || !std::has_single_bit(alignment) || alignment > (uint64_t(1) << 31))
        return makeError(ErrorCode::InvalidArgument, path, "alignment " + std::to_string(alignment) +
                                                               " is not a power of two in 1..2^31");
    std::unordered_set<std::string> keys;
    for (const auto& [k, v] : kv) {
        const std::string where = path + ": key '" + k + "'";
        if (!keys.insert(k).second)
            return makeError(ErrorCode::InvalidArgument, where, "duplicate key");
        PRECIS_TRY(checkValue(v, where, 0));
        if (k == "general.alignment" && (v.type != ValueType::Uint32 || uint64_t(v.i) != alignment))
            return makeError(ErrorCode::InvalidArgument, where, "value " + v.toDisplayString() +
                                                                    " disagrees with the writer alignment " + std::to_string(alignment));
    }
    std::unordered_set<std::string> names;
    for (const Entry& e : tensors) {
        const std::string where = path + ": tensor '" + e.name + "'";
        if (e.name.empty() || e.name.size() > kMaxNameBytes)
            return makeError(ErrorCode::InvalidArgument, where, "name length " + std::to_string(e.name.size()) +
                                                                    ", expected 1.." + std::to_string(kMaxNameBytes));
        if (!names.insert(e.name).second)
            return makeError(ErrorCode::InvalidArgument, where, "duplicate tensor name");
        if (!dtypeTraits(uint32_t(e.dtype)))
            return makeError(ErrorCode::Unsupported, where,
                             "dtype " + std::string(dtypeName(e.dtype)) + " has no GGUF type (convert it first)");
        if (e.shape.empty() || e.shape.size() > 4)
            return makeError(ErrorCode::InvalidArgument, where, std::to_string(e.shape.size()) + " dimensions, expected 1..4");
        uint64_t rows = 1;
        for (size_t d = 0; d < e.shape.size(); ++d) {
            if (e.shape[d] < 1)
                return makeError(ErrorCode::InvalidArgument, where, "dimension " + std::to_string(e.shape[d]) + ", expected >= 1");
            if (d + 1 < e.shape.size() && __builtin_mul_overflow(rows, uint64_t(e.shape[d]), &rows))
                return makeError(ErrorCode::InvalidArgument, where, "element count overflows");
        }
        const auto rowBytes = dtypeRowBytes(e.dtype, uint64_t(e.shape.back()));
        uint64_t expected = 0;
        if (!rowBytes || __builtin_mul_overflow(rows, *rowBytes, &expected))
            return makeError(ErrorCode::InvalidArgument, where,
                             "row of " + std::to_string(e.shape.back()) + " values is not a multiple of the " +
                                 std::string(dtypeName(e.dtype)) + " block size " +
                                 std::to_string(dtypeTraits(e.dtype).blockSize));
        if (e.nbytes != expected || (e.nbytes > 0 && !e.data))
            return makeError(ErrorCode::InvalidArgument, where, "holds " + std::to_string(e.nbytes) +
                                                                    " bytes, expected " + std::to_string(expected));
    }
    return {};
}

// Streams header + tensor data to `path` through a temporary file in the same
// folder, renamed into place only when everything was written and synced.
Result<void> writeStreamed(const std::string& path, const std::vector<std::byte>& header,
                           const std::vector<Entry>& tensors, uint64_t alignment)
{
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (std::error_code ec; !parent.empty() && !std::filesystem::is_directory(parent, ec))
        return makeError(ErrorCode::Io, path, "cannot write: the folder '" + parent.string() + "' does not exist");
    const std::string tmp = path + ".tmp-precis";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f)
        return makeError(ErrorCode::Io, tmp, std::string("cannot create file: ") + std::strerror(errno));
    bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size();
    const std::vector<std::byte> zeros(size_t(alignment), std::byte{0});
    for (const Entry& e : tensors) {
        if (!ok) break;
        ok = e.nbytes == 0 || std::fwrite(e.data, 1, size_t(e.nbytes), f) == e.nbytes;
        releaseMappedPages(e.data, size_t(e.nbytes));  // a tensor copied from a model file: its pages not kept
        const uint64_t pad = alignUp(e.nbytes, alignment) - e.nbytes;
        ok = ok && (pad == 0 || std::fwrite(zeros.data(), 1, size_t(pad), f) == pad);
    }
    ok = ok && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
    const int savedErrno = errno;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) {
        std::remove(tmp.c_str());
        return makeError(ErrorCode::Io, path, std::string("write failed: ") + std::strerror(savedErrno));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        std::remove(tmp.c_str());
        return makeError(ErrorCode::Io, path, std::string("cannot rename temporary file into place: ") + std::strerror(e));
    }
    return {};
}

Value scalar(ValueType t, int64_t i) { Value v; v.type = t; v.i = i; return v; }
Value f32(float f) { Value v; v.type = ValueType::Float32; v.f = f; return v; }
Value str(std::string s) { Value v; v.type = ValueType::String; v.s = std::move(s); return v; }

// general.file_type: llama.cpp's llama_ftype (llama.h) of the dtype holding
// the most elements of the 2-D tensors. A K-quant maps to the "_S" mixture when
// every quantized 2-D tensor has that one type (what `llama-quantize --pure`
// writes, e.g. 14 = MOSTLY_Q4_K_S) and to "_M" when types are mixed (what
// llama.cpp's loader guesses for a file without the key, e.g. 15 = MOSTLY_Q4_K_M).
// The key only names the file in llama.cpp's logs; loading reads each tensor's type.
uint32_t fileType(const Model& model)
{
    std::vector<std::pair<DType, int64_t>> count;
    std::optional<DType> quantized;  // the one quantized 2-D type, if there is only one
    bool mixedQuantized = false;
    for (const Tensor& t : model.tensors()) {
        if (t.shape.size() < 2) continue;
        auto it = std::find_if(count.begin(), count.end(), [&](const auto& p) { return p.first == t.dtype; });
        if (it == count.end()) count.emplace_back(t.dtype, t.numel());
        else it->second += t.numel();
        if (dtypeTraits(t.dtype).quantized) {
            mixedQuantized = mixedQuantized || (quantized && *quantized != t.dtype);
            quantized = t.dtype;
        }
    }
    if (count.empty()) return 0;
    const DType main = std::max_element(count.begin(), count.end(), [](const auto& a, const auto& b) {
                           return a.second < b.second; })->first;
    switch (main) {
    case DType::F32: return 0;
    case DType::F16: return 1;
    case DType::Q4_0: return 2;
    case DType::Q4_1: return 3;
    case DType::Q8_0: return 7;
    case DType::Q5_0: return 8;
    case DType::Q5_1: return 9;
    case DType::Q2_K: return 10;
    case DType::Q3_K: return mixedQuantized ? 12 : 11;  // Q3_K_M : Q3_K_S
    case DType::Q4_K: return mixedQuantized ? 15 : 14;  // Q4_K_M : Q4_K_S
    case DType::Q5_K: return mixedQuantized ? 17 : 16;  // Q5_K_M : Q5_K_S
    case DType::Q6_K: return 18;
    case DType::BF16: return 32;
    default: return 1024;  // LLAMA_FTYPE_GUESSED: no ftype names this type
    }
}

void addTokenizer(std::vector<std::pair<std::string, Value>>& kv, const TokenizerSpec& tok)
{
    if (tok.kind == TokenizerKind::None || tok.tokens.empty()) {
        kv.emplace_back("tokenizer.ggml.model", str("no"));
        return;
    }
    auto strings = [](const std::vector<std::string>& items) {
        Value v; v.type = ValueType::Array; v.elemType = ValueType::String;
        v.arr.reserve(items.size());
        for (const auto& s : items) v.arr.push_back(str(s));
        return v;
    };
    kv.emplace_back("tokenizer.ggml.model", str(tok.kind == TokenizerKind::SentencePiece ? "llama" : "gpt2"));
    if (!tok.pre.empty())
        kv.emplace_back("tokenizer.ggml.pre", str(tok.pre));
    kv.emplace_back("tokenizer.ggml.tokens", strings(tok.tokens));
    if (!tok.scores.empty()) {
        Value v; v.type = ValueType::Array; v.elemType = ValueType::Float32;
        for (float s : tok.scores) v.arr.push_back(f32(s));
        kv.emplace_back("tokenizer.ggml.scores", std::move(v));
    }
    if (!tok.types.empty()) {
        Value v; v.type = ValueType::Array; v.elemType = ValueType::Int32;
        for (TokenType t : tok.types) v.arr.push_back(scalar(ValueType::Int32, int64_t(t)));
        kv.emplace_back("tokenizer.ggml.token_type", std::move(v));
    }
    if (!tok.merges.empty())
        kv.emplace_back("tokenizer.ggml.merges", strings(tok.merges));
    const std::pair<const char*, int32_t> ids[] = {{"tokenizer.ggml.bos_token_id", tok.bos},
                                                   {"tokenizer.ggml.eos_token_id", tok.eos},
                                                   {"tokenizer.ggml.unknown_token_id", tok.unk},
                                                   {"tokenizer.ggml.padding_token_id", tok.pad}};
    for (const auto& [key, id] : ids)
        if (id >= 0) kv.emplace_back(key, scalar(ValueType::Uint32, id));
    kv.emplace_back("tokenizer.ggml.add_bos_token", scalar(ValueType::Bool, tok.addBos));
    kv.emplace_back("tokenizer.ggml.add_eos_token", scalar(ValueType::Bool, tok.addEos));
    kv.emplace_back("tokenizer.ggml.add_space_prefix", scalar(ValueType::Bool, tok.addSpacePrefix));
}

// Reorders the rows of a q/k projection (weight {heads·D, C} or bias {heads·D})
// between the two RoPE pair layouts. In every head, interleaved row 2i+s holds
// rotate-half row s·D/2 + i (s ∈ {0,1}, i < D/2): convert_hf_to_gguf.py's
// permute(), which reshapes to (heads, 2, D/2, ...) and swaps axes 1 and 2.
Result<std::vector<std::byte>> permuteRopeRows(const Tensor& t, int heads, bool toInterleaved, const std::string& where)
{
    const int64_t rows = t.shape[0];
    const bool vector = t.shape.size() == 1;
    if (vector && dtypeTraits(t.dtype).blockSize != 1)
        return makeError(ErrorCode::Unsupported, where, "cannot reorder the values of a " +
                                                            std::string(dtypeName(t.dtype)) + " bias across blocks");
    if (heads <= 0 || rows % heads != 0 || (rows / heads) % 2 != 0)
        return makeError(ErrorCode::InvalidArgument, where, std::to_string(rows) + " rows do not split into " +
                                                                std::to_string(heads) + " heads of even size");
    const int64_t d = rows / heads, half = d / 2;
    // Quantized blocks never span rows, so moving whole rows is exact for every dtype.
    const uint64_t rowBytes = t.nbytes / uint64_t(rows);
    std::vector<std::byte> out(size_t(t.nbytes));
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t s = 0; s < 2; ++s)
            for (int64_t i = 0; i < half; ++i) {
                const int64_t inter = h * d + 2 * i + s, rot = h * d + s * half + i;
                const int64_t dst = toInterleaved ? inter : rot, src = toInterleaved ? rot : inter;
                std::memcpy(out.data() + uint64_t(dst) * rowBytes, t.data + uint64_t(src) * rowBytes, size_t(rowBytes));
            }
    return out;
}

} // namespace

// ---- Writer ----

void Writer::add(std::string key, Value v)
{
    for (auto& [k, old] : m_kv)
        if (k == key) {
            old = std::move(v);
            return;
        }
    m_kv.emplace_back(std::move(key), std::move(v));
}

void Writer::addString(std::string key, std::string s) { add(std::move(key), str(std::move(s))); }
void Writer::addU32(std::string key, uint32_t v) { add(std::move(key), scalar(ValueType::Uint32, v)); }
void Writer::addF32(std::string key, float v) { add(std::move(key), f32(v)); }

void Writer::addTensor(std::string name, DType dtype, std::vector<int64_t> shape, std::vector<std::byte> bytes)
{
    m_tensors.push_back({std::move(name), dtype, std::move(shape), std::move(bytes)});
}

std::vector<std::byte> Writer::serialize() const
{
    assert(m_alignment > 0 && std::has_single_bit(m_alignment));
    std::vector<Entry> entries;
    for (const PendingTensor& t : m_tensors)
        entries.push_back({t.name, t.dtype, t.shape, t.bytes.data(), t.bytes.size()});
    std::vector<std::byte> out = encodeHeader(withAlignmentKey(m_kv, m_alignment), entries, m_alignment);
    for (const Entry& e : entries) {
        out.insert(out.end(), e.data, e.data + e.nbytes);
        out.resize(alignUp(out.size(), m_alignment));
    }
    return out;
}

Result<void> Writer::write(const std::string& path) const
{
    std::vector<Entry> entries;
    for (const PendingTensor& t : m_tensors)
        entries.push_back({t.name, t.dtype, t.shape, t.bytes.data(), t.bytes.size()});
    const auto kv = withAlignmentKey(m_kv, m_alignment);
    PRECIS_TRY(checkEntries(path, kv, entries, m_alignment));
    return writeStreamed(path, encodeHeader(kv, entries, m_alignment), entries, m_alignment);
}

// ---- Model export ----

Result<void> writeModel(const Model& model, const std::string& path)
{
    PRECIS_TRY(model.validate());
    const ModelConfig& c = model.config;
    const std::string arch = !c.archName.empty() ? c.archName : (c.arch == Arch::Gpt2 ? "gpt2" : "llama");
    if ((c.arch == Arch::Gpt2) != (arch == "gpt2"))
        return makeError(ErrorCode::Unsupported, path, "architecture name '" + arch + "' does not match the model's family");

    std::string name = std::filesystem::path(model.path).stem().string();
    for (const auto& [k, v] : model.metadata)
        if (k == "general.name") name = v;
    if (name.empty()) name = "precis";

    std::vector<std::pair<std::string, Value>> kv;
    const std::string a = arch + ".";
    kv.emplace_back("general.architecture", str(arch));
    kv.emplace_back("general.name", str(name));
    kv.emplace_back("general.alignment", scalar(ValueType::Uint32, int64_t(kDefaultAlignment)));
    kv.emplace_back("general.file_type", scalar(ValueType::Uint32, fileType(model)));
    kv.emplace_back("general.quantization_version", scalar(ValueType::Uint32, 2));
    kv.emplace_back(a + "context_length", scalar(ValueType::Uint32, c.nCtx));
    kv.emplace_back(a + "embedding_length", scalar(ValueType::Uint32, c.nEmbd));
    kv.emplace_back(a + "block_count", scalar(ValueType::Uint32, c.nLayer));
    kv.emplace_back(a + "feed_forward_length", scalar(ValueType::Uint32, c.nFf));
    kv.emplace_back(a + "attention.head_count", scalar(ValueType::Uint32, c.nHead));
    kv.emplace_back(a + "attention.head_count_kv", scalar(ValueType::Uint32, c.nHeadKv));
    if (c.arch == Arch::Llama) {
        kv.emplace_back(a + "attention.layer_norm_rms_epsilon", f32(c.normEps));
        kv.emplace_back(a + "rope.freq_base", f32(c.ropeTheta));
        kv.emplace_back(a + "rope.dimension_count", scalar(ValueType::Uint32, c.headDim()));
    } else {
        kv.emplace_back(a + "attention.layer_norm_epsilon", f32(c.normEps));
    }
    kv.emplace_back(a + "vocab_size", scalar(ValueType::Uint32, c.nVocab));
    addTokenizer(kv, model.tokenizer);

    // llama.cpp runs llama/mistral with interleaved RoPE pairs and qwen2 with rotate-half.
    const RopeLayout fileLayout = arch == "qwen2" ? RopeLayout::RotateHalf : RopeLayout::Interleaved;
    const bool permute = c.arch == Arch::Llama && c.ropeLayout != fileLayout;
    std::vector<std::vector<std::byte>> permuted;
    permuted.reserve(size_t(4 * c.nLayer));
    std::vector<Entry> entries;
    for (const Tensor& t : model.tensors()) {
        Entry e{t.name, t.dtype, t.shape, t.data, t.nbytes};
        if (permute) {
            for (int l = 0; l < c.nLayer; ++l) {
                const std::string b = "blk." + std::to_string(l) + ".";
                const bool q = t.name == b + "attn_q.weight" || t.name == b + "attn_q.bias";
                const bool k = t.name == b + "attn_k.weight" || t.name == b + "attn_k.bias";
                if (!q && !k) continue;
                PRECIS_TRY_ASSIGN(auto bytes, permuteRopeRows(t, q ? c.nHead : c.nHeadKv,
                                                              fileLayout == RopeLayout::Interleaved,
                                                              path + ": tensor '" + t.name + "'"));
                permuted.push_back(std::move(bytes));
                e.data = permuted.back().data();
                break;
            }
        }
        entries.push_back(std::move(e));
    }
    PRECIS_TRY(checkEntries(path, kv, entries, kDefaultAlignment));
    return writeStreamed(path, encodeHeader(kv, entries, kDefaultAlignment), entries, kDefaultAlignment);
}

} // namespace precis::gguf
