#include "train/trainer.h"

#include "common/mapped_file.h"
#include "engine/backward.h"
#include "engine/engine.h"
#include "formats/gguf.h"
#include "formats/model_loader.h"
#include "train/adamw.h"
#include "train/data_loader.h"
#include "train/trainer_checkpoint.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>

namespace precis {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int64_t kMaxParameters = int64_t(1) << 30;  // 4 GiB of fp32 per copy; the trainer keeps four

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

Error invalid(const std::string& setting, const std::string& message)
{
    return makeError(ErrorCode::InvalidArgument, "training setting '" + setting + "'", message);
}

Result<void> validate(const TrainSettings& s)
{
    if (s.textPath.empty()) return invalid("text", "is empty, expected the training text file");
    if (s.outDir.empty()) return invalid("out", "is empty, expected an output folder");
    const std::pair<const char*, int64_t> positive[] = {{"layers", s.nLayer}, {"embd", s.nEmbd}, {"heads", s.nHead},
                                                        {"ctx", s.nCtx}, {"batch", s.batch}};
    for (const auto& [name, v] : positive)
        if (v < 1 || v > (1 << 20)) return invalid(name, "is " + std::to_string(v) + ", expected 1..1048576");
    if (s.nHeadKv < 0 || s.nFf < 0 || s.nFf > (1 << 22)) return invalid("kv-heads/ffn", "must not be negative or huge");
    if (s.steps < 0) return invalid("steps", "is " + std::to_string(s.steps) + ", expected >= 0");
    if (!(s.lr > 0.0 && s.lr < 10.0)) return invalid("lr", "is " + std::to_string(s.lr) + ", expected in (0, 10)");
    if (!(s.minLr >= 0.0 && s.minLr <= s.lr))
        return invalid("min-lr", "is " + std::to_string(s.minLr) + ", expected in [0, lr]");
    if (s.warmup < 0) return invalid("warmup", "is negative");
    if (!(s.weightDecay >= 0.0 && s.weightDecay < 1.0)) return invalid("weight-decay", "expected in [0, 1)");
    if (!(s.gradClip >= 0.0)) return invalid("grad-clip", "expected >= 0 (0: off)");
    if (s.evalEvery < 0 || s.checkpointEvery < 0 || s.evalBatches < 0)
        return invalid("eval/checkpoint", "intervals and batch counts must not be negative");
    return {};
}

struct Session {
    TrainSettings settings;
    TokenizerSpec spec;
    Parameters params;
    std::optional<DataLoader> loader;
    std::optional<AdamW> adam;
    int64_t step = 0;
};

// Mean loss over `count` batches produced by `batchAt`.
template <typename F>
Result<double> meanLoss(const Session& s, int64_t count, F&& batchAt, const CancelToken& cancel)
{
    double sum = 0.0;
    for (int64_t i = 0; i < count; ++i) {
        const std::vector<int32_t> batch = batchAt(i);
        PRECIS_TRY_ASSIGN(const double loss, lossOnly(s.params, batch, s.settings.batch, s.settings.nCtx, &cancel));
        sum += loss;
    }
    return count > 0 ? sum / double(count) : 0.0;
}

int64_t evalCount(const Session& s)
{
    const int64_t all = s.loader->valBatchesForAll();
    return s.settings.evalBatches == 0 ? all : std::min<int64_t>(s.settings.evalBatches, std::max<int64_t>(all, 1));
}

Result<std::optional<double>> validationLoss(const Session& s, const CancelToken& cancel)
{
    if (s.loader->valWindows() == 0) return std::optional<double>();
    PRECIS_TRY_ASSIGN(const double loss, meanLoss(s, evalCount(s), [&](int64_t i) { return s.loader->valBatch(i); }, cancel));
    return std::optional<double>(loss);
}

// Fixed training batches (those of steps −1, −2, ...: never drawn by training).
Result<double> trainEvalLoss(const Session& s, const CancelToken& cancel)
{
    const int64_t n = s.settings.evalBatches == 0 ? 8 : s.settings.evalBatches;
    return meanLoss(s, n, [&](int64_t i) { return s.loader->trainBatch(-1 - i); }, cancel);
}

Result<void> writeCheckpoint(const Session& s)
{
    const std::string& dir = s.settings.outDir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return makeError(ErrorCode::Io, dir, "cannot create the output folder: " + ec.message());
    PRECIS_TRY(writeHfCheckpoint(s.params, s.spec, dir));
    auto model = modelFromParameters(s.params, s.spec);
    model->metadata.emplace_back("general.name", "precis micro " + s.params.config.archName);
    PRECIS_TRY(gguf::writeModel(*model, dir + "/model.gguf"));

    TrainerState state;
    state.settingsJson = trainSettingsToJson(s.settings);
    state.step = s.step;
    state.adamStep = s.adam->stepCount();
    state.tokenCount = int64_t(s.loader->tokens().size());
    state.tokenFingerprint = s.loader->fingerprint();
    state.paramFingerprint = parameterFingerprint(s.params);
    for (size_t i = 0; i < s.params.tensors.size(); ++i)
        state.tensors.push_back({s.params.tensors[i].name, s.params.tensors[i].shape, s.adam->firstMoments()[i],
                                 s.adam->secondMoments()[i]});
    const std::vector<std::byte> bytes = serializeTrainerState(state);
    return writeFileAtomic(dir + "/trainer_state.bin", bytes.data(), bytes.size());
}

DataLoaderSettings loaderSettings(const TrainSettings& s, int32_t bos)
{
    DataLoaderSettings d;
    d.T = s.nCtx;
    d.B = s.batch;
    d.valFraction = s.valFraction;
    d.seed = s.seed;
    d.bos = bos;
    return d;
}

// Refuses a run that would not fit the settings' memory limit.
Result<void> checkTrainingMemory(const TrainSettings& settings, const ModelConfig& config)
{
    return checkMemory(estimateTrainingMemory(config, settings.batch, settings.nCtx),
                       settings.memoryLimit ? settings.memoryLimit : defaultMemoryLimit(),
                       "a smaller batch (--batch) or a smaller model");
}

Result<Session> freshSession(const TrainSettings& settings, const std::string& text, const CancelToken& cancel)
{
    Session s;
    s.settings = settings;
    TokenizerTrainingSettings ts;
    ts.kind = settings.tokenizer;
    ts.vocabSize = settings.vocabSize;
    auto trained = trainTokenizer(text, ts, &cancel);
    if (!trained.ok()) {
        Error e = trained.error();
        e.where = settings.textPath + ": " + e.where;
        return e;
    }
    s.spec = std::move(trained->spec);
    PRECIS_TRY_ASSIGN(const ModelConfig config, trainModelConfig(settings, int(s.spec.tokens.size())));
    PRECIS_TRY(checkTrainingMemory(settings, config));
    PRECIS_TRY_ASSIGN(const auto tok, Tokenizer::create(s.spec));
    PRECIS_TRY_ASSIGN(DataLoader loader, DataLoader::create(tok->encode(text, false), loaderSettings(settings, s.spec.bos),
                                                            settings.textPath));
    s.loader = std::move(loader);
    s.params = initParameters(config, settings.seed);
    s.adam.emplace(s.params, AdamWSettings{0.9f, 0.95f, 1e-8f, float(settings.weightDecay)});
    return s;
}

Error mismatch(const std::string& where, const std::string& what)
{
    return makeError(ErrorCode::InvalidArgument, where, what + "; train into a new folder, or resume with the checkpoint's settings");
}

Result<Session> resumedSession(const TrainSettings& settings, const std::string& text)
{
    const std::string& dir = settings.outDir;
    const std::string statePath = dir + "/trainer_state.bin";
    PRECIS_TRY_ASSIGN(const TrainerState state, readTrainerState(statePath));
    PRECIS_TRY_ASSIGN(const TrainSettings saved, trainSettingsFromJson(state.settingsJson, statePath));
    const std::pair<const char*, bool> same[] = {
        {"arch", saved.arch == settings.arch},         {"layers", saved.nLayer == settings.nLayer},
        {"embd", saved.nEmbd == settings.nEmbd},       {"heads", saved.nHead == settings.nHead},
        {"kv-heads", saved.nHeadKv == settings.nHeadKv}, {"ffn", saved.nFf == settings.nFf},
        {"ctx", saved.nCtx == settings.nCtx},          {"tokenizer", saved.tokenizer == settings.tokenizer},
        {"vocab", saved.tokenizer == TokenizerTrainingKind::Char || saved.vocabSize == settings.vocabSize},
        {"batch", saved.batch == settings.batch},      {"seed", saved.seed == settings.seed},
        {"val-fraction", saved.valFraction == settings.valFraction}};
    for (const auto& [name, equal] : same)
        if (!equal) return mismatch(statePath, std::string("setting '") + name + "' differs from the checkpoint's");

    Session s;
    s.settings = settings;
    PRECIS_TRY_ASSIGN(const auto gguf, gguf::loadModel(dir + "/model.gguf"));
    s.spec = gguf->tokenizer;
    PRECIS_TRY_ASSIGN(const ModelConfig expected, trainModelConfig(settings, int(s.spec.tokens.size())));
    PRECIS_TRY(checkTrainingMemory(settings, expected));
    PRECIS_TRY_ASSIGN(const auto folder, loadModel(dir));
    PRECIS_TRY_ASSIGN(s.params, parametersFromModel(*folder));
    s.params.config = expected;  // the folder's config says the same; keep the trainer's names and layout
    if (parameterFingerprint(s.params) != state.paramFingerprint)
        return mismatch(dir + "/model.safetensors", "the parameters differ from those trainer_state.bin was saved with");
    if (state.tensors.size() != s.params.tensors.size())
        return mismatch(statePath, "it holds moments for " + std::to_string(state.tensors.size()) + " tensors, the model has " +
                                       std::to_string(s.params.tensors.size()));
    PRECIS_TRY_ASSIGN(const auto tok, Tokenizer::create(s.spec));
    PRECIS_TRY_ASSIGN(DataLoader loader, DataLoader::create(tok->encode(text, false), loaderSettings(settings, s.spec.bos),
                                                            settings.textPath));
    if (int64_t(loader.tokens().size()) != state.tokenCount || loader.fingerprint() != state.tokenFingerprint)
        return mismatch(settings.textPath, "the text is not the one the checkpoint was trained on (" +
                                               std::to_string(loader.tokens().size()) + " tokens, the checkpoint saw " +
                                               std::to_string(state.tokenCount) + ")");
    s.loader = std::move(loader);
    s.adam.emplace(s.params, AdamWSettings{0.9f, 0.95f, 1e-8f, float(settings.weightDecay)});
    for (size_t i = 0; i < state.tensors.size(); ++i) {
        const TrainerState::Moments& m = state.tensors[i];
        const ParameterTensor& p = s.params.tensors[i];
        if (m.name != p.name || m.shape != p.shape)
            return mismatch(statePath, "moment tensor " + std::to_string(i) + " '" + m.name +
                                           "' does not match the model's '" + p.name + "'");
        s.adam->firstMoments()[i] = m.m;
        s.adam->secondMoments()[i] = m.v;
    }
    s.adam->setStepCount(state.adamStep);
    s.step = state.step;
    return s;
}

const char* archText(Arch a) { return a == Arch::Gpt2 ? "gpt2" : "llama"; }
const char* tokText(TokenizerTrainingKind k) { return k == TokenizerTrainingKind::Bpe ? "bpe" : "char"; }

} // namespace

