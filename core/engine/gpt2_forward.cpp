// GPT-2 block (Radford et al. 2019; llm.c train_gpt2.c gpt2_forward):
//   x0  = wte[id] + wpe[pos]
//   h   = x + W_o · attn(W_qkv · ln1(x) + b_qkv) + b_o
//   out = h + W_down · gelu(W_up · ln2(h) + b_up) + b_down
// LayerNorms carry a bias; the fused qkv rows are q | k | v; the output head is
// tied to wte (or output.weight when present).
#include "engine/forward.h"

#include <cstring>

namespace precis::engine {

bool gpt2Forward(const ModelConfig& cfg, const Weights& w, DecodeState& state, std::span<const int32_t> ids,
                 int nLogits, float* logits, float* probs, const CancelToken* cancel)
{
    const int T = int(ids.size()), C = cfg.nEmbd, F = cfg.nFf, hd = cfg.headDim();
    const int pos0 = state.position();
    const size_t TC = size_t(T) * C;
    auto& ws = state.workspace();
    float* x = ensure(ws.x, TC);                 // (T, C) residual stream
    float* xn = ensure(ws.xn, TC);               // (T, C)
    float* qkv = ensure(ws.q, 3 * TC);           // (T, 3C) q | k | v
    float* att = ensure(ws.att, TC);             // (T, C)
    float* proj = ensure(ws.proj, TC);           // (T, C)
    float* ff = ensure(ws.ff1, size_t(T) * F);   // (T, F)
    float* pe = ensure(ws.proj, TC);              // (T, C) position rows, before proj is used
    std::vector<std::byte>* scratch = &ws.prepared;

    for (int t = 0; t < T; ++t) {
        float* xt = x + size_t(t) * C;
        matRow(w.tokEmbd, ids[size_t(t)], xt);
        matRow(w.posEmbd, pos0 + t, pe + size_t(t) * C);
        for (int i = 0; i < C; ++i) xt[i] += pe[size_t(t) * C + size_t(i)];
    }
    // Keys/values live in the cache with kvDim = C; the fused product writes
    // (T, 3C) and k, v are copied into cache rows pos0 .. pos0+T−1.
    const AttentionShape shape{T, pos0, cfg.nHead, cfg.nHead, hd, C, 3 * int64_t(C)};

    for (int l = 0; l < cfg.nLayer; ++l) {
        if (cancel && cancel->cancelled())
            return false;
        const LayerWeights& L = w.layers[size_t(l)];

        layernormForward(xn, x, L.attnNorm.data, L.attnNormB.data, T, C, cfg.normEps);
        matmulForward(qkv, xn, L.qkv, L.qkvB.data, T, scratch);
        kvStoreForward(state, l, pos0, T, qkv + C, qkv + 2 * C, 3 * int64_t(C));
        attentionForward(att, qkv, state.keys(l), state.values(l), state.kvType(), shape,
                         probs ? probs + size_t(l) * cfg.nHead * T * T : nullptr);
        matmulForward(proj, att, L.o, L.oB.data, T, scratch);
        residualForward(x, proj, int64_t(TC));

        layernormForward(xn, x, L.ffnNorm.data, L.ffnNormB.data, T, C, cfg.normEps);
        matmulForward(ff, xn, L.up, L.upB.data, T, scratch);
        geluForward(ff, int64_t(T) * F);
        matmulForward(proj, ff, L.down, L.downB.data, T, scratch);
        residualForward(x, proj, int64_t(TC));
    }
    if (cancel && cancel->cancelled())
        return false;
    layernormForward(xn, x + size_t(T - nLogits) * C, w.outNorm.data, w.outNormB.data, nLogits, C, cfg.normEps);
    logitsForward(logits, xn, w, nLogits, scratch);
    state.advance(T);
    return true;
}

} // namespace precis::engine
