// Compression by a plan: plans (uniform with llama.cpp's fallbacks, recipes,
// llama-quantize arguments), compressModel against quant::encode, GGUF export
// read back bit-exact, safetensors export, and the bytes llama.cpp's own
// llama-quantize wrote for the testbed (../shared). compareModels: tst_compare.
#include "common/half.h"
#include "compress_fixtures.h"
#include "engine/engine.h"
#include "common/memory.h"
#include <malloc.h>
#include "eval/compress.h"
#include "eval/compression_plan.h"
#include "formats/gguf.h"
#include "formats/model_loader.h"
#include "model/random_model.h"
#include "quant/block_formats.h"
#include "quant/scheme.h"
#include "test_support.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

using namespace precis;
using namespace precis::test;
namespace fs = std::filesystem;

namespace {

std::vector<float> values(const Tensor& t)
{
    auto v = quant::dequantize(t);
    if (!v.ok()) qFatal("%s", v.error().toString().c_str());
    return std::move(v).value();
}

bool sameBytes(const Tensor& a, const Tensor& b)
{
    return a.dtype == b.dtype && a.nbytes == b.nbytes && std::memcmp(a.data, b.data, size_t(a.nbytes)) == 0;
}

// Rotate-half row r of a head of size d holds interleaved row 2i+s, r = s·d/2 + i.
int64_t interleavedRow(int64_t r, int64_t d)
{
    const int64_t h = r / d, j = r % d, s = j / (d / 2), i = j % (d / 2);
    return h * d + 2 * i + s;
}

} // namespace

class TestCompress : public QObject {
    Q_OBJECT
private slots:
    void fallbackTableFollowsLlamaCpp()
    {
        auto S = [](const char* n) { return quant::parseScheme(n).value(); };
        QCOMPARE(fallbackScheme(S("Q4_K"), 256).name(), std::string("Q4_K"));
        QCOMPARE(fallbackScheme(S("Q4_K"), 288).name(), std::string("Q5_0"));
        QCOMPARE(fallbackScheme(S("Q5_K"), 288).name(), std::string("Q5_1"));
        QCOMPARE(fallbackScheme(S("Q6_K"), 288).name(), std::string("Q8_0"));
        QCOMPARE(fallbackScheme(S("Q2_K"), 288).name(), std::string("Q4_0"));
        QCOMPARE(fallbackScheme(S("Q3_K"), 288).name(), std::string("Q4_0"));
        QCOMPARE(fallbackScheme(S("Q4_K"), 172).name(), std::string("F16"));
        QCOMPARE(fallbackScheme(S("Q8_0"), 172).name(), std::string("F16"));
        QCOMPARE(fallbackScheme(S("RTN4g128"), 96).name(), std::string("RTN4g32"));
        QCOMPARE(fallbackScheme(S("RTN3g64a"), 100).name(), std::string("F16"));
        QCOMPARE(fallbackScheme(S("BF16"), 172).name(), std::string("BF16"));
    }

    void uniformPlanCoversWeightsAndReportsFallbacks()
    {
        auto m = tinyModel(172);
        auto u = uniformPlan(*m, "q4_k");
        QVERIFY(u.ok());
        // 2 layers × 7 matrices + token_embd + output; norms excluded.
        QCOMPARE(u->plan.tensors.size(), size_t(2 * 7 + 2));
        for (const auto& a : u->plan.tensors) {
            QVERIFY2(a.tensor.find("norm") == std::string::npos, a.tensor.c_str());
            QCOMPARE(a.scheme, std::string(a.tensor.ends_with("ffn_down.weight") ? "F16" : "Q4_K"));
        }
        QCOMPARE(u->fallbacks.size(), size_t(2));
        QCOMPARE(u->fallbacks[0].tensor, std::string("blk.0.ffn_down.weight"));
        QCOMPARE(u->fallbacks[0].requested, std::string("Q4_K"));
        QCOMPARE(u->fallbacks[0].used, std::string("F16"));
        QCOMPARE(u->fallbacks[0].cols, int64_t(172));
        QVERIFY(!uniformPlan(*m, "Q9_K").ok());
    }

