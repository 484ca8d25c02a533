// Kernel-internal: 512-bit kernels of the K-quants for the AVX-512 table
// (after simd_kquants.h, same rules), where halving the instruction count of
// the 256-bit kernels pays. Exactly the reference's integer sums and float
// operations, hence bit-equal.
//
// Common shape: one 64-value chunk of a super-block per 512-bit register, its
// codes unpacked to unsigned bytes u in the order of the activations,
// multiplied with them by maddubs and weighted by the sub-block scales with
// vpdpwssd (int16 scales: one per 128-bit lane for 16-value sub-blocks, one per
// 256-bit half for 32-value ones, picked from the decoded scales by pshufb).
// Offsets and mins go through the activation block sums, as in the 256-bit
// kernels. Super-blocks go in pairs: scales are decoded for both where that is
// cheaper, the integer sums of both share one horizontal reduction and the
// float terms one multiply; the terms are still added to the sum one at a
// time, in order. An odd last super-block goes alone.
#pragma once

#include "engine/kernels/simd_kquants.h"

namespace precis::engine::kernels {
namespace {

constexpr __mmask32 kUpperHalf16 = 0xFFFF0000u;  // int16 lanes of the upper 256 bits

// Broadcasts, lane shuffles and the 256-bit halves through their all-ones-mask forms:
// GCC 12's plain ones start from an undefined vector and draw
// -Wmaybe-uninitialized.
inline __m512i broadcast128(__m128i v) { return _mm512_maskz_broadcast_i32x4(0xFFFF, v); }
inline __m512i broadcast256(__m256i v) { return _mm512_maskz_broadcast_i64x4(0xFF, v); }
inline __m256i lower256(__m512i v) { return _mm512_maskz_extracti64x4_epi64(0xF, v, 0); }
inline __m256i upper256(__m512i v) { return _mm512_maskz_extracti64x4_epi64(0xF, v, 1); }
// 128-bit lane N of v in every lane.
template <int N>
inline __m512i spreadLane(__m512i v) { return _mm512_maskz_shuffle_i32x4(0xFFFF, v, v, N * 0x55); }

inline __m512i loadu512(const void* p) { return _mm512_loadu_si512(p); }  // activations: 64-byte aligned chunks
inline __m512i broadcast256(const std::byte* p) { return broadcast256(loadu256(p)); }

// The two 256-bit halves of v added: 8 int32 lanes.
inline __m256i fold256(__m512i v) { return _mm256_add_epi32(lower256(v), upper256(v)); }

// A pshufb index with int16 index x_L in every int16 lane of 128-bit lane L.
inline __m512i laneIndex16(int x0, int x1, int x2, int x3)
{
    auto d = [](int x) { return int(uint32_t(uint16_t(x)) * 0x10001u); };
    return _mm512_set_epi32(d(x3), d(x3), d(x3), d(x3), d(x2), d(x2), d(x2), d(x2), d(x1), d(x1), d(x1), d(x1),
                            d(x0), d(x0), d(x0), d(x0));
}
constexpr int zeroExtended(int byte) { return 0x8000 | byte; }              // byte `byte`, zero-extended
constexpr int element16(int e) { return ((2 * e + 1) << 8) | (2 * e); }  // int16 element e

// Every byte of the lower 256 bits `lo`, of the upper ones `hi`.
inline __m512i halfBytes(uint8_t lo, uint8_t hi)
{
    const auto l = int64_t(0x0101010101010101ull * lo), h = int64_t(0x0101010101010101ull * hi);
    return _mm512_set_epi64(h, h, h, h, l, l, l, l);
}

// Adds the terms of super-blocks i, i+1 with mins: dw = [d0, dmin0, d1, dmin1],
// da = the activation scales of both.
inline void addPairWithMin(float& sum, __m256i i0, __m256i m0, __m256i i1, __m256i m1, __m128 dw, const float* da)
{
    const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(i0, m0), _mm256_hadd_epi32(i1, m1));
    const __m128i x = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));  // isum0 msum0 isum1 msum1
    const __m128 a = _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(da)));
    const __m128 scale = _mm_mul_ps(dw, _mm_unpacklo_ps(a, a));  // dA0 dB0 dA1 dB1
    const __m128 prod = _mm_mul_ps(_mm_cvtepi32_ps(x), scale);
    const __m128 t = _mm_hsub_ps(prod, prod);
    sum += _mm_cvtss_f32(t);
    sum += _mm_cvtss_f32(_mm_movehdup_ps(t));
}

