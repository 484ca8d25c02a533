#include "allocation/closed_loop.h"

#include "session/session_store.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace precis {

namespace {

double number(const nlohmann::json& j, const char* key, double fallback)
{
    if (!j.is_object()) return fallback;
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

// The factor a prediction was made with (see the header), 1 when none is recorded.
double scaleOf(const nlohmann::json& metrics, const nlohmann::json& settings, const nlohmann::json& allocationBudget)
{
    for (double s : {number(metrics, "damage_scale", 0), number(settings, "damage_scale", 0),
                     settings.is_object() && settings.contains("budget") ? number(settings["budget"], "damage_scale", 0) : 0.0,
                     number(allocationBudget, "damage_scale", 0)})
        if (s > 0 && std::isfinite(s)) return s;
    return 1;
}

} // namespace

Result<std::vector<LoopSample>> closedLoopSamples(SessionStore& store, int64_t sessionId)
{
    PRECIS_TRY_ASSIGN(const auto compressions, store.compressions(sessionId));
    PRECIS_TRY_ASSIGN(const auto allocations, store.allocations(sessionId));
    std::vector<LoopSample> out;
    for (const CompressionRecord& c : compressions) {
        const auto metrics = nlohmann::json::parse(c.metricsJson, nullptr, false);
        const auto settings = nlohmann::json::parse(c.settingsJson, nullptr, false);
        const double ratio = number(metrics, "ppl_ratio", 0);
        if (!(ratio > 0) || !std::isfinite(ratio)) continue;
        nlohmann::json allocationBudget;
        double predicted = -1;
        const double percent = number(metrics, "predicted_ppl_increase_percent", -1);
        if (percent >= 0 && std::isfinite(percent)) predicted = std::log1p(percent / 100.0);
        if (c.allocationId)
            for (const AllocationRecord& a : allocations)
                if (a.id == *c.allocationId) {
                    allocationBudget = nlohmann::json::parse(a.budgetJson, nullptr, false);
                    if (predicted < 0)
                        predicted = number(nlohmann::json::parse(a.totalsJson, nullptr, false), "predicted_damage", -1);
                }
        if (predicted < 0) continue;
        LoopSample s;
        s.compressionId = c.id;
        s.name = settings.is_object() && settings.contains("name") && settings["name"].is_string()
                     ? settings["name"].get<std::string>()
                 : settings.is_object() && settings.contains("plan") && settings["plan"].is_string()
                     ? settings["plan"].get<std::string>()
                     : c.method;
        s.predictedDamage = predicted / scaleOf(metrics, settings, allocationBudget);
        s.measuredDamage = std::log(ratio);
        out.push_back(std::move(s));
    }
    return out;
}

Result<LoopFit> fitDamageScale(std::span<const LoopSample> samples)
{
    double sum = 0, sumSq = 0;
    int n = 0;
    for (const LoopSample& s : samples) {
        if (!(s.predictedDamage > 0) || !(s.measuredDamage > 0)) continue;
        const double r = std::log(s.measuredDamage / s.predictedDamage);
        if (!std::isfinite(r)) continue;
        sum += r;
        sumSq += r * r;
        ++n;
    }
    if (n == 0)
        return makeError(ErrorCode::InvalidArgument, "",
                         "no measured compression with a prediction to rescale from: compress an allocation and "
                         "measure it on an evaluation text first (a perplexity increase above zero is needed)");
    LoopFit fit;
    fit.samples = n;
    const double mean = sum / n;
    fit.scale = std::exp(mean);
    fit.spread = n > 1 ? std::exp(std::sqrt(std::max(0.0, sumSq / n - mean * mean) * n / (n - 1))) : 1.0;
    return fit;
}

} // namespace precis
