// Scalar reference kernels: the definition of every dot product (kernels.h
// states the float operations), the activation preparation, and the layouts.
// Written for clarity: each block is decoded to integer codes first, then the
// exact integer sums are formed, as in llama.cpp's ggml_vec_dot_*_generic.
#include "engine/kernels/dispatch.h"

#include "common/half.h"
#include "quant/block_formats.h"
#include "quant/rtn.h"

#include <cstring>
#include <type_traits>

namespace precis::engine::kernels {

namespace {

using namespace precis::quant;

template <typename B>
B loadBlock(const void* src, int64_t i)
{
    B b;
    std::memcpy(&b, static_cast<const std::byte*>(src) + i * int64_t(sizeof(B)), sizeof(B));
    return b;
}

size_t roundUp64(size_t n) { return (n + 63) & ~size_t(63); }

// ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)): the order a 256-bit register is reduced in.
float reduce8(const float* a)
{
    const float s04 = a[0] + a[4], s15 = a[1] + a[5], s26 = a[2] + a[6], s37 = a[3] + a[7];
    return (s04 + s26) + (s15 + s37);
}

float reduce16(const float* a)
{
    float h[8];
    for (int l = 0; l < 8; ++l) h[l] = a[l] + a[l + 8];
    return reduce8(h);
}

// ---- 32-value formats ---------------------------------------------------------
// Codes of one block as integers q (the value is d·(q − offset) [+ m]).
struct Codes32 {
    int q[kQK];
    float d, m = 0;
};

Codes32 codes(const BlockQ4_0& b)
{
    Codes32 c;
    c.d = fp16ToFloat(b.d);
    for (int j = 0; j < kQK / 2; ++j) {
        c.q[j] = b.qs[j] & 0x0F;
        c.q[j + kQK / 2] = b.qs[j] >> 4;
    }
    return c;
}

Codes32 codes(const BlockQ4_1& b)
{
    Codes32 c;
    c.d = fp16ToFloat(b.d);
    c.m = fp16ToFloat(b.m);
    for (int j = 0; j < kQK / 2; ++j) {
        c.q[j] = b.qs[j] & 0x0F;
        c.q[j + kQK / 2] = b.qs[j] >> 4;
    }
    return c;
}

// Fifth bit of value j: bit j of the little-endian u32 qh.
template <typename B>
Codes32 codes5(const B& b)
{
    Codes32 c;
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    for (int j = 0; j < kQK / 2; ++j) {
        c.q[j] = (b.qs[j] & 0x0F) | int(((qh >> j) & 1) << 4);
        c.q[j + kQK / 2] = (b.qs[j] >> 4) | int(((qh >> (j + 16)) & 1) << 4);
    }
    c.d = fp16ToFloat(b.d);
    return c;
}

Codes32 codes(const BlockQ5_0& b) { return codes5(b); }
Codes32 codes(const BlockQ5_1& b)
{
    Codes32 c = codes5(b);
    c.m = fp16ToFloat(b.m);
    return c;
}

Codes32 codes(const BlockQ8_0& b)
{
    Codes32 c;
    c.d = fp16ToFloat(b.d);
    for (int j = 0; j < kQK; ++j) c.q[j] = b.qs[j];
    return c;
}

template <typename B> constexpr int kOffset = 0;
template <> constexpr int kOffset<BlockQ4_0> = 8;
template <> constexpr int kOffset<BlockQ5_0> = 16;
template <typename B> constexpr bool kHasMin = std::is_same_v<B, BlockQ4_1> || std::is_same_v<B, BlockQ5_1>;

template <typename B>
void dotQ32(int64_t k, const void* w, const std::byte* act, size_t lda, int ny, float* s)
{
    const int64_t nb = k / kQK;
    for (int r = 0; r < ny; ++r) {
        const PreparedQ8 a = viewQ8(act + r * lda, k);
        float acc[8] = {};
        for (int64_t b = 0; b < nb; ++b) {
            const Codes32 c = codes(loadBlock<B>(w, b));
            const int8_t* qa = a.qs + b * kQK;
            int sumi = 0;
            for (int j = 0; j < kQK; ++j) sumi += (c.q[j] - kOffset<B>) * qa[j];
            float t = float(sumi) * (c.d * a.d[b]);
            if constexpr (kHasMin<B>)
                t = t + c.m * a.s[b];
            acc[b & 7] += t;
        }
        s[r] = reduce8(acc);
    }
}

// ---- RTN (dispatch.h) ------------------------------------------------------------
// The 32 codes of one block (b·4 bytes at p) as bytes.
void rtnUnpack32(const uint8_t* p, int bits, uint8_t* out)
{
    const uint64_t mask = (uint64_t(1) << bits) - 1;
    for (int c = 0; c < 4; ++c) {  // 8 codes in `bits` bytes
        uint64_t x = 0;
        std::memcpy(&x, p + c * bits, size_t(bits));
        for (int i = 0; i < 8; ++i) out[8 * c + i] = uint8_t(x >> (i * bits) & mask);
    }
}

void dotRtn(const RtnLayout& l, int64_t k, const void* wv, const std::byte* act, size_t lda, int ny, float* s)
{
    const auto* w = static_cast<const uint8_t*>(wv);
    const int gb = quant::rtnGroupBytes(l), perGroup = l.group / kQK, head = l.asymmetric ? 4 : 2;
    const int offset = l.asymmetric ? 0 : 1 << (l.bits - 1);
    const int64_t nb = k / kQK;
    for (int r = 0; r < ny; ++r) {
        const PreparedQ8 a = viewQ8(act + r * lda, k);
        float acc[8] = {};
        for (int64_t b = 0; b < nb; ++b) {
            const uint8_t* g = w + (b / perGroup) * gb;
            uint16_t hd, hm = 0;
            std::memcpy(&hd, g, 2);
            if (l.asymmetric) std::memcpy(&hm, g + 2, 2);
            uint8_t c[kQK];
            rtnUnpack32(g + head + 4 * l.bits * (b % perGroup), l.bits, c);
            const int8_t* qa = a.qs + b * kQK;
            int sumi = 0;
            for (int j = 0; j < kQK; ++j) sumi += (int(c[j]) - offset) * qa[j];
            float t = float(sumi) * (fp16ToFloat(hd) * a.d[b]);
            if (l.asymmetric)
                t = t + fp16ToFloat(hm) * a.s[b];
            acc[b & 7] += t;
        }
        s[r] = reduce8(acc);
    }
}

// ---- K-quants -----------------------------------------------------------------
// Codes of one super-block: value v = d·sc[v/sub]·q[v] − dmin·m[v/sub], sub the
// sub-block length (16 or 32); q may be signed (Q3_K, Q6_K).
struct CodesK {
    int q[kQKK];
    int sc[16], m[16];
    int sub;
    bool hasMin = false;  // Q2_K, Q4_K, Q5_K
    float d, dmin = 0;
};

CodesK codes(const BlockQ2_K& b)
{
    CodesK c;
    c.sub = 16;
    c.hasMin = true;
    c.d = fp16ToFloat(b.d);
    c.dmin = fp16ToFloat(b.dmin);
    for (int j = 0; j < 16; ++j) {
        c.sc[j] = b.scales[j] & 0x0F;
        c.m[j] = b.scales[j] >> 4;
    }
    // Value 128h + 32j + l sits in bits 2j..2j+1 of qs[32h + l].
    for (int v = 0; v < kQKK; ++v) {
        const int h = v / 128, j = (v % 128) / 32, l = v % 32;
        c.q[v] = (b.qs[32 * h + l] >> (2 * j)) & 3;
    }
    return c;
}

CodesK codes(const BlockQ3_K& b)
{
    CodesK c;
    c.sub = 16;
    c.d = fp16ToFloat(b.d);
    // 6-bit scales: low nibbles in bytes 0..7 (sub-blocks 0..7 low, 8..15 high),
    // high two bits of sub-block j in byte 8 + j%4 at bits 2·(j/4).
    for (int j = 0; j < 16; ++j) {
        const int lo = j < 8 ? (b.scales[j] & 0x0F) : (b.scales[j - 8] >> 4);
        const int hi = (b.scales[8 + j % 4] >> (2 * (j / 4))) & 3;
        c.sc[j] = (lo | (hi << 4)) - 32;
        c.m[j] = 0;
    }
    // Two low bits as in Q2_K; a clear hmask bit (bit 4h + j of hmask[l]) subtracts 4.
    for (int v = 0; v < kQKK; ++v) {
        const int h = v / 128, j = (v % 128) / 32, l = v % 32;
        const int low = (b.qs[32 * h + l] >> (2 * j)) & 3;
        c.q[v] = low - (((b.hmask[l] >> (4 * h + j)) & 1) ? 0 : 4);
    }
    return c;
}

// Q4_K / Q5_K: 6-bit scale and min of sub-block j (llama.cpp get_scale_min_k4).
void scaleMinK4(int j, const uint8_t* q, int& sc, int& m)
{
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = (q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4);
        m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

CodesK codes(const BlockQ4_K& b)
{
    CodesK c;
    c.sub = 32;
    c.hasMin = true;
    c.d = fp16ToFloat(b.d);
    c.dmin = fp16ToFloat(b.dmin);
    for (int j = 0; j < 8; ++j) scaleMinK4(j, b.scales, c.sc[j], c.m[j]);
    // 64-value chunk i: low nibbles of qs[32i..] then high nibbles.
    for (int v = 0; v < kQKK; ++v) {
        const int i = v / 64, l = v % 32;
        c.q[v] = (v % 64 < 32) ? (b.qs[32 * i + l] & 0x0F) : (b.qs[32 * i + l] >> 4);
    }
    return c;
}

CodesK codes(const BlockQ5_K& b)
{
    CodesK c;
    c.sub = 32;
    c.hasMin = true;
    c.d = fp16ToFloat(b.d);
    c.dmin = fp16ToFloat(b.dmin);
    for (int j = 0; j < 8; ++j) scaleMinK4(j, b.scales, c.sc[j], c.m[j]);
    // As Q4_K plus bit j of qh[l] for value l of sub-block j.
    for (int v = 0; v < kQKK; ++v) {
        const int i = v / 64, l = v % 32, j = v / 32;
        const int low = (v % 64 < 32) ? (b.qs[32 * i + l] & 0x0F) : (b.qs[32 * i + l] >> 4);
        c.q[v] = low | (((b.qh[l] >> j) & 1) << 4);
    }
    return c;
}

CodesK codes(const BlockQ6_K& b)
{
    CodesK c;
    c.sub = 16;
    c.d = fp16ToFloat(b.d);
    for (int j = 0; j < 16; ++j) {
        c.sc[j] = b.scales[j];
        c.m[j] = 0;
    }
    // Per 128-value half h: value 32k + l (k = 0..3) has its low nibble in
    // ql[64h + l + 32·(k%2)] (low nibble for k < 2, high for k ≥ 2) and its two
    // high bits in bits 2k..2k+1 of qh[32h + l]; offset 32.
    for (int v = 0; v < kQKK; ++v) {
        const int h = v / 128, kk = (v % 128) / 32, l = v % 32;
        const uint8_t lb = b.ql[64 * h + l + 32 * (kk % 2)];
        const int low = kk < 2 ? (lb & 0x0F) : (lb >> 4);
        const int high = (b.qh[32 * h + l] >> (2 * kk)) & 3;
        c.q[v] = (low | (high << 4)) - 32;
    }
    return c;
}

template <typename B>
void dotK(int64_t k, const void* w, const std::byte* act, size_t lda, int ny, float* s)
{
    const int64_t nsb = k / kQKK;
    for (int r = 0; r < ny; ++r) {
        const PreparedQ8K a = viewQ8K(act + r * lda, k);
        float sum = 0;
        for (int64_t i = 0; i < nsb; ++i) {
            const CodesK c = codes(loadBlock<B>(w, i));
            const int8_t* qa = a.qs + i * kQKK;
            const int16_t* bs = a.bsums + i * 16;
            int isum = 0, msum = 0;
            for (int j = 0; j < kQKK / c.sub; ++j) {
                int dotj = 0;
                for (int l = 0; l < c.sub; ++l) dotj += c.q[j * c.sub + l] * qa[j * c.sub + l];
                isum += c.sc[j] * dotj;
                // bsums are per 16 values; a 32-value sub-block spans two.
                const int bsum = c.sub == 16 ? bs[j] : bs[2 * j] + bs[2 * j + 1];
                msum += c.m[j] * bsum;
            }
            const float dA = c.d * a.d[i];
            if (c.hasMin) {
                const float dB = c.dmin * a.d[i];
                sum += dA * float(isum) - dB * float(msum);
            } else {
                sum += dA * float(isum);
            }
        }
        s[r] = sum;
    }
}

// ---- Floats ---------------------------------------------------------------------
template <KType T>
void dotFloat(int64_t k, const void* w, const std::byte* act, size_t lda, int ny, float* s)
{
    for (int r = 0; r < ny; ++r) {
        const float* a = reinterpret_cast<const float*>(act + r * lda);
        float acc[16] = {};
        for (int64_t i = 0; i < k; ++i) {
            float wi;
            if constexpr (T == KType::F32) {
                std::memcpy(&wi, static_cast<const std::byte*>(w) + 4 * i, 4);
            } else {
                uint16_t h;
                std::memcpy(&h, static_cast<const std::byte*>(w) + 2 * i, 2);
                wi = T == KType::BF16 ? bf16ToFloat(h) : fp16ToFloat(h);
            }
            acc[i & 15] += wi * a[i];
        }
        s[r] = reduce16(acc);
    }
}

// ---- Preparation ------------------------------------------------------------------
void prepareScalar(KType t, const float* x, int64_t k, std::byte* dst)
{
    switch (actKind(t)) {
    case ActKind::Float: {
        float* v = reinterpret_cast<float*>(dst);
        for (int64_t i = 0; i < k; ++i) {
            if (t == KType::F16) v[i] = fp16ToFloat(floatToFp16(x[i]));
            else if (t == KType::BF16) v[i] = bf16ToFloat(floatToBf16(x[i]));
            else v[i] = x[i];
        }
        return;
    }
    case ActKind::Q8: {
        // Q8_1's encoder gives Q8_0's codes and scale plus the sum field.
        const FromFloatFn enc = blockFormat(DType::Q8_1)->fromFloat;
        const int64_t nb = k / kQK;
        auto* qs = reinterpret_cast<int8_t*>(dst);
        auto* d = reinterpret_cast<float*>(dst + k);
        auto* sum = reinterpret_cast<int32_t*>(dst + k + 4 * nb);
        auto* s = reinterpret_cast<float*>(dst + k + 8 * nb);
        for (int64_t b = 0; b < nb; ++b) {
            BlockQ8_1 blk;
            enc(x + b * kQK, &blk, kQK);
            std::memcpy(qs + b * kQK, blk.qs, kQK);
            int total = 0;
            for (int j = 0; j < kQK; ++j) total += blk.qs[j];
            d[b] = fp16ToFloat(blk.d);
            sum[b] = total;
            s[b] = fp16ToFloat(blk.s);
        }
        return;
    }
    case ActKind::Q8K: {
        const FromFloatFn enc = blockFormat(DType::Q8_K)->fromFloat;
        const int64_t nsb = k / kQKK;
        auto* qs = reinterpret_cast<int8_t*>(dst);
        auto* d = reinterpret_cast<float*>(dst + k);
        auto* bsums = reinterpret_cast<int16_t*>(dst + k + 4 * nsb);
        for (int64_t i = 0; i < nsb; ++i) {
            BlockQ8_K blk;
            enc(x + i * kQKK, &blk, kQKK);
            std::memcpy(qs + i * kQKK, blk.qs, kQKK);
            d[i] = blk.d;
            std::memcpy(bsums + i * 16, blk.bsums, sizeof blk.bsums);
        }
        return;
    }
    }
}

void halfToFloatScalar(const uint16_t* src, float* dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) dst[i] = fp16ToFloat(src[i]);
}

void floatToHalfScalar(const float* src, uint16_t* dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) dst[i] = floatToFp16(src[i]);
}

} // namespace

