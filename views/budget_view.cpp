#include "budget_view.h"

#include "budget_plots.h"
#include "budget_scale.h"
#include "budget_unit_model.h"

#include "allocation/allocation_summary.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace precis::views {

namespace {

// The process-wide clock of budget changes (nanoseconds, monotonic).
qint64 nowNs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return clock.nsecsElapsed();
}

QString mib(int64_t bytes) { return QLocale().formattedDataSize(bytes, 2, QLocale::DataSizeIecFormat); }

} // namespace

BudgetView::BudgetView(QWidget* parent) : QWidget(parent)
{
    m_unitBox = new QComboBox(this);
    m_unitBox->setObjectName(QStringLiteral("BudgetUnitBox"));
    m_unitBox->addItem(tr("max Δppl %"), int(BudgetKind::PplPercent));
    m_unitBox->addItem(tr("size MB"), int(BudgetKind::Megabytes));
    m_unitBox->addItem(tr("bits/weight"), int(BudgetKind::BitsPerWeight));
    m_unitBox->setToolTip(tr("Budget as the largest predicted perplexity increase, or as a target size"));
    m_budgetBox = new QDoubleSpinBox(this);
    m_budgetBox->setObjectName(QStringLiteral("BudgetValueBox"));
    m_budgetBox->setKeyboardTracking(false);
    m_budgetBox->setAccelerated(true);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("BudgetSlider"));
    m_slider->setRange(0, kSliderSteps);
    m_slider->setSingleStep(1);
    m_slider->setPageStep(kSliderSteps / 20);
    m_slider->setFocusPolicy(Qt::StrongFocus);
    m_slider->setToolTip(tr("Drag, or use the arrow and Page keys: the allocation is re-solved on every step"));
    m_saveButton = new QPushButton(tr("Save allocation…"), this);
    m_saveButton->setObjectName(QStringLiteral("BudgetSaveButton"));
    m_saveButton->setToolTip(tr("Keep this allocation in the session"));
    connect(m_slider, &QSlider::valueChanged, this, &BudgetView::onSliderChanged);
    connect(m_budgetBox, &QDoubleSpinBox::valueChanged, this, &BudgetView::onBudgetBoxChanged);
    connect(m_unitBox, &QComboBox::currentIndexChanged, this, &BudgetView::onUnitChanged);
    connect(m_saveButton, &QPushButton::clicked, this, &BudgetView::askSaveName);

    // The option table's settings: what a unit is, how damage is predicted, which types are offered.
    m_granularityBox = new QComboBox(this);
    m_granularityBox->setObjectName(QStringLiteral("BudgetGranularityBox"));
    m_granularityBox->addItem(tr("per tensor"), int(Granularity::Tensor));
    m_granularityBox->addItem(tr("per head"), int(Granularity::Head));
    m_granularityBox->addItem(tr("per layer"), int(Granularity::Layer));
    m_granularityBox->setToolTip(tr("What gets one choice: a tensor, an attention head's slices of q/k/v/o, or a "
                                    "whole layer"));
    m_metricBox = new QComboBox(this);
    m_metricBox->setObjectName(QStringLiteral("BudgetMetricBox"));
    m_metricBox->addItem(tr("output-weighted error"), QStringLiteral("ow_err"));
    m_metricBox->addItem(tr("Fisher"), QStringLiteral("fisher"));
    m_metricBox->setToolTip(tr("How each option's damage is predicted from the calibration run"));
    m_nativeBox = new QCheckBox(tr("Precis RTN types"), this);
    m_nativeBox->setObjectName(QStringLiteral("BudgetNativeBox"));
    m_nativeBox->setToolTip(tr("Also offer Precis' own RTN format (2–8 bits, groups of 32–128). No GGUF type holds "
                               "it: a GGUF export re-encodes those tensors to GGUF types."));
    connect(m_granularityBox, &QComboBox::activated, this,
            [this] { emit granularityRequested(Granularity(m_granularityBox->currentData().toInt())); });
    connect(m_metricBox, &QComboBox::activated, this,
            [this] { emit metricRequested(m_metricBox->currentData().toString()); });
    connect(m_nativeBox, &QCheckBox::clicked, this,
            [this](bool on) { emit optionSetRequested(on ? OptionSet::All : OptionSet::Gguf); });

    m_totals = new QLabel(this);
    m_totals->setObjectName(QStringLiteral("BudgetTotals"));
    m_totals->setWordWrap(true);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("BudgetStatus"));
    m_status->setWordWrap(true);
    m_status->setStyleSheet(QStringLiteral("color: #a04000"));
    m_status->hide();

    m_frontierPlot = new FrontierPlot(this);
    m_frontierPlot->setObjectName(QStringLiteral("BudgetFrontierPlot"));
    m_logBox = new QCheckBox(tr("Log scale"), this);
    m_logBox->setChecked(m_frontierPlot->logScale());
    m_logBox->setToolTip(tr("Predicted perplexity increase on a logarithmic axis (zero is drawn at the bottom)"));
    connect(m_logBox, &QCheckBox::toggled, m_frontierPlot, &FrontierPlot::setLogScale);

    m_layerPlot = new LayerBitsPlot(this);
    m_layerPlot->setObjectName(QStringLiteral("BudgetLayerPlot"));
    m_barModeBox = new QComboBox(this);
    m_barModeBox->addItem(tr("bits per weight"), int(LayerBitsPlot::Mode::BitsPerWeight));
    m_barModeBox->addItem(tr("size"), int(LayerBitsPlot::Mode::Bytes));
    m_barModeBox->setToolTip(tr("Height of a layer's bar: its bits per weight, or its size"));
    connect(m_barModeBox, &QComboBox::currentIndexChanged, this, [this] {
        m_layerPlot->setMode(LayerBitsPlot::Mode(m_barModeBox->currentData().toInt()));
        m_layerPlot->replot(QCustomPlot::rpQueuedReplot);
    });

    m_model = new BudgetUnitModel(this);
    m_tableView = new QTableView(this);
    m_tableView->setObjectName(QStringLiteral("BudgetUnitTable"));
    m_tableView->setModel(m_model);
    m_tableView->setItemDelegateForColumn(BudgetUnitModel::OptionColumn, new OptionDelegate(m_tableView));
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tableView->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::SelectedClicked |
                                 QAbstractItemView::EditKeyPressed);
    m_tableView->setWordWrap(false);
    m_tableView->verticalHeader()->hide();
    // Fixed row heights and column widths: nothing is measured over all rows.
    m_tableView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_tableView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_tableView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    const int widths[] = {14 * em, 4 * em, 5 * em, 6 * em, 9 * em, 7 * em, 7 * em, 5 * em};
    for (int c = 0; c < BudgetUnitModel::ColumnCount; ++c) m_tableView->setColumnWidth(c, widths[c]);
    connect(m_model, &BudgetUnitModel::pinRequested, this, &BudgetView::pinRequested);

    m_unpinAction = new QAction(tr("Unpin"), this);
    m_unpinAction->setObjectName(QStringLiteral("BudgetUnpinAction"));
    m_unpinAction->setToolTip(tr("Let the solver choose the selected units' options again"));
    connect(m_unpinAction, &QAction::triggered, this, [this] {
        std::vector<int> rows;
        for (const QModelIndex& i : m_tableView->selectionModel()->selectedRows()) rows.push_back(i.row());
        emit unpinRequested(rows);
    });
    m_tableView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_tableView->addAction(m_unpinAction);
    m_unpinButton = new QPushButton(tr("Unpin"), this);
    m_unpinButton->setToolTip(m_unpinAction->toolTip());
    connect(m_unpinButton, &QPushButton::clicked, m_unpinAction, &QAction::trigger);
    m_unpinAllButton = new QPushButton(tr("Unpin all"), this);
    m_unpinAllButton->setObjectName(QStringLiteral("BudgetUnpinAllButton"));
    connect(m_unpinAllButton, &QPushButton::clicked, this, &BudgetView::unpinAllRequested);

    // Layout: budget controls and totals on top; plots and table share a splitter.
    auto* budgetRow = new QHBoxLayout;
    budgetRow->addWidget(new QLabel(tr("Budget:"), this));
    budgetRow->addWidget(m_unitBox);
    budgetRow->addWidget(m_budgetBox);
    budgetRow->addStretch(1);
    // The closed loop: the predictor's factor, fitted to measured compressions by the app.
    m_scaleLabel = new QLabel(this);
    m_scaleLabel->setObjectName(QStringLiteral("DamageScaleLabel"));
    m_calibrateButton = new QPushButton(tr("Calibrate to Measurements"), this);
    m_calibrateButton->setToolTip(tr("Rescale every predicted damage by measured ÷ predicted of the session's measured "
                                     "compressions (Compress tab), then re-solve this budget"));
    m_resetScaleButton = new QPushButton(tr("Reset"), this);
    m_resetScaleButton->setToolTip(tr("Back to the uncalibrated predictor (factor 1)"));
    connect(m_calibrateButton, &QPushButton::clicked, this, &BudgetView::calibrateRequested);
    connect(m_resetScaleButton, &QPushButton::clicked, this, &BudgetView::resetScaleRequested);
    budgetRow->addWidget(m_scaleLabel);
    budgetRow->addWidget(m_calibrateButton);
    budgetRow->addWidget(m_resetScaleButton);
    budgetRow->addWidget(m_saveButton);
    setDamageScale(1.0);

    auto* tableRow = new QHBoxLayout;
    tableRow->addWidget(new QLabel(tr("Units:"), this));
    tableRow->addWidget(m_granularityBox);
    tableRow->addWidget(new QLabel(tr("Damage:"), this));
    tableRow->addWidget(m_metricBox);
    tableRow->addWidget(m_nativeBox);
    tableRow->addStretch(1);

    auto section = [this](const QString& title, QWidget* tool, QWidget* body) {
        auto* w = new QWidget(this);
        auto* row = new QHBoxLayout;
        row->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(title), w));
        row->addStretch(1);
        if (tool) row->addWidget(tool);
        auto* v = new QVBoxLayout(w);
        v->setContentsMargins(0, 2, 0, 0);
        v->addLayout(row);
        v->addWidget(body, 1);
        return w;
    };
    auto* tableTools = new QWidget(this);
    auto* tt = new QHBoxLayout(tableTools);
    tt->setContentsMargins(0, 0, 0, 0);
    tt->addWidget(m_unpinButton);
    tt->addWidget(m_unpinAllButton);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(section(tr("Pareto frontier"), m_logBox, m_frontierPlot));
    splitter->addWidget(section(tr("Per layer"), m_barModeBox, m_layerPlot));
    splitter->addWidget(section(tr("Units (pick an option to pin it)"), tableTools, m_tableView));
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setStretchFactor(2, 2);

    auto* page = new QWidget(this);
    auto* v = new QVBoxLayout(page);
    v->setContentsMargins(0, 0, 0, 0);
    v->addLayout(budgetRow);
    v->addWidget(m_slider);
    v->addLayout(tableRow);
    v->addWidget(m_totals);
    v->addWidget(m_status);
    v->addWidget(splitter, 1);

    m_placeholderText = tr("No allocation yet: run Analyze ▸ Calibrate to get the sensitivity of every tensor, "
                           "then set an accuracy budget here.");
    m_placeholder = new QLabel(m_placeholderText, this);
    m_placeholder->setWordWrap(true);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(page);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    setSpec(BudgetSpec{});
}

