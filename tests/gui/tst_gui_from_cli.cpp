// A session written by precis-cli — analyze, allocate --save (tensor and
// layer units), compress --allocation with and without an evaluation text,
// compress --uniform, bench — opened in the studio: the report, the saved
// allocations, every compression (with its bytes and measurements) and the
// benchmarks are there and readable, and nothing is reported unreadable.
#include "test_support.h"

#include "allocations_dialog.h"
#include "benchmark_controller.h"
#include "budget_document.h"
#include "budget_view.h"
#include "cli_support.h"
#include "compress_controller.h"
#include "compress_view.h"
#include "main_window.h"
#include "studio_document.h"
#include "window_support.h"

#include "session/session_allocations.h"
#include "session/session_benchmarks.h"
#include "session/session_compressions.h"
#include "session/session_store.h"

#include <QAction>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest/QtTest>

using namespace precis;
using namespace precis::app;
using precis::test::kWaitMs;
using precis::test::runCli;

namespace {

const QString kSample = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/model.gguf");
const QString kCalib = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/calib.txt");
const QString kEval = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/eval.txt");

} // namespace

class TestGuiFromCli : public QObject {
    Q_OBJECT
private slots:
    void cliSessionOpensInTheStudio()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("PrecisTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_from_cli"));
        const QString dir = QString::fromStdString(test::scratchDir("gui_from_cli"));
        const QString db = dir + "/cli.sqlite";
        auto ok = [](const test::CliRun& r) {
            if (r.code != 0) qWarning("precis-cli: %s", r.err.constData());
            return r.code == 0;
        };
        QVERIFY(ok(runCli({"analyze", kSample, "--calib", kCalib, "--seqs", "2", "--len", "32", "--measure-seqs", "1",
                           "--no-ablation", "--probes", "Q4_K", "--session", db})));
        QVERIFY(ok(runCli({"allocate", "--session", db, "--budget-ppl", "2", "--save", "two-percent"})));
        QVERIFY(ok(runCli({"allocate", "--session", db, "--target-bpw", "4", "--granularity", "layer", "--save",
                           "layers"})));
        QVERIFY(ok(runCli({"compress", kSample, "--session", db, "--allocation", "two-percent", "--out",
                           dir + "/two.gguf", "--eval-text", kEval, "--eval-ctx", "64"})));
        QVERIFY(ok(runCli({"compress", kSample, "--session", db, "--allocation", "layers", "--out", dir + "/layers.gguf"})));
        QVERIFY(ok(runCli({"compress", kSample, "--session", db, "--uniform", "Q8_0", "--out", dir + "/q8.gguf",
                           "--eval-text", kEval, "--eval-ctx", "64"})));
        QVERIFY(ok(runCli({"bench", kSample, dir + "/two.gguf", "--session", db, "--prompt", "16", "--gen", "8", "--reps",
                           "1", "--threads", "1"})));

        // What the records say, read with the core (the studio must show the same).
        auto store = SessionStore::open(db.toStdString());
        QVERIFY(store.ok());
        auto sessions = store->sessions();
        QVERIFY(sessions.ok() && sessions->size() == 1);
        const int64_t id = sessions->front().id;
        auto entries = loadCompressions(*store, id);
        QVERIFY2(entries.ok(), entries.ok() ? "" : entries.error().toString().c_str());
        QCOMPARE(entries->size(), size_t(3));

        MainWindow w;
        w.document()->setDatabasePath(db);
        w.resize(1400, 900);
        w.show();
        QSignalSpy errors(w.document(), &StudioDocument::errorOccurred);
        QSignalSpy report(w.document(), &StudioDocument::sensitivityChanged);
        QVERIFY(w.document()->openSession(id));
        QTRY_VERIFY_WITH_TIMEOUT(report.count() > 0 && w.document()->sensitivityReport(), kWaitMs);
        for (const auto& e : errors) qWarning("%s", qPrintable(e.first().toString()));
        QCOMPARE(errors.count(), 0);  // nothing unreadable
        QVERIFY(w.document()->sensitivityReport()->complete);
        QVERIFY(w.budgetView()->hasTable() && w.budgetView()->hasAllocation());

        // The Compress tab: every CLI compression, with the CLI's numbers.
        const auto& rows = w.compressController()->entries();
        QCOMPARE(rows.size(), size_t(3));
        QCOMPARE(rows[0].row.name, QStringLiteral("two-percent rtn"));
        QCOMPARE(rows[0].row.bytes, (*entries)[0].bytes);
        QVERIFY(rows[0].row.measured);
        QCOMPARE(rows[0].row.comparison.pplCompressed, (*entries)[0].measured->comparison.pplCompressed);
        QVERIFY(rows[0].row.hasPrediction());
        QCOMPARE(rows[0].plan.tensors.size(), size_t(30));
        QCOMPARE(rows[1].row.name, QStringLiteral("layers rtn"));
        QVERIFY(!rows[1].row.measured);  // compressed without an evaluation text
        QCOMPARE(rows[1].plan.tensors.size(), size_t(30));
        QCOMPARE(rows[2].row.name, QStringLiteral("Q8_0 rtn"));
        QVERIFY(rows[2].row.measured);
        QCOMPARE(w.compressView()->resultsTable()->rowCount(), 3);
        QCOMPARE(w.compressView()->resultsTable()->item(1, views::CompressView::ColPplOriginal)->text(),
                 QStringLiteral("not measured"));

        // The saved allocations, in the dialog and as plans of the Compress tab.
        w.findChild<QAction*>(QStringLiteral("CompareAllocationsAction"))->trigger();
        auto* dialog = w.findChild<AllocationsDialog*>();
        QVERIFY(dialog);
        QCOMPARE(dialog->table()->rowCount(), 2);
        QCOMPARE(dialog->table()->item(1, 1)->text(), QStringLiteral("4 bits/weight (layer)"));
        dialog->close();
        QVERIFY(w.compressController()->chooseSavedAllocation(QStringLiteral("layers")));

        // The benchmarks: the original and the compression it measured.
        w.findChild<QAction*>(QStringLiteral("BenchmarkAction"))->trigger();
        const auto& history = w.benchmarkController()->history();
        QCOMPARE(history.size(), size_t(2));
        int compressed = 0;
        for (const StoredBenchmark& b : history) {
            QVERIFY(b.result.decodeTokS.median > 0);
            if (b.role == BenchRole::Compressed) {
                ++compressed;
                QCOMPARE(b.label, std::string("two-percent rtn"));
                QCOMPARE(b.compressionId, std::optional<int64_t>((*entries)[0].id));
            }
        }
        QCOMPARE(compressed, 1);
    }
};

QTEST_MAIN(TestGuiFromCli)
#include "tst_gui_from_cli.moc"
