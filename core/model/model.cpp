#include "model/model.h"

#include "model/segmented.h"

#include <climits>
#include <cstring>

namespace precis {

Tensor makeOwnedF32Tensor(std::string name, std::vector<int64_t> shape, std::vector<float> values)
{
    auto buf = std::make_shared<std::vector<float>>(std::move(values));
    Tensor t;
    t.name = std::move(name);
    t.dtype = DType::F32;
    t.shape = std::move(shape);
    t.data = reinterpret_cast<const std::byte*>(buf->data());
    t.nbytes = buf->size() * sizeof(float);
    t.owner = buf;
    return t;
}

const Tensor* Model::find(const std::string& name) const
{
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

bool Model::addTensor(Tensor t)
{
    if (m_index.count(t.name))
        return false;
    m_index.emplace(t.name, m_tensors.size());
    m_tensors.push_back(std::move(t));
    return true;
}

int64_t Model::parameterCount() const
{
    int64_t n = 0;
    for (const auto& t : m_tensors) n += t.numel();
    return n;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> Model::expectedTensors() const
{
    const ModelConfig& c = config;
    const int64_t C = c.nEmbd, V = c.nVocab, F = c.nFf;
    const int64_t kv = int64_t(c.nHeadKv) * c.headDim();
    std::vector<std::pair<std::string, std::vector<int64_t>>> out;
    out.push_back({"token_embd.weight", {V, C}});
    if (c.arch == Arch::Gpt2)
        out.push_back({"position_embd.weight", {c.nCtx, C}});
    for (int l = 0; l < c.nLayer; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        if (c.arch == Arch::Llama) {
            out.push_back({b + "attn_norm.weight", {C}});
            out.push_back({b + "attn_q.weight", {C, C}});
            out.push_back({b + "attn_k.weight", {kv, C}});
            out.push_back({b + "attn_v.weight", {kv, C}});
            if (c.qkvBias) {
                out.push_back({b + "attn_q.bias", {C}});
                out.push_back({b + "attn_k.bias", {kv}});
                out.push_back({b + "attn_v.bias", {kv}});
            }
            out.push_back({b + "attn_output.weight", {C, C}});
            out.push_back({b + "ffn_norm.weight", {C}});
            out.push_back({b + "ffn_gate.weight", {F, C}});
            out.push_back({b + "ffn_up.weight", {F, C}});
            out.push_back({b + "ffn_down.weight", {C, F}});
        } else {
            out.push_back({b + "attn_norm.weight", {C}});
            out.push_back({b + "attn_norm.bias", {C}});
            out.push_back({b + "attn_qkv.weight", {3 * C, C}});
            out.push_back({b + "attn_qkv.bias", {3 * C}});
            out.push_back({b + "attn_output.weight", {C, C}});
            out.push_back({b + "attn_output.bias", {C}});
            out.push_back({b + "ffn_norm.weight", {C}});
            out.push_back({b + "ffn_norm.bias", {C}});
            out.push_back({b + "ffn_up.weight", {F, C}});
            out.push_back({b + "ffn_up.bias", {F}});
            out.push_back({b + "ffn_down.weight", {C, F}});
            out.push_back({b + "ffn_down.bias", {C}});
        }
    }
    out.push_back({"output_norm.weight", {C}});
    if (c.arch == Arch::Gpt2)
        out.push_back({"output_norm.bias", {C}});
    if (!c.tiedOutput)
        out.push_back({"output.weight", {V, C}});
    return out;
}

std::string shapeString(const std::vector<int64_t>& s)
{
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

Result<void> Model::validate() const
{
    const ModelConfig& c = config;
    auto bad = [&](const std::string& field, long long v, const char* expected) {
        return makeError(ErrorCode::Format, path,
                         "hyper-parameter " + field + " = " + std::to_string(v) + ", expected " + expected);
    };
    if (c.nLayer <= 0 || c.nLayer > 4096) return bad("n_layer", c.nLayer, "1..4096");
    if (c.nEmbd <= 0 || c.nEmbd > (1 << 20)) return bad("n_embd", c.nEmbd, "1..1048576");
    if (c.nHead <= 0 || c.nEmbd % c.nHead != 0) return bad("n_head", c.nHead, "a positive divisor of n_embd");
    if (c.nHeadKv <= 0 || c.nHead % c.nHeadKv != 0) return bad("n_head_kv", c.nHeadKv, "a positive divisor of n_head");
    if (c.arch == Arch::Llama && c.headDim() % 2 != 0) return bad("head_dim", c.headDim(), "an even number (RoPE)");
    if (c.nFf <= 0 || c.nFf > (1 << 24)) return bad("n_ff", c.nFf, "1..16777216");
    if (c.nVocab <= 0 || c.nVocab > (1 << 24)) return bad("n_vocab", c.nVocab, "1..16777216");
    if (c.nCtx <= 0 || c.nCtx > (1 << 24)) return bad("n_ctx", c.nCtx, "1..16777216");
    if (!(c.normEps > 0.0f && c.normEps < 1.0f))
        return makeError(ErrorCode::Format, path, "norm epsilon " + std::to_string(c.normEps) + ", expected a value in (0, 1)");
    if (!(c.ropeTheta > 0.0f))
        return makeError(ErrorCode::Format, path, "rope theta " + std::to_string(c.ropeTheta) + ", expected > 0");
    for (const auto& [name, shape] : expectedTensors()) {
        const Tensor* t = find(name);
        if (!t)
            return makeError(ErrorCode::Format, path, "tensor '" + name + "' is missing (expected shape " + shapeString(shape) + ")");
        if (t->shape != shape)
            return makeError(ErrorCode::Format, path, "tensor '" + name + "' has shape " + shapeString(t->shape) +
                                                          ", expected " + shapeString(shape));
    }
    // A segmented tensor's header decides how its bytes are read: check it here,
    // once, so the engine and the codecs see only well-formed ones.
    for (const Tensor& t : m_tensors)
        if (t.dtype == DType::Segmented)
            if (auto l = readSegmentedLayout(t); !l.ok())
                return makeError(l.error().code, path + ": " + l.error().where, l.error().message);
    return {};
}

int64_t expectedParameterCount(const ModelConfig& config)
{
    Model shape;
    shape.config = config;
    int64_t n = 0;
    for (const auto& [name, dims] : shape.expectedTensors()) {
        int64_t k = 1;
        for (int64_t d : dims) k = d > 0 && k <= INT64_MAX / d ? k * d : INT64_MAX;
        n = k <= INT64_MAX - n ? n + k : INT64_MAX;
    }
    return n;
}

} // namespace precis
