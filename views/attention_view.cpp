#include "attention_view.h"

#include "attention_thumbnails.h"
#include "colour_maps.h"
#include "engine/engine.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace precis::views {

namespace {
constexpr int kMaxLabelChars = 12;

// Ticks every `stride` tokens so that labels `lineHeight` apart fit into `pixels`.
int labelStride(int tokens, int lineHeight, int pixels)
{
    if (pixels <= 0) return 1;
    return std::max(1, int(std::ceil(double(tokens) * double(lineHeight) / double(pixels))));
}
} // namespace

AttentionView::AttentionView(QWidget* parent) : QWidget(parent)
{
    m_text = new QLineEdit(this);
    m_text->setPlaceholderText(tr("Type a sentence to see where each token looks"));
    m_compute = new QPushButton(tr("Compute"), this);
    m_compute->setDefault(true);
    connect(m_text, &QLineEdit::returnPressed, this, &AttentionView::requestCompute);
    connect(m_compute, &QPushButton::clicked, this, &AttentionView::requestCompute);

    m_info = new QLabel(this);
    m_info->setWordWrap(true);

    m_layer = new QSpinBox(this);
    m_layer->setRange(0, 0);
    m_layer->setToolTip(tr("Transformer layer (block) whose attention is shown"));
    m_head = new QComboBox(this);
    m_head->setToolTip(tr("Attention head of the chosen layer"));
    m_head->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_layer, &QSpinBox::valueChanged, this, &AttentionView::onLayerChanged);
    connect(m_head, &QComboBox::currentIndexChanged, this, &AttentionView::onHeadChanged);

    m_hover = new QLabel(this);
    m_hover->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_plot = new QCustomPlot(this);
    m_plot->setMinimumSize(240, 240);
    m_plot->plotLayout()->insertRow(0);
    m_title = new QCPTextElement(m_plot, QString(), QFont(font().family(), font().pointSize() + 1, QFont::Bold));
    m_plot->plotLayout()->addElement(0, 0, m_title);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(1, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->axis()->setLabel(tr("attention probability"));
    m_scale->setBarWidth(14);
    m_map->setColorScale(m_scale);
    m_map->setGradient(heatGradient());
    m_map->setDataRange(QCPRange(0.0, 1.0));
    // Keep the colour bar as tall as the map.
    auto* margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);

    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        ticker->setSubTickCount(0);
        axis->setTicker(ticker);
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
        axis->setTickLengthIn(0);  // no tick marks over the map's cells
        axis->setTickLengthOut(4);
    }
    m_plot->xAxis->setLabel(tr("key token (attended to)"));
    m_plot->yAxis->setLabel(tr("query token"));
    m_plot->yAxis->setRangeReversed(true);  // first token at the top, like a matrix
    m_plot->installEventFilter(this);
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        showHover(e->position().toPoint(), e->globalPosition().toPoint());
    });

    m_thumbs = new AttentionThumbnails(this);
    connect(m_thumbs, &AttentionThumbnails::headClicked, this, [this](int h) { setSelection(layer(), h); });
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_thumbs);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Room for two columns of thumbnails beside the scroll bar.
    scroll->setMinimumWidth(m_thumbs->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() +
                            2 * scroll->frameWidth());

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_plot);
    split->addWidget(scroll);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    auto* textRow = new QHBoxLayout;
    textRow->addWidget(m_text, 1);
    textRow->addWidget(m_compute);
    auto* selectRow = new QHBoxLayout;
    selectRow->addWidget(new QLabel(tr("Layer:"), this));
    selectRow->addWidget(m_layer);
    selectRow->addSpacing(12);
    selectRow->addWidget(new QLabel(tr("Head:"), this));
    selectRow->addWidget(m_head);
    selectRow->addSpacing(12);
    selectRow->addWidget(m_hover, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(textRow);
    layout->addWidget(m_info);
    layout->addLayout(selectRow);
    layout->addWidget(split, 1);

    setAvailable(false);
    clear();
}

AttentionView::~AttentionView() = default;

