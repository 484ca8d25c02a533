#include "sensitivity_view.h"

#include "cell_map_plot.h"
#include "sensitivity_grids.h"

#include "sensitivity/calibration.h"
#include "sensitivity/report.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace precis::views {

namespace ms = sensitivity::metric;
using sensitivity::SensitivityReport;

namespace {

QString metricTitle(const QString& m)
{
    if (m == QLatin1String(ms::OutputWeighted)) return SensitivityView::tr("Output-weighted error (ow_err)");
    if (m == QLatin1String(ms::Fisher)) return SensitivityView::tr("Fisher (fisher)");
    if (m == QLatin1String(ms::Taylor)) return SensitivityView::tr("Taylor saliency (taylor)");
    if (m == QLatin1String(ms::GradMagnitude)) return SensitivityView::tr("Gradient magnitude (gradmag)");
    if (m == QLatin1String(ms::HeadGate)) return SensitivityView::tr("Head gate gradient (gate)");
    if (m == QLatin1String(ms::Ablation)) return SensitivityView::tr("Head ablation (ablation)");
    if (m == QLatin1String(ms::MeasuredLoss)) return SensitivityView::tr("Measured Δloss (measured_dloss)");
    if (m == QLatin1String(ms::MeasuredKl)) return SensitivityView::tr("Measured KL (measured_kl)");
    return m;
}

QStringList toQt(const std::vector<std::string>& list)
{
    QStringList out;
    for (const std::string& s : list) out << QString::fromStdString(s);
    return out;
}

// Refills a combo box with (text, data) items unless it already holds them; selects `current`.
void syncCombo(QComboBox* box, const QStringList& data, const QStringList& texts, const QString& current)
{
    const QSignalBlocker block(box);
    QStringList have;
    for (int i = 0; i < box->count(); ++i) have << box->itemData(i).toString();
    if (have != data) {
        box->clear();
        for (int i = 0; i < data.size(); ++i) box->addItem(texts[i], data[i]);
    }
    box->setCurrentIndex(box->findData(current));
}

} // namespace

