#include "budget_plots.h"

#include "allocation/allocation_summary.h"
#include "allocation/option_builder.h"
#include "allocation/solver.h"

#include <QLocale>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace precis::views {

namespace {

const QColor kFrontierColour(31, 119, 180);
const QColor kCurrentColour(214, 39, 40);
const QColor kNativeColour(255, 127, 14);
const QColor kUniformColour(90, 90, 90);

// Fixed colours for the known kinds; any other kind takes the next spare one.
QColor kindColour(const QString& kind, int* spare)
{
    static const std::pair<const char*, QColor> colours[] = {
        {"q", QColor(31, 119, 180)},   {"k", QColor(174, 199, 232)}, {"v", QColor(148, 103, 189)},
        {"qkv", QColor(23, 190, 207)}, {"o", QColor(197, 176, 213)}, {"gate", QColor(44, 160, 44)},
        {"up", QColor(152, 223, 138)}, {"down", QColor(255, 127, 14)}, {"layer", QColor(127, 127, 127)},
        {"embd", QColor(140, 86, 75)}, {"output", QColor(214, 39, 40)},
    };
    for (const auto& [name, colour] : colours)
        if (kind == QLatin1String(name)) return colour;
    static const QColor others[] = {QColor(188, 189, 34), QColor(227, 119, 194), QColor(196, 156, 148), QColor(219, 219, 141)};
    return others[(*spare)++ % int(std::size(others))];
}

// Legend text of a stack kind.
QString kindTitle(const QString& kind)
{
    if (kind == QLatin1String("layer")) return LayerBitsPlot::tr("whole layer");
    return kind;
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

} // namespace

// ---- FrontierPlot

FrontierPlot::FrontierPlot(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumSize(260, 180);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    addLayer(QStringLiteral("budget"), layer(QStringLiteral("main")), QCustomPlot::limAbove);
    m_overlay = layer(QStringLiteral("budget"));
    m_overlay->setMode(QCPLayer::lmBuffered);

    m_frontier = addGraph();
    m_frontier->setName(tr("frontier (optimal mixes)"));
    m_frontier->setPen(QPen(kFrontierColour, 1.6));
    m_frontier->setAdaptiveSampling(true);  // thousands of points: one segment per pixel column

    m_uniform = addGraph();
    m_uniform->setName(tr("one format everywhere"));
    m_uniform->setLineStyle(QCPGraph::lsNone);
    m_uniform->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, kUniformColour, QColor(230, 230, 230), 7));

    m_current = addGraph();
    m_current->setName(tr("current allocation"));
    m_current->setLineStyle(QCPGraph::lsNone);
    m_current->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kCurrentColour, 2), QColor(255, 255, 255, 200), 11));
    m_current->setLayer(m_overlay);

    m_budgetLine = new QCPItemStraightLine(this);
    m_budgetLine->setLayer(m_overlay);
    m_budgetLine->setPen(QPen(kCurrentColour, 1, Qt::DashLine));
    m_budgetLine->setVisible(false);

    legend->setVisible(true);
    legend->setBrush(QColor(255, 255, 255, 220));
    legend->setFont(QFont(font().family(), std::max(7, font().pointSize() - 1)));
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    yAxis->setLabel(tr("predicted perplexity increase (%)"));
    setLogAxis(yAxis, m_log);
    setSizeAxis(m_sizeAxis);
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this] {
        fitView();
        replot(rpQueuedReplot);
    });
}

void FrontierPlot::setFrontier(const Frontier& frontier, const std::vector<UniformPoint>& uniform, int64_t totalWeights)
{
    const auto& pts = frontier.points();
    m_bytes.resize(pts.size());
    m_damage.resize(pts.size());
    // points() runs from the least damaging (largest) to the smallest; the graph wants x ascending.
    for (size_t i = 0; i < pts.size(); ++i) {
        m_bytes[i] = pts[pts.size() - 1 - i].bytes;
        m_damage[i] = pts[pts.size() - 1 - i].damage;
    }
    m_uniformSchemes.clear();
    m_uniformBytes.clear();
    m_uniformDamage.clear();
    for (const UniformPoint& u : uniform) {
        // "*": some units cannot take the format (too narrow for its blocks) and keep their least damaging option.
        m_uniformSchemes.push_back(u.fallbacks > 0 ? u.scheme + "*" : u.scheme);
        m_uniformBytes.push_back(u.bytes);
        m_uniformDamage.push_back(u.damage);
    }
    m_totalWeights = totalWeights;
    rebuildData();
}