BudgetView::~BudgetView() = default;

// ---- what the document hands in

void BudgetView::setTable(std::shared_ptr<const OptionTable> table, const QString& why)
{
    const bool sameUnits = table && m_table && table->units.size() == m_table->units.size() &&
                           std::equal(table->units.begin(), table->units.end(), m_table->units.begin(),
                                      [](const Unit& a, const Unit& b) {
                                          return a.name == b.name && a.options.size() == b.options.size();
                                      });
    m_table = std::move(table);
    m_model->setTable(m_table);
    if (!m_table) {
        m_breakdown.reset();
        m_hasAllocation = false;
        m_frontier.reset();
        m_frontierPlot->clearData();
        m_layerPlot->clearData();
        m_totals->clear();
        m_status->hide();
        m_placeholder->setText(why.isEmpty() ? m_placeholderText : why);
        m_stack->setCurrentIndex(0);
        return;
    }
    if (!sameUnits) {
        m_breakdown = std::make_unique<LayerBreakdown>(*m_table);
        std::vector<double> most;
        m_breakdown->maxCellBytes(*m_table, most);
        m_layerPlot->setLayout(*m_breakdown, most);
        m_hasAllocation = false;
        m_totals->clear();
    }
    m_stack->setCurrentIndex(1);
}

void BudgetView::setFrontier(std::shared_ptr<const Frontier> frontier, const std::vector<UniformPoint>& uniform)
{
    m_frontier = std::move(frontier);
    if (!m_frontier) {
        m_frontierPlot->clearData();
        m_scale = BudgetScale();
        return;
    }
    m_frontierPlot->setFrontier(*m_frontier, uniform, m_frontier->totalWeights());
    const double value = m_budgetBox->value();
    configureBudgetBox();
    showBudget(value);
}

