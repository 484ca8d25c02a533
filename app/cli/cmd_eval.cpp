// `precis-cli ppl` and `precis-cli generate`, and the per-tensor part of
// `precis-cli eval --per-unit` (eval_per_tensor.h).
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/eval_per_tensor.h"

#include "common/threads.h"
#include "engine/engine.h"
#include "eval/generate.h"
#include "eval/perplexity.h"
#include "eval/unit_damage.h"

#include <QElapsedTimer>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace precis::cli {

namespace {

std::unique_ptr<Engine> engineOrExit(std::shared_ptr<const Model> model, const EngineOptions& options = {})
{
    auto r = Engine::create(std::move(model), options);
    if (!r.ok())
        failError(r.error());
    return std::move(r).value();
}

QString stopText(StopReason s)
{
    switch (s) {
    case StopReason::Eos: return QStringLiteral("eos");
    case StopReason::Callback: return QStringLiteral("callback");
    case StopReason::ContextFull: return QStringLiteral("context-full");
    case StopReason::MaxTokens: break;
    }
    return QStringLiteral("max-tokens");
}

QJsonValue numberOrNull(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null); }

} // namespace

QCommandLineOption perUnitOption()
{
    const UnitDamageOptions o;
    return {QStringLiteral("per-unit"),
            QStringLiteral("Also measure every tensor the compression changed alone: the original with only that tensor "
                           "replaced, on %1 windows of min(%2, ctx) tokens of the text (one forward pass per tensor).")
                .arg(o.sequences)
                .arg(o.length)};
}

PerUnitMeasurement measurePerUnitOrExit(const Model& original, const Model& compressed,
                                        std::span<const int32_t> ids, int ctx)
{
    UnitDamageOptions options;
    options.length = std::min(options.length, ctx);
    if (!ids.empty() && ids.front() == original.tokenizer.bos) ids = ids.subspan(1);
    Progress progress([](double f, const std::string& stage) {
        printProgress(QStringLiteral("%1 %2%").arg(QString::fromStdString(stage)).arg(int(f * 100)));
    });
    CancelToken cancel;
    QElapsedTimer timer;
    timer.start();
    auto r = measureUnitDamage(original, compressed, ids, options, &progress, &cancel);
    endProgress();
    if (!r.ok())
        failError(r.error());
    std::vector<UnitDamage> units = std::move(r).value();
    // Largest loss increase first; a NaN (a broken tensor) heads the list.
    std::stable_sort(units.begin(), units.end(), [](const UnitDamage& a, const UnitDamage& b) {
        if (std::isnan(a.measuredDloss) != std::isnan(b.measuredDloss)) return std::isnan(a.measuredDloss);
        return a.measuredDloss > b.measuredDloss;
    });
    PerUnitMeasurement m;
    m.sequences = options.sequences;
    m.length = options.length;
    m.seconds = double(timer.elapsed()) / 1000.0;
    for (const UnitDamage& u : units)
        m.units.append(QJsonObject{{"tensor", QString::fromStdString(u.tensor)},
                                   {"scheme", QString::fromStdString(u.scheme)},
                                   {"measured_dloss", numberOrNull(u.measuredDloss)},
                                   {"measured_kl", numberOrNull(u.measuredKl)}});
    return m;
}

void printPerUnitTable(const PerUnitMeasurement& m)
{
    printLine(QString());
    printLine(QStringLiteral("per tensor: %1 tensor(s) measured alone on %2 × %3 tokens (%4 s)")
                  .arg(m.units.size()).arg(m.sequences).arg(m.length).arg(m.seconds, 0, 'f', 2));
    if (m.units.isEmpty()) {
        printLine(QStringLiteral("  no tensor differs from the original"));
        return;
    }
    int width = 6;
    for (const QJsonValue& v : m.units) width = std::max(width, int(v[QStringLiteral("tensor")].toString().size()));
    auto number = [](const QJsonValue& v, bool sign) {
        return v.isDouble() ? QString::asprintf(sign ? "%+.4e" : "%.4e", v.toDouble()) : QStringLiteral("—");
    };
    printLine(QStringLiteral("%1  %2  %3  %4")
                  .arg(QStringLiteral("tensor"), -width)
                  .arg(QStringLiteral("scheme"), -9)
                  .arg(QStringLiteral("measured Δloss"), 14)
                  .arg(QStringLiteral("measured KL"), 12));
    for (const QJsonValue& v : m.units)
        printLine(QStringLiteral("%1  %2  %3  %4")
                      .arg(v[QStringLiteral("tensor")].toString(), -width)
                      .arg(v[QStringLiteral("scheme")].toString(), -9)
                      .arg(number(v[QStringLiteral("measured_dloss")], true), 14)
                      .arg(number(v[QStringLiteral("measured_kl")], false), 12));
}

