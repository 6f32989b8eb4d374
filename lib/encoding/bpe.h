// Byte pair merging of one pretokenized piece, exactly as tiktoken does it.
//
// The rule: start from single bytes; repeatedly merge the adjacent pair whose concatenation
// has the lowest rank, the leftmost pair on ties; stop when no adjacent concatenation is a
// token. tiktoken rescans all pairs after each merge (quadratic in the piece length).
//
// Here, in order: short pieces come from a per-thread cache of recent pieces; a piece that is
// itself a token is one lookup; short pieces merge as tiktoken does over stack arrays (fastest
// for them); long pieces take the linear path of long_piece.h, and should its search give up,
// a min-heap of (rank, position) with lazy deletion, O(n log n). Every path gives tiktoken's
// result exactly; tests compare them with each other and with the goldens.
#ifndef TOKWISE_LIB_ENCODING_BPE_H_
#define TOKWISE_LIB_ENCODING_BPE_H_

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "encoding/vocab.h"

namespace tokwise::encoding_internal {

// Pieces up to this length merge over stack arrays (quadratic, fastest when short); longer
// ones take the linear long-piece path (long_piece.h). 40 measured best on the corpus.
inline constexpr size_t kSmallPiece = 40;

// A small direct-mapped cache of pair merges, (left rank, right rank) -> rank of their
// concatenation or kNoRank. Text repeats its pairs (a Thai or CJK run is built from a few
// hundred characters), so most merge lookups hit here instead of hashing bytes. One per
// thread, tagged with the vocab it belongs to.
struct PairCache {
  static constexpr size_t kSize = 1 << 14;
  uint64_t owner = 0;  // Vocab::uid() of the vocab the entries belong to.
  uint64_t keys[kSize];
  uint32_t values[kSize];

  void Reset(const Vocab& v) {
    owner = v.uid();
    for (uint64_t& k : keys) k = ~uint64_t{0};
  }
  // Rank of the concatenation of tokens a and b, whose bytes are p[0, n).
  uint32_t Get(const Vocab& vocab, uint32_t a, uint32_t b, const uint8_t* p, size_t n) {
    uint64_t key = (uint64_t{a} << 32) | b;
    size_t slot = static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 50);
    if (keys[slot] == key) return values[slot];
    uint32_t r = vocab.Lookup(p, n);
    keys[slot] = key;
    values[slot] = r;
    return r;
  }
};

PairCache& ThreadPairCache(const Vocab& vocab);

// Merges a piece that is not itself a token (2 <= n <= 64) and calls emit(rank) for each
// result; the same result as MergeSmall(), faster for the short pieces of ordinary text.
//
// Parts keep their start offset as their name: part i is bytes [i, next[i]). key[i] packs the
// rank of the pair that part i starts with and i itself, (rank << 6) | i, so the smallest key
// is the lowest rank and, on ties, the leftmost pair: the one BPE merges next. Finding it is a
// branch-free minimum over the n keys (a mispredicted branch per comparison would cost more).
template <class Emit>
void MergeShort(const Vocab& vocab, PairCache& cache, const uint8_t* p, size_t n, Emit&& emit) {
  assert(n >= 2 && n <= 64);
  constexpr uint32_t kNone = 0xFFFFFFFFu;
  uint32_t key[64], tokens[64];
  uint8_t next[64], prev[64];
  auto pack = [](uint32_t rank, size_t i) {
    return rank == kNoRank ? kNone : (rank << 6) | static_cast<uint32_t>(i);
  };
  for (size_t i = 0; i < n; ++i) {
    tokens[i] = vocab.ByteRank(p[i]);
    next[i] = static_cast<uint8_t>(i + 1);
    prev[i] = static_cast<uint8_t>(i - 1);  // prev[0] is never read.
  }
  for (size_t i = 0; i + 1 < n; ++i) key[i] = pack(vocab.PairRank(p[i], p[i + 1]), i);
  key[n - 1] = kNone;
  for (;;) {
    uint32_t best = kNone;
    for (size_t i = 0; i < n; ++i) best = key[i] < best ? key[i] : best;
    if (best == kNone) break;
    const size_t at = best & 63, gone = next[at];
    tokens[at] = best >> 6;
    key[gone] = kNone;
    const size_t after = next[gone];
    next[at] = static_cast<uint8_t>(after);
    if (after < n) {
      prev[after] = static_cast<uint8_t>(at);
      key[at] = pack(cache.Get(vocab, tokens[at], tokens[after], p + at, next[after] - at), at);
    } else {
      key[at] = kNone;
    }
    if (at > 0) {
      const size_t before = prev[at];
      key[before] = pack(cache.Get(vocab, tokens[before], tokens[at], p + before, after - before),
                         before);
    }
  }
  for (size_t i = 0; i < n; i = next[i]) emit(tokens[i]);
}


