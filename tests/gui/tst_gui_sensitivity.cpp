// Analyze ▸ Calibrate, offscreen: a small calibration through the menu, its
// dialog and the job runner; live partial reports; the Sensitivity tab's
// heatmaps, tooltips and chunk maps against the report's own values; cancel
// and bad settings leaving the window idle; the view alone on a synthetic
// GPT-2 report (kinds, grey cells, log scale, coalesced redraws).
// PRECIS_SENSITIVITY_SCREENSHOT=FILE also calibrates the bundled sample model
// and saves the window to FILE.
#include "calibration_dialog.h"
#include "cell_map_plot.h"
#include "job_runner.h"
#include "main_window.h"
#include "window_support.h"
#include "sensitivity_grids.h"
#include "sensitivity_view.h"
#include "studio_document.h"

#include "formats/gguf.h"
#include "model/random_model.h"
#include "sensitivity/report.h"
#include "test_support.h"

#include <qcustomplot.h>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>

#include <cmath>

using namespace precis;
using precis::test::kWaitMs;
using precis::test::openAndWait;
using app::CalibrationDialog;
using app::MainWindow;
using app::StudioDocument;
using sensitivity::SensitivityReport;
using views::SensitivityView;

namespace {

using ReportPtr = std::shared_ptr<const SensitivityReport>;

QByteArray generatedText()
{
    const char* const lines[] = {"the cat sat on the mat.", "a dog ran in the park.", "the bird sang a song.",
                                 "we like to read old books.", "she walks to the river at noon."};
    QByteArray text;
    for (int i = 0; text.size() < 12000; ++i) {
        text += lines[(i * 7 + i / 5) % 5];
        text += (i % 4 == 3) ? "\n" : " ";
    }
    return text;
}

// Analyze ▸ Calibrate… opens the dialog; returns it.
CalibrationDialog* openDialog(MainWindow& w)
{
    if (!w.calibrateAction()->isEnabled()) return nullptr;
    w.calibrateAction()->trigger();
    return w.findChild<CalibrationDialog*>();
}

void fillSmall(CalibrationDialog& d, int sequences, int length)
{
    d.sequencesBox()->setValue(sequences);
    d.lengthBox()->setValue(length);
    d.seedBox()->setValue(3);
    d.batchBox()->setValue(1);
    d.optionsEdit()->setText(QStringLiteral("Q8_0, Q4_0, Q4_K"));
    d.probeOptionsEdit()->setText(QStringLiteral("Q4_0"));
    d.measureBox()->setChecked(true);
    d.ablationBox()->setChecked(true);
    d.measureSequencesBox()->setValue(2);
}

// The number after the last " = " of a tooltip, parsed back.
double tooltipValue(const QString& text, bool* ok)
{
    const QRegularExpressionMatch m = QRegularExpression(QStringLiteral(" = (\\S+)$")).match(text);
    *ok = false;
    return m.hasMatch() ? m.captured(1).toDouble(ok) : NAN;
}

double reportValue(const SensitivityReport& r, const std::string& unit, const QString& metric, const QString& option)
{
    const sensitivity::UnitValue* v = r.find(unit, metric.toStdString(), option.toStdString());
    return v ? v->value : NAN;
}

// A GPT-2-shaped report made by hand: 2 layers × 3 heads, kinds qkv o up down.
SensitivityReport syntheticGpt2Report(double scale)
{
    SensitivityReport r;
    r.stage = "gradients 1/2";
    r.referenceOption = "Q4_0";
    const char* tensors[] = {"attn_qkv", "attn_output", "ffn_up", "ffn_down"};
    for (int l = 0; l < 2; ++l) {
        for (int t = 0; t < 4; ++t) {
            const std::string name = "blk." + std::to_string(l) + "." + tensors[t] + ".weight";
            r.values.push_back({name, sensitivity::UnitKind::Tensor, "ow_err", "Q4_0", scale * (1 + l * 4 + t)});
            r.values.push_back({name, sensitivity::UnitKind::Tensor, "taylor", "", scale * (2 * l - t)});  // ≤ 0 for some
        }
        for (int h = 0; h < 3; ++h)
            r.values.push_back({"blk." + std::to_string(l) + ".head." + std::to_string(h), sensitivity::UnitKind::Head, "ow_err",
                                "Q4_0", scale * (h + 1)});
        r.values.push_back({"blk." + std::to_string(l), sensitivity::UnitKind::Layer, "ow_err", "Q4_0", scale});
    }
    // blk.1.ffn_down cannot take Q4_0: no value, marked infeasible.
    r.values.erase(std::remove_if(r.values.begin(), r.values.end(),
                                  [](const sensitivity::UnitValue& v) {
                                      return v.unit == "blk.1.ffn_down.weight" && v.metric == "ow_err";
                                  }),
                   r.values.end());
    r.values.push_back({"blk.1.ffn_down.weight", sensitivity::UnitKind::Tensor, "infeasible", "Q4_0", 1});
    r.values.push_back({"output.weight", sensitivity::UnitKind::Tensor, "ow_err", "Q4_0", 99});  // not in a block
    sensitivity::ChunkMap m;
    m.tensor = "blk.0.attn_qkv.weight";
    m.metric = "taylor";
    m.rows = 3;
    m.cols = 5;
    for (int i = 0; i < 15; ++i) m.values.push_back(float(i) * float(scale));
    r.chunks.push_back(m);
    return r;
}

} // namespace

