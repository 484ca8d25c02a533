// Budget tab (DESIGN.md §6, §9): the accuracy budget slider over a solved
// mixed-precision allocation.
//
//   - budget: a slider (kSliderSteps steps; arrows and PageUp/PageDown step it)
//     and a number in one of three units: max predicted perplexity increase in
//     % (damage budget B = ln(1 + p/100) nats/token, slider log-spaced over the
//     frontier's damage range), size in MB (10^6 bytes) or bits per weight
//     (slider linear over the frontier's bytes). The number is the budget; the
//     allocation shown is always Frontier::minBytes(B) (Δppl) or
//     Frontier::minDamage(bytes) (size units) for exactly that number;
//   - the Pareto frontier plot with the current point and the uniform formats;
//   - the per-layer chart, bars stacked by tensor kind (allocation_summary.h);
//   - totals: size, bits/weight, predicted Δppl and KL, compression ratio;
//   - the unit table with the chosen option per unit; picking an option pins
//     the unit (undoable), which rebuilds the frontier.
//
// A budget change only queries the frontier (microseconds) and updates every
// plot, label and table cell in place; the redraw is merged into one per event
// loop pass and redraws only the frontier plot's overlay layer. lastTiming()
// gives what the last change cost. A pin rebuilds the frontier: on the GUI
// thread for tables under kAsyncUnits units, else on a one-thread pool while the
// old frontier keeps answering (isSolving(), solvingChanged).
//
// Threads: GUI thread only. The view keeps its own copy of the table (pins
// change it); the frontier it is given must have been built from that table.
#pragma once

#include "allocation/option_builder.h"
#include "allocation/option_table.h"
#include "allocation/solver.h"
#include "budget_scale.h"

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
class QThreadPool;
class QUndoStack;

namespace precis {
class CancelToken;
class LayerBreakdown;
} // namespace precis

namespace precis::views {

class BudgetUnitModel;
class FrontierPlot;
class LayerBitsPlot;

class BudgetView : public QWidget {
    Q_OBJECT
public:
    using BudgetUnit = views::BudgetUnit;  // budget_scale.h
    static constexpr int kSliderSteps = 1000;
    // Tables with at least this many units re-solve off the GUI thread
    // (buildFrontier takes about 1 ms per 100 units on one core).
    static constexpr size_t kAsyncUnits = 2000;

    explicit BudgetView(QWidget* parent = nullptr);
    ~BudgetView() override;

    // The table to allocate. frontier: built from exactly this table (pins
    // included), or nullptr to build it here (a frontier with another unit count
    // is rebuilt too). uniform: the comparison points (precis::uniformPoints);
    // empty: F16, Q8_0, Q6_K, Q5_K, Q4_K, Q4_0, Q3_K, Q2_K from the table.
    // Clears the undo stack; keeps the budget unit and value. A table that
    // fails precis::validate is not shown: the placeholder says why.
    void setTable(OptionTable table, std::shared_ptr<const Frontier> frontier = nullptr,
                  std::vector<UniformPoint> uniform = {});
    void clear();
    bool hasTable() const { return bool(m_table); }
    // Text shown while there is no table (e.g. how to run a calibration).
    void setPlaceholderText(const QString& text);
    // The original model file's size, for the compression ratio (0: not shown).
    void setOriginalBytes(int64_t bytes);
    // The closed loop's factor on every predicted damage (the table given to
    // setTable is already scaled by it; shown, and kept with compressions made
    // from this allocation). note: how it was fitted (a tooltip).
    void setDamageScale(double scale, const QString& note = {});
    double damageScale() const { return m_damageScale; }
    QPushButton* calibrateButton() const { return m_calibrateButton; }
    QLabel* damageScaleLabel() const { return m_scaleLabel; }
    // Settings of the frontiers built here (after pins, or without a given frontier).
    void setFrontierSettings(const FrontierSettings& settings) { m_settings = settings; }

    const std::shared_ptr<const OptionTable>& table() const { return m_table; }
    const std::shared_ptr<const Frontier>& frontier() const { return m_frontier; }
    bool hasAllocation() const { return m_hasAllocation; }
    const Allocation& allocation() const { return m_allocation; }
    bool isSolving() const { return m_solving; }

    BudgetUnit budgetUnit() const { return m_unit; }
    void setBudgetUnit(BudgetUnit unit);  // converts the current allocation into the new unit
    double budgetValue() const;           // the number shown, in the current unit
    void setBudgetValue(double value);
    // The budget the number stands for: damage (nats/token) in the Δppl unit, bytes in the size units.
    double damageBudget() const;
    int64_t byteBudget() const;

    // Pins unit `unit` to option `option` (-1: unpins), as one undo step.
    void pinUnit(int unit, int option);
    void unpinUnits(const std::vector<int>& units);  // one undo step; units not pinned are skipped
    void unpinAll();
    QUndoStack* undoStack() const { return m_undo; }
    QAction* undoAction() const { return m_undoAction; }  // for the Edit menu
    QAction* redoAction() const { return m_redoAction; }
    QAction* unpinAction() const { return m_unpinAction; }  // unpins the table's selected rows

