// Kernel-internal: 256-bit SIMD dot products of the K-quants with Q8_K
// activations (after simd.h, same rules). Per super-block the codes are
// unpacked to unsigned bytes u (value = d·sc·(u − o) − dmin·m), multiplied with
// the activations by maddubs (16-bit pair sums, at most 2·63·127), weighted by
// the sub-block scales with a 16-bit multiply-add into int32 lanes, and the
// offset o and mins are applied through the activation block sums (bsums, one
// per 16 values). The two integer sums are reduced exactly, then combined in
// scalar float code exactly as the reference does.
#pragma once

#include "engine/kernels/simd.h"
#include "engine/kernels/simd_prepare.h"

namespace precis::engine::kernels {
namespace {

// Broadcast int16 lane j of each 128-bit half of v to all 8 lanes of that half.
inline __m256i splat16(__m256i v, int j)
{
    return _mm256_shuffle_epi8(v, _mm256_set1_epi16(short(((2 * j + 1) << 8) | (2 * j))));
}

// [s[a] ×8 | s[b] ×8]: scales of two 16-value sub-blocks for one 32-value chunk.
inline __m256i scalePair(const int16_t* s, int a, int b)
{
    return _mm256_set_m128i(_mm_set1_epi16(s[b]), _mm_set1_epi16(s[a]));
}

inline __m256i low2(__m256i q, int shift)
{
    return _mm256_and_si256(_mm256_srli_epi16(q, shift), _mm256_set1_epi8(3));
}

// Adds the super-block's term to sum, as the reference does.
inline void addTerm(float& sum, float dw, float dminw, float da, int isum, int msum, bool hasMin)
{
    const float dA = dw * da;
    if (hasMin) {
        const float dB = dminw * da;
        sum += dA * float(isum) - dB * float(msum);
    } else {
        sum += dA * float(isum);
    }
}

template <int NY>
struct ActRows {
    PreparedQ8K a[NY];
    ActRows(const std::byte* act, size_t lda, int64_t k)
    {
        for (int r = 0; r < NY; ++r) a[r] = viewQ8K(act + r * lda, k);
    }
    const int8_t* y(int r, int64_t sb, int off) const { return a[r].qs + sb * kQKK + off; }
    __m256i bsums(int r, int64_t sb) const { return loadu256(a[r].bsums + sb * 16); }
};

// ---- Q2_K: u = 2-bit code, 16 sub-blocks with 4-bit scale and min ----------------
template <int NY>
void dotQ2K(int64_t k, const void* wv, const std::byte* act, size_t lda, float* s)
{
    const auto* w = static_cast<const std::byte*>(wv);
    const ActRows<NY> A(act, lda, k);
    float sum[NY] = {};
    for (int64_t i = 0; i < k / kQKK; ++i) {
        const std::byte* blk = w + i * int64_t(sizeof(BlockQ2_K));
        const __m128i sm = loadu128(blk + offsetof(BlockQ2_K, scales));
        alignas(32) int16_t sc[16];
        _mm256_store_si256(reinterpret_cast<__m256i*>(sc), _mm256_cvtepu8_epi16(_mm_and_si128(sm, _mm_set1_epi8(0x0F))));
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sm, 4), _mm_set1_epi8(0x0F)));
        __m256i acc[NY];
        for (int r = 0; r < NY; ++r) acc[r] = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            const __m256i q = loadu256(blk + offsetof(BlockQ2_K, qs) + 32 * h);
            for (int j = 0; j < 4; ++j) {
                const __m256i u = low2(q, 2 * j);
                const __m256i scale = scalePair(sc, 8 * h + 2 * j, 8 * h + 2 * j + 1);
                for (int r = 0; r < NY; ++r)
                    acc[r] = dpwssd(acc[r], _mm256_maddubs_epi16(u, loadu256(A.y(r, i, 128 * h + 32 * j))), scale);
            }
        }
        const float dw = halfToFloat(load16(blk + offsetof(BlockQ2_K, d)));
        const float dminw = halfToFloat(load16(blk + offsetof(BlockQ2_K, dmin)));
        for (int r = 0; r < NY; ++r) {
            int isum, msum;
            hsum2(acc[r], _mm256_madd_epi16(A.bsums(r, i), mins), isum, msum);
            addTerm(sum[r], dw, dminw, A.a[r].d[i], isum, msum, true);
        }
    }
    for (int r = 0; r < NY; ++r) s[r] = sum[r];
}

