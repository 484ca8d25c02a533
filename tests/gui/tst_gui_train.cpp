// File ▸ Train Micro Model, offscreen: a tiny model trained on a generated text
// through the dialog (curve, final GGUF, the window opening it), cancellation
// leaving a loadable checkpoint, bad settings reported with the core's message,
// presets and the live parameter count against an independent formula.
#include "job_runner.h"
#include "loss_curve_view.h"
#include "main_window.h"
#include "studio_document.h"
#include "train_dialog.h"

#include "formats/gguf.h"
#include "train/trainer.h"
#include "train/trainer_checkpoint.h"
#include "test_support.h"

#include <qcustomplot.h>

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>

#include <cmath>

using namespace precis;
using app::TrainDialog;

namespace {

constexpr int kWaitMs = 120000;  // safety limit for a background job, not a timing assertion

// ~8 KB of a few sentences in a fixed shuffled order: learnable in a few dozen steps.
QByteArray generatedCorpus()
{
    const char* const lines[] = {"the cat sat on the mat.", "a dog ran in the park.", "the bird sang a song.",
                                 "we like to read old books.", "she walks to the river at noon."};
    QByteArray text;
    for (int i = 0; text.size() < 8000; ++i) {
        text += lines[(i * 7 + i / 5) % 5];
        text += (i % 4 == 3) ? "\n" : " ";
    }
    return text;
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// Tiny preset, `steps` steps, validation every `evalEvery`, into `out`.
void setUp(TrainDialog& d, const QString& corpus, const QString& out, int steps, int evalEvery)
{
    d.corpusEdit()->setText(corpus);
    d.outputEdit()->setText(out);
    d.setPreset(TrainDialog::Tiny);
    d.stepsBox()->setValue(steps);
    d.batchBox()->setValue(8);
    d.lrBox()->setValue(0.003);
    d.seedBox()->setValue(1);
    d.evalEveryBox()->setValue(evalEvery);
}

// Parameters of a Llama model, written out from the architecture (independent of core/model).
int64_t llamaParameters(int64_t L, int64_t E, int64_t H, int64_t KV, int64_t F, int64_t V)
{
    const int64_t kvWidth = E / H * KV;
    const int64_t block = 2 * E /*norms*/ + 2 * E * E /*q, o*/ + 2 * E * kvWidth /*k, v*/ + 3 * E * F /*gate, up, down*/;
    return 2 * V * E /*embedding, untied output*/ + L * block + E /*final norm*/;
}

} // namespace

class TestGuiTrain : public QObject {
    Q_OBJECT
    QString m_dir, m_corpus;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("PrecisTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_train"));
        QSettings().clear();
        m_dir = QString::fromStdString(test::scratchDir("gui_train"));
        m_corpus = m_dir + "/corpus.txt";
        QVERIFY(writeFile(m_corpus, generatedCorpus()));
    }

    void trainsAndOpensModel()
    {
        app::MainWindow w;
        w.show();
        auto* action = w.findChild<QAction*>(QStringLiteral("TrainMicroModelAction"));
        QVERIFY(action);
        action->trigger();
        auto* d = w.findChild<TrainDialog*>();
        QVERIFY(d && d->isVisible());

        const QString out = m_dir + "/trained";
        setUp(*d, m_corpus, out, 30, 10);
        QVERIFY(d->corpusSizeLabel()->text().contains(QLocale().toString(generatedCorpus().size())));
        // The character vocabulary is scanned in the background; then the count is exact.
        QTRY_VERIFY_WITH_TIMEOUT(d->parameterLabel()->text().contains(QStringLiteral("characters")), kWaitMs);

        QSignalSpy trained(d, &TrainDialog::modelTrained);
        QSignalSpy opened(w.document(), &app::StudioDocument::modelChanged);
        QTest::mouseClick(d->startButton(), Qt::LeftButton);
        QVERIFY(d->isRunning());
        QVERIFY(!d->startButton()->isEnabled());
        QVERIFY(d->cancelButton()->isEnabled());
        QVERIFY(!d->stepsBox()->isEnabled());
        // Closing hides the dialog; the run goes on in the window's job runner.
        d->close();
        QVERIFY(!d->isVisible());
        QVERIFY(d->isRunning());
        QVERIFY(w.jobRunner()->isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!d->isRunning(), kWaitMs);
        QVERIFY2(d->errorText().isEmpty(), qPrintable(d->errorText()));
        QVERIFY(d->lastResult());
        const TrainResult& r = *d->lastResult();
        QVERIFY(!r.cancelled);
        QCOMPARE(r.steps, int64_t(30));

        // One training point per step, keys 1..30; the loss came down.
        views::LossCurveView* curve = d->lossCurve();
        QCOMPARE(curve->trainPointCount(), 30);
        const auto train = curve->trainGraph()->data();
        for (int i = 0; i < 30; ++i) QCOMPARE(train->at(i)->key, double(i + 1));
        const double first = train->at(0)->value, last = train->at(29)->value;
        QVERIFY2(last < first - 0.5, qPrintable(QStringLiteral("loss %1 -> %2").arg(first).arg(last)));
        QVERIFY(std::abs(first - std::log(double(r.vocabSize))) < 1.0);  // starts near uniform
        // Validation at steps 10 and 20, and the final evaluation at 30.
        QCOMPARE(curve->validationPointCount(), 3);
        const auto val = curve->validationGraph()->data();
        QCOMPARE(val->at(0)->key, 10.0);
        QCOMPARE(val->at(1)->key, 20.0);
        QCOMPARE(val->at(2)->key, 30.0);
        QVERIFY(r.finalValLoss);
        QCOMPARE(val->at(2)->value, *r.finalValLoss);
        QVERIFY(val->at(2)->value < val->at(0)->value);
        QCOMPARE(d->progressBar()->value(), d->progressBar()->maximum());
        QVERIFY(d->stageLabel()->text().contains(QStringLiteral("Finished")));
        QVERIFY(d->startButton()->isEnabled());
        QVERIFY(!d->cancelButton()->isEnabled());

        // The signal carried the GGUF, which core/formats loads with the shape and count shown.
        QCOMPARE(trained.count(), 1);
        const QString gguf = trained.first().first().toString();
        QCOMPARE(QFileInfo(gguf).absoluteFilePath(), QFileInfo(out + "/model.gguf").absoluteFilePath());
        auto model = gguf::loadModel(gguf.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().toString().c_str());
        QVERIFY((*model)->validate().ok());
        QCOMPARE((*model)->config.nLayer, 2);
        QCOMPARE((*model)->config.nEmbd, 64);
        QCOMPARE((*model)->config.nVocab, r.vocabSize);
        QCOMPARE((*model)->parameterCount(), r.parameters);
        QVERIFY2(d->parameterLabel()->text().startsWith(QLocale().toString(qlonglong(r.parameters))),
                 qPrintable(d->parameterLabel()->text()));

        // The window opened it as File ▸ Open does.
        QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty(), kWaitMs);
        QCOMPARE(w.document()->modelPath(), QFileInfo(gguf).absoluteFilePath());
        QCOMPARE(w.document()->model()->parameterCount(), r.parameters);
    }

    void cancelLeavesCheckpoint()
    {
        app::JobRunner runner;
        TrainDialog d(&runner);
        d.show();
        const QString out = m_dir + "/cancelled";
        setUp(d, m_corpus, out, 100000, 0);
        QSignalSpy trained(&d, &TrainDialog::modelTrained);
        d.start();
        QVERIFY(d.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(d.lossCurve()->trainPointCount() >= 4, kWaitMs);
        QTest::mouseClick(d.cancelButton(), Qt::LeftButton);
        QVERIFY(!d.cancelButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!d.isRunning(), kWaitMs);

        QVERIFY2(d.errorText().isEmpty(), qPrintable(d.errorText()));
        QVERIFY(d.lastResult() && d.lastResult()->cancelled);
        const int64_t steps = d.lastResult()->steps;
        QVERIFY(steps >= 4 && steps < 100000);
        QCOMPARE(int64_t(d.lossCurve()->trainPointCount()), steps);
        // The checkpoint is of the last completed step and loads.
        auto state = readTrainerState((out + "/trainer_state.bin").toStdString());
        QVERIFY2(state.ok(), state.ok() ? "" : state.error().toString().c_str());
        QCOMPARE(state->step, steps);
        auto model = gguf::loadModel((out + "/model.gguf").toStdString());
        QVERIFY(model.ok() && (*model)->validate().ok());
        auto saved = readCheckpointSettings(out.toStdString());
        QVERIFY(saved.ok());
        QCOMPARE(saved->steps, int64_t(100000));
        QCOMPARE(trained.count(), 1);
        QCOMPARE(trained.first().first().toString(), QString::fromStdString(d.lastResult()->ggufPath));

        // Back to idle.
        QVERIFY(d.startButton()->isEnabled());
        QVERIFY(!d.cancelButton()->isEnabled());
        QVERIFY(d.layersBox()->isEnabled());
        QVERIFY(d.stageLabel()->text().contains(QStringLiteral("Cancelled at step %1").arg(steps)));
        QVERIFY(!runner.isBusy());
    }

    void statusBarCancelStopsTraining()
    {
        app::MainWindow w;
        w.show();
        w.findChild<QAction*>(QStringLiteral("TrainMicroModelAction"))->trigger();
        auto* d = w.findChild<TrainDialog*>();
        QVERIFY(d);
        const QString out = m_dir + "/statusbar";
        setUp(*d, m_corpus, out, 100000, 0);
        d->start();
        QTRY_VERIFY_WITH_TIMEOUT(d->lossCurve()->trainPointCount() >= 2, kWaitMs);
        auto* cancel = w.findChild<QPushButton*>(QStringLiteral("CancelJobButton"));
        QVERIFY(cancel && cancel->isVisible());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!d->isRunning(), kWaitMs);
        QVERIFY(d->lastResult() && d->lastResult()->cancelled);
        auto state = readTrainerState((out + "/trainer_state.bin").toStdString());
        QVERIFY(state.ok());
        QCOMPARE(state->step, d->lastResult()->steps);
    }

    void badSettingShowsError_data()
    {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("runsJob");  // false: caught by trainModelConfig before any job
        QTest::newRow("heads do not divide embd") << "heads=3" << "3 heads do not divide embd 64" << false;
        QTest::newRow("kv heads do not divide heads") << "kv=3" << "3 does not divide the head count 4" << false;
        QTest::newRow("no output folder") << "out=" << "training setting 'out'" << false;
        QTest::newRow("empty corpus") << "corpus=empty" << "the text file is empty" << true;
        QTest::newRow("missing corpus") << "corpus=missing" << "missing.txt" << true;
    }

    void badSettingShowsError()
    {
        QFETCH(QString, setting);
        QFETCH(QString, expected);
        QFETCH(bool, runsJob);
        app::JobRunner runner;
        TrainDialog d(&runner);
        d.show();
        setUp(d, m_corpus, m_dir + "/bad", 5, 0);
        if (setting == QLatin1String("heads=3")) d.headsBox()->setValue(3);
        if (setting == QLatin1String("kv=3")) d.kvHeadsBox()->setValue(3);
        if (setting == QLatin1String("out=")) d.outputEdit()->clear();
        if (setting == QLatin1String("corpus=empty")) {
            QVERIFY(writeFile(m_dir + "/empty.txt", {}));
            d.corpusEdit()->setText(m_dir + "/empty.txt");
        }
        if (setting == QLatin1String("corpus=missing")) d.corpusEdit()->setText(m_dir + "/missing.txt");
        if (!runsJob && setting != QLatin1String("out="))  // the live count already says what is wrong
            QVERIFY2(d.parameterLabel()->text().contains(expected), qPrintable(d.parameterLabel()->text()));

        QSignalSpy trained(&d, &TrainDialog::modelTrained);
        QSignalSpy started(&runner, &app::JobRunner::jobStarted);
        QTest::mouseClick(d.startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!d.isRunning(), kWaitMs);
        QCOMPARE(started.count(), runsJob ? 1 : 0);
        QVERIFY2(d.errorText().contains(expected), qPrintable(d.errorText()));
        QVERIFY(d.errorLabel()->isVisible());
        QVERIFY(!d.errorText().contains(QLatin1Char('\n')));
        QVERIFY(!d.lastResult());
        QCOMPARE(trained.count(), 0);
        QVERIFY(d.startButton()->isEnabled());
        QVERIFY(!d.cancelButton()->isEnabled());
    }

    void presetsAndParameterCount()
    {
        app::JobRunner runner;
        TrainDialog d(&runner);
        d.corpusEdit()->setText(m_corpus);
        QTRY_VERIFY_WITH_TIMEOUT(d.parameterLabel()->text().contains(QStringLiteral("characters")), kWaitMs);
        // The corpus's characters: distinct bytes of the (ASCII) text, space and newline included.
        const QByteArray text = generatedCorpus();
        const int characters = int(QSet<char>(text.begin(), text.end()).size());
        const int vocab = 259 + characters;

        d.setPreset(TrainDialog::SampleSize);
        QCOMPARE(d.layersBox()->value(), 4);
        QCOMPARE(d.embdBox()->value(), 256);
        QCOMPARE(d.headsBox()->value(), 4);
        QCOMPARE(d.kvHeadsBox()->value(), 2);
        QCOMPARE(d.ctxBox()->value(), 256);
        QVERIFY2(d.parameterLabel()->text().startsWith(
                     QLocale().toString(qlonglong(llamaParameters(4, 256, 4, 2, 768, vocab)))),
                 qPrintable(d.parameterLabel()->text()));
        // With the sample model's 65-character vocabulary this is its 3,313,920 parameters.
        QCOMPARE(llamaParameters(4, 256, 4, 2, 768, 324), int64_t(3313920));

        d.setPreset(TrainDialog::Tiny);
        QVERIFY(d.parameterLabel()->text().startsWith(
            QLocale().toString(qlonglong(llamaParameters(2, 64, 4, 4, 192, vocab)))));
        d.layersBox()->setValue(3);  // no preset's shape: Custom
        QCOMPARE(d.presetBox()->currentIndex(), int(TrainDialog::Custom));
        QVERIFY(d.parameterLabel()->text().startsWith(
            QLocale().toString(qlonglong(llamaParameters(3, 64, 4, 4, 192, vocab)))));
        d.layersBox()->setValue(2);  // back to the Tiny shape
        QCOMPARE(d.presetBox()->currentIndex(), int(TrainDialog::Tiny));

        // BPE: the vocabulary size bounds the count; GPT-2: no kv heads, tied output, 4 × FFN.
        d.tokenizerBox()->setCurrentIndex(1);
        QVERIFY(d.vocabBox()->isEnabled());
        d.vocabBox()->setValue(400);
        QVERIFY(d.parameterLabel()->text().startsWith(
            QLocale().toString(qlonglong(llamaParameters(2, 64, 4, 4, 192, 400)))));
        d.archBox()->setCurrentIndex(1);
        QVERIFY(!d.kvHeadsBox()->isEnabled());
        QCOMPARE(d.settings().arch, Arch::Gpt2);
        QCOMPARE(d.settings().nHeadKv, 0);
        // token + position embeddings; per block 2 LayerNorms (w, b), qkv (w, b), proj (w, b), fc (w, b), fc2 (w, b).
        const int64_t E = 64, F = 256, V = 400, T = 64;
        const int64_t gpt2 = V * E + T * E + 2 * (4 * E + 3 * E * E + 3 * E + E * E + E + E * F + F + F * E + E) + 2 * E;
        QVERIFY2(d.parameterLabel()->text().startsWith(QLocale().toString(qlonglong(gpt2))),
                 qPrintable(d.parameterLabel()->text()));
    }

    void lossCurveScales()
    {
        views::LossCurveView v;
        v.resize(500, 300);
        v.setPlannedSteps(200);
        for (int s = 1; s <= 100; ++s) v.appendTrainLoss(s, 5.0 * std::exp(-s / 40.0) + 1.0);
        v.appendValidationLoss(50, 2.0);
        QCOMPARE(v.trainPointCount(), 100);
        QCOMPARE(v.validationPointCount(), 1);
        v.replotNow();
        QCOMPARE(v.plot()->xAxis->range().upper, 200.0);
        const QCPRange y = v.plot()->yAxis->range();
        QVERIFY(y.lower <= 1.0 + 5.0 * std::exp(-2.5) && y.upper >= 5.0 * std::exp(-1 / 40.0) + 1.0);
        QCOMPARE(v.plot()->xAxis->label(), QStringLiteral("step"));
        QCOMPARE(v.plot()->yAxis->label(), QStringLiteral("loss (nats/token)"));
        QVERIFY(v.plot()->legend->visible());

        v.logScaleBox()->setChecked(true);
        QVERIFY(v.logScale());
        QCOMPARE(v.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(v.plot()->yAxis->range().lower > 0);
        v.setLogScale(false);
        QVERIFY(!v.logScaleBox()->isChecked());

        v.clear();
        QCOMPARE(v.trainPointCount(), 0);
        QCOMPARE(v.validationPointCount(), 0);
    }

    // PRECIS_SCREENSHOT=<file.png>: the dialog mid-training, for looking at the layout.
    void screenshotMidTraining()
    {
        const QString path = qEnvironmentVariable("PRECIS_SCREENSHOT");
        if (path.isEmpty()) QSKIP("set PRECIS_SCREENSHOT=<file.png> to grab the dialog mid-training");
        app::JobRunner runner;
        TrainDialog d(&runner);
        d.show();
        setUp(d, m_corpus, m_dir + "/screenshot", 200, 20);
        QTRY_VERIFY_WITH_TIMEOUT(d.parameterLabel()->text().contains(QStringLiteral("characters")), kWaitMs);
        d.start();
        QTRY_VERIFY_WITH_TIMEOUT(d.lossCurve()->validationPointCount() >= 4, kWaitMs);
        QTest::qWait(200);  // the stage text and one timer-driven replot
        d.lossCurve()->replotNow();
        QVERIFY(d.grab().save(path));
        d.cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!d.isRunning(), kWaitMs);
    }
};

QTEST_MAIN(TestGuiTrain)
#include "tst_gui_train.moc"
