#include "engine/ops.h"

#include "common/mapped_file.h"
#include "engine/kernels/kernels.h"
#include "quant/block_formats.h"

#include <Eigen/Core>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

namespace precis::engine {

namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;
using RowMap = Eigen::Map<RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;

// Output rows per parallel block of an Eigen GEMM (T > 1): wide enough that
// Eigen's packing of the shared input is amortised.
constexpr int64_t kGemmRows = 64;

// Rows r0..r1−1 of a streamed weight as fp32 (decoded, or copied for F32) in a
// buffer of the calling thread; the file's pages of those rows are handed back.
const float* streamedRows(const Mat& w, int64_t r0, int64_t r1)
{
    thread_local std::vector<float> buffer;
    const int64_t K = w.cols, n = r1 - r0;
    if (buffer.size() < size_t(n * K)) buffer.resize(size_t(n * K));
    const std::byte* src = w.blocks + size_t(r0) * w.rowBytes;
    if (w.type == DType::F32)
        std::memcpy(buffer.data(), src, size_t(n * K) * sizeof(float));
    else
        for (int64_t r = 0; r < n; ++r)
            quant::dequantizeRow(w.type, src + size_t(r) * w.rowBytes, buffer.data() + size_t(r * K), K);
    releaseMappedPages(src, size_t(n) * w.rowBytes);
    return buffer.data();
}

// out[r0, r1) of one job: rows r0..r1−1 of W (fp32, or streamed), for T > 1 tokens.
void matmulRows(const MatmulJob& j, const float* in, int64_t ldIn, int T, int64_t r0, int64_t r1)
{
    const int64_t K = j.w->cols, n = r1 - r0;
    const Eigen::Map<const RowMat> w(j.w->stream ? streamedRows(*j.w, r0, r1) : j.w->row(r0), n, K);
    const ConstRowMap x(in, T, K, Eigen::OuterStride<>(ldIn));
    RowMap y(j.out + r0, T, n, Eigen::OuterStride<>(j.ldOut));
    y.noalias() = x * w.transpose();
    if (j.bias) {
        const Eigen::Map<const Eigen::RowVectorXf> b(j.bias + r0, n);
        y.rowwise() += b;
    }
}

// out[r0, r1) of one job with a streamed weight, for one token: the fp32
// kernel on the rows as read (what an fp32 copy of the weight runs on).
void streamedRowsKernel(const MatmulJob& j, const float* in, int64_t ldIn, int64_t r0, int64_t r1)
{
    const kernels::BlockMatrix m{DType::F32, reinterpret_cast<const std::byte*>(streamedRows(*j.w, r0, r1)), r1 - r0,
                                 j.w->cols, sizeof(float) * size_t(j.w->cols)};
    const kernels::MatmulTask task{&m, j.bias ? j.bias + r0 : nullptr, j.out + r0, j.ldOut};
    kernels::matmul(std::span<const kernels::MatmulTask>(&task, 1), in, ldIn, 1, nullptr);
}

// Calls fn(i0, i1) on pieces of [0, n) — in parallel when n·cost is worth it
// (cost ≈ work per element in units of a multiply-add).
template <class Fn>
void forRange(int64_t n, int64_t cost, const Fn& fn)
{
    constexpr int64_t kPiece = int64_t(1) << 15;  // ~ tens of microseconds per task
    const int64_t grain = std::max<int64_t>(1, kPiece / std::max<int64_t>(cost, 1));
    if (n <= grain) {
        fn(int64_t(0), n);
        return;
    }
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, grain),
                      [&](const tbb::blocked_range<int64_t>& r) { fn(r.begin(), r.end()); });
}

} // namespace

void matRow(const Mat& w, int64_t r, float* out)
{
    if (w.type == DType::F32)
        std::memcpy(out, w.row(r), sizeof(float) * size_t(w.cols));
    else
        quant::dequantizeRow(w.type, w.blocks + size_t(r) * w.rowBytes, out, w.cols);
}

