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
// A position after which no token fits is remembered and never ended at again, so each
// position is given up at most once and the search is linear in the piece (times the number
// of candidate tokens at a position). Should a vocabulary not have the property the search
// relies on, it gives up and the caller falls back to the heap merge: exact either way.
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

// Encodes p[0, n) into *out (appending). Returns false, leaving *out as it was, once its
// lookups, compatibility checks and steps back (64 each) add up to more than max_work
// (SIZE_MAX: no limit; the search ends anyway), or where the characterisation does not hold;
// the caller then encodes the piece another way.
bool EncodeLongPiece(const Vocab& vocab, const uint8_t* p, size_t n, std::vector<uint32_t>* out,
                     size_t max_work);

// The length (1 to kMaxRepeatUnit) of the shortest unit p[0, n) repeats, or 0 if none.
inline constexpr size_t kMaxRepeatUnit = 4;
size_t RepeatUnit(const uint8_t* p, size_t n);

// Encodes p[0, n), a repetition of its first `unit` bytes (RepeatUnit()), into *out
// (appending), in time linear in the tokens: the last token of each prefix of such a run
// repeats with a period once past a start-up, which is found (a few thousand bytes' work) and
// then followed. Returns false, leaving *out as it was, for a run shorter than the longest
// token and a unit, or where the characterisation does not hold (the caller then encodes the
// run another way).
bool EncodePeriodicRun(const Vocab& vocab, const uint8_t* p, size_t n, size_t unit,
                       std::vector<uint32_t>* out);

// Per-vocab tables for finding the tokens that END at a position (the mirror of len_mask and
// len_mask6, which find the tokens that start there). Built on first use from a vocab's tokens
// (about a millisecond for 200k tokens) and kept with the vocab: 1.5 MB.
struct SuffixTables {
  // By the last two bytes: bit L-1 of word (L-1) / 64 set if a reachable token of length L
  // (2..128) ends so.
  std::vector<uint64_t> mask2;  // 65536 * 2 words.
  // By Hash6 of the last six bytes: bit L-1 set if a reachable token of length L (6..64) ends
  // with six bytes of that hash. A collision only adds candidates.
  std::vector<uint64_t> mask6;
  // By the last two bytes: the longest reachable token ending so (lengths above 128 are tried
  // one by one; no tiktoken vocabulary has one).
  std::vector<uint8_t> max_len;
};

const SuffixTables& GetSuffixTables(const Vocab& vocab);

// The token count of every prefix of a growing piece, each prefix encoded on its own.
//
// Within a piece, tiktoken's encoding is byte-level BPE by rank, and by the pair
// characterisation above the last token of BPE(p[0, i)) is the one token t ending at i that is
// reachable and compatible with the last token of BPE(p[0, i - |t|)) (or starts the piece): the
// sequence BPE(p[0, i - |t|)) + t is then a valid encoding, and the valid encoding is unique.
// So one pass left to right, keeping the last token and the token count of every prefix,
// yields the count of each prefix in O(1); extending by k bytes costs k times the candidates
// tried (lengths of reachable tokens ending with the last bytes, longest first, filtered by
// SuffixTables). tests/encoding_test.cc checks every prefix against the heap merge.
//
// Memory: 8 bytes per byte of the piece (last token and count of each prefix). Not thread safe;
// the compatibility cache used is the calling thread's.
class PrefixCounter {
 public:
  explicit PrefixCounter(const Vocab& vocab) : vocab_(&vocab) {}

  // Extends the prefixes over p[size(), n), where p[0, n) is the piece (its first size() bytes
  // the ones seen before). Returns false, and stays as it was, if some prefix has no candidate
  // (a vocabulary the characterisation does not hold for, or a token longer than 255 bytes): the
  // caller then encodes the piece another way.
  bool Extend(const uint8_t* p, size_t n);

  // Tokens of BPE(p[0, len)), len <= size().
  size_t CountAt(size_t len) const { return len == 0 ? 0 : count_[len - 1]; }
  size_t size() const { return last_.size(); }
  void Clear() {
    last_.clear();
    count_.clear();
  }

 private:
  const Vocab* vocab_;
  std::vector<uint32_t> last_;   // last_[i]: last token of BPE(p[0, i + 1)).
  std::vector<uint32_t> count_;  // count_[i]: tokens of BPE(p[0, i + 1)).
};

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_LONG_PIECE_H_
