#include "encoding/hf_tokenizer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <new>
#include <type_traits>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "encoding/ascii_block.h"
#include "encoding/ascii_scan.h"
#include "encoding/bpe.h"
#include "encoding/hf_regex.h"
#include "encoding/hf_scan.h"
#include "encoding/json_tree.h"
#include "encoding/normalizer.h"
#include "encoding/pretokenizer.h"
#include "encoding/spm_check.h"
#include "encoding/unicode.h"
#include "encoding/vocab.h"

namespace tokwise::encoding_internal {
namespace {

// Ids at or above this are refused: no real tokenizer comes close, and it bounds what a
// hostile file can make us allocate.
constexpr uint64_t kMaxId = uint64_t{1} << 24;

// ---------------------------------------------------------------------------------------------
// The ByteLevel alphabet: GPT-2's map of the 256 byte values to printable characters. Bytes
// that are printable Latin-1 ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) stand for themselves;
// the others take U+0100, U+0101, ... in byte order.

struct ByteAlphabet {
  uint32_t cp_of_byte[256];
  int16_t byte_of_cp[324];
  // The byte of each alphabet character by its UTF-8 form, -1 for other characters: one-byte
  // forms, and two-byte forms by lead byte 0xC2..0xC5 (U+0080..U+017F) and continuation byte.
  int16_t byte_of_utf8_1[128];
  int16_t byte_of_utf8_2[4][64];
  ByteAlphabet() {
    std::fill(std::begin(byte_of_cp), std::end(byte_of_cp), int16_t{-1});
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      cp_of_byte[b] = printable ? static_cast<uint32_t>(b) : next++;
      byte_of_cp[cp_of_byte[b]] = static_cast<int16_t>(b);
    }
    for (uint32_t cp = 0; cp < 0x80; ++cp) byte_of_utf8_1[cp] = byte_of_cp[cp];
    for (uint32_t lead = 0; lead < 4; ++lead) {
      for (uint32_t cont = 0; cont < 64; ++cont) {
        const uint32_t cp = ((0xC2 + lead - 0xC0) << 6) | cont;
        byte_of_utf8_2[lead][cont] = cp < 324 ? byte_of_cp[cp] : int16_t{-1};
      }
    }
  }
};

const ByteAlphabet& Alphabet() {
  static const ByteAlphabet* a = new ByteAlphabet();
  return *a;
}

// Decodes the n bytes at s, a string of ByteLevel alphabet characters, into the bytes they
// stand for, written at out (room for n bytes: never longer than its alphabet form). Returns
// the end of the output, or nullptr if a character is not in the alphabet (such a token cannot
// come out of byte-level BPE; added tokens written as plain text are like that). Loading
// decodes every token and merge, so this is a table lookup per character.
char* DecodeByteLevelTo(const char* s, size_t n, char* out) {
  const ByteAlphabet& a = Alphabet();
  const auto* p = reinterpret_cast<const uint8_t*>(s);
  const uint8_t* end = p + n;
  while (p < end) {
    int16_t b;
    if (*p < 0x80) {
      b = a.byte_of_utf8_1[*p++];
    } else if (static_cast<unsigned>(*p - 0xC2) < 4 && p + 1 < end && (p[1] & 0xC0) == 0x80) {
      b = a.byte_of_utf8_2[*p - 0xC2][p[1] & 0x3F];
      p += 2;
    } else {
      return nullptr;
    }
    if (b < 0) return nullptr;
    *out++ = static_cast<char>(b);
  }
  return out;
}

// As DecodeByteLevelTo(), into *out (replaced). Returns false if a character is not in the
// alphabet.
bool DecodeByteLevel(std::string_view s, std::string* out) {
  out->resize(s.size());
  char* end = DecodeByteLevelTo(s.data(), s.size(), out->data());
  if (end == nullptr) return false;
  out->resize(static_cast<size_t>(end - out->data()));
  return true;
}

std::string EncodeByteLevel(std::string_view bytes) {
  std::string out;
  for (unsigned char b : bytes) AppendUtf8(Alphabet().cp_of_byte[b], &out);
  return out;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s.substr(0, 80)) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      absl::StrAppendFormat(&out, "\\x%02X", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (s.size() > 80) out += "...";
  return out + "\"";
}

// A fixed-size array for large tables and lists, in a memory mapping of its own when large:
// freed, it goes back to the system at once, whatever the C library's heap would do with a
// freed block (glibc keeps them resident once it has raised its mmap threshold, so a second
// load in a process would otherwise peak well above the first). With `huge`, in transparent
// huge pages where the kernel offers them (madvise mode): for tables probed at random, which
// with 4 kB pages miss the TLB on most probes, at the price of rounding up to 2 MB.
template <class T>
class BigArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  BigArray() = default;
  BigArray(const BigArray&) = delete;
  BigArray& operator=(const BigArray&) = delete;
  ~BigArray() { Release(); }

  // n elements, not initialized (pages are made when first written).
  void Allocate(size_t n, bool huge = false) {
    Release();
    size_ = n;
    const size_t bytes = std::max<size_t>(n * sizeof(T), 1);
    constexpr size_t kMapped = size_t{256} << 10;
    constexpr size_t kHuge = size_t{2} << 20;
    constexpr size_t kPage = 4096;
    if (bytes < kMapped) {
      data_ = static_cast<T*>(std::malloc(bytes));
      if (data_ == nullptr) throw std::bad_alloc();
      return;
    }
    const bool use_huge = huge && bytes >= kHuge;
    const size_t align = use_huge ? kHuge : kPage;
    const size_t length = (bytes + align - 1) / align * align;
    // Over-allocate by the alignment and unmap the ends.
    const size_t over = length + (use_huge ? kHuge : 0);
    void* p = mmap(nullptr, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    const uintptr_t start = reinterpret_cast<uintptr_t>(p);
    const uintptr_t aligned = (start + align - 1) / align * align;
    if (aligned > start) munmap(p, aligned - start);
    if (start + over > aligned + length) {
      munmap(reinterpret_cast<void*>(aligned + length), start + over - (aligned + length));
    }
    if (use_huge) madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE);
    data_ = reinterpret_cast<T*>(aligned);
    mapped_bytes_ = length;
  }
  void Assign(size_t n, const T& value, bool huge = false) {
    Allocate(n, huge);
    std::fill(data_, data_ + n, value);
  }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  // Frees the memory (size() becomes 0).
  void Release() {
    if (mapped_bytes_ > 0) {
      munmap(data_, mapped_bytes_);
    } else {
      std::free(data_);
    }
    data_ = nullptr;
    size_ = mapped_bytes_ = 0;
  }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_bytes_ = 0;  // 0: from malloc.
};

// Gives the whole pages inside [p, p + n), a large block of ours about to be freed, back to the
// system (they read as zeros until written again). glibc keeps freed heap blocks resident once
// it has raised its mmap threshold (after the first large free of a process), so without this a
// second load in a process would peak higher than the first. Safe for any block we own: the
// allocator writes its bookkeeping only when the block is freed, after this.
void ReleasePages(const void* p, size_t n) {
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t b = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  const uintptr_t e = (reinterpret_cast<uintptr_t>(p) + n) & ~(page - 1);
  if (e > b) madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
}

// ---------------------------------------------------------------------------------------------
// Merge table: (left id, right id) -> (merge index, merged id), open addressing, with a filter
// in front. Merging asks about every adjacent pair, and most pairs that reach the table do not
// merge (four in five of those the pair cache misses, for Llama 3 on the corpus): the filter,
// 8 to 16 bits per merge (512 kB for Llama 3) and so mostly in cache, answers those without a
// probe of the table (megabytes, at random).

class MergeTable {
 public:
  struct Entry {
    uint64_t key;
    uint32_t rank;
    uint32_t id;
  };
  static constexpr uint64_t kEmpty = ~uint64_t{0};

  void Reserve(size_t n) {
    size_t cap = 16;
    while (cap * 3 < n * 5) cap <<= 1;  // Load factor at most 0.6.
    slots_.Assign(cap, Entry{kEmpty, 0, 0}, /*huge=*/true);
    mask_ = cap - 1;
    size_t words = 64;
    while (words * 64 < n * 8) words <<= 1;
    filter_.Assign(words, 0);
    filter_shift_ = 64 - __builtin_ctzll(words);
  }

  // Later merges of the same pair replace earlier ones (Hugging Face builds a hash map from
  // the list, so the last occurrence wins there too).
  void Insert(uint32_t a, uint32_t b, uint32_t rank, uint32_t id) {
    uint64_t key = (uint64_t{a} << 32) | b;
    size_t i = Hash(key);
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask_;
    if (slots_[i].key == kEmpty) ++size_;
    slots_[i] = Entry{key, rank, id};
    uint64_t word, bits;
    FilterBits(key, &word, &bits);
    filter_[word] |= bits;
  }

  void Prefetch(uint32_t a, uint32_t b) const {
    __builtin_prefetch(&slots_[Hash((uint64_t{a} << 32) | b)]);
  }

  const Entry* Find(uint32_t a, uint32_t b) const {
    uint64_t key = (uint64_t{a} << 32) | b;
    uint64_t word, bits;
    FilterBits(key, &word, &bits);
    if ((filter_[word] & bits) != bits) return nullptr;
    size_t i = Hash(key);
    for (;;) {
      const Entry& e = slots_[i];
      if (e.key == key) return &e;
      if (e.key == kEmpty) return nullptr;
      i = (i + 1) & mask_;
    }
  }

  size_t size() const { return size_; }
  size_t MemoryBytes() const {
    return slots_.size() * sizeof(Entry) + filter_.size() * sizeof(uint64_t);
  }

 private:
  size_t Hash(uint64_t key) const {
    key *= 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(key ^ (key >> 29)) & mask_;
  }
  // A key's two bits in the filter, both in one word (one cache line per question). With 8 to
  // 16 bits per merge, 1% to 4% of the pairs that are not merges pass it (a Bloom filter's
  // expected rate; a pass costs a probe, never a wrong answer).
  void FilterBits(uint64_t key, uint64_t* word, uint64_t* bits) const {
    const uint64_t h = key * 0xD6E8FEB86659FD93ull;
    *word = h >> filter_shift_;
    *bits = (uint64_t{1} << ((h >> 32) & 63)) | (uint64_t{1} << ((h >> 38) & 63));
  }
  BigArray<Entry> slots_;
  BigArray<uint64_t> filter_;
  int filter_shift_ = 58;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Words of up to this many bytes merge over stack arrays (MergeBytesShort); longer ones use a
// heap (MergeAndEmit).
constexpr size_t kShortWord = 64;

// A per-thread cache of merge-table lookups, (left id, right id) -> (merge index, merged id),
// for the byte-level fast path (EncodeBytes). Words repeat their pairs, and the merge table is
// megabytes probed at random: most lookups hit here, in L2, instead. Direct-mapped, 256 kB.
struct HfPairCache {
  static constexpr size_t kSize = 1 << 14;
  static constexpr uint32_t kNoMerge = 0xFFFFFFFFu;  // Rank of a pair that does not merge.
  struct Entry {
    uint64_t key;  // (left << 32) | right; ids are below 2^24, so ~0 marks an empty slot.
    uint32_t rank;
    uint32_t id;
  };
  uint64_t owner = 0;  // Vocab::uid() of the tokenizer the entries belong to.
  Entry entries[kSize];

  void Reset(uint64_t uid) {
    owner = uid;
    for (Entry& e : entries) e.key = ~uint64_t{0};
  }
  // The merge of the pair (a, b): from the cache, else from `table` (and cached).
  const Entry& Get(const MergeTable& table, uint32_t a, uint32_t b) {
    const uint64_t key = (uint64_t{a} << 32) | b;
    Entry& e = entries[static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 50)];
    if (e.key != key) {
      const MergeTable::Entry* m = table.Find(a, b);
      e = Entry{key, m != nullptr ? m->rank : kNoMerge, m != nullptr ? m->id : 0};
    }
    return e;
  }
};

// The calling thread's pair cache for the tokenizer whose vocab has this uid (two per thread,
// so that alternating between two tokenizers does not clear them on every call).
HfPairCache& ThreadHfPairCache(uint64_t uid) {
  thread_local std::unique_ptr<HfPairCache> caches[2];
  thread_local int next_victim = 0;
  for (auto& c : caches) {
    if (c && c->owner == uid) return *c;
  }
  std::unique_ptr<HfPairCache>& slot = caches[next_victim];
  next_victim ^= 1;
  if (!slot) slot = std::make_unique<HfPairCache>();
  slot->Reset(uid);
  return *slot;
}

// Token ids by token bytes while loading, for the merges. The merge list looks tokens up
// three times per merge (left, right, merged) at random, so this decides most of the load time:
// batches of lookups prefetch their slots first so that the cache misses overlap (the Vocab's
// own index cannot be prefetched), and each slot holds the token's length and first 8 bytes,
// so that the tokens of up to 8 bytes (91% of the lookups for Llama 3) need no second memory
// access; longer ones are checked against the Vocab's bytes. 16-byte slots, the table at most
// 70% full (Llama 3: 2.9 MB); freed once the merges are read.
class TokenIndex {
 public:
  explicit TokenIndex(const Vocab& v) : vocab_(v) {
    cap_ = std::max<size_t>(16, static_cast<size_t>(v.n_present()) * 10 / 7 + 1);
    slots_.Assign(cap_, Slot{0, kNoRank, 0});
    // In batches: prefetch the home slots, then fill them.
    constexpr uint32_t kBatch = 64;
    size_t home[kBatch];
    for (uint32_t base = 0; base < v.size(); base += kBatch) {
      const uint32_t end = std::min<uint32_t>(v.size(), base + kBatch);
      for (uint32_t id = base; id < end; ++id) {
        const std::string_view t = v.TokenBytes(id);
        home[id - base] = Home(Hash(t.data(), t.size()));
        __builtin_prefetch(&slots_[home[id - base]], 1);
      }
      for (uint32_t id = base; id < end; ++id) {
        if (!v.Has(id)) continue;
        const std::string_view t = v.TokenBytes(id);
        size_t i = home[id - base];
        while (slots_[i].id != kNoRank) i = i + 1 == cap_ ? 0 : i + 1;
        slots_[i] = Slot{Head(t.data(), t.size()), id, static_cast<uint32_t>(t.size())};
      }
    }
  }

  static uint64_t Hash(const char* p, size_t n) {
    return HashBytes(reinterpret_cast<const uint8_t*>(p), n);
  }
  void Prefetch(uint64_t h) const { __builtin_prefetch(&slots_[Home(h)]); }
  // The id of the n bytes at p (h == Hash(p, n)), or kNoRank. At least 8 bytes from p on must
  // be readable (the bytes after the n are ignored): one load makes the head, where a copy of
  // n < 8 bytes would stall on store forwarding.
  uint32_t FindPadded(const char* p, size_t n, uint64_t h) const {
    uint64_t head;
    std::memcpy(&head, p, 8);
    if (n < 8) head &= (uint64_t{1} << (8 * n)) - 1;
    for (size_t i = Home(h);; i = i + 1 == cap_ ? 0 : i + 1) {
      const Slot& s = slots_[i];
      if (s.id == kNoRank) return kNoRank;
      if (s.head != head || s.len != n) continue;
      if (n <= 8) return s.id;
      const std::string_view t = vocab_.TokenBytes(s.id);
      if (std::memcmp(t.data() + 8, p + 8, n - 8) == 0) return s.id;
    }
  }

