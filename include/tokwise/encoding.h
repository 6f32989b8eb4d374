// tokwise/encoding.h: exact byte-level BPE encodings (the tiktoken family).
//
// An Encoding turns UTF-8 text into token ids exactly as OpenAI's tiktoken does, and back.
// o200k_base, o200k_harmony and cl100k_base are built into the library: no file and no
// network are needed. Other encodings (p50k_base, r50k_base, or any rank file of the same
// kind) load from a standard `.tiktoken` rank file or from its bytes in memory.
//
//   auto enc = tokwise::Encoding::ForModel("gpt-4o");       // o200k_base
//   if (!enc.ok()) return enc.status();
//   absl::StatusOr<size_t> n = (*enc)->Count("hello world");  // 2
//
// Thread safety: an Encoding is immutable once made. One instance may be shared by any number
// of threads; every call keeps its scratch on its own stack or heap.
//
// Errors carry machine-readable details (tokwise/error_details.h): the reason (invalid UTF-8,
// rejected special token, unknown token, I/O, malformed rank file), the byte offset, the
// special token, the failing index of a batch.
//
// Input text is bytes expected to be UTF-8. By default invalid UTF-8 is an error naming the
// byte offset of the first bad sequence. With InvalidUtf8::kReplace every maximal subpart of
// an ill-formed sequence becomes U+FFFD (the Unicode / WHATWG rule, also Python's
// errors="replace"), then the repaired text is encoded.
#ifndef TOKWISE_ENCODING_H_
#define TOKWISE_ENCODING_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace tokwise {

using TokenId = uint32_t;

namespace encoding_internal {
class Vocab;
class Pretokenizer;
}  // namespace encoding_internal

// What to do with special-token strings (such as "<|endoftext|>") found in input text.
enum class SpecialPolicy {
  // Encode them as ordinary text, like tiktoken's encode_ordinary(). Providers treat user
  // text this way, so it is the default for counting.
  kAsText,
  // Emit the special token's id, like tiktoken's allowed_special.
  kRecognize,
  // Fail with InvalidArgument naming the byte offset, like tiktoken's default
  // disallowed_special="all". The default for Encode().
  kReject,
};

// What to do with bytes that are not valid UTF-8.
enum class InvalidUtf8 {
  kReject,   // InvalidArgument naming the byte offset of the first ill-formed sequence.
  kReplace,  // Each maximal subpart of an ill-formed sequence becomes U+FFFD.
};

// Options of Encode().
struct EncodeOptions {
  // Policy for every special token not named in `special_overrides`.
  SpecialPolicy special = SpecialPolicy::kReject;
  // Per-token policies, keyed by the special token's text. Names that are not special tokens
  // of the encoding are an InvalidArgument error (a typo must not silently change a count).
  // tiktoken's encode(text, allowed_special={"<|endoftext|>"}) is special = kReject plus
  // {"<|endoftext|>": kRecognize}; disallowed_special=() is special = kAsText.
  std::map<std::string, SpecialPolicy, std::less<>> special_overrides;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::kReject;
};

// Options of Count(). Counting treats special-token strings as text unless told otherwise.
struct CountOptions {
  SpecialPolicy special = SpecialPolicy::kAsText;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::kReject;
  // Per-token policies, as in EncodeOptions. Last, so that CountOptions{special, utf8} keeps
  // its meaning.
  std::map<std::string, SpecialPolicy, std::less<>> special_overrides;
};

// The split pattern family of an encoding. Known families run on hand-written scanners that
// reproduce the reference regex exactly; kCustom runs a general regex engine (PCRE2).
enum class PatternKind {
  kGpt2,     // r50k_base, p50k_base, p50k_edit (GPT-2's pattern).
  kCl100k,   // cl100k_base.
  kO200k,    // o200k_base, o200k_harmony.
  kCustom,   // Any other pattern, given as regex text.
};

