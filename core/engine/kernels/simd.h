// Kernel-internal: the 256-bit SIMD kernels, shared by avx2.cpp (AVX2 + FMA +
// F16C) and avx512.cpp (the same plus AVX-512 BW/VL/VNNI, where the integer dot
// steps become single VNNI instructions and bit expansion uses mask registers).
// Include only from those units, after defining PRECIS_SIMD_VNNI to 0 or 1;
// everything here has internal linkage so that the two compilations never mix.
//
// Each kernel performs exactly the float operations of the scalar reference
// (scalar.cpp; kernels.h states them), so results are bit-identical:
//  - 32-value formats: every block's integer sum is formed exactly in 8 int32
//    lanes, the lanes of 8 consecutive blocks are reduced by a horizontal-add
//    tree into one vector holding the 8 block sums, and block b's float term
//    lands in lane b mod 8 of the accumulator.
//  - K-quants: a super-block's integer sums are reduced exactly, then combined
//    in scalar code.
//  - Floats: 16 lanes (two 256-bit accumulators), multiply then add.
// Activation codes are in [−127, 127] (both Q8 encoders guarantee it), so the
// 16-bit pair sums of maddubs never saturate: |u·s| ≤ 128·127 per product.
#pragma once

#ifndef PRECIS_SIMD_VNNI
#error "define PRECIS_SIMD_VNNI before including simd.h"
#endif

#include "engine/kernels/dispatch.h"
#include "quant/block_formats.h"
#include "quant/rtn.h"

#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <type_traits>

namespace precis::engine::kernels {
namespace {

using namespace precis::quant;

// ---- Primitives -------------------------------------------------------------------

// acc + Σ of 4 adjacent u8·s8 products per int32 lane.
inline __m256i dpbusd(__m256i acc, __m256i u, __m256i s)
{
#if PRECIS_SIMD_VNNI
    return _mm256_dpbusd_epi32(acc, u, s);
#else
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
#endif
}

// acc + Σ of 2 adjacent i16·i16 products per int32 lane.
inline __m256i dpwssd(__m256i acc, __m256i a, __m256i b)
{
#if PRECIS_SIMD_VNNI
    return _mm256_dpwssd_epi32(acc, a, b);
#else
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
#endif
}

inline __m256i loadu256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
inline __m128i loadu128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }

inline uint16_t load16(const std::byte* p)
{
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

inline float halfToFloat(uint16_t h) { return _cvtsh_ss(h); }

// Sum of the 8 int32 lanes of a and of b.
inline void hsum2(__m256i a, __m256i b, int& sa, int& sb)
{
    const __m256i h = _mm256_hadd_epi32(a, b);  // a01 a23 b01 b23 | a45 a67 b45 b67
    __m128i x = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    x = _mm_hadd_epi32(x, x);  // A B A B
    sa = _mm_cvtsi128_si32(x);
    sb = _mm_extract_epi32(x, 1);
}

// Lane i of the result = sum of the 8 lanes of v[i].
inline __m256i hsum8(const __m256i* v)
{
    const __m256i q0 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    const __m256i q1 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    // q0 = v0..v3 partial sums in both halves; likewise q1 for v4..v7.
    return _mm256_add_epi32(_mm256_permute2x128_si256(q0, q1, 0x20), _mm256_permute2x128_si256(q0, q1, 0x31));
}

float reduce8(const float* a)
{
    const float s04 = a[0] + a[4], s15 = a[1] + a[5], s26 = a[2] + a[6], s37 = a[3] + a[7];
    return (s04 + s26) + (s15 + s37);
}

// 32 bytes: the 16 low nibbles of `p` then the 16 high nibbles.
inline __m256i nibbles32(const std::byte* p)
{
    const __m128i q = loadu128(p);
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(q, 4), q);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// 32 bytes: byte j = 0x10 when bit j of `bits` is set, else 0.
inline __m256i bitsTo0x10(uint32_t bits)
{
#if PRECIS_SIMD_VNNI
    return _mm256_maskz_mov_epi8(__mmask32(bits), _mm256_set1_epi8(0x10));
#else
    // Byte j takes byte j/8 of `bits`, then tests its bit j%8.
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32(int(bits)),
                                               _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202,
                                                                  0x0303030303030303));
    const __m256i select = _mm256_set1_epi64x(int64_t(0x8040201008040201));
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, select), select);
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
#endif
}

