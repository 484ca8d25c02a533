#include "model_tree_view.h"

#include "model/model.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <map>

namespace precis::views {

namespace {

// Name column sorts naturally ("blk.2" before "blk.10"); the numeric columns by SortRole.
class TensorSortProxy : public QSortFilterProxyModel {
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override
    {
        if (left.column() == ModelTreeView::NameColumn || left.column() == ModelTreeView::DTypeColumn)
            return naturalLess(left.data().toString(), right.data().toString());
        return left.data(ModelTreeView::SortRole).toDouble() < right.data(ModelTreeView::SortRole).toDouble();
    }

private:
    // Digit runs compare by value, other characters case-insensitively. (QCollator's
    // numeric mode is not available in every locale, e.g. the C locale.)
    static bool naturalLess(const QString& a, const QString& b)
    {
        qsizetype i = 0, j = 0;
        while (i < a.size() && j < b.size()) {
            if (a[i].isDigit() && b[j].isDigit()) {
                qsizetype ei = i, ej = j;
                while (ei < a.size() && a[ei].isDigit()) ++ei;
                while (ej < b.size() && b[ej].isDigit()) ++ej;
                while (i < ei - 1 && a[i] == u'0') ++i;  // leading zeros
                while (j < ej - 1 && b[j] == u'0') ++j;
                if (ei - i != ej - j) return ei - i < ej - j;  // fewer digits: smaller
                const int c = QStringView(a).sliced(i, ei - i).compare(QStringView(b).sliced(j, ej - j));
                if (c != 0) return c < 0;
                i = ei;
                j = ej;
            } else {
                const QChar ca = a[i].toLower(), cb = b[j].toLower();
                if (ca != cb) return ca < cb;
                ++i;
                ++j;
            }
        }
        return a.size() - i < b.size() - j;
    }
};

// "blk.12.attn_q.weight" -> 12; -1 for tensors outside the layers.
int layerOf(const std::string& name)
{
    if (name.rfind("blk.", 0) != 0) return -1;
    size_t end = 4;
    int layer = 0;
    while (end < name.size() && name[end] >= '0' && name[end] <= '9' && layer < 1000000)
        layer = layer * 10 + (name[end++] - '0');
    return end > 4 ? layer : -1;
}

QString shareText(double fraction) { return QLocale().toString(fraction * 100.0, 'f', 2) + QStringLiteral(" %"); }

QString countText(int64_t n)
{
    const QString exact = QLocale().toString(qlonglong(n));
    if (n < 10000) return exact;
    const double m = double(n);
    const QLocale loc;
    const QString scaled = m >= 1e9 ? loc.toString(m / 1e9, 'f', 2) + QStringLiteral(" B")
                         : m >= 1e6 ? loc.toString(m / 1e6, 'f', 2) + QStringLiteral(" M")
                                    : loc.toString(m / 1e3, 'f', 1) + QStringLiteral(" K");
    return QStringLiteral("%1 (%2)").arg(exact, scaled);
}

QList<QStandardItem*> makeRow(const QString& name, ModelTreeView::ItemKind kind)
{
    QList<QStandardItem*> row;
    for (int c = 0; c < ModelTreeView::ColumnCount; ++c) {
        auto* item = new QStandardItem;
        item->setEditable(false);
        item->setData(int(kind), ModelTreeView::KindRole);
        if (c >= ModelTreeView::BytesColumn) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        row << item;
    }
    row[ModelTreeView::NameColumn]->setText(name);
    return row;
}

void setBytes(QStandardItem* item, quint64 bytes)
{
    item->setText(humanBytes(bytes));
    item->setToolTip(ModelTreeView::tr("%1 bytes").arg(QLocale().toString(bytes)));
    item->setData(double(bytes), ModelTreeView::SortRole);
}

void setShare(QStandardItem* item, int64_t numel, int64_t total)
{
    const double f = total > 0 ? double(numel) / double(total) : 0.0;
    item->setText(shareText(f));
    item->setToolTip(ModelTreeView::tr("%1 of %2 parameters").arg(QLocale().toString(qlonglong(numel)),
                                                                   QLocale().toString(qlonglong(total))));
    item->setData(f, ModelTreeView::SortRole);
}

} // namespace

QString humanBytes(quint64 bytes)
{
    return QLocale().formattedDataSize(qint64(bytes), bytes < 1024 ? 0 : 1);
}

QString shapeText(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t d : shape) parts << QLocale().toString(qlonglong(d));
    return parts.join(QStringLiteral(" × "));
}

