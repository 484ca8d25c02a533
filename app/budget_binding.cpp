#include "budget_binding.h"

#include "budget_document.h"

#include "budget_view.h"

#include <QUndoStack>

namespace precis::app {

void bindBudgetView(BudgetDocument* doc, views::BudgetView* view)
{
    using views::BudgetView;
    auto showTable = [doc, view] {
        view->setSpec(doc->spec());
        view->setTable(doc->table(), doc->tableError());
    };
    auto showFrontier = [doc, view] { view->setFrontier(doc->frontier(), doc->uniform()); };
    auto showAllocation = [doc, view] {
        view->setAllocation(doc->hasAllocation(), doc->allocation(), doc->totals(), doc->nativeUnits());
    };
    QObject::connect(doc, &BudgetDocument::tableChanged, view, showTable);
    QObject::connect(doc, &BudgetDocument::frontierChanged, view, showFrontier);
    QObject::connect(doc, &BudgetDocument::allocationChanged, view, showAllocation);
    QObject::connect(doc, &BudgetDocument::solvingChanged, view, &BudgetView::setSolving);
    QObject::connect(doc, &BudgetDocument::statusMessage, view, &BudgetView::setStatus);
    QObject::connect(doc, &BudgetDocument::specChanged, view, [doc, view] {
        view->setSpec(doc->spec());
        view->setDamageScale(doc->spec().damageScale, doc->damageScaleNote());
    });

    QObject::connect(view, &BudgetView::budgetRequested, doc, &BudgetDocument::setBudget);
    QObject::connect(view, &BudgetView::granularityRequested, doc, &BudgetDocument::setGranularity);
    QObject::connect(view, &BudgetView::metricRequested, doc,
                     [doc](const QString& metric) { doc->setMetric(metric.toStdString()); });
    QObject::connect(view, &BudgetView::optionSetRequested, doc, &BudgetDocument::setOptionSet);
    QObject::connect(view, &BudgetView::pinRequested, doc, &BudgetDocument::pinUnit);
    QObject::connect(view, &BudgetView::unpinRequested, doc, &BudgetDocument::unpinUnits);
    QObject::connect(view, &BudgetView::unpinAllRequested, doc, &BudgetDocument::unpinAll);

    QAction* undo = doc->undoStack()->createUndoAction(view, BudgetView::tr("Undo"));
    undo->setObjectName(QStringLiteral("BudgetUndoAction"));
    QAction* redo = doc->undoStack()->createRedoAction(view, BudgetView::tr("Redo"));
    redo->setObjectName(QStringLiteral("BudgetRedoAction"));
    view->setUndoActions(undo, redo);

    showTable();
    showFrontier();
    showAllocation();
    view->setSolving(doc->isSolving());
    view->setDamageScale(doc->spec().damageScale, doc->damageScaleNote());
}

} // namespace precis::app