void FrontierPlot::clearData()
{
    m_bytes.clear();
    m_damage.clear();
    m_uniformSchemes.clear();
    m_uniformBytes.clear();
    m_uniformDamage.clear();
    m_currentBytes = -1;
    m_budgetLine->setVisible(false);
    rebuildData();
}

QStringList FrontierPlot::uniformSchemes() const
{
    QStringList out;
    for (const std::string& s : m_uniformSchemes) out << QString::fromStdString(s);
    return out;
}

void FrontierPlot::setSizeAxis(SizeAxis axis)
{
    m_sizeAxis = axis;
    xAxis->setLabel(axis == SizeAxis::Megabytes ? tr("size (MB)") : tr("bits per weight"));
    rebuildData();
}

void FrontierPlot::setLogScale(bool on)
{
    m_log = on;
    setLogAxis(yAxis, on);
    rebuildData();
}

double FrontierPlot::xOf(int64_t bytes) const
{
    if (m_sizeAxis == SizeAxis::BitsPerWeight)
        return m_totalWeights > 0 ? 8.0 * double(bytes) / double(m_totalWeights) : 0.0;
    return double(bytes) / 1e6;
}

double FrontierPlot::yOf(double damage) const
{
    const double y = perplexityIncreaseForDamage(damage);
    return m_log ? std::max(y, m_logFloor) : y;
}

double FrontierPlot::logFloor() const
{
    // Zero damage (F16 everywhere) cannot sit on a log axis: it is drawn a
    // little below the least positive value shown.
    double least = 0;
    for (const auto* v : {&m_damage, &m_uniformDamage})
        for (double d : *v) {
            const double y = perplexityIncreaseForDamage(d);
            if (y > 0 && (least == 0 || y < least)) least = y;
        }
    return least > 0 ? least / 3 : 1e-4;
}

void FrontierPlot::rebuildData()
{
    m_logFloor = logFloor();
    QVector<double> x(qsizetype(m_bytes.size())), y(qsizetype(m_bytes.size()));
    for (size_t i = 0; i < m_bytes.size(); ++i) {
        x[qsizetype(i)] = xOf(m_bytes[i]);
        y[qsizetype(i)] = yOf(m_damage[i]);
    }
    m_frontier->setData(x, y, true);

    QVector<double> ux, uy;
    for (size_t i = 0; i < m_uniformBytes.size(); ++i) {
        ux << xOf(m_uniformBytes[i]);
        uy << yOf(m_uniformDamage[i]);
    }
    m_uniform->setData(ux, uy);
    // Labels are few and change only with the table: recreated here, never per move.
    for (QCPItemText* t : m_labels) removeItem(t);
    m_labels.clear();
    // Formats of (almost) the same size (Q4_0 and Q4_K) would print their names
    // over each other: every other one of a close run goes below its point.
    double xmin = 0, xmax = 0;
    for (qsizetype i = 0; i < ux.size(); ++i) {
        xmin = i ? std::min(xmin, ux[i]) : ux[i];
        xmax = i ? std::max(xmax, ux[i]) : ux[i];
    }
    bool below = false;
    for (size_t i = 0; i < m_uniformSchemes.size(); ++i) {
        const bool close = i > 0 && std::abs(ux[qsizetype(i)] - ux[qsizetype(i) - 1]) < 0.03 * (xmax - xmin);
        below = close && !below;
        auto* t = new QCPItemText(this);
        t->setText(QString::fromStdString(m_uniformSchemes[i]));
        t->setFont(QFont(font().family(), std::max(7, font().pointSize() - 1)));
        t->setColor(kUniformColour);
        t->setPositionAlignment(Qt::AlignLeft | (below ? Qt::AlignTop : Qt::AlignBottom));
        t->position->setCoords(ux[qsizetype(i)], uy[qsizetype(i)]);
        t->setPadding(below ? QMargins(5, 2, 0, 0) : QMargins(5, 0, 0, 2));
        t->setClipToAxisRect(true);
        m_labels << t;
    }
    if (m_currentBytes >= 0) setCurrent(m_currentBytes, m_currentDamage);
    if (m_budgetLine->visible()) {
        if (m_budgetIsDamage) setDamageBudgetLine(m_budgetDamage);
        else setByteBudgetLine(m_budgetBytes);
    }
    fitView();
    replot(rpQueuedReplot);
}

