// The studio window, offscreen: opening models (menu path, drag-and-drop),
// the model tree, bad files, and the attention tab against an independent
// engine run. Models are generated here; stories260K is used when ../shared is present.
#include "attention_thumbnails.h"
#include "attention_view.h"
#include "colour_maps.h"
#include "job_runner.h"
#include "main_window.h"
#include "window_support.h"
#include "model_tree_view.h"
#include "studio_document.h"

#include "engine/engine.h"
#include "formats/gguf.h"
#include "model/random_model.h"
#include "tokenizer/tokenizer.h"
#include "test_support.h"

#include <qcustomplot.h>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTreeView>

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>
#include <thread>

using namespace precis;
using precis::test::kWaitMs;
using precis::test::openAndWait;
using app::AttentionResult;
using app::MainWindow;
using app::StudioDocument;
using views::ModelTreeView;

namespace {


// Items of `kind` anywhere under `parent` in `model`.
int countKind(const QAbstractItemModel* model, ModelTreeView::ItemKind kind, const QModelIndex& parent = {})
{
    int n = 0;
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, ModelTreeView::NameColumn, parent);
        if (i.data(ModelTreeView::KindRole).toInt() == int(kind)) ++n;
        n += countKind(model, kind, i);
    }
    return n;
}

QModelIndex findName(const QAbstractItemModel* model, const QString& name, const QModelIndex& parent = {})
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, ModelTreeView::NameColumn, parent);
        if (i.data().toString() == name) return i;
        if (QModelIndex c = findName(model, name, i); c.isValid()) return c;
    }
    return {};
}

// Types `text`, clicks Compute and returns the result the window received.
std::shared_ptr<const AttentionResult> computeAndWait(MainWindow& w, const QString& text)
{
    QSignalSpy ready(w.document(), &StudioDocument::attentionReady);
    views::AttentionView* view = w.attentionView();
    view->textEdit()->clear();
    QTest::keyClicks(view->textEdit(), text.left(200));
    view->textEdit()->setText(text);  // long texts: keyClicks for the start, the rest at once
    QTest::mouseClick(view->computeButton(), Qt::LeftButton);
    if (!ready.wait(kWaitMs) && ready.isEmpty()) return nullptr;
    return ready.first().first().value<std::shared_ptr<const AttentionResult>>();
}

// The colour map's cells equal map(layer, head) exactly (cell (key, query)).
bool mapShows(const QCPColorMap* map, const AttentionMaps& maps, int layer, int head)
{
    const int T = maps.nTokens;
    QCPColorMapData* d = map->data();
    if (d->keySize() != T || d->valueSize() != T) return false;
    const float* p = maps.map(layer, head);
    for (int q = 0; q < T; ++q)
        for (int k = 0; k < T; ++k)
            if (d->cell(k, q) != double(p[size_t(q) * T + k])) return false;
    return true;
}

} // namespace

