// Pre-tokenizers of byte-level BPE vocabularies (private to core/tokenizer):
// the regexes that cut text into words before merging, written out by hand
// over code points (std::regex cannot express \p{L} / \p{N} on UTF-8).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace precis::tokenizer_detail {

enum class PreTokenizer {
    // GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    Gpt2,
    // Llama-3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
    //          ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    Llama3,
    // Qwen2: as Llama-3 with \p{N} (one digit per word).
    Qwen2,
    // SmolLM / StarCoder: every \p{N} on its own, then GPT-2 on the rest.
    DigitsThenGpt2,
};

// GGUF tokenizer.ggml.pre / TokenizerSpec::pre names; nullopt if unknown.
// "" means unspecified and selects GPT-2.
std::optional<PreTokenizer> preTokenizerFromName(std::string_view name);

// Words of `text`, in order, covering it exactly. Invalid UTF-8 bytes count as
// single characters that are neither letter, number nor space (llama.cpp
// first turns them into U+FFFD, which is classified the same way).
std::vector<std::string_view> preTokenize(std::string_view text, PreTokenizer kind);

} // namespace precis::tokenizer_detail
