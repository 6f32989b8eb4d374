#include "base/json_depth.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace tokwise::base {

absl::Status CheckJsonDepth(std::string_view json, int max_depth) {
  int depth = 0;
  const char* p = json.data();
  const char* end = p + json.size();
  while (p < end) {
    // Jump to the next byte that can change the depth or open a string.
    const char* q = p;
    while (q < end && *q != '"' && *q != '[' && *q != '{' && *q != ']' && *q != '}') ++q;
    if (q == end) break;
    switch (*q) {
      case '"':
        // Skip the string, honouring backslash escapes.
        for (++q; q < end && *q != '"'; ++q) {
          if (*q == '\\') ++q;
        }
        break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          return absl::InvalidArgumentError(
              absl::StrCat("JSON nested more than ", max_depth, " levels deep at byte offset ",
                           q - json.data()));
        }
        break;
      default:
        if (depth > 0) --depth;
        break;
    }
    p = q + 1;
  }
  return absl::OkStatus();
}

}  // namespace tokwise::base
