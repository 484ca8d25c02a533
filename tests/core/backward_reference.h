// An independent, deliberately naive loss for the backward tests: plain loops
// over Parameters in double, no code shared with core/engine. Hooks for the
// finite-difference checks: a gate ξ on each head's attention output and an
// additive nudge on one element of one linear layer's input. Slow; meant for
// models of a few thousand parameters.
#pragma once

#include "train/parameters.h"

#include <QtGlobal>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace precis::test {

// Adds `delta` to element (row, col) of the input of the linear layer whose
// weight is `weight` (row = b·T + t). For GPT-2 attn_qkv the input is shared
// by q, k and v (one layer); Llama's q, k, v are three layers.
struct InputNudge {
    std::string weight;
    int64_t row = -1, col = 0;
    double delta = 0;
};

class NaiveLoss {
public:
    using Vec = std::vector<double>;
    explicit NaiveLoss(const Parameters& p) : m_p(p), m_c(p.config) {}

    // Mean next-token NLL of B sequences of T+1 ids; gates (nLayer·nHead) default to 1.
    double loss(const std::vector<int32_t>& tokens, int B, int T, const Vec* gates = nullptr,
                const InputNudge* nudge = nullptr) const
    {
        double sum = 0;
        for (int b = 0; b < B; ++b) {
            const std::vector<int32_t> seq(tokens.begin() + int64_t(b) * (T + 1), tokens.begin() + int64_t(b + 1) * (T + 1));
            sum += sequenceNll(seq, T, int64_t(b) * T, gates, nudge);
        }
        return sum / (double(B) * T);
    }

private:
    double sequenceNll(const std::vector<int32_t>& ids, int T, int64_t row0, const Vec* gates,
                       const InputNudge* nudge) const
    {
        const int C = m_c.nEmbd, H = m_c.nHead, hd = C / H;
        const bool gpt2 = m_c.arch == Arch::Gpt2;
        const int Hkv = gpt2 ? H : m_c.nHeadKv;
        std::vector<Vec> x(static_cast<size_t>(T));
        for (int t = 0; t < T; ++t) {
            x[size_t(t)] = row("token_embd.weight", ids[size_t(t)], C);
            if (gpt2) {
                const Vec p = row("position_embd.weight", t, C);
                for (int i = 0; i < C; ++i) x[size_t(t)][size_t(i)] += p[size_t(i)];
            }
        }
        for (int l = 0; l < m_c.nLayer; ++l) {
            const std::string b = "blk." + std::to_string(l) + ".";
            std::vector<Vec> q(static_cast<size_t>(T)), k(static_cast<size_t>(T)), v(static_cast<size_t>(T));
            for (int t = 0; t < T; ++t) {
                const Vec xn = norm(x[size_t(t)], b + "attn_norm");
                const int64_t r = row0 + t;
                if (gpt2) {
                    const Vec qkv = linear(b + "attn_qkv.weight", xn, r, nudge);
                    q[size_t(t)].assign(qkv.begin(), qkv.begin() + C);
                    k[size_t(t)].assign(qkv.begin() + C, qkv.begin() + 2 * C);
                    v[size_t(t)].assign(qkv.begin() + 2 * C, qkv.end());
                } else {
                    q[size_t(t)] = linear(b + "attn_q.weight", xn, r, nudge);
                    k[size_t(t)] = linear(b + "attn_k.weight", xn, r, nudge);
                    v[size_t(t)] = linear(b + "attn_v.weight", xn, r, nudge);
                    rope(q[size_t(t)], H, hd, t);
                    rope(k[size_t(t)], Hkv, hd, t);
                }
            }
            for (int t = 0; t < T; ++t) {
                Vec att(size_t(C), 0.0);
                for (int h = 0; h < H; ++h) {
                    const int g = h / (H / Hkv);
                    const double gate = gates ? (*gates)[size_t(l) * H + h] : 1.0;
                    Vec s(size_t(t) + 1);
                    double mx = -1e300;
                    for (int j = 0; j <= t; ++j) {
                        double d = 0;
                        for (int i = 0; i < hd; ++i) d += q[size_t(t)][size_t(h * hd + i)] * k[size_t(j)][size_t(g * hd + i)];
                        s[size_t(j)] = d / std::sqrt(double(hd));
                        mx = std::max(mx, s[size_t(j)]);
                    }
                    double sum = 0;
                    for (double& e : s) sum += (e = std::exp(e - mx));
                    for (int j = 0; j <= t; ++j)
                        for (int i = 0; i < hd; ++i)
                            att[size_t(h * hd + i)] += gate * s[size_t(j)] / sum * v[size_t(j)][size_t(g * hd + i)];
                }
                const int64_t r = row0 + t;
                const Vec o = linear(b + "attn_output.weight", att, r, nudge);
                for (int i = 0; i < C; ++i) x[size_t(t)][size_t(i)] += o[size_t(i)];
                const Vec hn = norm(x[size_t(t)], b + "ffn_norm");
                Vec f = linear(b + "ffn_up.weight", hn, r, nudge);
                if (gpt2) {
                    for (double& e : f) e = 0.5 * e * (1 + std::tanh(std::sqrt(2 / M_PI) * (e + 0.044715 * e * e * e)));
                } else {
                    const Vec g = linear(b + "ffn_gate.weight", hn, r, nudge);
                    for (size_t i = 0; i < f.size(); ++i) f[i] *= g[i] / (1 + std::exp(-g[i]));
                }
                const Vec d = linear(b + "ffn_down.weight", f, r, nudge);
                for (int i = 0; i < C; ++i) x[size_t(t)][size_t(i)] += d[size_t(i)];
            }
        }
        const std::string head = m_c.tiedOutput ? "token_embd.weight" : "output.weight";
        double nll = 0;
        for (int t = 0; t < T; ++t) {
            const Vec l = linear(head, norm(x[size_t(t)], "output_norm"), row0 + t, nudge);
            double mx = -1e300, sum = 0;
            for (double e : l) mx = std::max(mx, e);
            for (double e : l) sum += std::exp(e - mx);
            nll += mx + std::log(sum) - l[size_t(ids[size_t(t) + 1])];
        }
        return nll;
    }