// The same without mins: dw = [d0, d1, ·, ·].
inline void addPair(float& sum, __m256i i0, __m256i i1, __m128 dw, const float* da)
{
    const __m256i h = _mm256_hadd_epi32(i0, i1);
    __m128i x = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    x = _mm_hadd_epi32(x, x);  // isum0 isum1 isum0 isum1
    const __m128 dA = _mm_mul_ps(dw, _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(da))));
    const __m128 t = _mm_mul_ps(dA, _mm_cvtepi32_ps(x));
    sum += _mm_cvtss_f32(t);
    sum += _mm_cvtss_f32(_mm_movehdup_ps(t));
}

// The loop over super-blocks. A format F gives Block, hasMin, Scales (the
// decoded scales of one block), scales2(b0, b1, s0, s1) and
// sums<NY>(blk, scales, A, i, isum, msum): per activation row, 8 int32 lanes
// summing to the block's isum (offsets applied) and, with mins, to its msum.
template <typename F, int NY>
struct K512 {
    static void run(int64_t k, const void* wv, const std::byte* act, size_t lda, float* s)
    {
        using B = typename F::Block;
        const auto* w = static_cast<const std::byte*>(wv);
        const ActRows<NY> A(act, lda, k);
        const int64_t nsb = k / kQKK;
        float sum[NY] = {};
        int64_t i = 0;
        for (; i + 2 <= nsb; i += 2) {
            const std::byte* b0 = w + i * int64_t(sizeof(B));
            const std::byte* b1 = b0 + sizeof(B);
            typename F::Scales s0, s1;
            F::scales2(b0, b1, s0, s1);
            __m256i i0[NY], m0[NY], i1[NY], m1[NY];
            F::template sums<NY>(b0, s0, A, i, i0, m0);
            F::template sums<NY>(b1, s1, A, i + 1, i1, m1);
            if constexpr (F::hasMin) {
                uint32_t h0, h1;  // d and dmin, adjacent
                std::memcpy(&h0, b0 + offsetof(B, d), 4);
                std::memcpy(&h1, b1 + offsetof(B, d), 4);
                const __m128 dw = _mm_cvtph_ps(_mm_setr_epi32(int(h0), int(h1), 0, 0));
                for (int r = 0; r < NY; ++r) addPairWithMin(sum[r], i0[r], m0[r], i1[r], m1[r], dw, A.a[r].d + i);
            } else {
                const uint32_t h = load16(b0 + offsetof(B, d)) | uint32_t(load16(b1 + offsetof(B, d))) << 16;
                const __m128 dw = _mm_cvtph_ps(_mm_cvtsi32_si128(int(h)));
                for (int r = 0; r < NY; ++r) addPair(sum[r], i0[r], i1[r], dw, A.a[r].d + i);
            }
        }
        for (; i < nsb; ++i) addBlock(w + i * int64_t(sizeof(B)), A, i, sum);
        for (int r = 0; r < NY; ++r) s[r] = sum[r];
    }
    // Super-block i (at blk) alone.
    static void addBlock(const std::byte* blk, const ActRows<NY>& A, int64_t i, float* sum)
    {
        using B = typename F::Block;
        typename F::Scales s0, unused;
        F::scales2(blk, blk, s0, unused);
        __m256i is[NY], ms[NY];
        F::template sums<NY>(blk, s0, A, i, is, ms);
        const float dw = halfToFloat(load16(blk + offsetof(B, d)));
        const float dminw = F::hasMin ? halfToFloat(load16(blk + offsetof(B, d) + 2)) : 0.0f;
        for (int r = 0; r < NY; ++r) {
            int isum, msum = 0;
            if constexpr (F::hasMin)
                hsum2(is[r], ms[r], isum, msum);
            else
                hsum2(is[r], _mm256_setzero_si256(), isum, msum);
            addTerm(sum[r], dw, dminw, A.a[r].d[i], isum, msum, F::hasMin);
        }
    }
};

