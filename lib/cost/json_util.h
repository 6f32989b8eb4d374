// Small helpers for reading JSON with simdjson On-Demand and naming what is wrong by JSON path.
#ifndef TOKWISE_LIB_COST_JSON_UTIL_H_
#define TOKWISE_LIB_COST_JSON_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

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

// A JSON text being read with On-Demand: the padded copy, the parser and the document kept
// together, so that errors can give the byte offset reading had reached. Not copyable.
class JsonDocument {
 public:
  JsonDocument() = default;
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;

  // Copies `json` and starts reading it. Errors: InvalidArgument at "$" if it cannot be read.
  absl::Status Open(std::string_view json);

  // SimdjsonError() at `path`, with the byte offset the iterator has reached.
  absl::Status ErrorHere(std::string_view path, simdjson::error_code error);

  // Calls f(key, value, path) for each field of the root object, `path` naming the field;
  // stops at the first error f returns. Errors: `not_object` at "$" when the root is not an
  // object; malformed JSON, also after the root object, with its byte offset.
  template <class F>
  absl::Status RootFields(std::string_view not_object, F&& f);

 private:
  simdjson::padded_string padded_;
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document doc_;
};

// Calls f(key, value, path) for each field of `obj` (at `path`), `path` naming the field;
// stops at the first error f returns. A malformed field is reported at `path`, with its byte
// offset when `located` is given.
template <class F>
absl::Status ForEachField(simdjson::ondemand::object& obj, std::string_view path, F&& f,
                          JsonDocument* located = nullptr) {
  for (auto field_result : obj) {
    simdjson::ondemand::field field;
    if (auto err = std::move(field_result).get(field)) {
      return located != nullptr ? located->ErrorHere(path, err) : SimdjsonError(path, err);
    }
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return SimdjsonError(path, err);
    simdjson::ondemand::value value = field.value();
    if (absl::Status s = f(key, value, JsonKeyPath(path, key)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

template <class F>
absl::Status JsonDocument::RootFields(std::string_view not_object, F&& f) {
  simdjson::ondemand::object root;
  if (auto err = doc_.get_object().get(root)) {
    if (err == simdjson::INCORRECT_TYPE) return PathError("$", not_object);
    return SimdjsonError("$", err);
  }
  if (absl::Status s = ForEachField(root, "$", std::forward<F>(f), this); !s.ok()) return s;
  if (!AtEnd(doc_)) return ErrorHere("$", simdjson::TRAILING_CONTENT);
  return absl::OkStatus();
}

// Reads a non-negative integer no larger than `max`. Errors name `path` and say whether the
// value is negative, fractional, too large or not a number.
absl::StatusOr<uint64_t> ReadCount(simdjson::ondemand::value value, std::string_view path,
                                   uint64_t max);

// Reads a string value.
absl::StatusOr<std::string_view> ReadString(simdjson::ondemand::value value, std::string_view path);

}  // namespace tokwise::cost_internal

#endif  // TOKWISE_LIB_COST_JSON_UTIL_H_
