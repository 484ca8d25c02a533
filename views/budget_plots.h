// The Budget tab's two plots. Both are laid out once per option table / frontier
// and then updated in place on every slider move, without creating items:
//
// FrontierPlot: size (MB = 10^6 bytes, or bits per weight) against predicted
//   perplexity increase (%) of every frontier point as a line, the uniform
//   formats (F16, Q8_0, …) as labelled squares ("Q4_K*": some units cannot take
//   Q4_K and keep their least damaging option there), the current allocation as a
//   marker and the budget as a dashed line. The marker and budget line live on
//   their own buffered layer: a slider move redraws that layer only
//   (replotOverlay), not the thousands of frontier points.
//
// LayerBitsPlot: one bar per group of LayerBreakdown (embd, blocks, output),
//   stacked by tensor kind; height in bits per weight of the group (a segment
//   is that kind's share: 8 · bytes / the group's weights) or in bytes. The
//   value axis is fixed at what the largest options would take, so bars shrink
//   and grow against a steady frame.
//
// Neither plot computes an allocation: the Budget view hands in totals and
// per-cell bytes (core/allocation/allocation_summary.h).
#pragma once

#include <qcustomplot.h>

#include <cstdint>
#include <string>
#include <vector>

namespace precis {
class Frontier;
class LayerBreakdown;
struct UniformPoint;
} // namespace precis

namespace precis::views {

class FrontierPlot : public QCustomPlot {
    Q_OBJECT
public:
    enum class SizeAxis { Megabytes, BitsPerWeight };

    explicit FrontierPlot(QWidget* parent = nullptr);

    // Copies the points; totalWeights converts bytes to bits per weight.
    void setFrontier(const Frontier& frontier, const std::vector<UniformPoint>& uniform, int64_t totalWeights);
    void clearData();
    void setSizeAxis(SizeAxis axis);
    SizeAxis sizeAxis() const { return m_sizeAxis; }
    void setLogScale(bool on);
    bool logScale() const { return m_log; }

    // Plot coordinates of a (bytes, damage) point under the current axes.
    double xOf(int64_t bytes) const;
    double yOf(double damage) const;

    // The current allocation and the budget line: horizontal at a damage
    // budget (nats/token), or vertical at a byte budget. Redrawn by replotOverlay().
    void setCurrent(int64_t bytes, double damage);
    // Marks the current allocation as using Precis-native types (RTN: a GGUF
    // export re-encodes them): another colour and legend entry. Returns true
    // when that changed (the legend then needs a full replot).
    bool setCurrentNative(bool native);
    bool currentNative() const { return m_currentNative; }
    void setDamageBudgetLine(double damage);
    void setByteBudgetLine(int64_t bytes);
    // Redraws only the overlay layer (a full replot when the plot has no buffers yet).
    void replotOverlay();
    // Rescales both axes to the data (also bound to a double click).
    void fitView();

    QCPGraph* frontierGraph() const { return m_frontier; }
    QCPGraph* uniformGraph() const { return m_uniform; }
    QCPGraph* currentGraph() const { return m_current; }
    const QList<QCPItemText*>& uniformLabels() const { return m_labels; }
    QStringList uniformSchemes() const;  // the labels, in the order given

private:
    void rebuildData();
    double logFloor() const;

    std::vector<int64_t> m_bytes;      // frontier points, smallest first
    std::vector<double> m_damage;
    std::vector<std::string> m_uniformSchemes;
    std::vector<int64_t> m_uniformBytes;
    std::vector<double> m_uniformDamage;
    int64_t m_totalWeights = 0;
    SizeAxis m_sizeAxis = SizeAxis::Megabytes;
    bool m_log = true;
    double m_logFloor = 1e-4;  // where zero sits on the log axis (logFloor(), cached per rebuild)
    int64_t m_currentBytes = -1;
    double m_currentDamage = 0;
    bool m_currentNative = false;
    bool m_budgetIsDamage = true;
    double m_budgetDamage = 0;
    int64_t m_budgetBytes = 0;

    QCPLayer* m_overlay = nullptr;
    QCPGraph* m_frontier = nullptr;
    QCPGraph* m_uniform = nullptr;
    QCPGraph* m_current = nullptr;
    QCPItemStraightLine* m_budgetLine = nullptr;
    QList<QCPItemText*> m_labels;
};

class LayerBitsPlot : public QCustomPlot {
    Q_OBJECT
public:
    enum class Mode { BitsPerWeight, Bytes };

    explicit LayerBitsPlot(QWidget* parent = nullptr);

    // One QCPBars per kind of the breakdown, one bar per group. maxCells: bytes
    // per (group, kind) cell with every unit at its largest option (fixes the axis).
    void setLayout(const LayerBreakdown& breakdown, const std::vector<double>& maxCells);
    void clearData();
    // Bytes per (group, kind) cell, row-major as LayerBreakdown::cellBytes; values
    // change in place. Redrawn at the next replot.
    void setCells(const std::vector<double>& cells);
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }

    int groupCount() const { return int(m_groups.size()); }
    // The height of bar `group` (Σ of its segments) in the current mode's unit,
    // and that unit's size in bytes (Bytes mode; 0 in bits per weight).
    double stackHeight(int group) const;
    double byteScale() const { return m_mode == Mode::Bytes ? m_byteScale : 0.0; }
    const QList<QCPBars*>& bars() const { return m_bars; }
    // Tooltip text of a bar: its group and every segment.
    QString groupText(int group) const;

private:
    void refreshValues();
    void updateValueAxis();
    double segment(size_t group, size_t kind) const;

    std::vector<QString> m_groups;
    std::vector<QString> m_kinds;
    std::vector<int64_t> m_groupWeights;
    std::vector<double> m_cells, m_maxCells;
    double m_byteScale = 1e6;  // bytes per axis unit in Bytes mode
    QString m_byteUnit;
    Mode m_mode = Mode::BitsPerWeight;
    QList<QCPBars*> m_bars;
};

} // namespace precis::views
