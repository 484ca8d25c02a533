// Running precis-cli from the CLI tests (PRECIS_CLI_PATH is set per test target).
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>

#include "formats/gguf.h"
#include "model/random_model.h"

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

// The memory tests' model: a 16M-parameter Llama (4 × 512, FFN 1408, vocabulary
// 4096) as an F32 GGUF at `path`, big enough that its jobs' memory is measurable.
inline bool writeMemoryTestModel(const QString& path)
{
    ModelConfig c;
    c.arch = Arch::Llama;
    c.archName = "llama";
    c.nLayer = 4, c.nEmbd = 512, c.nHead = 8, c.nHeadKv = 4, c.nFf = 1408, c.nVocab = 4096, c.nCtx = 512;
    return gguf::writeModel(*makeRandomModel(c, 3), path.toStdString()).ok();
}

// A job's measured peak growth (its JSON's peak_resident_bytes − resident_before_bytes)
// within 25 % of its memory_estimate_bytes; logs both.
inline bool peakWithinEstimate(const QJsonObject& j, const char* what)
{
    const double estimate = j["memory_estimate_bytes"].toDouble();
    const double grown = j["peak_resident_bytes"].toDouble() - j["resident_before_bytes"].toDouble();
    qInfo("%s: estimate %.1f MiB, measured peak growth %.1f MiB (ratio %.3f)", what, estimate / 1048576,
          grown / 1048576, grown / estimate);
    return grown >= 0.75 * estimate && grown <= 1.25 * estimate;
}

} // namespace precis::test