// ---- 32-value formats ---------------------------------------------------------------
// A format trait gives: the block type, the unsigned codes u of block i as 32
// bytes (value = d·(u − offset) [+ m]), the offset, whether it has a min.
// Q8_0 is signed; see dotBlockQ8.

struct FmtQ4_0 {
    using Block = BlockQ4_0;
    static constexpr int offset = 8;
    static constexpr bool hasMin = false;
    static __m256i codes(const std::byte* b) { return nibbles32(b + offsetof(Block, qs)); }
};
struct FmtQ4_1 {
    using Block = BlockQ4_1;
    static constexpr int offset = 0;
    static constexpr bool hasMin = true;
    static __m256i codes(const std::byte* b) { return nibbles32(b + offsetof(Block, qs)); }
};
template <typename B>
__m256i codes5(const std::byte* b)
{
    uint32_t qh;
    std::memcpy(&qh, b + offsetof(B, qh), 4);
    return _mm256_or_si256(nibbles32(b + offsetof(B, qs)), bitsTo0x10(qh));
}
struct FmtQ5_0 {
    using Block = BlockQ5_0;
    static constexpr int offset = 16;
    static constexpr bool hasMin = false;
    static __m256i codes(const std::byte* b) { return codes5<Block>(b); }
};
struct FmtQ5_1 {
    using Block = BlockQ5_1;
    static constexpr int offset = 0;
    static constexpr bool hasMin = true;
    static __m256i codes(const std::byte* b) { return codes5<Block>(b); }
};
// Q8_0: VNNI multiplies u8 by s8, so the signed codes are biased by 128
// (x ^ 0x80 = x + 128) and 128·Σa is subtracted afterwards; AVX2's maddubs would
// saturate on that, so there the sign moves onto the activations instead
// (|x| · sign(a, x)).
struct FmtQ8_0 {
    using Block = BlockQ8_0;
    static constexpr int offset = PRECIS_SIMD_VNNI ? 128 : 0;
    static constexpr bool hasMin = false;
    static __m256i codes(const std::byte* b)
    {
        const __m256i x = loadu256(b + offsetof(Block, qs));
#if PRECIS_SIMD_VNNI
        return _mm256_xor_si256(x, _mm256_set1_epi8(int8_t(0x80)));
#else
        return x;
#endif
    }
};

template <typename F>
inline __m256i blockDot(__m256i u, const int8_t* a)
{
    const __m256i y = loadu256(a);
    if constexpr (std::is_same_v<F, FmtQ8_0> && !PRECIS_SIMD_VNNI)
        return dpbusd(_mm256_setzero_si256(), _mm256_abs_epi8(u), _mm256_sign_epi8(y, u));
    else
        return dpbusd(_mm256_setzero_si256(), u, y);
}

// The fp16 field at byte `field` of blocks i..i+7, as floats.
template <typename B>
inline __m256 gatherHalf8(const std::byte* w, int64_t i, size_t field)
{
    const std::byte* p = w + i * int64_t(sizeof(B)) + field;
    const __m128i h = _mm_setr_epi16(short(load16(p)), short(load16(p + sizeof(B))), short(load16(p + 2 * sizeof(B))),
                                     short(load16(p + 3 * sizeof(B))), short(load16(p + 4 * sizeof(B))),
                                     short(load16(p + 5 * sizeof(B))), short(load16(p + 6 * sizeof(B))),
                                     short(load16(p + 7 * sizeof(B))));
    return _mm256_cvtph_ps(h);
}

// The float term of one block (tail blocks), exactly as the vector path forms it.
template <typename F>
float blockTerm(const std::byte* w, int64_t b, const PreparedQ8& a)
{
    using B = typename F::Block;
    const std::byte* blk = w + b * int64_t(sizeof(B));
    const __m256i v = blockDot<F>(F::codes(blk), a.qs + b * kQK);
    int sumi, unused;
    hsum2(v, _mm256_setzero_si256(), sumi, unused);
    sumi -= F::offset * a.sum[b];
    const float dw = halfToFloat(load16(blk + offsetof(B, d)));
    float t = float(sumi) * (dw * a.d[b]);
    if constexpr (F::hasMin)
        t = t + halfToFloat(load16(blk + offsetof(B, d) + 2)) * a.s[b];
    return t;
}

