#include "quant/rtn.h"

#include "common/half.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <vector>

namespace precis::quant {

namespace {

constexpr int kMaxGroup = 128;
// Candidate clipping factors: the scale that exactly covers the group's range
// times f. Below 1 the extremes are clipped in exchange for finer steps,
// which lowers the squared error of bell-shaped groups at low bit widths.
constexpr float kGrid[] = {1.0f, 0.96f, 0.92f, 0.88f, 0.84f, 0.80f, 0.76f, 0.72f, 0.68f, 0.64f, 0.60f};

// fp16 of v with overflow saturated to ±65504, so a huge group clips instead
// of decoding to inf/NaN.
uint16_t toFp16Saturated(float v)
{
    uint16_t h = floatToFp16(v);
    if ((h & 0x7C00) == 0x7C00)
        h = uint16_t((h & 0x8000) | 0x7BFF);
    return h;
}

// ---- bit packing, LSB-first -------------------------------------------------

void packCodes(const uint8_t* c, int n, int bits, uint8_t* out)
{
    uint64_t acc = 0;
    int have = 0;
    for (int i = 0; i < n; ++i) {
        acc |= uint64_t(c[i]) << have;
        have += bits;
        while (have >= 8) {
            *out++ = uint8_t(acc & 0xFF);
            acc >>= 8;
            have -= 8;
        }
    }
    assert(have == 0);
}

void unpackCodes(const uint8_t* in, int n, int bits, uint8_t* c)
{
    const uint32_t mask = (1u << bits) - 1;
    uint64_t acc = 0;
    int have = 0;
    for (int i = 0; i < n; ++i) {
        while (have < bits) {
            acc |= uint64_t(*in++) << have;
            have += 8;
        }
        c[i] = uint8_t(acc & mask);
        acc >>= bits;
        have -= bits;
    }
}

// Round half to even in float arithmetic: adding 1.5·2^23 drops the fraction.
// Exact for |v| < 2^22 (codes are clamped afterwards, so larger |v| only needs
// to stay large). Unlike nearestInt it vectorises with plain SSE2.
inline float roundEven(float v) { return (v + 12582912.f) - 12582912.f; }

// Weighted squared error of one group for fp16 scale d (and offset m when
// asymmetric): Σ w_i·(d·q_i + m − x_i)², q_i = clamp(round((x_i − m)/d), lo, hi).
// G is a compile-time group size so the loop vectorises; eight partial sums
// keep the result deterministic whatever the vector width.
template <int G>
float groupError(const float* x, const float* w, float d, float m, float lo, float hi)
{
    const float id = 1.0f / d;
    float acc[8] = {};
    for (int i = 0; i < G; i += 8) {
        for (int k = 0; k < 8; ++k) {
            const float q = std::min(std::max(roundEven((x[i + k] - m) * id), lo), hi);
            const float e = d * q + m - x[i + k];
            acc[k] += w[i + k] * e * e;
        }
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// Codes c_i = q_i − lo for the chosen scale, as groupError computed them.
template <int G>
void groupCodes(const float* x, float d, float m, float lo, float hi, uint8_t* c)
{
    const float id = 1.0f / d;
    for (int i = 0; i < G; ++i) c[i] = uint8_t(int(std::min(std::max(roundEven((x[i] - m) * id), lo), hi) - lo));
}

// Symmetric group: returns the fp16 scale, codes in c (value d·(c − half)).
template <int G>
uint16_t encodeSymGroup(const float* x, const float* w, int bits, uint8_t* c)
{
    const int half = 1 << (bits - 1);
    const float lo = float(-half), hi = float(half - 1);
    float amax = 0, extreme = 0;
    for (int i = 0; i < G; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            extreme = x[i];
        }
    }
    uint16_t best = 0;  // d = 0: every value decodes to 0
    float bestErr = 0;
    for (int i = 0; i < G; ++i) bestErr += w[i] * x[i] * x[i];
    auto consider = [&](float scale) {
        const uint16_t h = toFp16Saturated(scale);
        const float d = fp16ToFloat(h);
        if (d == 0 || h == best)
            return;
        const float err = groupError<G>(x, w, d, 0.0f, lo, hi);
        if (err < bestErr) {
            bestErr = err;
            best = h;
        }
    };
    if (amax > 0) {
        // The extreme maps to code 0 (q = −half); the opposite side reaches half−1.
        for (float f : kGrid) consider(extreme / float(-half) * f);
    }
    if (best == 0) {
        std::memset(c, half, G);
        return 0;
    }
    const float d = fp16ToFloat(best);
    groupCodes<G>(x, d, 0.0f, lo, hi, c);
    // Weighted least-squares scale for these codes: d = Σwxq / Σwq².
    float sxq = 0, sqq = 0;
    for (int i = 0; i < G; ++i) {
        const float q = float(int(c[i]) - half);
        sxq += w[i] * x[i] * q;
        sqq += w[i] * q * q;
    }
    if (sqq > 0) {
        const uint16_t before = best;
        consider(sxq / sqq);
        if (best != before)
            groupCodes<G>(x, fp16ToFloat(best), 0.0f, lo, hi, c);
    }
    return best;
}

// Asymmetric group: fp16 scale and offset, codes in c (value d·c + m).
template <int G>
void encodeAsymGroup(const float* x, const float* w, int bits, uint8_t* c, uint16_t* dOut, uint16_t* mOut)
{
    const float hi = float((1 << bits) - 1);
    float mn = x[0], mx = x[0];
    for (int i = 1; i < G; ++i) {
        mn = std::min(mn, x[i]);
        mx = std::max(mx, x[i]);
    }
    // Fallback: d = 0, every value decodes to fp16(mn).
    uint16_t bestD = 0, bestM = toFp16Saturated(mn);
    const float m0 = fp16ToFloat(bestM);
    float bestErr = 0;
    for (int i = 0; i < G; ++i) bestErr += w[i] * (m0 - x[i]) * (m0 - x[i]);
    auto consider = [&](float scale, float offset) {
        const uint16_t hd = toFp16Saturated(scale), hm = toFp16Saturated(offset);
        const float d = fp16ToFloat(hd), m = fp16ToFloat(hm);
        if (!(d > 0))
            return;
        const float err = groupError<G>(x, w, d, m, 0.0f, hi);
        if (err < bestErr) {
            bestErr = err;
            bestD = hd;
            bestM = hm;
        }
    };
    const float range = mx - mn;
    if (range > 0) {
        // Trim the range symmetrically by (1 − f).
        for (float f : kGrid) consider(range * f / hi, mn + range * (1 - f) * 0.5f);
    }
    if (bestD != 0) {
        groupCodes<G>(x, fp16ToFloat(bestD), fp16ToFloat(bestM), 0.0f, hi, c);
        // Weighted least squares for (d, m) given these codes.
        float sw = 0, sc = 0, scc = 0, sx = 0, scx = 0;
        for (int i = 0; i < G; ++i) {
            const float q = float(c[i]);
            sw += w[i];
            sc += w[i] * q;
            scc += w[i] * q * q;
            sx += w[i] * x[i];
            scx += w[i] * q * x[i];
        }
        const float D = sw * scc - sc * sc;
        if (D > 0)
            consider((sw * scx - sc * sx) / D, (scc * sx - sc * scx) / D);
    }
    if (bestD != 0)
        groupCodes<G>(x, fp16ToFloat(bestD), fp16ToFloat(bestM), 0.0f, hi, c);
    else
        std::memset(c, 0, G);
    *dOut = bestD;
    *mOut = bestM;
}

template <int G>
void encodeRowG(const RtnParams& p, const float* x, uint8_t* dst, int64_t n, const float* importance)
{
    static const std::vector<float> ones(kMaxGroup, 1.0f);
    const int gb = rtnGroupBytes(p);
    uint8_t codes[G];
    for (int64_t g0 = 0; g0 < n; g0 += G, dst += gb) {
        const float* w = importance ? importance + g0 : nullptr;
        if (!w || std::all_of(w, w + G, [](float v) { return v == 0; }))
            w = ones.data();
        uint8_t* out = dst;
        if (p.asymmetric) {
            uint16_t d, m;
            encodeAsymGroup<G>(x + g0, w, p.bits, codes, &d, &m);
            std::memcpy(out, &d, 2);
            std::memcpy(out + 2, &m, 2);
            out += 4;
        } else {
            const uint16_t d = encodeSymGroup<G>(x + g0, w, p.bits, codes);
            std::memcpy(out, &d, 2);
            out += 2;
        }
        packCodes(codes, G, p.bits, out);
    }
}

} // namespace

bool rtnValid(const RtnParams& p)
{
    return p.bits >= 2 && p.bits <= 8 && (p.group == 32 || p.group == 64 || p.group == 128);
}

int rtnGroupBytes(const RtnParams& p) { return dtypeTraits(rtnDType(p)).typeSize; }

void rtnEncodeRow(const RtnParams& p, const float* x, uint8_t* dst, int64_t n, const float* importance)
{
    assert(rtnValid(p) && n % p.group == 0);
    switch (p.group) {
    case 32: return encodeRowG<32>(p, x, dst, n, importance);
    case 64: return encodeRowG<64>(p, x, dst, n, importance);
    default: return encodeRowG<128>(p, x, dst, n, importance);
    }
}

void rtnDecodeRow(const RtnParams& p, const uint8_t* src, float* y, int64_t n)
{
    assert(rtnValid(p) && n % p.group == 0);
    const int gb = rtnGroupBytes(p);
    const int half = 1 << (p.bits - 1);
    uint8_t codes[kMaxGroup];
    for (int64_t g0 = 0; g0 < n; g0 += p.group, src += gb) {
        uint16_t hd;
        std::memcpy(&hd, src, 2);
        const float d = fp16ToFloat(hd);
        if (p.asymmetric) {
            uint16_t hm;
            std::memcpy(&hm, src + 2, 2);
            const float m = fp16ToFloat(hm);
            unpackCodes(src + 4, p.group, p.bits, codes);
            for (int i = 0; i < p.group; ++i) y[g0 + i] = d * float(codes[i]) + m;
        } else {
            unpackCodes(src + 2, p.group, p.bits, codes);
            for (int i = 0; i < p.group; ++i) y[g0 + i] = d * float(int(codes[i]) - half);
        }
    }
}

} // namespace precis::quant
