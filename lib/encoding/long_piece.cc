#include "encoding/long_piece.h"

#include <algorithm>
#include <memory>
#include <cstdint>
#include <mutex>

#include "encoding/bpe.h"

namespace tokwise::encoding_internal {
namespace {

// Exact merge of up to 2 * 255 bytes (a pair of tokens), over stack arrays.
constexpr size_t kPairBytes = 512;
constexpr size_t kMask6Bytes = (size_t{1} << LongPieceTables::kHash6Bits) * 8;

size_t MergeToArray(const Vocab& vocab, const uint8_t* p, size_t n, uint32_t* out) {
  if (n == 1) {
    out[0] = vocab.ByteRank(p[0]);
    return 1;
  }
  size_t m = 0;
  if (n <= 64) {
    MergeShort(vocab, ThreadPairCache(vocab), p, n, [&](uint32_t r) { out[m++] = r; });
  } else {
    MergeSmall<kPairBytes>(vocab, p, n, [&](uint32_t r) { out[m++] = r; });
  }
  return m;
}

std::unique_ptr<LongPieceTables> Build(const Vocab& vocab) {
  auto t = std::make_unique<LongPieceTables>();
  const uint32_t n = vocab.size();
  t->own_reachable.assign(n, 0);
  t->own_next_shorter.assign(n, kNoRank);
  t->own_max_len.assign(65536, 0);
  t->own_len_mask.assign(65536, 0);
  t->own_len_mask6.assign(size_t{1} << LongPieceTables::kHash6Bits, 0);
  uint32_t out[kPairBytes];
  for (uint32_t r = 0; r < n; ++r) {
    if (!vocab.Has(r)) continue;
    std::string_view b = vocab.TokenBytes(r);
    const uint8_t* p = reinterpret_cast<const uint8_t*>(b.data());
    if (b.size() > 255) continue;  // Never chosen: lengths are kept in a byte.
    bool reachable = b.size() == 1 || (MergeToArray(vocab, p, b.size(), out) == 1 && out[0] == r);
    t->own_reachable[r] = reachable;
    if (b.size() >= 2 && reachable) {
      size_t key = (p[0] << 8) | p[1];
      uint8_t& ml = t->own_max_len[key];
      ml = std::max<uint8_t>(ml, static_cast<uint8_t>(b.size()));
      if (b.size() <= 64) t->own_len_mask[key] |= uint64_t{1} << (b.size() - 1);
      if (b.size() >= 6 && b.size() <= 64) {
        t->own_len_mask6[LongPieceTables::Hash6(p)] |= uint64_t{1} << (b.size() - 1);
      }
    }
  }
  // next_shorter needs every token's reachability first.
  for (uint32_t r = 0; r < n; ++r) {
    if (!vocab.Has(r)) continue;
    std::string_view b = vocab.TokenBytes(r);
    const uint8_t* p = reinterpret_cast<const uint8_t*>(b.data());
    for (size_t len = std::min<size_t>(b.size(), 256) - 1; len >= 1; --len) {
      uint32_t q = vocab.Lookup(p, len);
      if (q != kNoRank && t->own_reachable[q]) {
        t->own_next_shorter[r] = q;
        break;
      }
    }
  }
  t->next_shorter = t->own_next_shorter.data();
  t->reachable = t->own_reachable.data();
  t->max_len = t->own_max_len.data();
  t->len_mask = t->own_len_mask.data();
  t->len_mask6 = t->own_len_mask6.data();
  return t;
}

// Per-thread cache of pair compatibility, (t1, t2) -> compatible (1.1 MB: text in many
// scripts, read in one go, thrashed a quarter of this size).
struct CompatCache {
  static constexpr size_t kSize = 1 << 17;
  uint64_t owner = 0;  // Vocab::uid().
  uint64_t keys[kSize];
  bool values[kSize];
};

bool Compatible(const Vocab& vocab, CompatCache& cache, uint32_t a, uint32_t b) {
  uint64_t key = (uint64_t{a} << 32) | b;
  size_t slot = static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 47);
  if (cache.keys[slot] == key) return cache.values[slot];
  std::string_view x = vocab.TokenBytes(a), y = vocab.TokenBytes(b);
  uint8_t buf[kPairBytes];
  std::copy(x.begin(), x.end(), buf);
  std::copy(y.begin(), y.end(), buf + x.size());
  uint32_t out[kPairBytes];
  size_t m = MergeToArray(vocab, buf, x.size() + y.size(), out);
  bool ok = m == 2 && out[0] == a && out[1] == b;
  cache.keys[slot] = key;
  cache.values[slot] = ok;
  return ok;
}

CompatCache& ThreadCompatCache(const Vocab& vocab) {
  thread_local std::unique_ptr<CompatCache> cache;
  if (!cache) cache = std::make_unique<CompatCache>();
  if (cache->owner != vocab.uid()) {
    cache->owner = vocab.uid();
    std::fill(std::begin(cache->keys), std::end(cache->keys), ~uint64_t{0});
  }
  return *cache;
}

}  // namespace

