#include "cli/cli_session.h"

#include "cli/cli_common.h"

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

} // namespace precis::cli
