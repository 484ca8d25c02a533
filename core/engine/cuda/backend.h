// Engine-internal entry points of the CUDA backend, declared in every build:
// cuda_engine.cpp / device.cpp define them when the backend is built, stub.cpp
// otherwise (every call then returns the "no CUDA backend" error). Plain C++.
#pragma once

#include "common/result.h"
#include "engine/engine.h"
#include "model/dtype.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace precis::engine::cuda {

// Engine::create for EngineOptions::device == Device::Cuda (the model has been
// validated by the caller).
Result<std::unique_ptr<Engine>> createEngine(std::shared_ptr<const Model> model, const EngineOptions& options);

// One line describing a CUDA engine: device, launch mode (CUDA graphs and
// programmatic dependent launch on or off), weight bytes on the device. Empty
// for other engines. For logs and tests.
std::string describe(const Engine& engine);

// ---- Kernel checks for the tests (each uploads, runs one kernel, downloads) ----
// `rows` rows of `cols` values of `type` (GGUF blocks, rows packed) dequantized
// to fp32 on the device: bit-identical to quant::dequantizeRow.
Result<std::vector<float>> dequantizeOnDevice(int device, DType type, const void* blocks, int64_t rows, int64_t cols);
// y (rows) = W · x by the decode matrix-vector kernel (fp32 activations,
// fp32 accumulation).
Result<std::vector<float>> matvecOnDevice(int device, DType type, const void* blocks, int64_t rows, int64_t cols,
                                          const float* x);

} // namespace precis::engine::cuda
