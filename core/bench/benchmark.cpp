// Model benchmark: settings, machine description, the timed runs, JSON.
#include "bench/benchmark.h"

#include "common/memory.h"
#include "common/threads.h"

#include "bench/machine.h"
#include "engine/cuda.h"
#include "engine/engine.h"
#include "engine/kernels/kernels.h"
#include "engine/kv_cache.h"
#include "engine/weight_names.h"
#include "formats/model_loader.h"

#include <tbb/task_arena.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <thread>

namespace precis {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

Error invalid(const std::string& msg) { return makeError(ErrorCode::InvalidArgument, "", msg); }

int argmax(const std::vector<float>& v)
{
    return int(std::max_element(v.begin(), v.end()) - v.begin());
}

std::string kvName(KvType kv) { return kv == KvType::F16 ? "f16" : "f32"; }

// Matrix types by share of bytes, largest first: "Q4_K 83%, Q6_K 17%".
std::string weightTypeSummary(const Model& model)
{
    std::map<std::string, double> bytes;
    double total = 0;
    for (const Tensor& t : model.tensors())
        if (t.shape.size() >= 2) {
            bytes[std::string(dtypeName(t.dtype))] += double(t.nbytes);
            total += double(t.nbytes);
        }
    std::vector<std::pair<double, std::string>> order;
    for (const auto& [name, b] : bytes) order.emplace_back(b, name);
    std::sort(order.rbegin(), order.rend());
    std::string out;
    for (const auto& [b, name] : order) {
        const long pct = std::lround(100.0 * b / std::max(total, 1.0));
        if (pct == 0 && !out.empty()) continue;
        out += (out.empty() ? "" : ", ") + name + " " + std::to_string(pct) + "%";
    }
    return out;
}

nlohmann::json spreadJson(const Spread& s) { return {{"median", s.median}, {"min", s.min}, {"max", s.max}}; }

Result<Spread> spreadFromJson(const nlohmann::json& j, const char* field)
{
    const auto it = j.find(field);
    if (it == j.end() || !it->is_object() || !it->contains("median") || !(*it)["median"].is_number())
        return invalid(std::string("benchmark JSON: field '") + field + "' is missing or not {median, min, max}");
    return Spread{(*it)["median"].get<double>(), it->value("min", 0.0), it->value("max", 0.0)};
}

template <typename T>
Result<T> field(const nlohmann::json& j, const char* name)
{
    const auto it = j.find(name);
    if (it == j.end())
        return invalid(std::string("benchmark JSON: field '") + name + "' is missing");
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception&) {
        return invalid(std::string("benchmark JSON: field '") + name + "' has the wrong type");
    }
}

} // namespace

Result<void> validate(const BenchSettings& s)
{
    auto range = [](const char* name, int v, int lo, int hi) -> Result<void> {
        if (v < lo || v > hi)
            return invalid(std::string("benchmark setting ") + name + " = " + std::to_string(v) + ": expected " +
                           std::to_string(lo) + " … " + std::to_string(hi));
        return {};
    };
    PRECIS_TRY(range("prompt", s.prompt, 1, 65536));
    PRECIS_TRY(range("gen", s.gen, 1, 65536));
    PRECIS_TRY(range("reps", s.reps, 1, 1000));
    PRECIS_TRY(range("threads", s.threads, 0, 4096));
    if (s.device == Device::Cuda) PRECIS_TRY(range("cuda device", s.cudaDevice, 0, 1023));
    return {};
}

Spread spreadOf(std::vector<double> v)
{
    if (v.empty()) return {};
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return {n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]), v.front(), v.back()};
}