class TestGui : public QObject {
    Q_OBJECT
    QString m_dir, m_tinyPath;
    std::shared_ptr<Model> m_tiny;
    ModelConfig m_cfg;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("PrecisTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui"));
        QSettings().clear();

        m_dir = QString::fromStdString(test::scratchDir("gui"));
        m_cfg.arch = Arch::Llama;
        m_cfg.archName = "llama";
        m_cfg.nLayer = 11;  // ≥ 10 so that natural sorting (blk.9 < blk.10) is visible
        m_cfg.nEmbd = 16;
        m_cfg.nHead = 4;
        m_cfg.nHeadKv = 2;
        m_cfg.nFf = 24;
        m_cfg.nVocab = 320;
        m_cfg.nCtx = 512;
        m_tiny = makeRandomModel(m_cfg, 11, 0.3f);  // large weights: peaked, distinct heads
        QVERIFY(m_tiny->validate().ok());
        m_tinyPath = m_dir + "/tiny.gguf";
        QVERIFY(gguf::writeModel(*m_tiny, m_tinyPath.toStdString()).ok());
    }

    void emptyWindowShowsHint()
    {
        MainWindow w;
        w.show();
        QCOMPARE(w.windowTitle(), QStringLiteral("Precis"));
        auto* stack = qobject_cast<QStackedWidget*>(w.centralWidget());
        QVERIFY(stack);
        auto* hint = qobject_cast<QLabel*>(stack->currentWidget());
        QVERIFY(hint);
        QVERIFY(hint->text().contains(QStringLiteral("drop")));
        QVERIFY(!w.attentionView()->computeButton()->isEnabled());
        QVERIFY(!w.jobRunner()->isBusy());
    }

    void openFillsTreeAndSummary()
    {
        MainWindow w;
        w.show();
        QVERIFY(openAndWait(w, m_tinyPath));
        const auto& model = w.document()->model();
        QVERIFY(model);
        QCOMPARE(model->tensors().size(), m_tiny->tensors().size());
        QCOMPARE(w.windowTitle(), QStringLiteral("Precis — tiny.gguf"));
        QCOMPARE(w.centralWidget()->property("currentIndex").toInt(), 1);  // tabs, not the hint

        const QStandardItemModel* items = w.modelTree()->sourceModel();
        QCOMPARE(countKind(items, ModelTreeView::ItemKind::Tensor), int(m_tiny->tensors().size()));
        QCOMPARE(countKind(items, ModelTreeView::ItemKind::Block), m_cfg.nLayer);

        // Every tensor row: bytes and share of the parameters from the in-memory model.
        int64_t total = 0;
        for (const Tensor& t : m_tiny->tensors()) total += t.numel();
        double shareSum = 0;
        for (const Tensor& t : m_tiny->tensors()) {
            const QModelIndex i = findName(items, QString::fromStdString(t.name));
            QVERIFY2(i.isValid(), t.name.c_str());
            QCOMPARE(i.data(ModelTreeView::TensorNameRole).toString(), QString::fromStdString(t.name));
            QCOMPARE(i.siblingAtColumn(ModelTreeView::BytesColumn).data(ModelTreeView::SortRole).toDouble(),
                     double(t.numel() * 4));  // F32
            QVERIFY(i.siblingAtColumn(ModelTreeView::BytesColumn).data(Qt::ToolTipRole).toString().contains(
                QLocale().toString(qlonglong(t.numel() * 4))));
            const double share = i.siblingAtColumn(ModelTreeView::ShareColumn).data(ModelTreeView::SortRole).toDouble();
            QVERIFY(std::abs(share - double(t.numel()) / double(total)) < 1e-12);
            shareSum += share;
            // Layer tensors sit under their block.
            if (t.name.rfind("blk.", 0) == 0)
                QVERIFY(t.name.rfind(i.parent().data().toString().toStdString() + ".", 0) == 0);
            else
                QVERIFY(!i.parent().isValid());
        }
        QVERIFY(std::abs(shareSum - 1.0) < 1e-9);
        const QModelIndex blk3 = findName(items, QStringLiteral("blk.3"));
        QCOMPARE(items->rowCount(blk3), 9);  // attn_norm, q, k, v, output, ffn_norm, gate, up, down

        ModelTreeView* tree = w.modelTree();
        QCOMPARE(tree->summaryValue(QStringLiteral("Layers")), QStringLiteral("11"));
        QCOMPARE(tree->summaryValue(QStringLiteral("Heads (Q / KV)")), QStringLiteral("4 / 2"));
        QVERIFY(tree->summaryValue(QStringLiteral("Parameters")).startsWith(QLocale().toString(qlonglong(total))));
        QCOMPARE(tree->summaryValue(QStringLiteral("Format")), QStringLiteral("gguf"));
        QVERIFY(tree->summaryValue(QStringLiteral("File size"))
                    .contains(QLocale().toString(qulonglong(QFileInfo(m_tinyPath).size()))));

        QCOMPARE(MainWindow::recentModels().value(0), QFileInfo(m_tinyPath).absoluteFilePath());
    }

    void treeFiltersAndSortsNaturally()
    {
        MainWindow w;
        w.show();
        QVERIFY(openAndWait(w, m_tinyPath));
        ModelTreeView* tree = w.modelTree();
        const QAbstractItemModel* proxy = tree->proxyModel();

        tree->setFilterText(QStringLiteral("attn_q"));
        QCOMPARE(countKind(proxy, ModelTreeView::ItemKind::Tensor), m_cfg.nLayer);
        tree->setFilterText(QStringLiteral("blk.10"));  // a block name keeps all of its tensors
        QCOMPARE(countKind(proxy, ModelTreeView::ItemKind::Tensor), 9);
        tree->setFilterText(QString());
        QCOMPARE(countKind(proxy, ModelTreeView::ItemKind::Tensor), int(m_tiny->tensors().size()));

        tree->treeView()->sortByColumn(ModelTreeView::NameColumn, Qt::AscendingOrder);
        QStringList order;
        for (int r = 0; r < proxy->rowCount(); ++r) order << proxy->index(r, 0).data().toString();
        QVERIFY(order.indexOf(QStringLiteral("blk.9")) < order.indexOf(QStringLiteral("blk.10")));
        QVERIFY(order.indexOf(QStringLiteral("blk.2")) < order.indexOf(QStringLiteral("blk.10")));

        tree->treeView()->sortByColumn(ModelTreeView::BytesColumn, Qt::DescendingOrder);
        double previous = 1e300;
        for (int r = 0; r < proxy->rowCount(); ++r) {
            const double bytes = proxy->index(r, ModelTreeView::BytesColumn).data(ModelTreeView::SortRole).toDouble();
            QVERIFY(bytes <= previous);
            previous = bytes;
        }
    }

    void badFileKeepsPreviousModel_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QFile f(m_tinyPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray good = f.readAll();
        QTest::newRow("truncated") << "truncated.gguf" << good.left(good.size() / 2);
        QByteArray badVersion = good;
        badVersion[4] = char(99);
        QTest::newRow("bad version") << "badversion.gguf" << badVersion;
        QByteArray hugeCount = good;
        for (int i = 8; i < 16; ++i) hugeCount[i] = char(0x7f);  // n_tensors ≈ 2^63
        QTest::newRow("huge tensor count") << "hugecount.gguf" << hugeCount;
        QTest::newRow("missing") << "missing.gguf" << QByteArray();
    }

    void badFileKeepsPreviousModel()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        const QString path = m_dir + "/" + name;
        QFile::remove(path);
        if (!bytes.isEmpty()) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        }
        MainWindow w;
        w.show();
        QVERIFY(openAndWait(w, m_tinyPath));
        const auto previous = w.document()->model();
        const QString title = w.windowTitle();

        QSignalSpy errors(w.document(), &StudioDocument::errorOccurred);
        QSignalSpy changed(w.document(), &StudioDocument::modelChanged);
        w.openModel(path);
        QVERIFY(errors.wait(kWaitMs) || !errors.isEmpty());
        const QString message = errors.first().first().toString();
        QVERIFY2(message.contains(name), qPrintable(message));
        QVERIFY(!message.contains(QLatin1Char('\n')));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(w.document()->model(), previous);
        QCOMPARE(w.windowTitle(), title);
        QVERIFY(!w.document()->isLoading());

        // The window shows the reader's message in a (non-blocking) warning box.
        auto* box = w.findChild<QMessageBox*>(QStringLiteral("ErrorMessageBox"));
        QVERIFY(box);
        QVERIFY(box->isVisible());
        QCOMPARE(box->text(), message);
        box->close();
    }

    void attentionMatchesEngine()
    {
        MainWindow w;
        w.resize(1100, 700);
        w.show();
        QVERIFY(openAndWait(w, m_tinyPath));
        views::AttentionView* view = w.attentionView();
        QVERIFY(view->computeButton()->isEnabled());

        const QString text = QStringLiteral("the cat sat on the mat");
        const auto result = computeAndWait(w, text);
        QVERIFY(result && result->maps);
        QVERIFY(!view->isBusy());

        // Independent run: tokenizer and engine built from the in-memory model.
        auto tok = Tokenizer::create(m_tiny->tokenizer);
        QVERIFY(tok.ok());
        const std::vector<int32_t> ids = (*tok)->encode(text.toStdString(), (*tok)->addBosByDefault());
        QVERIFY(ids.size() > 2);
        QCOMPARE(result->ids, ids);
        const int T = int(ids.size());
        auto engine = Engine::create(m_tiny);
        QVERIFY(engine.ok());
        AttentionMaps ref;
        QVERIFY((*engine)->forward(ids, &ref).ok());
        QCOMPARE(ref.nLayer, m_cfg.nLayer);
        QCOMPARE(ref.nHead, m_cfg.nHead);

        const AttentionMaps& shown = *view->maps();
        QCOMPARE(shown.nTokens, T);
        QCOMPARE(view->colorMap()->data()->keySize(), T);
        QCOMPARE(view->colorMap()->data()->valueSize(), T);
        for (size_t i = 0; i < ref.probs.size(); ++i) QVERIFY(std::abs(shown.probs[i] - ref.probs[i]) < 1e-5f);
        QVERIFY(mapShows(view->colorMap(), shown, 0, 0));
        // Causal and row-stochastic, as displayed.
        for (int q = 0; q < T; ++q) {
            double sum = 0;
            for (int k = 0; k < T; ++k) {
                const double v = view->colorMap()->data()->cell(k, q);
                if (k > q) QCOMPARE(v, 0.0);
                sum += v;
            }
            QVERIFY(std::abs(sum - 1.0) < 1e-4);
        }

        // Token labels: the first tick of both axes is the BOS piece.
        auto yTicker = qSharedPointerCast<QCPAxisTickerText>(view->plot()->yAxis->ticker());
        QCOMPARE(yTicker->ticks().value(0), views::AttentionView::displayToken(
                                                QString::fromStdString((*tok)->tokenText(ids[0]))));
        QVERIFY(view->cellText(2, 1).contains(QString::number(double(shown.map(0, 0)[2 * T + 1]), 'f', 6)));

        // A click on thumbnail 2 selects head 2 in the big map.
        views::AttentionThumbnails* thumbs = view->thumbnails();
        QCOMPARE(thumbs->count(), m_cfg.nHead);
        QSignalSpy selected(view, &views::AttentionView::selectionChanged);
        QTest::mouseClick(thumbs, Qt::LeftButton, {}, thumbs->thumbnailRect(2).center());
        QCOMPARE(view->head(), 2);
        QCOMPARE(thumbs->selected(), 2);
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.first().value(1).toInt(), 2);
        QVERIFY(mapShows(view->colorMap(), shown, 0, 2));
        QVERIFY(!mapShows(view->colorMap(), shown, 0, 0));  // the heads really differ

        // Another layer: the map and the thumbnails follow.
        view->layerBox()->setValue(7);
        QCOMPARE(view->layer(), 7);
        QVERIFY(mapShows(view->colorMap(), shown, 7, 2));
        QCPColorGradient gradient = views::heatGradient();
        const QImage& img = thumbs->image(3);
        QCOMPARE(img.size(), QSize(T, T));
        for (int q = 0; q < T; ++q)
            QCOMPARE(img.pixel(0, q), gradient.color(shown.map(7, 3)[size_t(q) * T], QCPRange(0, 1)) | 0xff000000u);
    }

    void longTextIsCut()
    {
        MainWindow w;
        w.show();
        QVERIFY(openAndWait(w, m_tinyPath));
        QString text;
        for (int i = 0; i < 60; ++i) text += QStringLiteral("zq%1xj ").arg(i * 7919 % 1000);
        auto tok = Tokenizer::create(m_tiny->tokenizer);
        QVERIFY(tok.ok());
        const auto ids = (*tok)->encode(text.toStdString(), (*tok)->addBosByDefault());
        QVERIFY(ids.size() > size_t(StudioDocument::kMaxAttentionTokens));

        const auto result = computeAndWait(w, text);
        QVERIFY(result);
        QCOMPARE(result->maps->nTokens, StudioDocument::kMaxAttentionTokens);
        QCOMPARE(result->droppedTokens, int(ids.size()) - StudioDocument::kMaxAttentionTokens);
        QCOMPARE(result->ids, std::vector<int32_t>(ids.begin(), ids.begin() + StudioDocument::kMaxAttentionTokens));
        QCOMPARE(w.attentionView()->colorMap()->data()->keySize(), StudioDocument::kMaxAttentionTokens);
        QVERIFY(w.attentionView()->infoLabel()->text().contains(QStringLiteral("256")));
    }

    void dropOpensModel()
    {
        MainWindow w;
        w.show();
        QSignalSpy changed(w.document(), &StudioDocument::modelChanged);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(m_tinyPath)});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&w, &drop);
        QVERIFY(changed.wait(kWaitMs) || !changed.isEmpty());
        QCOMPARE(w.document()->modelPath(), QFileInfo(m_tinyPath).absoluteFilePath());

        QMimeData text;
        text.setText(QStringLiteral("not a file"));
        QDragEnterEvent refused(QPoint(50, 50), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        refused.setAccepted(false);
        QCoreApplication::sendEvent(&w, &refused);
        QVERIFY(!refused.isAccepted());
    }

    void recentModelsHaveNoDuplicates()
    {
        const QString second = m_dir + "/second.gguf";
        QVERIFY(QFile::copy(m_tinyPath, second) || QFileInfo::exists(second));
        MainWindow w;
        QVERIFY(openAndWait(w, second));
        QVERIFY(openAndWait(w, m_tinyPath));
        QVERIFY(openAndWait(w, second));
        const QStringList recent = MainWindow::recentModels();
        QCOMPARE(recent.value(0), QFileInfo(second).absoluteFilePath());
        QCOMPARE(recent.value(1), QFileInfo(m_tinyPath).absoluteFilePath());
        QCOMPARE(recent.count(QFileInfo(second).absoluteFilePath()), 1);
    }

    void modelWithoutTokenizerDisablesAttention()
    {
        ModelConfig c = m_cfg;
        c.nLayer = 1;
        c.nVocab = 100;  // too small for the random tokenizer: the file carries none
        auto model = makeRandomModel(c, 3);
        const QString path = m_dir + "/notok.gguf";
        QVERIFY(gguf::writeModel(*model, path.toStdString()).ok());
        MainWindow w;
        w.show();
        QVERIFY(openAndWait(w, path));
        QVERIFY(!w.document()->tokenizer());
        QVERIFY(!w.attentionView()->computeButton()->isEnabled());
        QVERIFY(w.attentionView()->infoLabel()->text().contains(QStringLiteral("tokenizer")));
        QCOMPARE(countKind(w.modelTree()->sourceModel(), ModelTreeView::ItemKind::Block), 1);
    }

    void statusBarCancelsJob()
    {
        MainWindow w;
        w.show();
        app::JobRunner* runner = w.jobRunner();
        auto* cancel = w.findChild<QPushButton*>(QStringLiteral("CancelJobButton"));
        auto* bar = w.findChild<QProgressBar*>(QStringLiteral("JobProgressBar"));
        QVERIFY(cancel && bar);
        QVERIFY(!cancel->isVisible());

        QSignalSpy busy(runner, &app::JobRunner::busyChanged);
        std::atomic<bool> reported{false};
        std::optional<Result<int>> got;
        runner->run<int>(
            QStringLiteral("spin"),
            [&reported](Progress& p, const CancelToken& c) -> Result<int> {
                p.report(0.25, "a quarter");
                reported = true;
                while (!c.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                return makeError(ErrorCode::Cancelled, {}, "stopped");
            },
            [&got](Result<int> r) { got.emplace(std::move(r)); });
        QVERIFY(runner->isBusy());
        QVERIFY(cancel->isVisible());
        QVERIFY(bar->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(reported && bar->maximum() == 1000, kWaitMs);
        QCOMPARE(bar->value(), 250);

        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), kWaitMs);
        QVERIFY(!got->ok());
        QCOMPARE(got->error().code, ErrorCode::Cancelled);
        QVERIFY(!runner->isBusy());
        QVERIFY(!cancel->isVisible());
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.at(0).first().toBool(), true);
        QCOMPARE(busy.at(1).first().toBool(), false);
    }

    void destroyedRunnerSkipsDone()
    {
        bool doneCalled = false;
        std::atomic<bool> started{false};
        {
            app::JobRunner runner;
            runner.start(
                QStringLiteral("spin"),
                [&started](Progress&, const CancelToken& c) {
                    started = true;
                    while (!c.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                },
                [&doneCalled] { doneCalled = true; });
            QTRY_VERIFY_WITH_TIMEOUT(started, kWaitMs);
        }  // the destructor cancels and waits for the job
        QCoreApplication::processEvents();
        QVERIFY(!doneCalled);
    }

    void stories260K()
    {
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        PRECIS_REQUIRE_SHARED("data/text/tinystories-head.txt");
        PRECIS_REQUIRE_SHARED("reference/stories260K.json");
        MainWindow w;
        w.show();
        QVERIFY(openAndWait(w, QString::fromStdString(test::sharedPath("data/models/stories260K.gguf"))));
        const QStandardItemModel* items = w.modelTree()->sourceModel();
        // token_embd, output_norm, output + 5 × (attn_q/k/v/output, attn_norm, ffn_gate/down/up, ffn_norm)
        QCOMPARE(countKind(items, ModelTreeView::ItemKind::Tensor), 48);
        QCOMPARE(countKind(items, ModelTreeView::ItemKind::Block), 5);
        QCOMPARE(w.document()->model()->parameterCount(), int64_t(292800));
        QVERIFY(w.modelTree()->summaryValue(QStringLiteral("Parameters")).startsWith(QLocale().toString(292800)));
        QCOMPARE(w.modelTree()->summaryValue(QStringLiteral("Heads (Q / KV)")), QStringLiteral("8 / 4"));

        // The first 200 ids of the reference tokenization of tinystories-head.txt (with BOS).
        QFile ref(QString::fromStdString(test::sharedPath("reference/stories260K.json")));
        QVERIFY(ref.open(QIODevice::ReadOnly));
        const QJsonArray first = QJsonDocument::fromJson(ref.readAll())
                                     .object()[QStringLiteral("tokenization")][QStringLiteral("first_200_ids")]
                                     .toArray();
        QCOMPARE(first.size(), 200);
        QFile story(QString::fromStdString(test::sharedPath("data/text/tinystories-head.txt")));
        QVERIFY(story.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(story.read(3000));

        const auto result = computeAndWait(w, text);
        QVERIFY(result);
        QCOMPARE(result->maps->nTokens, 256);
        QVERIFY(result->droppedTokens > 0);
        for (int i = 0; i < 200; ++i) QCOMPARE(result->ids[size_t(i)], first[i].toInt());
        QCOMPARE(result->maps->nLayer, 5);
        QCOMPARE(result->maps->nHead, 8);
        QCOMPARE(w.attentionView()->thumbnails()->count(), 8);
        for (int l = 0; l < 5; ++l)
            for (int h = 0; h < 8; ++h) {
                const float* p = result->maps->map(l, h);
                for (int q = 0; q < 256; q += 17) {
                    double sum = 0;
                    for (int k = 0; k <= q; ++k) sum += p[q * 256 + k];
                    QVERIFY(std::abs(sum - 1.0) < 1e-4);
                }
            }
    }
};

QTEST_MAIN(TestGui)
#include "tst_gui.moc"
