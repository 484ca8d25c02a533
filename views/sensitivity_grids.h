// A SensitivityReport arranged for display: which metrics, options and chunk
// maps it holds, and one metric at one option laid out as the layer × head and
// layer × tensor-kind grids that the Sensitivity tab draws. Plain data, no
// widgets; the shape comes from the unit names alone ("blk.L.head.H",
// "blk.L.attn_q.weight", …), so partial reports lay out as far as they go.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace precis::sensitivity {
struct SensitivityReport;
}

namespace precis::views {

// The metrics the heatmaps offer, in selector order: ow_err fisher taylor
// gradmag gate ablation measured_dloss measured_kl.
const std::vector<std::string>& displayedMetrics();
// The metrics reports keep as 8×8 chunk maps: taylor gradmag fisher.
const std::vector<std::string>& chunkMetrics();

struct ReportContents {
    std::vector<std::string> metrics;                         // present, displayedMetrics() order
    std::map<std::string, std::vector<std::string>> options;  // per metric, most bits per weight first
    std::vector<std::string> chunkMetrics;                    // present, chunkMetrics() order
    std::vector<std::string> chunkTensors;                    // tensors with a chunk map, report order
};
// Per-option predicted metrics (ow_err, fisher) also list the options that fit
// no tensor (only "infeasible" values), so that asking for one shows why.
ReportContents reportContents(const sensitivity::SensitivityReport& report);

struct CellGrid {
    int rows = 0, cols = 0;
    std::vector<double> values;      // (rows, cols), NaN: no value
    std::vector<char> infeasible;    // (rows, cols), 1: the option cannot encode the unit
    std::vector<std::string> units;  // (rows, cols) unit names, "" where the model has none

    void reset(int rows, int cols);
    bool contains(int r, int c) const { return r >= 0 && c >= 0 && r < rows && c < cols; }
    size_t at(int r, int c) const { return size_t(r) * size_t(cols) + size_t(c); }
};

struct SensitivityGrids {
    std::vector<std::string> kinds;  // columns of `tensors`: q k v o gate up down, or qkv o up down
    CellGrid heads;                  // (layers, heads)
    CellGrid tensors;                // (layers, kinds); tensors outside blocks are left out
};
// `option` empty for metrics without options.
SensitivityGrids sensitivityGrids(const sensitivity::SensitivityReport& report, const std::string& metric,
                                  const std::string& option);

// "blk.3.head.2" → (3, 2); false for anything else.
bool parseHeadUnit(const std::string& unit, int* layer, int* head);

} // namespace precis::views
