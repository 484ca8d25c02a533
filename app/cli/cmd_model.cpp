// `precis-cli info` and `precis-cli tokenize`.
#include "cli/cli_common.h"
#include "cli/commands.h"

#include <QJsonArray>

namespace precis::cli {

namespace {


QString archText(const ModelConfig& c) { return QString::fromStdString(c.archName); }

QString tokenizerKindText(TokenizerKind k)
{
    switch (k) {
    case TokenizerKind::SentencePiece: return QStringLiteral("sentencepiece");
    case TokenizerKind::ByteLevelBpe: return QStringLiteral("byte-level-bpe");
    case TokenizerKind::None: break;
    }
    return QStringLiteral("none");
}

QJsonArray shapeJson(const std::vector<int64_t>& shape)
{
    QJsonArray a;
    for (int64_t d : shape) a.append(qint64(d));
    return a;
}

} // namespace

int cmdInfo(const QStringList& args)
{
    CommandParser p(QStringLiteral("info"),
                    QStringLiteral("Architecture, hyper-parameters, parameter count, file size and the tensor table of a model."));
    p.addPositional(QStringLiteral("MODEL"), QStringLiteral("A .gguf file, a Hugging Face folder, or a llama2.c .bin."));
    p.addOption(tokenizerOption());
    p.parse(args, 1, 1);
    const auto model = loadModelOrExit(p.positional().at(0), p.value(QStringLiteral("tokenizer")));
    const ModelConfig& c = model->config;

    if (p.json()) {
        QJsonObject cfg{{"architecture", archText(c)},
                        {"n_layer", c.nLayer},
                        {"n_embd", c.nEmbd},
                        {"n_head", c.nHead},
                        {"n_head_kv", c.nHeadKv},
                        {"n_ff", c.nFf},
                        {"n_vocab", c.nVocab},
                        {"n_ctx", c.nCtx},
                        {"rope_theta", double(c.ropeTheta)},
                        {"norm_eps", double(c.normEps)},
                        {"rope_layout", c.ropeLayout == RopeLayout::Interleaved ? "interleaved" : "rotate-half"},
                        {"tied_output", c.tiedOutput},
                        {"qkv_bias", c.qkvBias}};
        QJsonArray tensors;
        for (const Tensor& t : model->tensors())
            tensors.append(QJsonObject{{"name", QString::fromStdString(t.name)},
                                       {"shape", shapeJson(t.shape)},
                                       {"dtype", QString::fromLatin1(dtypeName(t.dtype).data(), qsizetype(dtypeName(t.dtype).size()))},
                                       {"bytes", qint64(t.nbytes)}});
        QJsonObject meta;
        for (const auto& [k, v] : model->metadata) meta.insert(QString::fromStdString(k), QString::fromStdString(v));
        printJson(QJsonObject{{"path", QString::fromStdString(model->path)},
                              {"format", QString::fromStdString(model->format)},
                              {"file_bytes", qint64(model->fileBytes)},
                              {"parameters", qint64(model->parameterCount())},
                              {"config", cfg},
                              {"tokenizer", QJsonObject{{"kind", tokenizerKindText(model->tokenizer.kind)},
                                                        {"tokens", qint64(model->tokenizer.tokens.size())},
                                                        {"bos", model->tokenizer.bos},
                                                        {"eos", model->tokenizer.eos}}},
                              {"metadata", meta},
                              {"tensors", tensors}});
        return ExitOk;
    }

    printLine(QStringLiteral("model       %1").arg(QString::fromStdString(model->path)));
    printLine(QStringLiteral("format      %1, %2").arg(QString::fromStdString(model->format), humanBytes(model->fileBytes)));
    printLine(QStringLiteral("arch        %1: %2 layers, embd %3, heads %4 (kv %5), ffn %6, vocab %7, ctx %8")
                  .arg(archText(c)).arg(c.nLayer).arg(c.nEmbd).arg(c.nHead).arg(c.nHeadKv).arg(c.nFf).arg(c.nVocab).arg(c.nCtx));
    printLine(QStringLiteral("            rope theta %1 (%2), norm eps %3, output %4%5")
                  .arg(double(c.ropeTheta))
                  .arg(c.ropeLayout == RopeLayout::Interleaved ? QStringLiteral("interleaved") : QStringLiteral("rotate-half"))
                  .arg(double(c.normEps))
                  .arg(c.tiedOutput ? QStringLiteral("tied to token_embd") : QStringLiteral("separate"))
                  .arg(c.qkvBias ? QStringLiteral(", q/k/v bias") : QString()));
    printLine(QStringLiteral("parameters  %L1").arg(qint64(model->parameterCount())));
    printLine(QStringLiteral("tokenizer   %1, %2 tokens").arg(tokenizerKindText(model->tokenizer.kind)).arg(model->tokenizer.tokens.size()));
    printLine({});
    int nameWidth = 4;
    for (const Tensor& t : model->tensors()) nameWidth = std::max(nameWidth, int(t.name.size()));
    printLine(QStringLiteral("%1  %2  %3  %4").arg(QStringLiteral("name"), -nameWidth).arg(QStringLiteral("shape"), -14)
                  .arg(QStringLiteral("dtype"), -6).arg(QStringLiteral("bytes"), 12));
    for (const Tensor& t : model->tensors())
        printLine(QStringLiteral("%1  %2  %3  %4")
                      .arg(QString::fromStdString(t.name), -nameWidth)
                      .arg(shapeText(t.shape), -14)
                      .arg(QString::fromLatin1(dtypeName(t.dtype).data(), qsizetype(dtypeName(t.dtype).size())), -6)
                      .arg(qint64(t.nbytes), 12));
    return ExitOk;
}

int cmdTokenize(const QStringList& args)
{
    CommandParser p(QStringLiteral("tokenize"), QStringLiteral("Token ids of a text under the model's tokenizer."));
    p.addPositional(QStringLiteral("MODEL"), QStringLiteral("A .gguf file, a Hugging Face folder, or a llama2.c .bin."));
    p.addOption(tokenizerOption());
    p.addOption({QStringLiteral("text"), QStringLiteral("Tokenize the contents of FILE."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("string"), QStringLiteral("Tokenize the string S."), QStringLiteral("S")});
    p.addOption({QStringLiteral("no-bos"), QStringLiteral("Do not prepend BOS even if the vocabulary adds it.")});
    p.addOption({QStringLiteral("pieces"), QStringLiteral("Also print each token's text.")});
    p.parse(args, 1, 1);
    if (p.isSet(QStringLiteral("text")) == p.isSet(QStringLiteral("string")))
        failUsage(QStringLiteral("tokenize: give exactly one of --text FILE or --string S"));
    const auto model = loadModelOrExit(p.positional().at(0), p.value(QStringLiteral("tokenizer")));
    const auto tok = tokenizerOrExit(*model);
    const std::string text = p.isSet(QStringLiteral("text")) ? readTextOrExit(p.value(QStringLiteral("text")))
                                                             : p.value(QStringLiteral("string")).toStdString();
    const bool bos = tok->addBosByDefault() && !p.isSet(QStringLiteral("no-bos"));
    const std::vector<int32_t> ids = tok->encode(text, bos);

    if (p.json()) {
        QJsonArray a, pieces;
        for (int32_t id : ids) {
            a.append(id);
            pieces.append(QString::fromStdString(tok->tokenText(id)));
        }
        QJsonObject o{{"count", qint64(ids.size())}, {"ids", a}};
        if (p.isSet(QStringLiteral("pieces"))) o.insert(QStringLiteral("pieces"), pieces);
        printJson(o);
        return ExitOk;
    }
    if (p.isSet(QStringLiteral("pieces"))) {
        for (int32_t id : ids)
            printLine(QStringLiteral("%1\t%2").arg(id, 6).arg(QString::fromStdString(tok->tokenText(id))));
        return ExitOk;
    }
    QStringList parts;
    parts.reserve(qsizetype(ids.size()));
    for (int32_t id : ids) parts << QString::number(id);
    printLine(parts.join(QLatin1Char(' ')));
    return ExitOk;
}

} // namespace precis::cli
