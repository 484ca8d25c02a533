// safetensors writer (layout in safetensors.h). Tensors are written in the given
// order, back to back; the JSON header lists "__metadata__" first and is padded
// with spaces to a multiple of 8 bytes so every tensor's data starts 8-aligned.
#pragma once

#include "common/result.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace precis::hf {

struct SafetensorsTensor {
    std::string name;
    std::string dtype;                // safetensors spelling: "F32", "F16", "BF16", "I64", "U8", ...
    std::vector<int64_t> shape;       // outermost first
    std::span<const std::byte> bytes; // row-major, numel × element size; the caller keeps it alive
};

using SafetensorsMetadata = std::map<std::string, std::string>;

// The whole file in memory (for tests that corrupt it, and small files).
// Errors (InvalidArgument): empty or duplicate names, "__metadata__" as a tensor
// name, unknown dtype, byte count not matching the shape.
Result<std::vector<std::byte>> serializeSafetensors(const std::vector<SafetensorsTensor>& tensors,
                                                    const SafetensorsMetadata& metadata = {});

// Streams the file to `path` through a temporary file and a rename (atomic).
Result<void> writeSafetensors(const std::string& path, const std::vector<SafetensorsTensor>& tensors,
                              const SafetensorsMetadata& metadata = {});

// A tensor whose bytes are made when the writer reaches it, so that only one
// tensor's bytes exist at a time (a model larger than memory can be written).
struct SafetensorsSource {
    std::string name;
    std::string dtype;
    std::vector<int64_t> shape;
    // numel × element size bytes, row-major; an error stops the write.
    std::function<Result<std::vector<std::byte>>()> bytes;
};

// As above; the header (checked as above) is written first, then each tensor as
// it is made, in order. A source that fails or gives the wrong byte count leaves
// nothing behind (the error names the tensor).
Result<void> writeSafetensors(const std::string& path, const std::vector<SafetensorsSource>& tensors,
                              const SafetensorsMetadata& metadata = {});

} // namespace precis::hf