// Everything about an encoding except its ranks: name, split pattern, special tokens.
struct EncodingSpec {
  std::string name;
  // The split regex in tiktoken's (Rust fancy-regex) syntax. A pattern equal to one of the
  // known families' patterns selects its hand-written scanner; any other runs through PCRE2.
  std::string pattern;
  // Special token text -> id. Ids may lie above the ranks, or reuse a rank id.
  std::map<std::string, TokenId, std::less<>> special_tokens;
  // If non-zero, the declared vocabulary size (tiktoken's explicit_n_vocab); loading checks it.
  uint32_t explicit_n_vocab = 0;
};

// Returns the built-in spec (pattern and special tokens) of a known encoding name:
// o200k_base, o200k_harmony, cl100k_base, p50k_base, p50k_edit, r50k_base, gpt2.
// NotFound for any other name.
absl::StatusOr<EncodingSpec> KnownEncodingSpec(std::string_view name);

// Maps a model name to its encoding name, like tiktoken's encoding_for_model: exact names
// first, then families by prefix, so dated snapshots (gpt-4o-2024-08-06) resolve. A leading
// provider prefix ("openai/", "azure/") is ignored. NotFound for an unknown model: never a
// silent fallback.
absl::StatusOr<std::string> EncodingNameForModel(std::string_view model);

// Result of Encoding::CountUntil().
struct CountUntilResult {
  // Tokens counted: the whole count if it is at most the limit, else the limit.
  size_t count = 0;
  // True if the text has more tokens than the limit.
  bool exceeded = false;
  // The first `count` tokens of the text's encoding cover exactly text[0, byte_offset). When
  // not exceeded this is text.size(). A token can hold part of a UTF-8 character, so the
  // offset may fall inside one; `char_offset` is the largest character boundary <= it.
  size_t byte_offset = 0;
  size_t char_offset = 0;
};

// Worker threads owned by the caller, for CountBatch() and EncodeBatch(). A pool reused across
// calls keeps its threads, and with them their per-thread caches: a fresh thread meets text
// with cold caches and counts it about 1.5x slower, which a batch on new threads pays on
// every call. The library starts no thread of its own.
//
// Thread safety: any thread may use a pool; batches on one pool run one at a time.
class WorkerPool {
 public:
  // `threads` counts the calling thread too (the pool starts threads - 1 workers); values
  // below 1 mean 1.
  explicit WorkerPool(int threads);
  ~WorkerPool();  // Joins the workers.
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int threads() const;

