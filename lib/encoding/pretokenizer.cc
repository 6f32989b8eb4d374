#include "encoding/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "encoding/unicode.h"

namespace tokwise::encoding_internal {
namespace {

// Class of each ASCII byte, so ASCII text never touches the Unicode table.
struct AsciiClasses {
  CharClass c[128];
  constexpr AsciiClasses() : c() {
    for (int i = 0; i < 128; ++i) {
      CharClass k = CharClass::kOther;
      if (i >= 'A' && i <= 'Z') k = CharClass::kUpper;
      if (i >= 'a' && i <= 'z') k = CharClass::kLower;
      if (i >= '0' && i <= '9') k = CharClass::kNumber;
      if (i == ' ' || (i >= 0x09 && i <= 0x0D)) k = CharClass::kSpace;
      c[i] = k;
    }
  }
};
constexpr AsciiClasses kAscii;

struct Char {
  CharClass cls;
  uint32_t cp;
  int len;
};

inline Char At(const uint8_t* s, size_t i, size_t n) {
  uint8_t b = s[i];
  if (b < 0x80) return Char{kAscii.c[b], b, 1};
  Char ch;
  ch.cp = DecodeUtf8(s + i, s + n, &ch.len);
  ch.cls = ClassOf(ch.cp);
  return ch;
}

inline bool IsNewline(uint32_t cp) { return cp == '\r' || cp == '\n'; }

// "Other" in the patterns' sense: [^\s\p{L}\p{N}]. Marks are other.
inline bool IsOther(CharClass c) {
  return !IsLetter(c) && c != CharClass::kNumber && c != CharClass::kSpace;
}

// o200k's two letter classes: U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], W = [\p{Ll}\p{Lm}\p{Lo}\p{M}].
inline bool InU(CharClass c) {
  return c == CharClass::kUpper || c == CharClass::kTitle || c == CharClass::kModifier ||
         c == CharClass::kOtherLetter || c == CharClass::kMark;
}
inline bool InW(CharClass c) {
  return c == CharClass::kLower || c == CharClass::kModifier || c == CharClass::kOtherLetter ||
         c == CharClass::kMark;
}

template <class Pred>
inline size_t RunEnd(const uint8_t* s, size_t i, size_t n, Pred pred) {
  while (i < n) {
    Char c = At(s, i, n);
    if (!pred(c.cls)) break;
    i += c.len;
  }
  return i;
}

// Lower-cases an ASCII letter; maps U+017F LATIN SMALL LETTER LONG S to 's', since Rust's
// case-insensitive matching uses Unicode simple case folding, where it folds to 's'.
// Sets *len to the bytes consumed; returns 0 at the end of text.
inline uint32_t FoldedAt(const uint8_t* s, size_t i, size_t n, int* len) {
  *len = 1;
  if (i >= n) return 0;
  uint8_t b = s[i];
  if (b >= 'A' && b <= 'Z') return b + 32;
  if (b == 0xC5 && i + 1 < n && s[i + 1] == 0xBF) {
    *len = 2;
    return 's';
  }
  return b;
}

// Matches (?i:'s|'t|'re|'ve|'m|'ll|'d) at i; returns its end, or i if none.
inline size_t ContractionCi(const uint8_t* s, size_t i, size_t n) {
  if (i >= n || s[i] != '\'') return i;
  int l1, l2;
  uint32_t a = FoldedAt(s, i + 1, n, &l1);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 1 + l1;
  uint32_t b = FoldedAt(s, i + 1 + l1, n, &l2);
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
    return i + 1 + l1 + l2;
  }
  return i;
}

// Matches '(?:s|t|re|ve|m|ll|d) case-sensitively at i; returns its end, or i if none.
inline size_t ContractionCs(const uint8_t* s, size_t i, size_t n) {
  if (i + 1 >= n || s[i] != '\'') return i;
  uint8_t a = s[i + 1];
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
  if (i + 2 < n) {
    uint8_t b = s[i + 2];
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
  }
  return i;
}

// The whitespace alternatives shared by the families, at a whitespace character i:
//   cl100k / o200k:  \s*[\r\n]+ | \s+(?!\S) | \s+
//   gpt2 (newlines = false):  \s+(?!\S) | \s+
inline size_t WhitespaceEnd(const uint8_t* s, size_t i, size_t n, bool newlines) {
  size_t j = i, last_start = i, after_newline = 0, chars = 0;
  while (j < n) {
    Char c = At(s, j, n);
    if (c.cls != CharClass::kSpace) break;
    if (IsNewline(c.cp)) after_newline = j + 1;
    last_start = j;
    j += c.len;
    ++chars;
  }
  // \s*[\r\n]+ : the greedy \s* backs off to the last newline of the run.
  if (newlines && after_newline != 0) return after_newline;
  // \s+(?!\S) : the whole run at the end of text, else all but its last character.
  if (j == n) return j;
  if (chars >= 2) return last_start;
  // \s+ : a single whitespace character before a non-space.
  return j;
}

}  // namespace

