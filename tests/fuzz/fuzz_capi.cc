// Fuzz target: the C ABI on arbitrary bytes. The first byte picks the options, the encode
// buffer capacity and the counter's chunk size. Invariants: no crash; a status, never an
// exception; BUFFER_TOO_SMALL reports the size that then succeeds; count == encode length;
// decode(encode(x)) == x for valid UTF-8; the incremental counter, fed in chunks, equals the
// whole count; count_until agrees with count.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tokwise/tokwise.h"

// Aborts naming the broken invariant, so a failing input is quick to diagnose.
#define REQUIRE(cond)                                                                 \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "fuzz_capi.cc:%d: %s (last error: %s)\n", __LINE__, #cond, \
                   tokwise_last_error());                                             \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t knobs = data[0];
  const char* text = reinterpret_cast<const char*>(data + 1);
  const size_t len = size - 1;

  static tokwise_encoding* encodings[2] = {nullptr, nullptr};
  if (encodings[0] == nullptr) {
    REQUIRE(tokwise_encoding_get("o200k_base", &encodings[0]) == TOKWISE_STATUS_OK);
    REQUIRE(tokwise_encoding_get("cl100k_base", &encodings[1]) == TOKWISE_STATUS_OK);
  }
  tokwise_encoding* enc = encodings[knobs & 1];

  tokwise_options* opts = nullptr;
  REQUIRE(tokwise_options_create(&opts) == TOKWISE_STATUS_OK);
  REQUIRE(tokwise_options_set_special(
              opts, static_cast<tokwise_special_policy>((knobs >> 1) & 3)) == TOKWISE_STATUS_OK);
  const bool replace = (knobs >> 3) & 1;
  REQUIRE(tokwise_options_set_invalid_utf8(
              opts, replace ? TOKWISE_INVALID_UTF8_REPLACE : TOKWISE_INVALID_UTF8_REJECT) ==
          TOKWISE_STATUS_OK);

  // Count, then encode into a buffer that may be too small.
  size_t count = 0;
  const tokwise_status counted = tokwise_encoding_count(enc, text, len, opts, &count);
  std::vector<uint32_t> ids(knobs >> 4);
  size_t n = 0;
  tokwise_status st = tokwise_encoding_encode(enc, text, len, opts, ids.data(), ids.size(), &n);
  if (st == TOKWISE_STATUS_BUFFER_TOO_SMALL) {
    REQUIRE(n > ids.size() && n <= tokwise_encode_bound(len, opts));
    ids.resize(n);
    st = tokwise_encoding_encode(enc, text, len, opts, ids.data(), ids.size(), &n);
  }
  // Count and encode agree on success, and on the error otherwise (except that counting
  // treats special tokens as text under the DEFAULT policy, where encoding rejects them).
  if (((knobs >> 1) & 3) != TOKWISE_SPECIAL_DEFAULT) REQUIRE(st == counted);
  if (st == TOKWISE_STATUS_OK && counted == TOKWISE_STATUS_OK) REQUIRE(n == count);
  if (st != TOKWISE_STATUS_OK) {
    REQUIRE(st == TOKWISE_STATUS_INVALID_UTF8 || st == TOKWISE_STATUS_SPECIAL_TOKEN);
    REQUIRE(tokwise_last_error()[0] != '\0' && tokwise_last_error_byte_offset() >= 0);
  } else {
    // Decode, first into a buffer that is too small when there is anything to decode.
    std::string back(len > 0 ? len - 1 : 0, '\0');
    size_t got = 0;
    tokwise_status d = tokwise_encoding_decode(enc, ids.data(), n, &back[0], back.size(), &got);
    if (d == TOKWISE_STATUS_BUFFER_TOO_SMALL) {
      back.resize(got);
      d = tokwise_encoding_decode(enc, ids.data(), n, &back[0], back.size(), &got);
    }
    REQUIRE(d == TOKWISE_STATUS_OK);
    back.resize(got);
    if (!replace) REQUIRE(back == std::string(text, len));
  }

  // Count-until at a limit below the count stops there.
  if (counted == TOKWISE_STATUS_OK) {
    size_t until = 0, byte_offset = 0, char_offset = 0;
    int exceeded = 0;
    const size_t limit = count / 2;
    REQUIRE(tokwise_encoding_count_until(enc, text, len, limit, opts, &until, &exceeded,
                                         &byte_offset, &char_offset) == TOKWISE_STATUS_OK);
    REQUIRE(until == (count > limit ? limit : count) && (exceeded != 0) == (count > limit));
    REQUIRE(char_offset <= byte_offset);
  }

  // The incremental counter, in chunks (special tokens count as text there).
  size_t plain = 0;
  if (tokwise_encoding_count(enc, text, len, nullptr, &plain) == TOKWISE_STATUS_OK) {
    tokwise_counter* counter = nullptr;
    REQUIRE(tokwise_counter_create(enc, &counter) == TOKWISE_STATUS_OK);
    const size_t chunk = 1 + (knobs >> 5);
    for (size_t i = 0; i < len; i += chunk) {
      const size_t take = len - i < chunk ? len - i : chunk;
      REQUIRE(tokwise_counter_append(counter, text + i, take) == TOKWISE_STATUS_OK);
    }
    REQUIRE(tokwise_counter_count(counter) == plain && tokwise_counter_pending_bytes(counter) == 0);
    tokwise_counter_free(counter);
  }
  tokwise_options_free(opts);
  return 0;
}
