#include "formats/tokenizer_json_writer.h"

#include "common/mapped_file.h"
#include "tokenizer/unicode.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_map>

namespace precis {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSpm = "\xE2\x96\x81";  // "▁"
constexpr const char* kWhere = "tokenizer.json";

Error unsupported(const std::string& message) { return makeError(ErrorCode::Unsupported, kWhere, message); }

Json stringPattern(const std::string& s) { return Json{{"String", s}}; }

TokenType typeOf(const TokenizerSpec& spec, size_t id)
{
    return id < spec.types.size() ? spec.types[id] : TokenType::Normal;
}

// Checks every piece once: valid UTF-8 (JSON strings must be) and unique
// (model.vocab is an object keyed by piece).
Result<std::unordered_map<std::string, int32_t>> indexPieces(const TokenizerSpec& spec)
{
    std::unordered_map<std::string, int32_t> index;
    index.reserve(spec.tokens.size());
    for (size_t id = 0; id < spec.tokens.size(); ++id) {
        const std::string& piece = spec.tokens[id];
        if (piece.empty())
            return unsupported("token " + std::to_string(id) + " is empty; tokenizer.json cannot store it");
        if (!unicode::isValidUtf8(piece))
            return unsupported("token " + std::to_string(id) + " is not valid UTF-8; tokenizer.json cannot store it");
        if (!index.emplace(piece, int32_t(id)).second)
            return unsupported("tokens " + std::to_string(index[piece]) + " and " + std::to_string(id) +
                               " are the same piece; tokenizer.json cannot store duplicates");
    }
    return index;
}

// Merges "a b" for a score-driven vocabulary (see the header): all two-piece
// splits of every Normal piece, by piece score (high first), then ids of the halves.
std::vector<std::string> mergesFromScores(const TokenizerSpec& spec, const std::unordered_map<std::string, int32_t>& index)
{
    struct Merge {
        float score;
        int32_t piece, left, right;
    };
    std::vector<Merge> merges;
    for (size_t id = 0; id < spec.tokens.size(); ++id) {
        if (typeOf(spec, id) != TokenType::Normal) continue;
        const std::string& p = spec.tokens[id];
        if (p.find(' ') != std::string::npos) continue;  // cannot be written "a b" (and never forms from "▁" text)
        for (size_t cut = 0; cut < p.size();) {
            cut += std::min(unicode::utf8SequenceLength(uint8_t(p[cut])), p.size() - cut);
            if (cut >= p.size()) break;
            const auto l = index.find(p.substr(0, cut)), r = index.find(p.substr(cut));
            if (l == index.end() || r == index.end()) continue;
            if (typeOf(spec, size_t(l->second)) != TokenType::Normal || typeOf(spec, size_t(r->second)) != TokenType::Normal)
                continue;
            merges.push_back({spec.scores[id], int32_t(id), l->second, r->second});
        }
    }
    std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) {
        if (a.score != b.score) return a.score > b.score;
        if (a.piece != b.piece) return a.piece < b.piece;
        return a.left != b.left ? a.left < b.left : a.right < b.right;
    });
    std::vector<std::string> out;
    out.reserve(merges.size());
    for (const Merge& m : merges)
        out.push_back(spec.tokens[size_t(m.left)] + " " + spec.tokens[size_t(m.right)]);
    return out;
}

Json addedTokens(const TokenizerSpec& spec)
{
    Json added = Json::array();
    for (size_t id = 0; id < spec.tokens.size(); ++id) {
        const TokenType t = typeOf(spec, id);
        const bool special = t == TokenType::Control || t == TokenType::Unknown || t == TokenType::Unused;
        if (!special && t != TokenType::UserDefined) continue;
        added.push_back(Json{{"id", id},
                             {"content", spec.tokens[id]},
                             {"single_word", false},
                             {"lstrip", false},
                             {"rstrip", false},
                             {"normalized", !special},
                             {"special", special}});
    }
    return added;
}

