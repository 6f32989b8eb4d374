/* capi_c_test.c: the C ABI used from C. Compiled by the C compiler as C99 with -pedantic
 * -Werror, so the header itself is checked to be plain C; linked against the shared library.
 *
 * Expected token ids come from tiktoken's public tests and README and from the OpenAI
 * Cookbook ("How to count tokens with tiktoken").
 *
 *   capi_c_test SHARED_DATA_DIR */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokwise/tokwise.h"

static int g_failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                            \
    }                                                                          \
  } while (0)

#define CHECK_STATUS(expr, want)                                                              \
  do {                                                                                        \
    tokwise_status got_ = (expr);                                                             \
    if (got_ != (want)) {                                                                     \
      fprintf(stderr, "%s:%d: %s returned %d (%s: %s), want %d\n", __FILE__, __LINE__, #expr, \
              (int)got_, tokwise_status_string(got_), tokwise_last_error(), (int)(want));     \
      ++g_failures;                                                                           \
    }                                                                                         \
  } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, TOKWISE_STATUS_OK)

static int ids_equal(const uint32_t* got, size_t n_got, const uint32_t* want, size_t n_want) {
  return n_got == n_want && (n_got == 0 || memcmp(got, want, n_got * sizeof *got) == 0);
}

static char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  char* data;
  long len;
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  len = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = malloc((size_t)len + 1);
  if (data != NULL && fread(data, 1, (size_t)len, f) != (size_t)len) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = (size_t)len;
  return data;
}

static void test_version(void) {
  CHECK(tokwise_version_number() == TOKWISE_VERSION_NUMBER);
  CHECK(strcmp(tokwise_version_string(), TOKWISE_VERSION_STRING) == 0);
  CHECK(TOKWISE_VERSION_NUMBER ==
        TOKWISE_VERSION_MAJOR * 1000000 + TOKWISE_VERSION_MINOR * 1000 + TOKWISE_VERSION_PATCH);
}

static void test_status_strings(void) {
  int a, b;
  for (a = 0; a <= 10; ++a) {
    const char* s = tokwise_status_string((tokwise_status)a);
    CHECK(s != NULL && s[0] != '\0');
    CHECK(strcmp(s, "unknown status") != 0);
    for (b = 0; b < a; ++b) CHECK(strcmp(s, tokwise_status_string((tokwise_status)b)) != 0);
  }
  CHECK(strcmp(tokwise_status_string((tokwise_status)999), "unknown status") == 0);
  CHECK(strcmp(tokwise_status_string(TOKWISE_STATUS_INVALID_UTF8), "invalid UTF-8") == 0);
}

