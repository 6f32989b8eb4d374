#include "encoding/vocab.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "encoding/long_piece.h"

namespace tokwise::encoding_internal {
namespace {

// Ranks above this are refused: no real encoding comes close, and it bounds the memory a
// hostile file can make us allocate.
constexpr uint32_t kMaxRank = 1u << 24;
// Longest token accepted, in bytes.
constexpr size_t kMaxTokenLen = 1024;

constexpr uint32_t kMagic = 0x334B574Bu;  // "KWK3" little-endian.

int Base64Value(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Decodes standard base64 with optional '=' padding. Returns false on any other character or
// a malformed length.
bool DecodeBase64(std::string_view in, std::string* out) {
  out->clear();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    int v = Base64Value(static_cast<uint8_t>(ch));
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Vocab>> Vocab::FromTiktoken(std::string_view data) {
  struct Entry {
    uint32_t rank;
    std::string bytes;
  };
  std::vector<Entry> entries;
  entries.reserve(data.size() / 12);
  std::string token;
  size_t line_no = 0;
  uint32_t max_rank = 0;
  while (!data.empty()) {
    ++line_no;
    size_t eol = data.find('\n');
    std::string_view line = data.substr(0, eol);
    data.remove_prefix(eol == std::string_view::npos ? data.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("rank file line ", line_no, ": expected \"<base64 token> <rank>\""));
    }
    std::string_view b64 = line.substr(0, sp), num = line.substr(sp + 1);
    if (!DecodeBase64(b64, &token) || token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("rank file line ", line_no, ": token is not valid non-empty base64"));
    }
    if (token.size() > kMaxTokenLen) {
      return absl::InvalidArgumentError(absl::StrCat("rank file line ", line_no, ": token of ",
                                                     token.size(), " bytes exceeds the limit of ",
                                                     kMaxTokenLen));
    }
    uint64_t rank = 0;
    if (num.empty() || num.size() > 10) {
      return absl::InvalidArgumentError(absl::StrCat("rank file line ", line_no, ": bad rank"));
    }
    for (char c : num) {
      if (c < '0' || c > '9') {
        return absl::InvalidArgumentError(
            absl::StrCat("rank file line ", line_no, ": rank is not a decimal number"));
      }
      rank = rank * 10 + static_cast<uint64_t>(c - '0');
    }
    if (rank >= kMaxRank) {
      return absl::InvalidArgumentError(absl::StrCat("rank file line ", line_no, ": rank ", rank,
                                                     " exceeds the limit of ", kMaxRank - 1));
    }
    max_rank = std::max(max_rank, static_cast<uint32_t>(rank));
    entries.push_back({static_cast<uint32_t>(rank), token});
  }
  if (entries.empty()) return absl::InvalidArgumentError("rank file holds no tokens");

  auto v = std::unique_ptr<Vocab>(new Vocab());
  v->n_ = max_rank + 1;
  std::vector<const std::string*> by_rank(v->n_, nullptr);
  for (const Entry& e : entries) {
    if (by_rank[e.rank] != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("rank file: rank ", e.rank, " appears twice"));
    }
    by_rank[e.rank] = &e.bytes;
  }
  v->own_offsets_.resize(v->n_ + 1);
  uint32_t off = 0;
  for (uint32_t r = 0; r < v->n_; ++r) {
    v->own_offsets_[r] = off;
    if (by_rank[r]) {
      v->own_bytes_.insert(v->own_bytes_.end(), by_rank[r]->begin(), by_rank[r]->end());
      off += static_cast<uint32_t>(by_rank[r]->size());
    }
  }
  v->own_offsets_[v->n_] = off;
  v->offsets_ = v->own_offsets_.data();
  v->bytes_ = v->own_bytes_.data();
  v->BuildIndex();
  if (v->slots_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rank file: ranks ", v->duplicate_ranks_[0], " and ", v->duplicate_ranks_[1],
        " have the same token bytes"));
  }
  v->Finish();
  for (int b = 0; b < 256; ++b) {
    if (v->byte_rank_[b] == kNoRank) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rank file: byte 0x", absl::Hex(b, absl::kZeroPad2),
          " has no rank of its own; byte-level BPE needs all 256 single bytes"));
    }
  }
  return v;
}

