/* tokwise/tokwise.h: the C interface of tokwise, a library that counts LLM tokens exactly.
 *
 * Plain C99; also compiles as C++. Link with -ltokwise (shared library libtokwise.so, whose
 * SONAME carries the major version) or with the static library and its dependencies (see the
 * pkg-config file tokwise.pc and the CMake package, find_package(tokwise)).
 *
 * EXAMPLE: count, then encode, a text with the encoding of gpt-4o.
 *
 *   #include <tokwise/tokwise.h>
 *
 *   tokwise_encoding* enc = NULL;
 *   if (tokwise_encoding_for_model("gpt-4o", &enc) != TOKWISE_STATUS_OK) {
 *     fprintf(stderr, "%s\n", tokwise_last_error());
 *     return 1;
 *   }
 *   const char* text = "hello world";
 *   size_t n = 0;
 *   tokwise_status st = tokwise_encoding_count(enc, text, strlen(text), NULL, &n);  // n == 2
 *
 *   uint32_t ids[64];
 *   size_t n_ids = 0;
 *   st = tokwise_encoding_encode(enc, text, strlen(text), NULL, ids, 64, &n_ids);
 *   if (st == TOKWISE_STATUS_BUFFER_TOO_SMALL) {
 *     // n_ids holds the size needed: allocate it and call again.
 *   }
 *   tokwise_encoding_free(enc);
 *
 * EXAMPLE: pre-flight a chat request against a budget, then record what the provider billed.
 *
 *   tokwise_ledger* ledger = NULL;
 *   const char* budgets = "{\"budgets\": [{\"scope\": \"user:*\", \"usd_per_day\": \"5\"}]}";
 *   tokwise_ledger_open(budgets, strlen(budgets), NULL, &ledger);
 *
 *   tokwise_preflight_request* req = NULL;
 *   tokwise_preflight_request_create(&req);
 *   tokwise_preflight_request_add_scope(req, "user:alice");
 *   tokwise_decision* d = NULL;
 *   if (tokwise_ledger_preflight_chat(ledger, body, body_len, NULL, req, &d) == TOKWISE_STATUS_OK
 *       && tokwise_decision_allowed(d)) {
 *     ... call the provider with max_tokens = tokwise_decision_reserved_output_tokens(d) ...
 *     tokwise_usage* usage = NULL;
 *     tokwise_usage_normalize(response, response_len, TOKWISE_USAGE_FORMAT_AUTO, &usage);
 *     tokwise_ledger_commit(ledger, tokwise_decision_reservation(d), usage, NULL, NULL);
 *     tokwise_usage_free(usage);
 *   }
 *   tokwise_decision_free(d);
 *   tokwise_preflight_request_free(req);
 *   tokwise_ledger_free(ledger);
 *
 * CONVENTIONS (they hold for every function unless its comment says otherwise)
 *
 * - Names are tokwise_<object>_<verb>. Objects are opaque handles made by a *_create / *_get
 *   function and released by the matching *_free, which accepts NULL. Never free() them.
 * - Fallible functions return tokwise_status: TOKWISE_STATUS_OK (0) or an error. On error the
 *   out-parameters are left unchanged, except the documented "size needed" answers of
 *   TOKWISE_STATUS_BUFFER_TOO_SMALL. tokwise_last_error() then describes the failure.
 * - Text is given as (pointer, length in bytes): UTF-8, no terminating NUL needed, not retained
 *   after the call returns. A NULL pointer with length 0 is the empty text. Names, model names
 *   and paths are NUL-terminated strings.
 * - Output memory belongs to the caller: buffer + capacity in, count out. Counting writes no
 *   buffer. Strings the library returns are static or owned by a handle; each function says
 *   which and for how long.
 * - No C++ exception ever leaves a tokwise_* function. The library logs nothing and never
 *   writes to stdout or stderr.
 * - Thread safety: an encoding is immutable once made, and one handle may be used by any
 *   number of threads at once; so are tokenizers, catalogs, models, scenarios and every result
 *   object (chat counts, scenario results, decisions, usage records). Ledgers and chat caches
 *   are thread-safe: any number of threads may use one at once. Options, specs, requests,
 *   usages and counters are mutable: one thread at a time per object (one that is no longer
 *   modified may be read by many threads). There are no internal threads, except for the
 *   duration of a batch call that asks for them.
 *
 * ABI: signatures, enum values and behaviour documented here do not change within a major
 * version. New behaviour comes as new functions (a *_v2 when a signature must change) or as
 * new setters on an opaque options object; status and enum values are only ever appended.
 * Exported symbols are exactly the tokwise_* functions below. "Since 0.1" tags give the
 * version that introduced each function.
 *
 * SECTIONS, in order: version; status codes and errors; options; encodings (lifecycle,
 * properties, count / encode / decode); the incremental counter; tokenizers of other families
 * through the model registry (tokwise_tokenizer_*); chat requests (tokwise_chat_*); the model
 * catalog (tokwise_catalog_*, tokwise_model_*); usage and prices (tokwise_usage_*,
 * tokwise_price_*, tokwise_format_usd); cost scenarios (tokwise_scenario_*); budgets
 * (tokwise_ledger_*, tokwise_preflight_request_*, tokwise_decision_*); usage records
 * (tokwise_usage_record_*).
 *
 * MONEY is exact integer arithmetic: prices are int64 micro-dollars per million tokens (USD
 * 2.50 / M = 2500000), which is the same number as pico-dollars (1e-12 USD) per token, so
 * every cost is an exact int64 number of pico-dollars. tokwise_format_usd() prints one.
 */
#ifndef TOKWISE_TOKWISE_H_
#define TOKWISE_TOKWISE_H_

#include <stddef.h>
#include <stdint.h>

#include "tokwise/tokwise_version.h"

/* ======================================================================================== */
/* Export and deprecation macros                                                             */
/* ======================================================================================== */

/* TOKWISE_API marks the functions exported by the shared library; the library is built with
 * hidden visibility, so nothing else is. Define TOKWISE_STATIC when linking the static library
 * on Windows. */
#if defined(_WIN32)
#if defined(TOKWISE_BUILDING_LIBRARY)
#define TOKWISE_API __declspec(dllexport)
#elif defined(TOKWISE_STATIC)
#define TOKWISE_API
#else
#define TOKWISE_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define TOKWISE_API __attribute__((visibility("default")))
#else
#define TOKWISE_API
#endif

/* TOKWISE_DEPRECATED(hint) marks a function kept for compatibility; the hint names its
 * replacement. Deprecated functions stay for at least one minor release. */
#if defined(__GNUC__) || defined(__clang__)
#define TOKWISE_DEPRECATED(hint) __attribute__((deprecated(hint)))
#elif defined(_MSC_VER)
#define TOKWISE_DEPRECATED(hint) __declspec(deprecated(hint))
#else
#define TOKWISE_DEPRECATED(hint)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================== */
/* Version                                                                                   */
/* ======================================================================================== */

/* tokwise_version_number: the version of the library loaded at run time, encoded like
 * TOKWISE_VERSION_NUMBER (MAJOR * 1000000 + MINOR * 1000 + PATCH). A program can check that
 * it runs against the library it was compiled for:
 *   tokwise_version_number() / 1000000 == TOKWISE_VERSION_MAJOR
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API uint32_t tokwise_version_number(void);

/* tokwise_version_string: the same version as text, e.g. "0.1.0". Static storage.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_version_string(void);

/* ======================================================================================== */
/* Status codes and errors                                                                   */
/* ======================================================================================== */

/* tokwise_status: the result of every fallible function. Values are fixed and only ever
 * appended; treat an unknown value as a generic error. Since 0.1. */
typedef enum tokwise_status {
  TOKWISE_STATUS_OK = 0,
  /* A parameter is invalid: a NULL handle or output pointer, an unknown special token name
   * in the options, a malformed split pattern. */
  TOKWISE_STATUS_INVALID_ARGUMENT = 1,
  /* A name is unknown: encoding, model. */
  TOKWISE_STATUS_NOT_FOUND = 2,
  /* The input text is not valid UTF-8 (and the options do not ask to replace it).
   * tokwise_last_error_byte_offset() gives the offset of the first bad byte. */
  TOKWISE_STATUS_INVALID_UTF8 = 3,
  /* The text holds a special-token string (such as "<|endoftext|>") that the options reject.
   * tokwise_last_error_byte_offset() gives its offset. */
  TOKWISE_STATUS_SPECIAL_TOKEN = 4,
  /* The output buffer is too small; the count out-parameter holds the size needed. */
  TOKWISE_STATUS_BUFFER_TOO_SMALL = 5,
  /* Memory allocation failed. */
  TOKWISE_STATUS_NO_MEMORY = 6,
  /* A bug in tokwise (an unexpected exception or state). Please report it. */
  TOKWISE_STATUS_INTERNAL = 7,
  /* A file could not be opened or read. */
  TOKWISE_STATUS_IO = 8,
  /* A token id (decode) or a byte string (encode_single_token) is not a token of the
   * encoding. */
  TOKWISE_STATUS_UNKNOWN_TOKEN = 9,
  /* A data file or buffer is malformed (a rank file line that does not parse, ...). The
   * message names the line. */
  TOKWISE_STATUS_INVALID_DATA = 10,
  /* The input is well formed, but the call cannot be carried out with this model or in this
   * state: tokens in a bucket the model has no price for (cache writes on a model without
   * cache-write prices, audio tokens, batch rates it does not offer), a model whose context
   * window is unknown, encoding with an estimating tokenizer, a ledger folder that another
   * ledger holds open. The message says which. Since 0.1. */
  TOKWISE_STATUS_FAILED_PRECONDITION = 11
} tokwise_status;

/* tokwise_status_string: a short static description of a status code, e.g. "invalid UTF-8"
 * for TOKWISE_STATUS_INVALID_UTF8; "unknown status" for a value this version does not know.
 * Never NULL. Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_status_string(tokwise_status status);

/* tokwise_last_error: the message of the most recent tokwise call on the calling thread that
 * returned an error, naming what was wrong (byte offset, token, file and line, ...); "" if
 * no call on this thread has failed. Calls that succeed leave it unchanged.
 *
 * The message is thread-local, so threads sharing one encoding never see each other's
 * errors. (A message owned by the encoding handle would race exactly there.) The pointer stays
 * valid until the next failing tokwise call on the same thread; copy the text to keep it.
 * Never NULL. Since 0.1. */
TOKWISE_API const char* tokwise_last_error(void);

/* tokwise_last_error_byte_offset: for the failure tokwise_last_error() describes, the byte
 * offset in the input text it refers to (INVALID_UTF8, SPECIAL_TOKEN), else -1. For a batch
 * call the offset is within the failing text (see tokwise_last_error_index()).
 * Thread-local like tokwise_last_error(). Since 0.1. */
TOKWISE_API int64_t tokwise_last_error_byte_offset(void);

/* tokwise_last_error_index: for the failure tokwise_last_error() describes, the index of the
 * failing text in a batch call, or of the unknown id in a decode call, else -1.
 * Thread-local like tokwise_last_error(). Since 0.1. */
TOKWISE_API int64_t tokwise_last_error_index(void);

/* ======================================================================================== */
/* Opaque types                                                                              */
/* ======================================================================================== */

/* An encoding (the tiktoken family: o200k_base, cl100k_base, ...): immutable, shareable by
 * any number of threads. Each handle is released with tokwise_encoding_free(). */
typedef struct tokwise_encoding tokwise_encoding;

/* Options of count/encode calls: special-token policy, invalid UTF-8 handling. */
typedef struct tokwise_options tokwise_options;

/* What an encoding loaded from a rank file needs besides its ranks: name, split pattern,
 * special tokens. */
typedef struct tokwise_encoding_spec tokwise_encoding_spec;

/* The token count of a text that arrives in pieces (a streamed response). */
typedef struct tokwise_counter tokwise_counter;

/* Worker threads owned by the caller, for batch calls, kept from one batch to the next. */
typedef struct tokwise_worker_pool tokwise_worker_pool;

/* ======================================================================================== */
/* Options                                                                                   */
/* ======================================================================================== */

/* What to do with special-token strings (such as "<|endoftext|>") found in input text.
 * Since 0.1. */
typedef enum tokwise_special_policy {
  /* The call's own default: counting treats them as text (as providers treat user text),
   * encoding rejects them (as tiktoken's encode() does). */
  TOKWISE_SPECIAL_DEFAULT = 0,
  /* Encode them as ordinary text, like tiktoken's encode_ordinary(). */
  TOKWISE_SPECIAL_AS_TEXT = 1,
  /* Emit the special token's id, like tiktoken's allowed_special. */
  TOKWISE_SPECIAL_RECOGNIZE = 2,
  /* Fail with TOKWISE_STATUS_SPECIAL_TOKEN, like tiktoken's disallowed_special. */
  TOKWISE_SPECIAL_REJECT = 3
} tokwise_special_policy;

/* What to do with input bytes that are not valid UTF-8. Since 0.1. */
typedef enum tokwise_invalid_utf8 {
  /* Fail with TOKWISE_STATUS_INVALID_UTF8 naming the byte offset. */
  TOKWISE_INVALID_UTF8_REJECT = 0,
  /* Replace each maximal ill-formed subsequence with U+FFFD (the Unicode / WHATWG rule, also
   * Python's errors="replace"), then encode the repaired text. */
  TOKWISE_INVALID_UTF8_REPLACE = 1
} tokwise_invalid_utf8;

