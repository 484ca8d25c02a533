// The model benchmark (core/bench): settings checks, statistics, bytes read per
// decode step against the model's shape, a real run on small GGUF files
// (figures consistent with each other, the file size, the ceiling), the GPT-2
// context clamp, JSON round trips and their errors, and results kept in a
// session, linked to the compression they measure.
#include "session/session_benchmarks.h"
#include "session/session_compressions.h"
#include "bench/benchmark.h"
#include "eval/compress.h"
#include "eval/compression_plan.h"
#include "model/random_model.h"
#include "session/session_store.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

using namespace precis;
namespace fs = std::filesystem;

namespace {

ModelConfig llamaConfig()
{
    ModelConfig c;
    c.arch = Arch::Llama;
    c.archName = "llama";
    c.nLayer = 2; c.nEmbd = 256; c.nHead = 4; c.nHeadKv = 2; c.nFf = 512; c.nVocab = 300; c.nCtx = 64;
    return c;
}

// Writes a random model of config c (optionally compressed to `scheme`) as GGUF.
std::string writeModel(const ModelConfig& c, const std::string& path, const std::string& scheme = {})
{
    std::shared_ptr<Model> m = makeRandomModel(c, 5);
    m->tokenizer = makeRandomTokenizer(c.nVocab);
    if (!scheme.empty()) {
        auto plan = uniformPlan(*m, scheme);
        if (!plan.ok()) qFatal("%s", plan.error().toString().c_str());
        auto q = compressModel(*m, plan->plan);
        if (!q.ok()) qFatal("%s", q.error().toString().c_str());
        m = std::move(q).value();
    }
    auto w = exportGguf(*m, path);
    if (!w.ok()) qFatal("%s", w.error().toString().c_str());
    return path;
}

MachineInfo fakeMachine(double gbs)
{
    MachineInfo m;
    m.cpu = "test CPU";
    m.logicalCores = 2;
    m.isa = "scalar";
    m.memoryBytes = 1 << 30;
    m.os = "Linux";
    m.device = "cpu";
    m.threads = 1;
    m.bandwidthGBs = {gbs, gbs * 0.9, gbs * 1.1};
    return m;
}

BenchSettings small()
{
    BenchSettings s;
    s.threads = 1;
    s.prompt = 16;
    s.gen = 8;
    s.reps = 3;
    return s;
}

} // namespace

class TestBench : public QObject {
    Q_OBJECT
private slots:
    void settingsAreChecked()
    {
        BenchSettings s;
        QVERIFY(validate(s).ok());
        const std::pair<int BenchSettings::*, const char*> fields[] = {
            {&BenchSettings::prompt, "prompt"}, {&BenchSettings::gen, "gen"}, {&BenchSettings::reps, "reps"}};
        for (const auto& [f, name] : fields)
            for (int bad : {0, -3, 70000}) {
                BenchSettings b;
                b.*f = bad;
                auto r = validate(b);
                QVERIFY(!r.ok());
                QVERIFY2(r.error().message.find(name) != std::string::npos, r.error().message.c_str());
            }
        BenchSettings t;
        t.threads = -1;
        QVERIFY(!validate(t).ok());
    }

    void spread()
    {
        const Spread odd = spreadOf({5, 1, 3});
        QCOMPARE(odd.median, 3.0);
        QCOMPARE(odd.min, 1.0);
        QCOMPARE(odd.max, 5.0);
        QCOMPARE(spreadOf({4, 1, 3, 2}).median, 2.5);
    }

    // Bytes per decode step from the shape: all matrices but the embedding
    // table (one row of it), the norms, and 2·layers·position·kvDim cache values.
    void bytesPerToken()
    {
        const ModelConfig c = llamaConfig();
        const auto m = makeRandomModel(c, 1);
        const double C = c.nEmbd, V = c.nVocab, F = c.nFf, kvDim = double(c.nHeadKv) * c.headDim();
        const double perLayer = C * C * 2 + 2 * kvDim * C + 3 * F * C + 2 * C;
        const double weights = 4 * (c.nLayer * perLayer + C /*embedding row*/ + C /*output norm*/ + V * C /*output*/);
        QCOMPARE(decodeBytesPerToken(*m, true), weights);
        QCOMPARE(decodeBytesPerToken(*m, true, KvType::F32, 10), weights + 2.0 * c.nLayer * 10 * kvDim * 4);
        QCOMPARE(decodeBytesPerToken(*m, true, KvType::F16, 10), weights + 2.0 * c.nLayer * 10 * kvDim * 2);

        // Q8_0 matrices: 34 bytes per 32 weights when kept in blocks, 4 per weight dequantized.
        auto plan = uniformPlan(*m, "Q8_0");
        QVERIFY(plan.ok());
        auto q = compressModel(*m, plan->plan);
        QVERIFY(q.ok());
        const double matrices = c.nLayer * (perLayer - 2 * C) + V * C;
        const double vectors = c.nLayer * 2 * C + C;
        // token_embd: the plan quantizes it too; one row read either way.
        QCOMPARE(decodeBytesPerToken(**q, true), (matrices * 34 / 32 + C * 34 / 32) + vectors * 4);
        QCOMPARE(decodeBytesPerToken(**q, false), (matrices + C) * 4 + vectors * 4);
    }

