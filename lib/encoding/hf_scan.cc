#include "encoding/hf_scan.h"

#include "encoding/normalizer.h"
#include "encoding/unicode.h"

namespace tokwise::encoding_internal {

const std::string_view kDeepSeekPatterns[kDeepSeekSteps] = {
    "\\p{N}{1,3}",
    "[\xE4\xB8\x80-\xE9\xBE\xA5\xE3\x81\x80-\xE3\x82\x9F\xE3\x82\xA0-\xE3\x83\xBF]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+"
    "|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+"
    "|\\s+(?!\\S)|\\s+",
};

namespace {

// What the three patterns ask about a character.
enum : uint8_t {
  kNumber = 1,        // \p{N}
  kLetter = 2,        // \p{L}
  kMark = 4,          // \p{M}
  kPunctSymbol = 8,   // \p{P} or \p{S}
  kSpace = 16,        // \s: White_Space, as the regex translation has it
  kNewline = 32,      // \r or \n
  kCjk = 64,          // in the second pattern's class
  kAsciiPunct = 128,  // in the first class of the third pattern
};

// The flags of a code point, from the same tables the regex translation uses.
uint8_t FlagsOf(uint32_t cp) {
  uint8_t f = 0;
  switch (CategoryOf(cp)) {
    case GeneralCategory::kLu:
    case GeneralCategory::kLl:
    case GeneralCategory::kLt:
    case GeneralCategory::kLm:
    case GeneralCategory::kLo:
      f = kLetter;
      break;
    case GeneralCategory::kMn:
    case GeneralCategory::kMc:
    case GeneralCategory::kMe:
      f = kMark;
      break;
    case GeneralCategory::kNd:
    case GeneralCategory::kNl:
    case GeneralCategory::kNo:
      f = kNumber;
      break;
    case GeneralCategory::kPc:
    case GeneralCategory::kPd:
    case GeneralCategory::kPs:
    case GeneralCategory::kPe:
    case GeneralCategory::kPi:
    case GeneralCategory::kPf:
    case GeneralCategory::kPo:
    case GeneralCategory::kSm:
    case GeneralCategory::kSc:
    case GeneralCategory::kSk:
    case GeneralCategory::kSo:
      f = kPunctSymbol;
      break;
    default:
      break;
  }
  if (IsWhiteSpace(cp)) f |= kSpace;
  if (cp == '\r' || cp == '\n') f |= kNewline;
  if ((cp >= 0x4E00 && cp <= 0x9FA5) || (cp >= 0x3040 && cp <= 0x30FF)) f |= kCjk;
  // The ASCII characters of \p{P} and \p{S} are exactly the 32 of the class
  // [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~] (the tests check it).
  if (cp < 0x80 && (f & kPunctSymbol)) f |= kAsciiPunct;
  return f;
}

// The flags of every BMP code point (surrogates: none), built on first use; others are
// computed when met.
const uint8_t* BmpFlags() {
  static const uint8_t* table = [] {
    auto* t = new uint8_t[0x10000];
    for (uint32_t cp = 0; cp < 0x10000; ++cp) {
      t[cp] = cp >= 0xD800 && cp < 0xE000 ? 0 : FlagsOf(cp);
    }
    return t;
  }();
  return table;
}

bool IsAsciiLetter(uint8_t b) { return static_cast<uint8_t>((b | 0x20) - 'a') < 26; }

// Reads the characters of one part of the second split: a run of characters of the second
// pattern's class, or a stretch without them; never a number (the first split cut those out).
// The third pattern runs on each part alone, so its end is the end of the subject.
class Part {
 public:
  Part(const uint8_t* s, size_t n, const uint8_t* flags, uint8_t cjk)
      : s_(s), n_(n), flags_(flags), cjk_(cjk) {}

  // The flags of the character at i, with its length in *len; *len is 0 when i is at the end
  // of the part (the end of the text, a number, or a change between CJK and not).
  uint8_t At(size_t i, int* len) const {
    if (i >= n_) {
      *len = 0;
      return 0;
    }
    uint8_t f;
    if (s_[i] < 0x80) {
      *len = 1;
      f = flags_[s_[i]];
    } else {
      const uint32_t cp = DecodeUtf8(s_ + i, s_ + n_, len);
      f = cp < 0x10000 ? flags_[cp] : FlagsOf(cp);
    }
    if ((f & kNumber) || (f & kCjk) != cjk_) {
      *len = 0;
      return 0;
    }
    return f;
  }

