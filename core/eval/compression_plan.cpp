#include "eval/compression_plan.h"

#include "common/mapped_file.h"
#include "formats/safetensors.h"
#include "model/segmented.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

namespace precis {

namespace {

std::string whereOf(const std::string& tensor, const std::string& scheme)
{
    return "tensor '" + tensor + "' (" + scheme + ")";
}

// Why llama.cpp (and Precis) leave a tensor as it is; empty when quantizable.
std::string notQuantizableReason(const Tensor& t)
{
    if (t.shape.size() < 2)
        return "is a " + std::to_string(t.shape.size()) + "-D tensor of shape " + shapeString(t.shape) +
               "; only weight matrices (2-D) are quantized, vectors stay as they are";
    if (!t.name.ends_with(".weight"))
        return "is not a weight (its name does not end in '.weight')";
    if (t.name.ends_with("_norm.weight"))
        return "is a normalisation weight; norms are never quantized";
    if (t.name == "position_embd.weight")
        return "is the position embedding, which llama.cpp never quantizes";
    return {};
}

std::string sliceWhere(const std::string& tensor, const TensorSlice& s)
{
    return "tensor '" + tensor + "' slice " +
           segmentText(s.columns ? SegmentAxis::Columns : SegmentAxis::Rows, s.begin, s.end, "(" + s.scheme + ")");
}

// The slices of `a` checked against tensor `t` (see resolvePlan in the header), sorted by begin.
Result<std::vector<ResolvedSlice>> resolveSlices(const Tensor& t, const TensorAssignment& a)
{
    if (!a.scheme.empty())
        return makeError(ErrorCode::InvalidArgument, whereOf(a.tensor, a.scheme),
                         "gives both a scheme for the whole tensor and " + std::to_string(a.slices.size()) +
                             " slices; give one or the other");
    const bool columns = a.slices.front().columns;
    const int64_t extent = columns ? t.cols() : t.rows();
    const char* axis = columns ? "columns" : "rows";
    std::vector<ResolvedSlice> out;
    for (const TensorSlice& s : a.slices) {
        const std::string where = sliceWhere(a.tensor, s);
        if (s.columns != columns)
            return makeError(ErrorCode::InvalidArgument, where,
                             "mixes row and column slices in one tensor; slice it by rows or by columns");
        if (s.begin < 0 || s.end <= s.begin || s.end > extent)
            return makeError(ErrorCode::InvalidArgument, where,
                             "is not inside the tensor: expected 0 <= begin < end <= " + std::to_string(extent) + " (" +
                                 std::to_string(extent) + " " + axis + ", shape " + shapeString(t.shape) + ")");
        auto scheme = quant::parseScheme(s.scheme);
        if (!scheme.ok())
            return makeError(ErrorCode::InvalidArgument, where, scheme.error().message);
        const int64_t rowLength = columns ? s.end - s.begin : t.cols();
        if (auto f = quant::checkFeasible(*scheme, rowLength); !f.ok())
            return makeError(ErrorCode::InvalidArgument, where,
                             f.error().message + (columns ? " (a column slice's rows are its width)" : ""));
        out.push_back({columns, s.begin, s.end, *scheme});
    }
    std::vector<size_t> order(out.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return out[x].begin < out[y].begin; });
    std::vector<ResolvedSlice> sorted;
    int64_t covered = 0;
    const TensorSlice* previous = nullptr;
    for (size_t i : order) {
        const TensorSlice& s = a.slices[i];
        if (s.begin < covered)
            return makeError(ErrorCode::InvalidArgument, sliceWhere(a.tensor, s),
                             "overlaps slice " + segmentText(columns ? SegmentAxis::Columns : SegmentAxis::Rows,
                                                             previous->begin, previous->end, "(" + previous->scheme + ")"));
        if (s.begin > covered)
            return makeError(ErrorCode::InvalidArgument, "tensor '" + a.tensor + "'",
                             std::string(axis) + " [" + std::to_string(covered) + ", " + std::to_string(s.begin) +
                                 ") are in no slice; slices must cover every one of its " + std::to_string(extent) +
                                 " " + axis);
        covered = s.end;
        previous = &s;
        sorted.push_back(out[i]);
    }
    if (covered < extent)
        return makeError(ErrorCode::InvalidArgument, "tensor '" + a.tensor + "'",
                         std::string(axis) + " [" + std::to_string(covered) + ", " + std::to_string(extent) +
                             ") are in no slice; slices must cover every one of its " + std::to_string(extent) + " " + axis);
    return sorted;
}

// A regular expression matching exactly `name` (dots and other metacharacters escaped).
std::string exactPattern(const std::string& name)
{
    std::string p = "^";
    for (char c : name) {
        if (c != 0 && std::strchr(".^$|()[]{}*+?\\", c)) p += '\\';
        p += c;
    }
    return p + "$";
}

} // namespace

