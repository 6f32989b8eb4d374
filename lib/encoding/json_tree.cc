#include "encoding/json_tree.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tokwise::encoding_internal {

const JsonNode* JsonNode::Find(std::string_view key) const {
  if (type != Type::kObject) return nullptr;
  for (const auto& [k, v] : fields) {
    if (k == key) return &v;
  }
  return nullptr;
}

const char* JsonNode::TypeName() const {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "a boolean";
    case Type::kNumber:
      return "a number";
    case Type::kString:
      return "a string";
    case Type::kArray:
      return "an array";
    case Type::kObject:
      return "an object";
  }
  return "?";
}

absl::StatusOr<JsonNode> ReadJsonNode(simdjson::dom::element value, const std::string& path,
                                      int depth) {
  if (depth > kMaxJsonDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": nested deeper than ", kMaxJsonDepth, " levels"));
  }
  JsonNode node;
  switch (value.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      node.type = JsonNode::Type::kNull;
      return node;
    case simdjson::dom::element_type::BOOL:
      node.type = JsonNode::Type::kBool;
      node.boolean = value.get_bool().value_unsafe();
      return node;
    case simdjson::dom::element_type::INT64: {
      node.type = JsonNode::Type::kNumber;
      int64_t v = value.get_int64().value_unsafe();
      node.number = static_cast<double>(v);
      if (v >= 0) {
        node.is_uint = true;
        node.uint_value = static_cast<uint64_t>(v);
      }
      return node;
    }
    case simdjson::dom::element_type::UINT64:
      node.type = JsonNode::Type::kNumber;
      node.is_uint = true;
      node.uint_value = value.get_uint64().value_unsafe();
      node.number = static_cast<double>(node.uint_value);
      return node;
    case simdjson::dom::element_type::DOUBLE:
      node.type = JsonNode::Type::kNumber;
      node.number = value.get_double().value_unsafe();
      return node;
    case simdjson::dom::element_type::STRING:
      node.type = JsonNode::Type::kString;
      node.str = std::string(value.get_string().value_unsafe());
      return node;
    case simdjson::dom::element_type::ARRAY: {
      node.type = JsonNode::Type::kArray;
      size_t i = 0;
      simdjson::dom::array arr = value.get_array().value_unsafe();
      for (simdjson::dom::element item : arr) {
        auto child = ReadJsonNode(item, absl::StrCat(path, "[", i, "]"), depth + 1);
        if (!child.ok()) return child.status();
        node.items.push_back(std::move(*child));
        ++i;
      }
      return node;
    }
    case simdjson::dom::element_type::OBJECT: {
      node.type = JsonNode::Type::kObject;
      simdjson::dom::object obj = value.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair field : obj) {
        std::string key(field.key);
        auto child = ReadJsonNode(field.value, absl::StrCat(path, ".", key), depth + 1);
        if (!child.ok()) return child.status();
        node.fields.emplace_back(std::move(key), std::move(*child));
      }
      return node;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(path, ": unknown JSON value"));
}

absl::StatusOr<JsonNode> ParseJsonTree(std::string_view json, std::string_view what) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(json.data(), json.size()).get(root)) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": ", DescribeJsonError(json, e)));
  }
  return ReadJsonNode(root, std::string(what));
}

size_t FindJsonSyntaxError(std::string_view s, std::string* what) {
  enum class Want { kValue, kValueOrClose, kKey, kKeyOrClose, kColon, kCommaOrClose, kEnd };
  std::string stack;
  Want want = Want::kValue;
  size_t i = 0;
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  auto err = [&](size_t at, const char* why) {
    *what = why;
    return at;
  };
  auto after_value = [&] { want = stack.empty() ? Want::kEnd : Want::kCommaOrClose; };
  while (true) {
    while (i < s.size() && is_ws(s[i])) ++i;
    if (i == s.size()) {
      if (want == Want::kEnd) return s.size();
      return err(i, stack.empty() ? "the document is empty" : "the document ends inside a value");
    }
    char c = s[i];
    switch (want) {
      case Want::kEnd:
        return err(i, "content after the end of the document");
      case Want::kColon:
        if (c != ':') return err(i, "expected ':'");
        ++i;
        want = Want::kValue;
        continue;
      case Want::kCommaOrClose:
        if (c == ',') {
          ++i;
          want = stack.back() == '{' ? Want::kKey : Want::kValue;
          continue;
        }
        if ((c == '}' && stack.back() == '{') || (c == ']' && stack.back() == '[')) {
          ++i;
          stack.pop_back();
          after_value();
          continue;
        }
        return err(i, "expected ',' or a closing bracket");
      case Want::kKeyOrClose:
        if (c == '}') {
          ++i;
          stack.pop_back();
          after_value();
          continue;
        }
        [[fallthrough]];
      case Want::kKey:
        if (c != '"') return err(i, "expected a string key");
        break;  // Scanned as a string below.
      case Want::kValueOrClose:
        if (c == ']') {
          ++i;
          stack.pop_back();
          after_value();
          continue;
        }
        [[fallthrough]];
      case Want::kValue:
        break;
    }
    const bool is_key = want == Want::kKey || want == Want::kKeyOrClose;
    if (c == '"') {
      size_t j = i + 1;
      while (j < s.size() && s[j] != '"') {
        if (static_cast<uint8_t>(s[j]) < 0x20) return err(j, "a control character in a string");
        j += s[j] == '\\' ? 2 : 1;
      }
      if (j >= s.size()) return err(i, "an unterminated string");
      i = j + 1;
      if (is_key) {
        want = Want::kColon;
      } else {
        after_value();
      }
      continue;
    }
    if (c == '{' || c == '[') {
      stack.push_back(c);
      ++i;
      want = c == '{' ? Want::kKeyOrClose : Want::kValueOrClose;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t j = i + 1;
      while (j < s.size() && (std::strchr("0123456789.eE+-", s[j]) != nullptr)) ++j;
      i = j;
      after_value();
      continue;
    }
    for (const char* lit : {"true", "false", "null"}) {
      size_t n = std::strlen(lit);
      if (s.substr(i, n) == lit) {
        i += n;
        after_value();
        goto next;
      }
    }
    return err(i, "an unexpected character");
  next:;
  }
}

std::string DescribeJsonError(std::string_view json, simdjson::error_code error) {
  std::string reason;
  size_t at = FindJsonSyntaxError(json, &reason);
  if (at != json.size() || !reason.empty()) {
    return absl::StrCat("malformed JSON at byte ", at, ": ", reason);
  }
  return absl::StrCat("malformed JSON (", simdjson::error_message(error), ")");
}

}  // namespace tokwise::encoding_internal
