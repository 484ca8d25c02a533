// Hugging Face folder -> Model: config.json (transformers' LlamaConfig,
// Qwen2Config, MistralConfig, GPT2Config field names), safetensors shards and
// tokenizer.json. HF tensor names are mapped onto the GGUF names once, here.
#include "common/half.h"
#include "formats/safetensors.h"
#include "formats/tokenizer_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <unordered_map>

namespace precis::hf {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxJsonFile = size_t(64) << 20;

std::string typeName(const json& v)
{
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "a boolean";
    if (v.is_number_integer()) return "an integer";
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_array()) return "an array";
    return "an object";
}

std::string valueText(const json& v)
{
    std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 40) s = s.substr(0, 40) + "...";
    return s + " (" + typeName(v) + ")";
}

// Typed access to config.json fields; errors name the file and the field.
class ConfigReader {
public:
    ConfigReader(const json& j, std::string where) : m_j(j), m_where(std::move(where)) {}

    const json* get(const char* key) const
    {
        auto it = m_j.find(key);
        return it == m_j.end() || it->is_null() ? nullptr : &*it;
    }
    Error error(const char* key, const std::string& message, ErrorCode code = ErrorCode::Format) const
    {
        return makeError(code, m_where + ": field '" + key + "'", message);
    }
    // Positive integer that fits an int; `def` when absent or null (required when no default).
    Result<int> positiveInt(const char* key, std::optional<int> def = std::nullopt) const
    {
        const json* v = get(key);
        if (!v) {
            if (def) return *def;
            return error(key, "is missing, expected a positive integer");
        }
        if (v->is_number_unsigned() && v->get<uint64_t>() >= 1 && v->get<uint64_t>() <= uint64_t(INT32_MAX))
            return int(v->get<uint64_t>());
        return error(key, "is " + valueText(*v) + ", expected a positive integer");
    }
    Result<double> positiveNumber(const char* key, double def) const
    {
        const json* v = get(key);
        if (!v) return def;
        if (v->is_number() && v->get<double>() > 0.0) return v->get<double>();
        return error(key, "is " + valueText(*v) + ", expected a positive number");
    }
    Result<bool> boolean(const char* key, bool def) const
    {
        const json* v = get(key);
        if (!v) return def;
        if (v->is_boolean()) return v->get<bool>();
        return error(key, "is " + valueText(*v) + ", expected true or false");
    }
    Result<std::string> string(const char* key, const std::string& def) const
    {
        const json* v = get(key);
        if (!v) return def;
        if (v->is_string()) return v->get<std::string>();
        return error(key, "is " + valueText(*v) + ", expected a string");
    }

private:
    const json& m_j;
    std::string m_where;
};

Result<json> readJsonFile(const std::string& path)
{
    PRECIS_TRY_ASSIGN(const std::string text, readTextFile(path, kMaxJsonFile));
    PRECIS_TRY_ASSIGN(json j, parseJsonStrict(text, path));
    if (!j.is_object())
        return makeError(ErrorCode::Format, path, "expected a JSON object, found " + typeName(j));
    return j;
}

