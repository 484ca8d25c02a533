// Trains a micro model from scratch on one text file (llm.c / nanoGPT style):
// tokenizer learnt from the text, GPT-2-style initialisation, AdamW with
// warm-up + cosine schedule and global-norm clipping, fixed-length random
// windows, periodic validation and checkpoints.
//
// The output folder is always a loadable model (see trainer_checkpoint.h):
// config.json + model.safetensors + tokenizer.json (+ tokenizer_config.json),
// model.gguf (F32, llama.cpp-ready) and trainer_state.bin. Llama models train
// with HF's rotate-half RoPE layout (config.ropeLayout = RotateHalf), so the
// safetensors are HF-correct as stored; the GGUF writer permutes q/k rows into
// llama.cpp's interleaved layout.
//
// Determinism: initialisation, batches and updates depend only on the settings
// (seed included), not on the thread count or on interruptions; a run resumed
// from a checkpoint reproduces the uninterrupted run bit for bit (given a
// deterministic backward pass).
#pragma once

#include "common/progress.h"
#include "common/memory.h"
#include "common/result.h"
#include "model/model.h"
#include "train/tokenizer_training.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace precis {

struct TrainSettings {
    std::string textPath;  // UTF-8 training text
    std::string outDir;    // created if missing
    Arch arch = Arch::Llama;
    int nLayer = 4;
    int nEmbd = 256;
    int nHead = 4;
    int nHeadKv = 0;       // 0: nHead (no grouped-query attention); Llama only
    int nFf = 0;           // 0: 3·nEmbd (Llama, SwiGLU) / 4·nEmbd (GPT-2)
    int nCtx = 256;        // training window T (and the model's context length)
    TokenizerTrainingKind tokenizer = TokenizerTrainingKind::Char;
    int vocabSize = 512;   // Bpe only
    int64_t steps = 2000;
    int batch = 16;        // windows per step (B); tokens per step = B·T
    double lr = 1e-3;
    double minLr = 1e-4;
    int64_t warmup = 100;
    double weightDecay = 0.1;
    double gradClip = 1.0;  // 0: no clipping
    uint64_t seed = 1;
    double valFraction = 0.1;
    int64_t evalEvery = 100;     // 0: evaluate only at the end
    int evalBatches = 8;         // 0: the whole validation split
    int64_t checkpointEvery = 500;  // 0: only at the end (and on cancellation)
    bool resume = false;         // continue from outDir/trainer_state.bin
    // A run estimated to need more (estimateTrainingMemory) is refused before
    // its first step; 0 = defaultMemoryLimit(). Not part of the checkpoint.
    uint64_t memoryLimit = 0;
};

struct TrainStep {
    int64_t step = 0;        // completed steps (1-based)
    int64_t steps = 0;       // total planned
    double trainLoss = 0;    // this step's batch loss (nats/token)
    std::optional<double> valLoss;  // when this step evaluated
    double lr = 0;
    double gradNorm = 0;     // before clipping
    double tokensPerSecond = 0;  // training tokens (B·T per step) over this run's step time
    double elapsedSeconds = 0;   // since this run (or resume) started
    bool checkpointed = false;
};

struct TrainResult {
    int64_t startStep = 0;   // 0, or the step resumed from
    int64_t steps = 0;       // completed steps (== settings.steps unless cancelled)
    bool cancelled = false;
    double finalTrainLoss = 0;             // on evalBatches fixed training batches
    std::optional<double> finalValLoss;    // on the validation batches; none without a split
    double elapsedSeconds = 0;
    double tokensPerSecond = 0;
    int64_t parameters = 0;
    int vocabSize = 0;
    int64_t trainTokens = 0, valTokens = 0;
    ModelConfig config;
    std::string outDir, ggufPath, safetensorsPath, tokenizerPath, statePath;
    MemoryEstimate memory;  // the run's estimate (estimateTrainingMemory)
};

// The model shape the settings describe, for a vocabulary of nVocab tokens.
// Errors (InvalidArgument) name the setting.
Result<ModelConfig> trainModelConfig(const TrainSettings& settings, int nVocab);

// What training holds at its peak: the parameters, their gradients and
// AdamW's two moments (fp32), and the larger of a step's backward pass over
// batch × ctx tokens and an evaluation pass with its logits; the worker threads.
MemoryEstimate estimateTrainingMemory(const ModelConfig& config, int batch, int ctx, int threads = 0);

// Runs (or resumes) training. onStep is called after every step on the calling
// thread. Cancellation is checked between steps (and inside the backward
// pass): the run stops, writes a checkpoint of the last completed step and
// returns with cancelled = true. Errors: bad settings, unreadable text, a
// checkpoint that does not match the settings on resume, write failures,
// divergence (non-finite loss; the last checkpoint is kept).
Result<TrainResult> train(const TrainSettings& settings, const std::function<void(const TrainStep&)>& onStep,
                          const CancelToken& cancel);

// The settings stored in outDir/trainer_state.bin (to resume with them).
Result<TrainSettings> readCheckpointSettings(const std::string& outDir);

// Settings <-> the JSON text stored in trainer_state.bin.
std::string trainSettingsToJson(const TrainSettings& settings);
Result<TrainSettings> trainSettingsFromJson(const std::string& text, const std::string& where);

} // namespace precis
