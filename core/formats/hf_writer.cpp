#include "formats/hf_writer.h"

#include "common/half.h"
#include "common/mapped_file.h"
#include "formats/safetensors_writer.h"
#include "formats/tokenizer_json_writer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace precis::hf {

namespace {

// "blk.N.rest" -> {"N", "rest"}; empty strings when the name is not per-layer.
std::pair<std::string, std::string> splitLayer(const std::string& gguf)
{
    if (gguf.rfind("blk.", 0) != 0) return {};
    const size_t dot = gguf.find('.', 4);
    if (dot == std::string::npos || dot == 4) return {};
    for (size_t i = 4; i < dot; ++i)
        if (gguf[i] < '0' || gguf[i] > '9') return {};
    return {gguf.substr(4, dot - 4), gguf.substr(dot + 1)};
}

std::string llamaName(const std::string& gguf)
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
    const auto [layer, rest] = splitLayer(gguf);
    const auto it = kLayer.find(rest);
    return layer.empty() || it == kLayer.end() ? std::string() : "model.layers." + layer + "." + it->second;
}

// Second value: the weight is a GPT-2 Conv1D, stored transposed (in, out).
std::pair<std::string, bool> gpt2Name(const std::string& gguf)
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
    const auto [layer, rest] = splitLayer(gguf);
    const auto it = kLayer.find(rest);
    if (layer.empty() || it == kLayer.end()) return {};
    return {"transformer.h." + layer + "." + it->second.first, it->second.second};
}

// Interleaved RoPE rows -> HF rotate-half rows, per head: rotate-half row
// s·D/2 + i holds interleaved row 2i + s (the inverse of convert_hf_to_gguf.py's permute).
std::vector<float> toRotateHalf(const HfTensorValues& t, int heads)
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

std::vector<float> transposed(const HfTensorValues& t)
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

const char* torchDtype(DType t)
{
    return t == DType::F16 ? "float16" : t == DType::BF16 ? "bfloat16" : "float32";
}

nlohmann::ordered_json hfConfig(const ModelConfig& c, const TokenizerSpec& tok, DType dtype)
{
    nlohmann::ordered_json j;
    if (c.arch == Arch::Llama) {
        const std::string type = c.archName == "qwen2" || c.archName == "mistral" ? c.archName : "llama";
        j["architectures"] = {type == "qwen2" ? "Qwen2ForCausalLM" : type == "mistral" ? "MistralForCausalLM" : "LlamaForCausalLM"};
        j["model_type"] = type;
        j["hidden_size"] = c.nEmbd;
        j["intermediate_size"] = c.nFf;
        j["num_hidden_layers"] = c.nLayer;
        j["num_attention_heads"] = c.nHead;
        j["num_key_value_heads"] = c.nHeadKv;
        j["max_position_embeddings"] = c.nCtx;
        j["rms_norm_eps"] = shortest(c.normEps);
        j["rope_theta"] = shortest(c.ropeTheta);
        j["hidden_act"] = "silu";
        if (type != "qwen2") {  // Qwen2 always has q/k/v biases and no such keys
            j["attention_bias"] = false;
            j["mlp_bias"] = false;
        }
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
    j["torch_dtype"] = torchDtype(dtype);
    return j;
}

Result<void> writeText(const std::string& path, const std::string& text)
{
    return writeFileAtomic(path, text.data(), text.size());
}

// fp32 values -> 16-bit storage; a finite value that overflows to ±Inf is an error.
Result<std::vector<uint16_t>> toHalf(std::span<const float> v, DType dtype, const std::string& where)
{
    std::vector<uint16_t> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        const uint16_t h = dtype == DType::F16 ? floatToFp16(v[i]) : floatToBf16(v[i]);
        const float back = dtype == DType::F16 ? fp16ToFloat(h) : bf16ToFloat(h);
        if (std::isfinite(v[i]) && !std::isfinite(back)) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", double(v[i]));
            return makeError(ErrorCode::InvalidArgument, where,
                             std::string("value ") + buf + " at index " + std::to_string(i) + " exceeds the range of " +
                                 (dtype == DType::F16 ? "F16 (±65504); export as BF16 or F32" : "BF16"));
        }
        out[i] = h;
    }
    return out;
}

} // namespace

std::string hfTensorName(Arch arch, const std::string& ggufName, bool* transposedOut)
{
    if (arch == Arch::Llama) {
        if (transposedOut) *transposedOut = false;
        return llamaName(ggufName);
    }
    auto [name, t] = gpt2Name(ggufName);
    if (transposedOut) *transposedOut = t;
    return name;
}

