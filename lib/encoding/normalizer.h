// Unicode text operations for tokenizer.json normalizers and pre-tokenizers: the four
// normalization forms (NFC, NFD, NFKC, NFKD), full lowercase mapping, and the character
// properties the split patterns and added-token rules ask about.
//
// The tables are generated from the Unicode Character Database (Unicode 15.0.0 as shipped by
// Debian's unicode-data package) by gen_text_tables.py into text_tables.inc. The reference
// tokenizers use their runtime's Unicode version (Rust's std and Node 20's ICU are newer), so
// characters assigned after 15.0 may normalize or classify differently; no text in the corpus
// the golden tests cover contains such characters.
//
// All functions take valid UTF-8 (callers validate or repair it first) and are thread-safe.
#ifndef TOKWISE_LIB_ENCODING_NORMALIZER_H_
#define TOKWISE_LIB_ENCODING_NORMALIZER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokwise::encoding_internal {

// General_Category values, in the order of the generated table.
// clang-format off
enum class GeneralCategory : uint8_t {
  kCn, kLu, kLl, kLt, kLm, kLo, kMn, kMc, kMe, kNd, kNl, kNo, kPc, kPd, kPs,
  kPe, kPi, kPf, kPo, kSm, kSc, kSk, kSo, kZs, kZl, kZp, kCc, kCf, kCs, kCo,
};
// clang-format on

enum class NormalForm { kNfc, kNfd, kNfkc, kNfkd };

// The version of the Unicode Character Database the tables come from, e.g. "15.0.0".
const char* TextTablesUnicodeVersion();

GeneralCategory CategoryOf(uint32_t cp);
uint8_t CombiningClassOf(uint32_t cp);
bool IsWhiteSpace(uint32_t cp);  // The White_Space property (Rust's char::is_whitespace).
bool IsAlphabetic(uint32_t cp);  // The Alphabetic derived property.
// Rust's regex `\w`: Alphabetic, marks, decimal numbers, connector punctuation, Join_Control.
bool IsWordChar(uint32_t cp);

// Returns `text` in the given normalization form (UAX #15). Text that is already in the form
// and holds no character that could change (all ASCII, for instance) is returned unchanged
// after one scan.
std::string Normalize(std::string_view text, NormalForm form);

// True if Normalize(text, form) == text, decided by a scan that rejects any character that
// might change under the form (a conservative quick check: false does not mean it changes).
bool IsTriviallyNormalized(std::string_view text, NormalForm form);

// Full default lowercase mapping, as Rust's str::to_lowercase and JavaScript's toLowerCase:
// simple mappings, U+0130 -> "i̇", and the Final_Sigma rule for U+03A3.
std::string ToLower(std::string_view text);

// A predicate over code points named by a regex property (\p{...}) or escape.
// Returns the inclusive code point ranges where it holds, sorted (surrogates excluded), or
// nullptr if the name is unknown. Recognised names: the General_Category values and groups by short
// or long name (L, Lu, Letter, Uppercase_Letter, LC, M, N, P, S, Z, C, ...), White_Space,
// Alphabetic, and "word" (the \w class). Results are computed once per name and cached.
const std::vector<std::pair<uint32_t, uint32_t>>* PropertyRanges(std::string_view name);


}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_NORMALIZER_H_