void BudgetView::setAllocation(bool hasAllocation, const Allocation& a, const AllocationTotals& totals, int nativeUnits)
{
    m_hasAllocation = hasAllocation && m_table && m_breakdown && a.choice.size() == m_table->units.size();
    if (!m_hasAllocation) {
        m_allocation = {};
        m_totals->clear();
        m_model->setChoice({});
        return;
    }
    m_allocation = a;
    m_allocationTotals = totals;
    m_nativeUnits = nativeUnits;
    m_breakdown->cellBytes(*m_table, m_allocation.choice, m_cells);
    m_layerPlot->setCells(m_cells);
    m_frontierPlot->setCurrent(m_allocation.bytes, m_allocation.damage);
    const bool legendChanged = m_frontierPlot->setCurrentNative(nativeUnits > 0);
    if (m_kind == BudgetKind::PplPercent) m_frontierPlot->setDamageBudgetLine(BudgetScale::damageBudget(budgetValue()));
    else m_frontierPlot->setByteBudgetLine(m_scale.byteBudget(budgetValue()));
    m_totals->setText(totalsText());
    if (!m_allocation.feasible) {
        setStatus(tr("Below what any allocation reaches: showing the nearest one. %1")
                      .arg(QString::fromStdString(m_allocation.message)));
    } else if (!m_solving) {
        m_status->hide();
    }
    m_model->setChoice(m_allocation.choice);
    if (legendChanged) m_frontierPlot->replot(QCustomPlot::rpQueuedReplot);
    scheduleFlush();
}

