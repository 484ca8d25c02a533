// The studio's languages: every entry of translations/precis_de.ts and
// precis_zh_CN.ts is finished (and keeps its placeholders), the catalogues are
// embedded in precis_app, and View ▸ Language saves the choice, says in the
// chosen language that it applies at the next start, and a window built after
// main()'s startup step (installLanguage(startupLanguage())) is in that language.
#include "language.h"
#include "main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QXmlStreamReader>
#include <QtTest/QtTest>

#include <memory>

using namespace precis;
using app::MainWindow;

namespace {

// One <message> of a .ts file.
struct TsMessage {
    QString context, source, type;  // type: the <translation> element's type attribute
    bool numerus = false;
    QStringList forms;  // the translation, or its <numerusform>s
};

// Every message of `path`, or an error text in `error`.
QList<TsMessage> readTs(const QString& path, QString* language, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open %1").arg(path);
        return {};
    }
    QList<TsMessage> out;
    QXmlStreamReader xml(&file);
    QString context;
    TsMessage m;
    while (!xml.atEnd()) {
        if (!xml.readNext() || !xml.isStartElement()) continue;
        const auto name = xml.name();
        if (name == QLatin1String("TS")) {
            *language = xml.attributes().value(QLatin1String("language")).toString();
        } else if (name == QLatin1String("context")) {
            context.clear();
        } else if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            m = TsMessage{context, {}, {}, xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes"), {}};
        } else if (name == QLatin1String("source")) {
            m.source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            m.type = xml.attributes().value(QLatin1String("type")).toString();
            if (!m.numerus) {
                m.forms << xml.readElementText();
                out << m;
                continue;
            }
            while (xml.readNextStartElement()) {
                if (xml.name() == QLatin1String("numerusform")) m.forms << xml.readElementText();
                else xml.skipCurrentElement();
            }
            out << m;
        }
    }
    if (xml.hasError()) *error = QStringLiteral("%1: %2 at line %3").arg(path, xml.errorString()).arg(xml.lineNumber());
    return out;
}

// The placeholders (%1 … %99, and %n for plurals) of a text, sorted.
QStringList placeholders(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("%(?:[1-9][0-9]?|n|L[1-9])"));
    QStringList out;
    for (auto it = re.globalMatch(text); it.hasNext();) out << it.next().captured();
    out.sort();
    out.removeDuplicates();
    return out;
}

QAction* languageAction(const MainWindow& w, const QString& code)
{
    return w.findChild<QAction*>(QStringLiteral("Language_") + code);
}

// The window's top-level menu titles, in order.
QStringList menuTitles(const MainWindow& w)
{
    QStringList titles;
    for (QAction* a : w.menuBar()->actions()) titles << a->text();
    return titles;
}

// The language message box `w` opened (at most one expected), or nullptr.
QMessageBox* languageBox(const MainWindow& w)
{
    const auto boxes = w.findChildren<QMessageBox*>(QStringLiteral("LanguageMessageBox"));
    return boxes.size() == 1 ? boxes.front() : nullptr;
}

} // namespace

