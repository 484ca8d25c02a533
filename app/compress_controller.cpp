#include "compress_controller.h"

#include "budget_document.h"
#include "calibration_dialog.h"
#include "core_messages.h"
#include "export_dialog.h"
#include "job_runner.h"
#include "studio_document.h"

#include "compress_view.h"
#include "generation_compare_view.h"

#include "allocation/option_builder.h"
#include "allocation/solver.h"
#include "engine/engine.h"
#include "model/model.h"
#include "quant/scheme.h"
#include "session/session_calibration.h"
#include "session/session_store.h"
#include "tokenizer/tokenizer.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QPointer>

#include <algorithm>
#include <cmath>
#include <set>
#include <span>

namespace precis::app {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// A session record as a row of the results table.
views::CompressResultRow rowOf(const CompressionEntry& e, qint64 key)
{
    views::CompressResultRow r;
    r.key = key;
    r.name = qs(e.name);
    r.method = QString::fromLatin1(compressionMethodName(e.method.method));
    r.bytes = e.bytes;
    r.bitsPerWeight = e.bitsPerWeight;
    r.measured = e.measured.has_value();
    if (e.measured) r.comparison = e.measured->comparison;
    r.predictedPercent = e.predictedPercent;
    r.units = e.units;
    return r;
}

QStringList uniformSchemeNames()
{
    QStringList names;
    for (const quant::Scheme& s : quant::standardSchemes()) names << qs(s.name());
    for (const quant::Scheme& s : quant::rtnSchemes())
        if (s.group == 128) names << qs(s.name());
    return names;
}

// Splits decoded text where the two sides part: before token k, token k, after.
views::GenerationCompareView::Pane pane(const Tokenizer& tok, const QString& title, const GenerationComparison& g,
                                        const GeneratedText& side)
{
    views::GenerationCompareView::Pane p;
    p.title = title;
    p.prompt = qs(g.prompt);
    p.tokens = int(side.ids.size());
    const std::span<const int32_t> ids(side.ids);
    const size_t k = g.firstDifference < 0 ? ids.size() : std::min(size_t(g.firstDifference), ids.size());
    p.common = qs(tok.decode(ids.first(k)));
    if (k < ids.size()) {
        p.differing = qs(tok.decode(ids.subspan(k, 1)));
        if (p.differing.isEmpty()) p.differing = qs(tok.tokenText(ids[k]));
        p.rest = qs(tok.decode(ids.subspan(k + 1)));
    }
    if (side.stop == StopReason::Eos) p.note = CompressController::tr("stopped at end of text");
    else if (side.stop == StopReason::ContextFull) p.note = CompressController::tr("stopped: the context is full");
    return p;
}

} // namespace

CompressController::CompressController(StudioDocument* document, JobRunner* runner, views::CompressView* view,
                                       QObject* parent)
    : QObject(parent), m_doc(document), m_budget(document->budget()), m_runner(runner), m_view(view)
{
    m_view->setSchemes(uniformSchemeNames());
    connect(m_view, &views::CompressView::runRequested, this, &CompressController::run);
    connect(m_view, &views::CompressView::cancelRequested, this, &CompressController::cancel);
    connect(m_view, &views::CompressView::exportRequested, this, &CompressController::exportResult);
    connect(m_view->generationView(), &views::GenerationCompareView::generateRequested, this,
            &CompressController::generate);
    connect(m_view, &views::CompressView::selectedRowChanged, this, [this](int row) {
        // The generation view follows the selected result when it is in memory.
        if (row < 0 || row >= int(m_entries.size()) || !m_entries[size_t(row)].row.inMemory) return;
        QComboBox* box = m_view->generationView()->modelBox();
        const int i = box->findData(m_entries[size_t(row)].row.key);
        if (i >= 0) box->setCurrentIndex(i);
    });
    connect(m_doc, &StudioDocument::modelChanged, this, &CompressController::onModelChanged);
    connect(m_doc, &StudioDocument::sessionChanged, this, [this] {
        reload();
        // The text the session was calibrated on is the natural calibration text for GPTQ/AWQ.
        const QString calib = m_doc->lastCalibrationText();
        if (!calib.isEmpty()) m_view->setCalibrationPath(calib);
    });
    connect(m_budget, &BudgetDocument::frontierChanged, this, &CompressController::refreshBudget);
    connect(m_budget, &BudgetDocument::allocationChanged, this, &CompressController::refreshBudget);
    connect(m_budget, &BudgetDocument::solvingChanged, this, &CompressController::refreshBudget);
    connect(m_runner, &JobRunner::progressChanged, this, [this](double fraction, const QString& stage) {
        if (m_running) m_view->setProgress(fraction, stage);
    });
    refreshBudget();
}