SensitivityView::SensitivityView(QWidget* parent)
    : QWidget(parent), m_wantedMetric(QLatin1String(ms::OutputWeighted)),
      m_grids(std::make_unique<SensitivityGrids>())
{
    m_metricBox = new QComboBox(this);
    m_metricBox->setObjectName(QStringLiteral("SensitivityMetricBox"));
    m_metricBox->setToolTip(tr("Sensitivity metric shown in the heatmaps"));
    m_metricBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_optionBox = new QComboBox(this);
    m_optionBox->setObjectName(QStringLiteral("SensitivityOptionBox"));
    m_optionBox->setToolTip(tr("Quantization option whose damage is shown (per-option metrics)"));
    m_logBox = new QCheckBox(tr("Log scale"), this);
    m_logBox->setToolTip(tr("Colour by the logarithm of the value; zero and negative values take the lowest colour"));
    m_stage = new QLabel(this);
    m_stage->setWordWrap(true);  // long stages wrap rather than squeeze the selectors
    m_stage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hover = new QLabel(this);
    m_hover->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hover->setMinimumWidth(1);
    connect(m_metricBox, &QComboBox::currentIndexChanged, this, [this] {
        m_wantedMetric = m_metricBox->currentData().toString();
        // A metric that also has chunk maps shows them for the chosen tensor.
        if (m_chunkMetricBox->findData(m_wantedMetric) >= 0) m_wantedChunkMetric = m_wantedMetric;
        redraw();
    });
    connect(m_optionBox, &QComboBox::currentIndexChanged, this, [this] {
        m_wantedOption = m_optionBox->currentData().toString();
        redraw();
    });
    connect(m_logBox, &QCheckBox::toggled, this, [this] { redraw(); });

    m_headPlot = new CellMapPlot(this);
    m_headPlot->setObjectName(QStringLiteral("SensitivityHeadPlot"));
    m_headPlot->setAxisLabels(tr("head"), tr("layer"));
    m_kindPlot = new CellMapPlot(this);
    m_kindPlot->setObjectName(QStringLiteral("SensitivityKindPlot"));
    m_kindPlot->setAxisLabels(tr("tensor"), tr("layer"));
    m_chunkPlot = new CellMapPlot(this);
    m_chunkPlot->setObjectName(QStringLiteral("SensitivityChunkPlot"));
    m_chunkPlot->setAxisLabels(tr("input columns / 8"), tr("output rows / 8"));
    m_chunkPlot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    connect(m_kindPlot, &CellMapPlot::cellClicked, this, &SensitivityView::selectKindCell);
    connect(m_chunkPlot, &QCustomPlot::mouseDoubleClick, this, [this] {
        m_chunkPlot->fitView();
        m_chunkPlot->replot(QCustomPlot::rpQueuedReplot);
    });
    connect(m_headPlot, &CellMapPlot::cellHovered, this,
            [this](int r, int c, const QPoint& g) { showHover(headCellText(r, c), g); });
    connect(m_kindPlot, &CellMapPlot::cellHovered, this,
            [this](int r, int c, const QPoint& g) { showHover(kindCellText(r, c), g); });
    connect(m_chunkPlot, &CellMapPlot::cellHovered, this,
            [this](int r, int c, const QPoint& g) { showHover(chunkCellText(r, c), g); });

    m_tensorBox = new QComboBox(this);
    m_tensorBox->setObjectName(QStringLiteral("SensitivityTensorBox"));
    m_tensorBox->setToolTip(tr("Tensor whose 8×8 chunk map is shown; or click a cell of the layer × tensor map"));
    m_tensorBox->setMinimumContentsLength(16);
    m_tensorBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_chunkMetricBox = new QComboBox(this);
    m_chunkMetricBox->setToolTip(tr("Metric of the chunk map"));
    connect(m_tensorBox, &QComboBox::currentIndexChanged, this,
            [this] { selectTensor(m_tensorBox->currentData().toString()); });
    connect(m_chunkMetricBox, &QComboBox::currentIndexChanged, this, [this] {
        m_wantedChunkMetric = m_chunkMetricBox->currentData().toString();
        redraw();
    });

    m_table = new QTableWidget(0, 5, this);
    m_table->setObjectName(QStringLiteral("SensitivityCorrelationTable"));
    m_table->setHorizontalHeaderLabels({tr("proxy"), tr("measured"), tr("units"), tr("Spearman ρ"), tr("kind")});
    m_table->setToolTip(tr("How well each cheap proxy ranks the units like the measured damage (1 = same order)"));
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);

    auto* missing = new QLabel(tr("Grey: no value (the option cannot encode the tensor, or it was not measured). "
                                  "Click a tensor cell for its chunk map; scroll to zoom, drag to pan, double-click to reset."),
                               this);
    missing->setWordWrap(true);
    missing->setEnabled(false);

    auto* heatmaps = new QSplitter(Qt::Vertical, this);
    heatmaps->addWidget(m_headPlot);
    heatmaps->addWidget(m_kindPlot);
    heatmaps->setChildrenCollapsible(false);

    auto* chunkPanel = new QWidget(this);
    auto* chunkRow = new QHBoxLayout;
    chunkRow->addWidget(new QLabel(tr("Chunks of:"), chunkPanel));
    chunkRow->addWidget(m_tensorBox, 1);
    chunkRow->addWidget(m_chunkMetricBox);
    auto* chunkLayout = new QVBoxLayout(chunkPanel);
    chunkLayout->setContentsMargins(0, 0, 0, 0);
    chunkLayout->addLayout(chunkRow);
    chunkLayout->addWidget(m_chunkPlot, 1);
    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(chunkPanel);
    right->addWidget(m_table);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 1);
    right->setChildrenCollapsible(false);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(heatmaps);
    split->addWidget(right);
    split->setSizes({9000, 11000});  // proportions: the splitter scales them to its width
    split->setChildrenCollapsible(false);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Metric:"), this));
    controls->addWidget(m_metricBox);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Option:"), this));
    controls->addWidget(m_optionBox);
    controls->addSpacing(8);
    controls->addWidget(m_logBox);
    controls->addSpacing(12);
    controls->addWidget(m_stage, 1);

    auto* content = new QWidget(this);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addLayout(controls);
    contentLayout->addWidget(m_hover);
    contentLayout->addWidget(split, 1);
    contentLayout->addWidget(missing);

    m_placeholder = new QLabel(this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setEnabled(false);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_stack);

    m_redrawTimer = new QTimer(this);
    m_redrawTimer->setSingleShot(true);
    m_redrawTimer->setInterval(kRedrawDelayMs);
    connect(m_redrawTimer, &QTimer::timeout, this, &SensitivityView::redraw);
    setPlaceholderText(tr("No sensitivity report yet: run Analyze ▸ Calibrate…"));
    redraw();
}

SensitivityView::~SensitivityView() = default;

void SensitivityView::setReport(std::shared_ptr<const SensitivityReport> report)
{
    m_report = std::move(report);
    scheduleRedraw();
}

