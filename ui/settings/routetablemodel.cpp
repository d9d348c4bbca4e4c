#include "routetablemodel.h"

#include <QDataStream>
#include <QIODevice>
#include <QJsonArray>
#include <QMimeData>
#include <QRegularExpression>

namespace sy {

namespace {

const QString RowMimeType = QStringLiteral("application/x-switchyard-route-row");

bool isListCondition(const QString& key)
{
    return key == QLatin1String("tools_include") || key == QLatin1String("client");
}

} // namespace

RouteTableModel::RouteTableModel(ConfigEditor* editor, QObject* parent)
    : QAbstractTableModel(parent)
    , m_editor(editor)
{
}

void RouteTableModel::reload()
{
    beginResetModel();
    endResetModel();
}

void RouteTableModel::appendRoute(const ConfigEditor::Route& route)
{
    const int row = m_editor->routeCount();
    beginInsertRows(QModelIndex(), row, row);
    m_editor->addRoute(route);
    endInsertRows();
}

int RouteTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_editor->routeCount();
}

int RouteTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RouteTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_editor->routeCount())
        return {};
    if (role != Qt::DisplayRole && role != Qt::EditRole && role != Qt::ToolTipRole)
        return {};
    const ConfigEditor::Route r = m_editor->route(index.row());
    switch (index.column()) {
    case MatchColumn:
        return r.match;
    case ConditionsColumn:
        return conditionsToText(r.when);
    case TargetsColumn:
        return targetsToText(r.to);
    }
    return {};
}

bool RouteTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!index.isValid() || role != Qt::EditRole || index.row() >= m_editor->routeCount())
        return false;
    ConfigEditor::Route r = m_editor->route(index.row());
    const QString text = value.toString();
    switch (index.column()) {
    case MatchColumn:
        r.match = text.trimmed();
        break;
    case ConditionsColumn:
        r.when = conditionsFromText(text);
        break;
    case TargetsColumn:
        r.to = targetsFromText(text);
        break;
    default:
        return false;
    }
    m_editor->updateRoute(index.row(), r);
    Q_EMIT dataChanged(index, index);
    return true;
}

QVariant RouteTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    switch (section) {
    case MatchColumn:
        return tr("Model pattern");
    case ConditionsColumn:
        return tr("Conditions");
    case TargetsColumn:
        return tr("Targets (fallback chain)");
    }
    return {};
}

Qt::ItemFlags RouteTableModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::ItemIsDropEnabled;
    return Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemIsEditable | Qt::ItemIsDragEnabled;
}

bool RouteTableModel::removeRows(int row, int count, const QModelIndex& parent)
{
    if (parent.isValid() || row < 0 || count <= 0 || row + count > m_editor->routeCount())
        return false;
    beginRemoveRows(parent, row, row + count - 1);
    for (int i = 0; i < count; ++i)
        m_editor->removeRoute(row);
    endRemoveRows();
    return true;
}

bool RouteTableModel::moveRows(const QModelIndex& sourceParent, int sourceRow, int count,
    const QModelIndex& destinationParent, int destinationChild)
{
    const int rows = m_editor->routeCount();
    if (sourceParent.isValid() || destinationParent.isValid() || count != 1 || sourceRow < 0 || sourceRow >= rows
        || destinationChild < 0 || destinationChild > rows)
        return false;
    // destinationChild is where the row goes in the list before the move (Qt's convention).
    if (destinationChild == sourceRow || destinationChild == sourceRow + 1)
        return false;
    if (!beginMoveRows(sourceParent, sourceRow, sourceRow, destinationParent, destinationChild))
        return false;
    m_editor->moveRoute(sourceRow, destinationChild > sourceRow ? destinationChild - 1 : destinationChild);
    endMoveRows();
    return true;
}

Qt::DropActions RouteTableModel::supportedDropActions() const
{
    return Qt::MoveAction;
}

QStringList RouteTableModel::mimeTypes() const
{
    return {RowMimeType};
}

QMimeData* RouteTableModel::mimeData(const QModelIndexList& indexes) const
{
    if (indexes.isEmpty())
        return nullptr;
    auto* mime = new QMimeData;
    mime->setData(RowMimeType, QByteArray::number(indexes.first().row()));
    return mime;
}

bool RouteTableModel::dropMimeData(
    const QMimeData* data, Qt::DropAction action, int row, int column, const QModelIndex& parent)
{
    Q_UNUSED(column)
    if (action != Qt::MoveAction || !data || !data->hasFormat(RowMimeType))
        return false;
    bool ok = false;
    const int source = data->data(RowMimeType).toInt(&ok);
    if (!ok)
        return false;
    // Dropped on a row: before it; dropped below the last row: at the end.
    int destination = row;
    if (destination < 0)
        destination = parent.isValid() ? parent.row() : m_editor->routeCount();
    moveRows(QModelIndex(), source, 1, QModelIndex(), destination);
    return false;
}

QString RouteTableModel::conditionsToText(const QJsonObject& when)
{
    QStringList parts;
    for (auto it = when.begin(); it != when.end(); ++it) {
        const QJsonValue v = it.value();
        QString value;
        if (v.isBool())
            value = v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        else if (v.isDouble())
            value = QString::number(qint64(v.toDouble()));
        else if (v.isArray())
            value = v.toVariant().toStringList().join(QLatin1Char(','));
        else
            value = v.toString();
        parts.append(it.key() + QLatin1Char('=') + value);
    }
    return parts.join(QStringLiteral("; "));
}

QJsonObject RouteTableModel::conditionsFromText(const QString& text)
{
    QJsonObject when;
    const QStringList parts = text.split(QLatin1Char(';'), Qt::SkipEmptyParts);
    for (const QString& raw : parts) {
        const QString part = raw.trimmed();
        if (part.isEmpty())
            continue;
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        const QString key = (eq < 0 ? part : part.left(eq)).trimmed();
        const QString value = eq < 0 ? QString() : part.mid(eq + 1).trimmed();
        if (value == QLatin1String("true") || value == QLatin1String("false")) {
            when.insert(key, value == QLatin1String("true"));
            continue;
        }
        bool isNumber = false;
        const qint64 n = value.toLongLong(&isNumber);
        if (isNumber && !isListCondition(key)) {
            when.insert(key, n);
        } else if (isListCondition(key)) {
            QJsonArray list;
            for (const QString& item : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
                list.append(item.trimmed());
            when.insert(key, list);
        } else {
            when.insert(key, value);
        }
    }
    return when;
}

QString RouteTableModel::targetsToText(const QStringList& targets)
{
    return targets.join(QStringLiteral(" -> "));
}

QStringList RouteTableModel::targetsFromText(const QString& text)
{
    static const QRegularExpression separator(QStringLiteral("\\s*(?:->|\u2192)\\s*|\\s+"));
    return text.split(separator, Qt::SkipEmptyParts);
}

} // namespace sy