void matmulForward(std::span<const MatmulJob> jobs, const float* in, int64_t ldIn, int T,
                   std::vector<std::byte>* scratch)
{
    // Block-format weights, and every weight of a decode step, run on the
    // kernels; fp32 prefill products on Eigen GEMMs.
    std::vector<kernels::BlockMatrix> mats;
    std::vector<kernels::MatmulTask> kernelTasks;
    std::vector<MatmulJob> eigenJobs;
    mats.reserve(jobs.size());
    for (const MatmulJob& j : jobs) {
        const Mat& w = *j.w;
        if (w.stream && T == 1) {
            eigenJobs.push_back(j);  // read in row blocks below, each on the fp32 kernel
            continue;
        }
        if ((w.type == DType::F32 || w.stream) && T > 1) {
            eigenJobs.push_back(j);
            continue;
        }
        const bool f32 = w.type == DType::F32;
        mats.push_back({w.type, f32 ? reinterpret_cast<const std::byte*>(w.data) : w.blocks, w.rows, w.cols,
                        f32 ? sizeof(float) * size_t(w.cols) : w.rowBytes});
        kernelTasks.push_back({&mats.back(), j.bias, j.out, j.ldOut});
    }
    if (!kernelTasks.empty())
        kernels::matmul(kernelTasks, in, ldIn, T, scratch);
    if (eigenJobs.empty())
        return;

    // Global output-row index space over all jobs, cut into blocks that never
    // straddle two jobs.
    struct Block { int job; int64_t r0, r1; };
    std::vector<Block> blocks;
    double flops = 0;
    for (size_t i = 0; i < eigenJobs.size(); ++i) {
        const int64_t N = eigenJobs[i].w->rows;
        for (int64_t r = 0; r < N; r += kGemmRows)
            blocks.push_back({int(i), r, std::min(N, r + kGemmRows)});
        flops += double(N) * double(eigenJobs[i].w->cols) * T;
    }
    auto run = [&](size_t b0, size_t b1) {
        for (size_t b = b0; b < b1; ++b) {
            const MatmulJob& j = eigenJobs[size_t(blocks[b].job)];
            if (T == 1) streamedRowsKernel(j, in, ldIn, blocks[b].r0, blocks[b].r1);
            else matmulRows(j, in, ldIn, T, blocks[b].r0, blocks[b].r1);
        }
    };
    if (flops < 1 << 16)  // a few microseconds: not worth waking workers
        run(0, blocks.size());
    else
        tbb::parallel_for(tbb::blocked_range<size_t>(0, blocks.size(), 1),
                          [&](const tbb::blocked_range<size_t>& r) { run(r.begin(), r.end()); });
    // A thread's read of its rows can map a few pages of its neighbours' rows
    // (the kernel's fault-around) after those were handed back: once more, whole.
    for (const MatmulJob& j : eigenJobs)
        if (j.w->stream) releaseMappedPages(j.w->blocks, size_t(j.w->rows) * j.w->rowBytes);
}

void matmulForward(float* out, const float* in, const Mat& w, const float* bias, int T,
                   std::vector<std::byte>* scratch)
{
    const MatmulJob job{&w, bias, out, w.rows};
    matmulForward(std::span<const MatmulJob>(&job, 1), in, w.cols, T, scratch);
}

void rmsnormForward(float* out, const float* in, const float* w, int T, int C, float eps)
{
    forRange(T, 2 * C, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
        const float* x = in + size_t(t) * C;
        float* y = out + size_t(t) * C;
        double ss = 0;
        for (int i = 0; i < C; ++i) ss += double(x[i]) * x[i];
        const float scale = float(1.0 / std::sqrt(ss / C + double(eps)));
        for (int i = 0; i < C; ++i) y[i] = x[i] * scale * w[i];
    }
    });
}