// '(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s
size_t NextPieceGpt2(const uint8_t* s, size_t i, size_t n) {
  Char c = At(s, i, n);
  if (c.cp == '\'') {
    size_t e = ContractionCs(s, i, n);
    if (e != i) return e;
  }
  size_t start = i;
  CharClass k = c.cls;
  if (c.cp == ' ' && i + 1 < n) {
    Char d = At(s, i + 1, n);
    if (d.cls != CharClass::kSpace) {
      start = i + 1;
      k = d.cls;
    }
  }
  if (IsLetter(k)) return RunEnd(s, start, n, IsLetter);
  if (k == CharClass::kNumber) {
    return RunEnd(s, start, n, [](CharClass x) { return x == CharClass::kNumber; });
  }
  if (k != CharClass::kSpace) return RunEnd(s, start, n, IsOther);
  return WhitespaceEnd(s, i, n, /*newlines=*/false);
}

size_t NextPieceCl100k(const uint8_t* s, size_t i, size_t n) {
  if (size_t e = AsciiPieceCl100k(s, i, n); e != kAsciiUndecided) return e;
  return NextPieceCl100kGeneral(s, i, n);
}

// '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+
// |\s++$|\s*[\r\n]|\s+(?!\S)|\s
size_t NextPieceCl100kGeneral(const uint8_t* s, size_t i, size_t n) {
  Char c = At(s, i, n);
  // Contractions.
  if (c.cp == '\'') {
    size_t e = ContractionCi(s, i, n);
    if (e != i) return e;
  }
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (IsLetter(c.cls)) return RunEnd(s, i + c.len, n, IsLetter);
  if (c.cls != CharClass::kNumber && !IsNewline(c.cp) && i + c.len < n) {
    Char d = At(s, i + c.len, n);
    if (IsLetter(d.cls)) return RunEnd(s, i + c.len + d.len, n, IsLetter);
  }
  // \p{N}{1,3}
  if (c.cls == CharClass::kNumber) {
    size_t j = i + c.len;
    for (int count = 1; count < 3 && j < n; ++count) {
      Char d = At(s, j, n);
      if (d.cls != CharClass::kNumber) break;
      j += d.len;
    }
    return j;
  }
  // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
  size_t start = i;
  if (c.cp == ' ' && i + 1 < n && IsOther(At(s, i + 1, n).cls)) start = i + 1;
  if (start != i || IsOther(c.cls)) {
    size_t j = RunEnd(s, start, n, IsOther);
    while (j < n && (s[j] == '\r' || s[j] == '\n')) ++j;
    return j;
  }
  return WhitespaceEnd(s, i, n, /*newlines=*/true);
}

namespace {

// U* W+ at s (the core of o200k's first alternative); returns its end, or 0 if it fails.
// The greedy U* takes the whole U run; if a lower-case letter follows, W+ runs on from there.
// Otherwise U* backs off until W+ can take one character: the last Lm/Lo/M of the run.
inline size_t O200kUW(const uint8_t* s, size_t p, size_t n) {
  size_t u = p, after_w = 0;
  while (u < n) {
    Char c = At(s, u, n);
    if (!InU(c.cls)) {
      if (c.cls == CharClass::kLower) return RunEnd(s, u + c.len, n, InW);
      break;
    }
    u += c.len;
    if (InW(c.cls)) after_w = u;
  }
  return after_w;
}

// U+ W* at s (the core of o200k's second alternative); returns its end, or 0 if it fails.
inline size_t O200kUplusW(const uint8_t* s, size_t p, size_t n) {
  size_t u = RunEnd(s, p, n, InU);
  if (u == p) return 0;
  return RunEnd(s, u, n, InW);
}

}  // namespace

