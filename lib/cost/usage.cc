// Reading provider usage objects into billing buckets (see tokwise/usage.h for the rules).
#include "tokwise/usage.h"

#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/json_depth.h"
#include "cost/json_util.h"
#include "simdjson.h"

namespace tokwise {

using cost_internal::PathError;
using cost_internal::SimdjsonError;
namespace od = simdjson::ondemand;

std::string_view UsageFormatName(UsageFormat format) {
  switch (format) {
    case UsageFormat::kAuto:
      return "auto";
    case UsageFormat::kOpenAiChat:
      return "openai-chat";
    case UsageFormat::kOpenAiResponses:
      return "openai-responses";
    case UsageFormat::kAnthropic:
      return "anthropic";
    case UsageFormat::kGemini:
      return "gemini";
  }
  return "unknown";
}

namespace {

// Counts above 2^53 are not token counts a provider sends (and JavaScript clients could not
// have read them exactly): reject them rather than carry a dubious number into a bill.
constexpr uint64_t kMaxCount = uint64_t{1} << 53;

// The fields we read. Each has a group (the format it belongs to) and a name relative to the
// usage object, used in error paths.
enum Field : int {
  // OpenAI Chat Completions.
  kPromptTokens,
  kCompletionTokens,
  kChatCached,     // prompt_tokens_details.cached_tokens
  kChatAudioIn,    // prompt_tokens_details.audio_tokens
  kChatReasoning,  // completion_tokens_details.reasoning_tokens
  kChatAudioOut,   // completion_tokens_details.audio_tokens
  // Shared by OpenAI Responses and Anthropic.
  kInputTokens,
  kOutputTokens,
  // OpenAI Responses.
  kRespCached,     // input_tokens_details.cached_tokens
  kRespReasoning,  // output_tokens_details.reasoning_tokens
  // Anthropic.
  kCacheCreation,  // cache_creation_input_tokens
  kCacheRead,      // cache_read_input_tokens
  kEph5m,          // cache_creation.ephemeral_5m_input_tokens
  kEph1h,          // cache_creation.ephemeral_1h_input_tokens
  // OpenAI, either API.
  kTotalTokens,
  // Gemini.
  kGPrompt,
  kGCandidates,
  kGCached,
  kGThoughts,
  kGToolUse,
  kGTotal,
  kFieldCount,
};

const char* const kFieldNames[kFieldCount] = {
    "prompt_tokens",
    "completion_tokens",
    "prompt_tokens_details.cached_tokens",
    "prompt_tokens_details.audio_tokens",
    "completion_tokens_details.reasoning_tokens",
    "completion_tokens_details.audio_tokens",
    "input_tokens",
    "output_tokens",
    "input_tokens_details.cached_tokens",
    "output_tokens_details.reasoning_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
    "total_tokens",
    "promptTokenCount",
    "candidatesTokenCount",
    "cachedContentTokenCount",
    "thoughtsTokenCount",
    "toolUsePromptTokenCount",
    "totalTokenCount",
};

// Which fields show which format (for detection and for rejecting mixtures).
constexpr uint32_t Bit(Field f) { return uint32_t{1} << f; }
constexpr uint32_t kChatOnly = Bit(kPromptTokens) | Bit(kCompletionTokens) | Bit(kChatCached) |
                               Bit(kChatAudioIn) | Bit(kChatReasoning) | Bit(kChatAudioOut);
constexpr uint32_t kResponsesOnly = Bit(kRespCached) | Bit(kRespReasoning);
constexpr uint32_t kAnthropicOnly =
    Bit(kCacheCreation) | Bit(kCacheRead) | Bit(kEph5m) | Bit(kEph1h);
constexpr uint32_t kGeminiOnly = Bit(kGPrompt) | Bit(kGCandidates) | Bit(kGCached) |
                                 Bit(kGThoughts) | Bit(kGToolUse) | Bit(kGTotal);

struct Raw {
  uint64_t value[kFieldCount] = {};
  uint32_t present = 0;
  // Object flags (details objects seen, even if empty).
  bool responses_details = false;
  bool cache_creation_object = false;
  const char* path = nullptr;  // JSON path of the usage object.