bool isQuantizableWeight(const Tensor& t) { return notQuantizableReason(t).empty(); }

std::string assignmentLabel(const TensorAssignment& a)
{
    if (!a.sliced()) return a.scheme;
    std::vector<std::string> seen;
    std::string out = "SEG[";
    for (const TensorSlice& s : a.slices) {
        if (std::find(seen.begin(), seen.end(), s.scheme) != seen.end()) continue;
        out += (seen.empty() ? "" : "+") + s.scheme;
        seen.push_back(s.scheme);
    }
    return out + "]";
}

Result<std::vector<ResolvedAssignment>> resolvePlan(const Model& model, const CompressionPlan& plan)
{
    std::vector<ResolvedAssignment> out;
    out.reserve(plan.tensors.size());
    std::unordered_set<std::string> seen;
    for (const TensorAssignment& a : plan.tensors) {
        const std::string where = whereOf(a.tensor, assignmentLabel(a));
        if (!seen.insert(a.tensor).second)
            return makeError(ErrorCode::InvalidArgument, where, "the plan lists this tensor more than once");
        const Tensor* t = model.find(a.tensor);
        if (!t)
            return makeError(ErrorCode::InvalidArgument, where,
                             "no such tensor in the model (" + std::to_string(model.tensors().size()) +
                                 " tensors, e.g. '" + (model.tensors().empty() ? "" : model.tensors().front().name) + "')");
        if (const std::string why = notQuantizableReason(*t); !why.empty())
            return makeError(ErrorCode::InvalidArgument, where, why);
        if (a.sliced()) {
            PRECIS_TRY_ASSIGN(std::vector<ResolvedSlice> slices, resolveSlices(*t, a));
            out.push_back({t, quant::floatScheme(DType::F32), std::move(slices)});
            continue;
        }
        auto scheme = quant::parseScheme(a.scheme);
        if (!scheme.ok())
            return makeError(ErrorCode::InvalidArgument, where, scheme.error().message);
        if (auto f = quant::checkFeasible(*scheme, t->cols()); !f.ok())
            return makeError(ErrorCode::InvalidArgument, where, f.error().message + " (tensor shape " + shapeString(t->shape) + ")");
        out.push_back({t, *scheme, {}});
    }
    return out;
}

quant::Scheme fallbackScheme(const quant::Scheme& s, int64_t cols)
{
    if (quant::feasible(s, cols) || cols < 1)
        return s;
    std::optional<quant::Scheme> next;
    if (s.kind == quant::SchemeKind::GgufBlock) {
        switch (s.dtype) {
        case DType::Q2_K:
        case DType::Q3_K: next = quant::ggufScheme(DType::Q4_0); break;
        case DType::Q4_K: next = quant::ggufScheme(DType::Q5_0); break;
        case DType::Q5_K: next = quant::ggufScheme(DType::Q5_1); break;
        case DType::Q6_K: next = quant::ggufScheme(DType::Q8_0); break;
        default: break;
        }
    } else if (s.kind == quant::SchemeKind::Rtn && s.group != 32) {
        next = quant::rtnScheme(s.bits, 32, s.asymmetric);
    }
    if (next && quant::feasible(*next, cols))
        return *next;
    return quant::floatScheme(DType::F16);
}

