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
    // Candidate options; empty = ggufAllocationOptions(): the types a GGUF file
    // holds, so the plan shown is the file that can be exported. Options the
    // report has no damage for, or that cannot encode a unit, are left out of
    // that unit.
    std::vector<std::string> options;
    // Predicted damage × this factor (the closed loop: measured / predicted).
    double damageScale = 1.0;
};

// Every option also gets a predicted KL (Option::kl) from the run's measured
// KL divergence (metric::MeasuredKl, unscaled damage d):
//   the unit's own measurement at that option, when the run made one;
//   else measured_kl(u, p) · d(u, o) / d(u, p) at the unit's first probe option p
//     with both numbers (the KL of one unit grows with its error as the damage does);
//   else ρ · d(u, o), ρ = Σ measured_kl / Σ d over every measured (unit, probe)
//     pair of the report (layer units, units the run did not measure);
//   NaN when the run measured no KL (calibration without measurement).
// Errors: bad settings (unknown option or metric), a unit left with no option
// (naming it), a report from another model (units that do not exist).
Result<OptionTable> buildOptionTable(const Model& model, const sensitivity::SensitivityReport& report,
                                     const OptionTableSettings& settings = {});

// The default options: F16, Q8_0, Q6_K, Q5_K, Q5_0, Q4_K, Q4_0, Q3_K, Q2_K
// (types a GGUF file stores and llama.cpp runs).
std::vector<std::string> ggufAllocationOptions();
// The default options plus Precis' own RTN format, 2..8 bits × groups
// 32/64/128 (Precis-native: stored in memory and in Precis files; a GGUF export
// re-encodes them).
std::vector<std::string> allAllocationOptions();
// Is `scheme` (a scheme name) one a GGUF file can store as it is?
bool isGgufScheme(const std::string& scheme);
// Is it one of Precis' own (RTN: held in memory and in Precis files; a GGUF
// export re-encodes it)? Names that are no scheme are neither.
bool isPrecisNativeScheme(const std::string& scheme);

// The weight tensors a unit of a table built from `model` stands for, with the
// rows or columns it covers of each: a tensor unit is its tensor; a layer unit
// ("blk.N") every weight matrix of block N the builder put into it; a head unit
// ("blk.N.head.H") the head's rows of q (and k/v with their own KV head, GPT-2's
// three qkv row blocks) and its columns of attn_output. Errors: a name that is
// no unit of this model at that granularity.
struct UnitSlice {
    std::string tensor;
    bool columns = false;      // true: columns [begin, end) of every row; false: rows [begin, end)
    int64_t begin = 0, end = 0;
};
Result<std::vector<UnitSlice>> unitSlices(const Model& model, const std::string& unit, Granularity granularity);

class SessionStore;
class Frontier;
struct Allocation;

// The key of the table for (run, settings) of the model file with that hash in
// a session's option-table cache (SessionStore::saveOptionTable): JSON text
// naming the run as "run" (an imported session's keys follow its new run ids).
std::string optionTableCacheKey(int64_t runId, const std::string& modelSha256, const OptionTableSettings& settings);

// The table for (run, settings) from the session's cache, else built and cached
// under optionTableCacheKey.
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

} // namespace precis
