// tokwise/count_cache.h: a bounded cache of token counts keyed by content hash.
//
// Agent loops re-send their whole history on every call, so counting step 50 from scratch
// re-tokenizes 49 messages that were counted before. TokenCountCache remembers the count of
// each message text (per tokenizer and counting options) by a 128-bit hash of its bytes, so
// a pre-flight costs one hash pass over the history plus the tokenization of the new
// message only. The chat layer counts each message's content through it and adds its own
// per-message framing.
//
//   tokwise::TokenCountCache cache(1 << 16);
//   auto enc = *tokwise::Encoding::Get("o200k_base");
//   size_t total = *cache.CountAll(*enc, texts);   // texts: std::vector<std::string_view>
//
// This unit depends only on encoding.h (the chat layer may use it without the budget code).
//
// Approximation: two different texts with the same length and the same 128-bit hash would
// share a count. The hash is keyed with a random per-cache seed, so such a collision cannot
// be planned from outside; by chance it is about 2^-64 likely even with billions of entries.
// TODO: a keyed cryptographic hash (SipHash-2-4-128) would make the no-collision claim hold
// against an attacker who learns the seed, at about 3x the hashing time.
//
// Thread safety: all methods may be called from any number of threads (the cache is split
// into independently locked shards). The Encoding passed in must be shared-safe (it is).
#ifndef TOKWISE_COUNT_CACHE_H_
#define TOKWISE_COUNT_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "tokwise/encoding.h"

namespace tokwise {

class TokenCountCache {
 public:
  // Keeps at most about `max_entries` counts (at least 64); the least recently used go first
  // (approximately: entries live in two generations per shard; a hit in the old generation
  // moves the entry to the new one, and a full new generation retires the old one).
  explicit TokenCountCache(size_t max_entries = 1 << 16);
  ~TokenCountCache();
  TokenCountCache(const TokenCountCache&) = delete;
  TokenCountCache& operator=(const TokenCountCache&) = delete;

  // Returns encoding.Count(text, options), from the cache when this text was counted before
  // with an encoding of the same name and vocabulary size and the same options. Errors are
  // Count()'s (invalid UTF-8) and are not cached.
  //
  // Encodings are told apart by name() and n_vocab(): give different rank files different
  // names if one cache serves both.
  absl::StatusOr<size_t> Count(const Encoding& encoding, std::string_view text,
                               const CountOptions& options = {});

  // The sum of Count() over `texts`. On error, the message names the index of the text.
  absl::StatusOr<size_t> CountAll(const Encoding& encoding,
                                  absl::Span<const std::string_view> texts,
                                  const CountOptions& options = {});

  // Any tokenizer: `tokenizer_key` identifies the tokenizer and its options (e.g.
  // "llama3/add_bos=0"); `count` is called on a miss.
  absl::StatusOr<size_t> GetOrCount(
      std::string_view tokenizer_key, std::string_view text,
      const std::function<absl::StatusOr<size_t>(std::string_view)>& count);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t entries = 0;  // Now cached.
    uint64_t hashed_bytes = 0;
  };
  Stats stats() const;
  void Clear();

 private:
  struct Shard;
  struct Key {
    uint64_t lo, hi;
    uint64_t length;
  };
  Key MakeKey(uint64_t tokenizer_seed, std::string_view text);
  // GetOrCount() with the tokenizer key already hashed (CountAll() hashes it once).
  absl::StatusOr<size_t> GetOrCountSeeded(
      uint64_t tokenizer_seed, std::string_view text,
      const std::function<absl::StatusOr<size_t>(std::string_view)>& count);
  bool Lookup(const Key& key, size_t* count);
  void Insert(const Key& key, size_t count);

  uint64_t seed_;
  size_t per_generation_;  // Entries per shard generation.
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> hits_{0}, misses_{0}, hashed_bytes_{0};
};

// A fast keyed 128-bit hash of `data` (written for the cache; not cryptographic). Exposed for
// tests and for other content-addressed caches. Returns {low 64 bits, high 64 bits}.
std::pair<uint64_t, uint64_t> ContentHash128(std::string_view data, uint64_t seed);

}  // namespace tokwise

#endif  // TOKWISE_COUNT_CACHE_H_
