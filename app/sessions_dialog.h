// File ▸ Sessions: the sessions of the database, most recently used first,
// with what each holds; open one (its model, report, budget and results come
// back as they were left), rename, delete (after a confirmation), export one
// to its own database file, import one (a session made on another machine:
// precis-cli on a GPU server), and compare two side by side.
#pragma once

#include <QDialog>

#include <cstdint>
#include <vector>

class QPushButton;
class QTableWidget;

namespace precis::app {

class JobRunner;
class SessionCompareDialog;
class StudioDocument;

class SessionsDialog : public QDialog {
    Q_OBJECT
public:
    SessionsDialog(StudioDocument* document, JobRunner* runner, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    void reload();
    // Ids of the selected sessions, in table order.
    std::vector<int64_t> selectedIds() const;
    void selectId(int64_t id);
    // The actions behind the buttons (tests call them with the file or name a dialog would ask for).
    bool openSelected();
    bool renameSelected(const QString& name);
    bool deleteSelected();  // no confirmation here
    bool exportSelected(const QString& path);
    int64_t importFile(const QString& path);
    void compareSelected();

    // Opens the compare window on sessions a and b (what compareRequested does);
    // it is this dialog's child, so it closes with it.
    SessionCompareDialog* showComparison(qint64 a, qint64 b);

signals:
    // compareSelected() found two sessions to compare (connected to showComparison).
    void compareRequested(qint64 a, qint64 b);

private:
    void updateButtons();

    StudioDocument* m_doc;
    JobRunner* m_runner;
    std::vector<int64_t> m_ids;
    QTableWidget* m_table = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_rename = nullptr;
    QPushButton* m_delete = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_import = nullptr;
    QPushButton* m_compare = nullptr;
};

} // namespace precis::app
