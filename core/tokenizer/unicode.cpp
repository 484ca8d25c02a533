#include "tokenizer/unicode.h"

#include <algorithm>
#include <array>

namespace precis::unicode {

// UTF-8 as restricted by RFC 3629 §4: shortest form only, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF.
Utf8Char decodeUtf8(std::string_view text, size_t pos)
{
    const auto byteAt = [&](size_t i) { return uint8_t(text[i]); };
    const uint8_t b0 = byteAt(pos);
    Utf8Char bad{b0, 1, false};
    if (b0 < 0x80)
        return {b0, 1, true};
    uint32_t len = 0, cp = 0, minCp = 0;
    if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; minCp = 0x80; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; minCp = 0x800; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; minCp = 0x10000; }
    else return bad;
    if (text.size() - pos < len)
        return bad;
    for (uint32_t k = 1; k < len; ++k) {
        const uint8_t b = byteAt(pos + k);
        if ((b & 0xC0) != 0x80)
            return bad;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < minCp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return bad;
    return {cp, len, true};
}

bool isValidUtf8(std::string_view text)
{
    for (size_t pos = 0; pos < text.size();) {
        const Utf8Char c = decodeUtf8(text, pos);
        if (!c.valid)
            return false;
        pos += c.length;
    }
    return true;
}

void appendUtf8(std::string& out, uint32_t cp)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

namespace {

bool inRanges(const detail::CodepointRange* ranges, size_t count, uint32_t cp)
{
    // First range whose end is >= cp; cp is inside iff that range starts at or before it.
    const auto* end = ranges + count;
    const auto* it = std::lower_bound(ranges, end, cp,
                                      [](const detail::CodepointRange& r, uint32_t c) { return r.last < c; });
    return it != end && it->first <= cp;
}

struct ByteMap {
    std::array<uint32_t, 256> toCp{};
    std::array<int16_t, 324> fromCp{};  // code points 0..323 cover the whole alphabet

    ByteMap()
    {
        fromCp.fill(-1);
        uint32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            toCp[size_t(b)] = printable ? uint32_t(b) : next++;
            fromCp[toCp[size_t(b)]] = int16_t(b);
        }
    }
};

const ByteMap& byteMap()
{
    static const ByteMap map;
    return map;
}

} // namespace

bool isLetter(uint32_t cp) { return inRanges(detail::kLetterRanges, detail::kLetterRangesCount, cp); }
bool isNumber(uint32_t cp) { return inRanges(detail::kNumberRanges, detail::kNumberRangesCount, cp); }
bool isWhitespace(uint32_t cp) { return inRanges(detail::kWhitespaceRanges, detail::kWhitespaceRangesCount, cp); }

uint32_t byteToCodepoint(uint8_t byte) { return byteMap().toCp[byte]; }

int codepointToByte(uint32_t cp)
{
    const auto& m = byteMap();
    return cp < m.fromCp.size() ? m.fromCp[cp] : -1;
}

std::string bytesToByteLevel(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes)
        appendUtf8(out, byteToCodepoint(uint8_t(c)));
    return out;
}

std::string byteLevelToBytes(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
        const Utf8Char c = decodeUtf8(text, pos);
        const int b = c.valid ? codepointToByte(c.codepoint) : -1;
        if (b >= 0)
            out += char(b);
        else
            out.append(text.substr(pos, c.length));
        pos += c.length;
    }
    return out;
}

} // namespace precis::unicode
