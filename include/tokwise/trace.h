// tokwise/trace.h: agent traces read into model calls.
//
// A trace is what an application recorded of its model calls: request logs, a conversation, an
// agent framework's trajectory, telemetry spans. Whatever its form, tokwise reads it into the
// same shape: a list of calls, each naming the chat request it sent (its prompt), the reply it
// got (if recorded), what the provider billed for it (if recorded), and who made it (thread,
// agent, workflow, user). tokwise/report.h turns that into the layer-by-layer account.
//
//   absl::StatusOr<tokwise::Trace> t = tokwise::ReadTraceFile("run.traj");   // format detected
//   if (!t.ok()) return t.status();          // "run.traj: $.history[4].role: unknown role 'bot'"
//   for (const tokwise::TraceCall& c : t->calls) { ... t->requests[c.request] ... }
//
// Formats (TraceFormat; detected from the content, see DetectTraceFormat):
//
// * kRequestLog: JSONL, one call per line. A line is a request body (OpenAI Chat Completions,
//   OpenAI Responses or Anthropic Messages, as in tokwise/chat.h), or an object wrapping one:
//   "request" / "body" / "request_body" hold the body; "response" holds the provider's reply
//   (an OpenAI chat.completion, a Responses response, an Anthropic message; or a batch-output
//   {"status_code", "body"}); "usage" (top level, else the response's) is what was billed.
//   Who made the call: "metadata" (or the top level, or the body's own "metadata") keys
//   agent / agent_name, workflow / workflow_id / trace_id, user / user_id (else the body's
//   OpenAI "user" field), thread / thread_id / session_id / conversation_id. When: "timestamp"
//   / "time" / "start_time" (ISO 8601 or Unix seconds) or the response's "created".
// * kConversation: one whole conversation as a single JSON document: a request body whose
//   "messages" hold the history, or a bare array of messages. Each assistant message is the
//   reply of one call that sent everything before it. A request body whose history ends
//   with non-assistant messages is also one more call (the request itself, reply unknown).
// * kSweAgent: a SWE-agent trajectory (.traj): "history" messages (role, content, tool_calls,
//   "agent"), billed totals from info.model_stats (tokens_sent, tokens_received, api_calls,
//   instance_cost), model from replay_config when present. Each agent is its own thread.
// * kMiniSweAgent: a mini-swe-agent trajectory: {"messages": [...], "info": {"model_stats",
//   "config"}} (or, in its first form, a bare list of messages; that reads as kConversation).
// * kOpenHands: OpenHands event streams: an evaluation output (JSONL of {"instance_id",
//   "history", "metrics", "metadata"}) or a bare list of events. The prompt is rebuilt from
//   the events (see the TODO in lib/report/read_agents.cc for what the event log lacks);
//   each distinct model_response is one call, with its usage as billed.
// * kOtel: OpenTelemetry GenAI spans exported as JSON: OTLP/JSON ({"resourceSpans": ...},
//   one document or one per line) or a list of spans with attributes as an object. A chat
//   span carries its prompt in gen_ai.input.messages / gen_ai.system_instructions /
//   gen_ai.tool.definitions (current conventions), in gen_ai.{system,user,assistant,tool}
//   .message and gen_ai.choice span events (conventions up to 1.36), or in gen_ai.prompt.N.*
//   / gen_ai.completion.N.* attributes (OpenLLMetry); usage in gen_ai.usage.input_tokens /
//   output_tokens (or prompt_tokens / completion_tokens), with
//   gen_ai.usage.cache_read.input_tokens inside the input count. Agent from gen_ai.agent.name
//   (on the span or an ancestor), thread from gen_ai.conversation.id / session.id, workflow
//   from the trace id, user from user.id / enduser.id.
// * kAider: an aider chat transcript (.aider.chat.history.md): sessions ("# aider chat
//   started at"), their model ("> Model:" / "> Models:"), user turns ("#### "), replies, and
//   aider's per-call "> Tokens: N sent, M received" lines as billed.
//
// Thread safety: plain values and pure functions.
#ifndef TOKWISE_TRACE_H_
#define TOKWISE_TRACE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tokwise/catalog.h"
#include "tokwise/chat.h"
#include "tokwise/usage.h"