size_t NextPieceO200k(const uint8_t* s, size_t i, size_t n) {
  if (size_t e = AsciiPieceO200k(s, i, n); e != kAsciiUndecided) return e;
  return NextPieceO200kGeneral(s, i, n);
}

// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|...)?
// |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|...)?
// |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
size_t NextPieceO200kGeneral(const uint8_t* s, size_t i, size_t n) {
  Char c = At(s, i, n);
  const bool prefix = !IsLetter(c.cls) && c.cls != CharClass::kNumber && !IsNewline(c.cp);
  const size_t after = i + c.len;
  size_t e;
  // First alternative, with the optional prefix taken, then without it.
  if (prefix && after < n && (e = O200kUW(s, after, n)) != 0) return ContractionCi(s, e, n);
  if ((InU(c.cls) || InW(c.cls)) && (e = O200kUW(s, i, n)) != 0) {
    return ContractionCi(s, e, n);
  }
  // Second alternative, likewise.
  if (prefix && after < n && (e = O200kUplusW(s, after, n)) != 0) return ContractionCi(s, e, n);
  if (InU(c.cls) && (e = O200kUplusW(s, i, n)) != 0) return ContractionCi(s, e, n);
  // \p{N}{1,3}
  if (c.cls == CharClass::kNumber) {
    size_t j = after;
    for (int count = 1; count < 3 && j < n; ++count) {
      Char d = At(s, j, n);
      if (d.cls != CharClass::kNumber) break;
      j += d.len;
    }
    return j;
  }
  // ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
  size_t start = i;
  if (c.cp == ' ' && after < n && IsOther(At(s, after, n).cls)) start = after;
  if (start != i || IsOther(c.cls)) {
    size_t j = RunEnd(s, start, n, IsOther);
    while (j < n && (s[j] == '\r' || s[j] == '\n' || s[j] == '/')) ++j;
    return j;
  }
  return WhitespaceEnd(s, i, n, /*newlines=*/true);
}

bool StartOpenRun(PatternKind kind, const uint8_t* s, size_t n, OpenRun* run) {
  using Mode = OpenRun::Mode;
  if (n == 0 || kind == PatternKind::kCustom) return false;
  const Char c = At(s, 0, n);
  const size_t after = static_cast<size_t>(c.len);
  const bool has_next = after < n;
  const Char d = has_next ? At(s, after, n) : Char{CharClass::kOther, 0, 0};
  *run = OpenRun();
  Mode mode;
  size_t start = 0;
  switch (kind) {
    case PatternKind::kGpt2: {
      if (c.cp == '\'' && ContractionCs(s, 0, n) != 0) return false;
      CharClass k = c.cls;
      if (c.cp == ' ' && has_next && d.cls != CharClass::kSpace) {
        start = after;
        k = d.cls;
      }
      if (IsLetter(k)) {
        mode = Mode::kLetters;
      } else if (k == CharClass::kNumber) {
        mode = Mode::kDigits;
      } else if (k != CharClass::kSpace) {
        mode = Mode::kOther;
      } else {
        mode = Mode::kSpace;  // \s++$|\s+(?!\S)|\s over the whole run.
        start = 0;
      }
      break;
    }
    case PatternKind::kCl100k: {
      if (c.cp == '\'' && ContractionCi(s, 0, n) != 0) return false;
      if (IsLetter(c.cls)) {
        mode = Mode::kLetters;
        start = after;
      } else if (c.cls != CharClass::kNumber && !IsNewline(c.cp) && has_next &&
                 IsLetter(d.cls)) {
        mode = Mode::kLetters;
        start = after + static_cast<size_t>(d.len);
      } else if (c.cls == CharClass::kNumber) {
        return false;  // \p{N}{1,3}
      } else if (c.cp == ' ' && has_next && IsOther(d.cls)) {
        mode = Mode::kOther;
        start = after;
      } else {
        mode = IsOther(c.cls) ? Mode::kOther : Mode::kSpace;
      }
      break;
    }
    case PatternKind::kO200k: {
      const bool prefix = !IsLetter(c.cls) && c.cls != CharClass::kNumber && !IsNewline(c.cp);
      if (c.cls == CharClass::kMark || IsLetter(c.cls)) {
        // A mark is both the optional prefix and in U and W: taking it into the run gives
        // what the alternatives give (with the prefix, then without it, once U* backs off).
        mode = Mode::kWordU;
      } else if (prefix && has_next && (InU(d.cls) || d.cls == CharClass::kLower)) {
        mode = Mode::kWordU;
        start = after;
      } else if (c.cls == CharClass::kNumber) {
        return false;  // \p{N}{1,3}
      } else if (c.cp == ' ' && has_next && IsOther(d.cls)) {
        mode = Mode::kOther;
        start = after;
      } else {
        mode = IsOther(c.cls) ? Mode::kOther : Mode::kSpace;
      }
      break;
    }
    default:
      return false;
  }
  run->mode = mode;
  run->end = start;
  ExtendOpenRun(kind, s, n, run);
  return true;
}

