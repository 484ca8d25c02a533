// Hugging Face model folders: config.json + model.safetensors (or shards listed
// in model.safetensors.index.json) + tokenizer.json.
//
// safetensors layout: u64 header_len (LE) | header_len bytes of JSON
//   { "__metadata__": {...}, "<name>": {"dtype": "F32"|"F16"|"BF16"|...,
//     "shape": [...], "data_offsets": [begin, end]}, ... } | data
// Offsets are relative to the end of the header.
// (https://github.com/huggingface/safetensors, "Format" section.)
#pragma once

#include "common/mapped_file.h"
#include "common/result.h"
#include "model/model.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace precis::hf {

struct SafetensorsEntry {
    std::string name;     // as in the file (HF name)
    DType dtype = DType::F32;     // meaningful only when `supported`
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;  // absolute file offsets
    std::string fileDtype;        // as spelled in the file: "F32", "I64", "U8", ...
    bool supported = true;        // fileDtype is F32, F16 or BF16
    int64_t numel() const;
};

struct SafetensorsFile {
    // Maps and validates the whole header before allocating anything in proportion
    // to it: length (<= file size - 8, <= 100 MB), UTF-8, JSON syntax, duplicate
    // names, dtype names, shapes (non-negative, no overflow), data_offsets (size
    // matches shape x dtype, in bounds, no two tensors overlap). Dtypes other than
    // F32/F16/BF16 are accepted here with supported = false; the caller decides.
    static Result<SafetensorsFile> open(const std::string& path);
    std::vector<SafetensorsEntry> entries;  // sorted by data offset
    std::shared_ptr<const MappedFile> mapping;
    std::vector<std::pair<std::string, std::string>> metadata;  // "__metadata__"
    std::unordered_map<std::string, size_t> index;              // name -> entries[i]

    const SafetensorsEntry* find(const std::string& name) const;
    const std::byte* data(const SafetensorsEntry& e) const { return mapping->data() + e.begin; }
};

// Parses a small JSON document (config.json, index, tokenizer_config.json).
// Unlike plain nlohmann::json::parse it rejects duplicate object keys and
// nesting deeper than 256; errors name `where` and the byte position.
Result<nlohmann::json> parseJsonStrict(const std::string& text, const std::string& where);

// Loads a folder; maps HF names to GGUF names, handles Llama (llama, qwen2,
// mistral) and GPT-2 (Conv1D weights transposed, fused qkv), tied embeddings.
Result<std::shared_ptr<Model>> loadModel(const std::string& folder);

} // namespace precis::hf
