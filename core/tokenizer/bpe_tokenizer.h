// Byte-level BPE (GPT-2, Llama-3, Qwen2, SmolLM): the text is cut into words
// by the vocabulary's pre-tokenizer regex, each word's bytes are spelled in
// GPT-2's byte alphabet (unicode.h), and ranked merges join them (lowest rank
// first), as llama.cpp's llm_tokenizer_bpe and Hugging Face's BPE model do.
#pragma once

#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

#include <array>

namespace precis::tokenizer_detail {

class BpeTokenizer final : public Tokenizer {
public:
    // spec.kind == ByteLevelBpe, already range-checked by Tokenizer::create.
    // Errors: unknown pre-tokenizer name, merges naming pieces that are not tokens.
    static Result<std::shared_ptr<const Tokenizer>> create(TokenizerSpec spec);

    std::vector<int32_t> encode(std::string_view text, bool addBos) const override;
    std::string decode(std::span<const int32_t> ids) const override;
    std::string tokenText(int32_t id) const override;

    explicit BpeTokenizer(TokenizerSpec spec);

private:
    void encodeWord(std::string_view word, std::vector<int32_t>& out) const;
    std::string pieceText(int32_t id, bool skipControl) const;

    Vocab m_vocab;
    MergeTable m_merges;
    PreTokenizer m_pre = PreTokenizer::Gpt2;
    // Llama-3: a word that is already a token is emitted whole, without merging.
    bool m_ignoreMerges = false;
    std::array<int32_t, 256> m_byteIds{};  // byte -> token of its alphabet character, or -1
};

} // namespace precis::tokenizer_detail