    void recipeRoundTripAndMalformed()
    {
        CompressionPlan plan{{{"blk.0.attn_q.weight", "Q4_K"}, {"token_embd.weight", "Q8_0"}, {"output.weight", "RTN4g128a"}}};
        auto back = parseRecipeJson(recipeToJson(plan), "r.json");
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
        auto key = [](const TensorAssignment& a, const TensorAssignment& b) { return a.tensor < b.tensor; };
        auto sorted = plan.tensors;
        std::sort(sorted.begin(), sorted.end(), key);
        QCOMPARE(back->tensors.size(), sorted.size());
        for (size_t i = 0; i < sorted.size(); ++i) {
            QCOMPARE(back->tensors[i].tensor, sorted[i].tensor);
            QCOMPARE(back->tensors[i].scheme, sorted[i].scheme);
        }
        // Scheme names are normalised.
        QCOMPARE(parseRecipeJson(R"({"tensors": {"a.weight": "q4_k"}})", "r").value().tensors[0].scheme, std::string("Q4_K"));

        const std::pair<const char*, const char*> bad[] = {
            {"not json", "r.json"},
            {"[1, 2]", "JSON object"},
            {R"({"tensor": {}})", "'tensors'"},
            {R"({"tensors": []})", "'tensors'"},
            {R"({"tensors": {}})", "empty"},
            {R"({"tensors": {"a.weight": 4}})", "tensors.a.weight"},
            {R"({"tensors": {"a.weight": "Q9_K"}})", "Q9_K"},
            {R"({"tensors": {"a.weight": "Q4_K", "a.weight": "Q8_0"}})", "duplicate key"},
            {R"({"format": "other", "tensors": {"a.weight": "Q4_K"}})", "precis.recipe"},
            {R"({"version": 3, "tensors": {"a.weight": "Q4_K"}})", "'version'"},
        };
        for (const auto& [text, expect] : bad) {
            auto r = parseRecipeJson(text, "r.json");
            QVERIFY2(!r.ok(), text);
            QVERIFY2(r.error().toString().find(expect) != std::string::npos, r.error().toString().c_str());
        }
        const std::string dir = test::scratchDir("compress-recipe");
        QVERIFY(writeRecipe(plan, dir + "/r.json").ok());
        QCOMPARE(readRecipe(dir + "/r.json").value().tensors.size(), size_t(3));
        QVERIFY(!readRecipe(dir + "/missing.json").ok());
    }

    void resolvePlanErrorsNameTensorAndScheme()
    {
        auto m = tinyModel(172);
        const std::tuple<const char*, const char*, const char*> bad[] = {
            {"blk.9.attn_q.weight", "Q4_K", "no such tensor"},
            {"blk.0.attn_norm.weight", "Q8_0", "1-D"},
            {"blk.0.ffn_down.weight", "Q4_K", "multiple of 256"},
            {"blk.0.ffn_down.weight", "Q8_0", "multiple of 32"},
            {"blk.0.attn_q.weight", "Q7_K", "unknown scheme"},
        };
        for (const auto& [tensor, scheme, expect] : bad) {
            auto r = compressModel(*m, CompressionPlan{{{tensor, scheme}}});
            QVERIFY(!r.ok());
            const std::string msg = r.error().toString();
            QVERIFY2(msg.find(tensor) != std::string::npos && msg.find(scheme) != std::string::npos, msg.c_str());
            QVERIFY2(msg.find(expect) != std::string::npos, msg.c_str());
        }
        auto twice = resolvePlan(*m, CompressionPlan{{{"output.weight", "Q8_0"}, {"output.weight", "Q4_0"}}});
        QVERIFY(!twice.ok());
        QVERIFY(twice.error().message.find("more than once") != std::string::npos);
    }