Json specialTokenStep(const std::string& piece) { return Json{{"SpecialToken", {{"id", piece}, {"type_id", 0}}}}; }

// TemplateProcessing for the BOS / EOS the spec adds; null when it adds none.
Json postProcessor(const TokenizerSpec& spec)
{
    const bool bos = spec.addBos && spec.bos >= 0, eos = spec.addEos && spec.eos >= 0;
    if (!bos && !eos) return nullptr;
    Json single = Json::array(), pair = Json::array(), special = Json::object();
    auto addSpecial = [&](int32_t id) {
        const std::string& piece = spec.tokens[size_t(id)];
        special[piece] = Json{{"id", piece}, {"ids", Json::array({id})}, {"tokens", Json::array({piece})}};
    };
    if (bos) { single.push_back(specialTokenStep(spec.tokens[size_t(spec.bos)])); addSpecial(spec.bos); }
    single.push_back(Json{{"Sequence", {{"id", "A"}, {"type_id", 0}}}});
    if (eos) { single.push_back(specialTokenStep(spec.tokens[size_t(spec.eos)])); addSpecial(spec.eos); }
    pair = single;
    if (bos) pair.push_back(specialTokenStep(spec.tokens[size_t(spec.bos)]));
    pair.push_back(Json{{"Sequence", {{"id", "B"}, {"type_id", 1}}}});
    if (eos) pair.push_back(specialTokenStep(spec.tokens[size_t(spec.eos)]));
    return Json{{"type", "TemplateProcessing"}, {"single", single}, {"pair", pair}, {"special_tokens", special}};
}

Json vocabObject(const TokenizerSpec& spec)
{
    Json vocab = Json::object();
    for (size_t id = 0; id < spec.tokens.size(); ++id) vocab[spec.tokens[id]] = id;
    return vocab;
}

