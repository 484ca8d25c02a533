#include "session_compare_dialog.h"

#include "job_runner.h"
#include "session_compare_plot.h"

#include "session/session_store.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <map>

namespace precis::app {

SessionCompareDialog::SessionCompareDialog(JobRunner* runner, const QString& databasePath, qint64 a, qint64 b,
                                           QWidget* parent)
    : QDialog(parent), m_runner(runner), m_dbPath(databasePath), m_cancel(std::make_shared<CancelToken>())
{
    setObjectName(QStringLiteral("SessionCompareDialog"));
    setWindowTitle(tr("Compare Sessions"));
    m_title = new QLabel(tr("Comparing sessions…"), this);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0);
    m_progress->setMaximumWidth(220);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("SessionCompareStatus"));
    m_status->setWordWrap(true);
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("SessionCompareCancel"));
    connect(m_cancelButton, &QPushButton::clicked, this, &SessionCompareDialog::cancel);
    auto* statusRow = new QHBoxLayout;
    statusRow->addWidget(m_progress);
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_cancelButton);

    m_sizeAxis = new QComboBox(this);
    m_sizeAxis->addItem(tr("size in MB"));
    m_sizeAxis->addItem(tr("bits per weight"));
    m_sizeAxis->setToolTip(tr("The plot's size axis: bits per weight compares models of different sizes"));
    auto* axisRow = new QHBoxLayout;
    axisRow->addWidget(new QLabel(tr("Size axis:"), this));
    axisRow->addWidget(m_sizeAxis);
    axisRow->addStretch(1);

    m_plot = new views::SessionComparePlot(this);
    connect(m_sizeAxis, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_plot->setSizeAxis(i == 1 ? views::SessionComparePlot::SizeAxis::BitsPerWeight
                                   : views::SessionComparePlot::SizeAxis::Megabytes);
    });
    m_table = new QTableWidget(0, 3, this);
    m_table->setObjectName(QStringLiteral("SessionDifferencesTable"));
    m_table->setHorizontalHeaderLabels({tr("Field"), tr("A"), tr("B")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    // A and B share the width; long values (paths, hashes) are elided, their tooltips whole.
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setWordWrap(false);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_plot);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(statusRow);
    layout->addLayout(axisRow);
    layout->addWidget(splitter, 1);
    layout->addWidget(buttons);
    resize(1000, 760);

    connect(m_runner, &JobRunner::progressChanged, this, [this](double fraction, const QString& stage) {
        if (!m_busy) return;
        if (fraction < 0) {
            m_progress->setRange(0, 0);
        } else {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(fraction * 1000));
        }
        m_status->setText(stage);
    });
    start(a, b);
}

SessionCompareDialog::~SessionCompareDialog() { m_cancel->cancel(); }

void SessionCompareDialog::cancel()
{
    m_cancel->cancel();
    if (m_busy) m_status->setText(tr("Cancelling…"));
}

void SessionCompareDialog::start(qint64 a, qint64 b)
{
    m_busy = true;
    m_cancelButton->setEnabled(true);
    m_status->setText(tr("Waiting for the job to start…"));
    const std::string db = m_dbPath.toStdString();
    auto mine = m_cancel;
    m_runner->run<std::shared_ptr<const SessionComparison>>(
        tr("Comparing sessions"),
        [db, a, b, mine](Progress& progress, const CancelToken& runner) -> Result<std::shared_ptr<const SessionComparison>> {
            // This dialog's token goes to the core; the runner's Cancel reaches it at each stage.
            Progress relay([&](double f, const std::string& stage) {
                if (runner.cancelled()) mine->cancel();
                progress.report(f, stage);
            });
            if (runner.cancelled() || mine->cancelled())
                return makeError(ErrorCode::Cancelled, "session comparison", "cancelled");
            // A connection of its own: a SessionStore is used from one thread at a time.
            PRECIS_TRY_ASSIGN(auto store, SessionStore::open(db));
            PRECIS_TRY_ASSIGN(auto c, compareSessions(store, a, b, mine.get(), &relay));
            return std::shared_ptr<const SessionComparison>(std::make_shared<SessionComparison>(std::move(c)));
        },
        [self = QPointer<SessionCompareDialog>(this)](Result<std::shared_ptr<const SessionComparison>> r) {
            if (!self) return;
            self->m_busy = false;
            self->m_progress->hide();
            self->m_cancelButton->setEnabled(false);
            if (!r) {
                self->fail(r.error().code == ErrorCode::Cancelled ? tr("Comparison cancelled.")
                                                                  : QString::fromStdString(r.error().toString()));
                return;
            }
            self->present(std::move(r).value());
        });
}

