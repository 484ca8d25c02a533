#include "compress_plots.h"

#include "allocation/solver.h"
#include "sensitivity/calibration.h"
#include "sensitivity/report.h"

#include <algorithm>
#include <cmath>

namespace precis::views {

namespace {

const QColor kFrontierColour(31, 119, 180);
const QColor kPredictedColour(120, 120, 120);

QFont smallFont(const QFont& f) { return QFont(f.family(), std::max(7, f.pointSize() - 1)); }

QCPScatterStyle::ScatterShape methodShape(const QString& method)
{
    if (method == QLatin1String("rtn")) return QCPScatterStyle::ssDisc;
    if (method == QLatin1String("gptq")) return QCPScatterStyle::ssTriangle;
    if (method == QLatin1String("awq")) return QCPScatterStyle::ssDiamond;
    return QCPScatterStyle::ssSquare;
}

void setLogAxis(QCPAxis* axis, bool on)
{
    axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on) {
        auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
        ticker->setSubTickCount(8);
        axis->setTicker(ticker);
        axis->setNumberFormat(QStringLiteral("g"));
    } else {
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->setNumberFormat(QStringLiteral("gb"));
    }
}

void styleLegend(QCustomPlot* plot)
{
    plot->legend->setVisible(true);
    plot->legend->setBrush(QColor(255, 255, 255, 220));
    plot->legend->setFont(smallFont(plot->font()));
}

// Lower and upper ends of `values`, padded; a single value or none gets a unit span.
QCPRange paddedRange(const QVector<double>& values, double pad, bool log)
{
    if (values.isEmpty()) return log ? QCPRange(1e-3, 10) : QCPRange(0, 1);
    double lo = *std::min_element(values.begin(), values.end());
    double hi = *std::max_element(values.begin(), values.end());
    if (log) return QCPRange(lo / 1.8, hi * 1.8);
    const double span = hi - lo > 0 ? hi - lo : std::max(std::abs(hi), 1.0);
    return QCPRange(lo - pad * span, hi + pad * span);
}

} // namespace

QColor methodColour(const QString& method)
{
    if (method == QLatin1String("rtn")) return QColor(214, 39, 40);
    if (method == QLatin1String("gptq")) return QColor(44, 160, 44);
    if (method == QLatin1String("awq")) return QColor(148, 103, 189);
    return QColor(255, 127, 14);
}

// ---- CompressResultPlot

CompressResultPlot::CompressResultPlot(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumSize(260, 180);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    m_frontier = addGraph();
    m_frontier->setName(tr("predicted frontier (Budget tab)"));
    m_frontier->setPen(QPen(kFrontierColour, 1.4));
    m_frontier->setAdaptiveSampling(true);

    m_predicted = addGraph();
    m_predicted->setName(tr("predicted"));
    m_predicted->setLineStyle(QCPGraph::lsNone);
    m_predicted->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kPredictedColour, 1.2), Qt::white, 8));

    m_selection = addGraph();
    m_selection->setLineStyle(QCPGraph::lsNone);
    m_selection->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.5), Qt::NoBrush, 16));
    m_selection->removeFromLegend();

    styleLegend(this);
    // Top right: the frontier falls from the top left, the results sit low.
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    yAxis->setLabel(tr("perplexity increase (%)"));
    setLogAxis(yAxis, m_log);
    setSizeAxis(m_sizeAxis);
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this] {
        fitView();
        replot(rpQueuedReplot);
    });
}

void CompressResultPlot::setResults(const std::vector<CompressResultRow>& rows)
{
    m_rows = rows;
    if (m_selected >= int(m_rows.size())) m_selected = -1;
    rebuild();
}

