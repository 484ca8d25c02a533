#include "common/threads.h"

#include <tbb/global_control.h>

namespace precis {

struct ThreadLimit::Impl {
    explicit Impl(int n) : control(tbb::global_control::max_allowed_parallelism, size_t(n)) {}
    tbb::global_control control;
};

ThreadLimit::ThreadLimit(int threads)
{
    if (threads > 0)
        m_impl = std::make_unique<Impl>(threads);
}

ThreadLimit::~ThreadLimit() = default;

int activeThreadCount()
{
    return int(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

} // namespace precis