QString AttentionView::displayToken(const QString& token)
{
    if (token.isEmpty()) return QStringLiteral("∅");
    QString s = token;
    s.replace(QLatin1Char('\n'), QStringLiteral("↵"));
    s.replace(QLatin1Char('\t'), QStringLiteral("⇥"));
    s.replace(QLatin1Char('\r'), QStringLiteral("␍"));
    s.replace(QLatin1Char(' '), QStringLiteral("·"));
    if (s.size() > kMaxLabelChars) s = s.left(kMaxLabelChars - 1) + QStringLiteral("…");
    return s;
}

void AttentionView::setResult(std::shared_ptr<const AttentionMaps> maps, const QStringList& tokens, int droppedTokens)
{
    if (!maps || maps->nTokens <= 0 || maps->nLayer <= 0 || maps->nHead <= 0) {
        clear();
        return;
    }
    const int oldLayer = layer(), oldHead = head();
    m_maps = std::move(maps);
    m_tokens = tokens;
    while (m_tokens.size() < m_maps->nTokens) m_tokens << QString();

    QString info = tr("Tokens: %1.").arg(m_maps->nTokens);
    if (droppedTokens > 0)
        info += QLatin1Char(' ') + tr("The text was cut to its first %1 tokens (%2 more not shown).")
                                       .arg(m_maps->nTokens)
                                       .arg(droppedTokens);
    m_info->setText(info);

    {
        const QSignalBlocker b1(m_layer), b2(m_head);
        m_layer->setRange(0, m_maps->nLayer - 1);
        m_layer->setValue(std::clamp(oldLayer, 0, m_maps->nLayer - 1));
        m_head->clear();
        for (int h = 0; h < m_maps->nHead; ++h) m_head->addItem(tr("Head %1").arg(h));
        m_head->setCurrentIndex(std::clamp(oldHead, 0, m_maps->nHead - 1));
    }
    m_layer->setEnabled(true);
    m_head->setEnabled(true);
    renderThumbnails();
    showMap();
}

void AttentionView::clear()
{
    m_maps.reset();
    m_tokens.clear();
    {
        const QSignalBlocker b1(m_layer), b2(m_head);
        m_layer->setRange(0, 0);
        m_head->clear();
    }
    m_layer->setEnabled(false);
    m_head->setEnabled(false);
    m_hover->clear();
    m_info->setText(m_available ? tr("Enter some text and press Compute.") : m_reason);
    m_thumbs->setImages({});
    showMap();
}

void AttentionView::setBusy(bool busy)
{
    m_busy = busy;
    m_compute->setEnabled(m_available && !busy);
    m_compute->setText(busy ? tr("Computing…") : tr("Compute"));
}

void AttentionView::setAvailable(bool available, const QString& reason)
{
    m_available = available;
    m_reason = reason;
    m_text->setEnabled(available);
    m_compute->setEnabled(available && !m_busy);
    if (!m_maps) m_info->setText(available ? tr("Enter some text and press Compute.") : reason);
}

void AttentionView::setText(const QString& text) { m_text->setText(text); }
QString AttentionView::text() const { return m_text->text(); }

int AttentionView::layer() const { return m_maps ? m_layer->value() : 0; }
int AttentionView::head() const { return m_maps ? std::max(0, m_head->currentIndex()) : 0; }

void AttentionView::setSelection(int layer, int head)
{
    if (!m_maps) return;
    layer = std::clamp(layer, 0, m_maps->nLayer - 1);
    head = std::clamp(head, 0, m_maps->nHead - 1);
    const QSignalBlocker b(m_head);
    m_head->setCurrentIndex(head);
    if (layer != m_layer->value())
        m_layer->setValue(layer);  // re-renders the thumbnails and the map
    else
        onHeadChanged();
}

void AttentionView::requestCompute()
{
    if (m_available && !m_busy) emit computeRequested(m_text->text());
}

void AttentionView::onLayerChanged()
{
    renderThumbnails();
    showMap();
    emit selectionChanged(layer(), head());
}

void AttentionView::onHeadChanged()
{
    m_thumbs->setSelected(head());
    showMap();
    emit selectionChanged(layer(), head());
}

void AttentionView::renderThumbnails()
{
    QVector<QImage> images;
    if (m_maps) {
        const QCPColorGradient gradient = heatGradient();
        for (int h = 0; h < m_maps->nHead; ++h)
            images << renderSquareMap(m_maps->map(layer(), h), m_maps->nTokens, gradient, 0.0, 1.0);
    }
    m_thumbs->setImages(std::move(images));
    m_thumbs->setSelected(m_maps ? head() : -1);
}