Result<ModelConfig> trainModelConfig(const TrainSettings& s, int nVocab)
{
    PRECIS_TRY(validate(s));
    ModelConfig c;
    c.arch = s.arch;
    c.archName = archText(s.arch);
    c.nLayer = s.nLayer;
    c.nEmbd = s.nEmbd;
    c.nHead = s.nHead;
    c.nHeadKv = s.nHeadKv > 0 ? s.nHeadKv : s.nHead;
    c.nFf = s.nFf > 0 ? s.nFf : (s.arch == Arch::Gpt2 ? 4 : 3) * s.nEmbd;
    c.nVocab = nVocab;
    c.nCtx = s.nCtx;
    c.normEps = 1e-5f;
    c.ropeTheta = 10000.0f;
    c.ropeLayout = RopeLayout::RotateHalf;  // HF Llama layout: the safetensors need no permutation
    c.tiedOutput = s.arch == Arch::Gpt2;    // as GPT-2; Llama keeps a separate output matrix
    if (c.nEmbd % c.nHead != 0)
        return invalid("heads", std::to_string(c.nHead) + " heads do not divide embd " + std::to_string(c.nEmbd));
    if (c.arch == Arch::Llama && c.headDim() % 2 != 0)
        return invalid("heads", "head size " + std::to_string(c.headDim()) + " is odd; RoPE needs an even head size");
    if (c.arch == Arch::Gpt2 && s.nHeadKv > 0 && s.nHeadKv != s.nHead)
        return invalid("kv-heads", "GPT-2 has no grouped-query attention; leave kv-heads at the head count");
    if (c.nHead % c.nHeadKv != 0)
        return invalid("kv-heads", std::to_string(c.nHeadKv) + " does not divide the head count " + std::to_string(c.nHead));
    if (expectedParameterCount(c) > kMaxParameters)
        return invalid("layers/embd/ffn", "the model would have more than " + std::to_string(kMaxParameters) +
                                              " parameters, too many for the CPU trainer");
    return c;
}

