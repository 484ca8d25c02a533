// Exact gradients of the mean next-token NLL (backward.h), llm.c style: a
// training forward over all B·T rows that keeps each layer's activations, then
// every op's backward in reverse (ops in backward_ops.h).
//
// Llama block (llama_forward.cpp) and GPT-2 block (gpt2_forward.cpp):
//   h       = x + W_o · (ξ ⊙ attn(q, k, v)) (+ b_o)       ξ = head gates, all 1
//   x_next  = h + W_down · act(norm2(h)) (+ b_down)
// with q, k, v = W_{q,k,v} · norm1(x) (+ b), RoPE on q and k for Llama. GPT-2's
// fused attn_qkv is handled as three row slices q | k | v of one weight.
#include "engine/backward.h"

#include "engine/backward_ops.h"

#include <algorithm>
#include <cstdio>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <new>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace precis {

namespace {

using engine::Mat;
using engine::MatmulJob;
namespace G = engine::grad;

constexpr int64_t kMaxLlamaPositions = 1 << 20;  // as the inference engine

// One parameter tensor (or a row slice of one): values, gradient (null in a
// loss-only pass; absent tensors have w == g == nullptr) and its name.
struct Slot {
    const float* w = nullptr;
    float* g = nullptr;
    int64_t rows = 0, cols = 0;
    const std::string* name = nullptr;
    int64_t row0 = 0;  // first row of the named tensor this slot covers
    Mat mat() const { return {w, rows, cols}; }
    Slot rowSlice(int64_t r0, int64_t n) const
    {
        return {w + r0 * cols, g ? g + r0 * cols : nullptr, n, cols, name, row0 + r0};
    }
};

struct LayerSlots {
    Slot attnNorm, attnNormB, q, k, v, qB, kB, vB, o, oB, ffnNorm, ffnNormB, gate, up, upB, down, downB;
};

struct Slots {
    Slot tokEmbd, posEmbd, outNorm, outNormB, output;
    std::vector<LayerSlots> layers;
};

// Where the gradient of parameter tensor i lives (null: no gradient, a loss-only pass).
using GradBase = std::function<float*(size_t)>;
// Where the values of parameter tensor i are (null: not read yet, weights as stored).
using ValueBase = std::function<const float*(size_t)>;

Slot slotOf(const Parameters& p, const ValueBase& values, const GradBase& grads, const std::string& name)
{
    for (size_t i = 0; i < p.tensors.size(); ++i) {
        const ParameterTensor& t = p.tensors[i];
        if (t.name != name) continue;
        const int64_t rows = t.shape.size() < 2 ? 1 : t.shape[0];
        const int64_t cols = t.shape.empty() ? 1 : t.shape.back();
        return {values(i), grads ? grads(i) : nullptr, rows, cols, &t.name, 0};
    }
    return {};
}

// Block l's tensors, by role.
LayerSlots makeLayerSlots(const Parameters& p, const ValueBase& values, const GradBase& grads, int l)
{
    const ModelConfig& c = p.config;
    auto get = [&](const std::string& n) { return slotOf(p, values, grads, n); };
    const int64_t C = c.nEmbd;
    const std::string b = "blk." + std::to_string(l) + ".";
    LayerSlots L;
    L.attnNorm = get(b + "attn_norm.weight");
    L.attnNormB = get(b + "attn_norm.bias");
    L.o = get(b + "attn_output.weight");
    L.oB = get(b + "attn_output.bias");
    L.ffnNorm = get(b + "ffn_norm.weight");
    L.ffnNormB = get(b + "ffn_norm.bias");
    L.gate = get(b + "ffn_gate.weight");
    L.up = get(b + "ffn_up.weight");
    L.upB = get(b + "ffn_up.bias");
    L.down = get(b + "ffn_down.weight");
    L.downB = get(b + "ffn_down.bias");
    if (c.arch == Arch::Gpt2) {
        const Slot qkv = get(b + "attn_qkv.weight"), qkvB = get(b + "attn_qkv.bias");
        L.q = qkv.rowSlice(0, C), L.k = qkv.rowSlice(C, C), L.v = qkv.rowSlice(2 * C, C);
        // A bias (3C) is one row of 3C columns: slice it as columns.
        auto biasSlice = [&](int64_t c0) {
            return Slot{qkvB.w ? qkvB.w + c0 : nullptr, qkvB.g ? qkvB.g + c0 : nullptr, 1, C, qkvB.name, 0};
        };
        L.qB = biasSlice(0), L.kB = biasSlice(C), L.vB = biasSlice(2 * C);
    } else {
        L.q = get(b + "attn_q.weight"), L.k = get(b + "attn_k.weight"), L.v = get(b + "attn_v.weight");
        L.qB = get(b + "attn_q.bias"), L.kB = get(b + "attn_k.bias"), L.vB = get(b + "attn_v.bias");
    }
    return L;
}

// Every tensor the architecture needs, by role.
Slots makeSlots(const Parameters& p, const ValueBase& values, const GradBase& grads)
{
    const ModelConfig& c = p.config;
    auto get = [&](const std::string& n) { return slotOf(p, values, grads, n); };
    Slots s;
    s.tokEmbd = get("token_embd.weight");
    s.posEmbd = get("position_embd.weight");
    s.outNorm = get("output_norm.weight");
    s.outNormB = get("output_norm.bias");
    s.output = c.tiedOutput ? s.tokEmbd : get("output.weight");
    for (int l = 0; l < c.nLayer; ++l) s.layers.push_back(makeLayerSlots(p, values, grads, l));
    return s;
}

// The parameters' own values (null for tensors left in the model file).
ValueBase heldValues(const Parameters& p)
{
    return [&p](size_t i) -> const float* { return p.isStored(i) ? nullptr : p.tensors[i].values.data(); };
}

// Points the slots of overridden tensors at the overrides' values (GPT-2's q/k/v
// bias slices are column slices, never overridden: biases stay float).
void applyOverrides(Slot& s, std::span<const TensorOverride> overrides)
{
    if (!s.name) return;
    for (const TensorOverride& o : overrides)
        if (o.name == *s.name) s.w = o.values + s.row0 * s.cols;
}
void applyOverrides(LayerSlots& L, std::span<const TensorOverride> overrides)
{
    for (Slot* s : {&L.attnNorm, &L.attnNormB, &L.q, &L.k, &L.v, &L.o, &L.oB, &L.ffnNorm, &L.ffnNormB, &L.gate, &L.up,
                    &L.upB, &L.down, &L.downB})
        applyOverrides(*s, overrides);
}

// The layer of a block tensor "blk.N.…", -1 for the others.
int blockOf(const std::string& name)
{
    int layer = -1;
    if (std::sscanf(name.c_str(), "blk.%d.", &layer) == 1 && layer >= 0) return layer;
    return -1;
}

size_t numelOf(const ParameterTensor& t)
{
    size_t n = 1;
    for (int64_t d : t.shape) n *= size_t(d);
    return n;
}

// Weights as stored (Parameters::stored): a layer's tensors are read just before
// the layer runs, forward and again backward, in place (F32 files) or decoded into
// one block's buffer; the file pages of the layer read before are given back. So a
// pass holds one block's weights, whatever the model's size.
class StoredLayers {
public:
    StoredLayers(const Parameters& p, const GradBase& grads, std::span<const TensorOverride> overrides)
        : m_p(p), m_grads(grads), m_overrides(overrides), m_values(p.tensors.size(), nullptr)
    {
        if (!p.stored) return;
        m_blocks.resize(size_t(p.config.nLayer));
        m_offset.assign(p.tensors.size(), 0);
        std::vector<size_t> blockSize(m_blocks.size(), 0);
        for (size_t i = 0; i < p.tensors.size(); ++i) {
            const int l = blockOf(p.tensors[i].name);
            if (!p.isStored(i) || l < 0 || l >= p.config.nLayer) continue;
            m_blocks[size_t(l)].push_back(i);
            m_offset[i] = blockSize[size_t(l)];
            blockSize[size_t(l)] += numelOf(p.tensors[i]);
        }
        for (size_t n : blockSize) m_bufferSize = std::max(m_bufferSize, n);
    }

