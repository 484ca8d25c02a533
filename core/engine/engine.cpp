// Engine::create (weights to fp32 once, or kept in their blocks), input
// validation, and dispatch of a step to the architecture's forward function.
#include "engine/engine.h"

#include "common/mapped_file.h"
#include "common/threads.h"
#include "engine/cuda.h"
#include "engine/cuda/backend.h"
#include "engine/forward.h"
#include "engine/kernels/kernels.h"
#include "engine/kv_cache.h"
#include "engine/weight_names.h"
#include "quant/block_formats.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>
#include <optional>

#include <unistd.h>

namespace precis {

namespace engine {

void logitsForward(float* logits, const float* xn, const Weights& w, int nLogits, std::vector<std::byte>* scratch)
{
    matmulForward(logits, xn, w.output, nullptr, nLogits, scratch);
}

} // namespace engine

bool cudaHasKernel(DType weight) { return engine::kernels::hasKernel(weight) && !isRtn(weight); }

namespace {

using engine::kvDimOf;
using engine::Mat;
using engine::Weights;

constexpr int kMaxLlamaPositions = 1 << 20;
// Attention maps larger than this are refused (a view cannot show them anyway).
constexpr uint64_t kMaxAttentionBytes = uint64_t(4) << 30;

// Physical memory of the machine (0 when unknown).
uint64_t physicalMemory()
{
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages > 0 && size > 0)
        return uint64_t(pages) * uint64_t(size);
#endif
    return 0;
}

std::string gib(uint64_t bytes)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GiB", double(bytes) / double(uint64_t(1) << 30));
    return buf;
}

// Collects (tensor, destination) pairs, then loads them in parallel: F32
// tensors with 4-byte aligned data are used in place (the engine keeps the
// model alive); matrices whose type has a kernel stay in their blocks when the
// engine does not dequantize; everything else goes through quant::dequantize.
class WeightLoader {
public:
    WeightLoader(const Model& m, bool keepBlocks, bool stream) : m_model(m), m_keepBlocks(keepBlocks), m_stream(stream) {}

    // `matrix`: a weight used in products (or row lookups), which may stay in blocks.
    void add(const std::string& name, Mat* dest, bool matrix = false)
    {
        m_items.push_back({name, dest, matrix});
    }

    Result<void> run(Weights& w)
    {
        std::vector<std::optional<Error>> errors(m_items.size());
        std::mutex ownedMutex;
        tbb::parallel_for(size_t(0), m_items.size(), [&](size_t i) {
            const Item& it = m_items[i];
            const Tensor* t = m_model.find(it.name);
            if (!t) {  // Model::validate() ran first; kept for hostile callers
                errors[i] = makeError(ErrorCode::Format, m_model.path, "tensor '" + it.name + "' is missing");
                return;
            }
            const int64_t n = t->numel();
            Mat& dst = *it.dest;
            dst.rows = t->shape.size() < 2 ? 1 : t->rows();
            dst.cols = t->cols();
            const bool inPlace = t->dtype == DType::F32 && t->nbytes >= uint64_t(n) * 4 &&
                                 reinterpret_cast<uintptr_t>(t->data) % alignof(float) == 0;
            if (inPlace && !(m_stream && it.matrix)) {
                dst.data = reinterpret_cast<const float*>(t->data);
                return;
            }
            const bool streamed = m_stream && it.matrix && (t->dtype == DType::F32 || quant::blockFormat(t->dtype));
            if (streamed || (m_keepBlocks && it.matrix && t->dtype != DType::F32 && engine::kernels::hasKernel(t->dtype))) {
                const auto rowBytes = dtypeRowBytes(t->dtype, uint64_t(dst.cols));
                if (!rowBytes || uint64_t(dst.rows) * *rowBytes != t->nbytes || (t->nbytes > 0 && !t->data)) {
                    errors[i] = makeError(ErrorCode::InvalidArgument, m_model.path,
                                          "tensor '" + it.name + "' holds " + std::to_string(t->nbytes) +
                                              " bytes, expected rows of " + std::to_string(dst.cols) + " " +
                                              std::string(dtypeName(t->dtype)) + " values (" +
                                              std::to_string(dst.rows) + " rows)");
                    return;
                }
                dst.type = t->dtype;
                dst.blocks = t->data;
                dst.rowBytes = size_t(*rowBytes);
                dst.stream = streamed;
                if (inPlace) dst.data = reinterpret_cast<const float*>(t->data);  // row lookups
                return;
            }
            auto r = quant::dequantize(*t);
            releaseMappedPages(t->data, t->nbytes);  // the copy is what the engine reads
            if (!r.ok()) {
                Error e = r.error();
                if (e.where.empty()) e.where = m_model.path;
                errors[i] = std::move(e);
                return;
            }
            auto buf = std::make_shared<const std::vector<float>>(std::move(r).value());
            if (int64_t(buf->size()) != n) {
                errors[i] = makeError(ErrorCode::Internal, m_model.path,
                                      "tensor '" + it.name + "': dequantized " + std::to_string(buf->size()) +
                                          " values, expected " + std::to_string(n));
                return;
            }
            dst.data = buf->data();
            std::lock_guard<std::mutex> lock(ownedMutex);
            w.owned.push_back(std::move(buf));
        });
        for (auto& e : errors)
            if (e) return *e;
        return {};
    }

private:
    struct Item {
        std::string name;
        Mat* dest;
        bool matrix;
    };
    const Model& m_model;
    bool m_keepBlocks, m_stream;
    std::vector<Item> m_items;
};

