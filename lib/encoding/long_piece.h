// Linear-time encoding of long pieces (a megabyte of one letter, of spaces, of CJK).
//
// The byte pair merge on a piece of n bytes costs O(n log n) with the heap, and its constant
// is large. Long pieces instead use the characterisation behind GitHub's `bpe` crate: a token
// sequence is the BPE encoding of its text exactly when every token is reachable (the BPE of
// its own bytes is itself) and every adjacent pair is compatible (the BPE of the two tokens'
// bytes together is that same pair). The encoder walks the piece left to right taking the
// longest reachable token that is compatible with the previous one, trying shorter prefixes
// and backing up a step when none fits. Compatibility is decided by running the exact merge
// on the pair's bytes (at most twice the longest token), cached per thread.
//
// The search is bounded: past a budget of backtracking steps it gives up and the caller
// falls back to the heap merge, so the result is exact either way.
#ifndef TOKWISE_LIB_ENCODING_LONG_PIECE_H_
#define TOKWISE_LIB_ENCODING_LONG_PIECE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "encoding/vocab.h"

namespace tokwise::encoding_internal {

// Per-vocab tables. The embedded encodings carry them precomputed (embedgen); a loaded vocab
// builds them on first use (for a 200k vocabulary about a tenth of a second) and keeps them.
struct LongPieceTables {
  const uint32_t* next_shorter = nullptr;  // Longest reachable proper prefix token, or kNoRank.
  const uint8_t* reachable = nullptr;      // BPE(bytes(t)) == [t].
  const uint8_t* max_len = nullptr;        // By first two bytes: longest reachable token.
  // By first two bytes: bit L-1 set if a reachable token of length L (2..64) starts so.
  const uint64_t* len_mask = nullptr;
  // By a hash of the first six bytes (Hash6): bit L-1 set if a reachable token of length L
  // (6..64) starts with six bytes of that hash. Most long candidates the two-byte mask allows
  // fail (a CJK character starts words of every length); this rules most of them out without
  // a lookup. A collision only adds candidates, so results stay exact.
  const uint64_t* len_mask6 = nullptr;

  static constexpr int kHash6Bits = 17;
  static size_t Hash6(const uint8_t* p) {
    uint32_t a;
    uint16_t b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + 4, 2);
    const uint64_t key = a | (uint64_t{b} << 32);
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - kHash6Bits));
  }

  std::vector<uint32_t> own_next_shorter;
  std::vector<uint8_t> own_reachable, own_max_len;
  std::vector<uint64_t> own_len_mask, own_len_mask6;
};

const LongPieceTables& GetLongPieceTables(const Vocab& vocab);

// Serialized form, appended 8-byte aligned to the embedded vocab: len_mask[65536] (uint64),
// len_mask6[1 << kHash6Bits] (uint64), next_shorter[n] (uint32), reachable[n], max_len[65536].
std::string SerializeLongPieceTables(const Vocab& vocab);
// Views tables serialized for a vocab of n ranks; returns bytes consumed, or 0 if too short.
size_t ViewLongPieceTables(const char* data, size_t size, uint32_t n, LongPieceTables* t);

// Encodes p[0, n) into *out (appending). Returns false, leaving *out as it was, if the search
// ran over its budget; the caller then uses the heap merge.
bool EncodeLongPiece(const Vocab& vocab, const uint8_t* p, size_t n, std::vector<uint32_t>* out);

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_LONG_PIECE_H_
