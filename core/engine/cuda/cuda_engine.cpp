// The CUDA engine: the forward pass of llama_forward.cpp / gpt2_forward.cpp on
// one GPU, through the kernels of launch.h.
//
// Weights are uploaded once into one device allocation: matrices as stored
// (F32, F16, BF16, Q4_0 … Q6_K) unless EngineOptions::dequantize, vectors and
// matrices of other types as fp32. Activations, the key/value cache and the
// logits live on the device; only the logits (and attention maps when asked)
// come back.
//
// A step of T tokens runs one of two paths:
//  - decode (T == 1): every product is a matrix-vector kernel on the blocks
//    (matvec.cu) with the norms, residuals and SwiGLU/GELU fused in; six
//    launches per layer. A state's decode step is captured once as a CUDA graph
//    and replayed (the position and token id are read from device memory), with
//    programmatic dependent launch on sm_90 so that each kernel's weights
//    stream in while the previous kernel finishes.
//  - prefill (T > 1, or attention maps asked): each product dequantizes its
//    matrix to an fp32 scratch (slices of rows, bit-identical to the CPU
//    decoder) and runs cublasSgemm in full fp32 (cuBLAS's default math, no
//    TF32), so prefill logits equal the CPU fp32 engine's up to summation order.
// Both paths compute what the CPU's fp32 engine computes (dequantize = true)
// up to fp32 rounding; against the CPU's block kernels (dequantize = false)
// they differ by those kernels' 8-bit activation quantization.
//
// All device work of an engine goes through one stream under one mutex, so
// states may be used from several threads. Cancellation is checked between
// layers of a prefill and before a decode step.
//
// Debugging switches, read when an engine is created:
//   PRECIS_CUDA_GRAPHS=0  launch the decode kernels one by one (no CUDA graph)
//   PRECIS_CUDA_PDL=0     no programmatic dependent launch
//   PRECIS_CUDA_SYNC=1    synchronise after every kernel and name the one that
//                         failed (implies no graph); with compute-sanitizer this
//                         pins an illegal access to its kernel and layer
#include "engine/cuda.h"
#include "engine/cuda/backend.h"
#include "engine/cuda/launch.h"
#include "engine/cuda/runtime.h"
#include "engine/kv_cache.h"
#include "engine/weight_names.h"
#include "quant/block_formats.h"

#include <cublas_v2.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <optional>
#include <type_traits>

namespace precis::engine::cuda {

namespace {

// fp32 scratch for a dequantized matrix slice of the prefill GEMMs (128 MiB):
// larger matrices (a big vocabulary's output) are multiplied in row slices.
constexpr int64_t kScratchFloats = int64_t(1) << 25;

std::atomic<uint64_t> g_nextEngineId{1};

bool envFlag(const char* name, bool fallback)
{
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    return !(std::strcmp(v, "0") == 0 || std::strcmp(v, "off") == 0 || std::strcmp(v, "false") == 0);
}

// A weight matrix on the device: rows of `type`, rowBytes apart.
struct DeviceMatrix {
    DType type = DType::F32;
    const std::byte* data = nullptr;
    int64_t rows = 0, cols = 0;
    size_t rowBytes = 0;
};

struct DeviceLayer {
    const float* attnNorm = nullptr;   // (C)
    const float* attnNormB = nullptr;  // (C)      GPT-2
    DeviceMatrix q, k, v;              // Llama
    const float *qB = nullptr, *kB = nullptr, *vB = nullptr;  // Llama with qkvBias
    DeviceMatrix qkv;                  // GPT-2, rows q | k | v
    const float* qkvB = nullptr;       // GPT-2
    DeviceMatrix o;
    const float* oB = nullptr;         // GPT-2
    const float* ffnNorm = nullptr;
    const float* ffnNormB = nullptr;   // GPT-2
    DeviceMatrix gate;                 // Llama
    DeviceMatrix up;
    const float* upB = nullptr;        // GPT-2
    DeviceMatrix down;
    const float* downB = nullptr;      // GPT-2
};

struct DeviceWeights {
    DeviceMatrix tokEmbd, posEmbd, output;
    std::vector<DeviceLayer> layers;
    const float* outNorm = nullptr;
    const float* outNormB = nullptr;
    DeviceMemory memory;
    int64_t largestBlockMatrix = 0;  // rows × cols of the largest matrix not in F32 (needs the scratch)
};

// Plans where each tensor goes in one device allocation, then uploads: kept
// blocks as they are, F32 as it is, everything else dequantized on the host.
class WeightUploader {
public:
    WeightUploader(const Model& m, bool keepBlocks) : m_model(m), m_keepBlocks(keepBlocks) {}

    void matrix(const std::string& name, DeviceMatrix* dest) { m_items.push_back({name, dest, nullptr}); }
    void vector(const std::string& name, const float** dest) { m_items.push_back({name, nullptr, dest}); }

