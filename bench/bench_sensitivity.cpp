// precis-bench-sensitivity: wall time of a calibration run per token and as a
// multiple of one forward+backward over the same tokens (per stage), and how
// well each cheap proxy predicts the measured damage (Spearman ρ), for the
// bundled sample model and, when ../shared is present, stories260K. Prints
// tables; not a test.
//
//   precis-bench-sensitivity [--seqs N] [--len T] [--threads 1,2] [--reps R]
// Defaults: N = 32, T = 256 (the studio's defaults), threads 2, 3 repetitions
// of the forward+backward reference.
#include "bench_util.h"
#include "common/mapped_file.h"
#include "common/threads.h"
#include "engine/backward.h"
#include "formats/model_loader.h"
#include "sensitivity/calibration.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

using namespace precis;
using precis::bench::parseList;
using namespace precis::sensitivity;

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Case {
    std::string name, model, text;
};

[[noreturn]] void die(const Error& e)
{
    std::fprintf(stderr, "error: %s: %s\n", e.where.c_str(), e.message.c_str());
    std::exit(1);
}

} // namespace

int main(int argc, char** argv)
{
    int N = 32, T = 256, reps = 3;
    std::vector<int> threads = {2};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--seqs")) N = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--len")) T = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads")) threads = parseList(argv[i + 1]);
    }
    const std::string src = PRECIS_SOURCE_DIR, shared = PRECIS_SHARED_DIR;
    std::vector<Case> cases = {{"sample (3.3M, char)", src + "/resources/sample/model.gguf",
                                src + "/resources/sample/calib.txt"}};
    if (std::filesystem::exists(shared + "/data/models/stories260K.gguf"))
        cases.push_back({"stories260K", shared + "/data/models/stories260K.gguf",
                         shared + "/data/text/tinystories-head.txt"});
    else
        std::printf("(stories260K skipped: %s/data not found)\n", shared.c_str());

    std::printf("\nCalibration wall time, N = %d sequences × T = %d tokens (batches of 2 sequences)\n", N, T);
    std::printf("%-20s %3s %9s %10s %10s %10s %10s %10s %8s\n", "model", "thr", "fwd+bwd s", "gradients", "options",
                "measure", "total s", "µs/token", "× f+b");
    std::map<std::string, SensitivityReport> reports;
    for (const Case& c : cases) {
        auto model = loadModel(c.model);
        if (!model.ok()) die(model.error());
        auto params = parametersFromModel(**model);
        if (!params.ok()) die(params.error());
        auto tok = Tokenizer::create((*model)->tokenizer);
        if (!tok.ok()) die(tok.error());
        auto text = readTextFile(c.text);
        if (!text.ok()) die(text.error());
        auto set = calibrationFromText(*text, c.text, **tok, (*model)->config, N, std::min(T, (*model)->config.nCtx), 1);
        if (!set.ok()) die(set.error());
        for (int th : threads) {
            ThreadLimit limit(th);
            // Reference: forward + backward over the same tokens, same batches.
            std::vector<double> fb;
            BackwardWorkspace ws;
            for (int r = 0; r <= reps; ++r) {
                const auto t0 = Clock::now();
                for (int s0 = 0; s0 < set->sequences; s0 += 2) {
                    const int B = std::min(2, set->sequences - s0);
                    BackwardOptions o;
                    o.workspace = &ws;
                    auto g = lossAndGradients(*params, {set->sequence(s0), size_t(B) * (set->length + 1)}, B,
                                              set->length, o);
                    if (!g.ok()) die(g.error());
                }
                if (r > 0) fb.push_back(seconds(t0));  // the first is a warm-up
            }
            std::sort(fb.begin(), fb.end());
            const double fbMedian = fb[fb.size() / 2];

            // Stage times from the progress stage texts.
            std::map<std::string, double> stageStart;
            std::string current;
            const auto t0 = Clock::now();
            Progress progress([&](double, const std::string& stage) {
                const std::string key = stage.rfind("gradients", 0) == 0 ? "gradients"
                                        : stage.rfind("predicted", 0) == 0 ? "options"
                                        : stage.rfind("measur", 0) == 0    ? "measure"
                                                                            : stage;
                if (key != current && !stageStart.count(key)) stageStart[key] = seconds(t0);
                current = key;
            });
            CalibrationSettings settings;
            auto out = runCalibration(*params, *set, settings, &progress);
            if (!out.ok()) die(out.error());
            const double total = seconds(t0);
            auto span = [&](const char* a, const char* b) {
                const double s = stageStart.count(a) ? stageStart[a] : 0;
                const double e = b && stageStart.count(b) ? stageStart[b] : total;
                return e - s;
            };
            const double tokens = double(set->sequences) * set->length;
            std::printf("%-20s %3d %9.2f %10.2f %10.2f %10.2f %10.2f %10.1f %8.2f\n", c.name.c_str(), th, fbMedian,
                        span("gradients", "options"), span("options", "measure"), span("measure", nullptr), total,
                        1e6 * total / tokens, total / fbMedian);
            reports[c.name] = out->report;
        }
    }

    std::printf("\nProxy vs measured, Spearman ρ over units (default settings: probes Q4_K, Q4_0; "
                "measurements on the first 8 sequences)\n");
    std::printf("%-20s %-6s %-18s %-22s %6s %8s\n", "model", "kind", "proxy", "measured", "units", "rho");
    for (const auto& [name, rep] : reports)
        for (const Correlation& c : rep.correlations)
            std::printf("%-20s %-6s %-18s %-22s %6d %8.3f\n", name.c_str(), unitKindName(c.kind), c.proxy.c_str(),
                        c.measured.c_str(), c.units, c.spearman);
    return 0;
}
