// CUDA backend, internal: reading GGUF rows on the device. One Format<T> per
// weight type, used by the matrix-vector kernel (matvec.cu) and the
// dequantizer (dequant.cu); the byte layouts are those of quant/block_formats.h
// and the values those of quant/block_formats.cpp's row decoders.
//
// A row is cut into "chunks", the unit one thread loads (raw bytes in
// registers, with the widest loads the row's alignment allows); a chunk is
// decoded in "parts" of kPartValues values that sit at consecutive columns
// starting at partCol(c, p). A part's values are
//     v_t = a · q_t (+ b)                       (kScaled; b only when kHasB)
// with exact small integers q_t (or the values themselves for F32/F16/BF16), so
//   - the dot product of a part with x is a·Σ q_t x_t + b·Σ x_t, and
//   - the dequantized value is computed with the very float operations of the
//     CPU decoder (__fmul_rn/__fadd_rn: no contraction into FMA), bit-identical.
//
// Alignment: rows start rowBytes apart from a 256-byte aligned base. Q4_K and
// Q5_K blocks are 16-byte aligned (144, 176 bytes), Q5_1 8 (24), Q4_1 and Q2_K
// 4 (20, 84), Q4_0, Q5_0, Q8_0, Q3_K and Q6_K only 2 (18, 22, 34, 110, 210).
// F32/F16/BF16 rows take 16-byte loads when K % 8 == 0 ("vec"), else loads of
// one value with the columns past K read as zero.
#pragma once

#include "model/dtype.h"

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace precis::engine::cuda {

// ---- Loads ----------------------------------------------------------------------
__device__ __forceinline__ uint32_t ldU16(const uint8_t* p)
{
    return __ldg(reinterpret_cast<const unsigned short*>(p));
}
__device__ __forceinline__ uint32_t ldU32(const uint8_t* p) { return __ldg(reinterpret_cast<const unsigned int*>(p)); }
// 4 bytes from a 2-byte aligned address (little-endian, like the CPU).
__device__ __forceinline__ uint32_t ldU32a2(const uint8_t* p) { return ldU16(p) | (ldU16(p + 2) << 16); }
__device__ __forceinline__ uint4 ld16(const uint8_t* p) { return __ldg(reinterpret_cast<const uint4*>(p)); }
__device__ __forceinline__ uint4 ld16a8(const uint8_t* p)
{
    const uint2 a = __ldg(reinterpret_cast<const uint2*>(p)), b = __ldg(reinterpret_cast<const uint2*>(p + 8));
    return make_uint4(a.x, a.y, b.x, b.y);
}
__device__ __forceinline__ uint4 ld16a4(const uint8_t* p)
{
    return make_uint4(ldU32(p), ldU32(p + 4), ldU32(p + 8), ldU32(p + 12));
}
__device__ __forceinline__ uint4 ld16a2(const uint8_t* p)
{
    return make_uint4(ldU32a2(p), ldU32a2(p + 4), ldU32a2(p + 8), ldU32a2(p + 12));
}

// Byte t (0..15) of 16 bytes held as a uint4; t is a compile-time constant in
// the unrolled loops, so the selection costs nothing.
__device__ __forceinline__ uint32_t byte16(const uint4& v, int t)
{
    const uint32_t w = t < 4 ? v.x : t < 8 ? v.y : t < 12 ? v.z : v.w;
    return (w >> (8 * (t & 3))) & 0xFFu;
}
// Byte i (0..7, run time) of 8 bytes held as two words.
__device__ __forceinline__ uint32_t byte8(uint32_t lo, uint32_t hi, int i)
{
    return ((i < 4 ? lo : hi) >> (8 * (i & 3))) & 0xFFu;
}

__device__ __forceinline__ float halfBits(uint32_t h)
{
    return __half2float(__ushort_as_half(static_cast<unsigned short>(h)));
}

// (float) b − offset for an integer 0 <= b < 2^23, exactly: the bits of 2^23 + b
// minus 2^23 + offset (a bit operation and an addition instead of the slower
// integer-to-float conversion).
constexpr float kMagic = 8388608.0f;  // 2^23
__device__ __forceinline__ float smallInt(uint32_t b, float magicPlusOffset)
{
    return __uint_as_float(0x4B000000u | b) - magicPlusOffset;
}

template <DType T>
struct Format;

// ---- Floats: chunk = 8 values, one part --------------------------------------------
struct RawF8 {
    uint4 a, b;  // F32: two uint4 of floats; F16/BF16: a holds 8 halves
};

template <DType T>
struct FloatFormat {
    static constexpr int kParts = 1, kPartValues = 8;
    static constexpr bool kScaled = false, kHasB = false;
    static constexpr int kValueBytes = T == DType::F32 ? 4 : 2;
    using Raw = RawF8;
    __host__ __device__ static int64_t chunks(int64_t K) { return (K + 7) / 8; }
    __device__ static int64_t partCol(int64_t c, int) { return 8 * c; }
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t K, bool vec)
    {
        Raw r{};
        if (vec) {
            const uint8_t* p = row + c * 8 * kValueBytes;
            r.a = ld16(p);
            if constexpr (kValueBytes == 4) r.b = ld16(p + 16);
            return r;
        }
        uint32_t v[8];
#pragma unroll
        for (int i = 0; i < 8; ++i) {
            const int64_t col = 8 * c + i;
            v[i] = col < K ? (kValueBytes == 4 ? ldU32(row + 4 * col) : ldU16(row + 2 * col)) : 0u;
        }
        if constexpr (kValueBytes == 4) {
            r.a = make_uint4(v[0], v[1], v[2], v[3]);
            r.b = make_uint4(v[4], v[5], v[6], v[7]);
        } else {
            r.a = make_uint4(v[0] | (v[1] << 16), v[2] | (v[3] << 16), v[4] | (v[5] << 16), v[6] | (v[7] << 16));
        }
        return r;
    }
    __device__ static void decode(const Raw& r, int64_t, int, float (&q)[8], float& a, float& b)
    {
        a = 1.0f;
        b = 0.0f;
        if constexpr (T == DType::F32) {
            const uint32_t w[8] = {r.a.x, r.a.y, r.a.z, r.a.w, r.b.x, r.b.y, r.b.z, r.b.w};
#pragma unroll
            for (int i = 0; i < 8; ++i) q[i] = __uint_as_float(w[i]);
        } else {
            const uint32_t w[4] = {r.a.x, r.a.y, r.a.z, r.a.w};
#pragma unroll
            for (int i = 0; i < 8; ++i) {
                const uint32_t h = (w[i / 2] >> (16 * (i & 1))) & 0xFFFFu;
                q[i] = T == DType::BF16 ? __uint_as_float(h << 16) : halfBits(h);
            }
        }
    }
};
template <> struct Format<DType::F32> : FloatFormat<DType::F32> {};
template <> struct Format<DType::F16> : FloatFormat<DType::F16> {};
template <> struct Format<DType::BF16> : FloatFormat<DType::BF16> {};

