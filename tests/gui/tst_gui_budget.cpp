// Budget tab, offscreen: the view bound to its document (app/budget_document.h)
// as the window binds them. Every budget the slider, the keys or the number box
// set gives exactly the frontier's answer for the number shown (minBytes for a
// Δppl budget, minDamage for a size), held by the document; totals, bars, the
// marker and the unit table show that allocation; uniform formats are on the
// plot; pins through the table re-solve, against a frontier built
// independently with the same pin, and undo/redo live in the document; save
// requests carry the name, the document the budget. A 10 000-unit table prints
// the time from a slider step to the end of the redraw (figures, not
// assertions) and re-solves pins in the background. With PRECIS_BUDGET_SESSION
// set to a session of the bundled sample model (precis-cli analyze), also
// writes a screenshot (PRECIS_BUDGET_SCREENSHOT, default /tmp/precis_budget.png).
#include "budget_binding.h"
#include "budget_document.h"
#include "budget_plots.h"
#include "budget_unit_model.h"
#include "budget_view.h"

#include "allocation/option_builder.h"
#include "allocation/solver.h"
#include "formats/model_loader.h"
#include "sensitivity/report_store.h"
#include "session/session_store.h"
#include "test_support.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSlider>
#include <QPushButton>
#include <QTableView>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <random>

using namespace precis;
using app::BudgetDocument;
using views::BudgetUnitModel;
using views::BudgetView;

namespace {

constexpr int kWaitMs = 60000;  // safety limit for a background re-solve, not a timing assertion

// Bytes per weight of the test options (GGUF block sizes: F16 2, Q8_0 34/32, Q4_K 144/256, Q2_K 84/256).
struct TestOption {
    const char* scheme;
    double bytesPerWeight;
    double damagePerUnit;  // × the unit's sensitivity
};
const TestOption kOptions[] = {{"F16", 2.0, 0.0}, {"Q8_0", 34.0 / 32, 2e-6}, {"Q4_K", 144.0 / 256, 1e-4}, {"Q2_K", 84.0 / 256, 2e-3}};

Unit makeUnit(const std::string& name, int layer, const std::string& kind, int64_t weights, double sensitivity)
{
    Unit u{name, name, layer, kind, weights, {}, -1};
    for (const TestOption& o : kOptions)
        u.options.push_back({o.scheme, int64_t(std::ceil(double(weights) * o.bytesPerWeight)), o.damagePerUnit * sensitivity,
                             1.3 * o.damagePerUnit * sensitivity});  // a KL estimate on every option
    return u;
}

// A small Llama: 4 layers × q k v o gate up down, embeddings and output head;
// sensitivities seeded, the first and last layers more sensitive.
OptionTable smallTable()
{
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> jitter(0.5, 2.0);
    const int64_t E = 256, F = 688, KV = 64, V = 1000;
    OptionTable t;
    t.fixedBytes = 4 * 2 * E * 4 + E * 4;  // norms in f32
    t.fixedWeights = 4 * 2 * E + E;
    t.units.push_back(makeUnit("token_embd.weight", -1, "embd", V * E, 0.5 * jitter(rng)));
    const std::pair<const char*, int64_t> kinds[] = {{"attn_q", E * E}, {"attn_k", E * KV}, {"attn_v", E * KV},
                                                     {"attn_output", E * E}, {"ffn_gate", E * F}, {"ffn_up", E * F},
                                                     {"ffn_down", F * E}};
    const char* shortKind[] = {"q", "k", "v", "o", "gate", "up", "down"};
    for (int l = 0; l < 4; ++l)
        for (int k = 0; k < 7; ++k) {
            const double edge = (l == 0 || l == 3) ? 2.0 : 1.0;
            t.units.push_back(makeUnit("blk." + std::to_string(l) + "." + kinds[k].first + ".weight", l, shortKind[k],
                                       kinds[k].second, edge * jitter(rng)));
        }
    t.units.push_back(makeUnit("output.weight", -1, "output", V * E, 3.0 * jitter(rng)));
    return t;
}

// 10 000 units with 12 options each: 100 layers × (95 head units + k v gate up down)
// plus embeddings and output head; bytes and damage seeded.
OptionTable largeTable()
{
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> jitter(0.3, 3.0);
    const double bpw[] = {16, 8.5, 6.5625, 5.5, 5.0, 4.5, 4.5, 3.4375, 3.0, 2.625, 2.25, 2.0};
    const double dmg[] = {0, 1e-7, 1e-6, 4e-6, 6e-6, 1.2e-5, 1.6e-5, 5e-5, 9e-5, 2e-4, 4e-4, 9e-4};
    auto unit = [&](const std::string& name, int layer, const std::string& kind, int64_t weights) {
        Unit u{name, name, layer, kind, weights, {}, -1};
        const double s = jitter(rng);
        for (int o = 0; o < 12; ++o)
            u.options.push_back({"S" + std::to_string(o), int64_t(std::ceil(double(weights) * bpw[o] / 8)), dmg[o] * s * jitter(rng)});
        return u;
    };
    OptionTable t;
    t.units.push_back(unit("token_embd.weight", -1, "embd", 32000 * 4096));
    for (int l = 0; l < 100; ++l) {
        const std::string b = "blk." + std::to_string(l);
        for (int h = 0; h < 95; ++h) t.units.push_back(unit(b + ".head." + std::to_string(h), l, "head", 4 * 128 * 4096));
        for (const char* k : {"k", "v"}) t.units.push_back(unit(b + ".attn_" + k + ".weight", l, k, 1024 * 4096));
        for (const char* k : {"gate", "up", "down"}) t.units.push_back(unit(b + ".ffn_" + k + ".weight", l, k, 14336 * 4096));
    }
    t.units.push_back(unit("output.weight", -1, "output", 32000 * 4096));
    return t;
}

bool sameAllocation(const Allocation& a, const Allocation& b)
{
    return a.choice == b.choice && a.bytes == b.bytes && a.damage == b.damage && a.feasible == b.feasible;
}

// The Budget tab as the window has it: a document and the view bound to it.
struct Tab {
    BudgetDocument doc;
    BudgetView v;
    Tab() { app::bindBudgetView(&doc, &v); }
};

// What the view must show for the number in its box (computed here, from the frontier).
Allocation expected(const BudgetView& v, const Frontier& f)
{
    const double value = v.budgetBox()->value();
    switch (v.budgetKind()) {
    case BudgetKind::PplPercent: return f.minBytes(damageBudgetForPerplexityIncrease(value));
    case BudgetKind::Megabytes: return f.minDamage(int64_t(std::llround(value * 1e6)));
    case BudgetKind::BitsPerWeight: return f.minDamage(byteBudgetForBitsPerWeight(f.totalWeights(), value));
    }
    return {};
}

// Σ of every bar segment, in bytes (the chart in size mode).
double barBytes(BudgetView& v)
{
    v.barModeBox()->setCurrentIndex(v.barModeBox()->findData(int(views::LayerBitsPlot::Mode::Bytes)));
    double sum = 0;
    for (QCPBars* b : v.layerPlot()->bars())
        for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it) sum += it->value;
    sum *= v.layerPlot()->byteScale();
    v.barModeBox()->setCurrentIndex(v.barModeBox()->findData(int(views::LayerBitsPlot::Mode::BitsPerWeight)));
    return sum;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

double percentile99(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, size_t(std::ceil(0.99 * double(v.size()))) - 1)];
}

} // namespace

