#include "compress_view.h"

#include "generation_compare_view.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace precis::views {

namespace {

// A line edit for a file with a "…" button beside it.
QWidget* fileRow(QWidget* parent, QLineEdit* edit, QToolButton** button)
{
    auto* w = new QWidget(parent);
    auto* row = new QHBoxLayout(w);
    row->setContentsMargins(0, 0, 0, 0);
    *button = new QToolButton(w);
    (*button)->setText(QStringLiteral("…"));
    row->addWidget(edit, 1);
    row->addWidget(*button);
    return w;
}

QString number(double v, char format, int precision)
{
    return std::isfinite(v) ? QString::number(v, format, precision) : QStringLiteral("—");
}

QString signedPercent(double v)
{
    if (!std::isfinite(v)) return QString();
    return (v >= 0 ? QStringLiteral("+") : QString()) + QString::number(v, 'f', v != 0 && std::abs(v) < 0.1 ? 3 : 2);
}

} // namespace

CompressView::CompressView(QWidget* parent) : QWidget(parent)
{
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    auto* scroll = new QScrollArea(splitter);
    QWidget* settingsPanel = createSettings();
    scroll->setWidget(settingsPanel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // Scrolls vertically only: the panel is as wide as its widest row needs.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(settingsPanel->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());
    splitter->addWidget(scroll);
    splitter->addWidget(createResults());
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({300, 900});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
    setAllocationState(tr("No allocation yet: calibrate, then choose a budget in the Budget tab."), false);
    updateMethodWidgets();
    updateButtons();
}

QWidget* CompressView::createSettings()
{
    auto* panel = new QWidget(this);

    // Plan
    auto* plan = new QGroupBox(tr("Plan"), panel);
    m_allocationRadio = new QRadioButton(tr("Current budget allocation"), plan);
    m_allocationRadio->setObjectName(QStringLiteral("PlanAllocationRadio"));
    m_allocationInfo = new QLabel(plan);
    m_allocationInfo->setObjectName(QStringLiteral("AllocationInfoLabel"));
    m_allocationInfo->setWordWrap(true);
    m_allocationInfo->setIndent(20);
    m_uniformRadio = new QRadioButton(tr("One scheme everywhere:"), plan);
    m_uniformRadio->setObjectName(QStringLiteral("PlanUniformRadio"));
    m_uniformRadio->setChecked(true);
    m_schemeBox = new QComboBox(plan);
    m_schemeBox->setObjectName(QStringLiteral("UniformSchemeBox"));
    m_schemeBox->setEditable(true);
    m_schemeBox->setInsertPolicy(QComboBox::NoInsert);
    m_schemeBox->setToolTip(tr("A GGUF block format, F16/BF16, or RTN<bits>g<group> (e.g. RTN4g128); rows a "
                               "format cannot store fall back as llama.cpp does"));
    m_savedRadio = new QRadioButton(tr("Saved allocation:"), plan);
    m_savedRadio->setObjectName(QStringLiteral("PlanSavedRadio"));
    m_savedBox = new QComboBox(plan);
    m_savedBox->setObjectName(QStringLiteral("SavedAllocationBox"));
    m_savedBox->setToolTip(tr("An allocation saved in this session (Budget ▸ Save allocation…), compressed exactly as "
                              "it was saved"));
    auto* group = new QButtonGroup(plan);
    group->addButton(m_allocationRadio);
    group->addButton(m_savedRadio);
    group->addButton(m_uniformRadio);
    auto* savedRow = new QHBoxLayout;
    savedRow->addWidget(m_savedRadio);
    savedRow->addWidget(m_savedBox, 1);
    auto* uniformRow = new QHBoxLayout;
    uniformRow->addWidget(m_uniformRadio);
    uniformRow->addWidget(m_schemeBox, 1);
    auto* planLayout = new QVBoxLayout(plan);
    planLayout->addWidget(m_allocationRadio);
    planLayout->addWidget(m_allocationInfo);
    planLayout->addLayout(savedRow);
    planLayout->addLayout(uniformRow);
    connect(m_schemeBox, &QComboBox::activated, this, [this] {
        m_uniformRadio->setChecked(true);
        m_allocationWanted = false;
    });
    connect(m_savedBox, &QComboBox::activated, this, [this] { m_savedRadio->setChecked(true); });
    for (QRadioButton* r : {m_allocationRadio, m_savedRadio, m_uniformRadio})
        connect(r, &QRadioButton::clicked, this, [this] { m_allocationWanted = false; });
    setSavedAllocations({});

    // Method
    auto* method = new QGroupBox(tr("Method"), panel);
    m_methodBox = new QComboBox(method);
    m_methodBox->setObjectName(QStringLiteral("MethodBox"));
    m_methodBox->addItem(tr("RTN (round to nearest)"), int(CompressionMethod::Rtn));
    m_methodBox->addItem(tr("GPTQ (error compensation)"), int(CompressionMethod::Gptq));
    m_methodBox->addItem(tr("AWQ (activation-aware scaling)"), int(CompressionMethod::Awq));
    m_methodPages = new QStackedWidget(method);
    auto* rtnNote = new QLabel(tr("Each scheme's own encoder; in a session, weighted by its latest calibration's column importance (no text needed)."), m_methodPages);
    rtnNote->setWordWrap(true);
    m_methodPages->addWidget(rtnNote);
    auto* gptqPage = new QWidget(m_methodPages);
    m_damping = new QDoubleSpinBox(gptqPage);
    m_damping->setRange(0.0001, 1.0);
    m_damping->setDecimals(4);
    m_damping->setSingleStep(0.005);
    m_damping->setValue(0.01);
    m_damping->setToolTip(tr("λ = damping × mean diagonal of XᵀX, added to the diagonal"));
    m_actOrder = new QCheckBox(tr("Act order"), gptqPage);
    m_actOrder->setToolTip(tr("Quantize the blocks of columns with the largest input energy first"));
    auto* gptqForm = new QFormLayout(gptqPage);
    gptqForm->setContentsMargins(0, 0, 0, 0);
    gptqForm->addRow(tr("Damping:"), m_damping);
    gptqForm->addRow(QString(), m_actOrder);
    m_methodPages->addWidget(gptqPage);
    auto* awqPage = new QWidget(m_methodPages);
    m_grid = new QSpinBox(awqPage);
    m_grid->setRange(1, 100);
    m_grid->setValue(20);
    m_grid->setToolTip(tr("Scale exponents α searched: 0, 1/grid, …, 1"));
    auto* awqForm = new QFormLayout(awqPage);
    awqForm->setContentsMargins(0, 0, 0, 0);
    awqForm->addRow(tr("α grid:"), m_grid);
    m_methodPages->addWidget(awqPage);
    auto* methodLayout = new QVBoxLayout(method);
    methodLayout->addWidget(m_methodBox);
    methodLayout->addWidget(m_methodPages);
    connect(m_methodBox, &QComboBox::currentIndexChanged, this, &CompressView::updateMethodWidgets);

    // Calibration (GPTQ, AWQ)
    m_calibrationGroup = new QGroupBox(tr("Calibration text"), panel);
    m_calibration = new QLineEdit(m_calibrationGroup);
    m_calibration->setObjectName(QStringLiteral("CalibrationTextEdit"));
    m_calibration->setPlaceholderText(tr("UTF-8 text file"));
    QToolButton* calibrationBrowse = nullptr;
    QWidget* calibrationRow = fileRow(m_calibrationGroup, m_calibration, &calibrationBrowse);
    connect(calibrationBrowse, &QToolButton::clicked, this, [this] {
        const QString path = browse(tr("Calibration Text"), m_calibration->text());
        if (!path.isEmpty()) m_calibration->setText(path);
    });
    m_sequences = new QSpinBox(m_calibrationGroup);
    m_sequences->setRange(1, 4096);
    m_sequences->setValue(16);
    m_length = new QSpinBox(m_calibrationGroup);
    m_length->setRange(2, 1 << 16);
    m_length->setValue(128);
    m_seed = new QSpinBox(m_calibrationGroup);
    m_seed->setRange(0, 1 << 30);
    m_seed->setValue(1);
    m_sequences->setToolTip(tr("N: windows cut from the text at seeded offsets"));
    m_length->setToolTip(tr("T: tokens per window (below the model's context)"));
    auto* calibrationForm = new QFormLayout(m_calibrationGroup);
    calibrationForm->addRow(tr("File:"), calibrationRow);
    calibrationForm->addRow(tr("Sequences:"), m_sequences);
    calibrationForm->addRow(tr("Tokens each:"), m_length);
    calibrationForm->addRow(tr("Seed:"), m_seed);

    // Evaluation
    auto* eval = new QGroupBox(tr("Evaluation"), panel);
    m_eval = new QLineEdit(eval);
    m_eval->setObjectName(QStringLiteral("EvalTextEdit"));
    m_eval->setPlaceholderText(tr("UTF-8 text file"));
    QToolButton* evalBrowse = nullptr;
    QWidget* evalRow = fileRow(eval, m_eval, &evalBrowse);
    connect(evalBrowse, &QToolButton::clicked, this, [this] {
        const QString path = browse(tr("Evaluation Text"), m_eval->text());
        if (!path.isEmpty()) m_eval->setText(path);
    });
    m_ctx = new QSpinBox(eval);
    m_ctx->setRange(3, 1 << 20);
    m_ctx->setValue(256);
    m_ctx->setToolTip(tr("Tokens per chunk; the second half of each chunk is scored (as llama.cpp's perplexity)"));
    m_chunks = new QSpinBox(eval);
    m_chunks->setRange(0, 1 << 20);
    m_chunks->setSpecialValueText(tr("all"));
    m_chunks->setToolTip(tr("Score at most this many chunks of the text"));
    m_measureUnits = new QCheckBox(tr("Measure each tensor"), eval);
    m_measureUnits->setObjectName(QStringLiteral("MeasureUnitsBox"));
    m_measureUnits->setToolTip(tr("After the whole model, measure every compressed tensor alone: the original model with "
                                  "only that tensor compressed, on %1 sequences of up to %2 tokens of the evaluation "
                                  "text. Costs one forward pass over those %1 sequences per compressed tensor. The "
                                  "result is compared with the Budget tab's predicted damage per tensor.")
                                   .arg(UnitDamageOptions{}.sequences)
                                   .arg(UnitDamageOptions{}.length));
    auto* evalForm = new QFormLayout(eval);
    evalForm->addRow(tr("File:"), evalRow);
    evalForm->addRow(tr("Context:"), m_ctx);
    evalForm->addRow(tr("Chunks:"), m_chunks);
    evalForm->addRow(QString(), m_measureUnits);

    // Run
    m_run = new QPushButton(tr("Compress && Measure"), panel);
    m_run->setObjectName(QStringLiteral("CompressRunButton"));
    m_run->setDefault(true);
    m_run->setToolTip(tr("Compress the model by the plan, then measure it against the original on the evaluation text"));
    m_cancel = new QPushButton(tr("Cancel"), panel);
    m_cancel->setObjectName(QStringLiteral("CompressCancelButton"));
    connect(m_run, &QPushButton::clicked, this, &CompressView::runRequested);
    connect(m_cancel, &QPushButton::clicked, this, &CompressView::cancelRequested);
    m_progress = new QProgressBar(panel);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_stage = new QLabel(panel);
    m_stage->setWordWrap(true);
    m_status = new QLabel(panel);
    m_status->setObjectName(QStringLiteral("CompressStatusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_run, 1);
    buttons->addWidget(m_cancel);

    auto* layout = new QVBoxLayout(panel);
    layout->addWidget(plan);
    layout->addWidget(method);
    layout->addWidget(m_calibrationGroup);
    layout->addWidget(eval);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_stage);
    layout->addWidget(m_status);
    layout->addStretch(1);
    return panel;
}

QWidget* CompressView::createResults()
{
    auto* splitter = new QSplitter(Qt::Vertical, this);

    auto* top = new QWidget(splitter);
    m_table = new QTableWidget(0, ColumnCount, top);
    m_table->setObjectName(QStringLiteral("CompressResultsTable"));
    // Two-line headers keep the twelve columns narrow enough to fit beside the settings.
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Method"), tr("Size\n(MiB)"), tr("Bits/\nweight"),
                                        tr("PPL\noriginal"), tr("PPL\ncompressed"), tr("PPL\nratio"), tr("Measured\nΔppl %"),
                                        tr("Predicted\nΔppl %"), tr("KL\nmean"), tr("KL\np99"), tr("Top-1\n%")});
    m_table->horizontalHeaderItem(ColKlMean)->setToolTip(tr("KL(original ‖ compressed) of the next-token distributions, nats"));
    m_table->horizontalHeaderItem(ColTop1)->setToolTip(tr("Positions where both models rank the same token first"));
    m_table->horizontalHeaderItem(ColPredicted)
        ->setToolTip(tr("From the sensitivity report: the allocation's predicted damage, or the uniform format's point"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        const int row = selectedRow();
        m_sizePlot->setSelectedRow(row);
        showUnitsOf(row);
        updateButtons();
        emit selectedRowChanged(row);
    });
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this](int row, int) { emit exportRequested(row); });
    m_export = new QPushButton(tr("Export…"), top);
    m_export->setObjectName(QStringLiteral("CompressExportButton"));
    m_export->setToolTip(tr("Write the selected result as GGUF, a safetensors folder or a recipe"));
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (selectedRow() >= 0) emit exportRequested(selectedRow());
    });
    auto* title = new QLabel(tr("<b>Results of this session</b>"), top);
    auto* bar = new QHBoxLayout;
    bar->addWidget(title);
    bar->addStretch(1);
    bar->addWidget(m_export);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(4, 4, 4, 0);
    topLayout->addLayout(bar);
    topLayout->addWidget(m_table);
    splitter->addWidget(top);

    m_lowerTabs = new QTabWidget(splitter);
    m_lowerTabs->setDocumentMode(true);
    auto* sizePage = new QWidget(m_lowerTabs);
    m_sizePlot = new CompressResultPlot(sizePage);
    m_sizeAxisBox = new QComboBox(sizePage);
    m_sizeAxisBox->addItem(tr("size (MB)"), int(CompressResultPlot::SizeAxis::Megabytes));
    m_sizeAxisBox->addItem(tr("bits per weight"), int(CompressResultPlot::SizeAxis::BitsPerWeight));
    connect(m_sizeAxisBox, &QComboBox::currentIndexChanged, this, [this] {
        m_sizePlot->setSizeAxis(CompressResultPlot::SizeAxis(m_sizeAxisBox->currentData().toInt()));
    });
    m_logBox = new QCheckBox(tr("Log scale"), sizePage);
    m_logBox->setToolTip(tr("Perplexity increase on a logarithmic axis (zero and negative changes are drawn at the bottom)"));
    connect(m_logBox, &QCheckBox::toggled, m_sizePlot, &CompressResultPlot::setLogScale);
    auto* sizeBar = new QHBoxLayout;
    sizeBar->addWidget(new QLabel(tr("Size axis:"), sizePage));
    sizeBar->addWidget(m_sizeAxisBox);
    sizeBar->addWidget(m_logBox);
    sizeBar->addStretch(1);
    auto* sizeLayout = new QVBoxLayout(sizePage);
    sizeLayout->setContentsMargins(0, 4, 0, 0);
    sizeLayout->addLayout(sizeBar);
    sizeLayout->addWidget(m_sizePlot, 1);
    m_lowerTabs->addTab(sizePage, tr("Size vs Δppl"));
    m_predictionPlot = new PredictedMeasuredPlot(m_lowerTabs);
    m_lowerTabs->addTab(m_predictionPlot, tr("Predicted vs measured"));
    m_unitPlot = new UnitScatterPlot(m_lowerTabs);
    m_unitPlot->setObjectName(QStringLiteral("UnitScatterPlot"));
    m_lowerTabs->addTab(m_unitPlot, tr("Per tensor"));
    m_lowerTabs->setTabToolTip(m_lowerTabs->count() - 1,
                               tr("The selected result's tensors, each measured alone, against their predicted damage"));
    m_generation = new GenerationCompareView(m_lowerTabs);
    m_lowerTabs->addTab(m_generation, tr("Generation"));
    splitter->addWidget(m_lowerTabs);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    return splitter;
}

