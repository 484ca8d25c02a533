#include "sensitivity/calibration.h"

#include "engine/backward.h"
#include "eval/unit_damage.h"
#include "quant/scheme.h"
#include "sensitivity/gram_forms.h"

#include <Eigen/Dense>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <tuple>

namespace precis::sensitivity {

namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr int kChunk = ChunkSums::kChunk;

// One analysed weight: its parameter tensor (index in the parameters, whose
// values TensorValues reads) and where its heads lie.
struct TensorInfo {
    const ParameterTensor* p = nullptr;
    size_t index = 0;
    std::string kind;
    int layer = -1;
    int64_t rows = 0, cols = 0;
};

// A head's share of a tensor: rows [r0, r1) (q, k, v) or columns [c0, c1) (o).
struct HeadSlice {
    int64_t r0 = 0, r1 = 0, c0 = 0, c1 = 0;
};

struct Option {
    std::string name;
    quant::Scheme scheme;
};

// Which of n units are measured: all when cap is 0 or at least n, else cap of them
// evenly spread (unit ⌊i·n/cap⌋ for i < cap).
std::vector<bool> spreadSelection(size_t n, int cap)
{
    if (cap <= 0 || size_t(cap) >= n) return std::vector<bool>(n, true);
    std::vector<bool> chosen(n, false);
    for (size_t i = 0; i < size_t(cap); ++i) chosen[i * n / size_t(cap)] = true;
    return chosen;
}

constexpr uint64_t kSketchSeed = 0x5eed'9a1e'ca5e'0001;  // the Gram sketches' random test matrix

Error cancelledError() { return makeError(ErrorCode::Cancelled, "calibration", "calibration run cancelled"); }

std::string headUnit(int layer, int head) { return "blk." + std::to_string(layer) + ".head." + std::to_string(head); }
std::string layerUnit(int layer) { return "blk." + std::to_string(layer); }

// The head slices of tensor `t` for head h. A head unit is the head's q rows and
// attn_output columns, plus its k and v rows when it has a KV head of its own (no
// grouped-query sharing); shared k/v rows belong to the tensor only.
bool headSlice(const TensorInfo& t, const ModelConfig& c, int h, HeadSlice& s)
{
    const int64_t hd = c.headDim();
    const bool ownKv = c.nHeadKv == c.nHead;
    s = {0, t.rows, 0, t.cols};
    if (t.kind == "q") {
        s.r0 = h * hd, s.r1 = s.r0 + hd;
    } else if ((t.kind == "k" || t.kind == "v") && ownKv) {
        s.r0 = h * hd, s.r1 = s.r0 + hd;
    } else if (t.kind == "qkv") {  // GPT-2: q | k | v row blocks; always one KV head per head
        return false;               // handled as three slices by headSlices()
    } else if (t.kind == "o") {
        s.c0 = h * hd, s.c1 = s.c0 + hd;
    } else {
        return false;
    }
    return true;
}

// Every slice of tensor t belonging to head h (GPT-2's fused qkv gives three).
std::vector<HeadSlice> headSlices(const TensorInfo& t, const ModelConfig& c, int h)
{
    if (t.kind == "qkv") {
        const int64_t hd = c.headDim(), C = c.nEmbd;
        std::vector<HeadSlice> out;
        for (int part = 0; part < 3; ++part) out.push_back({part * C + h * hd, part * C + (h + 1) * hd, 0, t.cols});
        return out;
    }
    HeadSlice s;
    if (headSlice(t, c, h, s)) return {s};
    return {};
}

// The rows of a tensor its predicted damage is computed from: all, or about `limit`
// spread evenly over strata — each head's rows in q, k, v and GPT-2's qkv (so every
// head slice has its own), the whole tensor otherwise.
struct RowSample {
    bool all = true;
    std::vector<int64_t> rows;  // ascending; empty when all
    double weight = 1;          // rows of its stratum each sampled row stands for
    // The sampled rows of [r0, r1), as indices into `rows` (the rows themselves when all).
    std::pair<int64_t, int64_t> within(int64_t r0, int64_t r1) const
    {
        if (all) return {r0, r1};
        auto b = std::lower_bound(rows.begin(), rows.end(), r0);
        return {b - rows.begin(), std::lower_bound(b, rows.end(), r1) - rows.begin()};
    }
    int64_t row(int64_t i) const { return all ? i : rows[size_t(i)]; }
};

RowSample sampleRows(const TensorInfo& t, const ModelConfig& c, int limit)
{
    RowSample s;
    if (limit <= 0 || t.rows <= limit) return s;
    const int64_t hd = c.headDim();
    const bool headRows = (t.kind == "q" || t.kind == "k" || t.kind == "v" || t.kind == "qkv") && hd > 0 &&
                          t.rows % hd == 0;
    const int64_t stratum = headRows ? hd : t.rows;
    const int64_t per = std::clamp<int64_t>((int64_t(limit) * stratum + t.rows / 2) / t.rows, 1, stratum);
    s.all = false;
    s.weight = double(stratum) / double(per);
    for (int64_t r0 = 0; r0 < t.rows; r0 += stratum)
        for (int64_t j = 0; j < per; ++j) s.rows.push_back(r0 + (2 * j + 1) * stratum / (2 * per));
    return s;
}

std::vector<TensorInfo> analysedTensorInfo(const Parameters& params)
{
    std::vector<TensorInfo> out;
    for (size_t i = 0; i < params.tensors.size(); ++i) {
        const ParameterTensor& p = params.tensors[i];
        if (isAnalysedTensor(p.name, p.shape))
            out.push_back({&p, i, tensorKind(p.name), tensorLayer(p.name), p.shape[0], p.shape[1]});
    }
    return out;
}

// ---- Stage 1: statistics -----------------------------------------------------

class Accumulator {
public:
    Accumulator(const Parameters& params, const std::vector<TensorInfo>& tensors, const CalibrationSettings& settings,
                CalibrationStats& stats)
        : m_params(params), m_settings(settings), m_stats(stats)
    {
        if (settings.spillGrams)
            m_scratchDir = settings.scratchDir.empty() ? std::filesystem::temp_directory_path().string()
                                                       : settings.scratchDir;
        for (const TensorInfo& t : tensors) m_stats.gradSq.emplace(t.p->name, ChunkSums(t.rows, t.cols));
        m_stats.gateAbsSum.assign(size_t(params.config.nLayer) * params.config.nHead, 0.0);
    }