void SensitivityView::setReport(const SensitivityReport& report)
{
    setReport(std::make_shared<const SensitivityReport>(report));
}

void SensitivityView::clear() { setReport(std::shared_ptr<const SensitivityReport>()); }

void SensitivityView::setPlaceholderText(const QString& text) { m_placeholder->setText(text); }

void SensitivityView::scheduleRedraw()
{
    if (!m_redrawTimer->isActive()) m_redrawTimer->start();
}

void SensitivityView::refreshNow()
{
    if (m_redrawTimer->isActive()) redraw();
}

bool SensitivityView::redrawPending() const { return m_redrawTimer->isActive(); }

QStringList SensitivityView::metrics() const
{
    QStringList out;
    for (int i = 0; i < m_metricBox->count(); ++i) out << m_metricBox->itemData(i).toString();
    return out;
}

QStringList SensitivityView::options() const
{
    QStringList out;
    if (!m_optionBox->isEnabled()) return out;
    for (int i = 0; i < m_optionBox->count(); ++i) out << m_optionBox->itemData(i).toString();
    return out;
}

bool SensitivityView::logScale() const { return m_logBox->isChecked(); }

void SensitivityView::setMetric(const QString& metric)
{
    m_wantedMetric = metric;
    scheduleRedraw();
}

void SensitivityView::setOption(const QString& option)
{
    m_wantedOption = option;
    scheduleRedraw();
}

void SensitivityView::setChunkMetric(const QString& metric)
{
    m_wantedChunkMetric = metric;
    scheduleRedraw();
}

void SensitivityView::setLogScale(bool on)
{
    const QSignalBlocker block(m_logBox);
    m_logBox->setChecked(on);
    scheduleRedraw();
}

void SensitivityView::selectTensor(const QString& tensor)
{
    if (tensor.isEmpty() || tensor == m_tensor) return;
    m_tensor = tensor;
    emit tensorSelected(tensor);
    redraw();
}

void SensitivityView::selectKindCell(int layer, int kind)
{
    const CellGrid& g = m_grids->tensors;
    if (!g.contains(layer, kind)) return;
    const std::string& name = g.units[g.at(layer, kind)];
    if (!name.empty()) selectTensor(QString::fromStdString(name));
}

void SensitivityView::redraw()
{
    m_redrawTimer->stop();
    if (!m_report) {
        m_stack->setCurrentIndex(0);
        m_shownMetric.clear();
        m_shownOption.clear();
        m_shownChunkMetric.clear();
        m_kinds.clear();
        *m_grids = SensitivityGrids();
        m_headPlot->clearCells();
        m_kindPlot->clearCells();
        m_chunkPlot->clearCells();
        m_table->setRowCount(0);
        m_drawnCorrelations = nullptr;
        return;
    }
    m_stack->setCurrentIndex(1);
    updateSelectors();
    drawHeatmaps();
    drawChunkMap();
    fillCorrelations();

    const SensitivityReport& r = *m_report;
    const QLocale locale;
    const QString tokens = locale.toString(qlonglong(r.tokens));
    const QString loss = QString::number(r.baselineLoss, 'f', 4);
    m_stage->setText(r.complete ? tr("Complete: %1 calibration tokens, loss %2 nats/token.").arg(tokens, loss)
                                : tr("Running: %1 · %2 tokens so far, loss %3 nats/token…")
                                      .arg(QString::fromStdString(r.stage), tokens, loss));
}

void SensitivityView::updateSelectors()
{
    const ReportContents c = reportContents(*m_report);
    const QStringList metricData = toQt(c.metrics);
    QStringList metricTexts;
    for (const QString& m : metricData) metricTexts << metricTitle(m);
    m_shownMetric = metricData.contains(m_wantedMetric) ? m_wantedMetric : metricData.value(0);
    syncCombo(m_metricBox, metricData, metricTexts, m_shownMetric);
    m_metricBox->setEnabled(!metricData.isEmpty());

    const auto opts = c.options.find(m_shownMetric.toStdString());
    const QStringList optionData = opts == c.options.end() ? QStringList() : toQt(opts->second);
    const QString reference = QString::fromStdString(m_report->referenceOption);
    m_shownOption = optionData.contains(m_wantedOption) ? m_wantedOption
                    : optionData.contains(reference)    ? reference
                                                        : optionData.value(0);
    if (optionData.isEmpty()) {
        syncCombo(m_optionBox, {QString()}, {tr("—")}, QString());
        m_optionBox->setEnabled(false);
    } else {
        syncCombo(m_optionBox, optionData, optionData, m_shownOption);
        m_optionBox->setEnabled(true);
    }

    const QStringList chunkData = toQt(c.chunkMetrics);
    m_shownChunkMetric = chunkData.contains(m_wantedChunkMetric) ? m_wantedChunkMetric
                         : chunkData.contains(m_shownMetric)     ? m_shownMetric
                                                                 : chunkData.value(0);
    syncCombo(m_chunkMetricBox, chunkData, chunkData, m_shownChunkMetric);
    m_chunkMetricBox->setEnabled(!chunkData.isEmpty());
    QStringList tensors = toQt(c.chunkTensors);
    if (m_tensor.isEmpty()) {  // until the user picks one: the first block tensor
        for (const QString& t : tensors)
            if (sensitivity::tensorLayer(t.toStdString()) >= 0) {
                m_tensor = t;
                break;
            }
    }
    if (!m_tensor.isEmpty() && !tensors.contains(m_tensor)) tensors << m_tensor;  // chosen, no map yet
    syncCombo(m_tensorBox, tensors, tensors, m_tensor);
    m_tensorBox->setEnabled(!tensors.isEmpty());
}

