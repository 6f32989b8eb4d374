// Byte pair merging of one pretokenized piece, exactly as tiktoken does it.
//
// The rule: start from single bytes; repeatedly merge the adjacent pair whose concatenation
// has the lowest rank, the leftmost pair on ties; stop when no adjacent concatenation is a
// token. tiktoken rescans all pairs after each merge (quadratic in the piece length). Short
// pieces here do the same over small stack arrays, which is fastest for them; long pieces use
// a min-heap of (rank, position) with lazy deletion, O(n log n), so a megabyte of one letter
// does not take minutes. Both choose the same pair at every step, so the output is identical.
#ifndef TOKWISE_LIB_ENCODING_BPE_H_
#define TOKWISE_LIB_ENCODING_BPE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "encoding/vocab.h"

namespace tokwise::encoding_internal {

// Pieces up to this length merge over stack arrays.
inline constexpr size_t kSmallPiece = 128;

// Merges a piece that is not itself a token (n >= 2) and calls emit(rank) for each result.
template <class Emit>
void MergeSmall(const Vocab& vocab, const uint8_t* p, size_t n, Emit&& emit) {
  uint32_t starts[kSmallPiece + 1];
  uint32_t ranks[kSmallPiece];
  size_t m = n;  // Number of parts.
  for (size_t i = 0; i <= n; ++i) starts[i] = static_cast<uint32_t>(i);
  for (size_t i = 0; i + 1 < n; ++i) ranks[i] = vocab.Lookup(p + i, 2);
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
    for (size_t i = at + 1; i < m; ++i) starts[i] = starts[i + 1];
    for (size_t i = at + 1; i + 1 < m; ++i) ranks[i] = ranks[i + 1];
    --m;
    ranks[m - 1] = kNoRank;
    ranks[at] = at + 1 < m ? vocab.Lookup(p + starts[at], starts[at + 2] - starts[at]) : kNoRank;
    if (at > 0) ranks[at - 1] = vocab.Lookup(p + starts[at - 1], starts[at + 1] - starts[at - 1]);
  }
  for (size_t i = 0; i < m; ++i) emit(vocab.Lookup(p + starts[i], starts[i + 1] - starts[i]));
}

// Scratch for MergeLarge, reusable across pieces of one call.
struct MergeScratch {
  std::vector<uint32_t> next, prev, rank;
  std::vector<uint64_t> heap;
};

void MergeLargeImpl(const Vocab& vocab, const uint8_t* p, size_t n, MergeScratch& s);

template <class Emit>
void MergeLarge(const Vocab& vocab, const uint8_t* p, size_t n, MergeScratch& s, Emit&& emit) {
  MergeLargeImpl(vocab, p, n, s);
  // After the merge, next[] links the surviving parts from position 0.
  for (uint32_t i = 0; i < n; i = s.next[i]) emit(vocab.Lookup(p + i, s.next[i] - i));
}

// Encodes one piece: whole-piece lookup first (tiktoken does the same, and most pieces are
// tokens), then merging.
template <class Emit>
void EncodePiece(const Vocab& vocab, const uint8_t* p, size_t n, MergeScratch& scratch,
                 Emit&& emit) {
  if (n == 1) {
    emit(vocab.ByteRank(p[0]));
    return;
  }
  uint32_t r = vocab.Lookup(p, n);
  if (r != kNoRank) {
    emit(r);
    return;
  }
  if (n <= kSmallPiece) {
    MergeSmall(vocab, p, n, emit);
  } else {
    MergeLarge(vocab, p, n, scratch, emit);
  }
}

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_BPE_H_
