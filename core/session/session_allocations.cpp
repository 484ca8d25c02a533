#include "session/session_allocations.h"

#include "session/record_json.h"

#include <cstdio>
#include <map>

namespace precis {

using session_detail::JsonObject;
using session_detail::numberOrNull;

const char* budgetKindName(BudgetKind kind)
{
    switch (kind) {
    case BudgetKind::PplPercent: return "ppl_percent";
    case BudgetKind::Megabytes: return "megabytes";
    case BudgetKind::BitsPerWeight: return "bits_per_weight";
    }
    return "ppl_percent";
}

Result<BudgetKind> parseBudgetKind(std::string_view name)
{
    for (BudgetKind k : {BudgetKind::PplPercent, BudgetKind::Megabytes, BudgetKind::BitsPerWeight})
        if (name == budgetKindName(k)) return k;
    return makeError(ErrorCode::InvalidArgument, "budget kind",
                     "'" + std::string(name) + "', expected ppl_percent, megabytes or bits_per_weight");
}

const char* optionSetName(OptionSet set)
{
    switch (set) {
    case OptionSet::Gguf: return "gguf";
    case OptionSet::All: return "all";
    case OptionSet::Custom: return "custom";
    }
    return "gguf";
}

Result<OptionSet> parseOptionSet(std::string_view name)
{
    for (OptionSet s : {OptionSet::Gguf, OptionSet::All, OptionSet::Custom})
        if (name == optionSetName(s)) return s;
    return makeError(ErrorCode::InvalidArgument, "option set", "'" + std::string(name) + "', expected gguf, all or custom");
}

std::vector<std::string> BudgetSpec::optionNames() const
{
    switch (optionSet) {
    case OptionSet::Gguf: return ggufAllocationOptions();
    case OptionSet::All: return allAllocationOptions();
    case OptionSet::Custom: return options;
    }
    return ggufAllocationOptions();
}

OptionTableSettings BudgetSpec::tableSettings() const
{
    OptionTableSettings s;
    s.granularity = granularity;
    s.damageMetric = metric;
    s.options = optionNames();
    s.damageScale = damageScale;
    return s;
}

// ---------------------------------------------------------------- budget JSON

std::string budgetJson(const BudgetSpec& b)
{
    nlohmann::ordered_json pinned = nlohmann::ordered_json::object();
    for (const auto& [unit, scheme] : b.pinned) pinned[unit] = scheme;
    nlohmann::ordered_json j = {{"kind", budgetKindName(b.kind)},
                                {"value", b.value},
                                {"granularity", granularityName(b.granularity)},
                                {"metric", b.metric},
                                {"option_set", optionSetName(b.optionSet)}};
    if (b.optionSet == OptionSet::Custom) j["options"] = b.options;
    j["pinned"] = std::move(pinned);
    j["damage_scale"] = b.damageScale;
    j["run_id"] = b.runId;
    return j.dump();
}

Result<BudgetSpec> parseBudgetJson(std::string_view text, const std::string& where)
{
    PRECIS_TRY_ASSIGN(const JsonObject o, JsonObject::parse(text, where, "budget."));
    BudgetSpec b;
    PRECIS_TRY_ASSIGN(const std::string kind, o.string("kind"));
    auto k = parseBudgetKind(kind);
    if (!k) return o.error("kind", "ppl_percent, megabytes or bits_per_weight");
    b.kind = *k;
    PRECIS_TRY_ASSIGN(b.value, o.number("value"));
    if (!std::isfinite(b.value) || b.value < 0) return o.error("value", "a number >= 0");
    PRECIS_TRY_ASSIGN(const std::string granularity, o.string("granularity", "tensor"));
    auto g = parseGranularity(granularity);
    if (!g) return o.error("granularity", "tensor, head or layer");
    b.granularity = *g;
    PRECIS_TRY_ASSIGN(b.metric, o.string("metric", "ow_err"));
    if (b.metric != "ow_err" && b.metric != "fisher") return o.error("metric", "ow_err or fisher");
    PRECIS_TRY_ASSIGN(const std::string set, o.string("option_set", "gguf"));
    auto s = parseOptionSet(set);
    if (!s) return o.error("option_set", "gguf, all or custom");
    b.optionSet = *s;
    if (b.optionSet == OptionSet::Custom) {
        const auto it = o.json().find("options");
        if (it == o.json().end() || !it->is_array() || it->empty()) return o.error("options", "a list of option names");
        for (const auto& name : *it) {
            if (!name.is_string()) return o.error("options", "a list of option names");
            b.options.push_back(name.get<std::string>());
        }
    }
    if (o.has("pinned")) {
        if (!o.json()["pinned"].is_object()) return o.error("pinned", "an object {unit: scheme}");
        // The pins in the order written (JsonObject's plain json sorts keys).
        const auto ordered = nlohmann::ordered_json::parse(text.begin(), text.end())["pinned"];
        for (auto it = ordered.begin(); it != ordered.end(); ++it) {
            if (!it.value().is_string()) return o.error("pinned", "an object {unit: scheme}");
            b.pinned.emplace_back(it.key(), it.value().get<std::string>());
        }
    }
    PRECIS_TRY_ASSIGN(b.damageScale, o.number("damage_scale", 1.0));
    if (!(b.damageScale > 0) || !std::isfinite(b.damageScale)) return o.error("damage_scale", "a positive number");
    PRECIS_TRY_ASSIGN(b.runId, o.integer("run_id", 0));
    return b;
}

Allocation solveBudget(const Frontier& frontier, const BudgetSpec& budget)
{
    switch (budget.kind) {
    case BudgetKind::PplPercent: return frontier.minBytes(damageBudgetForPerplexityIncrease(budget.value));
    case BudgetKind::Megabytes: return frontier.minDamage(int64_t(std::llround(budget.value * 1e6)));
    case BudgetKind::BitsPerWeight:
        return frontier.minDamage(byteBudgetForBitsPerWeight(frontier.totalWeights(), budget.value));
    }
    return frontier.minBytes(damageBudgetForPerplexityIncrease(budget.value));
}

std::vector<std::pair<std::string, std::string>> tablePins(const OptionTable& table)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const Unit& u : table.units)
        if (u.pinned >= 0) out.emplace_back(u.name, u.options[size_t(u.pinned)].scheme);
    return out;
}