    void llamaQuantizeArguments()
    {
        CompressionPlan plan{{{"token_embd.weight", "Q8_0"}, {"output.weight", "Q6_K"},
                              {"blk.0.attn_q.weight", "Q4_K"}, {"blk.0.ffn_down.weight", "F16"}}};
        const std::vector<std::string> expected = {
            "--token-embedding-type", "q8_0", "--output-tensor-type", "q6_k",
            "--tensor-type", "^blk\\.0\\.attn_q\\.weight$=q4_k", "--tensor-type", "^blk\\.0\\.ffn_down\\.weight$=f16",
            "in.gguf", "out.gguf", "Q8_0"};
        QVERIFY(llamaQuantizeArgs(plan, "in.gguf", "out.gguf").value() == expected);
        QCOMPARE(shellJoin(llamaQuantizeArgs(plan, "in.gguf", "out.gguf").value()),
                 std::string("--token-embedding-type q8_0 --output-tensor-type q6_k "
                             "--tensor-type '^blk\\.0\\.attn_q\\.weight$=q4_k' "
                             "--tensor-type '^blk\\.0\\.ffn_down\\.weight$=f16' in.gguf out.gguf Q8_0"));
        // The base type is one no override uses.
        CompressionPlan eight{{{"blk.0.attn_q.weight", "Q8_0"}, {"blk.0.attn_k.weight", "Q4_0"}}};
        QCOMPARE(llamaQuantizeArgs(eight).value().back(), std::string("Q5_0"));
        auto rtn = llamaQuantizeArgs(CompressionPlan{{{"blk.0.attn_q.weight", "RTN4g128"}}});
        QVERIFY(!rtn.ok());
        QVERIFY(rtn.error().toString().find("RTN") != std::string::npos);
        QVERIFY(!llamaQuantizeArgs(CompressionPlan{}).ok());
        QCOMPARE(shellJoin({"it's"}), std::string("'it'\\''s'"));
    }

    void compressWriteReadIsBitExact()
    {
        auto m = tinyModel();
        const std::string dir = test::scratchDir("compress-gguf");
        const auto ids = someIds(96, 300);
        for (const char* name : {"Q8_0", "Q6_K", "Q5_K", "Q5_1", "Q5_0", "Q4_K", "Q4_1", "Q4_0", "Q3_K", "Q2_K", "F16", "BF16"}) {
            const quant::Scheme s = quant::parseScheme(name).value();
            auto c = compressOrDie(*m, uniformOrDie(*m, name));
            // Every planned tensor holds quant::encode's bytes; the others are untouched.
            for (const Tensor& t : m->tensors()) {
                const Tensor* ct = c->find(t.name);
                QVERIFY(ct);
                if (!isQuantizableWeight(t)) {
                    QVERIFY(sameBytes(t, *ct));
                    continue;
                }
                const auto w = values(t);
                const auto enc = quant::encode(s, w.data(), t.rows(), t.cols()).value();
                QCOMPARE(ct->dtype, s.dtype);
                QCOMPARE(ct->nbytes, uint64_t(enc.size()));
                QVERIFY2(std::memcmp(ct->data, enc.data(), enc.size()) == 0, (t.name + " " + name).c_str());
            }
            const std::string path = dir + "/" + name + ".gguf";
            auto w = exportGguf(*c, path);
            QVERIFY2(w.ok(), w.ok() ? "" : w.error().toString().c_str());
            QCOMPARE(w->fileBytes, uint64_t(fs::file_size(path)));
            QVERIFY(!fs::exists(path + ".tmp-precis"));
            auto back = gguf::loadModel(path);
            QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
            for (const Tensor& t : c->tensors()) {
                const Tensor* bt = (*back)->find(t.name);
                QVERIFY(bt && sameBytes(t, *bt));
                if (t.dtype != s.dtype || t.shape.size() < 2) continue;
                // Dequantized values equal quant::decode of the encoder's bytes.
                std::vector<float> decoded(size_t(t.numel()));
                QVERIFY(quant::decode(s, reinterpret_cast<const uint8_t*>(t.data), t.nbytes, t.rows(), t.cols(),
                                      decoded.data()).ok());
                QVERIFY(values(*bt) == decoded);
            }
            auto f = gguf::File::open(path).value();
            QCOMPARE(f.find("general.quantization_version")->i, int64_t(2));
            const std::map<std::string, int64_t> ftype = {{"Q8_0", 7}, {"Q6_K", 18}, {"Q5_K", 16}, {"Q5_1", 9},
                                                          {"Q5_0", 8}, {"Q4_K", 14}, {"Q4_1", 3}, {"Q4_0", 2},
                                                          {"Q3_K", 11}, {"Q2_K", 10}, {"F16", 1}, {"BF16", 32}};
            QCOMPARE(f.find("general.file_type")->i, ftype.at(name));
            // The engine runs the file.
            auto e = engineFor(*back);
            auto logits = e->forward(std::span<const int32_t>(ids.data(), 16));
            QVERIFY(logits.ok());
            QVERIFY(std::all_of(logits->begin(), logits->end(), [](float v) { return std::isfinite(v); }));
        }
    }