void SessionCompareDialog::fail(const QString& message)
{
    m_title->setText(tr("No comparison"));
    m_status->setText(message);
    m_status->setStyleSheet(QStringLiteral("color: #b00020"));
    emit finished(false);
}

QString SessionCompareDialog::fieldLabel(const SessionDifference& d)
{
    static const std::map<std::string, const char*> labels = {
        {"session", QT_TR_NOOP("Session")},
        {"model.path", QT_TR_NOOP("Model file")},
        {"model.sha256", QT_TR_NOOP("Model SHA-256")},
        {"model.architecture", QT_TR_NOOP("Architecture")},
        {"model.parameters", QT_TR_NOOP("Parameters")},
        {"model.file_bytes", QT_TR_NOOP("Model file size")},
        {"model.check", QT_TR_NOOP("Model file on this machine")},
        {"runs.count", QT_TR_NOOP("Calibration runs")},
        {"run.text", QT_TR_NOOP("Calibration text")},
        {"run.shape", QT_TR_NOOP("Sequences × tokens")},
        {"run.seed", QT_TR_NOOP("Seed")},
        {"run.options", QT_TR_NOOP("Options")},
        {"run.probes", QT_TR_NOOP("Probe options")},
        {"run.measured", QT_TR_NOOP("Measured per unit")},
        {"run.head_ablation", QT_TR_NOOP("Head ablation")},
        {"run.tokens", QT_TR_NOOP("Calibration tokens")},
        {"run.baseline_loss", QT_TR_NOOP("Baseline loss (nats/token)")},
        {"budget.state", QT_TR_NOOP("Budget state")},
        {"budget.kind", QT_TR_NOOP("Budget kind")},
        {"budget.value", QT_TR_NOOP("Budget value")},
        {"budget.granularity", QT_TR_NOOP("Granularity")},
        {"budget.metric", QT_TR_NOOP("Damage metric")},
        {"budget.option_set", QT_TR_NOOP("Option set")},
        {"budget.pins", QT_TR_NOOP("Pinned units")},
        {"budget.damage_scale", QT_TR_NOOP("Damage scale")},
        {"count.allocations", QT_TR_NOOP("Saved allocations")},
        {"count.compressions", QT_TR_NOOP("Compressions")},
        {"count.benchmarks", QT_TR_NOOP("Benchmarks")},
        {"frontier", QT_TR_NOOP("Predicted frontier")},
        {"best.lowest", QT_TR_NOOP("Lowest measured Δppl")},
        {"bench.decode", QT_TR_NOOP("Decode tok/s of the original (latest benchmark)")},
    };
    if (d.key == "best.at_size") return tr("Best measured Δppl at ≤ %1").arg(QString::fromStdString(d.param));
    const auto it = labels.find(d.key);
    return it != labels.end() ? tr(it->second) : QString::fromStdString(d.field);
}

void SessionCompareDialog::present(std::shared_ptr<const SessionComparison> c)
{
    m_comparison = c;
    const QString a = QString::fromStdString(c->a.summary.info.name);
    const QString b = QString::fromStdString(c->b.summary.info.name);
    m_title->setText(tr("A: '%1'   B: '%2'").arg(a, b));
    int differing = 0;
    for (const SessionDifference& d : c->differences) differing += d.differs() ? 1 : 0;
    m_status->setText(tr("%n field(s) differ.", nullptr, differing));
    m_plot->setComparison(*c);

    m_table->setHorizontalHeaderLabels({tr("Field"), tr("A: %1").arg(a), tr("B: %1").arg(b)});
    m_table->setRowCount(int(c->differences.size()));
    for (int r = 0; r < int(c->differences.size()); ++r) {
        const SessionDifference& d = c->differences[size_t(r)];
        const QStringList cells = {fieldLabel(d), QString::fromStdString(d.a), QString::fromStdString(d.b)};
        for (int col = 0; col < 3; ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            item->setToolTip(cells[col]);
            item->setData(Qt::UserRole, QString::fromStdString(d.key));
            if (d.differs()) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
                item->setBackground(QColor(255, 243, 205));
            }
            m_table->setItem(r, col, item);
        }
        if (d.key.rfind("run.", 0) == 0)
            m_table->item(r, 0)->setToolTip(tr("Of the latest finished calibration run"));
    }
    m_table->resizeColumnToContents(0);
    emit finished(true);
}

} // namespace precis::app
