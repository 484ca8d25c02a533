// Encoders for the K-quants (256-value super-blocks): Q2_K, Q3_K, Q4_K, Q5_K,
// Q6_K and Q8_K. *Ref follow llama.cpp's quantize_row_*_ref, *Weighted its
// quantize_row_*_impl with quant_weights (ggml-quants.c). Each encoder first
// picks a scale (and min) per sub-block, then quantizes those scales to 4/6/8
// bits against one fp16 super-scale, and finally re-derives every code from
// the rounded scales ("requantize"), so codes agree with what decoding sees.
#include "quant/block_formats.h"
#include "quant/ggml_encoders.h"
#include "quant/ggml_search.h"

#include "common/half.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace precis::quant::detail {

namespace {

template <typename B>
void storeBlock(void* dst, int64_t i, const B& b)
{
    std::memcpy(static_cast<std::byte*>(dst) + i * int64_t(sizeof(B)), &b, sizeof(B));
}

// Q2_K / Q3_K code layout: per 128-value half, value 32·k + l lands in bits
// 2k..2k+1 of qs[l] (k = 0..3, l = 0..31).
void pack2Bit(const uint8_t* L, uint8_t* qs)
{
    for (int j = 0; j < kQKK; j += 128)
        for (int l = 0; l < 32; ++l)
            qs[j / 4 + l] = uint8_t(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
}

// Q2_K tail: codes from the rounded scales/mins, then packing.
void finishQ2_K(const float* x, uint8_t* L, BlockQ2_K& b)
{
    const float dAll = fp16ToFloat(b.d), mAll = fp16ToFloat(b.dmin);
    for (int j = 0; j < kQKK / 16; ++j) {
        const float d = dAll * float(b.scales[j] & 0xF);
        if (d == 0)
            continue;  // keeps the search's codes, as llama.cpp does
        const float dm = mAll * float(b.scales[j] >> 4);
        for (int ii = 0; ii < 16; ++ii) {
            const int l = nearestInt((x[16 * j + ii] + dm) / d);
            L[16 * j + ii] = uint8_t(std::max(0, std::min(3, l)));
        }
    }
    pack2Bit(L, b.qs);
}

// Q3_K scales: 16 six-bit values l ∈ [0, 64); low nibbles in bytes 0..7
// (sub-blocks 0..7 low, 8..15 high), top two bits of sub-block j at bits
// 2·(j/4) of byte 8 + j%4.
void packQ3_KScale(uint8_t* scales, int j, int l)
{
    if (j < 8)
        scales[j] = uint8_t(l & 0xF);
    else
        scales[j - 8] = uint8_t(scales[j - 8] | ((l & 0xF) << 4));
    l >>= 4;
    scales[j % 4 + 8] = uint8_t(scales[j % 4 + 8] | (l << (2 * (j / 4))));
}

// Q3_K tail: signed codes from the rounded scales, the third bit into hmask
// (value j → bit j/32 of hmask[j%32]), the low two bits packed like Q2_K.
void finishQ3_K(const float* x, int8_t* L, BlockQ3_K& b)
{
    const float dAll = fp16ToFloat(b.d);
    for (int j = 0; j < kQKK / 16; ++j) {
        int8_t sc = int8_t(j < 8 ? b.scales[j] & 0xF : b.scales[j - 8] >> 4);
        sc = int8_t((sc | (((b.scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32);
        const float d = dAll * float(sc);
        if (d == 0)
            continue;
        for (int ii = 0; ii < 16; ++ii) {
            const int l = nearestInt(x[16 * j + ii] / d);
            L[16 * j + ii] = int8_t(std::max(-4, std::min(3, l)) + 4);
        }
    }
    std::memset(b.hmask, 0, sizeof b.hmask);
    uint8_t low[kQKK];
    int m = 0;
    uint8_t hm = 1;
    for (int j = 0; j < kQKK; ++j) {
        int l = L[j];
        if (l > 3) {
            b.hmask[m] = uint8_t(b.hmask[m] | hm);
            l -= 4;
        }
        low[j] = uint8_t(l);
        if (++m == kQKK / 8) {
            m = 0;
            hm = uint8_t(hm << 1);
        }
    }
    pack2Bit(low, b.qs);
}

// Q4_K / Q5_K scales: 8 pairs (scale, min) of 6 bits in 12 bytes, the inverse
// of scaleMinK4 in block_formats.cpp.
void packK4Scales(const uint8_t* ls, const uint8_t* lm, uint8_t* scales)
{
    for (int j = 0; j < kQKK / 32; ++j) {
        if (j < 4) {
            scales[j] = ls[j];
            scales[j + 4] = lm[j];
        } else {
            scales[j + 4] = uint8_t((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
            scales[j - 4] = uint8_t(scales[j - 4] | ((ls[j] >> 4) << 6));
            scales[j - 0] = uint8_t(scales[j - 0] | ((lm[j] >> 4) << 6));
        }
    }
}

void unpackK4(int j, const uint8_t* q, uint8_t* d, uint8_t* m)
{
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = uint8_t((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = uint8_t((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// Q4_K / Q5_K: codes L ∈ [0, nmax] from the rounded 6-bit scales and mins.
void requantizeK4(const float* x, uint16_t d16, uint16_t dmin16, const uint8_t* scales, int nmax, uint8_t* L)
{
    for (int j = 0; j < kQKK / 32; ++j) {
        uint8_t sc, m;
        unpackK4(j, scales, &sc, &m);
        const float d = fp16ToFloat(d16) * float(sc);
        if (d == 0)
            continue;
        const float dm = fp16ToFloat(dmin16) * float(m);
        for (int ii = 0; ii < 32; ++ii) {
            const int l = nearestInt((x[32 * j + ii] + dm) / d);
            L[32 * j + ii] = uint8_t(std::max(0, std::min(nmax, l)));
        }
    }
}

// Q4_K qs: per 64 values, 32 bytes: low nibble value l, high nibble value l+32.
void packQ4_KCodes(const uint8_t* L, uint8_t* q)
{
    for (int j = 0; j < kQKK; j += 64, q += 32)
        for (int l = 0; l < 32; ++l) q[l] = uint8_t(L[j + l] | (L[j + l + 32] << 4));
}

// Q5_K: Q4_K's nibbles plus the fifth bit of value 32·k + l in bit k of qh[l].
void packQ5_KCodes(const uint8_t* L, uint8_t* ql, uint8_t* qh)
{
    std::memset(qh, 0, kQKK / 8);
    uint8_t m1 = 1, m2 = 2;
    for (int n = 0; n < kQKK; n += 64) {
        for (int j = 0; j < 32; ++j) {
            int l1 = L[n + j];
            if (l1 > 15) {
                l1 -= 16;
                qh[j] = uint8_t(qh[j] | m1);
            }
            int l2 = L[n + j + 32];
            if (l2 > 15) {
                l2 -= 16;
                qh[j] = uint8_t(qh[j] | m2);
            }
            ql[j] = uint8_t(l1 | (l2 << 4));
        }
        m1 = uint8_t(m1 << 2);
        m2 = uint8_t(m2 << 2);
        ql += 32;
    }
}

// Q6_K tail, shared by ref and weighted: 8-bit scales against one fp16 d
// (the largest |scale| maps to −128), codes re-derived, then packed.
// Writes an all-zero block when every sub-block scale is ~0.
void finishQ6_K(const float* x, int8_t* L, const float* scales, BlockQ6_K& b)
{
    float maxScale = 0, maxAbsScale = 0;
    for (int ib = 0; ib < kQKK / 16; ++ib) {
        const float abs = std::fabs(scales[ib]);
        if (abs > maxAbsScale) {
            maxAbsScale = abs;
            maxScale = scales[ib];
        }
    }
    if (maxAbsScale < kGroupMaxEps) {
        std::memset(&b, 0, sizeof b);
        b.d = floatToFp16(0.f);
        return;
    }
    const float iscale = -128.f / maxScale;
    b.d = floatToFp16(1 / iscale);
    for (int ib = 0; ib < kQKK / 16; ++ib) b.scales[ib] = int8_t(std::min(127, nearestInt(iscale * scales[ib])));
    for (int j = 0; j < kQKK / 16; ++j) {
        const float d = fp16ToFloat(b.d) * float(b.scales[j]);
        if (d == 0)
            continue;
        for (int ii = 0; ii < 16; ++ii) {
            const int l = nearestInt(x[16 * j + ii] / d);
            L[16 * j + ii] = int8_t(std::max(-32, std::min(31, l)) + 32);
        }
    }
    // Per 128 values: ql[l] = low nibbles of values l (low) and l+64 (high),
    // ql[l+32] of values l+32 and l+96; qh[l] the top two bits of all four.
    uint8_t* ql = b.ql;
    uint8_t* qh = b.qh;
    for (int j = 0; j < kQKK; j += 128, ql += 64, qh += 32) {
        for (int l = 0; l < 32; ++l) {
            const uint8_t q1 = L[j + l + 0] & 0xF;
            const uint8_t q2 = L[j + l + 32] & 0xF;
            const uint8_t q3 = L[j + l + 64] & 0xF;
            const uint8_t q4 = L[j + l + 96] & 0xF;
            ql[l + 0] = uint8_t(q1 | (q3 << 4));
            ql[l + 32] = uint8_t(q2 | (q4 << 4));
            qh[l] = uint8_t((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) |
                            ((L[j + l + 96] >> 4) << 6));
        }
    }
}

// Sum of x² over one super-block.
float superBlockSumX2(const float* x)
{
    float s = 0;
    for (int l = 0; l < kQKK; ++l) s += x[l] * x[l];
    return s;
}

} // namespace

void quantizeQ2_KRef(const float* x, void* dst, int64_t n)
{
    uint8_t L[kQKK], Laux[16];
    float weights[16], mins[kQKK / 16], scales[kQKK / 16];
    const float q4scale = 15.f;
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        float maxScale = 0, maxMin = 0;  // scales and mins are ≥ 0 here
        for (int j = 0; j < kQKK / 16; ++j) {
            for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
            scales[j] = makeQkx2Quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux, -0.5f, 0.1f, 15, true);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        BlockQ2_K b;
        if (maxScale > 0) {
            const float iscale = q4scale / maxScale;
            for (int j = 0; j < kQKK / 16; ++j) b.scales[j] = uint8_t(nearestInt(iscale * scales[j]));
            b.d = floatToFp16(maxScale / q4scale);
        } else {
            std::memset(b.scales, 0, sizeof b.scales);
            b.d = floatToFp16(0.f);
        }
        if (maxMin > 0) {
            const float iscale = q4scale / maxMin;
            for (int j = 0; j < kQKK / 16; ++j)
                b.scales[j] = uint8_t(b.scales[j] | (nearestInt(iscale * mins[j]) << 4));
            b.dmin = floatToFp16(maxMin / q4scale);
        } else {
            b.dmin = floatToFp16(0.f);
        }
        finishQ2_K(x, L, b);
        storeBlock(dst, i, b);
    }
}

void quantizeQ2_KWeighted(const float* x, void* dst, int64_t n, const float* importance)
{
    if (!importance)
        return quantizeQ2_KRef(x, dst, n);
    uint8_t L[kQKK], Laux[16], Ls[kQKK / 16], Lm[kQKK / 16];
    float mins[kQKK / 16], scales[kQKK / 16], sw[kQKK / 16], weight[16];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        const float sigma2 = superBlockSumX2(x) / kQKK;
        for (int j = 0; j < kQKK / 16; ++j) {
            const float* qw = importance + kQKK * i + 16 * j;
            for (int l = 0; l < 16; ++l) weight[l] = qw[l] * std::sqrt(sigma2 + x[16 * j + l] * x[16 * j + l]);
            sw[j] = 0;
            for (int l = 0; l < 16; ++l) sw[j] += weight[l];
            scales[j] = makeQkx3Quants(16, 3, x + 16 * j, weight, L + 16 * j, &mins[j], Laux, -0.9f, 0.05f, 36, false);
        }
        BlockQ2_K b;
        b.d = floatToFp16(makeQpQuants(kQKK / 16, 15, scales, Ls, sw));
        b.dmin = floatToFp16(makeQpQuants(kQKK / 16, 15, mins, Lm, sw));
        for (int j = 0; j < kQKK / 16; ++j) b.scales[j] = uint8_t(Ls[j] | (Lm[j] << 4));
        finishQ2_K(x, L, b);
        storeBlock(dst, i, b);
    }
}

void quantizeQ3_KRef(const float* x, void* dst, int64_t n)
{
    int8_t L[kQKK];
    float scales[kQKK / 16];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        float maxScale = 0, amax = 0;
        for (int j = 0; j < kQKK / 16; ++j) {
            scales[j] = makeQ3Quants(16, 4, x + 16 * j, L + 16 * j, true);
            const float scale = std::fabs(scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = scales[j];
            }
        }
        BlockQ3_K b;
        std::memset(b.scales, 0, sizeof b.scales);
        if (maxScale != 0) {
            const float iscale = -32.f / maxScale;
            for (int j = 0; j < kQKK / 16; ++j) {
                int8_t l = int8_t(nearestInt(iscale * scales[j]));
                l = int8_t(std::max<int>(-32, std::min<int>(31, l)) + 32);
                packQ3_KScale(b.scales, j, l);
            }
            b.d = floatToFp16(1 / iscale);
        } else {
            b.d = floatToFp16(0.f);
        }
        finishQ3_K(x, L, b);
        storeBlock(dst, i, b);
    }
}

void quantizeQ3_KWeighted(const float* x, void* dst, int64_t n, const float* importance)
{
    if (!importance)
        return quantizeQ3_KRef(x, dst, n);
    int8_t L[kQKK], Ls[kQKK / 16];
    float scales[kQKK / 16], weight[16], sw[kQKK / 16];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        const float sigma2 = 2 * superBlockSumX2(x) / kQKK;
        for (int j = 0; j < kQKK / 16; ++j) {
            const float* qw = importance + kQKK * i + 16 * j;
            for (int l = 0; l < 16; ++l) weight[l] = qw[l] * std::sqrt(sigma2 + x[16 * j + l] * x[16 * j + l]);
            float sumw = 0;
            for (int l = 0; l < 16; ++l) sumw += weight[l];
            sw[j] = sumw;
            scales[j] = makeQxQuants(16, 4, x + 16 * j, L + 16 * j, weight);
        }
        BlockQ3_K b;
        std::memset(b.scales, 0, sizeof b.scales);
        const float dBlock = makeQxQuants(kQKK / 16, 32, scales, Ls, sw);
        for (int j = 0; j < kQKK / 16; ++j) packQ3_KScale(b.scales, j, Ls[j]);
        b.d = floatToFp16(dBlock);
        finishQ3_K(x, L, b);
        storeBlock(dst, i, b);
    }
}

namespace {

// Q4_K / Q5_K reference: per 32-value sub-block an asymmetric search with
// weights av_x + |x| (av_x the sub-block RMS), then 6-bit scales and mins
// against max_scale / 63 and max_min / 63.
template <typename B, int Nmax>
void quantizeK4Ref(const float* x, B& b, uint8_t* L, float rmin, float rdelta, int nstep)
{
    uint8_t Laux[32];
    float weights[32], mins[kQKK / 32], scales[kQKK / 32];
    float maxScale = 0, maxMin = 0;
    for (int j = 0; j < kQKK / 32; ++j) {
        float sumX2 = 0;
        for (int l = 0; l < 32; ++l) sumX2 += x[32 * j + l] * x[32 * j + l];
        const float avX = std::sqrt(sumX2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = avX + std::fabs(x[32 * j + l]);
        scales[j] = makeQkx2Quants(32, Nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, rmin, rdelta, nstep, false);
        if (scales[j] > maxScale) maxScale = scales[j];
        if (mins[j] > maxMin) maxMin = mins[j];
    }
    const float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
    const float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
    uint8_t ls[kQKK / 32], lm[kQKK / 32];
    for (int j = 0; j < kQKK / 32; ++j) {
        ls[j] = std::min<uint8_t>(63, uint8_t(nearestInt(invScale * scales[j])));
        lm[j] = std::min<uint8_t>(63, uint8_t(nearestInt(invMin * mins[j])));
    }
    packK4Scales(ls, lm, b.scales);
    b.d = floatToFp16(maxScale / 63.f);
    b.dmin = floatToFp16(maxMin / 63.f);
    requantizeK4(x, b.d, b.dmin, b.scales, Nmax, L);
}

// Q4_K / Q5_K weighted: weights importance·sqrt(σ² + x²) with σ² = 2·mean(x²)
// of the super-block; scales and mins quantized by a weighted search too.
template <typename B, int Nmax>
void quantizeK4Weighted(const float* x, const float* qwBlock, B& b, uint8_t* L)
{
    uint8_t Laux[32], Ls[kQKK / 32], Lm[kQKK / 32];
    float weights[32], sw[kQKK / 32], mins[kQKK / 32], scales[kQKK / 32];
    const float sigma2 = 2 * superBlockSumX2(x) / kQKK;
    for (int j = 0; j < kQKK / 32; ++j) {
        const float* qw = qwBlock + 32 * j;
        for (int l = 0; l < 32; ++l) weights[l] = qw[l] * std::sqrt(sigma2 + x[32 * j + l] * x[32 * j + l]);
        float sumw = 0;
        for (int l = 0; l < 32; ++l) sumw += weights[l];
        sw[j] = sumw;
        scales[j] = makeQkx3Quants(32, Nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -0.9f, 0.05f, 36, false);
    }
    const float dBlock = makeQpQuants(kQKK / 32, 63, scales, Ls, sw);
    const float mBlock = makeQpQuants(kQKK / 32, 63, mins, Lm, sw);
    if constexpr (Nmax == 31) {  // llama.cpp clamps for Q5_K only
        for (int j = 0; j < kQKK / 32; ++j) {
            Ls[j] = std::min<uint8_t>(63, Ls[j]);
            Lm[j] = std::min<uint8_t>(63, Lm[j]);
        }
    }
    packK4Scales(Ls, Lm, b.scales);
    b.d = floatToFp16(dBlock);
    b.dmin = floatToFp16(mBlock);
    requantizeK4(x, b.d, b.dmin, b.scales, Nmax, L);
}

} // namespace

void quantizeQ4_KRef(const float* x, void* dst, int64_t n)
{
    uint8_t L[kQKK];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        BlockQ4_K b;
        quantizeK4Ref<BlockQ4_K, 15>(x, b, L, -1.f, 0.1f, 20);
        packQ4_KCodes(L, b.qs);
        storeBlock(dst, i, b);
    }
}

void quantizeQ4_KWeighted(const float* x, void* dst, int64_t n, const float* importance)
{
    if (!importance)
        return quantizeQ4_KRef(x, dst, n);
    uint8_t L[kQKK];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        BlockQ4_K b;
        quantizeK4Weighted<BlockQ4_K, 15>(x, importance + kQKK * i, b, L);
        packQ4_KCodes(L, b.qs);
        storeBlock(dst, i, b);
    }
}

void quantizeQ5_KRef(const float* x, void* dst, int64_t n)
{
    uint8_t L[kQKK];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        BlockQ5_K b;
        quantizeK4Ref<BlockQ5_K, 31>(x, b, L, -0.5f, 0.1f, 15);
        packQ5_KCodes(L, b.qs, b.qh);
        storeBlock(dst, i, b);
    }
}

void quantizeQ5_KWeighted(const float* x, void* dst, int64_t n, const float* importance)
{
    if (!importance)
        return quantizeQ5_KRef(x, dst, n);
    uint8_t L[kQKK];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        BlockQ5_K b;
        quantizeK4Weighted<BlockQ5_K, 31>(x, importance + kQKK * i, b, L);
        packQ5_KCodes(L, b.qs, b.qh);
        storeBlock(dst, i, b);
    }
}

void quantizeQ6_KRef(const float* x, void* dst, int64_t n)
{
    int8_t L[kQKK];
    float scales[kQKK / 16];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        for (int ib = 0; ib < kQKK / 16; ++ib) scales[ib] = makeQxQuants(16, 32, x + 16 * ib, L + 16 * ib, nullptr);
        BlockQ6_K b;
        finishQ6_K(x, L, scales, b);
        storeBlock(dst, i, b);
    }
}

void quantizeQ6_KWeighted(const float* x, void* dst, int64_t n, const float* importance)
{
    if (!importance)
        return quantizeQ6_KRef(x, dst, n);
    int8_t L[kQKK];
    float scales[kQKK / 16];
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        for (int ib = 0; ib < kQKK / 16; ++ib)
            scales[ib] = makeQxQuants(16, 32, x + 16 * ib, L + 16 * ib, importance + kQKK * i + 16 * ib);
        BlockQ6_K b;
        finishQ6_K(x, L, scales, b);
        storeBlock(dst, i, b);
    }
}

// Q8_K: activations for K-quant dot products. d = extreme / −127 in fp32,
// bsums[k] = sum of codes 16k..16k+15.
void quantizeQ8_KRef(const float* x, void* dst, int64_t n)
{
    for (int64_t i = 0; i < n / kQKK; ++i, x += kQKK) {
        BlockQ8_K b;
        float max = 0, amax = 0;
        for (int j = 0; j < kQKK; ++j) {
            const float ax = std::fabs(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        if (amax == 0) {
            std::memset(&b, 0, sizeof b);  // llama.cpp leaves bsums unset; zero them
            storeBlock(dst, i, b);
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < kQKK; ++j) b.qs[j] = int8_t(std::min(127, nearestInt(iscale * x[j])));
        for (int j = 0; j < kQKK / 16; ++j) {
            int sum = 0;
            for (int ii = 0; ii < 16; ++ii) sum += b.qs[j * 16 + ii];
            b.bsums[j] = int16_t(sum);
        }
        b.d = 1 / iscale;
        storeBlock(dst, i, b);
    }
}

} // namespace precis::quant::detail
