// Hugging Face tokenizer.json (tokenizers >= 0.13 serialisation) -> TokenizerSpec.
//
// Fields read:
//   model.type "BPE", model.vocab {piece: id}, model.merges ["a b", ...] or
//   [["a", "b"], ...], model.unk_token, model.byte_fallback,
//   added_tokens [{id, content, special}],
//   normalizer / pre_tokenizer / decoder: to tell byte-level BPE (ByteLevel)
//   from SentencePiece-style BPE (Metaspace, or Prepend/Replace with "▁"), and
//   which pre-tokenizer regex a byte-level vocabulary uses,
//   post_processor TemplateProcessing: the BOS (and EOS) it adds.
// Ids of model.vocab and added_tokens together must be exactly 0..N-1.
#include "formats/tokenizer_json.h"

#include "common/mapped_file.h"
#include "tokenizer/unicode.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>

namespace precis {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kSpm = "\xE2\x96\x81";  // "▁"
constexpr size_t kMaxFileBytes = size_t(512) << 20;

// Patterns of Split pre-tokenizers that select a known regex (tokenizer.json
// stores them with single backslashes once the JSON string is decoded).
constexpr std::string_view kLlama3Pattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view kQwen2Pattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// The parser quotes the bytes it choked on; keep messages valid, printable UTF-8.
std::string printable(std::string_view s)
{
    std::string out;
    for (size_t pos = 0; pos < s.size();) {
        const unicode::Utf8Char c = unicode::decodeUtf8(s, pos);
        if (c.valid && c.codepoint >= 0x20 && c.codepoint != 0x7F) {
            out.append(s.substr(pos, c.length));
        } else {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[uint8_t(s[pos]) >> 4];
            out += kHex[uint8_t(s[pos]) & 15];
        }
        pos += c.valid ? c.length : 1;
    }
    return out;
}

// A piece as it appears in a message: quoted, control bytes escaped, long ones cut.
std::string quote(std::string_view s)
{
    return "'" + printable(s.substr(0, 60)) + (s.size() > 60 ? "...'" : "'");
}

std::string describe(const Json& v)
{
    if (v.is_number_float())
        return "number " + v.dump();
    if (v.is_number_integer())
        return "integer " + v.dump();
    if (v.is_string())
        return "string " + quote(v.get_ref<const std::string&>());
    return v.type_name();
}

class Parser {
public:
    explicit Parser(std::string where) : m_where(std::move(where)) {}
    Result<TokenizerSpec> run(const Json& root);

private:
    Error fail(ErrorCode code, const std::string& message) const { return makeError(code, m_where, message); }
    Error wrongType(const std::string& field, const Json& v, const char* expected) const
    {
        return fail(ErrorCode::Format, "field '" + field + "' is " + describe(v) + ", expected " + expected);
    }
    Result<int32_t> readId(const std::string& field, const Json& v) const;
    Result<void> readVocab(const Json& model);
    Result<void> readAddedTokens(const Json& root);
    Result<void> assemble();
    Result<void> readMerges(const Json& model);
    Result<void> detectKind(const Json& root, const Json& model);
    Result<std::string> byteLevelPre(const Json& pre) const;
    Result<void> readSpecialIds(const Json& root, const Json& model);
    int32_t idOf(const std::string& piece) const;

