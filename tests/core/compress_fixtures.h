// The small model and helpers shared by the compression tests (tst_compress,
// tst_compare): a 2-layer Llama whose rows take every block format, engines and
// uniform compressions that abort the test binary on error.
#pragma once

#include "engine/engine.h"
#include "eval/compress.h"
#include "eval/compression_plan.h"
#include "model/random_model.h"

#include <QtGlobal>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace precis::test {

// 2 layers, every row a multiple of 256 (K-quants fit everywhere), or a
// 172-wide feed-forward (stories260K's shape) that no block format divides.
inline std::shared_ptr<Model> tinyModel(int nFf = 512, float stddev = 0.05f)
{
    ModelConfig c;
    c.arch = Arch::Llama;
    c.archName = "llama";
    c.nLayer = 2; c.nEmbd = 256; c.nHead = 4; c.nHeadKv = 2; c.nFf = nFf; c.nVocab = 300; c.nCtx = 128;
    auto m = makeRandomModel(c, 11, stddev);
    m->path = "tiny.gguf";
    m->metadata.emplace_back("general.name", "tiny");
    return m;
}

inline std::unique_ptr<Engine> engineFor(std::shared_ptr<const Model> m)
{
    auto e = Engine::create(std::move(m));
    if (!e.ok()) qFatal("%s", e.error().toString().c_str());
    return std::move(e).value();
}

// BOS (id 1), then a fixed pseudo-random walk over the vocabulary.
inline std::vector<int32_t> someIds(int n, int vocab)
{
    std::vector<int32_t> ids{1};
    for (int i = 1; i < n; ++i) ids.push_back(int32_t((i * 53 + 17) % vocab));
    return ids;
}

inline std::shared_ptr<Model> compressOrDie(const Model& m, const CompressionPlan& plan,
                                            const std::map<std::string, std::vector<float>>* importance = nullptr)
{
    auto r = compressModel(m, plan, importance);
    if (!r.ok()) qFatal("%s", r.error().toString().c_str());
    return std::move(r).value();
}

inline CompressionPlan uniformOrDie(const Model& m, const std::string& scheme)
{
    auto u = uniformPlan(m, scheme);
    if (!u.ok()) qFatal("%s", u.error().toString().c_str());
    return u->plan;
}

} // namespace precis::test
