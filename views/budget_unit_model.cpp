#include "budget_unit_model.h"

#include "model_tree_view.h"  // humanBytes

#include "allocation/option_builder.h"

#include <QColor>
#include <QComboBox>
#include <QFont>
#include <QLocale>

#include <algorithm>

namespace precis::views {

namespace {

QString damageText(double d) { return QString::number(d, 'e', 2); }

// "65,536", "2.10 M", "131 M": exact up to six digits, then three significant ones.
QString weightsText(int64_t w)
{
    if (w < 1000000) return QLocale().toString(qlonglong(w));
    if (w < 1000000000) return BudgetUnitModel::tr("%1 M").arg(QLocale().toString(double(w) / 1e6, 'g', 3));
    return BudgetUnitModel::tr("%1 G").arg(QLocale().toString(double(w) / 1e9, 'g', 3));
}

} // namespace

BudgetUnitModel::BudgetUnitModel(QObject* parent) : QAbstractTableModel(parent) {}

void BudgetUnitModel::setTable(std::shared_ptr<const OptionTable> table)
{
    const auto sameUnits = [&] {
        if (!m_table || !table || m_table->units.size() != table->units.size()) return false;
        for (size_t u = 0; u < table->units.size(); ++u)
            if (m_table->units[u].name != table->units[u].name ||
                m_table->units[u].options.size() != table->units[u].options.size())
                return false;
        return true;
    };
    if (!sameUnits()) {
        beginResetModel();
        m_table = std::move(table);
        m_choice.clear();
        endResetModel();
        return;
    }
    // Only pins differ: announce the rows whose pin changed (option and pinned columns).
    std::shared_ptr<const OptionTable> old = std::move(m_table);
    m_table = std::move(table);
    for (size_t u = 0; u < m_table->units.size(); ++u)
        if (old->units[u].pinned != m_table->units[u].pinned)
            emit dataChanged(index(int(u), OptionColumn), index(int(u), PinnedColumn));
}

void BudgetUnitModel::setChoice(const std::vector<int>& choice)
{
    if (!m_table || (choice.size() != m_table->units.size() && !choice.empty())) return;
    if (m_choice.size() != choice.size()) {
        m_choice = choice;
        if (rowCount() > 0) emit dataChanged(index(0, OptionColumn), index(rowCount() - 1, DamageColumn));
        return;
    }
    // One signal over the span of changed rows: the view repaints what is visible of it.
    int first = -1, last = -1;
    for (size_t u = 0; u < choice.size(); ++u)
        if (choice[u] != m_choice[u]) {
            if (first < 0) first = int(u);
            last = int(u);
        }
    m_choice = choice;
    if (first >= 0) emit dataChanged(index(first, OptionColumn), index(last, DamageColumn));
}

int BudgetUnitModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_table ? 0 : int(m_table->units.size());
}

int BudgetUnitModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString BudgetUnitModel::schemeText(const Option& o)
{
    // Precis' own types (RTN) have no GGUF type: a GGUF export re-encodes them.
    return isPrecisNativeScheme(o.scheme) ? tr("%1 (Precis)").arg(QString::fromStdString(o.scheme))
                                          : QString::fromStdString(o.scheme);
}

QString BudgetUnitModel::optionLabel(const Unit& u, int option) const
{
    const Option& o = u.options[size_t(option)];
    return tr("%1 · %2 · Δloss %3").arg(schemeText(o), humanBytes(quint64(o.bytes)), damageText(o.damage));
}

