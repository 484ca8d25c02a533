// Hugging Face folders: the real stories260K-hf / fake-gpt2 folders from ../shared
// (checked against the GGUF of the same model and the raw safetensors entries),
// and tiny folders generated here (F32/F16/BF16, single file and sharded).
#include "engine/engine.h"
#include "formats/gguf.h"
#include "formats/safetensors.h"
#include "hf_fixtures.h"
#include "test_support.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace precis;
using namespace precis::test;

namespace {

std::vector<float> valuesOf(const Tensor& t)
{
    std::vector<float> v(size_t(t.numel()));
    for (size_t i = 0; i < v.size(); ++i) {
        if (t.dtype == DType::F32) {
            std::memcpy(&v[i], t.data + 4 * i, 4);
        } else {
            uint16_t h;
            std::memcpy(&h, t.data + 2 * i, 2);
            v[i] = t.dtype == DType::F16 ? fp16ToFloat(h) : bf16ToFloat(h);
        }
    }
    return v;
}

// The HF -> GGUF name map, written out independently of the reader.
std::string expectedGgufName(const std::string& hf, bool* transpose)
{
    *transpose = false;
    static const std::vector<std::pair<std::string, std::string>> kLlama = {
        {"input_layernorm.weight", "attn_norm.weight"}, {"self_attn.q_proj.weight", "attn_q.weight"},
        {"self_attn.k_proj.weight", "attn_k.weight"},   {"self_attn.v_proj.weight", "attn_v.weight"},
        {"self_attn.q_proj.bias", "attn_q.bias"},       {"self_attn.k_proj.bias", "attn_k.bias"},
        {"self_attn.v_proj.bias", "attn_v.bias"},       {"self_attn.o_proj.weight", "attn_output.weight"},
        {"post_attention_layernorm.weight", "ffn_norm.weight"}, {"mlp.gate_proj.weight", "ffn_gate.weight"},
        {"mlp.up_proj.weight", "ffn_up.weight"},        {"mlp.down_proj.weight", "ffn_down.weight"},
    };
    static const std::vector<std::pair<std::string, std::string>> kGpt2 = {
        {"ln_1.weight", "attn_norm.weight"},  {"ln_1.bias", "attn_norm.bias"},
        {"attn.c_attn.weight", "attn_qkv.weight"}, {"attn.c_attn.bias", "attn_qkv.bias"},
        {"attn.c_proj.weight", "attn_output.weight"}, {"attn.c_proj.bias", "attn_output.bias"},
        {"ln_2.weight", "ffn_norm.weight"},   {"ln_2.bias", "ffn_norm.bias"},
        {"mlp.c_fc.weight", "ffn_up.weight"}, {"mlp.c_fc.bias", "ffn_up.bias"},
        {"mlp.c_proj.weight", "ffn_down.weight"}, {"mlp.c_proj.bias", "ffn_down.bias"},
    };
    static const std::map<std::string, std::string> kTop = {
        {"model.embed_tokens.weight", "token_embd.weight"}, {"model.norm.weight", "output_norm.weight"},
        {"lm_head.weight", "output.weight"},                {"transformer.wte.weight", "token_embd.weight"},
        {"transformer.wpe.weight", "position_embd.weight"}, {"transformer.ln_f.weight", "output_norm.weight"},
        {"transformer.ln_f.bias", "output_norm.bias"},
    };
    if (auto it = kTop.find(hf); it != kTop.end()) return it->second;
    for (const char* prefix : {"model.layers.", "transformer.h."}) {
        const std::string p = prefix;
        if (hf.compare(0, p.size(), p) != 0) continue;
        const size_t dot = hf.find('.', p.size());
        const std::string layer = hf.substr(p.size(), dot - p.size()), rest = hf.substr(dot + 1);
        for (const auto& [from, to] : (p == "model.layers." ? kLlama : kGpt2))
            if (rest == from) {
                *transpose = p == "transformer.h." && rest.find("weight") != std::string::npos &&
                             rest.find("ln_") == std::string::npos;
                return "blk." + layer + "." + to;
            }
    }
    return "";  // skipped buffer
}

// Every value of every tensor in `f` must be in the model under its GGUF name
// (Conv1D weights transposed: model[o][i] == file[i][o]).
void compareAll(const Model& m, const HfFolder& f)
{
    int compared = 0;
    for (const HfTensor& t : f.tensors) {
        bool transpose = false;
        const std::string name = expectedGgufName(t.name, &transpose);
        if (name.empty()) {
            QVERIFY2(t.dtype == "BOOL", t.name.c_str());  // only the mask buffers are skipped
            continue;
        }
        const Tensor* mt = m.find(name);
        QVERIFY2(mt, name.c_str());
        const std::vector<float> got = valuesOf(*mt);
        QCOMPARE(got.size(), t.values.size());
        if (transpose) {
            const int64_t in = t.shape[0], out = t.shape[1];
            QCOMPARE(mt->shape, (std::vector<int64_t>{out, in}));
            QCOMPARE(mt->dtype, DType::F32);
            for (int64_t i = 0; i < in; ++i)
                for (int64_t o = 0; o < out; ++o) QCOMPARE(got[size_t(o * in + i)], t.values[size_t(i * out + o)]);
        } else {
            QCOMPARE(mt->shape, t.shape);
            QCOMPARE(std::string(dtypeName(mt->dtype)), t.dtype);
            QVERIFY(got == t.values);
        }
        ++compared;
    }
    QCOMPARE(size_t(compared), m.tensors().size());
}

uint64_t folderSafetensorsBytes(const std::string& dir)
{
    uint64_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".safetensors") n += e.file_size();
    return n;
}

