// `precis-cli sessions show` (core summarizeSession) and `sessions compare`
// (core compareSessions): text tables, or the core's JSON with --json.
#include "cli/cli_common.h"
#include "cli/cli_session.h"
#include "cli/sessions_output.h"

#include "allocation/solver.h"
#include "session/session_compare.h"
#include "session/session_summary.h"


#include <algorithm>
#include <cmath>
#include <cstdio>

namespace precis::cli {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

// Prints rows under a header, each column as wide as its widest cell; columns
// in `right` are right-aligned (numbers).
void printTable(const QStringList& header, const QList<QStringList>& rows, const QList<int>& right = {})
{
    QList<int> width;
    for (const QString& h : header) width << int(h.size());
    for (const QStringList& r : rows)
        for (int c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], int(r[c].size()));
    auto line = [&](const QStringList& cells) {
        QString text = QStringLiteral("  ");
        for (int c = 0; c < cells.size(); ++c) {
            const bool last = c + 1 == cells.size();
            const int w = right.contains(c) ? width[c] : (last ? 0 : -width[c]);
            text += cells[c].isEmpty() ? QString(std::abs(w), QLatin1Char(' ')) : QStringLiteral("%1").arg(cells[c], w);
            if (!last) text += QStringLiteral("  ");
        }
        printLine(text);
    };
    line(header);
    for (const QStringList& r : rows) line(r);
}

QString num(double v, int decimals)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("—");
}

QString sci(double v) { return std::isfinite(v) ? QString::number(v, 'e', 2) : QStringLiteral("—"); }

QString percent(double v) { return q(percentText(v)); }

QString budgetLine(const SessionSummary& s)
{
    const BudgetSpec b = s.budget();
    QString options = QString::fromLatin1(optionSetName(b.optionSet));
    if (b.optionSet == OptionSet::Custom) {
        QStringList names;
        for (const std::string& o : b.options) names << q(o);
        options += QStringLiteral(" (%1)").arg(names.join(QStringLiteral(", ")));
    }
    return QStringLiteral("%1: %2 units, damage by %3, %4 options, %5 pinned, damage scale %6%7")
        .arg(q(budgetText(b)), QString::fromLatin1(granularityName(b.granularity)), q(b.metric), options)
        .arg(b.pinned.size())
        .arg(b.damageScale, 0, 'g', 4)
        .arg(s.state.budget ? QString() : QStringLiteral(" (never set: the defaults)"));
}

void printRuns(const SessionSummary& s)
{
    printLine(QStringLiteral("\ncalibration runs (%1)").arg(s.runs.size()));
    if (s.runs.empty()) return;
    QList<QStringList> rows;
    for (const SummaryRun& r : s.runs) {
        const auto& c = r.settings;
        rows << QStringList{QString::number(r.run.id),
                            q(std::string(runStatusName(r.run.status))),
                            c ? QStringLiteral("%1 × %2").arg(c->sequences).arg(c->length) : QStringLiteral("?"),
                            c ? QString::number(c->seed) : QStringLiteral("?"),
                            QString::number(r.run.tokens),
                            r.baselineLoss ? num(*r.baselineLoss, 5) : QStringLiteral("—"),
                            num(r.run.wallSeconds, 1),
                            c ? (c->textPath.empty() ? QStringLiteral("self-generated") : q(c->textPath))
                              : QStringLiteral("(settings unreadable)")};
    }
    printTable({QStringLiteral("id"), QStringLiteral("status"), QStringLiteral("N × T"), QStringLiteral("seed"),
                QStringLiteral("tokens"), QStringLiteral("baseline loss"), QStringLiteral("seconds"), QStringLiteral("text")},
               rows, {0, 3, 4, 5, 6});
    for (const SummaryRun& r : s.runs) {
        if (!r.settings) continue;
        const auto& c = r.settings->settings;
        QStringList options, probes;
        for (const std::string& o : c.options) options << q(o);
        for (const std::string& o : c.probeOptions) probes << q(o);
        printLine(QStringLiteral("  run %1: options %2; probes %3; %4; head ablation %5")
                      .arg(r.run.id)
                      .arg(options.isEmpty() ? QStringLiteral("all") : options.join(QStringLiteral(",")),
                           probes.isEmpty() ? QStringLiteral("none") : probes.join(QStringLiteral(",")),
                           c.measure ? QStringLiteral("measured on %1 sequences").arg(c.measureSequences)
                                     : QStringLiteral("not measured"),
                           c.headAblation ? QStringLiteral("yes") : QStringLiteral("no")));
    }
}