    const ParameterTensor& tensor(const std::string& name) const
    {
        const ParameterTensor* t = m_p.find(name);
        if (!t) qFatal("naive reference: no tensor %s", name.c_str());
        return *t;
    }
    Vec row(const std::string& name, int r, int n) const
    {
        const float* p = tensor(name).values.data() + size_t(r) * n;
        return Vec(p, p + n);
    }
    // y = W x (+ b) with W (rows, cols) `weight` and b the matching ".bias" if present.
    Vec linear(const std::string& weight, Vec x, int64_t r, const InputNudge* nudge) const
    {
        if (nudge && nudge->weight == weight && nudge->row == r) x[size_t(nudge->col)] += nudge->delta;
        const ParameterTensor& w = tensor(weight);
        const ParameterTensor* bias = m_p.find(weight.substr(0, weight.size() - 7) + ".bias");
        const int64_t rows = w.shape[0], cols = w.shape[1];
        Vec y(static_cast<size_t>(rows));
        for (int64_t i = 0; i < rows; ++i) {
            double s = bias ? bias->values[size_t(i)] : 0.0;
            for (int64_t j = 0; j < cols; ++j) s += double(w.values[size_t(i * cols + j)]) * x[size_t(j)];
            y[size_t(i)] = s;
        }
        return y;
    }
    // RMSNorm (Llama) or LayerNorm with bias (GPT-2).
    Vec norm(const Vec& x, const std::string& name) const
    {
        const float* w = tensor(name + ".weight").values.data();
        const size_t n = x.size();
        Vec y(n);
        if (m_c.arch == Arch::Gpt2) {
            const float* b = tensor(name + ".bias").values.data();
            double mean = 0, var = 0;
            for (double e : x) mean += e;
            mean /= double(n);
            for (double e : x) var += (e - mean) * (e - mean);
            const double r = 1 / std::sqrt(var / double(n) + double(m_c.normEps));
            for (size_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * r * w[i] + b[i];
        } else {
            double ss = 0;
            for (double e : x) ss += e * e;
            const double r = 1 / std::sqrt(ss / double(n) + double(m_c.normEps));
            for (size_t i = 0; i < n; ++i) y[i] = x[i] * r * w[i];
        }
        return y;
    }
    // Rotates pair i of every head by pos · theta^(−2i/hd), in the configured layout.
    void rope(Vec& x, int heads, int hd, int pos) const
    {
        const bool inter = m_c.ropeLayout == RopeLayout::Interleaved;
        for (int h = 0; h < heads; ++h)
            for (int i = 0; i < hd / 2; ++i) {
                const double a = pos * std::pow(double(m_c.ropeTheta), -2.0 * i / hd);
                const size_t p = size_t(h * hd + (inter ? 2 * i : i));
                const size_t q = p + size_t(inter ? 1 : hd / 2);
                const double x0 = x[p], x1 = x[q];
                x[p] = x0 * std::cos(a) - x1 * std::sin(a);
                x[q] = x0 * std::sin(a) + x1 * std::cos(a);
            }
    }

    const Parameters& m_p;
    const ModelConfig& m_c;
};

} // namespace precis::test
