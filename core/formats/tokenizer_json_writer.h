// TokenizerSpec -> Hugging Face tokenizer.json (tokenizers' serialisation, the
// fields parseTokenizerJson reads back).
//
// SentencePiece specs become the Llama-2 layout: model BPE with byte_fallback
// and fuse_unk, unk_token; normalizer Prepend("▁") (when the spec adds the
// space prefix) + Replace(" " -> "▁"); decoder Replace("▁" -> " "),
// ByteFallback, Fuse, Strip(1 leading space); post_processor
// TemplateProcessing adding BOS / EOS as the spec does; Control tokens as
// special added_tokens. A spec without merges gets them derived from its
// scores, as transformers' convert_slow_tokenizer does: for every piece, each
// split into two pieces of the vocabulary, ordered by the piece's score
// (highest first), then by the ids of the two halves. Rank-ordered merging
// over them then reproduces the score-driven segmentation (exactly, except
// where one piece is reachable from two different splits in the same word).
//
// Byte-level BPE specs with the GPT-2 pre-tokenizer ("gpt2", "default" or
// empty) become the GPT-2 layout: ByteLevel pre-tokenizer and decoder,
// merges as stored.
#pragma once

#include "common/result.h"
#include "tokenizer/tokenizer_spec.h"

#include <string>

namespace precis {

// Errors: Unsupported for a spec of another kind or pre-tokenizer, a piece
// that is not valid UTF-8 or appears twice (JSON cannot store them), or a
// byte-level merge that is not "a b" of two tokens.
Result<std::string> tokenizerJsonText(const TokenizerSpec& spec);
// tokenizer_config.json: bos/eos/unk/pad tokens, add_bos_token, add_eos_token.
Result<std::string> tokenizerConfigJsonText(const TokenizerSpec& spec);

// Writes `path` atomically.
Result<void> writeTokenizerJson(const TokenizerSpec& spec, const std::string& path);

} // namespace precis
