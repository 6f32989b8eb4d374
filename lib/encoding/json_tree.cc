#include "encoding/json_tree.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "encoding/unicode.h"
#include "simdjson.h"

namespace tokwise::encoding_internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The four hex digits at s[i..i+4), or -1.
int32_t Hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return -1;
  int32_t v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    const int h = HexValue(s[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}


// The offset of the first byte of `s` that does not start a valid UTF-8 sequence (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or s.size(). Only run when
// simdjson's checker has said there is one.
size_t FirstInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // Allowed range of the second byte.
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return n;
}

// Interprets a number token (grammar already checked) as a tree node, with simdjson's types:
// integers that fit int64 (or uint64 when non-negative) are integers, other integers are
// refused, everything else is a double; doubles beyond the finite range are refused and
// those below it read as zero. Returns false when refused.
bool NumberValue(std::string_view t, JsonNode* node) {
  node->type = JsonNode::Type::kNumber;
  const bool negative = t[0] == '-';
  const bool integer = t.find_first_of(".eE") == std::string_view::npos;
  if (integer) {
    uint64_t v = 0;
    for (size_t i = negative ? 1 : 0; i < t.size(); ++i) {
      const uint64_t d = static_cast<uint64_t>(t[i] - '0');
      if (v > (~uint64_t{0} - d) / 10) return false;  // Beyond uint64.
      v = v * 10 + d;
    }
    if (negative) {
      if (v > (uint64_t{1} << 63)) return false;  // Below INT64_MIN.
      node->number = -static_cast<double>(v);
      if (v == 0) {
        node->number = 0;  // "-0" is the integer 0 for simdjson.
        node->is_uint = true;
      }
      return true;
    }
    node->is_uint = true;
    node->uint_value = v;
    node->number = static_cast<double>(v);
    return true;
  }
  double d = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), d);
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow or underflow. The decimal exponent of the first significant digit tells which:
    // above zero it is an overflow (beyond 1.8e308), below zero an underflow (below 5e-324).
    size_t i = negative ? 1 : 0;
    int64_t int_digits = 0, first_significant = -1, index = 0;
    bool after_point = false;
    for (; i < t.size() && t[i] != 'e' && t[i] != 'E'; ++i) {
      if (t[i] == '.') {
        after_point = true;
        continue;
      }
      if (!after_point) ++int_digits;
      if (first_significant < 0 && t[i] != '0') first_significant = index;
      ++index;
    }
    int64_t e = 0;
    if (i < t.size()) {
      ++i;
      const bool e_negative = i < t.size() && t[i] == '-';
      if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
      for (; i < t.size(); ++i) e = std::min<int64_t>(e * 10 + (t[i] - '0'), 100000);
      if (e_negative) e = -e;
    }
    if (int_digits - 1 - first_significant + e > 0) return false;
    d = negative ? -0.0 : 0.0;
  } else if (r.ec != std::errc()) {
    return false;
  }
  node->number = d;
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

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

absl::Status CheckJsonUtf8(std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) return absl::OkStatus();
  return JsonReader::SyntaxError(FirstInvalidUtf8(text), "invalid UTF-8");
}

absl::Status JsonReader::SyntaxError(size_t at, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed JSON at byte ", at, ": ", std::string(what)));
}

absl::Status JsonReader::BeginObject() {
  if (Peek() != '{') {
    absl::Status st = ExpectValueStart();
    return st.ok() ? SyntaxError(pos_, "expected '{'") : st;
  }
  ++pos_;
  ++depth_;
  return absl::OkStatus();
}

absl::Status JsonReader::BeginArray() {
  if (Peek() != '[') {
    absl::Status st = ExpectValueStart();
    return st.ok() ? SyntaxError(pos_, "expected '['") : st;
  }
  ++pos_;
  ++depth_;
  return absl::OkStatus();
}

// The error for a position where a value should start but none does.
absl::Status JsonReader::ExpectValueStart() {
  const char c = Peek();
  if (pos_ == text_.size()) {
    bool blank = true;
    for (char b : text_) blank &= IsWhitespace(b);
    return SyntaxError(pos_, blank ? "the document is empty" : "the document ends inside a value");
  }
  if (c == '{' || c == '[' || c == '"' || c == '-' || IsDigit(c) || c == 't' || c == 'f' ||
      c == 'n') {
    return absl::OkStatus();
  }
  return SyntaxError(pos_, "an unexpected character");
}

