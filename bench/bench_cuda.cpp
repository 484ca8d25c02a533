// precis-bench-cuda: prefill and decode throughput of the CUDA engine on a
// synthetic TinyLlama-1.1B-shaped model (22 layers, 2048 embd, 5632 ffn, 32
// heads, 4 KV heads, 32000 vocab) with every matrix in one weight type, set
// against what the GPU can do: decode reads every weight once per token, so
// tok/s <= read bandwidth / bytes per token (the ceiling; the bandwidth is
// measured by cudaReadBandwidth). Prints a table; not a test. Without a CUDA
// device (or a build without the backend) it says so and exits 0.
//
//   precis-bench-cuda [--device N] [--reps N] [--layers N] [--types F32,Q8_0,Q4_K]
//                     [--prompt T] [--decode N] [--kv f32|f16]
// Prefill: T (default 512) tokens into a fresh state. Decode: N (default 128)
// tokens one at a time after a 16-token prompt. Each figure is the median
// [min-max] of --reps repetitions after one warm-up. PRECIS_CUDA_GRAPHS=0 and
// PRECIS_CUDA_PDL=0 switch off CUDA graphs and programmatic dependent launch
// for comparison (engine/cuda/cuda_engine.cpp).
#include "bench/benchmark.h"
#include "engine/cuda.h"
#include "engine/cuda/backend.h"
#include "engine/engine.h"
#include "engine/kv_cache.h"
#include "model/random_model.h"
#include "quant/block_formats.h"

#include "bench_util.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace precis;
using namespace precis::bench;

namespace {

// 2 FLOP per weight and token for the linear layers, attention over the
// causal T×T square, and the last position's logits.
double prefillFlops(const ModelConfig& c, int T)
{
    const double C = c.nEmbd, kv = double(c.nHeadKv) * c.headDim(), F = c.nFf, L = c.nLayer;
    const double perToken = C * C * 2 + 2 * kv * C + 3 * F * C;
    return 2 * L * perToken * T + L * 2.0 * T * T * C + 2.0 * c.nVocab * C;
}

struct Options {
    int device = 0, reps = 5, layers = 22, prompt = 512, decode = 128;
    KvType kv = KvType::F32;
    std::vector<DType> types{DType::F32, DType::Q8_0, DType::Q4_K};
};

bool parseArgs(int argc, char** argv, Options& o)
{
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
        if (!v) return false;
        ++i;
        if (a == "--device") o.device = std::max(0, std::atoi(v));
        else if (a == "--reps") o.reps = std::clamp(std::atoi(v), 1, 100);
        else if (a == "--layers") o.layers = std::clamp(std::atoi(v), 1, 22);
        else if (a == "--prompt") o.prompt = std::clamp(std::atoi(v), 2, 2048);
        else if (a == "--decode") o.decode = std::clamp(std::atoi(v), 1, 1024);
        else if (a == "--kv") {
            if (std::strcmp(v, "f32") != 0 && std::strcmp(v, "f16") != 0) return false;
            o.kv = std::strcmp(v, "f16") == 0 ? KvType::F16 : KvType::F32;
        } else if (a == "--types") {
            o.types.clear();
            std::string list = v;
            size_t p = 0;
            while (p <= list.size()) {
                const size_t q = std::min(list.find(',', p), list.size());
                const auto t = dtypeFromName(list.substr(p, q - p));
                if (!t || !cudaHasKernel(*t)) {
                    std::printf("unknown or unsupported weight type '%s'\n", list.substr(p, q - p).c_str());
                    return false;
                }
                o.types.push_back(*t);
                p = q + 1;
            }
        } else {
            return false;
        }
    }
    return true;
}

struct Row {
    std::string type;
    Stats prefill, decode;
    double bytes = 0, deviceBytes = 0;
};

} // namespace