// ---- Q3_K: u = 2-bit code + 4·hmask bit, offset 4, 16 signed 6-bit scales −32 ------
template <int NY>
void dotQ3K(int64_t k, const void* wv, const std::byte* act, size_t lda, float* s)
{
    const auto* w = static_cast<const std::byte*>(wv);
    const ActRows<NY> A(act, lda, k);
    float sum[NY] = {};
    for (int64_t i = 0; i < k / kQKK; ++i) {
        const std::byte* blk = w + i * int64_t(sizeof(BlockQ3_K));
        // Low nibbles of sub-blocks 0..7 / 8..15 in bytes 0..7 (low / high
        // nibble); the two high bits of sub-block j in byte 8 + j%4 at bit 2·(j/4).
        uint32_t a0, a1, t;
        std::memcpy(&a0, blk + offsetof(BlockQ3_K, scales), 4);
        std::memcpy(&a1, blk + offsetof(BlockQ3_K, scales) + 4, 4);
        std::memcpy(&t, blk + offsetof(BlockQ3_K, scales) + 8, 4);
        const uint32_t m4 = 0x0F0F0F0F, m2 = 0x03030303;
        const __m128i sc8 = _mm_setr_epi32(int((a0 & m4) | ((t & m2) << 4)), int((a1 & m4) | (((t >> 2) & m2) << 4)),
                                           int(((a0 >> 4) & m4) | (((t >> 4) & m2) << 4)),
                                           int(((a1 >> 4) & m4) | (((t >> 6) & m2) << 4)));
        const __m256i scv = _mm256_cvtepi8_epi16(_mm_sub_epi8(sc8, _mm_set1_epi8(32)));
        alignas(32) int16_t sc[16];
        _mm256_store_si256(reinterpret_cast<__m256i*>(sc), scv);
        const __m256i hm = loadu256(blk + offsetof(BlockQ3_K, hmask));
        __m256i acc[NY];
        for (int r = 0; r < NY; ++r) acc[r] = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            const __m256i q = loadu256(blk + offsetof(BlockQ3_K, qs) + 32 * h);
            for (int j = 0; j < 4; ++j) {
                const __m256i hb = _mm256_and_si256(_mm256_srli_epi16(hm, 4 * h + j), _mm256_set1_epi8(1));
                const __m256i u = _mm256_or_si256(low2(q, 2 * j), _mm256_slli_epi16(hb, 2));
                const __m256i scale = scalePair(sc, 8 * h + 2 * j, 8 * h + 2 * j + 1);
                for (int r = 0; r < NY; ++r)
                    acc[r] = dpwssd(acc[r], _mm256_maddubs_epi16(u, loadu256(A.y(r, i, 128 * h + 32 * j))), scale);
            }
        }
        const float dw = halfToFloat(load16(blk + offsetof(BlockQ3_K, d)));
        for (int r = 0; r < NY; ++r) {
            // Σ sc·(u − 4)·a = Σ sc·u·a − 4·Σ sc·bsum
            const __m256i corr = _mm256_madd_epi16(A.bsums(r, i), scv);
            int isum, unused;
            hsum2(_mm256_sub_epi32(acc[r], _mm256_slli_epi32(corr, 2)), _mm256_setzero_si256(), isum, unused);
            addTerm(sum[r], dw, 0, A.a[r].d[i], isum, 0, false);
        }
    }
    for (int r = 0; r < NY; ++r) s[r] = sum[r];
}

