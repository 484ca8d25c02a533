#include "studio_document.h"

#include "budget_document.h"
#include "calibration_dialog.h"
#include "calibration_job.h"
#include "core_messages.h"
#include "job_runner.h"

#include "engine/engine.h"
#include "formats/model_loader.h"
#include "model/model.h"
#include "sensitivity/report_store.h"
#include "session/session_allocations.h"
#include "session/session_store.h"
#include "tokenizer/tokenizer.h"

#include <QFileInfo>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <mutex>

namespace precis::app {

struct StudioDocument::EngineCache {
    std::mutex mutex;
    std::shared_ptr<const Engine> engine;

    // The model's engine, created on first use: the exact fp32 reference, its
    // weights streamed from the file (the same results) when an fp32 copy would
    // take more than half the memory limit.
    Result<std::shared_ptr<const Engine>> get(const std::shared_ptr<const Model>& model)
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (!engine) {
            EngineOptions options;
            uint64_t copy = 0;
            for (const MemoryItem& i : engineWeightMemory(*model, options)) copy += i.bytes;
            options.streamWeights = copy > memoryLimitSetting() / 2;
            auto created = Engine::create(model, options);
            if (!created) return created.error();
            engine = std::shared_ptr<const Engine>(std::move(created).value());
        }
        return engine;
    }
};

// A calibration's latest snapshot, from the job thread to the GUI thread: one
// queued call at a time carries whatever is latest when it runs.
struct StudioDocument::PartialFeed {
    std::mutex mutex;
    StudioDocument* target = nullptr;  // null once the document is gone
    std::shared_ptr<const sensitivity::SensitivityReport> latest;
    bool queued = false;
};

namespace {

struct Loaded {
    std::shared_ptr<const Model> model;
    std::shared_ptr<const Tokenizer> tokenizer;
    std::string tokenizerError;
};

using AttentionPtr = std::shared_ptr<const AttentionResult>;

Error cancelledError(const std::string& what) { return makeError(ErrorCode::Cancelled, {}, what + " cancelled"); }

} // namespace

StudioDocument::StudioDocument(JobRunner* runner, QObject* parent)
    : QObject(parent), m_runner(runner), m_budget(new BudgetDocument(this)), m_stateTimer(new QTimer(this))
{
    const QString env = qEnvironmentVariable("PRECIS_SESSION_DB");
    m_dbPath = env.isEmpty() ? QString::fromStdString(defaultDatabasePath()) : env;
    // A burst of slider moves costs one write.
    m_stateTimer->setSingleShot(true);
    m_stateTimer->setInterval(400);
    connect(m_stateTimer, &QTimer::timeout, this, &StudioDocument::saveBudgetState);
    connect(m_budget, &BudgetDocument::specChanged, this, [this] {
        if (m_sessionId) m_stateTimer->start();
    });
    connect(m_budget, &BudgetDocument::statusMessage, this, &StudioDocument::statusMessage);
}

StudioDocument::~StudioDocument()
{
    if (m_stateTimer->isActive()) saveBudgetState();
    detachPartialFeed();
}

void StudioDocument::saveBudgetState()
{
    m_stateTimer->stop();
    SessionStore* s = m_sessionId ? store() : nullptr;
    if (!s) return;
    SessionState state;
    state.budget = m_budget->spec();
    if (auto saved = saveSessionState(*s, m_sessionId, state); !saved.ok())
        emit errorOccurred(coreErrorText(saved.error()));
}

void StudioDocument::feedBudget()
{
    m_budget->setSource(m_model, m_sensitivity && m_sensitivity->complete ? m_sensitivity : nullptr, m_reportRun);
}

void StudioDocument::reportUnreadable(const std::vector<Error>& errors)
{
    if (errors.empty()) return;
    QStringList lines;
    for (const Error& e : errors) lines << coreErrorText(e);
    emit errorOccurred(tr("%n record(s) of this session cannot be read and are not shown: %1", nullptr,
                          int(errors.size()))
                           .arg(lines.join(QStringLiteral("; "))));
}

void StudioDocument::detachPartialFeed()
{
    if (!m_feed) return;
    {
        std::lock_guard<std::mutex> lock(m_feed->mutex);
        m_feed->target = nullptr;
    }
    m_feed.reset();
}

QString StudioDocument::modelName() const { return m_model ? QFileInfo(m_path).fileName() : QString(); }

