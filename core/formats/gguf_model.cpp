// GGUF -> Model and TokenizerSpec (key names as in llama.cpp's llama-arch.cpp
// and gguf-py's constants.py).
#include "formats/gguf.h"

#include <algorithm>
#include <climits>

namespace precis::gguf {

namespace {

std::string typeText(const Value& v)
{
    static const char* names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                  "bool", "string", "array", "u64", "i64", "f64"};
    if (v.type == ValueType::Array)
        return std::string("array of ") + names[uint32_t(v.elemType)];
    return names[uint32_t(v.type)];
}

bool isIntegerType(ValueType t)
{
    switch (t) {
    case ValueType::Uint8: case ValueType::Int8: case ValueType::Uint16: case ValueType::Int16:
    case ValueType::Uint32: case ValueType::Int32: case ValueType::Uint64: case ValueType::Int64:
        return true;
    default:
        return false;
    }
}

// Typed access to keys, with errors "file: key 'k': ...".
class Keys {
public:
    explicit Keys(const File& f) : m_file(f), m_path(f.mapping ? f.mapping->path() : std::string()) {}

    Error error(const std::string& key, const std::string& message, ErrorCode code = ErrorCode::Format) const
    {
        return makeError(code, m_path + ": key '" + key + "'", message);
    }
    const Value* find(const std::string& key) const { return m_file.find(key); }

    // A positive integer hyper-parameter; `fallback` (if > 0) when absent.
    Result<int> positiveInt(const std::string& key, int fallback = 0) const
    {
        const Value* v = find(key);
        if (!v) {
            if (fallback > 0) return fallback;
            return error(key, "is missing, expected a positive integer");
        }
        if (!isIntegerType(v->type))
            return error(key, "has type " + typeText(*v) + ", expected an integer");
        const auto i = v->asInt();
        if (!i || *i < 1 || *i > INT_MAX)
            return error(key, "value " + v->toDisplayString() + " is out of range, expected 1.." + std::to_string(INT_MAX));
        return int(*i);
    }

    Result<double> number(const std::string& key, std::optional<double> fallback) const
    {
        const Value* v = find(key);
        if (!v) {
            if (fallback) return *fallback;
            return error(key, "is missing, expected a number");
        }
        const auto f = v->asFloat();
        if (!f)
            return error(key, "has type " + typeText(*v) + ", expected a number");
        return *f;
    }

    Result<std::optional<std::string>> string(const std::string& key) const
    {
        const Value* v = find(key);
        if (!v) return std::optional<std::string>();
        if (!v->asString())
            return error(key, "has type " + typeText(*v) + ", expected string");
        return std::optional<std::string>(v->s);
    }

    Result<bool> boolean(const std::string& key, bool fallback) const
    {
        const Value* v = find(key);
        if (!v) return fallback;
        if (v->type != ValueType::Bool)
            return error(key, "has type " + typeText(*v) + ", expected bool");
        return v->i != 0;
    }

    // An array whose elements satisfy `accept`; nullptr when absent and optional.
    template <typename Accept>
    Result<const Value*> array(const std::string& key, bool required, const char* expected, Accept accept) const
    {
        const Value* v = find(key);
        if (!v) {
            if (required) return error(key, std::string("is missing, expected ") + expected);
            return static_cast<const Value*>(nullptr);
        }
        if (v->type != ValueType::Array || !accept(v->elemType))
            return error(key, "has type " + typeText(*v) + ", expected " + expected);
        return v;
    }

private:
    const File& m_file;
    std::string m_path;
};

// Token id keys hold u32 with 0xFFFFFFFF (or -1) meaning "none".
Result<int32_t> tokenId(const Keys& keys, const std::string& key, int32_t fallback, size_t nTokens)
{
    const Value* v = keys.find(key);
    if (!v)
        return fallback >= 0 && size_t(fallback) < nTokens ? fallback : -1;
    if (!isIntegerType(v->type))
        return keys.error(key, "has type " + typeText(*v) + ", expected an integer token id");
    const int64_t id = v->i;
    if (id == -1 || (v->type == ValueType::Uint32 && uint64_t(id) == 0xFFFFFFFFu))
        return -1;
    if (id < 0 || uint64_t(id) >= nTokens)
        return keys.error(key, "token id " + v->toDisplayString() + " is out of range, the vocabulary has " +
                                   std::to_string(nTokens) + " tokens");
    return int32_t(id);
}

} // namespace

