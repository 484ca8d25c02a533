#include "quant/block_formats.h"

#include "quant/ggml_encoders.h"
#include "quant/rtn.h"

#include "common/half.h"
#include "model/segmented.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace precis::quant {

// Each decoder follows llama.cpp's scalar dequantize_row_* (ggml-quants.c) with
// the same float operations in the same order, so results are bit-identical.
// Blocks are copied out with memcpy: GGUF tensor data is only 32-byte aligned
// relative to the data section and block sizes are odd (18, 22, 110, ...).

namespace {

template <typename B>
B loadBlock(const void* src, int64_t i)
{
    B b;
    std::memcpy(&b, static_cast<const std::byte*>(src) + i * int64_t(sizeof(B)), sizeof(B));
    return b;
}

void rowF32(const void* src, float* y, int64_t n) { std::memcpy(y, src, size_t(n) * 4); }

void rowF16(const void* src, float* y, int64_t n)
{
    const auto* p = static_cast<const std::byte*>(src);
    for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        y[i] = fp16ToFloat(h);
    }
}

void rowBf16(const void* src, float* y, int64_t n)
{
    const auto* p = static_cast<const std::byte*>(src);
    for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        y[i] = bf16ToFloat(h);
    }
}

// Q4_0: byte j holds value j (low nibble) and value j+16 (high nibble), offset 8.
void rowQ4_0(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i) {
        const auto x = loadBlock<BlockQ4_0>(src, i);
        const float d = fp16ToFloat(x.d);
        for (int j = 0; j < kQK / 2; ++j) {
            const int x0 = (x.qs[j] & 0x0F) - 8;
            const int x1 = (x.qs[j] >> 4) - 8;
            y[i * kQK + j] = x0 * d;
            y[i * kQK + j + kQK / 2] = x1 * d;
        }
    }
}

// Q4_1: as Q4_0 without offset, plus the block minimum m.
void rowQ4_1(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i) {
        const auto x = loadBlock<BlockQ4_1>(src, i);
        const float d = fp16ToFloat(x.d);
        const float m = fp16ToFloat(x.m);
        for (int j = 0; j < kQK / 2; ++j) {
            const int x0 = x.qs[j] & 0x0F;
            const int x1 = x.qs[j] >> 4;
            y[i * kQK + j] = x0 * d + m;
            y[i * kQK + j + kQK / 2] = x1 * d + m;
        }
    }
}

// Q5_0 / Q5_1: the fifth bit of value j is bit j of the little-endian u32 qh.
void rowQ5_0(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i) {
        const auto x = loadBlock<BlockQ5_0>(src, i);
        const float d = fp16ToFloat(x.d);
        uint32_t qh;
        std::memcpy(&qh, x.qh, 4);
        for (int j = 0; j < kQK / 2; ++j) {
            const uint8_t h0 = uint8_t(((qh >> j) << 4) & 0x10);
            const uint8_t h1 = uint8_t((qh >> (j + 12)) & 0x10);
            const int32_t x0 = ((x.qs[j] & 0x0F) | h0) - 16;
            const int32_t x1 = ((x.qs[j] >> 4) | h1) - 16;
            y[i * kQK + j] = x0 * d;
            y[i * kQK + j + kQK / 2] = x1 * d;
        }
    }
}

void rowQ5_1(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i) {
        const auto x = loadBlock<BlockQ5_1>(src, i);
        const float d = fp16ToFloat(x.d);
        const float m = fp16ToFloat(x.m);
        uint32_t qh;
        std::memcpy(&qh, x.qh, 4);
        for (int j = 0; j < kQK / 2; ++j) {
            const uint8_t h0 = uint8_t(((qh >> j) << 4) & 0x10);
            const uint8_t h1 = uint8_t((qh >> (j + 12)) & 0x10);
            const int x0 = (x.qs[j] & 0x0F) | h0;
            const int x1 = (x.qs[j] >> 4) | h1;
            y[i * kQK + j] = x0 * d + m;
            y[i * kQK + j + kQK / 2] = x1 * d + m;
        }
    }
}

