#include "sessions_dialog.h"

#include "session_compare_dialog.h"
#include "studio_document.h"

#include "session/session_store.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace precis::app {

SessionsDialog::SessionsDialog(StudioDocument* document, JobRunner* runner, QWidget* parent)
    : QDialog(parent), m_doc(document), m_runner(runner)
{
    setObjectName(QStringLiteral("SessionsDialog"));
    setWindowTitle(tr("Sessions in %1").arg(m_doc->databasePath()));
    m_table = new QTableWidget(0, 7, this);
    m_table->setObjectName(QStringLiteral("SessionsTable"));
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Model"), tr("Calibrations"), tr("Allocations"),
                                        tr("Compressions"), tr("Benchmarks"), tr("Last used")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->hide();
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &SessionsDialog::updateButtons);
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this] { openSelected(); });

    m_open = new QPushButton(tr("Open"), this);
    m_rename = new QPushButton(tr("Rename…"), this);
    m_delete = new QPushButton(tr("Delete…"), this);
    m_export = new QPushButton(tr("Export…"), this);
    m_import = new QPushButton(tr("Import…"), this);
    m_compare = new QPushButton(tr("Compare"), this);
    m_compare->setToolTip(tr("Select two sessions: their frontiers and results on one plot, and what differs"));
    m_open->setObjectName(QStringLiteral("SessionOpenButton"));
    m_rename->setObjectName(QStringLiteral("SessionRenameButton"));
    m_delete->setObjectName(QStringLiteral("SessionDeleteButton"));
    m_export->setObjectName(QStringLiteral("SessionExportButton"));
    m_import->setObjectName(QStringLiteral("SessionImportButton"));
    m_compare->setObjectName(QStringLiteral("SessionCompareButton"));
    connect(m_open, &QPushButton::clicked, this, [this] { openSelected(); });
    connect(m_rename, &QPushButton::clicked, this, [this] {
        const auto ids = selectedIds();
        if (ids.size() != 1) return;
        const QString current = m_table->item(m_table->currentRow(), 0)->text();
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Rename Session"), tr("New name:"), QLineEdit::Normal,
                                                   current, &ok);
        if (ok && !name.trimmed().isEmpty()) renameSelected(name.trimmed());
    });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        const auto ids = selectedIds();
        if (ids.empty()) return;
        const auto answer = QMessageBox::question(
            this, tr("Delete Sessions"),
            tr("Delete %n session(s) with every calibration, allocation, compression and benchmark in them? Model "
               "files and exported files stay.", nullptr, int(ids.size())));
        if (answer == QMessageBox::Yes) deleteSelected();
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        const auto ids = selectedIds();
        if (ids.size() != 1) return;
        const QString name = m_table->item(m_table->currentRow(), 0)->text();
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Session"), name + QStringLiteral(".precis.sqlite"),
                                                          tr("Precis sessions (*.sqlite);;All files (*)"));
        if (!path.isEmpty()) exportSelected(path);
    });
    connect(m_import, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import Session"), QString(),
                                                          tr("Precis sessions (*.sqlite);;All files (*)"));
        if (!path.isEmpty()) importFile(path);
    });
    connect(m_compare, &QPushButton::clicked, this, &SessionsDialog::compareSelected);
    connect(this, &SessionsDialog::compareRequested, this, &SessionsDialog::showComparison);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    for (QPushButton* b : {m_open, m_rename, m_delete, m_export, m_import, m_compare})
        buttons->addButton(b, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_table);
    layout->addWidget(buttons);
    resize(960, 380);
    reload();
}

void SessionsDialog::reload()
{
    const std::vector<SessionInfo> list = m_doc->sessions();
    m_ids.clear();
    m_table->setRowCount(int(list.size()));
    for (size_t i = 0; i < list.size(); ++i) {
        const SessionInfo& s = list[i];
        m_ids.push_back(s.id);
        const QString model = QString::fromStdString(s.model.path);
        const QStringList cells = {QString::fromStdString(s.name),
                                   QFileInfo(model).fileName(),
                                   QString::number(s.runCount),
                                   QString::number(s.allocationCount),
                                   QString::number(s.compressionCount),
                                   QString::number(s.benchmarkCount),
                                   QString::fromStdString(s.updatedAt).left(16).replace(QLatin1Char('T'), QLatin1Char(' '))};
        for (int c = 0; c < int(cells.size()); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c == 1) item->setToolTip(model);
            if (s.id == m_doc->sessionId()) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
            m_table->setItem(int(i), c, item);
        }
    }
    m_table->resizeColumnsToContents();
    updateButtons();
}

std::vector<int64_t> SessionsDialog::selectedIds() const
{
    std::vector<int64_t> out;
    for (const QModelIndex& i : m_table->selectionModel()->selectedRows())
        if (i.row() < int(m_ids.size())) out.push_back(m_ids[size_t(i.row())]);
    return out;
}

void SessionsDialog::selectId(int64_t id)
{
    for (size_t i = 0; i < m_ids.size(); ++i)
        if (m_ids[i] == id) m_table->selectRow(int(i));
}

void SessionsDialog::updateButtons()
{
    const size_t n = selectedIds().size();
    m_open->setEnabled(n == 1);
    m_rename->setEnabled(n == 1);
    m_export->setEnabled(n == 1);
    m_delete->setEnabled(n >= 1);
    m_compare->setEnabled(n == 2);
}

bool SessionsDialog::openSelected()
{
    const auto ids = selectedIds();
    if (ids.size() != 1 || !m_doc->openSession(ids.front())) return false;
    accept();
    return true;
}

bool SessionsDialog::renameSelected(const QString& name)
{
    const auto ids = selectedIds();
    if (ids.size() != 1 || !m_doc->renameSession(ids.front(), name)) return false;
    reload();
    selectId(ids.front());
    return true;
}

bool SessionsDialog::deleteSelected()
{
    bool ok = true;
    for (int64_t id : selectedIds()) ok = m_doc->deleteSession(id) && ok;
    reload();
    return ok;
}

bool SessionsDialog::exportSelected(const QString& path)
{
    const auto ids = selectedIds();
    return ids.size() == 1 && m_doc->exportSession(ids.front(), path);
}

int64_t SessionsDialog::importFile(const QString& path)
{
    const int64_t id = m_doc->importSession(path);
    if (id) {
        reload();
        selectId(id);
    }
    return id;
}

void SessionsDialog::compareSelected()
{
    const auto ids = selectedIds();
    if (ids.size() == 2) emit compareRequested(ids[0], ids[1]);
}

SessionCompareDialog* SessionsDialog::showComparison(qint64 a, qint64 b)
{
    auto* dialog = new SessionCompareDialog(m_runner, m_doc->databasePath(), a, b, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

} // namespace precis::app
