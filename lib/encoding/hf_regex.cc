#include "encoding/hf_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "encoding/normalizer.h"

namespace tokwise::encoding_internal {
namespace {

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;

// Complement within the Unicode scalar values (surrogates excluded: PCRE2 refuses them).
Ranges Complement(const Ranges& r) {
  Ranges out;
  uint32_t next = 0;
  auto add = [&out](uint32_t a, uint32_t b) {
    // Split around the surrogates.
    if (a <= 0xD7FF) out.emplace_back(a, b < 0xD7FF ? b : 0xD7FF);
    if (b >= 0xE000) out.emplace_back(a > 0xE000 ? a : 0xE000, b);
  };
  for (const auto& [a, b] : r) {
    if (a > next) add(next, a - 1);
    next = b + 1;
  }
  if (next <= 0x10FFFF) add(next, 0x10FFFF);
  return out;
}

void AppendRanges(const Ranges& r, std::string* out) {
  for (const auto& [a, b] : r) {
    if (a == b) {
      absl::StrAppendFormat(out, "\\x{%X}", a);
    } else {
      absl::StrAppendFormat(out, "\\x{%X}-\\x{%X}", a, b);
    }
  }
}

const Ranges& HexDigits() {
  static const Ranges* r = new Ranges{{'0', '9'}, {'A', 'F'}, {'a', 'f'}};
  return *r;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

size_t Utf8Len(uint8_t b) {
  if (b < 0x80) return 1;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  return 4;
}

}  // namespace

absl::StatusOr<std::string> TranslateOnigurumaPattern(std::string_view p) {
  std::string out;
  out.reserve(p.size() * 2);
  bool in_class = false;
  size_t class_body = 0;  // Offset of the first character inside the current class.
  auto bad = [&p](size_t at, std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("regex \"", std::string(p), "\" offset ", at,
                                                   ": ", std::string(what), " is not supported"));
  };
  // Emits a set of code points: a bracketed class outside brackets, bare ranges inside.
  auto emit_set = [&](const Ranges& r, bool negated) {
    if (in_class) {
      AppendRanges(negated ? Complement(r) : r, &out);
    } else {
      out += negated ? "[^" : "[";
      AppendRanges(r, &out);
      out += "]";
    }
  };

  size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size()) return bad(i, "a trailing backslash");
      char d = p[i + 1];
      switch (d) {
        case 's':
        case 'S':
          emit_set(*PropertyRanges("White_Space"), d == 'S');
          i += 2;
          continue;
        case 'd':
        case 'D':
          emit_set(*PropertyRanges("Nd"), d == 'D');
          i += 2;
          continue;
        case 'w':
        case 'W':
          emit_set(*PropertyRanges("word"), d == 'W');
          i += 2;
          continue;
        case 'h':  // Oniguruma's \h is a hexadecimal digit (PCRE2's is horizontal space).
        case 'H':
          emit_set(HexDigits(), d == 'H');
          i += 2;
          continue;
        case 'p':
        case 'P': {
          size_t start = i;
          std::string name;
          size_t next;
          if (i + 2 < p.size() && p[i + 2] == '{') {
            size_t close = p.find('}', i + 3);
            if (close == std::string_view::npos) return bad(i, "an unterminated \\p{");
            name = std::string(p.substr(i + 3, close - i - 3));
            next = close + 1;
          } else if (i + 2 < p.size()) {
            name = std::string(1, p[i + 2]);
            next = i + 3;
          } else {
            return bad(i, "a \\p without a property");
          }
          bool negated = d == 'P';
          if (!name.empty() && name[0] == '^') {
            negated = !negated;
            name.erase(0, 1);
          }
          const Ranges* r = PropertyRanges(name);
          if (r == nullptr) {
            // A script or another property: PCRE2's own (Unicode 14) tables decide.
            out.append(p.substr(start, next - start));
          } else {
            emit_set(*r, negated);
          }
          i = next;
          continue;
        }
        case 'u': {
          if (i + 5 < p.size() && IsHex(p[i + 2]) && IsHex(p[i + 3]) && IsHex(p[i + 4]) &&
              IsHex(p[i + 5])) {
            absl::StrAppend(&out, "\\x{", std::string(p.substr(i + 2, 4)), "}");
            i += 6;
            continue;
          }
          return bad(i, "\\u without four hexadecimal digits");
        }
        default: {
          size_t len = Utf8Len(static_cast<uint8_t>(d));
          out.push_back('\\');
          out.append(p.substr(i + 1, len));
          i += 1 + len;
          continue;
        }
      }
    }
    if (in_class) {
      if (c == ']' && i == class_body) {
        out += "\\]";  // A ']' right after '[' or '[^' is literal in Oniguruma.
        ++i;
        continue;
      }
      if (c == ']') {
        in_class = false;
        out.push_back(c);
        ++i;
        continue;
      }
      if (c == '[') {
        if (i + 1 < p.size() && p[i + 1] == ':') {
          size_t close = p.find(":]", i + 2);
          if (close == std::string_view::npos) return bad(i, "an unterminated POSIX class");
          out.append(p.substr(i, close + 2 - i));
          i = close + 2;
          continue;
        }
        return bad(i, "a nested character class");
      }
      if (c == '&' && i + 1 < p.size() && p[i + 1] == '&') {
        return bad(i, "a character class intersection (&&)");
      }
      size_t len = Utf8Len(static_cast<uint8_t>(c));
      out.append(p.substr(i, len));
      i += len;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out.push_back('[');
      ++i;
      if (i < p.size() && p[i] == '^') {
        out.push_back('^');
        ++i;
      }
      class_body = i;
      continue;
    }
    if (c == '{' && i + 1 < p.size() && p[i + 1] == ',') {
      out += "{0";  // {,n} means {0,n} in Oniguruma; PCRE2 10.42 would read it literally.
      ++i;
      continue;
    }
    if (c == '(' && i + 2 < p.size() && p[i + 1] == '?') {
      // Inline options: Ruby's m (dot matches newline) is PCRE2's s.
      size_t j = i + 2;
      std::string flags;
      while (j < p.size() && (p[j] == 'i' || p[j] == 'm' || p[j] == 'x' || p[j] == '-')) {
        flags.push_back(p[j] == 'm' ? 's' : p[j]);
        ++j;
      }
      if (!flags.empty() && j < p.size() && (p[j] == ':' || p[j] == ')')) {
        absl::StrAppend(&out, "(?", flags);
        i = j;
        continue;
      }
    }
    size_t len = Utf8Len(static_cast<uint8_t>(c));
    out.append(p.substr(i, len));
    i += len;
  }
  if (in_class) return bad(p.size(), "an unterminated character class");
  return out;
}

