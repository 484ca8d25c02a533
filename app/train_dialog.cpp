#include "train_dialog.h"

#include "core_messages.h"
#include "job_runner.h"

#include "loss_curve_view.h"
#include "model_tree_view.h"

#include "common/mapped_file.h"
#include "model/model.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <climits>
#include <mutex>
#include <vector>

namespace precis::app {

namespace {

const char* const kCorpusKey = "train/corpus";
const char* const kOutputKey = "train/outputFolder";

// Tokens every trained vocabulary reserves before its character pieces:
// <unk>, <s>, </s> and the 256 byte tokens (tokenizer_training.h).
constexpr int kReservedTokens = 259;
// Corpora larger than this are not scanned for the live parameter count.
constexpr qint64 kMaxScanBytes = qint64(256) << 20;
constexpr int kPollMs = 50;

struct PresetShape {
    int layers, embd, heads, kvHeads, ffn, ctx;  // kvHeads / ffn 0: the architecture's default
};
// Tiny and Small train in seconds to minutes; Sample-size is the bundled sample model's shape.
constexpr PresetShape kPresets[] = {
    {2, 64, 4, 0, 0, 64},
    {4, 128, 4, 2, 0, 128},
    {4, 256, 4, 2, 0, 256},
};

QString duration(double seconds)
{
    const auto s = qint64(seconds + 0.5);
    if (s >= 3600) return TrainDialog::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    if (s >= 60) return TrainDialog::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return TrainDialog::tr("%1 s").arg(s);
}

QSpinBox* spinBox(QWidget* parent, int lo, int hi, const QString& tip)
{
    auto* box = new QSpinBox(parent);
    box->setRange(lo, hi);
    box->setToolTip(tip);
    box->setGroupSeparatorShown(true);
    return box;
}

// The corpus's character vocabulary (what the char tokenizer will build), or why not.
struct ScanResult {
    int vocab = -1;
    int characters = 0;
};

ScanResult scanCorpus(const std::string& path, std::shared_ptr<CancelToken> cancel)
{
    auto text = readTextFile(path);
    if (!text.ok() || cancel->cancelled()) return {};
    TokenizerTrainingSettings ts;
    ts.kind = TokenizerTrainingKind::Char;
    auto r = trainTokenizer(*text, ts, cancel.get());
    if (!r.ok()) return {};
    return {int(r->spec.tokens.size()), r->characters};
}

} // namespace

// Steps reported by the trainer (job thread), waiting for the next poll (GUI thread).
struct TrainDialog::StepFeed {
    std::mutex mutex;
    std::vector<TrainStep> steps;
};

TrainDialog::TrainDialog(JobRunner* runner, QWidget* parent) : QDialog(parent), m_runner(runner)
{
    setObjectName(QStringLiteral("TrainDialog"));
    setWindowTitle(tr("Train Micro Model"));

    m_form = new QWidget(this);
    auto* formLayout = new QVBoxLayout(m_form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->addWidget(createDataGroup());
    formLayout->addWidget(createModelGroup());
    formLayout->addWidget(createTrainingGroup());
    formLayout->addStretch(1);

    m_curve = new views::LossCurveView(this);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_form);
    split->addWidget(m_curve);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    split->setSizes({460, 640});

    m_stage = new QLabel(tr("Choose a text file and press Start."), this);
    m_stage->setObjectName(QStringLiteral("TrainStageLabel"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("TrainProgressBar"));
    m_progress->setRange(0, 1);
    m_progress->setMinimumWidth(240);
    m_progress->setValue(0);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("TrainErrorLabel"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_error->setVisible(false);

    auto* buttons = new QDialogButtonBox(this);
    m_start = buttons->addButton(tr("Start"), QDialogButtonBox::ActionRole);
    m_start->setToolTip(tr("Train a new model with these settings"));
    m_start->setDefault(true);
    m_cancelButton = buttons->addButton(tr("Cancel"), QDialogButtonBox::ActionRole);
    m_cancelButton->setToolTip(tr("Stop after the current step and keep a loadable checkpoint"));
    m_cancelButton->setEnabled(false);
    m_close = buttons->addButton(QDialogButtonBox::Close);
    m_close->setToolTip(tr("Hide this window; a running training goes on (see the status bar)"));
    connect(m_start, &QPushButton::clicked, this, &TrainDialog::start);
    connect(m_cancelButton, &QPushButton::clicked, this, &TrainDialog::cancel);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_stage, 1);
    progressRow->addWidget(m_progress);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addLayout(progressRow);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    m_poll = new QTimer(this);
    m_poll->setInterval(kPollMs);
    connect(m_poll, &QTimer::timeout, this, &TrainDialog::drainSteps);

    const QSettings settings;
    m_corpus->setText(settings.value(kCorpusKey).toString());
    m_output->setText(settings.value(kOutputKey, QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) +
                                                     QStringLiteral("/precis-micro-model"))
                          .toString());
    setPreset(Tiny);
    onArchOrTokenizerChanged();
    onCorpusChanged();
    resize(1120, 680);
}

TrainDialog::~TrainDialog()
{
    if (m_cancel) m_cancel->cancel();
    if (m_scanCancel) m_scanCancel->cancel();
}

QWidget* TrainDialog::createDataGroup()
{
    auto* group = new QGroupBox(tr("Data"), this);
    m_corpus = new QLineEdit(group);
    m_corpus->setPlaceholderText(tr("UTF-8 text file to train on"));
    auto* browseCorpus = new QPushButton(tr("Browse…"), group);
    m_corpusSize = new QLabel(group);
    m_corpusSize->setObjectName(QStringLiteral("CorpusSizeLabel"));
    m_output = new QLineEdit(group);
    m_output->setToolTip(tr("Receives model.gguf, a Hugging Face folder and the trainer state; created if missing"));
    auto* browseOutput = new QPushButton(tr("Browse…"), group);
    connect(browseCorpus, &QPushButton::clicked, this, &TrainDialog::browseCorpus);
    connect(browseOutput, &QPushButton::clicked, this, &TrainDialog::browseOutput);
    connect(m_corpus, &QLineEdit::textChanged, this, &TrainDialog::onCorpusChanged);

    auto* grid = new QGridLayout(group);
    grid->addWidget(new QLabel(tr("Corpus:"), group), 0, 0);
    grid->addWidget(m_corpus, 0, 1);
    grid->addWidget(browseCorpus, 0, 2);
    grid->addWidget(m_corpusSize, 1, 1, 1, 2);
    grid->addWidget(new QLabel(tr("Output folder:"), group), 2, 0);
    grid->addWidget(m_output, 2, 1);
    grid->addWidget(browseOutput, 2, 2);
    grid->setColumnStretch(1, 1);
    return group;
}

QWidget* TrainDialog::createModelGroup()
{
    auto* group = new QGroupBox(tr("Model"), this);
    m_arch = new QComboBox(group);
    m_arch->addItem(tr("Llama (RMSNorm, RoPE, SwiGLU)"), QStringLiteral("llama"));
    m_arch->addItem(tr("GPT-2 (LayerNorm, learned positions, GELU)"), QStringLiteral("gpt2"));
    m_preset = new QComboBox(group);
    m_preset->addItem(tr("Tiny (2 layers × 64, ≈0.15 M params)"));
    m_preset->addItem(tr("Small (4 layers × 128, ≈0.9 M params)"));
    m_preset->addItem(tr("Sample-size (4 layers × 256, ≈3.3 M params)"));
    m_preset->addItem(tr("Custom"));

    m_layers = spinBox(group, 1, 64, tr("Transformer blocks"));
    m_embd = spinBox(group, 1, 8192, tr("Embedding width"));
    m_heads = spinBox(group, 1, 256, tr("Attention heads; they must divide the embedding width"));
    m_kvHeads = spinBox(group, 0, 256, tr("Key/value heads (grouped-query attention, Llama only); they must divide the heads"));
    m_kvHeads->setSpecialValueText(tr("= heads"));
    m_ffn = spinBox(group, 0, 1 << 16, tr("Feed-forward width; auto: 3 × embedding (Llama), 4 × (GPT-2)"));
    m_ctx = spinBox(group, 2, 8192, tr("Context length = training window in tokens"));
    m_tokenizer = new QComboBox(group);
    m_tokenizer->addItem(tr("Characters"), QStringLiteral("char"));
    m_tokenizer->addItem(tr("BPE"), QStringLiteral("bpe"));
    m_tokenizer->setToolTip(tr("Vocabulary learnt from the corpus: one token per character, or byte-pair merges"));
    m_vocab = spinBox(group, 260, 1 << 16, tr("BPE vocabulary size, including the 259 special and byte tokens"));
    m_vocab->setValue(512);
    m_params = new QLabel(group);
    m_params->setObjectName(QStringLiteral("ParameterCountLabel"));
    m_params->setWordWrap(true);

    for (QSpinBox* box : {m_layers, m_embd, m_heads, m_kvHeads, m_ffn, m_ctx})
        connect(box, &QSpinBox::valueChanged, this, &TrainDialog::onShapeEdited);
    connect(m_vocab, &QSpinBox::valueChanged, this, &TrainDialog::updateParameterCount);
    connect(m_preset, &QComboBox::currentIndexChanged, this, &TrainDialog::onPresetChanged);
    connect(m_arch, &QComboBox::currentIndexChanged, this, &TrainDialog::onArchOrTokenizerChanged);
    connect(m_tokenizer, &QComboBox::currentIndexChanged, this, &TrainDialog::onArchOrTokenizerChanged);

    auto* grid = new QGridLayout(group);
    grid->addWidget(new QLabel(tr("Architecture:"), group), 0, 0);
    grid->addWidget(m_arch, 0, 1, 1, 3);
    grid->addWidget(new QLabel(tr("Size:"), group), 1, 0);
    grid->addWidget(m_preset, 1, 1, 1, 3);
    const std::pair<QString, QWidget*> cells[] = {
        {tr("Layers:"), m_layers},    {tr("Embedding:"), m_embd}, {tr("Heads:"), m_heads},
        {tr("KV heads:"), m_kvHeads}, {tr("FFN width:"), m_ffn},  {tr("Context:"), m_ctx},
        {tr("Tokenizer:"), m_tokenizer}, {tr("Vocabulary:"), m_vocab}};
    for (int i = 0; i < int(std::size(cells)); ++i) {
        grid->addWidget(new QLabel(cells[i].first, group), 2 + i / 2, (i % 2) * 2);
        grid->addWidget(cells[i].second, 2 + i / 2, (i % 2) * 2 + 1);
    }
    grid->addWidget(m_params, 6, 0, 1, 4);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    return group;
}

QWidget* TrainDialog::createTrainingGroup()
{
    auto* group = new QGroupBox(tr("Training"), this);
    m_steps = spinBox(group, 1, INT_MAX, tr("Optimizer steps"));
    m_steps->setValue(1000);
    m_batch = spinBox(group, 1, 4096, tr("Windows per step; tokens per step = batch × context"));
    m_batch->setValue(16);
    m_lr = new QDoubleSpinBox(group);
    m_lr->setDecimals(5);
    m_lr->setRange(0.00001, 1.0);
    m_lr->setSingleStep(0.0005);
    m_lr->setValue(0.001);
    m_lr->setToolTip(tr("Peak learning rate (AdamW, warm-up then cosine decay to a tenth of it)"));
    m_seed = spinBox(group, 0, INT_MAX, tr("Seed of the initialisation and the batches"));
    m_seed->setValue(1);
    m_seed->setGroupSeparatorShown(false);
    m_evalEvery = spinBox(group, 0, INT_MAX, tr("Validate on the held-out last tenth of the text every N steps"));
    m_evalEvery->setSpecialValueText(tr("only at the end"));
    m_evalEvery->setValue(100);
    connect(m_batch, &QSpinBox::valueChanged, this, &TrainDialog::updateParameterCount);

    auto* grid = new QGridLayout(group);
    const std::pair<QString, QWidget*> cells[] = {{tr("Steps:"), m_steps}, {tr("Batch:"), m_batch},
                                                  {tr("Learning rate:"), m_lr}, {tr("Seed:"), m_seed},
                                                  {tr("Validate every:"), m_evalEvery}};
    for (int i = 0; i < int(std::size(cells)); ++i) {
        grid->addWidget(new QLabel(cells[i].first, group), i / 2, (i % 2) * 2);
        grid->addWidget(cells[i].second, i / 2, (i % 2) * 2 + 1);
    }
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    return group;
}

TrainSettings TrainDialog::settings() const
{
    TrainSettings s;
    s.textPath = m_corpus->text().trimmed().toStdString();
    s.outDir = m_output->text().trimmed().toStdString();
    s.arch = m_arch->currentData().toString() == QLatin1String("gpt2") ? Arch::Gpt2 : Arch::Llama;
    s.nLayer = m_layers->value();
    s.nEmbd = m_embd->value();
    s.nHead = m_heads->value();
    s.nHeadKv = s.arch == Arch::Gpt2 ? 0 : m_kvHeads->value();
    s.nFf = m_ffn->value();
    s.nCtx = m_ctx->value();
    s.tokenizer = m_tokenizer->currentData().toString() == QLatin1String("bpe") ? TokenizerTrainingKind::Bpe
                                                                                 : TokenizerTrainingKind::Char;
    s.vocabSize = m_vocab->value();
    s.steps = m_steps->value();
    s.batch = m_batch->value();
    s.lr = m_lr->value();
    s.seed = uint64_t(m_seed->value());
    s.evalEvery = m_evalEvery->value();
    // The CLI's defaults for what the form leaves out: floor lr / 10, warm-up ≤ a tenth of the run.
    s.minLr = s.lr / 10;
    s.warmup = std::min<int64_t>(s.warmup, std::max<int64_t>(1, s.steps / 10));
    return s;
}

void TrainDialog::setPreset(Preset preset) { m_preset->setCurrentIndex(int(preset)); onPresetChanged(); }

// isHidden, not isVisible: the message stays while the dialog itself is hidden.
QString TrainDialog::errorText() const { return m_error->isHidden() ? QString() : m_error->text(); }

void TrainDialog::browseCorpus()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Training Text"), QFileInfo(m_corpus->text()).absolutePath(),
                                                      tr("Text files (*.txt *.md);;All files (*)"));
    if (!path.isEmpty()) m_corpus->setText(QDir::toNativeSeparators(path));
}

