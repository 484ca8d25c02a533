#include "tokenizer/bpe_tokenizer.h"

#include "tokenizer/unicode.h"

namespace precis::tokenizer_detail {

BpeTokenizer::BpeTokenizer(TokenizerSpec spec) : Tokenizer(std::move(spec)), m_vocab(m_spec, false)
{
    for (int b = 0; b < 256; ++b) {
        std::string ch;
        unicode::appendUtf8(ch, unicode::byteToCodepoint(uint8_t(b)));
        m_byteIds[size_t(b)] = m_vocab.find(ch);
    }
}

Result<std::shared_ptr<const Tokenizer>> BpeTokenizer::create(TokenizerSpec spec)
{
    const auto pre = preTokenizerFromName(spec.pre);
    if (!pre)
        return makeError(ErrorCode::Unsupported, "tokenizer",
                         "pre-tokenizer '" + spec.pre +
                             "' is not supported (expected gpt2, gpt-2, llama-bpe, qwen2, smollm or starcoder)");
    auto tok = std::make_shared<BpeTokenizer>(std::move(spec));
    tok->m_pre = *pre;
    tok->m_ignoreMerges = *pre == PreTokenizer::Llama3;
    PRECIS_TRY_ASSIGN(tok->m_merges, MergeTable::build(tok->m_spec.merges, tok->m_vocab));
    return std::shared_ptr<const Tokenizer>(std::move(tok));
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text, bool addBos) const
{
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 2);
    if (addBos && m_spec.bos >= 0)
        out.push_back(m_spec.bos);
    for (const Vocab::Fragment& f : m_vocab.partition(text)) {
        if (f.token >= 0) {
            out.push_back(f.token);
            continue;
        }
        for (const std::string_view word : preTokenize(f.text, m_pre))
            encodeWord(word, out);
    }
    return out;
}

void BpeTokenizer::encodeWord(std::string_view word, std::vector<int32_t>& out) const
{
    if (m_ignoreMerges) {
        const int32_t whole = m_vocab.find(unicode::bytesToByteLevel(word));
        if (whole >= 0) {
            out.push_back(whole);
            return;
        }
    }
    // One symbol per byte: in the byte alphabet every byte is one character.
    std::vector<int32_t> symbols;
    symbols.reserve(word.size());
    for (char c : word)
        symbols.push_back(m_byteIds[uint8_t(c)]);
    mergeByRank(symbols, m_merges);
    for (const int32_t id : symbols) {
        if (id >= 0) out.push_back(id);
        else if (m_spec.unk >= 0) out.push_back(m_spec.unk);  // vocabulary lacks a byte character
    }
}

std::string BpeTokenizer::pieceText(int32_t id, bool skipControl) const
{
    const std::string& piece = m_vocab.piece(id);
    switch (m_vocab.type(id)) {
    case TokenType::Control:
    case TokenType::Unknown:
    case TokenType::Unused:
        return skipControl ? std::string() : piece;
    case TokenType::UserDefined:
        return piece;  // added tokens are stored as plain text, not in the byte alphabet
    default:
        return unicode::byteLevelToBytes(piece);
    }
}

std::string BpeTokenizer::decode(std::span<const int32_t> ids) const
{
    std::string out;
    for (const int32_t id : ids)
        if (m_vocab.valid(id))
            out += pieceText(id, true);
    return out;
}

std::string BpeTokenizer::tokenText(int32_t id) const
{
    if (!m_vocab.valid(id))
        return "<invalid id " + std::to_string(id) + ">";
    return pieceText(id, false);
}

} // namespace precis::tokenizer_detail
