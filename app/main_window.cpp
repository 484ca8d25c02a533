#include "main_window.h"

#include "allocations_dialog.h"
#include "benchmark_controller.h"
#include "budget_binding.h"
#include "budget_document.h"
#include "calibration_dialog.h"
#include "compress_controller.h"
#include "core_messages.h"
#include "job_runner.h"
#include "language.h"
#include "sessions_dialog.h"
#include "studio_document.h"
#include "train_dialog.h"

#include "attention_view.h"
#include "benchmark_view.h"
#include "budget_view.h"
#include "compress_view.h"
#include "model_tree_view.h"
#include "sensitivity_view.h"

#include "allocation/closed_loop.h"
#include "model/model.h"
#include "sensitivity/report.h"
#include "session/session_store.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>

namespace precis::app {

namespace {
const char* const kRecentKey = "recentModels";
const char* const kLastDirKey = "lastDirectory";
const char* const kGeometryKey = "window/geometry";
const char* const kStateKey = "window/state";

// The first local file or folder among dropped URLs, or empty.
QString droppedPath(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls()) return {};
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile()) return url.toLocalFile();
    return {};
}
} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("Precis"));
    setAcceptDrops(true);

    m_runner = new JobRunner(this);
    m_doc = new StudioDocument(m_runner, this);

    m_tree = new views::ModelTreeView(this);
    m_modelDock = new QDockWidget(tr("Model"), this);
    m_modelDock->setObjectName(QStringLiteral("ModelDock"));
    m_modelDock->setWidget(m_tree);
    addDockWidget(Qt::LeftDockWidgetArea, m_modelDock);

    m_attention = new views::AttentionView(this);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_attention, tr("Attention"));
    // First in the tab order (DESIGN.md §9); shown when a calibration starts.
    m_sensitivity = new views::SensitivityView(this);
    m_tabs->insertTab(0, m_sensitivity, tr("Sensitivity"));
    // The accuracy budget: filled from a finished calibration (DESIGN.md §6, §9).
    m_budget = new views::BudgetView(this);
    m_budget->setPlaceholderText(tr("The budget needs a sensitivity report: run Analyze ▸ Calibrate…"));
    m_tabs->insertTab(1, m_budget, tr("Budget"));
    // Compress & measure: plans from the budget or uniform, results of the session (DESIGN.md §7–§9).
    m_compress = new views::CompressView(this);
    m_tabs->insertTab(2, m_compress, tr("Compress"));

    auto* hint = new QLabel(tr("Open a model (File ▸ Open) or drop one here"), this);
    hint->setAlignment(Qt::AlignCenter);
    hint->setWordWrap(true);
    QFont hintFont = hint->font();
    hintFont.setPointSizeF(hintFont.pointSizeF() * 1.4);
    hint->setFont(hintFont);
    hint->setEnabled(false);  // drawn in the palette's disabled (grey) text colour

    m_central = new QStackedWidget(this);
    m_central->addWidget(hint);
    m_central->addWidget(m_tabs);
    setCentralWidget(m_central);

    // Speed of the original and the compressed models on this machine (DESIGN.md §9); hidden until asked for.
    m_benchmark = new views::BenchmarkView(this);
    m_benchmarkDock = new QDockWidget(tr("Benchmark"), this);
    m_benchmarkDock->setObjectName(QStringLiteral("BenchmarkDock"));
    m_benchmarkDock->setWidget(m_benchmark);
    addDockWidget(Qt::RightDockWidgetArea, m_benchmarkDock);
    m_benchmarkDock->hide();

    createMenus();
    createStatusBar();
    connectDocument();
    bindBudgetView(m_doc->budget(), m_budget);
    m_compressController = new CompressController(m_doc, m_runner, m_compress, this);
    connect(m_compressController, &CompressController::errorOccurred, this, &MainWindow::showError);
    m_benchmarkController = new BenchmarkController(m_doc, m_runner, m_compressController, m_benchmark, this);
    connect(m_benchmarkController, &BenchmarkController::errorOccurred, this, &MainWindow::showError);
    connect(m_benchmark, &views::BenchmarkView::addFileRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Add a Model to Benchmark"), QString(),
                                                          tr("GGUF models (*.gguf);;All files (*)"));
        if (!path.isEmpty()) m_benchmarkController->addFile(path);
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_compress) m_compressController->refreshBudget();
    });

    resize(1280, 800);
    resizeDocks({m_modelDock}, {420}, Qt::Horizontal);
    QSettings settings;
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
}

