#include "generation_compare_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace precis::views {

GenerationCompareView::GenerationCompareView(QWidget* parent) : QWidget(parent)
{
    m_prompt = new QLineEdit(this);
    m_prompt->setObjectName(QStringLiteral("GenerationPrompt"));
    m_prompt->setPlaceholderText(tr("Prompt, e.g. the first words of a line"));
    m_tokens = new QSpinBox(this);
    m_tokens->setRange(1, 4096);
    m_tokens->setValue(64);
    m_tokens->setToolTip(tr("New tokens each model writes (at most up to the model's context)"));
    m_temperature = new QDoubleSpinBox(this);
    m_temperature->setRange(0.0, 5.0);
    m_temperature->setSingleStep(0.1);
    m_temperature->setDecimals(2);
    m_temperature->setSpecialValueText(tr("greedy"));
    m_temperature->setToolTip(tr("Sampling temperature; greedy picks the most likely token"));
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, 1 << 30);
    m_seed->setValue(1);
    m_seed->setToolTip(tr("Both models sample with this seed, so they only part where their probabilities do"));
    m_stopAtEos = new QCheckBox(tr("Stop at end of text"), this);
    m_stopAtEos->setChecked(true);
    m_models = new QComboBox(this);
    m_models->setObjectName(QStringLiteral("GenerationModelBox"));
    m_models->setMinimumContentsLength(16);
    m_models->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_models->setToolTip(tr("The compressed model to compare with (results kept in memory)"));
    m_generate = new QPushButton(tr("Generate"), this);
    m_generate->setObjectName(QStringLiteral("GenerateButton"));
    connect(m_generate, &QPushButton::clicked, this, &GenerationCompareView::generateRequested);
    connect(m_prompt, &QLineEdit::returnPressed, this, [this] {
        if (m_generate->isEnabled()) emit generateRequested();
    });
    connect(m_prompt, &QLineEdit::textChanged, this, &GenerationCompareView::updateEnabled);

    auto* controls = new QGridLayout;
    controls->addWidget(new QLabel(tr("Prompt:"), this), 0, 0);
    controls->addWidget(m_prompt, 0, 1, 1, 7);
    controls->addWidget(new QLabel(tr("Compare with:"), this), 1, 0);
    controls->addWidget(m_models, 1, 1);
    controls->addWidget(new QLabel(tr("Tokens:"), this), 1, 2);
    controls->addWidget(m_tokens, 1, 3);
    controls->addWidget(new QLabel(tr("Temperature:"), this), 1, 4);
    controls->addWidget(m_temperature, 1, 5);
    controls->addWidget(new QLabel(tr("Seed:"), this), 1, 6);
    controls->addWidget(m_seed, 1, 7);
    controls->addWidget(m_stopAtEos, 2, 1, 1, 3);
    controls->addWidget(m_generate, 2, 7);
    controls->setColumnStretch(1, 1);

    auto pane = [this](QLabel** title, QTextBrowser** text, const QString& heading) {
        *title = new QLabel(heading, this);
        QFont f = (*title)->font();
        f.setBold(true);
        (*title)->setFont(f);
        *text = new QTextBrowser(this);
        (*text)->setOpenLinks(false);
        auto* box = new QVBoxLayout;
        box->addWidget(*title);
        box->addWidget(*text, 1);
        return box;
    };
    auto* panes = new QHBoxLayout;
    panes->addLayout(pane(&m_leftTitle, &m_left, tr("Original")), 1);
    panes->addLayout(pane(&m_rightTitle, &m_right, tr("Compressed")), 1);
    m_left->setObjectName(QStringLiteral("OriginalText"));
    m_right->setObjectName(QStringLiteral("CompressedText"));

    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addLayout(panes, 1);
    layout->addWidget(m_summary);
    setMessage(tr("Run a compression first: its model is kept in memory for generation."));
    updateEnabled();
}

GenerationCompareView::Request GenerationCompareView::request() const
{
    Request r;
    r.prompt = m_prompt->text();
    r.tokens = m_tokens->value();
    r.temperature = m_temperature->value();
    r.seed = quint64(m_seed->value());
    r.stopAtEos = m_stopAtEos->isChecked();
    r.resultKey = m_models->currentIndex() >= 0 ? m_models->currentData().toLongLong() : 0;
    return r;
}

void GenerationCompareView::setModels(const QList<QPair<QString, qint64>>& models)
{
    const qint64 current = m_models->currentIndex() >= 0 ? m_models->currentData().toLongLong() : 0;
    m_models->clear();
    for (const auto& [name, key] : models) m_models->addItem(name, key);
    const int again = m_models->findData(current);
    // Keep the choice; else the newest result (the last one).
    m_models->setCurrentIndex(again >= 0 ? again : int(models.size()) - 1);
    if (models.isEmpty()) setMessage(tr("Run a compression first: its model is kept in memory for generation."));
    else if (m_summary->text().startsWith(tr("Run a compression first")))
        m_summary->clear();
    updateEnabled();
}

void GenerationCompareView::setBusy(bool busy)
{
    m_busy = busy;
    updateEnabled();
}

void GenerationCompareView::updateEnabled()
{
    m_generate->setEnabled(!m_busy && m_models->count() > 0 && !m_prompt->text().isEmpty());
    m_generate->setText(m_busy ? tr("Generating…") : tr("Generate"));
}

QString GenerationCompareView::html(const Pane& pane)
{
    // The prompt in grey, the shared part plain, the first differing token marked, the rest plain.
    auto esc = [](const QString& s) { return s.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")); };
    QString out = QStringLiteral("<span style=\"color:#777\">%1</span>%2").arg(esc(pane.prompt), esc(pane.common));
    if (!pane.differing.isEmpty())
        out += QStringLiteral("<span style=\"background-color:#ffd54f;color:#000;font-weight:bold\">%1</span>")
                   .arg(esc(pane.differing));
    out += esc(pane.rest);
    if (!pane.note.isEmpty()) out += QStringLiteral("<br><i style=\"color:#777\">%1</i>").arg(esc(pane.note));
    return QStringLiteral("<div style=\"white-space:pre-wrap\">%1</div>").arg(out);
}

void GenerationCompareView::setPanes(const Pane& original, const Pane& compressed, const QString& summary)
{
    m_leftTitle->setText(original.title);
    m_rightTitle->setText(compressed.title);
    m_left->setHtml(html(original));
    m_right->setHtml(html(compressed));
    m_summary->setText(summary);
}

void GenerationCompareView::clearPanes()
{
    m_leftTitle->setText(tr("Original"));
    m_rightTitle->setText(tr("Compressed"));
    m_left->clear();
    m_right->clear();
}

void GenerationCompareView::setMessage(const QString& text) { m_summary->setText(text); }

} // namespace precis::views
