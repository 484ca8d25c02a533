// Run-time ISA selection and the matrix-product driver over the kernel tables.
#include "engine/kernels/kernels.h"

#include "common/half.h"
#include "common/threads.h"
#include "engine/kernels/dispatch.h"
#include "quant/block_formats.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <string>

namespace precis::engine::kernels {

namespace {

bool cpuSupports(Isa isa)
{
#if PRECIS_KERNELS_X86
    __builtin_cpu_init();
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                      __builtin_cpu_supports("f16c");
    if (isa == Isa::Avx2)
        return avx2;
    if (isa == Isa::Avx512)
        return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vnni");
#endif
    return isa == Isa::Scalar;
}

const KernelTable& tableOf(Isa isa)
{
#if PRECIS_KERNELS_X86
    if (isa == Isa::Avx512) return avx512Table();
    if (isa == Isa::Avx2) return avx2Table();
#endif
    return scalarTable();
}

int ktypeIndex(DType t)
{
    if (isRtn(t)) return int(KType::Rtn);
    switch (t) {
    case DType::F32: return int(KType::F32);
    case DType::F16: return int(KType::F16);
    case DType::BF16: return int(KType::BF16);
    case DType::Q4_0: return int(KType::Q4_0);
    case DType::Q4_1: return int(KType::Q4_1);
    case DType::Q5_0: return int(KType::Q5_0);
    case DType::Q5_1: return int(KType::Q5_1);
    case DType::Q8_0: return int(KType::Q8_0);
    case DType::Q2_K: return int(KType::Q2_K);
    case DType::Q3_K: return int(KType::Q3_K);
    case DType::Q4_K: return int(KType::Q4_K);
    case DType::Q5_K: return int(KType::Q5_K);
    case DType::Q6_K: return int(KType::Q6_K);
    default: return -1;
    }
}

KType ktype(DType t)
{
    const int i = ktypeIndex(t);
    assert(i >= 0 && "weight type without a kernel");
    return KType(i);
}

// The dot kernel of weight type w (an RTN layout's bound to it).
struct Dot {
    DotFn fn = nullptr;
    RtnDotFn rtn = nullptr;
    RtnLayout layout;
    void operator()(int64_t k, const void* w, const std::byte* act, size_t lda, int ny, float* s) const
    {
        if (rtn)
            rtn(layout, k, w, act, lda, ny, s);
        else
            fn(k, w, act, lda, ny, s);
    }
};

DotFn dotFn(Isa isa, KType t);

Dot dotOf(Isa isa, DType weight)
{
    Dot d;
    if (const auto l = rtnLayout(weight)) {
        d.rtn = tableOf(isa).rtnDot ? tableOf(isa).rtnDot : scalarTable().rtnDot;
        d.layout = *l;
    } else {
        d.fn = dotFn(isa, ktype(weight));
    }
    return d;
}

DotFn dotFn(Isa isa, KType t)
{
    const DotFn f = tableOf(isa).dot[int(t)];
    return f ? f : scalarTable().dot[int(t)];
}

Dot2Fn dot2Fn(Isa isa, KType t) { return tableOf(isa).dot2[int(t)]; }

PrepareFn prepareFn(Isa isa)
{
    const PrepareFn f = tableOf(isa).prepare;
    return f ? f : scalarTable().prepare;
}

// Prepared inputs are shared by every task whose weight type prepares the same
// way: F16 and BF16 round differently, Q8 and Q8K are layouts, F32 reads the
// input in place.
enum class PrepKey { F32, F16, BF16, Q8, Q8K, Count };

PrepKey prepKey(KType t)
{
    if (t == KType::F32) return PrepKey::F32;
    if (t == KType::F16) return PrepKey::F16;
    if (t == KType::BF16) return PrepKey::BF16;
    return actKind(t) == ActKind::Q8 ? PrepKey::Q8 : PrepKey::Q8K;
}

// Weight bytes of a decode (T = 1) tile: a matrix is cut into about 8 tiles per
// thread (balance), each 32 KiB .. 512 KiB (a task costs well under a
// microsecond to schedule; a tile takes 1 .. 20 µs to stream). Prefill tiles
// are 16 rows × 64 tokens: 16 weight rows and kMaxRows prepared rows stay in
// L1 while the micro-kernel runs.
size_t decodeTileBytes(size_t matrixBytes)
{
    const size_t threads = size_t(std::max(1, precis::activeThreadCount()));
    return std::clamp(matrixBytes / (8 * threads), size_t(32) << 10, size_t(512) << 10);
}
constexpr int64_t kPrefillRows = 16;
constexpr int kPrefillTokens = 64;

} // namespace

const char* isaName(Isa isa)
{
    switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "AVX2";
    case Isa::Avx512: return "AVX-512 VNNI";
    }
    return "?";
}

bool isaSupported(Isa isa)
{
    static const bool avx2 = cpuSupports(Isa::Avx2), avx512 = cpuSupports(Isa::Avx512);
    return isa == Isa::Scalar || (isa == Isa::Avx2 && avx2) || (isa == Isa::Avx512 && avx512);
}