Result<Weights> loadWeights(const Model& m, const EngineOptions& options)
{
    const ModelConfig& c = m.config;
    Weights w;
    w.layers.resize(size_t(c.nLayer));
    WeightLoader ld(m, !options.dequantize, options.dequantize && options.streamWeights);
    engine::forEachWeight(c, w, [&](const std::string& name, Mat* dest, bool matrix) { ld.add(name, dest, matrix); });
    PRECIS_TRY(ld.run(w));
    if (c.tiedOutput)
        w.output = w.tokEmbd;
    return w;
}

class CpuEngine final : public Engine {
public:
    CpuEngine(std::shared_ptr<const Model> model, const EngineOptions& options, Weights w)
        : Engine(std::move(model), options), m_w(std::move(w))
    {
    }

    Result<std::vector<float>> forward(std::span<const int32_t> ids, AttentionMaps* attention,
                                       const CancelToken* cancel) const override
    {
        PRECIS_TRY(checkIds(ids, 0));
        if (attention)
            PRECIS_TRY(checkAttentionSize(int(ids.size())));
        const ModelConfig& c = config();
        const int T = int(ids.size());
        std::unique_ptr<DecodeState> state;
        std::vector<float> logits;
        try {
            state = std::make_unique<DecodeState>(c.nLayer, T, kvDimOf(c), m_options.kv);
            logits.resize(size_t(T) * c.nVocab);
            if (attention) {
                attention->nLayer = c.nLayer;
                attention->nHead = c.nHead;
                attention->nTokens = T;
                attention->probs.assign(size_t(c.nLayer) * c.nHead * T * T, 0.0f);
            }
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::InvalidArgument, m_model->path,
                             "not enough memory for a forward pass over " + std::to_string(T) + " tokens");
        }
        PRECIS_TRY(step(*state, ids, T, logits.data(), attention ? attention->probs.data() : nullptr, cancel));
        return logits;
    }

    Result<std::vector<float>> prefill(DecodeState& state, std::span<const int32_t> ids, bool allLogits,
                                       const CancelToken* cancel) const override
    {
        PRECIS_TRY(checkIds(ids, state.position()));
        if (state.kvDim() != kvDimOf(config()) || !state.hostCache())
            return makeError(ErrorCode::InvalidArgument, m_model->path, "decode state was made by another engine");
        PRECIS_TRY(checkCapacity(state, ids.size()));
        const int nLogits = allLogits ? int(ids.size()) : 1;
        std::vector<float> logits(size_t(nLogits) * config().nVocab);
        PRECIS_TRY(step(state, ids, nLogits, logits.data(), nullptr, cancel));
        return logits;
    }

private:
    Result<void> step(DecodeState& state, std::span<const int32_t> ids, int nLogits, float* logits, float* probs,
                      const CancelToken* cancel) const
    {
        const ModelConfig& c = config();
        bool done = false;
        try {
            done = c.arch == Arch::Llama ? engine::llamaForward(c, m_w, state, ids, nLogits, logits, probs, cancel)
                                         : engine::gpt2Forward(c, m_w, state, ids, nLogits, logits, probs, cancel);
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::InvalidArgument, m_model->path,
                             "not enough memory for the activations of " + std::to_string(ids.size()) + " tokens");
        }
        if (!done)
            return makeError(ErrorCode::Cancelled, m_model->path, "forward pass cancelled");
        return {};
    }

    Weights m_w;
};

} // namespace

