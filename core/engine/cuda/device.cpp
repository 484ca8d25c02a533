// engine/cuda.h (devices, bandwidth, memory in use), the runtime helpers of
// runtime.h, and the kernel checks of backend.h.
#include "engine/cuda.h"
#include "engine/cuda/backend.h"
#include "engine/cuda/launch.h"
#include "engine/cuda/runtime.h"

#include <cublas_v2.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace precis {

namespace engine::cuda {

Error cudaFailure(cudaError_t e, const std::string& call, const std::string& where)
{
    cudaGetLastError();  // clear a non-sticky error so that later calls do not report it again
    return makeError(e == cudaErrorMemoryAllocation ? ErrorCode::InvalidArgument : ErrorCode::Internal, where,
                     "CUDA error in " + call + ": " + cudaGetErrorString(e) + " (" + cudaGetErrorName(e) + ")");
}

Error cublasFailure(cublasStatus_t s, const std::string& call, const std::string& where)
{
    return makeError(s == CUBLAS_STATUS_ALLOC_FAILED ? ErrorCode::InvalidArgument : ErrorCode::Internal, where,
                     "cuBLAS error in " + call + ": " + cublasGetStatusString(s) + " (status " +
                         std::to_string(int(s)) + ")");
}

std::string byteCount(uint64_t bytes)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, " bytes (%.2f GiB)", double(bytes) / double(uint64_t(1) << 30));
    return std::to_string(bytes) + buf;
}

Result<void> selectDevice(int index)
{
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        cudaGetLastError();
        return makeError(ErrorCode::Unsupported, "", std::string("no CUDA device: ") + cudaGetErrorString(e));
    }
    if (count == 0)
        return makeError(ErrorCode::Unsupported, "", "no CUDA device: the CUDA runtime found none");
    if (index < 0 || index >= count)
        return makeError(ErrorCode::InvalidArgument, "",
                         "CUDA device " + std::to_string(index) + " does not exist (this machine has " +
                             std::to_string(count) + ")");
    PRECIS_CUDA_CHECK(cudaSetDevice(index), "CUDA device " + std::to_string(index));
    return {};
}

DeviceMemory& DeviceMemory::operator=(DeviceMemory&& other) noexcept
{
    if (this != &other) {
        release();
        m_p = std::exchange(other.m_p, nullptr);
        m_bytes = std::exchange(other.m_bytes, 0);
        m_device = other.m_device;
    }
    return *this;
}

void DeviceMemory::release()
{
    if (!m_p) return;
    int current = -1;
    const bool switchDevice = cudaGetDevice(&current) == cudaSuccess && current != m_device;
    if (switchDevice) cudaSetDevice(m_device);
    cudaFree(m_p);  // nothing useful to do with an error here
    if (switchDevice) cudaSetDevice(current);
    m_p = nullptr;
    m_bytes = 0;
}

Result<DeviceMemory> DeviceMemory::allocate(int device, size_t bytes, const std::string& what, const std::string& where)
{
    DeviceMemory m;
    m.m_device = device;
    if (bytes == 0) return m;
    void* p = nullptr;
    const cudaError_t e = cudaMalloc(&p, bytes);
    if (e == cudaErrorMemoryAllocation) {
        cudaGetLastError();
        size_t freeBytes = 0, total = 0;
        cudaMemGetInfo(&freeBytes, &total);
        return makeError(ErrorCode::InvalidArgument, where,
                         "not enough device memory: " + what + " needs " + byteCount(bytes) + "; " +
                             byteCount(freeBytes) + " of CUDA device " + std::to_string(device) + " are free");
    }
    if (e != cudaSuccess)
        return cudaFailure(e, "cudaMalloc(" + std::to_string(bytes) + " bytes for " + what + ")", where);
    m.m_p = static_cast<std::byte*>(p);
    m.m_bytes = bytes;
    return m;
}

