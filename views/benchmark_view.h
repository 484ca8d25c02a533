// Benchmark dock (DESIGN.md §9): how fast and how big the original and each
// compressed model are on this machine.
//
//   - settings: device (CPU, or a CUDA device when the backend is built and a
//     GPU is there), CPU threads, prompt length, generated tokens,
//     repetitions, KV cache type;
//   - models: a checkable list (the original, the compressed models kept in
//     memory, files added by the user); Run benchmarks the checked ones, Cancel
//     stops;
//   - chart (BenchmarkChart): one bar per model in four panels — prefill
//     tok/s, decode tok/s with the memory-bandwidth ceiling drawn as a line
//     over each bar, peak memory, file size; whiskers span min…max of the
//     repetitions;
//   - history: every benchmark of the session (and unsaved ones), newest
//     first; the chart shows the selected rows, or without a selection the
//     newest result of each model at the chosen device and thread count.
//
// The view computes nothing: Run, Cancel and Add are signals; the app fills the
// lists and hands results and progress back. GUI thread only.
#pragma once

#include "session/session_benchmarks.h"
#include "engine/engine.h"

#include <qcustomplot.h>

#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace precis::views {

// Four bar panels of the models' figures (see above).
class BenchmarkChart : public QCustomPlot {
    Q_OBJECT
public:
    explicit BenchmarkChart(QWidget* parent = nullptr);
    // One bar per entry, in order; labels under the bars.
    void setEntries(const std::vector<StoredBenchmark>& entries);
    int barCount() const { return m_count; }
    // Panels: 0 prefill, 1 decode, 2 peak memory, 3 file size.
    QCPAxisRect* panel(int i) const { return m_rects[i]; }
    QCPBars* bars(int i) const { return m_bars[i]; }
    // The decode ceiling drawn over bar i (tok/s); 0 when none.
    double ceilingAt(int bar) const;

private:
    QCPAxisRect* m_rects[4] = {};
    QCPBars* m_bars[4] = {};
    QCPErrorBars* m_whiskers[2] = {};
    std::vector<QCPGraph*> m_ceilings;
    std::vector<double> m_ceilingValues;
    int m_count = 0;
};

class BenchmarkView : public QWidget {
    Q_OBJECT
public:
    enum Column {
        ColWhen, ColModel, ColDevice, ColThreads, ColTokens, ColPrefill, ColTtft, ColDecode, ColCeiling,
        ColMemory, ColFile, ColumnCount
    };

    struct Settings {
        Device device = Device::Cpu;
        int cudaDevice = 0;
        int threads = 0;
        int prompt = 512, gen = 128, reps = 5;
        KvType kv = KvType::F32;
    };

    // A model the user may benchmark.
    struct ModelChoice {
        QString key;      // "original", "compression:<id>", "file:<path>"
        QString label;
        QString tooltip;
        bool checked = true;
    };

    explicit BenchmarkView(QWidget* parent = nullptr);

    Settings settings() const;
    // The device list: the CPU (with its core count) and any CUDA devices
    // (index, name); `cudaNote` says why there are none when the list is empty.
    void setDevices(int logicalCores, const std::vector<std::pair<int, QString>>& cuda, const QString& cudaNote);

    void setModels(const std::vector<ModelChoice>& models);  // keeps the check state of known keys
    std::vector<QString> checkedModels() const;
    int modelCount() const;

    // Every result to list, oldest first (unsaved ones have id <= 0; shown as "not saved").
    void setHistory(const std::vector<StoredBenchmark>& history);
    int historyRows() const;
    // What the chart shows now (see the top of this file).
    std::vector<StoredBenchmark> chartedEntries() const;

    void setRunning(bool running);
    void setProgress(double fraction, const QString& stage);
    void setStatus(const QString& text);
    QString statusText() const;

    BenchmarkChart* chart() const { return m_chart; }
    QTableWidget* table() const { return m_table; }
    QPushButton* runButton() const { return m_run; }
    QPushButton* cancelButton() const { return m_cancel; }
    QListWidget* modelList() const { return m_models; }
    QComboBox* deviceCombo() const { return m_device; }
    QSpinBox* threadsSpin() const { return m_threads; }
    QSpinBox* promptSpin() const { return m_prompt; }
    QSpinBox* genSpin() const { return m_gen; }
    QSpinBox* repsSpin() const { return m_reps; }

signals:
    void runRequested();
    void cancelRequested();
    void addFileRequested();

private:
    void refreshChart();

    QComboBox* m_device = nullptr;
    QSpinBox* m_threads = nullptr;
    QSpinBox* m_prompt = nullptr;
    QSpinBox* m_gen = nullptr;
    QSpinBox* m_reps = nullptr;
    QComboBox* m_kv = nullptr;
    QListWidget* m_models = nullptr;
    QPushButton* m_add = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    BenchmarkChart* m_chart = nullptr;
    QTableWidget* m_table = nullptr;
    std::vector<StoredBenchmark> m_history;  // oldest first
};

} // namespace precis::views
