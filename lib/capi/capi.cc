// The C ABI (include/tokwise/tokwise.h) over the C++ library: argument checks, conversions,
// caller-buffer copies and status translation only. Every extern "C" body runs inside Guard(),
// so no exception crosses the boundary. This file holds the shared helpers (capi_internal.h),
// versions, errors, options, encodings and the counter; capi_chat.cc, capi_cost.cc and
// capi_budget.cc hold the later sections of the header.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "capi/capi_internal.h"
#include "tokwise/encoding.h"
#include "tokwise/error_details.h"
#include "tokwise/tokwise.h"

struct tokwise_encoding {
  std::shared_ptr<const tokwise::Encoding> encoding;
  // Special tokens in index order, built on first use (most callers never enumerate them).
  mutable std::once_flag specials_once;
  mutable std::vector<const std::pair<const std::string, tokwise::TokenId>*> specials;
};

struct tokwise_encoding_spec {
  tokwise::EncodingSpec spec;
};

struct tokwise_worker_pool {
  explicit tokwise_worker_pool(int threads) : pool(threads) {}
  tokwise::WorkerPool pool;
};

struct tokwise_counter {
  explicit tokwise_counter(std::shared_ptr<const tokwise::Encoding> e) : counter(std::move(e)) {}
  tokwise::IncrementalCounter counter;
};

namespace tokwise::capi {
namespace {

// The last error of this thread. `text` points into `message`, or at static text when storing
// the message itself failed for lack of memory.
struct LastError {
  std::string message;
  const char* text = "";
  int64_t byte_offset = -1;
  int64_t index = -1;
};

LastError& ThreadError() {
  thread_local LastError error;
  return error;
}

}  // namespace

tokwise_status Fail(tokwise_status status, std::string_view message, int64_t byte_offset,
                    int64_t index) noexcept {
  LastError& e = ThreadError();
  e.byte_offset = byte_offset;
  e.index = index;
  try {
    e.message.assign(message.data(), message.size());
    e.text = e.message.c_str();
  } catch (...) {
    e.text = tokwise_status_string(status);
  }
  return status;
}

tokwise_status FromStatus(const absl::Status& status) {
  const tokwise::ErrorDetails d = tokwise::GetErrorDetails(status);
  tokwise_status code = TOKWISE_STATUS_INTERNAL;
  switch (d.reason) {
    case tokwise::ErrorReason::kInvalidUtf8:
      code = TOKWISE_STATUS_INVALID_UTF8;
      break;
    case tokwise::ErrorReason::kSpecialToken:
      code = TOKWISE_STATUS_SPECIAL_TOKEN;
      break;
    case tokwise::ErrorReason::kUnknownToken:
      code = TOKWISE_STATUS_UNKNOWN_TOKEN;
      break;
    case tokwise::ErrorReason::kIo:
      code = TOKWISE_STATUS_IO;
      break;
    case tokwise::ErrorReason::kInvalidData:
      code = TOKWISE_STATUS_INVALID_DATA;
      break;
    case tokwise::ErrorReason::kUnspecified:
      switch (status.code()) {
        case absl::StatusCode::kInvalidArgument:
        case absl::StatusCode::kOutOfRange:
          code = TOKWISE_STATUS_INVALID_ARGUMENT;
          break;
        case absl::StatusCode::kNotFound:
          code = TOKWISE_STATUS_NOT_FOUND;
          break;
        case absl::StatusCode::kResourceExhausted:
          code = TOKWISE_STATUS_NO_MEMORY;
          break;
        // A price the model does not offer, audio prices, a window that is not known, a
        // ledger folder held by another ledger: well-formed input the call cannot serve.
        case absl::StatusCode::kFailedPrecondition:
        case absl::StatusCode::kUnimplemented:
        case absl::StatusCode::kUnavailable:
          code = TOKWISE_STATUS_FAILED_PRECONDITION;
          break;
        case absl::StatusCode::kDataLoss:
          code = TOKWISE_STATUS_INVALID_DATA;
          break;
        case absl::StatusCode::kPermissionDenied:
          code = TOKWISE_STATUS_IO;
          break;
        default:
          code = TOKWISE_STATUS_INTERNAL;
          break;
      }
      break;
  }
  const absl::string_view m = status.message();
  return Fail(code, std::string_view(m.data(), m.size()), d.byte_offset, d.index);
}

tokwise_status BufferTooSmall(size_t capacity, size_t needed, const char* unit) {
  return Fail(TOKWISE_STATUS_BUFFER_TOO_SMALL, absl::StrCat("the output buffer holds ", capacity,
                                                            " ", unit, "; ", needed, " needed"));
}

tokwise_status CopyBytes(const std::string& bytes, char* buffer, size_t capacity, size_t* length) {
  *length = bytes.size();
  if (bytes.size() > capacity) return BufferTooSmall(capacity, bytes.size(), "bytes");
  if (!bytes.empty()) std::memcpy(buffer, bytes.data(), bytes.size());
  return TOKWISE_STATUS_OK;
}

tokwise_status CopyString(std::string_view text, char* buffer, size_t capacity, size_t* length) {
  *length = text.size();
  if (text.size() + 1 > capacity) return BufferTooSmall(capacity, text.size() + 1, "bytes");
  if (!text.empty()) std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  return TOKWISE_STATUS_OK;
}

tokwise_status CheckReadable(const char* path) {
  std::FILE* f = std::fopen(path, "rb");
  if (f == nullptr) {
    const int err = errno;
    return Fail(TOKWISE_STATUS_IO, absl::StrCat(path, ": cannot open: ", std::strerror(err)));
  }
  std::fclose(f);
  return TOKWISE_STATUS_OK;
}


}  // namespace tokwise::capi

