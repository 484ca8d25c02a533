// Budget tab (DESIGN.md §6, §9): renders the budget document's state (the
// app's BudgetDocument) and sends the user's intents back. It keeps no
// document state: the budget, the table settings, the pins and their undo
// stack live in the document; the view holds shared, immutable copies of the
// table and frontier it draws, and presentation state (slider scale, bar mode,
// log axis).
//
//   - budget: a slider (kSliderSteps steps; arrows and PageUp/PageDown step it)
//     and a number in one of three kinds: max predicted perplexity increase in
//     % (damage budget B = ln(1 + p/100) nats/token, slider log-spaced over the
//     frontier's damage range), size in MB (10^6 bytes) or bits per weight
//     (slider linear over the frontier's bytes) → budgetRequested;
//   - the table's settings: granularity (tensor / head / layer), damage metric
//     (output-weighted error / Fisher), and whether Precis' own RTN types are
//     offered beside the GGUF types → granularityRequested, metricRequested,
//     optionSetRequested;
//   - the Pareto frontier plot with the current point and the uniform formats;
//   - the per-layer chart, bars stacked by tensor kind (allocation_summary.h);
//   - totals: size, bits/weight, predicted Δppl and KL, compression ratio, and
//     how many units use Precis-native types (a GGUF export re-encodes them);
//   - the unit table with the chosen option per unit; picking an option asks
//     for a pin (pinRequested, unpinRequested).
//
// A budget answer (setAllocation) updates every plot, label and table cell in
// place; the redraw is merged into one per event loop pass and redraws only
// the frontier plot's overlay layer. lastTiming() gives what the last change
// cost, from the user's input to the end of the redraw.
//
// Threads: GUI thread only.
#pragma once

#include "allocation/option_builder.h"
#include "allocation/option_table.h"
#include "allocation/solver.h"
#include "budget_scale.h"
#include "session/session_allocations.h"

#include <QWidget>

#include <cstdint>
#include <memory>
#include <vector>

class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QStackedWidget;
class QTableView;

namespace precis {
class LayerBreakdown;
} // namespace precis

namespace precis::views {

class BudgetUnitModel;
class FrontierPlot;
class LayerBitsPlot;

class BudgetView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kSliderSteps = 1000;

    explicit BudgetView(QWidget* parent = nullptr);
    ~BudgetView() override;

    // ---- what the document hands in
    // The table to show (nullptr: none; the placeholder shows `why`, or the
    // placeholder text). A table with the same units as the shown one only
    // updates its pins.
    void setTable(std::shared_ptr<const OptionTable> table, const QString& why = {});
    // Its frontier and the uniform formats beside it (nullptr: none yet).
    void setFrontier(std::shared_ptr<const Frontier> frontier, const std::vector<UniformPoint>& uniform);
    // The allocation at the budget, its totals and how many of its units use
    // Precis-native types; hasAllocation false clears them.
    void setAllocation(bool hasAllocation, const Allocation& allocation, const AllocationTotals& totals,
                       int nativeUnits);
    // The budget and the table settings as the document holds them (shown
    // without asking for anything).
    void setSpec(const BudgetSpec& spec);
    void setSolving(bool solving);
    // A transient note (dropped pins, a failed solve); empty hides it.
    void setStatus(const QString& text);
    // Text shown while there is no table (e.g. how to run a calibration).
    void setPlaceholderText(const QString& text);
    // The closed loop's factor on every predicted damage (1: uncalibrated);
    // note: how it was fitted (a tooltip).
    void setDamageScale(double scale, const QString& note = {});
    // The document's undo/redo actions, offered in the unit table's context menu.
    void setUndoActions(QAction* undo, QAction* redo);

    bool hasTable() const { return bool(m_table); }
    bool hasAllocation() const { return m_hasAllocation; }
    const std::shared_ptr<const OptionTable>& table() const { return m_table; }
    const Allocation& allocation() const { return m_allocation; }
    BudgetKind budgetKind() const { return m_kind; }
    double budgetValue() const;  // the number shown
    QString totalsText() const;

    struct Timing {
        double responseMs = 0;  // the user's input (slider, number, unit) → end of the replot
        double replotMs = 0;    // QCustomPlot::replotTime() of the per-layer chart
        double overlayMs = 0;   // the frontier plot's overlay redraw
    };
    Timing lastTiming() const { return m_timing; }
    // Applies a pending redraw now (tests, screenshots).
    void flushNow();

