// File ▸ Train Micro Model: the settings of precis::train (core/train/trainer.h)
// as a form, the run on the JobRunner with progress and cancel, and the loss
// curves filling in live. It is what `precis-cli train` does, with the same core
// calls: trainModelConfig checks the settings (its message is shown as is) and
// train runs them; nothing is computed here that the core computes.
//
// Cancel stops after the current step; the trainer then writes a checkpoint, so
// the output folder always holds a loadable model. When a run ends with at least
// one step trained, modelTrained carries the GGUF it wrote.
//
// Threads: everything here runs on the GUI thread; the trainer's per-step
// callback only queues the step for the next poll. Closing the dialog hides it
// and lets the run go on (the window's status bar shows it); destroying the
// dialog cancels the run.
#pragma once

#include "train/trainer.h"

#include <QDialog>
#include <QString>

#include <memory>
#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;
class QWidget;

namespace precis::views {
class LossCurveView;
}

namespace precis::app {

class JobRunner;

class TrainDialog : public QDialog {
    Q_OBJECT
public:
    // Size presets (index into presetBox()); Custom is whatever the spin boxes say.
    enum Preset { Tiny, Small, SampleSize, Custom };

    explicit TrainDialog(JobRunner* runner, QWidget* parent = nullptr);
    ~TrainDialog() override;

    // The form as trainer settings (learning-rate floor and warm-up derived as the CLI does).
    TrainSettings settings() const;
    void setPreset(Preset preset);

    bool isRunning() const { return m_running; }
    // The last run's result (also after a cancellation); none before the first or after an error.
    const std::optional<TrainResult>& lastResult() const { return m_result; }
    // The last error shown (core message), empty when none.
    QString errorText() const;

    QLineEdit* corpusEdit() const { return m_corpus; }
    QLabel* corpusSizeLabel() const { return m_corpusSize; }
    QLineEdit* outputEdit() const { return m_output; }
    QComboBox* archBox() const { return m_arch; }
    QComboBox* presetBox() const { return m_preset; }
    QSpinBox* layersBox() const { return m_layers; }
    QSpinBox* embdBox() const { return m_embd; }
    QSpinBox* headsBox() const { return m_heads; }
    QSpinBox* kvHeadsBox() const { return m_kvHeads; }
    QSpinBox* ffnBox() const { return m_ffn; }
    QSpinBox* ctxBox() const { return m_ctx; }
    QComboBox* tokenizerBox() const { return m_tokenizer; }
    QSpinBox* vocabBox() const { return m_vocab; }
    QSpinBox* stepsBox() const { return m_steps; }
    QSpinBox* batchBox() const { return m_batch; }
    QDoubleSpinBox* lrBox() const { return m_lr; }
    QSpinBox* seedBox() const { return m_seed; }
    QSpinBox* evalEveryBox() const { return m_evalEvery; }
    QLabel* parameterLabel() const { return m_params; }
    QPushButton* startButton() const { return m_start; }
    QPushButton* cancelButton() const { return m_cancelButton; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* stageLabel() const { return m_stage; }
    QLabel* errorLabel() const { return m_error; }
    views::LossCurveView* lossCurve() const { return m_curve; }

public slots:
    // Checks the settings and queues the run; a bad setting shows the core's message instead.
    void start();
    // Asks the run to stop after the current step (it then writes a checkpoint).
    void cancel();

signals:
    void runningChanged(bool running);
    // A run ended (finished, or cancelled after ≥ 1 step): the GGUF the trainer wrote.
    void modelTrained(const QString& ggufPath);

private:
    struct StepFeed;

    QWidget* createDataGroup();
    QWidget* createModelGroup();
    QWidget* createTrainingGroup();
    void browseCorpus();
    void browseOutput();
    void onCorpusChanged();
    void onPresetChanged();
    void onShapeEdited();
    void onArchOrTokenizerChanged();
    void updateParameterCount();
    void setRunning(bool running);
    void showError(const QString& message);
    void drainSteps();
    void onFinished(Result<TrainResult> result);

    JobRunner* m_runner;
    bool m_running = false;
    bool m_applyingPreset = false;
    std::shared_ptr<CancelToken> m_cancel;
    std::shared_ptr<StepFeed> m_feed;
    std::optional<TrainResult> m_result;
    int64_t m_plannedSteps = 0;
    int64_t m_tokensPerStep = 0;
    int64_t m_firstStep = -1;        // the first step this run reported
    double m_firstElapsed = 0.0;     // its elapsed seconds (setup time excluded from the ETA)

    // Character vocabulary of the corpus (char tokenizer), scanned in the background.
    std::shared_ptr<CancelToken> m_scanCancel;
    QString m_scannedPath;
    int m_charVocab = -1;  // -1: not known (yet)
    int m_characters = 0;

    QLineEdit* m_corpus = nullptr;
    QLabel* m_corpusSize = nullptr;
    QLineEdit* m_output = nullptr;
    QComboBox* m_arch = nullptr;
    QComboBox* m_preset = nullptr;
    QSpinBox* m_layers = nullptr;
    QSpinBox* m_embd = nullptr;
    QSpinBox* m_heads = nullptr;
    QSpinBox* m_kvHeads = nullptr;
    QSpinBox* m_ffn = nullptr;
    QSpinBox* m_ctx = nullptr;
    QComboBox* m_tokenizer = nullptr;
    QSpinBox* m_vocab = nullptr;
    QSpinBox* m_steps = nullptr;
    QSpinBox* m_batch = nullptr;
    QDoubleSpinBox* m_lr = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_evalEvery = nullptr;
    QLabel* m_params = nullptr;
    QWidget* m_form = nullptr;
    views::LossCurveView* m_curve = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_stage = nullptr;
    QLabel* m_error = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QPushButton* m_close = nullptr;
    QTimer* m_poll = nullptr;
};

} // namespace precis::app
