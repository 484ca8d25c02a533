#include "allocation/option_builder.h"

#include "allocation/solver.h"
#include "quant/scheme.h"
#include "sensitivity/calibration.h"
#include "session/session_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

namespace precis {

namespace {

using sensitivity::SensitivityReport;

struct TensorShape {
    std::string name, kind;
    int layer = -1;
    int64_t rows = 0, cols = 0;
};

struct Candidate {
    std::string name;
    quant::Scheme scheme;
};

// The report's finite values by (unit, metric, option): SensitivityReport::find
// scans, and a table asks for units × options × metrics values.
class ValueIndex {
public:
    explicit ValueIndex(const SensitivityReport& report)
    {
        m_values.reserve(report.values.size());
        for (const sensitivity::UnitValue& v : report.values)
            if (std::isfinite(v.value)) m_values.emplace(key(v.unit, v.metric, v.option), v.value);
    }
    // The value, or nullopt.
    std::optional<double> find(const std::string& unit, const std::string& metric, const std::string& option) const
    {
        const auto it = m_values.find(key(unit, metric, option));
        return it == m_values.end() ? std::nullopt : std::optional<double>(it->second);
    }

private:
    static std::string key(const std::string& unit, const std::string& metric, const std::string& option)
    {
        return unit + '\x1f' + metric + '\x1f' + option;
    }
    std::unordered_map<std::string, double> m_values;
};

// Predicted KL per (unit, option) from the report's measured KL (see
// buildOptionTable in the header). Damages here are the report's, unscaled.
class KlEstimator {
public:
    KlEstimator(const SensitivityReport& report, const ValueIndex& index, const std::string& metric,
                const std::string& fallback)
        : m_index(index), m_metric(metric), m_fallback(fallback)
    {
        double kl = 0, damage = 0;
        for (const sensitivity::UnitValue& v : report.values) {
            if (v.metric != sensitivity::metric::MeasuredKl || v.option.empty() || !std::isfinite(v.value)) continue;
            const double d = damageOf(v.unit, v.option);
            if (!(d > 0)) continue;
            kl += std::max(0.0, v.value);
            damage += d;
            m_probes.push_back(v.option);
        }
        std::sort(m_probes.begin(), m_probes.end());
        m_probes.erase(std::unique(m_probes.begin(), m_probes.end()), m_probes.end());
        m_ratio = damage > 0 ? kl / damage : std::numeric_limits<double>::quiet_NaN();
    }

    double estimate(const std::string& unit, const std::string& option) const
    {
        if (std::isnan(m_ratio)) return m_ratio;  // the run measured no KL
        if (const double own = measured(unit, option); own >= 0) return own;
        const double d = damageOf(unit, option);
        if (!(d >= 0)) return std::numeric_limits<double>::quiet_NaN();
        for (const std::string& p : m_probes) {
            const double kp = measured(unit, p), dp = damageOf(unit, p);
            if (kp >= 0 && dp > 0) return kp * d / dp;
        }
        return m_ratio * d;
    }

private:
    double damageOf(const std::string& unit, const std::string& option) const
    {
        auto v = m_index.find(unit, m_metric, option);
        if (!v) v = m_index.find(unit, m_fallback, option);
        return v ? std::max(0.0, *v) : -1.0;
    }
    double measured(const std::string& unit, const std::string& option) const
    {
        const auto v = m_index.find(unit, sensitivity::metric::MeasuredKl, option);
        return v ? std::max(0.0, *v) : -1.0;
    }