void layernormForward(float* out, const float* in, const float* w, const float* b, int T, int C, float eps)
{
    forRange(T, 3 * C, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
        const float* x = in + size_t(t) * C;
        float* y = out + size_t(t) * C;
        double mean = 0;
        for (int i = 0; i < C; ++i) mean += x[i];
        mean /= C;
        double var = 0;
        for (int i = 0; i < C; ++i) var += (x[i] - mean) * (x[i] - mean);
        const double rstd = 1.0 / std::sqrt(var / C + double(eps));
        for (int i = 0; i < C; ++i) y[i] = float((x[i] - mean) * rstd) * w[i] + b[i];
    }
    });
}

RopeTable ropeTable(int pos0, int T, int headDim, float theta)
{
    RopeTable r;
    r.T = T;
    r.half = headDim / 2;
    r.cos.resize(size_t(T) * r.half);
    r.sin.resize(size_t(T) * r.half);
    for (int i = 0; i < r.half; ++i) {
        const double freq = std::pow(double(theta), -2.0 * i / headDim);
        for (int t = 0; t < T; ++t) {
            const double a = double(pos0 + t) * freq;
            r.cos[size_t(t) * r.half + i] = float(std::cos(a));
            r.sin[size_t(t) * r.half + i] = float(std::sin(a));
        }
    }
    return r;
}

void ropeForward(float* x, int64_t ld, int nHeads, int headDim, const RopeTable& rope, RopeLayout layout)
{
    const int half = rope.half;
    // Pair i of a head: (a, b) = (2i, 2i+1) interleaved or (i, i+hd/2) rotate-half;
    // (a, b) ← (a cos − b sin, a sin + b cos).
    const int strideA = layout == RopeLayout::Interleaved ? 2 : 1;
    const int offsetB = layout == RopeLayout::Interleaved ? 1 : half;
    for (int t = 0; t < rope.T; ++t) {
        const float* c = rope.cos.data() + size_t(t) * half;
        const float* s = rope.sin.data() + size_t(t) * half;
        for (int h = 0; h < nHeads; ++h) {
            float* head = x + t * ld + int64_t(h) * headDim;
            for (int i = 0; i < half; ++i) {
                float& a = head[i * strideA];
                float& b = head[i * strideA + offsetB];
                const float a0 = a, b0 = b;
                a = a0 * c[i] - b0 * s[i];
                b = a0 * s[i] + b0 * c[i];
            }
        }
    }
}