    bool active() const { return m_p.stored != nullptr; }
    const Error& error() const { return m_error; }
    bool failed() const { return m_failed; }

    // Points slots.layers[l] at layer l's values. False (error() set) when reading fails.
    bool load(int l, Slots& slots)
    {
        if (!active() || l == m_loaded) return true;
        m_current.clear();  // gives back the pages of the layer before
        m_loaded = -1;
        for (size_t i : m_blocks[size_t(l)]) {
            const Tensor* t = m_p.stored->find(m_p.tensors[i].name);
            float* into = nullptr;
            if (!t || t->dtype != DType::F32) {
                if (m_buffer.size() < m_bufferSize) m_buffer.resize(m_bufferSize);  // bad_alloc: the caller's
                into = m_buffer.data() + m_offset[i];
            }
            auto v = TensorValues::of(m_p, i, into);
            if (!v.ok()) {
                m_error = v.error();
                m_failed = true;
                return false;
            }
            m_values[i] = v->data();
            m_current.push_back(std::move(v).value());
        }
        const ValueBase values = [this](size_t i) -> const float* {
            return m_p.isStored(i) ? m_values[i] : m_p.tensors[i].values.data();
        };
        slots.layers[size_t(l)] = makeLayerSlots(m_p, values, m_grads, l);
        applyOverrides(slots.layers[size_t(l)], m_overrides);
        m_loaded = l;
        return true;
    }

private:
    const Parameters& m_p;
    GradBase m_grads;
    std::span<const TensorOverride> m_overrides;
    std::vector<std::vector<size_t>> m_blocks;  // per layer, its stored tensors
    std::vector<size_t> m_offset;               // per tensor, its place in the block buffer
    size_t m_bufferSize = 0;
    std::vector<float> m_buffer;                // one block's decoded values
    std::vector<const float*> m_values;         // per tensor, where its values are now
    std::vector<TensorValues> m_current;        // the layer read now
    int m_loaded = -1;
    Error m_error;
    bool m_failed = false;
};

Result<void> checkInputs(const Parameters& params, std::span<const int32_t> tokens, int B, int T)
{
    const ModelConfig& c = params.config;
    const std::string where = "parameters";
    // The shapes and hyper-parameters are what Model::validate() checks: run it on views.
    Model view;
    view.path = where;
    view.config = c;
    for (size_t i = 0; i < params.tensors.size(); ++i) {
        const ParameterTensor& t = params.tensors[i];
        int64_t n = 1;
        for (int64_t d : t.shape) n = d > 0 && n <= INT64_MAX / d ? n * d : -1;
        const bool stored = params.isStored(i);
        if (n < 0 || (!stored && int64_t(t.values.size()) != n))
            return makeError(ErrorCode::InvalidArgument, where + ": tensor '" + t.name + "'",
                             "holds " + std::to_string(t.values.size()) + " values, which does not match its shape");
        Tensor v;
        v.name = t.name;
        v.shape = t.shape;
        v.data = reinterpret_cast<const std::byte*>(t.values.data());
        v.nbytes = uint64_t(n) * sizeof(float);
        view.addTensor(std::move(v));
    }
    PRECIS_TRY(view.validate());
    if (c.arch == Arch::Gpt2 && c.nHeadKv != c.nHead)
        return makeError(ErrorCode::Unsupported, where,
                         "GPT-2 with n_head_kv = " + std::to_string(c.nHeadKv) + ", expected n_head = " +
                             std::to_string(c.nHead));
    if (B < 1 || T < 1)
        return makeError(ErrorCode::InvalidArgument, where,
                         "empty batch: B = " + std::to_string(B) + ", T = " + std::to_string(T) + ", expected both >= 1");
    if (int64_t(B) * T > INT_MAX / 4 || int64_t(tokens.size()) != int64_t(B) * (T + 1))
        return makeError(ErrorCode::InvalidArgument, where,
                         std::to_string(tokens.size()) + " token ids, expected B·(T+1) = " +
                             std::to_string(int64_t(B) * (T + 1)) + " (B = " + std::to_string(B) +
                             ", T = " + std::to_string(T) + ")");
    const int64_t limit = c.arch == Arch::Gpt2 ? c.nCtx : kMaxLlamaPositions;
    if (T > limit)
        return makeError(ErrorCode::InvalidArgument, where,
                         "T = " + std::to_string(T) + " positions exceeds the limit of " + std::to_string(limit) +
                             (c.arch == Arch::Gpt2 ? " (n_ctx)" : ""));
    for (size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i] < 0 || tokens[i] >= c.nVocab)
            return makeError(ErrorCode::InvalidArgument, where,
                             "token id " + std::to_string(tokens[i]) + " at (sequence " + std::to_string(i / (T + 1)) +
                                 ", position " + std::to_string(i % (T + 1)) + ") is outside the vocabulary (0.." +
                                 std::to_string(c.nVocab - 1) + ")");
    return {};
}

