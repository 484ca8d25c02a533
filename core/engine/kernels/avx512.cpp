// The AVX-512 (F, BW, VL, DQ, VNNI) kernel table: the 256-bit kernels of
// simd.h with VNNI dot steps (vpdpbusd / vpdpwssd) and mask-register bit
// expansion for the 32-value formats and the floats, and the 512-bit kernels
// of simd512.h for the K-quants Q2_K … Q6_K. Compiled with -mavx512f
// -mavx512bw -mavx512vl -mavx512dq -mavx512vnni (engine/sources.cmake); only
// called after a run-time check.
#define PRECIS_SIMD_VNNI 1
#include "engine/kernels/simd512.h"

namespace precis::engine::kernels {

const KernelTable& avx512Table()
{
    static const KernelTable table = avx512KernelTable();
    return table;
}

} // namespace precis::engine::kernels