namespace {

// Uploads `rows` rows of `type` (checked), runs fn(device pointer, rowBytes),
// returns the `outFloats` floats fn leaves at the returned device pointer.
template <typename Fn>
Result<std::vector<float>> runKernelCheck(int device, DType type, const void* blocks, int64_t rows, int64_t cols,
                                          size_t outFloats, Fn&& fn)
{
    const std::string where = "CUDA kernel check";
    if (!cudaHasKernel(type))
        return makeError(ErrorCode::Unsupported, where, "no CUDA kernel for " + std::string(dtypeName(type)));
    const auto rowBytes = dtypeRowBytes(type, uint64_t(std::max<int64_t>(cols, 0)));
    if (rows < 1 || cols < 1 || !rowBytes)
        return makeError(ErrorCode::InvalidArgument, where,
                         std::to_string(rows) + " × " + std::to_string(cols) + " is not a valid " +
                             std::string(dtypeName(type)) + " matrix");
    PRECIS_TRY(selectDevice(device));
    PRECIS_TRY_ASSIGN(DeviceMemory w, DeviceMemory::allocate(device, size_t(rows) * *rowBytes, "the matrix", where));
    PRECIS_TRY_ASSIGN(DeviceMemory out, DeviceMemory::allocate(device, outFloats * sizeof(float), "the result", where));
    PRECIS_CUDA_CHECK(cudaMemcpy(w.data(), blocks, size_t(rows) * *rowBytes, cudaMemcpyHostToDevice), where);
    PRECIS_TRY(fn(w.data(), size_t(*rowBytes), reinterpret_cast<float*>(out.data())));
    PRECIS_CUDA_CHECK(cudaDeviceSynchronize(), where);
    std::vector<float> result(outFloats);
    PRECIS_CUDA_CHECK(cudaMemcpy(result.data(), out.data(), outFloats * sizeof(float), cudaMemcpyDeviceToHost), where);
    return result;
}

} // namespace

Result<std::vector<float>> dequantizeOnDevice(int device, DType type, const void* blocks, int64_t rows, int64_t cols)
{
    return runKernelCheck(device, type, blocks, rows, cols, size_t(rows) * size_t(cols),
                          [&](const std::byte* w, size_t rowBytes, float* out) -> Result<void> {
                              DequantArgs a;
                              a.type = type;
                              a.w = w;
                              a.rowBytes = rowBytes;
                              a.cols = cols;
                              a.rows = rows;
                              a.out = out;
                              a.ldOut = cols;
                              PRECIS_CUDA_CHECK(launchDequant(a, nullptr, false), "dequantize kernel");
                              return {};
                          });
}

Result<std::vector<float>> matvecOnDevice(int device, DType type, const void* blocks, int64_t rows, int64_t cols,
                                          const float* x)
{
    return runKernelCheck(device, type, blocks, rows, cols, size_t(rows),
                          [&](const std::byte* w, size_t rowBytes, float* out) -> Result<void> {
                              PRECIS_TRY_ASSIGN(DeviceMemory xd, DeviceMemory::allocate(device, size_t(cols) * 4,
                                                                                         "the input", "matvec check"));
                              PRECIS_CUDA_CHECK(cudaMemcpy(xd.data(), x, size_t(cols) * 4, cudaMemcpyHostToDevice),
                                                "matvec check");
                              MatvecArgs a;
                              a.type = type;
                              a.K = cols;
                              a.nJobs = 1;
                              a.w[0] = w;
                              a.rowBytes[0] = rowBytes;
                              a.rows[0] = rows;
                              a.out[0] = out;
                              a.x = reinterpret_cast<const float*>(xd.data());
                              PRECIS_CUDA_CHECK(launchMatvec(a, nullptr, false), "matvec kernel");
                              PRECIS_CUDA_CHECK(cudaDeviceSynchronize(), "matvec check");
                              return {};
                          });
}

} // namespace engine::cuda

using engine::cuda::DeviceMemory;
using engine::cuda::selectDevice;

bool cudaBuilt() { return true; }

