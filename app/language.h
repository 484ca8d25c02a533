// The studio's languages: the list View ▸ Language offers, the choice kept in
// QSettings ("language"), and the translators installed for it: Precis' own
// catalogue (translations/precis_<code>.ts, compiled into precis_app under
// :/i18n) and Qt's (qtbase_<code>.qm of the Qt installation, when present).
//
// The window builds its texts once, so a new choice takes effect at the next
// start; choosing it says so, in the chosen language. At start, main() installs
// startupLanguage(): the saved choice, else the system's language when Precis
// has it, else English.
//
// Threads: the GUI thread.
#pragma once

#include <QList>
#include <QString>

class QMenu;
class QWidget;

namespace precis::app {

struct Language {
    QString code;        // "en", "de", "zh_CN": the <code> of translations/precis_<code>.ts
    QString nativeName;  // the language's name in itself, as the menu lists it
};

inline constexpr char kLanguageKey[] = "language";  // QSettings key, value: a Language::code

// English (the source language, no catalogue) first.
const QList<Language>& languages();

// The saved code, or empty when none is saved (or the saved one is not offered).
QString savedLanguage();
void saveLanguage(const QString& code);

// The saved language, else the first of the system's UI languages that
// languages() has (language and script: zh_TW is not zh_CN), else "en".
QString startupLanguage();

// Installs the translators of `code` on the application, removing the ones an
// earlier call installed; "en" leaves none. False (and English) when `code` is
// not offered or its catalogue cannot be loaded.
bool installLanguage(const QString& code);

// The code installLanguage() installed last ("en" before the first call).
QString installedLanguage();

// `source` (QT_TRANSLATE_NOOP, context "precis::app::Language") in the language
// `code`, whatever is installed; the source itself for English or a missing entry.
QString translatedIn(const QString& code, const char* source);

// Appends the &Language submenu to `menu`: one checkable, exclusive action per
// language (object names "Language_<code>"), the saved or installed one checked.
// Choosing one saves it; when it is not the running language, a message box on
// `window` (non-blocking, object name "LanguageMessageBox") says, in the chosen
// language, that it applies at the next start.
QMenu* addLanguageMenu(QMenu* menu, QWidget* window);

} // namespace precis::app
