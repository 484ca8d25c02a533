#include "eval/compress.h"

#include "common/mapped_file.h"
#include "common/threads.h"

#include "formats/gguf.h"
#include "formats/hf_writer.h"
#include "model/segmented.h"
#include "quant/block_formats.h"
#include "quant/scheme.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <unordered_map>

namespace precis {

namespace fs = std::filesystem;

namespace {

struct Job {
    const Tensor* src = nullptr;
    quant::Scheme scheme;               // whole-tensor scheme (when not sliced)
    std::vector<ResolvedSlice> slices;  // per-slice schemes, sorted; empty: `scheme`
    std::string label;                  // scheme name or assignmentLabel()
    const float* importance = nullptr;  // cols values, or nullptr
    Tensor out;
    std::optional<Error> error;
};

Error tensorError(const Job& job, const Error& e)
{
    return makeError(e.code, "tensor '" + job.src->name + "' (" + job.label + ")", e.message);
}

// An owned tensor of `dtype` holding `bytes`, with the shape and name of `like`.
Tensor ownedTensor(const Tensor& like, DType dtype, std::vector<uint8_t> bytes)
{
    auto buf = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
    Tensor t;
    t.name = like.name;
    t.dtype = dtype;
    t.shape = like.shape;
    t.data = reinterpret_cast<const std::byte*>(buf->data());
    t.nbytes = buf->size();
    t.owner = std::move(buf);
    return t;
}

// The tensor's values as fp32: in place for aligned F32 data, else a dequantized copy.
Result<const float*> floatValues(const Tensor& t, std::vector<float>& storage)
{
    if (t.dtype == DType::F32 && reinterpret_cast<uintptr_t>(t.data) % alignof(float) == 0 &&
        t.nbytes == uint64_t(t.numel()) * sizeof(float))
        return reinterpret_cast<const float*>(t.data);
    PRECIS_TRY_ASSIGN(storage, quant::dequantize(t));
    return static_cast<const float*>(storage.data());
}

// The slice's bytes as `src` already stores them in the slice's type, if it
// does: the same segment of a segmented source, or rows (columns on block
// boundaries) of a plain tensor of that type. Blocks never span rows and each
// block decodes alone, so the copied bytes decode to the source's values.
std::optional<std::vector<uint8_t>> storedSliceBytes(const Tensor& src, const SegmentedLayout* layout,
                                                     const ResolvedSlice& s)
{
    const DType type = s.scheme.dtype;
    const auto* bytes = reinterpret_cast<const uint8_t*>(src.data);
    if (layout) {
        const SegmentAxis axis = s.columns ? SegmentAxis::Columns : SegmentAxis::Rows;
        for (const Segment& g : layout->segments)
            if (layout->axis == axis && g.begin == s.begin && g.end == s.end && g.dtype == type)
                return std::vector<uint8_t>(bytes + g.offset, bytes + g.offset + g.nbytes);
        return std::nullopt;
    }
    const int64_t rows = src.rows(), cols = src.cols();
    const auto rowBytes = dtypeRowBytes(src.dtype, uint64_t(cols));
    if (src.dtype != type || !rowBytes || src.nbytes != uint64_t(rows) * *rowBytes || !src.data) return std::nullopt;
    if (!s.columns)
        return std::vector<uint8_t>(bytes + uint64_t(s.begin) * *rowBytes, bytes + uint64_t(s.end) * *rowBytes);
    const DTypeTraits& tr = dtypeTraits(type);
    if (s.begin % tr.blockSize != 0 || s.end % tr.blockSize != 0) return std::nullopt;
    const uint64_t from = uint64_t(s.begin / tr.blockSize) * uint64_t(tr.typeSize);
    const uint64_t width = uint64_t((s.end - s.begin) / tr.blockSize) * uint64_t(tr.typeSize);
    std::vector<uint8_t> out(size_t(width * uint64_t(rows)));
    for (int64_t r = 0; r < rows; ++r)
        std::memcpy(out.data() + uint64_t(r) * width, bytes + uint64_t(r) * *rowBytes + from, size_t(width));
    return out;
}

// A sliced tensor is encoded slice by slice; its weights and importance are
// checked as a whole first, so that errors name the tensor's own row and column.
Result<void> checkSlicedInputs(const float* w, int64_t rows, int64_t cols, const float* importance)
{
    for (int64_t i = 0; i < rows * cols; ++i)
        if (!std::isfinite(w[i]))
            return makeError(ErrorCode::InvalidArgument, "",
                             "weight at row " + std::to_string(i / cols) + ", column " + std::to_string(i % cols) +
                                 " is " + (std::isnan(w[i]) ? "NaN" : w[i] > 0 ? "+Inf" : "-Inf") +
                                 "; weights must be finite");
    for (int64_t c = 0; importance && c < cols; ++c)
        if (!std::isfinite(importance[c]) || importance[c] < 0)
            return makeError(ErrorCode::InvalidArgument, "",
                             "importance of column " + std::to_string(c) + " is " + std::to_string(importance[c]) +
                                 "; expected a finite value ≥ 0");
    return {};
}

// Each slice as its own contiguous matrix through quant::encode (a column
// slice's importance is its columns' entries), assembled into a Segmented tensor.
Result<Tensor> encodeSliced(const Job& job)
{
    const Tensor& src = *job.src;
    std::optional<SegmentedLayout> layout;
    if (src.dtype == DType::Segmented) {
        PRECIS_TRY_ASSIGN(layout, readSegmentedLayout(src));
    }
    const int64_t rows = src.rows(), cols = src.cols();
    std::vector<float> storage;
    const float* w = nullptr;
    std::vector<SegmentBytes> parts;
    for (const ResolvedSlice& s : job.slices) {
        SegmentBytes part{s.begin, s.end, s.scheme.dtype, {}};
        if (auto kept = storedSliceBytes(src, layout ? &*layout : nullptr, s)) {
            part.bytes = std::move(*kept);
            parts.push_back(std::move(part));
            continue;
        }
        if (!w) {
            PRECIS_TRY_ASSIGN(w, floatValues(src, storage));
            PRECIS_TRY(checkSlicedInputs(w, rows, cols, job.importance));
        }
        const int64_t sliceRows = s.columns ? rows : s.end - s.begin, sliceCols = s.columns ? s.end - s.begin : cols;
        const float* m = w + (s.columns ? 0 : s.begin * cols);
        std::vector<float> block;
        if (s.columns) {
            block.resize(size_t(sliceRows * sliceCols));
            for (int64_t r = 0; r < rows; ++r)
                std::memcpy(block.data() + r * sliceCols, w + r * cols + s.begin, size_t(sliceCols) * sizeof(float));
            m = block.data();
        }
        const float* importance = job.importance ? job.importance + (s.columns ? s.begin : 0) : nullptr;
        auto bytes = quant::encode(s.scheme, m, sliceRows, sliceCols, importance);
        if (!bytes.ok())
            return makeError(bytes.error().code, "",
                             "slice " + segmentText(s.columns ? SegmentAxis::Columns : SegmentAxis::Rows, s.begin, s.end,
                                                    "(" + s.scheme.name() + ")") + ": " + bytes.error().message);
        part.bytes = std::move(bytes).value();
        parts.push_back(std::move(part));
    }
    if (w) releaseMappedPages(src.data, src.nbytes);
    return makeSegmentedTensor(src.name, src.shape, job.slices.front().columns ? SegmentAxis::Columns : SegmentAxis::Rows,
                               std::move(parts));
}

Result<Tensor> encodeTensor(const Job& job)
{
    if (!job.slices.empty())
        return encodeSliced(job);
    const Tensor& src = *job.src;
    const quant::Scheme& s = job.scheme;
    // Already stored in the planned type: keep the bytes (llama-quantize does the same).
    if (src.dtype == s.dtype)
        return src;
    std::vector<float> storage;
    PRECIS_TRY_ASSIGN(const float* w, floatValues(src, storage));
    const int64_t rows = src.rows(), cols = src.cols();
    PRECIS_TRY_ASSIGN(std::vector<uint8_t> bytes, quant::encode(s, w, rows, cols, job.importance));
    releaseMappedPages(src.data, src.nbytes);  // read once: the file's pages are not kept
    return ownedTensor(src, s.dtype, std::move(bytes));
}

// A model with the metadata, config and tokenizer of `original` and the given tensors.
std::shared_ptr<Model> modelLike(const Model& original)
{
    auto m = std::make_shared<Model>();
    m->path = original.path;
    m->format = original.format;
    m->fileBytes = 0;  // not on disk
    m->config = original.config;
    m->tokenizer = original.tokenizer;
    m->metadata = original.metadata;
    return m;
}

} // namespace

Result<std::shared_ptr<Model>> compressModel(const Model& original, const CompressionPlan& plan,
                                             const std::map<std::string, std::vector<float>>* importance,
                                             Progress* progress, const CancelToken* cancel)
{
    PRECIS_TRY_ASSIGN(const std::vector<ResolvedAssignment> resolved, resolvePlan(original, plan));
    std::vector<Job> jobs(resolved.size());
    int64_t totalWeights = 0;
    for (size_t i = 0; i < resolved.size(); ++i) {
        Job& job = jobs[i];
        job.src = resolved[i].tensor;
        job.scheme = resolved[i].scheme;
        job.slices = resolved[i].slices;
        job.label = assignmentLabel(plan.tensors[i]);
        totalWeights += job.src->numel();
        if (!importance)
            continue;
        const auto it = importance->find(job.src->name);
        if (it == importance->end())
            continue;
        if (int64_t(it->second.size()) != job.src->cols())
            return tensorError(job, makeError(ErrorCode::InvalidArgument, "",
                                              "importance has " + std::to_string(it->second.size()) +
                                                  " values, expected one per column (" +
                                                  std::to_string(job.src->cols()) + ")"));
        job.importance = it->second.data();
    }

    // Big tensors first so the last task to finish is a small one.
    std::vector<size_t> order(jobs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return jobs[a].src->numel() > jobs[b].src->numel(); });
    std::atomic<int64_t> done{0};
    std::atomic<bool> failed{false};
    // Each worker takes the largest tensor left (a split range would pair the
    // largest with a middle one and leave a big one to finish last).
    std::atomic<size_t> next{0};
    const int workers = std::max(1, std::min(activeThreadCount(), int(order.size())));
    tbb::parallel_for(0, workers, [&](int) {
        for (size_t k = next++; k < order.size(); k = next++) {
            if (failed.load() || (cancel && cancel->cancelled())) return;
            Job& job = jobs[order[k]];
            auto t = encodeTensor(job);
            if (!t.ok()) {
                job.error = tensorError(job, t.error());
                failed = true;
                return;
            }
            job.out = std::move(t).value();
            const int64_t d = done += job.src->numel();
            if (progress)
                progress->report(totalWeights > 0 ? double(d) / double(totalWeights) : 1.0, "compress " + job.src->name);
        }
    });
    for (const Job& job : jobs)  // the first failing tensor in plan order
        if (job.error) return *job.error;
    if (cancel && cancel->cancelled())
        return makeError(ErrorCode::Cancelled, original.path, "compression cancelled");

