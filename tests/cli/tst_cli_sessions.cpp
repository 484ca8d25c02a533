// precis-cli sessions end to end on a database made by analyze (the sample
// model, 2 × 16 tokens), allocate --save and compress --session --eval-text:
// list, show (the compression with its bytes and measured metrics), rename,
// delete (refused without --yes), export → import into another database → the
// same records, import twice ("name (2)", and it says so), compare (the
// differences, both frontiers, the measured results; a session whose model is
// not on this machine served by its cached option table), and every bad input
// with its message and exit code.
#include "cli_support.h"
#include "session_test_util.h"
#include "session/session_store.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QJsonArray>

#include <filesystem>
#include <fstream>

using namespace precis;
namespace fs = std::filesystem;

namespace {

using Run = test::CliRun;
using test::runCli;

nlohmann::json jsonOf(const Run& r) { return nlohmann::json::parse(r.out.toStdString(), nullptr, false); }

// The record content without the ids a database gives (they differ after an import).
void stripIds(nlohmann::json& j)
{
    if (j.is_object()) {
        for (const char* key : {"id", "allocation_id", "compression_id", "run_id"}) j.erase(key);
        for (auto& [k, v] : j.items()) stripIds(v);
    } else if (j.is_array()) {
        for (auto& v : j) stripIds(v);
    }
}

const nlohmann::json* difference(const nlohmann::json& comparison, const std::string& key)
{
    for (const auto& d : comparison["differences"])
        if (d["key"] == key) return &d;
    return nullptr;
}

} // namespace

class TestCliSessions : public QObject {
    Q_OBJECT
    QString m_dir, m_db, m_model, m_calib, m_eval;
    nlohmann::json m_compress;  // compress --json

