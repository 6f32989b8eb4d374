#include "encoding/normalizer.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "encoding/unicode.h"

namespace tokwise::encoding_internal {
namespace {

struct CharProps {
  uint8_t category;
  uint8_t ccc;
  uint8_t flags;
  int32_t lower_delta;
};

struct DecompEntry {
  uint32_t cp;
  uint16_t canon_offset;
  uint8_t canon_len;
  uint16_t compat_offset;
  uint8_t compat_len;
};

struct CompEntry {
  uint64_t key;
  uint32_t composite;
};

#include "encoding/text_tables.inc"

// Flag bits of CharProps::flags (gen_text_tables.py writes them).
constexpr uint8_t kWhiteSpace = 1 << 0;
constexpr uint8_t kAlphabetic = 1 << 1;
constexpr uint8_t kCased = 1 << 2;
constexpr uint8_t kCaseIgnorable = 1 << 3;
constexpr uint8_t kCanonDecomp = 1 << 4;
constexpr uint8_t kCompatDecomp = 1 << 5;
constexpr uint8_t kCompSecond = 1 << 6;

// Hangul syllable arithmetic (Unicode section 3.12).
constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr uint32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

inline const CharProps& PropsOf(uint32_t cp) {
  if (cp > 0x10FFFF) return kCharProps[0];
  uint32_t block = kPropStage1[cp >> kPropBlockShift];
  return kCharProps[kPropStage2[(block << kPropBlockShift) | (cp & ((1u << kPropBlockShift) - 1))]];
}

const DecompEntry* FindDecomp(uint32_t cp) {
  const DecompEntry* end = kDecompEntries + sizeof(kDecompEntries) / sizeof(kDecompEntries[0]);
  const DecompEntry* it = std::lower_bound(
      kDecompEntries, end, cp, [](const DecompEntry& e, uint32_t c) { return e.cp < c; });
  return it != end && it->cp == cp ? it : nullptr;
}

// Returns the canonical composite of (a, b), or 0 if none.
uint32_t Compose(uint32_t a, uint32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount) {
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  }
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
      b < kTBase + kTCount) {
    return a + (b - kTBase);
  }
  uint64_t key = (uint64_t{a} << 21) | b;
  const CompEntry* end = kCompositions + sizeof(kCompositions) / sizeof(kCompositions[0]);
  const CompEntry* it = std::lower_bound(kCompositions, end, key,
                                         [](const CompEntry& e, uint64_t k) { return e.key < k; });
  return it != end && it->key == key ? it->composite : 0;
}

// Whether a character is certainly left as it is, with its neighbours, by the form: no
// decomposition under the form, combining class 0, and (composing forms) never the second
// part of a composition. Hangul syllables are stable under the composing forms.
inline bool Inert(uint32_t cp, NormalForm form) {
  const CharProps& p = PropsOf(cp);
  if (p.ccc != 0) return false;
  const bool compose = form == NormalForm::kNfc || form == NormalForm::kNfkc;
  const bool compat = form == NormalForm::kNfkc || form == NormalForm::kNfkd;
  if (compose && (p.flags & kCompSecond)) return false;
  if (cp >= kSBase && cp < kSBase + kSCount) return compose;
  if (p.flags & kCanonDecomp) return false;
  if (compat && (p.flags & kCompatDecomp)) return false;
  return true;
}

// Inert() of every BMP code point under form F, a bit each (8 kB), built on first use: the
// scan of Normalize() asks it of every non-ASCII character of the text.
template <NormalForm F>
const uint64_t* InertBmpBits() {
  static const uint64_t* bits = [] {
    auto* b = new uint64_t[0x10000 / 64]();
    for (uint32_t cp = 0; cp < 0x10000; ++cp) {
      if (Inert(cp, F)) b[cp >> 6] |= uint64_t{1} << (cp & 63);
    }
    return b;
  }();
  return bits;
}

const uint64_t* InertBmpBitsFor(NormalForm form) {
  switch (form) {
    case NormalForm::kNfc:
      return InertBmpBits<NormalForm::kNfc>();
    case NormalForm::kNfd:
      return InertBmpBits<NormalForm::kNfd>();
    case NormalForm::kNfkc:
      return InertBmpBits<NormalForm::kNfkc>();
    case NormalForm::kNfkd:
      break;
  }
  return InertBmpBits<NormalForm::kNfkd>();
}

