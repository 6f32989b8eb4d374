#include "encoding/bpe.h"

#include <algorithm>
#include <functional>
#include <memory>

namespace tokwise::encoding_internal {

PairCache& ThreadPairCache(const Vocab& vocab) {
  thread_local std::unique_ptr<PairCache> cache;
  if (!cache) cache = std::make_unique<PairCache>();
  if (cache->owner != vocab.uid()) cache->Reset(vocab);
  return *cache;
}

PieceCache& ThreadPieceCache(const Vocab& vocab) {
  thread_local std::unique_ptr<PieceCache> caches[2];
  thread_local int next_victim = 0;
  for (auto& c : caches) {
    if (c && c->owner == vocab.uid()) return *c;
  }
  std::unique_ptr<PieceCache>& slot = caches[next_victim];
  next_victim ^= 1;
  if (!slot) slot = std::make_unique<PieceCache>();
  slot->Reset(vocab);
  return *slot;
}

void MergeLargeImpl(const Vocab& vocab, const uint8_t* p, size_t n, MergeScratch& s) {
  // Parts are identified by their start offset; next/prev link the live ones, rank[i] is the
  // rank of the pair starting at part i (kNoRank if none). Heap keys are (rank << 32) | start,
  // so the smallest key is the lowest rank, leftmost on ties: tiktoken's choice.
  const uint32_t end = static_cast<uint32_t>(n);
  s.next.resize(n + 1);
  s.prev.resize(n + 1);
  s.rank.resize(n + 1);
  s.heap.clear();
  for (uint32_t i = 0; i < end; ++i) {
    s.next[i] = i + 1;
    s.prev[i] = i == 0 ? end : i - 1;
    s.rank[i] = i + 1 < end ? vocab.PairRank(p[i], p[i + 1]) : kNoRank;
    if (s.rank[i] != kNoRank) s.heap.push_back((uint64_t{s.rank[i]} << 32) | i);
  }
  s.next[end] = end;
  auto greater = std::greater<uint64_t>();
  std::make_heap(s.heap.begin(), s.heap.end(), greater);

  auto pair_rank = [&](uint32_t i) -> uint32_t {
    uint32_t j = s.next[i];
    if (j >= end) return kNoRank;
    uint32_t k = s.next[j];
    return vocab.Lookup(p + i, k - i);
  };

  while (!s.heap.empty()) {
    std::pop_heap(s.heap.begin(), s.heap.end(), greater);
    uint64_t key = s.heap.back();
    s.heap.pop_back();
    uint32_t i = static_cast<uint32_t>(key);
    uint32_t r = static_cast<uint32_t>(key >> 32);
    // Stale entries: the part was absorbed by its left neighbour, or its pair changed.
    if (s.rank[i] != r) continue;

    // Merge part i with its right neighbour j.
    uint32_t j = s.next[i];
    uint32_t k = s.next[j];
    s.next[i] = k;
    if (k < end) s.prev[k] = i;
    s.rank[j] = kNoRank;

    s.rank[i] = pair_rank(i);
    if (s.rank[i] != kNoRank) {
      s.heap.push_back((uint64_t{s.rank[i]} << 32) | i);
      std::push_heap(s.heap.begin(), s.heap.end(), greater);
    }
    if (i != 0) {
      uint32_t h = s.prev[i];
      s.rank[h] = pair_rank(h);
      if (s.rank[h] != kNoRank) {
        s.heap.push_back((uint64_t{s.rank[h]} << 32) | h);
        std::push_heap(s.heap.begin(), s.heap.end(), greater);
      }
    }
  }
}

}  // namespace tokwise::encoding_internal
