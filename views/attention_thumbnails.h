// A grid of small pictures, one per attention head of a layer, painted from
// pre-rendered images (no plot widget per head). Clicking one selects it.
#pragma once

#include <QImage>
#include <QVector>
#include <QWidget>

namespace precis::views {

class AttentionThumbnails : public QWidget {
    Q_OBJECT
public:
    explicit AttentionThumbnails(QWidget* parent = nullptr);

    // One image per head, in head order; the caption of image i is "Head i".
    void setImages(QVector<QImage> images);
    int count() const { return int(m_images.size()); }
    const QImage& image(int head) const { return m_images[head]; }

    void setSelected(int head);
    int selected() const { return m_selected; }

    // Where thumbnail `head` is painted, in this widget's coordinates (the image square).
    QRect thumbnailRect(int head) const;
    // The thumbnail under `pos`, or -1.
    int headAt(const QPoint& pos) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

signals:
    void headClicked(int head);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    int columnsFor(int width) const;
    int captionHeight() const;

    QVector<QImage> m_images;
    int m_selected = -1;
};

} // namespace precis::views