 private:
  struct Slot {
    uint64_t head;  // The first 8 bytes, zero-padded.
    uint32_t id;    // kNoRank: empty.
    uint32_t len;
  };
  static uint64_t Head(const char* p, size_t n) {
    uint64_t head = 0;
    std::memcpy(&head, p, n < 8 ? n : 8);
    return head;
  }
  // The slot where the search for hash h starts (the high bits of h scaled to the table).
  size_t Home(uint64_t h) const {
    return static_cast<size_t>((static_cast<unsigned __int128>(h) * cap_) >> 64);
  }

  const Vocab& vocab_;
  BigArray<Slot> slots_;
  size_t cap_ = 0;
};

// Bytes of the merges of one batch while loading. Reserve() once, then Append()/Commit()
// without capacity checks; pointers into it last until the next Reserve().
class ByteArena {
 public:
  void Clear() { size_ = 0; }
  void Reserve(size_t n) {
    if (size_ + n <= cap_) return;
    const size_t cap = std::max({cap_ * 2, size_ + n, size_t{4096}});
    std::unique_ptr<char[]> grown(new char[cap + kSlack]);
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    cap_ = cap;
  }
  void Append(const char* p, size_t n) {
    std::memcpy(data_.get() + size_, p, n);
    size_ += n;
  }
  // Appends the arena's own bytes [off, off + n).
  void AppendOwn(size_t off, size_t n) { Append(data_.get() + off, n); }
  char* end() { return data_.get() + size_; }
  void Commit(size_t n) { size_ += n; }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }

  // Bytes readable after the end of the reserved room (for TokenIndex::FindPadded()).
  static constexpr size_t kSlack = 8;

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0, cap_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Added tokens and the byte trie that finds them (leftmost, longest first).

struct AddedToken {
  std::string content;
  uint32_t id = 0;
  bool special = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
  bool single_word = false;
};

class TokenTrie {
 public:
  TokenTrie() : terminal_(1, -1) {}

  void Add(std::string_view s, int32_t token) {
    if (s.empty()) return;
    uint32_t node = 0;
    for (unsigned char c : s) {
      uint64_t key = (uint64_t{node} << 8) | c;
      auto it = edges_.find(key);
      if (it == edges_.end()) {
        uint32_t child = static_cast<uint32_t>(terminal_.size());
        terminal_.push_back(-1);
        edges_.emplace(key, child);
        node = child;
      } else {
        node = it->second;
      }
    }
    terminal_[node] = token;
    const unsigned char first = static_cast<unsigned char>(s[0]);
    if (!first_[first]) firsts_.push_back(first);
    first_[first] = true;
    empty_ = false;
  }

  bool empty() const { return empty_; }
  // The first position from i on (i <= n) whose byte may start a token, or n. Added tokens
  // mostly share a first byte or two ('<' for Llama 3's, Qwen's and DeepSeek's): then the text
  // is searched sixteen bytes at a time.
  size_t NextStart(const uint8_t* s, size_t i, size_t n) const {
    if (firsts_.size() == 1) {
      const void* hit = std::memchr(s + i, firsts_[0], n - i);
      return hit == nullptr ? n : static_cast<size_t>(static_cast<const uint8_t*>(hit) - s);
    }
#if defined(__SSE2__)
    if (firsts_.size() <= 4) {
      __m128i want[4];
      for (size_t k = 0; k < 4; ++k) {
        want[k] = _mm_set1_epi8(static_cast<char>(firsts_[k < firsts_.size() ? k : 0]));
      }
      for (; i + 16 <= n; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
        const __m128i eq =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, want[0]), _mm_cmpeq_epi8(v, want[1])),
                         _mm_or_si128(_mm_cmpeq_epi8(v, want[2]), _mm_cmpeq_epi8(v, want[3])));
        const int mask = _mm_movemask_epi8(eq);
        if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
      }
    }
#endif
    while (i < n && !first_[s[i]]) ++i;
    return i;
  }

  // The longest token starting at s[pos] that `allowed` accepts, or -1.
  template <class Allowed>
  int32_t LongestAt(const uint8_t* s, size_t n, size_t pos, const Allowed& allowed,
                    size_t* len) const {
    uint32_t node = 0;
    int32_t best = -1;
    for (size_t i = pos; i < n; ++i) {
      auto it = edges_.find((uint64_t{node} << 8) | s[i]);
      if (it == edges_.end()) break;
      node = it->second;
      int32_t t = terminal_[node];
      if (t >= 0 && allowed(t)) {
        best = t;
        *len = i + 1 - pos;
      }
    }
    return best;
  }

  size_t MemoryBytes() const { return terminal_.capacity() * 4 + edges_.capacity() * 16; }

 private:
  std::vector<int32_t> terminal_;
  absl::flat_hash_map<uint64_t, uint32_t> edges_;
  bool first_[256] = {};
  std::vector<uint8_t> firsts_;  // The bytes set in first_.
  bool empty_ = true;
};

// ---------------------------------------------------------------------------------------------
// Normalizers.

struct NormStep {
  enum class Kind { kForm, kLowercase, kReplace, kPrepend, kStrip };
  Kind kind = Kind::kForm;
  NormalForm form = NormalForm::kNfc;
  std::unique_ptr<HfRegex> regex;  // kReplace with a regex.
  std::string literal;             // kReplace with a {"String": ...} pattern.
  std::string content;             // kReplace: the replacement; kPrepend: the prefix.
  bool strip_left = false, strip_right = false;
};

// ---------------------------------------------------------------------------------------------
// Pre-tokenizers.

enum class Behavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

// Hand-written scanners for split patterns we recognise.
using NextPieceFn = size_t (*)(const uint8_t* s, size_t pos, size_t n);

// Qwen 2/2.5/3's pattern is cl100k's with \p{N} where cl100k has \p{N}{1,3}; only pieces that
// start with a number differ (such pieces come from that alternative alone), so they are cut
// to their first character and everything else is cl100k's.
size_t NextPieceQwen(const uint8_t* s, size_t pos, size_t n) {
  int len = 1;
  uint32_t cp = s[pos] < 0x80 ? s[pos] : DecodeUtf8(s + pos, s + n, &len);
  if (ClassOf(cp) == CharClass::kNumber) return pos + len;
  return NextPieceCl100k(s, pos, n);
}

struct Scanner {
  NextPieceFn fn = nullptr;
  const char* name = "";
  // A regex that is one step of a sequence scanner's pre-tokenizer (hf_scan.h), left
  // uncompiled until the whole pre-tokenizer is known (then compiled if no scanner takes it).
  std::string deferred;
};

bool IsDeepSeekPattern(std::string_view pattern) {
  for (std::string_view p : kDeepSeekPatterns) {
    if (pattern == p) return true;
  }
  return false;
}

// Returns the scanner for a Split regex that one of them implements exactly, if any.
Scanner ScannerFor(std::string_view pattern) {
  switch (ClassifyPattern(pattern)) {
    case PatternKind::kGpt2:
      return {NextPieceGpt2, "gpt2", {}};
    case PatternKind::kCl100k:
      return {NextPieceCl100k, "cl100k", {}};
    case PatternKind::kO200k:
      return {NextPieceO200k, "o200k", {}};
    case PatternKind::kCustom:
      break;
  }
  static const char kQwen[] =
      R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  if (pattern == kQwen) return {NextPieceQwen, "qwen", {}};
  return {};
}

enum class Prepend { kAlways, kFirst, kNever };

struct PreStep {
  enum class Kind { kSplit, kByteLevel, kDigits, kMetaspace, kWhitespaceSplit };
  Kind kind = Kind::kSplit;
  // kSplit.
  Scanner scanner;
  std::unique_ptr<HfRegex> regex;
  Behavior behavior = Behavior::kIsolated;
  bool invert = false;
  // kByteLevel.
  bool add_prefix_space = false;
  bool use_regex = true;
  // kDigits.
  bool individual_digits = false;
  // kMetaspace.
  std::string replacement = "\xE2\x96\x81";  // U+2581.
  Prepend prepend = Prepend::kAlways;
  bool split = true;
};

