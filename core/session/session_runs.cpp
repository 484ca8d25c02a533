// Calibration runs, their per-step results (sensitivity, chunk maps, blobs) and
// the option-table cache.
#include "session/session_store.h"

#include "session/session_store_internal.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace precis {

using namespace session_detail;

namespace {

// Chunk maps are stored as float32 little-endian whatever the host order.
std::vector<std::byte> encodeFloats(const std::vector<float>& values)
{
    std::vector<std::byte> out(values.size() * 4);
    if constexpr (std::endian::native == std::endian::little) {
        if (!values.empty())
            std::memcpy(out.data(), values.data(), out.size());
    } else {
        for (size_t i = 0; i < values.size(); ++i) {
            const uint32_t bits = std::bit_cast<uint32_t>(values[i]);
            for (int b = 0; b < 4; ++b)
                out[4 * i + b] = std::byte(bits >> (8 * b));
        }
    }
    return out;
}

std::vector<float> decodeFloats(std::span<const std::byte> bytes)
{
    std::vector<float> out(bytes.size() / 4);
    if constexpr (std::endian::native == std::endian::little) {
        if (!out.empty())
            std::memcpy(out.data(), bytes.data(), out.size() * 4);
    } else {
        for (size_t i = 0; i < out.size(); ++i) {
            uint32_t bits = 0;
            for (int b = 0; b < 4; ++b)
                bits |= uint32_t(bytes[4 * i + b]) << (8 * b);
            out[i] = std::bit_cast<float>(bits);
        }
    }
    return out;
}

CalibrationRun readRunColumns(const sqlite::Statement& st)
{
    CalibrationRun r;
    r.id = st.columnInt(0);
    r.sessionId = st.columnInt(1);
    r.settingsJson = st.columnText(2);
    // The CHECK constraint keeps status to the four names.
    r.status = runStatusFromName(st.columnText(3)).value_or(RunStatus::Failed);
    r.startedAt = st.columnText(4);
    r.finishedAt = st.columnText(5);
    r.tokens = st.columnInt(6);
    r.wallSeconds = st.columnDouble(7);
    return r;
}

constexpr const char* kRunSelect =
    "SELECT id, session_id, settings_json, status, started_at, finished_at, tokens, wall_seconds "
    "FROM calibration_runs ";

} // namespace

// ---------------------------------------------------------------- runs

Result<int64_t> SessionStore::beginRun(int64_t sessionId, const std::string& settingsJson)
{
    PRECIS_TRY(requireJson(m_db.path(), settingsJson, "run settings"));
    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "begin a calibration run"));
    PRECIS_TRY(requireSession(sessionId, "begin a calibration run"));
    int64_t id = 0;
    {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare("INSERT INTO calibration_runs(session_id, settings_json, status) "
                                                "VALUES(?, ?, 'running')"));
        st.bind(1, sessionId).bind(2, settingsJson);
        PRECIS_TRY(st.run());
        id = m_db.lastInsertId();
    }
    PRECIS_TRY(touchSession(sessionId));
    PRECIS_TRY(tx.commit());
    return id;
}

Result<void> SessionStore::finishRun(int64_t runId, RunStatus status, int64_t tokens, double wallSeconds)
{
    if (status == RunStatus::Running)
        return error("cannot finish calibration run " + std::to_string(runId) +
                     ": the final status must not be 'running'");
    if (tokens < 0 || !(wallSeconds >= 0) || !std::isfinite(wallSeconds))
        return error("cannot finish calibration run " + std::to_string(runId) +
                     ": tokens and wall seconds must be finite and not negative");
    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "finish a calibration run"));
    {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare("UPDATE calibration_runs SET status = ?, tokens = ?, wall_seconds = ?, "
                                                "finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?"));
        st.bind(1, runStatusName(status)).bind(2, tokens).bind(3, wallSeconds).bind(4, runId);
        PRECIS_TRY(st.run());
        if (m_db.changes() == 0)
            return error("cannot finish calibration run " + std::to_string(runId) + ": it does not exist");
    }
    PRECIS_TRY(touchSessionOfRun(runId));
    return tx.commit();
}

Result<CalibrationRun> SessionStore::run(int64_t runId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare(std::string(kRunSelect) + "WHERE id = ?"));
    st.bind(1, runId);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return error("calibration run " + std::to_string(runId) + " does not exist");
    return readRunColumns(st);
}