int cmdPerplexity(const QStringList& args)
{
    CommandParser p(QStringLiteral("ppl"),
                    QStringLiteral("Perplexity of a text. Default: llama.cpp's chunked method (BOS at each chunk start, "
                                   "the second half of each chunk scored); --all-tokens scores every prediction."));
    p.addPositional(QStringLiteral("MODEL"), QStringLiteral("A .gguf file, a Hugging Face folder, or a llama2.c .bin."));
    p.addOption(tokenizerOption());
    p.addOption(threadsOption());
    p.addOption({QStringLiteral("text"), QStringLiteral("The text to score (UTF-8)."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("ctx"), QStringLiteral("Chunk length in tokens (default 512, capped at the model's context)."),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("chunks"), QStringLiteral("Score at most K chunks (default: all)."), QStringLiteral("K")});
    p.addOption({QStringLiteral("all-tokens"), QStringLiteral("Score every prediction in non-overlapping windows.")});
    p.addOption(memoryLimitOption());
    p.parse(args, 1, 1);
    if (!p.isSet(QStringLiteral("text")))
        failUsage(QStringLiteral("ppl: --text FILE is required"));
    const uint64_t memoryLimit = p.memoryLimit();
    const int threads = p.intValue(QStringLiteral("threads"), 0, 1, 1024);
    int ctx = p.intValue(QStringLiteral("ctx"), 512, 2, 1 << 20);
    const int chunks = p.intValue(QStringLiteral("chunks"), 0, 1, 1 << 30);

    ThreadLimit limit(threads);
    const auto model = loadModelOrExit(p.positional().at(0), p.value(QStringLiteral("tokenizer")));
    const auto tok = tokenizerOrExit(*model);
    const std::string text = readTextOrExit(p.value(QStringLiteral("text")));
    if (!p.isSet(QStringLiteral("ctx")) && ctx > model->config.nCtx)
        ctx = model->config.nCtx;
    const std::vector<int32_t> ids = tok->encode(text, tok->bos() >= 0);

    const uint64_t residentBefore = residentBeforeJob();  // the program, the model's header, the text
    EngineOptions engineOptions;
    const Model* models[] = {model.get()};
    const MemoryEstimate memory =
        memoryOrExit(fitEvaluationMemory(models, engineOptions, ctx, memoryLimit), memoryLimit, p.json(),
                     engineOptions.streamWeights ? QStringLiteral(" (weights streamed from the file: slower)") : QString());
    const auto engine = engineOrExit(model, engineOptions);
    PerplexityOptions options;
    options.ctx = ctx;
    options.maxChunks = chunks;
    options.allTokens = p.isSet(QStringLiteral("all-tokens"));
    Progress progress([](double f, const std::string& stage) {
        printProgress(QStringLiteral("%1 %2%").arg(QString::fromStdString(stage)).arg(int(f * 100)));
    });
    CancelToken cancel;
    QElapsedTimer timer;
    timer.start();
    auto r = computePerplexity(*engine, ids, options, progress, cancel);
    endProgress();
    if (!r.ok())
        failError(r.error());
    const double seconds = double(timer.elapsed()) / 1000.0;

    if (p.json()) {
        QJsonObject o{{"ppl", r->ppl},
                      {"mean_nll", r->meanNll},
                      {"tokens_scored", qint64(r->tokensScored)},
                      {"chunks", r->chunks},
                      {"ctx", ctx},
                      {"mode", options.allTokens ? "all-tokens" : "chunked"},
                      {"text_tokens", qint64(ids.size())},
                      {"threads", activeThreadCount()},
                      {"streamed_weights", engineOptions.streamWeights},
                      {"seconds", seconds}};
        addMemoryJson(o, memory, memoryLimit, residentBefore);
        printJson(o);
        return ExitOk;
    }
    printLine(QStringLiteral("perplexity %1  (mean NLL %2 nats, %3 tokens scored in %4 chunks of %5, %6 mode, %7 s)")
                  .arg(r->ppl, 0, 'f', 6)
                  .arg(r->meanNll, 0, 'f', 6)
                  .arg(r->tokensScored)
                  .arg(r->chunks)
                  .arg(ctx)
                  .arg(options.allTokens ? QStringLiteral("all-tokens") : QStringLiteral("chunked"))
                  .arg(seconds, 0, 'f', 2));
    printPeakMemory(memory, residentBefore);
    return ExitOk;
}

int cmdGenerate(const QStringList& args)
{
    CommandParser p(QStringLiteral("generate"), QStringLiteral("Continue a prompt with the model."));
    p.addPositional(QStringLiteral("MODEL"), QStringLiteral("A .gguf file, a Hugging Face folder, or a llama2.c .bin."));
    p.addOption(tokenizerOption());
    p.addOption(threadsOption());
    p.addOption({QStringLiteral("prompt"), QStringLiteral("The prompt text (may be empty: start from BOS)."), QStringLiteral("S")});
    p.addOption({{QStringLiteral("n"), QStringLiteral("tokens")}, QStringLiteral("Tokens to generate (default 64)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("temp"), QStringLiteral("Temperature; 0 = greedy (default 0)."), QStringLiteral("T")});
    p.addOption({QStringLiteral("top-p"), QStringLiteral("Nucleus sampling threshold (default 0.95)."), QStringLiteral("P")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("Random seed for sampling (default 1)."), QStringLiteral("S")});
    p.parse(args, 1, 1);
    if (!p.isSet(QStringLiteral("prompt")))
        failUsage(QStringLiteral("generate: --prompt S is required (use --prompt \"\" to start from BOS)"));
    const int threads = p.intValue(QStringLiteral("threads"), 0, 1, 1024);
    GenerateOptions options;
    options.maxNewTokens = p.intValue(QStringLiteral("n"), 64, 1, 1 << 20);
    options.temperature = float(p.doubleValue(QStringLiteral("temp"), 0.0, 0.0, 100.0));
    options.topP = float(p.doubleValue(QStringLiteral("top-p"), 0.95, 0.0, 1.0));
    options.seed = uint64_t(p.intValue(QStringLiteral("seed"), 1, 0, INT32_MAX));

    ThreadLimit limit(threads);
    const auto model = loadModelOrExit(p.positional().at(0), p.value(QStringLiteral("tokenizer")));
    const auto tok = tokenizerOrExit(*model);
    const std::string prompt = p.value(QStringLiteral("prompt")).toStdString();
    const std::vector<int32_t> promptIds = tok->encode(prompt, tok->bos() >= 0 && (tok->addBosByDefault() || prompt.empty()));
    if (promptIds.empty())
        failInput(QStringLiteral("generate: the prompt is empty and the vocabulary has no BOS token to start from"));
    const auto engine = engineOrExit(model);

    const bool json = p.json();
    // Streams text as it comes: decodes prompt + generated ids and prints what is
    // new, so multi-token UTF-8 characters and SentencePiece's leading spaces print right.
    std::vector<int32_t> all = promptIds;
    std::string printed = tok->decode(all);
    if (!json) {
        std::fputs(printed.c_str(), stdout);
        std::fflush(stdout);
    }
    CancelToken cancel;
    QElapsedTimer timer;
    timer.start();
    auto r = generate(*engine, promptIds, options, [&](int32_t id) {
        if (json) return true;
        all.push_back(id);
        const std::string text = tok->decode(all);
        if (text.size() > printed.size() && text.compare(0, printed.size(), printed) == 0) {
            std::fputs(text.c_str() + printed.size(), stdout);
            std::fflush(stdout);
            printed = text;
        }
        return true;
    }, &cancel);
    if (!r.ok())
        failError(r.error());
    const double seconds = double(timer.elapsed()) / 1000.0;
    if (json) {
        QJsonArray ids;
        for (int32_t id : r->ids) ids.append(id);
        printJson(QJsonObject{{"prompt", QString::fromStdString(prompt)},
                              {"prompt_tokens", qint64(promptIds.size())},
                              {"ids", ids},
                              {"text", QString::fromStdString(tok->decode(r->ids))},
                              {"stop", stopText(r->stop)},
                              {"seconds", seconds}});
    } else {
        std::fputc('\n', stdout);
    }
    return ExitOk;
}

} // namespace precis::cli