void printAllocations(const SessionSummary& s)
{
    printLine(QStringLiteral("\nallocations (%1)").arg(s.allocations.size()));
    if (s.allocations.empty()) return;
    QList<QStringList> rows;
    for (const SavedAllocation& a : s.allocations)
        rows << QStringList{q(a.name),
                            q(budgetText(a.budget)),
                            q(sizeText(a.totals.bytes)),
                            num(a.totals.bitsPerWeight, 3),
                            percent(a.totals.predictedPplIncreasePercent),
                            a.totals.hasKl() ? sci(a.totals.predictedKl) : QStringLiteral("—"),
                            QString::number(a.assignment.size()),
                            timeText(a.createdAt)};
    printTable({QStringLiteral("name"), QStringLiteral("budget"), QStringLiteral("size"), QStringLiteral("bits/w"),
                QStringLiteral("predicted Δppl"), QStringLiteral("predicted KL"), QStringLiteral("units"),
                QStringLiteral("saved (UTC)")},
               rows, {2, 3, 4, 5, 6});
}

void printCompressions(const SessionSummary& s)
{
    printLine(QStringLiteral("\ncompressions (%1, %2 measured)").arg(s.compressions.size()).arg(s.measuredCount()));
    if (s.compressions.empty()) return;
    QList<QStringList> rows;
    for (const CompressionEntry& c : s.compressions) {
        const bool m = c.measured.has_value();
        const ComparisonResult cmp = m ? c.measured->comparison : ComparisonResult{};
        rows << QStringList{QString::number(c.id),
                            q(c.name),
                            QString::fromLatin1(compressionMethodName(c.method.method)),
                            q(sizeText(c.bytes)),
                            c.fileBytes > 0 ? q(sizeText(c.fileBytes)) : QStringLiteral("—"),
                            num(c.bitsPerWeight, 3),
                            m ? percent(c.measured->percent()) : QStringLiteral("not measured"),
                            m ? QStringLiteral("%1 → %2").arg(num(cmp.pplOriginal, 4), num(cmp.pplCompressed, 4))
                              : QStringLiteral("—"),
                            m ? sci(cmp.klMean) : QStringLiteral("—"),
                            m ? sci(cmp.klP99) : QStringLiteral("—"),
                            m ? QStringLiteral("%1 %").arg(100.0 * cmp.top1Agreement, 0, 'f', 2) : QStringLiteral("—"),
                            c.hasPrediction() ? percent(c.predictedPercent) : QStringLiteral("—")};
    }
    printTable({QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("method"), QStringLiteral("size"),
                QStringLiteral("file"), QStringLiteral("bits/w"), QStringLiteral("measured Δppl"),
                QStringLiteral("ppl original → compressed"), QStringLiteral("KL mean"), QStringLiteral("KL p99"),
                QStringLiteral("top-1"), QStringLiteral("predicted Δppl")},
               rows, {0, 3, 4, 5, 6, 8, 9, 10, 11});
}

