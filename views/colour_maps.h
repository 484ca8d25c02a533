// Colour scales shared by the heat-map views, and cheap rendering of a map to an
// image (for thumbnails, where one QCustomPlot per map would be too heavy).
#pragma once

#include <qcustomplot.h>

#include <QImage>

namespace precis::views {

// Perceptually uniform dark-blue → green → yellow scale (matplotlib's "viridis"
// sampled at 9 points), used for every probability / sensitivity map.
QCPColorGradient heatGradient();

// Renders an n × n row-major map (row 0 at the top, column 0 at the left) into an
// n × n image, mapping [lo, hi] onto `gradient`. Values outside are clamped.
QImage renderSquareMap(const float* values, int n, QCPColorGradient gradient, double lo, double hi);

} // namespace precis::views
