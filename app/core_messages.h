// Core messages in the user's language. core/ includes no Qt and emits fixed
// English: progress stages ("statistics: sequences 1–8 of 32") and error
// messages ("bad magic 'PK..', expected 'GGUF' (not a GGUF file)"), with numbers
// and names put in. core_messages.cpp holds a table of those English templates
// (context "CoreMessage" of translations/precis_*.ts, %1, %2, … where the core
// puts a value); each template becomes one anchored regular expression, built
// once, whose captures go into the installed translation of the template.
//
// A message that no template matches whole is read as a chain of parts joined
// by ": " (Error::toString() is "where: message", a job prefixes its stages
// with a label: "Evaluating: compare"): the first part after which the rest
// matches a template splits it, each part before it is translated on its own
// when a template matches it (else kept), and the parts are joined again with
// the translated separator. A message nothing matches comes back unchanged:
// English, as the core wrote it.
//
// Threads: the GUI thread (translations are looked up through the installed
// QTranslators; the expressions are built on first use, thread-safely).
#pragma once

#include "common/result.h"

#include <QString>

#include <string>

namespace precis::app {

// `message` (UTF-8) translated as described above; `matched`, when given, tells
// whether a template matched (the whole message, or its tail after a prefix).
QString translateCoreMessage(const std::string& message, bool* matched = nullptr);

// The one line shown for a core error: translateCoreMessage(error.toString()).
QString coreErrorText(const Error& error);

// The table's English templates (for tests: every one is translated, none is
// shadowed by an earlier one). Placeholder kinds, one letter per %N in order:
// 'n' a number, 's' a name or text kept as it is, 'm' a core message itself
// (translated in turn).
struct CoreMessageTemplate {
    const char* text;
    const char* kinds;
};
int coreMessageTemplateCount();
CoreMessageTemplate coreMessageTemplate(int index);

// The translation context of the table (QCoreApplication::translate).
inline constexpr char kCoreMessageContext[] = "CoreMessage";

} // namespace precis::app
