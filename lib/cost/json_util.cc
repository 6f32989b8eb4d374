#include "cost/json_util.h"

#include "absl/strings/str_cat.h"

namespace tokwise::cost_internal {

std::string JsonKeyPath(std::string_view parent, std::string_view key) {
  bool plain = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
  for (char c : key) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) plain = false;
  }
  if (plain) return absl::StrCat(std::string(parent), ".", std::string(key));
  std::string quoted;
  for (char c : key) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return absl::StrCat(std::string(parent), "[\"", quoted, "\"]");
}

std::string JsonIndexPath(std::string_view parent, size_t index) {
  return absl::StrCat(std::string(parent), "[", index, "]");
}

absl::Status PathError(std::string_view path, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(path), ": ", std::string(what)));
}

absl::Status SimdjsonError(std::string_view path, simdjson::error_code error, const char* base,
                           const char* location) {
  std::string where;
  if (base != nullptr && location != nullptr && location >= base) {
    where = absl::StrCat(" at byte ", static_cast<size_t>(location - base));
  }
  return absl::InvalidArgumentError(absl::StrCat(std::string(path), ": malformed JSON", where, " (",
                                                 simdjson::error_message(error), ")"));
}

bool AtEnd(simdjson::ondemand::document& doc) {
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

const char* Location(simdjson::ondemand::document& doc) {
  auto location = doc.current_location();
  return location.error() ? nullptr : location.value_unsafe();
}

absl::Status JsonDocument::Open(std::string_view json) {
  padded_ = simdjson::padded_string(json.data(), json.size());
  if (auto err = parser_.iterate(padded_).get(doc_)) return SimdjsonError("$", err);
  return absl::OkStatus();
}

absl::Status JsonDocument::ErrorHere(std::string_view path, simdjson::error_code error) {
  return SimdjsonError(path, error, padded_.data(), Location(doc_));
}

std::string_view JsonTypeName(simdjson::ondemand::json_type type) {
  using simdjson::ondemand::json_type;
  switch (type) {
    case json_type::array:
      return "an array";
    case json_type::object:
      return "an object";
    case json_type::number:
      return "a number";
    case json_type::string:
      return "a string";
    case json_type::boolean:
      return "a boolean";
    case json_type::null:
      return "null";
  }
  return "an unknown value";
}

absl::StatusOr<uint64_t> ReadCount(simdjson::ondemand::value value, std::string_view path,
                                   uint64_t max) {
  simdjson::ondemand::json_type type;
  if (auto err = value.type().get(type)) return SimdjsonError(path, err);
  if (type != simdjson::ondemand::json_type::number) {
    return PathError(path, absl::StrCat("expected a non-negative integer, got ",
                                        std::string(JsonTypeName(type))));
  }
  uint64_t n = 0;
  if (value.get_uint64().get(n) == simdjson::SUCCESS) {
    if (n > max) {
      return PathError(path, absl::StrCat(n, " is larger than the limit ", max));
    }
    return n;
  }
  // Not an unsigned integer: say why.
  std::string_view raw = value.raw_json_token();
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t' ||
          raw.back() == ',' || raw.back() == '}' || raw.back() == ']')) {
    raw.remove_suffix(1);
  }
  if (!raw.empty() && raw[0] == '-') {
    return PathError(path, absl::StrCat("negative count ", std::string(raw)));
  }
  if (raw.find_first_of(".eE") != std::string_view::npos) {
    return PathError(path, absl::StrCat("count ", std::string(raw), " is not an integer"));
  }
  return PathError(path, absl::StrCat("count ", std::string(raw), " is too large"));
}

absl::StatusOr<std::string_view> ReadString(simdjson::ondemand::value value,
                                            std::string_view path) {
  simdjson::ondemand::json_type type;
  if (auto err = value.type().get(type)) return SimdjsonError(path, err);
  if (type != simdjson::ondemand::json_type::string) {
    return PathError(path,
                     absl::StrCat("expected a string, got ", std::string(JsonTypeName(type))));
  }
  std::string_view s;
  if (auto err = value.get_string().get(s)) return SimdjsonError(path, err);
  return s;
}

}  // namespace tokwise::cost_internal