MainWindow::~MainWindow()
{
    // Before the runner (an older child) waits for its jobs: the dialog's cancel reaches a
    // training run at once, the runner's only at the next step.
    delete m_trainDialog;
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* openFile = file->addAction(tr("&Open File…"), this, &MainWindow::openFileDialog);
    openFile->setShortcut(QKeySequence::Open);
    openFile->setToolTip(tr("Open a model file (GGUF, safetensors, llama2.c)"));
    QAction* openFolder = file->addAction(tr("Open &Folder…"), this, &MainWindow::openFolderDialog);
    openFolder->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    openFolder->setToolTip(tr("Open a Hugging Face model folder (config.json + safetensors)"));
    m_recentMenu = file->addMenu(tr("&Recent Models"));
    rebuildRecentMenu();
    file->addSeparator();
    QAction* newSession = file->addAction(tr("&New Session…"), this, &MainWindow::newSessionDialog);
    newSession->setObjectName(QStringLiteral("NewSessionAction"));
    newSession->setToolTip(tr("Start a new session for the open model; calibrations and allocations are stored in it"));
    QAction* openSession = file->addAction(tr("&Sessions…"), this, &MainWindow::openSessionDialog);
    openSession->setObjectName(QStringLiteral("OpenSessionAction"));
    openSession->setToolTip(tr("The sessions of this database: reopen, rename, delete, compare, export, import"));
    m_sessionMenu = file->addMenu(tr("Recent S&essions"));
    connect(m_sessionMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildSessionMenu);
    file->addSeparator();
    QAction* train = file->addAction(tr("&Train Micro Model…"), this, &MainWindow::showTrainDialog);
    train->setObjectName(QStringLiteral("TrainMicroModelAction"));
    train->setToolTip(tr("Train a small model from scratch on a text file"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_doc->budget()->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("UndoAction"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_doc->budget()->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("RedoAction"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->addAction(m_modelDock->toggleViewAction());
    m_viewMenu->addAction(m_benchmarkDock->toggleViewAction());

    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("MainToolBar"));
    toolbar->addAction(openFile);
    toolbar->addAction(openFolder);
    m_viewMenu->addAction(toolbar->toggleViewAction());
    m_viewMenu->addSeparator();
    addLanguageMenu(m_viewMenu, this);

    createAnalyzeMenu(toolbar);
    createCompressMenu(toolbar);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Precis"), this, [this] {
        QMessageBox::about(this, tr("About Precis"),
                           tr("<h3>Precis %1</h3><p>A studio for compressing transformer language models: "
                              "inspect a model, watch its attention and sensitivity, choose a mixed-precision "
                              "budget, compress, measure and export.</p>")
                               .arg(QApplication::applicationVersion()));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createStatusBar()
{
    m_jobLabel = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(false);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setToolTip(tr("Stop the running job"));
    m_cancel->setObjectName(QStringLiteral("CancelJobButton"));
    m_progress->setObjectName(QStringLiteral("JobProgressBar"));
    statusBar()->addPermanentWidget(m_jobLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    for (QWidget* w : {static_cast<QWidget*>(m_jobLabel), static_cast<QWidget*>(m_progress),
                       static_cast<QWidget*>(m_cancel)})
        w->setVisible(false);

    connect(m_cancel, &QPushButton::clicked, m_runner, &JobRunner::cancel);
    connect(m_runner, &JobRunner::busyChanged, this, [this](bool busy) {
        m_jobLabel->setVisible(busy);
        m_progress->setVisible(busy);
        m_cancel->setVisible(busy);
    });
    connect(m_runner, &JobRunner::progressChanged, this, [this](double fraction, const QString& stage) {
        m_jobLabel->setText(stage);
        if (fraction < 0) {
            m_progress->setRange(0, 0);  // unknown: busy indicator
        } else {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(fraction * 1000.0));
        }
    });
}

void MainWindow::connectDocument()
{
    connect(m_doc, &StudioDocument::modelChanged, this, &MainWindow::onModelChanged);
    connect(m_doc, &StudioDocument::errorOccurred, this, &MainWindow::showError);
    connect(m_doc, &StudioDocument::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 5000); });
    connect(m_attention, &views::AttentionView::computeRequested, m_doc, &StudioDocument::computeAttention);
    connect(m_doc, &StudioDocument::attentionBusyChanged, m_attention, &views::AttentionView::setBusy);
    connect(m_doc, &StudioDocument::attentionReady, this, [this](std::shared_ptr<const AttentionResult> r) {
        m_attention->setResult(r->maps, r->tokens, r->droppedTokens);
    });
    connect(m_doc, &StudioDocument::sensitivityPartial, m_sensitivity,
            qOverload<std::shared_ptr<const sensitivity::SensitivityReport>>(&views::SensitivityView::setReport));
    connect(m_doc, &StudioDocument::sensitivityChanged, this,
            [this] { m_sensitivity->setReport(m_doc->sensitivityReport()); });
    connect(m_doc, &StudioDocument::sessionChanged, this, &MainWindow::updateTitle);
    connect(m_doc, &StudioDocument::modelMissing, this, &MainWindow::locateSessionModel);
    connect(m_budget, &views::BudgetView::calibrateRequested, this, &MainWindow::calibratePredictor);
    connect(m_budget, &views::BudgetView::resetScaleRequested, this, [this] { m_doc->budget()->setDamageScale(1.0); });
    connect(m_budget, &views::BudgetView::saveRequested, m_doc, &StudioDocument::saveAllocation);
    connect(m_doc, &StudioDocument::calibratingChanged, this, [this](bool running) {
        if (!running) {  // finished, failed or cancelled: back to the document's report
            m_sensitivity->setPlaceholderText(tr("No sensitivity report yet: run Analyze ▸ Calibrate…"));
            m_sensitivity->setReport(m_doc->sensitivityReport());
        }
        updateAnalyzeActions();
    });
}

void MainWindow::openModel(const QString& path)
{
    statusBar()->showMessage(tr("Opening %1…").arg(QDir::toNativeSeparators(path)));
    m_doc->open(path);
}

void MainWindow::onModelChanged()
{
    const auto& model = m_doc->model();
    m_tree->setModel(model);
    m_attention->clear();
    if (m_doc->tokenizer())
        m_attention->setAvailable(true);
    else
        m_attention->setAvailable(false, tr("Attention needs the model's tokenizer: %1").arg(m_doc->tokenizerError()));
    updateTitle();
    updateAnalyzeActions();
    m_central->setCurrentWidget(m_tabs);
    addRecentModel(m_doc->modelPath());
    statusBar()->showMessage(tr("Opened %1: %2 parameters in %3 tensors")
                                 .arg(m_doc->modelName(), QLocale().toString(qlonglong(model->parameterCount())),
                                      QLocale().toString(qlonglong(model->tensors().size()))),
                             8000);
}

void MainWindow::showError(const QString& message)
{
    // Window-modal and non-blocking: the event loop (and any running job) carries on.
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Precis"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("ErrorMessageBox"));
    box->open();
    statusBar()->showMessage(message, 8000);
}

void MainWindow::openFileDialog()
{
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Model File"), settings.value(kLastDirKey).toString(),
        tr("Models (*.gguf *.safetensors *.bin);;All files (*)"));
    if (path.isEmpty()) return;
    settings.setValue(kLastDirKey, QFileInfo(path).absolutePath());
    openModel(path);
}

void MainWindow::openFolderDialog()
{
    QSettings settings;
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"),
                                                           settings.value(kLastDirKey).toString());
    if (path.isEmpty()) return;
    settings.setValue(kLastDirKey, QFileInfo(path).absolutePath());
    openModel(path);
}

