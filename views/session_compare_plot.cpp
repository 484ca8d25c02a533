#include "session_compare_plot.h"

#include "allocation/solver.h"

#include <algorithm>
#include <cmath>

namespace precis::views {

namespace {

QFont smallFont(const QFont& f) { return QFont(f.family(), std::max(7, f.pointSize() - 1)); }

// Lower and upper ends of `values`, padded (log: by a factor); none gets a unit span.
QCPRange paddedRange(const QVector<double>& values, bool log)
{
    if (values.isEmpty()) return log ? QCPRange(1e-3, 10) : QCPRange(0, 1);
    const double lo = *std::min_element(values.begin(), values.end());
    const double hi = *std::max_element(values.begin(), values.end());
    if (log) return QCPRange(lo / 1.8, hi * 1.8);
    const double span = hi - lo > 0 ? hi - lo : std::max(std::abs(hi), 1.0);
    return QCPRange(lo - 0.08 * span, hi + 0.08 * span);
}

} // namespace

QColor SessionComparePlot::sideColour(int side) { return side == 0 ? QColor(31, 119, 180) : QColor(255, 127, 14); }

SessionComparePlot::SessionComparePlot(QWidget* parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("SessionComparePlot"));
    setMinimumSize(320, 220);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    for (int side = 0; side < 2; ++side) {
        const QColor c = sideColour(side);
        m_frontier[side] = addGraph();
        m_frontier[side]->setPen(QPen(c, 1.6));
        m_frontier[side]->setAdaptiveSampling(true);
        m_measured[side] = addGraph();
        m_measured[side]->setLineStyle(QCPGraph::lsNone);
        m_measured[side]->setScatterStyle(QCPScatterStyle(side == 0 ? QCPScatterStyle::ssDisc : QCPScatterStyle::ssSquare,
                                                          QPen(c.darker(130), 1.2), c, 9));
    }
    legend->setVisible(true);
    legend->setBrush(QColor(255, 255, 255, 220));
    legend->setFont(smallFont(font()));
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    yAxis->setLabel(tr("perplexity increase (%)"));
    yAxis->setScaleType(QCPAxis::stLogarithmic);
    auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
    ticker->setSubTickCount(8);
    yAxis->setTicker(ticker);
    yAxis->setNumberFormat(QStringLiteral("g"));
    setSizeAxis(m_sizeAxis);
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this] { fitView(); });
}

void SessionComparePlot::setComparison(const SessionComparison& c)
{
    const SessionSide* sides[2] = {&c.a, &c.b};
    for (int i = 0; i < 2; ++i) {
        m_sides[i].name = QString::fromStdString(sides[i]->summary.info.name);
        m_sides[i].frontier = sides[i]->frontier.points;
        m_sides[i].totalWeights = sides[i]->frontier.totalWeights;
        m_sides[i].measured = sides[i]->measured;
    }
    rebuild();
}

void SessionComparePlot::clearData()
{
    for (Side& s : m_sides) s = Side{};
    rebuild();
}

void SessionComparePlot::setSizeAxis(SizeAxis axis)
{
    m_sizeAxis = axis;
    xAxis->setLabel(axis == SizeAxis::Megabytes ? tr("size (MB)") : tr("bits per weight"));
    rebuild();
}

double SessionComparePlot::xOf(int64_t bytes, double bitsPerWeight) const
{
    return m_sizeAxis == SizeAxis::BitsPerWeight ? bitsPerWeight : double(bytes) / 1e6;
}

void SessionComparePlot::rebuild()
{
    double least = 0;
    auto consider = [&](double v) {
        if (v > 0 && (least == 0 || v < least)) least = v;
    };
    for (const Side& s : m_sides) {
        for (const Frontier::Point& p : s.frontier) consider(perplexityIncreaseForDamage(p.damage));
        for (const MeasuredCompression& m : s.measured) consider(m.percent);
    }
    m_logFloor = least > 0 ? least / 3 : 1e-3;

    for (QCPItemText* t : m_labels) removeItem(t);
    m_labels.clear();
    for (int i = 0; i < 2; ++i) {
        const Side& s = m_sides[i];
        const QString tag = i == 0 ? QStringLiteral("A") : QStringLiteral("B");
        QVector<double> fx, fy;
        // Ascending size for the line.
        for (auto it = s.frontier.rbegin(); it != s.frontier.rend(); ++it) {
            const double bpw = s.totalWeights > 0 ? 8.0 * double(it->bytes) / double(s.totalWeights) : 0.0;
            fx << xOf(it->bytes, bpw);
            fy << yOf(perplexityIncreaseForDamage(it->damage));
        }
        m_frontier[i]->setData(fx, fy, true);
        m_frontier[i]->setName(fx.isEmpty() ? tr("%1 '%2': no predicted frontier").arg(tag, s.name)
                                            : tr("%1 '%2': predicted frontier").arg(tag, s.name));
        m_frontier[i]->setVisible(!fx.isEmpty());

        QVector<double> mx, my;
        for (const MeasuredCompression& m : s.measured) {
            mx << xOf(m.bytes, m.bitsPerWeight);
            my << yOf(m.percent);
            auto* label = new QCPItemText(this);
            label->setText(QString::fromStdString(m.name));
            label->setFont(smallFont(font()));
            label->setColor(sideColour(i).darker(150));
            // A's names above their markers, B's below: two results of one size stay readable.
            label->setPositionAlignment(Qt::AlignLeft | (i == 0 ? Qt::AlignBottom : Qt::AlignTop));
            label->setPadding(i == 0 ? QMargins(6, 0, 0, 2) : QMargins(6, 2, 0, 0));
            label->position->setCoords(mx.back(), my.back());
            label->setClipToAxisRect(true);
            m_labels << label;
        }
        m_measured[i]->setData(mx, my);
        m_measured[i]->setName(tr("%1 '%2': measured").arg(tag, s.name));
        if (mx.isEmpty()) m_measured[i]->removeFromLegend();
        else m_measured[i]->addToLegend();
    }
    fitView();
}

void SessionComparePlot::fitView()
{
    QVector<double> xs, ys;
    for (int i = 0; i < 2; ++i) {
        for (QCPGraph* g : {m_frontier[i], m_measured[i]})
            for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
                xs << it->key;
                ys << it->value;
            }
    }
    QCPRange xr = paddedRange(xs, false);
    xr.upper += 0.2 * (xr.upper - xr.lower);  // room for the labels on the right
    xAxis->setRange(std::max(0.0, xr.lower), xr.upper);
    yAxis->setRange(paddedRange(ys, true));
    replot(rpQueuedReplot);
}

} // namespace precis::views
