// GGUF block formats: byte layouts, one trait table, encoders and
// dequantization to fp32.
//
// The layouts are llama.cpp's (ggml-common.h), byte for byte; fp16 fields are
// IEEE binary16 stored little-endian. Every quantized format stores a row of
// `cols` values as cols / blockSize consecutive blocks; blocks never span rows.
//
//   type  values bytes  block layout                                        value
//   Q4_0   32    18     f16 d | u8 qs[16]                                    d·(q−8)
//   Q4_1   32    20     f16 d | f16 m | u8 qs[16]                            d·q + m
//   Q5_0   32    22     f16 d | u8 qh[4] | u8 qs[16]                         d·(q−16)
//   Q5_1   32    24     f16 d | f16 m | u8 qh[4] | u8 qs[16]                 d·q + m
//   Q8_0   32    34     f16 d | i8 qs[32]                                    d·q
//   Q8_1   32    36     f16 d | f16 s | i8 qs[32]                            d·q
//   Q2_K  256    84     u8 scales[16] | u8 qs[64] | f16 d | f16 dmin         d·sc·q − dmin·m
//   Q3_K  256   110     u8 hmask[32] | u8 qs[64] | u8 scales[12] | f16 d     d·(sc−32)·q
//   Q4_K  256   144     f16 d | f16 dmin | u8 scales[12] | u8 qs[128]        d·sc·q − dmin·m
//   Q5_K  256   176     f16 d | f16 dmin | u8 scales[12] | u8 qh[32] | u8 qs[128]
//   Q6_K  256   210     u8 ql[128] | u8 qh[64] | i8 scales[16] | f16 d       d·sc·(q−32)
//   Q8_K  256   292     f32 d | i8 qs[256] | i16 bsums[16]                   d·q
// Bit packing of each format is described beside its decoder in block_formats.cpp.
//
// Encoders: every row of the table has a reference encoder (fromFloat) that is
// byte-for-byte llama.cpp's quantize_row_*_ref, including its rounding helpers
// and fp16 rounding, so a GGUF written with it equals `llama-quantize --pure`
// without an importance matrix. The weighted encoders (fromFloatWeighted) are
// llama.cpp's quantize_row_*_impl with quant_weights = importance, i.e. what
// llama-quantize does with an imatrix; llama.cpp has none for Q8_0, ours is
// described in encode_q32.cpp. Whole-matrix encoding with validation, threads
// and the RTN format lives in quant/scheme.h.
#pragma once

#include "common/result.h"
#include "model/dtype.h"
#include "model/tensor.h"

#include <cstdint>
#include <span>
#include <vector>

namespace precis::quant {

constexpr int kQK = 32;    // values per block of the 32-value formats (QK4_0 ... QK8_1)
constexpr int kQKK = 256;  // values per K-quant super-block (QK_K)

struct BlockQ4_0 { uint16_t d; uint8_t qs[kQK / 2]; };
struct BlockQ4_1 { uint16_t d; uint16_t m; uint8_t qs[kQK / 2]; };
struct BlockQ5_0 { uint16_t d; uint8_t qh[4]; uint8_t qs[kQK / 2]; };
struct BlockQ5_1 { uint16_t d; uint16_t m; uint8_t qh[4]; uint8_t qs[kQK / 2]; };
struct BlockQ8_0 { uint16_t d; int8_t qs[kQK]; };
struct BlockQ8_1 { uint16_t d; uint16_t s; int8_t qs[kQK]; };
struct BlockQ2_K { uint8_t scales[kQKK / 16]; uint8_t qs[kQKK / 4]; uint16_t d; uint16_t dmin; };
struct BlockQ3_K { uint8_t hmask[kQKK / 8]; uint8_t qs[kQKK / 4]; uint8_t scales[12]; uint16_t d; };
struct BlockQ4_K { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qs[kQKK / 2]; };
struct BlockQ5_K { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qh[kQKK / 8]; uint8_t qs[kQKK / 2]; };
struct BlockQ6_K { uint8_t ql[kQKK / 2]; uint8_t qh[kQKK / 4]; int8_t scales[kQKK / 16]; uint16_t d; };
struct BlockQ8_K { float d; int8_t qs[kQKK]; int16_t bsums[kQKK / 16]; };

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);

