// precis-cli sub-commands. Each takes the argument list starting with
// "precis-cli <command>" and returns the exit code (errors leave via CliExit).
#pragma once

#include <QStringList>

namespace precis::cli {

int cmdInfo(const QStringList& args);
int cmdTokenize(const QStringList& args);
int cmdPerplexity(const QStringList& args);
int cmdGenerate(const QStringList& args);
int cmdTrain(const QStringList& args);
int cmdSelfgen(const QStringList& args);
int cmdAnalyze(const QStringList& args);
int cmdReport(const QStringList& args);
int cmdCompress(const QStringList& args);
int cmdEvalCompare(const QStringList& args);
int cmdExport(const QStringList& args);
int cmdAllocate(const QStringList& args);
int cmdAllocations(const QStringList& args);
int cmdBench(const QStringList& args);
int cmdSessions(const QStringList& args);  // list, show, rename, delete, export, import, compare

} // namespace precis::cli
