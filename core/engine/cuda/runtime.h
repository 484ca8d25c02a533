// CUDA backend, internal: CUDA runtime and cuBLAS failures as precis::Error,
// device selection and owned device memory. Host C++ (device.cpp).
//
// Every runtime call goes through PRECIS_CUDA_CHECK, which returns an Error
// naming the call and the runtime's message, e.g.
//   "CUDA error in cudaMalloc(&p, bytes): out of memory (cudaErrorMemoryAllocation)".
#pragma once

#include "common/result.h"

#include <cublas_api.h>
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace precis::engine::cuda {

Error cudaFailure(cudaError_t e, const std::string& call, const std::string& where);
Error cublasFailure(cublasStatus_t s, const std::string& call, const std::string& where);

#define PRECIS_CUDA_CHECK(call, where)                                               \
    do {                                                                             \
        const cudaError_t precis_e_ = (call);                                        \
        if (precis_e_ != cudaSuccess)                                                \
            return ::precis::engine::cuda::cudaFailure(precis_e_, #call, (where));  \
    } while (0)

#define PRECIS_CUBLAS_CHECK(call, where)                                                \
    do {                                                                                \
        const cublasStatus_t precis_s_ = (call);                                        \
        if (precis_s_ != CUBLAS_STATUS_SUCCESS)                                         \
            return ::precis::engine::cuda::cublasFailure(precis_s_, #call, (where));   \
    } while (0)

// Makes `index` the calling thread's current device. Errors: "no CUDA device:
// <runtime message>" when the runtime sees none, "CUDA device N does not exist
// (this machine has M)".
Result<void> selectDevice(int index);

// "1234567 bytes (1.2 GiB)".
std::string byteCount(uint64_t bytes);

// Device memory owned by one object (cudaFree on destruction, on the device it
// was allocated on). Move-only.
class DeviceMemory {
public:
    DeviceMemory() = default;
    DeviceMemory(DeviceMemory&& other) noexcept { *this = std::move(other); }
    DeviceMemory& operator=(DeviceMemory&& other) noexcept;
    DeviceMemory(const DeviceMemory&) = delete;
    DeviceMemory& operator=(const DeviceMemory&) = delete;
    ~DeviceMemory() { release(); }

    // `bytes` on the current device (`device` is its index). Out of memory
    // gives: "not enough device memory: <what> needs N bytes (x GiB); M bytes
    // (y GiB) of device D are free".
    static Result<DeviceMemory> allocate(int device, size_t bytes, const std::string& what, const std::string& where);

    std::byte* data() const { return m_p; }
    size_t size() const { return m_bytes; }
    void release();

private:
    std::byte* m_p = nullptr;
    size_t m_bytes = 0;
    int m_device = 0;
};

// Offsets of sub-buffers inside one allocation, each 256-byte aligned.
struct Layout {
    size_t total = 0;
    size_t add(size_t bytes)
    {
        const size_t offset = total;
        total += (bytes + 255) / 256 * 256;
        return offset;
    }
};

} // namespace precis::engine::cuda
