#include "model/dtype.h"

#include <array>
#include <string>

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
// RTN ids: 0x52540000 | bits << 8 | group index (32, 64, 128) << 1 | asymmetric.
constexpr uint32_t kRtnBase = 0x52540000u;
constexpr int kRtnGroups[3] = {32, 64, 128};

struct RtnTraits {
    std::array<std::string, 42> names;
    std::array<DTypeTraits, 42> traits;
    RtnTraits()
    {
        size_t i = 0;
        for (int bits = 2; bits <= 8; ++bits)
            for (int g = 0; g < 3; ++g)
                for (int a = 0; a < 2; ++a, ++i) {
                    const int group = kRtnGroups[g];
                    names[i] = "RTN" + std::to_string(bits) + "g" + std::to_string(group) + (a ? "a" : "");
                    traits[i] = {rtnDType({bits, group, a != 0}), names[i], group, 2 + 2 * a + group * bits / 8, true};
                }
    }
};

// blockSize 1 / typeSize 0: a Segmented tensor has no per-row size (dtypeRowBytes
// says so); its segments carry their own types.
constexpr DTypeTraits kSegmentedTraits{DType::Segmented, "SEGMENTED", 1, 0, true};

const RtnTraits& rtnTraits()
{
    static const RtnTraits t;
    return t;
}

// Index into RtnTraits, or -1.
int rtnIndex(DType t)
{
    const auto layout = rtnLayout(t);
    if (!layout) return -1;
    const int g = layout->group == 32 ? 0 : layout->group == 64 ? 1 : 2;
    return ((layout->bits - 2) * 3 + g) * 2 + (layout->asymmetric ? 1 : 0);
}
} // namespace

DType rtnDType(const RtnLayout& l)
{
    const uint32_t g = l.group == 32 ? 0 : l.group == 64 ? 1 : 2;
    return DType(kRtnBase | uint32_t(l.bits) << 8 | g << 1 | (l.asymmetric ? 1u : 0u));
}

std::optional<RtnLayout> rtnLayout(DType t)
{
    const uint32_t v = uint32_t(t);
    if ((v & 0xFFFF0000u) != kRtnBase || (v & 0xF8u) != 0) return std::nullopt;
    const int bits = int(v >> 8 & 0xFF), g = int(v >> 1 & 3);
    if (bits < 2 || bits > 8 || g > 2) return std::nullopt;
    return RtnLayout{bits, kRtnGroups[g], (v & 1) != 0};
}

std::optional<DTypeTraits> dtypeTraits(uint32_t ggmlId)
{
    for (const auto& t : kTraits)
        if (uint32_t(t.type) == ggmlId)
            return t;
    return std::nullopt;
}

const DTypeTraits& dtypeTraits(DType t)
{
    if (const int i = rtnIndex(t); i >= 0)
        return rtnTraits().traits[size_t(i)];
    if (t == DType::Segmented)
        return kSegmentedTraits;
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
    for (const auto& t : rtnTraits().traits)
        if (t.name == name)
            return t.type;
    if (name == kSegmentedTraits.name)
        return DType::Segmented;
    return std::nullopt;
}

std::optional<uint64_t> dtypeRowBytes(DType t, uint64_t n)
{
    const auto& tr = dtypeTraits(t);
    if (t == DType::Segmented || n % uint64_t(tr.blockSize) != 0)
        return std::nullopt;
    const uint64_t blocks = n / uint64_t(tr.blockSize);
    if (blocks > UINT64_MAX / uint64_t(tr.typeSize))
        return std::nullopt;
    return blocks * uint64_t(tr.typeSize);
}

} // namespace precis