void SensitivityView::drawHeatmaps()
{
    *m_grids = sensitivityGrids(*m_report, m_shownMetric.toStdString(), m_shownOption.toStdString());
    const CellGrid& hg = m_grids->heads;
    const CellGrid& tg = m_grids->tensors;
    m_kinds = toQt(m_grids->kinds);

    const bool log = m_logBox->isChecked();
    const QString unit = metricUnit(m_shownMetric);
    const QString at = m_shownOption.isEmpty() ? m_shownMetric : tr("%1 @ %2").arg(m_shownMetric, m_shownOption);
    m_headPlot->setTitle(hg.cols > 0 ? tr("Heads · %1").arg(at) : tr("Heads · none in this report"));
    m_headPlot->setScaleLabel(unit);
    m_headPlot->setCells(hg.rows, hg.cols, hg.values, log, true);
    m_kindPlot->setTitle(tr("Tensors · %1").arg(at));
    m_kindPlot->setScaleLabel(unit);
    m_kindPlot->setColumnLabels(m_kinds);
    m_kindPlot->setCells(tg.rows, tg.cols, tg.values, log, true);
    // Outline the tensor whose chunks are shown.
    const auto it = std::find(tg.units.begin(), tg.units.end(), m_tensor.toStdString());
    const int sel = m_tensor.isEmpty() || it == tg.units.end() ? -1 : int(it - tg.units.begin());
    m_kindPlot->setHighlight(sel < 0 ? -1 : sel / tg.cols, sel < 0 ? -1 : sel % tg.cols);
}

void SensitivityView::drawChunkMap()
{
    const std::string tensor = m_tensor.toStdString();
    const sensitivity::ChunkMap* map = m_report->chunkMap(tensor, m_shownChunkMetric.toStdString());
    // Blocks as "blk.L.kind", other tensors by name.
    const int layer = sensitivity::tensorLayer(tensor);
    const QString name = layer >= 0 ? QStringLiteral("blk.%1.%2").arg(layer).arg(QString::fromStdString(
                                                                         sensitivity::tensorKind(tensor)))
                                    : m_tensor;
    if (!map || map->rows <= 0 || map->cols <= 0 || map->values.size() != size_t(map->rows) * map->cols) {
        m_chunkPlot->setTitle(m_tensor.isEmpty() ? tr("Click a tensor cell to see its 8×8 chunks")
                                                 : tr("%1 — no %2 chunk map").arg(name, m_shownChunkMetric));
        m_chunkPlot->clearCells();
        m_chunkPlot->setProperty("shownTensor", QString());
        return;
    }
    QString title = tr("%1 — %2 × %3 chunks").arg(name).arg(map->rows).arg(map->cols);
    if (map->metric == ms::Fisher && !m_report->referenceOption.empty())
        title += QLatin1Char(' ') + tr("(Fisher at %1)").arg(QString::fromStdString(m_report->referenceOption));
    m_chunkPlot->setTitle(title);
    m_chunkPlot->setScaleLabel(metricUnit(m_shownChunkMetric));
    // The user's zoom stays while the same map updates.
    const QString key = m_tensor + QLatin1Char('/') + m_shownChunkMetric;
    const bool same = m_chunkPlot->property("shownTensor").toString() == key;
    m_chunkPlot->setCells(map->rows, map->cols, std::vector<double>(map->values.begin(), map->values.end()),
                          m_logBox->isChecked(), same);
    m_chunkPlot->setProperty("shownTensor", key);
}

