#include "train/tokenizer_training.h"

#include "tokenizer/unicode.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace precis {

namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // "▁"
constexpr int kReserved = 3 + 256;                   // <unk> <s> </s> + byte tokens
constexpr int kMaxVocab = 1 << 20;

// The text as the SentencePiece tokenizer sees it: "▁" prefix, spaces -> "▁".
std::string escape(std::string_view text)
{
    std::string out(kSpace);
    out.reserve(text.size() + 16);
    for (char c : text) {
        if (c == ' ') out += kSpace;
        else out += c;
    }
    return out;
}

// The encoder's initial symbols: one UTF-8 sequence each, its length taken from
// the lead byte and clamped to the text (llama.cpp's splitting, also for
// invalid input).
template <typename F>
void forEachSymbol(std::string_view text, F&& f)
{
    for (size_t pos = 0; pos < text.size();) {
        const size_t len = std::min(unicode::utf8SequenceLength(uint8_t(text[pos])), text.size() - pos);
        f(text.substr(pos, len));
        pos += len;
    }
}

// A symbol may become a piece only if it is one well-formed character.
bool wellFormed(std::string_view ch)
{
    const unicode::Utf8Char c = unicode::decodeUtf8(ch, 0);
    return c.valid && c.length == ch.size();
}

TokenizerSpec reservedSpec()
{
    TokenizerSpec spec;
    spec.kind = TokenizerKind::SentencePiece;
    spec.unk = 0;
    spec.bos = 1;
    spec.eos = 2;
    spec.addBos = true;
    spec.addEos = false;
    spec.addSpacePrefix = true;
    spec.byteFallback = true;
    auto push = [&](std::string piece, TokenType type) {
        spec.tokens.push_back(std::move(piece));
        spec.types.push_back(type);
        spec.scores.push_back(0.0f);
    };
    push("<unk>", TokenType::Unknown);
    push("<s>", TokenType::Control);
    push("</s>", TokenType::Control);
    for (int b = 0; b < 256; ++b) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "<0x%02X>", b);
        push(buf, TokenType::Byte);
    }
    return spec;
}

// Distinct well-formed characters of the escaped corpus, most frequent first
// (ties: byte order). "▁" is always included: the prefix needs it.
std::vector<std::string> charactersByFrequency(std::string_view escaped)
{
    std::unordered_map<std::string_view, int64_t> counts;
    forEachSymbol(escaped, [&](std::string_view ch) {
        if (wellFormed(ch)) ++counts[ch];
    });
    std::vector<std::pair<std::string_view, int64_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::vector<std::string> out;
    out.reserve(sorted.size());
    for (const auto& [ch, n] : sorted) out.emplace_back(ch);
    return out;
}

// ---- BPE --------------------------------------------------------------------

struct Word {
    std::vector<int32_t> symbols;  // piece ids; -1: not a piece (never merges)
    std::vector<std::string> text; // the symbols' bytes
    int64_t count = 0;
};

uint64_t pairKey(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

class BpeTrainer {
public:
    BpeTrainer(TokenizerSpec& spec) : m_spec(spec)
    {
        for (size_t i = 0; i < spec.tokens.size(); ++i) m_index.emplace(spec.tokens[i], int32_t(i));
    }

    void addWords(const std::map<std::string, int64_t>& words)
    {
        for (const auto& [w, n] : words) {
            Word word;
            word.count = n;
            forEachSymbol(w, [&](std::string_view ch) {
                word.text.emplace_back(ch);
                word.symbols.push_back(lookup(ch));
            });
            addPairs(word, +1);
            m_words.push_back(std::move(word));
        }
    }

    // One merge; false when no pair occurs at least twice.
    bool mergeOnce(std::pair<std::string, std::string>& merged)
    {
        uint64_t best = 0;
        int64_t bestCount = 2;  // a pair seen once is not worth a piece
        std::string bestText;
        for (const auto& [key, n] : m_pairs) {
            if (n < bestCount) continue;
            const std::string text = pieceText(key);
            if (m_index.count(text)) continue;  // already a piece, formed by another split
            if (bestText.empty() || n > bestCount || text < bestText) {
                best = key;
                bestCount = n;
                bestText = text;
            }
        }
        if (bestText.empty()) return false;
        const auto left = int32_t(best >> 32), right = int32_t(best & 0xFFFFFFFFu);
        merged = {m_spec.tokens[size_t(left)], m_spec.tokens[size_t(right)]};
        const auto id = int32_t(m_spec.tokens.size());
        m_spec.tokens.push_back(bestText);
        m_spec.types.push_back(TokenType::Normal);
        m_spec.scores.push_back(-float(++m_merges));
        m_index.emplace(bestText, id);
        for (Word& w : m_words) {
            bool has = false;
            for (size_t i = 0; i + 1 < w.symbols.size() && !has; ++i)
                has = w.symbols[i] == left && w.symbols[i + 1] == right;
            if (!has) continue;
            addPairs(w, -1);
            resegment(w);
            addPairs(w, +1);
        }
        return true;
    }

private:
    int32_t lookup(std::string_view piece) const
    {
        const auto it = m_index.find(std::string(piece));
        return it == m_index.end() || m_spec.types[size_t(it->second)] != TokenType::Normal ? -1 : it->second;
    }
    std::string pieceText(uint64_t key) const
    {
        return m_spec.tokens[size_t(key >> 32)] + m_spec.tokens[size_t(key & 0xFFFFFFFFu)];
    }
    void addPairs(const Word& w, int sign)
    {
        for (size_t i = 0; i + 1 < w.symbols.size(); ++i) {
            if (w.symbols[i] < 0 || w.symbols[i + 1] < 0) continue;
            const uint64_t key = pairKey(w.symbols[i], w.symbols[i + 1]);
            int64_t& n = m_pairs[key];
            n += sign * w.count;
            if (n == 0) m_pairs.erase(key);
        }
    }
    // The word's segmentation under the current vocabulary, exactly as the
    // score-driven encoder computes it: from single characters, repeatedly merge
    // the adjacent pair whose concatenation is the highest-scoring piece (ties:
    // leftmost). Words are short, so each round simply scans the word.
    void resegment(Word& w) const
    {
        std::vector<std::string> text;
        for (const std::string& t : w.text)
            forEachSymbol(t, [&](std::string_view ch) { text.emplace_back(ch); });
        std::vector<int32_t> ids(text.size());
        for (size_t i = 0; i < text.size(); ++i) ids[i] = lookup(text[i]);
        for (;;) {
            size_t at = 0;
            int32_t bestId = -1;
            for (size_t i = 0; i + 1 < text.size(); ++i) {
                if (ids[i] < 0 || ids[i + 1] < 0) continue;
                const int32_t id = lookup(text[i] + text[i + 1]);
                if (id >= 0 && (bestId < 0 || m_spec.scores[size_t(id)] > m_spec.scores[size_t(bestId)])) {
                    bestId = id;
                    at = i;
                }
            }
            if (bestId < 0) break;
            text[at] += text[at + 1];
            ids[at] = bestId;
            text.erase(text.begin() + std::ptrdiff_t(at) + 1);
            ids.erase(ids.begin() + std::ptrdiff_t(at) + 1);
        }
        w.text = std::move(text);
        w.symbols = std::move(ids);
    }

    TokenizerSpec& m_spec;
    std::unordered_map<std::string, int32_t> m_index;
    std::vector<Word> m_words;
    std::unordered_map<uint64_t, int64_t> m_pairs;  // (left id, right id) -> occurrences
    int m_merges = 0;
};

} // namespace

