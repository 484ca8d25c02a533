// Pieces shared by the tokenizers (private to core/tokenizer): piece -> id
// lookup, effective token types, literal matching of user-defined tokens,
// and the rank-ordered BPE merge loop.
#pragma once

#include "common/result.h"
#include "tokenizer/tokenizer_spec.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace precis::tokenizer_detail {

struct PieceHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Vocab {
public:
    // spec must already be validated (ids in range, array sizes consistent).
    // spmBytes: recognise "<0xNN>" pieces as Byte tokens when the spec has no types.
    Vocab(const TokenizerSpec& spec, bool spmBytes);

    size_t size() const { return m_pieces.size(); }
    // -1 when the piece is not a token. For duplicated pieces the last id wins
    // (llama.cpp builds its token_to_id map the same way).
    int32_t find(std::string_view piece) const;
    const std::string& piece(int32_t id) const { return m_pieces[size_t(id)]; }
    // Type from the spec; where the spec has none (llama2.c vocabularies),
    // bos/eos/pad ids are Control, unk is Unknown, "<0xNN>" is Byte (SentencePiece).
    TokenType type(int32_t id) const { return m_types[size_t(id)]; }
    bool valid(int32_t id) const { return id >= 0 && size_t(id) < m_pieces.size(); }

    // A piece of the input: raw text, or one user-defined token found literally in it.
    struct Fragment {
        std::string_view text;
        int32_t token = -1;  // >= 0: this fragment is that token
    };
    // Splits text at literal occurrences of UserDefined tokens, longest tokens
    // first (llama.cpp tokenizer_st_partition with parse_special = false:
    // control and unknown tokens are NOT matched in plain text).
    std::vector<Fragment> partition(std::string_view text) const;

private:
    std::vector<std::string> m_pieces;
    std::vector<TokenType> m_types;
    std::unordered_map<std::string, int32_t, PieceHash, std::equal_to<>> m_index;
    std::vector<int32_t> m_literalTokens;  // UserDefined ids, longest piece first
};

// Merge rules "a b" by rank (line order): the pair (id(a), id(b)) -> (rank, id(a+b)).
class MergeTable {
public:
    struct Rule {
        int32_t rank = 0;
        int32_t merged = 0;
    };
    // Errors name the merge index and the piece that is not a token. A merge
    // is split at the first space after its first byte, as llama.cpp and the
    // GGUF writers do, so "a b" pieces may contain no space except the separator.
    static Result<MergeTable> build(const std::vector<std::string>& merges, const Vocab& vocab);

    bool empty() const { return m_rules.empty(); }
    const Rule* find(int32_t left, int32_t right) const;

private:
    std::unordered_map<uint64_t, Rule> m_rules;
};

// Applies merges to one word in place: repeatedly merges the adjacent pair with
// the lowest rank (ties: leftmost), as Hugging Face BPE and llama.cpp's
// llm_tokenizer_bpe do. Symbols < 0 (unknown) never merge.
void mergeByRank(std::vector<int32_t>& symbols, const MergeTable& merges);

// "<0xNN>" -> NN (hex digits of either case), anything else -> -1.
int parseBytePiece(std::string_view piece);

// The id for byte b: "<0xNN>" (upper-case hex, SentencePiece's byte pieces),
// else the one-byte piece, else -1.
int32_t byteTokenId(const Vocab& vocab, uint8_t b);

} // namespace precis::tokenizer_detail