void AttentionView::showMap()
{
    if (!m_maps) {
        m_map->data()->clear();
        m_title->setText(QString());
        m_plot->xAxis->setRange(0, 1);
        m_plot->yAxis->setRange(0, 1);
        updateTicks(0, 0);
        m_plot->replot();
        return;
    }
    const int T = m_maps->nTokens;
    const float* p = m_maps->map(layer(), head());  // (T query, T key) row-major
    QCPColorMapData* data = m_map->data();
    data->setSize(T, T);
    data->setRange(QCPRange(0, T - 1), QCPRange(0, T - 1));
    for (int q = 0; q < T; ++q)
        for (int k = 0; k < T; ++k) data->setCell(k, q, double(p[size_t(q) * T + k]));
    m_plot->xAxis->setRange(-0.5, T - 0.5);
    m_plot->yAxis->setRange(-0.5, T - 0.5);
    m_title->setText(tr("Layer %1 · head %2").arg(layer()).arg(head()));
    const QRect r = m_plot->axisRect()->rect();
    const bool laidOut = r.width() > 10 && r.height() > 10;
    updateTicks(laidOut ? r.width() : m_plot->width() * 2 / 3, laidOut ? r.height() : m_plot->height() * 2 / 3);
    m_plot->replot();
}

void AttentionView::updateTicks(int xPixels, int yPixels)
{
    auto xTicker = qSharedPointerCast<QCPAxisTickerText>(m_plot->xAxis->ticker());
    auto yTicker = qSharedPointerCast<QCPAxisTickerText>(m_plot->yAxis->ticker());
    xTicker->clear();
    yTicker->clear();
    if (!m_maps) return;
    const int T = m_maps->nTokens;
    const int lineHeight = QFontMetrics(m_plot->xAxis->tickLabelFont()).height();
    // x labels stand upright (rotated) once more than a few tokens share the axis.
    const bool rotate = T > 6;
    m_plot->xAxis->setTickLabelRotation(rotate ? -90 : 0);
    const int xStride = rotate ? labelStride(T, lineHeight, xPixels) : 1;
    const int yStride = labelStride(T, lineHeight, yPixels);
    for (int i = 0; i < T; i += xStride) xTicker->addTick(i, displayToken(m_tokens[i]));
    for (int i = 0; i < T; i += yStride) yTicker->addTick(i, displayToken(m_tokens[i]));
}

bool AttentionView::eventFilter(QObject* watched, QEvent* event)
{
    // Re-thin the labels before the plot's own resize handler replots.
    if (watched == m_plot && event->type() == QEvent::Resize && m_maps) {
        const auto* e = static_cast<QResizeEvent*>(event);
        const QRect r = m_plot->axisRect()->rect();
        const QSize grow = e->size() - e->oldSize();
        const bool valid = e->oldSize().isValid() && r.width() > 10;
        updateTicks(valid ? r.width() + grow.width() : e->size().width() * 2 / 3,
                    valid ? r.height() + grow.height() : e->size().height() * 2 / 3);
    }
    return QWidget::eventFilter(watched, event);
}

QString AttentionView::cellText(int query, int key) const
{
    if (!m_maps) return {};
    const int T = m_maps->nTokens;
    if (query < 0 || key < 0 || query >= T || key >= T) return {};
    const float p = m_maps->map(layer(), head())[size_t(query) * T + key];
    QString text = tr("Query %1 “%2” → key %3 “%4”: p = %5")
                       .arg(QString::number(query), displayToken(m_tokens[query]), QString::number(key),
                            displayToken(m_tokens[key]), QString::number(double(p), 'f', 6));
    if (key > query) text += QLatin1Char(' ') + tr("(masked: a token cannot see later tokens)");
    return text;
}

void AttentionView::showHover(const QPoint& pos, const QPoint& globalPos)
{
    if (!m_maps || !m_plot->axisRect()->rect().contains(pos)) {
        m_hover->clear();
        QToolTip::hideText();
        return;
    }
    const int key = int(std::lround(m_plot->xAxis->pixelToCoord(pos.x())));
    const int query = int(std::lround(m_plot->yAxis->pixelToCoord(pos.y())));
    const QString text = cellText(query, key);
    m_hover->setText(text);
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(globalPos, text, m_plot);
}

} // namespace precis::views
