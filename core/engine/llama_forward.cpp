// Llama-family block (Touvron et al. 2023; llama.cpp llm_build_llama):
//   h   = x + W_o · attn(rope(W_q · rms(x)), rope(W_k · rms(x)), W_v · rms(x))
//   out = h + W_down · (silu(W_gate · rms(h)) ⊙ (W_up · rms(h)))
// with optional q/k/v biases (Qwen2) and grouped-query attention.
#include "engine/forward.h"

#include <algorithm>
#include <cstring>

namespace precis::engine {

bool llamaForward(const ModelConfig& cfg, const Weights& w, DecodeState& state, std::span<const int32_t> ids,
                  int nLogits, float* logits, float* probs, const CancelToken* cancel)
{
    const int T = int(ids.size()), C = cfg.nEmbd, F = cfg.nFf, hd = cfg.headDim();
    const int kvDim = cfg.nHeadKv * hd, pos0 = state.position();
    const size_t TC = size_t(T) * C;
    auto& ws = state.workspace();
    float* x = ensure(ws.x, TC);                 // (T, C) residual stream
    float* xn = ensure(ws.xn, TC);               // (T, C)
    float* q = ensure(ws.q, TC);                 // (T, C)
    float* att = ensure(ws.att, TC);             // (T, C)
    float* proj = ensure(ws.proj, TC);           // (T, C)
    float* gate = ensure(ws.ff1, size_t(T) * F); // (T, F)
    float* up = ensure(ws.ff2, size_t(T) * F);   // (T, F)
    float* kNew = ensure(ws.kNew, size_t(T) * kvDim);  // (T, kvDim)
    float* vNew = ensure(ws.vNew, size_t(T) * kvDim);  // (T, kvDim)
    std::vector<std::byte>* scratch = &ws.prepared;

    for (int t = 0; t < T; ++t)
        matRow(w.tokEmbd, ids[size_t(t)], x + size_t(t) * C);
    const RopeTable rope = ropeTable(pos0, T, hd, cfg.ropeTheta);
    const AttentionShape shape{T, pos0, cfg.nHead, cfg.nHeadKv, hd, kvDim, C};

    for (int l = 0; l < cfg.nLayer; ++l) {
        if (cancel && cancel->cancelled())
            return false;
        const LayerWeights& L = w.layers[size_t(l)];

        rmsnormForward(xn, x, L.attnNorm.data, T, C, cfg.normEps);
        const MatmulJob qkv[3] = {{&L.q, L.qB.data, q, C}, {&L.k, L.kB.data, kNew, kvDim}, {&L.v, L.vB.data, vNew, kvDim}};
        matmulForward(qkv, xn, C, T, scratch);
        ropeForward(q, C, cfg.nHead, hd, rope, cfg.ropeLayout);
        ropeForward(kNew, kvDim, cfg.nHeadKv, hd, rope, cfg.ropeLayout);
        // New keys/values go to cache rows pos0 .. pos0+T−1.
        kvStoreForward(state, l, pos0, T, kNew, vNew, kvDim);
        attentionForward(att, q, state.keys(l), state.values(l), state.kvType(), shape,
                         probs ? probs + size_t(l) * cfg.nHead * T * T : nullptr);
        matmulForward(proj, att, L.o, nullptr, T, scratch);
        residualForward(x, proj, int64_t(TC));

        rmsnormForward(xn, x, L.ffnNorm.data, T, C, cfg.normEps);
        const MatmulJob gateUp[2] = {{&L.gate, nullptr, gate, F}, {&L.up, nullptr, up, F}};
        matmulForward(gateUp, xn, C, T, scratch);
        swigluForward(gate, up, int64_t(T) * F);
        matmulForward(proj, gate, L.down, nullptr, T, scratch);
        residualForward(x, proj, int64_t(TC));
    }
    if (cancel && cancel->cancelled())
        return false;
    rmsnormForward(xn, x + size_t(T - nLogits) * C, w.outNorm.data, nLogits, C, cfg.normEps);
    logitsForward(logits, xn, w, nLogits, scratch);
    state.advance(T);
    return true;
}

} // namespace precis::engine