Error cancelledError() { return makeError(ErrorCode::Cancelled, "parameters", "gradient computation cancelled"); }

Error memoryError(int B, int T)
{
    return makeError(ErrorCode::InvalidArgument, "parameters",
                     "not enough memory for the activations of a batch of " + std::to_string(B) + " × " +
                         std::to_string(T) + " tokens");
}

// The block tensors' gradients when they are streamed (BackwardOptions::blockGrads):
// every block's gradients live in one buffer of one block, handed to the sink
// and zeroed after that block's backward.
struct BlockGradBuffer {
    struct Part {
        const std::string* name;
        size_t offset, n;
    };
    std::vector<float> values;              // one block's gradients
    std::vector<std::vector<Part>> blocks;  // per block, its tensors in parameter order
    const WeightGradSink* sink = nullptr;
};

// The floats of one pass's activations and scratch (TrainingPass::allocate):
// every layer's activations when they are kept for the backward pass, else one
// layer's, reused.
struct WorkspaceLayout {
    size_t attnWork = 0, scratch = 0, total = 0;
};
WorkspaceLayout workspaceLayout(const ModelConfig& c, int64_t rows, bool keep)
{
    const size_t N = size_t(rows), C = size_t(c.nEmbd), F = size_t(c.nFf), kv = size_t(c.nHeadKv) * c.headDim();
    const size_t nF = c.arch == Arch::Llama ? 3 : 2;  // ff1, ff2 (Llama), ffa
    const size_t perLayer = N * (6 * C + 2 * kv + nF * F + 4);
    WorkspaceLayout w;
    w.attnWork = keep && c.nHeadKv < c.nHead ? 2 * N * C : 0;
    w.scratch = keep ? N * (4 * C + 2 * kv + 2 * F) + w.attnWork : 0;
    w.total = perLayer * size_t(keep ? c.nLayer : 1) + N * (3 * C + 2 + size_t(c.nVocab)) + w.scratch;
    return w;
}

