// The non-matrix operations of the forward pass on the device, each the
// counterpart of an ops.h function (same formulas; where ops.cpp rounds in a
// given order, __fmul_rn/__fadd_rn keep that order), plus the bandwidth probe.
#include "engine/cuda/common.cuh"
#include "engine/cuda/formats.cuh"
#include "engine/cuda/launch.h"

#include <cuda_fp16.h>

#include <cmath>

namespace precis::engine::cuda {

namespace {

constexpr int kThreads = 256;

// ---- Norms (prefill: one block per row) -------------------------------------------

__global__ void __launch_bounds__(kThreads) rmsNormKernel(float* out, const float* in, int64_t ld, const float* w,
                                                          int C, float eps)
{
    __shared__ double scratch[32];
    const float* x = in + int64_t(blockIdx.x) * ld;
    float* y = out + int64_t(blockIdx.x) * C;
    double ss = 0;
    for (int i = threadIdx.x; i < C; i += blockDim.x) ss += double(x[i]) * x[i];
    ss = blockSum(ss, scratch);
    const float scale = float(1.0 / sqrt(ss / C + double(eps)));
    for (int i = threadIdx.x; i < C; i += blockDim.x) y[i] = __fmul_rn(__fmul_rn(x[i], scale), w[i]);
}

__global__ void __launch_bounds__(kThreads) layerNormKernel(float* out, const float* in, int64_t ld, const float* w,
                                                            const float* b, int C, float eps)
{
    __shared__ double scratch[32];
    const float* x = in + int64_t(blockIdx.x) * ld;
    float* y = out + int64_t(blockIdx.x) * C;
    double s = 0;
    for (int i = threadIdx.x; i < C; i += blockDim.x) s += x[i];
    const double mean = blockSum(s, scratch) / C;
    double v = 0;
    for (int i = threadIdx.x; i < C; i += blockDim.x) v += (x[i] - mean) * (x[i] - mean);
    const double rstd = 1.0 / sqrt(blockSum(v, scratch) / C + double(eps));
    for (int i = threadIdx.x; i < C; i += blockDim.x)
        y[i] = __fadd_rn(__fmul_rn(float((x[i] - mean) * rstd), w[i]), b[i]);
}

// ---- Element-wise ---------------------------------------------------------------------

__device__ __forceinline__ float gelu(float v)
{
    const float k = 0.7978845608028654f;  // sqrt(2/π)
    return 0.5f * v * (1.0f + tanhf(k * (v + 0.044715f * v * v * v)));
}

__global__ void biasActKernel(float* out, int64_t ld, const float* bias, int T, int N, bool useGelu)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= int64_t(T) * N) return;
    const int64_t t = i / N, n = i % N;
    float v = out[t * ld + n];
    if (bias) v += bias[n];
    out[t * ld + n] = useGelu ? gelu(v) : v;
}

__global__ void residualKernel(float* x, const float* proj, const float* bias, int T, int C)
{
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= int64_t(T) * C) return;
    const float d = bias ? __fadd_rn(proj[i], bias[i % C]) : proj[i];
    x[i] = __fadd_rn(x[i], d);
}

__global__ void swigluKernel(float* gate, const float* up, int64_t n)
{
    pdlWait();
    pdlLaunchDependents();
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const float g = gate[i];
    gate[i] = __fmul_rn(__fdiv_rn(g, 1.0f + expf(-g)), up[i]);
}

// ---- RoPE and the cache --------------------------------------------------------------------
// Thread (t, i): pair i of every head (the pairs partition a head, so rotation
// in place has no races), then the k/v values of that pair go to the cache;
// thread i = 0 also stores the unpaired last value of an odd head_dim.

__device__ __forceinline__ void rotate(float* head, int ia, int ib, float c, float s)
{
    const float a0 = head[ia], b0 = head[ib];
    head[ia] = __fsub_rn(__fmul_rn(a0, c), __fmul_rn(b0, s));
    head[ib] = __fadd_rn(__fmul_rn(a0, s), __fmul_rn(b0, c));
}

