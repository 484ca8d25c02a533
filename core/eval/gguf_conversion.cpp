#include "eval/gguf_conversion.h"

#include "model/segmented.h"
#include "quant/block_formats.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace precis {

namespace {

bool isNative(DType t) { return isRtn(t) || t == DType::Segmented; }

// The scheme that stores type `t` (F32/F16/BF16, GGUF block types with an
// encoder, RTN layouts); nullopt for the others (Q8_1, Q8_K, integers).
std::optional<quant::Scheme> schemeOfType(DType t)
{
    auto s = quant::parseScheme(dtypeName(t));
    return s.ok() ? std::optional<quant::Scheme>(*s) : std::nullopt;
}

// The one GGUF scheme for a tensor of `cols`-value rows whose parts have these
// schemes (see the header). Parts without a scheme count as F16.
quant::Scheme targetScheme(const std::vector<std::optional<quant::Scheme>>& parts, int64_t cols, NativeTensors how)
{
    const quant::Scheme f16 = quant::floatScheme(DType::F16);
    if (how == NativeTensors::AsF16) return f16;
    std::optional<quant::Scheme> best;
    for (const auto& p : parts) {
        const quant::Scheme g = p ? nearestGgufScheme(*p) : f16;
        if (!best || quant::bitsPerWeight(g) > quant::bitsPerWeight(*best)) best = g;
    }
    return fallbackScheme(best ? *best : f16, cols);
}

// The conversion of one tensor of `model` (its bytes not yet produced).
GgufConversion describe(const Tensor& t, NativeTensors how, std::optional<SegmentedLayout>* layoutOut = nullptr)
{
    GgufConversion c;
    c.tensor = t.name;
    c.from = tensorTypeName(t);
    c.bytesBefore = int64_t(t.nbytes);
    std::vector<std::optional<quant::Scheme>> parts;
    if (t.dtype == DType::Segmented) {
        auto l = readSegmentedLayout(t);
        if (!l.ok()) return c;  // `to` empty: convertNativeTensors reports the header's error
        for (const Segment& s : l->segments) {
            parts.push_back(schemeOfType(s.dtype));
            c.slices.push_back(segmentText(l->axis, s.begin, s.end, std::string(dtypeName(s.dtype))));
        }
        if (layoutOut) *layoutOut = std::move(l).value();
    } else {
        parts.push_back(schemeOfType(t.dtype));
    }
    if (how == NativeTensors::Refuse) return c;
    const quant::Scheme to = targetScheme(parts, t.cols(), how);
    c.to = to.name();
    c.bytesAfter = quant::encodedBytes(to, t.rows(), t.cols());
    return c;
}

// The tensor re-encoded as `to` (reference encoder), with the bytes of the
// segments already in that type copied back where their blocks line up.
Result<Tensor> convertTensor(const Tensor& t, const quant::Scheme& to, const SegmentedLayout* layout)
{
    PRECIS_TRY_ASSIGN(const std::vector<float> values, quant::dequantize(t));
    const int64_t rows = t.rows(), cols = t.cols();
    PRECIS_TRY_ASSIGN(std::vector<uint8_t> bytes, quant::encode(to, values.data(), rows, cols));
    if (layout) {
        const DTypeTraits& tr = dtypeTraits(to.dtype);
        const uint64_t rowBytes = bytes.size() / uint64_t(std::max<int64_t>(rows, 1));
        const auto* src = reinterpret_cast<const uint8_t*>(t.data);
        for (const Segment& s : layout->segments) {
            if (s.dtype != to.dtype) continue;
            if (layout->axis == SegmentAxis::Rows) {
                std::memcpy(bytes.data() + uint64_t(s.begin) * rowBytes, src + s.offset, size_t(s.nbytes));
            } else if (s.begin % tr.blockSize == 0 && s.end % tr.blockSize == 0) {
                const uint64_t from = uint64_t(s.begin / tr.blockSize) * uint64_t(tr.typeSize);
                const uint64_t width = s.nbytes / uint64_t(rows);
                for (int64_t r = 0; r < rows; ++r)
                    std::memcpy(bytes.data() + uint64_t(r) * rowBytes + from, src + s.offset + uint64_t(r) * width,
                                size_t(width));
            }
        }
    }
    auto buf = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
    Tensor out;
    out.name = t.name;
    out.dtype = to.dtype;
    out.shape = t.shape;
    out.data = reinterpret_cast<const std::byte*>(buf->data());
    out.nbytes = buf->size();
    out.owner = std::move(buf);
    return out;
}

} // namespace

const char* nativeTensorsName(NativeTensors n)
{
    switch (n) {
    case NativeTensors::Refuse: return "refuse";
    case NativeTensors::AsF16: return "f16";
    case NativeTensors::NearestGguf: return "gguf";
    }
    return "refuse";
}

std::vector<std::pair<std::string, std::string>> nativeTensors(const Model& model)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const Tensor& t : model.tensors())
        if (isNative(t.dtype)) out.emplace_back(t.name, tensorTypeName(t));
    return out;
}

quant::Scheme nearestGgufScheme(const quant::Scheme& s)
{
    if (s.kind != quant::SchemeKind::Rtn) return s;
    static const DType byBits[] = {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q8_0, DType::Q8_0};
    return quant::ggufScheme(byBits[std::clamp(s.bits, 2, 8) - 2]);
}

std::vector<GgufConversion> ggufConversions(const Model& model, NativeTensors how)
{
    std::vector<GgufConversion> out;
    for (const Tensor& t : model.tensors())
        if (isNative(t.dtype)) out.push_back(describe(t, how));
    return out;
}