    // One batch of B sequences from `set` starting at sequence s0; `onBlock`
    // (optional) hears of each block whose weight gradients are done (last block first).
    Result<void> batch(const CalibrationSet& set, int s0, int B, const CancelToken* cancel,
                       const std::function<void(int layer)>& onBlock = {})
    {
        const int T = set.length;
        std::span<const int32_t> tokens(set.sequence(s0), size_t(B) * (T + 1));
        const int N = B * T;
        BackwardOptions o;
        o.headGates = true;
        o.workspace = &m_workspace;
        // b·(∂L_batch/∂w)² estimates the per-token Fisher diagonal whatever the
        // batch's size b (the batch mean's variance is 1/b of a token's), so a
        // shorter last batch enters with its own b.
        int lastLayer = -1;
        o.blockGrads = [this, N, &onBlock, &lastLayer](const std::string& name, const float* g, size_t) {
            auto it = m_stats.gradSq.find(name);
            if (it != m_stats.gradSq.end()) it->second.addSquares(g, double(N));
            const int layer = tensorLayer(name);
            if (onBlock && layer >= 0 && layer != lastLayer) onBlock(lastLayer = layer);
        };
        m_lastInput = nullptr;
        o.linearObserver = [this](const std::string& w, int64_t row0, const float* in, int K, const float* dout, int O,
                                  int N) { observe(w, row0, in, K, dout, O, N); };
        auto r = lossAndGradients(m_params, tokens, B, T, o, cancel);
        if (m_lastShared) m_lastShared->release();
        m_lastShared.reset();
        if (m_error) return *m_error;
        if (!r.ok()) return r.error();
        m_stats.tokens += N;
        m_stats.batches += 1;
        m_stats.lossSum += r->loss;
        for (size_t i = 0; i < r->headGateGrads.size(); ++i) m_stats.gateAbsSum[i] += std::abs(r->headGateGrads[i]);
        return {};
    }

private:
    void observe(const std::string& w, int64_t row0, const float* in, int K, const float* dout, int O, int N)
    {
        const ParameterTensor* p = m_params.find(w);
        if (!p) return;
        auto [it, fresh] = m_stats.linear.try_emplace(w);
        LinearStats& s = it->second;
        if (fresh) {
            s.tensor = w;
            s.rows = p->shape.size() < 2 ? 1 : p->shape[0];
            s.cols = K;
            s.fullGram = K <= m_settings.fullGramLimit;
            s.absInput.assign(size_t(K), 0.0);
            s.outGradSq.assign(size_t(s.rows), 0.0);
        }
        // Per-token gradients are N times the gradient of the batch mean.
        const double scale = double(N) * N;
        tbb::parallel_for(tbb::blocked_range<int>(0, O, 16), [&](const tbb::blocked_range<int>& rg) {
            for (int o = rg.begin(); o < rg.end(); ++o) {
                double acc = 0;
                for (int n = 0; n < N; ++n) acc += double(dout[size_t(n) * O + o]) * dout[size_t(n) * O + o];
                s.outGradSq[size_t(row0 + o)] += acc * scale;
            }
        });
        if (row0 != 0) return;  // GPT-2's k and v slices share the q slice's input: count it once
        // q, k, v (and gate, up) share one input: its Gram is computed once per batch
        // and kept once.
        const bool sameInput = in == m_lastInput && K == m_lastK && s.fullGram == m_lastFull;
        if (!sameInput) {
            m_lastInput = in, m_lastK = K, m_lastFull = s.fullGram;
            if (m_lastShared) m_lastShared->release();  // done with the one before (spilled: off to its file)
            m_lastShared.reset();
            m_lastAbs.assign(size_t(K), 0.0);
            Eigen::Map<const RowMatrixF> X(in, N, K);
            if (s.fullGram) {
                m_lastGram.resize(size_t(K) * K);
                // Column blocks of XᵀX in parallel.
                const int block = 64;
                tbb::parallel_for(0, (K + block - 1) / block, [&](int b) {
                    const int j0 = b * block, nj = std::min(block, K - j0);
                    RowMatrixF g = X.transpose() * X.middleCols(j0, nj);
                    for (int i = 0; i < K; ++i)
                        for (int j = 0; j < nj; ++j) m_lastGram[size_t(i) * K + j0 + j] = g(i, j);
                });
            } else {
                m_lastGram.assign(size_t(K), 0.0f);
                for (int n = 0; n < N; ++n)
                    for (int k = 0; k < K; ++k) m_lastGram[size_t(k)] += in[size_t(n) * K + k] * in[size_t(n) * K + k];
            }
            for (int n = 0; n < N; ++n)
                for (int k = 0; k < K; ++k) m_lastAbs[size_t(k)] += std::abs(in[size_t(n) * K + k]);
        }
        if (fresh && sameInput && m_lastShared) {
            s.gram = m_lastShared;  // this batch's Gram is already in it
        } else {
            if (!s.gram) {
                auto g = ScratchArray::create(m_lastGram.size(), m_scratchDir);
                if (!g.ok()) {
                    if (!m_error) m_error = g.error();
                    return;
                }
                s.gram = std::move(g).value();
            }
            if (s.gram != m_lastShared) {
                ScratchArray& g = *s.gram;
                tbb::parallel_for(tbb::blocked_range<size_t>(0, g.size(), size_t(1) << 16),
                                  [&](const tbb::blocked_range<size_t>& r) {
                                      for (size_t i = r.begin(); i < r.end(); ++i) g[i] += m_lastGram[i];
                                  });
                m_lastShared = s.gram;
            }
        }
        for (int k = 0; k < K; ++k) s.absInput[size_t(k)] += m_lastAbs[size_t(k)];
    }

    const Parameters& m_params;
    const CalibrationSettings& m_settings;
    CalibrationStats& m_stats;
    BackwardWorkspace m_workspace;
    const float* m_lastInput = nullptr;
    int m_lastK = 0;
    bool m_lastFull = false;
    std::vector<float> m_lastGram;
    std::vector<double> m_lastAbs;
    std::shared_ptr<ScratchArray> m_lastShared;  // the Gram this batch's m_lastGram went into
    std::string m_scratchDir;                    // where Grams are spilled; empty: in memory
    std::optional<Error> m_error;                // a Gram that could not be made
};

// ---- Metrics from the statistics ---------------------------------------------

// RMS over batches of ∂L/∂w in the chunk of weight (r, c), each batch weighted by
// its tokens: √(mean over the chunk of Σ_k b_k (∂L_k/∂w)² / Σ_k b_k).
inline double gradRms(const CalibrationStats& s, const ChunkSums& sq, int64_t r, int64_t c)
{
    return std::sqrt(std::max(0.0, sq.mean(r, c)) / double(std::max<int64_t>(1, s.tokens)));
}

// Element-wise metrics per 8×8 chunk; the tensor total is the sum of its chunks.
template <typename F>
ChunkMap chunkMap(const TensorInfo& t, const std::string& metric, const F& f)
{
    ChunkMap m;
    m.tensor = t.p->name;
    m.metric = metric;
    m.rows = int((t.rows + kChunk - 1) / kChunk);
    m.cols = int((t.cols + kChunk - 1) / kChunk);
    m.values.assign(size_t(m.rows) * m.cols, 0.0f);
    tbb::parallel_for(0, m.rows, [&](int cr) {
        for (int cc = 0; cc < m.cols; ++cc) {
            double acc = 0;
            const int64_t r1 = std::min<int64_t>(t.rows, int64_t(cr + 1) * kChunk);
            const int64_t c1 = std::min<int64_t>(t.cols, int64_t(cc + 1) * kChunk);
            for (int64_t r = int64_t(cr) * kChunk; r < r1; ++r)
                for (int64_t c = int64_t(cc) * kChunk; c < c1; ++c) acc += f(r, c);
            m.values[size_t(cr) * m.cols + cc] = float(acc);
        }
    });
    return m;
}

template <typename F>
double sliceSum(const HeadSlice& s, const F& f)
{
    double acc = 0;
    for (int64_t r = s.r0; r < s.r1; ++r)
        for (int64_t c = s.c0; c < s.c1; ++c) acc += f(r, c);
    return acc;
}

class Analysis {
public:
    Analysis(const Parameters& params, const std::vector<TensorInfo>& tensors, const CalibrationStats& stats,
             SensitivityReport& report)
        : m_params(params), m_c(params.config), m_tensors(tensors), m_stats(stats), m_report(report)
    {
    }

