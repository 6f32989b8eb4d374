// Helpers shared by the C ABI's source files (capi.cc, capi_chat.cc, capi_cost.cc,
// capi_budget.cc): the thread-local last error, status translation, the exception guard, and
// the caller-buffer protocols. Internal to lib/capi.
#ifndef TOKWISE_LIB_CAPI_CAPI_INTERNAL_H_
#define TOKWISE_LIB_CAPI_CAPI_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "tokwise/encoding.h"
#include "tokwise/tokwise.h"

// Both option structs are kept ready, so a call passes a reference instead of copying the
// per-token map. They differ only in the default special policy. Tokenizer calls read the
// policy as given (`special_given`), because DEFAULT means each family's own behaviour there.
struct tokwise_options {
  tokwise::CountOptions count;
  tokwise::EncodeOptions encode;
  bool special_given = false;
  tokwise::SpecialPolicy special = tokwise::SpecialPolicy::kAsText;
  bool add_special_tokens = false;
};

namespace tokwise::capi {

// Records the calling thread's last error and returns `status`. Never throws.
tokwise_status Fail(tokwise_status status, std::string_view message, int64_t byte_offset = -1,
                    int64_t index = -1) noexcept;

// Translates a failed absl::Status (its ErrorDetails first, then its code) and records it.
tokwise_status FromStatus(const absl::Status& status);

inline tokwise_status InvalidArgument(std::string_view what) {
  return Fail(TOKWISE_STATUS_INVALID_ARGUMENT, what);
}

// Runs a C entry point's body, turning any exception into a status.
template <class Body>
tokwise_status Guard(Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(TOKWISE_STATUS_NO_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return Fail(TOKWISE_STATUS_INTERNAL, e.what());
  } catch (...) {
    return Fail(TOKWISE_STATUS_INTERNAL, "unknown exception");
  }
}

// Text parameters: NULL is allowed only for the empty text.
inline bool BadText(const void* p, size_t len) { return p == nullptr && len != 0; }

inline std::string_view Text(const char* p, size_t len) {
  return len == 0 ? std::string_view() : std::string_view(p, len);
}

// A NUL-terminated string parameter that may be NULL: "" then.
inline std::string_view OptionalString(const char* s) {
  return s == nullptr ? std::string_view() : std::string_view(s);
}

tokwise_status BufferTooSmall(size_t capacity, size_t needed, const char* unit);

// Copies bytes to a caller buffer under the BUFFER_TOO_SMALL protocol (no NUL written).
tokwise_status CopyBytes(const std::string& bytes, char* buffer, size_t capacity, size_t* length);

// Copies text and a terminating NUL; *length is the text's length, also on BUFFER_TOO_SMALL
// (the capacity needed is *length + 1).
tokwise_status CopyString(std::string_view text, char* buffer, size_t capacity, size_t* length);

// IO with the system's reason when `path` cannot be opened for reading; OK otherwise. Layers
// below report a missing file as NotFound; the C ABI promises IO for files, as for rank files.
tokwise_status CheckReadable(const char* path);

}  // namespace tokwise::capi

#endif  // TOKWISE_LIB_CAPI_CAPI_INTERNAL_H_