void BudgetView::setSpec(const BudgetSpec& spec)
{
    {
        const QSignalBlocker b1(m_granularityBox), b2(m_metricBox), b3(m_nativeBox);
        m_granularityBox->setCurrentIndex(m_granularityBox->findData(int(spec.granularity)));
        m_metricBox->setCurrentIndex(std::max(0, m_metricBox->findData(QString::fromStdString(spec.metric))));
        m_nativeBox->setChecked(spec.optionSet != OptionSet::Gguf);
        m_nativeBox->setEnabled(spec.optionSet != OptionSet::Custom);
    }
    if (spec.kind != m_kind) {
        m_kind = spec.kind;
        const QSignalBlocker block(m_unitBox);
        m_unitBox->setCurrentIndex(m_unitBox->findData(int(m_kind)));
        m_frontierPlot->setSizeAxis(m_kind == BudgetKind::BitsPerWeight ? FrontierPlot::SizeAxis::BitsPerWeight
                                                                        : FrontierPlot::SizeAxis::Megabytes);
        configureBudgetBox();
    }
    if (spec.value != m_budgetBox->value()) showBudget(spec.value);
    setDamageScale(spec.damageScale, m_scaleLabel->toolTip());
}

void BudgetView::setSolving(bool solving)
{
    if (m_solving == solving) return;
    m_solving = solving;
    m_saveButton->setEnabled(!solving);  // the allocation shown does not have the new pins yet
    if (solving) setStatus(tr("Re-solving with the new pins…"));
    else m_status->hide();
}

