#include "train/trainer_checkpoint.h"

#include "common/mapped_file.h"
#include "formats/safetensors_writer.h"
#include "formats/tokenizer_json_writer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace precis {

namespace {

constexpr char kMagic[8] = {'P', 'R', 'E', 'C', 'I', 'S', 'T', 'S'};
constexpr uint32_t kVersion = 1;

struct Fnv {
    uint64_t h = 0xCBF29CE484222325ull;
    void add(const void* data, size_t n)
    {
        const auto* p = static_cast<const uint8_t*>(data);
        for (size_t i = 0; i < n; ++i) {
            h ^= p[i];
            h *= 0x100000001B3ull;
        }
    }
};

// ---- HF names -----------------------------------------------------------------

std::string hfLlamaName(const std::string& gguf)
{
    static const std::map<std::string, std::string> kTop = {
        {"token_embd.weight", "model.embed_tokens.weight"},
        {"output_norm.weight", "model.norm.weight"},
        {"output.weight", "lm_head.weight"},
    };
    static const std::map<std::string, std::string> kLayer = {
        {"attn_norm.weight", "input_layernorm.weight"},   {"attn_q.weight", "self_attn.q_proj.weight"},
        {"attn_k.weight", "self_attn.k_proj.weight"},     {"attn_v.weight", "self_attn.v_proj.weight"},
        {"attn_q.bias", "self_attn.q_proj.bias"},         {"attn_k.bias", "self_attn.k_proj.bias"},
        {"attn_v.bias", "self_attn.v_proj.bias"},         {"attn_output.weight", "self_attn.o_proj.weight"},
        {"ffn_norm.weight", "post_attention_layernorm.weight"}, {"ffn_gate.weight", "mlp.gate_proj.weight"},
        {"ffn_up.weight", "mlp.up_proj.weight"},          {"ffn_down.weight", "mlp.down_proj.weight"},
    };
    if (auto it = kTop.find(gguf); it != kTop.end()) return it->second;
    const size_t dot = gguf.find('.', 4);  // "blk.N.rest"
    return "model.layers." + gguf.substr(4, dot - 4) + "." + kLayer.at(gguf.substr(dot + 1));
}

// Second value: the weight is a GPT-2 Conv1D, stored transposed (in, out).
std::pair<std::string, bool> hfGpt2Name(const std::string& gguf)
{
    static const std::map<std::string, std::string> kTop = {
        {"token_embd.weight", "transformer.wte.weight"},  {"position_embd.weight", "transformer.wpe.weight"},
        {"output_norm.weight", "transformer.ln_f.weight"}, {"output_norm.bias", "transformer.ln_f.bias"},
        {"output.weight", "lm_head.weight"},
    };
    static const std::map<std::string, std::pair<std::string, bool>> kLayer = {
        {"attn_norm.weight", {"ln_1.weight", false}},     {"attn_norm.bias", {"ln_1.bias", false}},
        {"attn_qkv.weight", {"attn.c_attn.weight", true}}, {"attn_qkv.bias", {"attn.c_attn.bias", false}},
        {"attn_output.weight", {"attn.c_proj.weight", true}}, {"attn_output.bias", {"attn.c_proj.bias", false}},
        {"ffn_norm.weight", {"ln_2.weight", false}},      {"ffn_norm.bias", {"ln_2.bias", false}},
        {"ffn_up.weight", {"mlp.c_fc.weight", true}},     {"ffn_up.bias", {"mlp.c_fc.bias", false}},
        {"ffn_down.weight", {"mlp.c_proj.weight", true}}, {"ffn_down.bias", {"mlp.c_proj.bias", false}},
    };
    if (auto it = kTop.find(gguf); it != kTop.end()) return {it->second, false};
    const size_t dot = gguf.find('.', 4);
    const auto& [rest, transpose] = kLayer.at(gguf.substr(dot + 1));
    return {"transformer.h." + gguf.substr(4, dot - 4) + "." + rest, transpose};
}

// Interleaved RoPE rows -> HF rotate-half rows, per head: rotate-half row
// s·D/2 + i holds interleaved row 2i + s (the inverse of convert_hf_to_gguf.py's permute).
std::vector<float> toRotateHalf(const ParameterTensor& t, int heads)
{
    const int64_t rows = t.shape[0], cols = t.shape.size() < 2 ? 1 : t.shape[1];
    const int64_t d = rows / heads, half = d / 2;
    std::vector<float> out(t.values.size());
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t s = 0; s < 2; ++s)
            for (int64_t i = 0; i < half; ++i)
                std::memcpy(out.data() + (h * d + s * half + i) * cols, t.values.data() + (h * d + 2 * i + s) * cols,
                            sizeof(float) * size_t(cols));
    return out;
}

