// precis-cli bench end to end: usage errors, a missing model, a missing CUDA
// device, two models compared (JSON figures consistent with the files and the
// ceiling), and results recorded in a session and read back.
#include "session/session_benchmarks.h"
#include "eval/compress.h"
#include "eval/compression_plan.h"
#include "formats/gguf.h"
#include "model/random_model.h"
#include "session/session_store.h"
#include "cli_support.h"
#include "test_support.h"

#include <QJsonArray>

#include <filesystem>

using namespace precis;
namespace fs = std::filesystem;

class TestCliBench : public QObject {
    Q_OBJECT
    QString m_dir, m_model, m_q8;

private slots:
    void initTestCase()
    {
        m_dir = QString::fromStdString(test::scratchDir("cli-bench"));
        ModelConfig c;
        c.arch = Arch::Llama;
        c.archName = "llama";
        c.nLayer = 2; c.nEmbd = 256; c.nHead = 4; c.nHeadKv = 2; c.nFf = 256; c.nVocab = 300; c.nCtx = 64;
        auto m = makeRandomModel(c, 5, 0.05f);
        m_model = m_dir + "/tiny.gguf";
        QVERIFY(gguf::writeModel(*m, m_model.toStdString()).ok());
        auto plan = uniformPlan(*m, "Q8_0");
        QVERIFY(plan.ok());
        auto q = compressModel(*m, plan->plan);
        QVERIFY(q.ok());
        m_q8 = m_dir + "/tiny-q8.gguf";
        QVERIFY(exportGguf(**q, m_q8.toStdString()).ok());
    }

