// The Benchmark dock on the bundled sample model: the original alone without a
// session (shown, not stored), then with a session the original and a Q8_0
// compression kept in memory (written to a temporary GGUF, linked to its
// record), bars and ceilings equal to the results, the history read back by a
// new window, a bad setting, a missing file and Cancel. Runs are tiny: prompt
// 16, 8 generated tokens, 2 repetitions, 1 thread. PRECIS_BENCHMARK_SCREENSHOT=FILE
// makes the in-session run longer and saves the window there (the README's picture).
#include "test_support.h"

#include "benchmark_controller.h"
#include "benchmark_view.h"
#include "compress_controller.h"
#include "compress_view.h"
#include "main_window.h"
#include "window_support.h"
#include "studio_document.h"

#include "session/session_store.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTabWidget>

#include <algorithm>
#include <QtTest/QtTest>

#include <filesystem>

using namespace precis;
using namespace precis::app;
using precis::test::closeErrorBoxes;
using precis::test::kWaitMs;
using precis::test::openAndWait;

namespace {

const QString kSample = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/model.gguf");

void tiny(views::BenchmarkView* v)
{
    v->threadsSpin()->setValue(1);
    v->promptSpin()->setValue(16);
    v->genSpin()->setValue(8);
    v->repsSpin()->setValue(2);
}

} // namespace

class TestGuiBenchmark : public QObject {
    Q_OBJECT
    QString m_dir, m_db;
    std::unique_ptr<MainWindow> m_window;

    BenchmarkController* controller() const { return m_window->benchmarkController(); }
    views::BenchmarkView* view() const { return m_window->benchmarkView(); }