Result<UniformPlan> uniformPlan(const Model& model, std::string_view name)
{
    PRECIS_TRY_ASSIGN(const quant::Scheme scheme, quant::parseScheme(name));
    UniformPlan u;
    for (const Tensor& t : model.tensors()) {
        if (!isQuantizableWeight(t))
            continue;
        const quant::Scheme used = fallbackScheme(scheme, t.cols());
        if (!(used == scheme))
            u.fallbacks.push_back({t.name, scheme.name(), used.name(), t.cols()});
        u.plan.tensors.push_back({t.name, used.name()});
    }
    return u;
}

// ---- recipes ------------------------------------------------------------------

std::string recipeToJson(const CompressionPlan& plan, int indent)
{
    const bool sliced = std::any_of(plan.tensors.begin(), plan.tensors.end(),
                                    [](const TensorAssignment& a) { return a.sliced(); });
    nlohmann::ordered_json j;
    j["format"] = "precis.recipe";
    j["version"] = sliced ? 2 : 1;
    nlohmann::ordered_json tensors = nlohmann::ordered_json::object();
    for (const TensorAssignment& a : plan.tensors) {
        if (!a.sliced()) {
            tensors[a.tensor] = a.scheme;
            continue;
        }
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const TensorSlice& s : a.slices)
            list.push_back({{"begin", s.begin}, {"end", s.end}, {"scheme", s.scheme}});
        tensors[a.tensor] = {{a.slices.front().columns ? "columns" : "rows", std::move(list)}};
    }
    j["tensors"] = std::move(tensors);
    return j.dump(indent) + "\n";
}

namespace {

// A sliced recipe entry {"rows" | "columns": [{"begin", "end", "scheme"}, ...]}.
Result<std::vector<TensorSlice>> parseSlices(const nlohmann::json& v, const std::string& where, const std::string& field)
{
    auto error = [&](const std::string& f, const std::string& message) {
        return makeError(ErrorCode::Format, where + ": field '" + f + "'", message);
    };
    const char* expected = "expected {\"rows\": [...]} or {\"columns\": [...]} with slices "
                           "{\"begin\": 0, \"end\": 64, \"scheme\": \"Q8_0\"}";
    if (v.size() != 1 || (!v.contains("rows") && !v.contains("columns")))
        return error(field, "is " + v.dump() + ", " + expected);
    const bool columns = v.contains("columns");
    const nlohmann::json& list = v.begin().value();
    const std::string listField = field + (columns ? ".columns" : ".rows");
    if (!list.is_array() || list.empty())
        return error(listField, "is " + list.dump() + ", expected a non-empty array of slices");
    std::vector<TensorSlice> out;
    for (size_t i = 0; i < list.size(); ++i) {
        const nlohmann::json& e = list[i];
        const std::string f = listField + "[" + std::to_string(i) + "]";
        if (!e.is_object() || e.size() != 3 || !e.contains("begin") || !e.contains("end") || !e.contains("scheme") ||
            !e["begin"].is_number_integer() || !e["end"].is_number_integer() || !e["scheme"].is_string())
            return error(f, "is " + e.dump() + ", expected {\"begin\": integer, \"end\": integer, \"scheme\": name}");
        auto scheme = quant::parseScheme(e["scheme"].get<std::string>());
        if (!scheme.ok())
            return error(f, scheme.error().message);
        out.push_back({columns, e["begin"].get<int64_t>(), e["end"].get<int64_t>(), scheme->name()});
    }
    return out;
}

} // namespace