void TrainDialog::browseOutput()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Output Folder"), m_output->text());
    if (!path.isEmpty()) m_output->setText(QDir::toNativeSeparators(path));
}

void TrainDialog::onCorpusChanged()
{
    const QString path = m_corpus->text().trimmed();
    if (m_scanCancel) m_scanCancel->cancel();
    m_scanCancel.reset();
    m_charVocab = -1;
    m_characters = 0;
    m_scannedPath = path;
    const QFileInfo info(path);
    if (path.isEmpty()) {
        m_corpusSize->clear();
    } else if (!info.isFile()) {
        m_corpusSize->setText(tr("not found"));
    } else {
        const qint64 bytes = info.size();
        m_corpusSize->setText(tr("%1 (%2 bytes)").arg(views::humanBytes(quint64(bytes)), QLocale().toString(bytes)));
        if (bytes > 0 && bytes <= kMaxScanBytes) {
            // The character vocabulary comes from the core's own tokenizer trainer, off the GUI thread.
            auto cancel = std::make_shared<CancelToken>();
            m_scanCancel = cancel;
            auto* watcher = new QFutureWatcher<ScanResult>(this);
            connect(watcher, &QFutureWatcher<ScanResult>::finished, this, [this, watcher, cancel, path] {
                watcher->deleteLater();
                if (cancel->cancelled() || path != m_scannedPath) return;
                const ScanResult r = watcher->result();
                m_charVocab = r.vocab;
                m_characters = r.characters;
                updateParameterCount();
            });
            watcher->setFuture(QtConcurrent::run(scanCorpus, path.toStdString(), cancel));
        }
    }
    updateParameterCount();
}