// Two weight rows against one activation row (decode). Per step the four
// super-blocks (2 rows × 2) have their scales decoded together where the
// format can (F::scales4), and their integer sums reduced and scaled together;
// each row's terms are still added to its sum one at a time, in order, so the
// results are those of K512<F, 1> (and of the reference) bit for bit.
template <typename F>
struct K512Rows2 {
    static void run(int64_t k, const std::byte* w, size_t rowBytes, const std::byte* act, float* s)
    {
        using B = typename F::Block;
        const ActRows<1> A(act, 0, k);
        const int64_t nsb = k / kQKK;
        const std::byte* v = w + rowBytes;
        float sum0 = 0, sum1 = 0;
        int64_t i = 0;
        for (; i + 2 <= nsb; i += 2) {
            const std::byte* a0 = w + i * int64_t(sizeof(B));
            const std::byte* c0 = v + i * int64_t(sizeof(B));
            typename F::Scales sa0, sa1, sc0, sc1;
            scales4(a0, a0 + sizeof(B), c0, c0 + sizeof(B), sa0, sa1, sc0, sc1);
            __m256i ia0, ma0, ia1, ma1, ic0, mc0, ic1, mc1;
            F::template sums<1>(a0, sa0, A, i, &ia0, &ma0);
            F::template sums<1>(a0 + sizeof(B), sa1, A, i + 1, &ia1, &ma1);
            F::template sums<1>(c0, sc0, A, i, &ic0, &mc0);
            F::template sums<1>(c0 + sizeof(B), sc1, A, i + 1, &ic1, &mc1);
            // Both rows' [t_i, t_i+1] from one 256-bit register [row 0 | row 1].
            __m256i x;
            __m256 dw;
            if constexpr (F::hasMin) {
                x = halves(_mm256_hadd_epi32(_mm256_hadd_epi32(ia0, ma0), _mm256_hadd_epi32(ia1, ma1)),
                           _mm256_hadd_epi32(_mm256_hadd_epi32(ic0, mc0), _mm256_hadd_epi32(ic1, mc1)));
                uint32_t h[4];  // d and dmin, adjacent
                std::memcpy(&h[0], a0 + offsetof(B, d), 4);
                std::memcpy(&h[1], a0 + sizeof(B) + offsetof(B, d), 4);
                std::memcpy(&h[2], c0 + offsetof(B, d), 4);
                std::memcpy(&h[3], c0 + sizeof(B) + offsetof(B, d), 4);
                dw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)));  // d0 dmin0 d1 dmin1 ×2
            } else {
                x = halves(_mm256_hadd_epi32(ia0, ia1), _mm256_hadd_epi32(ic0, ic1));
                x = _mm256_hadd_epi32(x, x);  // isum_i isum_i+1 (twice) per row
                const int ha = int(load16(a0 + offsetof(B, d)) | uint32_t(load16(a0 + sizeof(B) + offsetof(B, d))) << 16);
                const int hc = int(load16(c0 + offsetof(B, d)) | uint32_t(load16(c0 + sizeof(B) + offsetof(B, d))) << 16);
                dw = _mm256_cvtph_ps(_mm_setr_epi32(ha, ha, hc, hc));  // d0 d1 d0 d1 ×2
            }
            const __m128 a = _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(A.a[0].d + i)));
            // With mins [da_i, da_i, da_i+1, da_i+1] (d, dmin of each block), else [da_i, da_i+1] twice.
            const __m128 da = F::hasMin ? _mm_unpacklo_ps(a, a) : _mm_movelh_ps(a, a);
            const __m256 prod = _mm256_mul_ps(_mm256_cvtepi32_ps(x), _mm256_mul_ps(dw, _mm256_set_m128(da, da)));
            __m128 t0 = _mm256_castps256_ps128(prod), t1 = _mm256_extractf128_ps(prod, 1);
            if constexpr (F::hasMin) {
                t0 = _mm_hsub_ps(t0, t0);  // dA·isum − dB·msum of blocks i, i+1
                t1 = _mm_hsub_ps(t1, t1);
            }
            sum0 += _mm_cvtss_f32(t0);
            sum0 += _mm_cvtss_f32(_mm_movehdup_ps(t0));
            sum1 += _mm_cvtss_f32(t1);
            sum1 += _mm_cvtss_f32(_mm_movehdup_ps(t1));
        }
        if (i < nsb) {
            K512<F, 1>::addBlock(w + i * int64_t(sizeof(B)), A, i, &sum0);
            K512<F, 1>::addBlock(v + i * int64_t(sizeof(B)), A, i, &sum1);
        }
        s[0] = sum0;
        s[1] = sum1;
    }