class TestGuiSensitivity : public QObject {
    Q_OBJECT
    QString m_dir, m_modelPath, m_textPath;
    ModelConfig m_cfg;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("PrecisTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_sensitivity"));
        QSettings().clear();

        m_dir = QString::fromStdString(test::scratchDir("gui_sensitivity"));
        m_cfg.arch = Arch::Llama;
        m_cfg.archName = "llama";
        m_cfg.nLayer = 2;
        m_cfg.nEmbd = 64;
        m_cfg.nHead = 4;
        m_cfg.nHeadKv = 2;
        m_cfg.nFf = 192;
        m_cfg.nVocab = 320;
        m_cfg.nCtx = 64;
        auto model = makeRandomModel(m_cfg, 21, 0.1f);
        QVERIFY(model->validate().ok());
        m_modelPath = m_dir + "/tiny.gguf";
        QVERIFY(gguf::writeModel(*model, m_modelPath.toStdString()).ok());
        // calib.txt beside the model: the dialog preselects it.
        m_textPath = m_dir + "/calib.txt";
        QFile f(m_textPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(generatedText());
    }

    void calibrateThroughMenu()
    {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(!w.calibrateAction()->isEnabled());  // no model yet
        QVERIFY(openAndWait(w, m_modelPath));
        StudioDocument* doc = w.document();
        SensitivityView* view = w.sensitivityView();
        QVERIFY(!doc->sensitivityReport());

        CalibrationDialog* d = openDialog(w);
        QVERIFY(d);
        QVERIFY(d->fileSourceButton()->isChecked());
        QCOMPARE(QFileInfo(d->textEdit()->text()).absoluteFilePath(), QFileInfo(m_textPath).absoluteFilePath());
        QCOMPARE(d->lengthBox()->maximum(), m_cfg.nCtx);  // capped at the context
        QCOMPARE(d->lengthBox()->value(), m_cfg.nCtx);    // default 256, capped
        QCOMPARE(d->sequencesBox()->value(), 32);
        fillSmall(*d, 4, 32);
        // The memory limit: the core's estimate shown as the form changes; a limit
        // below it disables Calibrate with the core's reason.
        const double limit = d->memoryLimitBox()->value();
        QVERIFY(limit > 0.25);
        QVERIFY2(d->memoryLabel()->text().contains(QStringLiteral(" of ")), qPrintable(d->memoryLabel()->text()));
        QVERIFY(d->calibrateButton()->isEnabled());
        d->batchBox()->setValue(1024);  // a batch of 1024 sequences: its activations pass 0.25 GiB
        d->sequencesBox()->setValue(1024);
        d->memoryLimitBox()->setValue(0.25);
        QVERIFY(!d->calibrateButton()->isEnabled());
        QVERIFY2(d->memoryLabel()->text().contains(QStringLiteral("memory limit")), qPrintable(d->memoryLabel()->text()));
        d->memoryLimitBox()->setValue(limit);
        fillSmall(*d, 4, 32);
        QVERIFY(d->calibrateButton()->isEnabled());
        QCOMPARE(d->request().memoryLimit, quint64(limit * double(quint64(1) << 30)));

        // Order of what reaches the GUI thread: "partial:0/1" (complete) …, then "final".
        QStringList arrivals;
        connect(doc, &StudioDocument::sensitivityPartial, this,
                [&](const ReportPtr& r) { arrivals << QStringLiteral("partial:%1").arg(int(r->complete)); });
        connect(doc, &StudioDocument::sensitivityChanged, this, [&] { arrivals << QStringLiteral("final"); });
        QTest::mouseClick(d->calibrateButton(), Qt::LeftButton);
        QVERIFY(doc->isCalibrating());
        QVERIFY(!w.calibrateAction()->isEnabled());
        QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(view));
        QVERIFY(w.findChild<QPushButton*>(QStringLiteral("CancelJobButton"))->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!doc->isCalibrating(), kWaitMs);
        QVERIFY2(!w.findChild<QMessageBox*>(QStringLiteral("ErrorMessageBox")), "no error expected");

        const ReportPtr report = doc->sensitivityReport();
        QVERIFY(report && report->complete);
        QCOMPARE(arrivals.count(QStringLiteral("final")), 1);
        QCOMPARE(arrivals.last(), QStringLiteral("final"));
        QVERIFY2(arrivals.indexOf(QStringLiteral("partial:0")) >= 0, qPrintable(arrivals.join(' ')));
        QVERIFY(arrivals.indexOf(QStringLiteral("partial:0")) < arrivals.indexOf(QStringLiteral("final")));
        QVERIFY(w.calibrateAction()->isEnabled());
        QTRY_VERIFY(!w.findChild<QProgressBar*>(QStringLiteral("JobProgressBar"))->isVisible());

        view->refreshNow();
        QCOMPARE(view->report(), report);
        QCOMPARE(view->headMapLayers(), 2);
        QCOMPARE(view->headMapHeads(), 4);
        QCOMPARE(view->kindMapLayers(), 2);
        QCOMPARE(view->kindMapKinds(), 7);
        QCOMPARE(view->kinds(), (QStringList{"q", "k", "v", "o", "gate", "up", "down"}));
        QCOMPARE(view->metrics(), (QStringList{"ow_err", "fisher", "taylor", "gradmag", "gate", "ablation",
                                               "measured_dloss", "measured_kl"}));
        QCOMPARE(view->metric(), QStringLiteral("ow_err"));
        QCOMPARE(view->options(), (QStringList{"Q8_0", "Q4_0", "Q4_K"}));  // most bits per weight first
        QCOMPARE(view->option(), QStringLiteral("Q4_0"));           // the reference option

        // Cells hold the report's values; tooltips carry them exactly.
        for (int l = 0; l < 2; ++l) {
            for (int h = 0; h < 4; ++h) {
                const std::string unit = "blk." + std::to_string(l) + ".head." + std::to_string(h);
                QCOMPARE(view->headValue(l, h), reportValue(*report, unit, "ow_err", "Q4_0"));
            }
            for (int k = 0; k < 7; ++k) QVERIFY(std::isfinite(view->kindValue(l, k)));
        }
        const double down = reportValue(*report, "blk.1.ffn_down.weight", "ow_err", "Q4_0");
        QVERIFY(down > 0);
        QCOMPARE(view->kindValue(1, 6), down);
        const QString tip = view->kindCellText(1, 6);
        QVERIFY2(tip.startsWith(QStringLiteral("blk.1.ffn_down.weight")) && tip.contains(QStringLiteral("ow_err @ Q4_0")),
                 qPrintable(tip));
        bool ok = false;
        QCOMPARE(tooltipValue(tip, &ok), down);
        QVERIFY(ok);
        QVERIFY(tip.contains(QLatin1Char('e')));  // scientific notation
        QVERIFY(tooltipValue(view->headCellText(0, 3), &ok) == view->headValue(0, 3) && ok);

        // A click on the layer × kind cell (blk.1, down) shows that tensor's 64 × 192 weights as 8 × 24 chunks.
        QSignalSpy selected(view, &SensitivityView::tensorSelected);
        views::CellMapPlot* kindPlot = view->kindPlot();
        kindPlot->replot();  // lay out the axes before converting coordinates
        const QPoint cell(int(kindPlot->xAxis->coordToPixel(6)), int(kindPlot->yAxis->coordToPixel(1)));
        // Hovering shows the cell's text (the tooltip's) under the selectors.
        QMouseEvent move(QEvent::MouseMove, QPointF(cell), QPointF(kindPlot->mapToGlobal(cell)), Qt::NoButton,
                         Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(kindPlot, &move);
        QCOMPARE(view->hoverLabel()->text(), tip);
        QTest::mouseClick(kindPlot, Qt::LeftButton, {}, cell);
        QCOMPARE(selected.count(), 1);
        QCOMPARE(view->selectedTensor(), QStringLiteral("blk.1.ffn_down.weight"));
        QCOMPARE(view->chunkMapRows(), 8);
        QCOMPARE(view->chunkMapCols(), 24);
        QVERIFY2(view->chunkPlot()->title().startsWith(QStringLiteral("blk.1.down — 8 × 24 chunks")),
                 qPrintable(view->chunkPlot()->title()));
        const sensitivity::ChunkMap* cm = report->chunkMap("blk.1.ffn_down.weight", view->chunkMetric().toStdString());
        QVERIFY(cm && cm->rows == 8 && cm->cols == 24);
        QCOMPARE(view->chunkValue(2, 17), double(cm->values[2 * 24 + 17]));
        QCOMPARE(tooltipValue(view->chunkCellText(2, 17), &ok), double(cm->values[2 * 24 + 17]));
        view->selectKindCell(0, 0);
        QCOMPARE(view->selectedTensor(), QStringLiteral("blk.0.attn_q.weight"));
        QCOMPARE(view->chunkMapRows(), 8);  // 64 × 64
        QCOMPARE(view->chunkMapCols(), 8);
        view->selectTensor(QStringLiteral("blk.1.ffn_down.weight"));

        // Every metric keeps the grid sizes and the chosen tensor; head-only metrics leave tensor cells grey.
        for (const QString& m : view->metrics()) {
            view->setMetric(m);
            view->refreshNow();
            QCOMPARE(view->metric(), m);
            QCOMPARE(view->headMapLayers(), 2);
            QCOMPARE(view->headMapHeads(), 4);
            QCOMPARE(view->kindMapLayers(), 2);
            QCOMPARE(view->kindMapKinds(), 7);
            QCOMPARE(view->selectedTensor(), QStringLiteral("blk.1.ffn_down.weight"));
            const bool headOnly = m == QLatin1String("gate") || m == QLatin1String("ablation");
            QCOMPARE(std::isnan(view->kindValue(0, 0)), headOnly);
            QCOMPARE(view->headValue(1, 1), reportValue(*report, "blk.1.head.1", m, view->option()));
        }
        // Q4_K (blocks of 256) fits no row of 64 or 192 values: every cell grey, and the tooltip says why.
        view->setMetric(QStringLiteral("fisher"));
        view->setOption(QStringLiteral("Q4_K"));
        view->refreshNow();
        QCOMPARE(view->option(), QStringLiteral("Q4_K"));
        QCOMPARE(reportValue(*report, "blk.1.ffn_down.weight", "infeasible", "Q4_K"), 1.0);
        for (int l = 0; l < 2; ++l) {
            for (int k = 0; k < 7; ++k) QVERIFY(std::isnan(view->kindValue(l, k)));
            for (int h = 0; h < 4; ++h) QVERIFY(std::isnan(view->headValue(l, h)));
        }
        QVERIFY2(view->kindCellText(1, 6).contains(QStringLiteral("Q4_K cannot encode")),
                 qPrintable(view->kindCellText(1, 6)));
        view->setOption(QStringLiteral("Q8_0"));
        view->refreshNow();
        QCOMPARE(view->option(), QStringLiteral("Q8_0"));
        QCOMPARE(view->kindValue(1, 6), reportValue(*report, "blk.1.ffn_down.weight", "fisher", "Q8_0"));

        // The chunk metric follows a chunk-capable metric chosen in the selector.
        const int gradmag = view->metricBox()->findData(QStringLiteral("gradmag"));
        QVERIFY(gradmag >= 0);
        view->metricBox()->setCurrentIndex(gradmag);
        QCOMPARE(view->chunkMetric(), QStringLiteral("gradmag"));
        const sensitivity::ChunkMap* gm = report->chunkMap("blk.1.ffn_down.weight", "gradmag");
        QVERIFY(gm);
        QCOMPARE(view->chunkValue(7, 23), double(gm->values[7 * 24 + 23]));

        // Correlations: one row each, ρ to three decimals.
        QTableWidget* table = view->correlationTable();
        QVERIFY(!report->correlations.empty());
        QCOMPARE(table->rowCount(), int(report->correlations.size()));
        const sensitivity::Correlation& c0 = report->correlations.front();
        QCOMPARE(table->item(0, 0)->text(), QString::fromStdString(c0.proxy));
        QCOMPARE(table->item(0, 2)->text(), QString::number(c0.units));
        QCOMPARE(table->item(0, 3)->text(),
                 std::isnan(c0.spearman) ? QStringLiteral("—") : QString::number(c0.spearman, 'f', 3));

        // A second run starts from the same settings.
        d = openDialog(w);
        QVERIFY(d);
        QCOMPARE(d->sequencesBox()->value(), 4);
        QCOMPARE(d->optionsEdit()->text(), QStringLiteral("Q8_0, Q4_0, Q4_K"));
        d->reject();
    }

    void cancelReturnsToIdle()
    {
        MainWindow w;
        w.show();
        QVERIFY(openAndWait(w, m_modelPath));
        StudioDocument* doc = w.document();
        CalibrationDialog* d = openDialog(w);
        QVERIFY(d);
        fillSmall(*d, 2000, 64);  // far longer than the test waits
        QSignalSpy partial(doc, &StudioDocument::sensitivityPartial);
        QTest::mouseClick(d->calibrateButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(partial.count() >= 1, kWaitMs);
        QVERIFY(doc->isCalibrating());
        // The live snapshot is drawn while the run goes on.
        QTRY_COMPARE_WITH_TIMEOUT(w.sensitivityView()->headMapLayers(), 2, kWaitMs);
        QCOMPARE(w.sensitivityView()->headMapHeads(), 4);
        QVERIFY(!w.sensitivityView()->report()->complete);
        QVERIFY(doc->isCalibrating());
        QTest::mouseClick(w.findChild<QPushButton*>(QStringLiteral("CancelJobButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!doc->isCalibrating(), kWaitMs);

        QVERIFY(!w.jobRunner()->isBusy());
        QVERIFY(!w.findChild<QMessageBox*>(QStringLiteral("ErrorMessageBox")));
        QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("cancelled")),
                 qPrintable(w.statusBar()->currentMessage()));
        QVERIFY(w.calibrateAction()->isEnabled());
        QVERIFY(!w.findChild<QPushButton*>(QStringLiteral("CancelJobButton"))->isVisible());
        QVERIFY(!doc->sensitivityReport());
        w.sensitivityView()->refreshNow();
        QVERIFY(!w.sensitivityView()->report());  // back to the document's (no) report
        QCOMPARE(w.sensitivityView()->headMapLayers(), 0);
    }

    void badSettingsShowCoreMessage_data()
    {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown option") << "options=Q4_X" << "Q4_X";
        QTest::newRow("missing text") << "text=missing" << "missing.txt";
        QTest::newRow("batch too large") << "batch=2000" << "batch of 2000 sequences";
        QTest::newRow("text too short") << "length=64,text=short" << "expected at least 64";
    }

    void badSettingsShowCoreMessage()
    {
        QFETCH(QString, setting);
        QFETCH(QString, expected);
        MainWindow w;
        w.show();
        QVERIFY(openAndWait(w, m_modelPath));
        app::CalibrationRequest r;
        r.textPath = m_textPath;
        r.sequences = 2;
        r.length = 16;
        r.settings.options = {"Q8_0"};
        r.settings.measure = false;
        r.settings.headAblation = false;
        if (setting == QLatin1String("options=Q4_X")) r.settings.options = {"Q8_0", "Q4_X"};
        if (setting == QLatin1String("text=missing")) r.textPath = m_dir + "/missing.txt";
        if (setting == QLatin1String("batch=2000")) r.settings.batchSequences = 2000;
        if (setting.contains(QLatin1String("text=short"))) {
            r.textPath = m_dir + "/short.txt";
            QFile f(r.textPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("to be or not");
            r.length = 64;
        }
        QSignalSpy errors(w.document(), &StudioDocument::errorOccurred);
        w.startCalibration(r);
        QTRY_VERIFY_WITH_TIMEOUT(!w.document()->isCalibrating(), kWaitMs);
        QCOMPARE(errors.count(), 1);
        const QString message = errors.first().first().toString();
        QVERIFY2(message.contains(expected), qPrintable(message));
        auto* box = w.findChild<QMessageBox*>(QStringLiteral("ErrorMessageBox"));
        QVERIFY(box && box->text() == message);
        QVERIFY(w.calibrateAction()->isEnabled());
        QVERIFY(!w.jobRunner()->isBusy());
        QVERIFY(!w.document()->sensitivityReport());
    }

    void dialogNeedsAFileOrSelfGeneration()
    {
        MainWindow w;
        w.show();
        QVERIFY(openAndWait(w, m_modelPath));
        CalibrationDialog* d = openDialog(w);
        QVERIFY(d);
        d->textEdit()->clear();
        QTest::mouseClick(d->calibrateButton(), Qt::LeftButton);
        QVERIFY(d->isVisible());  // not accepted
        QVERIFY(!w.document()->isCalibrating());
        d->selfGeneratedButton()->setChecked(true);
        const app::CalibrationRequest r = d->request();
        QVERIFY(r.textPath.isEmpty());
        QCOMPARE(CalibrationDialog::parseOptions(QStringLiteral(" Q4_K,Q4_0 ;  RTN4g32 ,")),
                 (std::vector<std::string>{"Q4_K", "Q4_0", "RTN4g32"}));
        d->reject();
    }

    void selfGeneratedText()
    {
        MainWindow w;
        w.show();
        QVERIFY(openAndWait(w, m_modelPath));
        CalibrationDialog* d = openDialog(w);
        QVERIFY(d);
        fillSmall(*d, 2, 16);
        d->selfGeneratedButton()->setChecked(true);
        d->measureBox()->setChecked(false);
        d->ablationBox()->setChecked(false);
        QVERIFY(!d->measureSequencesBox()->isEnabled());
        QTest::mouseClick(d->calibrateButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!w.document()->isCalibrating(), kWaitMs);
        QVERIFY(!w.findChild<QMessageBox*>(QStringLiteral("ErrorMessageBox")));
        const ReportPtr r = w.document()->sensitivityReport();
        QVERIFY(r && r->complete);
        QCOMPARE(r->tokens, int64_t(2 * 16));
        QVERIFY(r->find("blk.0.head.0", "gate"));
        QVERIFY(!r->find("blk.0.head.0", "ablation"));  // switched off
    }

    // The view alone, on a hand-made GPT-2 report.
    void viewOnSyntheticReport()
    {
        SensitivityView view;
        view.resize(1000, 700);
        view.show();
        QVERIFY(!view.report());
        view.setReport(syntheticGpt2Report(1.0));
        QVERIFY(view.redrawPending());  // coalesced, not drawn yet
        QCOMPARE(view.headMapLayers(), 0);
        QTRY_COMPARE(view.headMapLayers(), 2);  // after kRedrawDelayMs
        QCOMPARE(view.headMapHeads(), 3);
        QCOMPARE(view.kinds(), (QStringList{"qkv", "o", "up", "down"}));
        QCOMPARE(view.metrics(), (QStringList{"ow_err", "taylor"}));
        QCOMPARE(view.kindValue(0, 0), 1.0);
        QCOMPARE(view.kindValue(1, 2), 7.0);
        // Infeasible: grey (NaN), not 0, and the tooltip says so.
        QVERIFY(std::isnan(view.kindValue(1, 3)));
        QVERIFY(view.kindCellText(1, 3).contains(QStringLiteral("Q4_0 cannot encode")));
        QCOMPARE(view.kindPlot()->colorMap()->gradient().nanColor(), views::CellMapPlot::missingColour());
        // The first block tensor is chosen until the user picks one; its chunk map shows.
        QCOMPARE(view.selectedTensor(), QStringLiteral("blk.0.attn_qkv.weight"));
        QCOMPARE(view.chunkMapRows(), 3);
        QCOMPARE(view.chunkMapCols(), 5);

        // Taylor with values ≤ 0: on a log scale the colours start at the smallest positive one.
        view.setMetric(QStringLiteral("taylor"));
        view.setLogScale(true);
        view.refreshNow();
        QVERIFY(view.options().isEmpty());
        QCOMPARE(view.kindValue(1, 0), 2.0);
        QCOMPARE(view.kindValue(0, 3), -3.0);  // drawn at the bottom, value kept
        QCOMPARE(view.kindPlot()->colourRange().lower, 1.0);
        QCOMPARE(view.kindPlot()->colorMap()->dataScaleType(), QCPAxis::stLogarithmic);
        view.setLogScale(false);
        view.refreshNow();
        QCOMPARE(view.kindPlot()->colourRange().lower, -3.0);

        // Updates keep metric and tensor; a burst costs one redraw.
        view.selectTensor(QStringLiteral("blk.0.attn_qkv.weight"));
        for (int i = 2; i <= 6; ++i) view.setReport(syntheticGpt2Report(double(i)));
        QVERIFY(view.redrawPending());
        QCOMPARE(view.kindValue(1, 0), 2.0);  // still the old report
        QTRY_COMPARE(view.kindValue(1, 0), 12.0);
        QCOMPARE(view.metric(), QStringLiteral("taylor"));
        QCOMPARE(view.selectedTensor(), QStringLiteral("blk.0.attn_qkv.weight"));
        QCOMPARE(view.chunkValue(2, 4), 14.0 * 6.0);

        // Malformed unit names are left out, huge indices included (no unbounded grid).
        SensitivityReport odd = syntheticGpt2Report(1.0);
        for (const char* u : {"blk.9999999.head.1", "blk.1.head.99999", "blk.x.head.2", "blk.1.head.", "blk..head.1"})
            odd.values.push_back({u, sensitivity::UnitKind::Head, "ow_err", "Q4_0", 1.0});
        odd.values.push_back({"blk.70000.attn_q.weight", sensitivity::UnitKind::Tensor, "ow_err", "Q4_0", 1.0});
        view.setMetric(QStringLiteral("ow_err"));
        view.setReport(odd);
        view.refreshNow();
        QCOMPARE(view.headMapLayers(), 2);
        QCOMPARE(view.headMapHeads(), 3);
        QCOMPARE(view.kindMapKinds(), 4);
        int layer = -1, head = -1;
        QVERIFY(views::parseHeadUnit("blk.12.head.7", &layer, &head) && layer == 12 && head == 7);
        QVERIFY(!views::parseHeadUnit("blk.12.attn_q.weight", &layer, &head));

        view.clear();
        view.refreshNow();
        QCOMPARE(view.headMapLayers(), 0);
        QCOMPARE(view.chunkMapRows(), 0);
    }

    void sampleModelPreselectsItsText()
    {
        const QString sample = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/model.gguf");
        if (!QFileInfo(sample).isFile()) QSKIP("resources/sample/model.gguf not found");
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QVERIFY(openAndWait(w, sample));
        CalibrationDialog* d = openDialog(w);
        QVERIFY(d);
        QVERIFY(d->fileSourceButton()->isChecked());
        QCOMPARE(QFileInfo(d->textEdit()->text()).fileName(), QStringLiteral("calib.txt"));
        QCOMPARE(d->lengthBox()->value(), 256);  // the sample model's context

        const QString shot = qEnvironmentVariable("PRECIS_SENSITIVITY_SCREENSHOT");
        if (shot.isEmpty()) {
            d->reject();
            return;
        }
        d->sequencesBox()->setValue(8);
        d->lengthBox()->setValue(128);
        d->optionsEdit()->setText(QStringLiteral("Q8_0, Q6_K, Q4_K, Q4_0, Q2_K"));
        d->measureSequencesBox()->setValue(4);
        QTest::mouseClick(d->calibrateButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!w.document()->isCalibrating(), 10 * kWaitMs);
        QVERIFY(w.document()->sensitivityReport());
        SensitivityView* view = w.sensitivityView();
        view->selectTensor(QStringLiteral("blk.2.ffn_down.weight"));
        view->refreshNow();
        QTest::qWait(300);
        QVERIFY(w.grab().save(shot, "PNG"));
        qInfo("saved %s", qPrintable(shot));
    }
};

QTEST_MAIN(TestGuiSensitivity)
#include "tst_gui_sensitivity.moc"