CompressController::~CompressController() = default;

void CompressController::fail(const QString& message)
{
    m_view->setStatus(QStringLiteral("<span style=\"color:#b00020\">%1</span>").arg(message.toHtmlEscaped()));
    emit errorOccurred(message);
}

const CompressController::Kept* CompressController::kept(qint64 key) const
{
    for (const Kept& k : m_kept)
        if (k.key == key) return &k;
    return nullptr;
}

std::shared_ptr<const Model> CompressController::compressedModel(qint64 key) const
{
    const Kept* k = kept(key);
    return k ? k->model : nullptr;
}

void CompressController::onModelChanged()
{
    if (m_doc->model() != m_resultsModel) {  // the kept models were made from another model
        m_kept.clear();
        m_unsaved.clear();
        m_resultsModel = m_doc->model();
    }
    if (m_doc->model()) m_view->setModelContext(m_doc->model()->config.nCtx);
    m_view->generationView()->clearPanes();
    applyDefaults();
    reload();
    refreshBudget();
}

// For a newly opened model: the texts beside it (the sample's calib.txt /
// eval.txt), the session's last calibration text first; a chunk length within
// the model's context.
void CompressController::applyDefaults()
{
    const auto& model = m_doc->model();
    if (!model) return;
    const QDir dir = QFileInfo(m_doc->modelPath()).absoluteDir();
    const QString eval = dir.filePath(QStringLiteral("eval.txt"));
    if (m_view->evalEdit()->text().isEmpty() || !QFileInfo(m_view->evalEdit()->text()).isFile())
        m_view->setEvalPath(QFileInfo(eval).isFile() ? eval : QString());
    QString calib = m_doc->lastCalibrationText();
    if (calib.isEmpty() && QFileInfo(dir.filePath(QStringLiteral("calib.txt"))).isFile())
        calib = dir.filePath(QStringLiteral("calib.txt"));
    if (!calib.isEmpty() || !QFileInfo(m_view->calibrationEdit()->text()).isFile()) m_view->setCalibrationPath(calib);
    const int nCtx = model->config.nCtx;
    if (nCtx > 0 && m_view->ctxBox()->value() > nCtx) m_view->ctxBox()->setValue(std::min(256, nCtx));
}

void CompressController::refreshBudget()
{
    const std::shared_ptr<const Frontier> frontier = m_budget->hasTable() ? m_budget->frontier() : nullptr;
    if (frontier != m_frontier) {
        m_frontier = frontier;
        m_view->setFrontier(frontier.get(), frontier ? frontier->totalWeights() : 0);
    }
    if (!m_budget->hasTable() || !m_budget->hasAllocation()) {
        m_view->setAllocationState(tr("No allocation yet: calibrate, then choose a budget in the Budget tab."), false);
        return;
    }
    const AllocationTotals& t = m_budget->totals();
    QString text = tr("budget %1: %2 MB · %3 bits/weight · predicted Δppl +%4 %")
                       .arg(QString::fromStdString(budgetText(m_budget->spec())))
                       .arg(double(t.bytes) / 1e6, 0, 'f', 2)
                       .arg(t.bitsPerWeight, 0, 'f', 2)
                       .arg(t.predictedPplIncreasePercent, 0, 'f', 3);
    if (!m_budget->allocation().feasible) text += QLatin1Char('\n') + qs(m_budget->allocation().message);
    if (m_budget->isSolving()) text += QLatin1Char('\n') + tr("(re-solving after a pin…)");
    if (m_budget->spec().granularity == Granularity::Head)
        text += QLatin1Char('\n') + tr("Per-head units give parts of a tensor their own types.");
    m_view->setAllocationState(text, true);
}