// Decodes n values (n a multiple of blockSize) from `src` (n / blockSize blocks,
// any alignment) into dst. Pure, thread-safe.
using ToFloatFn = void (*)(const void* src, float* dst, int64_t n);

// Encodes n values (n a multiple of blockSize) from src into n / blockSize
// blocks at dst (any alignment). Pure, thread-safe.
using FromFloatFn = void (*)(const float* src, void* dst, int64_t n);

// Importance-weighted encoding of ONE row of n values: importance[i] ≥ 0 is
// the weight of value i (e.g. the diagonal of XᵀX for the row's columns). The
// scale search minimises Σ w_i·(x_i − q_i)² with llama.cpp's effective weights
// w_i = importance_i·sqrt(σ² + x_i²) (σ² a mean square of the row or super-block;
// Q6_K uses importance_i directly). importance == nullptr gives fromFloat's
// bytes. A block whose importance is all zero degenerates (all-zero codes), as
// in llama.cpp; scheme.h's encode() guards against that.
using FromFloatWeightedFn = void (*)(const float* src, void* dst, int64_t n, const float* importance);

// One row per decodable type, like ggml's type_traits. blockSize/typeSize
// agree with model/dtype.h (checked by a static table test).
struct BlockFormat {
    DType type;
    const char* name;
    int blockSize;   // values per block (1 for F32/F16/BF16)
    int typeSize;    // bytes per block
    ToFloatFn toFloat;
    FromFloatFn fromFloat;                  // reference encoder (every row has one)
    FromFloatWeightedFn fromFloatWeighted;  // nullptr: importance is ignored (floats, Q8_1, Q8_K)
};

// The row for `t`, or nullptr for types without a decoder (I8..I64, F64).
const BlockFormat* blockFormat(DType t);
// Every row of the table, in ggml id order.
const std::vector<BlockFormat>& blockFormats();

// Dequantizes `n` values (n multiple of the block size) from src to dst.
// Bit-exact with llama.cpp's scalar dequantize_row_* (same float operation
// order); the RTN types (model/dtype.h) decode as quant/rtn.h. Returns false for dtypes without a decoder or n not a multiple of the
// block size.
bool dequantizeRow(DType t, const void* src, float* dst, int64_t n);

// Encodes `n` values (n multiple of the block size; one row when importance is
// given) into dst with the type's reference encoder, or its weighted encoder
// when importance != nullptr and the type has one (the RTN types: rtnEncodeRow). Returns false for dtypes
// without an encoder or n not a multiple of the block size. Input must be
// finite (NaN/Inf give unspecified but memory-safe output).
bool quantizeRow(DType t, const float* src, void* dst, int64_t n, const float* importance = nullptr);

// Whole tensor to fp32, row-major in the tensor's shape. F32/F16/BF16, every
// block type, the RTN types, and Segmented tensors (model/segmented.h: every
// segment decoded into its rows or columns of the full matrix, each row by
// dequantizeRow of the segment's type, so bit-identical to decoding each slice
// alone); integer and F64 tensors (or segments) give Unsupported naming the
// tensor; a byte count that does not match the shape, or a malformed segmented
// header, gives InvalidArgument. Parallel over rows (oneTBB) for big tensors.
Result<std::vector<float>> dequantize(const Tensor& t);
// The same decoding into `out` (numel values), and its checks alone (what
// dequantize would refuse, without decoding).
Result<void> dequantizeInto(const Tensor& t, std::span<float> out);
Result<void> checkDequantizable(const Tensor& t);

} // namespace precis::quant