void rowQ8_0(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i) {
        const auto x = loadBlock<BlockQ8_0>(src, i);
        const float d = fp16ToFloat(x.d);
        for (int j = 0; j < kQK; ++j)
            y[i * kQK + j] = x.qs[j] * d;
    }
}

// Q8_1: s = d·Σq is a cached sum for dot products; values are d·q.
void rowQ8_1(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i) {
        const auto x = loadBlock<BlockQ8_1>(src, i);
        const float d = fp16ToFloat(x.d);
        for (int j = 0; j < kQK; ++j)
            y[i * kQK + j] = x.qs[j] * d;
    }
}

// Q2_K: 16 sub-blocks of 16 values. scales[k] = (4-bit min << 4) | 4-bit scale.
// Values are 2-bit: each 128-value half uses 32 bytes of qs; within a half,
// value 32·j + l sits in bits 2j..2j+1 of qs[l] (j = 0..3, l = 0..31).
void rowQ2_K(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const auto x = loadBlock<BlockQ2_K>(src, i);
        const float d = fp16ToFloat(x.d);
        const float min = fp16ToFloat(x.dmin);
        const uint8_t* q = x.qs;
        int is = 0;
        for (int half = 0; half < kQKK; half += 128) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                uint8_t sc = x.scales[is++];
                float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                for (int l = 0; l < 16; ++l) *y++ = dl * int8_t((q[l] >> shift) & 3) - ml;
                sc = x.scales[is++];
                dl = d * (sc & 0xF);
                ml = min * (sc >> 4);
                for (int l = 0; l < 16; ++l) *y++ = dl * int8_t((q[l + 16] >> shift) & 3) - ml;
                shift += 2;
            }
            q += 32;
        }
    }
}

// Q3_K: 2-bit values packed as in Q2_K, a third bit in hmask (value 32·j + l of
// half h uses bit 4h + j of hmask[l]; a clear bit subtracts 4), and sixteen
// 6-bit signed scales (offset 32): low nibbles in scales[0..7] (sub-blocks 0..7
// low, 8..15 high), the two high bits of sub-block k in scales[8 + k%4] at bit 2·(k/4).
void rowQ3_K(const void* src, float* y, int64_t n)
{
    constexpr uint32_t kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const auto x = loadBlock<BlockQ3_K>(src, i);
        const float dAll = fp16ToFloat(x.d);
        uint32_t aux[4];
        std::memcpy(aux, x.scales, 12);
        const uint32_t tmp = aux[2];
        aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
        aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
        aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
        aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
        int8_t scales[16];
        std::memcpy(scales, aux, 16);
        const uint8_t* q = x.qs;
        const uint8_t* hm = x.hmask;
        uint8_t m = 1;
        int is = 0;
        for (int half = 0; half < kQKK; half += 128) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                float dl = dAll * (scales[is++] - 32);
                for (int l = 0; l < 16; ++l)
                    *y++ = dl * (int8_t((q[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4));
                dl = dAll * (scales[is++] - 32);
                for (int l = 0; l < 16; ++l)
                    *y++ = dl * (int8_t((q[l + 16] >> shift) & 3) - ((hm[l + 16] & m) ? 0 : 4));
                shift += 2;
                m = uint8_t(m << 1);
            }
            q += 32;
        }
    }
}

