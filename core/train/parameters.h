// Trainable fp32 parameters of a model: one owned, contiguous buffer per tensor,
// in Model::expectedTensors() order, plus the matching gradient layout.
// Used by the backward pass, the trainer, and (later) recovery fine-tuning.
#pragma once

#include "common/result.h"
#include "model/model.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace precis {

struct ParameterTensor {
    std::string name;             // GGUF name
    std::vector<int64_t> shape;   // outermost first
    std::vector<float> values;    // row-major, numel values
};

struct Parameters {
    ModelConfig config;
    std::vector<ParameterTensor> tensors;  // Model::expectedTensors() order

    const ParameterTensor* find(const std::string& name) const;
    ParameterTensor* find(const std::string& name);
    int64_t count() const;  // total number of values
    // Same names and shapes, all values zero (a gradient buffer).
    Parameters zerosLike() const;
};

// Dequantizes every tensor the architecture needs (errors as quant::dequantize).
Result<Parameters> parametersFromModel(const Model& model);
// Fresh random initialisation (GPT-2 style: N(0, 0.02), residual projections
// scaled by 1/sqrt(2·nLayer), norms 1, biases 0), seeded.
Parameters initParameters(const ModelConfig& config, uint64_t seed);
// A Model owning copies of the values (F32 tensors), with the given tokenizer.
std::shared_ptr<Model> modelFromParameters(const Parameters& p, TokenizerSpec tokenizer);

} // namespace precis