ModelTreeView::ModelTreeView(QWidget* parent) : QWidget(parent)
{
    m_items = new QStandardItemModel(this);
    m_items->setHorizontalHeaderLabels({tr("Name"), tr("Shape"), tr("DType"), tr("Bytes"), tr("Params")});

    auto* proxy = new TensorSortProxy(this);
    proxy->setSourceModel(m_items);
    proxy->setFilterKeyColumn(NameColumn);
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy->setRecursiveFilteringEnabled(true);  // a block stays when one of its tensors matches
    proxy->setAutoAcceptChildRows(true);        // and "blk.3" shows all of that block's tensors
    m_proxy = proxy;

    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter tensors (e.g. attn_q, blk.3)"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_tree = new QTreeView(this);
    m_tree->setModel(m_proxy);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(-1, Qt::AscendingOrder);  // file order until the user clicks a header
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    for (int c = ShapeColumn; c < ColumnCount; ++c)
        m_tree->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    connect(m_tree, &QTreeView::activated, this, [this](const QModelIndex& index) {
        const QString name = index.siblingAtColumn(NameColumn).data(TensorNameRole).toString();
        if (!name.isEmpty()) emit tensorActivated(name);
    });

    m_summary = new QWidget(this);
    auto* form = new QFormLayout(m_summary);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    // Keys stay English (summaryValue); the labels are translated.
    static const char* const fields[] = {
        QT_TR_NOOP("Name"),       QT_TR_NOOP("Architecture"), QT_TR_NOOP("Layers"),     QT_TR_NOOP("Embedding"),
        QT_TR_NOOP("Heads (Q / KV)"), QT_TR_NOOP("Head size"), QT_TR_NOOP("FFN"),       QT_TR_NOOP("Vocabulary"),
        QT_TR_NOOP("Context"),    QT_TR_NOOP("Parameters"),   QT_TR_NOOP("Tensors"),    QT_TR_NOOP("File size"),
        QT_TR_NOOP("Format"),     QT_TR_NOOP("Path")};
    for (const char* f : fields) {
        auto* value = new QLabel(m_summary);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true);
        form->addRow(tr(f) + QLatin1Char(':'), value);
        m_summaryFields.append({QString::fromLatin1(f), value});
    }

    m_metadata = new QTreeWidget(this);
    m_metadata->setHeaderLabels({tr("Key"), tr("Value")});
    m_metadata->setRootIsDecorated(false);
    m_metadata->setUniformRowHeights(true);

    auto* summaryScroll = new QScrollArea(this);
    summaryScroll->setWidget(m_summary);
    summaryScroll->setWidgetResizable(true);
    summaryScroll->setFrameShape(QFrame::NoFrame);
    auto* tabs = new QTabWidget(this);
    tabs->addTab(summaryScroll, tr("Summary"));
    tabs->addTab(m_metadata, tr("Metadata"));

    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_filter);
    topLayout->addWidget(m_tree);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(tabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(split);
}

ModelTreeView::~ModelTreeView() = default;

void ModelTreeView::setModel(std::shared_ptr<const Model> model)
{
    m_model = std::move(model);
    rebuildTree();
    rebuildSummary();
}

void ModelTreeView::setFilterText(const QString& text) { m_filter->setText(text); }

QString ModelTreeView::summaryValue(const QString& field) const
{
    for (const auto& [name, label] : m_summaryFields)
        if (name == field) return label->text();
    return {};
}