bool CompressController::chooseSavedAllocation(const QString& name)
{
    reload();
    return m_view->selectSavedAllocation(name);
}

Result<CompressJob> CompressController::buildJob()
{
    const auto& model = m_doc->model();
    if (!model) return makeError(ErrorCode::InvalidArgument, {}, tr("Open a model first.").toStdString());
    if (!m_doc->tokenizer())
        return makeError(ErrorCode::InvalidArgument, {},
                         tr("Measuring needs the model's tokenizer: %1").arg(m_doc->tokenizerError()).toStdString());
    const views::CompressView::Settings s = m_view->settings();
    CompressJob job;
    CompressionEntry& e = job.entry;
    e.method.method = s.method;
    e.method.gptq.damping = s.gptqDamping;
    e.method.gptq.actOrder = s.gptqActOrder;
    e.method.awq.grid = s.awqGrid;
    e.damageScale = m_budget->spec().damageScale;
    if (s.source == views::CompressView::PlanSource::Allocation) {
        refreshBudget();
        if (!m_budget->hasTable() || !m_budget->hasAllocation())
            return makeError(ErrorCode::InvalidArgument, "plan",
                             tr("no allocation yet: calibrate, then choose a budget in the Budget tab").toStdString());
        if (m_budget->isSolving())
            return makeError(ErrorCode::InvalidArgument, "plan",
                             tr("the Budget tab is still re-solving; try again in a moment").toStdString());
        PRECIS_TRY(planAllocation(e, *model, m_budget->spec(), m_budget->assignment(),
                                  m_budget->totals().predictedPplIncreasePercent));
    } else if (s.source == views::CompressView::PlanSource::Saved) {
        const std::vector<SavedAllocation> saved = m_doc->allocations();
        const auto it = std::find_if(saved.begin(), saved.end(),
                                     [&](const SavedAllocation& a) { return qs(a.name) == s.savedAllocation; });
        if (it == saved.end())
            return makeError(ErrorCode::InvalidArgument, "plan",
                             tr("the session has no allocation named '%1'").arg(s.savedAllocation).toStdString());
        PRECIS_TRY(planAllocation(e, *model, *it));
    } else {
        PRECIS_TRY_ASSIGN(UniformPlan u, uniformPlan(*model, s.scheme.toStdString()));
        if (u.plan.tensors.empty())
            return makeError(ErrorCode::InvalidArgument, model->path, "the model has no weight matrix to compress");
        PRECIS_TRY_ASSIGN(quant::Scheme scheme, quant::parseScheme(s.scheme.toStdString()));
        e.plan = std::move(u.plan);
        e.planSource = PlanSource::Uniform;
        e.scheme = scheme.name();
        // The prediction of the Budget tab's uniform point, when every unit can take the scheme.
        if (m_budget->hasTable()) {
            const auto points = uniformPoints(*m_budget->table(), {e.scheme});
            if (!points.empty() && points.front().fallbacks == 0)
                e.predictedPercent = perplexityIncreaseForDamage(points.front().damage);
        }
    }
    if (s.method != CompressionMethod::Rtn) {
        if (s.calibrationPath.isEmpty())
            return makeError(ErrorCode::InvalidArgument, "calibration text",
                             tr("%1 needs a calibration text").arg(qs(compressionMethodName(s.method)).toUpper()).toStdString());
        CompressionCalibration c;
        c.text = s.calibrationPath.toStdString();
        c.sequences = s.sequences;
        c.length = s.length;
        c.seed = uint64_t(s.seed);
        e.calibration = c;
    }
    job.evalText = s.evalPath.toStdString();
    if (job.evalText.empty())
        return makeError(ErrorCode::InvalidArgument, "evaluation text", tr("choose a text to measure on").toStdString());
    job.ctx = s.ctx;
    job.maxChunks = s.maxChunks;
    job.measureUnits = s.measureUnits;
    // Per-tensor predictions come from the option table the Budget tab shows (tensor units only match).
    if (m_budget->hasTable()) job.optionTable = m_budget->table();
    // Refused before it starts when it would not fit (the settings that change no result adjusted).
    PRECIS_TRY_ASSIGN(m_memory, fitCompressJobMemory(*model, job, memoryLimitSetting()));
    return job;
}