QString CompressView::browse(const QString& title, const QString& current)
{
    return QFileDialog::getOpenFileName(this, title, QFileInfo(current).absolutePath(),
                                        tr("Text (*.txt);;All files (*)"));
}

CompressView::Settings CompressView::settings() const
{
    Settings s;
    s.source = m_allocationRadio->isChecked() ? PlanSource::Allocation
               : m_savedRadio->isChecked()    ? PlanSource::Saved
                                              : PlanSource::Uniform;
    s.scheme = m_schemeBox->currentText().trimmed();
    s.savedAllocation = m_savedBox->currentText();
    s.method = CompressionMethod(m_methodBox->currentData().toInt());
    s.gptqDamping = m_damping->value();
    s.gptqActOrder = m_actOrder->isChecked();
    s.awqGrid = m_grid->value();
    s.calibrationPath = m_calibration->text().trimmed();
    s.sequences = m_sequences->value();
    s.length = m_length->value();
    s.seed = m_seed->value();
    s.evalPath = m_eval->text().trimmed();
    s.ctx = m_ctx->value();
    s.maxChunks = m_chunks->value();
    s.measureUnits = m_measureUnits->isChecked();
    return s;
}

void CompressView::setSettings(const Settings& s)
{
    const bool saved = s.source == PlanSource::Saved && selectSavedAllocation(s.savedAllocation);
    if (!saved)
        (s.source == PlanSource::Allocation && m_allocationUsable ? m_allocationRadio : m_uniformRadio)->setChecked(true);
    m_schemeBox->setCurrentText(s.scheme);
    m_methodBox->setCurrentIndex(m_methodBox->findData(int(s.method)));
    m_damping->setValue(s.gptqDamping);
    m_actOrder->setChecked(s.gptqActOrder);
    m_grid->setValue(s.awqGrid);
    m_calibration->setText(s.calibrationPath);
    m_sequences->setValue(s.sequences);
    m_length->setValue(s.length);
    m_seed->setValue(s.seed);
    m_eval->setText(s.evalPath);
    m_ctx->setValue(s.ctx);
    m_chunks->setValue(s.maxChunks);
    m_measureUnits->setChecked(s.measureUnits);
}