void printBenchmarks(const SessionSummary& s)
{
    printLine(QStringLiteral("\nbenchmarks (%1)").arg(s.benchmarks.size()));
    if (s.benchmarks.empty()) return;
    QList<QStringList> rows;
    for (const StoredBenchmark& b : s.benchmarks) {
        const BenchResult& r = b.result;
        rows << QStringList{QString::number(b.id),
                            q(b.label),
                            QString::fromLatin1(benchRoleName(b.role)),
                            QStringLiteral("%1, %2 threads").arg(q(r.device)).arg(r.threads),
                            num(r.prefillTokS.median, 1),
                            num(r.decodeTokS.median, 1),
                            num(r.ttftMs.median, 1),
                            humanBytes(r.peakMemoryBytes),
                            QStringLiteral("%1 %").arg(100.0 * r.ceilingFraction(), 0, 'f', 0),
                            timeText(b.createdAt)};
    }
    printTable({QStringLiteral("id"), QStringLiteral("model"), QStringLiteral("role"), QStringLiteral("device"),
                QStringLiteral("prefill tok/s"), QStringLiteral("decode tok/s"), QStringLiteral("TTFT ms"),
                QStringLiteral("peak memory"), QStringLiteral("of ceiling"), QStringLiteral("run (UTC)")},
               rows, {0, 4, 5, 6, 7, 8});
}

void printErrors(const std::vector<Error>& errors)
{
    if (errors.empty()) return;
    printLine(QStringLiteral("\nunreadable records (%1), left out above:").arg(errors.size()));
    for (const Error& e : errors) printLine(QStringLiteral("  %1").arg(q(e.toString())));
}

void printMeasured(const SessionSide& s)
{
    printLine(QStringLiteral("\nmeasured compressions of '%1' (%2)").arg(q(s.summary.info.name)).arg(s.measured.size()));
    if (s.measured.empty()) return;
    QList<QStringList> rows;
    for (const MeasuredCompression& m : s.measured)
        rows << QStringList{q(m.name), q(m.method), q(sizeText(m.bytes)), num(m.bitsPerWeight, 3), percent(m.percent)};
    printTable({QStringLiteral("name"), QStringLiteral("method"), QStringLiteral("size"), QStringLiteral("bits/w"),
                QStringLiteral("measured Δppl")},
               rows, {2, 3, 4});
}

} // namespace

int sessionsShow(const QStringList& args)
{
    CommandParser p(QStringLiteral("sessions show"),
                    QStringLiteral("One session: its model, budget state, calibration runs, saved allocations, "
                                   "compressions (size and what was measured) and benchmarks."));
    p.addOption({QStringLiteral("session"), QStringLiteral("Session database file."), QStringLiteral("DB")});
    p.addOption({QStringLiteral("name"), QStringLiteral("Session name (default: the most recently used)."),
                 QStringLiteral("NAME")});
    p.parse(args, 0, 0);
    if (!p.isSet(QStringLiteral("session"))) failUsage(QStringLiteral("show: --session DB is required"));
    auto store = openSessionStoreOrExit(p.value(QStringLiteral("session")), QStringLiteral("show"));
    const SessionInfo session = pickSessionOrExit(store, p.value(QStringLiteral("name")), QStringLiteral("show"));
    auto summary = summarizeSession(store, session.id);
    if (!summary.ok()) failError(summary.error());
    if (p.json()) {
        std::fputs((sessionSummaryJson(*summary) + "\n").c_str(), stdout);
        return ExitOk;
    }
    const SessionInfo& i = summary->info;
    printLine(QStringLiteral("session '%1' (id %2) in %3").arg(q(i.name)).arg(i.id).arg(q(store.path())));
    printLine(QStringLiteral("  created %1, last used %2 (UTC)").arg(timeText(i.createdAt), timeText(i.updatedAt)));
    if (!i.notes.empty()) printLine(QStringLiteral("  notes   %1").arg(q(i.notes)));
    printLine(QStringLiteral("  model   %1").arg(q(i.model.path)));
    printLine(QStringLiteral("          %1, %2 parameters, %3, SHA-256 %4")
                  .arg(q(i.model.architecture))
                  .arg(i.model.parameters)
                  .arg(q(sizeText(i.model.fileSize)), q(i.model.sha256)));
    printLine(QStringLiteral("  budget  %1").arg(budgetLine(*summary)));
    printRuns(*summary);
    printAllocations(*summary);
    printCompressions(*summary);
    printBenchmarks(*summary);
    printErrors(summary->errors);
    return ExitOk;
}

