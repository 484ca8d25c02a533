// precis-cli analyze / report end to end on the bundled sample model: a small
// calibration stored in a session database, read back by report, and the
// usage and input errors.
#include "formats/gguf.h"
#include "model/random_model.h"
#include "sensitivity/report_store.h"
#include "session/session_store.h"
#include "cli_support.h"
#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QProcess>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace precis;

namespace {

using Run = test::CliRun;
using test::runCli;

} // namespace

class TestCliAnalyze : public QObject {
    Q_OBJECT
    QString m_dir, m_model, m_calib;

private slots:
    void initTestCase()
    {
        m_dir = QString::fromStdString(test::scratchDir("cli-analyze"));
        m_model = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/model.gguf");
        m_calib = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/calib.txt");
    }

    void usageErrors()
    {
        const QString db = m_dir + "/u.sqlite";
        QCOMPARE(runCli({"analyze", m_model, "--session", db}).code, 2);  // no text source
        QCOMPARE(runCli({"analyze", m_model, "--calib", m_calib, "--self-calib", "--session", db}).code, 2);
        QCOMPARE(runCli({"analyze", m_model, "--calib", m_calib}).code, 2);  // no --session
        QCOMPARE(runCli({"analyze", m_model, "--calib", m_calib, "--session", db, "--seqs", "0"}).code, 2);
        QCOMPARE(runCli({"report"}).code, 2);
        QCOMPARE(runCli({"report", "--session", db, "--kind", "row"}).code, 2);
    }

