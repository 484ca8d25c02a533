// Decode products y = W·x on GGUF rows (one token, T == 1): every weight byte
// is read once, x stays fp32 and sums are fp32 (no activation quantization).
//
// A block computes kDots = 4 dot products — 4 consecutive output rows, or for
// SwiGLU 2 rows of gate and the same 2 rows of up — and its threads split the
// row's chunks (formats.cuh): thread i takes chunks i, i + blockDim, … and
// holds the raw bytes of its chunk for all 4 rows, so each input part it
// loads (and normalises) serves 4 rows. Within a row, the threads of a warp
// read consecutive chunks (coalesced); per-thread sums are then reduced over
// the warp (shuffles) and the block (shared memory), in a fixed order, so
// results do not depend on timing. The first chunk's weights are loaded before
// pdlWait(): under programmatic dependent launch they stream in while the
// previous kernel finishes.
//
// The input may be normalised on the fly (RMSNorm or LayerNorm of the previous
// sub-block, computed by every block from x: K values, cheap next to the
// weights) and the output combined with an epilogue (residual add, SwiGLU,
// GELU), so that a Llama layer's decode step is six launches.
#include "engine/cuda/common.cuh"
#include "engine/cuda/formats.cuh"
#include "engine/cuda/launch.h"

#include <algorithm>
#include <cmath>