/* tokwise_options_create: makes an options object with every setting at its default (which is
 * what passing NULL options to a call means).
 *   out  [out] receives the new object; release it with tokwise_options_free().
 * Returns OK, INVALID_ARGUMENT (out is NULL), NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_options_create(tokwise_options** out);

/* tokwise_options_free: releases an options object. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_options_free(tokwise_options* options);

/* tokwise_options_set_special: sets the policy for every special token that has no policy of
 * its own (see tokwise_options_set_special_token).
 *   options  [in/out] not NULL.
 *   policy   one of tokwise_special_policy.
 * Returns OK, INVALID_ARGUMENT (NULL options, unknown policy value).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_options_set_special(tokwise_options* options,
                                                       tokwise_special_policy policy);

/* tokwise_options_set_special_token: sets the policy of one special token, by its text.
 * tiktoken's encode(text, allowed_special={"<|endoftext|>"}) is: default policy REJECT (the
 * encode default) plus "<|endoftext|>" -> RECOGNIZE. TOKWISE_SPECIAL_DEFAULT removes the
 * token's own policy. A name that is not a special token of the encoding used makes the
 * count/encode call fail with INVALID_ARGUMENT (a typo must not silently change a count).
 *   options  [in/out] not NULL.
 *   token    [in] the special token's text, token_len bytes; copied.
 *   policy   one of tokwise_special_policy.
 * Returns OK, INVALID_ARGUMENT (NULL options or token, empty token, unknown policy), NO_MEMORY.
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_options_set_special_token(tokwise_options* options,
                                                             const char* token, size_t token_len,
                                                             tokwise_special_policy policy);

/* tokwise_options_set_invalid_utf8: sets the handling of invalid UTF-8 (default REJECT).
 * Returns OK, INVALID_ARGUMENT (NULL options, unknown value).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_options_set_invalid_utf8(tokwise_options* options,
                                                            tokwise_invalid_utf8 mode);

/* tokwise_options_set_add_special_tokens: for tokenizer calls (tokwise_tokenizer_*) only: when
 * add is non-zero, add the tokens the model puts around one text (a tokenizer.json
 * post-processor's template such as Llama 3's <|begin_of_text|>, a SentencePiece model's BOS).
 * Default 0: chat counting adds template tokens itself. Encodings ignore it.
 * Returns OK, INVALID_ARGUMENT (NULL options).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_options_set_add_special_tokens(tokwise_options* options,
                                                                  int add);

/* ======================================================================================== */
/* Encodings: lifecycle                                                                      */
/* ======================================================================================== */

/* tokwise_encoding_get: a built-in encoding by name: "o200k_base", "o200k_harmony",
 * "cl100k_base". Built-in encodings need no file and no network; each is made once per
 * process (the first call takes well under a millisecond) and shared by all handles.
 *   name  [in] NUL-terminated, not NULL.
 *   out   [out] receives a new handle; release it with tokwise_encoding_free().
 * Returns OK, INVALID_ARGUMENT (NULL name or out), NOT_FOUND (any other name: p50k_base,
 * r50k_base and gpt2 are known but not built in; load their rank file with
 * tokwise_encoding_from_file()), NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_get(const char* name, tokwise_encoding** out);

/* tokwise_encoding_for_model: the encoding of a model, like tiktoken's encoding_for_model:
 * exact names first, then families by prefix, so dated snapshots ("gpt-4o-2024-08-06")
 * resolve; a provider prefix ("openai/", "azure/") and a fine-tune wrapper ("ft:...") are
 * ignored. An unknown model is NOT_FOUND, never a silent fallback.
 *   model  [in] NUL-terminated, not NULL.
 *   out    [out] receives a new handle; release it with tokwise_encoding_free().
 * Returns OK, INVALID_ARGUMENT, NOT_FOUND (unknown model, or its encoding is not built in:
 * see tokwise_model_encoding_name()), NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_for_model(const char* model, tokwise_encoding** out);

/* tokwise_model_encoding_name: the name of the encoding a model uses, without loading it
 * (e.g. "p50k_base" for "text-davinci-003").
 *   model     [in] NUL-terminated, not NULL.
 *   buffer    [out] receives the name and a terminating NUL; may be NULL if capacity is 0.
 *   capacity  bytes available at buffer.
 *   length    [out] not NULL: the name's length, without the NUL. On BUFFER_TOO_SMALL it
 *             holds the length too: the capacity needed is length + 1.
 * Returns OK, INVALID_ARGUMENT, NOT_FOUND (unknown model), BUFFER_TOO_SMALL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_model_encoding_name(const char* model, char* buffer,
                                                       size_t capacity, size_t* length);

/* tokwise_encoding_spec_create: makes a spec, the name, split pattern and special tokens of an
 * encoding to load from a rank file.
 *   base  [in] NULL for an empty spec (set its name and pattern before use), or a known
 *         encoding name ("o200k_base", "o200k_harmony", "cl100k_base", "p50k_base",
 *         "p50k_edit", "r50k_base", "gpt2") to start from its pattern and special tokens.
 *   out   [out] receives the new spec; release it with tokwise_encoding_spec_free().
 * Returns OK, INVALID_ARGUMENT (out is NULL), NOT_FOUND (unknown base), NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_spec_create(const char* base,
                                                        tokwise_encoding_spec** out);

/* tokwise_encoding_spec_free: releases a spec. NULL is a no-op. Encodings loaded with it do
 * not need it any more. Since 0.1. */
TOKWISE_API void tokwise_encoding_spec_free(tokwise_encoding_spec* spec);

/* tokwise_encoding_spec_set_name: sets the encoding's name (copied). If you change the
 * special tokens of a known encoding, give it a different name.
 * Returns OK, INVALID_ARGUMENT (NULL spec or name), NO_MEMORY.
 * Thread safety: one thread at a time per spec. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_spec_set_name(tokwise_encoding_spec* spec,
                                                          const char* name);

/* tokwise_encoding_spec_set_pattern: sets the split regex, in tiktoken's syntax (copied). The
 * patterns of the known encodings run on exact hand-written scanners; any other pattern runs
 * on a general regex engine (PCRE2) and is checked when the encoding is loaded.
 * Returns OK, INVALID_ARGUMENT (NULL spec or pattern), NO_MEMORY.
 * Thread safety: one thread at a time per spec. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_spec_set_pattern(tokwise_encoding_spec* spec,
                                                             const char* pattern,
                                                             size_t pattern_len);

/* tokwise_encoding_spec_set_special_token: adds a special token, or changes its id.
 *   token  [in] its text, token_len bytes (not empty); copied.
 *   id     its token id; it may lie above the ranks.
 * Returns OK, INVALID_ARGUMENT (NULL spec or token, empty token), NO_MEMORY.
 * Thread safety: one thread at a time per spec. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_spec_set_special_token(tokwise_encoding_spec* spec,
                                                                   const char* token,
                                                                   size_t token_len, uint32_t id);

/* tokwise_encoding_spec_clear_special_tokens: removes every special token from the spec.
 * Returns OK, INVALID_ARGUMENT (NULL spec).
 * Thread safety: one thread at a time per spec. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_spec_clear_special_tokens(tokwise_encoding_spec* spec);

/* tokwise_encoding_spec_set_explicit_n_vocab: declares the vocabulary size (tiktoken's
 * explicit_n_vocab); loading then checks that ranks plus special tokens make exactly that.
 * 0 (the default) checks nothing.
 * Returns OK, INVALID_ARGUMENT (NULL spec).
 * Thread safety: one thread at a time per spec. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_spec_set_explicit_n_vocab(tokwise_encoding_spec* spec,
                                                                      uint32_t n_vocab);

/* tokwise_encoding_from_file: loads a `.tiktoken` rank file (one "base64(token) rank" line
 * per token), such as OpenAI's p50k_base.tiktoken.
 *   path  [in] NUL-terminated, not NULL.
 *   spec  [in] not NULL: name, pattern, special tokens. Not retained.
 *   out   [out] receives a new handle; release it with tokwise_encoding_free().
 * Returns OK, INVALID_ARGUMENT (NULL parameter, empty name or pattern, a pattern that does not
 * compile, explicit_n_vocab mismatch), IO (cannot open or read the file), INVALID_DATA (a
 * malformed line: the message names it), NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_from_file(const char* path,
                                                      const tokwise_encoding_spec* spec,
                                                      tokwise_encoding** out);

/* tokwise_encoding_from_bytes: as tokwise_encoding_from_file(), from the file's contents in
 * memory.
 *   data  [in] size bytes; not retained. NULL only if size is 0.
 * Returns as tokwise_encoding_from_file(), without IO.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_from_bytes(const void* data, size_t size,
                                                       const tokwise_encoding_spec* spec,
                                                       tokwise_encoding** out);

/* tokwise_encoding_free: releases a handle. NULL is a no-op. Strings obtained from the handle
 * become invalid. Counters made from it stay valid (they hold the encoding themselves).
 * Thread safety: no other thread may use this handle during or after the call. Since 0.1. */
TOKWISE_API void tokwise_encoding_free(tokwise_encoding* encoding);

/* ======================================================================================== */
/* Encodings: properties                                                                     */
/* ======================================================================================== */

/* tokwise_encoding_name: the encoding's name, e.g. "o200k_base". Owned by the handle, valid
 * until tokwise_encoding_free(encoding). "" if encoding is NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_encoding_name(const tokwise_encoding* encoding);

/* tokwise_encoding_n_vocab: one more than the largest token id, special tokens included
 * (tiktoken's n_vocab): 200019 for o200k_base, 100277 for cl100k_base. 0 if encoding is NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API uint32_t tokwise_encoding_n_vocab(const tokwise_encoding* encoding);

/* tokwise_encoding_eot_token: the id of "<|endoftext|>", or -1 if the encoding has none (or
 * encoding is NULL). Thread safety: any thread. Since 0.1. */
TOKWISE_API int64_t tokwise_encoding_eot_token(const tokwise_encoding* encoding);

/* tokwise_encoding_special_token_count: the number of special tokens; 0 if encoding is NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API size_t tokwise_encoding_special_token_count(const tokwise_encoding* encoding);

/* tokwise_encoding_special_token: the index-th special token, in byte order of their texts.
 *   index  0 <= index < tokwise_encoding_special_token_count().
 *   text   [out] nullable: the token's text (no NUL terminator is promised; use text_len),
 *          owned by the handle and valid until tokwise_encoding_free(encoding).
 *   text_len, id  [out] nullable.
 * Returns OK, INVALID_ARGUMENT (NULL encoding, index out of range).
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_special_token(const tokwise_encoding* encoding,
                                                          size_t index, const char** text,
                                                          size_t* text_len, uint32_t* id);

/* ======================================================================================== */
/* Count, encode, decode                                                                     */
/* ======================================================================================== */

/* tokwise_encoding_count: the number of tokens of a text, exactly as tiktoken's encoder would
 * produce them, without storing them.
 *   encoding  [in] not NULL.
 *   text      [in] text_len bytes of UTF-8.
 *   options   [in] nullable; NULL means the defaults: special-token strings count as text,
 *             invalid UTF-8 is an error.
 *   count     [out] not NULL.
 * Returns OK, INVALID_ARGUMENT, INVALID_UTF8, SPECIAL_TOKEN (only if the options reject
 * special tokens), NO_MEMORY.
 * Thread safety: any thread, the encoding shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_count(const tokwise_encoding* encoding,
                                                  const char* text, size_t text_len,
                                                  const tokwise_options* options, size_t* count);

/* tokwise_encoding_count_until: counts tokens up to `limit` and stops. With the default
 * options the work is proportional to the limit, not to the text: checking that a 10 MB
 * document exceeds 1,000 tokens costs about as much as counting 4 kB. (Options that recognize
 * or reject special tokens, or replace invalid UTF-8, need a pass over the whole text.)
 *   count        [out] not NULL: the count if it is at most limit, else limit.
 *   exceeded     [out] nullable: 1 if the text has more than limit tokens, else 0.
 *   byte_offset  [out] nullable: the first *count tokens cover exactly text[0, byte_offset);
 *                text_len when not exceeded. A token may end inside a UTF-8 character...
 *   char_offset  [out] nullable: ...so this is the largest character boundary <= byte_offset,
 *                where the text can be cut to fit.
 * Returns as tokwise_encoding_count().
 * Thread safety: any thread, the encoding shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_count_until(const tokwise_encoding* encoding,
                                                        const char* text, size_t text_len,
                                                        size_t limit,
                                                        const tokwise_options* options,
                                                        size_t* count, int* exceeded,
                                                        size_t* byte_offset, size_t* char_offset);

/* tokwise_encoding_count_batch: counts many texts, on `threads` threads.
 *   texts, text_lens  [in] n texts (NULL only if n is 0).
 *   threads  threads to use, the calling one included; <= 1 uses only the calling thread.
 *            The threads live only for the call.
 *   counts   [out] n counts, in input order (NULL only if n is 0).
 * On error, tokwise_last_error_index() is the lowest failing index and counts is unchanged.
 * Returns as tokwise_encoding_count().
 * Thread safety: any thread, the encoding shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_count_batch(const tokwise_encoding* encoding,
                                                        const char* const* texts,
                                                        const size_t* text_lens, size_t n,
                                                        int threads, const tokwise_options* options,
                                                        size_t* counts);

/* tokwise_worker_pool_create: worker threads for tokwise_encoding_count_batch_pool(), kept
 * until tokwise_worker_pool_free() (and with them their caches: a new thread counts its first
 * text about 1.5x slower). The library starts no thread of its own otherwise.
 *   threads  threads to use, the calling one included (the pool starts threads - 1);
 *            values below 1 mean 1.
 *   out      [out] receives the new pool; release it with tokwise_worker_pool_free().
 * Returns OK, or INVALID_ARGUMENT if out is NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_worker_pool_create(int threads, tokwise_worker_pool** out);

/* tokwise_worker_pool_free: joins the pool's threads and releases it. NULL is a no-op. Not
 * while a batch runs on it. Since 0.1. */