    QSlider* slider() const { return m_slider; }
    QDoubleSpinBox* budgetBox() const { return m_budgetBox; }
    QComboBox* unitBox() const { return m_unitBox; }
    QComboBox* granularityBox() const { return m_granularityBox; }
    QComboBox* metricBox() const { return m_metricBox; }
    QCheckBox* nativeBox() const { return m_nativeBox; }
    QLabel* totalsLabel() const { return m_totals; }
    QLabel* statusLabel() const { return m_status; }
    FrontierPlot* frontierPlot() const { return m_frontierPlot; }
    LayerBitsPlot* layerPlot() const { return m_layerPlot; }
    QComboBox* barModeBox() const { return m_barModeBox; }
    QCheckBox* logScaleBox() const { return m_logBox; }
    QTableView* unitTable() const { return m_tableView; }
    BudgetUnitModel* unitModel() const { return m_model; }
    QPushButton* saveButton() const { return m_saveButton; }
    QPushButton* calibrateButton() const { return m_calibrateButton; }
    QLabel* damageScaleLabel() const { return m_scaleLabel; }
    QAction* unpinAction() const { return m_unpinAction; }  // unpins the table's selected rows

public slots:
    // Emits saveRequested(name) when there is an allocation, no re-solve is
    // running (the allocation would lack the new pins) and a name.
    void requestSave(const QString& name);

signals:
    // The user's intents. A budget change: kind and number (a change of kind
    // carries the current allocation said in the new kind).
    void budgetRequested(precis::BudgetKind kind, double value);
    void granularityRequested(precis::Granularity granularity);
    void metricRequested(const QString& metric);
    void optionSetRequested(precis::OptionSet set);
    void pinRequested(int unit, int option);  // option -1: unpin
    void unpinRequested(const std::vector<int>& units);
    void unpinAllRequested();
    void saveRequested(const QString& name);
    // Fit the predictor to measured compressions / reset it.
    void calibrateRequested();
    void resetScaleRequested();

private:
    void onSliderChanged(int position);
    void onBudgetBoxChanged(double value);
    void onUnitChanged();
    void configureBudgetBox();
    void showBudget(double value);
    void scheduleFlush();
    void flush();
    void askSaveName();
    void markStart();

    std::shared_ptr<const OptionTable> m_table;
    std::shared_ptr<const Frontier> m_frontier;
    std::unique_ptr<LayerBreakdown> m_breakdown;
    std::vector<double> m_cells;  // (groups, kinds) bytes of the current allocation
    Allocation m_allocation;
    AllocationTotals m_allocationTotals;
    int m_nativeUnits = 0;
    bool m_hasAllocation = false;
    BudgetKind m_kind = BudgetKind::PplPercent;
    BudgetScale m_scale;  // of m_frontier and m_kind
    bool m_solving = false;

    // The change being redrawn: started at the user's input, read at the end of flush().
    bool m_flushQueued = false;
    qint64 m_changeStartNs = -1;
    Timing m_timing;

    QStackedWidget* m_stack = nullptr;
    QLabel* m_placeholder = nullptr;
    QString m_placeholderText;
    QComboBox* m_unitBox = nullptr;
    QSlider* m_slider = nullptr;
    QDoubleSpinBox* m_budgetBox = nullptr;
    QComboBox* m_granularityBox = nullptr;
    QComboBox* m_metricBox = nullptr;
    QCheckBox* m_nativeBox = nullptr;
    QLabel* m_totals = nullptr;
    QLabel* m_scaleLabel = nullptr;
    QPushButton* m_calibrateButton = nullptr;
    QPushButton* m_resetScaleButton = nullptr;
    QLabel* m_status = nullptr;
    FrontierPlot* m_frontierPlot = nullptr;
    LayerBitsPlot* m_layerPlot = nullptr;
    QComboBox* m_barModeBox = nullptr;
    QCheckBox* m_logBox = nullptr;
    QTableView* m_tableView = nullptr;
    BudgetUnitModel* m_model = nullptr;
    QPushButton* m_saveButton = nullptr;
    QPushButton* m_unpinButton = nullptr;
    QPushButton* m_unpinAllButton = nullptr;
    QAction* m_unpinAction = nullptr;
};

} // namespace precis::views
