#include "benchmark_controller.h"

#include "calibration_dialog.h"

#include "compress_controller.h"
#include "core_messages.h"
#include "job_runner.h"
#include "studio_document.h"

#include "benchmark_view.h"

#include "eval/compress.h"
#include "model/model.h"

#include <QDateTime>
#include <QFileInfo>

#include <algorithm>
#include <thread>

namespace precis::app {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

BenchSettings toCore(const views::BenchmarkView::Settings& v)
{
    BenchSettings s;
    s.device = v.device;
    s.cudaDevice = v.cudaDevice;
    s.threads = v.threads;
    s.prompt = v.prompt;
    s.gen = v.gen;
    s.reps = v.reps;
    s.kv = v.kv;
    s.memoryLimit = memoryLimitSetting();  // refused before it starts when it would not fit
    return s;
}

} // namespace

BenchmarkController::BenchmarkController(StudioDocument* document, JobRunner* runner, CompressController* compress,
                                         views::BenchmarkView* view, QObject* parent)
    : QObject(parent), m_doc(document), m_runner(runner), m_compress(compress), m_view(view)
{
    std::vector<std::pair<int, QString>> gpus;
    QString note;
    if (auto devices = benchCudaDevices(); devices.ok())
        for (const auto& [index, name] : *devices) gpus.emplace_back(index, qs(name));
    else
        note = coreErrorText(devices.error());
    m_view->setDevices(int(std::max(1u, std::thread::hardware_concurrency())), gpus, note);

    connect(m_view, &views::BenchmarkView::runRequested, this, &BenchmarkController::run);
    connect(m_view, &views::BenchmarkView::cancelRequested, this, &BenchmarkController::cancel);
    connect(m_doc, &StudioDocument::modelChanged, this, &BenchmarkController::reload);
    connect(m_doc, &StudioDocument::sessionChanged, this, &BenchmarkController::reload);
    connect(m_compress, &CompressController::runFinished, this, &BenchmarkController::refreshModels);
    connect(m_runner, &JobRunner::progressChanged, this, [this](double fraction, const QString& stage) {
        if (isRunning()) m_view->setProgress(fraction, stage);
    });
    reload();
}

BenchmarkController::~BenchmarkController() = default;

std::vector<BenchmarkController::Target> BenchmarkController::targets() const
{
    std::vector<Target> out;
    if (m_doc->model()) {
        Target t;
        t.label = m_doc->modelName();
        t.path = m_doc->modelPath().toStdString();
        t.role = BenchRole::Original;
        out.push_back(t);
    }
    for (const CompressController::Entry& e : m_compress->entries()) {
        auto model = m_compress->compressedModel(e.row.key);
        if (!model) continue;
        Target t;
        t.label = e.row.name;
        t.model = model;
        t.key = e.row.key;
        if (e.row.key > 0) t.compressionId = e.row.key;
        t.role = BenchRole::Compressed;
        const auto it = m_written.find(e.row.key);
        if (it != m_written.end() && it->second.first.lock() == model && QFileInfo::exists(qs(it->second.second)))
            t.path = it->second.second;
        out.push_back(t);
    }
    for (const QString& f : m_files) {
        Target t;
        t.label = QFileInfo(f).fileName();
        t.path = f.toStdString();
        out.push_back(t);
    }
    return out;
}

QString BenchmarkController::choiceKey(const Target& t)
{
    switch (t.role) {
    case BenchRole::Original: return QStringLiteral("original");
    case BenchRole::Compressed: return QStringLiteral("compression:%1").arg(t.key);
    case BenchRole::Other: break;
    }
    return QStringLiteral("file:") + qs(t.path);
}

void BenchmarkController::refreshModels()
{
    std::vector<views::BenchmarkView::ModelChoice> choices;
    for (const Target& t : targets()) {
        views::BenchmarkView::ModelChoice c;
        c.key = choiceKey(t);
        switch (t.role) {
        case BenchRole::Original:
            c.label = tr("Original: %1").arg(t.label);
            c.tooltip = qs(t.path);
            break;
        case BenchRole::Compressed:
            c.label = tr("Compressed: %1").arg(t.label);
            c.tooltip = tr("Kept in memory; written to a temporary GGUF file for the run.");
            break;
        case BenchRole::Other:
            c.label = tr("File: %1").arg(t.label);
            c.tooltip = qs(t.path);
            break;
        }
        choices.push_back(c);
    }
    m_view->setModels(choices);
}

void BenchmarkController::reload()
{
    refreshModels();
    m_history = m_doc->benchmarks();
    m_history.insert(m_history.end(), m_unsaved.begin(), m_unsaved.end());
    // Oldest first (ISO-8601 UTC text sorts by time).
    std::stable_sort(m_history.begin(), m_history.end(),
                     [](const StoredBenchmark& a, const StoredBenchmark& b) { return a.createdAt < b.createdAt; });
    m_view->setHistory(m_history);
}