std::vector<std::string> applyPins(OptionTable& table, const std::vector<std::pair<std::string, std::string>>& pins)
{
    std::map<std::string, size_t> index;
    for (size_t u = 0; u < table.units.size(); ++u) {
        table.units[u].pinned = -1;
        index.emplace(table.units[u].name, u);
    }
    std::vector<std::string> missing;
    for (const auto& [unit, scheme] : pins) {
        const auto it = index.find(unit);
        int option = -1;
        if (it != index.end()) {
            const Unit& u = table.units[it->second];
            for (size_t o = 0; o < u.options.size(); ++o)
                if (u.options[o].scheme == scheme) option = int(o);
        }
        if (option < 0) missing.push_back(unit + ": " + scheme);
        else table.units[it->second].pinned = option;
    }
    return missing;
}

// ---------------------------------------------------------------- totals

AllocationTotals allocationTotals(const OptionTable& table, const Allocation& a, int64_t originalFileBytes)
{
    AllocationTotals t;
    t.bytes = a.bytes;
    t.bitsPerWeight = a.bitsPerWeight;
    t.predictedDamage = a.damage;
    t.predictedPplIncreasePercent = perplexityIncreaseForDamage(a.damage);
    t.compressionRatio = originalFileBytes > 0 && a.bytes > 0 ? double(originalFileBytes) / double(a.bytes) : 0.0;
    t.feasible = a.feasible;
    double kl = 0;
    for (size_t u = 0; u < table.units.size() && u < a.choice.size(); ++u) kl += table.units[u].options[size_t(a.choice[u])].kl;
    t.predictedKl = a.choice.size() == table.units.size() ? kl : std::numeric_limits<double>::quiet_NaN();
    return t;
}

std::string totalsJson(const AllocationTotals& t)
{
    const nlohmann::ordered_json j = {{"bytes", t.bytes},
                                      {"bits_per_weight", t.bitsPerWeight},
                                      {"predicted_damage", t.predictedDamage},
                                      {"predicted_ppl_increase_percent", t.predictedPplIncreasePercent},
                                      {"predicted_kl", numberOrNull(t.predictedKl)},
                                      {"compression_ratio", t.compressionRatio},
                                      {"feasible", t.feasible}};
    return j.dump();
}

Result<AllocationTotals> parseTotalsJson(std::string_view text, const std::string& where)
{
    PRECIS_TRY_ASSIGN(const JsonObject o, JsonObject::parse(text, where, "totals."));
    AllocationTotals t;
    PRECIS_TRY_ASSIGN(t.bytes, o.integer("bytes"));
    PRECIS_TRY_ASSIGN(t.bitsPerWeight, o.number("bits_per_weight"));
    PRECIS_TRY_ASSIGN(t.predictedDamage, o.number("predicted_damage"));
    PRECIS_TRY_ASSIGN(t.predictedPplIncreasePercent,
                      o.number("predicted_ppl_increase_percent", perplexityIncreaseForDamage(t.predictedDamage)));
    PRECIS_TRY_ASSIGN(t.predictedKl, o.number("predicted_kl", std::numeric_limits<double>::quiet_NaN()));
    PRECIS_TRY_ASSIGN(t.compressionRatio, o.number("compression_ratio", 0.0));
    PRECIS_TRY_ASSIGN(t.feasible, o.boolean("feasible", true));
    return t;
}

// ---------------------------------------------------------------- assignment

Assignment allocationAssignment(const OptionTable& table, const Allocation& a)
{
    Assignment out;
    out.reserve(table.units.size());
    for (size_t u = 0; u < table.units.size() && u < a.choice.size(); ++u)
        out.emplace_back(table.units[u].name, table.units[u].options[size_t(a.choice[u])].scheme);
    return out;
}

std::string assignmentJson(const Assignment& assignment)
{
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [unit, scheme] : assignment) j[unit] = scheme;
    return j.dump();
}

