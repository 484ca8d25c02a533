// fp32 training ops, llm.c style: each `<op>Forward` keeps (or is given back)
// what its `<op>Backward` needs, and the backward mirrors it. Engine-internal;
// the public entry point is backward.h.
//
// Shape letters: B sequences of T positions, N = B·T rows (row n = b·T + t),
// C n_embd, F n_ff, V vocabulary, NH query heads, NKV key/value heads, hd
// head_dim, K input and O output features of a linear layer.
// Activations are row-major with one row per token. Backward functions ADD
// into parameter gradients (dW, db, ...) and, where stated, into input
// gradients, so shared inputs and the residual stream need no extra pass.
// Reductions run over fixed blocks in a fixed order: results do not depend on
// the number of threads. Parallel work goes through oneTBB.
//
// The forward matmul is engine::matmulForward (out = in · Wᵀ + bias). The
// residual add has no backward op: both branches receive the same gradient,
// so the driver keeps one residual-stream gradient and hands it to each branch.
#pragma once

#include "engine/ops.h"

#include <cstdint>

namespace precis::engine::grad {

// ---- embedding ------------------------------------------------------------
// out (N, C) = wte[ids[n]] (+ wpe[n mod T] when wpe, GPT-2's learned positions).
void embeddingForward(float* out, const int32_t* ids, const float* wte, const float* wpe, int N, int T, int C);
// dwte (V, C) += dout rows scattered by id; dwpe (T.., C) += Σ_b dout[b, t] when non-null.
void embeddingBackward(float* dwte, float* dwpe, const float* dout, const int32_t* ids, int N, int T, int C);

// ---- RMSNorm (Zhang & Sennrich 2019) ----------------------------------------
// out (N, C) = in · r · w with r (N) = 1 / sqrt(mean(in²) + eps), kept in rstd.
void rmsnormForward(float* out, float* rstd, const float* in, const float* w, int N, int C, float eps);
// din (N, C) += r (w ⊙ dout) − r³/C · in · ⟨w ⊙ dout, in⟩;  dw (C) += Σ_n dout ⊙ in · r.
void rmsnormBackward(float* din, float* dw, const float* dout, const float* in, const float* w, const float* rstd,
                     int N, int C);

// ---- LayerNorm (Ba et al. 2016) ---------------------------------------------
// out (N, C) = x̂ · w + b, x̂ = (in − mean) · rstd (biased variance); mean, rstd (N) kept.
void layernormForward(float* out, float* mean, float* rstd, const float* in, const float* w, const float* b, int N,
                      int C, float eps);
// din += rstd (g − mean(g) − x̂ mean(g ⊙ x̂)) with g = w ⊙ dout;  dw += Σ dout ⊙ x̂;  db += Σ dout.
void layernormBackward(float* din, float* dw, float* db, const float* dout, const float* in, const float* w,
                       const float* mean, const float* rstd, int N, int C);

// ---- linear -------------------------------------------------------------------
// For out (N, O) = inp (N, K) · Wᵀ + bias with W (O, K):
// dinp (N, K) = dout · W (or += when accumulate; skipped when null);
// dW (O, K) += doutᵀ · inp and dbias (O) += Σ_n dout (each skipped when null).
// Eigen GEMMs on fixed blocks of 64 rows of dinp / dW, blocks in parallel.
void matmulBackward(float* dinp, bool accumulate, float* dW, float* dbias, const float* dout, const float* inp,
                    const float* W, int N, int K, int O);

// ---- RoPE -----------------------------------------------------------------------
// Rotates `heads` heads of every row of x (N, ld) in place; row b·T + t by the
// angles of position t (table from engine::ropeTable(0, T, hd, theta)).
void ropeForward(float* x, int64_t ld, int heads, int hd, int B, const RopeTable& rope, RopeLayout layout);
// The rotation is orthogonal, so the gradient is rotated back: by the negative angle.
void ropeBackward(float* dx, int64_t ld, int heads, int hd, int B, const RopeTable& rope, RopeLayout layout);

// ---- causal grouped-query attention (Vaswani et al. 2017) -------------------------
struct AttentionDims {
    int B = 0, T = 0, NH = 0, NKV = 0, hd = 0;
};
// q (N, NH·hd), k, v (N, NKV·hd); head h reads kv head h / (NH / NKV).
// out (N, NH·hd) = softmax(q kᵀ / sqrt(hd), causal) v, per sequence and head.
// Only q, k, v are kept: the backward recomputes the probabilities, so memory
// stays O(N) per layer instead of O(B·NH·T²).
void attentionForward(float* out, const float* q, const float* k, const float* v, const AttentionDims& d);
// dq (N, NH·hd) =, dk, dv (N, NKV·hd) = gradients for dout (N, NH·hd):
//   dV = Pᵀ dO,  dP = dO Vᵀ,  dS = P ⊙ (dP − rowsum(P ⊙ dP)),  dQ = dS K / sqrt(hd),  dK = dSᵀ Q / sqrt(hd),
// per (sequence, head) in parallel, in blocks of 64 queries. work: 2·N·NH·hd
// floats for the per-head dK, dV of grouped-query attention (unused when NKV == NH).
void attentionBackward(float* dq, float* dk, float* dv, const float* dout, const float* q, const float* k,
                       const float* v, const AttentionDims& d, float* work);
// Head gates ξ_h multiply head h's attention output before attn_output (all
// ξ = 1 here, so the forward is the identity): dξ_h (NH) += Σ_n ⟨dout_h, out_h⟩
// with out, dout (N, NH·hd). Summed in double.
void headGateBackward(double* dgate, const float* dout, const float* out, int N, int NH, int hd);

// ---- feed-forward activations -----------------------------------------------------
// out (n) = silu(g) ⊙ u (SwiGLU, Shazeer 2020); g, u kept.
void swigluForward(float* out, const float* g, const float* u, int64_t n);
// dg = dout ⊙ u ⊙ σ(g)(1 + g(1 − σ(g))),  du = dout ⊙ silu(g)   (both overwritten;
// dg may alias dout).
void swigluBackward(float* dg, float* du, const float* dout, const float* g, const float* u, int64_t n);
// out (n) = gelu_tanh(in) ("gelu_new"); in kept.
void geluForward(float* out, const float* in, int64_t n);
// din = dout ⊙ gelu'(in) (overwritten; din may alias dout).
void geluBackward(float* din, const float* dout, const float* in, int64_t n);
// out (n) = a + b (out may alias a or b).
void residualForward(float* out, const float* a, const float* b, int64_t n);

// ---- cross-entropy over the vocabulary -----------------------------------------
// logits (N, V) become softmax probabilities in place; nll (N) = logsumexp − logit[target],
// in double.
void crossEntropyForward(double* nll, float* logits, const int32_t* targets, int N, int V);
// dlogits (N, V) = (probs − onehot(target)) · scale, in place over the probabilities
// (scale = 1 / (B·T) for the mean).
void crossEntropyBackward(float* probs, const int32_t* targets, float scale, int N, int V);

} // namespace precis::engine::grad