Result<void> writeHfFolder(const ModelConfig& c, const TokenizerSpec& tokenizer, const std::vector<HfTensorValues>& input,
                           const std::string& dir, DType dtype)
{
    std::vector<HfTensorSource> sources;
    for (const HfTensorValues& t : input)
        sources.push_back({t.name, t.shape, [&t]() -> Result<std::vector<float>> {
                               return std::vector<float>(t.values.begin(), t.values.end());
                           }});
    return writeHfFolder(c, tokenizer, sources, dir, dtype);
}

Result<void> writeHfFolder(const ModelConfig& c, const TokenizerSpec& tokenizer, const std::vector<HfTensorSource>& input,
                           const std::string& dir, DType dtype)
{
    if (dtype != DType::F32 && dtype != DType::F16 && dtype != DType::BF16)
        return makeError(ErrorCode::InvalidArgument, dir, "safetensors dtype " + std::string(dtypeName(dtype)) +
                                                              " is not supported, expected F32, F16 or BF16");
    // Everything the shapes and names tell is checked before anything is written.
    std::vector<SafetensorsSource> tensors;
    for (const HfTensorSource& t : input) {
        const std::string where = dir + "/model.safetensors: tensor '" + t.name + "'";
        bool transpose = false;
        const std::string name = hfTensorName(c.arch, t.name, &transpose);
        if (name.empty())
            return makeError(ErrorCode::Unsupported, where, "has no Hugging Face counterpart for this architecture");
        if (t.shape.empty()) return makeError(ErrorCode::InvalidArgument, where, "has no shape");
        std::vector<int64_t> shape = t.shape;
        int ropeHeads = 0;  // > 0: rows to reorder from interleaved to rotate-half
        if (c.arch == Arch::Llama) {
            const bool q = t.name.ends_with("attn_q.weight") || t.name.ends_with("attn_q.bias");
            const bool k = t.name.ends_with("attn_k.weight") || t.name.ends_with("attn_k.bias");
            if ((q || k) && c.ropeLayout == RopeLayout::Interleaved) {
                ropeHeads = q ? c.nHead : c.nHeadKv;
                if (ropeHeads <= 0 || t.shape[0] % ropeHeads != 0 || (t.shape[0] / ropeHeads) % 2 != 0)
                    return makeError(ErrorCode::InvalidArgument, where, std::to_string(t.shape[0]) +
                                                                            " rows do not split into " +
                                                                            std::to_string(ropeHeads) + " heads of even size");
            }
        } else if (transpose) {
            if (t.shape.size() != 2)
                return makeError(ErrorCode::InvalidArgument, where, "a Conv1D weight must have 2 dimensions");
            shape = {t.shape[1], t.shape[0]};
        }
        auto bytes = [&t, where, ropeHeads, transpose, dtype]() -> Result<std::vector<std::byte>> {
            PRECIS_TRY_ASSIGN(std::vector<float> values, t.values());
            int64_t numel = 1;
            for (int64_t d : t.shape) numel *= d;
            if (numel != int64_t(values.size()))
                return makeError(ErrorCode::InvalidArgument, where,
                                 std::to_string(values.size()) + " values do not fill its shape");
            const HfTensorValues view{t.name, t.shape, values};
            if (ropeHeads > 0) values = toRotateHalf(view, ropeHeads);
            else if (transpose) values = transposed(view);
            std::vector<std::byte> out;
            if (dtype == DType::F32) {
                out.resize(values.size() * sizeof(float));
                std::memcpy(out.data(), values.data(), out.size());
                return out;
            }
            PRECIS_TRY_ASSIGN(const std::vector<uint16_t> h, toHalf(values, dtype, where));
            out.resize(h.size() * sizeof(uint16_t));
            std::memcpy(out.data(), h.data(), out.size());
            return out;
        };
        tensors.push_back({name, std::string(dtypeName(dtype)), shape, std::move(bytes)});
    }
    PRECIS_TRY(writeSafetensors(dir + "/model.safetensors", tensors, {{"format", "pt"}}));
    PRECIS_TRY(writeText(dir + "/config.json", hfConfig(c, tokenizer, dtype).dump(2) + "\n"));
    if (tokenizer.kind == TokenizerKind::None)
        return {};
    PRECIS_TRY(writeTokenizerJson(tokenizer, dir + "/tokenizer.json"));
    PRECIS_TRY_ASSIGN(const std::string tc, tokenizerConfigJsonText(tokenizer));
    return writeText(dir + "/tokenizer_config.json", tc);
}

} // namespace precis::hf
