// Head-unit plans (eval/compression_plan.h): the slices planFromAssignment
// makes for Llama with its own KV heads, with GQA and for GPT-2's fused qkv;
// malformed sliced plans; recipes of version 2; the methods on sliced plans;
// and the GGUF export of segmented and RTN tensors (refusal, the conversion's
// types, notes and bytes, the file read back).
#include "eval/compress.h"
#include "eval/compress_methods.h"
#include "eval/compression_plan.h"
#include "eval/gguf_conversion.h"
#include "common/half.h"
#include "engine/engine.h"
#include "formats/gguf.h"
#include "model/random_model.h"
#include "model/segmented.h"
#include "quant/block_formats.h"
#include "quant/scheme.h"
#include "test_support.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>

using namespace precis;
namespace fs = std::filesystem;

namespace {

using Assignment = std::vector<std::pair<std::string, std::string>>;

// C = 128, 4 heads of 32, FFN 256.
std::shared_ptr<Model> model(Arch arch, int nHeadKv)
{
    ModelConfig c;
    c.arch = arch;
    c.archName = arch == Arch::Gpt2 ? "gpt2" : "llama";
    c.nLayer = 2;
    c.nEmbd = 128;
    c.nHead = 4;
    c.nHeadKv = arch == Arch::Gpt2 ? 4 : nHeadKv;
    c.nFf = 256;
    c.nVocab = 300;
    c.nCtx = 64;
    c.tiedOutput = arch == Arch::Gpt2;
    auto m = makeRandomModel(c, 9, 0.08f);
    m->path = "heads.gguf";
    return m;
}

// Heads of layer l take heads[l][h]; the tensor units (every weight matrix no head covers) `rest`.
Assignment assignment(const Model& m, const std::vector<std::vector<std::string>>& heads, const std::string& rest)
{
    Assignment a;
    for (const Tensor& t : m.tensors())
        if (isQuantizableWeight(t) && unitSlices(m, t.name, Granularity::Head).ok()) a.emplace_back(t.name, rest);
    for (size_t l = 0; l < heads.size(); ++l)
        for (size_t h = 0; h < heads[l].size(); ++h)
            a.emplace_back("blk." + std::to_string(l) + ".head." + std::to_string(h), heads[l][h]);
    return a;
}

CompressionPlan planOrDie(const Model& m, const Assignment& a)
{
    auto p = planFromAssignment(m, Granularity::Head, a);
    if (!p.ok()) qFatal("%s", p.error().toString().c_str());
    return std::move(p).value();
}

const TensorAssignment* entry(const CompressionPlan& p, const std::string& tensor)
{
    for (const TensorAssignment& a : p.tensors)
        if (a.tensor == tensor) return &a;
    return nullptr;
}

std::vector<TensorSlice> rows(std::vector<std::tuple<int64_t, int64_t, std::string>> list, bool columns = false)
{
    std::vector<TensorSlice> out;
    for (auto& [b, e, s] : list) out.push_back({columns, b, e, s});
    return out;
}

std::string errorOf(const Model& m, const TensorAssignment& a)
{
    auto r = resolvePlan(m, CompressionPlan{{a}});
    return r.ok() ? std::string("(no error)") : r.error().toString();
}

std::vector<float> values(const Tensor& t)
{
    auto v = quant::dequantize(t);
    if (!v.ok()) qFatal("%s", v.error().toString().c_str());
    return std::move(v).value();
}

const std::vector<std::vector<std::string>> kHeads = {{"Q8_0", "Q4_0", "Q4_0", "RTN4g32"}, {"Q8_0", "Q8_0", "Q8_0", "Q8_0"}};

} // namespace

