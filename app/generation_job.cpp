#include "generation_job.h"

#include "engine/engine.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>

namespace precis::app {

Result<GenerationComparison> runGenerationJob(const Engine& original, const Engine& compressed,
                                              const Tokenizer& tokenizer, const GenerationRequest& request,
                                              Progress& progress, const CancelToken& cancel)
{
    if (request.prompt.empty())
        return makeError(ErrorCode::InvalidArgument, "prompt", "empty: type a few words to continue");
    const std::vector<int32_t> prompt = tokenizer.encode(request.prompt, tokenizer.addBosByDefault());
    if (prompt.empty()) return makeError(ErrorCode::InvalidArgument, "prompt", "gives no tokens");
    const double total = std::max(1, 2 * request.options.maxNewTokens);

    GenerationComparison out;
    out.prompt = request.prompt;
    int done = 0;
    auto counter = [&](int32_t) {
        ++done;
        progress.report(double(done) / total,
                        done <= request.options.maxNewTokens ? "Generating (original)" : "Generating (compressed)");
        return true;
    };
    // Same options, same seed: with equal logits both sides draw the same tokens.
    PRECIS_TRY_ASSIGN(GenerateResult a, generate(original, prompt, request.options, counter, &cancel));
    done = request.options.maxNewTokens;
    PRECIS_TRY_ASSIGN(GenerateResult b, generate(compressed, prompt, request.options, counter, &cancel));
    out.original = {std::move(a.ids), a.stop};
    out.compressed = {std::move(b.ids), b.stop};
    const size_t n = std::min(out.original.ids.size(), out.compressed.ids.size());
    size_t k = 0;
    while (k < n && out.original.ids[k] == out.compressed.ids[k]) ++k;
    if (k < n || out.original.ids.size() != out.compressed.ids.size()) out.firstDifference = int(k);
    return out;
}

} // namespace precis::app