    const ValueIndex& m_index;
    std::string m_metric, m_fallback;
    std::vector<std::string> m_probes;
    double m_ratio = 0;
};

// Rows/columns of one tensor that belong to a head unit; bytes are those of the
// slice stored as its own rows (o columns: `rows` rows of `width` values).
struct Part {
    const TensorShape* t;
    int64_t rows, width;
};

} // namespace

const char* granularityName(Granularity g)
{
    switch (g) {
    case Granularity::Tensor: return "tensor";
    case Granularity::Head: return "head";
    case Granularity::Layer: return "layer";
    }
    return "tensor";
}

Result<Granularity> parseGranularity(const std::string& name)
{
    if (name == "tensor") return Granularity::Tensor;
    if (name == "head") return Granularity::Head;
    if (name == "layer") return Granularity::Layer;
    return makeError(ErrorCode::InvalidArgument, "granularity",
                     "'" + name + "', expected tensor, head or layer");
}

std::vector<std::string> ggufAllocationOptions()
{
    return {"F16", "Q8_0", "Q6_K", "Q5_K", "Q5_0", "Q4_K", "Q4_0", "Q3_K", "Q2_K"};
}

std::vector<std::string> allAllocationOptions()
{
    std::vector<std::string> out = ggufAllocationOptions();
    for (const quant::Scheme& s : quant::rtnSchemes()) out.push_back(s.name());
    return out;
}

bool isGgufScheme(const std::string& scheme)
{
    auto s = quant::parseScheme(scheme);
    return s.ok() && s->kind != quant::SchemeKind::Rtn;
}

bool isPrecisNativeScheme(const std::string& scheme)
{
    auto s = quant::parseScheme(scheme);
    return s.ok() && s->kind == quant::SchemeKind::Rtn;
}

Result<OptionTable> buildOptionTable(const Model& model, const SensitivityReport& report,
                                     const OptionTableSettings& settings)
{
    const std::string where = "option table";
    if (settings.damageMetric != "ow_err" && settings.damageMetric != "fisher")
        return makeError(ErrorCode::InvalidArgument, where,
                         "damage metric '" + settings.damageMetric + "', expected ow_err or fisher");
    if (!(settings.damageScale > 0) || !std::isfinite(settings.damageScale))
        return makeError(ErrorCode::InvalidArgument, where, "damage scale must be a positive number");
    std::vector<Candidate> candidates;
    for (const std::string& n : settings.options.empty() ? ggufAllocationOptions() : settings.options) {
        auto s = quant::parseScheme(n);
        if (!s.ok()) return makeError(ErrorCode::InvalidArgument, where, s.error().message);
        candidates.push_back({s->name(), *s});
    }
    const std::string fallback = settings.damageMetric == "ow_err" ? "fisher" : "ow_err";
    const ValueIndex index(report);
    auto damageOf = [&](const std::string& unit, const std::string& option, double& out) {
        auto v = index.find(unit, settings.damageMetric, option);
        if (!v) v = index.find(unit, fallback, option);
        if (!v) return false;
        out = std::max(0.0, *v) * settings.damageScale;
        return true;
    };

    // The predicted KL of (unit, option), from the run's measured KL (see the header).
    const KlEstimator kl(report, index, settings.damageMetric, fallback);

    const ModelConfig& c = model.config;
    OptionTable table;
    std::vector<TensorShape> tensors;
    for (const Tensor& t : model.tensors()) {
        const std::string kind = sensitivity::tensorKind(t.name);
        if (t.shape.size() == 2 && kind != "other" && t.name.rfind("position_embd.", 0) != 0) {
            tensors.push_back({t.name, kind, sensitivity::tensorLayer(t.name), t.rows(), t.cols()});
        } else {
            table.fixedBytes += t.numel() * int64_t(sizeof(float));
            table.fixedWeights += t.numel();
        }
    }

    // A report of another model: its chunk maps give away the shapes it saw.
    for (const TensorShape& t : tensors)
        for (const sensitivity::ChunkMap& m : report.chunks)
            if (m.tensor == t.name && (int64_t(m.rows) != (t.rows + 7) / 8 || int64_t(m.cols) != (t.cols + 7) / 8))
                return makeError(ErrorCode::InvalidArgument, where + ": tensor '" + t.name + "'",
                                 "the sensitivity report was made for a tensor of about " + std::to_string(m.rows * 8) +
                                     " × " + std::to_string(m.cols * 8) + ", this model's is " +
                                     std::to_string(t.rows) + " × " + std::to_string(t.cols) +
                                     " (a report of another model?)");

    auto addTensorUnit = [&](const TensorShape& t) -> Result<void> {
        Unit u{t.name, t.name, t.layer, t.kind, t.rows * t.cols, {}, -1};
        for (const Candidate& cand : candidates) {
            double d = 0;
            if (!quant::feasible(cand.scheme, t.cols) || !damageOf(t.name, cand.name, d)) continue;
            u.options.push_back({cand.name, quant::encodedBytes(cand.scheme, t.rows, t.cols), d,
                                 kl.estimate(t.name, cand.name)});
        }
        if (u.options.empty())
            return makeError(ErrorCode::InvalidArgument, where + ": tensor '" + t.name + "'",
                             "no option has both a feasible encoding and a predicted damage in the report "
                             "(was the calibration run made for this model, with these options?)");
        table.units.push_back(std::move(u));
        return {};
    };

    if (settings.granularity == Granularity::Tensor) {
        for (const TensorShape& t : tensors) PRECIS_TRY(addTensorUnit(t));
    } else if (settings.granularity == Granularity::Layer) {
        std::map<int, std::vector<const TensorShape*>> layers;
        for (const TensorShape& t : tensors) {
            if (t.layer < 0) PRECIS_TRY(addTensorUnit(t));
            else layers[t.layer].push_back(&t);
        }
        for (auto& [l, parts] : layers) {
            const std::string name = "blk." + std::to_string(l);
            Unit u{name, parts.front()->name, l, "layer", 0, {}, -1};
            for (const TensorShape* t : parts) u.weights += t->rows * t->cols;
            for (const Candidate& cand : candidates) {
                double d = 0;
                int64_t bytes = 0;
                bool ok = damageOf(name, cand.name, d);
                for (const TensorShape* t : parts) {
                    ok = ok && quant::feasible(cand.scheme, t->cols);
                    if (ok) bytes += quant::encodedBytes(cand.scheme, t->rows, t->cols);
                }
                if (ok) u.options.push_back({cand.name, bytes, d, kl.estimate(name, cand.name)});
            }
            if (u.options.empty())
                return makeError(ErrorCode::InvalidArgument, where + ": layer " + std::to_string(l),
                                 "no option can encode every tensor of the layer with a predicted damage");
            table.units.push_back(std::move(u));
        }
    } else {
        // Heads: q rows and o columns (+ k/v rows with their own KV head); the
        // tensors they do not wholly cover stay tensor units.
        const int64_t hd = c.headDim();
        const bool ownKv = c.nHeadKv == c.nHead;
        std::map<int, std::vector<const TensorShape*>> headTensors;
        for (const TensorShape& t : tensors) {
            const bool byHead = t.layer >= 0 && (t.kind == "q" || t.kind == "o" || t.kind == "qkv" ||
                                                 ((t.kind == "k" || t.kind == "v") && ownKv));
            if (byHead) headTensors[t.layer].push_back(&t);
            else PRECIS_TRY(addTensorUnit(t));
        }
        for (auto& [l, ts] : headTensors)
            for (int h = 0; h < c.nHead; ++h) {
                std::vector<Part> parts;
                for (const TensorShape* t : ts) {
                    if (t->kind == "o") parts.push_back({t, t->rows, hd});
                    else if (t->kind == "qkv") parts.push_back({t, 3 * hd, t->cols});
                    else parts.push_back({t, hd, t->cols});
                }
                const std::string name = "blk." + std::to_string(l) + ".head." + std::to_string(h);
                Unit u{name, ts.front()->name, l, "head", 0, {}, -1};
                for (const Part& p : parts) u.weights += p.rows * p.width;
                for (const Candidate& cand : candidates) {
                    double d = 0;
                    int64_t bytes = 0;
                    bool ok = damageOf(name, cand.name, d);
                    for (const Part& p : parts) {
                        ok = ok && quant::feasible(cand.scheme, p.width) && quant::feasible(cand.scheme, p.t->cols);
                        if (ok) bytes += quant::encodedBytes(cand.scheme, p.rows, p.width);
                    }
                    if (ok) u.options.push_back({cand.name, bytes, d, kl.estimate(name, cand.name)});
                }
                if (u.options.empty())
                    return makeError(ErrorCode::InvalidArgument, where + ": " + name,
                                     "no option can encode the head's slices (head width " + std::to_string(hd) +
                                         ") with a predicted damage");
                table.units.push_back(std::move(u));
            }
    }
    PRECIS_TRY(validate(table));
    return table;
}

std::string optionTableCacheKey(int64_t runId, const std::string& modelSha256, const OptionTableSettings& settings)
{
    nlohmann::json k;
    k["run"] = runId;
    k["model"] = modelSha256;
    k["granularity"] = granularityName(settings.granularity);
    k["metric"] = settings.damageMetric;
    k["options"] = settings.options;
    k["scale"] = settings.damageScale;
    k["format"] = 1;
    return k.dump();
}

Result<OptionTable> cachedOptionTable(SessionStore& store, int64_t sessionId, int64_t runId,
                                      const std::string& modelSha256, const Model& model,
                                      const sensitivity::SensitivityReport& report,
                                      const OptionTableSettings& settings)
{
    const std::string key = optionTableCacheKey(runId, modelSha256, settings);
    PRECIS_TRY_ASSIGN(auto cached, store.loadOptionTable(sessionId, key));
    if (cached) {
        auto t = parseOptionTable(*cached, store.path() + ": cached option table");
        if (t.ok()) return t;
        // A damaged cache entry is rebuilt, not fatal.
    }
    PRECIS_TRY_ASSIGN(auto table, buildOptionTable(model, report, settings));
    PRECIS_TRY(store.saveOptionTable(sessionId, runId, key, serializeOptionTable(table)));
    return table;
}

std::vector<UniformPoint> uniformPoints(const OptionTable& table, const std::vector<std::string>& schemes)
{
    std::vector<UniformPoint> out;
    for (const std::string& s : schemes) {
        UniformPoint p;
        p.scheme = s;
        p.bytes = table.fixedBytes;
        bool any = false;
        for (const Unit& u : table.units) {
            const Option* pick = nullptr;
            for (const Option& o : u.options)
                if (o.scheme == s) pick = &o;
            if (pick) {
                any = true;
            } else {
                ++p.fallbacks;
                for (const Option& o : u.options)
                    if (!pick || o.damage < pick->damage) pick = &o;
            }
            p.bytes += pick->bytes;
            p.damage += pick->damage;
        }
        const int64_t w = totalWeights(table);
        p.bitsPerWeight = w > 0 ? 8.0 * double(p.bytes) / double(w) : 0;
        if (any) out.push_back(p);
    }
    return out;
}

} // namespace precis