Isa activeIsa()
{
    static const Isa isa = [] {
        Isa best = isaSupported(Isa::Avx512) ? Isa::Avx512 : isaSupported(Isa::Avx2) ? Isa::Avx2 : Isa::Scalar;
        if (const char* cap = std::getenv("PRECIS_ISA")) {  // other values: no cap
            const std::string c = cap;
            if (c == "scalar" || c == "avx2" || c == "avx512")
                best = std::min(best, c == "scalar" ? Isa::Scalar : c == "avx2" ? Isa::Avx2 : Isa::Avx512);
        }
        return best;
    }();
    return isa;
}

bool hasKernel(DType weight) { return ktypeIndex(weight) >= 0; }

DType activationType(DType weight)
{
    switch (weight) {
    case DType::F32: case DType::F16: case DType::BF16: return weight;
    case DType::Q4_0: case DType::Q5_0: case DType::Q8_0: return DType::Q8_0;
    case DType::Q4_1: case DType::Q5_1: return DType::Q8_1;
    default:
        if (const auto l = rtnLayout(weight)) return l->asymmetric ? DType::Q8_1 : DType::Q8_0;
        return DType::Q8_K;
    }
}

int blockValues(DType weight) { return dtypeTraits(weight).blockSize; }

size_t preparedBytes(DType weight, int64_t k) { return preparedRowBytes(ktype(weight), k); }

void prepareRow(DType weight, const float* x, int64_t k, void* dst, Isa isa)
{
    assert(k % blockValues(weight) == 0);
    prepareFn(isa)(ktype(weight), x, k, static_cast<std::byte*>(dst));
}

void preparedToBlocks(DType weight, const void* prepared, int64_t k, void* dst)
{
    const KType t = ktype(weight);
    const auto* row = static_cast<const std::byte*>(prepared);
    auto* out = static_cast<std::byte*>(dst);
    switch (actKind(t)) {
    case ActKind::Float: {
        const auto* v = reinterpret_cast<const float*>(row);
        if (t == KType::F32) {
            std::memcpy(out, v, size_t(k) * 4);
        } else {
            // Values are exactly representable: the encoders return their bits.
            std::vector<uint16_t> h(static_cast<size_t>(k));
            quant::quantizeRow(weight, v, h.data(), k);
            std::memcpy(out, h.data(), size_t(k) * 2);
        }
        return;
    }
    case ActKind::Q8: {
        const PreparedQ8 a = viewQ8(row, k);
        const bool withSum = activationType(weight) == DType::Q8_1;
        for (int64_t b = 0; b < k / quant::kQK; ++b) {
            const uint16_t d = floatToFp16(a.d[b]);
            if (withSum) {
                quant::BlockQ8_1 blk;
                blk.d = d;
                blk.s = floatToFp16(a.s[b]);
                std::memcpy(blk.qs, a.qs + b * quant::kQK, quant::kQK);
                std::memcpy(out + b * sizeof blk, &blk, sizeof blk);
            } else {
                quant::BlockQ8_0 blk;
                blk.d = d;
                std::memcpy(blk.qs, a.qs + b * quant::kQK, quant::kQK);
                std::memcpy(out + b * sizeof blk, &blk, sizeof blk);
            }
        }
        return;
    }
    case ActKind::Q8K: {
        const PreparedQ8K a = viewQ8K(row, k);
        for (int64_t i = 0; i < k / quant::kQKK; ++i) {
            quant::BlockQ8_K blk;
            blk.d = a.d[i];
            std::memcpy(blk.qs, a.qs + i * quant::kQKK, quant::kQKK);
            std::memcpy(blk.bsums, a.bsums + i * 16, sizeof blk.bsums);
            std::memcpy(out + i * sizeof blk, &blk, sizeof blk);
        }
        return;
    }
    }
}

void dot(DType weight, int64_t k, const void* w, const void* act, size_t lda, int ny, float* s, Isa isa)
{
    assert(ny >= 1 && ny <= kMaxRows && k % blockValues(weight) == 0);
    dotOf(isa, weight)(k, w, static_cast<const std::byte*>(act), lda, ny, s);
}

