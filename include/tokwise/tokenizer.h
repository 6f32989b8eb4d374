// tokwise/tokenizer.h: one interface over every tokenizer family tokwise counts with.
//
// A Tokenizer counts, encodes and decodes text, and every count it returns carries a label
// saying how far it can be trusted:
//
//   exact       the model's own tokenizer, reproduced id for id (tiktoken encodings, Hugging
//               Face tokenizer.json files, SentencePiece models, the legacy Claude tokenizer);
//   calibrated  a public encoding's count times a factor fitted to counts the provider billed;
//   estimate    a public encoding's count times a factor taken from published measurements,
//               not fitted to billed counts (Claude 3 and later, Gemini: their tokenizers are
//               not public). Such a count comes with the range the true count is expected in.
//
//   auto tok = tokwise::Tokenizer::FromHfJsonFile("llama3/tokenizer.json");
//   if (!tok.ok()) return tok.status();
//   absl::StatusOr<tokwise::TokenCount> n = (*tok)->Count("hello world");   // 2, exact
//
// Families:
//   * FromEncoding(): a tiktoken Encoding (o200k_base, cl100k_base, ...; see encoding.h).
//   * FromHfJson*(): a Hugging Face tokenizer.json with a BPE model (Llama 3, Qwen 2.5/3,
//     DeepSeek V3, Gemma 3, Mistral, GPT-4o's HF rendition, ...). Parsed with simdjson.
//     Supported components: normalizers NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend,
//     Strip, Sequence; pre-tokenizers Split (String or Regex pattern, every behaviour, invert),
//     ByteLevel (add_prefix_space, use_regex; last in a Sequence), Digits, Metaspace,
//     WhitespaceSplit, Whitespace, Sequence; the BPE model (merges as "a b" or ["a", "b"],
//     ignore_merges, byte_fallback, unk_token, fuse_unk, continuing_subword_prefix,
//     end_of_word_suffix; dropout must be null or 0); added tokens (special or not, lstrip,
//     rstrip, normalized, single_word); post-processors TemplateProcessing, ByteLevel,
//     RobertaProcessing, BertProcessing, Sequence; decoders ByteLevel, Replace, ByteFallback,
//     Fuse, Strip, Metaspace, Sequence. Any other component type is an error naming it.
//     Merge priority is the merge's index in `merges` (not the token id), as in Hugging
//     Face's implementation. `truncation` and `padding` are ignored: counts are of the whole
//     text.
//   * FromSentencePiece*(): a SentencePiece .model file (BPE or Unigram), loaded by
//     libsentencepiece; the file is checked first by our own protobuf scan so that a malformed
//     file is a clear error. BPE models with identity normalization (Llama 2, Mistral) encode
//     on tokwise's own BPE with libsentencepiece's rules (same ids, several times faster);
//     the others, and all decoding, run on libsentencepiece.
//   * ClaudeLegacyFromTiktoken*(): Anthropic's legacy (pre-Claude-3) tokenizer: NFKC, then
//     tiktoken-style BPE with all special tokens recognised (npm @anthropic-ai/tokenizer).
//   * Estimate(): a named public encoding times a factor (see registry.h for the profiles).
//
// Files are read when a tokenizer is made and never again; the library needs no data at run
// time other than what the caller passes (only o200k_base and cl100k_base are built in).
//
// Thread safety: a Tokenizer is immutable once made; one instance may be used from any number
// of threads at once.
#ifndef TOKWISE_TOKENIZER_H_
#define TOKWISE_TOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tokwise/encoding.h"

namespace tokwise {

// How far a count can be trusted (see the file comment).
enum class Exactness { kExact, kCalibrated, kEstimate };

// "exact", "calibrated" or "estimate".
const char* ExactnessName(Exactness e);

// Parses ExactnessName()'s output. InvalidArgument for anything else.
absl::StatusOr<Exactness> ParseExactness(std::string_view name);

// The tokenizer families.
enum class TokenizerKind { kTiktoken, kHuggingFace, kSentencePiece, kClaudeLegacy, kEstimate };

// Options of Encode() and Count().
struct TokenizeOptions {
  // Special-token strings found in the text (added tokens of tokenizer.json, <|endoftext|> of
  // tiktoken encodings, <EOT> of the legacy Claude tokenizer). Unset means the family's
  // reference behaviour: tiktoken counts them as text (kAsText, what providers do with user
  // text); Hugging Face tokenizers recognise every added token (kRecognize, what
  // tokenizer.encode() does); SentencePiece encodes them as text; the legacy Claude tokenizer
  // recognises them (its npm package passes allowed_special="all").
  //   kAsText: special tokens are encoded as text. For tokenizer.json, added tokens that are
  //            not special are still matched (HF's encode_special_tokens=True).
  //   kRecognize: they become their ids.
  //   kReject: InvalidArgument naming the first one's byte offset.
  std::optional<SpecialPolicy> special;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::kReject;
  // Adds the tokens the model puts around one text: the tokenizer.json post-processor's
  // template (Llama 3's <|begin_of_text|>, Gemma's <bos>), the SentencePiece BOS/EOS chosen
  // when loading. Off by default: chat counting adds template tokens itself.
  bool add_special_tokens = false;
};

// A count and its label. For exact counts low == high == tokens. For estimates, `tokens` is
// the central value and [low, high] the range the true count is expected in (the band stated
// by the estimate profile; see registry.h for where each comes from).
struct TokenCount {
  uint64_t tokens = 0;
  Exactness exactness = Exactness::kExact;
  uint64_t low = 0;
  uint64_t high = 0;
};

// Options of FromSentencePiece*().
struct SentencePieceOptions {
  // What TokenizeOptions::add_special_tokens adds. The defaults are Llama's and Mistral's
  // convention (BOS only).
  bool add_bos = true;
  bool add_eos = false;
  // Encode BPE models with identity normalization (Llama 2, Mistral) on tokwise's own BPE,
  // which gives libsentencepiece's ids several times faster; other models (Unigram, nmt_nfkc
  // normalization, ...) always run on libsentencepiece. false: always libsentencepiece.
  bool own_bpe = true;
};

class Tokenizer {
 public:
  virtual ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // ---- Making tokenizers. Errors name the file (or "tokenizer.json"), the JSON path or the
  // byte offset of what is wrong; bad input never crashes and memory stays bounded by a small
  // multiple of the input size. ----

