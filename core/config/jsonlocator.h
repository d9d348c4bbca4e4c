#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

namespace sy {

// Maps JSON paths ("providers[1].kind") to the line where their value starts, so config errors can name the line.
// Works on any well-formed document; on malformed input it records what it could.
class JsonLocator
{
public:
    explicit JsonLocator(const QByteArray& json);
    // 1-based line of the value at `path`; for a missing key, the line of the closest existing parent.
    int lineOf(const QString& path) const;
    static int lineAtOffset(const QByteArray& json, qsizetype offset);
    // The keys of the object at `path`, in the order the document has them ("" is the top level).
    QStringList keyOrder(const QString& path) const { return m_keyOrder.value(path); }
    const QHash<QString, QStringList>& keyOrders() const { return m_keyOrder; }

private:
    void parseValue(const QString& path);
    void skipWs();
    QString parseString();
    const QByteArray& m_json;
    qsizetype m_pos = 0;
    int m_line = 1;
    QHash<QString, int> m_lines;
    QHash<QString, QStringList> m_keyOrder;
    int m_depth = 0;
};

} // namespace sy