QVariant BudgetUnitModel::data(const QModelIndex& index, int role) const
{
    if (!m_table || !index.isValid() || index.row() >= rowCount()) return {};
    const Unit& u = m_table->units[size_t(index.row())];
    const int chosen = m_choice.empty() ? -1 : m_choice[size_t(index.row())];
    const Option* o = chosen >= 0 ? &u.options[size_t(chosen)] : nullptr;
    const int col = index.column();

    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (col) {
        case UnitColumn: return QString::fromStdString(u.name);
        case LayerColumn: return u.layer >= 0 ? QVariant(u.layer) : QVariant(QStringLiteral("–"));
        case KindColumn: return QString::fromStdString(u.kind);
        case WeightsColumn:
            return role == Qt::ToolTipRole ? tr("%1 weights").arg(QLocale().toString(qlonglong(u.weights)))
                                           : weightsText(u.weights);
        case OptionColumn:
            if (role == Qt::ToolTipRole)
                return u.pinned >= 0 ? tr("Pinned to %1 by you; uncheck “pinned” or use Unpin to free it").arg(optionLabel(u, u.pinned))
                                     : tr("Chosen by the solver; pick another option to pin the unit");
            return o ? schemeText(*o) : QString();
        case BytesColumn:
            if (!o) return {};
            return role == Qt::ToolTipRole ? tr("%1 bytes").arg(QLocale().toString(qlonglong(o->bytes)))
                                           : humanBytes(quint64(o->bytes));
        case DamageColumn:
            if (!o) return {};
            return role == Qt::ToolTipRole ? tr("predicted Δloss %1 nats/token").arg(o->damage, 0, 'g', 17)
                                           : damageText(o->damage);
        case PinnedColumn: return role == Qt::ToolTipRole ? tr("Pinned units keep their option whatever the budget") : QVariant();
        }
        return {};
    }
    if (role == Qt::EditRole && col == OptionColumn) return u.pinned >= 0 ? u.pinned : chosen;
    if (role == Qt::CheckStateRole && col == PinnedColumn) return u.pinned >= 0 ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::ForegroundRole && col == OptionColumn && o && isPrecisNativeScheme(o->scheme))
        return QColor(190, 90, 0);  // the frontier plot's Precis-native colour, darker for text
    if (role == Qt::FontRole && col == OptionColumn && u.pinned >= 0) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role == Qt::TextAlignmentRole && (col == LayerColumn || col == WeightsColumn || col == BytesColumn || col == DamageColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == OptionLabelsRole && col == OptionColumn) {
        QStringList labels;
        for (int i = 0; i < int(u.options.size()); ++i) labels << optionLabel(u, i);
        return labels;
    }
    if (role == RawRole) {
        switch (col) {
        case UnitColumn: return QString::fromStdString(u.name);
        case LayerColumn: return u.layer;
        case KindColumn: return QString::fromStdString(u.kind);
        case WeightsColumn: return qlonglong(u.weights);
        case OptionColumn: return chosen;
        case BytesColumn: return o ? QVariant(qlonglong(o->bytes)) : QVariant();
        case DamageColumn: return o ? QVariant(o->damage) : QVariant();
        case PinnedColumn: return u.pinned;
        }
    }
    return {};
}

QVariant BudgetUnitModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case UnitColumn: return tr("unit");
        case LayerColumn: return tr("layer");
        case KindColumn: return tr("kind");
        case WeightsColumn: return tr("weights");
        case OptionColumn: return tr("option");
        case BytesColumn: return tr("bytes");
        case DamageColumn: return tr("Δloss");
        case PinnedColumn: return tr("pinned");
        }
    }
    if (role == Qt::ToolTipRole && section == DamageColumn)
        return tr("Predicted damage of the chosen option (Δloss, nats/token)");
    return {};
}

Qt::ItemFlags BudgetUnitModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.column() == OptionColumn) f |= Qt::ItemIsEditable;
    if (index.column() == PinnedColumn) f |= Qt::ItemIsUserCheckable;
    return f;
}

bool BudgetUnitModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!m_table || !index.isValid() || index.row() >= rowCount()) return false;
    const Unit& u = m_table->units[size_t(index.row())];
    if (index.column() == OptionColumn && role == Qt::EditRole) {
        int option = -1;
        if (value.typeId() == QMetaType::QString) {
            const std::string scheme = value.toString().toStdString();
            for (int i = 0; i < int(u.options.size()); ++i)
                if (u.options[size_t(i)].scheme == scheme) option = i;
        } else {
            bool ok = false;
            option = value.toInt(&ok);
            if (!ok) option = -1;
        }
        if (option < 0 || option >= int(u.options.size())) return false;
        if (option != u.pinned) emit pinRequested(index.row(), option);
        return true;
    }
    if (index.column() == PinnedColumn && role == Qt::CheckStateRole) {
        const bool pin = value.value<Qt::CheckState>() == Qt::Checked;
        const int chosen = m_choice.empty() ? 0 : m_choice[size_t(index.row())];
        if (pin != (u.pinned >= 0)) emit pinRequested(index.row(), pin ? chosen : -1);
        return true;
    }
    return false;
}

QWidget* OptionDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem&, const QModelIndex& index) const
{
    auto* box = new QComboBox(parent);
    box->addItems(index.data(BudgetUnitModel::OptionLabelsRole).toStringList());
    // Committing on pick: the pin takes effect without leaving the cell.
    auto* self = const_cast<OptionDelegate*>(this);  // createEditor is const; the signals are not
    connect(box, &QComboBox::activated, self, [self, box] {
        emit self->commitData(box);
        emit self->closeEditor(box);
    });
    return box;
}

void OptionDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const
{
    static_cast<QComboBox*>(editor)->setCurrentIndex(index.data(Qt::EditRole).toInt());
}

void OptionDelegate::setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const
{
    model->setData(index, static_cast<QComboBox*>(editor)->currentIndex(), Qt::EditRole);
}

} // namespace precis::views
