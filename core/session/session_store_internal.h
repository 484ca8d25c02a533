// Helpers shared by the session_store*.cpp files. Not part of the public API.
#pragma once

#include "common/result.h"

#include <string>

namespace precis::session_detail {

// InvalidArgument naming `field` when `text` is not valid JSON.
Result<void> requireJson(const std::string& where, const std::string& text, const char* field);

// InvalidArgument naming `field` when `text` is empty.
Result<void> requireNonEmpty(const std::string& where, const std::string& text, const char* field);

} // namespace precis::session_detail
