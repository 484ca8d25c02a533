// The Benchmark dock's controller: offers the open model, the compressed
// models the Compress tab keeps in memory and files the user adds; runs
// core/bench on the JobRunner (the machine's bandwidth first, then one job per
// model, so bars appear as each finishes and Cancel stops the rest); stores
// each result in the current session and shows the session's history.
//
// A compressed model kept in memory is benchmarked the way a user would run
// it: written once as a GGUF file to a temporary folder (RTN tensors, which
// have no GGUF type, as F16, which the result's notes say), then loaded from
// that file like any other. Its record is linked to its compression.
//
// Threads: GUI thread only; the work runs on the JobRunner's thread.
#pragma once

#include "session/session_benchmarks.h"

#include <QObject>
#include <QTemporaryDir>

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace precis {
class Model;
}

namespace precis::views {
class BenchmarkView;
}

namespace precis::app {

class CompressController;
class JobRunner;
class StudioDocument;

class BenchmarkController : public QObject {
    Q_OBJECT
public:
    BenchmarkController(StudioDocument* document, JobRunner* runner, CompressController* compress,
                        views::BenchmarkView* view, QObject* parent = nullptr);
    ~BenchmarkController() override;

    // Benchmarks the checked models with the view's settings.
    void run();
    void cancel();
    bool isRunning() const { return m_pending > 0; }
    // Adds a model file to the list (checked).
    void addFile(const QString& path);
    // Re-reads the models on offer and the session's history.
    void reload();

    const std::vector<StoredBenchmark>& history() const { return m_history; }

signals:
    void errorOccurred(const QString& message);
    // After the last job of a run (ok: every model measured).
    void runFinished(bool ok);

private:
    struct Target {
        QString label;
        std::string path;                      // the file to load (empty: write `model` first)
        std::shared_ptr<const Model> model;    // a compressed model kept in memory
        qint64 key = 0;                        // its compression key
        std::optional<int64_t> compressionId;  // the session record it belongs to
        BenchRole role = BenchRole::Other;
    };
    std::vector<Target> targets() const;
    // The view's key of a target ("original", "compression:<key>", "file:<path>").
    static QString choiceKey(const Target& t);
    void refreshModels();
    void finishOne(bool ok);

    StudioDocument* m_doc;
    JobRunner* m_runner;
    CompressController* m_compress;
    views::BenchmarkView* m_view;
    std::vector<QString> m_files;               // added by the user
    std::vector<StoredBenchmark> m_history;     // the session's, then unsaved results
    std::vector<StoredBenchmark> m_unsaved;
    QTemporaryDir m_tempDir;
    std::map<qint64, std::pair<std::weak_ptr<const Model>, std::string>> m_written;  // key → (model, file)
    int m_pending = 0;
    bool m_failed = false;
};

} // namespace precis::app
