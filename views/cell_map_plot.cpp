#include "cell_map_plot.h"

#include "colour_maps.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace precis::views {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// QCPColorMap puts cell centres on the ends of its data range, so a grid of n
// cells spans n − 1 units plus half a cell each side. A single cell has no
// extent of its own: it is stored twice, a quarter unit either side of 0.
int storedCells(int n) { return std::max(n, 2); }
QCPRange storedRange(int n) { return n == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, n - 1); }

QSharedPointer<QCPAxisTickerFixed> integerTicker()
{
    auto t = QSharedPointer<QCPAxisTickerFixed>::create();
    t->setTickStep(1.0);
    t->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);  // dense axes: every 2nd, 5th, 10th…
    return t;
}

} // namespace

QColor CellMapPlot::missingColour() { return QColor(0xc8, 0xc8, 0xc8); }

CellMapPlot::CellMapPlot(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumSize(200, 160);
    // Layout: the title over the whole width, then the axis rect beside its colour scale.
    QCPAxisRect* rect = axisRect();
    plotLayout()->take(rect);
    plotLayout()->simplify();
    m_title = new QCPTextElement(this, QString(), QFont(font().family(), font().pointSize(), QFont::Bold));
    plotLayout()->addElement(0, 0, m_title);
    auto* body = new QCPLayoutGrid;
    plotLayout()->addElement(1, 0, body);
    body->addElement(0, 0, rect);

    m_map = new QCPColorMap(xAxis, yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(this);
    body->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(12);
    m_map->setColorScale(m_scale);
    QCPColorGradient gradient = heatGradient();
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(missingColour());
    m_map->setGradient(gradient);
    auto* margins = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_linearTicker = m_scale->axis()->ticker();
    m_logTicker = QSharedPointer<QCPAxisTickerLog>::create();

    for (QCPAxis* axis : {xAxis, yAxis}) {
        axis->setTicker(integerTicker());
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
        axis->setTickLengthIn(0);
        axis->setTickLengthOut(3);
    }
    yAxis->setRangeReversed(true);  // row 0 at the top

    m_highlight = new QCPItemRect(this);
    m_highlight->setPen(QPen(QColor(0xe6, 0x19, 0x4b), 2.0));
    m_highlight->setBrush(Qt::NoBrush);
    m_highlight->setSelectable(false);
    m_highlight->setVisible(false);

    setMouseTracking(true);
    connect(this, &QCustomPlot::mouseMove, this, &CellMapPlot::onMouseMove);
    connect(this, &QCustomPlot::mousePress, this, &CellMapPlot::onMousePress);
    clearCells();
}

CellMapPlot::~CellMapPlot() = default;

void CellMapPlot::setTitle(const QString& title) { m_title->setText(title); }
QString CellMapPlot::title() const { return m_title->text(); }

void CellMapPlot::setAxisLabels(const QString& x, const QString& y)
{
    xAxis->setLabel(x);
    yAxis->setLabel(y);
}

void CellMapPlot::setScaleLabel(const QString& label) { m_scale->axis()->setLabel(label); }

void CellMapPlot::setColumnLabels(const QStringList& labels)
{
    if (labels == m_columnLabels) return;
    m_columnLabels = labels;
    if (labels.isEmpty()) {
        xAxis->setTicker(integerTicker());
        xAxis->setTickLabelRotation(0);
        return;
    }
    auto t = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < labels.size(); ++i) t->addTick(i, labels[i]);
    xAxis->setTicker(t);
    fitColumnLabels(width());
}

void CellMapPlot::fitColumnLabels(int plotWidth)
{
    if (m_columnLabels.isEmpty()) return;
    // Upright labels when they would not fit side by side (about ⅔ of the plot is the grid).
    const QFontMetrics fm(xAxis->tickLabelFont());
    int widest = 0;
    for (const QString& l : m_columnLabels) widest = std::max(widest, fm.horizontalAdvance(l));
    const double perColumn = plotWidth * 2.0 / 3.0 / m_columnLabels.size();
    xAxis->setTickLabelRotation(widest + 4 > perColumn ? -90 : 0);
}

void CellMapPlot::resizeEvent(QResizeEvent* event)
{
    fitColumnLabels(event->size().width());
    QCustomPlot::resizeEvent(event);
}

