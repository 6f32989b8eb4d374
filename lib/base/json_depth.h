// A guard run before parsing untrusted JSON: refuses documents nested deeper than a limit.
//
// The parsers walk JSON values recursively (to validate and skip the fields they do not
// use); a hostile document nested 100,000 deep would overflow the stack. One linear scan of
// the bytes, outside strings, finds the depth first (about as fast as reading the bytes).
#ifndef TOKWISE_LIB_BASE_JSON_DEPTH_H_
#define TOKWISE_LIB_BASE_JSON_DEPTH_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace tokwise::base {

// Deeper than any real request, catalog or spec; shallow enough for any stack.
inline constexpr int kMaxJsonDepth = 256;

// InvalidArgument naming the byte offset where the nesting passes `max_depth` ([ and { count,
// outside strings); OK otherwise. Malformed JSON is left for the parser to report.
absl::Status CheckJsonDepth(std::string_view json, int max_depth = kMaxJsonDepth);

}  // namespace tokwise::base

#endif  // TOKWISE_LIB_BASE_JSON_DEPTH_H_
