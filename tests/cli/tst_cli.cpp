// precis-cli end to end: runs the real binary on generated and reference models and
// checks exit codes, messages and JSON results.
#include "formats/gguf.h"
#include "model/random_model.h"
#include "cli_support.h"
#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <cmath>
#include <fstream>

using namespace precis;

namespace {

using Run = test::CliRun;
using test::runCli;

} // namespace

class TestCli : public QObject {
    Q_OBJECT
    QString m_dir, m_model, m_text;

private slots:
    void initTestCase()
    {
        m_dir = QString::fromStdString(test::scratchDir("cli"));
        ModelConfig c;
        c.arch = Arch::Llama;
        c.archName = "llama";
        c.nLayer = 2; c.nEmbd = 32; c.nHead = 4; c.nHeadKv = 2; c.nFf = 64; c.nVocab = 300; c.nCtx = 64;
        auto model = makeRandomModel(c, 7);
        m_model = m_dir + "/tiny.gguf";
        QVERIFY(gguf::writeModel(*model, m_model.toStdString()).ok());
        m_text = m_dir + "/text.txt";
        std::ofstream(m_text.toStdString()) << "the cat sat on the mat. the dog sat on the log. "
                                               "a bird sang in the tree and the sun was warm.\n";
    }

    void usageErrors()
    {
        QCOMPARE(runCli({}).code, 2);
        QCOMPARE(runCli({"frobnicate"}).code, 2);
        QCOMPARE(runCli({"info"}).code, 2);                       // missing MODEL
        QCOMPARE(runCli({"ppl", m_model}).code, 2);               // missing --text
        QCOMPARE(runCli({"ppl", m_model, "--text", m_text, "--ctx", "abc"}).code, 2);
        QCOMPARE(runCli({"tokenize", m_model, "--string", "a", "--text", m_text}).code, 2);
        QCOMPARE(runCli({"info", "--bogus", m_model}).code, 2);
        QCOMPARE(runCli({"info", "--help"}).code, 0);
    }

