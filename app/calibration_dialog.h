// Analyze ▸ Calibrate…: the settings of a calibration run (DESIGN.md §5) as a
// form. The text comes from a file (calib.txt beside the model is preselected
// when there is one, as for the bundled sample model) or is written by the model
// itself. Sequence length is capped at the model's context. The dialog only
// collects settings; the core checks them when the run starts and its message is
// shown as is. The memory limit (kept in the settings; default 80 % of the
// machine's memory) is checked against the core's estimate as the form changes.
#pragma once

#include "calibration_job.h"

#include <QDialog>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace precis {
struct ModelConfig;
}

namespace precis::app {

// The memory the studio's long jobs may use: the Calibrate dialog's "Memory
// limit" (kept in the settings; default: defaultMemoryLimit()).
uint64_t memoryLimitSetting();

class CalibrationDialog : public QDialog {
    Q_OBJECT
public:
    // `config` and `modelPath`: the open model (context limit, calib.txt beside it).
    CalibrationDialog(const ModelConfig& config, const QString& modelPath, QWidget* parent = nullptr);
    ~CalibrationDialog() override;

    CalibrationRequest request() const;
    // Fills the form (e.g. with the previous run's settings); the length is capped at the context.
    void setRequest(const CalibrationRequest& request);

    // Comma- or space-separated scheme names, empty entries dropped.
    static std::vector<std::string> parseOptions(const QString& text);

    QRadioButton* fileSourceButton() const { return m_fromFile; }
    QRadioButton* selfGeneratedButton() const { return m_selfGenerated; }
    QLineEdit* textEdit() const { return m_text; }
    QSpinBox* sequencesBox() const { return m_sequences; }
    QSpinBox* lengthBox() const { return m_length; }
    QSpinBox* seedBox() const { return m_seed; }
    QSpinBox* batchBox() const { return m_batch; }
    QSpinBox* gramLimitBox() const { return m_gramLimit; }
    QLineEdit* optionsEdit() const { return m_options; }
    QLineEdit* probeOptionsEdit() const { return m_probes; }
    QCheckBox* measureBox() const { return m_measure; }
    QCheckBox* ablationBox() const { return m_ablation; }
    QSpinBox* measureSequencesBox() const { return m_measureSequences; }
    QDoubleSpinBox* memoryLimitBox() const { return m_memoryLimit; }
    // The estimate of the run as the form describes it, against the limit.
    QLabel* memoryLabel() const { return m_memory; }
    QPushButton* calibrateButton() const { return m_ok; }

    void accept() override;

private:
    void browse();
    void updateEnabled();
    void updateMemory();

    ModelConfig m_config;
    int m_context = 0;
    QRadioButton* m_fromFile = nullptr;
    QRadioButton* m_selfGenerated = nullptr;
    QLineEdit* m_text = nullptr;
    QPushButton* m_browse = nullptr;
    QSpinBox* m_sequences = nullptr;
    QSpinBox* m_length = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_batch = nullptr;
    QSpinBox* m_gramLimit = nullptr;
    QSpinBox* m_damageSketch = nullptr;
    QSpinBox* m_damageRows = nullptr;
    QSpinBox* m_measureUnits = nullptr;
    QLineEdit* m_options = nullptr;
    QLineEdit* m_probes = nullptr;
    QCheckBox* m_measure = nullptr;
    QCheckBox* m_ablation = nullptr;
    QSpinBox* m_measureSequences = nullptr;
    QDoubleSpinBox* m_memoryLimit = nullptr;
    QLabel* m_memory = nullptr;
    QLabel* m_error = nullptr;
    QPushButton* m_ok = nullptr;
};

} // namespace precis::app
