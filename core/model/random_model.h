// Random-weight models of any Llama or GPT-2 shape, for tests and benchmarks.
#pragma once

#include "model/model.h"

#include <cstdint>
#include <memory>

namespace precis {

// A model with every tensor Model::expectedTensors() lists for `cfg`, as owned
// F32: weights and biases drawn from a bell-shaped distribution with mean 0 and
// standard deviation `stddev` (Irwin–Hall sum of four uniforms, bounded at
// ±3.46σ), norm weights 1 + the same noise. Deterministic in `seed` whatever the
// thread count; filled in parallel (a 1.1B-parameter model takes seconds).
//
// The tokenizer is a small SentencePiece vocabulary: <unk>, <s> (BOS), </s>
// (EOS), the 256 byte tokens <0x00>..<0xFF> (type Byte), "▁", then printable
// ASCII characters, "▁"-prefixed letters and common English words and
// synthetic pieces up to cfg.nVocab, with decreasing scores. It needs
// cfg.nVocab >= 259; a smaller vocabulary gets no tokenizer (kind None).
//
// cfg is taken as given (archName defaults to "llama" / "gpt2"); call
// Model::validate() on the result to check it. format = "random". Returns
// nullptr when the memory for the weights cannot be allocated.
//
// storage F16 or BF16: the same values rounded to that type and held as it (the
// 2-D weights; norms and biases stay F32, as converters write them), made one
// tensor at a time, so a 7B model takes its F16 size (13.5 GB), not its F32 size.
std::shared_ptr<Model> makeRandomModel(const ModelConfig& cfg, uint64_t seed, float stddev = 0.02f,
                                       DType storage = DType::F32);

// The tokenizer described above for a vocabulary of nVocab >= 259 entries.
TokenizerSpec makeRandomTokenizer(int nVocab);

} // namespace precis