class TestHeadPlan : public QObject {
    Q_OBJECT
private slots:
    // Every head has its own KV head: q, k, v rows and attn_output columns are
    // sliced; neighbouring heads of one scheme merge; a layer whose heads all
    // chose one scheme gets plain tensor assignments.
    void llamaOwnKvHeads()
    {
        auto m = model(Arch::Llama, 4);
        const auto plan = planOrDie(*m, assignment(*m, kHeads, "Q5_0"));
        const auto expectRows = rows({{0, 32, "Q8_0"}, {32, 96, "Q4_0"}, {96, 128, "RTN4g32"}});
        for (const char* t : {"attn_q", "attn_k", "attn_v"}) {
            const TensorAssignment* a = entry(plan, std::string("blk.0.") + t + ".weight");
            QVERIFY(a && a->scheme.empty());
            QVERIFY(a->slices == expectRows);
        }
        QVERIFY(entry(plan, "blk.0.attn_output.weight")->slices ==
                rows({{0, 32, "Q8_0"}, {32, 96, "Q4_0"}, {96, 128, "RTN4g32"}}, true));
        QCOMPARE(assignmentLabel(*entry(plan, "blk.0.attn_output.weight")), std::string("SEG[Q8_0+Q4_0+RTN4g32]"));
        for (const char* t : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
            const TensorAssignment* a = entry(plan, std::string("blk.1.") + t + ".weight");
            QVERIFY(a && !a->sliced());
            QCOMPARE(a->scheme, std::string("Q8_0"));
        }
        QCOMPARE(entry(plan, "blk.0.ffn_down.weight")->scheme, std::string("Q5_0"));
        QCOMPARE(plan.tensors.size(), size_t(2 * 7 + 2));
        QVERIFY(resolvePlan(*m, plan).ok());
    }