    // The memory estimate printed with the job against the process's measured
    // peak growth (VmHWM − VmRSS before the run), within 25 %; a limit below the
    // estimate is refused before the run starts, naming the limit and a setting.
    void memoryEstimateAndLimit()
    {
        const QString model = m_dir + "/mem.gguf";
        QVERIFY(test::writeMemoryTestModel(model));
        const QStringList common = {"analyze", model, "--calib", m_calib, "--seqs", "8", "--len", "128", "--batch",
                                    "4", "--options", "Q8_0,Q4_K", "--no-measure", "--no-ablation"};
        Run r = runCli(common + QStringList{"--session", m_dir + "/mem.sqlite", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = r.json();
        QVERIFY(j["memory_estimate_bytes"].toDouble() > 100e6);  // Grams and activations (the weights stay in the file)
        QVERIFY(test::peakWithinEstimate(j, "analyze"));
        QVERIFY(!j["gram_scratch"].toBool());

        // Under a limit below the estimate the Gram matrices go to a scratch file: the
        // same statistics and report, less memory.
        const QString scratch = m_dir + "/scratch";
        QDir().mkpath(scratch);
        r = runCli(common + QStringList{"--session", m_dir + "/mem2.sqlite", "--max-memory", "200MB", "--scratch",
                                        scratch, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject k = r.json();
        QVERIFY(k["gram_scratch"].toBool());
        QVERIFY(k["memory_estimate_bytes"].toDouble() <= 200e6);
        const double grownSpilled = k["peak_resident_bytes"].toDouble() - k["resident_before_bytes"].toDouble();
        qInfo("spilled: estimate %.1f MiB, measured peak growth %.1f MiB", k["memory_estimate_bytes"].toDouble() / 1048576,
              grownSpilled / 1048576);
        QVERIFY2(grownSpilled <= 1.25 * k["memory_estimate_bytes"].toDouble(), qPrintable(QString::number(grownSpilled)));
        QCOMPARE(QDir(scratch).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size(), 0);  // nothing left behind
        QCOMPARE(k["baseline_loss"].toDouble(), j["baseline_loss"].toDouble());
        QCOMPARE(k["top_tensors"].toArray(), j["top_tensors"].toArray());

        r = runCli(common + QStringList{"--session", m_dir + "/mem5.sqlite", "--max-memory", "150MB"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("memory limit of 143.1 MiB") && r.err.contains("with a batch of 1 sequence (--batch 1)"),
                 r.err.constData());
        QVERIFY(!QFileInfo::exists(m_dir + "/mem5.sqlite"));  // refused before anything was written
        r = runCli(common + QStringList{"--session", m_dir + "/mem6.sqlite", "--max-memory", "200MB", "--scratch",
                                        m_dir + "/no-such-folder"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("no-such-folder") && r.err.contains("scratch file"), r.err.constData());
        r = runCli(common + QStringList{"--session", m_dir + "/mem3.sqlite", "--max-memory", "2MB"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no setting of the run makes it fit"), r.err.constData());
        QCOMPARE(runCli(common + QStringList{"--session", m_dir + "/mem4.sqlite", "--max-memory", "lots"}).code, 2);
    }

    void badInput()
    {
        Run r = runCli({"report", "--session", m_dir + "/missing.sqlite"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no such session database"));
        const QString empty = m_dir + "/empty.txt";
        std::ofstream(empty.toStdString()).close();
        r = runCli({"analyze", m_model, "--calib", empty, "--session", m_dir + "/e.sqlite"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("empty.txt"));
        r = runCli({"analyze", m_model, "--calib", m_calib, "--session", m_dir + "/o.sqlite", "--options", "Q9_Z"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("Q9_Z"));
        const QString notDb = m_dir + "/not.sqlite";
        std::ofstream(notDb.toStdString()) << "this is not a database, just text that is long enough to matter";
        r = runCli({"analyze", m_model, "--calib", m_calib, "--seqs", "2", "--len", "16", "--session", notDb});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("not.sqlite"));
    }

    void analyzeThenReport()
    {
        const QString db = m_dir + "/s.sqlite";
        Run r = runCli({"analyze", m_model, "--calib", m_calib, "--seqs", "4", "--len", "64", "--options",
                        "Q8_0,Q4_K,Q2_K", "--probes", "Q2_K", "--measure-seqs", "2", "--session", db, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject a = r.json();
        QCOMPARE(a["tokens"].toInt(), 4 * 64);
        QCOMPARE(a["session"].toString(), QStringLiteral("model"));
        QCOMPARE(a["reference_option"].toString(), QStringLiteral("Q2_K"));
        QCOMPARE(a["top_tensors"].toArray().size(), 5);
        QVERIFY(!a["correlations"].toArray().isEmpty());

        // What report prints is what the database holds.
        auto store = SessionStore::open(db.toStdString());
        QVERIFY(store.ok());
        auto report = sensitivity::loadReport(*store, a["run_id"].toInt());
        QVERIFY(report.ok());
        QVERIFY(report->complete);
        QCOMPARE(report->tokens, int64_t(256));
        QCOMPARE(int(report->chunks.size()), a["chunk_maps"].toInt());
        auto run = store->run(a["run_id"].toInt());
        QVERIFY(run.ok());
        QCOMPARE(run->status, RunStatus::Done);

        r = runCli({"report", "--session", db, "--metric", "gate", "--kind", "head", "--top", "3", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = r.json();
        QCOMPARE(j["model_changed"].toBool(), false);
        const QJsonArray units = j["units"].toArray();
        QCOMPARE(units.size(), 3);
        const auto* top = report->find(units[0].toObject()["unit"].toString().toStdString(), "gate");
        QVERIFY(top);
        QCOMPARE(units[0].toObject()["value"].toDouble(), top->value);
        QVERIFY(units[0].toObject()["value"].toDouble() >= units[1].toObject()["value"].toDouble());

        r = runCli({"report", "--session", db, "--metric", "ow_err", "--option", "Q4_K", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.json()["units"].toArray().size(), 10);
        r = runCli({"report", "--session", db, "--metric", "nonsense"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("nonsense"));
    }

    // allocate on the run analyzeThenReport stored: the budget is met, the totals
    // add up, and a saved allocation is in the session.
    void allocateOnStoredRun()
    {
        const QString db = m_dir + "/s.sqlite";
        Run r = runCli({"allocate", "--session", db, "--budget-ppl", "1", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QJsonObject j = r.json();
        const QJsonObject totals = j["totals"].toObject();
        QVERIFY(totals["feasible"].toBool());
        QVERIFY(totals["predicted_ppl_increase_percent"].toDouble() <= 1.0 + 1e-9);
        qint64 unitBytes = 0;
        for (const auto& u : j["units"].toArray()) unitBytes += u.toObject()["bytes"].toInteger();
        QVERIFY(unitBytes < totals["bytes"].toInteger());  // plus the norms kept in F32
        QCOMPARE(j["units"].toArray().size(), 30);
        QVERIFY(!j["uniform"].toArray().isEmpty());

        r = runCli({"allocate", "--session", db, "--target-bpw", "5", "--options", "Q8_0,Q4_K,Q2_K", "--save", "five",
                    "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        j = r.json();
        QVERIFY(j["totals"].toObject()["bits_per_weight"].toDouble() <= 5.0);
        QVERIFY(j["llama_quantize_args"].toString().contains("--output-tensor-type"));
        auto store = SessionStore::open(db.toStdString());
        auto session = store->sessionByName("model");
        auto saved = store->allocations((*session)->id);
        QVERIFY(saved.ok());
        QCOMPARE(int(saved->size()), 1);
        QCOMPARE(QString::fromStdString(saved->front().name), QStringLiteral("five"));

        // Compare the saved allocations: save a second one, then list both.
        r = runCli({"allocate", "--session", db, "--budget-ppl", "0.5", "--save", "half", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const qint64 halfBytes = r.json()["totals"].toObject()["bytes"].toInteger();
        r = runCli({"allocations", "--session", db, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonArray rows = r.json()["allocations"].toArray();
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].toObject()["name"].toString(), QStringLiteral("five"));
        QCOMPARE(rows[1].toObject()["budget"].toString(), QStringLiteral("+0.5 % ppl"));
        QCOMPARE(rows[1].toObject()["bytes"].toInteger(), halfBytes);
        QCOMPARE(rows[0].toObject()["units_differing_from_first"].toInt(), 0);
        QCOMPARE(rows[1].toObject()["units"].toInt(), 30);
        r = runCli({"allocations", "--session", db});
        QVERIFY(r.out.contains("five") && r.out.contains("half"));

        // Compress by a saved allocation with GPTQ, measure, record in the session.
        const QString out = m_dir + "/five.gguf";
        const QString evalText = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/eval.txt");
        r = runCli({"compress", m_model, "--session", db, "--allocation", "five", "--method", "gptq", "--calib", m_calib,
                    "--seqs", "2", "--len", "32", "--out", out, "--eval-text", evalText, "--eval-ctx", "64", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject measured = r.json()["measured"].toObject();
        QVERIFY(measured["kl_mean"].toDouble() > 0 && measured["kl_mean"].toDouble() < 1);
        QVERIFY(measured["top1_agreement"].toDouble() > 0.5);
        auto compressions = store->compressions((*session)->id);
        QVERIFY(compressions.ok());
        QCOMPARE(int(compressions->size()), 1);
        QCOMPARE(QString::fromStdString(compressions->front().method), QStringLiteral("gptq"));
        QVERIFY(compressions->front().allocationId.has_value());
        QVERIFY(QString::fromStdString(compressions->front().metricsJson).contains("kl_p99"));
        QCOMPARE(runCli({"compress", m_model, "--uniform", "Q4_K", "--method", "gptq", "--out", out}).code, 2);
        // The plan solved straight from a budget: what allocate --budget-ppl over GGUF types gives.
        r = runCli({"compress", m_model, "--session", db, "--budget-ppl", "2", "--out", m_dir + "/two.gguf", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const double predictedTwo = r.json()["predicted_ppl_increase_percent"].toDouble();
        QVERIFY(predictedTwo > 0 && predictedTwo <= 2.0 + 1e-9);
        Run same = runCli({"allocate", "--session", db, "--budget-ppl", "2", "--options",
                           "F16,Q8_0,Q6_K,Q5_K,Q5_0,Q4_K,Q4_0,Q3_K,Q2_K", "--json"});
        QCOMPARE(same.json()["totals"].toObject()["predicted_ppl_increase_percent"].toDouble(), predictedTwo);
        QCOMPARE(runCli({"compress", m_model, "--budget-ppl", "2", "--out", out}).code, 2);  // needs --session
        QCOMPARE(runCli({"compress", m_model, "--session", db, "--budget-ppl", "2", "--uniform", "Q4_K", "--out", out}).code, 2);
        // Plain rounding in a session takes the importance of the session's calibration.
        r = runCli({"compress", m_model, "--session", db, "--uniform", "Q4_K", "--out", m_dir + "/imp.gguf", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.json()["importance_from_run"].toInteger(), qint64((*store->latestRun((*session)->id))->id));
        // Closed loop: the measured compression rescales the predictor (ln(ppl ratio) / predicted damage).
        // The session's one sample is the GPTQ run of "five" (the runs after it recorded no prediction);
        // on this fixture it measures a perplexity increase, so the fit is defined.
        const double predicted = [&] {
            auto list = store->allocations((*session)->id);
            for (const AllocationRecord& a : *list)
                if (a.name == "five")
                    return QJsonDocument::fromJson(QByteArray::fromStdString(a.totalsJson)).object()["predicted_damage"].toDouble();
            return 0.0;
        }();
        const double ratio = measured["ppl_ratio"].toDouble();
        qInfo("allocation five, GPTQ: measured ppl ratio %.6f, predicted damage %.6g nats", ratio, predicted);
        QVERIFY2(predicted > 0, "allocation five has no predicted damage in its totals");
        QVERIFY2(ratio > 1, qPrintable(QStringLiteral("measured ppl ratio %1: no increase to fit to").arg(ratio)));
        r = runCli({"allocate", "--session", db, "--target-bpw", "5", "--options", "Q8_0,Q4_K,Q2_K", "--rescale", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const double expected = std::log(ratio) / predicted;
        QVERIFY2(std::abs(r.json()["damage_scale"].toDouble() - expected) < 1e-6 * expected,
                 qPrintable(QStringLiteral("damage_scale %1, expected %2").arg(r.json()["damage_scale"].toDouble()).arg(expected)));
        r = runCli({"compress", m_model, "--session", db, "--allocation", "nope", "--out", out});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("nope"));

        r = runCli({"allocate", "--session", db, "--budget-ppl", "1", "--target-bpw", "4"});
        QCOMPARE(r.code, 2);
        r = runCli({"allocate", "--session", db, "--budget-ppl", "1", "--granularity", "row"});
        QCOMPARE(r.code, 2);
        r = runCli({"allocate", "--session", db, "--target-bpw", "4", "--options", "Q4_K,Q6_K", "--granularity",
                    "head", "--json"});
        QCOMPARE(r.code, 1);  // 64-wide head slices cannot take 256-value K-quant blocks
        QVERIFY(r.err.contains("head"));
    }

    // A model file that changed since the session was made is reported.
    void changedModelDetected()
    {
        const QString copy = m_dir + "/copy.gguf";
        std::filesystem::copy_file(m_model.toStdString(), copy.toStdString(),
                                   std::filesystem::copy_options::overwrite_existing);
        const QString db = m_dir + "/c.sqlite";
        Run r = runCli({"analyze", copy, "--calib", m_calib, "--seqs", "2", "--len", "16", "--options", "Q8_0",
                        "--probes", "Q8_0", "--no-ablation", "--session", db, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        {
            std::fstream f(copy.toStdString(), std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(-1, std::ios::end);
            f.put('\x7f');
        }
        r = runCli({"report", "--session", db, "--json"});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json()["model_changed"].toBool(), true);
        r = runCli({"report", "--session", db});
        QVERIFY(r.out.contains("has changed"));
    }
};

QTEST_GUILESS_MAIN(TestCliAnalyze)
#include "tst_cli_analyze.moc"
