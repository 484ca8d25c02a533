#include "eval/compress_methods.h"

#include "common/mapped_file.h"
#include "common/threads.h"
#include "eval/compress.h"
#include "quant/scheme.h"
#include "sensitivity/calibration.h"
#include "sensitivity/calibration_memory.h"
#include "train/parameters.h"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <tuple>
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

// The statistics pass's settings: full Gram matrices for GPTQ (up to the widest
// planned input) and AWQ, their diagonal alone for plain rounding's importance.
sensitivity::CalibrationSettings statisticsSettings(const Model& original, const CompressionPlan& plan,
                                                    const MethodOptions& options)
{
    int gramLimit = 0;
    if (options.method == CompressionMethod::Gptq)
        for (const TensorAssignment& a : plan.tensors)
            if (const Tensor* t = original.find(a.tensor); t && t->shape.size() == 2)
                gramLimit = std::max<int>(gramLimit, int(t->shape[1]));
    sensitivity::CalibrationSettings s;
    s.batchSequences = options.batchSequences;
    s.fullGramLimit = options.method == CompressionMethod::Rtn ? 0 : std::max(gramLimit, 4096);
    s.spillGrams = options.spillGrams;
    s.scratchDir = options.scratchDir;
    return s;
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
    // Statistics (full Gram matrices for GPTQ and AWQ).
    // AWQ scales the weights (it needs them as fp32); the others read them as stored.
    PRECIS_TRY_ASSIGN(Parameters params, options.method == CompressionMethod::Awq ? parametersFromModel(original)
                                                                                   : storedParameters(original));
    Progress statsProgress = subProgress(progress, 0.0, 0.4);
    PRECIS_TRY_ASSIGN(auto stats, sensitivity::collectStatistics(params, *calibration,
                                                                 statisticsSettings(original, plan, options),
                                                                 &statsProgress, cancel));
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

    // GPTQ for every planned tensor with a full Gram matrix and an integer scheme;
    // the rest of the plan as plain rounding (which also gives the model's structure).
    CompressionPlan others = plan;
    others.tensors.clear();
    std::vector<const TensorAssignment*> gptq;
    for (const TensorAssignment& a : plan.tensors) {
        auto st = stats.linear.find(a.tensor);
        const auto scheme = quant::parseScheme(a.scheme);
        const ParameterTensor* w = params.find(a.tensor);
        if (scheme.ok() && scheme->kind != quant::SchemeKind::Float && w && st != stats.linear.end() &&
            st->second.fullGram)
            gptq.push_back(&a);
        else
            others.tensors.push_back(a);
    }
    Progress encode = subProgress(progress, 0.4, 0.5);
    PRECIS_TRY_ASSIGN(auto base, compressModel(original, others, nullptr, &encode, cancel));
    std::map<std::string, Tensor> replaced;
    std::mutex mutex;
    std::atomic<bool> failed{false};
    Error firstError;
    std::atomic<size_t> done{0};
    auto one = [&](size_t i) {
        if (failed || (cancel && cancel->cancelled())) return;
        const TensorAssignment& a = *gptq[i];
        auto fail = [&](const Error& e) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!failed.exchange(true)) firstError = e;
        };
        auto scheme = quant::parseScheme(a.scheme);
        const ParameterTensor* w = params.find(a.tensor);
        auto st = stats.linear.find(a.tensor);
        const Tensor* like = original.find(a.tensor);
        if (!scheme.ok()) return fail(scheme.error());
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
        if (progress) progress->report(0.5 + 0.5 * double(++done) / double(gptq.size()), "GPTQ: " + a.tensor);
    };
    // Tensors side by side (each GPTQ runs serially), at most gptqAtOnce at a time.
    const int atOnce = options.gptqAtOnce > 0 ? std::min(options.gptqAtOnce, activeThreadCount()) : activeThreadCount();
    tbb::task_arena arena(atOnce);
    arena.execute([&] { tbb::parallel_for(size_t(0), gptq.size(), one); });
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

