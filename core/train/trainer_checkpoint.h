// What the trainer writes into its output folder, and the trainer state file.
//
// Hugging Face folder (loadable by precis::loadModel and transformers):
//   config.json            LlamaConfig / GPT2Config fields
//   model.safetensors      F32, HF tensor names; Llama q/k rows in HF's rotate-half
//                          layout (parameters in the interleaved layout are permuted),
//                          GPT-2 Conv1D weights stored (in, out)
//   tokenizer.json, tokenizer_config.json
//
// trainer_state.bin (little-endian), version 1:
//   char[8] "PRECISTS" | u32 version
//   u64 n + n bytes     settings as JSON text (trainer.cpp)
//   u64 step            completed optimizer steps
//   u64 adam_step       AdamW's t (equals step unless a run was converted)
//   u64 token_count | u64 token_fingerprint      the training token stream
//   u64 param_fingerprint                        FNV-1a 64 of the fp32 parameter bytes
//   u32 n_tensors, then per tensor:
//     u32 name length + name | u32 n_dims | n_dims × i64 dims (outermost first)
//     numel × f32 first moment | numel × f32 second moment
//   u64 checksum        FNV-1a 64 of every byte before it
#pragma once

#include "common/result.h"
#include "tokenizer/tokenizer_spec.h"
#include "train/parameters.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace precis {

// Writes config.json, model.safetensors, tokenizer.json and tokenizer_config.json
// into `dir` (which must exist), each atomically.
Result<void> writeHfCheckpoint(const Parameters& params, const TokenizerSpec& tokenizer, const std::string& dir);

struct TrainerState {
    std::string settingsJson;
    int64_t step = 0;
    int64_t adamStep = 0;
    int64_t tokenCount = 0;
    uint64_t tokenFingerprint = 0;
    uint64_t paramFingerprint = 0;
    struct Moments {
        std::string name;
        std::vector<int64_t> shape;
        std::vector<float> m, v;
    };
    std::vector<Moments> tensors;
};

std::vector<std::byte> serializeTrainerState(const TrainerState& state);
// Validates magic, version, every length against the bytes that remain (before
// allocating), numel = product of dims, the checksum. Errors name `where` and the field.
Result<TrainerState> parseTrainerState(std::span<const std::byte> bytes, const std::string& where);
Result<TrainerState> readTrainerState(const std::string& path);

// FNV-1a 64 over every parameter value's bytes, in tensor order.
uint64_t parameterFingerprint(const Parameters& params);

} // namespace precis