// Q4_K / Q5_K: 8 sub-blocks of 32 values with 6-bit scale and min packed in 12
// bytes (llama.cpp get_scale_min_k4): sub-blocks 0..3 use the low 6 bits of
// bytes j (scale) and j+4 (min); sub-blocks 4..7 take their low 4 bits from byte
// j+4 (scale low nibble, min high nibble) and high 2 bits from the top bits of
// bytes j−4 (scale) and j (min).
void scaleMinK4(int j, const uint8_t* q, uint8_t* d, uint8_t* m)
{
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = uint8_t((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = uint8_t((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// Q4_K: each 64-value chunk uses 32 bytes of qs: low nibbles are the first 32
// values (sub-block 2c), high nibbles the next 32 (sub-block 2c+1).
void rowQ4_K(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const auto x = loadBlock<BlockQ4_K>(src, i);
        const float d = fp16ToFloat(x.d);
        const float min = fp16ToFloat(x.dmin);
        const uint8_t* q = x.qs;
        int is = 0;
        uint8_t sc, m;
        for (int j = 0; j < kQKK; j += 64) {
            scaleMinK4(is + 0, x.scales, &sc, &m);
            const float d1 = d * sc, m1 = min * m;
            scaleMinK4(is + 1, x.scales, &sc, &m);
            const float d2 = d * sc, m2 = min * m;
            for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
            q += 32;
            is += 2;
        }
    }
}

// Q5_K: Q4_K plus a fifth bit: value l of sub-block k is bit k of qh[l].
void rowQ5_K(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const auto x = loadBlock<BlockQ5_K>(src, i);
        const float d = fp16ToFloat(x.d);
        const float min = fp16ToFloat(x.dmin);
        const uint8_t* ql = x.qs;
        const uint8_t* qh = x.qh;
        int is = 0;
        uint8_t sc, m;
        uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < kQKK; j += 64) {
            scaleMinK4(is + 0, x.scales, &sc, &m);
            const float d1 = d * sc, m1 = min * m;
            scaleMinK4(is + 1, x.scales, &sc, &m);
            const float d2 = d * sc, m2 = min * m;
            for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
            ql += 32;
            is += 2;
            u1 = uint8_t(u1 << 2);
            u2 = uint8_t(u2 << 2);
        }
    }
}

// Q6_K: per 128-value half, ql[0..63] hold the low nibbles (values 0..31 and
// 64..95 in ql[l] low/high, values 32..63 and 96..127 in ql[l+32] low/high) and
// qh[0..31] the high 2 bits (value 32·k + l in bits 2k..2k+1 of qh[l]); 16 int8
// scales, one per 16 values; offset 32.
void rowQ6_K(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const auto x = loadBlock<BlockQ6_K>(src, i);
        const float d = fp16ToFloat(x.d);
        const uint8_t* ql = x.ql;
        const uint8_t* qh = x.qh;
        const int8_t* sc = x.scales;
        for (int half = 0; half < kQKK; half += 128) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int8_t q1 = int8_t((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int8_t q2 = int8_t((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int8_t q3 = int8_t((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int8_t q4 = int8_t((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l + 0] = d * sc[is + 0] * q1;
                y[l + 32] = d * sc[is + 2] * q2;
                y[l + 64] = d * sc[is + 4] * q3;
                y[l + 96] = d * sc[is + 6] * q4;
            }
            y += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}

void rowQ8_K(const void* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n / kQKK; ++i) {
        const auto x = loadBlock<BlockQ8_K>(src, i);
        for (int j = 0; j < kQKK; ++j)
            y[i * kQKK + j] = x.d * x.qs[j];
    }
}

} // namespace

const std::vector<BlockFormat>& blockFormats()
{
    using namespace detail;
    static const std::vector<BlockFormat> table = {
        {DType::F32, "F32", 1, 4, rowF32, fromFloatF32, nullptr},
        {DType::F16, "F16", 1, 2, rowF16, fromFloatF16, nullptr},
        {DType::Q4_0, "Q4_0", kQK, sizeof(BlockQ4_0), rowQ4_0, quantizeQ4_0Ref, quantizeQ4_0Weighted},
        {DType::Q4_1, "Q4_1", kQK, sizeof(BlockQ4_1), rowQ4_1, quantizeQ4_1Ref, quantizeQ4_1Weighted},
        {DType::Q5_0, "Q5_0", kQK, sizeof(BlockQ5_0), rowQ5_0, quantizeQ5_0Ref, quantizeQ5_0Weighted},
        {DType::Q5_1, "Q5_1", kQK, sizeof(BlockQ5_1), rowQ5_1, quantizeQ5_1Ref, quantizeQ5_1Weighted},
        {DType::Q8_0, "Q8_0", kQK, sizeof(BlockQ8_0), rowQ8_0, quantizeQ8_0Ref, quantizeQ8_0Weighted},
        {DType::Q8_1, "Q8_1", kQK, sizeof(BlockQ8_1), rowQ8_1, quantizeQ8_1Ref, nullptr},
        {DType::Q2_K, "Q2_K", kQKK, sizeof(BlockQ2_K), rowQ2_K, quantizeQ2_KRef, quantizeQ2_KWeighted},
        {DType::Q3_K, "Q3_K", kQKK, sizeof(BlockQ3_K), rowQ3_K, quantizeQ3_KRef, quantizeQ3_KWeighted},
        {DType::Q4_K, "Q4_K", kQKK, sizeof(BlockQ4_K), rowQ4_K, quantizeQ4_KRef, quantizeQ4_KWeighted},
        {DType::Q5_K, "Q5_K", kQKK, sizeof(BlockQ5_K), rowQ5_K, quantizeQ5_KRef, quantizeQ5_KWeighted},
        {DType::Q6_K, "Q6_K", kQKK, sizeof(BlockQ6_K), rowQ6_K, quantizeQ6_KRef, quantizeQ6_KWeighted},
        {DType::Q8_K, "Q8_K", kQKK, sizeof(BlockQ8_K), rowQ8_K, quantizeQ8_KRef, nullptr},
        {DType::BF16, "BF16", 1, 2, rowBf16, fromFloatBf16, nullptr},
    };
    return table;
}

const BlockFormat* blockFormat(DType t)
{
    for (const auto& f : blockFormats())
        if (f.type == t)
            return &f;
    return nullptr;
}

bool dequantizeRow(DType t, const void* src, float* dst, int64_t n)
{
    if (const auto rtn = rtnLayout(t)) {
        if (n < 0 || n % rtn->group != 0) return false;
        rtnDecodeRow(*rtn, static_cast<const uint8_t*>(src), dst, n);
        return true;
    }
    const BlockFormat* f = blockFormat(t);
    if (!f || n < 0 || n % f->blockSize != 0)
        return false;
    f->toFloat(src, dst, n);
    return true;
}

bool quantizeRow(DType t, const float* src, void* dst, int64_t n, const float* importance)
{
    if (const auto rtn = rtnLayout(t)) {
        if (n < 0 || n % rtn->group != 0) return false;
        rtnEncodeRow(*rtn, src, static_cast<uint8_t*>(dst), n, importance);
        return true;
    }
    const BlockFormat* f = blockFormat(t);
    if (!f || n < 0 || n % f->blockSize != 0)
        return false;
    if (importance && f->fromFloatWeighted)
        f->fromFloatWeighted(src, dst, n, importance);
    else
        f->fromFloat(src, dst, n);
    return true;
}

namespace {

// Runs decodeRows(r0, r1) over rows [0, rows), in parallel once the matrix is big.
template <typename Fn>
void forRowRanges(int64_t rows, int64_t cols, Fn&& decodeRows)
{
    constexpr int64_t kParallelValues = int64_t(1) << 18;
    if (rows * cols < kParallelValues || rows < 2) {
        decodeRows(int64_t(0), rows);
        return;
    }
    const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(cols, 1));
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows, size_t(grain)),
                      [&](const tbb::blocked_range<int64_t>& r) { decodeRows(r.begin(), r.end()); });
}

// Every segment decoded into its place of the full rows × cols matrix: a row
// segment's rows are rows of the matrix, a column segment's row r is columns
// [begin, end) of matrix row r. Each row goes through dequantizeRow of its
// segment's type, so the values are bit-identical to decoding each slice alone.
Result<void> dequantizeSegmentedInto(const Tensor& t, float* out)
{
    PRECIS_TRY_ASSIGN(const SegmentedLayout l, readSegmentedLayout(t));
    for (size_t i = 0; i < l.segments.size(); ++i)
        if (const DType d = l.segments[i].dtype; !blockFormat(d) && !isRtn(d))
            return makeError(ErrorCode::Unsupported, "tensor '" + t.name + "' (segmented): segment " + std::to_string(i),
                             "dtype " + std::string(dtypeName(d)) + " cannot be converted to fp32");
    if (!out) return {};
    for (const Segment& s : l.segments) {
        const int64_t width = l.segmentCols(s);
        const uint64_t rowBytes = s.nbytes / uint64_t(std::max<int64_t>(l.segmentRows(s), 1));
        const std::byte* base = t.data + s.offset;
        if (l.axis == SegmentAxis::Rows) {
            forRowRanges(s.end - s.begin, width, [&](int64_t r0, int64_t r1) {
                for (int64_t r = r0; r < r1; ++r)
                    dequantizeRow(s.dtype, base + uint64_t(r) * rowBytes, out + (s.begin + r) * l.cols, width);
            });
        } else {
            forRowRanges(l.rows, width, [&](int64_t r0, int64_t r1) {
                for (int64_t r = r0; r < r1; ++r)
                    dequantizeRow(s.dtype, base + uint64_t(r) * rowBytes, out + r * l.cols + s.begin, width);
            });
        }
    }
    return {};
}

// Checks t (out == nullptr) or decodes it into out (numel values).
Result<void> decodeTensor(const Tensor& t, float* out)
{
    const std::string where = "tensor '" + t.name + "'";
    if (t.dtype == DType::Segmented) return dequantizeSegmentedInto(t, out);
    if (!blockFormat(t.dtype) && !isRtn(t.dtype))
        return makeError(ErrorCode::Unsupported, where,
                         "dtype " + std::string(dtypeName(t.dtype)) + " cannot be converted to fp32");
    const DTypeTraits& f = dtypeTraits(t.dtype);
    for (int64_t d : t.shape)
        if (d < 0)
            return makeError(ErrorCode::InvalidArgument, where, "negative dimension " + std::to_string(d));
    const int64_t cols = t.cols(), rows = t.rows();
    const auto rowBytes = dtypeRowBytes(t.dtype, uint64_t(cols));
    if (!rowBytes)
        return makeError(ErrorCode::InvalidArgument, where,
                         "row of " + std::to_string(cols) + " values is not a multiple of the " +
                             std::string(f.name) + " block size " + std::to_string(f.blockSize));
    if (uint64_t(rows) * *rowBytes != t.nbytes || (t.nbytes > 0 && !t.data))
        return makeError(ErrorCode::InvalidArgument, where,
                         "holds " + std::to_string(t.nbytes) + " bytes, expected " +
                             std::to_string(uint64_t(rows) * *rowBytes) + " for its shape and dtype " + std::string(f.name));
    if (!out) return {};
    forRowRanges(rows, cols, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) dequantizeRow(t.dtype, t.data + uint64_t(r) * *rowBytes, out + r * cols, cols);
    });
    return {};
}

} // namespace

Result<void> checkDequantizable(const Tensor& t) { return decodeTensor(t, nullptr); }

Result<void> dequantizeInto(const Tensor& t, std::span<float> out)
{
    PRECIS_TRY(decodeTensor(t, nullptr));
    if (int64_t(out.size()) != t.numel())
        return makeError(ErrorCode::InvalidArgument, "tensor '" + t.name + "'",
                         "decoding into " + std::to_string(out.size()) + " values, expected " + std::to_string(t.numel()));
    return decodeTensor(t, out.data());
}

Result<std::vector<float>> dequantize(const Tensor& t)
{
    PRECIS_TRY(decodeTensor(t, nullptr));
    std::vector<float> out(static_cast<size_t>(t.numel()));
    PRECIS_TRY(decodeTensor(t, out.data()));
    return out;
}

} // namespace precis::quant