QStringList MainWindow::recentModels()
{
    QStringList list = QSettings().value(kRecentKey).toStringList();
    while (list.size() > kMaxRecentModels) list.removeLast();
    return list;
}

void MainWindow::addRecentModel(const QString& path)
{
    QStringList list = recentModels();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecentModels) list.removeLast();
    QSettings().setValue(kRecentKey, list);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList list = recentModels();
    for (int i = 0; i < list.size(); ++i) {
        const QString& path = list[i];
        const QString text = QStringLiteral("&%1  %2").arg(QString::number((i + 1) % 10), QFileInfo(path).fileName());
        QAction* a = m_recentMenu->addAction(text, this, [this, path] { openModel(path); });
        a->setToolTip(path);
        a->setStatusTip(path);
    }
    if (list.isEmpty()) m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("Clear List"), this, [this] {
        QSettings().remove(kRecentKey);
        rebuildRecentMenu();
    })->setEnabled(!list.isEmpty());
}

void MainWindow::showTrainDialog()
{
    if (!m_trainDialog) {
        m_trainDialog = new TrainDialog(m_runner, this);
        // The trained GGUF opens as File ▸ Open would open it.
        connect(m_trainDialog, &TrainDialog::modelTrained, this, &MainWindow::openModel);
    }
    m_trainDialog->show();
    m_trainDialog->raise();
    m_trainDialog->activateWindow();
}