template <typename F, int NY>
void dotQ32(int64_t k, const void* wv, const std::byte* act, size_t lda, float* s)
{
    using B = typename F::Block;
    const auto* w = static_cast<const std::byte*>(wv);
    const int64_t nb = k / kQK;
    PreparedQ8 a[NY];
    __m256 acc[NY];
    for (int r = 0; r < NY; ++r) {
        a[r] = viewQ8(act + r * lda, k);
        acc[r] = _mm256_setzero_ps();
    }
    int64_t b = 0;
    for (; b + 8 <= nb; b += 8) {
        __m256i v[NY][8];
        for (int i = 0; i < 8; ++i) {
            const __m256i u = F::codes(w + (b + i) * int64_t(sizeof(B)));
            for (int r = 0; r < NY; ++r) v[r][i] = blockDot<F>(u, a[r].qs + (b + i) * kQK);
        }
        const __m256 dw = gatherHalf8<B>(w, b, offsetof(B, d));
        __m256 mw;
        if constexpr (F::hasMin)
            mw = gatherHalf8<B>(w, b, offsetof(B, d) + 2);
        for (int r = 0; r < NY; ++r) {
            __m256i sums = hsum8(v[r]);
            if constexpr (F::offset != 0) {
                constexpr int shift = F::offset == 8 ? 3 : F::offset == 16 ? 4 : 7;  // offsets are 8, 16, 128
                sums = _mm256_sub_epi32(sums, _mm256_slli_epi32(loadu256(a[r].sum + b), shift));
            }
            const __m256 scale = _mm256_mul_ps(dw, _mm256_loadu_ps(a[r].d + b));
            __m256 t = _mm256_mul_ps(_mm256_cvtepi32_ps(sums), scale);
            if constexpr (F::hasMin)
                t = _mm256_add_ps(t, _mm256_mul_ps(mw, _mm256_loadu_ps(a[r].s + b)));
            acc[r] = _mm256_add_ps(acc[r], t);
        }
    }
    for (int r = 0; r < NY; ++r) {
        alignas(32) float lanes[8];
        _mm256_store_ps(lanes, acc[r]);
        for (int64_t bb = b; bb < nb; ++bb) lanes[bb & 7] += blockTerm<F>(w, bb, a[r]);
        s[r] = reduce8(lanes);
    }
}

