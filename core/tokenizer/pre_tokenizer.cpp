#include "tokenizer/pre_tokenizer.h"

#include "tokenizer/unicode.h"

#include <cstdint>

namespace precis::tokenizer_detail {

namespace {

enum : uint8_t { kLetter = 1, kNumber = 2, kSpace = 4 };

struct Char {
    size_t offset;  // byte offset in the text
    uint32_t cp;    // code point (the byte value for an invalid byte)
    uint8_t cls;    // kLetter | kNumber | kSpace, 0 for anything else
};

// Decoded text plus a sentinel whose offset is text.size().
std::vector<Char> decode(std::string_view text)
{
    std::vector<Char> chars;
    chars.reserve(text.size() + 1);
    for (size_t pos = 0; pos < text.size();) {
        const unicode::Utf8Char c = unicode::decodeUtf8(text, pos);
        uint8_t cls = 0;
        if (c.valid) {
            if (unicode::isLetter(c.codepoint)) cls = kLetter;
            else if (unicode::isNumber(c.codepoint)) cls = kNumber;
            else if (unicode::isWhitespace(c.codepoint)) cls = kSpace;
        }
        chars.push_back({pos, c.valid ? c.codepoint : 0xFFFD, cls});
        pos += c.length;
    }
    chars.push_back({text.size(), 0, 0});
    return chars;
}

// One pass of a regex over chars[begin, end): `ends` receives the end index of
// every word. Character tests look at chars[i] only for i < end ("in range").
class Scanner {
public:
    Scanner(const std::vector<Char>& chars, size_t begin, size_t end, std::vector<size_t>& ends)
        : m_c(chars), m_pos(begin), m_end(end), m_ends(ends) {}

    bool done() const { return m_pos >= m_end; }
    void gpt2Step();
    void llama3Step(size_t maxDigits);

private:
    bool in(size_t i) const { return i < m_end; }
    uint32_t cp(size_t i) const { return in(i) ? m_c[i].cp : 0; }
    bool is(size_t i, uint8_t cls) const { return in(i) && (m_c[i].cls & cls); }
    // [^\s\p{L}\p{N}]
    bool isOther(size_t i) const { return in(i) && m_c[i].cls == 0; }
    bool isNewline(size_t i) const { return in(i) && (m_c[i].cp == '\r' || m_c[i].cp == '\n'); }
    void emit(size_t end) { m_pos = end; m_ends.push_back(end); }
    // 's 't 'm 'd 're 've 'll; returns the match length or 0.
    size_t contraction(bool anyCase) const;
    // \s+(?!\S)|\s+ at m_pos, given the whitespace run length n >= 1.
    void whitespaceRun(size_t n)
    {
        // Backtracking leaves the last space of a run for the next word when a
        // non-space follows; a run reaching the end is taken whole.
        emit(m_pos + (n > 1 && in(m_pos + n) ? n - 1 : n));
    }

    const std::vector<Char>& m_c;
    size_t m_pos, m_end;
    std::vector<size_t>& m_ends;
};

size_t Scanner::contraction(bool anyCase) const
{
    if (cp(m_pos) != '\'' || !in(m_pos + 1))
        return 0;
    const auto lower = [&](size_t i) {
        const uint32_t c = cp(i);
        return anyCase && c >= 'A' && c <= 'Z' ? c + 32 : c;
    };
    const uint32_t a = lower(m_pos + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return 2;
    if (!in(m_pos + 2))
        return 0;
    const uint32_t b = lower(m_pos + 2);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
        return 3;
    return 0;
}

void Scanner::gpt2Step()
{
    if (const size_t n = contraction(false))
        return emit(m_pos + n);
    // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: the optional U+0020, then a
    // run of one class.
    const size_t q = cp(m_pos) == ' ' ? m_pos + 1 : m_pos;
    for (const uint8_t cls : {kLetter, kNumber}) {
        if (is(q, cls)) {
            size_t e = q;
            while (is(e, cls)) ++e;
            return emit(e);
        }
    }
    if (isOther(q)) {
        size_t e = q;
        while (isOther(e)) ++e;
        return emit(e);
    }
    size_t n = 0;
    while (is(m_pos + n, kSpace)) ++n;
    if (n > 0)
        return whitespaceRun(n);
    emit(m_pos + 1);  // unreachable: every character has a class or is "other"
}

void Scanner::llama3Step(size_t maxDigits)
{
    if (const size_t n = contraction(true))
        return emit(m_pos + n);
    // [^\r\n\p{L}\p{N}]?\p{L}+
    size_t q = m_pos;
    if (!is(q, kLetter) && !isNewline(q) && !is(q, kNumber) && is(q + 1, kLetter))
        ++q;
    if (is(q, kLetter)) {
        while (is(q, kLetter)) ++q;
        return emit(q);
    }
    // \p{N}{1,maxDigits}
    if (is(m_pos, kNumber)) {
        size_t e = m_pos;
        while (e - m_pos < maxDigits && is(e, kNumber)) ++e;
        return emit(e);
    }
    // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
    q = cp(m_pos) == ' ' ? m_pos + 1 : m_pos;
    if (isOther(q)) {
        while (isOther(q)) ++q;
        while (isNewline(q)) ++q;
        return emit(q);
    }
    // \s*[\r\n]+ : the longest whitespace prefix that ends in \r or \n.
    size_t n = 0, afterNewline = 0;
    while (is(m_pos + n, kSpace)) {
        if (isNewline(m_pos + n))
            afterNewline = n + 1;
        ++n;
    }
    if (afterNewline > 0)
        return emit(m_pos + afterNewline);
    if (n > 0)
        return whitespaceRun(n);
    emit(m_pos + 1);
}

} // namespace

std::optional<PreTokenizer> preTokenizerFromName(std::string_view name)
{
    if (name.empty() || name == "gpt2" || name == "gpt-2")
        return PreTokenizer::Gpt2;
    if (name == "llama-bpe" || name == "llama3")
        return PreTokenizer::Llama3;
    if (name == "qwen2")
        return PreTokenizer::Qwen2;
    if (name == "smollm" || name == "starcoder")
        return PreTokenizer::DigitsThenGpt2;
    return std::nullopt;
}

std::vector<std::string_view> preTokenize(std::string_view text, PreTokenizer kind)
{
    const std::vector<Char> chars = decode(text);
    const size_t n = chars.size() - 1;
    std::vector<size_t> ends;
    ends.reserve(n / 2 + 1);
    const auto scan = [&](size_t begin, size_t end) {
        Scanner s(chars, begin, end, ends);
        while (!s.done()) {
            switch (kind) {
            case PreTokenizer::Llama3: s.llama3Step(3); break;
            case PreTokenizer::Qwen2: s.llama3Step(1); break;
            default: s.gpt2Step(); break;
            }
        }
    };
    if (kind == PreTokenizer::DigitsThenGpt2) {
        size_t start = 0;
        for (size_t i = 0; i < n; ++i) {
            if (chars[i].cls & kNumber) {
                scan(start, i);
                ends.push_back(i + 1);
                start = i + 1;
            }
        }
        scan(start, n);
    } else {
        scan(0, n);
    }
    std::vector<std::string_view> words;
    words.reserve(ends.size());
    size_t begin = 0;
    for (const size_t e : ends) {
        words.push_back(text.substr(chars[begin].offset, chars[e].offset - chars[begin].offset));
        begin = e;
    }
    return words;
}

} // namespace precis::tokenizer_detail
