// A calibration run (DESIGN.md §5): the calibration sequences go through the
// model forward and backward in batches; per linear layer the run accumulates
// its input Gram matrix H = Σ x xᵀ (diagonal only above a size limit), mean |x|
// per input channel, mean squared output gradient per output channel, and per
// 8×8 chunk of each weight the sum of squares of its gradient over batches; per
// head the gate gradient. The weight gradients are reduced block by block as the
// backward pass produces them (no gradient of the whole model is held). From these it derives every metric of report.h, then measures
// head ablation and single-unit quantization damage as ground truth, and rates
// the proxies against it. Partial reports are delivered after every batch.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "common/scratch_array.h"
#include "sensitivity/calibration_data.h"
#include "sensitivity/report.h"
#include "train/parameters.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace precis::sensitivity {

struct CalibrationSettings {
    int batchSequences = 2;       // sequences per forward+backward batch
    int fullGramLimit = 4096;     // keep full H for layers with at most this many inputs, else its diagonal
    // Predicted damage (ow_err) on a full Gram matrix wider than 4 × this many
    // inputs uses its Nyström sketch with this many columns plus its exact diagonal
    // (gram_forms.h; 2·K·m instead of 2·K² flops per weight row and option);
    // 0: always exact.
    int damageSketch = 256;
    // Predicted damage (ow_err, fisher) of each option from at most this many rows
    // of each tensor, spread evenly (over each head's rows in q/k/v), each standing
    // for the rows around it; every block format and RTN layout quantizes rows
    // independently, so a sampled row's error is exact. 0: every row.
    int damageRows = 1024;
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
    // At most this many tensors and this many heads are measured (per probe option,
    // and for ablation), spread evenly over the model; 0: all. Each is a forward
    // pass over the M sequences, which on a 1B model makes thousands of passes.
    int measureUnits = 64;
    // Keep the original's residual stream at every layer over the measurement
    // sequences ((nLayer + 1)·M·T·C floats), so a unit of layer l is measured from
    // layer l on: the same results, faster (see fitCalibrationMemory).
    bool residualCache = true;
    // Keep the Gram matrices in a scratch file in `scratchDir` (empty: the system's
    // temporary folder) instead of memory: the same results, each matrix resident
    // only while it is updated or read (see fitCalibrationMemory).
    bool spillGrams = false;
    std::string scratchDir;
};

// Accumulated statistics of one linear weight (or of the output head).
struct LinearStats {
    std::string tensor;
    int64_t rows = 0, cols = 0;           // weight shape (out, in)
    bool fullGram = false;
    // (cols, cols) when fullGram, else (cols) diagonal; Σ over tokens. Layers that read
    // the same input (q, k, v; gate, up) share one.
    std::shared_ptr<ScratchArray> gram;
    std::vector<double> absInput;         // (cols) Σ |x| over tokens
    std::vector<double> outGradSq;        // (rows) Σ over tokens of (per-token ∂ℓ/∂y)², per token b·∂L_batch/∂y
};

// A per-weight statistic of one weight summed over each of its 8×8 chunks (the
// chunks of the last chunk row and column are smaller when rows or cols are not
// multiples of 8): 1/64 of the weight's size, reduced as the gradients come.
struct ChunkSums {
    static constexpr int kChunk = 8;
    int64_t rows = 0, cols = 0;           // the weight's shape
    int chunkRows = 0, chunkCols = 0;     // ⌈rows/8⌉, ⌈cols/8⌉
    std::vector<float> sums;              // (chunkRows, chunkCols) row-major

    ChunkSums() = default;
    ChunkSums(int64_t rows, int64_t cols);
    // How many weights chunk (cr, cc) holds.
    int64_t count(int cr, int cc) const;
    // The chunk mean at weight (r, c): its chunk's sum over its weight count.
    double mean(int64_t r, int64_t c) const;
    // Adds Σ_{i∈chunk} scale·v_i² for a (rows, cols) row-major array v.
    void addSquares(const float* v, double scale);
};

struct CalibrationStats {
    int64_t tokens = 0;                   // predictions seen
    int batches = 0;
    double lossSum = 0;                   // Σ over batches of the batch mean loss
    std::map<std::string, LinearStats> linear;  // by weight name
    // By analysed tensor: Σ over batches of b·(∂L/∂w)² (b = the batch's tokens), per
    // 8×8 chunk. Every gradient metric takes a weight's Fisher diagonal as its
    // chunk's mean (DESIGN.md §5: per-weight statistics are kept per chunk).
    std::map<std::string, ChunkSums> gradSq;
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
// Of `settings` it uses the batch, the Gram limit and where the Gram matrices are kept.
Result<CalibrationStats> collectStatistics(const Parameters& params, const CalibrationSet& set,
                                           const CalibrationSettings& settings, Progress* progress = nullptr,
                                           const CancelToken* cancel = nullptr);
Result<CalibrationStats> collectStatistics(const Parameters& params, const CalibrationSet& set, int batchSequences,
                                           int fullGramLimit, Progress* progress = nullptr,
                                           const CancelToken* cancel = nullptr);

// The tensors whose sensitivity is analysed: every 2-D weight of a linear layer
// (attention, feed-forward, the output head), in model order.
std::vector<std::string> analysedTensors(const Parameters& params);
bool isAnalysedTensor(const std::string& name, const std::vector<int64_t>& shape);

// "q" "k" "v" "o" "gate" "up" "down" "qkv" "output" "embd" for a GGUF tensor name;
// its layer (-1 outside blocks).
std::string tensorKind(const std::string& tensor);
int tensorLayer(const std::string& tensor);

} // namespace precis::sensitivity