Result<Assignment> parseAssignmentJson(std::string_view text, const std::string& where)
{
    auto j = nlohmann::ordered_json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(ErrorCode::Format, where, "field 'assignment': expected a JSON object {unit: scheme}");
    Assignment out;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it.value().is_string())
            return makeError(ErrorCode::Format, where, "field 'assignment." + it.key() + "': expected a scheme name");
        out.emplace_back(it.key(), it.value().get<std::string>());
    }
    return out;
}

// ---------------------------------------------------------------- records

Result<int64_t> saveAllocation(SessionStore& store, int64_t sessionId, const std::string& name, const BudgetSpec& budget,
                               const Assignment& assignment, const AllocationTotals& totals)
{
    return store.saveAllocation(sessionId, name, budgetJson(budget), assignmentJson(assignment), totalsJson(totals));
}

Result<SavedAllocation> parseAllocation(const AllocationRecord& record)
{
    const std::string where = "allocation " + std::to_string(record.id) + " '" + record.name + "'";
    SavedAllocation a;
    a.id = record.id;
    a.sessionId = record.sessionId;
    a.name = record.name;
    a.createdAt = record.createdAt;
    PRECIS_TRY_ASSIGN(a.budget, parseBudgetJson(record.budgetJson, where));
    PRECIS_TRY_ASSIGN(a.assignment, parseAssignmentJson(record.assignmentJson, where));
    PRECIS_TRY_ASSIGN(a.totals, parseTotalsJson(record.totalsJson, where));
    return a;
}

Result<std::vector<SavedAllocation>> loadAllocations(SessionStore& store, int64_t sessionId,
                                                     std::vector<Error>* unreadable)
{
    PRECIS_TRY_ASSIGN(const auto records, store.allocations(sessionId));
    std::vector<SavedAllocation> out;
    for (const AllocationRecord& r : records) {
        auto a = parseAllocation(r);
        if (a) {
            out.push_back(std::move(a).value());
            continue;
        }
        Error e = a.error();
        e.where = store.path() + ": " + e.where;
        if (!unreadable) return e;
        unreadable->push_back(std::move(e));
    }
    return out;
}

Result<SavedAllocation> loadAllocation(SessionStore& store, int64_t sessionId, const std::string& name)
{
    PRECIS_TRY_ASSIGN(const auto records, store.allocations(sessionId));
    for (const AllocationRecord& r : records) {
        if (r.name != name) continue;
        auto a = parseAllocation(r);
        if (!a) {
            Error e = a.error();
            e.where = store.path() + ": " + e.where;
            return e;
        }
        return a;
    }
    PRECIS_TRY_ASSIGN(const SessionInfo session, store.session(sessionId));
    return makeError(ErrorCode::InvalidArgument, store.path(),
                     "session '" + session.name + "' has no allocation named '" + name + "'");
}

Result<SessionState> loadSessionState(SessionStore& store, int64_t sessionId)
{
    PRECIS_TRY_ASSIGN(const std::string text, store.sessionState(sessionId));
    const std::string where = store.path() + ": session " + std::to_string(sessionId) + " state";
    PRECIS_TRY_ASSIGN(const JsonObject o, JsonObject::parse(text, where, "state."));
    SessionState state;
    if (o.has("budget")) {
        PRECIS_TRY_ASSIGN(state.budget, parseBudgetJson(o.json()["budget"].dump(), where));
    }
    return state;
}

Result<void> saveSessionState(SessionStore& store, int64_t sessionId, const SessionState& state)
{
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    if (state.budget) j["budget"] = nlohmann::ordered_json::parse(budgetJson(*state.budget));
    return store.setSessionState(sessionId, j.dump());
}

std::string budgetText(const BudgetSpec& b)
{
    char text[96];
    switch (b.kind) {
    case BudgetKind::PplPercent: std::snprintf(text, sizeof text, "+%g %% ppl", b.value); break;
    case BudgetKind::BitsPerWeight: std::snprintf(text, sizeof text, "%g bits/weight", b.value); break;
    case BudgetKind::Megabytes: std::snprintf(text, sizeof text, "%g MB", b.value); break;
    }
    std::string out = text;
    if (b.granularity != Granularity::Tensor) out += std::string(" (") + granularityName(b.granularity) + ")";
    return out;
}

std::vector<AllocationSummaryRow> compareAllocations(const std::vector<SavedAllocation>& allocations)
{
    std::vector<AllocationSummaryRow> rows;
    std::map<std::string, std::string> first;
    for (const SavedAllocation& a : allocations) {
        AllocationSummaryRow r;
        r.name = a.name;
        r.budget = budgetText(a.budget);
        r.totals = a.totals;
        r.units = int(a.assignment.size());
        if (rows.empty())
            for (const auto& [unit, scheme] : a.assignment) first[unit] = scheme;
        for (const auto& [unit, scheme] : a.assignment) {
            const auto it = first.find(unit);
            if (it == first.end() || it->second != scheme) ++r.differingFromFirst;
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

} // namespace precis
