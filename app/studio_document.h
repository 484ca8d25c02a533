// The open document: the current model (immutable, shared), its tokenizer and a
// lazily created inference engine. Loading and analysis run through the
// JobRunner; results come back as signals. A failed load leaves the previous
// model open and reports the reader's one-line message through errorOccurred.
#pragma once

#include "common/result.h"

#include <QObject>
#include <QStringList>

class QTimer;

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace precis {
class SessionStore;
struct SessionInfo;
struct SavedAllocation;
struct CompressionEntry;
struct MachineInfo;
struct LoopSample;
struct BenchResult;
struct StoredBenchmark;
class Engine;
class Model;
class Tokenizer;
struct AttentionMaps;
}

namespace precis::sensitivity {
struct SensitivityReport;
}

namespace precis::app {

class BudgetDocument;
class JobRunner;
struct CalibrationRequest;

// Attention probabilities of one text, with the tokens they belong to.
struct AttentionResult {
    std::shared_ptr<const Model> model;         // the model that produced it
    std::shared_ptr<const AttentionMaps> maps;  // (nLayer, nHead, T, T)
    std::vector<int32_t> ids;                   // the T token ids fed to the model
    QStringList tokens;                         // display text of each id
    int droppedTokens = 0;                      // tokens cut off the end of the text
};

class StudioDocument : public QObject {
    Q_OBJECT
public:
    // Longest sequence whose attention is computed (maps grow as T²).
    static constexpr int kMaxAttentionTokens = 256;

    explicit StudioDocument(JobRunner* runner, QObject* parent = nullptr);
    ~StudioDocument() override;

    const std::shared_ptr<const Model>& model() const { return m_model; }
    // nullptr when the model carries no usable tokenizer (see tokenizerError()).
    const std::shared_ptr<const Tokenizer>& tokenizer() const { return m_tokenizer; }
    QString tokenizerError() const { return m_tokenizerError; }
    QString modelPath() const { return m_path; }
    // File (or folder) name of the open model; empty when none is open.
    QString modelName() const;
    bool isLoading() const { return m_loading > 0; }
    bool isComputingAttention() const { return m_attentionJobs > 0; }
    // min(kMaxAttentionTokens, trained context) for the open model.
    int attentionTokenLimit() const;

    // Loads a model file or folder in the background; modelChanged or errorOccurred follows.
    void open(const QString& path);
    // Tokenizes `text` (with BOS when the vocabulary adds one), cuts it to
    // attentionTokenLimit() tokens and runs the model with attention capture in
    // the background; attentionReady or errorOccurred follows.
    void computeAttention(const QString& text);

    // Analyze ▸ Calibrate: reads and tokenizes the text (or lets the model write
    // it), dequantizes the weights and runs core/sensitivity's calibration, all in
    // the background. Snapshots arrive as sensitivityPartial while it runs (only
    // the latest when the GUI thread is behind); the final report replaces
    // sensitivityReport() and sensitivityChanged follows, or errorOccurred.
    void calibrate(const CalibrationRequest& request);
    bool isCalibrating() const { return m_calibrating; }
    // The last completed report for the open model; nullptr before the first.
    const std::shared_ptr<const sensitivity::SensitivityReport>& sensitivityReport() const { return m_sensitivity; }

    // The Budget tab's state (budget, table settings, pins, undo stack), fed
    // with the open model's complete report and kept in the current session.
    BudgetDocument* budget() const { return m_budget; }

    // ---- Sessions (core/session). Every calibration is stored in the current
    // session of the database (a session named after the model is created by
    // the first calibration when none is current); opening a session loads its
    // model and restores its latest finished run, the budget as it was left
    // (kind, value, granularity, metric, option set, pins, the closed loop's
    // factor), and the Compress tab's and the Benchmark dock's results, without
    // recomputing anything. The budget is saved into the session shortly after
    // every change (and when the document goes away).
    QString databasePath() const { return m_dbPath; }
    // Default: $PRECIS_SESSION_DB, else core's defaultDatabasePath().
    void setDatabasePath(const QString& path);
    int64_t sessionId() const { return m_sessionId; }
    QString sessionName() const { return m_sessionName; }
    // Sessions of the database, most recently used first (errors: errorOccurred, empty list).
    std::vector<SessionInfo> sessions();
    // A new, empty session for the open model; false (with errorOccurred) on failure.
    bool newSession(const QString& name);
    // Loads the session's model and then its latest finished run; warns (errorOccurred)
    // when the model file changed since (its SHA-256 differs) but still shows the results.
    // A missing model file fails with modelMissing (the studio offers to locate it).
    bool openSession(int64_t sessionId);
    // Points a session whose model file moved (or came from another machine) at
    // `path`, which must hold the same bytes (SHA-256); false with errorOccurred.
    bool relinkSessionModel(int64_t sessionId, const QString& path);
    bool renameSession(int64_t sessionId, const QString& name);
    // Deletes the session and everything in it; the current one is closed first.
    bool deleteSession(int64_t sessionId);
    // Writes the session to its own database file / brings one in (a name clash
    // gets a new name, said through statusMessage). importSession returns the new id (0: failed).
    bool exportSession(int64_t sessionId, const QString& path);
    int64_t importSession(const QString& path);
    // Stores the Budget tab's allocation in the current session (replacing one of the same name).
    bool saveAllocation(const QString& name);
    // The current session's saved allocations, oldest first (empty without a session).
    std::vector<SavedAllocation> allocations();
    // Puts a saved allocation's budget, settings and pins back into the Budget tab.
    bool loadAllocation(int64_t allocationId);
    bool deleteAllocation(int64_t allocationId);

