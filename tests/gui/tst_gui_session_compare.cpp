// File ▸ Sessions… ▸ Compare, offscreen: the compare window on two sessions of
// a tiny generated model (each a real calibration and a measured compression)
// shows both predicted frontiers and both sessions' results on one log-Δppl
// plot and the differences table (rows that differ in bold); the Sessions
// dialog's Compare button opens it; an unknown session and a cancelled
// comparison end with their message.
#include "job_runner.h"
#include "session_compare_dialog.h"
#include "session_compare_plot.h"
#include "sessions_dialog.h"
#include "studio_document.h"
#include "test_support.h"
#include "window_support.h"

#include "formats/gguf.h"
#include "formats/model_loader.h"
#include "model/random_model.h"
#include "session/session_compare.h"
#include "train/parameters.h"

#include <QComboBox>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest/QtTest>

#include <atomic>
#include <chrono>
#include <thread>

using namespace precis;
using namespace precis::app;

namespace {

CompressionEntry measuredEntry(const std::string& name, int64_t bytes, double pplRatio)
{
    CompressionEntry e;
    e.name = name;
    e.scheme = "Q4_K";
    e.plan.tensors = {{"blk.0.attn_q.weight", "Q4_K"}};
    e.bytes = bytes;
    e.weights = 1000000;
    e.bitsPerWeight = 8.0 * double(bytes) / 1e6;
    CompressionMeasurement m;
    m.comparison.pplOriginal = 10;
    m.comparison.pplCompressed = 10 * pplRatio;
    m.comparison.klMean = 0.01;
    m.comparison.klP99 = 0.05;
    m.comparison.top1Agreement = 0.9;
    e.measured = m;
    return e;
}

int rowOfKey(QTableWidget* t, const QString& key)
{
    for (int r = 0; r < t->rowCount(); ++r)
        if (t->item(r, 0)->data(Qt::UserRole).toString() == key) return r;
    return -1;
}

} // namespace

class TestGuiSessionCompare : public QObject {
    Q_OBJECT
    QString m_db;
    int64_t m_a = 0, m_b = 0;

private slots:
    void initTestCase()
    {
        const std::string dir = test::scratchDir("gui-session-compare");
        ModelConfig c;
        c.arch = Arch::Llama;
        c.archName = "llama";
        c.nLayer = 2; c.nEmbd = 256; c.nHead = 4; c.nHeadKv = 2; c.nFf = 256; c.nVocab = 300; c.nCtx = 64;
        const std::string path = dir + "/tiny.gguf";
        QVERIFY(gguf::writeModel(*makeRandomModel(c, 5, 0.05f), path).ok());
        auto model = loadModel(path);
        QVERIFY(model.ok());
        auto tok = Tokenizer::create((*model)->tokenizer);
        auto params = parametersFromModel(**model);
        QVERIFY(tok.ok() && params.ok());
        m_db = QString::fromStdString(dir + "/sessions.sqlite");
        auto store = SessionStore::open(m_db.toStdString());
        QVERIFY(store.ok());
        // "alpha" seed 1, "beta" seed 7; one measured compression each.
        const std::pair<const char*, uint64_t> sessions[] = {{"alpha", 1}, {"beta", 7}};
        for (auto [name, seed] : sessions) {
            auto session = sessionForModel(*store, **model, 0, name);
            QVERIFY(session.ok());
            CalibrationRunSettings run;
            run.textPath = PRECIS_SOURCE_DIR "/resources/sample/calib.txt";
            run.sequences = 2;
            run.length = 16;
            run.seed = seed;
            run.settings.options = {"F16", "Q8_0", "Q4_K", "Q2_K"};
            run.settings.headAblation = false;
            run.settings.measure = false;
            auto set = calibrationSet(run, **model, **tok, nullptr);
            QVERIFY(set.ok());
            QVERIFY(calibrateInSession(*store, session->id, *params, *set, run, nullptr, nullptr).ok());
            const bool first = seed == 1;
            QVERIFY(recordCompression(*store, session->id, measuredEntry(first ? "Q4_K rtn" : "Q2_K rtn",
                                                                         first ? 700000 : 400000, first ? 1.02 : 1.09))
                        .ok());
            (first ? m_a : m_b) = session->id;
        }
    }

