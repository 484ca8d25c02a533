#include "quant/gptq.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace precis::quant {

namespace {

using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

} // namespace

Result<std::vector<uint8_t>> gptqQuantize(const Scheme& scheme, const float* w, int64_t rows, int64_t cols,
                                          const double* h, const GptqSettings& settings, const std::string& where,
                                          std::vector<float>* dequantized, const CancelToken* cancel)
{
    PRECIS_TRY(checkFeasible(scheme, cols));
    if (rows < 1) return makeError(ErrorCode::InvalidArgument, where, "no rows to quantize");
    if (!(settings.damping >= 0) || settings.damping > 1)
        return makeError(ErrorCode::InvalidArgument, where, "GPTQ damping must be in [0, 1]");
    const int64_t bs = scheme.blockSize();
    const int64_t nb = cols / bs;

    // Block order: natural, or by decreasing Σ diag(H) of the block (act-order at block level).
    std::vector<int64_t> order(static_cast<size_t>(nb));
    std::iota(order.begin(), order.end(), 0);
    if (settings.actOrder) {
        std::vector<double> mass(size_t(nb), 0);
        for (int64_t b = 0; b < nb; ++b)
            for (int64_t c = b * bs; c < (b + 1) * bs; ++c) mass[size_t(b)] += h[c * cols + c];
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return mass[size_t(a)] > mass[size_t(b)]; });
    }
    // Permuted column index: position p holds original column perm[p].
    std::vector<int64_t> perm;
    perm.reserve(size_t(cols));
    for (int64_t b : order)
        for (int64_t c = b * bs; c < (b + 1) * bs; ++c) perm.push_back(c);

    // H in processing order, dead columns (no input energy) pinned to 1, damped.
    MatD H(cols, cols);
    double meanDiag = 0;
    for (int64_t i = 0; i < cols; ++i) {
        const double d = h[perm[size_t(i)] * cols + perm[size_t(i)]];
        if (!std::isfinite(d)) return makeError(ErrorCode::InvalidArgument, where, "the Gram matrix has NaN/Inf");
        meanDiag += d;
    }
    meanDiag /= double(cols);
    for (int64_t i = 0; i < cols; ++i)
        for (int64_t j = 0; j < cols; ++j) H(i, j) = h[perm[size_t(i)] * cols + perm[size_t(j)]];
    std::vector<bool> dead(size_t(cols), false);
    for (int64_t i = 0; i < cols; ++i)
        if (H(i, i) <= 0) {
            dead[size_t(i)] = true;
            H.row(i).setZero();
            H.col(i).setZero();
            H(i, i) = 1;
        }
    const double lambda = settings.damping * (meanDiag > 0 ? meanDiag : 1.0);
    H.diagonal().array() += lambda;

    // U: upper Cholesky factor of H⁻¹. Each K×K matrix is freed once the next is
    // made, so at most two are held at a time.
    MatD U;
    {
        MatD Hinv;
        {
            Eigen::LLT<MatD> llt(H);
            H = MatD();
            if (llt.info() != Eigen::Success)
                return makeError(ErrorCode::InvalidArgument, where, "the Gram matrix is not positive definite after damping");
            Hinv = llt.solve(MatD::Identity(cols, cols));
        }
        Hinv = 0.5 * (Hinv + Hinv.transpose());
        Eigen::LLT<MatD> lltInv(Hinv);
        Hinv = MatD();
        if (lltInv.info() != Eigen::Success)
            return makeError(ErrorCode::InvalidArgument, where, "the inverse Gram matrix is not positive definite");
        U = lltInv.matrixU();
    }

    // Working copy of W in processing order (double for the updates).
    MatD W(rows, cols);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < cols; ++i)
            W(r, i) = dead[size_t(i)] ? 0.0 : double(w[r * cols + perm[size_t(i)]]);
    MatD Q(rows, cols);

    // Importance per processed column: diag(H) (before damping), permuted per block.
    std::vector<float> importance(static_cast<size_t>(cols));
    for (int64_t i = 0; i < cols; ++i) importance[size_t(i)] = float(std::max(0.0, h[perm[size_t(i)] * cols + perm[size_t(i)]]));

    // The encoded matrix is assembled from the block encodings (blocks of a row
    // are independent and consecutive), so no value is re-encoded.
    const int64_t blockBytes = rowBytes(scheme, bs), fullRowBytes = rowBytes(scheme, cols);
    std::vector<uint8_t> bytes(static_cast<size_t>(rows * fullRowBytes));
    std::vector<float> blockIn(size_t(rows * bs)), blockOut(size_t(rows * bs));
    for (int64_t p = 0; p < nb; ++p) {
        if (cancel && cancel->cancelled()) return makeError(ErrorCode::Cancelled, where, "GPTQ cancelled");
        const int64_t c0 = p * bs;
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t j = 0; j < bs; ++j) blockIn[size_t(r * bs + j)] = float(W(r, c0 + j));
        // The block of every row, encoded jointly by the scheme's own encoder.
        PRECIS_TRY_ASSIGN(auto enc, encode(scheme, blockIn.data(), rows, bs,
                                           settings.importanceWeighted ? importance.data() + c0 : nullptr));
        PRECIS_TRY(decode(scheme, enc.data(), enc.size(), rows, bs, blockOut.data()));
        const int64_t original = order[size_t(p)];
        for (int64_t r = 0; r < rows; ++r) {
            std::copy_n(enc.data() + r * blockBytes, blockBytes, bytes.data() + r * fullRowBytes + original * blockBytes);
            for (int64_t j = 0; j < bs; ++j) Q(r, c0 + j) = blockOut[size_t(r * bs + j)];
        }
        if (c0 + bs >= cols) continue;
        // E = (W_b − Q_b) U_bb⁻¹ (U_bb upper triangular);  W_r −= E U_br.
        const MatD diff = W.middleCols(c0, bs) - Q.middleCols(c0, bs);
        const MatD E = U.block(c0, c0, bs, bs).transpose().triangularView<Eigen::Lower>().solve(diff.transpose()).transpose();
        W.rightCols(cols - c0 - bs).noalias() -= E * U.block(c0, c0 + bs, bs, cols - c0 - bs);
    }
    if (dequantized) {
        dequantized->resize(size_t(rows * cols));
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t i = 0; i < cols; ++i) (*dequantized)[size_t(r * cols + perm[size_t(i)])] = float(Q(r, i));
    }
    return bytes;
}

} // namespace precis::quant