  bool Has(Field f) const { return (present & Bit(f)) != 0; }
  uint64_t Get(Field f) const { return value[f]; }
};

std::string FieldPath(const Raw& raw, Field f) {
  return absl::StrCat(raw.path, ".", kFieldNames[f]);
}

// The key of a field without copying it: keys with no escapes (all usage keys) are read in
// place; a key with a backslash goes through simdjson's unescaping.
absl::Status FieldKey(od::field& field, std::string_view path, std::string_view* key) {
  const char* start = field.key().raw();
  const char* end = start;
  // The key is a complete JSON string (checked by simdjson's first stage), so the scan stops
  // at its closing quote at the latest.
  while (*end != '"' && *end != '\\') ++end;
  if (*end == '"') {
    *key = std::string_view(start, static_cast<size_t>(end - start));
    return absl::OkStatus();
  }
  if (auto err = field.unescaped_key().get(*key)) return SimdjsonError(path, err);
  return absl::OkStatus();
}

// Reads one count into raw; null leaves it absent.
absl::Status ReadField(od::value value, Raw* raw, Field f) {
  // Fast path: the common case is a plain unsigned integer.
  uint64_t n = 0;
  if (value.get_uint64().get(n) == simdjson::SUCCESS && n <= kMaxCount) {
    raw->value[f] = n;
    raw->present |= Bit(f);
    return absl::OkStatus();
  }
  bool is_null = false;
  if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) return absl::OkStatus();
  auto checked = cost_internal::ReadCount(value, FieldPath(*raw, f), kMaxCount);
  if (!checked.ok()) return checked.status();
  raw->value[f] = *checked;
  raw->present |= Bit(f);
  return absl::OkStatus();
}

// For a details object: returns false (and no error) when the value is null.
absl::Status OpenObject(od::value value, const Raw& raw, std::string_view name, od::object* obj,
                        bool* is_object) {
  *is_object = false;
  od::json_type type;
  if (auto err = value.type().get(type)) {
    return SimdjsonError(absl::StrCat(raw.path, ".", std::string(name)), err);
  }
  if (type == od::json_type::null) return absl::OkStatus();
  if (type != od::json_type::object) {
    return PathError(
        absl::StrCat(raw.path, ".", std::string(name)),
        absl::StrCat("expected an object, got ", std::string(cost_internal::JsonTypeName(type))));
  }
  if (auto err = value.get_object().get(*obj)) {
    return SimdjsonError(absl::StrCat(raw.path, ".", std::string(name)), err);
  }
  *is_object = true;
  return absl::OkStatus();
}

// Reads the fields of a details object: `names` maps keys to fields.
template <size_t N>
absl::Status ReadDetails(od::value value, Raw* raw, std::string_view object_name,
                         const std::pair<std::string_view, Field> (&names)[N]) {
  od::object obj;
  bool is_object = false;
  if (auto s = OpenObject(value, *raw, object_name, &obj, &is_object); !s.ok() || !is_object) {
    return s;
  }
  for (auto field_result : obj) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) {
      return SimdjsonError(absl::StrCat(raw->path, ".", std::string(object_name)), err);
    }
    std::string_view key;
    if (auto s = FieldKey(field, raw->path, &key); !s.ok()) return s;
    for (const auto& [name, f] : names) {
      if (key == name) {
        if (auto s = ReadField(field.value(), raw, f); !s.ok()) return s;
        break;
      }
    }
  }
  return absl::OkStatus();
}

