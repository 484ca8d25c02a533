// Runs long core jobs off the GUI thread, one at a time, on a dedicated
// one-thread pool (oneTBB keeps the cores for the work inside a job). Each job
// gets a Progress (reported to the GUI thread, merged so bursts cost one
// signal) and a CancelToken; its result comes back on the GUI thread.
//
// Threads: call everything from the GUI thread. `work` runs on the job thread
// and must only touch what it captured; `done` runs on the GUI thread, and not
// at all when the runner is destroyed first. The destructor cancels the jobs
// and waits for them.
#pragma once

#include "common/progress.h"
#include "common/result.h"

#include <QObject>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace precis::app {

class JobRunner : public QObject {
    Q_OBJECT
public:
    using Work = std::function<void(Progress& progress, const CancelToken& cancel)>;

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    // Queues `work`; `title` is shown while it runs.
    void start(const QString& title, Work work, std::function<void()> done);

    // Typed convenience: `fn` returns a Result<T> that `done` receives.
    template <typename T>
    void run(const QString& title, std::function<Result<T>(Progress&, const CancelToken&)> fn,
             std::function<void(Result<T>)> done)
    {
        auto slot = std::make_shared<std::optional<Result<T>>>();
        start(
            title, [slot, fn = std::move(fn)](Progress& p, const CancelToken& c) { slot->emplace(fn(p, c)); },
            [slot, done = std::move(done)] { done(std::move(**slot)); });
    }

    bool isBusy() const { return m_active > 0; }
    QString currentTitle() const { return m_title; }
    // Blocks until every queued job has finished (tests, shutdown).
    void waitForDone();

public slots:
    // Asks every queued and running job to stop; each still calls `done` (with
    // whatever its work returned, usually ErrorCode::Cancelled).
    void cancel();

signals:
    void busyChanged(bool busy);
    void jobStarted(const QString& title);
    // fraction in [0, 1]; negative before the job's first report (unknown).
    // `stage` is the job's latest stage, translated (translateCoreMessage), or its title.
    void progressChanged(double fraction, const QString& stage);

private:
    struct Job;
    void onProgress(double fraction, const std::string& stage);
    void flushProgress();

    QThreadPool m_pool;
    int m_active = 0;
    QString m_title;
    std::vector<std::shared_ptr<CancelToken>> m_tokens;

    // Latest progress from the job thread, delivered by one queued call at a time.
    std::mutex m_progressMutex;
    double m_fraction = -1.0;
    std::string m_stage;
    bool m_progressQueued = false;
};

} // namespace precis::app