void TrainDialog::onPresetChanged()
{
    const int i = m_preset->currentIndex();
    if (i < 0 || i >= int(std::size(kPresets))) return;  // Custom keeps the values
    const PresetShape& p = kPresets[i];
    m_applyingPreset = true;
    m_layers->setValue(p.layers);
    m_embd->setValue(p.embd);
    m_heads->setValue(p.heads);
    m_kvHeads->setValue(p.kvHeads);
    m_ffn->setValue(p.ffn);
    m_ctx->setValue(p.ctx);
    m_applyingPreset = false;
    updateParameterCount();
}

void TrainDialog::onShapeEdited()
{
    if (m_applyingPreset) return;
    // A hand-edited shape that is no preset's any more is Custom.
    const PresetShape now{m_layers->value(), m_embd->value(), m_heads->value(),
                          m_kvHeads->value(), m_ffn->value(),  m_ctx->value()};
    int match = Custom;
    for (int i = 0; i < int(std::size(kPresets)); ++i) {
        const PresetShape& p = kPresets[i];
        if (p.layers == now.layers && p.embd == now.embd && p.heads == now.heads && p.kvHeads == now.kvHeads &&
            p.ffn == now.ffn && p.ctx == now.ctx)
            match = i;
    }
    const QSignalBlocker block(m_preset);
    m_preset->setCurrentIndex(match);
    updateParameterCount();
}

