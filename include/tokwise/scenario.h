// tokwise/scenario.h: building cost-model scenarios: single call, RAG, agent loop,
// multi-agent, long conversation; from code, from a JSON spec, or by preset name.
//
//   tokwise::AgentLoopSpec a;
//   a.system = 200;
//   a.user = 50;
//   a.steps = tokwise::AgentLoopSpec::Uniform(/*n=*/10, {/*tool_call=*/30, /*tool_result=*/500},
//                                             /*final_output=*/400);
//   tokwise::Scenario s = tokwise::BuildAgentLoop(a);
//   auto r = tokwise::Evaluate(s, model);   // tokwise/cost_model.h
//
// Every builder produces one sequence per agent or conversation. Pinned items (kept by context
// windows, summaries and restarts, and the first cache breakpoint): system prompt, tool
// definitions, and an agent's task. Items of 0 tokens are left out.
//
// Thread safety: all functions are pure; call them from any thread.
#ifndef TOKWISE_SCENARIO_H_
#define TOKWISE_SCENARIO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tokwise/cost_model.h"

namespace tokwise {

// Where an agent step's tool result is billed.
enum class ResultTiming : uint8_t {
  // What a provider bills: call k writes tool call k (and any text); the tool's result is new
  // input of call k + 1. A result left after the last step is read by a closing call with no
  // output.
  kNextCall,
  // The bookkeeping of the widely shared article this model checks: step k is one call whose
  // new input already holds its own tool result, so a step's size is the context after its
  // tool exchange. Each result is counted once more than a provider would bill it; the
  // reference figures (11,950 tokens for the 5-step research agent) use this layout.
  kSameStep,
};

// One call: system + tools + user -> output.
struct SingleCallSpec {
  uint32_t system = 0;
  uint32_t tool_definitions = 0;
  uint32_t user = 0;
  uint32_t output = 0;
};

// One call with retrieved chunks inside the user message.
struct RagSpec {
  uint32_t system = 0;
  uint32_t tool_definitions = 0;
  uint32_t user = 0;
  std::vector<uint32_t> chunks;  // Tokens of each retrieved chunk.
  uint32_t output = 0;

  // k chunks of `tokens` each.
  static std::vector<uint32_t> Chunks(uint32_t k, uint32_t tokens) {
    return std::vector<uint32_t>(k, tokens);
  }
};

// One step of an agent loop: the model writes a tool call (and/or text), the tool answers.
struct AgentStep {
  uint32_t tool_call = 0;    // Model output: the call.
  uint32_t tool_result = 0;  // Tool output, re-sent from then on.
  uint32_t retrieved = 0;    // Tool output that is retrieved context (a search tool).
  uint32_t output = 0;       // Model output: text (a draft, the final answer).
};

struct AgentLoopSpec {
  std::string name = "agent";
  uint32_t system = 0;
  uint32_t tool_definitions = 0;
  uint32_t user = 0;  // The task (pinned).
  std::vector<AgentStep> steps;
  ResultTiming timing = ResultTiming::kNextCall;
  int64_t gap_ms = 10'000;  // Between calls: model latency plus tool time.

  // n steps: n - 1 copies of `step` and a last step writing `final_output` (only).
  static std::vector<AgentStep> Uniform(uint32_t n, AgentStep step, uint32_t final_output);
};

// A sub-agent started by the orchestrator.
struct SubAgentSpec {
  // The orchestrator's tool call that starts the agent; it is also the agent's task.
  uint32_t delegation = 0;
  // The agent's own loop; its `user` is ignored (the delegation is the task). Its answer, read
  // back by the orchestrator, is its last step's output.
  AgentLoopSpec loop;
};

// An orchestrator that delegates to sub-agents one after another, reading each one's answer,
// then answers. The orchestrator is sequence 0, the agents follow in order.
struct MultiAgentSpec {
  uint32_t system = 0;
  uint32_t tool_definitions = 0;
  uint32_t user = 0;
  std::vector<SubAgentSpec> agents;
  uint32_t final_output = 0;
  ResultTiming timing = ResultTiming::kNextCall;
  int64_t gap_ms = 10'000;
};

struct ConversationTurn {
  uint32_t user = 0;
  uint32_t output = 0;
};

// A chat: each turn is one call re-sending the system prompt and every earlier turn.
struct ConversationSpec {
  uint32_t system = 0;
  uint32_t tool_definitions = 0;
  std::vector<ConversationTurn> turns;
  int64_t gap_ms = 60'000;  // Between turns: the user reads and types.

