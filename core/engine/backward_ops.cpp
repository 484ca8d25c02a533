// Training ops: forward variants that keep activations and the exact backward of
// each (derivations beside each function; llm.c train_gpt2.c is the model).
#include "engine/backward_ops.h"

#include <Eigen/Core>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace precis::engine::grad {

namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;
using RowMap = Eigen::Map<RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;

constexpr double kParallelWork = double(1 << 15);  // multiply-adds below which one thread is faster

// Calls fn(i0, i1) on pieces of [0, n), in parallel when n · cost (multiply-adds
// per element) is worth it. Pieces only split independent elements.
template <class Fn>
void forRange(int64_t n, int64_t cost, const Fn& fn)
{
    const int64_t grain = std::max<int64_t>(1, int64_t(kParallelWork) / std::max<int64_t>(cost, 1));
    if (n <= grain) {
        if (n > 0) fn(int64_t(0), n);
        return;
    }
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, grain),
                      [&](const tbb::blocked_range<int64_t>& r) { fn(r.begin(), r.end()); });
}

// Calls fn(i0, i1) on the fixed blocks [i·block, min(n, (i+1)·block)), in
// parallel when `work` (multiply-adds in all) is worth it. Fixed boundaries keep
// every GEMM's shape, hence its rounding, independent of the thread count.
template <class Fn>
void forBlocks(int64_t n, int64_t block, double work, const Fn& fn)
{
    const int64_t blocks = (n + block - 1) / block;
    auto run = [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) fn(b * block, std::min(n, (b + 1) * block));
    };
    if (work < kParallelWork || blocks <= 1) {
        run(0, blocks);
        return;
    }
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, blocks, 1),
                      [&](const tbb::blocked_range<int64_t>& r) { run(r.begin(), r.end()); });
}

// Channels per block of the column-wise reductions (norm weights, embeddings):
// each block walks every row in order, so sums are deterministic.
constexpr int64_t kChannelBlock = 16;

} // namespace

void embeddingForward(float* out, const int32_t* ids, const float* wte, const float* wpe, int N, int T, int C)
{
    forRange(N, C, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
            float* o = out + n * C;
            std::memcpy(o, wte + int64_t(ids[n]) * C, sizeof(float) * size_t(C));
            if (wpe) {
                const float* p = wpe + (n % T) * C;
                for (int i = 0; i < C; ++i) o[i] += p[i];
            }
        }
    });
}

void embeddingBackward(float* dwte, float* dwpe, const float* dout, const int32_t* ids, int N, int T, int C)
{
    // Parallel over channel blocks: two rows with the same id never race.
    forBlocks(C, kChannelBlock, double(N) * C, [&](int64_t c0, int64_t c1) {
        for (int64_t n = 0; n < N; ++n) {
            const float* d = dout + n * C;
            float* e = dwte + int64_t(ids[n]) * C;
            for (int64_t c = c0; c < c1; ++c) e[c] += d[c];
            if (dwpe) {
                float* p = dwpe + (n % T) * C;
                for (int64_t c = c0; c < c1; ++c) p[c] += d[c];
            }
        }
    });
}

void rmsnormForward(float* out, float* rstd, const float* in, const float* w, int N, int C, float eps)
{
    forRange(N, 2 * C, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
            const float* x = in + n * C;
            float* y = out + n * C;
            double ss = 0;
            for (int i = 0; i < C; ++i) ss += double(x[i]) * x[i];
            const float r = float(1.0 / std::sqrt(ss / C + double(eps)));
            rstd[n] = r;
            for (int i = 0; i < C; ++i) y[i] = x[i] * r * w[i];
        }
    });
}

void rmsnormBackward(float* din, float* dw, const float* dout, const float* in, const float* w, const float* rstd,
                     int N, int C)
{
    // y_i = x_i r w_i with ∂r/∂x_j = −r³ x_j / C, so
    // dx_j = r w_j dy_j − (r³ / C) x_j Σ_i dy_i w_i x_i.
    forRange(N, 4 * C, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
            const float* x = in + n * C;
            const float* dy = dout + n * C;
            float* dx = din + n * C;
            const float r = rstd[n];
            double dot = 0;
            for (int i = 0; i < C; ++i) dot += double(dy[i]) * w[i] * x[i];
            const float k = float(double(r) * r * r * dot / C);
            for (int i = 0; i < C; ++i) dx[i] += r * w[i] * dy[i] - k * x[i];
        }
    });
    forBlocks(C, kChannelBlock, 2.0 * N * C, [&](int64_t c0, int64_t c1) {
        double acc[kChannelBlock] = {};
        for (int64_t n = 0; n < N; ++n) {
            const float r = rstd[n];
            for (int64_t c = c0; c < c1; ++c) acc[c - c0] += double(dout[n * C + c]) * in[n * C + c] * r;
        }
        for (int64_t c = c0; c < c1; ++c) dw[c] += float(acc[c - c0]);
    });
}

