#include "base/json_depth.h"

#include <cstring>

#include "absl/strings/str_cat.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tokwise::base {

namespace {

// Offset of the first byte of p[0, n) that is one of the `k` bytes in `set`, or n.
// Sixteen bytes at a time where SSE2 is there: request bodies are mostly string contents,
// which this skips without looking at each byte.
inline size_t FindAny(const char* p, size_t n, const char* set, int k) {
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    __m128i hit = _mm_setzero_si128();
    for (int j = 0; j < k; ++j) hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8(set[j])));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < n; ++i) {
    for (int j = 0; j < k; ++j) {
      if (p[i] == set[j]) return i;
    }
  }
  return n;
}

}  // namespace

absl::Status CheckJsonDepth(std::string_view json, int max_depth) {
  static constexpr char kStructure[] = {'"', '[', '{', ']', '}'};
  static constexpr char kInString[] = {'"', '\\'};
  int depth = 0;
  size_t i = 0;
  const size_t n = json.size();
  while (i < n) {
    // Jump to the next byte that can change the depth or open a string.
    i += FindAny(json.data() + i, n - i, kStructure, 5);
    if (i >= n) break;
    switch (json[i]) {
      case '"':
        // Skip the string, honouring backslash escapes.
        for (++i; i < n;) {
          i += FindAny(json.data() + i, n - i, kInString, 2);
          if (i >= n || json[i] == '"') break;
          i += 2;  // A backslash and the byte it escapes.
        }
        break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          return absl::InvalidArgumentError(absl::StrCat(
              "JSON nested more than ", max_depth, " levels deep at byte offset ", i));
        }
        break;
      default:
        if (depth > 0) --depth;
        break;
    }
    ++i;
  }
  return absl::OkStatus();
}

}  // namespace tokwise::base