    std::unordered_map<std::string, const Job*> byName;
    for (const Job& job : jobs) byName[job.src->name] = &job;
    auto model = modelLike(original);
    for (const Tensor& t : original.tensors()) {
        const auto it = byName.find(t.name);
        model->addTensor(it == byName.end() ? t : it->second->out);
    }
    PRECIS_TRY(model->validate());
    return model;
}

std::vector<std::pair<std::string, std::string>> rtnTensors(const Model& model)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const Tensor& t : model.tensors())
        if (isRtn(t.dtype)) out.emplace_back(t.name, std::string(dtypeName(t.dtype)));
    return out;
}

ModelSize modelSize(const Model& model)
{
    ModelSize s;
    for (const Tensor& t : model.tensors()) {
        s.weights += t.numel();
        s.bytes += int64_t(t.nbytes);
    }
    return s;
}

Result<ExportReport> exportGguf(const Model& model, const std::string& path, NativeTensors native)
{
    ExportReport report;
    const auto found = nativeTensors(model);
    const Model* out = &model;
    std::shared_ptr<const Model> converted;
    if (!found.empty()) {
        if (native == NativeTensors::Refuse) {
            const bool rtn = found.front().second.rfind("RTN", 0) == 0;
            return makeError(ErrorCode::Unsupported, path + ": tensor '" + found.front().first + "'",
                             "is stored as " + found.front().second + ", and GGUF has " +
                                 (rtn ? "no RTN type" : "one type per tensor, not per slice") + " (" +
                                 std::to_string(found.size()) + " Precis-native tensors); choose GGUF schemes "
                                 "per tensor, or convert them (to F16, or to the nearest GGUF type)");
        }
        PRECIS_TRY_ASSIGN(ConvertedModel c, convertNativeTensors(model, native));
        converted = c.model;
        out = converted.get();
        report.notes = conversionNotes(c.conversions);
        report.conversions = std::move(c.conversions);
    }
    PRECIS_TRY(gguf::writeModel(*out, path));
    std::error_code ec;
    report.fileBytes = fs::file_size(path, ec);
    return report;
}

