#include "budget_view.h"

#include "budget_plots.h"
#include "budget_scale.h"
#include "budget_unit_model.h"

#include "allocation/allocation_summary.h"
#include "common/progress.h"
#include "common/threads.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QThread>
#include <QThreadPool>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace precis::views {

namespace {

const std::vector<std::string> kUniformSchemes{"F16", "Q8_0", "Q6_K", "Q5_K", "Q4_K", "Q4_0", "Q3_K", "Q2_K"};

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

struct BuildResult {
    std::shared_ptr<const Frontier> frontier;
    QString error;
    double ms = 0;
};

BuildResult build(const std::shared_ptr<const OptionTable>& table, const FrontierSettings& settings,
                  const CancelToken* cancel)
{
    QElapsedTimer t;
    t.start();
    auto f = buildFrontier(*table, settings, cancel);
    BuildResult r;
    r.ms = double(t.nsecsElapsed()) / 1e6;
    if (f.ok()) r.frontier = std::make_shared<const Frontier>(std::move(*f));
    else r.error = QString::fromStdString(f.error().message);
    return r;
}

} // namespace

BudgetView::BudgetView(QWidget* parent) : QWidget(parent), m_pool(std::make_unique<QThreadPool>())
{
    m_pool->setMaxThreadCount(1);  // oneTBB keeps the cores for the work inside the build

    m_unitBox = new QComboBox(this);
    m_unitBox->setObjectName(QStringLiteral("BudgetUnitBox"));
    m_unitBox->addItem(tr("max Δppl %"), int(BudgetUnit::PerplexityPercent));
    m_unitBox->addItem(tr("size MB"), int(BudgetUnit::Megabytes));
    m_unitBox->addItem(tr("bits/weight"), int(BudgetUnit::BitsPerWeight));
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

    m_totals = new QLabel(this);
    m_totals->setObjectName(QStringLiteral("BudgetTotals"));
    m_totals->setWordWrap(true);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(this);
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
    const int widths[] = {14 * em, 4 * em, 5 * em, 6 * em, 7 * em, 7 * em, 7 * em, 5 * em};
    for (int c = 0; c < BudgetUnitModel::ColumnCount; ++c) m_tableView->setColumnWidth(c, widths[c]);
    connect(m_model, &BudgetUnitModel::pinRequested, this, &BudgetView::pinUnit);

    m_undo = new QUndoStack(this);
    m_undoAction = m_undo->createUndoAction(this, tr("Undo"));
    m_undoAction->setObjectName(QStringLiteral("BudgetUndoAction"));
    m_redoAction = m_undo->createRedoAction(this, tr("Redo"));
    m_redoAction->setObjectName(QStringLiteral("BudgetRedoAction"));
    m_unpinAction = new QAction(tr("Unpin"), this);
    m_unpinAction->setObjectName(QStringLiteral("BudgetUnpinAction"));
    m_unpinAction->setToolTip(tr("Let the solver choose the selected units' options again"));
    connect(m_unpinAction, &QAction::triggered, this, [this] {
        std::vector<int> rows;
        for (const QModelIndex& i : m_tableView->selectionModel()->selectedRows()) rows.push_back(i.row());
        unpinUnits(rows);
    });
    m_tableView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_tableView->addActions({m_unpinAction, m_undoAction, m_redoAction});
    m_unpinButton = new QPushButton(tr("Unpin"), this);
    m_unpinButton->setToolTip(m_unpinAction->toolTip());
    connect(m_unpinButton, &QPushButton::clicked, m_unpinAction, &QAction::trigger);
    m_unpinAllButton = new QPushButton(tr("Unpin all"), this);
    connect(m_unpinAllButton, &QPushButton::clicked, this, &BudgetView::unpinAll);

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

    configureBudgetBox();
    {
        const QSignalBlocker block(m_budgetBox);
        m_budgetBox->setValue(1.0);  // +1 % perplexity: the studio's first budget
    }
    clear();
}

BudgetView::~BudgetView()
{
    if (m_cancel) m_cancel->cancel();
    m_pool->waitForDone();  // a build in flight only touches what it captured
}