int StudioDocument::attentionTokenLimit() const
{
    const int ctx = m_model ? m_model->config.nCtx : 0;
    return ctx > 0 ? std::min(kMaxAttentionTokens, ctx) : kMaxAttentionTokens;
}

void StudioDocument::open(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const std::string file = absolute.toStdString();
    if (++m_loading == 1) emit loadingChanged(true);
    m_runner->run<Loaded>(
        tr("Loading %1").arg(QFileInfo(absolute).fileName()),
        [file](Progress&, const CancelToken& cancel) -> Result<Loaded> {
            auto model = loadModel(file);
            if (!model) return model.error();
            if (cancel.cancelled()) return cancelledError("loading " + file);
            Loaded loaded;
            loaded.model = std::move(model).value();
            if (loaded.model->tokenizer.kind == TokenizerKind::None) {
                loaded.tokenizerError = "the model file carries no tokenizer";
            } else if (auto tok = Tokenizer::create(loaded.model->tokenizer); tok) {
                loaded.tokenizer = std::move(tok).value();
            } else {
                loaded.tokenizerError = tok.error().toString();
            }
            return loaded;
        },
        [self = QPointer<StudioDocument>(this), absolute](Result<Loaded> r) {
            if (!self) return;
            if (--self->m_loading == 0) emit self->loadingChanged(false);
            if (!r) {
                if (r.error().code == ErrorCode::Cancelled)
                    emit self->statusMessage(tr("Loading cancelled."));
                else
                    emit self->errorOccurred(coreErrorText(r.error()));
                return;
            }
            Loaded loaded = std::move(r).value();
            const int64_t pendingRun = self->m_pendingRun;
            self->m_pendingRun = -1;
            if (pendingRun < 0) {  // a model opened on its own: no session yet, the studio's first budget
                self->setSession(0, {});
                self->m_budget->setSource(nullptr, nullptr, 0);  // nothing to build from until the report
                self->m_budget->setSpec(BudgetSpec{});
            }
            self->m_path = absolute;
            self->m_model = std::move(loaded.model);
            self->m_tokenizer = std::move(loaded.tokenizer);
            self->m_tokenizerError = translateCoreMessage(loaded.tokenizerError);
            self->m_engine = std::make_shared<EngineCache>();
            const bool hadReport = self->m_sensitivity != nullptr;
            self->m_sensitivity.reset();
            self->m_reportRun = 0;
            self->detachPartialFeed();  // a running calibration's snapshots are of the old model
            emit self->modelChanged();
            if (pendingRun > 0) {
                SessionStore* store = self->store();
                auto report = store ? sensitivity::loadReport(*store, pendingRun) : Result<sensitivity::SensitivityReport>(
                                                                                     makeError(ErrorCode::Io, "", ""));
                if (report.ok()) {
                    self->m_sensitivity = std::make_shared<const sensitivity::SensitivityReport>(std::move(report).value());
                    self->m_reportRun = pendingRun;
                    self->feedBudget();
                    emit self->sensitivityChanged();
                    return;
                }
                if (store) emit self->errorOccurred(coreErrorText(report.error()));
            }
            self->feedBudget();
            if (hadReport) emit self->sensitivityChanged();
        });
}

void StudioDocument::setDatabasePath(const QString& path)
{
    if (path == m_dbPath) return;
    if (m_stateTimer->isActive()) saveBudgetState();
    m_store.reset();
    m_dbPath = path;
    setSession(0, {});
}

SessionStore* StudioDocument::store()
{
    if (m_store) return m_store.get();
    auto opened = SessionStore::open(m_dbPath.toStdString());
    if (!opened) {
        emit errorOccurred(coreErrorText(opened.error()));
        return nullptr;
    }
    m_store = std::make_unique<SessionStore>(std::move(opened).value());
    return m_store.get();
}

void StudioDocument::setSession(int64_t id, const QString& name)
{
    if (id == m_sessionId && name == m_sessionName) return;
    if (id != m_sessionId && m_stateTimer->isActive()) saveBudgetState();  // the old session's
    m_sessionId = id;
    m_sessionName = name;
    emit sessionChanged();
}

std::vector<SessionInfo> StudioDocument::sessions()
{
    SessionStore* s = store();
    if (!s) return {};
    auto list = s->sessions();
    if (!list) {
        emit errorOccurred(coreErrorText(list.error()));
        return {};
    }
    return std::move(list).value();
}