const LongPieceTables& GetLongPieceTables(const Vocab& vocab) {
  if (const LongPieceTables* t = vocab.long_ptr_.load(std::memory_order_acquire)) return *t;
  std::call_once(vocab.long_once_, [&] {
    std::shared_ptr<const LongPieceTables> built = Build(vocab);
    vocab.long_tables_ = built;
    vocab.long_ptr_.store(built.get(), std::memory_order_release);
  });
  return *vocab.long_ptr_.load(std::memory_order_acquire);
}

std::string SerializeLongPieceTables(const Vocab& vocab) {
  const LongPieceTables& t = GetLongPieceTables(vocab);
  const size_t n = vocab.size();
  std::string out;
  out.append(reinterpret_cast<const char*>(t.len_mask), 65536 * 8);
  out.append(reinterpret_cast<const char*>(t.len_mask6), kMask6Bytes);
  out.append(reinterpret_cast<const char*>(t.next_shorter), n * 4);
  out.append(reinterpret_cast<const char*>(t.reachable), n);
  out.append(reinterpret_cast<const char*>(t.max_len), 65536);
  return out;
}

size_t ViewLongPieceTables(const char* data, size_t size, uint32_t n, LongPieceTables* t) {
  const size_t need = size_t{n} * 4 + 65536 * 8 + kMask6Bytes + n + 65536;
  if (size < need || reinterpret_cast<uintptr_t>(data) % 8 != 0) return 0;
  t->len_mask = reinterpret_cast<const uint64_t*>(data);
  t->len_mask6 = reinterpret_cast<const uint64_t*>(data + 65536 * 8);
  t->next_shorter = reinterpret_cast<const uint32_t*>(data + 65536 * 8 + kMask6Bytes);
  t->reachable =
      reinterpret_cast<const uint8_t*>(data + 65536 * 8 + kMask6Bytes + size_t{n} * 4);
  t->max_len = t->reachable + n;
  return need;
}

