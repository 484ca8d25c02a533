// precis-bench-engine: prefill and decode throughput of the engine — fp32
// (dequantizing) and on compressed weights (block-format kernels) — set against
// what the machine can do: memory read bandwidth for decode (every weight is
// read once per token, so tok/s <= bandwidth / bytes per token) and the Eigen
// fp32 GEMM rate for prefill. Prints a table; not a test.
//
//   precis-bench-engine [MODEL.gguf] [--quick] [--reps N] [--threads 1,2]
//                       [--layers N] [--no-synthetic] [--types F32,Q8_0,Q4_K]
//                       [--prompt T] [--kv f32|f16] [--small-pages] [--fixed-ceiling]
// MODEL defaults to /work/shared/data/models/stories260K.gguf (skipped when
// absent; fp32 only). The synthetic model has TinyLlama-1.1B's shape (22
// layers, 2048 embd, 5632 ffn, 32 heads, 4 KV heads, 32000 vocab; ~4.4 GB
// fp32); --quick keeps 4 layers, --layers N any number. --types lists the
// weight types to run it at (default F32, Q8_0, Q4_K; F32 runs the
// dequantizing engine, the others the kernel engine with every matrix of that
// type — token_embd and output included — and F32 norms). Quantized weights are
// made cheaply: 1024 random rows per matrix width are encoded once and tiled;
// like the fp32 weights they sit in transparent huge pages, or in 4 KiB pages
// with --small-pages (as a memory-mapped GGUF file would). Other jobs on a
// shared machine move the memory bandwidth from one second to the next, so
// unless --fixed-ceiling it is measured again right before every decode
// repetition, and the fraction of the ceiling reached is the median of the
// repetitions' own fractions.
#include "bench/benchmark.h"
#include "engine/engine.h"
#include "engine/kernels/kernels.h"
#include "engine/kv_cache.h"
#include "formats/model_loader.h"
#include "model/random_model.h"
#include "quant/block_formats.h"

#include "bench_util.h"

#include <tbb/global_control.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <unistd.h>

using namespace precis;
using namespace precis::bench;

