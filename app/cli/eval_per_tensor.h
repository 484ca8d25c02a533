// `precis-cli eval ORIGINAL COMPRESSED --text FILE --per-unit`: every tensor the
// compression changed measured alone (core/eval/unit_damage.h) on the same
// text, as a table sorted by Δloss or as the JSON array "units". Implemented in
// cmd_eval.cpp; `eval` (cmdEvalCompare) adds the option and calls these.
#pragma once

#include "model/model.h"

#include <QCommandLineOption>
#include <QJsonArray>

#include <cstdint>
#include <span>

namespace precis::cli {

// --per-unit
QCommandLineOption perUnitOption();

struct PerUnitMeasurement {
    QJsonArray units;   // [{"tensor", "scheme", "measured_dloss", "measured_kl"}], largest Δloss first
    int sequences = 0;  // windows measured on
    int length = 0;     // tokens per window
    double seconds = 0;
};

// Measures on UnitDamageOptions' windows (8 × 128 tokens, seed 1) of `ids`
// (the text's ids; a leading BOS is skipped: every window gets its own), the
// length capped at `ctx`. Exits 1 with the core's message (naming the tensor).
PerUnitMeasurement measurePerUnitOrExit(const Model& original, const Model& compressed,
                                        std::span<const int32_t> ids, int ctx);

// tensor | scheme | measured Δloss | measured KL, one line per tensor, after a heading.
void printPerUnitTable(const PerUnitMeasurement& m);

} // namespace precis::cli
