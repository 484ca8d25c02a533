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
// Neither computes anything: the rows and the frontier are handed in.
#pragma once

#include "eval/compare.h"

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

// One measured compression, as the Compress tab shows it.
struct CompressResultRow {
    qint64 key = 0;           // the session record's id (or a negative id while unsaved)
    QString name;             // "budget +1 % gptq", "Q4_K rtn"
    QString method;           // "rtn", "gptq", "awq"
    int64_t bytes = 0;        // tensor bytes as stored (precis::modelSize)
    double bitsPerWeight = 0;
    ComparisonResult comparison;
    double predictedPercent = std::numeric_limits<double>::quiet_NaN();  // NaN: no prediction
    bool inMemory = false;    // the compressed model is kept (export as GGUF / safetensors, generation)

    bool hasPrediction() const { return std::isfinite(predictedPercent); }
    double measuredPercent() const { return 100.0 * (comparison.pplRatio() - 1.0); }
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

// Colour of a method's markers (shared by the plot and the table).
QColor methodColour(const QString& method);

} // namespace precis::views