class TestGuiBudget : public QObject {
    Q_OBJECT

    // Everything shown agrees with the document's allocation and the frontier's answer for the number shown.
    void checkShown(Tab& tab, const OptionTable& t)
    {
        BudgetView& v = tab.v;
        QVERIFY(v.hasAllocation());
        QVERIFY(tab.doc.hasAllocation());
        const Allocation& a = v.allocation();
        QVERIFY(sameAllocation(a, tab.doc.allocation()));
        QCOMPARE(tab.doc.spec().value, v.budgetBox()->value());
        QCOMPARE(tab.doc.spec().kind, v.budgetKind());
        QVERIFY2(sameAllocation(a, expected(v, *tab.doc.frontier())),
                 qPrintable(QStringLiteral("budget %1 in unit %2").arg(v.budgetBox()->value()).arg(int(v.budgetKind()))));
        // Totals.
        const QString totals = v.totalsLabel()->text();
        QVERIFY2(totals.contains(QString::number(a.bitsPerWeight, 'f', 3)), qPrintable(totals));
        QVERIFY2(totals.contains(QStringLiteral("+%1 %").arg(perplexityIncreaseForDamage(a.damage), 0, 'f', 3)), qPrintable(totals));
        // The predicted KL: Σ of the chosen options' estimates, shown when every one has one.
        double kl = 0;
        for (size_t u = 0; u < t.units.size(); ++u) kl += t.units[u].options[size_t(a.choice[u])].kl;
        QCOMPARE(tab.doc.totals().hasKl(), std::isfinite(kl));
        QCOMPARE(totals.contains(QStringLiteral("predicted KL")), std::isfinite(kl));
        if (std::isfinite(kl)) QVERIFY2(totals.contains(QString::number(kl, 'e', 2)), qPrintable(totals));
        QVERIFY2(totals.contains(QLocale().formattedDataSize(a.bytes, 2, QLocale::DataSizeIecFormat)), qPrintable(totals));
        // Bars: every unit's bytes, fixed bytes aside.
        const double bars = barBytes(v);
        QVERIFY2(std::abs(bars + double(t.fixedBytes) - double(a.bytes)) <= 1e-9 * double(a.bytes),
                 qPrintable(QStringLiteral("bars %1 + fixed %2 vs %3").arg(bars).arg(t.fixedBytes).arg(a.bytes)));
        // The marker.
        QCOMPARE(v.frontierPlot()->currentGraph()->dataCount(), 1);
        QCOMPARE(v.frontierPlot()->currentGraph()->data()->constBegin()->key, v.frontierPlot()->xOf(a.bytes));
        // The table's chosen options.
        BudgetUnitModel* m = v.unitModel();
        for (int r = 0; r < m->rowCount(); r += std::max(1, m->rowCount() / 50)) {
            const Option& o = t.units[size_t(r)].options[size_t(a.choice[size_t(r)])];
            QCOMPARE(m->data(m->index(r, BudgetUnitModel::OptionColumn), BudgetUnitModel::RawRole).toInt(),
                     a.choice[size_t(r)]);
            QCOMPARE(m->data(m->index(r, BudgetUnitModel::OptionColumn)).toString(), QString::fromStdString(o.scheme));
            QCOMPARE(m->data(m->index(r, BudgetUnitModel::BytesColumn), BudgetUnitModel::RawRole).toLongLong(), qlonglong(o.bytes));
        }
    }

private slots:
    void sliderAndKeysQueryTheFrontier()
    {
        const OptionTable t = smallTable();
        Tab tab;
        BudgetView& v = tab.v;
        v.resize(700, 900);
        v.show();
        QSignalSpy changed(&tab.doc, &BudgetDocument::allocationChanged);
        tab.doc.setTable(t);
        QVERIFY(tab.doc.frontier());
        QCOMPARE(v.budgetKind(), BudgetKind::PplPercent);
        QCOMPARE(v.budgetBox()->value(), 1.0);  // the first budget: +1 % perplexity
        checkShown(tab, t);
        QVERIFY(changed.count() >= 1);
        QVERIFY(v.allocation().damage <= damageBudgetForPerplexityIncrease(1.0));
        const Frontier& f = *tab.doc.frontier();

        // Slider positions: the ends are the frontier's ends.
        for (int p : {0, 1, 137, 500, 873, 999, BudgetView::kSliderSteps}) {
            v.slider()->setValue(p);
            checkShown(tab, t);
        }
        QCOMPARE(v.allocation().point, f.points().size() - 1);  // the smallest assignment
        v.slider()->setValue(0);
        QCOMPARE(v.allocation().damage, f.points().front().damage);
        // Log spacing: a quarter of the way up is far below a quarter of the damage range.
        v.slider()->setValue(BudgetView::kSliderSteps / 4);
        const double quarter = damageBudgetForPerplexityIncrease(v.budgetBox()->value());
        QVERIFY(quarter < 0.05 * f.points().back().damage);

        // Keys.
        v.slider()->setFocus();
        v.slider()->setValue(300);
        QTest::keyClick(v.slider(), Qt::Key_Right);
        QCOMPARE(v.slider()->value(), 301);
        checkShown(tab, t);
        QTest::keyClick(v.slider(), Qt::Key_PageUp);
        QCOMPARE(v.slider()->value(), 301 + v.slider()->pageStep());
        checkShown(tab, t);
        const double before = v.budgetBox()->value();
        QTest::keyClick(v.slider(), Qt::Key_Left);
        QVERIFY(v.budgetBox()->value() < before);
        checkShown(tab, t);

        // The uniform formats, labelled, on the same axes.
        const std::vector<UniformPoint> uniform = uniformPoints(t, {"F16", "Q8_0", "Q6_K", "Q5_K", "Q4_K", "Q4_0", "Q3_K", "Q2_K"});
        QCOMPARE(int(uniform.size()), 4);  // the table offers F16, Q8_0, Q4_K, Q2_K
        QCOMPARE(v.frontierPlot()->uniformGraph()->dataCount(), 4);
        QCOMPARE(v.frontierPlot()->uniformSchemes(), (QStringList{"F16", "Q8_0", "Q4_K", "Q2_K"}));
        QCOMPARE(v.frontierPlot()->uniformLabels().size(), 4);
        QCOMPARE(v.frontierPlot()->uniformLabels()[2]->text(), QStringLiteral("Q4_K"));
        QCOMPARE(v.frontierPlot()->uniformLabels()[2]->position->key(), double(uniform[2].bytes) / 1e6);
        // The frontier dominates every uniform point: at the uniform size it is no worse
        // (up to the rounding of the uniform point's plain sum of damages).
        for (const UniformPoint& u : uniform)
            QVERIFY(f.minDamage(u.bytes).damage <= u.damage * (1 + 1e-12));
        QCOMPARE(v.frontierPlot()->frontierGraph()->dataCount(), int(f.points().size()));
    }

