#include "cli/cli_session.h"

#include "cli/cli_common.h"
#include "sensitivity/report_store.h"

#include <QFileInfo>

namespace precis::cli {

SessionStore openSessionStoreOrExit(const QString& path, const QString& command)
{
    if (!QFileInfo::exists(path)) failInput(QStringLiteral("%1: %2: no such session database").arg(command, path));
    auto store = SessionStore::open(path.toStdString());
    if (!store.ok()) failError(store.error());
    return std::move(store).value();
}

SessionInfo pickSessionOrExit(SessionStore& store, const QString& name, const QString& command)
{
    if (!name.isEmpty()) {
        auto s = store.sessionByName(name.toStdString());
        if (!s.ok()) failError(s.error());
        if (!*s) failInput(QStringLiteral("%1: %2 has no session named '%3'").arg(command, QString::fromStdString(store.path()), name));
        return **s;
    }
    auto all = store.sessions();
    if (!all.ok()) failError(all.error());
    if (all->empty()) failInput(QStringLiteral("%1: %2 holds no sessions").arg(command, QString::fromStdString(store.path())));
    return all->front();
}

SessionReport latestReportOrExit(SessionStore& store, const SessionInfo& session, const QString& command)
{
    auto latest = store.latestRun(session.id);
    if (!latest.ok()) failError(latest.error());
    if (!*latest || (*latest)->status != RunStatus::Done)
        failInput(QStringLiteral("%1: session '%2' has no finished calibration run (precis-cli analyze first)")
                      .arg(command, QString::fromStdString(session.name)));
    auto report = sensitivity::loadReport(store, (*latest)->id);
    if (!report.ok()) failError(report.error());
    auto check = store.checkModel(session.model.id);
    if (!check.ok()) failError(check.error());
    if (check->changed())
        failInput(QStringLiteral("%1: the model file %2 has changed or is missing since the calibration run "
                                 "(sha256 differs); run analyze again")
                      .arg(command, QString::fromStdString(session.model.path)));
    return {(*latest)->id, std::move(report).value()};
}

} // namespace precis::cli
