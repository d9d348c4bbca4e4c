#include "jsonlocator.h"

namespace sy {

namespace {
constexpr int MaxDepth = 64;
}

JsonLocator::JsonLocator(const QByteArray& json)
    : m_json(json)
{
    skipWs();
    parseValue(QString());
}

int JsonLocator::lineAtOffset(const QByteArray& json, qsizetype offset)
{
    offset = qBound(qsizetype(0), offset, json.size());
    return int(std::count(json.constBegin(), json.constBegin() + offset, '\n')) + 1;
}

int JsonLocator::lineOf(const QString& path) const
{
    QString p = path;
    while (true) {
        auto it = m_lines.constFind(p);
        if (it != m_lines.constEnd())
            return it.value();
        if (p.isEmpty())
            return 1;
        const qsizetype dot = p.lastIndexOf(QLatin1Char('.'));
        const qsizetype bracket = p.lastIndexOf(QLatin1Char('['));
        const qsizetype cut = std::max(dot, bracket);
        p = cut < 0 ? QString() : p.left(cut);
    }
}

void JsonLocator::skipWs()
{
    while (m_pos < m_json.size()) {
        const char c = m_json.at(m_pos);
        if (c == '\n')
            ++m_line;
        else if (c != ' ' && c != '\t' && c != '\r')
            break;
        ++m_pos;
    }
}

QString JsonLocator::parseString()
{
    // m_pos is at the opening quote
    const qsizetype start = ++m_pos;
    while (m_pos < m_json.size() && m_json.at(m_pos) != '"') {
        if (m_json.at(m_pos) == '\\')
            ++m_pos;
        else if (m_json.at(m_pos) == '\n')
            ++m_line;
        ++m_pos;
    }
    const QString s = QString::fromUtf8(m_json.mid(start, m_pos - start));
    ++m_pos;
    return s;
}

void JsonLocator::parseValue(const QString& path)
{
    if (m_pos >= m_json.size() || m_depth > MaxDepth)
        return;
    m_lines.insert(path, m_line);
    const char c = m_json.at(m_pos);
    if (c == '{') {
        ++m_depth;
        ++m_pos;
        while (true) {
            skipWs();
            if (m_pos >= m_json.size())
                return;
            if (m_json.at(m_pos) == '}') {
                ++m_pos;
                break;
            }
            if (m_json.at(m_pos) == ',') {
                ++m_pos;
                continue;
            }
            if (m_json.at(m_pos) != '"')
                return;
            const int keyLine = m_line;
            const QString key = parseString();
            QStringList& order = m_keyOrder[path];
            if (!order.contains(key))
                order.append(key);
            skipWs();
            if (m_pos < m_json.size() && m_json.at(m_pos) == ':')
                ++m_pos;
            skipWs();
            const QString child = path.isEmpty() ? key : path + QLatin1Char('.') + key;
            parseValue(child);
            // A key is reported at its own line (the value may start later).
            m_lines.insert(child, keyLine);
        }
        --m_depth;
    } else if (c == '[') {
        ++m_depth;
        ++m_pos;
        int index = 0;
        while (true) {
            skipWs();
            if (m_pos >= m_json.size())
                return;
            if (m_json.at(m_pos) == ']') {
                ++m_pos;
                break;
            }
            if (m_json.at(m_pos) == ',') {
                ++m_pos;
                continue;
            }
            const qsizetype before = m_pos;
            parseValue(path + QLatin1Char('[') + QString::number(index++) + QLatin1Char(']'));
            if (m_pos == before)
                return;
        }
        --m_depth;
    } else if (c == '"') {
        parseString();
    } else {
        while (m_pos < m_json.size()) {
            const char d = m_json.at(m_pos);
            if (d == ',' || d == '}' || d == ']' || d == ' ' || d == '\n' || d == '\r' || d == '\t')
                break;
            ++m_pos;
        }
    }
}

} // namespace sy
