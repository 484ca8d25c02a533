#include "tokenizer/vocab.h"

#include <algorithm>
#include <queue>

namespace precis::tokenizer_detail {

int parseBytePiece(std::string_view piece)
{
    if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>')
        return -1;
    int value = 0;
    for (size_t i = 3; i < 5; ++i) {
        const char c = piece[i];
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

Vocab::Vocab(const TokenizerSpec& spec, bool spmBytes) : m_pieces(spec.tokens)
{
    const size_t n = m_pieces.size();
    m_types.resize(n, TokenType::Normal);
    m_index.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const auto id = int32_t(i);
        TokenType t = i < spec.types.size() ? spec.types[i] : TokenType::Undefined;
        if (t == TokenType::Undefined) {
            if (id == spec.bos || id == spec.eos || id == spec.pad) t = TokenType::Control;
            else if (id == spec.unk) t = TokenType::Unknown;
            else if (spmBytes && parseBytePiece(m_pieces[i]) >= 0) t = TokenType::Byte;
            else t = TokenType::Normal;
        }
        m_types[i] = t;
        m_index.insert_or_assign(m_pieces[i], id);
        if (t == TokenType::UserDefined && !m_pieces[i].empty())
            m_literalTokens.push_back(id);
    }
    std::stable_sort(m_literalTokens.begin(), m_literalTokens.end(),
                     [&](int32_t a, int32_t b) { return m_pieces[size_t(a)].size() > m_pieces[size_t(b)].size(); });
}

int32_t Vocab::find(std::string_view piece) const
{
    const auto it = m_index.find(piece);
    return it == m_index.end() ? -1 : it->second;
}

std::vector<Vocab::Fragment> Vocab::partition(std::string_view text) const
{
    std::vector<Fragment> fragments;
    if (text.empty())
        return fragments;
    fragments.push_back({text, -1});
    for (const int32_t id : m_literalTokens) {
        const std::string& piece = m_pieces[size_t(id)];
        std::vector<Fragment> next;
        next.reserve(fragments.size());
        for (const Fragment& f : fragments) {
            if (f.token >= 0) {
                next.push_back(f);
                continue;
            }
            size_t start = 0;
            for (size_t hit = f.text.find(piece); hit != std::string_view::npos; hit = f.text.find(piece, start)) {
                if (hit > start)
                    next.push_back({f.text.substr(start, hit - start), -1});
                next.push_back({f.text.substr(hit, piece.size()), id});
                start = hit + piece.size();
            }
            if (start < f.text.size())
                next.push_back({f.text.substr(start), -1});
        }
        fragments = std::move(next);
    }
    return fragments;
}

namespace {
uint64_t pairKey(int32_t left, int32_t right) { return (uint64_t(uint32_t(left)) << 32) | uint32_t(right); }
} // namespace

Result<MergeTable> MergeTable::build(const std::vector<std::string>& merges, const Vocab& vocab)
{
    MergeTable table;
    table.m_rules.reserve(merges.size());
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const std::string& m = merges[rank];
        const std::string where = "merges[" + std::to_string(rank) + "] '" + m + "'";
        const size_t sep = m.size() > 1 ? m.find(' ', 1) : std::string::npos;
        if (sep == std::string::npos || sep + 1 >= m.size())
            return makeError(ErrorCode::Format, "tokenizer",
                             where + ": expected two pieces separated by a space");
        const std::string_view left = std::string_view(m).substr(0, sep);
        const std::string_view right = std::string_view(m).substr(sep + 1);
        const int32_t a = vocab.find(left), b = vocab.find(right);
        const int32_t merged = vocab.find(std::string(left) + std::string(right));
        if (a < 0 || b < 0 || merged < 0) {
            const std::string missing = a < 0 ? std::string(left) : b < 0 ? std::string(right)
                                                                           : std::string(left) + std::string(right);
            return makeError(ErrorCode::Format, "tokenizer",
                             where + ": '" + missing + "' is not a token of the vocabulary");
        }
        // A repeated rule keeps its first (lowest) rank, as a ranked lookup would.
        table.m_rules.try_emplace(pairKey(a, b), Rule{int32_t(rank), merged});
    }
    return table;
}

const MergeTable::Rule* MergeTable::find(int32_t left, int32_t right) const
{
    if (left < 0 || right < 0)
        return nullptr;
    const auto it = m_rules.find(pairKey(left, right));
    return it == m_rules.end() ? nullptr : &it->second;
}

void mergeByRank(std::vector<int32_t>& symbols, const MergeTable& merges)
{
    const int n = int(symbols.size());
    if (n < 2 || merges.empty())
        return;
    // Doubly linked list over the word; a merged-away symbol gets id -2.
    std::vector<int> prev(static_cast<size_t>(n)), next(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        prev[size_t(i)] = i - 1;
        next[size_t(i)] = i + 1 < n ? i + 1 : -1;
    }
    struct Candidate {
        int32_t rank;
        int left;
        int32_t leftId, rightId;
    };
    // Lowest rank first, then leftmost position.
    const auto later = [](const Candidate& x, const Candidate& y) {
        return x.rank != y.rank ? x.rank > y.rank : x.left > y.left;
    };
    std::priority_queue<Candidate, std::vector<Candidate>, decltype(later)> queue(later);
    const auto consider = [&](int left) {
        if (left < 0 || next[size_t(left)] < 0)
            return;
        const int32_t a = symbols[size_t(left)], b = symbols[size_t(next[size_t(left)])];
        if (const MergeTable::Rule* r = merges.find(a, b))
            queue.push({r->rank, left, a, b});
    };
    for (int i = 0; i + 1 < n; ++i)
        consider(i);
    while (!queue.empty()) {
        const Candidate c = queue.top();
        queue.pop();
        // Stale entries: either side has merged since the candidate was queued.
        const int right = next[size_t(c.left)];
        if (symbols[size_t(c.left)] != c.leftId || right < 0 || symbols[size_t(right)] != c.rightId)
            continue;
        symbols[size_t(c.left)] = merges.find(c.leftId, c.rightId)->merged;
        symbols[size_t(right)] = -2;
        next[size_t(c.left)] = next[size_t(right)];
        if (next[size_t(right)] >= 0)
            prev[size_t(next[size_t(right)])] = c.left;
        consider(prev[size_t(c.left)]);
        consider(c.left);
    }
    symbols.erase(std::remove(symbols.begin(), symbols.end(), -2), symbols.end());
}

int32_t byteTokenId(const Vocab& vocab, uint8_t b)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    const char piece[6] = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
    const int32_t id = vocab.find(std::string_view(piece, 6));
    if (id >= 0)
        return id;
    const char raw = char(b);
    return vocab.find(std::string_view(&raw, 1));
}

} // namespace precis::tokenizer_detail