void BudgetView::setTable(OptionTable table, std::shared_ptr<const Frontier> frontier, std::vector<UniformPoint> uniform)
{
    if (auto valid = validate(table); !valid.ok()) {
        clear();
        m_placeholder->setText(tr("This option table cannot be allocated: %1")
                                   .arg(QString::fromStdString(valid.error().message)));
        return;
    }
    auto shared = std::make_shared<const OptionTable>(std::move(table));
    m_uniform = uniform.empty() ? uniformPoints(*shared, kUniformSchemes) : std::move(uniform);
    m_table = shared;
    m_breakdown = std::make_unique<LayerBreakdown>(*m_table);
    std::vector<double> most;
    m_breakdown->maxCellBytes(*m_table, most);
    m_layerPlot->setLayout(*m_breakdown, most);
    m_model->setTable(m_table);
    m_undo->clear();
    m_frontier.reset();  // the old table's: its choices do not fit this one
    m_hasAllocation = false;
    m_allocation = {};
    m_totals->clear();
    m_frontierPlot->clearData();
    m_stack->setCurrentIndex(1);
    // A frontier of another table (a caller's slip) is rebuilt rather than trusted.
    if (frontier && frontier->unitCount() == m_table->units.size()) {
        ++m_generation;  // a build still running for an older table is dropped
        frontierReady(std::move(frontier));
    } else {
        rebuildFrontier();
    }
}

void BudgetView::clear()
{
    ++m_generation;
    if (m_cancel) m_cancel->cancel();
    setSolving(false);
    m_table.reset();
    m_frontier.reset();
    m_uniform.clear();
    m_breakdown.reset();
    m_hasAllocation = false;
    m_allocation = {};
    m_model->setTable(nullptr);
    m_frontierPlot->clearData();
    m_layerPlot->clearData();
    m_undo->clear();
    m_totals->clear();
    m_status->hide();
    m_placeholder->setText(m_placeholderText);
    m_stack->setCurrentIndex(0);
}

void BudgetView::setDamageScale(double scale, const QString& note)
{
    m_damageScale = scale > 0 ? scale : 1.0;
    m_scaleLabel->setText(m_damageScale == 1.0 ? tr("Predictor: uncalibrated")
                                               : tr("Predictor × %1").arg(m_damageScale, 0, 'f', 2));
    m_scaleLabel->setToolTip(note);
    m_resetScaleButton->setEnabled(m_damageScale != 1.0);
}

void BudgetView::setPlaceholderText(const QString& text)
{
    m_placeholderText = text;
    m_placeholder->setText(text);
}

void BudgetView::setOriginalBytes(int64_t bytes)
{
    m_originalBytes = std::max<int64_t>(0, bytes);
    if (m_hasAllocation) m_totals->setText(totalsText());
}

// ---- budget ↔ slider

double BudgetView::budgetValue() const { return m_budgetBox->value(); }

void BudgetView::setBudgetValue(double value) { m_budgetBox->setValue(value); }

double BudgetView::damageBudget() const { return BudgetScale::damageBudget(m_budgetBox->value()); }

int64_t BudgetView::byteBudget() const { return m_scale.byteBudget(m_budgetBox->value()); }

void BudgetView::setBudgetUnit(BudgetUnit unit)
{
    m_unitBox->setCurrentIndex(m_unitBox->findData(int(unit)));  // → onUnitChanged
}

void BudgetView::onUnitChanged()
{
    const auto unit = BudgetUnit(m_unitBox->currentData().toInt());
    if (unit == m_unit) return;
    m_unit = unit;
    m_changeStartNs = nowNs();
    configureBudgetBox();
    m_frontierPlot->setSizeAxis(unit == BudgetUnit::BitsPerWeight ? FrontierPlot::SizeAxis::BitsPerWeight
                                                                  : FrontierPlot::SizeAxis::Megabytes);
    if (m_hasAllocation) {
        // The same allocation, said in the new unit.
        const QSignalBlocker block(m_budgetBox);
        m_budgetBox->setValue(m_scale.valueOf(m_allocation));
    }
    const QSignalBlocker block(m_slider);
    m_slider->setValue(m_scale.positionOf(m_budgetBox->value()));
    requery();
}

void BudgetView::configureBudgetBox()
{
    m_scale = m_frontier ? BudgetScale(*m_frontier, m_unit, kSliderSteps) : BudgetScale();
    const QSignalBlocker block(m_budgetBox);
    m_budgetBox->setDecimals(m_scale.decimals());
    switch (m_unit) {
    case BudgetUnit::PerplexityPercent:
        m_budgetBox->setRange(0, 1e6);
        m_budgetBox->setSingleStep(0.1);
        m_budgetBox->setPrefix(QStringLiteral("+"));
        m_budgetBox->setSuffix(QStringLiteral(" %"));
        m_budgetBox->setToolTip(tr("Largest predicted perplexity increase; damage budget ln(1 + p/100) nats/token"));
        break;
    case BudgetUnit::Megabytes:
        m_budgetBox->setRange(0, 1e9);
        m_budgetBox->setSingleStep(std::pow(10.0, 1 - m_scale.decimals()));
        m_budgetBox->setPrefix(QString());
        m_budgetBox->setSuffix(QStringLiteral(" MB"));
        m_budgetBox->setToolTip(tr("Largest size (MB = 10⁶ bytes, norms and biases included)"));
        break;
    case BudgetUnit::BitsPerWeight:
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
    m_changeStartNs = nowNs();
    {
        const QSignalBlocker block(m_budgetBox);
        m_budgetBox->setValue(m_frontier ? m_scale.valueAt(position) : m_budgetBox->value());
    }
    requery();
}

void BudgetView::onBudgetBoxChanged(double value)
{
    m_changeStartNs = nowNs();
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(m_frontier ? m_scale.positionOf(value) : 0);
    }
    requery();
}