void CellMapPlot::setCells(int rows, int cols, std::vector<double> values, bool logScale, bool keepView)
{
    if (rows <= 0 || cols <= 0 || values.size() != size_t(rows) * size_t(cols)) {
        clearCells();
        return;
    }
    const bool sameGrid = rows == m_rows && cols == m_cols;
    m_rows = rows;
    m_cols = cols;
    m_values = std::move(values);
    m_log = logScale;

    // Colour range: finite values (positive ones on a log scale).
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : m_values)
        if (std::isfinite(v) && (!logScale || v > 0)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (!(lo <= hi)) {  // nothing to colour: any range, every cell grey
        lo = logScale ? 1.0 : 0.0;
        hi = logScale ? 10.0 : 1.0;
    } else if (!(hi > lo)) {
        if (logScale) {
            lo /= 3.0;
            hi *= 3.0;
        } else {
            const double pad = lo != 0 ? std::abs(lo) * 0.5 : 1.0;
            lo -= pad;
            hi += pad;
        }
    }

    QCPColorMapData* data = m_map->data();
    data->setSize(storedCells(cols), storedCells(rows));
    data->setRange(storedRange(cols), storedRange(rows));
    for (int r = 0; r < storedCells(rows); ++r)
        for (int c = 0; c < storedCells(cols); ++c) {
            double v = m_values[size_t(std::min(r, rows - 1)) * cols + size_t(std::min(c, cols - 1))];
            if (logScale && !std::isnan(v) && !(v > 0)) v = lo;
            data->setCell(c, r, v);
        }
    m_map->setDataScaleType(logScale ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    m_scale->axis()->setTicker(logScale ? QSharedPointer<QCPAxisTicker>(m_logTicker) : m_linearTicker);
    m_scale->axis()->setNumberFormat(logScale ? QStringLiteral("eb") : QStringLiteral("gb"));
    m_scale->axis()->setNumberPrecision(logScale ? 0 : 3);
    m_map->setDataRange(QCPRange(lo, hi));
    if (!keepView || !sameGrid) fitView();
    if (m_highlightRow >= rows || m_highlightCol >= cols) m_highlightRow = m_highlightCol = -1;
    placeHighlight();
    replot(rpQueuedReplot);
}

void CellMapPlot::clearCells()
{
    m_rows = m_cols = 0;
    m_values.clear();
    m_map->data()->clear();
    m_map->setDataRange(QCPRange(0, 1));
    m_highlightRow = m_highlightCol = -1;
    placeHighlight();
    xAxis->setRange(-0.5, 0.5);
    yAxis->setRange(-0.5, 0.5);
    replot(rpQueuedReplot);
}

double CellMapPlot::value(int row, int col) const
{
    if (row < 0 || col < 0 || row >= m_rows || col >= m_cols) return kNan;
    return m_values[size_t(row) * m_cols + size_t(col)];
}

QCPRange CellMapPlot::colourRange() const { return m_map->dataRange(); }

void CellMapPlot::fitView()
{
    const int cols = std::max(m_cols, 1), rows = std::max(m_rows, 1);
    double w = cols, h = rows;
    const QRect r = axisRect()->rect();
    if (m_square && r.width() > 10 && r.height() > 10) {
        // Widen whichever side has room so that one unit has the same pixel size on both axes.
        const double perPixel = std::max(w / r.width(), h / r.height());
        w = perPixel * r.width();
        h = perPixel * r.height();
    }
    const double cx = (cols - 1) / 2.0, cy = (rows - 1) / 2.0;
    xAxis->setRange(cx - w / 2, cx + w / 2);
    yAxis->setRange(cy - h / 2, cy + h / 2);
}

bool CellMapPlot::cellAt(const QPointF& pos, int* row, int* col) const
{
    if (m_rows <= 0 || !axisRect()->rect().contains(pos.toPoint())) return false;
    const long c = std::lround(xAxis->pixelToCoord(pos.x()));
    const long r = std::lround(yAxis->pixelToCoord(pos.y()));
    if (r < 0 || c < 0 || r >= m_rows || c >= m_cols) return false;
    *row = int(r);
    *col = int(c);
    return true;
}

void CellMapPlot::setHighlight(int row, int col)
{
    m_highlightRow = row;
    m_highlightCol = col;
    placeHighlight();
    replot(rpQueuedReplot);
}

void CellMapPlot::placeHighlight()
{
    const bool on = m_highlightRow >= 0 && m_highlightCol >= 0 && m_highlightRow < m_rows && m_highlightCol < m_cols;
    m_highlight->setVisible(on);
    if (!on) return;
    m_highlight->topLeft->setCoords(m_highlightCol - 0.5, m_highlightRow - 0.5);
    m_highlight->bottomRight->setCoords(m_highlightCol + 0.5, m_highlightRow + 0.5);
}

void CellMapPlot::onMouseMove(QMouseEvent* event)
{
    int row = -1, col = -1;
    if (!cellAt(event->position(), &row, &col)) row = col = -1;
    if (row < 0 && m_hoverRow < 0) return;  // still outside
    m_hoverRow = row;
    m_hoverCol = col;
    emit cellHovered(row, col, event->globalPosition().toPoint());
}

void CellMapPlot::onMousePress(QMouseEvent* event)
{
    int row = -1, col = -1;
    if (event->button() == Qt::LeftButton && cellAt(event->position(), &row, &col)) emit cellClicked(row, col);
}

} // namespace precis::views
