#include "loss_curve_view.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace precis::views {

namespace {

// The range of both graphs' values that the y axis can show (positive only on a log axis).
QCPRange valueRange(const QList<QCPGraph*>& graphs, bool logScale, bool* found)
{
    const QCP::SignDomain sign = logScale ? QCP::sdPositive : QCP::sdBoth;
    QCPRange all;
    *found = false;
    for (QCPGraph* g : graphs) {
        bool ok = false;
        const QCPRange r = g->getValueRange(ok, sign);
        if (!ok) continue;
        all = *found ? QCPRange(std::min(all.lower, r.lower), std::max(all.upper, r.upper)) : r;
        *found = true;
    }
    return all;
}

} // namespace

LossCurveView::LossCurveView(QWidget* parent) : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumSize(320, 220);
    m_plot->xAxis->setLabel(tr("step"));
    m_plot->yAxis->setLabel(tr("loss (nats/token)"));
    m_plot->xAxis->setRange(0, 1);
    m_plot->yAxis->setRange(0, 1);

    m_train = m_plot->addGraph();
    m_train->setName(tr("training (batch)"));
    m_train->setPen(QPen(QColor(31, 119, 180), 1.2));
    m_train->setAdaptiveSampling(true);  // long runs: one polyline segment per pixel column

    m_validation = m_plot->addGraph();
    m_validation->setName(tr("validation"));
    m_validation->setPen(QPen(QColor(255, 127, 14), 2.0));
    m_validation->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(255, 127, 14), Qt::white, 6));

    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 220));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);

    m_logBox = new QCheckBox(tr("Log scale"), this);
    m_logBox->setToolTip(tr("Show the loss on a logarithmic axis"));
    connect(m_logBox, &QCheckBox::toggled, this, &LossCurveView::setLogScale);

    m_replotTimer = new QTimer(this);
    m_replotTimer->setSingleShot(true);
    m_replotTimer->setInterval(kReplotIntervalMs);
    connect(m_replotTimer, &QTimer::timeout, this, &LossCurveView::rescaleAndReplot);

    auto* top = new QHBoxLayout;
    top->addStretch(1);
    top->addWidget(m_logBox);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_plot, 1);
}

LossCurveView::~LossCurveView() = default;

void LossCurveView::appendTrainLoss(int64_t step, double loss)
{
    m_train->addData(double(step), loss);
    scheduleReplot();
}

void LossCurveView::appendValidationLoss(int64_t step, double loss)
{
    m_validation->addData(double(step), loss);
    scheduleReplot();
}

void LossCurveView::clear()
{
    m_train->data()->clear();
    m_validation->data()->clear();
    m_replotTimer->stop();
    rescaleAndReplot();
}

void LossCurveView::setPlannedSteps(int64_t steps)
{
    m_plannedSteps = std::max<int64_t>(0, steps);
    scheduleReplot();
}

void LossCurveView::setLogScale(bool on)
{
    if (m_logBox->isChecked() != on) {
        m_logBox->setChecked(on);  // re-enters through toggled
        return;
    }
    QCPAxis* y = m_plot->yAxis;
    y->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on) {
        auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
        ticker->setSubTickCount(8);
        y->setTicker(ticker);
        y->setNumberFormat(QStringLiteral("g"));
    } else {
        y->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    rescaleAndReplot();
}

bool LossCurveView::logScale() const { return m_plot->yAxis->scaleType() == QCPAxis::stLogarithmic; }

int LossCurveView::trainPointCount() const { return m_train->dataCount(); }

int LossCurveView::validationPointCount() const { return m_validation->dataCount(); }

void LossCurveView::replotNow()
{
    m_replotTimer->stop();
    rescaleAndReplot();
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
}

void LossCurveView::scheduleReplot()
{
    // Bursts of points within one interval cost a single redraw.
    if (!m_replotTimer->isActive()) m_replotTimer->start();
}

void LossCurveView::rescaleAndReplot()
{
    const QList<QCPGraph*> graphs{m_train, m_validation};
    if (m_plannedSteps > 0) {
        m_plot->xAxis->setRange(0, double(m_plannedSteps));
    } else {
        double hi = 1;
        for (QCPGraph* g : graphs)
            if (!g->data()->isEmpty()) hi = std::max(hi, (g->data()->constEnd() - 1)->key);
        m_plot->xAxis->setRange(0, hi);
    }

    const bool log = logScale();
    bool found = false;
    const QCPRange r = valueRange(graphs, log, &found);
    if (!found) {
        m_plot->yAxis->setRange(log ? QCPRange(0.1, 10) : QCPRange(0, 1));
    } else if (log) {
        m_plot->yAxis->setRange(r.lower / 1.15, r.upper * 1.15);
    } else {
        // Start at 0 unless the curve sits far above it, so that progress reads as a share of the loss.
        const double pad = std::max(0.05 * (r.upper - r.lower), 1e-3);
        const double lower = r.lower > 0.5 * r.upper ? r.lower - pad : std::min(0.0, r.lower - pad);
        m_plot->yAxis->setRange(lower, r.upper + pad);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace precis::views
