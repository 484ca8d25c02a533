#include "quant/awq.h"

#include <Eigen/Dense>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>

namespace precis::quant {

namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class Fold { Norm, UpRows, VRows };

struct Group {
    std::string name;
    std::vector<std::string> members;  // weights whose input columns take s
    Fold fold;
    std::string foldWeight, foldBias;  // the previous operation's tensors (bias may be absent)
    int64_t foldRow0 = 0;              // first row of v inside a fused qkv weight / bias
};

// Predicted output error of one member when its columns are scaled by s before
// quantizing: Σ_r ḡ²_r ΔW_r H ΔW_rᵀ with ΔW = W − Q(W·diag(s))·diag(1/s).
Result<double> memberError(const ParameterTensor& w, const sensitivity::LinearStats& L, const Scheme& scheme,
                           const std::vector<double>& s)
{
    const int64_t R = w.shape[0], K = w.shape[1];
    std::vector<float> scaled(w.values.size()), q(w.values.size());
    for (int64_t r = 0; r < R; ++r)
        for (int64_t c = 0; c < K; ++c) scaled[size_t(r * K + c)] = float(w.values[size_t(r * K + c)] * s[size_t(c)]);
    PRECIS_TRY(roundTrip(scheme, scaled.data(), R, K, q.data()));
    RowMatrixD D(R, K);
    for (int64_t r = 0; r < R; ++r)
        for (int64_t c = 0; c < K; ++c)
            D(r, c) = double(w.values[size_t(r * K + c)]) - double(q[size_t(r * K + c)]) / s[size_t(c)];
    double total = 0;
    if (L.fullGram) {
        Eigen::Map<const RowMatrixD> H(L.gram->data(), K, K);
        const RowMatrixD DH = D * H;
        for (int64_t r = 0; r < R; ++r) total += L.outGradSq[size_t(r)] * DH.row(r).dot(D.row(r));
    } else {
        for (int64_t r = 0; r < R; ++r) {
            double acc = 0;
            for (int64_t c = 0; c < K; ++c) acc += (*L.gram)[size_t(c)] * D(r, c) * D(r, c);
            total += L.outGradSq[size_t(r)] * acc;
        }
    }
    return total;
}

} // namespace

