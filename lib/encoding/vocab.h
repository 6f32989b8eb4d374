// Vocab: the ranks of an encoding (token bytes <-> id) with a hash index for lookups.
#ifndef TOKWISE_LIB_ENCODING_VOCAB_H_
#define TOKWISE_LIB_ENCODING_VOCAB_H_

#include <cstddef>
#include <cstdint>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tokwise::encoding_internal {

inline constexpr uint32_t kNoRank = 0xFFFFFFFFu;

// The index keys are little-endian words of token bytes, and the embedded tables are written
// in the build machine's byte order: both assume a little-endian target (x86-64, AArch64).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "tokwise assumes a little-endian target");

// Equality of two byte strings of the same length n, inline for the short strings that token
// lookups compare (a libc call costs more than the compare). Loads stay inside both strings.
inline bool BytesEqual(const uint8_t* a, const uint8_t* b, size_t n) {
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    uint64_t x0, y0, x1, y1;
    std::memcpy(&x0, a, 8);
    std::memcpy(&y0, b, 8);
    std::memcpy(&x1, a + n - 8, 8);
    std::memcpy(&y1, b + n - 8, 8);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
  if (n >= 4) {
    uint32_t x0, y0, x1, y1;
    std::memcpy(&x0, a, 4);
    std::memcpy(&y0, b, 4);
    std::memcpy(&x1, a + n - 4, 4);
    std::memcpy(&y1, b + n - 4, 4);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Hash of a byte string, stable across builds and machines (the embedded index stores it).
// Short strings, which are most of what BPE asks about, take two loads and no loop: the tail
// is read as overlapping words, and the length is mixed in so overlaps cannot collide.
inline uint64_t HashBytes(const uint8_t* p, size_t n) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = 0x243F6A8885A308D3ull ^ (n * kMul);
  uint64_t w;
  if (n >= 8) {
    const uint8_t* end = p + n;
    while (end - p > 8) {
      std::memcpy(&w, p, 8);
      h = (h ^ w) * kMul;
      h ^= h >> 29;
      p += 8;
    }
    std::memcpy(&w, end - 8, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    w = a | (uint64_t{b} << 32);
  } else if (n > 0) {
    w = p[0] | (uint64_t{p[n / 2]} << 8) | (uint64_t{p[n - 1]} << 16);
  } else {
    w = 0;
  }
  h = (h ^ w) * kMul;
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

// The rank table. Token i's bytes are bytes()[offsets()[i], offsets()[i + 1]); a rank absent
// from the file (a gap) has zero length. The index is open addressing with linear probing;
// each slot holds the high half of the hash (to skip most byte compares) and the rank.
//
// The same layout serves the embedded encodings (pointers into the library's read-only data,
// index precomputed at build time, so making them ready costs nothing) and loaded ones
// (owned vectors).
struct LongPieceTables;
struct SuffixTables;

class Vocab {
 public:
  struct Slot {
    uint32_t tag;
    uint32_t rank;
  };

  // A cache line of the short-token index: up to five tokens of at most 8 bytes, each as its
  // ShortKey() and (length << 24 | rank); an unused way holds kNoRank. Ways fill in order, so
  // the first unused way ends a search; a full bucket continues in the next one.
  struct alignas(64) ShortBucket {
    static constexpr int kWays = 5;
    uint64_t keys[kWays];
    uint32_t vals[kWays];
    uint32_t unused;
  };
  static_assert(sizeof(ShortBucket) == 64, "one cache line per bucket");

  // A cache line of the mid index: up to three tokens of 9 to 16 bytes, each as its first and
  // last eight bytes and (length << 24 | rank); filled and searched like ShortBucket.
  struct alignas(64) MidBucket {
    static constexpr int kWays = 3;
    uint64_t lo[kWays];
    uint64_t hi[kWays];
    uint32_t vals[kWays];
    uint32_t unused;
  };
  static_assert(sizeof(MidBucket) == 64, "one cache line per bucket");

  // Parses a `.tiktoken` rank file. Errors name the line.
  static absl::StatusOr<std::unique_ptr<Vocab>> FromTiktoken(std::string_view data);

  // Views a serialized vocab (see Serialize()) without copying. `data` must outlive the Vocab
  // and be 4-byte aligned.
  static absl::StatusOr<std::unique_ptr<Vocab>> FromSerialized(std::string_view data);

  // The compact binary form embedded into the library.
  std::string Serialize() const;

  // Returns the rank of the byte string, or kNoRank. Strings of up to 16 bytes (most that BPE
  // asks about) are answered by the short and mid indexes, in one cache line each.
  uint32_t Lookup(const uint8_t* p, size_t n) const {
    if (n <= 8) return n == 0 ? kNoRank : LookupShort(ShortKey(p, n), n);
    if (n <= 16) return LookupMid(Word(p), Word(p + n - 8), n);
    if (n > max_token_len_) return kNoRank;
    return LookupHashed(p, n, HashBytes(p, n));
  }

  // As Lookup(), for callers whose strings are mostly not tokens (the pairs that merging
  // tries, the candidate lengths of long pieces: 70-95% of them miss on real text). A 512 kB
  // filter, which stays in cache, rules most of them out before the index is touched.
  // Always inline: the long-piece loops call it for every candidate length, and as a call
  // it cost the 1 MB CJK run a quarter of its speed.
  [[gnu::always_inline]] uint32_t LookupLikelyMiss(const uint8_t* p, size_t n) const {
    if (n == 0 || n > max_token_len_) return kNoRank;
    const uint64_t f = FilterHash(p, n);
    if (!((filter_[f >> 6] >> (f & 63)) & 1)) return kNoRank;
    return Lookup(p, n);
  }
  // As Lookup(), with h == HashBytes(p, n) already computed.
  uint32_t LookupHashed(const uint8_t* p, size_t n, uint64_t h) const {
    if (n > max_token_len_) return kNoRank;
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    size_t i = static_cast<size_t>(h) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.rank == kNoRank) return kNoRank;
      if (s.tag == tag) {
        uint32_t a = offsets_[s.rank], b = offsets_[s.rank + 1];
        if (b - a == n && BytesEqual(bytes_ + a, p, n)) return s.rank;
      }
      i = (i + 1) & mask_;
    }
  }
  uint32_t Lookup(std::string_view s) const {
    return Lookup(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }

  // The word holding the n bytes at p (1 <= n <= 8) in its low bytes, little-endian, the
  // rest zero: the key of LookupShort(). Reads only p[0, n).
  static uint64_t ShortKey(const uint8_t* p, size_t n) {
    if (n >= 4) {
      uint32_t a, b;
      std::memcpy(&a, p, 4);
      std::memcpy(&b, p + n - 4, 4);
      // The two words overlap when n < 8; the overlapping bytes are the same, so OR is exact.
      return uint64_t{a} | (uint64_t{b} << (8 * (n - 4)));
    }
    uint64_t k = p[0];
    if (n >= 2) k |= uint64_t{p[1]} << 8;
    if (n >= 3) k |= uint64_t{p[2]} << 16;
    return k;
  }

  // Rank of the token of n bytes (1 <= n <= 8) whose ShortKey() is key, or kNoRank. Most
  // pieces of ordinary text are short single tokens: this answers them from one cache line,
  // without touching the offsets or the token bytes.
  uint32_t LookupShort(uint64_t key, size_t n) const {
    size_t b = ShortBucketOf(key, n);
    for (;;) {
      const ShortBucket& bucket = short_[b];
      for (int k = 0; k < ShortBucket::kWays; ++k) {
        const uint32_t v = bucket.vals[k];
        if (bucket.keys[k] == key && (v >> 24) == n) return v & 0xFFFFFF;
        if (v == kNoRank) return kNoRank;
      }
      b = (b + 1) & short_mask_;
    }
  }

  // Rank of the token of n bytes (9 <= n <= 16) that starts with the 8-byte word lo and ends
  // with the 8-byte word hi (the two overlap when n < 16), or kNoRank. The mid index does for
  // long words what the short index does for short ones.
  uint32_t LookupMid(uint64_t lo, uint64_t hi, size_t n) const {
    size_t b = MidBucketOf(lo, hi, n);
    for (;;) {
      const MidBucket& bucket = mid_[b];
      for (int k = 0; k < MidBucket::kWays; ++k) {
        const uint32_t v = bucket.vals[k];
        if (bucket.lo[k] == lo && bucket.hi[k] == hi && (v >> 24) == n) return v & 0xFFFFFF;
        if (v == kNoRank) return kNoRank;
      }
      b = (b + 1) & mid_mask_;
    }
  }
  static uint64_t Word(const uint8_t* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }

  // Rank of a single byte (every byte has one: loading checks it).
  uint32_t ByteRank(uint8_t b) const { return byte_rank_[b]; }
  // Rank of a two-byte string, or kNoRank: a table lookup (BPE asks this for every byte of a
  // piece that is not itself a token).
  uint32_t PairRank(uint8_t a, uint8_t b) const { return pair_rank_[(a << 8) | b]; }

  // Number of rank slots (largest rank + 1).
  uint32_t size() const { return n_; }
  // Number of ranks actually present.
  uint32_t n_present() const { return n_present_; }
  size_t max_token_len() const { return max_token_len_; }

  std::string_view TokenBytes(uint32_t rank) const {
    return std::string_view(reinterpret_cast<const char*>(bytes_) + offsets_[rank],
                            offsets_[rank + 1] - offsets_[rank]);
  }
  bool Has(uint32_t rank) const { return rank < n_ && offsets_[rank + 1] > offsets_[rank]; }

  size_t MemoryBytes() const;

  // A number no other Vocab of this process has had. Per-thread caches key on it: a pointer
  // could be reused by a later Vocab at the same address.
  uint64_t uid() const { return uid_; }
  // ---- Addition for tokenizer.json and SentencePiece vocabularies (issue 4); defined in
  // vocab_list.cc so that vocab.cc stays untouched. ----
  // Builds a vocab from token byte strings indexed by id; an empty string marks an id without
  // a token (Has() is false for it). Unlike FromTiktoken(), the 256 single bytes need not all
  // be tokens: ByteRank() is kNoRank for a byte that is not one. Errors: two ids with the same
  // bytes (InvalidArgument naming both ids), a token longer than 1024 bytes, more than 2^24
  // ids.
  static absl::StatusOr<std::unique_ptr<Vocab>> FromTokenList(
      const std::vector<std::string_view>& tokens);

 private:
  friend const LongPieceTables& GetLongPieceTables(const Vocab& vocab);
  friend const SuffixTables& GetSuffixTables(const Vocab& vocab);

  Vocab() = default;
  void BuildIndex();
  // Number of buckets of `ways` entries that hold the tokens of [min_len, max_len] bytes.
  size_t BucketsFor(size_t min_len, size_t max_len, int ways) const;
  void BuildShortIndex();
  void BuildMidIndex();
  void BuildFilter();
  // The filter's bit for a string: the top bits of a hash of all its bytes and its length.
  static uint64_t FilterHash(const uint8_t* p, size_t n) {
    uint64_t h;
    if (n <= 8) {
      h = (ShortKey(p, n) ^ (uint64_t{n} << 59)) * 0xD6E8FEB86659FD93ull;
    } else if (n <= 16) {
      h = (Word(p) * 0xD6E8FEB86659FD93ull) ^ ((Word(p + n - 8) + n) * 0x9E3779B97F4A7C15ull);
      h *= 0xC2B2AE3D27D4EB4Full;
    } else {
      h = HashBytes(p, n) * 0xD6E8FEB86659FD93ull;
    }
    return h >> (64 - kFilterBits);
  }
  static constexpr int kFilterBits = 22;  // 2^22 bits: 512 kB.
  size_t MidBucketOf(uint64_t lo, uint64_t hi, size_t n) const {
    uint64_t h = (lo * 0x9E3779B97F4A7C15ull) ^ ((hi ^ (uint64_t{n} << 59)) * 0xC2B2AE3D27D4EB4Full);
    return static_cast<size_t>(h >> 32) & mid_mask_;
  }
  size_t ShortBucketOf(uint64_t key, size_t n) const {
    uint64_t h = (key ^ (uint64_t{n} << 59)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> 32) & short_mask_;
  }
  void Finish();

  static uint64_t NextUid();

  uint64_t uid_ = NextUid();
  uint32_t duplicate_ranks_[2] = {0, 0};  // Set by BuildIndex() when it finds a duplicate.
  uint32_t n_ = 0;
  uint32_t n_present_ = 0;
  size_t max_token_len_ = 0;
  size_t mask_ = 0;
  const uint32_t* offsets_ = nullptr;
  const uint8_t* bytes_ = nullptr;
  const Slot* slots_ = nullptr;
  const uint32_t* pair_rank_ = nullptr;  // 65536 entries.
  const ShortBucket* short_ = nullptr;
  size_t short_mask_ = 0;
  const MidBucket* mid_ = nullptr;
  size_t mid_mask_ = 0;
  const uint64_t* filter_ = nullptr;  // 2^kFilterBits bits: set for every token's FilterHash.
  uint32_t byte_rank_[256];

  // Storage when the vocab owns its data.
  std::vector<uint32_t> own_offsets_;
  std::vector<uint8_t> own_bytes_;
  std::vector<Slot> own_slots_;
  std::vector<uint32_t> own_pair_rank_;
  std::vector<ShortBucket> own_short_;
  std::vector<MidBucket> own_mid_;
  std::vector<uint64_t> own_filter_;

  // Built on first use by the long-piece encoder (long_piece.cc).
  mutable std::once_flag long_once_;
  mutable std::shared_ptr<const LongPieceTables> long_tables_;
  mutable std::atomic<const LongPieceTables*> long_ptr_{nullptr};
  // Built on first use by the incremental counter's prefix counts (long_piece.cc).
  mutable std::once_flag suffix_once_;
  mutable std::shared_ptr<const SuffixTables> suffix_tables_;
};

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_VOCAB_H_