// ---- RTN (dispatch.h) ----------------------------------------------------------------
// The 32 codes of a block (4·b bytes) as unsigned bytes. 8-bit: loaded; 4-bit:
// split into nibbles (byte j holds codes 2j, 2j+1); other widths: code i sits at
// bit i·b, within the two bytes from byte ⌊i·b/8⌋. Codes 0..15 come from the
// first 2b bytes (lane 0), 16..31 from the bytes after off1 = 2b rounded down to
// 4 (lane 1); both halves are read with dword masks that stop at the block's
// last byte. pshufb puts each code's bytes in a dword (register k: codes 4k..4k+3
// and 16+4k..16+4k+3), srlv and a mask isolate it, two packs restore the order.
struct RtnUnpacker {
    int bits = 0;
    size_t off1 = 0;
    __m128i mask0{}, mask1{};
    __m256i idx[4]{}, shift[4]{}, code{};
    RtnUnpacker() = default;
    explicit RtnUnpacker(int b) : bits(b), off1(size_t(2 * b) & ~size_t(3))
    {
        if (b == 4 || b == 8) return;
        auto dwords = [](int n) {  // the first n dword lanes
            return _mm_setr_epi32(n > 0 ? -1 : 0, n > 1 ? -1 : 0, n > 2 ? -1 : 0, n > 3 ? -1 : 0);
        };
        mask0 = dwords((2 * b + 3) / 4);
        mask1 = dwords(int((4 * size_t(b) - off1) / 4));
        alignas(32) int8_t ix[4][32];
        alignas(32) int32_t sh[4][8];
        for (int k = 0; k < 4; ++k)
            for (int half = 0; half < 2; ++half)
                for (int j = 0; j < 4; ++j) {
                    const int i = 16 * half + 4 * k + j, bit = i * b, base = half ? int(off1) : 0;
                    const int byte = bit / 8 - base, lane = 4 * (4 * half + j);
                    sh[k][4 * half + j] = bit % 8;
                    ix[k][lane] = int8_t(byte);
                    ix[k][lane + 1] = bit % 8 + b > 8 ? int8_t(byte + 1) : int8_t(-128);
                    ix[k][lane + 2] = ix[k][lane + 3] = int8_t(-128);
                }
        for (int k = 0; k < 4; ++k) {
            idx[k] = _mm256_load_si256(reinterpret_cast<const __m256i*>(ix[k]));
            shift[k] = _mm256_load_si256(reinterpret_cast<const __m256i*>(sh[k]));
        }
        code = _mm256_set1_epi32((1 << b) - 1);
    }
    // Bits: 4 or 8 for those widths (known when the kernel is compiled), else 0.
    template <int Bits>
    __m256i get(const uint8_t* p) const
    {
        if constexpr (Bits == 8) return loadu256(p);
        if constexpr (Bits == 4) {
            const __m128i q = loadu128(p), low4 = _mm_set1_epi8(0x0F);
            const __m128i lo = _mm_and_si128(q, low4), hi = _mm_and_si128(_mm_srli_epi16(q, 4), low4);
            return _mm256_set_m128i(_mm_unpackhi_epi8(lo, hi), _mm_unpacklo_epi8(lo, hi));
        }
        const __m256i src = _mm256_set_m128i(_mm_maskload_epi32(reinterpret_cast<const int*>(p + off1), mask1),
                                             _mm_maskload_epi32(reinterpret_cast<const int*>(p), mask0));
        __m256i r[4];
        for (int k = 0; k < 4; ++k)
            r[k] = _mm256_and_si256(_mm256_srlv_epi32(_mm256_shuffle_epi8(src, idx[k]), shift[k]), code);
        return _mm256_packus_epi16(_mm256_packus_epi32(r[0], r[1]), _mm256_packus_epi32(r[2], r[3]));
    }
};

