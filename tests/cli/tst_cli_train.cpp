// precis-cli train / selfgen end to end: usage errors, a tiny training run with
// --json, the model it writes, resume, SIGINT handling, and self-generated text.
#include "formats/model_loader.h"
#include "cli_support.h"
#include "test_support.h"
#include "train/trainer_checkpoint.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <csignal>
#include <fstream>

using namespace precis;

namespace {

using Run = test::CliRun;
using test::runCli;

QStringList tinyModel()
{
    return {"--layers", "2", "--embd", "32", "--heads", "4", "--kv-heads", "2", "--ffn", "64",
            "--ctx", "32", "--batch", "4", "--eval-every", "5", "--eval-batches", "2", "--lr", "3e-3"};
}

} // namespace

class TestCliTrain : public QObject {
    Q_OBJECT
    QString m_dir, m_text;

private slots:
    void initTestCase()
    {
        m_dir = QString::fromStdString(test::scratchDir("cli-train"));
        m_text = m_dir + "/text.txt";
        std::ofstream f(m_text.toStdString());
        for (int i = 0; i < 120; ++i)
            f << "the cat sat on the mat. the dog ran to the log. a bird sang in tree number " << i % 7 << ".\n";
    }

    void usageErrors()
    {
        QCOMPARE(runCli({"train", "--out", m_dir + "/x"}).code, 2);           // no --text
        QCOMPARE(runCli({"train", "--text", m_text}).code, 2);                // no --out
        QCOMPARE(runCli({"train", "--text", m_text, "--out", m_dir + "/x", "--arch", "rnn"}).code, 2);
        QCOMPARE(runCli({"train", "--text", m_text, "--out", m_dir + "/x", "--steps", "many"}).code, 2);
        QCOMPARE(runCli({"train", "--help"}).code, 0);
        QCOMPARE(runCli({"selfgen", m_dir + "/x.gguf"}).code, 2);             // no --out
        Run r = runCli({"train", "--text", m_dir + "/missing.txt", "--out", m_dir + "/x"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("missing.txt"), r.err.constData());
        r = runCli({"train", "--resume", "--out", m_dir + "/nothing-here"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("trainer_state.bin"), r.err.constData());
    }

    // The estimate checked before the first step, against the measured peak
    // growth (within 25 %), and the refusal under a lower limit.
    void memoryEstimate()
    {
        const QStringList model = {"--text", m_text, "--layers", "2", "--embd", "256", "--heads", "4", "--ffn", "768",
                                   "--ctx", "128", "--batch", "16", "--steps", "2", "--eval-every", "0",
                                   "--eval-batches", "1", "--checkpoint-every", "0"};
        Run r = runCli(QStringList{"train", "--out", m_dir + "/mem", "--json"} + model);
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = r.json();
        QVERIFY(j["memory_estimate_bytes"].toDouble() > 50e6);
        QVERIFY(test::peakWithinEstimate(j, "train"));
        r = runCli(QStringList{"train", "--out", m_dir + "/mem2", "--max-memory", "10MB"} + model);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("training") && r.err.contains("--batch"), r.err.constData());
    }

    void trainJsonThenResumeThenSelfgen()
    {
        const QString out = m_dir + "/model";
        QStringList args{"train", "--text", m_text, "--out", out, "--steps", "10", "--seed", "3", "--json"};
        Run r = runCli(args + tinyModel());
        QVERIFY2(r.code == 0, r.err.constData());
        QJsonObject o = r.json();
        QCOMPARE(o["steps"].toInt(), 10);
        QCOMPARE(o["cancelled"].toBool(), false);
        QCOMPARE(o["config"].toObject()["n_head_kv"].toInt(), 2);
        QVERIFY(o["final_val_loss"].toDouble() > 0);
        QVERIFY(o["final_train_loss"].toDouble() < std::log(o["vocab_size"].toDouble()));
        QVERIFY(o["tokens_per_second"].toDouble() > 0);
        QVERIFY(r.err.contains("step 5/10"));  // evaluation lines are logged even without a terminal
        QVERIFY(loadModel(out.toStdString()).ok());
        QVERIFY(loadModel((out + "/model.gguf").toStdString()).ok());

        // Resume with a longer schedule: continues at step 11.
        r = runCli({"train", "--resume", "--out", out, "--steps", "15", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.json()["start_step"].toInt(), 10);
        QCOMPARE(r.json()["steps"].toInt(), 15);
        QCOMPARE(readTrainerState((out + "/trainer_state.bin").toStdString())->step, int64_t(15));

        // Self-generated text: seeded, so the same seed gives the same file.
        const QString a = m_dir + "/a.txt", b = m_dir + "/b.txt", c = m_dir + "/c.txt";
        r = runCli({"selfgen", out + "/model.gguf", "--out", a, "--tokens", "100", "--seed", "4", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.json()["tokens"].toInt(), 100);  // crosses the 32-token context several times
        QVERIFY(runCli({"selfgen", out + "/model.gguf", "--out", b, "--tokens", "100", "--seed", "4"}).code == 0);
        QVERIFY(runCli({"selfgen", out, "--out", c, "--tokens", "100", "--seed", "5"}).code == 0);
        QFile fa(a), fb(b), fc(c);
        QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly) && fc.open(QIODevice::ReadOnly));
        const QByteArray ta = fa.readAll();
        QVERIFY(ta.size() >= 50);
        QCOMPARE(ta, fb.readAll());
        QVERIFY(ta != fc.readAll());
    }

    void sigintWritesCheckpoint()
    {
        const QString out = m_dir + "/interrupted";
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral(PRECIS_CLI_PATH),
                QStringList{"train", "--text", m_text, "--out", out, "--steps", "1000000"} + tinyModel());
        QVERIFY(p.waitForStarted());
        // Wait for the first logged evaluation, then interrupt once.
        QByteArray err;
        while (!err.contains("step 5/") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            err += p.readAllStandardOutput();
        }
        QVERIFY2(err.contains("step 5/"), err.constData());
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(120000));
        err += p.readAllStandardOutput();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(err.contains("checkpoint written"), err.constData());
        auto state = readTrainerState((out + "/trainer_state.bin").toStdString());
        QVERIFY(state.ok());
        QVERIFY(state->step >= 5 && state->step < 1000000);
        QVERIFY(loadModel(out.toStdString()).ok());
        QVERIFY(loadModel((out + "/model.gguf").toStdString()).ok());
    }
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "tst_cli_train.moc"
