// tokwise/report.h: where every token of an agent trace went, and what it cost.
//
// BuildReport() takes traces (tokwise/trace.h) and gives, for every call: its input by kind
// (system, user, retrieved context, tool definitions, tool calls, tool results, assistant
// text, framing), split into what is new in this call and what was re-sent from earlier
// calls; its output; its cost without and with prompt caching; cumulative totals. Then totals
// per thread, agent, workflow, user and model; the multiplier against a direct answer; the
// biggest wastes (largest re-sent blocks, repeated tool results, the system-prompt tax); the
// cost model's what-ifs applied to the trace; and, where the trace records what the provider
// billed, our reconstruction beside it with the difference.
//
//   std::vector<tokwise::Trace> traces;
//   traces.push_back(*tokwise::ReadTraceFile("run.jsonl"));
//   tokwise::ReportOptions options;
//   options.model = "gpt-4o";                      // for calls whose trace names no model
//   absl::StatusOr<tokwise::Report> r = tokwise::BuildReport(traces, options);
//   std::string text = tokwise::FormatReport(*r);  // or ReportToJson, ReportToHtml
//
// How a trace becomes numbers:
// * Counting: each request is counted once with tokwise/chat.h (CountChatTokens) under its
//   call's model, with a MessageCountCache keyed by message content, so every distinct
//   message is tokenized once however often the history re-sends it: a report costs about
//   its unique text. Counts carry chat.h's labels (exact / calibrated / estimate).
// * New versus re-sent: calls of one thread are compared with the call before: a message
//   (or tool list) that was in the previous call's prompt or reply is re-sent, the rest is
//   new (matched in order by content hash, so an edited or windowed history is handled). A
//   reply's own framing tokens in the next prompt count as new: the model did not write them.
// * Threads: the trace's own thread / session / conversation id, else (request logs) the call
//   continues the thread whose last context is a prefix of its prompt, else the thread whose
//   first user message it shares, else it starts a new one.
// * Cost: each thread becomes a sequence of tokwise/cost_model.h's Scenario, evaluated with
//   the call's catalog model once without prompt caching and once with it; the per-call
//   buckets (uncached, cache read, cache write) come from the cost model. A call whose
//   history was edited rather than appended starts a new cache segment.
//   Approximations, stated: the cost model caches at its own breakpoints (after the pinned
//   prefix and at the end of each call's context), not at the trace's cache_control markers;
//   a call that edits its history is assumed to hit no cache (a provider could still hit
//   the unchanged prefix); calls without timestamps are taken ReportOptions::default_gap_ms
//   apart when checking cache lifetimes.
// * "With caching" is what the provider does when asked: automatic caching for models with a
//   cache-read price and no write price (OpenAI), 5-minute explicit caching otherwise
//   (Anthropic); the baseline for the what-ifs is what the trace did (explicit caching if its
//   requests carry cache_control markers, else the provider's default).
//
// Thread safety: BuildReport and the formatters are pure functions; the progress callback is
// called on the calling thread.
#ifndef TOKWISE_REPORT_H_
#define TOKWISE_REPORT_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tokwise/catalog.h"
#include "tokwise/chat.h"
#include "tokwise/cost_model.h"
#include "tokwise/trace.h"
#include "tokwise/whatif.h"

namespace tokwise {

struct ReportProgress {
  std::string_view stage;  // "counting", "costing".
  uint64_t done = 0;       // Bytes of request text handled so far.
  uint64_t total = 0;
};

struct ReportOptions {
  // The model of calls whose trace names none, or names one the price catalog does not know
  // (a note says which calls). Empty: such calls make BuildReport fail (FailedPrecondition)
  // when the trace names no model, and are reported without costs when it names an unknown
  // one.
  std::string model;
  // A catalog model to add to the what-ifs ("what would the cheaper model have cost").
  std::string cheaper_model;
  // Tokens under the cheaper model's tokenizer per token under the baseline's (1.0 = same).
  double cheaper_token_ratio = 1.0;
  // Claude tokens per o200k_base token (see ChatCountOptions::anthropic_text_factor).
  double anthropic_text_factor = 1.0;
  // Tool names containing any of these (case-insensitive) are retrieval tools: their
  // results count as retrieved context, not as tool results.
  std::vector<std::string> retrieval_tools = {"retriev", "rag",         "knowledge",
                                              "vector",  "file_search", "search_docs"};
  // Time between calls whose trace records no time, for cache lifetimes.
  int64_t default_gap_ms = 10'000;
  // How many entries each waste list keeps.
  size_t top = 5;
  bool what_ifs = true;
  // Prices; nullptr = Catalog::Default().
  const Catalog* catalog = nullptr;
  // Called as counting proceeds (at most a few hundred times). May be empty.
  std::function<void(const ReportProgress&)> progress;
};

// One call, accounted.
struct ReportCall {
  uint32_t index = 0;  // Position in the report (0-based), trace by trace in trace order.
  uint32_t trace = 0;  // Index into the traces given.
  std::string where;   // Its place in the trace file ("line 4", "$.history[7]").
  std::string thread, agent, workflow, user;
  std::string model;      // As the trace names it (or ReportOptions::model).
  std::string priced_as;  // The catalog model that priced it; empty = unpriced.
  uint32_t step = 0;      // 1-based number of the call within its thread.
  int64_t time_ms = -1;
  CountLabel label = CountLabel::kExact;

