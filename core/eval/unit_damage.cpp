#include "eval/unit_damage.h"

#include "engine/backward.h"
#include "eval/compress.h"
#include "model/segmented.h"
#include "quant/block_formats.h"
#include "sensitivity/calibration_data.h"
#include "train/parameters.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <optional>

namespace precis {

namespace {

// The hyper-parameters that decide which tensors exist and how they are used;
// the original's context, RoPE and norm settings are the ones the measurement runs with.
Result<void> checkSameArchitecture(const Model& original, const Model& compressed, const std::string& where)
{
    const ModelConfig& a = original.config;
    const ModelConfig& b = compressed.config;
    const std::string other = "not the same architecture as the original '" + original.path + "': ";
    if (a.arch != b.arch) return makeError(ErrorCode::InvalidArgument, where, other + b.archName + " vs " + a.archName);
    const std::pair<const char*, std::pair<int, int>> fields[] = {
        {"n_layer", {b.nLayer, a.nLayer}},     {"n_embd", {b.nEmbd, a.nEmbd}},
        {"n_head", {b.nHead, a.nHead}},        {"n_head_kv", {b.nHeadKv, a.nHeadKv}},
        {"n_ff", {b.nFf, a.nFf}},              {"n_vocab", {b.nVocab, a.nVocab}},
        {"tied output", {b.tiedOutput, a.tiedOutput}}, {"q/k/v bias", {b.qkvBias, a.qkvBias}},
    };
    for (const auto& [name, v] : fields)
        if (v.first != v.second)
            return makeError(ErrorCode::InvalidArgument, where,
                             other + name + " " + std::to_string(v.first) + ", expected " + std::to_string(v.second));
    return {};
}

bool sameBytes(const Tensor& a, const Tensor& b)
{
    if (a.dtype != b.dtype || a.nbytes != b.nbytes) return false;
    return a.nbytes == 0 || std::memcmp(a.data, b.data, a.nbytes) == 0;
}

struct Job {
    const Tensor* tensor = nullptr;  // the compressed one
    std::string scheme;
};

// Names the tensor an error came from (the engine's and the codecs' errors name the file or nothing).
Error aboutTensor(Error e, const std::string& where, const std::string& tensor)
{
    const std::string what = "tensor '" + tensor + "'";
    e.where = e.where.empty() ? where + ": " + what : e.where + ": " + what;
    return e;
}

} // namespace

double meanKl(std::span<const float> ref, std::span<const float> other, int64_t rows, int64_t vocab)
{
    if (rows <= 0 || vocab <= 0) return 0;
    std::vector<double> perRow(static_cast<size_t>(rows));
    tbb::parallel_for(int64_t(0), rows, [&](int64_t r) {
        const float* a = ref.data() + r * vocab;
        const float* b = other.data() + r * vocab;
        const float ma = *std::max_element(a, a + vocab), mb = *std::max_element(b, b + vocab);
        double za = 0, zb = 0;
        for (int64_t v = 0; v < vocab; ++v) za += std::exp(double(a[v]) - ma), zb += std::exp(double(b[v]) - mb);
        const double la = std::log(za) + ma, lb = std::log(zb) + mb;
        double kl = 0;
        for (int64_t v = 0; v < vocab; ++v) {
            const double lpa = a[v] - la, lpb = b[v] - lb;
            kl += std::exp(lpa) * (lpa - lpb);
        }
        perRow[size_t(r)] = std::max(0.0, kl);
    });
    double s = 0;  // in row order: the same sum whatever the thread count
    for (double v : perRow) s += v;
    return s / double(rows);
}

Result<std::vector<UnitDamage>> measureUnitDamage(const Model& original, const Model& compressed,
                                                  std::span<const int32_t> tokens, const UnitDamageOptions& options,
                                                  Progress* progress, const CancelToken* cancel)
{
    const std::string where = compressed.path.empty() ? std::string("compressed model") : compressed.path;
    const auto cancelled = [] { return makeError(ErrorCode::Cancelled, {}, "per-tensor measurement cancelled"); };
    auto report = [&](double f, const std::string& s) {
        if (progress) progress->report(f, s);
    };
    PRECIS_TRY(checkSameArchitecture(original, compressed, where));
    const ModelConfig& c = original.config;

    // The windows, as a calibration cuts them (BOS in front when the vocabulary has one).
    const int32_t bos = original.tokenizer.bos >= 0 && original.tokenizer.bos < c.nVocab ? original.tokenizer.bos : -1;
    PRECIS_TRY_ASSIGN(sensitivity::CalibrationSet windows,
                      sensitivity::calibrationFromTokens(tokens, bos, "per-tensor measurement", c, options.sequences,
                                                         options.length, options.seed));
    const int N = windows.sequences, T = windows.length;

    // The tensors the compression changed, in the architecture's order.
    PRECIS_TRY(original.validate());
    std::vector<Job> jobs;
    for (const auto& [name, shape] : original.expectedTensors()) {
        if (shape.size() != 2) continue;
        const Tensor* a = original.find(name);
        const Tensor* b = compressed.find(name);
        if (!b) return makeError(ErrorCode::InvalidArgument, where, "tensor '" + name + "' is missing");
        if (b->shape != a->shape)
            return makeError(ErrorCode::InvalidArgument, where,
                             "tensor '" + name + "' has shape " + shapeString(b->shape) + ", the original's is " +
                                 shapeString(a->shape));
        if (sameBytes(*a, *b)) continue;
        jobs.push_back({b, tensorTypeName(*b)});
    }
    if (jobs.empty()) return std::vector<UnitDamage>{};
    if (cancel && cancel->cancelled()) return cancelled();

    report(0.0, "measuring the original on " + std::to_string(N) + " × " + std::to_string(T) + " tokens");
    PRECIS_TRY_ASSIGN(Parameters params, storedParameters(original));
    auto base = lossAndLogits(params, windows.tokens, N, T, {}, cancel);
    if (!base.ok()) return base.error();
    const int64_t rows = int64_t(N) * T;

    // One job per tensor: the original with that tensor's compressed values.
    std::vector<UnitDamage> out(jobs.size());
    std::vector<std::optional<Error>> errors(jobs.size());
    std::atomic<bool> failed{false};
    std::atomic<int> done{0};
    tbb::parallel_for(size_t(0), jobs.size(), size_t(1), [&](size_t j) {
        if (failed || (cancel && cancel->cancelled())) return;
        const Job& job = jobs[j];
        const std::string& name = job.tensor->name;
        auto values = quant::dequantize(*job.tensor);
        if (!values.ok()) {
            errors[j] = aboutTensor(values.error(), where, name);
            failed = true;
            return;
        }
        const TensorOverride replaced{name, values->data()};
        auto r = lossAndLogits(params, windows.tokens, N, T, std::span(&replaced, 1), cancel);
        if (!r.ok()) {
            if (r.error().code != ErrorCode::Cancelled) errors[j] = aboutTensor(r.error(), where, name), failed = true;
            return;
        }
        out[j] = {name, job.scheme, r->loss - base->loss, meanKl(base->logits, r->logits, rows, c.nVocab)};
        const int n = ++done;
        report(double(n) / double(jobs.size()),
               "measuring tensors " + std::to_string(n) + "/" + std::to_string(jobs.size()) + ": " + name);
    });
    for (auto& e : errors)  // the first tensor's error, whatever ran first
        if (e) return *e;
    if (cancel && cancel->cancelled()) return cancelled();
    return out;
}

} // namespace precis