absl::Status JsonReader::NextFieldSlow(bool first, bool* done, std::string_view* key) {
  char c = Peek();
  *done = false;
  if (c == '}') {
    ++pos_;
    *done = true;
    --depth_;
    return absl::OkStatus();
  }
  if (!first) {
    if (c != ',') {
      if (pos_ == text_.size()) return SyntaxError(pos_, "the document ends inside a value");
      return SyntaxError(pos_, "expected ',' or a closing bracket");
    }
    ++pos_;
    c = Peek();
  }
  if (c != '"') {
    if (pos_ == text_.size()) return SyntaxError(pos_, "the document ends inside a value");
    return SyntaxError(pos_, "expected a string key");
  }
  if (absl::Status st = ReadString(key); !st.ok()) return st;
  if (Peek() != ':') {
    if (pos_ == text_.size()) return SyntaxError(pos_, "the document ends inside a value");
    return SyntaxError(pos_, "expected ':'");
  }
  ++pos_;
  return absl::OkStatus();
}

absl::Status JsonReader::NextItemSlow(bool first, bool* done) {
  const char c = Peek();
  *done = false;
  if (c == ']') {
    ++pos_;
    *done = true;
    --depth_;
    return absl::OkStatus();
  }
  if (first) return absl::OkStatus();
  if (c != ',') {
    if (pos_ == text_.size()) return SyntaxError(pos_, "the document ends inside a value");
    return SyntaxError(pos_, "expected ',' or a closing bracket");
  }
  ++pos_;
  return absl::OkStatus();
}

template <bool kDecode>
absl::Status JsonReader::ScanString(std::string_view* out) {
  const size_t open = pos_;
  const char* s = text_.data();
  const size_t n = text_.size();
  size_t i = pos_ + 1;
  size_t copied = i;  // text_[copied, i) is not yet in scratch_ (when decoding).
  escaped_ = false;
  for (;;) {
    i = FindStringSpecial(s, i, n);
    if (i == n) return SyntaxError(open, "an unterminated string");
    const char c = s[i];
    if (c == '"') break;
    if (c != '\\') return SyntaxError(i, "a control character in a string");
    // An escape.
    if (kDecode) {
      if (!escaped_) scratch_.clear();
      scratch_.append(s + copied, i - copied);
    }
    escaped_ = true;
    if (i + 1 >= n) return SyntaxError(open, "an unterminated string");
    const char e = s[i + 1];
    const char* simple = std::strchr("\"\\/bfnrt", e);
    if (e != '\0' && simple != nullptr) {
      if (kDecode) scratch_.push_back("\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"]);
      i += 2;
    } else if (e == 'u') {
      int32_t cp = Hex4(text_, i + 2);
      if (cp < 0) return SyntaxError(i, "a bad \\u escape");
      size_t len = 6;
      if (cp >= 0xD800 && cp < 0xDC00) {
        // A high surrogate must be followed by an escaped low one.
        const int32_t low =
            i + 7 < n && s[i + 6] == '\\' && s[i + 7] == 'u' ? Hex4(text_, i + 8) : -1;
        if (low < 0xDC00 || low > 0xDFFF) {
          return SyntaxError(i, "a \\u escape with an unpaired surrogate");
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        len = 12;
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return SyntaxError(i, "a \\u escape with an unpaired surrogate");
      }
      if (kDecode) AppendUtf8(static_cast<uint32_t>(cp), &scratch_);
      i += len;
    } else {
      return SyntaxError(i, "a bad escape in a string");
    }
    copied = i;
  }
  pos_ = i + 1;
  if (kDecode && out != nullptr) {
    if (escaped_) {
      scratch_.append(s + copied, i - copied);
      *out = scratch_;
    } else {
      *out = text_.substr(open + 1, i - open - 1);
    }
  }
  return absl::OkStatus();
}

absl::Status JsonReader::ReadStringSlow(std::string_view* out) {
  if (Peek() != '"') {
    if (absl::Status st = ExpectValueStart(); !st.ok()) return st;
    return SyntaxError(pos_, "expected a string");
  }
  return ScanString<true>(out);
}

