// precis-bench-kernels: throughput of the block-format kernels
// (engine/kernels/kernels.h) per type and ISA level — matrix-vector products
// (decode) in GB/s of weights read against the machine's memory read
// bandwidth, matrix-matrix products (prefill) in GFLOP/s against the Eigen fp32
// GEMM rate. Prints a table; not a test.
//
//   precis-bench-kernels [--rows N] [--cols K] [--tokens T] [--reps N]
//                        [--threads 1,2] [--types all|Q8_0,Q4_K,...]
//                        [--isa scalar,avx2,avx512] [--no-gemm] [--calls N]
//                        [--small-pages]
// --calls N times each GEMV N times back to back (for matrices that fit in
// cache, to see the compute rate). Matrices sit in transparent huge pages, or
// with --small-pages in 4 KiB pages (as a memory-mapped file). Defaults: GEMV on 65536 × 2048 (larger than the caches: 75 MB at Q4_K,
// 537 MB at F32), GEMM on 5632 × 2048 with 256 tokens, 5 repetitions after a
// warm-up, threads 1 and 2, every type, the best ISA only. Weights are random
// rows encoded once (1024 rows) and tiled, so setting up is quick.
#include "engine/kernels/kernels.h"
#include "quant/block_formats.h"

#include "bench_util.h"

#include <tbb/global_control.h>

#include <cstring>
#include <random>

using namespace precis;
using namespace precis::bench;
namespace kn = precis::engine::kernels;