class TestGuiLanguage : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("PrecisTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_language"));
        QSettings().clear();
    }

    void cleanup()
    {
        QSettings().remove(QLatin1String(app::kLanguageKey));
        QLocale::setDefault(QLocale::system());
        QVERIFY(app::installLanguage(QStringLiteral("en")));
    }

    void translationsFinished_data()
    {
        QTest::addColumn<QString>("code");
        QTest::newRow("de") << QStringLiteral("de");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN");
    }

    // Every entry translated: no unfinished, obsolete or vanished entry, no empty
    // translation or plural form, the source's placeholders kept.
    void translationsFinished()
    {
        QFETCH(QString, code);
        QString language, error;
        const QList<TsMessage> messages =
            readTs(QStringLiteral(PRECIS_SOURCE_DIR "/translations/precis_%1.ts").arg(code), &language, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(language, code);
        QVERIFY(messages.size() > 700);  // the studio's strings and the core message table
        QStringList problems;
        for (const TsMessage& m : messages) {
            const QString where = m.context + QStringLiteral(" / \"") + m.source + QLatin1Char('"');
            if (!m.type.isEmpty()) problems << QStringLiteral("%1: type=\"%2\"").arg(where, m.type);
            if (m.forms.isEmpty()) problems << where + QStringLiteral(": no translation");
            for (const QString& form : m.forms) {
                if (form.trimmed().isEmpty()) problems << where + QStringLiteral(": empty translation");
                else if (placeholders(form) != placeholders(m.source))
                    problems << QStringLiteral("%1: placeholders %2 in \"%3\"")
                                    .arg(where, placeholders(form).join(QLatin1Char(',')), form);
            }
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // Both catalogues hold the same entries.
    void translationsCoverTheSameSources()
    {
        QString language, error;
        QSet<QString> de, zh;
        for (const TsMessage& m : readTs(QStringLiteral(PRECIS_SOURCE_DIR "/translations/precis_de.ts"), &language, &error))
            de.insert(m.context + QLatin1Char('\n') + m.source);
        for (const TsMessage& m :
             readTs(QStringLiteral(PRECIS_SOURCE_DIR "/translations/precis_zh_CN.ts"), &language, &error))
            zh.insert(m.context + QLatin1Char('\n') + m.source);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!de.isEmpty());
        QCOMPARE(de, zh);
    }

    void cataloguesEmbedded()
    {
        for (const app::Language& l : app::languages()) {
            if (l.code == QLatin1String("en")) continue;
            QVERIFY2(QFile::exists(QStringLiteral(":/i18n/precis_%1.qm").arg(l.code)), qPrintable(l.code));
        }
        QVERIFY(app::installLanguage(QStringLiteral("de")));
        QCOMPARE(app::installedLanguage(), QStringLiteral("de"));
        QCOMPARE(app::translatedIn(QStringLiteral("zh_CN"), "Language"), QStringLiteral("语言"));
        QCOMPARE(app::translatedIn(QStringLiteral("en"), "Language"), QStringLiteral("Language"));
        QVERIFY(!app::installLanguage(QStringLiteral("fr")));  // not offered: English stays
        QCOMPARE(app::installedLanguage(), QStringLiteral("en"));
    }

    void menuListsTheLanguages()
    {
        MainWindow w;
        auto* menu = w.findChild<QMenu*>(QStringLiteral("LanguageMenu"));
        QVERIFY(menu);
        QCOMPARE(menu->title(), QStringLiteral("&Language"));
        QStringList names;
        for (QAction* a : menu->actions()) names << a->text();
        QCOMPARE(names, (QStringList{QStringLiteral("English"), QStringLiteral("Deutsch"), QStringLiteral("简体中文")}));
        for (QAction* a : menu->actions()) {
            QVERIFY(a->isCheckable());
            QVERIFY(a->actionGroup() && a->actionGroup()->isExclusive());
        }
        QVERIFY(languageAction(w, QStringLiteral("en"))->isChecked());  // nothing saved, English running
    }

    // Deutsch, then 简体中文, then English: each choice is saved, announced in the
    // chosen language, and the next window (after the startup step) is in it.
    void switchingChangesTheNextWindow()
    {
        auto first = std::make_unique<MainWindow>();
        QCOMPARE(menuTitles(*first).value(0), QStringLiteral("&File"));
        languageAction(*first, QStringLiteral("de"))->trigger();
        QCOMPARE(QSettings().value(QLatin1String(app::kLanguageKey)).toString(), QStringLiteral("de"));
        QVERIFY(languageAction(*first, QStringLiteral("de"))->isChecked());
        QVERIFY(!languageAction(*first, QStringLiteral("en"))->isChecked());
        QMessageBox* box = languageBox(*first);
        QVERIFY(box);
        QCOMPARE(box->windowTitle(), QStringLiteral("Sprache"));
        QCOMPARE(box->text(), QStringLiteral("Die Sprache wechselt beim nächsten Start von Precis zu Deutsch."));
        QCOMPARE(menuTitles(*first).value(0), QStringLiteral("&File"));  // this window keeps its texts

        QCOMPARE(app::startupLanguage(), QStringLiteral("de"));
        QVERIFY(app::installLanguage(app::startupLanguage()));
        auto german = std::make_unique<MainWindow>();
        const QStringList titles = menuTitles(*german);
        QCOMPARE(titles.value(0), QStringLiteral("&Datei"));
        QVERIFY2(titles.contains(QStringLiteral("&Ansicht")), qPrintable(titles.join(QLatin1Char(' '))));
        QCOMPARE(german->findChild<QMenu*>(QStringLiteral("LanguageMenu"))->title(), QStringLiteral("&Sprache"));
        QVERIFY(languageAction(*german, QStringLiteral("de"))->isChecked());

        languageAction(*german, QStringLiteral("zh_CN"))->trigger();
        QVERIFY(languageBox(*german));
        QCOMPARE(languageBox(*german)->text(), QStringLiteral("下次启动 Precis 时，界面语言将切换为简体中文。"));
        QVERIFY(app::installLanguage(app::startupLanguage()));
        auto chinese = std::make_unique<MainWindow>();
        QCOMPARE(menuTitles(*chinese).value(0), QStringLiteral("文件(&F)"));

        languageAction(*chinese, QStringLiteral("en"))->trigger();
        QCOMPARE(QSettings().value(QLatin1String(app::kLanguageKey)).toString(), QStringLiteral("en"));
        QVERIFY(languageBox(*chinese));
        QCOMPARE(languageBox(*chinese)->text(), QStringLiteral("The language changes to English when Precis is started next."));
        QVERIFY(app::installLanguage(app::startupLanguage()));
        MainWindow english;
        QCOMPARE(menuTitles(english).value(0), QStringLiteral("&File"));

        // Choosing the running language needs no restart, so nothing is said.
        languageAction(english, QStringLiteral("en"))->trigger();
        QVERIFY(english.findChildren<QMessageBox*>(QStringLiteral("LanguageMessageBox")).isEmpty());
    }

    // Without a saved choice the system's language decides, when Precis has it.
    void startupLanguageFollowsTheLocale_data()
    {
        QTest::addColumn<QString>("locale");
        QTest::addColumn<QString>("saved");
        QTest::addColumn<QString>("expected");
        QTest::newRow("de_AT") << "de_AT" << "" << "de";
        QTest::newRow("zh_CN") << "zh_CN" << "" << "zh_CN";
        QTest::newRow("zh_SG, simplified") << "zh_SG" << "" << "zh_CN";
        QTest::newRow("zh_TW, traditional") << "zh_TW" << "" << "en";
        QTest::newRow("fr_FR") << "fr_FR" << "" << "en";
        QTest::newRow("saved wins") << "de_DE" << "zh_CN" << "zh_CN";
        QTest::newRow("saved English wins") << "de_DE" << "en" << "en";
        QTest::newRow("unknown saved value ignored") << "de_DE" << "xx" << "de";
    }

    void startupLanguageFollowsTheLocale()
    {
        QFETCH(QString, locale);
        QFETCH(QString, saved);
        QFETCH(QString, expected);
        QLocale::setDefault(QLocale(locale));
        if (!saved.isEmpty()) QSettings().setValue(QLatin1String(app::kLanguageKey), saved);
        QCOMPARE(app::startupLanguage(), expected);
    }
};

QTEST_MAIN(TestGuiLanguage)
#include "tst_gui_language.moc"