void ExtendOpenRun(PatternKind kind, const uint8_t* s, size_t n, OpenRun* run) {
  using Mode = OpenRun::Mode;
  if (run->closed) return;
  size_t i = run->end;
  while (i < n) {
    const Char c = At(s, i, n);
    const size_t next = i + static_cast<size_t>(c.len);
    bool more = false;
    switch (run->mode) {
      case Mode::kLetters:
        more = IsLetter(c.cls);
        break;
      case Mode::kDigits:
        more = c.cls == CharClass::kNumber;
        break;
      case Mode::kOther:
        more = IsOther(c.cls);
        if (!more && kind != PatternKind::kGpt2 && IsNewline(c.cp)) {
          run->mode = Mode::kOtherTail;
          more = true;
        }
        break;
      case Mode::kOtherTail:
        more = IsNewline(c.cp) || (kind == PatternKind::kO200k && c.cp == '/');
        break;
      case Mode::kSpace:
        more = c.cls == CharClass::kSpace;
        if (more && kind != PatternKind::kGpt2 && IsNewline(c.cp)) run->mark = next;
        break;
      case Mode::kWordU:
        if (InU(c.cls)) {
          more = true;
          if (InW(c.cls)) run->mark = next;
        } else if (c.cls == CharClass::kLower) {
          run->mode = Mode::kWordW;
          more = true;
        }
        break;
      case Mode::kWordW:
        more = InW(c.cls);
        break;
    }
    if (!more) {
      run->closed = true;
      break;
    }
    i = next;
  }
  run->end = i;
}

OpenRunSplit SplitOpenRun(PatternKind kind, const uint8_t* s, size_t n, const OpenRun& run) {
  using Mode = OpenRun::Mode;
  OpenRunSplit out;
  auto add = [&out](size_t e) { out.ends[out.count++] = e; };
  const size_t r = run.end;
  const bool newlines = kind != PatternKind::kGpt2;
  if (!run.closed) {
    // The run reaches the end of the text.
    if ((run.mode == Mode::kSpace && newlines) || run.mode == Mode::kWordU) {
      // \s*[\r\n]+ ends after the last newline, and the spaces after it are a piece of their
      // own; U* gives back what follows the last W character, which U+ then takes.
      if (run.mark != 0 && run.mark < r) add(run.mark);
    }
    add(r);
    return out;
  }
  out.final = true;
  switch (run.mode) {
    case Mode::kLetters:
    case Mode::kDigits:
    case Mode::kOther:
    case Mode::kOtherTail:
      add(r);
      break;
    case Mode::kSpace: {
      // WhitespaceEnd() on a run followed by a non-space: up to the last newline; after it (or
      // without one) all but the last character, which then starts the next piece.
      size_t rest = 0;
      if (newlines && run.mark != 0) {
        add(run.mark);
        rest = run.mark;
      }
      size_t last = r;
      if (last > rest) {
        --last;
        while (last > rest && (s[last] & 0xC0) == 0x80) --last;
      }
      if (last > rest) add(last);
      break;
    }
    case Mode::kWordU:
    case Mode::kWordW: {
      // Then (?i:'s|'t|'re|'ve|'m|'ll|'d)?, which reads at most five bytes.
      const size_t e = ContractionCi(s, r, n);
      if (run.mode == Mode::kWordU && run.mark != 0 && run.mark < r) add(run.mark);
      add(e);
      out.final = s[r] != '\'' || n - r >= 5;
      break;
    }
  }
  return out;
}