DecodeState::DecodeState(int nLayer, int capacity, int kvDim, KvType kv)
    : m_nLayer(nLayer), m_capacity(capacity), m_kvDim(kvDim), m_kv(kv),
      m_k(new std::byte[size_t(nLayer) * capacity * kvDim * elementBytes()]),
      m_v(new std::byte[size_t(nLayer) * capacity * kvDim * elementBytes()])
{
}

void DecodeState::truncate(int n)
{
    m_pos = std::max(0, std::min(n, m_pos));
}

Result<void> Engine::checkIds(std::span<const int32_t> ids, int pos0) const
{
    const ModelConfig& c = config();
    if (ids.empty())
        return makeError(ErrorCode::InvalidArgument, m_model->path, "no token ids to evaluate");
    for (size_t i = 0; i < ids.size(); ++i)
        if (ids[i] < 0 || ids[i] >= c.nVocab)
            return makeError(ErrorCode::InvalidArgument, m_model->path,
                             "token id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                                 " is outside the vocabulary (0.." + std::to_string(c.nVocab - 1) + ")");
    const int64_t end = int64_t(pos0) + int64_t(ids.size());
    if (c.arch == Arch::Gpt2 && end > c.nCtx)
        return makeError(ErrorCode::InvalidArgument, m_model->path,
                         "sequence of " + std::to_string(end) + " tokens exceeds the context length n_ctx = " +
                             std::to_string(c.nCtx));
    if (end > kMaxLlamaPositions)
        return makeError(ErrorCode::InvalidArgument, m_model->path,
                         "sequence of " + std::to_string(end) + " tokens exceeds the limit of " +
                             std::to_string(kMaxLlamaPositions));
    return {};
}

Result<void> Engine::checkStateSize(int maxTokens) const
{
    const ModelConfig& c = config();
    const int limit = c.arch == Arch::Gpt2 ? c.nCtx : kMaxLlamaPositions;
    if (maxTokens < 1 || maxTokens > limit)
        return makeError(ErrorCode::InvalidArgument, m_model->path,
                         "decode state of " + std::to_string(maxTokens) + " positions, expected 1.." +
                             std::to_string(limit));
    return {};
}

Result<void> Engine::checkCapacity(const DecodeState& state, size_t n) const
{
    const int64_t end = int64_t(state.position()) + int64_t(n);
    if (end > state.capacity())
        return makeError(ErrorCode::InvalidArgument, m_model->path,
                         "decode state holds " + std::to_string(state.position()) + " of " +
                             std::to_string(state.capacity()) + " positions; cannot append " + std::to_string(n) +
                             " more tokens");
    return {};
}

Result<void> Engine::checkAttentionSize(int T) const
{
    const ModelConfig& c = config();
    const uint64_t bytes = uint64_t(c.nLayer) * c.nHead * uint64_t(T) * uint64_t(T) * sizeof(float);
    if (bytes > kMaxAttentionBytes)
        return makeError(ErrorCode::InvalidArgument, m_model->path,
                         "attention maps of " + std::to_string(T) + " tokens need " + gib(bytes) + "; the limit is " +
                             gib(kMaxAttentionBytes));
    return {};
}

Result<std::unique_ptr<Engine>> Engine::create(std::shared_ptr<const Model> model, const EngineOptions& options)
{
    if (!model)
        return makeError(ErrorCode::InvalidArgument, "", "no model");
    PRECIS_TRY(model->validate());
    const ModelConfig& c = model->config;
    if (c.arch == Arch::Gpt2 && c.nHeadKv != c.nHead)
        return makeError(ErrorCode::Unsupported, model->path,
                         "GPT-2 with n_head_kv = " + std::to_string(c.nHeadKv) + ", expected n_head = " +
                             std::to_string(c.nHead));
    if (options.device == Device::Cuda)
        return engine::cuda::createEngine(std::move(model), options);
    Result<Weights> w = [&]() -> Result<Weights> {
        try {
            return loadWeights(*model, options);
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::Io, model->path, "not enough memory to hold the weights as fp32");
        }
    }();
    if (!w.ok())
        return w.error();
    return std::unique_ptr<Engine>(new CpuEngine(std::move(model), options, std::move(w).value()));
}