Result<ExportReport> exportSafetensors(const Model& model, const std::string& dir, DType dtype, Progress* progress,
                                       const CancelToken* cancel)
{
    if (dtype != DType::F32 && dtype != DType::F16 && dtype != DType::BF16)
        return makeError(ErrorCode::InvalidArgument, dir, "safetensors dtype " + std::string(dtypeName(dtype)) +
                                                              " is not supported, expected F32, F16 or BF16");
    std::error_code ec;
    const fs::path target(dir);
    const fs::path parent = target.parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec))
        return makeError(ErrorCode::Io, dir, "cannot write: the folder '" + parent.string() + "' does not exist");
    const bool existed = fs::exists(target, ec);
    if (existed && !fs::is_directory(target, ec))
        return makeError(ErrorCode::Io, dir, "exists and is not a folder");

    // Each tensor dequantized when the writer reaches it (one at a time: a 7B model's
    // fp32 values would not fit); a failure leaves nothing behind.
    std::vector<hf::HfTensorSource> tensors;
    const size_t count = model.tensors().size();
    for (size_t i = 0; i < count; ++i) {
        const Tensor& t = model.tensors()[i];
        tensors.push_back({t.name, t.shape, [&t, i, count, &dir, progress, cancel]() -> Result<std::vector<float>> {
                               if (cancel && cancel->cancelled())
                                   return makeError(ErrorCode::Cancelled, dir, "export cancelled");
                               if (progress) progress->report(double(i) / double(count + 1), "dequantize " + t.name);
                               PRECIS_TRY_ASSIGN(std::vector<float> v, quant::dequantize(t));
                               releaseMappedPages(t.data, t.nbytes);  // read once
                               return v;
                           }});
    }

    ExportReport report;
    if (!nativeTensors(model).empty())
        report.notes.push_back("tensors stored as RTN or in slices of their own types (head units) are written "
                               "with their values in " + std::string(dtypeName(dtype)));
    const std::string writeDir = existed ? dir : dir + ".tmp-precis";
    if (!existed) {
        fs::remove_all(writeDir, ec);
        if (!fs::create_directory(writeDir, ec))
            return makeError(ErrorCode::Io, writeDir, "cannot create folder: " + ec.message());
    }
    auto written = hf::writeHfFolder(model.config, model.tokenizer, tensors, writeDir, dtype);
    if (written.ok() && !existed) {
        fs::rename(writeDir, dir, ec);
        if (ec)
            written = makeError(ErrorCode::Io, dir, "cannot rename the temporary folder into place: " + ec.message());
    }
    if (!written.ok()) {
        if (!existed) fs::remove_all(writeDir, ec);
        return written.error();
    }
    for (const char* f : {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json"})
        if (const auto n = fs::file_size(target / f, ec); !ec) report.fileBytes += n;
    if (progress) progress->report(1.0, "export");
    return report;
}

} // namespace precis