namespace {

using tokwise::capi::BadText;
using tokwise::capi::BufferTooSmall;
using tokwise::capi::CopyBytes;
using tokwise::capi::Fail;
using tokwise::capi::FromStatus;
using tokwise::capi::Guard;
using tokwise::capi::InvalidArgument;
using tokwise::capi::Text;

const tokwise::CountOptions& CountOptionsOf(const tokwise_options* options) {
  static const tokwise::CountOptions kDefault;
  return options == nullptr ? kDefault : options->count;
}

const tokwise::EncodeOptions& EncodeOptionsOf(const tokwise_options* options) {
  static const tokwise::EncodeOptions kDefault;
  return options == nullptr ? kDefault : options->encode;
}

// The two batch entry points: `on` is a thread count or a WorkerPool.
template <class On>
tokwise_status CountBatchOn(const tokwise_encoding* encoding, const char* const* texts,
                            const size_t* text_lens, size_t n, On&& on,
                            const tokwise_options* options, size_t* counts) {
  if (encoding == nullptr) return InvalidArgument("encoding is NULL");
  if (n != 0 && (texts == nullptr || text_lens == nullptr || counts == nullptr)) {
    return InvalidArgument("texts, text_lens or counts is NULL");
  }
  std::vector<std::string_view> views(n);
  for (size_t i = 0; i < n; ++i) {
    if (BadText(texts[i], text_lens[i])) {
      return Fail(TOKWISE_STATUS_INVALID_ARGUMENT, absl::StrCat("text ", i, " is NULL"), -1,
                  static_cast<int64_t>(i));
    }
    views[i] = Text(texts[i], text_lens[i]);
  }
  auto r = encoding->encoding->CountBatch(views, on, CountOptionsOf(options));
  if (!r.ok()) return FromStatus(r.status());
  std::copy(r->begin(), r->end(), counts);
  return TOKWISE_STATUS_OK;
}

bool ToPolicy(tokwise_special_policy in, bool for_count, tokwise::SpecialPolicy* out) {
  switch (in) {
    case TOKWISE_SPECIAL_DEFAULT:
      *out = for_count ? tokwise::SpecialPolicy::kAsText : tokwise::SpecialPolicy::kReject;
      return true;
    case TOKWISE_SPECIAL_AS_TEXT:
      *out = tokwise::SpecialPolicy::kAsText;
      return true;
    case TOKWISE_SPECIAL_RECOGNIZE:
      *out = tokwise::SpecialPolicy::kRecognize;
      return true;
    case TOKWISE_SPECIAL_REJECT:
      *out = tokwise::SpecialPolicy::kReject;
      return true;
  }
  return false;
}

tokwise_status NewEncoding(const absl::StatusOr<std::shared_ptr<const tokwise::Encoding>>& made,
                           tokwise_encoding** out) {
  if (!made.ok()) return FromStatus(made.status());
  auto handle = std::make_unique<tokwise_encoding>();
  handle->encoding = *made;
  *out = handle.release();
  return TOKWISE_STATUS_OK;
}

}  // namespace