// Merges a piece that is not itself a token (2 <= n <= kMax) and calls emit(rank) for each
// result. kMax sizes the stack arrays.
template <size_t kMax = kSmallPiece, class Emit>
void MergeSmall(const Vocab& vocab, const uint8_t* p, size_t n, Emit&& emit) {
  assert(n >= 2 && n <= kMax);
  uint32_t starts[kMax + 1];
  uint32_t ranks[kMax];     // ranks[i]: rank of parts i and i+1 merged, or kNoRank.
  uint32_t tokens[kMax];    // tokens[i]: the rank of part i itself.
  PairCache& cache = ThreadPairCache(vocab);
  size_t m = n;  // Number of parts.
  for (size_t i = 0; i <= n; ++i) starts[i] = static_cast<uint32_t>(i);
  for (size_t i = 0; i < n; ++i) tokens[i] = vocab.ByteRank(p[i]);
  for (size_t i = 0; i + 1 < n; ++i) ranks[i] = vocab.PairRank(p[i], p[i + 1]);
  ranks[n - 1] = kNoRank;  // Sentinel: part m-1 has no right neighbour.

  while (m > 1) {
    uint32_t best = kNoRank;
    size_t at = 0;
    for (size_t i = 0; i + 1 < m; ++i) {
      if (ranks[i] < best) {
        best = ranks[i];
        at = i;
      }
    }
    if (best == kNoRank) break;

    // Merge parts `at` and `at + 1`: drop the boundary and the pair that started there.
    tokens[at] = best;
    for (size_t i = at + 1; i < m; ++i) starts[i] = starts[i + 1];
    for (size_t i = at + 1; i + 1 < m; ++i) {
      ranks[i] = ranks[i + 1];
      tokens[i] = tokens[i + 1];
    }
    --m;
    ranks[m - 1] = kNoRank;
    if (at + 1 < m) {
      ranks[at] = cache.Get(vocab, tokens[at], tokens[at + 1], p + starts[at],
                            starts[at + 2] - starts[at]);
    } else {
      ranks[at] = kNoRank;
    }
    if (at > 0) {
      ranks[at - 1] = cache.Get(vocab, tokens[at - 1], tokens[at], p + starts[at - 1],
                                starts[at + 1] - starts[at - 1]);
    }
  }
  for (size_t i = 0; i < m; ++i) emit(tokens[i]);
}

// A per-thread cache of short pieces and their tokens. Text repeats its words, and the rank
// index of a 200k vocabulary (4 MB) misses the CPU caches on most lookups; this table (256 kB)
// holds the recent pieces with their bytes, so a hit costs one cache line and no hashing
// beyond the piece's own. Entries hold pieces of at most kMaxBytes bytes and kMaxTokens tokens.
struct PieceCache {
  static constexpr size_t kSize = 1 << 12;
  static constexpr size_t kMaxBytes = 22;
  static constexpr size_t kMaxTokens = 8;
  struct Entry {
    uint64_t hash;
    uint8_t len;  // 0: empty.
    uint8_t ntok;
    uint8_t bytes[kMaxBytes];
    uint32_t tokens[kMaxTokens];
  };
  static_assert(sizeof(Entry) == 64, "one cache line per entry");
  uint64_t owner = 0;  // Vocab::uid() of the vocab the entries belong to.
  Entry entries[kSize];

  void Reset(const Vocab& v) {
    owner = v.uid();
    for (Entry& e : entries) e.len = 0;
  }
  Entry& Slot(uint64_t h) { return entries[h & (kSize - 1)]; }
};

// The calling thread's piece cache for this vocab (two per thread, so alternating between two
// encodings does not thrash).
PieceCache& ThreadPieceCache(const Vocab& vocab);

// Scratch for one encoding call, reusable across its pieces.
struct MergeScratch {
  std::vector<uint32_t> next, prev, rank;
  std::vector<uint64_t> heap;
  std::vector<uint32_t> long_out;
  PieceCache* cache = nullptr;
  PairCache* pairs = nullptr;
};