__device__ __forceinline__ void storeKv(void* cache, size_t index, float v, bool f16)
{
    if (f16)
        static_cast<__half*>(cache)[index] = __float2half_rn(v);
    else
        static_cast<float*>(cache)[index] = v;
}

__global__ void ropeStoreKernel(RopeStoreArgs a)
{
    pdlWait();
    pdlLaunchDependents();
    const int hd = a.headDim, half = hd / 2, pairs = half > 0 ? half : 1;
    const int64_t idx = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (idx >= int64_t(a.T) * pairs) return;
    const int t = int(idx / pairs), i = int(idx % pairs);
    const int pos = *a.pos0 + t;
    float* k = a.k + t * a.ldKv;
    const float* v = a.v + t * a.ldKv;
    const size_t row = size_t(pos) * size_t(a.kvDim);
    if (i < half) {
        const int ia = a.rotateHalf ? i : 2 * i, ib = a.rotateHalf ? i + half : 2 * i + 1;
        if (a.rope) {
            // ops.cpp ropeTable: angles in double, cos/sin rounded to float.
            const double freq = pow(double(a.theta), -2.0 * i / hd);
            const double angle = double(pos) * freq;
            const float c = float(cos(angle)), s = float(sin(angle));
            float* q = a.q + t * a.ldQ;
            for (int h = 0; h < a.nHead; ++h) rotate(q + h * hd, ia, ib, c, s);
            for (int g = 0; g < a.nHeadKv; ++g) rotate(k + g * hd, ia, ib, c, s);
        }
        for (int g = 0; g < a.nHeadKv; ++g) {
            storeKv(a.kCache, row + g * hd + ia, k[g * hd + ia], a.f16);
            storeKv(a.kCache, row + g * hd + ib, k[g * hd + ib], a.f16);
            storeKv(a.vCache, row + g * hd + ia, v[g * hd + ia], a.f16);
            storeKv(a.vCache, row + g * hd + ib, v[g * hd + ib], a.f16);
        }
    }
    if ((hd & 1) && i == 0) {
        for (int g = 0; g < a.nHeadKv; ++g) {
            storeKv(a.kCache, row + g * hd + hd - 1, k[g * hd + hd - 1], a.f16);
            storeKv(a.vCache, row + g * hd + hd - 1, v[g * hd + hd - 1], a.f16);
        }
    }
}

// ---- Attention ----------------------------------------------------------------------------
// Block (query t, head h) with kAttWarps warps. Warp w takes keys w·32 + lane,
// then 128 further on, …: each lane computes one key's score, the warp keeps a
// running maximum m, normaliser l and output acc (online softmax, Milakov &
// Gimelshein 2018), lane holding output dims lane + 32i. The warps' (m, l, acc)
// are merged at the end. Key/value rows come from the cache as stored.

constexpr int kAttWarps = 4;
constexpr int kAccPerLane = kMaxHeadDim / 32;

template <bool F16>
__device__ __forceinline__ float kvAt(const void* cache, size_t i)
{
    if constexpr (F16)
        return __half2float(static_cast<const __half*>(cache)[i]);
    else
        return static_cast<const float*>(cache)[i];
}

