// `precis-cli allocate`: the mixed-precision allocation for a budget, from a
// session's latest calibration run.
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/cli_session.h"

#include "allocation/closed_loop.h"
#include "allocation/option_builder.h"
#include "allocation/solver.h"
#include "eval/compression_plan.h"
#include "formats/model_loader.h"
#include "quant/scheme.h"
#include "sensitivity/report_store.h"
#include "session/session_allocations.h"
#include "session/session_compressions.h"
#include "session/session_store.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <optional>
#include <cmath>

namespace precis::cli {

int cmdAllocate(const QStringList& args)
{
    CommandParser p(QStringLiteral("allocate"),
                    QStringLiteral("Optimal mixed-precision allocation for a budget (dynamic programming over the "
                                   "session's option table: every unit × option with exact bytes and predicted damage)."));
    p.addOption({QStringLiteral("session"), QStringLiteral("Session database file."), QStringLiteral("DB")});
    p.addOption({QStringLiteral("name"), QStringLiteral("Session name (default: the most recently used)."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("budget-ppl"), QStringLiteral("Maximum predicted perplexity increase, percent."), QStringLiteral("P")});
    p.addOption({QStringLiteral("target-bpw"), QStringLiteral("Target bits per weight (least damage that fits)."), QStringLiteral("B")});
    p.addOption({QStringLiteral("target-mb"), QStringLiteral("Target size in MB (10^6 bytes)."), QStringLiteral("M")});
    p.addOption({QStringLiteral("granularity"), QStringLiteral("tensor (default), head or layer."), QStringLiteral("G")});
    p.addOption({QStringLiteral("metric"), QStringLiteral("Damage predictor: ow_err (default) or fisher."), QStringLiteral("M")});
    p.addOption({QStringLiteral("options"), QStringLiteral("Candidate options: 'gguf' (default: F16, Q8_0, Q6_K, Q5_K, Q5_0, Q4_K, Q4_0, Q3_K, Q2_K, what a GGUF file stores), 'all' (those and Precis' RTN 2–8 bits), or a comma-separated list."), QStringLiteral("LIST")});
    p.addOption({QStringLiteral("save"), QStringLiteral("Save the allocation in the session under this name."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("rescale"),
                 QStringLiteral("Closed loop: scale the predicted damage by measured / predicted of the session's "
                                "measured compressions of saved allocations (geometric mean) before solving.")});
    p.parse(args, 0, 0);
    if (!p.isSet(QStringLiteral("session"))) failUsage(QStringLiteral("allocate: --session DB is required"));
    const int budgets = int(p.isSet(QStringLiteral("budget-ppl"))) + int(p.isSet(QStringLiteral("target-bpw"))) +
                        int(p.isSet(QStringLiteral("target-mb")));
    if (budgets != 1) failUsage(QStringLiteral("allocate: give exactly one of --budget-ppl, --target-bpw, --target-mb"));
    BudgetSpec budget;
    if (p.isSet(QStringLiteral("granularity"))) {
        auto g = parseGranularity(p.value(QStringLiteral("granularity")).toStdString());
        if (!g.ok()) failUsage(QStringLiteral("allocate: --granularity must be tensor, head or layer"));
        budget.granularity = *g;
    }
    if (p.isSet(QStringLiteral("metric"))) budget.metric = p.value(QStringLiteral("metric")).toStdString();
    const QString options = p.value(QStringLiteral("options")).trimmed();
    if (options == QLatin1String("all")) {
        budget.optionSet = OptionSet::All;
    } else if (!options.isEmpty() && options != QLatin1String("gguf")) {
        budget.optionSet = OptionSet::Custom;
        for (const QString& o : options.split(QLatin1Char(','), Qt::SkipEmptyParts))
            budget.options.push_back(o.trimmed().toStdString());
    }
    if (p.isSet(QStringLiteral("budget-ppl"))) {
        budget.kind = BudgetKind::PplPercent;
        budget.value = p.doubleValue(QStringLiteral("budget-ppl"), 1.0, 0.0, 1e6);
    } else if (p.isSet(QStringLiteral("target-bpw"))) {
        budget.kind = BudgetKind::BitsPerWeight;
        budget.value = p.doubleValue(QStringLiteral("target-bpw"), 4.0, 0.01, 64.0);
    } else {
        budget.kind = BudgetKind::Megabytes;
        budget.value = p.doubleValue(QStringLiteral("target-mb"), 1.0, 1e-6, 1e9);
    }

    auto store = std::make_optional(openSessionStoreOrExit(p.value(QStringLiteral("session")), QStringLiteral("allocate")));
    const SessionInfo session = pickSessionOrExit(*store, p.value(QStringLiteral("name")), QStringLiteral("allocate"));
    const SessionReport run = latestReportOrExit(*store, session, QStringLiteral("allocate"));
    budget.runId = run.runId;
    // Closed loop: how far measurements of earlier compressions were from their predictions.
    int rescaleSamples = 0;
    if (p.isSet(QStringLiteral("rescale"))) {
        auto samples = closedLoopSamples(*store, session.id);
        if (!samples.ok()) failError(samples.error());
        auto fit = fitDamageScale(*samples);
        if (!fit.ok())
            failInput(QStringLiteral("allocate: --rescale in session '%1': %2 (precis-cli compress --session ... "
                                     "--allocation NAME --eval-text FILE)")
                          .arg(QString::fromStdString(session.name), QString::fromStdString(fit.error().message)));
        budget.damageScale = fit->scale;
        rescaleSamples = fit->samples;
    }
    const OptionTableSettings settings = budget.tableSettings();
    const auto model = loadModelOrExit(QString::fromStdString(session.model.path));
    auto table = cachedOptionTable(*store, session.id, run.runId, session.model.sha256, *model, run.report, settings);
    if (!table.ok()) failError(table.error());
    auto frontier = buildFrontier(*table);
    if (!frontier.ok()) failError(frontier.error());

    const Allocation a = solveBudget(*frontier, budget);
    const AllocationTotals totals = allocationTotals(*table, a, int64_t(model->fileBytes));
    const Assignment assignment = allocationAssignment(*table, a);

    // Equivalent llama-quantize arguments: every unit's tensors at GGUF types.
    QString llamaArgs, notGguf;
    auto plan = planFromAssignment(*model, budget.granularity, assignment);
    if (!plan.ok()) {
        notGguf = QString::fromStdString(plan.error().toString());
    } else if (auto args = llamaQuantizeArgs(*plan); args.ok()) {
        llamaArgs = QString::fromStdString(shellJoin(*args));
    } else {
        notGguf = QString::fromStdString(args.error().message);
    }
    const auto uniform = uniformPoints(*table, {"F16", "Q8_0", "Q6_K", "Q5_K", "Q4_K", "Q4_0", "Q3_K", "Q2_K"});

    int64_t savedId = 0;
    if (p.isSet(QStringLiteral("save"))) {
        auto saved = saveAllocation(*store, session.id, p.value(QStringLiteral("save")).toStdString(), budget,
                                    assignment, totals);
        if (!saved.ok()) failError(saved.error());
        savedId = *saved;
    }

    if (p.json()) {
        QJsonArray units;
        for (size_t u = 0; u < table->units.size(); ++u) {
            const Unit& unit = table->units[u];
            const Option& o = unit.options[size_t(a.choice[u])];
            units.append(QJsonObject{{"unit", QString::fromStdString(unit.name)},
                                     {"scheme", QString::fromStdString(o.scheme)},
                                     {"bytes", qint64(o.bytes)},
                                     {"weights", qint64(unit.weights)},
                                     {"damage", o.damage}});
        }
        QJsonArray uni;
        for (const UniformPoint& u : uniform)
            uni.append(QJsonObject{{"scheme", QString::fromStdString(u.scheme)},
                                   {"bytes", qint64(u.bytes)},
                                   {"bits_per_weight", u.bitsPerWeight},
                                   {"predicted_damage", u.damage},
                                   {"predicted_ppl_increase_percent", perplexityIncreaseForDamage(u.damage)},
                                   {"fallbacks", u.fallbacks}});
        QJsonObject out{{"session", QString::fromStdString(session.name)},
                        {"units", units},
                        {"totals", QJsonDocument::fromJson(QByteArray::fromStdString(totalsJson(totals))).object()},
                        {"budget", QJsonDocument::fromJson(QByteArray::fromStdString(budgetJson(budget))).object()},
                        {"frontier_points", qint64(frontier->points().size())},
                        {"uniform", uni},
                        {"llama_quantize_args", llamaArgs},
                        {"message", QString::fromStdString(a.message)},
                        {"damage_scale", budget.damageScale}};
        if (!notGguf.isEmpty()) out["llama_quantize_unavailable"] = notGguf;
        if (savedId) out["allocation_id"] = qint64(savedId);
        printJson(out);
        return ExitOk;
    }
    printLine(QStringLiteral("%1 units (%2 granularity, damage by %3, %4 options), frontier of %5 points")
                  .arg(table->units.size())
                  .arg(QString::fromLatin1(granularityName(settings.granularity)),
                       QString::fromStdString(settings.damageMetric), QString::fromLatin1(optionSetName(budget.optionSet)))
                  .arg(frontier->points().size()));
    if (!a.feasible) printLine(QStringLiteral("note: %1").arg(QString::fromStdString(a.message)));
    if (rescaleSamples)
        printLine(QStringLiteral("predicted damage scaled ×%1 (measured / predicted of %2 compressions)")
                      .arg(budget.damageScale, 0, 'f', 3)
                      .arg(rescaleSamples));
    printLine(QStringLiteral("\n  %1 %2 %3 %4").arg(QStringLiteral("unit"), -28).arg(QStringLiteral("option"), -9)
                  .arg(QStringLiteral("bytes"), 11).arg(QStringLiteral("Δloss"), 11));
    for (size_t u = 0; u < table->units.size(); ++u) {
        const Unit& unit = table->units[u];
        const Option& o = unit.options[size_t(a.choice[u])];
        printLine(QStringLiteral("  %1 %2 %3 %4")
                      .arg(QString::fromStdString(unit.name), -28)
                      .arg(QString::fromStdString(o.scheme), -9)
                      .arg(o.bytes, 11)
                      .arg(o.damage, 11, 'e', 2));
    }
    printLine(QStringLiteral("\ntotal %1 (%2 bits/weight, %3× smaller than the file), predicted Δloss %4 nats/token "
                             "= +%5 % perplexity%6")
                  .arg(humanBytes(uint64_t(totals.bytes)))
                  .arg(totals.bitsPerWeight, 0, 'f', 3)
                  .arg(totals.compressionRatio, 0, 'f', 2)
                  .arg(totals.predictedDamage, 0, 'e', 3)
                  .arg(totals.predictedPplIncreasePercent, 0, 'f', 3)
                  .arg(totals.hasKl() ? QStringLiteral(", predicted KL %1 nats/token").arg(totals.predictedKl, 0, 'e', 3)
                                      : QString()));
    printLine(QStringLiteral("\nUniform formats for comparison:"));
    for (const UniformPoint& u : uniform)
        printLine(QStringLiteral("  %1 %2 %3 bits/weight  +%4 % ppl%5")
                      .arg(QString::fromStdString(u.scheme), -6)
                      .arg(humanBytes(uint64_t(u.bytes)), 10)
                      .arg(u.bitsPerWeight, 6, 'f', 3)
                      .arg(perplexityIncreaseForDamage(u.damage), 0, 'f', 3)
                      .arg(u.fallbacks ? QStringLiteral("  (%1 units fall back)").arg(u.fallbacks) : QString()));
    if (!llamaArgs.isEmpty()) {
        printLine(QStringLiteral("\nllama-quantize equivalent:"));
        printLine(QStringLiteral("  %1").arg(llamaArgs));
    } else if (!notGguf.isEmpty()) {
        printLine(QStringLiteral("\nno llama-quantize equivalent: %1").arg(notGguf));
    }
    if (savedId) printLine(QStringLiteral("\nsaved as allocation %1").arg(savedId));
    return ExitOk;
}

} // namespace precis::cli

namespace precis::cli {

int cmdAllocations(const QStringList& args)
{
    CommandParser p(QStringLiteral("allocations"),
                    QStringLiteral("The allocations saved in a session, side by side: budget, size, bits per weight, "
                                   "predicted perplexity increase and KL, and how many units differ from the first."));
    p.addOption({QStringLiteral("session"), QStringLiteral("Session database file."), QStringLiteral("DB")});
    p.addOption({QStringLiteral("name"), QStringLiteral("Session name (default: the most recently used)."), QStringLiteral("NAME")});
    p.parse(args, 0, 0);
    if (!p.isSet(QStringLiteral("session"))) failUsage(QStringLiteral("allocations: --session DB is required"));
    auto store = std::make_optional(openSessionStoreOrExit(p.value(QStringLiteral("session")), QStringLiteral("allocations")));
    const SessionInfo session = pickSessionOrExit(*store, p.value(QStringLiteral("name")), QStringLiteral("allocations"));
    auto list = loadAllocations(*store, session.id);
    if (!list.ok()) failError(list.error());
    const auto comparison = std::make_optional(compareAllocations(*list));
    if (p.json()) {
        QJsonArray rows;
        for (const AllocationSummaryRow& r : *comparison)
            rows.append(QJsonObject{{"name", QString::fromStdString(r.name)},
                                    {"budget", QString::fromStdString(r.budget)},
                                    {"bytes", qint64(r.totals.bytes)},
                                    {"bits_per_weight", r.totals.bitsPerWeight},
                                    {"predicted_ppl_increase_percent", r.totals.predictedPplIncreasePercent},
                                    {"predicted_kl", r.totals.hasKl() ? QJsonValue(r.totals.predictedKl) : QJsonValue()},
                                    {"units", r.units},
                                    {"units_differing_from_first", r.differingFromFirst}});
        printJson(QJsonObject{{"session", QString::fromStdString(session.name)}, {"allocations", rows}});
        return ExitOk;
    }
    if (comparison->empty()) {
        printLine(QStringLiteral("session '%1' has no saved allocations (precis-cli allocate ... --save NAME)")
                      .arg(QString::fromStdString(session.name)));
        return ExitOk;
    }
    printLine(QStringLiteral("%1 %2 %3 %4 %5 %6").arg(QStringLiteral("name"), -16).arg(QStringLiteral("budget"), -22)
                  .arg(QStringLiteral("size"), 10).arg(QStringLiteral("bits/w"), 7).arg(QStringLiteral("Δppl %"), 8)
                  .arg(QStringLiteral("differ"), 7));
    for (const AllocationSummaryRow& r : *comparison)
        printLine(QStringLiteral("%1 %2 %3 %4 %5 %6")
                      .arg(QString::fromStdString(r.name), -16)
                      .arg(QString::fromStdString(r.budget), -22)
                      .arg(humanBytes(uint64_t(r.totals.bytes)), 10)
                      .arg(r.totals.bitsPerWeight, 7, 'f', 3)
                      .arg(r.totals.predictedPplIncreasePercent, 8, 'f', 3)
                      .arg(QStringLiteral("%1/%2").arg(r.differingFromFirst).arg(r.units), 7));
    return ExitOk;
}

} // namespace precis::cli