  // Input by kind, split into new and re-sent; output by kind.
  std::array<uint64_t, kNumTokenKinds> new_by_kind{};
  std::array<uint64_t, kNumTokenKinds> resent_by_kind{};
  std::array<uint64_t, kNumTokenKinds> output_by_kind{};
  uint64_t input = 0;  // new_tokens + resent.
  uint64_t new_tokens = 0;
  uint64_t resent = 0;
  uint64_t output = 0;
  // The reply was in the trace (else `output` is the billed count, or 0 when unbilled).
  bool output_known = true;
  // The prompt is not the previous call's prompt and reply plus new messages: the history
  // was edited, windowed or summarized (a new cache segment starts).
  bool history_edited = false;

  // Billing buckets and cost with prompt caching, and the cost without it.
  TokenBuckets cached;
  BucketCosts cached_cost;
  PicoUsd cost = 0;  // Without caching: all input at the input price.
  // Running totals over the report, in call order.
  uint64_t cumulative_tokens = 0;
  PicoUsd cumulative_cost = 0;
  PicoUsd cumulative_cached_cost = 0;

  // What the trace says was billed, and that usage at catalog prices.
  std::optional<BilledCall> billed;
  std::optional<PicoUsd> billed_cost;
};

// Totals of a group of calls (an agent, a workflow, ...).
struct ReportGroup {
  std::string name;
  uint32_t calls = 0;
  uint64_t input = 0, new_tokens = 0, resent = 0, output = 0;
  std::array<uint64_t, kNumTokenKinds> input_by_kind{};
  std::array<uint64_t, kNumTokenKinds> resent_by_kind{};
  std::array<uint64_t, kNumTokenKinds> output_by_kind{};
  PicoUsd cost = 0, cached_cost = 0;
  // The multiplier's denominator, "answering in one call": for a thread, its first call's
  // pinned input (system prompt, tools, task) plus its last reply; an agent or workflow
  // takes its first thread's; a user and the total add up their workflows'; models have
  // none (0).
  uint64_t direct_answer = 0;
  // Calls with billed usage, and its sums.
  uint32_t billed_calls = 0;
  uint64_t billed_input = 0, billed_output = 0;
  uint64_t our_input_of_billed = 0, our_output_of_billed = 0;  // Ours, for the same calls.
  PicoUsd billed_cost = 0;