std::string trainSettingsToJson(const TrainSettings& s)
{
    nlohmann::ordered_json j;
    j["text"] = s.textPath;
    j["out"] = s.outDir;
    j["arch"] = archText(s.arch);
    j["layers"] = s.nLayer;
    j["embd"] = s.nEmbd;
    j["heads"] = s.nHead;
    j["kv_heads"] = s.nHeadKv;
    j["ffn"] = s.nFf;
    j["ctx"] = s.nCtx;
    j["tokenizer"] = tokText(s.tokenizer);
    j["vocab"] = s.vocabSize;
    j["steps"] = s.steps;
    j["batch"] = s.batch;
    j["lr"] = s.lr;
    j["min_lr"] = s.minLr;
    j["warmup"] = s.warmup;
    j["weight_decay"] = s.weightDecay;
    j["grad_clip"] = s.gradClip;
    j["seed"] = s.seed;
    j["val_fraction"] = s.valFraction;
    j["eval_every"] = s.evalEvery;
    j["eval_batches"] = s.evalBatches;
    j["checkpoint_every"] = s.checkpointEvery;
    return j.dump(1);
}

Result<TrainSettings> trainSettingsFromJson(const std::string& text, const std::string& where)
{
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(ErrorCode::Format, where, "the stored settings are not a JSON object");
    TrainSettings s;
    Error error;
    bool ok = true;
    auto get = [&](const char* key, auto& out) {
        const auto it = j.find(key);
        using T = std::remove_reference_t<decltype(out)>;
        bool good = it != j.end();
        if constexpr (std::is_same_v<T, std::string>) good = good && it->is_string();
        else if constexpr (std::is_floating_point_v<T>) good = good && it->is_number();
        else good = good && it->is_number_integer();
        if (!good) {
            if (ok) error = makeError(ErrorCode::Format, where, std::string("stored setting '") + key + "' is missing or mistyped");
            ok = false;
            return;
        }
        out = it->template get<T>();
    };
    std::string arch, tok;
    get("text", s.textPath);
    get("out", s.outDir);
    get("arch", arch);
    get("layers", s.nLayer);
    get("embd", s.nEmbd);
    get("heads", s.nHead);
    get("kv_heads", s.nHeadKv);
    get("ffn", s.nFf);
    get("ctx", s.nCtx);
    get("tokenizer", tok);
    get("vocab", s.vocabSize);
    get("steps", s.steps);
    get("batch", s.batch);
    get("lr", s.lr);
    get("min_lr", s.minLr);
    get("warmup", s.warmup);
    get("weight_decay", s.weightDecay);
    get("grad_clip", s.gradClip);
    get("seed", s.seed);
    get("val_fraction", s.valFraction);
    get("eval_every", s.evalEvery);
    get("eval_batches", s.evalBatches);
    get("checkpoint_every", s.checkpointEvery);
    if (!ok) return error;
    if (arch != "llama" && arch != "gpt2")
        return makeError(ErrorCode::Format, where, "stored setting 'arch' is '" + arch + "', expected llama or gpt2");
    if (tok != "char" && tok != "bpe")
        return makeError(ErrorCode::Format, where, "stored setting 'tokenizer' is '" + tok + "', expected char or bpe");
    s.arch = arch == "gpt2" ? Arch::Gpt2 : Arch::Llama;
    s.tokenizer = tok == "bpe" ? TokenizerTrainingKind::Bpe : TokenizerTrainingKind::Char;
    return s;
}