void BudgetView::setStatus(const QString& text)
{
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
}

void BudgetView::setDamageScale(double scale, const QString& note)
{
    scale = scale > 0 ? scale : 1.0;
    m_scaleLabel->setText(scale == 1.0 ? tr("Predictor: uncalibrated") : tr("Predictor × %1").arg(scale, 0, 'f', 2));
    m_scaleLabel->setToolTip(scale == 1.0 ? QString() : note);
    m_resetScaleButton->setEnabled(scale != 1.0);
}

void BudgetView::setPlaceholderText(const QString& text)
{
    m_placeholderText = text;
    if (!m_table) m_placeholder->setText(text);
}

void BudgetView::setUndoActions(QAction* undo, QAction* redo)
{
    m_tableView->addActions({undo, redo});
}

// ---- budget ↔ slider

double BudgetView::budgetValue() const { return m_budgetBox->value(); }

void BudgetView::markStart() { m_changeStartNs = nowNs(); }

// Shows `value` in the number box and the slider without asking for anything.
void BudgetView::showBudget(double value)
{
    {
        const QSignalBlocker block(m_budgetBox);
        m_budgetBox->setValue(value);
    }
    const QSignalBlocker block(m_slider);
    m_slider->setValue(m_frontier ? m_scale.positionOf(m_budgetBox->value()) : 0);
}

void BudgetView::onUnitChanged()
{
    const auto kind = BudgetKind(m_unitBox->currentData().toInt());
    if (kind == m_kind) return;
    markStart();
    m_kind = kind;
    configureBudgetBox();
    m_frontierPlot->setSizeAxis(kind == BudgetKind::BitsPerWeight ? FrontierPlot::SizeAxis::BitsPerWeight
                                                                  : FrontierPlot::SizeAxis::Megabytes);
    // The same allocation, said in the new unit.
    if (m_hasAllocation) showBudget(m_scale.valueOf(m_allocation));
    else showBudget(m_budgetBox->value());
    emit budgetRequested(m_kind, m_budgetBox->value());
}

void BudgetView::configureBudgetBox()
{
    m_scale = m_frontier ? BudgetScale(*m_frontier, m_kind, kSliderSteps) : BudgetScale();
    const QSignalBlocker block(m_budgetBox);
    m_budgetBox->setDecimals(m_scale.decimals());
    switch (m_kind) {
    case BudgetKind::PplPercent:
        m_budgetBox->setRange(0, 1e6);
        m_budgetBox->setSingleStep(0.1);
        m_budgetBox->setPrefix(QStringLiteral("+"));
        m_budgetBox->setSuffix(QStringLiteral(" %"));
        m_budgetBox->setToolTip(tr("Largest predicted perplexity increase; damage budget ln(1 + p/100) nats/token"));
        break;
    case BudgetKind::Megabytes:
        m_budgetBox->setRange(0, 1e9);
        m_budgetBox->setSingleStep(std::pow(10.0, 1 - m_scale.decimals()));
        m_budgetBox->setPrefix(QString());
        m_budgetBox->setSuffix(QStringLiteral(" MB"));
        m_budgetBox->setToolTip(tr("Largest size (MB = 10⁶ bytes, norms and biases included)"));
        break;
    case BudgetKind::BitsPerWeight:
        m_budgetBox->setRange(0, 64);
        m_budgetBox->setSingleStep(0.05);
        m_budgetBox->setPrefix(QString());
        m_budgetBox->setSuffix(tr(" bits/weight"));
        m_budgetBox->setToolTip(tr("Largest average bits per weight over all weights (norms and biases included)"));
        break;
    }
}