Result<ModelConfig> llamaConfig(const ConfigReader& r, const std::string& modelType)
{
    ModelConfig c;
    c.arch = Arch::Llama;
    c.archName = modelType;
    c.ropeLayout = RopeLayout::RotateHalf;  // HF Llama q/k rows: (i, i + d/2) pairs
    PRECIS_TRY_ASSIGN(c.nEmbd, r.positiveInt("hidden_size"));
    PRECIS_TRY_ASSIGN(c.nFf, r.positiveInt("intermediate_size"));
    PRECIS_TRY_ASSIGN(c.nLayer, r.positiveInt("num_hidden_layers"));
    PRECIS_TRY_ASSIGN(c.nHead, r.positiveInt("num_attention_heads"));
    PRECIS_TRY_ASSIGN(c.nHeadKv, r.positiveInt("num_key_value_heads", c.nHead));
    PRECIS_TRY_ASSIGN(c.nVocab, r.positiveInt("vocab_size"));
    PRECIS_TRY_ASSIGN(c.nCtx, r.positiveInt("max_position_embeddings"));
    PRECIS_TRY_ASSIGN(const double eps, r.positiveNumber("rms_norm_eps", 1e-6));
    PRECIS_TRY_ASSIGN(const double theta, r.positiveNumber("rope_theta", 10000.0));
    c.normEps = float(eps);
    c.ropeTheta = float(theta);
    PRECIS_TRY_ASSIGN(c.tiedOutput, r.boolean("tie_word_embeddings", false));
    c.qkvBias = modelType == "qwen2";

    if (c.nEmbd % c.nHead != 0)
        return r.error("num_attention_heads", std::to_string(c.nHead) + " does not divide hidden_size " + std::to_string(c.nEmbd));
    if (r.get("head_dim")) {
        PRECIS_TRY_ASSIGN(const int hd, r.positiveInt("head_dim"));
        if (hd != c.nEmbd / c.nHead)
            return r.error("head_dim", "is " + std::to_string(hd) + ", but hidden_size / num_attention_heads = " +
                                           std::to_string(c.nEmbd / c.nHead) + " (a separate head_dim is not supported)",
                           ErrorCode::Unsupported);
    }
    PRECIS_TRY_ASSIGN(const std::string act, r.string("hidden_act", "silu"));
    if (act != "silu")
        return r.error("hidden_act", "is '" + act + "', only 'silu' is supported", ErrorCode::Unsupported);
    if (const json* rs = r.get("rope_scaling")) {
        if (!rs->is_object())
            return r.error("rope_scaling", "is " + valueText(*rs) + ", expected an object or null");
        std::string type = "default";
        for (const char* k : {"rope_type", "type"})
            if (auto it = rs->find(k); it != rs->end() && it->is_string()) type = it->get<std::string>();
        if (type != "default")
            return r.error("rope_scaling", "type '" + type + "' is not supported (only unscaled RoPE)", ErrorCode::Unsupported);
    }
    PRECIS_TRY_ASSIGN(const bool attnBias, r.boolean("attention_bias", false));
    if (attnBias && modelType != "qwen2")
        return r.error("attention_bias", "is true; attention biases (including o_proj) are not supported", ErrorCode::Unsupported);
    PRECIS_TRY_ASSIGN(const bool mlpBias, r.boolean("mlp_bias", false));
    if (mlpBias)
        return r.error("mlp_bias", "is true; MLP biases are not supported", ErrorCode::Unsupported);
    PRECIS_TRY_ASSIGN(const bool slidingQwen, r.boolean("use_sliding_window", false));
    if (slidingQwen)
        return r.error("use_sliding_window", "is true; sliding-window attention is not supported", ErrorCode::Unsupported);
    // Mistral's sliding window equals full attention for contexts up to its size,
    // so the usable context is capped there.
    if (modelType == "mistral" && r.get("sliding_window")) {
        PRECIS_TRY_ASSIGN(const int window, r.positiveInt("sliding_window"));
        c.nCtx = std::min(c.nCtx, window);
    }
    return c;
}

