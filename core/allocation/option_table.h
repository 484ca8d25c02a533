// The input of the bit allocation: for every unit (a tensor, a head slice, a
// layer: whatever gets one choice) the options it may be stored with, each with
// its exact stored size and its predicted damage. Filled by the sensitivity
// stage from a model; generic here (DESIGN.md §6).
//
// JSON form (optionTableToJson / parseOptionTableJson):
//   { "format": "precis.option_table", "version": 2,
//     "fixed_bytes": i64, "fixed_weights": i64,
//     "units": [ { "name": str, "tensor": str, "layer": int, "kind": str,
//                  "weights": i64, "pinned": int (-1 = free),
//                  "options": [ { "scheme": str, "bytes": i64, "damage": f64,
//                                 "kl": f64 | null }, ... ] }, ... ] }
// (version 1 had no "kl"; it still parses, every kl unknown).
//
// Blob form (serializeOptionTable / parseOptionTable), little-endian, version 2
// (version 1, without the kl field, still parses),
// for caching (str = u32 length + UTF-8 bytes):
//   char[8] "PRECISOT" | u32 version
//   i64 fixed_bytes | i64 fixed_weights | u32 n_units, then per unit:
//     str name | str tensor | i32 layer | str kind | i64 weights | i32 pinned
//     u32 n_options, then per option: str scheme | i64 bytes | f64 damage | f64 kl (NaN: unknown)
//   u64 checksum        FNV-1a 64 of every byte before it
#pragma once

#include "common/result.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace precis {

struct Option {
    std::string scheme;  // "Q4_K", "RTN4g128", "F16", ...
    int64_t bytes = 0;   // exactly as stored (> 0)
    double damage = 0;   // predicted Δloss, nats/token (finite, >= 0)
    // Predicted mean KL(original ‖ compressed) per token, nats (finite, >= 0),
    // estimated from the calibration's measured KL (option_builder.h); NaN when
    // the run measured none. Not scaled by the closed loop's factor.
    double kl = std::numeric_limits<double>::quiet_NaN();
    bool hasKl() const { return std::isfinite(kl); }
};

struct Unit {
    std::string name;    // unique display name ("blk.3.attn_q.weight", "blk.3.head7.q")
    std::string tensor;  // the tensor it lives in
    int layer = -1;      // -1: not in a block (embeddings, output)
    std::string kind;    // "attn_q", "ffn_down", "token_embd", ...
    int64_t weights = 0; // number of weights it stores (>= 0)
    std::vector<Option> options;
    int pinned = -1;     // index into options the user fixed, or -1 (free)
};

struct OptionTable {
    std::vector<Unit> units;
    int64_t fixedBytes = 0;    // tensors kept in float whatever the allocation: norms, biases
    int64_t fixedWeights = 0;  // the weights those bytes hold
};

// At most this many options per unit (choices are stored in 16 bits at worst).
constexpr size_t kMaxOptionsPerUnit = 65535;
// The sum over units of their largest damage may not exceed this (nats/token).
constexpr double kMaxTotalDamage = 1e15;

// Rejects (InvalidArgument, where "option table") a unit without options or
// with more than kMaxOptionsPerUnit, bytes <= 0, damage negative / NaN / infinite,
// kl negative or infinite (NaN is "unknown"),
// negative weights, a pin out of range, negative fixed sizes, totals that
// overflow int64 and a total damage above kMaxTotalDamage. The message names
// the unit (index and name) and the option.
Result<void> validate(const OptionTable& table);

// Σ unit weights + fixedWeights: the denominator of bits per weight.
int64_t totalWeights(const OptionTable& table);

// JSON text (indent < 0: one line). Damages keep every bit (shortest round-trip form).
std::string optionTableToJson(const OptionTable& table, int indent = 1);
// Parses and validates; errors name `where` and the field ("units[3].options[1].bytes").
Result<OptionTable> parseOptionTableJson(std::string_view text, const std::string& where);

std::vector<std::byte> serializeOptionTable(const OptionTable& table);
// Checks magic, version, checksum, every count and length against the bytes that
// remain (before allocating), then validates the table. Errors name `where`.
Result<OptionTable> parseOptionTable(std::span<const std::byte> bytes, const std::string& where);

// FNV-1a 64 of the blob: a cache key for frontiers built from this table.
uint64_t optionTableFingerprint(const OptionTable& table);

// The predicted damage of storing `tensor` with `scheme` (exact scheme name, as
// Option::scheme): the option's damage in the unit that is that whole tensor
// (unit name == tensor name). nullopt when no such unit or option exists (head
// and layer units cover parts or groups of tensors and are never matched).
std::optional<double> predictedDamage(const OptionTable& table, const std::string& tensor, const std::string& scheme);

} // namespace precis
