// The Budget tab's document state (DESIGN.md §6, §9): the budget (kind and
// value), the option table's settings (granularity, metric, option set, the
// closed loop's factor), the pins and their undo stack, and what follows from
// them — the option table, its Pareto frontier, the allocation at the budget
// and its totals. BudgetView renders this and sends the user's intents here;
// StudioDocument owns it, feeds it the open model's report, and keeps its
// BudgetSpec in the session so that a reopened session shows the budget as it
// was left.
//
// A budget change only queries the frontier (microseconds): budgetChanged /
// allocationChanged follow synchronously, so the view redraws within the same
// event. A pin or a new table rebuilds the frontier: on the GUI thread for
// tables under kAsyncUnits units, else on a one-thread pool while the old
// frontier keeps answering (isSolving(), solvingChanged).
//
// Threads: GUI thread only.
#pragma once

#include "allocation/option_builder.h"
#include "allocation/option_table.h"
#include "allocation/solver.h"
#include "session/session_allocations.h"

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

class QThreadPool;
class QUndoStack;

namespace precis {
class CancelToken;
class Model;
}
namespace precis::sensitivity {
struct SensitivityReport;
}

namespace precis::app {

class BudgetDocument : public QObject {
    Q_OBJECT
public:
    // Tables with at least this many units re-solve off the GUI thread
    // (buildFrontier takes about 1 ms per 100 units on one core).
    static constexpr size_t kAsyncUnits = 2000;
    // The uniform formats drawn beside the frontier.
    static const std::vector<std::string>& uniformSchemes();

    explicit BudgetDocument(QObject* parent = nullptr);
    ~BudgetDocument() override;

    // The model and its complete calibration report (run `runId`) the table is
    // built from; nullptr clears the table (the spec stays). Rebuilds.
    void setSource(std::shared_ptr<const Model> model, std::shared_ptr<const sensitivity::SensitivityReport> report,
                   int64_t runId);
    // A table built elsewhere (a session's cached option table when its model
    // file is not here; tests): shown with the current spec's budget and pins
    // until setSource gives a model and report again. Its settings cannot be
    // changed (there is nothing to rebuild it from): granularity, metric,
    // option set and factor changes are refused with statusMessage. frontier:
    // one built from exactly this table (pins applied), or nullptr to build it.
    void setTable(OptionTable table, std::shared_ptr<const Frontier> frontier = nullptr);
    // Replaces the whole state (a reopened session's, a loaded allocation's):
    // rebuilds the table when its settings differ, applies the pins, clears the
    // undo stack and re-solves. Pins the table cannot take are reported through
    // statusMessage.
    void setSpec(const BudgetSpec& spec);
    // The state as the session keeps it (pins included).
    const BudgetSpec& spec() const { return m_spec; }
    // Frontier settings for the frontiers built here (tests: DP off, ...).
    void setFrontierSettings(const FrontierSettings& settings) { m_settings = settings; }

    // ---- what the view renders
    bool hasTable() const { return bool(m_table); }
    // Why there is no table ("" before any report).
    const QString& tableError() const { return m_tableError; }
    const std::shared_ptr<const OptionTable>& table() const { return m_table; }
    const std::shared_ptr<const Frontier>& frontier() const { return m_frontier; }
    const std::vector<UniformPoint>& uniform() const { return m_uniform; }
    bool hasAllocation() const { return m_hasAllocation; }
    const Allocation& allocation() const { return m_allocation; }
    const AllocationTotals& totals() const { return m_totals; }
    // Units whose chosen option no GGUF file stores as it is (RTN).
    int nativeUnits() const { return m_nativeUnits; }
    bool isSolving() const { return m_solving; }
    int64_t originalBytes() const { return m_originalBytes; }
    const std::shared_ptr<const Model>& model() const { return m_model; }
    QUndoStack* undoStack() const { return m_undo; }
    double lastBuildMs() const { return m_lastBuildMs; }
    // How the closed loop's factor was fitted (a tooltip), "" at factor 1.
    const QString& damageScaleNote() const { return m_scaleNote; }

    // ---- intents (BudgetView's signals)
    // A new budget number in the current kind, or a new kind with its number
    // (the view converts the current allocation into the new unit).
    void setBudgetValue(double value);
    void setBudget(BudgetKind kind, double value);
    void setGranularity(Granularity granularity);
    void setMetric(const std::string& metric);
    void setOptionSet(OptionSet set);
    // The closed loop's factor on every predicted damage (rebuilds the table).
    void setDamageScale(double scale, const QString& note = {});
    // Pins unit `unit` to option `option` (-1: unpins), one undo step.
    void pinUnit(int unit, int option);
    void unpinUnits(const std::vector<int>& units);  // one undo step; units not pinned are skipped
    void unpinAll();

    // The allocation as a session record (its assignment in table order).
    Assignment assignment() const;

signals:
    // The table was replaced or cleared (a new report or settings), or its pins changed.
    void tableChanged();
    // The frontier (and the uniform points) were replaced or cleared.
    void frontierChanged();
    // After every budget change or re-solve (cheap handlers: every slider step).
    void allocationChanged();
    void solvingChanged(bool solving);
    // Anything spec() holds changed (the session stores it).
    void specChanged();
    void statusMessage(const QString& message);

private:
    void rebuildTable();
    void applyPins(const std::vector<std::pair<int, int>>& pins);
    void rebuildFrontier();
    void frontierReady(std::shared_ptr<const Frontier> frontier, double ms);
    void requery();
    void setSolving(bool solving);
    void setSpecPins();
    // false (with statusMessage) when the table came from setTable.
    bool canRebuild();

    BudgetSpec m_spec;
    std::shared_ptr<const Model> m_model;
    std::shared_ptr<const sensitivity::SensitivityReport> m_report;
    std::shared_ptr<const OptionTable> m_given;  // setTable's, without pins
    std::shared_ptr<const Frontier> m_givenFrontier;
    int64_t m_runId = 0;
    int64_t m_originalBytes = 0;
    FrontierSettings m_settings;
    std::shared_ptr<const OptionTable> m_table;
    std::shared_ptr<const Frontier> m_frontier;
    std::vector<UniformPoint> m_uniform;
    QString m_tableError;
    Allocation m_allocation;
    AllocationTotals m_totals;
    bool m_hasAllocation = false;
    int m_nativeUnits = 0;
    std::vector<bool> m_nativeOption;  // per (unit, option) flattened: not a GGUF type
    std::vector<size_t> m_optionBegin;
    QString m_scaleNote;
    QUndoStack* m_undo = nullptr;

    // Re-solves: results of older generations are dropped.
    int m_generation = 0;
    bool m_solving = false;
    std::shared_ptr<CancelToken> m_cancel;
    std::unique_ptr<QThreadPool> m_pool;
    double m_lastBuildMs = 0;
};

} // namespace precis::app