    void mixedPlanFileTypeAndFallbacks()
    {
        auto m = tinyModel(172);
        auto plan = uniformOrDie(*m, "Q4_K");
        for (auto& a : plan.tensors)
            if (a.tensor == "output.weight") a.scheme = "Q6_K";
        auto c = compressOrDie(*m, plan);
        QCOMPARE(c->find("blk.1.ffn_down.weight")->dtype, DType::F16);
        QCOMPARE(c->find("blk.1.ffn_up.weight")->dtype, DType::Q4_K);
        const std::string path = test::scratchDir("compress-mixed") + "/mixed.gguf";
        QVERIFY(exportGguf(*c, path).ok());
        auto f = gguf::File::open(path).value();
        QCOMPARE(f.find("general.file_type")->i, int64_t(15));  // MOSTLY_Q4_K_M: Q4_K mixed with Q6_K
        auto back = gguf::loadModel(path).value();
        QCOMPARE(back->find("output.weight")->dtype, DType::Q6_K);
        QCOMPARE(back->find("blk.0.ffn_down.weight")->dtype, DType::F16);
        QVERIFY(engineFor(back)->forward(someIds(8, 300)).ok());
    }

    void compressKeepsTypeAndRequantizes()
    {
        auto m = tinyModel();
        auto q8 = compressOrDie(*m, uniformOrDie(*m, "Q8_0"));
        // The same type again: the bytes are kept, not requantized.
        auto again = compressOrDie(*q8, uniformOrDie(*q8, "Q8_0"));
        for (const Tensor& t : q8->tensors()) QVERIFY(sameBytes(t, *again->find(t.name)));
        // Another type: encoded from the dequantized values.
        auto q4 = compressOrDie(*q8, CompressionPlan{{{"blk.0.attn_q.weight", "Q4_0"}}});
        const Tensor& src = *q8->find("blk.0.attn_q.weight");
        const auto w = values(src);
        const auto enc = quant::encode(quant::ggufScheme(DType::Q4_0), w.data(), src.rows(), src.cols()).value();
        QVERIFY(std::memcmp(q4->find("blk.0.attn_q.weight")->data, enc.data(), enc.size()) == 0);
        QCOMPARE(q4->tokenizer.tokens, m->tokenizer.tokens);
        QCOMPARE(q4->config.nFf, m->config.nFf);
        QVERIFY(std::find(q4->metadata.begin(), q4->metadata.end(), std::pair<std::string, std::string>("general.name", "tiny")) !=
                q4->metadata.end());
        // The original may go away: shared tensors keep their buffers.
        m.reset();
        q8.reset();
        QVERIFY(engineFor(q4)->forward(someIds(8, 300)).ok());
    }

