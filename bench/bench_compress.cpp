// precis-bench-compress: the quality targets of compression. For the bundled
// sample model and (with ../shared) stories260K: uniform formats against Precis
// allocations of the same size (RTN and GPTQ), and allocations solved for a
// perplexity budget against what they measure. Calibration on the first 80 %
// of the text's windows, evaluation on the held-out text. Prints tables; not a test.
//
//   precis-bench-compress [--seqs N] [--len T] [--ctx C]
#include "allocation/option_builder.h"
#include "allocation/solver.h"
#include "common/mapped_file.h"
#include "engine/engine.h"
#include "eval/compare.h"
#include "eval/compress.h"
#include "eval/compress_methods.h"
#include "formats/model_loader.h"
#include "sensitivity/calibration.h"
#include "tokenizer/tokenizer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

using namespace precis;

namespace {

[[noreturn]] void die(const Error& e)
{
    std::fprintf(stderr, "error: %s: %s\n", e.where.c_str(), e.message.c_str());
    std::exit(1);
}

template <typename T>
T take(Result<T> r)
{
    if (!r.ok()) die(r.error());
    return std::move(r).value();
}

struct Case {
    std::string name, model, calib, eval;  // eval empty: the last 20 % of calib's text
};

struct Row {
    std::string what;
    double bpw = 0, predicted = -1;  // predicted Δppl % (-1: none)
    ComparisonResult m;
};

void print(const Row& r)
{
    char pred[32] = "";
    if (r.predicted >= 0) std::snprintf(pred, sizeof pred, "%+.2f %%", r.predicted);
    std::printf("  %-34s %6.3f %9s %9.4f %+8.2f %% %10.3e %10.3e %7.2f %%\n", r.what.c_str(), r.bpw, pred,
                r.m.pplCompressed, 100 * (r.m.pplRatio() - 1), r.m.klMean, r.m.klP99, 100 * r.m.top1Agreement);
}

} // namespace

int main(int argc, char** argv)
{
    int N = 16, T = 128, ctx = 256;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--seqs")) N = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--len")) T = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--ctx")) ctx = std::atoi(argv[i + 1]);
    }
    const std::string src = PRECIS_SOURCE_DIR, shared = PRECIS_SHARED_DIR;
    std::vector<Case> cases = {{"sample", src + "/resources/sample/model.gguf", src + "/resources/sample/calib.txt",
                                src + "/resources/sample/eval.txt"}};
    if (std::filesystem::exists(shared + "/data/models/stories260K.gguf"))
        cases.push_back({"stories260K", shared + "/data/models/stories260K.gguf",
                         shared + "/data/text/tinystories-head.txt", ""});
    else
        std::printf("(stories260K skipped: %s/data not found)\n", shared.c_str());
    const std::vector<std::string> gguf = {"F16", "Q8_0", "Q6_K", "Q5_K", "Q5_0", "Q4_K", "Q4_0", "Q3_K", "Q2_K"};

    for (const Case& c : cases) {
        auto model = std::shared_ptr<const Model>(take(loadModel(c.model)));
        auto tok = take(Tokenizer::create(model->tokenizer));
        std::string calibText = take(readTextFile(c.calib)), evalText;
        if (c.eval.empty()) {  // hold out the last 20 % (cut at a line break)
            size_t cut = calibText.size() * 4 / 5;
            cut = calibText.find('\n', cut);
            if (cut == std::string::npos) cut = calibText.size() * 4 / 5;
            evalText = calibText.substr(cut);
            calibText.resize(cut);
        } else {
            evalText = take(readTextFile(c.eval));
        }
        const int t = std::min(T, model->config.nCtx);
        const auto set = take(sensitivity::calibrationFromText(calibText, c.calib, *tok, model->config, N, t, 1));
        const std::vector<int32_t> evalIds = tok->encode(evalText, tok->bos() >= 0);
        CompareOptions co;
        co.ctx = std::min(ctx, model->config.nCtx);

        // Sensitivity (predicted damage only) → option table (GGUF types) → frontier.
        auto params = take(parametersFromModel(*model));
        sensitivity::CalibrationSettings cs;
        cs.options = gguf;
        cs.measure = false;
        cs.headAblation = false;
        const auto calibration = take(sensitivity::runCalibration(params, set, cs));
        OptionTableSettings os;
        os.options = gguf;
        const OptionTable table = take(buildOptionTable(*model, calibration.report, os));
        const Frontier frontier = take(buildFrontier(table));
        auto original = std::shared_ptr<const Engine>(take(Engine::create(model)));

        auto measure = [&](const CompressionPlan& plan, CompressionMethod method) {
            MethodOptions mo;
            mo.method = method;
            auto compressed = take(compressWithMethod(*model, plan, mo, method == CompressionMethod::Rtn ? nullptr : &set));
            auto engine = take(Engine::create(compressed));
            Row r;
            r.bpw = modelSize(*compressed).bitsPerWeight();
            r.m = take(compareModels(*original, *engine, evalIds, co));
            return r;
        };
        auto planOf = [&](const Allocation& a) {
            CompressionPlan plan;
            for (size_t u = 0; u < table.units.size(); ++u)
                plan.tensors.push_back({table.units[u].tensor, table.units[u].options[size_t(a.choice[u])].scheme});
            return plan;
        };

        std::printf("\n%s: %s, eval %zu tokens (ctx %d), calibration %d × %d\n", c.name.c_str(), c.model.c_str(),
                    evalIds.size(), co.ctx, N, t);
        std::printf("  %-34s %6s %9s %9s %10s %10s %10s %8s\n", "plan", "bpw", "pred.", "ppl", "Δppl", "KL mean",
                    "KL p99", "top-1");
        const auto uniform = uniformPoints(table, {"Q8_0", "Q6_K", "Q4_K", "Q4_0", "Q3_K", "Q2_K"});
        for (const UniformPoint& u : uniform) {
            auto plan = take(uniformPlan(*model, u.scheme)).plan;
            Row r = measure(plan, CompressionMethod::Rtn);
            r.what = "uniform " + u.scheme + (u.fallbacks ? " (fallbacks)" : "");
            r.predicted = 100 * (std::exp(u.damage) - 1);
            print(r);
            // Precis's allocation at the same size.
            const Allocation a = frontier.minDamage(u.bytes);
            Row x = measure(planOf(a), CompressionMethod::Rtn);
            x.what = "  Precis at that size, rtn";
            x.predicted = perplexityIncreaseForDamage(a.damage);
            print(x);
            if (u.scheme == "Q4_K" || u.scheme == "Q4_0") {
                Row g = measure(plan, CompressionMethod::Gptq);
                g.what = "  uniform " + u.scheme + ", gptq";
                print(g);
                Row ga = measure(planOf(a), CompressionMethod::Gptq);
                ga.what = "  Precis at that size, gptq";
                ga.predicted = x.predicted;
                print(ga);
            }
        }
        std::printf("  budget → measured (rtn):\n");
        for (double p : {0.5, 1.0, 2.0, 5.0}) {
            const Allocation a = frontier.minBytes(damageBudgetForPerplexityIncrease(p));
            Row r = measure(planOf(a), CompressionMethod::Rtn);
            char what[64];
            std::snprintf(what, sizeof what, "  budget +%.1f %%%s", p, a.feasible ? "" : " (infeasible)");
            r.what = what;
            r.predicted = perplexityIncreaseForDamage(a.damage);
            print(r);
        }
    }
    return 0;
}
