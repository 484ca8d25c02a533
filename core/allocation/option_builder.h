// From a model and a calibration run's sensitivity report to the allocation's
// option table (DESIGN.md §6): for every unit and option, the bytes exactly as
// that option stores the unit (scales included) and the predicted damage
// (Δloss, nats/token) that the report computed by actually encoding the unit
// with that option and weighting its error by the calibration statistics.
#pragma once

#include "allocation/option_table.h"
#include "common/result.h"
#include "model/model.h"
#include "sensitivity/report.h"

#include <string>
#include <vector>

namespace precis {

enum class Granularity { Tensor, Head, Layer };
const char* granularityName(Granularity g);  // "tensor", "head", "layer"
Result<Granularity> parseGranularity(const std::string& name);

struct OptionTableSettings {
    // tensor: one choice per weight tensor (what a GGUF file can express).
    // head: attention heads are units (q rows and attn_output columns, plus k/v
    //   rows when the head has its own KV head); the rest stay tensors.
    // layer: one choice per block (all its tensors); embeddings and output head
    //   stay tensors.
    Granularity granularity = Granularity::Tensor;
    // "ow_err" (output-weighted error, default) or "fisher". Units the metric does
    // not cover (token_embd has no input statistics for ow_err) use the other.
    std::string damageMetric = "ow_err";
    // Candidate options; empty = the studio's list: F16, Q8_0, Q6_K, Q5_K, Q5_0,
    // Q4_K, Q4_0, Q3_K, Q2_K and RTN 2..8 bits × groups 32/64/128. Options the
    // report has no damage for, or that cannot encode a unit, are left out of
    // that unit.
    std::vector<std::string> options;
    // Predicted damage × this factor (the closed loop: measured / predicted).
    double damageScale = 1.0;
};

// Errors: bad settings (unknown option or metric), a unit left with no option
// (naming it), a report from another model (units that do not exist).
Result<OptionTable> buildOptionTable(const Model& model, const sensitivity::SensitivityReport& report,
                                     const OptionTableSettings& settings = {});

// The studio's default option list (names).
std::vector<std::string> defaultAllocationOptions();

class SessionStore;
class Frontier;
struct Allocation;

// The table for (run, settings) from the session's cache, else built and cached.
// The cache key covers the run, the settings and the model file's hash.
Result<OptionTable> cachedOptionTable(SessionStore& store, int64_t sessionId, int64_t runId,
                                      const std::string& modelSha256, const Model& model,
                                      const sensitivity::SensitivityReport& report,
                                      const OptionTableSettings& settings);

// Every unit at one option, for comparison with the frontier ("uniform Q4_K").
// Units that lack the option take their least damaging option (counted in
// `fallbacks`).
struct UniformPoint {
    std::string scheme;
    int64_t bytes = 0;  // incl. fixed bytes
    double damage = 0;
    double bitsPerWeight = 0;
    int fallbacks = 0;
};
std::vector<UniformPoint> uniformPoints(const OptionTable& table, const std::vector<std::string>& schemes);

// {"unit": "scheme", ...} of an allocation, in table order.
std::string assignmentJson(const OptionTable& table, const Allocation& a);

} // namespace precis

namespace precis {

struct AllocationRecord;

// One saved allocation, summarised for comparison.
struct AllocationSummaryRow {
    std::string name;
    std::string budget;          // "+1 % ppl", "4.5 bits/weight", "2.1 MB" (+ granularity)
    int64_t bytes = 0;
    double bitsPerWeight = 0;
    double pplIncreasePercent = 0;  // predicted
    double predictedKl = 0;
    int units = 0;
    int differingFromFirst = 0;  // units whose option differs from the first allocation's
};

// Errors: a record whose JSON is not what saveAllocation stored (naming it).
Result<std::vector<AllocationSummaryRow>> compareAllocations(const std::vector<AllocationRecord>& records);

} // namespace precis
