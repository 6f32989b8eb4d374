// Fuzz target: the hand-written o200k and cl100k scanners (sixty-four-byte ASCII blocks,
// ASCII fast paths, general scanners) against PCRE2 running the same split pattern. The input
// is made into text, split both ways; any difference aborts. The text is also split a second
// time behind a short ASCII lead-in, so that every byte of it gets to sit at every offset of a
// block.
//
// Input bytes below 0x80 stay as they are; each other byte stands for one of a fixed set of
// characters covering the classes the patterns tell apart. Arbitrary code points would not do:
// PCRE2 10.42 classifies by Unicode 14 and the scanners by Unicode 15.0, so a character
// assigned in 15.0 (a CJK Extension H ideograph, say) is a letter to one and not the other.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "encoding/pretokenizer.h"

namespace {

using tokwise::PatternKind;
using tokwise::encoding_internal::Pretokenizer;

using Pieces = std::vector<std::pair<size_t, size_t>>;

Pieces Split(const Pretokenizer& pt, const std::string& text) {
  Pieces out;
  absl::Status st = pt.Split(reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                             [&](size_t b, size_t e) { out.emplace_back(b, e); });
  if (!st.ok()) std::abort();
  return out;
}

struct Pair {
  std::unique_ptr<Pretokenizer> fast, regex;
};

Pair Make(PatternKind kind, const char* pattern) {
  return {std::move(*Pretokenizer::Make(kind, pattern)),
          std::move(*Pretokenizer::Make(PatternKind::kCustom, pattern))};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Pair* const kPairs = new Pair[2]{
      Make(PatternKind::kO200k,
           R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)"),
      Make(PatternKind::kCl100k,
           R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"),
  };
  // All assigned by Unicode 13, with the same classes in 14 and 15.
  static const char* const kOthers[] = {
      "\xC2\x85",          // U+0085 NEL (White_Space)
      "\xC2\xA0",          // U+00A0 NBSP
      "\xE2\x80\xA8",      // U+2028 line separator
      "\xE3\x80\x80",      // U+3000 ideographic space
      "\xEF\xBB\xBF",      // U+FEFF (not White_Space)
      "\xE2\x80\x8D",      // U+200D ZWJ (Cf)
      "\xCC\x81",          // U+0301 combining acute (Mn)
      "\xE0\xA4\xBF",      // U+093F Devanagari vowel sign I (Mc)
      "\xC3\x89",          // É (Lu)
      "\xC3\xA9",          // é (Ll)
      "\xC7\x85",          // U+01C5 Dž (Lt)
      "\xCA\xB0",          // U+02B0 (Lm)
      "\xC5\xBF",          // U+017F long s (folds to s)
      "\xE4\xB8\xAD",      // 中 (Lo)
      "\xD9\xA3",          // U+0663 Arabic-Indic three (Nd)
      "\xC2\xB2",          // ² (No)
      "\xE2\x85\xA7",      // Ⅷ (Nl)
      "\xF0\x9F\x98\x80",  // 😀 (So)
      "\xE2\x80\x99",      // right single quote (Pf)
  };
  std::string text;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] < 0x80) {
      text.push_back(static_cast<char>(data[i]));
    } else {
      text += kOthers[data[i] % (sizeof kOthers / sizeof kOthers[0])];
    }
  }
  // The lead-in ends in a newline, where every pattern starts a piece whatever follows.
  const std::string shifted = std::string(size % 64, 'x') + "\n" + text;
  const std::string* const texts[] = {&text, &shifted};
  for (int k = 0; k < 2; ++k) {
    for (const std::string* t : texts) {
      if (Split(*kPairs[k].fast, *t) != Split(*kPairs[k].regex, *t)) std::abort();
    }
  }
  return 0;
}