// Defined in long_piece.cc (see long_piece.h).
bool EncodeLongPiece(const Vocab& vocab, const uint8_t* p, size_t n, std::vector<uint32_t>* out);

void MergeLargeImpl(const Vocab& vocab, const uint8_t* p, size_t n, MergeScratch& s);

template <class Emit>
void MergeLarge(const Vocab& vocab, const uint8_t* p, size_t n, MergeScratch& s, Emit&& emit) {
  MergeLargeImpl(vocab, p, n, s);
  // After the merge, next[] links the surviving parts from position 0.
  for (uint32_t i = 0; i < n; i = s.next[i]) emit(vocab.Lookup(p + i, s.next[i] - i));
}

// The rest of EncodePiece(): pieces longer than 8 bytes, and short pieces that are not one
// token. Kept out of line so that the common case inlines into the scanning loop.
template <class Emit>
[[gnu::noinline]] void EncodePieceSlow(const Vocab& vocab, const uint8_t* p, size_t n,
                                       MergeScratch& scratch, Emit& emit) {
  if (n == 1) {
    emit(vocab.ByteRank(p[0]));
    return;
  }
  if (n == 2) {
    emit(vocab.ByteRank(p[0]));
    emit(vocab.ByteRank(p[1]));
    return;
  }
  if (n <= PieceCache::kMaxBytes) {
    if (scratch.cache == nullptr) scratch.cache = &ThreadPieceCache(vocab);
    const uint64_t h = HashBytes(p, n);
    PieceCache::Entry& e = scratch.cache->Slot(h >> 20);
    if (e.hash == h && e.len == n && BytesEqual(e.bytes, p, n)) {
      for (size_t i = 0; i < e.ntok; ++i) emit(e.tokens[i]);
      return;
    }
    uint32_t tokens[kSmallPiece];
    size_t ntok = 0;
    // Pieces of up to 16 bytes reach here only when they are not one token.
    uint32_t r = n <= 16 ? kNoRank : vocab.LookupHashed(p, n, h);
    if (r != kNoRank) {
      tokens[ntok++] = r;
    } else {
      if (scratch.pairs == nullptr) scratch.pairs = &ThreadPairCache(vocab);
      MergeShort(vocab, *scratch.pairs, p, n, [&](uint32_t t) { tokens[ntok++] = t; });
    }
    if (ntok <= PieceCache::kMaxTokens) {
      e.hash = h;
      e.len = static_cast<uint8_t>(n);
      e.ntok = static_cast<uint8_t>(ntok);
      std::memcpy(e.bytes, p, n);
      std::memcpy(e.tokens, tokens, ntok * sizeof(uint32_t));
    }
    for (size_t i = 0; i < ntok; ++i) emit(tokens[i]);
    return;
  }
  uint32_t r = vocab.Lookup(p, n);
  if (r != kNoRank) {
    emit(r);
    return;
  }
  if (n <= kSmallPiece) {
    if (scratch.pairs == nullptr) scratch.pairs = &ThreadPairCache(vocab);
    MergeShort(vocab, *scratch.pairs, p, n, emit);
    return;
  }
  scratch.long_out.clear();
  if (EncodeLongPiece(vocab, p, n, &scratch.long_out)) {
    for (uint32_t t : scratch.long_out) emit(t);
    return;
  }
  MergeLarge(vocab, p, n, scratch, emit);
}

// Encodes one piece (n >= 1). Most pieces of ordinary text are single tokens of at most 16
// bytes: those cost one line of the short or the mid index, inline. tiktoken too looks the whole piece
// up first. The rest: EncodePieceSlow().
template <class Emit>
inline void EncodePiece(const Vocab& vocab, const uint8_t* p, size_t n, MergeScratch& scratch,
                        Emit&& emit) {
  if (n <= 8) {
    const uint32_t r = vocab.LookupShort(Vocab::ShortKey(p, n), n);
    if (r != kNoRank) {
      emit(r);
      return;
    }
  } else if (n <= 16) {
    const uint32_t r = vocab.LookupMid(Vocab::Word(p), Vocab::Word(p + n - 8), n);
    if (r != kNoRank) {
      emit(r);
      return;
    }
  }
  EncodePieceSlow(vocab, p, n, scratch, emit);
}

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_BPE_H_
