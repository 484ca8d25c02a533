// Trainable fp32 parameters of a model: one owned, contiguous buffer per tensor,
// in Model::expectedTensors() order, plus the matching gradient layout.
// Used by the backward pass, the trainer, and (later) recovery fine-tuning.
//
// Weights as stored (storedParameters): the block tensors stay in the model's
// file (memory-mapped F32/F16/BF16/GGUF blocks) and are read one tensor or one
// block at a time (TensorValues; the passes of engine/backward.h), so a model
// far larger than an fp32 copy of it can be analysed.
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
    // Weights as stored: the model the block tensors ("blk.N.…") are read from;
    // those tensors then have their shapes and no values here. It must outlive
    // these parameters. Null: every tensor holds its values.
    const Model* stored = nullptr;

    const ParameterTensor* find(const std::string& name) const;
    ParameterTensor* find(const std::string& name);
    int64_t count() const;  // total number of values (held or stored)
    // Whether tensor i is read from `stored` (it holds no values).
    bool isStored(size_t i) const;
    // Same names and shapes, all values zero (a gradient buffer).
    Parameters zerosLike() const;
};

// Dequantizes every tensor the architecture needs (errors as quant::dequantize).
Result<Parameters> parametersFromModel(const Model& model);
// Weights as stored: the tensors outside the blocks (embeddings, final norm,
// output head) dequantized, the block tensors left in `model` (checked here:
// every one can be decoded, so reading them later cannot fail). Read-only: for
// the passes and analyses, not for training.
Result<Parameters> storedParameters(const Model& model);

// The fp32 values of one parameter tensor, for reading: its own values, the
// model file's F32 data in place, or its dequantized copy (into `buffer` when
// given, which must hold numel floats and outlive this, else an own one). The
// file pages read through it are given back to the system when it is destroyed
// (they stay in the page cache), so reading a model tensor by tensor keeps one
// tensor resident.
class TensorValues {
public:
    static Result<TensorValues> of(const Parameters& p, size_t index, float* buffer = nullptr);
    const float* data() const { return m_data; }
    size_t size() const { return m_size; }
    TensorValues(TensorValues&& o) noexcept;
    TensorValues& operator=(TensorValues&& o) noexcept;
    TensorValues(const TensorValues&) = delete;
    TensorValues& operator=(const TensorValues&) = delete;
    ~TensorValues();

private:
    TensorValues() = default;
    void release();
    const float* m_data = nullptr;
    size_t m_size = 0;
    std::vector<float> m_own;
    const Tensor* m_file = nullptr;  // a stored tensor read in place or decoded
};
// Fresh random initialisation (GPT-2 style: N(0, 0.02), residual projections
// scaled by 1/sqrt(2·nLayer), norms 1, biases 0), seeded.
Parameters initParameters(const ModelConfig& config, uint64_t seed);
// A Model owning copies of the values (F32 tensors), with the given tokenizer.
std::shared_ptr<Model> modelFromParameters(const Parameters& p, TokenizerSpec tokenizer);

} // namespace precis