Result<ModelConfig> gpt2Config(const ConfigReader& r)
{
    ModelConfig c;
    c.arch = Arch::Gpt2;
    c.archName = "gpt2";
    PRECIS_TRY_ASSIGN(c.nEmbd, r.positiveInt("n_embd"));
    PRECIS_TRY_ASSIGN(c.nLayer, r.positiveInt("n_layer"));
    PRECIS_TRY_ASSIGN(c.nHead, r.positiveInt("n_head"));
    c.nHeadKv = c.nHead;
    PRECIS_TRY_ASSIGN(c.nVocab, r.positiveInt("vocab_size"));
    PRECIS_TRY_ASSIGN(c.nCtx, r.positiveInt("n_positions"));
    if (c.nEmbd > (1 << 20))
        return r.error("n_embd", "is " + std::to_string(c.nEmbd) + ", expected at most 1048576");
    PRECIS_TRY_ASSIGN(c.nFf, r.positiveInt("n_inner", 4 * c.nEmbd));  // null -> 4 * n_embd
    PRECIS_TRY_ASSIGN(const double eps, r.positiveNumber("layer_norm_epsilon", 1e-5));
    c.normEps = float(eps);
    PRECIS_TRY_ASSIGN(c.tiedOutput, r.boolean("tie_word_embeddings", true));
    PRECIS_TRY_ASSIGN(const std::string act, r.string("activation_function", "gelu_new"));
    if (act != "gelu_new" && act != "gelu_pytorch_tanh")
        return r.error("activation_function", "is '" + act + "', expected 'gelu_new' or 'gelu_pytorch_tanh'",
                       ErrorCode::Unsupported);
    for (const char* flag : {"scale_attn_by_inverse_layer_idx", "add_cross_attention"}) {
        PRECIS_TRY_ASSIGN(const bool on, r.boolean(flag, false));
        if (on) return r.error(flag, "is true, which is not supported", ErrorCode::Unsupported);
    }
    PRECIS_TRY_ASSIGN(const bool scaled, r.boolean("scale_attn_weights", true));
    if (!scaled) return r.error("scale_attn_weights", "is false, which is not supported", ErrorCode::Unsupported);
    return c;
}

// ---- shards ---------------------------------------------------------------

struct Shard {
    std::string file;  // name inside the folder
    SafetensorsFile st;
};

struct Source {  // one tensor of the checkpoint
    const Shard* shard;
    const SafetensorsEntry* entry;
};

bool plainFileName(const std::string& s)
{
    return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos && s.find('\\') == std::string::npos &&
           s.find('\0') == std::string::npos;
}

Result<std::vector<Shard>> openShards(const std::string& folder)
{
    std::vector<Shard> shards;
    const std::string indexPath = folder + "/model.safetensors.index.json";
    if (!fs::exists(indexPath)) {
        const std::string single = folder + "/model.safetensors";
        if (!fs::exists(single))
            return makeError(ErrorCode::Io, folder, "holds neither model.safetensors nor model.safetensors.index.json");
        PRECIS_TRY_ASSIGN(SafetensorsFile st, SafetensorsFile::open(single));
        shards.push_back({"model.safetensors", std::move(st)});
        return shards;
    }
    PRECIS_TRY_ASSIGN(const json index, readJsonFile(indexPath));
    auto wm = index.find("weight_map");
    if (wm == index.end() || !wm->is_object())
        return makeError(ErrorCode::Format, indexPath + ": field 'weight_map'",
                         wm == index.end() ? "is missing" : "is " + typeName(*wm) + ", expected an object");
    std::map<std::string, std::vector<std::string>> byFile;  // shard file -> tensor names
    for (auto it = wm->begin(); it != wm->end(); ++it) {
        const std::string where = indexPath + ": weight_map '" + it.key() + "'";
        if (!it->is_string())
            return makeError(ErrorCode::Format, where, "is " + typeName(*it) + ", expected a shard file name");
        const std::string file = it->get<std::string>();
        if (!plainFileName(file))
            return makeError(ErrorCode::Format, where, "shard '" + file + "' is not a plain file name in the folder");
        byFile[file].push_back(it.key());
    }
    if (byFile.empty())
        return makeError(ErrorCode::Format, indexPath + ": field 'weight_map'", "is empty");
    // Checked in three passes so that the index's own errors come first: every
    // shard exists, every listed tensor is in its shard, every stored tensor is listed.
    for (const auto& [file, names] : byFile)
        if (!fs::exists(folder + "/" + file))
            return makeError(ErrorCode::Io, indexPath + ": shard '" + file + "'",
                             "is listed for tensor '" + names.front() + "' but " + folder + "/" + file + " does not exist");
    shards.reserve(byFile.size());
    for (const auto& [file, names] : byFile) {
        PRECIS_TRY_ASSIGN(SafetensorsFile st, SafetensorsFile::open(folder + "/" + file));
        for (const auto& n : names)
            if (!st.find(n))
                return makeError(ErrorCode::Format, indexPath + ": tensor '" + n + "'",
                                 "is mapped to shard '" + file + "', which does not contain it");
        shards.push_back({file, std::move(st)});
    }
    for (const Shard& shard : shards)
        for (const auto& e : shard.st.entries) {
            auto m = wm->find(e.name);
            if (m == wm->end() || m->get<std::string>() != shard.file)
                return makeError(ErrorCode::Format, folder + "/" + shard.file + ": tensor '" + e.name + "'",
                                 m == wm->end() ? "is not listed in model.safetensors.index.json"
                                                : "is listed in the index for shard '" + m->get<std::string>() + "'");
        }
    return shards;
}

