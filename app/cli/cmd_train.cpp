// `precis-cli train` (a micro model from a text file) and `precis-cli selfgen`
// (text a model writes itself, for calibration and evaluation sets).
#include "cli/cli_common.h"
#include "cli/commands.h"

#include "common/mapped_file.h"
#include "common/threads.h"
#include "engine/engine.h"
#include "eval/selfgen.h"
#include "train/trainer.h"

#include <QJsonArray>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace precis::cli {

namespace {


// Ctrl-C / SIGTERM: the first asks the trainer to stop after the current step
// and write a checkpoint; the second ends the process at once.
CancelToken* s_cancel = nullptr;
std::atomic<int> s_signals{0};

extern "C" void onSignal(int sig)
{
    if (s_signals.fetch_add(1) == 0 && s_cancel) {
        s_cancel->cancel();
        static const char kNote[] = "\nprecis-cli train: stopping after this step and writing a checkpoint "
                                    "(press Ctrl-C again to abort)\n";
        [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, kNote, sizeof kNote - 1);
        return;
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

class SignalGuard {
public:
    explicit SignalGuard(CancelToken& cancel)
    {
        s_cancel = &cancel;
        s_signals = 0;
        m_int = std::signal(SIGINT, onSignal);
        m_term = std::signal(SIGTERM, onSignal);
    }
    ~SignalGuard()
    {
        std::signal(SIGINT, m_int);
        std::signal(SIGTERM, m_term);
        s_cancel = nullptr;
    }

private:
    void (*m_int)(int);
    void (*m_term)(int);
};

QString duration(double seconds)
{
    const auto s = qint64(seconds + 0.5);
    if (s >= 3600) return QStringLiteral("%1h%2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    if (s >= 60) return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1s").arg(s);
}

QString lossText(const std::optional<double>& v) { return v ? QString::number(*v, 'f', 4) : QStringLiteral("-"); }

QJsonObject configJson(const ModelConfig& c)
{
    return QJsonObject{{"arch", QString::fromStdString(c.archName)}, {"n_layer", c.nLayer}, {"n_embd", c.nEmbd},
                       {"n_head", c.nHead},   {"n_head_kv", c.nHeadKv}, {"n_ff", c.nFf},
                       {"n_vocab", c.nVocab}, {"n_ctx", c.nCtx},        {"tied_output", c.tiedOutput}};
}

} // namespace

int cmdTrain(const QStringList& args)
{
    CommandParser p(QStringLiteral("train"),
                    QStringLiteral("Train a micro model from scratch on a text file. OUT receives a Hugging Face folder "
                                   "(config.json, model.safetensors, tokenizer.json), model.gguf and trainer_state.bin "
                                   "after every checkpoint. Ctrl-C stops after the current step with a checkpoint; "
                                   "--resume continues from it."));
    const auto opt = [&](const char* name, const char* help, const char* value = nullptr) {
        if (value) p.addOption({QString::fromLatin1(name), QString::fromLatin1(help), QString::fromLatin1(value)});
        else p.addOption({QString::fromLatin1(name), QString::fromLatin1(help)});
    };
    opt("text", "Training text (UTF-8); the last --val-fraction of its tokens validate.", "FILE");
    opt("out", "Output folder (created if missing).", "DIR");
    opt("arch", "llama (default) or gpt2.", "A");
    opt("layers", "Transformer blocks (default 4).", "N");
    opt("embd", "Embedding width (default 256).", "N");
    opt("heads", "Attention heads (default 4).", "N");
    opt("kv-heads", "Key/value heads, Llama grouped-query attention (default: --heads).", "N");
    opt("ffn", "Feed-forward width (default 3 x embd for llama, 4 x embd for gpt2).", "N");
    opt("ctx", "Context length = training window (default 256).", "N");
    opt("tokenizer", "char (default) or bpe.", "K");
    opt("vocab", "BPE vocabulary size incl. 259 special/byte tokens (default 512).", "N");
    opt("steps", "Optimizer steps (default 2000).", "N");
    opt("batch", "Windows per step (default 16).", "N");
    opt("lr", "Peak learning rate (default 1e-3).", "X");
    opt("min-lr", "Final learning rate of the cosine decay (default lr / 10).", "X");
    opt("warmup", "Linear warm-up steps (default 100, at most steps / 10).", "N");
    opt("weight-decay", "AdamW decoupled weight decay on matrices (default 0.1).", "X");
    opt("grad-clip", "Global gradient-norm limit, 0 = off (default 1.0).", "X");
    opt("seed", "Seed of initialisation and batches (default 1).", "S");
    opt("val-fraction", "Share of the text held out for validation (default 0.1).", "X");
    opt("eval-every", "Validate every N steps (default 100; 0 = only at the end).", "N");
    opt("eval-batches", "Validation batches per evaluation (default 8; 0 = the whole split).", "N");
    opt("checkpoint-every", "Write a checkpoint every N steps (default 500; 0 = only at the end).", "N");
    opt("resume", "Continue from OUT/trainer_state.bin with its settings (options given here override the "
                  "schedule: --steps, --lr, ...).");
    p.addOption(threadsOption());
    p.addOption(memoryLimitOption());
    p.parse(args, 0, 0);
    if (!p.isSet(QStringLiteral("out")))
        failUsage(QStringLiteral("train: --out DIR is required"));
    const bool resume = p.isSet(QStringLiteral("resume"));
    if (!resume && !p.isSet(QStringLiteral("text")))
        failUsage(QStringLiteral("train: --text FILE is required (unless --resume)"));

    TrainSettings s;
    const std::string out = p.value(QStringLiteral("out")).toStdString();
    if (resume) {
        auto saved = readCheckpointSettings(out);
        if (!saved.ok()) failError(saved.error());
        s = *saved;
    }
    s.outDir = out;
    s.resume = resume;
    if (p.isSet(QStringLiteral("text"))) s.textPath = p.value(QStringLiteral("text")).toStdString();
    const auto has = [&](const char* name) { return p.isSet(QString::fromLatin1(name)); };
    if (has("arch")) {
        const QString a = p.value(QStringLiteral("arch"));
        if (a != QLatin1String("llama") && a != QLatin1String("gpt2"))
            failUsage(QStringLiteral("train: --arch '%1' is not llama or gpt2").arg(a));
        s.arch = a == QLatin1String("gpt2") ? Arch::Gpt2 : Arch::Llama;
    }
    if (has("tokenizer")) {
        const QString k = p.value(QStringLiteral("tokenizer"));
        if (k != QLatin1String("char") && k != QLatin1String("bpe"))
            failUsage(QStringLiteral("train: --tokenizer '%1' is not char or bpe").arg(k));
        s.tokenizer = k == QLatin1String("bpe") ? TokenizerTrainingKind::Bpe : TokenizerTrainingKind::Char;
    }
    const int big = 1 << 20;
    const auto intOpt = [&](const char* name, auto& field, int min, int max) {
        field = p.intValue(QString::fromLatin1(name), int(field), min, max);
    };
    intOpt("layers", s.nLayer, 1, 1024);
    intOpt("embd", s.nEmbd, 1, big);
    intOpt("heads", s.nHead, 1, 4096);
    intOpt("kv-heads", s.nHeadKv, 1, 4096);
    intOpt("ffn", s.nFf, 1, 1 << 22);
    intOpt("ctx", s.nCtx, 2, big);
    intOpt("vocab", s.vocabSize, 260, big);
    intOpt("steps", s.steps, 0, INT32_MAX);
    intOpt("batch", s.batch, 1, 1 << 16);
    intOpt("seed", s.seed, 0, INT32_MAX);
    intOpt("eval-every", s.evalEvery, 0, INT32_MAX);
    intOpt("eval-batches", s.evalBatches, 0, 1 << 20);
    intOpt("checkpoint-every", s.checkpointEvery, 0, INT32_MAX);
    s.lr = p.doubleValue(QStringLiteral("lr"), s.lr, 1e-9, 1.0);
    s.minLr = p.doubleValue(QStringLiteral("min-lr"), has("lr") && !resume ? s.lr / 10 : s.minLr, 0.0, s.lr);
    const int64_t warmupCap = std::max<int64_t>(1, s.steps / 10);
    s.warmup = p.intValue(QStringLiteral("warmup"), int(resume ? s.warmup : std::min(s.warmup, warmupCap)), 0, INT32_MAX);
    s.weightDecay = p.doubleValue(QStringLiteral("weight-decay"), s.weightDecay, 0.0, 0.999);
    s.gradClip = p.doubleValue(QStringLiteral("grad-clip"), s.gradClip, 0.0, 1e6);
    s.valFraction = p.doubleValue(QStringLiteral("val-fraction"), s.valFraction, 0.0, 0.5);
    const int threads = p.intValue(QStringLiteral("threads"), 0, 1, 1024);
    s.memoryLimit = p.memoryLimit();

    ThreadLimit limit(threads);
    CancelToken cancel;
    SignalGuard guard(cancel);
    const uint64_t residentBefore = residentBeforeJob();
    const bool json = p.json();
    const bool tty = ::isatty(STDERR_FILENO);
    int64_t firstStep = -1;  // the step this run started after (resume: the checkpoint's)
    auto r = train(s, [&](const TrainStep& st) {
        if (firstStep < 0) firstStep = st.step - 1;
        const double perStep = st.elapsedSeconds / double(std::max<int64_t>(1, st.step - firstStep));
        const QString line = QStringLiteral("step %1/%2  loss %3  val %4  lr %5  %6 tok/s  elapsed %7  ETA %8")
                                 .arg(st.step).arg(st.steps)
                                 .arg(st.trainLoss, 0, 'f', 4)
                                 .arg(lossText(st.valLoss))
                                 .arg(st.lr, 0, 'e', 2)
                                 .arg(st.tokensPerSecond, 0, 'f', 0)
                                 .arg(duration(st.elapsedSeconds))
                                 .arg(duration(perStep * double(st.steps - st.step)));
        printProgress(line);
        // Evaluations and checkpoints stay in the log (and are all a pipe sees).
        if (st.valLoss || st.checkpointed || (!tty && st.step == 1)) {
            endProgress();
            std::fprintf(stderr, "%s%s\n", qPrintable(line), st.checkpointed ? "  [checkpoint]" : "");
            std::fflush(stderr);
        }
    }, cancel);
    endProgress();
    if (!r.ok())
        failError(r.error());
    if (r->cancelled)
        std::fprintf(stderr, "precis-cli train: stopped at step %lld of %lld; checkpoint written to %s "
                             "(continue with --resume)\n",
                     static_cast<long long>(r->steps), static_cast<long long>(s.steps), r->outDir.c_str());

    if (json) {
        QJsonObject o{{"steps", qint64(r->steps)},
                      {"start_step", qint64(r->startStep)},
                      {"planned_steps", qint64(s.steps)},
                      {"cancelled", r->cancelled},
                      {"seconds", r->elapsedSeconds},
                      {"tokens_per_second", r->tokensPerSecond},
                      {"parameters", qint64(r->parameters)},
                      {"vocab_size", r->vocabSize},
                      {"train_tokens", qint64(r->trainTokens)},
                      {"val_tokens", qint64(r->valTokens)},
                      {"config", configJson(r->config)},
                      {"out", QString::fromStdString(r->outDir)},
                      {"gguf", QString::fromStdString(r->ggufPath)}};
        if (!r->cancelled) {
            o.insert(QStringLiteral("final_train_loss"), r->finalTrainLoss);
            if (r->finalValLoss) o.insert(QStringLiteral("final_val_loss"), *r->finalValLoss);
        }
        addMemoryJson(o, r->memory, s.memoryLimit, residentBefore);
        printJson(o);
        return ExitOk;
    }
    printLine(QStringLiteral("trained %1 steps (%2 parameters, vocabulary %3) in %4, %5 tok/s")
                  .arg(r->steps - r->startStep).arg(r->parameters).arg(r->vocabSize)
                  .arg(duration(r->elapsedSeconds)).arg(r->tokensPerSecond, 0, 'f', 0));
    if (!r->cancelled)
        printLine(QStringLiteral("final loss: train %1, validation %2 (nats/token)")
                      .arg(r->finalTrainLoss, 0, 'f', 4).arg(lossText(r->finalValLoss)));
    printLine(QStringLiteral("model: %1").arg(QString::fromStdString(r->ggufPath)));
    printPeakMemory(r->memory, residentBefore);
    return ExitOk;
}

int cmdSelfgen(const QStringList& args)
{
    CommandParser p(QStringLiteral("selfgen"),
                    QStringLiteral("Write text the model generates itself from BOS (seeded sampling), e.g. as a "
                                   "calibration or evaluation set when no data may be shipped. Beyond the context, "
                                   "generation continues from BOS + the last half context of text."));
    p.addPositional(QStringLiteral("MODEL"), QStringLiteral("A .gguf file, a Hugging Face folder, or a llama2.c .bin."));
    p.addOption({QStringLiteral("out"), QStringLiteral("Output text file."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("tokens"), QStringLiteral("Tokens to generate (default 2000)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("Sampling seed (default 1)."), QStringLiteral("S")});
    p.addOption({QStringLiteral("temp"), QStringLiteral("Temperature (default 0.8)."), QStringLiteral("T")});
    p.addOption({QStringLiteral("top-p"), QStringLiteral("Nucleus sampling threshold (default 0.95)."), QStringLiteral("P")});
    p.addOption(threadsOption());
    p.parse(args, 1, 1);
    if (!p.isSet(QStringLiteral("out")))
        failUsage(QStringLiteral("selfgen: --out FILE is required"));
    const int total = p.intValue(QStringLiteral("tokens"), 2000, 1, 1 << 24);
    const auto seed = uint64_t(p.intValue(QStringLiteral("seed"), 1, 0, INT32_MAX));
    const float temp = float(p.doubleValue(QStringLiteral("temp"), 0.8, 0.0, 100.0));
    const float topP = float(p.doubleValue(QStringLiteral("top-p"), 0.95, 1e-6, 1.0));
    ThreadLimit limit(p.intValue(QStringLiteral("threads"), 0, 1, 1024));

    const auto model = loadModelOrExit(p.positional().at(0));
    const auto tok = tokenizerOrExit(*model);
    if (tok->bos() < 0)
        failInput(QStringLiteral("selfgen: the vocabulary has no BOS token to start from"));
    auto engine = Engine::create(model);
    if (!engine.ok()) failError(engine.error());
    SelfGenOptions o;
    o.tokens = total;
    o.seed = seed;
    o.temperature = temp;
    o.topP = topP;
    Progress progress([](double, const std::string& stage) { printProgress(QString::fromStdString(stage)); });
    CancelToken cancel;
    auto generated = selfGenerate(**engine, tok->bos(), o, &progress, &cancel);
    if (!generated.ok()) failError(generated.error());
    const std::vector<int32_t>& text = *generated;
    endProgress();
    const std::string decoded = tok->decode(text);
    const std::string path = p.value(QStringLiteral("out")).toStdString();
    auto w = writeFileAtomic(path, decoded.data(), decoded.size());
    if (!w.ok()) failError(w.error());
    if (p.json()) {
        printJson(QJsonObject{{"out", QString::fromStdString(path)},
                              {"tokens", qint64(text.size())},
                              {"bytes", qint64(decoded.size())},
                              {"seed", qint64(seed)},
                              {"temperature", double(temp)},
                              {"top_p", double(topP)}});
        return ExitOk;
    }
    printLine(QStringLiteral("wrote %1 tokens (%2) to %3").arg(text.size()).arg(humanBytes(decoded.size()),
                                                                              QString::fromStdString(path)));
    return ExitOk;
}

} // namespace precis::cli
