#include "sensitivity/gram_forms.h"

#include <Eigen/Dense>

#include <algorithm>
#include <random>

namespace precis::sensitivity {

namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowsF = Eigen::Map<const RowMatrixF, 0, Eigen::OuterStride<>>;

constexpr int kPowerSteps = 2;
constexpr int64_t kRowBlock = 256;        // rows per product (bounds the temporaries)
constexpr double kEigenCutoff = 1e-10;    // ΩᵀHΩ eigenvalues below this share of the largest are dropped

Eigen::MatrixXd orthonormalBasis(const Eigen::MatrixXd& Y)
{
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(Y);
    return qr.householderQ() * Eigen::MatrixXd::Identity(Y.rows(), Y.cols());
}

} // namespace

GramForms GramForms::exact(const double* H, int64_t K, int64_t ldH)
{
    GramForms g;
    g.m_K = K;
    g.m_H = H;
    g.m_ldH = ldH > 0 ? ldH : K;
    return g;
}

GramForms GramForms::sketched(const double* Hp, int64_t K, int m, uint64_t seed)
{
    GramForms g;
    g.m_K = K;
    const Eigen::Map<const RowMatrixD> H(Hp, K, K);
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    Eigen::MatrixXd omega(K, m);
    for (int64_t j = 0; j < m; ++j)
        for (int64_t i = 0; i < K; ++i) omega(i, j) = normal(rng);
    omega = orthonormalBasis(omega);
    Eigen::MatrixXd Y = H * omega;
    for (int step = 0; step < kPowerSteps; ++step) {
        omega = orthonormalBasis(Y);
        Y = H * omega;
    }
    Eigen::MatrixXd C = omega.transpose() * Y;
    C = 0.5 * (C + C.transpose()).eval();
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(C);
    const Eigen::VectorXd& s = eig.eigenvalues();  // ascending
    const double largest = s.size() ? s(s.size() - 1) : 0.0;
    std::vector<int> kept;
    for (int i = int(s.size()) - 1; i >= 0; --i)
        if (largest > 0 && s(i) > kEigenCutoff * largest) kept.push_back(i);
    g.m_rank = int64_t(kept.size());
    Eigen::MatrixXd scaled(m, g.m_rank);
    for (int64_t j = 0; j < g.m_rank; ++j) scaled.col(j) = eig.eigenvectors().col(kept[size_t(j)]) / std::sqrt(s(kept[size_t(j)]));
    const RowMatrixD F = Y * scaled;  // K × rank: F Fᵀ = Y C⁺ Yᵀ
    g.m_F.resize(size_t(K * g.m_rank));
    Eigen::Map<RowMatrixF>(g.m_F.data(), K, g.m_rank) = F.cast<float>();
    g.m_residual.resize(size_t(K));
    for (int64_t c = 0; c < K; ++c) g.m_residual[size_t(c)] = std::max(0.0, H(c, c) - F.row(c).squaredNorm());
    return g;
}

void GramForms::rowForms(const float* D, int64_t rows, int64_t ld, double* out) const
{
    const int64_t K = m_K;
    for (int64_t i0 = 0; i0 < rows; i0 += kRowBlock) {
        const int64_t n = std::min(kRowBlock, rows - i0);
        const RowsF Db(D + i0 * ld, n, K, Eigen::OuterStride<>(ld));
        if (!isSketch()) {
            const Eigen::Map<const RowMatrixD, 0, Eigen::OuterStride<>> H(m_H, K, K, Eigen::OuterStride<>(m_ldH));
            const RowMatrixD DH = Db.cast<double>() * H;
            for (int64_t i = 0; i < n; ++i) out[i0 + i] = DH.row(i).dot(Db.row(i).cast<double>());
            continue;
        }
        const RowMatrixF P = Db * Eigen::Map<const RowMatrixF>(m_F.data(), K, m_rank);
        for (int64_t i = 0; i < n; ++i) {
            double acc = P.row(i).cast<double>().squaredNorm();
            const float* d = D + (i0 + i) * ld;
            for (int64_t c = 0; c < K; ++c) acc += m_residual[size_t(c)] * double(d[c]) * d[c];
            out[i0 + i] = acc;
        }
    }
}

} // namespace precis::sensitivity
