#include "formats/model_loader.h"

#include "formats/gguf.h"
#include "formats/llama2c.h"
#include "formats/safetensors.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace precis {

namespace fs = std::filesystem;

Result<std::shared_ptr<const Model>> loadModel(const std::string& path, const LoadOptions& options)
{
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st))
        return makeError(ErrorCode::Io, path, "no such file or folder");

    auto wrap = [](auto r) -> Result<std::shared_ptr<const Model>> {
        if (!r.ok())
            return r.error();
        return std::shared_ptr<const Model>(std::move(r).value());
    };

    if (fs::is_directory(st))
        return wrap(hf::loadModel(path));
    if (fs::path(path).extension() == ".safetensors")
        return wrap(hf::loadModel(fs::path(path).parent_path().string()));

    char magic[4] = {};
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
        const size_t n = std::fread(magic, 1, 4, f);
        std::fclose(f);
        // A file named .gguf is read as GGUF whatever it starts with, so that
        // a damaged one gets the GGUF reader's message, not llama2.c's.
        std::string ext = fs::path(path).extension().string();
        for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
        if ((n == 4 && std::memcmp(magic, "GGUF", 4) == 0) || ext == ".gguf")
            return wrap(gguf::loadModel(path));
    } else {
        return makeError(ErrorCode::Io, path, "cannot open file");
    }
    return wrap(llama2c::loadModel(path, options.tokenizerPath));
}

} // namespace precis