void CompressResultPlot::setFrontier(const Frontier* frontier, int64_t totalWeights)
{
    m_frontierBytes.clear();
    m_frontierPercent.clear();
    m_totalWeights = totalWeights;
    if (frontier) {
        // points() runs from the largest (least damaging) to the smallest.
        const auto& pts = frontier->points();
        for (auto it = pts.rbegin(); it != pts.rend(); ++it) {
            m_frontierBytes.push_back(it->bytes);
            m_frontierPercent.push_back(perplexityIncreaseForDamage(it->damage));
        }
    }
    rebuild();
}

void CompressResultPlot::setSizeAxis(SizeAxis axis)
{
    m_sizeAxis = axis;
    xAxis->setLabel(axis == SizeAxis::Megabytes ? tr("size (MB)") : tr("bits per weight"));
    rebuild();
}

void CompressResultPlot::setLogScale(bool on)
{
    m_log = on;
    setLogAxis(yAxis, on);
    rebuild();
}

void CompressResultPlot::setSelectedRow(int row)
{
    m_selected = row >= 0 && row < int(m_rows.size()) ? row : -1;
    if (m_selected < 0 || !m_rows[size_t(m_selected)].measured) {
        m_selection->data()->clear();
    } else {
        const CompressResultRow& r = m_rows[size_t(m_selected)];
        m_selection->setData({xOf(r.bytes, r.bitsPerWeight)}, {yOf(r.measuredPercent())});
    }
    replot(rpQueuedReplot);
}

double CompressResultPlot::xOf(int64_t bytes, double bitsPerWeight) const
{
    if (m_sizeAxis == SizeAxis::BitsPerWeight) return bitsPerWeight;
    return double(bytes) / 1e6;
}

double CompressResultPlot::yOf(double percent) const { return m_log ? std::max(percent, m_logFloor) : percent; }

void CompressResultPlot::rebuild()
{
    // Zero or a negative change cannot sit on a log axis: drawn a little below the least positive value.
    double least = 0;
    auto consider = [&](double v) {
        if (v > 0 && (least == 0 || v < least)) least = v;
    };
    for (const CompressResultRow& r : m_rows) {
        if (!r.measured) continue;
        consider(r.measuredPercent());
        if (r.hasPrediction()) consider(r.predictedPercent);
    }
    for (double p : m_frontierPercent) consider(p);
    m_logFloor = least > 0 ? least / 3 : 1e-3;

    QVector<double> fx, fy;
    for (size_t i = 0; i < m_frontierBytes.size(); ++i) {
        fx << (m_sizeAxis == SizeAxis::BitsPerWeight
                   ? (m_totalWeights > 0 ? 8.0 * double(m_frontierBytes[i]) / double(m_totalWeights) : 0.0)
                   : double(m_frontierBytes[i]) / 1e6);
        fy << yOf(m_frontierPercent[i]);
    }
    m_frontier->setData(fx, fy, true);
    m_frontier->setVisible(!fx.isEmpty());
    if (fx.isEmpty()) m_frontier->removeFromLegend();
    else m_frontier->addToLegend();

    for (QCPAbstractItem* item : m_labels) removeItem(item);
    m_labels.clear();
    for (QCPGraph* g : m_methodGraphs) removeGraph(g);
    m_methodGraphs.clear();
    // Results of about the same size and damage (Q4_K by two methods) would print their names over
    // each other: a name close to one already placed above its point goes below its own.
    double xspan = 0, yspan = 0;
    for (const CompressResultRow& r : m_rows) {
        if (!r.measured) continue;
        xspan = std::max(xspan, xOf(r.bytes, r.bitsPerWeight));
        yspan = std::max(yspan, std::abs(yOf(r.measuredPercent())));
    }
    std::vector<std::pair<double, double>> above;
    QStringList methods;
    QVector<double> px, py;
    for (const CompressResultRow& r : m_rows) {
        if (!r.measured) continue;
        if (!methods.contains(r.method)) methods << r.method;
        const double x = xOf(r.bytes, r.bitsPerWeight), y = yOf(r.measuredPercent());
        const bool crowded = std::any_of(above.begin(), above.end(), [&](const auto& p) {
            return std::abs(p.first - x) < 0.08 * xspan &&
                   (m_log ? std::abs(std::log(p.second / y)) < 0.5 : std::abs(p.second - y) < 0.1 * yspan);
        });
        if (!crowded) above.emplace_back(x, y);
        if (r.hasPrediction()) {
            px << x;
            py << yOf(r.predictedPercent);
            auto* link = new QCPItemLine(this);
            link->setPen(QPen(kPredictedColour, 1, Qt::DotLine));
            link->start->setCoords(x, py.back());
            link->end->setCoords(x, y);
            link->setClipToAxisRect(true);
            m_labels << link;
        }
        auto* label = new QCPItemText(this);
        label->setText(r.name);
        label->setFont(smallFont(font()));
        label->setColor(methodColour(r.method).darker(130));
        label->setPositionAlignment(Qt::AlignLeft | (crowded ? Qt::AlignTop : Qt::AlignBottom));
        label->setPadding(crowded ? QMargins(6, 2, 0, 0) : QMargins(6, 0, 0, 2));
        label->position->setCoords(x, y);
        label->setClipToAxisRect(true);
        m_labels << label;
    }
    m_predicted->setData(px, py);
    if (px.isEmpty()) m_predicted->removeFromLegend();
    else m_predicted->addToLegend();
    for (const QString& method : methods) {
        QCPGraph* g = addGraph();
        g->setName(tr("measured, %1").arg(method));
        g->setLineStyle(QCPGraph::lsNone);
        const QColor c = methodColour(method);
        g->setScatterStyle(QCPScatterStyle(methodShape(method), QPen(c.darker(120), 1.2), c, 9));
        QVector<double> x, y;
        for (const CompressResultRow& r : m_rows)
            if (r.measured && r.method == method) {
                x << xOf(r.bytes, r.bitsPerWeight);
                y << yOf(r.measuredPercent());
            }
        g->setData(x, y);
        m_methodGraphs << g;
    }
    setSelectedRow(m_selected);  // re-placed under the current axes (and replotted)
    fitView();
}

