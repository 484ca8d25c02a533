// IEEE binary16 and bfloat16 conversions (bit-exact, round-to-nearest-even),
// matching ggml's scalar GGML_FP16_TO_FP32 / GGML_FP32_TO_FP16 and bf16 helpers.
#pragma once

#include <cstdint>
#include <cstring>

namespace precis {

inline float bitsToFloat(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
inline uint32_t floatToBits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

inline float fp16ToFloat(uint16_t h)
{
    // Normal/subnormal via float scaling trick (exact for all 65536 inputs).
    const uint32_t w = uint32_t(h) << 16;
    const uint32_t sign = w & 0x80000000u;
    const uint32_t two_w = w + w;
    const uint32_t exp_offset = 0xE0u << 23;
    const float exp_scale = bitsToFloat(0x7800000u);  // 2^-112
    const float normalized = bitsToFloat((two_w >> 4) + exp_offset) * exp_scale;
    const uint32_t magic_mask = 126u << 23;
    const float magic_bias = 0.5f;
    const float denormalized = bitsToFloat((two_w >> 17) | magic_mask) - magic_bias;
    const uint32_t denormalized_cutoff = 1u << 27;
    const uint32_t result = sign | (two_w < denormalized_cutoff ? floatToBits(denormalized) : floatToBits(normalized));
    return bitsToFloat(result);
}

inline uint16_t floatToFp16(float f)
{
    const float scale_to_inf = bitsToFloat(0x77800000u);   // 2^112
    const float scale_to_zero = bitsToFloat(0x08800000u);  // 2^-110
    float base = (f < 0 ? -f : f) * scale_to_inf * scale_to_zero;
    const uint32_t w = floatToBits(f);
    const uint32_t shl1_w = w + w;
    const uint32_t sign = w & 0x80000000u;
    uint32_t bias = shl1_w & 0xFF000000u;
    if (bias < 0x71000000u) bias = 0x71000000u;
    base = bitsToFloat((bias >> 1) + 0x07800000u) + base;
    const uint32_t bits = floatToBits(base);
    const uint32_t exp_bits = (bits >> 13) & 0x00007C00u;
    const uint32_t mantissa_bits = bits & 0x00000FFFu;
    const uint32_t nonsign = exp_bits + mantissa_bits;
    return uint16_t((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

inline float bf16ToFloat(uint16_t h) { return bitsToFloat(uint32_t(h) << 16); }

inline uint16_t floatToBf16(float f)
{
    uint32_t u = floatToBits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u)  // NaN: keep it quiet
        return uint16_t((u >> 16) | 64);
    return uint16_t((u + (0x7fffu + ((u >> 16) & 1))) >> 16);
}

} // namespace precis
