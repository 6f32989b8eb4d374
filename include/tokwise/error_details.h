// tokwise/error_details.h: machine-readable details attached to the library's errors.
//
// Every fallible call returns absl::Status / absl::StatusOr. The status code says what kind of
// failure it is (InvalidArgument, NotFound, ...); the message names what is wrong for a
// person. Front ends (the C ABI, the Python bindings) also need to tell "invalid UTF-8" from
// "a rejected special token" without parsing messages, and to report the byte offset or the
// token involved. Those facts travel as payloads of the status:
//
//   absl::StatusOr<size_t> n = enc->Count(text);
//   if (!n.ok()) {
//     tokwise::ErrorDetails d = tokwise::GetErrorDetails(n.status());
//     if (d.reason == tokwise::ErrorReason::kInvalidUtf8) Highlight(d.byte_offset);
//   }
//
// A status without details reads as ErrorReason::kUnspecified with no offset, token or index.
#ifndef TOKWISE_ERROR_DETAILS_H_
#define TOKWISE_ERROR_DETAILS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace tokwise {

// Why a call failed, where the status code alone does not say. Values are stable.
enum class ErrorReason : int {
  kUnspecified = 0,
  kInvalidUtf8 = 1,   // Input bytes are not UTF-8; byte_offset is the first bad byte.
  kSpecialToken = 2,  // A special-token string the policy rejects; byte_offset and token set.
  kUnknownToken = 3,  // A token id, or bytes, that are not a token of the encoding.
  kIo = 4,            // A file could not be opened or read.
  kInvalidData = 5,   // A data file (rank file, ...) is malformed; the message names the line.
};

struct ErrorDetails {
  ErrorReason reason = ErrorReason::kUnspecified;
  // Byte offset in the input text the error refers to, or -1.
  int64_t byte_offset = -1;
  // The special token involved (kSpecialToken), else empty.
  std::string token;
  // Index of the failing item in a batch call (CountBatch, EncodeBatch) or of the failing id
  // in Decode(), else -1.
  int64_t index = -1;
};

// Returns `status` with `details` attached (replacing earlier details). An OK status is
// returned unchanged.
absl::Status WithErrorDetails(absl::Status status, const ErrorDetails& details);

// Reads the details attached to `status`; defaults when there are none.
ErrorDetails GetErrorDetails(const absl::Status& status);

// Returns a status with `status`'s code and payloads and the message `prefix` + message.
// Plain absl::Status(code, message) would drop the payloads.
absl::Status PrefixErrorMessage(const absl::Status& status, std::string_view prefix);

}  // namespace tokwise

#endif  // TOKWISE_ERROR_DETAILS_H_