// ---- names ----------------------------------------------------------------

struct Target {
    std::string name;        // GGUF name; empty: skip silently
    bool transpose = false;  // GPT-2 Conv1D weight stored (in, out)
};

// "h.12.rest" / "layers.3.rest" -> (12, "rest"); nullopt unless `prefix` + digits + '.'.
std::optional<std::pair<long, std::string>> splitLayer(const std::string& s, const std::string& prefix)
{
    if (s.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    size_t i = prefix.size(), j = i;
    while (j < s.size() && j - i < 9 && s[j] >= '0' && s[j] <= '9') ++j;
    if (j == i || j >= s.size() || s[j] != '.') return std::nullopt;
    return std::make_pair(std::stol(s.substr(i, j - i)), s.substr(j + 1));
}

Result<Target> layerTarget(const std::string& where, long layer, int nLayer, const std::string& rest,
                           const std::map<std::string, Target>& table, const char* layerField)
{
    if (layer >= nLayer)
        return makeError(ErrorCode::Format, where,
                         "layer index " + std::to_string(layer) + " is out of range (config " + layerField + " = " +
                             std::to_string(nLayer) + ")");
    auto it = table.find(rest);
    if (it == table.end()) return makeError(ErrorCode::Format, where, "unknown tensor name");
    Target t = it->second;
    if (!t.name.empty()) t.name = "blk." + std::to_string(layer) + "." + t.name;
    return t;
}

Result<Target> llamaTarget(const std::string& hfName, const std::string& where, int nLayer)
{
    static const std::map<std::string, Target> kLayer = {
        {"input_layernorm.weight", {"attn_norm.weight"}},
        {"self_attn.q_proj.weight", {"attn_q.weight"}},
        {"self_attn.k_proj.weight", {"attn_k.weight"}},
        {"self_attn.v_proj.weight", {"attn_v.weight"}},
        {"self_attn.q_proj.bias", {"attn_q.bias"}},
        {"self_attn.k_proj.bias", {"attn_k.bias"}},
        {"self_attn.v_proj.bias", {"attn_v.bias"}},
        {"self_attn.o_proj.weight", {"attn_output.weight"}},
        {"post_attention_layernorm.weight", {"ffn_norm.weight"}},
        {"mlp.gate_proj.weight", {"ffn_gate.weight"}},
        {"mlp.up_proj.weight", {"ffn_up.weight"}},
        {"mlp.down_proj.weight", {"ffn_down.weight"}},
        {"self_attn.rotary_emb.inv_freq", {""}},  // recomputed buffer, not a parameter
    };
    if (hfName == "lm_head.weight") return Target{"output.weight"};
    const std::string s = hfName.compare(0, 6, "model.") == 0 ? hfName.substr(6) : hfName;
    if (s == "embed_tokens.weight") return Target{"token_embd.weight"};
    if (s == "norm.weight") return Target{"output_norm.weight"};
    if (auto l = splitLayer(s, "layers.")) return layerTarget(where, l->first, nLayer, l->second, kLayer, "num_hidden_layers");
    return makeError(ErrorCode::Format, where, "unknown tensor name");
}

Result<Target> gpt2Target(const std::string& hfName, const std::string& where, int nLayer)
{
    static const std::map<std::string, Target> kLayer = {
        {"ln_1.weight", {"attn_norm.weight"}},
        {"ln_1.bias", {"attn_norm.bias"}},
        {"attn.c_attn.weight", {"attn_qkv.weight", true}},
        {"attn.c_attn.bias", {"attn_qkv.bias"}},
        {"attn.c_proj.weight", {"attn_output.weight", true}},
        {"attn.c_proj.bias", {"attn_output.bias"}},
        {"ln_2.weight", {"ffn_norm.weight"}},
        {"ln_2.bias", {"ffn_norm.bias"}},
        {"mlp.c_fc.weight", {"ffn_up.weight", true}},
        {"mlp.c_fc.bias", {"ffn_up.bias"}},
        {"mlp.c_proj.weight", {"ffn_down.weight", true}},
        {"mlp.c_proj.bias", {"ffn_down.bias"}},
        {"attn.bias", {""}},         // causal-mask buffer
        {"attn.masked_bias", {""}},  // mask fill value buffer
    };
    if (hfName == "lm_head.weight") return Target{"output.weight"};
    const std::string s = hfName.compare(0, 12, "transformer.") == 0 ? hfName.substr(12) : hfName;
    static const std::map<std::string, std::string> kTop = {
        {"wte.weight", "token_embd.weight"},  {"wpe.weight", "position_embd.weight"},
        {"ln_f.weight", "output_norm.weight"}, {"ln_f.bias", "output_norm.bias"},
    };
    if (auto it = kTop.find(s); it != kTop.end()) return Target{it->second};
    if (auto l = splitLayer(s, "h.")) return layerTarget(where, l->first, nLayer, l->second, kLayer, "n_layer");
    return makeError(ErrorCode::Format, where, "unknown tensor name");
}

// ---- tensors --------------------------------------------------------------

int elemSize(DType t) { return dtypeTraits(t).typeSize; }

float loadValue(const std::byte* p, DType t)
{
    if (t == DType::F32) { float f; std::memcpy(&f, p, 4); return f; }
    uint16_t h;
    std::memcpy(&h, p, 2);
    return t == DType::F16 ? fp16ToFloat(h) : bf16ToFloat(h);
}

Tensor makeTensor(const Source& src, const Target& target)
{
    const SafetensorsEntry& e = *src.entry;
    const std::byte* p = src.shard->st.data(e);
    const uint64_t nbytes = e.end - e.begin;
    if (target.transpose) {
        // Conv1D stores W as (in, out) so that y = x W; the GGUF/linear layout is
        // (out, in): dst[o][i] = src[i][o].
        const int64_t in = e.shape[0], out = e.shape[1];
        std::vector<float> v(size_t(in * out));
        const int es = elemSize(e.dtype);
        for (int64_t i = 0; i < in; ++i)
            for (int64_t o = 0; o < out; ++o)
                v[size_t(o * in + i)] = loadValue(p + (i * out + o) * es, e.dtype);
        return makeOwnedF32Tensor(target.name, {out, in}, std::move(v));
    }
    Tensor t;
    t.name = target.name;
    t.dtype = e.dtype;
    t.shape = e.shape;
    t.nbytes = nbytes;
    if (reinterpret_cast<uintptr_t>(p) % uintptr_t(elemSize(e.dtype)) == 0) {
        t.data = p;
        t.owner = src.shard->st.mapping;  // a view: the mapping lives as long as the tensor
    } else {  // misaligned data offset: copy so the engine may read it as typed values
        auto buf = std::make_shared<std::vector<std::byte>>(p, p + nbytes);
        t.data = buf->data();
        t.owner = buf;
    }
    return t;
}

bool sameBytes(const Source& a, const Source& b)
{
    const auto& x = *a.entry;
    const auto& y = *b.entry;
    return x.dtype == y.dtype && x.shape == y.shape &&
           std::memcmp(a.shard->st.data(x), b.shard->st.data(y), x.end - x.begin) == 0;
}

// ---- tokenizer ------------------------------------------------------------

// A special token given as "<s>" or {"content": "<s>", ...} -> its id in the vocabulary.
int32_t tokenIdOf(const json& v, const TokenizerSpec& spec)
{
    const json* s = &v;
    if (v.is_object()) {
        auto it = v.find("content");
        if (it == v.end()) return -1;
        s = &*it;
    }
    if (!s->is_string()) return -1;
    const std::string piece = s->get<std::string>();
    for (size_t i = 0; i < spec.tokens.size(); ++i)
        if (spec.tokens[i] == piece) return int32_t(i);
    return -1;
}

int32_t idFromConfig(const json& config, const char* key, size_t vocab)
{
    auto it = config.find(key);
    if (it == config.end()) return -1;
    const json* v = &*it;
    if (v->is_array() && !v->empty()) v = &(*v)[0];  // e.g. Llama 3: eos_token_id = [128001, 128009]
    if (v->is_number_unsigned() && v->get<uint64_t>() < vocab) return int32_t(v->get<uint64_t>());
    return -1;
}

Result<TokenizerSpec> loadTokenizer(const std::string& folder, const json& config)
{
    const std::string path = folder + "/tokenizer.json";
    if (!fs::exists(path)) return TokenizerSpec{};  // TokenizerKind::None
    PRECIS_TRY_ASSIGN(TokenizerSpec spec, parseTokenizerJson(path));
    json tc = json::object();
    const std::string tcPath = folder + "/tokenizer_config.json";
    if (fs::exists(tcPath)) {
        PRECIS_TRY_ASSIGN(tc, readJsonFile(tcPath));
    }
    const size_t vocab = spec.tokens.size();
    if (spec.bos < 0 && tc.contains("bos_token")) spec.bos = tokenIdOf(tc["bos_token"], spec);
    if (spec.eos < 0 && tc.contains("eos_token")) spec.eos = tokenIdOf(tc["eos_token"], spec);
    if (spec.bos < 0) spec.bos = idFromConfig(config, "bos_token_id", vocab);
    if (spec.eos < 0) spec.eos = idFromConfig(config, "eos_token_id", vocab);
    if (auto it = tc.find("add_bos_token"); it != tc.end() && it->is_boolean()) spec.addBos = it->get<bool>();
    if (auto it = tc.find("add_eos_token"); it != tc.end() && it->is_boolean()) spec.addEos = it->get<bool>();
    return spec;
}

} // namespace