Result<TokenizerSpec> readTokenizer(const File& file)
{
    const Keys keys(file);
    TokenizerSpec spec;
    PRECIS_TRY_ASSIGN(const auto model, keys.string("tokenizer.ggml.model"));
    if (!model || *model == "no" || *model == "none")
        return spec;
    if (*model == "llama")
        spec.kind = TokenizerKind::SentencePiece;
    else if (*model == "gpt2")
        spec.kind = TokenizerKind::ByteLevelBpe;
    else
        return keys.error("tokenizer.ggml.model", "tokenizer model '" + *model +
                              "' is not supported, expected 'llama' (SentencePiece) or 'gpt2' (byte-level BPE)",
                          ErrorCode::Unsupported);
    const bool spm = spec.kind == TokenizerKind::SentencePiece;

    auto isString = [](ValueType t) { return t == ValueType::String; };
    PRECIS_TRY_ASSIGN(const Value* tokens, keys.array("tokenizer.ggml.tokens", true, "array of string", isString));
    const size_t n = tokens->arr.size();
    if (n == 0)
        return keys.error("tokenizer.ggml.tokens", "is empty, expected at least one token");
    spec.tokens.reserve(n);
    for (const Value& t : tokens->arr) spec.tokens.push_back(t.s);

    auto sameLength = [&](const std::string& key, const Value* v) -> Result<void> {
        if (v && v->arr.size() != n)
            return keys.error(key, "has " + std::to_string(v->arr.size()) + " entries, expected " + std::to_string(n) +
                                       " (one per token)");
        return {};
    };
    auto isFloat = [](ValueType t) { return t == ValueType::Float32 || t == ValueType::Float64; };
    PRECIS_TRY_ASSIGN(const Value* scores, keys.array("tokenizer.ggml.scores", false, "array of f32", isFloat));
    PRECIS_TRY(sameLength("tokenizer.ggml.scores", scores));
    if (scores)
        for (const Value& s : scores->arr) spec.scores.push_back(float(s.f));

    PRECIS_TRY_ASSIGN(const Value* types, keys.array("tokenizer.ggml.token_type", false, "array of i32", isIntegerType));
    PRECIS_TRY(sameLength("tokenizer.ggml.token_type", types));
    if (types) {
        spec.types.reserve(n);
        for (size_t k = 0; k < n; ++k) {
            const int64_t t = types->arr[k].i;
            if (t < 0 || t > int64_t(TokenType::Byte))
                return keys.error("tokenizer.ggml.token_type", "token " + std::to_string(k) + " has type " +
                                      types->arr[k].toDisplayString() + ", expected 0..6");
            spec.types.push_back(TokenType(t));
        }
    }

    PRECIS_TRY_ASSIGN(const Value* merges, keys.array("tokenizer.ggml.merges", !spm, "array of string", isString));
    if (merges) {
        spec.merges.reserve(merges->arr.size());
        for (const Value& m : merges->arr) spec.merges.push_back(m.s);
    }

    // llama.cpp's defaults for SentencePiece vocabularies without the keys.
    PRECIS_TRY_ASSIGN(spec.bos, tokenId(keys, "tokenizer.ggml.bos_token_id", spm ? 1 : -1, n));
    PRECIS_TRY_ASSIGN(spec.eos, tokenId(keys, "tokenizer.ggml.eos_token_id", spm ? 2 : -1, n));
    PRECIS_TRY_ASSIGN(spec.unk, tokenId(keys, "tokenizer.ggml.unknown_token_id", spm ? 0 : -1, n));
    PRECIS_TRY_ASSIGN(spec.pad, tokenId(keys, "tokenizer.ggml.padding_token_id", -1, n));
    PRECIS_TRY_ASSIGN(spec.addBos, keys.boolean("tokenizer.ggml.add_bos_token", spm));
    PRECIS_TRY_ASSIGN(spec.addEos, keys.boolean("tokenizer.ggml.add_eos_token", false));
    PRECIS_TRY_ASSIGN(spec.addSpacePrefix, keys.boolean("tokenizer.ggml.add_space_prefix", spm));
    PRECIS_TRY_ASSIGN(const auto pre, keys.string("tokenizer.ggml.pre"));
    spec.pre = pre && !pre->empty() ? *pre : "default";
    return spec;
}

