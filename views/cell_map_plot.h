// A grid of values drawn as coloured cells with a colour scale and a title: the
// building block of the sensitivity heatmaps (layer × head, layer × tensor kind,
// 8×8 chunk maps). Cell (row, col) is drawn at x = col, y = row with row 0 at the
// top, like a matrix. Cells without a value (NaN) are drawn in a neutral grey,
// never as 0. On a logarithmic scale non-positive values take the lowest colour.
//
// It only draws what it is given; hover and click are reported as cell indices.
#pragma once

#include <qcustomplot.h>

#include <QStringList>

#include <vector>

namespace precis::views {

class CellMapPlot : public QCustomPlot {
    Q_OBJECT
public:
    // The colour of cells without a value.
    static QColor missingColour();

    explicit CellMapPlot(QWidget* parent = nullptr);
    ~CellMapPlot() override;

    void setTitle(const QString& title);
    QString title() const;
    void setAxisLabels(const QString& x, const QString& y);
    void setScaleLabel(const QString& label);
    // Text under each column (empty: integer column numbers).
    void setColumnLabels(const QStringList& labels);

    // values: (rows, cols) row-major, NaN = no value. keepView keeps the visible
    // range (the user's zoom) when the grid size is unchanged.
    void setCells(int rows, int cols, std::vector<double> values, bool logScale, bool keepView = false);
    void clearCells();
    int rows() const { return m_rows; }
    int cols() const { return m_cols; }
    double value(int row, int col) const;  // NaN outside the grid
    bool logScale() const { return m_log; }
    // The colour range in use (after the last setCells).
    QCPRange colourRange() const;

    // Square cells: the view is fitted so that a cell is as wide as it is tall.
    void setSquareCells(bool on) { m_square = on; }
    // Shows the whole grid (the range before any zoom or pan).
    void fitView();

    // The cell under a widget position; false when there is none.
    bool cellAt(const QPointF& pos, int* row, int* col) const;
    // Outlines one cell (row < 0: none).
    void setHighlight(int row, int col);

    QCPColorMap* colorMap() const { return m_map; }
    QCPColorScale* colorScale() const { return m_scale; }

signals:
    // row = col = -1 when the pointer leaves the grid.
    void cellHovered(int row, int col, const QPoint& globalPos);
    void cellClicked(int row, int col);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitColumnLabels(int plotWidth);
    void onMouseMove(QMouseEvent* event);
    void onMousePress(QMouseEvent* event);
    void placeHighlight();

    QStringList m_columnLabels;
    int m_rows = 0, m_cols = 0;
    std::vector<double> m_values;
    bool m_log = false;
    bool m_square = false;
    int m_hoverRow = -1, m_hoverCol = -1;
    int m_highlightRow = -1, m_highlightCol = -1;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPTextElement* m_title = nullptr;
    QCPItemRect* m_highlight = nullptr;
    QSharedPointer<QCPAxisTicker> m_linearTicker;
    QSharedPointer<QCPAxisTickerLog> m_logTicker;
};

} // namespace precis::views
