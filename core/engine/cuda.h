// The optional CUDA backend: what this build and this machine offer. Plain
// C++ (no CUDA header), available in every build; without the backend (nvcc
// was not found at configure time, or -DPRECIS_CUDA=OFF) every query returns
// the error below. The engine itself is reached through Engine::create with
// EngineOptions::device = Device::Cuda (engine.h).
#pragma once

#include "common/result.h"
#include "model/dtype.h"

#include <cstdint>
#include <string>
#include <vector>

namespace precis {

struct CudaDeviceInfo {
    int index = 0;
    std::string name;
    int ccMajor = 0, ccMinor = 0;  // compute capability, e.g. 9.0 for Hopper
    uint64_t totalBytes = 0;       // device memory
    int smCount = 0;
    // Theoretical memory bandwidth from the memory clock × bus width (× 2 for
    // double data rate) when the runtime reports them, else 0.
    double peakBandwidthGBs = 0;
};

// True when this build contains the CUDA backend.
bool cudaBuilt();

// The CUDA devices the runtime sees. Errors: "this build has no CUDA backend
// (nvcc was not found when it was configured)", or "no CUDA device: <runtime
// message>" (no GPU, no driver, or a driver older than the runtime).
Result<std::vector<CudaDeviceInfo>> cudaDevices();

// Measured read bandwidth of `device` in GB/s: the median of `reps` (1..1000)
// runs of a kernel that reads a 1 GiB buffer once, after one warm-up run.
// This is the decode ceiling's denominator (bytes per token / bandwidth).
Result<double> cudaReadBandwidth(int device, int reps);

// Device memory in use on `device` by every process (total − free), bytes.
Result<uint64_t> cudaMemoryUsed(int device);

// Weight types the CUDA engine multiplies in their blocks: the GGUF types with
// a CPU kernel (F16, BF16, Q4_0 … Q6_K); the rest (RTN layouts, Segmented
// tensors) go up as fp32, dequantized on the host by quant::dequantize.
bool cudaHasKernel(DType weight);

} // namespace precis
