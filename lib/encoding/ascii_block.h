// The o200k and cl100k split patterns on ASCII text, sixty-four bytes at a time.
//
// Piece by piece, a scanner pays for its branches: which alternative starts here, where the
// word ends, whether a contraction follows. On ordinary prose that is most of the splitting
// cost, and on text whose pieces change kind every few bytes (random base64, identifiers) the
// branch predictor guesses wrong at almost every piece. Here the bytes of a block are sorted
// into classes by vector compares (one bit per byte per class), and where the pieces start
// follows from those masks by shifts and adds, for the whole block at once. The splitting loop
// then walks the set bits.
//
// Each rule below is the regex's answer for ASCII text (the derivation is in the comments);
// the differential tests run these blocks against PCRE2. Where an answer needs a byte that is
// not ASCII, or lies past the block, the block stops short and the caller goes on piece by
// piece.
#ifndef TOKWISE_LIB_ENCODING_ASCII_BLOCK_H_
#define TOKWISE_LIB_ENCODING_ASCII_BLOCK_H_

#include <cstddef>
#include <cstdint>

#include "encoding/ascii_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tokwise::encoding_internal {

#if defined(__SSE2__)
inline constexpr bool kHaveAsciiBlocks = true;

namespace ascii {

// Bit k of each mask describes byte k of the block.
struct BlockClasses {
  uint64_t upper = 0, lower = 0, digit = 0;
  uint64_t space = 0;       // \s within ASCII: \t \n \v \f \r and ' '
  uint64_t newline = 0;     // \r \n
  uint64_t blank = 0;       // ' ' itself (the optional space of ' ?[^\s\p{L}\p{N}]+')
  uint64_t apostrophe = 0;  // '
  uint64_t slash = 0;
  uint64_t non_ascii = 0;
};

inline BlockClasses ClassifyBlock(const uint8_t* p) {
  BlockClasses c;
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const int shift = 16 * k;
    // Letters either case at once: setting bit 5 maps A-Z onto a-z and nothing else onto it.
    const uint64_t letter = InRange(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 26);
    const uint64_t bit5 = static_cast<uint32_t>(_mm_movemask_epi8(_mm_slli_epi16(v, 2)));
    const auto eq = [&v](char ch) {
      return static_cast<uint64_t>(
          static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(ch)))));
    };
    const uint64_t blank = eq(' ');
    c.upper |= (letter & ~bit5) << shift;
    c.lower |= (letter & bit5) << shift;
    c.digit |= uint64_t{InRange(v, '0', 10)} << shift;
    c.space |= (uint64_t{InRange(v, '\t', 5)} | blank) << shift;
    c.newline |= (eq('\n') | eq('\r')) << shift;
    c.blank |= blank << shift;
    c.apostrophe |= eq('\'') << shift;
    c.slash |= eq('/') << shift;
    c.non_ascii |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(v))) << shift;
  }
  return c;
}

inline size_t CountTrailingZeros64(uint64_t x) { return static_cast<size_t>(__builtin_ctzll(x)); }

}  // namespace ascii