    bool runAndWait(bool expectOk = true)
    {
        QSignalSpy finished(controller(), &BenchmarkController::runFinished);
        QSignalSpy errors(controller(), &BenchmarkController::errorOccurred);
        view()->runButton()->click();
        if (!controller()->isRunning()) {
            qWarning("not running: %s", qPrintable(view()->statusText()));
            return false;
        }
        const bool done = finished.wait(kWaitMs) || finished.count() > 0;
        if (!done) qWarning("no runFinished within %d ms", kWaitMs);
        for (const auto& e : errors) qWarning("error: %s", qPrintable(e.first().toString()));
        return done && finished.first().first().toBool() == expectOk;
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("PrecisTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_benchmark"));
        m_dir = QString::fromStdString(test::scratchDir("gui_benchmark"));
        m_db = m_dir + "/sessions.sqlite";
        qputenv("PRECIS_SESSION_DB", m_db.toUtf8());
        m_window = std::make_unique<MainWindow>();
        m_window->resize(1400, 900);
        m_window->show();
        QVERIFY(m_window->benchmarkDock()->isHidden());
        QVERIFY(openAndWait(*m_window, kSample));
        QAction* action = m_window->findChild<QAction*>(QStringLiteral("BenchmarkAction"));
        QVERIFY(action);
        action->trigger();
        QVERIFY(m_window->benchmarkDock()->isVisible());
        // The CPU is always offered; a GPU only with the CUDA backend and a device.
        QVERIFY(view()->deviceCombo()->count() >= 1);
        QCOMPARE(view()->deviceCombo()->currentData().toInt(), -1);
        QCOMPARE(view()->modelCount(), 1);
        QVERIFY(view()->modelList()->item(0)->text().contains(QStringLiteral("model.gguf")));
    }

    void cleanupTestCase() { m_window.reset(); }

    // No session yet: the result is shown as "not saved".
    void originalWithoutSession()
    {
        QCOMPARE(m_window->document()->sessionId(), int64_t(0));
        tiny(view());
        QVERIFY(runAndWait());
        QCOMPARE(controller()->history().size(), size_t(1));
        const StoredBenchmark& b = controller()->history().front();
        QCOMPARE(b.role, BenchRole::Original);
        QCOMPARE(b.result.prompt, 16);
        QCOMPARE(b.result.gen, 8);
        QCOMPARE(b.result.threads, 1);
        QCOMPARE(b.result.fileBytes, uint64_t(std::filesystem::file_size(kSample.toStdString())));
        QVERIFY(b.result.decodeTokS.median > 0);
        QCOMPARE(view()->historyRows(), 1);
        QCOMPARE(view()->table()->item(0, views::BenchmarkView::ColWhen)->text(), QStringLiteral("not saved"));
        QCOMPARE(view()->chart()->barCount(), 1);
        QCOMPARE(view()->chart()->bars(1)->data()->at(0)->mainValue(), b.result.decodeTokS.median);
        QCOMPARE(view()->chart()->ceilingAt(0), b.result.ceilingTokS);
        QVERIFY(view()->runButton()->isEnabled());
    }

    // With a session: the original and a compressed model kept in memory.
    void originalAndCompressedInSession()
    {
        QVERIFY(m_window->document()->newSession(QStringLiteral("bench")));
        views::CompressView* cv = m_window->compressView();
        cv->uniformRadio()->setChecked(true);
        cv->schemeBox()->setCurrentText(QStringLiteral("Q8_0"));
        cv->ctxBox()->setValue(64);
        cv->chunksBox()->setValue(2);
        QSignalSpy compressed(m_window->compressController(), &CompressController::runFinished);
        cv->runButton()->click();
        QVERIFY(compressed.wait(kWaitMs));
        QVERIFY(compressed.first().first().toBool());
        QCOMPARE(view()->modelCount(), 2);
        const qint64 key = m_window->compressController()->entries().back().row.key;
        QVERIFY(key > 0);

        // PRECIS_BENCHMARK_SCREENSHOT=FILE: a run long enough to be worth a picture, saved there.
        if (qEnvironmentVariableIsSet("PRECIS_BENCHMARK_SCREENSHOT")) {
            view()->threadsSpin()->setValue(view()->threadsSpin()->maximum());
            view()->promptSpin()->setValue(128);
            view()->genSpin()->setValue(64);
            view()->repsSpin()->setValue(5);
        }
        QVERIFY(runAndWait());
        // The unsaved run from before, then the session's two records.
        QCOMPARE(controller()->history().size(), size_t(3));
        QVERIFY(controller()->history()[0].id < 0);
        const std::vector<StoredBenchmark> h(controller()->history().begin() + 1, controller()->history().end());
        QCOMPARE(h[0].role, BenchRole::Original);
        QCOMPARE(h[1].role, BenchRole::Compressed);
        QCOMPARE(h[1].compressionId, std::optional<int64_t>(key));
        QVERIFY(h[0].id > 0 && h[1].id > 0);
        // Q8_0: 34 bytes per 32 weights, against 4 bytes per weight.
        const double ratio = double(h[0].result.fileBytes) / double(h[1].result.fileBytes);
        QVERIFY2(ratio > 3.4 && ratio < 3.8, qPrintable(QString::number(ratio)));
        QCOMPARE(h[1].result.weightTypes.substr(0, 4), std::string("Q8_0"));
        QCOMPARE(view()->historyRows(), 3);

        // The chart: the newest result of each model at these settings, the original first.
        auto charted = view()->chartedEntries();
        QCOMPARE(charted.size(), size_t(2));
        QCOMPARE(charted[0].id, h[0].id);
        QCOMPARE(charted[1].id, h[1].id);
        QCOMPARE(view()->chart()->barCount(), 2);
        QCOMPARE(view()->chart()->bars(3)->data()->at(1)->mainValue(), double(h[1].result.fileBytes) / 1048576.0);
        QCOMPARE(view()->chart()->ceilingAt(1), h[1].result.ceilingTokS);
        // Selecting history rows charts exactly those.
        view()->table()->selectRow(view()->historyRows() - 1);  // the oldest: the unsaved run
        QCOMPARE(view()->chartedEntries().size(), size_t(1));
        QCOMPARE(view()->chart()->barCount(), 1);
        view()->table()->clearSelection();
        QCOMPARE(view()->chart()->barCount(), 2);

        // The window as the user sees it (for inspection; the README's screenshot is made this way).
        for (auto* tabs : m_window->findChildren<QTabWidget*>())
            if (tabs->indexOf(m_window->compressView()) >= 0) tabs->setCurrentWidget(m_window->compressView());
        QTest::qWait(50);
        const QString shot = qEnvironmentVariable("PRECIS_BENCHMARK_SCREENSHOT", m_dir + QStringLiteral("/benchmark_dock.png"));
        QVERIFY(m_window->grab().save(shot));

        // In the database, linked to the compression.
        auto store = SessionStore::open(m_db.toStdString());
        QVERIFY(store.ok());
        auto records = store->benchmarks(m_window->document()->sessionId());
        QVERIFY(records.ok());
        QCOMPARE(records->size(), size_t(2));
        QCOMPARE((*records)[1].compressionId, std::optional<int64_t>(key));
    }

    // A new window on the same database shows the session's history.
    void historyFromTheSession()
    {
        const int64_t session = m_window->document()->sessionId();
        MainWindow w;
        QSignalSpy changed(w.document(), &StudioDocument::modelChanged);
        QVERIFY(w.document()->openSession(session));
        QVERIFY(changed.wait(kWaitMs) || changed.count() > 0);
        QTRY_COMPARE(w.benchmarkController()->history().size(), size_t(2));
        QCOMPARE(w.benchmarkView()->historyRows(), 2);
        QCOMPARE(w.benchmarkController()->history()[1].role, BenchRole::Compressed);
        QCOMPARE(w.benchmarkView()->chart()->barCount(), 2);
    }

    void badInputs()
    {
        QSignalSpy errors(controller(), &BenchmarkController::errorOccurred);
        // Nothing checked.
        for (int i = 0; i < view()->modelCount(); ++i) view()->modelList()->item(i)->setCheckState(Qt::Unchecked);
        view()->runButton()->click();
        QVERIFY(!controller()->isRunning());
        // A file that is not a model: one error naming it; the run ends.
        const QString junk = m_dir + "/junk.gguf";
        {
            QFile f(junk);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("not a gguf file at all");
        }
        controller()->addFile(junk);
        QCOMPARE(view()->modelCount(), 3);
        QCOMPARE(view()->checkedModels().size(), size_t(1));
        const size_t before = controller()->history().size();
        QVERIFY(runAndWait(false));
        QCOMPARE(errors.count(), 1);
        const QString message = errors.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("junk.gguf")) && message.contains(QStringLiteral("GGUF")), qPrintable(message));
        QCOMPARE(controller()->history().size(), before);
        QVERIFY(view()->runButton()->isEnabled());
        closeErrorBoxes(m_window.get());
    }

    void cancel()
    {
        for (int i = 0; i < view()->modelCount(); ++i)
            view()->modelList()->item(i)->setCheckState(i == 0 ? Qt::Checked : Qt::Unchecked);
        view()->repsSpin()->setValue(1000);
        view()->genSpin()->setValue(256);
        const size_t before = controller()->history().size();
        QSignalSpy finished(controller(), &BenchmarkController::runFinished);
        view()->runButton()->click();
        QVERIFY(controller()->isRunning());
        QVERIFY(view()->cancelButton()->isEnabled());
        QTest::qWait(300);
        view()->cancelButton()->click();
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(finished.first().first().toBool(), false);
        QCOMPARE(controller()->history().size(), before);
        QVERIFY(!controller()->isRunning());
        QVERIFY(view()->runButton()->isEnabled());
    }

    // An RTN compression (no file format stores RTN) is benchmarked from memory
    // on the RTN kernels: its bytes are RTN's, and the record says so.
    void rtnCompressionRunsFromMemory()
    {
        views::CompressView* cv = m_window->compressView();
        cv->uniformRadio()->setChecked(true);
        cv->schemeBox()->setCurrentText(QStringLiteral("RTN4g32"));
        QSignalSpy compressed(m_window->compressController(), &CompressController::runFinished);
        cv->runButton()->click();
        QVERIFY(compressed.wait(kWaitMs));
        QVERIFY(compressed.first().first().toBool());
        const int count = view()->modelCount();
        for (int i = 0; i < count; ++i)
            view()->modelList()->item(i)->setCheckState(i == count - 2 ? Qt::Checked : Qt::Unchecked);  // before the junk file
        view()->repsSpin()->setValue(2);
        view()->genSpin()->setValue(8);
        const size_t before = controller()->history().size();
        QVERIFY(runAndWait());
        QCOMPARE(controller()->history().size(), before + 1);
        const BenchResult& r = controller()->history().back().result;
        QCOMPARE(r.weightTypes.substr(0, 7), std::string("RTN4g32"));
        QCOMPARE(r.fileBytes, r.weightBytes);
        QVERIFY(std::any_of(r.notes.begin(), r.notes.end(),
                            [](const std::string& n) { return n.find("in memory") != std::string::npos; }));
    }
};

QTEST_MAIN(TestGuiBenchmark)
#include "tst_gui_benchmark.moc"
