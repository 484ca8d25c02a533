#include "eval/generate.h"

#include "engine/kv_cache.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace precis {

int32_t sampleToken(std::span<const float> logits, float temperature, float topP, std::mt19937_64& rng)
{
    const auto maxIt = std::max_element(logits.begin(), logits.end());
    if (temperature <= 0.0f)
        return int32_t(maxIt - logits.begin());
    // p_i ∝ exp((l_i − max) / T), in double so that small temperatures underflow
    // to an exact argmax instead of overflowing.
    const double mx = *maxIt;
    std::vector<double> p(logits.size());
    for (size_t i = 0; i < p.size(); ++i) p[i] = std::exp((double(logits[i]) - mx) / double(temperature));
    std::vector<int32_t> order(p.size());
    std::iota(order.begin(), order.end(), 0);
    double total = std::accumulate(p.begin(), p.end(), 0.0);
    size_t kept = p.size();
    if (topP < 1.0f) {
        // Nucleus (Holtzman et al. 2020): the smallest prefix of the tokens by
        // decreasing probability whose mass reaches topP.
        std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return p[size_t(a)] > p[size_t(b)]; });
        double mass = 0;
        for (kept = 0; kept < order.size();) {
            mass += p[size_t(order[kept++])];
            if (mass >= double(topP) * total) break;
        }
        total = mass;
    }
    // u uniform in [0, total) from the top 53 bits of one draw (portable, unlike
    // std::uniform_real_distribution whose algorithm is implementation-defined).
    const double u = double(rng() >> 11) * 0x1.0p-53 * total;
    double acc = 0;
    for (size_t k = 0; k < kept; ++k) {
        acc += p[size_t(order[k])];
        if (u < acc) return order[k];
    }
    return order[kept - 1];
}

Result<GenerateResult> generate(const Engine& engine, std::span<const int32_t> prompt, const GenerateOptions& options,
                                const TokenCallback& onToken, const CancelToken* cancel)
{
    const ModelConfig& cfg = engine.config();
    const std::string& where = engine.model()->path;
    if (options.maxNewTokens < 0)
        return makeError(ErrorCode::InvalidArgument, where,
                         "maxNewTokens = " + std::to_string(options.maxNewTokens) + ", expected >= 0");
    if (!(options.topP > 0.0f && options.topP <= 1.0f))
        return makeError(ErrorCode::InvalidArgument, where,
                         "top-p = " + std::to_string(options.topP) + ", expected a value in (0, 1]");
    if (prompt.empty())
        return makeError(ErrorCode::InvalidArgument, where, "empty prompt");

    // Capacity: prompt + new tokens, but not past the trained context (GPT-2 has no
    // positions beyond it; a Llama's text degrades into noise past it).
    int64_t capacity = int64_t(prompt.size()) + options.maxNewTokens;
    if (cfg.nCtx > 0)
        capacity = std::min<int64_t>(capacity, std::max<int64_t>(cfg.nCtx, int64_t(prompt.size())));
    PRECIS_TRY_ASSIGN(auto state, engine.newState(int(std::min<int64_t>(capacity, 1 << 20))));
    PRECIS_TRY_ASSIGN(std::vector<float> logits, engine.prefill(*state, prompt, false, cancel));

    std::mt19937_64 rng(options.seed);
    const int32_t eos = engine.model()->tokenizer.eos;
    GenerateResult r;
    for (int n = 0; n < options.maxNewTokens; ++n) {
        if (cancel && cancel->cancelled())
            return makeError(ErrorCode::Cancelled, where, "generation cancelled");
        const int32_t id = sampleToken(logits, options.temperature, options.topP, rng);
        if (options.stopAtEos && id == eos) {
            r.stop = StopReason::Eos;
            return r;
        }
        r.ids.push_back(id);
        if (onToken && !onToken(id)) {
            r.stop = StopReason::Callback;
            return r;
        }
        if (n + 1 == options.maxNewTokens)
            break;
        if (state->position() >= state->capacity()) {
            r.stop = StopReason::ContextFull;
            return r;
        }
        PRECIS_TRY_ASSIGN(logits, engine.decode(*state, id));
    }
    r.stop = StopReason::MaxTokens;
    return r;
}

} // namespace precis