void CompressView::setSchemes(const QStringList& names)
{
    const QString current = m_schemeBox->currentText();
    m_schemeBox->clear();
    m_schemeBox->addItems(names);
    m_schemeBox->setCurrentText(current.isEmpty() ? QStringLiteral("Q4_K") : current);
}

void CompressView::setCalibrationPath(const QString& path) { m_calibration->setText(path); }
void CompressView::setEvalPath(const QString& path) { m_eval->setText(path); }

void CompressView::setModelContext(int nCtx)
{
    const int max = nCtx > 0 ? nCtx : (1 << 20);
    m_ctx->setMaximum(std::max(3, max));
    m_length->setMaximum(std::max(2, nCtx > 1 ? nCtx - 1 : (1 << 16)));
    m_ctx->setToolTip(tr("Tokens per chunk (at most the model's context, %1); the second half of each chunk is scored")
                          .arg(max));
}

void CompressView::setSavedAllocations(const QStringList& names)
{
    const QString current = m_savedBox->currentText();
    m_savedBox->clear();
    m_savedBox->addItems(names);
    if (names.contains(current)) m_savedBox->setCurrentText(current);
    m_savedRadio->setEnabled(!names.isEmpty());
    m_savedBox->setEnabled(!names.isEmpty());
    if (names.isEmpty() && m_savedRadio->isChecked()) m_uniformRadio->setChecked(true);
}

