/* capi_c_test.c: the C ABI used from C. Compiled by the C compiler as C99 with -pedantic
 * -Werror, so the header itself is checked to be plain C; linked against the shared library.
 *
 * Expected token ids come from tiktoken's public tests and README and from the OpenAI
 * Cookbook ("How to count tokens with tiktoken"); chat counts from the Cookbook (verified
 * against the API there); costs are worked out by hand from published prices (issue 5's
 * billing bugs); the research agent's 11,950 tokens are the article's own figure.
 *
 *   capi_c_test SHARED_DATA_DIR TEST_DATA_DIR */
/* mkdtemp() and nftw() for the durable ledger's temporary folder. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
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

/* A string literal as (pointer, length). */
#define LIT(s) (s), (sizeof(s) - 1)

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
  for (a = 0; a <= 11; ++a) {
    const char* s = tokwise_status_string((tokwise_status)a);
    CHECK(s != NULL && s[0] != '\0');
    CHECK(strcmp(s, "unknown status") != 0);
    for (b = 0; b < a; ++b) CHECK(strcmp(s, tokwise_status_string((tokwise_status)b)) != 0);
  }
  CHECK(strcmp(tokwise_status_string((tokwise_status)999), "unknown status") == 0);
  CHECK(strcmp(tokwise_status_string(TOKWISE_STATUS_INVALID_UTF8), "invalid UTF-8") == 0);
  CHECK(strcmp(tokwise_status_string(TOKWISE_STATUS_FAILED_PRECONDITION), "failed precondition") ==
        0);
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

  /* The same on a pool kept across batches. */
  {
    tokwise_worker_pool* pool = NULL;
    int round;
    CHECK_OK(tokwise_worker_pool_create(2, &pool));
    texts[2] = "tiktoken is great!";
    lens[2] = strlen(texts[2]);
    texts[3] = "2 + 2 = 4";
    lens[3] = strlen(texts[3]);
    for (round = 0; round < 3; ++round) {
      for (i = 0; i < 4; ++i) counts[i] = 0;
      CHECK_OK(tokwise_encoding_count_batch_pool(enc, texts, lens, 4, pool, NULL, counts));
      for (i = 0; i < 4; ++i) CHECK(counts[i] == want[i]);
    }
    texts[3] = "bad \xff";
    lens[3] = 5;
    CHECK_STATUS(tokwise_encoding_count_batch_pool(enc, texts, lens, 4, pool, NULL, counts),
                 TOKWISE_STATUS_INVALID_UTF8);
    CHECK(tokwise_last_error_index() == 3);
    CHECK_STATUS(tokwise_encoding_count_batch_pool(enc, texts, lens, 4, NULL, NULL, counts),
                 TOKWISE_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tokwise_worker_pool_create(2, NULL), TOKWISE_STATUS_INVALID_ARGUMENT);
    tokwise_worker_pool_free(pool);
    tokwise_worker_pool_free(NULL);
  }
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

/* ---- Later sections: tokenizers, chat, catalog, prices, scenarios, budgets ---------------- */

static char* path_join(const char* dir, const char* name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char* p = malloc(n);
  if (p != NULL) sprintf(p, "%s/%s", dir, name);
  return p;
}

/* Reads dir/name; NULL (and a failure) if it cannot. */
static char* read_data(const char* dir, const char* name, size_t* size) {
  char* path = path_join(dir, name);
  char* data = path == NULL ? NULL : read_file(path, size);
  if (data == NULL) {
    fprintf(stderr, "cannot read %s/%s\n", dir, name);
    ++g_failures;
  }
  free(path);
  return data;
}

