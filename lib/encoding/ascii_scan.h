// The ASCII fast paths of the cl100k and o200k scanners, inline so that the splitting loop and
// the piece encoder compile into one loop for ordinary text.
//
// Each function returns the end of the piece that starts at i, or kAsciiUndecided when a byte
// >= 0x80 could change the outcome (a non-ASCII letter continuing a word, a non-ASCII space
// ending a run of spaces, ...); the general scanner in pretokenizer.cc then decides. So every
// answer given here is the regex's answer: the differential tests against PCRE2 run through
// these paths.
//
// Runs of letters are measured sixteen bytes at a time where the text allows: the length of
// a word then costs a few vector instructions and no loop whose exit the branch predictor
// has to guess.
#ifndef TOKWISE_LIB_ENCODING_ASCII_SCAN_H_
#define TOKWISE_LIB_ENCODING_ASCII_SCAN_H_

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tokwise::encoding_internal {

inline constexpr size_t kAsciiUndecided = 0;  // No piece is empty, so 0 is free.

namespace ascii {

// Classes of the bytes below 0x80; bytes >= 0x80 have none.
enum : uint8_t {
  kUpper = 1,     // A-Z
  kLower = 2,     // a-z
  kDigit = 4,     // 0-9
  kSpace = 8,     // \t \n \v \f \r and space: \s within ASCII
  kOther = 16,    // Everything else below 0x80: [^\s\p{L}\p{N}] within ASCII
  kNewline = 32,  // \r \n (also kSpace)
  kLetter = kUpper | kLower,
};

struct Table {
  uint8_t f[256];
  constexpr Table() : f() {
    for (int i = 0; i < 128; ++i) {
      uint8_t k = kOther;
      if (i >= 'A' && i <= 'Z') k = kUpper;
      if (i >= 'a' && i <= 'z') k = kLower;
      if (i >= '0' && i <= '9') k = kDigit;
      if (i == ' ' || (i >= 0x09 && i <= 0x0D)) k = kSpace;
      if (i == '\r' || i == '\n') k = kSpace | kNewline;
      f[i] = k;
    }
  }
};
inline constexpr Table kTable;

inline uint8_t Class(uint8_t b) { return kTable.f[b]; }

// End of the run of bytes with any of the classes `mask`, from i.
inline size_t Run(const uint8_t* s, size_t i, size_t n, uint8_t mask) {
  while (i < n && (kTable.f[s[i]] & mask)) ++i;
  return i;
}

#if defined(__SSE2__)
// Bit k set when byte k of v lies in [lo, lo + len).
inline uint32_t InRange(__m128i v, uint8_t lo, uint8_t len) {
  const __m128i x = _mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - lo)));
  const __m128i lim = _mm_set1_epi8(static_cast<char>(-128 + len));
  return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmplt_epi8(x, lim)));
}
inline size_t CountTrailingZeros(uint32_t x) { return static_cast<size_t>(__builtin_ctz(x)); }
#endif

// o200k's letters in ASCII: [A-Z]*[a-z]* from p, where s[p] is a letter (in ASCII, the
// pattern's U class is A-Z and its W class a-z; both alternatives then take the same run).
inline size_t UpperThenLower(const uint8_t* s, size_t p, size_t n) {
#if defined(__SSE2__)
  if (n - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + p));
    const uint32_t upper = InRange(v, 'A', 26), lower = InRange(v, 'a', 26);
    const size_t u = CountTrailingZeros(~upper | 0x10000u);
    const size_t e = CountTrailingZeros(~(lower | ((1u << u) - 1)) | 0x10000u);
    if (e < 16) return p + e;
  }
#endif
  size_t u = Run(s, p, n, kUpper);
  return Run(s, u, n, kLower);
}

// cl100k's letters in ASCII: [A-Za-z]+ from p.
inline size_t Letters(const uint8_t* s, size_t p, size_t n) {
#if defined(__SSE2__)
  if (n - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + p));
    const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const size_t e = CountTrailingZeros(~InRange(folded, 'a', 26) | 0x10000u);
    if (e < 16) return p + e;
  }
#endif
  return Run(s, p, n, kLetter);
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d) at i, for a text whose byte at i is an apostrophe; its end, or
// i if none matches. A non-ASCII byte where a letter of the suffix would be is undecided (U+017F
// folds to 's').
inline size_t Contraction(const uint8_t* s, size_t i, size_t n, bool* undecided) {
  if (i + 1 >= n) return i;
  const uint8_t a = s[i + 1] | 0x20;
  if (s[i + 1] >= 0x80) {
    *undecided = true;
    return i;
  }
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
  if (a != 'r' && a != 'v' && a != 'l') return i;
  if (i + 2 >= n) return i;
  if (s[i + 2] >= 0x80) {
    *undecided = true;
    return i;
  }
  const uint8_t b = s[i + 2] | 0x20;
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
  return i;
}

