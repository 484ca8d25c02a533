// Element / block types. Numeric values are ggml's `ggml_type` ids so GGUF
// files map 1:1. Quantized types store blocks of `blockSize` values in
// `typeSize` bytes; a row's length must be a multiple of blockSize.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace precis {

enum class DType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    BF16 = 30,
};

struct DTypeTraits {
    DType type;
    std::string_view name;  // "F32", "Q4_K", ... as llama.cpp spells them
    int blockSize;          // values per block (1 for plain types)
    int typeSize;           // bytes per block
    bool quantized;
};

// nullopt for ids we do not know (the caller reports the value found).
std::optional<DTypeTraits> dtypeTraits(uint32_t ggmlId);
const DTypeTraits& dtypeTraits(DType t);
std::string_view dtypeName(DType t);
std::optional<DType> dtypeFromName(std::string_view name);

// Precis' own RTN format (quant/rtn.h: b bits in groups of g values, an fp16
// scale per group and, when asymmetric, an fp16 offset) as in-memory types,
// one per layout, so compressed models hold RTN tensors in their bytes. Their
// ids lie outside ggml's range: dtypeTraits(uint32_t) never returns them, so no
// file is read as RTN, and the writers refuse them (export converts). Names as
// the quantization schemes spell them: "RTN4g128", "RTN3g64a".
struct RtnLayout {
    int bits = 4;            // 2..8
    int group = 128;         // 32, 64 or 128
    bool asymmetric = false;
};
DType rtnDType(const RtnLayout& layout);  // layout must be valid (bits 2..8, group 32/64/128)
std::optional<RtnLayout> rtnLayout(DType t);  // nullopt for every other type
inline bool isRtn(DType t) { return rtnLayout(t).has_value(); }

// Bytes needed for `n` values (n must be a multiple of the block size; returns
// nullopt otherwise or on overflow).
std::optional<uint64_t> dtypeRowBytes(DType t, uint64_t n);

} // namespace precis
