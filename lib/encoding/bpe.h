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

#include "encoding/long_piece.h"
#include "encoding/vocab.h"

namespace tokwise::encoding_internal {

// Pieces up to this length merge over stack arrays (quadratic, fastest when short); longer
// ones take the linear long-piece path (long_piece.h). Measured on the corpus, file by file:
// from 16 bytes the long-piece path wins for Cyrillic, Indic and Armenian words (1.5-2x) and
// for Chinese and Japanese runs (5-15%), and loses only on Thaana.
inline constexpr size_t kSmallPiece = 16;

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
    uint32_t r = vocab.LookupLikelyMiss(p, n);
    keys[slot] = key;
    values[slot] = r;
    return r;
  }
};

PairCache& ThreadPairCache(const Vocab& vocab);

// What merging two adjacent parts gives: `prio` orders merges (lowest first; kNoRank: the
// pair does not merge) and `token` is the part they make.
struct PartMerge {
  uint32_t prio;
  uint32_t token;
};

// The merge loop over stack arrays shared by the rank rule (tiktoken: a pair's priority is
// the rank of the token it makes) and the merge-index rule (tokenizer.json). The caller fills
// tokens[0, n) with the first parts, start[0, n] with their offsets (start[n] = end), and
// prio/merged[0, n - 1) with what each part and its right neighbour give. The pair with the
// lowest priority merges, the leftmost of equal ones (the strict < keeps the first); the
// minimum is found without branches, since a mispredicted branch per comparison would cost
// more than the comparisons. pair(left, right, begin, end) is the PartMerge of two adjacent
// parts covering bytes [begin, end). Returns the number of parts left in tokens[].
// kTokenIsPrio: the rank rule, where a merge's priority is the token it makes; merged[] is then
// neither read nor kept (its shifting cost the rank path a few percent).
template <bool kTokenIsPrio, class Pair>
size_t MergeParts(size_t n, uint32_t* tokens, uint32_t* prio, uint32_t* merged, uint8_t* start,
                  Pair&& pair) {
  prio[n - 1] = kNoRank;  // The last part has no right neighbour.
  size_t m = n;
  for (;;) {
    uint32_t best = kNoRank;
    size_t at = 0;
    for (size_t i = 0; i + 1 < m; ++i) {
      const bool less = prio[i] < best;
      best = less ? prio[i] : best;
      at = less ? i : at;
    }
    if (best == kNoRank) break;
    // Part at absorbs part at + 1.
    tokens[at] = kTokenIsPrio ? best : merged[at];
    for (size_t i = at + 1; i + 1 < m; ++i) {
      tokens[i] = tokens[i + 1];
      prio[i] = prio[i + 1];
      if (!kTokenIsPrio) merged[i] = merged[i + 1];
      start[i] = start[i + 1];
    }
    start[m - 1] = start[m];
    --m;
    prio[m - 1] = kNoRank;
    if (at + 1 < m) {
      const PartMerge r = pair(tokens[at], tokens[at + 1], start[at], start[at + 2]);
      prio[at] = r.prio;
      if (!kTokenIsPrio) merged[at] = r.token;
    }
    if (at > 0) {
      const PartMerge l = pair(tokens[at - 1], tokens[at], start[at - 1], start[at + 1]);
      prio[at - 1] = l.prio;
      if (!kTokenIsPrio) merged[at - 1] = l.token;
    }
  }
  return m;
}