bool StudioDocument::newSession(const QString& name)
{
    if (!m_model) {
        emit errorOccurred(tr("Open a model first."));
        return false;
    }
    SessionStore* s = store();
    if (!s) return false;
    auto modelId = s->addModelFile(m_model->path, m_model->config.archName, m_model->parameterCount());
    auto id = modelId ? s->createSession(name.toStdString(), *modelId) : Result<int64_t>(modelId.error());
    if (!id) {
        emit errorOccurred(coreErrorText(id.error()));
        return false;
    }
    setSession(*id, name);
    if (m_sensitivity) {  // a new session starts without results
        m_sensitivity.reset();
        m_reportRun = 0;
        feedBudget();
        emit sensitivityChanged();
    }
    saveBudgetState();
    return true;
}

bool StudioDocument::openSession(int64_t sessionId)
{
    SessionStore* s = store();
    if (!s) return false;
    auto info = s->session(sessionId);
    auto latest = info ? s->latestRun(sessionId) : Result<std::optional<CalibrationRun>>(info.error());
    auto check = latest ? s->checkModel(info->model.id) : Result<ModelCheck>(latest.error());
    if (!check) {
        emit errorOccurred(coreErrorText(check.error()));
        return false;
    }
    if (!check->exists) {
        emit errorOccurred(tr("%1: the model of session '%2' is missing")
                               .arg(QString::fromStdString(info->model.path), QString::fromStdString(info->name)));
        emit modelMissing(sessionId, QString::fromStdString(info->model.path));
        return false;
    }
    auto state = loadSessionState(*s, sessionId);
    if (!state) emit errorOccurred(coreErrorText(state.error()));
    if (check->changed())
        emit errorOccurred(tr("%1 has changed since session '%2' was made (its SHA-256 differs): the stored results "
                              "describe the old file.")
                               .arg(QString::fromStdString(info->model.path), QString::fromStdString(info->name)));
    (void)s->touchSession(sessionId);
    setSession(sessionId, QString::fromStdString(info->name));
    // The budget as it was left; its table is built once the report is back (not
    // from the model open now: its table would not take the session's pins).
    m_budget->setSource(nullptr, nullptr, 0);
    m_budget->setSpec(state && state->budget ? *state->budget : BudgetSpec{});
    m_pendingRun = *latest && (*latest)->status == RunStatus::Done ? (*latest)->id : 0;
    open(QString::fromStdString(info->model.path));
    return true;
}

std::function<Result<std::shared_ptr<const Engine>>()> StudioDocument::engineSource() const
{
    auto model = m_model;
    auto cache = m_engine;
    return [model, cache]() -> Result<std::shared_ptr<const Engine>> {
        if (!model || !cache) return makeError(ErrorCode::InvalidArgument, {}, "no model is open");
        return cache->get(model);
    };
}

void StudioDocument::computeAttention(const QString& text)
{
    if (!m_model) {
        emit errorOccurred(tr("Open a model first."));
        return;
    }
    if (!m_tokenizer) {
        emit errorOccurred(tr("This model has no usable tokenizer: %1").arg(m_tokenizerError));
        return;
    }
    auto model = m_model;
    auto tokenizer = m_tokenizer;
    auto cache = m_engine;
    const size_t limit = size_t(attentionTokenLimit());
    const std::string utf8 = text.toStdString();
    if (++m_attentionJobs == 1) emit attentionBusyChanged(true);

    m_runner->run<AttentionPtr>(
        tr("Computing attention"),
        [=](Progress& progress, const CancelToken& cancel) -> Result<AttentionPtr> {
            auto result = std::make_shared<AttentionResult>();
            result->model = model;
            result->ids = tokenizer->encode(utf8, tokenizer->addBosByDefault());
            if (result->ids.empty())
                return makeError(ErrorCode::InvalidArgument, {}, "the text gives no tokens: type some text first");
            if (result->ids.size() > limit) {
                result->droppedTokens = int(result->ids.size() - limit);
                result->ids.resize(limit);
            }
            progress.report(0.0, "Preparing the engine");
            PRECIS_TRY_ASSIGN(const std::shared_ptr<const Engine> engine, cache->get(model));
            if (cancel.cancelled()) return cancelledError("attention");
            progress.report(0.5, "Running the model");
            auto maps = std::make_shared<AttentionMaps>();
            auto logits = engine->forward(result->ids, maps.get(), &cancel);
            if (!logits) return logits.error();
            result->maps = std::move(maps);
            for (int32_t id : result->ids) result->tokens << QString::fromStdString(tokenizer->tokenText(id));
            return AttentionPtr(std::move(result));
        },
        [self = QPointer<StudioDocument>(this)](Result<AttentionPtr> r) {
            if (!self) return;
            if (!r) {
                if (r.error().code == ErrorCode::Cancelled)
                    emit self->statusMessage(tr("Attention computation cancelled."));
                else
                    emit self->errorOccurred(coreErrorText(r.error()));
            } else if ((*r)->model == self->m_model) {  // else another model was opened meanwhile
                emit self->attentionReady(*r);
            }
            if (--self->m_attentionJobs == 0) emit self->attentionBusyChanged(false);
        });
}