    void usageErrors()
    {
        QCOMPARE(test::runCli({"bench"}).code, 2);
        QCOMPARE(test::runCli({"bench", m_model, "--device", "tpu"}).code, 2);
        QCOMPARE(test::runCli({"bench", m_model, "--reps", "0"}).code, 2);
        QCOMPARE(test::runCli({"bench", m_model, "--kv", "q4"}).code, 2);
        QCOMPARE(test::runCli({"bench", m_model, "--uniform", "RTN9g32"}).code, 2);
        QCOMPARE(test::runCli({"bench", m_model, "--uniform", "Q8_0", "--recipe", m_dir + "/r.json"}).code, 2);
        const test::CliRun missing = test::runCli({"bench", m_dir + "/nope.gguf", "--reps", "1"});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains("nope.gguf"), missing.err.constData());
    }

    // Without the CUDA backend, or without a GPU, one clear line.
    void cudaWithoutADevice()
    {
        const test::CliRun r = test::runCli({"bench", m_model, "--device", "cuda", "--reps", "1"});
        if (r.code == 0) QSKIP("a CUDA device is present: its benchmark is tested by tst_engine_cuda");
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("CUDA"), r.err.constData());
    }

    void comparesModels()
    {
        const test::CliRun r = test::runCli({"bench", m_model, m_q8, "--prompt", "16", "--gen", "8", "--reps", "2",
                                             "--threads", "1", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = r.json();
        QCOMPARE(j["machine"].toObject()["threads"].toInt(), 1);
        const double gbs = j["machine"].toObject()["bandwidth_gbs"].toObject()["median"].toDouble();
        QVERIFY(gbs > 0);
        const QJsonArray results = j["results"].toArray();
        QCOMPARE(results.size(), 2);
        const QString paths[] = {m_model, m_q8};
        for (int i = 0; i < 2; ++i) {
            const QJsonObject o = results[i].toObject();
            QCOMPARE(o["model"].toString(), paths[i]);
            QCOMPARE(qint64(o["file_bytes"].toDouble()), qint64(fs::file_size(paths[i].toStdString())));
            QCOMPARE(o["prompt"].toInt(), 16);
            QCOMPARE(o["gen"].toInt(), 8);
            QVERIFY(o["decode_tok_s"].toObject()["median"].toDouble() > 0);
            QVERIFY(o["prefill_tok_s"].toObject()["min"].toDouble() > 0);
            // Each result's ceiling comes from the bandwidth read beside its own decodes.
            QVERIFY(o["bandwidth_gbs"].toDouble() > 0);
            QVERIFY(qFuzzyCompare(o["ceiling_tok_s"].toDouble(),
                                  o["bandwidth_gbs"].toDouble() * 1e9 / o["bytes_per_token"].toDouble()));
        }
        // Q8_0 stores 34 bytes per 32 weights: far fewer bytes per token than F32.
        const double ratio = results[0].toObject()["bytes_per_token"].toDouble() /
                             results[1].toObject()["bytes_per_token"].toDouble();
        QVERIFY2(ratio > 3.0 && ratio < 4.0, qPrintable(QString::number(ratio)));
        QVERIFY(results[1].toObject()["weight_types"].toString().startsWith("Q8_0"));

        const test::CliRun text = test::runCli({"bench", m_model, m_q8, "--prompt", "8", "--gen", "4", "--reps", "1",
                                                "--threads", "1"});
        QVERIFY2(text.code == 0, text.err.constData());
        QVERIFY(text.out.contains("decode tok/s"));
        QVERIFY(text.out.contains("tiny-q8.gguf vs tiny.gguf: decode"));
    }

    // The estimate each run is checked against before it starts, against the
    // peak it measured (within 25 %), and the refusal under a lower limit.
    void memoryEstimate()
    {
        const QString model = m_dir + "/mem.gguf";
        QVERIFY(test::writeMemoryTestModel(model));
        test::CliRun r = test::runCli({"bench", model, "--prompt", "256", "--gen", "16", "--reps", "1", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject o = r.json()["results"].toArray()[0].toObject();
        const double estimate = o["memory_estimate_bytes"].toDouble(), peak = o["peak_memory_bytes"].toDouble();
        qInfo("estimate %.1f MiB, measured peak %.1f MiB (ratio %.3f)", estimate / 1048576, peak / 1048576,
              peak / estimate);
        QVERIFY(estimate > 60e6);  // the file's F32 weights as the passes read them
        QVERIFY2(peak >= 0.75 * estimate && peak <= 1.25 * estimate, qPrintable(QString::number(peak / estimate)));
        r = test::runCli({"bench", model, "--prompt", "256", "--gen", "16", "--reps", "1", "--max-memory", "20MB"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("benchmark") && r.err.contains("memory limit"), r.err.constData());
    }

    // --uniform: the first model compressed in memory (RTN has no file format)
    // is measured after the files, on the RTN kernels.
    void compressesInMemory()
    {
        const test::CliRun r = test::runCli({"bench", m_model, "--uniform", "RTN4g64", "--prompt", "16", "--gen", "8",
                                             "--reps", "2", "--threads", "1", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonArray results = r.json()["results"].toArray();
        QCOMPARE(results.size(), 2);
        const QJsonObject o = results[1].toObject();
        QCOMPARE(o["model"].toString(), m_model + " [RTN4g64]");
        QVERIFY(o["weight_types"].toString().startsWith("RTN4g64"));
        QCOMPARE(o["file_bytes"].toDouble(), o["weight_bytes"].toDouble());
        QVERIFY(o["decode_tok_s"].toObject()["median"].toDouble() > 0);
        // 34 bytes per 64 weights against 4 bytes per weight.
        const double ratio = results[0].toObject()["bytes_per_token"].toDouble() / o["bytes_per_token"].toDouble();
        QVERIFY2(ratio > 5 && ratio < 8, qPrintable(QString::number(ratio)));
    }

    void recordsInTheSession()
    {
        const QString db = m_dir + "/s.sqlite";
        {
            auto store = SessionStore::open(db.toStdString());
            QVERIFY(store.ok());
            auto modelId = store->addModelFile(m_model.toStdString(), "llama", 1);
            QVERIFY(modelId.ok());
            QVERIFY(store->createSession("bench test", *modelId).ok());
        }
        const test::CliRun r = test::runCli({"bench", m_model, "--prompt", "8", "--gen", "4", "--reps", "1",
                                             "--threads", "1", "--session", db, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.json()["session"].toString(), QStringLiteral("bench test"));
        const test::CliRun missing = test::runCli({"bench", m_model, "--reps", "1", "--session", db, "--name", "nope"});
        QCOMPARE(missing.code, 1);
        QVERIFY(missing.err.contains("nope"));

        auto store = SessionStore::open(db.toStdString());
        QVERIFY(store.ok());
        auto sessions = store->sessions();
        QVERIFY(sessions.ok());
        auto list = loadBenchmarks(*store, sessions->front().id);
        QVERIFY(list.ok());
        QCOMPARE(list->size(), size_t(1));
        QCOMPARE(list->front().role, BenchRole::Original);
        QCOMPARE(list->front().result.gen, 4);
        QCOMPARE(qint64(list->front().id), qint64(r.json()["results"].toArray()[0].toObject()["session_record"].toDouble()));
    }
};

QTEST_GUILESS_MAIN(TestCliBench)
#include "tst_cli_bench.moc"
