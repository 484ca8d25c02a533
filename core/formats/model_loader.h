// One entry point for every model format. Dispatches on what `path` is:
//   a folder with config.json            -> Hugging Face safetensors folder
//   *.safetensors (config.json beside it) -> the same
//   a file starting with "GGUF"           -> GGUF
//   any other file                        -> llama2.c model.bin (needs a tokenizer.bin:
//                                            options.tokenizerPath, or tokenizer.bin beside it)
#pragma once

#include "common/result.h"
#include "model/model.h"

#include <memory>
#include <string>

namespace precis {

struct LoadOptions {
    std::string tokenizerPath;  // llama2.c only
};

Result<std::shared_ptr<const Model>> loadModel(const std::string& path, const LoadOptions& options = {});

} // namespace precis
