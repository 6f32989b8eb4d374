// Unicode character classes and UTF-8 helpers for the pretokenizers.
#ifndef TOKWISE_LIB_ENCODING_UNICODE_H_
#define TOKWISE_LIB_ENCODING_UNICODE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tokwise::encoding_internal {

// The classes the split patterns distinguish. kSpace is the White_Space property (what Rust's
// regex crate means by \s); the others are General_Category groups. The table is generated
// from Unicode 15.0.0 (see gen_unicode_table.py).
enum class CharClass : uint8_t {
  kOther = 0,
  kUpper,        // Lu
  kLower,        // Ll
  kTitle,        // Lt
  kModifier,     // Lm
  kOtherLetter,  // Lo
  kMark,         // Mn, Mc, Me
  kNumber,       // Nd, Nl, No
  kSpace,        // White_Space
};

// The class table: two stages, the code point's high bits pick a 256-entry block (blocks with
// equal contents are stored once). Built on first use.
struct ClassTable {
  const uint16_t* block_of;  // 0x1100 entries.
  const CharClass* blocks;
};
extern std::atomic<const ClassTable*> g_class_table;
const ClassTable* InitClassTable();

// Returns the class of a code point (kOther above U+10FFFF). Inline: the scanners ask it for
// every non-ASCII character.
inline CharClass ClassOf(uint32_t cp) {
  if (cp >= 0x110000) return CharClass::kOther;
  const ClassTable* t = g_class_table.load(std::memory_order_acquire);
  if (t == nullptr) t = InitClassTable();
  return t->blocks[(static_cast<size_t>(t->block_of[cp >> 8]) << 8) | (cp & 0xFF)];
}

inline bool IsLetter(CharClass c) { return c >= CharClass::kUpper && c <= CharClass::kOtherLetter; }

// Decodes one code point at p (p < end). Sets *len to its byte length. Meant for valid UTF-8;
// on ill-formed input it never reads past `end` (a truncated sequence decodes as U+FFFD of
// length 1), so scanners stay memory-safe on text that is validated only piece by piece.
inline uint32_t DecodeUtf8(const uint8_t* p, const uint8_t* end, int* len) {
  uint8_t b = p[0];
  if (b < 0x80) {
    *len = 1;
    return b;
  }
  if (b < 0xE0) {
    if (end - p < 2) {
      *len = 1;
      return 0xFFFD;
    }
    *len = 2;
    return ((b & 0x1Fu) << 6) | (p[1] & 0x3Fu);
  }
  if (b < 0xF0) {
    if (end - p < 3) {
      *len = 1;
      return 0xFFFD;
    }
    *len = 3;
    return ((b & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
  }
  if (end - p < 4) {
    *len = 1;
    return 0xFFFD;
  }
  *len = 4;
  return ((b & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
}

// Returns the byte offset of the first ill-formed UTF-8 sequence, or text.size() if the whole
// text is valid (shortest form, no surrogates, at most U+10FFFF).
size_t FindInvalidUtf8(std::string_view text);

// Appends the UTF-8 form of code point cp (at most U+10FFFF) to *out.
void AppendUtf8(uint32_t cp, std::string* out);

// Returns text with each maximal subpart of an ill-formed sequence replaced by U+FFFD
// (Unicode 15 section 3.9, "U+FFFD Substitution of Maximal Subparts").
std::string ReplaceInvalidUtf8(std::string_view text);

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_UNICODE_H_