Result<std::shared_ptr<Model>> loadModel(const std::string& path)
{
    PRECIS_TRY_ASSIGN(File file, File::open(path));
    const Keys keys(file);
    auto model = std::make_shared<Model>();
    model->path = path;
    model->format = "gguf";
    model->fileBytes = file.mapping->size();
    ModelConfig& c = model->config;

    PRECIS_TRY_ASSIGN(const auto arch, keys.string("general.architecture"));
    if (!arch)
        return keys.error("general.architecture", "is missing, expected the architecture name");
    c.archName = *arch;
    if (c.archName == "llama" || c.archName == "mistral" || c.archName == "qwen2")
        c.arch = Arch::Llama;
    else if (c.archName == "gpt2")
        c.arch = Arch::Gpt2;
    else
        return keys.error("general.architecture", "architecture '" + c.archName +
                              "' is not supported, expected llama, mistral, qwen2 or gpt2", ErrorCode::Unsupported);

    const std::string a = c.archName + ".";
    PRECIS_TRY_ASSIGN(c.nCtx, keys.positiveInt(a + "context_length"));
    PRECIS_TRY_ASSIGN(c.nEmbd, keys.positiveInt(a + "embedding_length"));
    PRECIS_TRY_ASSIGN(c.nLayer, keys.positiveInt(a + "block_count"));
    PRECIS_TRY_ASSIGN(c.nFf, keys.positiveInt(a + "feed_forward_length"));
    PRECIS_TRY_ASSIGN(c.nHead, keys.positiveInt(a + "attention.head_count"));
    PRECIS_TRY_ASSIGN(c.nHeadKv, keys.positiveInt(a + "attention.head_count_kv", c.nHead));
    const std::string epsKey = a + (c.arch == Arch::Llama ? "attention.layer_norm_rms_epsilon" : "attention.layer_norm_epsilon");
    PRECIS_TRY_ASSIGN(const double eps, keys.number(epsKey, std::nullopt));
    c.normEps = float(eps);
    if (c.arch == Arch::Llama) {
        PRECIS_TRY_ASSIGN(const double theta, keys.number(a + "rope.freq_base", 10000.0));
        c.ropeTheta = float(theta);
        if (c.nEmbd % c.nHead == 0) {
            PRECIS_TRY_ASSIGN(const int nRot, keys.positiveInt(a + "rope.dimension_count", c.headDim()));
            if (nRot != c.headDim())
                return keys.error(a + "rope.dimension_count", "partial rotary embedding (" + std::to_string(nRot) +
                                      " of " + std::to_string(c.headDim()) + " head dimensions) is not supported",
                                  ErrorCode::Unsupported);
        }
        // llama.cpp's converter permutes HF q/k rows of Llama/Mistral into the
        // interleaved pair order (ROPE_TYPE_NORM); Qwen2 is stored unpermuted and
        // run with ROPE_TYPE_NEOX, i.e. rotate-half pairs.
        c.ropeLayout = c.archName == "qwen2" ? RopeLayout::RotateHalf : RopeLayout::Interleaved;
    }

    for (const TensorInfo& info : file.tensors) {
        Tensor t;
        t.name = info.name;
        t.dtype = info.dtype;
        t.shape = info.shape;
        t.data = file.tensorData(info);
        t.nbytes = info.nbytes;
        t.owner = file.mapping;
        model->addTensor(std::move(t));  // names are unique (checked by File::open)
    }
    c.tiedOutput = model->find("output.weight") == nullptr;
    c.qkvBias = c.arch == Arch::Llama && model->find("blk.0.attn_q.bias") != nullptr;

    PRECIS_TRY_ASSIGN(model->tokenizer, readTokenizer(file));
    if (keys.find(a + "vocab_size")) {
        PRECIS_TRY_ASSIGN(c.nVocab, keys.positiveInt(a + "vocab_size"));
    } else if (!model->tokenizer.tokens.empty()) {
        c.nVocab = int(model->tokenizer.tokens.size());
    } else if (const Tensor* emb = model->find("token_embd.weight"); emb && emb->shape.size() == 2) {
        c.nVocab = int(std::min<int64_t>(emb->shape[0], INT_MAX));
    }

    constexpr size_t kMaxShownItems = 16;
    for (const auto& [key, value] : file.kv) {
        const bool big = value.type == ValueType::Array && value.arr.size() > kMaxShownItems;
        model->metadata.emplace_back(key, value.toDisplayString(big ? 0 : kMaxShownItems));
    }
    PRECIS_TRY(model->validate());
    return model;
}

} // namespace precis::gguf
