#include "budget_document.h"

#include "core_messages.h"

#include "common/progress.h"
#include "common/threads.h"
#include "model/model.h"
#include "sensitivity/report.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QThread>
#include <QThreadPool>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace precis::app {

namespace {

// Pins and unpins as one undo step: `apply` receives (unit, pin) pairs with
// pin = option index or -1 and re-solves; redo applies `after`, undo `before`.
class PinCommand : public QUndoCommand {
public:
    struct Change {
        int unit = 0;
        int before = -1;
        int after = -1;
    };
    using Apply = std::function<void(const std::vector<std::pair<int, int>>& pins)>;

    PinCommand(std::vector<Change> changes, Apply apply, const QString& text)
        : m_changes(std::move(changes)), m_apply(std::move(apply))
    {
        setText(text);
    }
    void redo() override { apply(true); }
    void undo() override { apply(false); }

private:
    void apply(bool after)
    {
        std::vector<std::pair<int, int>> pins;
        for (const Change& c : m_changes) pins.emplace_back(c.unit, after ? c.after : c.before);
        m_apply(pins);
    }
    std::vector<Change> m_changes;
    Apply m_apply;
};

struct BuildResult {
    std::shared_ptr<const Frontier> frontier;
    QString error;
    double ms = 0;
};

BuildResult build(const std::shared_ptr<const OptionTable>& table, const FrontierSettings& settings,
                  const CancelToken* cancel)
{
    QElapsedTimer t;
    t.start();
    auto f = buildFrontier(*table, settings, cancel);
    BuildResult r;
    r.ms = double(t.nsecsElapsed()) / 1e6;
    if (f.ok()) r.frontier = std::make_shared<const Frontier>(std::move(*f));
    else r.error = translateCoreMessage(f.error().message);
    return r;
}

} // namespace

const std::vector<std::string>& BudgetDocument::uniformSchemes()
{
    static const std::vector<std::string> schemes{"F16", "Q8_0", "Q6_K", "Q5_K", "Q4_K", "Q4_0", "Q3_K", "Q2_K"};
    return schemes;
}

BudgetDocument::BudgetDocument(QObject* parent)
    : QObject(parent), m_undo(new QUndoStack(this)), m_pool(std::make_unique<QThreadPool>())
{
    m_pool->setMaxThreadCount(1);  // oneTBB keeps the cores for the work inside the build
}

BudgetDocument::~BudgetDocument()
{
    if (m_cancel) m_cancel->cancel();
    m_pool->waitForDone();  // a build in flight only touches what it captured
}

void BudgetDocument::setSource(std::shared_ptr<const Model> model,
                               std::shared_ptr<const sensitivity::SensitivityReport> report, int64_t runId)
{
    m_given.reset();
    m_givenFrontier.reset();
    m_model = std::move(model);
    m_report = std::move(report);
    m_runId = runId;
    m_originalBytes = m_model ? int64_t(m_model->fileBytes) : 0;
    if (m_report && m_report->complete) m_spec.runId = runId;
    rebuildTable();
}

void BudgetDocument::setTable(OptionTable table, std::shared_ptr<const Frontier> frontier)
{
    m_model.reset();
    m_report.reset();
    m_originalBytes = 0;
    for (Unit& u : table.units) u.pinned = -1;  // the spec's pins apply
    m_given = std::make_shared<const OptionTable>(std::move(table));
    m_givenFrontier = std::move(frontier);
    rebuildTable();
}

bool BudgetDocument::canRebuild()
{
    if (!m_given) return true;
    emit statusMessage(tr("This table came without its calibration report: its settings cannot change."));
    emit specChanged();  // the view shows the settings the table has
    return false;
}

void BudgetDocument::setSpec(const BudgetSpec& spec)
{
    m_spec = spec;
    if (m_report && m_report->complete) m_spec.runId = m_runId;
    rebuildTable();
}