    void runsAModel()
    {
        const std::string dir = test::scratchDir("bench_run");
        const std::string f32 = writeModel(llamaConfig(), dir + "/f32.gguf");
        const std::string q4 = writeModel(llamaConfig(), dir + "/q4k.gguf", "Q4_K");
        const MachineInfo machine = fakeMachine(10.0);
        int reports = 0;
        Progress progress([&](double f, const std::string&) {
            QVERIFY(f >= 0 && f <= 1);
            ++reports;
        });
        for (const std::string& path : {f32, q4}) {
            auto r = benchmarkModel(path, small(), machine, &progress);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
            QCOMPARE(r->modelPath, path);
            QCOMPARE(r->fileBytes, uint64_t(fs::file_size(path)));
            QCOMPARE(r->prompt, 16);
            QCOMPARE(r->gen, 8);
            QCOMPARE(r->reps, 3);
            QCOMPARE(r->threads, 1);
            QCOMPARE(r->device, std::string("cpu"));
            for (const Spread& s : {r->prefillTokS, r->decodeTokS, r->ttftMs}) {
                QVERIFY(s.min > 0);
                QVERIFY(s.min <= s.median && s.median <= s.max);
            }
            // Time to first token is the prefill of the prompt: 16 tokens at the prefill rate.
            QVERIFY(std::abs(r->ttftMs.median * r->prefillTokS.median / 1e3 / 16 - 1) < 0.25);
            // The ceiling comes from the bandwidth read beside the decodes, not the machine's 10 GB/s.
            QVERIFY2(r->bandwidthGBs > 0.1 && r->bandwidthGBs < 1e4, qPrintable(QString::number(r->bandwidthGBs)));
            QVERIFY(r->bandwidthGBs != 10.0);
            QCOMPARE(r->ceilingTokS, r->bandwidthGBs * 1e9 / r->bytesPerToken);
            QCOMPARE(r->ceilingFraction(), r->decodeTokS.median / r->ceilingTokS);
            // The mapped weights are touched by every step.
            if (r->peakExact) QVERIFY2(r->peakMemoryBytes >= r->weightBytes / 2, qPrintable(QString::number(r->peakMemoryBytes)));
        }
        QVERIFY(reports >= 8);
        auto b = benchmarkModel(q4, small(), machine);
        QCOMPARE(b->weightTypes.substr(0, 4), std::string("Q4_K"));
    }

