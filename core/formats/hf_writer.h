// Model weights (fp32 values under GGUF names) -> Hugging Face folder, the
// layout hf_model.cpp reads back and transformers loads:
//   config.json            LlamaConfig / Qwen2Config / MistralConfig / GPT2Config fields
//   model.safetensors      every tensor as F32, F16 or BF16 under its HF name; Llama
//                          q/k rows in HF's rotate-half layout (tensors given in the
//                          interleaved layout are permuted), GPT-2 Conv1D weights
//                          stored transposed (in, out); a tied output is not stored
//   tokenizer.json, tokenizer_config.json   (skipped when the tokenizer is None)
// Used by the trainer's checkpoints and by the export of compressed models.
#pragma once

#include "common/result.h"
#include "model/model.h"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace precis::hf {

// One tensor to write: GGUF name, shape outermost first, numel fp32 values
// (row-major, in the model's RoPE layout); the caller keeps `values` alive.
struct HfTensorValues {
    std::string name;
    std::vector<int64_t> shape;
    std::span<const float> values;
};

// Hugging Face name of a GGUF tensor name of `arch`, e.g. blk.3.attn_q.weight ->
// model.layers.3.self_attn.q_proj.weight; `transposed` (GPT-2 Conv1D) tells
// the weight is stored (in, out). Empty when the name has no HF counterpart.
std::string hfTensorName(Arch arch, const std::string& ggufName, bool* transposed = nullptr);

// Writes config.json, model.safetensors, tokenizer.json and tokenizer_config.json
// into `dir` (which must exist), each file atomically. `dtype` (F32, F16 or BF16)
// is the element type of every stored tensor; values are rounded to nearest-even.
// Errors: a tensor name without an HF counterpart, a value count not matching
// its shape, a finite value outside the range of F16 (naming the tensor and the
// value), unsupported tokenizer, I/O.
Result<void> writeHfFolder(const ModelConfig& config, const TokenizerSpec& tokenizer,
                           const std::vector<HfTensorValues>& tensors, const std::string& dir,
                           DType dtype = DType::F32);

// A tensor whose values are made when the writer reaches it: one tensor's values
// (and their converted copy) exist at a time, so a model larger than memory can
// be written. The same checks and errors; an error from `values` stops the write
// with nothing of model.safetensors left behind.
struct HfTensorSource {
    std::string name;
    std::vector<int64_t> shape;
    std::function<Result<std::vector<float>>()> values;
};
Result<void> writeHfFolder(const ModelConfig& config, const TokenizerSpec& tokenizer,
                           const std::vector<HfTensorSource>& tensors, const std::string& dir,
                           DType dtype = DType::F32);

} // namespace precis::hf