void CompressResultPlot::fitView()
{
    QVector<double> xs, ys;
    for (const CompressResultRow& r : m_rows) {
        if (!r.measured) continue;
        xs << xOf(r.bytes, r.bitsPerWeight);
        ys << yOf(r.measuredPercent());
        if (r.hasPrediction()) ys << yOf(r.predictedPercent);
    }
    // The frontier only where it meets the results' size range (or all of it without results),
    // so a few results are not squeezed into a corner by a frontier spanning 2 to 16 bits.
    const auto& fd = m_frontier->data();
    double xlo = xs.isEmpty() ? 0 : *std::min_element(xs.begin(), xs.end());
    double xhi = xs.isEmpty() ? 0 : *std::max_element(xs.begin(), xs.end());
    const double margin = xs.isEmpty() ? 0 : std::max(0.25 * (xhi - xlo), 0.1 * xhi);
    for (auto it = fd->constBegin(); it != fd->constEnd(); ++it)
        if (xs.isEmpty() || (it->key >= xlo - margin && it->key <= xhi + margin)) {
            if (xs.isEmpty()) xs << it->key;
            ys << it->value;
        }
    QCPRange xr = paddedRange(xs, 0.08, false);
    xr.upper += 0.25 * (xr.upper - xr.lower);  // room for the labels on the right
    xAxis->setRange(std::max(0.0, xr.lower), xr.upper);
    QCPRange yr = paddedRange(ys, 0.12, m_log);
    if (!m_log) yr.lower = std::min(yr.lower, 0.0);
    yAxis->setRange(yr);
    replot(rpQueuedReplot);
}

// ---- PredictedMeasuredPlot