Result<CompressionPlan> parseRecipeJson(std::string_view text, const std::string& where)
{
    PRECIS_TRY_ASSIGN(const nlohmann::json j, hf::parseJsonStrict(std::string(text), where));
    auto error = [&](const std::string& field, const std::string& message) {
        return makeError(ErrorCode::Format, where + ": field '" + field + "'", message);
    };
    if (!j.is_object())
        return makeError(ErrorCode::Format, where, "expected a JSON object with a \"tensors\" object");
    if (auto f = j.find("format"); f != j.end() && (!f->is_string() || f->get<std::string>() != "precis.recipe"))
        return error("format", "is " + f->dump() + ", expected \"precis.recipe\"");
    int64_t version = 0;  // 0: not given
    if (auto v = j.find("version"); v != j.end()) {
        if (!v->is_number_integer() || (v->get<int64_t>() != 1 && v->get<int64_t>() != 2))
            return error("version", "is " + v->dump() + ", expected 1 or 2");
        version = v->get<int64_t>();
    }
    const auto t = j.find("tensors");
    if (t == j.end())
        return error("tensors", "is missing; expected an object {\"tensor name\": \"scheme\", ...}");
    if (!t->is_object())
        return error("tensors", "is " + std::string(t->type_name()) + ", expected an object {\"tensor name\": \"scheme\", ...}");
    if (t->empty())
        return error("tensors", "is empty; a recipe must name at least one tensor");
    CompressionPlan plan;
    for (auto it = t->begin(); it != t->end(); ++it) {
        const std::string field = "tensors." + it.key();
        if (it.key().empty())
            return error(field, "has an empty tensor name");
        if (it.value().is_object()) {
            if (version == 1)
                return error(field, "has slices, which a version 1 recipe cannot hold (slices came with version 2)");
            PRECIS_TRY_ASSIGN(std::vector<TensorSlice> slices, parseSlices(it.value(), where, field));
            plan.tensors.push_back({it.key(), {}, std::move(slices)});
            continue;
        }
        if (!it.value().is_string())
            return error(field, "is " + it.value().dump() + ", expected a scheme name such as \"Q4_K\"" +
                                    (version == 1 ? "" : " or an object of slices"));
        auto scheme = quant::parseScheme(it.value().get<std::string>());
        if (!scheme.ok())
            return error(field, scheme.error().message);
        plan.tensors.push_back({it.key(), scheme->name(), {}});
    }
    return plan;
}

Result<CompressionPlan> readRecipe(const std::string& path)
{
    PRECIS_TRY_ASSIGN(const std::string text, readTextFile(path, size_t(64) << 20));
    return parseRecipeJson(text, path);
}

Result<void> writeRecipe(const CompressionPlan& plan, const std::string& path)
{
    const std::string text = recipeToJson(plan);
    return writeFileAtomic(path, text.data(), text.size());
}

// ---- llama-quantize -----------------------------------------------------------------

std::string llamaCppTypeName(const quant::Scheme& s)
{
    if (s.kind == quant::SchemeKind::Rtn)
        return {};
    std::string n(dtypeName(s.dtype));
    for (char& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
    return n;
}

Result<std::vector<std::string>> llamaQuantizeArgs(const CompressionPlan& plan, const std::string& input,
                                                   const std::string& output)
{
    if (plan.tensors.empty())
        return makeError(ErrorCode::InvalidArgument, "llama-quantize arguments", "the plan lists no tensors");
    std::vector<std::string> args, overrides;
    std::unordered_set<DType> overrideTypes;
    for (const TensorAssignment& a : plan.tensors) {
        if (a.sliced())
            return makeError(ErrorCode::Unsupported, whereOf(a.tensor, assignmentLabel(a)),
                             "has per-slice schemes (head units), and llama.cpp gives a tensor one type; "
                             "llama-quantize cannot write this plan (allocate per tensor, or export the "
                             "compressed model with its tensors converted)");
        PRECIS_TRY_ASSIGN(const quant::Scheme s, quant::parseScheme(a.scheme));
        const std::string type = llamaCppTypeName(s);
        if (type.empty())
            return makeError(ErrorCode::Unsupported, whereOf(a.tensor, a.scheme),
                             "llama.cpp has no RTN type; llama-quantize cannot write this plan");
        if (a.tensor == "token_embd.weight") {
            args.insert(args.end(), {"--token-embedding-type", type});
        } else if (a.tensor == "output.weight") {
            args.insert(args.end(), {"--output-tensor-type", type});
        } else {
            overrides.insert(overrides.end(), {"--tensor-type", exactPattern(a.tensor) + "=" + type});
            overrideTypes.insert(s.dtype);
        }
    }
    // The positional llama_ftype: one whose base type no override uses (see the header).
    static const std::pair<DType, const char*> kBase[] = {
        {DType::Q8_0, "Q8_0"}, {DType::Q4_0, "Q4_0"}, {DType::Q5_0, "Q5_0"}, {DType::Q5_1, "Q5_1"},
        {DType::Q4_1, "Q4_1"}, {DType::Q6_K, "Q6_K"}, {DType::Q2_K, "Q2_K"},
    };
    std::string base = "Q8_0";
    for (const auto& [t, name] : kBase)
        if (!overrideTypes.count(t)) {
            base = name;
            break;
        }
    args.insert(args.end(), overrides.begin(), overrides.end());
    args.insert(args.end(), {input, output, base});
    return args;
}

std::string shellJoin(const std::vector<std::string>& args)
{
    std::string out;
    for (const std::string& a : args) {
        if (!out.empty()) out += ' ';
        const bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || (c != 0 && std::strchr("_./=:,+-@%", c));
        });
        if (plain) {
            out += a;
            continue;
        }
        out += '\'';
        for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
        out += '\'';
    }
    return out;
}

