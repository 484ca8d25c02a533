// Vocabularies for new models, built from their training corpus.
//
// Both kinds produce a SentencePiece-style TokenizerSpec (GGUF tokenizer.ggml.model
// "llama", as Llama-2's): id 0 <unk> (Unknown), 1 <s> (Control, BOS, added by
// default), 2 </s> (Control, EOS), 3..258 the byte tokens <0x00>..<0xFF> (Byte),
// so that any text encodes, then Normal pieces. Spaces are written "▁" (U+2581)
// and one "▁" is prepended to the text, as SentencePiece does.
//
//  - Char: every distinct UTF-8 character of the corpus is a piece (most
//    frequent first); nothing merges.
//  - Bpe: the characters (most frequent first, as many as fit), then pieces
//    learnt by byte-pair merging on the corpus, each scored below all earlier
//    ones, so that the score-driven SentencePiece tokenizer (llama.cpp's
//    llm_tokenizer_spm, precis::Tokenizer) reproduces the training segmentation.
#pragma once

#include "common/progress.h"
#include "common/result.h"
#include "tokenizer/tokenizer_spec.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace precis {

enum class TokenizerTrainingKind { Char, Bpe };

struct TokenizerTrainingSettings {
    TokenizerTrainingKind kind = TokenizerTrainingKind::Char;
    int vocabSize = 512;  // Bpe: total size including the 259 special and byte tokens
};

struct TokenizerTrainingResult {
    TokenizerSpec spec;
    // Bpe: the learnt merges in order, (left piece, right piece); merge k created
    // the piece left + right with score −(k + 1). Empty for Char.
    std::vector<std::pair<std::string, std::string>> merges;
    int characters = 0;         // character pieces (the rest of the corpus falls back to bytes)
    int droppedCharacters = 0;  // distinct characters left to byte fallback (Bpe, vocabulary too small)
};

// Errors: InvalidArgument for an empty corpus or, for Bpe, a vocabulary size
// below 260 or above 1 << 20; Cancelled. A Bpe vocabulary ends smaller than
// vocabSize when no pair of pieces occurs twice any more.
Result<TokenizerTrainingResult> trainTokenizer(std::string_view corpus, const TokenizerTrainingSettings& settings,
                                               const CancelToken* cancel = nullptr);

// Words as the BPE trainer sees the escaped text ("▁" for spaces, prefix
// applied): a word starts at each "▁", and a run of newlines is a word of its
// own. Learnt pieces never cross these boundaries (nor contain a character that
// is not a piece), so encoding a whole text equals encoding its words one by
// one. Exposed for tests.
std::vector<std::string> bpeTrainingWords(std::string_view escapedText);

} // namespace precis