  uint64_t total() const { return input + output; }
  double Multiplier() const;  // total() / direct_answer (0 when unknown).
};

// A message (or tool list) that calls kept re-sending.
struct ResentBlock {
  std::string role;                   // "system", "user", "assistant", "tool", "tools".
  TokenKind kind = TokenKind::kUser;  // Its largest kind.
  std::string preview;                // Its first characters.
  uint32_t first_call = 0;            // ReportCall::index.
  uint32_t copies = 1;                // Threads (or positions) it appears in.
  uint32_t sends = 0;                 // Calls that sent it (first time included).
  uint64_t tokens = 0;                // Per send.
  uint64_t resent_tokens = 0;
  PicoUsd resent_cost = 0;  // At the uncached input price.
};

// The same tool output fetched again.
struct RepeatedResult {
  std::string tool;  // The tool's name, if the trace says.
  std::string preview;
  uint32_t copies = 0;  // Times it was returned.
  uint64_t tokens = 0;  // Per copy.
  // The copies after the first: their tokens as new input plus every re-send of them.
  uint64_t wasted_tokens = 0;
  PicoUsd wasted_cost = 0;
  std::vector<uint32_t> calls;  // ReportCall::index of the calls that first sent each copy.
};

// The system prompt and tool definitions every call pays for again.
struct PromptTax {
  uint64_t system_tokens = 0;  // Summed over calls (re-sends included).
  uint64_t tool_definition_tokens = 0;
  PicoUsd system_cost = 0;  // At the uncached input price.
  PicoUsd tool_definition_cost = 0;
  uint64_t input_tokens = 0;  // All input, for the share.
  uint32_t calls = 0;
};

// What the trace says was billed for a whole run, beside our reconstruction of it.
struct BilledCheck {
  uint32_t trace = 0;
  BilledTotals stated;
  uint32_t calls = 0;  // Our calls in its scope.
  uint64_t input = 0, output = 0;
  // Stated minus ours (when stated).
  int64_t input_diff = 0, output_diff = 0;
  // The stated token totals at catalog prices, and whether that equals the stated cost.
  std::optional<PicoUsd> cost_of_stated_tokens;
  std::string priced_as;
  bool cost_matches = false;
};

struct ReportTrace {
  std::string name;
  TraceFormat format = TraceFormat::kAuto;
  uint32_t calls = 0;
  uint64_t bytes = 0;
  std::vector<std::string> notes;  // The reader's.
};

struct Report {
  std::vector<ReportTrace> traces;
  std::vector<ReportCall> calls;
  ReportGroup total;
  std::vector<ReportGroup> threads, agents, workflows, users, models;
  CountLabel label = CountLabel::kExact;  // The least trusted call's label.
  bool priced = false;                    // At least one call has prices.

  // Prompt caching: the mode the "cached" figures use, per model, as text ("automatic
  // caching (gpt-4o)"), and the baseline mode of the what-ifs.
  std::string caching;
  std::string baseline_caching;

  std::vector<ResentBlock> resent_blocks;        // Largest first.
  std::vector<RepeatedResult> repeated_results;  // Most wasteful first.
  PromptTax prompt_tax;

  std::vector<BilledCheck> billed_checks;  // One per BilledTotals of the traces.

  // The cost model's standard what-ifs on the calls priced with `what_if_model` (the model
  // with the most input); empty when unpriced or disabled.
  std::string what_if_model;
  uint32_t what_if_calls = 0;
  std::optional<WhatIfComparison> what_ifs;

  // Counting work: bytes of message text sent (re-sends included) and distinct message text.
  uint64_t text_bytes = 0;
  uint64_t unique_text_bytes = 0;
  uint64_t messages = 0;
  uint64_t unique_messages = 0;

  std::vector<std::string> notes;  // Approximations applied, defaults used.
};

// Builds the report. Errors: FailedPrecondition when a call's trace names no model and
// options.model is empty (the message names the file and call); NotFound when
// options.model or cheaper_model is not in the catalog; InvalidArgument for content that
// cannot be counted (tokwise/chat.h's errors, prefixed with the file and call).
absl::StatusOr<Report> BuildReport(const std::vector<Trace>& traces,
                                   const ReportOptions& options = {});

// The report as a terminal table, for a person: a header, the per-call table (at most
// `max_calls` rows, the rest summarized; 0 = all), totals by group, billed versus
// reconstructed, the biggest wastes, the what-ifs and notes. Lines stay within 120 columns.
std::string FormatReport(const Report& report, size_t max_calls = 0);

// The report as one JSON object, with the fields of Report (calls, groups, wastes, billed
// checks, what-ifs, counting work, notes). Money is in integer pico-dollars ("..._pico") so
// that nothing is rounded; token counts are integers; call numbers ("index", "first_call",
// "calls") are 1-based, as in the table.
std::string ReportToJson(const Report& report);

// The report as one self-contained HTML page: the data inline as JSON, charts drawn as
// inline SVG by an inline script (stacked bars per call of new and re-sent input by kind,
// the cumulative cost with and without caching, and a per-agent breakdown), then the tables.
// Nothing is loaded from the network.
std::string ReportToHtml(const Report& report, std::string_view title = "");

}  // namespace tokwise

#endif  // TOKWISE_REPORT_H_