void SensitivityView::fillCorrelations()
{
    if (m_drawnCorrelations == m_report.get()) return;
    m_drawnCorrelations = m_report.get();
    const auto& cs = m_report->correlations;
    m_table->setRowCount(int(cs.size()));
    for (int i = 0; i < int(cs.size()); ++i) {
        const sensitivity::Correlation& c = cs[size_t(i)];
        const QString rho = std::isnan(c.spearman) ? tr("—") : QString::number(c.spearman, 'f', 3);
        const QString cells[] = {QString::fromStdString(c.proxy), QString::fromStdString(c.measured),
                                 QString::number(c.units), rho,
                                 QString::fromLatin1(sensitivity::unitKindName(c.kind))};
        for (int col = 0; col < 5; ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            if (col == 2 || col == 3) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(i, col, item);
        }
    }
}

int SensitivityView::headMapLayers() const { return m_headPlot->rows(); }
int SensitivityView::headMapHeads() const { return m_headPlot->cols(); }
int SensitivityView::kindMapLayers() const { return m_kindPlot->rows(); }
int SensitivityView::kindMapKinds() const { return m_kindPlot->cols(); }
int SensitivityView::chunkMapRows() const { return m_chunkPlot->rows(); }
int SensitivityView::chunkMapCols() const { return m_chunkPlot->cols(); }
double SensitivityView::headValue(int layer, int head) const { return m_headPlot->value(layer, head); }
double SensitivityView::kindValue(int layer, int kind) const { return m_kindPlot->value(layer, kind); }
double SensitivityView::chunkValue(int row, int col) const { return m_chunkPlot->value(row, col); }

QString SensitivityView::formatValue(double value)
{
    return QString::number(value, 'e', QLocale::FloatingPointShortest);
}

QString SensitivityView::metricUnit(const QString& m)
{
    if (m == QLatin1String(ms::OutputWeighted) || m == QLatin1String(ms::Fisher))
        return tr("predicted Δloss (nats/token)");
    if (m == QLatin1String(ms::Taylor)) return tr("Σ |w · ∂L/∂w| (nats)");
    if (m == QLatin1String(ms::GradMagnitude)) return tr("Σ |∂L/∂w| (nats per unit weight)");
    if (m == QLatin1String(ms::HeadGate)) return tr("|∂L/∂ξ| (nats)");
    if (m == QLatin1String(ms::Ablation)) return tr("Δloss without the head (nats/token)");
    if (m == QLatin1String(ms::MeasuredLoss)) return tr("measured Δloss (nats/token)");
    if (m == QLatin1String(ms::MeasuredKl)) return tr("measured KL (nats/token)");
    return m;
}

QString SensitivityView::cellText(const std::string& unit, double value, bool infeasible) const
{
    const QString what = m_shownOption.isEmpty() ? m_shownMetric : tr("%1 @ %2").arg(m_shownMetric, m_shownOption);
    const QString u = QString::fromStdString(unit);
    if (infeasible) return tr("%1 · %2: %3 cannot encode this unit (row length)").arg(u, what, m_shownOption);
    if (std::isnan(value)) return tr("%1 · %2: no value").arg(u, what);
    return tr("%1 · %2 = %3").arg(u, what, formatValue(value));
}

QString SensitivityView::headCellText(int layer, int head) const
{
    const CellGrid& g = m_grids->heads;
    if (!m_report || !g.contains(layer, head)) return {};
    const size_t i = g.at(layer, head);
    return cellText(g.units[i], g.values[i], g.infeasible[i]);
}

QString SensitivityView::kindCellText(int layer, int kind) const
{
    const CellGrid& g = m_grids->tensors;
    if (!m_report || !g.contains(layer, kind)) return {};
    const size_t i = g.at(layer, kind);
    if (g.units[i].empty()) return tr("blk.%1 has no %2 tensor").arg(layer).arg(m_kinds.value(kind));
    return cellText(g.units[i], g.values[i], g.infeasible[i]);
}

QString SensitivityView::chunkCellText(int row, int col) const
{
    if (!m_report || row < 0 || col < 0 || row >= m_chunkPlot->rows() || col >= m_chunkPlot->cols()) return {};
    return tr("%1 chunk (%2, %3), weights from row %4, column %5 · %6 = %7")
        .arg(m_tensor)
        .arg(row)
        .arg(col)
        .arg(row * 8)
        .arg(col * 8)
        .arg(m_shownChunkMetric, formatValue(m_chunkPlot->value(row, col)));
}

void SensitivityView::showHover(const QString& text, const QPoint& globalPos)
{
    m_hover->setText(text);
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(globalPos, text, this);
}

} // namespace precis::views