bool CompressView::selectSavedAllocation(const QString& name)
{
    const int i = m_savedBox->findText(name);
    if (i < 0) return false;
    m_savedBox->setCurrentIndex(i);
    m_savedRadio->setChecked(true);
    return true;
}

void CompressView::setAllocationState(const QString& summary, bool usable)
{
    m_allocationUsable = usable;
    m_allocationInfo->setText(summary);
    m_allocationRadio->setEnabled(usable);
    // While the Budget tab rebuilds its table (another granularity, a new report) there is no
    // allocation for a moment: the choice falls back to one scheme, and comes back with the
    // allocation unless the user picked another plan meanwhile.
    if (!usable && m_allocationRadio->isChecked()) {
        m_uniformRadio->setChecked(true);
        m_allocationWanted = true;
    } else if (usable && m_allocationWanted) {
        m_allocationRadio->setChecked(true);
        m_allocationWanted = false;
    }
}

void CompressView::updateMethodWidgets()
{
    const auto method = CompressionMethod(m_methodBox->currentData().toInt());
    m_methodPages->setCurrentIndex(m_methodBox->currentIndex());
    m_calibrationGroup->setEnabled(method != CompressionMethod::Rtn);
    m_calibrationGroup->setToolTip(method == CompressionMethod::Rtn ? tr("RTN needs no calibration") : QString());
}

