// Kernel-internal: activation preparation with 256-bit SIMD (after simd.h, same
// rules). Bit-equal to the scalar path (quantizeRow's reference encoders):
//  - Q8_0/Q8_1: d = amax/127, q = round-half-away(x·(1/d)) — done as trunc plus
//    a ±1 correction where |x·id − trunc| ≥ 0.5, which is exact — d and the Q8_1
//    sum field s = d·Σq rounded through fp16 with F16C (round to nearest even,
//    like floatToFp16).
//  - Q8_K: the signed value of largest magnitude (first one on ties) gives
//    iscale = −127/max, q = min(127, nearest-even(iscale·x)) (cvtps rounds to
//    nearest even, like llama.cpp's nearest_int), d = 1/iscale, 16-value sums.
//  - F16 / BF16: round to the weight's type and back.
#pragma once

#include "engine/kernels/simd.h"

#include <cmath>

namespace precis::engine::kernels {
namespace {

inline float hmax8(__m256 v)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

inline __m256 absPs(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

// 32 int32 (four vectors, values in [−128, 127]) to 32 int8 in order.
inline __m256i packInt8(__m256i a, __m256i b, __m256i c, __m256i d)
{
    const __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    // packs interleaves per 128-bit lane: a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
    return _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, cd), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// round(v) with halves away from zero, as std::round, for |v| < 2^23.
inline __m256 roundHalfAway(__m256 v)
{
    const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 up = _mm256_cmp_ps(absPs(_mm256_sub_ps(v, t)), _mm256_set1_ps(0.5f), _CMP_GE_OQ);
    const __m256 one = _mm256_or_ps(_mm256_and_ps(v, _mm256_set1_ps(-0.0f)), _mm256_set1_ps(1.0f));
    return _mm256_add_ps(t, _mm256_and_ps(up, one));
}

inline float roundThroughHalf(float v) { return _cvtsh_ss(_cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT)); }

// Sum of the 32 int8 in v as 8 int32 lanes of 4-sums.
inline __m256i sums4(__m256i v) { return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), v), _mm256_set1_epi16(1)); }

void prepareQ8(const float* x, int64_t k, std::byte* dst)
{
    const int64_t nb = k / kQK;
    auto* qs = reinterpret_cast<int8_t*>(dst);
    auto* dOut = reinterpret_cast<float*>(dst + k);
    auto* sumOut = reinterpret_cast<int32_t*>(dst + k + 4 * nb);
    auto* sOut = reinterpret_cast<float*>(dst + k + 8 * nb);
    for (int64_t b = 0; b < nb; ++b) {
        const float* xb = x + b * kQK;
        __m256 v[4];
        for (int j = 0; j < 4; ++j) v[j] = _mm256_loadu_ps(xb + 8 * j);
        const float amax = hmax8(_mm256_max_ps(_mm256_max_ps(absPs(v[0]), absPs(v[1])), _mm256_max_ps(absPs(v[2]), absPs(v[3]))));
        const float d = amax / 127;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        const __m256 vid = _mm256_set1_ps(id);
        __m256i q[4];
        for (int j = 0; j < 4; ++j) q[j] = _mm256_cvttps_epi32(roundHalfAway(_mm256_mul_ps(v[j], vid)));
        const __m256i packed = packInt8(q[0], q[1], q[2], q[3]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs + b * kQK), packed);
        int sum, unused;
        hsum2(sums4(packed), _mm256_setzero_si256(), sum, unused);
        dOut[b] = roundThroughHalf(d);
        sumOut[b] = sum;
        sOut[b] = roundThroughHalf(float(sum) * d);
    }
}