void FrontierPlot::fitView()
{
    bool any = false;
    QCPRange xr, yr;
    for (QCPGraph* g : {m_frontier, m_uniform}) {
        bool ok = false;
        const QCPRange r = g->getKeyRange(ok);
        if (!ok) continue;
        bool vok = false;
        const QCPRange v = g->getValueRange(vok, m_log ? QCP::sdPositive : QCP::sdBoth);
        xr = any ? QCPRange(std::min(xr.lower, r.lower), std::max(xr.upper, r.upper)) : r;
        if (vok) yr = any ? QCPRange(std::min(yr.lower, v.lower), std::max(yr.upper, v.upper)) : v;
        any = true;
    }
    if (!any) {
        xAxis->setRange(0, 1);
        yAxis->setRange(m_log ? QCPRange(1e-2, 100) : QCPRange(0, 1));
        return;
    }
    const double xpad = std::max(0.04 * (xr.upper - xr.lower), 1e-6);
    xAxis->setRange(std::max(0.0, xr.lower - xpad), xr.upper + 2.5 * xpad);  // room for the labels on the right
    if (m_log) yAxis->setRange(yr.lower / 1.6, yr.upper * 1.6);
    else yAxis->setRange(0, std::max(yr.upper * 1.08, 1e-6));
}

void FrontierPlot::setCurrent(int64_t bytes, double damage)
{
    m_currentBytes = bytes;
    m_currentDamage = damage;
    auto* d = m_current->data().data();
    const double x = xOf(bytes), y = yOf(damage);
    if (d->size() == 1) {
        d->begin()->key = x;  // one point: changing its key keeps the container sorted
        d->begin()->value = y;
    } else {
        m_current->setData({x}, {y});
    }
}

bool FrontierPlot::setCurrentNative(bool native)
{
    if (native == m_currentNative) return false;
    m_currentNative = native;
    const QColor colour = native ? kNativeColour : kCurrentColour;
    m_current->setName(native ? tr("current allocation (Precis-native types)") : tr("current allocation"));
    m_current->setScatterStyle(QCPScatterStyle(native ? QCPScatterStyle::ssDiamond : QCPScatterStyle::ssCircle,
                                               QPen(colour, 2), QColor(255, 255, 255, 200), 11));
    return true;
}

void FrontierPlot::setDamageBudgetLine(double damage)
{
    m_budgetIsDamage = true;
    m_budgetDamage = damage;
    const double y = yOf(damage);
    m_budgetLine->point1->setCoords(0, y);
    m_budgetLine->point2->setCoords(1, y);
    m_budgetLine->setVisible(true);
}

void FrontierPlot::setByteBudgetLine(int64_t bytes)
{
    m_budgetIsDamage = false;
    m_budgetBytes = bytes;
    const double x = xOf(bytes);
    m_budgetLine->point1->setCoords(x, 1);
    m_budgetLine->point2->setCoords(x, 2);
    m_budgetLine->setVisible(true);
}

void FrontierPlot::replotOverlay()
{
    if (width() <= 0 || height() <= 0 || !isVisible()) {
        replot(rpQueuedReplot);  // nothing buffered to draw into yet
        return;
    }
    m_overlay->replot();
}

// ---- LayerBitsPlot

LayerBitsPlot::LayerBitsPlot(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumSize(260, 160);
    xAxis->setLabel(tr("layer"));
    xAxis->grid()->setVisible(false);
    // The legend wraps over the top of the bars, where the fixed axis leaves room
    // (the tallest possible bar, every unit at its largest option, is rarely reached).
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignHCenter);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(6);
    legend->setIconSize(14, 9);
    legend->setBrush(QColor(255, 255, 255, 220));
    legend->setBorderPen(Qt::NoPen);
    legend->setFont(QFont(font().family(), std::max(7, font().pointSize() - 1)));
    legend->setVisible(true);
    setMode(m_mode);
    connect(this, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        const int g = int(std::lround(xAxis->pixelToCoord(e->position().x())));
        if (g >= 0 && g < groupCount()) QToolTip::showText(e->globalPosition().toPoint(), groupText(g), this);
        else QToolTip::hideText();
    });
}