void layernormForward(float* out, float* mean, float* rstd, const float* in, const float* w, const float* b, int N,
                      int C, float eps)
{
    forRange(N, 3 * C, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
            const float* x = in + n * C;
            float* y = out + n * C;
            double m = 0;
            for (int i = 0; i < C; ++i) m += x[i];
            m /= C;
            double var = 0;
            for (int i = 0; i < C; ++i) var += (x[i] - m) * (x[i] - m);
            const double r = 1.0 / std::sqrt(var / C + double(eps));
            mean[n] = float(m);
            rstd[n] = float(r);
            for (int i = 0; i < C; ++i) y[i] = float((x[i] - m) * r) * w[i] + b[i];
        }
    });
}

void layernormBackward(float* din, float* dw, float* db, const float* dout, const float* in, const float* w,
                       const float* mean, const float* rstd, int N, int C)
{
    // x̂ = (x − μ) r; with g = w ⊙ dy the gradient through μ and r is
    // dx = r (g − mean(g) − x̂ mean(g ⊙ x̂))   (llm.c layernorm_backward).
    forRange(N, 6 * C, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
            const float* x = in + n * C;
            const float* dy = dout + n * C;
            float* dx = din + n * C;
            const float m = mean[n], r = rstd[n];
            double gMean = 0, gxMean = 0;
            for (int i = 0; i < C; ++i) {
                const double g = double(w[i]) * dy[i];
                gMean += g;
                gxMean += g * double((x[i] - m) * r);
            }
            gMean /= C;
            gxMean /= C;
            for (int i = 0; i < C; ++i) {
                const float xh = (x[i] - m) * r;
                dx[i] += r * float(double(w[i]) * dy[i] - gMean - xh * gxMean);
            }
        }
    });
    forBlocks(C, kChannelBlock, 3.0 * N * C, [&](int64_t c0, int64_t c1) {
        double accW[kChannelBlock] = {}, accB[kChannelBlock] = {};
        for (int64_t n = 0; n < N; ++n) {
            const float m = mean[n], r = rstd[n];
            for (int64_t c = c0; c < c1; ++c) {
                const float d = dout[n * C + c];
                accW[c - c0] += double(d) * ((in[n * C + c] - m) * r);
                accB[c - c0] += d;
            }
        }
        for (int64_t c = c0; c < c1; ++c) {
            dw[c] += float(accW[c - c0]);
            db[c] += float(accB[c - c0]);
        }
    });
}

void matmulBackward(float* dinp, bool accumulate, float* dW, float* dbias, const float* dout, const float* inp,
                    const float* W, int N, int K, int O)
{
    constexpr int64_t kBlock = 64;
    const double work = double(N) * K * O;
    if (dinp) {
        // dinp rows [n0, n1) = dout rows · W.
        const Eigen::Map<const RowMat> w(W, O, K);
        forBlocks(N, kBlock, work, [&](int64_t n0, int64_t n1) {
            const Eigen::Map<const RowMat> d(dout + n0 * O, n1 - n0, O);
            Eigen::Map<RowMat> x(dinp + n0 * K, n1 - n0, K);
            if (accumulate)
                x.noalias() += d * w;
            else
                x.noalias() = d * w;
        });
    }
    if (dW || dbias) {
        // dW rows [o0, o1) += (dout columns o0..o1)ᵀ · inp; dbias the column sums.
        const Eigen::Map<const RowMat> x(inp, N, K);
        forBlocks(O, kBlock, work, [&](int64_t o0, int64_t o1) {
            const ConstRowMap d(dout + o0, N, o1 - o0, Eigen::OuterStride<>(O));
            if (dW) {
                Eigen::Map<RowMat> g(dW + o0 * K, o1 - o0, K);
                g.noalias() += d.transpose() * x;
            }
            if (dbias)
                for (int64_t o = o0; o < o1; ++o) {
                    double s = 0;
                    for (int64_t n = 0; n < N; ++n) s += dout[n * O + o];
                    dbias[o] += float(s);
                }
        });
    }
}