void matmul(std::span<const MatmulTask> tasks, const float* in, int64_t ldIn, int T,
            std::vector<std::byte>* scratch, Isa isa)
{
    if (tasks.empty() || T < 1)
        return;
    const int64_t K = tasks[0].w->cols;
    const PrepareFn prepare = prepareFn(isa);

    // Prepared activations, one (T, rowBytes) matrix per key in use.
    struct Prepared {
        const std::byte* data = nullptr;
        size_t lda = 0;
        KType type = KType::F32;
    };
    Prepared prep[int(PrepKey::Count)];
    size_t total = 0;
    for (const MatmulTask& task : tasks) {
        assert(task.w->cols == K);
        const KType t = ktype(task.w->type);
        Prepared& p = prep[int(prepKey(t))];
        if (p.lda == 0) {
            p.type = t;
            p.lda = t == KType::F32 ? size_t(ldIn) * 4 : preparedRowBytes(t, K);
            if (t != KType::F32) total += p.lda * size_t(T);
        }
    }
    std::vector<std::byte> local;
    std::vector<std::byte>& buf = scratch ? *scratch : local;
    if (buf.size() < total + 64) buf.resize(total + 64);
    std::byte* base = buf.data() + ((64 - reinterpret_cast<uintptr_t>(buf.data()) % 64) % 64);
    for (Prepared& p : prep) {
        if (p.lda == 0) continue;
        if (p.type == KType::F32) {
            p.data = reinterpret_cast<const std::byte*>(in);
            continue;
        }
        std::byte* dst = base;
        base += p.lda * size_t(T);
        p.data = dst;
        const KType t = p.type;
        const size_t lda = p.lda;
        auto rows = [&](int64_t t0, int64_t t1) {
            for (int64_t r = t0; r < t1; ++r) prepare(t, in + r * ldIn, K, dst + size_t(r) * lda);
        };
        if (int64_t(T) * K < (int64_t(1) << 16))
            rows(0, T);
        else
            tbb::parallel_for(tbb::blocked_range<int64_t>(0, T, 1),
                              [&](const tbb::blocked_range<int64_t>& r) { rows(r.begin(), r.end()); });
    }

    struct Tile {
        int task;
        int64_t r0, r1;
        int t0, t1;
    };
    std::vector<Tile> tiles;
    double work = 0;
    for (size_t i = 0; i < tasks.size(); ++i) {
        const BlockMatrix& w = *tasks[i].w;
        const size_t rowBytes = std::max<size_t>(w.rowBytes, 1);
        const int64_t rows = T == 1 ? std::max<int64_t>(4, int64_t(decodeTileBytes(rowBytes * size_t(w.rows)) / rowBytes))
                                    : kPrefillRows;
        const int tokens = T == 1 ? 1 : kPrefillTokens;
        for (int64_t r = 0; r < w.rows; r += rows)
            for (int t = 0; t < T; t += tokens)
                tiles.push_back({int(i), r, std::min(w.rows, r + rows), t, std::min(T, t + tokens)});
        work += double(w.rows) * double(K) * T;
    }
    auto runTile = [&](const Tile& tile) {
        const MatmulTask& task = tasks[size_t(tile.task)];
        const BlockMatrix& w = *task.w;
        const KType t = ktype(w.type);
        const Prepared& p = prep[int(prepKey(t))];
        const Dot fn = dotOf(isa, w.type);
        // Decode reads each weight once: prefetch (see kDecodePrefetchBytes),
        // stopping at the matrix's end. The float types stream well without.
        // Two rows at a time where the ISA has a kernel for that.
        const bool prefetch = T == 1 && t != KType::F32 && t != KType::F16 && t != KType::BF16;
        const Dot2Fn fn2 = T == 1 ? dot2Fn(isa, t) : nullptr;
        const size_t matrixBytes = size_t(w.rows) * w.rowBytes;
        float s[kMaxRows];
        for (int t0 = tile.t0; t0 < tile.t1; t0 += kMaxRows) {
            const int ny = std::min(kMaxRows, tile.t1 - t0);
            const std::byte* act = p.data + size_t(t0) * p.lda;
            for (int64_t r = tile.r0; r < tile.r1;) {
                const int nx = fn2 && r + 1 < tile.r1 ? 2 : 1;
                const size_t at = size_t(r) * w.rowBytes;
                if (prefetch) {
                    const size_t from = at + kDecodePrefetchBytes;
                    const size_t to = std::min(from + size_t(nx) * w.rowBytes, matrixBytes);
                    for (size_t o = from; o < to; o += 64) __builtin_prefetch(w.data + o);
                }
                if (nx == 2)
                    fn2(K, w.data + at, w.rowBytes, act, s);
                else
                    fn(K, w.data + at, act, p.lda, ny, s);
                // One token (ny) or, in a decode pair, one token and two rows (nx).
                for (int x = 0; x < nx; ++x, ++r) {
                    const float b = task.bias ? task.bias[r] : 0.0f;
                    for (int j = 0; j < ny; ++j)
                        task.out[int64_t(t0 + j) * task.ldOut + r] = task.bias ? s[x + j] + b : s[x + j];
                }
            }
        }
    };
    if (work < double(1 << 16) || tiles.size() == 1) {
        for (const Tile& tile : tiles) runTile(tile);
        return;
    }
    tbb::parallel_for(tbb::blocked_range<size_t>(0, tiles.size(), 1), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t i = r.begin(); i < r.end(); ++i) runTile(tiles[i]);
    });
}

void fp16ToFloatRow(const uint16_t* src, float* dst, int64_t n, Isa isa)
{
    const HalfToFloatFn f = tableOf(isa).halfToFloat;
    (f ? f : scalarTable().halfToFloat)(src, dst, n);
}

void floatToFp16Row(const float* src, uint16_t* dst, int64_t n, Isa isa)
{
    const FloatToHalfFn f = tableOf(isa).floatToHalf;
    (f ? f : scalarTable().floatToHalf)(src, dst, n);
}

} // namespace precis::engine::kernels
