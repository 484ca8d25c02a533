// Rows of a GGUF matrix to fp32 on the device: the operands of the prefill
// GEMMs (a slice of rows at a time) and the embedding lookup (rows chosen by
// token ids or positions held on the device). One thread per chunk
// (formats.cuh); every value is computed with the float operations of
// quant/block_formats.cpp's decoder, so the result is bit-identical to
// quant::dequantizeRow.
#include "engine/cuda/common.cuh"
#include "engine/cuda/formats.cuh"
#include "engine/cuda/launch.h"

namespace precis::engine::cuda {

namespace {

constexpr int kThreads = 256;

template <DType T>
__global__ void __launch_bounds__(kThreads) dequantKernel(DequantArgs a)
{
    using F = Format<T>;
    pdlWait();
    pdlLaunchDependents();
    const int64_t nChunks = F::chunks(a.cols);
    const int64_t idx = int64_t(blockIdx.x) * kThreads + threadIdx.x;
    if (idx >= a.rows * nChunks) return;
    const int64_t i = idx / nChunks, c = idx % nChunks;
    const int64_t r = a.ids ? int64_t(a.ids[i]) : a.r0 + i + (a.pos0 ? int64_t(*a.pos0) : 0);
    const typename F::Raw raw =
        F::load(static_cast<const uint8_t*>(a.w) + size_t(r) * a.rowBytes, c, a.cols, a.cols % 8 == 0);
    float* out = a.out + i * a.ldOut;
#pragma unroll
    for (int p = 0; p < F::kParts; ++p) {
        float q[F::kPartValues], A, B;
        F::decode(raw, c, p, q, A, B);
        const int64_t col = F::partCol(c, p);
#pragma unroll
        for (int t = 0; t < F::kPartValues; ++t) {
            if (col + t >= a.cols) break;
            float v = q[t];
            if constexpr (F::kScaled) v = F::kHasB ? __fadd_rn(__fmul_rn(A, q[t]), B) : __fmul_rn(A, q[t]);
            out[col + t] = a.accumulate ? __fadd_rn(out[col + t], v) : v;
        }
    }
}

} // namespace

cudaError_t launchDequant(const DequantArgs& a, cudaStream_t stream, bool pdl)
{
    cudaError_t e = cudaErrorInvalidValue;
    dispatchFormat(a.type, [&](auto f) {
        using F = Format<decltype(f)::value>;
        const int64_t n = a.rows * F::chunks(a.cols);
        e = n == 0 ? cudaSuccess
                   : launchKernel(dequantKernel<decltype(f)::value>, dim3(blocksFor(n, kThreads)), dim3(kThreads), 0,
                                  stream, pdl, a);
    });
    return e;
}

} // namespace precis::engine::cuda
