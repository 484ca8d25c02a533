// SHA-256 (FIPS 180-4) of byte buffers and of files, streamed in chunks so a
// multi-gigabyte model never has to be held in memory.
#pragma once

#include "common/progress.h"
#include "common/result.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace precis {

// Incremental hasher: update() any number of times, then finish() once.
class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t size);
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
    std::array<uint8_t, 32> finish();

private:
    void compress(const uint8_t* block);  // one 64-byte block

    std::array<uint32_t, 8> m_state;
    std::array<uint8_t, 64> m_buffer{};
    size_t m_buffered = 0;
    uint64_t m_totalBytes = 0;
    bool m_finished = false;
};

// 64 lowercase hex digits.
std::string sha256Hex(const std::array<uint8_t, 32>& digest);
std::string sha256Hex(std::string_view bytes);

// True for a string of exactly 64 lowercase hex digits.
bool isSha256Hex(std::string_view text);

// Hashes the file at `path` with 1 MiB reads. `cancel` (optional) is checked
// between reads. Errors: Io naming the path and the system reason; Cancelled.
Result<std::string> sha256File(const std::string& path, const CancelToken* cancel = nullptr);

} // namespace precis
