#include "allocation/closed_loop.h"

#include <cmath>

namespace precis {

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