void CompressView::setRunning(bool running)
{
    m_running = running;
    if (running) {
        setProgress(-1, tr("Waiting for the job to start…"));
    } else {
        m_progress->setRange(0, 1000);
        m_progress->setValue(0);
        m_stage->clear();
    }
    updateButtons();
}

void CompressView::setProgress(double fraction, const QString& stage)
{
    if (fraction < 0) {
        m_progress->setRange(0, 0);
    } else {
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(fraction * 1000.0));
    }
    m_stage->setText(stage);
}

void CompressView::setStatus(const QString& text) { m_status->setText(text); }

void CompressView::updateButtons()
{
    m_run->setEnabled(!m_running);
    m_cancel->setEnabled(m_running);
    m_progress->setVisible(m_running);
    const int row = selectedRow();
    m_export->setEnabled(row >= 0);
}

void CompressView::fillRow(int row, const CompressResultRow& r)
{
    const ComparisonResult& c = r.comparison;
    const QStringList cells = {
        r.name,
        r.method,
        QString::number(double(r.bytes) / (1024.0 * 1024.0), 'f', 2),
        QString::number(r.bitsPerWeight, 'f', 3),
        r.measured ? number(c.pplOriginal, 'f', 4) : tr("not measured"),
        r.measured ? number(c.pplCompressed, 'f', 4) : QString(),
        r.measured ? number(c.pplRatio(), 'f', 5) : QString(),
        signedPercent(r.measuredPercent()),
        signedPercent(r.predictedPercent),
        r.measured ? number(c.klMean, 'g', 3) : QString(),
        r.measured ? number(c.klP99, 'g', 3) : QString(),
        r.measured ? number(100.0 * c.top1Agreement, 'f', 2) : QString(),
    };
    for (int col = 0; col < ColumnCount; ++col) {
        auto* item = new QTableWidgetItem(cells[col]);
        if (col >= ColSize) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        if (!r.inMemory) {
            QFont f = item->font();
            f.setItalic(true);
            item->setFont(f);
            item->setToolTip(tr("From the session; the compressed model is no longer in memory (its recipe can be "
                                "exported; run it again to export the model or generate)"));
        }
        m_table->setItem(row, col, item);
    }
    m_table->item(row, ColMethod)->setForeground(methodColour(r.method).darker(120));
    if (!r.measured) {
        m_table->item(row, ColPplOriginal)->setToolTip(tr("Compressed without an evaluation text: measure it with "
                                                          "precis-cli eval, or compress it again here"));
        return;
    }
    m_table->item(row, ColKlMean)->setToolTip(tr("KL mean %1, p99 %2, max %3 nats over %4 positions")
                                                  .arg(c.klMean, 0, 'g', 6)
                                                  .arg(c.klP99, 0, 'g', 6)
                                                  .arg(c.klMax, 0, 'g', 6)
                                                  .arg(c.tokensScored));
}

