// Side-by-side generation (Compress tab): one prompt, the original model's
// continuation beside a compressed model's, the first token where they part
// highlighted. The view only shows texts and emits the request; the app runs
// core/eval/generate on both models.
#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTextBrowser;

namespace precis::views {

class GenerationCompareView : public QWidget {
    Q_OBJECT
public:
    struct Request {
        QString prompt;
        int tokens = 64;           // new tokens per side
        double temperature = 0.0;  // 0: greedy
        quint64 seed = 1;
        bool stopAtEos = true;
        qint64 resultKey = 0;      // the compressed model (CompressResultRow::key)
    };
    // One side's text, cut where the two sides part: `common` is shared with
    // the other side, `differing` is the first token that is not, `rest` follows.
    struct Pane {
        QString title;
        QString prompt;
        QString common, differing, rest;
        int tokens = 0;
        QString note;  // e.g. "stopped at end of text"
    };

    explicit GenerationCompareView(QWidget* parent = nullptr);

    Request request() const;
    // The compressed models that can generate: (name, key) pairs; keeps the
    // current choice when it is still there.
    void setModels(const QList<QPair<QString, qint64>>& models);
    void setBusy(bool busy);
    void setPanes(const Pane& original, const Pane& compressed, const QString& summary);
    void clearPanes();
    // Shown instead of the summary (e.g. why nothing can be generated yet).
    void setMessage(const QString& text);

    QLineEdit* promptEdit() const { return m_prompt; }
    QSpinBox* tokensBox() const { return m_tokens; }
    QDoubleSpinBox* temperatureBox() const { return m_temperature; }
    QSpinBox* seedBox() const { return m_seed; }
    QCheckBox* stopAtEosBox() const { return m_stopAtEos; }
    QComboBox* modelBox() const { return m_models; }
    QPushButton* generateButton() const { return m_generate; }
    QTextBrowser* originalText() const { return m_left; }
    QTextBrowser* compressedText() const { return m_right; }
    QLabel* summaryLabel() const { return m_summary; }

signals:
    void generateRequested();

private:
    void updateEnabled();
    static QString html(const Pane& pane);

    QLineEdit* m_prompt = nullptr;
    QSpinBox* m_tokens = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QSpinBox* m_seed = nullptr;
    QCheckBox* m_stopAtEos = nullptr;
    QComboBox* m_models = nullptr;
    QPushButton* m_generate = nullptr;
    QLabel* m_leftTitle = nullptr;
    QLabel* m_rightTitle = nullptr;
    QTextBrowser* m_left = nullptr;
    QTextBrowser* m_right = nullptr;
    QLabel* m_summary = nullptr;
    bool m_busy = false;
};

} // namespace precis::views
