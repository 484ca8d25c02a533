// The compare window's plot: two sessions on one size-vs-Δppl plot.
//
// SessionComparePlot: size (MB = 10^6 bytes, or bits per weight) against the
//   perplexity increase (%) on a log axis, as CompressResultPlot draws one
//   session: each session's predicted frontier as a line (session A blue,
//   session B orange) and its measured compressions as markers of the same
//   colour (A discs, B squares), each labelled with its name. Zero or negative
//   increases sit a little below the least positive value shown (a log axis has
//   no place for them). A session without a frontier has no line; its legend
//   entry says so (the compare window's table says why).
//
// It computes nothing: the frontiers and measurements come from core's
// compareSessions (session/session_compare.h).
#pragma once

#include "session/session_compare.h"

#include <qcustomplot.h>

#include <QString>

#include <cstdint>
#include <vector>

namespace precis::views {

class SessionComparePlot : public QCustomPlot {
    Q_OBJECT
public:
    enum class SizeAxis { Megabytes, BitsPerWeight };

    explicit SessionComparePlot(QWidget* parent = nullptr);

    // Copies what it draws from the comparison.
    void setComparison(const SessionComparison& comparison);
    void clearData();
    void setSizeAxis(SizeAxis axis);
    SizeAxis sizeAxis() const { return m_sizeAxis; }
    void fitView();

    // side 0: session A, 1: session B.
    QCPGraph* frontierGraph(int side) const { return m_frontier[side]; }
    QCPGraph* measuredGraph(int side) const { return m_measured[side]; }
    int labelCount() const { return int(m_labels.size()); }
    static QColor sideColour(int side);

private:
    struct Side {
        QString name;
        std::vector<Frontier::Point> frontier;  // largest first
        int64_t totalWeights = 0;
        std::vector<MeasuredCompression> measured;
    };
    void rebuild();
    double xOf(int64_t bytes, double bitsPerWeight) const;
    double yOf(double percent) const { return std::max(percent, m_logFloor); }

    Side m_sides[2];
    SizeAxis m_sizeAxis = SizeAxis::Megabytes;
    double m_logFloor = 1e-3;
    QCPGraph* m_frontier[2] = {nullptr, nullptr};
    QCPGraph* m_measured[2] = {nullptr, nullptr};
    QList<QCPItemText*> m_labels;
};

} // namespace precis::views