std::string meta(const Model& m, const std::string& key)
{
    for (const auto& [k, v] : m.metadata)
        if (k == key) return v;
    return "";
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private slots:
    void stories260KHf()
    {
        PRECIS_REQUIRE_SHARED("data/models/stories260K-hf/model.safetensors");
        auto r = hf::loadModel(sharedPath("data/models/stories260K-hf"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const Model& m = **r;
        const ModelConfig& c = m.config;
        QCOMPARE(c.arch, Arch::Llama);
        QCOMPARE(c.archName, std::string("llama"));
        QCOMPARE(c.nEmbd, 64);
        QCOMPARE(c.nLayer, 5);
        QCOMPARE(c.nHead, 8);
        QCOMPARE(c.nHeadKv, 4);
        QCOMPARE(c.nFf, 172);
        QCOMPARE(c.nVocab, 512);
        QCOMPARE(c.nCtx, 2048);
        QCOMPARE(c.normEps, 1e-5f);
        QCOMPARE(c.ropeTheta, 10000.0f);
        QCOMPARE(c.ropeLayout, RopeLayout::RotateHalf);
        QVERIFY(c.tiedOutput);
        QVERIFY(!c.qkvBias);
        QCOMPARE(m.format, std::string("safetensors"));
        QCOMPARE(m.fileBytes, uint64_t(1045408));
        QCOMPARE(m.tensors().size(), size_t(1 + 5 * 9 + 1));  // embd, 9 per layer, output_norm
        QVERIFY(!m.find("output.weight"));
        QCOMPARE(m.find("blk.4.attn_k.weight")->shape, (std::vector<int64_t>{32, 64}));
        QCOMPARE(m.find("blk.0.ffn_down.weight")->shape, (std::vector<int64_t>{64, 172}));
        QCOMPARE(m.parameterCount(), int64_t(1040128 / 4));
        QCOMPARE(meta(m, "model_type"), std::string("llama"));
        QCOMPARE(meta(m, "shards"), std::string("1"));
        // F32, aligned: every tensor is a view on the mapping, not a copy.
        for (const Tensor& t : m.tensors()) QVERIFY(t.owner && t.dtype == DType::F32);
        QCOMPARE(m.tokenizer.tokens.size(), size_t(512));
        QCOMPARE(m.tokenizer.bos, 1);
        QCOMPARE(m.tokenizer.eos, 2);
    }

    void stories260KMatchesGguf()
    {
        PRECIS_REQUIRE_SHARED("data/models/stories260K-hf/model.safetensors");
        PRECIS_REQUIRE_SHARED("data/models/stories260K.gguf");
        auto h = hf::loadModel(sharedPath("data/models/stories260K-hf"));
        auto g = gguf::loadModel(sharedPath("data/models/stories260K.gguf"));
        QVERIFY2(h.ok(), h.ok() ? "" : h.error().toString().c_str());
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().toString().c_str());
        const Model& hm = **h;
        const Model& gm = **g;
        // The GGUF stores output.weight (a copy of token_embd); the HF folder ties it.
        QVERIFY(hm.config.tiedOutput && gm.find("output.weight"));
        QCOMPARE(hm.tensors().size() + 1, gm.tensors().size());
        QCOMPARE(gm.config.ropeLayout, RopeLayout::Interleaved);
        const int d = hm.config.headDim();
        int permuted = 0;
        for (const Tensor& gt : gm.tensors()) {
            const Tensor* ht = hm.find(gt.name == "output.weight" ? std::string("token_embd.weight") : gt.name);
            QVERIFY2(ht, gt.name.c_str());
            QCOMPARE(ht->shape, gt.shape);
            const std::vector<float> hv = valuesOf(*ht), gv = valuesOf(gt);
            const bool qk = gt.name.find("attn_q.") != std::string::npos || gt.name.find("attn_k.") != std::string::npos;
            if (!qk) {
                QVERIFY2(hv == gv, gt.name.c_str());
                continue;
            }
            // Rotate-half (HF) vs interleaved (GGUF) rows of q/k, within each head
            // of d rows: HF row i < d/2 <-> GGUF row 2i, HF row d/2 + i <-> GGUF row 2i + 1.
            const int64_t cols = gt.cols(), heads = gt.rows() / d;
            for (int64_t hd = 0; hd < heads; ++hd)
                for (int i = 0; i < d / 2; ++i)
                    for (int64_t col = 0; col < cols; ++col) {
                        const int64_t base = hd * d;
                        QCOMPARE(hv[size_t((base + i) * cols + col)], gv[size_t((base + 2 * i) * cols + col)]);
                        QCOMPARE(hv[size_t((base + d / 2 + i) * cols + col)], gv[size_t((base + 2 * i + 1) * cols + col)]);
                    }
            // The layouts really differ (otherwise the check above proves nothing).
            QVERIFY(hv != gv);
            ++permuted;
        }
        QCOMPARE(permuted, 10);  // attn_q and attn_k of 5 layers
    }

    void logitsMatchReference_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QString>("reference");
        QTest::newRow("stories260K-hf") << "data/models/stories260K-hf" << "stories260K.json";
        QTest::newRow("fake-gpt2") << "data/models/fake-gpt2" << "fake-gpt2-logits.json";
    }
    void logitsMatchReference()
    {
        // End to end through the fp32 engine: the loader's layout decisions
        // (RotateHalf q/k, transposed Conv1D, tied output) give the reference
        // logits of ../reference (fp64 numpy / PyTorch), top-k at every position.
        QFETCH(QString, folder);
        QFETCH(QString, reference);
        PRECIS_REQUIRE_SHARED(folder.toStdString() + "/model.safetensors");
        PRECIS_REQUIRE_SHARED("reference/" + reference.toStdString());
        std::ifstream in(sharedPath("reference/" + reference.toStdString()));
        nlohmann::json ref = nlohmann::json::parse(in);
        auto field = [](const nlohmann::json& v) { return v.is_string() ? nlohmann::json::parse(v.get<std::string>()) : v; };
        const bool llama = ref.contains("logits");
        const nlohmann::json ids = field(llama ? ref["logits"]["ids"] : ref["ids"]);
        const nlohmann::json top = field(llama ? ref["logits"]["top10_per_position"] : ref["top5"]);
        auto model = hf::loadModel(sharedPath(folder.toStdString()));
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().toString().c_str());
        auto engine = Engine::create(std::shared_ptr<const Model>(*model));
        QVERIFY2(engine.ok(), engine.ok() ? "" : engine.error().toString().c_str());
        const std::vector<int32_t> tokens = ids.get<std::vector<int32_t>>();
        auto logits = (*engine)->forward(tokens);
        QVERIFY(logits.ok());
        const size_t V = size_t((*model)->config.nVocab);
        QCOMPARE(logits->size(), tokens.size() * V);
        for (size_t t = 0; t < tokens.size(); ++t)
            for (const auto& pair : top[t]) {
                const float got = (*logits)[t * V + pair[0].get<size_t>()];
                QVERIFY2(std::abs(got - pair[1].get<float>()) < 1e-3f,
                         qPrintable(QString("position %1 token %2: %3 vs %4").arg(t).arg(pair[0].get<int>()).arg(got).arg(pair[1].get<float>())));
            }
    }

    void fakeGpt2()
    {
        PRECIS_REQUIRE_SHARED("data/models/fake-gpt2/model.safetensors");
        const std::string dir = sharedPath("data/models/fake-gpt2");
        auto r = hf::loadModel(dir);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const Model& m = **r;
        QCOMPARE(m.config.arch, Arch::Gpt2);
        QCOMPARE(m.config.nLayer, 1);
        QCOMPARE(m.config.nEmbd, 2);
        QCOMPARE(m.config.nHead, 1);
        QCOMPARE(m.config.nFf, 8);  // n_inner null -> 4 * n_embd
        QCOMPARE(m.config.nVocab, 50257);
        QCOMPARE(m.config.nCtx, 1024);
        QCOMPARE(m.config.normEps, 1e-5f);
        QVERIFY(m.config.tiedOutput);
        QCOMPARE(m.tensors().size(), size_t(2 + 12 + 2));
        QCOMPARE(m.tokenizer.tokens.size(), size_t(50257));
        QCOMPARE(m.tokenizer.eos, 50256);

        auto raw = hf::SafetensorsFile::open(dir + "/model.safetensors");
        QVERIFY(raw.ok());
        const std::map<std::string, std::string> conv = {
            {"transformer.h.0.attn.c_attn.weight", "blk.0.attn_qkv.weight"},
            {"transformer.h.0.attn.c_proj.weight", "blk.0.attn_output.weight"},
            {"transformer.h.0.mlp.c_fc.weight", "blk.0.ffn_up.weight"},
            {"transformer.h.0.mlp.c_proj.weight", "blk.0.ffn_down.weight"},
        };
        for (const auto& [hfName, ggufName] : conv) {
            const hf::SafetensorsEntry* e = raw->find(hfName);
            QVERIFY(e && e->shape.size() == 2);
            const int64_t in = e->shape[0], out = e->shape[1];
            std::vector<float> src(size_t(in * out));
            std::memcpy(src.data(), raw->data(*e), src.size() * 4);
            const Tensor* t = m.find(ggufName);
            QCOMPARE(t->shape, (std::vector<int64_t>{out, in}));
            const std::vector<float> got = valuesOf(*t);
            for (int64_t i = 0; i < in; ++i)
                for (int64_t o = 0; o < out; ++o) QCOMPARE(got[size_t(o * in + i)], src[size_t(i * out + o)]);
        }
        // Untransposed tensors are views with the file's bytes.
        const hf::SafetensorsEntry* wte = raw->find("transformer.wte.weight");
        const Tensor* embd = m.find("token_embd.weight");
        QCOMPARE(embd->nbytes, wte->end - wte->begin);
        QVERIFY(std::memcmp(embd->data, raw->data(*wte), embd->nbytes) == 0);
    }

    void generatedLlama_data()
    {
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<int>("shards");
        QTest::addColumn<QString>("modelType");
        QTest::addColumn<bool>("tied");
        QTest::newRow("llama F32, 1 file, tied") << "F32" << 1 << "llama" << true;
        QTest::newRow("llama F16, 2 shards, untied") << "F16" << 2 << "llama" << false;
        QTest::newRow("llama BF16, 3 shards, tied") << "BF16" << 3 << "llama" << true;
        QTest::newRow("qwen2 BF16, 2 shards, untied") << "BF16" << 2 << "qwen2" << false;
        QTest::newRow("mistral F16, 3 shards, tied") << "F16" << 3 << "mistral" << true;
    }
    void generatedLlama()
    {
        QFETCH(QString, dtype);
        QFETCH(int, shards);
        QFETCH(QString, modelType);
        QFETCH(bool, tied);
        const std::string dir = scratchDir("hf-" + modelType.toStdString() + "-" + dtype.toStdString() + "-" +
                                           std::to_string(shards) + (tied ? "-tied" : "-untied"));
        const HfFolder f = makeTinyLlama(dir, dtype.toStdString(), 1234u + uint32_t(shards), modelType.toStdString(), tied);
        QVERIFY(writeHfFolder(f, shards));
        auto r = hf::loadModel(dir);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const Model& m = **r;
        QCOMPARE(m.config.archName, modelType.toStdString());
        QCOMPARE(m.config.nEmbd, 16);
        QCOMPARE(m.config.nHeadKv, 2);
        QCOMPARE(m.config.nFf, 24);
        QCOMPARE(m.config.nCtx, 32);
        QCOMPARE(m.config.normEps, 1e-6f);
        QCOMPARE(m.config.ropeTheta, 50000.0f);
        QCOMPARE(m.config.qkvBias, modelType == "qwen2");
        QCOMPARE(m.config.tiedOutput, tied);
        QCOMPARE(bool(m.find("output.weight")), !tied);
        QCOMPARE(m.fileBytes, folderSafetensorsBytes(dir));
        QCOMPARE(meta(m, "shards"), std::to_string(shards));
        QCOMPARE(m.tokenizer.kind, TokenizerKind::None);  // no tokenizer.json
        compareAll(m, f);
        QVERIFY(m.validate().ok());
    }

    void generatedGpt2_data()
    {
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<int>("shards");
        QTest::newRow("F32, 1 file") << "F32" << 1;
        QTest::newRow("F16, 2 shards") << "F16" << 2;
        QTest::newRow("BF16, 3 shards") << "BF16" << 3;
    }
    void generatedGpt2()
    {
        QFETCH(QString, dtype);
        QFETCH(int, shards);
        const std::string dir = scratchDir("hf-gpt2-" + dtype.toStdString() + "-" + std::to_string(shards));
        const HfFolder f = makeTinyGpt2(dir, dtype.toStdString(), 99u + uint32_t(shards));
        QVERIFY(writeHfFolder(f, shards));
        auto r = hf::loadModel(dir);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const Model& m = **r;
        QCOMPARE(m.config.arch, Arch::Gpt2);
        QCOMPARE(m.config.nFf, 32);
        QCOMPARE(m.config.nCtx, 16);
        QVERIFY(m.config.tiedOutput);
        QCOMPARE(m.tensors().size(), size_t(4 + 2 * 12));
        compareAll(m, f);
    }

    void tiedWithEqualLmHead()
    {
        // tie_word_embeddings true and a stored lm_head equal to the embedding:
        // tied, no output.weight, no note.
        const std::string dir = scratchDir("hf-tied-lmhead");
        HfFolder f = makeTinyLlama(dir, "F32", 7, "llama", true);
        HfTensor lm = *f.find("model.embed_tokens.weight");
        lm.name = "lm_head.weight";
        f.tensors.push_back(lm);
        QVERIFY(writeHfFolder(f, 2));
        auto r = hf::loadModel(dir);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QVERIFY((*r)->config.tiedOutput);
        QVERIFY(!(*r)->find("output.weight"));
        QCOMPARE(meta(**r, "note"), std::string());
    }

    void tokenizerFallbacks()
    {
        // BOS/EOS from config.json when tokenizer.json names none; an unsupported
        // tokenizer model leaves the model loadable without a tokenizer.
        const std::string dir = scratchDir("hf-tok");
        const HfFolder f = makeTinyLlama(dir, "F32", 21);
        QVERIFY(writeHfFolder(f, 1));
        writeTextFile(dir + "/tokenizer.json", R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "c": 3},
            "merges": ["a b"]}, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
            "decoder": {"type": "ByteLevel"}})");
        auto r = hf::loadModel(dir);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE((*r)->tokenizer.kind, TokenizerKind::ByteLevelBpe);
        QCOMPARE((*r)->tokenizer.tokens.size(), size_t(4));
        QCOMPARE((*r)->tokenizer.bos, 1);  // config.json bos_token_id
        QCOMPARE((*r)->tokenizer.eos, 2);  // config.json eos_token_id

        writeTextFile(dir + "/tokenizer.json", R"({"model": {"type": "Unigram", "vocab": [["a", 0.0]]}})");
        auto u = hf::loadModel(dir);
        QVERIFY2(u.ok(), u.ok() ? "" : u.error().toString().c_str());
        QCOMPARE((*u)->tokenizer.kind, TokenizerKind::None);
        QVERIFY(meta(**u, "tokenizer").find("Unigram") != std::string::npos);
    }

    void misalignedDataIsCopied()
    {
        // One extra header space shifts all data to an odd offset: F32 tensors can
        // no longer be views (the engine reads them as floats), so they are copied.
        const std::string dir = scratchDir("hf-misaligned");
        const HfFolder f = makeTinyLlama(dir, "F32", 31);
        QVERIFY(writeHfFolder(f, 1));
        auto text = readTextFile(dir + "/model.safetensors");
        std::string bytes = *text;
        uint64_t n = 0;
        std::memcpy(&n, bytes.data(), 8);
        bytes.insert(size_t(8 + n), " ");
        ++n;
        std::memcpy(bytes.data(), &n, 8);
        writeTextFile(dir + "/model.safetensors", bytes);
        auto r = hf::loadModel(dir);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        compareAll(**r, f);
        // Views share one owner (the mapping); copies each own their buffer.
        std::set<const void*> owners;
        for (const Tensor& t : (*r)->tensors()) {
            QCOMPARE(reinterpret_cast<uintptr_t>(t.data) % 4, uintptr_t(0));
            owners.insert(t.owner.get());
        }
        QCOMPARE(owners.size(), (*r)->tensors().size());
        const std::string alignedDir = scratchDir("hf-aligned");
        QVERIFY(writeHfFolder(makeTinyLlama(alignedDir, "F32", 31), 1));
        auto aligned = hf::loadModel(alignedDir);
        QVERIFY(aligned.ok());
        owners.clear();
        for (const Tensor& t : (*aligned)->tensors()) owners.insert(t.owner.get());
        QCOMPARE(owners.size(), size_t(1));
    }

    void writerRoundTrip()
    {
        const std::vector<float> a = {1.0f, -2.5f, 3.25f, 0.0f, 7.0f, -0.125f};
        const std::vector<uint16_t> b = {0x3C00, 0xC000, 0x7BFF};
        const std::vector<std::byte> empty;
        const std::vector<hf::SafetensorsTensor> ts = {
            {"a", "F32", {2, 3}, std::as_bytes(std::span(a))},
            {"b", "F16", {3}, std::as_bytes(std::span(b))},
            {"c", "F32", {0, 4}, empty},
        };
        auto bytes = hf::serializeSafetensors(ts, {{"format", "pt"}, {"note", "ü"}});
        QVERIFY(bytes.ok());
        uint64_t n = 0;
        std::memcpy(&n, bytes->data(), 8);
        QCOMPARE(n % 8, uint64_t(0));                                 // data starts 8-aligned
        QCOMPARE(bytes->size(), size_t(8 + n + 24 + 6));
        const std::string dir = scratchDir("st-writer");
        QVERIFY(hf::writeSafetensors(dir + "/x.safetensors", ts, {{"format", "pt"}, {"note", "ü"}}).ok());
        QVERIFY(!std::filesystem::exists(dir + "/x.safetensors.tmp-precis"));
        auto f = hf::SafetensorsFile::open(dir + "/x.safetensors");
        QVERIFY2(f.ok(), f.ok() ? "" : f.error().toString().c_str());
        QCOMPARE(f->mapping->size(), bytes->size());
        QVERIFY(std::memcmp(f->mapping->data(), bytes->data(), bytes->size()) == 0);
        QCOMPARE(f->entries.size(), size_t(3));
        QCOMPARE(f->metadata.size(), size_t(2));
        QCOMPARE(f->metadata[1].second, std::string("ü"));
        const hf::SafetensorsEntry* eb = f->find("b");
        QCOMPARE(eb->dtype, DType::F16);
        QCOMPARE(eb->begin, 8 + n + 24);
        QCOMPARE(eb->end - eb->begin, uint64_t(6));
        QVERIFY(std::memcmp(f->data(*eb), b.data(), 6) == 0);
        QCOMPARE(f->find("c")->numel(), int64_t(0));

        // Misuse is rejected before anything is written.
        auto dup = hf::writeSafetensors(dir + "/dup.safetensors", {ts[0], ts[0]});
        QVERIFY(!dup.ok() && dup.error().code == ErrorCode::InvalidArgument);
        QVERIFY(dup.error().toString().find("'a'") != std::string::npos);
        auto size = hf::serializeSafetensors({{"s", "F32", {4}, std::as_bytes(std::span(a))}});
        QVERIFY(!size.ok() && size.error().toString().find("24 bytes given, the shape needs 16") != std::string::npos);
        auto dt = hf::serializeSafetensors({{"s", "Q4_K", {6}, std::as_bytes(std::span(a))}});
        QVERIFY(!dt.ok() && dt.error().toString().find("Q4_K") != std::string::npos);
        QVERIFY(!std::filesystem::exists(dir + "/dup.safetensors"));

        // Tensors made as the writer reaches them give the same file, one at a time.
        std::vector<std::string> made;
        auto source = [&](const hf::SafetensorsTensor& t) {
            return hf::SafetensorsSource{t.name, t.dtype, t.shape, [&made, t]() -> Result<std::vector<std::byte>> {
                                             made.push_back(t.name);
                                             return std::vector<std::byte>(t.bytes.begin(), t.bytes.end());
                                         }};
        };
        std::vector<hf::SafetensorsSource> sources;
        for (const auto& t : ts) sources.push_back(source(t));
        QVERIFY(hf::writeSafetensors(dir + "/s.safetensors", sources, {{"format", "pt"}, {"note", "ü"}}).ok());
        QCOMPARE(made, (std::vector<std::string>{"a", "b", "c"}));
        auto g = hf::SafetensorsFile::open(dir + "/s.safetensors");
        QVERIFY(g.ok());
        QCOMPARE(g->mapping->size(), bytes->size());
        QVERIFY(std::memcmp(g->mapping->data(), bytes->data(), bytes->size()) == 0);
        // A source that fails, or makes the wrong byte count, leaves nothing behind.
        sources[1].bytes = []() -> Result<std::vector<std::byte>> {
            return makeError(ErrorCode::InvalidArgument, "tensor 'b'", "cannot be made");
        };
        auto failed = hf::writeSafetensors(dir + "/f.safetensors", sources);
        QVERIFY(!failed.ok() && failed.error().toString().find("cannot be made") != std::string::npos);
        sources[1].bytes = []() -> Result<std::vector<std::byte>> { return std::vector<std::byte>(4); };
        auto wrong = hf::writeSafetensors(dir + "/f.safetensors", sources);
        QVERIFY(!wrong.ok());
        QVERIFY2(wrong.error().toString().find("'b'") != std::string::npos &&
                     wrong.error().toString().find("4 bytes made, the shape needs 6") != std::string::npos,
                 wrong.error().toString().c_str());
        QVERIFY(!std::filesystem::exists(dir + "/f.safetensors") &&
                !std::filesystem::exists(dir + "/f.safetensors.tmp-precis"));
    }

    void unsupportedDtypeOnlyWhenUsed()
    {
        // The BOOL attn.bias masks of makeTinyGpt2 load (skipped); an I64 weight does not.
        const std::string dir = scratchDir("hf-i64");
        HfFolder f = makeTinyLlama(dir, "F32", 5);
        HfTensor& norm = f.tensors[1];  // model.layers.0.input_layernorm.weight {16}
        norm.dtype = "I64";
        norm.raw.assign(16 * 8, std::byte{0});
        QVERIFY(writeHfFolder(f, 1));
        auto r = hf::loadModel(dir);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Unsupported);
        QCOMPARE(QString::fromStdString(r.error().toString()),
                 QString::fromStdString(dir + "/model.safetensors: tensor 'model.layers.0.input_layernorm.weight': "
                                              "dtype I64 is not supported (expected F32, F16 or BF16)"));
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