ActKind actKind(KType t)
{
    switch (t) {
    case KType::F32: case KType::F16: case KType::BF16: return ActKind::Float;
    case KType::Q2_K: case KType::Q3_K: case KType::Q4_K: case KType::Q5_K: case KType::Q6_K: return ActKind::Q8K;
    default: return ActKind::Q8;
    }
}

size_t preparedRowBytes(KType t, int64_t k)
{
    switch (actKind(t)) {
    case ActKind::Float: return roundUp64(size_t(k) * 4);
    case ActKind::Q8: return roundUp64(size_t(k) + size_t(k / kQK) * 12);
    case ActKind::Q8K: return roundUp64(size_t(k) + size_t(k / kQKK) * (4 + 32));
    }
    return 0;
}

PreparedQ8 viewQ8(const std::byte* row, int64_t k)
{
    const int64_t nb = k / kQK;
    return {reinterpret_cast<const int8_t*>(row), reinterpret_cast<const float*>(row + k),
            reinterpret_cast<const int32_t*>(row + k + 4 * nb), reinterpret_cast<const float*>(row + k + 8 * nb)};
}

PreparedQ8K viewQ8K(const std::byte* row, int64_t k)
{
    const int64_t nsb = k / kQKK;
    return {reinterpret_cast<const int8_t*>(row), reinterpret_cast<const float*>(row + k),
            reinterpret_cast<const int16_t*>(row + k + 4 * nsb)};
}

const KernelTable& scalarTable()
{
    static const KernelTable table = {
        {
            dotFloat<KType::F32>, dotFloat<KType::F16>, dotFloat<KType::BF16>,
            dotQ32<BlockQ4_0>, dotQ32<BlockQ4_1>, dotQ32<BlockQ5_0>, dotQ32<BlockQ5_1>, dotQ32<BlockQ8_0>,
            dotK<BlockQ2_K>, dotK<BlockQ3_K>, dotK<BlockQ4_K>, dotK<BlockQ5_K>, dotK<BlockQ6_K>,
        },
        prepareScalar,
        halfToFloatScalar,
        floatToHalfScalar,
        {},
        dotRtn,
    };
    return table;
}

} // namespace precis::engine::kernels
