// The Compress tab's controller: turns the view's settings and the Budget
// tab's allocation (or a saved one) into a compression job (core's
// eval/compress_job.h, as precis-cli compress runs it), runs it on the
// JobRunner, stores each result in the session (StudioDocument::
// addCompression), keeps the last few compressed models in memory for export
// and generation, and hands rows, progress and the predicted frontier to the
// view. Results of the session are shown again when it is reopened (without
// their models: those are kept only for the session's lifetime in memory).
//
// Threads: GUI thread only; the work runs on the JobRunner's thread.
#pragma once

#include "compress_plots.h"
#include "generation_job.h"

#include "eval/compress_job.h"

#include <QObject>

#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace precis {
class Engine;
class Frontier;
class Model;
}

namespace precis::views {
class CompressView;
}

namespace precis::app {

class BudgetDocument;
class ExportDialog;
class JobRunner;
class StudioDocument;

class CompressController : public QObject {
    Q_OBJECT
public:
    // Compressed models kept in memory (older results keep their numbers and recipe).
    static constexpr size_t kKeptModels = 4;

    struct Entry {
        views::CompressResultRow row;
        CompressionPlan plan;
    };

    CompressController(StudioDocument* document, JobRunner* runner, views::CompressView* view,
                       QObject* parent = nullptr);
    ~CompressController() override;

    // Compress and measure with the view's settings. Bad settings (no
    // allocation, no evaluation text, an unknown scheme) are reported through
    // errorOccurred and the view's status line; nothing starts.
    void run();
    // Stops the running job (JobRunner::cancel: every queued job).
    void cancel();
    bool isRunning() const { return m_running; }

    // Generates from the original and the view's chosen compressed model.
    void generate();
    bool isGenerating() const { return m_generating; }
    const std::optional<GenerationComparison>& lastGeneration() const { return m_lastGeneration; }

    // Opens the export dialog for the result in `row` of the table (and returns it).
    ExportDialog* exportResult(int row);

    // Re-reads the Budget tab's allocation and frontier (cheap; on every slider step).
    void refreshBudget();
    // Offers the session's saved allocation `name` as the plan (Analyze ▸ Saved Allocations ▸ Compress).
    bool chooseSavedAllocation(const QString& name);
    // Rows from the session's records plus unsaved results; models attached where kept.
    void reload();

    const std::vector<Entry>& entries() const { return m_entries; }
    // The compressed model of a result, when still kept.
    std::shared_ptr<const Model> compressedModel(qint64 key) const;

signals:
    void errorOccurred(const QString& message);
    void runFinished(bool ok);
    void generationFinished(bool ok);

private:
    struct Kept {
        qint64 key = 0;
        std::shared_ptr<const Model> model;
        std::shared_ptr<const Engine> engine;
    };

    struct Outcome {
        CompressJobResult result;
        int64_t sessionId = 0;     // the document's, or the one the job created (0: none)
        std::string sessionError;  // why no session could be created (the result is still good)
    };
    Result<CompressJob> buildJob();
    void onModelChanged();
    void applyDefaults();
    void runDone(const std::shared_ptr<const Model>& original, Result<Outcome> result);
    void generationDone(const QString& name, Result<GenerationComparison> result);
    void fail(const QString& message);
    const Kept* kept(qint64 key) const;

    StudioDocument* m_doc;
    BudgetDocument* m_budget;
    JobRunner* m_runner;
    views::CompressView* m_view;

    std::vector<Entry> m_entries;
    std::vector<Entry> m_unsaved;  // results the session could not store (negative keys)
    qint64 m_nextUnsavedKey = -1;
    std::deque<Kept> m_kept;       // newest first
    std::shared_ptr<const Model> m_resultsModel;  // the original the kept models were made from
    std::shared_ptr<const Frontier> m_frontier;   // the one the plot shows
    bool m_running = false;
    MemoryEstimate m_memory;  // of the job being built or run (fitCompressJobMemory)
    bool m_generating = false;
    std::optional<GenerationComparison> m_lastGeneration;
};

} // namespace precis::app
