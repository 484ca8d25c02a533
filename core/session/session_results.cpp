// Allocations, compressions and benchmarks.
#include "session/session_store.h"

#include "session/session_store_internal.h"

namespace precis {

using namespace session_detail;

namespace {

AllocationRecord readAllocationColumns(const sqlite::Statement& st)
{
    AllocationRecord a;
    a.id = st.columnInt(0);
    a.sessionId = st.columnInt(1);
    a.name = st.columnText(2);
    a.budgetJson = st.columnText(3);
    a.assignmentJson = st.columnText(4);
    a.totalsJson = st.columnText(5);
    a.createdAt = st.columnText(6);
    return a;
}

constexpr const char* kAllocationSelect =
    "SELECT id, session_id, name, budget_json, assignment_json, totals_json, created_at FROM allocations ";

} // namespace

// ---------------------------------------------------------------- allocations

Result<int64_t> SessionStore::saveAllocation(int64_t sessionId, const std::string& name, const std::string& budgetJson,
                                             const std::string& assignmentJson, const std::string& totalsJson)
{
    PRECIS_TRY(requireNonEmpty(m_db.path(), name, "allocation name"));
    PRECIS_TRY(requireJson(m_db.path(), budgetJson, "allocation budget"));
    PRECIS_TRY(requireJson(m_db.path(), assignmentJson, "allocation assignment"));
    PRECIS_TRY(requireJson(m_db.path(), totalsJson, "allocation totals"));
    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "save an allocation"));
    PRECIS_TRY(requireSession(sessionId, "save an allocation"));
    {
        // Delete + insert rather than update: compressions made from the old
        // allocation must not appear to come from the new one (SET NULL).
        PRECIS_TRY_ASSIGN(auto del, m_db.prepare("DELETE FROM allocations WHERE session_id = ? AND name = ?"));
        del.bind(1, sessionId).bind(2, name);
        PRECIS_TRY(del.run());
    }
    int64_t id = 0;
    {
        PRECIS_TRY_ASSIGN(auto ins, m_db.prepare("INSERT INTO allocations(session_id, name, budget_json, "
                                                 "assignment_json, totals_json) VALUES(?, ?, ?, ?, ?)"));
        ins.bind(1, sessionId).bind(2, name).bind(3, budgetJson).bind(4, assignmentJson).bind(5, totalsJson);
        PRECIS_TRY(ins.run());
        id = m_db.lastInsertId();
    }
    PRECIS_TRY(touchSession(sessionId));
    PRECIS_TRY(tx.commit());
    return id;
}

Result<std::vector<AllocationRecord>> SessionStore::allocations(int64_t sessionId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare(std::string(kAllocationSelect) + "WHERE session_id = ? ORDER BY id"));
    st.bind(1, sessionId);
    std::vector<AllocationRecord> out;
    for (;;) {
        PRECIS_TRY_ASSIGN(const bool row, st.step());
        if (!row)
            return out;
        out.push_back(readAllocationColumns(st));
    }
}

Result<AllocationRecord> SessionStore::allocation(int64_t allocationId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare(std::string(kAllocationSelect) + "WHERE id = ?"));
    st.bind(1, allocationId);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return error("allocation " + std::to_string(allocationId) + " does not exist");
    return readAllocationColumns(st);
}

Result<void> SessionStore::removeAllocation(int64_t allocationId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("DELETE FROM allocations WHERE id = ?"));
    st.bind(1, allocationId);
    PRECIS_TRY(st.run());
    if (m_db.changes() == 0)
        return error("cannot remove allocation " + std::to_string(allocationId) + ": it does not exist");
    return {};
}

// ---------------------------------------------------------------- compressions