    // What "Save allocation…" stores, in precis-cli allocate's form:
    // {"kind": "ppl_percent" | "megabytes" | "bits_per_weight", "value": v, "pinned": {unit: scheme}
    //  [, "damage_scale": the closed loop's factor when not 1]}
    QString budgetJson() const;
    QString assignmentJson() const;  // {"unit": "scheme", …} (precis::assignmentJson)
    // {"bytes", "bits_per_weight", "predicted_damage", "predicted_ppl_increase_percent",
    //  "predicted_kl", "compression_ratio", "feasible"}
    QString totalsJson() const;
    QString totalsText() const;

    struct Timing {
        double queryMs = 0;     // the frontier query
        double responseMs = 0;  // budget change (slider valueChanged) → end of the replot
        double replotMs = 0;    // QCustomPlot::replotTime() of the per-layer chart
        double overlayMs = 0;   // the frontier plot's overlay redraw
    };
    Timing lastTiming() const { return m_timing; }
    double lastBuildMs() const { return m_lastBuildMs; }  // the last frontier built here
    // Applies a pending redraw now (tests, screenshots).
    void flushNow();

    QSlider* slider() const { return m_slider; }
    QDoubleSpinBox* budgetBox() const { return m_budgetBox; }
    QComboBox* unitBox() const { return m_unitBox; }
    QLabel* totalsLabel() const { return m_totals; }
    QLabel* statusLabel() const { return m_status; }
    FrontierPlot* frontierPlot() const { return m_frontierPlot; }
    LayerBitsPlot* layerPlot() const { return m_layerPlot; }
    QComboBox* barModeBox() const { return m_barModeBox; }
    QCheckBox* logScaleBox() const { return m_logBox; }
    QTableView* unitTable() const { return m_tableView; }
    BudgetUnitModel* unitModel() const { return m_model; }
    QPushButton* saveButton() const { return m_saveButton; }

public slots:
    // Emits saveRequested(name, budgetJson()) when there is an allocation, no
    // re-solve is running (the allocation would lack the new pins) and a name.
    void requestSave(const QString& name);

signals:
    // After every budget change or re-solve. Handlers must be cheap (every slider step).
    void allocationChanged(const precis::Allocation& allocation);
    // The user asked to keep the current allocation under `name` (see budgetJson;
    // assignmentJson() and totalsJson() give the rest of a session record).
    void saveRequested(const QString& name, const QString& budgetJson);
    void solvingChanged(bool solving);
    // The user asked to fit the predictor to measured compressions / to reset it.
    void calibrateRequested();
    void resetScaleRequested();

private:
    void onSliderChanged(int position);
    void onBudgetBoxChanged(double value);
    void onUnitChanged();
    void configureBudgetBox();
    void requery();
    void applyAllocation(Allocation a);
    void scheduleFlush();
    void flush();
    void applyPins(const std::vector<std::pair<int, int>>& pins);
    void rebuildFrontier();
    void frontierReady(std::shared_ptr<const Frontier> frontier);
    void setSolving(bool solving);
    void askSaveName();

    std::shared_ptr<const OptionTable> m_table;
    std::shared_ptr<const Frontier> m_frontier;
    std::vector<UniformPoint> m_uniform;
    std::unique_ptr<LayerBreakdown> m_breakdown;
    std::vector<double> m_cells;  // (groups, kinds) bytes of the current allocation
    Allocation m_allocation;
    bool m_hasAllocation = false;
    FrontierSettings m_settings;
    int64_t m_originalBytes = 0;
    BudgetUnit m_unit = BudgetUnit::PerplexityPercent;
    BudgetScale m_scale;  // of m_frontier and m_unit

    // Re-solves: results of older generations are dropped.
    int m_generation = 0;
    bool m_solving = false;
    std::shared_ptr<CancelToken> m_cancel;
    std::unique_ptr<QThreadPool> m_pool;
    double m_lastBuildMs = 0;

    // The budget change being redrawn: started at valueChanged, read at the end of flush().
    bool m_flushQueued = false;
    qint64 m_changeStartNs = -1;
    Timing m_timing;

    QStackedWidget* m_stack = nullptr;
    QLabel* m_placeholder = nullptr;
    QString m_placeholderText;
    QComboBox* m_unitBox = nullptr;
    QSlider* m_slider = nullptr;
    QDoubleSpinBox* m_budgetBox = nullptr;
    QLabel* m_totals = nullptr;
    QLabel* m_scaleLabel = nullptr;
    QPushButton* m_calibrateButton = nullptr;
    QPushButton* m_resetScaleButton = nullptr;
    double m_damageScale = 1.0;
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
    QUndoStack* m_undo = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QAction* m_unpinAction = nullptr;
};

} // namespace precis::views
