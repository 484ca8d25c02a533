// StudioDocument's session records: relinking, renaming, deleting, exporting and
// importing sessions, and the current session's allocations, compressions and
// benchmarks (read and written through core/session's record functions).
#include "studio_document.h"

#include "budget_document.h"
#include "core_messages.h"

#include "allocation/closed_loop.h"
#include "session/session_allocations.h"
#include "session/session_benchmarks.h"
#include "session/session_calibration.h"
#include "session/session_compressions.h"
#include "session/session_store.h"

#include <QFileInfo>
#include <QTimer>

namespace precis::app {

bool StudioDocument::relinkSessionModel(int64_t sessionId, const QString& path)
{
    SessionStore* s = store();
    if (!s) return false;
    if (auto r = s->relinkModel(sessionId, QFileInfo(path).absoluteFilePath().toStdString()); !r.ok()) {
        emit errorOccurred(coreErrorText(r.error()));
        return false;
    }
    return true;
}

bool StudioDocument::renameSession(int64_t sessionId, const QString& name)
{
    SessionStore* s = store();
    if (!s) return false;
    if (auto r = s->renameSession(sessionId, name.toStdString()); !r.ok()) {
        emit errorOccurred(coreErrorText(r.error()));
        return false;
    }
    if (sessionId == m_sessionId) setSession(sessionId, name);
    return true;
}

bool StudioDocument::deleteSession(int64_t sessionId)
{
    SessionStore* s = store();
    if (!s) return false;
    if (sessionId == m_sessionId) {
        m_stateTimer->stop();  // nothing is written into the session being deleted
        setSession(0, {});
    }
    if (auto r = s->removeSession(sessionId); !r.ok()) {
        emit errorOccurred(coreErrorText(r.error()));
        return false;
    }
    return true;
}

bool StudioDocument::exportSession(int64_t sessionId, const QString& path)
{
    SessionStore* s = store();
    if (!s) return false;
    if (sessionId == m_sessionId && m_stateTimer->isActive()) saveBudgetState();
    if (auto r = s->exportSession(sessionId, path.toStdString()); !r.ok()) {
        emit errorOccurred(coreErrorText(r.error()));
        return false;
    }
    return true;
}

int64_t StudioDocument::importSession(const QString& path)
{
    SessionStore* s = store();
    if (!s) return 0;
    auto id = s->importSession(path.toStdString());
    auto info = id ? s->session(*id) : Result<SessionInfo>(id.error());
    if (!info) {
        emit errorOccurred(coreErrorText(info.error()));
        return 0;
    }
    emit statusMessage(tr("Imported session '%1' from %2.").arg(QString::fromStdString(info->name), path));
    return *id;
}

template <typename T, typename Load>
std::vector<T> StudioDocument::sessionRecords(Load load)
{
    SessionStore* s = m_sessionId ? store() : nullptr;
    if (!s) return {};
    std::vector<Error> unreadable;
    auto list = load(*s, m_sessionId, &unreadable);
    if (!list) {
        emit errorOccurred(coreErrorText(list.error()));
        return {};
    }
    reportUnreadable(unreadable);
    return std::move(list).value();
}

std::vector<SavedAllocation> StudioDocument::allocations()
{
    return sessionRecords<SavedAllocation>(
        [](SessionStore& s, int64_t id, std::vector<Error>* bad) { return loadAllocations(s, id, bad); });
}

bool StudioDocument::saveAllocation(const QString& name)
{
    SessionStore* s = store();
    if (!s) return false;
    if (m_sessionId == 0) {
        emit errorOccurred(tr("Run a calibration (or File ▸ New Session) first: allocations belong to a session."));
        return false;
    }
    if (!m_budget->hasAllocation()) {
        emit errorOccurred(tr("There is no allocation to save: calibrate and choose a budget first."));
        return false;
    }
    auto saved = precis::saveAllocation(*s, m_sessionId, name.toStdString(), m_budget->spec(), m_budget->assignment(),
                                        m_budget->totals());
    if (!saved) {
        emit errorOccurred(coreErrorText(saved.error()));
        return false;
    }
    emit statusMessage(tr("Saved allocation '%1' in session '%2'.").arg(name, m_sessionName));
    return true;
}

bool StudioDocument::loadAllocation(int64_t allocationId)
{
    SessionStore* s = m_sessionId ? store() : nullptr;
    if (!s) return false;
    auto record = s->allocation(allocationId);
    auto saved = record ? parseAllocation(*record) : Result<SavedAllocation>(record.error());
    if (!saved) {
        emit errorOccurred(coreErrorText(saved.error()));
        return false;
    }
    m_budget->setSpec(saved->budget);
    if (m_budget->hasAllocation() && m_budget->assignment() != saved->assignment) {
        int differ = 0;
        const Assignment now = m_budget->assignment();
        for (size_t i = 0; i < now.size(); ++i)
            if (i >= saved->assignment.size() || now[i] != saved->assignment[i]) ++differ;
        emit statusMessage(tr("Loaded '%1': the session's calibration has changed since it was saved, so %n unit(s) "
                              "now get other options.", nullptr, differ)
                               .arg(QString::fromStdString(saved->name)));
    } else {
        emit statusMessage(tr("Loaded allocation '%1' into the Budget tab.").arg(QString::fromStdString(saved->name)));
    }
    if (m_sessionId) m_stateTimer->start();
    return true;
}

bool StudioDocument::deleteAllocation(int64_t allocationId)
{
    SessionStore* s = store();
    if (!s) return false;
    if (auto r = s->removeAllocation(allocationId); !r.ok()) {
        emit errorOccurred(coreErrorText(r.error()));
        return false;
    }
    return true;
}

int64_t StudioDocument::addCompression(int64_t sessionId, const CompressionEntry& entry)
{
    SessionStore* s = store();
    if (!s) return 0;
    if (sessionId == 0) {
        emit errorOccurred(tr("The compression has no session to be stored in."));
        return 0;
    }
    auto id = recordCompression(*s, sessionId, entry);
    if (!id) {
        emit errorOccurred(coreErrorText(id.error()));
        return 0;
    }
    if (m_sessionId == 0) {  // the job created the session for this model: it becomes current
        auto info = s->session(sessionId);
        if (info) setSession(sessionId, QString::fromStdString(info->name));
        saveBudgetState();
    }
    return *id;
}

std::vector<CompressionEntry> StudioDocument::compressions()
{
    return sessionRecords<CompressionEntry>(
        [](SessionStore& s, int64_t id, std::vector<Error>* bad) { return loadCompressions(s, id, bad); });
}

std::vector<LoopSample> StudioDocument::closedLoopSamples()
{
    SessionStore* s = m_sessionId ? store() : nullptr;
    if (!s) return {};
    auto samples = precis::closedLoopSamples(*s, m_sessionId);
    if (!samples) {
        emit errorOccurred(coreErrorText(samples.error()));
        return {};
    }
    return std::move(samples).value();
}

int64_t StudioDocument::addBenchmark(const MachineInfo& machine, const BenchResult& result,
                                     std::optional<int64_t> compressionId)
{
    SessionStore* s = m_sessionId ? store() : nullptr;
    if (!s) return 0;
    auto id = recordBenchmark(*s, m_sessionId, machine, result, compressionId);
    if (!id) {
        emit errorOccurred(coreErrorText(id.error()));
        return 0;
    }
    return *id;
}

std::vector<StoredBenchmark> StudioDocument::benchmarks()
{
    SessionStore* s = m_sessionId ? store() : nullptr;
    if (!s) return {};
    std::vector<Error> unreadable;
    auto list = loadBenchmarks(*s, m_sessionId, &unreadable);
    if (!list) {
        emit errorOccurred(coreErrorText(list.error()));
        return {};
    }
    reportUnreadable(unreadable);
    return std::move(list).value();
}

QString StudioDocument::lastCalibrationText()
{
    SessionStore* s = m_sessionId ? store() : nullptr;
    if (!s) return {};
    auto latest = s->latestRun(m_sessionId);
    if (!latest || !*latest) return {};
    auto settings = parseCalibrationSettings(**latest);
    if (!settings) return {};
    const QString path = QString::fromStdString(settings->textPath);
    return QFileInfo(path).isFile() ? path : QString();
}

} // namespace precis::app