Result<std::vector<AwqGroupResult>> applyAwq(Parameters& params, const sensitivity::CalibrationStats& stats,
                                              const std::map<std::string, Scheme>& schemes,
                                              const AwqSettings& settings, Progress* progress,
                                              const CancelToken* cancel)
{
    if (settings.grid < 1 || settings.grid > 1000)
        return makeError(ErrorCode::InvalidArgument, "AWQ settings", "grid of " + std::to_string(settings.grid) +
                                                                         " steps, expected 1..1000");
    const ModelConfig& c = params.config;
    const bool llama = c.arch == Arch::Llama;
    const int64_t C = c.nEmbd, hd = c.headDim(), groupSize = c.nHeadKv > 0 ? c.nHead / c.nHeadKv : 1;

    std::vector<Group> groups;
    for (int l = 0; l < c.nLayer; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        if (llama) {
            groups.push_back({b + "attn_qkv", {b + "attn_q.weight", b + "attn_k.weight", b + "attn_v.weight"},
                              Fold::Norm, b + "attn_norm.weight", "", 0});
            groups.push_back({b + "ffn_up_gate", {b + "ffn_gate.weight", b + "ffn_up.weight"}, Fold::Norm,
                              b + "ffn_norm.weight", "", 0});
            groups.push_back({b + "ffn_down", {b + "ffn_down.weight"}, Fold::UpRows, b + "ffn_up.weight", "", 0});
            groups.push_back({b + "attn_output", {b + "attn_output.weight"}, Fold::VRows, b + "attn_v.weight",
                              b + "attn_v.bias", 0});
        } else {
            groups.push_back({b + "attn_qkv", {b + "attn_qkv.weight"}, Fold::Norm, b + "attn_norm.weight",
                              b + "attn_norm.bias", 0});
            groups.push_back({b + "ffn_up", {b + "ffn_up.weight"}, Fold::Norm, b + "ffn_norm.weight",
                              b + "ffn_norm.bias", 0});
            groups.push_back({b + "attn_output", {b + "attn_output.weight"}, Fold::VRows, b + "attn_qkv.weight",
                              b + "attn_qkv.bias", 2 * C});
        }
    }

    std::vector<AwqGroupResult> results;
    for (size_t gi = 0; gi < groups.size(); ++gi) {
        const Group& g = groups[gi];
        if (cancel && cancel->cancelled()) return makeError(ErrorCode::Cancelled, "AWQ", "AWQ cancelled");
        if (progress) progress->report(double(gi) / groups.size(), "AWQ: " + g.name);
        // Every member must be quantized with a feasible scheme and have statistics.
        std::vector<ParameterTensor*> members;
        std::vector<const sensitivity::LinearStats*> memberStats;
        std::vector<const Scheme*> memberSchemes;
        bool usable = true;
        for (const std::string& m : g.members) {
            ParameterTensor* w = params.find(m);
            auto sc = schemes.find(m);
            auto st = stats.linear.find(m);
            if (!w || sc == schemes.end() || sc->second.kind == SchemeKind::Float ||
                !feasible(sc->second, w->shape[1])) {
                usable = false;
                break;
            }
            if (st == stats.linear.end() || st->second.cols != w->shape[1])
                return makeError(ErrorCode::InvalidArgument, "AWQ: tensor '" + m + "'",
                                 "no input statistics from calibration for it");
            members.push_back(w), memberStats.push_back(&st->second), memberSchemes.push_back(&sc->second);
        }
        ParameterTensor* fold = params.find(g.foldWeight);
        if (!usable || !fold) continue;
        const int64_t K = members.front()->shape[1];

        // Mean |x| per input channel; for attn_output one value per KV channel
        // (the heads of a group read the same v rows), spread back to columns.
        std::vector<double> act(static_cast<size_t>(K), 0.0);
        const double tokens = double(std::max<int64_t>(1, stats.tokens));
        for (int64_t k = 0; k < K; ++k) act[size_t(k)] = memberStats.front()->absInput[size_t(k)] / tokens;
        auto kvChannel = [&](int64_t col) { return (col / hd / groupSize) * hd + col % hd; };
        if (g.fold == Fold::VRows && groupSize > 1) {
            std::vector<double> kv(static_cast<size_t>(c.nHeadKv * hd), 0.0);
            for (int64_t k = 0; k < K; ++k) kv[size_t(kvChannel(k))] += act[size_t(k)] / double(groupSize);
            for (int64_t k = 0; k < K; ++k) act[size_t(k)] = kv[size_t(kvChannel(k))];
        }
        double maxAct = 0;
        for (double a : act) maxAct = std::max(maxAct, a);
        for (double& a : act) a = std::max(a, 1e-6 * std::max(maxAct, 1e-30));

        auto scalesFor = [&](double alpha) {
            std::vector<double> s(static_cast<size_t>(K));
            double lo = INFINITY, hi = 0;
            for (int64_t k = 0; k < K; ++k) {
                s[size_t(k)] = std::pow(act[size_t(k)], alpha);
                lo = std::min(lo, s[size_t(k)]), hi = std::max(hi, s[size_t(k)]);
            }
            const double norm = std::sqrt(lo * hi);
            for (double& v : s) v /= norm;
            return s;
        };
        std::vector<double> errors(size_t(settings.grid) + 1, 0.0);
        std::vector<Error> failures(errors.size());
        std::vector<char> failed(errors.size(), 0);
        tbb::parallel_for(0, settings.grid + 1, [&](int i) {
            const std::vector<double> s = scalesFor(double(i) / settings.grid);
            for (size_t m = 0; m < members.size(); ++m) {
                auto e = memberError(*members[m], *memberStats[m], *memberSchemes[m], s);
                if (!e.ok()) {
                    failed[size_t(i)] = 1, failures[size_t(i)] = e.error();
                    return;
                }
                errors[size_t(i)] += *e;
            }
        });
        for (size_t i = 0; i < failed.size(); ++i)
            if (failed[i]) return failures[i];
        const int best = int(std::min_element(errors.begin(), errors.end()) - errors.begin());
        AwqGroupResult res{g.name, double(best) / settings.grid, errors[0], errors[size_t(best)]};
        results.push_back(res);
        if (best == 0) continue;

        // Apply: member columns × s, the previous operation ÷ s.
        const std::vector<double> s = scalesFor(res.alpha);
        for (ParameterTensor* w : members)
            for (int64_t r = 0; r < w->shape[0]; ++r)
                for (int64_t k = 0; k < K; ++k) w->values[size_t(r * K + k)] = float(w->values[size_t(r * K + k)] * s[size_t(k)]);
        ParameterTensor* bias = g.foldBias.empty() ? nullptr : params.find(g.foldBias);
        if (g.fold == Fold::Norm) {
            for (int64_t k = 0; k < K; ++k) {
                fold->values[size_t(k)] = float(fold->values[size_t(k)] / s[size_t(k)]);
                if (bias) bias->values[size_t(k)] = float(bias->values[size_t(k)] / s[size_t(k)]);
            }
        } else {
            // Rows of up (SwiGLU) or v: row j feeds input column j of down, or
            // the KV channel j that attn_output's columns of its group read.
            const int64_t cols = fold->shape[1];
            const int64_t rowsToScale = g.fold == Fold::UpRows ? K : c.nHeadKv * hd;
            for (int64_t j = 0; j < rowsToScale; ++j) {
                // The scale of KV channel j: that of any column reading it (all equal).
                const int64_t col = g.fold == Fold::UpRows ? j : (j / hd) * groupSize * hd + j % hd;
                const double sj = s[size_t(col)];
                float* row = fold->values.data() + (g.foldRow0 + j) * cols;
                for (int64_t x = 0; x < cols; ++x) row[x] = float(row[x] / sj);
                if (bias) bias->values[size_t(g.foldRow0 + j)] = float(bias->values[size_t(g.foldRow0 + j)] / sj);
            }
        }
    }
    if (progress) progress->report(1.0, "AWQ done");
    return results;
}

} // namespace precis::quant
