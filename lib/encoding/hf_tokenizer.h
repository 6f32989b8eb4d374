// HfTokenizer: a Hugging Face tokenizer.json with a BPE model, reproduced id for id.
//
// The pipeline, as in Hugging Face's tokenizers (Rust) and its JavaScript port:
//   1. added tokens whose `normalized` is false are cut out of the raw text (leftmost, longest
//      first; lstrip/rstrip/single_word applied as Rust does);
//   2. each remaining section is normalized, then added tokens whose `normalized` is true are
//      cut out of the normalized text;
//   3. the pre-tokenizer splits each section into words;
//   4. the BPE model encodes each word: per character (or per byte for byte-level models)
//      symbols, then repeatedly the adjacent pair with the lowest merge index is merged
//      (leftmost first on ties), as long as a listed merge applies. With ignore_merges a word
//      that is itself a token is emitted whole first. Characters missing from the vocabulary
//      become <0xNN> byte tokens (byte_fallback) or the unknown token.
//   5. the post-processor's template adds special tokens when asked.
//
// Byte-level models keep their vocabulary as raw bytes (the ByteLevel alphabet is decoded when
// loading), so the ByteLevel step costs nothing at encode time. Split patterns equal to a
// hand-written scanner's (cl100k's, as Llama 3 uses; GPT-2's, as ByteLevel's use_regex uses;
// o200k's; Qwen's cl100k-with-single-digits; DeepSeek V3's sequence of three splits, see
// hf_scan.h) run on it; others run on PCRE2 (hf_regex.h).
//
// Byte-level models whose 256 bytes are all tokens (every real one) encode their words on a
// fast path with the same results: the words that are one token (with ignore_merges) in one
// cache line of the vocabulary's index, the first round of merges from a table of byte pairs,
// later merges through a per-thread cache of the merge table, and recent words' tokens from a
// per-thread cache of words. The per-thread caches (256 kB of pairs and 256 kB of words for
// each of the last two tokenizers a thread used) are tagged with the tokenizer they belong to;
// a tokenizer stays immutable and shareable between threads.
#ifndef TOKWISE_LIB_ENCODING_HF_TOKENIZER_H_
#define TOKWISE_LIB_ENCODING_HF_TOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tokwise/encoding.h"

namespace tokwise::encoding_internal {

struct SpmModelInfo;

struct HfEncodeOptions {
  SpecialPolicy special = SpecialPolicy::kRecognize;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::kReject;
  bool add_special_tokens = false;
};

class HfTokenizer {
 public:
  // Parses a tokenizer.json. `data` is not retained (nor copied). Errors name the JSON path or
  // the byte offset of what is wrong.
  static absl::StatusOr<std::unique_ptr<HfTokenizer>> FromJson(std::string_view data);
  // As FromJson(), taking the text over: it is freed as soon as the vocabulary and merges are
  // read, before the merge table is built (lower peak memory).
  static absl::StatusOr<std::unique_ptr<HfTokenizer>> FromOwnedJson(std::string data);

  // A SentencePiece BPE model (already accepted by libsentencepiece) run on this class's
  // pipeline, with libsentencepiece's rules: the text gets the dummy prefix U+2581 and spaces
  // become U+2581; user-defined pieces are cut out first and never merged; then adjacent
  // symbols whose concatenation is a piece merge, highest score first, leftmost on ties (equal
  // scores tie); unknown characters become <0xNN> pieces (byte_fallback) or one unknown id per
  // run. Unimplemented when the model needs what this path does not do (Unigram, a
  // normalization charsmap such as nmt_nfkc, extra-whitespace removal, whitespace as suffix,
  // unused pieces, a piece whose first or last character is not a piece): callers then use
  // libsentencepiece itself.
  static absl::StatusOr<std::unique_ptr<HfTokenizer>> FromSentencePieceBpe(
      const SpmModelInfo& info);
  ~HfTokenizer();

  absl::StatusOr<std::vector<TokenId>> Encode(std::string_view text,
                                              const HfEncodeOptions& options) const;
  absl::StatusOr<size_t> Count(std::string_view text, const HfEncodeOptions& options) const;
  absl::StatusOr<std::string> Decode(absl::Span<const TokenId> ids) const;

  // One more than the largest id (model vocabulary and added tokens).
  uint32_t vocab_size() const;
  // Bytes held by the loaded tokenizer (vocabulary, merges, added tokens), approximately.
  size_t MemoryBytes() const;
  // Description of the pre-tokenizer's split path for tests and benchmarks, e.g.
  // "scanner:cl100k" or "regex:3".
  std::string SplitPathForTesting() const;
  // The words the normalizer and pre-tokenizer make of `text` (no added-token matching), as
  // byte strings, for tests against documented examples.
  absl::StatusOr<std::vector<std::string>> PreTokenizeForTesting(std::string_view text) const;

  struct Impl;

 private:
  HfTokenizer();
  // FromJson() and FromOwnedJson(); `owned`, if not null, holds `text` and is freed early.
  static absl::StatusOr<std::unique_ptr<HfTokenizer>> FromJsonText(std::string_view text,
                                                                   std::string* owned);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_HF_TOKENIZER_H_
