// Sessions in the studio: a calibration creates a session named after the model
// (the title shows it) and stores the run; the Budget tab fills from the
// report and saves allocations into the session; a fresh window reopening the
// session restores the report and the budget without recomputing; a changed
// model file is reported.
#include "test_support.h"

#include "allocation/solver.h"
#include "allocations_dialog.h"
#include "budget_document.h"
#include "budget_unit_model.h"
#include "budget_view.h"
#include "calibration_job.h"
#include "main_window.h"
#include "window_support.h"
#include "sensitivity/report.h"
#include "session/session_allocations.h"
#include "session/session_store.h"
#include "studio_document.h"

#include <QAction>
#include <QComboBox>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QUndoStack>
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
        Assignment savedAssignment, leftAssignment;
        BudgetSpec left;
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
            app::BudgetDocument* doc = w.document()->budget();
            QVERIFY(budget->hasTable());
            QCOMPARE(int(budget->table()->units.size()), 30);
            budget->budgetBox()->setValue(1.0);
            QVERIFY(budget->hasAllocation());
            QVERIFY(budget->allocation().damage <= std::log1p(0.01) + 1e-12);
            savedAssignment = doc->assignment();
            budget->requestSave(QStringLiteral("one-percent"));
            budget->budgetBox()->setValue(5.0);
            budget->requestSave(QStringLiteral("five-percent"));
            // Analyze ▸ Saved Allocations: one row per saved allocation.
            w.findChild<QAction*>(QStringLiteral("CompareAllocationsAction"))->trigger();
            auto* dialog = w.findChild<app::AllocationsDialog*>(QStringLiteral("AllocationsDialog"));
            QVERIFY(dialog);
            QTableWidget* table = dialog->table();
            QCOMPARE(table->rowCount(), 2);
            QCOMPARE(table->item(0, 0)->text(), QStringLiteral("one-percent"));
            QCOMPARE(table->item(1, 1)->text(), QStringLiteral("+5 % ppl"));
            QVERIFY(table->item(1, 3)->text().toDouble() < table->item(0, 3)->text().toDouble());
            // The run measured KL at Q4_K, so the allocation has a predicted KL (not the damage under another name).
            QVERIFY(table->item(0, 5)->text() != QStringLiteral("—"));
            QVERIFY(table->item(0, 5)->text().toDouble() != doc->totals().predictedDamage);
            dialog->close();

            // Leave the budget somewhere particular: size unit, layer granularity, a pin, a fitted factor.
            budget->unitBox()->setCurrentIndex(budget->unitBox()->findData(int(BudgetKind::BitsPerWeight)));
            budget->budgetBox()->setValue(3.25);
            budget->granularityBox()->setCurrentIndex(budget->granularityBox()->findData(int(Granularity::Layer)));
            emit budget->granularityBox()->activated(budget->granularityBox()->currentIndex());
            QCOMPARE(int(budget->table()->units.size()), 4 + 2);  // 4 layers, embeddings, output
            QVERIFY(budget->unitModel()->setData(budget->unitModel()->index(1, views::BudgetUnitModel::OptionColumn),
                                                 QStringLiteral("Q8_0"), Qt::EditRole));
            doc->setDamageScale(1.7, QStringLiteral("fitted by hand"));
            left = doc->spec();
            leftAssignment = doc->assignment();
            QCOMPARE(left.kind, BudgetKind::BitsPerWeight);
            QCOMPARE(left.value, 3.25);
            QCOMPARE(left.granularity, Granularity::Layer);
            QCOMPARE(left.pinned.size(), size_t(1));
            QCOMPARE(left.damageScale, 1.7);
        }
        // The database holds the run (done), the allocations and the budget as it was left.
        {
            auto store = SessionStore::open(m_db.toStdString());
            QVERIFY(store.ok());
            auto runs = store->runs(sessionId);
            QVERIFY(runs.ok());
            QCOMPARE(int(runs->size()), 1);
            QCOMPARE(runs->front().status, RunStatus::Done);
            auto allocations = loadAllocations(*store, sessionId);
            QVERIFY(allocations.ok());
            QCOMPARE(int(allocations->size()), 2);
            QVERIFY(allocations->front().assignment == savedAssignment);
            auto state = loadSessionState(*store, sessionId);
            QVERIFY(state.ok() && state->budget);
            QVERIFY(*state->budget == left);
        }
        // A fresh window reopens the session: model, report and budget come back
        // without a calibration job, exactly as left.
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
            QVERIFY(w.windowTitle().contains(QStringLiteral("sample")));
            QCOMPARE(int(w.document()->sessions().size()), 1);

            app::BudgetDocument* doc = w.document()->budget();
            views::BudgetView* budget = w.budgetView();
            QVERIFY(budget->hasTable() && budget->hasAllocation());
            QVERIFY(doc->spec() == left);
            QVERIFY(doc->assignment() == leftAssignment);
            QCOMPARE(budget->budgetKind(), BudgetKind::BitsPerWeight);
            QCOMPARE(budget->budgetBox()->value(), 3.25);
            QCOMPARE(budget->granularityBox()->currentData().toInt(), int(Granularity::Layer));
            QCOMPARE(budget->unitModel()->data(budget->unitModel()->index(1, views::BudgetUnitModel::PinnedColumn),
                                               Qt::CheckStateRole).toInt(), int(Qt::Checked));
            QVERIFY(budget->damageScaleLabel()->text().contains(QStringLiteral("1.70")));
            QCOMPARE(doc->undoStack()->count(), 0);

            // A saved allocation goes back into the Budget tab: its budget, granularity and assignment.
            const std::vector<SavedAllocation> saved = w.document()->allocations();
            QCOMPARE(saved.size(), size_t(2));
            QVERIFY(w.document()->loadAllocation(saved[0].id));
            QCOMPARE(doc->spec().kind, BudgetKind::PplPercent);
            QCOMPARE(doc->spec().value, 1.0);
            QCOMPARE(doc->spec().granularity, Granularity::Tensor);
            QVERIFY(doc->assignment() == savedAssignment);
            QCOMPARE(budget->budgetBox()->value(), 1.0);
            QCOMPARE(int(budget->table()->units.size()), 30);
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
