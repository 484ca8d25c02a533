// The Budget tab's unit table: one row per allocation unit (core/allocation/
// option_table.h) with the option the current allocation chose for it, and the
// editors that pin a unit to an option.
//
// Rows are the table's units in order; columns are Column. The option column
// is editable (OptionDelegate offers the unit's options) and the pinned column
// checkable; edits do not change the table here but ask for a pin through
// pinRequested, which the budget document turns into an undoable command and
// a re-solve. Options of Precis' own types (RTN, no GGUF type) are marked
// "(Precis)" in another colour. setChoice() is cheap for tens of thousands of rows: it
// compares with the previous choice and announces only the rows that changed,
// in the three columns that depend on the choice.
#pragma once

#include "allocation/option_table.h"

#include <QAbstractTableModel>
#include <QStyledItemDelegate>

#include <memory>
#include <vector>

namespace precis::views {

class BudgetUnitModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { UnitColumn, LayerColumn, KindColumn, WeightsColumn, OptionColumn, BytesColumn, DamageColumn,
                  PinnedColumn, ColumnCount };
    // Option column: QStringList of the unit's option labels ("Q4_K · 1.2 MB · Δ 3.1e-04").
    static constexpr int OptionLabelsRole = Qt::UserRole + 1;
    // Every column: the raw value for sorting or tests (qint64 / double / int; option column: its index).
    static constexpr int RawRole = Qt::UserRole + 2;

    explicit BudgetUnitModel(QObject* parent = nullptr);

    // Shares the table (immutable; a pin makes a new one). Resets the model
    // when the units differ from the shown ones, else announces the pinned
    // column and the rows whose pin changed.
    void setTable(std::shared_ptr<const OptionTable> table);
    const std::shared_ptr<const OptionTable>& table() const { return m_table; }
    // The option chosen per unit (Allocation::choice; empty: none shown).
    void setChoice(const std::vector<int>& choice);
    const std::vector<int>& choice() const { return m_choice; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    // Option column, EditRole: an option index (int) or scheme name (QString) → pinRequested(row, option).
    // Pinned column, CheckStateRole: Unchecked → pinRequested(row, -1); Checked → the chosen option.
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

signals:
    // option: index into the unit's options, or -1 to unpin.
    void pinRequested(int unit, int option);

private:
    QString optionLabel(const Unit& u, int option) const;
    static QString schemeText(const Option& o);

    std::shared_ptr<const OptionTable> m_table;
    std::vector<int> m_choice;
};

// A combo box over the unit's options in the option column.
class OptionDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;
};

} // namespace precis::views
