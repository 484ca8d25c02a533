// Connects the Budget tab (views/budget_view.h) to the budget document
// (budget_document.h): the document's state is shown in the view, the view's
// intents go to the document. The two stay independent of each other; tests
// bind a view to a document the same way MainWindow does.
#pragma once

namespace precis::views {
class BudgetView;
}

namespace precis::app {

class BudgetDocument;

// Shows the document's current state at once; lives as long as both do.
void bindBudgetView(BudgetDocument* document, views::BudgetView* view);

} // namespace precis::app