namespace {

// FLOPs of a prefill of T tokens with last-position logits: 2·params of every
// linear layer per token, attention q·kᵀ and p·v over the full T×T square (as
// computed), and one row of logits.
double prefillFlops(const ModelConfig& c, int T)
{
    const double C = c.nEmbd, kv = double(c.nHeadKv) * c.headDim(), F = c.nFf, L = c.nLayer;
    const double perToken = c.arch == Arch::Llama ? C * C * 2 + 2 * kv * C + 3 * F * C : 4 * C * C + 2 * F * C;
    return 2 * L * perToken * T + L * 4.0 * T * T * C + 2.0 * c.nVocab * C;
}

struct Row {
    std::string model, type;
    int threads;
    Stats prefill, decode;
    double prefillGflops, gemm, bytes;
    Stats bandwidth, fraction;  // GB/s beside the decode repetitions; decode rate / ceiling
};

void printRows(const std::vector<Row>& rows)
{
    std::printf("\n%-20s %-9s %3s  %-22s %7s %5s  %-22s %8s %7s %5s %7s %6s %6s\n", "model", "type", "thr",
                "prefill tok/s [min-max]", "GFLOP/s", "%GEMM", "decode tok/s [min-max]", "MB/tok", "ceiling",
                "%ceil", "speedup", "bytes", "ratio");
    for (const Row& r : rows) {
        const double ceiling = r.bandwidth.median * 1e9 / r.bytes;
        // Decode speed-up over the fp32 row of the same model and thread count,
        // against the ratio of bytes read per token.
        double speedup = 0, byteRatio = 0;
        for (const Row& f : rows)
            if (f.model == r.model && f.threads == r.threads && f.type == "F32") {
                speedup = r.decode.median / f.decode.median;
                byteRatio = f.bytes / r.bytes;
            }
        char su[16] = "-", br[16] = "-", ra[16] = "-";
        if (speedup > 0 && r.type != "F32") {
            std::snprintf(su, sizeof su, "%.2fx", speedup);
            std::snprintf(br, sizeof br, "%.2fx", byteRatio);
            std::snprintf(ra, sizeof ra, "%.2f", speedup / byteRatio);
        }
        std::printf("%-20s %-9s %3d  %-22s %7.1f %4.0f%%  %-22s %8.1f %7.1f %4.0f%% %7s %6s %6s\n", r.model.c_str(),
                    r.type.c_str(), r.threads, fmt(r.prefill).c_str(), r.prefillGflops,
                    100 * r.prefillGflops / r.gemm, fmt(r.decode, "%.2f").c_str(), r.bytes / 1e6, ceiling,
                    100 * r.fraction.median, su, br, ra);
    }
}

struct Options {
    std::string modelPath = "/work/shared/data/models/stories260K.gguf";
    bool quick = false, synthetic = true, hugePages = true, remeasure = true;
    int reps = 5, layers = 22, prompt = 256;
    KvType kv = KvType::F32;
    std::vector<int> threads{1, 2};
    std::vector<DType> types{DType::F32, DType::Q8_0, DType::Q4_K};
};

// Prefill of o.prompt random tokens into a fresh state; decode of nDecode
// tokens after a 16-token prompt. Rates are tokens per second of one repetition.
void benchModel(const std::string& name, std::shared_ptr<const Model> model, bool dequantize, const Options& o,
                const machine::ReadProbe& probe, const std::vector<Stats>& bandwidth, const std::vector<Stats>& gemm,
                std::vector<Row>& rows)
{
    EngineOptions eo;
    eo.dequantize = dequantize;
    eo.kv = o.kv;
    auto engine = Engine::create(model, eo);
    if (!engine.ok()) {
        std::printf("%s: %s\n", name.c_str(), engine.error().toString().c_str());
        return;
    }
    const ModelConfig& c = model->config;
    const int T = c.arch == Arch::Gpt2 ? std::min(o.prompt, c.nCtx) : o.prompt, prompt = 16;
    const int nDecode = model->parameterCount() > 100'000'000 ? 32 : 64;
    std::vector<int32_t> ids(static_cast<size_t>(std::max(T, prompt + nDecode)));
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = int32_t((i * 7919 + 13) % size_t(c.nVocab));
    auto state = (*engine)->newState(std::max(T, prompt + nDecode)).value();
    std::string type = "F32";
    for (const Tensor& t : model->tensors())
        if (t.shape.size() == 2 && t.dtype != DType::F32) type = std::string(dtypeName(t.dtype));
    for (size_t k = 0; k < o.threads.size(); ++k) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, size_t(o.threads[k]));
        // KV-cache reads: on average (prompt + nDecode/2) positions of every layer.
        const double bytes = decodeBytesPerToken(*model, !dequantize) +
                             2.0 * c.nLayer * (prompt + nDecode / 2.0) * state->kvDim() * double(state->elementBytes());
        Row r{name, type, o.threads[k], {}, {}, 0, gemm[k].median, bytes, bandwidth[k], {}};
        r.prefill = measure(o.reps, [&] {
            state->reset();
            const auto t0 = Clock::now();
            auto logits = (*engine)->prefill(*state, std::span(ids).first(size_t(T)));
            return T / seconds(t0, Clock::now());
        });
        r.prefillGflops = prefillFlops(c, T) * r.prefill.median / T / 1e9;
        // One warm-up, then repetitions each paired with the bandwidth read just before it.
        std::vector<double> rates, gbs, fractions;
        for (int rep = 0; rep <= o.reps; ++rep) {
            const double bw = o.remeasure ? probe.best(1).median : bandwidth[k].median;
            state->reset();
            auto first = (*engine)->prefill(*state, std::span(ids).first(size_t(prompt)));
            const auto t0 = Clock::now();
            for (int i = 0; i < nDecode; ++i) auto next = (*engine)->decode(*state, ids[size_t(prompt + i)]);
            const double rate = nDecode / seconds(t0, Clock::now());
            if (rep == 0) continue;
            rates.push_back(rate);
            gbs.push_back(bw);
            fractions.push_back(rate * bytes / (bw * 1e9));
        }
        r.decode = spreadOf(std::move(rates));
        r.bandwidth = spreadOf(std::move(gbs));
        r.fraction = spreadOf(std::move(fractions));
        rows.push_back(r);
        std::printf("  %s %s, %d thread(s): prefill %s tok/s, decode %s tok/s\n", name.c_str(), type.c_str(),
                    o.threads[k], fmt(r.prefill).c_str(), fmt(r.decode, "%.2f").c_str());
        std::fflush(stdout);
    }
}

