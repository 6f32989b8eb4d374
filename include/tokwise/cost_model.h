// tokwise/cost_model.h: what a sequence of model calls costs when every call re-sends its
// context.
//
// A model keeps no memory between calls, so each call re-sends what came before it: the
// system prompt, tool definitions, the conversation or agent history. A Scenario lists calls
// grouped in sequences (one sequence = one agent or conversation with its own context and
// its own prompt cache). For each call it holds the NEW items (input the caller adds, output
// the model writes); the evaluator rebuilds the context call by call, re-sending everything
// that was carried forward, and prices each call with a model's rates, prompt caching
// included.
//
//   tokwise::Scenario s("chat");
//   s.AddInput(tokwise::TokenKind::kSystem, 200, tokwise::ItemFlags{/*pinned=*/true});
//   s.AddInput(tokwise::TokenKind::kUser, 50);
//   s.AddOutput(tokwise::TokenKind::kAssistant, 300);
//   s.BeginCall(/*gap_ms=*/60'000);                 // the next turn, a minute later
//   s.AddInput(tokwise::TokenKind::kUser, 40);      // re-sends 550 tokens first
//   s.AddOutput(tokwise::TokenKind::kAssistant, 250);
//   auto model = tokwise::Catalog::Default().Find("gpt-4o");
//   absl::StatusOr<tokwise::ScenarioResult> r = tokwise::Evaluate(s, **model);
//   // r->steps[1].resent == 550, r->total_tokens() == 1390
//
// Scenario builders (single call, RAG, agent loop, multi-agent, conversation), JSON specs and
// presets live in tokwise/scenario.h; tables and JSON output in tokwise/cost_report.h.
//
// Money is exact: prices are integer pico-dollars per token (tokwise/catalog.h), so every cost
// here is an exact integer number of pico-dollars. Results are deterministic.
//
// Thread safety: Scenario, ModelInfo and EvalOptions are plain values; the free functions are
// safe to call from any number of threads on shared inputs. A ScenarioEvaluator keeps scratch
// memory between calls: one thread at a time per evaluator.
#ifndef TOKWISE_COST_MODEL_H_
#define TOKWISE_COST_MODEL_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokwise/catalog.h"

