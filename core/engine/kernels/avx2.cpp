// The AVX2 (+FMA, F16C) kernel table. This unit is compiled with -mavx2 -mfma
// -mf16c (engine/sources.cmake); it is only called after a run-time check.
#define PRECIS_SIMD_VNNI 0
#include "engine/kernels/simd_kquants.h"

namespace precis::engine::kernels {

const KernelTable& avx2Table()
{
    static const KernelTable table = simdTable();
    return table;
}

} // namespace precis::engine::kernels