// Handles one key of a usage object. Returns true in *known if the key is a usage field.
absl::Status ReadUsageKey(std::string_view key, od::value value, Raw* raw, bool* known) {
  *known = true;
  switch (key.empty() ? '\0' : key[0]) {
    case 'p':
      if (key == "prompt_tokens") return ReadField(value, raw, kPromptTokens);
      if (key == "promptTokenCount") return ReadField(value, raw, kGPrompt);
      if (key == "prompt_tokens_details") {
        static const std::pair<std::string_view, Field> kNames[] = {{"cached_tokens", kChatCached},
                                                                    {"audio_tokens", kChatAudioIn}};
        return ReadDetails(value, raw, key, kNames);
      }
      break;
    case 'c':
      if (key == "completion_tokens") return ReadField(value, raw, kCompletionTokens);
      if (key == "cache_creation_input_tokens") return ReadField(value, raw, kCacheCreation);
      if (key == "cache_read_input_tokens") return ReadField(value, raw, kCacheRead);
      if (key == "candidatesTokenCount") return ReadField(value, raw, kGCandidates);
      if (key == "cachedContentTokenCount") return ReadField(value, raw, kGCached);
      if (key == "completion_tokens_details") {
        static const std::pair<std::string_view, Field> kNames[] = {
            {"reasoning_tokens", kChatReasoning}, {"audio_tokens", kChatAudioOut}};
        return ReadDetails(value, raw, key, kNames);
      }
      if (key == "cache_creation") {
        static const std::pair<std::string_view, Field> kNames[] = {
            {"ephemeral_5m_input_tokens", kEph5m}, {"ephemeral_1h_input_tokens", kEph1h}};
        raw->cache_creation_object = true;
        return ReadDetails(value, raw, key, kNames);
      }
      break;
    case 'i':
      if (key == "input_tokens") return ReadField(value, raw, kInputTokens);
      if (key == "input_tokens_details") {
        static const std::pair<std::string_view, Field> kNames[] = {{"cached_tokens", kRespCached}};
        raw->responses_details = true;
        return ReadDetails(value, raw, key, kNames);
      }
      break;
    case 'o':
      if (key == "output_tokens") return ReadField(value, raw, kOutputTokens);
      if (key == "output_tokens_details") {
        static const std::pair<std::string_view, Field> kNames[] = {
            {"reasoning_tokens", kRespReasoning}};
        raw->responses_details = true;
        return ReadDetails(value, raw, key, kNames);
      }
      break;
    case 't':
      if (key == "total_tokens") return ReadField(value, raw, kTotalTokens);
      if (key == "totalTokenCount") return ReadField(value, raw, kGTotal);
      if (key == "thoughtsTokenCount") return ReadField(value, raw, kGThoughts);
      if (key == "toolUsePromptTokenCount") return ReadField(value, raw, kGToolUse);
      break;
    default:
      break;
  }
  *known = false;
  return absl::OkStatus();
}

// Reads every field of a usage object at `path`.
absl::Status ReadUsageObject(od::value value, const char* path, Raw* raw) {
  if (raw->path != nullptr) {
    return PathError(path, absl::StrCat("a second usage object (the first is at ", raw->path, ")"));
  }
  raw->path = path;
  od::object obj;
  if (auto err = value.get_object().get(obj)) {
    if (err == simdjson::INCORRECT_TYPE) return PathError(path, "expected a usage object");
    return SimdjsonError(path, err);
  }
  for (auto field_result : obj) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) return SimdjsonError(path, err);
    std::string_view key;
    if (auto s = FieldKey(field, path, &key); !s.ok()) return s;
    bool known = false;
    if (auto s = ReadUsageKey(key, field.value(), raw, &known); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// A wrapper ({"response": {...}} or {"message": {...}}): looks for its usage object.
absl::Status ReadWrapper(od::value value, std::string_view name, Raw* raw) {
  od::json_type type;
  if (value.type().get(type) || type != od::json_type::object) return absl::OkStatus();
  od::object obj;
  if (auto err = value.get_object().get(obj))
    return SimdjsonError(absl::StrCat("$.", std::string(name)), err);
  const bool response = name == "response";
  const std::string path = absl::StrCat("$.", std::string(name));
  for (auto field_result : obj) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) return SimdjsonError(path, err);
    std::string_view key;
    if (auto s = FieldKey(field, path, &key); !s.ok()) return s;
    if (key == "usage") {
      od::json_type t;
      if (field.value().type().get(t) == simdjson::SUCCESS && t == od::json_type::null) continue;
      return ReadUsageObject(field.value(), response ? "$.response.usage" : "$.message.usage", raw);
    }
    if (key == "usageMetadata") {
      return ReadUsageObject(
          field.value(), response ? "$.response.usageMetadata" : "$.message.usageMetadata", raw);
    }
  }
  return absl::OkStatus();
}

// Per-thread parser and padded copy of the input, reused across calls (the usage object is
// small; building a parser per call would cost more than reading it).
struct ThreadState {
  od::parser parser;
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0;
};

