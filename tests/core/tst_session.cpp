// Session store: SHA-256 vectors, every table's round trip, upserts, cascades,
// export/import, migration from a version-1 file, refusal of bad files.
// Crash safety under SIGKILL is tst_session_crash.cpp.
#include "common/sha256.h"
#include "session/session_schema.h"
#include "session/session_store.h"
#include "session_test_util.h"
#include "test_support.h"

#include <QThread>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <regex>

using namespace precis;
using namespace precis::test;

namespace {

bool sameBits(const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
}

// What populate() writes into a session, for comparing after export/import.
struct Expected {
    std::vector<SensitivityRow> rows;  // sorted by unit, metric, option
    ChunkMap chunkMap;
    RunBlob blob;
    std::vector<std::byte> optionTable;
};

Expected expectedContent()
{
    Expected e;
    e.rows = {
        {"blk.0.attn_q.weight", UnitKind::Tensor, "measured_dloss", "Q4_K", 0.0625},
        {"blk.0.attn_q.weight", UnitKind::Tensor, "output_weighted", "", 1.25},
        {"blk.0.head.1", UnitKind::Head, "head_gate", "", -3.5},
        {"blk.1", UnitKind::Layer, "fisher", "", std::numeric_limits<double>::infinity()},
    };
    const float inf = std::numeric_limits<float>::infinity();
    e.chunkMap = {"blk.0.attn_q.weight", "amc", 3, 5,
                  {0.0f, -0.0f, 1e-40f, inf, -inf, 3.4e38f, 1.5f, -2.25f, 7, 8, 9, 10, 11, 12, 13}};
    e.blob.key = "gram_diag.blk.0";
    for (int i = 0; i < 256; ++i)
        e.blob.data.push_back(std::byte(i));
    e.optionTable = {std::byte(1), std::byte(0), std::byte(255)};
    return e;
}

const char* kTimestampPattern = R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)";

} // namespace

class TestSession : public QObject {
    Q_OBJECT

    // One session with two runs, sensitivity, a chunk map, a blob, an option
    // table, two allocations, two compressions and two benchmarks.
    void populate(SessionStore& store, int64_t sessionId)
    {
        const Expected e = expectedContent();
        ASSIGN_OK(run, store.beginRun(sessionId, R"({"sequences":32,"tokens":256})"));
        VERIFY_OK(store.writeStep(run, e.rows, {&e.chunkMap, 1}, {&e.blob, 1}));
        VERIFY_OK(store.finishRun(run, RunStatus::Done, 8192, 12.5));
        ASSIGN_OK(run2, store.beginRun(sessionId, "{}"));
        VERIFY_OK(store.finishRun(run2, RunStatus::Cancelled, 10, 0.5));
        VERIFY_OK(store.saveOptionTable(sessionId, run, "key-abc", e.optionTable));
        ASSIGN_OK(a1, store.saveAllocation(sessionId, "1%", R"({"dppl":0.01})", R"({"blk.0":"Q4_K"})", "{}"));
        ASSIGN_OK(a2, store.saveAllocation(sessionId, "2%", R"({"dppl":0.02})", R"({"blk.0":"Q3_K"})", "[1,2]"));
        Q_UNUSED(a1);
        ASSIGN_OK(c1, store.addCompression({0, sessionId, a2, "gptq", "/out/m.gguf", "{}", R"({"ppl":9.5})", ""}));
        ASSIGN_OK(c2, store.addCompression({0, sessionId, std::nullopt, "rtn", "/out/r.gguf", "{}", "{}", ""}));
        Q_UNUSED(c2);
        VERIFY_OK(store.addBenchmark({0, sessionId, c1, R"({"threads":2})", R"({"decode":31.5})", ""}));
        VERIFY_OK(store.addBenchmark({0, sessionId, std::nullopt, "{}", R"({"decode":12})", ""}));
    }