void attentionForward(float* out, const float* q, const void* kCache, const void* vCache, KvType kv,
                      const AttentionShape& s, float* probs)
{
    // Work item = (head, tile of up to kTile queries). A tile only reads the keys
    // its last query may see, which skips the masked upper triangle at tile
    // granularity and bounds the score buffer to kTile × L. An fp16 cache is
    // converted per item into (keys, hd) fp32 copies of the head's keys/values.
    constexpr int kTile = 64;
    const int T = s.T, L = s.pos0 + s.T, hd = s.headDim;
    const int group = s.nHead / s.nHeadKv, tiles = (T + kTile - 1) / kTile;
    const float scale = 1.0f / std::sqrt(float(hd));
    const int64_t C = int64_t(s.nHead) * hd;

    auto item = [&](int i) {
        const int h = i / tiles, q0 = (i % tiles) * kTile, n = std::min(kTile, T - q0);
        const int g = h / group, keys = s.pos0 + q0 + n;
        std::vector<float> kBuf, vBuf;
        const float* kBase = static_cast<const float*>(kCache) + int64_t(g) * hd;
        const float* vBase = static_cast<const float*>(vCache) + int64_t(g) * hd;
        int64_t ldKv = s.kvDim;
        if (kv == KvType::F16) {
            kBuf.resize(size_t(keys) * size_t(hd));
            vBuf.resize(size_t(keys) * size_t(hd));
            const auto* kh = static_cast<const uint16_t*>(kCache) + int64_t(g) * hd;
            const auto* vh = static_cast<const uint16_t*>(vCache) + int64_t(g) * hd;
            for (int j = 0; j < keys; ++j) {
                kernels::fp16ToFloatRow(kh + int64_t(j) * s.kvDim, kBuf.data() + int64_t(j) * hd, hd);
                kernels::fp16ToFloatRow(vh + int64_t(j) * s.kvDim, vBuf.data() + int64_t(j) * hd, hd);
            }
            kBase = kBuf.data();
            vBase = vBuf.data();
            ldKv = hd;
        }
        const ConstRowMap qh(q + q0 * s.ldQ + int64_t(h) * hd, n, hd, Eigen::OuterStride<>(s.ldQ));
        const ConstRowMap kg(kBase, keys, hd, Eigen::OuterStride<>(ldKv));
        const ConstRowMap vg(vBase, keys, hd, Eigen::OuterStride<>(ldKv));
        RowMat p(n, keys);
        p.noalias() = (qh * kg.transpose()) * scale;
        // Query q0+t may see keys 0 .. pos0+q0+t; softmax with the row maximum subtracted.
        for (int t = 0; t < n; ++t) {
            float* row = p.data() + int64_t(t) * keys;
            const int visible = s.pos0 + q0 + t + 1;
            const float mx = *std::max_element(row, row + visible);
            double sum = 0;
            for (int j = 0; j < visible; ++j) {
                row[j] = std::exp(row[j] - mx);
                sum += row[j];
            }
            const float inv = float(1.0 / sum);
            for (int j = 0; j < visible; ++j) row[j] *= inv;
            std::fill(row + visible, row + keys, 0.0f);
            if (probs) {
                float* dst = probs + (int64_t(h) * T + q0 + t) * L;
                std::copy(row, row + keys, dst);
                std::fill(dst + keys, dst + L, 0.0f);
            }
        }
        RowMap oh(out + q0 * C + int64_t(h) * hd, n, hd, Eigen::OuterStride<>(C));
        oh.noalias() = p * vg;
    };
    const int items = s.nHead * tiles;
    if (double(T) * L * hd * s.nHead < 1 << 15) {
        for (int i = 0; i < items; ++i) item(i);
        return;
    }
    tbb::parallel_for(0, items, item);
}

void kvStoreForward(DecodeState& state, int layer, int pos0, int T, const float* k, const float* v, int64_t ldIn)
{
    const int kvDim = state.kvDim();
    for (int t = 0; t < T; ++t) {
        const size_t row = size_t(pos0 + t) * size_t(kvDim);
        const float* kt = k + t * ldIn;
        const float* vt = v + t * ldIn;
        if (state.kvType() == KvType::F16) {
            kernels::floatToFp16Row(kt, static_cast<uint16_t*>(state.keys(layer)) + row, kvDim);
            kernels::floatToFp16Row(vt, static_cast<uint16_t*>(state.values(layer)) + row, kvDim);
        } else {
            std::memcpy(static_cast<float*>(state.keys(layer)) + row, kt, sizeof(float) * size_t(kvDim));
            std::memcpy(static_cast<float*>(state.values(layer)) + row, vt, sizeof(float) * size_t(kvDim));
        }
    }
}

void swigluForward(float* gate, const float* up, int64_t n)
{
    forRange(n, 16, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
            const float g = gate[i];
            gate[i] = g / (1.0f + std::exp(-g)) * up[i];
        }
    });
}

void geluForward(float* x, int64_t n)
{
    // 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))
    const float k = 0.7978845608028654f;
    forRange(n, 16, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
            const float v = x[i];
            x[i] = 0.5f * v * (1.0f + std::tanh(k * (v + 0.044715f * v * v * v)));
        }
    });
}

void residualForward(float* x, const float* d, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) x[i] += d[i];
}

} // namespace precis::engine