// ---- 32-value formats: chunk = one block; part 0 = values 0..15 (low
// nibbles / first bytes), part 1 = values 16..31 ------------------------------------
struct Block32Base {
    static constexpr int kParts = 2, kPartValues = 16;
    static constexpr bool kScaled = true;
    __host__ __device__ static int64_t chunks(int64_t K) { return K / 32; }
    __device__ static int64_t partCol(int64_t c, int p) { return 32 * c + 16 * p; }
};

// Q4_0 (18 bytes): f16 d | u8 qs[16]; value j = d·((qs[j] & 15) − 8), value
// j + 16 = d·((qs[j] >> 4) − 8).
template <>
struct Format<DType::Q4_0> : Block32Base {
    static constexpr bool kHasB = false;
    struct Raw { uint32_t d; uint4 qs; };
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t, bool)
    {
        const uint8_t* blk = row + c * 18;
        return {ldU16(blk), ld16a2(blk + 2)};
    }
    __device__ static void decode(const Raw& r, int64_t, int p, float (&q)[16], float& a, float& b)
    {
        a = halfBits(r.d);
        b = 0.0f;
#pragma unroll
        for (int t = 0; t < 16; ++t) q[t] = smallInt((byte16(r.qs, t) >> (4 * p)) & 0xFu, kMagic + 8.0f);
    }
};

// Q4_1 (20 bytes): f16 d | f16 m | u8 qs[16]; value = d·q + m.
template <>
struct Format<DType::Q4_1> : Block32Base {
    static constexpr bool kHasB = true;
    struct Raw { uint32_t dm; uint4 qs; };
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t, bool)
    {
        const uint8_t* blk = row + c * 20;
        return {ldU32(blk), ld16a4(blk + 4)};
    }
    __device__ static void decode(const Raw& r, int64_t, int p, float (&q)[16], float& a, float& b)
    {
        a = halfBits(r.dm & 0xFFFFu);
        b = halfBits(r.dm >> 16);
#pragma unroll
        for (int t = 0; t < 16; ++t) q[t] = smallInt((byte16(r.qs, t) >> (4 * p)) & 0xFu, kMagic);
    }
};