  // Wraps a tiktoken Encoding (exact).
  static std::shared_ptr<const Tokenizer> FromEncoding(std::shared_ptr<const Encoding> encoding);

  // Parses a tokenizer.json held in memory. `name` labels the tokenizer (e.g. "hf:llama3").
  // `data` is not retained.
  static absl::StatusOr<std::shared_ptr<const Tokenizer>> FromHfJson(std::string_view data,
                                                                     std::string name = "hf");
  // As FromHfJson() from a file; `name` defaults to "hf:" + path.
  static absl::StatusOr<std::shared_ptr<const Tokenizer>> FromHfJsonFile(const std::string& path,
                                                                         std::string name = "");

  // Loads a SentencePiece model (the serialized ModelProto of a .model file).
  static absl::StatusOr<std::shared_ptr<const Tokenizer>> FromSentencePiece(
      std::string_view data, std::string name = "spm", const SentencePieceOptions& options = {});
  // As FromSentencePiece() from a file; `name` defaults to "spm:" + path.
  static absl::StatusOr<std::shared_ptr<const Tokenizer>> FromSentencePieceFile(
      const std::string& path, const SentencePieceOptions& options = {}, std::string name = "");

  // The legacy Claude tokenizer from its rank file (claude_legacy.tiktoken: ranks 5..64999,
  // GPT-2 split pattern, special tokens <EOT> <META> <META_START> <META_END> <SOS> = 0..4).
  static absl::StatusOr<std::shared_ptr<const Tokenizer>> ClaudeLegacyFromTiktoken(
      std::string_view rank_file_data);
  static absl::StatusOr<std::shared_ptr<const Tokenizer>> ClaudeLegacyFromTiktokenFile(
      const std::string& path);

  // Opens a tokenizer file by its content: a JSON object is a tokenizer.json, anything else
  // is tried as a SentencePiece model.
  static absl::StatusOr<std::shared_ptr<const Tokenizer>> FromFile(const std::string& path);

  // An estimating tokenizer: counts with `base`, multiplies by `factor` and reports
  // [count * low_factor, count * high_factor] as the range. Requires
  // 0 < low_factor <= factor <= high_factor. `exactness` is kEstimate or kCalibrated.
  // Encode() and Decode() fail with FailedPrecondition: the real ids are not known.
  static absl::StatusOr<std::shared_ptr<const Tokenizer>> Estimate(
      std::string name, std::shared_ptr<const Encoding> base, double factor, double low_factor,
      double high_factor, Exactness exactness = Exactness::kEstimate);

  // ---- Using them. ----

  // A short name: "o200k_base", "hf:llama3", "spm:llama2", "estimate:claude", ...
  const std::string& name() const { return name_; }
  TokenizerKind kind() const { return kind_; }
  Exactness exactness() const { return exactness_; }

  // Token ids of `text`. FailedPrecondition for estimating tokenizers.
  virtual absl::StatusOr<std::vector<TokenId>> Encode(
      std::string_view text, const TokenizeOptions& options = {}) const = 0;

  // The number of tokens Encode() would return (estimates: see TokenCount), with its label.
  virtual absl::StatusOr<TokenCount> Count(std::string_view text,
                                           const TokenizeOptions& options = {}) const = 0;

  // The text of token ids. Hugging Face tokenizers run their decoder (byte-level tokens give
  // back the original bytes; SentencePiece-style tokens turn U+2581 back into spaces);
  // SentencePiece models run libsentencepiece's decoder; tiktoken encodings concatenate token
  // bytes. The result may be invalid UTF-8 when ids split a character (tiktoken and byte-level
  // models). InvalidArgument names the first unknown id. FailedPrecondition for estimates.
  virtual absl::StatusOr<std::string> Decode(absl::Span<const TokenId> ids) const = 0;

  // One more than the largest token id (special and added tokens included); 0 for estimates.
  virtual uint32_t vocab_size() const = 0;

 protected:
  Tokenizer(std::string name, TokenizerKind kind, Exactness exactness);

 private:
  std::string name_;
  TokenizerKind kind_;
  Exactness exactness_;
};

}  // namespace tokwise

#endif  // TOKWISE_TOKENIZER_H_
