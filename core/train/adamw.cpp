#include "train/adamw.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cassert>
#include <cmath>
#include <numbers>

namespace precis {

namespace {

// Work is cut into fixed chunks of this many values so that reductions sum in
// the same order whatever the thread count.
constexpr size_t kChunk = 16384;

struct Span {
    size_t tensor, begin, end;
};

std::vector<Span> chunksOf(const Parameters& p)
{
    std::vector<Span> spans;
    for (size_t t = 0; t < p.tensors.size(); ++t) {
        const size_t n = p.tensors[t].values.size();
        for (size_t b = 0; b < n; b += kChunk)
            spans.push_back({t, b, std::min(n, b + kChunk)});
    }
    return spans;
}

} // namespace

double LrSchedule::at(int64_t step) const
{
    if (step < warmupSteps)
        return maxLr * double(step + 1) / double(warmupSteps);
    if (step >= totalSteps)
        return minLr;
    const double progress = double(step - warmupSteps) / double(totalSteps - warmupSteps);
    return minLr + (maxLr - minLr) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

double globalGradNorm(const Parameters& grads)
{
    const std::vector<Span> spans = chunksOf(grads);
    std::vector<double> partial(spans.size(), 0.0);
    tbb::parallel_for(size_t(0), spans.size(), [&](size_t i) {
        const Span& s = spans[i];
        const float* g = grads.tensors[s.tensor].values.data();
        double sum = 0.0;
        for (size_t j = s.begin; j < s.end; ++j)
            sum += double(g[j]) * double(g[j]);
        partial[i] = sum;
    });
    double total = 0.0;
    for (double v : partial) total += v;
    return std::sqrt(total);
}

double clipGradNorm(Parameters& grads, double maxNorm)
{
    const double norm = globalGradNorm(grads);
    if (maxNorm > 0.0 && norm > maxNorm) {
        const float scale = float(maxNorm / (norm + 1e-6));
        tbb::parallel_for(size_t(0), grads.tensors.size(), [&](size_t t) {
            for (float& g : grads.tensors[t].values) g *= scale;
        });
    }
    return norm;
}

AdamW::AdamW(const Parameters& params, const AdamWSettings& settings) : m_settings(settings)
{
    m_m.reserve(params.tensors.size());
    m_v.reserve(params.tensors.size());
    for (const ParameterTensor& t : params.tensors) {
        m_m.emplace_back(t.values.size(), 0.0f);
        m_v.emplace_back(t.values.size(), 0.0f);
    }
}

void AdamW::step(Parameters& params, const Parameters& grads, double lr)
{
    assert(params.tensors.size() == grads.tensors.size() && params.tensors.size() == m_m.size());
    ++m_step;
    const double b1 = m_settings.beta1, b2 = m_settings.beta2;
    const double bias1 = 1.0 - std::pow(b1, double(m_step));
    const double bias2 = 1.0 - std::pow(b2, double(m_step));
    const float stepSize = float(lr / bias1);
    const float invSqrtBias2 = float(1.0 / std::sqrt(bias2));
    const float eps = m_settings.eps;
    const float fb1 = float(b1), fb2 = float(b2);

    const std::vector<Span> spans = chunksOf(params);
    tbb::parallel_for(size_t(0), spans.size(), [&](size_t i) {
        const Span& s = spans[i];
        ParameterTensor& pt = params.tensors[s.tensor];
        assert(grads.tensors[s.tensor].values.size() == pt.values.size());
        const float decay = pt.shape.size() >= 2 ? float(1.0 - lr * m_settings.weightDecay) : 1.0f;
        float* p = pt.values.data();
        const float* g = grads.tensors[s.tensor].values.data();
        float* m = m_m[s.tensor].data();
        float* v = m_v[s.tensor].data();
        for (size_t j = s.begin; j < s.end; ++j) {
            m[j] = fb1 * m[j] + (1.0f - fb1) * g[j];
            v[j] = fb2 * v[j] + (1.0f - fb2) * g[j] * g[j];
            const float denom = std::sqrt(v[j]) * invSqrtBias2 + eps;
            p[j] = p[j] * decay - stepSize * m[j] / denom;
        }
    });
}

} // namespace precis
