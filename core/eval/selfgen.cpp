#include "eval/selfgen.h"

#include "eval/generate.h"

#include <algorithm>
#include <string>

namespace precis {

Result<std::vector<int32_t>> selfGenerate(const Engine& engine, int32_t bos, const SelfGenOptions& options,
                                          Progress* progress, const CancelToken* cancel)
{
    const std::string where = "self-generated text";
    if (options.tokens < 1)
        return makeError(ErrorCode::InvalidArgument, where,
                         "tokens = " + std::to_string(options.tokens) + ", expected at least 1");
    if (bos < 0) return makeError(ErrorCode::Unsupported, where, "the vocabulary has no BOS token to start from");
    const int window = std::max(2, engine.config().nCtx);
    const int keep = window / 2;
    const int total = options.tokens;

    std::vector<int32_t> text;
    text.reserve(size_t(total));
    size_t documentStart = 0;  // after an EOS the next text starts afresh from BOS
    int emptyInARow = 0;
    for (uint64_t segment = 0; int(text.size()) < total; ++segment) {
        std::vector<int32_t> prompt{bos};
        const size_t tail = std::min(text.size() - documentStart, size_t(keep - 1));
        prompt.insert(prompt.end(), text.end() - std::ptrdiff_t(tail), text.end());
        GenerateOptions o;
        o.maxNewTokens = std::min(total - int(text.size()), window - int(prompt.size()));
        o.temperature = options.temperature;
        o.topP = options.topP;
        o.seed = options.seed * 1000003u + segment;
        const size_t before = text.size();
        auto r = generate(engine, prompt, o, [&](int32_t) {
            if (progress)
                progress->report(double(before + 1) / total, "generating text " + std::to_string(before + 1) + "/" +
                                                                 std::to_string(total) + " tokens");
            return true;
        }, cancel);
        if (!r.ok()) return r.error();
        text.insert(text.end(), r->ids.begin(), r->ids.end());
        if (r->stop == StopReason::Eos) documentStart = text.size();
        emptyInARow = r->ids.empty() ? emptyInARow + 1 : 0;
        if (emptyInARow == 16)
            return makeError(ErrorCode::InvalidArgument, where,
                             "the model keeps ending its text at once (EOS right after BOS)");
    }
    return text;
}

} // namespace precis
