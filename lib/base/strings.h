// Small string helpers shared by the library.
//
// Debian's abseil is built with its own absl::string_view (not an alias of
// std::string_view), so the library uses std::string_view everywhere and converts at the
// few places that call into absl.
#ifndef TOKWISE_LIB_BASE_STRINGS_H_
#define TOKWISE_LIB_BASE_STRINGS_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace tokwise::base {

inline absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view FromAbsl(absl::string_view s) { return std::string_view(s.data(), s.size()); }

inline bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}
inline bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace tokwise::base

#endif  // TOKWISE_LIB_BASE_STRINGS_H_