// Q5_0 (22 bytes): f16 d | u8 qh[4] | u8 qs[16]; the fifth bit of value j is
// bit j of the little-endian u32 qh; value = d·(q − 16).
template <>
struct Format<DType::Q5_0> : Block32Base {
    static constexpr bool kHasB = false;
    struct Raw { uint32_t d, qh; uint4 qs; };
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t, bool)
    {
        const uint8_t* blk = row + c * 22;
        return {ldU16(blk), ldU32a2(blk + 2), ld16a2(blk + 6)};
    }
    __device__ static void decode(const Raw& r, int64_t, int p, float (&q)[16], float& a, float& b)
    {
        a = halfBits(r.d);
        b = 0.0f;
#pragma unroll
        for (int t = 0; t < 16; ++t) {
            const uint32_t v = ((byte16(r.qs, t) >> (4 * p)) & 0xFu) | (((r.qh >> (t + 16 * p)) & 1u) << 4);
            q[t] = smallInt(v, kMagic + 16.0f);
        }
    }
};

// Q5_1 (24 bytes): f16 d | f16 m | u8 qh[4] | u8 qs[16]; value = d·q + m.
template <>
struct Format<DType::Q5_1> : Block32Base {
    static constexpr bool kHasB = true;
    struct Raw { uint32_t dm, qh; uint4 qs; };
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t, bool)
    {
        const uint8_t* blk = row + c * 24;
        const uint2 head = __ldg(reinterpret_cast<const uint2*>(blk));
        return {head.x, head.y, ld16a8(blk + 8)};
    }
    __device__ static void decode(const Raw& r, int64_t, int p, float (&q)[16], float& a, float& b)
    {
        a = halfBits(r.dm & 0xFFFFu);
        b = halfBits(r.dm >> 16);
#pragma unroll
        for (int t = 0; t < 16; ++t) {
            const uint32_t v = ((byte16(r.qs, t) >> (4 * p)) & 0xFu) | (((r.qh >> (t + 16 * p)) & 1u) << 4);
            q[t] = smallInt(v, kMagic);
        }
    }
};

// Q8_0 (34 bytes): f16 d | i8 qs[32]; value = d·q.
template <>
struct Format<DType::Q8_0> : Block32Base {
    static constexpr bool kHasB = false;
    struct Raw { uint32_t d; uint4 qs[2]; };
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t, bool)
    {
        const uint8_t* blk = row + c * 34;
        return {ldU16(blk), {ld16a2(blk + 2), ld16a2(blk + 18)}};
    }
    __device__ static void decode(const Raw& r, int64_t, int p, float (&q)[16], float& a, float& b)
    {
        a = halfBits(r.d);
        b = 0.0f;
        const uint4 qs = p == 0 ? r.qs[0] : r.qs[1];
        // int8 → offset binary (x ^ 0x80 = x + 128), then minus 128.
#pragma unroll
        for (int t = 0; t < 16; ++t) q[t] = smallInt(byte16(qs, t) ^ 0x80u, kMagic + 128.0f);
    }
};

// ---- K-quants (256-value super-blocks) ------------------------------------------------