    void importanceReachesTheEncoder()
    {
        auto m = tinyModel();
        const Tensor& t = *m->find("blk.0.ffn_up.weight");
        std::vector<float> imp(size_t(t.cols()));
        for (size_t i = 0; i < imp.size(); ++i) imp[i] = float(1 + (i * 7) % 13);
        std::map<std::string, std::vector<float>> importance{{t.name, imp}, {"not.planned", {1.0f}}};
        auto c = compressOrDie(*m, CompressionPlan{{{t.name, "Q4_K"}}}, &importance);
        const auto w = values(t);
        const quant::Scheme s = quant::ggufScheme(DType::Q4_K);
        const auto weighted = quant::encode(s, w.data(), t.rows(), t.cols(), imp.data()).value();
        const auto plain = quant::encode(s, w.data(), t.rows(), t.cols()).value();
        QVERIFY(weighted != plain);
        QVERIFY(std::memcmp(c->find(t.name)->data, weighted.data(), weighted.size()) == 0);

        importance[t.name].pop_back();
        auto r = compressModel(*m, CompressionPlan{{{t.name, "Q4_K"}}}, &importance);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().toString().find("blk.0.ffn_up.weight") != std::string::npos, r.error().toString().c_str());
        importance[t.name] = imp;
        importance[t.name][3] = -1;
        r = compressModel(*m, CompressionPlan{{{t.name, "Q4_K"}}}, &importance);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().toString().find("column 3") != std::string::npos, r.error().toString().c_str());
    }

    void nanWeightsAndCancellation()
    {
        auto m = tinyModel();
        // Replace one tensor by a copy with a NaN at row 5, column 9.
        auto bad = std::make_shared<Model>();
        bad->config = m->config;
        bad->tokenizer = m->tokenizer;
        for (const Tensor& t : m->tensors()) {
            if (t.name != "blk.1.attn_v.weight") {
                bad->addTensor(t);
                continue;
            }
            auto v = values(t);
            v[size_t(5 * t.cols() + 9)] = std::nanf("");
            bad->addTensor(makeOwnedF32Tensor(t.name, t.shape, std::move(v)));
        }
        auto r = compressModel(*bad, uniformOrDie(*bad, "Q4_K"));
        QVERIFY(!r.ok());
        const std::string msg = r.error().toString();
        QVERIFY2(msg.find("blk.1.attn_v.weight") != std::string::npos && msg.find("Q4_K") != std::string::npos &&
                     msg.find("row 5, column 9") != std::string::npos && msg.find("NaN") != std::string::npos,
                 msg.c_str());

        CancelToken cancel;
        cancel.cancel();
        auto c = compressModel(*m, uniformOrDie(*m, "Q4_K"), nullptr, nullptr, &cancel);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::Cancelled);
    }

    // RTN tensors are stored in their RTN type (the accuracy and the size are
    // RTN's); GGUF has no such type, so export refuses them by name unless
    // asked for F16, and the GGUF writer itself refuses them too.
    void rtnIsStoredAsRtnAndExportRefusesIt()
    {
        auto m = tinyModel();
        const Tensor& t = *m->find("blk.0.attn_k.weight");
        auto c = compressOrDie(*m, CompressionPlan{{{t.name, "RTN4g32"}, {"blk.0.attn_q.weight", "Q4_K"}}});
        const Tensor& ct = *c->find(t.name);
        QCOMPARE(ct.dtype, rtnDType({4, 32, false}));
        const auto w = values(t);
        std::vector<float> rt(w.size());
        QVERIFY(quant::roundTrip(quant::rtnScheme(4, 32, false), w.data(), t.rows(), t.cols(), rt.data()).ok());
        QVERIFY(values(ct) == rt);
        QVERIFY(rtnTensors(*c) == (std::vector<std::pair<std::string, std::string>>{{t.name, "RTN4g32"}}));
        QCOMPARE(int64_t(ct.nbytes), quant::encodedBytes(quant::rtnScheme(4, 32, false), t.rows(), t.cols()));
        QCOMPARE(modelSize(*c).bytes - modelSize(*m).bytes,
                 int64_t(ct.nbytes) - int64_t(t.nbytes) + int64_t(c->find("blk.0.attn_q.weight")->nbytes) -
                     int64_t(m->find("blk.0.attn_q.weight")->nbytes));

        const std::string dir = test::scratchDir("compress-rtn");
        auto refused = exportGguf(*c, dir + "/rtn.gguf");
        const Result<void> direct = gguf::writeModel(*c, dir + "/rtn.gguf");
        QVERIFY(!refused.ok() && !direct.ok());
        for (const Error& e : {refused.error(), direct.error()})
            QVERIFY2(e.toString().find(t.name) != std::string::npos && e.toString().find("RTN4g32") != std::string::npos,
                     e.toString().c_str());
        QVERIFY(!fs::exists(dir + "/rtn.gguf"));
        auto asF16 = exportGguf(*c, dir + "/rtn.gguf", NativeTensors::AsF16);
        QVERIFY(asF16.ok());
        QCOMPARE(asF16->notes.size(), size_t(1));
        auto back = gguf::loadModel(dir + "/rtn.gguf").value();
        QCOMPARE(back->find(t.name)->dtype, DType::F16);
        const auto f16 = values(*back->find(t.name));
        for (size_t i = 0; i < rt.size(); ++i) QCOMPARE(f16[i], fp16ToFloat(floatToFp16(rt[i])));
        // Re-planning the tensor decodes its RTN values first.
        auto replanned = compressOrDie(*c, CompressionPlan{{{t.name, "Q8_0"}}});
        QVERIFY(rtnTensors(*replanned).empty());
        QCOMPARE(replanned->find(t.name)->dtype, DType::Q8_0);
    }

    void exportNeverLeavesHalfFiles()
    {
        auto m = tinyModel();
        auto r = exportGguf(*m, "/nonexistent-precis-dir/x.gguf");
        QVERIFY(!r.ok());
        QVERIFY2(r.error().toString().find("does not exist") != std::string::npos, r.error().toString().c_str());
        auto s = exportSafetensors(*m, "/nonexistent-precis-dir/hf");
        QVERIFY(!s.ok());
        QVERIFY(!fs::exists("/nonexistent-precis-dir"));
        const std::string dir = test::scratchDir("compress-half");
        std::ofstream(dir + "/file") << "x";
        QVERIFY(!exportSafetensors(*m, dir + "/file").ok());
        // A value beyond F16's range is an error naming the tensor, and no folder appears.
        auto v = values(*m->find("blk.1.ffn_up.weight"));
        v[7] = 1e6f;
        auto huge = std::make_shared<Model>();
        huge->config = m->config;
        huge->tokenizer = m->tokenizer;
        for (const Tensor& t : m->tensors())
            huge->addTensor(t.name == "blk.1.ffn_up.weight" ? makeOwnedF32Tensor(t.name, t.shape, v) : t);
        auto o = exportSafetensors(*huge, dir + "/hf");
        QVERIFY(!o.ok());
        QVERIFY2(o.error().toString().find("blk.1.ffn_up.weight") != std::string::npos, o.error().toString().c_str());
        QVERIFY(!fs::exists(dir + "/hf") && !fs::exists(dir + "/hf.tmp-precis"));
        QVERIFY(exportSafetensors(*huge, dir + "/hf", DType::BF16).ok());
    }

    void safetensorsExportLoadsBack()
    {
        auto m = tinyModel();
        auto c = compressOrDie(*m, uniformOrDie(*m, "Q4_K"));
        const std::string dir = test::scratchDir("compress-hf");
        for (DType dt : {DType::F16, DType::F32}) {
            const std::string out = dir + "/" + std::string(dtypeName(dt));
            auto r = exportSafetensors(*c, out, dt);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
            QVERIFY(!fs::exists(out + ".tmp-precis"));
            for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"})
                QVERIFY2(fs::exists(out + "/" + f), f);
            auto back = loadModel(out);
            QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
            QCOMPARE((*back)->config.ropeLayout, RopeLayout::RotateHalf);
            QCOMPARE((*back)->tokenizer.tokens, c->tokenizer.tokens);
            const int64_t d = c->config.headDim();
            for (const Tensor& t : c->tensors()) {
                const Tensor* bt = (*back)->find(t.name);
                QVERIFY2(bt, t.name.c_str());
                QCOMPARE(bt->dtype, dt);
                const auto want = values(t), got = values(*bt);
                const bool qk = t.name.ends_with("attn_q.weight") || t.name.ends_with("attn_k.weight");
                const int64_t cols = t.cols();
                for (int64_t r = 0; r < t.rows(); ++r)
                    for (int64_t col = 0; col < cols; ++col) {
                        const float w = want[size_t((qk ? interleavedRow(r, d) : r) * cols + col)];
                        const float expect = dt == DType::F16 ? fp16ToFloat(floatToFp16(w)) : w;
                        if (got[size_t(r * cols + col)] != expect)
                            QFAIL(qPrintable(QString::fromStdString(t.name) + QStringLiteral(" differs at %1,%2").arg(r).arg(col)));
                    }
            }
            if (dt == DType::F32) {
                // Same function: the HF F32 folder gives the compressed model's logits.
                const auto ids = someIds(32, 300);
                auto a = engineFor(c)->forward(ids).value();
                auto b = engineFor(*back)->forward(ids).value();
                for (size_t i = 0; i < a.size(); ++i) QVERIFY(std::abs(a[i] - b[i]) < 1e-4f);
            }
        }
        // Writing into an existing folder replaces the files.
        QVERIFY(exportSafetensors(*c, dir + "/F32", DType::BF16).ok());
        QCOMPARE(loadModel(dir + "/F32").value()->find("output.weight")->dtype, DType::BF16);
    }

    // The safetensors export dequantizes one tensor at a time: its peak resident
    // growth stays far below the fp32 values of the whole model (which writing them
    // all first would need, plus their F16 copy).
    void safetensorsExportHoldsOneTensorAtATime()
    {
        configureAllocator();
        auto m = tinyModel(2048);
        m->metadata.clear();
        auto c = compressOrDie(*m, uniformOrDie(*m, "Q8_0"));
        m.reset();
        int64_t weights = 0;
        for (const Tensor& t : c->tensors()) weights += t.numel();
        const uint64_t fp32 = uint64_t(weights) * 4;
        const std::string dir = test::scratchDir("compress-hf-stream");
        auto peakGrowth = [](const std::function<void()>& job) {
            malloc_trim(0);  // freed heap pages out of the resident set, or reusing them would not show
            if (!resetPeakResidentBytes()) qFatal("the peak resident set cannot be reset here");
            const uint64_t before = residentBytes();
            job();
            return peakResidentBytes() - before;
        };
        // The measurement sees a copy of all values held at once.
        const uint64_t held = peakGrowth([&] {
            std::vector<std::vector<float>> all;
            for (const Tensor& t : c->tensors()) all.push_back(values(t));
        });
        QVERIFY(held > fp32 * 9 / 10);
        const uint64_t growth = peakGrowth([&] {
            auto r = exportSafetensors(*c, dir + "/hf", DType::F16);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        });
        qInfo("peak growth %.1f MiB (all values held: %.1f MiB), the model's fp32 values %.1f MiB",
              double(growth) / (1 << 20), double(held) / (1 << 20), double(fp32) / (1 << 20));
        QVERIFY(growth < fp32 / 2);  // the largest tensor (a seventh of the model) and its copies
        QCOMPARE(loadModel(dir + "/hf").value()->tensors().size(), c->tensors().size());
    }

    void testbedBytesEqualLlamaQuantize()
    {
        PRECIS_REQUIRE_SHARED("data/gguf-quants/testbed-F32.gguf");
        auto f32 = gguf::loadModel(test::sharedPath("data/gguf-quants/testbed-F32.gguf")).value();
        const std::string dir = test::scratchDir("compress-testbed");
        const std::pair<const char*, const char*> types[] = {
            {"Q4_0", "Q4_0"}, {"Q8_0", "Q8_0"}, {"Q6_K", "Q6_K"}, {"Q4_1", "Q4_1"}, {"Q5_0", "Q5_0"},
            {"Q5_1", "Q5_1"}, {"Q2_K", "Q2_K"}, {"Q3_K", "Q3_K_S"}, {"Q4_K", "Q4_K_S"}, {"Q5_K", "Q5_K_S"}};
        for (const auto& [scheme, file] : types) {
            auto c = compressOrDie(*f32, uniformOrDie(*f32, scheme));
            const std::string path = dir + "/" + scheme + ".gguf";
            QVERIFY(exportGguf(*c, path).ok());
            auto ours = gguf::File::open(path).value();
            auto ref = gguf::File::open(test::sharedPath(std::string("data/gguf-quants/testbed-") + file + ".gguf")).value();
            QCOMPARE(ours.tensors.size(), ref.tensors.size());
            for (const gguf::TensorInfo& r : ref.tensors) {
                auto it = std::find_if(ours.tensors.begin(), ours.tensors.end(),
                                       [&](const gguf::TensorInfo& t) { return t.name == r.name; });
                QVERIFY(it != ours.tensors.end());
                QCOMPARE(it->dtype, r.dtype);
                QCOMPARE(it->shape, r.shape);
                QCOMPARE(it->nbytes, r.nbytes);
                QVERIFY2(std::memcmp(ours.tensorData(*it), ref.tensorData(r), size_t(r.nbytes)) == 0,
                         (std::string(scheme) + " " + r.name).c_str());
            }
            QCOMPARE(ours.find("general.file_type")->i, ref.find("general.file_type")->i);
        }
    }
};

QTEST_GUILESS_MAIN(TestCompress)
#include "tst_compress.moc"