    Result<void> run(DeviceWeights& w, int device)
    {
        Layout layout;
        for (Item& it : m_items) {
            it.t = m_model.find(it.name);
            if (!it.t)
                return makeError(ErrorCode::Format, m_model.path, "tensor '" + it.name + "' is missing");
            const Tensor& t = *it.t;
            it.rows = t.shape.size() < 2 ? 1 : t.rows();
            it.cols = t.cols();
            it.type = DType::F32;
            it.rowBytes = size_t(it.cols) * sizeof(float);
            if (it.mat && m_keepBlocks && t.dtype != DType::F32 && cudaHasKernel(t.dtype)) {
                const auto rowBytes = dtypeRowBytes(t.dtype, uint64_t(it.cols));
                if (!rowBytes || uint64_t(it.rows) * *rowBytes != t.nbytes || (t.nbytes > 0 && !t.data))
                    return makeError(ErrorCode::InvalidArgument, m_model.path,
                                     "tensor '" + it.name + "' holds " + std::to_string(t.nbytes) +
                                         " bytes, expected rows of " + std::to_string(it.cols) + " " +
                                         std::string(dtypeName(t.dtype)) + " values (" + std::to_string(it.rows) +
                                         " rows)");
                it.type = t.dtype;
                it.rowBytes = size_t(*rowBytes);
            }
            it.bytes = size_t(it.rows) * it.rowBytes;
            it.offset = layout.add(it.bytes);
        }
        PRECIS_TRY_ASSIGN(w.memory, DeviceMemory::allocate(device, layout.total, "the weights", m_model.path));
        for (const Item& it : m_items) {
            std::byte* dst = w.memory.data() + it.offset;
            const Tensor& t = *it.t;
            if (it.type == t.dtype && (it.type != DType::F32 || t.nbytes >= it.bytes) && t.data) {
                PRECIS_CUDA_CHECK(cudaMemcpy(dst, t.data, it.bytes, cudaMemcpyHostToDevice),
                                  m_model.path + ": tensor '" + it.name + "'");
            } else if (it.bytes > 0) {
                auto values = quant::dequantize(t);
                if (!values.ok()) {
                    Error e = values.error();
                    if (e.where.empty()) e.where = m_model.path;
                    return e;
                }
                if (values->size() * sizeof(float) != it.bytes)
                    return makeError(ErrorCode::Internal, m_model.path,
                                     "tensor '" + it.name + "': dequantized " + std::to_string(values->size()) +
                                         " values, expected " + std::to_string(it.bytes / sizeof(float)));
                PRECIS_CUDA_CHECK(cudaMemcpy(dst, values->data(), it.bytes, cudaMemcpyHostToDevice),
                                  m_model.path + ": tensor '" + it.name + "'");
            }
            if (it.mat) {
                *it.mat = {it.type, dst, it.rows, it.cols, it.rowBytes};
                if (it.type != DType::F32)
                    w.largestBlockMatrix = std::max(w.largestBlockMatrix, it.rows * it.cols);
            } else {
                *it.vec = reinterpret_cast<const float*>(dst);
            }
        }
        return {};
    }

private:
    struct Item {
        std::string name;
        DeviceMatrix* mat;
        const float** vec;
        const Tensor* t = nullptr;
        DType type = DType::F32;
        int64_t rows = 0, cols = 0;
        size_t rowBytes = 0, bytes = 0, offset = 0;
    };
    const Model& m_model;
    bool m_keepBlocks;
    std::vector<Item> m_items;
};

Result<void> uploadWeights(const Model& m, bool keepBlocks, int device, DeviceWeights& w)
{
    const ModelConfig& c = m.config;
    w.layers.resize(size_t(c.nLayer));
    WeightUploader up(m, keepBlocks);
    engine::forEachWeight(c, w, [&](const std::string& name, auto* dest, bool) {
        if constexpr (std::is_same_v<decltype(dest), DeviceMatrix*>)
            up.matrix(name, dest);
        else
            up.vector(name, dest);
    });
    PRECIS_TRY(up.run(w, device));
    if (c.tiedOutput)
        w.output = w.tokEmbd;
    return {};
}

// Activation buffers of a step of up to T tokens (device pointers into one
// allocation). q is (T, C) for Llama, (T, 3C) q|k|v for GPT-2; k and v (T,
// kvDim) are Llama's; step = [pos0, id_0 … id_{T−1}].
struct Buffers {
    float *x = nullptr, *xn = nullptr, *q = nullptr, *k = nullptr, *v = nullptr, *att = nullptr, *proj = nullptr;
    float *ff1 = nullptr, *ff2 = nullptr, *logits = nullptr, *rowMax = nullptr, *rowSum = nullptr;
    int32_t* step = nullptr;
};

// Offsets of the buffers for T tokens and nLogits rows of logits; with a base
// pointer, fills `b`.
size_t planBuffers(const ModelConfig& c, int T, int nLogits, std::byte* base, Buffers* b)
{
    const size_t C = size_t(c.nEmbd), F = size_t(c.nFf), kv = size_t(kvDimOf(c)), n = size_t(T);
    const size_t qDim = c.arch == Arch::Gpt2 ? 3 * C : C;
    Layout lay;
    const size_t x = lay.add(n * C * 4), xn = lay.add(n * C * 4), q = lay.add(n * qDim * 4), k = lay.add(n * kv * 4),
                 v = lay.add(n * kv * 4), att = lay.add(n * C * 4), proj = lay.add(n * C * 4), ff1 = lay.add(n * F * 4),
                 ff2 = lay.add(n * F * 4), logits = lay.add(size_t(nLogits) * size_t(c.nVocab) * 4),
                 rowMax = lay.add(n * size_t(c.nHead) * 4), rowSum = lay.add(n * size_t(c.nHead) * 4),
                 step = lay.add((n + 1) * 4);
    if (base && b) {
        auto f = [&](size_t off) { return reinterpret_cast<float*>(base + off); };
        *b = {f(x), f(xn), f(q), f(k), f(v), f(att), f(proj), f(ff1), f(ff2), f(logits), f(rowMax), f(rowSum),
              reinterpret_cast<int32_t*>(base + step)};
    }
    return lay.total;
}

// A decode state whose cache and buffers live on the device.
class CudaState final : public DecodeState {
public:
    CudaState(int nLayer, int capacity, int kvDim, KvType kv, uint64_t engineId, int device)
        : DecodeState(ExternalCache{}, nLayer, capacity, kvDim, kv), engineId(engineId), device(device)
    {
    }
    ~CudaState() override
    {
        if (graph) {
            int current = -1;
            cudaGetDevice(&current);
            cudaSetDevice(device);
            cudaGraphExecDestroy(graph);
            if (current >= 0) cudaSetDevice(current);
        }
    }