    void badInputNamesTheFile()
    {
        const QString bad = m_dir + "/bad.gguf";
        std::ofstream(bad.toStdString()) << "GGUF\x03";
        Run r = runCli({"info", bad});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(bad.toUtf8()), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);  // one line
        r = runCli({"info", m_dir + "/missing.gguf"});
        QCOMPARE(r.code, 1);
        const QString empty = m_dir + "/empty.txt";
        std::ofstream(empty.toStdString()).flush();
        r = runCli({"ppl", m_model, "--text", empty});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("empty"), r.err.constData());
    }

    void infoJson()
    {
        Run r = runCli({"info", m_model, "--json"});
        QCOMPARE(r.code, 0);
        const QJsonObject o = r.json();
        QCOMPARE(o["format"].toString(), QStringLiteral("gguf"));
        QCOMPARE(o["config"].toObject()["n_layer"].toInt(), 2);
        QCOMPARE(o["config"].toObject()["n_head_kv"].toInt(), 2);
        // 2 layers × 9 tensors + token_embd + output_norm + output
        QCOMPARE(o["tensors"].toArray().size(), 2 * 9 + 3);
        qint64 params = 0;
        for (const auto& t : o["tensors"].toArray()) {
            qint64 n = 1;
            for (const auto& d : t.toObject()["shape"].toArray()) n *= d.toInteger();
            params += n;
        }
        QCOMPARE(o["parameters"].toInteger(), params);
        r = runCli({"info", m_model});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("blk.1.ffn_down.weight"));
    }

    void tokenizeRoundTrip()
    {
        Run r = runCli({"tokenize", m_model, "--string", "the cat", "--json", "--pieces"});
        QCOMPARE(r.code, 0);
        const QJsonArray ids = r.json()["ids"].toArray();
        QVERIFY(ids.size() >= 2);
        QCOMPARE(r.json()["count"].toInt(), ids.size());
        QString joined;
        for (const auto& piece : r.json()["pieces"].toArray()) joined += piece.toString();
        QVERIFY2(joined.contains(QStringLiteral("the cat")), qPrintable(joined));
    }

    void pplMatchesDefinition()
    {
        // With --all-tokens and a window covering the text, ppl = exp(mean NLL) and the
        // number of scored tokens is (tokens - 1) per window.
        Run r = runCli({"ppl", m_model, "--text", m_text, "--ctx", "16", "--all-tokens", "--json"});
        QCOMPARE(r.code, 0);
        const QJsonObject o = r.json();
        QVERIFY(o["chunks"].toInt() >= 1);
        QCOMPARE(o["tokens_scored"].toInt(), o["chunks"].toInt() * 15);
        QVERIFY(std::abs(o["ppl"].toDouble() - std::exp(o["mean_nll"].toDouble())) < 1e-6 * o["ppl"].toDouble());
        // A random model is close to uniform over the 300 tokens.
        QVERIFY(o["ppl"].toDouble() > 100 && o["ppl"].toDouble() < 1000);
    }

    void generateDeterministic()
    {
        Run a = runCli({"generate", m_model, "--prompt", "the", "-n", "12", "--json"});
        Run b = runCli({"generate", m_model, "--prompt", "the", "-n", "12", "--json"});
        QCOMPARE(a.code, 0);
        QVERIFY(a.json()["ids"].toArray().size() == 12 || a.json()["stop"].toString() == QStringLiteral("eos"));
        QVERIFY(!a.json()["ids"].toArray().isEmpty());
        QCOMPARE(a.json()["ids"], b.json()["ids"]);
        Run s1 = runCli({"generate", m_model, "--prompt", "the", "-n", "12", "--temp", "1", "--seed", "5", "--json"});
        Run s2 = runCli({"generate", m_model, "--prompt", "the", "-n", "12", "--temp", "1", "--seed", "5", "--json"});
        QCOMPARE(s1.json()["ids"], s2.json()["ids"]);
    }

    void stories260KGolden()
    {
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        const QString model = QString::fromStdString(test::sharedPath("data/models/stories260K.gguf"));
        const QString text = QString::fromStdString(test::sharedPath("data/text/tinystories-head.txt"));
        Run r = runCli({"ppl", model, "--text", text, "--ctx", "256", "--json"});
        QCOMPARE(r.code, 0);
        QJsonObject o = r.json();
        QCOMPARE(o["chunks"].toInt(), 393);
        QCOMPARE(o["tokens_scored"].toInt(), 49911);
        QVERIFY2(std::abs(o["ppl"].toDouble() - 6.048124) < 0.0005, qPrintable(QString::number(o["ppl"].toDouble(), 'f', 6)));

        r = runCli({"tokenize", model, "--text", text, "--json"});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.json()["count"].toInt(), 100708);

        r = runCli({"generate", model, "--prompt", "", "-n", "60", "--json"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.json()["text"].toString().startsWith(QStringLiteral("Once upon a time, there was a little girl named Lily.")),
                 qPrintable(r.json()["text"].toString()));
    }

    void hfFolderMatchesGguf()
    {
        PRECIS_REQUIRE_SHARED("data/models/stories260K-hf/config.json");
        const QString model = QString::fromStdString(test::sharedPath("data/models/stories260K-hf"));
        const QString text = QString::fromStdString(test::sharedPath("data/text/tinystories-head.txt"));
        Run r = runCli({"ppl", model, "--text", text, "--ctx", "256", "--json"});
        QCOMPARE(r.code, 0);
        QVERIFY(std::abs(r.json()["ppl"].toDouble() - 6.048124) < 0.0005);
        r = runCli({"info", model, "--json"});
        QCOMPARE(r.json()["format"].toString(), QStringLiteral("safetensors"));
        QCOMPARE(r.json()["config"].toObject()["rope_layout"].toString(), QStringLiteral("rotate-half"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
