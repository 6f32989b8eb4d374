// A small owned JSON tree for the parts of configuration files that are small (tokenizer.json
// components, the model registry), copied out of simdjson's DOM. The large parts of a
// tokenizer.json (vocab, merges) are read straight from the DOM into their tables instead.
//
// Why the DOM API and not On-Demand: On-Demand is compiled for the target named at build time
// (the portable scalar fallback for a generic x86-64 build), while the DOM parser in
// libsimdjson picks the best kernel (AVX2, ...) at run time.
#ifndef TOKWISE_LIB_ENCODING_JSON_TREE_H_
#define TOKWISE_LIB_ENCODING_JSON_TREE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "simdjson.h"

namespace tokwise::encoding_internal {

struct JsonNode {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  bool is_uint = false;  // The number is a non-negative integer that fits uint64.
  uint64_t uint_value = 0;
  std::string str;
  std::vector<JsonNode> items;                           // kArray.
  std::vector<std::pair<std::string, JsonNode>> fields;  // kObject, in file order.

  // The value of `key` in an object, or nullptr (also for non-objects).
  const JsonNode* Find(std::string_view key) const;
  bool IsNull() const { return type == Type::kNull; }
  const char* TypeName() const;
};

// Nesting deeper than this is refused (a hostile file must not exhaust the stack).
inline constexpr int kMaxJsonDepth = 64;

// Copies one value (and everything under it) into a tree. `path` names the value in errors.
absl::StatusOr<JsonNode> ReadJsonNode(simdjson::dom::element value, const std::string& path,
                                      int depth = 0);

// Parses a whole JSON document (small files: the registry). Errors name `what`.
absl::StatusOr<JsonNode> ParseJsonTree(std::string_view json, std::string_view what);

// Finds the byte offset of the first JSON syntax error in `json` (a cheap structural scan:
// strings, brackets, commas and colons, literals), or json.size() if the structure is
// complete. Used to name a byte offset when simdjson rejects a document.
size_t FindJsonSyntaxError(std::string_view json, std::string* what);

// "JSON error at byte N (reason)" or the simdjson message when no offset is found.
std::string DescribeJsonError(std::string_view json, simdjson::error_code error);

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_JSON_TREE_H_