void ModelTreeView::rebuildTree()
{
    m_items->removeRows(0, m_items->rowCount());
    if (!m_model) return;
    const int64_t total = m_model->parameterCount();

    struct BlockSum {
        QList<QStandardItem*> row;
        quint64 bytes = 0;
        int64_t numel = 0;
        QString dtype;
        int tensors = 0;
    };
    std::map<int, BlockSum> blocks;
    QStandardItem* root = m_items->invisibleRootItem();
    for (const Tensor& t : m_model->tensors()) {
        const QString name = QString::fromStdString(t.name);
        const QString dtype = QString::fromLatin1(dtypeName(t.dtype).data(), qsizetype(dtypeName(t.dtype).size()));
        QList<QStandardItem*> row = makeRow(name, ItemKind::Tensor);
        row[NameColumn]->setData(name, TensorNameRole);
        row[NameColumn]->setToolTip(name);
        row[ShapeColumn]->setText(shapeText(t.shape));
        row[ShapeColumn]->setData(double(t.numel()), SortRole);
        row[ShapeColumn]->setToolTip(tr("%1 values").arg(QLocale().toString(qlonglong(t.numel()))));
        row[DTypeColumn]->setText(dtype);
        setBytes(row[BytesColumn], t.nbytes);
        setShare(row[ShareColumn], t.numel(), total);

        const int layer = layerOf(t.name);
        if (layer < 0) {
            root->appendRow(row);
            continue;
        }
        auto [it, inserted] = blocks.try_emplace(layer);
        BlockSum& b = it->second;
        if (inserted) {
            b.row = makeRow(QStringLiteral("blk.%1").arg(layer), ItemKind::Block);
            b.dtype = dtype;
            root->appendRow(b.row);
        }
        b.row[NameColumn]->appendRow(row);
        b.bytes += t.nbytes;
        b.numel += t.numel();
        ++b.tensors;
        if (b.dtype != dtype) b.dtype = tr("mixed");
    }
    for (auto& [layer, b] : blocks) {
        const QString count = b.tensors == 1 ? tr("1 tensor") : tr("%1 tensors").arg(b.tensors);
        b.row[NameColumn]->setToolTip(tr("Layer %1: %2").arg(QString::number(layer), count));
        b.row[ShapeColumn]->setText(count);
        b.row[ShapeColumn]->setData(double(b.numel), SortRole);
        b.row[DTypeColumn]->setText(b.dtype);
        setBytes(b.row[BytesColumn], b.bytes);
        setShare(b.row[ShareColumn], b.numel, total);
    }
}

void ModelTreeView::rebuildSummary()
{
    m_metadata->clear();
    if (!m_model) {
        for (auto& field : m_summaryFields) field.second->clear();
        return;
    }
    const ModelConfig& c = m_model->config;
    QString name;
    QList<QTreeWidgetItem*> metaItems;
    for (const auto& [key, value] : m_model->metadata) {
        if (key == "general.name") name = QString::fromStdString(value);
        auto* item = new QTreeWidgetItem({QString::fromStdString(key), QString::fromStdString(value)});
        item->setToolTip(1, item->text(1));
        metaItems << item;
    }
    m_metadata->addTopLevelItems(metaItems);
    m_metadata->resizeColumnToContents(0);

    const QLocale loc;
    auto num = [&](int v) { return v > 0 ? loc.toString(v) : QStringLiteral("–"); };
    const QString path = QString::fromStdString(m_model->path);
    if (name.isEmpty()) name = QFileInfo(path).completeBaseName();
    const QString values[] = {
        name,
        QString::fromStdString(c.archName),
        num(c.nLayer),
        num(c.nEmbd),
        QStringLiteral("%1 / %2").arg(num(c.nHead), num(c.nHeadKv)),
        num(c.headDim()),
        num(c.nFf),
        num(c.nVocab),
        num(c.nCtx),
        countText(m_model->parameterCount()),
        loc.toString(qlonglong(m_model->tensors().size())),
        tr("%1 (%2 bytes)").arg(humanBytes(m_model->fileBytes), loc.toString(qulonglong(m_model->fileBytes))),
        QString::fromStdString(m_model->format),
        path,
    };
    for (int i = 0; i < m_summaryFields.size(); ++i) m_summaryFields[i].second->setText(values[i]);
}

} // namespace precis::views