// One forward (and optionally backward) over a batch. Rows n = b·T + t.
class TrainingPass {
public:
    // keep: hold every layer's activations for backward(); otherwise one set is reused.
    // Memory comes from `workspace` when given.
    // stored (optional): reads each layer's weights before it runs (weights as stored).
    TrainingPass(const ModelConfig& c, Slots& s, StoredLayers* stored, std::span<const int32_t> tokens, int B, int T,
                 bool keep, BackwardWorkspace* workspace)
        : m_c(c), m_s(s), m_stored(stored), m_B(B), m_T(T), m_N(B * T), m_C(c.nEmbd), m_F(c.nFf), m_V(c.nVocab), m_NH(c.nHead),
          m_NKV(c.nHeadKv), m_hd(c.headDim()), m_kv(c.nHeadKv * c.headDim()), m_llama(c.arch == Arch::Llama)
    {
        m_ids.resize(size_t(m_N));
        m_targets.resize(size_t(m_N));
        for (int b = 0; b < B; ++b)
            for (int t = 0; t < T; ++t) {
                m_ids[size_t(b) * T + t] = tokens[size_t(b) * (T + 1) + t];
                m_targets[size_t(b) * T + t] = tokens[size_t(b) * (T + 1) + t + 1];
            }
        if (m_llama) m_rope = engine::ropeTable(0, T, m_hd, c.ropeTheta);
        allocate(keep, workspace);
    }

    // Returns false when cancelled or when reading stored weights failed; loss() is then meaningless. capture (optional):
    // receives the residual stream at the input of every layer and after the
    // last (nLayer + 1 entries of N·C floats). start > 0: the pass begins at
    // layer `start` from from->inputs[start] (layers before it are not run).
    bool forward(const CancelToken* cancel, ResidualCache* capture = nullptr, int start = 0,
                 const ResidualCache* from = nullptr)
    {
        const size_t NC = size_t(m_N) * m_C;
        if (start == 0) {
            G::embeddingForward(m_acts[0].x, m_ids.data(), m_s.tokEmbd.w, m_llama ? nullptr : m_s.posEmbd.w, m_N, m_T,
                                m_C);
        } else {
            float* x = start < m_c.nLayer ? m_acts[size_t(start)].x : m_xf;
            std::copy(from->inputs[size_t(start)].begin(), from->inputs[size_t(start)].end(), x);
        }
        if (capture) capture->inputs.assign(size_t(m_c.nLayer) + 1, {});
        for (int l = start; l < m_c.nLayer; ++l) {
            if (cancel && cancel->cancelled()) return false;
            if (capture) capture->inputs[size_t(l)].assign(m_acts[size_t(l)].x, m_acts[size_t(l)].x + NC);
            if (m_stored && !m_stored->load(l, m_s)) return false;
            layerForward(l);
        }
        if (capture) capture->inputs[size_t(m_c.nLayer)].assign(m_xf, m_xf + NC);
        if (cancel && cancel->cancelled()) return false;
        normForward(m_xnf, m_rstdf, m_meanf, m_xf, m_s.outNorm, m_s.outNormB);
        engine::matmulForward(m_logits, m_xnf, m_s.output.mat(), nullptr, m_N);
        // crossEntropyForward turns the logits into probabilities in place (backward needs those).
        if (m_keepLogits) m_savedLogits.assign(m_logits, m_logits + size_t(m_N) * m_V);
        std::vector<double> nll(static_cast<size_t>(m_N));
        G::crossEntropyForward(nll.data(), m_logits, m_targets.data(), m_N, m_V);
        double sum = 0;
        for (double v : nll) sum += v;
        m_loss = sum / m_N;
        return true;
    }

    double loss() const { return m_loss; }
    // Streams the block gradients through `b` (its buffer is where the slots' block gradients point).
    void streamBlockGrads(BlockGradBuffer* b) { m_blockGrads = b; }
    // The logits of forward() when keepLogits() was called before it.
    void keepLogits() { m_keepLogits = true; }
    std::vector<float> logits() && { return std::move(m_savedLogits); }