    void compareWindow()
    {
        JobRunner runner;
        SessionCompareDialog dialog(&runner, m_db, m_a, m_b);
        QSignalSpy finished(&dialog, &SessionCompareDialog::finished);
        QVERIFY(dialog.isBusy());
        QVERIFY(finished.wait(test::kWaitMs));
        QCOMPARE(finished.first().at(0).toBool(), true);
        QVERIFY(!dialog.isBusy());
        QVERIFY(dialog.comparison());

        // What the core computes, independently, on this thread's own connection.
        auto store = SessionStore::open(m_db.toStdString());
        QVERIFY(store.ok());
        auto expected = compareSessions(*store, m_a, m_b, nullptr);
        QVERIFY(expected.ok());
        auto* plot = dialog.plot();
        for (int side = 0; side < 2; ++side) {
            const SessionSide& s = side == 0 ? expected->a : expected->b;
            QVERIFY(s.frontier.points.size() > 2);
            QCOMPARE(plot->frontierGraph(side)->dataCount(), int(s.frontier.points.size()));
            QVERIFY(plot->frontierGraph(side)->visible());
            QCOMPARE(plot->measuredGraph(side)->dataCount(), 1);
            // The largest frontier point, in MB and in % on the log axis.
            const auto last = plot->frontierGraph(side)->data()->constEnd() - 1;
            QCOMPARE(last->key, double(s.frontier.points.front().bytes) / 1e6);
        }
        QVERIFY(plot->frontierGraph(0)->pen().color() != plot->frontierGraph(1)->pen().color());
        QCOMPARE(plot->measuredGraph(0)->data()->constBegin()->key, 0.7);
        QCOMPARE(plot->measuredGraph(1)->data()->constBegin()->key, 0.4);
        QVERIFY(std::abs(plot->measuredGraph(1)->data()->constBegin()->value - 9.0) < 1e-9);
        QCOMPARE(plot->labelCount(), 2);
        QCOMPARE(plot->yAxis->scaleType(), QCPAxis::stLogarithmic);

        QTableWidget* table = dialog.table();
        QCOMPARE(table->rowCount(), int(expected->differences.size()));
        QCOMPARE(table->horizontalHeaderItem(1)->text(), QStringLiteral("A: alpha"));
        QCOMPARE(table->horizontalHeaderItem(2)->text(), QStringLiteral("B: beta"));
        const int seed = rowOfKey(table, QStringLiteral("run.seed"));
        QVERIFY(seed >= 0);
        QCOMPARE(table->item(seed, 0)->text(), QStringLiteral("Seed"));
        QCOMPARE(table->item(seed, 1)->text(), QStringLiteral("1"));
        QCOMPARE(table->item(seed, 2)->text(), QStringLiteral("7"));
        QVERIFY(table->item(seed, 1)->font().bold());
        const int sha = rowOfKey(table, QStringLiteral("model.sha256"));
        QVERIFY(sha >= 0);
        QCOMPARE(table->item(sha, 0)->text(), QStringLiteral("Model SHA-256"));
        QCOMPARE(table->item(sha, 1)->text(), table->item(sha, 2)->text());
        QVERIFY(!table->item(sha, 1)->font().bold());
        const int best = rowOfKey(table, QStringLiteral("best.lowest"));
        QCOMPARE(table->item(best, 1)->text(), QStringLiteral("+2 % (Q4_K rtn, 0.70 MB)"));
        QCOMPARE(table->item(best, 2)->text(), QStringLiteral("+9 % (Q2_K rtn, 0.40 MB)"));
        const int atSize = rowOfKey(table, QStringLiteral("best.at_size"));
        QCOMPARE(table->item(atSize, 0)->text(), QStringLiteral("Best measured Δppl at ≤ 0.40 MB"));
        QVERIFY(dialog.statusLabel()->text().contains(QStringLiteral("differ")));
        // Every row has a label of the window's own (translatable), not core's English fallback.
        for (const SessionDifference& d : expected->differences)
            QVERIFY2(SessionCompareDialog::fieldLabel(d) != QString::fromStdString(d.field), d.key.c_str());

        // Bits per weight on the size axis.
        dialog.findChild<QComboBox*>()->setCurrentIndex(1);
        const Frontier::Point& largest = expected->a.frontier.points.front();
        const auto last = plot->frontierGraph(0)->data()->constEnd() - 1;
        QVERIFY(std::abs(last->key - 8.0 * double(largest.bytes) / double(expected->a.frontier.totalWeights)) < 1e-9);
    }

    void fromSessionsDialog()
    {
        qputenv("PRECIS_SESSION_DB", m_db.toUtf8());
        JobRunner runner;
        StudioDocument doc(&runner);
        SessionsDialog sessions(&doc, &runner);
        QCOMPARE(sessions.table()->rowCount(), 2);
        auto* compare = sessions.findChild<QPushButton*>(QStringLiteral("SessionCompareButton"));
        QVERIFY(compare);
        QVERIFY(!compare->isEnabled());
        QItemSelectionModel* selection = sessions.table()->selectionModel();
        for (int r = 0; r < 2; ++r)
            selection->select(sessions.table()->model()->index(r, 0),
                              QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QVERIFY(compare->isEnabled());
        QSignalSpy requested(&sessions, &SessionsDialog::compareRequested);
        compare->click();
        QCOMPARE(requested.count(), 1);
        auto* window = sessions.findChild<SessionCompareDialog*>();
        QVERIFY(window);
        QVERIFY(window->isVisible());
        QSignalSpy finished(window, &SessionCompareDialog::finished);
        QVERIFY(finished.wait(test::kWaitMs));
        QCOMPARE(finished.first().at(0).toBool(), true);
        QVERIFY(window->plot()->frontierGraph(0)->dataCount() > 2);
        QVERIFY(window->plot()->frontierGraph(1)->dataCount() > 2);
        QVERIFY(window->table()->rowCount() > 20);
        window->close();
    }

    void unknownSessionAndCancel()
    {
        JobRunner runner;
        {
            SessionCompareDialog dialog(&runner, m_db, m_a, 999);
            QSignalSpy finished(&dialog, &SessionCompareDialog::finished);
            QVERIFY(finished.wait(test::kWaitMs));
            QCOMPARE(finished.first().at(0).toBool(), false);
            QVERIFY2(dialog.statusLabel()->text().contains(QStringLiteral("999")), qPrintable(dialog.statusLabel()->text()));
            QVERIFY(!dialog.comparison());
        }
        // Queued behind a job that waits: cancelled before it starts, it ends cancelled.
        std::atomic<bool> release{false};
        runner.start(QStringLiteral("blocker"),
                     [&](Progress&, const CancelToken&) {
                         while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
                     },
                     [] {});
        SessionCompareDialog dialog(&runner, m_db, m_a, m_b);
        QSignalSpy finished(&dialog, &SessionCompareDialog::finished);
        dialog.cancel();
        release = true;
        QVERIFY(finished.wait(test::kWaitMs));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QCOMPARE(dialog.statusLabel()->text(), QStringLiteral("Comparison cancelled."));
        QVERIFY(!dialog.comparison());
    }
};

QTEST_MAIN(TestGuiSessionCompare)
#include "tst_gui_session_compare.moc"