void BudgetDocument::rebuildTable()
{
    ++m_generation;  // a build still running for the old table is dropped
    if (m_cancel) m_cancel->cancel();
    setSolving(false);
    m_undo->clear();
    m_table.reset();
    m_frontier.reset();
    m_uniform.clear();
    m_hasAllocation = false;
    m_allocation = {};
    m_totals = {};
    m_nativeUnits = 0;
    m_tableError.clear();
    if (!m_given && (!m_model || !m_report || !m_report->complete)) {
        emit tableChanged();
        emit frontierChanged();
        emit allocationChanged();
        return;
    }
    auto built = m_given ? Result<OptionTable>(*m_given) : buildOptionTable(*m_model, *m_report, m_spec.tableSettings());
    if (built && m_given) {
        if (auto valid = validate(*built); !valid.ok()) built = valid.error();
    }
    if (!built) {
        m_tableError = tr("This option table cannot be allocated: %1").arg(translateCoreMessage(built.error().message));
        emit tableChanged();
        emit frontierChanged();
        emit allocationChanged();
        return;
    }
    OptionTable table = std::move(built).value();
    const std::vector<std::string> dropped = precis::applyPins(table, m_spec.pinned);
    if (!dropped.empty()) {
        QStringList list;
        for (const std::string& d : dropped) list << QString::fromStdString(d);
        emit statusMessage(tr("%n pin(s) do not fit this table and were dropped: %1", nullptr, int(dropped.size()))
                               .arg(list.join(QStringLiteral(", "))));
    }
    m_optionBegin.assign(1, 0);
    m_nativeOption.clear();
    for (const Unit& u : table.units) {
        for (const Option& o : u.options) m_nativeOption.push_back(isPrecisNativeScheme(o.scheme));
        m_optionBegin.push_back(m_nativeOption.size());
    }
    m_table = std::make_shared<const OptionTable>(std::move(table));
    setSpecPins();
    m_uniform = uniformPoints(*m_table, uniformSchemes());
    emit tableChanged();
    // A given frontier of exactly this table (no pins applied) is used; another is rebuilt, not trusted.
    if (m_givenFrontier && m_spec.pinned.empty() && m_givenFrontier->unitCount() == m_table->units.size()) {
        ++m_generation;
        frontierReady(m_givenFrontier, 0);
        return;
    }
    rebuildFrontier();
}

void BudgetDocument::setSpecPins() { m_spec.pinned = m_table ? tablePins(*m_table) : decltype(m_spec.pinned){}; }

void BudgetDocument::setSolving(bool solving)
{
    if (m_solving == solving) return;
    m_solving = solving;
    emit solvingChanged(solving);
}

void BudgetDocument::rebuildFrontier()
{
    const int generation = ++m_generation;
    if (m_cancel) m_cancel->cancel();
    m_cancel.reset();
    if (m_table->units.size() < kAsyncUnits) {
        const BuildResult r = build(m_table, m_settings, nullptr);
        if (!r.frontier) {
            emit statusMessage(tr("Could not solve the allocation: %1").arg(r.error));
            return;
        }
        frontierReady(r.frontier, r.ms);
        return;
    }
    // Off the GUI thread; the old frontier keeps answering the slider meanwhile.
    auto cancel = std::make_shared<CancelToken>();
    m_cancel = cancel;
    setSolving(true);
    auto* watcher = new QFutureWatcher<BuildResult>(this);
    connect(watcher, &QFutureWatcher<BuildResult>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation) return;  // a newer pin or table took over
        const BuildResult r = watcher->result();
        setSolving(false);
        if (!r.frontier) {
            emit statusMessage(tr("Could not solve the allocation: %1").arg(r.error));
            return;
        }
        frontierReady(r.frontier, r.ms);
    });
    watcher->setFuture(QtConcurrent::run(m_pool.get(), [table = m_table, settings = m_settings, cancel] {
        // One core stays with the GUI thread, so the slider keeps its frame rate meanwhile.
        const ThreadLimit limit(std::max(1, QThread::idealThreadCount() - 1));
        return build(table, settings, cancel.get());
    }));
}

void BudgetDocument::frontierReady(std::shared_ptr<const Frontier> frontier, double ms)
{
    m_frontier = std::move(frontier);
    m_lastBuildMs = ms;
    emit frontierChanged();
    requery();
}

