#include "job_runner.h"

#include "core_messages.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace precis::app {

JobRunner::JobRunner(QObject* parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
    m_pool.setObjectName(QStringLiteral("precis-jobs"));
}

JobRunner::~JobRunner()
{
    cancel();
    m_pool.waitForDone();
}

void JobRunner::start(const QString& title, Work work, std::function<void()> done)
{
    auto token = std::make_shared<CancelToken>();
    m_tokens.push_back(token);
    m_title = title;
    {
        std::lock_guard<std::mutex> lock(m_progressMutex);
        m_fraction = -1.0;
        m_stage.clear();
    }
    if (++m_active == 1) emit busyChanged(true);
    emit jobStarted(title);
    emit progressChanged(-1.0, title);

    auto* watcher = new QFutureWatcher<void>(this);
    connect(watcher, &QFutureWatcher<void>::finished, this, [this, watcher, token, done = std::move(done)] {
        watcher->deleteLater();
        m_tokens.erase(std::remove(m_tokens.begin(), m_tokens.end(), token), m_tokens.end());
        // `done` may queue the next job; report idle only when nothing follows.
        done();
        if (--m_active == 0) {
            m_title.clear();
            emit busyChanged(false);
        }
    });
    watcher->setFuture(QtConcurrent::run(&m_pool, [this, token, work = std::move(work)] {
        Progress progress([this](double f, const std::string& stage) { onProgress(f, stage); });
        work(progress, *token);
    }));
}

void JobRunner::waitForDone() { m_pool.waitForDone(); }

void JobRunner::cancel()
{
    for (const auto& token : m_tokens) token->cancel();
}

void JobRunner::onProgress(double fraction, const std::string& stage)
{
    std::lock_guard<std::mutex> lock(m_progressMutex);
    m_fraction = std::clamp(fraction, 0.0, 1.0);
    m_stage = stage;
    if (m_progressQueued) return;
    m_progressQueued = true;
    QMetaObject::invokeMethod(this, &JobRunner::flushProgress, Qt::QueuedConnection);
}

void JobRunner::flushProgress()
{
    double fraction;
    std::string stage;
    {
        std::lock_guard<std::mutex> lock(m_progressMutex);
        m_progressQueued = false;
        fraction = m_fraction;
        stage = m_stage;
    }
    // The core's English stage in the user's language (core_messages.h).
    if (m_active > 0) emit progressChanged(fraction, stage.empty() ? m_title : translateCoreMessage(stage));
}

} // namespace precis::app