namespace tokwise {

// Sums of money that may exceed int64 pico-dollars (9.2 million USD): forecasts over many
// users and days. Exact; GCC and Clang provide the type.
using PicoUsdWide = __int128;

// ---------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------

// What a run of tokens is. Input kinds and output kinds share one list because an output,
// once written, is re-sent as input by every later call of its sequence.
enum class TokenKind : uint8_t {
  kSystem = 0,           // System prompt / instructions.
  kToolDefinitions = 1,  // Tool (function) schemas sent with the request.
  kUser = 2,             // User messages, task descriptions, carried-over notes.
  kRetrieved = 3,        // Retrieved context (RAG chunks).
  kToolCall = 4,         // A tool call the model wrote (an output when written).
  kToolResult = 5,       // What a tool returned.
  kAssistant = 6,        // Assistant text: answers, drafts, summaries.
  kReasoning = 7,        // Reasoning tokens: billed as output; usually not re-sent.
  kFraming = 8,          // Chat-format tokens: per-message framing, reply priming.
};
inline constexpr int kNumTokenKinds = 9;

// "system", "tool_definitions", "user", "retrieved", "tool_call", "tool_result", "assistant",
// "reasoning", "framing". Static strings.
std::string_view TokenKindName(TokenKind kind);
// The inverse of TokenKindName; nullopt for an unknown name.
std::optional<TokenKind> TokenKindFromName(std::string_view name);

// Flags of a new item.
struct ItemFlags {
  // Input only: survives history windows, summaries and restarts (system prompt, tool
  // definitions, an agent's task). Builders pin them; they should come first in a sequence.
  bool pinned = false;
  // Not carried into later calls: this call's reasoning output, a one-off instruction.
  // Transient input is placed after the carried context, so it never breaks the cached prefix.
  bool transient = false;
  // Continues the previous item's message (e.g. a RAG chunk inside the user message): no
  // per-message framing is added for it.
  bool same_message = false;
};

struct Item {
  uint32_t tokens = 0;
  TokenKind kind = TokenKind::kUser;
  ItemFlags flags;
};

// One call: a slice of Scenario::items() (its new input, then its output) and the time since
// the previous call of its sequence started.
struct CallSpec {
  uint32_t first_item = 0;
  uint32_t num_input = 0;
  uint32_t num_output = 0;
  int64_t gap_ms = 0;
};

// One sequence of calls sharing a context and a prompt cache (an agent, a conversation).
struct SequenceSpec {
  std::string name;
  uint32_t first_call = 0;
  uint32_t num_calls = 0;
  // Chat-format tokens added to every message of an input (OpenAI's documented count for its
  // chat models: 3 per message plus the role name, i.e. 4) and to every call (reply priming,
  // 3). Both 0 by default: the reference examples count message contents only. Framing tokens
  // are tallied under TokenKind::kFraming.
  uint32_t message_overhead = 0;
  uint32_t call_overhead = 0;
};

// A list of calls grouped in sequences. Built with the Add*/Begin* methods or by the builders
// in tokwise/scenario.h. A plain value: copyable, no hidden state.
class Scenario {
 public:
  Scenario() = default;
  explicit Scenario(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  // One line saying what the scenario is and where its figures come from.
  const std::string& description() const { return description_; }
  void set_description(std::string d) { description_ = std::move(d); }

  // The size of the "direct answer" the multiplier compares against (the article's single
  // call: 550 tokens). 0 = derive it: the first sequence's first-call pinned input (system,
  // tools, task) plus its last call's output, i.e. answering in one call without the loop.
  uint64_t direct_answer_tokens() const { return direct_answer_tokens_; }
  void set_direct_answer_tokens(uint64_t n) { direct_answer_tokens_ = n; }

  // Starts a new sequence; later calls belong to it. Calls added before any BeginSequence go
  // to an implicit sequence named "main".
  void BeginSequence(std::string name, uint32_t message_overhead = 0, uint32_t call_overhead = 0);
  // Starts a new call `gap_ms` milliseconds after the previous call of the sequence started
  // (the first call's gap counts from the start of the sequence). Negative gaps count as 0.
  void BeginCall(int64_t gap_ms = 0);
  // Appends new input to the current call. Starts a call (gap 0) if there is none, or if the
  // current call already has output: input after output belongs to the next call.
  void AddInput(TokenKind kind, uint32_t tokens, ItemFlags flags = {});
  // Appends output to the current call (starting one if there is none). Only `transient` is
  // read from the flags: transient output (reasoning) is billed but not re-sent.
  void AddOutput(TokenKind kind, uint32_t tokens, ItemFlags flags = {});

  const std::vector<Item>& items() const { return items_; }
  const std::vector<CallSpec>& calls() const { return calls_; }
  const std::vector<SequenceSpec>& sequences() const { return sequences_; }

 private:
  void EnsureCall(bool for_input);

  std::string name_;
  std::string description_;
  uint64_t direct_answer_tokens_ = 0;
  std::vector<Item> items_;
  std::vector<CallSpec> calls_;
  std::vector<SequenceSpec> sequences_;
};

// ---------------------------------------------------------------------------------------------
// Evaluation options
// ---------------------------------------------------------------------------------------------

enum class CacheMode : uint8_t {
  // What the provider does when the caller does nothing: automatic caching when the model has
  // a cache-read price and no cache-write price (OpenAI, DeepSeek, Gemini implicit caching);
  // otherwise no caching (Anthropic caches only on request).
  kProviderDefault,
  kOff,
  // Automatic prefix caching: reads at the cache-read rate, no write surcharge (writes are
  // billed as ordinary input), lifetime CachePolicy::automatic_ttl_ms.
  kAutomatic,
  // Explicit cache breakpoints with a 5-minute / 1-hour lifetime (Anthropic's cache_control):
  // writes at cache_write_5m / cache_write_1h, reads at cache_read. The lifetime restarts at
  // every read.
  // TODO: Anthropic also finds hits at earlier content-block boundaries (about 20 blocks back
  // from a breakpoint); the model reads only at its own breakpoints, so after a window or
  // summary cut it can miss a hit the provider would find and overstate that call's cost.
  // TODO: explicit caches billed per hour of storage (Gemini's context caching) are not
  // modelled: the catalog has no storage price.
  kExplicit5m,
  kExplicit1h,
};

struct CachePolicy {
  CacheMode mode = CacheMode::kProviderDefault;
  // Explicit modes: where the breakpoints go. After the leading pinned items (system prompt,
  // tools, task) and at the end of each call's carried input (the usual agent setup: every
  // call reads the previous call's prefix and writes its own new tail).
  bool breakpoint_after_pinned = true;
  bool breakpoint_at_end = true;
  // Automatic mode: how long a prefix stays cached after its last use. OpenAI documents 5 to
  // 10 minutes of inactivity (up to an hour off-peak); 5 minutes is the safe figure.
  int64_t automatic_ttl_ms = 5 * 60 * 1000;
  // Automatic mode: cached lengths are min_cacheable_prefix + a multiple of this (OpenAI
  // documents hits in 128-token increments above 1,024). 0 = 128 for provider "openai", else 1.
  // TODO: the catalog has no field for this; until it does, a non-OpenAI provider with
  // increments is modelled too generously (by at most one increment per call).
  uint32_t automatic_granularity = 0;
};

// How the context is kept from growing. All off by default. Cuts drop whole items, never
// pinned ones; after a cut the prompt cache can only be read up to the cut.
struct ContextPolicy {
  // Keep at most this many tokens of non-pinned history (oldest items dropped first) before
  // each call's new input is added. 0 = keep everything.
  // TODO: windows drop whole items (messages), not turns, so the kept history may start with
  // a reply; a provider that requires a user message first would make the caller drop one
  // more message, so the model can overstate a window's cost by at most one message a call.
  uint64_t window_tokens = 0;
  // When non-pinned history exceeds this before a call, first make a summarization call (it
  // reads the whole context plus `summary_prompt_tokens` of instruction and writes
  // `summary_tokens`), then replace the history with that summary. 0 = never.
  uint64_t summarize_above_tokens = 0;
  uint32_t summary_tokens = 500;
  uint32_t summary_prompt_tokens = 50;
  // Start a fresh context (pinned items only, plus a `restart_carry_tokens` note of what was
  // done so far, as user input) every this many calls of a sequence. 0 = never.
  uint32_t restart_every_calls = 0;
  uint32_t restart_carry_tokens = 0;
};

struct EvalOptions {
  CachePolicy cache;
  ContextPolicy context;
  // Price with the model's batch rates. Caching is off in batch mode: providers serve batch
  // requests asynchronously and promise no cache hits, so the model assumes none (the
  // conservative figure). FailedPrecondition if the model has no batch prices.
  bool batch = false;
  // Cap each call's output at this many tokens (the output re-sent later shrinks with it).
  std::optional<uint32_t> max_output_tokens;
  // RAG what-ifs: keep at most this many retrieved items per call / cap each one's size.
  std::optional<uint32_t> rag_max_chunks;
  std::optional<uint32_t> rag_max_chunk_tokens;
  // Re-tokenization for a model with another tokenizer: every item's count is multiplied by
  // this ratio in parts per million (rounded half up, per item). An approximation: the same
  // text's count under two tokenizers is close to proportional for one kind of text, but the
  // ratio differs between prose, code and non-Latin scripts; measure it on your own data
  // (tokwise counts both) and pass it here, or give `retokenize`.
  uint32_t token_ratio_ppm = 1'000'000;
  // Overrides token_ratio_ppm when set: returns an item's count under the other tokenizer.
  // Called once per item per evaluation; must be deterministic. Framing overheads and the
  // ContextPolicy sizes are not re-tokenized (they are given in the target model's tokens).
  std::function<uint32_t(TokenKind kind, uint32_t tokens)> retokenize;
};

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

// Input tokens by how they are billed, plus output.
struct TokenBuckets {
  uint64_t uncached = 0;  // Ordinary input (includes automatic-cache writes).
  uint64_t cache_read = 0;
  uint64_t cache_write_5m = 0;
  uint64_t cache_write_1h = 0;
  uint64_t output = 0;

