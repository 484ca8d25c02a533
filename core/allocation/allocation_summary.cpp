#include "allocation/allocation_summary.h"

#include <algorithm>
#include <cassert>
#include <iterator>
#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace precis {

namespace {

// Stack order: attention, then MLP, then whole layers and the tensors outside blocks.
const char* const kKindOrder[] = {"q", "k", "v", "qkv", "o", "gate", "up", "down", "layer", "embd", "output"};

int kindRank(const std::string& kind)
{
    for (int i = 0; i < int(std::size(kKindOrder)); ++i)
        if (kind == kKindOrder[i]) return i;
    return int(std::size(kKindOrder));
}

// The kinds a head unit's bytes go to, with their relative weights.
std::vector<std::pair<std::string, double>> headParts(const Unit& u, const std::set<std::string>& layerKinds)
{
    if (u.tensor.find("attn_qkv.") != std::string::npos) return {{"qkv", 3.0}, {"o", 1.0}};
    std::vector<std::pair<std::string, double>> parts{{"q", 1.0}};
    if (!layerKinds.count("k")) parts.push_back({"k", 1.0});
    if (!layerKinds.count("v")) parts.push_back({"v", 1.0});
    parts.push_back({"o", 1.0});
    return parts;
}

} // namespace

LayerBreakdown::LayerBreakdown(const OptionTable& table)
{
    // Kinds of the tensor units in each block: tells whether heads slice k and v.
    std::map<int, std::set<std::string>> layerKinds;
    for (const Unit& u : table.units)
        if (u.layer >= 0 && u.kind != "head") layerKinds[u.layer].insert(u.kind);

    // Each unit's (group, kind, weight) parts. Group keys sort as the bars do:
    // embd, blocks by layer, output, then other outside kinds by name.
    using GroupKey = std::tuple<int, int, std::string>;  // (rank, layer, name)
    auto groupOf = [](const Unit& u) -> GroupKey {
        if (u.layer >= 0) return {1, u.layer, std::to_string(u.layer)};
        if (u.kind == "embd") return {0, -1, "embd"};
        if (u.kind == "output") return {2, -1, "output"};
        return {3, -1, u.kind};
    };
    struct Part {
        GroupKey group;
        std::string kind;
        double weight;
    };
    std::vector<std::vector<Part>> parts(table.units.size());
    std::set<std::string> kindSet;
    std::map<GroupKey, uint32_t> groupIndex;
    for (size_t i = 0; i < table.units.size(); ++i) {
        const Unit& u = table.units[i];
        const GroupKey g = groupOf(u);
        if (u.kind == "head" && u.layer >= 0) {
            for (auto& [kind, w] : headParts(u, layerKinds[u.layer])) parts[i].push_back({g, kind, w});
        } else {
            parts[i].push_back({g, u.kind, 1.0});
        }
        for (const Part& p : parts[i]) kindSet.insert(p.kind);
        groupIndex[g] = 0;
    }

    m_kinds.assign(kindSet.begin(), kindSet.end());
    std::stable_sort(m_kinds.begin(), m_kinds.end(),
                     [](const std::string& a, const std::string& b) { return kindRank(a) < kindRank(b); });
    std::map<std::string, uint32_t> kindIndex;
    for (size_t k = 0; k < m_kinds.size(); ++k) kindIndex[m_kinds[k]] = uint32_t(k);
    for (auto& [key, index] : groupIndex) {
        index = uint32_t(m_groups.size());
        m_groups.push_back(std::get<2>(key));
        m_groupLayers.push_back(std::get<1>(key));
    }

    m_groupWeights.assign(m_groups.size(), 0);
    m_shareBegin.assign(table.units.size() + 1, 0);
    const uint32_t kinds = uint32_t(m_kinds.size());
    for (size_t i = 0; i < table.units.size(); ++i) {
        m_shareBegin[i] = uint32_t(m_shares.size());
        double total = 0;
        for (const Part& p : parts[i]) total += p.weight;
        for (const Part& p : parts[i]) {
            const uint32_t g = groupIndex.at(p.group);
            m_shares.push_back({g * kinds + kindIndex.at(p.kind), p.weight / total});
        }
        m_groupWeights[groupIndex.at(parts[i].front().group)] += table.units[i].weights;
    }
    m_shareBegin[table.units.size()] = uint32_t(m_shares.size());
}

template <typename BytesOf>
void LayerBreakdown::accumulate(size_t units, BytesOf bytesOf, std::vector<double>& out) const
{
    assert(units + 1 == m_shareBegin.size());
    out.assign(m_groups.size() * m_kinds.size(), 0.0);
    for (size_t u = 0; u < units; ++u) {
        const double b = double(bytesOf(u));
        for (const Share* s = sharesBegin(u); s != sharesEnd(u); ++s) out[s->cell] += b * s->fraction;
    }
}

void LayerBreakdown::cellBytes(const OptionTable& table, const std::vector<int>& choice, std::vector<double>& out) const
{
    assert(choice.size() == table.units.size());
    accumulate(
        table.units.size(), [&](size_t u) { return table.units[u].options[size_t(choice[u])].bytes; }, out);
}

void LayerBreakdown::maxCellBytes(const OptionTable& table, std::vector<double>& out) const
{
    accumulate(
        table.units.size(),
        [&](size_t u) {
            int64_t most = 0;
            for (const Option& o : table.units[u].options) most = std::max(most, o.bytes);
            return most;
        },
        out);
}

} // namespace precis