namespace precis {

Result<std::vector<UnitSlice>> unitSlices(const Model& model, const std::string& unit, Granularity granularity)
{
    const ModelConfig& c = model.config;
    auto analysed = [](const Tensor& t) {
        const std::string kind = sensitivity::tensorKind(t.name);
        return t.shape.size() == 2 && kind != "other" && t.name.rfind("position_embd.", 0) != 0;
    };
    const auto notAUnit = [&](const std::string& why) -> Error {
        return makeError(ErrorCode::InvalidArgument, "unit '" + unit + "'",
                         "not a " + std::string(granularityName(granularity)) + " unit of " + model.path + ": " + why);
    };
    std::vector<UnitSlice> out;
    if (const Tensor* t = model.find(unit)) {
        // Tensor units; at layer and head granularity the tensors outside those units stay tensors.
        if (!analysed(*t)) return notAUnit("the tensor is not a weight matrix the allocation covers");
        const std::string kind = sensitivity::tensorKind(t->name);
        const int layer = sensitivity::tensorLayer(t->name);
        const bool ownKv = c.nHeadKv == c.nHead;
        const bool inLayerUnit = granularity == Granularity::Layer && layer >= 0;
        const bool inHeadUnit = granularity == Granularity::Head && layer >= 0 &&
                                (kind == "q" || kind == "o" || kind == "qkv" || ((kind == "k" || kind == "v") && ownKv));
        if (inLayerUnit) return notAUnit("its layer is the unit at this granularity");
        if (inHeadUnit) return notAUnit("its heads are the units at this granularity");
        out.push_back({t->name, false, 0, t->rows()});
        return out;
    }
    // "blk.N" or "blk.N.head.H"
    int layer = -1, head = -1;
    char tail = 0;
    const bool isHead = std::sscanf(unit.c_str(), "blk.%d.head.%d%c", &layer, &head, &tail) == 2;
    const bool isLayer = !isHead && std::sscanf(unit.c_str(), "blk.%d%c", &layer, &tail) == 1;
    if (!isHead && !isLayer) return notAUnit("expected a tensor name, 'blk.N' or 'blk.N.head.H'");
    if (layer < 0 || layer >= c.nLayer) return notAUnit("the model has " + std::to_string(c.nLayer) + " layers");
    if (isLayer != (granularity == Granularity::Layer) || isHead != (granularity == Granularity::Head))
        return notAUnit("a " + std::string(isLayer ? "layer" : "head") + " unit");
    const int64_t hd = c.headDim();
    if (isHead && (head < 0 || head >= c.nHead)) return notAUnit("the model has " + std::to_string(c.nHead) + " heads");
    const bool ownKv = c.nHeadKv == c.nHead;
    for (const Tensor& t : model.tensors()) {
        if (!analysed(t) || sensitivity::tensorLayer(t.name) != layer) continue;
        if (isLayer) {
            out.push_back({t.name, false, 0, t.rows()});
            continue;
        }
        const std::string kind = sensitivity::tensorKind(t.name);
        if (kind == "q" || ((kind == "k" || kind == "v") && ownKv)) {
            out.push_back({t.name, false, head * hd, (head + 1) * hd});
        } else if (kind == "qkv") {
            for (int part = 0; part < 3; ++part)
                out.push_back({t.name, false, part * int64_t(c.nEmbd) + head * hd, part * int64_t(c.nEmbd) + (head + 1) * hd});
        } else if (kind == "o") {
            out.push_back({t.name, true, head * hd, (head + 1) * hd});
        }
    }
    if (out.empty()) return notAUnit("the layer has no weight matrix");
    return out;
}

} // namespace precis