    void* cacheKeys(int layer) const { return cache.data() + layerBytes() * size_t(layer); }
    void* cacheValues(int layer) const { return cache.data() + layerBytes() * size_t(nLayers + layer); }
    size_t layerBytes() const { return size_t(capacity()) * size_t(kvDim()) * elementBytes(); }

    uint64_t engineId;
    int device;
    int nLayers = 0;
    DeviceMemory cache;                // keys of every layer, then values
    DeviceMemory decodeMemory;         // buffers of a one-token step, fixed (the graph points into them)
    Buffers decode;
    DeviceMemory prefillMemory;        // buffers of a T-token step, grown on demand
    Buffers prefill;
    int prefillTokens = 0, prefillLogits = 0;
    cudaGraphExec_t graph = nullptr;   // the captured decode step
    std::vector<int32_t> hostStep;
};

class CudaEngine final : public Engine {
public:
    CudaEngine(std::shared_ptr<const Model> model, const EngineOptions& options)
        : Engine(std::move(model), options), m_id(g_nextEngineId.fetch_add(1)), m_device(options.cudaDevice)
    {
    }

    ~CudaEngine() override
    {
        cudaSetDevice(m_device);
        if (m_blas) cublasDestroy(m_blas);
        if (m_stream) cudaStreamDestroy(m_stream);
    }

    Result<void> init()
    {
        const ModelConfig& c = config();
        const std::string& where = m_model->path;
        cudaDeviceProp p{};
        PRECIS_CUDA_CHECK(cudaGetDeviceProperties(&p, m_device), where);
        char cc[16];
        std::snprintf(cc, sizeof cc, "%d.%d", p.major, p.minor);
        m_deviceText = "CUDA device " + std::to_string(m_device) + " (" + p.name + ", compute capability " + cc + ")";
        m_sync = envFlag("PRECIS_CUDA_SYNC", false);
        m_graphs = envFlag("PRECIS_CUDA_GRAPHS", true) && !m_sync;
        m_pdl = envFlag("PRECIS_CUDA_PDL", true) && p.major >= 9 && pdlCompiled();
        m_kvDim = kvDimOf(c);
        PRECIS_CUDA_CHECK(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking), where);
        PRECIS_CUBLAS_CHECK(cublasCreate(&m_blas), where);
        PRECIS_CUBLAS_CHECK(cublasSetStream(m_blas, m_stream), where);
        // Plain fp32 products (no TF32): prefill matches the CPU engine.
        PRECIS_CUBLAS_CHECK(cublasSetMathMode(m_blas, CUBLAS_DEFAULT_MATH), where);
        PRECIS_TRY(uploadWeights(*m_model, !m_options.dequantize, m_device, m_w));
        if (m_w.largestBlockMatrix > 0) {
            int64_t widest = c.nEmbd;
            for (const DeviceLayer& L : m_w.layers) widest = std::max({widest, L.down.cols, L.o.cols});
            m_scratchFloats = std::max(std::min(m_w.largestBlockMatrix, kScratchFloats), widest);
            PRECIS_TRY_ASSIGN(m_scratch, DeviceMemory::allocate(m_device, size_t(m_scratchFloats) * sizeof(float),
                                                                "the dequantization scratch of prefill", where));
        }
        return {};
    }

    std::string describe() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        std::string s = m_deviceText + ", " + std::to_string(m_w.memory.size()) + " bytes of weights on the device, ";
        if (m_sync)
            s += "kernels synchronised one by one (PRECIS_CUDA_SYNC)";
        else
            s += std::string(m_graphs ? "decode steps as CUDA graphs" : "decode kernels launched one by one") +
                 (m_pdl ? " with programmatic dependent launch" : ", no programmatic dependent launch");
        if (!m_graphNote.empty()) s += " (" + m_graphNote + ")";
        return s;
    }

