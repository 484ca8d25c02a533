#include "export_dialog.h"

#include "core_messages.h"
#include "job_runner.h"

#include "eval/compress.h"
#include "eval/gguf_conversion.h"
#include "model/model.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QToolButton>
#include <QVBoxLayout>

namespace precis::app {

namespace {

// A result name as a file name: "budget +1 % gptq" → "budget-1-gptq".
QString fileStem(const QString& name)
{
    QString s = name;
    s.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._]+")), QStringLiteral("-"));
    s.remove(QRegularExpression(QStringLiteral("^-+|-+$")));
    return s.isEmpty() ? QStringLiteral("compressed") : s;
}

} // namespace

ExportDialog::ExportDialog(JobRunner* runner, std::shared_ptr<const Model> model, CompressionPlan plan,
                           const QString& name, const QString& originalPath, QWidget* parent)
    : QDialog(parent), m_runner(runner), m_model(std::move(model)), m_plan(std::move(plan)), m_name(name),
      m_originalPath(originalPath)
{
    setObjectName(QStringLiteral("ExportDialog"));
    setWindowTitle(tr("Export '%1'").arg(name));
    if (m_model) m_nativeTensors = int(nativeTensors(*m_model).size());

    m_format = new QComboBox(this);
    m_format->addItem(tr("GGUF file (llama.cpp, Ollama)"), int(Format::Gguf));
    m_format->addItem(tr("Hugging Face folder (safetensors)"), int(Format::Safetensors));
    m_format->addItem(tr("Recipe (JSON: a scheme per tensor)"), int(Format::Recipe));
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("ExportPathEdit"));
    auto* browseButton = new QToolButton(this);
    browseButton->setText(QStringLiteral("…"));
    connect(browseButton, &QToolButton::clicked, this, &ExportDialog::browse);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browseButton);
    m_dtype = new QComboBox(this);
    m_dtype->addItem(QStringLiteral("F16"), int(DType::F16));
    m_dtype->addItem(QStringLiteral("BF16"), int(DType::BF16));
    m_dtype->addItem(QStringLiteral("F32"), int(DType::F32));
    m_dtype->setToolTip(tr("Every tensor is dequantized to this type (safetensors has no block formats)"));
    m_native = new QComboBox(this);
    m_native->setObjectName(QStringLiteral("ExportNativeBox"));
    m_native->addItem(tr("the nearest GGUF type (at least as many bits)"), int(NativeTensors::NearestGguf));
    m_native->addItem(tr("F16"), int(NativeTensors::AsF16));
    m_native->addItem(tr("refuse (write nothing)"), int(NativeTensors::Refuse));
    m_native->setToolTip(tr("GGUF has no type for Precis' RTN format or for tensors whose heads have different "
                            "types: how to store them"));
    connect(m_native, &QComboBox::currentIndexChanged, this, &ExportDialog::updateForFormat);
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("ExportNoteLabel"));
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::PlainText);

    m_command = new QPlainTextEdit(this);
    m_command->setObjectName(QStringLiteral("LlamaQuantizeCommand"));
    m_command->setReadOnly(true);
    m_command->setMaximumHeight(90);
    m_command->setPlainText(llamaQuantizeText());
    auto* copy = new QPushButton(tr("Copy"), this);
    copy->setToolTip(tr("Copy the command line to the clipboard"));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_command->toPlainText()); });
    auto* commandRow = new QHBoxLayout;
    commandRow->addWidget(m_command, 1);
    commandRow->addWidget(copy, 0, Qt::AlignTop);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("ExportStatusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_export = buttons->addButton(tr("Export"), QDialogButtonBox::ActionRole);
    m_export->setObjectName(QStringLiteral("ExportButton"));
    connect(m_export, &QPushButton::clicked, this, &ExportDialog::exportNow);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout;
    form->addRow(tr("Format:"), m_format);
    form->addRow(tr("Write to:"), pathRow);
    form->addRow(tr("Element type:"), m_dtype);
    m_nativeLabel = new QLabel(tr("Precis-native tensors as:"), this);
    form->addRow(m_nativeLabel, m_native);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_note);
    layout->addWidget(new QLabel(tr("The same types with llama.cpp, from the original model:"), this));
    layout->addLayout(commandRow);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(620, 380);

    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        m_path->setText(defaultPath(format()));
        updateForFormat();
    });
    if (!m_model) setFormat(Format::Recipe);
    m_path->setText(defaultPath(format()));
    updateForFormat();
}

ExportDialog::Format ExportDialog::format() const { return Format(m_format->currentData().toInt()); }

void ExportDialog::setFormat(Format f) { m_format->setCurrentIndex(m_format->findData(int(f))); }

QString ExportDialog::path() const { return m_path->text().trimmed(); }

void ExportDialog::setPath(const QString& path) { m_path->setText(path); }

QString ExportDialog::defaultPath(Format f) const
{
    const QString dir = m_originalPath.isEmpty() ? QDir::homePath() : QFileInfo(m_originalPath).absolutePath();
    const QString stem = fileStem(m_name);
    switch (f) {
    case Format::Gguf: return QDir(dir).filePath(stem + QStringLiteral(".gguf"));
    case Format::Safetensors: return QDir(dir).filePath(stem);
    case Format::Recipe: return QDir(dir).filePath(stem + QStringLiteral(".recipe.json"));
    }
    return dir;
}

