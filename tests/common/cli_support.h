// Running precis-cli from the CLI tests (PRECIS_CLI_PATH is set per test target).
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>

namespace precis::test {

struct CliRun {
    int code = -1;  // exit status; -1 when the process crashed
    QByteArray out, err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

inline CliRun runCli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(PRECIS_CLI_PATH), args);
    p.waitForFinished(600000);
    return CliRun{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
                  p.readAllStandardError()};
}

} // namespace precis::test