// ---- Q4_K / Q5_K: 8 sub-blocks of 32 with 6-bit scale and min -------------------------
// Scales and mins of the 12 packed bytes (llama.cpp get_scale_min_k4, four at a
// time): sub-blocks 0..3 use the low 6 bits of bytes 0..3 (scale) and 4..7
// (min); 4..7 take nibbles of bytes 8..11 and the top 2 bits of bytes 0..7.
inline void scalesK4(const std::byte* p, __m256i& scv, __m256i& minPairs)
{
    uint32_t u[3];
    std::memcpy(u, p, 12);
    const uint32_t m6 = 0x3F3F3F3F, m4 = 0x0F0F0F0F, m2 = 0x03030303;
    const uint32_t scLo = u[0] & m6, mLo = u[1] & m6;
    const uint32_t scHi = (u[2] & m4) | (((u[0] >> 6) & m2) << 4);
    const uint32_t mHi = ((u[2] >> 4) & m4) | (((u[1] >> 6) & m2) << 4);
    const __m128i sc16 = _mm_cvtepu8_epi16(_mm_setr_epi32(int(scLo), int(scHi), 0, 0));
    const __m128i m16 = _mm_cvtepu8_epi16(_mm_setr_epi32(int(mLo), int(mHi), 0, 0));
    scv = _mm256_broadcastsi128_si256(sc16);
    // m0 m0 m1 m1 … m7 m7: each min against the two bsums of its sub-block.
    minPairs = _mm256_set_m128i(_mm_unpackhi_epi16(m16, m16), _mm_unpacklo_epi16(m16, m16));
}

template <int NY, bool Five>
void dotQ45K(int64_t k, const void* wv, const std::byte* act, size_t lda, float* s)
{
    using B = std::conditional_t<Five, BlockQ5_K, BlockQ4_K>;
    const auto* w = static_cast<const std::byte*>(wv);
    const ActRows<NY> A(act, lda, k);
    float sum[NY] = {};
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int64_t i = 0; i < k / kQKK; ++i) {
        const std::byte* blk = w + i * int64_t(sizeof(B));
        __m256i scv, minPairs;
        scalesK4(blk + offsetof(B, scales), scv, minPairs);
        __m256i qh = _mm256_setzero_si256();
        if constexpr (Five)
            qh = loadu256(blk + offsetof(BlockQ5_K, qh));
        __m256i acc[NY];
        for (int r = 0; r < NY; ++r) acc[r] = _mm256_setzero_si256();
        for (int c = 0; c < 4; ++c) {
            // Chunk c: low nibbles are sub-block 2c, high nibbles sub-block 2c+1.
            const __m256i q = loadu256(blk + offsetof(B, qs) + 32 * c);
            __m256i lo = _mm256_and_si256(q, low4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            if constexpr (Five) {
                // Fifth bit of sub-block j, value l: bit j of qh[l].
                const __m256i one = _mm256_set1_epi8(1);
                lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c), one), 4));
                hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c + 1), one), 4));
            }
            const __m256i s0 = splat16(scv, 2 * c), s1 = splat16(scv, 2 * c + 1);
            for (int r = 0; r < NY; ++r) {
                acc[r] = dpwssd(acc[r], _mm256_maddubs_epi16(lo, loadu256(A.y(r, i, 64 * c))), s0);
                acc[r] = dpwssd(acc[r], _mm256_maddubs_epi16(hi, loadu256(A.y(r, i, 64 * c + 32))), s1);
            }
        }
        const float dw = halfToFloat(load16(blk + offsetof(B, d)));
        const float dminw = halfToFloat(load16(blk + offsetof(B, dmin)));
        for (int r = 0; r < NY; ++r) {
            int isum, msum;
            hsum2(acc[r], _mm256_madd_epi16(A.bsums(r, i), minPairs), isum, msum);
            addTerm(sum[r], dw, dminw, A.a[r].d[i], isum, msum, true);
        }
    }
    for (int r = 0; r < NY; ++r) s[r] = sum[r];
}