private:
    // [lo + hi of a | lo + hi of b] (128-bit halves).
    static __m256i halves(__m256i a, __m256i b)
    {
        return _mm256_add_epi32(_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(a, b, 0x31));
    }
    static void scales4(const std::byte* a0, const std::byte* a1, const std::byte* c0, const std::byte* c1,
                        typename F::Scales& sa0, typename F::Scales& sa1, typename F::Scales& sc0,
                        typename F::Scales& sc1)
    {
        if constexpr (requires { F::scales4(a0, a1, c0, c1, sa0, sa1, sc0, sc1); }) {
            F::scales4(a0, a1, c0, c1, sa0, sa1, sc0, sc1);
        } else {
            F::scales2(a0, a1, sa0, sa1);
            F::scales2(c0, c1, sc0, sc1);
        }
    }
};

// ---- Q2_K ----------------------------------------------------------------------------
// Chunk c holds bits 4·(c%2) (lower half) and 4·(c%2)+2 (upper half) of
// qs[32·(c/2) + l]: those 32 bytes are broadcast and the upper half shifted
// by 2 once per two chunks. Sub-block 4c+L is lane L; its scale is the low
// nibble of scales[4c+L], its min the high one.
struct Q2K512 {
    using Block = BlockQ2_K;
    static constexpr bool hasMin = true;
    struct Scales {
        __m512i sc;    // the 16 scales as bytes, in every 128-bit lane
        __m256i mins;  // the 16 mins as int16
    };
    static Scales scales(const std::byte* blk)
    {
        const __m128i sm = loadu128(blk + offsetof(Block, scales)), low4 = _mm_set1_epi8(0x0F);
        return {broadcast128(_mm_and_si128(sm, low4)),
                _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sm, 4), low4))};
    }
    static void scales2(const std::byte* b0, const std::byte* b1, Scales& s0, Scales& s1)
    {
        s0 = scales(b0);
        s1 = scales(b1);
    }
    template <int NY>
    static void sums(const std::byte* blk, const Scales& s, const ActRows<NY>& A, int64_t i, __m256i* isum, __m256i* msum)
    {
        const __m512i three = _mm512_set1_epi8(3);
        __m512i acc[NY];
        for (int r = 0; r < NY; ++r) acc[r] = _mm512_setzero_si512();
        for (int h = 0; h < 2; ++h) {
            const __m512i q0 = broadcast256(blk + offsetof(Block, qs) + 32 * h);
            const __m512i q = _mm512_mask_srli_epi16(q0, kUpperHalf16, q0, 2);
            for (int cc = 0; cc < 2; ++cc) {
                const int c = 2 * h + cc;
                const __m512i u = _mm512_and_si512(cc ? _mm512_srli_epi16(q, 4) : q, three);
                const __m512i scale = _mm512_shuffle_epi8(
                    s.sc, laneIndex16(zeroExtended(4 * c), zeroExtended(4 * c + 1), zeroExtended(4 * c + 2),
                                      zeroExtended(4 * c + 3)));
                for (int r = 0; r < NY; ++r)
                    acc[r] = _mm512_dpwssd_epi32(acc[r], _mm512_maddubs_epi16(u, loadu512(A.y(r, i, 64 * c))), scale);
            }
        }
        for (int r = 0; r < NY; ++r) {
            isum[r] = fold256(acc[r]);
            msum[r] = _mm256_madd_epi16(A.bsums(r, i), s.mins);
        }
    }
};

