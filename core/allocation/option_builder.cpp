#include "allocation/option_builder.h"

#include "allocation/solver.h"
#include "quant/scheme.h"
#include "sensitivity/calibration.h"
#include "session/session_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

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

std::vector<std::string> defaultAllocationOptions()
{
    std::vector<std::string> out = {"F16", "Q8_0", "Q6_K", "Q5_K", "Q5_0", "Q4_K", "Q4_0", "Q3_K", "Q2_K"};
    for (const quant::Scheme& s : quant::rtnSchemes()) out.push_back(s.name());
    return out;
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
    for (const std::string& n : settings.options.empty() ? defaultAllocationOptions() : settings.options) {
        auto s = quant::parseScheme(n);
        if (!s.ok()) return makeError(ErrorCode::InvalidArgument, where, s.error().message);
        candidates.push_back({s->name(), *s});
    }
    const std::string fallback = settings.damageMetric == "ow_err" ? "fisher" : "ow_err";
    auto damageOf = [&](const std::string& unit, const std::string& option, double& out) {
        const sensitivity::UnitValue* v = report.find(unit, settings.damageMetric, option);
        if (!v) v = report.find(unit, fallback, option);
        if (!v || !std::isfinite(v->value)) return false;
        out = std::max(0.0, v->value) * settings.damageScale;
        return true;
    };

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
            u.options.push_back({cand.name, quant::encodedBytes(cand.scheme, t.rows, t.cols), d});
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
                if (ok) u.options.push_back({cand.name, bytes, d});
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
                    if (ok) u.options.push_back({cand.name, bytes, d});
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

Result<OptionTable> cachedOptionTable(SessionStore& store, int64_t sessionId, int64_t runId,
                                      const std::string& modelSha256, const Model& model,
                                      const sensitivity::SensitivityReport& report,
                                      const OptionTableSettings& settings)
{
    nlohmann::json k;
    k["run"] = runId;
    k["model"] = modelSha256;
    k["granularity"] = granularityName(settings.granularity);
    k["metric"] = settings.damageMetric;
    k["options"] = settings.options;
    k["scale"] = settings.damageScale;
    k["format"] = 1;
    const std::string key = k.dump();
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

std::string assignmentJson(const OptionTable& table, const Allocation& a)
{
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (size_t u = 0; u < table.units.size() && u < a.choice.size(); ++u)
        j[table.units[u].name] = table.units[u].options[size_t(a.choice[u])].scheme;
    return j.dump();
}

} // namespace precis

namespace precis {

Result<std::vector<AllocationSummaryRow>> compareAllocations(const std::vector<AllocationRecord>& records)
{
    std::vector<AllocationSummaryRow> rows;
    nlohmann::json first;
    for (const AllocationRecord& rec : records) {
        const auto budget = nlohmann::json::parse(rec.budgetJson, nullptr, false);
        const auto assignment = nlohmann::json::parse(rec.assignmentJson, nullptr, false);
        const auto totals = nlohmann::json::parse(rec.totalsJson, nullptr, false);
        if (!budget.is_object() || !assignment.is_object() || !totals.is_object())
            return makeError(ErrorCode::Format, "allocation '" + rec.name + "'",
                             "its budget, assignment or totals are not the JSON objects Precis stores");
        AllocationSummaryRow r;
        r.name = rec.name;
        const std::string kind = budget.value("kind", "");
        const double value = budget.value("value", 0.0);
        char text[96];
        if (kind == "ppl_percent") std::snprintf(text, sizeof text, "+%g %% ppl", value);
        else if (kind == "bits_per_weight") std::snprintf(text, sizeof text, "%g bits/weight", value);
        else if (kind == "megabytes") std::snprintf(text, sizeof text, "%g MB", value);
        else std::snprintf(text, sizeof text, "%s", kind.c_str());
        r.budget = text;
        if (budget.contains("granularity")) r.budget += " (" + budget.value("granularity", "") + ")";
        r.bytes = totals.value("bytes", int64_t(0));
        r.bitsPerWeight = totals.value("bits_per_weight", 0.0);
        r.pplIncreasePercent = totals.value("predicted_ppl_increase_percent", 0.0);
        r.predictedKl = totals.value("predicted_kl", totals.value("predicted_damage", 0.0));
        r.units = int(assignment.size());
        if (rows.empty()) first = assignment;
        for (auto it = assignment.begin(); it != assignment.end(); ++it)
            if (!first.contains(it.key()) || first[it.key()] != it.value()) ++r.differingFromFirst;
        rows.push_back(std::move(r));
    }
    return rows;
}

} // namespace precis
