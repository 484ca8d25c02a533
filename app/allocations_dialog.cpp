#include "allocations_dialog.h"

#include "core_messages.h"
#include "export_dialog.h"
#include "studio_document.h"

#include "model/model.h"
#include "session/session_allocations.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace precis::app {

AllocationsDialog::AllocationsDialog(StudioDocument* document, JobRunner* runner, QWidget* parent)
    : QDialog(parent), m_doc(document), m_runner(runner)
{
    setObjectName(QStringLiteral("AllocationsDialog"));
    setWindowTitle(tr("Allocations of session '%1'").arg(m_doc->sessionName()));
    m_table = new QTableWidget(0, 8, this);
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Budget"), tr("Size"), tr("Bits/weight"), tr("Predicted Δppl %"),
                                        tr("Predicted KL"), tr("Units"), tr("Differing from the first")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &AllocationsDialog::updateButtons);

    m_load = new QPushButton(tr("Load into Budget Tab"), this);
    m_load->setObjectName(QStringLiteral("AllocationLoadButton"));
    m_load->setToolTip(tr("Its budget, unit granularity, metric, options and pins replace the Budget tab's settings"));
    m_compress = new QPushButton(tr("Compress…"), this);
    m_compress->setObjectName(QStringLiteral("AllocationCompressButton"));
    m_compress->setToolTip(tr("The Compress tab with this allocation, exactly as saved, as its plan"));
    m_export = new QPushButton(tr("Export Recipe…"), this);
    m_export->setObjectName(QStringLiteral("AllocationExportButton"));
    m_export->setToolTip(tr("Its recipe JSON, and the llama-quantize arguments that write the same types"));
    m_delete = new QPushButton(tr("Delete"), this);
    m_delete->setObjectName(QStringLiteral("AllocationDeleteButton"));
    connect(m_load, &QPushButton::clicked, this, [this] {
        const int row = selectedRow();
        if (row >= 0) emit loadRequested(m_ids[size_t(row)]);
    });
    connect(m_compress, &QPushButton::clicked, this, [this] {
        const int row = selectedRow();
        if (row < 0) return;
        emit compressRequested(m_names[size_t(row)]);
        accept();
    });
    connect(m_export, &QPushButton::clicked, this, &AllocationsDialog::exportSelected);
    connect(m_delete, &QPushButton::clicked, this, [this] {
        const int row = selectedRow();
        if (row < 0) return;
        if (QMessageBox::question(this, tr("Delete allocation"),
                                  tr("Delete the allocation '%1' from the session? Compressions made from it keep "
                                     "their results.")
                                      .arg(m_names[size_t(row)])) != QMessageBox::Yes)
            return;
        if (m_doc->deleteAllocation(m_ids[size_t(row)])) reload();
    });

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    for (QPushButton* b : {m_load, m_compress, m_export, m_delete}) buttons->addButton(b, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_table);
    layout->addWidget(buttons);
    resize(900, 340);
    reload();
}

void AllocationsDialog::reload()
{
    const std::vector<SavedAllocation> saved = m_doc->allocations();
    const std::vector<AllocationSummaryRow> rows = compareAllocations(saved);
    m_ids.clear();
    m_names.clear();
    m_table->setRowCount(int(rows.size()));
    for (size_t i = 0; i < rows.size(); ++i) {
        const AllocationSummaryRow& r = rows[i];
        m_ids.push_back(saved[i].id);
        m_names.push_back(QString::fromStdString(r.name));
        const QStringList cells = {QString::fromStdString(r.name),
                                   QString::fromStdString(r.budget),
                                   QLocale().formattedDataSize(r.totals.bytes),
                                   QString::number(r.totals.bitsPerWeight, 'f', 3),
                                   QString::number(r.totals.predictedPplIncreasePercent, 'f', 3),
                                   r.totals.hasKl() ? QString::number(r.totals.predictedKl, 'e', 2) : tr("—"),
                                   QString::number(r.units),
                                   QStringLiteral("%1 / %2").arg(r.differingFromFirst).arg(r.units)};
        for (int c = 0; c < int(cells.size()); ++c) m_table->setItem(int(i), c, new QTableWidgetItem(cells[c]));
    }
    m_table->resizeColumnsToContents();
    if (!rows.empty()) m_table->selectRow(int(rows.size()) - 1);
    updateButtons();
}

int AllocationsDialog::selectedRow() const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().row();
}

void AllocationsDialog::updateButtons()
{
    const bool any = selectedRow() >= 0;
    for (QPushButton* b : {m_load, m_compress, m_export, m_delete}) b->setEnabled(any);
}

void AllocationsDialog::exportSelected()
{
    const int row = selectedRow();
    if (row < 0 || !m_doc->model()) return;
    for (const SavedAllocation& a : m_doc->allocations()) {
        if (a.id != m_ids[size_t(row)]) continue;
        auto plan = planFromAssignment(*m_doc->model(), a.budget.granularity, a.assignment);
        if (!plan) {
            QMessageBox::warning(this, tr("Export"), coreErrorText(plan.error()));
            return;
        }
        auto* dialog = new ExportDialog(m_runner, nullptr, std::move(plan).value(), QString::fromStdString(a.name),
                                        m_doc->modelPath(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
        return;
    }
}

} // namespace precis::app
