// Encoders for the plain float types and the 32-value block formats (Q4_0,
// Q4_1, Q5_0, Q5_1, Q8_0, Q8_1). The *Ref functions follow llama.cpp's
// quantize_row_*_ref (ggml-quants.c) operation by operation; the *Weighted
// ones follow quantize_row_*_impl with quant_weights. Bit packing is the one
// described beside the decoders in block_formats.cpp.
#include "quant/block_formats.h"
#include "quant/ggml_encoders.h"
#include "quant/ggml_search.h"

#include "common/half.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace precis::quant::detail {

namespace {

template <typename B>
void storeBlock(void* dst, int64_t i, const B& b)
{
    std::memcpy(static_cast<std::byte*>(dst) + i * int64_t(sizeof(B)), &b, sizeof(B));
}

// Signed extreme of a block: the value with the largest magnitude (first one on ties).
float signedAbsMax(const float* x, int n, float* amaxOut)
{
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < n; ++j) {
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
    *amaxOut = amax;
    return max;
}

// Q5 formats: bit 4 of value j goes to bit j of the little-endian u32 qh.
void packQ5(const uint8_t* q, uint8_t* qs, uint8_t* qhOut)
{
    uint32_t qh = 0;
    for (int j = 0; j < kQK / 2; ++j) {
        const uint8_t x0 = q[j], x1 = q[j + kQK / 2];
        qs[j] = uint8_t((x0 & 0x0F) | ((x1 & 0x0F) << 4));
        qh |= ((x0 & 0x10u) >> 4) << (j + 0);
        qh |= ((x1 & 0x10u) >> 4) << (j + kQK / 2);
    }
    std::memcpy(qhOut, &qh, 4);
}

// The weighted 32-value encoders weight each value by importance·sqrt(σ² + x²),
// σ² the mean square of the whole row (llama.cpp's quantize_row_q4_0_impl etc.).
float rowSigma2(const float* x, int64_t n)
{
    float sumX2 = 0;
    for (int64_t j = 0; j < n; ++j) sumX2 += x[j] * x[j];
    return sumX2 / float(n);
}

void blockWeights(const float* xb, const float* qw, float sigma2, float* weight)
{
    for (int j = 0; j < kQK; ++j) weight[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
}

} // namespace

void fromFloatF32(const float* x, void* dst, int64_t n) { std::memcpy(dst, x, size_t(n) * 4); }

void fromFloatF16(const float* x, void* dst, int64_t n)
{
    auto* p = static_cast<std::byte*>(dst);
    for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = floatToFp16(x[i]);
        std::memcpy(p + 2 * i, &h, 2);
    }
}

void fromFloatBf16(const float* x, void* dst, int64_t n)
{
    auto* p = static_cast<std::byte*>(dst);
    for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = floatToBf16(x[i]);
        std::memcpy(p + 2 * i, &h, 2);
    }
}

// Q4_0: d = extreme / −8, so the extreme maps to code 0 exactly and the other
// side reaches +7; codes are truncated after adding 8.5 (round half up).
void quantizeQ4_0Ref(const float* x, void* dst, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        float amax;
        const float max = signedAbsMax(x, kQK, &amax);
        const float d = max / -8;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        BlockQ4_0 b;
        b.d = floatToFp16(d);
        for (int j = 0; j < kQK / 2; ++j) {
            const float x0 = x[j] * id;
            const float x1 = x[kQK / 2 + j] * id;
            const auto xi0 = uint8_t(std::min(15, int(truncToInt8(x0 + 8.5f))));
            const auto xi1 = uint8_t(std::min(15, int(truncToInt8(x1 + 8.5f))));
            b.qs[j] = uint8_t(xi0 | (xi1 << 4));
        }
        storeBlock(dst, i, b);
    }
}

// Q4_1: the block's [min, max] split into 15 steps.
void quantizeQ4_1Ref(const float* x, void* dst, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        float min = FLT_MAX, max = -FLT_MAX;
        for (int j = 0; j < kQK; ++j) {
            if (x[j] < min) min = x[j];
            if (x[j] > max) max = x[j];
        }
        const float d = (max - min) / 15;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        BlockQ4_1 b;
        b.d = floatToFp16(d);
        b.m = floatToFp16(min);
        for (int j = 0; j < kQK / 2; ++j) {
            const float x0 = (x[j] - min) * id;
            const float x1 = (x[kQK / 2 + j] - min) * id;
            const auto xi0 = uint8_t(std::min(15, int(truncToInt8(x0 + 0.5f))));
            const auto xi1 = uint8_t(std::min(15, int(truncToInt8(x1 + 0.5f))));
            b.qs[j] = uint8_t(xi0 | (xi1 << 4));
        }
        storeBlock(dst, i, b);
    }
}

void quantizeQ5_0Ref(const float* x, void* dst, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        float amax;
        const float max = signedAbsMax(x, kQK, &amax);
        const float d = max / -16;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        BlockQ5_0 b;
        b.d = floatToFp16(d);
        uint8_t q[kQK];
        for (int j = 0; j < kQK; ++j) q[j] = uint8_t(std::min(31, int(truncToInt8(x[j] * id + 16.5f))));
        packQ5(q, b.qs, b.qh);
        storeBlock(dst, i, b);
    }
}

void quantizeQ5_1Ref(const float* x, void* dst, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        float min = FLT_MAX, max = -FLT_MAX;
        for (int j = 0; j < kQK; ++j) {
            if (x[j] < min) min = x[j];
            if (x[j] > max) max = x[j];
        }
        const float d = (max - min) / 31;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        BlockQ5_1 b;
        b.d = floatToFp16(d);
        b.m = floatToFp16(min);
        uint8_t q[kQK];  // llama.cpp does not clamp here: (max − min)·id + 0.5 < 32
        for (int j = 0; j < kQK; ++j) q[j] = uint8_t(truncToInt8((x[j] - min) * id + 0.5f));
        packQ5(q, b.qs, b.qh);
        storeBlock(dst, i, b);
    }
}