void Vocab::BuildIndex() {
  size_t cap = 16;
  n_present_ = 0;
  for (uint32_t r = 0; r < n_; ++r) n_present_ += offsets_[r + 1] > offsets_[r];
  // Load factor at most 0.4: probes stay short for the misses BPE asks about most.
  while (cap * 2 < static_cast<size_t>(n_present_) * 5) cap <<= 1;
  own_slots_.assign(cap, Slot{0, kNoRank});
  mask_ = cap - 1;
  max_token_len_ = 0;
  for (uint32_t r = 0; r < n_; ++r) {
    uint32_t a = offsets_[r], b = offsets_[r + 1];
    if (a == b) continue;
    max_token_len_ = std::max<size_t>(max_token_len_, b - a);
    uint64_t h = HashBytes(bytes_ + a, b - a);
    size_t i = static_cast<size_t>(h) & mask_;
    while (own_slots_[i].rank != kNoRank) {
      const Slot& s = own_slots_[i];
      if (s.tag == static_cast<uint32_t>(h >> 32) && offsets_[s.rank + 1] - offsets_[s.rank] == b - a &&
          BytesEqual(bytes_ + offsets_[s.rank], bytes_ + a, b - a)) {
        slots_ = nullptr;  // Duplicate token bytes.
        own_slots_.clear();
        duplicate_ranks_[0] = s.rank;
        duplicate_ranks_[1] = r;
        return;
      }
      i = (i + 1) & mask_;
    }
    own_slots_[i] = Slot{static_cast<uint32_t>(h >> 32), r};
  }
  slots_ = own_slots_.data();
}

size_t Vocab::BucketsFor(size_t min_len, size_t max_len, int ways) const {
  size_t count = 0;
  for (uint32_t r = 0; r < n_; ++r) {
    const uint32_t len = offsets_[r + 1] - offsets_[r];
    count += len >= min_len && len <= max_len;
  }
  // Buckets at most 70% full: a search then nearly always ends in its first cache line.
  size_t buckets = 1;
  while (buckets * static_cast<size_t>(ways) * 7 < count * 10 + 1) buckets <<= 1;
  return buckets;
}

void Vocab::BuildShortIndex() {
  const size_t buckets = BucketsFor(1, 8, ShortBucket::kWays);
  ShortBucket empty;
  for (int k = 0; k < ShortBucket::kWays; ++k) {
    empty.keys[k] = 0;
    empty.vals[k] = kNoRank;
  }
  empty.unused = 0;
  own_short_.assign(buckets, empty);
  short_mask_ = buckets - 1;
  for (uint32_t r = 0; r < n_; ++r) {
    const uint32_t len = offsets_[r + 1] - offsets_[r];
    if (len < 1 || len > 8) continue;
    const uint64_t key = ShortKey(bytes_ + offsets_[r], len);
    for (size_t b = ShortBucketOf(key, len);; b = (b + 1) & short_mask_) {
      ShortBucket& bucket = own_short_[b];
      int k = 0;
      while (k < ShortBucket::kWays && bucket.vals[k] != kNoRank) ++k;
      if (k == ShortBucket::kWays) continue;
      bucket.keys[k] = key;
      bucket.vals[k] = (len << 24) | r;
      break;
    }
  }
  short_ = own_short_.data();
}

