// The C ABI's tokenizer and chat sections (tokwise_tokenizer_*, tokwise_chat_*): conversions
// over tokwise/tokenizer.h, tokwise/registry.h and tokwise/chat.h.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "capi/capi_internal.h"
#include "capi/capi_types.h"
#include "tokwise/chat.h"
#include "tokwise/registry.h"
#include "tokwise/tokenizer.h"
#include "tokwise/tokwise.h"

struct tokwise_tokenizer {
  std::shared_ptr<const tokwise::Tokenizer> tokenizer;
};

struct tokwise_chat_cache {
  std::shared_ptr<tokwise::MessageCountCache> cache;
};

namespace {

using tokwise::capi::BadText;
using tokwise::capi::CopyBytes;
using tokwise::capi::Fail;
using tokwise::capi::FromStatus;
using tokwise::capi::Guard;
using tokwise::capi::InvalidArgument;
using tokwise::capi::Text;

static_assert(tokwise::kNumCountKinds == 9, "extend tokwise_count_kind in tokwise.h first");

// What TokenizeOptions a tokwise_options object means for a tokenizer call (NULL: defaults).
tokwise_status ToTokenizeOptions(const tokwise_options* options, tokwise::TokenizeOptions* out) {
  if (options == nullptr) return TOKWISE_STATUS_OK;
  // Tokenizers have no per-token policies; silently ignoring them would change counts.
  if (!options->count.special_overrides.empty()) {
    return InvalidArgument(
        "per-token special policies (tokwise_options_set_special_token) do not apply to "
        "tokenizer calls; set one policy for all with tokwise_options_set_special");
  }
  if (options->special_given) out->special = options->special;
  out->invalid_utf8 = options->count.invalid_utf8;
  out->add_special_tokens = options->add_special_tokens;
  return TOKWISE_STATUS_OK;
}

tokwise_status NewTokenizer(const absl::StatusOr<std::shared_ptr<const tokwise::Tokenizer>>& made,
                            tokwise_tokenizer** out) {
  if (!made.ok()) return FromStatus(made.status());
  auto handle = std::make_unique<tokwise_tokenizer>();
  handle->tokenizer = *made;
  *out = handle.release();
  return TOKWISE_STATUS_OK;
}

// The registry's search folders from a ':'-separated list.
tokwise::TokenizerSearch SearchFromPath(const char* search_path) {
  tokwise::TokenizerSearch search;
  if (search_path == nullptr) return search;
  std::string_view rest(search_path);
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    if (!dir.empty()) search.dirs.emplace_back(dir);
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return search;
}

bool ToChatFormat(tokwise_chat_format in, tokwise::ChatFormat* out) {
  switch (in) {
    case TOKWISE_CHAT_FORMAT_AUTO:
      *out = tokwise::ChatFormat::kAuto;
      return true;
    case TOKWISE_CHAT_FORMAT_OPENAI_CHAT:
      *out = tokwise::ChatFormat::kOpenAIChat;
      return true;
    case TOKWISE_CHAT_FORMAT_OPENAI_RESPONSES:
      *out = tokwise::ChatFormat::kOpenAIResponses;
      return true;
    case TOKWISE_CHAT_FORMAT_ANTHROPIC_MESSAGES:
      *out = tokwise::ChatFormat::kAnthropicMessages;
      return true;
  }
  return false;
}

}  // namespace