void CompressController::run()
{
    if (m_running) return;
    auto built = buildJob();
    if (!built) {
        fail(coreErrorText(built.error()));
        return;
    }
    auto original = m_doc->model();
    auto tokenizer = m_doc->tokenizer();
    auto engine = m_doc->engineSource();
    auto job = std::make_shared<CompressJob>(std::move(built).value());
    if (job->entry.name.empty()) job->entry.name = defaultCompressionName(job->entry);
    const std::string dbPath = m_doc->databasePath().toStdString();
    const int64_t sessionId = m_doc->sessionId();
    m_running = true;
    m_view->setRunning(true);
    m_view->setStatus(tr("Compressing '%1'… (memory: %2)").arg(qs(job->entry.name), qs(m_memory.describe())));
    m_runner->run<Outcome>(
        tr("Compressing %1").arg(qs(job->entry.name)),
        [=](Progress& progress, const CancelToken& cancel) -> Result<Outcome> {
            // Plain rounding in a session: the latest calibration's column importance (as precis-cli does).
            std::optional<SessionStore> store;
            if (!dbPath.empty()) {
                auto opened = SessionStore::open(dbPath);
                if (opened) store.emplace(std::move(opened).value());
            }
            if (store && sessionId) PRECIS_TRY(useSessionImportance(*store, sessionId, *job));
            Outcome out;
            PRECIS_TRY_ASSIGN(out.result, runCompressJob(*original, tokenizer.get(), engine, *job, progress, cancel));
            if (cancel.cancelled()) return makeError(ErrorCode::Cancelled, {}, "compression cancelled");
            progress.report(1.0, "Recording the result");
            if (!store) return out;
            auto session = sessionForModel(*store, *original, sessionId, {}, &cancel);
            if (session) out.sessionId = session->id;
            else out.sessionError = session.error().toString();
            return out;
        },
        [self = QPointer<CompressController>(this), original](Result<Outcome> r) {
            if (self) self->runDone(original, std::move(r));
        });
}

void CompressController::cancel()
{
    if (m_running || m_generating) m_runner->cancel();
}

void CompressController::runDone(const std::shared_ptr<const Model>& original, Result<Outcome> result)
{
    m_running = false;
    m_view->setRunning(false);
    if (!result) {
        if (result.error().code == ErrorCode::Cancelled) {
            m_view->setStatus(tr("Cancelled: nothing was stored."));
        } else {
            fail(coreErrorText(result.error()));
        }
        emit runFinished(false);
        return;
    }
    Outcome& o = *result;
    const CompressionEntry& e = o.result.entry;
    if (original != m_doc->model()) {  // another model was opened meanwhile
        m_view->setStatus(tr("The model changed while '%1' was compressed: the result was dropped.").arg(qs(e.name)));
        emit runFinished(false);
        return;
    }
    m_resultsModel = original;
    qint64 key = o.sessionId ? m_doc->addCompression(o.sessionId, e) : 0;
    if (!o.sessionError.empty()) fail(tr("The result is not stored: %1").arg(qs(o.sessionError)));
    if (key == 0) {  // not stored (no database, or it failed and said so): kept for this session only
        key = m_nextUnsavedKey--;
        m_unsaved.push_back({rowOf(e, key), e.plan});
    }
    m_kept.push_front({key, o.result.model, o.result.engine});
    while (m_kept.size() > kKeptModels) m_kept.pop_back();
    reload();
    const ComparisonResult& c = e.measured->comparison;
    QString status = tr("'%1': %2 bits/weight, perplexity ×%3, KL %4 nats, top-1 %5 % (%6 s).")
                         .arg(qs(e.name))
                         .arg(e.bitsPerWeight, 0, 'f', 2)
                         .arg(c.pplRatio(), 0, 'f', 4)
                         .arg(c.klMean, 0, 'g', 3)
                         .arg(100.0 * c.top1Agreement, 0, 'f', 2)
                         .arg(e.seconds, 0, 'f', 1);
    if (!e.units.empty())
        status += QLatin1Char(' ') + tr("%n tensor(s) measured one at a time in %1 s.", nullptr, int(e.units.size()))
                                         .arg(e.unitSeconds, 0, 'f', 1);
    m_view->setStatus(status);
    emit runFinished(true);
}