// q (hd, shared memory) · row of the cache at `offset`.
template <bool F16>
__device__ __forceinline__ float dotKey(const float* q, const void* cache, size_t offset, int hd)
{
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    if (hd % 4 == 0) {
        for (int d = 0; d < hd; d += 4) {
            float k0, k1, k2, k3;
            if constexpr (F16) {
                const uint2 raw = *reinterpret_cast<const uint2*>(static_cast<const __half*>(cache) + offset + d);
                k0 = halfBits(raw.x & 0xFFFFu), k1 = halfBits(raw.x >> 16);
                k2 = halfBits(raw.y & 0xFFFFu), k3 = halfBits(raw.y >> 16);
            } else {
                const float4 k4 = *reinterpret_cast<const float4*>(static_cast<const float*>(cache) + offset + d);
                k0 = k4.x, k1 = k4.y, k2 = k4.z, k3 = k4.w;
            }
            s0 = fmaf(q[d], k0, s0);
            s1 = fmaf(q[d + 1], k1, s1);
            s2 = fmaf(q[d + 2], k2, s2);
            s3 = fmaf(q[d + 3], k3, s3);
        }
    } else {
        for (int d = 0; d < hd; ++d) s0 = fmaf(q[d], kvAt<F16>(cache, offset + d), s0);
    }
    return (s0 + s1) + (s2 + s3);
}

template <bool F16>
__global__ void __launch_bounds__(kAttWarps * 32) attentionKernel(AttentionArgs a)
{
    pdlWait();
    pdlLaunchDependents();
    extern __shared__ float smem[];  // q[hd] | m[warps] | l[warps] | acc[warps][hd]
    const int t = blockIdx.x, h = blockIdx.y, hd = a.headDim;
    const int g = h / (a.nHead / a.nHeadKv);
    const int visible = *a.pos0 + t + 1;
    const float scale = 1.0f / sqrtf(float(hd));
    float* q = smem;
    float* wm = smem + hd;
    float* wl = wm + kAttWarps;
    float* wacc = wl + kAttWarps;
    for (int d = threadIdx.x; d < hd; d += blockDim.x) q[d] = a.q[int64_t(t) * a.ldQ + int64_t(h) * hd + d];
    __syncthreads();

    const int warp = int(threadIdx.x) >> 5, lane = int(threadIdx.x) & 31;
    const size_t headOffset = size_t(g) * hd;
    float m = -INFINITY, l = 0.0f, acc[kAccPerLane] = {};
    for (int j0 = warp * 32; j0 < visible; j0 += kAttWarps * 32) {
        const int j = j0 + lane;
        const float s =
            j < visible ? dotKey<F16>(q, a.kCache, size_t(j) * a.kvDim + headOffset, hd) * scale : -INFINITY;
        const float mNew = fmaxf(m, warpMax(s));  // finite: key j0 is visible
        const float alpha = expf(m - mNew);
        const float p = j < visible ? expf(s - mNew) : 0.0f;
        l = l * alpha + warpSum(p);
#pragma unroll
        for (int i = 0; i < kAccPerLane; ++i) acc[i] *= alpha;
        const int n = min(32, visible - j0);
        for (int jj = 0; jj < n; ++jj) {
            const float pj = __shfl_sync(kFullMask, p, jj);
            const size_t vRow = size_t(j0 + jj) * a.kvDim + headOffset;
#pragma unroll
            for (int i = 0; i < kAccPerLane; ++i) {
                const int d = lane + 32 * i;
                if (d < hd) acc[i] = fmaf(pj, kvAt<F16>(a.vCache, vRow + d), acc[i]);
            }
        }
        m = mNew;
    }
    if (lane == 0) {
        wm[warp] = m;
        wl[warp] = l;
    }
#pragma unroll
    for (int i = 0; i < kAccPerLane; ++i) {
        const int d = lane + 32 * i;
        if (d < hd) wacc[warp * hd + d] = acc[i];
    }
    __syncthreads();
    // A warp that saw no key has m = −inf and weighs exp(−inf) = 0.
    float M = wm[0];
    for (int w = 1; w < kAttWarps; ++w) M = fmaxf(M, wm[w]);
    float weight[kAttWarps], L = 0.0f;
    for (int w = 0; w < kAttWarps; ++w) {
        weight[w] = expf(wm[w] - M);
        L += wl[w] * weight[w];
    }
    for (int d = threadIdx.x; d < hd; d += blockDim.x) {
        float o = 0.0f;
        for (int w = 0; w < kAttWarps; ++w) o += wacc[w * hd + d] * weight[w];
        a.out[int64_t(t) * a.ldOut + int64_t(h) * hd + d] = o / L;
    }
    if (a.rowMax && threadIdx.x == 0) {
        a.rowMax[int64_t(t) * a.nHead + h] = M;
        a.rowSum[int64_t(t) * a.nHead + h] = L;
    }
}