namespace tokwise {

enum class TraceFormat {
  kAuto,
  kRequestLog,
  kConversation,
  kSweAgent,
  kMiniSweAgent,
  kOpenHands,
  kOtel,
  kAider,
};

// "auto", "request-log", "conversation", "swe-agent", "mini-swe-agent", "openhands", "otel",
// "aider".
std::string_view TraceFormatName(TraceFormat format);
// The inverse of TraceFormatName; nullopt for an unknown name.
std::optional<TraceFormat> TraceFormatFromName(std::string_view name);

// What the provider billed for one call, as the trace records it.
struct BilledCall {
  NormalizedUsage usage;
  // Counts the trace printed rounded (aider's "12.3k sent"): compare loosely.
  bool approximate = false;
  // Where the numbers come from: "response usage", "OpenHands model_response.usage", ...
  std::string source;
};

// Totals the trace states for a whole run (SWE-agent model_stats, OpenHands metrics).
struct BilledTotals {
  std::string source;    // "SWE-agent info.model_stats"
  std::string workflow;  // The workflow (run) they cover; its calls are those with this name.
  std::optional<uint64_t> input_tokens;  // Every prompt-side token, cache reads included.
  std::optional<uint64_t> output_tokens;
  std::optional<uint64_t> cache_read_tokens;
  std::optional<uint64_t> cache_write_tokens;
  std::optional<uint64_t> calls;
  std::optional<PicoUsd> cost;  // Read exactly from its decimal text.
  std::string cost_text;        // The cost as the trace writes it ("1.26719").
};

// One model call.
struct TraceCall {
  // The prompt: Trace::requests[request]'s tools and its first `prompt_messages` messages.
  uint32_t request = 0;
  uint32_t prompt_messages = 0;
  // The reply: Trace::requests[output_request].messages[output_message, output_message +
  // output_count) (a Responses reply can be several items), or none (output_request -1).
  int32_t output_request = -1;
  uint32_t output_message = 0;
  uint32_t output_count = 0;

  // Calls of one thread share a growing context (one agent run, one conversation). Empty
  // thread: the report threads calls by their content (see tokwise/report.h).
  std::string thread;
  std::string agent;     // Empty: the thread's name.
  std::string workflow;  // Empty: the file.
  std::string user;
  std::string model;  // As the trace names it; empty if it does not.
  // Start time in milliseconds (since the Unix epoch when the trace says so); -1 = unknown.
  int64_t time_ms = -1;
  std::optional<BilledCall> billed;
  // Where the call is in the file, for messages: "line 12", "$.history[7]".
  std::string where;
};

struct Trace {
  std::string name;  // The file name given to the reader.
  TraceFormat format = TraceFormat::kAuto;
  // The requests the calls point into. Conversation formats hold one request per
  // conversation, and its calls take growing prefixes of it: the history is stored once.
  std::vector<ChatRequest> requests;
  std::vector<TraceCall> calls;  // In the order the trace records them.
  std::vector<BilledTotals> billed_totals;
  // What the reader had to assume or could not read, one line each.
  std::vector<std::string> notes;
  size_t bytes = 0;  // Size of the input.
};

// Detects the format of a trace from its content (`name` only helps: a ".md" name with aider
// headings is kAider). InvalidArgument, saying what was seen, if no format fits.
absl::StatusOr<TraceFormat> DetectTraceFormat(std::string_view bytes, std::string_view name = "");

// Reads a trace. `name` prefixes every error ("run.jsonl: line 3: messages[1].role: ...").
// Errors (InvalidArgument): malformed JSON (with line and column), a document of another
// format than `format`, wrong types or missing fields at a named JSON path, a call whose
// request does not parse (tokwise/chat.h's errors, prefixed with the line or path).
absl::StatusOr<Trace> ReadTrace(std::string_view bytes, std::string_view name,
                                TraceFormat format = TraceFormat::kAuto);

// Reads a file and calls ReadTrace(). NotFound / PermissionDenied name the path.
absl::StatusOr<Trace> ReadTraceFile(const std::string& path,
                                    TraceFormat format = TraceFormat::kAuto);

}  // namespace tokwise

#endif  // TOKWISE_TRACE_H_
