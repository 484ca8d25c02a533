#include "tokenizer/spm_tokenizer.h"

#include "tokenizer/unicode.h"

#include <queue>

namespace precis::tokenizer_detail {

namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581 "▁", SentencePiece's space

std::string escapeSpaces(std::string_view text, bool prefix)
{
    std::string out;
    out.reserve(text.size() + 3 * (prefix ? 1 : 0) + 8);
    if (prefix)
        out += kSpace;
    for (char c : text) {
        if (c == ' ') out += kSpace;
        else out += c;
    }
    return out;
}

std::string unescapeSpaces(std::string_view piece)
{
    std::string out;
    out.reserve(piece.size());
    for (size_t i = 0; i < piece.size();) {
        if (piece.substr(i, kSpace.size()) == kSpace) {
            out += ' ';
            i += kSpace.size();
        } else {
            out += piece[i++];
        }
    }
    return out;
}

} // namespace

SpmTokenizer::SpmTokenizer(TokenizerSpec spec) : Tokenizer(std::move(spec)), m_vocab(m_spec, true)
{
    for (int b = 0; b < 256; ++b)
        m_byteIds[size_t(b)] = byteTokenId(m_vocab, uint8_t(b));
}

Result<std::shared_ptr<const Tokenizer>> SpmTokenizer::create(TokenizerSpec spec)
{
    auto tok = std::make_shared<SpmTokenizer>(std::move(spec));
    // Scores win when both are present: that is what llama.cpp uses for "llama" vocabularies.
    // No scores: ranked merges (an empty table for a character-level vocabulary).
    tok->m_byRank = tok->m_spec.scores.empty();
    if (tok->m_byRank) {
        PRECIS_TRY_ASSIGN(tok->m_merges, MergeTable::build(tok->m_spec.merges, tok->m_vocab));
    }
    return std::shared_ptr<const Tokenizer>(std::move(tok));
}

std::vector<int32_t> SpmTokenizer::encode(std::string_view text, bool addBos) const
{
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 2);
    if (addBos && m_spec.bos >= 0)
        out.push_back(m_spec.bos);
    // As llama.cpp: the "▁" prefix goes before the first text fragment and
    // before any text that follows a literally matched token.
    bool afterToken = true;
    for (const Vocab::Fragment& f : m_vocab.partition(text)) {
        if (f.token >= 0) {
            out.push_back(f.token);
            afterToken = true;
            continue;
        }
        const std::string escaped = escapeSpaces(f.text, m_spec.addSpacePrefix && afterToken);
        if (m_byRank) encodeByRank(escaped, out);
        else encodeByScore(escaped, out);
        afterToken = false;
    }
    return out;
}

void SpmTokenizer::emitBytes(std::string_view bytes, std::vector<int32_t>& out) const
{
    if (!m_spec.byteFallback) {
        if (m_spec.unk >= 0)
            out.push_back(m_spec.unk);
        return;
    }
    for (char c : bytes) {
        const int32_t id = m_byteIds[uint8_t(c)];
        if (id >= 0) out.push_back(id);
        else if (m_spec.unk >= 0) out.push_back(m_spec.unk);
    }
}

