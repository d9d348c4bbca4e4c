#pragma once

#include <QString>

namespace sy {

// Installs the translators for the user interface: our catalogue (:/i18n/switchyard_<lang>.qm) and Qt's own
// (qtbase_<lang>, for standard buttons and dialogs) when it is installed. `language` is the config's "ui.language":
// "system" (or empty) follows the system locale, "en" is the source language (nothing to load), anything else is a
// locale name such as "zh_CN" or "de". Returns false when our catalogue was wanted but not found.
bool installUiTranslators(const QString& language);

} // namespace sy