    // Taylor and gradient magnitude per tensor, head, layer and chunk; head gates;
    // Fisher at each tensor's reference option (needs `reference` quantized values).
    // Reads one tensor's weights at a time.
    Result<void> gradientMetrics(const std::map<std::string, quant::Scheme>& reference)
    {
        std::map<int, double> layerTaylor, layerMag;
        for (const TensorInfo& t : m_tensors) {
            const ChunkSums& sq = m_stats.gradSq.at(t.p->name);
            PRECIS_TRY_ASSIGN(const TensorValues values, TensorValues::of(m_params, t.index));
            const float* w = values.data();
            auto taylor = [&](int64_t r, int64_t c) {
                return double(std::abs(w[size_t(r * t.cols + c)])) * gradRms(m_stats, sq, r, c);
            };
            auto mag = [&](int64_t r, int64_t c) { return gradRms(m_stats, sq, r, c); };
            ChunkMap ct = chunkMap(t, metric::Taylor, taylor), cm = chunkMap(t, metric::GradMagnitude, mag);
            const double tt = total(ct), tm = total(cm);
            add(t.p->name, UnitKind::Tensor, metric::Taylor, "", tt);
            add(t.p->name, UnitKind::Tensor, metric::GradMagnitude, "", tm);
            m_report.chunks.push_back(std::move(ct));
            m_report.chunks.push_back(std::move(cm));
            if (t.layer >= 0) layerTaylor[t.layer] += tt, layerMag[t.layer] += tm;
            auto ref = reference.find(t.p->name);
            if (ref != reference.end()) {
                // The reference option's error, made here (one tensor at a time, not kept).
                std::vector<float> d(values.size());
                if (quant::roundTrip(ref->second, w, t.rows, t.cols, d.data()).ok()) {
                    for (size_t i = 0; i < d.size(); ++i) d[i] = w[i] - d[i];
                    const double fisherScale = 1.0 / std::max(1, m_stats.batches);  // F_i = Σ_k b_k g_k² / batches
                    auto fisher = [&](int64_t r, int64_t c) {
                        const double di = d[size_t(r * t.cols + c)];
                        return 0.5 * fisherScale * sq.mean(r, c) * di * di;
                    };
                    m_report.chunks.push_back(chunkMap(t, metric::Fisher, fisher));
                }
            }
            for (int h = 0; h < m_c.nHead && t.layer >= 0; ++h)
                for (const HeadSlice& s : headSlices(t, m_c, h)) {
                    m_head[{t.layer, h, metric::Taylor}] += sliceSum(s, taylor);
                    m_head[{t.layer, h, metric::GradMagnitude}] += sliceSum(s, mag);
                }
        }
        for (auto& [l, v] : layerTaylor) add(layerUnit(l), UnitKind::Layer, metric::Taylor, "", v);
        for (auto& [l, v] : layerMag) add(layerUnit(l), UnitKind::Layer, metric::GradMagnitude, "", v);
        for (int l = 0; l < m_c.nLayer; ++l)
            for (int h = 0; h < m_c.nHead; ++h) {
                add(headUnit(l, h), UnitKind::Head, metric::HeadGate, "",
                    m_stats.gateAbsSum[size_t(l) * m_c.nHead + h] / std::max(1, m_stats.batches));
                for (const char* m : {metric::Taylor, metric::GradMagnitude}) {
                    auto it = m_head.find({l, h, m});
                    if (it != m_head.end()) add(headUnit(l, h), UnitKind::Head, m, "", it->second);
                }
            }
        return {};
    }

    // The regions of tensor t whose damage is reported: the whole tensor, then every
    // head slice in head order.
    struct Region {
        int head;  // −1: the tensor
        HeadSlice s;
    };
    std::vector<Region> regions(const TensorInfo& t) const
    {
        std::vector<Region> out = {{-1, {0, t.rows, 0, t.cols}}};
        for (int h = 0; h < m_c.nHead && t.layer >= 0; ++h)
            for (const HeadSlice& s : headSlices(t, m_c, h)) out.push_back({h, s});
        return out;
    }
    // The unit a region's damage is added to.
    std::pair<std::string, UnitKind> unitOf(const TensorInfo& t, const Region& r) const
    {
        return r.head < 0 ? std::pair{t.p->name, UnitKind::Tensor} : std::pair{headUnit(t.layer, r.head), UnitKind::Head};
    }