bool parseArgs(int argc, char** argv, Options& o)
{
    auto split = [](const char* v) {
        std::vector<std::string> out(1);
        for (const char* p = v; *p; ++p) {
            if (*p == ',') out.emplace_back();
            else out.back() += *p;
        }
        return out;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--quick") {
            o.quick = true;
            o.layers = 4;
        } else if (a == "--no-synthetic") {
            o.synthetic = false;
        } else if (a == "--small-pages") {
            o.hugePages = false;
        } else if (a == "--fixed-ceiling") {
            o.remeasure = false;
        } else if (a == "--reps" || a == "--layers" || a == "--threads" || a == "--types" || a == "--prompt" ||
                   a == "--kv") {
            const char* v = next();
            if (!v) return false;
            if (a == "--reps") o.reps = std::max(1, std::atoi(v));
            if (a == "--layers") o.layers = std::max(1, std::atoi(v));
            if (a == "--prompt") o.prompt = std::max(16, std::atoi(v));
            if (a == "--kv") {
                if (std::string(v) != "f32" && std::string(v) != "f16") return false;
                o.kv = std::string(v) == "f16" ? KvType::F16 : KvType::F32;
            }
            if (a == "--threads") {
                o.threads.clear();
                for (const auto& s : split(v)) o.threads.push_back(std::max(1, std::atoi(s.c_str())));
            }
            if (a == "--types") {
                o.types.clear();
                for (const auto& s : split(v)) {
                    const auto t = dtypeFromName(s);
                    if (!t || !engine::kernels::hasKernel(*t)) {
                        std::printf("unknown or unsupported weight type '%s'\n", s.c_str());
                        return false;
                    }
                    o.types.push_back(*t);
                }
            }
        } else if (a == "-h" || a == "--help" || a.rfind("--", 0) == 0) {
            return false;
        } else {
            o.modelPath = a;
        }
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    Options o;
    if (!parseArgs(argc, argv, o)) {
        std::printf("usage: %s [MODEL] [--quick] [--reps N] [--threads 1,2] [--layers N] [--no-synthetic]\n"
                    "          [--types F32,Q8_0,Q4_K] [--prompt T] [--kv f32|f16] [--small-pages] [--fixed-ceiling]\n",
                    argv[0]);
        return 2;
    }
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 0) load[0] = -1;
    std::printf("precis-bench-engine: Eigen %d.%d.%d, SIMD %s; block kernels %s; KV cache %s\n",
                EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, simdName(),
                engine::kernels::isaName(engine::kernels::activeIsa()), o.kv == KvType::F16 ? "fp16" : "fp32");
    std::printf("load average at start %.2f %.2f %.2f; each figure: median [min-max] of %d repetitions after one "
                "warm-up\n\n",
                load[0], load[1], load[2], o.reps);

    const machine::ReadProbe probe;
    std::vector<Stats> bandwidth, gemm;
    const int gT = o.prompt, gK = 2048, gN = 5632;
    for (int t : o.threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, size_t(t));
        const Stats plain = probe.measure(o.reps, false), ahead = probe.measure(o.reps, true);
        bandwidth.push_back(plain.median >= ahead.median ? plain : ahead);
        gemm.push_back(gemmRate(o.reps, t, gT, gK, gN));
        std::printf("%d thread(s): memory read %s GB/s (plain), %s GB/s (software prefetch);\n"
                    "             Eigen GEMM (%dx%d)·(%dx%d) %s GFLOP/s\n",
                    t, fmt(plain).c_str(), fmt(ahead).c_str(), gT, gK, gK, gN, fmt(gemm.back()).c_str());
        std::fflush(stdout);
    }

    std::vector<Row> rows;
    if (std::filesystem::exists(o.modelPath)) {
        auto m = loadModel(o.modelPath);
        if (m.ok())
            benchModel(std::filesystem::path(o.modelPath).stem().string(), *m, true, o, probe, bandwidth, gemm, rows);
        else
            std::printf("%s\n", m.error().toString().c_str());
    } else {
        std::printf("%s not found; skipping the real model\n", o.modelPath.c_str());
    }
    if (o.synthetic) {
        ModelConfig c;
        c.arch = Arch::Llama;
        c.nLayer = o.layers;
        c.nEmbd = 2048;
        c.nFf = 5632;
        c.nHead = 32;
        c.nHeadKv = 4;
        c.nVocab = 32000;
        c.nCtx = 2048;
        const std::string name = "tinyllama-shape-L" + std::to_string(c.nLayer);
        for (DType t : o.types) {
            const auto t0 = Clock::now();
            std::shared_ptr<Model> m = t == DType::F32 ? makeRandomModel(c, 1) : makeBlockModel(c, t, o.hugePages);
            std::printf("synthetic TinyLlama shape, %d layers, %s: %.2f B parameters, %.2f GB, made in %.1f s\n",
                        c.nLayer, std::string(dtypeName(t)).c_str(), double(m->parameterCount()) / 1e9,
                        decodeBytesPerToken(*m, true) / 1e9, seconds(t0, Clock::now()));
            benchModel(name, m, t == DType::F32, o, probe, bandwidth, gemm, rows);
        }
    }
    printRows(rows);
    if (getloadavg(load, 3) < 0) load[0] = -1;
    std::printf("load average at the end %.2f %.2f %.2f\n", load[0], load[1], load[2]);
    std::printf("\nMB/tok: weights as stored (+ KV cache) read per decoded token. ceiling = memory read bandwidth (the\n"
                "better of the two read patterns; unless --fixed-ceiling, the median of the readings taken just before\n"
                "each decode repetition) / MB/tok; %%ceil = median over the repetitions of tok/s / that repetition's ceiling.\n"
                "GFLOP/s: prefill of %d tokens (2 FLOP per weight and token, whatever the type); %%GEMM relative to the\n"
                "Eigen fp32 GEMM rate at the same thread count.\n"
                "speedup: decode tok/s over the F32 row; bytes: F32 MB/tok over this row's; ratio = speedup / bytes.\n"
                "Models that fit in the CPU caches exceed the DRAM ceiling.\n",
                o.prompt);
    return 0;
}