Result<std::vector<CalibrationRun>> SessionStore::runs(int64_t sessionId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare(std::string(kRunSelect) + "WHERE session_id = ? ORDER BY id"));
    st.bind(1, sessionId);
    std::vector<CalibrationRun> out;
    for (;;) {
        PRECIS_TRY_ASSIGN(const bool row, st.step());
        if (!row)
            return out;
        out.push_back(readRunColumns(st));
    }
}

Result<std::optional<CalibrationRun>> SessionStore::latestRun(int64_t sessionId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare(std::string(kRunSelect) + "WHERE session_id = ? ORDER BY id DESC LIMIT 1"));
    st.bind(1, sessionId);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return std::optional<CalibrationRun>();
    return std::optional<CalibrationRun>(readRunColumns(st));
}

// ---------------------------------------------------------------- steps

Result<void> SessionStore::writeStep(int64_t runId, std::span<const SensitivityRow> rows,
                                     std::span<const ChunkMap> chunkMaps, std::span<const RunBlob> blobs)
{
    const std::string action = "cannot write a step of calibration run " + std::to_string(runId);
    // Validate everything first: a rejected step writes nothing.
    for (const SensitivityRow& r : rows) {
        if (r.unit.empty() || r.metric.empty())
            return error(action + ": a sensitivity row has an empty unit or metric name");
        if (std::isnan(r.value))
            return error(action + ": sensitivity of '" + r.unit + "' metric '" + r.metric + "' is NaN");
    }
    for (const ChunkMap& m : chunkMaps) {
        if (m.tensor.empty() || m.metric.empty())
            return error(action + ": a chunk map has an empty tensor or metric name");
        const bool sane = m.rows > 0 && m.cols > 0 && m.rows <= (int64_t(1) << 31) && m.cols <= (int64_t(1) << 31);
        if (!sane || uint64_t(m.rows) * uint64_t(m.cols) != m.data.size())
            return error(action + ": chunk map of '" + m.tensor + "' metric '" + m.metric + "' is " +
                         std::to_string(m.rows) + "×" + std::to_string(m.cols) + " but has " +
                         std::to_string(m.data.size()) + " values");
    }
    for (const RunBlob& b : blobs)
        if (b.key.empty())
            return error(action + ": a blob has an empty key");

    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "write a calibration step"));
    PRECIS_TRY(requireRun(runId, "write a calibration step"));
    if (!rows.empty()) {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare(
            "INSERT INTO sensitivity(run_id, unit, kind, metric, option, value) VALUES(?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(run_id, unit, metric, option) DO UPDATE SET kind = excluded.kind, value = excluded.value"));
        for (const SensitivityRow& r : rows) {
            st.bind(1, runId).bind(2, r.unit).bind(3, unitKindName(r.kind)).bind(4, r.metric).bind(5, r.option)
                .bind(6, r.value);
            PRECIS_TRY(st.run());
        }
    }
    if (!chunkMaps.empty()) {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare(
            "INSERT INTO chunk_maps(run_id, tensor, metric, rows, cols, data) VALUES(?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(run_id, tensor, metric) DO UPDATE SET rows = excluded.rows, cols = excluded.cols, "
            "data = excluded.data"));
        for (const ChunkMap& m : chunkMaps) {
            const std::vector<std::byte> bytes = encodeFloats(m.data);
            st.bind(1, runId).bind(2, m.tensor).bind(3, m.metric).bind(4, m.rows).bind(5, m.cols)
                .bindBlob(6, bytes.data(), bytes.size());
            PRECIS_TRY(st.run());
        }
    }
    if (!blobs.empty()) {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare("INSERT INTO run_blobs(run_id, key, data) VALUES(?, ?, ?) "
                                                "ON CONFLICT(run_id, key) DO UPDATE SET data = excluded.data"));
        for (const RunBlob& b : blobs) {
            st.bind(1, runId).bind(2, b.key).bindBlob(3, b.data.data(), b.data.size());
            PRECIS_TRY(st.run());
        }
    }
    PRECIS_TRY(touchSessionOfRun(runId));
    return tx.commit();
}

Result<std::vector<SensitivityRow>> SessionStore::readSensitivity(int64_t runId,
                                                                  const std::optional<std::string>& metric)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare(
        metric ? "SELECT unit, kind, metric, option, value FROM sensitivity WHERE run_id = ? AND metric = ? "
                 "ORDER BY unit, metric, option"
               : "SELECT unit, kind, metric, option, value FROM sensitivity WHERE run_id = ? "
                 "ORDER BY unit, metric, option"));
    st.bind(1, runId);
    if (metric)
        st.bind(2, *metric);
    std::vector<SensitivityRow> out;
    for (;;) {
        PRECIS_TRY_ASSIGN(const bool row, st.step());
        if (!row)
            return out;
        SensitivityRow r;
        r.unit = st.columnText(0);
        r.kind = unitKindFromName(st.columnText(1)).value_or(UnitKind::Tensor);
        r.metric = st.columnText(2);
        r.option = st.columnText(3);
        r.value = st.columnDouble(4);
        out.push_back(std::move(r));
    }
}