Result<std::vector<CudaDeviceInfo>> cudaDevices()
{
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        cudaGetLastError();
        return makeError(ErrorCode::Unsupported, "", std::string("no CUDA device: ") + cudaGetErrorString(e));
    }
    if (count == 0)
        return makeError(ErrorCode::Unsupported, "", "no CUDA device: the CUDA runtime found none");
    std::vector<CudaDeviceInfo> devices;
    for (int i = 0; i < count; ++i) {
        cudaDeviceProp p{};
        PRECIS_CUDA_CHECK(cudaGetDeviceProperties(&p, i), "CUDA device " + std::to_string(i));
        CudaDeviceInfo d;
        d.index = i;
        d.name = p.name;
        d.ccMajor = p.major;
        d.ccMinor = p.minor;
        d.totalBytes = p.totalGlobalMem;
        d.smCount = p.multiProcessorCount;
        int clockKHz = 0;
        if (cudaDeviceGetAttribute(&clockKHz, cudaDevAttrMemoryClockRate, i) != cudaSuccess) {
            cudaGetLastError();
            clockKHz = 0;
        }
        if (clockKHz > 0 && p.memoryBusWidth > 0)
            d.peakBandwidthGBs = 2.0 * double(clockKHz) * 1e3 * (double(p.memoryBusWidth) / 8.0) / 1e9;
        devices.push_back(std::move(d));
    }
    return devices;
}

Result<double> cudaReadBandwidth(int device, int reps)
{
    if (reps < 1 || reps > 1000)
        return makeError(ErrorCode::InvalidArgument, "", "reps = " + std::to_string(reps) + ", expected 1..1000");
    PRECIS_TRY(selectDevice(device));
    const std::string where = "CUDA device " + std::to_string(device);
    const size_t bytes = size_t(1) << 30;
    PRECIS_TRY_ASSIGN(DeviceMemory buffer, DeviceMemory::allocate(device, bytes + 256, "the bandwidth probe", where));
    PRECIS_CUDA_CHECK(cudaMemset(buffer.data(), 0, bytes + 256), where);
    float* sink = reinterpret_cast<float*>(buffer.data() + bytes);
    cudaDeviceProp p{};
    PRECIS_CUDA_CHECK(cudaGetDeviceProperties(&p, device), where);
    const int threads = 512;
    int perSm = 0;
    PRECIS_CUDA_CHECK(engine::cuda::readKernelOccupancy(threads, &perSm), where);
    const int blocks = std::max(1, perSm) * std::max(1, p.multiProcessorCount);

    cudaEvent_t start = nullptr, stop = nullptr;
    PRECIS_CUDA_CHECK(cudaEventCreate(&start), where);
    struct Events {
        cudaEvent_t& a;
        cudaEvent_t& b;
        ~Events()
        {
            if (a) cudaEventDestroy(a);
            if (b) cudaEventDestroy(b);
        }
    } events{start, stop};
    PRECIS_CUDA_CHECK(cudaEventCreate(&stop), where);
    std::vector<double> rates;
    for (int rep = 0; rep <= reps; ++rep) {  // rep 0: warm-up
        PRECIS_CUDA_CHECK(cudaEventRecord(start, nullptr), where);
        PRECIS_CUDA_CHECK(engine::cuda::launchReadKernel(buffer.data(), bytes / 16, sink, blocks, threads, nullptr),
                          where);
        PRECIS_CUDA_CHECK(cudaEventRecord(stop, nullptr), where);
        PRECIS_CUDA_CHECK(cudaEventSynchronize(stop), where);
        float ms = 0;
        PRECIS_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop), where);
        if (rep > 0 && ms > 0) rates.push_back(double(bytes) / (double(ms) * 1e-3) / 1e9);
    }
    if (rates.empty())
        return makeError(ErrorCode::Internal, where, "the bandwidth probe measured no time");
    std::sort(rates.begin(), rates.end());
    const size_t n = rates.size();
    return n % 2 ? rates[n / 2] : 0.5 * (rates[n / 2 - 1] + rates[n / 2]);
}

Result<uint64_t> cudaMemoryUsed(int device)
{
    PRECIS_TRY(selectDevice(device));
    size_t freeBytes = 0, total = 0;
    PRECIS_CUDA_CHECK(cudaMemGetInfo(&freeBytes, &total), "CUDA device " + std::to_string(device));
    return uint64_t(total - freeBytes);
}

} // namespace precis
