// Fuzz target: the JSON reader of tokenizer.json files against simdjson's DOM parser (the
// reference): on any bytes both accept or both refuse, and accepted documents read as the same
// values. Refusals name a byte offset.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "encoding/json_tree.h"

namespace {

using tokwise::encoding_internal::JsonNode;

bool Same(const JsonNode& node, simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::NULL_VALUE:
      return node.type == JsonNode::Type::kNull;
    case T::BOOL:
      return node.type == JsonNode::Type::kBool && node.boolean == bool(e);
    case T::INT64: {
      const int64_t v = int64_t(e);
      return node.type == JsonNode::Type::kNumber && node.number == static_cast<double>(v) &&
             node.is_uint == (v >= 0) && (v < 0 || node.uint_value == static_cast<uint64_t>(v));
    }
    case T::UINT64:
      return node.type == JsonNode::Type::kNumber && node.is_uint && node.uint_value == uint64_t(e);
    case T::DOUBLE: {
      const double v = double(e);
      return node.type == JsonNode::Type::kNumber && !node.is_uint &&
             std::memcmp(&node.number, &v, sizeof v) == 0;
    }
    case T::STRING:
      return node.type == JsonNode::Type::kString && node.str == std::string_view(e);
    case T::ARRAY: {
      if (node.type != JsonNode::Type::kArray) return false;
      size_t i = 0;
      for (simdjson::dom::element item : e.get_array()) {
        if (i >= node.items.size() || !Same(node.items[i], item)) return false;
        ++i;
      }
      return i == node.items.size();
    }
    case T::OBJECT: {
      if (node.type != JsonNode::Type::kObject) return false;
      size_t i = 0;
      for (simdjson::dom::key_value_pair field : e.get_object()) {
        if (i >= node.fields.size() || node.fields[i].first != field.key ||
            !Same(node.fields[i].second, field.value)) {
          return false;
        }
        ++i;
      }
      return i == node.fields.size();
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string doc(reinterpret_cast<const char*>(data), size);
  simdjson::dom::parser parser;
  simdjson::dom::element ref;
  const bool ref_ok = !parser.parse(simdjson::padded_string(doc)).get(ref);

  using tokwise::encoding_internal::JsonReader;
  absl::Status st = tokwise::encoding_internal::CheckJsonUtf8(doc);
  JsonReader reader(doc);
  JsonNode node;
  absl::Status deferred;
  if (st.ok()) st = reader.ReadNode(&node, "doc", &deferred, /*max_depth=*/1 << 20);
  if (st.ok()) st = reader.ExpectEnd();
  if (st.ok()) st = deferred;
  if (st.ok() != ref_ok) std::abort();
  if (!st.ok() && std::string(st.message()).find("malformed JSON at byte ") != 0) std::abort();
  if (ref_ok && !Same(node, ref)) std::abort();

  // Skip() agrees with ReadNode().
  JsonReader skipper(doc);
  absl::Status skipped = tokwise::encoding_internal::CheckJsonUtf8(doc);
  if (skipped.ok()) skipped = skipper.Skip();
  if (skipped.ok()) skipped = skipper.ExpectEnd();
  if (skipped.ok() != ref_ok) std::abort();
  return 0;
}
