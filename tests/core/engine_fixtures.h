// Models shared by the block-kernel and CUDA engine tests: small Llama and
// GPT-2 configurations whose rows fit every block format, and copies of a
// model with its matrices encoded in given GGUF types.
#pragma once

#include "model/model.h"
#include "quant/scheme.h"

#include <QtGlobal>

#include <memory>
#include <span>
#include <vector>

namespace precis::test {

// Every type with a kernel (and RTN layouts of three widths), cycled over the
// matrices of a mixed model.
inline const DType kMix[] = {DType::Q4_K, DType::Q8_0, DType::Q6_K, DType::Q5_0, DType::F16,  DType::Q4_0,
                             DType::Q5_K, DType::Q3_K, DType::Q2_K, DType::Q4_1, DType::Q5_1, DType::BF16,
                             DType::F32,  rtnDType({4, 128, false}), rtnDType({3, 64, true}), rtnDType({8, 32, false})};

inline quant::Scheme schemeOf(DType t)
{
    if (const auto l = rtnLayout(t)) return quant::rtnScheme(l->bits, l->group, l->asymmetric);
    return t == DType::F32 || t == DType::F16 || t == DType::BF16 ? quant::floatScheme(t) : quant::ggufScheme(t);
}

// A copy of `m` with every 2-D tensor encoded as types[i % n] (i counting the
// matrices) through quant::encode; vectors stay F32. dropBytesOf >= 0: that
// matrix claims one byte less than it holds (a malformed tensor).
inline std::shared_ptr<Model> encodeMatrices(const Model& m, std::span<const DType> types, int64_t dropBytesOf = -1)
{
    auto out = std::make_shared<Model>();
    out->path = m.path + " (encoded)";
    out->format = m.format;
    out->config = m.config;
    out->tokenizer = m.tokenizer;
    int i = 0;
    for (const Tensor& t : m.tensors()) {
        if (t.shape.size() < 2) {
            out->addTensor(t);
            continue;
        }
        const int index = i++;
        const DType type = types[size_t(index) % types.size()];
        auto bytes = quant::encode(schemeOf(type), reinterpret_cast<const float*>(t.data), t.rows(), t.cols());
        if (!bytes.ok()) qFatal("%s: %s", t.name.c_str(), bytes.error().toString().c_str());
        auto buf = std::make_shared<std::vector<uint8_t>>(std::move(bytes).value());
        Tensor q;
        q.name = t.name;
        q.dtype = type;
        q.shape = t.shape;
        q.data = reinterpret_cast<const std::byte*>(buf->data());
        q.nbytes = buf->size() - (index == dropBytesOf ? 1 : 0);
        q.owner = buf;
        out->addTensor(std::move(q));
    }
    return out;
}

inline ModelConfig llamaConfig()
{
    ModelConfig c;
    c.arch = Arch::Llama;
    c.nLayer = 2;
    c.nEmbd = 256;  // rows of 256: every K-quant fits
    c.nHead = 4;
    c.nHeadKv = 2;
    c.nFf = 512;
    c.nVocab = 300;
    c.nCtx = 64;
    return c;
}

inline ModelConfig gpt2Config()
{
    ModelConfig c;
    c.arch = Arch::Gpt2;
    c.nLayer = 2;
    c.nEmbd = 256;
    c.nHead = 4;
    c.nHeadKv = 4;
    c.nFf = 512;
    c.nVocab = 300;
    c.nCtx = 48;
    c.tiedOutput = true;
    return c;
}

} // namespace precis::test
