// Progress reporting and cancellation for long core jobs.
// A job is `run(input, Progress&, const CancelToken&) -> Result<Output>`.
// Both are thread-safe and cheap; a job checks the token between layers/tensors.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

namespace precis {

class CancelToken {
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

// Calls the sink (if any) with (fraction in [0,1], stage text). The sink may be
// called from worker threads; it must be cheap and must not block.
class Progress {
public:
    using Sink = std::function<void(double fraction, const std::string& stage)>;
    Progress() = default;
    explicit Progress(Sink sink) : m_sink(std::move(sink)) {}

    void report(double fraction, const std::string& stage)
    {
        if (!m_sink) return;
        std::lock_guard<std::mutex> lock(m_mutex);
        m_sink(fraction, stage);
    }

private:
    Sink m_sink;
    std::mutex m_mutex;
};

} // namespace precis
