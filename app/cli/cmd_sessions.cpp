// `precis-cli sessions list|show|rename|delete|export|import|compare`: the
// sessions of a database, as File ▸ Sessions… shows them in the studio. show
// and compare print what core/session/session_summary.h and session_compare.h
// compute (cmd_sessions_show.cpp); the rest are the store's own operations.
#include "cli/cli_common.h"
#include "cli/cli_session.h"
#include "cli/commands.h"
#include "cli/sessions_output.h"

#include "session/session_store.h"

#include <QFileInfo>
#include <QJsonArray>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <unistd.h>

namespace precis::cli {

namespace {

const char* kSessionsUsage =
    "Usage: precis-cli sessions <command> --session DB [options]\n"
    "\n"
    "Commands:\n"
    "  list    --session DB                          every session: model, record counts, last used\n"
    "  show    --session DB [--name S]               one session's runs, allocations, compressions, benchmarks\n"
    "                                                (default: the most recently used)\n"
    "  rename  --session DB --name S --to NEW        give a session another name\n"
    "  delete  --session DB --name S [--yes]         delete a session and everything recorded in it\n"
    "                                                (asks on a terminal; elsewhere needs --yes)\n"
    "  export  --session DB [--name S] --out FILE    the session in its own database file\n"
    "  import  --session DB FILE                     the one session of FILE into DB (created if missing);\n"
    "                                                a name that exists gets \" (2)\", \" (3)\", ...\n"
    "  compare --session DB A B                      two sessions: what differs, each predicted frontier,\n"
    "                                                the measured compressions\n"
    "\n"
    "Each takes --json. Exit status: 0 success, 1 bad input, 2 bad usage.\n";

QCommandLineOption sessionOption()
{
    return {QStringLiteral("session"), QStringLiteral("Session database file."), QStringLiteral("DB")};
}

QCommandLineOption nameOption(const QString& what)
{
    return {QStringLiteral("name"), what, QStringLiteral("NAME")};
}

// `command`: the sub-command's name ("list"), the start of its messages.
QString requireDb(const CommandParser& p, const QString& command)
{
    if (!p.isSet(QStringLiteral("session")))
        failUsage(QStringLiteral("%1: --session DB is required").arg(command));
    return p.value(QStringLiteral("session"));
}

QString requireName(const CommandParser& p, const QString& command)
{
    const QString name = p.value(QStringLiteral("name"));
    if (name.isEmpty()) failUsage(QStringLiteral("%1: --name S is required (precis-cli sessions list names them)").arg(command));
    return name;
}

QJsonObject modelJson(const ModelRecord& m)
{
    return QJsonObject{{"path", QString::fromStdString(m.path)},
                       {"sha256", QString::fromStdString(m.sha256)},
                       {"architecture", QString::fromStdString(m.architecture)},
                       {"parameters", qint64(m.parameters)},
                       {"file_bytes", qint64(m.fileSize)}};
}

QString q(const std::string& s) { return QString::fromStdString(s); }

// "3 calibration runs, 1 allocation, 2 compressions, 0 benchmarks"
QString countsText(const SessionInfo& s)
{
    auto n = [](int64_t count, const char* one, const char* many) {
        return QStringLiteral("%1 %2").arg(count).arg(QLatin1String(count == 1 ? one : many));
    };
    return QStringList{n(s.runCount, "calibration run", "calibration runs"),
                       n(s.allocationCount, "allocation", "allocations"),
                       n(s.compressionCount, "compression", "compressions"),
                       n(s.benchmarkCount, "benchmark", "benchmarks")}
        .join(QStringLiteral(", "));
}

int list(const QStringList& args)
{
    const QString command = QStringLiteral("sessions list");
    CommandParser p(command, QStringLiteral("Every session of the database, most recently used first."));
    p.addOption(sessionOption());
    p.parse(args, 0, 0);
    auto store = openSessionStoreOrExit(requireDb(p, QStringLiteral("list")), QStringLiteral("list"));
    auto sessions = store.sessions();
    if (!sessions.ok()) failError(sessions.error());
    if (p.json()) {
        QJsonArray rows;
        for (const SessionInfo& s : *sessions)
            rows.append(QJsonObject{{"id", qint64(s.id)},
                                    {"name", q(s.name)},
                                    {"model", modelJson(s.model)},
                                    {"calibration_runs", qint64(s.runCount)},
                                    {"allocations", qint64(s.allocationCount)},
                                    {"compressions", qint64(s.compressionCount)},
                                    {"benchmarks", qint64(s.benchmarkCount)},
                                    {"created_at", q(s.createdAt)},
                                    {"updated_at", q(s.updatedAt)}});
        printJson(QJsonObject{{"database", q(store.path())}, {"sessions", rows}});
        return ExitOk;
    }
    if (sessions->empty()) {
        printLine(QStringLiteral("%1 holds no sessions (precis-cli analyze MODEL --session %1 makes one)").arg(q(store.path())));
        return ExitOk;
    }
    int nameWidth = 4, modelWidth = 5;
    for (const SessionInfo& s : *sessions) {
        nameWidth = std::max(nameWidth, int(q(s.name).size()));
        modelWidth = std::max(modelWidth, int(QFileInfo(q(s.model.path)).fileName().size()));
    }
    printLine(QStringLiteral("%1  %2  %3 %4 %5 %6  %7")
                  .arg(QStringLiteral("name"), -nameWidth)
                  .arg(QStringLiteral("model"), -modelWidth)
                  .arg(QStringLiteral("runs"), 5)
                  .arg(QStringLiteral("alloc"), 5)
                  .arg(QStringLiteral("compr"), 5)
                  .arg(QStringLiteral("bench"), 5)
                  .arg(QStringLiteral("last used (UTC)")));
    for (const SessionInfo& s : *sessions)
        printLine(QStringLiteral("%1  %2  %3 %4 %5 %6  %7")
                      .arg(q(s.name), -nameWidth)
                      .arg(QFileInfo(q(s.model.path)).fileName(), -modelWidth)
                      .arg(s.runCount, 5)
                      .arg(s.allocationCount, 5)
                      .arg(s.compressionCount, 5)
                      .arg(s.benchmarkCount, 5)
                      .arg(timeText(s.updatedAt)));
    return ExitOk;
}

int rename(const QStringList& args)
{
    const QString command = QStringLiteral("sessions rename");
    CommandParser p(command, QStringLiteral("Give a session another name."));
    p.addOption(sessionOption());
    p.addOption(nameOption(QStringLiteral("The session to rename.")));
    p.addOption({QStringLiteral("to"), QStringLiteral("Its new name."), QStringLiteral("NEW")});
    p.parse(args, 0, 0);
    const QString db = requireDb(p, QStringLiteral("rename"));
    const QString name = requireName(p, QStringLiteral("rename"));
    const QString to = p.value(QStringLiteral("to")).trimmed();
    if (to.isEmpty()) failUsage(QStringLiteral("rename: --to NEW (a non-empty name) is required"));
    auto store = openSessionStoreOrExit(db, QStringLiteral("rename"));
    const SessionInfo session = pickSessionOrExit(store, name, QStringLiteral("rename"));
    if (to != name) {
        auto clash = store.sessionByName(to.toStdString());
        if (!clash.ok()) failError(clash.error());
        if (*clash)
            failInput(QStringLiteral("rename: %1 already has a session named '%2'; choose another name").arg(q(store.path()), to));
    }
    if (auto r = store.renameSession(session.id, to.toStdString()); !r.ok()) failError(r.error());
    if (p.json()) printJson(QJsonObject{{"id", qint64(session.id)}, {"old_name", name}, {"name", to}});
    else printLine(QStringLiteral("renamed session '%1' to '%2'").arg(name, to));
    return ExitOk;
}

// On a terminal: asks on stderr and reads the answer from stdin.
bool confirmOnTerminal(const QString& question)
{
    std::fprintf(stderr, "%s [y/N] ", qPrintable(question));
    std::fflush(stderr);
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes";
}

int remove(const QStringList& args)
{
    const QString command = QStringLiteral("sessions delete");
    CommandParser p(command, QStringLiteral("Delete a session and everything recorded in it (calibration runs, "
                                            "sensitivity, allocations, compressions, benchmarks). Model files and "
                                            "exported files stay. Without --yes it asks on a terminal and refuses "
                                            "elsewhere."));
    p.addOption(sessionOption());
    p.addOption(nameOption(QStringLiteral("The session to delete.")));
    p.addOption({QStringLiteral("yes"), QStringLiteral("Delete without asking.")});
    p.parse(args, 0, 0);
    const QString db = requireDb(p, QStringLiteral("delete"));
    const QString name = requireName(p, QStringLiteral("delete"));
    auto store = openSessionStoreOrExit(db, QStringLiteral("delete"));
    const SessionInfo session = pickSessionOrExit(store, name, QStringLiteral("delete"));
    if (!p.isSet(QStringLiteral("yes"))) {
        const QString what = QStringLiteral("session '%1' (%2)").arg(name, countsText(session));
        if (!::isatty(STDIN_FILENO) || p.json())
            failUsage(QStringLiteral("delete: not deleting %1 without confirmation: add --yes").arg(what));
        if (!confirmOnTerminal(QStringLiteral("Delete %1 from %2?").arg(what, db)))
            failInput(QStringLiteral("delete: nothing deleted"));
    }
    if (auto r = store.removeSession(session.id); !r.ok()) failError(r.error());
    if (p.json()) {
        printJson(QJsonObject{{"id", qint64(session.id)}, {"name", name}, {"deleted", true}});
    } else {
        printLine(QStringLiteral("deleted session '%1' (%2)").arg(name, countsText(session)));
    }
    return ExitOk;
}

bool sameFile(const std::string& a, const std::string& b)
{
    std::error_code ec;
    return std::filesystem::equivalent(a, b, ec) && !ec;
}

int exportSession(const QStringList& args)
{
    const QString command = QStringLiteral("sessions export");
    CommandParser p(command, QStringLiteral("Write one session (its model record and everything recorded in it) "
                                            "to its own database file, for another machine's precis-cli sessions "
                                            "import or the studio's File ▸ Sessions… ▸ Import. An existing file is "
                                            "replaced (atomically)."));
    p.addOption(sessionOption());
    p.addOption(nameOption(QStringLiteral("The session to export (default: the most recently used).")));
    p.addOption({QStringLiteral("out"), QStringLiteral("The file to write."), QStringLiteral("FILE")});
    p.parse(args, 0, 0);
    const QString db = requireDb(p, QStringLiteral("export"));
    const QString out = p.value(QStringLiteral("out"));
    if (out.isEmpty()) failUsage(QStringLiteral("export: --out FILE is required"));
    const std::filesystem::path target(out.toStdString());
    std::error_code ec;
    if (std::filesystem::is_directory(target, ec))
        failInput(QStringLiteral("export: %1 is a folder; expected the file to write the session to").arg(out));
    const std::filesystem::path parent = target.parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
        failInput(QStringLiteral("export: cannot write %1: the folder '%2' does not exist").arg(out, q(parent.string())));
    auto store = openSessionStoreOrExit(db, QStringLiteral("export"));
    if (sameFile(out.toStdString(), store.path()))
        failInput(QStringLiteral("export: %1 is the session database itself; choose another file").arg(out));
    const SessionInfo session = pickSessionOrExit(store, p.value(QStringLiteral("name")), QStringLiteral("export"));
    const bool replaced = std::filesystem::exists(target, ec);
    if (auto r = store.exportSession(session.id, out.toStdString()); !r.ok()) failError(r.error());
    const qint64 bytes = QFileInfo(out).size();
    if (p.json()) {
        printJson(QJsonObject{{"id", qint64(session.id)},
                              {"name", q(session.name)},
                              {"out", out},
                              {"file_bytes", bytes},
                              {"replaced", replaced}});
    } else {
        printLine(QStringLiteral("exported session '%1' (%2) to %3 (%4)%5")
                      .arg(q(session.name), countsText(session), out, humanBytes(uint64_t(bytes)),
                           replaced ? QStringLiteral(", replacing the file there") : QString()));
    }
    return ExitOk;
}

int importSession(const QStringList& args)
{
    const QString command = QStringLiteral("sessions import");
    CommandParser p(command, QStringLiteral("Copy the one session of FILE (written by precis-cli sessions export or "
                                            "the studio) into the database, which is created when missing. FILE is "
                                            "not modified. A session of that name that exists already keeps it: the "
                                            "imported one is named \"NAME (2)\", \"NAME (3)\", ..."));
    p.addOption(sessionOption());
    p.addPositional(QStringLiteral("FILE"), QStringLiteral("A session file."));
    p.parse(args, 1, 1);
    const QString db = requireDb(p, QStringLiteral("import"));
    const QString file = p.positional().at(0);
    if (!QFileInfo::exists(file)) failInput(QStringLiteral("import: %1: no such file").arg(file));
    if (QFileInfo(file).isDir()) failInput(QStringLiteral("import: %1 is a folder; expected a session file").arg(file));
    std::error_code ec;
    if (std::filesystem::is_directory(db.toStdString(), ec))
        failInput(QStringLiteral("import: %1 is a folder; expected a session database file").arg(db));
    const bool created = !QFileInfo::exists(db);
    auto opened = SessionStore::open(db.toStdString());
    if (!opened.ok()) failError(opened.error());
    SessionStore store = std::move(opened).value();
    std::string original;
    auto id = store.importSession(file.toStdString(), &original);
    if (!id.ok()) failError(id.error());
    auto session = store.session(*id);
    if (!session.ok()) failError(session.error());
    const QString name = q(session->name);
    const bool renamed = session->name != original;
    if (p.json()) {
        printJson(QJsonObject{{"id", qint64(*id)},
                              {"name", name},
                              {"original_name", q(original)},
                              {"renamed", renamed},
                              {"database_created", created},
                              {"model_path", q(session->model.path)}});
        return ExitOk;
    }
    if (created) printLine(QStringLiteral("created %1").arg(db));
    if (renamed)
        printLine(QStringLiteral("imported as '%1' (a session named '%2' exists) from %3: %4")
                      .arg(name, q(original), file, countsText(*session)));
    else
        printLine(QStringLiteral("imported session '%1' from %2: %3").arg(name, file, countsText(*session)));
    auto check = store.checkModel(session->model.id);
    if (check.ok() && check->changed())
        printLine(QStringLiteral("note: its model %1 is %2 on this machine; the studio asks for the file when the "
                                 "session is opened")
                      .arg(q(session->model.path), check->exists ? QStringLiteral("different") : QStringLiteral("not present")));
    return ExitOk;
}

} // namespace

QString timeText(const std::string& iso)
{
    return QString::fromStdString(iso).left(16).replace(QLatin1Char('T'), QLatin1Char(' '));
}

int cmdSessions(const QStringList& args)
{
    if (args.size() < 2 || args[1] == QLatin1String("--help") || args[1] == QLatin1String("-h") ||
        args[1] == QLatin1String("help")) {
        std::fputs(kSessionsUsage, args.size() < 2 ? stderr : stdout);
        if (args.size() < 2) throw CliExit{ExitUsage, {}};
        return ExitOk;
    }
    const std::map<QString, int (*)(const QStringList&)> commands{
        {QStringLiteral("list"), list},
        {QStringLiteral("show"), sessionsShow},
        {QStringLiteral("rename"), rename},
        {QStringLiteral("delete"), remove},
        {QStringLiteral("export"), exportSession},
        {QStringLiteral("import"), importSession},
        {QStringLiteral("compare"), sessionsCompare},
    };
    const auto it = commands.find(args[1]);
    if (it == commands.end())
        failUsage(QStringLiteral("unknown command '%1' (list, show, rename, delete, export, import, compare; "
                                 "precis-cli sessions --help)")
                      .arg(args[1]));
    QStringList sub = args.mid(2);
    sub.prepend(args[0]);
    return it->second(sub);
}

} // namespace precis::cli