// \p{N}{1,3} from a digit at i.
inline size_t Digits(const uint8_t* s, size_t i, size_t n) {
  size_t j = i + 1;
  for (int count = 1; count < 3 && j < n; ++count) {
    if (s[j] >= 0x80) return kAsciiUndecided;  // A non-ASCII digit may continue the group.
    if (!(Class(s[j]) & kDigit)) break;
    ++j;
  }
  return j;
}

// The whitespace alternatives of cl100k and o200k, \s*[\r\n]+ | \s+(?!\S) | \s+, at a space
// byte i.
inline size_t Whitespace(const uint8_t* s, size_t i, size_t n) {
  size_t j = i, after_newline = 0;
  for (; j < n; ++j) {
    const uint8_t f = Class(s[j]);
    if (!(f & kSpace)) break;
    if (f & kNewline) after_newline = j + 1;
  }
  if (j < n && s[j] >= 0x80) return kAsciiUndecided;  // A non-ASCII space may continue it.
  // \s*[\r\n]+ : the greedy \s* gives back up to the last newline of the run.
  if (after_newline != 0) return after_newline;
  // \s+(?!\S) : the whole run at the end of text, else all but its last space.
  if (j == n || j - i == 1) return j;
  return j - 1;
}

// At a byte i of class f that is neither a letter, a digit, nor the prefix of a word:
//   ' ?[^\s\p{L}\p{N}]+[\r\n/]*' (o200k, slash) or ' ?[^\s\p{L}\p{N}]+[\r\n]*' (cl100k),
// then the whitespace alternatives.
inline size_t PunctuationOrSpace(const uint8_t* s, size_t i, size_t n, uint8_t f, bool slash) {
  size_t start = i;
  if (s[i] == ' ' && i + 1 < n && (Class(s[i + 1]) & kOther)) start = i + 1;
  if (start == i && !(f & kOther)) return Whitespace(s, i, n);
  // A non-ASCII letter after a lone prefix would make it a word.
  if (start == i && i + 1 < n && s[i + 1] >= 0x80) return kAsciiUndecided;
  size_t j = Run(s, start, n, kOther);
  if (j < n && s[j] >= 0x80) return kAsciiUndecided;  // Non-ASCII punctuation continues.
  while (j < n && (s[j] == '\r' || s[j] == '\n' || (slash && s[j] == '/'))) ++j;
  return j;
}

}  // namespace ascii

// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|...)?
// |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|...)?
// |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
[[gnu::always_inline]] inline size_t AsciiPieceO200k(const uint8_t* s, size_t i, size_t n) {
  using namespace ascii;
  const uint8_t f = Class(s[i]);
  if (f == 0) return kAsciiUndecided;
  size_t p = i;  // Where the letters start, if this is a word.
  if (!(f & kLetter)) {
    // The optional [^\r\n\p{L}\p{N}] before a word.
    const bool prefix = (f & (kOther | kSpace)) && !(f & kNewline);
    if (!prefix || i + 1 >= n || !(Class(s[i + 1]) & kLetter)) goto not_a_word;
    p = i + 1;
  }
  {
    const size_t e = UpperThenLower(s, p, n);
    if (e == n) return e;
    if (s[e] >= 0x80) return kAsciiUndecided;  // A non-ASCII letter may continue the word.
    if (s[e] != '\'') return e;
    bool undecided = false;
    const size_t c = Contraction(s, e, n, &undecided);
    return undecided ? kAsciiUndecided : c;
  }
not_a_word:
  if (f & kDigit) return Digits(s, i, n);
  return PunctuationOrSpace(s, i, n, f, /*slash=*/true);
}

// '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
// |\s*[\r\n]+|\s+(?!\S)|\s+   (the form of the tiktoken core that made the goldens)
[[gnu::always_inline]] inline size_t AsciiPieceCl100k(const uint8_t* s, size_t i, size_t n) {
  using namespace ascii;
  const uint8_t f = Class(s[i]);
  if (f == 0 || s[i] == '\'') return kAsciiUndecided;  // Contractions: the general scanner.
  size_t p = i;
  if (!(f & kLetter)) {
    const bool prefix = (f & (kOther | kSpace)) && !(f & kNewline);
    if (!prefix || i + 1 >= n || !(Class(s[i + 1]) & kLetter)) goto not_a_word;
    p = i + 1;
  }
  {
    const size_t e = Letters(s, p, n);
    if (e < n && s[e] >= 0x80) return kAsciiUndecided;
    return e;
  }
not_a_word:
  if (f & kDigit) return Digits(s, i, n);
  return PunctuationOrSpace(s, i, n, f, /*slash=*/false);
}

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_ASCII_SCAN_H_
