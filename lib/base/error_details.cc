#include "tokwise/error_details.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"

namespace tokwise {

namespace {

// One payload holds all details: "reason\nbyte_offset\nindex\ntoken". The token comes last so
// that it may contain newlines.
constexpr char kPayloadUrl[] = "type.tokwise/ErrorDetails";

}  // namespace

absl::Status WithErrorDetails(absl::Status status, const ErrorDetails& details) {
  if (status.ok()) return status;
  status.SetPayload(kPayloadUrl, absl::Cord(absl::StrCat(static_cast<int>(details.reason), "\n",
                                                         details.byte_offset, "\n", details.index,
                                                         "\n", details.token)));
  return status;
}

ErrorDetails GetErrorDetails(const absl::Status& status) {
  ErrorDetails d;
  auto payload = status.GetPayload(kPayloadUrl);
  if (!payload.has_value()) return d;
  std::string s(*payload);
  size_t a = s.find('\n');
  size_t b = a == std::string::npos ? a : s.find('\n', a + 1);
  size_t c = b == std::string::npos ? b : s.find('\n', b + 1);
  if (c == std::string::npos) return d;  // Not ours: treat as no details.
  int reason = 0;
  int64_t offset = -1, index = -1;
  if (!absl::SimpleAtoi(base::ToAbsl(std::string_view(s).substr(0, a)), &reason) ||
      !absl::SimpleAtoi(base::ToAbsl(std::string_view(s).substr(a + 1, b - a - 1)), &offset) ||
      !absl::SimpleAtoi(base::ToAbsl(std::string_view(s).substr(b + 1, c - b - 1)), &index)) {
    return d;
  }
  d.reason = static_cast<ErrorReason>(reason);
  d.byte_offset = offset;
  d.index = index;
  d.token = s.substr(c + 1);
  return d;
}

absl::Status PrefixErrorMessage(const absl::Status& status, std::string_view prefix) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(std::string(prefix), status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace tokwise
