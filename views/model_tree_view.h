// Model dock content: the model's tensors grouped by block (blk.N) with shape,
// dtype, bytes and share of the parameters; a filter box; a summary of the
// hyper-parameters and file, and the file's metadata.
//
// Tree layout (source model, before sorting/filtering):
//   top level  : tensors outside the layers (token_embd.weight, output_norm.weight, ...)
//                and one Block item per layer "blk.N" (in file order)
//   under blk.N: that layer's tensors
// Columns: Name | Shape | DType | Bytes | Params %. Every item carries its kind in
// KindRole; tensor items carry the tensor name in TensorNameRole.
#pragma once

#include <QWidget>

#include <cstdint>
#include <memory>
#include <vector>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTreeView;
class QTreeWidget;

namespace precis {
class Model;
}

namespace precis::views {

class ModelTreeView : public QWidget {
    Q_OBJECT
public:
    enum Column { NameColumn, ShapeColumn, DTypeColumn, BytesColumn, ShareColumn, ColumnCount };
    enum class ItemKind { Tensor = 1, Block = 2 };
    enum Role {
        KindRole = Qt::UserRole + 1,  // int(ItemKind)
        TensorNameRole,               // QString, tensor items only
        SortRole,                     // numeric key for the Shape/Bytes/Params columns
    };

    explicit ModelTreeView(QWidget* parent = nullptr);
    ~ModelTreeView() override;

    // Shows `model` (nullptr clears the view). The view keeps the pointer.
    void setModel(std::shared_ptr<const Model> model);
    const std::shared_ptr<const Model>& model() const { return m_model; }

    void setFilterText(const QString& text);

    // Items of the unfiltered source model (for tests and controllers).
    QStandardItemModel* sourceModel() const { return m_items; }
    QSortFilterProxyModel* proxyModel() const { return m_proxy; }
    QTreeView* treeView() const { return m_tree; }
    // The value shown for a summary field, by its English name ("Parameters",
    // "File size", ...); empty if unknown.
    QString summaryValue(const QString& field) const;

signals:
    // A tensor row was activated (double click / Enter).
    void tensorActivated(const QString& name);

private:
    void rebuildTree();
    void rebuildSummary();

    std::shared_ptr<const Model> m_model;
    QStandardItemModel* m_items = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTreeView* m_tree = nullptr;
    QLineEdit* m_filter = nullptr;
    QWidget* m_summary = nullptr;
    QTreeWidget* m_metadata = nullptr;
    QList<QPair<QString, QLabel*>> m_summaryFields;
};

// "1.5 MiB" style text for a byte count (the exact count goes in tooltips).
QString humanBytes(quint64 bytes);
// "4,096 × 512" for a shape, outermost first.
QString shapeText(const std::vector<int64_t>& shape);

} // namespace precis::views