// probs[h][t][j] = exp(s − M) / L for visible keys, 0 above the diagonal.
template <bool F16>
__global__ void attentionProbsKernel(AttentionArgs a, int L, float* probs)
{
    extern __shared__ float q[];
    const int t = blockIdx.x, h = blockIdx.y, hd = a.headDim;
    const int g = h / (a.nHead / a.nHeadKv);
    const int visible = *a.pos0 + t + 1;
    const float scale = 1.0f / sqrtf(float(hd));
    for (int d = threadIdx.x; d < hd; d += blockDim.x) q[d] = a.q[int64_t(t) * a.ldQ + int64_t(h) * hd + d];
    __syncthreads();
    const float M = a.rowMax[int64_t(t) * a.nHead + h], inv = 1.0f / a.rowSum[int64_t(t) * a.nHead + h];
    float* row = probs + (int64_t(h) * a.T + t) * L;
    for (int j = threadIdx.x; j < L; j += blockDim.x) {
        float p = 0.0f;
        if (j < visible) p = expf(dotKey<F16>(q, a.kCache, size_t(j) * a.kvDim + size_t(g) * hd, hd) * scale - M) * inv;
        row[j] = p;
    }
}

// ---- Bandwidth probe -------------------------------------------------------------------------

__global__ void readKernel(const float4* p, size_t n, float* sink)
{
    const size_t stride = size_t(gridDim.x) * blockDim.x;
    size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
    float4 acc = make_float4(0, 0, 0, 0);
    // Four independent loads in flight per thread.
    for (; i + 3 * stride < n; i += 4 * stride) {
        const float4 v0 = __ldg(p + i), v1 = __ldg(p + i + stride), v2 = __ldg(p + i + 2 * stride),
                     v3 = __ldg(p + i + 3 * stride);
        acc.x += (v0.x + v1.x) + (v2.x + v3.x);
        acc.y += (v0.y + v1.y) + (v2.y + v3.y);
        acc.z += (v0.z + v1.z) + (v2.z + v3.z);
        acc.w += (v0.w + v1.w) + (v2.w + v3.w);
    }
    for (; i < n; i += stride) {
        const float4 v = __ldg(p + i);
        acc.x += v.x;
        acc.y += v.y;
        acc.z += v.z;
        acc.w += v.w;
    }
    const float s = (acc.x + acc.y) + (acc.z + acc.w);
    if (s == 1234567.0f) *sink = s;  // never true for the zeroed buffer; keeps the loads
}

} // namespace

cudaError_t launchRmsNorm(float* out, const float* in, int64_t ld, const float* w, int T, int C, float eps,
                          cudaStream_t stream)
{
    if (T == 0) return cudaSuccess;
    return launchKernel(rmsNormKernel, dim3(unsigned(T)), dim3(kThreads), 0, stream, false, out, in, ld, w, C, eps);
}

cudaError_t launchLayerNorm(float* out, const float* in, int64_t ld, const float* w, const float* b, int T, int C,
                            float eps, cudaStream_t stream)
{
    if (T == 0) return cudaSuccess;
    return launchKernel(layerNormKernel, dim3(unsigned(T)), dim3(kThreads), 0, stream, false, out, in, ld, w, b, C,
                        eps);
}

