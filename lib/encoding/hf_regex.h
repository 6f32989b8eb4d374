// Regular expressions of tokenizer.json files (Split pre-tokenizers, Replace normalizers), run
// on PCRE2.
//
// Hugging Face's tokenizers compile these patterns with Oniguruma (Ruby syntax). PCRE2 reads
// almost the same syntax, but its Unicode tables (14.0 in Debian 12) and its \s (which adds
// U+180E and follows Perl) differ from the reference. So the pattern is first rewritten:
// \s \S \d \D \w \W \h \H and the \p{..} / \P{..} classes that name a General_Category,
// White_Space or Alphabetic become explicit code point classes generated from our Unicode
// 15.0 tables (normalizer.h), inside and outside brackets; \uHHHH becomes \x{HHHH}; {,n}
// becomes {0,n}. Other \p{..} names (scripts such as Han) are left to PCRE2's own tables.
// ^ and $ match at line boundaries, as in Ruby. Constructs PCRE2 would read differently
// (nested classes and && intersections inside brackets) are refused with an error.
#ifndef TOKWISE_LIB_ENCODING_HF_REGEX_H_
#define TOKWISE_LIB_ENCODING_HF_REGEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tokwise::encoding_internal {

// Rewrites an Oniguruma pattern into PCRE2 syntax as described above. InvalidArgument names
// the construct and its offset when the pattern uses something we do not translate.
absl::StatusOr<std::string> TranslateOnigurumaPattern(std::string_view pattern);

class HfRegex {
 public:
  // Per-call matching state (PCRE2 match data and JIT stack). Not shareable between threads.
  class Scratch {
   public:
    Scratch();
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

   private:
    friend class HfRegex;
    struct Impl;
    std::unique_ptr<Impl> impl_;
  };

  // Compiles an Oniguruma pattern (translated first). `literal` compiles `pattern` as a
  // literal string instead (the {"String": ...} form).
  static absl::StatusOr<std::unique_ptr<HfRegex>> Compile(std::string_view pattern,
                                                          bool literal = false);
  ~HfRegex();

  // Finds the leftmost match in s[0, n) at or after `pos`. Returns false if there is none.
  // Errors (a match limit reached on a pathological pattern) are returned as a status naming
  // the pattern; they never abort.
  absl::StatusOr<bool> Find(const uint8_t* s, size_t n, size_t pos, Scratch& scratch, size_t* begin,
                            size_t* end) const;

  const std::string& source() const { return source_; }

 private:
  HfRegex() = default;
  struct Code;
  std::unique_ptr<Code> code_;
  std::string source_;
};

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_HF_REGEX_H_
