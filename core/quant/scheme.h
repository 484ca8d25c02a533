// Quantization schemes: one table of every way Precis can store a weight
// matrix, and the encode / decode / round-trip entry points the rest of the
// house (sensitivity, allocation, compression, export) calls.
//
// A scheme is one of
//   Float      F32, F16, BF16                           (element-wise conversion)
//   GgufBlock  Q8_0 Q6_K Q5_K Q5_1 Q5_0 Q4_K Q4_1 Q4_0 Q3_K Q2_K
//              (llama.cpp's block formats, block_formats.h)
//   Rtn        RTN<b>g<g>[a]: b ∈ 2..8 bits, groups g ∈ {32, 64, 128},
//              'a' = asymmetric (rtn.h gives the byte layout)
//
// Matrices are row-major, `rows` × `cols` fp32 (a linear weight is
// {out_features, in_features}); each row is encoded independently into
// rowBytes(cols) bytes, and the encoded matrix is the rows back to back. For
// GgufBlock and Float schemes these are exactly the bytes of a GGUF tensor of
// that type (ne[0] = cols), so export writes them unchanged; GgufBlock
// encoding without importance equals llama.cpp's `llama-quantize --pure`.
//
// Importance (optional everywhere): `cols` non-negative weights, one per
// column and shared by all rows, e.g. the diagonal of XᵀX from calibration.
// The scale searches then minimise the importance-weighted squared error
// (GGUF: llama.cpp's imatrix path; RTN: Σ importance_i·(x_i − q_i)² exactly).
// Float schemes ignore it. nullptr gives the reference (unweighted) encoding.
// For GGUF schemes an aligned run of 16 zero importances is replaced by the
// row's mean importance (llama.cpp would zero those values); an all-zero
// vector means unweighted.
//
// Threads: encode/decode/roundTrip run over rows with oneTBB (respecting any
// precis::ThreadLimit) once the matrix has ≥ 64 Ki values; all functions are
// reentrant.
#pragma once

#include "common/result.h"
#include "model/dtype.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace precis::quant {

enum class SchemeKind { Float, GgufBlock, Rtn };

struct Scheme {
    SchemeKind kind = SchemeKind::Float;
    DType dtype = DType::F32;  // F32/F16/BF16, the GGUF block type, or the RTN layout's in-memory type (model/dtype.h)
    int bits = 32;             // bits per code: 32/16 for floats, 2..8 for GGUF and RTN
    int group = 1;             // values per block or group (1 for floats, 32/256 GGUF, g RTN)
    bool asymmetric = false;   // has an offset/min (Q4_1, Q5_1, Q2_K, Q4_K, Q5_K, RTN ..a)

    // "F16", "Q4_K", "RTN4g128", "RTN3g64a"; parseScheme(name()) == *this.
    std::string name() const;
    int blockSize() const { return group; }
    // Bytes per block/group (4 for F32, 144 for Q4_K, 66 for RTN4g128).
    int blockBytes() const;

    bool operator==(const Scheme&) const = default;
};

// Constructors for code; they assert on misuse (user text goes through parseScheme).
Scheme floatScheme(DType t);                           // F32, F16, BF16
Scheme ggufScheme(DType t);                            // a block type with an encoder (not Q8_1/Q8_K)
Scheme rtnScheme(int bits, int group, bool asymmetric);  // bits 2..8, group 32/64/128

// Accepts every name() above (case-insensitive). Unknown names give
// InvalidArgument listing the valid ones.
Result<Scheme> parseScheme(std::string_view name);

// F16, Q8_0, Q6_K, Q5_K, Q5_0, Q4_K, Q4_0, Q3_K, Q2_K, Q4_1, Q5_1, BF16, F32.
const std::vector<Scheme>& standardSchemes();
// RTN b-bit for b = 2..8 × g = 32, 64, 128 (21 schemes), symmetric or asymmetric.
std::vector<Scheme> rtnSchemes(bool asymmetric = false);

// A row of `cols` values can be stored: cols ≥ 1 and a multiple of the block size.
bool feasible(const Scheme& s, int64_t cols);
// The same as a Result; the error names the scheme, the row length and the
// block size ("Q4_K needs rows whose length is a multiple of 256; got 100").
Result<void> checkFeasible(const Scheme& s, int64_t cols);

// Encoded bytes of one row / of a rows × cols matrix; −1 when infeasible,
// negative, or overflowing int64.
int64_t rowBytes(const Scheme& s, int64_t cols);
int64_t encodedBytes(const Scheme& s, int64_t rows, int64_t cols);
// Storage cost including scales: 8·blockBytes / blockSize (Q4_K 4.5, Q8_0 8.5,
// Q6_K 6.5625, RTN4g128 4.125).
double bitsPerWeight(const Scheme& s);

// Encodes w (rows × cols, row-major) into encodedBytes(s, rows, cols) bytes.
// Errors (InvalidArgument): infeasible shape, rows < 0, a NaN/Inf weight
// (naming the first such row and column), an importance entry that is negative
// or not finite (naming the column).
Result<std::vector<uint8_t>> encode(const Scheme& s, const float* w, int64_t rows, int64_t cols,
                                    const float* importance = nullptr);
// As encode(), into caller-owned memory of exactly `bytes` bytes.
Result<void> encodeInto(const Scheme& s, const float* w, int64_t rows, int64_t cols, uint8_t* out,
                        size_t bytes, const float* importance = nullptr);

// Decodes `bytes` bytes (must equal encodedBytes(s, rows, cols)) into out
// (rows × cols). Any byte content decodes without error (GGUF: bit-exact with
// llama.cpp's dequantize_row_*).
Result<void> decode(const Scheme& s, const uint8_t* data, size_t bytes, int64_t rows, int64_t cols, float* out);

// decode(encode(w)) into out (rows × cols) without materialising the encoded
// matrix: each thread encodes and decodes a row at a time. Same errors as
// encode(). out may not alias w.
Result<void> roundTrip(const Scheme& s, const float* w, int64_t rows, int64_t cols, float* out,
                       const float* importance = nullptr);

} // namespace precis::quant
