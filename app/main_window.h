// The studio window: menus, docks, the central tabs and the job status bar.
// It only wires things together: StudioDocument owns the model and starts jobs,
// the views in views/ render. Layout and recent models persist in QSettings.
#pragma once

#include <QMainWindow>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QToolBar;

namespace precis::views {
class AttentionView;
class BenchmarkView;
class BudgetView;
class CompressView;
class ModelTreeView;
class SensitivityView;
}

namespace precis::app {

class BenchmarkController;
class CompressController;
class JobRunner;
struct CalibrationRequest;
class StudioDocument;
class TrainDialog;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    static constexpr int kMaxRecentModels = 10;

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Starts loading a model file or folder (asynchronous; see StudioDocument::open).
    void openModel(const QString& path);

    StudioDocument* document() const { return m_doc; }
    JobRunner* jobRunner() const { return m_runner; }
    views::ModelTreeView* modelTree() const { return m_tree; }
    views::AttentionView* attentionView() const { return m_attention; }
    QTabWidget* tabs() const { return m_tabs; }
    views::SensitivityView* sensitivityView() const { return m_sensitivity; }
    QAction* calibrateAction() const { return m_calibrate; }
    views::BudgetView* budgetView() const { return m_budget; }
    views::CompressView* compressView() const { return m_compress; }
    CompressController* compressController() const { return m_compressController; }
    views::BenchmarkView* benchmarkView() const { return m_benchmark; }
    BenchmarkController* benchmarkController() const { return m_benchmarkController; }
    QDockWidget* benchmarkDock() const { return m_benchmarkDock; }

    // What Analyze ▸ Calibrate… does once its dialog is accepted: shows the
    // Sensitivity tab and starts the run (StudioDocument::calibrate).
    void startCalibration(const CalibrationRequest& request);

    // Most recent first, at most kMaxRecentModels.
    static QStringList recentModels();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createMenus();
    void createStatusBar();
    void connectDocument();
    void onModelChanged();
    void showError(const QString& message);
    void openFileDialog();
    void openFolderDialog();
    void addRecentModel(const QString& path);
    void rebuildRecentMenu();
    void showTrainDialog();
    void createAnalyzeMenu(QToolBar* toolbar);
    void createCompressMenu(QToolBar* toolbar);
    void showCalibrationDialog();
    void updateAnalyzeActions();
    void updateTitle();
    void newSessionDialog();
    void openSessionDialog();
    void rebuildSessionMenu();
    void showAllocationsDialog();
    // A session's model file is missing: offers to locate it.
    void locateSessionModel(qint64 sessionId, const QString& path);
    // Budget tab ▸ Calibrate to Measurements: fits the closed loop's factor to
    // the session's measured compressions and re-solves.
    void calibratePredictor();

    JobRunner* m_runner = nullptr;
    StudioDocument* m_doc = nullptr;
    views::ModelTreeView* m_tree = nullptr;
    views::AttentionView* m_attention = nullptr;
    QDockWidget* m_modelDock = nullptr;
    QStackedWidget* m_central = nullptr;
    QTabWidget* m_tabs = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_jobLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    TrainDialog* m_trainDialog = nullptr;  // created on first use, kept (a run may go on hidden)
    views::SensitivityView* m_sensitivity = nullptr;
    views::BudgetView* m_budget = nullptr;
    views::CompressView* m_compress = nullptr;
    CompressController* m_compressController = nullptr;
    QDockWidget* m_benchmarkDock = nullptr;
    views::BenchmarkView* m_benchmark = nullptr;
    BenchmarkController* m_benchmarkController = nullptr;
    QMenu* m_sessionMenu = nullptr;
    QAction* m_calibrate = nullptr;
    std::shared_ptr<CalibrationRequest> m_lastCalibration;  // prefills the next dialog
};

} // namespace precis::app