    // A compression holding RTN tensors (no file format stores them) runs from
    // memory on the RTN kernels: its bytes per token are the RTN bytes, its
    // "file" size its tensor bytes, its resident weights counted in the peak.
    void runsAModelInMemory()
    {
        std::shared_ptr<Model> m = makeRandomModel(llamaConfig(), 5);
        m->tokenizer = makeRandomTokenizer(llamaConfig().nVocab);
        auto plan = uniformPlan(*m, "RTN4g64");
        QVERIFY(plan.ok());
        auto q = compressModel(*m, plan->plan);
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().toString().c_str());
        std::shared_ptr<const Model> rtn = std::move(q).value();
        QVERIFY(!rtnTensors(*rtn).empty());
        const MachineInfo machine = fakeMachine(10);
        auto r = benchmarkModel(rtn, "RTN4g64 compression", small(), machine);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->modelPath, std::string("RTN4g64 compression"));
        QCOMPARE(r->weightTypes.substr(0, 7), std::string("RTN4g64"));
        QCOMPARE(r->fileBytes, r->weightBytes);
        QCOMPARE(r->bytesPerToken, decodeBytesPerToken(*rtn, true, KvType::F32, 16 + 0.5 * 8));
        // RTN4g64 stores 34 bytes per 64 weights: about a seventh of fp32.
        QVERIFY(r->bytesPerToken < decodeBytesPerToken(*m, true, KvType::F32, 16 + 0.5 * 8) / 6);
        QVERIFY(r->decodeTokS.median > 0 && r->prefillTokS.median > 0);
        if (r->peakExact) QVERIFY(r->peakMemoryBytes >= r->weightBytes);
        QVERIFY(std::count_if(r->notes.begin(), r->notes.end(), [](const std::string& n) {
                    return n.find("in memory") != std::string::npos;
                }) == 2);
        QVERIFY(!benchmarkModel(nullptr, "none", small(), machine).ok());
    }

    void gpt2PositionsLimitTheRun()
    {
        ModelConfig c;
        c.arch = Arch::Gpt2;
        c.archName = "gpt2";
        c.nLayer = 1; c.nEmbd = 64; c.nHead = 2; c.nHeadKv = 2; c.nFf = 256; c.nVocab = 300; c.nCtx = 40;
        const std::string dir = test::scratchDir("bench_gpt2");
        const std::string path = writeModel(c, dir + "/gpt2.gguf");
        BenchSettings s = small();
        s.prompt = 48;
        s.gen = 16;
        s.reps = 1;
        auto r = benchmarkModel(path, s, fakeMachine(5));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->prompt + r->gen, 40);
        QCOMPARE(r->gen, 10);  // 16·40/64
        QVERIFY(r->notes.front().find("n_ctx = 40") != std::string::npos);
    }

    void badInput()
    {
        auto missing = benchmarkModel("/nonexistent/precis-bench.gguf", small(), fakeMachine(1));
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().toString().find("precis-bench.gguf") != std::string::npos);
        BenchSettings bad = small();
        bad.reps = 0;
        auto r = benchmarkModel("/nonexistent/x.gguf", bad, fakeMachine(1));
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("reps") != std::string::npos);
        // Cancelled between decode steps.
        const std::string path = writeModel(llamaConfig(), test::scratchDir("bench_cancel") + "/m.gguf");
        CancelToken cancel;
        Progress stop([&](double f, const std::string&) {
            if (f > 0) cancel.cancel();
        });
        auto c = benchmarkModel(path, small(), fakeMachine(1), &stop, &cancel);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::Cancelled);
    }

    void machine()
    {
        BenchSettings s;
        s.threads = 1;
        s.reps = 1;
        auto m = describeMachine(s);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().toString().c_str());
        QCOMPARE(m->threads, 1);
        QCOMPARE(m->device, std::string("cpu"));
        QVERIFY(m->logicalCores >= 1);
        QVERIFY(!m->cpu.empty());
        // Any machine Precis runs on reads memory at between 0.1 and 10 000 GB/s.
        QVERIFY2(m->bandwidthGBs.median > 0.1 && m->bandwidthGBs.median < 1e4, qPrintable(QString::number(m->bandwidthGBs.median)));
    }

    // Without the CUDA backend or a GPU: one line saying which.
    void cudaWithoutADevice()
    {
        auto devices = benchCudaDevices();
        if (devices.ok() && !devices->empty()) QSKIP("a CUDA device is present: tst_engine_cuda covers it");
        QVERIFY(!devices.ok() || devices->empty());
        BenchSettings s = small();
        s.device = Device::Cuda;
        auto m = describeMachine(s);
        QVERIFY(!m.ok());
        QVERIFY2(m.error().message.find("CUDA") != std::string::npos, m.error().message.c_str());
    }

    void jsonRoundTrip()
    {
        BenchResult r;
        r.modelPath = "/m/q.gguf";
        r.weightTypes = "Q4_K 90%, Q6_K 10%";
        r.device = "cpu";
        r.threads = 2;
        r.prompt = 512;
        r.gen = 128;
        r.reps = 5;
        r.kv = "f16";
        r.fileBytes = 123456789012ull;
        r.weightBytes = 99;
        r.bytesPerToken = 1.5e9;
        r.prefillTokS = {100, 90, 110};
        r.decodeTokS = {10, 9, 11};
        r.ttftMs = {5000, 4900, 5100};
        r.peakMemoryBytes = 7;
        r.peakExact = false;
        r.bandwidthGBs = 20;
        r.ceilingTokS = 13.3;
        r.notes = {"a note"};
        auto back = benchResultFromJson(toJson(r));
        QVERIFY(back.ok());
        QCOMPARE(toJson(*back).dump(), toJson(r).dump());
        const MachineInfo m = fakeMachine(3);
        auto mb = machineFromJson(toJson(m));
        QVERIFY(mb.ok());
        QCOMPARE(toJson(*mb).dump(), toJson(m).dump());

        nlohmann::json broken = toJson(r);
        broken.erase("decode_tok_s");
        auto e = benchResultFromJson(broken);
        QVERIFY(!e.ok());
        QVERIFY(e.error().message.find("decode_tok_s") != std::string::npos);
        broken = toJson(r);
        broken["threads"] = "two";
        e = benchResultFromJson(broken);
        QVERIFY(!e.ok());
        QVERIFY(e.error().message.find("threads") != std::string::npos);
        QVERIFY(!machineFromJson(nlohmann::json::array()).ok());
    }

    void keptInTheSession()
    {
        const std::string dir = test::scratchDir("bench_session");
        const std::string original = writeModel(llamaConfig(), dir + "/orig.gguf");
        const std::string q4 = writeModel(llamaConfig(), dir + "/q4k.gguf", "Q4_K");
        const std::string other = writeModel(llamaConfig(), dir + "/other.gguf", "Q8_0");
        auto store = SessionStore::open(dir + "/s.sqlite");
        QVERIFY(store.ok());
        auto modelId = store->addModelFile(original, "llama", 1);
        QVERIFY(modelId.ok());
        auto sid = store->createSession("s", *modelId);
        QVERIFY(sid.ok());
        CompressionEntry c;
        c.outputPath = dir + "/./q4k.gguf";  // the same file, spelled differently
        c.bytes = 100;
        auto cid = recordCompression(*store, *sid, c);
        QVERIFY(cid.ok());
        c.outputPath.clear();
        c.name = "budget +2 % gptq";
        auto inMemory = recordCompression(*store, *sid, c);
        QVERIFY(inMemory.ok());

        const MachineInfo machine = fakeMachine(10);
        std::vector<BenchResult> results;
        for (const std::string& path : {original, q4, other}) {
            auto r = benchmarkModel(path, small(), machine);
            QVERIFY(r.ok());
            QVERIFY(recordBenchmark(*store, *sid, machine, *r).ok());
            results.push_back(*r);
        }
        // A compression kept in memory, benchmarked from a temporary file.
        {
            auto r = benchmarkModel(q4, small(), machine);
            QVERIFY(r.ok());
            QVERIFY(recordBenchmark(*store, *sid, machine, *r, *inMemory).ok());
            auto wrong = recordBenchmark(*store, *sid, machine, *r, *inMemory + 50);
            QVERIFY(!wrong.ok());
            QVERIFY(wrong.error().message.find("no such compression") != std::string::npos);
        }
        // A record this build cannot read is skipped, not fatal.
        BenchmarkRecord junk;
        junk.sessionId = *sid;
        junk.machineJson = "{}";
        junk.resultsJson = "{}";
        QVERIFY(store->addBenchmark(junk).ok());

        std::vector<Error> skipped;
        auto list = loadBenchmarks(*store, *sid, &skipped);
        QVERIFY(list.ok());
        QCOMPARE(skipped.size(), size_t(1));
        QVERIFY2(skipped[0].toString().find("benchmark " + std::to_string((*list).size() + 1)) != std::string::npos,
                 skipped[0].toString().c_str());
        QVERIFY(!loadBenchmarks(*store, *sid).ok());  // without a list to skip into, the bad record fails
        QCOMPARE(list->size(), size_t(4));
        QCOMPARE((*list)[3].role, BenchRole::Compressed);
        QCOMPARE((*list)[3].compressionId, std::optional<int64_t>(*inMemory));
        QCOMPARE((*list)[3].label, std::string("budget +2 % gptq"));
        QCOMPARE((*list)[1].label, std::string("rtn #") + std::to_string(*cid));
        QCOMPARE((*list)[0].role, BenchRole::Original);
        QVERIFY(!(*list)[0].compressionId);
        QCOMPARE((*list)[1].role, BenchRole::Compressed);
        QCOMPARE((*list)[1].compressionId, std::optional<int64_t>(*cid));
        QCOMPARE((*list)[2].role, BenchRole::Other);
        for (size_t i = 0; i < 3; ++i) {
            QCOMPARE(toJson((*list)[i].result).dump(), toJson(results[i]).dump());
            QCOMPARE((*list)[i].machine.cpu, std::string("test CPU"));
        }
        auto none = loadBenchmarks(*store, *sid + 100);
        QVERIFY(!none.ok());
    }
};

QTEST_GUILESS_MAIN(TestBench)
#include "tst_bench.moc"