void BudgetView::onSliderChanged(int position)
{
    markStart();
    if (m_frontier) {
        const QSignalBlocker block(m_budgetBox);
        m_budgetBox->setValue(m_scale.valueAt(position));
    }
    emit budgetRequested(m_kind, m_budgetBox->value());
}

void BudgetView::onBudgetBoxChanged(double value)
{
    markStart();
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(m_frontier ? m_scale.positionOf(value) : 0);
    }
    emit budgetRequested(m_kind, value);
}

// ---- drawing

void BudgetView::scheduleFlush()
{
    // Every change within one event loop pass costs one redraw.
    if (m_flushQueued) return;
    m_flushQueued = true;
    QMetaObject::invokeMethod(this, &BudgetView::flush, Qt::QueuedConnection);
}

void BudgetView::flushNow()
{
    if (m_flushQueued) flush();
}

void BudgetView::flush()
{
    if (!m_flushQueued) return;
    m_flushQueued = false;
    const qint64 t0 = nowNs();
    m_frontierPlot->replotOverlay();
    m_timing.overlayMs = double(nowNs() - t0) / 1e6;
    m_layerPlot->replot();
    m_timing.replotMs = m_layerPlot->replotTime();
    if (m_changeStartNs >= 0) m_timing.responseMs = double(nowNs() - m_changeStartNs) / 1e6;
    m_changeStartNs = -1;
}

QString BudgetView::totalsText() const
{
    if (!m_hasAllocation) return {};
    const AllocationTotals& t = m_allocationTotals;
    QString text = tr("<b>%1</b> · <b>%2</b> bits/weight · predicted Δppl <b>+%3 %</b>")
                       .arg(mib(t.bytes))
                       .arg(t.bitsPerWeight, 0, 'f', 3)
                       .arg(t.predictedPplIncreasePercent, 0, 'f', 3);
    // The KL estimate comes from the calibration's measured KL; without measurements there is none.
    if (t.hasKl()) text += tr(" · predicted KL %1 nats/token").arg(t.predictedKl, 0, 'e', 2);
    if (t.compressionRatio > 0) text += tr(" · %1× smaller than the file").arg(t.compressionRatio, 0, 'f', 2);
    if (m_nativeUnits > 0)
        text += QStringLiteral("<br>") +
                tr("%n unit(s) use Precis' RTN format: kept as such in memory; a GGUF export re-encodes them to GGUF "
                   "types.", nullptr, m_nativeUnits);
    return text;
}

// ---- saving

void BudgetView::requestSave(const QString& name)
{
    if (!m_hasAllocation || m_solving || name.trimmed().isEmpty()) return;
    emit saveRequested(name.trimmed());
}

void BudgetView::askSaveName()
{
    if (!m_hasAllocation) return;
    QString suggested;
    switch (m_kind) {
    case BudgetKind::PplPercent: suggested = tr("ppl +%1 %").arg(m_budgetBox->value()); break;
    case BudgetKind::Megabytes: suggested = tr("%1 MB").arg(m_budgetBox->value()); break;
    case BudgetKind::BitsPerWeight: suggested = tr("%1 bits/weight").arg(m_budgetBox->value()); break;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save allocation"), tr("Name of the allocation in this session:"),
                                               QLineEdit::Normal, suggested, &ok);
    if (ok) requestSave(name);
}

} // namespace precis::views