namespace tokwise::capi {

tokwise_exactness ToExactness(Exactness e) {
  switch (e) {
    case Exactness::kExact:
      return TOKWISE_EXACTNESS_EXACT;
    case Exactness::kCalibrated:
      return TOKWISE_EXACTNESS_CALIBRATED;
    case Exactness::kEstimate:
      break;
  }
  return TOKWISE_EXACTNESS_ESTIMATE;
}

tokwise_exactness ToExactness(CountLabel label) {
  switch (label) {
    case CountLabel::kExact:
      return TOKWISE_EXACTNESS_EXACT;
    case CountLabel::kCalibrated:
      return TOKWISE_EXACTNESS_CALIBRATED;
    case CountLabel::kEstimate:
      break;
  }
  return TOKWISE_EXACTNESS_ESTIMATE;
}

tokwise_status CountChat(std::string_view body, const tokwise_chat_options* options,
                         std::string_view model_override, CountedChat* out) {
  static const tokwise_chat_options kDefaults;
  const tokwise_chat_options& o = options == nullptr ? kDefaults : *options;

  // Parse first: the body's own output limit is part of the answer.
  absl::StatusOr<ChatRequest> request = ParseChatRequest(body, o.format);
  if (!request.ok()) return FromStatus(request.status());

  ChatCountOptions count_options = o.options;
  if (!model_override.empty()) count_options.model = std::string(model_override);
  count_options.cache = o.cache.get();
  absl::StatusOr<ChatCount> count = CountChatTokens(*request, count_options);
  if (!count.ok()) return FromStatus(count.status());

  out->count = *std::move(count);
  out->max_output_tokens =
      request->max_output_tokens.has_value() && *request->max_output_tokens <= uint64_t{INT64_MAX}
          ? static_cast<int64_t>(*request->max_output_tokens)
          : -1;
  return TOKWISE_STATUS_OK;
}

}  // namespace tokwise::capi

