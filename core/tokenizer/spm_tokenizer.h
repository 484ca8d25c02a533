// SentencePiece-style BPE (Llama-2, llama2.c, TinyLlama): spaces become "▁"
// (U+2581), an optional "▁" is prepended, pieces merge pairwise, and bytes
// with no piece fall back to <0xNN> tokens. Two merge orders:
//  - by piece score (GGUF "llama" vocabularies, llama2.c tokenizer.bin):
//    llama.cpp's llm_tokenizer_spm, highest-scoring resulting piece first;
//  - by merge rank (Hugging Face tokenizer.json BPE with byte_fallback, no
//    scores): lowest rank first, as Hugging Face tokenizers' BPE model.
#pragma once

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

#include <array>

namespace precis::tokenizer_detail {

class SpmTokenizer final : public Tokenizer {
public:
    // spec.kind == SentencePiece, already range-checked by Tokenizer::create.
    static Result<std::shared_ptr<const Tokenizer>> create(TokenizerSpec spec);

    std::vector<int32_t> encode(std::string_view text, bool addBos) const override;
    std::string decode(std::span<const int32_t> ids) const override;
    std::string tokenText(int32_t id) const override;

    explicit SpmTokenizer(TokenizerSpec spec);

private:
    // text: already escaped ("▁" for spaces, prefix applied).
    void encodeByScore(std::string_view text, std::vector<int32_t>& out) const;
    void encodeByRank(std::string_view text, std::vector<int32_t>& out) const;
    // Bytes of a piece that is not a token: <0xNN> tokens, else unk.
    void emitBytes(std::string_view bytes, std::vector<int32_t>& out) const;
    // Decoded bytes of one token; skipControl drops control/unknown/unused tokens.
    std::string pieceText(int32_t id, bool skipControl) const;

    Vocab m_vocab;
    MergeTable m_merges;
    bool m_byRank = false;
    std::array<int32_t, 256> m_byteIds{};
};

} // namespace precis::tokenizer_detail
