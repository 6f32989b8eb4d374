// Small helpers for reading JSON with simdjson On-Demand and naming what is wrong by JSON path.
#ifndef TOKWISE_LIB_COST_JSON_UTIL_H_
#define TOKWISE_LIB_COST_JSON_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "simdjson.h"

namespace tokwise::cost_internal {

// "$.models" + "id" -> "$.models.id"; keys that are not plain identifiers are quoted:
// "$" + "gpt-4o" -> "$[\"gpt-4o\"]".
std::string JsonKeyPath(std::string_view parent, std::string_view key);
std::string JsonIndexPath(std::string_view parent, size_t index);

// InvalidArgument "<path>: <what>".
absl::Status PathError(std::string_view path, std::string_view what);

// InvalidArgument for a simdjson error at `path`, with the byte offset of `location` in
// `base` when known ("malformed JSON at byte 17 ...").
absl::Status SimdjsonError(std::string_view path, simdjson::error_code error,
                           const char* base = nullptr, const char* location = nullptr);

// True once the document has been read to its end (nothing trails the root value).
bool AtEnd(simdjson::ondemand::document& doc);

// Where the document's iterator stands (for byte offsets in messages), or nullptr.
const char* Location(simdjson::ondemand::document& doc);

// Human name of a JSON type ("a string", "an object", ...).
std::string_view JsonTypeName(simdjson::ondemand::json_type type);

// Reads a non-negative integer no larger than `max`. Errors name `path` and say whether the
// value is negative, fractional, too large or not a number.
absl::StatusOr<uint64_t> ReadCount(simdjson::ondemand::value value, std::string_view path,
                                   uint64_t max);

// Reads a string value.
absl::StatusOr<std::string_view> ReadString(simdjson::ondemand::value value, std::string_view path);

}  // namespace tokwise::cost_internal

#endif  // TOKWISE_LIB_COST_JSON_UTIL_H_