double decodeBytesPerToken(const Model& m, bool keepBlocks, KvType kv, double position, Device device)
{
    double bytes = 0;
    for (const Tensor& t : m.tensors()) {
        const bool inBlocks = keepBlocks && t.shape.size() == 2 &&
                              (device == Device::Cuda ? cudaHasKernel(t.dtype) : engine::kernels::hasKernel(t.dtype));
        const double b = inBlocks || t.dtype == DType::F32 ? double(t.nbytes) : double(t.numel()) * 4;
        if (t.name == "token_embd.weight")
            bytes += m.config.tiedOutput ? b : b / double(std::max<int64_t>(t.shape[0], 1));
        else if (t.name == "position_embd.weight")
            bytes += b / double(std::max<int64_t>(t.shape[0], 1));
        else
            bytes += b;
    }
    const ModelConfig& c = m.config;
    const double kvDim = c.arch == Arch::Gpt2 ? c.nEmbd : double(c.nHeadKv) * c.headDim();
    bytes += 2.0 * c.nLayer * position * kvDim * (kv == KvType::F16 ? 2 : 4);
    return bytes;
}

Result<MachineInfo> describeMachine(const BenchSettings& settings, const CancelToken* cancel)
{
    PRECIS_TRY(validate(settings));
    MachineInfo m;
    m.cpu = machine::cpuName();
    m.logicalCores = int(std::max(1u, std::thread::hardware_concurrency()));
    m.isa = engine::kernels::isaName(engine::kernels::activeIsa());
    m.memoryBytes = physicalMemoryBytes();
    m.os = machine::osName();
    if (settings.device == Device::Cuda) {
        PRECIS_TRY_ASSIGN(auto gpu, machine::cudaDescription(settings.cudaDevice));
        m.device = gpu.first;
        m.threads = 0;
        m.bandwidthGBs = gpu.second;
        return m;
    }
    m.device = "cpu";
    m.threads = settings.threads > 0 ? settings.threads : m.logicalCores;
    tbb::task_arena arena(m.threads);
    // 3 … 10 passes: enough for a stable median, and bounded whatever the model's repetitions.
    arena.execute([&] { m.bandwidthGBs = machine::readBandwidth(std::clamp(settings.reps, 3, 10)); });
    if (cancel && cancel->cancelled())
        return makeError(ErrorCode::Cancelled, "", "benchmark cancelled");
    return m;
}

MemoryEstimate estimateBenchmarkMemory(const Model& model, const BenchSettings& settings, bool inMemory)
{
    const ModelConfig& c = model.config;
    const int threads = settings.threads > 0 ? settings.threads : activeThreadCount();
    EngineOptions eo;
    eo.dequantize = false;
    eo.kv = settings.kv;
    MemoryEstimate e;
    e.job = "benchmark";
    e.items = engineWeightMemory(model, eo, threads);
    if (inMemory) {
        uint64_t held = 0;
        for (const Tensor& t : model.tensors()) held += t.nbytes;
        e.items.push_back({"the model held in memory", held});
    }
    int prompt = settings.prompt, gen = settings.gen;
    if (c.arch == Arch::Gpt2 && prompt + gen > c.nCtx) {  // as the run shortens them
        gen = std::max(1, int(int64_t(gen) * c.nCtx / (prompt + gen)));
        prompt = std::max(1, c.nCtx - gen);
    }
    const uint64_t kvRow = 2 * uint64_t(c.nLayer) * uint64_t(engine::kvDimOf(c)) * (settings.kv == KvType::F16 ? 2 : 4);
    e.items.push_back({"the prompt's pass over " + std::to_string(prompt) + " tokens", forwardPassBytes(c, prompt, 1, settings.kv)});
    e.items.push_back({"key/value cache of the " + std::to_string(std::max(0, gen)) + " generated tokens",
                       kvRow * uint64_t(std::max(0, gen))});
    e.items.push_back(workerThreadMemory(threads));
    return e;
}