Result<TrainSettings> readCheckpointSettings(const std::string& outDir)
{
    const std::string path = outDir + "/trainer_state.bin";
    PRECIS_TRY_ASSIGN(const TrainerState state, readTrainerState(path));
    return trainSettingsFromJson(state.settingsJson, path);
}

MemoryEstimate estimateTrainingMemory(const ModelConfig& c, int batch, int ctx, int threads)
{
    Model shapes;
    shapes.config = c;
    uint64_t parameters = 0;
    for (const auto& [name, shape] : shapes.expectedTensors()) {
        uint64_t n = 1;
        for (int64_t d : shape) n *= uint64_t(d);
        parameters += n;
    }
    MemoryEstimate e;
    e.job = "training";
    e.items.push_back({"parameters, gradients and AdamW moments (fp32)", parameters * 16});
    const uint64_t backward = passWorkspaceBytes(c, batch, ctx, true);
    const uint64_t evaluation = passWorkspaceBytes(c, batch, ctx, false) + uint64_t(batch) * ctx * uint64_t(c.nVocab) * 4;
    e.items.push_back(backward >= evaluation
                          ? MemoryItem{"activations of a step of " + std::to_string(batch) + " × " + std::to_string(ctx) +
                                           " tokens", backward}
                          : MemoryItem{"an evaluation pass with its logits", evaluation});
    e.items.push_back(workerThreadMemory(threads));
    return e;
}

