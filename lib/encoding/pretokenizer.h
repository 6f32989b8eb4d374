// Pretokenizers: split text into the pieces that BPE then encodes, exactly as the encoding's
// split regex would under Rust's regex semantics (leftmost-first alternation, backtracking).
//
// The three tiktoken pattern families run on hand-written scanners; each branch of a scanner
// names the regex alternative it implements. Any other pattern runs through PCRE2 (JIT when
// available). Input must be valid UTF-8: the Encoding validates or repairs it first.
#ifndef TOKWISE_LIB_ENCODING_PRETOKENIZER_H_
#define TOKWISE_LIB_ENCODING_PRETOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "encoding/ascii_block.h"
#include "encoding/ascii_scan.h"
#include "tokwise/encoding.h"

namespace tokwise::encoding_internal {

// Returns the end of the piece that starts at `pos` (pos < n) under the given family.
size_t NextPieceGpt2(const uint8_t* s, size_t pos, size_t n);
size_t NextPieceCl100k(const uint8_t* s, size_t pos, size_t n);
size_t NextPieceO200k(const uint8_t* s, size_t pos, size_t n);
// The same without trying the ASCII fast path (ascii_scan.h) first: for callers that have.
size_t NextPieceCl100kGeneral(const uint8_t* s, size_t pos, size_t n);
size_t NextPieceO200kGeneral(const uint8_t* s, size_t pos, size_t n);

// Rewrites a pattern in Rust regex syntax for PCRE2 where the two differ: \s and \S become
// the White_Space property spelled out (PCRE2's \s lacks U+0085). A \S inside a character
// class is left as is (no tokenizer pattern uses it).
std::string RustPatternToPcre2(std::string_view pattern);

// Recognises the known patterns (their Rust and their older equivalent forms).
PatternKind ClassifyPattern(std::string_view pattern);

class Pretokenizer {
 public:
  // For kCustom, compiles `pattern` with PCRE2; errors name the pattern's problem.
  static absl::StatusOr<std::unique_ptr<Pretokenizer>> Make(PatternKind kind,
                                                            std::string_view pattern);
  ~Pretokenizer();

  PatternKind kind() const { return kind_; }

  // Calls piece(begin, end) for each piece of text, in order. Text between regex matches
  // (possible only for custom patterns) is skipped, as tiktoken skips it. Fails only for a
  // custom pattern whose matching fails (PCRE2's match or depth limit on a pathological
  // pattern): never a silently short result.
  template <class F>
  [[nodiscard]] absl::Status Split(const uint8_t* s, size_t n, F&& piece) const {
    return SplitUntil(s, n, [&piece](size_t b, size_t e) {
      piece(b, e);
      return true;
    });
  }

  // As Split(), but stops as soon as piece(begin, end) returns false.
  template <class F>
  [[nodiscard]] absl::Status SplitUntil(const uint8_t* s, size_t n, F&& piece) const {
    size_t pos = 0;
    switch (kind_) {
      case PatternKind::kGpt2:
        while (pos < n) {
          size_t e = NextPieceGpt2(s, pos, n);
          if (!piece(pos, e)) break;
          pos = e;
        }
        return absl::OkStatus();
      case PatternKind::kCl100k:
        while (pos < n) {
          if (AsciiBlockPieces<false>(s, n, &pos, piece)) continue;
          size_t e = AsciiPieceCl100k(s, pos, n);
          if (e == kAsciiUndecided) e = NextPieceCl100kGeneral(s, pos, n);
          if (!piece(pos, e)) break;
          pos = e;
        }
        return absl::OkStatus();
      case PatternKind::kO200k:
        while (pos < n) {
          if (AsciiBlockPieces<true>(s, n, &pos, piece)) continue;
          size_t e = AsciiPieceO200k(s, pos, n);
          if (e == kAsciiUndecided) e = NextPieceO200kGeneral(s, pos, n);
          if (!piece(pos, e)) break;
          pos = e;
        }
        return absl::OkStatus();
      case PatternKind::kCustom: {
        MatchData md(*this);
        size_t b = 0, e = 0;
        int rc = 0;
        while (pos < n && (rc = CustomNext(md, s, n, pos, &b, &e)) > 0) {
          if (e > b && !piece(b, e)) return absl::OkStatus();
          pos = e > b ? e : b + 1;
          // Step over a whole character after an empty match.
          while (pos < n && (s[pos] & 0xC0) == 0x80) ++pos;
        }
        return rc < 0 ? CustomError(rc, pos) : absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

 private:
  Pretokenizer() = default;

  // PCRE2 match data for one Split() call (created once per call, not per match).
  class MatchData {
   public:
    explicit MatchData(const Pretokenizer& pt);
    ~MatchData();
    MatchData(const MatchData&) = delete;
    MatchData& operator=(const MatchData&) = delete;
    void* get() const { return md_; }

   private:
    void* md_;
  };

  // Finds the next match at or after pos: > 0 found, 0 none, < 0 a PCRE2 error code.
  int CustomNext(const MatchData& md, const uint8_t* s, size_t n, size_t pos, size_t* b,
                 size_t* e) const;
  absl::Status CustomError(int rc, size_t pos) const;

  PatternKind kind_ = PatternKind::kCustom;
  struct Regex;
  std::unique_ptr<Regex> regex_;
};

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_PRETOKENIZER_H_