    void sizeUnitsAndTypedBudgets()
    {
        const OptionTable t = smallTable();
        Tab tab;
        BudgetView& v = tab.v;
        v.show();
        tab.doc.setTable(t);
        v.slider()->setValue(600);
        const Allocation inPpl = v.allocation();
        const Frontier& f = *tab.doc.frontier();

        // The same allocation said in MB, then in bits/weight (the view's unit box, as a user picks it).
        v.unitBox()->setCurrentIndex(v.unitBox()->findData(int(BudgetKind::Megabytes)));
        QCOMPARE(tab.doc.spec().kind, BudgetKind::Megabytes);
        QVERIFY(v.budgetBox()->value() * 1e6 >= double(inPpl.bytes));
        checkShown(tab, t);
        QVERIFY(v.allocation().bytes <= int64_t(std::llround(v.budgetBox()->value() * 1e6)));
        QVERIFY(v.allocation().damage <= inPpl.damage);  // least damage within that size
        QCOMPARE(v.frontierPlot()->sizeAxis(), views::FrontierPlot::SizeAxis::Megabytes);

        v.unitBox()->setCurrentIndex(v.unitBox()->findData(int(BudgetKind::BitsPerWeight)));
        QCOMPARE(v.frontierPlot()->sizeAxis(), views::FrontierPlot::SizeAxis::BitsPerWeight);
        checkShown(tab, t);
        for (int p : {0, 250, 750, BudgetView::kSliderSteps}) {
            v.slider()->setValue(p);
            checkShown(tab, t);
        }
        QCOMPARE(v.allocation().bytes, f.points().front().bytes);  // all the way right: the largest point

        // A typed number moves the slider and solves for exactly that number.
        v.budgetBox()->setValue(4.0);
        checkShown(tab, t);
        QVERIFY(v.allocation().bitsPerWeight <= 4.0);
        const int at4 = v.slider()->value();
        v.budgetBox()->setValue(6.0);
        QVERIFY(v.slider()->value() > at4);

        // Below the smallest assignment: the nearest one, and a note.
        v.unitBox()->setCurrentIndex(v.unitBox()->findData(int(BudgetKind::Megabytes)));
        v.budgetBox()->setValue(0.01);
        QVERIFY(!v.allocation().feasible);
        QCOMPARE(v.allocation().bytes, f.points().back().bytes);
        QVERIFY(v.statusLabel()->isVisible());
        QVERIFY(!v.statusLabel()->text().isEmpty());
        v.slider()->setValue(500);
        QVERIFY(v.allocation().feasible);
        QVERIFY(!v.statusLabel()->isVisible());

        // The document changes the budget (a reopened session): the view follows.
        BudgetSpec spec = tab.doc.spec();
        spec.kind = BudgetKind::PplPercent;
        spec.value = 2.5;
        tab.doc.setSpec(spec);
        QCOMPARE(v.budgetKind(), BudgetKind::PplPercent);
        QCOMPARE(v.budgetBox()->value(), 2.5);
        checkShown(tab, t);
    }