namespace {

struct Options {
    int64_t rows = 65536, cols = 2048, gemmRows = 5632;
    int tokens = 256, reps = 5, calls = 1;
    bool gemm = true, hugePages = true;
    std::vector<int> threads{1, 2};
    std::vector<DType> types{DType::F32,  DType::F16,  DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0,
                             DType::Q5_1, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};
    std::vector<kn::Isa> isas{kn::activeIsa()};
};

// rows × cols of `t`: 1024 random rows encoded with the reference encoder and
// repeated (block data in memory is distinct, so caches do not help).
struct Buffer {
    std::shared_ptr<uint8_t> mem;
    size_t bytes = 0;
    uint8_t* data() const { return mem.get(); }
    size_t size() const { return bytes; }
};

Buffer blockMatrix(DType t, int64_t rows, int64_t cols, bool hugePages)
{
    const size_t rowBytes = size_t(*dtypeRowBytes(t, uint64_t(cols)));
    const int64_t base = std::min<int64_t>(rows, 1024);
    Buffer out{allocateWeights(rowBytes * size_t(rows), hugePages), rowBytes * size_t(rows)};
    std::mt19937 rng(1);
    std::normal_distribution<float> g(0.0f, 0.02f);
    std::vector<float> w(static_cast<size_t>(cols));
    for (int64_t r = 0; r < base; ++r) {
        for (auto& v : w) v = g(rng);
        quant::quantizeRow(t, w.data(), out.data() + size_t(r) * rowBytes, cols);
    }
    for (int64_t r = base; r < rows; ++r)
        std::memcpy(out.data() + size_t(r) * rowBytes, out.data() + size_t(r % base) * rowBytes, rowBytes);
    return out;
}

bool parseArgs(int argc, char** argv, Options& o)
{
    auto list = [](const char* v) {
        std::vector<std::string> out;
        std::string cur;
        for (const char* p = v;; ++p) {
            if (*p == ',' || !*p) {
                if (!cur.empty()) out.push_back(cur);
                cur.clear();
                if (!*p) break;
            } else {
                cur += *p;
            }
        }
        return out;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
        if (a == "--no-gemm" || a == "--small-pages") {
            (a == "--no-gemm" ? o.gemm : o.hugePages) = false;
            continue;
        }
        if (!v) return false;
        ++i;
        if (a == "--rows") o.rows = std::max<int64_t>(1, std::atoll(v));
        else if (a == "--calls") o.calls = std::max(1, std::atoi(v));
        else if (a == "--cols") o.cols = std::max<int64_t>(256, std::atoll(v) / 256 * 256);
        else if (a == "--tokens") o.tokens = std::max(1, std::atoi(v));
        else if (a == "--reps") o.reps = std::max(1, std::atoi(v));
        else if (a == "--threads") {
            o.threads.clear();
            for (const auto& s : list(v)) o.threads.push_back(std::max(1, std::atoi(s.c_str())));
        } else if (a == "--types") {
            if (std::string(v) == "all") continue;
            o.types.clear();
            for (const auto& s : list(v)) {
                auto t = dtypeFromName(s);
                if (!t || !kn::hasKernel(*t)) {
                    std::printf("no kernel for type '%s'\n", s.c_str());
                    return false;
                }
                o.types.push_back(*t);
            }
        } else if (a == "--isa") {
            o.isas.clear();
            for (const auto& s : list(v)) {
                const kn::Isa isa = s == "scalar" ? kn::Isa::Scalar : s == "avx2" ? kn::Isa::Avx2 : kn::Isa::Avx512;
                if (!kn::isaSupported(isa)) {
                    std::printf("ISA '%s' is not supported here\n", s.c_str());
                    return false;
                }
                o.isas.push_back(isa);
            }
        } else {
            return false;
        }
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    Options o;
    if (!parseArgs(argc, argv, o)) {
        std::printf("usage: %s [--rows N] [--cols K] [--tokens T] [--reps N] [--threads 1,2] [--types all|Q8_0,...]\n"
                    "          [--isa scalar,avx2,avx512] [--no-gemm] [--calls N] [--small-pages]\n",
                    argv[0]);
        return 2;
    }
    std::printf("precis-bench-kernels: best ISA here %s; each figure median [min-max] of %d repetitions\n\n",
                kn::isaName(kn::activeIsa()), o.reps);
    std::vector<Stats> bandwidth, gemm;
    for (int t : o.threads) {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, size_t(t));
        bandwidth.push_back(machine::ReadProbe().best(o.reps));
        gemm.push_back(o.gemm ? gemmRate(o.reps, t, o.tokens, int(o.cols), int(o.gemmRows)) : Stats{});
        std::printf("%d thread(s): memory read %s GB/s; Eigen fp32 GEMM (%dx%ld)·(%ldx%ld) %s GFLOP/s\n", t,
                    fmt(bandwidth.back()).c_str(), o.tokens, long(o.cols), long(o.cols), long(o.gemmRows),
                    fmt(gemm.back()).c_str());
        std::fflush(stdout);
    }
    std::printf("\n%-6s %-13s %3s  %-22s %6s  %-22s %6s\n", "type", "ISA", "thr", "GEMV GB/s [min-max]", "%bw",
                "GEMM GFLOP/s [min-max]", "%fp32");
    std::vector<float> x = [&] {
        std::vector<float> v(size_t(o.tokens) * size_t(o.cols));
        std::mt19937 rng(2);
        std::normal_distribution<float> g;
        for (auto& e : v) e = g(rng);
        return v;
    }();
    for (DType t : o.types) {
        const Buffer big = blockMatrix(t, o.rows, o.cols, o.hugePages);
        const Buffer small = o.gemm ? blockMatrix(t, o.gemmRows, o.cols, o.hugePages) : Buffer{};
        const size_t rowBytes = size_t(*dtypeRowBytes(t, uint64_t(o.cols)));
        const kn::BlockMatrix wBig{t, reinterpret_cast<const std::byte*>(big.data()), o.rows, o.cols, rowBytes};
        const kn::BlockMatrix wSmall{t, reinterpret_cast<const std::byte*>(small.data()), o.gemmRows, o.cols, rowBytes};
        std::vector<float> y(size_t(o.tokens) * size_t(std::max(o.rows, o.gemmRows)));
        std::vector<std::byte> scratch;
        for (kn::Isa isa : o.isas)
            for (size_t k = 0; k < o.threads.size(); ++k) {
                tbb::global_control limit(tbb::global_control::max_allowed_parallelism, size_t(o.threads[k]));
                const kn::MatmulTask gemv{&wBig, nullptr, y.data(), o.rows};
                const Stats bw = measure(o.reps, [&] {
                    const auto t0 = Clock::now();
                    for (int c = 0; c < o.calls; ++c) kn::matmul(std::span(&gemv, 1), x.data(), o.cols, 1, &scratch, isa);
                    return double(big.size()) * o.calls / seconds(t0, Clock::now()) / 1e9;
                });
                Stats flops{};
                if (o.gemm) {
                    const kn::MatmulTask task{&wSmall, nullptr, y.data(), o.gemmRows};
                    flops = measure(o.reps, [&] {
                        const auto t0 = Clock::now();
                        kn::matmul(std::span(&task, 1), x.data(), o.cols, o.tokens, &scratch, isa);
                        return 2.0 * double(o.tokens) * double(o.cols) * double(o.gemmRows) / seconds(t0, Clock::now()) / 1e9;
                    });
                }
                std::printf("%-6s %-13s %3d  %-22s %5.0f%%  %-22s %5.0f%%\n", std::string(dtypeName(t)).c_str(),
                            kn::isaName(isa), o.threads[k], fmt(bw).c_str(), 100 * bw.median / bandwidth[k].median,
                            fmt(flops).c_str(), o.gemm ? 100 * flops.median / gemm[k].median : 0.0);
                std::fflush(stdout);
            }
    }
    std::printf("\nGEMV GB/s: bytes of weights read per second by a %ldx%ld matrix-vector product (activations quantized\n"
                "on the fly included); %%bw relative to the memory read bandwidth. GEMM: %d tokens through %ldx%ld,\n"
                "2·T·K·N / time; %%fp32 relative to the Eigen fp32 GEMM rate at the same thread count.\n",
                long(o.rows), long(o.cols), o.tokens, long(o.gemmRows), long(o.cols));
    return 0;
}