TOKWISE_API void tokwise_worker_pool_free(tokwise_worker_pool* pool);

/* tokwise_encoding_count_batch_pool: tokwise_encoding_count_batch() on a caller-owned pool,
 * for repeated batches. Arguments, results and errors as there; pool must not be NULL.
 * Thread safety: any thread, the encoding shared; batches on one pool run one at a time.
 * Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_count_batch_pool(const tokwise_encoding* encoding,
                                                             const char* const* texts,
                                                             const size_t* text_lens, size_t n,
                                                             tokwise_worker_pool* pool,
                                                             const tokwise_options* options,
                                                             size_t* counts);

/* tokwise_encode_bound: the most tokens tokwise_encoding_encode() can produce for text_len
 * bytes under these options (NULL: the defaults), for a buffer that is always large enough.
 * Every ordinary token holds at least one byte, so this is text_len; with
 * TOKWISE_INVALID_UTF8_REPLACE one bad byte can become the three bytes of U+FFFD, so it is
 * 3 * text_len. Saturates at SIZE_MAX. (The options are a parameter because no single
 * bound is both safe under REPLACE and tight under the default.)
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API size_t tokwise_encode_bound(size_t text_len, const tokwise_options* options);

/* tokwise_encoding_encode: the token ids of a text.
 *   options   [in] nullable; NULL means the defaults, which follow tiktoken's encode():
 *             special-token strings are an error (SPECIAL_TOKEN), invalid UTF-8 is an error.
 *   tokens    [out] receives the ids; may be NULL if capacity is 0.
 *   capacity  ids available at tokens.
 *   n_tokens  [out] not NULL: the number of ids written. On BUFFER_TOO_SMALL it holds the
 *             number needed and tokens is left unspecified (call again with that capacity,
 *             or size the buffer with tokwise_encode_bound()).
 * Returns OK, INVALID_ARGUMENT, INVALID_UTF8, SPECIAL_TOKEN, BUFFER_TOO_SMALL, NO_MEMORY.
 * Thread safety: any thread, the encoding shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_encode(const tokwise_encoding* encoding,
                                                   const char* text, size_t text_len,
                                                   const tokwise_options* options, uint32_t* tokens,
                                                   size_t capacity, size_t* n_tokens);

/* tokwise_encoding_decode: the bytes of a sequence of tokens, concatenated. They need not be
 * valid UTF-8 (a token may hold part of a character). No terminating NUL is written.
 *   tokens    [in] n ids (NULL only if n is 0).
 *   buffer    [out] receives the bytes; may be NULL if capacity is 0.
 *   length    [out] not NULL: bytes written; on BUFFER_TOO_SMALL the bytes needed.
 * Returns OK, INVALID_ARGUMENT, UNKNOWN_TOKEN (tokwise_last_error_index() is the index of the
 * first unknown id), BUFFER_TOO_SMALL, NO_MEMORY.
 * Thread safety: any thread, the encoding shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_decode(const tokwise_encoding* encoding,
                                                   const uint32_t* tokens, size_t n, char* buffer,
                                                   size_t capacity, size_t* length);

/* tokwise_encoding_decode_token: the bytes of one token, special tokens included; as
 * tokwise_encoding_decode() for a single id. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_decode_token(const tokwise_encoding* encoding,
                                                         uint32_t token, char* buffer,
                                                         size_t capacity, size_t* length);

/* tokwise_encoding_encode_single_token: the id of a byte string that is exactly one token (an
 * ordinary token, or a special token's text), like tiktoken's encode_single_token.
 *   bytes  [in] len bytes.
 *   token  [out] not NULL.
 * Returns OK, INVALID_ARGUMENT, UNKNOWN_TOKEN (the bytes are not a single token).
 * Thread safety: any thread, the encoding shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_encoding_encode_single_token(const tokwise_encoding* encoding,
                                                                const char* bytes, size_t len,
                                                                uint32_t* token);

/* ======================================================================================== */
/* Incremental counter                                                                       */
/* ======================================================================================== */

/* tokwise_counter_create: a counter for text that arrives in pieces (a streamed response, a
 * growing buffer). Append bytes, read the count at any time: it always equals
 * tokwise_encoding_count() of everything appended so far (special-token strings count as
 * text). Appending costs about the size of what is appended, not of the whole text. An
 * incomplete UTF-8 character at the end is held back (not counted) until its remaining bytes
 * arrive.
 *   encoding  [in] not NULL; the counter keeps the encoding alive itself, so the handle may
 *             be freed first.
 *   out       [out] receives the counter; release it with tokwise_counter_free().
 * Returns OK, INVALID_ARGUMENT, NO_MEMORY.
 * Thread safety: any thread; the counter is then used by one thread at a time. Since 0.1. */
TOKWISE_API tokwise_status tokwise_counter_create(const tokwise_encoding* encoding,
                                                  tokwise_counter** out);

/* tokwise_counter_free: releases a counter. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_counter_free(tokwise_counter* counter);

/* tokwise_counter_append: appends bytes.
 * Returns OK, INVALID_ARGUMENT (NULL counter, or NULL bytes with len > 0), INVALID_UTF8 (the
 * offset from tokwise_last_error_byte_offset() is in the whole stream; the counter keeps what
 * it had before the call), NO_MEMORY.
 * Thread safety: one thread at a time per counter. Since 0.1. */
TOKWISE_API tokwise_status tokwise_counter_append(tokwise_counter* counter, const char* bytes,
                                                  size_t len);

/* tokwise_counter_count: the exact token count of the complete characters appended so far.
 * 0 if counter is NULL. Thread safety: one thread at a time per counter. Since 0.1. */
TOKWISE_API size_t tokwise_counter_count(const tokwise_counter* counter);

/* tokwise_counter_bytes: bytes appended so far (0 if counter is NULL); and
 * tokwise_counter_pending_bytes: how many of them are held back as an incomplete character.
 * Thread safety: one thread at a time per counter. Since 0.1. */
TOKWISE_API uint64_t tokwise_counter_bytes(const tokwise_counter* counter);
TOKWISE_API size_t tokwise_counter_pending_bytes(const tokwise_counter* counter);

/* tokwise_counter_reset: empties the counter (count 0), keeping its encoding. NULL is a no-op.
 * Thread safety: one thread at a time per counter. Since 0.1. */
TOKWISE_API void tokwise_counter_reset(tokwise_counter* counter);

/* ======================================================================================== */
/* Tokenizers of other families, through the model registry                                  */
/* ======================================================================================== */

/* How far a count can be trusted. Shared by tokenizers and chat counts; worse is larger.
 * Since 0.1. */
typedef enum tokwise_exactness {
  /* The model's own tokenizer reproduced id for id; every chat rule published by the provider
   * and checked against its API. */
  TOKWISE_EXACTNESS_EXACT = 0,
  /* Text tokenized exactly (or a public encoding times a factor fitted to billed counts), but
   * some part counted by a rule extended beyond what the provider published. */
  TOKWISE_EXACTNESS_CALIBRATED = 1,
  /* The tokenizer is not public (Claude 3 and later, Gemini), or a part's size is unknown: a
   * stated approximation. */
  TOKWISE_EXACTNESS_ESTIMATE = 2
} tokwise_exactness;

/* tokwise_exactness_name: "exact", "calibrated", "estimate"; "unknown" for any other value.
 * Static storage. Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_exactness_name(tokwise_exactness exactness);

/* A tokenizer of any family tokwise counts with: a built-in encoding, a Hugging Face
 * tokenizer.json (BPE models: Llama 3, Qwen, DeepSeek, Mistral, ...), a SentencePiece .model,
 * or an estimate for a model whose tokenizer is not public. Immutable, shareable by any number
 * of threads. */
typedef struct tokwise_tokenizer tokwise_tokenizer;

/* tokwise_tokenizer_from_file: opens a tokenizer file by its content: a JSON object is a
 * Hugging Face tokenizer.json, anything else is read as a SentencePiece model. The file is read
 * once, here.
 *   path  [in] NUL-terminated, not NULL.
 *   out   [out] receives a new handle; release it with tokwise_tokenizer_free().
 * Returns OK; IO (cannot open the file); INVALID_ARGUMENT or INVALID_DATA (a malformed file:
 * the message names the JSON path or byte offset); FAILED_PRECONDITION (a tokenizer.json
 * component tokwise does not support, named with its JSON path); NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_tokenizer_from_file(const char* path, tokwise_tokenizer** out);

/* tokwise_tokenizer_for_model: the tokenizer that counts for a model, from the registry
 * compiled into the library: built-in encodings for OpenAI models, tokenizer files for open
 * models (looked for under the search folders at the paths the registry lists, e.g.
 * <dir>/llama3/tokenizer.json), estimates for closed ones (claude-*, gemini-*). Names may
 * carry provider prefixes, dated snapshots, Bedrock and Vertex forms.
 *   model        [in] NUL-terminated, not NULL.
 *   search_path  [in] nullable: folders separated by ':', searched in order (the form of the
 *                TOKWISE_TOKENIZER_PATH variable, which the library never reads itself).
 *                NULL or "" searches none: only built-in encodings and estimates open.
 *   out          [out] receives a new handle; release it with tokwise_tokenizer_free().
 * Returns OK, INVALID_ARGUMENT, NOT_FOUND (unknown model; or its tokenizer file is in no
 * search folder: the message names every path tried), IO, INVALID_DATA, NO_MEMORY.
 * Loaded files are cached process-wide by path. Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_tokenizer_for_model(const char* model, const char* search_path,
                                                       tokwise_tokenizer** out);

/* tokwise_tokenizer_free: releases a handle. NULL is a no-op. Strings obtained from it become
 * invalid. Thread safety: no other thread may use this handle during or after the call.
 * Since 0.1. */
TOKWISE_API void tokwise_tokenizer_free(tokwise_tokenizer* tokenizer);

/* tokwise_tokenizer_name: a short name, e.g. "o200k_base", "hf:/models/llama3/tokenizer.json",
 * "estimate:claude". Owned by the handle, valid until tokwise_tokenizer_free(). "" if NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_tokenizer_name(const tokwise_tokenizer* tokenizer);

/* tokwise_tokenizer_exactness: the label of every count this tokenizer gives (ESTIMATE for
 * NULL). Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_exactness tokwise_tokenizer_exactness(const tokwise_tokenizer* tokenizer);

/* tokwise_tokenizer_vocab_size: one more than the largest token id, special and added tokens
 * included; 0 for estimates and NULL. Thread safety: any thread. Since 0.1. */
TOKWISE_API uint32_t tokwise_tokenizer_vocab_size(const tokwise_tokenizer* tokenizer);

/* tokwise_tokenizer_count: the number of tokens of a text, with its label.
 *   tokenizer  [in] not NULL.
 *   text       [in] text_len bytes of UTF-8.
 *   options    [in] nullable. NULL, or a special policy left at TOKWISE_SPECIAL_DEFAULT, means
 *              the family's reference behaviour: tiktoken encodings count special-token
 *              strings as text, tokenizer.json files recognise their added tokens (as
 *              tokenizer.encode() does), SentencePiece encodes them as text. Per-token policies
 *              (tokwise_options_set_special_token) are not supported here: INVALID_ARGUMENT.
 *              tokwise_options_set_add_special_tokens() applies.
 *   count      [out] not NULL: the count; for an estimate its central value.
 *   exactness  [out] nullable: the label.
 *   low, high  [out] nullable: the range the true count is expected in (both equal to *count
 *              unless the label is ESTIMATE; the band the registry states for the estimate).
 * Returns OK, INVALID_ARGUMENT, INVALID_UTF8, SPECIAL_TOKEN, NO_MEMORY.
 * Thread safety: any thread, the tokenizer shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_tokenizer_count(const tokwise_tokenizer* tokenizer,
                                                   const char* text, size_t text_len,
                                                   const tokwise_options* options, uint64_t* count,
                                                   tokwise_exactness* exactness, uint64_t* low,
                                                   uint64_t* high);

/* tokwise_tokenizer_encode: the token ids of a text, under the buffer protocol of
 * tokwise_encoding_encode() (n_tokens holds the number needed on BUFFER_TOO_SMALL). Options as
 * for tokwise_tokenizer_count().
 * Returns OK, INVALID_ARGUMENT, INVALID_UTF8, SPECIAL_TOKEN, BUFFER_TOO_SMALL,
 * FAILED_PRECONDITION (an estimating tokenizer: its ids are not known), NO_MEMORY.
 * Thread safety: any thread, the tokenizer shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_tokenizer_encode(const tokwise_tokenizer* tokenizer,
                                                    const char* text, size_t text_len,
                                                    const tokwise_options* options,
                                                    uint32_t* tokens, size_t capacity,
                                                    size_t* n_tokens);

/* tokwise_tokenizer_decode: the text of token ids, through the tokenizer's decoder (byte-level
 * tokens give back the original bytes; SentencePiece-style tokens turn U+2581 into spaces).
 * Under the buffer protocol of tokwise_encoding_decode(); no NUL is written.
 * Returns OK, INVALID_ARGUMENT (NULL parameter, or an unknown id: the message names it),
 * BUFFER_TOO_SMALL, FAILED_PRECONDITION (an estimating tokenizer), NO_MEMORY.
 * Thread safety: any thread, the tokenizer shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_tokenizer_decode(const tokwise_tokenizer* tokenizer,
                                                    const uint32_t* tokens, size_t n, char* buffer,
                                                    size_t capacity, size_t* length);

/* ======================================================================================== */
/* Chat requests                                                                             */
/* ======================================================================================== */