void Decompose(uint32_t cp, bool compat, std::vector<uint32_t>* out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    uint32_t s = cp - kSBase;
    out->push_back(kLBase + s / kNCount);
    out->push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out->push_back(kTBase + s % kTCount);
    return;
  }
  const CharProps& p = PropsOf(cp);
  if (p.flags & (compat ? (kCanonDecomp | kCompatDecomp) : kCanonDecomp)) {
    const DecompEntry* e = FindDecomp(cp);
    if (e != nullptr) {
      uint16_t off = compat ? e->compat_offset : e->canon_offset;
      uint8_t len = compat ? e->compat_len : e->canon_len;
      if (len != 0) {
        out->insert(out->end(), kDecompData + off, kDecompData + off + len);
        return;
      }
    }
  }
  out->push_back(cp);
}

}  // namespace

const char* TextTablesUnicodeVersion() { return kTextTablesUnicodeVersion; }

GeneralCategory CategoryOf(uint32_t cp) {
  return static_cast<GeneralCategory>(PropsOf(cp).category);
}
uint8_t CombiningClassOf(uint32_t cp) { return PropsOf(cp).ccc; }
bool IsWhiteSpace(uint32_t cp) { return PropsOf(cp).flags & kWhiteSpace; }
bool IsAlphabetic(uint32_t cp) { return PropsOf(cp).flags & kAlphabetic; }

bool IsWordChar(uint32_t cp) {
  const CharProps& p = PropsOf(cp);
  if (p.flags & kAlphabetic) return true;
  auto c = static_cast<GeneralCategory>(p.category);
  return c == GeneralCategory::kMn || c == GeneralCategory::kMc || c == GeneralCategory::kMe ||
         c == GeneralCategory::kNd || c == GeneralCategory::kPc || cp == 0x200C || cp == 0x200D;
}


bool IsTriviallyNormalized(std::string_view text, NormalForm form) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = p + text.size();
  while (p < end) {
    if (*p < 0x80) {
      ++p;  // ASCII never decomposes, composes or reorders.
      continue;
    }
    int len;
    uint32_t cp = DecodeUtf8(p, end, &len);
    if (!Inert(cp, form)) return false;
    p += len;
  }
  return true;
}

namespace {

// Appends the normalization of `text` to *out: decomposition, canonical ordering and, for the
// composing forms, composition, over the whole text.
void NormalizeRange(std::string_view text, NormalForm form, std::string* out) {
  const bool compose = form == NormalForm::kNfc || form == NormalForm::kNfkc;
  const bool compat = form == NormalForm::kNfkc || form == NormalForm::kNfkd;

  // 1. Full decomposition.
  std::vector<uint32_t> buf;
  buf.reserve(text.size() + 8);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = p + text.size();
  while (p < end) {
    int len;
    uint32_t cp = DecodeUtf8(p, end, &len);
    p += len;
    Decompose(cp, compat, &buf);
  }

  // 2. Canonical ordering: a stable sort of each run of non-starters by combining class.
  for (size_t i = 0; i < buf.size();) {
    if (CombiningClassOf(buf[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < buf.size() && CombiningClassOf(buf[j]) != 0) ++j;
    std::stable_sort(buf.begin() + i, buf.begin() + j, [](uint32_t a, uint32_t b) {
      return CombiningClassOf(a) < CombiningClassOf(b);
    });
    i = j;
  }

  // 3. Canonical composition: each character joins the last starter unless a character of the
  // same or higher class sits between them (blocked).
  if (compose && !buf.empty()) {
    size_t starter = 0;
    int last_class = CombiningClassOf(buf[0]) == 0 ? 0 : 256;
    size_t out = 1;
    for (size_t i = 1; i < buf.size(); ++i) {
      uint32_t ch = buf[i];
      int cls = CombiningClassOf(ch);
      uint32_t composite = last_class == 256 ? 0 : Compose(buf[starter], ch);
      if (composite != 0 && (last_class < cls || last_class == 0)) {
        buf[starter] = composite;
        continue;
      }
      if (cls == 0) starter = out;
      last_class = cls;
      buf[out++] = ch;
    }
    buf.resize(out);
  }

  for (uint32_t cp : buf) AppendUtf8(cp, out);
}

}  // namespace

std::string Normalize(std::string_view text, NormalForm form) {
  // Text splits before every inert character (see Inert()): nothing reorders across that
  // point, the character composes with nothing before it, and it blocks what follows from
  // composing with anything before it. So each stretch from the inert character before a
  // non-inert one to the next inert character is normalized alone, and the rest (nearly all of
  // real text, even text with combining marks) is copied.
  const uint8_t* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  const uint64_t* bmp = InertBmpBitsFor(form);
  auto inert = [&](uint32_t cp) {
    return cp < 0x10000 ? ((bmp[cp >> 6] >> (cp & 63)) & 1) != 0 : Inert(cp, form);
  };
  std::string out;
  size_t copied = 0;    // text[0, copied) is in out.
  size_t boundary = 0;  // The start of the last inert character seen (or of the text).
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      // ASCII never decomposes, composes or reorders: skip the run, eight bytes at a time.
      size_t j = i + 1;
      for (uint64_t w; j + 8 <= n; j += 8) {
        std::memcpy(&w, s + j, 8);
        if (w & 0x8080808080808080ull) break;
      }
      while (j < n && s[j] < 0x80) ++j;
      boundary = j - 1;
      i = j;
      continue;
    }
    int len;
    const uint32_t cp = DecodeUtf8(s + i, s + n, &len);
    if (inert(cp)) {
      boundary = i;
      i += len;
      continue;
    }
    size_t end = i + len;
    while (end < n) {
      if (s[end] < 0x80) break;
      const uint32_t next = DecodeUtf8(s + end, s + n, &len);
      if (inert(next)) break;
      end += len;
    }
    if (out.empty()) out.reserve(n + n / 8 + 8);
    out.append(text.data() + copied, boundary - copied);
    NormalizeRange(text.substr(boundary, end - boundary), form, &out);
    copied = boundary = i = end;
  }
  if (copied == 0) return std::string(text);
  out.append(text.data() + copied, n - copied);
  return out;
}

