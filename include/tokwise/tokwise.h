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
 *   number of threads at once. Options, specs and counters are mutable: one thread at a time
 *   per object (an options object that is no longer modified may be read by many threads).
 *   There are no internal threads, except for the duration of a batch call that asks for them.
 *
 * ABI: signatures, enum values and behaviour documented here do not change within a major
 * version. New behaviour comes as new functions (a *_v2 when a signature must change) or as
 * new setters on an opaque options object; status and enum values are only ever appended.
 * Exported symbols are exactly the tokwise_* functions below. "Since 0.1" tags give the
 * version that introduced each function.
 *
 * LATER SECTIONS: chat-request counting, the model catalog and prices, cost scenarios,
 * budgets and usage records will be added as further sections of this header, with the same
 * conventions (tokwise_chat_*, tokwise_catalog_*, tokwise_scenario_*, tokwise_budget_*).
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
  TOKWISE_STATUS_INVALID_DATA = 10
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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TOKWISE_TOKWISE_H_ */