  // The end of the run from i of characters with any of the flags in `mask`.
  size_t Run(size_t i, uint8_t mask) const {
    for (;;) {
      int len;
      const uint8_t f = At(i, &len);
      if (len == 0 || !(f & mask)) return i;
      i += static_cast<size_t>(len);
    }
  }

  // The end of the third pattern's match at i (a character of the part), or 0 if none of its
  // alternatives matches there. The alternatives are tried in order; the first that matches
  // wins, as in the regex.
  size_t MatchAt(size_t i) const {
    int len;
    const uint8_t f = At(i, &len);
    const size_t next = i + static_cast<size_t>(len);

    // [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+ (ASCII: never at a part's edge).
    if ((f & kAsciiPunct) && next < n_ && IsAsciiLetter(s_[next])) {
      size_t e = next + 1;
      while (e < n_ && IsAsciiLetter(s_[e])) ++e;
      return e;
    }

    // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+ : a letter or mark starts the run itself (a mark
    // taken as the optional character gives the same run); any other character but \r, \n,
    // punctuation and symbols may stand before one.
    if (f & (kLetter | kMark)) return Run(i, kLetter | kMark);
    if (!(f & (kPunctSymbol | kNewline))) {
      int len2;
      const uint8_t g = At(next, &len2);
      if (len2 > 0 && (g & (kLetter | kMark))) return Run(next, kLetter | kMark);
    }

    //  ?[\p{P}\p{S}]+[\r\n]*
    size_t start = i;
    if (s_[i] == ' ') {
      int len2;
      const uint8_t g = At(next, &len2);
      if (len2 > 0 && (g & kPunctSymbol)) start = next;
    }
    if (start != i || (f & kPunctSymbol)) return Run(Run(start, kPunctSymbol), kNewline);

    // \s*[\r\n]+ | \s+(?!\S) | \s+
    if (f & kSpace) {
      size_t e = i, last_start = i, after_newline = 0;
      int l;
      for (;;) {
        const uint8_t g = At(e, &l);
        if (l == 0 || !(g & kSpace)) break;
        if (g & kNewline) after_newline = e + static_cast<size_t>(l);
        last_start = e;
        e += static_cast<size_t>(l);
      }
      // \s*[\r\n]+ : the greedy \s* gives back up to the run's last newline.
      if (after_newline != 0) return after_newline;
      // \s+(?!\S) : the whole run at the end of the part (l == 0), else all but its last
      // character, if that leaves one.
      if (l == 0) return e;
      if (last_start > i) return last_start;
      return e;  // \s+
    }
    return 0;
  }

 private:
  const uint8_t* s_;
  size_t n_;
  const uint8_t* flags_;
  uint8_t cjk_;
};

}  // namespace

size_t NextPieceDeepSeek(const uint8_t* s, size_t pos, size_t n) {
  const size_t e = AsciiPieceDeepSeek(s, pos, n);
  return e != kAsciiUndecided ? e : NextPieceDeepSeekGeneral(s, pos, n);
}

size_t NextPieceDeepSeekGeneral(const uint8_t* s, size_t pos, size_t n) {
  const uint8_t* flags = BmpFlags();
  int len;
  const uint32_t cp = s[pos] < 0x80 ? s[pos] : DecodeUtf8(s + pos, s + n, &len);
  if (s[pos] < 0x80) len = 1;
  const uint8_t f = cp < 0x10000 ? flags[cp] : FlagsOf(cp);

  // \p{N}{1,3}: a piece starts at a number only where the first split's match starts (its
  // matches tile each run of numbers in threes from the run's start).
  if (f & kNumber) {
    size_t e = pos + static_cast<size_t>(len);
    for (int count = 1; count < 3 && e < n; ++count) {
      int l = 1;
      const uint32_t c = s[e] < 0x80 ? s[e] : DecodeUtf8(s + e, s + n, &l);
      if (!((c < 0x10000 ? flags[c] : FlagsOf(c)) & kNumber)) break;
      e += static_cast<size_t>(l);
    }
    return e;
  }

  // The third pattern in the part of the second split that holds pos. A match at pos is the
  // word; else the word is the stretch up to where the next match starts (Isolated keeps what
  // lies between matches), or to the end of the part.
  const Part part(s, n, flags, f & kCjk);
  const size_t e = part.MatchAt(pos);
  if (e != 0) return e;
  size_t i = pos + static_cast<size_t>(len);
  for (;;) {
    int l;
    part.At(i, &l);
    if (l == 0 || part.MatchAt(i) != 0) return i;
    i += static_cast<size_t>(l);
  }
}

}  // namespace tokwise::encoding_internal
