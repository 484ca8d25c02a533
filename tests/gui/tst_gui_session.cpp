// Sessions in the studio: a calibration creates a session named after the model
// (the title shows it) and stores the run; the Budget tab fills from the
// report and saves allocations into the session; a fresh window reopening the
// session restores the report and the budget without recomputing; a changed
// model file is reported.
#include "test_support.h"

#include "allocation/solver.h"
#include "budget_view.h"
#include "calibration_job.h"
#include "main_window.h"
#include "window_support.h"
#include "sensitivity/report.h"
#include "session/session_store.h"
#include "studio_document.h"

#include <QAction>
#include <QDialog>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

using namespace precis;
using namespace precis::app;
using precis::test::kWaitMs;
using precis::test::openAndWait;

namespace {


} // namespace

class TestGuiSession : public QObject {
    Q_OBJECT
    QString m_dir, m_model, m_db;

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("PrecisTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_session"));
        m_dir = QString::fromStdString(test::scratchDir("gui_session"));
        // A copy of the sample model, so that changing it later touches nothing else.
        m_model = m_dir + "/sample.gguf";
        std::filesystem::copy_file(PRECIS_SOURCE_DIR "/resources/sample/model.gguf", m_model.toStdString());
        m_db = m_dir + "/sessions.sqlite";
    }

    void calibrateBudgetAndReopen()
    {
        int64_t sessionId = 0;
        sensitivity::UnitValue first;
        QString savedAssignment;
        {
            MainWindow w;
            w.document()->setDatabasePath(m_db);
            w.show();
            QVERIFY(openAndWait(w, m_model));
            QCOMPARE(w.document()->sessionId(), int64_t(0));
            QVERIFY(!w.budgetView()->hasTable());

            CalibrationRequest r;
            r.textPath = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/calib.txt");
            r.sequences = 2;
            r.length = 32;
            r.settings.options = {"Q8_0", "Q4_K", "Q2_K"};
            r.settings.probeOptions = {"Q4_K"};
            r.settings.measureSequences = 1;
            r.settings.headAblation = false;
            w.startCalibration(r);
            QTRY_VERIFY_WITH_TIMEOUT(!w.document()->isCalibrating(), kWaitMs);
            QVERIFY(w.document()->sensitivityReport());
            QCOMPARE(w.document()->sessionName(), QStringLiteral("sample"));
            sessionId = w.document()->sessionId();
            QVERIFY(sessionId > 0);
            QVERIFY(w.windowTitle().contains(QStringLiteral("sample (sample.gguf)")));
            first = w.document()->sensitivityReport()->values.front();

            // The Budget tab: 30 tensor units, an allocation for the default budget.
            views::BudgetView* budget = w.budgetView();
            QVERIFY(budget->hasTable());
            QCOMPARE(int(budget->table()->units.size()), 30);
            budget->setBudgetValue(1.0);
            QVERIFY(budget->hasAllocation());
            QVERIFY(budget->allocation().damage <= std::log1p(0.01) + 1e-12);
            savedAssignment = budget->assignmentJson();
            QVERIFY(w.document()->saveAllocation(QStringLiteral("one-percent"), QStringLiteral("{\"kind\":\"ppl_percent\",\"value\":1}"),
                                                 budget->assignmentJson(), budget->totalsJson()));
            budget->setBudgetValue(5.0);
            QVERIFY(w.document()->saveAllocation(QStringLiteral("five-percent"), QStringLiteral("{\"kind\":\"ppl_percent\",\"value\":5}"),
                                                 budget->assignmentJson(), budget->totalsJson()));
            // Analyze ▸ Compare Allocations: one row per saved allocation.
            w.findChild<QAction*>(QStringLiteral("CompareAllocationsAction"))->trigger();
            auto* dialog = w.findChild<QDialog*>(QStringLiteral("AllocationsDialog"));
            QVERIFY(dialog);
            auto* table = dialog->findChild<QTableWidget*>();
            QCOMPARE(table->rowCount(), 2);
            QCOMPARE(table->item(0, 0)->text(), QStringLiteral("one-percent"));
            QCOMPARE(table->item(1, 1)->text(), QStringLiteral("+5 % ppl"));
            QVERIFY(table->item(1, 3)->text().toDouble() < table->item(0, 3)->text().toDouble());
        }
        // The database holds the run (done) and the allocation.
        {
            auto store = SessionStore::open(m_db.toStdString());
            QVERIFY(store.ok());
            auto runs = store->runs(sessionId);
            QVERIFY(runs.ok());
            QCOMPARE(int(runs->size()), 1);
            QCOMPARE(runs->front().status, RunStatus::Done);
            auto allocations = store->allocations(sessionId);
            QCOMPARE(int(allocations->size()), 2);
            QCOMPARE(QString::fromStdString(allocations->front().assignmentJson), savedAssignment);
        }
        // A fresh window reopens the session: model, report and budget come back
        // without a calibration job.
        {
            MainWindow w;
            w.document()->setDatabasePath(m_db);
            w.show();
            QSignalSpy calibrating(w.document(), &StudioDocument::calibratingChanged);
            QSignalSpy changed(w.document(), &StudioDocument::sensitivityChanged);
            QVERIFY(w.document()->openSession(sessionId));
            QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0 && w.document()->sensitivityReport(), kWaitMs);
            QCOMPARE(calibrating.count(), 0);
            QCOMPARE(w.document()->sessionName(), QStringLiteral("sample"));
            const sensitivity::UnitValue* again = w.document()->sensitivityReport()->find(first.unit, first.metric, first.option);
            QVERIFY(again);
            QCOMPARE(again->value, first.value);
            QCOMPARE(w.document()->sensitivityReport()->values.size(),
                     size_t(std::count_if(w.document()->sensitivityReport()->values.begin(),
                                          w.document()->sensitivityReport()->values.end(),
                                          [](const sensitivity::UnitValue& v) { return std::isfinite(v.value); })));
            QVERIFY(w.document()->sensitivityReport()->complete);
            QVERIFY(w.budgetView()->hasTable());
            QVERIFY(w.windowTitle().contains(QStringLiteral("sample")));
            QCOMPARE(int(w.document()->sessions().size()), 1);
        }
        // The model file changes: reopening the session says so.
        {
            std::fstream f(m_model.toStdString(), std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(-1, std::ios::end);
            f.put('\x01');
        }
        {
            MainWindow w;
            w.document()->setDatabasePath(m_db);
            QSignalSpy errors(w.document(), &StudioDocument::errorOccurred);
            QVERIFY(w.document()->openSession(sessionId));
            QCOMPARE(errors.count(), 1);
            QVERIFY(errors.first().first().toString().contains(QStringLiteral("has changed")));
        }
    }

    // File ▸ New Session starts an empty session for the open model; opening
    // another model on its own leaves the session.
    void newSessionAndLeave()
    {
        MainWindow w;
        w.document()->setDatabasePath(m_dir + "/other.sqlite");
        QVERIFY(!w.document()->newSession(QStringLiteral("x")));  // no model yet
        QVERIFY(openAndWait(w, QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/model.gguf")));
        QVERIFY(w.document()->newSession(QStringLiteral("experiment")));
        QCOMPARE(w.document()->sessionName(), QStringLiteral("experiment"));
        QVERIFY(w.windowTitle().contains(QStringLiteral("experiment")));
        QSignalSpy errors(w.document(), &StudioDocument::errorOccurred);
        QVERIFY(!w.document()->newSession(QStringLiteral("experiment")));  // name taken
        QCOMPARE(errors.count(), 1);
        QVERIFY(openAndWait(w, QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/model.gguf")));
        QCOMPARE(w.document()->sessionId(), int64_t(0));
        QVERIFY(!w.windowTitle().contains(QStringLiteral("experiment")));
    }
};

QTEST_MAIN(TestGuiSession)
#include "tst_gui_session.moc"