void ropeForward(float* x, int64_t ld, int heads, int hd, int B, const RopeTable& rope, RopeLayout layout)
{
    const int64_t seq = int64_t(rope.T) * ld;
    tbb::parallel_for(0, B, [&](int b) { engine::ropeForward(x + b * seq, ld, heads, hd, rope, layout); });
}

void ropeBackward(float* dx, int64_t ld, int heads, int hd, int B, const RopeTable& rope, RopeLayout layout)
{
    // Each pair is rotated by R(θ); the adjoint is R(θ)ᵀ = R(−θ): same cosines, negated sines.
    RopeTable inverse = rope;
    for (float& s : inverse.sin) s = -s;
    ropeForward(dx, ld, heads, hd, B, inverse, layout);
}

void attentionForward(float* out, const float* q, const float* k, const float* v, const AttentionDims& d)
{
    const int64_t C = int64_t(d.NH) * d.hd, kv = int64_t(d.NKV) * d.hd, T = d.T;
    const AttentionShape shape{d.T, 0, d.NH, d.NKV, d.hd, int(kv), C};
    tbb::parallel_for(0, d.B, [&](int b) {
        engine::attentionForward(out + b * T * C, q + b * T * C, k + b * T * kv, v + b * T * kv, shape, nullptr);
    });
}

void attentionBackward(float* dq, float* dk, float* dv, const float* dout, const float* q, const float* k,
                       const float* v, const AttentionDims& d, float* work)
{
    constexpr int kTile = 64;  // queries per block: scores are kTile × keys, masked blocks skipped
    const int T = d.T, hd = d.hd, group = d.NH / d.NKV;
    const int64_t C = int64_t(d.NH) * hd, kv = int64_t(d.NKV) * hd, N = int64_t(d.B) * T;
    const float scale = 1.0f / std::sqrt(float(hd));  // as engine::attentionForward
    // Per query head dK, dV (N, C): straight into dk, dv when each kv head has one
    // query head, else into `work` and summed over each group below, in head order.
    const bool grouped = group > 1;
    float* dkh = grouped ? work : dk;
    float* dvh = grouped ? work + N * C : dv;
    tbb::parallel_for(0, d.B * d.NH, [&](int item) {
        const int b = item / d.NH, h = item % d.NH, g = h / group;
        const int64_t row0 = int64_t(b) * T;
        const ConstRowMap K(k + row0 * kv + g * hd, T, hd, Eigen::OuterStride<>(kv));
        const ConstRowMap V(v + row0 * kv + g * hd, T, hd, Eigen::OuterStride<>(kv));
        RowMap dK(dkh + row0 * C + h * hd, T, hd, Eigen::OuterStride<>(C));
        RowMap dV(dvh + row0 * C + h * hd, T, hd, Eigen::OuterStride<>(C));
        dK.setZero();
        dV.setZero();
        std::vector<float> pBuf(size_t(std::min(kTile, T)) * T), dpBuf(pBuf.size());
        for (int t0 = 0; t0 < T; t0 += kTile) {
            const int n = std::min(kTile, T - t0), keys = t0 + n;  // queries t0.. see keys 0..t0+n−1
            const ConstRowMap Q(q + (row0 + t0) * C + h * hd, n, hd, Eigen::OuterStride<>(C));
            const ConstRowMap dO(dout + (row0 + t0) * C + h * hd, n, hd, Eigen::OuterStride<>(C));
            RowMap dQ(dq + (row0 + t0) * C + h * hd, n, hd, Eigen::OuterStride<>(C));
            Eigen::Map<RowMat> P(pBuf.data(), n, keys), dP(dpBuf.data(), n, keys);
            // Recompute P as the forward does (scaled scores, row max subtracted, causal).
            P.noalias() = (Q * K.topRows(keys).transpose()) * scale;
            for (int t = 0; t < n; ++t) {
                float* p = P.data() + int64_t(t) * keys;
                const int visible = t0 + t + 1;
                const float mx = *std::max_element(p, p + visible);
                double sum = 0;
                for (int j = 0; j < visible; ++j) {
                    p[j] = std::exp(p[j] - mx);
                    sum += p[j];
                }
                const float inv = float(1.0 / sum);
                for (int j = 0; j < visible; ++j) p[j] *= inv;
                std::fill(p + visible, p + keys, 0.0f);
            }
            dP.noalias() = dO * V.topRows(keys).transpose();
            dV.topRows(keys).noalias() += P.transpose() * dO;
            // Softmax Jacobian row by row: dS_tj = P_tj (dP_tj − Σ_j' P_tj' dP_tj'); zero where masked.
            for (int t = 0; t < n; ++t) {
                const float* p = P.data() + int64_t(t) * keys;
                float* ds = dP.data() + int64_t(t) * keys;
                const int visible = t0 + t + 1;
                double dot = 0;
                for (int j = 0; j < visible; ++j) dot += double(p[j]) * ds[j];
                for (int j = 0; j < visible; ++j) ds[j] = p[j] * (ds[j] - float(dot));
                std::fill(ds + visible, ds + keys, 0.0f);
            }
            dQ.noalias() = (dP * K.topRows(keys)) * scale;
            dK.topRows(keys).noalias() += (dP.transpose() * Q) * scale;
        }
    });
    if (!grouped) return;
    forRange(N, 2 * C, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n)
            for (int g = 0; g < d.NKV; ++g)
                for (int i = 0; i < hd; ++i) {
                    float sk = 0, sv = 0;
                    for (int h = g * group; h < (g + 1) * group; ++h) {
                        sk += dkh[n * C + h * hd + i];
                        sv += dvh[n * C + h * hd + i];
                    }
                    dk[n * kv + g * hd + i] = sk;
                    dv[n * kv + g * hd + i] = sv;
                }
    });
}

