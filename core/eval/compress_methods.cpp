#include "eval/compress_methods.h"

#include "eval/compress.h"
#include "quant/scheme.h"
#include "sensitivity/calibration.h"
#include "train/parameters.h"

#include <tbb/parallel_for.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>

namespace precis {

namespace {

// Column importance of each planned tensor: its mean x² per input channel.
std::map<std::string, std::vector<float>> importanceOf(const sensitivity::CalibrationStats& stats,
                                                       const CompressionPlan& plan)
{
    std::map<std::string, std::vector<float>> out;
    const double perToken = 1.0 / double(std::max<int64_t>(1, stats.tokens));
    for (const TensorAssignment& a : plan.tensors) {
        auto it = stats.linear.find(a.tensor);
        if (it == stats.linear.end()) continue;
        const sensitivity::LinearStats& L = it->second;
        std::vector<float> v(static_cast<size_t>(L.cols));
        for (int64_t c = 0; c < L.cols; ++c)
            v[size_t(c)] = float((L.fullGram ? (*L.gram)[size_t(c * L.cols + c)] : (*L.gram)[size_t(c)]) * perToken);
        out[a.tensor] = std::move(v);
    }
    return out;
}

Progress subProgress(Progress* parent, double from, double to)
{
    return Progress([parent, from, to](double f, const std::string& stage) {
        if (parent) parent->report(from + (to - from) * f, stage);
    });
}

} // namespace

const char* compressionMethodName(CompressionMethod m)
{
    switch (m) {
    case CompressionMethod::Rtn: return "rtn";
    case CompressionMethod::Gptq: return "gptq";
    case CompressionMethod::Awq: return "awq";
    }
    return "rtn";
}

Result<CompressionMethod> parseCompressionMethod(const std::string& name)
{
    if (name == "rtn") return CompressionMethod::Rtn;
    if (name == "gptq") return CompressionMethod::Gptq;
    if (name == "awq") return CompressionMethod::Awq;
    return makeError(ErrorCode::InvalidArgument, "method", "'" + name + "', expected rtn, gptq or awq");
}

Result<std::shared_ptr<Model>> compressWithMethod(const Model& original, const CompressionPlan& plan,
                                                  const MethodOptions& options,
                                                  const sensitivity::CalibrationSet* calibration, Progress* progress,
                                                  const CancelToken* cancel)
{
    PRECIS_TRY(resolvePlan(original, plan));
    if (options.method != CompressionMethod::Rtn)
        for (const TensorAssignment& a : plan.tensors)
            if (a.sliced())
                return makeError(ErrorCode::Unsupported, "tensor '" + a.tensor + "' (" + assignmentLabel(a) + ")",
                                 std::string(options.method == CompressionMethod::Gptq ? "GPTQ" : "AWQ") +
                                     " needs one scheme per tensor: allocate per tensor or per layer, or use RTN");
    if (!calibration) {
        if (options.method != CompressionMethod::Rtn)
            return makeError(ErrorCode::InvalidArgument, "method",
                             std::string(compressionMethodName(options.method)) + " needs calibration text");
        return compressModel(original, plan, nullptr, progress, cancel);
    }
    // Statistics (full Gram matrices for GPTQ).
    // AWQ scales the weights (it needs them as fp32); the others read them as stored.
    PRECIS_TRY_ASSIGN(Parameters params, options.method == CompressionMethod::Awq ? parametersFromModel(original)
                                                                                   : storedParameters(original));
    int gramLimit = 0;
    if (options.method == CompressionMethod::Gptq)
        for (const TensorAssignment& a : plan.tensors)
            if (const ParameterTensor* t = params.find(a.tensor); t && t->shape.size() == 2)
                gramLimit = std::max<int>(gramLimit, int(t->shape[1]));
    Progress statsProgress = subProgress(progress, 0.0, 0.4);
    PRECIS_TRY_ASSIGN(auto stats, sensitivity::collectStatistics(params, *calibration, options.batchSequences,
                                                                 std::max(gramLimit, 4096), &statsProgress, cancel));
    Progress rest = subProgress(progress, 0.4, 1.0);

    if (options.method == CompressionMethod::Rtn) {
        const auto importance = importanceOf(stats, plan);
        return compressModel(original, plan, &importance, &rest, cancel);
    }
    if (options.method == CompressionMethod::Awq) {
        std::map<std::string, quant::Scheme> schemes;
        for (const TensorAssignment& a : plan.tensors) {
            PRECIS_TRY_ASSIGN(quant::Scheme s, quant::parseScheme(a.scheme));
            schemes[a.tensor] = s;
        }
        Progress awqProgress = subProgress(progress, 0.4, 0.8);
        PRECIS_TRY(quant::applyAwq(params, stats, schemes, options.awq, &awqProgress, cancel));
        // The scaled weights, as F32 tensors of a model with the original's identity.
        std::shared_ptr<Model> scaled = modelFromParameters(params, original.tokenizer);
        scaled->path = original.path;
        scaled->format = original.format;
        scaled->metadata = original.metadata;
        scaled->config = original.config;
        Progress encode = subProgress(progress, 0.8, 1.0);
        return compressModel(*scaled, plan, nullptr, &encode, cancel);
    }

    // GPTQ: the plan's encoding gives the model's structure (and validates it);
    // each planned tensor is then replaced by its GPTQ encoding.
    Progress encode = subProgress(progress, 0.4, 0.5);
    PRECIS_TRY_ASSIGN(auto base, compressModel(original, plan, nullptr, &encode, cancel));
    std::map<std::string, Tensor> replaced;
    std::mutex mutex;
    std::atomic<bool> failed{false};
    Error firstError;
    std::atomic<size_t> done{0};
    tbb::parallel_for(size_t(0), plan.tensors.size(), [&](size_t i) {
        if (failed || (cancel && cancel->cancelled())) return;
        const TensorAssignment& a = plan.tensors[i];
        auto fail = [&](const Error& e) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!failed.exchange(true)) firstError = e;
        };
        auto scheme = quant::parseScheme(a.scheme);
        const ParameterTensor* w = params.find(a.tensor);
        auto st = stats.linear.find(a.tensor);
        const Tensor* like = base->find(a.tensor);
        if (!scheme.ok()) return fail(scheme.error());
        if (!w || !like || st == stats.linear.end() || !st->second.fullGram) return;  // no statistics: keep RTN
        if (scheme->kind == quant::SchemeKind::Float) return;
        auto values = TensorValues::of(params, size_t(w - params.tensors.data()));  // read as stored
        if (!values.ok()) return fail(values.error());
        auto bytes = quant::gptqQuantize(*scheme, values->data(), w->shape[0], w->shape[1], st->second.gram->data(),
                                         options.gptq, "GPTQ: tensor '" + a.tensor + "'", nullptr, cancel);
        st->second.gram->release();
        if (!bytes.ok()) return fail(bytes.error());
        auto owned = std::make_shared<std::vector<uint8_t>>(std::move(bytes).value());
        Tensor t;
        t.name = a.tensor;
        t.dtype = scheme->dtype;
        t.shape = like->shape;
        t.data = reinterpret_cast<const std::byte*>(owned->data());
        t.nbytes = owned->size();
        t.owner = owned;
        {
            std::lock_guard<std::mutex> lock(mutex);
            replaced[a.tensor] = std::move(t);
        }
        if (progress)
            progress->report(0.5 + 0.5 * double(++done) / double(plan.tensors.size()), "GPTQ: " + a.tensor);
    });
    if (failed) return firstError;
    if (cancel && cancel->cancelled()) return makeError(ErrorCode::Cancelled, "GPTQ", "compression cancelled");
    auto out = std::make_shared<Model>();
    out->path = base->path;
    out->format = base->format;
    out->fileBytes = base->fileBytes;
    out->config = base->config;
    out->tokenizer = base->tokenizer;
    out->metadata = base->metadata;
    for (const Tensor& t : base->tensors()) {
        auto it = replaced.find(t.name);
        out->addTensor(it == replaced.end() ? t : it->second);
    }
    return out;
}

} // namespace precis
