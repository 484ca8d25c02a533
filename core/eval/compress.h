// Compression of a model by a plan (eval/compression_plan.h), its size, and its
// export as GGUF or as a Hugging Face folder (DESIGN.md §7–§8).
//
// The compressed model is an ordinary Model: every planned tensor is an owned
// Tensor holding exactly the bytes quant::encode produced, in the scheme's
// dtype (F32/F16/BF16, a GGUF block type, or an RTN layout's in-memory type,
// model/dtype.h), so gguf::writeModel writes the GGUF ones unchanged and the
// engine runs all of them on its block kernels (or dequantizes them). A sliced
// plan entry (TensorAssignment::slices) becomes a Segmented tensor
// (model/segmented.h): each slice taken as its own contiguous matrix, encoded
// by quant::encode in its scheme, behind a 32 + 40·n byte header; the engine
// runs it dequantized to fp32 (it has no kernel, whatever EngineOptions say).
//
// RTN and Segmented tensors have no GGUF type: exportGguf() refuses a model
// holding them unless asked to convert them (eval/gguf_conversion.h: as F16,
// or as the nearest GGUF type of at least as many bits), because a file that
// is silently larger than the plan promised is worse than an error.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "eval/compression_plan.h"
#include "eval/gguf_conversion.h"
#include "model/model.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace precis {

// Encodes every tensor of `plan` (checked first with resolvePlan; nothing is
// encoded when the plan is bad) and returns a new model sharing the other
// tensors with `original` (which may be released afterwards: shared tensors
// keep their buffers alive). A tensor already stored in the planned GGUF/float
// type is kept byte for byte (no requantization); a quantized source is
// dequantized first. The result keeps config, tokenizer and metadata.
//
// A sliced tensor's slice already stored in its scheme (the same segment of a
// Segmented source, rows or block-aligned columns of a tensor of that type)
// keeps its bytes too.
//
// importance (optional): per-tensor column importance (`cols` values ≥ 0, e.g.
// the diagonal of XᵀX), used by the scale searches (quant::encode); a column
// slice uses its columns' entries, a row slice all of them; entries for
// tensors outside the plan are ignored.
// Tensors are encoded in parallel (oneTBB); the result does not depend on the
// thread count. Progress reports the fraction of planned weights done.
// Errors (InvalidArgument) name the tensor and the scheme: unknown tensor,
// not a weight matrix, unknown scheme, rows that do not fit the block size,
// an importance vector of the wrong length or with a negative / non-finite
// entry, a NaN/Inf weight (row and column). Cancelled when `cancel` fires.
Result<std::shared_ptr<Model>> compressModel(const Model& original, const CompressionPlan& plan,
                                             const std::map<std::string, std::vector<float>>* importance = nullptr,
                                             Progress* progress = nullptr, const CancelToken* cancel = nullptr);

// (tensor, RTN scheme name) of every tensor stored in an RTN type, in tensor order.
std::vector<std::pair<std::string, std::string>> rtnTensors(const Model& model);

struct ModelSize {
    int64_t bytes = 0;    // Σ tensor bytes as stored (a Segmented tensor's header included)
    int64_t weights = 0;  // Σ tensor elements
    double bitsPerWeight() const { return weights > 0 ? 8.0 * double(bytes) / double(weights) : 0.0; }
};
// Tensor data only, every tensor (as llama.cpp's "model size … BPW" line). A
// Segmented tensor counts all its bytes: its slices' plus the 32 + 40·n header
// bytes (model/segmented.h), which is what it occupies in memory.
ModelSize modelSize(const Model& model);

struct ExportReport {
    uint64_t fileBytes = 0;          // bytes written (all files)
    std::vector<std::string> notes;  // what the user should know (tensors converted, ...)
    std::vector<GgufConversion> conversions;  // native tensors converted (GGUF export)
};

// Writes `model` as GGUF (gguf::writeModel: any per-tensor mix of types,
// general.file_type, quantization_version 2, temp file + rename). RTN and
// Segmented tensors: Refuse gives Unsupported naming the first one and its
// type; AsF16 / NearestGguf convert them (convertNativeTensors), list every
// conversion in ExportReport::conversions and add conversionNotes(): one per
// segmented tensor (its slices' types, the type used, the bytes before and
// after), one for all RTN tensors. A missing output folder is an Io error;
// nothing is left behind on failure.
Result<ExportReport> exportGguf(const Model& model, const std::string& path,
                                NativeTensors native = NativeTensors::Refuse);

// Writes `model` dequantized to `dtype` (F32, F16 or BF16), one tensor at a time
// (the fp32 values of a whole 7B model would not fit), as a Hugging Face
// folder `dir` (hf::writeHfFolder: config.json, model.safetensors,
// tokenizer.json, tokenizer_config.json). A folder that does not exist yet is
// created as "<dir>.tmp-precis" and renamed into place when complete; into an
// existing folder each file is written atomically. Errors: the parent folder
// missing, `dir` being a file, F16 overflow (naming the tensor), I/O.
Result<ExportReport> exportSafetensors(const Model& model, const std::string& dir, DType dtype = DType::F16,
                                       Progress* progress = nullptr, const CancelToken* cancel = nullptr);

} // namespace precis
