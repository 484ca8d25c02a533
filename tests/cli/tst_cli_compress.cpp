// precis-cli compress / eval / export end to end: usage errors, malformed
// recipes (one clear error, nothing written), fallbacks, recipe round trip,
// llama-quantize arguments, KL of a model with itself, safetensors export,
// `eval --per-unit` (each compressed tensor measured alone), and llama.cpp's
// perplexity of its own quantized testbed files (../shared).
#include "formats/gguf.h"
#include "formats/model_loader.h"
#include "model/random_model.h"
#include "cli_support.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace precis;
namespace fs = std::filesystem;

namespace {

using Run = test::CliRun;
using test::runCli;

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestCliCompress : public QObject {
    Q_OBJECT
    QString m_dir, m_model, m_narrow, m_text;

private slots:
    void initTestCase()
    {
        m_dir = QString::fromStdString(test::scratchDir("cli-compress"));
        ModelConfig c;
        c.arch = Arch::Llama;
        c.archName = "llama";
        c.nLayer = 2; c.nEmbd = 256; c.nHead = 4; c.nHeadKv = 2; c.nFf = 256; c.nVocab = 300; c.nCtx = 64;
        m_model = m_dir + "/tiny.gguf";
        QVERIFY(gguf::writeModel(*makeRandomModel(c, 5, 0.05f), m_model.toStdString()).ok());
        c.nFf = 172;  // stories260K's feed-forward width: no block format fits ffn_down
        m_narrow = m_dir + "/narrow.gguf";
        QVERIFY(gguf::writeModel(*makeRandomModel(c, 6, 0.05f), m_narrow.toStdString()).ok());
        m_text = m_dir + "/text.txt";
        std::ofstream f(m_text.toStdString());
        for (int i = 0; i < 30; ++i) f << "the cat sat on the mat. the dog sat on the log. a bird sang " << i << ".\n";
    }

    // Every job's memory is estimated before it starts and checked against the
    // measured growth of the resident set (within 25 %); under a lower limit
    // the same results come with less memory (weights streamed, Gram matrices
    // spilled, one GPTQ tensor at a time), or a refusal naming what would fit.
    void memoryEstimatesOfEvaluationAndCompression()
    {
        const QString model = m_dir + "/mem.gguf";
        QVERIFY(test::writeMemoryTestModel(model));
        const QString text = m_dir + "/mem.txt";
        {
            std::ofstream f(text.toStdString());
            for (int i = 0; i < 400; ++i) f << "line " << i << ": the quick brown fox jumps over the lazy dog. ";
        }
        const auto within = test::peakWithinEstimate;

        // Perplexity: the weights read in place from the file, two chunks side by side.
        const QStringList ppl = {"ppl", model, "--text", text, "--ctx", "256", "--chunks", "4", "--json"};
        Run r = runCli(ppl);
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject a = r.json();
        QVERIFY(a["memory_estimate_bytes"].toDouble() > 60e6);
        QVERIFY(!a["streamed_weights"].toBool());
        QVERIFY(within(a, "ppl"));
        // Under 40 MB the weights are streamed from the file: the same perplexity.
        r = runCli(ppl + QStringList{"--max-memory", "40MB"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject b = r.json();
        QVERIFY(b["streamed_weights"].toBool());
        QVERIFY(b["memory_estimate_bytes"].toDouble() <= 40e6);
        QCOMPARE(b["ppl"].toDouble(), a["ppl"].toDouble());
        QVERIFY(within(b, "ppl, streamed"));
        r = runCli({"ppl", model, "--text", text, "--ctx", "256", "--max-memory", "12MB"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("memory limit") && r.err.contains("--threads 1"), r.err.constData());

        // Compression: plain rounding, then GPTQ (Gram matrices and their inverses).
        const QString q4 = m_dir + "/mem-q4.gguf";
        r = runCli({"compress", model, "--out", q4, "--uniform", "Q4_K", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(within(r.json(), "compress Q4_K"));
        const QStringList gptq = {"compress", model, "--uniform", "Q4_K", "--method", "gptq", "--calib", text,
                                  "--seqs", "8", "--len", "128", "--json"};
        r = runCli(gptq + QStringList{"--out", m_dir + "/mem-g1.gguf"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject g = r.json();
        QVERIFY(!g["gram_scratch"].toBool());
        QVERIFY(within(g, "compress GPTQ"));
        const QString scratch = m_dir + "/mem-scratch";
        QDir().mkpath(scratch);
        r = runCli(gptq + QStringList{"--out", m_dir + "/mem-g2.gguf", "--max-memory", "160MB", "--scratch", scratch});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject h = r.json();
        QVERIFY(h["gram_scratch"].toBool());
        QVERIFY(h["memory_estimate_bytes"].toDouble() <= 160e6);
        QVERIFY(within(h, "compress GPTQ, spilled"));
        QCOMPARE(fileBytes(m_dir + "/mem-g2.gguf"), fileBytes(m_dir + "/mem-g1.gguf"));  // the same encoding
        QCOMPARE(QDir(scratch).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size(), 0);

        // Evaluation: both models' engines and both chunks' logits.
        r = runCli({"eval", model, q4, "--text", text, "--ctx", "256", "--chunks", "4", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject e = r.json();
        QVERIFY(within(e, "eval"));
        r = runCli({"eval", model, q4, "--text", text, "--ctx", "256", "--chunks", "4", "--json", "--max-memory",
                    "50MB"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject f = r.json();
        QVERIFY(f["streamed_weights"].toBool());
        QCOMPARE(f["kl_mean"].toDouble(), e["kl_mean"].toDouble());
        QCOMPARE(f["ppl_compressed"].toDouble(), e["ppl_compressed"].toDouble());
    }

    void usageErrors()
    {
        const QString out = m_dir + "/u.gguf";
        QCOMPARE(runCli({"compress", m_model, "--out", out}).code, 2);                         // no plan
        QCOMPARE(runCli({"compress", m_model, "--uniform", "Q4_K"}).code, 2);                   // no output
        QCOMPARE(runCli({"compress", m_model, "--out", out, "--uniform", "Q4_K", "--recipe", "r.json"}).code, 2);
        Run r = runCli({"compress", m_model, "--out", out, "--uniform", "Q9_K"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("Q4_K"), r.err.constData());  // lists the valid schemes
        QCOMPARE(runCli({"compress", m_model, "--out", out, "--uniform", "Q4_K", "--rtn-as", "q8"}).code, 2);
        QCOMPARE(runCli({"eval", m_model, m_model}).code, 2);                                   // no --text
        QCOMPARE(runCli({"eval", m_model, "--text", m_text}).code, 2);                          // one model
        QCOMPARE(runCli({"export", m_model, "--out", m_dir + "/x", "--format", "onnx"}).code, 2);
        QCOMPARE(runCli({"export", m_model, "--out", m_dir + "/x"}).code, 2);                   // format unknown
        QCOMPARE(runCli({"export", m_model, "--out", m_dir + "/x.gguf", "--dtype", "f16"}).code, 2);
        QCOMPARE(runCli({"export", m_model, "--out", m_dir + "/x", "--format", "safetensors", "--dtype", "q4"}).code, 2);
        QCOMPARE(runCli({"compress", "--help"}).code, 0);
        QVERIFY(!fs::exists(out.toStdString()));
    }

    void malformedRecipesWriteNothing()
    {
        const QString out = m_dir + "/bad.gguf";
        const std::pair<const char*, const char*> cases[] = {
            {R"({"tensors": {"blk.7.attn_q.weight": "Q4_K"}})", "blk.7.attn_q.weight"},
            {R"({"tensors": {"blk.0.attn_q.weight": "Q4_X"}})", "Q4_X"},
            {R"({"tensors": {"blk.0.ffn_down.weight": "Q4_K"}})", "multiple of 256"},
            {R"({"tensors": {"blk.0.attn_norm.weight": "Q8_0"}})", "blk.0.attn_norm.weight"},
            {R"({"tensors": )", "recipe.json"},
        };
        for (const auto& [text, expect] : cases) {
            const QString recipe = m_dir + "/recipe.json";
            std::ofstream(recipe.toStdString()) << text;
            Run r = runCli({"compress", m_narrow, "--out", out, "--recipe", recipe});
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains(expect), r.err.constData());
            QCOMPARE(r.err.count('\n'), 1);
            QVERIFY(!fs::exists(out.toStdString()) && !fs::exists((out + ".tmp-precis").toStdString()));
        }
        Run r = runCli({"compress", m_model, "--out", m_dir + "/no/such/folder/x.gguf", "--uniform", "Q8_0"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("does not exist"), r.err.constData());
        r = runCli({"export", m_model, "--out", m_dir + "/no/such/hf", "--format", "safetensors"});
        QCOMPARE(r.code, 1);
        QVERIFY(!fs::exists((m_dir + "/no").toStdString()));
        r = runCli({"compress", m_model, "--out", m_dir + "/rtn.gguf", "--uniform", "RTN4g32"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("RTN4g32") && r.err.contains("F16"), r.err.constData());
        QVERIFY(!fs::exists((m_dir + "/rtn.gguf").toStdString()));
        r = runCli({"compress", m_model, "--out", m_dir + "/rtn.gguf", "--uniform", "RTN4g32", "--rtn-as", "f16", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.json()["notes"].toArray().size(), 1);
    }

    void uniformWithFallbacksAndRecipeRoundTrip()
    {
        const QString out = m_dir + "/narrow-q4k.gguf", recipe = m_dir + "/narrow.recipe.json";
        Run r = runCli({"compress", m_narrow, "--out", out, "--uniform", "Q4_K", "--recipe-out", recipe});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("fallback: blk.0.ffn_down.weight: rows of 172 values do not fit Q4_K, using F16"),
                 r.out.constData());
        auto model = loadModel(out.toStdString());
        QVERIFY(model.ok());
        QCOMPARE((*model)->find("blk.1.ffn_down.weight")->dtype, DType::F16);
        QCOMPARE((*model)->find("blk.1.ffn_gate.weight")->dtype, DType::Q4_K);
        QCOMPARE((*model)->find("output_norm.weight")->dtype, DType::F32);
        // The recipe written reproduces the same file byte for byte.
        const QString again = m_dir + "/narrow-again.gguf";
        r = runCli({"compress", m_narrow, "--out", again, "--recipe", recipe, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(fileBytes(again), fileBytes(out));
        const QJsonObject o = r.json();
        QCOMPARE(o["tensors"].toInt(), 16);
        QCOMPARE(o["schemes"].toObject()["Q4_K"].toInt(), 14);
        QCOMPARE(o["schemes"].toObject()["F16"].toInt(), 2);
        QCOMPARE(o["file_bytes"].toInteger(), qint64(fs::file_size(again.toStdString())));
        QVERIFY(o["bits_per_weight"].toDouble() > 4.5 && o["bits_per_weight"].toDouble() < 8);
    }

    void llamaQuantizeArgsAlone()
    {
        Run r = runCli({"compress", m_model, "--uniform", "Q4_K", "--llama-quantize-args"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.startsWith("llama-quantize --token-embedding-type q4_k --output-tensor-type q4_k "
                                  "--tensor-type '^blk\\.0\\.attn_q\\.weight$=q4_k'"),
                 r.out.constData());
        QVERIFY2(r.out.trimmed().endsWith((m_model + " OUT.gguf Q8_0").toUtf8()), r.out.constData());
        r = runCli({"compress", m_model, "--uniform", "Q4_K", "--llama-quantize-args", "--json"});
        QCOMPARE(r.json()["llama_quantize_args"].toArray().last().toString(), QStringLiteral("Q8_0"));
    }

    void evalAndExport()
    {
        Run r = runCli({"eval", m_model, m_model, "--text", m_text, "--ctx", "32", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QJsonObject o = r.json();
        QCOMPARE(o["kl_mean"].toDouble(), 0.0);
        QCOMPARE(o["top1_agreement"].toDouble(), 1.0);
        QCOMPARE(o["ppl_ratio"].toDouble(), 1.0);
        QVERIFY(o["tokens_scored"].toInt() > 0);

        const QString q4 = m_dir + "/tiny-q4_0.gguf";
        QCOMPARE(runCli({"compress", m_model, "--out", q4, "--uniform", "Q4_0"}).code, 0);
        r = runCli({"eval", m_model, q4, "--text", m_text, "--ctx", "32", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        o = r.json();
        QVERIFY(o["kl_mean"].toDouble() > 0 && o["kl_p99"].toDouble() >= o["kl_mean"].toDouble());
        QVERIFY(std::abs(o["ppl_ratio"].toDouble() - 1) < 0.1);
        QVERIFY(std::abs(o["bits_per_weight_compressed"].toDouble() - 4.5) < 0.1);
        r = runCli({"eval", m_model, q4, "--text", m_text, "--ctx", "32"});
        QVERIFY(r.out.contains("top-1 agreement"));

        // Dequantized to safetensors: loads back with the compressed values.
        const QString hf = m_dir + "/hf";
        r = runCli({"export", q4, "--out", hf, "--format", "safetensors", "--dtype", "f32", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.json()["dtype"].toString(), QStringLiteral("F32"));
        r = runCli({"eval", q4, hf, "--text", m_text, "--ctx", "32", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.json()["kl_mean"].toDouble() < 1e-9);
        QCOMPARE(r.json()["top1_agreement"].toDouble(), 1.0);
        // And back to GGUF (F32 tensors as loaded).
        r = runCli({"export", hf, "--out", m_dir + "/from-hf.gguf", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(loadModel((m_dir + "/from-hf.gguf").toStdString()).ok());
    }

    // eval --per-unit: one row per compressed tensor, sorted by Δloss, in the table and in --json.
    void evalPerUnit()
    {
        const QString q4 = m_dir + "/per-unit-q4_0.gguf";
        QCOMPARE(runCli({"compress", m_model, "--out", q4, "--uniform", "Q4_0"}).code, 0);
        Run r = runCli({"eval", m_model, q4, "--text", m_text, "--ctx", "32", "--per-unit", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject o = r.json();
        QVERIFY(o["kl_mean"].toDouble() > 0);  // the whole-model comparison is still there
        const QJsonArray units = o["units"].toArray();
        QCOMPARE(units.size(), 2 * 7 + 2);  // q k v o gate up down per layer, token_embd, output
        QSet<QString> names;
        double previous = INFINITY;
        for (const QJsonValue& v : units) {
            const QJsonObject u = v.toObject();
            names.insert(u["tensor"].toString());
            QCOMPARE(u["scheme"].toString(), QStringLiteral("Q4_0"));
            QVERIFY(u["measured_dloss"].isDouble());
            QVERIFY(u["measured_kl"].isDouble() && u["measured_kl"].toDouble() > 0);
            QVERIFY(u["measured_dloss"].toDouble() <= previous);  // largest Δloss first
            previous = u["measured_dloss"].toDouble();
        }
        QCOMPARE(names.size(), units.size());
        QVERIFY(names.contains(QStringLiteral("blk.1.ffn_down.weight")) && names.contains(QStringLiteral("output.weight")));
        QVERIFY(o["unit_seconds"].toDouble() >= 0);

        // The table: a heading, then the tensors in the same order.
        r = runCli({"eval", m_model, q4, "--text", m_text, "--ctx", "32", "--per-unit"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("top-1 agreement"));
        QVERIFY(r.out.contains("measured KL"));
        const qsizetype first = r.out.indexOf(units.first().toObject()["tensor"].toString().toUtf8() + ' ');
        const qsizetype last = r.out.indexOf(units.last().toObject()["tensor"].toString().toUtf8() + ' ');
        QVERIFY(first > 0 && last > first);

        // Without the option no "units"; a model against itself has none to measure.
        r = runCli({"eval", m_model, q4, "--text", m_text, "--ctx", "32", "--json"});
        QVERIFY(!r.json().contains("units"));
        r = runCli({"eval", m_model, m_model, "--text", m_text, "--ctx", "32", "--per-unit", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.json()["units"].toArray().isEmpty());
        // Another architecture (the narrow feed-forward): one clear error.
        r = runCli({"eval", m_model, m_narrow, "--text", m_text, "--ctx", "32", "--per-unit"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("n_ff"), r.err.constData());
    }

    void testbedPerplexityMatchesLlamaCpp()
    {
        PRECIS_REQUIRE_SHARED("data/gguf-quants/testbed-F32.gguf");
        PRECIS_REQUIRE_SHARED("data/text/tinystories-head.txt");
        PRECIS_REQUIRE_SHARED("reference/gguf-quants.json");
        std::ifstream f(test::sharedPath("reference/gguf-quants.json"));
        const auto ref = nlohmann::json::parse(f)["perplexity_llama_cpp"]["ppl"];
        const QString f32 = QString::fromStdString(test::sharedPath("data/gguf-quants/testbed-F32.gguf"));
        const QString text = QString::fromStdString(test::sharedPath("data/text/tinystories-head.txt"));
        for (const char* q : {"Q4_0", "Q8_0", "Q6_K"}) {
            const QString out = m_dir + "/testbed-" + q + ".gguf";
            QCOMPARE(runCli({"compress", f32, "--out", out, "--uniform", q}).code, 0);
            Run r = runCli({"eval", f32, out, "--text", text, "--ctx", "128", "--chunks", "16", "--json"});
            QVERIFY2(r.code == 0, r.err.constData());
            const double ours = r.json()["ppl_compressed"].toDouble();
            const double theirs = ref[std::string("testbed-") + q + ".gguf"].get<double>();
            qInfo("%s: precis %.4f, llama.cpp %.4f (%+.3f %%)", q, ours, theirs, 100 * (ours / theirs - 1));
            QVERIFY(std::abs(ours / theirs - 1) < 0.01);
            QVERIFY(std::abs(r.json()["ppl_original"].toDouble() / ref["testbed-F32.gguf"].get<double>() - 1) < 1e-4);
        }
    }
};

QTEST_GUILESS_MAIN(TestCliCompress)
#include "tst_cli_compress.moc"
