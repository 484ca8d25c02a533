// Everything a tokenizer needs, as read from a model file (GGUF metadata,
// tokenizer.json, llama2.c tokenizer.bin). core/tokenizer builds a Tokenizer
// from it; readers only fill it in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace precis {

enum class TokenizerKind {
    None,          // model file carries no tokenizer
    SentencePiece, // Llama-2 style: score-driven BPE, "▁" for spaces, <0xNN> byte fallback
    ByteLevelBpe,  // GPT-2 style: byte-to-unicode map, ranked merges, pre-tokenizer regex
};

// Token types as in GGUF tokenizer.ggml.token_type / SentencePiece.
enum class TokenType : int32_t { Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct TokenizerSpec {
    TokenizerKind kind = TokenizerKind::None;
    std::string pre;                     // pre-tokenizer name ("gpt2", "llama-bpe", "default", ...)
    std::vector<std::string> tokens;     // id -> piece (raw bytes for SentencePiece, byte-level unicode for BPE)
    std::vector<float> scores;           // id -> score (SentencePiece); may be empty
    std::vector<TokenType> types;        // id -> type; may be empty (treated as Normal)
    std::vector<std::string> merges;     // "a b" in rank order (ByteLevelBpe, or HF BPE with byte fallback)
    int32_t bos = -1, eos = -1, unk = -1, pad = -1;
    bool addBos = false;
    bool addEos = false;
    bool addSpacePrefix = true;          // SentencePiece: prepend "▁" to the text
    bool byteFallback = true;            // SentencePiece: unknown bytes -> <0xNN>
};

} // namespace precis