void BudgetDocument::requery()
{
    if (!m_frontier || !m_table) return;
    m_allocation = solveBudget(*m_frontier, m_spec);
    m_totals = allocationTotals(*m_table, m_allocation, m_originalBytes);
    m_nativeUnits = 0;
    for (size_t u = 0; u < m_allocation.choice.size(); ++u)
        if (m_nativeOption[m_optionBegin[u] + size_t(m_allocation.choice[u])]) ++m_nativeUnits;
    m_hasAllocation = true;
    emit allocationChanged();
}

void BudgetDocument::setBudgetValue(double value) { setBudget(m_spec.kind, value); }

void BudgetDocument::setBudget(BudgetKind kind, double value)
{
    if (!std::isfinite(value) || value < 0) return;
    if (kind == m_spec.kind && value == m_spec.value) return;
    m_spec.kind = kind;
    m_spec.value = value;
    requery();
    emit specChanged();
}

void BudgetDocument::setGranularity(Granularity granularity)
{
    if (granularity == m_spec.granularity) return;
    if (!canRebuild()) return;
    m_spec.granularity = granularity;
    rebuildTable();
    emit specChanged();
}

void BudgetDocument::setMetric(const std::string& metric)
{
    if (metric == m_spec.metric) return;
    if (!canRebuild()) return;
    m_spec.metric = metric;
    rebuildTable();
    emit specChanged();
}

void BudgetDocument::setOptionSet(OptionSet set)
{
    if (set == m_spec.optionSet) return;
    if (!canRebuild()) return;
    m_spec.optionSet = set;
    rebuildTable();
    emit specChanged();
}

void BudgetDocument::setDamageScale(double scale, const QString& note)
{
    scale = scale > 0 && std::isfinite(scale) ? scale : 1.0;
    m_scaleNote = scale == 1.0 ? QString() : note;
    if (scale == m_spec.damageScale) return;
    if (!canRebuild()) return;
    m_spec.damageScale = scale;
    rebuildTable();
    emit specChanged();
}

void BudgetDocument::pinUnit(int unit, int option)
{
    if (!m_table || unit < 0 || unit >= int(m_table->units.size())) return;
    const Unit& u = m_table->units[size_t(unit)];
    if (option < -1 || option >= int(u.options.size()) || option == u.pinned) return;
    const QString name = QString::fromStdString(u.name);
    const QString text = option < 0 ? tr("Unpin %1").arg(name)
                                    : tr("Pin %1 to %2").arg(name, QString::fromStdString(u.options[size_t(option)].scheme));
    m_undo->push(new PinCommand({{unit, u.pinned, option}}, [this](const auto& pins) { applyPins(pins); }, text));
}

void BudgetDocument::unpinUnits(const std::vector<int>& units)
{
    if (!m_table) return;
    std::vector<PinCommand::Change> changes;
    for (int u : units)
        if (u >= 0 && u < int(m_table->units.size()) && m_table->units[size_t(u)].pinned >= 0)
            changes.push_back({u, m_table->units[size_t(u)].pinned, -1});
    if (changes.empty()) return;
    const QString text = changes.size() == 1
                             ? tr("Unpin %1").arg(QString::fromStdString(m_table->units[size_t(changes[0].unit)].name))
                             : tr("Unpin %n units", nullptr, int(changes.size()));
    m_undo->push(new PinCommand(std::move(changes), [this](const auto& pins) { applyPins(pins); }, text));
}

void BudgetDocument::unpinAll()
{
    if (!m_table) return;
    std::vector<int> all(m_table->units.size());
    for (size_t u = 0; u < all.size(); ++u) all[u] = int(u);
    unpinUnits(all);
}

void BudgetDocument::applyPins(const std::vector<std::pair<int, int>>& pins)
{
    auto table = std::make_shared<OptionTable>(*m_table);
    for (auto [unit, pin] : pins) table->units[size_t(unit)].pinned = pin;
    m_table = table;
    setSpecPins();
    emit tableChanged();
    emit specChanged();
    rebuildFrontier();
}

Assignment BudgetDocument::assignment() const
{
    return m_hasAllocation ? allocationAssignment(*m_table, m_allocation) : Assignment{};
}

} // namespace precis::app