/* Apps send chat requests, not text. These functions count a request body (OpenAI Chat
 * Completions, OpenAI Responses, Anthropic Messages) the way the provider bills its prompt:
 * message framing, names, tool definitions, tool calls and results, images (sized from the
 * data URL's header bytes; remote images are never fetched), with a breakdown by kind and a
 * label. OpenAI text is tokenized exactly with the model's encoding and framed by OpenAI's
 * published rules (the cookbook's "How to count tokens with tiktoken"); Claude 3 and later
 * have no public tokenizer, so Anthropic counts are estimates (o200k_base times a factor that
 * is 1.0 unless you set one). tokwise/chat.h states every rule and constant. */

/* The API a request body is written for. Since 0.1. */
typedef enum tokwise_chat_format {
  /* Detected from the fields: "input"/"instructions" -> Responses; Anthropic block types or
   * "system" -> Anthropic; else a "claude" model -> Anthropic; else Chat Completions. */
  TOKWISE_CHAT_FORMAT_AUTO = 0,
  TOKWISE_CHAT_FORMAT_OPENAI_CHAT = 1,       /* POST /v1/chat/completions */
  TOKWISE_CHAT_FORMAT_OPENAI_RESPONSES = 2,  /* POST /v1/responses */
  TOKWISE_CHAT_FORMAT_ANTHROPIC_MESSAGES = 3 /* POST /v1/messages */
} tokwise_chat_format;

/* What the prompt tokens of a request are spent on. Text of a message goes to its role's
 * kind; role markers, per-message constants, reply priming and hidden provider prompts to
 * FRAMING. The kinds sum to the total. Values are appended, never reused: iterate from 0 while
 * tokwise_count_kind_name() is not NULL to see every kind this library knows. Since 0.1. */
typedef enum tokwise_count_kind {
  TOKWISE_COUNT_KIND_SYSTEM = 0, /* system / developer messages, Anthropic system. */
  TOKWISE_COUNT_KIND_USER = 1,
  TOKWISE_COUNT_KIND_ASSISTANT = 2,        /* assistant text, refusals, thinking. */
  TOKWISE_COUNT_KIND_TOOL_DEFINITIONS = 3, /* tools / functions with their constants. */
  TOKWISE_COUNT_KIND_TOOL_CALLS = 4,       /* names and arguments of calls in the history. */
  TOKWISE_COUNT_KIND_TOOL_RESULTS = 5,
  TOKWISE_COUNT_KIND_IMAGES = 6,
  TOKWISE_COUNT_KIND_AUDIO = 7,
  TOKWISE_COUNT_KIND_FRAMING = 8
} tokwise_count_kind;

/* tokwise_count_kind_name: "system", "user", "assistant", "tool_definitions", "tool_calls",
 * "tool_results", "images", "audio", "framing"; NULL for a value this library does not know.
 * Static storage. Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_count_kind_name(tokwise_count_kind kind);

/* Options of chat counting. */
typedef struct tokwise_chat_options tokwise_chat_options;

/* A bounded, thread-safe cache of per-message token tallies shared by counting calls: a
 * message already counted with the same content, model rules and options is not tokenized
 * again, so counting step 50 of an agent loop costs about its new message. */
typedef struct tokwise_chat_cache tokwise_chat_cache;

/* The count of one request: total, breakdown by kind, label, notes. Immutable. */
typedef struct tokwise_chat_count tokwise_chat_count;

/* tokwise_chat_options_create: options at their defaults (what NULL options mean): the model
 * named by the body, format AUTO, Anthropic text factor 1.0, images of unknown size counted at
 * the most their model's rule allows, no cache.
 *   out  [out] receives the object; release it with tokwise_chat_options_free().
 * Returns OK, INVALID_ARGUMENT, NO_MEMORY. Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_chat_options_create(tokwise_chat_options** out);

/* tokwise_chat_options_free: releases the options. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_chat_options_free(tokwise_chat_options* options);

/* tokwise_chat_options_set_model: counts with this model's rules instead of the body's
 * "model" (copied; NULL or "" goes back to the body's).
 * Returns OK, INVALID_ARGUMENT (NULL options), NO_MEMORY.
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_chat_options_set_model(tokwise_chat_options* options,
                                                          const char* model);

/* tokwise_chat_options_set_format: the body's API (default AUTO: detected).
 * Returns OK, INVALID_ARGUMENT (NULL options, unknown value).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_chat_options_set_format(tokwise_chat_options* options,
                                                           tokwise_chat_format format);

/* tokwise_chat_options_set_anthropic_text_factor: Claude text tokens per o200k_base token
 * (default 1.0, which is uncalibrated: measure your own ratio with Anthropic's count_tokens
 * endpoint). Must be finite and > 0.
 * Returns OK, INVALID_ARGUMENT. Thread safety: one thread at a time per options object.
 * Since 0.1. */
TOKWISE_API tokwise_status
tokwise_chat_options_set_anthropic_text_factor(tokwise_chat_options* options, double factor);

/* tokwise_chat_options_set_unknown_image_size: counts images whose size cannot be known
 * (remote URLs, file ids) as if they were width x height. 0 x 0 (the default) counts the most
 * tokens the model's rule allows, so a pre-flight budget is never exceeded. Either way the
 * count is labelled ESTIMATE.
 * Returns OK, INVALID_ARGUMENT (NULL options).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_chat_options_set_unknown_image_size(
    tokwise_chat_options* options, uint32_t width, uint32_t height);

/* tokwise_chat_options_set_cache: counts through a message cache (NULL: none). The options
 * keep the cache alive, so its handle may be freed first.
 * Returns OK, INVALID_ARGUMENT (NULL options).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_chat_options_set_cache(tokwise_chat_options* options,
                                                          const tokwise_chat_cache* cache);

/* tokwise_chat_cache_create: a message cache holding at most max_entries tallies (about 100
 * bytes each; 0 means the default, 16384). The cache keeps two generations: entries used in
 * the last max_entries / 2 insertions survive. Its 128-bit content hash is not cryptographic.
 *   out  [out] receives the cache; release it with tokwise_chat_cache_free().
 * Returns OK, INVALID_ARGUMENT, NO_MEMORY.
 * Thread safety: any thread; the cache itself may be used by any number of threads at once.
 * Since 0.1. */
TOKWISE_API tokwise_status tokwise_chat_cache_create(size_t max_entries, tokwise_chat_cache** out);

/* tokwise_chat_cache_free: releases the handle (options that use the cache keep it alive).
 * NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_chat_cache_free(tokwise_chat_cache* cache);

/* tokwise_chat_cache_hits, tokwise_chat_cache_misses: lookups answered and not answered from
 * the cache so far (0 for NULL). Thread safety: any thread. Since 0.1. */
TOKWISE_API uint64_t tokwise_chat_cache_hits(const tokwise_chat_cache* cache);
TOKWISE_API uint64_t tokwise_chat_cache_misses(const tokwise_chat_cache* cache);

/* tokwise_chat_count_request: counts the prompt tokens of one request body as the provider
 * bills them.
 *   body     [in] body_len bytes: one JSON object (not retained).
 *   options  [in] nullable: NULL means the defaults (see tokwise_chat_options_create()).
 *   out      [out] receives the count; release it with tokwise_chat_count_free().
 * Returns OK; INVALID_ARGUMENT for malformed JSON, wrong types, unknown roles or part types,
 * invalid UTF-8 in text, an inline image that is not PNG, JPEG, GIF or WebP, no model named by
 * the body or the options (the message names the JSON path, e.g.
 * "messages[3].content[1].type", or the byte offset); NOT_FOUND for an unknown model (never a
 * silent fallback); NO_MEMORY.
 * Thread safety: any thread; options and cache may be shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_chat_count_request(const char* body, size_t body_len,
                                                      const tokwise_chat_options* options,
                                                      tokwise_chat_count** out);

/* tokwise_chat_count_free: releases a count. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_chat_count_free(tokwise_chat_count* count);

/* tokwise_chat_count_total: the prompt tokens as billed (the sum of every kind); 0 for NULL.
 * Thread safety: any thread (a count is immutable). Since 0.1. */
TOKWISE_API uint64_t tokwise_chat_count_total(const tokwise_chat_count* count);

/* tokwise_chat_count_of_kind: the tokens of one kind; 0 for NULL or a kind this library does
 * not know. Thread safety: any thread. Since 0.1. */
TOKWISE_API uint64_t tokwise_chat_count_of_kind(const tokwise_chat_count* count,
                                                tokwise_count_kind kind);

/* tokwise_chat_count_exactness: how far the total can be trusted (ESTIMATE for NULL). When it
 * is not EXACT, the notes say why. Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_exactness tokwise_chat_count_exactness(const tokwise_chat_count* count);

/* tokwise_chat_count_model, tokwise_chat_count_encoding, tokwise_chat_count_provider: the model
 * whose rules were applied ("gpt-4o"), the encoding its text was tokenized with
 * ("o200k_base"), its provider ("openai" or "anthropic"). Owned by the count, valid until
 * tokwise_chat_count_free(); "" for NULL. Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_chat_count_model(const tokwise_chat_count* count);
TOKWISE_API const char* tokwise_chat_count_encoding(const tokwise_chat_count* count);
TOKWISE_API const char* tokwise_chat_count_provider(const tokwise_chat_count* count);

/* tokwise_chat_count_max_output_tokens: the body's output limit (max_completion_tokens, else
 * max_tokens; Responses max_output_tokens; Anthropic max_tokens), or -1 if it sets none (or
 * count is NULL). Thread safety: any thread. Since 0.1. */
TOKWISE_API int64_t tokwise_chat_count_max_output_tokens(const tokwise_chat_count* count);

/* tokwise_chat_count_uncounted_parts: parts that could not be counted at all (audio of
 * unknown length, PDF files, encrypted reasoning, ...); when non-zero the label is ESTIMATE
 * and the total is a lower bound. 0 for NULL. Thread safety: any thread. Since 0.1. */
TOKWISE_API uint32_t tokwise_chat_count_uncounted_parts(const tokwise_chat_count* count);

/* tokwise_chat_count_note_count, tokwise_chat_count_note: why the label is not EXACT, and any
 * default used: one line per distinct reason, each naming the first JSON path where it
 * applied. A note is owned by the count, valid until tokwise_chat_count_free(); NULL for an
 * index out of range. Thread safety: any thread. Since 0.1. */
TOKWISE_API size_t tokwise_chat_count_note_count(const tokwise_chat_count* count);
TOKWISE_API const char* tokwise_chat_count_note(const tokwise_chat_count* count, size_t index);

/* tokwise_chat_count_message_count, tokwise_chat_count_message_tokens: the tokens of each
 * message (its content and its own framing), in prompt order (Anthropic "system" and Responses
 * "instructions" come first as one message). 0 for an index out of range.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API size_t tokwise_chat_count_message_count(const tokwise_chat_count* count);
TOKWISE_API uint64_t tokwise_chat_count_message_tokens(const tokwise_chat_count* count,
                                                       size_t index);

/* ======================================================================================== */
/* The model catalog                                                                         */
/* ======================================================================================== */

/* A catalog of models: context windows, output limits and prices. The default catalog is
 * compiled into the library (every entry names the page its prices come from); users lay
 * their own prices over it, in tokwise's JSON form or LiteLLM's. Immutable, shareable. */
typedef struct tokwise_catalog tokwise_catalog;

/* One model of a catalog. Immutable, shareable; it keeps its catalog alive. */
typedef struct tokwise_model tokwise_model;

/* The forms of a catalog file. Since 0.1. */
typedef enum tokwise_catalog_format {
  /* tokwise's own form, the form of the embedded catalog (tokwise/catalog.h documents it):
   * {"models": [{"id", "provider", "tokenizer", "context_window", "max_output",
   *   "prices": {"input": "2.50", "output": "10.00", ...}, "source", ...}]}; prices are USD
   * per million tokens as decimal text, read exactly. */
  TOKWISE_CATALOG_FORMAT_TOKWISE = 0,
  /* LiteLLM's model_prices_and_context_window.json: USD-per-token floats converted from their
   * decimal text exactly. Entries that are not chat, completion or responses models are
   * skipped. */
  TOKWISE_CATALOG_FORMAT_LITELLM = 1
} tokwise_catalog_format;

/* The prices of a model, each in micro-dollars per million tokens (= pico-dollars per token),
 * or TOKWISE_PRICE_NOT_OFFERED. Since 0.1. */
