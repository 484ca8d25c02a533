// Precis-native tensors on their way into a GGUF file (DESIGN.md §14). Two
// in-memory types have no GGUF type: the RTN layouts (quant/rtn.h) and
// Segmented tensors (model/segmented.h: slices of one matrix in different
// types, from head-unit allocations). A GGUF export refuses them, or stores
// each as one GGUF type, chosen here:
//
//   AsF16        every native tensor as F16: its values rounded to fp16, the
//                file larger than the plan (a segmented F32 slice loses its
//                last mantissa bits, like any F32 tensor stored as F16).
//   NearestGguf  the nearest GGUF type with at least as many bits per code:
//                RTN b-bit -> Q2_K, Q3_K, Q4_K, Q5_K, Q6_K for b = 2..6 and
//                Q8_0 for b = 7, 8; a segmented tensor -> of its slices' GGUF
//                types (GGUF slices as they are, RTN slices mapped as above)
//                the one of most bits per weight (the first such slice on a
//                tie), so no slice is stored with fewer bits than it had; then
//                llama.cpp's fallback table (fallbackScheme, compression_plan.h)
//                when the tensor's rows do not fit that type's block size.
//
// Conversion encodes the tensor's dequantized values with the chosen type's
// reference encoder (no importance), then copies back the bytes of every
// segment already in that type whose blocks line up with the type's blocks
// (row segments always; column segments whose begin and end are multiples of
// the block size): those slices keep their values exactly.
#pragma once

#include "common/result.h"
#include "eval/compression_plan.h"
#include "model/model.h"
#include "quant/scheme.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace precis {

enum class NativeTensors { Refuse, AsF16, NearestGguf };
const char* nativeTensorsName(NativeTensors n);  // "refuse", "f16", "gguf"

// (tensor, tensorTypeName) of every tensor stored in an RTN type or
// Segmented, in tensor order.
std::vector<std::pair<std::string, std::string>> nativeTensors(const Model& model);

// The GGUF scheme of at least as many bits per code as `s` (the table above);
// GGUF and float schemes are returned as they are.
quant::Scheme nearestGgufScheme(const quant::Scheme& s);

// What one native tensor becomes in the file.
struct GgufConversion {
    std::string tensor;
    std::string from;                 // "RTN4g128", "SEG[Q8_0+Q4_0]"
    std::vector<std::string> slices;  // a segmented tensor's slices: "rows [0, 64) Q8_0", ...
    std::string to;                   // the GGUF type; empty under Refuse
    int64_t bytesBefore = 0;          // as held in memory (a segmented tensor: its 32 + 40·n header bytes included)
    int64_t bytesAfter = 0;           // in the GGUF file; 0 under Refuse
};

// For every native tensor of `model`, in tensor order, what `how` makes of it
// (before anything is written; the export dialog shows it). Tensors whose
// segmented header does not read are listed with `to` empty.
std::vector<GgufConversion> ggufConversions(const Model& model, NativeTensors how);

// The same for a plan before it is compressed: the plan's RTN and sliced
// entries on `original`'s tensors (bytes as compressModel would store them).
// Errors: resolvePlan's.
Result<std::vector<GgufConversion>> ggufConversions(const Model& original, const CompressionPlan& plan,
                                                    NativeTensors how);

// One line for an export report: "tensor 'blk.0.attn_q.weight' (rows [0, 64)
// Q8_0, rows [64, 256) Q4_0) is stored as Q8_0: 34880 -> 69632 bytes (+34752)".
std::string conversionNote(const GgufConversion& c);
// An export report's notes: one conversionNote per segmented tensor (each has
// its own slices), then the RTN tensors in one line when there are several
// ("16 RTN tensors (e.g. 'blk.0.attn_q.weight', RTN4g32) are stored as Q4_K ×14,
// Q5_0 ×2 (GGUF has no RTN type): 123 -> 456 bytes (+333)"), else its own note.
std::vector<std::string> conversionNotes(const std::vector<GgufConversion>& conversions);

// A model sharing every other tensor with `model`, its native tensors
// converted per `how` (AsF16 or NearestGguf; Refuse converts nothing), and
// what was done. Tensors are converted in parallel (oneTBB). Errors: a tensor
// that cannot be dequantized (naming it).
struct ConvertedModel {
    std::shared_ptr<const Model> model;
    std::vector<GgufConversion> conversions;
};
Result<ConvertedModel> convertNativeTensors(const Model& model, NativeTensors how);

} // namespace precis