    // GQA (2 KV heads for 4 query heads): k and v stay tensor units, only q and
    // attn_output are sliced; a head-covered tensor cannot also be a tensor unit.
    void llamaGqaKeepsKvTensors()
    {
        auto m = model(Arch::Llama, 2);
        const auto plan = planOrDie(*m, assignment(*m, kHeads, "Q4_1"));
        QVERIFY(entry(plan, "blk.0.attn_q.weight")->slices == rows({{0, 32, "Q8_0"}, {32, 96, "Q4_0"}, {96, 128, "RTN4g32"}}));
        QVERIFY(entry(plan, "blk.0.attn_output.weight")->slices ==
                rows({{0, 32, "Q8_0"}, {32, 96, "Q4_0"}, {96, 128, "RTN4g32"}}, true));
        for (const char* t : {"blk.0.attn_k.weight", "blk.0.attn_v.weight", "blk.1.attn_k.weight"}) {
            QVERIFY2(!entry(plan, t)->sliced(), t);
            QCOMPARE(entry(plan, t)->scheme, std::string("Q4_1"));
        }
        auto twice = assignment(*m, kHeads, "Q4_1");
        twice.emplace_back("blk.0.attn_q.weight", "Q8_0");
        auto r = planFromAssignment(*m, Granularity::Head, twice);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().toString().find("blk.0.attn_q.weight") != std::string::npos, r.error().toString().c_str());
    }

    // GPT-2's qkv: each head has three row blocks (q | k | v, C = 128 apart);
    // head 3's q rows and head 0's k rows are neighbours and merge when their
    // schemes agree.
    void gpt2QkvRowBlocks()
    {
        auto m = model(Arch::Gpt2, 4);
        const std::vector<std::vector<std::string>> heads = {{"Q8_0", "Q4_0", "Q4_0", "Q8_0"}, {"F16", "F16", "F16", "F16"}};
        const auto plan = planOrDie(*m, assignment(*m, heads, "Q8_0"));
        QVERIFY(entry(plan, "blk.0.attn_qkv.weight")->slices ==
                rows({{0, 32, "Q8_0"}, {32, 96, "Q4_0"}, {96, 160, "Q8_0"}, {160, 224, "Q4_0"},
                      {224, 288, "Q8_0"}, {288, 352, "Q4_0"}, {352, 384, "Q8_0"}}));
        QVERIFY(entry(plan, "blk.0.attn_output.weight")->slices ==
                rows({{0, 32, "Q8_0"}, {32, 96, "Q4_0"}, {96, 128, "Q8_0"}}, true));
        QCOMPARE(entry(plan, "blk.1.attn_qkv.weight")->scheme, std::string("F16"));
        auto c = compressModel(*m, plan);
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().toString().c_str());
        QCOMPARE((*c)->find("blk.0.attn_qkv.weight")->dtype, DType::Segmented);
        QCOMPARE((*c)->find("blk.1.attn_qkv.weight")->dtype, DType::F16);
    }

    void incompleteAndRepeatedAssignments()
    {
        auto m = model(Arch::Llama, 4);
        auto missing = assignment(*m, kHeads, "Q8_0");
        missing.erase(std::find(missing.begin(), missing.end(), std::pair<std::string, std::string>("blk.0.head.2", "Q4_0")));
        auto r = planFromAssignment(*m, Granularity::Head, missing);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().toString().find("blk.0.attn_q.weight") != std::string::npos &&
                     r.error().toString().find("rows [64, 96) are in no slice") != std::string::npos,
                 r.error().toString().c_str());
        auto repeated = assignment(*m, kHeads, "Q8_0");
        repeated.emplace_back("blk.1.head.0", "Q4_0");
        r = planFromAssignment(*m, Granularity::Head, repeated);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().toString().find("blk.1.head.0") != std::string::npos &&
                     r.error().toString().find("twice") != std::string::npos,
                 r.error().toString().c_str());
    }

    // One error per malformed plan, naming the tensor and the slice.
    void malformedSlicedPlans()
    {
        auto m = model(Arch::Llama, 4);
        const std::string q = "blk.0.attn_q.weight", o = "blk.0.attn_output.weight";
        const std::vector<std::tuple<TensorAssignment, const char*, const char*>> bad = {
            {{q, {}, rows({{0, 64, "Q8_0"}, {32, 128, "Q4_0"}})}, "slice rows [32, 128) (Q4_0)", "overlaps slice rows [0, 64) (Q8_0)"},
            {{q, {}, rows({{0, 64, "Q8_0"}, {64, 129, "Q4_0"}})}, "slice rows [64, 129) (Q4_0)", "not inside the tensor"},
            {{q, {}, rows({{-1, 64, "Q8_0"}, {64, 128, "Q4_0"}})}, "slice rows [-1, 64)", "not inside the tensor"},
            {{q, {}, rows({{0, 64, "Q8_0"}, {64, 64, "Q4_0"}})}, "slice rows [64, 64)", "not inside the tensor"},
            {{q, {}, rows({{0, 64, "Q8_0"}, {96, 128, "Q4_0"}})}, q.c_str(), "rows [64, 96) are in no slice"},
            {{q, {}, rows({{0, 96, "Q8_0"}})}, q.c_str(), "rows [96, 128) are in no slice"},
            {{o, {}, rows({{0, 64, "Q4_K"}, {64, 128, "Q8_0"}}, true)}, "slice columns [0, 64) (Q4_K)", "multiple of 256"},
            {{o, {}, rows({{0, 32, "RTN4g64"}, {32, 128, "Q8_0"}}, true)}, "slice columns [0, 32) (RTN4g64)", "multiple of 64"},
            {{o, {}, {{true, 0, 64, "Q8_0"}, {false, 64, 128, "Q8_0"}}}, "slice rows [64, 128)", "mixes row and column slices"},
            {{q, "Q8_0", rows({{0, 128, "Q8_0"}})}, q.c_str(), "both a scheme for the whole tensor and 1 slices"},
            {{q, {}, rows({{0, 64, "Q8_0"}, {64, 128, "Q9_Z"}})}, "slice rows [64, 128) (Q9_Z)", "unknown scheme"},
        };
        for (const auto& [a, where, what] : bad) {
            const std::string e = errorOf(*m, a);
            QVERIFY2(e.find(where) != std::string::npos && e.find(what) != std::string::npos, e.c_str());
            QVERIFY2(!compressModel(*m, CompressionPlan{{a}}).ok(), e.c_str());
        }
        // Columns are the row length of a column slice: 32-wide Q8_0 is fine, K-quants are not.
        QVERIFY(resolvePlan(*m, CompressionPlan{{{o, {}, rows({{0, 32, "Q8_0"}, {32, 128, "Q4_0"}}, true)}}}).ok());
    }

    void recipeVersionTwoRoundTrip()
    {
        auto m = model(Arch::Llama, 4);
        const auto plan = planOrDie(*m, assignment(*m, kHeads, "Q5_0"));
        const std::string json = recipeToJson(plan);
        QVERIFY(json.find("\"version\": 2") != std::string::npos);
        QVERIFY(json.find("\"columns\"") != std::string::npos && json.find("\"rows\"") != std::string::npos);
        auto back = parseRecipeJson(json, "r.json");
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
        QCOMPARE(back->tensors.size(), plan.tensors.size());
        for (const TensorAssignment& a : plan.tensors) {
            const TensorAssignment* b = entry(*back, a.tensor);
            QVERIFY(b && b->scheme == a.scheme && b->slices == a.slices);
        }
        // A plan without slices stays a version-1 recipe.
        QVERIFY(recipeToJson(CompressionPlan{{{"a.weight", "Q4_K"}}}).find("\"version\": 1") != std::string::npos);
        const std::pair<const char*, const char*> bad[] = {
            {R"({"version": 1, "tensors": {"a.weight": {"rows": [{"begin": 0, "end": 4, "scheme": "Q8_0"}]}}})", "version 1"},
            {R"({"tensors": {"a.weight": {"rows": [], "columns": []}}})", "tensors.a.weight"},
            {R"({"tensors": {"a.weight": {"cols": [{"begin": 0, "end": 4, "scheme": "Q8_0"}]}}})", "tensors.a.weight"},
            {R"({"tensors": {"a.weight": {"rows": []}}})", "tensors.a.weight.rows"},
            {R"({"tensors": {"a.weight": {"rows": [{"begin": 0, "end": "4", "scheme": "Q8_0"}]}}})", "tensors.a.weight.rows[0]"},
            {R"({"tensors": {"a.weight": {"rows": [{"begin": 0, "end": 4, "scheme": "Q8_0", "x": 1}]}}})", "rows[0]"},
            {R"({"tensors": {"a.weight": {"columns": [{"begin": 0, "end": 4, "scheme": "Q8_9"}]}}})", "columns[0]"},
        };
        for (const auto& [text, expect] : bad) {
            auto r = parseRecipeJson(text, "r.json");
            QVERIFY2(!r.ok(), text);
            QVERIFY2(r.error().toString().find(expect) != std::string::npos, r.error().toString().c_str());
        }
        auto v1 = parseRecipeJson(R"({"version": 1, "tensors": {"a.weight": "q8_0"}})", "r.json");
        QVERIFY(v1.ok() && v1->tensors[0].scheme == "Q8_0" && !v1->tensors[0].sliced());
    }

    // RTN encodes every slice; GPTQ and AWQ refuse sliced plans with one message;
    // llama-quantize cannot write them.
    void methodsOnSlicedPlans()
    {
        auto m = model(Arch::Llama, 4);
        const auto plan = planOrDie(*m, assignment(*m, kHeads, "Q8_0"));
        MethodOptions rtn;
        auto viaMethod = compressWithMethod(*m, plan, rtn, nullptr);
        auto direct = compressModel(*m, plan);
        QVERIFY(viaMethod.ok() && direct.ok());
        const Tensor& a = *(*viaMethod)->find("blk.0.attn_output.weight");
        const Tensor& b = *(*direct)->find("blk.0.attn_output.weight");
        QVERIFY(a.dtype == DType::Segmented && a.nbytes == b.nbytes && std::memcmp(a.data, b.data, a.nbytes) == 0);
        for (CompressionMethod method : {CompressionMethod::Gptq, CompressionMethod::Awq}) {
            MethodOptions o;
            o.method = method;
            auto r = compressWithMethod(*m, plan, o, nullptr);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, ErrorCode::Unsupported);
            QVERIFY2(r.error().message.find("needs one scheme per tensor: allocate per tensor or per layer, or use RTN") !=
                             std::string::npos &&
                         r.error().where.find("blk.0.attn_q.weight") != std::string::npos,
                     r.error().toString().c_str());
        }
        auto args = llamaQuantizeArgs(plan);
        QVERIFY(!args.ok());
        QVERIFY2(args.error().toString().find("blk.0.attn_q.weight") != std::string::npos &&
                     args.error().toString().find("one type") != std::string::npos,
                 args.error().toString().c_str());
        // Compressing the compressed model with the same plan keeps every slice's bytes.
        auto again = compressModel(**direct, plan);
        QVERIFY(again.ok());
        const Tensor& c = *(*again)->find("blk.0.attn_output.weight");
        QVERIFY(c.nbytes == b.nbytes && std::memcmp(c.data, b.data, b.nbytes) == 0);
    }

    // A column slice is encoded with its columns' importance, a row slice with
    // all of it; bad weights are reported at the tensor's own row and column.
    void slicesGetTheirImportance()
    {
        auto m = model(Arch::Llama, 4);
        const auto plan = planOrDie(*m, assignment(*m, kHeads, "Q8_0"));
        std::vector<float> imp(128);
        for (size_t i = 0; i < imp.size(); ++i) imp[i] = float(1 + (i * 5) % 11);
        std::map<std::string, std::vector<float>> importance{{"blk.0.attn_output.weight", imp}, {"blk.0.attn_q.weight", imp}};
        auto c = compressModel(*m, plan, &importance).value();
        for (const char* name : {"blk.0.attn_output.weight", "blk.0.attn_q.weight"}) {
            const bool columns = std::string(name).find("output") != std::string::npos;
            const Tensor& src = *m->find(name);
            const auto* w = reinterpret_cast<const float*>(src.data);
            const auto l = readSegmentedLayout(*c->find(name)).value();
            for (const Segment& g : l.segments) {
                const int64_t sr = columns ? 128 : g.end - g.begin, sc = columns ? g.end - g.begin : 128;
                std::vector<float> block(size_t(sr * sc));
                for (int64_t r = 0; r < sr; ++r)
                    for (int64_t k = 0; k < sc; ++k)
                        block[size_t(r * sc + k)] = columns ? w[r * 128 + g.begin + k] : w[(g.begin + r) * 128 + k];
                const auto scheme = quant::parseScheme(dtypeName(g.dtype)).value();
                const auto weighted = quant::encode(scheme, block.data(), sr, sc, imp.data() + (columns ? g.begin : 0)).value();
                QVERIFY2(weighted.size() == g.nbytes &&
                             std::memcmp(c->find(name)->data + g.offset, weighted.data(), weighted.size()) == 0,
                         name);
            }
        }
        auto v = values(*m->find("blk.0.attn_output.weight"));
        v[size_t(5 * 128 + 70)] = std::nanf("");
        auto nan = std::make_shared<Model>();
        nan->config = m->config;
        for (const Tensor& t : m->tensors())
            nan->addTensor(t.name == "blk.0.attn_output.weight" ? makeOwnedF32Tensor(t.name, t.shape, v) : t);
        auto r = compressModel(*nan, plan);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().toString().find("blk.0.attn_output.weight") != std::string::npos &&
                     r.error().toString().find("row 5, column 70") != std::string::npos,
                 r.error().toString().c_str());
    }

    void nearestGgufTypes()
    {
        const std::pair<const char*, const char*> table[] = {
            {"RTN2g128", "Q2_K"}, {"RTN3g64a", "Q3_K"}, {"RTN4g128", "Q4_K"}, {"RTN5g32", "Q5_K"},
            {"RTN6g64", "Q6_K"},  {"RTN7g32", "Q8_0"},  {"RTN8g128a", "Q8_0"}, {"Q4_0", "Q4_0"}, {"F16", "F16"}};
        for (const auto& [from, to] : table)
            QCOMPARE(nearestGgufScheme(quant::parseScheme(from).value()).name(), std::string(to));
    }

    // Export: refused by name; described before (from the plan and from the
    // model, the same answer); converted to the types described, with a note
    // per tensor; the file reads back and holds the expected values.
    void exportRefusesThenConverts()
    {
        auto m = model(Arch::Llama, 2);
        auto plan = planOrDie(*m, assignment(*m, kHeads, "Q8_0"));
        for (TensorAssignment& a : plan.tensors)
            if (a.tensor == "blk.0.ffn_down.weight") a.scheme = "RTN3g64";   // 256-wide rows: Q3_K fits
            else if (a.tensor == "blk.1.ffn_up.weight") a.scheme = "RTN4g32";  // 128-wide: Q4_K falls back to Q5_0
        // Importance-weighted slices: a plain re-encoding of their values would not give their bytes back.
        std::map<std::string, std::vector<float>> importance;
        for (const char* t : {"blk.0.attn_q.weight", "blk.0.attn_output.weight"}) {
            std::vector<float> v(128);
            for (size_t i = 0; i < v.size(); ++i) v[i] = float(1 + (i * 7) % 13);
            importance[t] = v;
        }
        auto c = compressModel(*m, plan, &importance).value();
        const std::string dir = test::scratchDir("head-plan-export");
        auto refused = exportGguf(*c, dir + "/r.gguf");
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Unsupported);
        QVERIFY2(refused.error().toString().find("blk.0.attn_q.weight") != std::string::npos &&
                     refused.error().toString().find("SEG[Q8_0+Q4_0+RTN4g32]") != std::string::npos,
                 refused.error().toString().c_str());
        auto direct = gguf::writeModel(*c, dir + "/r.gguf");
        QVERIFY(!direct.ok());
        QVERIFY2(direct.error().toString().find("blk.0.attn_q.weight") != std::string::npos, direct.error().toString().c_str());
        QVERIFY(!fs::exists(dir + "/r.gguf"));

        // q / attn_output of layer 0: Q8_0 (8.5 bits) beats Q4_0 and RTN4's Q4_K; layer 1 is plain Q8_0.
        const std::map<std::string, std::string> expected = {
            {"blk.0.attn_q.weight", "Q8_0"}, {"blk.0.attn_output.weight", "Q8_0"},
            {"blk.0.ffn_down.weight", "Q3_K"}, {"blk.1.ffn_up.weight", "Q5_0"}};
        const auto described = ggufConversions(*c, NativeTensors::NearestGguf);
        const auto planned = ggufConversions(*m, plan, NativeTensors::NearestGguf).value();
        QCOMPARE(described.size(), expected.size());
        QCOMPARE(planned.size(), expected.size());
        for (const GgufConversion& d : described) {
            // The plan lists its tensor units first: match by name.
            const auto it = std::find_if(planned.begin(), planned.end(), [&](const GgufConversion& x) { return x.tensor == d.tensor; });
            QVERIFY2(it != planned.end(), d.tensor.c_str());
            const GgufConversion& p = *it;
            QCOMPARE(d.to, expected.at(d.tensor));
            QVERIFY(d.tensor == p.tensor && d.from == p.from && d.to == p.to && d.slices == p.slices);
            QCOMPARE(d.bytesBefore, int64_t(c->find(d.tensor)->nbytes));
            QCOMPARE(p.bytesBefore, d.bytesBefore);
            QCOMPARE(d.bytesAfter, quant::encodedBytes(quant::parseScheme(d.to).value(), m->find(d.tensor)->rows(),
                                                       m->find(d.tensor)->cols()));
        }
        QVERIFY(described[0].slices == (std::vector<std::string>{"rows [0, 32) Q8_0", "rows [32, 96) Q4_0", "rows [96, 128) RTN4g32"}));
        QCOMPARE(ggufConversions(*c, NativeTensors::Refuse)[0].to, std::string());
        QCOMPARE(ggufConversions(*c, NativeTensors::AsF16)[0].to, std::string("F16"));

        auto written = exportGguf(*c, dir + "/n.gguf", NativeTensors::NearestGguf);
        QVERIFY2(written.ok(), written.ok() ? "" : written.error().toString().c_str());
        QCOMPARE(written->conversions.size(), expected.size());
        QCOMPARE(written->notes.size(), size_t(3));  // a note per segmented tensor, one for the two RTN tensors
        QCOMPARE(written->notes[1], conversionNote(described[1]));
        QCOMPARE(written->notes[2], "2 RTN tensors (e.g. 'blk.0.ffn_down.weight', RTN3g64) are stored as Q3_K ×1, Q5_0 ×1 "
                                    "(GGUF has no RTN type): " +
                                        std::to_string(described[2].bytesBefore + described[3].bytesBefore) + " -> " +
                                        std::to_string(described[2].bytesAfter + described[3].bytesAfter) + " bytes (+" +
                                        std::to_string(described[2].bytesAfter + described[3].bytesAfter -
                                                       described[2].bytesBefore - described[3].bytesBefore) + ")");
        QCOMPARE(written->notes[0],
                 "tensor 'blk.0.attn_q.weight' (rows [0, 32) Q8_0, rows [32, 96) Q4_0, rows [96, 128) RTN4g32) is stored as "
                 "Q8_0: " + std::to_string(described[0].bytesBefore) + " -> 17408 bytes (+" +
                     std::to_string(17408 - described[0].bytesBefore) + ")");
        auto back = gguf::loadModel(dir + "/n.gguf").value();
        int keptDiffers = 0;  // kept values a re-encoding would have changed
        for (const auto& [name, type] : expected) {
            const Tensor& t = *back->find(name);
            QCOMPARE(std::string(dtypeName(t.dtype)), type);
            const auto have = values(*c->find(name)), got = values(t);
            std::vector<float> rt(have.size());
            QVERIFY(quant::roundTrip(quant::parseScheme(type).value(), have.data(), t.rows(), t.cols(), rt.data()).ok());
            SegmentedLayout layout;
            if (c->find(name)->dtype == DType::Segmented) layout = readSegmentedLayout(*c->find(name)).value();
            for (int64_t r = 0; r < t.rows(); ++r)
                for (int64_t k = 0; k < t.cols(); ++k) {
                    // Slices already in the file's type keep their values; the rest are re-encoded.
                    bool kept = false;
                    for (const Segment& s : layout.segments)
                        kept = kept || (std::string(dtypeName(s.dtype)) == type &&
                                        (layout.axis == SegmentAxis::Rows ? r >= s.begin && r < s.end : k >= s.begin && k < s.end));
                    const size_t i = size_t(r * t.cols() + k);
                    keptDiffers += kept && have[i] != rt[i];
                    if (got[i] != (kept ? have[i] : rt[i]))
                        QFAIL(qPrintable(QStringLiteral("%1 (%2): row %3, column %4").arg(name.c_str()).arg(kept).arg(r).arg(k)));
                }
        }
        QVERIFY(keptDiffers > 0);
        QVERIFY(Engine::create(back).ok());

        auto f16 = exportGguf(*c, dir + "/f.gguf", NativeTensors::AsF16);
        QVERIFY(f16.ok());
        auto f16back = gguf::loadModel(dir + "/f.gguf").value();
        const auto have = values(*c->find("blk.0.attn_output.weight"));
        const auto got = values(*f16back->find("blk.0.attn_output.weight"));
        QCOMPARE(f16back->find("blk.0.attn_output.weight")->dtype, DType::F16);
        for (size_t i = 0; i < have.size(); ++i) QCOMPARE(got[i], fp16ToFloat(floatToFp16(have[i])));
        QCOMPARE(f16->conversions.size(), expected.size());
        QCOMPARE(f16->conversions[0].bytesAfter, int64_t(128 * 128 * 2));
    }
};

QTEST_GUILESS_MAIN(TestHeadPlan)
#include "tst_head_plan.moc"