  uint64_t input() const { return uncached + cache_read + cache_write_5m + cache_write_1h; }
  uint64_t total() const { return input() + output; }
};

struct BucketCosts {
  PicoUsd uncached = 0;
  PicoUsd cache_read = 0;
  PicoUsd cache_write_5m = 0;
  PicoUsd cache_write_1h = 0;
  PicoUsd output = 0;

  PicoUsd input() const { return uncached + cache_read + cache_write_5m + cache_write_1h; }
  PicoUsd total() const { return input() + output; }
};

// One evaluated call.
struct StepResult {
  uint32_t sequence = 0;       // Index into Scenario::sequences().
  uint32_t call = 0;           // Index of the call within its sequence (a summarization call
                               // shares the index of the call it precedes).
  bool summarization = false;  // Inserted by ContextPolicy::summarize_above_tokens.
  int64_t time_ms = 0;         // Start time within the sequence.
  // Tokens new in this call by kind: new input, this call's framing, and output.
  std::array<uint64_t, kNumTokenKinds> new_tokens{};
  uint64_t new_input = 0;  // New input tokens (framing included).
  uint64_t resent = 0;     // Input carried from earlier calls.
  uint64_t input = 0;      // resent + new_input.
  uint64_t output = 0;
  TokenBuckets tokens;  // input split by billing bucket, plus output.
  BucketCosts cost;
  uint64_t cumulative_tokens = 0;  // Input + output of all steps so far, all sequences.
  PicoUsd cumulative_cost = 0;
  bool over_context_window = false;  // input + output > ModelInfo::context_window.
  bool over_max_output = false;      // output > ModelInfo::max_output.