// Where the pieces of the o200k (kO200k) or cl100k pattern start within the 64 bytes at p,
// given that a piece starts at p and that more than 64 bytes of text follow p (`left` of
// them; the byte 64 may be read, no further). Returns the start mask (bit k: a piece starts at
// p + k; bit 0 always set) restricted to the first *decided bytes, the part of the block whose
// starts are certain. Every piece between two starts in it is complete; the last one may
// continue past *decided.
template <bool kO200k>
inline uint64_t AsciiBlockStarts(const uint8_t* p, size_t left, size_t* decided) {
  using namespace ascii;
  const BlockClasses c = ClassifyBlock(p);
  // Only the ASCII bytes from p on are judged; a start needs the byte after it (the prefix of
  // a word, the last space before one), so the last ASCII byte is not decided.
  const size_t ascii_len = c.non_ascii == 0 ? 64 : CountTrailingZeros64(c.non_ascii);
  size_t limit = ascii_len == 0 ? 0 : ascii_len - 1;
  const uint64_t valid = ascii_len == 64 ? ~uint64_t{0} : (uint64_t{1} << ascii_len) - 1;
  const uint64_t letter = c.upper | c.lower;
  const uint64_t space = c.space, nl = c.newline;
  const uint64_t other = valid & ~(letter | c.digit | space);  // [^\s\p{L}\p{N}]
  const uint64_t blank_space = space & ~nl;                      // Whitespace that may prefix a word.
  // prev(x): bit k set when byte k - 1 is in x. Nothing before byte 0 counts: a piece starts
  // there, so no rule may join it to what came before.
  const auto prev = [](uint64_t x) { return x << 1; };
  const auto next = [](uint64_t x) { return x >> 1; };

  // Punctuation: ' ?[^\s\p{L}\p{N}]+[\r\n/]*' (cl100k: [\r\n]*) takes a whole run of punctuation,
  // the space before it, and what its tail class matches right after it: a run of newlines
  // (and, for o200k, slashes) that starts with a newline. Those bytes take part in nothing
  // else. The carry of an add runs through each such run from its first byte.
  const uint64_t tail = kO200k ? nl | c.slash : nl;
  // A seed that is not the first of its run leaves its own bit set in the sum (its run's
  // carry meets it), hence the | seeds.
  const uint64_t seeds = nl & prev(other);
  const uint64_t taken = (tail & ~(tail + seeds)) | seeds;
  const uint64_t punct = other & ~taken;

  // Contractions, (?i:'s|'t|'re|'ve|'m|'ll|'d). o200k: the tail of a word, after its letters
  // (an apostrophe right after a letter, unless that letter itself ended a contraction, which
  // closed the piece). cl100k: a piece of its own, at an apostrophe where a piece starts (not
  // inside a run of punctuation, not taken by the space before it). Few blocks have any.
  uint64_t contraction = 0, inner = 0, after_contraction = 0;
  uint64_t apostrophes =
      c.apostrophe & (kO200k ? prev(letter) : ~prev(punct) & ~prev(c.blank));
  while (apostrophes != 0) {
    const size_t j = CountTrailingZeros64(apostrophes);
    apostrophes &= apostrophes - 1;
    if (j >= limit) break;
    if (kO200k && ((inner >> (j - 1)) & 1)) continue;
    bool undecided = false;
    const size_t e = Contraction(p, j, left, &undecided);
    if (undecided) {
      limit = j;
      break;
    }
    if (e == j) continue;
    contraction |= uint64_t{1} << j;
    inner |= ((uint64_t{1} << (e - j - 1)) - 1) << (j + 1);
    if (e < 64) after_contraction |= uint64_t{1} << e;
  }

  // Words: [^\r\n\p{L}\p{N}]?letters. A new word starts where letters follow a non-letter;
  // o200k also starts one at an upper-case letter after a lower-case one ([A-Z]*[a-z]+ ends
  // there). The byte before the letters joins them when a piece starts at it and nothing else
  // takes it: whitespace other than \r \n always (it is the last of its run: see below); a
  // punctuation byte when it stands alone, unless a space before it takes it
  // (' ?[^\s\p{L}\p{N}]+' at the space wins) or it is a contraction's apostrophe.
  const uint64_t word_start = letter & ~prev(letter);
  const uint64_t prefix =
      (blank_space | (punct & ~prev(punct) & ~prev(c.blank) & ~contraction)) & next(letter);
  uint64_t starts = (word_start & ~prev(prefix)) | prefix;
  if (kO200k) starts |= c.upper & prev(c.lower);

  // A run of punctuation starts a piece unless the space before it does (a lone byte before
  // letters was the word's prefix above).
  starts |= punct & ~prev(punct) & ~prev(c.blank);

  // Whitespace runs (what punctuation took is not part of them). \s*[\r\n]+ takes a run up to
  // its last newline; of the spaces after that (or of a run without newlines), \s+(?!\S) takes
  // all but the last before a non-space, and the last is a piece, or a word's prefix, or the
  // space before punctuation.
  const uint64_t ws = space & ~taken;
  starts |= ws & ~prev(ws);
  starts |= blank_space & next(valid & ~space);
  // Spaces after a newline of the run start a piece when no newline follows them in the run.
  uint64_t after_newline = blank_space & prev(nl & ws);
  for (uint64_t m = after_newline; m != 0; m &= m - 1) {
    const size_t k = CountTrailingZeros64(m);
    const size_t end = k + CountTrailingZeros64(~(blank_space >> k));
    if (end >= ascii_len) {  // What follows is not known here.
      if (k < limit) limit = k;
      break;
    }
    if ((nl >> end) & 1) after_newline &= ~(uint64_t{1} << k);
  }
  starts |= after_newline;

  // Digits: \p{N}{1,3}, groups of three from the start of each run.
  const uint64_t digit = c.digit;
  uint64_t groups = digit & ~prev(digit);
  const uint64_t fourth = digit & prev(digit) & prev(prev(digit)) & prev(prev(prev(digit)));
  for (uint64_t more = (groups << 3) & fourth; more & ~groups; more = (groups << 3) & fourth) {
    groups |= more;
  }
  starts |= groups | after_contraction;
  starts &= ~(inner | (kO200k ? contraction : 0));
  starts |= 1;
  *decided = limit;
  return limit >= 64 ? starts : starts & ((uint64_t{1} << limit) - 1);
}

#else
inline constexpr bool kHaveAsciiBlocks = false;
template <bool kO200k>
inline uint64_t AsciiBlockStarts(const uint8_t*, size_t, size_t* decided) {
  *decided = 0;
  return 0;
}
#endif  // __SSE2__

// The o200k (kO200k) or cl100k pieces of the ASCII block at *pos, where a piece starts: calls
// piece(begin, end) for each piece that ends inside the block, advances *pos past them, and
// returns true; returns false when the block gives no complete piece (64 bytes or less left, a
// byte >= 0x80 close by, a piece longer than the block), leaving the piece at *pos to the
// piece-by-piece scanners. Sets *pos = n when piece() returns false (stop).
template <bool kO200k, class F>
inline bool AsciiBlockPieces(const uint8_t* s, size_t n, size_t* pos, F&& piece) {
  if (!kHaveAsciiBlocks) return false;
  const size_t at = *pos;
  if (n - at <= 64 || s[at] >= 0x80) return false;
#if defined(__SSE2__)
  // Text that is mostly not ASCII would pay for a block and get no piece from it.
  if (_mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + at))) & 0xFF) {
    return false;
  }
#endif
  size_t decided;
  uint64_t starts = AsciiBlockStarts<kO200k>(s + at, n - at, &decided);
  starts &= starts - 1;  // The piece at `at` ends at the next start.
  if (starts == 0) return false;
  size_t b = at;
  do {
    const size_t e = at + static_cast<size_t>(__builtin_ctzll(starts));
    if (!piece(b, e)) {
      *pos = n;
      return true;
    }
    b = e;
    starts &= starts - 1;
  } while (starts != 0);
  *pos = b;
  return true;
}

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_ASCII_BLOCK_H_