void Vocab::BuildMidIndex() {
  const size_t buckets = BucketsFor(9, 16, MidBucket::kWays);
  MidBucket empty;
  for (int k = 0; k < MidBucket::kWays; ++k) {
    empty.lo[k] = empty.hi[k] = 0;
    empty.vals[k] = kNoRank;
  }
  empty.unused = 0;
  own_mid_.assign(buckets, empty);
  mid_mask_ = buckets - 1;
  for (uint32_t r = 0; r < n_; ++r) {
    const uint32_t len = offsets_[r + 1] - offsets_[r];
    if (len < 9 || len > 16) continue;
    const uint8_t* p = bytes_ + offsets_[r];
    const uint64_t lo = Word(p), hi = Word(p + len - 8);
    for (size_t b = MidBucketOf(lo, hi, len);; b = (b + 1) & mid_mask_) {
      MidBucket& bucket = own_mid_[b];
      int k = 0;
      while (k < MidBucket::kWays && bucket.vals[k] != kNoRank) ++k;
      if (k == MidBucket::kWays) continue;
      bucket.lo[k] = lo;
      bucket.hi[k] = hi;
      bucket.vals[k] = (len << 24) | r;
      break;
    }
  }
  mid_ = own_mid_.data();
}

void Vocab::BuildFilter() {
  own_filter_.assign((size_t{1} << kFilterBits) / 64, 0);
  for (uint32_t r = 0; r < n_; ++r) {
    const uint32_t len = offsets_[r + 1] - offsets_[r];
    if (len == 0) continue;
    const uint64_t f = FilterHash(bytes_ + offsets_[r], len);
    own_filter_[f >> 6] |= uint64_t{1} << (f & 63);
  }
  filter_ = own_filter_.data();
}

void Vocab::Finish() {
  if (short_ == nullptr) BuildShortIndex();
  if (mid_ == nullptr) BuildMidIndex();
  if (filter_ == nullptr) BuildFilter();
  for (int b = 0; b < 256; ++b) {
    uint8_t byte = static_cast<uint8_t>(b);
    byte_rank_[b] = Lookup(&byte, 1);
  }
  if (pair_rank_ == nullptr) {
    own_pair_rank_.resize(65536);
    for (int i = 0; i < 65536; ++i) {
      uint8_t two[2] = {static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i & 0xFF)};
      own_pair_rank_[i] = Lookup(two, 2);
    }
    pair_rank_ = own_pair_rank_.data();
  }
}

