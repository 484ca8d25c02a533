// precis — the studio.
//   precis [MODEL]        opens MODEL (file or folder); without one, the bundled
//                         sample model when it is installed, else an empty window.
// Hidden, for documentation screenshots:
//   --screenshot FILE     computes attention for a sentence, saves the window as
//                         FILE (PNG) and exits (status 0 on success)
//   --text TEXT           the sentence (default: a short story opening)
//   --select L,H          the layer and head to show
#include "attention_view.h"
#include "common/memory.h"
#include "language.h"
#include "main_window.h"
#include "studio_document.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>

using precis::app::MainWindow;
using precis::app::StudioDocument;

namespace {

// The sample model: beside a build tree (<exe>/../../resources/sample) or installed
// under <datadir>/precis/sample.
QString findSampleModel()
{
    const QString rel = QStringLiteral("precis/sample/model.gguf");
    const QString exeDir = QCoreApplication::applicationDirPath();
    QStringList candidates = {exeDir + QStringLiteral("/../../resources/sample/model.gguf"),
                              exeDir + QStringLiteral("/../share/") + rel};
    const QString located = QStandardPaths::locate(QStandardPaths::GenericDataLocation, rel);
    if (!located.isEmpty()) candidates << located;
    for (const QString& c : candidates)
        if (QFileInfo(c).isFile()) return QFileInfo(c).canonicalFilePath();
    return {};
}

// Wires the window so that, once the model is open, attention is computed for
// `text`, the window is grabbed into `file` and the application exits.
void armScreenshot(MainWindow& window, const QString& file, const QString& text, int layer, int head)
{
    StudioDocument* doc = window.document();
    QObject::connect(doc, &StudioDocument::modelChanged, &window, [&window, text] {
        window.attentionView()->setText(text);
        window.document()->computeAttention(text);
    });
    QObject::connect(doc, &StudioDocument::attentionReady, &window, [&window, file, layer, head] {
        window.attentionView()->setSelection(layer, head);
        // Let layouts settle and the plot replot before grabbing.
        QTimer::singleShot(500, &window, [&window, file] {
            const bool ok = window.grab().toImage().save(file, "PNG");
            std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "saved" : "cannot write", qPrintable(file));
            QCoreApplication::exit(ok ? 0 : 1);
        });
    });
    QObject::connect(doc, &StudioDocument::errorOccurred, &window, [](const QString& message) {
        std::fprintf(stderr, "precis: %s\n", qPrintable(message));
        QCoreApplication::exit(1);
    });
}

} // namespace

int main(int argc, char** argv)
{
    precis::configureAllocator();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Precis"));
    QApplication::setApplicationName(QStringLiteral("precis"));
    QApplication::setApplicationVersion(QStringLiteral(PRECIS_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/precis.svg")));
    // The language saved by View ▸ Language, else the system's (language.h).
    precis::app::installLanguage(precis::app::startupLanguage());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Precis: a studio for compressing transformer language models."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QApplication::translate("main", "Model file or folder to open."),
                                 QStringLiteral("[MODEL]"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"), QStringLiteral("Save a screenshot and exit."),
                                  QStringLiteral("file"));
    QCommandLineOption text(QStringLiteral("text"), QStringLiteral("Sentence for the screenshot."),
                            QStringLiteral("text"),
                            QStringLiteral("Once upon a time, there was a little girl named Lily. "
                                           "She loved to play outside in the park with her dog."));
    QCommandLineOption select(QStringLiteral("select"), QStringLiteral("Layer and head for the screenshot."),
                              QStringLiteral("layer,head"), QStringLiteral("0,0"));
    for (QCommandLineOption* o : {&screenshot, &text, &select}) {
        o->setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOption(*o);
    }
    parser.process(app);

    MainWindow window;
    QString model = parser.positionalArguments().value(0);
    if (model.isEmpty()) model = findSampleModel();

    if (parser.isSet(screenshot)) {
        if (model.isEmpty()) {
            std::fprintf(stderr, "precis: --screenshot needs a model\n");
            return 2;
        }
        const QStringList lh = parser.value(select).split(QLatin1Char(','));
        armScreenshot(window, parser.value(screenshot), parser.value(text), lh.value(0).toInt(), lh.value(1).toInt());
        window.resize(1280, 800);
    }
    window.show();
    if (!model.isEmpty()) window.openModel(model);
    return app.exec();
}