std::vector<std::string> bpeTrainingWords(std::string_view escaped)
{
    std::vector<std::string> words;
    std::string current;
    bool newlines = false;
    forEachSymbol(escaped, [&](std::string_view ch) {
        const bool isNewline = ch == "\n";
        if (!current.empty() && (ch == kSpace || isNewline != newlines)) {
            words.push_back(std::move(current));
            current.clear();
        }
        newlines = isNewline;
        current += ch;
    });
    if (!current.empty()) words.push_back(std::move(current));
    return words;
}

Result<TokenizerTrainingResult> trainTokenizer(std::string_view corpus, const TokenizerTrainingSettings& settings,
                                               const CancelToken* cancel)
{
    if (corpus.empty())
        return makeError(ErrorCode::InvalidArgument, "tokenizer training", "the corpus is empty");
    const bool bpe = settings.kind == TokenizerTrainingKind::Bpe;
    if (bpe && (settings.vocabSize < kReserved + 1 || settings.vocabSize > kMaxVocab))
        return makeError(ErrorCode::InvalidArgument, "tokenizer training",
                         "vocabulary size " + std::to_string(settings.vocabSize) + " is outside " +
                             std::to_string(kReserved + 1) + ".." + std::to_string(kMaxVocab) + " (" +
                             std::to_string(kReserved) + " special and byte tokens + at least one piece)");
    const std::string escaped = escape(corpus);
    std::vector<std::string> chars = charactersByFrequency(escaped);
    if (std::find(chars.begin(), chars.end(), std::string(kSpace)) == chars.end())
        chars.emplace_back(kSpace);

    TokenizerTrainingResult result;
    result.spec = reservedSpec();
    TokenizerSpec& spec = result.spec;
    size_t keep = chars.size();
    if (bpe && keep > size_t(settings.vocabSize - kReserved)) {
        keep = size_t(settings.vocabSize - kReserved);
        if (std::find(chars.begin(), chars.begin() + std::ptrdiff_t(keep), std::string(kSpace)) ==
            chars.begin() + std::ptrdiff_t(keep))
            chars[keep - 1] = std::string(kSpace);
        result.droppedCharacters = int(chars.size() - keep);
    }
    // Character pieces rank below every learnt piece: −(1 << 20) − rank.
    for (size_t i = 0; i < keep; ++i) {
        spec.tokens.push_back(chars[i]);
        spec.types.push_back(TokenType::Normal);
        spec.scores.push_back(-float(kMaxVocab) - float(i));
    }
    result.characters = int(keep);
    if (!bpe)
        return result;

    std::map<std::string, int64_t> words;  // ordered: training does not depend on hash order
    for (std::string& w : bpeTrainingWords(escaped)) ++words[std::move(w)];
    BpeTrainer trainer(spec);
    trainer.addWords(words);
    while (int(spec.tokens.size()) < settings.vocabSize) {
        if (cancel && cancel->cancelled())
            return makeError(ErrorCode::Cancelled, "tokenizer training", "cancelled");
        std::pair<std::string, std::string> merged;
        if (!trainer.mergeOnce(merged)) break;
        result.merges.push_back(std::move(merged));
    }
    return result;
}

} // namespace precis