void CompressView::setResults(std::vector<CompressResultRow> rows)
{
    const int previous = selectedRow();
    const qint64 previousKey = previous >= 0 && previous < int(m_rows.size()) ? m_rows[size_t(previous)].key : 0;
    const bool grew = rows.size() > m_rows.size();
    m_rows = std::move(rows);
    const QSignalBlocker block(m_table);
    m_table->setRowCount(int(m_rows.size()));
    for (int i = 0; i < int(m_rows.size()); ++i) fillRow(i, m_rows[size_t(i)]);
    m_table->resizeColumnsToContents();
    m_sizePlot->setResults(m_rows);
    m_predictionPlot->setResults(m_rows);
    // A new result is selected; else the selection stays on the same result.
    int select = grew ? int(m_rows.size()) - 1 : -1;
    for (int i = 0; select < 0 && previousKey != 0 && i < int(m_rows.size()); ++i)
        if (m_rows[size_t(i)].key == previousKey) select = i;
    if (select >= 0) m_table->selectRow(select);
    else m_table->clearSelection();
    m_sizePlot->setSelectedRow(select);
    showUnitsOf(select);
    updateButtons();
    emit selectedRowChanged(select);
}

void CompressView::showUnitsOf(int row)
{
    if (row >= 0 && row < int(m_rows.size())) m_unitPlot->setUnits(m_rows[size_t(row)].units, m_rows[size_t(row)].name);
    else m_unitPlot->setUnits({}, QString());
}

int CompressView::selectedRow() const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.front().row();
}

void CompressView::selectRow(int row)
{
    if (row >= 0 && row < m_table->rowCount()) m_table->selectRow(row);
    else m_table->clearSelection();
}

void CompressView::setFrontier(const Frontier* frontier, int64_t totalWeights)
{
    m_sizePlot->setFrontier(frontier, totalWeights);
}

} // namespace precis::views
