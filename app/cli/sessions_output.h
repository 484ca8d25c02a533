// precis-cli sessions: the sub-commands that print a summary or a comparison
// (cmd_sessions_show.cpp), and what cmd_sessions.cpp shares with them.
#pragma once

#include <QString>
#include <QStringList>

#include <string>

namespace precis::cli {

// `sessions show` and `sessions compare` (args[0] = "precis-cli").
int sessionsShow(const QStringList& args);
int sessionsCompare(const QStringList& args);

// "2025-01-31 12:00" of a stored ISO-8601 UTC time.
QString timeText(const std::string& iso);

} // namespace precis::cli