    Result<std::unique_ptr<DecodeState>> newState(int maxTokens) const override
    {
        PRECIS_TRY(checkStateSize(maxTokens));
        std::lock_guard<std::mutex> lock(m_mutex);
        PRECIS_TRY(selectDevice(m_device));
        PRECIS_TRY_ASSIGN(auto state, makeState(maxTokens));
        return std::unique_ptr<DecodeState>(std::move(state));
    }

    Result<std::vector<float>> forward(std::span<const int32_t> ids, AttentionMaps* attention,
                                       const CancelToken* cancel) const override
    {
        PRECIS_TRY(checkIds(ids, 0));
        if (attention)
            PRECIS_TRY(checkAttentionSize(int(ids.size())));
        const ModelConfig& c = config();
        const int T = int(ids.size());
        std::vector<float> logits;
        try {
            logits.resize(size_t(T) * size_t(c.nVocab));
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
        std::lock_guard<std::mutex> lock(m_mutex);
        PRECIS_TRY(selectDevice(m_device));
        PRECIS_TRY_ASSIGN(auto state, makeState(T));
        PRECIS_TRY(step(*state, ids, T, logits.data(), attention ? attention->probs.data() : nullptr, cancel, false));
        return logits;
    }

    Result<std::vector<float>> prefill(DecodeState& state, std::span<const int32_t> ids, bool allLogits,
                                       const CancelToken* cancel) const override
    {
        PRECIS_TRY(checkIds(ids, state.position()));
        auto* s = dynamic_cast<CudaState*>(&state);
        if (!s || s->engineId != m_id)
            return makeError(ErrorCode::InvalidArgument, m_model->path, "decode state was made by another engine");
        PRECIS_TRY(checkCapacity(state, ids.size()));
        const int nLogits = allLogits ? int(ids.size()) : 1;
        std::vector<float> logits;
        try {
            logits.resize(size_t(nLogits) * size_t(config().nVocab));
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::InvalidArgument, m_model->path,
                             "not enough memory for the logits of " + std::to_string(nLogits) + " tokens");
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        PRECIS_TRY(selectDevice(m_device));
        PRECIS_TRY(step(*s, ids, nLogits, logits.data(), nullptr, cancel, true));
        return logits;
    }

private:
    Result<std::unique_ptr<CudaState>> makeState(int capacity) const
    {
        const ModelConfig& c = config();
        std::unique_ptr<CudaState> s;
        try {
            s = std::make_unique<CudaState>(c.nLayer, capacity, m_kvDim, m_options.kv, m_id, m_device);
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::InvalidArgument, m_model->path, "not enough memory for a decode state");
        }
        s->nLayers = c.nLayer;
        const uint64_t cacheBytes = uint64_t(2) * uint64_t(c.nLayer) * uint64_t(capacity) * uint64_t(m_kvDim) *
                                    (m_options.kv == KvType::F16 ? 2 : 4);
        PRECIS_TRY_ASSIGN(s->cache, DeviceMemory::allocate(m_device, size_t(cacheBytes),
                                                           "a key/value cache of " + std::to_string(capacity) +
                                                               " positions",
                                                           m_model->path));
        PRECIS_TRY_ASSIGN(s->decodeMemory, DeviceMemory::allocate(m_device, planBuffers(c, 1, 1, nullptr, nullptr),
                                                                  "the decode buffers", m_model->path));
        planBuffers(c, 1, 1, s->decodeMemory.data(), &s->decode);
        return s;
    }

    // The prefill buffers of `s` hold at least T tokens and nLogits logits rows.
    Result<void> growPrefill(CudaState& s, int T, int nLogits) const
    {
        if (s.prefillMemory.data() && T <= s.prefillTokens && nLogits <= s.prefillLogits) return {};
        const int t = std::max(T, s.prefillTokens), n = std::max(nLogits, s.prefillLogits);
        s.prefillMemory.release();
        s.prefillTokens = s.prefillLogits = 0;
        const ModelConfig& c = config();
        PRECIS_TRY_ASSIGN(s.prefillMemory,
                          DeviceMemory::allocate(m_device, planBuffers(c, t, n, nullptr, nullptr),
                                                 "the activations of " + std::to_string(t) + " tokens", m_model->path));
        planBuffers(c, t, n, s.prefillMemory.data(), &s.prefill);
        s.prefillTokens = t;
        s.prefillLogits = n;
        return {};
    }

