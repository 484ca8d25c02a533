#include "common/scratch_array.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace precis {

Result<std::shared_ptr<ScratchArray>> ScratchArray::create(size_t n, const std::string& scratchDir)
{
    std::shared_ptr<ScratchArray> a(new ScratchArray());
    a->m_size = n;
    if (n > (SIZE_MAX / sizeof(double)) - 1)
        return makeError(ErrorCode::InvalidArgument, "scratch array", std::to_string(n) + " values is too many");
    const size_t bytes = std::max<size_t>(n, 1) * sizeof(double);
    if (scratchDir.empty()) {
        void* p = std::calloc(std::max<size_t>(n, 1), sizeof(double));
        if (!p) return makeError(ErrorCode::Io, "memory", "not enough memory for " + std::to_string(bytes) + " bytes of statistics");
        a->m_data = static_cast<double*>(p);
        return a;
    }
    std::string pattern = scratchDir + "/precis-scratch-XXXXXX";
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0)
        return makeError(ErrorCode::Io, scratchDir,
                         std::string("cannot create a scratch file in this folder: ") + std::strerror(errno));
    ::unlink(pattern.c_str());  // gone from the folder now; the space is freed when the mapping goes
    const int rc = ::posix_fallocate(fd, 0, off_t(bytes));
    if (rc != 0) {
        ::close(fd);
        return makeError(ErrorCode::Io, scratchDir,
                         "cannot reserve " + std::to_string(bytes / (1 << 20)) + " MiB for a scratch file: " +
                             std::strerror(rc));
    }
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    const int mapErrno = errno;
    ::close(fd);
    if (p == MAP_FAILED)
        return makeError(ErrorCode::Io, scratchDir, std::string("cannot map a scratch file: ") + std::strerror(mapErrno));
    a->m_data = static_cast<double*>(p);  // fallocate's blocks read as zeros
    a->m_bytes = bytes;
    a->m_mapped = true;
    return a;
}

ScratchArray::~ScratchArray()
{
    if (m_mapped) ::munmap(m_data, m_bytes);
    else std::free(m_data);
}

void ScratchArray::release() const
{
    if (!m_mapped) return;
    ::madvise(m_data, m_bytes, MADV_DONTNEED);
}

} // namespace precis