Result<std::shared_ptr<Model>> loadModel(const std::string& folder)
{
    const std::string configPath = folder + "/config.json";
    if (!fs::exists(configPath))
        return makeError(ErrorCode::Io, folder, "config.json not found (not a Hugging Face model folder)");
    PRECIS_TRY_ASSIGN(const json config, readJsonFile(configPath));
    const ConfigReader reader(config, configPath);
    auto mt = config.find("model_type");
    if (mt == config.end() || !mt->is_string())
        return reader.error("model_type", mt == config.end() ? "is missing" : "is " + valueText(*mt) + ", expected a string");
    const std::string modelType = mt->get<std::string>();
    const bool gpt2 = modelType == "gpt2";
    if (!gpt2 && modelType != "llama" && modelType != "qwen2" && modelType != "mistral")
        return reader.error("model_type", "'" + modelType + "' is not supported (expected llama, qwen2, mistral or gpt2)",
                            ErrorCode::Unsupported);

    auto model = std::make_shared<Model>();
    model->path = folder;
    model->format = "safetensors";
    PRECIS_TRY_ASSIGN(model->config, gpt2 ? gpt2Config(reader) : llamaConfig(reader, modelType));
    ModelConfig& cfg = model->config;

    PRECIS_TRY_ASSIGN(const std::vector<Shard> shards, openShards(folder));
    std::vector<std::pair<Source, Target>> mapped;
    std::optional<Source> lmHead, embed;
    for (const Shard& shard : shards) {
        model->fileBytes += shard.st.mapping->size();
        for (const SafetensorsEntry& e : shard.st.entries) {
            const std::string where = folder + "/" + shard.file + ": tensor '" + e.name + "'";
            PRECIS_TRY_ASSIGN(Target target, gpt2 ? gpt2Target(e.name, where, cfg.nLayer) : llamaTarget(e.name, where, cfg.nLayer));
            if (target.name.empty()) continue;  // known non-parameter buffer
            if (!e.supported)
                return makeError(ErrorCode::Unsupported, where, "dtype " + e.fileDtype + " is not supported (expected F32, F16 or BF16)");
            if (target.transpose && e.shape.size() != 2)
                return makeError(ErrorCode::Format, where, "a Conv1D weight must have 2 dimensions, found " + std::to_string(e.shape.size()));
            const Source src{&shard, &e};
            if (target.name == "output.weight") { lmHead = src; continue; }
            if (target.name == "token_embd.weight") embed = src;
            mapped.emplace_back(src, std::move(target));
        }
    }
    // Output projection: HF ties lm_head to the embedding when tie_word_embeddings
    // is true (a stored lm_head is then ignored, as transformers does); a missing
    // lm_head also means tied.
    if (!lmHead) {
        cfg.tiedOutput = true;
    } else if (cfg.tiedOutput) {
        if (embed && !sameBytes(*lmHead, *embed))
            model->metadata.emplace_back("note", "lm_head.weight differs from the embedding; ignored (tie_word_embeddings)");
    } else {
        mapped.emplace_back(*lmHead, Target{"output.weight"});
    }

    std::unordered_map<std::string, std::string> hfNameOf;  // GGUF name -> "'HF name' in shard"
    for (const auto& [src, target] : mapped) {
        const std::string origin = "'" + src.entry->name + "' in " + src.shard->file;
        if (!model->addTensor(makeTensor(src, target)))
            return makeError(ErrorCode::Format, folder + "/" + src.shard->file + ": tensor '" + src.entry->name + "'",
                             "maps to '" + target.name + "', already provided by " + hfNameOf[target.name]);
        hfNameOf[target.name] = origin;
    }

    auto withOrigin = [&](Error e) {
        for (const auto& [gguf, origin] : hfNameOf)
            if (e.message.find("'" + gguf + "'") != std::string::npos) {
                e.message += " (from " + origin + ")";
                break;
            }
        return e;
    };
    if (auto v = model->validate(); !v.ok()) return withOrigin(v.error());
    std::unordered_map<std::string, bool> expected;
    for (const auto& [name, shape] : model->expectedTensors()) expected[name] = true;
    for (const Tensor& t : model->tensors())
        if (!expected.count(t.name))
            return withOrigin(makeError(ErrorCode::Format, folder,
                                        "tensor '" + t.name + "' is not used by a " + modelType +
                                            " model with this config.json"));

    // A tokenizer.json we cannot handle (e.g. a Unigram model) leaves the model
    // usable for inspection; a malformed one is an error like any other file.
    auto tok = loadTokenizer(folder, config);
    if (tok.ok())
        model->tokenizer = std::move(tok).value();
    else if (tok.error().code == ErrorCode::Unsupported)
        model->metadata.emplace_back("tokenizer", "not loaded: " + tok.error().toString());
    else
        return tok.error();

    auto& md = model->metadata;
    md.insert(md.begin(), {"model_type", modelType});
    if (auto a = config.find("architectures"); a != config.end() && a->is_array() && !a->empty() && (*a)[0].is_string())
        md.emplace_back("architectures", (*a)[0].get<std::string>());
    if (auto d = config.find("torch_dtype"); d != config.end() && d->is_string())
        md.emplace_back("torch_dtype", d->get<std::string>());
    md.emplace_back("shards", std::to_string(shards.size()));
    md.emplace_back("output", cfg.tiedOutput ? "tied to token_embd" : "separate lm_head");
    return model;
}

} // namespace precis::hf