    // Per region of tensor t, the factor that turns a damage summed over the sampled
    // rows into the estimate for all its rows (ratio estimator): Σ p over the region
    // / Σ p over its sampled rows, for the proxy p = F·w² (fisher) and ḡ²_r·H_cc·w²
    // (ow_err) — the damage with a relative quantization error equal in every row.
    // 1 when every row is used; the sample's weight where the proxy is zero.
    struct DamageScales {
        std::vector<double> fisher, ow;
    };
    DamageScales damageScales(const TensorInfo& t, const float* w, const RowSample& sample) const
    {
        const std::vector<Region> rs = regions(t);
        DamageScales out{std::vector<double>(rs.size(), 1.0), std::vector<double>(rs.size(), 1.0)};
        if (sample.all) return out;
        const ChunkSums& sq = m_stats.gradSq.at(t.p->name);
        auto ls = m_stats.linear.find(t.p->name);
        const LinearStats* L = ls != m_stats.linear.end() && ls->second.cols == t.cols ? &ls->second : nullptr;
        std::vector<double> diagH;
        if (L)
            for (int64_t c = 0; c < t.cols; ++c)
                diagH.push_back(L->fullGram ? (*L->gram)[size_t(c * t.cols + c)] : (*L->gram)[size_t(c)]);
        // Σ over rows `rowsOf(i)`, i in [i0, i1), and columns [c0, c1) of both proxies.
        auto proxies = [&](int64_t i0, int64_t i1, auto rowOf, int64_t c0, int64_t c1) {
            return tbb::parallel_reduce(
                tbb::blocked_range<int64_t>(i0, i1), std::pair<double, double>{0, 0},
                [&](const tbb::blocked_range<int64_t>& range, std::pair<double, double> acc) {
                    for (int64_t i = range.begin(); i < range.end(); ++i) {
                        const int64_t r = rowOf(i);
                        const float* wr = w + r * t.cols;
                        const float* m = sq.sums.data() + size_t(r / ChunkSums::kChunk) * sq.chunkCols;
                        double f = 0, o = 0;
                        for (int64_t c = c0; c < c1; ++c) {
                            const double w2 = double(wr[c]) * wr[c];
                            f += double(m[c / ChunkSums::kChunk]) * w2;
                            if (L) o += diagH[size_t(c)] * w2;
                        }
                        acc.first += f;
                        acc.second += L ? L->outGradSq[size_t(r)] * o : 0.0;
                    }
                    return acc;
                },
                [](std::pair<double, double> a, std::pair<double, double> b) {
                    return std::pair<double, double>{a.first + b.first, a.second + b.second};
                });
        };
        for (size_t k = 0; k < rs.size(); ++k) {
            const HeadSlice& s = rs[k].s;
            const auto full = proxies(s.r0, s.r1, [](int64_t r) { return r; }, s.c0, s.c1);
            const auto [i0, i1] = sample.within(s.r0, s.r1);
            const auto part = proxies(i0, i1, [&](int64_t i) { return sample.row(i); }, s.c0, s.c1);
            out.fisher[k] = part.first > 0 ? full.first / part.first : sample.weight;
            out.ow[k] = part.second > 0 ? full.second / part.second : sample.weight;
        }
        return out;
    }

    // Predicted damage of every option for one tensor: ow_err (when the tensor has
    // input statistics; `forms`: the quadratic forms on its full Gram matrix, null
    // for a diagonal one) and Fisher, per tensor and per head slice. `delta` holds
    // the quantization error of the rows in `sample`, `scales` its damageScales.
    void optionMetrics(const TensorInfo& t, const Option& opt, const std::vector<float>& delta,
                       const RowSample& sample, const DamageScales& scales, const GramForms* forms)
    {
        const int64_t n = sample.all ? t.rows : int64_t(sample.rows.size());
        const std::vector<Region> rs = regions(t);
        const ChunkSums& sq = m_stats.gradSq.at(t.p->name);
        const double fisherScale = 1.0 / std::max(1, m_stats.batches);  // F_i = Σ_k b_k g_k² / batches
        // ½ Σ F_i Δw_i² over sampled row i, columns [c0, c1): F_i is its 8×8 chunk's mean.
        std::vector<double> chunkMean(sq.sums.size());
        for (int cr = 0; cr < sq.chunkRows; ++cr)
            for (int cc = 0; cc < sq.chunkCols; ++cc) {
                const size_t i = size_t(cr) * sq.chunkCols + cc;
                chunkMean[i] = 0.5 * fisherScale * double(sq.sums[i]) / double(sq.count(cr, cc));
            }
        auto fisher = [&](int64_t i, int64_t c0, int64_t c1) {
            const double* m = chunkMean.data() + size_t(sample.row(i) / ChunkSums::kChunk) * sq.chunkCols;
            const float* d = delta.data() + i * t.cols;
            double acc = 0;
            for (int64_t c = c0; c < c1; ++c) acc += m[c / ChunkSums::kChunk] * double(d[c]) * d[c];
            return acc;
        };
        std::vector<double> rowFisher(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) rowFisher[size_t(i)] = fisher(i, 0, t.cols);
        Entries e;
        for (size_t k = 0; k < rs.size(); ++k) {
            const HeadSlice& s = rs[k].s;
            double acc = 0;
            const auto [i0, i1] = sample.within(s.r0, s.r1);
            for (int64_t i = i0; i < i1; ++i)
                acc += s.c0 == 0 && s.c1 == t.cols ? rowFisher[size_t(i)] : fisher(i, s.c0, s.c1);
            const auto [unit, kind] = unitOf(t, rs[k]);
            e.push_back({unit, kind, metric::Fisher, scales.fisher[k] * acc});
        }

        auto ls = m_stats.linear.find(t.p->name);
        if (ls != m_stats.linear.end() && ls->second.cols == t.cols) {
            const LinearStats& L = ls->second;
            const double invTok = 1.0 / double(std::max<int64_t>(1, m_stats.tokens));
            // Per row r: ḡ²_r · ΔW_r H ΔW_rᵀ / N², and per head the o-column blocks.
            std::vector<double> rowErr(static_cast<size_t>(n));
            Eigen::Map<const RowMatrixF> D(delta.data(), n, t.cols);
            if (L.fullGram) {
                forms->rowForms(delta.data(), n, t.cols, rowErr.data());
            } else {
                for (int64_t i = 0; i < n; ++i) {
                    double acc = 0;
                    for (int64_t c = 0; c < t.cols; ++c) acc += (*L.gram)[size_t(c)] * double(D(i, c)) * D(i, c);
                    rowErr[size_t(i)] = acc;
                }
            }
            auto rowWeight = [&](int64_t i) { return 0.5 * L.outGradSq[size_t(sample.row(i))] * invTok * invTok; };
            for (size_t k = 0; k < rs.size(); ++k) {
                const HeadSlice& s = rs[k].s;
                double acc = 0;
                if (s.c0 == 0 && s.c1 == t.cols) {
                    const auto [i0, i1] = sample.within(s.r0, s.r1);
                    for (int64_t i = i0; i < i1; ++i) acc += rowWeight(i) * rowErr[size_t(i)];
                } else {  // a column block: ΔW[:, c] H[c, c] ΔW[:, c]ᵀ, always exact (2·w² flops per row)
                    const int64_t w = s.c1 - s.c0;
                    std::vector<double> blockErr(static_cast<size_t>(n));
                    if (L.fullGram) {
                        GramForms::exact(L.gram->data() + s.c0 * t.cols + s.c0, w, t.cols)
                            .rowForms(delta.data() + s.c0, n, t.cols, blockErr.data());
                    } else {
                        for (int64_t i = 0; i < n; ++i)
                            for (int64_t c = s.c0; c < s.c1; ++c)
                                blockErr[size_t(i)] += (*L.gram)[size_t(c)] * double(D(i, c)) * D(i, c);
                    }
                    for (int64_t i = 0; i < n; ++i) acc += rowWeight(i) * blockErr[size_t(i)];
                }
                const auto [unit, kind] = unitOf(t, rs[k]);
                e.push_back({unit, kind, metric::OutputWeighted, scales.ow[k] * acc});
            }
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        for (const Entry& x : e) {
            if (x.kind == UnitKind::Tensor) {
                add(x.unit, x.kind, x.metric, opt.name, x.value);
                if (t.layer >= 0) m_layerOpt[{t.layer, x.metric, opt.name}] += x.value;
            } else {
                m_headOpt[{x.unit, x.metric, opt.name}] += x.value;
            }
        }
    }

    void markInfeasible(const TensorInfo& t, const Option& opt)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        add(t.p->name, UnitKind::Tensor, metric::Infeasible, opt.name, 1);
        if (t.layer >= 0) m_layerInfeasible.insert({t.layer, opt.name});
        for (int h = 0; h < m_c.nHead && t.layer >= 0; ++h)
            if (!headSlices(t, m_c, h).empty()) m_headInfeasible.insert({headUnit(t.layer, h), opt.name});
    }

