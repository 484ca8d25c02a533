// Speed of a model on this machine (DESIGN.md §9): prefill and decode
// throughput, time to first token, peak memory and file size, set against what
// the machine can do — its measured memory read bandwidth gives the decode
// ceiling (every weight is read once per generated token, so
// tok/s ≤ bandwidth / bytes read per token).
//
// A benchmark loads the model file itself (memory-mapped, weights kept in their
// blocks: EngineOptions::dequantize = false, so a Q4_K model runs on the Q4_K
// kernels and an F16 model on the F16 ones), runs one untimed warm-up
// repetition, then `reps` repetitions of:
//   prefill   a fresh state, one batched pass over `prompt` tokens;
//             prefill tok/s = prompt / time, time to first token = that time
//             plus picking the first token (argmax of the last logits);
//   decode    `gen` greedy steps after the prompt (each token fed back);
//             decode tok/s = gen / time.
// Every figure is reported as median, minimum and maximum over the
// repetitions. Work runs in a oneTBB arena of `threads` threads (the rest of
// the process is not limited). On a CPU the memory bandwidth behind the
// ceiling is read with the same threads right before each timed decode (other
// jobs on a shared machine move it from one second to the next): the result's
// bandwidth is the median of those readings. On a GPU it is the machine's.
//
// Peak memory (CPU): the growth of the process's peak resident set (VmHWM)
// over its resident set before loading, with the peak reset first
// (/proc/self/clear_refs) — the mapped weights the runs touch, the engine's
// buffers and the KV cache. Where the reset is refused the figure is an upper
// bound and `peakExact` is false.
//
// Prompt tokens are fixed pseudo-random ids (speed does not depend on which).
// A GPT-2 model (learned positions) cannot run past its context: prompt + gen
// are then reduced to fit, and the result says so (`notes`).
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "engine/engine.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace precis {

struct BenchSettings {
    Device device = Device::Cpu;
    int cudaDevice = 0;
    int threads = 0;     // CPU threads; 0 = every core
    int prompt = 512;    // prefill length, 1 … 65536
    int gen = 128;       // decode steps, 1 … 65536
    int reps = 5;        // timed repetitions, 1 … 1000
    KvType kv = KvType::F32;
    // CPU: a run estimated to need more (estimateBenchmarkMemory) is refused
    // before it starts; 0 = defaultMemoryLimit().
    uint64_t memoryLimit = 0;
};

// Errors (InvalidArgument) name the setting and its allowed range.
Result<void> validate(const BenchSettings& settings);

// Median, minimum and maximum of repeated measurements.
struct Spread {
    double median = 0, min = 0, max = 0;
};
Spread spreadOf(std::vector<double> values);  // of a non-empty list

// What the benchmark ran on.
struct MachineInfo {
    std::string cpu;         // model name from /proc/cpuinfo
    int logicalCores = 0;
    std::string isa;         // the kernels' instruction set ("AVX-512 VNNI", "AVX2", "scalar")
    uint64_t memoryBytes = 0;
    std::string os;          // "Linux 6.1.0 x86_64"
    std::string device;      // "cpu", or the GPU's name
    int threads = 0;         // threads the runs used
    Spread bandwidthGBs;     // measured read bandwidth (CPU: with those threads)
};

// CUDA devices a benchmark can run on: (index, name). Errors say why there
// are none (no CUDA backend in this build, no driver, no device).
Result<std::vector<std::pair<int, std::string>>> benchCudaDevices();

// Describes the machine and measures its read bandwidth for `settings`
// (CPU: the better of two read patterns over a 512 MiB buffer; CUDA: the
// device's read kernel). Errors: a CUDA device that is not there.
Result<MachineInfo> describeMachine(const BenchSettings& settings, const CancelToken* cancel = nullptr);

struct BenchResult {
    std::string modelPath;
    std::string weightTypes;   // matrix types by share of bytes, "Q4_K 83%, Q6_K 17%"
    std::string device;        // "cpu" or "cuda:0"
    int threads = 0;
    int prompt = 0, gen = 0, reps = 0;
    std::string kv;            // "f32" / "f16"
    uint64_t fileBytes = 0;    // on disk
    uint64_t weightBytes = 0;  // tensor data as the engine holds it
    double bytesPerToken = 0;  // weights read per decode step + the mean KV cache read
    Spread prefillTokS, decodeTokS, ttftMs;
    uint64_t peakMemoryBytes = 0;
    bool peakExact = true;
    uint64_t memoryEstimateBytes = 0;  // CPU: estimateBenchmarkMemory's total (0: not estimated)
    double bandwidthGBs = 0;   // CPU: median of the readings beside the decodes; GPU: the machine's
    double ceilingTokS = 0;    // bandwidth / bytesPerToken
    double ceilingFraction() const { return ceilingTokS > 0 ? decodeTokS.median / ceilingTokS : 0; }
    std::vector<std::string> notes;
};

// Bytes one decode step reads at context position `position`: every weight
// matrix as the engine holds it (in its blocks when it has a kernel on
// `device` and the engine keeps blocks, else fp32; the CUDA backend holds RTN
// as fp32) except the embedding tables (one row), the norms, and the keys and
// values of the positions before it.
double decodeBytesPerToken(const Model& model, bool keepBlocks, KvType kv = KvType::F32, double position = 0,
                           Device device = Device::Cpu);

// What a CPU run holds at its peak, the quantity peakMemoryBytes measures: the
// weights as the engine keeps them (their file pages as the passes read them;
// a model held in memory: its tensors in full), the key/value cache of prompt +
// gen positions, the prompt's pass, the worker threads.
MemoryEstimate estimateBenchmarkMemory(const Model& model, const BenchSettings& settings, bool inMemory = false);

// Loads `modelPath` and benchmarks it (see the top of this file). `machine`
// supplies the core count and, on a GPU, the bandwidth behind the ceiling. Progress reports the fraction of
// repetitions done. Errors: the loader's, the engine's, bad settings,
// cancellation.
Result<BenchResult> benchmarkModel(const std::string& modelPath, const BenchSettings& settings,
                                   const MachineInfo& machine, Progress* progress = nullptr,
                                   const CancelToken* cancel = nullptr);
// The same for a model already in memory, e.g. a compression holding RTN
// tensors, which no file format stores: `label` is reported as its path, its
// "file" size is its tensor bytes, and its weights (resident before the run)
// are counted in full in the peak memory; notes say both.
Result<BenchResult> benchmarkModel(std::shared_ptr<const Model> model, const std::string& label,
                                   const BenchSettings& settings, const MachineInfo& machine,
                                   Progress* progress = nullptr, const CancelToken* cancel = nullptr);

// JSON kept in the session (BenchmarkRecord::machineJson / resultsJson) and
// printed by precis-cli bench --json; the readers reject missing fields by name.
nlohmann::json toJson(const MachineInfo& machine);
nlohmann::json toJson(const BenchResult& result);
Result<MachineInfo> machineFromJson(const nlohmann::json& j);
Result<BenchResult> benchResultFromJson(const nlohmann::json& j);

} // namespace precis