namespace precis::engine::cuda {

namespace {

constexpr int kDots = 4;
constexpr int kMaxThreads = 256;

// Job and row of dot product d of this block; false when past the rows.
__device__ __forceinline__ bool locate(const MatvecArgs& a, int d, int& job, int64_t& row)
{
    if (a.epilogue == Epilogue::SwiGlu) {
        job = d >> 1;
        row = int64_t(blockIdx.x) * 2 + (d & 1);
        return row < a.rows[0];
    }
    int64_t g = int64_t(blockIdx.x) * kDots + d;
    for (job = 0; job < a.nJobs; ++job) {
        if (g < a.rows[job]) {
            row = g;
            return true;
        }
        g -= a.rows[job];
    }
    job = 0;
    row = 0;
    return false;
}

// Normalisation of the input: y = (x·scale)·w (RMSNorm) or
// float((x − mean)·rstd)·w + b (LayerNorm), the float operations of ops.cpp.
struct InputNorm {
    NormKind kind = NormKind::None;
    float scale = 1.0f;
    double mean = 0.0, rstd = 1.0;
};

__device__ InputNorm normStatistics(const MatvecArgs& a, double* scratch)
{
    InputNorm n;
    n.kind = a.norm;
    if (a.norm == NormKind::None) return n;
    const int64_t K = a.K;
    if (a.norm == NormKind::Rms) {
        double ss = 0;
        for (int64_t i = threadIdx.x; i < K; i += blockDim.x) ss += double(a.x[i]) * a.x[i];
        ss = blockSum(ss, scratch);
        n.scale = float(1.0 / sqrt(ss / double(K) + double(a.eps)));
        return n;
    }
    double s = 0;
    for (int64_t i = threadIdx.x; i < K; i += blockDim.x) s += a.x[i];
    n.mean = blockSum(s, scratch) / double(K);
    double v = 0;
    for (int64_t i = threadIdx.x; i < K; i += blockDim.x) {
        const double e = a.x[i] - n.mean;
        v += e * e;
    }
    n.rstd = 1.0 / sqrt(blockSum(v, scratch) / double(K) + double(a.eps));
    return n;
}

// N input values at columns col .. col+N−1 (zero past K), normalised.
template <int N>
__device__ __forceinline__ void loadInput(const MatvecArgs& a, const InputNorm& n, int64_t col, bool vec, float (&v)[N])
{
    if (vec) {
#pragma unroll
        for (int i = 0; i < N; i += 4) {
            const float4 x4 = *reinterpret_cast<const float4*>(a.x + col + i);
            v[i] = x4.x;
            v[i + 1] = x4.y;
            v[i + 2] = x4.z;
            v[i + 3] = x4.w;
        }
    } else {
#pragma unroll
        for (int i = 0; i < N; ++i) v[i] = col + i < a.K ? a.x[col + i] : 0.0f;
    }
    if (n.kind == NormKind::None) return;
#pragma unroll
    for (int i = 0; i < N; ++i) {
        if (!vec && col + i >= a.K) continue;
        const float w = a.normW[col + i];
        if (n.kind == NormKind::Rms)
            v[i] = __fmul_rn(__fmul_rn(v[i], n.scale), w);
        else
            v[i] = __fadd_rn(__fmul_rn(float((double(v[i]) - n.mean) * n.rstd), w), a.normB[col + i]);
    }
}

__device__ __forceinline__ float silu(float g) { return __fdiv_rn(g, 1.0f + expf(-g)); }
__device__ __forceinline__ float gelu(float v)
{
    const float k = 0.7978845608028654f;  // sqrt(2/π)
    return 0.5f * v * (1.0f + tanhf(k * (v + 0.044715f * v * v * v)));
}

template <DType T>
__global__ void __launch_bounds__(kMaxThreads) matvecKernel(MatvecArgs a)
{
    using F = Format<T>;
    constexpr int PV = F::kPartValues;
    const int64_t K = a.K, nChunks = F::chunks(K);
    const bool vec = K % 8 == 0;

    const uint8_t* rowPtr[kDots];
    bool valid[kDots];
#pragma unroll
    for (int d = 0; d < kDots; ++d) {
        int job;
        int64_t row;
        valid[d] = locate(a, d, job, row);
        rowPtr[d] = static_cast<const uint8_t*>(a.w[job]) + size_t(row) * a.rowBytes[job];
    }

    // Weights are constant: the first chunk is fetched before waiting.
    typename F::Raw raw[kDots] = {};
    int64_t c = threadIdx.x;
#pragma unroll
    for (int d = 0; d < kDots; ++d)
        if (valid[d] && c < nChunks) raw[d] = F::load(rowPtr[d], c, K, vec);
    pdlWait();
    pdlLaunchDependents();

    __shared__ double scratch[32];
    const InputNorm norm = normStatistics(a, scratch);

    float acc[kDots] = {};
    for (; c < nChunks; c += blockDim.x) {
#pragma unroll
        for (int p = 0; p < F::kParts; ++p) {
            float xv[PV];
            loadInput<PV>(a, norm, F::partCol(c, p), vec, xv);
            float sx = 0.0f;
            if constexpr (F::kHasB) {
#pragma unroll
                for (int t = 0; t < PV; ++t) sx += xv[t];
            }
#pragma unroll
            for (int d = 0; d < kDots; ++d) {
                if (!valid[d]) continue;
                float q[PV], A, B;
                F::decode(raw[d], c, p, q, A, B);
                // Two chains of fused multiply-adds for latency.
                float s0 = 0.0f, s1 = 0.0f;
#pragma unroll
                for (int t = 0; t < PV; t += 2) {
                    s0 = fmaf(q[t], xv[t], s0);
                    s1 = fmaf(q[t + 1], xv[t + 1], s1);
                }
                const float s = s0 + s1;
                if constexpr (!F::kScaled)
                    acc[d] += s;
                else if constexpr (F::kHasB)
                    acc[d] += A * s + B * sx;
                else
                    acc[d] += A * s;
            }
        }
        const int64_t next = c + blockDim.x;
        if (next < nChunks) {
#pragma unroll
            for (int d = 0; d < kDots; ++d)
                if (valid[d]) raw[d] = F::load(rowPtr[d], next, K, vec);
        }
    }

    // Block reduction in a fixed order, then the epilogue.
    __shared__ float partial[kMaxThreads / 32][kDots];
    __shared__ float sums[kDots];
    const int warp = int(threadIdx.x) >> 5, lane = int(threadIdx.x) & 31, nWarps = int(blockDim.x) >> 5;
#pragma unroll
    for (int d = 0; d < kDots; ++d) {
        const float v = warpSum(acc[d]);
        if (lane == 0) partial[warp][d] = v;
    }
    __syncthreads();
    if (threadIdx.x < kDots) {
        float y = 0.0f;
        for (int w = 0; w < nWarps; ++w) y += partial[w][threadIdx.x];
        sums[threadIdx.x] = y;
    }
    __syncthreads();

    const int d = int(threadIdx.x);
    if (d >= (a.epilogue == Epilogue::SwiGlu ? 2 : kDots)) return;
    int job;
    int64_t row;
    if (!locate(a, d, job, row)) return;
    float y = sums[d];
    if (a.bias[job]) y += a.bias[job][row];
    switch (a.epilogue) {
    case Epilogue::Store: a.out[job][row] = y; break;
    case Epilogue::Add: a.out[job][row] += y; break;
    case Epilogue::Gelu: a.out[job][row] = gelu(y); break;
    case Epilogue::SwiGlu: {
        float u = sums[d + 2];
        if (a.bias[1]) u += a.bias[1][row];
        a.out[0][row] = silu(y) * u;
        break;
    }
    }
}

template <DType T>
cudaError_t launchTyped(const MatvecArgs& a, cudaStream_t stream, bool pdl)
{
    using F = Format<T>;
    const int64_t nChunks = F::chunks(a.K);
    const int threads = int(std::min<int64_t>(kMaxThreads, std::max<int64_t>(32, (nChunks + 31) / 32 * 32)));
    int64_t outputs = 0;
    if (a.epilogue == Epilogue::SwiGlu) {
        outputs = (a.rows[0] + 1) / 2;
    } else {
        for (int j = 0; j < a.nJobs; ++j) outputs += a.rows[j];
        outputs = (outputs + kDots - 1) / kDots;
    }
    if (outputs == 0) return cudaSuccess;
    return launchKernel(matvecKernel<T>, dim3(unsigned(outputs)), dim3(unsigned(threads)), 0, stream, pdl, a);
}

} // namespace

cudaError_t launchMatvec(const MatvecArgs& a, cudaStream_t stream, bool pdl)
{
    const bool pairOk = a.epilogue != Epilogue::SwiGlu || (a.nJobs == 2 && a.rows[0] == a.rows[1]);
    if (a.nJobs < 1 || a.nJobs > kMaxJobs || !pairOk) return cudaErrorInvalidValue;
    cudaError_t e = cudaErrorInvalidValue;
    dispatchFormat(a.type, [&](auto f) { e = launchTyped<decltype(f)::value>(a, stream, pdl); });
    return e;
}

} // namespace precis::engine::cuda
