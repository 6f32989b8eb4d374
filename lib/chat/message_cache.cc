// MessageCountCache: two generations of hash maps behind shards of mutexes.
//
// A lookup checks the current generation, then the previous one (promoting a hit). When the
// current generation of a shard reaches its half of the capacity, the previous one is dropped
// and the current one becomes previous. That bounds memory at `max_entries` and keeps
// recently used entries without the per-entry bookkeeping of an exact LRU list.
#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "tokwise/chat.h"

namespace tokwise {
namespace {

struct KeyHash {
  size_t operator()(const MessageCountCache::Key& k) const {
    return static_cast<size_t>(k.lo ^ (k.hi * 0x9E3779B97F4A7C15ull));
  }
};

constexpr size_t kShards = 16;

}  // namespace

struct MessageCountCache::Impl {
  struct Shard {
    // std::mutex rather than absl::Mutex: ThreadSanitizer sees through it (the distribution's
    // Abseil is not built with TSan, so it reports false races on absl::Mutex), which lets the
    // C ABI's many-thread test check this cache.
    mutable std::mutex mu;
    absl::flat_hash_map<Key, Tally, KeyHash> current;
    absl::flat_hash_map<Key, Tally, KeyHash> previous;
  };
  size_t per_generation = 1;
  Shard shards[kShards];
  mutable std::atomic<uint64_t> hits{0};
  mutable std::atomic<uint64_t> misses{0};

  Shard& ShardOf(const Key& k) { return shards[(k.hi >> 60) % kShards]; }
  const Shard& ShardOf(const Key& k) const { return shards[(k.hi >> 60) % kShards]; }
};

MessageCountCache::MessageCountCache(size_t max_entries) : impl_(std::make_unique<Impl>()) {
  impl_->per_generation = std::max<size_t>(1, max_entries / (2 * kShards));
}

MessageCountCache::~MessageCountCache() = default;

size_t MessageCountCache::size() const {
  size_t n = 0;
  for (const Impl::Shard& s : impl_->shards) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += s.current.size() + s.previous.size();
  }
  return n;
}

uint64_t MessageCountCache::hits() const { return impl_->hits.load(); }
uint64_t MessageCountCache::misses() const { return impl_->misses.load(); }

void MessageCountCache::Clear() {
  for (Impl::Shard& s : impl_->shards) {
    std::lock_guard<std::mutex> lock(s.mu);
    s.current.clear();
    s.previous.clear();
  }
}

bool MessageCountCache::Lookup(const Key& key, Tally* out) const {
  // Promotion moves an entry between maps, so lookups take the shard's lock exclusively.
  Impl::Shard& s = const_cast<Impl*>(impl_.get())->ShardOf(key);
  std::lock_guard<std::mutex> lock(s.mu);
  if (auto it = s.current.find(key); it != s.current.end()) {
    *out = it->second;
    impl_->hits.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (auto it = s.previous.find(key); it != s.previous.end()) {
    *out = it->second;
    s.previous.erase(it);
    if (s.current.size() >= impl_->per_generation) {
      s.previous = std::move(s.current);
      s.current.clear();
    }
    s.current.emplace(key, *out);
    impl_->hits.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  impl_->misses.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void MessageCountCache::Insert(const Key& key, const Tally& tally) {
  Impl::Shard& s = impl_->ShardOf(key);
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.current.size() >= impl_->per_generation) {
    s.previous = std::move(s.current);
    s.current.clear();
  }
  s.current.insert_or_assign(key, tally);
}

}  // namespace tokwise
