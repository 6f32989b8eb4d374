// TokenCountCache: content-hash -> token count, sharded, two generations per shard.
#include "tokwise/count_cache.h"

#include <cstring>
#include <mutex>
#include <random>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace tokwise {
namespace {

constexpr int kShards = 16;
// Seeds the hash of tokenizer keys (any fixed value: the cache's own seed is mixed in later).
constexpr uint64_t kTokenizerSeed = 0x746f6b77697365ull;

inline uint64_t Mum(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// splitmix64's finalizer: spreads a seed into independent-looking secrets.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

// Two lanes, each folding a 64x64->128-bit product of (data ^ state ^ secret) and
// (data ^ secret) per 16 bytes; both lanes see every word, in different roles, so the
// 128-bit result changes in both halves when any byte does. The secrets come from the
// seed: a product can collapse to zero only when a word equals a secret, which outside
// input cannot aim at without knowing the seed.
std::pair<uint64_t, uint64_t> ContentHash128(std::string_view data, uint64_t seed) {
  const uint64_t s0 = Mix64(seed), s1 = Mix64(s0), s2 = Mix64(s1), s3 = Mix64(s2), s4 = Mix64(s3),
                 s5 = Mix64(s4);
  const uint64_t len = data.size();
  uint64_t a = s0 ^ len, b = s5 ^ (len << 1);
  const char* p = data.data();
  size_t n = data.size();
  if (n >= 64) {
    // Long texts (agent histories re-sent every step): two more lanes on the second half of
    // each 32 bytes, so four products are in flight at once, folded in after the loop.
    uint64_t c = s2 ^ (len << 2), d = s3 ^ (len << 3);
    while (n >= 32) {
      const uint64_t w0 = Load64(p), w1 = Load64(p + 8), w2 = Load64(p + 16),
                     w3 = Load64(p + 24);
      a = Mum(w0 ^ a ^ s1, w1 ^ s2);
      b = Mum(w1 ^ b ^ s3, w0 ^ s4);
      c = Mum(w2 ^ c ^ s1, w3 ^ s4);
      d = Mum(w3 ^ d ^ s3, w2 ^ s2);
      p += 32;
      n -= 32;
    }
    a = Mum(a ^ c ^ s5, d ^ s1);
    b = Mum(b ^ d ^ s0, c ^ s4);
  }
  while (n >= 16) {
    const uint64_t w0 = Load64(p), w1 = Load64(p + 8);
    a = Mum(w0 ^ a ^ s1, w1 ^ s2);
    b = Mum(w1 ^ b ^ s3, w0 ^ s4);
    p += 16;
    n -= 16;
  }
  uint64_t t0 = 0, t1 = 0;
  std::memcpy(&t0, p, n < 8 ? n : 8);
  if (n > 8) std::memcpy(&t1, p + 8, n - 8);
  a = Mum(t0 ^ a ^ s1, t1 ^ s2 ^ n);
  b = Mum(t1 ^ b ^ s3, t0 ^ s4 ^ (n << 8));
  return {Mum(a ^ s5, b ^ s0), Mum(b ^ s2, a ^ s3 ^ len)};
}

struct TokenCountCache::Shard {
  struct KeyHash {
    size_t operator()(const Key& k) const { return static_cast<size_t>(k.lo); }
  };
  struct KeyEq {
    bool operator()(const Key& a, const Key& b) const {
      return a.lo == b.lo && a.hi == b.hi && a.length == b.length;
    }
  };
  using Map = absl::flat_hash_map<Key, size_t, KeyHash, KeyEq>;
  std::mutex mu;  // Guards both generations.
  Map young;
  Map old;
};

TokenCountCache::TokenCountCache(size_t max_entries) {
  std::random_device rd;
  seed_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  max_entries = std::max<size_t>(max_entries, 64);
  per_generation_ = std::max<size_t>(max_entries / (2 * kShards), 2);
  for (int i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
}

TokenCountCache::~TokenCountCache() = default;

TokenCountCache::Key TokenCountCache::MakeKey(uint64_t tokenizer_seed, std::string_view text) {
  auto [lo, hi] = ContentHash128(text, seed_ ^ tokenizer_seed);
  hashed_bytes_.fetch_add(text.size(), std::memory_order_relaxed);
  return Key{lo, hi, text.size()};
}

bool TokenCountCache::Lookup(const Key& key, size_t* count) {
  Shard& s = *shards_[key.hi % kShards];
  std::lock_guard<std::mutex> l(s.mu);
  auto it = s.young.find(key);
  if (it != s.young.end()) {
    *count = it->second;
    return true;
  }
  auto o = s.old.find(key);
  if (o == s.old.end()) return false;
  *count = o->second;
  // Still in use: move it to the young generation so the next rotation keeps it.
  s.old.erase(o);
  s.young.emplace(key, *count);
  if (s.young.size() >= per_generation_) {
    s.old = std::move(s.young);
    s.young = Shard::Map();
  }
  return true;
}

void TokenCountCache::Insert(const Key& key, size_t count) {
  Shard& s = *shards_[key.hi % kShards];
  std::lock_guard<std::mutex> l(s.mu);
  s.young[key] = count;
  if (s.young.size() >= per_generation_) {
    s.old = std::move(s.young);
    s.young = Shard::Map();
  }
}

absl::StatusOr<size_t> TokenCountCache::GetOrCount(
    std::string_view tokenizer_key, std::string_view text,
    const std::function<absl::StatusOr<size_t>(std::string_view)>& count) {
  return GetOrCountSeeded(ContentHash128(tokenizer_key, kTokenizerSeed).first, text, count);
}

absl::StatusOr<size_t> TokenCountCache::GetOrCountSeeded(
    uint64_t tokenizer_seed, std::string_view text,
    const std::function<absl::StatusOr<size_t>(std::string_view)>& count) {
  const Key key = MakeKey(tokenizer_seed, text);
  size_t n;
  if (Lookup(key, &n)) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return n;
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  absl::StatusOr<size_t> r = count(text);
  if (r.ok()) Insert(key, *r);
  return r;
}

namespace {

// The tokenizer's identity in cache keys: name, vocabulary size and the counting options.
std::string TokenizerId(const Encoding& encoding, const CountOptions& options) {
  return absl::StrCat(encoding.name(), "/", encoding.n_vocab(), "/",
                      static_cast<int>(options.special), "/",
                      static_cast<int>(options.invalid_utf8));
}

}  // namespace

absl::StatusOr<size_t> TokenCountCache::Count(const Encoding& encoding, std::string_view text,
                                              const CountOptions& options) {
  return GetOrCount(TokenizerId(encoding, options), text,
                    [&](std::string_view t) { return encoding.Count(t, options); });
}

absl::StatusOr<size_t> TokenCountCache::CountAll(const Encoding& encoding,
                                                 absl::Span<const std::string_view> texts,
                                                 const CountOptions& options) {
  const uint64_t seed = ContentHash128(TokenizerId(encoding, options), kTokenizerSeed).first;
  auto count = [&](std::string_view t) { return encoding.Count(t, options); };
  size_t total = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    absl::StatusOr<size_t> n = GetOrCountSeeded(seed, texts[i], count);
    if (!n.ok()) {
      return absl::Status(n.status().code(), absl::StrCat("text ", i, ": ", n.status().message()));
    }
    total += *n;
  }
  return total;
}

TokenCountCache::Stats TokenCountCache::stats() const {
  Stats s;
  s.hits = hits_.load();
  s.misses = misses_.load();
  s.hashed_bytes = hashed_bytes_.load();
  for (const auto& sh : shards_) {
    std::lock_guard<std::mutex> l(sh->mu);
    s.entries += sh->young.size() + sh->old.size();
  }
  return s;
}

void TokenCountCache::Clear() {
  for (const auto& sh : shards_) {
    std::lock_guard<std::mutex> l(sh->mu);
    sh->young.clear();
    sh->old.clear();
  }
}

}  // namespace tokwise
