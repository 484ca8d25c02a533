// The Compress tab's plots and the row type they and the results table show.
//
// CompressResultPlot: size (MB = 10^6 bytes, or bits per weight) against the
//   measured perplexity increase (%) of every result of the session, one
//   marker shape per method, each labelled with its name; the results with a
//   prediction also show it (hollow marker at the same size, joined to the
//   measurement), and the Budget tab's predicted frontier is drawn as a line on
//   the same axes, so predicted and measured compare at a glance.
//
// PredictedMeasuredPlot: predicted against measured perplexity increase (%)
//   per result that has a prediction, with the line measured = predicted.
//
// UnitScatterPlot: for one result measured per tensor, each tensor's predicted
//   Δloss (the Budget tab's option table) against its measured Δloss, log–log,
//   one marker colour per tensor kind, the line measured = predicted, and a
//   title with Spearman's ρ over the tensors that have both numbers.
//
// None computes anything: the rows, units and the frontier are handed in.
#pragma once

#include "eval/compare.h"
#include "eval/unit_damage.h"

#include <qcustomplot.h>

#include <QString>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace precis {
class Frontier;
}

namespace precis::views {

// One compression of the session, as the Compress tab shows it (the plots
// leave out the ones that were not measured).
struct CompressResultRow {
    qint64 key = 0;           // the session record's id (or a negative id while unsaved)
    QString name;             // "budget +1 % gptq", "Q4_K rtn"
    QString method;           // "rtn", "gptq", "awq"
    int64_t bytes = 0;        // tensor bytes as stored (precis::modelSize)
    double bitsPerWeight = 0;
    bool measured = true;     // false: compressed without an evaluation text (precis-cli compress without --eval-text)
    ComparisonResult comparison;
    double predictedPercent = std::numeric_limits<double>::quiet_NaN();  // NaN: no prediction
    bool inMemory = false;    // the compressed model is kept (export as GGUF / safetensors, generation)
    std::vector<UnitDamageRecord> units;  // per-tensor measurements ("Measure each tensor"); empty: none

    bool hasPrediction() const { return std::isfinite(predictedPercent); }
    // NaN when not measured.
    double measuredPercent() const
    {
        return measured ? 100.0 * (comparison.pplRatio() - 1.0) : std::numeric_limits<double>::quiet_NaN();
    }
};

class CompressResultPlot : public QCustomPlot {
    Q_OBJECT
public:
    enum class SizeAxis { Megabytes, BitsPerWeight };

    explicit CompressResultPlot(QWidget* parent = nullptr);

    void setResults(const std::vector<CompressResultRow>& rows);
    // The predicted frontier (points' bytes and damage → perplexityIncreaseForDamage);
    // nullptr removes it. totalWeights converts bytes to bits per weight.
    void setFrontier(const Frontier* frontier, int64_t totalWeights);
    void setSizeAxis(SizeAxis axis);
    SizeAxis sizeAxis() const { return m_sizeAxis; }
    void setLogScale(bool on);
    bool logScale() const { return m_log; }
    // Rings the result at `row` (-1: none).
    void setSelectedRow(int row);
    void fitView();

    // One graph per method ("rtn", "gptq", "awq", then any other), in first-seen order.
    const QList<QCPGraph*>& methodGraphs() const { return m_methodGraphs; }
    QCPGraph* frontierGraph() const { return m_frontier; }
    QCPGraph* predictedGraph() const { return m_predicted; }
    int labelCount() const { return int(m_labels.size()); }

private:
    void rebuild();
    double xOf(int64_t bytes, double bitsPerWeight) const;
    double yOf(double percent) const;

    std::vector<CompressResultRow> m_rows;
    std::vector<int64_t> m_frontierBytes;  // ascending
    std::vector<double> m_frontierPercent;
    int64_t m_totalWeights = 0;
    SizeAxis m_sizeAxis = SizeAxis::Megabytes;
    bool m_log = false;
    double m_logFloor = 1e-3;
    int m_selected = -1;

    QCPGraph* m_frontier = nullptr;
    QCPGraph* m_predicted = nullptr;
    QCPGraph* m_selection = nullptr;
    QList<QCPGraph*> m_methodGraphs;
    QList<QCPAbstractItem*> m_labels;  // names and predicted→measured links, rebuilt with the rows
};

class PredictedMeasuredPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit PredictedMeasuredPlot(QWidget* parent = nullptr);
    void setResults(const std::vector<CompressResultRow>& rows);
    QCPGraph* pointsGraph() const { return m_points; }

private:
    QCPGraph* m_points = nullptr;
    QCPItemStraightLine* m_diagonal = nullptr;
    QList<QCPItemText*> m_labels;
};

class UnitScatterPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit UnitScatterPlot(QWidget* parent = nullptr);
    // The units of the result called `name`; none: the empty-state message instead.
    void setUnits(const std::vector<UnitDamageRecord>& units, const QString& name);

    int unitCount() const { return m_units; }      // units handed in
    int pointCount() const { return m_points; }    // drawn
    // Not drawn: no prediction, or a predicted or measured Δloss ≤ 0 (or not finite): no place on log axes.
    int skippedCount() const { return m_units - m_points; }
    // Spearman's ρ of predicted vs measured over the units with both finite; NaN below 3 of them.
    double spearmanRho() const { return m_rho; }
    QString titleText() const;
    QString messageText() const;  // the empty-state text ("" when units are shown)
    // One graph per tensor kind present (attn q/k/v/o, ffn gate/up/down, embeddings, output).
    const QList<QCPGraph*>& kindGraphs() const { return m_kindGraphs; }

private:
    QCPTextElement* m_title = nullptr;
    QCPItemText* m_message = nullptr;
    QCPItemStraightLine* m_diagonal = nullptr;
    QList<QCPGraph*> m_kindGraphs;
    int m_units = 0, m_points = 0;
    double m_rho = std::numeric_limits<double>::quiet_NaN();
};

// Colour of a method's markers (shared by the plot and the table).
QColor methodColour(const QString& method);

} // namespace precis::views