namespace {

// What a benchmark needs before the model is there: the bandwidth probe (CPU:
// read again beside the decode runs) and the memory mark, the probe first so
// its buffer is not counted in the peak.
struct Marks {
    std::optional<machine::ReadProbe> probe;
    machine::MemoryMark mark;
    explicit Marks(const BenchSettings& settings)
        : probe(settings.device == Device::Cuda ? std::nullopt : std::make_optional<machine::ReadProbe>()),
          mark(settings.device == Device::Cuda ? machine::MemoryMark::device(settings.cudaDevice)
                                               : machine::MemoryMark::process())
    {
    }
};

Result<BenchResult> runBenchmark(std::shared_ptr<const Model> model, const std::string& label,
                                 const BenchSettings& settings, const MachineInfo& machine, const Marks& marks,
                                 bool inMemory, Progress* progress, const CancelToken* cancel)
{
    const bool cuda = settings.device == Device::Cuda;
    const std::optional<machine::ReadProbe>& probe = marks.probe;
    const machine::MemoryMark& mark = marks.mark;
    BenchResult r;
    r.modelPath = label;
    r.weightTypes = weightTypeSummary(*model);
    r.device = cuda ? "cuda:" + std::to_string(settings.cudaDevice) : "cpu";
    r.threads = cuda ? 0 : (settings.threads > 0 ? settings.threads : machine.logicalCores);
    r.reps = settings.reps;
    r.kv = kvName(settings.kv);
    r.fileBytes = model->fileBytes;
    for (const Tensor& t : model->tensors()) r.weightBytes += t.nbytes;
    r.prompt = settings.prompt;
    r.gen = settings.gen;
    const ModelConfig& c = model->config;
    if (c.arch == Arch::Gpt2 && r.prompt + r.gen > c.nCtx) {
        // Learned positions end at n_ctx: keep the ratio of prompt to generation.
        const int total = r.prompt + r.gen;
        r.gen = std::max(1, int(int64_t(r.gen) * c.nCtx / total));
        r.prompt = std::max(1, c.nCtx - r.gen);
        r.notes.push_back("GPT-2 positions end at n_ctx = " + std::to_string(c.nCtx) + ": prompt " +
                          std::to_string(r.prompt) + " and " + std::to_string(r.gen) + " generated tokens instead of " +
                          std::to_string(settings.prompt) + " and " + std::to_string(settings.gen));
    }
    if (c.arch == Arch::Llama && r.prompt + r.gen > c.nCtx)
        r.notes.push_back("prompt + generated tokens (" + std::to_string(r.prompt + r.gen) +
                          ") exceed the model's training context (" + std::to_string(c.nCtx) +
                          "): speed is still meaningful, the text would not be");

    EngineOptions eo;
    eo.dequantize = false;
    eo.kv = settings.kv;
    eo.device = settings.device;
    eo.cudaDevice = settings.cudaDevice;
    r.bytesPerToken = decodeBytesPerToken(*model, true, settings.kv, r.prompt + 0.5 * r.gen, settings.device);
    r.bandwidthGBs = machine.bandwidthGBs.median;
    r.ceilingTokS = r.bytesPerToken > 0 ? r.bandwidthGBs * 1e9 / r.bytesPerToken : 0;
    if (const uint64_t llc = machine::lastLevelCacheBytes(); !cuda && llc > 0 && r.bytesPerToken < 2.0 * double(llc)) {
        char mib[32];
        std::snprintf(mib, sizeof mib, "%.1f", r.bytesPerToken / 1048576.0);
        r.notes.push_back(std::string("the ") + mib +
                          " MiB read per token come largely from the CPU's caches (" + std::to_string(llc >> 20) +
                          " MiB), not from memory: decode can pass the memory-bandwidth ceiling");
    }

    if (!cuda) {
        const MemoryEstimate memory = estimateBenchmarkMemory(*model, settings, inMemory);
        r.memoryEstimateBytes = memory.total();
        PRECIS_TRY(checkMemory(memory, settings.memoryLimit ? settings.memoryLimit : defaultMemoryLimit(),
                               "benchmark a quantized model, or a shorter prompt (--prompt)"));
    }

    std::vector<int32_t> prompt(static_cast<size_t>(r.prompt));
    for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = int32_t((i * 7919 + 13) % size_t(c.nVocab));

    std::vector<double> prefill, decode, ttft, gbs;
    machine::PeakMemory peak;
    Result<void> status;
    tbb::task_arena arena(cuda ? 1 : r.threads);
    arena.execute([&] {
        status = [&]() -> Result<void> {
            PRECIS_TRY_ASSIGN(auto engine, Engine::create(model, eo));
            PRECIS_TRY_ASSIGN(auto state, engine->newState(r.prompt + r.gen));
            const int total = r.reps + 1;
            for (int rep = 0; rep < total; ++rep) {
                if (progress)
                    progress->report(double(rep) / total, rep == 0 ? "warm-up" : "repetition " + std::to_string(rep) +
                                                                                  " of " + std::to_string(r.reps));
                state->reset();
                const auto t0 = Clock::now();
                PRECIS_TRY_ASSIGN(auto logits, engine->prefill(*state, prompt, false, cancel));
                int32_t next = argmax(logits);
                const double tPrefill = secondsSince(t0);
                if (probe && rep > 0) gbs.push_back(probe->best(1).median);
                const auto t1 = Clock::now();
                for (int i = 0; i < r.gen; ++i) {
                    if (cancel && cancel->cancelled())
                        return makeError(ErrorCode::Cancelled, "", "benchmark cancelled");
                    PRECIS_TRY_ASSIGN(logits, engine->decode(*state, next));
                    next = argmax(logits);
                }
                const double tDecode = secondsSince(t1);
                if (rep == 0) continue;  // warm-up
                prefill.push_back(r.prompt / tPrefill);
                ttft.push_back(1e3 * tPrefill);
                decode.push_back(r.gen / tDecode);
            }
            peak = mark.peakSince();  // while the engine and its state are alive (device memory)
            return {};
        }();
    });
    PRECIS_TRY(status);
    r.prefillTokS = spreadOf(prefill);
    r.decodeTokS = spreadOf(decode);
    r.ttftMs = spreadOf(ttft);
    if (!gbs.empty()) {
        r.bandwidthGBs = spreadOf(gbs).median;
        r.ceilingTokS = r.bytesPerToken > 0 ? r.bandwidthGBs * 1e9 / r.bytesPerToken : 0;
    }
    r.peakMemoryBytes = peak.bytes;
    r.peakExact = peak.exact;
    if (progress) progress->report(1, "done");
    return r;
}

} // namespace