    // Head and layer sums of the per-option metrics (units with an infeasible part
    // are marked infeasible instead).
    void finishOptionMetrics()
    {
        for (auto& [key, v] : m_headOpt) {
            const auto& [unit, m, opt] = key;
            if (!m_headInfeasible.count({unit, opt})) add(unit, UnitKind::Head, m, opt, v);
        }
        for (auto& [unit, opt] : m_headInfeasible) add(unit, UnitKind::Head, metric::Infeasible, opt, 1);
        for (auto& [key, v] : m_layerOpt) {
            const auto& [l, m, opt] = key;
            if (!m_layerInfeasible.count({l, opt})) add(layerUnit(l), UnitKind::Layer, m, opt, v);
        }
        for (auto& [l, opt] : m_layerInfeasible) add(layerUnit(l), UnitKind::Layer, metric::Infeasible, opt, 1);
    }

    void add(const std::string& unit, UnitKind kind, const std::string& m, const std::string& opt, double v)
    {
        m_report.values.push_back({unit, kind, m, opt, v});
    }

private:
    struct Entry {
        std::string unit;
        UnitKind kind;
        std::string metric;
        double value;
    };
    using Entries = std::vector<Entry>;

    static double total(const ChunkMap& m)
    {
        double s = 0;
        for (float v : m.values) s += v;
        return s;
    }

    const Parameters& m_params;
    const ModelConfig& m_c;
    const std::vector<TensorInfo>& m_tensors;
    const CalibrationStats& m_stats;
    SensitivityReport& m_report;
    std::mutex m_mutex;
    std::map<std::tuple<int, int, std::string>, double> m_head;
    std::map<std::tuple<std::string, std::string, std::string>, double> m_headOpt;
    std::map<std::tuple<int, std::string, std::string>, double> m_layerOpt;
    std::set<std::pair<std::string, std::string>> m_headInfeasible;
    std::set<std::pair<int, std::string>> m_layerInfeasible;
};

Result<std::vector<Option>> resolveOptions(const std::vector<std::string>& names, bool defaultAll)
{
    std::vector<Option> out;
    if (names.empty() && defaultAll) {
        for (const quant::Scheme& s : quant::standardSchemes())
            if (s.name() != "F32") out.push_back({s.name(), s});
        for (const quant::Scheme& s : quant::rtnSchemes()) out.push_back({s.name(), s});
        return out;
    }
    for (const std::string& n : names) {
        auto s = quant::parseScheme(n);
        if (!s.ok()) return makeError(ErrorCode::InvalidArgument, "calibration settings", s.error().message);
        out.push_back({s->name(), *s});
    }
    return out;
}

void correlate(SensitivityReport& rep, const std::vector<std::string>& units, UnitKind kind,
               const std::string& proxy, const std::string& proxyOpt, const std::string& measured,
               const std::string& measuredOpt)
{
    std::vector<double> a, b;
    for (const std::string& u : units) {
        const UnitValue* x = rep.find(u, proxy, proxyOpt);
        const UnitValue* y = rep.find(u, measured, measuredOpt);
        if (x && y && std::isfinite(x->value) && std::isfinite(y->value)) a.push_back(x->value), b.push_back(y->value);
    }
    if (a.size() < 3) return;
    Correlation c;
    c.proxy = proxyOpt.empty() ? proxy : proxy + "@" + proxyOpt;
    c.measured = measuredOpt.empty() ? measured : measured + "@" + measuredOpt;
    c.kind = kind;
    c.units = int(a.size());
    c.spearman = spearman(a, b);
    rep.correlations.push_back(c);
}

} // namespace

std::string tensorKind(const std::string& n)
{
    static const std::pair<const char*, const char*> kinds[] = {
        {"attn_q.", "q"},       {"attn_k.", "k"},   {"attn_v.", "v"},       {"attn_qkv.", "qkv"},
        {"attn_output.", "o"},  {"ffn_gate.", "gate"}, {"ffn_up.", "up"}, {"ffn_down.", "down"},
    };
    for (auto& [key, kind] : kinds)
        if (n.find(key) != std::string::npos) return kind;
    if (n.rfind("output.", 0) == 0) return "output";
    if (n.rfind("token_embd.", 0) == 0) return "embd";
    return "other";
}

int tensorLayer(const std::string& n)
{
    if (n.rfind("blk.", 0) != 0) return -1;
    return std::atoi(n.c_str() + 4);
}

ChunkSums::ChunkSums(int64_t r, int64_t c)
    : rows(r), cols(c), chunkRows(int((r + kChunk - 1) / kChunk)), chunkCols(int((c + kChunk - 1) / kChunk)),
      sums(size_t(chunkRows) * size_t(chunkCols), 0.0f)
{
}

int64_t ChunkSums::count(int cr, int cc) const
{
    const int64_t h = std::min<int64_t>(kChunk, rows - int64_t(cr) * kChunk);
    const int64_t w = std::min<int64_t>(kChunk, cols - int64_t(cc) * kChunk);
    return h * w;
}

double ChunkSums::mean(int64_t r, int64_t c) const
{
    const int cr = int(r / kChunk), cc = int(c / kChunk);
    return double(sums[size_t(cr) * chunkCols + cc]) / double(count(cr, cc));
}