Result<std::optional<ChunkMap>> SessionStore::readChunkMap(int64_t runId, const std::string& tensor,
                                                           const std::string& metric)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT rows, cols, data FROM chunk_maps "
                                            "WHERE run_id = ? AND tensor = ? AND metric = ?"));
    st.bind(1, runId).bind(2, tensor).bind(3, metric);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return std::optional<ChunkMap>();
    ChunkMap m;
    m.tensor = tensor;
    m.metric = metric;
    m.rows = st.columnInt(0);
    m.cols = st.columnInt(1);
    const auto bytes = st.columnBlob(2);
    if (m.rows <= 0 || m.cols <= 0 || uint64_t(m.rows) * uint64_t(m.cols) * 4 != bytes.size())
        return makeError(ErrorCode::Format, m_db.path(),
                         "chunk map of '" + tensor + "' metric '" + metric + "' in run " + std::to_string(runId) +
                             " is " + std::to_string(m.rows) + "×" + std::to_string(m.cols) + " but holds " +
                             std::to_string(bytes.size()) + " bytes");
    m.data = decodeFloats(bytes);
    return std::optional<ChunkMap>(std::move(m));
}

Result<std::vector<ChunkMapInfo>> SessionStore::listChunkMaps(int64_t runId)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT tensor, metric, rows, cols FROM chunk_maps WHERE run_id = ? "
                                            "ORDER BY tensor, metric"));
    st.bind(1, runId);
    std::vector<ChunkMapInfo> out;
    for (;;) {
        PRECIS_TRY_ASSIGN(const bool row, st.step());
        if (!row)
            return out;
        out.push_back({st.columnText(0), st.columnText(1), st.columnInt(2), st.columnInt(3)});
    }
}

Result<std::optional<std::vector<std::byte>>> SessionStore::readBlob(int64_t runId, const std::string& key)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT data FROM run_blobs WHERE run_id = ? AND key = ?"));
    st.bind(1, runId).bind(2, key);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return std::optional<std::vector<std::byte>>();
    const auto bytes = st.columnBlob(0);
    return std::optional<std::vector<std::byte>>(std::vector<std::byte>(bytes.begin(), bytes.end()));
}

// ---------------------------------------------------------------- option tables

Result<void> SessionStore::saveOptionTable(int64_t sessionId, int64_t runId, const std::string& key,
                                           std::span<const std::byte> data)
{
    PRECIS_TRY(requireNonEmpty(m_db.path(), key, "option table key"));
    PRECIS_TRY_ASSIGN(auto tx, sqlite::Transaction::begin(m_db, "save an option table"));
    {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT session_id FROM calibration_runs WHERE id = ?"));
        st.bind(1, runId);
        PRECIS_TRY_ASSIGN(const bool found, st.step());
        if (!found || st.columnInt(0) != sessionId)
            return error("cannot save option table '" + key + "': calibration run " + std::to_string(runId) +
                         " does not belong to session " + std::to_string(sessionId));
    }
    {
        PRECIS_TRY_ASSIGN(auto st, m_db.prepare(
            "INSERT INTO option_tables(session_id, run_id, key, data) VALUES(?, ?, ?, ?) "
            "ON CONFLICT(session_id, key) DO UPDATE SET run_id = excluded.run_id, data = excluded.data, "
            "created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"));
        st.bind(1, sessionId).bind(2, runId).bind(3, key).bindBlob(4, data.data(), data.size());
        PRECIS_TRY(st.run());
    }
    return tx.commit();
}

Result<std::optional<std::vector<std::byte>>> SessionStore::loadOptionTable(int64_t sessionId, const std::string& key)
{
    PRECIS_TRY_ASSIGN(auto st, m_db.prepare("SELECT data FROM option_tables WHERE session_id = ? AND key = ?"));
    st.bind(1, sessionId).bind(2, key);
    PRECIS_TRY_ASSIGN(const bool found, st.step());
    if (!found)
        return std::optional<std::vector<std::byte>>();
    const auto bytes = st.columnBlob(0);
    return std::optional<std::vector<std::byte>>(std::vector<std::byte>(bytes.begin(), bytes.end()));
}

} // namespace precis