std::string ToLower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const uint8_t* begin = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = begin + text.size();
  const uint8_t* p = begin;

  // Final_Sigma (Unicode section 3.13): after a cased letter (case-ignorable characters
  // skipped) and not before one.
  auto cased_before = [&](const uint8_t* at) {
    const uint8_t* q = at;
    while (q > begin) {
      const uint8_t* s = q - 1;
      while (s > begin && (*s & 0xC0) == 0x80) --s;
      int len;
      uint32_t cp = DecodeUtf8(s, end, &len);
      const CharProps& pr = PropsOf(cp);
      if (!(pr.flags & kCaseIgnorable)) return (pr.flags & kCased) != 0;
      q = s;
    }
    return false;
  };
  auto cased_after = [&](const uint8_t* at) {
    const uint8_t* q = at;
    while (q < end) {
      int len;
      uint32_t cp = DecodeUtf8(q, end, &len);
      const CharProps& pr = PropsOf(cp);
      if (!(pr.flags & kCaseIgnorable)) return (pr.flags & kCased) != 0;
      q += len;
    }
    return false;
  };

  while (p < end) {
    if (*p < 0x80) {
      uint8_t b = *p++;
      out.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
      continue;
    }
    int len;
    uint32_t cp = DecodeUtf8(p, end, &len);
    const uint8_t* next = p + len;
    if (cp == 0x130) {
      out.append("i\xCC\x87");  // U+0069 U+0307 (SpecialCasing.txt, unconditional).
    } else if (cp == 0x3A3) {
      AppendUtf8(cased_before(p) && !cased_after(next) ? 0x3C2 : 0x3C3, &out);
    } else {
      AppendUtf8(static_cast<uint32_t>(static_cast<int32_t>(cp) + PropsOf(cp).lower_delta), &out);
    }
    p = next;
  }
  return out;
}

namespace {

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;

template <class Pred>
Ranges CollectRanges(Pred pred) {
  Ranges r;
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp == 0xD800) cp = 0xE000;  // Surrogates never occur in UTF-8 text.
    if (!pred(cp)) continue;
    if (!r.empty() && r.back().second + 1 == cp) {
      r.back().second = cp;
    } else {
      r.emplace_back(cp, cp);
    }
  }
  return r;
}

