// Shared plumbing of precis-cli commands: option parsing conventions, exit
// codes, JSON/text output, model loading with one-line errors.
#pragma once

#include "common/memory.h"
#include "common/result.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace precis::cli {

enum Exit { ExitOk = 0, ExitBadInput = 1, ExitUsage = 2 };

// Thrown inside a command to leave with a message and exit code; caught in main.
struct CliExit {
    int code;
    QString message;
};

[[noreturn]] void failInput(const QString& message);   // exit 1
[[noreturn]] void failUsage(const QString& message);   // exit 2
[[noreturn]] void failError(const Error& error);       // exit 1 with the core error line

// Parser for one sub-command: adds --help and --json; `positional` documents
// the positional arguments. Parses `args` (args[0] = "precis-cli <command>").
class CommandParser {
public:
    CommandParser(const QString& command, const QString& description);
    void addOption(const QCommandLineOption& option) { m_parser.addOption(option); }
    void addPositional(const QString& name, const QString& description, const QString& syntax = {});
    // Parses; on --help prints help and exits 0; on unknown options exits 2.
    void parse(const QStringList& args, int minPositional, int maxPositional);

    bool isSet(const QString& name) const { return m_parser.isSet(name); }
    QString value(const QString& name) const { return m_parser.value(name); }
    QStringList positional() const { return m_parser.positionalArguments(); }
    bool json() const { return m_parser.isSet(QStringLiteral("json")); }

    int intValue(const QString& name, int def, int min, int max) const;
    double doubleValue(const QString& name, double def, double min, double max) const;
    // --max-memory SIZE (memoryLimitOption), default: defaultMemoryLimit(); exits 2 on a bad size.
    uint64_t memoryLimit() const;

private:
    QString m_command;
    QCommandLineParser m_parser;
};

// Options several commands share: --threads N, --tokenizer FILE (llama2.c), --max-memory SIZE.
QCommandLineOption threadsOption();
QCommandLineOption tokenizerOption();
QCommandLineOption memoryLimitOption();

// Loads MODEL (file, HF folder, or llama2.c .bin with `tokenizerPath`); exits 1 on error.
std::shared_ptr<const Model> loadModelOrExit(const QString& path, const QString& tokenizerPath = {});
// The model's tokenizer; exits 1 if the model carries none.
std::shared_ptr<const Tokenizer> tokenizerOrExit(const Model& model);

// Reads a text file (UTF-8); exits 1 naming the file when unreadable or empty.
std::string readTextOrExit(const QString& path);

// A job's memory as it will run, fitted to the limit: exits 1 with the refusal;
// prints "memory: <estimate>, limit <limit><changes>" unless json. Returns the estimate.
MemoryEstimate memoryOrExit(const Result<MemoryEstimate>& fitted, uint64_t limit, bool json, const QString& changes = {});
// memory_estimate_bytes, memory_limit_bytes, resident_before_bytes and
// peak_resident_bytes (now) added to `o`.
// The resident set before a job, its peak reset: what the job's estimate leaves out.
uint64_t residentBeforeJob();
// "peak resident memory X (Y before the run; estimated Z)".
void printPeakMemory(const MemoryEstimate& estimate, uint64_t residentBefore);
void addMemoryJson(QJsonObject& o, const MemoryEstimate& estimate, uint64_t limit, uint64_t residentBefore);

void printJson(const QJsonObject& object);
void printLine(const QString& text);          // stdout
void printProgress(const QString& text);      // stderr, carriage-return updated line (only when a tty)
void endProgress();

QString humanBytes(uint64_t bytes);
// "F32, F16, …, Q2_K, RTN<b>g<g>[a]": the schemes a plan may name (usage messages).
QString schemeList();
QString shapeText(const std::vector<int64_t>& shape);

} // namespace precis::cli