  static std::vector<ConversationTurn> Uniform(uint32_t n, uint32_t user, uint32_t output) {
    return std::vector<ConversationTurn>(n, ConversationTurn{user, output});
  }
};

Scenario BuildSingleCall(const SingleCallSpec& spec, std::string name = "single-call");
Scenario BuildRag(const RagSpec& spec, std::string name = "rag");
Scenario BuildAgentLoop(const AgentLoopSpec& spec);
Scenario BuildMultiAgent(const MultiAgentSpec& spec, std::string name = "multi-agent");
Scenario BuildConversation(const ConversationSpec& spec, std::string name = "conversation");

// Appends `spec` as a new sequence of `scenario` (for composing several agents by hand).
void AppendAgentLoop(const AgentLoopSpec& spec, Scenario* scenario);

// ---------------------------------------------------------------------------------------------
// JSON specs
// ---------------------------------------------------------------------------------------------

// A scenario read from JSON, with the settings the file may carry.
struct ScenarioSpec {
  Scenario scenario;
  std::string model;               // "model": empty when absent.
  std::optional<CacheMode> cache;  // "cache": "provider" | "off" | "auto" | "5m" | "1h".
};

// Parses a scenario spec. The object's "type" picks the builder; the other keys are its
// fields (all token counts are non-negative integers below 2^31; times in seconds):
//   {"type": "single", "system": 200, "user": 50, "output": 300, "tool_definitions": 0}
//   {"type": "rag", "system", "user", "output", "tool_definitions",
//    "chunks": [800, 1100, 900]  or  "k": 3, "chunk_tokens": 800}
//   {"type": "agent", "system", "user", "tool_definitions", "result_timing":
//    "next_call" | "same_step", "seconds_between_calls",
//    "steps": [{"tool_call", "tool_result", "retrieved", "output"}, ...]
//    or "n_steps": 10, "step": {...}, "final_output": 400}
//   {"type": "multi_agent", "system", "user", "tool_definitions", "final_output",
//    "result_timing", "seconds_between_calls",
//    "agents": [{"name", "delegation", "system", "tool_definitions", "steps" | "n_steps"...}]}
//   {"type": "conversation", "system", "tool_definitions", "seconds_between_calls",
//    "turns": 20, "user": 50, "output": 300  or  "turns": [{"user", "output"}, ...]}
//   {"type": "calls", "sequences": [{"name", "message_overhead", "call_overhead",
//    "calls": [{"after_seconds": 0, "input": [{"kind": "system", "tokens": 200,
//    "pinned": true, "transient": false, "same_message": false}], "output": [...]}]}]}
// Every type also takes "name", "description", "direct_answer_tokens", "model" and "cache".
// Errors: InvalidArgument naming the JSON path ("$.steps[2].tool_result: expected a
// non-negative integer below 2^31"), for malformed JSON, unknown keys (typos must not be
// ignored silently), wrong types, missing required keys and conflicting alternatives.
absl::StatusOr<ScenarioSpec> ScenarioFromJson(std::string_view json);

// ---------------------------------------------------------------------------------------------
// Presets: the reference examples
// ---------------------------------------------------------------------------------------------

struct PresetInfo {
  std::string_view name;
  std::string_view summary;
};

// Every preset, in a fixed order.
const std::vector<PresetInfo>& Presets();
// Builds a preset by name; NotFound names the known presets.
absl::StatusOr<Scenario> BuildPreset(std::string_view name);
// The five levels shown side by side: single call, RAG, agent loop, multi-agent, long
// conversation (preset names).
const std::vector<std::string_view>& LevelPresets();

// The specs behind the presets, for callers who want to vary one parameter.
SingleCallSpec ReferenceSingleCall();      // system 200, user 50, output 300.
RagSpec ReferenceRag();                    // + chunks 800, 1,100, 900; output 400.
AgentLoopSpec ReferenceResearchAgent();    // The article's 5 steps (kSameStep).
MultiAgentSpec ReferenceMultiAgent();      // Orchestrator + research, analysis, writing.
ConversationSpec ReferenceConversation();  // 20 turns of the single call's sizes.

// ---------------------------------------------------------------------------------------------
// Typical tokens per task, regenerated from the builders
// ---------------------------------------------------------------------------------------------

// One setup of the article's "typical tokens per task" table, swept over stated parameter
// ranges (every corner of the ranges; each total grows with every parameter, so the corners
// bound it).
struct TaskRange {
  std::string setup;       // "5-step agent".
  std::string parameters;  // The parameter ranges swept.
  uint64_t low = 0;        // Tokens per task, billed layout (ResultTiming::kNextCall).
  uint64_t high = 0;
  double low_x = 0;  // Against the 550-token direct answer.
  double high_x = 0;
  uint64_t article_low = 0;
  uint64_t article_high = 0;
  double article_low_x = 0;  // The article's multipliers as printed.
  double article_high_x = 0;
  // The article's own worked example of this setup evaluated by the model (0 = none).
  uint64_t reference = 0;
  // Agrees when at least half of the article's range lies inside the model's and the
  // article's own example falls inside the article's range.
  bool agrees = false;
  std::string why;  // How the ranges relate and why, with the figures that show it.
};

std::vector<TaskRange> TypicalTaskRanges();

}  // namespace tokwise

#endif  // TOKWISE_SCENARIO_H_