    // After forward() with keep: accumulates into the Slots' gradients and fills
    // the requested extras of `r`. Returns false when cancelled or reading failed.
    bool backward(const BackwardOptions& o, BackwardResult& r, const CancelToken* cancel)
    {
        const size_t NC = size_t(m_N) * m_C, NF = size_t(m_N) * m_F, Nkv = size_t(m_N) * m_kv;
        // Scratch, every buffer written before it is read (dres zeroed): dres = d(residual
        // stream), dxn = d(norm output), datt, dq (N, C); dk, dv (N, kvDim); dff = d(FFN
        // activation), then in place d(gate) or d(up before GELU), dup = d(up) (N, F).
        float* dres = m_scratch;  // 4·NC + 2·Nkv + 2·NF floats, reserved by allocate()
        float *dxn = dres + NC, *datt = dxn + NC, *dq = datt + NC, *dk = dq + NC, *dv = dk + Nkv;
        float *dff = dv + Nkv, *dup = dff + NF;
        std::fill(dres, dres + NC, 0.0f);
        m_result = o.linearInputGrads ? &r : nullptr;
        m_observer = o.linearObserver ? &o.linearObserver : nullptr;
        if (m_result) m_tmp.resize(size_t(m_N) * std::max(m_C, m_F));
        if (o.headGates) r.headGateGrads.assign(size_t(m_c.nLayer) * m_NH, 0.0);

        // logits = xnf · outputᵀ; mean NLL gives dlogits = (p − onehot) / N in place.
        G::crossEntropyBackward(m_logits, m_targets.data(), 1.0f / float(m_N), m_N, m_V);
        linear(m_s.output, nullptr, dxn, false, m_logits, m_xnf, m_C, m_V);
        normBackward(dres, m_s.outNorm, m_s.outNormB, dxn, m_xf, m_rstdf, m_meanf);

        const G::AttentionDims dims{m_B, m_T, m_NH, m_NKV, m_hd};
        for (int l = m_c.nLayer - 1; l >= 0; --l) {
            if (cancel && cancel->cancelled()) return false;
            if (m_stored && !m_stored->load(l, m_s)) return false;
            const LayerActs& a = m_acts[size_t(l)];
            const LayerSlots& S = m_s.layers[size_t(l)];
            // Feed-forward branch; dres is d x_next, and also d(branch output).
            linear(S.down, &S.downB, dff, false, dres, a.ffa, m_F, m_C);
            if (m_llama) {
                G::swigluBackward(dff, dup, dff, a.ff1, a.ff2, int64_t(NF));
                linear(S.gate, nullptr, dxn, false, dff, a.xn2, m_C, m_F);
                linear(S.up, nullptr, dxn, true, dup, a.xn2, m_C, m_F);
            } else {
                G::geluBackward(dff, dff, a.ff1, int64_t(NF));
                linear(S.up, &S.upB, dxn, false, dff, a.xn2, m_C, m_F);
            }
            normBackward(dres, S.ffnNorm, S.ffnNormB, dxn, a.h, a.rstd2, a.mean2);  // dres = d h
            // Attention branch.
            linear(S.o, &S.oB, datt, false, dres, a.att, m_C, m_C);
            if (o.headGates)
                G::headGateBackward(r.headGateGrads.data() + size_t(l) * m_NH, datt, a.att, m_N, m_NH, m_hd);
            G::attentionBackward(dq, dk, dv, datt, a.q, a.k, a.v, dims, m_attnWork);
            if (m_llama) {
                G::ropeBackward(dq, m_C, m_NH, m_hd, m_B, m_rope, m_c.ropeLayout);
                G::ropeBackward(dk, m_kv, m_NKV, m_hd, m_B, m_rope, m_c.ropeLayout);
            }
            linear(S.q, &S.qB, dxn, false, dq, a.xn1, m_C, m_C);
            linear(S.k, &S.kB, dxn, true, dk, a.xn1, m_C, m_kv);
            linear(S.v, &S.vB, dxn, true, dv, a.xn1, m_C, m_kv);
            normBackward(dres, S.attnNorm, S.attnNormB, dxn, a.x, a.rstd1, a.mean1);  // dres = d x
            if (m_blockGrads) {
                BlockGradBuffer& bg = *m_blockGrads;
                for (const BlockGradBuffer::Part& part : bg.blocks[size_t(l)])
                    (*bg.sink)(*part.name, bg.values.data() + part.offset, part.n);
                std::fill(bg.values.begin(), bg.values.end(), 0.0f);
            }
        }
        if (cancel && cancel->cancelled()) return false;
        G::embeddingBackward(m_s.tokEmbd.g, m_llama ? nullptr : m_s.posEmbd.g, dres, m_ids.data(), m_N, m_T, m_C);
        return true;
    }

private:
    // One layer's kept activations (rows N): x its input (C), xn1 = norm1(x) (C),
    // q (C), k, v (kvDim) after RoPE, att (C), h = x + attention branch (C),
    // xn2 = norm2(h) (C), ff1 = gate (Llama) or up before GELU (GPT-2) (F),
    // ff2 = up (F, Llama), ffa = activation output (F); rstd*, mean* (1 each).
    struct LayerActs {
        float *x, *xn1, *rstd1, *mean1, *q, *k, *v, *att, *h, *xn2, *rstd2, *mean2, *ff1, *ff2, *ffa;
    };