int sessionsCompare(const QStringList& args)
{
    CommandParser p(QStringLiteral("sessions compare"),
                    QStringLiteral("Two sessions side by side: what differs (model, calibration, budget state, "
                                   "records, the best measured results), each session's predicted frontier (from "
                                   "its model, else its cached option table) and its measured compressions."));
    p.addOption({QStringLiteral("session"), QStringLiteral("Session database file."), QStringLiteral("DB")});
    p.addPositional(QStringLiteral("A"), QStringLiteral("The first session's name."));
    p.addPositional(QStringLiteral("B"), QStringLiteral("The second session's name."));
    p.parse(args, 2, 2);
    if (!p.isSet(QStringLiteral("session"))) failUsage(QStringLiteral("compare: --session DB is required"));
    auto store = openSessionStoreOrExit(p.value(QStringLiteral("session")), QStringLiteral("compare"));
    const QString nameA = p.positional().at(0), nameB = p.positional().at(1);
    if (nameA.isEmpty() || nameB.isEmpty()) failUsage(QStringLiteral("compare: session names must not be empty"));
    const SessionInfo a = pickSessionOrExit(store, nameA, QStringLiteral("compare"));
    const SessionInfo b = pickSessionOrExit(store, nameB, QStringLiteral("compare"));
    CancelToken cancel;
    Progress progress([](double f, const std::string& stage) {
        printProgress(QStringLiteral("%1% %2").arg(int(f * 100)).arg(q(stage)));
    });
    auto comparison = compareSessions(store, a.id, b.id, &cancel, &progress);
    endProgress();
    if (!comparison.ok()) failError(comparison.error());
    if (p.json()) {
        std::fputs((sessionComparisonJson(*comparison) + "\n").c_str(), stdout);
        return ExitOk;
    }
    printLine(QStringLiteral("comparing '%1' (A) with '%2' (B) in %3").arg(nameA, nameB, q(store.path())));
    QList<QStringList> rows;
    for (const SessionDifference& d : comparison->differences)
        rows << QStringList{d.differs() ? QStringLiteral("*") : QString(), q(d.field), q(d.a), q(d.b)};
    printTable({QString(), QStringLiteral("field"), QStringLiteral("A"), QStringLiteral("B")}, rows);
    printLine(QStringLiteral("(* differs)"));
    for (const SessionSide* s : {&comparison->a, &comparison->b}) {
        const SessionFrontier& f = s->frontier;
        if (f.empty()) {
            printLine(QStringLiteral("\npredicted frontier of '%1': none (%2)").arg(q(s->summary.info.name), q(f.reason)));
            continue;
        }
        printLine(QStringLiteral("\npredicted frontier of '%1': %2 points from %3 (%4 bits/weight, %5) to %6 (%7 bits/weight, "
                                 "%8), %9 units")
                      .arg(q(s->summary.info.name))
                      .arg(f.points.size())
                      .arg(q(sizeText(f.points.back().bytes)))
                      .arg(8.0 * double(f.points.back().bytes) / double(std::max<int64_t>(f.totalWeights, 1)), 0, 'f', 2)
                      .arg(percent(perplexityIncreaseForDamage(f.points.back().damage)))
                      .arg(q(sizeText(f.points.front().bytes)))
                      .arg(8.0 * double(f.points.front().bytes) / double(std::max<int64_t>(f.totalWeights, 1)), 0, 'f', 2)
                      .arg(percent(perplexityIncreaseForDamage(f.points.front().damage)))
                      .arg(f.units));
        printLine(QStringLiteral("  %1, under its budget state's settings (%2)%3")
                      .arg(f.source == FrontierSource::Model ? QStringLiteral("built from the model")
                                                             : QStringLiteral("read from the cached option table"),
                           q(budgetText(f.budget)),
                           f.reason.empty() ? QString() : QStringLiteral("; ") + q(f.reason)));
    }
    printMeasured(comparison->a);
    printMeasured(comparison->b);
    return ExitOk;
}

} // namespace precis::cli
