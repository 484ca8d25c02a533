#include "benchmark_view.h"

#include <QComboBox>
#include <QDateTime>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

namespace precis::views {

namespace {

const QColor kOriginalColour(90, 110, 140);
const QColor kCompressedColour(255, 127, 14);
const QColor kOtherColour(148, 103, 189);
const QColor kCeilingColour(214, 39, 40);

double mib(uint64_t bytes) { return double(bytes) / 1048576.0; }

QString deviceKey(const BenchmarkView::Settings& s)
{
    return s.device == Device::Cuda ? QStringLiteral("cuda:%1").arg(s.cudaDevice) : QStringLiteral("cpu");
}

QString spreadText(const Spread& s, int decimals)
{
    return QStringLiteral("%1 [%2–%3]").arg(s.median, 0, 'f', decimals).arg(s.min, 0, 'f', decimals).arg(s.max, 0, 'f', decimals);
}

QString whenText(const StoredBenchmark& b)
{
    if (b.id <= 0) return BenchmarkView::tr("not saved");
    const QDateTime t = QDateTime::fromString(QString::fromStdString(b.createdAt), Qt::ISODateWithMs);
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString::fromStdString(b.createdAt);
}

QTableWidgetItem* numberItem(const QString& text, double sortValue)
{
    auto* item = new QTableWidgetItem(text);
    item->setData(Qt::UserRole, sortValue);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

// ---- BenchmarkChart

BenchmarkChart::BenchmarkChart(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumSize(320, 260);
    setToolTip(tr("Median of the repetitions; whiskers: fastest and slowest. Dashed over a decode bar: its "
                  "ceiling, memory bandwidth ÷ bytes read per token."));
    plotLayout()->clear();
    const QString titles[4] = {tr("Prefill (tok/s)"), tr("Decode (tok/s), - - ceiling"),
                               tr("Peak memory (MiB)"), tr("File size (MiB)")};
    QFont titleFont = font();
    titleFont.setBold(true);
    for (int i = 0; i < 4; ++i) {
        // Rows: title, panel, title, panel; the dashed line over a decode bar is
        // its memory-bandwidth ceiling (bandwidth ÷ bytes read per token).
        auto* title = new QCPTextElement(this, titles[i], titleFont);
        plotLayout()->addElement(2 * (i / 2), i % 2, title);
        auto* rect = new QCPAxisRect(this);
        plotLayout()->addElement(2 * (i / 2) + 1, i % 2, rect);
        rect->axis(QCPAxis::atLeft)->setNumberFormat(QStringLiteral("gb"));
        rect->axis(QCPAxis::atBottom)->setTicker(QSharedPointer<QCPAxisTickerText>::create());
        rect->axis(QCPAxis::atBottom)->setTickLabelRotation(25);
        rect->axis(QCPAxis::atBottom)->grid()->setVisible(false);
        m_rects[i] = rect;
        auto* bars = new QCPBars(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        bars->setWidth(0.6);
        bars->setPen(Qt::NoPen);
        m_bars[i] = bars;
        if (i < 2) {
            auto* whiskers = new QCPErrorBars(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            whiskers->setDataPlottable(bars);
            whiskers->setPen(QPen(Qt::black, 1));
            m_whiskers[i] = whiskers;
        }
    }
    plotLayout()->setColumnStretchFactors({1, 1});
}

void BenchmarkChart::setEntries(const std::vector<StoredBenchmark>& entries)
{
    for (QCPGraph* g : m_ceilings) removeGraph(g);
    m_ceilings.clear();
    m_ceilingValues.assign(entries.size(), 0.0);
    m_count = int(entries.size());
    QVector<double> keys;
    QVector<double> values[4];
    QVector<double> errLow[2], errHigh[2];
    QVector<QString> labels;
    for (size_t i = 0; i < entries.size(); ++i) {
        const BenchResult& r = entries[i].result;
        keys << double(i + 1);
        labels << QString::fromStdString(entries[i].label);
        values[0] << r.prefillTokS.median;
        values[1] << r.decodeTokS.median;
        values[2] << mib(r.peakMemoryBytes);
        values[3] << mib(r.fileBytes);
        const Spread* s[2] = {&r.prefillTokS, &r.decodeTokS};
        for (int k = 0; k < 2; ++k) {
            errLow[k] << std::max(0.0, s[k]->median - s[k]->min);
            errHigh[k] << std::max(0.0, s[k]->max - s[k]->median);
        }
        m_ceilingValues[i] = r.ceilingTokS;
        if (r.ceilingTokS > 0) {
            QCPGraph* g = addGraph(m_rects[1]->axis(QCPAxis::atBottom), m_rects[1]->axis(QCPAxis::atLeft));
            g->setPen(QPen(kCeilingColour, 2, Qt::DashLine));
            g->setData({keys.back() - 0.4, keys.back() + 0.4}, {r.ceilingTokS, r.ceilingTokS});
            m_ceilings.push_back(g);
        }
    }
    for (int p = 0; p < 4; ++p) {
        m_bars[p]->setData(keys, values[p], true);
        m_bars[p]->setBrush(kCompressedColour);
        auto ticker = qSharedPointerCast<QCPAxisTickerText>(m_rects[p]->axis(QCPAxis::atBottom)->ticker());
        ticker->clear();
        for (int i = 0; i < keys.size(); ++i) ticker->addTick(keys[i], labels[i]);
        m_rects[p]->axis(QCPAxis::atBottom)->setRange(0.3, std::max(1, m_count) + 0.7);
        double top = values[p].isEmpty() ? 1.0 : *std::max_element(values[p].begin(), values[p].end());
        if (p < 2)
            for (int i = 0; i < keys.size(); ++i) top = std::max(top, values[p][i] + errHigh[p][i]);
        if (p == 1)
            for (double c : m_ceilingValues) top = std::max(top, c);
        m_rects[p]->axis(QCPAxis::atLeft)->setRange(0, top > 0 ? top * 1.12 : 1.0);
    }
    for (int k = 0; k < 2; ++k) m_whiskers[k]->setData(errLow[k], errHigh[k]);
    // One colour per role: QCPBars has one brush, so the bars of the original
    // model and of other files are drawn again on top in theirs.
    for (QCPAbstractPlottable* extra : findChildren<QCPBars*>(QStringLiteral("roleOverlay"))) removePlottable(extra);
    for (int p = 0; p < 4; ++p)
        for (const auto& [role, colour] : {std::pair{BenchRole::Original, kOriginalColour}, {BenchRole::Other, kOtherColour}}) {
            QVector<double> k2, v2;
            for (size_t i = 0; i < entries.size(); ++i)
                if (entries[i].role == role) {
                    k2 << keys[int(i)];
                    v2 << values[p][int(i)];
                }
            if (k2.isEmpty()) continue;
            auto* overlay = new QCPBars(m_rects[p]->axis(QCPAxis::atBottom), m_rects[p]->axis(QCPAxis::atLeft));
            overlay->setObjectName(QStringLiteral("roleOverlay"));
            overlay->setWidth(0.6);
            overlay->setPen(Qt::NoPen);
            overlay->setBrush(colour);
            overlay->setData(k2, v2, true);
        }
    replot(QCustomPlot::rpQueuedReplot);
}

double BenchmarkChart::ceilingAt(int bar) const
{
    return bar >= 0 && bar < int(m_ceilingValues.size()) ? m_ceilingValues[size_t(bar)] : 0.0;
}

// ---- BenchmarkView

BenchmarkView::BenchmarkView(QWidget* parent) : QWidget(parent)
{
    auto* form = new QFormLayout;
    m_device = new QComboBox;
    m_device->setToolTip(tr("Where the models run: this CPU, or a CUDA GPU when Precis was built with CUDA."));
    m_threads = new QSpinBox;
    m_threads->setRange(1, 4096);
    m_threads->setToolTip(tr("CPU threads for the runs (the memory bandwidth is measured with the same threads)."));
    m_kv = new QComboBox;
    m_kv->addItem(tr("F32"));
    m_kv->addItem(tr("F16"));
    m_kv->setToolTip(tr("Element type of the key/value cache."));
    m_prompt = new QSpinBox;
    m_prompt->setRange(1, 65536);
    m_prompt->setValue(512);
    m_prompt->setToolTip(tr("Prompt length of the prefill (time to first token)."));
    m_gen = new QSpinBox;
    m_gen->setRange(1, 65536);
    m_gen->setValue(128);
    m_gen->setToolTip(tr("Tokens generated one by one after the prompt (decode speed)."));
    m_reps = new QSpinBox;
    m_reps->setRange(1, 1000);
    m_reps->setValue(5);
    m_reps->setToolTip(tr("Timed repetitions after one warm-up; figures are median [min–max]."));
    auto* row1 = new QHBoxLayout;
    row1->addWidget(m_device, 1);
    row1->addWidget(new QLabel(tr("Threads")));
    row1->addWidget(m_threads);
    row1->addWidget(new QLabel(tr("KV")));
    row1->addWidget(m_kv);
    auto* row2 = new QHBoxLayout;
    row2->addWidget(new QLabel(tr("Prompt")));
    row2->addWidget(m_prompt);
    row2->addWidget(new QLabel(tr("Generate")));
    row2->addWidget(m_gen);
    row2->addWidget(new QLabel(tr("Repetitions")));
    row2->addWidget(m_reps);
    row2->addStretch(1);
    form->addRow(tr("Device"), row1);
    form->addRow(tr("Tokens"), row2);

    m_models = new QListWidget;
    m_models->setMaximumHeight(90);
    m_models->setToolTip(tr("Checked models are benchmarked one after the other with the same settings."));
    m_add = new QPushButton(tr("Add GGUF File…"));
    m_run = new QPushButton(tr("Run Benchmark"));
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setEnabled(false);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addStretch(1);
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);

    auto* modelsBox = new QGroupBox(tr("Models"));
    auto* modelsLayout = new QVBoxLayout(modelsBox);
    modelsLayout->addWidget(m_models);
    modelsLayout->addLayout(buttons);
    modelsLayout->addWidget(m_progress);
    modelsLayout->addWidget(m_status);

    m_chart = new BenchmarkChart;
    m_table = new QTableWidget(0, ColumnCount);
    m_table->setHorizontalHeaderLabels({tr("When"), tr("Model"), tr("Device"), tr("Threads"), tr("Prompt / gen"),
                                        tr("Prefill tok/s"), tr("TTFT ms"), tr("Decode tok/s"), tr("Of ceiling"),
                                        tr("Peak memory"), tr("File")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setToolTip(tr("Every benchmark of the session, newest first. Select rows to chart them."));

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_chart);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(modelsBox);
    layout->addWidget(split, 1);

    setDevices(int(std::max(1u, std::thread::hardware_concurrency())), {}, {});
    connect(m_run, &QPushButton::clicked, this, &BenchmarkView::runRequested);
    connect(m_cancel, &QPushButton::clicked, this, &BenchmarkView::cancelRequested);
    connect(m_add, &QPushButton::clicked, this, &BenchmarkView::addFileRequested);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &BenchmarkView::refreshChart);
    connect(m_device, &QComboBox::currentIndexChanged, this, [this] {
        m_threads->setEnabled(settings().device == Device::Cpu);
        refreshChart();
    });
    connect(m_threads, &QSpinBox::valueChanged, this, &BenchmarkView::refreshChart);
}

BenchmarkView::Settings BenchmarkView::settings() const
{
    Settings s;
    const int cuda = m_device->currentData().toInt();  // -1: CPU
    s.device = cuda >= 0 ? Device::Cuda : Device::Cpu;
    s.cudaDevice = std::max(0, cuda);
    s.threads = m_threads->value();
    s.prompt = m_prompt->value();
    s.gen = m_gen->value();
    s.reps = m_reps->value();
    s.kv = m_kv->currentIndex() == 1 ? KvType::F16 : KvType::F32;
    return s;
}

void BenchmarkView::setDevices(int logicalCores, const std::vector<std::pair<int, QString>>& cuda, const QString& cudaNote)
{
    m_device->clear();
    m_device->addItem(tr("CPU (%n logical cores)", nullptr, logicalCores), -1);
    for (const auto& [index, name] : cuda) m_device->addItem(tr("CUDA %1: %2").arg(index).arg(name), index);
    m_device->setItemData(0, cudaNote.isEmpty() ? QString() : tr("No GPU: %1").arg(cudaNote), Qt::ToolTipRole);
    m_threads->setMaximum(std::max(1, logicalCores));
    m_threads->setValue(std::max(1, logicalCores));
}

void BenchmarkView::setModels(const std::vector<ModelChoice>& models)
{
    std::map<QString, bool> previous;
    for (int i = 0; i < m_models->count(); ++i)
        previous[m_models->item(i)->data(Qt::UserRole).toString()] = m_models->item(i)->checkState() == Qt::Checked;
    m_models->clear();
    for (const ModelChoice& m : models) {
        auto* item = new QListWidgetItem(m.label, m_models);
        item->setData(Qt::UserRole, m.key);
        item->setToolTip(m.tooltip);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        const auto it = previous.find(m.key);
        item->setCheckState((it != previous.end() ? it->second : m.checked) ? Qt::Checked : Qt::Unchecked);
    }
}

std::vector<QString> BenchmarkView::checkedModels() const
{
    std::vector<QString> out;
    for (int i = 0; i < m_models->count(); ++i)
        if (m_models->item(i)->checkState() == Qt::Checked) out.push_back(m_models->item(i)->data(Qt::UserRole).toString());
    return out;
}

int BenchmarkView::modelCount() const { return m_models->count(); }

void BenchmarkView::setHistory(const std::vector<StoredBenchmark>& history)
{
    m_history = history;
    const QSignalBlocker block(m_table);
    m_table->setSortingEnabled(false);
    m_table->clearContents();
    m_table->setRowCount(int(history.size()));
    for (int row = 0; row < int(history.size()); ++row) {
        const size_t index = history.size() - 1 - size_t(row);  // newest first
        const StoredBenchmark& b = history[index];
        const BenchResult& r = b.result;
        auto* when = new QTableWidgetItem(whenText(b));
        when->setData(Qt::UserRole, qulonglong(index));
        m_table->setItem(row, ColWhen, when);
        auto* model = new QTableWidgetItem(QString::fromStdString(b.label));
        QString tip = QString::fromStdString(r.modelPath) + QLatin1Char('\n') + QString::fromStdString(r.weightTypes) +
                      QLatin1Char('\n') + QString::fromStdString(b.machine.cpu) + QStringLiteral(", ") +
                      QString::fromStdString(b.machine.isa);
        for (const std::string& note : r.notes) tip += QLatin1Char('\n') + QString::fromStdString(note);
        model->setToolTip(tip);
        m_table->setItem(row, ColModel, model);
        m_table->setItem(row, ColDevice, new QTableWidgetItem(QString::fromStdString(r.device)));
        m_table->setItem(row, ColThreads, numberItem(r.threads > 0 ? QString::number(r.threads) : QStringLiteral("–"), r.threads));
        m_table->setItem(row, ColTokens, new QTableWidgetItem(QStringLiteral("%1 / %2").arg(r.prompt).arg(r.gen)));
        m_table->setItem(row, ColPrefill, numberItem(spreadText(r.prefillTokS, 1), r.prefillTokS.median));
        m_table->setItem(row, ColTtft, numberItem(spreadText(r.ttftMs, 1), r.ttftMs.median));
        m_table->setItem(row, ColDecode, numberItem(spreadText(r.decodeTokS, 2), r.decodeTokS.median));
        auto* ceiling = numberItem(QStringLiteral("%1 %").arg(100 * r.ceilingFraction(), 0, 'f', 0), r.ceilingFraction());
        ceiling->setToolTip(tr("Ceiling %1 tok/s = %2 GB/s ÷ %3 MB read per token")
                                .arg(r.ceilingTokS, 0, 'f', 1)
                                .arg(r.bandwidthGBs, 0, 'f', 1)
                                .arg(r.bytesPerToken / 1e6, 0, 'f', 1));
        m_table->setItem(row, ColCeiling, ceiling);
        m_table->setItem(row, ColMemory, numberItem(QStringLiteral("%1%2 MiB").arg(r.peakExact ? "" : "≤ ").arg(mib(r.peakMemoryBytes), 0, 'f', 1),
                                                    double(r.peakMemoryBytes)));
        m_table->setItem(row, ColFile, numberItem(QStringLiteral("%1 MiB").arg(mib(r.fileBytes), 0, 'f', 1), double(r.fileBytes)));
    }
    refreshChart();
}

int BenchmarkView::historyRows() const { return m_table->rowCount(); }

std::vector<StoredBenchmark> BenchmarkView::chartedEntries() const
{
    std::vector<StoredBenchmark> out;
    std::set<int> rows;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows()) rows.insert(index.row());
    if (!rows.empty()) {
        for (int row : rows) out.push_back(m_history[m_table->item(row, ColWhen)->data(Qt::UserRole).toULongLong()]);
        std::reverse(out.begin(), out.end());  // oldest first, as run
        return out;
    }
    // The newest of each model at the chosen device and threads (else at any).
    const Settings s = settings();
    const std::string device = deviceKey(s).toStdString();
    for (bool strict : {true, false}) {
        std::set<std::string> seen;
        for (auto it = m_history.rbegin(); it != m_history.rend(); ++it) {
            const bool match = it->result.device == device && (s.device == Device::Cuda || it->result.threads == s.threads);
            if (strict && !match) continue;
            if (seen.insert(it->role == BenchRole::Original ? std::string("\x01original") : it->label).second)
                out.push_back(*it);
        }
        if (!out.empty()) break;
    }
    std::reverse(out.begin(), out.end());
    std::stable_partition(out.begin(), out.end(), [](const StoredBenchmark& b) { return b.role == BenchRole::Original; });
    return out;
}

void BenchmarkView::refreshChart() { m_chart->setEntries(chartedEntries()); }

void BenchmarkView::setRunning(bool running)
{
    m_run->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_add->setEnabled(!running);
    if (!running) m_progress->setValue(0);
}

void BenchmarkView::setProgress(double fraction, const QString& stage)
{
    m_progress->setValue(int(std::clamp(fraction, 0.0, 1.0) * 1000));
    m_status->setText(stage);
}

void BenchmarkView::setStatus(const QString& text) { m_status->setText(text); }

QString BenchmarkView::statusText() const { return m_status->text(); }

} // namespace precis::views
