#include "cli/cli_common.h"

#include "common/mapped_file.h"
#include "common/memory.h"
#include "formats/model_loader.h"
#include "quant/scheme.h"

#include <QJsonDocument>

#include <cstdio>
#include <unistd.h>

namespace precis::cli {

QCommandLineOption threadsOption()
{
    return {QStringLiteral("threads"), QStringLiteral("Worker threads (default: all cores)."), QStringLiteral("N")};
}

QCommandLineOption memoryLimitOption()
{
    return {QStringLiteral("max-memory"),
            QStringLiteral("Memory the job may use, e.g. 8GB, 1.5GiB, 800MB; a job estimated to need more is refused "
                           "before it starts (default: 80 % of this machine's memory, %1).")
                .arg(QString::fromStdString(formatBytes(defaultMemoryLimit()))),
            QStringLiteral("SIZE")};
}

QCommandLineOption tokenizerOption()
{
    return {QStringLiteral("tokenizer"), QStringLiteral("tokenizer.bin for a llama2.c model (default: beside it)."),
            QStringLiteral("FILE")};
}

void failInput(const QString& message) { throw CliExit{ExitBadInput, message}; }
void failUsage(const QString& message) { throw CliExit{ExitUsage, message}; }
void failError(const Error& error) { failInput(QString::fromStdString(error.toString())); }

CommandParser::CommandParser(const QString& command, const QString& description) : m_command(command)
{
    m_parser.setApplicationDescription(description);
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    m_parser.addHelpOption();
    m_parser.addOption({QStringLiteral("json"), QStringLiteral("Print the result as JSON on stdout.")});
}

void CommandParser::addPositional(const QString& name, const QString& description, const QString& syntax)
{
    m_parser.addPositionalArgument(name, description, syntax);
}

void CommandParser::parse(const QStringList& args, int minPositional, int maxPositional)
{
    if (!m_parser.parse(args))
        failUsage(QStringLiteral("%1: %2").arg(m_command, m_parser.errorText()));
    if (m_parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(m_parser.helpText().replace(QStringLiteral("Usage: precis-cli"),
                                                          QStringLiteral("Usage: precis-cli ") + m_command)),
                   stdout);
        throw CliExit{ExitOk, {}};
    }
    const int n = int(m_parser.positionalArguments().size());
    if (n < minPositional)
        failUsage(QStringLiteral("%1: missing argument (see precis-cli %1 --help)").arg(m_command));
    if (n > maxPositional)
        failUsage(QStringLiteral("%1: unexpected argument '%2'").arg(m_command, m_parser.positionalArguments().at(maxPositional)));
}

int CommandParser::intValue(const QString& name, int def, int min, int max) const
{
    if (!m_parser.isSet(name))
        return def;
    bool ok = false;
    const qlonglong v = m_parser.value(name).toLongLong(&ok);
    if (!ok || v < min || v > max)
        failUsage(QStringLiteral("%1: --%2 '%3' is not an integer in %4..%5")
                      .arg(m_command, name, m_parser.value(name)).arg(min).arg(max));
    return int(v);
}

uint64_t CommandParser::memoryLimit() const
{
    if (!m_parser.isSet(QStringLiteral("max-memory"))) return defaultMemoryLimit();
    auto v = parseMemorySize(m_parser.value(QStringLiteral("max-memory")).toStdString(), "--max-memory");
    if (!v.ok()) failUsage(m_command + QStringLiteral(": ") + QString::fromStdString(v.error().toString()));
    return *v;
}

double CommandParser::doubleValue(const QString& name, double def, double min, double max) const
{
    if (!m_parser.isSet(name))
        return def;
    bool ok = false;
    const double v = m_parser.value(name).toDouble(&ok);
    if (!ok || !(v >= min && v <= max))
        failUsage(QStringLiteral("%1: --%2 '%3' is not a number in %4..%5")
                      .arg(m_command, name, m_parser.value(name)).arg(min).arg(max));
    return v;
}

std::shared_ptr<const Model> loadModelOrExit(const QString& path, const QString& tokenizerPath)
{
    LoadOptions options;
    options.tokenizerPath = tokenizerPath.toStdString();
    auto r = loadModel(path.toStdString(), options);
    if (!r.ok())
        failError(r.error());
    return std::move(r).value();
}

std::shared_ptr<const Tokenizer> tokenizerOrExit(const Model& model)
{
    if (model.tokenizer.kind == TokenizerKind::None)
        failInput(QStringLiteral("%1: the model carries no tokenizer").arg(QString::fromStdString(model.path)));
    auto r = Tokenizer::create(model.tokenizer);
    if (!r.ok())
        failError(r.error());
    return std::move(r).value();
}

std::string readTextOrExit(const QString& path)
{
    auto r = readTextFile(path.toStdString());
    if (!r.ok())
        failError(r.error());
    if (r->empty())
        failInput(QStringLiteral("%1: the text file is empty; expected some text to tokenize").arg(path));
    return std::move(r).value();
}

MemoryEstimate memoryOrExit(const Result<MemoryEstimate>& fitted, uint64_t limit, bool json, const QString& changes)
{
    if (!fitted.ok()) failError(fitted.error());
    if (!json)
        printLine(QStringLiteral("memory: %1, limit %2%3")
                      .arg(QString::fromStdString(fitted->describe()), QString::fromStdString(formatBytes(limit)), changes));
    return *fitted;
}

uint64_t residentBeforeJob()
{
    resetPeakResidentBytes();
    return residentBytes();
}

void printPeakMemory(const MemoryEstimate& estimate, uint64_t residentBefore)
{
    printLine(QStringLiteral("peak resident memory %1 (%2 before the run; estimated %3)")
                  .arg(QString::fromStdString(formatBytes(peakResidentBytes())),
                       QString::fromStdString(formatBytes(residentBefore)),
                       QString::fromStdString(formatBytes(estimate.total()))));
}

void addMemoryJson(QJsonObject& o, const MemoryEstimate& estimate, uint64_t limit, uint64_t residentBefore)
{
    o["memory_estimate_bytes"] = qint64(estimate.total());
    o["memory_limit_bytes"] = qint64(limit);
    o["resident_before_bytes"] = qint64(residentBefore);
    o["peak_resident_bytes"] = qint64(peakResidentBytes());
}

void printJson(const QJsonObject& object)
{
    const QByteArray bytes = QJsonDocument(object).toJson(QJsonDocument::Indented);
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void printLine(const QString& text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fputc('\n', stdout);
}

static bool s_progressShown = false;

void printProgress(const QString& text)
{
    if (!::isatty(STDERR_FILENO))
        return;
    std::fprintf(stderr, "\r\033[K%s", qPrintable(text));
    std::fflush(stderr);
    s_progressShown = true;
}

void endProgress()
{
    if (s_progressShown)
        std::fputs("\r\033[K", stderr);
    s_progressShown = false;
}

QString humanBytes(uint64_t bytes)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = double(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 4) { v /= 1024.0; ++u; }
    return u == 0 ? QStringLiteral("%1 B").arg(bytes) : QStringLiteral("%1 %2").arg(v, 0, 'f', 2).arg(QLatin1String(units[u]));
}

QString shapeText(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t d : shape) parts << QString::number(d);
    return parts.join(QStringLiteral(" x "));
}

QString schemeList()
{
    QStringList names;
    for (const quant::Scheme& s : quant::standardSchemes()) names << QString::fromStdString(s.name());
    return names.join(QStringLiteral(", ")) + QStringLiteral(", RTN<b>g<g>[a]");
}

} // namespace precis::cli