    std::string m_where;
    TokenizerSpec m_spec;
    std::vector<std::pair<std::string, int32_t>> m_vocab;  // model.vocab, in file order
    struct Added {
        std::string content;
        int32_t id;
        bool special;
    };
    std::vector<Added> m_added;
    std::unordered_map<std::string, int32_t> m_index;
};

Result<int32_t> Parser::readId(const std::string& field, const Json& v) const
{
    if (!v.is_number_integer())
        return wrongType(field, v, "an integer token id");
    const bool inRange = v.is_number_unsigned() ? v.get<uint64_t>() <= uint64_t(INT32_MAX - 1)
                                                : v.get<int64_t>() >= 0 && v.get<int64_t>() <= int64_t(INT32_MAX - 1);
    if (!inRange)
        return fail(ErrorCode::Format, "field '" + field + "': id " + v.dump() +
                                           " is out of range (expected 0.." + std::to_string(INT32_MAX - 1) + ")");
    return int32_t(v.get<int64_t>());
}

Result<void> Parser::readVocab(const Json& model)
{
    const auto it = model.find("vocab");
    if (it == model.end())
        return fail(ErrorCode::Format, "missing field 'model.vocab'");
    if (!it->is_object())
        return wrongType("model.vocab", *it, "an object of piece -> id");
    if (it->empty())
        return fail(ErrorCode::Format, "field 'model.vocab' is empty, expected at least one token");
    m_vocab.reserve(it->size());
    for (const auto& [piece, value] : it->items()) {
        PRECIS_TRY_ASSIGN(const int32_t id, readId("model.vocab[" + quote(piece) + "]", value));
        m_vocab.emplace_back(piece, id);
    }
    return {};
}

Result<void> Parser::readAddedTokens(const Json& root)
{
    const auto it = root.find("added_tokens");
    if (it == root.end() || it->is_null())
        return {};
    if (!it->is_array())
        return wrongType("added_tokens", *it, "an array");
    for (size_t i = 0; i < it->size(); ++i) {
        const Json& t = (*it)[i];
        const std::string field = "added_tokens[" + std::to_string(i) + "]";
        if (!t.is_object())
            return wrongType(field, t, "an object {id, content, ...}");
        const auto id = t.find("id"), content = t.find("content"), special = t.find("special");
        if (id == t.end() || content == t.end())
            return fail(ErrorCode::Format, "field '" + field + "' lacks '" + (id == t.end() ? "id" : "content") + "'");
        PRECIS_TRY_ASSIGN(const int32_t tokenId, readId(field + ".id", *id));
        if (!content->is_string())
            return wrongType(field + ".content", *content, "a string");
        if (content->get_ref<const std::string&>().empty())
            return fail(ErrorCode::Format, "field '" + field + ".content' is empty, expected the token's text");
        if (special != t.end() && !special->is_boolean())
            return wrongType(field + ".special", *special, "true or false");
        m_added.push_back({content->get<std::string>(), tokenId, special != t.end() && special->get<bool>()});
    }
    return {};
}

// Places every piece at its id. Ids are bounded by the number of entries before
// the table is allocated, so a hostile id cannot cause a huge allocation.
Result<void> Parser::assemble()
{
    const size_t entries = m_vocab.size() + m_added.size();
    const auto checkRange = [&](const std::string& field, const std::string& piece, int32_t id) -> Result<void> {
        if (size_t(id) < entries)
            return {};
        return fail(ErrorCode::Format, "field '" + field + "': id " + std::to_string(id) + " of " + quote(piece) +
                                           " is out of range: there are only " + std::to_string(entries) +
                                           " tokens, so ids must be 0.." + std::to_string(entries - 1));
    };
    size_t n = 0;
    for (const auto& [piece, id] : m_vocab) {
        PRECIS_TRY(checkRange("model.vocab", piece, id));
        n = std::max(n, size_t(id) + 1);
    }
    for (const Added& a : m_added) {
        PRECIS_TRY(checkRange("added_tokens", a.content, a.id));
        n = std::max(n, size_t(a.id) + 1);
    }
    std::vector<bool> filled(n, false);
    m_spec.tokens.assign(n, std::string());
    m_spec.types.assign(n, TokenType::Normal);
    for (const auto& [piece, id] : m_vocab) {
        if (filled[size_t(id)])
            return fail(ErrorCode::Format, "field 'model.vocab': duplicate id " + std::to_string(id) + " for " +
                                               quote(m_spec.tokens[size_t(id)]) + " and " + quote(piece));
        filled[size_t(id)] = true;
        m_spec.tokens[size_t(id)] = piece;
    }
    for (size_t i = 0; i < m_added.size(); ++i) {
        const Added& a = m_added[i];
        const auto slot = size_t(a.id);
        if (filled[slot] && m_spec.tokens[slot] != a.content)
            return fail(ErrorCode::Format, "field 'added_tokens[" + std::to_string(i) + "]': id " +
                                               std::to_string(a.id) + " is " + quote(a.content) +
                                               " but is already taken by " + quote(m_spec.tokens[slot]));
        filled[slot] = true;
        m_spec.tokens[slot] = a.content;
        m_spec.types[slot] = a.special ? TokenType::Control : TokenType::UserDefined;
    }
    for (size_t id = 0; id < n; ++id)
        if (!filled[id])
            return fail(ErrorCode::Format, "no token has id " + std::to_string(id) + " (ids of model.vocab and "
                                               "added_tokens must be 0.." + std::to_string(n - 1) + " without gaps)");
    m_index.reserve(n);
    for (size_t id = 0; id < n; ++id)
        m_index.emplace(m_spec.tokens[id], int32_t(id));
    return {};
}

int32_t Parser::idOf(const std::string& piece) const
{
    const auto it = m_index.find(piece);
    return it == m_index.end() ? -1 : it->second;
}

Result<void> Parser::readMerges(const Json& model)
{
    const auto it = model.find("merges");
    if (it == model.end() || it->is_null())
        return {};
    if (!it->is_array())
        return wrongType("model.merges", *it, "an array");
    m_spec.merges.reserve(it->size());
    for (size_t i = 0; i < it->size(); ++i) {
        const Json& m = (*it)[i];
        const std::string field = "model.merges[" + std::to_string(i) + "]";
        std::string left, right;
        if (m.is_string()) {
            const std::string& s = m.get_ref<const std::string&>();
            const size_t sep = s.size() > 1 ? s.find(' ', 1) : std::string::npos;
            if (sep == std::string::npos)
                return fail(ErrorCode::Format, "field '" + field + "' is " + quote(s) +
                                                   ", expected two pieces separated by a space");
            left = s.substr(0, sep);
            right = s.substr(sep + 1);
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            left = m[0].get<std::string>();
            right = m[1].get<std::string>();
            if (left.empty() || left.find(' ', 1) != std::string::npos)
                return fail(ErrorCode::Unsupported, "field '" + field + "': piece " + quote(left) +
                                                        " cannot be stored in the \"a b\" merge form");
        } else {
            return wrongType(field, m, "a string \"a b\" or a pair of strings");
        }
        for (const std::string& p : {left, right, left + right})
            if (idOf(p) < 0)
                return fail(ErrorCode::Format, "field '" + field + "' (" + quote(left + " " + right) + "): " +
                                                   quote(p) + " is not a token of model.vocab");
        m_spec.merges.push_back(left + " " + right);
    }
    return {};
}

// Calls f on a component and, for "Sequence" components, on each member.
template <typename F>
void forEachComponent(const Json& component, const char* listKey, F&& f)
{
    if (!component.is_object())
        return;
    f(component);
    const auto list = component.find(listKey);
    if (list != component.end() && list->is_array())
        for (const Json& c : *list)
            if (c.is_object())
                f(c);
}

std::string typeOf(const Json& c)
{
    const auto t = c.find("type");
    return t != c.end() && t->is_string() ? t->get<std::string>() : std::string();
}

bool boolField(const Json& c, const char* key, bool fallback)
{
    const auto v = c.find(key);
    return v != c.end() && v->is_boolean() ? v->get<bool>() : fallback;
}

std::string stringField(const Json& c, const char* key)
{
    const auto v = c.find(key);
    return v != c.end() && v->is_string() ? v->get<std::string>() : std::string();
}

// Pattern of a Split component: {"pattern": {"Regex": "..."}} or {"String": "..."}.
std::string splitPattern(const Json& c)
{
    const auto p = c.find("pattern");
    if (p == c.end() || !p->is_object())
        return {};
    const std::string re = stringField(*p, "Regex");
    return re.empty() ? stringField(*p, "String") : re;
}

Result<std::string> Parser::byteLevelPre(const Json& pre) const
{
    std::vector<const Json*> parts;
    forEachComponent(pre, "pretokenizers", [&](const Json& c) {
        if (typeOf(c) != "Sequence") parts.push_back(&c);
    });
    const auto unsupported = [&](const std::string& what) {
        return fail(ErrorCode::Unsupported, "pre_tokenizer " + what +
                                                " is not supported (expected ByteLevel, or Split with the Llama-3 or "
                                                "Qwen2 regex, or Digits(individual_digits) + ByteLevel)");
    };
    std::string preName;
    bool byteLevelRegex = false;
    for (const Json* c : parts) {
        const std::string type = typeOf(*c);
        if (type == "ByteLevel") {
            if (boolField(*c, "add_prefix_space", false))
                return unsupported("ByteLevel with add_prefix_space = true");
            byteLevelRegex = boolField(*c, "use_regex", true);
        } else if (type == "Split") {
            const std::string pattern = splitPattern(*c);
            if (pattern == kLlama3Pattern) preName = "llama-bpe";
            else if (pattern == kQwen2Pattern) preName = "qwen2";
            else return unsupported("Split with the regex " + quote(pattern));
        } else if (type == "Digits" && boolField(*c, "individual_digits", false)) {
            preName = "smollm";
        } else {
            return unsupported(quote(type));
        }
    }
    if (preName.empty() || preName == "smollm") {
        if (!byteLevelRegex)
            return unsupported("ByteLevel without its regex (use_regex = false) and no Split");
        return preName.empty() ? std::string("gpt2") : preName;
    }
    if (byteLevelRegex)
        return unsupported("Split followed by ByteLevel with use_regex = true");
    return preName;
}

Result<void> Parser::detectKind(const Json& root, const Json& model)
{
    const auto section = [&](const char* key) -> const Json& {
        static const Json kNull;
        const auto it = root.find(key);
        return it == root.end() ? kNull : *it;
    };
    const Json& normalizer = section("normalizer");
    const Json& pre = section("pre_tokenizer");
    const Json& decoder = section("decoder");
    bool byteLevel = false, spm = boolField(model, "byte_fallback", false), prefix = false;
    const auto look = [&](const Json& c) {
        const std::string type = typeOf(c);
        if (type == "ByteLevel") byteLevel = true;
        if (type == "Metaspace") {
            spm = true;
            const std::string scheme = stringField(c, "prepend_scheme");
            prefix = prefix || boolField(c, "add_prefix_space", false) || scheme == "always" || scheme == "first";
        }
        if (type == "Prepend" && stringField(c, "prepend") == kSpm) spm = prefix = true;
        if (type == "Replace" && (splitPattern(c) == " " || stringField(c, "content") == " ")) spm = true;
    };
    forEachComponent(normalizer, "normalizers", look);
    forEachComponent(pre, "pretokenizers", look);
    forEachComponent(decoder, "decoders", look);
    if (byteLevel) {
        m_spec.kind = TokenizerKind::ByteLevelBpe;
        PRECIS_TRY_ASSIGN(m_spec.pre, byteLevelPre(pre));
        m_spec.addSpacePrefix = false;
        m_spec.byteFallback = false;
        return {};
    }
    if (!spm)
        return fail(ErrorCode::Unsupported, "BPE model with neither a ByteLevel nor a SentencePiece-style "
                                            "(Metaspace, or Replace ' ' -> '\xE2\x96\x81') setup is not supported");
    m_spec.kind = TokenizerKind::SentencePiece;
    m_spec.pre = "default";
    m_spec.addSpacePrefix = prefix;
    m_spec.byteFallback = boolField(model, "byte_fallback", false);
    for (size_t id = 0; id < m_spec.tokens.size(); ++id)
        if (m_spec.types[id] == TokenType::Normal && m_spec.tokens[id].size() == 6 &&
            m_spec.tokens[id].starts_with("<0x") && m_spec.tokens[id].back() == '>')
            m_spec.types[id] = TokenType::Byte;
    return {};
}

Result<void> Parser::readSpecialIds(const Json& root, const Json& model)
{
    if (const auto unk = model.find("unk_token"); unk != model.end() && !unk->is_null()) {
        if (!unk->is_string())
            return wrongType("model.unk_token", *unk, "a string or null");
        m_spec.unk = idOf(unk->get<std::string>());
        if (m_spec.unk < 0)
            return fail(ErrorCode::Format, "field 'model.unk_token' is " + quote(unk->get<std::string>()) +
                                               ", which is not a token of model.vocab");
        if (m_spec.types[size_t(m_spec.unk)] == TokenType::Normal || m_spec.types[size_t(m_spec.unk)] == TokenType::Control)
            m_spec.types[size_t(m_spec.unk)] = TokenType::Unknown;
    }
    // TemplateProcessing: [SpecialToken <s>, Sequence A] adds BOS; a SpecialToken after A adds EOS.
    const auto post = root.find("post_processor");
    if (post != root.end() && post->is_object()) {
        forEachComponent(*post, "processors", [&](const Json& c) {
            const auto single = c.find("single");
            if (typeOf(c) != "TemplateProcessing" || single == c.end() || !single->is_array())
                return;
            bool seenSequence = false;
            for (const Json& step : *single) {
                if (!step.is_object()) continue;
                if (step.contains("Sequence")) { seenSequence = true; continue; }
                const auto sp = step.find("SpecialToken");
                if (sp == step.end() || !sp->is_object()) continue;
                const int32_t id = idOf(stringField(*sp, "id"));
                if (id < 0) continue;
                if (!seenSequence) { m_spec.bos = id; m_spec.addBos = true; }
                else { m_spec.eos = id; m_spec.addEos = true; }
            }
        });
    }
    // Conventional names where the template does not say.
    const auto byName = [&](int32_t& slot, std::initializer_list<const char*> names) {
        for (const char* name : names)
            if (slot < 0) slot = idOf(name);
    };
    byName(m_spec.bos, {"<s>", "<|begin_of_text|>", "<|endoftext|>"});
    byName(m_spec.eos, {"</s>", "<|end_of_text|>", "<|endoftext|>"});
    return {};
}

Result<TokenizerSpec> Parser::run(const Json& root)
{
    if (!root.is_object())
        return fail(ErrorCode::Format, "the top level is " + describe(root) + ", expected a JSON object");
    const auto model = root.find("model");
    if (model == root.end())
        return fail(ErrorCode::Format, "missing field 'model'");
    if (!model->is_object())
        return wrongType("model", *model, "an object");
    if (const auto type = model->find("type"); type != model->end()) {
        if (!type->is_string())
            return wrongType("model.type", *type, "a string");
        if (type->get<std::string>() != "BPE")
            return fail(ErrorCode::Unsupported, "model.type is " + quote(type->get<std::string>()) +
                                                    ", only 'BPE' is supported");
    }
    PRECIS_TRY(readVocab(*model));
    PRECIS_TRY(readAddedTokens(root));
    PRECIS_TRY(assemble());
    PRECIS_TRY(readMerges(*model));
    PRECIS_TRY(detectKind(root, *model));
    PRECIS_TRY(readSpecialIds(root, *model));
    return std::move(m_spec);
}

// tokenizer_config.json beside tokenizer.json states BOS/EOS and whether BOS is added.
Result<void> applyTokenizerConfig(const std::string& path, TokenizerSpec& spec)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return {};
    PRECIS_TRY_ASSIGN(const std::string text, readTextFile(path, size_t(64) << 20));
    const Json cfg = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (cfg.is_discarded() || !cfg.is_object())
        return makeError(ErrorCode::Format, path, "not a JSON object");
    const auto tokenId = [&](const char* key, int32_t& slot) -> Result<void> {
        const auto v = cfg.find(key);
        if (v == cfg.end() || v->is_null())
            return {};
        const Json* content = &*v;
        if (v->is_object() && v->contains("content"))
            content = &(*v)["content"];
        if (!content->is_string())
            return makeError(ErrorCode::Format, path, std::string("field '") + key + "' is " + describe(*content) +
                                                          ", expected a token string");
        for (size_t id = 0; id < spec.tokens.size(); ++id)
            if (spec.tokens[id] == content->get_ref<const std::string&>()) {
                slot = int32_t(id);
                return {};
            }
        return makeError(ErrorCode::Format, path, std::string("field '") + key + "' names " +
                                                      quote(content->get<std::string>()) + ", which is not a token");
    };
    PRECIS_TRY(tokenId("bos_token", spec.bos));
    PRECIS_TRY(tokenId("eos_token", spec.eos));
    PRECIS_TRY(tokenId("pad_token", spec.pad));
    spec.addBos = boolField(cfg, "add_bos_token", spec.addBos);
    spec.addEos = boolField(cfg, "add_eos_token", spec.addEos);
    return {};
}

} // namespace

