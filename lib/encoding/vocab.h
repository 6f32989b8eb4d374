// Vocab: the ranks of an encoding (token bytes <-> id) with a hash index for lookups.
#ifndef TOKWISE_LIB_ENCODING_VOCAB_H_
#define TOKWISE_LIB_ENCODING_VOCAB_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tokwise::encoding_internal {

inline constexpr uint32_t kNoRank = 0xFFFFFFFFu;

// Hash of a byte string, stable across builds and machines (the embedded index stores it).
inline uint64_t HashBytes(const uint8_t* p, size_t n) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = 0x243F6A8885A308D3ull ^ (n * kMul);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * kMul;
  }
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
class Vocab {
 public:
  struct Slot {
    uint32_t tag;
    uint32_t rank;
  };

  // Parses a `.tiktoken` rank file. Errors name the line.
  static absl::StatusOr<std::unique_ptr<Vocab>> FromTiktoken(std::string_view data);

  // Views a serialized vocab (see Serialize()) without copying. `data` must outlive the Vocab
  // and be 4-byte aligned.
  static absl::StatusOr<std::unique_ptr<Vocab>> FromSerialized(std::string_view data);

  // The compact binary form embedded into the library.
  std::string Serialize() const;

  // Returns the rank of the byte string, or kNoRank.
  uint32_t Lookup(const uint8_t* p, size_t n) const {
    if (n > max_token_len_) return kNoRank;
    uint64_t h = HashBytes(p, n);
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    size_t i = static_cast<size_t>(h) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.rank == kNoRank) return kNoRank;
      if (s.tag == tag) {
        uint32_t a = offsets_[s.rank], b = offsets_[s.rank + 1];
        if (b - a == n && std::memcmp(bytes_ + a, p, n) == 0) return s.rank;
      }
      i = (i + 1) & mask_;
    }
  }
  uint32_t Lookup(std::string_view s) const {
    return Lookup(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }

  // Rank of a single byte (every byte has one: loading checks it).
  uint32_t ByteRank(uint8_t b) const { return byte_rank_[b]; }

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
  Vocab() = default;
  void BuildIndex();
  void Finish();

  uint32_t n_ = 0;
  uint32_t n_present_ = 0;
  size_t max_token_len_ = 0;
  size_t mask_ = 0;
  const uint32_t* offsets_ = nullptr;
  const uint8_t* bytes_ = nullptr;
  const Slot* slots_ = nullptr;
  uint32_t byte_rank_[256];

  // Storage when the vocab owns its data.
  std::vector<uint32_t> own_offsets_;
  std::vector<uint8_t> own_bytes_;
  std::vector<Slot> own_slots_;
};

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_VOCAB_H_