// Q8_0: d = amax / 127, codes rounded half away from zero (roundf).
void quantizeQ8_0Ref(const float* x, void* dst, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        float amax = 0.0f;
        for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        BlockQ8_0 b;
        b.d = floatToFp16(d);
        for (int j = 0; j < kQK; ++j) b.qs[j] = truncToInt8(std::round(x[j] * id));
        storeBlock(dst, i, b);
    }
}

// Q8_1: Q8_0's codes plus s = d·Σq, used by dot products with Q4_1/Q5_1.
void quantizeQ8_1Ref(const float* x, void* dst, int64_t n)
{
    for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
        float amax = 0.0f;
        for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        BlockQ8_1 b;
        b.d = floatToFp16(d);
        int sum = 0;
        for (int j = 0; j < kQK; ++j) {
            b.qs[j] = truncToInt8(std::round(x[j] * id));
            sum += b.qs[j];
        }
        b.s = floatToFp16(float(sum) * d);
        storeBlock(dst, i, b);
    }
}

void quantizeQ4_0Weighted(const float* x, void* dst, int64_t n, const float* importance)
{
    if (!importance)
        return quantizeQ4_0Ref(x, dst, n);
    const float sigma2 = rowSigma2(x, n);
    float weight[kQK];
    int8_t L[kQK];
    for (int64_t ib = 0; ib < n / kQK; ++ib) {
        const float* xb = x + kQK * ib;
        blockWeights(xb, importance + kQK * ib, sigma2, weight);
        BlockQ4_0 b;
        b.d = floatToFp16(makeQxQuants(kQK, 8, xb, L, weight));
        for (int j = 0; j < kQK / 2; ++j) b.qs[j] = uint8_t(L[j] | (L[j + kQK / 2] << 4));
        storeBlock(dst, ib, b);
    }
}

void quantizeQ4_1Weighted(const float* x, void* dst, int64_t n, const float* importance)
{
    if (!importance)
        return quantizeQ4_1Ref(x, dst, n);
    const float sigma2 = rowSigma2(x, n);
    float weight[kQK];
    uint8_t L[kQK], Laux[kQK];
    for (int64_t ib = 0; ib < n / kQK; ++ib) {
        const float* xb = x + kQK * ib;
        blockWeights(xb, importance + kQK * ib, sigma2, weight);
        float min;
        const float d = makeQkx3Quants(kQK, 15, xb, weight, L, &min, Laux, -0.9f, 0.05f, 36, false);
        BlockQ4_1 b;
        b.d = floatToFp16(d);
        b.m = floatToFp16(-min);
        for (int j = 0; j < kQK / 2; ++j) b.qs[j] = uint8_t(L[j] | (L[j + kQK / 2] << 4));
        storeBlock(dst, ib, b);
    }
}

void quantizeQ5_0Weighted(const float* x, void* dst, int64_t n, const float* importance)
{
    if (!importance)
        return quantizeQ5_0Ref(x, dst, n);
    const float sigma2 = rowSigma2(x, n);
    float weight[kQK];
    int8_t L[kQK];
    uint8_t q[kQK];
    for (int64_t ib = 0; ib < n / kQK; ++ib) {
        const float* xb = x + kQK * ib;
        blockWeights(xb, importance + kQK * ib, sigma2, weight);
        BlockQ5_0 b;
        b.d = floatToFp16(makeQxQuants(kQK, 16, xb, L, weight));
        for (int j = 0; j < kQK; ++j) q[j] = uint8_t(L[j]);
        packQ5(q, b.qs, b.qh);
        storeBlock(dst, ib, b);
    }
}

void quantizeQ5_1Weighted(const float* x, void* dst, int64_t n, const float* importance)
{
    if (!importance)
        return quantizeQ5_1Ref(x, dst, n);
    const float sigma2 = rowSigma2(x, n);
    float weight[kQK];
    uint8_t L[kQK], Laux[kQK];
    for (int64_t ib = 0; ib < n / kQK; ++ib) {
        const float* xb = x + kQK * ib;
        blockWeights(xb, importance + kQK * ib, sigma2, weight);
        float min;
        const float d = makeQkx3Quants(kQK, 31, xb, weight, L, &min, Laux, -0.9f, 0.05f, 36, false);
        BlockQ5_1 b;
        b.d = floatToFp16(d);
        b.m = floatToFp16(-min);
        packQ5(L, b.qs, b.qh);
        storeBlock(dst, ib, b);
    }
}

// llama.cpp ignores importance for Q8_0. Here it gets the Q4_0/Q5_0 treatment
// with nmax = 128 (codes −128..127): a weighted search around the max scale.
void quantizeQ8_0Weighted(const float* x, void* dst, int64_t n, const float* importance)
{
    if (!importance)
        return quantizeQ8_0Ref(x, dst, n);
    const float sigma2 = rowSigma2(x, n);
    float weight[kQK];
    int16_t L[kQK];
    for (int64_t ib = 0; ib < n / kQK; ++ib) {
        const float* xb = x + kQK * ib;
        blockWeights(xb, importance + kQK * ib, sigma2, weight);
        BlockQ8_0 b;
        b.d = floatToFp16(makeQxQuants(kQK, 128, xb, L, weight));
        for (int j = 0; j < kQK; ++j) b.qs[j] = int8_t(L[j] - 128);
        storeBlock(dst, ib, b);
    }
}

} // namespace precis::quant::detail
