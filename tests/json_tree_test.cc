// lib/encoding/json_tree: the JSON reader of tokenizer.json files and the model registry.
// The reference is simdjson's DOM parser (what the loaders used before): on every document
// below both must accept or both refuse, and accepted documents must read as the same values.
// The fuzz target fuzz_json_tree does the same on generated documents.
#include "encoding/json_tree.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstring>
#include <string>
#include <vector>

namespace tokwise::encoding_internal {
namespace {

// Empty if `node` holds the same value as `e`, else where they differ.
std::string Diff(const JsonNode& node, simdjson::dom::element e, const std::string& path) {
  using T = simdjson::dom::element_type;
  auto differs = [&](const std::string& what) { return path + ": " + what; };
  switch (e.type()) {
    case T::NULL_VALUE:
      return node.type == JsonNode::Type::kNull ? "" : differs("not null");
    case T::BOOL:
      return node.type == JsonNode::Type::kBool && node.boolean == bool(e) ? "" : differs("bool");
    case T::INT64: {
      const int64_t v = int64_t(e);
      if (node.type != JsonNode::Type::kNumber || node.number != static_cast<double>(v) ||
          node.is_uint != (v >= 0) || (v >= 0 && node.uint_value != static_cast<uint64_t>(v))) {
        return differs("int64 " + std::to_string(v));
      }
      return "";
    }
    case T::UINT64: {
      const uint64_t v = uint64_t(e);
      if (node.type != JsonNode::Type::kNumber || !node.is_uint || node.uint_value != v) {
        return differs("uint64 " + std::to_string(v));
      }
      return "";
    }
    case T::DOUBLE: {
      const double v = double(e);
      // Bit-identical, so that -0.0 and 0.0 differ.
      if (node.type != JsonNode::Type::kNumber || node.is_uint ||
          std::memcmp(&node.number, &v, sizeof v) != 0) {
        return differs("double " + std::to_string(v));
      }
      return "";
    }
    case T::STRING:
      return node.type == JsonNode::Type::kString && node.str == std::string_view(e)
                 ? ""
                 : differs("string");
    case T::ARRAY: {
      if (node.type != JsonNode::Type::kArray) return differs("not an array");
      size_t i = 0;
      for (simdjson::dom::element item : e.get_array()) {
        if (i >= node.items.size()) return differs("fewer items");
        std::string d = Diff(node.items[i], item, path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
        ++i;
      }
      return i == node.items.size() ? "" : differs("more items");
    }
    case T::OBJECT: {
      if (node.type != JsonNode::Type::kObject) return differs("not an object");
      size_t i = 0;
      for (simdjson::dom::key_value_pair field : e.get_object()) {
        if (i >= node.fields.size()) return differs("fewer fields");
        if (node.fields[i].first != field.key) return differs("key " + std::string(field.key));
        std::string d = Diff(node.fields[i].second, field.value, path + "." + node.fields[i].first);
        if (!d.empty()) return d;
        ++i;
      }
      return i == node.fields.size() ? "" : differs("more fields");
    }
  }
  return differs("unknown type");
}

// Reads `doc` with JsonReader (as ParseJsonTree() does, without its tree depth limit) and with
// simdjson; expects the same verdict and the same values.
void ExpectSameAsSimdjson(const std::string& doc) {
  simdjson::dom::parser parser;
  simdjson::dom::element ref;
  const simdjson::error_code ref_error = parser.parse(simdjson::padded_string(doc)).get(ref);

  absl::Status st = CheckJsonUtf8(doc);
  JsonReader reader(doc);
  JsonNode node;
  absl::Status deferred;
  if (st.ok()) st = reader.ReadNode(&node, "doc", &deferred, /*max_depth=*/1 << 20);
  if (st.ok()) st = reader.ExpectEnd();
  if (st.ok()) st = deferred;

  if (ref_error) {
    EXPECT_FALSE(st.ok()) << "accepted what simdjson refuses ("
                          << simdjson::error_message(ref_error) << "): " << doc.substr(0, 200);
    if (!st.ok()) {
      EXPECT_NE(std::string(st.message()).find("malformed JSON at byte "), std::string::npos)
          << st.message();
    }
    return;
  }
  ASSERT_TRUE(st.ok()) << st.message() << ": " << doc.substr(0, 200);
  EXPECT_EQ(Diff(node, ref, "doc"), "") << doc.substr(0, 200);
}

TEST(JsonReader, SameVerdictAndValuesAsSimdjson) {
  const std::vector<std::string> docs = {
      // Values.
      "{}",
      "[]",
      " [ ] ",
      "\"a\"",
      "null",
      "true",
      "false",
      "0",
      "-0",
      "-0.0",
      "0.0",
      "1e5",
      "1E+5",
      "1.5e-3",
      "-12.5E-1",
      "123456789012345678",
      "-123456789012345678",
      "9223372036854775807",
      "9223372036854775808",
      "18446744073709551615",
      "18446744073709551616",
      "-9223372036854775808",
      "-9223372036854775809",
      "123456789012345678901234567890",
      "1.7976931348623157e308",
      "1.8e308",
      "1e400",
      "1e-400",
      "-1e-400",
      "2.2250738585072011e-308",
      "4.9e-324",
      "0.1",
      "100000000000000000000.0",
      "1e-20000000000000000000",
      "0.0000000000000000000000000001e-300",
      "1000e305",
      // Bad numbers.
      "01",
      "-01",
      "1.",
      ".5",
      "+1",
      "1e",
      "1e+",
      "--1",
      "-",
      "1.e5",
      "0x10",
      "1_000",
      "Infinity",
      "NaN",
      "-Infinity",
      "[1.5.2]",
      "[1e5e5]",
      // Strings and escapes.
      R"("\u00e9")",
      R"("\uD83D\uDE00")",
      R"("\uDBFF\uDFFF")",
      R"("\ud800")",
      R"("\udc00")",
      R"("\ud800\u0041")",
      R"("\ud800x")",
      R"("\ud800\")",
      R"("\u12")",
      R"("\uZZZZ")",
      R"("\u00E9\u00e9")",
      R"("\x")",
      R"("\'")",
      R"("\"")",
      R"("\\")",
      R"("\/")",
      R"("\b\f\n\r\t")",
      R"("\u0000")",
      R"("a\u0000b")",
      "\"a\tb\"",
      "\"a\nb\"",
      std::string("\"a\0b\"", 5),
      "\"abc",
      "\"abc\\",
      "\"abc\\\"",
      "\"\x7F\"",
      R"("ab\u20ACcd\u00E9\uD834\uDD1Ez")",
      "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"",
      // Structure.
      "[1,]",
      "[,1]",
      "[,]",
      "{\"a\":1,}",
      "{,}",
      "{\"a\" 1}",
      "{\"a\":}",
      "{1:2}",
      "{a:1}",
      "[1 2]",
      "[1,,2]",
      "{\"a\":1}}",
      "[[]",
      "]",
      "}",
      "",
      " ",
      "\n\t\r ",
      "nul",
      "nulls",
      "truex",
      "[true1]",
      "[tru]",
      "[1]x",
      "[1] [2]",
      "1 2",
      "{\"a\":[1,{\"b\":null}],\"a\":2}",
      "{\"\":0}",
      "[[[[[]]]]]",
      "{\"a\":{\"b\":{\"c\":[{},[],\"\",0,-1,true,false,null]}}}",
      "[1\v]",
      "\x0c[]",
      "\xEF\xBB\xBF[]",
      std::string("[1]\0", 4),
      "[\"a\"\"b\"]",
      "{\"a\"::1}",
      "{\"a\":1 \"b\":2}",
      "[\"a\",]",
      "[\"a\":1]",
      "{\"a\",1}",
      "[}",
      "{]",
      // UTF-8.
      "[\"\xFF\"]",
      "[\"\xC0\x80\"]",
      "[\"\xC2\"]",
      "[\"\xED\xA0\x80\"]",
      "[\"\xF4\x90\x80\x80\"]",
      "[\"\xF0\x9F\x98\"]",
      "[\"\xE2\x82\"]",
      "[\"\x80\"]",
      "[\"\xC2\xA0\"]",
      "[1,\xC2\xA0 2]",
      "\xFF",
      "[\"ok\"] \xFF",
  };
  for (const std::string& doc : docs) ExpectSameAsSimdjson(doc);
}

TEST(JsonReader, NestingLimitIsSimdjsons) {
  for (size_t depth :
       {kMaxJsonNesting - 1, kMaxJsonNesting, kMaxJsonNesting + 1, kMaxJsonNesting + 2}) {
    ExpectSameAsSimdjson(std::string(depth, '[') + std::string(depth, ']'));
    ExpectSameAsSimdjson(std::string(depth, '[') + "1" + std::string(depth, ']'));
    std::string objects;
    for (size_t i = 0; i < depth; ++i) objects += "{\"k\":";
    ExpectSameAsSimdjson(objects + "{}" + std::string(depth, '}'));
    ExpectSameAsSimdjson(objects + "0" + std::string(depth, '}'));
  }
}

TEST(JsonReader, SkipChecksAndCounts) {
  // Skip() accepts exactly what ReadNode() accepts.
  for (const char* doc : {"[1,2,[3,4]]", "{\"a\":1,\"b\":{\"c\":2}}", "[]", "7", "[1,]",
                          "{\"a\" 1}", "[\"\\q\"]", "[1 2]"}) {
    std::string text = doc;
    JsonReader a(text), b(text);
    JsonNode node;
    absl::Status deferred;
    EXPECT_EQ(a.Skip().ok(), b.ReadNode(&node, "doc", &deferred).ok()) << doc;
  }
  std::string text = R"([1, [2, 3], {"a": [4]}, "x"] {"b": 1, "c": 2})";
  JsonReader r(text);
  size_t children = 0;
  ASSERT_TRUE(r.Skip(&children).ok());
  EXPECT_EQ(children, 4u);
  ASSERT_TRUE(r.Skip(&children).ok());
  EXPECT_EQ(children, 2u);
  EXPECT_TRUE(r.ExpectEnd().ok());
}

// Errors name the byte where the document stops being JSON (offsets counted by hand).
TEST(JsonReader, ErrorsNameTheByte) {
  struct Case {
    std::string doc;
    std::string message;
  };
  const Case cases[] = {
      {"{\"a\": tru}", "malformed JSON at byte 6: an unexpected character"},
      {"[1,]", "malformed JSON at byte 3: an unexpected character"},
      {"[1 2]", "malformed JSON at byte 3: expected ',' or a closing bracket"},
      {"{\"a\" 1}", "malformed JSON at byte 5: expected ':'"},
      {"{1:2}", "malformed JSON at byte 1: expected a string key"},
      {"[\"abc", "malformed JSON at byte 1: an unterminated string"},
      {"[\"a\tb\"]", "malformed JSON at byte 3: a control character in a string"},
      {"[\"\\x\"]", "malformed JSON at byte 2: a bad escape in a string"},
      {"[\"\\ud800\"]", "malformed JSON at byte 2: a \\u escape with an unpaired surrogate"},
      {"[01]", "malformed JSON at byte 1: a number with a leading zero"},
      {"[1e400]", "malformed JSON at byte 1: a number out of range"},
      {"[1] x", "malformed JSON at byte 4: content after the end of the document"},
      {"[\"ok\", \"\xFF\"]", "malformed JSON at byte 8: invalid UTF-8"},
      {"", "malformed JSON at byte 0: the document is empty"},
      {"[1, [2", "malformed JSON at byte 6: the document ends inside a value"},
  };
  for (const Case& c : cases) {
    auto tree = ParseJsonTree(c.doc, "test");
    ASSERT_FALSE(tree.ok()) << c.doc;
    EXPECT_EQ(tree.status().message(), "test: " + c.message) << c.doc;
  }
}

TEST(JsonReader, TreeDepthErrorNamesThePathUnlessTheSyntaxIsWrong) {
  std::string deep = "{\"a\": [" + std::string(70, '[') + std::string(70, ']') + "]}";
  auto tree = ParseJsonTree(deep, "registry");
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(
      tree.status().message(), "registry.a" + [] {
        std::string p;
        for (int i = 0; i < kMaxJsonDepth; ++i) p += "[0]";
        return p;
      }() + ": nested deeper than 64 levels");
  // A syntax error after the deep part is what the caller hears about.
  auto broken = ParseJsonTree(deep.substr(0, deep.size() - 1) + ",}", "registry");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(std::string(broken.status().message()).find("malformed JSON at byte"),
            std::string::npos)
      << broken.status().message();
}

TEST(JsonReader, StringsViewTheTextUnlessEscaped) {
  std::string text = R"(["plain", "esc\naped", "caf\u00e9"])";
  JsonReader r(text);
  ASSERT_TRUE(r.BeginArray().ok());
  bool done = false;
  std::string_view s;
  ASSERT_TRUE(r.NextItem(true, &done).ok());
  ASSERT_TRUE(r.ReadString(&s).ok());
  EXPECT_EQ(s, "plain");
  EXPECT_FALSE(r.last_string_escaped());
  EXPECT_EQ(s.data(), text.data() + 2);
  ASSERT_TRUE(r.NextItem(false, &done).ok());
  ASSERT_TRUE(r.ReadString(&s).ok());
  EXPECT_EQ(s, "esc\naped");
  EXPECT_TRUE(r.last_string_escaped());
  ASSERT_TRUE(r.NextItem(false, &done).ok());
  ASSERT_TRUE(r.ReadString(&s).ok());
  EXPECT_EQ(s, "caf\xC3\xA9");
  ASSERT_TRUE(r.NextItem(false, &done).ok());
  EXPECT_TRUE(done);
  EXPECT_TRUE(r.ExpectEnd().ok());
}

}  // namespace
}  // namespace tokwise::encoding_internal