cudaError_t launchBiasAct(float* out, int64_t ld, const float* bias, int T, int N, bool useGelu, cudaStream_t stream)
{
    const int64_t n = int64_t(T) * N;
    if (n == 0) return cudaSuccess;
    return launchKernel(biasActKernel, dim3(blocksFor(n, kThreads)), dim3(kThreads), 0, stream, false, out, ld, bias,
                        T, N, useGelu);
}

cudaError_t launchResidual(float* x, const float* proj, const float* bias, int T, int C, cudaStream_t stream)
{
    const int64_t n = int64_t(T) * C;
    if (n == 0) return cudaSuccess;
    return launchKernel(residualKernel, dim3(blocksFor(n, kThreads)), dim3(kThreads), 0, stream, false, x, proj, bias,
                        T, C);
}

cudaError_t launchSwiGlu(float* gate, const float* up, int64_t n, cudaStream_t stream, bool pdl)
{
    if (n == 0) return cudaSuccess;
    return launchKernel(swigluKernel, dim3(blocksFor(n, kThreads)), dim3(kThreads), 0, stream, pdl, gate, up, n);
}

cudaError_t launchRopeStore(const RopeStoreArgs& a, cudaStream_t stream, bool pdl)
{
    const int pairs = a.headDim / 2 > 0 ? a.headDim / 2 : 1;
    const int64_t n = int64_t(a.T) * pairs;
    if (n == 0) return cudaSuccess;
    return launchKernel(ropeStoreKernel, dim3(blocksFor(n, kThreads)), dim3(kThreads), 0, stream, pdl, a);
}

cudaError_t launchAttention(const AttentionArgs& a, cudaStream_t stream, bool pdl)
{
    if (a.headDim < 1 || a.headDim > kMaxHeadDim || a.nHeadKv < 1 || a.nHead % a.nHeadKv != 0)
        return cudaErrorInvalidValue;
    if (a.T == 0) return cudaSuccess;
    const size_t smem = sizeof(float) * (size_t(a.headDim) * (1 + kAttWarps) + 2 * kAttWarps);
    const dim3 grid(unsigned(a.T), unsigned(a.nHead));  // T may exceed gridDim.y's 65535
    return a.f16 ? launchKernel(attentionKernel<true>, grid, dim3(kAttWarps * 32), smem, stream, pdl, a)
                 : launchKernel(attentionKernel<false>, grid, dim3(kAttWarps * 32), smem, stream, pdl, a);
}

cudaError_t launchAttentionProbs(const AttentionArgs& a, int L, float* probs, cudaStream_t stream)
{
    if (a.headDim < 1 || a.headDim > kMaxHeadDim || !a.rowMax || !a.rowSum) return cudaErrorInvalidValue;
    if (a.T == 0) return cudaSuccess;
    const size_t smem = sizeof(float) * size_t(a.headDim);
    const dim3 grid(unsigned(a.T), unsigned(a.nHead));  // T may exceed gridDim.y's 65535
    return a.f16 ? launchKernel(attentionProbsKernel<true>, grid, dim3(128), smem, stream, false, a, L, probs)
                 : launchKernel(attentionProbsKernel<false>, grid, dim3(128), smem, stream, false, a, L, probs);
}

cudaError_t launchReadKernel(const void* data, size_t n16, float* sink, int blocks, int threads, cudaStream_t stream)
{
    return launchKernel(readKernel, dim3(unsigned(blocks)), dim3(unsigned(threads)), 0, stream, false,
                        static_cast<const float4*>(data), n16, sink);
}

cudaError_t readKernelOccupancy(int threads, int* blocksPerSm)
{
    return cudaOccupancyMaxActiveBlocksPerMultiprocessor(blocksPerSm, readKernel, threads, 0);
}

bool pdlCompiled()
{
    cudaFuncAttributes attributes{};
    if (cudaFuncGetAttributes(&attributes, swigluKernel) != cudaSuccess) {
        cudaGetLastError();
        return false;
    }
    return attributes.ptxVersion >= 90;
}

} // namespace precis::engine::cuda
