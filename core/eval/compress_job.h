// One compression as a user asks for it (DESIGN.md §7–§8), for the studio's
// Compress tab and precis-cli compress alike: compress the model by a plan with
// a method (compress_methods.h), optionally measure it against the original on
// an evaluation text (compare.h) and each compressed tensor alone beside its
// predicted damage (unit_damage.h), and fill in the session record
// (session/session_compressions.h) of what was done and measured.
#pragma once

#include "allocation/option_table.h"
#include "common/progress.h"
#include "common/result.h"
#include "engine/engine.h"
#include "model/model.h"
#include "session/session_compressions.h"
#include "tokenizer/tokenizer.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace precis {

// The original model's engine, created on first use by whichever thread asks
// (it may be shared with other jobs).
using EngineSource = std::function<Result<std::shared_ptr<const Engine>>()>;

struct CompressJob {
    // What the record says about the plan: name, plan source, scheme /
    // allocation / budget, method and its settings, the plan, the prediction
    // and its factor. calibration: the text (or self-generated sequences) GPTQ
    // and AWQ need and plain rounding may use; none for plain rounding without.
    CompressionEntry entry;
    // Plain rounding weighted by a stored run's column importance (entry.calibration
    // ->importanceRun names the run); ignored when entry.calibration has sequences.
    std::map<std::string, std::vector<float>> importance;
    // Measurement: chunks of ctx tokens (capped at the model's context) of the
    // text, at most maxChunks (0: all). Empty text: not measured.
    std::string evalText;
    int ctx = 256;
    int maxChunks = 0;
    // Each changed tensor measured alone on unitOptions' windows of the
    // evaluation text (the length capped at the chunk length), beside the
    // table's damage for the scheme the plan gives it (none without a table).
    bool measureUnits = false;
    UnitDamageOptions unitOptions;
    std::shared_ptr<const OptionTable> optionTable;
    // The measurement's engines (the compressed model's; the caller's EngineSource
    // should make the original's alike): fitCompressJobMemory may stream their weights.
    EngineOptions engine;
};

struct CompressJobResult {
    std::shared_ptr<Model> model;          // the compressed model
    std::shared_ptr<const Engine> engine;  // its engine (when measured; kept for generation)
    CompressionEntry entry;                // the job's entry with sizes, measurements and times
};

// The job's memory at its peak — the compression (estimateCompressionMemory),
// then the measurement with both models (estimateEvaluationMemory) — fitted to
// `limit` with what changes no result (Gram matrices spilled, fewer GPTQ
// tensors at once, the measurement's weights streamed; set in job), or an
// error naming the estimate and what would make it fit. The per-tensor
// measurement is not included. threads: 0 = oneTBB's current count.
Result<MemoryEstimate> fitCompressJobMemory(const Model& original, CompressJob& job, uint64_t limit, int threads = 0);

// Reads the evaluation text and the calibration text first, so a missing file
// fails before any work; compresses (progress 0.05–0.65); when measuring, builds
// the compressed model's engine and compares (0.7–1, or 0.7–0.8 followed by the
// per-tensor measurement). tokenizer: needed for texts (measurement,
// calibration); may be null otherwise. Errors are the core's (they name the
// file, tensor or setting); Cancelled when `cancel` fires.
Result<CompressJobResult> runCompressJob(const Model& original, const Tokenizer* tokenizer,
                                         const EngineSource& originalEngine, const CompressJob& job,
                                         Progress& progress, const CancelToken& cancel);

// The entry's plan from an allocation (unit -> scheme, units at the budget's
// granularity: planFromAssignment), with its budget and prediction; the
// prediction's closed-loop factor is the budget's. saved: the session's saved
// allocation it is (its id and name go into the record), or null for one
// solved on the spot. Errors: planFromAssignment's.
Result<void> planAllocation(CompressionEntry& entry, const Model& model, const BudgetSpec& budget,
                            const Assignment& assignment, double predictedPercent,
                            const SavedAllocation* saved = nullptr);
// The same for a saved allocation.
Result<void> planAllocation(CompressionEntry& entry, const Model& model, const SavedAllocation& saved);

// Plain rounding in a session without calibration text: the column importance
// (mean x² per input channel) of the session's latest finished calibration run
// weights the scale searches, as llama.cpp's imatrix does. Sets job.importance
// and entry.calibration->importanceRun when the run has any for the plan's
// tensors; leaves the job as it is for other methods, a job with calibration
// text, or a session without a finished run.
Result<void> useSessionImportance(SessionStore& store, int64_t sessionId, CompressJob& job);

// A record's default name from its plan and method: "Q4_K rtn" (uniform),
// "best gptq" (the saved allocation "best"), "budget +1 % ppl gptq" (an unsaved
// allocation), "recipe awq".
std::string defaultCompressionName(const CompressionEntry& entry);

} // namespace precis