void CompressController::reload()
{
    m_entries.clear();
    for (const CompressionEntry& e : m_doc->compressions()) m_entries.push_back({rowOf(e, e.id), e.plan});
    m_entries.insert(m_entries.end(), m_unsaved.begin(), m_unsaved.end());
    std::vector<views::CompressResultRow> rows;
    QList<QPair<QString, qint64>> models;
    for (Entry& e : m_entries) {
        e.row.inMemory = kept(e.row.key) != nullptr;
        rows.push_back(e.row);
        if (e.row.inMemory) models.append({e.row.name, e.row.key});
    }
    m_view->setResults(std::move(rows));
    m_view->generationView()->setModels(models);
    QStringList saved;
    for (const SavedAllocation& a : m_doc->allocations()) saved << qs(a.name);
    m_view->setSavedAllocations(saved);
}

ExportDialog* CompressController::exportResult(int row)
{
    if (row < 0 || row >= int(m_entries.size())) return nullptr;
    const Entry& e = m_entries[size_t(row)];
    auto* dialog = new ExportDialog(m_runner, compressedModel(e.row.key), e.plan, e.row.name, m_doc->modelPath(),
                                    m_view);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

void CompressController::generate()
{
    if (m_generating) return;
    const auto request = m_view->generationView()->request();
    const Kept* k = kept(request.resultKey);
    const auto& tokenizer = m_doc->tokenizer();
    if (!k || !tokenizer) {
        fail(!tokenizer ? tr("Generation needs the model's tokenizer.")
                        : tr("Choose a compressed model that is still in memory (run one first)."));
        return;
    }
    QString name;
    for (const Entry& e : m_entries)
        if (e.row.key == request.resultKey) name = e.row.name;
    GenerationRequest g;
    g.prompt = request.prompt.toStdString();
    g.options.maxNewTokens = request.tokens;
    g.options.temperature = float(request.temperature);
    g.options.seed = request.seed;
    g.options.stopAtEos = request.stopAtEos;
    auto engine = m_doc->engineSource();
    auto compressed = k->engine;
    auto tok = tokenizer;
    m_generating = true;
    m_view->generationView()->setBusy(true);
    m_runner->run<GenerationComparison>(
        tr("Generating"),
        [=](Progress& progress, const CancelToken& cancel) -> Result<GenerationComparison> {
            PRECIS_TRY_ASSIGN(std::shared_ptr<const Engine> original, engine());
            return runGenerationJob(*original, *compressed, *tok, g, progress, cancel);
        },
        [self = QPointer<CompressController>(this), name](Result<GenerationComparison> r) {
            if (self) self->generationDone(name, std::move(r));
        });
}

void CompressController::generationDone(const QString& name, Result<GenerationComparison> result)
{
    m_generating = false;
    m_view->generationView()->setBusy(false);
    if (!result) {
        if (result.error().code == ErrorCode::Cancelled) m_view->generationView()->setMessage(tr("Generation cancelled."));
        else fail(coreErrorText(result.error()));
        emit generationFinished(false);
        return;
    }
    const GenerationComparison& g = *result;
    const auto& tok = m_doc->tokenizer();
    if (!tok) {
        emit generationFinished(false);
        return;
    }
    QString summary;
    const int n = int(std::max(g.original.ids.size(), g.compressed.ids.size()));
    if (g.firstDifference < 0)
        summary = tr("Identical: both models wrote the same %n token(s).", nullptr, n);
    else
        summary = tr("The texts part at new token %1 (highlighted); the first %n token(s) agree.", nullptr,
                     g.firstDifference)
                      .arg(g.firstDifference + 1);
    m_view->generationView()->setPanes(pane(*tok, tr("Original"), g, g.original),
                                       pane(*tok, tr("Compressed: %1").arg(name), g, g.compressed), summary);
    m_lastGeneration = std::move(result).value();
    emit generationFinished(true);
}

} // namespace precis::app
