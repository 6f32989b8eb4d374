// JSON text helpers shared by every layer (the library, the CLI, tests and benchmarks).
#ifndef TOKWISE_LIB_BASE_JSON_H_
#define TOKWISE_LIB_BASE_JSON_H_

#include <string>
#include <string_view>

namespace tokwise::base {

// Appends `s` to `*out` as a JSON string literal, quotes included. '"', '\\', '\n', '\r' and
// '\t' get their short escapes, other bytes below 0x20 a \u00XX escape; everything else, UTF-8
// included, is copied as is (the input is not checked for valid UTF-8).
//
// The exact bytes matter: chat counting tokenizes this form of tool names and descriptions, so
// a change here changes counts. Thread-safe.
void AppendJsonString(std::string_view s, std::string* out);

// `s` as a JSON string literal, as AppendJsonString writes it.
std::string JsonString(std::string_view s);

}  // namespace tokwise::base

#endif  // TOKWISE_LIB_BASE_JSON_H_
