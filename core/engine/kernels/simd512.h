// Kernel-internal: 512-bit kernels for the AVX-512 table (after
// simd_kquants.h, same rules), for the formats where halving the instruction
// count of the 256-bit kernels pays: Q4_K (the usual decode format). Exactly
// the reference's integer sums and float operations, hence bit-equal.
#pragma once

#include "engine/kernels/simd_kquants.h"

namespace precis::engine::kernels {
namespace {

// Scale and min bytes of two Q4_K super-blocks: each 128-bit lane of the result
// holds [sc0..sc7, m0..m7] of one block (llama.cpp get_scale_min_k4, sixteen at
// a time): sc/m 0..3 are the low 6 bits of bytes 0..3 / 4..7; sc/m 4..7 take the
// low / high nibbles of bytes 8..11 plus the top 2 bits of bytes 0..3 / 4..7.
inline __m256i scalesK4x2(const std::byte* s0, const std::byte* s1)
{
    const __m256i q = _mm256_set_m128i(loadu128(s1), loadu128(s0));  // 12 scale bytes (+4 of qs) per lane
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

// Q4_K with one 64-value chunk per 512-bit register: the chunk's 32 code
// bytes are broadcast to both halves, the upper half shifted by 4, so the
// register holds the low nibbles (values 0..31, sub-block 2c) then the high
// nibbles (values 32..63, sub-block 2c+1) — the order of the activations. The
// scales are decoded with byte shuffles, two super-blocks at a time, and
// super-blocks go in pairs so that the four integer sums (isum, msum of each)
// share one horizontal reduction and the float terms one multiply; the terms
// are still added to the sum one at a time, in order.
template <int NY>
struct Q4K512 {
    __m512i scaleSel[4];
    __m256i minSel;
    Q4K512()
    {
        // int16 lane = byte 2c (lower half) / 2c+1 (upper half) of the scale bytes, zero-extended.
        for (int c = 0; c < 4; ++c)
            scaleSel[c] = _mm512_mask_blend_epi16(__mmask32(0xFFFF0000u), _mm512_set1_epi16(short(0x8000 | (2 * c))),
                                                  _mm512_set1_epi16(short(0x8000 | (2 * c + 1))));
        // m0 m0 m1 m1 … m7 m7 as int16: bytes 8..15, each twice.
        minSel = _mm256_setr_epi8(8, -128, 8, -128, 9, -128, 9, -128, 10, -128, 10, -128, 11, -128, 11, -128,
                                  12, -128, 12, -128, 13, -128, 13, -128, 14, -128, 14, -128, 15, -128, 15, -128);
    }

    // sm: this block's 16 scale/min bytes in every 128-bit lane.
    void sums(const std::byte* blk, __m512i sm, const ActRows<NY>& A, int64_t i, __m256i* isum, __m256i* msum) const
    {
        const __m512i low4 = _mm512_set1_epi8(0x0F);
        __m512i acc[NY];
        for (int r = 0; r < NY; ++r) acc[r] = _mm512_setzero_si512();
        for (int c = 0; c < 4; ++c) {
            const __m512i q = _mm512_maskz_broadcast_i64x4(0xFF, loadu256(blk + offsetof(BlockQ4_K, qs) + 32 * c));
            const __m512i u = _mm512_and_si512(_mm512_mask_srli_epi16(q, __mmask32(0xFFFF0000u), q, 4), low4);
            const __m512i scale = _mm512_shuffle_epi8(sm, scaleSel[c]);
            for (int r = 0; r < NY; ++r)
                acc[r] = _mm512_dpwssd_epi32(acc[r], _mm512_maddubs_epi16(u, _mm512_loadu_si512(A.y(r, i, 64 * c))), scale);
        }
        const __m256i minPairs = _mm256_shuffle_epi8(_mm512_maskz_extracti64x4_epi64(0xF, sm, 0), minSel);
        for (int r = 0; r < NY; ++r) {
            isum[r] = _mm256_add_epi32(_mm512_maskz_extracti64x4_epi64(0xF, acc[r], 0),
                                       _mm512_maskz_extracti64x4_epi64(0xF, acc[r], 1));
            msum[r] = _mm256_madd_epi16(A.bsums(r, i), minPairs);
        }
    }

    void run(int64_t k, const void* wv, const std::byte* act, size_t lda, float* s) const
    {
        const auto* w = static_cast<const std::byte*>(wv);
        const ActRows<NY> A(act, lda, k);
        const int64_t nsb = k / kQKK;
        float sum[NY] = {};
        int64_t i = 0;
        for (; i + 2 <= nsb; i += 2) {
            const std::byte* b0 = w + i * int64_t(sizeof(BlockQ4_K));
            const std::byte* b1 = b0 + sizeof(BlockQ4_K);
            const __m256i sm = scalesK4x2(b0 + offsetof(BlockQ4_K, scales), b1 + offsetof(BlockQ4_K, scales));
            const __m512i sm0 = _mm512_maskz_broadcast_i32x4(0xFFFF, _mm256_castsi256_si128(sm));
            const __m512i sm1 = _mm512_maskz_broadcast_i32x4(0xFFFF, _mm256_extracti128_si256(sm, 1));
            __m256i i0[NY], m0[NY], i1[NY], m1[NY];
            sums(b0, sm0, A, i, i0, m0);
            sums(b1, sm1, A, i + 1, i1, m1);
            uint32_t h0, h1;
            std::memcpy(&h0, b0 + offsetof(BlockQ4_K, d), 4);
            std::memcpy(&h1, b1 + offsetof(BlockQ4_K, d), 4);
            const __m128 dw = _mm_cvtph_ps(_mm_setr_epi32(int(h0), int(h1), 0, 0));
            for (int r = 0; r < NY; ++r) {
                const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(i0[r], m0[r]), _mm256_hadd_epi32(i1[r], m1[r]));
                const __m128i x = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
                const __m128 da = _mm_castpd_ps(_mm_load1_pd(reinterpret_cast<const double*>(A.a[r].d + i)));
                const __m128 scale = _mm_mul_ps(dw, _mm_unpacklo_ps(da, da));
                const __m128 prod = _mm_mul_ps(_mm_cvtepi32_ps(x), scale);
                const __m128 t = _mm_hsub_ps(prod, prod);
                sum[r] += _mm_cvtss_f32(t);
                sum[r] += _mm_cvtss_f32(_mm_movehdup_ps(t));
            }
        }
        for (; i < nsb; ++i) {
            const std::byte* blk = w + i * int64_t(sizeof(BlockQ4_K));
            const __m256i sm = scalesK4x2(blk + offsetof(BlockQ4_K, scales), blk + offsetof(BlockQ4_K, scales));
            __m256i is[NY], ms[NY];
            sums(blk, _mm512_maskz_broadcast_i32x4(0xFFFF, _mm256_castsi256_si128(sm)), A, i, is, ms);
            const float dw = halfToFloat(load16(blk + offsetof(BlockQ4_K, d)));
            const float dminw = halfToFloat(load16(blk + offsetof(BlockQ4_K, dmin)));
            for (int r = 0; r < NY; ++r) {
                int isum, msum;
                hsum2(is[r], ms[r], isum, msum);
                addTerm(sum[r], dw, dminw, A.a[r].d[i], isum, msum, true);
            }
        }
        for (int r = 0; r < NY; ++r) s[r] = sum[r];
    }
};
template <int NY> struct RunQ4K512 { static void run(int64_t k, const void* w, const std::byte* a, size_t l, float* s) { static const Q4K512<NY> kernel; kernel.run(k, w, a, l, s); } };

KernelTable avx512KernelTable()
{
    KernelTable t = simdTable();
    t.dot[int(KType::Q4_K)] = dotKAny<RunQ4K512>;
    return t;
}

} // namespace
} // namespace precis::engine::kernels
