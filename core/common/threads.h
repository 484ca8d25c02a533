// Process-wide worker-thread limit for oneTBB, usable from Qt code without
// including TBB headers (Qt's `emit` macro clashes with them).
#pragma once

#include <memory>

namespace precis {

// While alive, limits oneTBB parallelism to `threads` (0 = all cores).
class ThreadLimit {
public:
    explicit ThreadLimit(int threads);
    ~ThreadLimit();
    ThreadLimit(const ThreadLimit&) = delete;
    ThreadLimit& operator=(const ThreadLimit&) = delete;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Number of threads oneTBB will use now.
int activeThreadCount();

} // namespace precis