absl::Status JsonReader::ReadNumber(std::string_view* out) {
  const char c = Peek();
  const size_t start = pos_;
  const char* s = text_.data();
  const size_t n = text_.size();
  size_t i = pos_;
  if (c != '-' && !IsDigit(c)) {
    if (absl::Status st = ExpectValueStart(); !st.ok()) return st;
    return SyntaxError(pos_, "expected a number");
  }
  if (s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
    if (i < n && IsDigit(s[i])) return SyntaxError(start, "a number with a leading zero");
  } else if (i < n && IsDigit(s[i])) {
    while (i < n && IsDigit(s[i])) ++i;
  } else {
    return SyntaxError(start, "a bad number");
  }
  bool integer = true;
  if (i < n && s[i] == '.') {
    ++i;
    if (i == n || !IsDigit(s[i])) return SyntaxError(start, "a bad number");
    while (i < n && IsDigit(s[i])) ++i;
    integer = false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == n || !IsDigit(s[i])) return SyntaxError(start, "a bad number");
    while (i < n && IsDigit(s[i])) ++i;
    integer = false;
  }
  pos_ = i;
  *out = text_.substr(start, i - start);
  // Integers of up to 18 digits always fit; others are checked as a tree would read them.
  if (integer && out->size() <= 18) return absl::OkStatus();
  JsonNode scratch;
  if (!NumberValue(*out, &scratch)) return SyntaxError(start, "a number out of range");
  return absl::OkStatus();
}

absl::Status JsonReader::Literal() {
  const char c = text_[pos_];
  const std::string_view word = c == 't' ? "true" : c == 'f' ? "false" : "null";
  if (text_.substr(pos_, word.size()) != word) {
    return SyntaxError(pos_, "an unexpected character");
  }
  pos_ += word.size();
  return absl::OkStatus();
}

absl::Status JsonReader::Skip(size_t* children) {
  // Iterative, with the open containers in stack_: nesting costs no C++ stack. The common cases
  // (plain strings, small integers, punctuation) are handled inline, on a local position:
  // this pass reads all of a tokenizer.json. Anything else goes through the general functions,
  // which also make the error messages.
  const char* s = text_.data();
  const size_t n = text_.size();
  size_t i = pos_;
  stack_.clear();
  size_t count = 0;
  auto skip_ws = [&] { i = SkipWhitespace(s, i, n); };
  // A string at s[i] == '"'.
  auto skip_string = [&]() -> absl::Status {
    const size_t j = FindStringSpecial(s, i + 1, n);
    if (j < n && s[j] == '"') {
      i = j + 1;
      return absl::OkStatus();
    }
    pos_ = i;
    absl::Status st = ScanString<false>(nullptr);
    i = pos_;
    return st;
  };
  // An object key and its ':' (after '{' or ',').
  auto skip_key = [&]() -> absl::Status {
    skip_ws();
    if (i == n || s[i] != '"') {
      pos_ = i;
      return SyntaxError(i, i == n ? "the document ends inside a value" : "expected a string key");
    }
    if (absl::Status st = skip_string(); !st.ok()) return st;
    skip_ws();
    if (i == n || s[i] != ':') {
      return SyntaxError(i, i == n ? "the document ends inside a value" : "expected ':'");
    }
    ++i;
    return absl::OkStatus();
  };
  for (;;) {
    // A value starts at the next non-whitespace byte.
    skip_ws();
    const char c = i < n ? s[i] : '\0';
    absl::Status st;
    if (c == '"') {
      st = skip_string();
    } else if (c == '{' || c == '[') {
      stack_.push_back(c);
      ++i;
      skip_ws();
      if (i < n && s[i] == (c == '{' ? '}' : ']')) {
        ++i;
        stack_.pop_back();
      } else {
        if (depth_ + stack_.size() > kMaxJsonNesting) {
          return SyntaxError(i, absl::StrCat("nested deeper than ", kMaxJsonNesting, " levels"));
        }
        if (stack_.size() == 1) ++count;
        if (c == '{') st = skip_key();
        if (!st.ok()) return st;
        continue;  // The first child's value.
      }
    } else if (c >= '0' && c <= '9' && i + 1 < n && !IsDigit(s[i + 1]) && s[i + 1] != '.' &&
               s[i + 1] != 'e' && s[i + 1] != 'E') {
      ++i;  // A one-digit number.
    } else if (c == '-' || IsDigit(c)) {
      pos_ = i;
      std::string_view number;
      st = ReadNumber(&number);
      i = pos_;
    } else if (c == 't' || c == 'f' || c == 'n') {
      pos_ = i;
      st = Literal();
      i = pos_;
    } else {
      pos_ = i;
      st = ExpectValueStart();
      if (st.ok()) st = SyntaxError(i, "an unexpected character");
    }
    if (!st.ok()) return st;
    // After a value: close containers until one has another child.
    for (;;) {
      if (stack_.empty()) {
        pos_ = i;
        if (children != nullptr) *children = count;
        return absl::OkStatus();
      }
      skip_ws();
      const char close = stack_.back() == '{' ? '}' : ']';
      if (i < n && s[i] == ',') {
        ++i;
        if (stack_.size() == 1) ++count;
        if (stack_.back() == '{') {
          if (absl::Status kst = skip_key(); !kst.ok()) return kst;
        }
        break;
      }
      if (i < n && s[i] == close) {
        ++i;
        stack_.pop_back();
        continue;
      }
      return SyntaxError(
          i, i == n ? "the document ends inside a value" : "expected ',' or a closing bracket");
    }
  }
}

