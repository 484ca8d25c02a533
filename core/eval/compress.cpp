#include "eval/compress.h"

#include "formats/gguf.h"
#include "formats/hf_writer.h"
#include "quant/block_formats.h"
#include "quant/scheme.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <unordered_map>

namespace precis {

namespace fs = std::filesystem;

namespace {

struct Job {
    const Tensor* src = nullptr;
    quant::Scheme scheme;
    const float* importance = nullptr;  // cols values, or nullptr
    Tensor out;
    std::optional<Error> error;
};

Error tensorError(const Job& job, const Error& e)
{
    return makeError(e.code, "tensor '" + job.src->name + "' (" + job.scheme.name() + ")", e.message);
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

Result<Tensor> encodeTensor(const Job& job)
{
    const Tensor& src = *job.src;
    const quant::Scheme& s = job.scheme;
    // Already stored in the planned type: keep the bytes (llama-quantize does the same).
    if (src.dtype == s.dtype)
        return src;
    std::vector<float> storage;
    PRECIS_TRY_ASSIGN(const float* w, floatValues(src, storage));
    const int64_t rows = src.rows(), cols = src.cols();
    PRECIS_TRY_ASSIGN(std::vector<uint8_t> bytes, quant::encode(s, w, rows, cols, job.importance));
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
    tbb::task_group_context context;
    tbb::parallel_for(tbb::blocked_range<size_t>(0, order.size(), 1), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t k = r.begin(); k != r.end(); ++k) {
            if (failed.load() || (cancel && cancel->cancelled())) {
                context.cancel_group_execution();
                return;
            }
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
    }, context);
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

Result<ExportReport> exportGguf(const Model& model, const std::string& path, RtnTensors rtn)
{
    ExportReport report;
    const auto sims = rtnTensors(model);
    const Model* out = &model;
    std::shared_ptr<Model> converted;
    if (!sims.empty()) {
        if (rtn == RtnTensors::Refuse)
            return makeError(ErrorCode::Unsupported, path + ": tensor '" + sims.front().first + "'",
                             "is stored as " + sims.front().second + ", and GGUF has no RTN type (" +
                                 std::to_string(sims.size()) + " such tensors); choose a GGUF scheme for them, "
                                 "or store them as F16 (no size saving)");
        // Same tensors, the RTN ones decoded and stored as F16.
        CompressionPlan f16;
        for (const auto& [name, scheme] : sims) f16.tensors.push_back({name, "F16"});
        PRECIS_TRY_ASSIGN(converted, compressModel(model, f16));
        out = converted.get();
        report.notes.push_back(std::to_string(sims.size()) + " tensors compressed with RTN (e.g. '" + sims.front().first +
                               "', " + sims.front().second + ") are stored as F16: GGUF has no RTN type, so the "
                               "file keeps RTN's accuracy but not its size");
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

    // Dequantize everything first: a bad tensor fails before any file is touched.
    std::vector<std::vector<float>> values;
    values.reserve(model.tensors().size());
    std::vector<hf::HfTensorValues> tensors;
    size_t i = 0;
    for (const Tensor& t : model.tensors()) {
        if (cancel && cancel->cancelled())
            return makeError(ErrorCode::Cancelled, dir, "export cancelled");
        PRECIS_TRY_ASSIGN(std::vector<float> v, quant::dequantize(t));
        values.push_back(std::move(v));
        tensors.push_back({t.name, t.shape, values.back()});
        if (progress) progress->report(double(++i) / double(model.tensors().size() + 1), "dequantize " + t.name);
    }

    ExportReport report;
    if (!rtnTensors(model).empty())
        report.notes.push_back("tensors stored as RTN are written with their RTN values in " +
                               std::string(dtypeName(dtype)));
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