// ---- Q3_K and Q6_K: 16 signed scales, codes with an offset ---------------------------
// The scales of a block as int16, scales 0..7 in every 128-bit lane of lo,
// 8..15 in every lane of hi, 0..15 in order in all (for the offset term).
struct SignedScales16 {
    __m512i lo, hi;
    __m256i all;
};

// From [b0 0..7 | b0 8..15 | b1 0..7 | b1 8..15] (int16).
inline void splitScales16(__m512i v, SignedScales16& s0, SignedScales16& s1)
{
    s0 = {spreadLane<0>(v), spreadLane<1>(v), lower256(v)};
    s1 = {spreadLane<2>(v), spreadLane<3>(v), upper256(v)};
}

// The scales of chunk c: sub-block 4c+L in lane L.
inline __m512i chunkScale16(const SignedScales16& s, int c)
{
    const int e = 4 * (c % 2);
    return _mm512_shuffle_epi8(c < 2 ? s.lo : s.hi,
                               laneIndex16(element16(e), element16(e + 1), element16(e + 2), element16(e + 3)));
}

// isum = Σ sc·(u − offset)·a = Σ sc·u·a − offset·Σ sc·bsum.
template <int Shift>
inline __m256i withOffset(__m512i acc, __m256i bsums, const SignedScales16& s)
{
    return _mm256_sub_epi32(fold256(acc), _mm256_slli_epi32(_mm256_madd_epi16(bsums, s.all), Shift));
}

// Q3_K: u = the 2-bit code as in Q2_K + 4·(hmask bit), offset 4; the hmask bit
// of chunk c is bit 2c (lower half) / 2c+1 (upper half) of hmask[l].
struct Q3K512 {
    using Block = BlockQ3_K;
    static constexpr bool hasMin = false;
    using Scales = SignedScales16;
    // Sub-block j's low nibble is the low (j < 8) or high nibble of byte j%8, its
    // two high bits bits 2·(j/4) of byte 8 + j%4; both blocks at once, one per
    // 128-bit lane.
    static void scales2(const std::byte* b0, const std::byte* b1, Scales& s0, Scales& s1)
    {
        constexpr size_t at = offsetof(Block, scales) - 2;  // 16 bytes ending with the block's scales
        const __m256i q = _mm256_set_m128i(loadu128(b1 + at), loadu128(b0 + at));
        const __m256i p = _mm256_shuffle_epi8(q, _mm256_broadcastsi128_si256(_mm_setr_epi8(2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, 6, 7, 8, 9)));
        const __m256i lo = _mm256_and_si256(_mm256_mask_srli_epi16(p, 0xF0F0, p, 4), _mm256_set1_epi8(0x0F));
        const __m256i t = _mm256_shuffle_epi8(q, _mm256_broadcastsi128_si256(_mm_setr_epi8(10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13)));
        // Byte j's bits 2·(j/4), 2·(j/4)+1 to bits 4, 5: rotate dword g left by 4 − 2g.
        const __m256i hi = _mm256_rolv_epi32(t, _mm256_setr_epi32(4, 2, 0, 30, 4, 2, 0, 30));
        const __m256i sc = _mm256_ternarylogic_epi32(hi, _mm256_set1_epi8(0x30), lo, 0xEA);  // (hi & 0x30) | lo
        splitScales16(_mm512_cvtepi8_epi16(_mm256_sub_epi8(sc, _mm256_set1_epi8(32))), s0, s1);
    }
    template <int NY>
    static void sums(const std::byte* blk, const Scales& s, const ActRows<NY>& A, int64_t i, __m256i* isum, __m256i*)
    {
        const __m512i three = _mm512_set1_epi8(3), four = _mm512_set1_epi8(4);
        const __m512i hm = broadcast256(blk + offsetof(Block, hmask));
        __m512i acc[NY];
        for (int r = 0; r < NY; ++r) acc[r] = _mm512_setzero_si512();
        for (int h = 0; h < 2; ++h) {
            const __m512i q0 = broadcast256(blk + offsetof(Block, qs) + 32 * h);
            const __m512i q = _mm512_mask_srli_epi16(q0, kUpperHalf16, q0, 2);
            for (int cc = 0; cc < 2; ++cc) {
                const int c = 2 * h + cc;
                const __m512i low = _mm512_and_si512(cc ? _mm512_srli_epi16(q, 4) : q, three);
                const __mmask64 high = _mm512_test_epi8_mask(hm, halfBytes(uint8_t(1 << (2 * c)), uint8_t(1 << (2 * c + 1))));
                const __m512i u = _mm512_mask_add_epi8(low, high, low, four);
                const __m512i scale = chunkScale16(s, c);
                for (int r = 0; r < NY; ++r)
                    acc[r] = _mm512_dpwssd_epi32(acc[r], _mm512_maddubs_epi16(u, loadu512(A.y(r, i, 64 * c))), scale);
            }
        }
        for (int r = 0; r < NY; ++r) isum[r] = withOffset<2>(acc[r], A.bsums(r, i), s);
    }
};

