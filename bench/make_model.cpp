// precis-make-model: writes a random-weight Llama of a real model's shape as an
// F32, F16 or BF16 GGUF (with a small SentencePiece tokenizer), for trying the
// pipeline at the sizes users compress (the scale checks of the README and issue
// notes). F16/BF16 are made one tensor at a time: a 7B model needs its F16 size
// (13.5 GB) of memory.
//
//   precis-make-model SHAPE OUT.gguf [--layers N] [--seed S] [--type F32|F16|BF16]
//   SHAPE: tinyllama-1.1b (22 × 2048, FFN 5632, 32 heads / 4 KV, vocab 32000)
//          llama2-7b     (32 × 4096, FFN 11008, 32 heads, vocab 32000)
//          small         (4 × 512, FFN 1408, 8 heads / 4 KV, vocab 4096)
#include "formats/gguf.h"
#include "model/random_model.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace precis;

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: precis-make-model tinyllama-1.1b|llama2-7b|small OUT.gguf [--layers N] [--seed S] [--type F32|F16|BF16]\n");
        return 2;
    }
    const std::string shape = argv[1], out = argv[2];
    ModelConfig c;
    c.arch = Arch::Llama;
    c.archName = "llama";
    c.nCtx = 2048;
    if (shape == "tinyllama-1.1b") {
        c.nLayer = 22, c.nEmbd = 2048, c.nHead = 32, c.nHeadKv = 4, c.nFf = 5632, c.nVocab = 32000;
    } else if (shape == "llama2-7b") {
        c.nLayer = 32, c.nEmbd = 4096, c.nHead = 32, c.nHeadKv = 32, c.nFf = 11008, c.nVocab = 32000;
        c.nCtx = 4096;
    } else if (shape == "small") {
        c.nLayer = 4, c.nEmbd = 512, c.nHead = 8, c.nHeadKv = 4, c.nFf = 1408, c.nVocab = 4096;
    } else {
        std::fprintf(stderr, "precis-make-model: unknown shape '%s'\n", shape.c_str());
        return 2;
    }
    uint64_t seed = 1;
    DType storage = DType::F32;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--layers")) {
            c.nLayer = std::atoi(argv[i + 1]);
        } else if (!std::strcmp(argv[i], "--seed")) {
            seed = std::strtoull(argv[i + 1], nullptr, 10);
        } else if (!std::strcmp(argv[i], "--type")) {
            const std::string t = argv[i + 1];
            if (t == "F32") storage = DType::F32;
            else if (t == "F16") storage = DType::F16;
            else if (t == "BF16") storage = DType::BF16;
            else {
                std::fprintf(stderr, "precis-make-model: --type %s, expected F32, F16 or BF16\n", t.c_str());
                return 2;
            }
        } else {
            std::fprintf(stderr, "precis-make-model: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto model = makeRandomModel(c, seed, 0.02f, storage);
    if (!model) {
        std::fprintf(stderr, "precis-make-model: not enough memory for %lld parameters as %s\n",
                     static_cast<long long>(expectedParameterCount(c)), std::string(dtypeName(storage)).c_str());
        return 1;
    }
    auto w = gguf::writeModel(*model, out);
    if (!w.ok()) {
        std::fprintf(stderr, "precis-make-model: %s\n", w.error().toString().c_str());
        return 1;
    }
    std::printf("%s: %lld parameters, %d layers, written in %.1f s\n", out.c_str(),
                static_cast<long long>(expectedParameterCount(c)), c.nLayer,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return 0;
}