    QString copyDb(const QString& name)
    {
        const QString path = m_dir + "/" + name;
        fs::copy_file(m_db.toStdString(), path.toStdString(), fs::copy_options::overwrite_existing);
        fs::remove(path.toStdString() + "-wal");
        if (fs::exists(m_db.toStdString() + "-wal"))  // none once the last precis-cli closed it, normally
            fs::copy_file(m_db.toStdString() + "-wal", path.toStdString() + "-wal");
        return path;
    }

private slots:
    void initTestCase()
    {
        m_dir = QString::fromStdString(test::scratchDir("cli-sessions"));
        m_db = m_dir + "/s.sqlite";
        m_model = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/model.gguf");
        m_calib = QStringLiteral(PRECIS_SOURCE_DIR "/resources/sample/calib.txt");
        // A short evaluation text (the first part of eval.txt): the measurement is what is recorded, not its quality.
        m_eval = m_dir + "/eval.txt";
        {
            std::ifstream in(PRECIS_SOURCE_DIR "/resources/sample/eval.txt");
            std::string text(3000, '\0');
            in.read(text.data(), std::streamsize(text.size()));
            text.resize(size_t(in.gcount()));
            std::ofstream(m_eval.toStdString()) << text;
        }
        Run r = runCli({"analyze", m_model, "--calib", m_calib, "--seqs", "2", "--len", "16", "--no-ablation",
                        "--measure-seqs", "1", "--session", m_db, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        r = runCli({"allocate", "--session", m_db, "--budget-ppl", "2", "--save", "two"});
        QVERIFY2(r.code == 0, r.err.constData());
        r = runCli({"compress", m_model, "--session", m_db, "--allocation", "two", "--out", m_dir + "/two.gguf",
                    "--eval-text", m_eval, "--eval-ctx", "64", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        m_compress = jsonOf(r);
        QVERIFY(m_compress.contains("measured"));
        // A second session of the same model: another seed, no measurement, nothing else.
        r = runCli({"analyze", m_model, "--calib", m_calib, "--seqs", "2", "--len", "16", "--seed", "3", "--no-ablation",
                    "--no-measure", "--session", m_db, "--name", "other"});
        QVERIFY2(r.code == 0, r.err.constData());
    }

    void list()
    {
        Run r = runCli({"sessions", "list", "--session", m_db, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = jsonOf(r);
        QCOMPARE(j["sessions"].size(), size_t(2));
        QCOMPARE(j["sessions"][0]["name"].get<std::string>(), std::string("other"));  // most recently used first
        const auto& m = j["sessions"][1];
        QCOMPARE(m["name"].get<std::string>(), std::string("model"));
        QCOMPARE(m["model"]["path"].get<std::string>(), m_model.toStdString());
        QCOMPARE(m["calibration_runs"].get<int>(), 1);
        QCOMPARE(m["allocations"].get<int>(), 1);
        QCOMPARE(m["compressions"].get<int>(), 1);
        QCOMPARE(m["benchmarks"].get<int>(), 0);
        r = runCli({"sessions", "list", "--session", m_db});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("model.gguf"));
        QVERIFY(r.out.contains("other"));
    }

    void show()
    {
        Run r = runCli({"sessions", "show", "--session", m_db, "--name", "model", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = jsonOf(r);
        QCOMPARE(j["name"].get<std::string>(), std::string("model"));
        QCOMPARE(j["model"]["parameters"].get<int64_t>(), int64_t(3313920));
        QCOMPARE(j["calibration_runs"].size(), size_t(1));
        QCOMPARE(j["calibration_runs"][0]["settings"]["sequences"].get<int>(), 2);
        QCOMPARE(j["calibration_runs"][0]["settings"]["length"].get<int>(), 16);
        QCOMPARE(j["calibration_runs"][0]["settings"]["head_ablation"].get<bool>(), false);
        QCOMPARE(j["calibration_runs"][0]["tokens"].get<int>(), 32);
        QCOMPARE(j["allocations"][0]["name"].get<std::string>(), std::string("two"));
        QCOMPARE(j["allocations"][0]["budget"]["value"].get<double>(), 2.0);
        QCOMPARE(j["compressions"].size(), size_t(1));
        const auto& c = j["compressions"][0];
        QCOMPARE(c["name"].get<std::string>(), m_compress["name"].get<std::string>());
        QCOMPARE(c["allocation"].get<std::string>(), std::string("two"));
        QCOMPARE(c["bytes"].get<int64_t>(), m_compress["bytes"].get<int64_t>());
        QCOMPARE(c["file_bytes"].get<int64_t>(), m_compress["file_bytes"].get<int64_t>());
        QCOMPARE(c["measured"].get<bool>(), true);
        const auto& measured = m_compress["measured"];
        for (const char* key : {"ppl_original", "ppl_compressed", "ppl_ratio", "kl_mean", "kl_p99", "top1_agreement"}) {
            QVERIFY2(c.contains(key), key);
            QCOMPARE(c[key].get<double>(), measured[key].get<double>());
        }
        QVERIFY(c["ppl_ratio"].get<double>() > 1.0);  // Q2_K/Q3_K of a 3M-parameter model loses something
        QVERIFY(j["errors"].empty());
        QVERIFY(j["budget_state"].is_null());

        // Without --name: the most recently used session.
        r = runCli({"sessions", "show", "--session", m_db, "--json"});
        QCOMPARE(jsonOf(r)["name"].get<std::string>(), std::string("other"));
        QCOMPARE(jsonOf(r)["compressions"].size(), size_t(0));
        r = runCli({"sessions", "show", "--session", m_db, "--name", "model"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("compressions (1, 1 measured)"));
        QVERIFY(r.out.contains(QByteArray::fromStdString(m_compress["name"].get<std::string>())));
    }

    void renameAndDelete()
    {
        const QString db = copyDb("rename.sqlite");
        Run r = runCli({"sessions", "rename", "--session", db, "--name", "other", "--to", "renamed"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("renamed session 'other' to 'renamed'"));
        r = runCli({"sessions", "rename", "--session", db, "--name", "renamed", "--to", "model"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("already has a session named 'model'"), r.err.constData());
        QCOMPARE(runCli({"sessions", "rename", "--session", db, "--name", "renamed"}).code, 2);  // no --to
        QCOMPARE(runCli({"sessions", "rename", "--session", db, "--to", "x"}).code, 2);          // no --name

        // Not a terminal: refused without --yes, and it says how.
        r = runCli({"sessions", "delete", "--session", db, "--name", "renamed"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--yes"), r.err.constData());
        QVERIFY(r.err.contains("'renamed'"));
        r = runCli({"sessions", "delete", "--session", db, "--name", "renamed", "--yes"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("deleted session 'renamed' (1 calibration run, 0 allocations"));
        r = runCli({"sessions", "list", "--session", db, "--json"});
        QCOMPARE(jsonOf(r)["sessions"].size(), size_t(1));
        QCOMPARE(jsonOf(r)["sessions"][0]["name"].get<std::string>(), std::string("model"));
        r = runCli({"sessions", "delete", "--session", db, "--name", "renamed", "--yes"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no session named 'renamed'"), r.err.constData());
    }

    void exportImport()
    {
        const QString file = m_dir + "/model.session.sqlite";
        Run r = runCli({"sessions", "export", "--session", m_db, "--name", "model", "--out", file});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("exported session 'model'"));
        const QString other = m_dir + "/other.sqlite";
        fs::remove(other.toStdString());
        r = runCli({"sessions", "import", "--session", other, file});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("imported session 'model'"), r.out.constData());
        QVERIFY(r.out.contains("created"));

        // The same records, read back from the other database.
        auto original = jsonOf(runCli({"sessions", "show", "--session", m_db, "--name", "model", "--json"}));
        auto imported = jsonOf(runCli({"sessions", "show", "--session", other, "--name", "model", "--json"}));
        QCOMPARE(imported["compressions"].size(), size_t(1));
        stripIds(original);
        stripIds(imported);
        for (const char* key : {"model", "calibration_runs", "allocations", "compressions", "benchmarks",
                                "budget_state", "created_at", "updated_at"})
            QVERIFY2(original[key] == imported[key], key);

        // Again: the name exists, so the copy is renamed, and the command says so.
        r = runCli({"sessions", "import", "--session", other, file});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("imported as 'model (2)' (a session named 'model' exists)"), r.out.constData());
        r = runCli({"sessions", "import", "--session", other, file, "--json"});
        QCOMPARE(r.code, 0);
        QCOMPARE(jsonOf(r)["name"].get<std::string>(), std::string("model (3)"));
        QCOMPARE(jsonOf(r)["original_name"].get<std::string>(), std::string("model"));
        QCOMPARE(jsonOf(r)["renamed"].get<bool>(), true);
        QCOMPARE(jsonOf(runCli({"sessions", "list", "--session", other, "--json"}))["sessions"].size(), size_t(3));
    }

    void compare()
    {
        Run r = runCli({"sessions", "compare", "--session", m_db, "model", "other", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = jsonOf(r);
        auto value = [&](const std::string& key, const char* side) {
            const nlohmann::json* d = difference(j, key);
            return d ? (*d)[side].get<std::string>() : std::string("<missing>");
        };
        QCOMPARE(value("run.seed", "a"), std::string("1"));
        QCOMPARE(value("run.seed", "b"), std::string("3"));
        QCOMPARE(value("run.measured", "a"), std::string("yes, 1 sequences"));
        QCOMPARE(value("run.measured", "b"), std::string("no"));
        QCOMPARE(value("count.compressions", "a"), std::string("1 (1 measured)"));
        QCOMPARE(value("count.compressions", "b"), std::string("0 (0 measured)"));
        QCOMPARE(value("model.sha256", "a"), value("model.sha256", "b"));
        QCOMPARE((*difference(j, "model.sha256"))["differs"].get<bool>(), false);
        QCOMPARE((*difference(j, "run.seed"))["differs"].get<bool>(), true);
        QCOMPARE(value("best.lowest", "b"), std::string("—"));
        for (const char* side : {"a", "b"}) {
            QCOMPARE(j[side]["frontier"]["source"].get<std::string>(), std::string("model"));
            QVERIFY(j[side]["frontier"]["points"].size() > 10);
        }
        QCOMPARE(j["a"]["measured"].size(), size_t(1));
        QCOMPARE(j["a"]["measured"][0]["bytes"].get<int64_t>(), m_compress["bytes"].get<int64_t>());
        QCOMPARE(j["b"]["measured"].size(), size_t(0));

        r = runCli({"sessions", "compare", "--session", m_db, "model", "other"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("predicted frontier of 'model'"));
        QVERIFY(r.out.contains("predicted frontier of 'other'"));
        QVERIFY(r.out.contains("measured compressions of 'model' (1)"));

        // A session from another machine (its model path is not here): the cached
        // option table that allocate kept gives the same frontier.
        const QString db = copyDb("elsewhere.sqlite");
        {
            test::RawDb raw(db.toStdString());
            QVERIFY(raw.exec("INSERT INTO models(path, sha256, architecture, parameters, file_size, added_at) "
                             "SELECT '/elsewhere/model.gguf', sha256, architecture, parameters, file_size, added_at "
                             "FROM models WHERE id = 1; UPDATE sessions SET model_id = last_insert_rowid() "
                             "WHERE name = 'model'"));
        }
        r = runCli({"sessions", "compare", "--session", db, "model", "other", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto e = jsonOf(r);
        QCOMPARE(e["a"]["model_check"].get<std::string>(), std::string("missing"));
        QCOMPARE(e["a"]["frontier"]["source"].get<std::string>(), std::string("cached_table"));
        QVERIFY(e["a"]["frontier"]["points"] == j["a"]["frontier"]["points"]);
        QCOMPARE((*difference(e, "model.path"))["differs"].get<bool>(), true);
    }

    void badInputs()
    {
        Run r = runCli({"sessions", "list", "--session", m_dir + "/missing.sqlite"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("missing.sqlite: no such session database"), r.err.constData());
        r = runCli({"sessions", "show", "--session", m_db, "--name", "nope"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("has no session named 'nope'"), r.err.constData());
        r = runCli({"sessions", "compare", "--session", m_db, "model", "nope"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("'nope'"));
        r = runCli({"sessions", "export", "--session", m_db, "--name", "model", "--out", m_dir});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("is a folder"), r.err.constData());
        r = runCli({"sessions", "export", "--session", m_db, "--name", "model", "--out", m_dir + "/no/such/x.sqlite"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("does not exist"), r.err.constData());
        r = runCli({"sessions", "export", "--session", m_db, "--name", "model", "--out", m_db});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("is the session database itself"), r.err.constData());

        const QString target = m_dir + "/target.sqlite";
        const QString notDb = m_dir + "/not-a-db.sqlite";
        std::ofstream(notDb.toStdString()) << "hello, not a database";
        r = runCli({"sessions", "import", "--session", target, notDb});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not-a-db.sqlite") && r.err.contains("not an SQLite database"), r.err.constData());
        r = runCli({"sessions", "list", "--session", notDb});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not an SQLite database"), r.err.constData());
        r = runCli({"sessions", "import", "--session", target, m_db});  // two sessions in it
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("expected exactly one session in the file, found 2"), r.err.constData());
        const QString emptyDb = m_dir + "/empty.sqlite";
        QVERIFY(SessionStore::open(emptyDb.toStdString()).ok());
        r = runCli({"sessions", "import", "--session", target, emptyDb});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("found 0"), r.err.constData());
        r = runCli({"sessions", "import", "--session", target, m_dir + "/absent.sqlite"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("absent.sqlite: no such file"), r.err.constData());

        QCOMPARE(runCli({"sessions"}).code, 2);
        QCOMPARE(runCli({"sessions", "frob"}).code, 2);
        QCOMPARE(runCli({"sessions", "--help"}).code, 0);
        QCOMPARE(runCli({"sessions", "list"}).code, 2);                                 // no --session
        QCOMPARE(runCli({"sessions", "compare", "--session", m_db, "model"}).code, 2);   // one name
        QCOMPARE(runCli({"sessions", "import", "--session", target}).code, 2);           // no file
        QCOMPARE(runCli({"sessions", "export", "--session", m_db, "--name", "model"}).code, 2);  // no --out
        QCOMPARE(runCli({"sessions", "list", "--session", m_db, "--bogus"}).code, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliSessions)
#include "tst_cli_sessions.moc"