  uint64_t total() const { return input + output; }
};

struct SequenceTotals {
  std::string name;
  uint32_t calls = 0;  // Summarization calls included.
  TokenBuckets tokens;
  BucketCosts cost;
};

struct ScenarioResult {
  std::string scenario;
  std::string model;                       // ModelInfo::id.
  CacheMode cache_mode = CacheMode::kOff;  // The mode used (kProviderDefault resolved).
  bool batch = false;
  std::vector<StepResult> steps;  // In order: sequence by sequence, call by call.
  std::vector<SequenceTotals> sequences;
  uint32_t calls = 0;
  TokenBuckets tokens;
  BucketCosts cost;
  // Input by kind, re-sent tokens included (the system-prompt tax is input_by_kind[kSystem]),
  // what those tokens cost at the bucket each was billed in, and output by kind.
  std::array<uint64_t, kNumTokenKinds> input_by_kind{};
  std::array<PicoUsd, kNumTokenKinds> input_cost_by_kind{};
  std::array<uint64_t, kNumTokenKinds> output_by_kind{};
  std::array<PicoUsd, kNumTokenKinds> output_cost_by_kind{};
  uint32_t calls_over_context_window = 0;
  uint32_t calls_over_max_output = 0;
  uint64_t direct_answer_tokens = 0;  // The multiplier's denominator (see Scenario).

  uint64_t total_tokens() const { return tokens.total(); }
  PicoUsd total_cost() const { return cost.total(); }
  // total_tokens() / direct_answer_tokens (0 when the denominator is 0).
  double Multiplier() const;
};

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

// Evaluates `scenario` on `model`. Per call: the context is rebuilt (policy cuts first, then
// the carried items, then the call's new input, transient input last); the cache read is the
// longest prefix cached earlier in the sequence that is still alive (written or last read no
// more than the lifetime before this call started; a gap longer than the lifetime means it
// expired) and at least ModelInfo::min_cacheable_prefix long; explicit modes write from there
// to the last breakpoint; the rest is ordinary input. A call whose input exceeds a
// LongContextTier threshold is priced entirely at that tier (bucket prices the tier leaves
// kNotOffered are the base prices scaled by the tier's input ratio: how Anthropic's
// long-context cache prices relate to its base ones).
// Sequences are independent: a prefix cached by one sequence is not read by another.
// Errors: FailedPrecondition if the model lacks a price the evaluation needs (input, output,
// cache prices for a caching mode, batch prices) or a policy asks for explicit caching on a
// model that caches automatically (or the reverse); OutOfRange if a sum overflows (costs above
// about 9.2 million USD per scenario: evaluate a smaller unit and scale with Forecast()).
absl::StatusOr<ScenarioResult> Evaluate(const Scenario& scenario, const ModelInfo& model,
                                        const EvalOptions& options = {});

// Evaluate() with reusable scratch memory, for sweeps: after warm-up an evaluation of a
// same-shaped scenario allocates nothing. One thread at a time per evaluator.
class ScenarioEvaluator {
 public:
  ScenarioEvaluator();
  ~ScenarioEvaluator();
  ScenarioEvaluator(const ScenarioEvaluator&) = delete;
  ScenarioEvaluator& operator=(const ScenarioEvaluator&) = delete;

  // As Evaluate(); `out` is overwritten (its vectors' capacity is reused).
  absl::Status Evaluate(const Scenario& scenario, const ModelInfo& model,
                        const EvalOptions& options, ScenarioResult* out);

  struct Scratch;  // Implementation detail.

 private:
  Scratch* scratch_;
};

// The CacheMode kProviderDefault resolves to for `model` (kAutomatic or kOff); other modes are
// returned unchanged.
CacheMode ResolveCacheMode(CacheMode mode, const ModelInfo& model);
std::string_view CacheModeName(CacheMode mode);  // "provider", "off", "auto", "5m", "1h".
std::optional<CacheMode> CacheModeFromName(std::string_view name);

// ---------------------------------------------------------------------------------------------
// Prompt-caching payoff
// ---------------------------------------------------------------------------------------------

// The smallest number of later reads of a cached prefix at which writing it costs less than
// sending it uncached every time: the least r with write + r * read < (1 + r) * input. From
// the model's rates: with Anthropic's 1.25x (5 min) / 2x (1 h) writes and 0.1x reads, 1 for
// kExplicit5m and 2 for kExplicit1h. kAutomatic has no write surcharge: 1 if reads are cheaper
// than input. FailedPrecondition if the mode's prices are not offered or a read costs no less
// than input (caching never pays); InvalidArgument for kOff / kProviderDefault.
absl::StatusOr<uint32_t> CacheWritePayoffReads(const Prices& prices, CacheMode mode);

// ---------------------------------------------------------------------------------------------
// Money helpers
// ---------------------------------------------------------------------------------------------

// Formats exact money as US dollars with `decimals` digits after the point (0..12), rounding
// half away from zero, with thousands separators: "$1,234.57".
std::string FormatDollars(PicoUsdWide pico, int decimals = 6);

}  // namespace tokwise

#endif  // TOKWISE_COST_MODEL_H_
