#include "encoding/unicode.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "simdjson.h"

namespace tokwise::encoding_internal {
namespace {

struct Range {
  uint32_t first;
  uint32_t last;
  CharClass cls;
};

constexpr Range kRanges[] = {
#include "encoding/unicode_table.inc"
};

// Two-stage lookup: the code point's high bits pick a 256-entry block, blocks with equal
// contents are stored once. Built on first use from the range list (about 0.3 ms); it takes
// about 60 kB, far less than a flat 1.1 MB array, and stays hot in cache for common scripts.
constexpr uint32_t kBlockBits = 8;
constexpr uint32_t kBlockSize = 1u << kBlockBits;
constexpr uint32_t kNumBlocks = 0x110000 >> kBlockBits;

struct Table {
  std::array<uint16_t, kNumBlocks> block_of;
  std::vector<CharClass> blocks;
};

const Table& GetTable() {
  static const Table* table = [] {
    auto t = std::make_unique<Table>();
    std::vector<CharClass> flat(0x110000, CharClass::kOther);
    for (const Range& r : kRanges) {
      for (uint32_t cp = r.first; cp <= r.last; ++cp) flat[cp] = r.cls;
    }
    std::unordered_map<std::string_view, uint16_t> seen;
    for (uint32_t b = 0; b < kNumBlocks; ++b) {
      std::string_view block(reinterpret_cast<const char*>(&flat[b * kBlockSize]), kBlockSize);
      auto [it, inserted] =
          seen.emplace(block, static_cast<uint16_t>(t->blocks.size() / kBlockSize));
      if (inserted) {
        t->blocks.insert(t->blocks.end(), flat.begin() + b * kBlockSize,
                         flat.begin() + (b + 1) * kBlockSize);
      }
      t->block_of[b] = it->second;
    }
    return t.release();
  }();
  return *table;
}

}  // namespace

std::atomic<const ClassTable*> g_class_table{nullptr};

const ClassTable* InitClassTable() {
  static const ClassTable* view = [] {
    const Table& t = GetTable();
    return new ClassTable{t.block_of.data(), t.blocks.data()};
  }();
  g_class_table.store(view, std::memory_order_release);
  return view;
}

namespace {

// Length of the well-formed sequence starting at p, or 0 with *subpart set to the length of
// the maximal subpart (at least 1) to replace. Follows Table 3-7 of the Unicode standard.
size_t WellFormedLength(const uint8_t* p, const uint8_t* end, size_t* subpart) {
  uint8_t b0 = p[0];
  *subpart = 1;
  if (b0 < 0x80) return 1;
  size_t need;
  uint8_t lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  size_t i = 1;
  for (; i < need; ++i) {
    if (p + i >= end) break;
    uint8_t b = p[i];
    uint8_t l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
    if (b < l || b > h) break;
  }
  if (i == need) return need;
  *subpart = i;
  return 0;
}

}  // namespace

size_t FindInvalidUtf8(std::string_view text) {
  // Most text is valid: simdjson's vector validator (the same rules, Table 3-7) says so at
  // several bytes a cycle, where the loop below takes a few cycles a character outside ASCII.
  // Only invalid text is walked, to find where.
  if (text.size() >= 64 && simdjson::validate_utf8(text.data(), text.size())) return text.size();
  const uint8_t* const start = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* const end = start + text.size();
  const uint8_t* p = start;
  auto cont = [](uint8_t b) { return (b & 0xC0) == 0x80; };
  while (p < end) {
    // ASCII fast path, eight bytes at a time.
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p >= end) break;
    const uint8_t b0 = *p;
    if (b0 < 0x80) {
      ++p;
      continue;
    }
    // Table 3-7 of the Unicode standard, one lead byte range at a time.
    const size_t left = static_cast<size_t>(end - p);
    if (b0 < 0xC2) break;
    if (b0 < 0xE0) {
      if (left < 2 || !cont(p[1])) break;
      p += 2;
      continue;
    }
    if (b0 < 0xF0) {
      if (left < 3 || !cont(p[1]) || !cont(p[2])) break;
      if ((b0 == 0xE0 && p[1] < 0xA0) || (b0 == 0xED && p[1] > 0x9F)) break;
      p += 3;
      continue;
    }
    if (b0 < 0xF5) {
      if (left < 4 || !cont(p[1]) || !cont(p[2]) || !cont(p[3])) break;
      if ((b0 == 0xF0 && p[1] < 0x90) || (b0 == 0xF4 && p[1] > 0x8F)) break;
      p += 4;
      continue;
    }
    break;
  }
  return static_cast<size_t>(p - start);
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string ReplaceInvalidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = p + text.size();
  while (p < end) {
    size_t subpart;
    size_t n = WellFormedLength(p, end, &subpart);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      p += subpart;
    } else {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n;
    }
  }
  return out;
}

}  // namespace tokwise::encoding_internal
