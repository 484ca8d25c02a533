#include "common/mapped_file.h"

#include <cerrno>
#include <cstdint>
#include <map>
#include <mutex>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace precis {

namespace {

// The live mappings, begin -> end.
std::mutex g_mappingsMutex;
std::map<uintptr_t, uintptr_t> g_mappings;

} // namespace

static Error ioError(const std::string& path, const std::string& what)
{
    return makeError(ErrorCode::Io, path, what + ": " + std::strerror(errno));
}

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ioError(path, "cannot open file");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        Error e = ioError(path, "cannot stat file");
        ::close(fd);
        return e;
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(ErrorCode::Io, path, "not a regular file");
    }
    std::shared_ptr<MappedFile> f(new MappedFile());
    f->m_path = path;
    f->m_size = size_t(st.st_size);
    if (f->m_size > 0) {
        void* p = ::mmap(nullptr, f->m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            Error e = ioError(path, "cannot memory-map file");
            ::close(fd);
            return e;
        }
        f->m_data = static_cast<const std::byte*>(p);
        std::lock_guard<std::mutex> lock(g_mappingsMutex);
        g_mappings[uintptr_t(p)] = uintptr_t(p) + f->m_size;
    }
    ::close(fd);
    return std::shared_ptr<const MappedFile>(std::move(f));
}

MappedFile::~MappedFile()
{
    if (m_data) {
        {
            std::lock_guard<std::mutex> lock(g_mappingsMutex);
            g_mappings.erase(uintptr_t(m_data));
        }
        ::munmap(const_cast<std::byte*>(m_data), m_size);
    }
}

void releaseMappedPages(const void* data, size_t n)
{
    const long page = ::sysconf(_SC_PAGESIZE);
    if (!data || n == 0 || page <= 0) return;
    const uintptr_t begin = uintptr_t(data), end = begin + n;
    std::lock_guard<std::mutex> lock(g_mappingsMutex);
    auto it = g_mappings.upper_bound(begin);
    if (it == g_mappings.begin()) return;
    --it;
    if (end > it->second) return;  // not (wholly) inside one mapping
    // Whole pages inside the range only: a page shared with a neighbour stays.
    const uintptr_t p0 = (begin + uintptr_t(page) - 1) / uintptr_t(page) * uintptr_t(page);
    const uintptr_t p1 = end / uintptr_t(page) * uintptr_t(page);
    if (p1 > p0) ::madvise(reinterpret_cast<void*>(p0), p1 - p0, MADV_DONTNEED);
}

bool isMappedMemory(const void* data)
{
    const uintptr_t p = uintptr_t(data);
    std::lock_guard<std::mutex> lock(g_mappingsMutex);
    auto it = g_mappings.upper_bound(p);
    if (it == g_mappings.begin()) return false;
    --it;
    return p < it->second;
}

Result<std::string> readTextFile(const std::string& path, size_t maxBytes)
{
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
        return ioError(path, "cannot open file");
    std::string out;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
        if (out.size() + n > maxBytes) {
            std::fclose(f);
            return makeError(ErrorCode::Format, path,
                             "file is larger than the limit of " + std::to_string(maxBytes) + " bytes");
        }
        out.append(buf, n);
    }
    const bool err = std::ferror(f);
    std::fclose(f);
    if (err)
        return ioError(path, "read error");
    return out;
}

Result<void> writeFileAtomic(const std::string& path, const void* data, size_t size)
{
    const std::string tmp = path + ".tmp-precis";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f)
        return ioError(tmp, "cannot create file");
    const bool okWrite = size == 0 || std::fwrite(data, 1, size, f) == size;
    const bool okFlush = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
    std::fclose(f);
    if (!okWrite || !okFlush) {
        Error e = ioError(tmp, "write failed");
        std::remove(tmp.c_str());
        return e;
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        Error e = ioError(path, "cannot rename temporary file into place");
        std::remove(tmp.c_str());
        return e;
    }
    return {};
}

} // namespace precis