static void test_null_handling(void) {
  size_t n = 99;
  tokwise_encoding* enc = NULL;

  /* Free functions accept NULL. */
  tokwise_encoding_free(NULL);
  tokwise_options_free(NULL);
  tokwise_encoding_spec_free(NULL);
  tokwise_counter_free(NULL);
  tokwise_counter_reset(NULL);

  /* Getters on NULL return neutral values. */
  CHECK(strcmp(tokwise_encoding_name(NULL), "") == 0);
  CHECK(tokwise_encoding_n_vocab(NULL) == 0);
  CHECK(tokwise_encoding_eot_token(NULL) == -1);
  CHECK(tokwise_encoding_special_token_count(NULL) == 0);
  CHECK(tokwise_counter_count(NULL) == 0);

  /* NULL required parameters are INVALID_ARGUMENT, with a message, and outputs untouched. */
  CHECK_STATUS(tokwise_encoding_get(NULL, &enc), TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(strlen(tokwise_last_error()) > 0);
  CHECK_STATUS(tokwise_encoding_get("cl100k_base", NULL), TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(tokwise_encoding_count(NULL, "a", 1, NULL, &n), TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(n == 99);
  CHECK_STATUS(tokwise_options_create(NULL), TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(tokwise_options_set_special(NULL, TOKWISE_SPECIAL_AS_TEXT),
               TOKWISE_STATUS_INVALID_ARGUMENT);

  CHECK_OK(tokwise_encoding_get("cl100k_base", &enc));
  /* NULL text is the empty text when its length is 0, an error otherwise. */
  CHECK_OK(tokwise_encoding_count(enc, NULL, 0, NULL, &n));
  CHECK(n == 0);
  CHECK_STATUS(tokwise_encoding_count(enc, NULL, 3, NULL, &n), TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(tokwise_encoding_count(enc, "a", 1, NULL, NULL), TOKWISE_STATUS_INVALID_ARGUMENT);
  tokwise_encoding_free(enc);
}

static void test_documented_values(void) {
  /* tiktoken's tests and README; the Cookbook. */
  static const uint32_t hello[] = {15339, 1917};
  static const uint32_t great[] = {83, 1609, 5963, 374, 2294, 0};
  static const char* const great_pieces[] = {"t", "ik", "token", " is", " great", "!"};
  static const uint32_t anti[] = {519, 85342, 34500, 479, 8997, 2191};
  static const uint32_t sums[] = {17, 489, 220, 17, 284, 220, 19};
  tokwise_encoding* enc = NULL;
  uint32_t ids[64];
  char bytes[64];
  size_t n = 0, len = 0, i;

  CHECK_OK(tokwise_encoding_get("cl100k_base", &enc));
  CHECK(strcmp(tokwise_encoding_name(enc), "cl100k_base") == 0);
  CHECK(tokwise_encoding_n_vocab(enc) == 100277);
  CHECK(tokwise_encoding_eot_token(enc) == 100257);

  CHECK_OK(tokwise_encoding_count(enc, "hello world", 11, NULL, &n));
  CHECK(n == 2);
  CHECK_OK(tokwise_encoding_encode(enc, "hello world", 11, NULL, ids, 64, &n));
  CHECK(ids_equal(ids, n, hello, 2));
  CHECK_OK(tokwise_encoding_decode(enc, hello, 2, bytes, sizeof bytes, &len));
  CHECK(len == 11 && memcmp(bytes, "hello world", 11) == 0);

  CHECK_OK(tokwise_encoding_encode(enc, "tiktoken is great!", 18, NULL, ids, 64, &n));
  CHECK(ids_equal(ids, n, great, 6));
  for (i = 0; i < 6; ++i) {
    CHECK_OK(tokwise_encoding_decode_token(enc, great[i], bytes, sizeof bytes, &len));
    CHECK(len == strlen(great_pieces[i]) && memcmp(bytes, great_pieces[i], len) == 0);
  }
  CHECK_OK(tokwise_encoding_encode(enc, "antidisestablishmentarianism", 28, NULL, ids, 64, &n));
  CHECK(ids_equal(ids, n, anti, 6));
  CHECK_OK(tokwise_encoding_encode(enc, "2 + 2 = 4", 9, NULL, ids, 64, &n));
  CHECK(ids_equal(ids, n, sums, 7));

  /* encode_single_token: ordinary and special tokens; anything else is UNKNOWN_TOKEN. */
  {
    uint32_t id = 0;
    CHECK_OK(tokwise_encoding_encode_single_token(enc, "hello", 5, &id));
    CHECK(id == 15339);
    CHECK_OK(tokwise_encoding_encode_single_token(enc, "<|endoftext|>", 13, &id));
    CHECK(id == 100257);
    CHECK_STATUS(tokwise_encoding_encode_single_token(enc, "hello world", 11, &id),
                 TOKWISE_STATUS_UNKNOWN_TOKEN);
  }
  tokwise_encoding_free(enc);

  /* tiktoken's README: encoding_for_model("gpt-4o") is o200k_base. */
  CHECK_OK(tokwise_encoding_for_model("gpt-4o", &enc));
  CHECK(strcmp(tokwise_encoding_name(enc), "o200k_base") == 0);
  CHECK(tokwise_encoding_n_vocab(enc) == 200019);
  tokwise_encoding_free(enc);
}

static void test_buffer_protocol(void) {
  tokwise_encoding* enc = NULL;
  tokwise_options* opts = NULL;
  uint32_t ids[2] = {7, 7};
  char bytes[4];
  size_t n = 0, len = 0;
  static const uint32_t hello[] = {15339, 1917};

  CHECK_OK(tokwise_encoding_get("cl100k_base", &enc));
  /* Too small: the count holds the size needed. */
  CHECK_STATUS(tokwise_encoding_encode(enc, "hello world", 11, NULL, ids, 1, &n),
               TOKWISE_STATUS_BUFFER_TOO_SMALL);
  CHECK(n == 2);
  CHECK(strstr(tokwise_last_error(), "2 needed") != NULL);
  /* A size query: no buffer at all. */
  n = 0;
  CHECK_STATUS(tokwise_encoding_encode(enc, "hello world", 11, NULL, NULL, 0, &n),
               TOKWISE_STATUS_BUFFER_TOO_SMALL);
  CHECK(n == 2);
  CHECK_STATUS(tokwise_encoding_encode(enc, "hello world", 11, NULL, NULL, 5, &n),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  /* Exactly large enough. */
  CHECK_OK(tokwise_encoding_encode(enc, "hello world", 11, NULL, ids, 2, &n));
  CHECK(ids_equal(ids, n, hello, 2));
  /* The empty text needs no buffer. */
  CHECK_OK(tokwise_encoding_encode(enc, "", 0, NULL, NULL, 0, &n));
  CHECK(n == 0);

  /* Decode: the same protocol in bytes; no NUL is written. */
  CHECK_STATUS(tokwise_encoding_decode(enc, hello, 2, bytes, sizeof bytes, &len),
               TOKWISE_STATUS_BUFFER_TOO_SMALL);
  CHECK(len == 11);
  CHECK_STATUS(tokwise_encoding_decode(enc, hello, 2, NULL, 0, &len),
               TOKWISE_STATUS_BUFFER_TOO_SMALL);
  CHECK(len == 11);
  CHECK_STATUS(tokwise_encoding_decode_token(enc, 15339, bytes, 2, &len),
               TOKWISE_STATUS_BUFFER_TOO_SMALL);
  CHECK(len == 5);

  /* The bound: the text length, or three times it when invalid UTF-8 is replaced. */
  CHECK(tokwise_encode_bound(100, NULL) == 100);
  CHECK_OK(tokwise_options_create(&opts));
  CHECK(tokwise_encode_bound(100, opts) == 100);
  CHECK_OK(tokwise_options_set_invalid_utf8(opts, TOKWISE_INVALID_UTF8_REPLACE));
  CHECK(tokwise_encode_bound(100, opts) == 300);
  CHECK(tokwise_encode_bound(SIZE_MAX / 2, opts) == SIZE_MAX);
  {
    /* Every byte invalid: the bound still holds. */
    char bad[16];
    uint32_t out[48];
    memset(bad, 0xFF, sizeof bad);
    CHECK_OK(tokwise_encoding_encode(enc, bad, sizeof bad, opts, out,
                                     tokwise_encode_bound(sizeof bad, opts), &n));
    CHECK(n >= 1 && n <= 48);
  }
  tokwise_options_free(opts);
  tokwise_encoding_free(enc);
}

static void test_special_tokens(void) {
  /* tiktoken: encode("hello <|endoftext|>", allowed_special="all") == [15339, 220, 100257]. */
  static const uint32_t allowed[] = {15339, 220, 100257};
  const char* text = "hello <|endoftext|>";
  const size_t len = strlen(text);
  tokwise_encoding* enc = NULL;
  tokwise_options* opts = NULL;
  uint32_t ids[32], ordinary[32];
  size_t n = 0, n_ordinary = 0, count = 0, i;
  int found_eot = 0;

  CHECK_OK(tokwise_encoding_get("cl100k_base", &enc));

  /* encode() rejects by default, naming the offset. */
  CHECK_STATUS(tokwise_encoding_encode(enc, text, len, NULL, ids, 32, &n),
               TOKWISE_STATUS_SPECIAL_TOKEN);
  CHECK(tokwise_last_error_byte_offset() == 6);
  CHECK(strstr(tokwise_last_error(), "<|endoftext|>") != NULL);

  /* Recognized. */
  CHECK_OK(tokwise_options_create(&opts));
  CHECK_OK(tokwise_options_set_special(opts, TOKWISE_SPECIAL_RECOGNIZE));
  CHECK_OK(tokwise_encoding_encode(enc, text, len, opts, ids, 32, &n));
  CHECK(ids_equal(ids, n, allowed, 3));

  /* As text: what count() does by default. */
  CHECK_OK(tokwise_options_set_special(opts, TOKWISE_SPECIAL_AS_TEXT));
  CHECK_OK(tokwise_encoding_encode(enc, text, len, opts, ordinary, 32, &n_ordinary));
  CHECK(n_ordinary > 3);
  for (i = 0; i < n_ordinary; ++i) CHECK(ordinary[i] != 100257);
  CHECK_OK(tokwise_encoding_count(enc, text, len, NULL, &count));
  CHECK(count == n_ordinary);

  /* Per token: reject all but <|endoftext|> (tiktoken's allowed_special={"<|endoftext|>"}). */
  CHECK_OK(tokwise_options_set_special(opts, TOKWISE_SPECIAL_REJECT));
  CHECK_OK(tokwise_options_set_special_token(opts, "<|endoftext|>", 13, TOKWISE_SPECIAL_RECOGNIZE));
  CHECK_OK(tokwise_encoding_encode(enc, text, len, opts, ids, 32, &n));
  CHECK(ids_equal(ids, n, allowed, 3));
  CHECK_STATUS(tokwise_encoding_count(enc, "x<|fim_prefix|>", 15, opts, &count),
               TOKWISE_STATUS_SPECIAL_TOKEN);
  CHECK(tokwise_last_error_byte_offset() == 1);
  /* Removing the override restores the default policy (reject). */
  CHECK_OK(tokwise_options_set_special_token(opts, "<|endoftext|>", 13, TOKWISE_SPECIAL_DEFAULT));
  CHECK_STATUS(tokwise_encoding_encode(enc, text, len, opts, ids, 32, &n),
               TOKWISE_STATUS_SPECIAL_TOKEN);
  /* A name that is not a special token is an error, not a silent change of count. */
  CHECK_OK(tokwise_options_set_special_token(opts, "<|endoftxt|>", 12, TOKWISE_SPECIAL_RECOGNIZE));
  CHECK_STATUS(tokwise_encoding_count(enc, text, len, opts, &count),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(tokwise_options_set_special(opts, (tokwise_special_policy)42),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(tokwise_options_set_special_token(opts, "", 0, TOKWISE_SPECIAL_REJECT),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  tokwise_options_free(opts);

  /* Enumeration of the special tokens. */
  CHECK(tokwise_encoding_special_token_count(enc) == 5);
  for (i = 0; i < tokwise_encoding_special_token_count(enc); ++i) {
    const char* t = NULL;
    size_t t_len = 0;
    uint32_t id = 0;
    CHECK_OK(tokwise_encoding_special_token(enc, i, &t, &t_len, &id));
    if (t_len == 13 && memcmp(t, "<|endoftext|>", 13) == 0) found_eot = id == 100257;
  }
  CHECK(found_eot);
  CHECK_STATUS(tokwise_encoding_special_token(enc, 5, NULL, NULL, NULL),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  tokwise_encoding_free(enc);
}

static void test_invalid_utf8(void) {
  tokwise_encoding* enc = NULL;
  tokwise_options* opts = NULL;
  size_t n = 0, repaired = 0;

  CHECK_OK(tokwise_encoding_get("o200k_base", &enc));
  CHECK_STATUS(tokwise_encoding_count(enc,
                                      "ab\xff"
                                      "cd",
                                      5, NULL, &n),
               TOKWISE_STATUS_INVALID_UTF8);
  CHECK(tokwise_last_error_byte_offset() == 2);
  CHECK(strstr(tokwise_last_error(), "byte offset 2") != NULL);

  /* REPLACE: the same as counting the text with U+FFFD in place of the bad byte. */
  CHECK_OK(tokwise_options_create(&opts));
  CHECK_OK(tokwise_options_set_invalid_utf8(opts, TOKWISE_INVALID_UTF8_REPLACE));
  CHECK_OK(tokwise_encoding_count(enc,
                                  "ab\xff"
                                  "cd",
                                  5, opts, &n));
  CHECK_OK(tokwise_encoding_count(enc,
                                  "ab\xef\xbf\xbd"
                                  "cd",
                                  7, NULL, &repaired));
  CHECK(n == repaired);
  CHECK_STATUS(tokwise_options_set_invalid_utf8(opts, (tokwise_invalid_utf8)7),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  tokwise_options_free(opts);
  tokwise_encoding_free(enc);
}

static void test_count_until_and_batch(void) {
  tokwise_encoding* enc = NULL;
  size_t count = 0, byte_offset = 0, char_offset = 0, counts[4] = {0, 0, 0, 0}, i;
  int exceeded = -1;
  const char* texts[4] = {"hello world", "", "tiktoken is great!", "2 + 2 = 4"};
  size_t lens[4];
  const size_t want[4] = {2, 0, 6, 7};

  CHECK_OK(tokwise_encoding_get("cl100k_base", &enc));
  /* "hello world" is [hello][ world]: one token covers 5 bytes. */
  CHECK_OK(tokwise_encoding_count_until(enc, "hello world", 11, 1, NULL, &count, &exceeded,
                                        &byte_offset, &char_offset));
  CHECK(count == 1 && exceeded == 1 && byte_offset == 5 && char_offset == 5);
  CHECK_OK(tokwise_encoding_count_until(enc, "hello world", 11, 5, NULL, &count, &exceeded,
                                        &byte_offset, &char_offset));
  CHECK(count == 2 && exceeded == 0 && byte_offset == 11);
  /* Optional outputs may be NULL. */
  CHECK_OK(tokwise_encoding_count_until(enc, "hello world", 11, 2, NULL, &count, NULL, NULL, NULL));
  CHECK(count == 2);

  for (i = 0; i < 4; ++i) lens[i] = strlen(texts[i]);
  CHECK_OK(tokwise_encoding_count_batch(enc, texts, lens, 4, 3, NULL, counts));
  for (i = 0; i < 4; ++i) CHECK(counts[i] == want[i]);
  CHECK_OK(tokwise_encoding_count_batch(enc, NULL, NULL, 0, 2, NULL, NULL));

  /* The lowest failing index is reported; the counts are left unchanged. */
  texts[2] = "bad \xc3";
  lens[2] = 5;
  texts[3] = "bad \xff";
  lens[3] = 5;
  counts[0] = 77;
  CHECK_STATUS(tokwise_encoding_count_batch(enc, texts, lens, 4, 2, NULL, counts),
               TOKWISE_STATUS_INVALID_UTF8);
  CHECK(tokwise_last_error_index() == 2);
  CHECK(tokwise_last_error_byte_offset() == 4);
  CHECK(counts[0] == 77);
  tokwise_encoding_free(enc);
}

static void test_models(void) {
  tokwise_encoding* enc = NULL;
  char name[32];
  size_t len = 0;

  CHECK_OK(tokwise_encoding_for_model("openai/gpt-4o-2024-08-06", &enc));
  CHECK(strcmp(tokwise_encoding_name(enc), "o200k_base") == 0);
  tokwise_encoding_free(enc);
  CHECK_OK(tokwise_encoding_for_model("gpt-3.5-turbo-0301", &enc));
  CHECK(strcmp(tokwise_encoding_name(enc), "cl100k_base") == 0);
  tokwise_encoding_free(enc);

  enc = NULL;
  CHECK_STATUS(tokwise_encoding_for_model("no-such-model", &enc), TOKWISE_STATUS_NOT_FOUND);
  CHECK(enc == NULL);
  CHECK(strstr(tokwise_last_error(), "no-such-model") != NULL);
  CHECK_STATUS(tokwise_encoding_get("p50k_base", &enc), TOKWISE_STATUS_NOT_FOUND);
  CHECK_STATUS(tokwise_encoding_get("nope", &enc), TOKWISE_STATUS_NOT_FOUND);

  /* tiktoken: text-davinci-003 uses p50k_base. */
  CHECK_OK(tokwise_model_encoding_name("text-davinci-003", name, sizeof name, &len));
  CHECK(len == 9 && strcmp(name, "p50k_base") == 0);
  CHECK_STATUS(tokwise_model_encoding_name("text-davinci-003", name, 9, &len),
               TOKWISE_STATUS_BUFFER_TOO_SMALL);
  CHECK(len == 9);
  CHECK_OK(tokwise_model_encoding_name("gpt-oss-120b", name, sizeof name, &len));
  CHECK(strcmp(name, "o200k_harmony") == 0);
}

static void test_rank_files(const char* shared_data) {
  char path[4096];
  tokwise_encoding_spec* spec = NULL;
  tokwise_encoding* enc = NULL;
  tokwise_options* opts = NULL;
  uint32_t ids[32], id = 0;
  size_t n = 0, size = 0;
  char* data;
  static const uint32_t hello_r50k[] = {31373, 995};
  static const uint32_t zeros[] = {8269, 10535, 830};
  static const uint32_t im[] = {100264, 15339, 100265};

  /* r50k_base from OpenAI's rank file: tiktoken's tests give these ids. */
  snprintf(path, sizeof path, "%s/vocab/r50k_base.tiktoken", shared_data);
  CHECK_OK(tokwise_encoding_spec_create("r50k_base", &spec));
  CHECK_OK(tokwise_encoding_from_file(path, spec, &enc));
  tokwise_encoding_spec_free(spec); /* The encoding does not need it any more. */
  CHECK(strcmp(tokwise_encoding_name(enc), "r50k_base") == 0);
  CHECK(tokwise_encoding_n_vocab(enc) == 50257);
  CHECK_OK(tokwise_encoding_encode(enc, "hello world", 11, NULL, ids, 32, &n));
  CHECK(ids_equal(ids, n, hello_r50k, 2));
  CHECK_OK(tokwise_encoding_encode(enc, "00000000000000000", 17, NULL, ids, 32, &n));
  CHECK(ids_equal(ids, n, zeros, 3));
  tokwise_encoding_free(enc);

  /* Errors: missing file, malformed data, unknown base name, no pattern. */
  CHECK_OK(tokwise_encoding_spec_create("r50k_base", &spec));
  CHECK_STATUS(tokwise_encoding_from_file("/nonexistent/r50k.tiktoken", spec, &enc),
               TOKWISE_STATUS_IO);
  CHECK(strstr(tokwise_last_error(), "/nonexistent/r50k.tiktoken") != NULL);
  {
    const char* malformed = "aGVsbG8= 0\nnot base64 x\n";
    CHECK_STATUS(tokwise_encoding_from_bytes(malformed, strlen(malformed), spec, &enc),
                 TOKWISE_STATUS_INVALID_DATA);
  }
  CHECK(strstr(tokwise_last_error(), "line 2") != NULL);
  tokwise_encoding_spec_free(spec);
  CHECK_STATUS(tokwise_encoding_spec_create("r51k_base", &spec), TOKWISE_STATUS_NOT_FOUND);

  /* tiktoken's README, "Extending tiktoken": cl100k_base plus two special tokens, under a
   * new name, loaded from the rank file's bytes in memory. */
  snprintf(path, sizeof path, "%s/vocab/cl100k_base.tiktoken", shared_data);
  data = read_file(path, &size);
  CHECK(data != NULL);
  if (data == NULL) return;
  CHECK_OK(tokwise_encoding_spec_create("cl100k_base", &spec));
  CHECK_OK(tokwise_encoding_spec_set_name(spec, "cl100k_im"));
  CHECK_OK(tokwise_encoding_spec_set_special_token(spec, "<|im_start|>", 12, 100264));
  CHECK_OK(tokwise_encoding_spec_set_special_token(spec, "<|im_end|>", 10, 100265));
  CHECK_OK(tokwise_encoding_from_bytes(data, size, spec, &enc));
  CHECK(strcmp(tokwise_encoding_name(enc), "cl100k_im") == 0);
  CHECK(tokwise_encoding_special_token_count(enc) == 7);
  CHECK_OK(tokwise_options_create(&opts));
  CHECK_OK(tokwise_options_set_special(opts, TOKWISE_SPECIAL_RECOGNIZE));
  CHECK_OK(tokwise_encoding_encode(enc, "<|im_start|>hello<|im_end|>", 27, opts, ids, 32, &n));
  CHECK(ids_equal(ids, n, im, 3));
  CHECK_OK(tokwise_encoding_encode_single_token(enc, "<|im_end|>", 10, &id));
  CHECK(id == 100265);
  tokwise_encoding_free(enc);
  enc = NULL;

  /* A declared vocabulary size that does not match is refused: 100256 ranks + 7 specials
   * up to id 100276 make 100277. */
  CHECK_OK(tokwise_encoding_spec_set_explicit_n_vocab(spec, 100278));
  CHECK_STATUS(tokwise_encoding_from_bytes(data, size, spec, &enc),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(strstr(tokwise_last_error(), "100278") != NULL);
  CHECK_OK(tokwise_encoding_spec_set_explicit_n_vocab(spec, 100277));
  CHECK_OK(tokwise_encoding_from_bytes(data, size, spec, &enc));
  tokwise_encoding_free(enc);
  enc = NULL;
  /* Without special tokens the largest id is the last rank. */
  CHECK_OK(tokwise_encoding_spec_clear_special_tokens(spec));
  CHECK_OK(tokwise_encoding_spec_set_explicit_n_vocab(spec, 0));
  CHECK_OK(tokwise_encoding_from_bytes(data, size, spec, &enc));
  CHECK(tokwise_encoding_special_token_count(enc) == 0);
  CHECK(tokwise_encoding_eot_token(enc) == -1);
  CHECK(tokwise_encoding_n_vocab(enc) == 100256);
  tokwise_encoding_free(enc);
  tokwise_encoding_spec_free(spec);

  /* An empty spec needs a pattern: an empty one would count every text as 0 tokens. */
  CHECK_OK(tokwise_encoding_spec_create(NULL, &spec));
  CHECK_OK(tokwise_encoding_spec_set_name(spec, "nameless"));
  CHECK_STATUS(tokwise_encoding_from_bytes(data, size, spec, &enc),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(strstr(tokwise_last_error(), "split pattern") != NULL);
  /* Any other pattern runs on PCRE2; one that does not compile is refused. */
  CHECK_OK(tokwise_encoding_spec_set_pattern(spec, "(unclosed", 9));
  CHECK_STATUS(tokwise_encoding_from_bytes(data, size, spec, &enc),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK_OK(tokwise_encoding_spec_set_pattern(spec, " ?\\S+|\\s+", 9));
  CHECK_OK(tokwise_encoding_from_bytes(data, size, spec, &enc));
  CHECK_OK(tokwise_encoding_count(enc, "hello world", 11, NULL, &n));
  CHECK(n == 2);
  tokwise_encoding_free(enc);
  tokwise_encoding_spec_free(spec);
  tokwise_options_free(opts);
  free(data);
}

static void test_decode_errors(void) {
  tokwise_encoding* enc = NULL;
  /* cl100k_base has no token 100261 (between the FIM tokens and <|endofprompt|>). */
  const uint32_t ids[3] = {15339, 100261, 1917};
  char bytes[32];
  size_t len = 0;

  CHECK_OK(tokwise_encoding_get("cl100k_base", &enc));
  CHECK_STATUS(tokwise_encoding_decode(enc, ids, 3, bytes, sizeof bytes, &len),
               TOKWISE_STATUS_UNKNOWN_TOKEN);
  CHECK(tokwise_last_error_index() == 1);
  CHECK(strstr(tokwise_last_error(), "100261") != NULL);
  CHECK_STATUS(tokwise_encoding_decode_token(enc, 100261, bytes, sizeof bytes, &len),
               TOKWISE_STATUS_UNKNOWN_TOKEN);
  /* Special tokens decode to their text. */
  CHECK_OK(tokwise_encoding_decode_token(enc, 100257, bytes, sizeof bytes, &len));
  CHECK(len == 13 && memcmp(bytes, "<|endoftext|>", 13) == 0);
  tokwise_encoding_free(enc);
}

static void test_counter(void) {
  tokwise_encoding* enc = NULL;
  tokwise_counter* counter = NULL;
  size_t whole = 0;
  const char* text = "Streaming: \xe4\xb8\xad\xe6\x96\x87 and more words.";

  CHECK_OK(tokwise_encoding_get("o200k_base", &enc));
  CHECK_OK(tokwise_counter_create(enc, &counter));
  /* The counter keeps the encoding alive: the handle can go first. */
  tokwise_encoding_free(enc);
  enc = NULL;

  CHECK_OK(tokwise_counter_append(counter, "hello", 5));
  CHECK_OK(tokwise_counter_append(counter, " world", 6));
  CHECK(tokwise_counter_count(counter) == 2);
  CHECK(tokwise_counter_bytes(counter) == 11);

  /* Byte by byte, splitting UTF-8 characters: the count always equals a whole count. */
  tokwise_counter_reset(counter);
  CHECK(tokwise_counter_count(counter) == 0);
  {
    size_t i, len = strlen(text);
    for (i = 0; i < len; ++i) CHECK_OK(tokwise_counter_append(counter, text + i, 1));
    CHECK(tokwise_counter_pending_bytes(counter) == 0);
  }
  CHECK_OK(tokwise_encoding_get("o200k_base", &enc));
  CHECK_OK(tokwise_encoding_count(enc, text, strlen(text), NULL, &whole));
  CHECK(tokwise_counter_count(counter) == whole);

  /* An incomplete character is held back. */
  CHECK_OK(tokwise_counter_append(counter, "\xe4", 1));
  CHECK(tokwise_counter_pending_bytes(counter) == 1);
  CHECK(tokwise_counter_count(counter) == whole);
  /* Invalid UTF-8: the offset is in the whole stream; the counter keeps its state. */
  CHECK_STATUS(tokwise_counter_append(counter, "\xff", 1), TOKWISE_STATUS_INVALID_UTF8);
  CHECK(tokwise_last_error_byte_offset() == (int64_t)strlen(text));
  CHECK(tokwise_counter_count(counter) == whole);
  CHECK_STATUS(tokwise_counter_append(NULL, "a", 1), TOKWISE_STATUS_INVALID_ARGUMENT);
  tokwise_counter_free(counter);
  tokwise_encoding_free(enc);
}

static void test_last_error_persists(void) {
  tokwise_encoding* enc = NULL;
  size_t n = 0;
  CHECK_STATUS(tokwise_encoding_get("nope", &enc), TOKWISE_STATUS_NOT_FOUND);
  /* A successful call leaves the message of the last failure in place. */
  CHECK_OK(tokwise_encoding_get("cl100k_base", &enc));
  CHECK_OK(tokwise_encoding_count(enc, "hi", 2, NULL, &n));
  CHECK(strstr(tokwise_last_error(), "nope") != NULL);
  CHECK(tokwise_last_error_byte_offset() == -1);
  tokwise_encoding_free(enc);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s SHARED_DATA_DIR\n", argv[0]);
    return 2;
  }
  test_version();
  test_status_strings();
  test_null_handling();
  test_documented_values();
  test_buffer_protocol();
  test_special_tokens();
  test_invalid_utf8();
  test_count_until_and_batch();
  test_models();
  test_rank_files(argv[1]);
  test_decode_errors();
  test_counter();
  test_last_error_persists();
  if (g_failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  printf("all C ABI checks passed\n");
  return 0;
}
