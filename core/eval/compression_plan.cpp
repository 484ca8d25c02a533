#include "eval/compression_plan.h"

#include "common/mapped_file.h"
#include "formats/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
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

Result<std::vector<ResolvedAssignment>> resolvePlan(const Model& model, const CompressionPlan& plan)
{
    std::vector<ResolvedAssignment> out;
    out.reserve(plan.tensors.size());
    std::unordered_set<std::string> seen;
    for (const TensorAssignment& a : plan.tensors) {
        const std::string where = whereOf(a.tensor, a.scheme);
        if (!seen.insert(a.tensor).second)
            return makeError(ErrorCode::InvalidArgument, where, "the plan lists this tensor more than once");
        const Tensor* t = model.find(a.tensor);
        if (!t)
            return makeError(ErrorCode::InvalidArgument, where,
                             "no such tensor in the model (" + std::to_string(model.tensors().size()) +
                                 " tensors, e.g. '" + (model.tensors().empty() ? "" : model.tensors().front().name) + "')");
        if (const std::string why = notQuantizableReason(*t); !why.empty())
            return makeError(ErrorCode::InvalidArgument, where, why);
        auto scheme = quant::parseScheme(a.scheme);
        if (!scheme.ok())
            return makeError(ErrorCode::InvalidArgument, where, scheme.error().message);
        if (auto f = quant::checkFeasible(*scheme, t->cols()); !f.ok())
            return makeError(ErrorCode::InvalidArgument, where, f.error().message + " (tensor shape " + shapeString(t->shape) + ")");
        out.push_back({t, *scheme});
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
    nlohmann::ordered_json j;
    j["format"] = "precis.recipe";
    j["version"] = 1;
    nlohmann::ordered_json tensors = nlohmann::ordered_json::object();
    for (const TensorAssignment& a : plan.tensors) tensors[a.tensor] = a.scheme;
    j["tensors"] = std::move(tensors);
    return j.dump(indent) + "\n";
}

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
    if (auto v = j.find("version"); v != j.end() && (!v->is_number_integer() || v->get<int64_t>() != 1))
        return error("version", "is " + v->dump() + ", expected 1");
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
        if (!it.value().is_string())
            return error(field, "is " + it.value().dump() + ", expected a scheme name such as \"Q4_K\"");
        auto scheme = quant::parseScheme(it.value().get<std::string>());
        if (!scheme.ok())
            return error(field, scheme.error().message);
        plan.tensors.push_back({it.key(), scheme->name()});
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
    std::set<std::string> seen;
    for (const auto& [unit, scheme] : assignment) {
        PRECIS_TRY_ASSIGN(const std::vector<UnitSlice> slices, unitSlices(model, unit, granularity));
        for (const UnitSlice& s : slices) {
            const Tensor* t = model.find(s.tensor);
            const bool whole = t && !s.columns && s.begin == 0 && s.end == t->rows();
            if (!whole)
                return makeError(ErrorCode::Unsupported, "unit '" + unit + "'",
                                 "a head unit covers part of '" + s.tensor +
                                     "', and one tensor stores one type: allocate per tensor or per layer to compress");
            if (!seen.insert(s.tensor).second)
                return makeError(ErrorCode::InvalidArgument, "unit '" + unit + "'",
                                 "tensor '" + s.tensor + "' is given a scheme twice");
            plan.tensors.push_back({s.tensor, scheme});
        }
    }
    return plan;
}

} // namespace precis