Result<BenchResult> benchmarkModel(const std::string& modelPath, const BenchSettings& settings,
                                   const MachineInfo& machine, Progress* progress, const CancelToken* cancel)
{
    PRECIS_TRY(validate(settings));
    const Marks marks(settings);
    if (progress) progress->report(0, "loading " + modelPath);
    PRECIS_TRY_ASSIGN(std::shared_ptr<const Model> model, loadModel(modelPath));
    return runBenchmark(std::move(model), modelPath, settings, machine, marks, false, progress, cancel);
}

Result<BenchResult> benchmarkModel(std::shared_ptr<const Model> model, const std::string& label,
                                   const BenchSettings& settings, const MachineInfo& machine, Progress* progress,
                                   const CancelToken* cancel)
{
    PRECIS_TRY(validate(settings));
    if (!model) return makeError(ErrorCode::InvalidArgument, label, "no model to benchmark");
    const Marks marks(settings);
    PRECIS_TRY_ASSIGN(BenchResult r, runBenchmark(model, label, settings, machine, marks, true, progress, cancel));
    r.fileBytes = r.weightBytes;
    r.notes.push_back("benchmarked in memory (no file holds this model): the size shown is its tensor bytes");
    if (settings.device != Device::Cuda) {
        r.peakMemoryBytes += r.weightBytes;
        r.notes.push_back("the weights were in memory before the run and are counted in full in the peak memory");
    }
    return r;
}

nlohmann::json toJson(const MachineInfo& m)
{
    return {{"cpu", m.cpu},
            {"logical_cores", m.logicalCores},
            {"isa", m.isa},
            {"memory_bytes", m.memoryBytes},
            {"os", m.os},
            {"device", m.device},
            {"threads", m.threads},
            {"bandwidth_gbs", spreadJson(m.bandwidthGBs)}};
}