    void allocate(bool keep, BackwardWorkspace* workspace)
    {
        const int storedLayers = keep ? m_c.nLayer : 1;
        const size_t N = size_t(m_N), C = size_t(m_C), F = size_t(m_F), kv = size_t(m_kv);
        const WorkspaceLayout w = workspaceLayout(m_c, m_N, keep);
        const size_t attnWork = w.attnWork, scratch = w.scratch;
        // Uninitialised: every activation is written before it is read.
        float* p = (workspace ? workspace : &m_own)->reserve(w.total);
        auto take = [&](size_t n) { float* r = p; p += n; return r; };
        m_acts.resize(size_t(m_c.nLayer));
        for (int l = 0; l < storedLayers; ++l) {
            LayerActs& a = m_acts[size_t(l)];
            a.x = take(N * C), a.xn1 = take(N * C), a.q = take(N * C), a.k = take(N * kv), a.v = take(N * kv);
            a.att = take(N * C), a.h = take(N * C), a.xn2 = take(N * C);
            a.ff1 = take(N * F), a.ff2 = m_llama ? take(N * F) : nullptr, a.ffa = take(N * F);
            a.rstd1 = take(N), a.mean1 = take(N), a.rstd2 = take(N), a.mean2 = take(N);
        }
        for (int l = storedLayers; l < m_c.nLayer; ++l) m_acts[size_t(l)] = m_acts[0];  // loss only: reuse
        m_xf = keep ? take(N * C) : m_acts[0].x;  // the last layer's output
        m_xnf = take(N * C), m_proj = take(N * C), m_logits = take(N * size_t(m_V));
        m_rstdf = take(N), m_meanf = take(N);
        m_scratch = take(scratch - attnWork);
        m_attnWork = take(attnWork);
    }

    void normForward(float* out, float* rstd, float* mean, const float* in, const Slot& w, const Slot& b)
    {
        if (m_llama)
            G::rmsnormForward(out, rstd, in, w.w, m_N, m_C, m_c.normEps);
        else
            G::layernormForward(out, mean, rstd, in, w.w, b.w, m_N, m_C, m_c.normEps);
    }

    // din += d norm / d in · dout.
    void normBackward(float* din, const Slot& w, const Slot& b, const float* dout, const float* in, const float* rstd,
                      const float* mean)
    {
        if (m_llama)
            G::rmsnormBackward(din, w.g, dout, in, w.w, rstd, m_N, m_C);
        else
            G::layernormBackward(din, w.g, b.g, dout, in, w.w, mean, rstd, m_N, m_C);
    }

    void layerForward(int l)
    {
        LayerActs& a = m_acts[size_t(l)];
        const LayerSlots& S = m_s.layers[size_t(l)];
        float* xNext = l + 1 < m_c.nLayer ? m_acts[size_t(l) + 1].x : m_xf;  // may alias a.x (loss only)
        const int64_t NC = int64_t(m_N) * m_C, NF = int64_t(m_N) * m_F;

        normForward(a.xn1, a.rstd1, a.mean1, a.x, S.attnNorm, S.attnNormB);
        const Mat q = S.q.mat(), k = S.k.mat(), v = S.v.mat();
        const MatmulJob qkv[3] = {{&q, S.qB.w, a.q, m_C}, {&k, S.kB.w, a.k, m_kv}, {&v, S.vB.w, a.v, m_kv}};
        engine::matmulForward(qkv, a.xn1, m_C, m_N);
        if (m_llama) {
            G::ropeForward(a.q, m_C, m_NH, m_hd, m_B, m_rope, m_c.ropeLayout);
            G::ropeForward(a.k, m_kv, m_NKV, m_hd, m_B, m_rope, m_c.ropeLayout);
        }
        G::attentionForward(a.att, a.q, a.k, a.v, {m_B, m_T, m_NH, m_NKV, m_hd});
        engine::matmulForward(m_proj, a.att, S.o.mat(), S.oB.w, m_N);
        G::residualForward(a.h, a.x, m_proj, NC);

        normForward(a.xn2, a.rstd2, a.mean2, a.h, S.ffnNorm, S.ffnNormB);
        if (m_llama) {
            const Mat gate = S.gate.mat(), up = S.up.mat();
            const MatmulJob jobs[2] = {{&gate, nullptr, a.ff1, m_F}, {&up, nullptr, a.ff2, m_F}};
            engine::matmulForward(jobs, a.xn2, m_C, m_N);
            G::swigluForward(a.ffa, a.ff1, a.ff2, NF);
        } else {
            engine::matmulForward(a.ff1, a.xn2, S.up.mat(), S.upB.w, m_N);
            G::geluForward(a.ffa, a.ff1, NF);
        }
        engine::matmulForward(m_proj, a.ffa, S.down.mat(), S.downB.w, m_N);
        G::residualForward(xNext, a.h, m_proj, NC);
    }

    // Backward of out = inp · Wᵀ (+ b) for the weight (or weight slice) w, with
    // din (N, K) = or += d inp. When input gradients are requested, this layer's
    // own d inp is also added to result.linearInputGrads[w's name] (GPT-2's q,
    // k, v slices of attn_qkv thus sum there, as they share one input).
    void linear(const Slot& w, const Slot* b, float* din, bool accumulate, const float* dout, const float* inp, int K,
                int O)
    {
        float* dbias = b ? b->g : nullptr;
        if (m_observer) (*m_observer)(*w.name, w.row0, inp, K, dout, O, m_N);
        if (!m_result) {
            G::matmulBackward(din, accumulate, w.g, dbias, dout, inp, w.w, m_N, K, O);
            return;
        }
        const size_t n = size_t(m_N) * K;
        std::vector<float>& store = m_result->linearInputGrads[*w.name];
        if (store.empty()) store.assign(n, 0.0f);
        G::matmulBackward(m_tmp.data(), false, w.g, dbias, dout, inp, w.w, m_N, K, O);
        for (size_t i = 0; i < n; ++i) {
            store[i] += m_tmp[i];
            din[i] = accumulate ? din[i] + m_tmp[i] : m_tmp[i];
        }
    }

