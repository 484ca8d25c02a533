// Compress tab ▸ Export…: one result written as
//   - GGUF (core exportGguf): every tensor in its planned type; Precis-native
//     tensors (RTN, per-head slices) have no GGUF type: before the user starts,
//     the dialog lists what each becomes (core ggufConversions) under the chosen
//     handling — the nearest GGUF type of at least as many bits (default), F16,
//     or refuse;
//   - a Hugging Face folder (exportSafetensors) in F16, BF16 or F32;
//   - a recipe JSON (writeRecipe),
// and the llama-quantize command line that makes llama.cpp write the same
// types from the original model (copyable). GGUF and safetensors are written on
// the job thread (JobRunner); the dialog stays open and says what was written.
#pragma once

#include "eval/compression_plan.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace precis {
class Model;
}

namespace precis::app {

class JobRunner;

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    enum class Format { Gguf, Safetensors, Recipe };

    // model: the compressed model, or nullptr when it is no longer in memory
    // (then only the recipe and the command line are offered). originalPath:
    // the model the plan applies to (llama-quantize's input).
    ExportDialog(JobRunner* runner, std::shared_ptr<const Model> model, CompressionPlan plan, const QString& name,
                 const QString& originalPath, QWidget* parent = nullptr);

    Format format() const;
    void setFormat(Format format);
    QString path() const;
    void setPath(const QString& path);
    // Writes the chosen format to path(); GGUF and safetensors in the background.
    void exportNow();
    bool isBusy() const { return m_busy; }
    // "llama-quantize ARGS" or, when llama.cpp cannot write the plan, the reason.
    QString llamaQuantizeText() const;

    QComboBox* formatBox() const { return m_format; }
    QComboBox* dtypeBox() const { return m_dtype; }
    // How Precis-native tensors go into GGUF (NativeTensors as data); shown only when there are some.
    QComboBox* nativeBox() const { return m_native; }
    QLabel* noteLabel() const { return m_note; }
    QPushButton* exportButton() const { return m_export; }
    QLabel* statusLabel() const { return m_status; }

signals:
    // After every export attempt: ok, and the message shown (path written and notes, or the error).
    void exportFinished(bool ok, const QString& message);

private:
    void updateForFormat();
    // What the native tensors become under the chosen handling (ggufConversions), for the note.
    QString conversionText() const;
    void browse();
    QString defaultPath(Format format) const;
    void finish(bool ok, const QString& message);

    JobRunner* m_runner;
    std::shared_ptr<const Model> m_model;
    CompressionPlan m_plan;
    QString m_name;
    QString m_originalPath;
    int m_nativeTensors = 0;  // RTN and segmented tensors in m_model
    bool m_busy = false;

    QComboBox* m_format = nullptr;
    QLineEdit* m_path = nullptr;
    QComboBox* m_dtype = nullptr;
    QComboBox* m_native = nullptr;
    QLabel* m_nativeLabel = nullptr;
    QLabel* m_note = nullptr;
    QPlainTextEdit* m_command = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_export = nullptr;
};

} // namespace precis::app