std::vector<float> transposed(const ParameterTensor& t)
{
    const int64_t rows = t.shape[0], cols = t.shape[1];
    std::vector<float> out(t.values.size());
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) out[size_t(c * rows + r)] = t.values[size_t(r * cols + c)];
    return out;
}

// A float setting as the decimal people write (1e-05, not 9.99999974737875e-06).
double shortest(float v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.7g", double(v));
    return std::strtod(buf, nullptr);
}

nlohmann::ordered_json hfConfig(const ModelConfig& c, const TokenizerSpec& tok)
{
    nlohmann::ordered_json j;
    if (c.arch == Arch::Llama) {
        j["architectures"] = {"LlamaForCausalLM"};
        j["model_type"] = "llama";
        j["hidden_size"] = c.nEmbd;
        j["intermediate_size"] = c.nFf;
        j["num_hidden_layers"] = c.nLayer;
        j["num_attention_heads"] = c.nHead;
        j["num_key_value_heads"] = c.nHeadKv;
        j["max_position_embeddings"] = c.nCtx;
        j["rms_norm_eps"] = shortest(c.normEps);
        j["rope_theta"] = shortest(c.ropeTheta);
        j["hidden_act"] = "silu";
        j["attention_bias"] = false;
        j["mlp_bias"] = false;
    } else {
        j["architectures"] = {"GPT2LMHeadModel"};
        j["model_type"] = "gpt2";
        j["n_embd"] = c.nEmbd;
        j["n_layer"] = c.nLayer;
        j["n_head"] = c.nHead;
        j["n_inner"] = c.nFf;
        j["n_positions"] = c.nCtx;
        j["n_ctx"] = c.nCtx;
        j["layer_norm_epsilon"] = shortest(c.normEps);
        j["activation_function"] = "gelu_new";
    }
    j["vocab_size"] = c.nVocab;
    j["tie_word_embeddings"] = c.tiedOutput;
    if (tok.bos >= 0) j["bos_token_id"] = tok.bos;
    if (tok.eos >= 0) j["eos_token_id"] = tok.eos;
    j["torch_dtype"] = "float32";
    return j;
}

Result<void> writeText(const std::string& path, const std::string& text)
{
    return writeFileAtomic(path, text.data(), text.size());
}

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
    const ModelConfig& c = params.config;
    std::vector<std::vector<float>> converted;  // keeps reordered copies alive for the writer
    converted.reserve(params.tensors.size());
    std::vector<hf::SafetensorsTensor> tensors;
    for (const ParameterTensor& t : params.tensors) {
        std::string name;
        std::vector<int64_t> shape = t.shape;
        const std::vector<float>* values = &t.values;
        if (c.arch == Arch::Llama) {
            name = hfLlamaName(t.name);
            const bool q = t.name.ends_with("attn_q.weight") || t.name.ends_with("attn_q.bias");
            const bool k = t.name.ends_with("attn_k.weight") || t.name.ends_with("attn_k.bias");
            if ((q || k) && c.ropeLayout == RopeLayout::Interleaved) {
                converted.push_back(toRotateHalf(t, q ? c.nHead : c.nHeadKv));
                values = &converted.back();
            }
        } else {
            bool transpose = false;
            std::tie(name, transpose) = hfGpt2Name(t.name);
            if (transpose) {
                converted.push_back(transposed(t));
                values = &converted.back();
                shape = {t.shape[1], t.shape[0]};
            }
        }
        tensors.push_back({name, "F32", shape,
                           std::span<const std::byte>(reinterpret_cast<const std::byte*>(values->data()),
                                                      values->size() * sizeof(float))});
    }
    PRECIS_TRY(hf::writeSafetensors(dir + "/model.safetensors", tensors, {{"format", "pt"}}));
    PRECIS_TRY(writeText(dir + "/config.json", hfConfig(c, tokenizer).dump(2) + "\n"));
    PRECIS_TRY(writeTokenizerJson(tokenizer, dir + "/tokenizer.json"));
    PRECIS_TRY_ASSIGN(const std::string tc, tokenizerConfigJsonText(tokenizer));
    return writeText(dir + "/tokenizer_config.json", tc);
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
