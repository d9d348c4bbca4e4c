#include "usagecommand.h"

#include "cliprint.h"
#include "common/clock.h"
#include "usage/usagelog.h"
#include "usage/usagequery.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QProcessEnvironment>

#include <cstdio>

namespace sy {

namespace {

using cli::err;
using cli::out;

QString cost(const UsageTotals& t)
{
    if (t.requests > 0 && t.unpricedRequests == t.requests)
        return QStringLiteral("n/a");
    QString s = QStringLiteral("$%1").arg(t.costUsd, 0, 'f', 4);
    if (t.unpricedRequests > 0)
        s += QStringLiteral(" (+%1 unpriced)").arg(t.unpricedRequests);
    return s;
}

QString tokens(qint64 n)
{
    return n >= 10'000'000 ? QStringLiteral("%1M").arg(double(n) / 1e6, 0, 'f', 1)
        : n >= 10'000      ? QStringLiteral("%1k").arg(double(n) / 1e3, 0, 'f', 1)
                           : QString::number(n);
}

QString line(const QString& key, const UsageTotals& t)
{
    return QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8  p50 %9 ms  p95 %10 ms")
        .arg(key.left(34), -34)
        .arg(t.requests, 7)
        .arg(t.errors, 6)
        .arg(tokens(t.inputTokens), 8)
        .arg(tokens(t.outputTokens), 8)
        .arg(tokens(t.cacheReadTokens), 8)
        .arg(tokens(t.cacheWriteTokens), 8)
        .arg(cost(t), 12)
        .arg(t.p50Ms, 0, 'f', 0)
        .arg(t.p95Ms, 0, 'f', 0);
}

} // namespace

int runUsageCommand(const QStringList& arguments)
{
    if (arguments.size() < 2 || arguments.at(1) != QLatin1String("usage"))
        return -1;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Spend, tokens, errors and latency from the usage log."));
    parser.addHelpOption();
    const QCommandLineOption since(QStringLiteral("since"),
        QStringLiteral("Start: an age (24h, 7d, 4w), an ISO date/time or epoch ms (default 7d)."),
        QStringLiteral("time"), QStringLiteral("7d"));
    const QCommandLineOption until(
        QStringLiteral("until"), QStringLiteral("End (default now)."), QStringLiteral("time"));
    const QCommandLineOption by(QStringLiteral("by"),
        QStringLiteral("Group by provider, model, credential (account), client or dialect."), QStringLiteral("group"));
    const QCommandLineOption bucket(
        QStringLiteral("bucket"), QStringLiteral("Also a series by hour or day."), QStringLiteral("size"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("JSON, with the requests in the range."));
    const QCommandLineOption csv(QStringLiteral("csv"), QStringLiteral("CSV."));
    const QCommandLineOption db(
        QStringLiteral("db"), QStringLiteral("The usage database (default: the user's)."), QStringLiteral("path"));
    const QCommandLineOption limit(QStringLiteral("limit"),
        QStringLiteral("Requests listed with --json (default 200)."), QStringLiteral("n"), QStringLiteral("200"));
    parser.addOptions({since, until, by, bucket, json, csv, db, limit});
    QStringList args = arguments;
    args.removeAt(1);
    if (!parser.parse(args)) {
        err(parser.errorText());
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    QLoggingCategory::setFilterRules(QStringLiteral("switchyard.*.info=false"));
    QString path = parser.value(db);
    if (path.isEmpty())
        path = QProcessEnvironment::systemEnvironment().value(
            QStringLiteral("SWITCHYARD_USAGE_DB"), defaultUsageDbPath());
    if (!QFileInfo::exists(path)) {
        if (parser.isSet(json))
            out(QStringLiteral("{\"total\":{\"requests\":0},\"groups\":[],\"series\":[],\"requests\":[]}"));
        else
            out(QStringLiteral("No usage recorded yet (%1 does not exist).").arg(path));
        return 0;
    }
    const qint64 now = systemClock().nowMs();
    QString error;
    const std::optional<UsageQuery> query
        = usageQueryFrom(parser.value(since), parser.value(until), parser.value(by), parser.value(bucket), now, &error);
    if (!query) {
        err(error);
        return 2;
    }
    UsageLog log;
    if (!log.open(path, &error)) {
        err(error);
        return 1;
    }
    const UsageReport report = log.query(*query);
    if (parser.isSet(csv)) {
        std::fputs(report.toCsv().constData(), stdout);
        return 0;
    }
    if (parser.isSet(json)) {
        QJsonObject o = report.toJson();
        QJsonArray rows;
        const int max = qMax(0, parser.value(limit).toInt());
        qint64 before = 0;
        while (rows.size() < max) {
            const QList<UsageRow> page = log.recent(qMin(500, max), before);
            if (page.isEmpty())
                break;
            for (const UsageRow& r : page) {
                if (r.timeMs >= query->fromMs && r.timeMs < query->toMs && rows.size() < max)
                    rows.append(r.toJson());
                before = r.id;
            }
            if (page.last().timeMs < query->fromMs)
                break;
        }
        o.insert(QLatin1String("requests"), rows);
        std::fputs(QJsonDocument(o).toJson(QJsonDocument::Indented).constData(), stdout);
        return 0;
    }
    out(QStringLiteral("Usage %1 – %2 (prices of %3)")
            .arg(QDateTime::fromMSecsSinceEpoch(query->fromMs).toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                QDateTime::fromMSecsSinceEpoch(query->toMs).toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                report.pricesDate));
    out(QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8")
            .arg(QStringLiteral("group"), -34)
            .arg(QStringLiteral("reqs"), 7)
            .arg(QStringLiteral("errors"), 6)
            .arg(QStringLiteral("input"), 8)
            .arg(QStringLiteral("output"), 8)
            .arg(QStringLiteral("cache rd"), 8)
            .arg(QStringLiteral("cache wr"), 8)
            .arg(QStringLiteral("cost"), 12));
    for (const UsageTotals& g : report.groups)
        out(line(g.key.isEmpty() ? QStringLiteral("(none)") : g.key, g));
    out(line(QStringLiteral("total"), report.total));
    return 0;
}

} // namespace sy