Result<std::vector<GgufConversion>> ggufConversions(const Model& original, const CompressionPlan& plan,
                                                    NativeTensors how)
{
    PRECIS_TRY_ASSIGN(const std::vector<ResolvedAssignment> resolved, resolvePlan(original, plan));
    std::vector<GgufConversion> out;
    for (size_t i = 0; i < resolved.size(); ++i) {
        const ResolvedAssignment& r = resolved[i];
        const Tensor& t = *r.tensor;
        const int64_t rows = t.rows(), cols = t.cols();
        if (r.slices.empty() && r.scheme.kind != quant::SchemeKind::Rtn) continue;
        GgufConversion c;
        c.tensor = t.name;
        c.from = assignmentLabel(plan.tensors[i]);
        std::vector<std::optional<quant::Scheme>> parts;
        if (r.slices.empty()) {
            parts.push_back(r.scheme);
            c.bytesBefore = quant::encodedBytes(r.scheme, rows, cols);
        } else {
            c.bytesBefore = int64_t(segmentedHeaderBytes(r.slices.size()));
            for (const ResolvedSlice& s : r.slices) {
                parts.push_back(s.scheme);
                c.bytesBefore += s.columns ? quant::encodedBytes(s.scheme, rows, s.end - s.begin)
                                           : quant::encodedBytes(s.scheme, s.end - s.begin, cols);
                c.slices.push_back(segmentText(s.columns ? SegmentAxis::Columns : SegmentAxis::Rows, s.begin, s.end,
                                               s.scheme.name()));
            }
        }
        if (how != NativeTensors::Refuse) {
            const quant::Scheme to = targetScheme(parts, cols, how);
            c.to = to.name();
            c.bytesAfter = quant::encodedBytes(to, rows, cols);
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::string conversionNote(const GgufConversion& c)
{
    std::string what = c.from;
    if (!c.slices.empty()) {
        what.clear();
        for (const std::string& s : c.slices) what += (what.empty() ? "" : ", ") + s;
    }
    const int64_t extra = c.bytesAfter - c.bytesBefore;
    return "tensor '" + c.tensor + "' (" + what + ") is stored as " + c.to + ": " + std::to_string(c.bytesBefore) +
           " -> " + std::to_string(c.bytesAfter) + " bytes (" + (extra >= 0 ? "+" : "") + std::to_string(extra) + ")";
}

std::vector<std::string> conversionNotes(const std::vector<GgufConversion>& conversions)
{
    std::vector<std::string> notes;
    std::vector<const GgufConversion*> rtn;
    for (const GgufConversion& c : conversions) {
        if (c.slices.empty()) rtn.push_back(&c);
        else notes.push_back(conversionNote(c));
    }
    if (rtn.size() == 1) notes.push_back(conversionNote(*rtn.front()));
    if (rtn.size() < 2) return notes;
    std::vector<std::pair<std::string, int>> types;  // in order of first appearance
    int64_t before = 0, after = 0;
    for (const GgufConversion* c : rtn) {
        auto it = std::find_if(types.begin(), types.end(), [&](const auto& p) { return p.first == c->to; });
        if (it == types.end()) types.emplace_back(c->to, 1);
        else ++it->second;
        before += c->bytesBefore;
        after += c->bytesAfter;
    }
    std::string as;
    for (const auto& [type, n] : types) as += (as.empty() ? "" : ", ") + type + " ×" + std::to_string(n);
    const int64_t extra = after - before;
    notes.push_back(std::to_string(rtn.size()) + " RTN tensors (e.g. '" + rtn.front()->tensor + "', " + rtn.front()->from +
                    ") are stored as " + as + " (GGUF has no RTN type): " + std::to_string(before) + " -> " +
                    std::to_string(after) + " bytes (" + (extra >= 0 ? "+" : "") + std::to_string(extra) + ")");
    return notes;
}

Result<ConvertedModel> convertNativeTensors(const Model& model, NativeTensors how)
{
    ConvertedModel out;
    std::vector<const Tensor*> native;
    std::vector<std::optional<SegmentedLayout>> layouts;
    for (const Tensor& t : model.tensors())
        if (isNative(t.dtype) && how != NativeTensors::Refuse) {
            native.push_back(&t);
            layouts.emplace_back();
            out.conversions.push_back(describe(t, how, &layouts.back()));
        }
    std::vector<std::optional<Result<Tensor>>> converted(native.size());
    tbb::parallel_for(size_t(0), native.size(), [&](size_t i) {
        const Tensor& t = *native[i];
        if (out.conversions[i].to.empty()) {  // a segmented header that does not read
            converted[i] = Result<Tensor>(readSegmentedLayout(t).error());
            return;
        }
        const quant::Scheme to = quant::parseScheme(out.conversions[i].to).value();
        converted[i] = convertTensor(t, to, layouts[i] ? &*layouts[i] : nullptr);
    });
    auto m = std::make_shared<Model>();
    m->path = model.path;
    m->format = model.format;
    m->fileBytes = model.fileBytes;
    m->config = model.config;
    m->tokenizer = model.tokenizer;
    m->metadata = model.metadata;
    size_t next = 0;
    for (const Tensor& t : model.tensors()) {
        if (next < native.size() && native[next] == &t) {
            Result<Tensor>& r = *converted[next++];
            if (!r.ok()) return r.error();
            m->addTensor(std::move(r).value());
        } else {
            m->addTensor(t);
        }
    }
    out.model = std::move(m);
    return out;
}

} // namespace precis