PredictedMeasuredPlot::PredictedMeasuredPlot(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumSize(220, 180);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_points = addGraph();
    m_points->setName(tr("results with a prediction"));
    m_points->setLineStyle(QCPGraph::lsNone);
    m_points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QPen(kFrontierColour.darker(120)), kFrontierColour, 8));
    m_diagonal = new QCPItemStraightLine(this);
    m_diagonal->setPen(QPen(kPredictedColour, 1, Qt::DashLine));
    m_diagonal->point1->setCoords(0, 0);
    m_diagonal->point2->setCoords(1, 1);
    styleLegend(this);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    xAxis->setLabel(tr("predicted perplexity increase (%)"));
    yAxis->setLabel(tr("measured perplexity increase (%)"));
    setResults({});
}

void PredictedMeasuredPlot::setResults(const std::vector<CompressResultRow>& rows)
{
    for (QCPItemText* t : m_labels) removeItem(t);
    m_labels.clear();
    QVector<double> x, y;
    for (const CompressResultRow& r : rows) {
        if (!r.hasPrediction() || !r.measured) continue;
        x << r.predictedPercent;
        y << r.measuredPercent();
        auto* label = new QCPItemText(this);
        label->setText(r.name);
        label->setFont(smallFont(font()));
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        label->setPadding(QMargins(6, 0, 0, 2));
        label->position->setCoords(x.back(), y.back());
        label->setClipToAxisRect(true);
        m_labels << label;
    }
    m_points->setData(x, y);
    // Both axes over the same span, so the diagonal is at 45°.
    QVector<double> all = x + y;
    all << 0.0;
    QCPRange r = paddedRange(all, 0.1, false);
    xAxis->setRange(r.lower, r.upper + 0.2 * (r.upper - r.lower));
    yAxis->setRange(r);
    replot(rpQueuedReplot);
}

// ---- UnitScatterPlot

namespace {

struct KindStyle {
    const char* kind;  // sensitivity::tensorKind
    QColor colour;
};

// Attention in blues and purples, feed-forward in warm colours, embeddings and output in greys.
const KindStyle kKinds[] = {
    {"q", QColor(31, 119, 180)},   {"k", QColor(23, 190, 207)},  {"v", QColor(148, 103, 189)},
    {"o", QColor(57, 59, 121)},    {"qkv", QColor(107, 174, 214)}, {"gate", QColor(255, 127, 14)},
    {"up", QColor(214, 39, 40)},   {"down", QColor(140, 86, 75)}, {"embd", QColor(127, 127, 127)},
    {"output", QColor(20, 20, 20)}, {"other", QColor(188, 189, 34)},
};

QString kindLabel(const std::string& kind)
{
    if (kind == "q") return UnitScatterPlot::tr("attention q");
    if (kind == "k") return UnitScatterPlot::tr("attention k");
    if (kind == "v") return UnitScatterPlot::tr("attention v");
    if (kind == "o") return UnitScatterPlot::tr("attention output");
    if (kind == "qkv") return UnitScatterPlot::tr("attention qkv");
    if (kind == "gate") return UnitScatterPlot::tr("ffn gate");
    if (kind == "up") return UnitScatterPlot::tr("ffn up");
    if (kind == "down") return UnitScatterPlot::tr("ffn down");
    if (kind == "embd") return UnitScatterPlot::tr("token embeddings");
    if (kind == "output") return UnitScatterPlot::tr("output");
    return UnitScatterPlot::tr("other");
}

} // namespace