// Q2_K (84 bytes): u8 scales[16] | u8 qs[64] | f16 d | f16 dmin.
// Value v = 128h + 32j + l (h half, j 0..3, l 0..31) is (qs[32h + l] >> 2j) & 3
// of sub-block v/16 = 8h + 2j + l/16, whose scale byte holds sc (low nibble)
// and m (high nibble): value = (d·sc)·q − dmin·m.
// Chunk c: super-block c/4, half h = (c%4)/2, l in [16g, 16g+16) with g = c%2;
// part j = 0..3.
template <>
struct Format<DType::Q2_K> {
    static constexpr int kParts = 4, kPartValues = 16;
    static constexpr bool kScaled = true, kHasB = true;
    struct Raw { uint4 qs; uint32_t sc0, sc1, dd; };
    __host__ __device__ static int64_t chunks(int64_t K) { return K / 256 * 4; }
    __device__ static int64_t partCol(int64_t c, int j)
    {
        const int h = int(c & 3) >> 1, g = int(c & 1);
        return (c >> 2) * 256 + 128 * h + 32 * j + 16 * g;
    }
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t, bool)
    {
        const uint8_t* blk = row + (c >> 2) * 84;
        const int h = int(c & 3) >> 1, g = int(c & 1);
        // Scale bytes 8h .. 8h+7 cover sub-blocks 8h + 2j + g for j = 0..3.
        return {ld16a4(blk + 16 + 32 * h + 16 * g), ldU32(blk + 8 * h), ldU32(blk + 8 * h + 4), ldU32(blk + 80)};
    }
    __device__ static void decode(const Raw& r, int64_t c, int j, float (&q)[16], float& a, float& b)
    {
        const int g = int(c & 1);
        const uint32_t sc = byte8(r.sc0, r.sc1, 2 * j + g);
        const float d = halfBits(r.dd & 0xFFFFu), dmin = halfBits(r.dd >> 16);
        a = __fmul_rn(d, float(sc & 0xFu));
        b = -__fmul_rn(dmin, float(sc >> 4));
#pragma unroll
        for (int t = 0; t < 16; ++t) q[t] = smallInt((byte16(r.qs, t) >> (2 * j)) & 3u, kMagic);
    }
};

// Q3_K (110 bytes): u8 hmask[32] | u8 qs[64] | u8 scales[12] | f16 d.
// Value v = 128h + 32j + l: low two bits as in Q2_K, minus 4 when bit 4h + j of
// hmask[l] is clear; sixteen 6-bit scales (offset 32) of 16 values, scale s
// with low nibble in scales[s % 8] (low nibble for s < 8, high for s >= 8) and
// high two bits in scales[8 + s % 4] at bit 2·(s / 4): value = (d·(sc − 32))·q.
// Chunks as Q2_K.
template <>
struct Format<DType::Q3_K> {
    static constexpr int kParts = 4, kPartValues = 16;
    static constexpr bool kScaled = true, kHasB = false;
    struct Raw { uint4 qs, hm; uint32_t s0, s1, s2, d; };
    __host__ __device__ static int64_t chunks(int64_t K) { return K / 256 * 4; }
    __device__ static int64_t partCol(int64_t c, int j) { return Format<DType::Q2_K>::partCol(c, j); }
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t, bool)
    {
        const uint8_t* blk = row + (c >> 2) * 110;
        const int h = int(c & 3) >> 1, g = int(c & 1);
        return {ld16a2(blk + 32 + 32 * h + 16 * g), ld16a2(blk + 16 * g), ldU32a2(blk + 96), ldU32a2(blk + 100),
                ldU32a2(blk + 104), ldU16(blk + 108)};
    }
    __device__ static int scale(const Raw& r, int s)
    {
        const uint32_t w = (s & 7) < 4 ? r.s0 : r.s1;  // byte s % 8
        const int lo = int((w >> (8 * (s & 3) + (s >= 8 ? 4 : 0))) & 0xFu);
        const int hi = int((r.s2 >> (8 * (s & 3) + 2 * (s >> 2))) & 3u);
        return (lo | (hi << 4)) - 32;
    }
    __device__ static void decode(const Raw& r, int64_t c, int j, float (&q)[16], float& a, float& b)
    {
        const int h = int(c & 3) >> 1, g = int(c & 1);
        a = __fmul_rn(halfBits(r.d), float(scale(r, 8 * h + 2 * j + g)));
        b = 0.0f;
#pragma unroll
        for (int t = 0; t < 16; ++t) {
            const uint32_t low = (byte16(r.qs, t) >> (2 * j)) & 3u;
            const uint32_t high = (byte16(r.hm, t) >> (4 * h + j)) & 1u;
            q[t] = smallInt(low | (high << 2), kMagic + 4.0f);  // low − (high ? 0 : 4)
        }
    }
};

// Q4_K / Q5_K scale and min of sub-block s (0..7) from the 12 scale bytes held
// in three words (llama.cpp get_scale_min_k4): s < 4: low 6 bits of bytes s
// and s+4; s >= 4: low nibble / high nibble of byte s+4 plus the top two bits
// of bytes s−4 / s.
__device__ __forceinline__ void scaleMinK4(uint32_t w0, uint32_t w1, uint32_t w2, int s, int& sc, int& m)
{
    // Selects rather than an indexed array, which would live in local memory.
    auto byteAt = [&](int i) { return int(((i < 4 ? w0 : i < 8 ? w1 : w2) >> (8 * (i & 3))) & 0xFFu); };
    if (s < 4) {
        sc = byteAt(s) & 63;
        m = byteAt(s + 4) & 63;
    } else {
        sc = (byteAt(s + 4) & 0xF) | ((byteAt(s - 4) >> 6) << 4);
        m = (byteAt(s + 4) >> 4) | ((byteAt(s) >> 6) << 4);
    }
}

