// JSON for the encoding layer's configuration files (tokenizer.json, the model registry): a
// validating pull reader over the text, and a small owned tree for the parts that are small.
//
// Why not simdjson's DOM here: a tokenizer.json is nearly all vocabulary and merges, and the
// DOM copies every one of its strings and adds a tape beside them (about twice the file for
// Llama 3), all alive while the tables are built: loading peaked at 4.4x the file size. The
// reader reads the vocabulary and merges straight from the text into their tables and keeps
// nothing else. Why not simdjson On-Demand: it is compiled for the target named at build time
// (the scalar fallback for a generic x86-64 build), so it brings no SIMD speed here and needs
// a padded copy of the input. simdjson still checks the UTF-8 of the whole text (its checker
// picks the best kernel at run time).
//
// The reader accepts exactly what simdjson's DOM parser accepts (tests/json_tree_test.cc and
// the fuzz target fuzz_json_tree compare the two): RFC 8259 JSON in valid UTF-8; integers that
// fit int64 or uint64 (others are refused, as simdjson does); finite doubles (underflow gives
// zero); no value inside more than kMaxJsonNesting containers.
#ifndef TOKWISE_LIB_ENCODING_JSON_TREE_H_
#define TOKWISE_LIB_ENCODING_JSON_TREE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

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

  // The value of `key` in an object (the first one if the key repeats), or nullptr (also for
  // non-objects).
  const JsonNode* Find(std::string_view key) const;
  bool IsNull() const { return type == Type::kNull; }
  const char* TypeName() const;
};

// Tree nodes nested deeper than this are refused (a hostile file must not exhaust the stack).
inline constexpr int kMaxJsonDepth = 64;
// A value inside more containers than this is malformed (as for simdjson's DOM parser with its
// default maximum depth of 1024, which counts the document itself).
inline constexpr size_t kMaxJsonNesting = 1023;

// Checks that `text` is valid UTF-8 (JSON text must be). Error: "malformed JSON at byte N:
// invalid UTF-8".
absl::Status CheckJsonUtf8(std::string_view text);

// A reader over JSON text, positioned at a byte offset. It checks the syntax of everything it
// reads or skips; syntax errors read "malformed JSON at byte N: <what>". It does not check
// UTF-8: run CheckJsonUtf8() on the whole text first. The text must outlive the reader.
// Not thread-safe (one reader per thread); many readers may share one text.
//
// Iterating an object: BeginObject(), then NextField() until it sets *done; after each key
// read (or skip) exactly one value. Arrays: BeginArray(), NextItem().
class JsonReader {
 public:
  explicit JsonReader(std::string_view text, size_t pos = 0) : text_(text), pos_(pos) {}

