// A compression plan: which quantization scheme each weight tensor gets
// (DESIGN.md §6–§7). Plans come from anywhere — a uniform choice, a recipe
// file, the allocation solver — and feed compressModel() (eval/compress.h).
//
// A tensor gets one scheme, or per-slice schemes (TensorAssignment::slices):
// its rows, or its columns, cut into ranges that each have their own scheme.
// A sliced tensor is compressed into a Segmented tensor (model/segmented.h)
// holding every slice in its own type; head-unit allocations produce them.
//
// Recipe JSON (recipeToJson / parseRecipeJson), version 2:
//   { "format": "precis.recipe", "version": 2,
//     "tensors": { "token_embd.weight": "Q8_0",
//                  "blk.0.attn_q.weight": { "rows": [ {"begin": 0, "end": 64, "scheme": "Q8_0"},
//                                                     {"begin": 64, "end": 256, "scheme": "Q4_0"} ] },
//                  "blk.0.attn_output.weight": { "columns": [ ... ] }, ... } }
// A tensor's value is a scheme name, or an object with exactly one key, "rows"
// or "columns", whose array lists the slices (any order; resolvePlan checks
// them against the model). Version 1 (the only shape before slices) has scheme
// names only and is still read; recipeToJson writes version 1 when no tensor
// of the plan is sliced, so such recipes stay readable by older Precis, and
// version 2 otherwise. Only "tensors" is required ("version" absent: either
// shape); scheme names are quant::parseScheme's (case-insensitive). Tensors
// not listed keep their current type.
#pragma once

#include "allocation/option_builder.h"
#include "common/result.h"
#include "model/model.h"
#include "quant/scheme.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace precis {

// Rows [begin, end) of a tensor, or columns [begin, end) of every row, with a scheme.
struct TensorSlice {
    bool columns = false;
    int64_t begin = 0, end = 0;
    std::string scheme;  // quant::Scheme::name()
    bool operator==(const TensorSlice&) const = default;
};

struct TensorAssignment {
    TensorAssignment() = default;
    // {tensor, scheme} as before slices existed, or {tensor, {}, slices}.
    TensorAssignment(std::string tensor_, std::string scheme_, std::vector<TensorSlice> slices_ = {})
        : tensor(std::move(tensor_)), scheme(std::move(scheme_)), slices(std::move(slices_))
    {
    }

    std::string tensor;  // GGUF name, e.g. "blk.0.attn_q.weight"
    std::string scheme;  // quant::Scheme::name(), e.g. "Q4_K", "RTN4g128"; empty when sliced
    // Per-slice schemes instead of `scheme`: all row slices or all column
    // slices, together covering every row (column) exactly once. Each slice's
    // row length must fit its scheme's block size: a row slice's rows have the
    // tensor's `cols` values, a column slice's rows its width (end − begin), so
    // a 64-wide head of attn_output cannot take a K-quant (256).
    std::vector<TensorSlice> slices;
    bool sliced() const { return !slices.empty(); }
};

struct CompressionPlan {
    // At most one entry per tensor. Unlisted weight tensors keep their type;
    // 1-D tensors (norms, biases) are never quantized.
    std::vector<TensorAssignment> tensors;
};

// The assignment's scheme, or for a sliced one "SEG[Q8_0+Q4_0]": its slices'
// schemes in order of first appearance, as tensorTypeName (model/segmented.h)
// names the compressed tensor.
std::string assignmentLabel(const TensorAssignment& a);

// What llama-quantize quantizes (llama-quant.cpp): tensors of ≥ 2 dimensions
// named "*.weight", except norms ("*_norm.weight") and GPT-2's position_embd.
bool isQuantizableWeight(const Tensor& t);

struct ResolvedSlice {
    bool columns = false;
    int64_t begin = 0, end = 0;
    quant::Scheme scheme;
};

// One plan entry checked against a model.
struct ResolvedAssignment {
    const Tensor* tensor = nullptr;
    quant::Scheme scheme;               // unused when sliced
    std::vector<ResolvedSlice> slices;  // sorted by begin; empty: the whole tensor gets `scheme`
};

// Checks every entry: the tensor exists and is a quantizable weight, the scheme
// name parses, the tensor's rows fit the scheme's block size, no tensor twice.
// Sliced entries: no whole-tensor scheme beside the slices, one axis (rows or
// columns), every slice inside the tensor with end > begin, its scheme parsed
// and fitting the slice's row length (see TensorSlice), no two slices
// overlapping and no row (column) left out.
// Errors (InvalidArgument) name the tensor and the scheme, and the slice
// ("tensor 'blk.0.attn_output.weight' slice columns [0, 64) (Q4_K)"); the
// first error wins.
Result<std::vector<ResolvedAssignment>> resolvePlan(const Model& model, const CompressionPlan& plan);
// The bytes of a resolved entry's tensor as the plan stores it (its slices' sum when sliced).
uint64_t plannedBytes(const ResolvedAssignment& r);

