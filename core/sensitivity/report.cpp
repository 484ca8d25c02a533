#include "sensitivity/report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace precis::sensitivity {

const char* unitKindName(UnitKind k)
{
    switch (k) {
    case UnitKind::Tensor: return "tensor";
    case UnitKind::Head: return "head";
    case UnitKind::Layer: return "layer";
    }
    return "tensor";
}

const UnitValue* SensitivityReport::find(const std::string& unit, const std::string& metric,
                                         const std::string& option) const
{
    for (const UnitValue& v : values)
        if (v.unit == unit && v.metric == metric && v.option == option) return &v;
    return nullptr;
}

const ChunkMap* SensitivityReport::chunkMap(const std::string& tensor, const std::string& metric) const
{
    for (const ChunkMap& m : chunks)
        if (m.tensor == tensor && m.metric == metric) return &m;
    return nullptr;
}

namespace {

// Ranks 1..n, ties sharing their average rank.
std::vector<double> ranks(const std::vector<double>& x)
{
    std::vector<size_t> order(x.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
    std::vector<double> r(x.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
        const double avg = (double(i) + double(j)) / 2.0 + 1.0;
        for (size_t k = i; k <= j; ++k) r[order[k]] = avg;
        i = j + 1;
    }
    return r;
}

} // namespace

double spearman(const std::vector<double>& a, const std::vector<double>& b)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (a.size() != b.size() || a.size() < 3) return nan;
    const std::vector<double> ra = ranks(a), rb = ranks(b);
    const double n = double(a.size());
    const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n;
    const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < ra.size(); ++i) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    if (saa == 0 || sbb == 0) return nan;
    return sab / std::sqrt(saa * sbb);
}

} // namespace precis::sensitivity