UnitScatterPlot::UnitScatterPlot(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumSize(220, 180);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plotLayout()->insertRow(0);
    m_title = new QCPTextElement(this, QString(), smallFont(font()));
    plotLayout()->addElement(0, 0, m_title);
    m_diagonal = new QCPItemStraightLine(this);
    m_diagonal->setPen(QPen(kPredictedColour, 1, Qt::DashLine));
    m_diagonal->point1->setCoords(1e-3, 1e-3);  // on log–log axes the line through these is y = x
    m_diagonal->point2->setCoords(1e-2, 1e-2);
    m_message = new QCPItemText(this);
    m_message->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_message->position->setCoords(0.5, 0.5);
    m_message->setPositionAlignment(Qt::AlignCenter);
    m_message->setTextAlignment(Qt::AlignCenter);
    m_message->setColor(QColor(90, 90, 90));
    styleLegend(this);
    // Bottom right: below the diagonal, where a proxy that under-predicts leaves room.
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    xAxis->setLabel(tr("predicted Δloss (nats/token)"));
    yAxis->setLabel(tr("measured Δloss (nats/token)"));
    setLogAxis(xAxis, true);
    setLogAxis(yAxis, true);
    setUnits({}, QString());
}

void UnitScatterPlot::setUnits(const std::vector<UnitDamageRecord>& units, const QString& name)
{
    for (QCPGraph* g : m_kindGraphs) removeGraph(g);
    m_kindGraphs.clear();
    m_units = int(units.size());

    // ρ over every unit with both numbers (ranks need no log axis); points only where both are > 0.
    std::vector<double> predicted, measured;
    for (const UnitDamageRecord& u : units)
        if (u.hasPrediction() && std::isfinite(u.measured.measuredDloss)) {
            predicted.push_back(u.predictedDloss);
            measured.push_back(u.measured.measuredDloss);
        }
    m_rho = predicted.size() >= 3 ? sensitivity::spearman(predicted, measured) : std::numeric_limits<double>::quiet_NaN();
    m_points = 0;
    QVector<double> all;
    for (const KindStyle& k : kKinds) {
        QVector<double> x, y;
        for (const UnitDamageRecord& u : units) {
            if (sensitivity::tensorKind(u.measured.tensor) != k.kind) continue;
            const double p = u.predictedDloss, m = u.measured.measuredDloss;
            if (!(std::isfinite(p) && std::isfinite(m) && p > 0 && m > 0)) continue;
            x << p;
            y << m;
        }
        if (x.isEmpty()) continue;
        QCPGraph* g = addGraph();
        g->setName(kindLabel(k.kind));
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QPen(k.colour.darker(130), 1), k.colour, 7));
        g->setData(x, y);
        m_kindGraphs << g;
        m_points += int(x.size());
        all << x << y;
    }

    QString message;
    if (units.empty()) {
        m_title->setText(tr("Predicted vs measured Δloss per tensor"));
        message = name.isEmpty() ? tr("Select a result to see its tensors.")
                                 : tr("'%1' was not measured per tensor.\nTick “Measure each tensor” under Evaluation "
                                      "and run it again.")
                                       .arg(name);
    } else {
        const QString rho = std::isfinite(m_rho) ? QString::number(m_rho, 'f', 3) : QStringLiteral("—");
        QString title = tr("%1: Spearman ρ = %2 over %n tensor(s)", nullptr, int(predicted.size())).arg(name, rho);
        if (skippedCount() > 0)
            title += QStringLiteral(" · ") + tr("%n not drawn (no prediction, or Δloss ≤ 0)", nullptr, skippedCount());
        m_title->setText(title);
        if (m_points == 0)
            message = tr("No tensor has a positive predicted and measured Δloss to place on log axes.\n"
                         "Predictions come from the Budget tab's option table: calibrate with the schemes used.");
    }
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
    m_diagonal->setVisible(m_points > 0);
    legend->setVisible(!m_kindGraphs.isEmpty());

    // Both axes over the same decades, so y = x runs at 45°.
    QCPRange r = paddedRange(all, 0, true);
    if (all.isEmpty()) r = QCPRange(1e-5, 1e-1);
    xAxis->setRange(r);
    yAxis->setRange(r);
    replot(rpQueuedReplot);
}

QString UnitScatterPlot::titleText() const { return m_title->text(); }
QString UnitScatterPlot::messageText() const { return m_message->visible() ? m_message->text() : QString(); }

} // namespace precis::views
