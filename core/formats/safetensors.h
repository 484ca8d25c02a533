// Hugging Face model folders: config.json + model.safetensors (or shards listed
// in model.safetensors.index.json) + tokenizer.json.
//
// safetensors layout: u64 header_len (LE) | header_len bytes of JSON
//   { "__metadata__": {...}, "<name>": {"dtype": "F32"|"F16"|"BF16"|...,
//     "shape": [...], "data_offsets": [begin, end]}, ... } | data
// Offsets are relative to the end of the header.
#pragma once

#include "common/mapped_file.h"
#include "common/result.h"
#include "model/model.h"

#include <memory>
#include <string>
#include <vector>

namespace precis::hf {

struct SafetensorsEntry {
    std::string name;     // as in the file (HF name)
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;  // absolute file offsets
};

struct SafetensorsFile {
    static Result<SafetensorsFile> open(const std::string& path);
    std::vector<SafetensorsEntry> entries;
    std::shared_ptr<const MappedFile> mapping;
};

// Loads a folder; maps HF names to GGUF names, handles Llama (llama, qwen2,
// mistral) and GPT-2 (Conv1D weights transposed, fused qkv), tied embeddings.
Result<std::shared_ptr<Model>> loadModel(const std::string& folder);

} // namespace precis::hf
