#include "core_messages.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <cassert>
#include <optional>
#include <vector>

namespace precis::app {

namespace {

// The English the core (and the app's jobs, which report through core's
// Progress and Error) emit, in the order they are tried: a more specific
// template comes before a more general one that would also match it.
// Placeholders are numbered in the order they appear; `kinds` gives one letter
// per placeholder (core_messages.h).
const CoreMessageTemplate kTemplates[] = {
    // ---- Errors: cancellation
    {QT_TRANSLATE_NOOP("CoreMessage", "calibration cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "calibration run cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "compression cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "per-tensor measurement cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "benchmark cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "forward pass cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "gradient computation cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "comparison cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "perplexity cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "generation cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "export cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "hashing cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "GPTQ cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "AWQ cancelled"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "cancelled"), ""},
    // Any other "<what> cancelled" ("attention cancelled", "loading model.gguf cancelled"), before
    // the templates ending in a value ("loading %1") that would take "… cancelled" as their value.
    {QT_TRANSLATE_NOOP("CoreMessage", "%1 cancelled"), "m"},

    // ---- Progress: calibration (core/sensitivity, app/calibration_job.cpp)
    {QT_TRANSLATE_NOOP("CoreMessage", "statistics: sequences %1–%2 of %3"), "nnn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "gradients: sequences %1–%2 of %3, forward"), "nnn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "gradients: sequences %1–%2 of %3, backward block %4 of %5"), "nnnnn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "predicted damage of %1 options"), "n"},
    {QT_TRANSLATE_NOOP("CoreMessage", "predicted damage %1/%2"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "measuring the original on %1 sequences"), "n"},
    {QT_TRANSLATE_NOOP("CoreMessage", "measuring units %1/%2"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "generating calibration text %1/%2"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "Preparing the engine"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "Preparing the weights"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "Reading %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "Recording the model in the session database"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "done"), ""},
    // ---- Progress: compression and its measurement (core/eval, core/quant, app/compress_job.cpp)
    {QT_TRANSLATE_NOOP("CoreMessage", "compress %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "dequantize %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "export"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "GPTQ: %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "AWQ done"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "AWQ: %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "Preparing the engines"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "Evaluating"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "Per tensor"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "measuring the original on %1 × %2 tokens"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "measuring tensors %1/%2: %3"), "nns"},
    {QT_TRANSLATE_NOOP("CoreMessage", "Recording the result"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "Writing calibration text"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "Generating (original)"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "Generating (compressed)"), ""},
    // ---- Progress: evaluation, benchmark, attention
    {QT_TRANSLATE_NOOP("CoreMessage", "compare"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "perplexity"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "generating text %1/%2 tokens"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "warm-up"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "repetition %1 of %2"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "loading %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "writing %1 as GGUF"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "Running the model"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "attention"), ""},  // what a cancelled attention job says was cancelled

    // ---- Errors: files
    {QT_TRANSLATE_NOOP("CoreMessage", "no such file or folder"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "cannot open file"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "cannot open file: %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "cannot stat file: %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "cannot memory-map file: %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "read error: %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "read error while hashing: %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "not a regular file"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "cannot create file: %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "write failed: %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "cannot rename temporary file into place: %1"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "cannot write: the folder '%1' does not exist"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "file is larger than the limit of %1 bytes"), "n"},
    // ---- Errors: model files (GGUF, Hugging Face, llama2.c) and tokenizers
    {QT_TRANSLATE_NOOP("CoreMessage", "file is empty, expected a GGUF header"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "bad magic '%1', expected 'GGUF' (not a GGUF file)"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "version %1 is not supported, expected 2 or 3"), "n"},
    {QT_TRANSLATE_NOOP("CoreMessage", "file ends at byte %1 while reading %2 (%3 bytes at offset %4)"), "nsnn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "duplicate tensor name (first as tensor #%1)"), "n"},
    {QT_TRANSLATE_NOOP("CoreMessage", "ggml type %1 is not a known tensor type"), "n"},
    {QT_TRANSLATE_NOOP("CoreMessage", "duplicate tensor name"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "unknown tensor name"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "tensor '%1' is missing (expected shape %2)"), "ss"},
    {QT_TRANSLATE_NOOP("CoreMessage", "tensor '%1' has shape %2, expected %3"), "sss"},
    {QT_TRANSLATE_NOOP("CoreMessage", "tensor '%1' is missing"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "tensor '%1'"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "tensor #%1"), "n"},
    {QT_TRANSLATE_NOOP("CoreMessage", "key '%1'"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "key #%1"), "n"},
    {QT_TRANSLATE_NOOP("CoreMessage", "config.json not found (not a Hugging Face model folder)"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "holds neither model.safetensors nor model.safetensors.index.json"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "file is %1 bytes, too short for the 28-byte llama2.c header"), "n"},
    {QT_TRANSLATE_NOOP("CoreMessage", "no tokenizer: %1 not found (give the tokenizer.bin path)"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "the model carries no tokenizer"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "the model file carries no tokenizer"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "tokenizer"), ""},
    // ---- Errors: sessions
    {QT_TRANSLATE_NOOP("CoreMessage", "not an SQLite database (the file does not start with \"SQLite format 3\")"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage",
                       "not a Precis session database (an SQLite database with other tables and no schema version)"),
     ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "the database is corrupt (quick_check: %1)"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "the database is corrupt (%1)"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "the database has schema version %1, newer than this build of Precis "
                                      "understands (up to version %2); open it with a newer Precis"),
     "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "session %1 does not exist"), "n"},
    {QT_TRANSLATE_NOOP("CoreMessage", "cannot import: not a readable file"), ""},
    // ---- Errors: calibration and measurement texts
    {QT_TRANSLATE_NOOP("CoreMessage", "the calibration text is empty"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "the text has %1 tokens, expected at least %2 for one sequence of %3 "
                                      "(use fewer or shorter sequences, or more text)"),
     "nnn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "number of sequences %1, expected 1..%2"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "sequence length %1, expected 2..%2"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "sequence length %1 exceeds the model's context of %2 tokens"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "the vocabulary has no BOS token to start from"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "the model stopped after %1 of %2 tokens (context full)"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "text of %1 tokens is shorter than one chunk of %2"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "perplexity context %1 exceeds the model's n_ctx = %2"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "comparison context %1, expected at least 3 tokens"), "n"},
    {QT_TRANSLATE_NOOP("CoreMessage",
                       "vocabularies differ: %1 vs %2 tokens; models can only be compared on the same vocabulary"),
     "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "sequence of %1 tokens exceeds the context length n_ctx = %2"), "nn"},
    {QT_TRANSLATE_NOOP("CoreMessage", "the text file is empty; expected text to train on"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "calibration text"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "evaluation text"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "no file given: choose a text to measure on"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "%1 needs calibration text: choose a file (or let the model write it)"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "%1 needs calibration text: choose a file"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "no file given: choose a text to calibrate on"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "measuring each tensor needs an evaluation text: choose one"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "measuring needs the model's tokenizer"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "calibration needs the model's tokenizer"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "%1 needs calibration text"), "s"},
    {QT_TRANSLATE_NOOP("CoreMessage", "prompt"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "empty: type a few words to continue"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "gives no tokens"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "no model is open"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "the text gives no tokens: type some text first"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "plan"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "the model has no weight matrix to compress"), ""},
    // ---- Errors: engine, devices, budget
    {QT_TRANSLATE_NOOP("CoreMessage", "not enough memory to hold the weights as fp32"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "this build has no CUDA backend (nvcc was not found when it was configured)"),
     ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "no CUDA device: the CUDA runtime found none"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "no model to benchmark"), ""},
    {QT_TRANSLATE_NOOP("CoreMessage", "no measured compression with a prediction to rescale from: compress an "
                                      "allocation and measure it on an evaluation text first (a perplexity "
                                      "increase above zero is needed)"),
     ""},
};

constexpr int kTemplateCount = int(sizeof kTemplates / sizeof kTemplates[0]);

// How the parts of a chained message are joined again ("where: message").
const char* const kJoint = QT_TRANSLATE_NOOP("CoreMessage", "%1: %2");

// A number as std::to_string and the core's own formatting write it.
const QString kNumber = QStringLiteral("(-?[0-9]+(?:\\.[0-9]+)?(?:e[-+]?[0-9]+)?)");
// A name or text: anything but the ": " that joins a message's parts, so that a
// template starting with a value does not swallow a "where: " in front of it.
const QString kText = QStringLiteral("((?:(?!: ).)+?)");

struct Compiled {
    QRegularExpression re;
    const CoreMessageTemplate* entry = nullptr;
};

// "%1" … "%9" in `text` at `i`: the placeholder's number, else 0.
int placeholderAt(const QString& text, qsizetype i)
{
    if (text[i] != QLatin1Char('%') || i + 1 >= text.size()) return 0;
    const QChar d = text[i + 1];
    return d >= QLatin1Char('1') && d <= QLatin1Char('9') ? d.digitValue() : 0;
}

// The template's anchored expression: its literal text escaped, each
// placeholder a capture of its kind.
QRegularExpression compile(const CoreMessageTemplate& t)
{
    const QString text = QString::fromUtf8(t.text);
    const QString kinds = QString::fromLatin1(t.kinds);
    QString pattern;
    QString literal;
    int next = 1;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const int n = placeholderAt(text, i);
        if (n == 0) {
            literal += text[i];
            continue;
        }
        // Placeholders appear in the English in their numbered order, one kind each.
        assert(n == next && n <= kinds.size());
        pattern += QRegularExpression::escape(literal) + (kinds[n - 1] == QLatin1Char('n') ? kNumber : kText);
        literal.clear();
        ++next;
        ++i;
    }
    assert(next - 1 == kinds.size());
    pattern += QRegularExpression::escape(literal);
    QRegularExpression re(QRegularExpression::anchoredPattern(pattern));
    re.optimize();
    return re;
}

const std::vector<Compiled>& compiled()
{
    static const std::vector<Compiled> table = [] {
        std::vector<Compiled> out;
        out.reserve(kTemplateCount);
        for (const CoreMessageTemplate& t : kTemplates) out.push_back({compile(t), &t});
        return out;
    }();
    return table;
}

QString translateWhole(const QString& message, int depth, bool* matched);

// `translated` with %1 … %9 replaced in one pass by the captures (a value that
// itself holds "%1" is not substituted again).
QString substitute(const QString& translated, const QRegularExpressionMatch& m, const char* kinds, int depth)
{
    QString out;
    out.reserve(translated.size() + 32);
    for (qsizetype i = 0; i < translated.size(); ++i) {
        const int n = placeholderAt(translated, i);
        if (n == 0 || n > m.lastCapturedIndex()) {
            out += translated[i];
            continue;
        }
        const QString value = m.captured(n);
        out += kinds[n - 1] == 'm' ? translateWhole(value, depth + 1, nullptr) : value;
        ++i;
    }
    return out;
}

// The first template matching all of `message`, translated; nullopt when none does.
std::optional<QString> matchTemplate(const QString& message, int depth)
{
    for (const Compiled& c : compiled()) {
        const QRegularExpressionMatch m = c.re.match(message);
        if (!m.hasMatch()) continue;
        const QString translated = QCoreApplication::translate(kCoreMessageContext, c.entry->text);
        return substitute(translated, m, c.entry->kinds, depth);
    }
    return std::nullopt;
}

constexpr int kMaxDepth = 4;  // nested 'm' placeholders ("loading x cancelled")

QString translateWhole(const QString& message, int depth, bool* matched)
{
    if (depth <= kMaxDepth) {
        if (auto whole = matchTemplate(message, depth)) {
            if (matched) *matched = true;
            return *whole;
        }
        // "part: part: … : rest": the first split after which the rest matches.
        const QString sep = QStringLiteral(": ");
        for (qsizetype at = message.indexOf(sep); at > 0; at = message.indexOf(sep, at + 1)) {
            auto rest = matchTemplate(message.mid(at + sep.size()), depth);
            if (!rest) continue;
            const QString joint = QCoreApplication::translate(kCoreMessageContext, kJoint);
            QString out = *rest;
            const QStringList parts = message.left(at).split(sep);
            for (qsizetype p = parts.size() - 1; p >= 0; --p) {
                const QString part = matchTemplate(parts[p], depth).value_or(parts[p]);
                out = joint.arg(part, out);
            }
            if (matched) *matched = true;
            return out;
        }
    }
    if (matched) *matched = false;
    return message;
}

} // namespace

QString translateCoreMessage(const std::string& message, bool* matched)
{
    return translateWhole(QString::fromStdString(message), 0, matched);
}

QString coreErrorText(const Error& error) { return translateCoreMessage(error.toString()); }

int coreMessageTemplateCount() { return kTemplateCount; }

CoreMessageTemplate coreMessageTemplate(int index)
{
    assert(index >= 0 && index < kTemplateCount);
    return kTemplates[index];
}

} // namespace precis::app