extern "C" {

// ---- Tokenizers ---------------------------------------------------------------------------

const char* tokwise_exactness_name(tokwise_exactness exactness) {
  switch (exactness) {
    case TOKWISE_EXACTNESS_EXACT:
      return "exact";
    case TOKWISE_EXACTNESS_CALIBRATED:
      return "calibrated";
    case TOKWISE_EXACTNESS_ESTIMATE:
      return "estimate";
  }
  return "unknown";
}

tokwise_status tokwise_tokenizer_from_file(const char* path, tokwise_tokenizer** out) {
  return Guard([&] {
    if (path == nullptr || out == nullptr) return InvalidArgument("path or out is NULL");
    if (tokwise_status st = tokwise::capi::CheckReadable(path); st != TOKWISE_STATUS_OK) {
      return st;
    }
    return NewTokenizer(tokwise::Tokenizer::FromFile(path), out);
  });
}

tokwise_status tokwise_tokenizer_for_model(const char* model, const char* search_path,
                                           tokwise_tokenizer** out) {
  return Guard([&] {
    if (model == nullptr || out == nullptr) return InvalidArgument("model or out is NULL");
    return NewTokenizer(
        tokwise::ModelRegistry::Default().TokenizerFor(model, SearchFromPath(search_path)), out);
  });
}

void tokwise_tokenizer_free(tokwise_tokenizer* tokenizer) { delete tokenizer; }

const char* tokwise_tokenizer_name(const tokwise_tokenizer* tokenizer) {
  return tokenizer == nullptr ? "" : tokenizer->tokenizer->name().c_str();
}

tokwise_exactness tokwise_tokenizer_exactness(const tokwise_tokenizer* tokenizer) {
  return tokenizer == nullptr ? TOKWISE_EXACTNESS_ESTIMATE
                              : tokwise::capi::ToExactness(tokenizer->tokenizer->exactness());
}

uint32_t tokwise_tokenizer_vocab_size(const tokwise_tokenizer* tokenizer) {
  return tokenizer == nullptr ? 0 : tokenizer->tokenizer->vocab_size();
}

tokwise_status tokwise_tokenizer_count(const tokwise_tokenizer* tokenizer, const char* text,
                                       size_t text_len, const tokwise_options* options,
                                       uint64_t* count, tokwise_exactness* exactness, uint64_t* low,
                                       uint64_t* high) {
  return Guard([&] {
    if (tokenizer == nullptr || count == nullptr) {
      return InvalidArgument("tokenizer or count is NULL");
    }
    if (BadText(text, text_len)) return InvalidArgument("text is NULL");
    tokwise::TokenizeOptions o;
    if (tokwise_status st = ToTokenizeOptions(options, &o); st != TOKWISE_STATUS_OK) return st;
    auto n = tokenizer->tokenizer->Count(Text(text, text_len), o);
    if (!n.ok()) return FromStatus(n.status());
    *count = n->tokens;
    if (exactness != nullptr) *exactness = tokwise::capi::ToExactness(n->exactness);
    if (low != nullptr) *low = n->low;
    if (high != nullptr) *high = n->high;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_tokenizer_encode(const tokwise_tokenizer* tokenizer, const char* text,
                                        size_t text_len, const tokwise_options* options,
                                        uint32_t* tokens, size_t capacity, size_t* n_tokens) {
  return Guard([&] {
    if (tokenizer == nullptr || n_tokens == nullptr) {
      return InvalidArgument("tokenizer or n_tokens is NULL");
    }
    if (BadText(text, text_len)) return InvalidArgument("text is NULL");
    if (tokens == nullptr && capacity != 0) return InvalidArgument("tokens is NULL");
    tokwise::TokenizeOptions o;
    if (tokwise_status st = ToTokenizeOptions(options, &o); st != TOKWISE_STATUS_OK) return st;
    auto ids = tokenizer->tokenizer->Encode(Text(text, text_len), o);
    if (!ids.ok()) return FromStatus(ids.status());
    *n_tokens = ids->size();
    if (ids->size() > capacity) {
      return tokwise::capi::BufferTooSmall(capacity, ids->size(), "tokens");
    }
    std::copy(ids->begin(), ids->end(), tokens);
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_tokenizer_decode(const tokwise_tokenizer* tokenizer, const uint32_t* tokens,
                                        size_t n, char* buffer, size_t capacity, size_t* length) {
  return Guard([&] {
    if (tokenizer == nullptr || length == nullptr) {
      return InvalidArgument("tokenizer or length is NULL");
    }
    if (tokens == nullptr && n != 0) return InvalidArgument("tokens is NULL");
    if (buffer == nullptr && capacity != 0) return InvalidArgument("buffer is NULL");
    auto text = tokenizer->tokenizer->Decode(absl::Span<const tokwise::TokenId>(tokens, n));
    if (!text.ok()) return FromStatus(text.status());
    return CopyBytes(*text, buffer, capacity, length);
  });
}

// ---- Chat: options and cache --------------------------------------------------------------

const char* tokwise_count_kind_name(tokwise_count_kind kind) {
  const int k = static_cast<int>(kind);
  if (k < 0 || k >= static_cast<int>(tokwise::kNumCountKinds)) return nullptr;
  try {
    // Copied once into strings: a string_view promises no terminating NUL.
    static const std::vector<std::string>* const kNames = [] {
      auto* names = new std::vector<std::string>();
      for (size_t i = 0; i < tokwise::kNumCountKinds; ++i) {
        names->emplace_back(tokwise::CountKindName(static_cast<tokwise::CountKind>(i)));
      }
      return names;
    }();
    return (*kNames)[static_cast<size_t>(k)].c_str();
  } catch (...) {
    return nullptr;  // Out of memory on first use; a later call tries again.
  }
}

tokwise_status tokwise_chat_options_create(tokwise_chat_options** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    *out = new tokwise_chat_options();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_chat_options_free(tokwise_chat_options* options) { delete options; }

tokwise_status tokwise_chat_options_set_model(tokwise_chat_options* options, const char* model) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->options.model = model == nullptr ? "" : model;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_chat_options_set_format(tokwise_chat_options* options,
                                               tokwise_chat_format format) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    if (!ToChatFormat(format, &options->format)) {
      return InvalidArgument(absl::StrCat("unknown chat format ", format));
    }
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_chat_options_set_anthropic_text_factor(tokwise_chat_options* options,
                                                              double factor) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    if (!std::isfinite(factor) || factor <= 0) {
      return InvalidArgument(
          absl::StrCat("the Anthropic text factor must be finite and > 0, not ", factor));
    }
    options->options.anthropic_text_factor = factor;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_chat_options_set_unknown_image_size(tokwise_chat_options* options,
                                                           uint32_t width, uint32_t height) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->options.unknown_image_width = width;
    options->options.unknown_image_height = height;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_chat_options_set_cache(tokwise_chat_options* options,
                                              const tokwise_chat_cache* cache) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->cache = cache == nullptr ? nullptr : cache->cache;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_chat_cache_create(size_t max_entries, tokwise_chat_cache** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    auto handle = std::make_unique<tokwise_chat_cache>();
    handle->cache = max_entries == 0 ? std::make_shared<tokwise::MessageCountCache>()
                                     : std::make_shared<tokwise::MessageCountCache>(max_entries);
    *out = handle.release();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_chat_cache_free(tokwise_chat_cache* cache) { delete cache; }

uint64_t tokwise_chat_cache_hits(const tokwise_chat_cache* cache) {
  return cache == nullptr ? 0 : cache->cache->hits();
}

uint64_t tokwise_chat_cache_misses(const tokwise_chat_cache* cache) {
  return cache == nullptr ? 0 : cache->cache->misses();
}

// ---- Chat: counting -----------------------------------------------------------------------

tokwise_status tokwise_chat_count_request(const char* body, size_t body_len,
                                          const tokwise_chat_options* options,
                                          tokwise_chat_count** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    if (BadText(body, body_len)) return InvalidArgument("body is NULL");
    auto handle = std::make_unique<tokwise_chat_count>();
    tokwise_status st = tokwise::capi::CountChat(Text(body, body_len), options, {}, handle.get());
    if (st != TOKWISE_STATUS_OK) return st;
    *out = handle.release();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_chat_count_free(tokwise_chat_count* count) { delete count; }

uint64_t tokwise_chat_count_total(const tokwise_chat_count* count) {
  return count == nullptr ? 0 : count->count.total;
}

uint64_t tokwise_chat_count_of_kind(const tokwise_chat_count* count, tokwise_count_kind kind) {
  const int k = static_cast<int>(kind);
  if (count == nullptr || k < 0 || k >= static_cast<int>(tokwise::kNumCountKinds)) return 0;
  return count->count.by_kind[static_cast<size_t>(k)];
}

tokwise_exactness tokwise_chat_count_exactness(const tokwise_chat_count* count) {
  return count == nullptr ? TOKWISE_EXACTNESS_ESTIMATE
                          : tokwise::capi::ToExactness(count->count.label);
}

const char* tokwise_chat_count_model(const tokwise_chat_count* count) {
  return count == nullptr ? "" : count->count.model.c_str();
}

const char* tokwise_chat_count_encoding(const tokwise_chat_count* count) {
  return count == nullptr ? "" : count->count.encoding.c_str();
}

const char* tokwise_chat_count_provider(const tokwise_chat_count* count) {
  if (count == nullptr) return "";
  return count->count.provider == tokwise::Provider::kAnthropic ? "anthropic" : "openai";
}

int64_t tokwise_chat_count_max_output_tokens(const tokwise_chat_count* count) {
  return count == nullptr ? -1 : count->max_output_tokens;
}

uint32_t tokwise_chat_count_uncounted_parts(const tokwise_chat_count* count) {
  return count == nullptr ? 0 : count->count.uncounted_parts;
}

size_t tokwise_chat_count_note_count(const tokwise_chat_count* count) {
  return count == nullptr ? 0 : count->count.notes.size();
}

const char* tokwise_chat_count_note(const tokwise_chat_count* count, size_t index) {
  if (count == nullptr || index >= count->count.notes.size()) return nullptr;
  return count->count.notes[index].c_str();
}

size_t tokwise_chat_count_message_count(const tokwise_chat_count* count) {
  return count == nullptr ? 0 : count->count.message_tokens.size();
}

uint64_t tokwise_chat_count_message_tokens(const tokwise_chat_count* count, size_t index) {
  if (count == nullptr || index >= count->count.message_tokens.size()) return 0;
  return count->count.message_tokens[index];
}

}  // extern "C"