// Q4_K (144 bytes): f16 d | f16 dmin | u8 scales[12] | u8 qs[128]. The 64-value
// chunk i uses qs[32i .. 32i+31]: low nibbles are sub-block 2i, high nibbles
// sub-block 2i+1; value = (d·sc)·q − dmin·m.
// Chunk c: super-block c/8, j = c%8 → i = j/2, bytes 16·(j%2) .. +15 of that
// 32 (so values 16·(j%2) + t of each sub-block); part 0 = sub-block 2i (low
// nibbles), part 1 = sub-block 2i+1 (high nibbles).
template <>
struct Format<DType::Q4_K> {
    static constexpr int kParts = 2, kPartValues = 16;
    static constexpr bool kScaled = true, kHasB = true;
    struct Raw { uint4 hdr, qs; };  // hdr = d, dmin, scales[12]
    __host__ __device__ static int64_t chunks(int64_t K) { return K / 256 * 8; }
    __device__ static int64_t partCol(int64_t c, int p)
    {
        const int j = int(c & 7);
        return (c >> 3) * 256 + 64 * (j >> 1) + 32 * p + 16 * (j & 1);
    }
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t, bool)
    {
        const uint8_t* blk = row + (c >> 3) * 144;
        return {ld16(blk), ld16(blk + 16 + 16 * int(c & 7))};
    }
    __device__ static void decode(const Raw& r, int64_t c, int p, float (&q)[16], float& a, float& b)
    {
        int sc, m;
        scaleMinK4(r.hdr.y, r.hdr.z, r.hdr.w, 2 * (int(c & 7) >> 1) + p, sc, m);
        a = __fmul_rn(halfBits(r.hdr.x & 0xFFFFu), float(sc));
        b = -__fmul_rn(halfBits(r.hdr.x >> 16), float(m));
#pragma unroll
        for (int t = 0; t < 16; ++t) q[t] = smallInt((byte16(r.qs, t) >> (4 * p)) & 0xFu, kMagic);
    }
};

// Q5_K (176 bytes): f16 d | f16 dmin | u8 scales[12] | u8 qh[32] | u8 qs[128]:
// Q4_K plus a fifth bit, bit s of qh[l] for value l (0..31) of sub-block s.
// Chunks and parts as Q4_K; the chunk's values l = 16·(j%2) + t need qh[16·(j%2) + t].
template <>
struct Format<DType::Q5_K> {
    static constexpr int kParts = 2, kPartValues = 16;
    static constexpr bool kScaled = true, kHasB = true;
    struct Raw { uint4 hdr, qh, qs; };
    __host__ __device__ static int64_t chunks(int64_t K) { return K / 256 * 8; }
    __device__ static int64_t partCol(int64_t c, int p) { return Format<DType::Q4_K>::partCol(c, p); }
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t, bool)
    {
        const uint8_t* blk = row + (c >> 3) * 176;
        const int j = int(c & 7);
        return {ld16(blk), ld16(blk + 16 + 16 * (j & 1)), ld16(blk + 48 + 16 * j)};
    }
    __device__ static void decode(const Raw& r, int64_t c, int p, float (&q)[16], float& a, float& b)
    {
        const int s = 2 * (int(c & 7) >> 1) + p;
        int sc, m;
        scaleMinK4(r.hdr.y, r.hdr.z, r.hdr.w, s, sc, m);
        a = __fmul_rn(halfBits(r.hdr.x & 0xFFFFu), float(sc));
        b = -__fmul_rn(halfBits(r.hdr.x >> 16), float(m));
#pragma unroll
        for (int t = 0; t < 16; ++t) {
            const uint32_t v = ((byte16(r.qs, t) >> (4 * p)) & 0xFu) | (((byte16(r.qh, t) >> s) & 1u) << 4);
            q[t] = smallInt(v, kMagic);
        }
    }
};

