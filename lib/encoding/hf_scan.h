// Hand-written scanners for tokenizer.json pre-tokenizers that real models use and that are not
// one of the tiktoken patterns (those are in pretokenizer.h). Each gives exactly the words that
// the regex path (hf_regex.h: the patterns translated for PCRE2, run step by step) gives; the
// tests compare the two on generated text and on the corpus goldens.
#ifndef TOKWISE_LIB_ENCODING_HF_SCAN_H_
#define TOKWISE_LIB_ENCODING_HF_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

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

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_HF_SCAN_H_
