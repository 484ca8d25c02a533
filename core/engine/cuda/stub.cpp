// The CUDA backend's entry points in a build without it (nvcc was not found at
// configure time, or -DPRECIS_CUDA=OFF): every call reports that.
#include "engine/cuda.h"
#include "engine/cuda/backend.h"

namespace precis {

namespace {

Error noBackend()
{
    return makeError(ErrorCode::Unsupported, "",
                     "this build has no CUDA backend (nvcc was not found when it was configured)");
}

} // namespace

bool cudaBuilt() { return false; }
Result<std::vector<CudaDeviceInfo>> cudaDevices() { return noBackend(); }
Result<double> cudaReadBandwidth(int, int) { return noBackend(); }
Result<uint64_t> cudaMemoryUsed(int) { return noBackend(); }

namespace engine::cuda {

Result<std::unique_ptr<Engine>> createEngine(std::shared_ptr<const Model>, const EngineOptions&) { return noBackend(); }
std::string describe(const Engine&) { return {}; }
Result<std::vector<float>> dequantizeOnDevice(int, DType, const void*, int64_t, int64_t) { return noBackend(); }
Result<std::vector<float>> matvecOnDevice(int, DType, const void*, int64_t, int64_t, const float*)
{
    return noBackend();
}

} // namespace engine::cuda

} // namespace precis
