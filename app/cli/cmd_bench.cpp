// `precis-cli bench`: prefill / decode speed, time to first token, peak memory
// and size of one or more models on this machine (core/bench), against the
// decode ceiling of the measured memory bandwidth; optionally kept in a session.
#include "cli/cli_common.h"
#include "cli/cli_session.h"
#include "cli/commands.h"

#include "session/session_benchmarks.h"
#include "bench/benchmark.h"
#include "eval/compress.h"
#include "eval/compression_plan.h"
#include "quant/scheme.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <nlohmann/json.hpp>

#include <optional>

namespace precis::cli {

namespace {

QJsonObject toQt(const nlohmann::json& j)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object();
}

QString spreadText(const Spread& s, int decimals)
{
    return QStringLiteral("%1 [%2-%3]").arg(s.median, 0, 'f', decimals).arg(s.min, 0, 'f', decimals).arg(s.max, 0, 'f', decimals);
}

} // namespace

int cmdBench(const QStringList& args)
{
    CommandParser p(QStringLiteral("bench"),
                    QStringLiteral("Prefill and decode speed, time to first token, peak memory and file size of each "
                                   "MODEL on this machine, with the decode ceiling of the measured memory bandwidth "
                                   "(bytes read per token / bandwidth; on a CPU the bandwidth is read again right before each timed "
                                   "decode, as other jobs move it). One warm-up, then --reps repetitions; "
                                   "figures are median [min-max]."));
    p.addPositional(QStringLiteral("MODEL"), QStringLiteral("A .gguf file or a Hugging Face folder; several are run "
                                                            "one after the other and compared with the first."),
                    QStringLiteral("MODEL [MODEL...]"));
    p.addOption({QStringLiteral("device"), QStringLiteral("cpu (default) or cuda (the CUDA backend, when built)."),
                 QStringLiteral("D")});
    p.addOption({QStringLiteral("cuda-device"), QStringLiteral("CUDA device index (default 0)."), QStringLiteral("N")});
    p.addOption(threadsOption());
    p.addOption({QStringLiteral("prompt"), QStringLiteral("Prompt length for prefill (default 512)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("gen"), QStringLiteral("Tokens to generate for decode (default 128)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("reps"), QStringLiteral("Timed repetitions (default 5)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("kv"), QStringLiteral("KV cache type: f32 (default) or f16."), QStringLiteral("T")});
    p.addOption({QStringLiteral("uniform"),
                 QStringLiteral("Also benchmark the first MODEL compressed to this scheme (e.g. Q4_K, RTN4g128), "
                                "in memory: how plans with RTN tensors, which no file format stores, are measured."),
                 QStringLiteral("SCHEME")});
    p.addOption({QStringLiteral("recipe"), QStringLiteral("The same with a compression recipe (JSON, as compress writes)."),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("session"), QStringLiteral("Record the results in this session database."),
                 QStringLiteral("DB")});
    p.addOption({QStringLiteral("name"), QStringLiteral("The session (default: the most recently used)."),
                 QStringLiteral("S")});
    p.addOption(memoryLimitOption());
    p.parse(args, 1, 64);

    BenchSettings settings;
    const QString device = p.isSet(QStringLiteral("device")) ? p.value(QStringLiteral("device")) : QStringLiteral("cpu");
    if (device == QLatin1String("cuda"))
        settings.device = Device::Cuda;
    else if (device != QLatin1String("cpu"))
        failUsage(QStringLiteral("bench: --device must be cpu or cuda, not '%1'").arg(device));
    const QString kv = p.isSet(QStringLiteral("kv")) ? p.value(QStringLiteral("kv")) : QStringLiteral("f32");
    if (kv == QLatin1String("f16"))
        settings.kv = KvType::F16;
    else if (kv != QLatin1String("f32"))
        failUsage(QStringLiteral("bench: --kv must be f32 or f16, not '%1'").arg(kv));
    settings.cudaDevice = p.intValue(QStringLiteral("cuda-device"), 0, 0, 1023);
    settings.threads = p.intValue(QStringLiteral("threads"), 0, 1, 4096);
    settings.prompt = p.intValue(QStringLiteral("prompt"), 512, 1, 65536);
    settings.gen = p.intValue(QStringLiteral("gen"), 128, 1, 65536);
    settings.reps = p.intValue(QStringLiteral("reps"), 5, 1, 1000);
    settings.memoryLimit = p.memoryLimit();
    const bool uniform = p.isSet(QStringLiteral("uniform")), recipe = p.isSet(QStringLiteral("recipe"));
    if (uniform && recipe)
        failUsage(QStringLiteral("bench: --uniform and --recipe are alternatives; give one"));
    if (uniform && !quant::parseScheme(p.value(QStringLiteral("uniform")).toStdString()).ok())
        failUsage(QStringLiteral("bench: --uniform '%1' is not a scheme; valid: %2")
                      .arg(p.value(QStringLiteral("uniform")), schemeList()));

    // The session is checked before minutes of measuring, not after.
    std::optional<SessionStore> store;
    SessionInfo session;
    if (p.isSet(QStringLiteral("session"))) {
        store = openSessionStoreOrExit(p.value(QStringLiteral("session")), QStringLiteral("bench"));
        session = pickSessionOrExit(*store, p.value(QStringLiteral("name")), QStringLiteral("bench"));
    }

    CancelToken cancel;
    if (!p.json()) printProgress(QStringLiteral("measuring memory bandwidth"));
    auto machine = describeMachine(settings, &cancel);
    endProgress();
    if (!machine.ok())
        failError(machine.error());

    std::vector<BenchResult> results;
    for (const QString& path : p.positional()) {
        Progress progress([&](double f, const std::string& stage) {
            printProgress(QStringLiteral("%1: %2 %3%").arg(path, QString::fromStdString(stage)).arg(int(f * 100)));
        });
        auto r = benchmarkModel(path.toStdString(), settings, *machine, &progress, &cancel);
        endProgress();
        if (!r.ok())
            failError(r.error());
        results.push_back(std::move(r).value());
    }
    if (uniform || recipe) {
        // The first model compressed in memory (RTN), then measured there.
        const QString first = p.positional().at(0);
        const auto model = loadModelOrExit(first);
        CompressionPlan plan;
        QString what;
        if (uniform) {
            auto u = uniformPlan(*model, p.value(QStringLiteral("uniform")).toStdString());
            if (!u.ok()) failError(u.error());
            plan = std::move(u->plan);
            what = p.value(QStringLiteral("uniform"));
        } else {
            auto r = readRecipe(p.value(QStringLiteral("recipe")).toStdString());
            if (!r.ok()) failError(r.error());
            plan = std::move(r).value();
            what = QFileInfo(p.value(QStringLiteral("recipe"))).fileName();
        }
        if (!p.json()) printProgress(QStringLiteral("compressing %1 (%2)").arg(first, what));
        auto compressed = compressModel(*model, plan, nullptr, nullptr, &cancel);
        endProgress();
        if (!compressed.ok()) failError(compressed.error());
        const std::string label = QStringLiteral("%1 [%2]").arg(first, what).toStdString();
        Progress progress([&](double f, const std::string& stage) {
            printProgress(QStringLiteral("%1: %2 %3%").arg(QString::fromStdString(label), QString::fromStdString(stage)).arg(int(f * 100)));
        });
        auto r = benchmarkModel(*compressed, label, settings, *machine, &progress, &cancel);
        endProgress();
        if (!r.ok()) failError(r.error());
        results.push_back(std::move(r).value());
    }

    std::vector<int64_t> recordIds;
    if (store)
        for (const BenchResult& r : results) {
            auto id = recordBenchmark(*store, session.id, *machine, r);
            if (!id.ok())
                failError(id.error());
            recordIds.push_back(*id);
        }

    if (p.json()) {
        QJsonArray list;
        for (size_t i = 0; i < results.size(); ++i) {
            QJsonObject o = toQt(toJson(results[i]));
            if (store) o.insert(QStringLiteral("session_record"), qint64(recordIds[i]));
            list.append(o);
        }
        QJsonObject out{{"machine", toQt(toJson(*machine))}, {"results", list}};
        if (store) out.insert(QStringLiteral("session"), QString::fromStdString(session.name));
        printJson(out);
        return ExitOk;
    }

    const MachineInfo& m = *machine;
    printLine(QStringLiteral("machine: %1, %2 logical cores, %3 memory, %4; kernels %5")
                  .arg(QString::fromStdString(m.cpu))
                  .arg(m.logicalCores)
                  .arg(humanBytes(m.memoryBytes), QString::fromStdString(m.os), QString::fromStdString(m.isa)));
    printLine(QStringLiteral("device %1, %2; read bandwidth %3 GB/s")
                  .arg(QString::fromStdString(m.device))
                  .arg(m.threads > 0 ? QStringLiteral("%1 threads").arg(m.threads) : QStringLiteral("GPU"))
                  .arg(spreadText(m.bandwidthGBs, 1)));
    printLine(QStringLiteral("prompt %1 tokens, %2 generated, %3 repetitions after a warm-up, KV cache %4")
                  .arg(results.front().prompt)
                  .arg(results.front().gen)
                  .arg(settings.reps)
                  .arg(kv));
    printLine({});
    printLine(QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9")
                  .arg(QStringLiteral("model"), -28)
                  .arg(QStringLiteral("weights"), -18)
                  .arg(QStringLiteral("file"), 10)
                  .arg(QStringLiteral("peak mem"), 10)
                  .arg(QStringLiteral("prefill tok/s [min-max]"), -26)
                  .arg(QStringLiteral("TTFT ms"), -22)
                  .arg(QStringLiteral("decode tok/s [min-max]"), -24)
                  .arg(QStringLiteral("ceiling"), 8)
                  .arg(QStringLiteral("of ceil"), 7));
    for (const BenchResult& r : results) {
        QString name = QString::fromStdString(r.modelPath).section(QLatin1Char('/'), -1);
        if (name.isEmpty()) name = QString::fromStdString(r.modelPath);
        printLine(QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9")
                      .arg(name.left(28), -28)
                      .arg(QString::fromStdString(r.weightTypes).left(18), -18)
                      .arg(humanBytes(r.fileBytes), 10)
                      .arg(humanBytes(r.peakMemoryBytes) + (r.peakExact ? QString() : QStringLiteral("≤")), 10)
                      .arg(spreadText(r.prefillTokS, 1), -26)
                      .arg(spreadText(r.ttftMs, 1), -22)
                      .arg(spreadText(r.decodeTokS, 2), -24)
                      .arg(r.ceilingTokS, 8, 'f', 1)
                      .arg(QStringLiteral("%1%").arg(100 * r.ceilingFraction(), 0, 'f', 0), 7));
    }
    if (results.size() > 1) {
        printLine({});
        const BenchResult& base = results.front();
        for (size_t i = 1; i < results.size(); ++i) {
            const BenchResult& r = results[i];
            printLine(QStringLiteral("%1 vs %2: decode %3x, prefill %4x, bytes read per token %5x smaller, file %6x smaller")
                          .arg(QString::fromStdString(r.modelPath).section(QLatin1Char('/'), -1),
                               QString::fromStdString(base.modelPath).section(QLatin1Char('/'), -1))
                          .arg(r.decodeTokS.median / base.decodeTokS.median, 0, 'f', 2)
                          .arg(r.prefillTokS.median / base.prefillTokS.median, 0, 'f', 2)
                          .arg(base.bytesPerToken / r.bytesPerToken, 0, 'f', 2)
                          .arg(double(base.fileBytes) / double(std::max<uint64_t>(r.fileBytes, 1)), 0, 'f', 2));
        }
    }
    for (const BenchResult& r : results)
        for (const std::string& note : r.notes)
            printLine(QStringLiteral("note (%1): %2")
                          .arg(QString::fromStdString(r.modelPath).section(QLatin1Char('/'), -1), QString::fromStdString(note)));
    if (store)
        printLine(QStringLiteral("recorded in session '%1'").arg(QString::fromStdString(session.name)));
    return ExitOk;
}

} // namespace precis::cli
