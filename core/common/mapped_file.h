// Read-only memory mapping of a whole file. The mapping lives as long as the
// last shared_ptr to the MappedFile (tensors of a model keep it alive).
#pragma once

#include "common/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace precis {

class MappedFile {
public:
    // Maps `path` read-only. Errors: Io naming the path and the system reason.
    static Result<std::shared_ptr<const MappedFile>> open(const std::string& path);

    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::byte* data() const { return m_data; }
    size_t size() const { return m_size; }
    const std::string& path() const { return m_path; }

private:
    MappedFile() = default;
    const std::byte* m_data = nullptr;
    size_t m_size = 0;
    std::string m_path;
};

// Hands back to the kernel the resident pages of [data, data + n) where that
// range lies in a live MappedFile (they are read again from the file when next
// touched; memory not from a MappedFile is left alone). For a reader that has
// copied what it needs from a mapping, so the copy and the file's pages are not
// both resident.
void releaseMappedPages(const void* data, size_t n);
// Whether `data` lies in a live MappedFile (its pages count as the process's
// memory only once read).
bool isMappedMemory(const void* data);

// Reads a whole (small) file into a string. Errors name the path.
Result<std::string> readTextFile(const std::string& path, size_t maxBytes = size_t(1) << 30);

// Writes via a temporary file in the same directory + rename, so a failure never
// leaves half a file at `path`.
Result<void> writeFileAtomic(const std::string& path, const void* data, size_t size);

} // namespace precis