void ChunkSums::addSquares(const float* v, double scale)
{
    tbb::parallel_for(0, chunkRows, [&](int cr) {
        const int64_t r1 = std::min<int64_t>(rows, int64_t(cr + 1) * kChunk);
        for (int cc = 0; cc < chunkCols; ++cc) {
            const int64_t c0 = int64_t(cc) * kChunk, c1 = std::min<int64_t>(cols, c0 + kChunk);
            double acc = 0;
            for (int64_t r = int64_t(cr) * kChunk; r < r1; ++r)
                for (int64_t c = c0; c < c1; ++c) {
                    const double x = v[size_t(r * cols + c)];
                    acc += x * x;
                }
            sums[size_t(cr) * chunkCols + cc] += float(scale * acc);
        }
    });
}

std::vector<std::string> analysedTensors(const Parameters& params)
{
    std::vector<std::string> out;
    for (const ParameterTensor& t : params.tensors)
        if (isAnalysedTensor(t.name, t.shape)) out.push_back(t.name);
    return out;
}

bool isAnalysedTensor(const std::string& name, const std::vector<int64_t>& shape)
{
    return shape.size() == 2 && name.rfind("position_embd.", 0) != 0 && tensorKind(name) != "other";
}

Result<CalibrationStats> collectStatistics(const Parameters& params, const CalibrationSet& set, int batchSequences,
                                           int fullGramLimit, Progress* progress, const CancelToken* cancel)
{
    CalibrationSettings settings;
    settings.batchSequences = batchSequences;
    settings.fullGramLimit = fullGramLimit;
    return collectStatistics(params, set, settings, progress, cancel);
}

Result<CalibrationStats> collectStatistics(const Parameters& params, const CalibrationSet& set,
                                           const CalibrationSettings& settings, Progress* progress,
                                           const CancelToken* cancel)
{
    const int batchSequences = settings.batchSequences;
    if (batchSequences < 1 || batchSequences > 1024 || settings.fullGramLimit < 0)
        return makeError(ErrorCode::InvalidArgument, "calibration settings",
                         "batch of " + std::to_string(batchSequences) + " sequences (expected 1..1024) or Gram limit " +
                             std::to_string(settings.fullGramLimit) + " (expected >= 0)");
    const std::vector<TensorInfo> tensors = analysedTensorInfo(params);
    CalibrationStats stats;
    Accumulator acc(params, tensors, settings, stats);
    for (int s0 = 0; s0 < set.sequences; s0 += batchSequences) {
        if (cancel && cancel->cancelled()) return cancelledError();
        const int B = std::min(batchSequences, set.sequences - s0);
        if (progress)
            progress->report(double(s0) / set.sequences, "statistics: sequences " + std::to_string(s0 + 1) + "–" +
                                                             std::to_string(s0 + B) + " of " +
                                                             std::to_string(set.sequences));
        PRECIS_TRY(acc.batch(set, s0, B, cancel));
    }
    return stats;
}