void MainWindow::createAnalyzeMenu(QToolBar* toolbar)
{
    QMenu* analyze = menuBar()->addMenu(tr("&Analyze"));
    m_calibrate = analyze->addAction(tr("&Calibrate…"), this, &MainWindow::showCalibrationDialog);
    m_calibrate->setObjectName(QStringLiteral("CalibrateAction"));
    m_calibrate->setShortcut(QKeySequence(tr("Ctrl+K")));
    m_calibrate->setToolTip(tr("Measure how sensitive each layer, head and 8×8 block of the model is"));
    toolbar->addAction(m_calibrate);
    QAction* compare = analyze->addAction(tr("Saved &Allocations…"), this, &MainWindow::showAllocationsDialog);
    compare->setObjectName(QStringLiteral("CompareAllocationsAction"));
    compare->setToolTip(tr("The allocations saved in this session, side by side: load one into the Budget tab, "
                           "compress it, export its recipe or llama-quantize arguments"));
    updateAnalyzeActions();
}

void MainWindow::createCompressMenu(QToolBar* toolbar)
{
    QMenu* menu = menuBar()->addMenu(tr("&Compress"));
    QAction* run = menu->addAction(tr("Compress && &Measure"), this, [this] {
        m_central->setCurrentWidget(m_tabs);
        m_tabs->setCurrentWidget(m_compress);
        m_compressController->run();
    });
    run->setObjectName(QStringLiteral("CompressAction"));
    run->setShortcut(QKeySequence(tr("Ctrl+M")));
    run->setToolTip(tr("Compress the model with the Compress tab's settings and measure it against the original"));
    toolbar->addAction(run);
    QAction* exportAction = menu->addAction(tr("&Export Selected Result…"), this, [this] {
        m_tabs->setCurrentWidget(m_compress);
        if (!m_compressController->exportResult(m_compress->selectedRow()))
            statusBar()->showMessage(tr("Select a result in the Compress tab first."), 5000);
    });
    exportAction->setObjectName(QStringLiteral("ExportResultAction"));
    menu->addSeparator();
    QAction* bench = menu->addAction(tr("&Benchmark…"), this, [this] {
        const bool wasHidden = m_benchmarkDock->isHidden();
        m_benchmarkDock->show();
        m_benchmarkDock->raise();
        if (wasHidden) resizeDocks({m_benchmarkDock}, {560}, Qt::Horizontal);
    });
    bench->setObjectName(QStringLiteral("BenchmarkAction"));
    bench->setShortcut(QKeySequence(tr("Ctrl+B")));
    bench->setToolTip(tr("Prefill and decode speed, memory and size of the original and the compressed models"));
    toolbar->addAction(bench);
}

void MainWindow::updateAnalyzeActions()
{
    if (m_calibrate) m_calibrate->setEnabled(m_doc->model() && !m_doc->isCalibrating());
}

void MainWindow::showCalibrationDialog()
{
    if (!m_doc->model() || m_doc->isCalibrating()) return;
    auto* dialog = new CalibrationDialog(m_doc->model()->config, m_doc->modelPath(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_lastCalibration) dialog->setRequest(*m_lastCalibration);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { startCalibration(dialog->request()); });
    dialog->open();
}