struct HfRegex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

struct HfRegex::Scratch::Impl {
  pcre2_match_data* md = nullptr;
  pcre2_match_context* mctx = nullptr;
  pcre2_jit_stack* stack = nullptr;
  ~Impl() {
    pcre2_match_data_free(md);
    pcre2_match_context_free(mctx);
    pcre2_jit_stack_free(stack);
  }
};

HfRegex::Scratch::Scratch() : impl_(std::make_unique<Impl>()) {}
HfRegex::Scratch::~Scratch() = default;

HfRegex::~HfRegex() = default;

absl::StatusOr<std::unique_ptr<HfRegex>> HfRegex::Compile(std::string_view pattern, bool literal) {
  std::string translated;
  uint32_t options = PCRE2_UTF | PCRE2_NO_UTF_CHECK;
  if (literal) {
    translated = std::string(pattern);
    options |= PCRE2_LITERAL;  // PCRE2 refuses UCP with LITERAL; a literal needs no classes.
  } else {
    options |= PCRE2_UCP;
    auto t = TranslateOnigurumaPattern(pattern);
    if (!t.ok()) return t.status();
    translated = std::move(*t);
    options |= PCRE2_MULTILINE;
  }
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()),
                                   translated.size(), options, &err, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    return absl::InvalidArgumentError(absl::StrCat(
        "regex \"", std::string(pattern), "\" does not compile: ", reinterpret_cast<char*>(msg)));
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // Optional: the interpreter is the fallback.
  auto re = std::unique_ptr<HfRegex>(new HfRegex());
  re->code_ = std::make_unique<Code>();
  re->code_->code = code;
  re->source_ = std::string(pattern);
  return re;
}

absl::StatusOr<bool> HfRegex::Find(const uint8_t* s, size_t n, size_t pos, Scratch& scratch,
                                   size_t* begin, size_t* end) const {
  Scratch::Impl& st = *scratch.impl_;
  if (st.md == nullptr) {
    st.md = pcre2_match_data_create(1, nullptr);
    st.mctx = pcre2_match_context_create(nullptr);
    // Long runs (100 kB of one character) need more than the default 32 kB JIT stack.
    st.stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
    if (st.md == nullptr || st.mctx == nullptr || st.stack == nullptr) {
      return absl::ResourceExhaustedError("cannot allocate regex match state");
    }
    pcre2_jit_stack_assign(st.mctx, nullptr, st.stack);
  }
  int rc = pcre2_match(code_->code, s, n, pos, PCRE2_NO_UTF_CHECK, st.md, st.mctx);
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc < 0) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    return absl::ResourceExhaustedError(absl::StrCat("regex \"", source_, "\" failed at byte ", pos,
                                                     ": ", reinterpret_cast<char*>(msg)));
  }
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.md);
  *begin = ov[0];
  *end = ov[1];
  return true;
}

}  // namespace tokwise::encoding_internal