  size_t pos() const { return pos_; }
  // The next byte after whitespace, or '\0' at the end of the text (the reader stays there).
  char Peek() {
    pos_ = SkipWhitespace(text_.data(), pos_, text_.size());
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  static bool IsWhitespace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
  // The first position at or after i (< n) that is not whitespace, or n. Pretty-printed
  // tokenizer.json files are 36% (Llama 3) to 57% (Gemma 3) whitespace, mostly indentation, so
  // runs of spaces are skipped eight bytes at a time (a check of Qwen3's file: 22% faster).
  static size_t SkipWhitespace(const char* s, size_t i, size_t n) {
    while (i < n) {
      const char c = s[i];
      if (c == ' ') {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (i + 8 <= n) {
          uint64_t w;
          std::memcpy(&w, s + i, 8);
          w ^= 0x2020202020202020ull;  // Zero bytes are spaces; s[i] is one.
          i += w == 0 ? 8 : static_cast<size_t>(__builtin_ctzll(w)) / 8;
          continue;
        }
#endif
        ++i;
      } else if (c == '\n' || c == '\r' || c == '\t') {
        ++i;
      } else {
        break;
      }
    }
    return i;
  }

  absl::Status BeginObject();  // Expects '{'.
  absl::Status BeginArray();   // Expects '['.
  // Moves to the next field of the object being read: reads `"key":`, or the closing '}' and
  // sets *done. `first` is true on the first call for an object. The key views the text or a
  // buffer of the reader; it is valid until the next string is read.
  absl::Status NextField(bool first, bool* done, std::string_view* key) {
    // Inline: the common case, `, "key":` with a key without escapes.
    const size_t start = pos_;
    if (!first && Peek() == ',') {
      ++pos_;
      if (Peek() == '"' && TryPlainString(key) && Peek() == ':') {
        ++pos_;
        *done = false;
        return absl::OkStatus();
      }
      pos_ = start;
    }
    return NextFieldSlow(first, done, key);
  }
  // As NextField() for arrays: reads the ',' before an item or the closing ']'.
  absl::Status NextItem(bool first, bool* done) {
    if (!first && Peek() == ',') {
      ++pos_;
      *done = false;
      return absl::OkStatus();
    }
    return NextItemSlow(first, done);
  }

  // Reads a string. *out views the text (no escapes) or a buffer of the reader (escapes
  // decoded), valid until the next string is read; last_string_escaped() says which.
  absl::Status ReadString(std::string_view* out) {
    if (Peek() == '"' && TryPlainString(out)) return absl::OkStatus();
    return ReadStringSlow(out);
  }
  bool last_string_escaped() const { return escaped_; }
  // Reads a number and returns its text (checked against JSON's grammar and simdjson's
  // ranges). Callers interpret it; ReadNode() makes a JsonNode of it.
  absl::Status ReadNumber(std::string_view* out);

  // Skips one value, checking its syntax. If `children` is not null it receives the number of
  // items or fields directly inside (0 for scalars).
  absl::Status Skip(size_t* children = nullptr);

  // Reads one value into a tree. `path` names it in errors ("tokenizer.json normalizer").
  // Nesting deeper than max_depth below it is an error naming the path; that error goes to
  // *deferred (if it holds none yet) and the rest of the value is skipped, so that a syntax
  // error later in the text is still found first. Returns syntax errors.
  absl::Status ReadNode(JsonNode* node, std::string_view path, absl::Status* deferred,
                        int max_depth = kMaxJsonDepth);

  // Checks that only whitespace remains.
  absl::Status ExpectEnd();

  // "malformed JSON at byte N: <what>", as an InvalidArgument status.
  static absl::Status SyntaxError(size_t at, std::string_view what);

  // The first '"', '\\' or control character (< 0x20) at or after s[i], or n. Strings are most
  // of a tokenizer.json, so eight bytes are tested at a time where words are little-endian:
  // for each test, (v - 0x01..) & ~v & 0x80.. flags the bytes of v that are zero (and, above
  // the first one, maybe others: only the lowest flag is used), and (w - 0x20..) & ~w & 0x80..
  // flags bytes below 0x20.
  static size_t FindStringSpecial(const char* s, size_t i, size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      const uint64_t q = w ^ (kOnes * '"');
      const uint64_t b = w ^ (kOnes * '\\');
      const uint64_t m =
          (((q - kOnes) & ~q) | ((b - kOnes) & ~b) | ((w - kOnes * 0x20) & ~w)) & kHigh;
      if (m != 0) return i + static_cast<size_t>(__builtin_ctzll(m)) / 8;
      i += 8;
    }
#endif
    while (i < n) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '"' || c == '\\' || c < 0x20) return i;
      ++i;
    }
    return n;
  }

 private:
  // At a '"': reads a string without escapes and returns true, or returns false and stays.
  bool TryPlainString(std::string_view* out) {
    const size_t j = FindStringSpecial(text_.data(), pos_ + 1, text_.size());
    if (j >= text_.size() || text_[j] != '"') return false;
    *out = text_.substr(pos_ + 1, j - pos_ - 1);
    pos_ = j + 1;
    escaped_ = false;
    return true;
  }
  absl::Status NextFieldSlow(bool first, bool* done, std::string_view* key);
  absl::Status NextItemSlow(bool first, bool* done);
  absl::Status ReadStringSlow(std::string_view* out);
  template <bool kDecode>
  absl::Status ScanString(std::string_view* out);
  absl::Status ReadNodeAt(JsonNode* node, int depth, int max_depth, absl::Status* deferred);
  absl::Status ExpectValueStart();
  absl::Status Literal();

  std::string_view text_;
  size_t pos_ = 0;
  size_t depth_ = 0;  // Containers entered (Begin*, ReadNode) and not yet left.
  bool escaped_ = false;
  std::string scratch_;  // Decoded strings.
  std::string stack_;    // Open containers while skipping.
  std::string path_;     // Path of the node ReadNode() is reading.
};

// Parses a whole JSON document into a tree (small files: the registry). Errors name `what`:
// "<what>: malformed JSON at byte N: ..." or "<what>.a.b[3]: nested deeper than ...".
absl::StatusOr<JsonNode> ParseJsonTree(std::string_view json, std::string_view what);

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_JSON_TREE_H_