void prepareQ8K(const float* x, int64_t k, std::byte* dst)
{
    const int64_t nsb = k / kQKK;
    auto* qs = reinterpret_cast<int8_t*>(dst);
    auto* dOut = reinterpret_cast<float*>(dst + k);
    auto* bsums = reinterpret_cast<int16_t*>(dst + k + 4 * nsb);
    for (int64_t i = 0; i < nsb; ++i) {
        const float* xb = x + i * kQKK;
        __m256 m = _mm256_setzero_ps();
        for (int j = 0; j < kQKK; j += 8) m = _mm256_max_ps(m, absPs(_mm256_loadu_ps(xb + j)));
        const float amax = hmax8(m);
        int8_t* q = qs + i * kQKK;
        if (amax == 0) {
            std::memset(q, 0, kQKK);
            dOut[i] = 0;
            std::memset(bsums + i * 16, 0, 32);
            continue;
        }
        // The first value whose magnitude is amax gives the sign.
        float max = 0;
        const __m256 target = _mm256_set1_ps(amax);
        for (int j = 0; j < kQKK; j += 8) {
            const int hit = _mm256_movemask_ps(_mm256_cmp_ps(absPs(_mm256_loadu_ps(xb + j)), target, _CMP_EQ_OQ));
            if (hit) {
                max = xb[j + __builtin_ctz(unsigned(hit))];
                break;
            }
        }
        const float iscale = -127.f / max;
        const __m256 vs = _mm256_set1_ps(iscale);
        const __m256i top = _mm256_set1_epi32(127);
        __m256i p[8];
        for (int c = 0; c < 8; ++c) {
            __m256i w[4];
            for (int j = 0; j < 4; ++j)
                w[j] = _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xb + 32 * c + 8 * j), vs)), top);
            const __m256i packed = packInt8(w[0], w[1], w[2], w[3]);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + 32 * c), packed);
            p[c] = sums4(packed);  // 4-sums: lanes 0..3 group 2c, lanes 4..7 group 2c+1
        }
        // Two hadd levels give [g0 g2 g4 g6 | g1 g3 g5 g7] (and g8.. for p4..p7).
        const __m256i lo = _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));
        const __m256i hi = _mm256_hadd_epi32(_mm256_hadd_epi32(p[4], p[5]), _mm256_hadd_epi32(p[6], p[7]));
        const __m256i s16 = _mm256_packs_epi32(lo, hi);  // [g0 g2 … g14 | g1 g3 … g15]
        const __m128i even = _mm256_castsi256_si128(s16), odd = _mm256_extracti128_si256(s16, 1);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(bsums + i * 16), _mm_unpacklo_epi16(even, odd));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(bsums + i * 16 + 8), _mm_unpackhi_epi16(even, odd));
        dOut[i] = 1 / iscale;
    }
}

void prepareFloat(KType t, const float* x, int64_t k, std::byte* dst)
{
    float* v = reinterpret_cast<float*>(dst);
    int64_t i = 0;
    if (t == KType::F16) {
        for (; i + 8 <= k; i += 8)
            _mm256_storeu_ps(v + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT)));
        for (; i < k; ++i) v[i] = roundThroughHalf(x[i]);
    } else if (t == KType::BF16) {
        // Round to nearest even on the upper 16 bits; NaNs stay quiet NaNs.
        const __m256i lsb = _mm256_set1_epi32(1), bias = _mm256_set1_epi32(0x7FFF);
        const __m256i absMask = _mm256_set1_epi32(0x7FFFFFFF), inf = _mm256_set1_epi32(0x7F800000);
        const __m256i high = _mm256_set1_epi32(int(0xFFFF0000u)), quiet = _mm256_set1_epi32(64 << 16);
        for (; i + 8 <= k; i += 8) {
            const __m256i u = _mm256_castps_si256(_mm256_loadu_ps(x + i));
            const __m256i rounded = _mm256_add_epi32(u, _mm256_add_epi32(bias, _mm256_and_si256(_mm256_srli_epi32(u, 16), lsb)));
            const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, absMask), inf);
            const __m256i r = _mm256_blendv_epi8(rounded, _mm256_or_si256(u, quiet), nan);
            _mm256_storeu_ps(v + i, _mm256_castsi256_ps(_mm256_and_si256(r, high)));
        }
        for (; i < k; ++i) {
            uint32_t u;
            std::memcpy(&u, x + i, 4);
            u = (u & 0x7FFFFFFFu) > 0x7F800000u ? (u | (64u << 16)) : u + (0x7FFFu + ((u >> 16) & 1));
            u &= 0xFFFF0000u;
            std::memcpy(v + i, &u, 4);
        }
    } else {
        std::memcpy(v, x, size_t(k) * 4);
    }
}

void prepareSimd(KType t, const float* x, int64_t k, std::byte* dst)
{
    switch (actKind(t)) {
    case ActKind::Float: return prepareFloat(t, x, k, dst);
    case ActKind::Q8: return prepareQ8(x, k, dst);
    case ActKind::Q8K: return prepareQ8K(x, k, dst);
    }
}

} // namespace
} // namespace precis::engine::kernels
