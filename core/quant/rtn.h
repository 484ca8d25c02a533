// RTN: Precis' own round-to-nearest format, b bits per weight in groups of g
// consecutive values of a row, one fp16 scale per group (plus an fp16 offset
// when asymmetric). Not a GGUF type; it lives in Precis sessions and is
// converted (dequantized) on export.
//
// Byte layout of one group (little-endian, no padding, groups never span rows):
//
//   symmetric  (RTN<b>g<g>):   f16 d | codes[g·b/8]          value_i = d·(c_i − 2^(b−1))
//   asymmetric (RTN<b>g<g>a):  f16 d | f16 m | codes[g·b/8]  value_i = d·c_i + m
//
// c_i ∈ [0, 2^b) are packed LSB-first: code i occupies bits i·b … i·b+b−1 of
// the little-endian bit string formed by the code bytes (byte 0 bits 0..7
// first). g·b is always a multiple of 8 (g ∈ {32, 64, 128}). A row of n values
// takes n/g · groupBytes bytes; bits per weight = 8·groupBytes / g, e.g.
// RTN4g128 = 4.125, RTN4g128a = 4.25, RTN2g32 = 2.5.
//
// Encoder: per group, a grid of candidate scales (clipping the range by 0–40 %)
// plus one weighted least-squares refit of the best, every candidate rounded
// to fp16 first and scored by the exact decoded error Σ w_i·(x_i − q_i)²,
// w_i = importance_i (or 1). Symmetric groups map the signed extreme to code 0
// (d may be negative), as Q4_0 does, so all 2^b levels are used.
#pragma once

#include "model/dtype.h"

#include <cstdint>

namespace precis::quant {

// bits 2..8, group 32/64/128, asymmetric (model/dtype.h: also the layout of
// the in-memory RTN types).
using RtnParams = RtnLayout;

// bits ∈ [2, 8] and group ∈ {32, 64, 128}.
bool rtnValid(const RtnParams& p);
// Bytes of one group: 2 (+2 when asymmetric) + group·bits/8.
int rtnGroupBytes(const RtnParams& p);

// Encodes one row of n values (n a multiple of p.group) into n/p.group groups
// at dst. importance: n non-negative weights (this row's columns) or nullptr;
// a group whose weights are all zero is scored unweighted. Input must be
// finite. Pure, thread-safe.
void rtnEncodeRow(const RtnParams& p, const float* x, uint8_t* dst, int64_t n, const float* importance);

// Decodes n values (n a multiple of p.group) from src. Pure, thread-safe.
void rtnDecodeRow(const RtnParams& p, const uint8_t* src, float* y, int64_t n);

} // namespace precis::quant