// Q6_K (210 bytes): u8 ql[128] | u8 qh[64] | i8 scales[16] | f16 d. Per
// 128-value half h, value 32k + l (k 0..3, l 0..31) has its low nibble in
// ql[64h + l + 32·(k%2)] (low nibble for k < 2, high for k >= 2), its two high
// bits in bits 2k..2k+1 of qh[32h + l], and scale scales[8h + 2k + l/16];
// value = (d·sc)·(q − 32).
// Chunk c: super-block c/4, h = (c%4)/2, l in [16g, 16g+16) with g = c%2; part k.
template <>
struct Format<DType::Q6_K> {
    static constexpr int kParts = 4, kPartValues = 16;
    static constexpr bool kScaled = true, kHasB = false;
    struct Raw { uint4 ql0, ql1, qh; uint32_t sc0, sc1, d; };
    __host__ __device__ static int64_t chunks(int64_t K) { return K / 256 * 4; }
    __device__ static int64_t partCol(int64_t c, int k)
    {
        const int h = int(c & 3) >> 1, g = int(c & 1);
        return (c >> 2) * 256 + 128 * h + 32 * k + 16 * g;
    }
    __device__ static Raw load(const uint8_t* row, int64_t c, int64_t, bool)
    {
        const uint8_t* blk = row + (c >> 2) * 210;
        const int h = int(c & 3) >> 1, g = int(c & 1);
        // Scale bytes 8h .. 8h+7 cover 8h + 2k + g for k = 0..3.
        return {ld16a2(blk + 64 * h + 16 * g), ld16a2(blk + 64 * h + 32 + 16 * g), ld16a2(blk + 128 + 32 * h + 16 * g),
                ldU32a2(blk + 192 + 8 * h), ldU32a2(blk + 196 + 8 * h), ldU16(blk + 208)};
    }
    __device__ static void decode(const Raw& r, int64_t c, int k, float (&q)[16], float& a, float& b)
    {
        const int g = int(c & 1);
        const int sc = int(int8_t(byte8(r.sc0, r.sc1, 2 * k + g)));
        a = __fmul_rn(halfBits(r.d), float(sc));
        b = 0.0f;
        const uint4 ql = (k & 1) ? r.ql1 : r.ql0;
#pragma unroll
        for (int t = 0; t < 16; ++t) {
            const uint32_t low = (byte16(ql, t) >> (k < 2 ? 0 : 4)) & 0xFu;
            const uint32_t high = (byte16(r.qh, t) >> (2 * k)) & 3u;
            q[t] = smallInt(low | (high << 4), kMagic + 32.0f);
        }
    }
};

// Calls fn(TypeTag<T>{}) for the runtime type (every type with a kernel);
// returns false for other types.
template <DType T>
struct TypeTag {
    static constexpr DType value = T;
};

template <typename Fn>
bool dispatchFormat(DType t, Fn&& fn)
{
    switch (t) {
    case DType::F32: fn(TypeTag<DType::F32>{}); return true;
    case DType::F16: fn(TypeTag<DType::F16>{}); return true;
    case DType::BF16: fn(TypeTag<DType::BF16>{}); return true;
    case DType::Q4_0: fn(TypeTag<DType::Q4_0>{}); return true;
    case DType::Q4_1: fn(TypeTag<DType::Q4_1>{}); return true;
    case DType::Q5_0: fn(TypeTag<DType::Q5_0>{}); return true;
    case DType::Q5_1: fn(TypeTag<DType::Q5_1>{}); return true;
    case DType::Q8_0: fn(TypeTag<DType::Q8_0>{}); return true;
    case DType::Q2_K: fn(TypeTag<DType::Q2_K>{}); return true;
    case DType::Q3_K: fn(TypeTag<DType::Q3_K>{}); return true;
    case DType::Q4_K: fn(TypeTag<DType::Q4_K>{}); return true;
    case DType::Q5_K: fn(TypeTag<DType::Q5_K>{}); return true;
    case DType::Q6_K: fn(TypeTag<DType::Q6_K>{}); return true;
    default: return false;
    }
}

// ---- Programmatic dependent launch (sm_90+) ------------------------------------------
// wait: block until the previous kernel in the stream has completed and its
// writes are visible (a no-op when this launch has no programmatic
// dependency); launchDependents: let the next kernel start its prologue.
// Compiled to nothing for the compute_75 PTX, for which the host never
// enables PDL (pdlCompiled()).
__device__ __forceinline__ void pdlWait()
{
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}
__device__ __forceinline__ void pdlLaunchDependents()
{
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;" ::);
#endif
}

} // namespace precis::engine::cuda
