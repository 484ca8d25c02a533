#include "tokenizer/tokenizer.h"

#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/unicode.h"

#include <limits>

namespace precis {

namespace {

Result<void> checkSpecialId(const char* name, int32_t id, size_t n)
{
    if (id == -1 || (id >= 0 && size_t(id) < n))
        return {};
    return makeError(ErrorCode::Format, "tokenizer",
                     std::string(name) + " id " + std::to_string(id) + " is out of range: the vocabulary has " +
                         std::to_string(n) + " tokens (expected -1 for none, or 0.." + std::to_string(n - 1) + ")");
}

Result<void> validate(const TokenizerSpec& spec)
{
    const size_t n = spec.tokens.size();
    if (spec.kind == TokenizerKind::None)
        return makeError(ErrorCode::InvalidArgument, "tokenizer", "the model carries no tokenizer");
    if (n == 0)
        return makeError(ErrorCode::Format, "tokenizer", "the vocabulary is empty");
    if (n > size_t(std::numeric_limits<int32_t>::max()))
        return makeError(ErrorCode::Format, "tokenizer",
                         "the vocabulary has " + std::to_string(n) + " tokens (at most 2^31-1 are supported)");
    if (!spec.scores.empty() && spec.scores.size() != n)
        return makeError(ErrorCode::Format, "tokenizer",
                         "scores has " + std::to_string(spec.scores.size()) + " entries, expected one per token (" +
                             std::to_string(n) + ")");
    if (!spec.types.empty() && spec.types.size() != n)
        return makeError(ErrorCode::Format, "tokenizer",
                         "token types has " + std::to_string(spec.types.size()) +
                             " entries, expected one per token (" + std::to_string(n) + ")");
    for (size_t i = 0; i < spec.types.size(); ++i) {
        const auto t = int32_t(spec.types[i]);
        if (t < int32_t(TokenType::Undefined) || t > int32_t(TokenType::Byte))
            return makeError(ErrorCode::Format, "tokenizer",
                             "token " + std::to_string(i) + " has type " + std::to_string(t) + " (expected 0..6)");
    }
    PRECIS_TRY(checkSpecialId("bos", spec.bos, n));
    PRECIS_TRY(checkSpecialId("eos", spec.eos, n));
    PRECIS_TRY(checkSpecialId("unk", spec.unk, n));
    PRECIS_TRY(checkSpecialId("pad", spec.pad, n));
    // Without scores or merges no piece can form from smaller ones: acceptable
    // only for a character-level vocabulary (a tokenizer.json BPE with no merges).
    if (spec.kind == TokenizerKind::SentencePiece && spec.scores.empty() && spec.merges.empty())
        for (size_t i = 0; i < n; ++i)
            if ((spec.types.empty() || spec.types[i] == TokenType::Normal) && spec.tokens[i].size() > 1 &&
                unicode::utf8SequenceLength(uint8_t(spec.tokens[i][0])) < spec.tokens[i].size())
                return makeError(ErrorCode::Format, "tokenizer",
                                 "a SentencePiece vocabulary needs either scores or merges; it has neither "
                                 "(only a character-level vocabulary may do without)");
    return {};
}

} // namespace

Result<std::shared_ptr<const Tokenizer>> Tokenizer::create(const TokenizerSpec& spec)
{
    PRECIS_TRY(validate(spec));
    if (spec.kind == TokenizerKind::SentencePiece)
        return tokenizer_detail::SpmTokenizer::create(spec);
    return tokenizer_detail::BpeTokenizer::create(spec);
}

} // namespace precis