    // Checks that `sessionId` in `store` holds exactly what populate() wrote.
    void compareWithPopulated(SessionStore& store, int64_t sessionId)
    {
        const Expected e = expectedContent();
        ASSIGN_OK(runs, store.runs(sessionId));
        QCOMPARE(runs.size(), size_t(2));
        QCOMPARE(runs[0].status, RunStatus::Done);
        QCOMPARE(runs[0].tokens, int64_t(8192));
        QCOMPARE(runs[0].wallSeconds, 12.5);
        QCOMPARE(runs[0].settingsJson, std::string(R"({"sequences":32,"tokens":256})"));
        QCOMPARE(runs[1].status, RunStatus::Cancelled);
        ASSIGN_OK(rows, store.readSensitivity(runs[0].id));
        QVERIFY(rows == e.rows);
        ASSIGN_OK(map, store.readChunkMap(runs[0].id, e.chunkMap.tensor, e.chunkMap.metric));
        QVERIFY(map.has_value());
        QCOMPARE(map->rows, int64_t(3));
        QCOMPARE(map->cols, int64_t(5));
        QVERIFY(sameBits(map->data, e.chunkMap.data));
        ASSIGN_OK(blob, store.readBlob(runs[0].id, e.blob.key));
        QVERIFY(blob && *blob == e.blob.data);
        ASSIGN_OK(table, store.loadOptionTable(sessionId, "key-abc"));
        QVERIFY(table && *table == e.optionTable);

        ASSIGN_OK(allocs, store.allocations(sessionId));
        QCOMPARE(allocs.size(), size_t(2));
        QCOMPARE(allocs[1].name, std::string("2%"));
        QCOMPARE(allocs[1].totalsJson, std::string("[1,2]"));
        ASSIGN_OK(comps, store.compressions(sessionId));
        QCOMPARE(comps.size(), size_t(2));
        QCOMPARE(comps[0].allocationId, std::optional<int64_t>(allocs[1].id));  // the link follows the new ids
        QCOMPARE(comps[0].metricsJson, std::string(R"({"ppl":9.5})"));
        QVERIFY(!comps[1].allocationId);
        ASSIGN_OK(benches, store.benchmarks(sessionId));
        QCOMPARE(benches.size(), size_t(2));
        QCOMPARE(benches[0].compressionId, std::optional<int64_t>(comps[0].id));
        QCOMPARE(benches[0].resultsJson, std::string(R"({"decode":31.5})"));
        QVERIFY(!benches[1].compressionId);
    }