Result<TokenizerSpec> parseTokenizerJsonText(const std::string& text, const std::string& where)
{
    Json root;
    try {
        root = Json::parse(text);
    } catch (const Json::parse_error& e) {
        // what(): "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..."
        const std::string what = e.what();
        const size_t at = what.find(" at line "), colon = what.find(": ", at == std::string::npos ? 0 : at);
        std::string message = "invalid JSON at byte " + std::to_string(e.byte);
        if (at != std::string::npos && colon != std::string::npos)
            message += " (" + what.substr(at + 4, colon - at - 4) + ")";
        if (colon != std::string::npos)
            message += ": " + printable(what.substr(colon + 2));
        return makeError(ErrorCode::Format, where, message);
    } catch (const Json::exception& e) {
        std::string reason = e.what();
        if (const size_t bracket = reason.find("] "); bracket != std::string::npos)
            reason = reason.substr(bracket + 2);
        return makeError(ErrorCode::Format, where, "invalid JSON: " + printable(reason));
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::Format, where, "JSON too large to parse in memory");
    }
    try {
        return Parser(where).run(root);
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, where, std::string("unexpected JSON error: ") + e.what());
    }
}

Result<TokenizerSpec> parseTokenizerJson(const std::string& path)
{
    PRECIS_TRY_ASSIGN(const std::string text, readTextFile(path, kMaxFileBytes));
    PRECIS_TRY_ASSIGN(TokenizerSpec spec, parseTokenizerJsonText(text, path));
    const std::string config = (std::filesystem::path(path).parent_path() / "tokenizer_config.json").string();
    PRECIS_TRY(applyTokenizerConfig(config, spec));
    return spec;
}

} // namespace precis