bool EncodeLongPiece(const Vocab& vocab, const uint8_t* p, size_t n, std::vector<uint32_t>* out,
                     size_t max_work) {
  const LongPieceTables& t = GetLongPieceTables(vocab);
  CompatCache& compat = ThreadCompatCache(vocab);
  const size_t base = out->size();

  // Longest reachable token at pos.
  // Longest reachable token at pos: lengths above 64 one by one (rare), then only the
  // lengths that some reachable token starting with these two bytes has.
  size_t work = 0;  // Lookups, compatibility checks and steps back (64 each), against max_work.
  auto longest = [&](size_t pos) -> uint32_t {
    if (n - pos == 1) return vocab.ByteRank(p[pos]);
    const size_t key = (p[pos] << 8) | p[pos + 1];
    const size_t rest = n - pos;
    for (size_t len = std::min<size_t>(t.max_len[key], rest); len > 64; --len) {
      ++work;
      uint32_t r = vocab.LookupLikelyMiss(p + pos, len);
      if (r != kNoRank && t.reachable[r]) return r;
    }
    uint64_t mask = t.len_mask[key];
    if (rest < 64) mask &= (uint64_t{1} << rest) - 1;
    if (rest >= 6) mask &= 0x1F | t.len_mask6[LongPieceTables::Hash6(p + pos)];
    while (mask != 0) {
      size_t len = 64 - static_cast<size_t>(__builtin_clzll(mask));
      mask &= ~(uint64_t{1} << (len - 1));
      ++work;
      uint32_t r = vocab.LookupLikelyMiss(p + pos, len);
      if (r != kNoRank && t.reachable[r]) return r;
    }
    return vocab.ByteRank(p[pos]);
  };

  // Positions known to lead nowhere. Where a valid sequence puts a token boundary, the tokens
  // before it are the BPE of the text before it (the same characterisation), so every path
  // that reaches a position arrives with the same last token: once no token fits after a
  // position, none ever will, and no later candidate may end there. Each position is given up
  // at most once, which keeps the search linear in the piece (without it, a run of '*' or '-',
  // whose BPE does not start with its longest tokens, backed up over most of the piece).
  // Allocated at the first step back, which most pieces never take.
  std::vector<uint64_t> dead;
  auto is_dead = [&dead](size_t at) {
    return !dead.empty() && ((dead[at >> 6] >> (at & 63)) & 1) != 0;
  };
  size_t pos = 0;
  uint32_t cand = n > 0 ? longest(0) : kNoRank;
  while (pos < n) {
    const size_t end = pos + vocab.TokenBytes(cand).size();
    if (!is_dead(end) &&
        (out->size() == base || (++work, Compatible(vocab, compat, out->back(), cand)))) {
      out->push_back(cand);
      pos = end;
      if (pos < n) cand = longest(pos);
      if (work > max_work) {
        out->resize(base);
        return false;
      }
      continue;
    }
    cand = t.next_shorter[cand];
    // No token at pos fits after the previous one: give pos up, back up and shorten the
    // previous one.
    while (cand == kNoRank) {
      // A step back weighs as much as the lookups and checks it throws away, about a token's.
      work += 64;
      if (out->size() == base || work > max_work) {
        out->resize(base);
        return false;
      }
      if (dead.empty()) dead.assign(n / 64 + 1, 0);
      dead[pos >> 6] |= uint64_t{1} << (pos & 63);
      // The previous token ends where the rejected one would have started.
      uint32_t prev = out->back();
      pos -= vocab.TokenBytes(prev).size();
      out->pop_back();
      cand = t.next_shorter[prev];
    }
  }
  return true;
}

size_t RepeatUnit(const uint8_t* p, size_t n) {
  for (size_t unit = 1; unit <= kMaxRepeatUnit; ++unit) {
    if (n >= 2 * unit && std::memcmp(p, p + unit, n - unit) == 0) return unit;
  }
  return 0;
}

