// Hugging Face tokenizer.json -> TokenizerSpec.
// Supports model.type "BPE" with either a ByteLevel pre-tokenizer/decoder
// (GPT-2, Llama-3, Qwen2 -> ByteLevelBpe) or the SentencePiece-style setup
// (Metaspace or Replace(" " -> "▁") normalizer, byte_fallback -> SentencePiece
// with ranked merges). added_tokens become Control/UserDefined types.
#pragma once

#include "common/result.h"
#include "tokenizer/tokenizer_spec.h"

#include <string>

namespace precis {

Result<TokenizerSpec> parseTokenizerJson(const std::string& path);
// Same, from text already in memory; `where` names the source in errors.
Result<TokenizerSpec> parseTokenizerJsonText(const std::string& text, const std::string& where);

} // namespace precis
