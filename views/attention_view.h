// Attention tab: a text box + Compute button (emits computeRequested), the
// T × T attention probabilities of the chosen layer and head as a colour map
// with token labels on both axes, and thumbnails of every head of that layer.
//
// Map orientation: query tokens (rows of AttentionMaps::map) run down the y axis
// from the top, key tokens (columns) along the x axis; colour-map cell
// (key, query) holds map(layer, head)[query * T + key]. Colours span [0, 1].
// The view only displays; the caller computes the maps and calls setResult().
#pragma once

#include <QStringList>
#include <QWidget>

#include <memory>

class QCPColorMap;
class QCPColorScale;
class QCPTextElement;
class QCustomPlot;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace precis {
struct AttentionMaps;
}

namespace precis::views {

class AttentionThumbnails;

class AttentionView : public QWidget {
    Q_OBJECT
public:
    explicit AttentionView(QWidget* parent = nullptr);
    ~AttentionView() override;

    // Shows `maps` for the tokens labelled `tokens` (raw token text, one per token,
    // maps->nTokens of them). droppedTokens > 0 says the text was cut by that many
    // tokens to fit the limit. Keeps the selected layer/head when still valid.
    void setResult(std::shared_ptr<const AttentionMaps> maps, const QStringList& tokens, int droppedTokens = 0);
    void clear();
    // While busy the Compute button is disabled and says so.
    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }
    // available = false disables text entry and shows `reason` (e.g. no model, no tokenizer).
    void setAvailable(bool available, const QString& reason = {});

    void setText(const QString& text);
    QString text() const;

    int layer() const;
    int head() const;
    void setSelection(int layer, int head);

    // "query 3 “girl” → key 1 “little”: p = 0.123456" for a map cell.
    QString cellText(int query, int key) const;

    const std::shared_ptr<const AttentionMaps>& maps() const { return m_maps; }
    QCustomPlot* plot() const { return m_plot; }
    QCPColorMap* colorMap() const { return m_map; }
    AttentionThumbnails* thumbnails() const { return m_thumbs; }
    QLineEdit* textEdit() const { return m_text; }
    QPushButton* computeButton() const { return m_compute; }
    QSpinBox* layerBox() const { return m_layer; }
    QComboBox* headBox() const { return m_head; }
    QLabel* infoLabel() const { return m_info; }

    // Token text as shown on an axis: whitespace made visible, long tokens elided.
    static QString displayToken(const QString& token);

signals:
    void computeRequested(const QString& text);
    void selectionChanged(int layer, int head);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void requestCompute();
    void onLayerChanged();
    void onHeadChanged();
    void showMap();
    void renderThumbnails();
    void updateTicks(int xPixels, int yPixels);
    void showHover(const QPoint& pos, const QPoint& globalPos);

    std::shared_ptr<const AttentionMaps> m_maps;
    QStringList m_tokens;
    bool m_busy = false;
    bool m_available = false;
    QString m_reason;

    QLineEdit* m_text = nullptr;
    QPushButton* m_compute = nullptr;
    QLabel* m_info = nullptr;
    QSpinBox* m_layer = nullptr;
    QComboBox* m_head = nullptr;
    QLabel* m_hover = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPTextElement* m_title = nullptr;
    AttentionThumbnails* m_thumbs = nullptr;
};

} // namespace precis::views