  // Runs work(i) for every i in [0, n), on the workers and the calling thread, handing out
  // indices as threads become free; returns when all are done. work must not throw.
  void ParallelFor(size_t n, const std::function<void(size_t)>& work);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Encoding {
 public:
  // Returns a built-in encoding by name (o200k_base, o200k_harmony, cl100k_base). Built-in
  // encodings are made once per process and shared; the first call takes well under a
  // millisecond (the vocabulary and its hash index are compiled into the library).
  // NotFound for other names; for p50k_base / r50k_base use FromTiktokenFile().
  static absl::StatusOr<std::shared_ptr<const Encoding>> Get(std::string_view name);

  // Get(EncodingNameForModel(model)).
  static absl::StatusOr<std::shared_ptr<const Encoding>> ForModel(std::string_view model);

  // Loads a `.tiktoken` rank file (one "base64(token) rank" per line). The spec gives the
  // pattern and special tokens; KnownEncodingSpec() has them for the known names.
  static absl::StatusOr<std::shared_ptr<const Encoding>> FromTiktokenFile(
      const std::string& path, const EncodingSpec& spec);

  // As FromTiktokenFile(), from the file's bytes in memory. `data` is not retained.
  static absl::StatusOr<std::shared_ptr<const Encoding>> FromTiktokenBytes(
      std::string_view data, const EncodingSpec& spec);

  ~Encoding();
  Encoding(const Encoding&) = delete;
  Encoding& operator=(const Encoding&) = delete;

  const std::string& name() const { return spec_.name; }
  const EncodingSpec& spec() const { return spec_; }
  PatternKind pattern_kind() const { return pattern_kind_; }

  // One more than the largest token id, special tokens included (tiktoken's n_vocab).
  uint32_t n_vocab() const { return n_vocab_; }
  // The id of "<|endoftext|>", or -1 if the encoding has none.
  int64_t eot_token() const;
  // Special token text -> id.
  const std::map<std::string, TokenId, std::less<>>& special_tokens() const {
    return spec_.special_tokens;
  }

  // Encodes text with special-token strings treated as ordinary text (tiktoken's
  // encode_ordinary). Fails only on invalid UTF-8 under InvalidUtf8::kReject.
  absl::StatusOr<std::vector<TokenId>> EncodeOrdinary(
      std::string_view text, InvalidUtf8 invalid_utf8 = InvalidUtf8::kReject) const;

  // Encodes text with the given special-token policies. With the defaults this behaves like
  // tiktoken's encode(text): a special-token string in the text is an InvalidArgument error
  // naming its byte offset.
  absl::StatusOr<std::vector<TokenId>> Encode(std::string_view text,
                                              const EncodeOptions& options = {}) const;

  // Counts the tokens Encode() would return, without storing them.
  absl::StatusOr<size_t> Count(std::string_view text, const CountOptions& options = {}) const;

  // Counts tokens up to `limit` and stops: with the default options the work is proportional
  // to the limit, not to the text (the first 1,000 tokens of a 10 MB document cost about as
  // much as counting 4 kB). Special-token policies other than kAsText, replacement of invalid
  // UTF-8 and custom split patterns need a pass over the whole text first.
  absl::StatusOr<CountUntilResult> CountUntil(std::string_view text, size_t limit,
                                              const CountOptions& options = {}) const;

  // Counts or encodes many texts on `threads` threads (0 or 1: the calling thread only). The
  // threads live only for the call; results are in input order. The first error (lowest
  // index) is returned with the index of its text.
  absl::StatusOr<std::vector<size_t>> CountBatch(const std::vector<std::string_view>& texts,
                                                 int threads,
                                                 const CountOptions& options = {}) const;
  absl::StatusOr<std::vector<std::vector<TokenId>>> EncodeBatch(
      const std::vector<std::string_view>& texts, int threads,
      const EncodeOptions& options = {}) const;
  // The same on a caller-owned pool (see WorkerPool): for repeated batches.
  absl::StatusOr<std::vector<size_t>> CountBatch(const std::vector<std::string_view>& texts,
                                                 WorkerPool& pool,
                                                 const CountOptions& options = {}) const;
  absl::StatusOr<std::vector<std::vector<TokenId>>> EncodeBatch(
      const std::vector<std::string_view>& texts, WorkerPool& pool,
      const EncodeOptions& options = {}) const;

  // Returns the bytes of the given tokens, concatenated. The result need not be valid UTF-8
  // (a token may hold part of a character). InvalidArgument names the first unknown id.
  absl::StatusOr<std::string> Decode(absl::Span<const TokenId> ids) const;

  // Returns the bytes of one token (special tokens included). InvalidArgument if unknown.
  absl::StatusOr<std::string> DecodeToken(TokenId id) const;

  // Returns the id of a byte string that is exactly one token (an ordinary token or a special
  // token's text), NotFound otherwise. Like tiktoken's encode_single_token.
  absl::StatusOr<TokenId> EncodeSingleToken(std::string_view bytes) const;

  // Number of ordinary (non-special) tokens, i.e. ranks present in the rank file.
  size_t n_ranks() const;

  // Internal: the rank table and the pretokenizer, for other parts of the library.
  const encoding_internal::Vocab& vocab() const { return *vocab_; }
  const encoding_internal::Pretokenizer& pretokenizer() const { return *pretokenizer_; }

 private:
  Encoding();
  static absl::StatusOr<std::shared_ptr<const Encoding>> Make(
      std::unique_ptr<encoding_internal::Vocab> vocab, const EncodingSpec& spec);

  // Options is EncodeOptions or CountOptions (same fields, different defaults).
  template <class Options, class Sink>
  absl::Status Run(std::string_view text, const Options& options, Sink& sink) const;

  EncodingSpec spec_;
  PatternKind pattern_kind_ = PatternKind::kCustom;
  uint32_t n_vocab_ = 0;
  std::unique_ptr<encoding_internal::Vocab> vocab_;
  std::unique_ptr<encoding_internal::Pretokenizer> pretokenizer_;
  std::map<TokenId, std::string> special_by_id_;
  std::string special_first_bytes_;  // Distinct first bytes of the special tokens.
};

// IncrementalCounter: the exact token count of a text that arrives in pieces (a streamed
// response, a growing buffer). Append() bytes, read count() at any time: it equals Count() of
// everything appended so far. Pieces that later text can no longer change are counted once
// and dropped; only a short unstable tail is kept and recounted. An incomplete UTF-8 character
// at the end is held back (not counted) until its remaining bytes arrive. Special-token
// strings count as text.
//
// Cost: for the built-in split patterns (o200k, cl100k and the gpt2 family) appending costs
// O(bytes appended) amortized plus a bounded amount per call, whatever the text: a piece that
// keeps growing (a megabyte of one letter, of spaces, of CJK, of punctuation) is not rescanned
// or re-encoded. Such a piece, once longer than a few hundred bytes, is split by following
// its run (encoding/pretokenizer.h, OpenRun) and counted from the token count of each of its
// prefixes (encoding/long_piece.h, PrefixCounter), which costs up to 17 bytes of memory per
// byte of the piece until it ends. A custom split pattern (PCRE2) keeps the simple way: the
// unstable tail is split and encoded again on each call, which for one long growing piece is
// quadratic. So does a loaded vocabulary for which the prefix counts find no token somewhere
// (none of OpenAI's does): the counter notices and stays exact.
//
// Movable, not copyable. Thread safety: one thread at a time per counter; the Encoding may be
// shared.
class IncrementalCounter {
 public:
  explicit IncrementalCounter(std::shared_ptr<const Encoding> encoding);
  ~IncrementalCounter();
  IncrementalCounter(IncrementalCounter&&) noexcept;
  IncrementalCounter& operator=(IncrementalCounter&&) noexcept;