    // A store with one model and one populated session named `name`.
    int64_t makePopulated(SessionStore& store, const std::string& name)
    {
        auto model = store.addModel("/models/tiny.gguf", sha256Hex("tiny"), "llama", 1234, 5678);
        auto session = model ? store.createSession(name, *model) : Result<int64_t>(model.error());
        if (!session)
            return 0;
        populate(store, *session);
        return *session;
    }

private slots:
    void sha256KnownVectors()
    {
        QCOMPARE(sha256Hex(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(sha256Hex("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        // 56 bytes: the padding spills into a second block.
        QCOMPARE(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        // One million 'a' fed in uneven pieces.
        Sha256 h;
        const std::string a(1000, 'a');
        size_t fed = 0;
        for (size_t piece = 1; fed < 1000000; piece = piece * 7 % 997 + 1) {
            const size_t n = std::min({piece, a.size(), 1000000 - fed});
            h.update(a.data(), n);
            fed += n;
        }
        QCOMPARE(sha256Hex(h.finish()),
                 std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
        QVERIFY(isSha256Hex(sha256Hex("x")));
        QVERIFY(!isSha256Hex(std::string(64, 'A')));
    }

    void sha256OfFile()
    {
        // byte i = top byte of (i * 2654435761 mod 2^32); digest from sha256sum.
        const std::string dir = test::scratchDir("session-sha");
        std::string bytes(size_t(1) << 20, '\0');
        for (uint32_t i = 0; i < bytes.size(); ++i)
            bytes[i] = char((i * 2654435761u) >> 24);
        writeBytes(dir + "/gen.bin", bytes);
        ASSIGN_OK(digest, sha256File(dir + "/gen.bin"));
        QCOMPARE(digest, std::string("ca6073392ee71dbd1a2d356c3caa233f8f828ae17f8f8ba8570ee3491be128ab"));
        ERROR_TEXT(missing, sha256File(dir + "/missing.bin"));
        QVERIFY(contains(missing, "missing.bin"));
        CancelToken cancel;
        cancel.cancel();
        QCOMPARE(sha256File(dir + "/gen.bin", &cancel).error().code, ErrorCode::Cancelled);
    }

    void modelsAndChangedFileDetection()
    {
        const std::string dir = test::scratchDir("session-models");
        ASSIGN_OK(store, SessionStore::open(dir + "/s.sqlite"));
        writeBytes(dir + "/m.bin", "weights v1");
        ASSIGN_OK(id, store.addModelFile(dir + "/m.bin", "gpt2", 42));
        ASSIGN_OK(again, store.addModel(dir + "/m.bin", sha256Hex("weights v1"), "gpt2", 42, 10));
        QCOMPARE(again, id);  // same path + hash: same record
        ASSIGN_OK(other, store.addModel(dir + "/m.bin", sha256Hex("weights v2"), "gpt2", 42, 10));
        QVERIFY(other != id);
        ASSIGN_OK(m, store.model(id));
        QCOMPARE(m.sha256, sha256Hex("weights v1"));
        QCOMPARE(m.fileSize, int64_t(10));
        QCOMPARE(m.architecture, std::string("gpt2"));
        QVERIFY(std::regex_match(m.addedAt, std::regex(kTimestampPattern)));

        ASSIGN_OK(same, store.checkModel(id));
        QVERIFY(same.exists && same.sha256Matches && !same.changed());
        writeBytes(dir + "/m.bin", "weights v2");  // same size, other bytes
        ASSIGN_OK(edited, store.checkModel(id));
        QVERIFY(edited.exists && edited.sizeMatches && !edited.sha256Matches && edited.changed());
        QCOMPARE(edited.currentSha256, sha256Hex("weights v2"));
        std::filesystem::remove(dir + "/m.bin");
        ASSIGN_OK(gone, store.checkModel(id));
        QVERIFY(!gone.exists && gone.changed());

        ERROR_TEXT(badHash, store.addModel("/m", "abc", "llama", 1, 1));
        QVERIFY(contains(badHash, "sha256") && contains(badHash, "s.sqlite"));
        ERROR_TEXT(noModel, store.model(999));
        QVERIFY(contains(noModel, "model 999"));
    }

    void sessionsRoundTrip()
    {
        const std::string dir = test::scratchDir("session-sessions");
        ASSIGN_OK(store, SessionStore::open(dir + "/s.sqlite"));
        ASSIGN_OK(model, store.addModel("/models/a.gguf", sha256Hex("a"), "llama", 100, 200));
        ASSIGN_OK(s1, store.createSession("first", model));
        ASSIGN_OK(s2, store.createSession("second", model));
        ERROR_TEXT(dup, store.createSession("first", model));
        QVERIFY(contains(dup, "'first'") && contains(dup, "already exists"));
        QVERIFY(!store.createSession("", model).ok());
        QVERIFY(!store.createSession("x", 12345).ok());

        ASSIGN_OK(info, store.session(s1));
        QCOMPARE(info.name, std::string("first"));
        QCOMPARE(info.model.path, std::string("/models/a.gguf"));
        QCOMPARE(info.model.parameters, int64_t(100));
        QVERIFY(std::regex_match(info.createdAt, std::regex(kTimestampPattern)));
        ASSIGN_OK(byName, store.sessionByName("second"));
        QVERIFY(byName && byName->id == s2);
        ASSIGN_OK(none, store.sessionByName("nope"));
        QVERIFY(!none);

        VERIFY_OK(store.renameSession(s2, "renamed"));
        ERROR_TEXT(clash, store.renameSession(s2, "first"));
        QVERIFY(contains(clash, "already exists"));
        VERIFY_OK(store.setSessionNotes(s1, "notes here"));
        QThread::msleep(3);  // timestamps have millisecond resolution
        VERIFY_OK(store.touchSession(s1));
        ASSIGN_OK(touched, store.session(s1));
        QVERIFY(touched.updatedAt > info.updatedAt);
        QCOMPARE(touched.notes, std::string("notes here"));

        VERIFY_OK(store.beginRun(s1, "{}"));
        VERIFY_OK(store.saveAllocation(s1, "a", "{}", "{}", "{}"));
        ASSIGN_OK(list, store.sessions());
        QCOMPARE(list.size(), size_t(2));
        QCOMPARE(list[0].id, s1);  // most recently updated first
        QCOMPARE(list[0].runCount, int64_t(1));
        QCOMPARE(list[0].allocationCount, int64_t(1));
        QCOMPARE(list[1].name, std::string("renamed"));
        QCOMPARE(list[1].runCount, int64_t(0));
        QVERIFY(contains(store.session(999).error().toString(), "session 999"));
    }

    void runsAndSteps()
    {
        const std::string dir = test::scratchDir("session-steps");
        ASSIGN_OK(store, SessionStore::open(dir + "/s.sqlite"));
        ASSIGN_OK(model, store.addModel("/m.gguf", sha256Hex("m"), "llama", 1, 1));
        ASSIGN_OK(sid, store.createSession("s", model));
        ASSIGN_OK(noRun, store.latestRun(sid));
        QVERIFY(!noRun);
        ASSIGN_OK(run, store.beginRun(sid, R"({"n":1})"));
        ASSIGN_OK(latest, store.latestRun(sid));
        QVERIFY(latest && latest->id == run && latest->status == RunStatus::Running && latest->finishedAt.empty());
        QVERIFY(contains(store.beginRun(sid, "{oops").error().toString(), "run settings is not valid JSON"));
        QVERIFY(!store.finishRun(run, RunStatus::Running, 1, 1).ok());

        const Expected e = expectedContent();
        VERIFY_OK(store.writeStep(run, e.rows, {&e.chunkMap, 1}, {&e.blob, 1}));
        ASSIGN_OK(rows, store.readSensitivity(run));
        QVERIFY(rows == e.rows);
        ASSIGN_OK(fisher, store.readSensitivity(run, std::string("fisher")));
        QCOMPARE(fisher.size(), size_t(1));
        QVERIFY(std::isinf(fisher[0].value) && fisher[0].kind == UnitKind::Layer);

        // Upserts: the same keys with new values replace, a new option adds a row.
        std::vector<SensitivityRow> update = {{"blk.0.head.1", UnitKind::Head, "head_gate", "", 9.0},
                                              {"blk.0.head.1", UnitKind::Head, "head_gate", "Q8_0", 2.0}};
        ChunkMap bigger{e.chunkMap.tensor, e.chunkMap.metric, 2, 2, {1, 2, 3, 4}};
        RunBlob newBlob{e.blob.key, {std::byte(7)}};
        VERIFY_OK(store.writeStep(run, update, {&bigger, 1}, {&newBlob, 1}));
        ASSIGN_OK(gate, store.readSensitivity(run, std::string("head_gate")));
        QCOMPARE(gate.size(), size_t(2));
        QCOMPARE(gate[0].value, 9.0);
        QCOMPARE(gate[1].option, std::string("Q8_0"));
        ASSIGN_OK(all, store.readSensitivity(run));
        QCOMPARE(all.size(), size_t(5));
        ASSIGN_OK(map, store.readChunkMap(run, bigger.tensor, bigger.metric));
        QVERIFY(map && *map == bigger);
        ASSIGN_OK(blob, store.readBlob(run, e.blob.key));
        QVERIFY(blob && *blob == newBlob.data);
        ASSIGN_OK(maps, store.listChunkMaps(run));
        QCOMPARE(maps.size(), size_t(1));
        QCOMPARE(maps[0].rows, int64_t(2));
        ASSIGN_OK(absent, store.readChunkMap(run, "nope", "amc"));
        QVERIFY(!absent);

        // A step with one bad part writes nothing.
        ChunkMap wrong{"blk.9.ffn_up.weight", "amc", 4, 4, std::vector<float>(15)};
        std::vector<SensitivityRow> fresh = {{"blk.9", UnitKind::Layer, "new", "", 1.0}};
        ERROR_TEXT(sizeError, store.writeStep(run, fresh, {&wrong, 1}, {}));
        QVERIFY(contains(sizeError, "blk.9.ffn_up.weight") && contains(sizeError, "15 values"));
        fresh.push_back({"blk.9", UnitKind::Layer, "nan", "", std::nan("")});
        QVERIFY(contains(store.writeStep(run, fresh, {}, {}).error().toString(), "NaN"));
        ASSIGN_OK(after, store.readSensitivity(run, std::string("new")));
        QVERIFY(after.empty());
        QVERIFY(contains(store.writeStep(4242, fresh, {}, {}).error().toString(), "run 4242"));

        VERIFY_OK(store.finishRun(run, RunStatus::Failed, 77, 1.5));
        ASSIGN_OK(finished, store.run(run));
        QCOMPARE(finished.status, RunStatus::Failed);
        QCOMPARE(finished.tokens, int64_t(77));
        QVERIFY(std::regex_match(finished.finishedAt, std::regex(kTimestampPattern)));
    }

    void optionTablesAllocationsCompressionsBenchmarks()
    {
        const std::string dir = test::scratchDir("session-results");
        ASSIGN_OK(store, SessionStore::open(dir + "/s.sqlite"));
        const int64_t sid = makePopulated(store, "p");
        QVERIFY(sid > 0);
        compareWithPopulated(store, sid);
        if (QTest::currentTestFailed())
            return;
        ASSIGN_OK(runs, store.runs(sid));

        // Option table cache: replace by key, miss on another key.
        const std::vector<std::byte> v2 = {std::byte(42)};
        VERIFY_OK(store.saveOptionTable(sid, runs[1].id, "key-abc", v2));
        ASSIGN_OK(table, store.loadOptionTable(sid, "key-abc"));
        QVERIFY(table && *table == v2);
        ASSIGN_OK(miss, store.loadOptionTable(sid, "other"));
        QVERIFY(!miss);

        // Saving "2%" again replaces it; the compression made from it loses the link.
        ASSIGN_OK(before, store.allocations(sid));
        ASSIGN_OK(replaced, store.saveAllocation(sid, "2%", R"({"dppl":0.025})", "{}", "{}"));
        QVERIFY(replaced != before[1].id);
        ASSIGN_OK(allocs, store.allocations(sid));
        QCOMPARE(allocs.size(), size_t(2));
        ASSIGN_OK(got, store.allocation(replaced));
        QCOMPARE(got.budgetJson, std::string(R"({"dppl":0.025})"));
        ASSIGN_OK(comps, store.compressions(sid));
        QVERIFY(!comps[0].allocationId);
        VERIFY_OK(store.removeAllocation(replaced));
        QVERIFY(!store.allocation(replaced).ok());
        QVERIFY(!store.removeAllocation(replaced).ok());

        ERROR_TEXT(badJson, store.addCompression({0, sid, std::nullopt, "rtn", "/o", "{}", "not json", ""}));
        QVERIFY(contains(badJson, "compression metrics is not valid JSON"));
        ASSIGN_OK(model, store.addModel("/other.gguf", sha256Hex("o"), "llama", 1, 1));
        ASSIGN_OK(otherSession, store.createSession("other", model));
        ERROR_TEXT(foreign, store.addCompression({0, otherSession, allocs[0].id, "rtn", "/o", "{}", "{}", ""}));
        QVERIFY(contains(foreign, "belongs to session"));
        ERROR_TEXT(foreignBench, store.addBenchmark({0, otherSession, comps[0].id, "{}", "{}", ""}));
        QVERIFY(contains(foreignBench, "does not belong"));
    }

    void removeSessionCascades()
    {
        const std::string dir = test::scratchDir("session-cascade");
        const std::string path = dir + "/s.sqlite";
        ASSIGN_OK(store, SessionStore::open(path));
        const int64_t keep = makePopulated(store, "keep");
        const int64_t drop = makePopulated(store, "drop");
        QVERIFY(keep > 0 && drop > 0);
        VERIFY_OK(store.removeSession(drop));
        QVERIFY(!store.removeSession(drop).ok());
        compareWithPopulated(store, keep);  // the other session is untouched

        RawDb raw(path);
        const char* tables[] = {"calibration_runs", "option_tables", "allocations", "compressions", "benchmarks"};
        for (const char* t : tables)
            QCOMPARE(raw.integer(std::string("SELECT count(*) FROM ") + t + " WHERE session_id = " +
                                 std::to_string(drop)),
                     int64_t(0));
        for (const char* t : {"sensitivity", "chunk_maps", "run_blobs"})
            QCOMPARE(raw.integer(std::string("SELECT count(*) FROM ") + t +
                                 " WHERE run_id NOT IN (SELECT id FROM calibration_runs)"),
                     int64_t(0));
        QCOMPARE(raw.integer("SELECT count(*) FROM sensitivity"), int64_t(4));  // only `keep`'s rows
        QCOMPARE(raw.integer("SELECT count(*) FROM models"), int64_t(1));       // models are shared and stay
    }

    void exportAndImport()
    {
        const std::string dir = test::scratchDir("session-transfer");
        ASSIGN_OK(store, SessionStore::open(dir + "/main.sqlite"));
        const int64_t sid = makePopulated(store, "shakespeare-1");
        QVERIFY(sid > 0);
        makePopulated(store, "another");
        VERIFY_OK(store.exportSession(sid, dir + "/out/export.sqlite"));
        QVERIFY(!std::filesystem::exists(dir + "/out/export.sqlite-wal"));  // standalone: one file
        ASSIGN_OK(exportedHash, sha256File(dir + "/out/export.sqlite"));

        {  // The exported file is a store of its own with just that session.
            ASSIGN_OK(exported, SessionStore::open(dir + "/out/export.sqlite"));
            ASSIGN_OK(list, exported.sessions());
            QCOMPARE(list.size(), size_t(1));
            QCOMPARE(list[0].name, std::string("shakespeare-1"));
            QCOMPARE(list[0].model.sha256, sha256Hex("tiny"));
            compareWithPopulated(exported, list[0].id);
        }
        VERIFY_OK(store.exportSession(sid, dir + "/export2.sqlite"));
        ASSIGN_OK(exportedHash2, sha256File(dir + "/export2.sqlite"));

        ASSIGN_OK(fresh, SessionStore::open(dir + "/fresh.sqlite"));
        ASSIGN_OK(imported, fresh.importSession(dir + "/export2.sqlite"));
        compareWithPopulated(fresh, imported);
        ASSIGN_OK(importedInfo, fresh.session(imported));
        QCOMPARE(importedInfo.name, std::string("shakespeare-1"));

        // Into the original store: the name is taken, the model record is reused.
        ASSIGN_OK(again, store.importSession(dir + "/export2.sqlite"));
        ASSIGN_OK(againInfo, store.session(again));
        QCOMPARE(againInfo.name, std::string("shakespeare-1 (2)"));
        QCOMPARE(againInfo.model.id, store.session(sid)->model.id);
        compareWithPopulated(store, again);
        ASSIGN_OK(third, store.importSession(dir + "/export2.sqlite"));
        QCOMPARE(store.session(third)->name, std::string("shakespeare-1 (3)"));
        ASSIGN_OK(hashAfter, sha256File(dir + "/export2.sqlite"));
        QCOMPARE(hashAfter, exportedHash2);  // import never modifies its source
        Q_UNUSED(exportedHash);

        ERROR_TEXT(many, fresh.importSession(dir + "/main.sqlite"));
        QVERIFY(contains(many, "exactly one session") && contains(many, "main.sqlite"));
        writeBytes(dir + "/junk.sqlite", std::string(5000, 'j'));
        ERROR_TEXT(junk, fresh.importSession(dir + "/junk.sqlite"));
        QVERIFY(contains(junk, "junk.sqlite") && contains(junk, "not an SQLite database"));
        QVERIFY(!fresh.importSession(dir + "/missing.sqlite").ok());
        ASSIGN_OK(freshList, fresh.sessions());
        QCOMPARE(freshList.size(), size_t(1));
        for (const auto& entry : std::filesystem::directory_iterator(dir))  // no temporary left behind
            QVERIFY2(!contains(entry.path().string(), "import-"), entry.path().c_str());
    }

    void migrationFromVersion1()
    {
        const std::string dir = test::scratchDir("session-migrate");
        const std::string path = dir + "/v1.sqlite";
        {
            // Version 1 exactly as the first release created it.
            RawDb raw(path);
            QVERIFY(raw.exec(R"sql(
CREATE TABLE models(id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, sha256 TEXT NOT NULL,
  architecture TEXT NOT NULL, parameters INTEGER NOT NULL, file_size INTEGER NOT NULL,
  added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), UNIQUE(path, sha256));
CREATE TABLE sessions(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
  model_id INTEGER NOT NULL REFERENCES models(id),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), notes TEXT NOT NULL DEFAULT '');
CREATE INDEX sessions_model ON sessions(model_id);
CREATE TABLE calibration_runs(id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, settings_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('running', 'done', 'cancelled', 'failed')),
  started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), finished_at TEXT,
  tokens INTEGER NOT NULL DEFAULT 0, wall_seconds REAL NOT NULL DEFAULT 0);
CREATE INDEX calibration_runs_session ON calibration_runs(session_id);
CREATE TABLE sensitivity(run_id INTEGER NOT NULL REFERENCES calibration_runs(id) ON DELETE CASCADE,
  unit TEXT NOT NULL, kind TEXT NOT NULL CHECK(kind IN ('tensor', 'head', 'layer')), metric TEXT NOT NULL,
  value REAL NOT NULL, PRIMARY KEY(run_id, unit, metric)) WITHOUT ROWID;
CREATE TABLE chunk_maps(run_id INTEGER NOT NULL REFERENCES calibration_runs(id) ON DELETE CASCADE,
  tensor TEXT NOT NULL, metric TEXT NOT NULL, rows INTEGER NOT NULL CHECK(rows > 0),
  cols INTEGER NOT NULL CHECK(cols > 0), data BLOB NOT NULL, PRIMARY KEY(run_id, tensor, metric));
CREATE TABLE run_blobs(run_id INTEGER NOT NULL REFERENCES calibration_runs(id) ON DELETE CASCADE,
  key TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY(run_id, key));
CREATE TABLE allocations(id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, name TEXT NOT NULL,
  budget_json TEXT NOT NULL, assignment_json TEXT NOT NULL, totals_json TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), UNIQUE(session_id, name));
CREATE TABLE compressions(id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  allocation_id INTEGER REFERENCES allocations(id) ON DELETE SET NULL, method TEXT NOT NULL,
  output_path TEXT NOT NULL, settings_json TEXT NOT NULL, metrics_json TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
CREATE INDEX compressions_session ON compressions(session_id);
CREATE INDEX compressions_allocation ON compressions(allocation_id);
INSERT INTO models(path, sha256, architecture, parameters, file_size)
  VALUES('/models/old.gguf', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'llama', 15, 30);
INSERT INTO sessions(name, model_id, notes) VALUES('old session', 1, 'from v1');
INSERT INTO calibration_runs(session_id, settings_json, status, tokens) VALUES(1, '{"n":4}', 'done', 1024);
INSERT INTO sensitivity VALUES(1, 'blk.0.attn_q.weight', 'tensor', 'fisher', 0.5);
INSERT INTO sensitivity VALUES(1, 'blk.0.head.3', 'head', 'head_gate', 2.5);
INSERT INTO chunk_maps VALUES(1, 'blk.0.attn_q.weight', 'amc', 1, 2, x'0000803F00000040');
INSERT INTO run_blobs VALUES(1, 'gram', x'0102');
INSERT INTO allocations(session_id, name, budget_json, assignment_json, totals_json) VALUES(1, 'a', '{}', '{}', '{}');
INSERT INTO compressions(session_id, allocation_id, method, output_path, settings_json, metrics_json)
  VALUES(1, 1, 'rtn', '/o.gguf', '{}', '{"ppl":10}');
PRAGMA user_version = 1;
)sql"));
        }
        ASSIGN_OK(store, SessionStore::open(path));
        QCOMPARE(RawDb(path).integer("PRAGMA user_version"), int64_t(kSessionSchemaVersion));
        ASSIGN_OK(old, store.sessionByName("old session"));
        QVERIFY(old);
        QCOMPARE(old->notes, std::string("from v1"));
        QCOMPARE(old->model.path, std::string("/models/old.gguf"));
        ASSIGN_OK(runs, store.runs(old->id));
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(runs[0].tokens, int64_t(1024));
        ASSIGN_OK(rows, store.readSensitivity(runs[0].id));
        const std::vector<SensitivityRow> expected = {
            {"blk.0.attn_q.weight", UnitKind::Tensor, "fisher", "", 0.5},
            {"blk.0.head.3", UnitKind::Head, "head_gate", "", 2.5}};
        QVERIFY(rows == expected);  // option '' for rows from before options existed
        ASSIGN_OK(map, store.readChunkMap(runs[0].id, "blk.0.attn_q.weight", "amc"));
        QVERIFY(map && map->data == std::vector<float>({1.0f, 2.0f}));
        ASSIGN_OK(blob, store.readBlob(runs[0].id, "gram"));
        QVERIFY(blob && blob->size() == 2);
        ASSIGN_OK(comps, store.compressions(old->id));
        QCOMPARE(comps.size(), size_t(1));
        QCOMPARE(comps[0].allocationId, std::optional<int64_t>(1));

        // The new tables and column work.
        const SensitivityRow perOption{"blk.0.attn_q.weight", UnitKind::Tensor, "fisher", "Q4_K", 0.75};
        VERIFY_OK(store.writeStep(runs[0].id, {&perOption, 1}, {}, {}));
        ASSIGN_OK(rows2, store.readSensitivity(runs[0].id, std::string("fisher")));
        QCOMPARE(rows2.size(), size_t(2));
        VERIFY_OK(store.saveOptionTable(old->id, runs[0].id, "k", std::vector<std::byte>(3)));
        VERIFY_OK(store.addBenchmark({0, old->id, comps[0].id, "{}", "{}", ""}));
        VERIFY_OK(store.checkIntegrity(true));
        QCOMPARE(RawDb(path).text("PRAGMA foreign_key_check"), std::string());
    }

    void refusesNewerSchema()
    {
        const std::string dir = test::scratchDir("session-newer");
        const std::string path = dir + "/future.sqlite";
        QVERIFY(RawDb(path).exec("CREATE TABLE models(id INTEGER); PRAGMA user_version = 7;"));
        ERROR_TEXT(message, SessionStore::open(path));
        QVERIFY2(contains(message, "future.sqlite") && contains(message, "schema version 7") &&
                     contains(message, "newer"),
                 message.c_str());
        QCOMPARE(SessionStore::open(path).error().code, ErrorCode::Unsupported);
        QCOMPARE(RawDb(path).integer("PRAGMA user_version"), int64_t(7));  // left alone
    }

    void refusesBadFiles()
    {
        const std::string dir = test::scratchDir("session-bad");
        std::mt19937 rng(7);
        std::string noise(8192, '\0');
        for (char& c : noise)
            c = char(rng());
        writeBytes(dir + "/noise.sqlite", noise);
        ERROR_TEXT(notDb, SessionStore::open(dir + "/noise.sqlite"));
        QVERIFY2(contains(notDb, "noise.sqlite") && contains(notDb, "not an SQLite database"), notDb.c_str());
        writeBytes(dir + "/short.sqlite", "SQLite");
        QVERIFY(contains(SessionStore::open(dir + "/short.sqlite").error().toString(), "not an SQLite database"));

        // Some other program's SQLite database.
        QVERIFY(RawDb(dir + "/other.sqlite").exec("CREATE TABLE t(x); INSERT INTO t VALUES(1);"));
        ERROR_TEXT(foreign, SessionStore::open(dir + "/other.sqlite"));
        QVERIFY2(contains(foreign, "not a Precis session database"), foreign.c_str());

        QVERIFY(!SessionStore::open(dir).ok());  // a folder

        // A zero-length file is an empty database and gets the schema.
        writeBytes(dir + "/empty.sqlite", "");
        {
            ASSIGN_OK(empty, SessionStore::open(dir + "/empty.sqlite"));
            ASSIGN_OK(list, empty.sessions());
            QVERIFY(list.empty());
        }
        QCOMPARE(RawDb(dir + "/empty.sqlite").integer("PRAGMA user_version"), int64_t(kSessionSchemaVersion));
        QCOMPARE(RawDb(dir + "/empty.sqlite").text("PRAGMA journal_mode"), std::string("wal"));
    }

    void detectsCorruption()
    {
        const std::string dir = test::scratchDir("session-corrupt");
        const std::string path = dir + "/c.sqlite";
        {
            ASSIGN_OK(store, SessionStore::open(path));
            for (int i = 0; i < 4; ++i)
                QVERIFY(makePopulated(store, "s" + std::to_string(i)) > 0);
        }  // closing the last connection checkpoints the WAL into the file
        std::string bytes;
        {
            std::ifstream in(path, std::ios::binary);
            bytes.assign(std::istreambuf_iterator<char>(in), {});
        }
        QVERIFY(bytes.size() >= 8 * 4096);
        std::mt19937 rng(11);
        for (size_t i = 4096; i < bytes.size(); ++i)  // every page after the first
            bytes[i] = char(rng());
        writeBytes(path, bytes);
        ERROR_TEXT(message, SessionStore::open(path));
        QVERIFY2(contains(message, "c.sqlite") && (contains(message, "corrupt") || contains(message, "malformed")),
                 message.c_str());
        QVERIFY2(!contains(message, "\n"), message.c_str());  // one line, not SQLite's whole report
        QCOMPARE(summarizeIntegrityReport("*** in database main ***\nPage 5: bad\nPage 6: worse"),
                 std::string("Page 5: bad (and 1 more problems)"));
    }

    void twoConnectionsOnOneFile()
    {
        // The studio reads while a calibration worker writes through its own store.
        const std::string dir = test::scratchDir("session-two");
        ASSIGN_OK(writer, SessionStore::open(dir + "/s.sqlite"));
        ASSIGN_OK(reader, SessionStore::open(dir + "/s.sqlite"));
        ASSIGN_OK(model, writer.addModel("/m.gguf", sha256Hex("m"), "llama", 1, 1));
        ASSIGN_OK(sid, writer.createSession("s", model));
        ASSIGN_OK(run, writer.beginRun(sid, "{}"));
        const SensitivityRow row{"blk.0", UnitKind::Layer, "fisher", "", 4.0};
        VERIFY_OK(writer.writeStep(run, {&row, 1}, {}, {}));
        ASSIGN_OK(seen, reader.readSensitivity(run));
        QCOMPARE(seen.size(), size_t(1));
        VERIFY_OK(reader.renameSession(sid, "renamed by the reader"));
        QCOMPARE(writer.session(sid)->name, std::string("renamed by the reader"));
    }

    void defaultLocation()
    {
        const QByteArray xdg = qgetenv("XDG_DATA_HOME");
        const QByteArray home = qgetenv("HOME");
        qputenv("XDG_DATA_HOME", "/data/xdg");
        const std::string withXdg = defaultDatabasePath();
        qunsetenv("XDG_DATA_HOME");
        qputenv("HOME", "/home/someone");
        const std::string withHome = defaultDatabasePath();
        qputenv("XDG_DATA_HOME", "relative/ignored");
        const std::string relative = defaultDatabasePath();
        if (xdg.isNull())
            qunsetenv("XDG_DATA_HOME");
        else
            qputenv("XDG_DATA_HOME", xdg);
        qputenv("HOME", home);
        QCOMPARE(withXdg, std::string("/data/xdg/precis/sessions.sqlite"));
        QCOMPARE(withHome, std::string("/home/someone/.local/share/precis/sessions.sqlite"));
        QCOMPARE(relative, withHome);

        // open() creates the missing folders.
        const std::string dir = test::scratchDir("session-default");
        ASSIGN_OK(store, SessionStore::open(dir + "/a/b/sessions.sqlite"));
        QVERIFY(std::filesystem::exists(dir + "/a/b/sessions.sqlite"));
    }

};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