// Returns a bit set over GeneralCategory for a category name, or 0 if unknown.
uint32_t CategoryMask(std::string_view n) {
  using G = GeneralCategory;
  auto bit = [](G g) { return 1u << static_cast<int>(g); };
  struct Name {
    const char* short_name;
    const char* long_name;
    uint32_t mask;
  };
  const uint32_t letters = bit(G::kLu) | bit(G::kLl) | bit(G::kLt) | bit(G::kLm) | bit(G::kLo);
  const uint32_t marks = bit(G::kMn) | bit(G::kMc) | bit(G::kMe);
  const uint32_t numbers = bit(G::kNd) | bit(G::kNl) | bit(G::kNo);
  const uint32_t punct = bit(G::kPc) | bit(G::kPd) | bit(G::kPs) | bit(G::kPe) | bit(G::kPi) |
                         bit(G::kPf) | bit(G::kPo);
  const uint32_t symbols = bit(G::kSm) | bit(G::kSc) | bit(G::kSk) | bit(G::kSo);
  const uint32_t seps = bit(G::kZs) | bit(G::kZl) | bit(G::kZp);
  const uint32_t others = bit(G::kCc) | bit(G::kCf) | bit(G::kCs) | bit(G::kCo) | bit(G::kCn);
  const Name names[] = {
      {"L", "Letter", letters},
      {"LC", "Cased_Letter", bit(G::kLu) | bit(G::kLl) | bit(G::kLt)},
      {"L&", "L&", bit(G::kLu) | bit(G::kLl) | bit(G::kLt)},
      {"Lu", "Uppercase_Letter", bit(G::kLu)},
      {"Ll", "Lowercase_Letter", bit(G::kLl)},
      {"Lt", "Titlecase_Letter", bit(G::kLt)},
      {"Lm", "Modifier_Letter", bit(G::kLm)},
      {"Lo", "Other_Letter", bit(G::kLo)},
      {"M", "Mark", marks},
      {"Mn", "Nonspacing_Mark", bit(G::kMn)},
      {"Mc", "Spacing_Mark", bit(G::kMc)},
      {"Me", "Enclosing_Mark", bit(G::kMe)},
      {"N", "Number", numbers},
      {"Nd", "Decimal_Number", bit(G::kNd)},
      {"Nl", "Letter_Number", bit(G::kNl)},
      {"No", "Other_Number", bit(G::kNo)},
      {"P", "Punctuation", punct},
      {"Pc", "Connector_Punctuation", bit(G::kPc)},
      {"Pd", "Dash_Punctuation", bit(G::kPd)},
      {"Ps", "Open_Punctuation", bit(G::kPs)},
      {"Pe", "Close_Punctuation", bit(G::kPe)},
      {"Pi", "Initial_Punctuation", bit(G::kPi)},
      {"Pf", "Final_Punctuation", bit(G::kPf)},
      {"Po", "Other_Punctuation", bit(G::kPo)},
      {"S", "Symbol", symbols},
      {"Sm", "Math_Symbol", bit(G::kSm)},
      {"Sc", "Currency_Symbol", bit(G::kSc)},
      {"Sk", "Modifier_Symbol", bit(G::kSk)},
      {"So", "Other_Symbol", bit(G::kSo)},
      {"Z", "Separator", seps},
      {"Zs", "Space_Separator", bit(G::kZs)},
      {"Zl", "Line_Separator", bit(G::kZl)},
      {"Zp", "Paragraph_Separator", bit(G::kZp)},
      {"C", "Other", others},
      {"Cc", "Control", bit(G::kCc)},
      {"Cf", "Format", bit(G::kCf)},
      {"Cs", "Surrogate", bit(G::kCs)},
      {"Co", "Private_Use", bit(G::kCo)},
      {"Cn", "Unassigned", bit(G::kCn)},
  };
  for (const Name& name : names) {
    if (n == name.short_name || n == name.long_name) return name.mask;
  }
  return 0;
}

}  // namespace

const Ranges* PropertyRanges(std::string_view name) {
  static std::mutex mu;
  static auto* cache = new std::map<std::string, std::unique_ptr<Ranges>, std::less<>>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache->find(name);
  if (it != cache->end()) return it->second.get();

  Ranges r;
  if (uint32_t mask = CategoryMask(name); mask != 0) {
    r = CollectRanges(
        [mask](uint32_t cp) { return (mask >> static_cast<int>(CategoryOf(cp))) & 1; });
  } else if (name == "White_Space" || name == "space" || name == "WSpace") {
    r = CollectRanges(IsWhiteSpace);
  } else if (name == "Alphabetic" || name == "Alpha") {
    r = CollectRanges(IsAlphabetic);
  } else if (name == "word") {
    r = CollectRanges(IsWordChar);
  } else {
    return nullptr;
  }
  auto owned = std::make_unique<Ranges>(std::move(r));
  const Ranges* result = owned.get();
  cache->emplace(std::string(name), std::move(owned));
  return result;
}

}  // namespace tokwise::encoding_internal