bool EncodePeriodicRun(const Vocab& vocab, const uint8_t* p, size_t n, size_t unit,
                       std::vector<uint32_t>* out) {
  const LongPieceTables& t = GetLongPieceTables(vocab);
  CompatCache& compat = ThreadCompatCache(vocab);
  const size_t max_len = std::min<size_t>({vocab.max_token_len(), 255});
  if (unit == 0 || unit > kMaxRepeatUnit || n < max_len + unit) return false;
  // The candidates for the last token of a prefix depend only on where the prefix ends within
  // the unit (its length mod unit): the reachable tokens that end the text there, longest
  // first. The text ending at any offset j >= max_len with that remainder shows them all.
  struct Candidate {
    uint32_t rank;
    uint8_t len;
  };
  std::vector<Candidate> candidates[kMaxRepeatUnit];
  size_t window = 0;  // The longest candidate.
  for (size_t r = 0; r < unit; ++r) {
    const size_t j = max_len + (r + unit - max_len % unit) % unit;  // j >= max_len, j % unit == r
    for (size_t len = max_len; len >= 1; --len) {
      const uint32_t rank = vocab.Lookup(p + j - len, len);
      if (rank != kNoRank && t.reachable[rank]) {
        candidates[r].push_back({rank, static_cast<uint8_t>(len)});
        window = std::max(window, len);
      }
    }
  }

  // last[i]: the last token of BPE(p[0, i)), the one candidate that fits after the last token
  // of what comes before it (the characterisation of long_piece.h; PrefixCounter does the same
  // for any text). Past the first `window` bytes, last[i] depends only on i mod unit and the
  // `window` values before it: once `window` consecutive values repeat a multiple of `unit`
  // places apart, the whole rest of the sequence repeats with that period.
  std::vector<uint32_t> last(1, kNoRank);
  std::vector<uint8_t> len_of(1, 0);
  size_t period = 0;
  for (size_t check = 1024;; check *= 2) {
    const size_t upto = std::min(check, n);
    for (size_t i = last.size(); i <= upto; ++i) {
      const Candidate* found = nullptr;
      for (const Candidate& c : candidates[i % unit]) {
        if (c.len > i) continue;
        if (c.len == i || Compatible(vocab, compat, last[i - c.len], c.rank)) {
          found = &c;
          break;
        }
      }
      if (found == nullptr) return false;  // The characterisation fails for this vocabulary.
      last.push_back(found->rank);
      len_of.push_back(found->len);
    }
    if (upto == n) break;
    // A period, if any, whose repetition is seen over a whole window after the start-up.
    for (size_t q = unit; q + 2 * window <= upto && period == 0; q += unit) {
      if (std::equal(last.begin() + (upto - window + 1), last.end(),
                     last.begin() + (upto - window + 1 - q))) {
        period = q;
      }
    }
    if (period != 0) break;
  }

  // The tokens, from the end back: BPE(p[0, i)) is BPE(p[0, i - len)) and then last[i].
  const size_t known = last.size() - 1;
  const size_t base = out->size();
  for (size_t i = n; i > 0;) {
    size_t at = i;
    if (at > known) at -= ((at - known + period - 1) / period) * period;
    out->push_back(last[at]);
    i -= len_of[at];
  }
  std::reverse(out->begin() + static_cast<std::ptrdiff_t>(base), out->end());
  return true;
}

}  // namespace tokwise::encoding_internal