// Q6_K: u = low nibble + 16·(2 high bits), offset 32. Chunk c = 2h + cc takes the
// low (cc = 0) or high nibbles of ql[64h .. 64h+63] — lower half then upper
// half, as loaded — and bits 4cc (lower) / 4cc+2 (upper half) of qh[32h + l].
struct Q6K512 {
    using Block = BlockQ6_K;
    static constexpr bool hasMin = false;
    using Scales = SignedScales16;
    static void scales2(const std::byte* b0, const std::byte* b1, Scales& s0, Scales& s1)
    {
        const __m256i sc = _mm256_set_m128i(loadu128(b1 + offsetof(Block, scales)), loadu128(b0 + offsetof(Block, scales)));
        splitScales16(_mm512_cvtepi8_epi16(sc), s0, s1);
    }
    template <int NY>
    static void sums(const std::byte* blk, const Scales& s, const ActRows<NY>& A, int64_t i, __m256i* isum, __m256i*)
    {
        const __m512i low4 = _mm512_set1_epi8(0x0F), bits45 = _mm512_set1_epi8(0x30);
        __m512i acc[NY];
        for (int r = 0; r < NY; ++r) acc[r] = _mm512_setzero_si512();
        for (int h = 0; h < 2; ++h) {
            // Two 32-byte loads: one of 64 bytes would straddle two cache lines
            // at every block (210 bytes apart), which from DRAM measured slower
            // than the 256-bit kernel.
            const std::byte* l = blk + offsetof(Block, ql) + 64 * h;
            const __m512i ql = _mm512_mask_broadcast_i64x4(broadcast256(l), 0xF0, loadu256(l + 32));
            const __m512i qh0 = broadcast256(blk + offsetof(Block, qh) + 32 * h);
            const __m512i qh = _mm512_mask_srli_epi16(qh0, kUpperHalf16, qh0, 2);
            for (int cc = 0; cc < 2; ++cc) {
                const int c = 2 * h + cc;
                const __m512i high = _mm512_and_si512(cc ? qh : _mm512_slli_epi16(qh, 4), bits45);
                const __m512i u = _mm512_ternarylogic_epi32(cc ? _mm512_srli_epi16(ql, 4) : ql, low4, high, 0xEA);
                const __m512i scale = chunkScale16(s, c);
                for (int r = 0; r < NY; ++r)
                    acc[r] = _mm512_dpwssd_epi32(acc[r], _mm512_maddubs_epi16(u, loadu512(A.y(r, i, 64 * c))), scale);
            }
        }
        for (int r = 0; r < NY; ++r) isum[r] = withOffset<5>(acc[r], A.bsums(r, i), s);
    }
};

