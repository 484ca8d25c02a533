// Sensitivity tab: a SensitivityReport (core/sensitivity/report.h) as heatmaps.
//   - layer × head: the chosen metric of each head unit ("blk.L.head.H");
//   - layer × tensor kind: of each block tensor ("blk.L.attn_q.weight" …), columns
//     q k v o gate up down (qkv o up down for GPT-2), from the unit names present;
//   - the 8×8 chunk map (rows/8 × cols/8) of one tensor, chosen by clicking a cell
//     of the layer × kind map or from a list, with zoom and pan;
//   - how well each proxy ranks units like the measured damage (Spearman's ρ).
// Metric and option selectors offer what the report holds; per-option metrics
// (ow_err, fisher, measured_*) show one option at a time. Cells without a value
// (infeasible option, not measured) are grey; tooltips give the exact value.
//
// Live runs: setReport() only stores the report and starts a single-shot timer;
// bursts of partial reports cost one redraw per kRedrawDelayMs. The chosen
// metric, option, chunk metric and tensor survive updates (a choice the report
// does not hold yet is shown as soon as it appears). The view never computes
// metrics; the caller runs the calibration and hands reports in.
#pragma once

#include <QStringList>
#include <QWidget>

#include <memory>
#include <string>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QStackedWidget;
class QTableWidget;
class QTimer;

namespace precis::sensitivity {
struct SensitivityReport;
}

namespace precis::views {

class CellMapPlot;
struct SensitivityGrids;

class SensitivityView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kRedrawDelayMs = 150;

    explicit SensitivityView(QWidget* parent = nullptr);
    ~SensitivityView() override;

    // Stores the report (shared, immutable) and schedules a redraw. nullptr clears.
    void setReport(std::shared_ptr<const sensitivity::SensitivityReport> report);
    void setReport(const sensitivity::SensitivityReport& report);  // copies
    void clear();
    const std::shared_ptr<const sensitivity::SensitivityReport>& report() const { return m_report; }
    // Text shown while there is no report (e.g. how to start a calibration).
    void setPlaceholderText(const QString& text);
    // Applies a scheduled redraw now (tests, screenshots).
    void refreshNow();
    bool redrawPending() const;

    // What is shown (after the last redraw). Metric and option names as in report.h.
    QString metric() const { return m_shownMetric; }
    QString option() const { return m_shownOption; }
    QString chunkMetric() const { return m_shownChunkMetric; }
    QString selectedTensor() const { return m_tensor; }
    QStringList metrics() const;       // offered by the metric selector
    QStringList options() const;       // offered for the shown metric (empty: none)
    QStringList kinds() const { return m_kinds; }  // columns of the layer × kind map
    bool logScale() const;

    // The user's choices; they take effect at the next redraw (scheduled here).
    void setMetric(const QString& metric);
    void setOption(const QString& option);
    void setChunkMetric(const QString& metric);
    void setLogScale(bool on);

    // Grid sizes as drawn.
    int headMapLayers() const;
    int headMapHeads() const;
    int kindMapLayers() const;
    int kindMapKinds() const;
    int chunkMapRows() const;
    int chunkMapCols() const;
    // A cell's value as drawn (NaN: no value) and its tooltip text: unit, metric,
    // option and the exact value in scientific notation (shortest round-trip form).
    double headValue(int layer, int head) const;
    double kindValue(int layer, int kind) const;
    double chunkValue(int row, int col) const;
    QString headCellText(int layer, int head) const;
    QString kindCellText(int layer, int kind) const;
    QString chunkCellText(int row, int col) const;

    CellMapPlot* headPlot() const { return m_headPlot; }
    CellMapPlot* kindPlot() const { return m_kindPlot; }
    CellMapPlot* chunkPlot() const { return m_chunkPlot; }
    QComboBox* metricBox() const { return m_metricBox; }
    QComboBox* optionBox() const { return m_optionBox; }
    QComboBox* chunkMetricBox() const { return m_chunkMetricBox; }
    QComboBox* tensorBox() const { return m_tensorBox; }
    QCheckBox* logScaleBox() const { return m_logBox; }
    QTableWidget* correlationTable() const { return m_table; }
    QLabel* stageLabel() const { return m_stage; }
    QLabel* hoverLabel() const { return m_hover; }

    // "7.5e-05": the exact double, shortest form, scientific notation.
    static QString formatValue(double value);
    // Axis and legend text of a metric ("predicted Δloss (nats/token)" …).
    static QString metricUnit(const QString& metric);

public slots:
    // Shows `tensor`'s chunk map (kept across updates, also before it has one).
    void selectTensor(const QString& tensor);
    // A click on cell (layer, kind) of the layer × kind map: selects that tensor.
    void selectKindCell(int layer, int kind);

signals:
    void tensorSelected(const QString& tensor);

private:
    void scheduleRedraw();
    void redraw();
    void updateSelectors();
    void drawHeatmaps();
    void drawChunkMap();
    void fillCorrelations();
    void showHover(const QString& text, const QPoint& globalPos);
    QString cellText(const std::string& unit, double value, bool infeasible) const;

    std::shared_ptr<const sensitivity::SensitivityReport> m_report;
    const sensitivity::SensitivityReport* m_drawnCorrelations = nullptr;  // report whose table is shown
    // The user's choices (may be absent from the report) and what is shown.
    QString m_wantedMetric, m_wantedOption, m_wantedChunkMetric, m_tensor;
    QString m_shownMetric, m_shownOption, m_shownChunkMetric;
    QStringList m_kinds;
    std::unique_ptr<SensitivityGrids> m_grids;  // what the two heatmaps show

    QStackedWidget* m_stack = nullptr;
    QLabel* m_placeholder = nullptr;
    QComboBox* m_metricBox = nullptr;
    QComboBox* m_optionBox = nullptr;
    QCheckBox* m_logBox = nullptr;
    QLabel* m_stage = nullptr;
    QLabel* m_hover = nullptr;
    CellMapPlot* m_headPlot = nullptr;
    CellMapPlot* m_kindPlot = nullptr;
    CellMapPlot* m_chunkPlot = nullptr;
    QComboBox* m_tensorBox = nullptr;
    QComboBox* m_chunkMetricBox = nullptr;
    QTableWidget* m_table = nullptr;
    QTimer* m_redrawTimer = nullptr;
};

} // namespace precis::views
