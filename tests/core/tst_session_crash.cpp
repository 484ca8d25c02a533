// Crash safety of the session store: a child process (session_crash_writer.cpp)
// writes calibration steps in a loop and is killed with SIGKILL at seeded
// random moments; the file must survive every kill intact.
#include "session/session_store.h"
#include "session_test_util.h"
#include "test_support.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QThread>

#include <algorithm>
#include <map>
#include <random>

using namespace precis;
using namespace precis::test;

namespace {
constexpr int kRowsPerStep = 24;
constexpr int kKills = 20;
} // namespace

class TestSessionCrash : public QObject {
    Q_OBJECT

    // Opens the store after a kill and checks that steps 0..n-1 are complete
    // (every row, the chunk map and the blob, with the values the writer puts
    // in) and that nothing of any other step exists. Sets `steps` = n.
    void verifyCompleteSteps(const std::string& path, int64_t& steps)
    {
        steps = 0;
        ASSIGN_OK(store, SessionStore::open(path));
        ASSIGN_OK(session, store.sessionByName("crash"));
        if (!session)
            return;  // killed before the session existed
        ASSIGN_OK(run, store.latestRun(session->id));
        if (!run)
            return;
        ASSIGN_OK(maps, store.listChunkMaps(run->id));
        ASSIGN_OK(rows, store.readSensitivity(run->id));
        const int64_t n = int64_t(maps.size());

        std::map<int64_t, int> rowsPerStep;
        for (const SensitivityRow& r : rows) {
            const int64_t s = int64_t(r.value) / 100000;
            QCOMPARE(r.unit, "s" + std::to_string(s) + ".u" + std::to_string(int64_t(r.value) % 100000));
            ++rowsPerStep[s];
        }
        QCOMPARE(int64_t(rowsPerStep.size()), n);
        for (const auto& [s, count] : rowsPerStep)
            QVERIFY2(s < n && count == kRowsPerStep, qPrintable(QString("step %1 has %2 rows").arg(s).arg(count)));
        for (int64_t s = 0; s < n; ++s) {
            const std::string tag = "s" + std::to_string(s);
            ASSIGN_OK(map, store.readChunkMap(run->id, tag, "m"));
            QVERIFY2(map && map->data.size() == 1024 && map->data[1023] == float(s) + 1023.0f / 1024.0f, tag.c_str());
            ASSIGN_OK(blob, store.readBlob(run->id, tag));
            QVERIFY2(blob && blob->size() == 1024 && (*blob)[1023] == std::byte(s % 251), tag.c_str());
        }
        steps = n;
    }

private slots:
    // After each kill: PRAGMA integrity_check is "ok", every step is entirely
    // present or entirely absent, every step the child acknowledged is there,
    // and the number of steps never goes down.
    void crashSafetyUnderSigkill()
    {
        const std::string path = test::scratchDir("session-crash") + "/crash.sqlite";
        std::mt19937 rng(20250131);
        std::uniform_int_distribution<int> delayMs(5, 200);
        int64_t previousSteps = 0;
        int64_t acknowledged = 0;  // steps the children reported as committed
        int killsWithProgress = 0;
        QElapsedTimer timer;
        timer.start();
        for (int kill = 0; kill < kKills; ++kill) {
            QProcess child;
            child.start(QStringLiteral(PRECIS_SESSION_WRITER),
                        {QString::fromStdString(path), QString::number(kRowsPerStep)});
            QVERIFY(child.waitForStarted(5000));
            QThread::msleep(unsigned(delayMs(rng)));
            child.kill();
            QVERIFY(child.waitForFinished(10000));
            QVERIFY2(child.exitStatus() == QProcess::CrashExit,
                     qPrintable("the writer stopped on its own: " + child.readAllStandardError()));
            for (const QByteArray& line : child.readAllStandardOutput().split('\n'))
                if (!line.isEmpty())
                    acknowledged = std::max<int64_t>(acknowledged, line.toLongLong() + 1);

            QCOMPARE(RawDb(path).text("PRAGMA integrity_check"), std::string("ok"));
            int64_t steps = 0;
            verifyCompleteSteps(path, steps);
            if (QTest::currentTestFailed())
                return;
            QVERIFY2(steps >= previousSteps,
                     qPrintable(QString("kill %1: steps went from %2 to %3").arg(kill).arg(previousSteps).arg(steps)));
            QVERIFY2(steps >= acknowledged,
                     qPrintable(QString("kill %1: %2 steps acknowledged, %3 found").arg(kill).arg(acknowledged)
                                    .arg(steps)));
            killsWithProgress += steps > previousSteps ? 1 : 0;
            previousSteps = steps;
        }
        QVERIFY2(killsWithProgress >= kKills / 4, "most children were killed before writing a step");
        qInfo("%lld steps over %d kills (%d after progress), %.1f s", (long long)previousSteps, kKills,
              killsWithProgress, timer.elapsed() / 1000.0);
    }
};

QTEST_GUILESS_MAIN(TestSessionCrash)
#include "tst_session_crash.moc"