void headGateBackward(double* dgate, const float* dout, const float* out, int N, int NH, int hd)
{
    const int64_t C = int64_t(NH) * hd;
    tbb::parallel_for(0, NH, [&](int h) {
        double s = 0;
        for (int64_t n = 0; n < N; ++n) {
            const float* a = out + n * C + int64_t(h) * hd;
            const float* g = dout + n * C + int64_t(h) * hd;
            for (int i = 0; i < hd; ++i) s += double(a[i]) * g[i];
        }
        dgate[h] += s;
    });
}

void swigluForward(float* out, const float* g, const float* u, int64_t n)
{
    forRange(n, 16, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) out[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
    });
}

void swigluBackward(float* dg, float* du, const float* dout, const float* g, const float* u, int64_t n)
{
    // silu(x) = x σ(x),  silu'(x) = σ(x) (1 + x (1 − σ(x))).
    forRange(n, 16, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
            const float x = g[i], s = 1.0f / (1.0f + std::exp(-x)), d = dout[i];
            dg[i] = d * u[i] * s * (1.0f + x * (1.0f - s));
            du[i] = d * x * s;
        }
    });
}

namespace {
constexpr float kGeluK = 0.7978845608028654f;  // sqrt(2/π)
constexpr float kGeluA = 0.044715f;
} // namespace

void geluForward(float* out, const float* in, int64_t n)
{
    forRange(n, 16, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
            const float x = in[i];
            out[i] = 0.5f * x * (1.0f + std::tanh(kGeluK * (x + kGeluA * x * x * x)));
        }
    });
}

void geluBackward(float* din, const float* dout, const float* in, int64_t n)
{
    // gelu(x) = x/2 (1 + tanh u), u = k (x + a x³):
    // gelu'(x) = (1 + tanh u)/2 + x/2 (1 − tanh² u) k (1 + 3 a x²).
    forRange(n, 20, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
            const float x = in[i], th = std::tanh(kGeluK * (x + kGeluA * x * x * x));
            const float local = 0.5f * (1.0f + th) + 0.5f * x * (1.0f - th * th) * kGeluK * (1.0f + 3.0f * kGeluA * x * x);
            din[i] = dout[i] * local;
        }
    });
}

void residualForward(float* out, const float* a, const float* b, int64_t n)
{
    forRange(n, 1, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) out[i] = a[i] + b[i];
    });
}

void crossEntropyForward(double* nll, float* logits, const int32_t* targets, int N, int V)
{
    forRange(N, 3 * int64_t(V), [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
            float* l = logits + n * V;
            const float mx = *std::max_element(l, l + V);
            const float target = l[targets[n]];
            double sum = 0;
            for (int j = 0; j < V; ++j) {
                l[j] = std::exp(l[j] - mx);
                sum += l[j];
            }
            nll[n] = double(mx) + std::log(sum) - double(target);
            const float inv = float(1.0 / sum);
            for (int j = 0; j < V; ++j) l[j] *= inv;
        }
    });
}

void crossEntropyBackward(float* probs, const int32_t* targets, float scale, int N, int V)
{
    // d(lse − l_y)/dl_j = p_j − [j = y].
    forRange(N, V, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
            float* p = probs + n * V;
            for (int j = 0; j < V; ++j) p[j] *= scale;
            p[targets[n]] -= scale;
        }
    });
}

} // namespace precis::engine::grad