int main(int argc, char** argv)
{
    Options o;
    if (!parseArgs(argc, argv, o)) {
        std::printf("usage: %s [--device N] [--reps N] [--layers N] [--types F32,Q8_0,Q4_K] [--prompt T]\n"
                    "          [--decode N] [--kv f32|f16]\n",
                    argv[0]);
        return 2;
    }
    auto devices = cudaDevices();
    if (!devices.ok()) {
        std::printf("%s\n", devices.error().message.c_str());
        return 0;
    }
    const auto it =
        std::find_if(devices->begin(), devices->end(), [&](const CudaDeviceInfo& d) { return d.index == o.device; });
    if (it == devices->end()) {
        std::printf("no CUDA device %d (this machine has %zu)\n", o.device, devices->size());
        return 0;
    }
    std::printf("precis-bench-cuda: %s, compute capability %d.%d, %.1f GiB, %d SMs; KV cache %s\n", it->name.c_str(),
                it->ccMajor, it->ccMinor, double(it->totalBytes) / double(uint64_t(1) << 30), it->smCount,
                o.kv == KvType::F16 ? "fp16" : "fp32");
    auto bandwidth = cudaReadBandwidth(o.device, std::max(o.reps, 5));
    if (!bandwidth.ok()) {
        std::printf("%s\n", bandwidth.error().toString().c_str());
        return 1;
    }
    std::printf("measured read bandwidth %.0f GB/s (%.0f GB/s from the memory clock and bus width)\n", *bandwidth,
                it->peakBandwidthGBs);
    std::printf("each figure: median [min-max] of %d repetitions after one warm-up\n\n", o.reps);

    ModelConfig c;
    c.arch = Arch::Llama;
    c.nLayer = o.layers;
    c.nEmbd = 2048;
    c.nFf = 5632;
    c.nHead = 32;
    c.nHeadKv = 4;
    c.nVocab = 32000;
    c.nCtx = 2048;
    const int T = o.prompt, prompt = 16, nDecode = o.decode;
    std::vector<int32_t> ids(static_cast<size_t>(std::max(T, prompt + nDecode)));
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = int32_t((i * 7919 + 13) % size_t(c.nVocab));

    std::vector<Row> rows;
    for (DType t : o.types) {
        const auto t0 = Clock::now();
        std::shared_ptr<Model> m = t == DType::F32 ? makeRandomModel(c, 1) : makeBlockModel(c, t, true);
        if (!m) {
            std::printf("%s: not enough host memory for the model\n", std::string(dtypeName(t)).c_str());
            continue;
        }
        std::printf("TinyLlama shape, %d layers, %s: %.2f B parameters, %.2f GB of weights read per token, made in "
                    "%.1f s\n",
                    c.nLayer, std::string(dtypeName(t)).c_str(), double(m->parameterCount()) / 1e9,
                    decodeBytesPerToken(*m, true) / 1e9, seconds(t0, Clock::now()));
        const uint64_t before = cudaMemoryUsed(o.device).ok() ? *cudaMemoryUsed(o.device) : 0;
        EngineOptions eo;
        eo.device = Device::Cuda;
        eo.cudaDevice = o.device;
        eo.dequantize = false;
        eo.kv = o.kv;
        auto engine = Engine::create(m, eo);
        if (!engine.ok()) {
            std::printf("  %s\n", engine.error().toString().c_str());
            continue;
        }
        std::printf("  %s\n", engine::cuda::describe(**engine).c_str());
        auto state = (*engine)->newState(int(ids.size()));
        if (!state.ok()) {
            std::printf("  %s\n", state.error().toString().c_str());
            continue;
        }
        Row r;
        r.type = std::string(dtypeName(t));
        const uint64_t after = cudaMemoryUsed(o.device).ok() ? *cudaMemoryUsed(o.device) : 0;
        r.deviceBytes = after > before ? double(after - before) : 0;
        bool failed = false;
        auto check = [&](const Result<std::vector<float>>& l) {
            if (!l.ok() && !failed) {
                std::printf("  %s\n", l.error().toString().c_str());
                failed = true;
            }
        };
        r.prefill = measure(o.reps, [&] {
            (*state)->reset();
            const auto s = Clock::now();
            check((*engine)->prefill(**state, std::span(ids).first(size_t(T))));
            return T / seconds(s, Clock::now());
        });
        r.decode = measure(o.reps, [&] {
            (*state)->reset();
            check((*engine)->prefill(**state, std::span(ids).first(size_t(prompt))));
            const auto s = Clock::now();
            for (int i = 0; i < nDecode; ++i) check((*engine)->decode(**state, ids[size_t(prompt + i)]));
            return nDecode / seconds(s, Clock::now());
        });
        if (failed) continue;
        // KV-cache reads: on average (prompt + nDecode/2) positions of every layer.
        r.bytes = decodeBytesPerToken(*m, true) +
                  2.0 * c.nLayer * (prompt + nDecode / 2.0) * (*state)->kvDim() * double((*state)->elementBytes());
        std::printf("  prefill %s tok/s, decode %s tok/s\n", fmt(r.prefill, "%.0f").c_str(),
                    fmt(r.decode, "%.1f").c_str());
        std::fflush(stdout);
        rows.push_back(r);
    }

    std::printf("\n%-5s  %-26s %8s  %-26s %8s %8s %8s %7s %9s\n", "type", "prefill tok/s [min-max]", "GFLOP/s",
                "decode tok/s [min-max]", "MB/tok", "GB/s", "ceiling", "%ceil", "device MB");
    for (const Row& r : rows) {
        const double ceiling = *bandwidth * 1e9 / r.bytes;
        std::printf("%-5s  %-26s %8.0f  %-26s %8.1f %8.0f %8.0f %6.0f%% %9.0f\n", r.type.c_str(),
                    fmt(r.prefill, "%.0f").c_str(), prefillFlops(c, T) * r.prefill.median / T / 1e9,
                    fmt(r.decode, "%.1f").c_str(), r.bytes / 1e6, r.decode.median * r.bytes / 1e9, ceiling,
                    100 * r.decode.median / ceiling, r.deviceBytes / 1e6);
    }
    std::printf("\nprefill: %d tokens into a fresh state (GFLOP/s: 2 FLOP per weight and token + causal attention).\n"
                "decode: %d tokens after a %d-token prompt. MB/tok: weights as stored + KV cache read per decoded "
                "token;\nGB/s = decode tok/s × MB/tok; ceiling = measured read bandwidth / MB/tok; device MB: device "
                "memory the engine\nand its state took.\n",
                T, nDecode, prompt);
    return 0;
}