std::string ListFields(uint32_t mask) {
  std::string out;
  for (int f = 0; f < kFieldCount; ++f) {
    if ((mask & (uint32_t{1} << f)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += kFieldNames[f];
  }
  return out;
}

absl::StatusOr<UsageFormat> Detect(const Raw& raw) {
  const uint32_t p = raw.present;
  const bool gemini = (p & kGeminiOnly) != 0;
  const bool chat = (p & kChatOnly) != 0;
  const bool responses = (p & kResponsesOnly) != 0 || raw.responses_details;
  const bool anthropic = (p & kAnthropicOnly) != 0 || raw.cache_creation_object;
  // input_tokens / output_tokens belong to the Responses and Anthropic shapes: beside Chat's
  // prompt_tokens they are a second, conflicting reading of the same call.
  const bool in_out = (p & (Bit(kInputTokens) | Bit(kOutputTokens))) != 0;
  const int kinds = int{gemini} + int{chat} + int{responses} + int{anthropic};
  if (kinds > 1 || (chat && in_out)) {
    return PathError(raw.path, absl::StrCat("fields of more than one provider format (",
                                            ListFields(p), "); name the format explicitly"));
  }
  if (gemini) return UsageFormat::kGemini;
  if (chat) return UsageFormat::kOpenAiChat;
  if (responses) return UsageFormat::kOpenAiResponses;
  // Anthropic fields, or plain input/output tokens: with no cache or details fields the
  // Anthropic and OpenAI Responses readings give the same buckets.
  return UsageFormat::kAnthropic;
}

absl::Status Missing(const Raw& raw, Field f) {
  return PathError(raw.path, absl::StrCat("missing ", kFieldNames[f]));
}

absl::Status Exceeds(const Raw& raw, Field part, Field whole) {
  return PathError(FieldPath(raw, part),
                   absl::StrCat(raw.Get(part), " exceeds ", kFieldNames[whole], " ", raw.Get(whole),
                                ": impossible usage"));
}

// OpenAI, either API: cached and reasoning are inside the totals.
absl::StatusOr<NormalizedUsage> FromOpenAi(const Raw& raw, Field in, Field out, Field cached,
                                           Field reasoning, Field audio_in, Field audio_out) {
  if (!raw.Has(in)) return Missing(raw, in);
  if (!raw.Has(out)) return Missing(raw, out);
  if (raw.Get(cached) > raw.Get(in)) return Exceeds(raw, cached, in);
  if (raw.Get(reasoning) > raw.Get(out)) return Exceeds(raw, reasoning, out);
  if (audio_in != kFieldCount && raw.Get(audio_in) > raw.Get(in)) return Exceeds(raw, audio_in, in);
  if (audio_out != kFieldCount && raw.Get(audio_out) > raw.Get(out)) {
    return Exceeds(raw, audio_out, out);
  }
  if (raw.Has(kTotalTokens) && raw.Get(kTotalTokens) != raw.Get(in) + raw.Get(out)) {
    return PathError(
        FieldPath(raw, kTotalTokens),
        absl::StrCat(raw.Get(kTotalTokens), " is not ", kFieldNames[in], " + ", kFieldNames[out],
                     " = ", raw.Get(in) + raw.Get(out), ": impossible usage"));
  }
  NormalizedUsage u;
  u.uncached_input = raw.Get(in) - raw.Get(cached);
  u.cache_read = raw.Get(cached);
  u.output = raw.Get(out);
  u.reasoning = raw.Get(reasoning);
  if (audio_in != kFieldCount) u.audio_input = raw.Get(audio_in);
  if (audio_out != kFieldCount) u.audio_output = raw.Get(audio_out);
  return u;
}

absl::StatusOr<NormalizedUsage> FromAnthropic(const Raw& raw) {
  if (!raw.Has(kInputTokens)) return Missing(raw, kInputTokens);
  if (!raw.Has(kOutputTokens)) return Missing(raw, kOutputTokens);
  NormalizedUsage u;
  u.uncached_input = raw.Get(kInputTokens);
  u.cache_read = raw.Get(kCacheRead);
  u.output = raw.Get(kOutputTokens);
  if (raw.Has(kEph5m) || raw.Has(kEph1h)) {
    const uint64_t split = raw.Get(kEph5m) + raw.Get(kEph1h);
    if (raw.Has(kCacheCreation) && split != raw.Get(kCacheCreation)) {
      return PathError(absl::StrCat(raw.path, ".cache_creation"),
                       absl::StrCat("ephemeral_5m_input_tokens + ephemeral_1h_input_tokens = ",
                                    split, " but cache_creation_input_tokens is ",
                                    raw.Get(kCacheCreation), ": impossible usage"));
    }
    u.cache_write_5m = raw.Get(kEph5m);
    u.cache_write_1h = raw.Get(kEph1h);
  } else {
    // Without the split every write is a 5-minute write (the default TTL).
    u.cache_write_5m = raw.Get(kCacheCreation);
  }
  return u;
}

absl::StatusOr<NormalizedUsage> FromGemini(const Raw& raw) {
  if (!raw.Has(kGPrompt) && !raw.Has(kGTotal)) return Missing(raw, kGPrompt);
  if (raw.Get(kGCached) > raw.Get(kGPrompt)) return Exceeds(raw, kGCached, kGPrompt);
  NormalizedUsage u;
  u.uncached_input = raw.Get(kGPrompt) - raw.Get(kGCached) + raw.Get(kGToolUse);
  u.cache_read = raw.Get(kGCached);
  // Thoughts are counted beside the candidates and billed as output.
  u.output = raw.Get(kGCandidates) + raw.Get(kGThoughts);
  u.reasoning = raw.Get(kGThoughts);
  return u;
}

}  // namespace

absl::StatusOr<NormalizedUsage> NormalizeUsage(std::string_view json, UsageFormat format) {
  if (absl::Status deep = base::CheckJsonDepth(json); !deep.ok()) return deep;
  thread_local ThreadState state;
  const size_t need = json.size() + simdjson::SIMDJSON_PADDING;
  if (state.capacity < need) {
    state.capacity = need < 4096 ? 4096 : need * 2;
    state.buffer.reset(new char[state.capacity]);
  }
  std::memcpy(state.buffer.get(), json.data(), json.size());
  std::memset(state.buffer.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);

  od::document doc;
  if (auto err = state.parser.iterate(state.buffer.get(), json.size(), state.capacity).get(doc)) {
    return SimdjsonError("$", err);
  }
  od::object root;
  if (auto err = doc.get_object().get(root)) {
    if (err == simdjson::INCORRECT_TYPE) return PathError("$", "expected a JSON object");
    return SimdjsonError("$", err);
  }

  Raw raw;
  Raw top;  // Usage fields written directly at the top level.
  top.path = "$";
  for (auto field_result : root) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) {
      const char* loc = cost_internal::Location(doc);
      return SimdjsonError("$", err, state.buffer.get(), loc);
    }
    std::string_view key;
    if (auto ks = FieldKey(field, "$", &key); !ks.ok()) return ks;
    absl::Status s;
    if (key == "usage" || key == "usageMetadata") {
      od::json_type t;
      if (field.value().type().get(t) == simdjson::SUCCESS && t == od::json_type::null) continue;
      s = ReadUsageObject(field.value(), key == "usage" ? "$.usage" : "$.usageMetadata", &raw);
    } else if (key == "response" || key == "message") {
      s = ReadWrapper(field.value(), key, &raw);
    } else {
      bool known = false;
      s = ReadUsageKey(key, field.value(), &top, &known);
    }
    if (!s.ok()) return s;
  }
  if (!cost_internal::AtEnd(doc)) {
    const char* loc = cost_internal::Location(doc);
    return SimdjsonError("$", simdjson::TRAILING_CONTENT, state.buffer.get(), loc);
  }
  const bool top_has_usage = top.present != 0 || top.responses_details || top.cache_creation_object;
  if (raw.path != nullptr && top_has_usage) {
    return PathError("$", absl::StrCat("usage fields both at the top level and in ", raw.path));
  }
  if (raw.path == nullptr) {
    if (!top_has_usage) {
      return PathError("$",
                       "no usage found (expected usage fields, \"usage\" or "
                       "\"usageMetadata\")");
    }
    raw = top;
  }
  if (raw.present == 0 && !raw.responses_details && !raw.cache_creation_object) {
    return PathError(raw.path,
                     "no usage fields (expected prompt_tokens, input_tokens or "
                     "promptTokenCount)");
  }

  if (format == UsageFormat::kAuto) {
    auto detected = Detect(raw);
    if (!detected.ok()) return detected.status();
    format = *detected;
  }
  absl::StatusOr<NormalizedUsage> u;
  switch (format) {
    case UsageFormat::kOpenAiChat:
      u = FromOpenAi(raw, kPromptTokens, kCompletionTokens, kChatCached, kChatReasoning,
                     kChatAudioIn, kChatAudioOut);
      break;
    case UsageFormat::kOpenAiResponses:
      u = FromOpenAi(raw, kInputTokens, kOutputTokens, kRespCached, kRespReasoning, kFieldCount,
                     kFieldCount);
      break;
    case UsageFormat::kAnthropic:
      u = FromAnthropic(raw);
      break;
    case UsageFormat::kGemini:
      u = FromGemini(raw);
      break;
    case UsageFormat::kAuto:
      return absl::InternalError("usage format not decided");
  }
  if (u.ok()) u->format = format;
  return u;
}

}  // namespace tokwise
