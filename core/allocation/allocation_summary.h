// Where an allocation's bytes go, layer by layer and tensor kind by kind: the
// data of the studio's per-layer bit chart (DESIGN.md §9, Budget).
//
// Groups are the bars: "embd" (token_embd), the blocks "0", "1", … in layer
// order, "output", then any other unit outside a block under its kind. Kinds are
// the stacked segments, in the order q k v qkv o gate up down layer embd output,
// then any other kind by name. A unit's bytes go to one (group, kind) cell,
// except a head unit (kind "head", a head slice of q/k/v/o): its bytes are split
// over the attention tensors it slices in proportion to the weights each part
// holds, which are equal for q, k, v and o of one head (hd × n_embd each), and
// 3:1 for a fused qkv and o (GPT-2). A head slices k and v only when its layer
// has no k/v tensor units of its own (grouped-query attention keeps them whole).
// A layer unit (layer granularity) is the single kind "layer".
//
// Fixed bytes (norms, biases kept in float) belong to no group; Σ cells =
// allocation bytes - table.fixedBytes.
#pragma once

#include "allocation/option_table.h"

#include <cstdint>
#include <string>
#include <vector>

namespace precis {

class LayerBreakdown {
public:
    LayerBreakdown() = default;
    // The layout only (groups, kinds, shares); O(units). Does not keep the table.
    explicit LayerBreakdown(const OptionTable& table);

    const std::vector<std::string>& groups() const { return m_groups; }  // bar labels
    const std::vector<int>& groupLayers() const { return m_groupLayers; } // block index, -1 outside blocks
    const std::vector<std::string>& kinds() const { return m_kinds; }     // stack order
    size_t groupCount() const { return m_groups.size(); }
    size_t kindCount() const { return m_kinds.size(); }
    // Σ unit weights per group (bits per weight of a bar = 8 · bytes / this).
    const std::vector<int64_t>& groupWeights() const { return m_groupWeights; }

    // Bytes per cell for one choice per unit (as Allocation::choice), row-major
    // (groups, kinds), resized and overwritten. `table` must be the one the
    // layout was made from (same units in the same order; asserted by count).
    void cellBytes(const OptionTable& table, const std::vector<int>& choice, std::vector<double>& out) const;
    // The same with every unit at its largest option: the top of a fixed axis.
    void maxCellBytes(const OptionTable& table, std::vector<double>& out) const;

    struct Share {
        uint32_t cell;    // group · kindCount + kind
        double fraction;  // of the unit's bytes; a unit's fractions sum to 1
    };
    // The shares of unit u.
    const Share* sharesBegin(size_t u) const { return m_shares.data() + m_shareBegin[u]; }
    const Share* sharesEnd(size_t u) const { return m_shares.data() + m_shareBegin[u + 1]; }

private:
    template <typename BytesOf>
    void accumulate(size_t units, BytesOf bytesOf, std::vector<double>& out) const;

    std::vector<std::string> m_groups;
    std::vector<int> m_groupLayers;
    std::vector<std::string> m_kinds;
    std::vector<int64_t> m_groupWeights;
    std::vector<uint32_t> m_shareBegin;  // units + 1
    std::vector<Share> m_shares;
};

} // namespace precis