QString ExportDialog::llamaQuantizeText() const
{
    const std::string output = fileStem(m_name).toStdString() + ".gguf";
    auto args = llamaQuantizeArgs(m_plan, m_originalPath.isEmpty() ? "MODEL-F32.gguf" : m_originalPath.toStdString(),
                                  output);
    if (!args) return tr("llama.cpp cannot write this plan: %1").arg(coreErrorText(args.error()));
    QString text = QStringLiteral("llama-quantize ") + QString::fromStdString(shellJoin(*args));
    if (!m_originalPath.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
        text += QLatin1Char('\n') + tr("# the input must be the original as an F32/F16 GGUF file "
                                       "(llama.cpp's convert_hf_to_gguf.py makes one)");
    return text;
}

void ExportDialog::updateForFormat()
{
    const Format f = format();
    m_dtype->setEnabled(f == Format::Safetensors);
    const bool native = f == Format::Gguf && m_nativeTensors > 0;
    m_native->setVisible(native);
    m_nativeLabel->setVisible(native);
    QString note;
    if (!m_model && f != Format::Recipe)
        note = tr("The compressed model is no longer in memory: run it again to export it, or export its recipe.");
    else if (native)
        note = conversionText();
    else if (f == Format::Safetensors)
        note = tr("A folder with config.json, model.safetensors and the tokenizer; quantized tensors are dequantized.");
    else if (f == Format::Recipe)
        note = tr("precis-cli compress --recipe FILE applies it to the original model again.");
    m_note->setText(note);
    m_export->setEnabled(!m_busy && (m_model || f == Format::Recipe));
}

QString ExportDialog::conversionText() const
{
    const auto how = NativeTensors(m_native->currentData().toInt());
    if (how == NativeTensors::Refuse)
        return tr("%n tensor(s) hold Precis-native types (RTN, or heads of different types), which GGUF cannot "
                  "store: the export will refuse them.", nullptr, m_nativeTensors);
    const std::vector<GgufConversion> conversions = ggufConversions(*m_model, how);
    int64_t before = 0, after = 0;
    QStringList lines;
    for (const GgufConversion& c : conversions) {
        before += c.bytesBefore;
        after += c.bytesAfter;
        if (lines.size() < 6)
            lines << tr("%1: %2 → %3").arg(QString::fromStdString(c.tensor), QString::fromStdString(c.from),
                                           QString::fromStdString(c.to));
    }
    if (conversions.size() > 6) lines << tr("… and %n more", nullptr, int(conversions.size() - 6));
    return tr("%n tensor(s) hold Precis-native types, which GGUF cannot store; in the file they become:", nullptr,
              int(conversions.size())) +
           QLatin1Char('\n') + lines.join(QLatin1Char('\n')) + QLatin1Char('\n') +
           tr("Their bytes: %1 → %2 (the rest of the file is unchanged); the file's accuracy is that of the stored "
              "types, not the plan's — measure the file with precis-cli eval.")
               .arg(QLocale().formattedDataSize(before), QLocale().formattedDataSize(after));
}

void ExportDialog::browse()
{
    const Format f = format();
    QString chosen;
    if (f == Format::Safetensors)
        chosen = QFileDialog::getExistingDirectory(this, tr("Folder to Write Into"), QFileInfo(path()).absolutePath());
    else
        chosen = QFileDialog::getSaveFileName(this, tr("Export"), path(),
                                              f == Format::Gguf ? tr("GGUF (*.gguf)") : tr("JSON (*.json)"));
    if (chosen.isEmpty()) return;
    if (f == Format::Safetensors) chosen = QDir(chosen).filePath(QFileInfo(path()).fileName());
    m_path->setText(chosen);
}

void ExportDialog::exportNow()
{
    if (m_busy) return;
    const QString target = path();
    if (target.isEmpty()) {
        finish(false, tr("Choose where to write."));
        return;
    }
    const Format f = format();
    if (f == Format::Recipe) {
        auto written = writeRecipe(m_plan, target.toStdString());
        if (!written) finish(false, coreErrorText(written.error()));
        else finish(true, tr("Wrote %1 (%n tensor(s)).", nullptr, int(m_plan.tensors.size())).arg(target));
        return;
    }
    if (!m_model) {
        finish(false, tr("The compressed model is no longer in memory: run it again to export it."));
        return;
    }
    const auto how = NativeTensors(m_native->currentData().toInt());
    if (f == Format::Gguf && m_nativeTensors > 0 && how == NativeTensors::Refuse) {
        // The core's refusal, which names the first native tensor and its type.
        auto refused = exportGguf(*m_model, target.toStdString(), NativeTensors::Refuse);
        finish(false, refused ? tr("Nothing written.") : coreErrorText(refused.error()));
        return;
    }
    m_busy = true;
    updateForFormat();
    m_status->setText(tr("Writing %1…").arg(target));
    auto model = m_model;
    const std::string out = target.toStdString();
    const DType dtype = DType(m_dtype->currentData().toInt());
    m_runner->run<ExportReport>(
        tr("Exporting %1").arg(QFileInfo(target).fileName()),
        [model, out, f, dtype, how](Progress& progress, const CancelToken& cancel) -> Result<ExportReport> {
            if (f == Format::Gguf) return exportGguf(*model, out, how);
            return exportSafetensors(*model, out, dtype, &progress, &cancel);
        },
        [self = QPointer<ExportDialog>(this), target](Result<ExportReport> r) {
            if (!self) return;
            self->m_busy = false;
            self->updateForFormat();
            if (!r) {
                self->finish(false, coreErrorText(r.error()));
                return;
            }
            QString message = tr("Wrote %1 (%2).").arg(target, QLocale().formattedDataSize(qint64(r->fileBytes)));
            for (const std::string& n : r->notes) message += QLatin1Char('\n') + QString::fromStdString(n);
            self->finish(true, message);
        });
}

void ExportDialog::finish(bool ok, const QString& message)
{
    m_status->setText(ok ? message : tr("Export failed: %1").arg(message));
    m_status->setStyleSheet(ok ? QString() : QStringLiteral("color: #b00020"));
    emit exportFinished(ok, message);
}

} // namespace precis::app