std::string Vocab::Serialize() const {
  // Layout, all little-endian uint32 unless noted: magic, n, n_present, max_token_len,
  // slot count, byte count; offsets[n + 1]; slots[slot count] as (tag, rank);
  // pair ranks[65536]; bytes.
  std::string out;
  auto put = [&out](uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  put(kMagic);
  put(n_);
  put(n_present_);
  put(static_cast<uint32_t>(max_token_len_));
  put(static_cast<uint32_t>(mask_ + 1));
  put(offsets_[n_]);
  out.append(reinterpret_cast<const char*>(offsets_), (n_ + 1) * sizeof(uint32_t));
  out.append(reinterpret_cast<const char*>(slots_), (mask_ + 1) * sizeof(Slot));
  out.append(reinterpret_cast<const char*>(pair_rank_), 65536 * sizeof(uint32_t));
  out.append(reinterpret_cast<const char*>(bytes_), offsets_[n_]);
  // The long-piece tables follow, 8-byte aligned; then, each 64-byte aligned, the number of
  // short-index buckets (uint32) and the buckets, the same for the mid index, then the filter.
  while (out.size() % 8 != 0) out.push_back('\0');
  out += SerializeLongPieceTables(*this);
  while (out.size() % 64 != 0) out.push_back('\0');
  put(static_cast<uint32_t>(short_mask_ + 1));
  while (out.size() % 64 != 0) out.push_back('\0');
  out.append(reinterpret_cast<const char*>(short_), (short_mask_ + 1) * sizeof(ShortBucket));
  put(static_cast<uint32_t>(mid_mask_ + 1));
  while (out.size() % 64 != 0) out.push_back('\0');
  out.append(reinterpret_cast<const char*>(mid_), (mid_mask_ + 1) * sizeof(MidBucket));
  out.append(reinterpret_cast<const char*>(filter_), (size_t{1} << kFilterBits) / 8);
  return out;
}

absl::StatusOr<std::unique_ptr<Vocab>> Vocab::FromSerialized(std::string_view data) {
  auto bad = [] { return absl::DataLossError("embedded vocabulary is corrupt"); };
  if (data.size() < 24 || reinterpret_cast<uintptr_t>(data.data()) % 4 != 0) return bad();
  const uint32_t* h = reinterpret_cast<const uint32_t*>(data.data());
  if (h[0] != kMagic) return bad();
  uint64_t n = h[1], slots = h[4], nbytes = h[5];
  if (n == 0 || slots == 0 || (slots & (slots - 1)) != 0) return bad();
  uint64_t need = 24 + (n + 1) * 4 + slots * sizeof(Slot) + 65536 * 4 + nbytes;
  if (data.size() < need) return bad();
  auto v = std::unique_ptr<Vocab>(new Vocab());
  v->n_ = static_cast<uint32_t>(n);
  v->n_present_ = h[2];
  v->max_token_len_ = h[3];
  v->mask_ = static_cast<size_t>(slots - 1);
  v->offsets_ = h + 6;
  v->slots_ = reinterpret_cast<const Slot*>(v->offsets_ + n + 1);
  v->pair_rank_ = reinterpret_cast<const uint32_t*>(v->slots_ + slots);
  v->bytes_ = reinterpret_cast<const uint8_t*>(v->pair_rank_ + 65536);
  if (v->offsets_[n] != nbytes) return bad();
  size_t used = (need + 7) / 8 * 8;
  auto tables = std::make_shared<LongPieceTables>();
  size_t long_size = 0;
  if (used >= data.size() || (long_size = ViewLongPieceTables(data.data() + used,
                                                              data.size() - used, v->n_,
                                                              tables.get())) == 0) {
    return bad();
  }
  // The short index: its bucket count, then the buckets, each 64-byte aligned (the data
  // itself starts 64-byte aligned in the library's read-only data).
  used = (used + long_size + 63) / 64 * 64;
  if (reinterpret_cast<uintptr_t>(data.data()) % 64 != 0 || used + 64 > data.size()) {
    return bad();
  }
  uint32_t buckets;
  std::memcpy(&buckets, data.data() + used, 4);
  used += 64;
  if (buckets == 0 || (buckets & (buckets - 1)) != 0 ||
      (data.size() - used) / sizeof(ShortBucket) < buckets) {
    return bad();
  }
  v->short_ = reinterpret_cast<const ShortBucket*>(data.data() + used);
  v->short_mask_ = buckets - 1;
  used += size_t{buckets} * sizeof(ShortBucket);
  // The mid index, likewise.
  if (used + 64 > data.size()) return bad();
  std::memcpy(&buckets, data.data() + used, 4);
  used += 64;
  if (buckets == 0 || (buckets & (buckets - 1)) != 0 ||
      (data.size() - used) / sizeof(MidBucket) < buckets) {
    return bad();
  }
  v->mid_ = reinterpret_cast<const MidBucket*>(data.data() + used);
  v->mid_mask_ = buckets - 1;
  used += size_t{buckets} * sizeof(MidBucket);
  // The filter.
  if ((data.size() - used) < (size_t{1} << kFilterBits) / 8) return bad();
  v->filter_ = reinterpret_cast<const uint64_t*>(data.data() + used);
  v->long_tables_ = tables;
  v->long_ptr_.store(tables.get(), std::memory_order_release);
  v->Finish();
  return v;
}

uint64_t Vocab::NextUid() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

size_t Vocab::MemoryBytes() const {
  return sizeof(*this) + own_offsets_.capacity() * 4 + own_bytes_.capacity() +
         own_slots_.capacity() * sizeof(Slot) + own_pair_rank_.capacity() * 4 +
         own_short_.capacity() * sizeof(ShortBucket) + own_mid_.capacity() * sizeof(MidBucket) +
         own_filter_.capacity() * 8;
}

}  // namespace tokwise::encoding_internal