void TrainDialog::onArchOrTokenizerChanged()
{
    const bool gpt2 = m_arch->currentData().toString() == QLatin1String("gpt2");
    m_kvHeads->setEnabled(!gpt2);
    m_ffn->setSpecialValueText(gpt2 ? tr("auto (4×)") : tr("auto (3×)"));
    m_vocab->setEnabled(m_tokenizer->currentData().toString() == QLatin1String("bpe"));
    updateParameterCount();
}

void TrainDialog::updateParameterCount()
{
    TrainSettings s = settings();
    // trainModelConfig checks every setting, the paths included; the shape does not depend on them.
    if (s.textPath.empty()) s.textPath = "-";
    if (s.outDir.empty()) s.outDir = "-";
    const bool bpe = s.tokenizer == TokenizerTrainingKind::Bpe;
    const int vocab = bpe ? s.vocabSize : (m_charVocab > 0 ? m_charVocab : kReservedTokens);
    const auto config = trainModelConfig(s, vocab);
    if (!config.ok()) {
        m_params->setStyleSheet(QStringLiteral("color: #b00020;"));
        m_params->setText(coreErrorText(config.error()));
        return;
    }
    m_params->setStyleSheet(QString());
    const QLocale locale;
    const int64_t n = expectedParameterCount(*config);
    const QString count = locale.toString(qlonglong(n));
    if (bpe) {
        m_params->setText(tr("%1 parameters (vocabulary of at most %2 tokens)").arg(count, locale.toString(vocab)));
    } else if (m_charVocab > 0) {
        m_params->setText(tr("%1 parameters (vocabulary %2: %3 special and byte tokens + %4 characters)")
                              .arg(count, locale.toString(vocab), locale.toString(vocab - m_characters),
                                   locale.toString(m_characters)));
    } else {
        ModelConfig more = *config;
        ++more.nVocab;
        m_params->setText(tr("%1 parameters + %2 per distinct character of the corpus")
                              .arg(count, locale.toString(qlonglong(expectedParameterCount(more) - n))));
    }
}

