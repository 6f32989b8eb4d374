// Fuzz target: the hand-written o200k and cl100k scanners (sixty-four-byte ASCII blocks,
// ASCII fast paths, general scanners) against PCRE2 running the same split pattern. The input,
// made valid UTF-8, is split both ways; any difference aborts. The input is also split a
// second time behind a 64-byte ASCII lead-in, so that every byte of it gets to sit at every
// offset of a block.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "encoding/pretokenizer.h"
#include "encoding/unicode.h"

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
  const std::string text = tokwise::encoding_internal::ReplaceInvalidUtf8(
      std::string_view(reinterpret_cast<const char*>(data), size));
  // The lead-in ends in a newline, where every pattern starts a piece whatever follows.
  const std::string shifted = std::string(size % 64, 'x') + "\n" + text;
  for (int k = 0; k < 2; ++k) {
    for (const std::string* t : {&text, &shifted}) {
      if (Split(*kPairs[k].fast, *t) != Split(*kPairs[k].regex, *t)) std::abort();
    }
  }
  return 0;
}