Result<CalibrationOutput> runCalibration(const Parameters& params, const CalibrationSet& set,
                                         const CalibrationSettings& settings, Progress* progress,
                                         const CancelToken* cancel, const PartialReport& onPartial)
{
    const std::string where = "calibration settings";
    if (settings.batchSequences < 1 || settings.batchSequences > 1024)
        return makeError(ErrorCode::InvalidArgument, where,
                         "batch of " + std::to_string(settings.batchSequences) + " sequences, expected 1..1024");
    if (settings.fullGramLimit < 0)
        return makeError(ErrorCode::InvalidArgument, where, "Gram size limit must not be negative");
    if (settings.measureUnits < 0)
        return makeError(ErrorCode::InvalidArgument, where,
                         "measured units " + std::to_string(settings.measureUnits) + ", expected 0 (all) or more");
    if (settings.damageSketch < 0 || settings.damageSketch > 65536)
        return makeError(ErrorCode::InvalidArgument, where,
                         "damage sketch of " + std::to_string(settings.damageSketch) +
                             " columns, expected 0 (exact) to 65536");
    if (settings.damageRows < 0)
        return makeError(ErrorCode::InvalidArgument, where,
                         "damage rows " + std::to_string(settings.damageRows) + ", expected 0 (all) or more");
    if (settings.measureSequences < 1)
        return makeError(ErrorCode::InvalidArgument, where,
                         "measurement sequences " + std::to_string(settings.measureSequences) + ", expected >= 1");
    if (set.sequences < 1 || int64_t(set.tokens.size()) != int64_t(set.sequences) * (set.length + 1))
        return makeError(ErrorCode::InvalidArgument, "calibration set", "no sequences, or tokens do not match N × (T+1)");
    PRECIS_TRY_ASSIGN(auto options, resolveOptions(settings.options, true));
    PRECIS_TRY_ASSIGN(auto probes, resolveOptions(settings.probeOptions, false));
    const ModelConfig& c = params.config;
    auto report = [&](double f, const std::string& s) {
        if (progress) progress->report(f, s);
    };

    const std::vector<TensorInfo> tensors = analysedTensorInfo(params);

    CalibrationOutput out;
    CalibrationStats& stats = out.stats;
    SensitivityReport& rep = out.report;

    // Reference option per tensor: the first feasible probe.
    std::map<std::string, quant::Scheme> reference;
    std::map<std::string, std::string> referenceName;
    for (const TensorInfo& t : tensors)
        for (const Option& p : probes)
            if (quant::feasible(p.scheme, t.cols)) {
                reference.emplace(t.p->name, p.scheme);
                referenceName[t.p->name] = p.name;
                break;
            }
    // The reference option: the first probe that fits some tensor (stories260K's
    // 64-wide rows take no K-quant, so its reference is Q4_0, not Q4_K).
    for (const Option& p : probes)
        for (const auto& [tensor, name] : referenceName)
            if (rep.referenceOption.empty() && name == p.name) rep.referenceOption = p.name;
    if (rep.referenceOption.empty() && !probes.empty()) rep.referenceOption = probes.front().name;

    auto stageStart = std::chrono::steady_clock::now();
    auto stageDone = [&](const char* stage) {
        const auto now = std::chrono::steady_clock::now();
        rep.stageSeconds.push_back({stage, std::chrono::duration<double>(now - stageStart).count()});
        stageStart = now;
    };
    // Stage 1 (60 %): forward + backward over the calibration set (the batch's
    // activations freed at the end of the stage).
    auto acc = std::make_unique<Accumulator>(params, tensors, settings, stats);
    auto lastPartialEnd = std::chrono::steady_clock::now();
    double lastPartialCost = 0;  // seconds the last partial report took
    for (int s0 = 0; s0 < set.sequences; s0 += settings.batchSequences) {
        if (cancel && cancel->cancelled()) return cancelledError();
        const int B = std::min(settings.batchSequences, set.sequences - s0);
        const std::string batchText = "gradients: sequences " + std::to_string(s0 + 1) + "–" + std::to_string(s0 + B) +
                                      " of " + std::to_string(set.sequences);
        report(0.6 * s0 / set.sequences, batchText + ", forward");
        // The backward pass names its block (the forward third of a batch comes first).
        auto onBlock = [&](int layer) {
            const double done = (1.0 + 2.0 * (c.nLayer - 1 - layer) / c.nLayer) / 3.0;
            report(0.6 * (s0 + B * done) / set.sequences,
                   batchText + ", backward block " + std::to_string(layer) + " of " + std::to_string(c.nLayer));
        };
        PRECIS_TRY(acc->batch(set, s0, B, cancel, onBlock));
        // A partial report costs a pass over every tensor's statistics (and the
        // caller's save): on a large model one that took over a second waits until
        // the batches since it took four times as long.
        const auto now = std::chrono::steady_clock::now();
        const double sincePartial = std::chrono::duration<double>(now - lastPartialEnd).count();
        if (onPartial && (lastPartialCost < 1.0 || sincePartial >= 4 * lastPartialCost)) {
            SensitivityReport partial;
            partial.stage = "gradients " + std::to_string(s0 + B) + "/" + std::to_string(set.sequences);
            partial.tokens = stats.tokens;
            partial.baselineLoss = stats.lossSum / stats.batches;
            partial.referenceOption = rep.referenceOption;
            Analysis a(params, tensors, stats, partial);
            PRECIS_TRY(a.gradientMetrics({}));  // the Fisher chunk maps (a quantization of every tensor) only at the end
            onPartial(partial);
            lastPartialEnd = std::chrono::steady_clock::now();
            lastPartialCost = std::chrono::duration<double>(lastPartialEnd - now).count();
        }
    }
    acc.reset();
    rep.tokens = stats.tokens;
    rep.baselineLoss = stats.lossSum / std::max(1, stats.batches);
    Analysis analysis(params, tensors, stats, rep);
    PRECIS_TRY(analysis.gradientMetrics(reference));
    stageDone("gradients");

    // Stage 2 (15 %): predicted damage of every option for every tensor and head.
    report(0.6, "predicted damage of " + std::to_string(options.size()) + " options");
    std::atomic<int> done{0};
    std::atomic<bool> failed{false};
    std::mutex errMutex;
    Error firstError;
    auto fail = [&](const Error& e) {
        std::lock_guard<std::mutex> lock(errMutex);
        if (!failed.exchange(true)) firstError = e;
    };
    const size_t jobs = tensors.size() * options.size();
    // The quadratic forms on each full Gram matrix, made by its first tensor (q, k
    // and v share one; so do gate and up) and freed after its last.
    struct SharedForms {
        std::once_flag made;
        std::unique_ptr<GramForms> forms;
        std::atomic<int> users{0};
    };
    std::map<const ScratchArray*, SharedForms> formsOf;
    auto fullGram = [&](const TensorInfo& t) -> const LinearStats* {
        auto ls = stats.linear.find(t.p->name);
        return ls != stats.linear.end() && ls->second.fullGram && ls->second.gram && ls->second.cols == t.cols
                   ? &ls->second
                   : nullptr;
    };
    for (const TensorInfo& t : tensors)
        if (const LinearStats* L = fullGram(t)) ++formsOf[L->gram.get()].users;
    // Per tensor its weights read once, its options in parallel.
    tbb::parallel_for(size_t(0), tensors.size(), [&](size_t ti) {
        if (failed || (cancel && cancel->cancelled())) return;
        const TensorInfo& t = tensors[ti];
        auto values = TensorValues::of(params, t.index);
        if (!values.ok()) return fail(values.error());
        // The rows the damage is computed from, gathered when sampled.
        const RowSample sample = sampleRows(t, c, settings.damageRows);
        std::vector<float> sampled;
        if (!sample.all) {
            sampled.resize(sample.rows.size() * size_t(t.cols));
            for (size_t i = 0; i < sample.rows.size(); ++i)
                std::copy_n(values->data() + sample.rows[i] * t.cols, t.cols, sampled.data() + i * size_t(t.cols));
        }
        const float* w = sample.all ? values->data() : sampled.data();
        const int64_t n = sample.all ? t.rows : int64_t(sample.rows.size());
        const Analysis::DamageScales scales = analysis.damageScales(t, values->data(), sample);
        const LinearStats* L = fullGram(t);
        SharedForms* shared = L ? &formsOf.at(L->gram.get()) : nullptr;
        if (shared)
            std::call_once(shared->made, [&] {
                const int64_t K = L->cols;
                const int m = settings.damageSketch;
                shared->forms = std::make_unique<GramForms>(
                    m > 0 && K > 4 * int64_t(m) ? GramForms::sketched(L->gram->data(), K, m, kSketchSeed)
                                                : GramForms::exact(L->gram->data(), K));
            });
        tbb::parallel_for(size_t(0), options.size(), [&](size_t oi) {
            if (failed || (cancel && cancel->cancelled())) return;
            const Option& o = options[oi];
            if (!quant::feasible(o.scheme, t.cols)) {
                analysis.markInfeasible(t, o);
                return;
            }
            std::vector<float> d(size_t(n) * size_t(t.cols));
            auto r = quant::roundTrip(o.scheme, w, n, t.cols, d.data());
            if (!r.ok()) return fail(r.error());
            for (size_t i = 0; i < d.size(); ++i) d[i] = w[i] - d[i];
            analysis.optionMetrics(t, o, d, sample, scales, shared ? shared->forms.get() : nullptr);
            const int n = ++done;
            if (n % 16 == 0)
                report(0.6 + 0.15 * n / double(jobs), "predicted damage " + std::to_string(n) + "/" +
                                                          std::to_string(jobs));
        });
        if (shared && --shared->users == 0) shared->forms.reset();
        if (auto ls = stats.linear.find(t.p->name); ls != stats.linear.end() && ls->second.gram)
            ls->second.gram->release();
    });
    if (failed) return firstError;
    if (cancel && cancel->cancelled()) return cancelledError();
    analysis.finishOptionMetrics();
    stageDone("predicted damage");
    if (onPartial) {
        rep.stage = "predicted damage";
        onPartial(rep);
    }

    // Stage 3 (25 %): measured ground truth on the first M sequences.
    const int M = std::min(settings.measureSequences, set.sequences);
    const int T = set.length;
    std::span<const int32_t> mTokens(set.tokens.data(), size_t(M) * (T + 1));
    std::vector<std::string> tensorUnits, headUnits;
    for (const TensorInfo& t : tensors) tensorUnits.push_back(t.p->name);
    for (int l = 0; l < c.nLayer; ++l)
        for (int h = 0; h < c.nHead; ++h) headUnits.push_back(headUnit(l, h));
    if (settings.measure || settings.headAblation) {
        report(0.75, "measuring the original on " + std::to_string(M) + " sequences");
        // The original's residual stream at every layer, so that a unit of layer l is measured from
        // layer l on (the layers before it compute the same); kept when it is small next to the model.
        ResidualCache residuals;
        const bool cacheResiduals = settings.residualCache;
        auto base = lossAndLogits(params, mTokens, M, T, {}, cancel, cacheResiduals ? &residuals : nullptr);
        if (!base.ok()) return base.error();
        const int64_t rows = int64_t(M) * T;

        // Each job: a set of tensor replacements → Δloss (and KL).
        struct Job {
            std::string unit;
            UnitKind kind;
            std::string option;  // empty: head ablation
            std::vector<std::pair<const TensorInfo*, std::vector<HeadSlice>>> parts;
        };
        std::vector<Job> measureJobs;
        // The units measured: all, or `measureUnits` tensors and as many heads spread evenly over the model.
        const std::vector<bool> tensorMeasured = spreadSelection(tensors.size(), settings.measureUnits);
        const std::vector<bool> headMeasured = spreadSelection(size_t(c.nLayer) * c.nHead, settings.measureUnits);
        auto measuredHead = [&](int l, int h) { return bool(headMeasured[size_t(l) * c.nHead + h]); };
        if (settings.headAblation)
            for (const TensorInfo& t : tensors)
                if (t.kind == "o")
                    for (int h = 0; h < c.nHead; ++h)
                        if (measuredHead(t.layer, h))
                            measureJobs.push_back({headUnit(t.layer, h), UnitKind::Head, "", {{&t, headSlices(t, c, h)}}});
        if (settings.measure)
            for (const Option& p : probes) {
                for (size_t ti = 0; ti < tensors.size(); ++ti) {
                    const TensorInfo& t = tensors[ti];
                    if (tensorMeasured[ti] && quant::feasible(p.scheme, t.cols))
                        measureJobs.push_back({t.p->name, UnitKind::Tensor, p.name, {{&t, {{0, t.rows, 0, t.cols}}}}});
                }
                for (int l = 0; l < c.nLayer; ++l)
                    for (int h = 0; h < c.nHead; ++h) {
                        if (!measuredHead(l, h)) continue;
                        Job j{headUnit(l, h), UnitKind::Head, p.name, {}};
                        bool ok = true;
                        for (const TensorInfo& t : tensors) {
                            if (t.layer != l) continue;
                            std::vector<HeadSlice> s = headSlices(t, c, h);
                            if (s.empty()) continue;
                            ok = ok && quant::feasible(p.scheme, t.cols);
                            j.parts.push_back({&t, std::move(s)});
                        }
                        if (ok && !j.parts.empty()) measureJobs.push_back(std::move(j));
                    }
            }
        std::atomic<int> measured{0};
        std::mutex outMutex;
        tbb::parallel_for(size_t(0), measureJobs.size(), [&](size_t ji) {
            if (failed || (cancel && cancel->cancelled())) return;
            const Job& job = measureJobs[ji];
            std::vector<std::vector<float>> values;
            std::vector<TensorOverride> overrides;
            values.reserve(job.parts.size());
            for (const auto& [t, slices] : job.parts) {
                auto original = TensorValues::of(params, t->index);
                if (!original.ok()) return fail(original.error());
                std::vector<float> v(original->data(), original->data() + original->size());
                if (job.option.empty()) {  // ablation: zero the head's columns
                    for (const HeadSlice& s : slices)
                        for (int64_t r = s.r0; r < s.r1; ++r)
                            std::fill(v.begin() + r * t->cols + s.c0, v.begin() + r * t->cols + s.c1, 0.0f);
                } else {
                    const Option& p = *std::find_if(probes.begin(), probes.end(),
                                                    [&](const Option& o) { return o.name == job.option; });
                    std::vector<float> q(v.size());
                    auto r = quant::roundTrip(p.scheme, v.data(), t->rows, t->cols, q.data());
                    if (!r.ok()) return fail(r.error());
                    // Only the unit's slices take quantized values.
                    for (const HeadSlice& s : slices)
                        for (int64_t r = s.r0; r < s.r1; ++r)
                            std::copy(q.begin() + r * t->cols + s.c0, q.begin() + r * t->cols + s.c1,
                                      v.begin() + r * t->cols + s.c0);
                }
                values.push_back(std::move(v));
                overrides.push_back({t->p->name, values.back().data()});
            }
            auto r = lossAndLogits(params, mTokens, M, T, overrides, cancel, nullptr,
                                   cacheResiduals ? &residuals : nullptr);
            if (!r.ok()) return fail(r.error());
            const double dloss = r->loss - base->loss;
            const double kl = job.option.empty() ? 0 : meanKl(base->logits, r->logits, rows, c.nVocab);
            {
                std::lock_guard<std::mutex> lock(outMutex);
                if (job.option.empty()) {
                    analysis.add(job.unit, job.kind, metric::Ablation, "", dloss);
                } else {
                    analysis.add(job.unit, job.kind, metric::MeasuredLoss, job.option, dloss);
                    analysis.add(job.unit, job.kind, metric::MeasuredKl, job.option, kl);
                }
            }
            const int n = ++measured;
            report(0.75 + 0.25 * n / double(measureJobs.size()),
                   "measuring units " + std::to_string(n) + "/" + std::to_string(measureJobs.size()));
        });
        if (failed) return firstError;
        if (cancel && cancel->cancelled()) return cancelledError();
        stageDone("measurement");
    }

    // Which proxies predict the measurements.
    for (const Option& p : probes) {
        for (const char* m : {metric::MeasuredLoss, metric::MeasuredKl}) {
            for (const char* proxy : {metric::OutputWeighted, metric::Fisher})
                correlate(rep, tensorUnits, UnitKind::Tensor, proxy, p.name, m, p.name);
            for (const char* proxy : {metric::Taylor, metric::GradMagnitude})
                correlate(rep, tensorUnits, UnitKind::Tensor, proxy, "", m, p.name);
        }
        for (const char* m : {metric::MeasuredLoss, metric::MeasuredKl}) {
            for (const char* proxy : {metric::OutputWeighted, metric::Fisher})
                correlate(rep, headUnits, UnitKind::Head, proxy, p.name, m, p.name);
            for (const char* proxy : {metric::Taylor, metric::GradMagnitude, metric::HeadGate})
                correlate(rep, headUnits, UnitKind::Head, proxy, "", m, p.name);
        }
    }
    for (const char* proxy : {metric::HeadGate, metric::Taylor, metric::GradMagnitude})
        correlate(rep, headUnits, UnitKind::Head, proxy, "", metric::Ablation, "");
    rep.complete = true;
    rep.stage = "done";
    report(1.0, "done");
    if (onPartial) onPartial(rep);
    return out;
}

} // namespace precis::sensitivity