// llama.cpp llm_tokenizer_spm: start from single UTF-8 characters, queue every
// adjacent pair whose concatenation is a piece, and always merge the queued
// pair whose resulting piece has the highest score (ties: leftmost). A
// queued pair is stale once either side has grown. Leftover symbols that are
// not pieces become byte tokens.
void SpmTokenizer::encodeByScore(std::string_view text, std::vector<int32_t>& out) const
{
    struct Symbol {
        size_t offset, length;
        int prev, next;
    };
    std::vector<Symbol> symbols;
    symbols.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
        const size_t len = std::min(unicode::utf8SequenceLength(uint8_t(text[pos])), text.size() - pos);
        const int index = int(symbols.size());
        symbols.push_back({pos, len, index - 1, pos + len < text.size() ? index + 1 : -1});
        pos += len;
    }
    struct Bigram {
        float score;
        int left, right;
        size_t length;
    };
    const auto lower = [](const Bigram& a, const Bigram& b) {
        return a.score != b.score ? a.score < b.score : a.left > b.left;
    };
    std::priority_queue<Bigram, std::vector<Bigram>, decltype(lower)> queue(lower);
    const auto tryPair = [&](int left, int right) {
        if (left < 0 || right < 0)
            return;
        const Symbol& l = symbols[size_t(left)];
        const Symbol& r = symbols[size_t(right)];
        const int32_t id = m_vocab.find(text.substr(l.offset, l.length + r.length));
        if (id >= 0)
            queue.push({m_spec.scores[size_t(id)], left, right, l.length + r.length});
    };
    for (int i = 1; i < int(symbols.size()); ++i)
        tryPair(i - 1, i);
    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& l = symbols[size_t(b.left)];
        Symbol& r = symbols[size_t(b.right)];
        if (l.length == 0 || r.length == 0 || l.length + r.length != b.length)
            continue;
        l.length += r.length;
        r.length = 0;
        l.next = r.next;
        if (r.next >= 0)
            symbols[size_t(r.next)].prev = b.left;
        tryPair(l.prev, b.left);
        tryPair(b.left, l.next);
    }
    for (int i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[size_t(i)].next) {
        const std::string_view piece = text.substr(symbols[size_t(i)].offset, symbols[size_t(i)].length);
        const int32_t id = m_vocab.find(piece);
        if (id >= 0) out.push_back(id);
        else emitBytes(piece, out);
    }
}

// Hugging Face BPE with byte_fallback: characters that are pieces start as
// themselves, others as their <0xNN> byte tokens (or one fused unk), then the
// ranked merges run over the whole fragment.
void SpmTokenizer::encodeByRank(std::string_view text, std::vector<int32_t>& out) const
{
    std::vector<int32_t> symbols;
    symbols.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
        const unicode::Utf8Char c = unicode::decodeUtf8(text, pos);
        const std::string_view ch = text.substr(pos, c.length);
        pos += c.length;
        const int32_t id = m_vocab.find(ch);
        if (id >= 0) {
            symbols.push_back(id);
            continue;
        }
        bool allBytes = m_spec.byteFallback;
        for (char b : ch)
            allBytes = allBytes && m_byteIds[uint8_t(b)] >= 0;
        if (allBytes) {
            for (char b : ch)
                symbols.push_back(m_byteIds[uint8_t(b)]);
        } else if (m_spec.unk >= 0 && (symbols.empty() || symbols.back() != m_spec.unk)) {
            symbols.push_back(m_spec.unk);  // fuse_unk: one unk for a run of unknown characters
        }
    }
    mergeByRank(symbols, m_merges);
    out.insert(out.end(), symbols.begin(), symbols.end());
}

std::string SpmTokenizer::pieceText(int32_t id, bool skipControl) const
{
    const std::string& piece = m_vocab.piece(id);
    switch (m_vocab.type(id)) {
    case TokenType::Control:
    case TokenType::Unknown:
    case TokenType::Unused:
        return skipControl ? std::string() : piece;
    case TokenType::UserDefined:
        return piece;
    case TokenType::Byte: {
        const int b = parseBytePiece(piece);
        return b >= 0 ? std::string(1, char(b)) : unescapeSpaces(piece);
    }
    default:
        return unescapeSpaces(piece);
    }
}

// Inverse of encode: "▁" -> space, <0xNN> -> that byte, control tokens
// dropped. encode() put a "▁" before the text at the start and after every
// user-defined token, so one leading space is removed from the first emitted
// piece and from the piece after a user-defined token (Hugging Face's Strip
// decoder does the former; llama.cpp strips only the very first token, which
// misses when that token is BOS, and never after user-defined tokens).
std::string SpmTokenizer::decode(std::span<const int32_t> ids) const
{
    std::string out;
    bool stripNext = m_spec.addSpacePrefix;
    for (const int32_t id : ids) {
        if (!m_vocab.valid(id))
            continue;
        std::string text = pieceText(id, true);
        if (text.empty())
            continue;
        if (stripNext && text.front() == ' ')
            text.erase(0, 1);
        stripNext = m_spec.addSpacePrefix && m_vocab.type(id) == TokenType::UserDefined;
        out += text;
    }
    return out;
}

std::string SpmTokenizer::tokenText(int32_t id) const
{
    if (!m_vocab.valid(id))
        return "<invalid id " + std::to_string(id) + ">";
    return pieceText(id, false);
}

} // namespace precis::tokenizer_detail