    // ---- Compress tab (compress_controller.h)
    // The open model's engine, created on first use by whichever thread calls
    // the function (a job thread) and shared with attention and calibration.
    // Fails like Engine::create; without a model, InvalidArgument.
    std::function<Result<std::shared_ptr<const Engine>>()> engineSource() const;
    // Stores a measured compression in `sessionId`: the current session, or
    // (when none is current) one the compress job created for the open model,
    // which then becomes current. Returns the record's id, or 0 (with errorOccurred).
    int64_t addCompression(int64_t sessionId, const CompressionEntry& entry);
    // The current session's compressions, oldest first (empty without a
    // session); records that cannot be read are named through errorOccurred.
    std::vector<CompressionEntry> compressions();
    // The closed loop's samples: the current session's measured compressions
    // with a prediction (allocation/closed_loop.h); empty without a session.
    std::vector<LoopSample> closedLoopSamples();

    // ---- Benchmark dock (benchmark_controller.h)
    // Stores a benchmark in the current session (linked to compressionId when
    // given); the record's id, or 0 without a session or on failure (errorOccurred).
    int64_t addBenchmark(const MachineInfo& machine, const BenchResult& result, std::optional<int64_t> compressionId);
    // The current session's benchmarks, oldest first (empty without a session).
    std::vector<StoredBenchmark> benchmarks();

    // The text file the current session's latest calibration read, when it
    // still exists; empty otherwise (self-generated text, no session).
    QString lastCalibrationText();

signals:
    void loadingChanged(bool loading);
    void modelChanged();
    // One line for the user: the reader's or engine's message (names file and field).
    void errorOccurred(const QString& message);
    // Transient note for the status bar (e.g. a cancelled job).
    void statusMessage(const QString& message);
    void attentionBusyChanged(bool busy);
    void attentionReady(std::shared_ptr<const precis::app::AttentionResult> result);
    void calibratingChanged(bool calibrating);
    void sensitivityPartial(std::shared_ptr<const precis::sensitivity::SensitivityReport> report);
    // sensitivityReport() was replaced (a calibration finished, or another model was opened).
    void sensitivityChanged();
    // sessionId()/sessionName() changed (new, opened, renamed, deleted, or created by a job).
    void sessionChanged();
    // The session's model file is not where the session says (openSession failed).
    void modelMissing(qint64 sessionId, const QString& path);

private:
    struct EngineCache;
    struct PartialFeed;
    // Stops the running calibration's snapshots from reaching this document.
    void detachPartialFeed();
    SessionStore* store();  // opened on first use; nullptr (and errorOccurred) when it cannot be
    void setSession(int64_t id, const QString& name);
    // The report the budget is built from changed (or the model).
    void feedBudget();
    void saveBudgetState();
    // Errors of records that could not be read, once per call.
    void reportUnreadable(const std::vector<Error>& errors);
    // The current session's records by `load(store, sessionId, &unreadable)` (a core
    // loader); errors and unreadable records reported; empty without a session.
    template <typename T, typename Load>
    std::vector<T> sessionRecords(Load load);

    JobRunner* m_runner;
    QString m_path;
    std::shared_ptr<const Model> m_model;
    std::shared_ptr<const Tokenizer> m_tokenizer;
    QString m_tokenizerError;
    std::shared_ptr<EngineCache> m_engine;  // per model; created on first use, on the job thread
    int m_loading = 0;
    int m_attentionJobs = 0;
    std::shared_ptr<PartialFeed> m_feed;  // of the running calibration
    std::shared_ptr<const sensitivity::SensitivityReport> m_sensitivity;
    bool m_calibrating = false;
    QString m_dbPath;
    std::unique_ptr<SessionStore> m_store;
    int64_t m_sessionId = 0;
    QString m_sessionName;
    int64_t m_pendingRun = -1;  // >= 0 while openSession() waits for its model (0: no finished run)
    int64_t m_reportRun = 0;    // the run m_sensitivity came from (0: none stored)
    BudgetDocument* m_budget = nullptr;
    QTimer* m_stateTimer = nullptr;  // the budget's state is saved when it fires
};

} // namespace precis::app
