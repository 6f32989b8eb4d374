// Helpers shared by the trace readers: a writer for the chat request bodies the readers
// synthesize (OpenAI Chat Completions form), JSON access with path-naming errors, and time
// parsing.
#ifndef TOKWISE_LIB_REPORT_TRACE_COMMON_H_
#define TOKWISE_LIB_REPORT_TRACE_COMMON_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/json.h"
#include "simdjson.h"
#include "tokwise/trace.h"

namespace tokwise::report_internal {

namespace dom = simdjson::dom;

// One JSON string escaper for the whole library (lib/base/json.h).
using base::AppendJsonString;

// Compact JSON text of a DOM element.
std::string ToJson(dom::element e);
std::string ToJson(dom::array a);
std::string ToJson(dom::object o);

// Builds an OpenAI Chat Completions request body message by message:
//   BodyWriter w("gpt-4o");
//   w.Message("system", Text("You are ..."));
//   w.AssistantToolCalls(R"([{"id":...}])", "thinking text");
//   std::string body = w.Finish();
class BodyWriter {
 public:
  explicit BodyWriter(std::string_view model);

  // A message whose content is the JSON value `content_json` (a string literal or an array of
  // parts), with optional name / tool_call_id / tool_calls (JSON array) fields.
  void Message(std::string_view role, std::string_view content_json, std::string_view name = "",
               std::string_view tool_call_id = "", std::string_view tool_calls_json = "");
  // As Message() with plain text content.
  void TextMessage(std::string_view role, std::string_view text, std::string_view name = "",
                   std::string_view tool_call_id = "", std::string_view tool_calls_json = "");
  // "tools": a JSON array of OpenAI tool definitions.
  void Tools(std::string_view tools_json);
  size_t messages() const { return messages_; }
  std::string Finish();

 private:
  std::string body_;
  std::string tools_;
  size_t messages_ = 0;
};

// Returns the string at `e[key]`, or "" if absent or not a string.
std::string_view StringOr(dom::element e, std::string_view key, std::string_view fallback = "");
// Returns the unsigned integer at `e[key]` (a non-negative integer, or a float holding one).
std::optional<uint64_t> U64At(dom::element e, std::string_view key);
// The object at `e[key]`, if it is one.
std::optional<dom::object> ObjectAt(dom::element e, std::string_view key);
std::optional<dom::array> ArrayAt(dom::element e, std::string_view key);

// Milliseconds since the Unix epoch from ISO 8601 ("2025-04-30T16:32:54.707474",
// "2024-08-05 19:33:02", with an optional "Z" or +hh:mm offset; no offset = UTC), or from a
// number of seconds (Unix time). nullopt if unreadable.
std::optional<int64_t> ParseTimeMs(std::string_view text);
std::optional<int64_t> TimeMsAt(dom::element e, std::string_view key);

// USD text ("0.53839", 1.26719 as a JSON number) to exact pico-dollars, reading the decimal
// digits (never through a double). nullopt if not a plain non-negative decimal.
std::optional<PicoUsd> ParseUsdPico(std::string_view text);

// "name: " + message, keeping the status code.
absl::Status Prefix(std::string_view name, const absl::Status& s);
absl::Status Invalid(std::string_view name, std::string_view what);

// simdjson's error for malformed JSON, with the byte offset turned into line and column.
absl::Status JsonError(std::string_view name, std::string_view text, simdjson::error_code code,
                       std::string_view where = "");

// Parses `body` (made by BodyWriter or taken from the trace) into a request; errors name
// `where`.
absl::StatusOr<ChatRequest> ParseBody(std::string_view body, std::string_view where,
                                      ChatFormat format = ChatFormat::kAuto);

// Reads a provider usage object (tokwise/usage.h rules). LiteLLM's OpenAI-shaped usage for
// Anthropic models (prompt_tokens with cache_creation_input_tokens / cache_read_input_tokens
// beside prompt_tokens_details.cached_tokens) counts every prompt-side token in prompt_tokens:
// the cache write is taken out of the uncached input. Errors name `where`.
absl::StatusOr<BilledCall> ReadUsage(dom::element usage, std::string_view where,
                                     std::string source);

// Readers of the individual formats (`root` is the parsed document where there is one).
absl::Status ReadRequestLog(std::string_view bytes, Trace* out);
absl::Status ReadConversation(dom::element root, std::string_view text, Trace* out);
absl::Status ReadSweAgent(dom::element root, Trace* out);
absl::Status ReadMiniSweAgent(dom::element root, Trace* out);
absl::Status ReadOpenHands(std::string_view bytes, Trace* out);
absl::Status ReadOtel(std::string_view bytes, Trace* out);
absl::Status ReadAider(std::string_view bytes, Trace* out);

// Adds the calls of a conversation held in `request` (already parsed, appended to
// out->requests at index `request_index`): each assistant message is one call's reply. When
// `trailing_call` is set and the conversation ends with other messages, the whole request is
// one more call without a known reply. `base` holds the per-call fields (thread, agent, ...);
// `where(i)` names the place of message i (i == size: the request) for TraceCall::where.
void AddConversationCalls(uint32_t request_index, bool trailing_call, const TraceCall& base,
                          const std::function<std::string(uint32_t)>& where, Trace* out);

}  // namespace tokwise::report_internal

#endif  // TOKWISE_LIB_REPORT_TRACE_COMMON_H_
