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

// ---- Splitting a text that grows at its end (IncrementalCounter) ----
//
// A piece of the built-in families is bounded (a contraction, \p{N}{1,3}) or a run that goes
// on as long as its characters do: letters, gpt2's digits, punctuation with its trailing
// newlines (and slashes, o200k), whitespace, o200k's words (an upper-case run, then a lower-case
// one). For a text s[0, n) whose first piece starts such a run and that is still inside it at
// its end, an OpenRun records what the scanner was doing there, so that text appended later is
// split by looking at the new characters only: the pieces the scanner makes of the run follow
// from the run's state (SplitOpenRun), whatever its length.
//
// Each mode mirrors one branch of the scanners above, named there by its regex alternative.
// tests/pretokenizer_test.cc checks SplitOpenRun() against Split() at every length of runs of
// every kind, started after every kind of prefix and ended by every kind of text;
// tests/counting_test.cc checks the counter built on it against Count() on long runs.
struct OpenRun {
  enum class Mode : uint8_t {
    kLetters,    // \p{L}+ after an optional prefix (gpt2, cl100k).
    kDigits,     // \p{N}+ after an optional space (gpt2).
    kOther,      // [^\s\p{L}\p{N}]+ after an optional space.
    kOtherTail,  // The [\r\n]* (cl100k) or [\r\n/]* (o200k) after it.
    kSpace,      // A whitespace run.
    kWordU,      // o200k: [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]* so far.
    kWordW,      // o200k: then [\p{Ll}\p{Lm}\p{Lo}\p{M}]+ after a lower-case letter.
  };
  Mode mode = Mode::kLetters;
  size_t end = 0;  // Characters before `end` belong to the run.
  // kSpace (cl100k, o200k): just after the run's last \r or \n. kWordU: just after the last
  // character of the run that is also in the lower-case class (Lm, Lo, M). 0: none.
  size_t mark = 0;
  bool closed = false;  // The character at `end` does not continue the run.
};

// Whether the piece the scanner of `kind` (not kCustom) takes at the start of s[0, n) is a run;
// if so sets *run for it and continues it over s[0, n) (ExtendOpenRun). False for a bounded
// piece.
bool StartOpenRun(PatternKind kind, const uint8_t* s, size_t n, OpenRun* run);

// Continues an open run over s[run->end, n) (s[0, run->end) unchanged since), stopping at the
// first character that does not continue it.
void ExtendOpenRun(PatternKind kind, const uint8_t* s, size_t n, OpenRun* run);

// The pieces the scanner makes of s[0, n) from its start, as far as the run decides them: they
// end at ends[0..count), and the scanner goes on at ends[count - 1] (0 if count == 0) with a
// fresh piece. An open run reaches n (its last piece ends there) and is not final; a closed
// one is final when no text appended later can move these ends (a contraction after an o200k
// word may still be incomplete).
struct OpenRunSplit {
  size_t ends[2] = {0, 0};
  int count = 0;
  bool final = false;
  size_t restart() const { return count == 0 ? 0 : ends[count - 1]; }
};
OpenRunSplit SplitOpenRun(PatternKind kind, const uint8_t* s, size_t n, const OpenRun& run);

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