Result<int64_t> SessionStore::addCompression(const CompressionRecord& record)
{
    PRECIS_TRY(requireNonEmpty(m_db.path(), record.method, "compression method"));
    PRECIS_TRY(requireJson(m_db.path(), record.settingsJson, "compression settings"));
    PRECIS_TRY(requireJson(m_db.path(), record.metricsJson, "compression metrics"));
    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "add a compression"));
    PRECIS_TRY(requireSession(record.sessionId, "add a compression"));
    if (record.allocationId) {
        PRECIS_TRY_ASSIGN(const AllocationRecord a, allocation(*record.allocationId));
        if (a.sessionId != record.sessionId)
            return error("cannot add a compression to session " + std::to_string(record.sessionId) +
                         ": allocation " + std::to_string(a.id) + " belongs to session " +
                         std::to_string(a.sessionId));
    }
    int64_t id = 0;
    {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare("INSERT INTO compressions(session_id, allocation_id, method, "
                                                "output_path, settings_json, metrics_json) VALUES(?, ?, ?, ?, ?, ?)"));
        st.bind(1, record.sessionId).bind(2, record.allocationId).bind(3, record.method).bind(4, record.outputPath)
            .bind(5, record.settingsJson).bind(6, record.metricsJson);
        PRECIS_TRY(st.run());
        id = m_db.lastInsertId();
    }
    PRECIS_TRY(touchSession(record.sessionId));
    PRECIS_TRY(tx.commit());
    return id;
}

Result<std::vector<CompressionRecord>> SessionStore::compressions(int64_t sessionId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT id, session_id, allocation_id, method, output_path, settings_json, "
                                            "metrics_json, created_at FROM compressions WHERE session_id = ? "
                                            "ORDER BY id"));
    st.bind(1, sessionId);
    std::vector<CompressionRecord> out;
    for (;;) {
        PRECIS_TRY_ASSIGN(const bool row, st.step());
        if (!row)
            return out;
        CompressionRecord c;
        c.id = st.columnInt(0);
        c.sessionId = st.columnInt(1);
        c.allocationId = st.columnOptInt(2);
        c.method = st.columnText(3);
        c.outputPath = st.columnText(4);
        c.settingsJson = st.columnText(5);
        c.metricsJson = st.columnText(6);
        c.createdAt = st.columnText(7);
        out.push_back(std::move(c));
    }
}

// ---------------------------------------------------------------- benchmarks

Result<int64_t> SessionStore::addBenchmark(const BenchmarkRecord& record)
{
    PRECIS_TRY(requireJson(m_db.path(), record.machineJson, "benchmark machine"));
    PRECIS_TRY(requireJson(m_db.path(), record.resultsJson, "benchmark results"));
    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "add a benchmark"));
    PRECIS_TRY(requireSession(record.sessionId, "add a benchmark"));
    if (record.compressionId) {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT session_id FROM compressions WHERE id = ?"));
        st.bind(1, *record.compressionId);
        PRECIS_TRY_ASSIGN(const bool found, st.step());
        if (!found || st.columnInt(0) != record.sessionId)
            return error("cannot add a benchmark to session " + std::to_string(record.sessionId) + ": compression " +
                         std::to_string(*record.compressionId) + " does not belong to it");
    }
    int64_t id = 0;
    {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare("INSERT INTO benchmarks(session_id, compression_id, machine_json, "
                                                "results_json) VALUES(?, ?, ?, ?)"));
        st.bind(1, record.sessionId).bind(2, record.compressionId).bind(3, record.machineJson)
            .bind(4, record.resultsJson);
        PRECIS_TRY(st.run());
        id = m_db.lastInsertId();
    }
    PRECIS_TRY(touchSession(record.sessionId));
    PRECIS_TRY(tx.commit());
    return id;
}

Result<std::vector<BenchmarkRecord>> SessionStore::benchmarks(int64_t sessionId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT id, session_id, compression_id, machine_json, results_json, "
                                            "created_at FROM benchmarks WHERE session_id = ? ORDER BY id"));
    st.bind(1, sessionId);
    std::vector<BenchmarkRecord> out;
    for (;;) {
        PRECIS_TRY_ASSIGN(const bool row, st.step());
        if (!row)
            return out;
        BenchmarkRecord b;
        b.id = st.columnInt(0);
        b.sessionId = st.columnInt(1);
        b.compressionId = st.columnOptInt(2);
        b.machineJson = st.columnText(3);
        b.resultsJson = st.columnText(4);
        b.createdAt = st.columnText(5);
        out.push_back(std::move(b));
    }
}

} // namespace precis