extern "C" {

// ---- Version ------------------------------------------------------------------------------

uint32_t tokwise_version_number(void) { return TOKWISE_VERSION_NUMBER; }

const char* tokwise_version_string(void) { return TOKWISE_VERSION_STRING; }

// ---- Status and errors --------------------------------------------------------------------

const char* tokwise_status_string(tokwise_status status) {
  switch (status) {
    case TOKWISE_STATUS_OK:
      return "ok";
    case TOKWISE_STATUS_INVALID_ARGUMENT:
      return "invalid argument";
    case TOKWISE_STATUS_NOT_FOUND:
      return "not found";
    case TOKWISE_STATUS_INVALID_UTF8:
      return "invalid UTF-8";
    case TOKWISE_STATUS_SPECIAL_TOKEN:
      return "disallowed special token";
    case TOKWISE_STATUS_BUFFER_TOO_SMALL:
      return "buffer too small";
    case TOKWISE_STATUS_NO_MEMORY:
      return "out of memory";
    case TOKWISE_STATUS_INTERNAL:
      return "internal error";
    case TOKWISE_STATUS_IO:
      return "I/O error";
    case TOKWISE_STATUS_UNKNOWN_TOKEN:
      return "unknown token";
    case TOKWISE_STATUS_INVALID_DATA:
      return "invalid data";
    case TOKWISE_STATUS_FAILED_PRECONDITION:
      return "failed precondition";
  }
  return "unknown status";
}

const char* tokwise_last_error(void) { return tokwise::capi::ThreadError().text; }

int64_t tokwise_last_error_byte_offset(void) { return tokwise::capi::ThreadError().byte_offset; }

int64_t tokwise_last_error_index(void) { return tokwise::capi::ThreadError().index; }

// ---- Options ------------------------------------------------------------------------------

tokwise_status tokwise_options_create(tokwise_options** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    *out = new tokwise_options();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_options_free(tokwise_options* options) { delete options; }

tokwise_status tokwise_options_set_special(tokwise_options* options,
                                           tokwise_special_policy policy) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    tokwise::SpecialPolicy for_count, for_encode;
    if (!ToPolicy(policy, true, &for_count) || !ToPolicy(policy, false, &for_encode)) {
      return InvalidArgument(absl::StrCat("unknown special-token policy ", policy));
    }
    options->count.special = for_count;
    options->encode.special = for_encode;
    options->special_given = policy != TOKWISE_SPECIAL_DEFAULT;
    options->special = for_count;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_options_set_special_token(tokwise_options* options, const char* token,
                                                 size_t token_len, tokwise_special_policy policy) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    if (token == nullptr || token_len == 0) return InvalidArgument("the token is empty");
    const std::string key(token, token_len);
    if (policy == TOKWISE_SPECIAL_DEFAULT) {
      options->count.special_overrides.erase(key);
      options->encode.special_overrides.erase(key);
      return TOKWISE_STATUS_OK;
    }
    tokwise::SpecialPolicy p;
    if (!ToPolicy(policy, true, &p)) {
      return InvalidArgument(absl::StrCat("unknown special-token policy ", policy));
    }
    options->count.special_overrides[key] = p;
    options->encode.special_overrides[key] = p;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_options_set_invalid_utf8(tokwise_options* options,
                                                tokwise_invalid_utf8 mode) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    tokwise::InvalidUtf8 m;
    switch (mode) {
      case TOKWISE_INVALID_UTF8_REJECT:
        m = tokwise::InvalidUtf8::kReject;
        break;
      case TOKWISE_INVALID_UTF8_REPLACE:
        m = tokwise::InvalidUtf8::kReplace;
        break;
      default:
        return InvalidArgument(absl::StrCat("unknown invalid-UTF-8 mode ", mode));
    }
    options->count.invalid_utf8 = m;
    options->encode.invalid_utf8 = m;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_options_set_add_special_tokens(tokwise_options* options, int add) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->add_special_tokens = add != 0;
    return TOKWISE_STATUS_OK;
  });
}

// ---- Encodings: lifecycle -----------------------------------------------------------------

