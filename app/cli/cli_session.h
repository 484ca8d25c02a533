// precis-cli plumbing for commands that work on a session database.
#pragma once

#include "sensitivity/report.h"
#include "session/session_store.h"

#include <QString>

namespace precis::cli {

// Opens an existing database; exits 1 naming it when missing or unreadable.
SessionStore openSessionStoreOrExit(const QString& path, const QString& command);
// The session named `name`, or the most recently used one when `name` is empty; exits 1 when none.
SessionInfo pickSessionOrExit(SessionStore& store, const QString& name, const QString& command);

// The session's latest finished calibration run and its report; exits 1 when
// there is none, or when the model file changed since (its SHA-256 differs).
struct SessionReport {
    int64_t runId = 0;
    sensitivity::SensitivityReport report;
};
SessionReport latestReportOrExit(SessionStore& store, const SessionInfo& session, const QString& command);

} // namespace precis::cli