// ---- Q6_K: u = 4 low bits (ql) + 2 high bits (qh), offset 32, 16 int8 scales ---------
template <int NY>
void dotQ6K(int64_t k, const void* wv, const std::byte* act, size_t lda, float* s)
{
    const auto* w = static_cast<const std::byte*>(wv);
    const ActRows<NY> A(act, lda, k);
    float sum[NY] = {};
    const __m256i low4 = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
    for (int64_t i = 0; i < k / kQKK; ++i) {
        const std::byte* blk = w + i * int64_t(sizeof(BlockQ6_K));
        const __m256i scv = _mm256_cvtepi8_epi16(loadu128(blk + offsetof(BlockQ6_K, scales)));
        alignas(32) int16_t sc[16];
        _mm256_store_si256(reinterpret_cast<__m256i*>(sc), scv);
        __m256i acc[NY];
        for (int r = 0; r < NY; ++r) acc[r] = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            // Value 32kk + l of this half: low nibble of ql[l + 32·(kk%2)] (high
            // nibble for kk ≥ 2), high bits 2kk..2kk+1 of qh[l].
            const __m256i ql0 = loadu256(blk + offsetof(BlockQ6_K, ql) + 64 * h);
            const __m256i ql1 = loadu256(blk + offsetof(BlockQ6_K, ql) + 64 * h + 32);
            const __m256i qh = loadu256(blk + offsetof(BlockQ6_K, qh) + 32 * h);
            for (int kk = 0; kk < 4; ++kk) {
                const __m256i ql = kk % 2 ? ql1 : ql0;
                const __m256i low = kk < 2 ? _mm256_and_si256(ql, low4) : _mm256_and_si256(_mm256_srli_epi16(ql, 4), low4);
                const __m256i high = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * kk), three), 4);
                const __m256i u = _mm256_or_si256(low, high);
                const __m256i scale = scalePair(sc, 8 * h + 2 * kk, 8 * h + 2 * kk + 1);
                for (int r = 0; r < NY; ++r)
                    acc[r] = dpwssd(acc[r], _mm256_maddubs_epi16(u, loadu256(A.y(r, i, 128 * h + 32 * kk))), scale);
            }
        }
        const float dw = halfToFloat(load16(blk + offsetof(BlockQ6_K, d)));
        for (int r = 0; r < NY; ++r) {
            // Σ sc·(u − 32)·a = Σ sc·u·a − 32·Σ sc·bsum
            const __m256i corr = _mm256_madd_epi16(A.bsums(r, i), scv);
            int isum, unused;
            hsum2(_mm256_sub_epi32(acc[r], _mm256_slli_epi32(corr, 5)), _mm256_setzero_si256(), isum, unused);
            addTerm(sum[r], dw, 0, A.a[r].d[i], isum, 0, false);
        }
    }
    for (int r = 0; r < NY; ++r) s[r] = sum[r];
}

template <template <int> class K>
void dotKAny(int64_t k, const void* w, const std::byte* act, size_t lda, int ny, float* s)
{
    switch (ny) {
    case 1: return K<1>::run(k, w, act, lda, s);
    case 2: return K<2>::run(k, w, act, lda, s);
    case 3: return K<3>::run(k, w, act, lda, s);
    default: return K<4>::run(k, w, act, lda, s);
    }
}

template <int NY> struct RunQ2K { static void run(int64_t k, const void* w, const std::byte* a, size_t l, float* s) { dotQ2K<NY>(k, w, a, l, s); } };
template <int NY> struct RunQ3K { static void run(int64_t k, const void* w, const std::byte* a, size_t l, float* s) { dotQ3K<NY>(k, w, a, l, s); } };
template <int NY> struct RunQ4K { static void run(int64_t k, const void* w, const std::byte* a, size_t l, float* s) { dotQ45K<NY, false>(k, w, a, l, s); } };
template <int NY> struct RunQ5K { static void run(int64_t k, const void* w, const std::byte* a, size_t l, float* s) { dotQ45K<NY, true>(k, w, a, l, s); } };
template <int NY> struct RunQ6K { static void run(int64_t k, const void* w, const std::byte* a, size_t l, float* s) { dotQ6K<NY>(k, w, a, l, s); } };

// The table of one ISA: every type has a SIMD kernel and SIMD preparation.
KernelTable simdTable()
{
    return {
        {
            dotFloatAny<FloatF32>, dotFloatAny<FloatF16>, dotFloatAny<FloatBF16>,
            dotQ32Any<FmtQ4_0>, dotQ32Any<FmtQ4_1>, dotQ32Any<FmtQ5_0>, dotQ32Any<FmtQ5_1>, dotQ32Any<FmtQ8_0>,
            dotKAny<RunQ2K>, dotKAny<RunQ3K>, dotKAny<RunQ4K>, dotKAny<RunQ5K>, dotKAny<RunQ6K>,
        },
        prepareSimd,
        halfToFloatRow,
        floatToHalfRow,
        {},
        dotRtnSimd,
    };
}

} // namespace
} // namespace precis::engine::kernels