Result<Json> sentencePieceJson(const TokenizerSpec& spec, const std::unordered_map<std::string, int32_t>& index)
{
    std::vector<std::string> merges = spec.merges;
    if (merges.empty() && !spec.scores.empty()) merges = mergesFromScores(spec, index);
    Json normalizers = Json::array();
    if (spec.addSpacePrefix) normalizers.push_back(Json{{"type", "Prepend"}, {"prepend", kSpm}});
    normalizers.push_back(Json{{"type", "Replace"}, {"pattern", stringPattern(" ")}, {"content", kSpm}});
    Json decoders = Json::array();
    decoders.push_back(Json{{"type", "Replace"}, {"pattern", stringPattern(kSpm)}, {"content", " "}});
    if (spec.byteFallback) decoders.push_back(Json{{"type", "ByteFallback"}});
    decoders.push_back(Json{{"type", "Fuse"}});
    if (spec.addSpacePrefix) decoders.push_back(Json{{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});

    Json root = Json::object();
    root["version"] = "1.0";
    root["truncation"] = nullptr;
    root["padding"] = nullptr;
    root["added_tokens"] = addedTokens(spec);
    root["normalizer"] = Json{{"type", "Sequence"}, {"normalizers", normalizers}};
    root["pre_tokenizer"] = nullptr;
    root["post_processor"] = postProcessor(spec);
    root["decoder"] = Json{{"type", "Sequence"}, {"decoders", decoders}};
    Json model = Json::object();
    model["type"] = "BPE";
    model["dropout"] = nullptr;
    model["unk_token"] = spec.unk >= 0 ? Json(spec.tokens[size_t(spec.unk)]) : Json(nullptr);
    model["continuing_subword_prefix"] = nullptr;
    model["end_of_word_suffix"] = nullptr;
    model["fuse_unk"] = true;
    model["byte_fallback"] = spec.byteFallback;
    model["vocab"] = vocabObject(spec);
    model["merges"] = merges;
    root["model"] = std::move(model);
    return root;
}

Result<Json> byteLevelJson(const TokenizerSpec& spec, const std::unordered_map<std::string, int32_t>& index)
{
    if (!spec.pre.empty() && spec.pre != "gpt2" && spec.pre != "default")
        return unsupported("byte-level pre-tokenizer '" + spec.pre + "' cannot be written (only GPT-2's)");
    for (size_t i = 0; i < spec.merges.size(); ++i) {
        const std::string& m = spec.merges[i];
        const size_t sep = m.size() > 1 ? m.find(' ', 1) : std::string::npos;
        if (sep == std::string::npos || !index.count(m.substr(0, sep)) || !index.count(m.substr(sep + 1)))
            return unsupported("merge " + std::to_string(i) + " is not two tokens separated by a space");
    }
    const Json byteLevel{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
    Json root = Json::object();
    root["version"] = "1.0";
    root["truncation"] = nullptr;
    root["padding"] = nullptr;
    root["added_tokens"] = addedTokens(spec);
    root["normalizer"] = nullptr;
    root["pre_tokenizer"] = byteLevel;
    root["post_processor"] = postProcessor(spec);
    if (root["post_processor"].is_null()) root["post_processor"] = byteLevel;
    root["decoder"] = byteLevel;
    Json model = Json::object();
    model["type"] = "BPE";
    model["dropout"] = nullptr;
    model["unk_token"] = nullptr;
    model["continuing_subword_prefix"] = "";
    model["end_of_word_suffix"] = "";
    model["fuse_unk"] = false;
    model["byte_fallback"] = false;
    model["vocab"] = vocabObject(spec);
    model["merges"] = spec.merges;
    root["model"] = std::move(model);
    return root;
}

Result<std::string> dump(const Json& j)
{
    try {
        return j.dump(1, ' ', false, Json::error_handler_t::strict) + "\n";
    } catch (const Json::exception& e) {
        return makeError(ErrorCode::Internal, kWhere, std::string("cannot serialise: ") + e.what());
    }
}

} // namespace

Result<std::string> tokenizerJsonText(const TokenizerSpec& spec)
{
    if (spec.tokens.empty())
        return unsupported("the vocabulary is empty");
    if (spec.kind != TokenizerKind::SentencePiece && spec.kind != TokenizerKind::ByteLevelBpe)
        return unsupported("the model carries no tokenizer to write");
    if (!spec.scores.empty() && spec.scores.size() != spec.tokens.size())
        return unsupported("scores has " + std::to_string(spec.scores.size()) + " entries for " +
                           std::to_string(spec.tokens.size()) + " tokens");
    for (const int32_t id : {spec.bos, spec.eos, spec.unk, spec.pad})
        if (id < -1 || id >= int32_t(spec.tokens.size()))
            return unsupported("special token id " + std::to_string(id) + " is outside the vocabulary");
    PRECIS_TRY_ASSIGN(const auto index, indexPieces(spec));
    Result<Json> root = spec.kind == TokenizerKind::SentencePiece ? sentencePieceJson(spec, index) : byteLevelJson(spec, index);
    if (!root.ok()) return root.error();
    return dump(*root);
}

Result<std::string> tokenizerConfigJsonText(const TokenizerSpec& spec)
{
    auto piece = [&](int32_t id) -> Json {
        return id >= 0 && size_t(id) < spec.tokens.size() ? Json(spec.tokens[size_t(id)]) : Json(nullptr);
    };
    Json j = Json::object();
    j["add_bos_token"] = spec.addBos;
    j["add_eos_token"] = spec.addEos;
    j["bos_token"] = piece(spec.bos);
    j["eos_token"] = piece(spec.eos);
    j["unk_token"] = piece(spec.unk);
    j["pad_token"] = piece(spec.pad);
    j["clean_up_tokenization_spaces"] = false;
    j["tokenizer_class"] = "PreTrainedTokenizerFast";
    return dump(j);
}

Result<void> writeTokenizerJson(const TokenizerSpec& spec, const std::string& path)
{
    auto text = tokenizerJsonText(spec);
    if (!text.ok()) {
        Error e = text.error();
        e.where = path;
        return e;
    }
    return writeFileAtomic(path, text->data(), text->size());
}

} // namespace precis