Result<MemoryEstimate> estimateCompressionMemory(const Model& original, const CompressionPlan& plan,
                                                 const MethodOptions& options, int sequences, int length, int threads)
{
    if (threads <= 0) threads = activeThreadCount();
    PRECIS_TRY_ASSIGN(const auto resolved, resolvePlan(original, plan));
    const bool calibrated = sequences > 0 && length > 0;
    const bool gptq = calibrated && options.method == CompressionMethod::Gptq;
    const sensitivity::CalibrationSettings settings = statisticsSettings(original, plan, options);

    // The compressed tensors, and the largest tensor one thread encodes: its
    // values as fp32, the file's pages it reads them from, its encoding.
    uint64_t compressed = 0, gptqGram = 0;
    std::vector<uint64_t> gptqWork;                            // per GPTQ tensor
    std::vector<std::tuple<int64_t, uint64_t, uint64_t>> jobs;  // (values, work, encoded bytes) per tensor
    for (const ResolvedAssignment& r : resolved) {
        const Tensor& t = *r.tensor;
        const int64_t rows = t.rows(), cols = t.cols();
        if (r.slices.empty() && r.scheme.dtype == t.dtype) continue;  // kept as stored
        const uint64_t out = plannedBytes(r);
        compressed += out;
        const uint64_t source = isMappedMemory(t.data) ? t.nbytes : 0;
        const bool inPlace = t.dtype == DType::F32 && reinterpret_cast<uintptr_t>(t.data) % alignof(float) == 0;
        jobs.emplace_back(t.numel(), (inPlace ? 0 : uint64_t(t.numel()) * 4) + source + out, out);
        if (gptq && r.slices.empty() && r.scheme.kind != quant::SchemeKind::Float && t.shape.size() == 2 &&
            cols <= settings.fullGramLimit) {
            // Two K×K matrices in double (H or its factors), the weight twice in
            // double (working copy and quantized), read as fp32, and its encoding.
            const uint64_t K = uint64_t(cols);
            gptqWork.push_back(2 * K * K * 8 + uint64_t(rows * cols) * (16 + 4) + source + out);
            gptqGram = std::max(gptqGram, K * K * 8);
        }
    }
    // The n largest, as many as run at once (the largest tensors go first).
    auto largest = [](std::vector<uint64_t> v, int n) {
        std::sort(v.begin(), v.end(), std::greater<>());
        uint64_t sum = 0;
        for (size_t i = 0; i < v.size() && i < size_t(n); ++i) sum += v[i];
        return sum;
    };
    // compressModel encodes the largest tensors first, one per thread: the peak
    // is the encodings done so far and the `threads` tensors in hand, at the
    // moment where that is largest.
    std::stable_sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
    uint64_t done = 0, peakDone = 0, peakWork = 0;
    for (size_t k = 0; k < jobs.size(); ++k) {
        uint64_t inHand = 0;
        for (size_t j = k; j < jobs.size() && j < k + size_t(threads); ++j) inHand += std::get<1>(jobs[j]);
        if (done + inHand > peakDone + peakWork) peakDone = done, peakWork = inHand;
        done += std::get<2>(jobs[k]);
    }
    MemoryEstimate e;
    e.job = "compression";
    std::vector<MemoryItem> encode = {
        {"compressed tensors", compressed},
        {"one tensor read and encoded per thread (" + std::to_string(threads) + ")", peakWork},
    };
    if (!calibrated) {
        // At the peak only the encodings finished by then are held.
        encode[0] = {"compressed tensors finished by then", peakDone};
    }
    if (!calibrated) {
        e.items = encode;
        return e;
    }
    if (options.method == CompressionMethod::Awq) {
        // AWQ scales an fp32 copy of the model, then encodes it.
        e.items.push_back({"the model as fp32 (AWQ scales a copy)", uint64_t(original.parameterCount()) * 4});
    }
    const MemoryEstimate stats = sensitivity::estimateStatisticsMemory(original.config, sequences, length, settings,
                                                                       threads);
    if (!gptq) {
        // The statistics are kept while the tensors are encoded.
        const uint64_t statsTotal = stats.total();
        uint64_t lasting = 0;  // statistics still held while encoding: all but the pass's working memory
        for (const MemoryItem& i : stats.items)
            if (i.what.rfind("activations", 0) != 0 && i.what.rfind("one block", 0) != 0 &&
                i.what.rfind("gradients", 0) != 0 && i.what.rfind("one batch", 0) != 0)
                lasting += i.bytes;
        if (statsTotal > lasting + encode[0].bytes + encode[1].bytes) {
            e.items.insert(e.items.end(), stats.items.begin(), stats.items.end());
        } else {
            e.items.push_back({"calibration statistics", lasting});
            e.items.insert(e.items.end(), encode.begin(), encode.end());
        }
        return e;
    }
    // GPTQ: after the pass, the Gram matrices (resident, or the ones being read),
    // the compressed tensors and each concurrent tensor's work.
    const int atOnce = options.gptqAtOnce > 0 ? std::min(options.gptqAtOnce, threads) : threads;
    uint64_t grams = 0;
    for (const MemoryItem& i : stats.items)
        if (i.what.find("Gram matrices") != std::string::npos && i.what.rfind("one batch", 0) != 0) grams = i.bytes;
    std::vector<MemoryItem> gptqStage = {
        {options.spillGrams ? "Gram matrices being read (the others in the scratch file)" : "input Gram matrices",
         options.spillGrams ? uint64_t(atOnce) * gptqGram : grams},
        {"compressed tensors", compressed},
        {"GPTQ work, " + std::to_string(atOnce) + " tensor" + (atOnce == 1 ? "" : "s") + " at once",
         largest(gptqWork, atOnce)},
    };
    for (const MemoryItem& i : stats.items)
        if (i.what.rfind("tensors outside the blocks", 0) == 0) gptqStage.push_back(i);
    auto sum = [](const std::vector<MemoryItem>& v) {
        uint64_t t = 0;
        for (const MemoryItem& i : v) t += i.bytes;
        return t;
    };
    if (stats.total() >= sum(gptqStage)) e.items.insert(e.items.end(), stats.items.begin(), stats.items.end());
    else e.items.insert(e.items.end(), gptqStage.begin(), gptqStage.end());
    return e;
}