tokwise_status tokwise_encoding_get(const char* name, tokwise_encoding** out) {
  return Guard([&] {
    if (name == nullptr || out == nullptr) return InvalidArgument("name or out is NULL");
    return NewEncoding(tokwise::Encoding::Get(name), out);
  });
}

tokwise_status tokwise_encoding_for_model(const char* model, tokwise_encoding** out) {
  return Guard([&] {
    if (model == nullptr || out == nullptr) return InvalidArgument("model or out is NULL");
    return NewEncoding(tokwise::Encoding::ForModel(model), out);
  });
}

tokwise_status tokwise_model_encoding_name(const char* model, char* buffer, size_t capacity,
                                           size_t* length) {
  return Guard([&] {
    if (model == nullptr || length == nullptr) return InvalidArgument("model or length is NULL");
    if (buffer == nullptr && capacity != 0) return InvalidArgument("buffer is NULL");
    auto name = tokwise::EncodingNameForModel(model);
    if (!name.ok()) return FromStatus(name.status());
    *length = name->size();
    if (name->size() + 1 > capacity) return BufferTooSmall(capacity, name->size() + 1, "bytes");
    std::memcpy(buffer, name->c_str(), name->size() + 1);
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_encoding_spec_create(const char* base, tokwise_encoding_spec** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    auto spec = std::make_unique<tokwise_encoding_spec>();
    if (base != nullptr) {
      auto known = tokwise::KnownEncodingSpec(base);
      if (!known.ok()) return FromStatus(known.status());
      spec->spec = std::move(*known);
    }
    *out = spec.release();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_encoding_spec_free(tokwise_encoding_spec* spec) { delete spec; }

tokwise_status tokwise_encoding_spec_set_name(tokwise_encoding_spec* spec, const char* name) {
  return Guard([&] {
    if (spec == nullptr || name == nullptr) return InvalidArgument("spec or name is NULL");
    spec->spec.name = name;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_encoding_spec_set_pattern(tokwise_encoding_spec* spec, const char* pattern,
                                                 size_t pattern_len) {
  return Guard([&] {
    if (spec == nullptr || pattern == nullptr) return InvalidArgument("spec or pattern is NULL");
    spec->spec.pattern.assign(pattern, pattern_len);
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_encoding_spec_set_special_token(tokwise_encoding_spec* spec,
                                                       const char* token, size_t token_len,
                                                       uint32_t id) {
  return Guard([&] {
    if (spec == nullptr) return InvalidArgument("spec is NULL");
    if (token == nullptr || token_len == 0) return InvalidArgument("the token is empty");
    spec->spec.special_tokens[std::string(token, token_len)] = id;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_encoding_spec_clear_special_tokens(tokwise_encoding_spec* spec) {
  return Guard([&] {
    if (spec == nullptr) return InvalidArgument("spec is NULL");
    spec->spec.special_tokens.clear();
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_encoding_spec_set_explicit_n_vocab(tokwise_encoding_spec* spec,
                                                          uint32_t n_vocab) {
  return Guard([&] {
    if (spec == nullptr) return InvalidArgument("spec is NULL");
    spec->spec.explicit_n_vocab = n_vocab;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_encoding_from_file(const char* path, const tokwise_encoding_spec* spec,
                                          tokwise_encoding** out) {
  return Guard([&] {
    if (path == nullptr || spec == nullptr || out == nullptr) {
      return InvalidArgument("path, spec or out is NULL");
    }
    return NewEncoding(tokwise::Encoding::FromTiktokenFile(path, spec->spec), out);
  });
}

tokwise_status tokwise_encoding_from_bytes(const void* data, size_t size,
                                           const tokwise_encoding_spec* spec,
                                           tokwise_encoding** out) {
  return Guard([&] {
    if (BadText(data, size) || spec == nullptr || out == nullptr) {
      return InvalidArgument("data, spec or out is NULL");
    }
    return NewEncoding(tokwise::Encoding::FromTiktokenBytes(
                           Text(static_cast<const char*>(data), size), spec->spec),
                       out);
  });
}

void tokwise_encoding_free(tokwise_encoding* encoding) { delete encoding; }

// ---- Encodings: properties ----------------------------------------------------------------

const char* tokwise_encoding_name(const tokwise_encoding* encoding) {
  return encoding == nullptr ? "" : encoding->encoding->name().c_str();
}

uint32_t tokwise_encoding_n_vocab(const tokwise_encoding* encoding) {
  return encoding == nullptr ? 0 : encoding->encoding->n_vocab();
}

int64_t tokwise_encoding_eot_token(const tokwise_encoding* encoding) {
  return encoding == nullptr ? -1 : encoding->encoding->eot_token();
}

size_t tokwise_encoding_special_token_count(const tokwise_encoding* encoding) {
  return encoding == nullptr ? 0 : encoding->encoding->special_tokens().size();
}

tokwise_status tokwise_encoding_special_token(const tokwise_encoding* encoding, size_t index,
                                              const char** text, size_t* text_len, uint32_t* id) {
  return Guard([&] {
    if (encoding == nullptr) return InvalidArgument("encoding is NULL");
    std::call_once(encoding->specials_once, [&] {
      for (const auto& entry : encoding->encoding->special_tokens()) {
        encoding->specials.push_back(&entry);
      }
    });
    if (index >= encoding->specials.size()) {
      return InvalidArgument(absl::StrCat("special token index ", index, " is out of range (",
                                          encoding->specials.size(), " special tokens)"));
    }
    const auto& entry = *encoding->specials[index];
    if (text != nullptr) *text = entry.first.data();
    if (text_len != nullptr) *text_len = entry.first.size();
    if (id != nullptr) *id = entry.second;
    return TOKWISE_STATUS_OK;
  });
}

// ---- Count, encode, decode ----------------------------------------------------------------

tokwise_status tokwise_encoding_count(const tokwise_encoding* encoding, const char* text,
                                      size_t text_len, const tokwise_options* options,
                                      size_t* count) {
  return Guard([&] {
    if (encoding == nullptr || count == nullptr)
      return InvalidArgument("encoding or count is NULL");
    if (BadText(text, text_len)) return InvalidArgument("text is NULL");
    auto n = encoding->encoding->Count(Text(text, text_len), CountOptionsOf(options));
    if (!n.ok()) return FromStatus(n.status());
    *count = *n;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_encoding_count_until(const tokwise_encoding* encoding, const char* text,
                                            size_t text_len, size_t limit,
                                            const tokwise_options* options, size_t* count,
                                            int* exceeded, size_t* byte_offset,
                                            size_t* char_offset) {
  return Guard([&] {
    if (encoding == nullptr || count == nullptr)
      return InvalidArgument("encoding or count is NULL");
    if (BadText(text, text_len)) return InvalidArgument("text is NULL");
    auto r = encoding->encoding->CountUntil(Text(text, text_len), limit, CountOptionsOf(options));
    if (!r.ok()) return FromStatus(r.status());
    *count = r->count;
    if (exceeded != nullptr) *exceeded = r->exceeded ? 1 : 0;
    if (byte_offset != nullptr) *byte_offset = r->byte_offset;
    if (char_offset != nullptr) *char_offset = r->char_offset;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_encoding_count_batch(const tokwise_encoding* encoding,
                                            const char* const* texts, const size_t* text_lens,
                                            size_t n, int threads, const tokwise_options* options,
                                            size_t* counts) {
  return Guard([&] {
    return CountBatchOn(encoding, texts, text_lens, n, threads, options, counts);
  });
}

tokwise_status tokwise_worker_pool_create(int threads, tokwise_worker_pool** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    *out = new tokwise_worker_pool(threads);
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_worker_pool_free(tokwise_worker_pool* pool) { delete pool; }

tokwise_status tokwise_encoding_count_batch_pool(const tokwise_encoding* encoding,
                                                 const char* const* texts,
                                                 const size_t* text_lens, size_t n,
                                                 tokwise_worker_pool* pool,
                                                 const tokwise_options* options, size_t* counts) {
  return Guard([&] {
    if (pool == nullptr) return tokwise::capi::InvalidArgument("pool is NULL");
    return CountBatchOn(encoding, texts, text_lens, n, pool->pool, options, counts);
  });
}

size_t tokwise_encode_bound(size_t text_len, const tokwise_options* options) {
  const bool replace =
      options != nullptr && options->encode.invalid_utf8 == tokwise::InvalidUtf8::kReplace;
  if (!replace) return text_len;
  const size_t max = std::numeric_limits<size_t>::max();
  return text_len > max / 3 ? max : text_len * 3;
}

tokwise_status tokwise_encoding_encode(const tokwise_encoding* encoding, const char* text,
                                       size_t text_len, const tokwise_options* options,
                                       uint32_t* tokens, size_t capacity, size_t* n_tokens) {
  return Guard([&] {
    if (encoding == nullptr || n_tokens == nullptr) {
      return InvalidArgument("encoding or n_tokens is NULL");
    }
    if (BadText(text, text_len)) return InvalidArgument("text is NULL");
    if (tokens == nullptr && capacity != 0) return InvalidArgument("tokens is NULL");
    auto ids = encoding->encoding->Encode(Text(text, text_len), EncodeOptionsOf(options));
    if (!ids.ok()) return FromStatus(ids.status());
    *n_tokens = ids->size();
    if (ids->size() > capacity) return BufferTooSmall(capacity, ids->size(), "tokens");
    std::copy(ids->begin(), ids->end(), tokens);
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_encoding_decode(const tokwise_encoding* encoding, const uint32_t* tokens,
                                       size_t n, char* buffer, size_t capacity, size_t* length) {
  return Guard([&] {
    if (encoding == nullptr || length == nullptr)
      return InvalidArgument("encoding or length is NULL");
    if (tokens == nullptr && n != 0) return InvalidArgument("tokens is NULL");
    if (buffer == nullptr && capacity != 0) return InvalidArgument("buffer is NULL");
    auto bytes = encoding->encoding->Decode(absl::Span<const tokwise::TokenId>(tokens, n));
    if (!bytes.ok()) return FromStatus(bytes.status());
    return CopyBytes(*bytes, buffer, capacity, length);
  });
}

tokwise_status tokwise_encoding_decode_token(const tokwise_encoding* encoding, uint32_t token,
                                             char* buffer, size_t capacity, size_t* length) {
  return Guard([&] {
    if (encoding == nullptr || length == nullptr)
      return InvalidArgument("encoding or length is NULL");
    if (buffer == nullptr && capacity != 0) return InvalidArgument("buffer is NULL");
    auto bytes = encoding->encoding->DecodeToken(token);
    if (!bytes.ok()) return FromStatus(bytes.status());
    return CopyBytes(*bytes, buffer, capacity, length);
  });
}

tokwise_status tokwise_encoding_encode_single_token(const tokwise_encoding* encoding,
                                                    const char* bytes, size_t len,
                                                    uint32_t* token) {
  return Guard([&] {
    if (encoding == nullptr || token == nullptr)
      return InvalidArgument("encoding or token is NULL");
    if (BadText(bytes, len)) return InvalidArgument("bytes is NULL");
    auto id = encoding->encoding->EncodeSingleToken(Text(bytes, len));
    if (!id.ok()) return FromStatus(id.status());
    *token = *id;
    return TOKWISE_STATUS_OK;
  });
}

// ---- Incremental counter ------------------------------------------------------------------

tokwise_status tokwise_counter_create(const tokwise_encoding* encoding, tokwise_counter** out) {
  return Guard([&] {
    if (encoding == nullptr || out == nullptr) return InvalidArgument("encoding or out is NULL");
    *out = new tokwise_counter(encoding->encoding);
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_counter_free(tokwise_counter* counter) { delete counter; }

tokwise_status tokwise_counter_append(tokwise_counter* counter, const char* bytes, size_t len) {
  return Guard([&] {
    if (counter == nullptr) return InvalidArgument("counter is NULL");
    if (BadText(bytes, len)) return InvalidArgument("bytes is NULL");
    absl::Status st = counter->counter.Append(Text(bytes, len));
    if (!st.ok()) return FromStatus(st);
    return TOKWISE_STATUS_OK;
  });
}

size_t tokwise_counter_count(const tokwise_counter* counter) {
  return counter == nullptr ? 0 : counter->counter.count();
}

uint64_t tokwise_counter_bytes(const tokwise_counter* counter) {
  return counter == nullptr ? 0 : counter->counter.bytes();
}

size_t tokwise_counter_pending_bytes(const tokwise_counter* counter) {
  return counter == nullptr ? 0 : counter->counter.pending_bytes();
}

void tokwise_counter_reset(tokwise_counter* counter) {
  if (counter != nullptr) counter->counter.Reset();
}

}  // extern "C"
