#include "uilanguage.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace sy {

bool installUiTranslators(const QString& language)
{
    const bool followSystem = language.isEmpty() || language == QLatin1String("system");
    if (!followSystem && (language == QLatin1String("en") || language.startsWith(QLatin1String("en_"))))
        return true;
    const QLocale locale = followSystem ? QLocale::system() : QLocale(language);
    if (!followSystem)
        QLocale::setDefault(locale);
    auto* qt = new QTranslator(QCoreApplication::instance());
    if (qt->load(
            locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    auto* ours = new QTranslator(QCoreApplication::instance());
    if (ours->load(locale, QStringLiteral("switchyard"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(ours);
        return true;
    }
    delete ours;
    // English (the source language) needs no catalogue.
    return locale.language() == QLocale::English || locale.language() == QLocale::C;
}

} // namespace sy