// Whether the pre-tokenizer is DeepSeek V3's sequence of three splits (hf_scan.h).
bool IsDeepSeekSequence(const std::vector<PreStep>& pre) {
  if (pre.size() != kDeepSeekSteps) return false;
  for (int i = 0; i < kDeepSeekSteps; ++i) {
    const PreStep& step = pre[i];
    if (step.kind != PreStep::Kind::kSplit || step.behavior != Behavior::kIsolated || step.invert ||
        step.scanner.deferred != kDeepSeekPatterns[i]) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Post-processor and decoder.

struct TemplatePiece {
  bool is_sequence = false;
  std::vector<uint32_t> ids;  // Special token ids when !is_sequence.
};

struct DecodeStep {
  enum class Kind { kByteLevel, kReplace, kByteFallback, kFuse, kStrip, kMetaspace };
  Kind kind = Kind::kFuse;
  std::unique_ptr<HfRegex> regex;  // kReplace.
  std::string content;             // kReplace: replacement; kStrip: the character.
  size_t start = 0, stop = 0;      // kStrip.
  std::string replacement;         // kMetaspace.
  bool prepend_never = false;      // kMetaspace.
};

// Splits text[begin, end) on a code-point predicate the way Hugging Face's tokenizers do for
// function patterns: each matching character is a match of its own, each run of others one
// non-match.
template <class Pred>
void CharMatches(const std::string& text, size_t begin, size_t end, Pred pred,
                 std::vector<std::pair<size_t, size_t>>* matches) {
  const uint8_t* s = reinterpret_cast<const uint8_t*>(text.data());
  size_t i = begin;
  while (i < end) {
    int len;
    uint32_t cp = DecodeUtf8(s + i, s + end, &len);
    if (pred(cp)) matches->emplace_back(i, i + len);
    i += len;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct HfTokenizer::Impl {
  // Model.
  std::unique_ptr<Vocab> vocab;  // Token bytes (raw bytes for byte-level models) -> id.
  uint32_t model_size = 0;       // One more than the largest model id.
  std::map<uint32_t, std::string> unreachable;  // Byte-level tokens not in the alphabet.
  MergeTable merges;
  bool byte_level = false;
  bool ignore_merges = false;
  bool byte_fallback = false;
  bool fuse_unk = false;
  int64_t unk_id = -1;
  std::string prefix, suffix;  // continuing_subword_prefix, end_of_word_suffix (bytes).
  uint32_t fallback_id[256];   // Ids of <0xNN>, kNoRank if absent.
  // SentencePiece-style models: long words may be cut before U+2581 (see EncodeWord).
  bool split_at_meta = false;
  // Non-byte-level models without subword prefix/suffix: the id of each BMP character that is
  // a token by itself (kNoRank otherwise), so symbols need no hash lookup.
  std::vector<uint32_t> char_id;
  std::vector<uint32_t> meta_joiners;  // Code points that precede U+2581 inside some token.

  // Added tokens.
  std::vector<AddedToken> added;
  std::map<uint32_t, size_t> added_by_id;
  TokenTrie raw_trie, normalized_trie;
  bool any_special = false;

  std::vector<NormStep> normalizer;
  std::vector<PreStep> pre;
  // Fast path: the pre-tokenizer is one Isolated, non-inverted split run by a scanner.
  NextPieceFn stream_scanner = nullptr;
  // The scanners whose ASCII fast path (ascii_scan.h) EncodeStream() inlines into its loop;
  // kCall calls stream_scanner for every word.
  enum class StreamKind { kCall, kCl100k, kO200k, kQwen, kDeepSeek };
  StreamKind stream_kind = StreamKind::kCall;

  // Byte-level models whose 256 bytes are all tokens, without subword prefix or suffix (every
  // real one): their words take EncodeBytes(), which gives EncodeWord()'s ids faster.
  bool fast_bytes = false;
  uint32_t byte_id[256];  // The token of each byte (fast_bytes).
  struct PairMerge {
    uint32_t rank;  // Merge index, HfPairCache::kNoMerge if the pair does not merge.
    uint32_t id;    // The merged token.
  };
  // The merge of the tokens of two bytes, by (first byte << 8) | second byte (fast_bytes): the
  // first round of every word's merging, without touching the merge table.
  BigArray<PairMerge> byte_pairs;
  std::string split_path = "none";

  bool has_template = false;
  std::vector<TemplatePiece> single_template;

  bool has_decoder = false;
  std::vector<DecodeStep> decoder;

  uint32_t size = 0;

  // ---- Encoding ----

  struct Scratch {
    PieceCache* words = nullptr;   // The thread's word cache (EncodeBytes), once needed.
    HfPairCache* pairs = nullptr;  // The thread's pair cache (EncodeBytes), once needed.
    std::vector<uint32_t> ids, ranks, new_ids, next, prev;
    std::vector<uint64_t> heap;
    std::string sym;
    HfRegex::Scratch regex;
    std::vector<std::pair<size_t, size_t>> matches;
    std::vector<std::pair<size_t, size_t>> parts, parts2;
    std::string text2;
  };

  uint32_t LookupBytes(const uint8_t* p, size_t n) const { return vocab->Lookup(p, n); }

  // Builds char_id and meta_joiners once the vocabulary is known.
  void FinishCharTables();

  // Appends the symbol ids of one character (or byte) the way merge_word does in Rust.
  template <class Emit>
  void AddSymbol(const uint8_t* p, size_t n, bool first, bool last, Scratch& sc,
                 int64_t* pending_unk, Emit&& push) const;

  template <class Sink>
  void EncodeWord(const uint8_t* p, size_t n, Scratch& sc, Sink& sink) const;
  // EncodeWord() for fast_bytes models (n >= 1): inline for the words that are one token or
  // two bytes, EncodeBytesSlow() for the rest.
  template <class Sink>
  void EncodeBytes(const uint8_t* p, size_t n, Scratch& sc, Sink& sink) const;
  template <class Sink>
  void EncodeBytesSlow(const uint8_t* p, size_t n, Scratch& sc, Sink& sink) const;
  // Merges the bytes of a word of 2 to kShortWord bytes, calling emit(id) for each resulting token.
  template <class Emit>
  void MergeBytesShort(const uint8_t* p, size_t n, HfPairCache& pairs, Emit&& emit) const;
  // Splits text[0, n) with the stream scanner and encodes each word.
  template <StreamKind kKind, class Sink>
  void EncodeStream(const uint8_t* s, size_t n, Scratch& sc, Sink& sink) const;
  template <class Sink>
  void EncodeStreamAny(const uint8_t* s, size_t n, Scratch& sc, Sink& sink) const;
  // Sets fast_bytes, byte_id and byte_pairs once the vocabulary and merges are known.
  void FinishByteTables();
  // Symbols of word[begin, end) (word length n), merged.
  template <class Sink>
  void EncodeSegment(const uint8_t* word, size_t begin, size_t end, size_t n, Scratch& sc,
                     Sink& sink) const;
  template <class Sink>
  void MergeAndEmit(Scratch& sc, Sink& sink) const;

  absl::Status PreTokenize(std::string_view text, bool at_input_start, Scratch& sc,
                           std::vector<std::pair<size_t, size_t>>* out,
                           std::string* out_text) const;

  std::string Normalize(std::string_view s, Scratch& sc, absl::Status* status) const;

  template <class Sink>
  absl::Status Run(std::string_view text, const HfEncodeOptions& options, Sink& sink) const;
};

template <class Emit>
void HfTokenizer::Impl::AddSymbol(const uint8_t* p, size_t n, bool first, bool last, Scratch& sc,
                                  int64_t* pending_unk, Emit&& push) const {
  // The symbol's text: the character, with the subword prefix (not first) and the word
  // suffix (last) when the model has them.
  const uint8_t* s = p;
  size_t len = n;
  uint32_t id;
  if (byte_level && n == 1 && prefix.empty() && suffix.empty()) {
    id = vocab->ByteRank(p[0]);
  } else if (!char_id.empty() && n <= 3) {
    int l;
    id = char_id[p[0] < 0x80 ? p[0] : DecodeUtf8(p, p + n, &l)];
  } else {
    if (!prefix.empty() || !suffix.empty()) {
      sc.sym.clear();
      if (!first) sc.sym += prefix;
      sc.sym.append(reinterpret_cast<const char*>(p), n);
      if (last) sc.sym += suffix;
      s = reinterpret_cast<const uint8_t*>(sc.sym.data());
      len = sc.sym.size();
    }
    id = LookupBytes(s, len);
  }
  if (id != kNoRank) {
    if (*pending_unk >= 0) {
      push(static_cast<uint32_t>(unk_id));
      *pending_unk = -1;
    }
    push(id);
    return;
  }
  if (byte_fallback) {
    // The <0xNN> tokens of the symbol's UTF-8 bytes (for byte-level models: of its alphabet
    // character), all or none.
    std::string text;
    if (byte_level) {
      for (size_t i = 0; i < len; ++i)
        text += EncodeByteLevel(std::string_view(reinterpret_cast<const char*>(s) + i, 1));
    } else {
      text.assign(reinterpret_cast<const char*>(s), len);
    }
    bool all = true;
    for (unsigned char b : text) all = all && fallback_id[b] != kNoRank;
    if (all) {
      // Rust's merge_word adds these without flushing a pending unknown token first.
      for (unsigned char b : text) push(fallback_id[b]);
      return;
    }
  }
  if (unk_id >= 0) {
    if (*pending_unk >= 0 && !fuse_unk) push(static_cast<uint32_t>(unk_id));
    *pending_unk = unk_id;
  }
  // Without an unknown token the character is dropped, as Hugging Face does.
}

template <class Sink>
void HfTokenizer::Impl::MergeAndEmit(Scratch& sc, Sink& sink) const {
  std::vector<uint32_t>& ids = sc.ids;
  const size_t m = ids.size();
  if (m < 2) {
    for (uint32_t id : ids) sink(id);
    return;
  }
  constexpr uint32_t kNone = 0xFFFFFFFFu;
  if (m <= 48) {
    // Short words: rescan for the lowest merge index, leftmost on ties.
    sc.ranks.resize(m);
    sc.new_ids.resize(m);
    auto pair = [&](size_t i) {
      const MergeTable::Entry* e = merges.Find(ids[i], ids[i + 1]);
      sc.ranks[i] = e ? e->rank : kNone;
      sc.new_ids[i] = e ? e->id : 0;
    };
    for (size_t i = 0; i + 1 < m; ++i) pair(i);
    size_t n = m;
    while (n > 1) {
      uint32_t best = kNone;
      size_t at = 0;
      for (size_t i = 0; i + 1 < n; ++i) {
        if (sc.ranks[i] < best) {
          best = sc.ranks[i];
          at = i;
        }
      }
      if (best == kNone) break;
      ids[at] = sc.new_ids[at];
      for (size_t i = at + 1; i + 1 < n; ++i) {
        ids[i] = ids[i + 1];
        sc.ranks[i] = sc.ranks[i + 1];
        sc.new_ids[i] = sc.new_ids[i + 1];
      }
      --n;
      if (at + 1 < n) {
        pair(at);
      } else {
        sc.ranks[at] = kNone;
      }
      if (at > 0) pair(at - 1);
    }
    for (size_t i = 0; i < n; ++i) sink(ids[i]);
    return;
  }

  // Long words: a min-heap of (merge index, position) with lazy deletion, as Hugging Face's
  // Word::merge_all. An entry is stale when its position was absorbed or its pair changed.
  const uint32_t end = static_cast<uint32_t>(m);
  sc.next.resize(m);
  sc.prev.resize(m);
  sc.ranks.resize(m);
  sc.heap.clear();
  for (uint32_t i = 0; i < end; ++i) {
    sc.next[i] = i + 1;
    sc.prev[i] = i == 0 ? end : i - 1;
    const MergeTable::Entry* e = i + 1 < end ? merges.Find(ids[i], ids[i + 1]) : nullptr;
    sc.ranks[i] = e ? e->rank : kNone;
    if (e) sc.heap.push_back((uint64_t{e->rank} << 32) | i);
  }
  auto greater = std::greater<uint64_t>();
  std::make_heap(sc.heap.begin(), sc.heap.end(), greater);
  auto refresh = [&](uint32_t i) {
    uint32_t j = sc.next[i];
    const MergeTable::Entry* e = j < end ? merges.Find(ids[i], ids[j]) : nullptr;
    sc.ranks[i] = e ? e->rank : kNone;
    if (e) {
      sc.heap.push_back((uint64_t{e->rank} << 32) | i);
      std::push_heap(sc.heap.begin(), sc.heap.end(), greater);
    }
  };
  while (!sc.heap.empty()) {
    std::pop_heap(sc.heap.begin(), sc.heap.end(), greater);
    uint64_t key = sc.heap.back();
    sc.heap.pop_back();
    uint32_t i = static_cast<uint32_t>(key);
    uint32_t r = static_cast<uint32_t>(key >> 32);
    if (sc.ranks[i] != r) continue;
    uint32_t j = sc.next[i];
    const MergeTable::Entry* e = merges.Find(ids[i], ids[j]);
    ids[i] = e->id;
    uint32_t k = sc.next[j];
    sc.next[i] = k;
    if (k < end) sc.prev[k] = i;
    sc.ranks[j] = kNone;
    refresh(i);
    if (i != 0) refresh(sc.prev[i]);
  }
  for (uint32_t i = 0; i < end; i = sc.next[i]) sink(ids[i]);
}

void HfTokenizer::Impl::FinishCharTables() {
  if (!byte_level && prefix.empty() && suffix.empty()) {
    char_id.assign(0x10000, kNoRank);
    std::string ch;
    for (uint32_t cp = 0; cp < 0x10000; ++cp) {
      if (cp >= 0xD800 && cp < 0xE000) continue;
      ch.clear();
      AppendUtf8(cp, &ch);
      char_id[cp] = vocab->Lookup(ch);
    }
  }
  if (!byte_level && vocab->Lookup("\xE2\x96\x81") != kNoRank) {
    split_at_meta = true;
    for (uint32_t id = 0; id < model_size; ++id) {
      if (!vocab->Has(id)) continue;
      std::string_view t = vocab->TokenBytes(id);
      const uint8_t* q = reinterpret_cast<const uint8_t*>(t.data());
      uint32_t prev = 0;
      for (size_t i = 0; i < t.size();) {
        int len;
        uint32_t cp = DecodeUtf8(q + i, q + t.size(), &len);
        if (cp == 0x2581 && i > 0 && prev != 0x2581) meta_joiners.push_back(prev);
        prev = cp;
        i += len;
      }
    }
    std::sort(meta_joiners.begin(), meta_joiners.end());
    meta_joiners.erase(std::unique(meta_joiners.begin(), meta_joiners.end()), meta_joiners.end());
  }
}

template <class Sink>
void HfTokenizer::Impl::EncodeWord(const uint8_t* p, size_t n, Scratch& sc, Sink& sink) const {
  if (n == 0) return;
  if (ignore_merges) {
    uint32_t id = LookupBytes(p, n);
    if (id != kNoRank) {
      sink(id);
      return;
    }
  }
  // Long words of SentencePiece-style models (no pre-tokenizer: a whole line or document is
  // one word) are cut where no merge can reach across: before a U+2581 whose left neighbour
  // never precedes U+2581 inside any token. Merging each part alone then gives the same
  // tokens as merging the whole, since no merge ever spans a cut.
  if (split_at_meta && n > 32) {
    size_t begin = 0;
    uint32_t prev = 0;
    bool prev_known = false;
    for (size_t i = 0; i < n;) {
      int len = 1;
      uint32_t cp = p[i] < 0x80 ? p[i] : DecodeUtf8(p + i, p + n, &len);
      if (cp == 0x2581 && i > begin && prev != 0x2581 && prev_known &&
          !std::binary_search(meta_joiners.begin(), meta_joiners.end(), prev)) {
        EncodeSegment(p, begin, i, n, sc, sink);
        begin = i;
      }
      prev = cp;
      prev_known = (!char_id.empty() && cp < char_id.size()) ? char_id[cp] != kNoRank
                                                             : LookupBytes(p + i, len) != kNoRank;
      i += len;
    }
    EncodeSegment(p, begin, n, n, sc, sink);
    return;
  }
  EncodeSegment(p, 0, n, n, sc, sink);
}

template <class Sink>
void HfTokenizer::Impl::EncodeSegment(const uint8_t* word, size_t begin, size_t end, size_t n,
                                      Scratch& sc, Sink& sink) const {
  sc.ids.clear();
  int64_t pending_unk = -1;
  auto push = [&sc](uint32_t id) { sc.ids.push_back(id); };
  size_t i = begin;
  while (i < end) {
    size_t len = 1;
    if (!byte_level && word[i] >= 0x80) {
      int l;
      DecodeUtf8(word + i, word + end, &l);
      len = static_cast<size_t>(l);
    }
    AddSymbol(word + i, len, i == 0, i + len == n, sc, &pending_unk, push);
    i += len;
  }
  if (pending_unk >= 0) push(static_cast<uint32_t>(unk_id));
  MergeAndEmit(sc, sink);
}

void HfTokenizer::Impl::FinishByteTables() {
  fast_bytes = false;
  if (!byte_level || !prefix.empty() || !suffix.empty()) return;
  for (int b = 0; b < 256; ++b) {
    byte_id[b] = vocab->ByteRank(static_cast<uint8_t>(b));
    if (byte_id[b] == kNoRank) return;
  }
  // Merge indexes must leave room for HfPairCache::kNoMerge.
  if (merges.size() >= HfPairCache::kNoMerge) return;
  byte_pairs.Allocate(1 << 16);
  for (uint32_t base = 0; base < (1u << 16); base += 64) {
    for (uint32_t k = base; k < base + 64; ++k) merges.Prefetch(byte_id[k >> 8], byte_id[k & 255]);
    for (uint32_t k = base; k < base + 64; ++k) {
      const MergeTable::Entry* e = merges.Find(byte_id[k >> 8], byte_id[k & 255]);
      byte_pairs[k] =
          e != nullptr ? PairMerge{e->rank, e->id} : PairMerge{HfPairCache::kNoMerge, 0};
    }
  }
  fast_bytes = true;
}

template <class Emit>
void HfTokenizer::Impl::MergeBytesShort(const uint8_t* p, size_t n, HfPairCache& pairs,
                                        Emit&& emit) const {
  // MergeAndEmit()'s rule over stack arrays (bpe.h's MergeParts): the pair with the lowest
  // merge index merges, the leftmost of equal ones.
  static_assert(HfPairCache::kNoMerge == kNoRank, "MergeParts ends on kNoRank");
  uint32_t ids[kShortWord], rank[kShortWord], merged[kShortWord];
  uint8_t start[kShortWord + 1];
  for (size_t i = 0; i < n; ++i) {
    ids[i] = byte_id[p[i]];
    start[i] = static_cast<uint8_t>(i);
  }
  start[n] = static_cast<uint8_t>(n);
  for (size_t i = 0; i + 1 < n; ++i) {
    const PairMerge& pm = byte_pairs[(size_t{p[i]} << 8) | p[i + 1]];
    rank[i] = pm.rank;
    merged[i] = pm.id;
  }
  const size_t m = MergeParts<false>(n, ids, rank, merged, start,
                              [&](uint32_t a, uint32_t b, size_t, size_t) {
                                const HfPairCache::Entry& e = pairs.Get(merges, a, b);
                                return PartMerge{e.rank, e.id};
                              });
  for (size_t i = 0; i < m; ++i) emit(ids[i]);
}

template <class Sink>
[[gnu::noinline]] void HfTokenizer::Impl::EncodeBytesSlow(const uint8_t* p, size_t n, Scratch& sc,
                                                          Sink& sink) const {
  if (sc.pairs == nullptr) sc.pairs = &ThreadHfPairCache(vocab->uid());
  if (n <= PieceCache::kMaxBytes) {
    // Text repeats its words: the merged tokens of recent ones come from a per-thread cache
    // (the tiktoken path's, tagged with this tokenizer's own vocab: its entries are this
    // tokenizer's ids).
    if (sc.words == nullptr) sc.words = &ThreadPieceCache(*vocab);
    const uint64_t h = HashBytes(p, n) >> 20;
    if (const PieceCache::Entry* hit = sc.words->Find(h, p, n)) {
      for (size_t i = 0; i < hit->ntok; ++i) sink(hit->tokens[i]);
      return;
    }
    uint32_t tokens[PieceCache::kMaxBytes];
    size_t ntok = 0;
    MergeBytesShort(p, n, *sc.pairs, [&](uint32_t id) { tokens[ntok++] = id; });
    sc.words->Store(h, p, n, tokens, ntok);
    for (size_t i = 0; i < ntok; ++i) sink(tokens[i]);
    return;
  }
  if (n <= kShortWord) {
    MergeBytesShort(p, n, *sc.pairs, sink);
    return;
  }
  sc.ids.resize(n);
  for (size_t i = 0; i < n; ++i) sc.ids[i] = byte_id[p[i]];
  MergeAndEmit(sc, sink);
}

template <class Sink>
[[gnu::always_inline]] inline void HfTokenizer::Impl::EncodeBytes(const uint8_t* p, size_t n,
                                                                  Scratch& sc, Sink& sink) const {
  // With ignore_merges a word that is a token is that token (Hugging Face looks it up first);
  // most words of ordinary text are, and cost one cache line of the vocab's short or mid index.
  if (ignore_merges) {
    uint32_t id;
    if (n <= 8) {
      id = vocab->LookupShort(Vocab::ShortKey(p, n), n);
    } else if (n <= 16) {
      id = vocab->LookupMid(Vocab::Word(p), Vocab::Word(p + n - 8), n);
    } else {
      id = vocab->LookupLikelyMiss(p, n);
    }
    if (id != kNoRank) {
      sink(id);
      return;
    }
  }
  if (n == 1) {
    sink(byte_id[p[0]]);
    return;
  }
  if (n == 2) {
    const PairMerge& pm = byte_pairs[(size_t{p[0]} << 8) | p[1]];
    if (pm.rank != HfPairCache::kNoMerge) {
      sink(pm.id);
    } else {
      sink(byte_id[p[0]]);
      sink(byte_id[p[1]]);
    }
    return;
  }
  EncodeBytesSlow(p, n, sc, sink);
}

template <HfTokenizer::Impl::StreamKind kKind, class Sink>
void HfTokenizer::Impl::EncodeStream(const uint8_t* s, size_t n, Scratch& sc, Sink& sink) const {
  auto encode = [&](size_t b, size_t e) {
    if (fast_bytes) {
      EncodeBytes(s + b, e - b, sc, sink);
    } else {
      EncodeWord(s + b, e - b, sc, sink);
    }
    return true;
  };
  for (size_t pos = 0; pos < n;) {
    if constexpr (kKind == StreamKind::kCl100k || kKind == StreamKind::kO200k) {
      if (AsciiBlockPieces<kKind == StreamKind::kO200k>(s, n, &pos, encode)) continue;
    }
    size_t e;
    if constexpr (kKind == StreamKind::kCl100k) {
      e = AsciiPieceCl100k(s, pos, n);
      if (e == kAsciiUndecided) e = NextPieceCl100kGeneral(s, pos, n);
    } else if constexpr (kKind == StreamKind::kO200k) {
      e = AsciiPieceO200k(s, pos, n);
      if (e == kAsciiUndecided) e = NextPieceO200kGeneral(s, pos, n);
    } else if constexpr (kKind == StreamKind::kQwen) {
      // An ASCII digit is a piece of its own; pieces that start otherwise are cl100k's.
      if (static_cast<unsigned>(s[pos] - '0') < 10) {
        e = pos + 1;
      } else {
        e = AsciiPieceCl100k(s, pos, n);
        if (e == kAsciiUndecided) e = stream_scanner(s, pos, n);
      }
    } else if constexpr (kKind == StreamKind::kDeepSeek) {
      e = AsciiPieceDeepSeek(s, pos, n);
      if (e == kAsciiUndecided) e = NextPieceDeepSeekGeneral(s, pos, n);
    } else {
      e = stream_scanner(s, pos, n);
    }
    encode(pos, e);
    pos = e;
  }
}

template <class Sink>
void HfTokenizer::Impl::EncodeStreamAny(const uint8_t* s, size_t n, Scratch& sc, Sink& sink) const {
  switch (stream_kind) {
    case StreamKind::kCl100k:
      return EncodeStream<StreamKind::kCl100k>(s, n, sc, sink);
    case StreamKind::kO200k:
      return EncodeStream<StreamKind::kO200k>(s, n, sc, sink);
    case StreamKind::kQwen:
      return EncodeStream<StreamKind::kQwen>(s, n, sc, sink);
    case StreamKind::kDeepSeek:
      return EncodeStream<StreamKind::kDeepSeek>(s, n, sc, sink);
    case StreamKind::kCall:
      break;
  }
  EncodeStream<StreamKind::kCall>(s, n, sc, sink);
}

std::string HfTokenizer::Impl::Normalize(std::string_view s, Scratch& sc,
                                         absl::Status* status) const {
  std::string text(s);
  for (const NormStep& step : normalizer) {
    switch (step.kind) {
      case NormStep::Kind::kForm:
        text = encoding_internal::Normalize(text, step.form);
        break;
      case NormStep::Kind::kLowercase:
        text = ToLower(text);
        break;
      case NormStep::Kind::kPrepend:
        if (!text.empty()) text.insert(0, step.content);
        break;
      case NormStep::Kind::kStrip: {
        const uint8_t* b = reinterpret_cast<const uint8_t*>(text.data());
        size_t begin = 0, end = text.size();
        if (step.strip_left) {
          while (begin < end) {
            int len;
            if (!IsWhiteSpace(DecodeUtf8(b + begin, b + end, &len))) break;
            begin += len;
          }
        }
        if (step.strip_right) {
          while (end > begin) {
            size_t s0 = end - 1;
            while (s0 > begin && (b[s0] & 0xC0) == 0x80) --s0;
            int len;
            if (!IsWhiteSpace(DecodeUtf8(b + s0, b + end, &len))) break;
            end = s0;
          }
        }
        text = text.substr(begin, end - begin);
        break;
      }
      case NormStep::Kind::kReplace: {
        if (!step.literal.empty()) {
          // Non-overlapping occurrences, left to right.
          size_t at = text.find(step.literal);
          if (at == std::string::npos) break;
          std::string out;
          out.reserve(text.size() + text.size() / 4);
          size_t from = 0;
          for (; at != std::string::npos; at = text.find(step.literal, from)) {
            out.append(text, from, at - from);
            out += step.content;
            from = at + step.literal.size();
          }
          out.append(text, from, std::string::npos);
          text = std::move(out);
          break;
        }
        std::string out;
        const uint8_t* b = reinterpret_cast<const uint8_t*>(text.data());
        size_t pos = 0, copied = 0;
        while (pos <= text.size()) {
          size_t mb, me;
          auto found = step.regex->Find(b, text.size(), pos, sc.regex, &mb, &me);
          if (!found.ok()) {
            *status = found.status();
            return text;
          }
          if (!*found) break;
          out.append(text, copied, mb - copied);
          out += step.content;
          copied = me;
          if (me > mb) {
            pos = me;
          } else {
            // Empty match: step over one character.
            if (mb >= text.size()) break;
            int len;
            DecodeUtf8(b + mb, b + text.size(), &len);
            out.append(text, mb, len);
            copied = mb + len;
            pos = mb + len;
          }
        }
        out.append(text, copied, std::string::npos);
        text = std::move(out);
        break;
      }
    }
  }
  return text;
}

namespace {

// Turns (match) spans inside [begin, end) into the parts a Split behaviour keeps.
void ApplyBehavior(size_t begin, size_t end, const std::vector<std::pair<size_t, size_t>>& m,
                   bool invert, Behavior behavior, std::vector<std::pair<size_t, size_t>>* out) {
  // Hugging Face's find_matches: alternating (span, is_match) covering the whole input.
  struct Part {
    size_t b, e;
    bool match;
  };
  std::vector<Part> parts;
  size_t prev = begin;
  for (const auto& [b, e] : m) {
    if (prev != b) parts.push_back({prev, b, false});
    parts.push_back({b, e, true});
    prev = e;
  }
  if (prev != end) parts.push_back({prev, end, false});
  if (invert) {
    for (Part& p : parts) p.match = !p.match;
  }
  std::vector<Part> kept;
  switch (behavior) {
    case Behavior::kRemoved:
      for (const Part& p : parts) {
        if (!p.match) kept.push_back(p);
      }
      break;
    case Behavior::kIsolated:
      kept = parts;
      break;
    case Behavior::kMergedWithPrevious: {
      bool previous_match = false;
      for (const Part& p : parts) {
        if (p.match && !previous_match && !kept.empty()) {
          kept.back().e = p.e;
        } else {
          kept.push_back({p.b, p.e, false});
        }
        previous_match = p.match;
      }
      break;
    }
    case Behavior::kMergedWithNext: {
      bool previous_match = false;
      for (size_t i = parts.size(); i-- > 0;) {
        const Part& p = parts[i];
        if (p.match && !previous_match && !kept.empty()) {
          kept.back().b = p.b;
        } else {
          kept.push_back({p.b, p.e, false});
        }
        previous_match = p.match;
      }
      std::reverse(kept.begin(), kept.end());
      break;
    }
    case Behavior::kContiguous: {
      bool previous_match = false;
      bool first = true;
      for (const Part& p : parts) {
        if (!first && p.match == previous_match) {
          kept.back().e = p.e;
        } else {
          kept.push_back({p.b, p.e, false});
        }
        previous_match = p.match;
        first = false;
      }
      break;
    }
  }
  for (const Part& p : kept) {
    if (p.e > p.b) out->emplace_back(p.b, p.e);
  }
}

}  // namespace

absl::Status HfTokenizer::Impl::PreTokenize(std::string_view input, bool at_input_start,
                                            Scratch& sc,
                                            std::vector<std::pair<size_t, size_t>>* out,
                                            std::string* out_text) const {
  std::string text(input);
  std::vector<std::pair<size_t, size_t>>& parts = sc.parts;
  std::vector<std::pair<size_t, size_t>>& next = sc.parts2;
  parts.clear();
  if (!text.empty()) parts.emplace_back(0, text.size());
  const uint8_t* s = nullptr;

  for (const PreStep& step : pre) {
    next.clear();
    s = reinterpret_cast<const uint8_t*>(text.data());
    switch (step.kind) {
      case PreStep::Kind::kSplit:
        for (const auto& [b, e] : parts) {
          sc.matches.clear();
          if (step.scanner.fn != nullptr) {
            // The scanner partitions the piece; every piece is a match.
            for (size_t pos = b; pos < e;) {
              size_t pe = b + step.scanner.fn(s + b, pos - b, e - b);
              sc.matches.emplace_back(pos, pe);
              pos = pe;
            }
          } else {
            size_t pos = b;
            while (pos < e) {
              size_t mb, me;
              auto found = step.regex->Find(s + b, e - b, pos - b, sc.regex, &mb, &me);
              if (!found.ok()) return found.status();
              if (!*found) break;
              sc.matches.emplace_back(b + mb, b + me);
              if (me > mb) {
                pos = b + me;
              } else {
                int len = 1;
                if (b + mb < e) DecodeUtf8(s + b + mb, s + e, &len);
                pos = b + mb + len;
              }
            }
          }
          ApplyBehavior(b, e, sc.matches, step.invert, step.behavior, &next);
        }
        break;
      case PreStep::Kind::kDigits:
        for (const auto& [b, e] : parts) {
          sc.matches.clear();
          CharMatches(
              text, b, e,
              [](uint32_t cp) {
                GeneralCategory c = CategoryOf(cp);
                return c == GeneralCategory::kNd || c == GeneralCategory::kNl ||
                       c == GeneralCategory::kNo;
              },
              &sc.matches);
          ApplyBehavior(b, e, sc.matches, false,
                        step.individual_digits ? Behavior::kIsolated : Behavior::kContiguous,
                        &next);
        }
        break;
      case PreStep::Kind::kWhitespaceSplit:
        for (const auto& [b, e] : parts) {
          sc.matches.clear();
          CharMatches(text, b, e, IsWhiteSpace, &sc.matches);
          ApplyBehavior(b, e, sc.matches, false, Behavior::kRemoved, &next);
        }
        break;
      case PreStep::Kind::kByteLevel:
      case PreStep::Kind::kMetaspace: {
        // These rewrite the text: build a new one piece by piece.
        std::string& t2 = sc.text2;
        t2.clear();
        std::vector<std::pair<size_t, size_t>> rewritten;
        for (const auto& [b, e] : parts) {
          size_t nb = t2.size();
          std::string_view piece(text.data() + b, e - b);
          if (step.kind == PreStep::Kind::kByteLevel) {
            if (step.add_prefix_space && piece[0] != ' ') t2.push_back(' ');
            t2.append(piece);
          } else {
            size_t from = 0;
            std::string replaced;
            for (size_t at; (at = piece.find(' ', from)) != std::string_view::npos;) {
              replaced.append(piece.substr(from, at - from));
              replaced += step.replacement;
              from = at + 1;
            }
            replaced.append(piece.substr(from));
            bool starts = replaced.compare(0, step.replacement.size(), step.replacement) == 0;
            bool add = !starts && (step.prepend == Prepend::kAlways ||
                                   (step.prepend == Prepend::kFirst && at_input_start && b == 0));
            if (add) t2 += step.replacement;
            t2 += replaced;
          }
          rewritten.emplace_back(nb, t2.size());
        }
        text.swap(t2);
        s = reinterpret_cast<const uint8_t*>(text.data());
        for (const auto& [b, e] : rewritten) {
          if (step.kind == PreStep::Kind::kByteLevel && step.use_regex) {
            for (size_t pos = b; pos < e;) {
              size_t pe = b + NextPieceGpt2(s + b, pos - b, e - b);
              next.emplace_back(pos, pe);
              pos = pe;
            }
          } else if (step.kind == PreStep::Kind::kMetaspace && step.split) {
            sc.matches.clear();
            const std::string& r = step.replacement;
            for (size_t at = b; (at = text.find(r, at)) != std::string::npos && at < e;
                 at += r.size()) {
              sc.matches.emplace_back(at, at + r.size());
            }
            ApplyBehavior(b, e, sc.matches, false, Behavior::kMergedWithNext, &next);
          } else {
            if (e > b) next.emplace_back(b, e);
          }
        }
        break;
      }
    }
    parts.swap(next);
  }
  out->assign(parts.begin(), parts.end());
  out_text->swap(text);
  return absl::OkStatus();
}

template <class Sink>
absl::Status HfTokenizer::Impl::Run(std::string_view text, const HfEncodeOptions& options,
                                    Sink& sink) const {
  // UTF-8 first: every later step may assume well-formed input.
  std::string repaired;
  size_t bad = FindInvalidUtf8(text);
  if (bad != text.size()) {
    if (options.invalid_utf8 == InvalidUtf8::kReject) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid UTF-8 at byte offset ", bad, " (byte 0x",
                       absl::Hex(static_cast<uint8_t>(text[bad]), absl::kZeroPad2), ")"));
    }
    repaired = ReplaceInvalidUtf8(text);
    text = repaired;
  }

  Scratch sc;
  const SpecialPolicy policy = options.special;
  auto allowed = [&](int32_t t) {
    return policy != SpecialPolicy::kAsText || !added[static_cast<size_t>(t)].special;
  };

  // Cuts added tokens out of `s`; calls on_text(begin, end) and on_token(index, begin) in
  // order. Follows Rust's AddedVocabulary::find_matches.
  auto split_added = [&](std::string_view s, const TokenTrie& trie, auto&& on_text,
                         auto&& on_token) -> absl::Status {
    const uint8_t* b = reinterpret_cast<const uint8_t*>(s.data());
    const size_t n = s.size();
    size_t start_offset = 0;
    size_t i = 0;
    while (i < n && !trie.empty()) {
      i = trie.NextStart(b, i, n);
      if (i == n) break;
      size_t len = 0;
      int32_t t = trie.LongestAt(b, n, i, allowed, &len);
      if (t < 0) {
        ++i;
        continue;
      }
      const AddedToken& tok = added[static_cast<size_t>(t)];
      size_t start = i, stop = i + len;
      if (tok.special && policy == SpecialPolicy::kReject) {
        return absl::InvalidArgumentError(
            absl::StrCat("special token ", tok.content, " at byte offset ", start,
                         " is not allowed; encode it as text or allow it as a special token"));
      }
      if (tok.single_word) {
        bool word_before = false, word_after = false;
        if (start > 0) {
          size_t q = start - 1;
          while (q > 0 && (b[q] & 0xC0) == 0x80) --q;
          int l;
          word_before = IsWordChar(DecodeUtf8(b + q, b + n, &l));
        }
        if (stop < n) {
          int l;
          word_after = IsWordChar(DecodeUtf8(b + stop, b + n, &l));
        }
        if (word_before || word_after) {
          i = stop;  // The match is discarded; the search resumes after it.
          continue;
        }
      }
      if (tok.lstrip) {
        size_t ns = start;
        while (ns > 0) {
          size_t q = ns - 1;
          while (q > 0 && (b[q] & 0xC0) == 0x80) --q;
          int l;
          if (!IsWhiteSpace(DecodeUtf8(b + q, b + n, &l))) break;
          ns = q;
        }
        start = std::max(ns, start_offset);
      }
      if (tok.rstrip) {
        while (stop < n) {
          int l;
          if (!IsWhiteSpace(DecodeUtf8(b + stop, b + n, &l))) break;
          stop += l;
        }
      }
      if (start_offset < start) {
        absl::Status st = on_text(start_offset, start);
        if (!st.ok()) return st;
      }
      on_token(static_cast<size_t>(t), start);
      start_offset = stop;
      i = stop;
    }
    if (start_offset < n) return on_text(start_offset, n);
    return absl::OkStatus();
  };

  std::vector<std::pair<size_t, size_t>> words;
  std::string word_text;
  auto encode_section = [&](std::string_view section, bool at_input_start) -> absl::Status {
    const uint8_t* s = reinterpret_cast<const uint8_t*>(section.data());
    if (stream_scanner != nullptr) {
      EncodeStreamAny(s, section.size(), sc, sink);
      return absl::OkStatus();
    }
    absl::Status st = PreTokenize(section, at_input_start, sc, &words, &word_text);
    if (!st.ok()) return st;
    const uint8_t* w = reinterpret_cast<const uint8_t*>(word_text.data());
    for (const auto& [b, e] : words) {
      if (fast_bytes) {
        if (e > b) EncodeBytes(w + b, e - b, sc, sink);
      } else {
        EncodeWord(w + b, e - b, sc, sink);
      }
    }
    return absl::OkStatus();
  };

  auto on_added = [&](size_t t, size_t) { sink(added[t].id); };
  std::string normalized_storage;
  auto on_raw_text = [&](size_t b, size_t e) -> absl::Status {
    std::string_view raw = text.substr(b, e - b);
    // Without a normalizer the text is used where it is (no copy).
    std::string_view normalized = raw;
    if (!normalizer.empty()) {
      absl::Status st;
      normalized_storage = Normalize(raw, sc, &st);
      if (!st.ok()) return st;
      normalized = normalized_storage;
    }
    if (normalized.empty()) return absl::OkStatus();
    return split_added(
        normalized, normalized_trie,
        [&](size_t nb, size_t ne) -> absl::Status {
          return encode_section(normalized.substr(nb, ne - nb), b == 0 && nb == 0);
        },
        on_added);
  };
  return split_added(text, raw_trie, on_raw_text, on_added);
}

// ---------------------------------------------------------------------------------------------
// Loading.

namespace {

absl::Status Bad(std::string_view path, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("tokenizer.json ", std::string(path), ": ", std::string(what)));
}

absl::StatusOr<bool> GetBool(const JsonNode& obj, std::string_view key, bool dflt,
                             const std::string& path) {
  const JsonNode* v = obj.Find(key);
  if (v == nullptr || v->IsNull()) return dflt;
  if (v->type != JsonNode::Type::kBool) {
    return Bad(absl::StrCat(path, ".", std::string(key)),
               absl::StrCat("expected a boolean, found ", v->TypeName()));
  }
  return v->boolean;
}

absl::StatusOr<std::string> GetString(const JsonNode& obj, std::string_view key,
                                      const std::string& path, bool required,
                                      std::string dflt = "") {
  const JsonNode* v = obj.Find(key);
  if (v == nullptr || v->IsNull()) {
    if (required) return Bad(path, absl::StrCat("missing \"", std::string(key), "\""));
    return dflt;
  }
  if (v->type != JsonNode::Type::kString) {
    return Bad(absl::StrCat(path, ".", std::string(key)),
               absl::StrCat("expected a string, found ", v->TypeName()));
  }
  return v->str;
}

absl::StatusOr<std::string> TypeOf(const JsonNode& node, const std::string& path) {
  if (node.type != JsonNode::Type::kObject) {
    return Bad(path, absl::StrCat("expected an object, found ", node.TypeName()));
  }
  return GetString(node, "type", path, /*required=*/true);
}

absl::Status Unsupported(const std::string& path, std::string_view kind, std::string_view type) {
  return absl::UnimplementedError(
      absl::StrCat("tokenizer.json ", path, ": ", std::string(kind), " type \"", std::string(type),
                   "\" is not supported (tokwise would not reproduce the reference's ids)"));
}

// A {"String": s} or {"Regex": r} pattern. With `scanner`, a regex that a hand-written
// scanner implements exactly is not compiled: *scanner is set and the result is null (the
// compile costs a few milliseconds of Unicode tables per process, for nothing).
absl::StatusOr<std::unique_ptr<HfRegex>> CompilePattern(const JsonNode& obj,
                                                        const std::string& path,
                                                        Scanner* scanner = nullptr) {
  const JsonNode* p = obj.Find("pattern");
  if (p == nullptr || p->type != JsonNode::Type::kObject) {
    return Bad(path, "missing \"pattern\" object");
  }
  if (const JsonNode* s = p->Find("String"); s != nullptr && s->type == JsonNode::Type::kString) {
    if (s->str.empty()) return Bad(path + ".pattern.String", "empty pattern");
    return HfRegex::Compile(s->str, /*literal=*/true);
  }
  if (const JsonNode* r = p->Find("Regex"); r != nullptr && r->type == JsonNode::Type::kString) {
    if (scanner != nullptr) {
      *scanner = ScannerFor(r->str);
      if (scanner->fn != nullptr) return std::unique_ptr<HfRegex>();
      if (IsDeepSeekPattern(r->str)) {
        scanner->deferred = r->str;
        return std::unique_ptr<HfRegex>();
      }
    }
    auto re = HfRegex::Compile(r->str);
    if (!re.ok()) return Bad(path + ".pattern.Regex", std::string(re.status().message()));
    return re;
  }
  return Bad(path + ".pattern", "expected {\"String\": ...} or {\"Regex\": ...}");
}

absl::Status ParseNormalizer(const JsonNode& node, const std::string& path,
                             std::vector<NormStep>* out) {
  if (node.IsNull()) return absl::OkStatus();
  auto type = TypeOf(node, path);
  if (!type.ok()) return type.status();
  NormStep step;
  if (*type == "Sequence") {
    const JsonNode* list = node.Find("normalizers");
    if (list == nullptr || list->type != JsonNode::Type::kArray) {
      return Bad(path, "Sequence without a \"normalizers\" array");
    }
    for (size_t i = 0; i < list->items.size(); ++i) {
      absl::Status st =
          ParseNormalizer(list->items[i], absl::StrCat(path, ".normalizers[", i, "]"), out);
      if (!st.ok()) return st;
    }
    return absl::OkStatus();
  }
  if (*type == "NFC" || *type == "NFD" || *type == "NFKC" || *type == "NFKD") {
    step.kind = NormStep::Kind::kForm;
    step.form = *type == "NFC"    ? NormalForm::kNfc
                : *type == "NFD"  ? NormalForm::kNfd
                : *type == "NFKC" ? NormalForm::kNfkc
                                  : NormalForm::kNfkd;
  } else if (*type == "Lowercase") {
    step.kind = NormStep::Kind::kLowercase;
  } else if (*type == "Replace") {
    step.kind = NormStep::Kind::kReplace;
    auto re = CompilePattern(node, path);
    if (!re.ok()) return re.status();
    step.regex = std::move(*re);
    if (const JsonNode* pat = node.Find("pattern"); pat != nullptr) {
      if (const JsonNode* lit = pat->Find("String");
          lit != nullptr && lit->type == JsonNode::Type::kString) {
        step.literal = lit->str;
      }
    }
    auto content = GetString(node, "content", path, /*required=*/true);
    if (!content.ok()) return content.status();
    step.content = *content;
  } else if (*type == "Prepend") {
    step.kind = NormStep::Kind::kPrepend;
    auto content = GetString(node, "prepend", path, /*required=*/true);
    if (!content.ok()) return content.status();
    step.content = *content;
  } else if (*type == "Strip") {
    step.kind = NormStep::Kind::kStrip;
    auto l = GetBool(node, "strip_left", true, path);
    auto r = GetBool(node, "strip_right", true, path);
    if (!l.ok()) return l.status();
    if (!r.ok()) return r.status();
    step.strip_left = *l;
    step.strip_right = *r;
  } else {
    return Unsupported(path, "normalizer", *type);
  }
  out->push_back(std::move(step));
  return absl::OkStatus();
}

absl::StatusOr<Behavior> ParseBehavior(const JsonNode& node, const std::string& path) {
  auto b = GetString(node, "behavior", path, /*required=*/false, "Isolated");
  if (!b.ok()) return b.status();
  if (*b == "Removed") return Behavior::kRemoved;
  if (*b == "Isolated") return Behavior::kIsolated;
  if (*b == "MergedWithPrevious") return Behavior::kMergedWithPrevious;
  if (*b == "MergedWithNext") return Behavior::kMergedWithNext;
  if (*b == "Contiguous") return Behavior::kContiguous;
  return Bad(path + ".behavior", absl::StrCat("unknown behavior ", Quote(*b)));
}

absl::Status ParsePreTokenizer(const JsonNode& node, const std::string& path,
                               std::vector<PreStep>* out) {
  if (node.IsNull()) return absl::OkStatus();
  auto type = TypeOf(node, path);
  if (!type.ok()) return type.status();
  PreStep step;
  if (*type == "Sequence") {
    const JsonNode* list = node.Find("pretokenizers");
    if (list == nullptr || list->type != JsonNode::Type::kArray) {
      return Bad(path, "Sequence without a \"pretokenizers\" array");
    }
    for (size_t i = 0; i < list->items.size(); ++i) {
      absl::Status st =
          ParsePreTokenizer(list->items[i], absl::StrCat(path, ".pretokenizers[", i, "]"), out);
      if (!st.ok()) return st;
    }
    return absl::OkStatus();
  }
  if (*type == "Split") {
    step.kind = PreStep::Kind::kSplit;
    auto re = CompilePattern(node, path, &step.scanner);
    if (!re.ok()) return re.status();
    auto behavior = ParseBehavior(node, path);
    if (!behavior.ok()) return behavior.status();
    auto invert = GetBool(node, "invert", false, path);
    if (!invert.ok()) return invert.status();
    step.behavior = *behavior;
    step.invert = *invert;
    step.regex = std::move(*re);  // Null when the scanner splits.
  } else if (*type == "ByteLevel") {
    step.kind = PreStep::Kind::kByteLevel;
    auto prefix = GetBool(node, "add_prefix_space", true, path);
    auto use_regex = GetBool(node, "use_regex", true, path);
    if (!prefix.ok()) return prefix.status();
    if (!use_regex.ok()) return use_regex.status();
    step.add_prefix_space = *prefix;
    step.use_regex = *use_regex;
  } else if (*type == "Digits") {
    step.kind = PreStep::Kind::kDigits;
    auto individual = GetBool(node, "individual_digits", false, path);
    if (!individual.ok()) return individual.status();
    step.individual_digits = *individual;
  } else if (*type == "WhitespaceSplit") {
    step.kind = PreStep::Kind::kWhitespaceSplit;
  } else if (*type == "Whitespace") {
    // Hugging Face: the matches of \w+|[^\w\s]+ are kept, everything else dropped.
    step.kind = PreStep::Kind::kSplit;
    auto re = HfRegex::Compile(R"(\w+|[^\w\s]+)");
    if (!re.ok()) return re.status();
    step.regex = std::move(*re);
    step.behavior = Behavior::kRemoved;
    step.invert = true;
  } else if (*type == "Metaspace") {
    step.kind = PreStep::Kind::kMetaspace;
    auto repl = GetString(node, "replacement", path, /*required=*/false, "\xE2\x96\x81");
    if (!repl.ok()) return repl.status();
    if (repl->empty()) return Bad(path + ".replacement", "empty replacement");
    step.replacement = *repl;
    auto split = GetBool(node, "split", true, path);
    if (!split.ok()) return split.status();
    step.split = *split;
    const JsonNode* scheme = node.Find("prepend_scheme");
    if (scheme != nullptr && scheme->type == JsonNode::Type::kString) {
      if (scheme->str == "always") {
        step.prepend = Prepend::kAlways;
      } else if (scheme->str == "first") {
        step.prepend = Prepend::kFirst;
      } else if (scheme->str == "never") {
        step.prepend = Prepend::kNever;
      } else {
        return Bad(path + ".prepend_scheme", absl::StrCat("unknown scheme ", Quote(scheme->str)));
      }
    } else {
      // Older files: add_prefix_space (default true).
      auto add = GetBool(node, "add_prefix_space", true, path);
      if (!add.ok()) return add.status();
      step.prepend = *add ? Prepend::kAlways : Prepend::kNever;
    }
  } else {
    return Unsupported(path, "pre-tokenizer", *type);
  }
  out->push_back(std::move(step));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint32_t>> ParseIdList(const JsonNode& node, const std::string& path) {
  if (node.type != JsonNode::Type::kArray) return Bad(path, "expected an array of ids");
  std::vector<uint32_t> ids;
  for (size_t i = 0; i < node.items.size(); ++i) {
    const JsonNode& v = node.items[i];
    if (v.type != JsonNode::Type::kNumber || !v.is_uint || v.uint_value >= kMaxId) {
      return Bad(absl::StrCat(path, "[", i, "]"), "expected a token id");
    }
    ids.push_back(static_cast<uint32_t>(v.uint_value));
  }
  return ids;
}

// Parses a post-processor into the template for single texts.
absl::Status ParsePostProcessor(const JsonNode& node, const std::string& path,
                                std::vector<TemplatePiece>* single, bool* has_template) {
  if (node.IsNull()) return absl::OkStatus();
  auto type = TypeOf(node, path);
  if (!type.ok()) return type.status();
  if (*type == "ByteLevel") return absl::OkStatus();  // Offsets only.
  if (*type == "Sequence") {
    const JsonNode* list = node.Find("processors");
    if (list == nullptr || list->type != JsonNode::Type::kArray) {
      return Bad(path, "Sequence without a \"processors\" array");
    }
    for (size_t i = 0; i < list->items.size(); ++i) {
      absl::Status st = ParsePostProcessor(
          list->items[i], absl::StrCat(path, ".processors[", i, "]"), single, has_template);
      if (!st.ok()) return st;
    }
    return absl::OkStatus();
  }
  if (*type == "RobertaProcessing" || *type == "BertProcessing") {
    auto token = [&](const char* key) -> absl::StatusOr<uint32_t> {
      const JsonNode* v = node.Find(key);
      if (v == nullptr || v->type != JsonNode::Type::kArray || v->items.size() != 2 ||
          !v->items[1].is_uint || v->items[1].uint_value >= kMaxId) {
        return Bad(absl::StrCat(path, ".", key), "expected [token, id]");
      }
      return static_cast<uint32_t>(v->items[1].uint_value);
    };
    auto cls = token("cls");
    auto sep = token("sep");
    if (!cls.ok()) return cls.status();
    if (!sep.ok()) return sep.status();
    if (*has_template) return Bad(path, "two post-processors add special tokens");
    *has_template = true;
    single->push_back({false, {*cls}});
    single->push_back({true, {}});
    single->push_back({false, {*sep}});
    return absl::OkStatus();
  }
  if (*type != "TemplateProcessing") return Unsupported(path, "post-processor", *type);
  if (*has_template) return Bad(path, "two post-processors add special tokens");
  *has_template = true;
  const JsonNode* tmpl = node.Find("single");
  const JsonNode* specials = node.Find("special_tokens");
  if (tmpl == nullptr || tmpl->type != JsonNode::Type::kArray) {
    return Bad(path, "TemplateProcessing without a \"single\" array");
  }
  for (size_t i = 0; i < tmpl->items.size(); ++i) {
    const std::string ipath = absl::StrCat(path, ".single[", i, "]");
    const JsonNode& item = tmpl->items[i];
    if (const JsonNode* seq = item.Find("Sequence"); seq != nullptr) {
      auto id = GetString(*seq, "id", ipath + ".Sequence", /*required=*/true);
      if (!id.ok()) return id.status();
      if (*id != "A") return Bad(ipath, "a single-text template may only use sequence A");
      single->push_back({true, {}});
      continue;
    }
    const JsonNode* sp = item.Find("SpecialToken");
    if (sp == nullptr) return Bad(ipath, "expected {\"Sequence\"} or {\"SpecialToken\"}");
    auto id = GetString(*sp, "id", ipath + ".SpecialToken", /*required=*/true);
    if (!id.ok()) return id.status();
    const JsonNode* entry = specials == nullptr ? nullptr : specials->Find(*id);
    if (entry == nullptr || entry->Find("ids") == nullptr) {
      return Bad(ipath,
                 absl::StrCat("special token ", Quote(*id), " is not defined in special_tokens"));
    }
    auto ids = ParseIdList(*entry->Find("ids"), path + ".special_tokens." + *id + ".ids");
    if (!ids.ok()) return ids.status();
    single->push_back({false, std::move(*ids)});
  }
  return absl::OkStatus();
}

absl::Status ParseDecoder(const JsonNode& node, const std::string& path,
                          std::vector<DecodeStep>* out) {
  if (node.IsNull()) return absl::OkStatus();
  auto type = TypeOf(node, path);
  if (!type.ok()) return type.status();
  DecodeStep step;
  if (*type == "Sequence") {
    const JsonNode* list = node.Find("decoders");
    if (list == nullptr || list->type != JsonNode::Type::kArray) {
      return Bad(path, "Sequence without a \"decoders\" array");
    }
    for (size_t i = 0; i < list->items.size(); ++i) {
      absl::Status st = ParseDecoder(list->items[i], absl::StrCat(path, ".decoders[", i, "]"), out);
      if (!st.ok()) return st;
    }
    return absl::OkStatus();
  }
  if (*type == "ByteLevel") {
    step.kind = DecodeStep::Kind::kByteLevel;
  } else if (*type == "Replace") {
    step.kind = DecodeStep::Kind::kReplace;
    auto re = CompilePattern(node, path);
    if (!re.ok()) return re.status();
    step.regex = std::move(*re);
    auto content = GetString(node, "content", path, /*required=*/true);
    if (!content.ok()) return content.status();
    step.content = *content;
  } else if (*type == "ByteFallback") {
    step.kind = DecodeStep::Kind::kByteFallback;
  } else if (*type == "Fuse") {
    step.kind = DecodeStep::Kind::kFuse;
  } else if (*type == "Strip") {
    step.kind = DecodeStep::Kind::kStrip;
    auto content = GetString(node, "content", path, /*required=*/true);
    if (!content.ok()) return content.status();
    step.content = *content;
    for (const char* key : {"start", "stop"}) {
      const JsonNode* v = node.Find(key);
      if (v == nullptr || !v->is_uint || v->uint_value > 1024) {
        return Bad(absl::StrCat(path, ".", key), "expected a small non-negative integer");
      }
      (std::string(key) == "start" ? step.start : step.stop) = v->uint_value;
    }
  } else if (*type == "Metaspace") {
    step.kind = DecodeStep::Kind::kMetaspace;
    auto repl = GetString(node, "replacement", path, /*required=*/false, "\xE2\x96\x81");
    if (!repl.ok()) return repl.status();
    step.replacement = *repl;
    const JsonNode* scheme = node.Find("prepend_scheme");
    if (scheme != nullptr && scheme->type == JsonNode::Type::kString) {
      step.prepend_never = scheme->str == "never";
    } else {
      auto add = GetBool(node, "add_prefix_space", true, path);
      if (!add.ok()) return add.status();
      step.prepend_never = !*add;
    }
  } else {
    return Unsupported(path, "decoder", *type);
  }
  out->push_back(std::move(step));
  return absl::OkStatus();
}

absl::StatusOr<AddedToken> ParseAddedToken(const JsonNode& node, const std::string& path) {
  if (node.type != JsonNode::Type::kObject) {
    return Bad(path, absl::StrCat("expected an object, found ", node.TypeName()));
  }
  AddedToken t;
  const JsonNode* id = node.Find("id");
  if (id == nullptr || id->type != JsonNode::Type::kNumber || !id->is_uint ||
      id->uint_value >= kMaxId) {
    return Bad(path + ".id", absl::StrCat("expected a token id below ", kMaxId));
  }
  t.id = static_cast<uint32_t>(id->uint_value);
  auto content = GetString(node, "content", path, /*required=*/true);
  if (!content.ok()) return content.status();
  if (content->empty()) return Bad(path + ".content", "empty added token");
  t.content = *content;
  auto special = GetBool(node, "special", false, path);
  if (!special.ok()) return special.status();
  t.special = *special;
  const std::pair<const char*, bool*> flags[] = {
      {"lstrip", &t.lstrip}, {"rstrip", &t.rstrip}, {"single_word", &t.single_word}};
  for (auto [key, field] : flags) {
    auto v = GetBool(node, key, false, path);
    if (!v.ok()) return v.status();
    *field = *v;
  }
  // Hugging Face's default: special tokens are not normalized, others are.
  auto normalized = GetBool(node, "normalized", !t.special, path);
  if (!normalized.ok()) return normalized.status();
  t.normalized = *normalized;
  return t;
}

// Where the parts of the BPE model are. Vocab and merges stay in the text: they are read once,
// straight into their tables, after the rest of the document (so that the pre-tokenizer and
// the model's options are known, whatever the order of the fields). Every other field of the
// model is read into a small tree.
struct RawModel {
  std::string type;
  bool has_type = false;
  bool has_vocab = false, has_merges = false;
  size_t vocab_pos = 0, merges_pos = 0;  // Byte offsets of the values in the text.
  size_t vocab_end = 0;                  // Where the vocab's value ends.
  size_t n_vocab = 0, n_merges = 0;      // Fields of the vocab, items of the merges.
  JsonNode options;                      // Every other field, as an object.
};

// Reads the "model" object at the reader's position (syntax errors are returned, others go to
// *deferred: the whole document is checked before anything in it is refused).
absl::Status ReadModel(JsonReader& r, RawModel* model, absl::Status* deferred) {
  model->options.type = JsonNode::Type::kObject;
  if (absl::Status st = r.BeginObject(); !st.ok()) return st;
  for (bool first = true;; first = false) {
    bool done;
    std::string_view key_view;
    if (absl::Status st = r.NextField(first, &done, &key_view); !st.ok()) return st;
    if (done) return absl::OkStatus();
    std::string key(key_view);
    absl::Status st;
    if (key == "vocab") {
      model->has_vocab = true;
      if (r.Peek() != '{' && deferred->ok()) *deferred = Bad("model.vocab", "expected an object");
      model->vocab_pos = r.pos();
      st = r.Skip(&model->n_vocab);
      model->vocab_end = r.pos();
    } else if (key == "merges") {
      model->has_merges = true;
      if (r.Peek() != '[' && deferred->ok()) *deferred = Bad("model.merges", "expected an array");
      model->merges_pos = r.pos();
      st = r.Skip(&model->n_merges);
    } else {
      JsonNode node;
      st = r.ReadNode(&node, "tokenizer.json model." + key, deferred);
      if (key == "type" && node.type == JsonNode::Type::kString) {
        model->type = node.str;
        model->has_type = true;
      }
      model->options.fields.emplace_back(std::move(key), std::move(node));
    }
    if (!st.ok()) return st;
  }
}

// A JSON number token as a vocabulary id: digits only ("-0" too, as simdjson reads it), or
// false.
bool ParseId(std::string_view t, uint64_t* id) {
  if (t == "-0") t = "0";
  if (t.empty() || t.size() > 19) return false;
  uint64_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *id = v;
  return true;
}

// Reads merges[i] at the reader's position as (left, right), either "a b" or ["a", "b"]. The
// two tokens are appended to *arena as written (escapes decoded); *a_len and *b_len receive
// their lengths.
absl::Status ReadMerge(JsonReader& r, size_t i, ByteArena* arena, uint32_t* a_len,
                       uint32_t* b_len) {
  std::string_view s;
  const char c = r.Peek();
  if (c == '"') {
    if (absl::Status st = r.ReadString(&s); !st.ok()) return st;
    // The spaces (a loop: the strings are short, a libc call costs more).
    size_t sp = std::string_view::npos, spaces = 0;
    for (size_t k = 0; k < s.size(); ++k) {
      if (s[k] == ' ') {
        if (spaces++ == 0) sp = k;
      }
    }
    if (spaces != 1) {
      return Bad(absl::StrCat("model.merges[", i, "]"),
                 absl::StrCat(Quote(s), " is not two tokens separated by one space"));
    }
    arena->Reserve(s.size());
    arena->Append(s.data(), sp);
    arena->Append(s.data() + sp + 1, s.size() - sp - 1);
    *a_len = static_cast<uint32_t>(sp);
    *b_len = static_cast<uint32_t>(s.size() - sp - 1);
    return absl::OkStatus();
  }
  if (c == '[') {
    if (absl::Status st = r.BeginArray(); !st.ok()) return st;
    uint32_t* lens[2] = {a_len, b_len};
    for (size_t k = 0;; ++k) {
      bool done;
      if (absl::Status st = r.NextItem(k == 0, &done); !st.ok()) return st;
      if (done && k == 2) return absl::OkStatus();
      if (done || k == 2 || r.Peek() != '"') break;
      if (absl::Status st = r.ReadString(&s); !st.ok()) return st;
      arena->Reserve(s.size());
      arena->Append(s.data(), s.size());
      *lens[k] = static_cast<uint32_t>(s.size());
    }
    return Bad(absl::StrCat("model.merges[", i, "]"), "expected two strings");
  }
  return Bad(absl::StrCat("model.merges[", i, "]"), "expected \"a b\" or [\"a\", \"b\"]");
}

// The key of the vocabulary field whose ',' (or, for the first, whose '{') ends at `pos`, as
// written (escapes decoded). For error messages.
std::string VocabKeyAt(std::string_view text, size_t pos, bool first) {
  JsonReader r(text, pos);
  bool done = false;
  std::string_view key;
  if (!r.NextField(first, &done, &key).ok() || done) return "?";
  return std::string(key);
}

}  // namespace

HfTokenizer::HfTokenizer() : impl_(std::make_unique<Impl>()) {}
HfTokenizer::~HfTokenizer() = default;

absl::StatusOr<std::unique_ptr<HfTokenizer>> HfTokenizer::FromJson(std::string_view data) {
  return FromJsonText(data, nullptr);
}

absl::StatusOr<std::unique_ptr<HfTokenizer>> HfTokenizer::FromOwnedJson(std::string data) {
  return FromJsonText(data, &data);
}

absl::StatusOr<std::unique_ptr<HfTokenizer>> HfTokenizer::FromJsonText(std::string_view text,
                                                                       std::string* owned) {
  // Memory: the text, the tables being built and transient lists. The text is read in three
  // passes: the whole document (checked, the small parts read into trees, vocab and merges
  // skipped), the vocabulary, the merges (into a list of id triples); then the text is freed if
  // it is ours, and the merge table is built from the list. Peak resident memory, the text
  // included (benchmarks/hf_load_memory): 2.5x the file for Llama 3 (4.4x with simdjson's DOM
  // and a tree copy of it), 2.1x for Qwen3, 2.7x for DeepSeek-V3, 2.0x for Gemma 3.
  // TODO: the vocab and merges are scanned twice (checked in the first pass, read in the
  // second and third). The first pass takes about 9 of the ~65 ms of a Llama 3 load, nearly all
  // in vocab and merges; reading them there into position lists would save most of it, at the
  // cost of those lists (about 1 MB more at the peak for Llama 3).
  if (text.size() >= (uint64_t{1} << 32)) {
    return Bad("(document)", "larger than 4 GiB");  // Offsets below are 32-bit.
  }
  auto syntax = [](const absl::Status& st) { return Bad("(document)", std::string(st.message())); };
  if (absl::Status st = CheckJsonUtf8(text); !st.ok()) return syntax(st);
  JsonReader r(text);
  if (r.Peek() != '{') {
    // Malformed JSON is named as such first.
    if (absl::Status st = r.Skip(); !st.ok()) return syntax(st);
    if (absl::Status st = r.ExpectEnd(); !st.ok()) return syntax(st);
    return Bad("(document)", "expected a JSON object");
  }
  // Errors other than syntax errors wait in `deferred` until the whole document is checked.
  absl::Status deferred;
  RawModel model;
  bool has_model = false;
  JsonNode added_node, normalizer_node, pre_node, post_node, decoder_node;
  if (absl::Status st = r.BeginObject(); !st.ok()) return syntax(st);
  for (bool first = true;; first = false) {
    bool done;
    std::string_view key;
    if (absl::Status st = r.NextField(first, &done, &key); !st.ok()) return syntax(st);
    if (done) break;
    absl::Status st;
    if (key == "model") {
      has_model = true;
      if (r.Peek() != '{') {
        if (deferred.ok()) deferred = Bad("model", "expected an object");
        st = r.Skip();
      } else {
        // A repeated "model" adds to the first (its vocab and merges replace the first's).
        st = ReadModel(r, &model, &deferred);
      }
    } else {
      JsonNode* target = key == "added_tokens"     ? &added_node
                         : key == "normalizer"     ? &normalizer_node
                         : key == "pre_tokenizer"  ? &pre_node
                         : key == "post_processor" ? &post_node
                         : key == "decoder"        ? &decoder_node
                                                   : nullptr;
      // version, truncation, padding: not part of counting, only checked. A repeated
      // component replaces the earlier one.
      st = target == nullptr
               ? r.Skip()
               : r.ReadNode(target, absl::StrCat("tokenizer.json ", std::string(key)), &deferred);
    }
    if (!st.ok()) return syntax(st);
  }
  if (absl::Status st = r.ExpectEnd(); !st.ok()) return syntax(st);
  if (!deferred.ok()) return deferred;
  if (!has_model) return Bad("(document)", "missing \"model\"");

  auto tok = std::unique_ptr<HfTokenizer>(new HfTokenizer());
  Impl& m = *tok->impl_;

  // ---- Components ----
  absl::Status st = ParseNormalizer(normalizer_node, "normalizer", &m.normalizer);
  if (!st.ok()) return st;
  st = ParsePreTokenizer(pre_node, "pre_tokenizer", &m.pre);
  if (!st.ok()) return st;
  for (size_t i = 0; i < m.pre.size(); ++i) {
    if (m.pre[i].kind != PreStep::Kind::kByteLevel) continue;
    if (i + 1 != m.pre.size()) {
      return absl::UnimplementedError(
          "tokenizer.json pre_tokenizer: a ByteLevel step followed by other pre-tokenizers is "
          "not supported");
    }
    m.byte_level = true;
  }
  // A trailing ByteLevel step that neither adds a space nor splits is free: the vocabulary is
  // kept in raw bytes.
  std::vector<PreStep> effective;
  for (PreStep& step : m.pre) {
    if (step.kind == PreStep::Kind::kByteLevel && !step.add_prefix_space && !step.use_regex) {
      continue;
    }
    effective.push_back(std::move(step));
  }
  m.pre = std::move(effective);
  if (m.pre.size() == 1 && m.pre[0].kind == PreStep::Kind::kSplit && m.pre[0].scanner.fn &&
      m.pre[0].behavior == Behavior::kIsolated && !m.pre[0].invert) {
    m.stream_scanner = m.pre[0].scanner.fn;
    m.split_path = absl::StrCat("scanner:", m.pre[0].scanner.name);
    m.stream_kind = m.stream_scanner == NextPieceCl100k  ? Impl::StreamKind::kCl100k
                    : m.stream_scanner == NextPieceO200k ? Impl::StreamKind::kO200k
                    : m.stream_scanner == NextPieceQwen  ? Impl::StreamKind::kQwen
                                                         : Impl::StreamKind::kCall;
  } else if (m.pre.size() == 1 && m.pre[0].kind == PreStep::Kind::kByteLevel &&
             m.pre[0].use_regex && !m.pre[0].add_prefix_space) {
    m.stream_scanner = NextPieceGpt2;
    m.split_path = "scanner:gpt2";
  } else if (IsDeepSeekSequence(m.pre)) {
    m.stream_scanner = NextPieceDeepSeek;
    m.stream_kind = Impl::StreamKind::kDeepSeek;
    m.split_path = "scanner:deepseek";
  } else if (!m.pre.empty()) {
    int regexes = 0;
    for (const PreStep& step : m.pre) {
      regexes += step.kind == PreStep::Kind::kSplit && step.scanner.fn == nullptr;
    }
    m.split_path = absl::StrCat("steps:", m.pre.size(), ",regex:", regexes);
  }
  if (m.stream_scanner == nullptr) {
    for (size_t i = 0; i < m.pre.size(); ++i) {
      PreStep& step = m.pre[i];
      if (step.kind != PreStep::Kind::kSplit || step.regex || step.scanner.deferred.empty()) {
        continue;
      }
      auto re = HfRegex::Compile(step.scanner.deferred);
      if (!re.ok()) return Bad("pre_tokenizer", std::string(re.status().message()));
      step.regex = std::move(*re);
    }
  }
  m.has_decoder = !decoder_node.IsNull();
  st = ParseDecoder(decoder_node, "decoder", &m.decoder);
  if (!st.ok()) return st;
  st = ParsePostProcessor(post_node, "post_processor", &m.single_template, &m.has_template);
  if (!st.ok()) return st;

  // ---- Model ----
  if (model.has_type && model.type != "BPE") {
    return Unsupported("model", "model", model.type);
  }
  if (!model.has_type && !model.has_merges) {
    return Bad("model", "no \"type\" and no merges: not a BPE model");
  }
  if (!model.has_vocab) return Bad("model", "missing \"vocab\"");
  if (!model.has_merges) return Bad("model", "missing \"merges\"");
  const JsonNode& opt = model.options;
  if (const JsonNode* d = opt.Find("dropout");
      d != nullptr && !d->IsNull() && !(d->type == JsonNode::Type::kNumber && d->number == 0)) {
    return absl::UnimplementedError(
        "tokenizer.json model.dropout: BPE dropout is random; counts would not be "
        "reproducible");
  }
  const std::pair<const char*, bool*> flags[] = {{"ignore_merges", &m.ignore_merges},
                                                 {"byte_fallback", &m.byte_fallback},
                                                 {"fuse_unk", &m.fuse_unk}};
  for (auto [key, field] : flags) {
    auto v = GetBool(opt, key, false, "model");
    if (!v.ok()) return v.status();
    *field = *v;
  }
  auto prefix = GetString(opt, "continuing_subword_prefix", "model", false);
  auto suffix = GetString(opt, "end_of_word_suffix", "model", false);
  auto unk = GetString(opt, "unk_token", "model", false);
  if (!prefix.ok()) return prefix.status();
  if (!suffix.ok()) return suffix.status();
  if (!unk.ok()) return unk.status();

  // ---- Vocabulary ----
  // Token bytes by id, read from the text: views into it where a token is stored as written,
  // else (escapes; byte-level tokens, decoded from the alphabet) in `store`. Checks follow in
  // the order of the file.
  struct VocabEntry {
    uint32_t id;
    uint32_t field_pos;  // Where the field's ',' (or the object's '{') ends: names it in errors.
    uint32_t off, len;   // The bytes: text[off, off + len) or store[off, off + len).
    bool in_store;
    bool unreachable;  // A byte-level token outside the alphabet (kept in m.unreachable).
    bool empty;
  };
  // The lists of this section and the next are in mappings of their own (BigArray), so that
  // they go back to the system when freed.
  BigArray<VocabEntry> entries;
  entries.Allocate(model.n_vocab);
  size_t n_entries = 0;
  // Room for every token: each takes at least its decoded length (plus quotes) in the text.
  // Only the part written to is ever touched.
  BigArray<char> store;
  store.Allocate(model.vocab_end - model.vocab_pos + 1);
  size_t store_size = 0;
  std::string tmp;
  uint64_t max_id = 0;
  {
    JsonReader vr(text, model.vocab_pos);
    if (absl::Status st = vr.BeginObject(); !st.ok()) return syntax(st);
    for (bool first = true;; first = false) {
      const size_t field_pos = vr.pos();
      bool done;
      std::string_view token;
      if (absl::Status st = vr.NextField(first, &done, &token); !st.ok()) return syntax(st);
      if (done) break;
      VocabEntry e{0, static_cast<uint32_t>(field_pos), 0, 0, false, false, token.empty()};
      // The id first (the token view may live in the reader's buffer: a number does not
      // touch it).
      std::string_view number;
      uint64_t id = 0;
      const char c = vr.Peek();
      if ((c != '-' && (c < '0' || c > '9')) || !vr.ReadNumber(&number).ok() ||
          !ParseId(number, &id)) {
        return Bad(absl::StrCat("model.vocab[", Quote(token), "]"),
                   "expected a non-negative integer id");
      }
      if (id >= kMaxId) {
        return Bad(absl::StrCat("model.vocab[", Quote(token), "]"),
                   absl::StrCat("id ", id, " is not below the limit of ", kMaxId));
      }
      e.id = static_cast<uint32_t>(id);
      max_id = std::max(max_id, id);
      char* out = store.data() + store_size;
      if (!m.byte_level) {
        if (vr.last_string_escaped()) {
          e.in_store = true;
          e.off = static_cast<uint32_t>(store_size);
          std::memcpy(out, token.data(), token.size());
          store_size += token.size();
        } else {
          e.off = static_cast<uint32_t>(token.data() - text.data());
        }
        e.len = static_cast<uint32_t>(token.size());
      } else if (char* end = DecodeByteLevelTo(token.data(), token.size(), out)) {
        e.in_store = true;
        e.off = static_cast<uint32_t>(store_size);
        e.len = static_cast<uint32_t>(end - out);
        store_size += e.len;
      } else {
        e.unreachable = true;
        m.unreachable.emplace(e.id, std::string(token));
      }
      if (n_entries == entries.size()) return absl::InternalError("vocab: fields miscounted");
      entries[n_entries++] = e;
    }
  }
  if (n_entries == 0) return Bad("model.vocab", "the vocabulary is empty");
  // Ids are dense in real files; a sparse one would make a tiny file allocate tables for
  // millions of ids.
  if (max_id >= 2 * n_entries + 65536) {
    return Bad("model.vocab", absl::StrCat("id ", max_id, " is far above the ", n_entries,
                                           " tokens listed (ids must be dense)"));
  }
  m.model_size = static_cast<uint32_t>(max_id + 1);
  {
    std::vector<std::string_view> by_id(m.model_size);
    BigArray<uint32_t> entry_of;  // The first entry giving each id.
    entry_of.Assign(m.model_size, kNoRank);
    for (size_t i = 0; i < n_entries; ++i) {
      const VocabEntry& e = entries[i];
      if (e.empty) return Bad("model.vocab", absl::StrCat("id ", e.id, " has an empty token"));
      if (entry_of[e.id] != kNoRank) {
        const VocabEntry& was = entries[entry_of[e.id]];
        return Bad("model.vocab",
                   absl::StrCat("id ", e.id, " is given to both ",
                                Quote(VocabKeyAt(text, was.field_pos, entry_of[e.id] == 0)),
                                " and ", Quote(VocabKeyAt(text, e.field_pos, i == 0))));
      }
      entry_of[e.id] = static_cast<uint32_t>(i);
      if (!e.unreachable) {
        by_id[e.id] =
            std::string_view(e.in_store ? store.data() + e.off : text.data() + e.off, e.len);
      }
    }
    entries.Release();
    entry_of.Release();
    auto vocab = Vocab::FromTokenList(by_id);
    if (!vocab.ok()) {
      return Bad("model.vocab", std::string(vocab.status().message()));
    }
    m.vocab = std::move(*vocab);
    store.Release();
    ReleasePages(by_id.data(), by_id.size() * sizeof(by_id[0]));
  }

  // Looks a token up by its text as written in the file.
  std::map<std::string, uint32_t, std::less<>> unreachable_by_text;
  for (const auto& [id, written] : m.unreachable) unreachable_by_text.emplace(written, id);
  auto id_of = [&](std::string_view token) -> uint32_t {
    if (m.byte_level) {
      if (!DecodeByteLevel(token, &tmp)) {
        auto it = unreachable_by_text.find(token);
        return it == unreachable_by_text.end() ? kNoRank : it->second;
      }
      return m.vocab->Lookup(tmp);
    }
    return m.vocab->Lookup(token);
  };
  auto bytes_of = [&](const std::string& s) {
    if (!m.byte_level) return s;
    std::string out;
    return DecodeByteLevel(s, &out) ? out : s;
  };
  m.prefix = bytes_of(*prefix);
  m.suffix = bytes_of(*suffix);

  // ---- Merges ----
  // (left, right) -> (index in the list, merged token). Read in batches that go through the
  // lookups stage by stage, each stage prefetching what the next one reads, so that the cache
  // misses of a batch overlap instead of queueing. The ids go to a list first: the merge table
  // is built once the text is freed.
  struct MergeIds {
    uint32_t left, right, merged;
  };
  BigArray<MergeIds> merge_ids;
  merge_ids.Allocate(model.n_merges);
  size_t n_merges = 0;
  {
    const TokenIndex index(*m.vocab);
    constexpr size_t kBatch = 64;
    struct Pending {
      uint32_t written[2], written_len[2];  // Left and right as written, in `arena`.
      uint32_t off[3], len[3];  // Bytes of left, right, merged in `arena`; len ~0u: unreachable.
      uint64_t hash[3];
      uint32_t id[3];
    };
    std::vector<Pending> batch(kBatch);
    ByteArena arena;
    JsonReader mr(text, model.merges_pos);
    if (absl::Status st = mr.BeginArray(); !st.ok()) return syntax(st);
    bool done = false;
    size_t base = 0;
    while (!done) {
      size_t count = 0;
      arena.Clear();
      // Stage 1: read the merges; the bytes of the three tokens.
      for (; count < kBatch; ++count) {
        if (absl::Status st = mr.NextItem(base + count == 0, &done); !st.ok()) return syntax(st);
        if (done) break;
        Pending& pj = batch[count];
        pj.written[0] = static_cast<uint32_t>(arena.size());
        absl::Status mst =
            ReadMerge(mr, base + count, &arena, &pj.written_len[0], &pj.written_len[1]);
        if (!mst.ok()) return mst;
        pj.written[1] = pj.written[0] + pj.written_len[0];
        // Room for the bytes of left, right and right without the prefix, and the merged token.
        arena.Reserve(4 * (size_t{pj.written_len[0]} + pj.written_len[1]));
        const char* a = arena.data() + pj.written[0];
        const char* b = arena.data() + pj.written[1];
        size_t b_rest_skip = 0;
        if (!prefix->empty() &&
            std::string_view(b, pj.written_len[1]).substr(0, prefix->size()) == *prefix) {
          b_rest_skip = prefix->size();
        }
        if (!m.byte_level || b_rest_skip > 0) {
          // Left, right and right without the prefix; the merged token is copied after them.
          const uint32_t part_off[3] = {pj.written[0], pj.written[1],
                                        pj.written[1] + static_cast<uint32_t>(b_rest_skip)};
          const uint32_t part_len[3] = {pj.written_len[0], pj.written_len[1],
                                        pj.written_len[1] - static_cast<uint32_t>(b_rest_skip)};
          for (int k = 0; k < 3; ++k) {
            pj.off[k] = part_off[k];
            pj.len[k] = part_len[k];
            if (!m.byte_level) continue;
            char* out = arena.end();
            char* end = DecodeByteLevelTo(arena.data() + part_off[k], part_len[k], out);
            if (end == nullptr) {
              pj.len[k] = ~0u;
              continue;
            }
            pj.off[k] = static_cast<uint32_t>(arena.size());
            pj.len[k] = static_cast<uint32_t>(end - out);
            arena.Commit(pj.len[k]);
          }
          if (pj.len[0] != ~0u && pj.len[2] != ~0u) {
            const uint32_t off = static_cast<uint32_t>(arena.size());
            arena.AppendOwn(pj.off[0], pj.len[0]);
            arena.AppendOwn(pj.off[2], pj.len[2]);
            pj.len[2] = pj.len[0] + pj.len[2];
            pj.off[2] = off;
          } else {
            pj.len[2] = ~0u;
          }
        } else {
          // Byte-level without a prefix to remove: left and right decoded side by side are
          // the merged token.
          char* out = arena.end();
          char* end_a = DecodeByteLevelTo(a, pj.written_len[0], out);
          char* out_b = end_a != nullptr ? end_a : out;
          char* end_b = DecodeByteLevelTo(b, pj.written_len[1], out_b);
          const uint32_t start = static_cast<uint32_t>(arena.size());
          pj.off[0] = start;
          pj.len[0] = end_a != nullptr ? static_cast<uint32_t>(end_a - out) : ~0u;
          pj.off[1] = start + static_cast<uint32_t>(out_b - out);
          pj.len[1] = end_b != nullptr ? static_cast<uint32_t>(end_b - out_b) : ~0u;
          pj.off[2] = start;
          pj.len[2] = end_a != nullptr && end_b != nullptr ? pj.len[0] + pj.len[1] : ~0u;
          arena.Commit(end_b != nullptr ? static_cast<size_t>(end_b - out)
                                        : static_cast<size_t>(out_b - out));
        }
      }
      // Stage 2: hash and prefetch, then look the three tokens up.
      for (size_t j = 0; j < count; ++j) {
        Pending& pj = batch[j];
        for (int k = 0; k < 3; ++k) {
          if (pj.len[k] == ~0u) continue;
          pj.hash[k] = TokenIndex::Hash(arena.data() + pj.off[k], pj.len[k]);
          index.Prefetch(pj.hash[k]);
        }
      }
      for (size_t j = 0; j < count; ++j) {
        Pending& pj = batch[j];
        const std::string_view a(arena.data() + pj.written[0], pj.written_len[0]);
        const std::string_view b(arena.data() + pj.written[1], pj.written_len[1]);
        for (int k = 0; k < 3; ++k) {
          if (pj.len[k] != ~0u) {
            pj.id[k] = index.FindPadded(arena.data() + pj.off[k], pj.len[k], pj.hash[k]);
          } else if (k < 2) {
            // A token outside the byte alphabet (written as plain text in the file).
            auto it = unreachable_by_text.find(k == 0 ? a : b);
            pj.id[k] = it == unreachable_by_text.end() ? kNoRank : it->second;
          } else {
            auto it = unreachable_by_text.find(std::string(a) + std::string(b));
            pj.id[k] = it == unreachable_by_text.end() ? kNoRank : it->second;
          }
        }
        for (int k = 0; k < 3; ++k) {
          if (pj.id[k] != kNoRank) continue;
          const std::string path = absl::StrCat("model.merges[", base + j, "]");
          if (k == 2) {
            return Bad(path,
                       absl::StrCat("the merged token ", Quote(std::string(a) + std::string(b)),
                                    " is not in the vocabulary"));
          }
          return Bad(path,
                     absl::StrCat("token ", Quote(k == 0 ? a : b), " is not in the vocabulary"));
        }
        if (n_merges == merge_ids.size()) return absl::InternalError("merges miscounted");
        merge_ids[n_merges++] = MergeIds{pj.id[0], pj.id[1], pj.id[2]};
      }
      base += count;
    }
  }
  // The text is no longer needed.
  if (owned != nullptr) {
    ReleasePages(owned->data(), owned->capacity());
    std::string().swap(*owned);
  }
  text = std::string_view();
  m.merges.Reserve(n_merges);
  for (size_t base = 0; base < n_merges; base += 64) {
    const size_t end = std::min(n_merges, base + 64);
    for (size_t i = base; i < end; ++i) m.merges.Prefetch(merge_ids[i].left, merge_ids[i].right);
    for (size_t i = base; i < end; ++i) {
      m.merges.Insert(merge_ids[i].left, merge_ids[i].right, static_cast<uint32_t>(i),
                      merge_ids[i].merged);
    }
  }
  merge_ids.Release();
  m.FinishByteTables();

  for (int b = 0; b < 256; ++b) {
    m.fallback_id[b] = m.vocab->Lookup(absl::StrFormat("<0x%02X>", b));
  }
  m.FinishCharTables();
  if (!unk->empty()) {
    uint32_t id = id_of(*unk);
    if (id == kNoRank) {
      return Bad("model.unk_token", absl::StrCat(Quote(*unk), " is not in the vocabulary"));
    }
    m.unk_id = id;
  }

  // ---- Added tokens ----
  m.size = m.model_size;
  if (!added_node.IsNull()) {
    if (added_node.type != JsonNode::Type::kArray) {
      return Bad("added_tokens", "expected an array");
    }
    std::map<std::string, size_t> by_content;
    for (size_t i = 0; i < added_node.items.size(); ++i) {
      const std::string path = absl::StrCat("added_tokens[", i, "]");
      auto t = ParseAddedToken(added_node.items[i], path);
      if (!t.ok()) return t.status();
      auto same_id = m.added_by_id.find(t->id);
      if (same_id != m.added_by_id.end() && m.added[same_id->second].content != t->content) {
        return Bad(path, absl::StrCat("id ", t->id, " is given to both ",
                                      Quote(m.added[same_id->second].content), " and ",
                                      Quote(t->content)));
      }
      auto dup = by_content.find(t->content);
      if (dup != by_content.end()) {
        m.added[dup->second] = *t;  // The later entry wins, as in Hugging Face.
        m.added_by_id[t->id] = dup->second;
        continue;
      }
      by_content.emplace(t->content, m.added.size());
      m.added_by_id[t->id] = m.added.size();
      m.size = std::max(m.size, t->id + 1);
      m.added.push_back(std::move(*t));
    }
  }
  Impl::Scratch sc;
  for (size_t i = 0; i < m.added.size(); ++i) {
    const AddedToken& t = m.added[i];
    m.any_special |= t.special;
    if (!t.normalized) {
      m.raw_trie.Add(t.content, static_cast<int32_t>(i));
    } else {
      std::string norm = t.content;
      if (!m.normalizer.empty()) {
        absl::Status nst;
        norm = m.Normalize(t.content, sc, &nst);
        if (!nst.ok()) return nst;
      }
      m.normalized_trie.Add(norm, static_cast<int32_t>(i));
    }
  }
  return tok;
}

// ---------------------------------------------------------------------------------------------
// SentencePiece BPE on the same pipeline.

absl::StatusOr<std::unique_ptr<HfTokenizer>> HfTokenizer::FromSentencePieceBpe(
    const SpmModelInfo& info) {
  auto no = [](const char* why) {
    return absl::UnimplementedError(absl::StrCat("own SentencePiece path not used: ", why));
  };
  if (info.model_type != 2) return no("not a BPE model");
  if (info.precompiled_charsmap_bytes != 0) return no("the model normalizes with a charsmap");
  if (info.remove_extra_whitespaces) return no("the model removes extra whitespace");
  if (info.treat_whitespace_as_suffix) return no("the model treats whitespace as a suffix");
  constexpr int kNormal = 1, kUserDefined = 4, kUnused = 5;
  for (const SpmPiece& p : info.pieces) {
    if (p.type == kUnused) return no("the model has unused pieces");
  }
  if (info.unk_id < 0 || static_cast<size_t>(info.unk_id) >= info.pieces.size()) {
    return no("no unknown piece");
  }

  auto tok = std::unique_ptr<HfTokenizer>(new HfTokenizer());
  Impl& m = *tok->impl_;
  std::vector<std::string_view> by_id;
  by_id.reserve(info.pieces.size());
  for (const SpmPiece& p : info.pieces) by_id.push_back(p.text);
  auto vocab = Vocab::FromTokenList(by_id);
  if (!vocab.ok()) return vocab.status();
  m.vocab = std::move(*vocab);
  m.model_size = static_cast<uint32_t>(info.pieces.size());
  m.size = m.model_size;

  // The pieces merges may produce (libsentencepiece's pieces_: normal and user-defined), by
  // dense rank of score, highest first: equal scores share a rank, so ties go leftmost.
  auto mergeable = [&](uint32_t id) {
    int t = info.pieces[id].type;
    return t == kNormal || t == kUserDefined;
  };
  std::vector<float> scores;
  for (uint32_t id = 0; id < m.model_size; ++id) {
    if (mergeable(id)) scores.push_back(info.pieces[id].score);
  }
  std::sort(scores.begin(), scores.end(), std::greater<float>());
  scores.erase(std::unique(scores.begin(), scores.end()), scores.end());
  auto rank_of = [&](float score) {
    return static_cast<uint32_t>(
        std::lower_bound(scores.begin(), scores.end(), score, std::greater<float>()) -
        scores.begin());
  };
  auto piece_id = [&](std::string_view s) -> uint32_t {
    uint32_t id = m.vocab->Lookup(s);
    return id != kNoRank && mergeable(id) ? id : kNoRank;
  };
  // Every way to write a piece as two pieces is a merge. A piece whose first or last character
  // is not a piece could come from an unknown character, which this path turns into byte
  // pieces before merging: not supported.
  size_t pairs = 0;
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::pair<uint32_t, uint32_t>>> merges;
  for (uint32_t id = 0; id < m.model_size; ++id) {
    if (!mergeable(id)) continue;
    std::string_view t = info.pieces[id].text;
    const uint8_t* q = reinterpret_cast<const uint8_t*>(t.data());
    size_t first_len = 0, last_start = 0;
    for (size_t k = 0; k < t.size();) {
      int len;
      DecodeUtf8(q + k, q + t.size(), &len);
      if (k == 0) first_len = static_cast<size_t>(len);
      last_start = k;
      k += static_cast<size_t>(len);
      if (k >= t.size()) break;
      uint32_t left = piece_id(t.substr(0, k)), right = piece_id(t.substr(k));
      if (left != kNoRank && right != kNoRank) {
        merges.push_back({{left, right}, {rank_of(info.pieces[id].score), id}});
        ++pairs;
      }
    }
    if (t.size() > first_len && (piece_id(t.substr(0, first_len)) == kNoRank ||
                                 piece_id(t.substr(last_start)) == kNoRank)) {
      return no("a piece begins or ends with a character that is not a piece");
    }
  }
  m.merges.Reserve(pairs);
  for (const auto& [pair, value] : merges) {
    m.merges.Insert(pair.first, pair.second, value.first, value.second);
  }

  // Normalization: the dummy prefix, then spaces to U+2581.
  const std::string kMeta = "\xE2\x96\x81";
  if (info.add_dummy_prefix) {
    NormStep step;
    step.kind = NormStep::Kind::kPrepend;
    step.content = kMeta;
    m.normalizer.push_back(std::move(step));
  }
  if (info.escape_whitespaces) {
    NormStep step;
    step.kind = NormStep::Kind::kReplace;
    step.literal = " ";
    step.content = kMeta;
    m.normalizer.push_back(std::move(step));
  }

  // User-defined pieces are matched in the normalized text and never merged.
  for (uint32_t id = 0; id < m.model_size; ++id) {
    if (info.pieces[id].type != kUserDefined) continue;
    AddedToken t;
    t.content = std::string(info.pieces[id].text);
    t.id = id;
    t.normalized = true;
    m.added_by_id[id] = m.added.size();
    m.normalized_trie.Add(t.content, static_cast<int32_t>(m.added.size()));
    m.added.push_back(std::move(t));
  }

  m.byte_fallback = info.byte_fallback;
  m.unk_id = info.unk_id;
  m.fuse_unk = true;  // libsentencepiece merges runs of unknown pieces.
  for (int b = 0; b < 256; ++b) {
    m.fallback_id[b] = m.vocab->Lookup(absl::StrFormat("<0x%02X>", b));
  }
  m.split_path = "spm-bpe";
  tok->impl_->FinishCharTables();
  return tok;
}

// ---------------------------------------------------------------------------------------------

absl::StatusOr<std::vector<TokenId>> HfTokenizer::Encode(std::string_view text,
                                                         const HfEncodeOptions& options) const {
  std::vector<TokenId> ids;
  ids.reserve(text.size() / 4 + 8);
  auto sink = [&ids](TokenId id) { ids.push_back(id); };
  absl::Status st = impl_->Run(text, options, sink);
  if (!st.ok()) return st;
  if (options.add_special_tokens && impl_->has_template) {
    std::vector<TokenId> out;
    out.reserve(ids.size() + 4);
    for (const TemplatePiece& p : impl_->single_template) {
      if (p.is_sequence) {
        out.insert(out.end(), ids.begin(), ids.end());
      } else {
        out.insert(out.end(), p.ids.begin(), p.ids.end());
      }
    }
    return out;
  }
  return ids;
}

absl::StatusOr<size_t> HfTokenizer::Count(std::string_view text,
                                          const HfEncodeOptions& options) const {
  size_t n = 0;
  auto sink = [&n](TokenId) { ++n; };
  absl::Status st = impl_->Run(text, options, sink);
  if (!st.ok()) return st;
  if (options.add_special_tokens && impl_->has_template) {
    for (const TemplatePiece& p : impl_->single_template) {
      if (!p.is_sequence) n += p.ids.size();
    }
  }
  return n;
}

absl::StatusOr<std::string> HfTokenizer::Decode(absl::Span<const TokenId> ids) const {
  const Impl& m = *impl_;
  // Token strings: added tokens' content; model tokens as raw bytes (byte-level models) or as
  // their text. `raw` marks byte strings the ByteLevel decoder must leave alone.
  std::vector<std::string> tokens;
  std::vector<bool> raw;
  tokens.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    TokenId id = ids[i];
    auto added = m.added_by_id.find(id);
    if (added != m.added_by_id.end()) {
      tokens.push_back(m.added[added->second].content);
      raw.push_back(false);
    } else if (id < m.model_size && m.vocab->Has(id)) {
      tokens.emplace_back(m.vocab->TokenBytes(id));
      raw.push_back(m.byte_level);
    } else if (auto u = m.unreachable.find(id); u != m.unreachable.end()) {
      tokens.push_back(u->second);
      raw.push_back(false);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("token id ", id, " at index ", i, " is not in the tokenizer"));
    }
  }
  if (!m.has_decoder) {
    std::string out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i) out.push_back(' ');
      out += tokens[i];
    }
    return out;
  }
  HfRegex::Scratch rs;
  for (const DecodeStep& step : m.decoder) {
    switch (step.kind) {
      case DecodeStep::Kind::kByteLevel:
        for (size_t i = 0; i < tokens.size(); ++i) {
          std::string bytes;
          if (!raw[i] && DecodeByteLevel(tokens[i], &bytes)) tokens[i] = bytes;
          raw[i] = true;
        }
        break;
      case DecodeStep::Kind::kReplace:
        for (std::string& t : tokens) {
          std::string out;
          size_t pos = 0, copied = 0;
          const uint8_t* b = reinterpret_cast<const uint8_t*>(t.data());
          while (pos < t.size()) {
            size_t mb, me;
            auto found = step.regex->Find(b, t.size(), pos, rs, &mb, &me);
            if (!found.ok()) return found.status();
            if (!*found || me == mb) break;
            out.append(t, copied, mb - copied);
            out += step.content;
            copied = pos = me;
          }
          out.append(t, copied, std::string::npos);
          t = std::move(out);
        }
        break;
      case DecodeStep::Kind::kByteFallback: {
        std::vector<std::string> out;
        std::string pending;
        auto flush = [&] {
          if (pending.empty()) return;
          if (FindInvalidUtf8(pending) == pending.size()) {
            out.push_back(pending);
          } else {
            std::string repl;
            for (size_t k = 0; k < pending.size(); ++k) repl += "\xEF\xBF\xBD";
            out.push_back(repl);
          }
          pending.clear();
        };
        for (const std::string& t : tokens) {
          if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' &&
              std::isxdigit(static_cast<unsigned char>(t[3])) &&
              std::isxdigit(static_cast<unsigned char>(t[4]))) {
            pending.push_back(static_cast<char>(std::stoi(t.substr(3, 2), nullptr, 16)));
            continue;
          }
          flush();
          out.push_back(t);
        }
        flush();
        tokens = std::move(out);
        raw.assign(tokens.size(), true);
        break;
      }
      case DecodeStep::Kind::kFuse: {
        std::string all;
        for (const std::string& t : tokens) all += t;
        tokens.assign(1, all);
        raw.assign(1, true);
        break;
      }
      case DecodeStep::Kind::kStrip:
        for (std::string& t : tokens) {
          size_t b = 0, e = t.size();
          const std::string& c = step.content;
          for (size_t k = 0;
               k < step.start && e - b >= c.size() && !c.empty() && t.compare(b, c.size(), c) == 0;
               ++k) {
            b += c.size();
          }
          for (size_t k = 0; k < step.stop && e - b >= c.size() && !c.empty() &&
                             t.compare(e - c.size(), c.size(), c) == 0;
               ++k) {
            e -= c.size();
          }
          t = t.substr(b, e - b);
        }
        break;
      case DecodeStep::Kind::kMetaspace:
        for (size_t i = 0; i < tokens.size(); ++i) {
          std::string out;
          const std::string& t = tokens[i];
          for (size_t k = 0; k < t.size();) {
            if (t.compare(k, step.replacement.size(), step.replacement) == 0) {
              if (i != 0 || step.prepend_never) out.push_back(' ');
              k += step.replacement.size();
            } else {
              out.push_back(t[k++]);
            }
          }
          tokens[i] = std::move(out);
        }
        break;
    }
  }
  std::string out;
  for (const std::string& t : tokens) out += t;
  return out;
}