typedef enum tokwise_price {
  TOKWISE_PRICE_INPUT = 0,          /* Uncached input. */
  TOKWISE_PRICE_OUTPUT = 1,         /* Output, reasoning included. */
  TOKWISE_PRICE_CACHE_READ = 2,     /* Input read from the prompt cache. */
  TOKWISE_PRICE_CACHE_WRITE_5M = 3, /* Input written to a 5-minute cache. */
  TOKWISE_PRICE_CACHE_WRITE_1H = 4, /* Input written to a 1-hour cache. */
  TOKWISE_PRICE_BATCH_INPUT = 5,    /* Batch API. */
  TOKWISE_PRICE_BATCH_OUTPUT = 6
} tokwise_price;

/* A price the provider does not offer (no caching, no batch). */
#define TOKWISE_PRICE_NOT_OFFERED (-1)

/* tokwise_catalog_default: the catalog compiled into the library. Made once per process on
 * first use; the handle shares it (no copy).
 *   out  [out] receives a handle; release it with tokwise_catalog_free().
 * Returns OK, INVALID_ARGUMENT, NO_MEMORY. Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_catalog_default(tokwise_catalog** out);

/* tokwise_catalog_from_json: a catalog from JSON text.
 *   json         [in] json_len bytes; not retained.
 *   format       the text's form.
 *   over_default non-zero: lay the entries over the default catalog (an entry with the same
 *                id replaces ours whole, new ones are added); 0: these entries only.
 *   out          [out] receives the catalog; release it with tokwise_catalog_free().
 * Returns OK, INVALID_ARGUMENT (malformed JSON, wrong types, unknown keys, negative or
 * inexact prices, duplicate ids: the message names the JSON path, e.g.
 * "$.models[3].prices.cache_read"), NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_catalog_from_json(const char* json, size_t json_len,
                                                     tokwise_catalog_format format,
                                                     int over_default, tokwise_catalog** out);

/* tokwise_catalog_from_file: as tokwise_catalog_from_json(), from a file; errors name it.
 * Returns as tokwise_catalog_from_json(), plus IO (cannot open or read the file).
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_catalog_from_file(const char* path,
                                                     tokwise_catalog_format format,
                                                     int over_default, tokwise_catalog** out);

/* tokwise_catalog_free: releases a handle. NULL is a no-op. Models found in it stay valid.
 * Since 0.1. */
TOKWISE_API void tokwise_catalog_free(tokwise_catalog* catalog);

/* tokwise_catalog_size: the number of models (0 for NULL). Thread safety: any thread.
 * Since 0.1. */
TOKWISE_API size_t tokwise_catalog_size(const tokwise_catalog* catalog);

/* tokwise_catalog_find: a model by name, case-insensitively: exact ids and aliases, provider
 * prefixes ("openai/gpt-4o", "openrouter/openai/gpt-4o"), Bedrock and Vertex ids, dated
 * snapshots without their own entry (priced as their base model). Fine-tuned models
 * ("ft:...") are not found: their prices differ from the base model's.
 *   catalog  [in] nullable: NULL searches the default catalog.
 *   model    [in] NUL-terminated, not NULL.
 *   out      [out] receives a handle; release it with tokwise_model_free().
 * Returns OK, INVALID_ARGUMENT, NOT_FOUND (unknown model: never priced at 0), NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_catalog_find(const tokwise_catalog* catalog, const char* model,
                                                tokwise_model** out);

/* tokwise_catalog_model_at: the index-th model, in order of id (0 <= index < size), for
 * listing a catalog.
 * Returns OK, INVALID_ARGUMENT (NULL parameter, index out of range), NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_catalog_model_at(const tokwise_catalog* catalog, size_t index,
                                                    tokwise_model** out);

/* tokwise_model_free: releases a model handle. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_model_free(tokwise_model* model);

/* tokwise_model_id, tokwise_model_provider, tokwise_model_tokenizer, tokwise_model_source,
 * tokwise_model_prices_effective: the canonical id ("gpt-4o-2024-08-06"), the provider
 * ("openai"), the tokenizer name ("o200k_base", or "claude" / "gemini" for closed tokenizers),
 * the page the prices come from, the ISO date they took effect ("" where the provider does
 * not say). Owned by the handle, valid until tokwise_model_free(); "" for NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_model_id(const tokwise_model* model);
TOKWISE_API const char* tokwise_model_provider(const tokwise_model* model);
TOKWISE_API const char* tokwise_model_tokenizer(const tokwise_model* model);
TOKWISE_API const char* tokwise_model_source(const tokwise_model* model);
TOKWISE_API const char* tokwise_model_prices_effective(const tokwise_model* model);

/* tokwise_model_context_window: input + output tokens (0 for NULL or unknown).
 * tokwise_model_max_output: the most output tokens per call (0 for NULL or unknown).
 * tokwise_model_max_input: an input limit below the window where the provider sets one
 * (gpt-5: 272,000 of 400,000), else 0.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API uint64_t tokwise_model_context_window(const tokwise_model* model);
TOKWISE_API uint64_t tokwise_model_max_output(const tokwise_model* model);
TOKWISE_API uint64_t tokwise_model_max_input(const tokwise_model* model);

/* tokwise_model_price: a base price in micro-dollars per million tokens (2500000 = USD 2.50
 * / M), or TOKWISE_PRICE_NOT_OFFERED (also for NULL or an unknown value). Long-context tiers
 * (a higher price for the whole request above a threshold of input) are applied by the
 * pricing functions. Thread safety: any thread. Since 0.1. */
TOKWISE_API int64_t tokwise_model_price(const tokwise_model* model, tokwise_price which);

/* tokwise_model_check_window: whether a call fits the model, exactly: input + requested output
 * <= context window, requested output <= max output, and input <= max input when the model
 * sets one. A 128,000-token window with 1 input token allows 127,999 output tokens (fewer if
 * max output is lower).
 *   fits                [out] nullable: 1 if all limits hold, else 0.
 *   largest_max_output  [out] nullable: the largest max_tokens this input allows:
 *                       min(window - input, max output); 0 if the input alone fills the
 *                       window or passes max input.
 * Returns OK, INVALID_ARGUMENT (NULL model), FAILED_PRECONDITION (the model's window or max
 * output is unknown). Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_model_check_window(const tokwise_model* model,
                                                      uint64_t input_tokens,
                                                      uint64_t requested_output, int* fits,
                                                      uint64_t* largest_max_output);

/* ======================================================================================== */
/* Usage and prices                                                                          */
/* ======================================================================================== */

/* Tokens of a call in billing buckets. Every prompt-side token is in exactly one of the first
 * four. Since 0.1. */
typedef enum tokwise_bucket {
  TOKWISE_BUCKET_UNCACHED_INPUT = 0, /* Input at the full input price. */
  TOKWISE_BUCKET_CACHE_READ = 1,     /* Input read from the prompt cache. */
  TOKWISE_BUCKET_CACHE_WRITE_5M = 2, /* Input written to a 5-minute cache (Anthropic). */
  TOKWISE_BUCKET_CACHE_WRITE_1H = 3, /* Input written to a 1-hour cache (Anthropic). */
  TOKWISE_BUCKET_OUTPUT = 4,         /* Output, reasoning included. */
  /* Of OUTPUT, the reasoning / thought tokens (informational: priced as output). */
  TOKWISE_BUCKET_REASONING = 5,
  /* Audio tokens OpenAI reports, part of the buckets above but billed at audio prices, which
   * the catalog does not hold: pricing refuses them (FAILED_PRECONDITION). */
  TOKWISE_BUCKET_AUDIO_INPUT = 6,
  TOKWISE_BUCKET_AUDIO_OUTPUT = 7
} tokwise_bucket;

/* How a usage object is written. Since 0.1. */
typedef enum tokwise_usage_format {
  TOKWISE_USAGE_FORMAT_AUTO = 0,             /* Told by the field names. */
  TOKWISE_USAGE_FORMAT_OPENAI_CHAT = 1,      /* prompt_tokens, completion_tokens, *_details */
  TOKWISE_USAGE_FORMAT_OPENAI_RESPONSES = 2, /* input_tokens, output_tokens, *_details */
  TOKWISE_USAGE_FORMAT_ANTHROPIC = 3,        /* input_tokens, cache_*_input_tokens, ... */
  TOKWISE_USAGE_FORMAT_GEMINI = 4            /* usageMetadata: promptTokenCount, ... */
} tokwise_usage_format;

/* A call's usage in billing buckets. Mutable: one thread at a time per object. */
typedef struct tokwise_usage tokwise_usage;

/* Flags of the pricing functions (bitwise or). Since 0.1. */
/* Price at Batch API rates: batch input / output prices for uncached input and output; cache
 * buckets at their price times the model's batch / standard input ratio (rounded to the
 * nearest pico-dollar). FAILED_PRECONDITION if the model has no batch prices. */
#define TOKWISE_PRICE_FLAG_BATCH 1u

/* tokwise_usage_create: an empty usage (every bucket 0), to fill with tokwise_usage_set().
 *   out  [out] receives it; release it with tokwise_usage_free().
 * Returns OK, INVALID_ARGUMENT, NO_MEMORY. Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_usage_create(tokwise_usage** out);

/* tokwise_usage_normalize: reads a provider's usage object into buckets, with the rules that
 * trip people up applied: OpenAI and Gemini count cached tokens INSIDE the prompt count
 * (uncached = prompt - cached); Anthropic counts cache reads and writes BESIDE input_tokens;
 * OpenAI reasoning tokens are inside completion tokens; Gemini thoughts are beside candidates.
 *   json    [in] json_len bytes: the usage object itself, or a whole response that holds it
 *           ({"usage": ...}, {"usageMetadata": ...}, {"response": {"usage": ...}}, ...).
 *   format  AUTO tells the format by its fields (and refuses a mixture of two formats).
 *   out     [out] receives the usage; release it with tokwise_usage_free().
 * Returns OK; INVALID_ARGUMENT (malformed JSON, a count that is negative, fractional or above
 * 2^53, a required field missing, impossible usage such as cached > prompt, no usage found:
 * the message names the JSON path, e.g. "$.usage.prompt_tokens_details.cached_tokens");
 * NO_MEMORY. Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_usage_normalize(const char* json, size_t json_len,
                                                   tokwise_usage_format format,
                                                   tokwise_usage** out);

/* tokwise_usage_free: releases a usage. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_usage_free(tokwise_usage* usage);

/* tokwise_usage_get: the tokens in a bucket; 0 for NULL or an unknown bucket.
 * Thread safety: any thread while no thread modifies the usage. Since 0.1. */
TOKWISE_API uint64_t tokwise_usage_get(const tokwise_usage* usage, tokwise_bucket bucket);

/* tokwise_usage_set: sets the tokens in a bucket. REASONING must not exceed OUTPUT when the
 * usage is priced or committed (checked there).
 * Returns OK, INVALID_ARGUMENT (NULL usage, unknown bucket).
 * Thread safety: one thread at a time per usage. Since 0.1. */
TOKWISE_API tokwise_status tokwise_usage_set(tokwise_usage* usage, tokwise_bucket bucket,
                                             uint64_t tokens);

/* tokwise_usage_get_format: the format tokwise_usage_normalize() read (AUTO for a usage made
 * by tokwise_usage_create(), or NULL). Thread safety: as tokwise_usage_get(). Since 0.1. */
TOKWISE_API tokwise_usage_format tokwise_usage_get_format(const tokwise_usage* usage);

/* tokwise_price_usage: what a usage costs on a model, exactly, in pico-dollars (1e-12 USD).
 * The long-context tier is chosen by the usage's whole input (uncached + cache read + cache
 * writes) above its threshold, and then prices the whole request, output included.
 *   model      [in] not NULL.
 *   usage      [in] not NULL.
 *   flags      0 or TOKWISE_PRICE_FLAG_BATCH.
 *   total      [out] nullable: the cost in pico-dollars.
 *   by_bucket  [out] nullable: the cost of each bucket, indexed by tokwise_bucket, for the
 *              first n_buckets buckets (REASONING and the audio buckets are 0: they are priced
 *              inside the others). Pass an array and its length; entries past the buckets this
 *              library knows are set to 0.
 * Returns OK; FAILED_PRECONDITION (tokens in a bucket the model has no price for, e.g. cache
 * writes on an OpenAI model; audio tokens; batch without batch prices: the message names the
 * bucket and model); INVALID_ARGUMENT (NULL model or usage, reasoning above output, a total
 * above about USD 9.2 million); NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_price_usage(const tokwise_model* model,
                                               const tokwise_usage* usage, uint32_t flags,
                                               int64_t* total, int64_t* by_bucket,
                                               size_t n_buckets);

/* tokwise_price_before_call: the worst case before the call: every input token uncached at the
 * full input price (with the model's long-context tier for that input) plus max_output_tokens
 * of output. Other parameters and errors as tokwise_price_usage().
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_price_before_call(const tokwise_model* model,
                                                     uint64_t input_tokens,
                                                     uint64_t max_output_tokens, uint32_t flags,
                                                     int64_t* total);

/* tokwise_format_usd: exact decimal dollars without floating point: the shortest form with at
 * least min_decimals (0 to 12) decimals. 8603760000 -> "0.00860376"; 2000000000000 -> "2.00"
 * (min_decimals 2); negative amounts get a leading '-'. No "$".
 *   buffer    [out] receives the text and a terminating NUL; may be NULL if capacity is 0.
 *   length    [out] not NULL: the text's length without the NUL. On BUFFER_TOO_SMALL it holds
 *             the length too: the capacity needed is length + 1. 32 bytes always suffice.
 * Returns OK, INVALID_ARGUMENT (NULL length, min_decimals outside 0..12), BUFFER_TOO_SMALL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_format_usd(int64_t pico_usd, int min_decimals, char* buffer,
                                              size_t capacity, size_t* length);

/* ======================================================================================== */
/* Cost scenarios                                                                            */
/* ======================================================================================== */

