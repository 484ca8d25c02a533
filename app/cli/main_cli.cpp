// precis-cli: the studio's pipeline without a window. Same core calls as the GUI.
#include "cli/cli_common.h"
#include "cli/commands.h"

#include <QCoreApplication>

#include <cstdio>
#include <functional>
#include <map>

using namespace precis::cli;

namespace {

const char* kUsage =
    "Usage: precis-cli <command> [options]   (precis-cli <command> --help for its options)\n"
    "\n"
    "Commands:\n"
    "  info MODEL                         architecture, hyper-parameters, parameters, tensor table\n"
    "  tokenize MODEL (--text FILE | --string S)\n"
    "                                     token ids\n"
    "  ppl MODEL --text FILE [--ctx N] [--chunks K] [--all-tokens]\n"
    "                                     perplexity (llama.cpp's chunked method by default)\n"
    "  generate MODEL --prompt S [-n N] [--temp T] [--top-p P] [--seed S]\n"
    "                                     continue a prompt (greedy at --temp 0)\n"
    "  train --text FILE --out DIR [--arch llama|gpt2] [--layers N --embd N --heads N --kv-heads N --ffn N\n"
    "        --ctx N --tokenizer char|bpe --vocab N --steps N --batch N --lr X --seed S] [--resume]\n"
    "                                     train a micro model from scratch (Ctrl-C: checkpoint and stop)\n"
    "  selfgen MODEL --out FILE [--tokens N] [--seed S] [--temp T]\n"
    "                                     text the model generates itself (calibration / evaluation sets)\n"
    "  analyze MODEL (--calib FILE | --self-calib) --session DB [--seqs N --len T --seed S]\n"
    "                                     calibration run: sensitivity per tensor, head, layer, 8×8 chunk\n"
    "  report --session DB [--name S] [--metric M] [--option O] [--kind tensor|head|layer] [--top K]\n"
    "                                     most sensitive units of a stored run; proxy-vs-measured table\n"
    "  allocate --session DB (--budget-ppl P | --target-bpw B | --target-mb M) [--granularity tensor|head|layer]\n"
    "                                     optimal mixed-precision allocation; llama-quantize arguments\n"
    "  allocations --session DB [--name S]  the saved allocations of a session, side by side\n"
    "  compress MODEL --out FILE.gguf (--uniform SCHEME | --recipe FILE.json) [--recipe-out FILE.json]\n"
    "        [--llama-quantize-args] [--rtn-as f16]\n"
    "                                     compress by a plan and write GGUF (any mix of GGUF types)\n"
    "  eval ORIGINAL COMPRESSED --text FILE [--ctx N] [--chunks K] [--all-tokens]\n"
    "                                     perplexity of both, KL mean/p99, top-1 agreement\n"
    "  export MODEL --out PATH [--format gguf|safetensors] [--dtype f16|bf16|f32]\n"
    "                                     write GGUF, or a Hugging Face folder (dequantized safetensors)\n"
    "  bench MODEL [MODEL...] [--device cpu|cuda] [--threads N] [--prompt 512] [--gen 128] [--reps 5]\n"
    "        [--kv f32|f16] [--session DB [--name S]]\n"
    "                                     prefill/decode tok/s, TTFT, peak memory vs the bandwidth ceiling\n"
    "  sessions list|show|rename|delete|export|import|compare --session DB ...\n"
    "                                     the sessions of a database: list, show one, rename, delete (--yes),\n"
    "                                     export to / import from its own file, compare two\n"
    "                                     (precis-cli sessions --help)\n"
    "\n"
    "MODEL is a .gguf file, a Hugging Face folder (config.json + safetensors + tokenizer.json),\n"
    "or a llama2.c .bin (tokenizer.bin beside it, or --tokenizer FILE).\n"
    "Every command takes --json. Exit status: 0 success, 1 bad input, 2 bad usage.\n";

} // namespace

int main(int argc, char** argv)
{
    precis::configureAllocator();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("precis-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PRECIS_VERSION));
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 2 || args[1] == QLatin1String("--help") || args[1] == QLatin1String("-h") ||
        args[1] == QLatin1String("help")) {
        std::fputs(kUsage, args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? ExitUsage : ExitOk;
    }
    if (args[1] == QLatin1String("--version")) {
        std::printf("precis-cli %s\n", PRECIS_VERSION);
        return ExitOk;
    }

    const std::map<QString, std::function<int(const QStringList&)>> commands{
        {QStringLiteral("info"), cmdInfo},
        {QStringLiteral("tokenize"), cmdTokenize},
        {QStringLiteral("ppl"), cmdPerplexity},
        {QStringLiteral("generate"), cmdGenerate},
        {QStringLiteral("train"), cmdTrain},
        {QStringLiteral("selfgen"), cmdSelfgen},
        {QStringLiteral("analyze"), cmdAnalyze},
        {QStringLiteral("report"), cmdReport},
        {QStringLiteral("compress"), cmdCompress},
        {QStringLiteral("eval"), cmdEvalCompare},
        {QStringLiteral("bench"), cmdBench},
        {QStringLiteral("export"), cmdExport},
        {QStringLiteral("allocate"), cmdAllocate},
        {QStringLiteral("allocations"), cmdAllocations},
        {QStringLiteral("sessions"), cmdSessions},
    };
    const auto it = commands.find(args[1]);
    if (it == commands.end()) {
        std::fprintf(stderr, "precis-cli: unknown command '%s'\n\n%s", qPrintable(args[1]), kUsage);
        return ExitUsage;
    }
    // The sub-command sees "precis-cli <options...>" so QCommandLineParser skips argv[0] only.
    QStringList sub = args.mid(2);
    sub.prepend(args[0]);
    try {
        return it->second(sub);
    } catch (const CliExit& e) {
        endProgress();
        if (!e.message.isEmpty())
            std::fprintf(stderr, "precis-cli %s: %s\n", qPrintable(args[1]), qPrintable(e.message));
        return e.code;
    }
}