Result<CompressionPlan> planFromAssignment(const Model& model, Granularity granularity,
                                           const std::vector<std::pair<std::string, std::string>>& assignment)
{
    CompressionPlan plan;
    std::map<std::string, size_t> entry;  // tensor -> index in plan.tensors
    std::map<std::string, std::string> byUnit;  // tensor -> the unit that gave it (for messages)
    std::set<std::string> units;
    for (const auto& [unit, scheme] : assignment) {
        if (!units.insert(unit).second)
            return makeError(ErrorCode::InvalidArgument, "unit '" + unit + "'", "the assignment lists this unit twice");
        PRECIS_TRY_ASSIGN(const std::vector<UnitSlice> slices, unitSlices(model, unit, granularity));
        for (const UnitSlice& s : slices) {
            const Tensor* t = model.find(s.tensor);
            const bool whole = t && !s.columns && s.begin == 0 && s.end == t->rows();
            const auto it = entry.find(s.tensor);
            if (it != entry.end() && (whole || !plan.tensors[it->second].sliced()))
                return makeError(ErrorCode::InvalidArgument, "unit '" + unit + "'",
                                 "tensor '" + s.tensor + "' is given a scheme twice (also by unit '" +
                                     byUnit[s.tensor] + "')");
            if (it == entry.end()) {
                entry[s.tensor] = plan.tensors.size();
                byUnit[s.tensor] = unit;
                plan.tensors.push_back({s.tensor, whole ? scheme : std::string(), {}});
            }
            if (!whole) plan.tensors[entry[s.tensor]].slices.push_back({s.columns, s.begin, s.end, scheme});
        }
    }
    // A tensor's head slices: sorted, neighbours of one scheme merged, and one
    // scheme over the whole tensor stored as a plain assignment.
    for (TensorAssignment& a : plan.tensors) {
        if (!a.sliced()) continue;
        std::sort(a.slices.begin(), a.slices.end(), [](const TensorSlice& x, const TensorSlice& y) { return x.begin < y.begin; });
        std::vector<TensorSlice> merged;
        for (const TensorSlice& s : a.slices) {
            if (!merged.empty() && merged.back().end == s.begin && merged.back().scheme == s.scheme)
                merged.back().end = s.end;
            else
                merged.push_back(s);
        }
        a.slices = std::move(merged);
        const Tensor* t = model.find(a.tensor);
        PRECIS_TRY(resolveSlices(*t, a));  // coverage: every head of the tensor has a scheme
        if (a.slices.size() == 1) {
            a.scheme = a.slices.front().scheme;
            a.slices.clear();
        }
    }
    return plan;
}

uint64_t plannedBytes(const ResolvedAssignment& r)
{
    const Tensor& t = *r.tensor;
    auto bytes = [](DType type, int64_t rows, int64_t cols) {
        const auto rb = dtypeRowBytes(type, uint64_t(cols));
        return rb ? *rb * uint64_t(rows) : uint64_t(rows * cols) * 4;
    };
    if (r.slices.empty()) return bytes(r.scheme.dtype, t.rows(), t.cols());
    uint64_t n = 0;
    for (const ResolvedSlice& s : r.slices)
        n += s.columns ? bytes(s.scheme.dtype, t.rows(), s.end - s.begin) : bytes(s.scheme.dtype, s.end - s.begin, t.cols());
    return n;
}

} // namespace precis
