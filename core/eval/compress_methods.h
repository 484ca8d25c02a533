// Compression methods on top of compressModel (compress.h): plain encoding
// (RTN: each scheme's own encoder, importance-weighted by the calibration
// inputs when a calibration set is given), GPTQ (error compensation with the
// layer's input Gram matrix, quant/gptq.h) and AWQ (activation-aware channel
// scaling folded into the previous operation, quant/awq.h). GPTQ and AWQ need a
// calibration set; its statistics come from one forward+backward pass.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "eval/compression_plan.h"
#include "model/model.h"
#include "quant/awq.h"
#include "quant/gptq.h"
#include "sensitivity/calibration_data.h"

#include <memory>
#include <string>

namespace precis {

enum class CompressionMethod { Rtn, Gptq, Awq };
const char* compressionMethodName(CompressionMethod m);  // "rtn", "gptq", "awq"
Result<CompressionMethod> parseCompressionMethod(const std::string& name);

struct MethodOptions {
    CompressionMethod method = CompressionMethod::Rtn;
    quant::GptqSettings gptq;
    quant::AwqSettings awq;
    int batchSequences = 2;  // of the statistics pass
    // How the run is fitted to memory (fitCompressionMemory), none changing a
    // result: the statistics pass's Gram matrices in a scratch file in
    // `scratchDir` (empty: the temporary folder), and at most `gptqAtOnce`
    // tensors through GPTQ at a time (0: one per thread).
    bool spillGrams = false;
    std::string scratchDir;
    int gptqAtOnce = 0;
};

// Sliced plans (per-slice schemes from head units, compression_plan.h): RTN
// encodes every slice with its own scheme (compressModel; a column slice's
// importance is its columns'). GPTQ and AWQ refuse them (Unsupported, naming
// the first sliced tensor): GPTQ's error feedback runs along a row through
// every column and AWQ searches one channel scaling per tensor for one
// quantizer, and neither is implemented for a row split into differently
// quantized column blocks or a tensor with several quantizers.
// Errors: those of compressModel, a method that needs calibration without a
// set, the statistics pass's, GPTQ's (Gram matrix), cancellation.
Result<std::shared_ptr<Model>> compressWithMethod(const Model& original, const CompressionPlan& plan,
                                                  const MethodOptions& options,
                                                  const sensitivity::CalibrationSet* calibration,
                                                  Progress* progress = nullptr, const CancelToken* cancel = nullptr);

// What compressWithMethod holds at its peak, from the model's shapes, the plan
// and the settings: the compressed tensors, each thread's tensor being encoded,
// and for a calibrated method the statistics pass (sensitivity::
// estimateStatisticsMemory), GPTQ's Gram matrices and per-tensor work, AWQ's
// fp32 copy. calibration: the set's sequences × length (0 × 0: none).
// threads: 0 = oneTBB's current count. Errors: resolvePlan's.
Result<MemoryEstimate> estimateCompressionMemory(const Model& original, const CompressionPlan& plan,
                                                 const MethodOptions& options, int sequences, int length,
                                                 int threads = 0);
// Makes it fit `limit` with what changes no result — the Gram matrices spilled,
// then fewer GPTQ tensors at once — or an error naming the estimate and what
// would make it fit. Returns the estimate of the run as it will go.
Result<MemoryEstimate> fitCompressionMemory(const Model& original, const CompressionPlan& plan, MethodOptions& options,
                                            int sequences, int length, uint64_t limit, int threads = 0);

} // namespace precis
