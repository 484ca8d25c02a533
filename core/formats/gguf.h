// GGUF v2/v3 reader (memory-mapped) and writer.
//
// File layout (little-endian), as specified by ggml's docs/gguf.md:
//   u32 magic "GGUF" | u32 version (2 or 3) | u64 n_tensors | u64 n_kv
//   n_kv × { string key | u32 value_type | value }
//   n_tensors × { string name | u32 n_dims | u64 ne[n_dims] | u32 ggml_type | u64 offset }
//   padding to `general.alignment` (default 32)
//   tensor data; each tensor at data_start + offset, offset % alignment == 0
// string = u64 length + bytes (no terminator). value_type: 0 u8, 1 i8, 2 u16,
// 3 i16, 4 u32, 5 i32, 6 f32, 7 bool, 8 string, 9 array (u32 elem_type, u64 n,
// elements; arrays may nest), 10 u64, 11 i64, 12 f64.
#pragma once

#include "common/mapped_file.h"
#include "common/result.h"
#include "model/model.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace precis::gguf {

enum class ValueType : uint32_t {
    Uint8 = 0, Int8 = 1, Uint16 = 2, Int16 = 3, Uint32 = 4, Int32 = 5, Float32 = 6,
    Bool = 7, String = 8, Array = 9, Uint64 = 10, Int64 = 11, Float64 = 12,
};

struct Value {
    ValueType type = ValueType::Uint32;
    // Scalars: integers in `i` (u64 values above INT64_MAX keep their bits),
    // floats in `f`, bool in `i` (0/1), string in `s`.
    int64_t i = 0;
    double f = 0.0;
    std::string s;
    // Arrays: element type and elements (which may themselves be arrays).
    ValueType elemType = ValueType::Uint8;
    std::vector<Value> arr;

    std::optional<int64_t> asInt() const;     // any integer or bool type
    std::optional<double> asFloat() const;    // float or integer types
    const std::string* asString() const;      // String only
    std::string toDisplayString(size_t maxItems = 8) const;  // for `info` / the model dock
};

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;  // outermost first (reverse of GGUF ne[])
    uint64_t offset = 0;         // relative to the data section
    uint64_t nbytes = 0;
};

class File {
public:
    // Opens and validates the whole header (see the checks listed in gguf.cpp)
    // before allocating anything proportional to a count in the file.
    static Result<File> open(const std::string& path);

    uint32_t version = 0;
    uint64_t alignment = 32;
    uint64_t dataOffset = 0;  // absolute file offset of the data section
    std::vector<std::pair<std::string, Value>> kv;  // in file order
    std::vector<TensorInfo> tensors;                // in file order
    std::shared_ptr<const MappedFile> mapping;

    const Value* find(const std::string& key) const;
    const std::byte* tensorData(const TensorInfo& t) const { return mapping->data() + dataOffset + t.offset; }
};

// Loads a GGUF model (architectures "llama", "qwen2", "mistral", "gpt2"):
// hyper-parameters from `<arch>.*` keys, tensors memory-mapped, tokenizer from
// `tokenizer.ggml.*`. Errors name the file and the key or tensor.
Result<std::shared_ptr<Model>> loadModel(const std::string& path);

// Tokenizer from `tokenizer.ggml.*` keys (model "llama" -> SentencePiece,
// "gpt2" -> ByteLevelBpe, "no"/absent -> None). Works on vocabulary-only files.
Result<TokenizerSpec> readTokenizer(const File& file);

// Writes a whole model: `general.*`, `<arch>.*` hyper-parameters, the tokenizer
// and every tensor in its current dtype (a model loaded from any format can be
// written back). Atomic (temp file + rename).
Result<void> writeModel(const Model& model, const std::string& path);

// Writes a GGUF v3 file. Tensor bytes must already be in the tensor's dtype
// layout. Written to a temporary file and renamed.
class Writer {
public:
    void setAlignment(uint64_t a) { m_alignment = a; }
    void add(std::string key, Value v);
    void addString(std::string key, std::string s);
    void addU32(std::string key, uint32_t v);
    void addF32(std::string key, float v);
    void addTensor(std::string name, DType dtype, std::vector<int64_t> shape, std::vector<std::byte> bytes);
    Result<void> write(const std::string& path) const;
    // The exact bytes write() would produce (for tests that corrupt them).
    std::vector<std::byte> serialize() const;

private:
    struct PendingTensor {
        std::string name;
        DType dtype;
        std::vector<int64_t> shape;
        std::vector<std::byte> bytes;
    };
    uint64_t m_alignment = 32;
    std::vector<std::pair<std::string, Value>> m_kv;
    std::vector<PendingTensor> m_tensors;
};

} // namespace precis::gguf