Result<TrainResult> train(const TrainSettings& settings, const std::function<void(const TrainStep&)>& onStep,
                          const CancelToken& cancel)
{
    PRECIS_TRY(validate(settings));
    const auto start = Clock::now();
    PRECIS_TRY_ASSIGN(const std::string text, readTextFile(settings.textPath));
    if (text.empty())
        return makeError(ErrorCode::InvalidArgument, settings.textPath, "the text file is empty; expected text to train on");
    PRECIS_TRY_ASSIGN(Session s, settings.resume ? resumedSession(settings, text) : freshSession(settings, text, cancel));

    TrainResult result;
    result.startStep = s.step;
    result.parameters = s.params.count();
    result.vocabSize = int(s.spec.tokens.size());
    result.trainTokens = s.loader->trainTokens();
    result.valTokens = s.loader->valTokens();
    result.config = s.params.config;
    result.memory = estimateTrainingMemory(s.params.config, settings.batch, settings.nCtx);
    const LrSchedule schedule{settings.lr, settings.minLr, settings.warmup, settings.steps};
    const int B = settings.batch, T = settings.nCtx;
    double stepSeconds = 0.0;
    int64_t stepsRun = 0;
    if (!settings.resume)
        PRECIS_TRY(writeCheckpoint(s));  // the folder is loadable from the start

    while (s.step < settings.steps && !cancel.cancelled()) {
        const auto t0 = Clock::now();
        const std::vector<int32_t> batch = s.loader->trainBatch(s.step);
        auto r = lossAndGradients(s.params, batch, B, T, {}, &cancel);
        if (!r.ok()) {
            if (r.error().code == ErrorCode::Cancelled) break;
            return r.error();
        }
        if (!std::isfinite(r->loss))
            return makeError(ErrorCode::InvalidArgument, settings.outDir,
                             "training diverged at step " + std::to_string(s.step + 1) + ": the loss is " +
                                 std::to_string(r->loss) + " (expected a finite value); lower the learning rate. "
                                 "The last checkpoint is kept.");
        TrainStep info;
        info.gradNorm = clipGradNorm(r->grads, settings.gradClip);
        info.lr = schedule.at(s.step);
        s.adam->step(s.params, r->grads, info.lr);
        ++s.step;
        ++stepsRun;
        stepSeconds += secondsSince(t0);
        info.step = s.step;
        info.steps = settings.steps;
        info.trainLoss = r->loss;
        info.tokensPerSecond = double(stepsRun) * B * T / std::max(stepSeconds, 1e-9);

        const bool last = s.step == settings.steps;
        if (!last && settings.evalEvery > 0 && s.step % settings.evalEvery == 0) {
            auto v = validationLoss(s, cancel);
            if (!v.ok() && v.error().code != ErrorCode::Cancelled) return v.error();
            if (v.ok()) info.valLoss = *v;
        }
        if (!last && settings.checkpointEvery > 0 && s.step % settings.checkpointEvery == 0 && !cancel.cancelled()) {
            PRECIS_TRY(writeCheckpoint(s));
            info.checkpointed = true;
        }
        info.elapsedSeconds = secondsSince(start);
        if (onStep) onStep(info);
    }

    result.steps = s.step;
    result.cancelled = s.step < settings.steps;
    if (!result.cancelled) {
        // A cancellation during the final evaluation still leaves a checkpoint.
        auto trainLoss = trainEvalLoss(s, cancel);
        auto valLoss = trainLoss.ok() ? validationLoss(s, cancel) : Result<std::optional<double>>(trainLoss.error());
        if (!valLoss.ok() && valLoss.error().code != ErrorCode::Cancelled) return valLoss.error();
        if (valLoss.ok()) {
            result.finalTrainLoss = *trainLoss;
            result.finalValLoss = *valLoss;
        }
    }
    if (stepsRun > 0 || result.cancelled || !settings.resume)
        PRECIS_TRY(writeCheckpoint(s));
    result.elapsedSeconds = secondsSince(start);
    result.tokensPerSecond = stepSeconds > 0 ? double(stepsRun) * B * T / stepSeconds : 0.0;
    result.outDir = settings.outDir;
    result.ggufPath = settings.outDir + "/model.gguf";
    result.safetensorsPath = settings.outDir + "/model.safetensors";
    result.tokenizerPath = settings.outDir + "/tokenizer.json";
    result.statePath = settings.outDir + "/trainer_state.bin";
    return result;
}

} // namespace precis
