// The user's first minute (DESIGN.md §9), driven through the real window on the
// bundled sample model with the settings every dialog and tab starts with:
// open → Analyze ▸ Calibrate (defaults) → the first heatmap cells → drag the
// budget slider → Compress & Measure (the budget's allocation) → the measured
// result beside the original → Benchmark → Export GGUF → reopen the session in
// a new window and find everything. Each step is checked against what the core
// computes, photographed (PRECIS_FIRST_MINUTE_SHOTS, default
// <build>/test-scratch/first-minute/) and timed; the times are printed (figures,
// not assertions: speed is measured by benchmarks).
#include "test_support.h"

#include "benchmark_controller.h"
#include "benchmark_view.h"
#include "budget_document.h"
#include "budget_view.h"
#include "calibration_dialog.h"
#include "compress_controller.h"
#include "compress_view.h"
#include "export_dialog.h"
#include "main_window.h"
#include "model_tree_view.h"
#include "sensitivity_view.h"
#include "studio_document.h"
#include "window_support.h"

#include "formats/model_loader.h"
#include "model/model.h"
#include "sensitivity/report.h"
#include "session/session_allocations.h"
#include "session/session_benchmarks.h"
#include "session/session_compressions.h"
#include "session/session_store.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QtTest/QtTest>

#include <algorithm>

using namespace precis;
using namespace precis::app;
using precis::test::kWaitMs;

namespace {

const QString kSample = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/model.gguf");

struct Step {
    QString name;
    double seconds = 0;
};

} // namespace

class TestGuiFirstMinute : public QObject {
    Q_OBJECT
    QString m_dir, m_shots;
    std::vector<Step> m_steps;
    QElapsedTimer m_clock;
    double m_last = 0;