void MainWindow::startCalibration(const CalibrationRequest& request)
{
    m_lastCalibration = std::make_shared<CalibrationRequest>(request);
    m_sensitivity->setPlaceholderText(tr("Calibrating: the heatmaps fill in as the run goes (progress below)."));
    m_central->setCurrentWidget(m_tabs);
    m_tabs->setCurrentWidget(m_sensitivity);
    m_doc->calibrate(request);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    m_runner->cancel();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedPath(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QString path = droppedPath(event->mimeData());
    if (path.isEmpty()) return;
    event->acceptProposedAction();
    openModel(path);
}

void MainWindow::updateTitle()
{
    const QString model = m_doc->modelName();
    const QString session = m_doc->sessionName();
    if (model.isEmpty())
        setWindowTitle(tr("Precis"));
    else if (session.isEmpty())
        setWindowTitle(tr("Precis — %1").arg(model));
    else
        setWindowTitle(tr("Precis — %1 (%2)").arg(session, model));
}

void MainWindow::calibratePredictor()
{
    const std::vector<LoopSample> samples = m_doc->closedLoopSamples();
    auto fit = fitDamageScale(samples);
    if (!fit) {
        showError(tr("Cannot calibrate the predictor: %1").arg(translateCoreMessage(fit.error().message)));
        return;
    }
    QStringList lines;
    for (const LoopSample& s : samples)
        if (s.predictedDamage > 0 && s.measuredDamage > 0)
            lines << tr("%1: predicted %2, measured %3 nats/token (× %4)")
                         .arg(QString::fromStdString(s.name))
                         .arg(s.predictedDamage, 0, 'g', 3)
                         .arg(s.measuredDamage, 0, 'g', 3)
                         .arg(s.measuredDamage / s.predictedDamage, 0, 'f', 2);
    m_doc->budget()->setDamageScale(fit->scale, tr("Fitted to %n measured compression(s) of this session (spread × %1):",
                                                   nullptr, fit->samples)
                                                        .arg(fit->spread, 0, 'f', 2) +
                                                    QLatin1Char('\n') + lines.join(QLatin1Char('\n')));
    statusBar()->showMessage(tr("Predicted damage × %1 from %n measured compression(s); the budget is re-solved.", nullptr,
                                fit->samples)
                                 .arg(fit->scale, 0, 'f', 2),
                             8000);
}

void MainWindow::newSessionDialog()
{
    if (!m_doc->model()) {
        showError(tr("Open a model first: a session belongs to a model."));
        return;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("New Session"), tr("Session name:"), QLineEdit::Normal,
                                               QFileInfo(m_doc->modelPath()).completeBaseName(), &ok);
    if (ok && !name.trimmed().isEmpty()) m_doc->newSession(name.trimmed());
}

void MainWindow::openSessionDialog()
{
    auto* dialog = new SessionsDialog(m_doc, m_runner, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::locateSessionModel(qint64 sessionId, const QString& path)
{
    const auto answer = QMessageBox::question(
        this, tr("Model file missing"),
        tr("The session's model %1 is not there (a session from another machine, or a moved file). Locate the same "
           "file? Precis checks that its SHA-256 matches.")
            .arg(QDir::toNativeSeparators(path)));
    if (answer != QMessageBox::Yes) return;
    const QString file = QFileDialog::getOpenFileName(this, tr("Locate %1").arg(QFileInfo(path).fileName()),
                                                      QSettings().value(kLastDirKey).toString(),
                                                      tr("Models (*.gguf *.safetensors *.bin);;All files (*)"));
    if (file.isEmpty()) return;
    if (m_doc->relinkSessionModel(sessionId, file)) m_doc->openSession(sessionId);
}

void MainWindow::rebuildSessionMenu()
{
    m_sessionMenu->clear();
    const std::vector<SessionInfo> list = m_doc->sessions();
    for (size_t i = 0; i < list.size() && i < size_t(kMaxRecentModels); ++i) {
        const int64_t id = list[i].id;
        m_sessionMenu->addAction(QString::fromStdString(list[i].name), this, [this, id] { m_doc->openSession(id); });
    }
    if (list.empty()) m_sessionMenu->addAction(tr("(none)"))->setEnabled(false);
}

void MainWindow::showAllocationsDialog()
{
    if (m_doc->sessionId() == 0) {
        statusBar()->showMessage(tr("No session yet: allocations are saved in a session (Budget ▸ Save allocation…)."), 8000);
        return;
    }
    auto* dialog = new AllocationsDialog(m_doc, m_runner, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &AllocationsDialog::loadRequested, this, [this](qint64 id) {
        if (m_doc->loadAllocation(id)) m_tabs->setCurrentWidget(m_budget);
    });
    connect(dialog, &AllocationsDialog::compressRequested, this, [this](const QString& name) {
        m_central->setCurrentWidget(m_tabs);
        m_tabs->setCurrentWidget(m_compress);
        if (!m_compressController->chooseSavedAllocation(name))
            statusBar()->showMessage(tr("The allocation '%1' is no longer in the session.").arg(name), 8000);
    });
    dialog->open();
}

} // namespace precis::app