void StudioDocument::calibrate(const CalibrationRequest& request)
{
    if (!m_model) {
        emit errorOccurred(tr("Open a model first."));
        return;
    }
    if (!m_tokenizer) {
        emit errorOccurred(tr("Calibration needs the model's tokenizer: %1").arg(m_tokenizerError));
        return;
    }
    if (m_calibrating) {
        emit errorOccurred(tr("A calibration is already running."));
        return;
    }
    auto model = m_model;
    auto tokenizer = m_tokenizer;
    auto cache = m_engine;
    auto feed = std::make_shared<PartialFeed>();
    feed->target = this;
    m_feed = feed;
    m_calibrating = true;
    emit calibratingChanged(true);

    EngineSource engine = [cache, model]() { return cache->get(model); };
    // Job thread: copy the snapshot; queue a delivery unless one is already waiting.
    sensitivity::PartialReport onPartial = [feed](const sensitivity::SensitivityReport& r) {
        auto copy = std::make_shared<const sensitivity::SensitivityReport>(r);
        std::lock_guard<std::mutex> lock(feed->mutex);
        feed->latest = std::move(copy);
        if (feed->queued || !feed->target) return;
        feed->queued = true;
        StudioDocument* doc = feed->target;
        QMetaObject::invokeMethod(
            doc,
            [doc, feed] {
                std::shared_ptr<const sensitivity::SensitivityReport> latest;
                {
                    std::lock_guard<std::mutex> lock(feed->mutex);
                    feed->queued = false;
                    latest = std::move(feed->latest);
                }
                if (latest && doc->m_feed == feed) emit doc->sensitivityPartial(std::move(latest));
            },
            Qt::QueuedConnection);
    };

    CalibrationRequest stored = request;
    stored.databasePath = m_dbPath;
    stored.sessionId = m_sessionId;
    auto where = std::make_shared<StoredRun>();
    using ReportPtr = std::shared_ptr<const sensitivity::SensitivityReport>;
    m_runner->run<ReportPtr>(
        tr("Calibrating"),
        [=](Progress& progress, const CancelToken& cancel) -> Result<ReportPtr> {
            auto r = runCalibrationJob(*model, *tokenizer, engine, stored, progress, cancel, onPartial, where.get());
            if (!r) return r.error();
            return ReportPtr(std::make_shared<const sensitivity::SensitivityReport>(std::move(r).value()));
        },
        [self = QPointer<StudioDocument>(this), model, feed, where](Result<ReportPtr> r) {
            if (!self) return;
            if (self->m_feed == feed) self->detachPartialFeed();
            self->m_calibrating = false;
            if (where->sessionId != 0 && model == self->m_model && where->sessionId != self->m_sessionId) {
                self->setSession(where->sessionId, QString::fromStdString(where->sessionName));
                self->saveBudgetState();
            }
            if (!r) {
                if (r.error().code == ErrorCode::Cancelled)
                    emit self->statusMessage(tr("Calibration cancelled."));
                else
                    emit self->errorOccurred(coreErrorText(r.error()));
            } else if (model == self->m_model) {  // else another model was opened meanwhile
                self->m_sensitivity = std::move(r).value();
                self->m_reportRun = where->runId;
                self->feedBudget();
                emit self->sensitivityChanged();
            }
            emit self->calibratingChanged(false);
        });
}

} // namespace precis::app