namespace tokwise::encoding_internal {

const SuffixTables& GetSuffixTables(const Vocab& vocab) {
  std::call_once(vocab.suffix_once_, [&] {
    const LongPieceTables& lt = GetLongPieceTables(vocab);
    auto t = std::make_shared<SuffixTables>();
    t->mask2.assign(65536 * 2, 0);
    t->mask6.assign(size_t{1} << LongPieceTables::kHash6Bits, 0);
    t->max_len.assign(65536, 0);
    for (uint32_t r = 0; r < vocab.size(); ++r) {
      if (!vocab.Has(r) || !lt.reachable[r]) continue;
      std::string_view b = vocab.TokenBytes(r);
      const size_t len = b.size();
      if (len < 2 || len > 255) continue;
      const uint8_t* end = reinterpret_cast<const uint8_t*>(b.data()) + len;
      const size_t key = (end[-2] << 8) | end[-1];
      t->max_len[key] = std::max<uint8_t>(t->max_len[key], static_cast<uint8_t>(len));
      if (len <= 128) t->mask2[2 * key + (len - 1) / 64] |= uint64_t{1} << ((len - 1) % 64);
      if (len >= 6 && len <= 64) {
        t->mask6[LongPieceTables::Hash6(end - 6)] |= uint64_t{1} << (len - 1);
      }
    }
    vocab.suffix_tables_ = std::move(t);
  });
  return *vocab.suffix_tables_;
}

bool PrefixCounter::Extend(const uint8_t* p, size_t n) {
  constexpr size_t kGuesses = 4;
  const size_t old = last_.size();
  if (n <= old) return true;
  const Vocab& vocab = *vocab_;
  const LongPieceTables& lt = GetLongPieceTables(vocab);
  const SuffixTables& st = GetSuffixTables(vocab);
  CompatCache& compat = ThreadCompatCache(vocab);
  // Takes the token r of length len ending at i, if it is reachable and fits after the last
  // token of the prefix before it.
  auto take = [&](size_t i, size_t len, uint32_t r) {
    if (r == kNoRank || !lt.reachable[r]) return false;
    if (len == i) {
      last_.push_back(r);
      count_.push_back(1);
      return true;
    }
    if (!Compatible(vocab, compat, last_[i - len - 1], r)) return false;
    last_.push_back(r);
    count_.push_back(count_[i - len - 1] + 1);
    return true;
  };
  for (size_t i = old + 1; i <= n; ++i) {
    bool found = false;
    // First the last tokens of the few prefixes before, grown to end here: in a run (of
    // spaces, of one letter) one of them is the answer but rarely, and the longer candidates a
    // scan tries first are each a lookup of up to 128 bytes. Any candidate that fits is the
    // answer (the valid encoding is unique), so the order only changes the cost.
    size_t guesses[kGuesses] = {};
    for (size_t k = 1; k <= kGuesses && k < i && !found; ++k) {
      const size_t len = vocab.TokenBytes(last_[i - 1 - k]).size() + k;
      bool tried = len > i || len > 255;
      for (size_t g = 0; g + 1 < k; ++g) tried = tried || guesses[g] == len;
      guesses[k - 1] = len;
      if (!tried) found = take(i, len, vocab.LookupLikelyMiss(p + i - len, len));
    }
    auto guessed = [&guesses](size_t len) {
      for (size_t g : guesses) {
        if (g == len) return true;
      }
      return false;
    };
    if (!found && i >= 2) {
      const size_t key = (p[i - 2] << 8) | p[i - 1];
      for (size_t len = std::min<size_t>(st.max_len[key], i); len > 128 && !found; --len) {
        found = !guessed(len) && take(i, len, vocab.LookupLikelyMiss(p + i - len, len));
      }
      uint64_t hi = st.mask2[2 * key + 1], lo = st.mask2[2 * key];
      if (i < 128) hi &= i <= 64 ? 0 : (uint64_t{1} << (i - 64)) - 1;
      if (i < 64) lo &= (uint64_t{1} << i) - 1;
      if (i >= 6) lo &= 0x1F | st.mask6[LongPieceTables::Hash6(p + i - 6)];
      while (hi != 0 && !found) {
        const size_t bit = 63 - static_cast<size_t>(__builtin_clzll(hi));
        hi &= ~(uint64_t{1} << bit);
        const size_t len = 65 + bit;
        found = !guessed(len) && take(i, len, vocab.LookupLikelyMiss(p + i - len, len));
      }
      while (lo != 0 && !found) {
        const size_t bit = 63 - static_cast<size_t>(__builtin_clzll(lo));
        lo &= ~(uint64_t{1} << bit);
        const size_t len = 1 + bit;
        found = !guessed(len) && take(i, len, vocab.LookupLikelyMiss(p + i - len, len));
      }
    }
    if (!found && !guessed(1)) found = take(i, 1, vocab.ByteRank(p[i - 1]));
    if (!found) {
      last_.resize(old);
      count_.resize(old);
      return false;
    }
  }
  return true;
}

}  // namespace tokwise::encoding_internal