// ---- Q4_K and Q5_K ---------------------------------------------------------------------
// Scale and min bytes of two Q4_K super-blocks: each 128-bit lane of the result
// holds [sc0..sc7, m0..m7] of one block (llama.cpp get_scale_min_k4, sixteen at
// a time): sc/m 0..3 are the low 6 bits of bytes 0..3 / 4..7; sc/m 4..7 take the
// low / high nibbles of bytes 8..11 plus the top 2 bits of bytes 0..3 / 4..7.
inline __m256i scalesK4x2(const std::byte* s0, const std::byte* s1)
{
    const __m256i q = _mm256_set_m128i(loadu128(s1), loadu128(s0));  // 12 scale bytes (+4 of qh/qs) per lane
    const char z = char(0x80);
    const __m256i lo6 = _mm256_shuffle_epi8(_mm256_and_si256(q, _mm256_set1_epi8(0x3F)),
                                            _mm256_broadcastsi128_si256(_mm_setr_epi8(0, 1, 2, 3, z, z, z, z, 4, 5, 6, 7, z, z, z, z)));
    const __m256i n = _mm256_shuffle_epi8(q, _mm256_broadcastsi128_si256(_mm_setr_epi8(z, z, z, z, 8, 9, 10, 11, z, z, z, z, 8, 9, 10, 11)));
    const __m256i nib = _mm256_mask_blend_epi8(0xF000F000u, _mm256_and_si256(n, _mm256_set1_epi8(0x0F)),
                                               _mm256_and_si256(_mm256_srli_epi16(n, 4), _mm256_set1_epi8(0x0F)));
    const __m256i t = _mm256_shuffle_epi8(q, _mm256_broadcastsi128_si256(_mm_setr_epi8(z, z, z, z, 0, 1, 2, 3, z, z, z, z, 4, 5, 6, 7)));
    const __m256i top = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(t, 6), _mm256_set1_epi8(3)), 4);
    return _mm256_or_si256(lo6, _mm256_or_si256(nib, top));
}

// The same for four super-blocks, one per 128-bit lane.
inline __m512i scalesK4x4(const std::byte* s0, const std::byte* s1, const std::byte* s2, const std::byte* s3)
{
    const __m512i q = _mm512_mask_broadcast_i64x4(broadcast256(_mm256_set_m128i(loadu128(s1), loadu128(s0))), 0xF0,
                                                  _mm256_set_m128i(loadu128(s3), loadu128(s2)));
    const char z = char(0x80);
    auto lanes = [](__m128i v) { return broadcast128(v); };
    const __m512i lo6 = _mm512_shuffle_epi8(_mm512_and_si512(q, _mm512_set1_epi8(0x3F)),
                                            lanes(_mm_setr_epi8(0, 1, 2, 3, z, z, z, z, 4, 5, 6, 7, z, z, z, z)));
    const __m512i n = _mm512_shuffle_epi8(q, lanes(_mm_setr_epi8(z, z, z, z, 8, 9, 10, 11, z, z, z, z, 8, 9, 10, 11)));
    const __m512i nib = _mm512_mask_blend_epi8(0xF000F000F000F000ull, _mm512_and_si512(n, _mm512_set1_epi8(0x0F)),
                                               _mm512_and_si512(_mm512_srli_epi16(n, 4), _mm512_set1_epi8(0x0F)));
    const __m512i t = _mm512_shuffle_epi8(q, lanes(_mm_setr_epi8(z, z, z, z, 0, 1, 2, 3, z, z, z, z, 4, 5, 6, 7)));
    const __m512i top = _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(t, 6), _mm512_set1_epi8(3)), 4);
    return _mm512_ternarylogic_epi32(lo6, nib, top, 0xFE);  // lo6 | nib | top
}

