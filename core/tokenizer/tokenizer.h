// Text <-> token ids for the vocabularies Precis reads (see tokenizer_spec.h).
// Built once from a TokenizerSpec; immutable and thread-safe afterwards.
#pragma once

#include "common/result.h"
#include "tokenizer/tokenizer_spec.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace precis {

class Tokenizer {
public:
    // Errors: spec without tokens, ids out of range for bos/eos, malformed merges.
    static Result<std::shared_ptr<const Tokenizer>> create(const TokenizerSpec& spec);
    virtual ~Tokenizer() = default;

    // Encodes UTF-8 text (invalid UTF-8 is encoded byte-wise, never rejected).
    // addBos prepends the BOS id when the vocabulary has one.
    virtual std::vector<int32_t> encode(std::string_view text, bool addBos) const = 0;
    // Decodes ids to UTF-8 text (control tokens such as BOS/EOS are skipped).
    virtual std::string decode(std::span<const int32_t> ids) const = 0;
    // Display text of a single token (for axis labels): decoded bytes, with
    // control tokens shown by their piece, e.g. "<s>".
    virtual std::string tokenText(int32_t id) const = 0;

    int32_t bos() const { return m_spec.bos; }
    int32_t eos() const { return m_spec.eos; }
    bool addBosByDefault() const { return m_spec.addBos; }
    size_t vocabSize() const { return m_spec.tokens.size(); }
    const TokenizerSpec& spec() const { return m_spec; }

protected:
    explicit Tokenizer(TokenizerSpec spec) : m_spec(std::move(spec)) {}
    TokenizerSpec m_spec;
};

} // namespace precis