absl::Status JsonReader::ReadNode(JsonNode* node, std::string_view path, absl::Status* deferred,
                                  int max_depth) {
  path_.assign(path.data(), path.size());
  return ReadNodeAt(node, 0, max_depth, deferred);
}

absl::Status JsonReader::ReadNodeAt(JsonNode* node, int depth, int max_depth,
                                    absl::Status* deferred) {
  if (depth > max_depth) {
    if (deferred->ok()) {
      *deferred = absl::InvalidArgumentError(
          absl::StrCat(path_, ": nested deeper than ", max_depth, " levels"));
    }
    return Skip();
  }
  const char c = Peek();
  if (depth_ > kMaxJsonNesting) {
    return SyntaxError(pos_, absl::StrCat("nested deeper than ", kMaxJsonNesting, " levels"));
  }
  *node = JsonNode();
  switch (c) {
    case '{': {
      node->type = JsonNode::Type::kObject;
      ++pos_;
      ++depth_;
      for (bool first = true;; first = false) {
        bool done;
        std::string_view key;
        if (absl::Status st = NextField(first, &done, &key); !st.ok()) return st;
        if (done) return absl::OkStatus();
        const size_t path_size = path_.size();
        path_.push_back('.');
        path_.append(key.data(), key.size());
        node->fields.emplace_back(std::string(key), JsonNode());
        absl::Status st = ReadNodeAt(&node->fields.back().second, depth + 1, max_depth, deferred);
        if (!st.ok()) return st;
        path_.resize(path_size);
      }
    }
    case '[': {
      node->type = JsonNode::Type::kArray;
      ++pos_;
      ++depth_;
      for (bool first = true;; first = false) {
        bool done;
        if (absl::Status st = NextItem(first, &done); !st.ok()) return st;
        if (done) return absl::OkStatus();
        const size_t path_size = path_.size();
        absl::StrAppend(&path_, "[", node->items.size(), "]");
        node->items.emplace_back();
        absl::Status st = ReadNodeAt(&node->items.back(), depth + 1, max_depth, deferred);
        if (!st.ok()) return st;
        path_.resize(path_size);
      }
    }
    case '"': {
      std::string_view s;
      if (absl::Status st = ScanString<true>(&s); !st.ok()) return st;
      node->type = JsonNode::Type::kString;
      node->str.assign(s.data(), s.size());
      return absl::OkStatus();
    }
    case 't':
    case 'f':
    case 'n': {
      if (absl::Status st = Literal(); !st.ok()) return st;
      if (c != 'n') {
        node->type = JsonNode::Type::kBool;
        node->boolean = c == 't';
      }
      return absl::OkStatus();
    }
    default: {
      std::string_view t;
      if (absl::Status st = ReadNumber(&t); !st.ok()) return st;
      NumberValue(t, node);  // In range: ReadNumber() checked.
      return absl::OkStatus();
    }
  }
}

absl::Status JsonReader::ExpectEnd() {
  if (Peek() != '\0' || pos_ != text_.size()) {
    return SyntaxError(pos_, "content after the end of the document");
  }
  return absl::OkStatus();
}

absl::StatusOr<JsonNode> ParseJsonTree(std::string_view json, std::string_view what) {
  auto error = [&](const absl::Status& st) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(what), ": ", st.message()));
  };
  if (absl::Status st = CheckJsonUtf8(json); !st.ok()) return error(st);
  JsonReader reader(json);
  JsonNode root;
  absl::Status deferred;
  if (absl::Status st = reader.ReadNode(&root, what, &deferred); !st.ok()) return error(st);
  if (absl::Status st = reader.ExpectEnd(); !st.ok()) return error(st);
  if (!deferred.ok()) return deferred;
  return root;
}

}  // namespace tokwise::encoding_internal
