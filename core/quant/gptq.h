// GPTQ (Frantar et al., 2022): quantize a weight matrix column block by column
// block, compensating each block's error in the columns not yet quantized, with
// the inverse of the layer's input Gram matrix H = Σ x xᵀ from calibration.
//
// Works with every scheme of scheme.h: the "columns" processed together are one
// block (or RTN group) of each row, which the scheme's own encoder quantizes
// jointly (scales searched on the current, already compensated, values). With
// U the upper Cholesky factor of H⁻¹ (H damped), quantizing block b of every row
// updates the remaining columns r:
//   E = (W_b − Q_b) · U_bb⁻¹,   W_r −= E · U_br
// which is GPTQ's lazy-batch update with the block as the batch. Compensation
// thus runs between blocks (32 values for Q4_0/Q8_0/RTN g32, 256 for the
// K-quants); inside a block the encoder's importance-weighted scale search does
// the work. On correlated inputs the layer's output error tr((W − Q) H (W − Q)ᵀ)
// falls to 4–12 % of plain rounding (tests/core/tst_gptq.cpp).
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "quant/scheme.h"

#include <cstdint>
#include <vector>

namespace precis::quant {

struct GptqSettings {
    double damping = 0.01;        // λ = damping · mean(diag H), added to the diagonal
    bool actOrder = false;        // process blocks in order of decreasing block diag(H) mass
    bool importanceWeighted = true;  // also pass diag(H) to the block encoder as importance
};

// w: rows × cols (row-major, out × in); h: cols × cols (row-major, symmetric).
// Returns the encoded bytes (exactly as encode() lays them out) and, in
// `dequantized` when given, the decoded matrix. Errors: infeasible scheme,
// shapes, NaN in w or h, H not positive definite even after damping (naming
// the tensor via `where`), cancellation.
Result<std::vector<uint8_t>> gptqQuantize(const Scheme& scheme, const float* w, int64_t rows, int64_t cols,
                                          const double* h, const GptqSettings& settings, const std::string& where,
                                          std::vector<float>* dequantized = nullptr,
                                          const CancelToken* cancel = nullptr);

} // namespace precis::quant