// A scheme replaced because a tensor's rows do not fit it.
struct PlanFallback {
    std::string tensor;
    std::string requested;  // e.g. "Q4_K"
    std::string used;       // e.g. "F16"
    int64_t cols = 0;       // the row length that did not fit
};

struct UniformPlan {
    CompressionPlan plan;
    std::vector<PlanFallback> fallbacks;  // in tensor order
};

// The nearest scheme that can store rows of `cols` values, following
// llama.cpp's fallback table (llama-quant.cpp, tensor_type_fallback):
// Q2_K, Q3_K -> Q4_0 (llama.cpp uses IQ4_NL, which Precis does not encode);
// Q4_K -> Q5_0; Q5_K -> Q5_1; Q6_K -> Q8_0; RTN<b>g<g> -> RTN<b>g32; and F16
// when that still does not fit (or for 32-value formats). Returns `s` itself
// when it fits.
quant::Scheme fallbackScheme(const quant::Scheme& s, int64_t cols);

// Every quantizable weight of `model` -> `scheme` (falling back per tensor as
// above, each fallback reported). Errors: unknown scheme name.
Result<UniformPlan> uniformPlan(const Model& model, std::string_view scheme);

// The plan of an allocation (unit -> scheme, allocation/option_builder.h's
// units at `granularity`): a tensor unit's tensor gets its scheme; a layer
// unit gives every weight matrix of its block its scheme; head units give
// their slices (unitSlices) of each tensor their scheme, and a tensor's head
// slices become its TensorAssignment::slices, sorted, with neighbours of one
// scheme merged, or a plain `scheme` when every head chose the same one. At
// head granularity the tensors head units cover (q, attn_output, qkv, and k/v
// when every head has its own KV head) are covered by them alone; the others
// (k/v under GQA, the FFN, embeddings) stay tensor units. Errors: a unit that
// is not one of the model's at that granularity, a unit or tensor given twice,
// a tensor whose head slices leave rows or columns out (an assignment missing
// some of its heads), with the tensor and the range named.
Result<CompressionPlan> planFromAssignment(const Model& model, Granularity granularity,
                                           const std::vector<std::pair<std::string, std::string>>& assignment);

// Recipe JSON text (indent < 0: one line); tensors in plan order.
std::string recipeToJson(const CompressionPlan& plan, int indent = 2);
// Parses a recipe; checks the JSON shape and the scheme names (not the tensors:
// resolvePlan does that against a model). Errors name `where` and the field.
Result<CompressionPlan> parseRecipeJson(std::string_view text, const std::string& where);
Result<CompressionPlan> readRecipe(const std::string& path);
Result<void> writeRecipe(const CompressionPlan& plan, const std::string& path);  // atomic

// llama.cpp's spelling of a GGUF or float type in llama-quantize arguments:
// "q4_k", "q8_0", "f16", "bf16", "f32".
std::string llamaCppTypeName(const quant::Scheme& s);

// Arguments (after the program name) that make llama.cpp's `llama-quantize`
// write the plan's types: the options, then the positionals INPUT OUTPUT TYPE.
//   --token-embedding-type T and --output-tensor-type T for token_embd.weight
//   and output.weight, and "--tensor-type ^NAME$=T" for every other entry, the
//   name a regular expression with its dots escaped: llama-quantize matches
//   patterns with std::regex_search, so a plain "output.weight" would also hit
//   "blk.0.attn_output.weight", and "blk.1.ffn_up" would hit layer 1x.
//   TYPE is a llama_ftype name whose base type no --tensor-type entry uses
//   (Q8_0, else Q4_0, Q5_0, ...): some llama.cpp versions treat an override equal
//   to the base type as "not manual" and apply their per-tensor mixture rules
//   to it. Tensors the plan does not list get TYPE's type (uniformPlan lists
//   every quantizable weight).
// Errors (Unsupported): an RTN scheme (llama.cpp has no such type), a sliced
// tensor (llama.cpp gives a tensor one type), an empty plan.
Result<std::vector<std::string>> llamaQuantizeArgs(const CompressionPlan& plan,
                                                   const std::string& input = "MODEL-F32.gguf",
                                                   const std::string& output = "OUT.gguf");
// The arguments as one POSIX shell line (single-quoted where needed).
std::string shellJoin(const std::vector<std::string>& args);

} // namespace precis
