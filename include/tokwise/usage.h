// tokwise/usage.h: a provider's `usage` object, read into billing buckets.
//
// Providers report what they billed in different shapes, and the most common cost bugs are
// misreadings of them. The rules applied here:
//   - OpenAI (Chat Completions and Responses) and Gemini count cached tokens INSIDE the
//     prompt count: uncached = prompt - cached.
//   - Anthropic counts cache reads and cache writes BESIDE input_tokens: uncached =
//     input_tokens, and the cache buckets are added to it, not taken out of it.
//   - OpenAI reasoning tokens are INSIDE completion/output tokens (never added again).
//   - Gemini thought tokens are BESIDE candidate tokens: output = candidates + thoughts.
// Reasoning is billed as output; it is also reported on its own.
//
//   absl::StatusOr<tokwise::NormalizedUsage> u = tokwise::NormalizeUsage(
//       R"({"prompt_tokens": 2006, "completion_tokens": 300,
//           "prompt_tokens_details": {"cached_tokens": 1920}})");
//   // u->uncached_input == 86, u->cache_read == 1920, u->output == 300
//
// Thread safety: every function here may be called from any number of threads at once.
#ifndef TOKWISE_USAGE_H_
#define TOKWISE_USAGE_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace tokwise {

enum class UsageFormat {
  kAuto,             // Detect from the field names (see NormalizeUsage).
  kOpenAiChat,       // prompt_tokens, completion_tokens, *_details.
  kOpenAiResponses,  // input_tokens, output_tokens, input_tokens_details, output_tokens_details.
  kAnthropic,        // input_tokens, output_tokens, cache_creation_input_tokens, ...
  kGemini,           // usageMetadata: promptTokenCount, candidatesTokenCount, ...
};

// Name of a format: "openai-chat", "openai-responses", "anthropic", "gemini", "auto".
std::string_view UsageFormatName(UsageFormat format);

// Billing buckets. Every prompt-side token is in exactly one of the first four buckets.
struct NormalizedUsage {
  UsageFormat format = UsageFormat::kAuto;  // The format that was read.
  uint64_t uncached_input = 0;              // Input billed at the full input price.
  uint64_t cache_read = 0;                  // Input read from the prompt cache.
  uint64_t cache_write_5m = 0;              // Input written to a 5-minute cache (Anthropic).
  uint64_t cache_write_1h = 0;              // Input written to a 1-hour cache (Anthropic).
  uint64_t output = 0;                      // Output, reasoning / thoughts included.
  uint64_t reasoning = 0;                   // Of `output`, the reasoning / thought tokens.
  // Audio tokens reported by OpenAI (prompt/completion_tokens_details.audio_tokens). They are
  // part of the buckets above but billed at audio prices, which the catalog does not hold:
  // pricing refuses a usage with audio rather than price it as text.
  uint64_t audio_input = 0;
  uint64_t audio_output = 0;

  // Every prompt-side token (the count long-context thresholds compare against).
  uint64_t input_total() const {
    return uncached_input + cache_read + cache_write_5m + cache_write_1h;
  }
  uint64_t total() const { return input_total() + output; }
};

// Reads a usage object. `json` may be the usage object itself or a whole response that holds
// it: {"usage": {...}} (OpenAI, Anthropic), {"usageMetadata": {...}} (Gemini), or an event
// that wraps the response ({"response": {"usage": ...}}, {"message": {"usage": ...}}).
//
// With UsageFormat::kAuto the format is told by its fields: promptTokenCount /
// candidatesTokenCount / totalTokenCount -> Gemini; prompt_tokens / completion_tokens ->
// OpenAI Chat; input_tokens with input_tokens_details / output_tokens_details -> OpenAI
// Responses; otherwise input_tokens / output_tokens -> Anthropic (with no cache or details
// fields the two conventions give the same buckets).
//
// Rules per format:
//   OpenAI Chat: prompt_tokens and completion_tokens are required; cached =
//     prompt_tokens_details.cached_tokens, reasoning = completion_tokens_details.
//     reasoning_tokens; total_tokens, when present, must equal prompt + completion.
//   OpenAI Responses: input_tokens and output_tokens are required; cached =
//     input_tokens_details.cached_tokens, reasoning = output_tokens_details.reasoning_tokens;
//     total_tokens, when present, must equal input + output.
//   Anthropic: input_tokens and output_tokens are required. cache_creation.
//     ephemeral_5m_input_tokens / ephemeral_1h_input_tokens split the writes; without that
//     object every write in cache_creation_input_tokens is a 5-minute write (the default
//     TTL); with both, their sum must equal cache_creation_input_tokens.
//   Gemini: fields left out are zero (Gemini omits zero counts, as proto3 JSON does), but at
//     least promptTokenCount or totalTokenCount must be present. uncached = promptTokenCount
//     - cachedContentTokenCount + toolUsePromptTokenCount; output = candidatesTokenCount +
//     thoughtsTokenCount.
// Explicit JSON null counts as absent. Unknown fields are ignored; with an explicit `format`,
// so are the fields of the other formats (LiteLLM, for one, adds Anthropic cache fields to
// OpenAI-shaped usage; kAuto refuses such a mixture rather than guess).
//
// Errors (InvalidArgument, naming the JSON path, e.g. "$.usage.prompt_tokens_details.
// cached_tokens"): malformed JSON; a count that is negative, fractional, not a number or
// above 2^53; a required field missing; impossible usage (cached > prompt, reasoning >
// completion, a 5m/1h split that does not add up, a total that disagrees); no usage found;
// with kAuto, fields of two formats in one object.
absl::StatusOr<NormalizedUsage> NormalizeUsage(std::string_view json,
                                               UsageFormat format = UsageFormat::kAuto);

}  // namespace tokwise

#endif  // TOKWISE_USAGE_H_