    const ModelConfig& m_c;
    Slots& m_s;
    StoredLayers* m_stored;
    const int m_B, m_T, m_N, m_C, m_F, m_V, m_NH, m_NKV, m_hd, m_kv;
    const bool m_llama;
    std::vector<int32_t> m_ids, m_targets;  // (N) inputs and next-token targets
    engine::RopeTable m_rope;
    BackwardWorkspace m_own;         // the memory when the caller gives no workspace
    float* m_scratch = nullptr;      // backward() buffers
    float* m_attnWork = nullptr;     // (2, N, C) per-head dK, dV of grouped-query attention
    std::vector<LayerActs> m_acts;
    float *m_xf = nullptr, *m_xnf = nullptr, *m_proj = nullptr, *m_logits = nullptr;  // (N,C) (N,C) (N,C) (N,V)
    bool m_keepLogits = false;
    std::vector<float> m_savedLogits;  // (N,V), see keepLogits()
    float *m_rstdf = nullptr, *m_meanf = nullptr;                                      // (N)
    double m_loss = 0;
    BackwardResult* m_result = nullptr;  // set when linear input gradients are requested
    const LinearObserver* m_observer = nullptr;
    BlockGradBuffer* m_blockGrads = nullptr;
    std::vector<float> m_tmp;            // (N, max(C, F)) one linear layer's input gradient
};

} // namespace

// Activation buffers of more than a few MiB are 2 MiB aligned and, on Linux,
// advised for transparent huge pages: first touch then costs one page fault per
// 2 MiB instead of one per 4 KiB (on a small model the 4 KiB faults took as long
// as the backward pass itself).
float* BackwardWorkspace::reserve(size_t n)
{
    if (n <= m_capacity && m_data) return m_data.get();
    release();
    constexpr size_t kHuge = size_t(2) << 20;
    if (n > (SIZE_MAX - kHuge) / sizeof(float)) throw std::bad_alloc();
    const size_t bytes = std::max<size_t>(n, 1) * sizeof(float);
    const bool huge = bytes >= 4 * kHuge;
    void* p = huge ? std::aligned_alloc(kHuge, (bytes + kHuge - 1) / kHuge * kHuge) : std::malloc(bytes);
    if (!p) throw std::bad_alloc();
#ifdef __linux__
    if (huge) madvise(p, (bytes + kHuge - 1) / kHuge * kHuge, MADV_HUGEPAGE);
#endif
    m_data.reset(static_cast<float*>(p));
    m_capacity = n;
    return m_data.get();
}

void BackwardWorkspace::release()
{
    m_data.reset();
    m_capacity = 0;
}

void BackwardWorkspace::Free::operator()(float* p) const { std::free(p); }

namespace {

// A pass that stopped early: reading stored weights failed, or it was cancelled.
Error stoppedError(const StoredLayers& stored) { return stored.failed() ? stored.error() : cancelledError(); }

} // namespace

Result<BackwardResult> lossAndGradients(const Parameters& params, std::span<const int32_t> tokens, int B, int T,
                                        const BackwardOptions& options, const CancelToken* cancel)
{
    PRECIS_TRY(checkInputs(params, tokens, B, T));
    try {
        BackwardResult r;
        if (!options.blockGrads) {
            r.grads = params.zerosLike();
            r.grads.stored = nullptr;
            const GradBase grads = [&](size_t i) { return r.grads.tensors[i].values.data(); };
            Slots slots = makeSlots(params, heldValues(params), grads);
            StoredLayers stored(params, grads, {});
            TrainingPass pass(params.config, slots, &stored, tokens, B, T, true, options.workspace);
            if (!pass.forward(cancel) || !pass.backward(options, r, cancel)) return stoppedError(stored);
            r.loss = pass.loss();
            return r;
        }
        // Streamed: the block tensors have no buffer of their own in r.grads, they share one
        // block's buffer at the same offsets in every block.
        r.grads.config = params.config;
        for (const ParameterTensor& t : params.tensors) {
            const int l = blockOf(t.name);
            r.grads.tensors.push_back({t.name, t.shape, {}});
            if (l < 0 || l >= params.config.nLayer) r.grads.tensors.back().values.assign(numelOf(t), 0.0f);
        }
        BlockGradBuffer bg;
        bg.sink = &options.blockGrads;
        bg.blocks.resize(size_t(params.config.nLayer));
        std::vector<size_t> offset(params.tensors.size(), 0);
        std::vector<size_t> blockSize(size_t(params.config.nLayer), 0);
        for (size_t i = 0; i < params.tensors.size(); ++i) {
            const int l = blockOf(params.tensors[i].name);
            if (l < 0 || l >= params.config.nLayer) continue;
            const size_t n = numelOf(params.tensors[i]);
            offset[i] = blockSize[size_t(l)];
            bg.blocks[size_t(l)].push_back({&params.tensors[i].name, offset[i], n});
            blockSize[size_t(l)] += n;
        }
        bg.values.assign(blockSize.empty() ? 0 : *std::max_element(blockSize.begin(), blockSize.end()), 0.0f);
        const GradBase grads = [&](size_t i) {
            const int l = blockOf(params.tensors[i].name);
            return l >= 0 && l < params.config.nLayer ? bg.values.data() + offset[i] : r.grads.tensors[i].values.data();
        };
        Slots slots = makeSlots(params, heldValues(params), grads);
        StoredLayers stored(params, grads, {});
        TrainingPass pass(params.config, slots, &stored, tokens, B, T, true, options.workspace);
        pass.streamBlockGrads(&bg);
        if (!pass.forward(cancel) || !pass.backward(options, r, cancel)) return stoppedError(stored);
        for (const ParameterTensor& g : r.grads.tensors)
            if (!g.values.empty()) options.blockGrads(g.name, g.values.data(), g.values.size());
        r.loss = pass.loss();
        return r;
    } catch (const std::bad_alloc&) {
        return memoryError(B, T);
    }
}

