// CUDA backend, internal: launch and reduction helpers shared by the .cu files.
#pragma once

#include <cuda_runtime.h>

#include <utility>

namespace precis::engine::cuda {

// Launches kernel<<<grid, block, smem, stream>>>(args...), with programmatic
// stream serialisation when pdl (the kernel must call pdlWait() before it
// touches anything the previous kernel writes or reads). Returns the launch
// error, if any.
template <typename... KernelArgs, typename... Args>
cudaError_t launchKernel(void (*kernel)(KernelArgs...), dim3 grid, dim3 block, size_t smem, cudaStream_t stream,
                         bool pdl, Args&&... args)
{
    if (!pdl) {
        kernel<<<grid, block, smem, stream>>>(std::forward<Args>(args)...);
        return cudaGetLastError();
    }
    cudaLaunchConfig_t config = {};
    config.gridDim = grid;
    config.blockDim = block;
    config.dynamicSmemBytes = smem;
    config.stream = stream;
    cudaLaunchAttribute attribute[1];
    attribute[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attribute[0].val.programmaticStreamSerializationAllowed = 1;
    config.attrs = attribute;
    config.numAttrs = 1;
    const cudaError_t e = cudaLaunchKernelEx(&config, kernel, std::forward<Args>(args)...);
    return e != cudaSuccess ? e : cudaGetLastError();
}

constexpr unsigned kFullMask = 0xFFFFFFFFu;

template <typename V>
__device__ __forceinline__ V warpSum(V v)
{
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(kFullMask, v, o);
    return v;
}

__device__ __forceinline__ float warpMax(float v)
{
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(kFullMask, v, o));
    return v;
}

// Sum of v over the block (blockDim.x a multiple of 32, at most 1024); every
// thread gets the same value (warps added in order). `scratch` holds 32
// doubles; every thread must call.
__device__ __forceinline__ double blockSum(double v, double* scratch)
{
    v = warpSum(v);
    const int warp = int(threadIdx.x) >> 5, nWarps = int(blockDim.x + 31) >> 5;
    __syncthreads();  // scratch may still be read by a previous call
    if ((threadIdx.x & 31) == 0) scratch[warp] = v;
    __syncthreads();
    double total = 0;
    for (int i = 0; i < nWarps; ++i) total += scratch[i];
    return total;
}

inline unsigned blocksFor(long long n, int threads) { return unsigned((n + threads - 1) / threads); }

} // namespace precis::engine::cuda