// Chunk c's 32 code bytes are broadcast to both halves, the upper half shifted
// by 4, so the register holds the low nibbles (sub-block 2c) then the high
// nibbles (sub-block 2c+1). Q5_K adds 16 where bit 2c (lower half) / 2c+1
// (upper half) of qh[l] is set.
template <bool Five>
struct Q45K512 {
    using Block = std::conditional_t<Five, BlockQ5_K, BlockQ4_K>;
    static constexpr bool hasMin = true;
    struct Scales {
        __m512i sm;  // [sc0..sc7, m0..m7] in every 128-bit lane
    };
    static void scales2(const std::byte* b0, const std::byte* b1, Scales& s0, Scales& s1)
    {
        const __m256i sm = scalesK4x2(b0 + offsetof(Block, scales), b1 + offsetof(Block, scales));
        s0.sm = broadcast128(_mm256_castsi256_si128(sm));
        s1.sm = broadcast128(_mm256_extracti128_si256(sm, 1));
    }
    static void scales4(const std::byte* b0, const std::byte* b1, const std::byte* b2, const std::byte* b3, Scales& s0,
                        Scales& s1, Scales& s2, Scales& s3)
    {
        constexpr size_t at = offsetof(Block, scales);
        const __m512i sm = scalesK4x4(b0 + at, b1 + at, b2 + at, b3 + at);
        s0.sm = spreadLane<0>(sm);
        s1.sm = spreadLane<1>(sm);
        s2.sm = spreadLane<2>(sm);
        s3.sm = spreadLane<3>(sm);
    }
    template <int NY>
    static void sums(const std::byte* blk, const Scales& s, const ActRows<NY>& A, int64_t i, __m256i* isum, __m256i* msum)
    {
        const __m512i low4 = _mm512_set1_epi8(0x0F);
        __m512i qh = _mm512_setzero_si512();
        if constexpr (Five)
            qh = broadcast256(blk + offsetof(BlockQ5_K, qh));
        __m512i acc[NY];
        for (int r = 0; r < NY; ++r) acc[r] = _mm512_setzero_si512();
        for (int c = 0; c < 4; ++c) {
            const __m512i q = broadcast256(blk + offsetof(Block, qs) + 32 * c);
            __m512i u = _mm512_and_si512(_mm512_mask_srli_epi16(q, kUpperHalf16, q, 4), low4);
            if constexpr (Five) {
                const __mmask64 fifth = _mm512_test_epi8_mask(qh, halfBytes(uint8_t(1 << (2 * c)), uint8_t(1 << (2 * c + 1))));
                u = _mm512_mask_add_epi8(u, fifth, u, _mm512_set1_epi8(16));
            }
            const __m512i scale = _mm512_shuffle_epi8(
                s.sm, laneIndex16(zeroExtended(2 * c), zeroExtended(2 * c), zeroExtended(2 * c + 1), zeroExtended(2 * c + 1)));
            for (int r = 0; r < NY; ++r)
                acc[r] = _mm512_dpwssd_epi32(acc[r], _mm512_maddubs_epi16(u, loadu512(A.y(r, i, 64 * c))), scale);
        }
        // m0 m0 m1 m1 … m7 m7 as int16 (bytes 8..15), each min against the two bsums of its sub-block.
        const __m256i minPairs = _mm256_shuffle_epi8(
            lower256(s.sm),
            _mm256_setr_epi8(8, -128, 8, -128, 9, -128, 9, -128, 10, -128, 10, -128, 11, -128, 11, -128, 12, -128, 12,
                             -128, 13, -128, 13, -128, 14, -128, 14, -128, 15, -128, 15, -128));
        for (int r = 0; r < NY; ++r) {
            isum[r] = fold256(acc[r]);
            msum[r] = _mm256_madd_epi16(A.bsums(r, i), minPairs);
        }
    }
};

template <typename F>
struct Run512 {
    template <int NY> struct Rows { static void run(int64_t k, const void* w, const std::byte* a, size_t l, float* s) { K512<F, NY>::run(k, w, a, l, s); } };
};

template <typename F>
void dot2K512(int64_t k, const std::byte* w, size_t rowBytes, const std::byte* act, float* s)
{
    K512Rows2<F>::run(k, w, rowBytes, act, s);
}

KernelTable avx512KernelTable()
{
    KernelTable t = simdTable();
    t.dot2[int(KType::Q2_K)] = dot2K512<Q2K512>;
    t.dot2[int(KType::Q3_K)] = dot2K512<Q3K512>;
    t.dot2[int(KType::Q4_K)] = dot2K512<Q45K512<false>>;
    t.dot2[int(KType::Q5_K)] = dot2K512<Q45K512<true>>;
    t.dot2[int(KType::Q6_K)] = dot2K512<Q6K512>;
    t.dot[int(KType::Q2_K)] = dotKAny<Run512<Q2K512>::Rows>;
    t.dot[int(KType::Q3_K)] = dotKAny<Run512<Q3K512>::Rows>;
    t.dot[int(KType::Q4_K)] = dotKAny<Run512<Q45K512<false>>::Rows>;
    t.dot[int(KType::Q5_K)] = dotKAny<Run512<Q45K512<true>>::Rows>;
    t.dot[int(KType::Q6_K)] = dotKAny<Run512<Q6K512>::Rows>;
    return t;
}

} // namespace
} // namespace precis::engine::kernels
