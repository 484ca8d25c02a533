// Compress tab (DESIGN.md §7–§9): what to compress and how, Run with progress
// and Cancel, the results of the session, and how they compare.
//
//   - plan: the Budget tab's current allocation, one of the session's saved
//     allocations, or one scheme for every weight matrix;
//   - method: RTN, GPTQ or AWQ; GPTQ and AWQ take N sequences × T tokens of a
//     calibration text; GPTQ's damping and act-order, AWQ's α grid;
//   - evaluation: a text, the chunk length (capped at the model's context) and
//     the number of chunks (0: all); optionally each compressed tensor measured
//     alone ("Measure each tensor", off by default: a forward pass per tensor);
//   - results table: name, method, size (MiB), bits/weight, perplexity of the
//     original and the compressed model, their ratio, measured and predicted
//     Δppl, KL mean and p99, top-1 agreement;
//   - plots (compress_plots.h): size vs Δppl with the predicted frontier,
//     predicted vs measured, and for the selected result predicted vs measured
//     Δloss per tensor; the side-by-side generation view.
//
// The view computes nothing: Run, Cancel, Export and Generate are signals; the
// app reads settings() and hands results, progress and the frontier back.
// GUI thread only.
#pragma once

#include "compress_plots.h"
#include "eval/compress_methods.h"

#include <QWidget>

#include <vector>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QStackedWidget;
class QTableWidget;
class QTabWidget;

namespace precis::views {

class GenerationCompareView;

class CompressView : public QWidget {
    Q_OBJECT
public:
    enum class PlanSource { Allocation, Saved, Uniform };
    enum Column {
        ColName, ColMethod, ColSize, ColBits, ColPplOriginal, ColPplCompressed, ColRatio,
        ColMeasured, ColPredicted, ColKlMean, ColKlP99, ColTop1, ColumnCount
    };

    struct Settings {
        PlanSource source = PlanSource::Uniform;
        QString scheme = QStringLiteral("Q4_K");  // uniform
        QString savedAllocation;                  // saved: its name
        CompressionMethod method = CompressionMethod::Rtn;
        double gptqDamping = 0.01;
        bool gptqActOrder = false;
        int awqGrid = 20;
        QString calibrationPath;
        int sequences = 16;  // N
        int length = 128;    // T
        int seed = 1;
        QString evalPath;
        int ctx = 256;
        int maxChunks = 0;  // 0: all
        bool measureUnits = false;  // each compressed tensor alone, after the whole model
    };

    explicit CompressView(QWidget* parent = nullptr);

    Settings settings() const;
    void setSettings(const Settings& s);
    // Scheme names offered for the uniform plan (the box stays editable for RTN<b>g<g>).
    void setSchemes(const QStringList& names);
    void setCalibrationPath(const QString& path);
    void setEvalPath(const QString& path);
    // The model's context: the chunk length's maximum (0: no model).
    void setModelContext(int nCtx);

    // The Budget tab's allocation as a plan: a one-line summary, and whether it
    // can be compressed (else `summary` says why and the choice is disabled).
    void setAllocationState(const QString& summary, bool usable);

    // The session's saved allocations (names, oldest first); none disables the choice.
    void setSavedAllocations(const QStringList& names);
    // Chooses the saved allocation `name` as the plan (false when it is not offered).
    bool selectSavedAllocation(const QString& name);

    // Running: Run disabled, Cancel enabled, the progress bar shown.
    void setRunning(bool running);
    bool isRunning() const { return m_running; }
    // fraction < 0: unknown (busy indicator).
    void setProgress(double fraction, const QString& stage);
    void setStatus(const QString& text);  // one line under the buttons (last result, errors)

    void setResults(std::vector<CompressResultRow> rows);
    const std::vector<CompressResultRow>& results() const { return m_rows; }
    int selectedRow() const;  // -1: none
    void selectRow(int row);
    // The Budget tab's frontier (nullptr: none), drawn on the size plot.
    void setFrontier(const Frontier* frontier, int64_t totalWeights);

    GenerationCompareView* generationView() const { return m_generation; }
    QTableWidget* resultsTable() const { return m_table; }
    CompressResultPlot* sizePlot() const { return m_sizePlot; }
    PredictedMeasuredPlot* predictionPlot() const { return m_predictionPlot; }
    UnitScatterPlot* unitPlot() const { return m_unitPlot; }
    QTabWidget* lowerTabs() const { return m_lowerTabs; }
    QRadioButton* allocationRadio() const { return m_allocationRadio; }
    QRadioButton* uniformRadio() const { return m_uniformRadio; }
    QRadioButton* savedRadio() const { return m_savedRadio; }
    QComboBox* savedBox() const { return m_savedBox; }
    QComboBox* schemeBox() const { return m_schemeBox; }
    QComboBox* methodBox() const { return m_methodBox; }
    QSpinBox* sequencesBox() const { return m_sequences; }
    QSpinBox* lengthBox() const { return m_length; }
    QSpinBox* ctxBox() const { return m_ctx; }
    QSpinBox* chunksBox() const { return m_chunks; }
    QCheckBox* measureUnitsBox() const { return m_measureUnits; }
    QLineEdit* calibrationEdit() const { return m_calibration; }
    QLineEdit* evalEdit() const { return m_eval; }
    QPushButton* runButton() const { return m_run; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* exportButton() const { return m_export; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* stageLabel() const { return m_stage; }
    QLabel* statusLabel() const { return m_status; }

signals:
    void runRequested();
    void cancelRequested();
    void exportRequested(int row);
    void selectedRowChanged(int row);

private:
    QWidget* createSettings();
    QWidget* createResults();
    void updateMethodWidgets();
    void updateButtons();
    void fillRow(int row, const CompressResultRow& r);
    void showUnitsOf(int row);
    QString browse(const QString& title, const QString& current);

    std::vector<CompressResultRow> m_rows;
    bool m_running = false;
    bool m_allocationUsable = false;
    bool m_allocationWanted = false;  // the allocation was the plan when it became unusable

    QRadioButton* m_allocationRadio = nullptr;
    QRadioButton* m_uniformRadio = nullptr;
    QRadioButton* m_savedRadio = nullptr;
    QComboBox* m_savedBox = nullptr;
    QLabel* m_allocationInfo = nullptr;
    QComboBox* m_schemeBox = nullptr;
    QComboBox* m_methodBox = nullptr;
    QStackedWidget* m_methodPages = nullptr;
    QDoubleSpinBox* m_damping = nullptr;
    QCheckBox* m_actOrder = nullptr;
    QSpinBox* m_grid = nullptr;
    QGroupBox* m_calibrationGroup = nullptr;
    QLineEdit* m_calibration = nullptr;
    QSpinBox* m_sequences = nullptr;
    QSpinBox* m_length = nullptr;
    QSpinBox* m_seed = nullptr;
    QLineEdit* m_eval = nullptr;
    QSpinBox* m_ctx = nullptr;
    QSpinBox* m_chunks = nullptr;
    QCheckBox* m_measureUnits = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_stage = nullptr;
    QLabel* m_status = nullptr;
    QTableWidget* m_table = nullptr;
    QPushButton* m_export = nullptr;
    QComboBox* m_sizeAxisBox = nullptr;
    QCheckBox* m_logBox = nullptr;
    CompressResultPlot* m_sizePlot = nullptr;
    PredictedMeasuredPlot* m_predictionPlot = nullptr;
    UnitScatterPlot* m_unitPlot = nullptr;
    GenerationCompareView* m_generation = nullptr;
    QTabWidget* m_lowerTabs = nullptr;
};

} // namespace precis::views
