#include "attention_thumbnails.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace precis::views {

namespace {
constexpr int kThumb = 96;   // image square, pixels
constexpr int kGap = 10;     // between cells and around the grid
constexpr int kFrame = 3;    // selection frame width
}

AttentionThumbnails::AttentionThumbnails(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click a head to show it in the large map"));
}

void AttentionThumbnails::setImages(QVector<QImage> images)
{
    m_images = std::move(images);
    if (m_selected >= count()) m_selected = -1;
    updateGeometry();
    update();
}

void AttentionThumbnails::setSelected(int head)
{
    if (head == m_selected) return;
    m_selected = head;
    update();
}

int AttentionThumbnails::captionHeight() const { return fontMetrics().height() + 2; }

int AttentionThumbnails::columnsFor(int width) const
{
    return std::max(1, (width - kGap) / (kThumb + kGap));
}

QRect AttentionThumbnails::thumbnailRect(int head) const
{
    if (head < 0 || head >= count()) return {};
    const int cols = columnsFor(width());
    const int cellH = captionHeight() + kThumb + kGap;
    const int x = kGap + (head % cols) * (kThumb + kGap);
    const int y = kGap + (head / cols) * cellH + captionHeight();
    return QRect(x, y, kThumb, kThumb);
}

int AttentionThumbnails::headAt(const QPoint& pos) const
{
    for (int h = 0; h < count(); ++h)
        if (thumbnailRect(h).adjusted(-kFrame, -captionHeight(), kFrame, kFrame).contains(pos)) return h;
    return -1;
}

int AttentionThumbnails::heightForWidth(int width) const
{
    if (count() == 0) return kGap;
    const int cols = columnsFor(width);
    const int rows = (count() + cols - 1) / cols;
    return kGap + rows * (captionHeight() + kThumb + kGap);
}

QSize AttentionThumbnails::sizeHint() const
{
    const int w = kGap + 2 * (kThumb + kGap);
    return {w, heightForWidth(w)};
}

QSize AttentionThumbnails::minimumSizeHint() const { return {kThumb + 2 * kGap, kGap}; }

void AttentionThumbnails::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    for (int h = 0; h < count(); ++h) {
        const QRect r = thumbnailRect(h);
        const QRect caption(r.left(), r.top() - captionHeight(), r.width(), captionHeight());
        p.setPen(palette().color(QPalette::Text));
        p.drawText(caption, Qt::AlignLeft | Qt::AlignVCenter, tr("Head %1").arg(h));
        // Nearest-neighbour scaling keeps every token cell a crisp square.
        p.drawImage(r, m_images[h]);
        if (h == m_selected) {
            p.setPen(QPen(palette().color(QPalette::Highlight), kFrame));
            p.setBrush(Qt::NoBrush);
            p.drawRect(r.adjusted(-1, -1, 1, 1));
        }
    }
}

void AttentionThumbnails::mousePressEvent(QMouseEvent* event)
{
    const int h = headAt(event->position().toPoint());
    if (h < 0 || event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    setSelected(h);
    emit headClicked(h);
}

} // namespace precis::views
