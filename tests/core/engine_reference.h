// An independent, deliberately naive forward pass for the engine tests: plain
// loops over the model's F32 tensors, double accumulation everywhere, no shared
// code with core/engine. Slow; meant for models of a few thousand parameters.
#pragma once

#include "model/model.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace precis::test {

using Vec = std::vector<double>;

class NaiveTransformer {
public:
    explicit NaiveTransformer(const Model& m) : m_m(m), m_c(m.config) {}

    // Logits (T, V) row-major; probs, when non-null, (nLayer, nHead, T, T).
    Vec forward(const std::vector<int32_t>& ids, Vec* probs = nullptr) const
    {
        const int T = int(ids.size()), C = m_c.nEmbd, H = m_c.nHead, hd = C / H;
        const bool gpt2 = m_c.arch == Arch::Gpt2;
        const int Hkv = gpt2 ? H : m_c.nHeadKv;
        if (probs) probs->assign(size_t(m_c.nLayer) * H * T * T, 0.0);
        std::vector<Vec> x(static_cast<size_t>(T));
        for (int t = 0; t < T; ++t) {
            x[t] = row("token_embd.weight", ids[size_t(t)], C);
            if (gpt2) {
                const Vec p = row("position_embd.weight", t, C);
                for (int i = 0; i < C; ++i) x[t][i] += p[i];
            }
        }
        for (int l = 0; l < m_c.nLayer; ++l) {
            const std::string b = "blk." + std::to_string(l) + ".";
            std::vector<Vec> q(static_cast<size_t>(T)), k(static_cast<size_t>(T)), v(static_cast<size_t>(T));
            for (int t = 0; t < T; ++t) {
                const Vec xn = norm(x[t], b + "attn_norm");
                if (gpt2) {
                    const Vec qkv = linear(b + "attn_qkv", xn);
                    q[t].assign(qkv.begin(), qkv.begin() + C);
                    k[t].assign(qkv.begin() + C, qkv.begin() + 2 * C);
                    v[t].assign(qkv.begin() + 2 * C, qkv.end());
                } else {
                    q[t] = linear(b + "attn_q", xn);
                    k[t] = linear(b + "attn_k", xn);
                    v[t] = linear(b + "attn_v", xn);
                    rope(q[t], H, hd, t);
                    rope(k[t], Hkv, hd, t);
                }
            }
            for (int t = 0; t < T; ++t) {
                Vec att(size_t(C), 0.0);
                for (int h = 0; h < H; ++h) {
                    const int g = h / (H / Hkv);
                    Vec s(size_t(t) + 1);
                    double mx = -1e300;
                    for (int j = 0; j <= t; ++j) {
                        double d = 0;
                        for (int i = 0; i < hd; ++i) d += q[t][h * hd + i] * k[j][g * hd + i];
                        s[j] = d / std::sqrt(double(hd));
                        mx = std::max(mx, s[j]);
                    }
                    double sum = 0;
                    for (double& e : s) sum += (e = std::exp(e - mx));
                    for (int j = 0; j <= t; ++j) {
                        s[j] /= sum;
                        if (probs) (*probs)[((size_t(l) * H + h) * T + t) * T + j] = s[j];
                        for (int i = 0; i < hd; ++i) att[h * hd + i] += s[j] * v[j][g * hd + i];
                    }
                }
                const Vec o = linear(b + "attn_output", att);
                for (int i = 0; i < C; ++i) x[t][i] += o[i];
                const Vec hn = norm(x[t], b + "ffn_norm");
                Vec f = linear(b + "ffn_up", hn);
                if (gpt2) {
                    for (double& e : f) e = 0.5 * e * (1 + std::tanh(std::sqrt(2 / M_PI) * (e + 0.044715 * e * e * e)));
                } else {
                    const Vec g = linear(b + "ffn_gate", hn);
                    for (size_t i = 0; i < f.size(); ++i) f[i] *= g[i] / (1 + std::exp(-g[i]));
                }
                const Vec d = linear(b + "ffn_down", f);
                for (int i = 0; i < C; ++i) x[t][i] += d[i];
            }
        }
        Vec logits;
        const std::string out = m_c.tiedOutput ? "token_embd" : "output";
        for (int t = 0; t < T; ++t) {
            const Vec l = linear(out, norm(x[t], "output_norm"));
            logits.insert(logits.end(), l.begin(), l.end());
        }
        return logits;
    }

private:
    const float* data(const std::string& name) const
    {
        const Tensor* t = m_m.find(name);
        return t ? reinterpret_cast<const float*>(t->data) : nullptr;
    }
    Vec row(const std::string& name, int r, int n) const
    {
        const float* p = data(name) + size_t(r) * n;
        return Vec(p, p + n);
    }
    // y = W x + b with W (rows, cols) from "<name>.weight", b from "<name>.bias" if present.
    Vec linear(const std::string& name, const Vec& x) const
    {
        const Tensor* w = m_m.find(name + ".weight");
        const int64_t rows = w->shape[0], cols = w->shape[1];
        const float* W = reinterpret_cast<const float*>(w->data);
        const float* bias = data(name + ".bias");
        Vec y(static_cast<size_t>(rows));
        for (int64_t r = 0; r < rows; ++r) {
            double s = bias ? bias[r] : 0.0;
            for (int64_t c = 0; c < cols; ++c) s += double(W[r * cols + c]) * x[size_t(c)];
            y[size_t(r)] = s;
        }
        return y;
    }
    // RMSNorm (Llama) or LayerNorm with bias (GPT-2).
    Vec norm(const Vec& x, const std::string& name) const
    {
        const float* w = data(name + ".weight");
        const size_t n = x.size();
        Vec y(n);
        if (m_c.arch == Arch::Gpt2) {
            const float* b = data(name + ".bias");
            double mean = 0, var = 0;
            for (double e : x) mean += e;
            mean /= double(n);
            for (double e : x) var += (e - mean) * (e - mean);
            const double r = 1 / std::sqrt(var / double(n) + m_c.normEps);
            for (size_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * r * w[i] + b[i];
        } else {
            double ss = 0;
            for (double e : x) ss += e * e;
            const double r = 1 / std::sqrt(ss / double(n) + m_c.normEps);
            for (size_t i = 0; i < n; ++i) y[i] = x[i] * r * w[i];
        }
        return y;
    }
    // Rotates pair i of every head by pos · theta^(−2i/hd).
    void rope(Vec& x, int heads, int hd, int pos) const
    {
        for (int h = 0; h < heads; ++h)
            for (int i = 0; i < hd / 2; ++i) {
                const double a = pos * std::pow(double(m_c.ropeTheta), -2.0 * i / hd);
                const bool inter = m_c.ropeLayout == RopeLayout::Interleaved;
                const size_t p = size_t(h * hd + (inter ? 2 * i : i));
                const size_t q = p + (inter ? 1 : hd / 2);
                const double x0 = x[p], x1 = x[q];
                x[p] = x0 * std::cos(a) - x1 * std::sin(a);
                x[q] = x0 * std::sin(a) + x1 * std::cos(a);
            }
    }

    const Model& m_m;
    const ModelConfig& m_c;
};

} // namespace precis::test
