// Core messages in the user's language (app/core_messages.h): progress stages
// with numbers and names, errors as "where: message", unknown text unchanged;
// every template of the table reachable and in both catalogues; and every stage
// the studio's calibration, compression, evaluation and benchmark jobs really
// report on the sample model is matched by the table.
#include "calibration_job.h"
#include "generation_job.h"

#include "eval/compress_job.h"
#include "core_messages.h"
#include "language.h"

#include "bench/benchmark.h"
#include "common/mapped_file.h"
#include "engine/engine.h"
#include "eval/perplexity.h"
#include "formats/model_loader.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "test_support.h"

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTranslator>
#include <QtTest/QtTest>

#include <fstream>
#include <mutex>
#include <set>

using namespace precis;
using app::coreErrorText;
using app::translateCoreMessage;

namespace {

const std::string kSample = PRECIS_SOURCE_DIR "/resources/sample/model.gguf";
const QString kCalib = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/calib.txt");
const QString kEval = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/eval.txt");

// Collects every stage a job reports (Progress serialises its sink).
struct StageLog {
    std::set<std::string> stages;
    Progress progress{[this](double, const std::string& stage) { stages.insert(stage); }};
};

} // namespace

class TestGuiCoreMessages : public QObject {
    Q_OBJECT

    std::shared_ptr<const Model> m_model;
    std::shared_ptr<const Tokenizer> m_tokenizer;
    EngineSource m_engine;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("PrecisTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_core_messages"));
        auto model = loadModel(kSample);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().toString().c_str());
        m_model = *model;
        auto tok = Tokenizer::create(m_model->tokenizer);
        QVERIFY(tok.ok());
        m_tokenizer = *tok;
        auto engine = std::make_shared<std::shared_ptr<const Engine>>();
        m_engine = [model = m_model, engine]() -> Result<std::shared_ptr<const Engine>> {
            if (!*engine) {
                PRECIS_TRY_ASSIGN(std::unique_ptr<Engine> e, Engine::create(model));
                *engine = std::move(e);
            }
            return *engine;
        };
    }

    void cleanup() { QVERIFY(app::installLanguage(QStringLiteral("en"))); }

    void germanStagesAndErrors_data()
    {
        QTest::addColumn<QString>("english");
        QTest::addColumn<QString>("german");
        QTest::newRow("stage with numbers") << "statistics: sequences 9–16 of 32" << "Statistik: Sequenzen 9–16 von 32";
        QTest::newRow("benchmark repetition") << "repetition 3 of 5" << "Wiederholung 3 von 5";
        QTest::newRow("stage with a name") << "compress blk.0.attn_q.weight" << "blk.0.attn_q.weight wird komprimiert";
        QTest::newRow("prefixed stage") << "Evaluating: compare" << "Auswertung: Vergleich";
        QTest::newRow("prefixed stage with name")
            << "Per tensor: measuring tensors 3/29: blk.0.attn_q.weight"
            << "Pro Tensor: Tensoren werden gemessen 3/29: blk.0.attn_q.weight";
        QTest::newRow("label kept, stage translated")
            << "Original: model: repetition 2 of 5" << "Original: model: Wiederholung 2 von 5";
        QTest::newRow("value holding a placeholder") << "Reading /tmp/%1.txt" << "/tmp/%1.txt wird gelesen";
        QTest::newRow("nested message") << "loading model.gguf cancelled" << "Laden von model.gguf abgebrochen";
        QTest::newRow("where and message")
            << "evaluation text: no file given: choose a text to measure on"
            << "Auswertungstext: keine Datei angegeben: Wählen Sie einen Text zum Messen";
    }

    void germanStagesAndErrors()
    {
        QFETCH(QString, english);
        QFETCH(QString, german);
        QVERIFY(app::installLanguage(QStringLiteral("de")));
        bool matched = false;
        QCOMPARE(translateCoreMessage(english.toStdString(), &matched), german);
        QVERIFY(matched);
        // English installed: the message as the core wrote it, still recognised.
        QVERIFY(app::installLanguage(QStringLiteral("en")));
        matched = false;
        QCOMPARE(translateCoreMessage(english.toStdString(), &matched), english);
        QVERIFY(matched);
    }

    void errorsNameWhere()
    {
        QVERIFY(app::installLanguage(QStringLiteral("de")));
        const Error magic = makeError(ErrorCode::Format, "/tmp/m.gguf", "bad magic 'PK\\x03\\x04', expected 'GGUF' (not a GGUF file)");
        QCOMPARE(coreErrorText(magic), QStringLiteral("/tmp/m.gguf: ungültige Kennung 'PK\\x03\\x04', erwartet 'GGUF' (keine GGUF-Datei)"));
        const Error dup = makeError(ErrorCode::Format, "m.gguf: tensor 'blk.0.attn_q.weight'", "duplicate tensor name (first as tensor #3)");
        QCOMPARE(coreErrorText(dup),
                 QStringLiteral("m.gguf: Tensor 'blk.0.attn_q.weight': doppelter Tensorname (zuerst als Tensor #3)"));
        QVERIFY(app::installLanguage(QStringLiteral("zh_CN")));
        QCOMPARE(coreErrorText(dup), QStringLiteral("m.gguf：张量 'blk.0.attn_q.weight'：张量名称重复（首次出现为张量 #3）"));
        QCOMPARE(translateCoreMessage("repetition 3 of 5"), QStringLiteral("第 3 次重复，共 5 次"));
    }

    void unknownMessagesUnchanged_data()
    {
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown stage") << "frobnicating the widgets 3/4";
        QTest::newRow("unknown error with where") << "model.gguf: something odd: at byte 12";
        QTest::newRow("close to a template") << "statistics: sequences one–two of 32";
        QTest::newRow("template plus extra text") << "done twice";
        QTest::newRow("empty") << "";
    }

    void unknownMessagesUnchanged()
    {
        QFETCH(QString, message);
        QVERIFY(app::installLanguage(QStringLiteral("de")));
        bool matched = true;
        QCOMPARE(translateCoreMessage(message.toStdString(), &matched), message);
        QVERIFY(!matched);
    }

    // Each template, filled with sample values, comes back as its own translation
    // (no earlier template shadows it), and both catalogues translate it.
    void everyTemplateReachable()
    {
        QVERIFY(app::installLanguage(QStringLiteral("de")));
        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(":/i18n/precis_zh_CN.qm")));
        QVERIFY(app::coreMessageTemplateCount() > 100);
        for (int i = 0; i < app::coreMessageTemplateCount(); ++i) {
            const app::CoreMessageTemplate t = app::coreMessageTemplate(i);
            QString english = QString::fromUtf8(t.text);
            QString expected = QCoreApplication::translate(app::kCoreMessageContext, t.text);
            QVERIFY2(!zh.translate(app::kCoreMessageContext, t.text).isEmpty(), t.text);
            QVERIFY2(expected != english || english.startsWith(QLatin1String("GPTQ")) ||
                         english.startsWith(QLatin1String("AWQ:")),
                     t.text);  // German differs but for method names
            for (int k = int(qstrlen(t.kinds)); k >= 1; --k) {
                const char kind = t.kinds[k - 1];
                const QString value = kind == 'n' ? QString::number(6 + k) : kind == 's' ? QStringLiteral("v%1").arg(k)
                                                                                          : QStringLiteral("done");
                const QString placeholder = QStringLiteral("%") + QString::number(k);
                english.replace(placeholder, value);
                expected.replace(placeholder, kind == 'm' ? QStringLiteral("fertig") : value);
            }
            bool matched = false;
            QCOMPARE(translateCoreMessage(english.toStdString(), &matched), expected);
            QVERIFY2(matched, t.text);
        }
    }

    // The stages the studio's jobs report on the sample model, all matched.
    void jobStagesAreTranslated()
    {
        const std::string scratch = test::scratchDir("core_messages");
        const QString db = QString::fromStdString(scratch + "/sessions.sqlite");
        CancelToken cancel;
        StageLog log;

        app::CalibrationRequest calib;
        calib.textPath = kCalib;
        calib.sequences = 2;
        calib.length = 16;
        calib.settings.options = {"Q8_0", "Q4_K"};
        calib.settings.probeOptions = {"Q4_K"};
        calib.settings.measureSequences = 1;
        calib.databasePath = db;
        auto report = app::runCalibrationJob(*m_model, *m_tokenizer, m_engine, calib, log.progress, cancel, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());
        calib.textPath.clear();  // the model writes its own text
        calib.settings.measure = false;
        calib.settings.headAblation = false;
        calib.databasePath.clear();
        report = app::runCalibrationJob(*m_model, *m_tokenizer, m_engine, calib, log.progress, cancel, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());

        for (CompressionMethod method : {CompressionMethod::Gptq, CompressionMethod::Awq, CompressionMethod::Rtn}) {
            auto plan = uniformPlan(*m_model, "Q4_K");
            QVERIFY(plan.ok());
            CompressJob request;
            request.entry.name = "test";
            request.entry.planSource = PlanSource::Uniform;
            request.entry.scheme = "Q4_K";
            request.entry.plan = plan->plan;
            request.entry.method.method = method;
            request.entry.calibration = CompressionCalibration{kCalib.toStdString(), false, 2, 16, 1, 0};
            request.evalText = kEval.toStdString();
            request.ctx = 32;
            request.maxChunks = 2;
            request.measureUnits = method == CompressionMethod::Rtn;
            auto outcome = runCompressJob(*m_model, m_tokenizer.get(), m_engine, request, log.progress, cancel);
            QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error().toString().c_str());
            if (method != CompressionMethod::Rtn) continue;
            app::GenerationRequest generation;
            generation.prompt = "To be";
            generation.options.maxNewTokens = 2;
            auto original = m_engine();
            QVERIFY(original.ok());
            auto texts = app::runGenerationJob(**original, *outcome->engine, *m_tokenizer, generation, log.progress, cancel);
            QVERIFY(texts.ok());
        }

        auto text = readTextFile(kEval.toStdString());
        QVERIFY(text.ok());
        const std::vector<int32_t> ids = m_tokenizer->encode(*text, true);
        PerplexityOptions ppl;
        ppl.ctx = 32;
        ppl.maxChunks = 2;
        QVERIFY(computePerplexity(**m_engine(), ids, ppl, log.progress, cancel).ok());

        BenchSettings bench;
        bench.threads = 1;
        bench.prompt = 8;
        bench.gen = 2;
        bench.reps = 1;
        auto measured = benchmarkModel(kSample, bench, MachineInfo{}, &log.progress, &cancel);
        QVERIFY2(measured.ok(), measured.ok() ? "" : measured.error().toString().c_str());

        // The jobs ran through their stages (a check that could miss them all would prove nothing).
        QStringList stages;
        for (const std::string& s : log.stages) stages << QString::fromStdString(s);
        for (const char* expected : {"statistics: sequences", "gradients: sequences", "backward block", "predicted damage",
                                     "measuring units", "generating calibration text", "GPTQ: ", "AWQ: ",
                                     "compress ", "Evaluating: ", "Per tensor: ", "Generating (original)",
                                     "perplexity", "loading ", "warm-up", "repetition 1 of 1", "done"})
            QVERIFY2(!stages.filter(QLatin1String(expected)).isEmpty(), expected);

        QVERIFY(app::installLanguage(QStringLiteral("de")));
        QStringList unmatched;
        for (const std::string& s : log.stages) {
            bool matched = false;
            translateCoreMessage(s, &matched);
            if (!matched) unmatched << QString::fromStdString(s);
        }
        QVERIFY2(unmatched.isEmpty(), qPrintable(unmatched.join(QLatin1Char('\n'))));
    }

    // Errors the studio's jobs really return, matched whole.
    void jobErrorsAreTranslated()
    {
        const std::string scratch = test::scratchDir("core_messages_errors");
        std::ofstream(scratch + "/bad.gguf") << "PK\x03\x04 not a model";
        std::ofstream(scratch + "/empty.txt");
        CancelToken cancelled;
        cancelled.cancel();
        CancelToken cancel;
        Progress none;

        std::vector<Error> errors;
        errors.push_back(loadModel(scratch + "/missing.gguf").error());
        errors.push_back(loadModel(scratch + "/bad.gguf").error());
        app::CalibrationRequest calib;
        calib.textPath = QString::fromStdString(scratch + "/empty.txt");
        errors.push_back(app::runCalibrationJob(*m_model, *m_tokenizer, m_engine, calib, none, cancel, {}).error());
        calib.textPath = kCalib;
        errors.push_back(app::runCalibrationJob(*m_model, *m_tokenizer, m_engine, calib, none, cancelled, {}).error());
        CompressJob compress;
        compress.measureUnits = true;  // without an evaluation text
        errors.push_back(runCompressJob(*m_model, m_tokenizer.get(), m_engine, compress, none, cancel).error());
        compress.measureUnits = false;
        compress.evalText = kEval.toStdString();
        compress.entry.method.method = CompressionMethod::Gptq;  // without calibration text
        errors.push_back(runCompressJob(*m_model, m_tokenizer.get(), m_engine, compress, none, cancel).error());

        QVERIFY(app::installLanguage(QStringLiteral("de")));
        for (const Error& e : errors) {
            bool matched = false;
            const QString text = translateCoreMessage(e.toString(), &matched);
            QVERIFY2(matched, e.toString().c_str());
            QVERIFY2(text != QString::fromStdString(e.toString()), qPrintable(text));
        }
    }
};

QTEST_MAIN(TestGuiCoreMessages)
#include "tst_gui_core_messages.moc"
