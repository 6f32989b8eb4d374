// Fuzz target: the fast BPE paths against the plain rule. The input, made valid UTF-8, is split
// by each embedded encoding's pretokenizer; every piece is encoded by EncodePiece (short and
// mid indexes, membership filter, piece and pair caches, short merge, linear long-piece path)
// and by MergeSmall, tiktoken's quadratic merge over stack arrays, which is the definition.
// Any difference aborts. The same text twice exercises the caches' hit paths too.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "encoding/bpe.h"
#include "encoding/pretokenizer.h"
#include "encoding/unicode.h"
#include "tokwise/encoding.h"

namespace {

using tokwise::encoding_internal::EncodePiece;
using tokwise::encoding_internal::MergeScratch;
using tokwise::encoding_internal::MergeSmall;
using tokwise::encoding_internal::Vocab;

// The definition: the whole piece if it is a token, else the merge.
std::vector<uint32_t> Reference(const Vocab& vocab, const uint8_t* p, size_t n) {
  std::vector<uint32_t> out;
  uint32_t whole = vocab.Lookup(p, n);
  if (whole != tokwise::encoding_internal::kNoRank) {
    out.push_back(whole);
  } else if (n == 1) {
    out.push_back(vocab.ByteRank(p[0]));
  } else {
    MergeSmall<512>(vocab, p, n, [&](uint32_t r) { out.push_back(r); });
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = tokwise::encoding_internal::ReplaceInvalidUtf8(
      std::string_view(reinterpret_cast<const char*>(data), size));
  const uint8_t* s = reinterpret_cast<const uint8_t*>(text.data());
  for (const char* name : {"o200k_base", "cl100k_base"}) {
    auto enc = *tokwise::Encoding::Get(name);
    const Vocab& vocab = enc->vocab();
    MergeScratch scratch;
    for (int round = 0; round < 2; ++round) {
      absl::Status st = enc->pretokenizer().Split(s, text.size(), [&](size_t b, size_t e) {
        if (e - b > 512) return;  // Beyond MergeSmall<512>'s arrays.
        std::vector<uint32_t> fast;
        EncodePiece(vocab, s + b, e - b, scratch, [&](uint32_t r) { fast.push_back(r); },
                    s + text.size());
        if (fast != Reference(vocab, s + b, e - b)) std::abort();
      });
      if (!st.ok()) std::abort();
    }
  }
  return 0;
}
