// FNV-1a 64: a fast checksum for the project's own binary blobs (trainer state,
// option-table cache), not a cryptographic hash (see sha256.h for that).
#pragma once

#include <cstddef>
#include <cstdint>

namespace precis {

struct Fnv1a64 {
    uint64_t h = 0xCBF29CE484222325ull;
    void add(const void* data, size_t n)
    {
        const auto* p = static_cast<const uint8_t*>(data);
        for (size_t i = 0; i < n; ++i) {
            h ^= p[i];
            h *= 0x100000001B3ull;
        }
    }
};

} // namespace precis