void TrainDialog::showError(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void TrainDialog::setRunning(bool running)
{
    m_running = running;
    m_form->setEnabled(!running);
    m_start->setEnabled(!running);
    m_cancelButton->setEnabled(running);
    if (running) m_poll->start();
    else m_poll->stop();
    emit runningChanged(running);
}

void TrainDialog::start()
{
    if (m_running) return;
    showError({});
    const TrainSettings s = settings();
    // The core's own check, before anything is written.
    const int vocab = s.tokenizer == TokenizerTrainingKind::Bpe ? s.vocabSize : std::max(m_charVocab, kReservedTokens);
    if (auto config = trainModelConfig(s, vocab); !config.ok()) {
        showError(coreErrorText(config.error()));
        return;
    }
    const QDir out(m_output->text().trimmed());
    if (out.exists(QStringLiteral("model.gguf")) || out.exists(QStringLiteral("trainer_state.bin"))) {
        const auto answer = QMessageBox::question(
            this, tr("Train Micro Model"),
            tr("%1 already holds a trained model. Replace it with the new one?").arg(QDir::toNativeSeparators(out.path())),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) return;
    }
    QSettings settings;
    settings.setValue(kCorpusKey, m_corpus->text().trimmed());
    settings.setValue(kOutputKey, m_output->text().trimmed());

    m_result.reset();
    m_curve->clear();
    m_curve->setPlannedSteps(s.steps);
    m_plannedSteps = s.steps;
    m_tokensPerStep = int64_t(s.batch) * s.nCtx;
    m_firstStep = -1;
    m_progress->setRange(0, 0);  // busy until the first step
    m_stage->setText(tr("Preparing: reading the text, building the tokenizer, writing the first checkpoint…"));
    m_cancel = std::make_shared<CancelToken>();
    m_feed = std::make_shared<StepFeed>();
    setRunning(true);

    auto work = [s, cancel = m_cancel, feed = m_feed](Progress& progress,
                                                        const CancelToken& runnerCancel) -> Result<TrainResult> {
        // The runner's cancel (the window's status bar) reaches the trainer at the next step.
        if (runnerCancel.cancelled()) cancel->cancel();
        return train(s, [&](const TrainStep& st) {
            if (runnerCancel.cancelled()) cancel->cancel();
            {
                std::lock_guard<std::mutex> lock(feed->mutex);
                feed->steps.push_back(st);
            }
            progress.report(double(st.step) / double(std::max<int64_t>(1, st.steps)),
                            tr("Training: step %1 of %2, loss %3")
                                .arg(st.step).arg(st.steps).arg(st.trainLoss, 0, 'f', 3).toStdString());
        }, *cancel);
    };
    QPointer<TrainDialog> self(this);
    m_runner->run<TrainResult>(tr("Training micro model"), std::move(work), [self](Result<TrainResult> r) {
        if (self) self->onFinished(std::move(r));
    });
}

void TrainDialog::cancel()
{
    if (!m_running || !m_cancel) return;
    m_cancel->cancel();
    m_cancelButton->setEnabled(false);
    m_stage->setText(tr("Stopping after this step and writing a checkpoint…"));
}

void TrainDialog::drainSteps()
{
    std::vector<TrainStep> steps;
    if (m_feed) {
        std::lock_guard<std::mutex> lock(m_feed->mutex);
        steps.swap(m_feed->steps);
    }
    if (steps.empty()) return;
    for (const TrainStep& st : steps) {
        m_curve->appendTrainLoss(st.step, st.trainLoss);
        if (st.valLoss) m_curve->appendValidationLoss(st.step, *st.valLoss);
    }
    const TrainStep& last = steps.back();
    if (m_firstStep < 0) {
        m_firstStep = steps.front().step;
        m_firstElapsed = steps.front().elapsedSeconds;
    }
    m_progress->setRange(0, int(std::min<int64_t>(last.steps, INT_MAX)));
    m_progress->setValue(int(std::min<int64_t>(last.step, INT_MAX)));
    if (m_cancel && m_cancel->cancelled()) return;  // keep "Stopping…"
    if (last.step >= last.steps) {
        m_stage->setText(tr("Step %1 of %2 · final evaluation and checkpoint…").arg(last.step).arg(last.steps));
        return;
    }
    // Seconds per step from this run's steps (tokenizer and setup excluded); tok/s before the second one.
    const double perStep = last.step > m_firstStep
                               ? (last.elapsedSeconds - m_firstElapsed) / double(last.step - m_firstStep)
                               : double(m_tokensPerStep) / std::max(last.tokensPerSecond, 1e-9);
    const QLocale locale;
    m_stage->setText(tr("Step %1 of %2 · loss %3 · %4 tok/s · ETA %5")
                         .arg(locale.toString(qlonglong(last.step)), locale.toString(qlonglong(last.steps)),
                              QString::number(last.trainLoss, 'f', 3),
                              locale.toString(qlonglong(last.tokensPerSecond + 0.5)),
                              duration(perStep * double(last.steps - last.step))));
}

void TrainDialog::onFinished(Result<TrainResult> r)
{
    drainSteps();
    setRunning(false);
    m_feed.reset();
    m_progress->setRange(0, 1000);
    if (!r.ok()) {
        m_progress->setValue(0);
        m_stage->setText(tr("Training stopped with an error."));
        showError(coreErrorText(r.error()));
        return;
    }
    m_result = *r;
    const QString out = QDir::toNativeSeparators(QString::fromStdString(r->outDir));
    if (r->cancelled) {
        m_progress->setValue(int(1000.0 * double(r->steps) / double(std::max<int64_t>(1, m_plannedSteps))));
        m_stage->setText(r->steps > 0 ? tr("Cancelled at step %1 of %2; the checkpoint is in %3.")
                                            .arg(r->steps).arg(m_plannedSteps).arg(out)
                                      : tr("Cancelled before the first step."));
    } else {
        m_progress->setValue(1000);
        // The final validation runs on the same batches as the periodic ones: it ends the curve.
        if (r->finalValLoss) m_curve->appendValidationLoss(r->steps, *r->finalValLoss);
        const QString val = r->finalValLoss ? QString::number(*r->finalValLoss, 'f', 3) : tr("none (no validation split)");
        m_stage->setText(tr("Finished %1 steps in %2: final loss %3 training, %4 validation (nats/token).")
                             .arg(r->steps - r->startStep).arg(duration(r->elapsedSeconds))
                             .arg(QString::number(r->finalTrainLoss, 'f', 3), val));
    }
    m_curve->replotNow();
    if (r->steps > r->startStep) emit modelTrained(QString::fromStdString(r->ggufPath));
}

} // namespace precis::app
