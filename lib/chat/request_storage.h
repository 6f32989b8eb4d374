// The bytes behind a ChatRequest's string_views.
#ifndef TOKWISE_LIB_CHAT_REQUEST_STORAGE_H_
#define TOKWISE_LIB_CHAT_REQUEST_STORAGE_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "tokwise/chat.h"

namespace tokwise {

struct ChatRequest::Storage {
  // The body, followed by `kPadding` zero bytes: simdjson reads up to 64 bytes past the end of
  // its input, so any view into the body can be re-parsed (tool schemas) without a copy.
  static constexpr size_t kPadding = 64;
  std::unique_ptr<char[]> body;
  size_t body_size = 0;

  // Unescaped strings. Reserved to the body size up front: an unescaped string is never longer
  // than its JSON form, so appends never reallocate and views stay valid.
  std::string unescaped;
  // Strings that do not fit the rule above (joined texts).
  std::deque<std::string> extra;

  std::string_view Keep(std::string_view s) {
    if (unescaped.size() + s.size() <= unescaped.capacity()) {
      const size_t at = unescaped.size();
      unescaped.append(s.data(), s.size());
      return std::string_view(unescaped.data() + at, s.size());
    }
    extra.emplace_back(s);
    return extra.back();
  }

  // Bytes readable from `p` to the end of the padded body (for simdjson's padded views), or 0
  // if `p` does not point into the body.
  size_t CapacityFrom(const char* p) const {
    if (p < body.get() || p > body.get() + body_size) return 0;
    return static_cast<size_t>(body.get() + body_size + kPadding - p);
  }
};

}  // namespace tokwise

#endif  // TOKWISE_LIB_CHAT_REQUEST_STORAGE_H_
