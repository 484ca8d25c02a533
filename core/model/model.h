// A loaded model: hyper-parameters, named tensors (GGUF names), tokenizer data
// and descriptive metadata. Readers in core/formats produce it; the engine,
// analysis and views consume it. Immutable after loading; share as
// std::shared_ptr<const Model>.
#pragma once

#include "common/result.h"
#include "model/tensor.h"
#include "tokenizer/tokenizer_spec.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace precis {

enum class Arch { Llama, Gpt2 };

// Pairs rotated by RoPE inside each head: Interleaved = (0,1),(2,3),... as in
// GGUF/llama.cpp "normal" mode and Meta's checkpoints; RotateHalf = (i, i+d/2) as
// in Hugging Face Llama checkpoints (llama.cpp "neox" mode).
enum class RopeLayout { Interleaved, RotateHalf };

struct ModelConfig {
    Arch arch = Arch::Llama;
    std::string archName;      // as the file names it: "llama", "qwen2", "mistral", "gpt2"
    int nLayer = 0;
    int nEmbd = 0;
    int nHead = 0;
    int nHeadKv = 0;
    int nFf = 0;
    int nVocab = 0;
    int nCtx = 0;              // trained context length
    int headDim() const { return nHead > 0 ? nEmbd / nHead : 0; }
    float ropeTheta = 10000.0f;
    float normEps = 1e-5f;     // RMSNorm eps (Llama) or LayerNorm eps (GPT-2)
    RopeLayout ropeLayout = RopeLayout::Interleaved;
    bool tiedOutput = false;   // true: no output.weight, logits use token_embd.weight
    bool qkvBias = false;      // Llama family with q/k/v bias (Qwen2)
};

// Parameters of a model of this configuration (Σ over expectedTensors()),
// saturating at INT64_MAX for absurd shapes.
int64_t expectedParameterCount(const ModelConfig& config);

class Model {
public:
    std::string path;          // file or folder it was loaded from
    std::string format;        // "gguf", "safetensors", "llama2c"
    uint64_t fileBytes = 0;    // total bytes on disk of the model file(s)
    ModelConfig config;
    TokenizerSpec tokenizer;
    // Human-readable metadata (key, value) for the model dock / `info`.
    std::vector<std::pair<std::string, std::string>> metadata;

    const std::vector<Tensor>& tensors() const { return m_tensors; }
    const Tensor* find(const std::string& name) const;
    // Adds a tensor; returns false if the name already exists.
    bool addTensor(Tensor t);
    int64_t parameterCount() const;

    // Checks that every tensor the architecture needs exists with the right
    // shape (and no unexpected shapes); errors name the tensor and both shapes.
    // Segmented tensors (model/segmented.h) must have a well-formed header.
    Result<void> validate() const;

    // The tensor names and shapes the architecture expects, in execution order.
    std::vector<std::pair<std::string, std::vector<int64_t>>> expectedTensors() const;

private:
    std::vector<Tensor> m_tensors;
    std::unordered_map<std::string, size_t> m_index;
};

} // namespace precis
