#pragma once

#include "config/configeditor.h"

#include <QAbstractTableModel>
#include <QJsonObject>

namespace sy {

// The model mapping table of the settings dialog: one row per route of a ConfigEditor (match, conditions, target
// chain), editable in place and reorderable (moveRows, and drag and drop inside the view).
class RouteTableModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RouteTableModel)
public:
    enum Column { MatchColumn, ConditionsColumn, TargetsColumn, ColumnCount };

    explicit RouteTableModel(ConfigEditor* editor, QObject* parent = nullptr);

    // Re-reads the editor (after it was replaced or loaded).
    void reload();
    void appendRoute(const ConfigEditor::Route& route);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool removeRows(int row, int count, const QModelIndex& parent = QModelIndex()) override;
    bool moveRows(const QModelIndex& sourceParent, int sourceRow, int count, const QModelIndex& destinationParent,
        int destinationChild) override;

    Qt::DropActions supportedDropActions() const override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    // Moves the dragged row itself and returns false, so that the view does not also remove the source row.
    bool dropMimeData(
        const QMimeData* data, Qt::DropAction action, int row, int column, const QModelIndex& parent) override;

    // "thinking=true; tokens_over=150000; client=codex,claude-code" <-> {"thinking": true, ...}. Values that do not
    // fit a condition's type are kept as text, so that validation names the field.
    static QString conditionsToText(const QJsonObject& when);
    static QJsonObject conditionsFromText(const QString& text);
    // "a/x -> b/y" (arrows or spaces between targets) <-> ["a/x", "b/y"].
    static QString targetsToText(const QStringList& targets);
    static QStringList targetsFromText(const QString& text);

private:
    ConfigEditor* m_editor;
};

} // namespace sy