PatternKind ClassifyPattern(std::string_view p) {
  // The current tiktoken (Rust) forms and the older equivalent forms of the same patterns.
  static const char* const kGpt2[] = {
      R"('(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s)",
      R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)",
  };
  static const char* const kCl100k[] = {
      R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s)",
      R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
  };
  static const char* const kO200k[] = {
      R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
  };
  for (const char* k : kGpt2) {
    if (p == k) return PatternKind::kGpt2;
  }
  for (const char* k : kCl100k) {
    if (p == k) return PatternKind::kCl100k;
  }
  for (const char* k : kO200k) {
    if (p == k) return PatternKind::kO200k;
  }
  return PatternKind::kCustom;
}

std::string RustPatternToPcre2(std::string_view pattern) {
  // Rust's \s is the White_Space property; PCRE2's (with UCP) is \p{Z} plus \t-\r, which
  // lacks U+0085. Spell White_Space out: [\t-\r\x{85}\p{Z}] is exactly that property.
  static constexpr char kSpaceItems[] = "\\t-\\r\\x{85}\\p{Z}";
  std::string out;
  out.reserve(pattern.size() + 32);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char d = pattern[i + 1];
      if (d == 's') {
        if (in_class) {
          out += kSpaceItems;
        } else {
          out += "[";
          out += kSpaceItems;
          out += "]";
        }
        ++i;
        continue;
      }
      if (d == 'S' && !in_class) {
        out += "[^";
        out += kSpaceItems;
        out += "]";
        ++i;
        continue;
      }
      out.push_back(c);
      out.push_back(d);
      ++i;
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
      out.push_back(c);
      // A ']' right after '[' or '[^' is literal.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
      continue;
    }
    if (c == ']' && in_class) in_class = false;
    out.push_back(c);
  }
  return out;
}

// PCRE2 state for custom patterns. The compiled code is shared; match data is per call.
struct Pretokenizer::Regex {
  pcre2_code* code = nullptr;
  ~Regex() { pcre2_code_free(code); }
};

Pretokenizer::~Pretokenizer() = default;

absl::StatusOr<std::unique_ptr<Pretokenizer>> Pretokenizer::Make(PatternKind kind,
                                                                 std::string_view pattern) {
  auto pt = std::unique_ptr<Pretokenizer>(new Pretokenizer());
  pt->kind_ = kind;
  if (kind != PatternKind::kCustom) return pt;
  int err = 0;
  PCRE2_SIZE offset = 0;
  // UCP makes \s, \w, \d and the POSIX classes Unicode-aware, as in Rust's regex crate.
  const std::string translated = RustPatternToPcre2(pattern);
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                    PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &err, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    return absl::InvalidArgumentError(absl::StrCat("split pattern does not compile at offset ",
                                                   offset, ": ", reinterpret_cast<char*>(msg)));
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // Optional: falls back to the interpreter.
  pt->regex_ = std::make_unique<Regex>();
  pt->regex_->code = code;
  return pt;
}

Pretokenizer::MatchData::MatchData(const Pretokenizer& pt)
    : md_(pcre2_match_data_create_from_pattern(pt.regex_->code, nullptr)) {}

Pretokenizer::MatchData::~MatchData() {
  pcre2_match_data_free(static_cast<pcre2_match_data*>(md_));
}

int Pretokenizer::CustomNext(const MatchData& md, const uint8_t* s, size_t n, size_t pos,
                             size_t* b, size_t* e) const {
  auto* data = static_cast<pcre2_match_data*>(md.get());
  if (data == nullptr) return PCRE2_ERROR_NOMEMORY;
  int rc = pcre2_match(regex_->code, s, n, pos, PCRE2_NO_UTF_CHECK, data, nullptr);
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (rc < 0) return rc;
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data);
  *b = ov[0];
  *e = ov[1];
  return 1;
}

absl::Status Pretokenizer::CustomError(int rc, size_t pos) const {
  PCRE2_UCHAR msg[256];
  pcre2_get_error_message(rc, msg, sizeof msg);
  return absl::InvalidArgumentError(
      absl::StrCat("split pattern failed at byte offset ", pos, ": ",
                   reinterpret_cast<char*>(msg), " (the pattern backtracks too much)"));
}

}  // namespace tokwise::encoding_internal