void BenchmarkController::addFile(const QString& path)
{
    if (std::find(m_files.begin(), m_files.end(), path) == m_files.end()) m_files.push_back(path);
    refreshModels();
}

void BenchmarkController::cancel()
{
    if (isRunning()) m_runner->cancel();
}

void BenchmarkController::run()
{
    if (isRunning()) return;
    const BenchSettings settings = toCore(m_view->settings());
    if (auto ok = validate(settings); !ok.ok()) {
        m_view->setStatus(coreErrorText(ok.error()));
        return;
    }
    std::vector<Target> chosen;
    const std::vector<QString> checked = m_view->checkedModels();
    for (const Target& t : targets()) {
        if (std::find(checked.begin(), checked.end(), choiceKey(t)) != checked.end()) chosen.push_back(t);
    }
    if (chosen.empty()) {
        m_view->setStatus(tr("Check at least one model to benchmark."));
        return;
    }
    if (!m_tempDir.isValid() && std::any_of(chosen.begin(), chosen.end(), [](const Target& t) { return t.path.empty(); })) {
        emit errorOccurred(tr("Cannot create a temporary folder for the compressed models: %1").arg(m_tempDir.errorString()));
        return;
    }

    m_failed = false;
    m_pending = 1 + int(chosen.size());
    m_view->setRunning(true);
    const int total = int(chosen.size());
    auto machine = std::make_shared<std::optional<MachineInfo>>();
    m_runner->run<MachineInfo>(
        tr("Benchmark: measuring memory bandwidth"),
        // Set on the job thread: the model jobs that follow run there, possibly
        // before this job's `done` reaches the GUI thread.
        [settings, machine](Progress&, const CancelToken& cancel) -> Result<MachineInfo> {
            PRECIS_TRY_ASSIGN(MachineInfo m, describeMachine(settings, &cancel));
            *machine = m;
            return m;
        },
        [this](Result<MachineInfo> r) {
            if (r.ok()) {
                m_view->setStatus(tr("Memory bandwidth %1 GB/s").arg(r->bandwidthGBs.median, 0, 'f', 1));
            } else if (r.error().code != ErrorCode::Cancelled) {
                emit errorOccurred(coreErrorText(r.error()));
            }
            finishOne(r.ok());
        });
    for (int i = 0; i < total; ++i) {
        Target t = chosen[size_t(i)];
        const std::string tempPath = m_tempDir.filePath(QStringLiteral("compression-%1.gguf").arg(t.key)).toStdString();
        m_runner->run<BenchResult>(
            tr("Benchmark: %1").arg(t.label),
            [t, tempPath, settings, machine, i, total](Progress& progress, const CancelToken& cancel) -> Result<BenchResult> {
                if (!machine->has_value())
                    return makeError(ErrorCode::Cancelled, "", "benchmark cancelled");
                Progress inner([&](double f, const std::string& stage) {
                    progress.report((i + f) / total, t.label.toStdString() + ": " + stage);
                });
                // A compression holding RTN or sliced tensors runs from memory: no file format stores them.
                if (t.path.empty() && !nativeTensors(*t.model).empty())
                    return benchmarkModel(t.model, t.label.toStdString(), settings, **machine, &inner, &cancel);
                std::string path = t.path;
                if (path.empty()) {
                    progress.report(0, "writing " + t.label.toStdString() + " as GGUF");
                    PRECIS_TRY(exportGguf(*t.model, tempPath));
                    path = tempPath;
                }
                return benchmarkModel(path, settings, **machine, &inner, &cancel);
            },
            [this, t, tempPath, machine](Result<BenchResult> r) {
                if (!r.ok()) {
                    if (r.error().code != ErrorCode::Cancelled)
                        emit errorOccurred(tr("Benchmark of %1: %2").arg(t.label, coreErrorText(r.error())));
                    finishOne(false);
                    return;
                }
                if (t.path.empty() && QFileInfo::exists(qs(tempPath))) m_written[t.key] = {t.model, tempPath};
                const int64_t id = m_doc->sessionId() ? m_doc->addBenchmark(**machine, *r, t.compressionId) : 0;
                if (id == 0) {
                    StoredBenchmark b;
                    b.id = -int64_t(m_unsaved.size()) - 1;
                    b.createdAt = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")).toStdString();
                    b.compressionId = t.compressionId;
                    b.role = t.role;
                    b.label = t.label.toStdString();
                    b.machine = **machine;
                    b.result = *r;
                    m_unsaved.push_back(b);
                }
                reload();
                finishOne(true);
            });
    }
}

void BenchmarkController::finishOne(bool ok)
{
    m_failed = m_failed || !ok;
    if (--m_pending > 0) return;
    m_view->setRunning(false);
    if (m_failed)
        m_view->setStatus(tr("Benchmark stopped."));
    else
        m_view->setStatus(m_doc->sessionId() ? tr("Done; the results are stored in session '%1'.").arg(m_doc->sessionName())
                                             : tr("Done; no session is open, so the results are not stored."));
    emit runFinished(!m_failed);
}

} // namespace precis::app
