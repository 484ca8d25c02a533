// A zero-initialised array of doubles held in memory or spilled to a scratch
// file (large statistics such as the calibration's Gram matrices, when memory is
// short). A spilled array is a shared mapping of a file that is unlinked as soon
// as it is made, so nothing is left behind even when the process is killed; its
// disk space is reserved up front (a full disk is an error here, not a crash
// later). release() hands its pages back to the system — written back to the
// file, kept in the page cache while memory allows — so only the arrays in use
// count as resident memory. Reading or writing after release() is allowed (the
// pages come back from the file).
#pragma once

#include "common/result.h"

#include <cstddef>
#include <memory>
#include <string>

namespace precis {

class ScratchArray {
public:
    // n doubles, all 0. scratchDir empty: in memory (errors only for lack of
    // memory); else a file in that folder (errors name the folder: missing, not
    // writable, not enough free space).
    static Result<std::shared_ptr<ScratchArray>> create(size_t n, const std::string& scratchDir = {});
    ~ScratchArray();
    ScratchArray(const ScratchArray&) = delete;
    ScratchArray& operator=(const ScratchArray&) = delete;

    double* data() { return m_data; }
    const double* data() const { return m_data; }
    size_t size() const { return m_size; }
    double& operator[](size_t i) { return m_data[i]; }
    const double& operator[](size_t i) const { return m_data[i]; }
    bool spilled() const { return m_mapped; }
    // Spilled: gives the pages back (their contents stay in the file). In memory: nothing.
    void release() const;

private:
    ScratchArray() = default;
    double* m_data = nullptr;
    size_t m_size = 0;
    size_t m_bytes = 0;  // mapped length
    bool m_mapped = false;
};

} // namespace precis