  // Appends bytes. InvalidArgument (naming the byte offset in the whole stream) on invalid
  // UTF-8; the counter then keeps what it had before the call.
  absl::Status Append(std::string_view bytes);

  // Exact token count of the complete characters appended so far.
  size_t count() const { return committed_tokens_ + tail_tokens_; }
  // Bytes appended so far, and bytes held back as an incomplete character.
  uint64_t bytes() const { return bytes_; }
  size_t pending_bytes() const { return pending_.size(); }

  void Reset();

 private:
  struct OpenPiece;  // A long growing piece at the start of tail_ (counting.cc).

  absl::Status Settle();
  // Settles tail_ while it starts with an open piece; false when the piece has ended (it is
  // then committed and tail_ holds what follows it) and Settle() goes on the usual way.
  bool SettleOpen();
  // After the usual way: follows the piece at the start of tail_ if it is long and open.
  void TryOpen(const std::vector<std::pair<size_t, size_t>>& pieces);

  std::shared_ptr<const Encoding> encoding_;
  std::string tail_;     // Text not yet committed.
  std::string pending_;  // Incomplete UTF-8 character at the end.
  size_t committed_tokens_ = 0;
  size_t tail_tokens_ = 0;
  uint64_t bytes_ = 0;
  std::unique_ptr<OpenPiece> open_;
  size_t retry_open_at_ = 0;  // Tail size from which TryOpen() tries again after a failure.
};

// Lists the names Encoding::Get() accepts.
std::vector<std::string> BuiltinEncodingNames();

}  // namespace tokwise

#endif  // TOKWISE_ENCODING_H_