    // Runs ids at s.position(); logits of the last nLogits positions to the host.
    Result<void> step(CudaState& s, std::span<const int32_t> ids, int nLogits, float* logits, float* probs,
                      const CancelToken* cancel, bool allowGraph) const
    {
        const ModelConfig& c = config();
        const int T = int(ids.size());
        const bool decodePath = T == 1 && !probs;
        if (!decodePath) PRECIS_TRY(growPrefill(s, T, nLogits));
        const Buffers& b = decodePath ? s.decode : s.prefill;
        try {
            s.hostStep.assign(1, s.position());
            s.hostStep.insert(s.hostStep.end(), ids.begin(), ids.end());
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::InvalidArgument, m_model->path, "not enough memory for the token ids");
        }
        const std::string& where = m_model->path;
        PRECIS_CUDA_CHECK(cudaMemcpyAsync(b.step, s.hostStep.data(), s.hostStep.size() * sizeof(int32_t),
                                          cudaMemcpyHostToDevice, m_stream),
                          where);
        if (cancel && cancel->cancelled())
            return makeError(ErrorCode::Cancelled, where, "forward pass cancelled");
        Result<void> r;
        if (!decodePath) {
            r = enqueuePrefill(s, T, nLogits, probs, cancel);
        } else if (allowGraph && m_graphs) {
            r = launchDecodeGraph(s);
        } else {
            r = enqueueDecode(s);
        }
        if (!r.ok()) {
            cudaStreamSynchronize(m_stream);  // leave nothing running on the state's buffers
            cudaGetLastError();
            return r;
        }
        PRECIS_CUDA_CHECK(cudaMemcpyAsync(logits, b.logits, size_t(nLogits) * size_t(c.nVocab) * sizeof(float),
                                          cudaMemcpyDeviceToHost, m_stream),
                          where);
        const cudaError_t e = cudaStreamSynchronize(m_stream);
        if (e != cudaSuccess) {
            Error err = cudaFailure(e, "cudaStreamSynchronize after a forward step", where);
            err.message += "; rerun with PRECIS_CUDA_SYNC=1 to name the failing kernel";
            return err;
        }
        s.advance(T);
        return {};
    }

    // The state's decode graph, captured on first use. If capture or
    // instantiation fails (e.g. a driver without programmatic edges in graphs),
    // the engine falls back to plain launches and says so in describe().
    Result<void> launchDecodeGraph(CudaState& s) const
    {
        if (!s.graph) {
            cudaGraph_t graph = nullptr;
            PRECIS_CUDA_CHECK(cudaStreamBeginCapture(m_stream, cudaStreamCaptureModeThreadLocal), m_model->path);
            const Result<void> captured = enqueueDecode(s);
            const cudaError_t end = cudaStreamEndCapture(m_stream, &graph);
            cudaError_t e = end;
            if (captured.ok() && end == cudaSuccess) {
                e = cudaGraphInstantiate(&s.graph, graph, 0);
                if (e != cudaSuccess) s.graph = nullptr;
            }
            if (graph) cudaGraphDestroy(graph);
            if (!captured.ok() || e != cudaSuccess) {
                m_graphNote = "CUDA graph capture failed (" +
                              (captured.ok() ? std::string(cudaGetErrorString(e)) : captured.error().message) +
                              "); kernels launched one by one";
                cudaGetLastError();
                m_graphs = false;
                return enqueueDecode(s);
            }
        }
        PRECIS_CUDA_CHECK(cudaGraphLaunch(s.graph, m_stream), m_model->path);
        return {};
    }

    Result<void> launched(cudaError_t e, const char* kernel, int layer) const
    {
        const std::string where = m_model->path;
        auto name = [&] {
            return std::string("kernel '") + kernel + "'" + (layer >= 0 ? " of layer " + std::to_string(layer) : "");
        };
        if (e != cudaSuccess) {
            Error err = cudaFailure(e, "the launch of " + name(), where);
            return err;
        }
        if (m_sync) {
            const cudaError_t s = cudaStreamSynchronize(m_stream);
            if (s != cudaSuccess) return cudaFailure(s, name(), where);
        }
        return {};
    }

    // ---- Decode: one token, matrix-vector kernels ---------------------------------
    MatvecArgs matvecArgs(const float* x, NormKind norm, const float* normW, const float* normB,
                          Epilogue epilogue) const
    {
        MatvecArgs a;
        a.x = x;
        a.norm = norm;
        a.normW = normW;
        a.normB = normB;
        a.eps = config().normEps;
        a.epilogue = epilogue;
        return a;
    }

    static void addJob(MatvecArgs& a, const DeviceMatrix& w, const float* bias, float* out)
    {
        a.type = w.type;
        a.K = w.cols;
        a.w[a.nJobs] = w.data;
        a.rowBytes[a.nJobs] = w.rowBytes;
        a.rows[a.nJobs] = w.rows;
        a.bias[a.nJobs] = bias;
        a.out[a.nJobs] = out;
        ++a.nJobs;
    }

    struct Job {
        const DeviceMatrix* w;
        const float* bias;
        float* out;
    };

    // Products sharing the input: one launch per distinct weight type.
    Result<void> matvecGroup(std::initializer_list<Job> jobs, const MatvecArgs& base, const char* name, int layer) const
    {
        std::vector<bool> done(jobs.size(), false);
        size_t i = 0;
        for (const Job& first : jobs) {
            if (!done[i]) {
                MatvecArgs a = base;
                size_t j = 0;
                for (const Job& other : jobs) {
                    if (!done[j] && other.w->type == first.w->type) {
                        addJob(a, *other.w, other.bias, other.out);
                        done[j] = true;
                    }
                    ++j;
                }
                PRECIS_TRY(launched(launchMatvec(a, m_stream, m_pdl), name, layer));
            }
            ++i;
        }
        return {};
    }

    Result<void> matvec(const DeviceMatrix& w, const float* bias, float* out, const MatvecArgs& base,
                        const char* name, int layer) const
    {
        MatvecArgs a = base;
        addJob(a, w, bias, out);
        return launched(launchMatvec(a, m_stream, m_pdl), name, layer);
    }

    Result<void> embed(const Buffers& b, int T) const
    {
        const ModelConfig& c = config();
        DequantArgs e;
        e.type = m_w.tokEmbd.type;
        e.w = m_w.tokEmbd.data;
        e.rowBytes = m_w.tokEmbd.rowBytes;
        e.cols = c.nEmbd;
        e.rows = T;
        e.ids = b.step + 1;
        e.out = b.x;
        e.ldOut = c.nEmbd;
        PRECIS_TRY(launched(launchDequant(e, m_stream, m_pdl), "token embedding", -1));
        if (c.arch == Arch::Gpt2) {
            e.type = m_w.posEmbd.type;
            e.w = m_w.posEmbd.data;
            e.rowBytes = m_w.posEmbd.rowBytes;
            e.ids = nullptr;
            e.pos0 = b.step;
            e.accumulate = true;
            PRECIS_TRY(launched(launchDequant(e, m_stream, m_pdl), "position embedding", -1));
        }
        return {};
    }

    RopeStoreArgs ropeArgs(const CudaState& s, const Buffers& b, int layer, int T) const
    {
        const ModelConfig& c = config();
        RopeStoreArgs r;
        const int64_t C = c.nEmbd;
        if (c.arch == Arch::Llama) {
            r.q = b.q;
            r.ldQ = C;
            r.k = b.k;
            r.v = b.v;
            r.ldKv = m_kvDim;
            r.rope = true;
        } else {
            r.q = b.q;
            r.ldQ = 3 * C;
            r.k = b.q + C;
            r.v = b.q + 2 * C;
            r.ldKv = 3 * C;
            r.rope = false;
        }
        r.T = T;
        r.nHead = c.nHead;
        r.nHeadKv = c.arch == Arch::Llama ? c.nHeadKv : c.nHead;
        r.headDim = c.headDim();
        r.pos0 = b.step;
        r.rotateHalf = c.ropeLayout == RopeLayout::RotateHalf;
        r.theta = c.ropeTheta;
        r.kCache = s.cacheKeys(layer);
        r.vCache = s.cacheValues(layer);
        r.kvDim = m_kvDim;
        r.f16 = s.kvType() == KvType::F16;
        return r;
    }

    AttentionArgs attentionArgs(const CudaState& s, const Buffers& b, int layer, int T) const
    {
        const ModelConfig& c = config();
        AttentionArgs a;
        a.q = b.q;
        a.ldQ = c.arch == Arch::Gpt2 ? 3 * int64_t(c.nEmbd) : c.nEmbd;
        a.kCache = s.cacheKeys(layer);
        a.vCache = s.cacheValues(layer);
        a.f16 = s.kvType() == KvType::F16;
        a.kvDim = m_kvDim;
        a.T = T;
        a.nHead = c.nHead;
        a.nHeadKv = c.arch == Arch::Llama ? c.nHeadKv : c.nHead;
        a.headDim = c.headDim();
        a.pos0 = b.step;
        a.out = b.att;
        a.ldOut = c.nEmbd;
        return a;
    }

    Result<void> enqueueDecode(CudaState& s) const
    {
        const ModelConfig& c = config();
        const Buffers& b = s.decode;
        const bool llama = c.arch == Arch::Llama;
        const NormKind norm = llama ? NormKind::Rms : NormKind::Layer;
        PRECIS_TRY(embed(b, 1));
        for (int l = 0; l < c.nLayer; ++l) {
            const DeviceLayer& L = m_w.layers[size_t(l)];
            const MatvecArgs attnIn = matvecArgs(b.x, norm, L.attnNorm, L.attnNormB, Epilogue::Store);
            if (llama)
                PRECIS_TRY(matvecGroup({{&L.q, L.qB, b.q}, {&L.k, L.kB, b.k}, {&L.v, L.vB, b.v}}, attnIn, "q/k/v", l));
            else
                PRECIS_TRY(matvec(L.qkv, L.qkvB, b.q, attnIn, "qkv", l));
            PRECIS_TRY(launched(launchRopeStore(ropeArgs(s, b, l, 1), m_stream, m_pdl), "rope + cache store", l));
            PRECIS_TRY(launched(launchAttention(attentionArgs(s, b, l, 1), m_stream, m_pdl), "attention", l));
            PRECIS_TRY(matvec(L.o, L.oB, b.x, matvecArgs(b.att, NormKind::None, nullptr, nullptr, Epilogue::Add),
                              "attn_output", l));
            if (llama) {
                const MatvecArgs ffnIn = matvecArgs(b.x, norm, L.ffnNorm, nullptr, Epilogue::SwiGlu);
                if (L.gate.type == L.up.type) {
                    MatvecArgs a = ffnIn;
                    addJob(a, L.gate, nullptr, b.ff1);
                    addJob(a, L.up, nullptr, b.ff2);
                    PRECIS_TRY(launched(launchMatvec(a, m_stream, m_pdl), "gate/up + SwiGLU", l));
                } else {
                    MatvecArgs a = ffnIn;
                    a.epilogue = Epilogue::Store;
                    PRECIS_TRY(matvec(L.gate, nullptr, b.ff1, a, "gate", l));
                    PRECIS_TRY(matvec(L.up, nullptr, b.ff2, a, "up", l));
                    PRECIS_TRY(launched(launchSwiGlu(b.ff1, b.ff2, c.nFf, m_stream, m_pdl), "SwiGLU", l));
                }
            } else {
                PRECIS_TRY(matvec(L.up, L.upB, b.ff1, matvecArgs(b.x, norm, L.ffnNorm, L.ffnNormB, Epilogue::Gelu),
                                  "up + GELU", l));
            }
            PRECIS_TRY(matvec(L.down, L.downB, b.x, matvecArgs(b.ff1, NormKind::None, nullptr, nullptr, Epilogue::Add),
                              "down", l));
        }
        return matvec(m_w.output, nullptr, b.logits, matvecArgs(b.x, norm, m_w.outNorm, m_w.outNormB, Epilogue::Store),
                      "output", -1);
    }

    // ---- Prefill: T tokens, fp32 GEMMs ----------------------------------------------
    // out (T, N, ldOut) = in (T, K, ldIn) · Wᵀ. cuBLAS is column-major: out is
    // then outᵀ (N × T) = W (N × K, i.e. the row-major K × N transposed) · inᵀ.
    Result<void> gemm(float* out, int64_t ldOut, const float* in, int64_t ldIn, int T, const DeviceMatrix& w,
                      const char* name, int layer) const
    {
        const float one = 1.0f, zero = 0.0f;
        const std::string where = m_model->path;
        const int K = int(w.cols);
        if (w.type == DType::F32) {
            PRECIS_CUBLAS_CHECK(cublasSgemm(m_blas, CUBLAS_OP_T, CUBLAS_OP_N, int(w.rows), T, K, &one,
                                            reinterpret_cast<const float*>(w.data), K, in, int(ldIn), &zero, out,
                                            int(ldOut)),
                                where);
            return launched(cudaSuccess, name, layer);
        }
        float* scratch = reinterpret_cast<float*>(m_scratch.data());
        const int64_t slice = std::max<int64_t>(1, m_scratchFloats / std::max(K, 1));
        for (int64_t r0 = 0; r0 < w.rows; r0 += slice) {
            const int64_t n = std::min(slice, w.rows - r0);
            DequantArgs d;
            d.type = w.type;
            d.w = w.data;
            d.rowBytes = w.rowBytes;
            d.cols = K;
            d.rows = n;
            d.r0 = r0;
            d.out = scratch;
            d.ldOut = K;
            PRECIS_TRY(launched(launchDequant(d, m_stream, false), name, layer));
            PRECIS_CUBLAS_CHECK(cublasSgemm(m_blas, CUBLAS_OP_T, CUBLAS_OP_N, int(n), T, K, &one, scratch, K, in,
                                            int(ldIn), &zero, out + r0, int(ldOut)),
                                where);
        }
        return launched(cudaSuccess, name, layer);
    }

    Result<void> enqueuePrefill(CudaState& s, int T, int nLogits, float* probs, const CancelToken* cancel) const
    {
        const ModelConfig& c = config();
        const Buffers& b = s.prefill;
        const int C = c.nEmbd, F = c.nFf, kv = m_kvDim;
        const bool llama = c.arch == Arch::Llama;
        const std::string& where = m_model->path;
        std::optional<DeviceMemory> probsMemory;
        if (probs) {
            PRECIS_TRY_ASSIGN(probsMemory, DeviceMemory::allocate(m_device, sizeof(float) * size_t(c.nHead) * T * T,
                                                                  "the attention maps of one layer", where));
        }
        PRECIS_TRY(embed(b, T));
        for (int l = 0; l < c.nLayer; ++l) {
            if (cancel && cancel->cancelled())
                return makeError(ErrorCode::Cancelled, where, "forward pass cancelled");
            const DeviceLayer& L = m_w.layers[size_t(l)];
            if (llama) {
                PRECIS_TRY(launched(launchRmsNorm(b.xn, b.x, C, L.attnNorm, T, C, c.normEps, m_stream), "rmsnorm", l));
                PRECIS_TRY(gemm(b.q, C, b.xn, C, T, L.q, "q", l));
                PRECIS_TRY(gemm(b.k, kv, b.xn, C, T, L.k, "k", l));
                PRECIS_TRY(gemm(b.v, kv, b.xn, C, T, L.v, "v", l));
                if (c.qkvBias) {
                    PRECIS_TRY(launched(launchBiasAct(b.q, C, L.qB, T, C, false, m_stream), "q bias", l));
                    PRECIS_TRY(launched(launchBiasAct(b.k, kv, L.kB, T, kv, false, m_stream), "k bias", l));
                    PRECIS_TRY(launched(launchBiasAct(b.v, kv, L.vB, T, kv, false, m_stream), "v bias", l));
                }
            } else {
                PRECIS_TRY(launched(launchLayerNorm(b.xn, b.x, C, L.attnNorm, L.attnNormB, T, C, c.normEps, m_stream),
                                    "layernorm", l));
                PRECIS_TRY(gemm(b.q, 3 * C, b.xn, C, T, L.qkv, "qkv", l));
                PRECIS_TRY(launched(launchBiasAct(b.q, 3 * C, L.qkvB, T, 3 * C, false, m_stream), "qkv bias", l));
            }
            PRECIS_TRY(launched(launchRopeStore(ropeArgs(s, b, l, T), m_stream, false), "rope + cache store", l));
            AttentionArgs att = attentionArgs(s, b, l, T);
            if (probs) {
                att.rowMax = b.rowMax;
                att.rowSum = b.rowSum;
            }
            PRECIS_TRY(launched(launchAttention(att, m_stream, false), "attention", l));
            if (probs) {
                // Only forward() asks, from position 0: L = T.
                float* dProbs = reinterpret_cast<float*>(probsMemory->data());
                PRECIS_TRY(launched(launchAttentionProbs(att, T, dProbs, m_stream), "attention probabilities", l));
                PRECIS_CUDA_CHECK(cudaMemcpyAsync(probs + size_t(l) * c.nHead * T * T, probsMemory->data(),
                                                  sizeof(float) * size_t(c.nHead) * T * T, cudaMemcpyDeviceToHost,
                                                  m_stream),
                                  where);
            }
            PRECIS_TRY(gemm(b.proj, C, b.att, C, T, L.o, "attn_output", l));
            PRECIS_TRY(launched(launchResidual(b.x, b.proj, L.oB, T, C, m_stream), "residual", l));
            if (llama) {
                PRECIS_TRY(launched(launchRmsNorm(b.xn, b.x, C, L.ffnNorm, T, C, c.normEps, m_stream), "rmsnorm", l));
                PRECIS_TRY(gemm(b.ff1, F, b.xn, C, T, L.gate, "gate", l));
                PRECIS_TRY(gemm(b.ff2, F, b.xn, C, T, L.up, "up", l));
                PRECIS_TRY(launched(launchSwiGlu(b.ff1, b.ff2, int64_t(T) * F, m_stream, false), "SwiGLU", l));
            } else {
                PRECIS_TRY(launched(launchLayerNorm(b.xn, b.x, C, L.ffnNorm, L.ffnNormB, T, C, c.normEps, m_stream),
                                    "layernorm", l));
                PRECIS_TRY(gemm(b.ff1, F, b.xn, C, T, L.up, "up", l));
                PRECIS_TRY(launched(launchBiasAct(b.ff1, F, L.upB, T, F, true, m_stream), "up bias + GELU", l));
            }
            PRECIS_TRY(gemm(b.proj, C, b.ff1, F, T, L.down, "down", l));
            PRECIS_TRY(launched(launchResidual(b.x, b.proj, L.downB, T, C, m_stream), "residual", l));
        }
        if (cancel && cancel->cancelled())
            return makeError(ErrorCode::Cancelled, where, "forward pass cancelled");
        const float* last = b.x + size_t(T - nLogits) * C;
        const cudaError_t normed =
            llama ? launchRmsNorm(b.xn, last, C, m_w.outNorm, nLogits, C, c.normEps, m_stream)
                  : launchLayerNorm(b.xn, last, C, m_w.outNorm, m_w.outNormB, nLogits, C, c.normEps, m_stream);
        PRECIS_TRY(launched(normed, "output norm", -1));
        return gemm(b.logits, c.nVocab, b.xn, C, nLogits, m_w.output, "output", -1);
    }

    uint64_t m_id;
    int m_device;
    std::string m_deviceText;
    int m_kvDim = 0;
    DeviceWeights m_w;
    cudaStream_t m_stream = nullptr;
    cublasHandle_t m_blas = nullptr;
    DeviceMemory m_scratch;
    int64_t m_scratchFloats = 0;
    bool m_sync = false, m_pdl = false;
    mutable bool m_graphs = true;         // cleared when a capture fails
    mutable std::string m_graphNote;
    mutable std::mutex m_mutex;
};

} // namespace