/* A model keeps no memory between calls, so each call re-sends what came before it: system
 * prompt, tool definitions, history. A scenario lists the calls of an agent loop, a RAG call,
 * a conversation, ... with each call's NEW tokens; evaluating it on a model rebuilds each
 * call's context, applies prompt caching and prices every call exactly. tokwise/cost_model.h
 * and tokwise/scenario.h state the model and its approximations. */

/* A scenario, from a preset or a JSON spec. Immutable, shareable. */
typedef struct tokwise_scenario tokwise_scenario;

/* Settings of an evaluation: caching, batch, context policies. */
typedef struct tokwise_eval_options tokwise_eval_options;

/* An evaluated scenario: totals and per-call steps. Immutable, shareable. */
typedef struct tokwise_scenario_result tokwise_scenario_result;

/* Prompt caching in an evaluation. Since 0.1. */
typedef enum tokwise_cache_mode {
  /* What the provider does unasked: automatic caching for models with a cache-read price and
   * no cache-write price (OpenAI, DeepSeek, Gemini implicit caching), else none. */
  TOKWISE_CACHE_PROVIDER_DEFAULT = 0,
  TOKWISE_CACHE_OFF = 1,
  /* Automatic prefix caching: reads at the cache-read price, no write surcharge. */
  TOKWISE_CACHE_AUTOMATIC = 2,
  /* Explicit breakpoints (Anthropic's cache_control) with a 5-minute / 1-hour lifetime. */
  TOKWISE_CACHE_EXPLICIT_5M = 3,
  TOKWISE_CACHE_EXPLICIT_1H = 4
} tokwise_cache_mode;

/* What tokwise_scenario_result_step() reports about one call. Token figures are counts, costs
 * pico-dollars, flags 0 or 1, times milliseconds. Since 0.1. */
typedef enum tokwise_step_field {
  TOKWISE_STEP_SEQUENCE = 0,      /* Index of the call's sequence (agent, conversation). */
  TOKWISE_STEP_CALL = 1,          /* Index of the call within its sequence. */
  TOKWISE_STEP_SUMMARIZATION = 2, /* 1 for a summarization call a context policy inserted. */
  TOKWISE_STEP_TIME_MS = 3,       /* Start time within the sequence. */
  TOKWISE_STEP_RESENT = 4,        /* Input carried from earlier calls. */
  TOKWISE_STEP_NEW_INPUT = 5,     /* Input new in this call (framing included). */
  TOKWISE_STEP_INPUT = 6,         /* RESENT + NEW_INPUT. */
  TOKWISE_STEP_OUTPUT = 7,
  TOKWISE_STEP_UNCACHED = 8,           /* INPUT by billing bucket: ordinary input, */
  TOKWISE_STEP_CACHE_READ = 9,         /* read from the prompt cache, */
  TOKWISE_STEP_CACHE_WRITE_5M = 10,    /* written to a 5-minute cache, */
  TOKWISE_STEP_CACHE_WRITE_1H = 11,    /* written to a 1-hour cache. */
  TOKWISE_STEP_COST = 12,              /* The call's cost in pico-dollars. */
  TOKWISE_STEP_CUMULATIVE_TOKENS = 13, /* Input + output of all calls so far. */
  TOKWISE_STEP_CUMULATIVE_COST = 14,
  TOKWISE_STEP_OVER_CONTEXT_WINDOW = 15, /* 1 if input + output exceed the model's window. */
  TOKWISE_STEP_OVER_MAX_OUTPUT = 16      /* 1 if output exceeds the model's max output. */
} tokwise_step_field;

/* tokwise_scenario_preset_count, tokwise_scenario_preset_name,
 * tokwise_scenario_preset_summary: the built-in reference scenarios, in a fixed order:
 * "single-call" (system 200 + user 50 + output 300 = 550 tokens), "rag", "research-agent" (the
 * widely shared 5-step research agent: 11,950 tokens, 21.7x the direct answer), ... Names and
 * summaries are static storage; NULL for an index out of range.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API size_t tokwise_scenario_preset_count(void);
TOKWISE_API const char* tokwise_scenario_preset_name(size_t index);
TOKWISE_API const char* tokwise_scenario_preset_summary(size_t index);

/* tokwise_scenario_preset: builds a preset by name.
 *   out  [out] receives the scenario; release it with tokwise_scenario_free().
 * Returns OK, INVALID_ARGUMENT, NOT_FOUND (the message lists the presets), NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_scenario_preset(const char* name, tokwise_scenario** out);

/* tokwise_scenario_from_json: a scenario from a JSON spec whose "type" picks the builder:
 *   {"type": "agent", "system": 200, "user": 21, "result_timing": "same_step",
 *    "steps": [{"tool_call": 18, "tool_result": 311}, ..., {"output": 1500}]}
 * Types: single, rag, agent, multi_agent, conversation, calls (tokwise/scenario.h lists every
 * key). A spec may also name a "model" and a "cache" mode, used by tokwise_scenario_evaluate()
 * unless overridden.
 *   json  [in] json_len bytes; not retained.
 *   out   [out] receives the scenario; release it with tokwise_scenario_free().
 * Returns OK, INVALID_ARGUMENT (malformed JSON, unknown keys, wrong types, missing keys: the
 * message names the JSON path, e.g. "$.steps[2].tool_result"), NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_scenario_from_json(const char* json, size_t json_len,
                                                      tokwise_scenario** out);

/* tokwise_scenario_free: releases a scenario. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_scenario_free(tokwise_scenario* scenario);

/* tokwise_scenario_name: the scenario's name; tokwise_scenario_model: the model its spec names
 * ("" if none). Owned by the handle, valid until tokwise_scenario_free(); "" for NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_scenario_name(const tokwise_scenario* scenario);
TOKWISE_API const char* tokwise_scenario_model(const tokwise_scenario* scenario);

/* tokwise_eval_options_create: options at their defaults (what NULL options mean): the cache
 * mode of the spec, else PROVIDER_DEFAULT; standard prices; no context policy.
 *   out  [out] receives the object; release it with tokwise_eval_options_free().
 * Returns OK, INVALID_ARGUMENT, NO_MEMORY. Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_eval_options_create(tokwise_eval_options** out);

/* tokwise_eval_options_free: releases the options. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_eval_options_free(tokwise_eval_options* options);

/* tokwise_eval_options_set_cache_mode: the caching to model (overrides the spec's "cache").
 * EXPLICIT modes need cache-write prices; AUTOMATIC a model that caches automatically.
 * Returns OK, INVALID_ARGUMENT (NULL options, unknown mode).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_eval_options_set_cache_mode(tokwise_eval_options* options,
                                                               tokwise_cache_mode mode);

/* tokwise_eval_options_set_batch: non-zero prices every call at the model's batch rates, with
 * caching off (batch requests are served with no promised cache hits).
 * Returns OK, INVALID_ARGUMENT (NULL options).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_eval_options_set_batch(tokwise_eval_options* options, int batch);

/* tokwise_eval_options_set_max_output_tokens: caps each call's output (what is re-sent later
 * shrinks with it); 0 removes the cap.
 * Returns OK, INVALID_ARGUMENT (NULL options).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_eval_options_set_max_output_tokens(tokwise_eval_options* options,
                                                                      uint32_t max_output_tokens);

/* tokwise_eval_options_set_window: keeps at most window_tokens of non-pinned history (system
 * prompt, tools and an agent's task are pinned) before each call, oldest dropped first; 0
 * keeps everything.
 * Returns OK, INVALID_ARGUMENT (NULL options).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_eval_options_set_window(tokwise_eval_options* options,
                                                           uint64_t window_tokens);

/* tokwise_eval_options_set_summarize: when non-pinned history exceeds above_tokens before a
 * call, a summarization call (billed) first replaces it with summary_tokens; above_tokens 0
 * never summarizes.
 * Returns OK, INVALID_ARGUMENT (NULL options).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_eval_options_set_summarize(tokwise_eval_options* options,
                                                              uint64_t above_tokens,
                                                              uint32_t summary_tokens);

/* tokwise_eval_options_set_token_ratio_ppm: multiplies every item's token count by ratio_ppm
 * parts per million, to evaluate a scenario measured with one tokenizer on a model with
 * another. An approximation: measure the ratio on your own text. Default 1000000.
 * Returns OK, INVALID_ARGUMENT (NULL options, ratio 0).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_eval_options_set_token_ratio_ppm(tokwise_eval_options* options,
                                                                    uint32_t ratio_ppm);

/* tokwise_scenario_evaluate: evaluates a scenario on a model.
 *   scenario  [in] not NULL.
 *   model     [in] nullable: NULL uses the model the spec names, from the default catalog.
 *   options   [in] nullable: NULL means the defaults.
 *   out       [out] receives the result; release it with tokwise_scenario_result_free().
 * Returns OK; INVALID_ARGUMENT (NULL parameter, no model given or named by the spec, sums too
 * large); NOT_FOUND (the spec's model is not in the catalog); FAILED_PRECONDITION (the model
 * lacks a price the evaluation needs, or a cache mode it does not offer); NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_scenario_evaluate(const tokwise_scenario* scenario,
                                                     const tokwise_model* model,
                                                     const tokwise_eval_options* options,
                                                     tokwise_scenario_result** out);

/* tokwise_scenario_result_free: releases a result. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_scenario_result_free(tokwise_scenario_result* result);

/* tokwise_scenario_result_total_tokens, _input_tokens, _output_tokens: tokens over every call
 * (input includes everything re-sent). tokwise_scenario_result_cost: the exact cost in
 * pico-dollars. tokwise_scenario_result_calls: calls made (summarization calls included).
 * tokwise_scenario_result_direct_answer_tokens: the size of answering in one call, the
 * multiplier's denominator. All 0 for NULL. Thread safety: any thread. Since 0.1. */
TOKWISE_API uint64_t tokwise_scenario_result_total_tokens(const tokwise_scenario_result* result);
TOKWISE_API uint64_t tokwise_scenario_result_input_tokens(const tokwise_scenario_result* result);
TOKWISE_API uint64_t tokwise_scenario_result_output_tokens(const tokwise_scenario_result* result);
TOKWISE_API int64_t tokwise_scenario_result_cost(const tokwise_scenario_result* result);
TOKWISE_API uint32_t tokwise_scenario_result_calls(const tokwise_scenario_result* result);
TOKWISE_API uint64_t
tokwise_scenario_result_direct_answer_tokens(const tokwise_scenario_result* result);

/* tokwise_scenario_result_multiplier: total tokens / direct-answer tokens (21.7 for the
 * research agent); 0 when the denominator is 0 or result is NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API double tokwise_scenario_result_multiplier(const tokwise_scenario_result* result);

/* tokwise_scenario_result_model, tokwise_scenario_result_cache_mode: the model id evaluated
 * on, and the cache mode used ("provider" resolved: "off", "auto", "5m", "1h"). Owned by the
 * result, valid until tokwise_scenario_result_free(); "" for NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_scenario_result_model(const tokwise_scenario_result* result);
TOKWISE_API const char* tokwise_scenario_result_cache_mode(const tokwise_scenario_result* result);

/* tokwise_scenario_result_step_count: the evaluated calls, in order sequence by sequence
 * (0 for NULL). tokwise_scenario_result_step: one figure of one call; -1 for NULL, an index
 * out of range or a field this library does not know.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API size_t tokwise_scenario_result_step_count(const tokwise_scenario_result* result);
TOKWISE_API int64_t tokwise_scenario_result_step(const tokwise_scenario_result* result,
                                                 size_t index, tokwise_step_field field);

/* tokwise_scenario_result_to_json: the whole result as one JSON object (totals by bucket,
 * by kind, per sequence and per step; money in integer pico-dollars, "cost_pico"), under the
 * protocol of tokwise_format_usd(): NUL-terminated, length without the NUL, BUFFER_TOO_SMALL
 * with the length when capacity < length + 1.
 * Returns OK, INVALID_ARGUMENT, BUFFER_TOO_SMALL, NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_scenario_result_to_json(const tokwise_scenario_result* result,
                                                           char* buffer, size_t capacity,
                                                           size_t* length);

/* ======================================================================================== */
/* Budgets: pre-flight, commit, release                                                      */
/* ======================================================================================== */

/* Before each model call an app asks a ledger whether the call fits: the model's context
 * window, the budgets of every scope the call belongs to ("user:alice", "workflow:triage",
 * "agent:coder", "model:gpt-4o", any "kind:name") and rate limits. An admitted call holds a
 * reservation (its input, its maximum output and its projected cost) until the app commits
 * the provider's real usage or releases it on failure. Check and reserve is one atomic step
 * across all the scopes of a call, so concurrent calls can never together exceed a limit.
 * With a folder, committed spend goes to an append-only journal (a restart loses none of it);
 * reservations live in memory only. Windows are fixed UTC periods (minute, hour, day,
 * calendar month) or all time. tokwise/budget.h states every rule. */