// P = Σ (c − z)·q_a with z = 128 for 8-bit codes without VNNI (maddubs would
// saturate on c ≥ 128, so the signed c − 128 multiplies as Q8_0 does), else 0;
// the block's integer sum is then P + (z − o)·Σq_a.
template <int NY, int Bits>
void dotRtnRows(const RtnLayout& l, int64_t k, const void* wv, const std::byte* act, size_t lda, float* s)
{
    const auto* w = static_cast<const uint8_t*>(wv);
    const int gb = quant::rtnGroupBytes(l), perGroup = l.group / kQK, head = l.asymmetric ? 4 : 2;
    constexpr bool biased = Bits == 8 && !PRECIS_SIMD_VNNI;
    const int corr = (biased ? 128 : 0) - (l.asymmetric ? 0 : 1 << (l.bits - 1));
    const __m256i corrv = _mm256_set1_epi32(corr), bias = _mm256_set1_epi8(int8_t(0x80));
    // One unpacker per width, built once (its tables take longer than a row).
    static const auto unpackers = [] {
        std::array<RtnUnpacker, 9> u;
        for (int b = 2; b <= 8; ++b) u[size_t(b)] = RtnUnpacker(b);
        return u;
    }();
    const RtnUnpacker& codes = unpackers[size_t(l.bits)];
    const int pgShift = perGroup == 1 ? 0 : perGroup == 2 ? 1 : 2;  // groups of 32, 64, 128 values
    const int64_t nb = k / kQK;
    PreparedQ8 a[NY];
    __m256 acc[NY];
    for (int r = 0; r < NY; ++r) {
        a[r] = viewQ8(act + r * lda, k);
        acc[r] = _mm256_setzero_ps();
    }
    // Per 8 blocks: integer sums, then the reference's float terms lane by lane
    // (lane i = block b0 + i, so acc lane i is acc[b mod 8]); lanes past the
    // row's last block add +0, which leaves the sums as they are. Whole groups
    // of 8 run with a constant count (sums stay in registers), the rest after.
    auto chunk = [&]<bool Full>(int64_t b0, int n) {
        __m256i v[NY][8];
        uint16_t dh[8] = {}, mh[8] = {};
#pragma GCC unroll 8
        for (int i = 0; i < (Full ? 8 : n); ++i) {
            const int64_t b = b0 + i;
            const uint8_t* g = w + (b >> pgShift) * gb;
            std::memcpy(&dh[i], g, 2);
            if (l.asymmetric) std::memcpy(&mh[i], g + 2, 2);
            __m256i u = codes.template get<Bits>(g + head + 4 * l.bits * (b & (perGroup - 1)));
            if constexpr (biased) u = _mm256_xor_si256(u, bias);
            for (int r = 0; r < NY; ++r) {
                const __m256i y = loadu256(a[r].qs + b * kQK);
                v[r][i] = biased ? dpbusd(_mm256_setzero_si256(), _mm256_abs_epi8(u), _mm256_sign_epi8(y, u))
                                 : dpbusd(_mm256_setzero_si256(), u, y);
            }
        }
        auto halves = [](const uint16_t* h) {
            return _mm256_cvtph_ps(_mm_setr_epi16(short(h[0]), short(h[1]), short(h[2]), short(h[3]), short(h[4]),
                                                  short(h[5]), short(h[6]), short(h[7])));
        };
        const __m256 dw = halves(dh), mw = halves(mh);
        // The activations' scales, block sums and Q8_1 sums of these blocks (zeros past the row).
        const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        for (int r = 0; r < NY; ++r) {
            const __m256 da = Full ? _mm256_loadu_ps(a[r].d + b0) : _mm256_maskload_ps(a[r].d + b0, live);
            const __m256i bsum = Full ? loadu256(a[r].sum + b0) : _mm256_maskload_epi32(a[r].sum + b0, live);
            if constexpr (!Full)
                for (int i = n; i < 8; ++i) v[r][i] = _mm256_setzero_si256();
            const __m256i sums = _mm256_add_epi32(hsum8(v[r]), _mm256_mullo_epi32(corrv, bsum));
            __m256 t = _mm256_mul_ps(_mm256_cvtepi32_ps(sums), _mm256_mul_ps(dw, da));
            if (l.asymmetric)
                t = _mm256_add_ps(t, _mm256_mul_ps(mw, Full ? _mm256_loadu_ps(a[r].s + b0)
                                                            : _mm256_maskload_ps(a[r].s + b0, live)));
            acc[r] = _mm256_add_ps(acc[r], t);
        }
    };
    int64_t b0 = 0;
    for (; b0 + 8 <= nb; b0 += 8) chunk.template operator()<true>(b0, 8);
    if (b0 < nb) chunk.template operator()<false>(b0, int(nb - b0));
    for (int r = 0; r < NY; ++r) {
        alignas(32) float lanes[8];
        _mm256_store_ps(lanes, acc[r]);
        s[r] = reduce8(lanes);
    }
}

template <int Bits>
void dotRtnBits(const RtnLayout& l, int64_t k, const void* w, const std::byte* act, size_t lda, int ny, float* s)
{
    switch (ny) {
    case 1: return dotRtnRows<1, Bits>(l, k, w, act, lda, s);
    case 2: return dotRtnRows<2, Bits>(l, k, w, act, lda, s);
    case 3: return dotRtnRows<3, Bits>(l, k, w, act, lda, s);
    default: return dotRtnRows<4, Bits>(l, k, w, act, lda, s);
    }
}

void dotRtnSimd(const RtnLayout& l, int64_t k, const void* w, const std::byte* act, size_t lda, int ny, float* s)
{
    if (l.bits == 4) return dotRtnBits<4>(l, k, w, act, lda, ny, s);
    if (l.bits == 8) return dotRtnBits<8>(l, k, w, act, lda, ny, s);
    dotRtnBits<0>(l, k, w, act, lda, ny, s);
}