std::vector<MemoryItem> engineWeightMemory(const Model& model, const EngineOptions& options, int threads)
{
    if (threads <= 0) threads = activeThreadCount();
    const ModelConfig& c = model.config;
    const bool stream = options.dequantize && options.streamWeights;
    uint64_t copied = 0, inPlace = 0, blocks = 0;
    int64_t widest = 0;
    Weights w;
    w.layers.resize(size_t(std::max(0, c.nLayer)));
    engine::forEachWeight(c, w, [&](const std::string& name, Mat*, bool matrix) {
        const Tensor* t = model.find(name);
        if (!t) return;
        // Embeddings read by row lookups only touch the rows of the tokens seen
        // (unless the output head reads the whole table).
        const bool lookupOnly = (name == "token_embd.weight" && !c.tiedOutput) || name == "position_embd.weight";
        const bool mapped = isMappedMemory(t->data) && !lookupOnly;
        const bool f32 = t->dtype == DType::F32 && t->nbytes >= uint64_t(t->numel()) * 4 &&
                         reinterpret_cast<uintptr_t>(t->data) % alignof(float) == 0;
        if (stream && matrix && (t->dtype == DType::F32 || quant::blockFormat(t->dtype))) {
            widest = std::max(widest, t->cols());
        } else if (f32) {
            if (mapped) inPlace += t->nbytes;
        } else if (!options.dequantize && matrix && engine::kernels::hasKernel(t->dtype)) {
            if (mapped) blocks += t->nbytes;
        } else {
            copied += uint64_t(t->numel()) * 4;
        }
    });
    std::vector<MemoryItem> items;
    if (copied) items.push_back({"weights copied to fp32", copied});
    if (inPlace) items.push_back({"weights read in place from the file", inPlace});
    if (blocks) items.push_back({"weights in their blocks, read from the file", blocks});
    if (widest)
        items.push_back({"weights streamed from the file, 64 rows per thread (" + std::to_string(threads) + ")",
                         uint64_t(threads) * 64 * uint64_t(widest) * 4});
    return items;
}

MemoryItem workerThreadMemory(int threads)
{
    if (threads <= 0) threads = activeThreadCount();
    // Measured: each worker's stack, allocator arena and GEMM packing buffers.
    return {"worker threads (" + std::to_string(threads) + ")", uint64_t(threads) * (uint64_t(5) << 20)};
}

uint64_t forwardPassBytes(const ModelConfig& c, int tokens, int logitRows, KvType kv)
{
    const uint64_t T = uint64_t(std::max(tokens, 0)), C = uint64_t(c.nEmbd), F = uint64_t(c.nFf);
    const uint64_t kvDim = uint64_t(kvDimOf(c));
    const uint64_t cache = 2 * uint64_t(c.nLayer) * T * kvDim * (kv == KvType::F16 ? 2 : 4);
    // x, xn, q (GPT-2: q|k|v), att, proj; new keys and values; the FFN's one or two hidden arrays.
    const uint64_t activations =
        (T * C * (c.arch == Arch::Gpt2 ? 7 : 5) + 2 * T * kvDim + T * F * (c.arch == Arch::Gpt2 ? 1 : 2)) * 4;
    const uint64_t prepared = T * std::max(C, F) * 2;  // activations quantized for the block kernels
    return cache + activations + prepared + uint64_t(std::max(logitRows, 0)) * uint64_t(c.nVocab) * 4;
}

Result<std::unique_ptr<DecodeState>> Engine::newState(int maxTokens) const
{
    const ModelConfig& c = config();
    PRECIS_TRY(checkStateSize(maxTokens));
    // Physical pages are committed as positions fill up, so an oversized cache
    // would be killed by the OOM killer later rather than fail here: refuse it.
    const uint64_t bytes =
        uint64_t(2) * c.nLayer * uint64_t(maxTokens) * kvDimOf(c) * (m_options.kv == KvType::F16 ? 2 : 4);
    const uint64_t ram = physicalMemory();
    if (ram && bytes > ram)
        return makeError(ErrorCode::InvalidArgument, m_model->path,
                         "a key/value cache of " + std::to_string(maxTokens) + " positions needs " + gib(bytes) +
                             ", more than the machine's " + gib(ram));
    try {
        return std::make_unique<DecodeState>(c.nLayer, maxTokens, kvDimOf(c), m_options.kv);
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::InvalidArgument, m_model->path,
                         "not enough memory for a key/value cache of " + std::to_string(maxTokens) + " positions");
    }
}

} // namespace precis
