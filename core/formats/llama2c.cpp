// llama2.c checkpoint and tokenizer reader (layouts in llama2c.h; the writer
// is llama2.c's export.py legacy_export and tokenizer.py export, the reader
// run.c's read_checkpoint / build_tokenizer).
#include "formats/llama2c.h"

#include "common/mapped_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

namespace precis::llama2c {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kHeaderBytes = 7 * 4;
constexpr uint32_t kVersionedMagic = 0x616b3432;  // "ak42": export.py version 1/2 files
constexpr int32_t kMaxTokenLength = 1 << 16;

int32_t readI32(const std::byte* p)
{
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

struct Header {
    int64_t dim, hidden, layers, heads, kvHeads, vocab, seqLen;  // vocab > 0 here; `shared` holds its sign
    bool shared;
};

Result<Header> readHeader(const MappedFile& f)
{
    const std::string& path = f.path();
    if (f.size() < kHeaderBytes)
        return makeError(ErrorCode::Format, path,
                         "file is " + std::to_string(f.size()) + " bytes, too short for the 28-byte llama2.c header");
    uint32_t magic;
    std::memcpy(&magic, f.data(), 4);
    if (magic == kVersionedMagic)
        return makeError(ErrorCode::Unsupported, path,
                         "llama2.c versioned export (magic \"ak42\") is not supported; export with --version 0 (legacy)");
    int32_t v[7];
    for (int i = 0; i < 7; ++i) v[i] = readI32(f.data() + 4 * i);
    Header h{v[0], v[1], v[2], v[3], v[4], std::abs(int64_t(v[5])), v[6], v[5] > 0};
    auto field = [&](const char* name, int64_t value, int64_t lo, int64_t hi) -> Result<void> {
        if (value < lo || value > hi)
            return makeError(ErrorCode::Format, path,
                             std::string("header field ") + name + " = " + std::to_string(value) + ", expected " + std::to_string(lo) + ".." + std::to_string(hi) +
                                 " (is this a llama2.c checkpoint?)");
        return {};
    };
    PRECIS_TRY(field("dim", h.dim, 1, 1 << 16));
    PRECIS_TRY(field("hidden_dim", h.hidden, 1, 1 << 20));
    PRECIS_TRY(field("n_layers", h.layers, 1, 4096));
    PRECIS_TRY(field("n_heads", h.heads, 1, h.dim));
    PRECIS_TRY(field("n_kv_heads", h.kvHeads, 1, h.heads));
    PRECIS_TRY(field("vocab_size (absolute value)", h.vocab, 1, 1 << 24));
    PRECIS_TRY(field("seq_len", h.seqLen, 1, 1 << 24));
    if (h.dim % h.heads != 0)
        return makeError(ErrorCode::Format, path,
                         "header field n_heads = " + std::to_string(h.heads) + " does not divide dim = " + std::to_string(h.dim));
    if (h.heads % h.kvHeads != 0)
        return makeError(ErrorCode::Format, path,
                         "header field n_kv_heads = " + std::to_string(h.kvHeads) + " does not divide n_heads = " + std::to_string(h.heads));
    if ((h.dim / h.heads) % 2 != 0)
        return makeError(ErrorCode::Format, path,
                         "header field n_heads = " + std::to_string(h.heads) + " gives an odd head size " + std::to_string(h.dim / h.heads) + " (RoPE rotates pairs)");
    return h;
}

// Float count of everything after the header, classifier excluded. The ranges
// checked in readHeader keep every product far below 2^63.
uint64_t bodyFloats(const Header& h)
{
    const uint64_t C = h.dim, F = h.hidden, L = h.layers, V = h.vocab;
    const uint64_t kv = C * h.kvHeads / h.heads, headDim = C / h.heads;
    return V * C                  // token_embedding
           + L * C                // rms_att
           + L * C * C            // wq
           + 2 * L * kv * C       // wk, wv
           + L * C * C            // wo
           + L * C                // rms_ffn
           + 3 * L * F * C        // w1, w2, w3
           + C                    // rms_final
           + h.seqLen * headDim;  // freq_cis_real + freq_cis_imag, seq_len × head_dim/2 each
}

std::string describeDims(const Header& h)
{
    return "dim " + std::to_string(h.dim) + ", hidden_dim " + std::to_string(h.hidden) + ", n_layers " +
           std::to_string(h.layers) + ", n_heads " + std::to_string(h.heads) + ", n_kv_heads " + std::to_string(h.kvHeads) +
           ", vocab_size " + std::to_string(h.shared ? h.vocab : -h.vocab) + ", seq_len " + std::to_string(h.seqLen);
}

bool isByteToken(const std::string& s)
{
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
    return s.size() == 6 && s.compare(0, 3, "<0x") == 0 && hex(s[3]) && hex(s[4]) && s[5] == '>';
}

} // namespace

Result<TokenizerSpec> loadTokenizer(const std::string& path, int expectedVocab)
{
    PRECIS_TRY_ASSIGN(auto file, MappedFile::open(path));
    const std::byte* p = file->data();
    const uint64_t size = file->size();
    if (size < 4)
        return makeError(ErrorCode::Format, path, "file is " + std::to_string(size) + " bytes, too short for max_token_length");
    const int32_t maxLen = readI32(p);
    if (maxLen < 1 || maxLen > kMaxTokenLength)
        return makeError(ErrorCode::Format, path,
                         "field max_token_length = " + std::to_string(maxLen) + ", expected 1.." + std::to_string(kMaxTokenLength));

    // Each token takes at least 8 bytes, so the file bounds the count before we reserve.
    const uint64_t fits = (size - 4) / 8;
    const uint64_t want = expectedVocab > 0 ? uint64_t(expectedVocab) : fits;
    const std::string wantText = expectedVocab > 0 ? std::to_string(expectedVocab) + " (the model's vocab_size)" : "?";
    TokenizerSpec spec;
    spec.tokens.reserve(size_t(std::min(want, fits)));
    spec.scores.reserve(size_t(std::min(want, fits)));
    uint64_t off = 4;
    for (uint64_t i = 0; i < want && (expectedVocab > 0 || off < size); ++i) {
        const std::string where = path + ": token " + std::to_string(i);
        if (size - off < 8)
            return makeError(ErrorCode::Format, where,
                             "file ends at byte " + std::to_string(size) + " inside the score/length fields (expected " +
                                 wantText + " tokens)");
        float score;
        std::memcpy(&score, p + off, 4);
        const int32_t len = readI32(p + off + 4);
        off += 8;
        if (!std::isfinite(score))
            return makeError(ErrorCode::Format, where, "score is not a finite number");
        if (len < 0 || len > maxLen)
            return makeError(ErrorCode::Format, where,
                             "length is " + std::to_string(len) + ", expected 0.." + std::to_string(maxLen) + " (max_token_length)");
        if (size - off < uint64_t(len))
            return makeError(ErrorCode::Format, where,
                             "length " + std::to_string(len) + " runs past the end of the file (" + std::to_string(size - off) +
                                 " bytes left; expected " + wantText + " tokens)");
        spec.tokens.emplace_back(reinterpret_cast<const char*>(p + off), size_t(len));
        spec.scores.push_back(score);
        off += uint64_t(len);
    }
    if (off != size)
        return makeError(ErrorCode::Format, path,
                         std::to_string(size - off) + " bytes remain after " + std::to_string(spec.tokens.size()) +
                             " tokens: the file holds more tokens than the expected " + wantText);
    if (spec.tokens.size() < 3)
        return makeError(ErrorCode::Format, path,
                         "holds " + std::to_string(spec.tokens.size()) + " tokens, expected at least 3 (<unk>, <s>, </s>)");

    // tokenizer.py wrote BOS/EOS as "\n<s>\n" / "\n</s>\n" and replaced
    // SentencePiece's "▁" (U+2581) by a space; undo both so the pieces equal the
    // SentencePiece model's (and a GGUF vocabulary's).
    spec.kind = TokenizerKind::SentencePiece;
    spec.unk = 0;
    spec.bos = 1;
    spec.eos = 2;
    spec.addBos = true;
    spec.types.assign(spec.tokens.size(), TokenType::Normal);
    for (size_t i = 0; i < spec.tokens.size(); ++i) {
        std::string& t = spec.tokens[i];
        if (i == 1 && t == "\n<s>\n") t = "<s>";
        else if (i == 2 && t == "\n</s>\n") t = "</s>";
        if (i == 0) { spec.types[i] = TokenType::Unknown; continue; }
        if (i <= 2) { spec.types[i] = TokenType::Control; continue; }
        if (isByteToken(t)) { spec.types[i] = TokenType::Byte; continue; }
        std::string out;
        out.reserve(t.size());
        for (char c : t)
            out += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
        t = std::move(out);
    }
    return spec;
}

Result<std::shared_ptr<Model>> loadModel(const std::string& path, const std::string& tokenizerPath)
{
    PRECIS_TRY_ASSIGN(auto file, MappedFile::open(path));
    PRECIS_TRY_ASSIGN(const Header h, readHeader(*file));
    const uint64_t C = h.dim, F = h.hidden, V = h.vocab;
    const uint64_t kv = C * h.kvHeads / h.heads;
    const uint64_t body = bodyFloats(h);
    const uint64_t expected = kHeaderBytes + 4 * (body + (h.shared ? 0 : V * C));
    const uint64_t other = kHeaderBytes + 4 * (body + (h.shared ? V * C : 0));
    if (file->size() != expected) {
        std::string msg = "file is " + std::to_string(file->size()) + " bytes, expected " + std::to_string(expected) +
                          " for the header's " + describeDims(h) + " (" +
                          (h.shared ? "positive vocab_size: classifier shared with the embedding" : "negative vocab_size: separate classifier") + ")";
        if (file->size() == other)
            msg += "; the size would fit a " + std::string(h.shared ? "separate" : "shared") + " classifier, i.e. the sign of vocab_size is wrong";
        return makeError(ErrorCode::Format, path, msg);
    }

    const std::string tokPath =
        tokenizerPath.empty() ? (fs::path(path).parent_path() / "tokenizer.bin").string() : tokenizerPath;
    if (tokenizerPath.empty() && !fs::exists(tokPath))
        return makeError(ErrorCode::Io, path, "no tokenizer: " + tokPath + " not found (give the tokenizer.bin path)");

    auto model = std::make_shared<Model>();
    model->path = path;
    model->format = "llama2c";
    model->fileBytes = file->size();
    ModelConfig& c = model->config;
    c.arch = Arch::Llama;
    c.archName = "llama";
    c.nEmbd = int(h.dim);
    c.nFf = int(h.hidden);
    c.nLayer = int(h.layers);
    c.nHead = int(h.heads);
    c.nHeadKv = int(h.kvHeads);
    c.nVocab = int(h.vocab);
    c.nCtx = int(h.seqLen);
    c.normEps = 1e-5f;      // run.c rmsnorm
    c.ropeTheta = 10000.0f; // run.c: freq = 1 / 10000^(head_dim_index / head_size)
    c.ropeLayout = RopeLayout::Interleaved;  // run.c rotates (v[i], v[i+1]) pairs
    c.tiedOutput = h.shared;

    // Views on the mapping, in file order. A stacked array (L × rows × cols)
    // becomes one tensor per layer.
    uint64_t off = kHeaderBytes;
    auto view = [&](const std::string& name, std::vector<int64_t> shape) {
        Tensor t;
        t.name = name;
        t.dtype = DType::F32;
        t.shape = std::move(shape);
        t.data = file->data() + off;
        t.nbytes = uint64_t(t.numel()) * 4;
        t.owner = file;
        off += t.nbytes;
        model->addTensor(std::move(t));
    };
    auto perLayer = [&](const char* suffix, std::vector<int64_t> shape) {
        for (int64_t l = 0; l < h.layers; ++l) view("blk." + std::to_string(l) + "." + suffix, shape);
    };
    const int64_t Ci = int64_t(C), Fi = int64_t(F), Vi = int64_t(V), KVi = int64_t(kv);
    view("token_embd.weight", {Vi, Ci});
    perLayer("attn_norm.weight", {Ci});
    perLayer("attn_q.weight", {Ci, Ci});
    perLayer("attn_k.weight", {KVi, Ci});
    perLayer("attn_v.weight", {KVi, Ci});
    perLayer("attn_output.weight", {Ci, Ci});
    perLayer("ffn_norm.weight", {Ci});
    perLayer("ffn_gate.weight", {Fi, Ci});  // w1: silu(w1 x) * (w3 x)
    perLayer("ffn_down.weight", {Ci, Fi});  // w2
    perLayer("ffn_up.weight", {Fi, Ci});    // w3
    view("output_norm.weight", {Ci});
    off += 4 * uint64_t(h.seqLen) * uint64_t(C / h.heads);  // freq_cis_real/imag: recomputed by the engine
    if (!h.shared) view("output.weight", {Vi, Ci});

    PRECIS_TRY_ASSIGN(model->tokenizer, loadTokenizer(tokPath, int(h.vocab)));
    model->metadata = {
        {"format", "llama2.c legacy checkpoint"},
        {"classifier", h.shared ? "shared with token_embd" : "separate (wcls)"},
        {"tokenizer", tokPath},
    };
    PRECIS_TRY(model->validate());
    return model;
}

} // namespace precis::llama2c