namespace {

// The first layer an override changes: 0 for the embeddings, N for a tensor of
// block N, nLayer for the output norm and head (nothing before the logits).
int firstLayerOf(const std::string& name, int nLayer)
{
    int layer = -1;
    if (std::sscanf(name.c_str(), "blk.%d.", &layer) == 1 && layer >= 0) return layer;
    if (name.rfind("output", 0) == 0) return nLayer;
    return 0;
}

} // namespace

int firstChangedLayer(const ModelConfig& config, std::span<const TensorOverride> overrides)
{
    int first = config.nLayer;
    for (const TensorOverride& o : overrides) first = std::min(first, firstLayerOf(o.name, config.nLayer));
    return first;
}

size_t passWorkspaceBytes(const ModelConfig& config, int B, int T, bool backward)
{
    return workspaceLayout(config, int64_t(B) * T, backward).total * sizeof(float);
}

size_t residualCacheBytes(const ModelConfig& config, int B, int T)
{
    return (size_t(config.nLayer) + 1) * size_t(B) * size_t(T) * size_t(config.nEmbd) * sizeof(float);
}

Result<LossAndLogits> lossAndLogits(const Parameters& params, std::span<const int32_t> tokens, int B, int T,
                                    std::span<const TensorOverride> overrides, const CancelToken* cancel,
                                    ResidualCache* capture, const ResidualCache* from)
{
    PRECIS_TRY(checkInputs(params, tokens, B, T));
    const int nLayer = params.config.nLayer;
    const int start = from ? firstChangedLayer(params.config, overrides) : 0;
    if (from && (from->inputs.size() != size_t(nLayer) + 1 ||
                 from->inputs[size_t(start)].size() != size_t(B) * T * params.config.nEmbd))
        return makeError(ErrorCode::InvalidArgument, "parameters",
                         "the residual cache was made for another pass (its layer count or size differs)");
    // Overrides replace the values of their tensor; the slots point at them.
    for (const TensorOverride& o : overrides) {
        if (!params.find(o.name) || !o.values)
            return makeError(ErrorCode::InvalidArgument, "parameters",
                             "override of tensor '" + o.name + "': " +
                                 (o.values ? "no such tensor" : "no values given"));
    }
    try {
        Slots slots = makeSlots(params, heldValues(params), {});
        for (Slot* s : {&slots.tokEmbd, &slots.posEmbd, &slots.outNorm, &slots.outNormB, &slots.output})
            applyOverrides(*s, overrides);
        for (LayerSlots& L : slots.layers) applyOverrides(L, overrides);
        StoredLayers stored(params, {}, overrides);
        TrainingPass pass(params.config, slots, &stored, tokens, B, T, false, nullptr);
        pass.keepLogits();
        if (!pass.forward(cancel, capture, start, from)) return stoppedError(stored);
        const double loss = pass.loss();
        return LossAndLogits{loss, std::move(pass).logits()};
    } catch (const std::bad_alloc&) {
        return memoryError(B, T);
    }
}

Result<double> lossOnly(const Parameters& params, std::span<const int32_t> tokens, int B, int T,
                        const CancelToken* cancel)
{
    PRECIS_TRY(checkInputs(params, tokens, B, T));
    try {
        Slots slots = makeSlots(params, heldValues(params), {});
        StoredLayers stored(params, {}, {});
        TrainingPass pass(params.config, slots, &stored, tokens, B, T, false, nullptr);
        if (!pass.forward(cancel)) return stoppedError(stored);
        return pass.loss();
    } catch (const std::bad_alloc&) {
        return memoryError(B, T);
    }
}

} // namespace precis
