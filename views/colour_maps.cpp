#include "colour_maps.h"

#include <vector>

namespace precis::views {

QCPColorGradient heatGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setColorStopAt(0.000, QColor(0x44, 0x01, 0x54));
    g.setColorStopAt(0.125, QColor(0x48, 0x28, 0x78));
    g.setColorStopAt(0.250, QColor(0x3e, 0x49, 0x89));
    g.setColorStopAt(0.375, QColor(0x31, 0x68, 0x8e));
    g.setColorStopAt(0.500, QColor(0x26, 0x82, 0x8e));
    g.setColorStopAt(0.625, QColor(0x1f, 0x9e, 0x89));
    g.setColorStopAt(0.750, QColor(0x35, 0xb7, 0x79));
    g.setColorStopAt(0.875, QColor(0x6e, 0xce, 0x58));
    g.setColorStopAt(1.000, QColor(0xfd, 0xe7, 0x25));
    g.setLevelCount(256);
    return g;
}

QImage renderSquareMap(const float* values, int n, QCPColorGradient gradient, double lo, double hi)
{
    if (n <= 0 || !values) return {};
    QImage image(n, n, QImage::Format_RGB32);
    std::vector<double> row(size_t(n), 0.0);
    const QCPRange range(lo, hi > lo ? hi : lo + 1.0);
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < n; ++c) row[size_t(c)] = double(values[size_t(r) * size_t(n) + size_t(c)]);
        gradient.colorize(row.data(), range, reinterpret_cast<QRgb*>(image.scanLine(r)), n);
    }
    return image;
}

} // namespace precis::views