static void test_new_null_handling(void) {
  uint64_t n = 7;
  tokwise_chat_count* count = NULL;
  /* Free functions accept NULL; getters on NULL give neutral values. */
  tokwise_tokenizer_free(NULL);
  tokwise_chat_options_free(NULL);
  tokwise_chat_cache_free(NULL);
  tokwise_chat_count_free(NULL);
  tokwise_catalog_free(NULL);
  tokwise_model_free(NULL);
  tokwise_usage_free(NULL);
  tokwise_scenario_free(NULL);
  tokwise_eval_options_free(NULL);
  tokwise_scenario_result_free(NULL);
  tokwise_ledger_options_free(NULL);
  tokwise_ledger_free(NULL);
  tokwise_preflight_request_free(NULL);
  tokwise_decision_free(NULL);
  tokwise_usage_record_free(NULL);
  CHECK(tokwise_chat_count_total(NULL) == 0);
  CHECK(strcmp(tokwise_chat_count_model(NULL), "") == 0);
  CHECK(tokwise_chat_count_note(NULL, 0) == NULL);
  CHECK(strcmp(tokwise_model_id(NULL), "") == 0);
  CHECK(tokwise_model_price(NULL, TOKWISE_PRICE_INPUT) == TOKWISE_PRICE_NOT_OFFERED);
  CHECK(tokwise_usage_get(NULL, TOKWISE_BUCKET_OUTPUT) == 0);
  CHECK(tokwise_scenario_result_step(NULL, 0, TOKWISE_STEP_INPUT) == -1);
  CHECK(tokwise_decision_allowed(NULL) == 0);
  CHECK(tokwise_decision_reservation(NULL) == 0);
  CHECK(tokwise_usage_record_scope(NULL, 0) == NULL);
  CHECK(strcmp(tokwise_exactness_name((tokwise_exactness)9), "unknown") == 0);
  CHECK(strcmp(tokwise_decision_code_name((tokwise_decision_code)99), "unknown") == 0);
  CHECK(strcmp(tokwise_decision_code_name(TOKWISE_DECISION_BUDGET_EXCEEDED), "budget_exceeded") ==
        0);
  /* NULL required parameters: INVALID_ARGUMENT, outputs untouched. */
  CHECK_STATUS(tokwise_chat_count_request(NULL, 5, NULL, &count), TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(count == NULL);
  CHECK_STATUS(tokwise_tokenizer_count(NULL, "a", 1, NULL, &n, NULL, NULL, NULL),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(n == 7);
  CHECK_STATUS(tokwise_ledger_preflight(NULL, NULL, NULL), TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(tokwise_price_usage(NULL, NULL, 0, NULL, NULL, 0), TOKWISE_STATUS_INVALID_ARGUMENT);
}

static void test_tokenizers(const char* shared) {
  /* The first line of corpus/code_go_strings.go; goldens from sentencepiece (Llama 2) and
   * Hugging Face tokenizers (Llama 3) in the shared data's oracle/ *.lines.jsonl. */
  static const char line[] = "// Copyright 2009 The Go Authors. All rights reserved.";
  static const uint32_t llama2_ids[] = {849,  14187, 1266, 29871, 29906, 29900, 29900, 29929, 450,
                                        2921, 13189, 943,  29889, 2178,  10462, 21676, 29889};
  tokwise_tokenizer* tok = NULL;
  tokwise_options* opts = NULL;
  uint64_t n = 0, low = 0, high = 0;
  tokwise_exactness e = TOKWISE_EXACTNESS_ESTIMATE;
  uint32_t ids[64];
  size_t n_ids = 0;
  char* path = path_join(shared, "vocab/spm/llama2_tokenizer.model");
  char* vocab = path_join(shared, "vocab");
  char* search = path_join("/nonexistent-tokwise-dir:", vocab);

  CHECK_OK(tokwise_tokenizer_from_file(path, &tok));
  CHECK_OK(tokwise_tokenizer_count(tok, line, strlen(line), NULL, &n, &e, &low, &high));
  CHECK(n == 17 && e == TOKWISE_EXACTNESS_EXACT && low == 17 && high == 17);
  CHECK_OK(tokwise_tokenizer_encode(tok, line, strlen(line), NULL, ids, 64, &n_ids));
  CHECK(ids_equal(ids, n_ids, llama2_ids, 17));
  /* Llama's BOS, when asked for. */
  CHECK_OK(tokwise_options_create(&opts));
  CHECK_OK(tokwise_options_set_add_special_tokens(opts, 1));
  CHECK_OK(tokwise_tokenizer_count(tok, line, strlen(line), opts, &n, NULL, NULL, NULL));
  CHECK(n == 18);
  /* Per-token policies do not apply to tokenizers: an error, not a silently different count. */
  CHECK_OK(tokwise_options_set_special_token(opts, "<s>", 3, TOKWISE_SPECIAL_RECOGNIZE));
  CHECK_STATUS(tokwise_tokenizer_count(tok, line, strlen(line), opts, &n, NULL, NULL, NULL),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  tokwise_options_free(opts);
  tokwise_tokenizer_free(tok);
  tok = NULL;

  /* Through the registry: found under the second search folder. */
  CHECK_OK(tokwise_tokenizer_for_model("meta-llama/Llama-2-7b-chat-hf", search, &tok));
  CHECK(strncmp(tokwise_tokenizer_name(tok), "spm:", 4) == 0);
  CHECK_OK(tokwise_tokenizer_count(tok, line, strlen(line), NULL, &n, NULL, NULL, NULL));
  CHECK(n == 17);
  tokwise_tokenizer_free(tok);
  tok = NULL;
  /* Without a search path the file is not found, and the message says where it looked. */
  CHECK_STATUS(tokwise_tokenizer_for_model("meta-llama/Llama-2-7b-chat-hf", NULL, &tok),
               TOKWISE_STATUS_NOT_FOUND);
  CHECK(tok == NULL);

  /* Claude 3 and later: an estimate with its range; its ids are not known. */
  CHECK_OK(tokwise_tokenizer_for_model("claude-3-5-sonnet-20241022", NULL, &tok));
  CHECK(tokwise_tokenizer_exactness(tok) == TOKWISE_EXACTNESS_ESTIMATE);
  CHECK_OK(tokwise_tokenizer_count(tok, line, strlen(line), NULL, &n, &e, &low, &high));
  CHECK(e == TOKWISE_EXACTNESS_ESTIMATE && low <= n && n <= high && low < high);
  CHECK_STATUS(tokwise_tokenizer_encode(tok, line, strlen(line), NULL, ids, 64, &n_ids),
               TOKWISE_STATUS_FAILED_PRECONDITION);
  tokwise_tokenizer_free(tok);
  tok = NULL;

  CHECK_STATUS(tokwise_tokenizer_from_file("/nonexistent/tokenizer.json", &tok), TOKWISE_STATUS_IO);
  CHECK(strstr(tokwise_last_error(), "/nonexistent/tokenizer.json") != NULL);
  free(path);
  free(vocab);
  free(search);
}

static void test_chat(const char* testdata) {
  static const char hello[] = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello world\"}]}";
  tokwise_chat_options* opts = NULL;
  tokwise_chat_cache* cache = NULL;
  tokwise_chat_count* c = NULL;
  size_t size = 0;
  uint64_t sum = 0;
  int k;
  char* cookbook = read_data(testdata, "chat/cookbook_six_messages.json", &size);
  if (cookbook == NULL) return;

  /* The cookbook's six messages: 124 for gpt-4o (o200k_base), 129 for gpt-4 (cl100k_base),
   * both verified against the API in "How to count tokens with tiktoken". */
  CHECK_OK(tokwise_chat_count_request(cookbook, size, NULL, &c)); /* the body says gpt-4o */
  CHECK(tokwise_chat_count_total(c) == 124);
  CHECK(tokwise_chat_count_exactness(c) == TOKWISE_EXACTNESS_EXACT);
  CHECK(strcmp(tokwise_chat_count_encoding(c), "o200k_base") == 0);
  CHECK(strcmp(tokwise_chat_count_provider(c), "openai") == 0);
  CHECK(tokwise_chat_count_max_output_tokens(c) == 1);
  CHECK(tokwise_chat_count_message_count(c) == 6);
  /* The kinds add up to the total: five system messages, one user message, framing. */
  for (k = 0; tokwise_count_kind_name((tokwise_count_kind)k) != NULL; ++k) {
    sum += tokwise_chat_count_of_kind(c, (tokwise_count_kind)k);
  }
  CHECK(k == 9);
  CHECK(sum == 124);
  CHECK(tokwise_chat_count_of_kind(c, TOKWISE_COUNT_KIND_SYSTEM) > 0);
  CHECK(tokwise_chat_count_of_kind(c, TOKWISE_COUNT_KIND_USER) > 0);
  CHECK(tokwise_chat_count_of_kind(c, TOKWISE_COUNT_KIND_IMAGES) == 0);
  CHECK(tokwise_chat_count_of_kind(c, (tokwise_count_kind)99) == 0);
  CHECK(strcmp(tokwise_count_kind_name(TOKWISE_COUNT_KIND_TOOL_DEFINITIONS), "tool_definitions") ==
        0);
  tokwise_chat_count_free(c);
  c = NULL;

  CHECK_OK(tokwise_chat_options_create(&opts));
  CHECK_OK(tokwise_chat_options_set_model(opts, "gpt-4"));
  CHECK_OK(tokwise_chat_cache_create(0, &cache));
  CHECK_OK(tokwise_chat_options_set_cache(opts, cache));
  tokwise_chat_cache_free(cache); /* the options keep it alive */
  CHECK_OK(tokwise_chat_count_request(cookbook, size, opts, &c));
  CHECK(tokwise_chat_count_total(c) == 129);
  CHECK(strcmp(tokwise_chat_count_model(c), "gpt-4") == 0);
  CHECK(strcmp(tokwise_chat_count_encoding(c), "cl100k_base") == 0);
  tokwise_chat_count_free(c);
  c = NULL;

  /* [{"role":"user","content":"Hello world"}] is 9 tokens on gpt-4o: 2 of text, 3 per
   * message, 1 for the role, 3 priming the reply. */
  CHECK_OK(tokwise_chat_options_set_model(opts, "gpt-4o"));
  CHECK_OK(tokwise_chat_count_request(hello, strlen(hello), opts, &c));
  CHECK(tokwise_chat_count_total(c) == 9);
  CHECK(tokwise_chat_count_of_kind(c, TOKWISE_COUNT_KIND_USER) == 2);
  CHECK(tokwise_chat_count_of_kind(c, TOKWISE_COUNT_KIND_FRAMING) == 7);
  CHECK(tokwise_chat_count_max_output_tokens(c) == -1);
  tokwise_chat_count_free(c);
  c = NULL;

  /* Claude: no public tokenizer, so an estimate, with a note saying why. */
  CHECK_OK(tokwise_chat_options_set_model(opts, "claude-sonnet-4-5"));
  CHECK_OK(tokwise_chat_count_request(hello, strlen(hello), opts, &c));
  CHECK(tokwise_chat_count_exactness(c) == TOKWISE_EXACTNESS_ESTIMATE);
  CHECK(strcmp(tokwise_chat_count_provider(c), "anthropic") == 0);
  CHECK(tokwise_chat_count_note_count(c) >= 1);
  CHECK(tokwise_chat_count_note(c, 0) != NULL && strlen(tokwise_chat_count_note(c, 0)) > 0);
  CHECK(tokwise_chat_count_note(c, 1000) == NULL);
  tokwise_chat_count_free(c);
  c = NULL;

  /* Errors name what is wrong. */
  CHECK_OK(tokwise_chat_options_set_model(opts, "gpt-9-nonexistent"));
  CHECK_STATUS(tokwise_chat_count_request(hello, strlen(hello), opts, &c),
               TOKWISE_STATUS_NOT_FOUND);
  CHECK(strstr(tokwise_last_error(), "gpt-9-nonexistent") != NULL);
  CHECK_STATUS(tokwise_chat_count_request(hello, strlen(hello), NULL, &c),
               TOKWISE_STATUS_INVALID_ARGUMENT); /* no model anywhere */
  CHECK_OK(tokwise_chat_options_set_model(opts, "gpt-4o"));
  {
    static const char bad[] = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":7}]}]}";
    CHECK_STATUS(tokwise_chat_count_request(bad, strlen(bad), opts, &c),
                 TOKWISE_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(tokwise_last_error(), "messages[0].content[0].type") != NULL);
  }
  CHECK(c == NULL);
  CHECK_STATUS(tokwise_chat_options_set_anthropic_text_factor(opts, 0.0),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  tokwise_chat_options_free(opts);
  free(cookbook);
}

static void test_catalog(void) {
  tokwise_catalog* catalog = NULL;
  tokwise_model* m = NULL;
  int fits = -1;
  uint64_t largest = 0;
  size_t i, n;

  CHECK_OK(tokwise_catalog_default(&catalog));
  CHECK(tokwise_catalog_size(catalog) > 10);
  /* gpt-4o as OpenAI publishes it: 128,000 window, 16,384 max output; $2.50 / $10.00 per M,
   * $1.25 cached; batch half price. Found under a provider prefix and a dated snapshot. */
  CHECK_OK(tokwise_catalog_find(catalog, "openai/gpt-4o-2024-08-06", &m));
  tokwise_catalog_free(catalog); /* the model keeps it alive */
  CHECK(strcmp(tokwise_model_id(m), "gpt-4o") == 0);
  CHECK(strcmp(tokwise_model_provider(m), "openai") == 0);
  CHECK(strcmp(tokwise_model_tokenizer(m), "o200k_base") == 0);
  CHECK(strncmp(tokwise_model_source(m), "https://", 8) == 0);
  CHECK(tokwise_model_context_window(m) == 128000);
  CHECK(tokwise_model_max_output(m) == 16384);
  CHECK(tokwise_model_price(m, TOKWISE_PRICE_INPUT) == 2500000);
  CHECK(tokwise_model_price(m, TOKWISE_PRICE_OUTPUT) == 10000000);
  CHECK(tokwise_model_price(m, TOKWISE_PRICE_CACHE_READ) == 1250000);
  CHECK(tokwise_model_price(m, TOKWISE_PRICE_CACHE_WRITE_5M) == TOKWISE_PRICE_NOT_OFFERED);
  CHECK(tokwise_model_price(m, TOKWISE_PRICE_BATCH_INPUT) == 1250000);
  /* pricing.h's example: 120,000 input leaves 8,000 of the window; 16,000 does not fit. */
  CHECK_OK(tokwise_model_check_window(m, 120000, 16000, &fits, &largest));
  CHECK(fits == 0 && largest == 8000);
  CHECK_OK(tokwise_model_check_window(m, 1, 16384, &fits, &largest));
  CHECK(fits == 1 && largest == 16384);
  tokwise_model_free(m);
  m = NULL;

  CHECK_STATUS(tokwise_catalog_find(NULL, "ft:gpt-4o-mini:org::id", &m), TOKWISE_STATUS_NOT_FOUND);
  CHECK_STATUS(tokwise_catalog_find(NULL, "no-such-model", &m), TOKWISE_STATUS_NOT_FOUND);
  CHECK(m == NULL);

  /* A catalog of one's own, alone or laid over the default one. */
  {
    static const char json[] =
        "{\"models\": [{\"id\": \"my-model\", \"provider\": \"x\", \"tokenizer\": \"o200k_base\","
        " \"context_window\": 1000, \"max_output\": 100,"
        " \"prices\": {\"input\": \"1.40\", \"output\": \"4.40\"}, \"source\": \"mine\"}]}";
    CHECK_OK(
        tokwise_catalog_from_json(json, strlen(json), TOKWISE_CATALOG_FORMAT_TOKWISE, 0, &catalog));
    CHECK(tokwise_catalog_size(catalog) == 1);
    n = tokwise_catalog_size(catalog);
    for (i = 0; i < n; ++i) {
      CHECK_OK(tokwise_catalog_model_at(catalog, i, &m));
      CHECK(strcmp(tokwise_model_id(m), "my-model") == 0);
      CHECK(tokwise_model_price(m, TOKWISE_PRICE_INPUT) == 1400000);
      tokwise_model_free(m);
    }
    CHECK_STATUS(tokwise_catalog_model_at(catalog, n, &m), TOKWISE_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tokwise_catalog_find(catalog, "gpt-4o", &m), TOKWISE_STATUS_NOT_FOUND);
    tokwise_catalog_free(catalog);
    CHECK_OK(
        tokwise_catalog_from_json(json, strlen(json), TOKWISE_CATALOG_FORMAT_TOKWISE, 1, &catalog));
    CHECK_OK(tokwise_catalog_find(catalog, "gpt-4o", &m));
    tokwise_model_free(m);
    CHECK_OK(tokwise_catalog_find(catalog, "my-model", &m));
    tokwise_model_free(m);
    tokwise_catalog_free(catalog);
  }
  /* LiteLLM's form: USD per token, converted exactly. */
  {
    static const char json[] =
        "{\"their-model\": {\"input_cost_per_token\": 2.5e-06, \"output_cost_per_token\": 1e-05,"
        " \"litellm_provider\": \"openai\", \"max_input_tokens\": 128000,"
        " \"max_output_tokens\": 16384, \"mode\": \"chat\"}}";
    CHECK_OK(
        tokwise_catalog_from_json(json, strlen(json), TOKWISE_CATALOG_FORMAT_LITELLM, 0, &catalog));
    CHECK_OK(tokwise_catalog_find(catalog, "their-model", &m));
    CHECK(tokwise_model_price(m, TOKWISE_PRICE_INPUT) == 2500000);
    CHECK(tokwise_model_price(m, TOKWISE_PRICE_OUTPUT) == 10000000);
    tokwise_model_free(m);
    tokwise_catalog_free(catalog);
  }
  /* Errors name the JSON path, and the file. */
  CHECK_STATUS(tokwise_catalog_from_json(LIT("{\"models\": [{\"id\": 5}]}"),
                                         TOKWISE_CATALOG_FORMAT_TOKWISE, 0, &catalog),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(strstr(tokwise_last_error(), "$.models[0]") != NULL);
  CHECK_STATUS(tokwise_catalog_from_file("/nonexistent/catalog.json",
                                         TOKWISE_CATALOG_FORMAT_TOKWISE, 1, &catalog),
               TOKWISE_STATUS_IO);
  CHECK(strstr(tokwise_last_error(), "/nonexistent/catalog.json") != NULL);
}

/* Normalizes `usage_json`, prices it on `m` and checks the exact cost and its text. */
static void check_price(const tokwise_model* m, const char* usage_json, int64_t want_pico,
                        const char* want_usd) {
  tokwise_usage* usage = NULL;
  int64_t total = -1;
  char text[32];
  size_t len = 0;
  CHECK_OK(
      tokwise_usage_normalize(usage_json, strlen(usage_json), TOKWISE_USAGE_FORMAT_AUTO, &usage));
  CHECK_OK(tokwise_price_usage(m, usage, 0, &total, NULL, 0));
  CHECK(total == want_pico);
  CHECK_OK(tokwise_format_usd(total, 2, text, sizeof text, &len));
  CHECK(strcmp(text, want_usd) == 0 && len == strlen(want_usd));
  if (strcmp(text, want_usd) != 0) fprintf(stderr, "  got %s, want %s\n", text, want_usd);
  tokwise_usage_free(usage);
}

static void test_prices(void) {
  tokwise_model* gpt4o = NULL;
  tokwise_model* opus = NULL;
  tokwise_model* report = NULL;
  tokwise_catalog* catalog = NULL;
  tokwise_usage* usage = NULL;
  int64_t by_bucket[10];
  int64_t total = 0;
  char text[32];
  size_t len = 0, i;
  static const char report_json[] =
      "{\"models\": [{\"id\": \"report-model\", \"provider\": \"x\", \"tokenizer\": \"o200k_base\","
      " \"context_window\": 128000, \"max_output\": 128000, \"prices\": {\"input\": \"1.40\","
      " \"output\": \"4.40\", \"cache_read\": \"0.26\"}, \"source\": \"issue 5\"}]}";

  CHECK_OK(tokwise_catalog_find(NULL, "gpt-4o", &gpt4o));
  CHECK_OK(tokwise_catalog_find(NULL, "claude-opus-4-5", &opus));
  CHECK_OK(tokwise_catalog_from_json(report_json, strlen(report_json),
                                     TOKWISE_CATALOG_FORMAT_TOKWISE, 0, &catalog));
  CHECK_OK(tokwise_catalog_find(catalog, "report-model", &report));
  tokwise_catalog_free(catalog);

  /* Issue 5, the three billing bugs, priced right:
   * 1. OpenAI cached tokens are inside prompt_tokens: 86 x $2.50 + 1920 x $1.25 + 300 x $10
   *    per M = $0.005615 (the bug charged the 1920 twice). */
  check_price(gpt4o,
              "{\"usage\": {\"prompt_tokens\": 2006, \"completion_tokens\": 300,"
              " \"prompt_tokens_details\": {\"cached_tokens\": 1920}}}",
              5615000000LL, "0.005615");
  /* 2. The provider's cache discount: 1 x $1.40 + 27146 x $0.26 + 351 x $4.40 per M
   *    = $0.00860376. */
  check_price(report,
              "{\"prompt_tokens\": 27147, \"completion_tokens\": 351,"
              " \"prompt_tokens_details\": {\"cached_tokens\": 27146}}",
              8603760000LL, "0.00860376");
  /* 3. Anthropic cache writes beside input_tokens: 6 x $5 + 159217 x $6.25 + 2745 x $25 per
   *    M = $1.06376125. */
  check_price(opus,
              "{\"input_tokens\": 6, \"cache_creation_input_tokens\": 159217,"
              " \"cache_read_input_tokens\": 0, \"cache_creation\": {\"ephemeral_5m_input_tokens\":"
              " 159217, \"ephemeral_1h_input_tokens\": 0}, \"output_tokens\": 2745}",
              1063761250000LL, "1.06376125");

  /* The buckets of case 1, and the cost of each. */
  CHECK_OK(tokwise_usage_normalize(LIT("{\"prompt_tokens\": 2006, \"completion_tokens\": 300,"
                                       " \"prompt_tokens_details\": {\"cached_tokens\": 1920}}"),
                                   TOKWISE_USAGE_FORMAT_OPENAI_CHAT, &usage));
  CHECK(tokwise_usage_get_format(usage) == TOKWISE_USAGE_FORMAT_OPENAI_CHAT);
  CHECK(tokwise_usage_get(usage, TOKWISE_BUCKET_UNCACHED_INPUT) == 86);
  CHECK(tokwise_usage_get(usage, TOKWISE_BUCKET_CACHE_READ) == 1920);
  CHECK(tokwise_usage_get(usage, TOKWISE_BUCKET_OUTPUT) == 300);
  for (i = 0; i < 10; ++i) by_bucket[i] = -7;
  CHECK_OK(tokwise_price_usage(gpt4o, usage, 0, &total, by_bucket, 10));
  CHECK(by_bucket[TOKWISE_BUCKET_UNCACHED_INPUT] == 215000000LL);
  CHECK(by_bucket[TOKWISE_BUCKET_CACHE_READ] == 2400000000LL);
  CHECK(by_bucket[TOKWISE_BUCKET_OUTPUT] == 3000000000LL);
  CHECK(by_bucket[TOKWISE_BUCKET_REASONING] == 0 && by_bucket[9] == 0);
  /* Batch: the Batch API's half prices, the cached part at half its price too. */
  CHECK_OK(tokwise_price_usage(gpt4o, usage, TOKWISE_PRICE_FLAG_BATCH, &total, NULL, 0));
  CHECK(total == 2807500000LL);
  CHECK_STATUS(tokwise_price_usage(gpt4o, usage, 0x80, &total, NULL, 0),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  /* A bucket the model does not price is refused, naming it: never priced at 0. */
  CHECK_OK(tokwise_usage_set(usage, TOKWISE_BUCKET_CACHE_WRITE_5M, 100));
  CHECK_STATUS(tokwise_price_usage(gpt4o, usage, 0, &total, NULL, 0),
               TOKWISE_STATUS_FAILED_PRECONDITION);
  CHECK(strstr(tokwise_last_error(), "cache") != NULL);
  CHECK_OK(tokwise_usage_set(usage, TOKWISE_BUCKET_CACHE_WRITE_5M, 0));
  CHECK_OK(tokwise_usage_set(usage, TOKWISE_BUCKET_REASONING, 301));
  CHECK_STATUS(tokwise_price_usage(gpt4o, usage, 0, &total, NULL, 0),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(tokwise_usage_set(usage, (tokwise_bucket)42, 1), TOKWISE_STATUS_INVALID_ARGUMENT);
  tokwise_usage_free(usage);

  /* Before the call: 1,000 input + 100 output on gpt-4o = $0.0025 + $0.001 = $0.0035. */
  CHECK_OK(tokwise_price_before_call(gpt4o, 1000, 100, 0, &total));
  CHECK(total == 3500000000LL);

  /* Usage errors name the JSON path. */
  CHECK_STATUS(tokwise_usage_normalize(LIT("{\"prompt_tokens\": -1, \"completion_tokens\": 3}"),
                                       TOKWISE_USAGE_FORMAT_AUTO, &usage),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(strstr(tokwise_last_error(), "prompt_tokens") != NULL);

  /* The formatter's buffer protocol. */
  CHECK_STATUS(tokwise_format_usd(1063761250000LL, 2, text, 10, &len),
               TOKWISE_STATUS_BUFFER_TOO_SMALL);
  CHECK(len == 10); /* "1.06376125": 11 bytes with the NUL */
  CHECK_OK(tokwise_format_usd(2000000000000LL, 2, text, 11, &len));
  CHECK(strcmp(text, "2.00") == 0);
  CHECK_OK(tokwise_format_usd(-5615000000LL, 0, text, sizeof text, &len));
  CHECK(strcmp(text, "-0.005615") == 0);
  CHECK_STATUS(tokwise_format_usd(1, 13, text, sizeof text, &len), TOKWISE_STATUS_INVALID_ARGUMENT);

  tokwise_model_free(gpt4o);
  tokwise_model_free(opus);
  tokwise_model_free(report);
}

static void test_scenarios(const char* testdata) {
  /* The article's 5-step research agent: steps of 550, 1,200, 2,100, 3,300 and 4,800 tokens,
   * each re-sending the previous: 11,950 tokens, 21.7 times the 550-token direct answer. */
  static const int64_t step_total[5] = {550, 1200, 2100, 3300, 4800};
  tokwise_scenario* s = NULL;
  tokwise_scenario_result* r = NULL;
  tokwise_model* m = NULL;
  tokwise_eval_options* opts = NULL;
  size_t i, n, size = 0, len = 0;
  int found = 0;
  char* spec;
  char* json;

  n = tokwise_scenario_preset_count();
  for (i = 0; i < n; ++i) {
    if (strcmp(tokwise_scenario_preset_name(i), "research-agent") == 0) found = 1;
    CHECK(strlen(tokwise_scenario_preset_summary(i)) > 0);
  }
  CHECK(found);
  CHECK(tokwise_scenario_preset_name(n) == NULL);

  CHECK_OK(tokwise_scenario_preset("research-agent", &s));
  CHECK_OK(tokwise_catalog_find(NULL, "claude-sonnet-4-5", &m));
  CHECK_OK(tokwise_eval_options_create(&opts));
  CHECK_OK(tokwise_eval_options_set_cache_mode(opts, TOKWISE_CACHE_OFF));
  CHECK_OK(tokwise_scenario_evaluate(s, m, opts, &r));
  CHECK(tokwise_scenario_result_total_tokens(r) == 11950);
  CHECK(tokwise_scenario_result_direct_answer_tokens(r) == 550);
  CHECK((int)(tokwise_scenario_result_multiplier(r) * 10 + 0.5) == 217);
  CHECK(tokwise_scenario_result_step_count(r) == 5);
  for (i = 0; i < 5; ++i) {
    CHECK(tokwise_scenario_result_step(r, i, TOKWISE_STEP_INPUT) +
              tokwise_scenario_result_step(r, i, TOKWISE_STEP_OUTPUT) ==
          step_total[i]);
    CHECK(tokwise_scenario_result_step(r, i, TOKWISE_STEP_RESENT) ==
          (i == 0 ? 0 : step_total[i - 1]));
  }
  CHECK(tokwise_scenario_result_step(r, 4, TOKWISE_STEP_CUMULATIVE_TOKENS) == 11950);
  CHECK(tokwise_scenario_result_step(r, 5, TOKWISE_STEP_INPUT) == -1);
  CHECK(tokwise_scenario_result_step(r, 0, (tokwise_step_field)99) == -1);
  /* Without caching every input token is uncached: the cost is exactly input x $3 + output x
   * $15 per M, and the steps' costs add up to it. */
  CHECK(tokwise_scenario_result_cost(r) ==
        (int64_t)tokwise_scenario_result_input_tokens(r) * 3000000 +
            (int64_t)tokwise_scenario_result_output_tokens(r) * 15000000);
  CHECK(tokwise_scenario_result_step(r, 4, TOKWISE_STEP_CUMULATIVE_COST) ==
        tokwise_scenario_result_cost(r));
  CHECK(strcmp(tokwise_scenario_result_cache_mode(r), "off") == 0);
  CHECK_STATUS(tokwise_scenario_result_to_json(r, NULL, 0, &len), TOKWISE_STATUS_BUFFER_TOO_SMALL);
  json = malloc(len + 1);
  CHECK_OK(tokwise_scenario_result_to_json(r, json, len + 1, &len));
  CHECK(json[0] == '{' && strstr(json, "\"cost_pico\"") != NULL);
  free(json);
  tokwise_scenario_result_free(r);
  r = NULL;
  tokwise_scenario_free(s);
  s = NULL;

  /* The same agent as a JSON spec naming its own model and cache mode. */
  spec = read_data(testdata, "scenarios/research_agent.json", &size);
  if (spec != NULL) {
    CHECK_OK(tokwise_scenario_from_json(spec, size, &s));
    CHECK(strcmp(tokwise_scenario_model(s), "claude-sonnet-4-5") == 0);
    CHECK_OK(tokwise_scenario_evaluate(s, NULL, NULL, &r));
    CHECK(tokwise_scenario_result_total_tokens(r) == 11950);
    CHECK(strcmp(tokwise_scenario_result_cache_mode(r), "5m") == 0);
    /* The second call (1,177 tokens, above Claude's 1,024-token minimum) writes its prompt to
     * the cache; the third reads exactly that back. */
    CHECK(tokwise_scenario_result_step(r, 1, TOKWISE_STEP_CACHE_WRITE_5M) ==
          tokwise_scenario_result_step(r, 1, TOKWISE_STEP_INPUT));
    CHECK(tokwise_scenario_result_step(r, 2, TOKWISE_STEP_CACHE_READ) ==
          tokwise_scenario_result_step(r, 1, TOKWISE_STEP_INPUT));
    tokwise_scenario_result_free(r);
    r = NULL;
    tokwise_scenario_free(s);
    s = NULL;
    free(spec);
  }

  CHECK_STATUS(tokwise_scenario_preset("no-such-preset", &s), TOKWISE_STATUS_NOT_FOUND);
  CHECK(strstr(tokwise_last_error(), "research-agent") != NULL);
  CHECK_STATUS(tokwise_scenario_from_json(
                   LIT("{\"type\": \"agent\", \"steps\": [{\"tool_reslt\": 1}]}"), &s),
               TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(strstr(tokwise_last_error(), "$.steps[0].tool_reslt") != NULL);
  /* A preset names no model: one must be given. */
  CHECK_OK(tokwise_scenario_preset("single-call", &s));
  CHECK_STATUS(tokwise_scenario_evaluate(s, NULL, NULL, &r), TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK_OK(tokwise_scenario_evaluate(s, m, NULL, &r));
  CHECK(tokwise_scenario_result_total_tokens(r) == 550);
  tokwise_scenario_result_free(r);
  tokwise_scenario_free(s);
  tokwise_eval_options_free(opts);
  tokwise_model_free(m);
}

/* The on-commit callback: counts records and sums their costs. */
struct commit_tally {
  int calls;
  int64_t cost;
  tokwise_usage_record* kept;
};

static void on_commit(const tokwise_usage_record* record, void* user_data) {
  struct commit_tally* t = (struct commit_tally*)user_data;
  ++t->calls;
  t->cost += tokwise_usage_record_cost(record);
  if (t->kept == NULL) CHECK_OK(tokwise_usage_record_copy(record, &t->kept));
}

static void test_budget(const char* testdata) {
  /* 2025-01-31T12:00:00Z and the next midnight, in Unix microseconds. */
  const int64_t noon = 1738324800LL * 1000000, midnight = 1738368000LL * 1000000;
  /* $0.0005 a day per user. The cookbook request on gpt-4o is 124 input tokens and asks for
   * max_tokens 1: 124 x $2.50 + 1 x $10 per M = $0.00032. One fits in the day's budget, two
   * do not: of three calls, the first is admitted and the other two are denied. */
  static const char budgets[] =
      "{\"budgets\": [{\"scope\": \"user:*\", \"usd_per_day\": \"0.0005\"}]}";
  tokwise_ledger_options* lo = NULL;
  tokwise_ledger* ledger = NULL;
  tokwise_preflight_request* req = NULL;
  tokwise_decision* d[3] = {NULL, NULL, NULL};
  tokwise_usage* usage = NULL;
  tokwise_usage_record* rec = NULL;
  struct commit_tally tally = {0, 0, NULL};
  int64_t used = -1, reserved = -1;
  size_t size = 0, len = 0;
  int i;
  char json[4096];
  char* body = read_data(testdata, "chat/cookbook_six_messages.json", &size);
  if (body == NULL) return;

  CHECK_OK(tokwise_ledger_options_create(&lo));
  CHECK_OK(tokwise_ledger_options_set_manual_clock(lo, noon));
  CHECK_OK(tokwise_ledger_options_set_on_commit(lo, on_commit, &tally));
  CHECK_OK(tokwise_ledger_open(budgets, strlen(budgets), lo, &ledger));
  tokwise_ledger_options_free(lo);
  CHECK(strcmp(tokwise_ledger_recovery_problem(ledger), "") == 0);

  CHECK_OK(tokwise_preflight_request_create(&req));
  CHECK_OK(tokwise_preflight_request_add_scope(req, "user:alice"));
  CHECK_OK(tokwise_preflight_request_set_step(req, 3));
  CHECK_OK(tokwise_preflight_request_set_conversation_id(req, "conv-1"));
  for (i = 0; i < 3; ++i) {
    CHECK_OK(tokwise_ledger_preflight_chat(ledger, body, size, NULL, req, &d[i]));
  }
  CHECK(tokwise_decision_allowed(d[0]) == 1);
  CHECK(tokwise_decision_get_code(d[0]) == TOKWISE_DECISION_ALLOWED);
  CHECK(tokwise_decision_input_tokens(d[0]) == 124);
  CHECK(tokwise_decision_input_exactness(d[0]) == TOKWISE_EXACTNESS_EXACT);
  CHECK(tokwise_decision_reserved_output_tokens(d[0]) == 1);
  CHECK(tokwise_decision_projected_cost(d[0]) == 320000000LL);
  CHECK(tokwise_decision_cost_known(d[0]) == 1);
  CHECK(tokwise_decision_reservation(d[0]) != 0);
  CHECK(tokwise_decision_expires_at_us(d[0]) > noon);
  for (i = 1; i < 3; ++i) {
    CHECK(tokwise_decision_allowed(d[i]) == 0);
    CHECK(tokwise_decision_get_code(d[i]) == TOKWISE_DECISION_BUDGET_EXCEEDED);
    CHECK(tokwise_decision_reservation(d[i]) == 0);
    CHECK(strstr(tokwise_decision_message(d[i]), "user:alice") != NULL);
    /* A day limit reopens at the next midnight UTC. */
    CHECK(tokwise_decision_retry_at_us(d[i]) == midnight);
  }
  CHECK_OK(tokwise_decision_to_json(d[1], json, sizeof json, &len));
  CHECK(strstr(json, "\"allowed\":false") != NULL && strstr(json, "user:alice") != NULL);
  CHECK_OK(tokwise_ledger_scope_usage(ledger, "user:alice", TOKWISE_WINDOW_DAY, TOKWISE_METRIC_COST,
                                      &used, &reserved));
  CHECK(used == 0 && reserved == 320000000LL);

  /* The provider billed 124 + 1 tokens: the reservation becomes spend. */
  CHECK_OK(tokwise_usage_normalize(LIT("{\"prompt_tokens\": 124, \"completion_tokens\": 1}"),
                                   TOKWISE_USAGE_FORMAT_AUTO, &usage));
  CHECK_OK(tokwise_ledger_commit(ledger, tokwise_decision_reservation(d[0]), usage, NULL, &rec));
  CHECK(tokwise_usage_record_seq(rec) == 1);
  CHECK(tokwise_usage_record_cost(rec) == 320000000LL);
  CHECK(tokwise_usage_record_cost_known(rec) == 1);
  CHECK(strcmp(tokwise_usage_record_model(rec), "gpt-4o") == 0);
  CHECK(strcmp(tokwise_usage_record_provider(rec), "openai") == 0);
  CHECK(strcmp(tokwise_usage_record_conversation_id(rec), "conv-1") == 0);
  CHECK(tokwise_usage_record_step(rec) == 3);
  CHECK(tokwise_usage_record_admitted_at_us(rec) == noon);
  CHECK(tokwise_usage_record_tokens(rec, TOKWISE_BUCKET_UNCACHED_INPUT) == 124);
  CHECK(tokwise_usage_record_tokens(rec, TOKWISE_BUCKET_OUTPUT) == 1);
  CHECK(tokwise_usage_record_scope_count(rec) == 2); /* user:alice and model:gpt-4o */
  CHECK(tokwise_usage_record_late(rec) == 0);
  tokwise_usage_record_free(rec);
  rec = NULL;
  CHECK(tally.calls == 1 && tally.cost == 320000000LL);
  CHECK(tally.kept != NULL && tokwise_usage_record_seq(tally.kept) == 1);
  tokwise_usage_record_free(tally.kept);
  tally.kept = NULL;
  /* Committing twice, or committing a denial, is NOT_FOUND. */
  CHECK_STATUS(tokwise_ledger_commit(ledger, tokwise_decision_reservation(d[0]), usage, NULL, NULL),
               TOKWISE_STATUS_NOT_FOUND);
  CHECK_OK(tokwise_ledger_scope_usage(ledger, "user:alice", TOKWISE_WINDOW_DAY, TOKWISE_METRIC_COST,
                                      &used, &reserved));
  CHECK(used == 320000000LL && reserved == 0);
  CHECK_OK(tokwise_ledger_scope_usage(ledger, "model:gpt-4o", TOKWISE_WINDOW_TOTAL,
                                      TOKWISE_METRIC_TOKENS, &used, &reserved));
  CHECK(used == 125);
  for (i = 0; i < 3; ++i) tokwise_decision_free(d[i]);

  /* Release gives a reservation back: bob's call is admitted, fails, and holds nothing. */
  CHECK_OK(tokwise_preflight_request_clear_scopes(req));
  CHECK_OK(tokwise_preflight_request_add_scope(req, "user:bob"));
  CHECK_OK(tokwise_ledger_preflight_chat(ledger, body, size, NULL, req, &d[0]));
  CHECK(tokwise_decision_allowed(d[0]) == 1);
  CHECK_OK(tokwise_ledger_release(ledger, tokwise_decision_reservation(d[0])));
  CHECK_STATUS(tokwise_ledger_release(ledger, tokwise_decision_reservation(d[0])),
               TOKWISE_STATUS_NOT_FOUND);
  CHECK_OK(tokwise_ledger_scope_usage(ledger, "user:bob", TOKWISE_WINDOW_DAY, TOKWISE_METRIC_COST,
                                      &used, &reserved));
  CHECK(used == 0 && reserved == 0);
  tokwise_decision_free(d[0]);

  /* Counts given by the caller: the same call by numbers, after midnight alice fits again. */
  CHECK_OK(tokwise_ledger_set_time(ledger, midnight));
  CHECK_OK(tokwise_preflight_request_clear_scopes(req));
  CHECK_OK(tokwise_preflight_request_add_scope(req, "user:alice"));
  CHECK_OK(tokwise_preflight_request_set_model(req, "gpt-4o"));
  CHECK_OK(tokwise_preflight_request_set_input_tokens(req, 124));
  CHECK_OK(tokwise_preflight_request_set_max_output_tokens(req, 1));
  CHECK_OK(tokwise_preflight_request_set_dry_run(req, 1));
  CHECK_OK(tokwise_ledger_preflight(ledger, req, &d[0]));
  CHECK(tokwise_decision_allowed(d[0]) == 1);
  CHECK(tokwise_decision_reservation(d[0]) == 0); /* a dry run reserves nothing */
  CHECK(tokwise_decision_projected_cost(d[0]) == 320000000LL);
  tokwise_decision_free(d[0]);
  /* The context window: 128,000 input leaves no room for output. */
  CHECK_OK(tokwise_preflight_request_set_input_tokens(req, 128000));
  CHECK_OK(tokwise_ledger_preflight(ledger, req, &d[0]));
  CHECK(tokwise_decision_get_code(d[0]) == TOKWISE_DECISION_CONTEXT_WINDOW);
  CHECK(tokwise_decision_max_output_that_fits(d[0]) == 0);
  tokwise_decision_free(d[0]);
  d[0] = NULL;
  CHECK_OK(tokwise_preflight_request_set_model(req, "no-such-model"));
  CHECK_STATUS(tokwise_ledger_preflight(ledger, req, &d[0]), TOKWISE_STATUS_NOT_FOUND);
  CHECK_OK(tokwise_preflight_request_set_model(req, "gpt-4o"));
  CHECK_OK(tokwise_preflight_request_add_scope(req, "Not A Scope"));
  CHECK_STATUS(tokwise_ledger_preflight(ledger, req, &d[0]), TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(d[0] == NULL);

  /* Audio tokens have no catalog price: refused unless the caller gives the cost. */
  CHECK_OK(tokwise_usage_set(usage, TOKWISE_BUCKET_AUDIO_INPUT, 10));
  CHECK_STATUS(tokwise_ledger_commit(ledger, 12345, usage, NULL, NULL),
               TOKWISE_STATUS_FAILED_PRECONDITION);
  CHECK_STATUS(
      tokwise_ledger_open(LIT("{\"budgets\": [{\"scope\": \"user:*\", \"usd_per_dya\": 1}]}"), NULL,
                          &ledger),
      TOKWISE_STATUS_INVALID_ARGUMENT);
  CHECK(strstr(tokwise_last_error(), "usd_per_dya") != NULL);

  tokwise_usage_free(usage);
  tokwise_preflight_request_free(req);
  tokwise_ledger_free(ledger);
  free(body);
}

static int remove_entry(const char* path, const struct stat* sb, int flag, struct FTW* ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

/* Counts the records a visitor sees. */
static int count_record(const tokwise_usage_record* record, void* user_data) {
  uint64_t* n = (uint64_t*)user_data;
  if (tokwise_usage_record_tokens(record, TOKWISE_BUCKET_OUTPUT) == 50) ++*n;
  return 1;
}

static void test_durable_ledger(void) {
  char dir[] = "/tmp/tokwise_capi_c_test_XXXXXX";
  tokwise_ledger_options* lo = NULL;
  tokwise_ledger* ledger = NULL;
  tokwise_ledger* second = NULL;
  tokwise_preflight_request* req = NULL;
  tokwise_decision* d = NULL;
  tokwise_usage* usage = NULL;
  uint64_t seen = 0, records = 0, bad = 9;
  int64_t used = 0;
  int i;

  if (mkdtemp(dir) == NULL) {
    fprintf(stderr, "mkdtemp failed\n");
    ++g_failures;
    return;
  }
  CHECK_OK(tokwise_ledger_options_create(&lo));
  CHECK_OK(tokwise_ledger_options_set_dir(lo, dir));
  CHECK_OK(tokwise_ledger_options_set_fsync(lo, TOKWISE_FSYNC_NEVER, 0));
  CHECK_OK(tokwise_ledger_open(NULL, 0, lo, &ledger));
  /* One folder, one ledger. */
  CHECK_STATUS(tokwise_ledger_open(NULL, 0, lo, &second), TOKWISE_STATUS_FAILED_PRECONDITION);
  CHECK(second == NULL);
  CHECK_STATUS(tokwise_ledger_set_time(ledger, 0), TOKWISE_STATUS_FAILED_PRECONDITION);

  CHECK_OK(tokwise_preflight_request_create(&req));
  CHECK_OK(tokwise_preflight_request_set_model(req, "gpt-4o"));
  CHECK_OK(tokwise_preflight_request_set_input_tokens(req, 1000));
  CHECK_OK(tokwise_preflight_request_set_max_output_tokens(req, 100));
  CHECK_OK(tokwise_preflight_request_add_scope(req, "workflow:nightly"));
  CHECK_OK(tokwise_usage_create(&usage));
  CHECK_OK(tokwise_usage_set(usage, TOKWISE_BUCKET_UNCACHED_INPUT, 1000));
  CHECK_OK(tokwise_usage_set(usage, TOKWISE_BUCKET_OUTPUT, 50));
  for (i = 0; i < 2; ++i) {
    CHECK_OK(tokwise_ledger_preflight(ledger, req, &d));
    CHECK_OK(tokwise_ledger_commit(ledger, tokwise_decision_reservation(d), usage, NULL, NULL));
    tokwise_decision_free(d);
    d = NULL;
  }
  tokwise_ledger_free(ledger);

  /* Reopened, the spend is still there: 2 x (1,000 x $2.50 + 50 x $10) per M = $0.006. */
  CHECK_OK(tokwise_ledger_open(NULL, 0, lo, &ledger));
  CHECK_OK(tokwise_ledger_scope_usage(ledger, "workflow:nightly", TOKWISE_WINDOW_TOTAL,
                                      TOKWISE_METRIC_COST, &used, NULL));
  CHECK(used == 6000000000LL);
  tokwise_ledger_free(ledger);
  CHECK_OK(tokwise_usage_records_read(dir, count_record, &seen, &records, &bad));
  CHECK(seen == 2 && records == 2 && bad == 0);

  tokwise_usage_free(usage);
  tokwise_preflight_request_free(req);
  tokwise_ledger_options_free(lo);
  nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s SHARED_DATA_DIR TEST_DATA_DIR\n", argv[0]);
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
  test_new_null_handling();
  test_tokenizers(argv[1]);
  test_chat(argv[2]);
  test_catalog();
  test_prices();
  test_scenarios(argv[2]);
  test_budget(argv[2]);
  test_durable_ledger();
  if (g_failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  printf("all C ABI checks passed\n");
  return 0;
}
