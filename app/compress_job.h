// The Compress tab's work on the job thread (DESIGN.md §7–§8): compress the
// open model by a plan with a method (core/eval/compress_methods.h), measure it
// against the original on an evaluation text (core/eval/compare.h), and
// generate from both models for the side-by-side view (core/eval/generate.h);
// on request, measure every compressed tensor alone (core/eval/unit_damage.h)
// beside the Budget tab's predicted damage for its option.
// The same core functions as precis-cli compress / eval; nothing is computed
// here that the core computes. Every bad setting comes back with the core's
// message (it names the file, the tensor or the setting).
//
// Also the JSON kept in the session for a result (CompressionRecord's
// settingsJson / metricsJson) and its reading back.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "eval/compare.h"
#include "eval/compress.h"
#include "eval/compress_methods.h"
#include "eval/compression_plan.h"
#include "eval/generate.h"
#include "eval/unit_damage.h"

#include <QString>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace precis {
class Engine;
class Model;
class Tokenizer;
struct CompressionRecord;
struct OptionTable;
}

namespace precis::app {

// What one Run of the Compress tab asks for.
struct CompressRequest {
    std::string name;        // shown in the results ("budget +1 % gptq", "Q4_K rtn")
    std::string planSource;  // "allocation" or "uniform"
    std::string scheme;      // the uniform scheme ("" for an allocation)
    std::string budgetJson;  // the Budget tab's budget, for an allocation ("" else)
    CompressionPlan plan;
    MethodOptions method;
    // Calibration text (GPTQ, AWQ): N sequences of T tokens at seeded offsets.
    QString calibrationPath;
    int sequences = 16;
    int length = 128;
    uint64_t seed = 1;
    // Evaluation: chunks of ctx tokens of the text (capped at the model's context), at most maxChunks (0: all).
    QString evalPath;
    int ctx = 256;
    int maxChunks = 0;
    // Per tensor: the original with only that tensor compressed, on
    // UnitDamageOptions' default windows (8 × 128 tokens, seed 1) of the
    // evaluation text, the length capped at the chunk length.
    bool measureUnits = false;
    // The Budget tab's option table (nullptr: none): each measured tensor's
    // predicted Δloss is its unit's damage for the scheme the plan gives it.
    std::shared_ptr<const OptionTable> optionTable;
    double predictionScale = 1;  // the closed loop's factor already in that table's damages
    // Predicted perplexity increase in % (NaN: no prediction).
    double predictedPercent = std::numeric_limits<double>::quiet_NaN();
    // With a database and no current session (0), the job records the model
    // (hashing it off the GUI thread) and creates a session named after it.
    QString databasePath;
    int64_t sessionId = 0;
};

// A measured compression.
struct CompressOutcome {
    std::shared_ptr<const Model> model;    // the compressed model
    std::shared_ptr<const Engine> engine;  // its engine (kept for generation)
    ComparisonResult comparison;
    ModelSize size;          // compressed (modelSize)
    ModelSize originalSize;
    int ctx = 0;             // the chunk length used
    // Per-tensor measurements (request.measureUnits), in the architecture's tensor order.
    std::vector<UnitDamageRecord> units;
    int unitLength = 0;      // tokens per window they were measured on (0: not measured)
    double unitSeconds = 0;  // their wall time
    double seconds = 0;      // compression + evaluation wall time (per-tensor measurement included)
    int64_t sessionId = 0;   // the request's, or the one the job created (0: none)
    std::string sessionError;  // why no session could be created (the result is still good)
};

using EngineSource = std::function<Result<std::shared_ptr<const Engine>>()>;

// The whole Run: read the evaluation text (and the calibration text for
// GPTQ/AWQ) first, so a missing file fails before any work; compress (progress
// 0.05–0.65); build the compressed model's engine; compare (0.7–1, or 0.7–0.8
// followed by the per-tensor measurement up to 1); then, without a session,
// create one (a failure there only sets sessionError).
// Errors are the core's; Cancelled when `cancel` fires.
Result<CompressOutcome> runCompressJob(const Model& original, const Tokenizer& tokenizer, const EngineSource& engine,
                                       const CompressRequest& request, Progress& progress, const CancelToken& cancel);

// Session JSON of a result. settings: name, plan source, scheme / budget,
// method and its settings, calibration and evaluation settings, and "recipe"
// (the plan in recipe form, so it can be exported later). metrics: every
// measured number (sizes, bits/weight, both perplexities, ratio, NLLs, KL
// mean/p99/max, top-1, tokens, chunks, ctx, predicted and measured Δppl %,
// seconds); a missing prediction is null. With per-tensor measurements also
// "units": [{"tensor", "scheme", "measured_dloss", "measured_kl",
// "predicted_dloss"}] (a missing or non-finite number is null), "unit_seconds"
// and "unit_damage_scale" (the closed loop's factor included in the predictions).
std::string compressionSettingsJson(const CompressRequest& request, const CompressOutcome& outcome);
std::string compressionMetricsJson(const CompressRequest& request, const CompressOutcome& outcome);

// A result read back from the session.
struct StoredCompression {
    std::string name;
    std::string method;
    int64_t bytes = 0;
    double bitsPerWeight = 0;
    ComparisonResult comparison;
    double predictedPercent = std::numeric_limits<double>::quiet_NaN();
    CompressionPlan plan;  // empty when the record has no recipe
    std::vector<UnitDamageRecord> units;  // empty when not measured (null numbers read as NaN)
};
// Errors (InvalidArgument) name the record id and the field that is missing or of the wrong type.
Result<StoredCompression> parseCompressionRecord(const CompressionRecord& record);

// ---- Side-by-side generation

struct GenerationRequest {
    std::string prompt;
    GenerateOptions options;  // maxNewTokens, temperature, seed, stopAtEos
};

struct GeneratedText {
    std::vector<int32_t> ids;  // new tokens
    StopReason stop = StopReason::MaxTokens;
};

struct GenerationComparison {
    std::string prompt;                // as given
    GeneratedText original, compressed;
    // Index of the first new token that differs (or that only one side has);
    // -1 when both are identical.
    int firstDifference = -1;
};

// Tokenizes the prompt (BOS when the vocabulary adds one) and generates from
// both engines with the same options and seed. Errors: an empty prompt, the
// core's (prompt beyond the context, bad options), cancellation.
Result<GenerationComparison> runGenerationJob(const Engine& original, const Engine& compressed,
                                              const Tokenizer& tokenizer, const GenerationRequest& request,
                                              Progress& progress, const CancelToken& cancel);

} // namespace precis::app