Result<MemoryEstimate> fitCompressionMemory(const Model& original, const CompressionPlan& plan, MethodOptions& options,
                                            int sequences, int length, uint64_t limit, int threads)
{
    PRECIS_TRY_ASSIGN(MemoryEstimate e, estimateCompressionMemory(original, plan, options, sequences, length, threads));
    if (e.total() <= limit) return e;
    const bool calibrated = sequences > 0 && length > 0;
    // What changes no result: the Gram matrices in a scratch file, then one GPTQ tensor at a time.
    for (int step = 0; step < 2 && calibrated; ++step) {
        MethodOptions changed = options;
        if (step == 0) {
            if (options.method == CompressionMethod::Rtn || options.spillGrams) continue;
            changed.spillGrams = true;
        } else {
            if (options.method != CompressionMethod::Gptq || options.gptqAtOnce == 1) continue;
            changed.gptqAtOnce = 1;
        }
        PRECIS_TRY_ASSIGN(MemoryEstimate w, estimateCompressionMemory(original, plan, changed, sequences, length, threads));
        if (w.total() >= e.total()) continue;
        options = changed;
        e = std::move(w);
        if (e.total() <= limit) return e;
    }
    std::string advice;
    if (calibrated && options.batchSequences > 1) {
        MethodOptions small = options;
        small.batchSequences = 1;
        PRECIS_TRY_ASSIGN(MemoryEstimate w, estimateCompressionMemory(original, plan, small, sequences, length, threads));
        if (w.total() <= limit)
            advice = "with a statistics batch of 1 sequence it would need " + formatBytes(w.total());
    }
    if (advice.empty()) {
        PRECIS_TRY_ASSIGN(MemoryEstimate w, estimateCompressionMemory(original, plan, options, sequences, length, 1));
        advice = w.total() <= limit ? "with one thread (--threads 1) it would need " + formatBytes(w.total())
                                    : "no setting makes it fit (raise the limit, or compress fewer tensors)";
    }
    return checkMemory(e, limit, advice).error();
}

} // namespace precis
