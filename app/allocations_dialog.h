// Analyze ▸ Saved Allocations: the allocations saved in the current session,
// side by side (core compareAllocations: budget, size, bits per weight,
// predicted Δppl and KL, units differing from the first), and what can be done
// with one: load it back into the Budget tab, compress it (the Compress tab
// with that allocation as its plan), export its recipe or the llama-quantize
// arguments that write the same types (the export dialog), or delete it.
#pragma once

#include <QDialog>

class QPushButton;
class QTableWidget;

namespace precis::app {

class JobRunner;
class StudioDocument;

class AllocationsDialog : public QDialog {
    Q_OBJECT
public:
    AllocationsDialog(StudioDocument* document, JobRunner* runner, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    // Re-reads the session's allocations.
    void reload();
    // The selected allocation's row (-1: none).
    int selectedRow() const;
    void exportSelected();

signals:
    void loadRequested(qint64 allocationId);
    void compressRequested(const QString& name);

private:
    void updateButtons();

    StudioDocument* m_doc;
    JobRunner* m_runner;
    std::vector<qint64> m_ids;
    std::vector<QString> m_names;
    QTableWidget* m_table = nullptr;
    QPushButton* m_load = nullptr;
    QPushButton* m_compress = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_delete = nullptr;
};

} // namespace precis::app
