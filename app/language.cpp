#include "language.h"

#include <QAction>
#include <QActionGroup>
#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QTranslator>

namespace precis::app {

namespace {

constexpr char kContext[] = "precis::app::Language";
const QString kEnglish = QStringLiteral("en");

// What installLanguage() put on the application.
struct Installed {
    QString code = kEnglish;
    QList<QPointer<QTranslator>> translators;
};

Installed& installed()
{
    static Installed state;
    return state;
}

bool offered(const QString& code)
{
    for (const Language& l : languages())
        if (l.code == code) return true;
    return false;
}

// Precis' catalogue for `code`, embedded by qt_add_translations (app/gui.cmake).
bool loadCatalogue(QTranslator& translator, const QString& code)
{
    return translator.load(QStringLiteral("precis_") + code, QStringLiteral(":/i18n"));
}

void removeInstalled()
{
    Installed& state = installed();
    for (const QPointer<QTranslator>& t : state.translators) {
        if (!t) continue;
        QCoreApplication::removeTranslator(t);
        delete t;
    }
    state.translators.clear();
    state.code = kEnglish;
}

// Owned by the application, so that they go with it.
void install(QTranslator* translator)
{
    translator->setParent(QCoreApplication::instance());
    QCoreApplication::installTranslator(translator);
    installed().translators << translator;
}

} // namespace

const QList<Language>& languages()
{
    static const QList<Language> list = {
        {kEnglish, QStringLiteral("English")},
        {QStringLiteral("de"), QStringLiteral("Deutsch")},
        {QStringLiteral("zh_CN"), QStringLiteral("简体中文")},
    };
    return list;
}

QString savedLanguage()
{
    const QString code = QSettings().value(QLatin1String(kLanguageKey)).toString();
    return offered(code) ? code : QString();
}

void saveLanguage(const QString& code) { QSettings().setValue(QLatin1String(kLanguageKey), code); }

QString startupLanguage()
{
    const QString saved = savedLanguage();
    if (!saved.isEmpty()) return saved;
    const QLocale system;
    for (const Language& l : languages()) {
        const QLocale locale(l.code);
        if (l.code != kEnglish && locale.language() == system.language() && locale.script() == system.script())
            return l.code;
    }
    return kEnglish;
}

bool installLanguage(const QString& code)
{
    removeInstalled();
    if (code == kEnglish) return true;
    if (!offered(code)) return false;
    auto* own = new QTranslator;
    if (!loadCatalogue(*own, code)) {
        delete own;
        return false;
    }
    // Qt's own texts (dialog buttons, the About Qt box), when the Qt installation has them.
    auto* qt = new QTranslator;
    if (qt->load(QStringLiteral("qtbase_") + code, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        install(qt);
    else
        delete qt;
    install(own);  // installed last, so it is asked first
    installed().code = code;
    return true;
}

QString installedLanguage() { return installed().code; }

QString translatedIn(const QString& code, const char* source)
{
    if (code != kEnglish) {
        QTranslator translator;
        if (loadCatalogue(translator, code)) {
            const QString text = translator.translate(kContext, source);
            if (!text.isEmpty()) return text;
        }
    }
    return QString::fromUtf8(source);
}

QMenu* addLanguageMenu(QMenu* menu, QWidget* window)
{
    QMenu* sub = menu->addMenu(QCoreApplication::translate("precis::app::Language", "&Language"));
    sub->setObjectName(QStringLiteral("LanguageMenu"));
    auto* group = new QActionGroup(sub);
    group->setExclusive(true);
    const QString saved = savedLanguage();
    const QString current = saved.isEmpty() ? installedLanguage() : saved;
    for (const Language& l : languages()) {
        QAction* action = sub->addAction(l.nativeName);
        action->setObjectName(QStringLiteral("Language_") + l.code);
        action->setCheckable(true);
        action->setChecked(l.code == current);
        group->addAction(action);
        QObject::connect(action, &QAction::triggered, window, [window, l] {
            saveLanguage(l.code);
            if (l.code == installedLanguage()) return;  // already the running language
            auto* box = new QMessageBox(
                QMessageBox::Information, translatedIn(l.code, QT_TRANSLATE_NOOP("precis::app::Language", "Language")),
                translatedIn(l.code, QT_TRANSLATE_NOOP("precis::app::Language",
                                                       "The language changes to %1 when Precis is started next."))
                    .arg(l.nativeName),
                QMessageBox::Ok, window);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->setObjectName(QStringLiteral("LanguageMessageBox"));
            box->open();
        });
    }
    return sub;
}

} // namespace precis::app
