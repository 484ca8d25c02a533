#include "model/dtype.h"

#include <array>

namespace precis {

namespace {
constexpr std::array<DTypeTraits, 20> kTraits{{
    {DType::F32, "F32", 1, 4, false},
    {DType::F16, "F16", 1, 2, false},
    {DType::Q4_0, "Q4_0", 32, 18, true},
    {DType::Q4_1, "Q4_1", 32, 20, true},
    {DType::Q5_0, "Q5_0", 32, 22, true},
    {DType::Q5_1, "Q5_1", 32, 24, true},
    {DType::Q8_0, "Q8_0", 32, 34, true},
    {DType::Q8_1, "Q8_1", 32, 36, true},
    {DType::Q2_K, "Q2_K", 256, 84, true},
    {DType::Q3_K, "Q3_K", 256, 110, true},
    {DType::Q4_K, "Q4_K", 256, 144, true},
    {DType::Q5_K, "Q5_K", 256, 176, true},
    {DType::Q6_K, "Q6_K", 256, 210, true},
    {DType::Q8_K, "Q8_K", 256, 292, true},
    {DType::I8, "I8", 1, 1, false},
    {DType::I16, "I16", 1, 2, false},
    {DType::I32, "I32", 1, 4, false},
    {DType::I64, "I64", 1, 8, false},
    {DType::F64, "F64", 1, 8, false},
    {DType::BF16, "BF16", 1, 2, false},
}};
} // namespace

std::optional<DTypeTraits> dtypeTraits(uint32_t ggmlId)
{
    for (const auto& t : kTraits)
        if (uint32_t(t.type) == ggmlId)
            return t;
    return std::nullopt;
}

const DTypeTraits& dtypeTraits(DType t)
{
    for (const auto& tr : kTraits)
        if (tr.type == t)
            return tr;
    return kTraits[0];  // unreachable for valid enum values
}

std::string_view dtypeName(DType t) { return dtypeTraits(t).name; }

std::optional<DType> dtypeFromName(std::string_view name)
{
    for (const auto& t : kTraits)
        if (t.name == name)
            return t.type;
    return std::nullopt;
}

std::optional<uint64_t> dtypeRowBytes(DType t, uint64_t n)
{
    const auto& tr = dtypeTraits(t);
    if (n % uint64_t(tr.blockSize) != 0)
        return std::nullopt;
    const uint64_t blocks = n / uint64_t(tr.blockSize);
    if (blocks > UINT64_MAX / uint64_t(tr.typeSize))
        return std::nullopt;
    return blocks * uint64_t(tr.typeSize);
}

} // namespace precis