    void pinsUndoAndRedo()
    {
        const OptionTable t = smallTable();
        Tab tab;
        BudgetView& v = tab.v;
        QUndoStack* undo = tab.doc.undoStack();
        v.show();
        tab.doc.setTable(t);
        v.budgetBox()->setValue(1.0);
        const Allocation free = v.allocation();
        // A unit the solver did not keep at F16: pin it there through the table.
        int unit = -1;
        for (size_t u = 1; u < t.units.size() && unit < 0; ++u)
            if (free.choice[u] != 0) unit = int(u);
        QVERIFY(unit >= 0);
        BudgetUnitModel* m = v.unitModel();
        const QModelIndex cell = m->index(unit, BudgetUnitModel::OptionColumn);
        QVERIFY(m->flags(cell) & Qt::ItemIsEditable);
        QCOMPARE(m->data(cell, BudgetUnitModel::OptionLabelsRole).toStringList().size(), 4);
        QVERIFY(m->setData(cell, 0, Qt::EditRole));

        QCOMPARE(tab.doc.table()->units[size_t(unit)].pinned, 0);
        QCOMPARE(v.table()->units[size_t(unit)].pinned, 0);
        QCOMPARE(v.allocation().choice[size_t(unit)], 0);
        QCOMPARE(m->data(m->index(unit, BudgetUnitModel::PinnedColumn), Qt::CheckStateRole).toInt(), int(Qt::Checked));
        // The document's spec keeps the pin by name (what the session stores).
        QVERIFY(tab.doc.spec().pinned ==
                (std::vector<std::pair<std::string, std::string>>{{t.units[size_t(unit)].name, "F16"}}));
        // Exactly what a frontier built from the pinned table answers.
        OptionTable pinned = t;
        pinned.units[size_t(unit)].pinned = 0;
        auto reference = buildFrontier(pinned);
        QVERIFY(reference.ok());
        QVERIFY(sameAllocation(v.allocation(), reference->minBytes(damageBudgetForPerplexityIncrease(1.0))));
        QVERIFY(v.allocation().damage <= damageBudgetForPerplexityIncrease(1.0));
        QVERIFY(v.allocation().bytes > free.bytes);  // F16 costs room elsewhere
        checkShown(tab, pinned);
        QCOMPARE(undo->count(), 1);
        QVERIFY(undo->canUndo());
        QVERIFY(undo->undoText().contains(QString::fromStdString(t.units[size_t(unit)].name)));

        undo->undo();
        QCOMPARE(v.table()->units[size_t(unit)].pinned, -1);
        QVERIFY(sameAllocation(v.allocation(), free));
        QVERIFY(tab.doc.spec().pinned.empty());
        QVERIFY(undo->canRedo());
        undo->redo();
        QCOMPARE(v.table()->units[size_t(unit)].pinned, 0);
        QCOMPARE(v.allocation().choice[size_t(unit)], 0);

        // Pin by scheme name, then a second unit; the pins column unpins one.
        QVERIFY(m->setData(m->index(0, BudgetUnitModel::OptionColumn), QStringLiteral("Q2_K"), Qt::EditRole));
        QCOMPARE(v.allocation().choice[0], 3);
        QVERIFY(!m->setData(m->index(0, BudgetUnitModel::OptionColumn), QStringLiteral("Q9_X"), Qt::EditRole));
        QVERIFY(m->setData(m->index(unit, BudgetUnitModel::PinnedColumn), Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(v.table()->units[size_t(unit)].pinned, -1);
        QCOMPARE(undo->count(), 3);
        // Unpin all is one step; undo brings back the one pin left.
        QTest::mouseClick(v.findChild<QPushButton*>(QStringLiteral("BudgetUnpinAllButton")), Qt::LeftButton);
        QCOMPARE(v.table()->units[0].pinned, -1);
        QCOMPARE(undo->count(), 4);
        undo->undo();
        QCOMPARE(v.table()->units[0].pinned, 3);
        // The budget kept by the document lists the pins.
        const QJsonObject budget = QJsonDocument::fromJson(QByteArray::fromStdString(budgetJson(tab.doc.spec()))).object();
        QCOMPARE(budget.value("pinned").toObject().value("token_embd.weight").toString(), QStringLiteral("Q2_K"));
        // The option column's editor: a combo over the unit's options; picking one pins.
        const QModelIndex down = m->index(7, BudgetUnitModel::OptionColumn);
        v.unitTable()->edit(down);
        auto* combo = v.unitTable()->viewport()->findChild<QComboBox*>();
        QVERIFY(combo);
        QCOMPARE(combo->count(), 4);
        QCOMPARE(combo->currentIndex(), v.allocation().choice[7]);
        const int pick = (v.allocation().choice[7] + 1) % 4;
        combo->setCurrentIndex(pick);
        emit combo->activated(pick);
        QCOMPARE(v.table()->units[7].pinned, pick);
        QCOMPARE(v.allocation().choice[7], pick);
        // Unpin through the action on the selected row.
        v.unitTable()->selectRow(7);
        v.unpinAction()->trigger();
        QCOMPARE(v.table()->units[7].pinned, -1);
        QCOMPARE(v.table()->units[0].pinned, 3);  // not selected: kept

        // A new table starts a new history; the pins it can take stay (by name).
        tab.doc.setTable(t);
        QCOMPARE(undo->count(), 0);
        QCOMPARE(tab.doc.table()->units[0].pinned, 3);
    }

    void saveRequest()
    {
        const OptionTable t = smallTable();
        Tab tab;
        BudgetView& v = tab.v;
        tab.doc.setTable(t);
        v.budgetBox()->setValue(0.5);
        QSignalSpy save(&v, &BudgetView::saveRequested);
        v.requestSave(QStringLiteral("  "));
        QCOMPARE(save.count(), 0);
        v.requestSave(QStringLiteral("half a percent"));
        QCOMPARE(save.count(), 1);
        QCOMPARE(save[0][0].toString(), QStringLiteral("half a percent"));
        // What a save stores comes from the document.
        const BudgetSpec& spec = tab.doc.spec();
        QCOMPARE(spec.kind, BudgetKind::PplPercent);
        QCOMPARE(spec.value, 0.5);
        QVERIFY(spec.pinned.empty());
        QCOMPARE(tab.doc.totals().bytes, v.allocation().bytes);
        QCOMPARE(tab.doc.totals().predictedDamage, v.allocation().damage);
        QVERIFY(tab.doc.assignment() == allocationAssignment(t, v.allocation()));
    }

    void tableSettingsSelectors()
    {
        // The selectors ask the document; a document that was handed a table cannot rebuild it and says so.
        Tab tab;
        BudgetView& v = tab.v;
        tab.doc.setTable(smallTable());
        QSignalSpy granularity(&v, &BudgetView::granularityRequested);
        QSignalSpy metric(&v, &BudgetView::metricRequested);
        QSignalSpy optionSet(&v, &BudgetView::optionSetRequested);
        QCOMPARE(v.granularityBox()->currentData().toInt(), int(Granularity::Tensor));
        QVERIFY(!v.nativeBox()->isChecked());  // GGUF types by default
        v.granularityBox()->setCurrentIndex(v.granularityBox()->findData(int(Granularity::Layer)));
        emit v.granularityBox()->activated(v.granularityBox()->currentIndex());
        QCOMPARE(granularity.count(), 1);
        QCOMPARE(granularity[0][0].value<Granularity>(), Granularity::Layer);
        QCOMPARE(tab.doc.spec().granularity, Granularity::Tensor);  // refused: no report to rebuild from
        QCOMPARE(v.granularityBox()->currentData().toInt(), int(Granularity::Tensor));  // the view shows the document's
        QVERIFY(v.statusLabel()->text().contains(QStringLiteral("cannot change")));
        v.metricBox()->setCurrentIndex(1);
        emit v.metricBox()->activated(1);
        QCOMPARE(metric.count(), 1);
        QCOMPARE(metric[0][0].toString(), QStringLiteral("fisher"));
        v.nativeBox()->click();
        QCOMPARE(optionSet.count(), 1);
        QCOMPARE(optionSet[0][0].value<OptionSet>(), OptionSet::All);
        QVERIFY(!v.nativeBox()->isChecked());
    }

    void badTablesAndEdgeCases()
    {
        Tab tab;
        BudgetView& v = tab.v;
        v.show();
        QVERIFY(!v.hasTable());
        // A table the core rejects: the placeholder names the unit, nothing is solved.
        OptionTable bad = smallTable();
        bad.units[3].options[1].bytes = 0;
        tab.doc.setTable(bad);
        QVERIFY(!v.hasTable());
        QVERIFY(!v.hasAllocation());
        bool named = false;
        for (QLabel* l : v.findChildren<QLabel*>())
            named = named || (l->isVisible() && l->text().contains(QString::fromStdString(bad.units[3].name)));
        QVERIFY(named);
        v.slider()->setValue(10);  // nothing to solve: no crash, no allocation
        QVERIFY(!v.hasAllocation());
        v.requestSave(QStringLiteral("x"));

        // A frontier of another table is not trusted: rebuilt from this one.
        const OptionTable t = smallTable();
        OptionTable other = t;
        other.units.pop_back();
        auto wrong = std::make_shared<const Frontier>(*buildFrontier(other));
        tab.doc.setTable(t, wrong);
        QVERIFY(v.hasTable());
        QVERIFY(tab.doc.frontier() && tab.doc.frontier() != wrong);
        QCOMPARE(tab.doc.frontier()->unitCount(), t.units.size());
        checkShown(tab, t);

        // One unit with one option: a single point, every slider position gives it.
        OptionTable one;
        one.units.push_back(Unit{"w", "w", 0, "q", 64, {{"Q8_0", 68, 0.25}}, -1});
        tab.doc.setTable(one);
        QVERIFY(!v.allocation().feasible);  // the budget kept from before (+1 %) is below the only point
        QCOMPARE(v.allocation().bytes, int64_t(68));
        for (int p : {500, 0, BudgetView::kSliderSteps}) {
            v.slider()->setValue(p);
            QCOMPARE(v.allocation().bytes, int64_t(68));
            QVERIFY(v.allocation().feasible);
        }
        QCOMPARE(v.layerPlot()->groupCount(), 1);
        QCOMPARE(v.layerPlot()->stackHeight(0), 8.0 * 68 / 64);

        tab.doc.setSource(nullptr, nullptr, 0);
        QVERIFY(!v.hasTable());
        QVERIFY(!v.hasAllocation());
    }

    void largeTableTiming()
    {
        const OptionTable t = largeTable();
        QCOMPARE(int(t.units.size()), 10002);
        QElapsedTimer clock;
        clock.start();
        auto built = buildFrontier(t);
        QVERIFY(built.ok());
        const double buildMs = double(clock.nsecsElapsed()) / 1e6;
        auto frontier = std::make_shared<const Frontier>(std::move(*built));

        Tab tab;
        BudgetView& v = tab.v;
        v.resize(700, 1000);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        tab.doc.setTable(t, frontier);
        QVERIFY(tab.doc.frontier() == frontier);  // the frontier of exactly this table is used
        QCoreApplication::processEvents();
        checkShown(tab, t);

        // 50 slider steps spread over the range, as a drag would make them.
        std::vector<double> response, replot, overlay, wall, paint;
        for (int i = 1; i <= 50; ++i) {
            const int p = (i * 397) % (BudgetView::kSliderSteps + 1);
            clock.restart();
            v.slider()->setValue(p);
            QCoreApplication::processEvents();  // the queued redraw and the table's repaint
            wall.push_back(double(clock.nsecsElapsed()) / 1e6);
            const BudgetView::Timing tm = v.lastTiming();
            response.push_back(tm.responseMs);
            replot.push_back(tm.replotMs);
            overlay.push_back(tm.overlayMs);
            QVERIFY(sameAllocation(v.allocation(), expected(v, *frontier)));
            if (i % 5 == 0) {  // a full synchronous repaint of the whole tab: an upper bound of the paint pass
                clock.restart();
                v.repaint();
                paint.push_back(double(clock.nsecsElapsed()) / 1e6);
            }
        }
        checkShown(tab, t);
        qInfo("10 002 units × 12 options, frontier of %zu points built in %.1f ms",
              frontier->points().size(), buildMs);
        qInfo("slider step → end of redraw: median %.2f ms, p99 %.2f ms (incl. the paint event: median %.2f ms, p99 %.2f ms)",
              median(response), percentile99(response), median(wall), percentile99(wall));
        qInfo("  of which per-layer chart replot (replotTime) %.2f ms, frontier overlay %.2f ms", median(replot),
              median(overlay));
        qInfo("  a full repaint of the tab (every widget, not only what changed): median %.2f ms", median(paint));

        // Where the synchronous re-solve stops: kAsyncUnits units of the same kind.
        OptionTable part = t;
        part.units.resize(BudgetDocument::kAsyncUnits);
        clock.restart();
        QVERIFY(buildFrontier(part).ok());
        qInfo("frontier of %zu units: %.1f ms (above this, pins re-solve in the background)", part.units.size(),
              double(clock.nsecsElapsed()) / 1e6);

        // A pin re-solves in the background; the old frontier answers meanwhile.
        QSignalSpy solving(&tab.doc, &BudgetDocument::solvingChanged);
        clock.restart();
        tab.doc.pinUnit(5, 0);
        const double pushMs = double(clock.nsecsElapsed()) / 1e6;
        QVERIFY(tab.doc.isSolving());
        QCOMPARE(v.table()->units[5].pinned, 0);
        QVERIFY(!v.saveButton()->isEnabled());  // the allocation shown lacks the new pin
        // Slider steps while the re-solve runs: the old frontier answers.
        std::vector<double> during;
        for (int p = 100; tab.doc.isSolving() && p < BudgetView::kSliderSteps; p += 37) {
            clock.restart();
            v.slider()->setValue(p);
            QCoreApplication::processEvents();
            during.push_back(double(clock.nsecsElapsed()) / 1e6);
        }
        QTRY_VERIFY_WITH_TIMEOUT(!tab.doc.isSolving(), kWaitMs);
        QCOMPARE(solving.count(), 2);
        QVERIFY(v.saveButton()->isEnabled());
        QCOMPARE(v.allocation().choice[5], 0);
        OptionTable pinned = t;
        pinned.units[5].pinned = 0;
        QCOMPARE(tab.doc.frontier()->points().size(), buildFrontier(pinned)->points().size());
        QVERIFY(sameAllocation(v.allocation(), expected(v, *tab.doc.frontier())));
        qInfo("pin: GUI thread busy %.1f ms, background re-solve %.1f ms, %zu slider steps meanwhile: median %.2f ms",
              pushMs, tab.doc.lastBuildMs(), during.size(), median(during));
        tab.doc.undoStack()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(!tab.doc.isSolving(), kWaitMs);
        QCOMPARE(v.table()->units[5].pinned, -1);
        QVERIFY(sameAllocation(v.allocation(), expected(v, *frontier)));
    }

    // The bundled sample model's real option table, for a look (skipped without a session).
    void sampleModelScreenshot()
    {
        const QString db = qEnvironmentVariable("PRECIS_BUDGET_SESSION");
        if (db.isEmpty() || !QFileInfo::exists(db))
            QSKIP("set PRECIS_BUDGET_SESSION to a session of resources/sample/model.gguf (precis-cli analyze)");
        auto store = SessionStore::open(db.toStdString());
        QVERIFY(store.ok());
        auto sessions = store->sessions();
        QVERIFY(sessions.ok() && !sessions->empty());
        const SessionInfo& s = sessions->front();
        auto run = store->latestRun(s.id);
        QVERIFY(run.ok() && *run);
        auto report = sensitivity::loadReport(*store, (*run)->id);
        QVERIFY(report.ok());
        // analyze records the path as given (relative to where it ran: the checkout).
        QString path = QString::fromStdString(s.model.path);
        if (QFileInfo(path).isRelative() && !QFileInfo::exists(path)) path = QStringLiteral(PRECIS_SOURCE_DIR "/") + path;
        auto model = loadModel(path.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message.c_str());
        auto table = buildOptionTable(**model, *report);
        QVERIFY(table.ok());

        Tab tab;
        BudgetView& v = tab.v;
        v.resize(560, 980);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        std::shared_ptr<const Model> shared = std::move(model).value();
        tab.doc.setSource(shared, std::make_shared<const sensitivity::SensitivityReport>(*report), (*run)->id);
        v.budgetBox()->setValue(1.0);
        checkShown(tab, *table);
        QCOMPARE(v.allocation().bytes, buildFrontier(*table)->minBytes(damageBudgetForPerplexityIncrease(1.0)).bytes);
        v.flushNow();
        v.frontierPlot()->replot();
        v.layerPlot()->replot();
        QCoreApplication::processEvents();
        const QString out = qEnvironmentVariable("PRECIS_BUDGET_SCREENSHOT", QStringLiteral("/tmp/precis_budget.png"));
        QVERIFY(v.grab().save(out));
        qInfo("%zu units, %zu frontier points; screenshot %s", table->units.size(), tab.doc.frontier()->points().size(),
              qPrintable(out));

        // Head granularity, budget in bits per weight, bars in bytes: a second picture beside the first.
        OptionTableSettings heads;
        heads.granularity = Granularity::Head;
        auto headTable = buildOptionTable(*shared, *report, heads);
        QVERIFY(headTable.ok());
        tab.doc.setGranularity(Granularity::Head);
        QCOMPARE(v.granularityBox()->currentData().toInt(), int(Granularity::Head));
        v.unitBox()->setCurrentIndex(v.unitBox()->findData(int(BudgetKind::BitsPerWeight)));
        v.budgetBox()->setValue(3.5);
        checkShown(tab, *headTable);
        QVERIFY(v.allocation().bitsPerWeight <= 3.5);
        v.barModeBox()->setCurrentIndex(v.barModeBox()->findData(int(views::LayerBitsPlot::Mode::Bytes)));
        v.flushNow();
        v.frontierPlot()->replot();
        v.layerPlot()->replot();
        QCoreApplication::processEvents();
        const QString out2 = QString(out).replace(QStringLiteral(".png"), QStringLiteral("_heads.png"));
        QVERIFY(v.grab().save(out2));
        qInfo("head granularity: %zu units; screenshot %s", headTable->units.size(), qPrintable(out2));
    }
};

QTEST_MAIN(TestGuiBudget)
#include "tst_gui_budget.moc"