/* A budget ledger. Thread-safe: any number of threads may use one ledger at once. */
typedef struct tokwise_ledger tokwise_ledger;

/* Settings of tokwise_ledger_open(). */
typedef struct tokwise_ledger_options tokwise_ledger_options;

/* One call to check: model, input tokens, max output, scopes. */
typedef struct tokwise_preflight_request tokwise_preflight_request;

/* The answer of a pre-flight. Immutable. */
typedef struct tokwise_decision tokwise_decision;

/* A committed call as the ledger recorded it. Immutable. */
typedef struct tokwise_usage_record tokwise_usage_record;

/* Why a call was denied. Values are fixed and only appended. Since 0.1. */
typedef enum tokwise_decision_code {
  TOKWISE_DECISION_ALLOWED = 0,
  TOKWISE_DECISION_CONTEXT_WINDOW = 1,  /* Input + output do not fit the context window. */
  TOKWISE_DECISION_MAX_OUTPUT = 2,      /* The requested output is above the model's max. */
  TOKWISE_DECISION_BUDGET_EXCEEDED = 3, /* A day, month or total limit. */
  TOKWISE_DECISION_RATE_LIMITED = 4,    /* A minute or hour limit. */
  TOKWISE_DECISION_UNPRICED = 5         /* The model has no price and a dollar limit applies. */
} tokwise_decision_code;

/* tokwise_decision_code_name: "allowed", "context_window", "max_output", "budget_exceeded",
 * "rate_limited", "unpriced"; "unknown" for other values. Static storage.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_decision_code_name(tokwise_decision_code code);

/* What a limit counts. Input tokens are all input buckets (uncached, cache reads and writes).
 * Since 0.1. */
typedef enum tokwise_metric {
  TOKWISE_METRIC_REQUESTS = 0,
  TOKWISE_METRIC_INPUT_TOKENS = 1,
  TOKWISE_METRIC_OUTPUT_TOKENS = 2, /* Reasoning included. */
  TOKWISE_METRIC_TOKENS = 3,        /* Input + output. */
  TOKWISE_METRIC_COST = 4           /* Exact cost in pico-dollars. */
} tokwise_metric;

/* The period a limit is counted over, aligned in UTC. Since 0.1. */
typedef enum tokwise_window {
  TOKWISE_WINDOW_MINUTE = 0,
  TOKWISE_WINDOW_HOUR = 1,
  TOKWISE_WINDOW_DAY = 2,
  TOKWISE_WINDOW_MONTH = 3, /* Calendar month: 28 to 31 days. */
  TOKWISE_WINDOW_TOTAL = 4  /* All time. */
} tokwise_window;

/* When the journal is flushed to disk (fdatasync). Every policy hands each record to the
 * kernel before the commit returns, so a process crash loses nothing; only a machine crash can
 * lose records written since the last fdatasync. Since 0.1. */
typedef enum tokwise_fsync {
  TOKWISE_FSYNC_EVERY_COMMIT = 0,
  TOKWISE_FSYNC_EVERY_N = 1, /* Every n records, and on close. */
  TOKWISE_FSYNC_NEVER = 2
} tokwise_fsync;

/* tokwise_commit_callback: called after every successful commit, on the committing thread,
 * outside the ledger's locks, with the record (valid only during the call: copy it with
 * tokwise_usage_record_copy() to keep it). It must not commit the same reservation again. A
 * C++ exception thrown by the callback is caught and dropped: the commit has happened.
 * Since 0.1. */
typedef void (*tokwise_commit_callback)(const tokwise_usage_record* record, void* user_data);

/* tokwise_record_visitor: receives each record read by tokwise_usage_records_read(); return
 * non-zero to go on, 0 to stop. The record is valid only during the call. Since 0.1. */
typedef int (*tokwise_record_visitor)(const tokwise_usage_record* record, void* user_data);

/* tokwise_ledger_options_create: settings at their defaults (what NULL options mean): in
 * memory only, the system clock, the default catalog, reservations expiring after 10 minutes,
 * unpriced calls denied where a dollar limit applies, no callback.
 *   out  [out] receives the object; release it with tokwise_ledger_options_free().
 * Returns OK, INVALID_ARGUMENT, NO_MEMORY. Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_options_create(tokwise_ledger_options** out);

/* tokwise_ledger_options_free: releases the options. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_ledger_options_free(tokwise_ledger_options* options);

/* tokwise_ledger_options_set_dir: keeps the journal and snapshots in this folder (created if
 * missing; copied). NULL or "": in memory only.
 * Returns OK, INVALID_ARGUMENT (NULL options), NO_MEMORY.
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_options_set_dir(tokwise_ledger_options* options,
                                                          const char* dir);

/* tokwise_ledger_options_set_fsync: when the journal is flushed; every_n is read for
 * TOKWISE_FSYNC_EVERY_N (default 64). Default EVERY_COMMIT.
 * Returns OK, INVALID_ARGUMENT (NULL options, unknown policy, every_n 0 with EVERY_N).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_options_set_fsync(tokwise_ledger_options* options,
                                                            tokwise_fsync policy, uint32_t every_n);

/* tokwise_ledger_options_set_reservation_ttl_us: a reservation not committed or released
 * within this many microseconds stops holding budget (default 600000000: 10 minutes). A late
 * commit within an hour after that is still charged.
 * Returns OK, INVALID_ARGUMENT (NULL options, ttl <= 0).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status
tokwise_ledger_options_set_reservation_ttl_us(tokwise_ledger_options* options, int64_t ttl_us);

/* tokwise_ledger_options_set_catalog: the catalog pre-flight requests are looked up in (NULL:
 * the default). The ledger keeps it alive.
 * Returns OK, INVALID_ARGUMENT (NULL options).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_options_set_catalog(tokwise_ledger_options* options,
                                                              const tokwise_catalog* catalog);

/* tokwise_ledger_options_set_fallback_model: prices calls to models without a price (or
 * buckets the model does not price) at this model's prices, e.g. the most expensive model you
 * use, so dollar limits still apply to them. NULL (default): such calls are denied where a
 * dollar limit applies, and admitted with an unknown cost elsewhere.
 * Returns OK, INVALID_ARGUMENT (NULL options; a model without input and output prices).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_options_set_fallback_model(
    tokwise_ledger_options* options, const tokwise_model* model);

/* tokwise_ledger_options_set_manual_clock: the ledger reads time from its own clock, starting
 * at start_unix_us (microseconds since 1970-01-01T00:00:00Z) and moved only by
 * tokwise_ledger_set_time(): for replaying logged calls and for tests. Default: the system
 * clock.
 * Returns OK, INVALID_ARGUMENT (NULL options).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_options_set_manual_clock(tokwise_ledger_options* options,
                                                                   int64_t start_unix_us);

/* tokwise_ledger_options_set_on_commit: registers a callback (NULL: none) and the pointer it
 * receives (not owned; it must stay valid while the ledger lives).
 * Returns OK, INVALID_ARGUMENT (NULL options).
 * Thread safety: one thread at a time per options object. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_options_set_on_commit(tokwise_ledger_options* options,
                                                                tokwise_commit_callback callback,
                                                                void* user_data);

/* tokwise_ledger_open: a ledger enforcing budgets given as JSON:
 *   {"budgets": [{"scope": "user:*", "usd_per_day": "5", "tokens_per_month": 2000000},
 *                {"scope": "user:alice", "usd_per_day": 50.25},
 *                {"scope": "model:gpt-4o", "requests_per_minute": 500}]}
 * Limit keys are <metric>_per_<minute|hour|day|month> or <metric>_total, the metric being
 * requests, input_tokens, output_tokens, tokens or usd (exact decimal). "kind:*" gives every
 * scope of that kind its own copy of the limits; an exact key replaces the template for that
 * scope. Scopes without a budget are still metered. With a folder, the snapshot is loaded and
 * the journal replayed; a torn or corrupt journal tail is set aside (see
 * tokwise_ledger_recovery_problem()).
 *   budgets      [in] budgets_len bytes of JSON, not retained; NULL with length 0: no budgets.
 *   options      [in] nullable: NULL means the defaults.
 *   out          [out] receives the ledger; release it with tokwise_ledger_free().
 * Returns OK; INVALID_ARGUMENT (malformed budgets: the message names the JSON path; bad
 * options); FAILED_PRECONDITION (another ledger holds the folder open); IO (the folder cannot
 * be made or used); INVALID_DATA (a corrupt snapshot, named); NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_open(const char* budgets, size_t budgets_len,
                                               const tokwise_ledger_options* options,
                                               tokwise_ledger** out);

/* tokwise_ledger_free: closes the ledger (flushing the journal) and releases it. NULL is a
 * no-op. No other thread may use the ledger during or after the call. Since 0.1. */
TOKWISE_API void tokwise_ledger_free(tokwise_ledger* ledger);

/* tokwise_ledger_recovery_problem: what opening found wrong in the journal ("" if it was clean
 * or the ledger is in memory), e.g. a torn tail after a crash, and where the discarded bytes
 * were saved. Owned by the ledger, valid until tokwise_ledger_free(); "" for NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_ledger_recovery_problem(const tokwise_ledger* ledger);

/* tokwise_ledger_set_time: sets a manual clock (see tokwise_ledger_options_set_manual_clock).
 * Returns OK, INVALID_ARGUMENT (NULL ledger), FAILED_PRECONDITION (the ledger reads the system
 * clock). Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_set_time(tokwise_ledger* ledger, int64_t unix_us);

/* tokwise_preflight_request_create: an empty request: no model (named by the chat body, for
 * tokwise_ledger_preflight_chat()), 0 input tokens, max output not set (the model's max
 * output, or what remains of the window if less), no scopes, a reservation (not a dry run).
 *   out  [out] receives the request; release it with tokwise_preflight_request_free().
 * Returns OK, INVALID_ARGUMENT, NO_MEMORY. Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_preflight_request_create(tokwise_preflight_request** out);

/* tokwise_preflight_request_free: releases a request. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_preflight_request_free(tokwise_preflight_request* request);

/* tokwise_preflight_request_set_model: the model, looked up in the ledger's catalog when the
 * request is checked (copied; NULL or "": none). For a chat body it overrides the body's
 * "model", for counting too.
 * Returns OK, INVALID_ARGUMENT (NULL request), NO_MEMORY.
 * Thread safety: one thread at a time per request. Since 0.1. */
TOKWISE_API tokwise_status tokwise_preflight_request_set_model(tokwise_preflight_request* request,
                                                               const char* model);

/* tokwise_preflight_request_set_input_tokens: the exact input tokens of the request as the
 * provider will bill them (tokwise_ledger_preflight_chat() counts them itself and ignores
 * this).
 * Returns OK, INVALID_ARGUMENT (NULL request, negative count).
 * Thread safety: one thread at a time per request. Since 0.1. */
TOKWISE_API tokwise_status tokwise_preflight_request_set_input_tokens(
    tokwise_preflight_request* request, int64_t input_tokens);

/* tokwise_preflight_request_set_max_output_tokens: the request's max output tokens; a
 * negative value unsets it (then a chat body's own limit applies, else the model's max output
 * or what remains of the window).
 * Returns OK, INVALID_ARGUMENT (NULL request).
 * Thread safety: one thread at a time per request. Since 0.1. */
TOKWISE_API tokwise_status tokwise_preflight_request_set_max_output_tokens(
    tokwise_preflight_request* request, int64_t max_output_tokens);

/* tokwise_preflight_request_add_scope: charges the call to a scope "kind:name" (kind: 1-64
 * characters of [a-z0-9_.-]; name: any non-empty text; copied). "model:<id>" is added for
 * you; duplicates are charged once. A malformed key fails the pre-flight with
 * INVALID_ARGUMENT naming it.
 * Returns OK, INVALID_ARGUMENT (NULL request or scope), NO_MEMORY.
 * Thread safety: one thread at a time per request. Since 0.1. */
TOKWISE_API tokwise_status tokwise_preflight_request_add_scope(tokwise_preflight_request* request,
                                                               const char* scope);

/* tokwise_preflight_request_clear_scopes: removes every scope added.
 * Returns OK, INVALID_ARGUMENT (NULL request).
 * Thread safety: one thread at a time per request. Since 0.1. */
TOKWISE_API tokwise_status
tokwise_preflight_request_clear_scopes(tokwise_preflight_request* request);

/* tokwise_preflight_request_set_expected_cache: the part of the input expected to be read from
 * / written to the prompt cache, for the projected cost (default: all uncached). Commit
 * reconciles with the real split.
 * Returns OK, INVALID_ARGUMENT (NULL request, negative count).
 * Thread safety: one thread at a time per request. Since 0.1. */
TOKWISE_API tokwise_status
tokwise_preflight_request_set_expected_cache(tokwise_preflight_request* request, int64_t cache_read,
                                             int64_t cache_write_5m, int64_t cache_write_1h);

/* tokwise_preflight_request_set_step, tokwise_preflight_request_set_conversation_id: recorded
 * in the usage record: the agent-loop step index (negative: none) and a conversation id
 * (copied; NULL or "": none).
 * Returns OK, INVALID_ARGUMENT (NULL request), NO_MEMORY.
 * Thread safety: one thread at a time per request. Since 0.1. */
