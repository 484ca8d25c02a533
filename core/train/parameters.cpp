#include "train/parameters.h"

#include "common/mapped_file.h"

#include "quant/block_formats.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <new>

namespace precis {

namespace {

// splitmix64 (Steele, Lea & Flood 2014): a counter-based generator, so value i
// of tensor k is a pure function of (seed, k, i) and tensors fill in parallel
// with the same result for any thread count.
uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// Uniform in (0, 1]: the top 53 bits, offset by one ulp so log() never sees 0.
double unitOpen(uint64_t bits) { return (double(bits >> 11) + 1.0) * (1.0 / 9007199254740992.0); }

// Standard normal by Box–Muller from two uniforms derived from `counter`.
double normal(uint64_t stream, uint64_t counter)
{
    const uint64_t a = splitmix64(stream ^ splitmix64(2 * counter));
    const uint64_t b = splitmix64(stream ^ splitmix64(2 * counter + 1));
    return std::sqrt(-2.0 * std::log(unitOpen(a))) * std::cos(6.283185307179586 * unitOpen(b));
}

bool endsWith(const std::string& s, const char* suffix)
{
    const std::string t(suffix);
    return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

int64_t numelOf(const std::vector<int64_t>& shape)
{
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

} // namespace

const ParameterTensor* Parameters::find(const std::string& name) const
{
    for (const ParameterTensor& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

ParameterTensor* Parameters::find(const std::string& name)
{
    for (ParameterTensor& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

int64_t Parameters::count() const
{
    int64_t n = 0;
    for (const ParameterTensor& t : tensors) n += numelOf(t.shape);
    return n;
}

bool Parameters::isStored(size_t i) const { return stored && i < tensors.size() && tensors[i].values.empty() && numelOf(tensors[i].shape) > 0; }

Parameters Parameters::zerosLike() const
{
    Parameters z;
    z.config = config;
    z.tensors.reserve(tensors.size());
    for (const ParameterTensor& t : tensors)
        z.tensors.push_back({t.name, t.shape, std::vector<float>(size_t(numelOf(t.shape)), 0.0f)});
    return z;
}

Result<Parameters> parametersFromModel(const Model& model)
{
    PRECIS_TRY(model.validate());
    Parameters p;
    p.config = model.config;
    try {
        for (const auto& [name, shape] : model.expectedTensors()) {
            const Tensor* t = model.find(name);  // present: validate() checked names and shapes
            auto values = quant::dequantize(*t);
            if (!values.ok()) {
                Error e = values.error();
                if (e.where.empty()) e.where = model.path + ": tensor '" + name + "'";
                return e;
            }
            if (int64_t(values->size()) != numelOf(shape))
                return makeError(ErrorCode::Internal, model.path + ": tensor '" + name + "'",
                                 "dequantized " + std::to_string(values->size()) + " values, expected " +
                                     std::to_string(numelOf(shape)));
            p.tensors.push_back({name, shape, std::move(values).value()});
            // The fp32 copy is what the passes read: the file's pages need not stay resident too.
            releaseMappedPages(t->data, t->nbytes);
        }
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::Io, model.path, "not enough memory to hold the parameters as fp32");
    }
    return p;
}

Result<Parameters> storedParameters(const Model& model)
{
    PRECIS_TRY(model.validate());
    Parameters p;
    p.config = model.config;
    p.stored = &model;
    try {
        for (const auto& [name, shape] : model.expectedTensors()) {
            const Tensor* t = model.find(name);  // present: validate() checked names and shapes
            int layer = -1;
            const bool block = std::sscanf(name.c_str(), "blk.%d.", &layer) == 1 && layer >= 0;
            if (block) {
                if (auto ok = quant::checkDequantizable(*t); !ok.ok()) {
                    Error e = ok.error();
                    e.where = model.path + ": " + (e.where.empty() ? "tensor '" + name + "'" : e.where);
                    return e;
                }
                p.tensors.push_back({name, shape, {}});
                continue;
            }
            auto values = quant::dequantize(*t);
            if (!values.ok()) {
                Error e = values.error();
                e.where = model.path + ": " + (e.where.empty() ? "tensor '" + name + "'" : e.where);
                return e;
            }
            p.tensors.push_back({name, shape, std::move(values).value()});
            releaseMappedPages(t->data, t->nbytes);
        }
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::Io, model.path, "not enough memory for the tensors outside the blocks as fp32");
    }
    return p;
}

Result<TensorValues> TensorValues::of(const Parameters& p, size_t index, float* buffer)
{
    if (index >= p.tensors.size())
        return makeError(ErrorCode::InvalidArgument, "parameters", "tensor index " + std::to_string(index) + " out of range");
    const ParameterTensor& pt = p.tensors[index];
    TensorValues v;
    if (!p.isStored(index)) {
        v.m_data = pt.values.data();
        v.m_size = pt.values.size();
        return v;
    }
    const Tensor* t = p.stored->find(pt.name);
    if (!t || t->shape != pt.shape)
        return makeError(ErrorCode::InvalidArgument, p.stored->path + ": tensor '" + pt.name + "'",
                         "missing or reshaped since the parameters were made");
    v.m_file = t;
    v.m_size = size_t(numelOf(pt.shape));
    if (t->dtype == DType::F32 && t->nbytes == v.m_size * sizeof(float) && uintptr_t(t->data) % alignof(float) == 0) {
        v.m_data = reinterpret_cast<const float*>(t->data);
        return v;
    }
    try {
        float* out = buffer;
        if (!out) {
            v.m_own.resize(v.m_size);
            out = v.m_own.data();
        }
        PRECIS_TRY(quant::dequantizeInto(*t, std::span<float>(out, v.m_size)));
        v.m_data = out;
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::Io, p.stored->path + ": tensor '" + pt.name + "'",
                         "not enough memory to decode it to fp32");
    }
    return v;
}

TensorValues::TensorValues(TensorValues&& o) noexcept
    : m_data(o.m_data), m_size(o.m_size), m_own(std::move(o.m_own)), m_file(o.m_file)
{
    o.m_file = nullptr;
    o.m_data = nullptr;
    o.m_size = 0;
}

TensorValues& TensorValues::operator=(TensorValues&& o) noexcept
{
    if (this != &o) {
        release();
        m_data = o.m_data, m_size = o.m_size, m_own = std::move(o.m_own), m_file = o.m_file;
        o.m_file = nullptr, o.m_data = nullptr, o.m_size = 0;
    }
    return *this;
}

TensorValues::~TensorValues() { release(); }

void TensorValues::release()
{
    if (m_file) releaseMappedPages(m_file->data, m_file->nbytes);
    m_file = nullptr;
}

Parameters initParameters(const ModelConfig& config, uint64_t seed)
{
    Model shapeOnly;
    shapeOnly.config = config;
    Parameters p;
    p.config = config;
    // Residual projections write into the residual stream once per layer and
    // block: GPT-2 scales their init by 1/sqrt(2·nLayer) (Radford et al. 2019, §2.3).
    const double residualScale = 1.0 / std::sqrt(2.0 * std::max(1, config.nLayer));
    uint64_t k = 0;
    for (auto& [name, shape] : shapeOnly.expectedTensors()) {
        ParameterTensor t{name, shape, std::vector<float>(size_t(numelOf(shape)))};
        const bool isNorm = name.find("norm.weight") != std::string::npos;
        const bool isBias = endsWith(name, ".bias");
        if (isNorm || isBias) {
            std::fill(t.values.begin(), t.values.end(), isNorm ? 1.0f : 0.0f);
        } else {
            const bool residual = endsWith(name, "attn_output.weight") || endsWith(name, "ffn_down.weight");
            const double sd = 0.02 * (residual ? residualScale : 1.0);
            const uint64_t stream = splitmix64(seed ^ splitmix64(0x5eed0000ull + k));
            float* v = t.values.data();
            tbb::parallel_for(tbb::blocked_range<size_t>(0, t.values.size(), size_t(1) << 14),
                              [&](const tbb::blocked_range<size_t>& r) {
                                  for (size_t i = r.begin(); i < r.end(); ++i) v[i] = float(sd * normal(stream, i));
                              });
        }
        p.tensors.push_back(std::move(t));
        ++k;
    }
    return p;
}

std::shared_ptr<Model> modelFromParameters(const Parameters& p, TokenizerSpec tokenizer)
{
    auto m = std::make_shared<Model>();
    m->format = "memory";
    m->config = p.config;
    m->tokenizer = std::move(tokenizer);
    for (const ParameterTensor& t : p.tensors)
        m->addTensor(makeOwnedF32Tensor(t.name, t.shape, t.values));
    return m;
}

} // namespace precis
