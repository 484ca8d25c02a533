#include "sensitivity_grids.h"

#include "quant/scheme.h"
#include "sensitivity/calibration.h"
#include "sensitivity/report.h"

#include <algorithm>
#include <limits>
#include <set>

namespace precis::views {

namespace ms = sensitivity::metric;
using sensitivity::SensitivityReport;
using sensitivity::UnitKind;
using sensitivity::UnitValue;

namespace {

// Larger shapes in a report are not drawn (a malformed report must not allocate without bound).
constexpr int kMaxLayers = 4096;
constexpr int kMaxHeads = 4096;

// Column order of the layer × kind map; kinds not listed go last.
const char* const kKindOrder[] = {"q", "k", "v", "qkv", "o", "gate", "up", "down"};

int kindRank(const std::string& kind)
{
    for (int i = 0; i < int(std::size(kKindOrder)); ++i)
        if (kind == kKindOrder[i]) return i;
    return int(std::size(kKindOrder));
}

// Most bits per weight first (Q8_0, Q6_K, Q4_0, Q4_K, Q2_K …), then by name;
// names the scheme table does not know go last.
void sortOptions(std::vector<std::string>& options)
{
    auto bitsPerWeight = [](const std::string& name) {
        const auto s = quant::parseScheme(name);
        return s.ok() ? 8.0 * s->blockBytes() / s->blockSize() : -1.0;
    };
    std::vector<std::pair<double, std::string>> keyed;
    for (const std::string& o : options) keyed.push_back({-bitsPerWeight(o), o});
    std::sort(keyed.begin(), keyed.end());
    for (size_t i = 0; i < keyed.size(); ++i) options[i] = keyed[i].second;
}

} // namespace

const std::vector<std::string>& displayedMetrics()
{
    static const std::vector<std::string> m = {ms::OutputWeighted, ms::Fisher,   ms::Taylor,       ms::GradMagnitude,
                                               ms::HeadGate,       ms::Ablation, ms::MeasuredLoss, ms::MeasuredKl};
    return m;
}

const std::vector<std::string>& chunkMetrics()
{
    static const std::vector<std::string> m = {ms::Taylor, ms::GradMagnitude, ms::Fisher};
    return m;
}

bool parseHeadUnit(const std::string& unit, int* layer, int* head)
{
    if (unit.rfind("blk.", 0) != 0) return false;
    const size_t dot = unit.find(".head.", 4);
    if (dot == std::string::npos || dot == 4 || dot + 6 >= unit.size()) return false;
    const std::string l = unit.substr(4, dot - 4), h = unit.substr(dot + 6);
    auto digits = [](const std::string& s) {
        return s.size() <= 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!digits(l) || !digits(h)) return false;
    *layer = std::stoi(l);
    *head = std::stoi(h);
    return true;
}

ReportContents reportContents(const SensitivityReport& r)
{
    std::set<std::string> present;
    std::map<std::string, std::set<std::string>> optionSets;
    for (const UnitValue& v : r.values) {
        present.insert(v.metric);
        if (!v.option.empty()) optionSets[v.metric].insert(v.option);
    }
    for (const char* m : {ms::OutputWeighted, ms::Fisher})
        if (present.count(m)) optionSets[m].insert(optionSets[ms::Infeasible].begin(), optionSets[ms::Infeasible].end());

    ReportContents c;
    for (const std::string& m : displayedMetrics()) {
        if (!present.count(m)) continue;
        c.metrics.push_back(m);
        std::vector<std::string> opts(optionSets[m].begin(), optionSets[m].end());
        sortOptions(opts);
        c.options[m] = std::move(opts);
    }
    std::set<std::string> chunkSet, tensorSet;
    for (const sensitivity::ChunkMap& m : r.chunks) {
        chunkSet.insert(m.metric);
        if (tensorSet.insert(m.tensor).second) c.chunkTensors.push_back(m.tensor);
    }
    for (const std::string& m : chunkMetrics())
        if (chunkSet.count(m)) c.chunkMetrics.push_back(m);
    return c;
}

void CellGrid::reset(int r, int c)
{
    rows = r;
    cols = c;
    values.assign(size_t(r) * size_t(c), std::numeric_limits<double>::quiet_NaN());
    infeasible.assign(size_t(r) * size_t(c), 0);
    units.assign(size_t(r) * size_t(c), {});
}

SensitivityGrids sensitivityGrids(const SensitivityReport& r, const std::string& metric, const std::string& option)
{
    // Shape: layers, heads, kinds and which tensor sits where, from every unit named.
    int layers = 0, heads = 0;
    std::map<std::pair<int, std::string>, std::string> tensorAt;  // (layer, kind) → name
    std::set<std::string> kinds;
    std::set<std::string> seen;
    for (const UnitValue& v : r.values) {
        if (!seen.insert(v.unit).second) continue;
        int l = -1, h = -1;
        if (v.kind == UnitKind::Head && parseHeadUnit(v.unit, &l, &h)) {
            if (l >= kMaxLayers || h >= kMaxHeads) continue;
            heads = std::max(heads, h + 1);
        } else if (v.kind == UnitKind::Tensor && (l = sensitivity::tensorLayer(v.unit)) >= 0) {
            if (l >= kMaxLayers) continue;
            const std::string kind = sensitivity::tensorKind(v.unit);
            kinds.insert(kind);
            tensorAt.emplace(std::make_pair(l, kind), v.unit);
        } else if (v.kind == UnitKind::Layer) {
            l = sensitivity::tensorLayer(v.unit);
            if (l >= kMaxLayers) continue;
        }
        layers = std::max(layers, l + 1);
    }
    SensitivityGrids g;
    g.kinds.assign(kinds.begin(), kinds.end());
    std::stable_sort(g.kinds.begin(), g.kinds.end(),
                     [](const std::string& a, const std::string& b) { return kindRank(a) < kindRank(b); });
    std::map<std::string, int> column;
    for (int i = 0; i < int(g.kinds.size()); ++i) column[g.kinds[size_t(i)]] = i;

    g.heads.reset(layers, heads);
    g.tensors.reset(layers, int(g.kinds.size()));
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h)
            g.heads.units[g.heads.at(l, h)] = "blk." + std::to_string(l) + ".head." + std::to_string(h);
    for (const auto& [key, name] : tensorAt)
        if (key.first < layers) g.tensors.units[g.tensors.at(key.first, column[key.second])] = name;

    // Values: the metric at the option, and where that option is infeasible.
    for (const UnitValue& v : r.values) {
        const bool value = v.metric == metric && v.option == option;
        const bool infeasible = !option.empty() && v.metric == ms::Infeasible && v.option == option && v.value != 0;
        if (!value && !infeasible) continue;
        CellGrid* grid = nullptr;
        int row = -1, col = -1;
        if (v.kind == UnitKind::Head && parseHeadUnit(v.unit, &row, &col)) {
            grid = &g.heads;
        } else if (v.kind == UnitKind::Tensor && (row = sensitivity::tensorLayer(v.unit)) >= 0) {
            grid = &g.tensors;
            col = column[sensitivity::tensorKind(v.unit)];
        }
        if (!grid || !grid->contains(row, col)) continue;
        if (value) grid->values[grid->at(row, col)] = v.value;
        else grid->infeasible[grid->at(row, col)] = 1;
    }
    return g;
}

} // namespace precis::views
