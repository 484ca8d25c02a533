#include "compress_controller.h"

#include "core_messages.h"
#include "export_dialog.h"
#include "job_runner.h"
#include "studio_document.h"

#include "budget_view.h"
#include "compress_view.h"
#include "generation_compare_view.h"

#include "allocation/option_builder.h"
#include "allocation/solver.h"
#include "engine/engine.h"
#include "model/model.h"
#include "quant/scheme.h"
#include "session/session_store.h"
#include "tokenizer/tokenizer.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <set>
#include <span>

namespace precis::app {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Does every unit stand for one whole tensor? Head and layer units give parts
// of a tensor (or several tensors) one choice, which a per-tensor plan cannot express.
bool tensorUnits(const OptionTable& table)
{
    std::set<std::string> seen;
    for (const Unit& u : table.units)
        if (u.name != u.tensor || !seen.insert(u.tensor).second) return false;
    return true;
}

// The budget as the name of a result: "budget +1 %", "budget 2.5 MB", "budget 4.5 bpw".
QString budgetName(const views::BudgetView& budget)
{
    const QString v = QString::number(budget.budgetValue(), 'g', 4);
    switch (budget.budgetUnit()) {
    case views::BudgetUnit::PerplexityPercent: return CompressController::tr("budget +%1 %").arg(v);
    case views::BudgetUnit::Megabytes: return CompressController::tr("budget %1 MB").arg(v);
    case views::BudgetUnit::BitsPerWeight: return CompressController::tr("budget %1 bpw").arg(v);
    }
    return CompressController::tr("budget");
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

CompressController::CompressController(StudioDocument* document, JobRunner* runner, views::BudgetView* budget,
                                       views::CompressView* view, QObject* parent)
    : QObject(parent), m_doc(document), m_runner(runner), m_budget(budget), m_view(view)
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
    connect(m_doc, &StudioDocument::sensitivityChanged, this, &CompressController::refreshBudget);
    if (m_budget) {
        connect(m_budget, &views::BudgetView::allocationChanged, this, &CompressController::refreshBudget);
        connect(m_budget, &views::BudgetView::solvingChanged, this, &CompressController::refreshBudget);
    }
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
    std::shared_ptr<const Frontier> frontier = m_budget ? m_budget->frontier() : nullptr;
    std::shared_ptr<const OptionTable> table = m_budget ? m_budget->table() : nullptr;
    if (!m_budget || !m_budget->hasTable()) frontier.reset(), table.reset();
    if (frontier != m_frontier) {
        m_frontier = frontier;
        m_view->setFrontier(frontier.get(), frontier ? frontier->totalWeights() : 0);
    }
    if (!table || !m_budget->hasAllocation()) {
        m_view->setAllocationState(tr("No allocation yet: calibrate, then choose a budget in the Budget tab."), false);
        return;
    }
    if (!tensorUnits(*table)) {
        m_view->setAllocationState(tr("The Budget tab allocates attention heads or layers: parts of a tensor would get "
                                      "different types, which a GGUF file cannot store. Allocate per tensor to "
                                      "compress it."),
                                   false);
        return;
    }
    const Allocation& a = m_budget->allocation();
    QString text = tr("%1: %2 MB · %3 bits/weight · predicted Δppl +%4 %")
                       .arg(budgetName(*m_budget))
                       .arg(double(a.bytes) / 1e6, 0, 'f', 2)
                       .arg(a.bitsPerWeight, 0, 'f', 2)
                       .arg(perplexityIncreaseForDamage(a.damage), 0, 'f', 3);
    if (!a.feasible) text += QLatin1Char('\n') + translateCoreMessage(a.message);
    if (m_budget->isSolving()) text += QLatin1Char('\n') + tr("(re-solving after a pin…)");
    m_view->setAllocationState(text, true);
}

Result<CompressRequest> CompressController::buildRequest()
{
    const auto& model = m_doc->model();
    if (!model) return makeError(ErrorCode::InvalidArgument, {}, tr("Open a model first.").toStdString());
    if (!m_doc->tokenizer())
        return makeError(ErrorCode::InvalidArgument, {},
                         tr("Measuring needs the model's tokenizer: %1").arg(m_doc->tokenizerError()).toStdString());
    const views::CompressView::Settings s = m_view->settings();
    CompressRequest r;
    r.method.method = s.method;
    r.method.gptq.damping = s.gptqDamping;
    r.method.gptq.actOrder = s.gptqActOrder;
    r.method.awq.grid = s.awqGrid;
    const std::string method = compressionMethodName(s.method);
    if (s.source == views::CompressView::PlanSource::Allocation) {
        refreshBudget();
        if (!m_budget || !m_budget->hasTable() || !m_budget->hasAllocation())
            return makeError(ErrorCode::InvalidArgument, "plan",
                             tr("no allocation yet: calibrate, then choose a budget in the Budget tab").toStdString());
        if (m_budget->isSolving())
            return makeError(ErrorCode::InvalidArgument, "plan",
                             tr("the Budget tab is still re-solving; try again in a moment").toStdString());
        const OptionTable& table = *m_budget->table();
        if (!tensorUnits(table))
            return makeError(ErrorCode::Unsupported, "plan",
                             tr("the allocation gives parts of a tensor different types (head or layer units)")
                                 .toStdString());
        const Allocation& a = m_budget->allocation();
        for (size_t u = 0; u < table.units.size(); ++u)
            r.plan.tensors.push_back({table.units[u].tensor, table.units[u].options[size_t(a.choice[u])].scheme});
        r.planSource = "allocation";
        r.budgetJson = m_budget->budgetJson().toStdString();
        r.predictedPercent = perplexityIncreaseForDamage(a.damage);
        r.name = (budgetName(*m_budget) + QLatin1Char(' ') + qs(method)).toStdString();
    } else {
        PRECIS_TRY_ASSIGN(UniformPlan u, uniformPlan(*model, s.scheme.toStdString()));
        if (u.plan.tensors.empty())
            return makeError(ErrorCode::InvalidArgument, model->path, "the model has no weight matrix to compress");
        PRECIS_TRY_ASSIGN(quant::Scheme scheme, quant::parseScheme(s.scheme.toStdString()));
        r.plan = std::move(u.plan);
        r.planSource = "uniform";
        r.scheme = scheme.name();
        r.name = r.scheme + " " + method;
        // The prediction of the Budget tab's uniform point, when every unit can take the scheme.
        if (m_budget && m_budget->hasTable()) {
            const auto points = uniformPoints(*m_budget->table(), {r.scheme});
            if (!points.empty() && points.front().fallbacks == 0)
                r.predictedPercent = perplexityIncreaseForDamage(points.front().damage);
        }
    }
    r.calibrationPath = s.calibrationPath;
    r.sequences = s.sequences;
    r.length = s.length;
    r.seed = uint64_t(s.seed);
    r.evalPath = s.evalPath;
    r.ctx = s.ctx;
    r.maxChunks = s.maxChunks;
    r.measureUnits = s.measureUnits;
    // Per-tensor predictions come from the option table the Budget tab shows (tensor units only match).
    if (m_budget && m_budget->hasTable()) {
        r.optionTable = m_budget->table();
        r.predictionScale = m_budget->damageScale();
    }
    if (r.evalPath.isEmpty())
        return makeError(ErrorCode::InvalidArgument, "evaluation text", tr("choose a text to measure on").toStdString());
    if (s.method != CompressionMethod::Rtn && r.calibrationPath.isEmpty())
        return makeError(ErrorCode::InvalidArgument, "calibration text",
                         tr("%1 needs a calibration text").arg(qs(method).toUpper()).toStdString());
    r.databasePath = m_doc->databasePath();
    r.sessionId = m_doc->sessionId();
    return r;
}

void CompressController::run()
{
    if (m_running) return;
    auto request = buildRequest();
    if (!request) {
        fail(coreErrorText(request.error()));
        return;
    }
    auto original = m_doc->model();
    auto tokenizer = m_doc->tokenizer();
    auto engine = m_doc->engineSource();
    auto shared = std::make_shared<const CompressRequest>(std::move(request).value());
    m_running = true;
    m_view->setRunning(true);
    m_view->setStatus(tr("Compressing '%1'…").arg(qs(shared->name)));
    m_runner->run<CompressOutcome>(
        tr("Compressing %1").arg(qs(shared->name)),
        [=](Progress& progress, const CancelToken& cancel) {
            return runCompressJob(*original, *tokenizer, engine, *shared, progress, cancel);
        },
        [self = QPointer<CompressController>(this), shared, original](Result<CompressOutcome> r) {
            if (self) self->runDone(*shared, original, std::move(r));
        });
}

void CompressController::cancel()
{
    if (m_running || m_generating) m_runner->cancel();
}

void CompressController::runDone(const CompressRequest& request, const std::shared_ptr<const Model>& original,
                                 Result<CompressOutcome> result)
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
    if (original != m_doc->model()) {  // another model was opened meanwhile
        m_view->setStatus(tr("The model changed while '%1' was compressed: the result was dropped.").arg(qs(request.name)));
        emit runFinished(false);
        return;
    }
    CompressOutcome& o = *result;
    m_resultsModel = original;
    CompressionRecord record;
    record.sessionId = o.sessionId;
    record.method = compressionMethodName(request.method.method);
    record.settingsJson = compressionSettingsJson(request, o);
    record.metricsJson = compressionMetricsJson(request, o);
    qint64 key = o.sessionId ? m_doc->addCompression(record) : 0;
    if (!o.sessionError.empty()) fail(tr("The result is not stored: %1").arg(translateCoreMessage(o.sessionError)));
    if (key == 0) {  // not stored (no database, or it failed and said so): kept for this session only
        key = m_nextUnsavedKey--;
        Entry e;
        e.row.key = key;
        e.row.name = qs(request.name);
        e.row.method = qs(record.method);
        e.row.bytes = o.size.bytes;
        e.row.bitsPerWeight = o.size.bitsPerWeight();
        e.row.comparison = o.comparison;
        e.row.predictedPercent = request.predictedPercent;
        e.row.units = o.units;
        e.plan = request.plan;
        m_unsaved.push_back(std::move(e));
    }
    m_kept.push_front({key, o.model, o.engine});
    while (m_kept.size() > kKeptModels) m_kept.pop_back();
    reload();
    QString status = tr("'%1': %2 bits/weight, perplexity ×%3, KL %4 nats, top-1 %5 % (%6 s).")
                         .arg(qs(request.name))
                         .arg(o.size.bitsPerWeight(), 0, 'f', 2)
                         .arg(o.comparison.pplRatio(), 0, 'f', 4)
                         .arg(o.comparison.klMean, 0, 'g', 3)
                         .arg(100.0 * o.comparison.top1Agreement, 0, 'f', 2)
                         .arg(o.seconds, 0, 'f', 1);
    if (o.unitLength > 0)
        status += QLatin1Char(' ') + tr("%n tensor(s) measured one at a time in %1 s.", nullptr, int(o.units.size()))
                                         .arg(o.unitSeconds, 0, 'f', 1);
    m_view->setStatus(status);
    emit runFinished(true);
}

void CompressController::reload()
{
    m_entries.clear();
    QStringList broken;
    for (const CompressionRecord& rec : m_doc->compressions()) {
        auto parsed = parseCompressionRecord(rec);
        if (!parsed) {
            broken << coreErrorText(parsed.error());
            continue;
        }
        Entry e;
        e.row.key = rec.id;
        e.row.name = qs(parsed->name);
        e.row.method = qs(parsed->method);
        e.row.bytes = parsed->bytes;
        e.row.bitsPerWeight = parsed->bitsPerWeight;
        e.row.comparison = parsed->comparison;
        e.row.predictedPercent = parsed->predictedPercent;
        e.row.units = std::move(parsed->units);
        e.plan = std::move(parsed->plan);
        m_entries.push_back(std::move(e));
    }
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
    if (!broken.isEmpty()) m_view->setStatus(tr("Some stored results cannot be read: %1").arg(broken.join(QStringLiteral("; "))));
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