Result<std::unique_ptr<Engine>> createEngine(std::shared_ptr<const Model> model, const EngineOptions& options)
{
    const ModelConfig& c = model->config;
    const int hd = c.headDim();
    if (hd < 1 || hd > kMaxHeadDim || c.nHead % std::max(1, c.nHeadKv) != 0)
        return makeError(ErrorCode::Unsupported, model->path,
                         "head_dim = " + std::to_string(hd) + " with " + std::to_string(c.nHead) + " heads and " +
                             std::to_string(c.nHeadKv) + " key/value heads: the CUDA backend needs 1 <= head_dim <= " +
                             std::to_string(kMaxHeadDim) + " and n_head a multiple of n_head_kv");
    PRECIS_TRY(selectDevice(options.cudaDevice));
    std::unique_ptr<CudaEngine> engine;
    try {
        engine = std::make_unique<CudaEngine>(model, options);
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::InvalidArgument, model->path, "not enough memory for the engine");
    }
    const Result<void> ready = [&]() -> Result<void> {
        try {
            return engine->init();
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::Io, model->path, "not enough host memory to convert the weights");
        }
    }();
    if (!ready.ok())
        return ready.error();
    return std::unique_ptr<Engine>(std::move(engine));
}

std::string describe(const Engine& engine)
{
    const auto* e = dynamic_cast<const CudaEngine*>(&engine);
    return e ? e->describe() : std::string();
}

} // namespace precis::engine::cuda