// Merges a piece that is not itself a token (2 <= n <= 64) and calls emit(rank) for each
// result; the same result as MergeSmall(), faster for the short pieces of ordinary text.
template <class Emit>
void MergeShort(const Vocab& vocab, PairCache& cache, const uint8_t* p, size_t n, Emit&& emit) {
  assert(n >= 2 && n <= 64);
  uint32_t tokens[64], prio[64];
  uint8_t start[65];
  for (size_t i = 0; i < n; ++i) {
    tokens[i] = vocab.ByteRank(p[i]);
    start[i] = static_cast<uint8_t>(i);
  }
  start[n] = static_cast<uint8_t>(n);
  for (size_t i = 0; i + 1 < n; ++i) prio[i] = vocab.PairRank(p[i], p[i + 1]);
  const size_t m = MergeParts<true>(n, tokens, prio, /*merged=*/nullptr, start,
                              [&](uint32_t a, uint32_t b, size_t begin, size_t end) {
                                const uint32_t r = cache.Get(vocab, a, b, p + begin, end - begin);
                                return PartMerge{r, r};
                              });
  for (size_t i = 0; i < m; ++i) emit(tokens[i]);
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

// A per-thread cache of pieces of up to kMaxBytes bytes that are not one token, with their
// tokens: text repeats its words, and merging a piece costs far more than finding it here.
// Two-way set associative (a direct-mapped table lost a sixth of its hits to collisions on
// English prose); the newer entry of a set is way 0. 256 kB; entries hold pieces of at most
// kMaxBytes bytes and kMaxTokens tokens.
struct PieceCache {
  static constexpr size_t kSets = 1 << 11;
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
  Entry entries[2 * kSets];

  void Reset(const Vocab& v) {
    owner = v.uid();
    for (Entry& e : entries) e.len = 0;
  }
  // The entry holding piece p[0, n) with hash h, or nullptr.
  const Entry* Find(uint64_t h, const uint8_t* p, size_t n) const {
    const Entry* set = &entries[2 * (h & (kSets - 1))];
    for (int way = 0; way < 2; ++way) {
      const Entry& e = set[way];
      if (e.hash == h && e.len == n && BytesEqual(e.bytes, p, n)) return &e;
    }
    return nullptr;
  }
  // Keeps piece p[0, n) (n <= kMaxBytes) with its tokens under hash h, unless it has more
  // than kMaxTokens of them; the older entry of h's set is dropped.
  void Store(uint64_t h, const uint8_t* p, size_t n, const uint32_t* tokens, size_t ntok) {
    if (ntok > kMaxTokens) return;
    Entry* set = &entries[2 * (h & (kSets - 1))];
    set[1] = set[0];
    Entry& e = set[0];
    e.hash = h;
    e.len = static_cast<uint8_t>(n);
    e.ntok = static_cast<uint8_t>(ntok);
    std::memcpy(e.bytes, p, n);
    std::memcpy(e.tokens, tokens, ntok * sizeof(uint32_t));
  }
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
  // Piece cache misses in a row, and pieces left to merge without the cache: text that
  // misses it all the time (random base64, hashes) stops paying for its lookups and stores.
  uint32_t misses_in_row = 0;
  uint32_t skip_cache = 0;
};

void MergeLargeImpl(const Vocab& vocab, const uint8_t* p, size_t n, MergeScratch& s);

template <class Emit>
void MergeLarge(const Vocab& vocab, const uint8_t* p, size_t n, MergeScratch& s, Emit&& emit) {
  MergeLargeImpl(vocab, p, n, s);
  // After the merge, next[] links the surviving parts from position 0.
  for (uint32_t i = 0; i < n; i = s.next[i]) emit(vocab.Lookup(p + i, s.next[i] - i));
}

// The rest of EncodePiece(): pieces longer than 16 bytes, and shorter ones that are not one
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
  if (n == 3) {
    // The lower-ranked of the two pairs merges (the left one on a tie, which only "aaa" can
    // have), if either is a token; the two parts left cannot merge, their concatenation being
    // the piece. Cheaper than the piece cache, whose lines random text misses.
    const uint32_t left = vocab.PairRank(p[0], p[1]), right = vocab.PairRank(p[1], p[2]);
    if (left == kNoRank && right == kNoRank) {
      emit(vocab.ByteRank(p[0]));
      emit(vocab.ByteRank(p[1]));
      emit(vocab.ByteRank(p[2]));
    } else if (left <= right) {
      emit(left);
      emit(vocab.ByteRank(p[2]));
    } else {
      emit(vocab.ByteRank(p[0]));
      emit(right);
    }
    return;
  }
  if (n <= 16 && scratch.skip_cache != 0) {
    --scratch.skip_cache;
    if (scratch.pairs == nullptr) scratch.pairs = &ThreadPairCache(vocab);
    MergeShort(vocab, *scratch.pairs, p, n, emit);
    return;
  }
  if (n <= PieceCache::kMaxBytes) {
    if (scratch.cache == nullptr) scratch.cache = &ThreadPieceCache(vocab);
    const uint64_t h = HashBytes(p, n);
    if (const PieceCache::Entry* hit = scratch.cache->Find(h >> 20, p, n)) {
      scratch.misses_in_row = 0;
      for (size_t i = 0; i < hit->ntok; ++i) emit(hit->tokens[i]);
      return;
    }
    if (++scratch.misses_in_row == 64) {
      scratch.misses_in_row = 0;
      scratch.skip_cache = 1024;
    }
    uint32_t tokens[PieceCache::kMaxBytes];
    size_t ntok = 0;
    // Pieces of up to 16 bytes reach here only when they are not one token.
    uint32_t r = n <= 16 ? kNoRank : vocab.LookupHashed(p, n, h);
    if (r != kNoRank) {
      tokens[ntok++] = r;
    } else {
      if (scratch.pairs == nullptr) scratch.pairs = &ThreadPairCache(vocab);
      MergeShort(vocab, *scratch.pairs, p, n, [&](uint32_t t) { tokens[ntok++] = t; });
    }
    scratch.cache->Store(h >> 20, p, n, tokens, ntok);
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
  // A run of a short unit can need a step back every few tokens (the BPE of a long run of '*'
  // starts with 64s where the longest token is 96) or many lookups a byte ("/*/*"): past one
  // lookup, check or step per eight bytes, the run's own encoder, which finds the period of
  // its tokens, takes over. Runs it would be slower on (spaces: long tokens, found at the
  // first lookup) stay within that.
  const size_t unit = RepeatUnit(p, n);
  constexpr size_t kNoLimit = ~size_t{0};
  if (EncodeLongPiece(vocab, p, n, &scratch.long_out, unit != 0 ? n / 8 + 256 : kNoLimit) ||
      (unit != 0 && EncodePeriodicRun(vocab, p, n, unit, &scratch.long_out)) ||
      (unit != 0 && EncodeLongPiece(vocab, p, n, &scratch.long_out, kNoLimit))) {
    for (uint32_t t : scratch.long_out) emit(t);
    return;
  }
  MergeLarge(vocab, p, n, scratch, emit);
}

// Encodes one piece (n >= 1); `end`, if not null, is the end of the buffer p points into
// (reads stay inside it). Most pieces of ordinary text are single tokens of at most 16
// bytes: those cost one line of the short or the mid index, inline. tiktoken too looks the whole piece
// up first. The rest: EncodePieceSlow().
template <class Emit>
inline void EncodePiece(const Vocab& vocab, const uint8_t* p, size_t n, MergeScratch& scratch,
                        Emit&& emit, const uint8_t* end = nullptr) {
  if (n <= 8) {
    // With eight readable bytes (`end`, when given, is the end of the caller's buffer), the
    // key is one load and a mask.
    const uint64_t key = end != nullptr && end - p >= 8
                             ? Vocab::Word(p) & (~uint64_t{0} >> (64 - 8 * n))
                             : Vocab::ShortKey(p, n);
    const uint32_t r = vocab.LookupShort(key, n);
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