nlohmann::json toJson(const BenchResult& r)
{
    return {{"model", r.modelPath},
            {"weight_types", r.weightTypes},
            {"device", r.device},
            {"threads", r.threads},
            {"prompt", r.prompt},
            {"gen", r.gen},
            {"reps", r.reps},
            {"kv", r.kv},
            {"file_bytes", r.fileBytes},
            {"weight_bytes", r.weightBytes},
            {"bytes_per_token", r.bytesPerToken},
            {"prefill_tok_s", spreadJson(r.prefillTokS)},
            {"decode_tok_s", spreadJson(r.decodeTokS)},
            {"ttft_ms", spreadJson(r.ttftMs)},
            {"peak_memory_bytes", r.peakMemoryBytes},
            {"peak_exact", r.peakExact},
            {"memory_estimate_bytes", r.memoryEstimateBytes},
            {"bandwidth_gbs", r.bandwidthGBs},
            {"ceiling_tok_s", r.ceilingTokS},
            {"ceiling_fraction", r.ceilingFraction()},
            {"notes", r.notes}};
}

Result<MachineInfo> machineFromJson(const nlohmann::json& j)
{
    if (!j.is_object()) return invalid("benchmark machine JSON: expected an object");
    MachineInfo m;
    PRECIS_TRY_ASSIGN(m.cpu, field<std::string>(j, "cpu"));
    PRECIS_TRY_ASSIGN(m.logicalCores, field<int>(j, "logical_cores"));
    PRECIS_TRY_ASSIGN(m.isa, field<std::string>(j, "isa"));
    PRECIS_TRY_ASSIGN(m.memoryBytes, field<uint64_t>(j, "memory_bytes"));
    PRECIS_TRY_ASSIGN(m.os, field<std::string>(j, "os"));
    PRECIS_TRY_ASSIGN(m.device, field<std::string>(j, "device"));
    PRECIS_TRY_ASSIGN(m.threads, field<int>(j, "threads"));
    PRECIS_TRY_ASSIGN(m.bandwidthGBs, spreadFromJson(j, "bandwidth_gbs"));
    return m;
}

Result<BenchResult> benchResultFromJson(const nlohmann::json& j)
{
    if (!j.is_object()) return invalid("benchmark results JSON: expected an object");
    BenchResult r;
    PRECIS_TRY_ASSIGN(r.modelPath, field<std::string>(j, "model"));
    PRECIS_TRY_ASSIGN(r.weightTypes, field<std::string>(j, "weight_types"));
    PRECIS_TRY_ASSIGN(r.device, field<std::string>(j, "device"));
    PRECIS_TRY_ASSIGN(r.threads, field<int>(j, "threads"));
    PRECIS_TRY_ASSIGN(r.prompt, field<int>(j, "prompt"));
    PRECIS_TRY_ASSIGN(r.gen, field<int>(j, "gen"));
    PRECIS_TRY_ASSIGN(r.reps, field<int>(j, "reps"));
    PRECIS_TRY_ASSIGN(r.kv, field<std::string>(j, "kv"));
    PRECIS_TRY_ASSIGN(r.fileBytes, field<uint64_t>(j, "file_bytes"));
    PRECIS_TRY_ASSIGN(r.weightBytes, field<uint64_t>(j, "weight_bytes"));
    PRECIS_TRY_ASSIGN(r.bytesPerToken, field<double>(j, "bytes_per_token"));
    PRECIS_TRY_ASSIGN(r.prefillTokS, spreadFromJson(j, "prefill_tok_s"));
    PRECIS_TRY_ASSIGN(r.decodeTokS, spreadFromJson(j, "decode_tok_s"));
    PRECIS_TRY_ASSIGN(r.ttftMs, spreadFromJson(j, "ttft_ms"));
    PRECIS_TRY_ASSIGN(r.peakMemoryBytes, field<uint64_t>(j, "peak_memory_bytes"));
    PRECIS_TRY_ASSIGN(r.peakExact, field<bool>(j, "peak_exact"));
    if (j.contains("memory_estimate_bytes")) {  // not in records of older builds
        PRECIS_TRY_ASSIGN(r.memoryEstimateBytes, field<uint64_t>(j, "memory_estimate_bytes"));
    }
    PRECIS_TRY_ASSIGN(r.bandwidthGBs, field<double>(j, "bandwidth_gbs"));
    PRECIS_TRY_ASSIGN(r.ceilingTokS, field<double>(j, "ceiling_tok_s"));
    if (j.contains("notes")) {
        PRECIS_TRY_ASSIGN(r.notes, field<std::vector<std::string>>(j, "notes"));
    }
    return r;
}

} // namespace precis
