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
    // Precis' in-memory tensor whose row or column blocks have their own types
    // (model/segmented.h). Outside ggml's range like the RTN ids below: never
    // read from a file, refused by the writers.
    Segmented = 0x53470000,  // "SG"
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

// A tensor of this type stores its slices in their own types behind a header
// (model/segmented.h); its rows have no fixed size.
inline bool isSegmented(DType t) { return t == DType::Segmented; }

// Bytes needed for `n` values (n must be a multiple of the block size; returns
// nullopt otherwise, on overflow, and for Segmented, whose rows have no fixed
// size: its layout gives each segment's bytes).
std::optional<uint64_t> dtypeRowBytes(DType t, uint64_t n);

} // namespace precis
