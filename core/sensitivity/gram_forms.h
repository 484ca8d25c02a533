// The quadratic forms d H dᵀ of many rows d against one layer's input Gram matrix
// H = Σ x xᵀ (K × K, symmetric positive semi-definite): the per-row term of the
// output-weighted error (DESIGN.md §5). Exactly, at 2·K² flops per row, or through
// a Nyström sketch of H at 2·K·m:
//
//   Ω = an orthonormal basis of H^q·G (G a seeded K × m Gaussian, q = 2 power steps)
//   H ≈ F Fᵀ + diag(r),   F Fᵀ = HΩ (ΩᵀHΩ)⁺ ΩᵀH,   r_c = H_cc − ‖F_c‖² ≥ 0
//
// F Fᵀ is exact on the dominant subspace (and equals H when rank H ≤ m, e.g. when
// the calibration saw at most m tokens); the residual H − F Fᵀ is positive
// semi-definite and enters through its exact diagonal, so a row's form keeps its
// part on the residual's diagonal and drops only the residual's off-diagonal
// couplings (which average out for errors uncorrelated across inputs).
// Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <vector>

namespace precis::sensitivity {

class GramForms {
public:
    // Exact forms on H (K × K, row-major with rows ldH apart, default K; kept by
    // pointer: it must outlive this). A diagonal block of a larger H is one.
    static GramForms exact(const double* H, int64_t K, int64_t ldH = 0);
    // The sketch of H with m columns (1 <= m < K): about (q + 1)·2·K²·m flops.
    static GramForms sketched(const double* H, int64_t K, int m, uint64_t seed);

    bool isSketch() const { return m_H == nullptr; }
    // Columns of F (the sketch's numerical rank; K when exact).
    int64_t rank() const { return isSketch() ? m_rank : m_K; }

    // out[i] = d_i H d_iᵀ (or its sketch) for the rows d_i = D[i·ld … i·ld + K), i < rows.
    void rowForms(const float* D, int64_t rows, int64_t ld, double* out) const;

private:
    int64_t m_K = 0;
    const double* m_H = nullptr;      // exact
    int64_t m_ldH = 0;
    int64_t m_rank = 0;               // sketch: F is K × rank, row-major
    std::vector<float> m_F;
    std::vector<double> m_residual;   // (K) r_c
};

} // namespace precis::sensitivity
