// CPU inference engine (Eigen + oneTBB) for the Llama family and GPT-2.
// By default weights are dequantized to fp32 once, at creation (the exact fp32
// reference). With EngineOptions::dequantize = false, weight matrices stay in
// their GGUF blocks (F16, BF16, Q8_0 … Q6_K) and every product runs on the
// block-format kernels (engine/kernels/kernels.h), activations quantized on the
// fly as llama.cpp does. F32 tensors are used in place either way, the model
// being kept alive. All methods are const and may run concurrently from several
// threads, each with its own DecodeState; work inside a call is parallel
// through oneTBB and honours a tbb::global_control limit.
// With EngineOptions::device = Device::Cuda the same interface runs on a GPU
// (engine/cuda.h, engine/cuda/cuda_engine.cpp).
#pragma once

#include "common/memory.h"
#include "common/progress.h"
#include "common/result.h"
#include "engine/kv_cache.h"
#include "model/model.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace precis {

// Attention probabilities of one sequence: for every layer and head a T × T
// row-stochastic, causal matrix (query rows, key columns; zero above the diagonal).
struct AttentionMaps {
    int nLayer = 0, nHead = 0, nTokens = 0;
    std::vector<float> probs;  // (nLayer, nHead, nTokens, nTokens) row-major
    const float* map(int layer, int head) const
    {
        return probs.data() + (size_t(layer) * nHead + head) * size_t(nTokens) * nTokens;
    }
};

// Where the engine runs: the CPU kernels, or the CUDA backend (engine/cuda.h;
// only in builds with the CUDA toolkit).
enum class Device { Cpu, Cuda };

struct EngineOptions {
    // true: every weight becomes fp32 at creation (products on Eigen, exact
    // fp32 semantics). false: matrices whose type has a kernel stay in their
    // blocks (memory and bandwidth of the compressed model); vectors (norms,
    // biases) and matrices of other types (Q8_1, Q8_K, Segmented tensors whose
    // slices have their own types, model/segmented.h) are still dequantized.
    bool dequantize = true;
    // With dequantize: the weight matrices are not copied at creation but stay
    // where they are stored (the model file's pages, F32 included), and every
    // product reads the rows it needs into an fp32 buffer of its thread (decoded
    // as dequantize would) and hands the file's pages back. The same results as
    // an fp32 copy, holding a few rows per thread instead of the model; slower
    // by the decoding. Matrices of types without a row decoder (Segmented) are
    // still dequantized at creation.
    bool streamWeights = false;
    // Element type of the key/value caches newState() creates.
    KvType kv = KvType::F32;
    // Cuda: the whole forward pass on GPU `cudaDevice`, weights uploaded once
    // (as stored, or as fp32 per `dequantize`), only logits copied back. Needs
    // a build with the CUDA backend and a device; Engine::create says why not
    // (engine/cuda.h). Calls on one CUDA engine are serialised.
    Device device = Device::Cpu;
    int cudaDevice = 0;  // device index for Device::Cuda
};

// What a CPU engine over `model` with `options` holds for its weights: the
// matrices it copies to fp32; those it reads in place, in their blocks or
// streamed, from a memory-mapped model file (the file's pages become resident
// as the passes read them; streamed, a few rows per thread at a time); the
// tensors of a model held in memory are counted by whoever holds it.
// threads: the worker threads (0: oneTBB's current count).
std::vector<MemoryItem> engineWeightMemory(const Model& model, const EngineOptions& options, int threads = 0);
// What the worker threads themselves hold once they ran (stacks, allocator
// arenas, GEMM packing), about 5 MiB each, measured.
MemoryItem workerThreadMemory(int threads = 0);
// One pass of `tokens` tokens from position 0 (Engine::forward): its key/value
// cache, activations and `logitRows` rows of logits.
uint64_t forwardPassBytes(const ModelConfig& config, int tokens, int logitRows, KvType kv = KvType::F32);

class Engine {
public:
    // Errors: unsupported dtype, invalid model, a tensor whose byte count does
    // not match its shape and type; for Device::Cuda also no backend or device,
    // and device memory (naming the bytes needed).
    static Result<std::unique_ptr<Engine>> create(std::shared_ptr<const Model> model,
                                                  const EngineOptions& options = {});
    virtual ~Engine() = default;

    const ModelConfig& config() const { return m_model->config; }
    const EngineOptions& options() const { return m_options; }
    const std::shared_ptr<const Model>& model() const { return m_model; }

    // Batched prefill of one sequence from position 0 (no cache kept).
    // Returns logits (T, V) row-major. When `attention` is non-null, fills it with
    // every layer's and head's attention probabilities. Errors: empty input, ids
    // outside the vocabulary, T beyond the context length (GPT-2), cancellation.
    virtual Result<std::vector<float>> forward(std::span<const int32_t> ids, AttentionMaps* attention = nullptr,
                                               const CancelToken* cancel = nullptr) const = 0;

    // ---- Incremental decoding with a KV cache (DecodeState, kv_cache.h) ------
    // A cache for up to `maxTokens` positions of one sequence, allocated up front
    // (n_layer × 2 × maxTokens × n_head_kv·head_dim values of options().kv).
    // Errors: maxTokens < 1,
    // beyond n_ctx for GPT-2 (learned positions), or beyond 1 << 20 for Llama.
    // A state works only with the kind of engine that made it (a CUDA engine's
    // cache lives on the device).
    virtual Result<std::unique_ptr<DecodeState>> newState(int maxTokens) const;

    // Appends `ids` at the state's current position (0 for a fresh state) in one
    // batched pass. Returns the logits of the last position (V), or of every new
    // position (T, V) row-major when allLogits. Errors as forward(), plus the
    // state's capacity being exceeded (the state is then left unchanged).
    virtual Result<std::vector<float>> prefill(DecodeState& state, std::span<const int32_t> ids,
                                               bool allLogits = false, const CancelToken* cancel = nullptr) const = 0;

    // Appends one token and returns the next-token logits (V).
    Result<std::vector<float>> decode(DecodeState& state, int32_t id) const
    {
        return prefill(state, std::span<const int32_t>(&id, 1), false, nullptr);
    }

protected:
    // Validation shared by the CPU and CUDA engines (errors as documented above).
    // ids appended at position pos0: empty, outside the vocabulary, beyond n_ctx
    // (GPT-2) or beyond 1 << 20 positions.
    Result<void> checkIds(std::span<const int32_t> ids, int pos0) const;
    // maxTokens of a new state.
    Result<void> checkStateSize(int maxTokens) const;
    // Appending n tokens to `state` stays within its capacity.
    Result<void> checkCapacity(const DecodeState& state, size_t n) const;
    // Attention maps of T tokens stay below the size limit.
    Result<void> checkAttentionSize(int T) const;

    Engine(std::shared_ptr<const Model> model, const EngineOptions& options)
        : m_model(std::move(model)), m_options(options)
    {
    }
    std::shared_ptr<const Model> m_model;
    EngineOptions m_options;
};

} // namespace precis