uint32_t HfTokenizer::vocab_size() const { return impl_->size; }

size_t HfTokenizer::MemoryBytes() const {
  const Impl& m = *impl_;
  size_t n = sizeof(m) + m.vocab->MemoryBytes() + m.merges.MemoryBytes() +
             m.byte_pairs.size() * sizeof(Impl::PairMerge) + m.raw_trie.MemoryBytes() +
             m.normalized_trie.MemoryBytes();
  for (const AddedToken& t : m.added) n += sizeof(t) + t.content.capacity();
  for (const auto& [id, text] : m.unreachable) n += 48 + text.capacity();
  n += m.char_id.capacity() * 4 + m.meta_joiners.capacity() * 4;
  return n;
}

std::string HfTokenizer::SplitPathForTesting() const { return impl_->split_path; }

absl::StatusOr<std::vector<std::string>> HfTokenizer::PreTokenizeForTesting(
    std::string_view text) const {
  Impl::Scratch sc;
  absl::Status st;
  std::string normalized =
      impl_->normalizer.empty() ? std::string(text) : impl_->Normalize(text, sc, &st);
  if (!st.ok()) return st;
  std::vector<std::pair<size_t, size_t>> words;
  std::string word_text;
  std::vector<std::string> out;
  if (impl_->stream_scanner != nullptr) {
    const uint8_t* s = reinterpret_cast<const uint8_t*>(normalized.data());
    for (size_t pos = 0; pos < normalized.size();) {
      size_t e = impl_->stream_scanner(s, pos, normalized.size());
      out.push_back(normalized.substr(pos, e - pos));
      pos = e;
    }
    return out;
  }
  st = impl_->PreTokenize(normalized, /*at_input_start=*/true, sc, &words, &word_text);
  if (!st.ok()) return st;
  for (const auto& [b, e] : words) out.push_back(word_text.substr(b, e - b));
  return out;
}

}  // namespace tokwise::encoding_internal