void LayerBitsPlot::setLayout(const LayerBreakdown& b, const std::vector<double>& maxCells)
{
    clearPlottables();
    m_bars.clear();
    m_groups.clear();
    m_kinds.clear();
    for (const std::string& g : b.groups()) m_groups.push_back(QString::fromStdString(g));
    for (const std::string& k : b.kinds()) m_kinds.push_back(QString::fromStdString(k));
    m_groupWeights = b.groupWeights();
    m_maxCells = maxCells;
    m_cells.assign(maxCells.size(), 0.0);

    QVector<double> keys(qsizetype(m_groups.size())), zeros(qsizetype(m_groups.size()), 0.0);
    for (qsizetype g = 0; g < keys.size(); ++g) keys[g] = double(g);
    int spare = 0;
    for (size_t k = 0; k < m_kinds.size(); ++k) {
        auto* bars = new QCPBars(xAxis, yAxis);
        bars->setName(kindTitle(m_kinds[k]));
        const QColor c = kindColour(m_kinds[k], &spare);
        bars->setBrush(c);
        bars->setPen(QPen(c.darker(130), 0.5));
        bars->setWidth(0.8);
        bars->setData(keys, zeros, true);
        if (!m_bars.isEmpty()) bars->moveAbove(m_bars.back());
        m_bars << bars;
    }

    // Tick labels: every group when they fit, else every n-th block.
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const int step = std::max(1, int(m_groups.size()) / 24);
    for (size_t g = 0; g < m_groups.size(); ++g)
        if (g % size_t(step) == 0 || b.groupLayers()[g] < 0) ticker->addTick(double(g), m_groups[g]);
    xAxis->setTicker(ticker);
    xAxis->setRange(-0.7, double(m_groups.size()) - 0.3);
    updateValueAxis();
}

void LayerBitsPlot::clearData()
{
    clearPlottables();
    m_bars.clear();
    m_groups.clear();
    m_kinds.clear();
    m_groupWeights.clear();
    m_cells.clear();
    m_maxCells.clear();
    replot(rpQueuedReplot);
}

void LayerBitsPlot::setCells(const std::vector<double>& cells)
{
    if (cells.size() != m_cells.size()) return;
    m_cells = cells;
    refreshValues();
}

void LayerBitsPlot::setMode(Mode mode)
{
    m_mode = mode;
    updateValueAxis();
    refreshValues();
}

double LayerBitsPlot::segment(size_t g, size_t k) const
{
    const double bytes = m_cells[g * m_kinds.size() + k];
    if (m_mode == Mode::Bytes) return bytes / m_byteScale;
    return m_groupWeights[g] > 0 ? 8.0 * bytes / double(m_groupWeights[g]) : 0.0;
}

double LayerBitsPlot::stackHeight(int group) const
{
    double sum = 0;
    for (size_t k = 0; k < m_kinds.size(); ++k) sum += segment(size_t(group), k);
    return sum;
}

void LayerBitsPlot::refreshValues()
{
    // In place: the bars keep their data containers and keys.
    for (qsizetype k = 0; k < m_bars.size(); ++k) {
        auto* d = m_bars[k]->data().data();
        size_t g = 0;
        for (auto it = d->begin(); it != d->end(); ++it, ++g) it->value = segment(g, size_t(k));
    }
}

void LayerBitsPlot::updateValueAxis()
{
    // The tallest bar with every unit at its largest option.
    double mostBytes = 0, mostBits = 0;
    for (size_t g = 0; g < m_groups.size(); ++g) {
        double bytes = 0;
        for (size_t k = 0; k < m_kinds.size(); ++k) bytes += m_maxCells[g * m_kinds.size() + k];
        mostBytes = std::max(mostBytes, bytes);
        if (m_groupWeights[g] > 0) mostBits = std::max(mostBits, 8.0 * bytes / double(m_groupWeights[g]));
    }
    if (m_mode == Mode::Bytes) {
        m_byteScale = mostBytes >= 1e9 ? 1e9 : mostBytes >= 1e6 ? 1e6 : 1e3;
        m_byteUnit = m_byteScale == 1e9 ? tr("GB") : m_byteScale == 1e6 ? tr("MB") : tr("kB");
        yAxis->setLabel(tr("size (%1)").arg(m_byteUnit));
        yAxis->setRange(0, std::max(mostBytes / m_byteScale * 1.05, 1e-3));
    } else {
        yAxis->setLabel(tr("bits per weight"));
        yAxis->setRange(0, std::max(mostBits * 1.05, 1.0));
    }
}

QString LayerBitsPlot::groupText(int group) const
{
    if (group < 0 || group >= groupCount()) return {};
    const QString unit = m_mode == Mode::Bytes ? m_byteUnit : tr("bits/weight");
    const QString title = m_groups[size_t(group)].front().isDigit() ? tr("layer %1").arg(m_groups[size_t(group)])
                                                                     : m_groups[size_t(group)];
    QStringList lines{QStringLiteral("<b>%1</b>: %2 %3").arg(title).arg(stackHeight(group), 0, 'f', 3).arg(unit)};
    for (size_t k = 0; k < m_kinds.size(); ++k) {
        const double v = segment(size_t(group), k);
        if (v > 0) lines << QStringLiteral("%1: %2").arg(kindTitle(m_kinds[k])).arg(v, 0, 'f', 3);
    }
    return lines.join(QStringLiteral("<br>"));
}

} // namespace precis::views
