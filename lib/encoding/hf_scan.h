// Hand-written scanners for tokenizer.json pre-tokenizers that real models use and that are not
// one of the tiktoken patterns (those are in pretokenizer.h). Each gives exactly the words that
// the regex path (hf_regex.h: the patterns translated for PCRE2, run step by step) gives; the
// tests compare the two on generated text and on the corpus goldens.
#ifndef TOKWISE_LIB_ENCODING_HF_SCAN_H_
#define TOKWISE_LIB_ENCODING_HF_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "encoding/ascii_scan.h"

namespace tokwise::encoding_internal {

// DeepSeek V3's (and R1's) pre-tokenizer: a Sequence of three Split steps, each Isolated and
// not inverted, with these patterns in this order (as tokenizer.json holds them once the JSON
// escapes are decoded; the classes hold literal CR and LF characters):
//   1. \p{N}{1,3}
//   2. [一-龥\u3040-ゟ゠-ヿ]+            (U+4E00-U+9FA5, U+3040-U+309F, U+30A0-U+30FF)
//   3. [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
//      | ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
inline constexpr int kDeepSeekSteps = 3;
extern const std::string_view kDeepSeekPatterns[kDeepSeekSteps];

// Returns the end of the word that starts at `pos` (pos < n) under DeepSeek V3's
// pre-tokenizer, for a text s[0, n) of valid UTF-8. The words tile the text: a caller starts at
// 0 and continues from each end. Thread-safe (the first call builds a 64 kB class table).
size_t NextPieceDeepSeek(const uint8_t* s, size_t pos, size_t n);
// The same without trying AsciiPieceDeepSeek() first: for callers that have.
size_t NextPieceDeepSeekGeneral(const uint8_t* s, size_t pos, size_t n);

namespace deepseek_ascii {

// Classes of the bytes below 0x80 as DeepSeek's patterns see them; bytes >= 0x80 have none.
enum : uint8_t {
  kDigit = 1,     // 0-9: \p{N}
  kLetter = 2,    // A-Z a-z: \p{L}
  kPunct = 4,     // the 32 ASCII characters of \p{P} and \p{S}
  kSpace = 8,     // \t \n \v \f \r and space: \s within ASCII
  kNewline = 16,  // \r \n
};

struct Table {
  uint8_t f[256];
  constexpr Table() : f() {
    for (int i = 0; i < 128; ++i) {
      uint8_t k = 0;  // Other controls: none of the classes.
      if ((i >= 'A' && i <= 'Z') || (i >= 'a' && i <= 'z')) k = kLetter;
      if (i >= '0' && i <= '9') k = kDigit;
      if ((i >= '!' && i <= '/') || (i >= ':' && i <= '@') || (i >= '[' && i <= '`') ||
          (i >= '{' && i <= '~')) {
        k = kPunct;
      }
      if (i == ' ' || (i >= 0x09 && i <= 0x0D)) k = kSpace;
      if (i == '\r' || i == '\n') k = kSpace | kNewline;
      f[i] = k;
    }
  }
};
inline constexpr Table kTable;

}  // namespace deepseek_ascii

// The ASCII fast path of NextPieceDeepSeek(), inline for the splitting loop: the end of the
// word at i, or kAsciiUndecided where a byte >= 0x80 could change the outcome (a non-ASCII
// letter, mark, number, symbol or space continuing or ending what the ASCII started) or where
// the word is a stretch no pattern matches; NextPieceDeepSeekGeneral() then decides. Every
// answer given here is the general scanner's: the tests compare NextPieceDeepSeek(), fast path
// included, with the regex path.
[[gnu::always_inline]] inline size_t AsciiPieceDeepSeek(const uint8_t* s, size_t i, size_t n) {
  using namespace deepseek_ascii;
  const uint8_t c = s[i];
  if (c >= 0x80) return kAsciiUndecided;
  const uint8_t f = kTable.f[c];
  // The end of a run of letters from p: [\p{L}\p{M}]+ within ASCII.
  auto letters = [s, n](size_t p) -> size_t {
    while (p < n && (kTable.f[s[p]] & kLetter)) ++p;
    return p < n && s[p] >= 0x80 ? kAsciiUndecided : p;
  };
  // The end of ?[\p{P}\p{S}]+[\r\n]* from the punctuation at p.
  auto punctuation = [s, n](size_t p) -> size_t {
    while (p < n && (kTable.f[s[p]] & kPunct)) ++p;
    if (p < n && s[p] >= 0x80) return kAsciiUndecided;
    while (p < n && (kTable.f[s[p]] & kNewline)) ++p;
    return p;
  };
  // \p{N}{1,3}
  if (f & kDigit) {
    size_t j = i + 1;
    for (int k = 1; k < 3 && j < n; ++k) {
      if (s[j] >= 0x80) return kAsciiUndecided;
      if (!(kTable.f[s[j]] & kDigit)) break;
      ++j;
    }
    return j;
  }
  if (f & kLetter) return letters(i + 1);
  const size_t next = i + 1;
  const bool next_ascii = next < n && s[next] < 0x80;
  const uint8_t g = next_ascii ? kTable.f[s[next]] : 0;
  if (f & kPunct) {
    // [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+, else punctuation.
    if (g & kLetter) {
      size_t e = next + 1;
      while (e < n && (kTable.f[s[e]] & kLetter)) ++e;
      return e;
    }
    return punctuation(i);
  }
  // A space or control other than \r and \n may stand before a run of letters and marks.
  if (!(f & kNewline) && next < n) {
    if (!next_ascii) return kAsciiUndecided;
    if (g & kLetter) return letters(next + 1);
  }
  if (c == ' ' && (g & kPunct)) return punctuation(next);
  if (f & kSpace) {
    size_t e = i, after_newline = 0;
    for (; e < n && (kTable.f[s[e]] & kSpace); ++e) {
      if (kTable.f[s[e]] & kNewline) after_newline = e + 1;
    }
    if (e < n && s[e] >= 0x80) return kAsciiUndecided;
    // \s*[\r\n]+
    if (after_newline != 0) return after_newline;
    // \s+(?!\S): the whole run where the part ends (the end of the text, or a number, which
    // the first split cut out), else all but the last space if that leaves one; else \s+.
    if (e == n || (kTable.f[s[e]] & kDigit)) return e;
    return e - i >= 2 ? e - 1 : e;
  }
  return kAsciiUndecided;  // A control character no pattern takes: the general scanner.
}

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_HF_SCAN_H_
