// The memory of a calibration run (DESIGN.md §5), estimated from the model's
// shapes and the settings before any weight is read, and fitted to a limit.
#pragma once

#include "common/memory.h"
#include "common/result.h"
#include "model/model.h"
#include "sensitivity/calibration.h"

#include <cstdint>

namespace precis::sensitivity {

// What runCalibration on the weights as stored (storedParameters: the tensors
// outside the blocks as fp32, each pass reading one block at a time) holds at
// its peak for `sequences` × `length` tokens: the lasting parts (those tensors,
// statistics, report) and the largest of the stages' working memory (the
// backward pass's activations and gradients; one quantized tensor per thread
// for the predicted damage; the logits, residual cache and per-thread passes of
// the measurements). threads: the worker threads (0: oneTBB's current count).
MemoryEstimate estimateCalibrationMemory(const ModelConfig& config, int sequences, int length,
                                         const CalibrationSettings& settings, int threads = 0);

// What collectStatistics holds at its peak (the statistics pass alone: no
// report, no measurements).
MemoryEstimate estimateStatisticsMemory(const ModelConfig& config, int sequences, int length,
                                        const CalibrationSettings& settings, int threads = 0);

// Makes the run fit `limit`: when it does not, the residual cache is dropped,
// then the Gram matrices are spilled to a scratch file (the same results, slower);
// when it still does not, an error naming the
// estimate, its largest consumers and a setting that would make it fit (or
// that none would). Returns the estimate of the run as it will go.
Result<MemoryEstimate> fitCalibrationMemory(const ModelConfig& config, int sequences, int length,
                                            CalibrationSettings& settings, uint64_t limit, int threads = 0);

} // namespace precis::sensitivity