TOKWISE_API tokwise_status tokwise_preflight_request_set_step(tokwise_preflight_request* request,
                                                              int64_t step);
TOKWISE_API tokwise_status tokwise_preflight_request_set_conversation_id(
    tokwise_preflight_request* request, const char* conversation_id);

/* tokwise_preflight_request_set_dry_run: non-zero decides only and reserves nothing.
 * Returns OK, INVALID_ARGUMENT (NULL request).
 * Thread safety: one thread at a time per request. Since 0.1. */
TOKWISE_API tokwise_status tokwise_preflight_request_set_dry_run(tokwise_preflight_request* request,
                                                                 int dry_run);

/* tokwise_preflight_request_set_shrink_output: when shrink is non-zero and the requested output
 * does not fit (window, model max output, budgets), admit the call with the reserved output
 * lowered to the largest that fits, if that is at least min_output_tokens (>= 1). The caller
 * must then send max_tokens = tokwise_decision_reserved_output_tokens().
 * Returns OK, INVALID_ARGUMENT (NULL request, min_output_tokens < 1).
 * Thread safety: one thread at a time per request. Since 0.1. */
TOKWISE_API tokwise_status tokwise_preflight_request_set_shrink_output(
    tokwise_preflight_request* request, int shrink, int64_t min_output_tokens);

/* tokwise_ledger_preflight: decides whether a call fits and, unless it is a dry run, reserves
 * it atomically in every scope. Order of checks: context window and model max output, pricing,
 * then every limit of every scope. A denial is not an error: the call returns OK with a
 * decision whose tokwise_decision_allowed() is 0.
 *   ledger   [in] not NULL.
 *   request  [in] not NULL; its model must be set. Not retained.
 *   out      [out] receives the decision; release it with tokwise_decision_free().
 * Returns OK; INVALID_ARGUMENT (no model, bad scope keys, a model without a context window,
 * sizes out of range); NOT_FOUND (the model is not in the catalog); NO_MEMORY.
 * Thread safety: any thread, the ledger shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_preflight(tokwise_ledger* ledger,
                                                    const tokwise_preflight_request* request,
                                                    tokwise_decision** out);

/* tokwise_ledger_preflight_chat: as tokwise_ledger_preflight() for a chat request body: its
 * prompt is counted as tokwise_chat_count_request() counts it, and its model and max output
 * come from the body unless the request sets them. A count that is not exact is still used
 * (tokwise_decision_input_exactness() says how far it can be trusted).
 *   body          [in] body_len bytes of JSON; not retained.
 *   chat_options  [in] nullable: counting options (a model set in `request` wins over theirs).
 *   request       [in] nullable: scopes, max output, dry run, ...; NULL: no scopes.
 * Returns as tokwise_ledger_preflight(), plus the errors of tokwise_chat_count_request().
 * Thread safety: any thread, the ledger shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_preflight_chat(tokwise_ledger* ledger, const char* body,
                                                         size_t body_len,
                                                         const tokwise_chat_options* chat_options,
                                                         const tokwise_preflight_request* request,
                                                         tokwise_decision** out);

/* tokwise_ledger_commit: reconciles a reservation with what the provider billed: frees what
 * was held, charges the real tokens and cost to every scope (in the periods of the
 * pre-flight), journals the record and calls the on-commit callback. A reservation that
 * expired less than an hour ago is still committed (the record says "late").
 *   reservation  tokwise_decision_reservation() of an allowed decision.
 *   usage        [in] not NULL: the billed buckets (tokwise_usage_normalize() of the response,
 *                or filled by hand). Audio tokens need an explicit cost.
 *   cost         [in] nullable: the exact cost in pico-dollars to charge instead of pricing
 *                the usage (e.g. a cost the provider reported).
 *   record       [out] nullable: receives the record; release it with
 *                tokwise_usage_record_free().
 * Returns OK; NOT_FOUND (unknown reservation, already committed or released, or expired more
 * than an hour ago); INVALID_ARGUMENT (counts above 2^40, reasoning above output, usage in a
 * bucket the model has no price for without `cost`: the reservation is then left untouched);
 * FAILED_PRECONDITION (audio tokens without `cost`); IO or INTERNAL (the journal write failed:
 * nothing is charged, the reservation is left untouched); NO_MEMORY.
 * Thread safety: any thread, the ledger shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_commit(tokwise_ledger* ledger, uint64_t reservation,
                                                 const tokwise_usage* usage, const int64_t* cost,
                                                 tokwise_usage_record** record);

/* tokwise_ledger_release: gives back a reservation whose call failed; nothing is charged.
 * Releasing an expired reservation is OK and does nothing.
 * Returns OK, INVALID_ARGUMENT (NULL ledger), NOT_FOUND (unknown or already settled).
 * Thread safety: any thread, the ledger shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_release(tokwise_ledger* ledger, uint64_t reservation);

/* tokwise_ledger_scope_usage: where a scope stands in the current period of a window: what
 * was committed and what admitted calls still hold (0 and 0 for a scope never charged).
 *   scope     [in] a scope key, e.g. "user:alice" or "model:gpt-4o".
 *   used, reserved  [out] nullable: amounts of the metric (pico-dollars for COST).
 * Returns OK, INVALID_ARGUMENT (NULL ledger or scope, unknown window or metric).
 * Thread safety: any thread, the ledger shared. Since 0.1. */
TOKWISE_API tokwise_status tokwise_ledger_scope_usage(const tokwise_ledger* ledger,
                                                      const char* scope, tokwise_window window,
                                                      tokwise_metric metric, int64_t* used,
                                                      int64_t* reserved);

/* tokwise_decision_free: releases a decision. NULL is a no-op. Since 0.1. */
TOKWISE_API void tokwise_decision_free(tokwise_decision* decision);

/* tokwise_decision_allowed: 1 if the call may go ahead, else 0 (0 for NULL).
 * tokwise_decision_get_code: why not (ALLOWED when allowed; CONTEXT_WINDOW for NULL).
 * Thread safety: any thread (a decision is immutable). Since 0.1. */
TOKWISE_API int tokwise_decision_allowed(const tokwise_decision* decision);
TOKWISE_API tokwise_decision_code tokwise_decision_get_code(const tokwise_decision* decision);

/* tokwise_decision_message: a sentence saying why the call was denied (naming the scope and
 * limit), or what was reserved. Owned by the decision, valid until tokwise_decision_free();
 * "" for NULL. Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_decision_message(const tokwise_decision* decision);

/* tokwise_decision_reservation: the reservation to commit or release; 0 when denied, on a dry
 * run, or for NULL. Thread safety: any thread. Since 0.1. */
TOKWISE_API uint64_t tokwise_decision_reservation(const tokwise_decision* decision);

/* tokwise_decision_input_tokens: the input tokens checked.
 * tokwise_decision_reserved_output_tokens: the output reserved (after shrinking, if any): send
 * it as the request's max tokens.
 * tokwise_decision_max_output_that_fits: the largest max output that would fit the window,
 * the model's max output and every limit right now (0 if none does).
 * All 0 for NULL. Thread safety: any thread. Since 0.1. */
TOKWISE_API int64_t tokwise_decision_input_tokens(const tokwise_decision* decision);
TOKWISE_API int64_t tokwise_decision_reserved_output_tokens(const tokwise_decision* decision);
TOKWISE_API int64_t tokwise_decision_max_output_that_fits(const tokwise_decision* decision);

/* tokwise_decision_projected_cost: input plus reserved output at the model's prices, in
 * pico-dollars (0 for NULL). tokwise_decision_cost_known: 0 if the model could not be priced
 * (then the projected cost is 0). Thread safety: any thread. Since 0.1. */
TOKWISE_API int64_t tokwise_decision_projected_cost(const tokwise_decision* decision);
TOKWISE_API int tokwise_decision_cost_known(const tokwise_decision* decision);

/* tokwise_decision_input_exactness: how far the input count can be trusted: the chat count's
 * label for tokwise_ledger_preflight_chat(), EXACT for a count the caller gave.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_exactness tokwise_decision_input_exactness(const tokwise_decision* decision);

/* tokwise_decision_retry_at_us: when denied, the earliest time (Unix microseconds) a retry can
 * pass, when the blocking limits' windows roll over; -1 if waiting cannot help (a total
 * limit, the context window, a request larger than a limit on its own) or for NULL.
 * tokwise_decision_expires_at_us: when an unreleased reservation lapses.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API int64_t tokwise_decision_retry_at_us(const tokwise_decision* decision);
TOKWISE_API int64_t tokwise_decision_expires_at_us(const tokwise_decision* decision);

/* tokwise_decision_to_json: the decision as one JSON object, every limit that applies to the
 * call's scopes included (used, reserved, remaining, blocking). Buffer protocol of
 * tokwise_scenario_result_to_json().
 * Returns OK, INVALID_ARGUMENT, BUFFER_TOO_SMALL, NO_MEMORY.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_decision_to_json(const tokwise_decision* decision, char* buffer,
                                                    size_t capacity, size_t* length);

/* ======================================================================================== */
/* Usage records                                                                             */
/* ======================================================================================== */

/* tokwise_usage_records_read: calls `visitor` for every usage record journaled in a ledger
 * folder (archived journals oldest first, then the live journal), stopping early if it returns
 * 0. A torn or corrupt tail ends the file it is in and is counted, not an error. Records
 * folded into a snapshot are gone unless archived. Safe while a ledger has the folder open.
 *   dir        [in] NUL-terminated, not NULL.
 *   visitor    [in] not NULL. user_data is passed to it.
 *   records    [out] nullable: records read.
 *   bad_tails  [out] nullable: files whose tail was torn or corrupt.
 * Returns OK, INVALID_ARGUMENT, IO, INVALID_DATA, NO_MEMORY. A C++ exception thrown by the
 * visitor stops the reading and is returned as INTERNAL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_usage_records_read(const char* dir,
                                                      tokwise_record_visitor visitor,
                                                      void* user_data, uint64_t* records,
                                                      uint64_t* bad_tails);

/* tokwise_usage_record_copy: a copy that outlives the callback that received the record.
 *   out  [out] receives it; release it with tokwise_usage_record_free().
 * Returns OK, INVALID_ARGUMENT, NO_MEMORY. Thread safety: any thread. Since 0.1. */
TOKWISE_API tokwise_status tokwise_usage_record_copy(const tokwise_usage_record* record,
                                                     tokwise_usage_record** out);

/* tokwise_usage_record_free: releases a record returned by tokwise_ledger_commit() or
 * tokwise_usage_record_copy(). NULL is a no-op. Never free a record passed to a callback.
 * Since 0.1. */
TOKWISE_API void tokwise_usage_record_free(tokwise_usage_record* record);

/* tokwise_usage_record_seq: the journal sequence number (1, 2, ... per ledger).
 * tokwise_usage_record_admitted_at_us, _committed_at_us: Unix microseconds of the pre-flight
 * (which decides the periods charged) and of the commit.
 * tokwise_usage_record_step: the agent-loop step given at pre-flight, or -1.
 * All 0 (step -1) for NULL. Thread safety: any thread. Since 0.1. */
TOKWISE_API uint64_t tokwise_usage_record_seq(const tokwise_usage_record* record);
TOKWISE_API int64_t tokwise_usage_record_admitted_at_us(const tokwise_usage_record* record);
TOKWISE_API int64_t tokwise_usage_record_committed_at_us(const tokwise_usage_record* record);
TOKWISE_API int64_t tokwise_usage_record_step(const tokwise_usage_record* record);

/* tokwise_usage_record_model, _provider, _conversation_id: the model id, its provider and the
 * conversation id given at pre-flight (""). Owned by the record (valid until
 * tokwise_usage_record_free(), or the end of the callback); "" for NULL.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API const char* tokwise_usage_record_model(const tokwise_usage_record* record);
TOKWISE_API const char* tokwise_usage_record_provider(const tokwise_usage_record* record);
TOKWISE_API const char* tokwise_usage_record_conversation_id(const tokwise_usage_record* record);

/* tokwise_usage_record_scope_count, tokwise_usage_record_scope: every scope charged,
 * "model:<id>" included; NULL for an index out of range. Lifetime as above.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API size_t tokwise_usage_record_scope_count(const tokwise_usage_record* record);
TOKWISE_API const char* tokwise_usage_record_scope(const tokwise_usage_record* record,
                                                   size_t index);

/* tokwise_usage_record_tokens: the tokens of a bucket (the audio buckets are always 0: the
 * ledger keeps none); 0 for NULL. Thread safety: any thread. Since 0.1. */
TOKWISE_API uint64_t tokwise_usage_record_tokens(const tokwise_usage_record* record,
                                                 tokwise_bucket bucket);

/* tokwise_usage_record_cost: the exact cost charged in pico-dollars (0 when unknown or NULL);
 * tokwise_usage_record_cost_known: 0 if the call could not be priced;
 * tokwise_usage_record_late: 1 if committed after its reservation had expired.
 * Thread safety: any thread. Since 0.1. */
TOKWISE_API int64_t tokwise_usage_record_cost(const tokwise_usage_record* record);
TOKWISE_API int tokwise_usage_record_cost_known(const tokwise_usage_record* record);
TOKWISE_API int tokwise_usage_record_late(const tokwise_usage_record* record);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TOKWISE_TOKWISE_H_ */
