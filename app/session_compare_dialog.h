// File ▸ Sessions… ▸ Compare: two sessions side by side. Core's
// compareSessions (session/session_compare.h) runs on the job thread (the
// app's JobRunner) on its own connection to the database; meanwhile the window
// shows its progress and a Cancel button, then both predicted frontiers and
// both sessions' measured compressions on one plot (views' SessionComparePlot)
// and the differences table (field, value in A, value in B; rows that differ
// in bold), or the error.
//
// Cancel (and closing the window) stops this comparison only; the main
// window's Cancel (JobRunner::cancel) stops it too, at its next stage. While it
// runs the window shows the runner's progress (the job's stages, or those of a
// job queued before it).
#pragma once

#include "session/session_compare.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace precis::views {
class SessionComparePlot;
}

namespace precis::app {

class JobRunner;

class SessionCompareDialog : public QDialog {
    Q_OBJECT
public:
    // Starts the comparison of sessions a and b of the database at `databasePath`.
    SessionCompareDialog(JobRunner* runner, const QString& databasePath, qint64 a, qint64 b, QWidget* parent = nullptr);
    ~SessionCompareDialog() override;

    bool isBusy() const { return m_busy; }
    // The finished comparison; nullptr while running or after an error.
    std::shared_ptr<const SessionComparison> comparison() const { return m_comparison; }
    // The translated label of a difference row.
    static QString fieldLabel(const SessionDifference& difference);

    views::SessionComparePlot* plot() const { return m_plot; }
    QTableWidget* table() const { return m_table; }
    QLabel* statusLabel() const { return m_status; }
    QPushButton* cancelButton() const { return m_cancelButton; }

public slots:
    void cancel();

signals:
    // The comparison ended: shown (ok) or failed/cancelled (the status label says which).
    void finished(bool ok);

private:
    void start(qint64 a, qint64 b);
    void present(std::shared_ptr<const SessionComparison> comparison);
    void fail(const QString& message);

    JobRunner* m_runner;
    QString m_dbPath;
    std::shared_ptr<CancelToken> m_cancel;
    bool m_busy = false;
    std::shared_ptr<const SessionComparison> m_comparison;

    QLabel* m_title = nullptr;
    QLabel* m_status = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QComboBox* m_sizeAxis = nullptr;
    views::SessionComparePlot* m_plot = nullptr;
    QTableWidget* m_table = nullptr;
};

} // namespace precis::app