    // Records the time since the previous step and saves a picture of the window.
    void step(QWidget& window, const QString& name)
    {
        QCoreApplication::processEvents();
        const double now = double(m_clock.nsecsElapsed()) / 1e9;
        m_steps.push_back({name, now - m_last});
        m_last = now;
        const QString file = QDir(m_shots).filePath(QStringLiteral("%1-%2.png").arg(m_steps.size(), 2, 10, QLatin1Char('0')).arg(name));
        QVERIFY2(window.grab().save(file), qPrintable(file));
        m_last = double(m_clock.nsecsElapsed()) / 1e9;  // the picture is not the user's time
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("PrecisTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_first_minute"));
        m_dir = QString::fromStdString(test::scratchDir("first-minute"));
        m_shots = qEnvironmentVariable("PRECIS_FIRST_MINUTE_SHOTS", m_dir);
        QDir().mkpath(m_shots);
    }

    void firstMinute()
    {
        const QString db = m_dir + "/sessions.sqlite";
        int64_t sessionId = 0;
        BudgetSpec budgetLeft;
        Assignment assignmentLeft;
        QString exported = m_dir + "/first.gguf";
        m_clock.start();
        double firstCells = -1;
        {
            MainWindow w;
            w.document()->setDatabasePath(db);
            w.resize(1400, 900);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));

            // 1. The studio opens on the sample model.
            QVERIFY(test::openAndWait(w, kSample));
            QVERIFY(w.modelTree()->isVisible());
            step(w, QStringLiteral("open"));

            // 2. Analyze ▸ Calibrate with the dialog's defaults.
            w.calibrateAction()->trigger();
            auto* dialog = w.findChild<CalibrationDialog*>();
            QVERIFY(dialog);
            const CalibrationRequest defaults;
            QCOMPARE(dialog->request().sequences, defaults.sequences);
            QSignalSpy partial(w.document(), &StudioDocument::sensitivityPartial);
            QElapsedTimer sinceClick;
            sinceClick.start();
            QTest::mouseClick(dialog->calibrateButton(), Qt::LeftButton);
            QVERIFY(w.document()->isCalibrating());
            // The first heatmap cells: the Sensitivity tab draws a partial report's values.
            views::SensitivityView* sens = w.sensitivityView();
            QTRY_VERIFY_WITH_TIMEOUT(partial.count() > 0 && sens->kindMapLayers() > 0 && !sens->redrawPending(), kWaitMs);
            firstCells = double(sinceClick.nsecsElapsed()) / 1e9;
            QCOMPARE(w.tabs()->currentWidget(), sens);
            QVERIFY(std::isfinite(sens->kindValue(0, 0)) || std::isfinite(sens->kindValue(1, 0)));
            step(w, QStringLiteral("first-heatmap-cells"));
            QTRY_VERIFY_WITH_TIMEOUT(!w.document()->isCalibrating(), 10 * kWaitMs);
            QVERIFY(w.document()->sensitivityReport() && w.document()->sensitivityReport()->complete);
            sessionId = w.document()->sessionId();
            QVERIFY(sessionId > 0);
            sens->refreshNow();
            step(w, QStringLiteral("calibrated"));

            // 3. The Budget tab: drag the slider; every step is the frontier's answer.
            views::BudgetView* budget = w.budgetView();
            BudgetDocument* doc = w.document()->budget();
            w.tabs()->setCurrentWidget(budget);
            QVERIFY(budget->hasTable() && budget->hasAllocation());
            std::vector<double> response;
            budget->slider()->setFocus();
            const int start = budget->slider()->value();
            for (int i = 0; i < 40; ++i) {
                QTest::keyClick(budget->slider(), i < 20 ? Qt::Key_Left : Qt::Key_Right);
                QCoreApplication::processEvents();
                response.push_back(budget->lastTiming().responseMs);
                QVERIFY(doc->hasAllocation());
                QCOMPARE(doc->spec().value, budget->budgetBox()->value());
                QVERIFY(doc->allocation().damage <= damageBudgetForPerplexityIncrease(doc->spec().value) ||
                        !doc->allocation().feasible);
            }
            QCOMPARE(budget->slider()->value(), start);
            std::sort(response.begin(), response.end());
            qInfo("slider step → end of redraw: median %.2f ms, max %.2f ms", response[response.size() / 2],
                  response.back());
            // The plan shown is one a GGUF file stores: the default options are the GGUF types.
            QCOMPARE(doc->nativeUnits(), 0);
            QVERIFY(!budget->nativeBox()->isChecked());
            step(w, QStringLiteral("budget"));

            // 4. Compress & Measure the budget's allocation with the tab's defaults.
            w.tabs()->setCurrentWidget(w.compressView());
            views::CompressView* cv = w.compressView();
            QVERIFY(cv->allocationRadio()->isEnabled());
            cv->allocationRadio()->setChecked(true);
            QVERIFY(!cv->evalEdit()->text().isEmpty());  // eval.txt beside the sample
            QSignalSpy compressed(w.compressController(), &CompressController::runFinished);
            w.findChild<QAction*>(QStringLiteral("CompressAction"))->trigger();
            QVERIFY(compressed.wait(10 * kWaitMs));
            QVERIFY(compressed.first().first().toBool());
            // 5. The measured result beside the original.
            const CompressController::Entry& e = w.compressController()->entries().back();
            QVERIFY(e.row.measured && e.row.inMemory);
            QCOMPARE(e.row.bytes, doc->allocation().bytes);
            QVERIFY(e.row.comparison.pplOriginal > 1 && e.row.comparison.pplCompressed > 1);
            QCOMPARE(cv->resultsTable()->rowCount(), 1);
            QVERIFY(cv->sizePlot()->methodGraphs().size() == 1);
            step(w, QStringLiteral("compressed"));

            // 6. Benchmark the original and the compressed model with the dock's defaults.
            w.findChild<QAction*>(QStringLiteral("BenchmarkAction"))->trigger();
            QVERIFY(w.benchmarkDock()->isVisible());
            QSignalSpy benched(w.benchmarkController(), &BenchmarkController::runFinished);
            w.benchmarkView()->runButton()->click();
            QVERIFY(w.benchmarkController()->isRunning());
            QVERIFY(benched.wait(10 * kWaitMs));
            QVERIFY(benched.first().first().toBool());
            QCOMPARE(w.benchmarkController()->history().size(), size_t(2));
            for (const StoredBenchmark& b : w.benchmarkController()->history()) QVERIFY(b.result.decodeTokS.median > 0);
            step(w, QStringLiteral("benchmark"));

            // 7. Export the compressed model as GGUF.
            ExportDialog* ex = w.compressController()->exportResult(0);
            QVERIFY(ex);
            ex->setFormat(ExportDialog::Format::Gguf);
            ex->setPath(exported);
            QSignalSpy written(ex, &ExportDialog::exportFinished);
            ex->exportNow();
            QVERIFY(written.wait(kWaitMs) || written.count() > 0);
            QVERIFY2(written.first().first().toBool(), qPrintable(written.first().at(1).toString()));
            step(*ex, QStringLiteral("export"));
            ex->close();
            auto file = loadModel(exported.toStdString());
            QVERIFY2(file.ok(), file.ok() ? "" : file.error().toString().c_str());
            for (const TensorAssignment& a : e.plan.tensors)
                QCOMPARE(std::string(dtypeName((*file)->find(a.tensor)->dtype)), a.scheme);

            budgetLeft = doc->spec();
            assignmentLeft = doc->assignment();
        }
        const double total = double(m_clock.nsecsElapsed()) / 1e9;

        // 8. A new window reopens the session: report, budget, result and benchmarks come back.
        MainWindow w;
        w.document()->setDatabasePath(db);
        w.resize(1400, 900);
        w.show();
        QSignalSpy report(w.document(), &StudioDocument::sensitivityChanged);
        QSignalSpy errors(w.document(), &StudioDocument::errorOccurred);
        QVERIFY(w.document()->openSession(sessionId));
        QTRY_VERIFY_WITH_TIMEOUT(report.count() > 0 && w.document()->sensitivityReport(), kWaitMs);
        QCOMPARE(errors.count(), 0);
        QVERIFY(w.document()->budget()->spec() == budgetLeft);
        QVERIFY(w.document()->budget()->assignment() == assignmentLeft);
        QCOMPARE(w.compressController()->entries().size(), size_t(1));
        QVERIFY(w.compressController()->entries().front().row.measured);
        w.findChild<QAction*>(QStringLiteral("BenchmarkAction"))->trigger();
        QCOMPARE(w.benchmarkController()->history().size(), size_t(2));
        w.tabs()->setCurrentWidget(w.compressView());
        step(w, QStringLiteral("reopened"));

        qInfo("first minute on the sample model (%s):", qPrintable(m_shots));
        for (const Step& s : m_steps) qInfo("  %-20s %6.1f s", qPrintable(s.name), s.seconds);
        qInfo("  first heatmap cells %.2f s after Calibrate; open → export %.1f s", firstCells, total);
    }
};

QTEST_MAIN(TestGuiFirstMinute)
#include "tst_gui_first_minute.moc"