// ---- solving and drawing

void BudgetView::requery()
{
    if (!m_frontier) return;
    const qint64 t0 = nowNs();
    Allocation a = m_unit == BudgetUnit::PerplexityPercent ? m_frontier->minBytes(damageBudget())
                                                           : m_frontier->minDamage(byteBudget());
    m_timing.queryMs = double(nowNs() - t0) / 1e6;
    applyAllocation(std::move(a));
}

void BudgetView::applyAllocation(Allocation a)
{
    m_allocation = std::move(a);
    m_hasAllocation = true;
    m_breakdown->cellBytes(*m_table, m_allocation.choice, m_cells);
    m_layerPlot->setCells(m_cells);
    m_frontierPlot->setCurrent(m_allocation.bytes, m_allocation.damage);
    if (m_unit == BudgetUnit::PerplexityPercent) m_frontierPlot->setDamageBudgetLine(damageBudget());
    else m_frontierPlot->setByteBudgetLine(byteBudget());
    m_totals->setText(totalsText());
    if (!m_allocation.feasible) {
        m_status->setText(tr("Below what any allocation reaches: showing the nearest one. %1")
                              .arg(QString::fromStdString(m_allocation.message)));
        m_status->show();
    } else if (!m_solving) {
        m_status->hide();
    }
    m_model->setChoice(m_allocation.choice);
    scheduleFlush();
    emit allocationChanged(m_allocation);
}

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
    const Allocation& a = m_allocation;
    QString text = tr("<b>%1</b> · <b>%2</b> bits/weight · predicted Δppl <b>+%3 %</b> · KL %4 nats/token")
                       .arg(mib(a.bytes))
                       .arg(a.bitsPerWeight, 0, 'f', 3)
                       .arg(perplexityIncreaseForDamage(a.damage), 0, 'f', 3)
                       .arg(a.damage, 0, 'e', 2);
    if (m_originalBytes > 0 && a.bytes > 0)
        text += tr(" · %1× smaller than the file").arg(double(m_originalBytes) / double(a.bytes), 0, 'f', 2);
    return text;
}

void BudgetView::setSolving(bool solving)
{
    if (m_solving == solving) return;
    m_solving = solving;
    m_saveButton->setEnabled(!solving);  // the allocation shown does not have the new pins yet
    if (solving) {
        m_status->setText(tr("Re-solving with the new pins…"));
        m_status->show();
    } else {
        m_status->hide();
    }
    emit solvingChanged(solving);
}

void BudgetView::rebuildFrontier()
{
    const int generation = ++m_generation;
    if (m_cancel) m_cancel->cancel();
    m_cancel.reset();
    if (m_table->units.size() < kAsyncUnits) {
        const BuildResult r = build(m_table, m_settings, nullptr);
        m_lastBuildMs = r.ms;
        if (!r.frontier) {
            m_status->setText(tr("Could not solve the allocation: %1").arg(r.error));
            m_status->show();
            return;
        }
        frontierReady(r.frontier);
        return;
    }
    // Off the GUI thread; the old frontier keeps answering the slider meanwhile.
    auto cancel = std::make_shared<CancelToken>();
    m_cancel = cancel;
    setSolving(true);
    auto* watcher = new QFutureWatcher<BuildResult>(this);
    connect(watcher, &QFutureWatcher<BuildResult>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation) return;  // a newer pin or table took over
        const BuildResult r = watcher->result();
        m_lastBuildMs = r.ms;
        setSolving(false);
        if (!r.frontier) {
            m_status->setText(tr("Could not solve the allocation: %1").arg(r.error));
            m_status->show();
            return;
        }
        frontierReady(r.frontier);
    });
    watcher->setFuture(QtConcurrent::run(m_pool.get(), [table = m_table, settings = m_settings, cancel] {
        // One core stays with the GUI thread, so the slider keeps its frame rate meanwhile.
        const ThreadLimit limit(std::max(1, QThread::idealThreadCount() - 1));
        return build(table, settings, cancel.get());
    }));
}

