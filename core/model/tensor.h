// A named tensor: a view on bytes owned elsewhere (a memory-mapped file or an
// owned buffer), kept alive by `owner`.
//
// Shape convention (everywhere in Precis): outermost dimension first, like
// PyTorch. A linear weight is {rows = out_features, cols = in_features}; GGUF's
// ne[] is the reverse order (ne[0] = cols). Quantized rows hold cols/blockSize
// blocks. Data is row-major and contiguous.
#pragma once

#include "model/dtype.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace precis {

struct Tensor {
    std::string name;              // GGUF name, e.g. "blk.0.attn_q.weight"
    DType dtype = DType::F32;
    std::vector<int64_t> shape;    // outermost first
    const std::byte* data = nullptr;
    uint64_t nbytes = 0;
    std::shared_ptr<const void> owner;  // keeps `data` alive

    int64_t numel() const
    {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        return n;
    }
    int64_t rows() const { return shape.size() < 2 ? 1 : numel() / shape.back(); }
    int64_t cols() const { return shape.empty() ? 1 : shape.back(); }
};

// "[rows, cols]" (for messages).
std::string shapeString(const std::vector<int64_t>& shape);

// Owned fp32 buffer as a Tensor (for converted weights, e.g. transposed GPT-2 Conv1D).
Tensor makeOwnedF32Tensor(std::string name, std::vector<int64_t> shape, std::vector<float> values);

} // namespace precis