template <typename F>
void dotQ32Any(int64_t k, const void* w, const std::byte* act, size_t lda, int ny, float* s)
{
    switch (ny) {
    case 1: return dotQ32<F, 1>(k, w, act, lda, s);
    case 2: return dotQ32<F, 2>(k, w, act, lda, s);
    case 3: return dotQ32<F, 3>(k, w, act, lda, s);
    default: return dotQ32<F, 4>(k, w, act, lda, s);
    }
}

// ---- Floats -------------------------------------------------------------------------
// 16 lanes: lanes 0..7 in lo, 8..15 in hi.
struct FloatF32 {
    static constexpr int size = 4;
    static void load(const std::byte* p, __m256& lo, __m256& hi)
    {
        lo = _mm256_loadu_ps(reinterpret_cast<const float*>(p));
        hi = _mm256_loadu_ps(reinterpret_cast<const float*>(p) + 8);
    }
    static float one(const std::byte* p)
    {
        float v;
        std::memcpy(&v, p, 4);
        return v;
    }
};
struct FloatF16 {
    static constexpr int size = 2;
    static void load(const std::byte* p, __m256& lo, __m256& hi)
    {
        lo = _mm256_cvtph_ps(loadu128(p));
        hi = _mm256_cvtph_ps(loadu128(p + 16));
    }
    static float one(const std::byte* p) { return halfToFloat(load16(p)); }
};
struct FloatBF16 {
    static constexpr int size = 2;
    static __m256 widen(__m128i h) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)); }
    static void load(const std::byte* p, __m256& lo, __m256& hi)
    {
        lo = widen(loadu128(p));
        hi = widen(loadu128(p + 16));
    }
    static float one(const std::byte* p)
    {
        const uint32_t u = uint32_t(load16(p)) << 16;
        float v;
        std::memcpy(&v, &u, 4);
        return v;
    }
};

template <typename F, int NY>
void dotFloat(int64_t k, const void* wv, const std::byte* act, size_t lda, float* s)
{
    const auto* w = static_cast<const std::byte*>(wv);
    const float* a[NY];
    __m256 lo[NY], hi[NY];
    for (int r = 0; r < NY; ++r) {
        a[r] = reinterpret_cast<const float*>(act + r * lda);
        lo[r] = hi[r] = _mm256_setzero_ps();
    }
    int64_t i = 0;
    for (; i + 16 <= k; i += 16) {
        __m256 w0, w1;
        F::load(w + i * F::size, w0, w1);
        for (int r = 0; r < NY; ++r) {
            lo[r] = _mm256_add_ps(lo[r], _mm256_mul_ps(w0, _mm256_loadu_ps(a[r] + i)));
            hi[r] = _mm256_add_ps(hi[r], _mm256_mul_ps(w1, _mm256_loadu_ps(a[r] + i + 8)));
        }
    }
    for (int r = 0; r < NY; ++r) {
        alignas(32) float lanes[16];
        _mm256_store_ps(lanes, lo[r]);
        _mm256_store_ps(lanes + 8, hi[r]);
        for (int64_t j = i; j < k; ++j) lanes[j & 15] += F::one(w + j * F::size) * a[r][j];
        float h[8];
        for (int l = 0; l < 8; ++l) h[l] = lanes[l] + lanes[l + 8];
        s[r] = reduce8(h);
    }
}

template <typename F>
void dotFloatAny(int64_t k, const void* w, const std::byte* act, size_t lda, int ny, float* s)
{
    switch (ny) {
    case 1: return dotFloat<F, 1>(k, w, act, lda, s);
    case 2: return dotFloat<F, 2>(k, w, act, lda, s);
    case 3: return dotFloat<F, 3>(k, w, act, lda, s);
    default: return dotFloat<F, 4>(k, w, act, lda, s);
    }
}

// ---- Conversions ------------------------------------------------------------------------
void halfToFloatRow(const uint16_t* src, float* dst, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(loadu128(src + i)));
    for (; i < n; ++i) dst[i] = halfToFloat(src[i]);
}

void floatToHalfRow(const float* src, uint16_t* dst, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i) dst[i] = _cvtss_sh(src[i], _MM_FROUND_TO_NEAREST_INT);
}

} // namespace
} // namespace precis::engine::kernels