void BudgetView::frontierReady(std::shared_ptr<const Frontier> frontier)
{
    m_frontier = std::move(frontier);
    m_frontierPlot->setFrontier(*m_frontier, m_uniform, m_frontier->totalWeights());
    const double value = m_budgetBox->value();
    configureBudgetBox();
    {
        const QSignalBlocker block(m_budgetBox);
        m_budgetBox->setValue(value);
    }
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(m_scale.positionOf(m_budgetBox->value()));
    }
    m_changeStartNs = nowNs();
    requery();
}

// ---- pins

void BudgetView::pinUnit(int unit, int option)
{
    if (!m_table || unit < 0 || unit >= int(m_table->units.size())) return;
    const Unit& u = m_table->units[size_t(unit)];
    if (option < -1 || option >= int(u.options.size()) || option == u.pinned) return;
    const QString name = QString::fromStdString(u.name);
    const QString text = option < 0 ? tr("Unpin %1").arg(name)
                                    : tr("Pin %1 to %2").arg(name, QString::fromStdString(u.options[size_t(option)].scheme));
    m_undo->push(new PinCommand({{unit, u.pinned, option}}, [this](const auto& pins) { applyPins(pins); }, text));
}

void BudgetView::unpinUnits(const std::vector<int>& units)
{
    if (!m_table) return;
    std::vector<PinCommand::Change> changes;
    for (int u : units)
        if (u >= 0 && u < int(m_table->units.size()) && m_table->units[size_t(u)].pinned >= 0)
            changes.push_back({u, m_table->units[size_t(u)].pinned, -1});
    if (changes.empty()) return;
    const QString text = changes.size() == 1
                             ? tr("Unpin %1").arg(QString::fromStdString(m_table->units[size_t(changes[0].unit)].name))
                             : tr("Unpin %n units", nullptr, int(changes.size()));
    m_undo->push(new PinCommand(std::move(changes), [this](const auto& pins) { applyPins(pins); }, text));
}

void BudgetView::unpinAll()
{
    if (!m_table) return;
    std::vector<int> all(m_table->units.size());
    for (size_t u = 0; u < all.size(); ++u) all[u] = int(u);
    unpinUnits(all);
}

void BudgetView::applyPins(const std::vector<std::pair<int, int>>& pins)
{
    auto table = std::make_shared<OptionTable>(*m_table);
    for (auto [unit, pin] : pins) table->units[size_t(unit)].pinned = pin;
    m_table = table;
    m_model->setTable(m_table);
    rebuildFrontier();
}

// ---- saving

QString BudgetView::budgetJson() const
{
    static const char* const kinds[] = {"ppl_percent", "megabytes", "bits_per_weight"};
    QJsonObject pinned;
    if (m_table)
        for (const Unit& u : m_table->units)
            if (u.pinned >= 0)
                pinned[QString::fromStdString(u.name)] = QString::fromStdString(u.options[size_t(u.pinned)].scheme);
    QJsonObject o{{"kind", QLatin1String(kinds[int(m_unit)])}, {"value", m_budgetBox->value()}, {"pinned", pinned}};
    if (m_damageScale != 1.0) o.insert(QStringLiteral("damage_scale"), m_damageScale);  // the closed loop's factor
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString BudgetView::assignmentJson() const
{
    if (!m_hasAllocation) return QStringLiteral("{}");
    return QString::fromStdString(precis::assignmentJson(*m_table, m_allocation));
}

QString BudgetView::totalsJson() const
{
    if (!m_hasAllocation) return QStringLiteral("{}");
    const Allocation& a = m_allocation;
    const QJsonObject o{{"bytes", qint64(a.bytes)},
                        {"bits_per_weight", a.bitsPerWeight},
                        {"predicted_damage", a.damage},
                        {"predicted_ppl_increase_percent", perplexityIncreaseForDamage(a.damage)},
                        {"predicted_kl", a.damage},
                        {"compression_ratio", m_originalBytes > 0 && a.bytes > 0 ? double(m_originalBytes) / double(a.bytes) : 0.0},
                        {"feasible", a.feasible}};
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

void BudgetView::requestSave(const QString& name)
{
    if (!m_hasAllocation || m_solving || name.trimmed().isEmpty()) return;
    emit saveRequested(name.trimmed(), budgetJson());
}

void BudgetView::askSaveName()
{
    if (!m_hasAllocation) return;
    QString suggested;
    switch (m_unit) {
    case BudgetUnit::PerplexityPercent: suggested = tr("ppl +%1 %").arg(m_budgetBox->value()); break;
    case BudgetUnit::Megabytes: suggested = tr("%1 MB").arg(m_budgetBox->value()); break;
    case BudgetUnit::BitsPerWeight: suggested = tr("%1 bits/weight").arg(m_budgetBox->value()); break;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save allocation"), tr("Name of the allocation in this session:"),
                                               QLineEdit::Normal, suggested, &ok);
    if (ok) requestSave(name);
}

} // namespace precis::views
