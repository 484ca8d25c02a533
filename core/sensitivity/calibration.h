// A calibration run (DESIGN.md §5): the calibration sequences go through the
// model forward and backward in batches; per linear layer the run accumulates
// its input Gram matrix H = Σ x xᵀ (diagonal only above a size limit), mean |x|
// per input channel, mean squared output gradient per output channel, and per
// weight the sum and sum of squares of its gradient over batches; per head the
// gate gradient. From these it derives every metric of report.h, then measures
// head ablation and single-unit quantization damage as ground truth, and rates
// the proxies against it. Partial reports are delivered after every batch.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "sensitivity/calibration_data.h"
#include "sensitivity/report.h"
#include "train/parameters.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace precis::sensitivity {

struct CalibrationSettings {
    int batchSequences = 2;       // sequences per forward+backward batch
    int fullGramLimit = 4096;     // keep full H for layers with at most this many inputs, else its diagonal
    // Options whose predicted damage (ow_err, fisher) is computed for every
    // tensor and head; empty = every standard scheme plus RTN 2..8 bits × g 32/64/128.
    std::vector<std::string> options;
    // Options at which units are measured (quantize one unit alone, run the
    // measurement sequences); the first one feasible for a tensor is also the
    // reference option of its Fisher chunk map.
    std::vector<std::string> probeOptions = {"Q4_K", "Q4_0"};
    bool headAblation = true;
    bool measure = true;          // measured Δloss / KL per tensor and head at the probe options
    int measureSequences = 8;     // the first M calibration sequences are used for measurements
};

// Accumulated statistics of one linear weight (or of the output head).
struct LinearStats {
    std::string tensor;
    int64_t rows = 0, cols = 0;           // weight shape (out, in)
    bool fullGram = false;
    std::vector<double> gram;             // (cols, cols) when fullGram, else (cols) diagonal; Σ over tokens
    std::vector<double> absInput;         // (cols) Σ |x| over tokens
    std::vector<double> outGradSq;        // (rows) Σ over tokens of (per-token ∂ℓ/∂y)², per token b·∂L_batch/∂y
};

struct CalibrationStats {
    int64_t tokens = 0;                   // predictions seen
    int batches = 0;
    int tokensPerBatch = 0;               // tokens of the last batch (the others may have more)
    double lossSum = 0;                   // Σ over batches of the batch mean loss
    std::map<std::string, LinearStats> linear;              // by weight name
    std::map<std::string, std::vector<float>> gradSum;      // by tensor: Σ over batches of ∂L/∂w
    std::map<std::string, std::vector<float>> gradSqSum;    // by tensor: Σ over batches of b·(∂L/∂w)², b = the batch's tokens
    std::vector<double> gateAbsSum;       // (nLayer, nHead) Σ over batches of |∂L/∂ξ|
};

using PartialReport = std::function<void(const SensitivityReport&)>;

// The whole run. `onPartial` (optional) is called from the calling thread after
// each batch and after each later stage with the report so far. Errors: bad
// settings (named), unknown option names, engine errors, cancellation.
struct CalibrationOutput {
    SensitivityReport report;
    CalibrationStats stats;
};
Result<CalibrationOutput> runCalibration(const Parameters& params, const CalibrationSet& set,
                                         const CalibrationSettings& settings, Progress* progress = nullptr,
                                         const CancelToken* cancel = nullptr, const PartialReport& onPartial = {});

// Stage 1 alone: the statistics of a forward+backward pass over the set (what
// GPTQ and AWQ need: full Gram matrices up to `fullGramLimit` inputs).
Result<CalibrationStats> collectStatistics(const Parameters& params, const CalibrationSet& set, int batchSequences,
                                           int fullGramLimit, Progress* progress = nullptr,
                                           const CancelToken* cancel = nullptr);

// The tensors whose sensitivity is analysed: every 2-D weight of a linear layer
// (attention, feed-forward, the output head), in model order.
std::vector<std::string> analysedTensors(const Parameters& params);

// "q" "k" "v" "o" "gate" "up" "down" "qkv" "output" "embd" for a GGUF tensor name;
// its layer (-1 outside blocks).
std::string tensorKind(const std::string& tensor);
int tensorLayer(const std::string& tensor);

} // namespace precis::sensitivity
